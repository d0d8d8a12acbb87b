//! `/okr me`, `/okr away` and `/okr holidays` as messages.

use chrono::NaiveDate;

use super::reply::Dialect;
use crate::domain::message::Message;
use crate::domain::people::{short_day, Away};
use crate::domain::view::{AwayChange, HolidayChange, MemberView};

/// "Dec 21 to Jan 4 2027 (family)", "Dec 24 (one day)".
fn span(a: &Away, today: NaiveDate) -> String {
    let days = if a.first == a.last {
        short_day(a.first, today)
    } else {
        format!(
            "{} to {}",
            short_day(a.first, today),
            short_day(a.last, today)
        )
    };
    match &a.note {
        Some(n) => format!("{days} ({n})"),
        None => days,
    }
}

pub fn member(v: &MemberView, d: &dyn Dialect) -> Message {
    let mut lines = Vec::new();
    match v.zone {
        Some(z) if v.zone_changed => lines.push(format!(
            "time zone: {z}, your own now: prompts and reminders come at the schedule's time there"
        )),
        Some(z) => lines.push(format!("time zone: {z} (your own)")),
        None if v.zone_changed => lines
            .push("time zone: your teams' again: each team prompts you at its own time".to_owned()),
        None => lines.push(
            "time zone: your teams' (set your own with /okr me timezone:Area/City)".to_owned(),
        ),
    }
    if v.away.is_empty() {
        lines.push(
            "time off: none entered (/okr away set from:2026-12-21 to:2027-01-04)".to_owned(),
        );
    }
    for a in &v.away {
        let now = if a.covers(v.today) {
            "away now: "
        } else {
            "time off: "
        };
        lines.push(format!("{now}{}", span(a, v.today)));
    }
    lines.push(if v.dms_closed {
        "prompts come: in the team's channel, naming you, while your direct messages are closed to okrbot".to_owned()
    } else {
        "prompts come: by direct message".to_owned()
    });
    for (team, tz, next) in &v.next_prompts {
        let zone = v.zone.unwrap_or(*tz);
        match next {
            Some(t) => lines.push(format!("next prompt from {team}: {}", d.instant(*t, zone))),
            None => lines.push(format!("next prompt from {team}: none scheduled")),
        }
    }
    if v.krs.is_empty() && v.kpis.is_empty() {
        lines.push("key results and KPIs: none of yours in an open cycle".to_owned());
    }
    for (team, code, title) in &v.krs {
        lines.push(format!("key result {code} {title} ({team})"));
    }
    for (team, name) in &v.kpis {
        lines.push(format!("KPI {name} ({team})"));
    }
    Message::text(format!("What okrbot knows about {}", v.member), lines).private()
}

pub fn away(a: &Away, change: &AwayChange, today: NaiveDate) -> Message {
    let who = &a.member;
    let (title, lines) = match change {
        AwayChange::Added => (
            format!("{who} is away {}", span(a, today)),
            vec![
                "no prompts or reminders on those days, and no report to the lead".to_owned(),
                "a prompt due meanwhile comes once, on the first working day back".to_owned(),
                format!("their key results show {} meanwhile; scores do not change", a.until(today)),
            ],
        ),
        AwayChange::Ended => (
            format!("{who} is back: the time off from {} ends today", short_day(a.first, today)),
            vec!["prompts come again from the next one; one missed meanwhile comes on the next working day".to_owned()],
        ),
        AwayChange::Removed => (
            format!("Cancelled: {who}'s time off {}", span(a, today)),
            vec!["prompts come as usual on those days".to_owned()],
        ),
    };
    Message::text(title, lines).private()
}

pub fn away_list(scope: &str, away: &[Away], today: NaiveDate) -> Message {
    if away.is_empty() {
        return Message::text(
            format!("Nobody in {scope} has time off entered from today on"),
            vec!["enter some with /okr away set from:2026-12-21 to:2027-01-04".to_owned()],
        )
        .private();
    }
    let lines = away
        .iter()
        .map(|a| {
            let now = if a.covers(today) { " · away now" } else { "" };
            format!("{}: {}{now}", a.member, span(a, today))
        })
        .collect();
    Message::text(format!("Time off in {scope}"), lines).private()
}

pub fn holidays(team: &str, days: &[NaiveDate], change: HolidayChange) -> Message {
    let title = match change {
        HolidayChange::Added(n) => format!("{n} day{} off added for {team}", plural(n)),
        HolidayChange::Removed(n) => format!("{n} day{} off removed from {team}", plural(n)),
        HolidayChange::Listed => format!("Days off of {team}"),
    };
    let mut lines: Vec<String> = if days.is_empty() {
        vec![
            "none from today on (/okr holidays add team:<team> dates:2026-12-24,2026-12-25)"
                .to_owned(),
        ]
    } else {
        days.iter()
            .map(|d| d.format("%a %Y-%m-%d").to_string())
            .collect()
    };
    if !days.is_empty() {
        lines.push(
            "no prompts or reminders on these days: a prompt that falls on one comes once, on the next working day"
                .to_owned(),
        );
    }
    Message::text(title, lines).private()
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
