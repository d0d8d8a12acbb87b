//! KPIs on their hot paths (`docs/kpis.md`).
//!
//! - `kpi_reading/okrbot_set_<n>_readings`: a whole `/kpi set` (find the KPI, check rights and
//!   the value, append the reading, move the row, decide the alert, in one transaction) on a KPI
//!   with 10 and with 10,000 readings of history. A reading must cost the same whatever the
//!   history (the target is 10,000 / 10 <= 1.2); an interleaved run prints the ratio.
//! - `kpi_tick/idle_<n>_kpis`: one scheduler tick when no source is due, in a workspace of 10 and
//!   of 10,000 KPIs with hourly HTTP sources; `kpi_tick/one_due_<n>_kpis` the same tick with one
//!   source due, read from a local HTTP server on 127.0.0.1. Due sources are found through the
//!   index on their next due time, so the sizes should cost the same (target 10,000 / 10 <= 1.5;
//!   the interleaved ratios are printed).
//! - `kpi_digest/build_render_50_kpis`: `service::digest::build` + `render::digest::message`
//!   for a team with 50 KPIs beside 20 key results, its `TeamState` loaded once (target < 5 ms).
//!
//! The KPIs acted on are made through the services as a user would; the thousands of others
//! are inserted with SQL in one transaction.

use std::cell::Cell;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use okrbot::config::Config;
use okrbot::domain::model::WorkspaceId;
use okrbot::outbox::RecordingOutbox;
use okrbot::scheduler::Scheduler;
use okrbot::service::kpis::KpiInput;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::team_state::TeamState;
use okrbot::service::{digest, Actor, Okr};
use okrbot::store::Store;
use tokio::runtime::Runtime;

mod common;
use common::{group_name, median, raw, runtime, series, verdict, Database};

/// Thursday mid-quarter, half past the hour: no team schedule and no hourly source is due.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-19T10:30:00Z")
        .expect("valid instant")
        .to_utc()
}

fn date(ymd: &str) -> NaiveDate {
    NaiveDate::parse_from_str(ymd, "%Y-%m-%d").expect("valid date")
}

/// A store with one workspace, its admin alice, team Growth (Europe/Berlin, lead alice) and
/// the cycle 2026-Q4, in a database of its own (`name` is the SQLite file's). Sources may reach
/// 127.0.0.1, where the bench serves them.
async fn workspace(name: &str) -> (Okr, Actor, Database) {
    let db = Database::new(name).await;
    let store = Store::open(&db.url).await.expect("open store");
    let mut config = Config::default();
    config.http_sources.allow_private = true;
    let okr = Okr::new(store, &config);
    let ws = okr
        .workspace("console:bench", "Bench", now())
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
        channel: Some("growth".into()),
        prefix: Some("GRO".into()),
        leads: Some(vec!["alice".into()]),
    };
    okr.setup(&actor, setup, now() - Duration::days(30))
        .await
        .expect("team");
    okr.cycle_new(
        &actor,
        "2026-Q4",
        date("2026-10-01"),
        date("2026-12-31"),
        now() - Duration::days(30),
    )
    .await
    .expect("cycle");
    (okr, actor, db)
}

/// `/kpi add` of a percent KPI healthy at 7% and above.
async fn add_kpi(okr: &Okr, actor: &Actor, name: &str) {
    let input = KpiInput {
        team: "Growth".into(),
        name: name.into(),
        unit: Some("percent".into()),
        direction: Some("higher".into()),
        min: Some("7".into()),
        owner: Some("alice".into()),
        ..Default::default()
    };
    okr.kpi_add(actor, input, now() - Duration::days(30))
        .await
        .expect("KPI added");
}

/// `count` readings of the KPI `name` by SQL, spread over the 30 days before `now`, all in range.
async fn seed_readings(okr: &Okr, ws: WorkspaceId, name: &str, count: i64) {
    let span = Duration::days(30).num_seconds();
    raw!(okr.store(), |pool| {
        let mut tx = pool.begin().await.expect("begin");
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM kpis WHERE workspace_id = $1 AND name = $2")
                .bind(ws.0)
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .expect("the KPI");
        for n in 0..count {
            let at = now() - Duration::seconds(span - span * n / count);
            sqlx::query(
                "INSERT INTO kpi_readings (workspace_id, kpi_id, value, source, author, \
                 created_at) VALUES ($1, $2, $3, 'http', 'http source', $4)",
            )
            .bind(ws.0)
            .bind(id)
            .bind(8.0 + (n % 10) as f64 / 10.0)
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("reading");
        }
        tx.commit().await.expect("commit");
    })
}

/// Deletes the newest reading of every KPI's history (what one timed `/kpi set` added).
async fn forget_last_reading(okr: &Okr) {
    raw!(okr.store(), |pool| sqlx::query(
        "DELETE FROM kpi_readings WHERE id = (SELECT max(id) FROM kpi_readings)"
    )
    .execute(pool)
    .await
    .map(drop))
    .expect("forget");
}

fn bench_reading(c: &mut Criterion) {
    let rt = runtime();
    let (okr, actor, _db) = rt.block_on(workspace("readings.db"));
    rt.block_on(async {
        add_kpi(&okr, &actor, "short").await;
        add_kpi(&okr, &actor, "long").await;
        seed_readings(&okr, actor.workspace, "short", 10).await;
        seed_readings(&okr, actor.workspace, "long", 10_000).await;
    });
    // In range every time: no iteration opens or resolves an alert, so each does the same work.
    let tick = Cell::new(0_i64);
    let next = || {
        let i = tick.get() + 1;
        tick.set(i);
        (format!("{}%", 8 + i % 5), now() + Duration::seconds(i))
    };
    let timed = |name: &str| {
        let (value, at) = next();
        let t = Instant::now();
        rt.block_on(okr.kpi_set(&actor, name, &value, at))
            .expect("reading");
        let spent = t.elapsed();
        rt.block_on(forget_last_reading(&okr));
        spent
    };

    let mut group = c.benchmark_group(group_name("kpi_reading"));
    for (label, name) in [("10", "short"), ("10000", "long")] {
        group.bench_function(format!("okrbot_set_{label}_readings"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| timed(name)).sum())
        });
    }
    group.finish();

    let rounds = 400;
    let (mut s, mut l) = (vec![], vec![]);
    for _ in 0..rounds {
        s.push(timed("short"));
        l.push(timed("long"));
    }
    let (s, l) = (median(s), median(l));
    let ratio = l.as_secs_f64() / s.as_secs_f64();
    eprintln!(
        "{} ratio (median of {rounds} interleaved readings): 10,000 readings {l:?} / \
         10 readings {s:?} = {ratio:.2} (target <= 1.2: {})",
        group_name("kpi_reading"),
        verdict(ratio <= 1.2)
    );
    rt.block_on(okr.store().close());
}

/// A local JSON source: `{"data": {"rate": 8.25}}` at `/rate`.
async fn serve_source() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    let app = axum::Router::new().route(
        "/rate",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"data": {"rate": 8.25}})) }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("source server");
    });
    format!("http://{addr}/rate")
}

struct TickFixture {
    okr: Okr,
    scheduler: Scheduler,
    outbox: RecordingOutbox,
    /// The one KPI whose source falls due, made through the services.
    due: i64,
    _db: Database,
}

impl TickFixture {
    /// `kpis` KPIs in all with hourly sources at `url`: `conversion` through `/kpi add` and
    /// `/kpi source`, the others by SQL, next due at 11:00 (none due at `now`).
    async fn new(kpis: usize, url: &str) -> TickFixture {
        let (okr, actor, db) = workspace("tick.db").await;
        add_kpi(&okr, &actor, "conversion").await;
        okr.kpi_source(
            &actor,
            "conversion",
            url,
            Some("/data/rate"),
            Some("0 * * * *"),
            None,
            now() - Duration::days(1),
        )
        .await
        .expect("source");
        let bulk = format!(
            "{} INSERT INTO kpis (workspace_id, team_id, name, name_key, unit, better, min_value, \
                                  owner, created_at, source_url, source_pointer, source_cron, \
                                  source_next_due) \
             SELECT $2, t.id, 'kpi-' || i, 'kpi-' || i, 'percent', 'higher', 7, 'alice', $3, $4, \
                    '/data/rate', '0 * * * *', $5 FROM n CROSS JOIN teams t \
             WHERE t.workspace_id = $2",
            series("n", "1", "$1 - 1")
        );
        let (due, n) = raw!(okr.store(), |pool| {
            let due: i64 = sqlx::query_scalar("SELECT id FROM kpis WHERE name = 'conversion'")
                .fetch_one(pool)
                .await
                .expect("the KPI");
            sqlx::query(sqlx::AssertSqlSafe(bulk.as_str()))
                .bind(kpis as i64)
                .bind(actor.workspace.0)
                .bind(now())
                .bind(url)
                .bind((now() + Duration::minutes(30)).timestamp())
                .execute(pool)
                .await
                .expect("KPIs");
            let n: i64 =
                sqlx::query_scalar("SELECT count(*) FROM kpis WHERE source_url IS NOT NULL")
                    .fetch_one(pool)
                    .await
                    .expect("count");
            sqlx::query("ANALYZE").execute(pool).await.ok();
            (due, n)
        });
        assert_eq!(n, kpis as i64, "every KPI has a source");
        let f = TickFixture {
            scheduler: Scheduler::new(okr.clone()),
            okr,
            outbox: RecordingOutbox::new(),
            due,
            _db: db,
        };
        // One round before measuring: the first due tick reads the source once for real.
        f.make_due().await;
        let first = f.scheduler.tick(now(), &f.outbox).await.expect("tick");
        assert_eq!(first.sources_read, 1, "one source is due: {first:?}");
        f.outbox.take();
        f
    }

    /// Puts conversion's source back to `now`: the only one due.
    async fn make_due(&self) {
        raw!(self.okr.store(), |pool| sqlx::query(
            "UPDATE kpis SET source_next_due = $1 WHERE id = $2"
        )
        .bind(now().timestamp())
        .bind(self.due)
        .execute(pool)
        .await
        .map(drop))
        .expect("make the source due");
    }

    fn timed_tick(&self, rt: &Runtime, due: bool) -> StdDuration {
        if due {
            rt.block_on(self.make_due());
        }
        let t = Instant::now();
        let report = rt
            .block_on(self.scheduler.tick(now(), &self.outbox))
            .expect("tick");
        let spent = t.elapsed();
        assert_eq!(report.sources_read, usize::from(due), "{report:?}");
        assert_eq!(report.sources_failed, 0, "{report:?}");
        spent
    }
}

fn bench_tick(c: &mut Criterion) {
    let rt = runtime();
    let url = rt.block_on(serve_source());
    let small = rt.block_on(TickFixture::new(10, &url));
    let large = rt.block_on(TickFixture::new(10_000, &url));

    let mut group = c.benchmark_group(group_name("kpi_tick"));
    for (name, f) in [("10", &small), ("10000", &large)] {
        group.bench_function(format!("idle_{name}_kpis"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| f.timed_tick(&rt, false)).sum())
        });
        group.bench_function(format!("one_due_{name}_kpis"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| f.timed_tick(&rt, true)).sum())
        });
    }
    group.finish();

    let rounds = 300;
    let (mut s, mut l, mut si, mut li) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        s.push(small.timed_tick(&rt, true));
        l.push(large.timed_tick(&rt, true));
        si.push(small.timed_tick(&rt, false));
        li.push(large.timed_tick(&rt, false));
    }
    for (what, s, l) in [
        ("one source due", median(s), median(l)),
        ("nothing due", median(si), median(li)),
    ] {
        let ratio = l.as_secs_f64() / s.as_secs_f64();
        eprintln!(
            "{} ratio ({what}, median of {rounds} interleaved ticks): 10,000 KPIs {l:?} / \
             10 KPIs {s:?} = {ratio:.2} (target <= 1.5: {})",
            group_name("kpi_tick"),
            verdict(ratio <= 1.5)
        );
    }
    rt.block_on(small.okr.store().close());
    rt.block_on(large.okr.store().close());
}

fn bench_digest(c: &mut Criterion) {
    let rt = runtime();
    let (okr, actor, _db) = rt.block_on(workspace("digest.db"));
    let team = rt.block_on(async {
        let objective = okr
            .objective_add(
                &actor,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: "Make onboarding effortless".into(),
                    ..ObjectiveInput::default()
                },
                now() - Duration::days(30),
            )
            .await
            .expect("objective");
        for k in 0..20 {
            let input = KrInput {
                objective: objective.code.clone(),
                title: format!("Weekly active teams in segment {k}"),
                kind: Some("metric".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(format!("owner-{}", k % 4)),
                ..KrInput::default()
            };
            okr.kr_add(&actor, input, now() - Duration::days(30))
                .await
                .expect("key result");
        }
        for k in 0..50 {
            let name = format!("signal {k}");
            add_kpi(&okr, &actor, &name).await;
            // Two readings each, a third of them out of range, so arrows and colours vary.
            for (days, value) in [
                (2, 8.0),
                (
                    1,
                    if k % 3 == 0 {
                        6.1
                    } else {
                        7.5 + k as f64 / 10.0
                    },
                ),
            ] {
                okr.kpi_set(
                    &actor,
                    &name,
                    &format!("{value}%"),
                    now() - Duration::days(days),
                )
                .await
                .expect("reading");
            }
        }
        let id: i64 = raw!(okr.store(), |pool| sqlx::query_scalar(
            "SELECT id FROM teams WHERE name = 'Growth'"
        )
        .fetch_one(pool)
        .await
        .expect("Growth"));
        okrbot::domain::model::TeamId(id)
    });
    let state = rt.block_on(async {
        let mut conn = okr.store().read().await.expect("connection");
        TeamState::load(
            &mut conn,
            actor.workspace,
            team,
            now(),
            okr.period(),
            okr.rules(),
        )
        .await
        .expect("team state")
        .expect("team exists")
    });
    assert_eq!(state.kpis.len(), 50, "50 KPIs in the team's state");
    let since = now() - Duration::days(3);
    let marks = HashMap::new();
    let message = okrbot::render::digest::message(&digest::build(&state, &marks, since));
    let kpi_lines = message
        .blocks
        .iter()
        .find(|b| b.heading.as_deref() == Some("KPIs"))
        .map_or(0, |b| b.lines.len());
    assert_eq!(kpi_lines, 50, "the digest lists every KPI");

    let mut group = c.benchmark_group(group_name("kpi_digest"));
    group.bench_function("build_render_50_kpis", |b| {
        b.iter(|| {
            let d = digest::build(black_box(&state), &marks, since);
            black_box(okrbot::render::digest::message(&d))
        })
    });
    group.finish();
    rt.block_on(okr.store().close());
}

criterion_group!(benches, bench_reading, bench_tick, bench_digest);
criterion_main!(benches);
