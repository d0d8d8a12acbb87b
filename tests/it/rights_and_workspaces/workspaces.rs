//! workspaces.

use super::*;

// ---------------------------------------------------------------------------------------------
// workspaces
// ---------------------------------------------------------------------------------------------

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
    let gro_1_1_id: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT id FROM key_results WHERE workspace_id = $1 AND number = 1"
    )
    .bind(app.workspace.0)
    .fetch_one(db)
    .await)
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
        &["there is no cycle yet", "/okr cycle new"],
    );
    assert!(app.okr.teams(&empty).await.unwrap().is_empty());
    assert!(app.okr.cycles(&empty).await.unwrap().is_empty());
}
