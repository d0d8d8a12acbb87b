//! The interactive parts of a rendered message: buttons, their `custom_id`s, the Update form,
//! and the prompt edited once a key result is checked in. The ids carry everything a press needs
//! (`okr:<kind>:…:<delivery id>`), so a press is handled statelessly, even after a restart;
//! [`parse_custom_id`] refuses anything that is not exactly what [`action_rows`] writes.

use serenity::all::{
    ActionRow, ActionRowComponent, ButtonKind, ButtonStyle, CreateActionRow, CreateButton,
    CreateInputText, CreateModal, Embed, InputTextStyle,
};

use super::{
    cut, len, DiscordMessage, Piece, CUSTOM_ID, DESCRIPTION, FIELD_VALUE, LABEL, MODAL_CONFIDENCE,
    MODAL_NOTE, MODAL_TITLE, MODAL_VALUE, NEUTRAL, ROWS, TITLE, TOTAL,
};
use crate::domain::message::{Action, ActionKind};

/// A key-result code fits a `custom_id` when the longest id it appears in stays within 100.
fn code_fits(code: &str) -> bool {
    !code.is_empty() && !code.contains(':') && "okr:u:".len() + code.len() + 1 + 20 <= CUSTOM_ID
}

/// The key results that get buttons, in order, and how many key results there are in all.
fn kr_codes(actions: &[Action]) -> (Vec<&str>, usize) {
    let mut codes: Vec<&str> = Vec::new();
    for a in actions {
        if let (ActionKind::Update | ActionKind::NoChange, Some(c)) = (a.kind, a.target.as_deref())
        {
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
    }
    let controls = actions.iter().any(|a| {
        matches!(
            a.kind,
            ActionKind::Snooze | ActionKind::AllNoChange | ActionKind::StartOkr
        )
    });
    let total = codes.len();
    codes.retain(|c| code_fits(c));
    codes.truncate(ROWS - usize::from(controls));
    (codes, total)
}

/// Key results with no row of buttons: the embed says how many.
pub(super) fn hidden_krs(actions: &[Action]) -> usize {
    let (shown, total) = kr_codes(actions);
    total - shown.len()
}

fn button(id: String, label: &str, style: ButtonStyle) -> CreateButton {
    CreateButton::new(id).label(cut(label, LABEL)).style(style)
}

/// The action buttons: a row per key result (Update, No change), then one row with Snooze and,
/// for more than one key result, All no change. Key results beyond the five rows are left to
/// `/okr update`; [`super::render`] says how many.
pub fn action_rows(actions: &[Action], delivery_id: i64) -> Vec<CreateActionRow> {
    let has = |k: ActionKind, code: Option<&str>| {
        actions
            .iter()
            .any(|a| a.kind == k && (code.is_none() || a.target.as_deref() == code))
    };
    let (codes, total) = kr_codes(actions);
    let mut rows = Vec::new();
    for code in &codes {
        let mut row = Vec::new();
        if has(ActionKind::Update, Some(code)) {
            let id = format!("okr:u:{code}:{delivery_id}");
            row.push(button(id, &format!("Update {code}"), ButtonStyle::Primary));
        }
        if has(ActionKind::NoChange, Some(code)) {
            let id = format!("okr:n:{code}:{delivery_id}");
            row.push(button(id, "No change", ButtonStyle::Secondary));
        }
        rows.push(CreateActionRow::Buttons(row));
    }
    let mut controls = Vec::new();
    if has(ActionKind::Snooze, None) {
        controls.push(button(
            format!("okr:s:{delivery_id}"),
            "Snooze",
            ButtonStyle::Secondary,
        ));
    }
    if has(ActionKind::AllNoChange, None) && total > 1 {
        let id = format!("okr:a:{delivery_id}");
        controls.push(button(id, "All no change", ButtonStyle::Secondary));
    }
    if has(ActionKind::StartOkr, None) {
        let id = format!("okr:k:{delivery_id}");
        controls.push(button(id, "Start an OKR", ButtonStyle::Primary));
    }
    if !controls.is_empty() {
        rows.push(CreateActionRow::Buttons(controls));
    }
    rows
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    Update {
        code: String,
        delivery: i64,
    },
    NoChange {
        code: String,
        delivery: i64,
    },
    Snooze {
        delivery: i64,
    },
    AllNoChange {
        delivery: i64,
    },
    /// The KPI alert's Start an OKR; the KPI is the one the delivery's message names.
    StartOkr {
        delivery: i64,
    },
}

/// Only the canonical spelling: `+5` or `007` are not what we wrote, so not ours.
fn parse_delivery(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| n.to_string() == s)
}

fn code_and_delivery(rest: &str) -> Option<(String, i64)> {
    let (code, d) = rest.split_once(':')?;
    code_fits(code)
        .then(|| Some((code.to_owned(), parse_delivery(d)?)))
        .flatten()
}

/// The inverse of [`action_rows`]' ids; `None` for anything malformed.
pub fn parse_custom_id(id: &str) -> Option<ButtonAction> {
    if id.len() > CUSTOM_ID {
        return None;
    }
    let (kind, rest) = id.strip_prefix("okr:")?.split_once(':')?;
    Some(match kind {
        "u" => code_and_delivery(rest)
            .map(|(code, delivery)| ButtonAction::Update { code, delivery })?,
        "n" => code_and_delivery(rest)
            .map(|(code, delivery)| ButtonAction::NoChange { code, delivery })?,
        "s" => ButtonAction::Snooze {
            delivery: parse_delivery(rest)?,
        },
        "a" => ButtonAction::AllNoChange {
            delivery: parse_delivery(rest)?,
        },
        "k" => ButtonAction::StartOkr {
            delivery: parse_delivery(rest)?,
        },
        _ => return None,
    })
}

/// The Update form, `okr:m:<code>:<delivery id>`. Its inputs are [`MODAL_VALUE`] (required; the
/// placeholder shows the current value), [`MODAL_CONFIDENCE`] (1-10) and [`MODAL_NOTE`] (up to
/// 1,000 characters). The title names the key result, cut to Discord's 45.
pub fn update_modal(code: &str, kr_title: &str, current: &str, delivery: i64) -> CreateModal {
    let title = if kr_title.is_empty() {
        format!("Check in {code}")
    } else {
        format!("Check in {code}: {kr_title}")
    };
    let value = CreateInputText::new(InputTextStyle::Short, "New value", MODAL_VALUE)
        .placeholder(cut(&format!("now {current}"), 100))
        .max_length(100)
        .required(true);
    let confidence = CreateInputText::new(
        InputTextStyle::Short,
        "Confidence (1-10, optional)",
        MODAL_CONFIDENCE,
    )
    .placeholder("e.g. 7")
    .max_length(2)
    .required(false);
    let note = CreateInputText::new(InputTextStyle::Paragraph, "Note (optional)", MODAL_NOTE)
        .placeholder("What moved it, or what is in the way")
        .max_length(crate::domain::model::MAX_NOTE_CHARS as u16)
        .required(false);
    let inputs = [value, confidence, note]
        .into_iter()
        .map(CreateActionRow::InputText)
        .collect();
    CreateModal::new(format!("okr:m:{code}:{delivery}"), cut(&title, MODAL_TITLE))
        .components(inputs)
}

pub fn parse_modal_id(id: &str) -> Option<(String, i64)> {
    code_and_delivery(id.strip_prefix("okr:m:")?)
}

/// After a check-in from a prompt, the prompt as it should now look: each done key result's
/// heading marked ✅ with its new value and its buttons gone; Snooze and All no change go with
/// the last key-result button. `embeds` and `rows` are the prompt as Discord holds it (the
/// interaction's message); `done` pairs a code with its new value as the reader should see it.
pub fn mark_done(embeds: &[Embed], rows: &[ActionRow], done: &[(&str, &str)]) -> DiscordMessage {
    let mut pieces: Vec<Piece> = embeds
        .iter()
        .map(|e| Piece {
            title: e.title.clone(),
            colour: e.colour.map_or(NEUTRAL, |c| c.0),
            desc: e.description.clone().unwrap_or_default(),
            fields: e
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.value.clone()))
                .collect(),
            footer: e.footer.as_ref().map(|f| f.text.clone()),
            image: e.image.as_ref().map(|i| i.url.clone()),
            ..Piece::default()
        })
        .collect();
    let mark = |h: &str| cut(&format!("✅ {}", strip_status(h)), TITLE);
    let prepend = |line: &str, text: &str, max| cut(format!("{line}\n{text}").trim_end(), max);
    for (code, value) in done {
        let line = cut(&format!("✅ checked in: {value}"), 200);
        if let Some(p) = pieces.iter_mut().find(|p| names(p.title.as_deref(), code)) {
            p.title = p.title.as_deref().map(mark);
            p.desc = prepend(&line, &p.desc, DESCRIPTION);
        } else if let Some(f) = pieces
            .iter_mut()
            .flat_map(|p| p.fields.iter_mut())
            .find(|(n, _)| names(Some(n), code))
        {
            *f = (mark(&f.0), prepend(&line, &f.1, FIELD_VALUE));
        }
    }
    // The marks may push a full message over 6,000: take it back from the longest description,
    // whose end is furthest from the marks at its start.
    loop {
        let total: usize = pieces.iter().map(Piece::size).sum();
        let Some(p) = pieces.iter_mut().max_by_key(|p| len(&p.desc)) else {
            break;
        };
        if total <= TOTAL || p.desc.is_empty() {
            break;
        }
        p.desc = cut(&p.desc, len(&p.desc).saturating_sub(total - TOTAL));
    }
    let target = |b: &serenity::all::Button| match &b.data {
        ButtonKind::NonLink { custom_id, .. } => match parse_custom_id(custom_id) {
            Some(ButtonAction::Update { code, .. } | ButtonAction::NoChange { code, .. }) => {
                Some(code)
            }
            _ => None,
        },
        _ => None,
    };
    let mut kr_left = false;
    let mut kept: Vec<Vec<CreateButton>> = Vec::new();
    for r in rows {
        let mut row = Vec::new();
        for c in &r.components {
            let ActionRowComponent::Button(b) = c else {
                continue;
            };
            match target(b) {
                Some(code) if done.iter().any(|(d, _)| *d == code) => continue,
                Some(_) => kr_left = true,
                None => {}
            }
            row.push(CreateButton::from(b.clone()));
        }
        if !row.is_empty() {
            kept.push(row);
        }
    }
    DiscordMessage {
        content: None,
        embeds: pieces.iter().map(Piece::embed).collect(),
        components: if kr_left {
            kept.into_iter().map(CreateActionRow::Buttons).collect()
        } else {
            Vec::new()
        },
        files: Vec::new(),
        ephemeral: false,
        pings: super::Pings::default(),
    }
}

/// The rows of a KPI alert once its objective is drafted: the Start an OKR button gone (pressing
/// it again could only repeat the draft), every other button kept, empty rows dropped.
pub fn without_start_okr(rows: &[ActionRow]) -> Vec<CreateActionRow> {
    rows.iter()
        .filter_map(|r| {
            let kept: Vec<CreateButton> = r
                .components
                .iter()
                .filter_map(|c| match c {
                    ActionRowComponent::Button(b) => Some(b),
                    _ => None,
                })
                .filter(|b| {
                    !matches!(&b.data, ButtonKind::NonLink { custom_id, .. }
                        if matches!(parse_custom_id(custom_id), Some(ButtonAction::StartOkr { .. })))
                })
                .map(|b| CreateButton::from(b.clone()))
                .collect();
            (!kept.is_empty()).then_some(CreateActionRow::Buttons(kept))
        })
        .collect()
}

fn strip_status(h: &str) -> &str {
    ["🟢 ", "🟡 ", "🔴 ", "⚪ ", "✅ "]
        .iter()
        .find_map(|p| h.strip_prefix(p))
        .unwrap_or(h)
}

/// Whether a heading names the key result `code` as a word of its own (`GRO-1.1`, not `GRO-1.10`).
fn names(heading: Option<&str>, code: &str) -> bool {
    heading.is_some_and(|h| {
        h.split_whitespace()
            .any(|w| w.trim_matches(|c| ":,;()\"".contains(c)) == code)
    })
}
