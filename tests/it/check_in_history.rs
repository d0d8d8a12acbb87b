//! A check-in rescores its key result from the trend the store keeps, not from the whole
//! history (`docs/scoring.md`, "Forecast"): the score it answers with must be exactly the one
//! the full history gives, whatever happened to the history in between.

use chrono::{DateTime, Duration, Utc};
use okrbot::domain::model::CheckInSource;
use okrbot::domain::scoring::{score_kr, KrScore, ScoreContext};
use okrbot::domain::view::StatusScope;
use okrbot::service::setup::SetupInput;

use crate::common::{at, spawn_app, TestApp};

async fn check_in(app: &TestApp, line: &str, when: DateTime<Utc>) -> KrScore {
    app.okr
        .check_in_text(&app.admin, line, CheckInSource::Text, None, when)
        .await
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .score
}

/// GRO-1.1 scored at `when` from every check-in of its history, by the scoring rules alone;
/// `/okr status` (which reads the stored trend) must agree.
pub(crate) async fn from_full_history(app: &TestApp, when: DateTime<Utc>) -> KrScore {
    let status = app
        .okr
        .status(&app.admin, StatusScope::All, when)
        .await
        .expect("status");
    let team = &status.teams[0];
    let kr = &team.objectives[0].krs[0];
    assert_eq!(kr.kr.code, "GRO-1.1");
    let (_, history, _) = app
        .okr
        .history(&app.admin, "GRO-1.1")
        .await
        .expect("history");
    let points: Vec<_> = history.iter().map(|c| (c.created_at, c.value)).collect();
    let (period, rules) = (app.okr.period(), app.okr.rules());
    let ctx = ScoreContext::new(&team.cycle, team.team.tz, when, period, rules);
    let full = score_kr(&kr.kr, &ctx, &points);
    assert_eq!(kr.score, full, "status scores as the full history");
    full
}

#[tokio::test]
async fn a_check_in_scores_exactly_as_the_full_history_does_through_undo_zone_change_and_late_points(
) {
    let app = spawn_app().await;
    app.growth().await;
    let start = at("2026-10-02T08:00:00Z");
    let mut when = start;
    // Twice a day for six weeks, 14 days down towards 7 with a wobble: a trend with a forecast.
    for step in 0..84_i64 {
        when = start + Duration::hours(12 * step);
        let value = 14.0 - step as f64 * 0.05 + if step % 3 == 0 { 0.4 } else { -0.2 };
        let line = format!("GRO-1.1 {value:.2}");
        let score = check_in(&app, &line, when).await;
        assert_eq!(score, from_full_history(&app, when).await, "step {step}");
    }
    assert!(
        from_full_history(&app, when).await.forecast.is_some(),
        "the history is long enough for a forecast"
    );

    // An undo takes a point out of the history: the next check-in must not count it.
    app.okr
        .undo(&app.admin, Some("GRO-1.1"), when + Duration::minutes(1))
        .await
        .expect("undo");
    when += Duration::hours(1);
    let score = check_in(&app, "GRO-1.1 11.5", when).await;
    assert_eq!(score, from_full_history(&app, when).await, "after undo");

    // A new zone moves the cycle's bounds, and with them which points are inside.
    app.okr
        .setup(
            &app.admin,
            SetupInput {
                team: "Growth".into(),
                timezone: Some("Pacific/Kiritimati".into()),
                ..SetupInput::default()
            },
            when,
        )
        .await
        .expect("new zone");
    when += Duration::hours(1);
    let score = check_in(&app, "GRO-1.1 11.4", when).await;
    assert_eq!(score, from_full_history(&app, when).await, "after the zone");

    // A check-in stamped before the latest one (a clock behind) still scores as the history.
    let late = when - Duration::hours(30);
    let score = check_in(&app, "GRO-1.1 11.6", late).await;
    assert_eq!(score, from_full_history(&app, late).await, "a late point");
    when += Duration::hours(1);
    let score = check_in(&app, "GRO-1.1 11.3", when).await;
    assert_eq!(
        score,
        from_full_history(&app, when).await,
        "after the late point"
    );
}

/// Status and the rollup read a cycle's key results and points packed into one row each, and
/// sort them in Rust (`docs/scoring.md`, "Speed"): what they read must be exactly what the plain
/// row-by-row reads give, to the last bit of every value and whatever a title holds.
#[tokio::test]
async fn packed_reads_give_exactly_the_rows_read_one_by_one() {
    use okrbot::service::objectives::{KrInput, ObjectiveInput};
    use okrbot::store;
    let app = spawn_app().await;
    app.growth().await;
    // Team names beyond ASCII, which NOCASE leaves unfolded (Émile before éclair, Growth
    // after alpha): the sort in Rust must agree.
    let teams = [
        ("日本", "NIP"),
        ("éclair", "ECL"),
        ("über", "UBE"),
        ("Émile", "EMI"),
        ("alpha", "ALP"),
    ];
    for (team, prefix) in teams {
        let now = crate::common::now();
        let setup = SetupInput {
            team: team.into(),
            timezone: Some("Europe/Berlin".into()),
            prefix: Some(prefix.into()),
            ..SetupInput::default()
        };
        app.okr.setup(&app.admin, setup, now).await.unwrap();
        let objective = ObjectiveInput {
            team: team.into(),
            title: format!("Grow {team}"),
            ..ObjectiveInput::default()
        };
        let objective = app
            .okr
            .objective_add(&app.admin, objective, now)
            .await
            .unwrap();
        let kr = KrInput {
            objective: objective.code.clone(),
            title: "Signups".into(),
            kind: Some("metric".into()),
            start: Some("0".into()),
            target: Some("10".into()),
            ..KrInput::default()
        };
        app.okr.kr_add(&app.admin, kr, now).await.unwrap();
    }
    let pool = app.okr.store();
    let ws = app.admin.workspace;
    let title = "Quote \" backslash \\ newline \n tab \t emoji 🚀 café ٣ and NUL-free";
    // Values JSON's 15 digits would round: 0.1 + 0.2, a tiny and a huge one.
    crate::backend::raw!(pool, |db| sqlx::query(
        "UPDATE key_results SET title = $1, start_value = $2, target = $3, current = $4, weight = $5 \
         WHERE workspace_id = $6",
    )
    .bind(title)
    .bind(0.1_f64 + 0.2)
    .bind(1e16_f64 + 2.0)
    .bind(-1.234_567_890_123_456_7e-300_f64)
    .bind(1.0_f64 / 3.0)
    .bind(ws.0)
    .execute(db).await.map(|r| r.rows_affected()))
    .unwrap();
    let krs: Vec<i64> = crate::backend::raw!(pool, |db| sqlx::query_scalar(
        "SELECT id FROM key_results WHERE workspace_id = $1"
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)
    .unwrap();
    for (n, kr) in krs.iter().enumerate() {
        for (i, value) in [std::f64::consts::PI, 2.0_f64.sqrt() * 1e9, 5e-324]
            .iter()
            .enumerate()
        {
            crate::backend::raw!(pool, |db| sqlx::query(
                "INSERT INTO check_ins (workspace_id, kr_id, author, value, source, created_at) \
                 VALUES ($1, $2, 'alice', $3, 'text', $4)",
            )
            .bind(ws.0)
            .bind(kr)
            .bind(value * (n + 1) as f64)
            .bind(
                crate::common::now() - Duration::hours(i as i64)
                    + Duration::nanoseconds(123_456_789),
            )
            .execute(db)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
        }
        // Two at the same instant, the later one smaller: the order is by id, never by value.
        for value in [9.75, 0.25] {
            crate::backend::raw!(pool, |db| sqlx::query(
                "INSERT INTO check_ins (workspace_id, kr_id, author, value, source, created_at) \
                 VALUES ($1, $2, 'alice', $3, 'text', $4)",
            )
            .bind(ws.0)
            .bind(kr)
            .bind(value)
            .bind(crate::common::now() - Duration::minutes(30))
            .execute(db)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
        }
    }
    let mut c = app.okr.store().read().await.unwrap();
    let cycle = store::cycles::list(&mut c, ws).await.unwrap().remove(0).id;
    let packed = store::key_results::list_in_cycle_with_trends(&mut c, ws, cycle)
        .await
        .unwrap();
    assert_eq!(packed.len(), krs.len());
    let plain = store::key_results::list(&mut c, ws, None, None, None)
        .await
        .unwrap();
    let packed_krs: Vec<_> = packed.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(packed_krs, plain, "the same key results, in the same order");
    assert_eq!(packed_krs[0].title, title);
    assert_eq!(packed_krs[0].start.to_bits(), (0.1_f64 + 0.2).to_bits());
    let ids: Vec<_> = plain.iter().map(|k| k.id).collect();
    let points = store::check_ins::points_of(&mut c, ws, &ids).await.unwrap();
    let mut by_row: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
    for ci in store::check_ins::for_workspace(&mut c, ws).await.unwrap() {
        by_row
            .entry(ci.kr_id)
            .or_default()
            .push((ci.created_at, ci.value));
    }
    assert_eq!(points, by_row, "every point, exact, oldest first");
    assert!(by_row
        .values()
        .all(|p| p.len() == 5 && p[2].1 == 9.75 && p[3].1 == 0.25));
    let untrended = store::check_ins::points_untrended_in_cycle(&mut c, ws, cycle)
        .await
        .unwrap();
    assert_eq!(untrended, by_row, "no key result has a stored trend yet");
}

/// The packed reads carry a REAL as text only inside the band where each form they write is
/// exact (`store::packed::EXACT_BAND`): `quote()`'s, and the integers and scaled integers that
/// spare it. This holds them to that, bit for bit, as the store reads them back.
#[tokio::test]
async fn quote_is_exact_inside_the_band_the_packed_reads_use_it_for() {
    // SQLite's own `quote()` and the SQLite packed reads' expression: on SQLite in either
    // suite (PostgreSQL's twin reads rows, not packed text; `packed_reads_give_exactly…`
    // holds both backends to the rows read one by one).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store =
        okrbot::store::Store::open(&format!("sqlite://{}", dir.path().join("q.db").display()))
            .await
            .expect("a SQLite store");
    let pool = store.pool();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut inexact = Vec::new();
    for e in -15..=15 {
        for _ in 0..300 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = 1.0 + (x % 1_000_000_000_000) as f64 / 1e12 * 8.999;
            for v in [m * 10f64.powi(e), -m * 10f64.powi(e)] {
                if v.abs() > 1e15 || v.abs() < 1e-15 {
                    continue;
                }
                let q: String = sqlx::query_scalar("SELECT quote($1)")
                    .bind(v)
                    .fetch_one(pool)
                    .await
                    .unwrap();
                if q.parse::<f64>().map(f64::to_bits) != Ok(v.to_bits()) {
                    inexact.push((v, q));
                }
            }
        }
    }
    assert!(inexact.is_empty(), "{inexact:?}");
    // The packed reads' own expression: whole numbers as integers, fractions as scaled
    // integers, the rest as quote() has it; read back as the store reads it.
    let sql = format!(
        "SELECT {} FROM (SELECT $1 AS v)",
        okrbot::store::packed::exact_real("v")
    );
    let packed = |v: f64| {
        let sql = sql.clone();
        async move {
            let text: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(v)
                .fetch_one(pool)
                .await
                .unwrap();
            text
        }
    };
    let read = |text: &str| {
        okrbot::store::packed::quoted_real(Some(text), String::new)
            .unwrap()
            .unwrap()
    };
    let mut cases: Vec<f64> = vec![0.0, 1.0, -1.0, 30.0, 1e15, -1e15, 999_999_999_999_999.0];
    cases.extend([
        0.5,
        1.0 / 3.0,
        -2.5e-7,
        1e15 - 0.5,
        123_456.789,
        99.9,
        -0.001,
    ]);
    // Every binade of the band with 53 significant bits, and each side of each scale's edge.
    for e in -50..=49_i64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let v = f64::from_bits(((1023 + e) as u64) << 52 | x >> 12);
        cases.extend([v, -v]);
    }
    for edge in [
        2.0_f64,
        4096.0,
        8_388_608.0,
        17_179_869_184.0,
        35_184_372_088_832.0,
        1e15,
    ] {
        cases.extend([edge, edge.next_down(), edge.next_up(), -edge.next_down()]);
    }
    cases.retain(|v| *v == 0.0 || (1e-15..=1e15).contains(&v.abs()));
    let mut formatted = Vec::new();
    for v in cases {
        let text = packed(v).await.expect("inside the band");
        assert_eq!(
            read(&text).to_bits(),
            v.to_bits(),
            "{v:e} read back from {text:?}"
        );
        if v.abs() >= 2f64.powi(-10) && !text.contains('p') && v.fract() != 0.0 {
            formatted.push((v, text));
        }
    }
    // Formatting a float is what the scales spare: none is formatted from 2^-10 up.
    assert!(formatted.is_empty(), "{formatted:?}");
    for v in [1e16, -2e15, 1e-16] {
        assert_eq!(packed(v).await, None, "{v:e} is outside the band");
    }
}

/// Status and the rollup read a cycle's key results in two halves on two connections: the
/// same key results in the same order as one read, teams ordered case-insensitively.
#[tokio::test]
async fn the_two_halves_read_give_the_key_results_of_one_read_in_its_order() {
    use okrbot::service::objectives::{KrInput, ObjectiveInput};
    use okrbot::store;
    let app = spawn_app().await;
    app.growth().await;
    let now = crate::common::now();
    for (team, prefix) in [
        ("beta", "BET"),
        ("Alpha", "ALP"),
        ("zeta", "ZET"),
        ("Gamma", "GAM"),
    ] {
        app.okr
            .setup(
                &app.admin,
                SetupInput {
                    team: team.into(),
                    timezone: Some("Europe/Berlin".into()),
                    prefix: Some(prefix.into()),
                    ..SetupInput::default()
                },
                now,
            )
            .await
            .unwrap();
        for o in 0..3 {
            let objective = app
                .okr
                .objective_add(
                    &app.admin,
                    ObjectiveInput {
                        team: team.into(),
                        title: format!("Objective {o} of {team}"),
                        ..ObjectiveInput::default()
                    },
                    now,
                )
                .await
                .unwrap();
            for k in 0..(o + 1) {
                let input = KrInput {
                    objective: objective.code.clone(),
                    title: format!("Key result {k}"),
                    kind: Some("metric".into()),
                    start: Some("0".into()),
                    target: Some(format!("{}", 10 + k)),
                    ..KrInput::default()
                };
                app.okr.kr_add(&app.admin, input, now).await.unwrap();
            }
        }
    }
    let ws = app.admin.workspace;
    let mut c = app.okr.store().read().await.unwrap();
    let mut other = app.okr.store().read().await.unwrap();
    let cycle = store::cycles::list(&mut c, ws).await.unwrap().remove(0).id;
    let one = store::key_results::list_in_cycle_with_trends(&mut c, ws, cycle)
        .await
        .unwrap();
    let two = store::key_results::list_in_cycle_with_trends_on_two(&mut c, &mut other, ws, cycle)
        .await
        .unwrap();
    assert_eq!(one, two);
    let plain = store::key_results::list(&mut c, ws, None, None, None)
        .await
        .unwrap();
    let one: Vec<_> = one.into_iter().map(|(k, _)| k).collect();
    assert_eq!(one, plain, "the order of the plain read's ORDER BY");
    let codes: Vec<&str> = two.iter().map(|(k, _)| k.code.as_str()).collect();
    assert_eq!(codes.first(), Some(&"ALP-1.1"), "{codes:?}");
    assert_eq!(codes.last(), Some(&"ZET-3.3"), "{codes:?}");
    assert_eq!(codes.len(), 3 + 4 * 6, "{codes:?}");
}

/// A read of a cycle borrows extra connections when the pool has them; many at once must all
/// finish, each on what it can get, never waiting on one another for the pool.
#[tokio::test]
async fn many_status_reads_at_once_all_finish() {
    let app = spawn_app().await;
    app.growth().await;
    let reads = (0..12).map(|_| {
        app.okr
            .status(&app.admin, StatusScope::All, crate::common::now())
    });
    let done = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        futures_util::future::join_all(reads),
    )
    .await
    .expect("twelve status reads finish within 10 s");
    for r in done {
        assert_eq!(r.expect("status").teams.len(), 1);
    }
}

/// A clock that went back (`docs/update-grammar.md`, "What the service checks, in order"): the
/// key result shows its latest check-in by time, not the last one recorded, and `/okr undo`
/// puts back what the history by time says.
#[tokio::test]
async fn a_check_in_stamped_before_the_latest_one_joins_the_history_but_does_not_become_current() {
    let app = spawn_app().await;
    app.growth().await;
    let noon = at("2026-11-16T12:00:00Z");
    let eleven = at("2026-11-16T11:00:00Z");
    let alice = app.user("alice");
    app.okr
        .check_in_text(&alice, "GRO-1.1 10 c8", CheckInSource::Text, None, noon)
        .await
        .expect("10 at 12:00");
    let late = app
        .okr
        .check_in_text(
            &app.admin,
            "GRO-1.1 5 c3",
            CheckInSource::Text,
            None,
            eleven,
        )
        .await
        .expect("5 at 11:00, recorded after");
    let shown = |kr: &okrbot::domain::model::KeyResult| {
        (kr.current, kr.confidence.map(|c| c.get()), kr.last_check_in)
    };
    assert_eq!(shown(&late.kr), (10.0, Some(8), Some(noon)), "the answer");
    let kr = app.okr.kr(&app.admin, "GRO-1.1").await.expect("GRO-1.1");
    assert_eq!(shown(&kr), (10.0, Some(8), Some(noon)), "the stored row");
    let (_, history, _) = app
        .okr
        .history(&app.admin, "GRO-1.1")
        .await
        .expect("history");
    let by_time: Vec<_> = history.iter().map(|c| (c.created_at, c.value)).collect();
    assert_eq!(by_time, [(eleven, 5.0), (noon, 10.0)]);
    assert_eq!(
        check_in(&app, "GRO-1.1 6", eleven).await,
        from_full_history(&app, eleven).await,
        "the trend follows the history by time"
    );

    let undone = app
        .okr
        .undo(&alice, None, noon + Duration::minutes(5))
        .await
        .expect("alice takes back her 12:00 check-in");
    assert_eq!(undone.withdrawn.value, 10.0);
    // 5 and 6 were both stamped 11:00; the later recorded (the larger id) is the latest.
    assert_eq!(shown(&undone.kr), (6.0, Some(3), Some(eleven)));
    let kr = app.okr.kr(&app.admin, "GRO-1.1").await.expect("GRO-1.1");
    assert_eq!(shown(&kr), (6.0, Some(3), Some(eleven)));

    // Half a second back within one second: the stored times compare as times.
    let half = at("2026-11-16T13:00:00.5Z");
    check_in(&app, "GRO-1.1 9", half).await;
    check_in(&app, "GRO-1.1 4", at("2026-11-16T13:00:00Z")).await;
    let kr = app.okr.kr(&app.admin, "GRO-1.1").await.expect("GRO-1.1");
    assert_eq!((kr.current, kr.last_check_in), (9.0, Some(half)));
}
