//! One console line -> a command word path, positional text and `name:value` options; then the
//! matching service call. A value runs to the next ` name:` of an option the command knows, or
//! is quoted: `title:"Ship v2 kind:beta"`.

use std::collections::HashMap;

use super::{text, Console};
use crate::clock::Clock;
use crate::domain::message::Message;
use crate::domain::model::CheckInSource;
use crate::render;
use crate::service::check_in::UpdateFields;
use crate::service::data::{self, ExportFormat};
use crate::service::objectives::{KrEdit, KrInput, ObjectiveEdit, ObjectiveInput};
use crate::service::report::StatusScope;
use crate::service::schedule::ScheduleChange;
use crate::service::setup::{parse_date, SetupInput};
use crate::service::{OkrError, Result};

/// The commands and the options each knows.
const COMMANDS: &[(&str, &[&str])] = &[
    ("help", &[]),
    (
        "setup",
        &["team", "timezone", "channel", "prefix", "lead", "leads"],
    ),
    ("cycle new", &["name", "start", "end", "from"]),
    ("cycle list", &[]),
    ("cycle close", &["name", "cycle"]),
    (
        "objective add",
        &["team", "title", "kind", "owner", "parent", "cycle"],
    ),
    ("objective edit", &["objective", "title", "kind", "owner"]),
    ("objective list", &["team", "cycle"]),
    ("objective show", &["objective"]),
    ("objective align", &["objective", "parent"]),
    ("objective close", &["objective"]),
    (
        "kr add",
        &[
            "objective",
            "title",
            "kind",
            "unit",
            "start",
            "target",
            "direction",
            "owner",
            "weight",
            "confidence",
        ],
    ),
    (
        "kr edit",
        &[
            "kr",
            "title",
            "owner",
            "start",
            "target",
            "direction",
            "weight",
        ],
    ),
    ("kr remove", &["kr"]),
    ("kr list", &["team", "objective", "owner"]),
    ("kr show", &["kr"]),
    ("update", &["kr", "value", "confidence", "note"]),
    ("status", &["team", "objective"]),
    ("history", &["kr"]),
    ("export", &["format"]),
    ("schedule show", &["team"]),
    ("schedule set", &["team", "prompt", "reminder", "digest"]),
    ("digest", &["team", "scope"]),
    ("nochange", &["kr"]),
    ("snooze", &[]),
    ("clock", &["advance", "set"]),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: &'static str,
    /// Text between the command words and the first option (the update grammar, `status me`).
    pub positional: String,
    pub options: HashMap<&'static str, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Empty,
    Exit,
    BeginBulk,
    Command(Command),
    Error(String),
}

pub fn parse_line(line: &str) -> Line {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Line::Empty;
    }
    if matches!(line, "exit" | "quit" | "/exit" | "/quit") {
        return Line::Exit;
    }
    let rest = line
        .strip_prefix("/okr")
        .or_else(|| line.strip_prefix("okr"))
        .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        .unwrap_or(line)
        .trim();
    let words: Vec<&str> = rest.split_whitespace().collect();
    let best = COMMANDS
        .iter()
        .filter(|(name, _)| {
            let n: Vec<&str> = name.split(' ').collect();
            words.len() >= n.len() && n.iter().zip(&words).all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
        .max_by_key(|(name, _)| name.len());
    let Some((name, known)) = best else {
        let first = words.first().copied().unwrap_or("");
        return Line::Error(format!(
            "unknown command {first:?}: /okr help lists the commands, each with an example"
        ));
    };
    let mut after = rest;
    for _ in 0..name.split(' ').count() {
        after = after.trim_start();
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        after = &after[end..];
    }
    let after = after.trim();
    if *name == "update" && after.eq_ignore_ascii_case("bulk") {
        return Line::BeginBulk;
    }
    match split_options(after, known) {
        Ok((positional, options)) => Line::Command(Command {
            name,
            positional,
            options,
        }),
        Err(e) => Line::Error(e),
    }
}

/// Finds ` name:` starts of known options; everything before the first is positional.
fn split_options(
    text: &str,
    known: &[&'static str],
) -> std::result::Result<(String, HashMap<&'static str, String>), String> {
    let mut starts: Vec<(usize, &'static str)> = Vec::new();
    let bytes = text.as_bytes();
    let mut in_quotes = false;
    for (i, ch) in text.char_indices() {
        if ch == '"' {
            in_quotes = !in_quotes;
        }
        if in_quotes || !(i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            continue;
        }
        for k in known {
            let rest = &text[i..];
            if rest.len() > k.len()
                && rest[..k.len()].eq_ignore_ascii_case(k)
                && rest.as_bytes()[k.len()] == b':'
            {
                starts.push((i, k));
                break;
            }
        }
    }
    let positional = text[..starts.first().map_or(text.len(), |s| s.0)]
        .trim()
        .to_owned();
    let mut options = HashMap::new();
    for (n, (i, k)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(text.len(), |s| s.0);
        let raw = text[i + k.len() + 1..end].trim();
        let value = raw
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(raw)
            .to_owned();
        if options.insert(*k, value).is_some() {
            return Err(format!("{k}: is given twice: give each option once"));
        }
    }
    Ok((positional, options))
}

fn opt(c: &Command, name: &str) -> Option<String> {
    c.options.get(name).cloned()
}

fn need(c: &Command, name: &str, example: &str) -> Result<String> {
    match c.options.get(name) {
        Some(v) if !v.trim().is_empty() => Ok(v.clone()),
        _ => Err(OkrError::invalid(format!(
            "{name}: is missing: e.g. {example}"
        ))),
    }
}

pub(super) async fn execute(con: &mut Console<'_>, c: Command) -> Result<String> {
    let now = con.clock.now();
    let okr = con.okr;
    let actor = &con.actor;
    let msg: Message = match c.name {
        "help" => help(),
        "setup" => {
            let leads = opt(&c, "lead").or(opt(&c, "leads")).map(|l| {
                l.split([',', ' '])
                    .map(str::to_owned)
                    .filter(|s| !s.is_empty())
                    .collect()
            });
            let input = SetupInput {
                team: need(
                    &c,
                    "team",
                    "/okr setup team:Growth timezone:Europe/Berlin channel:growth",
                )?,
                timezone: opt(&c, "timezone"),
                channel: opt(&c, "channel"),
                prefix: opt(&c, "prefix"),
                leads,
            };
            let out = okr.setup(actor, input, now).await?;
            let t = &out.team;
            Message::text(
                format!(
                    "Team {} {}",
                    t.name,
                    if out.created {
                        "is set up"
                    } else {
                        "is updated"
                    }
                ),
                vec![
                    format!("codes: {}-1, {}-1.1, ...", t.prefix, t.prefix),
                    format!("time zone: {}", t.tz.name()),
                    format!(
                        "channel: {}",
                        t.channel
                            .as_deref()
                            .map(|c| format!("#{c}"))
                            .unwrap_or_else(|| "none yet (channel:<name>)".into())
                    ),
                    format!(
                        "leads: {}",
                        if t.leads.is_empty() {
                            "none yet (lead:<user>)".into()
                        } else {
                            t.leads.join(", ")
                        }
                    ),
                ],
            )
        }
        "cycle new" => {
            let name = need(&c, "name", "name:2026-Q4")?;
            let start = parse_date("start", &need(&c, "start", "start:2026-10-01")?)?;
            let end = parse_date("end", &need(&c, "end", "end:2026-12-31")?)?;
            if let Some(from) = opt(&c, "from").filter(|f| !f.trim().is_empty()) {
                let carried = okr
                    .cycle_new_from(actor, &name, start, end, &from, now)
                    .await?;
                let mut lines = vec![format!(
                    "{} to {} (inclusive); carried over from {from}: {} objectives, {} key results",
                    carried.cycle.start,
                    carried.cycle.end,
                    carried.objectives.len(),
                    carried.key_results
                )];
                lines.extend(
                    carried
                        .objectives
                        .iter()
                        .map(|(old, new)| format!("{old} → {new}")),
                );
                return Ok(text::render(&Message::text(
                    format!("Cycle {} created", carried.cycle.name),
                    lines,
                )));
            }
            let cy = okr.cycle_new(actor, &name, start, end, now).await?;
            Message::text(
                format!("Cycle {} created", cy.name),
                vec![format!("{} to {} (inclusive)", cy.start, cy.end)],
            )
        }
        "cycle list" => {
            let today = now.date_naive();
            let lines = okr
                .cycles(actor)
                .await?
                .iter()
                .map(|cy| {
                    format!(
                        "{} · {} to {} · {}",
                        cy.name,
                        cy.start,
                        cy.end,
                        cy.state(today).as_str()
                    )
                })
                .collect::<Vec<_>>();
            Message::text(
                "Cycles",
                if lines.is_empty() {
                    vec![
                        "none yet: /okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31"
                            .into(),
                    ]
                } else {
                    lines
                },
            )
        }
        "cycle close" => {
            let name = opt(&c, "name")
                .or(opt(&c, "cycle"))
                .filter(|s| !s.is_empty())
                .unwrap_or(c.positional.clone());
            if name.trim().is_empty() {
                return Err(OkrError::invalid(
                    "name the cycle to close, e.g. /okr cycle close name:2026-Q4",
                ));
            }
            render::cycle_close_message(&okr.cycle_close(actor, &name, now).await?)
        }
        "objective add" => {
            let input = ObjectiveInput {
                team: need(&c, "team", "team:Growth")?,
                title: need(&c, "title", "title:Enhance customer onboarding experience")?,
                kind: opt(&c, "kind"),
                owner: opt(&c, "owner"),
                parent: opt(&c, "parent"),
                cycle: opt(&c, "cycle"),
            };
            let o = okr.objective_add(actor, input, now).await?;
            Message::text(
                format!("Objective {} added: {}", o.code, o.title),
                vec![format!("next: /okr kr add objective:{} title:<key result> kind:metric start:<n> target:<n>", o.code)],
            )
        }
        "objective edit" => {
            let code = need(&c, "objective", "objective:GRO-1")?;
            let edit = ObjectiveEdit {
                title: opt(&c, "title"),
                kind: opt(&c, "kind"),
                owner: opt(&c, "owner"),
            };
            let o = okr.objective_edit(actor, &code, edit).await?;
            Message::text(format!("Objective {} updated: {}", o.code, o.title), vec![])
        }
        "objective align" => {
            let code = need(&c, "objective", "objective:GRO-1")?;
            let o = okr
                .objective_align(actor, &code, opt(&c, "parent").as_deref())
                .await?;
            let under = match o.parent {
                Some(_) => format!(
                    "now under {}",
                    opt(&c, "parent").unwrap_or_default().to_ascii_uppercase()
                ),
                None => "no longer aligned under a parent".into(),
            };
            Message::text(format!("Objective {} is {under}", o.code), vec![])
        }
        "objective close" => {
            let o = okr
                .objective_close(actor, &need(&c, "objective", "objective:GRO-1")?)
                .await?;
            Message::text(format!("Objective {} is closed", o.code), vec![])
        }
        "objective list" | "status" | "objective show" | "kr list" => {
            let scope = if let Some(o) = opt(&c, "objective").filter(|s| !s.is_empty()) {
                StatusScope::Objective(o)
            } else if let Some(t) = opt(&c, "team").filter(|s| !s.is_empty()) {
                StatusScope::Team(t)
            } else if c.positional.eq_ignore_ascii_case("me")
                || opt(&c, "owner").is_some_and(|o| o == con.actor.user)
            {
                StatusScope::Me
            } else if !c.positional.is_empty() && c.name == "objective show" {
                StatusScope::Objective(c.positional.clone())
            } else {
                StatusScope::All
            };
            render::status_message(&okr.status(actor, scope, now).await?)
        }
        "kr add" => {
            let input = KrInput {
                objective: need(&c, "objective", "objective:GRO-1")?,
                title: need(&c, "title", "title:Reduce average onboarding time")?,
                kind: opt(&c, "kind"),
                unit: opt(&c, "unit"),
                start: opt(&c, "start"),
                target: opt(&c, "target"),
                direction: opt(&c, "direction"),
                owner: opt(&c, "owner"),
                weight: opt(&c, "weight"),
                confidence: opt(&c, "confidence"),
            };
            let kr = okr.kr_add(actor, input, now).await?;
            Message::text(
                format!("Key result {} added: {}", kr.code, kr.title),
                vec![
                    format!(
                        "{} · {} · owner {}",
                        kr.kind.as_str(),
                        render::value_vs_target(&kr),
                        kr.owner.as_deref().unwrap_or("none")
                    ),
                    format!(
                        "check in with: /okr update {} <value> [c<1-10>] [note]",
                        kr.code
                    ),
                ],
            )
        }
        "kr edit" => {
            let r = need(&c, "kr", "kr:GRO-1.1")?;
            let edit = KrEdit {
                title: opt(&c, "title"),
                owner: opt(&c, "owner"),
                start: opt(&c, "start"),
                target: opt(&c, "target"),
                direction: opt(&c, "direction"),
                weight: opt(&c, "weight"),
            };
            let kr = okr.kr_edit(actor, &r, edit).await?;
            Message::text(
                format!("Key result {} updated: {}", kr.code, kr.title),
                vec![render::value_vs_target(&kr)],
            )
        }
        "kr remove" => {
            let kr = okr.kr_remove(actor, &need(&c, "kr", "kr:GRO-1.1")?).await?;
            Message::text(
                format!("Key result {} removed: {}", kr.code, kr.title),
                vec![],
            )
        }
        "kr show" | "history" => {
            let r = opt(&c, "kr").unwrap_or(c.positional.clone());
            let (kr, history) = okr.history(actor, &r).await?;
            render::history_message(&kr, &history)
        }
        "update" => {
            let outcome = if let Some(kr) = opt(&c, "kr") {
                let value = opt(&c, "value").unwrap_or_default();
                let confidence = opt(&c, "confidence");
                let note = opt(&c, "note");
                let fields = UpdateFields {
                    kr: &kr,
                    value: &value,
                    confidence: confidence.as_deref(),
                    note: note.as_deref(),
                };
                okr.check_in_fields(actor, &fields, CheckInSource::Text, None, now)
                    .await?
            } else {
                okr.check_in_text(actor, &c.positional, CheckInSource::Text, None, now)
                    .await?
            };
            render::check_in_message(&outcome)
        }
        "export" => {
            let format = opt(&c, "format").unwrap_or_else(|| "markdown".into());
            let format = ExportFormat::parse(&format).ok_or_else(|| {
                OkrError::invalid(format!(
                    "format:{format} is not known: use json, csv or markdown"
                ))
            })?;
            let doc = okr.export(actor, now).await?;
            return Ok(match format {
                ExportFormat::Json => data::to_json(&doc),
                ExportFormat::Csv => data::to_csv(&doc),
                ExportFormat::Markdown => data::to_markdown(&doc),
            });
        }
        "schedule show" | "schedule set" => {
            let team = need(&c, "team", "team:Growth")?;
            let view = if c.name == "schedule set" {
                let change = ScheduleChange {
                    prompt: opt(&c, "prompt"),
                    reminder: opt(&c, "reminder"),
                    digest: opt(&c, "digest"),
                };
                okr.schedule_set(actor, &team, change, now).await?
            } else {
                okr.schedule_show(actor, &team, now).await?
            };
            let mut lines = Vec::new();
            for (kind, expr, next) in &view.entries {
                lines.push(format!("{}: {expr}", kind.as_str()));
                lines.extend(
                    next.iter()
                        .map(|t| format!("    {}", t.format("%a %Y-%m-%d %H:%M %Z (%:z)"))),
                );
            }
            Message::text(
                format!("Schedules of {} ({})", view.team.name, view.team.tz.name()),
                lines,
            )
        }
        "digest" => {
            if opt(&c, "scope").is_some_and(|s| s.eq_ignore_ascii_case("workspace")) {
                okr.rollup(actor, now).await?
            } else {
                let team = need(&c, "team", "team:Growth (or scope:workspace)")?;
                let m = okr.digest_now(actor, &team, now).await?;
                Message::text(format!("Digest of {} posted: {}", team, m.title), vec![])
            }
        }
        "nochange" => {
            let r = opt(&c, "kr").unwrap_or(c.positional.clone());
            if r.eq_ignore_ascii_case("all") {
                let outcomes = okr.no_change_all(actor, CheckInSource::Button, now).await?;
                Message::text(
                    format!("{} key results checked in unchanged", outcomes.len()),
                    outcomes
                        .iter()
                        .map(|o| {
                            format!(
                                "{} {} stays at {}",
                                o.score.status.emoji(),
                                o.kr.code,
                                o.kr.unit.format(o.kr.current)
                            )
                        })
                        .collect(),
                )
            } else {
                render::check_in_message(
                    &okr.no_change(actor, &r, CheckInSource::Button, None, now)
                        .await?,
                )
            }
        }
        "snooze" => {
            let due = okr.snooze(actor, now).await?;
            Message::text(
                format!(
                    "Snoozed: you will be asked again at {}",
                    due.format("%a %Y-%m-%d %H:%M UTC")
                ),
                vec![],
            )
        }
        "clock" => {
            let Some(manual) = con.manual else {
                return Err(OkrError::invalid(
                    "the clock can only be moved in a console started with --now",
                ));
            };
            if let Some(t) = opt(&c, "set") {
                let t: chrono::DateTime<chrono::Utc> = t.trim().parse().map_err(|_| {
                    OkrError::invalid(format!(
                        "set:{t} is not an RFC 3339 instant, e.g. set:2026-10-05T07:00:00Z"
                    ))
                })?;
                manual.set(t);
            } else {
                let by = need(&c, "advance", "advance:1d (or 3h, 30m)")?;
                manual.advance(parse_span(&by)?);
            }
            Message::text(
                format!("It is now {}", manual.now().format("%a %Y-%m-%d %H:%M UTC")),
                vec![],
            )
        }
        other => {
            return Err(OkrError::Internal(anyhow::anyhow!(
                "console command {other} has no handler"
            )))
        }
    };
    Ok(text::render(&msg))
}

pub(super) async fn bulk(con: &mut Console<'_>, body: &str) -> Result<String> {
    let outcomes = con
        .okr
        .check_in_bulk(&con.actor, body, CheckInSource::Text, con.clock.now())
        .await?;
    let lines = outcomes
        .iter()
        .map(|o| {
            format!(
                "{} {} {} → {} ({}%)",
                o.score.status.emoji(),
                o.kr.code,
                o.kr.unit.format(o.previous_value),
                o.kr.unit.format(o.kr.current),
                crate::domain::scoring::round_percent(o.score.progress)
            )
        })
        .collect();
    Ok(text::render(&Message::text(
        format!("{} check-ins recorded", outcomes.len()),
        lines,
    )))
}

/// `1d`, `3h`, `30m`, `2w`: how far `/okr clock advance:` moves a simulated clock.
fn parse_span(text: &str) -> Result<chrono::Duration> {
    let t = text.trim();
    let bad = || {
        OkrError::invalid(format!(
            "advance:{t} is not a span: write it like 30m, 3h, 1d or 2w"
        ))
    };
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = n.parse().map_err(|_| bad())?;
    match unit {
        "m" => Ok(chrono::Duration::minutes(n)),
        "h" => Ok(chrono::Duration::hours(n)),
        "d" => Ok(chrono::Duration::days(n)),
        "w" => Ok(chrono::Duration::weeks(n)),
        _ => Err(bad()),
    }
}

pub fn help() -> Message {
    Message::text(
        "okrbot commands (options as name:value)",
        vec![
            "/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice   (admin) create or change a team".into(),
            "/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31   (admin, lead) a new cycle".into(),
            "/okr cycle list   ·   /okr cycle close name:2026-Q4   (grades it; check-ins close with it)".into(),
            "/okr objective add team:Growth title:Enhance onboarding kind:aspirational owner:alice parent:CO-1   (lead)".into(),
            "/okr objective edit objective:GRO-1 title:...   ·   /okr objective align objective:GRO-1 parent:CO-1   ·   /okr objective close objective:GRO-1".into(),
            "/okr objective list team:Growth   ·   /okr objective show objective:GRO-1".into(),
            "/okr kr add objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:alice weight:1".into(),
            "/okr kr add objective:GRO-1 title:Keep retention kind:threshold target:95 unit:percent direction:at_least".into(),
            "/okr kr add objective:GRO-1 title:Launch the new signup flow kind:milestone".into(),
            "/okr kr edit kr:GRO-1.1 target:6   ·   /okr kr remove kr:GRO-1.1   ·   /okr kr list team:Growth   ·   /okr kr show kr:GRO-1.1".into(),
            "/okr update GRO-1.1 9 c8 new flow shipped   (owner, lead) value forms: 42 1,200 1.2k 3M 45% $1,200 3h 14d +5 -2.5 done, not done".into(),
            "/okr update kr:GRO-1.1 value:9 confidence:8 note:new flow shipped   ·   /okr update bulk  (then one update per line, end with .)".into(),
            "/okr status   ·   /okr status team:Growth   ·   /okr status objective:GRO-1   ·   /okr status me".into(),
            "/okr history kr:GRO-1.1   ·   /okr export format:json|csv|markdown".into(),
            "/okr schedule show team:Growth   ·   /okr schedule set team:Growth prompt:\"0 9 * * Mon\" reminder:\"0 9 * * Wed\" digest:\"0 16 * * Mon\"   (lead)".into(),
            "/okr digest team:Growth   ·   /okr digest scope:workspace   (the alignment tree)".into(),
            "/okr nochange GRO-1.1   ·   /okr nochange all   ·   /okr snooze   (answers to a check-in prompt)".into(),
            "/okr cycle new name:2027-Q1 start:2027-01-01 end:2027-03-31 from:2026-Q4   (carries unfinished objectives over)".into(),
            "/okr clock advance:1d   ·   /okr clock set:2026-10-05T07:00:00Z   (console with --now only: move the simulated clock)".into(),
        ],
    )
}
