//! [`Message`] -> the JSON body each webhook platform takes (`docs/webhooks.md`): Slack Block
//! Kit, Mattermost attachments, a Microsoft Teams Adaptive Card. Each keeps to its platform's
//! documented limits, cutting the end of a long message rather than being refused, and no text
//! from a person (a title, a note, a name) can ping anyone there.

use serde_json::{json, Value};

use super::{action_hint, clip_chars};
use crate::domain::message::Message;
use crate::domain::scoring::Status;
use crate::domain::webhook::{Platform, Webhook};

/// Slack: a section's text, a header's text, and blocks per message.
pub const SLACK_SECTION_CHARS: usize = 3000;
pub const SLACK_HEADER_CHARS: usize = 150;
pub const SLACK_MAX_BLOCKS: usize = 50;
/// Mattermost refuses posts longer than this.
pub const MATTERMOST_TEXT_CHARS: usize = 16_000;
/// Teams refuses cards of 28 KB and more; this leaves room for the envelope.
pub const TEAMS_CARD_BYTES: usize = 27 * 1024;

pub fn payload(platform: Platform, m: &Message) -> Value {
    match platform {
        Platform::Slack => slack(m),
        Platform::Mattermost => mattermost(m),
        Platform::Teams => teams(m),
    }
}

/// What `/okr webhook test` posts.
pub fn sample(team: &str, now: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> Message {
    let mut m = Message::text(
        format!("okrbot test post for {team}"),
        vec![
            format!("{team}'s digests, at-risk alerts, KPI alerts and cycle close reports will arrive here."),
            "Nothing else to do: this is only a test.".into(),
        ],
    );
    m.colour = Some(Status::Green);
    m.footer = Some(format!(
        "sent {}",
        now.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z")
    ));
    m
}

/// To the team's leads when a webhook was disabled after answering "not found" in a row.
pub fn disabled_notice(team: &str, hook: &Webhook, failures: u32) -> Message {
    let mut m = Message::text(
        format!("{team}: {} webhook {} disabled", hook.platform.label(), hook.id),
        vec![
            format!(
                "{} answered \"not found\" {failures} times in a row ({}), so okrbot stopped posting to it.",
                hook.masked_url(),
                hook.last_error.as_deref().unwrap_or("no detail"),
            ),
            format!(
                "If the webhook was deleted, add the new one with /okr webhook add team:{team}; if it works again, /okr webhook test team:{team} webhook:{} enables it.",
                hook.id
            ),
        ],
    );
    m.colour = Some(Status::Red);
    m
}

/// One webhook in `/okr webhook list`: number, platform, masked URL, state.
pub fn list_line(w: &Webhook) -> String {
    let state = match (&w.disabled_at, &w.last_error) {
        (Some(_), why) => format!(
            "🔴 disabled ({}); /okr webhook test webhook:{} enables it once it works",
            why.as_deref().unwrap_or("it kept failing"),
            w.id
        ),
        (None, Some(why)) => format!("🟡 last post failed: {why}"),
        (None, _) => "🟢 active".to_owned(),
    };
    format!(
        "{} {} {} — {state}",
        w.id,
        w.platform.label(),
        w.masked_url()
    )
}

/// To a team's leads when its chat channel refuses posts.
pub fn channel_closed_notice(team: &str, channel: &str, why: &str) -> Message {
    let mut m = Message::text(
        format!("{team}: its channel refuses okrbot's posts"),
        vec![
            format!(
                "Posting to {} failed: {why}.",
                if channel.chars().all(|c| c.is_ascii_digit()) {
                    format!("<#{channel}>")
                } else {
                    format!("#{channel}")
                }
            ),
            // Only a Discord channel refuses posts, so the notice spells setup as Discord does.
            format!(
                "The channel was deleted, or okrbot may no longer see it or send messages and embeds there: give it back those permissions, or set another channel with {}.",
                crate::command::respell(
                    "/okr setup team:<team> channel:#…",
                    crate::command::Surface::Discord
                )
            ),
            "Digests and alerts for the team are skipped until then; this notice comes at most once a day.".to_owned(),
        ],
    );
    m.colour = Some(Status::Red);
    m
}

fn hex(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Green) => "#2EB67D",
        Some(Status::Yellow) => "#ECB22E",
        Some(Status::Red) => "#E01E5A",
        None => "#8D99A6",
    }
}

/// The lines of a message below its title, as (heading, lines) and then hints and footer.
fn sections(m: &Message) -> Vec<(Option<String>, Vec<String>)> {
    let mut out: Vec<(Option<String>, Vec<String>)> = m
        .blocks
        .iter()
        .map(|b| {
            let heading = b.heading.as_ref().map(|h| match b.colour {
                Some(c) => format!("{} {h}", c.emoji()),
                None => h.clone(),
            });
            (heading, b.lines.clone())
        })
        .collect();
    let hints: Vec<String> = m
        .actions
        .iter()
        .map(|a| format!("{}: {}", a.label, action_hint(a)))
        .collect();
    if !hints.is_empty() {
        out.push((None, hints));
    }
    out
}

/// Slack reads `&`, `<` and `>` as markup (`<!channel>` pings everyone): escaped, text is text.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Mattermost pings on `@name`, `@channel`, `@all`, `@here`: a word joiner after each `@`
/// keeps the text readable and pings no one.
fn mattermost_escape(s: &str) -> String {
    s.replace('@', "@\u{2060}")
}

fn slack(m: &Message) -> Value {
    let title = clip_chars(&m.title, SLACK_HEADER_CHARS);
    let blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": title, "emoji": true}
    })];
    let mut body: Vec<Value> = Vec::new();
    for (heading, lines) in sections(m) {
        // A long block becomes several sections, each under the limit.
        let mut text = heading
            .map(|h| format!("*{}*", slack_escape(&h)))
            .unwrap_or_default();
        for line in lines {
            let line = clip_chars(&slack_escape(&line), SLACK_SECTION_CHARS - 1);
            if !text.is_empty()
                && text.chars().count() + 1 + line.chars().count() > SLACK_SECTION_CHARS
            {
                body.push(slack_section(std::mem::take(&mut text)));
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&line);
        }
        if !text.is_empty() {
            body.push(slack_section(text));
        }
    }
    let footer = m.footer.as_ref().map(|f| {
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip_chars(&slack_escape(f), SLACK_SECTION_CHARS)}]})
    });
    // The header, the footer and a "more" line come out of the 50.
    let room = SLACK_MAX_BLOCKS - 1 - usize::from(footer.is_some());
    if body.len() > room {
        let cut = body.len() - (room - 1);
        body.truncate(room - 1);
        body.push(json!({"type": "context", "elements": [{"type": "mrkdwn",
            "text": format!("… {cut} more sections: /okr status shows everything")}]}));
    }
    body.extend(footer);
    json!({
        "text": slack_escape(&clip_chars(&m.title, SLACK_SECTION_CHARS)),
        "blocks": blocks,
        "attachments": [{"color": hex(m.colour), "blocks": body}],
    })
}

fn slack_section(text: String) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

fn mattermost(m: &Message) -> Value {
    let mut text = String::new();
    for (heading, lines) in sections(m) {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        if let Some(h) = heading {
            text.push_str(&format!("**{}**\n", mattermost_escape(&h)));
        }
        let lines: Vec<String> = lines.iter().map(|l| mattermost_escape(l)).collect();
        text.push_str(&lines.join("\n"));
    }
    let title = mattermost_escape(&clip_chars(&m.title, 250));
    let mut attachment = json!({
        "fallback": title,
        "color": hex(m.colour),
        "title": title,
        "text": clip_chars(&text, MATTERMOST_TEXT_CHARS),
    });
    if let Some(f) = &m.footer {
        attachment["footer"] = json!(mattermost_escape(&clip_chars(f, 500)));
    }
    json!({"username": "okrbot", "attachments": [attachment]})
}

fn teams_colour(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Green) => "Good",
        Some(Status::Yellow) => "Warning",
        Some(Status::Red) => "Attention",
        None => "Default",
    }
}

fn teams(m: &Message) -> Value {
    let title = json!({
        "type": "TextBlock", "text": clip_chars(&m.title, 500), "size": "Large",
        "weight": "Bolder", "wrap": true, "color": teams_colour(m.colour)
    });
    let mut parts: Vec<Value> = Vec::new();
    for (i, (heading, lines)) in sections(m).into_iter().enumerate() {
        let colour = m.blocks.get(i).and_then(|b| b.colour);
        let mut items = Vec::new();
        if let Some(h) = heading {
            items.push(
                json!({"type": "TextBlock", "text": h, "weight": "Bolder", "wrap": true,
                "color": teams_colour(colour)}),
            );
        }
        if !lines.is_empty() {
            // A blank line between lines: Teams joins single line breaks.
            items.push(
                json!({"type": "TextBlock", "text": lines.join("\n\n"), "wrap": true,
                "spacing": "Small"}),
            );
        }
        parts.push(json!({"type": "Container", "items": items, "separator": i > 0}));
    }
    let footer = m.footer.as_ref().map(|f| {
        json!({"type": "TextBlock", "text": clip_chars(f, 500), "isSubtle": true, "size": "Small", "wrap": true})
    });
    let card = |parts: &[Value], more: usize| {
        let mut body = vec![title.clone()];
        body.extend(parts.iter().cloned());
        if more > 0 {
            body.push(json!({"type": "TextBlock", "wrap": true, "isSubtle": true,
                "text": format!("… {more} more: /okr status shows everything")}));
        }
        body.extend(footer.clone());
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "msteams": {"width": "Full"},
                    "body": body,
                }
            }]
        })
    };
    // Whole sections are dropped from the end until the card fits.
    let mut keep = parts.len();
    loop {
        let c = card(&parts[..keep], parts.len() - keep);
        if keep == 0 || c.to_string().len() <= TEAMS_CARD_BYTES {
            return c;
        }
        keep -= 1;
    }
}

#[cfg(test)]
mod tests {
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
        assert!(p.to_string().contains("more: /okr status"));
        let short = payload(Platform::Teams, &digest(1, "a"));
        assert!(!short.to_string().contains("more: /okr status"));
    }
}
