//! Each member's own zone (`docs/schedules-and-delivery.md`, "Each member's own hours"): the
//! Monday prompt of a team of 1,000 owners, one key result each, decided in one fire
//! (`Scheduler::decide` after New York's 09:00).
//!
//! - `zones/prompt_1000_owners_one_zone`: everyone in the team's zone (Berlin): one round.
//! - `zones/prompt_1000_owners_three_zones`: a third each in Berlin, Tokyo and New York: three
//!   rounds, each over the owners whose clock shows 09:00 then. Three rounds must cost about one
//!   (target three / one <= 1.5); after the group an interleaved run prints the ratio.
//!
//! The ledger is emptied and the schedule made due again, untimed, before each decision.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use okrbot::config::Config;
use okrbot::scheduler::Scheduler;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr};
use okrbot::store::Store;
use tokio::runtime::Runtime;

mod common;
use common::{group_name, median, on_postgres, raw, runtime, verdict, Database};

const OWNERS: usize = 1_000;

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("valid instant")
        .to_utc()
}

/// The week before: the team, its cycle and its key results are made then.
fn set_up_at() -> DateTime<Utc> {
    instant("2026-11-16T12:00:00Z")
}

/// Monday 2026-11-23 15:00 UTC: after 09:00 in Tokyo, Berlin and New York.
fn decided_at() -> DateTime<Utc> {
    instant("2026-11-23T15:00:00Z")
}

struct Fixture {
    okr: Okr,
    scheduler: Scheduler,
    /// When the prompt schedule falls due: the earliest zone's 09:00.
    due: DateTime<Utc>,
    _db: Database,
}

impl Fixture {
    /// Team Growth in Berlin with [`OWNERS`] key results through the services, each of its own
    /// owner; with `zones`, a third of them in Tokyo and a third in New York.
    async fn new(file: &str, zones: bool) -> Fixture {
        let db = Database::new(file).await;
        let okr = Okr::new(
            Store::open(&db.url).await.expect("open store"),
            &Config::default(),
        );
        let at = set_up_at();
        let ws = okr
            .workspace("console:bench", "Bench", at)
            .await
            .expect("workspace");
        let admin = Actor {
            workspace: ws,
            user: "alice".into(),
            admin: true,
            roles: vec![],
        };
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
        okr.cycle_new(&admin, "2026-Q4", day("2026-10-01"), day("2026-12-31"), at)
            .await
            .expect("cycle");
        let setup = SetupInput {
            team: "Growth".into(),
            timezone: Some("Europe/Berlin".into()),
            channel: Some("growth".into()),
            prefix: Some("GRO".into()),
            leads: Some(vec!["alice".into()]),
        };
        okr.setup(&admin, setup, at).await.expect("team");
        let objective = okr
            .objective_add(
                &admin,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: "Reach every continent".into(),
                    ..ObjectiveInput::default()
                },
                at,
            )
            .await
            .expect("objective")
            .code;
        for n in 0..OWNERS {
            let input = KrInput {
                objective: objective.clone(),
                title: format!("Market number {n}"),
                kind: Some("metric".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(format!("owner-{n}")),
                ..KrInput::default()
            };
            okr.kr_add(&admin, input, at).await.expect("key result");
            if zones && n % 3 != 0 {
                let zone = if n % 3 == 1 {
                    "Asia/Tokyo"
                } else {
                    "America/New_York"
                };
                let owner = format!("owner-{n}");
                okr.member(&admin, Some(&owner), Some(zone), at)
                    .await
                    .expect("a zone");
            }
        }
        if let Some(pool) = okr.store().pg_pool() {
            sqlx::query("VACUUM ANALYZE")
                .execute(pool)
                .await
                .expect("VACUUM ANALYZE");
        }
        let due = instant(if zones {
            "2026-11-23T00:00:00Z"
        } else {
            "2026-11-23T08:00:00Z"
        });
        Fixture {
            scheduler: Scheduler::new(okr.clone()),
            okr,
            due,
            _db: db,
        }
    }

    /// One timed decision of the whole Monday prompt.
    fn timed_prompt(&self, rt: &Runtime) -> StdDuration {
        rt.block_on(async {
            raw!(self.okr.store(), |pool| {
                let mut tx = pool.begin().await.expect("begin");
                for q in [
                    "DELETE FROM deliveries",
                    "UPDATE key_results SET ignored_prompts = 0",
                ] {
                    sqlx::query(q).execute(&mut *tx).await.expect("reset");
                }
                // Only the prompt is due: the other schedules wait past the decision.
                sqlx::query(
                    "UPDATE schedules SET next_due_at = CASE WHEN kind = 'prompt' THEN $1 ELSE $2 END",
                )
                .bind(self.due.timestamp())
                .bind((decided_at() + Duration::days(1)).timestamp())
                .execute(&mut *tx)
                .await
                .expect("the prompt due");
                tx.commit().await.expect("commit");
            })
        });
        let t = Instant::now();
        let report = rt
            .block_on(self.scheduler.decide(decided_at()))
            .expect("decide");
        let spent = t.elapsed();
        assert_eq!(report.prompts, OWNERS, "{report:?}");
        spent
    }
}

fn bench_zones(c: &mut Criterion) {
    let rt = runtime();
    let started = Instant::now();
    let one = rt.block_on(Fixture::new("zones-one.db", false));
    let three = rt.block_on(Fixture::new("zones-three.db", true));
    eprintln!(
        "{}: two teams of {OWNERS} owners made in {:?} ({})",
        group_name("zones"),
        started.elapsed(),
        if on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let mut group = c.benchmark_group(group_name("zones"));
    group.sample_size(10);
    for (name, f) in [("one_zone", &one), ("three_zones", &three)] {
        group.bench_function(format!("prompt_1000_owners_{name}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| f.timed_prompt(&rt)).sum())
        });
    }
    group.finish();
    let rounds = 15;
    let (mut o, mut t) = (vec![], vec![]);
    for _ in 0..rounds {
        o.push(one.timed_prompt(&rt));
        t.push(three.timed_prompt(&rt));
    }
    let (o, t) = (median(o), median(t));
    let ratio = t.as_secs_f64() / o.as_secs_f64();
    eprintln!(
        "{} ratio (median of {rounds} interleaved Monday prompts of {OWNERS} owners): three \
         zones {t:?} / one zone {o:?} = {ratio:.2} (target <= 1.5: {})",
        group_name("zones"),
        verdict(ratio <= 1.5)
    );
    rt.block_on(one.okr.store().close());
    rt.block_on(three.okr.store().close());
}

criterion_group!(benches, bench_zones);
criterion_main!(benches);
