//! Exactly-once across a crash, with a real process: the `okrbot` binary is killed with SIGKILL
//! in the middle of a Monday fan-out to 500 owners, started again, and every owner ends up with
//! exactly one prompt. And a restart after downtime sends a missed prompt late only within the
//! 24-hour catch-up window; older slots are skipped.
//!
//! The data is made through the library (as a user would, with `/okr setup`, `/okr cycle new`,
//! `/okr objective add`, `/okr kr add`); the scheduler runs only in the child process, on a
//! simulated clock (`--now`), writing its deliveries to a file outbox.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::common::{at, date};
use chrono::{DateTime, Utc};
use okrbot::config::Config;
use okrbot::delivery::CHAT_STREAMS;
use okrbot::outbox::{DeliveryKind, FileLine};
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr};
use okrbot::store::Store;

/// Thursday before the Monday: the team is set up then, so its prompt schedule points at
/// Monday 09:00 Berlin.
fn setup_time() -> DateTime<Utc> {
    at("2026-11-19T10:00:00Z")
}

/// Monday 2026-11-23 09:00 in Europe/Berlin (CET, UTC+1): the prompt slot.
pub(crate) fn monday_prompt_slot() -> DateTime<Utc> {
    at("2026-11-23T08:00:00Z")
}

pub(crate) fn owner(n: usize) -> String {
    format!("owner-{n:03}")
}

/// One test's database and outbox file, in a directory deleted at the end.
pub(crate) struct World {
    dir: tempfile::TempDir,
    pub(crate) database_url: String,
}

impl World {
    fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox.jsonl")
    }

    fn log(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    async fn store(&self) -> Store {
        Store::open(&self.database_url)
            .await
            .expect("the database reopens")
    }
}

/// Team Growth in Europe/Berlin with a channel and a lead, set up on the Thursday before the
/// Monday; cycle 2026-Q4 around it; one objective; `owners` metric key results, each with its own
/// owner `owner-000`, `owner-001`, ... Nobody has checked in, so every owner is owed a prompt.
pub(crate) async fn team_with_owners(owners: usize) -> World {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
    let now = setup_time();
    let store = Store::open(&database_url)
        .await
        .expect("the database opens");
    let okr = Okr::new(store, &Config::default());
    let workspace = okr
        .workspace("console:acme", "acme", now)
        .await
        .expect("workspace acme");
    let admin = Actor {
        workspace,
        user: "root".into(),
        admin: true,
        roles: vec![],
    };
    okr.setup(
        &admin,
        SetupInput {
            team: "Growth".into(),
            timezone: Some("Europe/Berlin".into()),
            channel: Some("growth".into()),
            prefix: Some("GRO".into()),
            leads: Some(vec!["lead".into()]),
        },
        now,
    )
    .await
    .expect("setup Growth");
    okr.cycle_new(
        &admin,
        "2026-Q4",
        date("2026-10-01"),
        date("2026-12-31"),
        now,
    )
    .await
    .expect("cycle 2026-Q4");
    let objective = okr
        .objective_add(
            &admin,
            ObjectiveInput {
                team: "Growth".into(),
                title: "Every customer hears from us weekly".into(),
                ..ObjectiveInput::default()
            },
            now,
        )
        .await
        .expect("objective GRO-1");
    let started = Instant::now();
    for n in 0..owners {
        okr.kr_add(
            &admin,
            KrInput {
                objective: objective.code.clone(),
                title: format!("Calls made by {}", owner(n)),
                kind: Some("metric".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(owner(n)),
                ..KrInput::default()
            },
            now,
        )
        .await
        .expect("key result");
    }
    eprintln!("{owners} key results added in {:?}", started.elapsed());

    let prompt_due: i64 = crate::backend::raw!(okr.store(), |db| sqlx::query_scalar(
        "SELECT next_due_at FROM schedules WHERE kind = 'prompt'"
    )
    .fetch_one(db)
    .await)
    .expect("the prompt schedule");
    assert_eq!(
        prompt_due,
        monday_prompt_slot().timestamp(),
        "setup installs the prompt for Monday 09:00 Berlin"
    );
    okr.store().close().await;
    World { dir, database_url }
}

/// `okrbot schedule run --now <now> --once --outbox-file <file> --pace-ms <pace>` on the world's
/// database, as a real child process. It runs in the temporary directory, so no configuration
/// file of the checkout leaks in; stderr goes to a file, shown when something fails.
fn start_okrbot(world: &World, now: DateTime<Utc>, pace_ms: u64, log: &str) -> Child {
    schedule_once(world, now, log)
        .args(["--pace-ms", &pace_ms.to_string()])
        .spawn()
        .expect("okrbot starts")
}

/// The command line of [`start_okrbot`], not yet started, for a test to add to.
fn schedule_once(world: &World, now: DateTime<Utc>, log: &str) -> Command {
    let log = std::fs::File::create(world.log(log)).expect("a log file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_okrbot"));
    command
        .args(["schedule", "run", "--once", "--now", &now.to_rfc3339()])
        .arg("--outbox-file")
        .arg(world.outbox())
        .env("OKRBOT_DATABASE_URL", &world.database_url)
        .env("OKRBOT_LOG", "warn")
        .current_dir(world.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    command
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for okrbot") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("okrbot did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs the binary to completion and insists it succeeded.
fn run_okrbot(world: &World, now: DateTime<Utc>, log: &str) {
    let mut child = start_okrbot(world, now, 0, log);
    let status = wait_with_timeout(&mut child, Duration::from_secs(120));
    assert!(
        status.success(),
        "okrbot schedule run --now {now} failed ({status}):\n{}",
        std::fs::read_to_string(world.log(log)).unwrap_or_default()
    );
}

/// Complete lines in the outbox file (a missing file has none).
fn line_count(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Every line of the outbox file, each of which must be a whole JSON [`FileLine`].
fn outbox_lines(path: &Path) -> Vec<FileLine> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return vec![],
        Err(e) => panic!("reading {}: {e}", path.display()),
    };
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("outbox line {} is not a delivery ({e}): {l}", i + 1))
        })
        .collect()
}

fn prompts(lines: &[FileLine]) -> Vec<&FileLine> {
    lines
        .iter()
        .filter(|l| l.kind == DeliveryKind::Prompt)
        .collect()
}

/// How many prompt rows the ledger holds in each state.
async fn prompt_ledger(store: &Store) -> HashMap<String, i64> {
    let rows: Vec<(String, i64)> = crate::backend::raw!(store, |db| sqlx::query_as(
        "SELECT state, count(*) FROM deliveries WHERE kind = 'prompt' GROUP BY state",
    )
    .fetch_all(db)
    .await)
    .expect("the ledger");
    rows.into_iter().collect()
}

const OWNERS: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_bot_mid_fan_out_and_restarting_gives_every_owner_exactly_one_prompt() {
    let world = team_with_owners(OWNERS).await;
    let now = monday_prompt_slot() + chrono::Duration::seconds(30);

    // First run, paced at 5 ms a message like a rate-limited platform, so the fan-out takes
    // a few seconds and the kill lands in the middle of it.
    let mut child = start_okrbot(&world, now, 5, "first.log");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let sent = line_count(&world.outbox());
        if sent >= 100 {
            break;
        }
        if let Some(status) = child.try_wait().expect("poll okrbot") {
            panic!(
                "okrbot exited ({status}) after {sent} lines, before it could be killed:\n{}",
                std::fs::read_to_string(world.log("first.log")).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "okrbot sent only {sent} lines");
        std::thread::sleep(Duration::from_millis(2));
    }
    // `Child::kill` is SIGKILL on Unix: no destructor, no flush, no signal handler runs.
    child.kill().expect("kill -9 okrbot");
    let status = child.wait().expect("reap okrbot");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "okrbot died of SIGKILL ({status})"
        );
    }
    assert!(!status.success());

    let before = outbox_lines(&world.outbox());
    let prompts_before = prompts(&before).len();
    assert!(
        (100..OWNERS).contains(&prompts_before),
        "the kill landed mid fan-out: {prompts_before} of {OWNERS} prompts were out"
    );
    // What the ledger knew when the process died: every prompt decided (the decision and the
    // schedule's move are one transaction), some marked sent. The scheduler has at most
    // CHAT_STREAMS deliveries in flight and marks each right after the outbox confirms, so at
    // most that many prompts can be in the file but not yet marked sent: those the kill caught
    // between the two.
    let store = world.store().await;
    let ledger = prompt_ledger(&store).await;
    store.close().await;
    let marked = ledger.get("sent").copied().unwrap_or(0) as usize;
    assert_eq!(
        ledger.values().sum::<i64>(),
        OWNERS as i64,
        "all {OWNERS} prompts were decided before any went out: {ledger:?}"
    );
    assert!(
        marked <= prompts_before && prompts_before - marked <= CHAT_STREAMS,
        "{prompts_before} prompts in the outbox but {marked} marked sent"
    );
    eprintln!(
        "killed after {prompts_before} prompts; {marked} marked sent{}",
        if marked < prompts_before {
            " (the kill fell between a send and its mark: the restart resends those)"
        } else {
            ""
        }
    );

    // Restart at once, unpaced: the rows the killed process held stay claimed (their holder may
    // as well be a live process still sending them), so they are not sent now; everything else
    // owed goes out.
    run_okrbot(&world, now, "restart.log");
    let store = world.store().await;
    let held: i64 = crate::backend::raw!(store, |db| {
        sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE kind = 'prompt' AND state = 'pending' AND claimed",
    )
    .fetch_one(db).await
    })
    .expect("claimed rows");
    store.close().await;
    assert!(
        (held as usize) <= CHAT_STREAMS,
        "at most the rows in flight stay held: {held}"
    );
    let lines = outbox_lines(&world.outbox());
    let ids: HashSet<i64> = lines.iter().map(|l| l.id).collect();
    assert_eq!(ids.len(), lines.len(), "no delivery id is written twice");

    // Restart once the claims have run out. Why this cannot duplicate: a delivery written to
    // the outbox but not yet marked sent is still `pending` in the ledger, so the restarted
    // scheduler hands it to the outbox again with the same delivery id. The id is the nonce: the file outbox reads the ids
    // already written when it opens and ignores a repeat, as Discord does for a message sent with
    // `enforce_nonce`, and answers Ok, so the row is marked sent and nothing is written twice.
    // Nothing is decided twice either: the prompt schedule moved past Monday in the same
    // transaction that recorded the 500 prompts, and the ledger's unique (team, kind, recipient,
    // slot) key would refuse a second decision anyway.
    run_okrbot(&world, now + okrbot::delivery::CLAIM, "restart-later.log");

    let lines = outbox_lines(&world.outbox());
    let ids: HashSet<i64> = lines.iter().map(|l| l.id).collect();
    assert_eq!(ids.len(), lines.len(), "no delivery id is written twice");
    let prompts = prompts(&lines);
    assert_eq!(prompts.len(), OWNERS, "exactly one prompt per owner");
    let mut per_owner: HashMap<&str, usize> = HashMap::new();
    for p in &prompts {
        *per_owner.entry(p.recipient.as_str()).or_default() += 1;
    }
    for n in 0..OWNERS {
        let who = format!("user:{}", owner(n));
        assert_eq!(
            per_owner.get(who.as_str()).copied(),
            Some(1),
            "{who} got exactly one prompt"
        );
    }
    assert_eq!(per_owner.len(), OWNERS, "nobody else was prompted");
    assert!(
        prompts.iter().all(|p| p.slot == monday_prompt_slot()),
        "every prompt belongs to the Monday 09:00 slot"
    );

    let store = world.store().await;
    let ledger = prompt_ledger(&store).await;
    store.close().await;
    assert_eq!(
        ledger,
        HashMap::from([("sent".to_owned(), OWNERS as i64)]),
        "the ledger holds {OWNERS} prompts, all sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_missed_by_more_than_a_day_is_skipped_and_one_missed_by_hours_is_sent_once() {
    const FEW: usize = 5;

    // Down from before Monday 09:00 until Tuesday 10:00 Berlin: 25 hours late, skipped.
    let late = team_with_owners(FEW).await;
    let tuesday = at("2026-11-24T09:00:00Z");
    assert_eq!(tuesday - monday_prompt_slot(), chrono::Duration::hours(25));
    run_okrbot(&late, tuesday, "tuesday.log");
    run_okrbot(
        &late,
        tuesday + chrono::Duration::minutes(5),
        "tuesday-again.log",
    );
    let lines = outbox_lines(&late.outbox());
    assert!(
        prompts(&lines).is_empty(),
        "a slot older than 24 hours is not sent late: {:?}",
        prompts(&lines)
            .iter()
            .map(|p| &p.recipient)
            .collect::<Vec<_>>()
    );
    let store = late.store().await;
    assert!(
        prompt_ledger(&store).await.is_empty(),
        "nor is it recorded as owed"
    );
    let next: i64 = crate::backend::raw!(store, |db| sqlx::query_scalar(
        "SELECT next_due_at FROM schedules WHERE kind = 'prompt'"
    )
    .fetch_one(db)
    .await)
    .expect("the prompt schedule");
    store.close().await;
    assert_eq!(
        next,
        at("2026-11-30T08:00:00Z").timestamp(),
        "the schedule moved on to next Monday 09:00"
    );

    // Down until Monday 20:00 Berlin: 11 hours late, within the window: sent, once, for the
    // Monday slot, however often the bot is restarted.
    let hours = team_with_owners(FEW).await;
    let evening = at("2026-11-23T19:00:00Z");
    run_okrbot(&hours, evening, "evening.log");
    run_okrbot(
        &hours,
        evening + chrono::Duration::minutes(5),
        "evening-again.log",
    );
    let lines = outbox_lines(&hours.outbox());
    let prompts = prompts(&lines);
    let recipients: HashSet<String> = prompts.iter().map(|p| p.recipient.clone()).collect();
    let owners: HashSet<String> = (0..FEW).map(|n| format!("user:{}", owner(n))).collect();
    assert_eq!(prompts.len(), FEW, "one prompt per owner");
    assert_eq!(recipients, owners, "each owner, once");
    assert!(prompts.iter().all(|p| p.slot == monday_prompt_slot()));
    let store = hours.store().await;
    assert_eq!(
        prompt_ledger(&store).await,
        HashMap::from([("sent".to_owned(), FEW as i64)])
    );
    store.close().await;
}

/// A webhook receiver on 127.0.0.1 that answers each post after `delay` and keeps the
/// `X-Okrbot-Delivery` id of every post it was sent, answered or not.
async fn slow_receiver(delay: Duration) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::routing::post;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap| {
            let kept = kept.clone();
            async move {
                let id = headers
                    .get("x-okrbot-delivery")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("none")
                    .to_owned();
                kept.lock().unwrap().push(id);
                tokio::time::sleep(delay).await;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// kill -9 while a webhook takes its time to answer, then a restart at once: the restart leaves
/// the row the killed process held alone (its holder could as well be alive and sending), so
/// the receiver sees its id once; only after the claim runs out is it posted again, under the
/// same id, for the receiver to drop. Every start used to free every claim, and the restart
/// posted it a second time with nothing to tell the two apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_scheduler_while_a_webhook_answers_sends_its_post_once_until_the_claim_runs_out(
) {
    let world = team_with_owners(1).await;
    let now = monday_prompt_slot() + chrono::Duration::hours(2);
    let (url, seen) = slow_receiver(Duration::from_secs(30)).await;
    {
        let store = world.store().await;
        let mut config = Config::default();
        config.http_sources.allow_private = true;
        let okr = Okr::new(store, &config);
        let workspace = okr
            .workspace("console:acme", "acme", now)
            .await
            .expect("workspace acme");
        let admin = Actor {
            workspace,
            user: "root".into(),
            admin: true,
            roles: vec![],
        };
        okr.webhook_add(&admin, "Growth", "slack", &url, now)
            .await
            .expect("webhook added");
        okr.digest_now(&admin, "Growth", now)
            .await
            .expect("a digest owed to the channel and the webhook");
        okr.store().close().await;
    }
    let start = |log: &str, at: DateTime<Utc>| {
        schedule_once(&world, at, log)
            .env("OKRBOT_HTTP_SOURCES__ALLOW_PRIVATE", "true")
            .spawn()
            .expect("okrbot starts")
    };
    let posts = || seen.lock().unwrap().clone();
    let wait_for_posts = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while posts().len() < n {
            assert!(
                Instant::now() < deadline,
                "{} posts, not {n}",
                posts().len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    let mut first = start("first.log", now);
    wait_for_posts(1);
    first.kill().expect("kill -9 okrbot");
    first.wait().expect("reap okrbot");
    let id = posts()[0].clone();
    assert_ne!(id, "none", "the post carries its delivery id");

    // Restart at once, as a service manager does.
    let mut second = start("second.log", now);
    let status = wait_with_timeout(&mut second, Duration::from_secs(60));
    assert!(status.success(), "{status}");
    // Other rows owed to the webhook go out; the held one does not.
    let after_restart = posts();
    assert_eq!(
        after_restart.iter().filter(|p| **p == id).count(),
        1,
        "the held row was posted once: {after_restart:?}"
    );
    let distinct: HashSet<&String> = after_restart.iter().collect();
    assert_eq!(
        distinct.len(),
        after_restart.len(),
        "no id twice: {after_restart:?}"
    );

    // Once the claim has run out the row goes again, under the same id.
    let mut third = start("third.log", now + okrbot::delivery::CLAIM);
    wait_for_posts(after_restart.len() + 1);
    let _ = third.kill();
    let _ = third.wait();
    assert_eq!(
        posts()[after_restart.len()],
        id,
        "the resend carries the same id"
    );
}
