//! Values as people write them (`docs/update-grammar.md`): digit groups with spaces, unit words,
//! magnitudes, negative starts, relative targets and free units, through the real service and
//! SQLite, from `kr add` to the stored row and back out of an export.

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};
use okrbot::domain::model::{KeyResult, Unit};
use okrbot::service::objectives::{KrEdit, KrInput};

/// The Growth team with one more key result, GRO-1.4, defined by `input` (objective GRO-1).
async fn growth_with(input: KrInput) -> (TestApp, KeyResult) {
    let app = spawn_app().await;
    app.growth().await;
    let input = KrInput {
        objective: "GRO-1".into(),
        owner: Some("alice".into()),
        ..input
    };
    let kr = app
        .okr
        .kr_add(&app.admin, input, now())
        .await
        .expect("GRO-1.4 is added");
    assert_eq!(kr.code, "GRO-1.4");
    (app, kr)
}

fn metric(title: &str, unit: Option<&str>, start: &str, target: &str) -> KrInput {
    KrInput {
        title: title.into(),
        kind: Some("metric".into()),
        unit: unit.map(Into::into),
        start: Some(start.into()),
        target: Some(target.into()),
        ..Default::default()
    }
}

/// The newest check-in row as the database holds it.
async fn last_check_in(app: &TestApp) -> serde_json::Value {
    let rows = app.rows().await;
    let last = rows.table("check_ins").last().expect("a check-in");
    serde_json::from_str(last).expect("a JSON row")
}

#[tokio::test]
async fn a_number_grouped_with_spaces_is_recorded_whole_and_the_rest_is_the_note() {
    let (app, _) = growth_with(metric("Weekly signups", None, "0", "5000")).await;
    let o = app.update("GRO-1.4 1 200 shipped").await.expect("recorded");
    assert_eq!(o.kr.current, 1200.0);
    assert_eq!(last_check_in(&app).await["note"], "shipped");
    let o = app
        .update("GRO-1.4 1\u{202F}350 c7")
        .await
        .expect("recorded");
    assert_eq!(
        (o.kr.current, o.kr.confidence.map(|c| c.get())),
        (1350.0, Some(7))
    );
    let o = app
        .update("GRO-1.4 5 10 new signups")
        .await
        .expect("recorded");
    assert_eq!(o.kr.current, 5.0);
    assert_eq!(last_check_in(&app).await["note"], "10 new signups");
}

#[tokio::test]
async fn a_free_unit_is_stored_shown_after_the_number_and_read_back_in_a_line() {
    let (app, kr) = growth_with(metric("Active users", Some("users"), "0", "20k")).await;
    assert_eq!(kr.unit, Unit::Free("users".into()));
    assert_eq!(kr.unit.format(kr.target), "20,000 users");
    let o = app
        .update("GRO-1.4 12 300 users c8 after the launch")
        .await
        .expect("recorded");
    assert_eq!(
        (o.kr.current, o.kr.confidence.map(|c| c.get())),
        (12300.0, Some(8))
    );
    assert_eq!(last_check_in(&app).await["note"], "after the launch");
    let o = app.update("GRO-1.4 1 user").await.expect("singular agrees");
    assert_eq!(o.kr.current, 1.0);
    // A word that is not a unit is still the note.
    app.update("GRO-1.4 40 signed up today")
        .await
        .expect("recorded");
    assert_eq!(last_check_in(&app).await["note"], "signed up today");
}

#[tokio::test]
async fn a_three_letter_word_that_is_no_currency_is_a_free_unit() {
    let (_, kr) = growth_with(metric("Story points", Some("pts"), "0", "40")).await;
    assert_eq!(kr.unit, Unit::Free("pts".into()));
    assert_eq!(kr.unit.format(12.0), "12 pts");
}

#[tokio::test]
async fn a_key_result_may_start_below_zero_and_an_update_sets_a_negative_value_with_equals() {
    let (app, kr) = growth_with(metric("Raise NPS", Some("NPS"), "-10", "30")).await;
    assert_eq!((kr.start, kr.target, kr.current), (-10.0, 30.0, -10.0));
    let o = app.update("GRO-1.4 =-5 c6").await.expect("recorded");
    assert_eq!(o.kr.current, -5.0);
    let o = app.update("GRO-1.4 -2").await.expect("a change");
    assert_eq!(o.kr.current, -7.0);
    let edited = app
        .okr
        .kr_edit(
            &app.admin,
            "GRO-1.4",
            KrEdit {
                start: Some("-20".into()),
                ..Default::default()
            },
        )
        .await
        .expect("edited");
    assert_eq!(edited.start, -20.0);
}

#[tokio::test]
async fn relative_targets_are_stored_as_the_computed_absolute_target() {
    let (app, kr) = growth_with(metric(
        "Reduce operational expenses by 10%",
        None,
        "$2.5M",
        "-10%",
    ))
    .await;
    assert_eq!(
        (kr.unit.code().as_str(), kr.start, kr.target),
        ("USD", 2.5e6, 2.25e6)
    );
    // Shown with the digits the cut needs: $2.3M would read as an 8% cut.
    assert_eq!(kr.unit.format(kr.target), "$2.25M");

    let revenue = app
        .okr
        .kr_add(
            &app.admin,
            KrInput {
                objective: "GRO-1".into(),
                ..metric(
                    "Increase annual revenue by 30% to $100 million",
                    None,
                    "$76.9 million",
                    "by 30% to $100 million",
                )
            },
            now(),
        )
        .await
        .expect("GRO-1.5 is added");
    assert_eq!((revenue.start, revenue.target), (76.9e6, 1e8));
    assert_eq!(revenue.unit.format(revenue.start), "$76.9M");

    let users = app
        .okr
        .kr_edit(
            &app.admin,
            "GRO-1.4",
            KrEdit {
                target: Some("+30%".into()),
                ..Default::default()
            },
        )
        .await
        .expect("edited");
    assert_eq!(users.target, 3.25e6);
}

#[tokio::test]
async fn free_units_negative_starts_and_large_money_survive_export_and_import() {
    let (app, _) = growth_with(metric("Raise NPS", Some("NPS"), "-10", "30")).await;
    for input in [
        metric("Active users", Some("users"), "1 200", "+30%"),
        metric("Annual revenue", None, "$76.9M", "$2.5B"),
    ] {
        let input = KrInput {
            objective: "GRO-1".into(),
            ..input
        };
        app.okr
            .kr_add(&app.admin, input, now())
            .await
            .expect("added");
    }
    let first = app.okr.export(&app.admin, now()).await.expect("export");
    let other = app.other_workspace("console:copy", "copy").await;
    app.okr.import(&other, &first, now()).await.expect("import");
    let second = app.okr.export(&other, now()).await.expect("export");
    let json = okrbot::render::export::to_json;
    assert_eq!(json(&first), json(&second));
    let doc: serde_json::Value = serde_json::from_str(&json(&first)).expect("json");
    let krs = &doc["objectives"][0]["key_results"];
    assert_eq!(krs[3]["unit"], "NPS");
    assert_eq!(krs[3]["start"], -10.0);
    assert_eq!(
        (krs[4]["unit"].clone(), krs[4]["target"].clone()),
        ("users".into(), 1560.0.into())
    );
    assert_eq!(krs[5]["target"], 2.5e9);
}

// ---- refusals -------------------------------------------------------------------------------

#[tokio::test]
async fn hours_on_a_days_key_result_are_refused_with_the_expected_unit_and_write_nothing() {
    let app = spawn_app().await;
    app.growth().await;
    for (line, quoted, converted) in [
        ("GRO-1.1 3 hours", "\"3h\"", "(that is 0.13 days)"),
        ("GRO-1.1 1.5 hours c8", "\"1.5h\"", "(that is 0.06 days)"),
        ("GRO-1.1 2 weeks", "\"2 weeks\"", "(that is 14 days)"),
    ] {
        let msg = refused_text!(app, app.update(line));
        assert_mentions(
            &msg,
            &[quoted, "GRO-1.1 is measured in days", "9d", converted],
        );
    }
    let msg = refused_text!(app, app.update("GRO-1.2 1200 USD"));
    assert_mentions(
        &msg,
        &["an amount in USD", "GRO-1.2 is measured in percent"],
    );
}

#[tokio::test]
async fn a_unit_that_differs_from_a_free_unit_is_refused_naming_it() {
    let (app, _) = growth_with(metric("Story points", Some("points"), "0", "40")).await;
    let msg = refused_text!(app, app.update("GRO-1.4 4 hours"));
    assert_mentions(&msg, &["GRO-1.4 is measured in points", "42 points"]);
}

#[tokio::test]
async fn a_relative_target_on_a_start_of_zero_is_refused_with_a_fix_and_writes_nothing() {
    let app = spawn_app().await;
    app.growth().await;
    let input = KrInput {
        objective: "GRO-1".into(),
        ..metric("Grow signups", None, "0", "+30%")
    };
    let msg = refused_text!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(
        &msg,
        &[
            "target:+30% is relative to the start",
            "start is 0",
            "target:500",
        ],
    );
    let input = KrInput {
        objective: "GRO-1".into(),
        ..metric("Grow signups", None, "100", "by 30%")
    };
    let msg = refused_text!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(&msg, &["does not say which way", "+30%", "-30%"]);
}

#[tokio::test]
async fn editing_a_start_in_another_unit_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    app.growth().await;
    let edit = KrEdit {
        start: Some("3 hours".into()),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.kr_edit(&app.admin, "GRO-1.1", edit));
    assert_mentions(&msg, &["start:", "is hours", "measured in days"]);
}

#[tokio::test]
async fn a_unit_option_that_is_not_one_short_word_is_refused_with_the_choices() {
    let app = spawn_app().await;
    app.growth().await;
    let input = KrInput {
        objective: "GRO-1".into(),
        ..metric("Grow signups", Some("new users"), "0", "10")
    };
    let msg = refused_text!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(&msg, &["unit:\"new users\" is not a unit", "points"]);
}
