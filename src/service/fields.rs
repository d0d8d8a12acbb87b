//! The checks on fields that both the commands and `okrbot import` fill in, one function per
//! field: a command reads what a person typed through it, and the import reads the file through
//! the very same function (`docs/permissions.md`, "Bad input is refused and writes nothing"), so
//! the two cannot accept different things.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{OkrError, Result};

/// The years okrbot plans in: cycle days, check-in and creation times, the console's simulated
/// clock. Inside them every instant is stored as RFC 3339 text with a four-digit year, whose
/// text order is time order (`store::check_ins::append` compares stored times as text), and
/// the stored trends (nanoseconds, up to 2262) hold every cycle before 2262.
pub const YEARS: RangeInclusive<i32> = 1970..=2999;

/// Names of people (owners, authors, leads) are at most this many characters: a name or a
/// mention (`<@123456789012345678>`), not a paragraph.
pub const MAX_PERSON_CHARS: usize = 100;

/// Refuses text with a control character (NUL, a newline, an escape...): nothing a title or
/// name needs, and invisible or disruptive where it is shown (a chat message, a CSV cell, a
/// terminal). `what` names the field: `the title`.
pub(crate) fn no_control_characters(what: &str, text: &str) -> Result<()> {
    match text.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => Err(OkrError::invalid(format!(
            "{what} contains a control character (U+{:04X}), which cannot be shown: remove it",
            u32::from(c)
        ))),
    }
}

/// An owner or author as typed: trimmed, `@alice` is alice, blank is nobody; at most
/// [`MAX_PERSON_CHARS`] characters and no control characters. `option` is the option's name
/// (`owner`).
pub(crate) fn check_person(option: &str, text: Option<&str>) -> Result<Option<String>> {
    let Some(name) = text
        .map(|s| s.trim().trim_start_matches('@').trim())
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let n = name.chars().count();
    if n > MAX_PERSON_CHARS {
        return Err(OkrError::invalid(format!(
            "{option}: the name has {n} characters; a name or mention is at most \
             {MAX_PERSON_CHARS}, e.g. {option}:alice"
        )));
    }
    no_control_characters(&format!("{option}: the name"), name)?;
    Ok(Some(name.to_owned()))
}

/// A team's channel as typed: trimmed, `#growth` is growth, blank is none; no control
/// characters.
pub(crate) fn check_channel(text: Option<&str>) -> Result<Option<String>> {
    let Some(channel) = text
        .map(|c| c.trim().trim_start_matches('#').trim())
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    if channel.chars().count() > MAX_PERSON_CHARS {
        return Err(OkrError::invalid(format!(
            "channel: keep it to {MAX_PERSON_CHARS} characters, e.g. channel:growth"
        )));
    }
    no_control_characters("channel: the name", channel)?;
    Ok(Some(channel.to_owned()))
}

/// A cycle's first or last day (`option` is `start` or `end`): inside [`YEARS`].
pub(crate) fn check_cycle_day(option: &str, day: NaiveDate) -> Result<NaiveDate> {
    if YEARS.contains(&day.year()) {
        return Ok(day);
    }
    Err(OkrError::invalid(format!(
        "{option}:{day} is out of reach: cycles run in the years {} to {}, e.g. {option}:2026-10-01",
        YEARS.start(),
        YEARS.end()
    )))
}

/// The order of a cycle's days: it may be a single day, never end before it starts.
pub(crate) fn check_cycle_days(start: NaiveDate, end: NaiveDate) -> Result<()> {
    check_cycle_day("start", start)?;
    check_cycle_day("end", end)?;
    if end < start {
        return Err(OkrError::invalid(format!(
            "the cycle would end ({end}) before it starts ({start}): give an end on or after the start"
        )));
    }
    Ok(())
}

/// An instant okrbot records (a check-in, a creation time): inside [`YEARS`], as the clock the
/// commands take their times from is (`console`'s simulated clock is held to them too).
pub(crate) fn check_instant(t: DateTime<Utc>) -> Result<DateTime<Utc>> {
    if YEARS.contains(&t.year()) {
        return Ok(t);
    }
    Err(OkrError::invalid(format!(
        "{} is out of reach: okrbot records times in the years {} to {}",
        t.to_rfc3339(),
        YEARS.start(),
        YEARS.end()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_trimmed_and_refused_when_too_long_or_holding_a_control_character() {
        assert_eq!(
            check_person("owner", Some(" @alice ")).unwrap(),
            Some("alice".into())
        );
        assert_eq!(check_person("owner", Some(" @ ")).unwrap(), None);
        let long = "a".repeat(10_000);
        let err = check_person("owner", Some(&long)).unwrap_err().to_string();
        assert!(err.contains("10000 characters"), "{err}");
        let err = check_person("owner", Some("al\u{0}ice"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("control character (U+0000)"), "{err}");
    }

    #[test]
    fn cycle_days_and_instants_outside_the_years_are_refused() {
        let day = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        assert!(check_cycle_days(day(2026), day(2026)).is_ok());
        for y in [-1, 0, 1969, 3000, 9999] {
            assert!(check_cycle_day("start", day(y)).is_err(), "{y}");
            let t = day(y).and_hms_opt(0, 0, 0).unwrap().and_utc();
            assert!(check_instant(t).is_err(), "{y}");
        }
    }
}
