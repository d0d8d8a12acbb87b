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
