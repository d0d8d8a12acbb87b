//! Teams led by a group (a Discord role): everyone holding it leads, and the lead's notices go
//! to the team's channel with the role mentioned, since a role cannot be messaged directly.

use crate::common;

use crate::common::{now, spawn_app};
use okrbot::domain::model::Member;
use okrbot::service::objectives::ObjectiveInput;
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, OkrError};

const ROLE: &str = "<@&777>";

fn member(app: &common::TestApp, name: &str, roles: &[&str]) -> Actor {
    Actor {
        roles: roles.iter().map(|r| r.to_string()).collect(),
        ..app.user(name)
    }
}

async fn role_led_team(app: &common::TestApp) {
    let input = SetupInput {
        team: "Growth".into(),
        timezone: Some("Europe/Berlin".into()),
        channel: Some("growth".into()),
        leads: Some(vec![Member::Group(ROLE.into())]),
        ..SetupInput::default()
    };
    app.okr.setup(&app.admin, input, now()).await.expect("team");
    app.okr
        .cycle_new(
            &app.admin,
            "2026-Q4",
            common::date("2026-10-01"),
            common::date("2026-12-31"),
            now(),
        )
        .await
        .expect("cycle");
}

fn objective() -> ObjectiveInput {
    ObjectiveInput {
        team: "Growth".into(),
        title: "Make onboarding effortless".into(),
        ..ObjectiveInput::default()
    }
}

#[tokio::test]
async fn a_member_holding_the_lead_role_may_do_what_a_lead_does() {
    let app = spawn_app().await;
    role_led_team(&app).await;
    let holder = member(&app, "<@1>", &[ROLE]);
    let o = app
        .okr
        .objective_add(&holder, objective(), now())
        .await
        .expect("a role holder leads");
    assert_eq!(o.code, "GRO-1");
}

#[tokio::test]
async fn a_member_without_the_role_is_refused_and_told_who_may() {
    let app = spawn_app().await;
    role_led_team(&app).await;
    let other = member(&app, "<@2>", &["<@&888>"]);
    let err = app
        .okr
        .objective_add(&other, objective(), now())
        .await
        .expect_err("not a lead");
    assert!(matches!(err, OkrError::Forbidden { .. }), "{err}");
    assert!(err.to_string().contains(ROLE), "{err}");
}

#[tokio::test]
async fn a_role_holder_may_manage_cycles_like_any_lead() {
    let app = spawn_app().await;
    role_led_team(&app).await;
    let holder = member(&app, "<@1>", &[ROLE]);
    app.okr
        .cycle_new(
            &holder,
            "2027-Q1",
            common::date("2027-01-01"),
            common::date("2027-03-31"),
            now(),
        )
        .await
        .expect("a role holder may start a cycle");
    let outsider = member(&app, "<@2>", &[]);
    let err = app
        .okr
        .cycle_new(
            &outsider,
            "2027-Q2",
            common::date("2027-04-01"),
            common::date("2027-06-30"),
            now(),
        )
        .await
        .expect_err("not a lead of any team");
    assert!(matches!(err, OkrError::Forbidden { .. }), "{err}");
}

#[tokio::test]
async fn a_role_led_team_hears_about_ignored_prompts_in_its_channel_with_the_role_mentioned() {
    use okrbot::outbox::{DeliveryKind, Recipient, RecordingOutbox};
    use okrbot::scheduler::Scheduler;
    use okrbot::service::objectives::KrInput;

    let app = spawn_app().await;
    let start = common::at("2026-10-01T10:00:00Z");
    let input = SetupInput {
        team: "Growth".into(),
        timezone: Some("Europe/Berlin".into()),
        channel: Some("growth".into()),
        leads: Some(vec![Member::Group(ROLE.into())]),
        ..SetupInput::default()
    };
    app.okr.setup(&app.admin, input, start).await.expect("team");
    app.okr
        .cycle_new(
            &app.admin,
            "2026-Q4",
            common::date("2026-10-01"),
            common::date("2026-12-31"),
            start,
        )
        .await
        .expect("cycle");
    let o = app
        .okr
        .objective_add(&app.admin, objective(), start)
        .await
        .expect("objective");
    let kr = KrInput {
        objective: o.code,
        title: "Reduce onboarding time".into(),
        start: Some("14".into()),
        target: Some("7".into()),
        owner: Some("<@5>".into()),
        ..KrInput::default()
    };
    app.okr
        .kr_add(&app.admin, kr, start)
        .await
        .expect("key result");

    // Four Mondays in which the owner never answers: the 4th goes to the lead role instead.
    let scheduler = Scheduler::new(app.okr.clone());
    let outbox = RecordingOutbox::new();
    let end = common::at("2026-10-27T00:00:00Z");
    while let Some(next) = scheduler.next_wake().await.expect("next") {
        if next > end {
            break;
        }
        scheduler.tick(next, &outbox).await.expect("tick");
    }
    let reports: Vec<_> = outbox
        .sent()
        .into_iter()
        .filter(|d| d.kind == DeliveryKind::LeadReport)
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].recipient, Recipient::Channel("growth".into()));
    assert!(
        reports[0].message.mentions.contains(&ROLE.to_string()),
        "{:?}",
        reports[0].message.mentions
    );
}
