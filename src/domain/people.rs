//! People, not just teams: each member's own time zone, their time off and the team's days off
//! (`docs/schedules-and-delivery.md`, "Each member's own hours" and "Time off"). Pure: whether
//! someone is off at a prompt, and when they are next at work, is answered at any instant.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::schedule::instant;

/// The longest time off one entry holds, and the longest span one `dates:` list may name.
pub const MAX_DAYS: i64 = 366;

/// One period of time off: `first` to `last`, both days included, in the member's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Away {
    pub id: i64,
    pub member: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub note: Option<String>,
    /// Who entered it: the member, or a lead for them.
    pub set_by: String,
}

impl Away {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }

    /// "away until Jan 4" (the last day away), with the year when it is not `today`'s.
    pub fn until(&self, today: NaiveDate) -> String {
        format!("away until {}", short_day(self.last, today))
    }
}

/// "Jan 4", or "Jan 4 2027" when the year is not `today`'s.
pub fn short_day(day: NaiveDate, today: NaiveDate) -> String {
    if day.year() == today.year() {
        day.format("%b %-d").to_string()
    } else {
        day.format("%b %-d %Y").to_string()
    }
}

/// Why nobody asks a member anything on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Off<'a> {
    Away(&'a Away),
    Holiday(NaiveDate),
}

/// What a team's scheduler knows of its people: their own zones, their time off and the
/// team's days off.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct People {
    pub zones: HashMap<String, Tz>,
    pub away: Vec<Away>,
    pub holidays: BTreeSet<NaiveDate>,
}

impl People {
    /// The member's own zone, else the team's.
    pub fn zone(&self, member: &str, team: Tz) -> Tz {
        self.zones.get(member).copied().unwrap_or(team)
    }

    pub fn away_on(&self, member: &str, day: NaiveDate) -> Option<&Away> {
        self.away
            .iter()
            .find(|a| a.member == member && a.covers(day))
    }

    /// Whether `member` is off at `at`, judged by the day it is where they live.
    pub fn off_at(&self, member: &str, at: DateTime<Utc>, team: Tz) -> Option<Off<'_>> {
        let day = at.with_timezone(&self.zone(member, team)).date_naive();
        self.off_on(member, day)
    }

    fn off_on(&self, member: &str, day: NaiveDate) -> Option<Off<'_>> {
        if let Some(a) = self.away_on(member, day) {
            return Some(Off::Away(a));
        }
        self.holidays.contains(&day).then_some(Off::Holiday(day))
    }

    /// The first instant after `after` at the local `time` of a working day of `member`'s
    /// (Monday to Friday, not a team holiday, not away); `None` when there is none within
    /// [`MAX_DAYS`] and a bit (time off is at most that long).
    pub fn next_working(
        &self,
        member: &str,
        after: DateTime<Utc>,
        time: NaiveTime,
        team: Tz,
    ) -> Option<DateTime<Utc>> {
        let tz = self.zone(member, team);
        let mut day = after.with_timezone(&tz).date_naive();
        for _ in 0..(MAX_DAYS + 30) {
            let at = instant(tz, day.and_time(time));
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            if at > after && !weekend && self.off_on(member, day).is_none() {
                return Some(at);
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// The time off of `member` that runs at `today` or later, soonest first.
    pub fn ahead_of(&self, member: &str, today: NaiveDate) -> Vec<&Away> {
        let mut v: Vec<&Away> = self
            .away
            .iter()
            .filter(|a| a.member == member && a.last >= today)
            .collect();
        v.sort_by_key(|a| (a.first, a.id));
        v
    }
}

/// A day as typed: `2026-12-21`, `today` or `tomorrow` (in the zone `today` is from).
pub fn parse_day(option: &str, text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = text.trim();
    match t.to_lowercase().as_str() {
        "today" => return Ok(today),
        "tomorrow" => {
            return today
                .succ_opt()
                .ok_or_else(|| format!("{option}: no day follows {today}"))
        }
        _ => {}
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        format!("{option}:{t} is not a day: write it as a date such as {option}:2026-12-21, or today or tomorrow")
    })
}

/// A time-off period as typed: `to` may be left out for one day. It must end today or later,
/// not before it starts, and last at most [`MAX_DAYS`].
pub fn parse_span(
    from: &str,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), String> {
    let first = parse_day("from", from, today)?;
    let last = match to.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_day("to", t, today)?,
        None => first,
    };
    if last < first {
        return Err(format!(
            "to:{last} is before from:{first}: the last day away comes on or after the first"
        ));
    }
    if last < today {
        return Err(format!(
            "{first} to {last} is over already (today is {today}): time off is entered for today or later"
        ));
    }
    let days = (last - first).num_days() + 1;
    if days > MAX_DAYS {
        return Err(format!(
            "{days} days is longer than the {MAX_DAYS} one entry may hold: enter it as shorter periods"
        ));
    }
    Ok((first, last))
}

/// A list of days off as typed: days and ranges (`2026-12-24..2026-12-26`) separated by commas
/// or spaces; at most [`MAX_DAYS`] days in all.
pub fn parse_days(text: &str, today: NaiveDate) -> Result<Vec<NaiveDate>, String> {
    let mut days = BTreeSet::new();
    for part in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let (a, b) = match part.split_once("..") {
            Some((a, b)) => (parse_day("dates", a, today)?, parse_day("dates", b, today)?),
            None => {
                let d = parse_day("dates", part, today)?;
                (d, d)
            }
        };
        if b < a {
            return Err(format!(
                "dates:{part} ends before it starts: write the earlier day first, as {b}..{a}"
            ));
        }
        if (b - a).num_days() >= MAX_DAYS {
            return Err(format!(
                "dates:{part} is longer than {MAX_DAYS} days: a team's days off are listed a year at most at a time"
            ));
        }
        let mut d = a;
        while d <= b {
            days.insert(d);
            if days.len() as i64 > MAX_DAYS {
                return Err(format!(
                    "dates: more than {MAX_DAYS} days at once; list a year at most at a time"
                ));
            }
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
    }
    if days.is_empty() {
        return Err(
            "dates: name the days off, e.g. dates:2026-12-24,2026-12-25 or dates:2026-12-24..2026-12-31"
                .to_owned(),
        );
    }
    Ok(days.into_iter().collect())
}

#[cfg(test)]
#[path = "people_tests.rs"]
mod tests;
