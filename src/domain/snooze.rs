//! When a snooze ends (`/okr snooze`, `until:Thursday`, `for:3d`): a day later by default, at the
//! prompt's own local time on a day named, or after a span. Pure: the moment, the prompt's slot
//! and the zone are passed in, and any text a person types gets an answer, never a panic.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// A snooze with neither `until:` nor `for:`.
pub const DEFAULT: Duration = Duration::days(1);
/// The longest snooze: past it, the next week's prompt comes anyway.
pub const LONGEST: Duration = Duration::days(14);
/// The shortest snooze.
pub const SHORTEST: Duration = Duration::hours(1);

const EXAMPLES: &str = "e.g. until:Thursday, until:tomorrow, until:2026-12-10 or for:3d, for:12h";

/// When a snooze asked for at `now` ends. `until` names a day (a weekday, `tomorrow`, or a date
/// `YYYY-MM-DD`), and the prompt comes again that day at the local time of `slot`, the prompt's
/// own; `for` is a span (`3d`, `12h`, `2 days`, `1w`). Neither: [`DEFAULT`].
pub fn snooze_end(
    until: Option<&str>,
    span: Option<&str>,
    now: DateTime<Utc>,
    slot: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Utc>, String> {
    fn given(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let end = match (given(until), given(span)) {
        (Some(_), Some(_)) => return Err(format!("give until: or for:, not both ({EXAMPLES})")),
        (None, None) => now + DEFAULT,
        (None, Some(text)) => now + parse_span(text)?,
        (Some(text), None) => {
            let today = now.with_timezone(&tz).date_naive();
            let day = parse_day(text, today)?;
            if day <= today {
                return Err(format!(
                    "until:{} is not after today: name a later day ({EXAMPLES})",
                    clip(text)
                ));
            }
            let time = slot.with_timezone(&tz).time();
            let local = day.and_time(time);
            // A time the clocks skip that day (a spring-forward gap) comes an hour later.
            tz.from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    tz.from_local_datetime(&(local + Duration::hours(1)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("until:{} has no such time there", clip(text)))?
        }
    };
    if end - now < SHORTEST {
        return Err(format!("a snooze lasts an hour at least ({EXAMPLES})"));
    }
    if end - now > LONGEST {
        return Err(format!(
            "a snooze lasts 14 days at most: the next prompt comes anyway ({EXAMPLES})"
        ));
    }
    Ok(end)
}

fn clip(text: &str) -> String {
    crate::domain::quote::clip(text).to_string()
}

/// `3d`, `12h`, `2 days`, `1w`, `36 hours`.
fn parse_span(text: &str) -> Result<Duration, String> {
    let t = text.trim().to_lowercase();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let unit = t[digits.len()..].trim();
    let bad = || format!("for:{} is not a span of time ({EXAMPLES})", clip(text));
    let n: i64 = digits
        .parse()
        .ok()
        .filter(|n| (1..=999).contains(n))
        .ok_or_else(bad)?;
    let one = match unit {
        "h" | "hr" | "hrs" | "hour" | "hours" => Duration::hours(1),
        "d" | "day" | "days" => Duration::days(1),
        "w" | "wk" | "week" | "weeks" => Duration::weeks(1),
        _ => return Err(bad()),
    };
    Ok(one * i32::try_from(n).map_err(|_| bad())?)
}

/// A weekday (`thursday`, `thu`), `tomorrow`, or a date, as the day after `today` it names.
fn parse_day(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = text.trim().to_lowercase();
    if t == "tomorrow" {
        return today
            .succ_opt()
            .ok_or_else(|| "there is no tomorrow here".to_owned());
    }
    if let Ok(date) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Ok(date);
    }
    let weekdays = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    let wanted = weekdays
        .iter()
        .find(|(name, _)| t.chars().count() >= 3 && name.starts_with(t.as_str()))
        .map(|(_, d)| *d)
        .ok_or_else(|| format!("until:{} is not a day ({EXAMPLES})", clip(text)))?;
    // The next such day, a week on when it is today.
    let ahead = (wanted.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    Ok(today + Duration::days(i64::from(ahead)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("an instant")
    }

    const BERLIN: Tz = chrono_tz::Europe::Berlin;

    /// Monday 2026-11-16 09:30 Berlin; the prompt came at 09:00 Berlin.
    fn monday() -> (DateTime<Utc>, DateTime<Utc>) {
        (at("2026-11-16T08:30:00Z"), at("2026-11-16T08:00:00Z"))
    }

    #[test]
    fn a_day_named_brings_the_prompt_back_at_its_own_local_time() {
        let (now, slot) = monday();
        let end = |until: &str| snooze_end(Some(until), None, now, slot, BERLIN);
        assert_eq!(end("Thursday"), Ok(at("2026-11-19T08:00:00Z")));
        assert_eq!(end("thu"), Ok(at("2026-11-19T08:00:00Z")));
        assert_eq!(end("tomorrow"), Ok(at("2026-11-17T08:00:00Z")));
        assert_eq!(end("2026-11-20"), Ok(at("2026-11-20T08:00:00Z")));
        // Today's weekday is next week's.
        assert_eq!(end("Monday"), Ok(at("2026-11-23T08:00:00Z")));
        assert_eq!(snooze_end(None, None, now, slot, BERLIN), Ok(now + DEFAULT));
        assert_eq!(
            snooze_end(None, Some("3d"), now, slot, BERLIN),
            Ok(now + Duration::days(3))
        );
        assert_eq!(
            snooze_end(None, Some(" 12 hours "), now, slot, BERLIN),
            Ok(now + Duration::hours(12))
        );
        assert_eq!(
            snooze_end(None, Some("1w"), now, slot, BERLIN),
            Ok(now + Duration::weeks(1))
        );
    }

    #[test]
    fn across_a_clock_change_the_prompt_keeps_its_local_time() {
        // Friday 2027-03-26 09:30 Berlin (CET); Monday 29 is summer time (CEST, UTC+2).
        let now = at("2027-03-26T08:30:00Z");
        let slot = at("2027-03-22T08:00:00Z");
        assert_eq!(
            snooze_end(Some("monday"), None, now, slot, BERLIN),
            Ok(at("2027-03-29T07:00:00Z"))
        );
    }

    #[test]
    fn a_snooze_that_cannot_be_is_refused_saying_how_to_write_one() {
        let (now, slot) = monday();
        let refused = |until: Option<&str>, span: Option<&str>| {
            snooze_end(until, span, now, slot, BERLIN).unwrap_err()
        };
        assert!(refused(Some("thu"), Some("3d")).contains("not both"));
        assert!(refused(Some("someday"), None).contains("is not a day"));
        assert!(refused(Some("2026-11-16"), None).contains("not after today"));
        assert!(refused(Some("2026-12-31"), None).contains("14 days at most"));
        assert!(refused(None, Some("3 fortnights")).contains("not a span"));
        assert!(refused(None, Some("0d")).contains("not a span"));
        assert!(refused(None, Some("3w")).contains("14 days at most"));
        assert!(refused(Some("mo"), None).contains("is not a day"));
    }

    proptest! {
        /// Whatever is typed, a snooze ends within its limits, or a reason comes back.
        #[test]
        fn any_text_ends_within_the_limits_or_is_refused(
            until in proptest::option::of("\\PC{0,16}"),
            span in proptest::option::of("\\PC{0,16}"),
            minutes in 0i64..20_160,
        ) {
            let (now, slot) = monday();
            let now = now + Duration::minutes(minutes);
            if let Ok(end) = snooze_end(until.as_deref(), span.as_deref(), now, slot, BERLIN) {
                prop_assert!(end - now >= SHORTEST && end - now <= LONGEST);
            }
        }
    }
}
