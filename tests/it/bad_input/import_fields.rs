//! import: every field goes through the checks the commands make, and a refusal names the entry
//! and field (`docs/permissions.md`, "Bad input is refused and writes nothing").

use super::growth;
use crate::common::{assert_mentions, now, refused_text};
use okrbot::service::data;

#[tokio::test]
async fn import_of_a_10000_character_title_is_refused_as_objective_add_and_kr_add_refuse_it() {
    let app = growth().await;
    let fresh = app.other_workspace("console:globex", "globex").await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.objectives[0].title = "x".repeat(10_000);
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).title",
            "the title has 10000 characters; keep it to 200 or fewer",
            "nothing was imported",
        ],
    );
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.objectives[0].key_results[2].title = "y".repeat(201);
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[2] (GRO-1.3).title",
            "keep it to 200 or fewer",
            "nothing was imported",
        ],
    );
}

#[tokio::test]
async fn import_of_a_value_beyond_10_to_the_15_is_refused_as_a_check_in_refuses_it() {
    let app = growth().await;
    let fresh = app.other_workspace("console:globex", "globex").await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.objectives[0].key_results[0].target = 1e16;
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).target",
            "too large",
            "nothing was imported",
        ],
    );
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.objectives[0].key_results[0].check_ins[0].value = -1e16;
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).check_ins[0].value",
            "too large",
            "nothing was imported",
        ],
    );
}

#[tokio::test]
async fn import_of_team_and_cycle_names_that_setup_and_cycle_new_refuse_is_refused() {
    let app = growth().await;
    let fresh = app.other_workspace("console:globex", "globex").await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.teams[0].name = "G".repeat(81);
    doc.objectives[0].team = doc.teams[0].name.clone();
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "teams[0] (",
            ").name",
            "1 to 80 characters",
            "nothing was imported",
        ],
    );
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.teams[0].prefix = "G1".into();
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "teams[0] (\"Growth\").prefix",
            "2 to 6 letters",
            "nothing was imported",
        ],
    );
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.cycles[0].name = "Q".repeat(41);
    doc.objectives[0].cycle = doc.cycles[0].name.clone();
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "cycles[0] (",
            ").name",
            "1 to 40 characters",
            "nothing was imported",
        ],
    );
}

#[tokio::test]
async fn import_with_a_string_where_a_number_belongs_names_the_entry_and_field() {
    let app = growth().await;
    let doc = app.okr.export(&app.admin, now()).await.expect("export");
    let mut json: serde_json::Value =
        serde_json::from_str(&okrbot::render::export::to_json(&doc)).expect("json");
    json["objectives"][0]["key_results"][1]["target"] = "95".into();
    let text = json.to_string();
    let msg = refused_text!(app, async { data::parse_export(&text) });
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[1] (GRO-1.2).target",
            "invalid type: string \"95\", expected f64",
            "nothing was imported",
        ],
    );
    assert!(!msg.contains("line 1"), "the entry, not a position: {msg}");
    json["objectives"][0]["key_results"][1]["target"] = 95.into();
    json["objectives"][0]["key_results"][0]["check_ins"][0]["confidence"] = 11.into();
    let text = json.to_string();
    let msg = refused_text!(app, async { data::parse_export(&text) });
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).check_ins[0].confidence",
            "confidence 11 is outside 1-10",
            "nothing was imported",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// One rule for both paths (#19): each value the commands refuse is refused in a file too, named
// by its entry and field, and nothing is written.
// ---------------------------------------------------------------------------------------------

use crate::common::{date, TestApp};
use okrbot::domain::export::ExportDoc;
use okrbot::service::objectives::{KrEdit, KrInput, ObjectiveEdit, ObjectiveInput};
use okrbot::service::setup::SetupInput;

/// Growth with GRO-2 and GRO-3 beside GRO-1 (no key results), and a check-in on the milestone
/// GRO-1.3, so that the export has parents to corrupt and a milestone value to break.
async fn growth_of_three() -> TestApp {
    let app = growth().await;
    for title in ["Grow the community", "Open a second market"] {
        app.okr
            .objective_add(
                &app.admin,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: title.into(),
                    ..Default::default()
                },
                now(),
            )
            .await
            .expect("another objective");
    }
    app.update("GRO-1.3 done")
        .await
        .expect("the milestone done");
    app
}

/// The export of `app`'s workspace as the JSON `okrbot export` writes, `corrupt`ed, then read
/// back as `okrbot import` reads a file.
async fn crafted(app: &TestApp, corrupt: impl FnOnce(&mut serde_json::Value)) -> ExportDoc {
    let doc = app.okr.export(&app.admin, now()).await.expect("export");
    let mut json: serde_json::Value =
        serde_json::from_str(&okrbot::render::export::to_json(&doc)).expect("json");
    corrupt(&mut json);
    data::parse_export(&json.to_string()).expect("the file still reads")
}

/// Imports `doc` into a fresh workspace, which must be refused and write nothing; the refusal.
async fn import_refused(app: &TestApp, doc: ExportDoc) -> String {
    let fresh = app.other_workspace("console:globex", "globex").await;
    refused_text!(app, app.okr.import(&fresh, &doc, now()))
}

#[tokio::test]
async fn import_of_an_objective_under_itself_is_refused_as_objective_align_refuses_it() {
    let app = growth_of_three().await;
    let doc = crafted(&app, |j| j["objectives"][1]["parent"] = "GRO-2".into()).await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[
            "objectives[1] (GRO-2).parent: GRO-2 cannot sit under GRO-2: that would make a loop \
             in the alignment tree; nothing was imported",
        ],
    );
    let msg = refused_text!(
        app,
        app.okr.objective_align(&app.admin, "GRO-2", Some("GRO-2"))
    );
    assert_mentions(
        &msg,
        &["GRO-2 cannot sit under GRO-2: that would make a loop"],
    );
}

#[tokio::test]
async fn import_of_a_loop_of_two_or_three_objectives_is_refused_as_objective_align_refuses_it() {
    let app = growth_of_three().await;
    let doc = crafted(&app, |j| {
        j["objectives"][0]["parent"] = "GRO-2".into();
        j["objectives"][1]["parent"] = "GRO-1".into();
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &["objectives[1] (GRO-2).parent: GRO-2 cannot sit under GRO-1: that would make a loop"],
    );
    let doc = crafted(&app, |j| {
        j["objectives"][0]["parent"] = "GRO-3".into();
        j["objectives"][1]["parent"] = "GRO-1".into();
        j["objectives"][2]["parent"] = "GRO-2".into();
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[
            "objectives[2] (GRO-3).parent: GRO-3 cannot sit under GRO-2: that would make a loop",
            "nothing was imported",
        ],
    );
    app.okr
        .objective_align(&app.admin, "GRO-2", Some("GRO-1"))
        .await
        .expect("GRO-2 under GRO-1");
    let msg = refused_text!(
        app,
        app.okr.objective_align(&app.admin, "GRO-1", Some("GRO-2"))
    );
    assert_mentions(
        &msg,
        &["GRO-1 cannot sit under GRO-2: that would make a loop"],
    );
}

/// A loop written before loops were refused everywhere (here by hand) above the parent asked
/// for must not keep the check walking for ever.
#[tokio::test]
async fn aligning_under_an_objective_caught_in_an_older_loop_answers_instead_of_hanging() {
    let app = growth_of_three().await;
    crate::backend::raw!(app.okr.store(), |db| sqlx::query(
        "UPDATE objectives SET parent_id = (SELECT id FROM objectives o WHERE o.number = \
         CASE objectives.number WHEN 2 THEN 3 ELSE 2 END AND o.team_id = objectives.team_id) \
         WHERE number IN (2, 3)",
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("GRO-2 and GRO-3 under each other");
    let aligned = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.okr.objective_align(&app.admin, "GRO-1", Some("GRO-2")),
    )
    .await
    .expect("an answer, not an endless walk");
    assert!(aligned.is_ok(), "no loop passes through GRO-1: {aligned:?}");
}

#[tokio::test]
async fn import_of_a_title_with_a_nul_is_refused_as_objective_add_and_kr_edit_refuse_it() {
    let app = growth_of_three().await;
    let doc = crafted(&app, |j| {
        j["objectives"][0]["title"] = "Enhance\u{0} onboarding".into()
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).title: the title contains a control character (U+0000)",
            "remove it; nothing was imported",
        ],
    );
    let doc = crafted(&app, |j| {
        j["objectives"][0]["key_results"][1]["title"] = "Keep \u{1b}[31mred".into()
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &["objectives[0] (GRO-1).key_results[1] (GRO-1.2).title: the title contains a control character (U+001B)"],
    );
    let msg = refused_text!(
        app,
        app.okr.objective_add(
            &app.admin,
            ObjectiveInput {
                team: "Growth".into(),
                title: "Enhance\u{0} onboarding".into(),
                ..Default::default()
            },
            now(),
        )
    );
    assert_mentions(&msg, &["the title contains a control character (U+0000)"]);
    let edit = KrEdit {
        title: Some("Keep \u{1b}[31mred".into()),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.kr_edit(&app.admin, "GRO-1.2", edit));
    assert_mentions(&msg, &["control character (U+001B)"]);
}

#[tokio::test]
async fn import_of_a_10000_character_owner_or_lead_is_refused_as_the_commands_refuse_it() {
    let app = growth_of_three().await;
    let long = "o".repeat(10_000);
    let doc = crafted(&app, |j| {
        j["objectives"][0]["key_results"][0]["owner"] = long.clone().into()
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).owner: owner: the name has 10000 \
             characters; a name or mention is at most 100",
            "nothing was imported",
        ],
    );
    let doc = crafted(&app, |j| j["teams"][0]["leads"][0] = long.clone().into()).await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &["teams[0] (\"Growth\").leads: lead: the name has 10000"],
    );
    let msg = refused_text!(
        app,
        app.okr.kr_add(
            &app.admin,
            KrInput {
                objective: "GRO-2".into(),
                title: "Ten new members".into(),
                kind: Some("milestone".into()),
                owner: Some(long.clone()),
                ..Default::default()
            },
            now(),
        )
    );
    assert_mentions(&msg, &["owner: the name has 10000 characters"]);
    let edit = ObjectiveEdit {
        owner: Some(long.clone()),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.objective_edit(&app.admin, "GRO-1", edit));
    assert_mentions(&msg, &["owner: the name has 10000 characters"]);
    let setup = SetupInput {
        team: "Growth".into(),
        leads: Some(vec![long.as_str().into()]),
        ..Default::default()
    };
    let msg = refused_text!(app, app.okr.setup(&app.admin, setup, now()));
    assert_mentions(&msg, &["lead: the name has 10000 characters"]);
}

#[tokio::test]
async fn import_of_cycle_days_in_year_9999_or_minus_1_is_refused_as_cycle_new_refuses_them() {
    let app = growth_of_three().await;
    let doc = crafted(&app, |j| j["cycles"][0]["end"] = "9999-12-31".into()).await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[
            "cycles[0] (\"2026-Q4\").end: end:9999-12-31 is out of reach: cycles run in the \
             years 1970 to 2999",
            "nothing was imported",
        ],
    );
    let mut doc = crafted(&app, |_| {}).await;
    doc.cycles[0].start = chrono::NaiveDate::from_ymd_opt(-1, 10, 1).expect("year -1");
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &["cycles[0] (\"2026-Q4\").start: start:-0001-10-01 is out of reach"],
    );
    for (start, end) in [("2027-01-01", "9999-12-31"), ("0000-01-01", "0000-12-31")] {
        let msg = refused_text!(
            app,
            app.okr
                .cycle_new(&app.admin, "far", date(start), date(end), now())
        );
        assert_mentions(
            &msg,
            &["is out of reach: cycles run in the years 1970 to 2999"],
        );
    }
    let minus_one = chrono::NaiveDate::from_ymd_opt(-1, 1, 1).expect("year -1");
    let msg = refused_text!(
        app,
        app.okr
            .cycle_new(&app.admin, "far", minus_one, date("2027-01-01"), now())
    );
    assert_mentions(&msg, &["start:-0001-01-01 is out of reach"]);
}

/// Commands take a check-in's time from the clock, which they cannot set to year 9999 (the
/// console's simulated clock is held to the same years); a file must not either.
#[tokio::test]
async fn import_of_check_in_and_creation_times_in_year_9999_or_minus_1_is_refused() {
    let app = growth_of_three().await;
    let krs = "/objectives/0/key_results";
    for (pointer, field) in [
        (
            format!("{krs}/0/check_ins/0/created_at"),
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).check_ins[0].created_at",
        ),
        (
            format!("{krs}/0/last_check_in"),
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).last_check_in",
        ),
        (
            "/objectives/1/created_at".to_owned(),
            "objectives[1] (GRO-2).created_at",
        ),
    ] {
        let doc = crafted(&app, |j| {
            *j.pointer_mut(&pointer).expect(&pointer) = "9999-01-01T00:00:00Z".into()
        })
        .await;
        let msg = import_refused(&app, doc).await;
        assert_mentions(
            &msg,
            &[
                &format!("{field}: 9999-01-01T00:00:00+00:00 is out of reach"),
                "nothing was imported",
            ],
        );
    }
    let mut doc = crafted(&app, |_| {}).await;
    doc.objectives[0].key_results[0].check_ins[0].created_at =
        chrono::NaiveDate::from_ymd_opt(-1, 1, 1)
            .expect("year -1")
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc();
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &["check_ins[0].created_at: -0001-01-01T00:00:00+00:00 is out of reach"],
    );
}

#[tokio::test]
async fn import_of_a_milestone_at_5_is_refused_as_a_check_in_of_5_on_it_is() {
    let app = growth_of_three().await;
    let gro_1_3 = "objectives[0] (GRO-1).key_results[2] (GRO-1.3)";
    let doc = crafted(&app, |j| {
        j["objectives"][0]["key_results"][2]["current"] = 5.into()
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[&format!(
            "{gro_1_3}.current: GRO-1.3 is a milestone: write done or not done (or 1 / 0), not \
             \"5\"; nothing was imported"
        )],
    );
    let doc = crafted(&app, |j| {
        j["objectives"][0]["key_results"][2]["check_ins"][0]["value"] = 5.into()
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[&format!(
            "{gro_1_3}.check_ins[0].value: GRO-1.3 is a milestone"
        )],
    );
    let doc = crafted(&app, |j| {
        j["objectives"][0]["key_results"][2]["start"] = 5.into()
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &[&format!(
            "{gro_1_3}.start: a milestone key result starts at 0, not 5"
        )],
    );
    let doc = crafted(&app, |j| {
        j["objectives"][0]["key_results"][1]["direction"] = serde_json::Value::Null
    })
    .await;
    let msg = import_refused(&app, doc).await;
    assert_mentions(
        &msg,
        &["(GRO-1.2).direction: a threshold key result needs one: at_least or at_most"],
    );
    let msg = refused_text!(app, app.update("GRO-1.3 5"));
    assert_mentions(
        &msg,
        &["GRO-1.3 is a milestone: write done or not done (or 1 / 0), not \"5\""],
    );
}

#[tokio::test]
async fn import_of_a_current_value_its_latest_check_in_does_not_say_is_refused() {
    let app = growth().await;
    let fresh = app.other_workspace("console:globex", "globex").await;
    let doc = app.okr.export(&app.admin, now()).await.expect("export");
    let kr = &doc.objectives[0].key_results[0];
    assert!(!kr.check_ins.is_empty(), "the fixture has check-ins");

    let mut bad = doc.clone();
    bad.objectives[0].key_results[0].current = kr.current + 7.0;
    let msg = refused_text!(app, app.okr.import(&fresh, &bad, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[0] (GRO-1.1).current",
            "its latest check-in",
            "make them agree",
            "nothing was imported",
        ],
    );
    let mut bad = doc.clone();
    bad.objectives[0].key_results[0].last_check_in =
        Some(kr.check_ins[0].created_at - chrono::Duration::days(3));
    let msg = refused_text!(app, app.okr.import(&fresh, &bad, now()));
    assert_mentions(
        &msg,
        &[
            "(GRO-1.1).last_check_in",
            "latest check-in",
            "nothing was imported",
        ],
    );
    app.okr
        .import(&fresh, &doc, now())
        .await
        .expect("the export as it was imports");
}
