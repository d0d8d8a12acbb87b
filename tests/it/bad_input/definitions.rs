//! definitions; units; setup.

use super::*;

// ---------------------------------------------------------------------------------------------
// definitions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn metric_key_result_with_start_equal_to_target_is_refused_and_writes_nothing() {
    let app = growth().await;
    let input = KrInput {
        objective: "GRO-1".into(),
        title: "Grow weekly signups".into(),
        kind: Some("metric".into()),
        start: Some("10".into()),
        target: Some("10".into()),
        owner: Some("alice".into()),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(
        &msg,
        &[
            "start and target are both 10",
            "give a target different from the start",
        ],
    );
}

#[tokio::test]
async fn cycle_ending_before_it_starts_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused_text!(
        app,
        app.okr.cycle_new(
            &app.admin,
            "2027-Q1",
            date("2027-03-31"),
            date("2027-01-01"),
            now()
        )
    );
    assert_mentions(
        &msg,
        &[
            "2027-01-01",
            "2027-03-31",
            "before it starts",
            "on or after the start",
        ],
    );
}

#[tokio::test]
async fn cycle_overlapping_an_open_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    // 2026-Q4 runs 2026-10-01 to 2026-12-31 and is open.
    let msg = refused_text!(
        app,
        app.okr.cycle_new(
            &app.admin,
            "2026-H2",
            date("2026-07-01"),
            date("2026-12-31"),
            now()
        )
    );
    assert_mentions(
        &msg,
        &["overlap", "2026-Q4", "2027-01-01", "/okr cycle close"],
    );
}

#[tokio::test]
async fn a_cycle_may_follow_the_open_one_or_overlap_a_closed_one() {
    let app = growth().await;
    let next = app
        .okr
        .cycle_new(
            &app.admin,
            "2027-Q1",
            date("2027-01-01"),
            date("2027-03-31"),
            now(),
        )
        .await;
    assert!(next.is_ok(), "{next:?}");
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .unwrap();
    // A team that closes a quarter early starts the next one at once.
    let early = app
        .okr
        .cycle_new(
            &app.admin,
            "2026-Q4b",
            date("2026-12-01"),
            date("2026-12-31"),
            now(),
        )
        .await;
    assert!(early.is_ok(), "{early:?}");
}

#[tokio::test]
async fn update_in_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let msg = refused_text!(app, app.update("GRO-1.1 9"));
    assert_mentions(&msg, &["GRO-1.1", "2026-Q4", "closed", "open cycle"]);
    let msg = refused_text!(app, app.update_fields(fields("GRO-1.3", "done")));
    assert_mentions(&msg, &["GRO-1.3", "2026-Q4", "closed"]);
    let msg = refused_text!(
        app,
        app.okr
            .check_in_bulk(&app.admin, "GRO-1.2 96\n", CheckInSource::Text, now())
    );
    assert_mentions(&msg, &["line 1", "closed", "nothing was recorded"]);
}

#[tokio::test]
async fn adding_a_key_result_to_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let input = KrInput {
        objective: "GRO-1".into(),
        title: "Grow weekly signups".into(),
        start: Some("100".into()),
        target: Some("200".into()),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(
        &msg,
        &["cycle 2026-Q4 is closed", "GRO-1 can no longer change"],
    );
}

/// Closing a cycle grades it; moving a target afterwards would silently rewrite the final grade.
#[tokio::test]
async fn editing_a_key_result_of_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let edit = KrEdit {
        target: Some("13".into()),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.kr_edit(&app.admin, "GRO-1.1", edit));
    assert_mentions(&msg, &["2026-Q4", "closed"]);
}

/// Removing a graded key result would delete it and its check-in history from a final report.
#[tokio::test]
async fn removing_a_key_result_of_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let msg = refused_text!(app, app.okr.kr_remove(&app.admin, "GRO-1.1", now()));
    assert_mentions(&msg, &["2026-Q4", "closed"]);
}

// ---------------------------------------------------------------------------------------------
// units
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn percent_on_a_days_key_result_is_refused_and_names_the_expected_unit() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-1.1 45%"));
    assert_mentions(
        &msg,
        &["\"45%\" is a percent", "GRO-1.1 is measured in days", "9d"],
    );
}

#[tokio::test]
async fn hours_on_a_days_key_result_is_refused_and_names_the_expected_unit() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-1.1 3h"));
    assert_mentions(
        &msg,
        &["\"3h\" is hours", "GRO-1.1 is measured in days", "9d"],
    );
    let msg = refused_text!(app, app.update_fields(fields("GRO-1.1", "3h")));
    assert_mentions(&msg, &["\"3h\" is hours", "measured in days"]);
}

#[tokio::test]
async fn dollars_on_a_percent_key_result_is_refused_and_names_the_expected_unit() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-1.2 $96"));
    assert_mentions(
        &msg,
        &[
            "\"$96\" is an amount in USD",
            "GRO-1.2 is measured in percent",
            "45%",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// setup
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn setup_with_a_time_zone_that_does_not_exist_is_refused_and_suggests_the_real_one() {
    let app = growth().await;
    // A new team, and a change to an existing one: both refused whole.
    for team in ["Platform", "Growth"] {
        let input = SetupInput {
            team: team.into(),
            timezone: Some("Europe/Berln".into()),
            channel: Some("platform".into()),
            prefix: Some("PLT".into()),
            leads: Some(vec!["dave".into()]),
        };
        let msg = refused_text!(app, app.okr.setup(&app.admin, input, now()));
        assert_mentions(
            &msg,
            &[
                "\"Europe/Berln\" is not a time zone",
                "did you mean Europe/Berlin?",
                "IANA name",
            ],
        );
    }
}

#[tokio::test]
async fn team_names_fold_case_in_every_script_and_setup_in_another_case_renames_nothing() {
    let app = growth().await;
    let setup = |team: &str, tz: Option<&str>, prefix: Option<&str>| SetupInput {
        team: team.into(),
        timezone: tz.map(Into::into),
        prefix: prefix.map(Into::into),
        ..Default::default()
    };
    let first = app
        .okr
        .setup(
            &app.admin,
            setup("Gröwth", Some("Asia/Tokyo"), Some("GRW")),
            now(),
        )
        .await
        .expect("Gröwth is set up");
    assert!(first.created);
    // Upper case, and the o-umlaut typed as o + combining diaeresis.
    for other in ["GRÖWTH", "gro\u{308}wth"] {
        let again = app
            .okr
            .setup(&app.admin, setup(other, None, None), now())
            .await
            .expect("the same team, updated");
        assert!(!again.created, "{other} made a second team");
        assert_eq!(again.team.id, first.team.id);
        assert_eq!(again.team.name, "Gröwth");
        assert_eq!(again.team.tz, chrono_tz::Asia::Tokyo);
        assert_eq!(
            app.okr.team(&app.admin, other).await.unwrap().id,
            first.team.id
        );
    }
    let ascii = app
        .okr
        .setup(&app.admin, setup("GROWTH", None, None), now())
        .await
        .expect("Growth, updated");
    assert_eq!(
        (ascii.team.name.as_str(), ascii.team.tz),
        ("Growth", chrono_tz::Europe::Berlin)
    );
    assert_eq!(app.okr.teams(&app.admin).await.unwrap().len(), 2);
}
