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

/// What a row of a prompt's buttons answers for: a key result by code, or a KPI by id (its
/// name for the label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject<'a> {
    Kr(&'a str),
    Kpi(i64, &'a str),
}

impl Subject<'_> {
    fn fits(&self) -> bool {
        match self {
            Subject::Kr(code) => code_fits(code),
            // Two numbers of at most 20 digits each: always within 100.
            Subject::Kpi(..) => true,
        }
    }
}

/// The key results and KPIs that get buttons, in order, and how many there are in all.
fn subjects(actions: &[Action]) -> (Vec<Subject<'_>>, usize) {
    let (mut codes, controls) = subjects_all(actions);
    let total = codes.len();
    codes.retain(Subject::fits);
    codes.truncate(ROWS - usize::from(controls));
    (codes, total)
}

/// Every key result and KPI the actions name, in order, and whether a row of controls follows.
fn subjects_all(actions: &[Action]) -> (Vec<Subject<'_>>, bool) {
    let mut codes: Vec<Subject<'_>> = Vec::new();
    for a in actions {
        let subject = match (a.kind, a.target.as_deref(), a.kpi) {
            (ActionKind::Update | ActionKind::NoChange, Some(c), _) => Subject::Kr(c),
            (ActionKind::ReadKpi | ActionKind::KpiNoChange, Some(name), Some(id)) => {
                Subject::Kpi(id, name)
            }
            _ => continue,
        };
        if !codes.contains(&subject) {
            codes.push(subject);
        }
    }
    let controls = actions.iter().any(|a| {
        matches!(
            a.kind,
            ActionKind::Snooze | ActionKind::AllNoChange | ActionKind::StartOkr
        )
    });
    (codes, controls)
}

/// Key results and KPIs with no row of buttons, counted apart: the embed says how many.
pub(super) fn hidden_krs(actions: &[Action]) -> (usize, usize) {
    let (shown, _) = subjects(actions);
    let (all, _) = subjects_all(actions);
    let hidden: Vec<&Subject<'_>> = all.iter().filter(|s| !shown.contains(s)).collect();
    let kpis = hidden
        .iter()
        .filter(|s| matches!(s, Subject::Kpi(..)))
        .count();
    (hidden.len() - kpis, kpis)
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
    let (subjects, total) = subjects(actions);
    let mut rows = Vec::new();
    for subject in &subjects {
        let mut row = Vec::new();
        match *subject {
            Subject::Kr(code) => {
                if has(ActionKind::Update, Some(code)) {
                    let id = format!("okr:u:{code}:{delivery_id}");
                    row.push(button(id, &format!("Update {code}"), ButtonStyle::Primary));
                }
                if has(ActionKind::NoChange, Some(code)) {
                    let id = format!("okr:n:{code}:{delivery_id}");
                    row.push(button(id, "No change", ButtonStyle::Secondary));
                }
            }
            Subject::Kpi(kpi, name) => {
                if has(ActionKind::ReadKpi, Some(name)) {
                    let id = format!("okr:ku:{kpi}:{delivery_id}");
                    row.push(button(id, &format!("Update {name}"), ButtonStyle::Primary));
                }
                if has(ActionKind::KpiNoChange, Some(name)) {
                    let id = format!("okr:kn:{kpi}:{delivery_id}");
                    row.push(button(id, "No change", ButtonStyle::Secondary));
                }
            }
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
    /// A prompt's KPI: open its reading form.
    ReadKpi {
        kpi: i64,
        delivery: i64,
    },
    /// A prompt's KPI: its latest reading stands.
    KpiNoChange {
        kpi: i64,
        delivery: i64,
    },
}

impl ButtonAction {
    /// The delivery whose message carries the button.
    pub fn delivery(&self) -> i64 {
        match self {
            ButtonAction::Update { delivery, .. }
            | ButtonAction::NoChange { delivery, .. }
            | ButtonAction::Snooze { delivery }
            | ButtonAction::AllNoChange { delivery }
            | ButtonAction::StartOkr { delivery }
            | ButtonAction::ReadKpi { delivery, .. }
            | ButtonAction::KpiNoChange { delivery, .. } => *delivery,
        }
    }
}

/// Only the canonical spelling: `+5` or `007` are not what we wrote, so not ours.
fn parse_delivery(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| n.to_string() == s)
}

/// `<kpi id>:<delivery id>`, both canonical.
fn kpi_and_delivery(rest: &str) -> Option<(i64, i64)> {
    let (kpi, d) = rest.split_once(':')?;
    Some((parse_delivery(kpi)?, parse_delivery(d)?))
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
        "ku" => {
            kpi_and_delivery(rest).map(|(kpi, delivery)| ButtonAction::ReadKpi { kpi, delivery })?
        }
        "kn" => kpi_and_delivery(rest)
            .map(|(kpi, delivery)| ButtonAction::KpiNoChange { kpi, delivery })?,
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

/// A prompt's KPI reading form, `okr:km:<kpi id>:<delivery id>`: one input, [`MODAL_VALUE`]
/// (the placeholder shows the latest reading).
pub fn kpi_modal(kpi: i64, name: &str, latest: Option<&str>, delivery: i64) -> CreateModal {
    let mut value = CreateInputText::new(InputTextStyle::Short, "Reading", MODAL_VALUE)
        .max_length(100)
        .required(true);
    if let Some(l) = latest {
        value = value.placeholder(cut(&format!("now {l}"), 100));
    }
    CreateModal::new(
        format!("okr:km:{kpi}:{delivery}"),
        cut(&format!("Reading of {name}"), MODAL_TITLE),
    )
    .components(vec![CreateActionRow::InputText(value)])
}

/// The inverse of [`kpi_modal`]'s id: the KPI and the delivery.
pub fn parse_kpi_modal_id(id: &str) -> Option<(i64, i64)> {
    if id.len() > CUSTOM_ID {
        return None;
    }
    kpi_and_delivery(id.strip_prefix("okr:km:")?)
}

/// After a check-in from a prompt, the prompt as it should now look: each done key result's
/// heading marked ✅ with its new value and its buttons gone; Snooze and All no change go with
/// the last key-result button. `embeds` and `rows` are the prompt as Discord holds it (the
/// interaction's message); `done` pairs a code with its new value as the reader should see it.
pub fn mark_done(embeds: &[Embed], rows: &[ActionRow], done: &[(&str, &str)]) -> DiscordMessage {
    let done: Vec<(Subject<'_>, &str)> = done.iter().map(|(c, v)| (Subject::Kr(c), *v)).collect();
    mark(embeds, rows, &done)
}

/// [`mark_done`] for a prompt's KPI, read (or kept) from its buttons: its block marked ✅ with
/// the reading, its buttons gone.
pub fn mark_kpi_done(
    embeds: &[Embed],
    rows: &[ActionRow],
    kpi: i64,
    name: &str,
    value: &str,
) -> DiscordMessage {
    mark(embeds, rows, &[(Subject::Kpi(kpi, name), value)])
}

fn mark(embeds: &[Embed], rows: &[ActionRow], done: &[(Subject<'_>, &str)]) -> DiscordMessage {
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
    for (subject, value) in done {
        let line = cut(&format!("✅ checked in: {value}"), 200);
        let names = |h: Option<&str>| match subject {
            Subject::Kr(code) => names(h, code),
            Subject::Kpi(_, name) => h.is_some_and(|h| strip_status(h) == format!("KPI {name}")),
        };
        if let Some(p) = pieces.iter_mut().find(|p| names(p.title.as_deref())) {
            p.title = p.title.as_deref().map(mark);
            p.desc = prepend(&line, &p.desc, DESCRIPTION);
        } else if let Some(f) = pieces
            .iter_mut()
            .flat_map(|p| p.fields.iter_mut())
            .find(|(n, _)| names(Some(n)))
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
    // What a button answers for, as (key result code, KPI id).
    let target = |b: &serenity::all::Button| match &b.data {
        ButtonKind::NonLink { custom_id, .. } => match parse_custom_id(custom_id) {
            Some(ButtonAction::Update { code, .. } | ButtonAction::NoChange { code, .. }) => {
                Some((Some(code), None))
            }
            Some(ButtonAction::ReadKpi { kpi, .. } | ButtonAction::KpiNoChange { kpi, .. }) => {
                Some((None, Some(kpi)))
            }
            _ => None,
        },
        _ => None,
    };
    let is_done = |code: &Option<String>, kpi: &Option<i64>| {
        done.iter().any(|(d, _)| match (d, code, kpi) {
            (Subject::Kr(d), Some(c), _) => d == c,
            (Subject::Kpi(d, _), _, Some(k)) => d == k,
            _ => false,
        })
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
                Some((code, kpi)) if is_done(&code, &kpi) => continue,
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
