//! Every command's [`Reply`] as a platform-neutral [`Message`], written once for all adapters.
//! The few things that read differently per platform inside a line (a channel, an instant, the
//! syntax of help) come from the adapter's [`Dialect`].

use chrono::{DateTime, Utc};

use crate::domain::model::count_of;

use super::{
    check_in_message, cycle_close_message, digest::rollup_message, history_message, status_message,
    value_vs_target,
};
use crate::domain::catalogue::{HelpTopic, Spec, Surface};
use crate::domain::message::{Attachment, Message};
use crate::domain::scoring::round_percent;
use crate::domain::view::Reply;

/// How an adapter writes what differs between platforms.
pub trait Dialect {
    /// A team channel by its stored name (`#growth`, or Discord's `<#id>`).
    fn channel(&self, stored: &str) -> String;
    /// An instant a person acts on, in the zone of the team it concerns
    /// (`Tue 2026-11-17 11:00 CET`), or Discord's timestamp in the reader's own zone.
    fn instant(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String;
    /// An instant in a schedule listing, already in the team's zone.
    fn local(&self, t: &DateTime<chrono_tz::Tz>) -> String {
        t.format("%a %Y-%m-%d %H:%M %Z (%:z)").to_string()
    }
}

/// Plain text: the console, logs, and tests.
#[derive(Debug, Clone, Copy)]
pub struct PlainText;

impl Dialect for PlainText {
    fn channel(&self, stored: &str) -> String {
        format!("#{stored}")
    }
    fn instant(&self, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        crate::domain::view::local_time(t, tz)
    }
}

pub fn message(reply: &Reply, d: &dyn Dialect) -> Message {
    match reply {
        Reply::Help {
            surface,
            topic,
            commands,
        } => help(*surface, *topic, commands),
        Reply::Setup(out) => {
            let t = &out.team;
            let mut lines = vec![
                format!("codes: {}-1, {}-1.1, ...", t.prefix, t.prefix),
                format!("time zone: {}", t.zone_name()),
                format!(
                    "channel: {}",
                    t.channel
                        .as_deref()
                        .map(|c| d.channel(c))
                        .unwrap_or_else(|| "none yet (channel:<name>)".into())
                ),
                format!(
                    "leads: {}",
                    if t.leads.is_empty() {
                        "none yet (lead:<user>)".into()
                    } else {
                        crate::domain::model::member_names(&t.leads)
                    }
                ),
            ];
            lines.extend(t.zone_warning());
            Message::text(
                format!(
                    "Team {} {}",
                    t.name,
                    if out.created { "is set up" } else { "is updated" }
                ),
                lines,
            )
        }
        Reply::CycleCreated(cy) => Message::text(
            format!("Cycle {} created", cy.name),
            vec![format!("{} to {} (inclusive)", cy.start, cy.end)],
        ),
        Reply::CycleCarried { from, carried } => {
            let mut lines = vec![format!(
                "{} to {} (inclusive); carried over from {from}: {}, {}",
                carried.cycle.start,
                carried.cycle.end,
                count_of(carried.objectives.len(), "objective", "objectives"),
                count_of(carried.key_results, "key result", "key results")
            )];
            lines.extend(
                carried
                    .objectives
                    .iter()
                    .map(|(old, new)| format!("{old} → {new}")),
            );
            Message::text(format!("Cycle {} created", carried.cycle.name), lines)
        }
        Reply::Cycles { cycles, now } => {
            let today = now.date_naive();
            let lines: Vec<String> = cycles
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
                .collect();
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
            .private()
        }
        Reply::CycleClosed(report) => cycle_close_message(report).private(),
        Reply::ObjectiveAdded(o) => Message::text(
            format!("Objective {} added: {}", o.code, o.title),
            vec![format!(
                "next: /okr kr add objective:{} title:<key result> kind:metric start:<n> target:<n>",
                o.code
            )],
        ),
        Reply::ObjectiveEdited(o) => {
            Message::text(format!("Objective {} updated: {}", o.code, o.title), vec![])
        }
        Reply::ObjectiveAligned { objective, parent } => {
            let under = match parent {
                Some(p) => format!("now under {p}"),
                None => "no longer aligned under a parent".into(),
            };
            Message::text(format!("Objective {} is {under}", objective.code), vec![])
        }
        Reply::ObjectiveShared(s) => super::shared(s),
        Reply::ObjectiveClosed(o) => {
            Message::text(format!("Objective {} is closed", o.code), vec![])
        }
        Reply::KrAdded(kr) => Message::text(
            format!("Key result {} added: {}", kr.code, kr.title),
            vec![
                format!(
                    "{} · {} · owner {} · {}",
                    kr.kind.as_str(),
                    value_vs_target(kr),
                    kr.owner.as_deref().unwrap_or("none"),
                    weight_text(kr.weight)
                ),
                format!(
                    "check in with: /okr update {} <value> [c<1-10>] [note]",
                    kr.code
                ),
            ],
        ),
        Reply::KrEdited(kr) => Message::text(
            format!("Key result {} updated: {}", kr.code, kr.title),
            vec![format!("{} · {}", value_vs_target(kr), weight_text(kr.weight))],
        ),
        Reply::KrRemoved(kr) => Message::text(
            format!("Key result {} removed: {}", kr.code, kr.title),
            vec![format!(
                "archived with its history; a lead brings it back with /okr kr restore kr:{}",
                kr.code
            )],
        ),
        Reply::KrRestored(kr) => Message::text(
            format!("Key result {} restored: {}", kr.code, kr.title),
            vec![value_vs_target(kr)],
        ),
        Reply::Undone(u) => {
            let taken = shown_value(&u.kr, u.withdrawn.value);
            Message::text(
                format!("Took back your check-in of {}: {taken}", u.kr.code),
                vec![
                    format!(
                        "made {}; it counts no more and shows in the history as withdrawn",
                        crate::domain::view::local_time(u.withdrawn.created_at, u.tz)
                    ),
                    format!("{} stands at {} again", u.kr.code, value_vs_target(&u.kr)),
                ],
            )
            .private()
        }
        Reply::Status(report) => status_message(report),
        Reply::History {
            kr,
            check_ins,
            withdrawn,
            tz,
        } => history_message(kr, check_ins, withdrawn, *tz),
        Reply::Withdrawn(w) => {
            let c = &w.withdrawal.check_in;
            let mut lines = vec![format!(
                "#{} made {} by {}; it stays in the history as withdrawn",
                c.id.0,
                crate::domain::view::local_time(c.created_at, w.tz),
                c.author
            )];
            if let Some(r) = &w.withdrawal.reason {
                lines.push(format!("reason: {r}"));
            }
            lines.push(format!(
                "{} stands at {} again",
                w.kr.code,
                value_vs_target(&w.kr)
            ));
            Message::text(
                format!(
                    "Withdrew a check-in of {}: {}",
                    w.kr.code,
                    shown_value(&w.kr, c.value)
                ),
                lines,
            )
            .private()
        }
        Reply::CheckedIn(outcome) => check_in_message(outcome),
        Reply::Question(question) => Message::new(format!("❓ {question}")).private(),
        Reply::Member(view) => super::people::member(view, d),
        Reply::Away {
            away,
            change,
            today,
        } => super::people::away(away, change, *today),
        Reply::AwayList { scope, away, today } => super::people::away_list(scope, away, *today),
        Reply::Holidays { team, days, change } => super::people::holidays(team, days, *change),
        Reply::NotAnAnswer => Message::new(
            "Nothing recorded: that does not read as an answer to your check-in prompt. Write the \
             key result and its value, e.g. GRO-1.1 42, or \"all the same\"",
        )
        .private(),
        Reply::Bulk(outcomes) => Message::text(
            format!("{} recorded", count_of(outcomes.len(), "check-in", "check-ins")),
            outcomes
                .iter()
                .map(|o| {
                    format!(
                        "{} {} {} → {} ({}%)",
                        o.score.status.emoji(),
                        o.kr.code,
                        o.kr.unit.format(o.previous_value),
                        o.kr.unit.format(o.kr.current),
                        round_percent(o.score.progress)
                    )
                })
                .collect(),
        )
        .private(),
        Reply::NoChangeAll(outcomes, kpis) => {
            // A second press records nothing new, and says so.
            let fresh = outcomes.iter().filter(|o| !o.duplicate).count();
            let fresh_kpis = kpis.iter().filter(|k| !k.duplicate).count();
            let title = if fresh + fresh_kpis == 0 && outcomes.len() + kpis.len() > 0 {
                "Already recorded: your latest prompt is checked in unchanged, nothing new".into()
            } else if fresh_kpis == 0 {
                format!(
                    "{} checked in unchanged",
                    count_of(fresh, "key result", "key results")
                )
            } else if fresh == 0 {
                format!("{} read unchanged", count_of(fresh_kpis, "KPI", "KPIs"))
            } else {
                format!(
                    "{} and {} checked in unchanged",
                    count_of(fresh, "key result", "key results"),
                    count_of(fresh_kpis, "KPI", "KPIs")
                )
            };
            let kpi_lines = kpis.iter().map(|k| {
                format!(
                    "KPI {} stays at {}{}",
                    k.kpi.name,
                    k.kpi
                        .latest
                        .map(|(_, v)| k.kpi.unit.format(v))
                        .unwrap_or_default(),
                    if k.duplicate { " (read before)" } else { "" }
                )
            });
            Message::text(
                title,
                outcomes
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {} stays at {}{}",
                            o.score.status.emoji(),
                            o.kr.code,
                            o.kr.unit.format(o.kr.current),
                            if o.duplicate { " (recorded before)" } else { "" }
                        )
                    })
                    .chain(kpi_lines)
                    .collect(),
            )
            .private()
        }
        Reply::Snoozed { until, tz } => Message::text(
            format!("Snoozed: you will be asked again at {}", d.instant(*until, *tz)),
            vec![],
        )
        .private(),
        // Queued, not posted: the outbox posts it a moment later, and only then does the
        // channel accept or refuse it.
        Reply::DigestQueued { team, digest } => Message::text(
            format!("Digest of {team} queued: {}", digest.title),
            vec![
                "it goes to the team's channel in a moment".to_owned(),
                "if the channel is closed to okrbot, the team's leads are told".to_owned(),
            ],
        )
        .private(),
        Reply::Rollup {
            cycle,
            roots,
            kpis,
            now,
        } => rollup_message(cycle, roots, kpis, *now),
        Reply::Schedules(view) => {
            let mut lines = Vec::new();
            for (kind, expr, next) in &view.entries {
                lines.push(format!("{}: {expr}", kind.as_str()));
                lines.extend(next.iter().map(|t| format!("    {}", d.local(t))));
            }
            lines.extend(view.team.zone_warning());
            lines.push(match view.team.hours {
                crate::domain::hours::WorkingHours::Always => {
                    "posts to the team: at any hour (hours:always)".into()
                }
                h => format!(
                    "posts to the team: {} (alerts, digests and the cycle close outside these wait for the next opening)",
                    h.text()
                ),
            });
            Message::text(
                format!("Schedules of {} ({})", view.team.name, view.team.zone_name()),
                lines,
            )
            .private()
        }
        Reply::KpiAdded { team, kpi } => super::kpi::added(team, kpi),
        Reply::KpiReading(o) => super::kpi::reading(o),
        Reply::KpiRange(k) => Message::text(
            format!("Healthy range of {} changed", k.name),
            vec![super::kpi::kpi_line(k)],
        ),
        Reply::KpiEdited(k) => super::kpi::edited(k),
        Reply::KpiList(list) => super::kpi::list(list),
        Reply::KpiDetail(d) => super::kpi::detail(d),
        Reply::KpiLinked { kpi, objective } => Message::text(
            format!("{} {} is linked to KPI {}", objective.code, objective.title, kpi.name),
            vec![],
        ),
        Reply::KpiOkrStarted {
            objective,
            kr,
            earlier,
        } => Message::text(
            if *earlier {
                format!(
                    "{} {} was drafted for this alert already: nothing new was drafted",
                    objective.code, objective.title
                )
            } else {
                format!("Drafted {} {}", objective.code, objective.title)
            },
            vec![
                format!("{} {} — {}", kr.code, kr.title, value_vs_target(kr)),
                format!(
                    "linked to the KPI; edit it with /okr objective edit objective:{} or /okr kr edit kr:{}",
                    objective.code, kr.code
                ),
            ],
        ),
        Reply::WebhookAdded { team, webhook } => Message::text(
            format!(
                "{} webhook {} added to {}",
                webhook.platform.label(),
                webhook.id,
                team.name
            ),
            vec![
                format!("{} gets {}'s digests, at-risk alerts, KPI alerts and cycle close reports", webhook.masked_url(), team.name),
                format!("try it: /okr webhook test team:{} webhook:{}", team.name, webhook.id),
            ],
        )
        .private(),
        Reply::WebhookList { team, webhooks } => {
            let lines = if webhooks.is_empty() {
                vec![format!(
                    "none yet: /okr webhook add team:{} kind:slack url:https://hooks.slack.com/services/…",
                    team.name
                )]
            } else {
                webhooks.iter().map(super::webhook::list_line).collect()
            };
            Message::text(format!("Webhooks of {}", team.name), lines).private()
        }
        Reply::WebhookRemoved { team, webhook } => Message::text(
            format!(
                "{} webhook {} removed from {}",
                webhook.platform.label(),
                webhook.id,
                team.name
            ),
            vec![format!("{} gets nothing more", webhook.masked_url())],
        )
        .private(),
        Reply::WebhookTested { team, results } => {
            let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
            let mut m = Message::text(
                format!("Webhook test for {}: {ok} of {} took the sample", team.name, results.len()),
                results
                    .iter()
                    .map(|(w, r)| match r {
                        Ok(()) => format!("🟢 {} {} {}: posted", w.id, w.platform.label(), w.masked_url()),
                        Err(why) => format!("🔴 {} {} {}: {why}", w.id, w.platform.label(), w.masked_url()),
                    })
                    .collect(),
            );
            m.colour = Some(if ok == results.len() {
                crate::domain::scoring::Status::Green
            } else {
                crate::domain::scoring::Status::Red
            });
            m.private()
        }
        Reply::KpiSourceSet(k) => Message::text(
            match &k.source {
                Some(_) => format!("Source of {} set", k.name),
                None => format!("Source of {} removed", k.name),
            },
            super::kpi::source_lines(k),
        ),
        Reply::KpiFetched(crate::domain::view::KpiFetch::Read(o)) => super::kpi::reading(o),
        Reply::KpiFetched(crate::domain::view::KpiFetch::Failed { kpi, error }) => {
            let mut m = Message::text(
                format!("Fetching {kpi} failed: nothing was recorded"),
                vec![
                    error.clone(),
                    format!("kept on the KPI: /kpi show kpi:{kpi} shows it until a fetch succeeds"),
                ],
            );
            m.colour = Some(crate::domain::scoring::Status::Red);
            m
        }
        Reply::KpiToken { kpi, path, token } => Message::text(
            format!("Push token for {} (shown this once)", kpi.name),
            vec![
                format!("POST {path} with the header Authorization: Bearer {token}"),
                "and a body such as {\"value\": 6.4}; a new /kpi token replaces this one".into(),
            ],
        )
        .private(),
        Reply::KpiWithdrawn(w) => super::kpi::withdrawn(w),
        Reply::KpiRemoved(k) => Message::text(
            format!("KPI {} removed", k.name),
            vec!["archived with its readings".into()],
        ),
        Reply::Export { doc, format } => {
            let (text, ext) = super::export::render(doc, *format);
            let mut m = Message::text(
                format!(
                    "Export of {} ({})",
                    count_of(doc.objectives.len(), "objective", "objectives"),
                    format.as_str()
                ),
                vec![format!("as of {}", d.instant(doc.as_of, chrono_tz::UTC))],
            )
            .private();
            m.attachments.push(Attachment {
                name: format!("okrs.{ext}"),
                bytes: text.into_bytes(),
            });
            m
        }
    }
}

/// Help for one adapter, from the catalogue: every command it offers with an example.
pub fn help(surface: Surface, topic: HelpTopic, commands: &[&Spec]) -> Message {
    let lines = commands
        .iter()
        .map(|s| {
            let mut line = s.invocation(surface);
            if !s.example.is_empty() {
                line.push(' ');
                line.push_str(s.example);
            }
            line.push_str(" — ");
            line.push_str(s.summary);
            if let Some(who) = s.who.label() {
                line.push_str(&format!(" ({who})"));
            }
            line
        })
        .chain(match topic {
            HelpTopic::Everything => grammar_lines(surface),
            HelpTopic::Kpis => kpi_lines(),
        })
        .collect();
    let title = match topic {
        HelpTopic::Everything => "okrbot commands (options as name:value)",
        HelpTopic::Kpis => "KPI commands (options as name:value)",
    };
    Message::text(title, lines).private()
}

/// What a KPI is for, under its commands: a newcomer who typed `/kpi help` learns how readings
/// arrive and what the range does.
fn kpi_lines() -> Vec<String> {
    vec![
        "A KPI is a number your team keeps healthy: readings come from its owner (/kpi set), a source okrbot fetches (/kpi source) or a push (/kpi token).".into(),
        "Leaving its healthy range posts an alert; /kpi okr drafts an objective to bring it back, and /kpi link ties it to one that exists.".into(),
    ]
}

fn grammar_lines(surface: Surface) -> Vec<String> {
    match surface {
        // Discord's /okr update takes typed options; the line grammar is the console's.
        Surface::Discord => vec![],
        Surface::Console => vec![
            "/okr update GRO-1.1 9 c8 new flow shipped — the check-in grammar: key result, value, [c<1-10>], [note]".into(),
        ],
    }
}

/// A checked-in value as a person reads it: `done` for a milestone, the unit's form otherwise.
fn shown_value(kr: &crate::domain::model::KeyResult, value: f64) -> String {
    match kr.kind {
        crate::domain::model::KrKind::Milestone if value >= 1.0 => "done".into(),
        crate::domain::model::KrKind::Milestone => "not done".into(),
        _ => kr.unit.format(value),
    }
}

/// A key result's weight as a lead reads it back: `weight 2 (counts twice as much as a weight of
/// 1)`, `weight 0 (tracked, counts for nothing)`.
fn weight_text(w: f64) -> String {
    let n = crate::domain::model::format_number(w);
    if w == 0.0 {
        "weight 0 (tracked, counts for nothing in the objective's score)".into()
    } else if w == 1.0 {
        "weight 1".into()
    } else {
        format!("weight {n} (counts {n} times as much as a weight of 1)")
    }
}
