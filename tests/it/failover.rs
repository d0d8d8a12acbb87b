//! Several okrbot processes on one database (`docs/operations.md`, "Several processes"): one
//! holds the scheduler's role and decides, every one delivers, and when the leader's lock
//! session ends a standby takes the role over, with nothing sent twice or lost. Each "process"
//! here is an `Okr` with a store (a connection pool) of its own, as a second okrbot would have;
//! on PostgreSQL the roles are advisory locks on sessions of their own. On SQLite every process
//! holds every role (one file, one host), and these tests check that two deciders at once still
//! decide and send each slot once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use okrbot::config::Config;
use okrbot::leadership::Leadership;
use okrbot::outbox::{Delivery, DeliveryKind, Outbox, RecordingOutbox, SendError, Sent};
use okrbot::scheduler::Scheduler;
use okrbot::service::Okr;
use okrbot::store::leader::Role;
use okrbot::store::Store;

use crate::crash_restart::{monday_prompt_slot, owner, team_with_owners};

/// How often the test's standbys try for the role: short, so the takeover is measured in the
/// test's time rather than the default's 2 s.
const POLL: Duration = Duration::from_millis(100);

/// A platform that takes `pace` per message and records every message it was sent, twice if it
/// was sent twice.
#[derive(Clone)]
struct Paced {
    record: RecordingOutbox,
    pace: Duration,
}

impl Outbox for Paced {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        tokio::time::sleep(self.pace).await;
        self.record.send(d).await
    }
}

async fn process(url: &str) -> Okr {
    Okr::new(
        Store::open(url).await.expect("the database opens"),
        &Config::default(),
    )
}

async fn lead(okr: &Okr) -> Arc<Leadership> {
    Leadership::start(
        okr.store(),
        Role::Scheduler,
        POLL,
        okr.metrics_handle(),
        |_| {},
    )
    .await
}

/// Ends the session that holds the scheduler's lock, as a crashed host or a cut network would.
async fn end_the_leaders_session(store: &Store) -> u64 {
    let pool = store.pg_pool().expect("PostgreSQL");
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_locks \
         WHERE locktype = 'advisory' AND classid::bigint = $1 AND objid::bigint = $2 AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) t",
    )
    .bind(i64::from(okrbot::store::leader::NAMESPACE))
    .bind(1_i64)
    .fetch_one(pool)
    .await
    .map(|n| u64::try_from(n).unwrap_or(0))
    .expect("terminate the leader's session")
}

/// One role, two processes: on PostgreSQL the first to ask holds it and the other stands by
/// until the holder's session ends, then takes it within a poll; on SQLite both hold it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_leads_and_a_standby_takes_over_when_the_leaders_session_ends() {
    let app = crate::common::spawn_app().await;
    let a = process(&app.database_url).await;
    let b = process(&app.database_url).await;
    let la = lead(&a).await;
    let lb = lead(&b).await;
    if app.okr.store().pg_pool().is_none() {
        assert!(
            la.is_leader() && lb.is_leader(),
            "SQLite: every process decides"
        );
        assert!(la.confirm().await && lb.confirm().await);
        assert_eq!(b.ready().await.as_deref(), Ok("ready: scheduler leader"));
        return;
    }
    assert!(la.is_leader(), "the first process to ask leads");
    assert!(!lb.is_leader(), "the second stands by");
    assert!(!lb.confirm().await, "a standby holds nothing to confirm");
    // /readyz says what each process is; a standby is ready.
    assert_eq!(a.ready().await.as_deref(), Ok("ready: scheduler leader"));
    assert_eq!(b.ready().await.as_deref(), Ok("ready: scheduler standby"));
    // Polling does not move the role while its holder is alive.
    tokio::time::sleep(POLL * 5).await;
    assert!(la.is_leader() && !lb.is_leader());

    assert_eq!(end_the_leaders_session(b.store()).await, 1);
    let ended = Instant::now();
    assert!(!la.confirm().await, "the old leader sees its session gone");
    tokio::time::timeout(Duration::from_secs(5), lb.until_leading())
        .await
        .expect("the standby takes over within 5 s");
    let took = ended.elapsed();
    assert!(took < POLL * 10, "took {took:?} with a {POLL:?} poll");
    assert!(lb.confirm().await);
    // The old leader, alive again, finds the role taken and stands by.
    tokio::time::sleep(POLL * 3).await;
    assert!(!la.is_leader(), "one leader at a time");
    let metrics = b.metrics().encode();
    assert!(
        metrics.contains("okrbot_leader{role=\"scheduler\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("okrbot_leader_handovers_total{role=\"scheduler\"} 1"),
        "{metrics}"
    );
}

/// Failover in the middle of a Monday fan-out: two processes run their schedulers on one
/// database, 1,000 owners are due, the platform takes 2 ms a message. Halfway through, the
/// leader's lock session is ended: the standby takes the role within a poll, and the platform
/// has seen each delivery (each nonce) exactly once and every owner prompted once. On SQLite
/// both decide at once, and the slot is still decided and sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_mid_fan_out_sends_each_prompt_once() {
    const OWNERS: usize = 1_000;
    let world = team_with_owners(OWNERS).await;
    let a = process(&world.database_url).await;
    let b = process(&world.database_url).await;
    let (la, lb) = (lead(&a).await, lead(&b).await);
    let postgres = a.store().pg_pool().is_some();
    let clock =
        okrbot::clock::ManualClock::new(monday_prompt_slot() + chrono::Duration::minutes(1));
    let platform = Paced {
        record: RecordingOutbox::new(),
        pace: Duration::from_millis(2),
    };
    let prompts = |p: &Paced| {
        p.record
            .sent()
            .into_iter()
            .filter(|d| d.kind == DeliveryKind::Prompt)
            .count()
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let run = |okr: &Okr, l: &Arc<Leadership>| {
        let scheduler = Scheduler::new(okr.clone()).led_by(l.clone());
        let (clock, platform, stop) = (
            clock.clone(),
            platform.clone(),
            until_stopped(stop_rx.clone()),
        );
        tokio::spawn(async move { scheduler.run(&clock, &platform, stop).await })
    };
    let (ra, rb) = (run(&a, &la), run(&b, &lb));

    let deadline = Instant::now() + Duration::from_secs(60);
    while prompts(&platform) < OWNERS / 2 {
        assert!(Instant::now() < deadline, "half the fan-out within 60 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut takeover = None;
    if postgres {
        assert!(la.is_leader() && !lb.is_leader());
        assert_eq!(end_the_leaders_session(a.store()).await, 1);
        let ended = Instant::now();
        tokio::time::timeout(Duration::from_secs(5), lb.until_leading())
            .await
            .expect("the standby takes over within 5 s");
        takeover = Some(ended.elapsed());
    }
    while prompts(&platform) < OWNERS {
        assert!(
            Instant::now() < deadline,
            "the whole fan-out within 60 s: {} of {OWNERS}",
            prompts(&platform)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Anything still to come would be a second message.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = stop_tx.send(true);
    let _ = tokio::join!(ra, rb);

    let sent = platform.record.sent();
    let mut by_nonce: HashMap<i64, usize> = HashMap::new();
    let mut by_owner: HashMap<String, usize> = HashMap::new();
    for d in sent.iter().filter(|d| d.kind == DeliveryKind::Prompt) {
        *by_nonce.entry(d.id).or_default() += 1;
        *by_owner.entry(d.recipient.key()).or_default() += 1;
    }
    assert!(by_nonce.values().all(|&n| n == 1), "a nonce sent twice");
    assert_eq!(by_owner.len(), OWNERS, "every owner");
    assert!(
        by_owner.values().all(|&n| n == 1),
        "an owner prompted twice"
    );
    assert!(by_owner.contains_key(&format!("user:{}", owner(0))));
    if let Some(took) = takeover {
        eprintln!("takeover after the leader's session ended: {took:?} (poll {POLL:?})");
        assert!(took < POLL * 10, "took {took:?}");
    }
}

/// Two deciders at once, as a broken lock would leave them: two processes that both believe
/// they lead tick the same due slot at the same moment, again and again. Schedules advance by
/// compare-and-set, so each slot is decided once: one prompt per owner, one ledger row each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deciders_at_once_decide_each_slot_once() {
    const OWNERS: usize = 50;
    let world = team_with_owners(OWNERS).await;
    let a = process(&world.database_url).await;
    let b = process(&world.database_url).await;
    // Both lead: the lock is out of the picture.
    let (sa, sb) = (
        Scheduler::new(a.clone()).led_by(Leadership::sole(Role::Scheduler)),
        Scheduler::new(b.clone()).led_by(Leadership::sole(Role::Scheduler)),
    );
    let platform = RecordingOutbox::new();
    let now = monday_prompt_slot() + chrono::Duration::minutes(1);
    for minute in 0..5 {
        let at = now + chrono::Duration::minutes(minute);
        let (x, y) = tokio::join!(sa.decide(at), sb.decide(at));
        x.expect("a decides");
        y.expect("b decides");
    }
    let rows: Vec<(String, i64)> = crate::backend::raw!(a.store(), |db| sqlx::query_as(
        "SELECT recipient, count(*) FROM deliveries WHERE kind = 'prompt' GROUP BY recipient"
    )
    .fetch_all(db)
    .await)
    .expect("the ledger");
    assert_eq!(rows.len(), OWNERS, "{rows:?}");
    assert!(rows.iter().all(|(_, n)| *n == 1), "{rows:?}");
    let (x, y) = tokio::join!(
        sa.tick(now + chrono::Duration::minutes(6), &platform),
        sb.tick(now + chrono::Duration::minutes(6), &platform)
    );
    x.expect("a delivers");
    y.expect("b delivers");
    let mut by_nonce: HashMap<i64, usize> = HashMap::new();
    for d in platform.sent() {
        *by_nonce.entry(d.id).or_default() += 1;
    }
    assert_eq!(by_nonce.len(), OWNERS);
    assert!(by_nonce.values().all(|&n| n == 1), "{by_nonce:?}");
}

/// Claim contention: three processes deliver the same 1,000 due prompts at once. Each claims a
/// row before it sends it (a lease: who and until when), so the three take disjoint sets: every
/// row is sent by exactly one of them, and all of them are sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_claimers_on_a_thousand_due_rows_take_disjoint_sets() {
    const OWNERS: usize = 1_000;
    let world = team_with_owners(OWNERS).await;
    let now = monday_prompt_slot() + chrono::Duration::minutes(1);
    let processes = [
        process(&world.database_url).await,
        process(&world.database_url).await,
        process(&world.database_url).await,
    ];
    Scheduler::new(processes[0].clone())
        .decide(now)
        .await
        .expect("the prompts are decided");
    let platforms: Vec<Paced> = (0..3)
        .map(|_| Paced {
            record: RecordingOutbox::new(),
            pace: Duration::from_micros(200),
        })
        .collect();
    let dispatchers: Vec<_> = processes
        .iter()
        .map(|p| okrbot::delivery::Dispatcher::new(p.clone()))
        .collect();
    let (x, y, z) = tokio::join!(
        dispatchers[0].deliver(now, &platforms[0]),
        dispatchers[1].deliver(now, &platforms[1]),
        dispatchers[2].deliver(now, &platforms[2]),
    );
    let reports = [x.expect("first"), y.expect("second"), z.expect("third")];
    let mut by_nonce: HashMap<i64, usize> = HashMap::new();
    for p in &platforms {
        for d in p.record.sent() {
            *by_nonce.entry(d.id).or_default() += 1;
        }
    }
    assert_eq!(by_nonce.len(), OWNERS, "every row sent");
    assert!(by_nonce.values().all(|&n| n == 1), "a row sent by two");
    let shares: Vec<usize> = reports.iter().map(|r| r.sent).collect();
    assert_eq!(shares.iter().sum::<usize>(), OWNERS, "{shares:?}");
    eprintln!("rows sent by each of three claimers: {shares:?}");
}

/// A process claiming a row another process is claiming at that moment does not wait for it:
/// on PostgreSQL the claim locks the row `FOR UPDATE SKIP LOCKED`, so while another session holds
/// the row's lock the claim says "taken" at once (and the claimer moves on to its next row), and
/// once that session lets go the row is free to claim. On SQLite the file has one writer at a
/// time: a claim waits for the writer (within the busy timeout) and then takes the row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_does_not_wait_for_a_row_another_process_is_claiming() {
    let world = team_with_owners(1).await;
    let now = monday_prompt_slot() + chrono::Duration::minutes(1);
    let okr = process(&world.database_url).await;
    Scheduler::new(okr.clone())
        .decide(now)
        .await
        .expect("the prompt is decided");
    let id: i64 = crate::backend::raw!(okr.store(), |db| {
        sqlx::query_scalar("SELECT id FROM deliveries WHERE state = 'pending' AND kind = 'prompt'")
            .fetch_one(db)
            .await
    })
    .expect("a pending prompt");
    let claim = |holder: &'static str| {
        let store = okr.store().clone();
        async move {
            let mut c = store.read().await.expect("a connection");
            let since = Instant::now();
            let won = okrbot::store::deliveries::claim(
                &mut c,
                id,
                holder,
                now,
                chrono::Duration::minutes(10),
            )
            .await
            .expect("the claim runs");
            (won, since.elapsed())
        }
    };
    if let Some(pool) = okr.store().pg_pool() {
        let mut other = pool.begin().await.expect("another session");
        sqlx::query("SELECT id FROM deliveries WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut *other)
            .await
            .expect("the other session locks the row");
        let (won, took) = tokio::time::timeout(Duration::from_secs(2), claim("b"))
            .await
            .expect("the claim waited for the other session's lock");
        assert!(!won, "a row another session holds is not claimed");
        assert!(
            took < Duration::from_millis(500),
            "the claim waited {took:?} for the other session"
        );
        other.rollback().await.expect("the other session lets go");
        let (won, _) = claim("b").await;
        assert!(won, "the row is claimed once the other session let go");
    } else {
        let mut writer = okr
            .store()
            .pool()
            .acquire()
            .await
            .expect("a writer's connection");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *writer)
            .await
            .expect("the writer holds the file");
        let waiting = tokio::spawn(claim("b"));
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::query("ROLLBACK")
            .execute(&mut *writer)
            .await
            .expect("the writer lets go");
        let (won, took) = waiting.await.expect("the claim");
        assert!(
            won,
            "SQLite: the claim takes the row once the writer lets go"
        );
        assert!(
            took >= Duration::from_millis(250),
            "SQLite: the claim waited for the file's one writer ({took:?})"
        );
    }
    let (won, _) = claim("c").await;
    assert!(!won, "a row claimed by a live lease is not claimed again");
}

/// Turns to talk to a platform are booked in the database, so two processes taking Discord's
/// turns as fast as they can together keep the pace of one: 2 x 20 turns at 40 a second take
/// the 39 intervals that 40 turns in a row take, not the 19 that each process's own 20 would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_taking_turns_together_keep_the_pace_of_one() {
    const EACH: usize = 20;
    let interval = Duration::from_millis(25);
    let app = crate::common::spawn_app().await;
    let a = process(&app.database_url).await;
    let b = process(&app.database_url).await;
    let started = Instant::now();
    let take = |okr: Okr| async move {
        let mut at = Vec::new();
        for _ in 0..EACH {
            okr.turns().take("discord", interval).await;
            at.push(Instant::now());
        }
        at
    };
    let (ta, tb) = tokio::join!(tokio::spawn(take(a.clone())), tokio::spawn(take(b.clone())));
    let mut at: Vec<Instant> = ta.expect("a").into_iter().chain(tb.expect("b")).collect();
    at.sort();
    let took = at[at.len() - 1] - started;
    let one_pace = interval * u32::try_from(2 * EACH - 1).expect("small");
    eprintln!(
        "{} turns from two processes in {took:?}; one process's pace {one_pace:?}",
        at.len()
    );
    assert!(
        took >= one_pace.mul_f64(0.95),
        "two processes took {took:?}, faster than one pace ({one_pace:?})"
    );
    // Any 1 s holds at most 40 turns, the first included (a late wake-up may bunch two).
    for (i, first) in at.iter().enumerate() {
        let within = at[i..]
            .iter()
            .take_while(|t| **t - *first < Duration::from_secs(1))
            .count();
        assert!(within <= 41, "{within} turns within 1 s of turn {i}");
    }
}

/// A 429 seen by one process holds the other's turns too: Discord's global limit is the bot's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_one_process_places_holds_the_others_turns() {
    let app = crate::common::spawn_app().await;
    let a = process(&app.database_url).await;
    let b = process(&app.database_url).await;
    let interval = Duration::from_millis(25);
    b.turns().take("discord", interval).await;
    a.turns().hold("discord", Duration::from_millis(600)).await;
    let held = b.turns().held("discord").await;
    assert!(
        held > Duration::from_millis(400) && held <= Duration::from_millis(600),
        "the other process sees the hold: {held:?}"
    );
    let since = Instant::now();
    b.turns().take("discord", interval).await;
    assert!(
        since.elapsed() >= Duration::from_millis(400),
        "the other process's next turn came {:?} into a 600 ms hold",
        since.elapsed()
    );
    // Other keys are not held: a webhook's pace is its own.
    let since = Instant::now();
    b.turns().take("webhook:1", interval).await;
    assert!(since.elapsed() < Duration::from_millis(200));
}

/// A standby asks for the role on one session it keeps, not on a new connection every poll:
/// the sessions named "okrbot scheduler" stay the same two (the leader's and the standby's)
/// over many polls. On SQLite there is no lock and no such session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_asks_on_the_session_it_keeps() {
    let app = crate::common::spawn_app().await;
    let a = process(&app.database_url).await;
    let b = process(&app.database_url).await;
    let la = lead(&a).await;
    let lb = lead(&b).await;
    let Some(pool) = app.okr.store().pg_pool() else {
        assert!(
            la.is_leader() && lb.is_leader(),
            "SQLite: every process leads"
        );
        return;
    };
    let sessions = || async {
        let mut pids: Vec<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'okrbot scheduler' \
             AND datname = current_database()",
        )
        .fetch_all(pool)
        .await
        .expect("pg_stat_activity");
        pids.sort_unstable();
        pids
    };
    let before = sessions().await;
    assert_eq!(
        before.len(),
        2,
        "the leader's session and the standby's: {before:?}"
    );
    tokio::time::sleep(POLL * 10).await;
    assert_eq!(
        sessions().await,
        before,
        "the same sessions after ten polls"
    );
    assert!(la.is_leader() && !lb.is_leader());
    // The standby still takes over when the leader's session ends.
    end_the_leaders_session(app.okr.store()).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while !lb.is_leader() {
        assert!(Instant::now() < deadline, "the standby did not take over");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
