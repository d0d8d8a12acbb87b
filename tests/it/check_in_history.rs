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
async fn from_full_history(app: &TestApp, when: DateTime<Utc>) -> KrScore {
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
