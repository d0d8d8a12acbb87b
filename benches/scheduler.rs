//! The scheduler's tick against the size of the store, the digest of a big team, and the
//! workspace rollup.
//!
//! - `scheduler/tick_<n>_teams`: one `tick(now)` with exactly one team due (its hourly alert
//!   sweep) in a store of 10 or 100,000 teams, each with its four schedules. Due work is found
//!   through the index on `schedules.next_due_at`, so the two should cost about the same (the
//!   target is 100,000 / 10 <= 1.5). `scheduler/idle_tick_<n>_teams` is the same tick when
//!   nothing is due. The due schedule is put back to `now` between iterations, untimed, so every
//!   iteration does the same work; after the run an interleaved measurement prints the ratio.
//! - `digest/build_render_200_krs`: `service::digest::build` + `render::digest::message` for a
//!   team of 20 objectives x 10 key results with three check-ins each, its `TeamState` loaded
//!   once (target < 5 ms); `digest/chart_200_krs` is the PNG chart of the same team.
//! - `rollup/10000_krs`: `Okr::rollup`, the whole `/okr digest scope:workspace` (load the
//!   workspace, score 10,000 key results, build the alignment tree, render), data made with SQL
//!   (target < 100 ms); `rollup/10000_krs_trends_kept` is the same once each key result has the
//!   trend its check-ins through okrbot would have left (`store::check_ins::trend`), which the rollup reads
//!   instead of the points; `rollup/tree_10000_krs` is `service::digest::rollup` alone over team
//!   views built from the same rows.
//! - `team_cost/status_<n>_teams` and `team_cost/digest_<n>_teams`: `/okr status team:team-0`
//!   (`Okr::status`, `StatusScope::Team`) and `/okr digest team:team-0` (`Okr::digest_now`) in
//!   workspaces of 10 and of 1,000 teams, each of one objective x 10 key results with 50 daily
//!   check-ins (500,000 in the big one), made with SQL and left without stored trends, as bulk
//!   imported data is. A team's reads must follow its own rows, not the workspace's (the target
//!   is 1,000 / 10 <= 1.5); after the group an interleaved run prints both ratios, then one
//!   hourly alert sweep of all 1,000 teams in one tick is timed (target < 10 s), the first
//!   (opening every alert) and the next hour's (every alert already open).
//!
//! The one team the tick and digest benchmarks act on is made through the services as a user
//! would; the thousands of others are inserted with raw SQL in one transaction, because
//! creating 100,000 teams through `Okr::setup` would take longer than the benchmark.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use okrbot::config::Config;
use okrbot::domain::model::{KeyResult, ObjectiveId, TeamId, WorkspaceId};
use okrbot::domain::scoring::{self, KrScore, ScoreContext};
use okrbot::outbox::RecordingOutbox;
use okrbot::scheduler::Scheduler;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::report::{KrView, ObjectiveView, StatusScope, TeamView};
use okrbot::service::setup::SetupInput;
use okrbot::service::team_state::TeamState;
use okrbot::service::{digest, Actor, Okr};
use okrbot::store::{self, Store};
use tokio::runtime::Runtime;

mod common;
use common::{
    group_name, letters, median, on_postgres, pick, raw, runtime, series, verdict, Database,
};

/// Thursday mid-quarter, half past the hour: no default prompt, reminder or digest is due.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-19T10:30:00Z")
        .expect("valid instant")
        .to_utc()
}

fn date(ymd: &str) -> NaiveDate {
    NaiveDate::parse_from_str(ymd, "%Y-%m-%d").expect("valid date")
}

/// An empty store with one workspace and its admin, and the cycle 2026-Q4 around `now`, in a
/// database of its own (`name` is the SQLite file's).
async fn workspace(name: &str) -> (Okr, Actor, Database) {
    let db = Database::new(name).await;
    let store = Store::open(&db.url).await.expect("open store");
    let okr = Okr::new(store, &Config::default());
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
    okr.cycle_new(
        &actor,
        "2026-Q4",
        date("2026-10-01"),
        date("2026-12-31"),
        now(),
    )
    .await
    .expect("cycle");
    (okr, actor, db)
}

/// Team Growth (Europe/Berlin) through `/okr setup`, with `objectives` x `krs` metric key
/// results (0 -> 100, eight owners) through `/okr objective add` and `/okr kr add`, and three
/// weekly check-ins on each, spread so the team shows greens, yellows and reds.
async fn growth(okr: &Okr, actor: &Actor, objectives: usize, krs: usize) -> TeamId {
    let setup = SetupInput {
        team: "Growth".into(),
        timezone: Some("Europe/Berlin".into()),
        channel: Some("growth".into()),
        prefix: Some("GRO".into()),
        leads: Some(vec!["alice".into()]),
    };
    let team = okr
        .setup(actor, setup, now() - Duration::days(30))
        .await
        .expect("team")
        .team;
    for o in 0..objectives {
        let objective = okr
            .objective_add(
                actor,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: format!("Objective number {o} of the growth team"),
                    ..ObjectiveInput::default()
                },
                now() - Duration::days(30),
            )
            .await
            .expect("objective");
        for k in 0..krs {
            let input = KrInput {
                objective: objective.code.clone(),
                title: format!("Weekly active teams in segment {k}"),
                kind: Some("metric".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(format!("owner-{}", (o * krs + k) % 8)),
                ..KrInput::default()
            };
            okr.kr_add(actor, input, now() - Duration::days(30))
                .await
                .expect("key result");
        }
    }
    check_in_everything(okr, actor.workspace).await;
    team.id
}

/// Three weekly check-ins on every key result of the workspace, 3, 2 and 1 weeks before `now`;
/// each key result moves to its latest one. Values depend on the id, so statuses vary.
async fn check_in_everything(okr: &Okr, ws: WorkspaceId) {
    raw!(okr.store(), |pool| {
        let mut tx = pool.begin().await.expect("begin");
        for week in 1..=3_i64 {
            sqlx::query(
                "INSERT INTO check_ins (workspace_id, kr_id, author, value, confidence, note, \
                 source, idempotency_key, created_at) \
                 SELECT $1, id, 'alice', ((id * 37) % 100) * $2 / 3.0, 5 + id % 5, 'steady', \
                        'text', NULL, $3 \
                 FROM key_results WHERE workspace_id = $1",
            )
            .bind(ws.0)
            .bind(week)
            .bind(now() - Duration::weeks(4 - week))
            .execute(&mut *tx)
            .await
            .expect("check-ins");
        }
        // What the store does for each check-in it records, done here for all of them at once.
        sqlx::query(
            "UPDATE key_results SET current = ((id * 37) % 100) * 3 / 3.0, \
             confidence = 5 + id % 5, last_check_in_at = $1 WHERE workspace_id = $2",
        )
        .bind(now() - Duration::weeks(1))
        .bind(ws.0)
        .execute(&mut *tx)
        .await
        .expect("key results moved");
        tx.commit().await.expect("commit");
    })
}

/// `count` teams with their four schedules, by SQL in one transaction: four-letter prefixes,
/// Europe/Berlin, and due times spread over the week after `now` (none due at `now`).
async fn bulk_teams(okr: &Okr, ws: WorkspaceId, count: usize) {
    let teams = format!(
        "{} INSERT INTO teams (workspace_id, name, prefix, timezone, channel, created_at) \
         SELECT $2, 'team-' || i, {}, 'Europe/Berlin', 'team-' || i, $3 FROM n",
        series("n", "0", "$1 - 1"),
        letters(&["i / 17576", "i / 676", "i / 26", "i"])
    );
    raw!(okr.store(), |pool| {
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query(sqlx::AssertSqlSafe(teams.as_str()))
            .bind(count as i64)
            .bind(ws.0)
            .bind(now())
            .execute(&mut *tx)
            .await
            .expect("teams");
        sqlx::query(
            "INSERT INTO schedules (team_id, workspace_id, kind, cron, next_due_at) \
             SELECT t.id, t.workspace_id, k.kind, k.cron, $1 + 60 + (t.id * 7919 + k.shift) % 604000 \
             FROM teams t CROSS JOIN (SELECT 'prompt' AS kind, '0 9 * * Mon' AS cron, 0 AS shift \
                  UNION ALL SELECT 'reminder', '0 9 * * Wed', 151200 \
                  UNION ALL SELECT 'digest', '0 16 * * Mon', 302400 \
                  UNION ALL SELECT 'sweep', '0 * * * *', 453600) k \
             WHERE t.workspace_id = $2 AND t.name LIKE 'team-%'",
        )
        .bind(now().timestamp())
        .bind(ws.0)
        .execute(&mut *tx)
        .await
        .expect("schedules");
        tx.commit().await.expect("commit");
    })
}

struct TickFixture {
    okr: Okr,
    scheduler: Scheduler,
    outbox: RecordingOutbox,
    /// The one team that falls due: Growth, made through the services.
    due: TeamId,
    _db: Database,
}

impl TickFixture {
    /// `teams` teams in all: Growth (20 key results) and `teams - 1` made by SQL.
    async fn new(teams: usize) -> TickFixture {
        let (okr, actor, db) = workspace("tick.db").await;
        let due = growth(&okr, &actor, 2, 10).await;
        bulk_teams(&okr, actor.workspace, teams - 1).await;
        let n: i64 = raw!(okr.store(), |pool| sqlx::query_scalar(
            "SELECT count(*) FROM schedules"
        )
        .fetch_one(pool)
        .await
        .expect("count"));
        assert_eq!(n, 4 * teams as i64, "four schedules per team");
        if on_postgres() {
            settle(&okr).await;
        } else {
            analyze(&okr).await;
        }
        let f = TickFixture {
            scheduler: Scheduler::new(okr.clone()),
            okr,
            outbox: RecordingOutbox::new(),
            due,
            _db: db,
        };
        // One tick before measuring: the first sweep opens the team's at-risk alerts and
        // announces them once; from then on every due tick does the same work.
        f.make_due().await;
        let first = f.scheduler.tick(now(), &f.outbox).await.expect("tick");
        assert_eq!(first.fired, 1, "exactly one team is due: {first:?}");
        f.outbox.take();
        f
    }

    /// Puts Growth's alert sweep back to `now`: the only schedule due.
    async fn make_due(&self) {
        raw!(self.okr.store(), |pool| sqlx::query(
            "UPDATE schedules SET next_due_at = $1 WHERE team_id = $2 AND kind = 'sweep'"
        )
        .bind(now().timestamp())
        .bind(self.due.0)
        .execute(pool)
        .await
        .map(drop))
        .expect("reset the sweep");
    }

    /// One timed tick, with (`due`) or without the sweep due.
    fn timed_tick(&self, rt: &Runtime, due: bool) -> StdDuration {
        if due {
            rt.block_on(self.make_due());
        }
        let t = Instant::now();
        let report = rt
            .block_on(self.scheduler.tick(now(), &self.outbox))
            .expect("tick");
        let spent = t.elapsed();
        assert_eq!(report.fired, usize::from(due), "{report:?}");
        spent
    }
}

fn bench_tick(c: &mut Criterion) {
    let rt = runtime();
    let started = Instant::now();
    let small = rt.block_on(TickFixture::new(10));
    let large = rt.block_on(TickFixture::new(100_000));
    eprintln!(
        "{}: stores of 10 and 100,000 teams made in {:?}",
        group_name("scheduler"),
        started.elapsed()
    );

    let mut group = c.benchmark_group(group_name("scheduler"));
    for (name, f) in [("10", &small), ("100000", &large)] {
        group.bench_function(format!("tick_{name}_teams"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| f.timed_tick(&rt, true)).sum())
        });
        group.bench_function(format!("idle_tick_{name}_teams"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| f.timed_tick(&rt, false)).sum())
        });
    }
    group.finish();

    // The ratio off one interleaved run, so both sizes see the same disk and the same load.
    let rounds = 400;
    let (mut s, mut l, mut si, mut li) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        s.push(small.timed_tick(&rt, true));
        l.push(large.timed_tick(&rt, true));
        si.push(small.timed_tick(&rt, false));
        li.push(large.timed_tick(&rt, false));
    }
    for (what, s, l) in [
        ("one team due", median(s), median(l)),
        ("nothing due", median(si), median(li)),
    ] {
        let ratio = l.as_secs_f64() / s.as_secs_f64();
        eprintln!(
            "{} ratio ({what}, median of {rounds} interleaved ticks): 100,000 teams {l:?} / \
             10 teams {s:?} = {ratio:.2} (target <= 1.5: {})",
            group_name("scheduler"),
            verdict(ratio <= 1.5)
        );
    }
    rt.block_on(small.okr.store().close());
    rt.block_on(large.okr.store().close());
}

fn bench_digest(c: &mut Criterion) {
    let rt = runtime();
    let (okr, actor, _db) = rt.block_on(workspace("digest.db"));
    let team = rt.block_on(growth(&okr, &actor, 20, 10));
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
    assert_eq!(state.krs.len(), 200, "20 objectives x 10 key results");
    // Half the objectives were in the last digest, for the arrows; check-ins count from Monday.
    let marks: HashMap<ObjectiveId, f64> = state
        .objectives
        .iter()
        .step_by(2)
        .map(|(o, _)| (o.id, 0.3))
        .collect();
    let since = now() - Duration::days(3);
    let message = okrbot::render::digest::message(&digest::build(&state, &marks, since));
    let chart = okrbot::render::digest::chart(&state).expect("the chart draws");
    eprintln!(
        "{}: {} blocks, {} lines; chart {} bytes",
        group_name("digest"),
        message.blocks.len(),
        message.blocks.iter().map(|b| b.lines.len()).sum::<usize>(),
        chart.bytes.len()
    );

    let mut group = c.benchmark_group(group_name("digest"));
    group.bench_function("build_render_200_krs", |b| {
        b.iter(|| {
            let d = digest::build(black_box(&state), &marks, since);
            black_box(okrbot::render::digest::message(&d))
        })
    });
    group.bench_function("chart_200_krs", |b| {
        b.iter(|| black_box(okrbot::render::digest::chart(black_box(&state))))
    });
    group.finish();
    rt.block_on(okr.store().close());
}

/// `$1` teams `team-0`, `team-1`, ... in workspace `$2`, made at `$3`, in Europe/Berlin, their
/// prefixes the letters of `prefix` (see `letters`), posting to `channel` (an SQL expression
/// of `i`, the team's number), their next objective numbered `next_objective`.
fn numbered_teams(prefix: &[&str], channel: &str, next_objective: i64) -> String {
    format!(
        "{} INSERT INTO teams (workspace_id, name, prefix, timezone, channel, \
                               next_objective_number, created_at) \
         SELECT $2, 'team-' || i, {}, 'Europe/Berlin', {channel}, {next_objective}, $3 FROM n",
        series("n", "0", "$1 - 1"),
        letters(prefix)
    )
}

/// `count` metric key results (0 to 100, nothing checked in) under every objective of
/// workspace `$1`, made at `$2`, owned by 400 owners in turn.
fn key_results_of_every_objective(count: i64) -> String {
    format!(
        "{} INSERT INTO key_results (workspace_id, objective_id, number, title, owner, kind, \
                                     unit, start_value, target, current, direction, confidence, \
                                     weight, created_at) \
         SELECT $1, o.id, n.i, 'Key result ' || n.i || ' of objective ' || o.id, \
                'owner-' || ((o.id * 10 + n.i) % 400), 'metric', 'count', 0, 100, 0, NULL, NULL, \
                1, $2 \
         FROM objectives o CROSS JOIN n WHERE o.workspace_id = $1",
        series("n", "1", &count.to_string())
    )
}

/// 50 teams x 20 objectives x 10 key results, three check-ins each, by SQL. The first team's
/// objectives are the company's; every other team's objective n is aligned under company
/// objective n, so the tree is two levels deep and 50 wide.
async fn rollup_store(okr: &Okr, ws: WorkspaceId) {
    const TEAMS: i64 = 50;
    let teams = numbered_teams(&["i / 26", "i"], "NULL", 21);
    let objectives = format!(
        "{} INSERT INTO objectives (workspace_id, team_id, cycle_id, number, title, owner, \
                                    parent_id, kind, state, next_kr_number, created_at) \
         SELECT $1, t.id, $2, n.i, 'Objective ' || n.i || ' of ' || t.name, 'lead-' || t.id, \
                NULL, 'committed', 'active', 11, $3 FROM teams t CROSS JOIN n \
         WHERE t.workspace_id = $1",
        series("n", "1", "20")
    );
    let key_results = key_results_of_every_objective(10);
    raw!(okr.store(), |pool| {
        let mut tx = pool.begin().await.expect("begin");
        let cycle: i64 = sqlx::query_scalar("SELECT id FROM cycles WHERE workspace_id = $1")
            .bind(ws.0)
            .fetch_one(&mut *tx)
            .await
            .expect("cycle");
        sqlx::query(sqlx::AssertSqlSafe(teams.as_str()))
            .bind(TEAMS)
            .bind(ws.0)
            .bind(now() - Duration::days(40))
            .execute(&mut *tx)
            .await
            .expect("teams");
        sqlx::query(sqlx::AssertSqlSafe(objectives.as_str()))
            .bind(ws.0)
            .bind(cycle)
            .bind(now() - Duration::days(40))
            .execute(&mut *tx)
            .await
            .expect("objectives");
        sqlx::query(
            "UPDATE objectives SET parent_id = (SELECT p.id FROM objectives p \
                WHERE p.team_id = (SELECT min(id) FROM teams WHERE workspace_id = $1) \
                  AND p.number = objectives.number) \
             WHERE workspace_id = $1 \
               AND team_id <> (SELECT min(id) FROM teams WHERE workspace_id = $1)",
        )
        .bind(ws.0)
        .execute(&mut *tx)
        .await
        .expect("alignment");
        sqlx::query(sqlx::AssertSqlSafe(key_results.as_str()))
            .bind(ws.0)
            .bind(now() - Duration::days(40))
            .execute(&mut *tx)
            .await
            .expect("key results");
        tx.commit().await.expect("commit");
    });
    check_in_everything(okr, ws).await;
}

/// `ANALYZE`, so the planner knows the rows just inserted in bulk.
async fn analyze(okr: &Okr) {
    raw!(okr.store(), |pool| sqlx::query("ANALYZE")
        .execute(pool)
        .await
        .map(drop))
    .ok();
}

/// On PostgreSQL, what autovacuum does soon after a bulk load: the row versions the fixture's
/// own `UPDATE`s left behind are gone, the visibility map is set (index-only scans skip the
/// heap) and the planner has the new rows' statistics, before anything is measured rather than
/// at a moment of autovacuum's choosing mid-run. SQLite has no such state, and plans without
/// statistics unless asked: these fixtures never asked.
async fn settle(okr: &Okr) {
    if let Some(pool) = okr.store().pg_pool() {
        sqlx::query("VACUUM ANALYZE")
            .execute(pool)
            .await
            .expect("VACUUM ANALYZE");
    }
}

/// What recording each key result's check-ins through okrbot leaves behind beside the rows
/// `check_in_everything` wrote: the key result's trend for its cycle, summed by the store.
async fn keep_trends(okr: &Okr, ws: WorkspaceId) {
    let mut tx = okr.store().write().await.expect("begin");
    let cycle = store::cycles::list(&mut tx, ws)
        .await
        .expect("cycles")
        .remove(0);
    let clock = scoring::CycleClock::new(&cycle, chrono_tz::Europe::Berlin);
    for kr in store::key_results::list(&mut tx, ws, None, None, None)
        .await
        .expect("key results")
    {
        store::check_ins::trend::for_kr(&mut tx, ws, kr.id, &clock)
            .await
            .expect("trend");
    }
    tx.commit().await.expect("commit");
}

/// The views `Okr::rollup` scores, assembled here from the store's public reads and the
/// public scoring functions: every team's objectives of the cycle with their scored key results.
/// Prints how long each read and the scoring took, to show where `Okr::rollup` spends its time.
async fn team_views(okr: &Okr, ws: WorkspaceId) -> Vec<TeamView> {
    let mut c = okr.store().read().await.expect("connection");
    let mut lap = Instant::now();
    let mut laps: Vec<(&str, StdDuration)> = Vec::new();
    let mut split = |what, laps: &mut Vec<(&str, StdDuration)>| {
        laps.push((what, lap.elapsed()));
        lap = Instant::now();
    };
    let teams = store::teams::list(&mut c, ws).await.expect("teams");
    let cycle = store::cycles::list(&mut c, ws)
        .await
        .expect("cycles")
        .remove(0);
    let objectives = store::objectives::list(&mut c, ws, None, Some(cycle.id))
        .await
        .expect("objectives");
    split("teams, cycles, objectives", &mut laps);
    let krs = store::key_results::list(&mut c, ws, None, None, None)
        .await
        .expect("key results");
    split("key results", &mut laps);
    let mut points: HashMap<_, Vec<(DateTime<Utc>, f64)>> = HashMap::new();
    for ci in store::check_ins::for_workspace(&mut c, ws)
        .await
        .expect("check-ins")
    {
        points
            .entry(ci.kr_id)
            .or_default()
            .push((ci.created_at, ci.value));
    }
    split("check-ins", &mut laps);
    let codes: HashMap<ObjectiveId, String> =
        objectives.iter().map(|o| (o.id, o.code.clone())).collect();
    let mut by_objective: HashMap<ObjectiveId, Vec<&KeyResult>> = HashMap::new();
    for kr in &krs {
        by_objective.entry(kr.objective_id).or_default().push(kr);
    }
    let views: Vec<TeamView> = teams
        .into_iter()
        .filter_map(|team| {
            let ctx = ScoreContext::new(&cycle, team.tz, now(), okr.period(), okr.rules());
            let objectives: Vec<ObjectiveView> = objectives
                .iter()
                .filter(|o| o.team_id == team.id)
                .map(|o| {
                    let krs: Vec<KrView> = by_objective
                        .get(&o.id)
                        .into_iter()
                        .flatten()
                        .map(|kr| KrView {
                            kr: (*kr).clone(),
                            score: scoring::score_kr(
                                kr,
                                &ctx,
                                points.get(&kr.id).map(Vec::as_slice).unwrap_or_default(),
                            ),
                        })
                        .collect();
                    let weighted: Vec<(f64, &KrScore)> =
                        krs.iter().map(|k| (k.kr.weight, &k.score)).collect();
                    ObjectiveView {
                        kpis: vec![],
                        children: vec![],
                        shared_by: None,
                        shared_with: vec![],
                        objective: o.clone(),
                        parent_code: o.parent.and_then(|p| codes.get(&p).cloned()),
                        score: scoring::objective_score(&weighted),
                        krs,
                    }
                })
                .collect();
            (!objectives.is_empty()).then(|| TeamView {
                expected: ctx.clock().expected(now()),
                team,
                cycle: cycle.clone(),
                objectives,
            })
        })
        .collect();
    split("scoring", &mut laps);
    eprintln!(
        "{}: reads and scoring of 10,000 key results: {laps:?}",
        group_name("rollup")
    );
    views
}

fn bench_rollup(c: &mut Criterion) {
    let rt = runtime();
    let (okr, actor, _db) = rt.block_on(workspace("rollup.db"));
    rt.block_on(rollup_store(&okr, actor.workspace));
    rt.block_on(settle(&okr));
    let views = rt.block_on(team_views(&okr, actor.workspace));
    let krs: usize = views
        .iter()
        .flat_map(|t| &t.objectives)
        .map(|o| o.krs.len())
        .sum();
    assert_eq!(krs, 10_000, "10,000 key results in the views");
    let roots = digest::rollup(&views);
    assert_eq!(roots.len(), 20, "the company's 20 objectives are the roots");
    // End to end, as `/okr digest scope:workspace` does it: read, score, build the tree, render.
    let rollup_message = || {
        let (cycle, roots) = rt.block_on(okr.rollup(&actor, now())).expect("the rollup");
        okrbot::render::digest::rollup_message(&cycle.name, &roots, &[], now())
    };
    let message = rollup_message();
    eprintln!(
        "{}: {} lines in the message",
        group_name("rollup"),
        message.blocks.iter().map(|b| b.lines.len()).sum::<usize>()
    );

    let mut group = c.benchmark_group(group_name("rollup"));
    // A few hundred milliseconds an iteration: ten samples are enough to see it.
    group.sample_size(10);
    group.bench_function("10000_krs", |b| b.iter(|| black_box(rollup_message())));
    // The same store as okrbot's own check-ins leave it, a trend kept beside each key result's
    // history: the rollup reads those instead of the points.
    let (kept, kept_actor, _kept_db) = rt.block_on(workspace("rollup-trends.db"));
    rt.block_on(rollup_store(&kept, kept_actor.workspace));
    rt.block_on(keep_trends(&kept, kept_actor.workspace));
    rt.block_on(settle(&kept));
    let rollup_kept = || {
        let (cycle, roots) = rt
            .block_on(kept.rollup(&kept_actor, now()))
            .expect("the rollup");
        okrbot::render::digest::rollup_message(&cycle.name, &roots, &[], now())
    };
    assert_eq!(
        rollup_kept(),
        message,
        "the trends score exactly as the points"
    );
    group.bench_function("10000_krs_trends_kept", |b| {
        b.iter(|| black_box(rollup_kept()))
    });
    group.bench_function("tree_10000_krs", |b| {
        b.iter(|| black_box(digest::rollup(black_box(&views))))
    });
    group.finish();

    // Both stores off one interleaved run, so they see the same disk and the same load.
    let rounds = 30;
    let timed = |f: &dyn Fn() -> okrbot::domain::message::Message| {
        let t = Instant::now();
        black_box(f());
        t.elapsed()
    };
    let (mut points, mut trends) = (vec![], vec![]);
    for _ in 0..rounds {
        points.push(timed(&rollup_message));
        trends.push(timed(&rollup_kept));
    }
    let (points, trends) = (median(points), median(trends));
    eprintln!(
        "{} (median of {rounds} interleaved rounds): from the points {points:?}, from kept \
         trends {trends:?} = {:.2} (target < 100 ms: {})",
        group_name("rollup"),
        trends.as_secs_f64() / points.as_secs_f64(),
        if trends.max(points) < StdDuration::from_millis(100) {
            "met by both"
        } else if trends < StdDuration::from_millis(100) {
            "met with kept trends"
        } else {
            "NOT met"
        }
    );
    rt.block_on(okr.store().close());
    rt.block_on(kept.store().close());
}

/// Key results of every team in the `team_cost` workspaces, and check-ins of each.
const TEAM_KRS: i64 = 10;
const TEAM_CHECK_INS: i64 = 50;

/// `teams` teams (`team-0`, ... with a channel each), one objective of `TEAM_KRS` metric key
/// results each in the cycle around `now`, and `TEAM_CHECK_INS` daily check-ins on every key
/// result up to the day before `now`, all by SQL in one transaction. No trend is stored: every
/// point is read, as after an import.
async fn team_cost_store(okr: &Okr, ws: WorkspaceId, teams: i64) {
    let made = now() - Duration::days(60);
    let teams_sql = numbered_teams(&["i / 676", "i / 26", "i"], "'team-' || i", 2);
    let key_results = key_results_of_every_objective(TEAM_KRS);
    // Day d of 1..=TEAM_CHECK_INS before `now`, at a time of day that depends on the key result,
    // written as the store writes instants (text on SQLite, a timestamptz on PostgreSQL); the
    // value climbs at a pace that depends on the id, so the statuses vary.
    let check_ins = format!(
        "{} INSERT INTO check_ins (workspace_id, kr_id, author, value, confidence, note, source, \
                                   idempotency_key, created_at) \
         SELECT $2, k.id, 'alice', ((k.id * 37) % 100) * ($3 - d.i) / (2.0 * $1), 5 + k.id % 5, \
                'steady', 'text', NULL, {} \
         FROM key_results k CROSS JOIN d WHERE k.workspace_id = $2",
        series("d", "1", "$1"),
        pick(
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', $4 - d.i * 86400 - (k.id * 61) % 3600, \
             'unixepoch')",
            "to_timestamp($4 - d.i * 86400 - (k.id * 61) % 3600)"
        )
    );
    raw!(okr.store(), |pool| {
        let mut tx = pool.begin().await.expect("begin");
        let cycle: i64 = sqlx::query_scalar("SELECT id FROM cycles WHERE workspace_id = $1")
            .bind(ws.0)
            .fetch_one(&mut *tx)
            .await
            .expect("cycle");
        sqlx::query(sqlx::AssertSqlSafe(teams_sql.as_str()))
            .bind(teams)
            .bind(ws.0)
            .bind(made)
            .execute(&mut *tx)
            .await
            .expect("teams");
        sqlx::query(
            "INSERT INTO objectives (workspace_id, team_id, cycle_id, number, title, owner, \
                                     parent_id, kind, state, next_kr_number, created_at) \
             SELECT $1, t.id, $2, 1, 'The objective of ' || t.name, 'lead-' || t.id, NULL, \
                    'committed', 'active', $3 + 1, $4 FROM teams t WHERE t.workspace_id = $1",
        )
        .bind(ws.0)
        .bind(cycle)
        .bind(TEAM_KRS)
        .bind(made)
        .execute(&mut *tx)
        .await
        .expect("objectives");
        sqlx::query(sqlx::AssertSqlSafe(key_results.as_str()))
            .bind(ws.0)
            .bind(made)
            .execute(&mut *tx)
            .await
            .expect("key results");
        sqlx::query(sqlx::AssertSqlSafe(check_ins.as_str()))
            .bind(TEAM_CHECK_INS)
            .bind(ws.0)
            .bind(TEAM_CHECK_INS + 1)
            .bind(now().timestamp())
            .execute(&mut *tx)
            .await
            .expect("check-ins");
        sqlx::query(
            "UPDATE key_results SET current = ((id * 37) % 100) * $1 / (2.0 * $1), \
             confidence = 5 + id % 5, last_check_in_at = $2 WHERE workspace_id = $3",
        )
        .bind(TEAM_CHECK_INS)
        .bind(now() - Duration::days(1))
        .bind(ws.0)
        .execute(&mut *tx)
        .await
        .expect("key results moved");
        tx.commit().await.expect("commit");
    })
}

struct TeamCostFixture {
    okr: Okr,
    actor: Actor,
    _db: Database,
}

impl TeamCostFixture {
    async fn new(teams: i64) -> TeamCostFixture {
        let (okr, actor, db) = workspace("team-cost.db").await;
        team_cost_store(&okr, actor.workspace, teams).await;
        settle(&okr).await;
        TeamCostFixture {
            okr,
            actor,
            _db: db,
        }
    }

    /// `/okr status team:team-0`: one objective of `TEAM_KRS` key results.
    async fn status(&self) -> StdDuration {
        let t = Instant::now();
        let report = self
            .okr
            .status(&self.actor, StatusScope::Team("team-0".into()), now())
            .await
            .expect("status");
        let spent = t.elapsed();
        let krs: usize = report
            .teams
            .iter()
            .flat_map(|t| &t.objectives)
            .map(|o| o.krs.len())
            .sum();
        assert_eq!(krs, TEAM_KRS as usize, "the team's key results only");
        black_box(report);
        spent
    }

    /// The hourly alert sweep of every team at once (each team's sweep schedule made due at
    /// `now`), as one scheduler tick decides it: each team's key results scored from their
    /// points and its alerts opened, one transaction per team. Returns the time and how many
    /// alerts it opened.
    async fn sweep_all(&self) -> (StdDuration, usize) {
        raw!(self.okr.store(), |pool| sqlx::query(
            "INSERT INTO schedules (team_id, workspace_id, kind, cron, next_due_at) \
             SELECT t.id, t.workspace_id, 'sweep', '0 * * * *', $1 FROM teams t \
             WHERE t.workspace_id = $2"
        )
        .bind(now().timestamp())
        .bind(self.actor.workspace.0)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        .expect("sweep schedules"));
        let outbox = RecordingOutbox::new();
        let scheduler = Scheduler::new(self.okr.clone());
        let t = Instant::now();
        scheduler.tick(now(), &outbox).await.expect("the sweep");
        let spent = t.elapsed();
        let opened: i64 = raw!(self.okr.store(), |pool| sqlx::query_scalar(
            "SELECT count(*) FROM alerts WHERE workspace_id = $1"
        )
        .bind(self.actor.workspace.0)
        .fetch_one(pool)
        .await
        .expect("alerts"));
        (spent, usize::try_from(opened).unwrap_or(0))
    }

    /// The sweep an hour after [`TeamCostFixture::sweep_all`], once the database has settled
    /// as autovacuum leaves it: the steady state of the hourly sweep, every red key result's
    /// alert already open.
    async fn sweep_next_hour(&self) -> StdDuration {
        settle(&self.okr).await;
        let outbox = RecordingOutbox::new();
        let scheduler = Scheduler::new(self.okr.clone());
        let t = Instant::now();
        scheduler
            .tick(now() + Duration::hours(1), &outbox)
            .await
            .expect("the sweep");
        t.elapsed()
    }

    /// `/okr digest team:team-0`: the team's digest, decided into the ledger.
    async fn digest(&self) -> StdDuration {
        let t = Instant::now();
        let message = self
            .okr
            .digest_now(&self.actor, "team-0", now())
            .await
            .expect("digest");
        let spent = t.elapsed();
        black_box(message);
        spent
    }
}

fn bench_team_cost(c: &mut Criterion) {
    let rt = runtime();
    let started = Instant::now();
    let small = rt.block_on(TeamCostFixture::new(10));
    let large = rt.block_on(TeamCostFixture::new(1_000));
    eprintln!(
        "{}: workspaces of 10 and 1,000 teams ({} check-ins in the big one) made in {:?}",
        group_name("team_cost"),
        1_000 * TEAM_KRS * TEAM_CHECK_INS,
        started.elapsed()
    );

    let mut group = c.benchmark_group(group_name("team_cost"));
    group.sample_size(20);
    for (name, f) in [("10", &small), ("1000", &large)] {
        group.bench_function(format!("status_{name}_teams"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| rt.block_on(f.status())).sum())
        });
        group.bench_function(format!("digest_{name}_teams"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| rt.block_on(f.digest())).sum())
        });
    }
    group.finish();

    // The ratios off one interleaved run, so both sizes see the same disk and the same load.
    let rounds = 30;
    let (mut s, mut l, mut sd, mut ld) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        s.push(rt.block_on(small.status()));
        l.push(rt.block_on(large.status()));
        sd.push(rt.block_on(small.digest()));
        ld.push(rt.block_on(large.digest()));
    }
    for (what, s, l) in [
        ("status of one team", median(s), median(l)),
        ("digest of one team", median(sd), median(ld)),
    ] {
        let ratio = l.as_secs_f64() / s.as_secs_f64();
        eprintln!(
            "{} ratio ({what}, median of {rounds} interleaved rounds): 1,000 teams {l:?} / \
             10 teams {s:?} = {ratio:.2} (target <= 1.5: {})",
            group_name("team_cost"),
            verdict(ratio <= 1.5)
        );
    }
    // Last, since it leaves schedules and alerts behind: the hourly sweep of the big workspace.
    let (spent, opened) = rt.block_on(large.sweep_all());
    let again = rt.block_on(large.sweep_next_hour());
    eprintln!(
        "{}: the hourly sweep of all 1,000 teams in one tick took {spent:?} and opened {opened} \
         alerts, the next hour's {again:?} (target < 10 s: {}, {})",
        group_name("team_cost"),
        verdict(spent < StdDuration::from_secs(10)),
        verdict(again < StdDuration::from_secs(10))
    );
    rt.block_on(small.okr.store().close());
    rt.block_on(large.okr.store().close());
}

criterion_group!(
    benches,
    bench_tick,
    bench_digest,
    bench_rollup,
    bench_team_cost
);
criterion_main!(benches);
