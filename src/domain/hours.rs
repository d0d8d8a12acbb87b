//! Working hours: when a team's channel may be posted to. Alerts, recoveries, digests, lead
//! reports and the cycle close decided outside them wait for the next opening, so nothing lands
//! at 00:00 local. The rules are `docs/schedules-and-delivery.md`, "Working hours".

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::schedule::instant;

/// A team's posting window, in its own zone: `09:00-18:00 Mon-Fri` by default, or `always`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkingHours {
    Always,
    Window {
        start: NaiveTime,
        end: NaiveTime,
        /// Bit `n` set: posts may go out on the day `n` days after Monday.
        days: u8,
    },
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours::Window {
            start: NaiveTime::from_hms_opt(9, 0, 0).expect("09:00"),
            end: NaiveTime::from_hms_opt(18, 0, 0).expect("18:00"),
            days: 0b001_1111,
        }
    }
}

/// Why a text is not a working-hours setting; `Display` says how to write one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hours:{text:?} is not a working-hours setting: {why}; write it like hours:\"09:00-18:00 Mon-Fri\", hours:\"08:30-17:00 Mon-Thu,Sat\" or hours:always")]
pub struct HoursError {
    pub text: String,
    pub why: &'static str,
}

const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl WorkingHours {
    /// Reads `09:00-18:00 Mon-Fri` (days as a range or a comma list; all week when left out),
    /// or `always` (also `off`, `none`, `24/7`) for a team that takes posts at any hour.
    pub fn parse(text: &str) -> Result<WorkingHours, HoursError> {
        let bad = |why| HoursError {
            text: super::quote::clip(text.trim()),
            why,
        };
        let t = text.trim();
        if ["always", "off", "none", "24/7", "any"]
            .iter()
            .any(|w| t.eq_ignore_ascii_case(w))
        {
            return Ok(WorkingHours::Always);
        }
        let mut words = t.split_whitespace();
        let span = words.next().ok_or_else(|| bad("it is empty"))?;
        let (from, to) = span
            .split_once('-')
            .ok_or_else(|| bad("the hours need a start and an end, like 09:00-18:00"))?;
        let time = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| bad("times are written HH:MM, from 00:00 to 23:59"))
        };
        let (start, end) = (time(from)?, time(to)?);
        if end <= start {
            return Err(bad("the end must come after the start on the same day"));
        }
        let days = match words.collect::<Vec<_>>().join("") {
            d if d.is_empty() => 0b111_1111,
            d => parse_days(&d).ok_or_else(|| bad("days are Mon..Sun, as a range or a list"))?,
        };
        Ok(WorkingHours::Window { start, end, days })
    }

    /// The first instant at or after `at` inside the window, in zone `tz`.
    pub fn next_open(&self, tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
        let WorkingHours::Window { start, end, days } = *self else {
            return at;
        };
        let local = at.with_timezone(&tz).naive_local();
        for ahead in 0..8 {
            let day = local.date() + Duration::days(ahead);
            if days & (1 << day.weekday().num_days_from_monday()) == 0 {
                continue;
            }
            let open = instant(tz, day.and_time(start));
            let close = instant(tz, day.and_time(end));
            if at < close {
                return open.max(at);
            }
        }
        // `days` is never empty (the parser refuses that), so a week always has an opening.
        at
    }

    /// The setting as `parse` reads it back: `09:00-18:00 Mon-Fri`, or `always`.
    pub fn text(&self) -> String {
        let WorkingHours::Window { start, end, days } = *self else {
            return "always".into();
        };
        let hm = |t: NaiveTime| format!("{:02}:{:02}", t.hour(), t.minute());
        let span = format!("{}-{}", hm(start), hm(end));
        if days == 0b111_1111 {
            return span;
        }
        // Runs of consecutive days as ranges: Mon-Fri, Mon-Thu,Sat.
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if days & (1 << i) == 0 {
                i += 1;
                continue;
            }
            let first = i;
            while i + 1 < 7 && days & (1 << (i + 1)) != 0 {
                i += 1;
            }
            parts.push(if i == first {
                short(DAYS[first]).to_owned()
            } else {
                format!("{}-{}", short(DAYS[first]), short(DAYS[i]))
            });
            i += 1;
        }
        format!("{span} {}", parts.join(","))
    }
}

fn short(d: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.num_days_from_monday() as usize]
}

fn parse_days(text: &str) -> Option<u8> {
    let day = |s: &str| s.trim().parse::<Weekday>().ok();
    let mut bits = 0u8;
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let (a, b) = (a.num_days_from_monday(), b.num_days_from_monday());
                if a > b {
                    return None;
                }
                for d in a..=b {
                    bits |= 1 << d;
                }
            }
            None => bits |= 1 << day(part)?.num_days_from_monday(),
        }
    }
    (bits != 0).then_some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("an RFC 3339 instant")
    }

    #[test]
    fn the_default_window_is_nine_to_six_on_weekdays_in_the_teams_zone() {
        let h = WorkingHours::default();
        let ny = chrono_tz::America::New_York;
        // Tue 00:00 in New York (05:00Z) waits until 09:00 local (14:00Z).
        assert_eq!(
            h.next_open(ny, utc("2026-12-01T05:00:00Z")),
            utc("2026-12-01T14:00:00Z")
        );
        // Inside the window: at once.
        assert_eq!(
            h.next_open(ny, utc("2026-12-01T15:30:00Z")),
            utc("2026-12-01T15:30:00Z")
        );
        // Friday 18:00 local is closed: Monday 09:00.
        assert_eq!(
            h.next_open(ny, utc("2026-12-04T23:00:00Z")),
            utc("2026-12-07T14:00:00Z")
        );
        // Saturday noon: Monday 09:00.
        assert_eq!(
            h.next_open(ny, utc("2026-12-05T17:00:00Z")),
            utc("2026-12-07T14:00:00Z")
        );
    }

    #[test]
    fn always_posts_at_once_and_text_reads_back() {
        let at = utc("2026-12-05T03:00:00Z");
        let always = WorkingHours::parse(" Always ").unwrap();
        assert_eq!(always.next_open(chrono_tz::UTC, at), at);
        for text in [
            "09:00-18:00 Mon-Fri",
            "08:30-17:00 Mon-Thu,Sat",
            "07:00-19:00",
            "always",
        ] {
            let h = WorkingHours::parse(text).unwrap();
            assert_eq!(h.text(), text);
            assert_eq!(WorkingHours::parse(&h.text()), Ok(h));
        }
        assert_eq!(WorkingHours::default().text(), "09:00-18:00 Mon-Fri");
    }

    #[test]
    fn a_start_in_a_dst_gap_opens_at_the_first_instant_after_it() {
        let h = WorkingHours::parse("02:30-18:00").unwrap();
        // Berlin springs forward at 02:00 on 2027-03-28: 02:30 does not exist; 03:00 CEST does.
        assert_eq!(
            h.next_open(chrono_tz::Europe::Berlin, utc("2027-03-27T23:00:00Z")),
            utc("2027-03-28T01:00:00Z")
        );
    }

    #[test]
    fn bad_settings_are_refused_with_a_way_to_write_them() {
        for text in [
            "",
            "9-18",
            "18:00-09:00",
            "09:00-18:00 Funday",
            "09:00-25:00",
            "09:00-18:00 Fri-Mon",
        ] {
            let e = WorkingHours::parse(text).unwrap_err().to_string();
            assert!(e.contains("hours:\"09:00-18:00 Mon-Fri\""), "{text}: {e}");
        }
    }
}
