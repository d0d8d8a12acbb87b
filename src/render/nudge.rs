//! Prompts, reminders and lead reports as messages.

use chrono::{DateTime, Utc};

use super::{ago, progress_bar, score_text, value_vs_target, BAR};
use crate::domain::kpi::Kpi;
use crate::domain::message::{Action, ActionKind, Block, Message};
use crate::domain::view::{ScoredKr, TeamState};

fn kr_block(s: &TeamState, k: &ScoredKr, now: DateTime<Utc>) -> Block {
    let last = match k.kr.last_check_in {
        Some(t) => format!("last check-in {}", ago(t, now)),
        None => "no check-in yet".into(),
    };
    Block {
        heading: Some(format!(
            "{} {} {}",
            k.score.status.emoji(),
            k.kr.code,
            k.kr.title
        )),
        colour: Some(k.score.status),
        lines: vec![
            format!(
                "{} · {} {}",
                value_vs_target(&k.kr),
                score_text(k.score.score, k.score.progress),
                progress_bar(k.score.score, BAR)
            ),
            format!(
                "{}{} · {last}{}",
                s.objective_of(k).code,
                super::shared_mark(s.shared.get(&s.objective_of(k).id).map(String::as_str), &[]),
                if k.score.stale {
                    " · ⚠️ stale"
                } else {
                    ""
                }
            ),
        ],
    }
}

/// A KPI the prompt asks for: its latest reading against its range, how old it is, and how
/// often it is wanted.
fn kpi_block(k: &Kpi, now: DateTime<Utc>) -> Block {
    let value = match k.latest {
        Some((_, v)) => format!("{} · healthy: {}", k.unit.format(v), k.range.text(&k.unit)),
        None => format!("no reading yet · healthy: {}", k.range.text(&k.unit)),
    };
    let last = match k.latest {
        Some((at, _)) => format!("last reading {}", ago(at, now)),
        None => "never read".into(),
    };
    let every = match k.cadence {
        Some(c) => format!("wanted {}", c.text()),
        None => "wanted at every check-in".into(),
    };
    Block {
        heading: Some(format!("{} KPI {}", kpi_emoji(k), k.name)),
        colour: super::kpi::colour(k),
        lines: vec![
            value,
            format!(
                "{last} · {every}{}",
                if k.stale_for.is_some() {
                    " · ⚠️ stale"
                } else {
                    ""
                }
            ),
        ],
    }
}

fn kpi_emoji(k: &Kpi) -> &'static str {
    match super::kpi::colour(k) {
        Some(crate::domain::scoring::Status::Green) => "🟢",
        Some(_) => "🔴",
        None => "⚪",
    }
}

fn actions(krs: &[&ScoredKr], kpis: &[&Kpi]) -> Vec<Action> {
    let mut actions = Vec::new();
    for k in krs {
        let code = Some(k.kr.code.clone());
        actions.push(Action {
            kind: ActionKind::Update,
            label: format!("Update {}", k.kr.code),
            target: code.clone(),
            kpi: None,
        });
        actions.push(Action {
            kind: ActionKind::NoChange,
            label: format!("No change {}", k.kr.code),
            target: code,
            kpi: None,
        });
    }
    for k in kpis {
        let name = Some(k.name.clone());
        actions.push(Action {
            kind: ActionKind::ReadKpi,
            label: format!("Update {}", k.name),
            target: name.clone(),
            kpi: Some(k.id.0),
        });
        // Without a reading there is no value to keep.
        if k.latest.is_some() {
            actions.push(Action {
                kind: ActionKind::KpiNoChange,
                label: format!("No change {}", k.name),
                target: name,
                kpi: Some(k.id.0),
            });
        }
    }
    if krs.len() + kpis.len() > 1 {
        actions.push(Action {
            kind: ActionKind::AllNoChange,
            label: "All no change".into(),
            target: None,
            kpi: None,
        });
    }
    actions.push(Action {
        kind: ActionKind::Snooze,
        label: "Snooze until tomorrow".into(),
        target: None,
        kpi: None,
    });
    actions
}

/// `2 key results and 1 KPI`, leaving out what there is none of.
fn asked(krs: usize, kpis: usize) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (krs, kpis) {
        (k, 0) => plural(k, "key result"),
        (0, p) => plural(p, "KPI"),
        (k, p) => format!("{} and {}", plural(k, "key result"), plural(p, "KPI")),
    }
}

fn colour(krs: &[&ScoredKr], kpis: &[&Kpi]) -> Option<crate::domain::scoring::Status> {
    krs.iter()
        .map(|k| k.score.status)
        .chain(kpis.iter().filter_map(|k| super::kpi::colour(k)))
        .max()
}

pub fn prompt(s: &TeamState, krs: &[&ScoredKr], kpis: &[&Kpi], now: DateTime<Utc>) -> Message {
    let mut m = Message::new(format!(
        "Weekly check-in for {}: {}",
        s.team.name,
        asked(krs.len(), kpis.len())
    ));
    m.colour = colour(krs, kpis);
    m.blocks = krs.iter().map(|k| kr_block(s, k, now)).collect();
    m.blocks.extend(kpis.iter().map(|k| kpi_block(k, now)));
    m.actions = actions(krs, kpis);
    m.footer = Some("Fresh numbers keep the team honest: a no-change is data too.".into());
    m
}

pub fn reminder(
    s: &TeamState,
    krs: &[&ScoredKr],
    kpis: &[&Kpi],
    prompted: DateTime<Utc>,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Message {
    // Said where the owner lives: their prompt came at 09:00 there.
    let local = prompted.with_timezone(&zone);
    let n = krs.len() + kpis.len();
    let mut m = Message::new(format!(
        "Reminder: {} {} still waiting since {}",
        asked(krs.len(), kpis.len()),
        if n == 1 { "is" } else { "are" },
        local.format("%A %H:%M")
    ));
    m.colour = colour(krs, kpis);
    m.blocks = krs.iter().map(|k| kr_block(s, k, now)).collect();
    m.blocks.extend(kpis.iter().map(|k| kpi_block(k, now)));
    m.actions = actions(krs, kpis);
    m
}

pub fn lead_report(s: &TeamState, krs: &[&ScoredKr]) -> Message {
    let mut m = Message::new(format!(
        "{}: {} key result{} ignored 3 check-in prompts in a row",
        s.team.name,
        krs.len(),
        if krs.len() == 1 { "" } else { "s" }
    ));
    m.blocks.push(Block {
        heading: None,
        colour: None,
        lines: krs
            .iter()
            .map(|k| {
                format!(
                    "{} {} — owner {} · {} · last check-in {}",
                    k.kr.code,
                    k.kr.title,
                    k.kr.owner.as_deref().unwrap_or("none"),
                    value_vs_target(&k.kr),
                    k.kr.last_check_in
                        .map(|t| ago(t, s.at))
                        .unwrap_or_else(|| "never".into())
                )
            })
            .collect(),
    });
    m.mentions = s.team.leads.iter().map(|l| l.name().to_owned()).collect();
    m.footer = Some("These were left out of this week's prompt; their owners are asked again at the next one. A word from you, or a new owner (/okr kr edit kr:<code> owner:<name>), usually helps.".into());
    m
}

/// The at-risk alert: one message naming every key result that just went red, with owner and
/// lead mentioned so the right people see it.
pub fn at_risk(s: &TeamState, krs: &[&ScoredKr]) -> Message {
    let n = krs.len();
    let mut m = Message::new(format!(
        "{}: {} key result{} moved into red",
        s.team.name,
        n,
        if n == 1 { "" } else { "s" }
    ));
    m.colour = Some(crate::domain::scoring::Status::Red);
    let leads = if s.team.leads.is_empty() {
        "no lead".to_owned()
    } else {
        crate::domain::model::member_names(&s.team.leads)
    };
    // Owners and leads to notify, once each; nobody is pinged on their time off.
    for who in krs
        .iter()
        .filter_map(|k| k.kr.owner.clone())
        .chain(s.team.leads.iter().map(|l| l.name().to_owned()))
    {
        if !m.mentions.contains(&who) && s.away_today(&who).is_none() {
            m.mentions.push(who);
        }
    }
    m.blocks.push(Block {
        heading: None,
        colour: Some(crate::domain::scoring::Status::Red),
        lines: krs
            .iter()
            .map(|k| {
                format!(
                    "{} {} — {} · {} · owner {} · lead {leads}",
                    k.kr.code,
                    k.kr.title,
                    value_vs_target(&k.kr),
                    score_text(k.score.score, k.score.progress),
                    owner_named(s, k),
                )
            })
            .collect(),
    });
    m.footer = Some("The alert resolves itself when the key result leaves red.".into());
    m
}

/// "alice", or "alice (🌴 away until Jan 4)" while she is off; "nobody" without an owner.
fn owner_named(s: &TeamState, k: &ScoredKr) -> String {
    match k.kr.owner.as_deref() {
        None => "nobody".to_owned(),
        Some(o) => match s.away_today(o) {
            Some(away) => format!("{o} (🌴 {away})"),
            None => o.to_owned(),
        },
    }
}

/// Key results that left red for good (past the hysteresis margin): the team hears the good
/// news too, without pinging anyone.
pub fn recovered(s: &TeamState, krs: &[&ScoredKr]) -> Message {
    let n = krs.len();
    let mut m = Message::new(format!(
        "{}: {} key result{} out of red",
        s.team.name,
        n,
        if n == 1 { " is" } else { "s are" }
    ));
    m.colour = krs.iter().map(|k| k.score.status).max();
    m.blocks.push(Block {
        heading: None,
        colour: m.colour,
        lines: krs
            .iter()
            .map(|k| {
                format!(
                    "{} {} {} — {} · {} · owner {}",
                    k.score.status.emoji(),
                    k.kr.code,
                    k.kr.title,
                    value_vs_target(&k.kr),
                    score_text(k.score.score, k.score.progress),
                    k.kr.owner.as_deref().unwrap_or("nobody"),
                )
            })
            .collect(),
    });
    m
}

/// Everything a team is told at once: key results into red and out of it, KPIs out of their
/// range and back. One piece of news alone reads as its own message; several are one post
/// with a block each, so a busy minute is one post in the channel, not six.
pub fn team_alerts(
    s: &TeamState,
    red: &[&ScoredKr],
    back: &[&ScoredKr],
    out: &[&crate::domain::kpi::Kpi],
    in_range: &[&crate::domain::kpi::Kpi],
) -> Message {
    let mut parts = Vec::new();
    if !red.is_empty() {
        parts.push(at_risk(s, red));
    }
    parts.extend(out.iter().map(|k| super::kpi::out_of_range(&s.team, k)));
    if !back.is_empty() {
        parts.push(recovered(s, back));
    }
    parts.extend(
        in_range
            .iter()
            .map(|k| super::kpi::back_in_range(&s.team, k)),
    );
    merge(&s.team.name, parts)
}

fn merge(team: &str, parts: Vec<Message>) -> Message {
    let prefix = format!("{team}: ");
    let news = |m: &Message| m.title.strip_prefix(&prefix).unwrap_or(&m.title).to_owned();
    let mut parts = parts;
    if parts.len() < 2 {
        return parts
            .pop()
            .unwrap_or_else(|| Message::new(format!("{team}: nothing to tell")));
    }
    let mut m = Message::new(format!(
        "{team}: {}",
        parts.iter().map(news).collect::<Vec<_>>().join("; ")
    ));
    m.colour = parts.iter().filter_map(|p| p.colour).max();
    let starts = parts
        .iter()
        .flat_map(|p| &p.actions)
        .filter(|a| a.kind == ActionKind::StartOkr)
        .count();
    let mut footers: Vec<String> = Vec::new();
    for p in parts {
        let heading = news(&p);
        for (i, b) in p.blocks.into_iter().enumerate() {
            m.blocks.push(Block {
                heading: b.heading.or_else(|| (i == 0).then(|| heading.clone())),
                ..b
            });
        }
        for who in p.mentions {
            if !m.mentions.contains(&who) {
                m.mentions.push(who);
            }
        }
        for mut a in p.actions {
            // Two KPIs' buttons must say which is which.
            if a.kind == ActionKind::StartOkr && starts > 1 {
                if let Some(kpi) = &a.target {
                    a.label = format!("{}: {kpi}", a.label);
                }
            }
            m.actions.push(a);
        }
        if let Some(f) = p.footer {
            if !footers.contains(&f) {
                footers.push(f);
            }
        }
    }
    if !footers.is_empty() {
        m.footer = Some(footers.join(" "));
    }
    m
}
