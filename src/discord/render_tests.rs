use serde_json::{json, Value};
use serenity::all::{ActionRow, Embed};

use super::*;
use crate::domain::message::{Action, ActionKind, Attachment, Block, Message};
use crate::domain::scoring::Status;

fn units(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.encode_utf16().count())
}

fn embeds(m: &DiscordMessage) -> Vec<Value> {
    m.embeds
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

fn rows(m: &[CreateActionRow]) -> Vec<Value> {
    m.iter().map(|r| serde_json::to_value(r).unwrap()).collect()
}

/// Every limit of `docs/discord.md` that a rendered message could break.
fn assert_within_limits(msgs: &[DiscordMessage]) {
    for m in msgs {
        assert!(m.content.as_deref().map_or(0, |c| c.encode_utf16().count()) <= 2000);
        let es = embeds(m);
        assert!(!es.is_empty() && es.len() <= 10, "{} embeds", es.len());
        let mut total = 0;
        for e in &es {
            let fields = e["fields"].as_array().cloned().unwrap_or_default();
            assert!(units(&e["title"]) <= 256);
            assert!(units(&e["description"]) <= 4096);
            assert!(units(&e["footer"]["text"]) <= 2048);
            assert!(fields.len() <= 25);
            for f in &fields {
                assert!((1..=256).contains(&units(&f["name"])));
                assert!((1..=1024).contains(&units(&f["value"])));
                total += units(&f["name"]) + units(&f["value"]);
            }
            total += units(&e["title"]) + units(&e["description"]) + units(&e["footer"]["text"]);
        }
        assert!(total <= 6000, "{total} units in one message");
        assert_within_component_limits(&rows(&m.components));
    }
}

fn assert_within_component_limits(rows: &[Value]) {
    assert!(rows.len() <= 5);
    for r in rows {
        let buttons = r["components"].as_array().unwrap();
        assert!((1..=5).contains(&buttons.len()));
        for b in buttons {
            assert!((1..=100).contains(&units(&b["custom_id"])));
            assert!(units(&b["label"]) <= 80);
        }
    }
}

fn action(kind: ActionKind, target: Option<&str>) -> Action {
    Action {
        kind,
        label: "ignored".into(),
        target: target.map(Into::into),
        kpi: None,
    }
}

fn prompt_actions(codes: &[&str]) -> Vec<Action> {
    let mut a = Vec::new();
    for c in codes {
        a.push(action(ActionKind::Update, Some(c)));
        a.push(action(ActionKind::NoChange, Some(c)));
    }
    if codes.len() > 1 {
        a.push(action(ActionKind::AllNoChange, None));
    }
    a.push(action(ActionKind::Snooze, None));
    a
}

fn small_prompt() -> Message {
    Message {
        title: "Weekly check-in for Growth: 1 key result".into(),
        colour: Some(Status::Yellow),
        blocks: vec![Block {
            heading: Some("🟡 GRO-1.1 Signups per week".into()),
            colour: Some(Status::Yellow),
            lines: vec![
                "120 / 200 · 0.6".into(),
                "GRO-1 · last check-in 8 days ago".into(),
            ],
        }],
        footer: Some("Fresh numbers keep the team honest.".into()),
        actions: prompt_actions(&["GRO-1.1"]),
        ..Message::default()
    }
}

#[test]
fn a_small_prompt_renders_exactly() {
    let out = render_with_actions(&small_prompt(), None, 42);
    assert_eq!(out.len(), 1);
    assert_eq!(
        embeds(&out[0]),
        vec![
            json!({"type": "rich", "title": "Weekly check-in for Growth: 1 key result", "color": YELLOW}),
            json!({"type": "rich", "title": "🟡 GRO-1.1 Signups per week", "color": YELLOW,
                   "description": "120 / 200 · 0.6\nGRO-1 · last check-in 8 days ago",
                   "footer": {"text": "Fresh numbers keep the team honest."}}),
        ]
    );
    assert_eq!(
        rows(&out[0].components),
        vec![
            json!({"type": 1, "components": [
                {"type": 2, "style": 1, "custom_id": "okr:u:GRO-1.1:42", "label": "Update GRO-1.1", "disabled": false},
                {"type": 2, "style": 2, "custom_id": "okr:n:GRO-1.1:42", "label": "No change", "disabled": false}]}),
            json!({"type": 1, "components": [
                {"type": 2, "style": 2, "custom_id": "okr:s:42", "label": "Snooze", "disabled": false}]}),
        ]
    );
    assert!(!out[0].ephemeral);
    assert_eq!(out[0].content, None);
}

#[test]
fn a_digest_renders_objectives_as_coloured_embeds_and_lists_as_fields() {
    let m = Message {
        title: "Growth digest · Q3 · 50% of the cycle elapsed".into(),
        colour: Some(Status::Red),
        blocks: vec![
            Block {
                heading: Some("🟢 GRO-1 Grow signups — 0.7".into()),
                colour: Some(Status::Green),
                lines: vec!["GRO-1.1 ▓▓▓░ 120/200".into()],
            },
            Block {
                heading: Some("Not checked in yet".into()),
                colour: None,
                lines: vec!["ana: GRO-2.1".into()],
            },
            Block {
                heading: Some("At risk".into()),
                colour: Some(Status::Red),
                lines: vec!["🔴 GRO-2.1 Churn".into()],
            },
        ],
        footer: Some("as of Mon".into()),
        attachments: vec![Attachment {
            name: "progress.png".into(),
            bytes: vec![1, 2, 3],
        }],
        ..Message::default()
    };
    let out = render(&m, Some("<@5>"));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].content.as_deref(), Some("<@5>"));
    assert_eq!(
        embeds(&out[0]),
        vec![
            json!({"type": "rich", "title": "Growth digest · Q3 · 50% of the cycle elapsed", "color": RED,
                   "image": {"url": "attachment://progress.png", "height": null, "width": null, "proxy_url": null}}),
            json!({"type": "rich", "title": "🟢 GRO-1 Grow signups — 0.7", "color": GREEN,
                   "description": "GRO-1.1 ▓▓▓░ 120/200"}),
            json!({"type": "rich", "color": RED, "fields": [
                {"name": "Not checked in yet", "value": "ana: GRO-2.1", "inline": false}]}),
            json!({"type": "rich", "title": "At risk", "color": RED,
                   "description": "🔴 GRO-2.1 Churn", "footer": {"text": "as of Mon"}}),
        ]
    );
    assert_eq!(out[0].files.len(), 1);
    assert_eq!(out[0].files[0].filename, "progress.png");
}

/// Discord takes at most 25 fields in an embed: a list of 60 fills two embeds with exactly 25
/// and puts the last 10 in a third, in order, none lost.
#[test]
fn sixty_fields_fill_embeds_of_exactly_twenty_five() {
    let m = Message {
        title: "Schedules".into(),
        blocks: (0..60)
            .map(|i| Block {
                heading: Some(format!("Team {i}")),
                colour: None,
                lines: vec![format!("Mon 09:00 · prompt {i}")],
            })
            .collect(),
        ..Message::default()
    };
    let out = render(&m, None);
    assert_within_limits(&out);
    let per_embed: Vec<usize> = out
        .iter()
        .flat_map(embeds)
        .map(|e| e["fields"].as_array().map_or(0, Vec::len))
        .filter(|n| *n > 0)
        .collect();
    assert_eq!(per_embed, [25, 25, 10]);
    let names: Vec<String> = out
        .iter()
        .flat_map(embeds)
        .flat_map(|e| e["fields"].as_array().cloned().unwrap_or_default())
        .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    let want: Vec<String> = (0..60).map(|i| format!("Team {i}")).collect();
    assert_eq!(names, want);
}

#[test]
fn a_message_without_status_is_neutral_and_private_stays_private() {
    let out = render(
        &Message::text("Help", vec!["/okr update".into()]).private(),
        None,
    );
    let e = &embeds(&out[0])[0];
    assert_eq!(e["color"], json!(NEUTRAL));
    assert_eq!(e["description"], json!("/okr update"));
    assert!(out[0].ephemeral);
    let r = serde_json::to_value(out[0].to_interaction_message()).unwrap();
    assert_eq!(r["flags"], json!(64));
}

fn huge() -> Message {
    let blocks = (0..200)
        .map(|i| Block {
            heading: Some(format!("🔴 GRO-{i}.1 {}", "long title ".repeat(40))),
            colour: Some(Status::Red),
            lines: vec![
                format!("line {i}: {}", "x".repeat(5000)),
                format!("owner {i}"),
            ],
        })
        .chain([Block {
            heading: Some("Not checked in yet".into()),
            colour: None,
            lines: (0..300).map(|i| format!("person {i}")).collect(),
        }])
        .collect();
    Message {
        title: "T".repeat(300),
        colour: Some(Status::Red),
        blocks,
        footer: Some("f".repeat(3000)),
        actions: prompt_actions(
            &(0..15)
                .map(|i| format!("GRO-{i}.1"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
        ..Message::default()
    }
}

#[test]
fn a_huge_message_stays_within_every_limit() {
    let out = render_with_actions(&huge(), Some("<@1>"), 9);
    assert!(out.len() <= MAX_MESSAGES);
    assert_within_limits(&out);
    // 30 actions: 4 key-result rows and the controls; the rest is left to /okr update.
    assert_eq!(out.last().unwrap().components.len(), 5);
}

#[test]
fn what_is_cut_is_counted_in_an_and_n_more_line() {
    let m = huge();
    let out = render(&m, None);
    let all: Vec<Value> = out.iter().flat_map(embeds).collect();
    let text = serde_json::to_string(&all).unwrap();
    let note = all
        .iter()
        .filter_map(|e| e["description"].as_str())
        .find(|d| d.starts_with("… and "))
        .expect("a note");
    let n: usize = note.split_whitespace().nth(2).unwrap().parse().unwrap();
    let shown = (0..200)
        .filter(|i| text.contains(&format!("owner {i}\"")))
        .count()
        * 2
        + (0..200)
            .filter(|i| text.contains(&format!("GRO-{i}.1 long")))
            .count()
        + (0..300)
            .filter(|i| {
                text.contains(&format!("person {i}\\n")) || text.contains(&format!("person {i}\""))
            })
            .count()
        + usize::from(text.contains("\"Not checked in yet\""));
    // Every heading and line of the neutral message is shown or counted, the buttons' note too.
    assert_eq!(shown + n, 200 * 3 + 301 + 1);
    // The footer survives the cut.
    assert!(all.last().unwrap()["footer"]["text"]
        .as_str()
        .unwrap()
        .starts_with("fff"));
}

#[test]
fn a_long_list_is_split_into_further_embeds_not_dropped() {
    let lines: Vec<String> = (0..400)
        .map(|i| format!("key result line number {i:03}"))
        .collect();
    let out = render(&Message::text("Status", lines.clone()), None);
    assert_within_limits(&out);
    let text: String = out
        .iter()
        .flat_map(embeds)
        .filter_map(|e| e["description"].as_str().map(String::from))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(text.lines().collect::<Vec<_>>(), lines);
}

#[test]
fn many_key_results_get_four_button_rows_and_a_note_in_the_embed() {
    let codes: Vec<String> = (1..=15).map(|i| format!("GRO-1.{i}")).collect();
    let mut m = small_prompt();
    m.actions = prompt_actions(&codes.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(m.actions.len(), 32);
    let out = render_with_actions(&m, None, 3);
    let r = rows(&out[0].components);
    assert_within_component_limits(&r);
    assert_eq!(r.len(), 5);
    assert_eq!(r[4]["components"][1]["custom_id"], json!("okr:a:3"));
    let text = serde_json::to_string(&embeds(&out[0])).unwrap();
    assert!(
        text.contains("… and 11 more key results: check them in with /okr update"),
        "{text}"
    );
}

#[test]
fn custom_ids_round_trip() {
    for (id, want) in [
        (
            "okr:u:GRO-1.1:42",
            ButtonAction::Update {
                code: "GRO-1.1".into(),
                delivery: 42,
            },
        ),
        (
            "okr:n:ENG-12.3:7",
            ButtonAction::NoChange {
                code: "ENG-12.3".into(),
                delivery: 7,
            },
        ),
        ("okr:s:9", ButtonAction::Snooze { delivery: 9 }),
        ("okr:a:10", ButtonAction::AllNoChange { delivery: 10 }),
        (
            "okr:ku:5:11",
            ButtonAction::ReadKpi {
                kpi: 5,
                delivery: 11,
            },
        ),
        (
            "okr:kn:5:12",
            ButtonAction::KpiNoChange {
                kpi: 5,
                delivery: 12,
            },
        ),
    ] {
        assert_eq!(parse_custom_id(id), Some(want));
    }
    for id in [
        "okr:ku:05:11",
        "okr:ku:5",
        "okr:kn:x:1",
        "okr:ku:5:11:1",
        "okr:km:5:11",
    ] {
        assert_eq!(parse_custom_id(id), None, "{id}");
    }
    assert_eq!(parse_kpi_modal_id("okr:km:5:11"), Some((5, 11)));
    assert_eq!(parse_kpi_modal_id("okr:km:+5:11"), None);
    for r in rows(&action_rows(
        &prompt_actions(&["A-1.1", "B-2.2"]),
        123456789,
    )) {
        for b in r["components"].as_array().unwrap() {
            assert!(parse_custom_id(b["custom_id"].as_str().unwrap()).is_some());
        }
    }
    assert_eq!(
        parse_modal_id("okr:m:GRO-1.1:42"),
        Some(("GRO-1.1".into(), 42))
    );
}

#[test]
fn malformed_custom_ids_are_refused() {
    for id in [
        "",
        "okr",
        "okr:u",
        "okr:u:GRO-1.1",
        "okr:u::4",
        "okr:u:GRO-1.1:",
        "okr:u:GRO-1.1:x",
        "okr:u:a:b:4",
        "okr:s:+4",
        "okr:s:04",
        "okr:s:4:5",
        "okr:x:4",
        "poll:s:4",
        "okr:m:GRO-1.1:4",
        &format!("okr:s:{}", "9".repeat(120)),
    ] {
        assert_eq!(parse_custom_id(id), None, "{id}");
    }
    assert_eq!(parse_modal_id("okr:u:GRO-1.1:4"), None);
    assert_eq!(parse_modal_id("okr:m:GRO-1.1:z"), None);
}

#[test]
fn the_update_modal_keeps_discords_modal_limits() {
    let v = serde_json::to_value(update_modal(
        "GRO-1.1",
        &"Signups ".repeat(20),
        "120 signups",
        42,
    ))
    .unwrap();
    assert_eq!(v["custom_id"], json!("okr:m:GRO-1.1:42"));
    assert!(units(&v["title"]) <= 45);
    assert!(v["title"]
        .as_str()
        .unwrap()
        .starts_with("Check in GRO-1.1: Signups"));
    let inputs: Vec<&Value> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["components"][0])
        .collect();
    assert_eq!(inputs.len(), 3);
    assert_eq!(inputs[0]["custom_id"], json!(MODAL_VALUE));
    assert_eq!(inputs[0]["required"], json!(true));
    assert_eq!(inputs[0]["placeholder"], json!("now 120 signups"));
    assert_eq!(inputs[1]["custom_id"], json!(MODAL_CONFIDENCE));
    assert_eq!(inputs[1]["required"], json!(false));
    assert_eq!(inputs[2]["custom_id"], json!(MODAL_NOTE));
    assert_eq!(inputs[2]["style"], json!(2));
    assert_eq!(inputs[2]["max_length"], json!(1000));
    for i in inputs {
        assert!(units(&i["label"]) <= 45 && units(&i["placeholder"]) <= 100);
    }
}

#[test]
fn a_check_in_marks_its_block_done_and_removes_its_buttons() {
    let out = render_with_actions(
        &{
            let mut m = small_prompt();
            m.blocks.push(Block {
                heading: Some("🔴 GRO-1.2 Churn".into()),
                colour: Some(Status::Red),
                lines: vec!["5%".into()],
            });
            m.actions = prompt_actions(&["GRO-1.1", "GRO-1.2"]);
            m
        },
        None,
        8,
    );
    // What Discord would hand back in the interaction's message.
    let received: Vec<Embed> = embeds(&out[0])
        .into_iter()
        .map(|e| serde_json::from_value(e).unwrap())
        .collect();
    let received_rows: Vec<ActionRow> = rows(&out[0].components)
        .into_iter()
        .map(|r| serde_json::from_value(r).unwrap())
        .collect();
    let done = mark_done(&received, &received_rows, &[("GRO-1.1", "150")]);
    let e = embeds(&done);
    assert_eq!(e[1]["title"], json!("✅ GRO-1.1 Signups per week"));
    assert!(e[1]["description"]
        .as_str()
        .unwrap()
        .starts_with("✅ checked in: 150\n120 / 200"));
    assert_eq!(e[2]["title"], json!("🔴 GRO-1.2 Churn"));
    let ids: Vec<Value> = rows(&done.components)
        .iter()
        .flat_map(|r| r["components"].as_array().unwrap().clone())
        .map(|b| b["custom_id"].clone())
        .collect();
    assert_eq!(
        ids,
        vec![
            json!("okr:u:GRO-1.2:8"),
            json!("okr:n:GRO-1.2:8"),
            json!("okr:s:8"),
            json!("okr:a:8")
        ]
    );
    // The last one done takes Snooze and All no change with it.
    let all = mark_done(
        &received,
        &received_rows,
        &[("GRO-1.1", "150"), ("GRO-1.2", "4%")],
    );
    assert!(all.components.is_empty());
    assert_eq!(
        serde_json::to_value(all.to_edit_message()).unwrap()["components"],
        json!([])
    );
}

#[test]
fn one_key_result_gets_no_all_no_change_button_even_when_asked() {
    let mut m = small_prompt();
    m.actions.push(action(ActionKind::AllNoChange, None));
    let ids: Vec<String> = rows(&render_with_actions(&m, None, 5)[0].components)
        .iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, ["okr:u:GRO-1.1:5", "okr:n:GRO-1.1:5", "okr:s:5"]);
}
