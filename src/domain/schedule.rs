//! Team schedules: a cron expression plus an IANA time zone, turned into fire instants.
//!
//! Contract:
//! - Pure: every instant is a parameter; the wall clock is never read.
//! - Expressions are the usual 5 fields `min hour dom month dow` (or 6/7 fields with leading
//!   seconds / trailing year, or the `@hourly`..`@yearly` aliases the `cron` crate knows).
//!   Day-of-week *numbers* follow Unix crontab (0 or 7 = Sunday, 1 = Monday, …) in every form;
//!   the `cron` crate itself counts 1 = Sunday, so numbers are rewritten to day names first.
//!   As in crontab, when both day-of-month and day-of-week are restricted, a day matching
//!   EITHER fires (`0 9 1 * Mon`: the 1st of each month and every Monday). The `cron` crate
//!   would require both, so such an expression becomes two schedules whose fires are merged.
//! - Refused: unparsable, more than one fire within an hour (checked on wall-clock times over
//!   the first year / 1000 fires), never fires, or restricted to some years (it would stop
//!   firing one day, and a team's schedule must keep going).
//! - Fires are wall-clock times in the team's zone; the `cron` crate only decides which local
//!   times match (it walks a zone-free calendar), and we map each local time to an instant:
//!   * exists once: that instant (so 09:00 stays 09:00 local across DST changes);
//!   * repeated (fall-back overlap): the FIRST occurrence only, so it fires once;
//!   * skipped (spring-forward gap): the first instant after the gap (02:30 on a Berlin
//!     spring-forward day fires at 03:00 local), so it still fires once that day. Several
//!     fires inside one gap collapse into that single instant.
//!
//!   Formally instant(L) = the earliest instant whose local time is >= L; it is monotone, which
//!   makes the searches below exact. Caveat: the hourly limit is checked on wall-clock times,
//!   so `30 2,3 * * *` fires 30 real minutes apart on a spring-forward day.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use cron::TimeUnitSpec;
use std::str::FromStr;

pub const DEFAULT_PROMPT: &str = "0 9 * * Mon";
/// A key result checked in (or a KPI read) this recently is left out of a prompt.
pub const RECENT: Duration = Duration::days(3);
pub const DEFAULT_REMINDER: &str = "0 9 * * Wed";
pub const DEFAULT_DIGEST: &str = "0 16 * * Mon";

const EXAMPLE: &str = "`0 9 * * Mon` = Mondays 09:00";
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("I couldn't read the schedule `{expression}`: {reason}. Write it as minute hour day-of-month month day-of-week, e.g. {EXAMPLE}.")]
    Unparsable { expression: String, reason: String },
    #[error("The schedule `{expression}` fires every {}; okrbot allows at most one per hour, e.g. {EXAMPLE}.", interval(*.interval_seconds))]
    TooFrequent {
        expression: String,
        interval_seconds: i64,
    },
    #[error("The schedule `{expression}` never fires (no date matches it); try e.g. {EXAMPLE}.")]
    NeverFires { expression: String },
    #[error("The schedule `{expression}` names years, so one day it would stop firing; a team's schedule keeps going: leave the year out, e.g. {EXAMPLE}.")]
    Ends { expression: String },
}

fn interval(secs: i64) -> String {
    match secs {
        1 => "second".into(),
        60 => "minute".into(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

/// A validated schedule. (De)serializes as the expression string, re-validated on load.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CronSchedule {
    /// Match local wall-clock times; always in the `cron` crate's 6/7-field form. Two when
    /// day-of-month and day-of-week are both restricted (crontab's either-matches rule).
    schedules: Vec<cron::Schedule>,
    /// As the user wrote it (trimmed).
    expression: String,
}

impl CronSchedule {
    /// Parse and validate; see the module docs for what is accepted.
    pub fn parse(expr: &str) -> Result<CronSchedule, ScheduleError> {
        let expression = expr.trim().to_string();
        let unparsable = |reason: String| ScheduleError::Unparsable {
            expression: expression.clone(),
            reason,
        };
        let mut schedules = Vec::new();
        for normalized in normalize(&expression).map_err(unparsable)? {
            schedules.push(cron::Schedule::from_str(&normalized).map_err(|e| {
                // cron's message is "expr\n  ^\nreason"; keep the reason. Its "less than" is
                // really an inclusive maximum ("Minutes must be less than 59" for 61).
                let msg = e.to_string();
                let reason = msg.lines().nth(2).unwrap_or("").trim();
                let reason = reason
                    .trim_end_matches('.')
                    .replace("must be less than", "must be at most");
                unparsable(
                    Some(reason)
                        .filter(|r| !r.is_empty())
                        .unwrap_or("unexpected text".into()),
                )
            })?);
        }
        if schedules.iter().any(|s| !s.years().is_all()) {
            return Err(ScheduleError::Ends { expression });
        }
        // Validate on the zone-free calendar from the earliest year cron knows (1970), so
        // year-restricted 7-field forms are judged on their real fires.
        let before_1970 = DateTime::from_timestamp(-1, 0).expect("valid timestamp");
        let mut fires = merged(&schedules, &before_1970, false);
        let Some(first) = fires.next() else {
            return Err(ScheduleError::NeverFires { expression });
        };
        // Report the smallest gap: `*/59 * * * *` fires at :59 and again at :00.
        let (mut prev, mut min_gap, year_end) = (first, i64::MAX, first + Duration::days(366));
        for next in fires.take(1000).take_while(|t| *t <= year_end) {
            min_gap = min_gap.min((next - prev).num_seconds());
            prev = next;
        }
        if min_gap < 3600 {
            let (expression, interval_seconds) = (expression, min_gap);
            return Err(ScheduleError::TooFrequent {
                expression,
                interval_seconds,
            });
        }
        Ok(CronSchedule {
            schedules,
            expression,
        })
    }

    /// The expression as the user wrote it (trimmed).
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The first fire strictly after `after`, in zone `tz`, as a UTC instant.
    pub fn next_after(&self, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.fires_after(tz, after).next()
    }

    /// The next `n` fires strictly after `after`, strictly increasing, in local time.
    pub fn upcoming(&self, tz: Tz, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        let fires = self.fires_after(tz, after).take(n);
        fires.map(|t| t.with_timezone(&tz)).collect()
    }

    /// The latest fire at or before `at` (a reminder's slot, the slot missed during a
    /// restart), if it is no earlier than `at - horizon`.
    pub fn latest_at_or_before(
        &self,
        tz: Tz,
        at: DateTime<Utc>,
        horizon: Duration,
    ) -> Option<DateTime<Utc>> {
        // A local time later than local(at) can still map to an instant <= at (the first
        // occurrence of a repeated hour when `at` is in the second one), so start a few
        // hours above local(at); instants only decrease as we walk back.
        let start = naive_as_utc(at.with_timezone(&tz).naive_local() + Duration::hours(3));
        let latest = merged(&self.schedules, &start, true)
            .map(|local| instant(tz, local.naive_utc()))
            .find(|t| *t <= at)?;
        (latest >= at - horizon).then_some(latest)
    }

    /// "Mondays 09:00", "Weekdays 08:30", "Daily 16:00" for the simple cases, else the expression.
    pub fn describe(&self) -> String {
        let [s] = self.schedules.as_slice() else {
            return self.expression.clone();
        };
        let (Some(0), Some(m), Some(h)) = (one(s.seconds()), one(s.minutes()), one(s.hours()))
        else {
            return self.expression.clone();
        };
        if !(all(s.days_of_month(), 31) && all(s.months(), 12) && all(s.years(), 131)) {
            return self.expression.clone();
        }
        // cron numbers days 1 = Sunday .. 7 = Saturday.
        let days: Vec<u32> = s.days_of_week().iter().collect();
        let when = match days.as_slice() {
            [1, 2, 3, 4, 5, 6, 7] => "Daily".to_string(),
            [2, 3, 4, 5, 6] => "Weekdays".to_string(),
            [d] => format!("{}s", DAYS[*d as usize - 1]),
            ds => ds
                .iter()
                .map(|d| &DAYS[*d as usize - 1][..3])
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!("{when} {h:02}:{m:02}")
    }

    /// Fire instants strictly after `after`, strictly increasing.
    fn fires_after(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        // Local times <= local(after) map to instants <= after (instant(L) is the earliest
        // instant whose local time is >= L, and `after` is such an instant), so cron may start
        // at local(after). The filter drops the rest: later local times that still map to
        // <= after (a repeated hour) and duplicates (several local times inside one gap).
        let mut last = after;
        let start = naive_as_utc(after.with_timezone(&tz).naive_local());
        merged(&self.schedules, &start, false)
            .map(move |local| instant(tz, local.naive_utc()))
            .filter(move |t| {
                let fresh = *t > last;
                if fresh {
                    last = *t;
                }
                fresh
            })
    }
}

impl TryFrom<String> for CronSchedule {
    type Error = ScheduleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CronSchedule::parse(&s)
    }
}

impl From<CronSchedule> for String {
    fn from(s: CronSchedule) -> String {
        s.expression
    }
}

/// The local times of all `schedules` after `start` (before it, going back, when `backwards`),
/// in order and each once.
fn merged<'a>(
    schedules: &'a [cron::Schedule],
    start: &DateTime<Utc>,
    backwards: bool,
) -> impl Iterator<Item = DateTime<Utc>> + 'a {
    let mut streams: Vec<std::iter::Peekable<Box<dyn Iterator<Item = DateTime<Utc>> + 'a>>> =
        schedules
            .iter()
            .map(|s| {
                let it = s.after(start);
                let it: Box<dyn Iterator<Item = DateTime<Utc>> + 'a> = if backwards {
                    Box::new(it.rev())
                } else {
                    Box::new(it)
                };
                it.peekable()
            })
            .collect();
    std::iter::from_fn(move || {
        let pick = streams
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.peek().map(|t| (i, *t)))
            .reduce(|a, b| {
                let later = b.1 > a.1;
                if later == backwards && b.1 != a.1 {
                    b
                } else {
                    a
                }
            })?;
        // Take it from every stream that has it, so a day matching both fires once.
        for s in streams.iter_mut() {
            if s.peek() == Some(&pick.1) {
                s.next();
            }
        }
        Some(pick.1)
    })
}

/// cron walks a zone-free calendar when given UTC: no gaps, no repeats.
fn naive_as_utc(local: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&local)
}

/// The earliest instant whose local time in `tz` is >= `local` (see module docs).
pub(crate) fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // In a gap. UTC offsets lie within [-12h, +14h], so local(lo) < local <= local(hi);
            // binary-search the transition on whole seconds (cron fires on whole seconds).
            let at = |secs: i64| DateTime::from_timestamp(secs, 0).expect("in range");
            let secs = naive_as_utc(local).timestamp();
            let (mut lo, mut hi) = (secs - 15 * 3600, secs + 13 * 3600);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if at(mid).with_timezone(&tz).naive_local() >= local {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            at(hi)
        }
    }
}

fn one(spec: &impl TimeUnitSpec) -> Option<u32> {
    let mut it = spec.iter();
    it.next().filter(|_| it.next().is_none())
}

fn all(spec: &impl TimeUnitSpec, n: usize) -> bool {
    spec.iter().count() == n
}

/// Turn the user's form into cron's 6/7-field form with day-of-week as names.
fn normalize(expr: &str) -> Result<Vec<String>, String> {
    if expr.starts_with('@') {
        // crontab's spelling of the cron crate's `@yearly`.
        if expr.eq_ignore_ascii_case("@annually") {
            return Ok(vec!["@yearly".into()]);
        }
        return Ok(vec![expr.to_string()]);
    }
    let mut fields: Vec<String> = expr.split_whitespace().map(str::to_string).collect();
    match fields.len() {
        5 => fields.insert(0, "0".into()),
        6 | 7 => {}
        n => {
            return Err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {n}"
            ))
        }
    }
    // Numbers and ranges of names alike follow crontab (`Mon-Sun`, `5-7`, `7`), so the field
    // is rewritten as a list of names, which the cron crate reads the same way.
    if !matches!(fields[5].as_str(), "*" | "?") && !fields[5].contains(['#', 'L', 'l']) {
        fields[5] = unix_days(&fields[5])?;
    }
    let restricted = |f: &str| !matches!(f, "*" | "?");
    if restricted(&fields[3]) && restricted(&fields[5]) {
        // Either may match: the days of the month, or the days of the week.
        let mut by_month_day = fields.clone();
        by_month_day[5] = "*".into();
        let mut by_week_day = fields;
        by_week_day[3] = "*".into();
        return Ok(vec![by_month_day.join(" "), by_week_day.join(" ")]);
    }
    Ok(vec![fields.join(" ")])
}

/// Rewrite a Unix day-of-week field (0/7 = Sun) as an explicit list of day names.
fn unix_days(field: &str) -> Result<String, String> {
    let bad = || format!("day-of-week `{field}` should use 0-7 (0 or 7 = Sunday) or Sun..Sat");
    let day = |s: &str| -> Result<usize, String> {
        if let Ok(n) = s.parse::<usize>() {
            return if n <= 7 { Ok(n % 7) } else { Err(bad()) };
        }
        let prefix_of = |d: &&str| d.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s));
        DAYS.iter()
            .position(|d| s.len() >= 3 && prefix_of(d))
            .ok_or_else(bad)
    };
    let mut set = [false; 7];
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (
                b,
                s.parse::<usize>().ok().filter(|s| *s > 0).ok_or_else(bad)?,
            ),
            None => (item, 1),
        };
        let (from, to) = match base.split_once('-') {
            _ if base == "*" || base == "?" => (0, 6),
            // Sunday ends a week that starts on Monday: `7`, `Sun` or `0` as the end of a range
            // that began later in the week is the 7th day, and `7-7` is Sunday alone.
            Some((a, b)) => {
                let from = if a == "7" { 7 } else { day(a)? };
                let to = match day(b)? {
                    0 if from > 0 => 7,
                    d => d,
                };
                (from, to)
            }
            None if item.contains('/') => (day(base)?, 6),
            None => (day(base)?, day(base)?),
        };
        if from > to {
            return Err(bad());
        }
        (from..=to).step_by(step).for_each(|d| set[d % 7] = true);
    }
    let names: Vec<&str> = (0..7).filter(|d| set[*d]).map(|d| &DAYS[d][..3]).collect();
    Ok(names.join(","))
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;

/// What a team's scheduled work is: prompts, reminders, digests, and the hourly alert sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduleKind {
    Prompt,
    Reminder,
    Digest,
    Sweep,
}

impl ScheduleKind {
    pub const ALL: [ScheduleKind; 4] = [
        ScheduleKind::Prompt,
        ScheduleKind::Reminder,
        ScheduleKind::Digest,
        ScheduleKind::Sweep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleKind::Prompt => "prompt",
            ScheduleKind::Reminder => "reminder",
            ScheduleKind::Digest => "digest",
            ScheduleKind::Sweep => "sweep",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "prompt" => ScheduleKind::Prompt,
            "reminder" => ScheduleKind::Reminder,
            "digest" => ScheduleKind::Digest,
            "sweep" => ScheduleKind::Sweep,
            _ => return None,
        })
    }
}

/// What a schedule that was due at `next_due` fires when the scheduler looks at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    /// The slot to decide, if any: the stored one, or after downtime the latest one within the
    /// window; `None` when every missed slot is older than the window.
    pub slot: Option<DateTime<Utc>>,
    /// Slots were missed and skipped (logged by the scheduler).
    pub skipped: bool,
}

/// The catch-up rule: a slot missed by less than `window` is sent once (the latest such slot);
/// older ones are skipped, never sent late.
pub fn catch_up(
    cron: &CronSchedule,
    tz: Tz,
    next_due: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
) -> CatchUp {
    let slot = if now - next_due <= window {
        let latest = cron
            .latest_at_or_before(tz, now, now - next_due)
            .unwrap_or(next_due);
        Some(latest.max(next_due))
    } else {
        cron.latest_at_or_before(tz, now, window)
    };
    CatchUp {
        slot,
        skipped: slot != Some(next_due),
    }
}

/// The slots of a schedule that asks people (prompts, reminders) when it was due at `next_due`
/// and is looked at `now`, one per zone where some member lives (`zones`, the team's first):
/// each zone's latest slot since `next_due`, or within `window` after downtime. The schedule is
/// due at the earliest of its zones' next slots ([`next_in_zones`]), so no zone's slot between
/// two looks is missed. Empty when no zone has a slot in that span (a schedule parked after a
/// failure, due at no slot): the caller then falls back on the team's [`catch_up`]. One slot per
/// instant: a round covers everyone whose clock shows the schedule's time then.
pub fn zone_slots(
    cron: &CronSchedule,
    zones: &[Tz],
    next_due: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
) -> Vec<(Tz, DateTime<Utc>)> {
    let since = (now - next_due).min(window).max(Duration::zero());
    let mut slots: Vec<(Tz, DateTime<Utc>)> = zones
        .iter()
        .filter_map(|z| Some((*z, cron.latest_at_or_before(*z, now, since)?)))
        .collect();
    // Zones whose clocks agree at a slot (Berlin and Paris) share it: one round each instant,
    // in time order, the first zone listed (the team's) naming it.
    slots.sort_by_key(|(_, t)| *t);
    slots.dedup_by_key(|(_, t)| *t);
    slots
}

/// The first fire strictly after `after` in any of `zones`.
pub fn next_in_zones(
    cron: &CronSchedule,
    zones: &[Tz],
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    zones
        .iter()
        .filter_map(|z| cron.next_after(*z, after))
        .min()
}
