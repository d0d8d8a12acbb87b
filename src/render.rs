//! Outcomes and reports -> platform-neutral [`Message`]s. Every number shown goes through the
//! scoring module's rounding (half away from zero), so all surfaces agree to the digit.

use chrono::{DateTime, Utc};

use crate::domain::message::{Block, Message};
use crate::domain::model::{format_number, CheckIn, KeyResult, KrKind, Objective};
use crate::domain::scoring::{
    progress_bar, round_percent, round_score, KrScore, ObjectiveScore, Status,
};
use crate::domain::view::{
    CheckInOutcome, CycleReport, KrView, ObjectiveView, StatusReport, TeamView,
};

pub mod chart;
pub mod digest;
pub mod export;
pub mod kpi;
pub mod nudge;
pub mod people;
pub mod reply;
pub mod webhook;

const BAR: usize = 10;

// The one clip lives in the domain so the webhook poster can cut a refusal without the renderer.
pub use crate::domain::quote::clip_chars;

/// `text` as a piece of a file name: ASCII letters and digits in lower case, anything else one
/// `-`, at most 40 characters; `fallback` when nothing is left (a name in another script).
pub fn file_slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out.to_owned()
    }
}

/// What a reader types to do what an action offers, for surfaces without buttons (the console,
/// webhooks).
pub fn action_hint(a: &crate::domain::message::Action) -> String {
    use crate::domain::message::ActionKind;
    match (a.kind, a.target.as_deref()) {
        (ActionKind::Update, Some(code)) => format!("/okr update {code} <value> [c<1-10>] [note]"),
        (ActionKind::NoChange, Some(code)) => format!("/okr nochange {code}"),
        (ActionKind::Snooze, _) => "/okr snooze".to_owned(),
        (ActionKind::AllNoChange, _) => "/okr nochange all".to_owned(),
        (ActionKind::StartOkr, Some(kpi)) => format!("/kpi okr kpi:{kpi}"),
        (ActionKind::ReadKpi, Some(kpi)) => format!("/kpi set kpi:{} value:<reading>", quoted(kpi)),
        (ActionKind::KpiNoChange, Some(kpi)) => format!("/kpi set kpi:{} value:same", quoted(kpi)),
        (_, None) => a.label.clone(),
    }
}

/// An option's value as typed: in quotes when it has spaces (`kpi:"response time"`).
fn quoted(value: &str) -> String {
    if value.chars().any(char::is_whitespace) {
        format!("{value:?}")
    } else {
        value.to_owned()
    }
}

/// "3 days ago", "just now": staleness people can read at a glance.
pub fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..=3599 => "just now".into(),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => {
            let days = secs / 86_400;
            if days == 1 {
                "1 day ago".into()
            } else {
                format!("{days} days ago")
            }
        }
    }
}

/// `9 days / 7 days`, `met: 96% (at least 95%)`, `done`.
pub fn value_vs_target(kr: &KeyResult) -> String {
    match kr.kind {
        KrKind::Metric => format!(
            "{} → {}",
            kr.unit.format(kr.current),
            kr.unit.format(kr.target)
        ),
        KrKind::Milestone => {
            if kr.current >= 1.0 {
                "done".into()
            } else {
                "not done".into()
            }
        }
        KrKind::Threshold => {
            let side = match kr.direction {
                Some(crate::domain::model::Direction::AtMost) => "at most",
                _ => "at least",
            };
            if crate::domain::scoring::awaiting_data(kr) {
                return format!("awaiting data ({side} {})", kr.unit.format(kr.target));
            }
            match crate::domain::scoring::threshold_gap(kr) {
                None => format!(
                    "met: {} ({side} {})",
                    kr.unit.format(kr.current),
                    kr.unit.format(kr.target)
                ),
                Some(gap) => format!(
                    "missed by {}: {} ({side} {})",
                    kr.unit.format(gap),
                    kr.unit.format(kr.current),
                    kr.unit.format(kr.target)
                ),
            }
        }
    }
}

pub(crate) fn score_text(score: f64, progress: f64) -> String {
    // `+ 0.0` turns a negative zero (no progress on a falling metric) into "0.00".
    format!(
        "{:.2} ({}%)",
        round_score(score) + 0.0,
        round_percent(progress)
    )
}

/// "Dec 31": the last day of the cycle in the team's zone, which is what a forecast is "by".
pub(crate) fn forecast_day(f: &crate::domain::scoring::Forecast, tz: chrono_tz::Tz) -> String {
    (f.at - chrono::Duration::seconds(1))
        .with_timezone(&tz)
        .format("%b %-d")
        .to_string()
}

pub fn kr_line(v: &KrView, tz: chrono_tz::Tz, now: DateTime<Utc>) -> String {
    kr_line_away(v, tz, now, None)
}

/// A key result's line; `away` (`away until Jan 4`) stands instead of stale or not checked in
/// while its owner is off: scores and pace are unchanged.
pub fn kr_line_away(
    v: &KrView,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    away: Option<&str>,
) -> String {
    let kr = &v.kr;
    let s = &v.score;
    let mut line = format!(
        "{} {} {} — {} {} {}",
        s.status.emoji(),
        kr.code,
        kr.title,
        score_text(s.score, s.progress),
        progress_bar(s.score, BAR),
        value_vs_target(kr)
    );
    if let Some(c) = kr.confidence {
        line.push_str(&format!(" · c{}", c.get()));
    }
    // Only an uncommon weight is worth the room: it explains a score that is no plain mean.
    if kr.weight != 1.0 {
        line.push_str(&format!(" · weight {}", format_number(kr.weight)));
    }
    line.push_str(&format!(" · {}", kr.owner.as_deref().unwrap_or("no owner")));
    match (kr.last_check_in, away) {
        (Some(t), _) => line.push_str(&format!(" · checked in {}", ago(t, now))),
        (None, None) => line.push_str(" · no check-in yet"),
        (None, Some(_)) => {}
    }
    match away {
        Some(a) => line.push_str(&format!(" · 🌴 {a}")),
        None if s.stale => line.push_str(" · ⚠️ stale"),
        None => {}
    }
    if let Some(f) = &s.forecast {
        line.push_str(&format!(
            " · on this trend: {}% by {}",
            round_percent(f.progress),
            forecast_day(f, tz)
        ));
    }
    line
}

/// An objective's heading; `krs` is how many key results it has, to say why it has no score.
pub fn objective_heading(
    o: &Objective,
    score: Option<&ObjectiveScore>,
    parent: Option<&str>,
    krs: usize,
    children: &[String],
) -> String {
    let mut h = match score {
        Some(s) => format!(
            "{} {} {} — {} {}",
            s.status.emoji(),
            o.code,
            o.title,
            score_text(s.score, s.progress),
            progress_bar(s.score, BAR)
        ),
        None => format!("⚪ {} {} — {}", o.code, o.title, unscored(krs)),
    };
    h.push_str(&aligned(children));
    h.push_str(&format!(" · {}", o.kind.as_str()));
    if let Some(owner) = &o.owner {
        h.push_str(&format!(" · {owner}"));
    }
    if let Some(p) = parent {
        h.push_str(&format!(" · under {p}"));
    }
    if o.state != crate::domain::model::ObjectiveState::Active {
        h.push_str(&format!(" · {}", o.state.as_str()));
    }
    h
}

/// " · shared by Support" under a contributing team, " · shared with Engineering, Platform"
/// under its home team; nothing for an objective of one team.
pub fn shared_mark(shared_by: Option<&str>, shared_with: &[String]) -> String {
    match shared_by {
        Some(home) => format!(" · shared by {home}"),
        None if shared_with.is_empty() => String::new(),
        None => format!(" · shared with {}", shared_with.join(", ")),
    }
}

/// " · with 2 aligned objectives (ENG-1, SAL-2)": the objectives aligned under it, named, so a
/// lead sees which teams pursue it; nothing without any. More than [`NAMED_CHILDREN`] end in
/// "and N more".
pub fn aligned(children: &[String]) -> String {
    let named: Vec<&str> = children
        .iter()
        .take(NAMED_CHILDREN)
        .map(String::as_str)
        .collect();
    let more = children.len().saturating_sub(NAMED_CHILDREN);
    let names = if more > 0 {
        format!("{} and {more} more", named.join(", "))
    } else {
        named.join(", ")
    };
    match children.len() {
        0 => String::new(),
        1 => format!(" · with 1 aligned objective ({names})"),
        n => format!(" · with {n} aligned objectives ({names})"),
    }
}

/// How many aligned children a heading names.
const NAMED_CHILDREN: usize = 5;

/// Why an objective has no score (`docs/scoring.md`): nothing to score, or nothing that counts.
pub fn unscored(krs: usize) -> &'static str {
    if krs == 0 {
        "no key results yet"
    } else {
        "not scored: every key result weighs 0"
    }
}

fn objective_block(
    o: &ObjectiveView,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    away: &std::collections::HashMap<String, String>,
) -> Block {
    Block {
        heading: Some(
            objective_heading(
                &o.objective,
                o.score.as_ref(),
                o.parent_code.as_deref(),
                o.krs.len(),
                &o.children,
            ) + &shared_mark(o.shared_by.as_deref(), &o.shared_with),
        ),
        colour: o.score.as_ref().map(|s| s.status),
        lines: o
            .krs
            .iter()
            .map(|k| {
                let off = k.kr.owner.as_ref().and_then(|o| away.get(o));
                kr_line_away(k, tz, now, off.map(String::as_str))
            })
            .chain(
                o.kpis
                    .iter()
                    .map(|k| format!("📊 linked to KPI {k} (/kpi show kpi:{k})")),
            )
            .collect(),
    }
}

fn team_title(t: &TeamView) -> String {
    let when = if t.cycle.closed {
        "closed: its scores are final".to_owned()
    } else {
        format!("{}% of the cycle elapsed", round_percent(t.expected))
    };
    format!(
        "{} · {} ({} – {}) · {when}",
        t.team.name, t.cycle.name, t.cycle.start, t.cycle.end,
    )
}

fn worst<'a>(statuses: impl Iterator<Item = &'a Status>) -> Option<Status> {
    statuses.copied().max()
}

pub fn status_message(r: &StatusReport) -> Message {
    let mut m = Message::new(format!("OKR status: {}", r.scope)).private();
    if r.teams.is_empty() {
        m.blocks.push(Block {
            heading: None,
            colour: None,
            lines: vec!["Nothing to show yet. A lead adds objectives with /okr objective add team:<team> title:<title>.".into()],
        });
    }
    for t in &r.teams {
        m.blocks.push(Block {
            heading: Some(team_title(t)),
            colour: None,
            lines: t.team.zone_warning().into_iter().collect(),
        });
        for o in &t.objectives {
            m.blocks.push(objective_block(o, t.team.tz, r.now, &r.away));
        }
    }
    m.colour = worst(
        r.teams
            .iter()
            .flat_map(|t| &t.objectives)
            .filter_map(|o| o.score.as_ref())
            .map(|s| &s.status),
    );
    // In the team's zone when the report has one; across zones, in UTC (labelled either way).
    let mut zones = r.teams.iter().map(|t| t.team.tz);
    let tz = match zones.next() {
        Some(first) if zones.all(|z| z == first) => first,
        _ => chrono_tz::UTC,
    };
    m.footer = Some(format!(
        "as of {} · 🟢 on track 🟡 at risk 🔴 off track",
        crate::domain::view::local_time(r.now, tz)
    ));
    m
}

pub fn check_in_message(o: &CheckInOutcome) -> Message {
    let kr = &o.kr;
    let title = if o.duplicate {
        format!("{} was already recorded — nothing changed", kr.code)
    } else {
        format!("Checked in {} {}", kr.code, kr.title)
    };
    let change = match kr.kind {
        KrKind::Metric => format!(
            "{} → {} (target {})",
            kr.unit.format(o.previous_value),
            kr.unit.format(kr.current),
            kr.unit.format(kr.target)
        ),
        _ => value_vs_target(kr),
    };
    let mut lines = vec![format!(
        "{change} · {} {}",
        score_text(o.score.score, o.score.progress),
        progress_bar(o.score.score, BAR)
    )];
    if o.before.status != o.score.status {
        lines.push(format!(
            "status {} {} → {} {}",
            o.before.status.emoji(),
            o.before.status.as_str(),
            o.score.status.emoji(),
            o.score.status.as_str()
        ));
    } else {
        lines.push(format!(
            "status {} {}",
            o.score.status.emoji(),
            o.score.status.as_str()
        ));
    }
    if let Some(f) = &o.score.forecast {
        lines.push(format!(
            "on this trend: {}% by {}",
            round_percent(f.progress),
            forecast_day(f, o.team.tz)
        ));
    }
    let mut m = Message::text(title, lines);
    m.colour = Some(o.score.status);
    m.private = true;
    m
}

/// A key result's check-ins oldest first, each with the number `/okr checkin withdraw`
/// takes, and those taken back shown in their place as withdrawn.
pub fn history_message(
    kr: &KeyResult,
    history: &[CheckIn],
    withdrawn: &[crate::domain::model::WithdrawnCheckIn],
    tz: chrono_tz::Tz,
) -> Message {
    let line = |c: &CheckIn| {
        let mut l = format!(
            "#{} · {} · {} · {}",
            c.id.0,
            crate::domain::view::local_time(c.created_at, tz),
            kr.unit.format(c.value),
            c.author
        );
        if let Some(conf) = c.confidence {
            l.push_str(&format!(" · c{}", conf.get()));
        }
        if let Some(n) = &c.note {
            l.push_str(&format!(" · {n}"));
        }
        l
    };
    let mut rows: Vec<(DateTime<Utc>, i64, String)> = history
        .iter()
        .map(|c| (c.created_at, c.id.0, line(c)))
        .collect();
    rows.extend(withdrawn.iter().map(|w| {
        let c = &w.check_in;
        let mut l = format!(
            "{} · withdrawn {}",
            line(c),
            crate::domain::view::local_time(w.at, tz)
        );
        if let Some(by) = &w.by {
            l.push_str(&format!(" by {by}"));
        }
        if let Some(r) = &w.reason {
            l.push_str(&format!(": {r}"));
        }
        (c.created_at, c.id.0, l)
    }));
    rows.sort_by_key(|r| (r.0, r.1));
    let mut lines: Vec<String> = rows.into_iter().map(|r| r.2).collect();
    if lines.is_empty() {
        lines.push(format!(
            "No check-ins yet. The owner records one with /okr update {} <value>.",
            kr.code
        ));
    }
    Message::text(format!("History of {} {}", kr.code, kr.title), lines).private()
}

pub fn cycle_close_message(r: &CycleReport) -> Message {
    let mut m = Message::new(format!("Cycle {} is closed: final scores", r.cycle.name));
    for t in &r.teams {
        m.blocks.push(Block {
            heading: Some(t.team.name.clone()),
            colour: None,
            lines: vec![],
        });
        for o in &t.objectives {
            // The colours are those of the closed cycle's scores, judged as at its end against
            // the objective's ambition (docs/scoring.md, "A cycle's end"): the same as
            // `/okr status` shows for it ever after, and as the last digest's.
            let mut b = Block {
                heading: Some(objective_heading(
                    &o.objective,
                    o.score.as_ref(),
                    None,
                    o.krs.len(),
                    &o.children,
                )),
                colour: o.score.map(|s| s.status),
                lines: vec![],
            };
            if let Some(s) = &o.score {
                b.lines.push(format!(
                    "grade: {} — {}",
                    crate::domain::scoring::grade(s.score).label(),
                    crate::domain::scoring::grade_verdict(o.objective.kind, s.score)
                ));
            }
            b.lines.extend(o.krs.iter().map(final_kr_line));
            m.blocks.push(b);
        }
    }
    let total: usize = r.bands.iter().sum();
    m.blocks.push(Block {
        heading: Some("Quarter statistics".into()),
        colour: None,
        lines: vec![
            crate::domain::model::count_of(total, "key result", "key results"),
            format!("achieved (0.7-1.0): {}", r.bands[2]),
            format!("progress but short (0.3-0.7): {}", r.bands[1]),
            format!("failed (0.0-0.3): {}", r.bands[0]),
        ],
    });
    m
}

fn final_kr_line(k: &KrView) -> String {
    format!(
        "{} {} {} — {} · {}",
        k.score.status.emoji(),
        k.kr.code,
        k.kr.title,
        score_text(k.score.score, k.score.progress),
        value_vs_target(&k.kr)
    )
}

/// Used by tests and the markdown export: a score as shown everywhere.
pub fn score_label(s: &KrScore) -> String {
    score_text(s.score, s.progress)
}

pub fn number(v: f64) -> String {
    format_number(v)
}

/// What `/okr objective share` or `unshare` did, for the asker.
pub fn shared(s: &crate::domain::view::ObjectiveShared) -> Message {
    let code = &s.objective.code;
    let title = match (s.share, s.changed) {
        (true, true) => format!("{code} is now shared with {}", s.team),
        (true, false) => format!("{code} was shared with {} already", s.team),
        (false, _) => format!("{code} is no longer shared with {}", s.team),
    };
    let mut lines = vec![format!(
        "{} {} · home team {} · {}",
        code,
        s.objective.title,
        s.home,
        if s.with.is_empty() {
            "shared with no other team".to_owned()
        } else {
            format!("shared with {}", s.with.join(", "))
        }
    )];
    if s.share {
        lines.push(format!(
            "it shows in {}'s status and digest; a key result {} carries is in its prompts: /okr kr add objective:{code} team:{} title:<title> owner:<name>",
            s.team, s.team, s.team
        ));
    }
    if !s.returned.is_empty() {
        lines.push(format!("back with {}: {}", s.home, s.returned.join(", ")));
    }
    Message::text(title, lines)
}
