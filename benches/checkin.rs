//! The check-in write path against the floor set by the database itself.
//!
//! `okrbot_check_in` is a whole `/okr update` line: parse, look the KR up with its team and
//! cycle, check rights and value, read the history, insert the check-in, update the KR and
//! rescore, in one write transaction. `bare_sqlite_txn` (`bare_postgres_txn` on PostgreSQL,
//! `common` says how to choose) is the least any check-in must do: the same insert and update in
//! the same kind of transaction, on the same database and schema, through the same pool. Both run
//! in one group so their ratio is read off one run on one disk (the target is okrbot <= 2x bare);
//! after the group an interleaved run prints it.
//!
//! The same interleaved run times a line typed into `okrbot console` (the check-in and the
//! console's look at what is owed after it) against the check-in alone: target <= 2.
//!
//! `checkin_history` is the same `/okr update` on a key result with 10 and with 10,000 check-ins
//! already inside its running cycle (a KPI-fed key result reads every few minutes), beside the
//! same bare transaction. A check-in must cost the same whatever the history (the target is
//! 10,000 / 10 <= 1.2); after the group an interleaved run prints both ratios.

use std::cell::Cell;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use okrbot::config::Config;
use okrbot::domain::model::CheckInSource;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr};
use okrbot::store::Store;
use tokio::runtime::Runtime;

mod common;
use common::{begin_write, group_name, median, pick, raw, runtime, verdict, Database};

/// Enough KRs that rotating through them spreads the history like a real team's quarter.
const KRS: usize = 20;

struct Fixture {
    okr: Okr,
    actor: Actor,
    /// `(id, number)` of each KR: the bare path writes by id, the okrbot path names the code.
    krs: Vec<(i64, i64)>,
    start: DateTime<Utc>,
    /// Kept so the database outlives the benchmark; dropped (deleted) at the end.
    _db: Database,
}

/// A team with one objective of `KRS` metric key results in an open cycle around `now`, made
/// through the services exactly as a user would.
async fn fixture(rt_now: DateTime<Utc>) -> Fixture {
    let db = Database::new("bench.db").await;
    let store = Store::open(&db.url).await.expect("open store");
    let okr = Okr::new(store, &Config::default());
    let ws = okr
        .workspace("console:bench", "Bench", rt_now)
        .await
        .expect("workspace");
    let actor = Actor {
        workspace: ws,
        user: "alice".into(),
        admin: true,
        roles: vec![],
    };
    let setup = SetupInput {
        team: "Growth".into(),
        timezone: Some("Europe/Berlin".into()),
        prefix: Some("GRO".into()),
        ..SetupInput::default()
    };
    okr.setup(&actor, setup, rt_now).await.expect("team");
    let today = rt_now.date_naive();
    // The seeded quarter of history must fall inside the cycle the forecast reads.
    let (start, end) = (today - Duration::days(100), today + Duration::days(60));
    okr.cycle_new(&actor, "2026-Q4", start, end, rt_now)
        .await
        .expect("cycle");
    let objective = ObjectiveInput {
        team: "Growth".into(),
        title: "Make onboarding effortless".into(),
        ..ObjectiveInput::default()
    };
    let objective = okr
        .objective_add(&actor, objective, rt_now)
        .await
        .expect("objective");
    let mut krs = Vec::with_capacity(KRS);
    for n in 0..KRS {
        let input = KrInput {
            objective: objective.code.clone(),
            title: format!("Grow weekly active teams, segment {n}"),
            kind: Some("metric".into()),
            start: Some("0".into()),
            target: Some("1000".into()),
            ..KrInput::default()
        };
        let kr = okr.kr_add(&actor, input, rt_now).await.expect("key result");
        krs.push((kr.id.0, kr.number));
    }
    Fixture {
        okr,
        actor,
        krs,
        start: rt_now,
        _db: db,
    }
}

/// The bare floor: one check-in row and the KR's new state, nothing read, nothing decided.
async fn bare_check_in(f: &Fixture, kr: i64, value: f64, now: DateTime<Utc>) {
    let ws = f.actor.workspace.0;
    raw!(f.okr.store(), |pool| {
        let mut tx = pool.begin_with(begin_write()).await.expect("begin");
        sqlx::query(
            "INSERT INTO check_ins (workspace_id, kr_id, author, value, confidence, note, \
             source, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(ws)
        .bind(kr)
        .bind(f.actor.user.as_str())
        .bind(value)
        .bind(8_i64)
        .bind("steady")
        .bind(CheckInSource::Text.as_str())
        .bind(None::<&str>)
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("insert");
        sqlx::query(
            "UPDATE key_results SET current = $1, confidence = $2, last_check_in_at = $3 \
             WHERE workspace_id = $4 AND id = $5",
        )
        .bind(value)
        .bind(8_i64)
        .bind(now)
        .bind(ws)
        .bind(kr)
        .execute(&mut *tx)
        .await
        .expect("update");
        tx.commit().await.expect("commit");
    })
}

/// The floor's benchmark id: the backend it is the floor of.
fn bare_txn() -> &'static str {
    pick("bare_sqlite_txn", "bare_postgres_txn")
}

/// Thirteen weekly check-ins per KR, the weeks before the benchmark's instant.
async fn seed_history(f: &Fixture) {
    for &(id, _) in &f.krs {
        for week in 1..=13 {
            bare_check_in(
                f,
                id,
                f64::from(week) * 20.0,
                f.start - Duration::weeks(14 - i64::from(week)),
            )
            .await;
        }
    }
}

/// Removes the newest check-in, untimed, so the next measurement sees the same history.
async fn forget_last(f: &Fixture) {
    raw!(f.okr.store(), |pool| sqlx::query(
        "DELETE FROM check_ins WHERE id = (SELECT max(id) FROM check_ins)"
    )
    .execute(pool)
    .await
    .map(drop))
    .expect("delete");
}

fn bench_checkin(c: &mut Criterion) {
    let rt = runtime();
    let now = DateTime::parse_from_rfc3339("2026-11-15T10:00:00Z")
        .expect("valid instant")
        .to_utc();
    let f = rt.block_on(fixture(now));
    // One clock and one counter for both functions: every check-in lands a second after the
    // previous one, and the KR and value rotate, so neither path writes the same row twice.
    let tick = Cell::new(0_i64);
    let next = || {
        let i = tick.get() + 1;
        tick.set(i);
        let (id, number) = f.krs[i as usize % KRS];
        let value = (i % 1000) as f64;
        (id, number, value, f.start + Duration::seconds(i))
    };

    // Each KR starts with a quarter's worth of weekly history, and every measured check-in is
    // deleted again outside the timed region: the history the path reads stays at a real
    // team's size however many iterations criterion picks.
    rt.block_on(seed_history(&f));
    let mut group = c.benchmark_group(group_name("checkin"));
    group.bench_function("okrbot_check_in", |b| {
        b.iter_custom(|iters| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iters {
                let (_, number, value, at) = next();
                let line = format!("GRO-1.{number} {value} c8 steady");
                let t = std::time::Instant::now();
                rt.block_on(
                    f.okr
                        .check_in_text(&f.actor, &line, CheckInSource::Text, None, at),
                )
                .expect("check-in");
                spent += t.elapsed();
                rt.block_on(forget_last(&f));
            }
            spent
        })
    });
    group.bench_function(bare_txn(), |b| {
        b.iter_custom(|iters| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iters {
                let (id, _, value, at) = next();
                let t = std::time::Instant::now();
                rt.block_on(bare_check_in(&f, id, value, at));
                spent += t.elapsed();
                rt.block_on(forget_last(&f));
            }
            spent
        })
    });
    group.finish();

    // The ratio off one interleaved run, so both paths see the same disk and the same load.
    let rounds = 400;
    let (mut o, mut b, mut con) = (vec![], vec![], vec![]);
    for round in 0..rounds {
        let (_, number, value, at) = next();
        o.push(timed_check_in(&rt, &f, number, value, at));
        let (id, _, value, at) = next();
        b.push(timed_bare(&rt, &f, id, value, at));
        if round % 20 == 0 {
            let (_, number, value, at) = next();
            con.push(timed_console_line(&rt, &f, number, value, at));
        }
    }
    let (o, b, con) = (median(o), median(b), median(con));
    let console_ratio = con.as_secs_f64() / o.as_secs_f64();
    eprintln!(
        "{} console line (median of {} sessions of {CONSOLE_LINES} lines): {con:?} / okrbot \
         check-in {o:?} = {console_ratio:.2} (target <= 2: {})",
        group_name("checkin"),
        rounds / 20,
        verdict(console_ratio <= 2.0)
    );
    let ratio = o.as_secs_f64() / b.as_secs_f64();
    eprintln!(
        "{} ratio (median of {rounds} interleaved rounds): okrbot {o:?} / {} {b:?} = {ratio:.2} \
         (target <= 2: {})",
        group_name("checkin"),
        bare_txn(),
        verdict(ratio <= 2.0)
    );

    let count: i64 = rt
        .block_on(async {
            raw!(f.okr.store(), |pool| sqlx::query_scalar(
                "SELECT count(*) FROM check_ins"
            )
            .fetch_one(pool)
            .await)
        })
        .expect("count");
    eprintln!(
        "{}: {count} check-ins over {KRS} KRs (13 weeks each) at the end of the run",
        group_name("checkin")
    );
    rt.block_on(f.okr.store().close());
}

/// `points` check-ins on the KR `id`, spread evenly over the 99 days of the cycle before
/// `f.start` and rising from 0 to 620, in one transaction (10,000 transactions would take longer than the benchmark).
async fn seed_points(f: &Fixture, id: i64, points: i64) {
    let span = Duration::days(99).num_seconds();
    raw!(f.okr.store(), |pool| {
        let mut tx = pool.begin_with(begin_write()).await.expect("begin");
        for n in 0..points {
            let at = f.start - Duration::seconds(span - span * n / points);
            sqlx::query(
                "INSERT INTO check_ins (workspace_id, kr_id, author, value, confidence, note, \
                 source, idempotency_key, created_at) \
                 VALUES ($1, $2, $3, $4, 8, NULL, 'kpi-sync', NULL, $5)",
            )
            .bind(f.actor.workspace.0)
            .bind(id)
            .bind(f.actor.user.as_str())
            .bind((n * 620 / points) as f64)
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("insert");
        }
        tx.commit().await.expect("commit");
    })
}

/// One timed `/okr update` on `GRO-1.<number>`, deleted again untimed.
fn timed_check_in(
    rt: &Runtime,
    f: &Fixture,
    number: i64,
    value: f64,
    at: DateTime<Utc>,
) -> StdDuration {
    let line = format!("GRO-1.{number} {value} c8 steady");
    let t = Instant::now();
    rt.block_on(
        f.okr
            .check_in_text(&f.actor, &line, CheckInSource::Text, None, at),
    )
    .expect("check-in");
    let spent = t.elapsed();
    rt.block_on(forget_last(f));
    spent
}

/// Lines of one timed console session: its opening look at what is owed is shared among them.
const CONSOLE_LINES: usize = 20;

/// One `/okr update` typed into `okrbot console`, timed as a session of [`CONSOLE_LINES`] of
/// them divided by their number: each is the check-in and the console's look at what is owed
/// after it (a tick only when something is due). Its check-ins are deleted again untimed.
fn timed_console_line(
    rt: &Runtime,
    f: &Fixture,
    first: i64,
    value: f64,
    at: DateTime<Utc>,
) -> StdDuration {
    let clock = okrbot::clock::ManualClock::new(at);
    let script: String = (0..CONSOLE_LINES as i64)
        .map(|i| {
            let number = (first + i) % KRS as i64 + 1;
            format!("/okr update GRO-1.{number} {value} c8 steady\n")
        })
        .collect();
    let mut out = Vec::new();
    let t = Instant::now();
    rt.block_on(async {
        let mut console =
            okrbot::console::Console::new(&f.okr, f.actor.clone(), &clock, Some(&clock));
        console
            .run(script.as_bytes(), &mut out)
            .await
            .expect("the session")
    });
    let spent = t.elapsed() / CONSOLE_LINES as u32;
    let said = String::from_utf8_lossy(&out);
    assert_eq!(said.matches("❌").count(), 0, "{said}");
    for _ in 0..CONSOLE_LINES {
        rt.block_on(forget_last(f));
    }
    spent
}

/// One timed bare transaction on the KR `id`, deleted again untimed.
fn timed_bare(rt: &Runtime, f: &Fixture, id: i64, value: f64, at: DateTime<Utc>) -> StdDuration {
    let t = Instant::now();
    rt.block_on(bare_check_in(f, id, value, at));
    let spent = t.elapsed();
    rt.block_on(forget_last(f));
    spent
}

fn bench_history(c: &mut Criterion) {
    let rt = runtime();
    let now = DateTime::parse_from_rfc3339("2026-11-15T10:00:00Z")
        .expect("valid instant")
        .to_utc();
    let f = rt.block_on(fixture(now));
    // KR 1 gets a short history, KR 2 a long one; KR 3 takes the bare transactions.
    let (short, long, bare) = (f.krs[0], f.krs[1], f.krs[2]);
    rt.block_on(seed_points(&f, short.0, 10));
    rt.block_on(seed_points(&f, long.0, 10_000));
    // Values on pace with the seeded history (620 of 1,000 at 62% of the cycle): the key result
    // stays green, so no iteration opens or resolves an alert and each does the same work.
    let tick = Cell::new(0_i64);
    let next = || {
        let i = tick.get() + 1;
        tick.set(i);
        ((620 + i % 60) as f64, f.start + Duration::seconds(i))
    };

    let mut group = c.benchmark_group(group_name("checkin_history"));
    for (name, (_, number)) in [("10_points", short), ("10000_points", long)] {
        group.bench_function(format!("okrbot_check_in_{name}"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let (value, at) = next();
                        timed_check_in(&rt, &f, number, value, at)
                    })
                    .sum()
            })
        });
    }
    group.bench_function(bare_txn(), |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let (value, at) = next();
                    timed_bare(&rt, &f, bare.0, value, at)
                })
                .sum()
        })
    });
    group.finish();

    // The ratios off one interleaved run, so every path sees the same disk and the same load.
    let rounds = 400;
    let (mut s, mut l, mut b) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        let (value, at) = next();
        s.push(timed_check_in(&rt, &f, short.1, value, at));
        let (value, at) = next();
        l.push(timed_check_in(&rt, &f, long.1, value, at));
        let (value, at) = next();
        b.push(timed_bare(&rt, &f, bare.0, value, at));
    }
    let (s, l, b) = (median(s), median(l), median(b));
    let history = l.as_secs_f64() / s.as_secs_f64();
    let floor = l.as_secs_f64() / b.as_secs_f64();
    eprintln!(
        "{} ratio (median of {rounds} interleaved rounds): 10,000 points {l:?} / \
         10 points {s:?} = {history:.2} (target <= 1.2: {}); 10,000 points / bare {b:?} = \
         {floor:.2} (target <= 2: {})",
        group_name("checkin_history"),
        verdict(history <= 1.2),
        verdict(floor <= 2.0)
    );
    rt.block_on(f.okr.store().close());
}

criterion_group!(benches, bench_checkin, bench_history);
criterion_main!(benches);
