use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

fn nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).expect("09:00")
}

fn away(member: &str, first: &str, last: &str) -> Away {
    Away {
        id: 1,
        member: member.into(),
        first: day(first),
        last: day(last),
        note: None,
        set_by: member.into(),
    }
}

fn people() -> People {
    let mut p = People::default();
    p.zones.insert("kenji".into(), chrono_tz::Asia::Tokyo);
    p.zones.insert("maria".into(), chrono_tz::America::New_York);
    p
}

#[test]
fn a_member_without_a_zone_of_their_own_lives_in_the_teams() {
    let p = people();
    assert_eq!(
        p.zone("kenji", chrono_tz::Europe::Berlin),
        chrono_tz::Asia::Tokyo
    );
    assert_eq!(
        p.zone("anna", chrono_tz::Europe::Berlin),
        chrono_tz::Europe::Berlin
    );
}

#[test]
fn being_off_is_judged_by_the_day_where_the_member_lives() {
    let mut p = people();
    p.away.push(away("kenji", "2026-12-21", "2027-01-04"));
    let berlin = chrono_tz::Europe::Berlin;
    // Sunday Dec 20 23:30 UTC is already Monday Dec 21 in Tokyo.
    assert!(matches!(
        p.off_at("kenji", at("2026-12-20T23:30:00Z"), berlin),
        Some(Off::Away(_))
    ));
    assert_eq!(p.off_at("kenji", at("2026-12-20T14:00:00Z"), berlin), None);
    // Jan 4 is the last day away; Jan 5 in Tokyo begins at Jan 4 15:00 UTC.
    assert!(p
        .off_at("kenji", at("2027-01-04T14:59:00Z"), berlin)
        .is_some());
    assert_eq!(p.off_at("kenji", at("2027-01-04T15:00:00Z"), berlin), None);
    p.holidays.insert(day("2026-12-25"));
    assert_eq!(
        p.off_at("maria", at("2026-12-25T14:00:00Z"), berlin),
        Some(Off::Holiday(day("2026-12-25")))
    );
    // 02:00 UTC on the 26th is still the 25th in New York.
    assert!(p
        .off_at("maria", at("2026-12-26T02:00:00Z"), berlin)
        .is_some());
}

#[test]
fn the_next_working_day_skips_weekends_holidays_and_time_off() {
    let mut p = people();
    let berlin = chrono_tz::Europe::Berlin;
    p.holidays.insert(day("2026-12-24"));
    p.holidays.insert(day("2026-12-25"));
    // Thursday Dec 24 09:00 in Berlin falls on a holiday: Friday is one too, then the weekend.
    let missed = berlin
        .with_ymd_and_hms(2026, 12, 24, 9, 0, 0)
        .unwrap()
        .to_utc();
    let next = p.next_working("anna", missed, nine(), berlin).unwrap();
    assert_eq!(
        next,
        berlin
            .with_ymd_and_hms(2026, 12, 28, 9, 0, 0)
            .unwrap()
            .to_utc()
    );
    // Away until Monday Jan 4: back on Tuesday Jan 5, 09:00 in Tokyo.
    p.away.push(away("kenji", "2026-12-21", "2027-01-04"));
    let tokyo = chrono_tz::Asia::Tokyo;
    let missed = tokyo
        .with_ymd_and_hms(2026, 12, 21, 9, 0, 0)
        .unwrap()
        .to_utc();
    let next = p.next_working("kenji", missed, nine(), berlin).unwrap();
    assert_eq!(
        next,
        tokyo
            .with_ymd_and_hms(2027, 1, 5, 9, 0, 0)
            .unwrap()
            .to_utc()
    );
}

#[test]
fn the_next_working_day_keeps_the_local_hour_across_both_clock_changes() {
    let p = people();
    let ny = chrono_tz::America::New_York;
    // Friday before the spring change, then Monday after it: still 09:00 local.
    let fri = ny.with_ymd_and_hms(2027, 3, 12, 9, 0, 0).unwrap().to_utc();
    let mon = p
        .next_working("maria", fri, nine(), chrono_tz::UTC)
        .unwrap();
    assert_eq!(
        mon,
        ny.with_ymd_and_hms(2027, 3, 15, 9, 0, 0).unwrap().to_utc()
    );
    assert_eq!(mon - fri, chrono::Duration::hours(71));
    let fri = ny.with_ymd_and_hms(2026, 10, 30, 9, 0, 0).unwrap().to_utc();
    let mon = p
        .next_working("maria", fri, nine(), chrono_tz::UTC)
        .unwrap();
    assert_eq!(mon - fri, chrono::Duration::hours(73));
}

#[test]
fn time_off_reads_from_to_and_refuses_what_cannot_be() {
    let today = day("2026-12-03");
    assert_eq!(
        parse_span("2026-12-21", Some("2027-01-04"), today),
        Ok((day("2026-12-21"), day("2027-01-04")))
    );
    assert_eq!(
        parse_span("tomorrow", None, today),
        Ok((day("2026-12-04"), day("2026-12-04")))
    );
    let e = parse_span("2026-12-21", Some("2026-12-01"), today).unwrap_err();
    assert!(e.contains("before"), "{e}");
    let e = parse_span("2026-11-01", Some("2026-11-02"), today).unwrap_err();
    assert!(e.contains("over already"), "{e}");
    let e = parse_span("Dec 21", None, today).unwrap_err();
    assert!(e.contains("from:2026-12-21"), "{e}");
    let e = parse_span("2026-12-21", Some("2028-12-21"), today).unwrap_err();
    assert!(e.contains("366"), "{e}");
}

#[test]
fn days_off_read_lists_and_ranges() {
    let today = day("2026-12-03");
    assert_eq!(
        parse_days("2026-12-24,2026-12-25, 2026-12-31", today).unwrap(),
        vec![day("2026-12-24"), day("2026-12-25"), day("2026-12-31")]
    );
    assert_eq!(
        parse_days("2026-12-30..2027-01-01", today).unwrap().len(),
        3
    );
    assert!(parse_days("", today)
        .unwrap_err()
        .contains("dates:2026-12-24"));
    assert!(parse_days("2026-12-31..2026-12-24", today)
        .unwrap_err()
        .contains("2026-12-24..2026-12-31"));
    assert!(parse_days("2026-01-01..2028-01-01", today).is_err());
}

#[test]
fn the_status_says_until_when_with_the_year_only_when_it_differs() {
    let a = away("kenji", "2026-12-21", "2027-01-04");
    assert_eq!(a.until(day("2027-01-02")), "away until Jan 4");
    assert_eq!(a.until(day("2026-12-22")), "away until Jan 4 2027");
}

proptest! {
    #[test]
    fn no_text_makes_a_day_or_a_list_panic(
        from in "\\PC{0,24}",
        to in proptest::option::of("\\PC{0,24}"),
        dates in "\\PC{0,40}",
    ) {
        let today = day("2026-12-03");
        let _ = parse_span(&from, to.as_deref(), today);
        if let Ok(days) = parse_days(&dates, today) {
            prop_assert!(!days.is_empty() && days.len() as i64 <= MAX_DAYS);
        }
    }

    #[test]
    fn the_next_working_day_is_after_the_missed_one_and_not_off(
        offset in 0i64..400,
        hour in 0u32..24,
        zone in 0usize..3,
    ) {
        let mut p = people();
        p.away.push(away("kenji", "2026-12-21", "2027-01-04"));
        p.holidays.insert(day("2026-12-25"));
        let who = ["kenji", "maria", "anna"][zone];
        let after = at("2026-12-01T00:00:00Z") + chrono::Duration::hours(offset * 7);
        let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap();
        let next = p.next_working(who, after, time, chrono_tz::Europe::Berlin).unwrap();
        prop_assert!(next > after);
        prop_assert!(p.off_at(who, next, chrono_tz::Europe::Berlin).is_none());
        prop_assert!(next - after <= chrono::Duration::days(40));
    }
}
