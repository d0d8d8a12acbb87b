//! rights.

use super::*;

// ---------------------------------------------------------------------------------------------
// rights
// ---------------------------------------------------------------------------------------------

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
    let err = refused!(app, app.okr.kr_remove(&bob, "GRO-1.2", now()));
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
    let authors: Vec<(String, f64)> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_as(
        "SELECT author, value FROM check_ins ORDER BY id"
    )
    .fetch_all(db)
    .await)
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

/// Aligning under another team's objective is that objective's to accept: Platform's lead cannot
/// hang PLA-1 under Growth's GRO-1 alone; GRO-1's owner (Growth's lead) or an admin can. Within
/// a team, its own lead decides.
#[tokio::test]
async fn aligning_under_another_teams_objective_needs_that_objectives_lead() {
    let app = growth().await;
    app.okr
        .setup(
            &app.admin,
            SetupInput {
                team: "Platform".into(),
                timezone: Some("UTC".into()),
                prefix: Some("PLA".into()),
                leads: Some(vec!["pat".into()]),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("Platform");
    app.okr
        .objective_add(
            &app.admin,
            ObjectiveInput {
                team: "Platform".into(),
                title: "Faster builds".into(),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("PLA-1");
    let pat = app.user("pat");
    let err = refused!(app, app.okr.objective_align(&pat, "PLA-1", Some("GRO-1")));
    assert!(matches!(err, OkrError::Forbidden { .. }), "{err:?}");
    assert_mentions(
        &err.to_string(),
        &["align PLA-1 under GRO-1", "Growth", "alice"],
    );
    assert_eq!(app.okr.objective(&pat, "PLA-1").await.unwrap().parent, None);
    // Nor may a Growth member who leads nothing.
    let refused_bob = refused!(
        app,
        app.okr
            .objective_align(&app.user("bob"), "PLA-1", Some("GRO-1"))
    );
    assert!(matches!(refused_bob, OkrError::Forbidden { .. }));
    // GRO-1's owner accepts it; Platform's lead may take it out again.
    let alice = app.user("alice");
    let aligned = app
        .okr
        .objective_align(&alice, "PLA-1", Some("GRO-1"))
        .await
        .expect("GRO-1's owner aligns it");
    assert!(aligned.parent.is_some());
    app.okr
        .objective_align(&pat, "PLA-1", None)
        .await
        .expect("Platform's lead unaligns its own objective");
    // An admin may too.
    app.okr
        .objective_align(&app.admin, "PLA-1", Some("GRO-1"))
        .await
        .expect("an admin aligns it");
}
