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
                crate::domain::catalogue::respell(
                    "/okr setup team:<team> channel:#…",
                    crate::domain::catalogue::Surface::Discord
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

/// Whether a heading already opens with a status emoji (the renderers put it there), so a
/// webhook does not show it twice.
fn has_status_emoji(h: &str) -> bool {
    ["🟢", "🟡", "🔴", "⚪"].iter().any(|e| h.starts_with(e))
}

/// The lines of a message below its title, as (heading, lines) and then hints and footer.
fn sections(m: &Message) -> Vec<(Option<String>, Vec<String>)> {
    let mut out: Vec<(Option<String>, Vec<String>)> = m
        .blocks
        .iter()
        .map(|b| {
            let heading = b.heading.as_ref().map(|h| match b.colour {
                Some(c) if !has_status_emoji(h) => format!("{} {h}", c.emoji()),
                _ => h.clone(),
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

/// Bidirectional controls let a name reorder the text around it on screen (a title that reads
/// as something else): they are dropped on every platform.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A word joiner: invisible, and it breaks the adjacency every markup below relies on.
fn without_bidi(s: &str) -> String {
    s.chars().filter(|c| !is_bidi_control(*c)).collect()
}

const JOINER: char = '\u{2060}';

/// Slack reads `&`, `<` and `>` as markup (`<!channel>` pings everyone, `<url|text>` is a
/// link): escaped, text is text. Slack's mrkdwn has no `[text](url)` links or images.
fn slack_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| !is_bidi_control(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Mattermost and Teams render Markdown, and Mattermost also rewrites Slack's `<!channel>`,
/// `<!here>`, `<!all>` and `<url|text>` before it looks for mentions. A joiner after every `<`
/// breaks the Slack forms and autolinks; one after every `]` breaks `[text](url)`,
/// `![](image)` and reference links (`[x]: url`), which all need `](`, `][` or `]:`. On
/// Mattermost a joiner after every `@` stops `@here`, `@channel`, `@all` and `@name`.
fn markdown_neutral(s: &str, at_too: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars().filter(|c| !is_bidi_control(*c)) {
        out.push(c);
        if c == '<' || c == ']' || (at_too && c == '@') {
            out.push(JOINER);
        }
    }
    out
}

fn mattermost_escape(s: &str) -> String {
    markdown_neutral(s, true)
}

fn teams_escape(s: &str) -> String {
    markdown_neutral(s, false)
}

fn slack(m: &Message) -> Value {
    // plain_text is shown as typed and never read as markup; only the bidi controls go.
    let title = clip_chars(&without_bidi(&m.title), SLACK_HEADER_CHARS);
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
            "text": more_note(0, cut)}]}));
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

/// `3 more lines`, `1 more line`.
fn more(n: usize, one: &str, many: &str) -> String {
    format!("{n} more {}", if n == 1 { one } else { many })
}

/// The note that ends a message cut to fit: how much is left out and where to see it all.
fn more_note(lines: usize, sections: usize) -> String {
    let what = match (lines, sections) {
        (0, 0) => "the rest".to_owned(),
        (0, s) => more(s, "section", "sections"),
        (l, 0) => more(l, "line", "lines"),
        (l, s) => format!(
            "{} and {}",
            more(l, "line", "lines"),
            more(s, "section", "sections")
        ),
    };
    format!("… {what}: /okr status shows everything")
}

fn mattermost(m: &Message) -> Value {
    let parts: Vec<String> = sections(m)
        .into_iter()
        .map(|(heading, lines)| {
            let mut part = heading
                .map(|h| format!("**{}**\n", mattermost_escape(&h)))
                .unwrap_or_default();
            let lines: Vec<String> = lines.iter().map(|l| mattermost_escape(l)).collect();
            part.push_str(&lines.join("\n"));
            part
        })
        .collect();
    let title = mattermost_escape(&clip_chars(&m.title, 250));
    let mut attachment = json!({
        "fallback": title,
        "color": hex(m.colour),
        "title": title,
        "text": mattermost_text(&parts),
    });
    if let Some(f) = &m.footer {
        attachment["footer"] = json!(mattermost_escape(&clip_chars(f, 500)));
    }
    json!({"username": "okrbot", "attachments": [attachment]})
}

/// Whole sections while they fit, then a note of how many were left out; a first section too
/// long alone is cut by lines, with the same note, so the reader always sees that text is missing.
fn mattermost_text(parts: &[String]) -> String {
    let joined = parts.join("\n\n");
    if joined.chars().count() <= MATTERMOST_TEXT_CHARS {
        return joined;
    }
    // Room for the note, whatever the count.
    let room = MATTERMOST_TEXT_CHARS - more_note(usize::MAX, usize::MAX).chars().count() - 2;
    let mut text = String::new();
    let mut used = 0;
    let mut kept = 0;
    for part in parts {
        let n = part.chars().count() + if kept > 0 { 2 } else { 0 };
        if used + n > room {
            break;
        }
        if kept > 0 {
            text.push_str("\n\n");
        }
        text.push_str(part);
        used += n;
        kept += 1;
    }
    if kept > 0 {
        text.push_str("\n\n");
        text.push_str(&more_note(0, parts.len() - kept));
        return text;
    }
    let lines: Vec<&str> = parts[0].split('\n').collect();
    let mut shown = 0;
    for line in &lines {
        let n = line.chars().count() + 1;
        if used + n > room {
            break;
        }
        text.push_str(line);
        text.push('\n');
        used += n;
        shown += 1;
    }
    if shown == 0 {
        text = clip_chars(lines[0], room);
        text.push('\n');
        shown = 1;
    }
    // Cut by lines only when the first section was too long, so something is always left out.
    text + &more_note(lines.len() - shown, parts.len() - 1)
}

fn teams_colour(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Green) => "Good",
        Some(Status::Yellow) => "Warning",
        Some(Status::Red) => "Attention",
        None => "Default",
    }
}

/// One section of a card: its heading and as many of its lines as `lines` says.
fn teams_part(
    i: usize,
    heading: &Option<String>,
    lines: &[String],
    colour: Option<Status>,
) -> Value {
    let mut items = Vec::new();
    if let Some(h) = heading {
        items.push(
            json!({"type": "TextBlock", "text": teams_escape(h), "weight": "Bolder", "wrap": true,
            "color": teams_colour(colour)}),
        );
    }
    if !lines.is_empty() {
        let lines: Vec<String> = lines.iter().map(|l| teams_escape(l)).collect();
        // A blank line between lines: Teams joins single line breaks.
        items.push(
            json!({"type": "TextBlock", "text": lines.join("\n\n"), "wrap": true,
            "spacing": "Small"}),
        );
    }
    json!({"type": "Container", "items": items, "separator": i > 0})
}

fn teams(m: &Message) -> Value {
    let title = json!({
        "type": "TextBlock", "text": teams_escape(&clip_chars(&m.title, 500)), "size": "Large",
        "weight": "Bolder", "wrap": true, "color": teams_colour(m.colour)
    });
    let sections = sections(m);
    let colours: Vec<Option<Status>> = (0..sections.len())
        .map(|i| m.blocks.get(i).and_then(|b| b.colour))
        .collect();
    let parts: Vec<Value> = sections
        .iter()
        .enumerate()
        .map(|(i, (h, lines))| teams_part(i, h, lines, colours[i]))
        .collect();
    let footer = m.footer.as_ref().map(|f| {
        json!({"type": "TextBlock", "text": teams_escape(&clip_chars(f, 500)), "isSubtle": true, "size": "Small", "wrap": true})
    });
    let card = |parts: &[Value], more: Option<String>| {
        let mut body = vec![title.clone()];
        body.extend(parts.iter().cloned());
        if let Some(more) = more {
            body.push(json!({"type": "TextBlock", "wrap": true, "isSubtle": true, "text": more}));
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
    let fits = |c: &Value| c.to_string().len() <= TEAMS_CARD_BYTES;
    let whole = card(&parts, None);
    if fits(&whole) {
        return whole;
    }
    // The most whole sections that fit (the size grows with the count, so a binary search).
    let with_sections = |keep: usize| {
        let more = (keep < parts.len()).then(|| more_note(0, parts.len() - keep));
        card(&parts[..keep], more)
    };
    let keep = largest_fitting(parts.len(), |k| fits(&with_sections(k)));
    if keep > 0 {
        return with_sections(keep);
    }
    // The first section alone is too big: as many of its lines as fit, so a card always shows
    // key results.
    let (heading, lines) = &sections[0];
    let with_lines = |shown: usize| {
        let part = teams_part(0, heading, &lines[..shown], colours[0]);
        card(
            &[part],
            Some(more_note(lines.len() - shown, parts.len() - 1)),
        )
    };
    let shown = largest_fitting(lines.len(), |n| fits(&with_lines(n)));
    if shown > 0 {
        return with_lines(shown);
    }
    // One line larger than a card: that line, cut.
    let cut = clip_chars(&lines[0], 2000);
    let part = teams_part(0, heading, &[cut], colours[0]);
    card(&[part], Some(more_note(lines.len() - 1, parts.len() - 1)))
}

/// The largest `n` in `0..=max` for which `fits(n)` holds, `fits` being true up to some point
/// and false after it; 0 when only 0 fits (or nothing does).
fn largest_fitting(max: usize, fits: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, max);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
