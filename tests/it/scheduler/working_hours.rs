//! Posts to a team keep to its working hours (`docs/schedules-and-delivery.md`, "Working
//! hours"): an alert decided at night waits for 09:00 local, unless the team opted out.

use super::*;

/// Team Sales in New York with one metric that is far behind pace once checked in low.
async fn sales(app: &TestApp, when: DateTime<Utc>) {
    team(app, "Sales", "America/New_York", "SAL", "lena", when).await;
    q4(app, when).await;
    let o = objective(app, "Sales", "Grow the pipeline", when).await;
    metric(app, &o, "Qualified leads", "alice", when).await;
}

#[tokio::test]
async fn an_alert_decided_at_midnight_local_goes_out_at_nine_and_never_before() {
    let app = spawn_app().await;
    // Tue 2026-12-01 04:00Z is 23:00 Monday in New York.
    let start = at("2026-12-01T04:00:00Z");
    sales(&app, start).await;
    check_in(&app, "alice", "SAL-1.1 5 c2", start).await;
    let mut sim = Sim::new(&app.okr, start);
    // Decided at 23:00 local, the alert waits through the night.
    let night = sim.run_until(at("2026-12-01T13:59:00Z")).await;
    assert!(of_kind(&night, DeliveryKind::Alert).is_empty(), "{night:?}");
    let morning = sim.run_until(at("2026-12-01T14:00:00Z")).await;
    let alerts = of_kind(&morning, DeliveryKind::Alert);
    assert_eq!(alerts.len(), 1, "{morning:?}");
    assert_eq!(alerts[0].due, at("2026-12-01T14:00:00Z"));
    assert_eq!(alerts[0].recipient, Recipient::Channel("sales".into()));
}

#[tokio::test]
async fn the_cycle_close_waits_for_monday_and_a_team_that_opts_out_hears_at_once() {
    let app = spawn_app().await;
    // Saturday 2027-01-02 09:00Z is 04:00 in New York.
    let saturday = at("2027-01-02T09:00:00Z");
    sales(&app, at("2026-12-01T15:00:00Z")).await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", saturday)
        .await
        .expect("closed");
    let mut sim = Sim::new(&app.okr, saturday);
    let weekend = sim.run_until(at("2027-01-04T13:59:00Z")).await;
    assert!(
        of_kind(&weekend, DeliveryKind::CycleClose).is_empty(),
        "{weekend:?}"
    );
    let monday = sim.run_until(at("2027-01-04T14:00:00Z")).await;
    assert_eq!(
        of_kind(&monday, DeliveryKind::CycleClose).len(),
        1,
        "{monday:?}"
    );

    let app = spawn_app().await;
    sales(&app, at("2026-12-01T15:00:00Z")).await;
    at_any_hour(&app, "Sales", at("2026-12-01T15:00:00Z")).await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", saturday)
        .await
        .expect("closed");
    let mut sim = Sim::new(&app.okr, saturday);
    let now = sim.tick_at(saturday).await;
    assert_eq!(of_kind(&now, DeliveryKind::CycleClose).len(), 1, "{now:?}");
}

#[tokio::test]
async fn hours_that_cannot_be_read_are_refused_and_the_schedule_says_the_hours() {
    let app = spawn_app().await;
    sales(&app, at("2026-12-01T15:00:00Z")).await;
    let change = okrbot::service::schedule::ScheduleChange {
        hours: Some("9-5".into()),
        ..Default::default()
    };
    let err = app
        .okr
        .schedule_set(&app.admin, "Sales", change, at("2026-12-01T15:00:00Z"))
        .await
        .expect_err("refused");
    assert_mentions(
        &err.to_string(),
        &["\"9-5\"", "hours:\"09:00-18:00 Mon-Fri\""],
    );
    let change = okrbot::service::schedule::ScheduleChange {
        hours: Some("08:30-17:00 Mon-Thu".into()),
        ..Default::default()
    };
    let view = app
        .okr
        .schedule_set(&app.admin, "Sales", change, at("2026-12-01T15:00:00Z"))
        .await
        .expect("set");
    assert_eq!(view.team.hours.text(), "08:30-17:00 Mon-Thu");
    let again = app
        .okr
        .schedule_show(&app.admin, "Sales", at("2026-12-01T15:00:00Z"))
        .await
        .unwrap();
    assert_eq!(again.team.hours, view.team.hours);
    // The hours travel with an export.
    let doc = app
        .okr
        .export(&app.admin, at("2026-12-01T15:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        doc.teams[0].working_hours.as_deref(),
        Some("08:30-17:00 Mon-Thu")
    );
    let fresh = app.other_workspace("console:globex", "globex").await;
    app.okr
        .import(&fresh, &doc, at("2026-12-01T15:00:00Z"))
        .await
        .expect("import");
    let imported = app.okr.team(&fresh, "Sales").await.unwrap();
    assert_eq!(imported.hours, view.team.hours);
}

/// Everything a team is to be told overnight (two key results into red at different hours and a
/// KPI out of its range) is one post at 09:00, not three at the same minute.
#[tokio::test]
async fn a_nights_alerts_are_one_post_at_nine() {
    let app = spawn_app().await;
    // Tue 2026-12-01 04:00Z is 23:00 Monday in New York.
    let start = at("2026-12-01T04:00:00Z");
    sales(&app, start).await;
    metric(&app, "SAL-1", "Demos booked", "bob", start).await;
    app.okr
        .kpi_add(
            &app.admin,
            okrbot::service::kpis::KpiInput {
                team: "Sales".into(),
                name: "win rate".into(),
                unit: Some("percent".into()),
                min: Some("20".into()),
                owner: Some("bob".into()),
                ..Default::default()
            },
            start,
        )
        .await
        .expect("KPI added");
    let mut sim = Sim::new(&app.okr, start);
    check_in(&app, "alice", "SAL-1.1 5 c2", start).await;
    sim.run_until(start + Duration::hours(2)).await;
    check_in(&app, "bob", "SAL-1.2 5 c2", start + Duration::hours(2)).await;
    sim.run_until(start + Duration::hours(3)).await;
    app.okr
        .kpi_set(
            &app.user("bob"),
            "win rate",
            "12%",
            start + Duration::hours(3),
        )
        .await
        .expect("reading");
    let night = sim.run_until(at("2026-12-01T13:59:00Z")).await;
    assert!(
        night
            .iter()
            .all(|d| !matches!(d.kind, DeliveryKind::Alert | DeliveryKind::KpiAlert)),
        "{night:?}"
    );
    let morning = sim.run_until(at("2026-12-01T14:30:00Z")).await;
    let told: Vec<_> = morning
        .iter()
        .filter(|d| matches!(d.kind, DeliveryKind::Alert | DeliveryKind::KpiAlert))
        .collect();
    assert_eq!(told.len(), 1, "{told:#?}");
    assert_eq!(told[0].kind, DeliveryKind::Alert);
    assert_eq!(told[0].due, at("2026-12-01T14:00:00Z"));
    let said = text(&told[0].message);
    assert_mentions(
        &said,
        &[
            "SAL-1.1",
            "SAL-1.2",
            "KPI win rate is below its healthy range",
        ],
    );
    assert!(
        told[0]
            .message
            .actions
            .iter()
            .any(|a| a.kind == ActionKind::StartOkr),
        "the KPI's Start an OKR rides along: {:?}",
        told[0].message.actions
    );
}
