use super::*;
use chrono_tz::America::New_York;
use chrono_tz::Asia::Kathmandu;
use chrono_tz::Australia::Sydney;
use chrono_tz::Europe::Berlin;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn sched(expr: &str) -> CronSchedule {
    CronSchedule::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn local(expr: &str, tz: Tz, after: &str, n: usize) -> Vec<String> {
    let fires = sched(expr).upcoming(tz, utc(after), n);
    fires.iter().map(|t| t.to_rfc3339()).collect()
}

fn err(expr: &str) -> ScheduleError {
    CronSchedule::parse(expr).expect_err(expr)
}

#[test]
fn monday_prompt_stays_at_nine_local_across_berlin_dst_changes() {
    let spring = local(DEFAULT_PROMPT, Berlin, "2026-03-20T00:00:00Z", 2);
    assert_eq!(
        spring,
        ["2026-03-23T09:00:00+01:00", "2026-03-30T09:00:00+02:00"]
    );
    let fall = local(DEFAULT_PROMPT, Berlin, "2026-10-16T00:00:00Z", 2);
    assert_eq!(
        fall,
        ["2026-10-19T09:00:00+02:00", "2026-10-26T09:00:00+01:00"]
    );
    let next = sched(DEFAULT_PROMPT).next_after(Berlin, utc("2026-03-23T08:00:00Z"));
    assert_eq!(next, Some(utc("2026-03-30T07:00:00Z")));
}

#[test]
fn monday_prompt_stays_at_nine_local_across_new_york_dst_changes() {
    let spring = local(DEFAULT_PROMPT, New_York, "2026-02-27T00:00:00Z", 2);
    assert_eq!(
        spring,
        ["2026-03-02T09:00:00-05:00", "2026-03-09T09:00:00-04:00"]
    );
    let fall = local(DEFAULT_PROMPT, New_York, "2026-10-23T00:00:00Z", 2);
    assert_eq!(
        fall,
        ["2026-10-26T09:00:00-04:00", "2026-11-02T09:00:00-05:00"]
    );
    let next = sched(DEFAULT_PROMPT).next_after(New_York, utc("2026-10-26T13:00:00Z"));
    assert_eq!(next, Some(utc("2026-11-02T14:00:00Z")));
}

#[test]
fn monday_prompt_stays_at_nine_local_across_sydney_dst_changes() {
    let autumn = local(DEFAULT_PROMPT, Sydney, "2026-03-27T00:00:00Z", 2);
    assert_eq!(
        autumn,
        ["2026-03-30T09:00:00+11:00", "2026-04-06T09:00:00+10:00"]
    );
    let spring = local(DEFAULT_PROMPT, Sydney, "2026-09-25T00:00:00Z", 2);
    assert_eq!(
        spring,
        ["2026-09-28T09:00:00+10:00", "2026-10-05T09:00:00+11:00"]
    );
    let next = sched(DEFAULT_PROMPT).next_after(Sydney, utc("2026-09-27T23:00:00Z"));
    assert_eq!(next, Some(utc("2026-10-04T22:00:00Z")));
}

#[test]
fn kathmandu_nine_oclock_is_quarter_past_three_utc() {
    let next = sched(DEFAULT_PROMPT).next_after(Kathmandu, utc("2026-03-01T00:00:00Z"));
    assert_eq!(next, Some(utc("2026-03-02T03:15:00Z")));
    let fires = local(DEFAULT_PROMPT, Kathmandu, "2026-03-01T00:00:00Z", 1);
    assert_eq!(fires, ["2026-03-02T09:00:00+05:45"]);
}

#[test]
fn a_time_skipped_by_spring_forward_fires_once_at_the_end_of_the_gap() {
    let fires = local("30 2 * * *", Berlin, "2026-03-28T12:00:00Z", 3);
    assert_eq!(
        fires,
        [
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:30:00+02:00",
            "2026-03-31T02:30:00+02:00"
        ]
    );
    let s = sched("30 2 * * *");
    let after_gap = s.next_after(Berlin, utc("2026-03-29T01:00:00Z"));
    assert_eq!(after_gap, Some(utc("2026-03-30T00:30:00Z")));
    let slot = s.latest_at_or_before(Berlin, utc("2026-03-29T01:00:00Z"), Duration::hours(1));
    assert_eq!(slot, Some(utc("2026-03-29T01:00:00Z")));
}

#[test]
fn fires_at_both_ends_of_a_gap_collapse_into_one() {
    let fires = local("0 2,3 * * *", Berlin, "2026-03-28T12:00:00Z", 3);
    assert_eq!(
        fires,
        [
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:00:00+02:00",
            "2026-03-30T03:00:00+02:00"
        ]
    );
}

#[test]
fn a_time_repeated_by_fall_back_fires_once_at_its_first_occurrence() {
    let fires = local("30 2 * * *", Berlin, "2026-10-24T12:00:00Z", 2);
    assert_eq!(
        fires,
        ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    );
    // From inside the second 02:xx hour the repeated 02:30 is not due again.
    let s = sched("30 2 * * *");
    let next = s.next_after(Berlin, utc("2026-10-25T01:40:00Z"));
    assert_eq!(next, Some(utc("2026-10-26T01:30:00Z")));
    let slot = s.latest_at_or_before(Berlin, utc("2026-10-25T01:40:00Z"), Duration::hours(2));
    assert_eq!(slot, Some(utc("2026-10-25T00:30:00Z")));
}

#[test]
fn an_hourly_schedule_skips_the_repeated_hour_on_fall_back() {
    let fires = local("0 * * * *", Berlin, "2026-10-24T23:30:00Z", 3);
    assert_eq!(
        fires,
        [
            "2026-10-25T02:00:00+02:00",
            "2026-10-25T03:00:00+01:00",
            "2026-10-25T04:00:00+01:00"
        ]
    );
}

#[test]
fn parse_accepts_the_usual_forms() {
    for (expr, described) in [
        ("0 9 * * Mon", "Mondays 09:00"),
        ("0 9 * * 1", "Mondays 09:00"),
        ("30 8 * * Mon-Fri", "Weekdays 08:30"),
        ("30 8 * * 1-5", "Weekdays 08:30"),
        ("0 0 9 * * Mon", "Mondays 09:00"),
        ("  0 16 * * Mon  ", "Mondays 16:00"),
        ("0 9 * * 0", "Sundays 09:00"),
        ("0 9 * * 7", "Sundays 09:00"),
        ("0 9 * * 1,3", "Mon, Wed 09:00"),
        ("0 9 * * *", "Daily 09:00"),
        ("@daily", "Daily 00:00"),
        ("0 9 1 * *", "0 9 1 * *"),
        ("0 * * * *", "0 * * * *"),
    ] {
        assert_eq!(sched(expr).describe(), described, "{expr}");
    }
    assert_eq!(sched("  0 9 * * Mon ").expression(), "0 9 * * Mon");
    assert_eq!(sched(DEFAULT_REMINDER).describe(), "Wednesdays 09:00");
}

#[test]
fn numeric_days_follow_unix_crontab_not_the_cron_crate() {
    let after = utc("2026-03-01T00:00:00Z");
    for (numeric, named) in [
        ("0 9 * * 1", "0 9 * * Mon"),
        ("0 9 * * */2", "0 9 * * Sun,Tue,Thu,Sat"),
    ] {
        let (a, b) = (sched(numeric), sched(named));
        assert_eq!(
            a.upcoming(Berlin, after, 8),
            b.upcoming(Berlin, after, 8),
            "{numeric}"
        );
    }
    let odd = sched("0 9 * * 1/2").upcoming(Berlin, after, 3);
    let days: Vec<String> = odd.iter().map(|t| t.format("%a").to_string()).collect();
    assert_eq!(days, ["Mon", "Wed", "Fri"]);
}

#[test]
fn parse_refuses_schedules_firing_more_than_once_an_hour() {
    for (expr, every) in [
        ("*/30 * * * *", 30),
        ("0,30 9 * * Mon", 30),
        ("*/59 * * * *", 1),
    ] {
        let e = err(expr);
        assert!(
            matches!(e, ScheduleError::TooFrequent { .. }),
            "{expr}: {e:?}"
        );
        let msg = e.to_string();
        let want = format!(
            "fires every {}; okrbot allows at most one per hour, e.g. `0 9 * * Mon`",
            if every == 1 {
                "minute".to_string()
            } else {
                format!("{every} minutes")
            }
        );
        assert!(msg.contains(&want), "{msg}");
        assert!(msg.contains(&format!("`{expr}`")), "{msg}");
    }
    assert!(err("* 0 9 * * Mon")
        .to_string()
        .contains("fires every second"));
}

#[test]
fn parse_refuses_nonsense_with_an_example() {
    for (expr, reason) in [
        ("nonsense", "expected 5 fields"),
        ("", "found 0"),
        ("61 9 * * Mon", "Minutes must be at most 59"),
        (
            "0 9 * * Funday",
            "should use 0-7 (0 or 7 = Sunday) or Sun..Sat",
        ),
        ("0 9 * * 8", "day-of-week `8` should use 0-7"),
        ("0 9 * * * * * *", "found 8"),
    ] {
        let e = err(expr);
        assert!(
            matches!(e, ScheduleError::Unparsable { .. }),
            "{expr}: {e:?}"
        );
        let msg = e.to_string();
        assert!(msg.contains(&format!("`{expr}`")), "{msg}");
        assert!(msg.contains(reason), "{msg}");
        assert!(msg.contains("e.g. `0 9 * * Mon` = Mondays 09:00"), "{msg}");
    }
}

#[test]
fn parse_refuses_a_schedule_that_never_fires() {
    let e = err("0 9 30 2 *");
    assert_eq!(
        e,
        ScheduleError::NeverFires {
            expression: "0 9 30 2 *".into()
        }
    );
    assert!(e.to_string().contains("never fires"));
    assert!(e.to_string().contains("`0 9 * * Mon`"));
}

#[test]
fn upcoming_returns_n_strictly_increasing_instants_that_round_trip() {
    let after = utc("2026-01-01T00:00:00Z");
    for expr in ["0 9 * * Mon", "30 2 * * *", "0 * * * *", "15 1-3 * * *"] {
        for tz in [Berlin, New_York, Sydney, Kathmandu] {
            let s = sched(expr);
            let fires = s.upcoming(tz, after, 400);
            assert_eq!(fires.len(), 400, "{expr} {tz}");
            assert!(fires[0] > after);
            assert!(fires.windows(2).all(|w| w[0] < w[1]), "{expr} {tz}");
            for f in fires.iter().map(|f| f.with_timezone(&Utc)) {
                let second = Duration::seconds(1);
                assert_eq!(s.next_after(tz, f - second), Some(f), "{expr} {tz} {f}");
                let slot = s.latest_at_or_before(tz, f, Duration::zero());
                assert_eq!(slot, Some(f), "{expr} {tz} {f}");
            }
        }
    }
}

#[test]
fn latest_at_or_before_returns_the_slot_and_respects_the_horizon() {
    let s = sched(DEFAULT_PROMPT);
    let week = Duration::days(7);
    let fire = utc("2026-03-30T07:00:00Z");
    assert_eq!(s.latest_at_or_before(Berlin, fire, week), Some(fire));
    let before = fire - Duration::seconds(1);
    assert_eq!(
        s.latest_at_or_before(Berlin, before, week),
        Some(utc("2026-03-23T08:00:00Z"))
    );
    let wed = utc("2026-04-01T10:00:00Z");
    assert_eq!(s.latest_at_or_before(Berlin, wed, week), Some(fire));
    assert_eq!(s.latest_at_or_before(Berlin, wed, Duration::days(1)), None);
    assert_eq!(s.upcoming(Berlin, fire, 0), Vec::<DateTime<Tz>>::new());
}

#[test]
fn deserializing_validates_the_expression() {
    use serde::de::{value::Error, IntoDeserializer};
    use serde::Deserialize;
    let ok = CronSchedule::deserialize(IntoDeserializer::<Error>::into_deserializer("0 9 * * 1"));
    assert_eq!(ok.unwrap().expression(), "0 9 * * 1");
    let bad =
        CronSchedule::deserialize(IntoDeserializer::<Error>::into_deserializer("*/5 * * * *"));
    assert!(bad
        .unwrap_err()
        .to_string()
        .contains("at most one per hour"));
    assert_eq!(String::from(sched(DEFAULT_DIGEST)), "0 16 * * Mon");
}

// ---- the catch-up rule ----

#[test]
fn a_slot_looked_at_on_time_fires_as_is() {
    let due = utc("2026-11-16T08:00:00Z");
    let c = catch_up(&sched("0 9 * * Mon"), Berlin, due, due, Duration::hours(24));
    assert_eq!(
        c,
        CatchUp {
            slot: Some(due),
            skipped: false
        }
    );
}

#[test]
fn after_a_short_outage_the_missed_slot_fires_once() {
    let due = utc("2026-11-16T08:00:00Z");
    let now = utc("2026-11-16T20:00:00Z");
    let c = catch_up(&sched("0 9 * * Mon"), Berlin, due, now, Duration::hours(24));
    assert_eq!(
        c,
        CatchUp {
            slot: Some(due),
            skipped: false
        }
    );
}

#[test]
fn after_a_long_outage_only_the_latest_slot_within_the_window_fires() {
    // Down from Monday 08:00Z to Thursday 12:00Z: the daily 09:00 slots of Monday to Wednesday
    // are skipped, Thursday's fires.
    let due = utc("2026-11-16T08:00:00Z");
    let now = utc("2026-11-19T12:00:00Z");
    let c = catch_up(&sched("0 9 * * *"), Berlin, due, now, Duration::hours(24));
    assert_eq!(c.slot, Some(utc("2026-11-19T08:00:00Z")));
    assert!(c.skipped);
}

#[test]
fn when_every_missed_slot_is_older_than_the_window_nothing_fires() {
    let due = utc("2026-11-16T08:00:00Z");
    let now = utc("2026-11-20T12:00:00Z");
    let c = catch_up(&sched("0 9 * * Mon"), Berlin, due, now, Duration::hours(24));
    assert_eq!(
        c,
        CatchUp {
            slot: None,
            skipped: true
        }
    );
}

#[test]
fn a_schedule_limited_to_some_years_is_refused_because_it_would_stop_firing() {
    for expr in ["0 0 9 * * Mon 2026", "0 0 9 * * Mon 2026-2030"] {
        assert!(
            matches!(err(expr), ScheduleError::Ends { .. }),
            "{expr}: {:?}",
            CronSchedule::parse(expr)
        );
        assert!(err(expr).to_string().contains("leave the year out"));
    }
    sched("0 0 9 * * Mon *");
}

#[test]
fn day_of_week_ranges_follow_crontab_with_numbers_and_names() {
    let days = |expr: &str| -> Vec<String> {
        sched(expr)
            .upcoming(Berlin, utc("2026-11-15T23:00:00Z"), 7)
            .iter()
            .map(|t| t.format("%a").to_string())
            .collect()
    };
    // Week of Monday 2026-11-16.
    assert_eq!(days("0 9 * * 7-7")[..2], ["Sun", "Sun"]);
    assert_eq!(days("0 9 * * Mon-Sun").len(), 7);
    assert_eq!(days("0 9 * * Mon-Sun")[..7], days("0 9 * * 1-7")[..7]);
    assert_eq!(days("0 9 * * 5-7")[..3], ["Fri", "Sat", "Sun"]);
    assert_eq!(days("0 9 * * Fri-Sun")[..3], ["Fri", "Sat", "Sun"]);
    assert_eq!(days("0 9 * * 0")[..1], ["Sun"]);
}

#[test]
fn at_annually_is_crontabs_spelling_of_at_yearly() {
    let fires = sched("@annually").upcoming(chrono_tz::UTC, utc("2026-11-15T00:00:00Z"), 2);
    let years: Vec<String> = fires
        .iter()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .collect();
    assert_eq!(years, ["2027-01-01", "2028-01-01"]);
}

#[test]
fn with_both_day_fields_restricted_either_one_matching_fires_as_in_crontab() {
    let fires = local("0 9 1 * Mon", Berlin, "2026-11-15T00:00:00Z", 5);
    assert_eq!(
        fires,
        [
            "2026-11-16T09:00:00+01:00",
            "2026-11-23T09:00:00+01:00",
            "2026-11-30T09:00:00+01:00",
            "2026-12-01T09:00:00+01:00",
            "2026-12-07T09:00:00+01:00",
        ]
    );
    // A day matching both fires once.
    let june = local("0 9 1 * Mon", Berlin, "2026-05-31T00:00:00Z", 2);
    assert_eq!(
        june,
        ["2026-06-01T09:00:00+02:00", "2026-06-08T09:00:00+02:00"]
    );
    let s = sched("0 9 1 * Mon");
    assert_eq!(
        s.latest_at_or_before(Berlin, utc("2026-12-02T00:00:00Z"), Duration::days(3)),
        Some(utc("2026-12-01T08:00:00Z"))
    );
    assert_eq!(s.describe(), "0 9 1 * Mon");
}
