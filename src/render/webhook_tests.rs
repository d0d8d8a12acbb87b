//! Payload shapes, limits and the neutralising of text a person typed, per platform.
use super::*;
use crate::domain::message::{Action, ActionKind, Block};

fn digest(blocks: usize, line: &str) -> Message {
    let mut m = Message::new("Growth digest: 3 objectives, 1 at risk");
    m.colour = Some(Status::Red);
    for i in 0..blocks {
        m.blocks.push(Block {
            heading: Some(format!("GRO-{i} Launch in München")),
            colour: Some(Status::Yellow),
            lines: vec![line.to_owned(), "GRO-1.1 Signups 40% 🟡".into()],
        });
    }
    m.footer = Some("Mon 2026-11-16 16:00 CET".into());
    m
}

fn tail(s: &str) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(200)).collect()
}

fn chars(v: &Value) -> usize {
    v.as_str().expect("a string").chars().count()
}

#[test]
fn slack_keeps_to_block_kit_limits_with_a_fallback_text() {
    let m = digest(80, &"x".repeat(5000));
    let p = payload(Platform::Slack, &m);
    assert!(!p["text"].as_str().unwrap().is_empty());
    assert_eq!(p["blocks"][0]["type"], "header");
    assert!(chars(&p["blocks"][0]["text"]["text"]) <= SLACK_HEADER_CHARS);
    assert_eq!(p["attachments"][0]["color"], "#E01E5A");
    let body = p["attachments"][0]["blocks"].as_array().unwrap();
    assert!(p["blocks"].as_array().unwrap().len() + body.len() <= SLACK_MAX_BLOCKS);
    for b in body {
        let t = if b["type"] == "section" {
            &b["text"]["text"]
        } else {
            &b["elements"][0]["text"]
        };
        assert!(chars(t) <= SLACK_SECTION_CHARS, "{}", chars(t));
    }
    assert!(body.iter().any(|b| b["elements"][0]["text"]
        .as_str()
        .is_some_and(|t| t.contains("more sections"))));
}

#[test]
fn nothing_a_person_typed_pings_on_any_platform() {
    let mut m = Message::text(
        "<!channel> @here launch",
        vec!["note: ping @everyone and <@U123> and @channel".into()],
    );
    m.mentions = vec!["alice".into()];
    let mut slack = payload(Platform::Slack, &m);
    // The header is plain_text, which Slack shows as typed and never reads as markup.
    assert_eq!(slack["blocks"][0]["text"]["type"], "plain_text");
    slack["blocks"] = json!([]);
    let slack = slack.to_string();
    assert!(
        !slack.contains("<!channel>") && !slack.contains("<@U123>"),
        "{slack}"
    );
    let mm = payload(Platform::Mattermost, &m).to_string();
    for word in ["@here", "@everyone", "@channel", "@alice"] {
        assert!(!mm.contains(word), "{word} in {mm}");
    }
}

#[test]
fn mattermost_has_a_coloured_attachment_with_fallback() {
    let mut m = digest(2, "GRO-1.2 Churn 3%");
    m.actions.push(Action {
        kind: ActionKind::StartOkr,
        label: "Start an OKR".into(),
        target: Some("conversion".into()),
        kpi: None,
    });
    let p = payload(Platform::Mattermost, &m);
    let a = &p["attachments"][0];
    assert_eq!(a["color"], "#E01E5A");
    assert!(!a["fallback"].as_str().unwrap().is_empty());
    let text = a["text"].as_str().unwrap();
    assert!(text.contains("**🟡 GRO-0 Launch in München**"), "{text}");
    assert!(text.contains("/kpi okr kpi:conversion"), "{text}");
    let long = payload(Platform::Mattermost, &digest(400, &"y".repeat(500)));
    assert!(chars(&long["attachments"][0]["text"]) <= MATTERMOST_TEXT_CHARS);
}

#[test]
fn a_teams_card_is_an_adaptive_card_under_28_kb() {
    let p = payload(Platform::Teams, &digest(300, &"z".repeat(400)));
    assert_eq!(p["type"], "message");
    let a = &p["attachments"][0];
    assert_eq!(a["contentType"], "application/vnd.microsoft.card.adaptive");
    assert_eq!(a["content"]["type"], "AdaptiveCard");
    assert_eq!(a["content"]["body"][0]["color"], "Attention");
    assert!(a["content"].to_string().len() < 28 * 1024);
    assert!(p.to_string().contains("more sections: /okr status"));
    let short = payload(Platform::Teams, &digest(1, "a"));
    assert!(!short.to_string().contains("more sections: /okr status"));
}

/// Every string of a payload, keys aside.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// What people can type into a team, objective, key result or KPI name, a note or a label.
const HOSTILE: [&str; 12] = [
    "<!channel>",
    "<!here|here>",
    "<!all>",
    "<!everyone>",
    "@here @channel @all",
    "<@U123>",
    "<#C1|x>",
    "[click me](https://evil.example/phish)",
    "![](https://evil.example/pixel.png)",
    "[ref]\n[ref]: https://evil.example/",
    "<https://evil.example/|totally safe>",
    "safe\u{202E}gnp.exe\u{2066}x\u{2069}\u{200F}",
];

fn hostile_message() -> Message {
    let all = HOSTILE.join(" ");
    let mut m = Message::new(format!("Growth {all}"));
    m.colour = Some(Status::Red);
    for (i, h) in HOSTILE.iter().enumerate() {
        m.blocks.push(Block {
            heading: Some(format!("🔴 GRO-{i} {h}")),
            colour: Some(Status::Red),
            lines: vec![format!("GRO-{i}.1 {h} · note: {h}"), (*h).to_owned()],
        });
    }
    m.actions.push(Action {
        kind: ActionKind::StartOkr,
        label: format!("Start an OKR {all}"),
        target: Some("<!channel>".into()),
        kpi: None,
    });
    m.footer = Some(format!("as of now {all}"));
    m.mentions = vec!["alice".into()];
    m
}

fn bidi(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn hostile_names_neither_ping_nor_link_nor_reorder_on_slack() {
    let p = payload(Platform::Slack, &hostile_message());
    let mut all = Vec::new();
    strings(&p, &mut all);
    // The header is plain_text, which Slack shows as typed and never reads as markup.
    assert_eq!(p["blocks"][0]["text"]["type"], "plain_text");
    let header = p["blocks"][0]["text"]["text"].as_str().unwrap().to_owned();
    for s in &all {
        assert!(!bidi(s), "a bidi control in {s:?}");
        if *s != header {
            // mrkdwn: every `<` (a ping, a channel, a link) arrives escaped.
            assert!(!s.contains('<') && !s.contains('>'), "markup in {s:?}");
        }
    }
    let text = all.join("\n");
    assert!(text.contains("&lt;!channel&gt;"), "{text}");
}

#[test]
fn hostile_names_neither_ping_nor_link_nor_reorder_on_mattermost() {
    let p = payload(Platform::Mattermost, &hostile_message());
    let mut all = Vec::new();
    strings(&p, &mut all);
    for s in &all {
        assert!(!bidi(s), "a bidi control in {s:?}");
        // Mattermost expands Slack's announcements and links before it looks for mentions.
        for bad in [
            "<!",
            "<@",
            "<#",
            "<http",
            "@here",
            "@channel",
            "@all",
            "@everyone",
            "@alice",
            "@U123",
            "](",
            "][",
            "]:",
        ] {
            assert!(!s.contains(bad), "{bad:?} in {s:?}");
        }
    }
    // Still readable: the words are all there, the joiners invisible.
    let text = p["attachments"][0]["text"]
        .as_str()
        .unwrap()
        .replace('\u{2060}', "");
    assert!(
        text.contains("[click me](https://evil.example/phish)"),
        "{text}"
    );
    assert!(text.contains("<!channel>"), "{text}");
}

#[test]
fn hostile_names_neither_ping_nor_link_nor_reorder_on_teams() {
    let p = payload(Platform::Teams, &hostile_message());
    let mut all = Vec::new();
    strings(&p, &mut all);
    for s in &all {
        assert!(!bidi(s), "a bidi control in {s:?}");
        // `<at>` is how Teams mentions; `](`, `][`, `]:` make Markdown links and images.
        for bad in ["<at", "<http", "](", "][", "]:"] {
            assert!(!s.contains(bad), "{bad:?} in {s:?}");
        }
    }
}

#[test]
fn a_heading_shows_its_status_emoji_once_on_every_platform() {
    let mut m = Message::new("Growth digest");
    m.blocks.push(Block {
        heading: Some("🔴 GRO-1 Grow".into()),
        colour: Some(Status::Red),
        lines: vec!["GRO-1.1 Signups".into()],
    });
    m.blocks.push(Block {
        heading: Some("At risk".into()),
        colour: Some(Status::Red),
        lines: vec!["GRO-1.1".into()],
    });
    for platform in [Platform::Slack, Platform::Mattermost, Platform::Teams] {
        let text = payload(platform, &m).to_string();
        assert!(!text.contains("🔴 🔴"), "{platform:?}: {text}");
        assert!(text.contains("🔴 GRO-1 Grow"), "{platform:?}: {text}");
        // A coloured heading without one still gets it.
        assert!(text.contains("🔴 At risk"), "{platform:?}: {text}");
    }
}

#[test]
fn a_long_mattermost_post_says_what_it_left_out() {
    let p = payload(Platform::Mattermost, &digest(400, &"y".repeat(500)));
    let text = p["attachments"][0]["text"].as_str().unwrap();
    assert!(chars(&p["attachments"][0]["text"]) <= MATTERMOST_TEXT_CHARS);
    assert!(
        text.ends_with("more sections: /okr status shows everything"),
        "{}",
        tail(text)
    );
    // Whole sections: the last one shown ends with its last line.
    assert!(text.contains("GRO-0 Launch in München"));
    // One objective of 400 key results: cut inside it, lines still shown.
    let mut m = Message::new("Growth digest");
    m.blocks.push(Block {
        heading: Some("🔴 GRO-1 One big objective".into()),
        colour: Some(Status::Red),
        lines: (1..=400)
            .map(|i| format!("🔴 GRO-1.{i} {}", "key result ".repeat(8)))
            .collect(),
    });
    let p = payload(Platform::Mattermost, &m);
    let text = p["attachments"][0]["text"].as_str().unwrap();
    assert!(chars(&p["attachments"][0]["text"]) <= MATTERMOST_TEXT_CHARS);
    assert!(text.contains("GRO-1.1 key result"), "{text}");
    assert!(
        text.ends_with("more lines: /okr status shows everything"),
        "{}",
        tail(text)
    );
}

#[test]
fn a_teams_card_for_one_huge_objective_still_shows_key_results() {
    for krs in [200, 133, 5000] {
        let mut m = Message::new("Growth: 133 key results at risk");
        m.colour = Some(Status::Red);
        m.blocks.push(Block {
            heading: Some("🔴 GRO-1 One big objective".into()),
            colour: Some(Status::Red),
            lines: (1..=krs)
                .map(|i| format!("🔴 GRO-1.{i} Reduce the time to first value — 0.10 (10%) █░░░░░░░░░ 9 days → 7 days · c3 · alice · the new onboarding flow shipped to half of the new sign-ups, the rest follows next week"))
                .collect(),
        });
        m.blocks.push(Block {
            heading: Some("Not checked in yet".into()),
            colour: None,
            lines: vec!["alice".into()],
        });
        m.footer = Some("Mon 2026-11-16 16:00 CET".into());
        let p = payload(Platform::Teams, &m);
        let content = &p["attachments"][0]["content"];
        assert!(p.to_string().len() <= TEAMS_CARD_BYTES, "{krs}");
        let text = content.to_string();
        assert!(
            text.contains("GRO-1.1 Reduce"),
            "{krs}: no key result shown"
        );
        assert!(
            text.contains("more lines and 1 more section: /okr status"),
            "{krs}: {}",
            tail(&text)
        );
        // The footer survives the cut.
        assert!(text.contains("Mon 2026-11-16 16:00 CET"), "{krs}");
    }
}

#[test]
fn a_line_longer_than_a_card_is_cut_not_lost() {
    let m = Message::text("Growth", vec!["🚀".repeat(40_000), "second".into()]);
    let p = payload(Platform::Teams, &m);
    assert!(p.to_string().len() <= TEAMS_CARD_BYTES);
    assert!(p.to_string().contains("🚀🚀🚀"));
    let p = payload(Platform::Mattermost, &m);
    assert!(chars(&p["attachments"][0]["text"]) <= MATTERMOST_TEXT_CHARS);
    assert!(p["attachments"][0]["text"]
        .as_str()
        .unwrap()
        .contains("🚀🚀🚀"));
}
