//! Who may do what, and that nothing crosses a workspace (`docs/permissions.md`): ids
//! and codes from another workspace are answered as unknown, never as forbidden.

use crate::common;

use crate::common::{assert_mentions, date, now, spawn_app, TestApp};
use okrbot::console::text;
use okrbot::domain::model::CheckInSource;
use okrbot::render;
use okrbot::service::check_in::UpdateFields;
use okrbot::service::objectives::{KrEdit, KrInput, ObjectiveEdit, ObjectiveInput};
use okrbot::service::report::StatusScope;
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, OkrError};

/// Runs a refused command: returns its error after checking the database is exactly as it was.
macro_rules! refused {
    ($app:expr, $call:expr) => {{
        let before = $app.rows().await;
        let err: OkrError = match $call.await {
            Ok(_) => panic!("expected {} to be refused", stringify!($call)),
            Err(e) => e,
        };
        assert!(!err.is_internal(), "a refusal, not a failure: {err:?}");
        let after = $app.rows().await;
        assert_eq!(
            after,
            before,
            "{} was refused ({err}) but changed the database",
            stringify!($call)
        );
        err
    }};
}

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

// ---- rights -----------------------------------------------------------------------------------

#[tokio::test]
async fn a_non_admin_cannot_set_up_a_team_and_nothing_is_written() {
    let app = growth().await;
    // Not even the lead of the team being changed: setup is the admin's.
    for (who, team) in [("dave", "Platform"), ("alice", "Growth")] {
        let input = SetupInput {
            team: team.into(),
            timezone: Some("UTC".into()),
            leads: Some(vec![who.into()]),
            ..Default::default()
        };
        let err = refused!(app, app.okr.setup(&app.user(who), input, now()));
        assert!(matches!(err, OkrError::Forbidden { .. }), "{err:?}");
        assert_mentions(
            &err.to_string(),
            &["only a workspace admin", "set up teams"],
        );
    }
}

#[tokio::test]
async fn a_non_lead_cannot_add_objectives_and_is_told_who_may() {
    let app = growth().await;
    // bob owns a key result of Growth but does not lead it.
    for who in ["dave", "bob"] {
        let err = refused!(
            app,
            app.okr
                .objective_add(&app.user(who), objective("Delight new users"), now())
        );
        assert!(matches!(err, OkrError::Forbidden { .. }), "{err:?}");
        assert_mentions(
            &err.to_string(),
            &[
                "only the lead of Growth (alice)",
                "add objectives",
                "ask them",
            ],
        );
    }
}

#[tokio::test]
async fn a_non_lead_cannot_add_key_results_and_is_told_who_may() {
    let app = growth().await;
    for who in ["dave", "bob"] {
        let err = refused!(
            app,
            app.okr.kr_add(
                &app.user(who),
                metric("GRO-1", "Grow weekly signups"),
                now()
            )
        );
        assert!(matches!(err, OkrError::Forbidden { .. }), "{err:?}");
        assert_mentions(
            &err.to_string(),
            &[
                "only the lead of Growth (alice)",
                "add key results",
                "ask them",
            ],
        );
    }
}

#[tokio::test]
async fn the_lead_can_add_objectives_and_key_results_without_being_admin() {
    let app = growth().await;
    let alice = app.user("alice");
    let o = app
        .okr
        .objective_add(&alice, objective("Delight new users"), now())
        .await
        .expect("the lead adds an objective");
    assert_eq!(o.code, "GRO-2");
    let kr = app
        .okr
        .kr_add(&alice, metric("GRO-2", "Grow weekly signups"), now())
        .await
        .expect("the lead adds a key result");
    assert_eq!(kr.code, "GRO-2.1");
}

#[tokio::test]
async fn a_non_lead_cannot_edit_or_remove_key_results_or_objectives() {
    let app = growth().await;
    let bob = app.user("bob");
    let edit = KrEdit {
        target: Some("5".into()),
        ..Default::default()
    };
    let err = refused!(app, app.okr.kr_edit(&bob, "GRO-1.2", edit));
    assert_mentions(
        &err.to_string(),
        &["only the lead of Growth (alice)", "edit key results"],
    );
    let err = refused!(app, app.okr.kr_remove(&bob, "GRO-1.2"));
    assert_mentions(
        &err.to_string(),
        &["only the lead of Growth (alice)", "remove key results"],
    );
    let edit = ObjectiveEdit {
        title: Some("Bob's objective now".into()),
        ..Default::default()
    };
    let err = refused!(app, app.okr.objective_edit(&bob, "GRO-1", edit));
    assert_mentions(
        &err.to_string(),
        &["only the lead of Growth (alice)", "edit objectives"],
    );
    let err = refused!(app, app.okr.objective_close(&bob, "GRO-1"));
    assert_mentions(
        &err.to_string(),
        &["only the lead of Growth (alice)", "close objectives"],
    );
}

#[tokio::test]
async fn someone_who_leads_no_team_cannot_open_or_close_cycles() {
    let app = growth().await;
    let bob = app.user("bob");
    let err = refused!(
        app,
        app.okr.cycle_new(
            &bob,
            "2027-Q1",
            date("2027-01-01"),
            date("2027-03-31"),
            now()
        )
    );
    assert_mentions(
        &err.to_string(),
        &["only an admin or a team lead", "manage cycles"],
    );
    let err = refused!(app, app.okr.cycle_close(&bob, "2026-Q4", now()));
    assert_mentions(
        &err.to_string(),
        &["only an admin or a team lead", "manage cycles"],
    );
}

#[tokio::test]
async fn someone_who_neither_owns_nor_leads_cannot_check_in_on_a_key_result() {
    let app = growth().await;
    // dave has nothing to do with Growth; carol owns GRO-1.3 but not GRO-1.2.
    for who in ["dave", "carol"] {
        let err = refused!(app, update(&app, &app.user(who), "GRO-1.2 96"));
        assert!(matches!(err, OkrError::Forbidden { .. }), "{err:?}");
        assert_mentions(
            &err.to_string(),
            &[
                "only its owner (bob) or the lead of Growth (alice)",
                "check in on GRO-1.2",
            ],
        );
    }
    let form = UpdateFields {
        kr: "GRO-1.1",
        value: "9",
        confidence: Some("8"),
        note: None,
    };
    let err = refused!(
        app,
        app.okr.check_in_fields(
            &app.user("bob"),
            &form,
            CheckInSource::Modal,
            Some("bob-1".into()),
            now()
        )
    );
    assert_mentions(
        &err.to_string(),
        &["only its owner (alice)", "check in on GRO-1.1"],
    );
    let err = refused!(
        app,
        app.okr.check_in_bulk(
            &app.user("dave"),
            "GRO-1.3 done\n",
            CheckInSource::Text,
            now()
        )
    );
    assert_mentions(&err.to_string(), &["line 1", "only its owner (carol)"]);
}

#[tokio::test]
async fn the_owner_and_the_lead_can_check_in_on_a_key_result() {
    let app = growth().await;
    update(&app, &app.user("bob"), "GRO-1.2 96 c8")
        .await
        .expect("bob owns GRO-1.2");
    update(&app, &app.user("alice"), "GRO-1.2 97")
        .await
        .expect("alice leads Growth");
    update(&app, &app.user("carol"), "GRO-1.3 done")
        .await
        .expect("carol owns GRO-1.3");
    let authors: Vec<(String, f64)> =
        sqlx::query_as("SELECT author, value FROM check_ins ORDER BY id")
            .fetch_all(app.okr.store().pool())
            .await
            .unwrap();
    assert_eq!(
        authors,
        vec![
            ("bob".to_owned(), 96.0),
            ("alice".to_owned(), 97.0),
            ("carol".to_owned(), 1.0)
        ]
    );
}

// ---- workspaces -------------------------------------------------------------------------------

/// A message with the quoted reference swapped for a placeholder, to compare the shape of two
/// answers (examples in the message, like "such as GRO-1", stay as they are).
fn shape(msg: &str, reference: &str) -> String {
    assert!(
        msg.contains(&format!("\"{reference}\"")),
        "the answer quotes {reference}: {msg}"
    );
    msg.replace(&format!("\"{reference}\""), "\"<ref>\"")
}

#[tokio::test]
async fn a_key_result_code_from_another_workspace_is_answered_as_unknown_and_writes_nothing() {
    let app = growth().await;
    let b = globex(&app).await;
    let gro_1_1_id: i64 =
        sqlx::query_scalar("SELECT id FROM key_results WHERE workspace_id = ? AND number = 1")
            .bind(app.workspace.0)
            .fetch_one(app.okr.store().pool())
            .await
            .unwrap();

    // globex's admin may check in on anything in globex, so a leak would show as a write or as
    // a different answer; GRO-1.1 exists in acme only, ZZZ-1.1 nowhere.
    let theirs = refused!(app, update(&app, &b, "GRO-1.1 9")).to_string();
    let nowhere = refused!(app, update(&app, &b, "ZZZ-1.1 9")).to_string();
    assert_mentions(&theirs, &["no key result \"GRO-1.1\" here", "/okr kr list"]);
    assert_eq!(shape(&theirs, "GRO-1.1"), shape(&nowhere, "ZZZ-1.1"));

    // A title part matches only this workspace's key results: acme's two "onboarding" key
    // results neither make it ambiguous nor turn up as a suggestion.
    for line in [
        "onboarding 9",
        "Reduce onboarding time 9",
        "\"onboarding\" 9",
    ] {
        let msg = refused!(app, update(&app, &b, line)).to_string();
        assert_mentions(&msg, &["no key result", "/okr kr list"]);
        assert!(!msg.contains("GRO"), "acme's codes leak into globex: {msg}");
    }

    // The same by numeric id, by the typed form, and in a bulk update.
    let theirs = refused!(app, update(&app, &b, &format!("#{gro_1_1_id} 9"))).to_string();
    let nowhere = refused!(app, update(&app, &b, "#98765 9")).to_string();
    assert_eq!(
        shape(&theirs, &format!("#{gro_1_1_id}")),
        shape(&nowhere, "#98765")
    );
    let form = |kr: &'static str| UpdateFields {
        kr,
        value: "9",
        confidence: None,
        note: None,
    };
    let theirs = refused!(
        app,
        app.okr
            .check_in_fields(&b, &form("GRO-1.1"), CheckInSource::Slash, None, now())
    )
    .to_string();
    let nowhere = refused!(
        app,
        app.okr
            .check_in_fields(&b, &form("ZZZ-1.1"), CheckInSource::Slash, None, now())
    )
    .to_string();
    assert_eq!(shape(&theirs, "GRO-1.1"), shape(&nowhere, "ZZZ-1.1"));
    let theirs = refused!(
        app,
        app.okr
            .check_in_bulk(&b, "SAL-1.1 3\nGRO-1.1 9\n", CheckInSource::Text, now())
    )
    .to_string();
    let nowhere = refused!(
        app,
        app.okr
            .check_in_bulk(&b, "SAL-1.1 3\nZZZ-1.1 9\n", CheckInSource::Text, now())
    )
    .to_string();
    assert_mentions(&theirs, &["line 2", "no key result \"GRO-1.1\" here"]);
    assert_eq!(shape(&theirs, "GRO-1.1"), shape(&nowhere, "ZZZ-1.1"));

    // Reading and editing by code are just as blind.
    let theirs = refused!(app, app.okr.history(&b, "GRO-1.1")).to_string();
    let nowhere = refused!(app, app.okr.history(&b, "ZZZ-1.1")).to_string();
    assert_eq!(shape(&theirs, "GRO-1.1"), shape(&nowhere, "ZZZ-1.1"));
    let edit = || KrEdit {
        title: Some("Taken over".into()),
        ..Default::default()
    };
    let theirs = refused!(app, app.okr.kr_edit(&b, "GRO-1.1", edit())).to_string();
    let nowhere = refused!(app, app.okr.kr_edit(&b, "ZZZ-1.1", edit())).to_string();
    assert_eq!(shape(&theirs, "GRO-1.1"), shape(&nowhere, "ZZZ-1.1"));
}

#[tokio::test]
async fn an_objective_code_from_another_workspace_is_answered_as_unknown_and_writes_nothing() {
    let app = growth().await;
    let b = globex(&app).await;
    let theirs = refused!(
        app,
        app.okr
            .kr_add(&b, metric("GRO-1", "Steal a key result"), now())
    )
    .to_string();
    let nowhere = refused!(
        app,
        app.okr
            .kr_add(&b, metric("ZZZ-1", "Steal a key result"), now())
    )
    .to_string();
    assert_mentions(&theirs, &["objective \"GRO-1\" is unknown here"]);
    assert_eq!(shape(&theirs, "GRO-1"), shape(&nowhere, "ZZZ-1"));
    let theirs = refused!(app, app.okr.objective_close(&b, "GRO-1")).to_string();
    let nowhere = refused!(app, app.okr.objective_close(&b, "ZZZ-1")).to_string();
    assert_eq!(shape(&theirs, "GRO-1"), shape(&nowhere, "ZZZ-1"));
    // A team of another workspace is unknown too, and the hint lists only this workspace's teams.
    let err = refused!(
        app,
        app.okr
            .objective_add(&b, objective("Steal an objective"), now())
    )
    .to_string();
    assert_mentions(
        &err,
        &["team \"Growth\" is unknown here", "the teams are Sales"],
    );
}

#[tokio::test]
async fn status_and_export_of_one_workspace_show_nothing_of_another() {
    let app = growth().await;
    update(
        &app,
        &app.admin,
        "GRO-1.1 11 c8 secret acme onboarding note",
    )
    .await
    .expect("a check-in in acme");
    let b = globex(&app).await;
    let leaks = [
        "Growth",
        "GRO-",
        "onboarding",
        "alice",
        "bob",
        "carol",
        "secret",
        "Europe/Berlin",
    ];
    let assert_no_leak = |what: &str, text: &str| {
        for leak in leaks {
            assert!(
                !text.contains(leak),
                "{what} of globex shows {leak:?} of acme:\n{text}"
            );
        }
    };

    for scope in [
        StatusScope::All,
        StatusScope::Me,
        StatusScope::Team("Sales".into()),
    ] {
        let report = app
            .okr
            .status(&b, scope.clone(), now())
            .await
            .expect("status of globex");
        assert!(
            report.teams.iter().all(|t| t.team.name == "Sales"),
            "{scope:?}: {:?}",
            report
                .teams
                .iter()
                .map(|t| &t.team.name)
                .collect::<Vec<_>>()
        );
        assert_no_leak("status", &text::render(&render::status_message(&report)));
    }
    let doc = app.okr.export(&b, now()).await.expect("export of globex");
    assert_eq!(
        doc.teams
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Sales"]
    );
    assert_eq!(
        doc.objectives
            .iter()
            .map(|o| o.code.as_str())
            .collect::<Vec<_>>(),
        ["SAL-1"]
    );
    assert_eq!(doc.cycles.len(), 1, "only globex's own 2026-Q4");
    for (format, text) in [
        ("json", okrbot::render::export::to_json(&doc)),
        ("csv", okrbot::render::export::to_csv(&doc)),
        ("markdown", okrbot::render::export::to_markdown(&doc)),
    ] {
        assert_no_leak(format, &text);
    }

    // Asking globex about acme's team or objective by name is answered as unknown.
    let err = app
        .okr
        .status(&b, StatusScope::Team("Growth".into()), now())
        .await
        .unwrap_err()
        .to_string();
    assert_mentions(
        &err,
        &["team \"Growth\" is unknown here", "the teams are Sales"],
    );
    let err = app
        .okr
        .status(&b, StatusScope::Objective("GRO-1".into()), now())
        .await
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["objective \"GRO-1\" is unknown here"]);

    // And the other way round: acme sees nothing of globex.
    let doc = app
        .okr
        .export(&app.admin, now())
        .await
        .expect("export of acme");
    let json = okrbot::render::export::to_json(&doc);
    for leak in ["Sales", "SAL-", "sam", "enterprise", "America/New_York"] {
        assert!(
            !json.contains(leak),
            "acme's export shows {leak:?}:\n{json}"
        );
    }
}

#[tokio::test]
async fn a_workspace_with_nothing_set_up_shows_nothing_of_another() {
    let app = growth().await;
    let empty = app.other_workspace("console:initech", "initech").await;
    let doc = app.okr.export(&empty, now()).await.expect("empty export");
    assert!(doc.teams.is_empty() && doc.cycles.is_empty() && doc.objectives.is_empty());
    let err = app
        .okr
        .status(&empty, StatusScope::All, now())
        .await
        .unwrap_err();
    // Not acme's open cycle: this workspace has none.
    assert_mentions(
        &err.to_string(),
        &["there is no open cycle", "/okr cycle new"],
    );
    assert!(app.okr.teams(&empty).await.unwrap().is_empty());
    assert!(app.okr.cycles(&empty).await.unwrap().is_empty());
}

// ---- idempotency ------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_idempotency_key_twice_records_one_check_in() {
    let app = growth().await;
    let bob = app.user("bob");
    let form = UpdateFields {
        kr: "GRO-1.2",
        value: "96",
        confidence: Some("8"),
        note: Some("pressed twice"),
    };
    let first = app
        .okr
        .check_in_fields(
            &bob,
            &form,
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("the first press records");
    assert!(!first.duplicate);
    let after_first = app.rows().await;

    let second = app
        .okr
        .check_in_fields(
            &bob,
            &form,
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("the second press is answered, not refused");
    assert!(
        second.duplicate,
        "the second outcome says it was a duplicate"
    );
    assert_eq!(second.check_in, first.check_in);
    assert_eq!(second.kr.current, 96.0);
    assert_eq!(app.count("check_ins").await, 1);
    assert_eq!(
        app.rows().await,
        after_first,
        "the second press wrote nothing"
    );

    // A later press with a different value but the same key (a redelivered event carrying
    // stale data) is still the same check-in.
    let redelivered = UpdateFields {
        value: "80",
        ..form
    };
    let third = app
        .okr
        .check_in_fields(
            &bob,
            &redelivered,
            CheckInSource::Button,
            Some("key-1".into()),
            common::at("2026-11-16T10:05:00Z"),
        )
        .await
        .expect("answered as a replay");
    assert!(third.duplicate);
    assert_eq!(app.rows().await, after_first);

    // A new key is a new check-in.
    app.okr
        .check_in_fields(
            &bob,
            &form,
            CheckInSource::Button,
            Some("key-2".into()),
            now(),
        )
        .await
        .expect("a new key records");
    assert_eq!(app.count("check_ins").await, 2);
}

#[tokio::test]
async fn an_idempotency_key_used_in_another_workspace_does_not_swallow_a_check_in() {
    let app = growth().await;
    let b = globex(&app).await;
    let form = |kr: &'static str| UpdateFields {
        kr,
        value: "5",
        confidence: None,
        note: None,
    };
    let a = app
        .okr
        .check_in_fields(
            &app.admin,
            &form("GRO-1.1"),
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("acme records");
    let g = app
        .okr
        .check_in_fields(
            &b,
            &form("SAL-1.1"),
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("globex records");
    assert!(!a.duplicate && !g.duplicate);
    assert_eq!(
        g.kr.code, "SAL-1.1",
        "globex's answer is about its own key result"
    );
    assert_eq!(app.count("check_ins").await, 2);
}
