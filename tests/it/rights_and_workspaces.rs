//! Who may do what, and that nothing crosses a workspace (`docs/permissions.md`): ids
//! and codes from another workspace are answered as unknown, never as forbidden.

use crate::common;

use crate::common::{assert_mentions, date, now, refused, spawn_app, TestApp};
use okrbot::console::text;
use okrbot::domain::grammar::UpdateFields;
use okrbot::domain::model::CheckInSource;
use okrbot::render;
use okrbot::service::objectives::{KrEdit, KrInput, ObjectiveEdit, ObjectiveInput};
use okrbot::service::report::StatusScope;
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, OkrError};

async fn growth() -> TestApp {
    let app = spawn_app().await;
    app.growth().await;
    app
}

async fn update(
    app: &TestApp,
    actor: &Actor,
    line: &str,
) -> Result<okrbot::service::check_in::CheckInOutcome, OkrError> {
    app.okr
        .check_in_text(actor, line, CheckInSource::Text, None, now())
        .await
}

fn objective(title: &str) -> ObjectiveInput {
    ObjectiveInput {
        team: "Growth".into(),
        title: title.into(),
        ..Default::default()
    }
}

fn metric(objective: &str, title: &str) -> KrInput {
    KrInput {
        objective: objective.into(),
        title: title.into(),
        start: Some("100".into()),
        target: Some("200".into()),
        ..Default::default()
    }
}

/// A second workspace `globex` with its own team Sales (prefix SAL, lead sam), the same cycle
/// name, objective SAL-1 and key result SAL-1.1 "Close enterprise deals".
async fn globex(app: &TestApp) -> Actor {
    let b = app.other_workspace("console:globex", "globex").await;
    app.okr
        .setup(
            &b,
            SetupInput {
                team: "Sales".into(),
                timezone: Some("America/New_York".into()),
                prefix: Some("SAL".into()),
                leads: Some(vec!["sam".into()]),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("setup Sales");
    app.okr
        .cycle_new(&b, "2026-Q4", date("2026-10-01"), date("2026-12-31"), now())
        .await
        .expect("globex's own 2026-Q4");
    let o = app
        .okr
        .objective_add(
            &b,
            ObjectiveInput {
                team: "Sales".into(),
                title: "Win the enterprise market".into(),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("SAL-1");
    assert_eq!(o.code, "SAL-1");
    let kr = app
        .okr
        .kr_add(
            &b,
            KrInput {
                objective: "SAL-1".into(),
                title: "Close enterprise deals".into(),
                start: Some("0".into()),
                target: Some("12".into()),
                owner: Some("sam".into()),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("SAL-1.1");
    assert_eq!(kr.code, "SAL-1.1");
    b
}

mod idempotency;
mod rights;
mod workspaces;
