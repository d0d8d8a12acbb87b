//! Status (pace and confidence), staleness and forecasts; the fixtures are the parent's.

use super::*;

// --- status -------------------------------------------------------------------------------

#[test]
fn exactly_expected_minus_0_10_is_green_and_just_below_is_yellow() {
    // Day 5 of 10: expected 0.5.
    assert_eq!(status_on_day(&metric(0.0, 100.0, 40.0), 5.0), Status::Green);
    assert_eq!(
        status_on_day(&metric(0.0, 100.0, 39.9), 5.0),
        Status::Yellow
    );
}

#[test]
fn exactly_expected_minus_0_25_is_yellow_and_just_below_is_red() {
    assert_eq!(
        status_on_day(&metric(0.0, 100.0, 25.0), 5.0),
        Status::Yellow
    );
    assert_eq!(status_on_day(&metric(0.0, 100.0, 24.9), 5.0), Status::Red);
}

#[test]
fn pace_uses_unclamped_progress_for_a_decreasing_metric() {
    // 14 -> 7 days at day 5: 9 days is p = 0.71 (green), 15 days is p = -0.14 (red).
    assert_eq!(status_on_day(&metric(14.0, 7.0, 9.0), 5.0), Status::Green);
    assert_eq!(status_on_day(&metric(14.0, 7.0, 15.0), 5.0), Status::Red);
}

#[test]
fn confidence_3_is_red_6_is_yellow_and_7_is_green_when_on_pace() {
    let on_pace = metric(0.0, 100.0, 60.0);
    assert_eq!(
        status_on_day(&confident(on_pace.clone(), 3), 5.0),
        Status::Red
    );
    assert_eq!(
        status_on_day(&confident(on_pace.clone(), 4), 5.0),
        Status::Yellow
    );
    assert_eq!(
        status_on_day(&confident(on_pace.clone(), 6), 5.0),
        Status::Yellow
    );
    assert_eq!(
        status_on_day(&confident(on_pace.clone(), 7), 5.0),
        Status::Green
    );
    assert_eq!(status_on_day(&on_pace, 5.0), Status::Green);
}

#[test]
fn high_confidence_does_not_rescue_a_red_pace() {
    let behind = confident(metric(0.0, 100.0, 10.0), 10);
    assert_eq!(status_on_day(&behind, 5.0), Status::Red);
}

#[test]
fn during_the_first_10_percent_a_red_pace_is_ignored_and_confidence_decides() {
    let behind = metric(50.0, 100.0, 50.0); // p = 0: no progress yet, no step back either
    assert_eq!(status_on_day(&behind, 0.5), Status::Green);
    assert_eq!(
        status_on_day(&confident(behind.clone(), 5), 0.5),
        Status::Yellow
    );
    // A step back behind the start is news even in the grace period: at least yellow.
    let below_start = metric(50.0, 100.0, 25.0); // p = -0.5
    assert_eq!(status_on_day(&below_start, 0.5), Status::Yellow);
    assert_eq!(
        status_on_day(&confident(below_start.clone(), 9), 0.5),
        Status::Yellow
    );
    assert_eq!(
        status_on_day(&confident(below_start.clone(), 2), 0.5),
        Status::Red
    );
    // At exactly 10 % the pace counts again: -0.5 < 0.1 - 0.25.
    assert_eq!(status_on_day(&below_start, 1.0), Status::Red);
    // Before the cycle starts nothing is expected yet, but a step back is still one.
    assert_eq!(status_on_day(&behind, -2.0), Status::Green);
    assert_eq!(status_on_day(&below_start, -2.0), Status::Yellow);
}

#[test]
fn a_threshold_holding_is_green_unless_confidence_says_otherwise() {
    let held = threshold(Direction::AtLeast, 95.0, 96.0);
    assert_eq!(status_on_day(&held, 5.0), Status::Green);
    assert_eq!(
        status_on_day(&confident(held.clone(), 8), 5.0),
        Status::Green
    );
    assert_eq!(
        status_on_day(&confident(held.clone(), 5), 5.0),
        Status::Yellow
    );
    assert_eq!(status_on_day(&confident(held.clone(), 3), 5.0), Status::Red);
}

#[test]
fn a_broken_threshold_is_red_whatever_the_confidence_or_the_time() {
    let broken = confident(threshold(Direction::AtMost, 200.0, 201.0), 10);
    assert_eq!(status_on_day(&broken, 0.1), Status::Red);
    assert_eq!(status_on_day(&broken, 9.0), Status::Red);
}

#[test]
fn an_open_milestone_ignores_pace_and_takes_its_colour_from_confidence() {
    let open = milestone(false);
    assert_eq!(status_on_day(&open, 9.9), Status::Green);
    assert_eq!(
        status_on_day(&confident(open.clone(), 5), 9.9),
        Status::Yellow
    );
    assert_eq!(status_on_day(&confident(open.clone(), 2), 5.0), Status::Red);
}

#[test]
fn a_milestone_still_open_when_the_cycle_is_over_is_red_and_a_done_one_is_green() {
    assert_eq!(
        status_on_day(&confident(milestone(false), 9), 10.0),
        Status::Red
    );
    assert_eq!(
        status_on_day(&confident(milestone(true), 2), 5.0),
        Status::Green
    );
    assert_eq!(status_on_day(&milestone(true), 12.0), Status::Green);
}

#[test]
fn custom_rules_move_the_lines() {
    let (c, rules) = (
        ten_days(),
        ScoringRules {
            green_margin: 0.0,
            ..ScoringRules::default()
        },
    );
    let ctx = ScoreContext::new(&c, Tz::UTC, on_day(5.0), Duration::days(7), &rules);
    assert_eq!(
        score_kr(&metric(0.0, 100.0, 45.0), &ctx, &[]).status,
        Status::Yellow
    );
    assert_eq!(
        score_kr(&metric(0.0, 100.0, 50.0), &ctx, &[]).status,
        Status::Green
    );
}

#[test]
fn statuses_order_from_green_to_red_and_show_as_emoji() {
    assert!(Status::Green < Status::Yellow && Status::Yellow < Status::Red);
    assert_eq!(Status::Green.max(Status::Red), Status::Red);
    assert_eq!(
        [Status::Green, Status::Yellow, Status::Red].map(Status::emoji),
        ["🟢", "🟡", "🔴"]
    );
    assert_eq!(Status::Yellow.as_str(), "yellow");
}

// --- staleness ----------------------------------------------------------------------------

#[test]
fn a_key_result_without_check_ins_goes_stale_just_after_two_periods_from_creation() {
    let (k, rules, week) = (
        metric(0.0, 1.0, 0.0),
        ScoringRules::default(),
        Duration::days(7),
    );
    let fourteen_days = k.created_at + Duration::days(14);
    assert!(!is_stale(&k, fourteen_days, week, &rules));
    assert!(is_stale(
        &k,
        fourteen_days + Duration::seconds(1),
        week,
        &rules
    ));
}

#[test]
fn staleness_counts_from_the_last_check_in_and_in_the_teams_period() {
    let mut k = metric(0.0, 1.0, 0.0);
    k.last_check_in = Some(utc("2026-11-01T12:00:00Z"));
    let rules = ScoringRules::default();
    let now = utc("2026-11-03T12:00:01Z");
    assert!(!is_stale(&k, now, Duration::days(7), &rules));
    assert!(is_stale(&k, now, Duration::days(1), &rules));
}

#[test]
fn stale_is_a_flag_beside_the_colour_and_does_not_change_it() {
    let mut k = metric(0.0, 100.0, 100.0);
    k.created_at = utc("2026-09-01T00:00:00Z");
    let s = scored_on_day(&k, 5.0, &[]);
    assert!(s.stale);
    assert_eq!((s.status, s.expected, s.score), (Status::Green, 0.5, 1.0));
}

// --- forecast -----------------------------------------------------------------------------

/// Points on `value = 10 * day`, plus noise outside the cycle that must be ignored.
fn ten_per_day() -> [(DateTime<Utc>, f64); 5] {
    [
        (on_day(2.0), 20.0),
        (on_day(-5.0), 9_999.0),
        (on_day(0.0), 0.0),
        (on_day(1.0), 10.0),
        (on_day(10.0), -9_999.0), // the end instant is already outside
    ]
}

#[test]
fn a_forecast_through_points_on_a_line_projects_that_line_to_the_cycle_end() {
    let k = metric(0.0, 200.0, 20.0);
    let f = forecast(&k, &ten_days(), Tz::UTC, &ten_per_day()).unwrap();
    assert!((f.value - 100.0).abs() < 1e-9, "{}", f.value);
    assert!((f.progress - 0.5).abs() < 1e-12);
    assert_eq!(f.at, utc("2026-10-11T00:00:00Z"));
    assert_eq!(round_percent(f.progress), 50);
}

#[test]
fn a_forecast_fits_least_squares_through_scattered_points() {
    // (0, 0), (1, 10), (2, 5): slope 2.5/day, intercept 2.5 -> 27.5 on day 10.
    let points = [(on_day(0.0), 0.0), (on_day(1.0), 10.0), (on_day(2.0), 5.0)];
    let f = forecast(&metric(0.0, 50.0, 5.0), &ten_days(), Tz::UTC, &points).unwrap();
    assert!((f.value - 27.5).abs() < 1e-9, "{}", f.value);
    assert!((f.progress - 0.55).abs() < 1e-12);
}

#[test]
fn a_forecast_needs_two_check_ins_at_distinct_instants_inside_the_cycle() {
    let (k, c) = (metric(0.0, 100.0, 10.0), ten_days());
    assert_eq!(forecast(&k, &c, Tz::UTC, &[]), None);
    assert_eq!(forecast(&k, &c, Tz::UTC, &[(on_day(1.0), 10.0)]), None);
    let same_instant = [(on_day(1.0), 10.0), (on_day(1.0), 12.0)];
    assert_eq!(forecast(&k, &c, Tz::UTC, &same_instant), None);
    let one_inside = [(on_day(1.0), 10.0), (on_day(-1.0), 12.0)];
    assert_eq!(forecast(&k, &c, Tz::UTC, &one_inside), None);
}

#[test]
fn only_metric_key_results_get_a_forecast() {
    let points = ten_per_day();
    assert_eq!(
        forecast(&milestone(false), &ten_days(), Tz::UTC, &points),
        None
    );
    let t = threshold(Direction::AtLeast, 5.0, 20.0);
    assert_eq!(forecast(&t, &ten_days(), Tz::UTC, &points), None);
}

#[test]
fn a_forecast_below_70_percent_turns_a_green_key_result_yellow() {
    // On day 3 at 30 of 100: on pace (green), but the trend only reaches 100 * 0.6.
    let k = metric(0.0, 100.0, 30.0);
    let points = [(on_day(1.0), 24.0), (on_day(3.0), 30.0)];
    let s = scored_on_day(&k, 3.0, &points);
    assert!((s.forecast.unwrap().progress - 0.51).abs() < 1e-9);
    assert_eq!(s.status, Status::Yellow);
    assert_eq!(status_on_day(&k, 3.0), Status::Green);
}

#[test]
fn a_good_forecast_never_lifts_a_red_or_yellow_key_result() {
    let steep = [(on_day(4.0), 0.0), (on_day(5.0), 20.0)]; // 120 by the end
    assert_eq!(
        scored_on_day(&metric(0.0, 100.0, 20.0), 5.0, &steep).status,
        Status::Red
    );
    let k = confident(metric(0.0, 100.0, 20.0), 5);
    let steep = [(on_day(0.0), 0.0), (on_day(1.0), 20.0)];
    assert_eq!(scored_on_day(&k, 1.0, &steep).status, Status::Yellow);
}

#[test]
fn a_weak_trend_is_ignored_during_the_grace_period() {
    // Within the first tenth of the cycle the points cannot span enough for a forecast, so a
    // flat start neither shows a trend nor colours the key result.
    let flat = [(on_day(0.0), 5.0), (on_day(0.5), 5.0)];
    let s = scored_on_day(&metric(0.0, 100.0, 5.0), 0.5, &flat);
    assert_eq!(s.forecast, None);
    assert_eq!(s.status, Status::Green);
}

#[test]
fn two_check_ins_an_hour_apart_give_no_forecast() {
    let close = [
        (on_day(3.0), 10.0),
        (on_day(3.0) + Duration::hours(1), 30.0),
    ];
    let s = scored_on_day(&metric(0.0, 100.0, 30.0), 3.1, &close);
    assert_eq!(
        s.forecast, None,
        "an hour's slope says nothing about the cycle's end"
    );
}

#[test]
fn a_stale_key_result_shows_no_forecast() {
    // Checked in on days 0 and 3 of a quarter, then silent: on day 63 it is stale.
    let (c, rules) = (q4(), ScoringRules::default());
    let mut k = metric(0.0, 100.0, 30.0);
    k.last_check_in = Some(c_day(&c, 3.0));
    let points = [(c_day(&c, 0.0), 0.0), (c_day(&c, 10.0), 30.0)];
    let ctx = ScoreContext::new(&c, Tz::UTC, c_day(&c, 63.0), Duration::days(7), &rules);
    let s = score_kr(&k, &ctx, &points);
    assert!(s.stale);
    assert_eq!(s.forecast, None);
    let fresh = ScoreContext::new(&c, Tz::UTC, c_day(&c, 11.0), Duration::days(7), &rules);
    k.last_check_in = Some(c_day(&c, 10.0));
    assert!(
        score_kr(&k, &fresh, &points).forecast.is_some(),
        "ten days of data, fresh"
    );
}

fn c_day(c: &Cycle, d: f64) -> DateTime<Utc> {
    let start = CycleClock::new(c, Tz::UTC).start;
    start + Duration::seconds((d * 86_400.0) as i64)
}

// --- display rounding ---------------------------------------------------------------------

#[test]
fn percents_round_half_away_from_zero() {
    assert_eq!(round_percent(0.714), 71);
    assert_eq!(round_percent(0.715), 72);
    assert_eq!(round_percent(-0.125), -13);
    assert_eq!(round_percent(-0.714), -71);
    assert_eq!(round_percent(0.005), 1);
    assert_eq!(round_percent(f64::NAN), 0);
}

#[test]
fn scores_round_to_two_decimals_half_away_from_zero() {
    assert_eq!(round_score(2.0 / 3.0), 0.67);
    assert_eq!(round_score(0.125), 0.13);
    assert_eq!(round_score(-0.125), -0.13);
    assert_eq!(round_score(0.714), 0.71);
}

#[test]
fn a_progress_bar_fills_in_proportion_to_the_clamped_score() {
    assert_eq!(progress_bar(0.7, 10), "███████░░░");
    assert_eq!(progress_bar(0.0, 4), "░░░░");
    assert_eq!(progress_bar(1.3, 4), "████");
    assert_eq!(progress_bar(-0.2, 4), "░░░░");
    assert_eq!(progress_bar(0.25, 2), "█░"); // half a cell rounds away from zero
    assert_eq!(progress_bar(f64::NAN, 3), "░░░");
    assert_eq!(progress_bar(0.5, 0), "");
}

// --- rules config -------------------------------------------------------------------------

#[test]
fn a_workspace_may_override_some_rules_and_keeps_the_defaults_for_the_rest() {
    let entries = vec![("red_margin", 0.3), ("grace_fraction", 0.2)];
    let de = MapDeserializer::<_, DeError>::new(entries.into_iter());
    let rules = ScoringRules::deserialize(de).unwrap();
    let expected = ScoringRules {
        red_margin: 0.3,
        grace_fraction: 0.2,
        ..ScoringRules::default()
    };
    assert_eq!(rules, expected);
    assert_eq!(rules.validate(), Ok(()));
}

#[test]
fn an_unknown_rule_name_is_refused_rather_than_silently_ignored() {
    let de = MapDeserializer::<_, DeError>::new(vec![("red_marign", 0.3)].into_iter());
    assert!(ScoringRules::deserialize(de).is_err());
}

#[test]
fn rules_that_contradict_themselves_are_refused_with_a_reason() {
    let base = ScoringRules::default();
    let refusal = |rules: ScoringRules| rules.validate().unwrap_err().to_string();
    let crossed = ScoringRules {
        green_margin: 0.3,
        ..base
    };
    assert_eq!(
        refusal(crossed),
        "scoring.green_margin must not be larger than red_margin"
    );
    let confidences = ScoringRules {
        red_max_confidence: 7,
        ..base
    };
    assert_eq!(
        refusal(confidences),
        "scoring.green_min_confidence must be above red_max_confidence, at most 10"
    );
    let nan = ScoringRules {
        grace_fraction: f64::NAN,
        ..base
    };
    assert_eq!(
        refusal(nan),
        "scoring.grace_fraction must be a number from 0 to 1"
    );
    let never = ScoringRules {
        stale_periods: 0,
        ..base
    };
    assert_eq!(refusal(never), "scoring.stale_periods must be at least 1");
}

#[test]
fn a_threshold_without_a_reading_is_yellow_not_green() {
    let fresh = KeyResult {
        last_check_in: None,
        ..threshold(Direction::AtLeast, 95.0, 95.0)
    };
    for day in [0.5, 5.0, 9.0] {
        assert_eq!(status_on_day(&fresh, day), Status::Yellow, "day {day}");
    }
}

// --- pace that fits the goal --------------------------------------------------------------

/// Q4 in UTC; a key result added on day 40 (2026-11-10, at 15:00) with nothing done yet.
fn added_on_day_40() -> KeyResult {
    KeyResult {
        created_at: utc("2026-11-10T15:00:00Z"),
        ..metric(0.0, 100.0, 0.0)
    }
}

fn scored_in_q4(kr: &KeyResult, now: &str, kind: ObjectiveKind) -> KrScore {
    scored_in(kr, &q4(), now, kind, &[])
}

fn scored_in(
    kr: &KeyResult,
    c: &Cycle,
    now: &str,
    kind: ObjectiveKind,
    points: &[(DateTime<Utc>, f64)],
) -> KrScore {
    let rules = ScoringRules::default();
    let ctx = ScoreContext::new(c, Tz::UTC, utc(now), Duration::days(7), &rules).aiming(kind);
    score_kr(kr, &ctx, points)
}

#[test]
fn a_key_result_added_mid_cycle_is_paced_from_the_day_it_was_added() {
    let kr = added_on_day_40();
    // A day later it is in its grace period, not 44% behind.
    let s = scored_in_q4(&kr, "2026-11-11T12:00:00Z", ObjectiveKind::Committed);
    assert_eq!(s.status, Status::Green);
    assert!(s.elapsed < 0.05, "elapsed {}", s.elapsed);
    // From 00:00 on Nov 10 to the end (52 days), Dec 5 is 25 days in: 48% expected.
    let s = scored_in_q4(&kr, "2026-12-05T00:00:00Z", ObjectiveKind::Committed);
    assert!((s.expected - 25.0 / 52.0).abs() < 1e-9, "{}", s.expected);
    // The same key result added before the cycle counts from the cycle's first day.
    let early = KeyResult {
        created_at: utc("2026-09-20T10:00:00Z"),
        ..kr.clone()
    };
    let s = scored_in_q4(&early, "2026-11-11T12:00:00Z", ObjectiveKind::Committed);
    assert!(
        (s.expected - expected_progress(&q4(), Tz::UTC, utc("2026-11-11T12:00:00Z"))).abs() < 1e-12
    );
    assert_eq!(s.status, Status::Red);
}

#[test]
fn a_key_result_is_paced_from_midnight_in_its_teams_zone() {
    // Added at 23:30 UTC on Nov 9, which is already Nov 10 in Berlin.
    let kr = KeyResult {
        created_at: utc("2026-11-09T23:30:00Z"),
        ..metric(0.0, 100.0, 0.0)
    };
    let clock = CycleClock::new(&q4(), chrono_tz::Europe::Berlin);
    assert_eq!(
        clock.pace_start(&kr, chrono_tz::Europe::Berlin),
        utc("2026-11-09T23:00:00Z")
    );
    assert_eq!(clock.pace_start(&kr, Tz::UTC), utc("2026-11-09T00:00:00Z"));
}

#[test]
fn an_aspirational_key_result_is_paced_toward_its_sweet_spot() {
    // 0.65 in the last days of the quarter: short of a commitment, in a stretch's sweet spot.
    let kr = metric(0.0, 100.0, 65.0);
    let late = "2026-12-28T00:00:00Z";
    assert_eq!(
        scored_in_q4(&kr, late, ObjectiveKind::Committed).status,
        Status::Red
    );
    let s = scored_in_q4(&kr, late, ObjectiveKind::Aspirational);
    assert_eq!(s.status, Status::Green);
    assert!((s.expected - 0.7 * s.elapsed).abs() < 1e-12);
    // Halfway (0.495 of Q4 elapsed), 20% is on pace for neither: red committed (below
    // 0.495 - 0.25), yellow as a stretch (0.346 - 0.25 <= 0.20 < 0.346 - 0.10).
    let kr = metric(0.0, 100.0, 20.0);
    let half = "2026-11-15T12:00:00Z";
    assert_eq!(
        scored_in_q4(&kr, half, ObjectiveKind::Committed).status,
        Status::Red
    );
    assert_eq!(
        scored_in_q4(&kr, half, ObjectiveKind::Aspirational).status,
        Status::Yellow
    );
}

#[test]
fn the_aspirational_pace_is_configurable_within_reason() {
    let rules = ScoringRules {
        aspirational_pace: 0.6,
        ..ScoringRules::default()
    };
    assert_eq!(rules.validate(), Ok(()));
    let c = q4();
    let ctx = ScoreContext::new(
        &c,
        Tz::UTC,
        utc("2026-12-31T12:00:00Z"),
        Duration::days(7),
        &rules,
    )
    .aiming(ObjectiveKind::Aspirational);
    let s = score_kr(&metric(0.0, 100.0, 55.0), &ctx, &[]);
    assert_eq!(s.status, Status::Green, "0.55 >= 0.6 - 0.10");
    for bad in [0.0, -0.1, 1.5, f64::NAN] {
        let rules = ScoringRules {
            aspirational_pace: bad,
            ..ScoringRules::default()
        };
        assert_eq!(
            rules.validate().map_err(|e| e.field),
            Err("aspirational_pace"),
            "{bad}"
        );
    }
}

#[test]
fn a_closed_or_ended_cycle_is_judged_on_where_it_ended_not_on_confidence() {
    let kr = confident(metric(0.0, 100.0, 95.0), 2);
    let mut closed = q4();
    closed.closed = true;
    // Closed early, on Dec 1: judged as at the end, so 0.95 is green whatever October's
    // confidence said.
    let s = scored_in(
        &kr,
        &closed,
        "2026-12-01T00:00:00Z",
        ObjectiveKind::Committed,
        &[],
    );
    assert_eq!((s.elapsed, s.status), (1.0, Status::Green));
    let s = scored_in(
        &kr,
        &q4(),
        "2027-01-04T00:00:00Z",
        ObjectiveKind::Committed,
        &[],
    );
    assert_eq!(s.status, Status::Green);
    // 0.65 at the end: red committed, green (sweet spot) aspirational, as the close says.
    let kr = metric(0.0, 100.0, 65.0);
    for (kind, status) in [
        (ObjectiveKind::Committed, Status::Red),
        (ObjectiveKind::Aspirational, Status::Green),
    ] {
        assert_eq!(
            scored_in(&kr, &closed, "2027-01-04T00:00:00Z", kind, &[]).status,
            status
        );
    }
}

#[test]
fn no_forecast_once_the_target_is_met_the_cycle_has_ended_or_the_span_is_a_sliver() {
    let c = q4();
    let climbing: Vec<(DateTime<Utc>, f64)> = (0..8)
        .map(|w| {
            (
                utc("2026-10-05T10:00:00Z") + Duration::weeks(w),
                30.0 + 3.0 * w as f64,
            )
        })
        .collect();
    let last = climbing.last().unwrap().0;
    let at = |t: DateTime<Utc>| t.to_rfc3339();
    let live = KeyResult {
        last_check_in: Some(last),
        ..metric(20.0, 100.0, 51.0)
    };
    let s = scored_in(
        &live,
        &c,
        &at(last + Duration::days(1)),
        ObjectiveKind::Committed,
        &climbing,
    );
    assert!(
        s.forecast.is_some(),
        "the control: a forecast while it means something"
    );
    // The target met: nothing left to forecast.
    let met = KeyResult {
        target: 50.0,
        ..live.clone()
    };
    let s = scored_in(
        &met,
        &c,
        &at(last + Duration::days(1)),
        ObjectiveKind::Committed,
        &climbing,
    );
    assert_eq!(s.forecast, None);
    // The cycle over: no "106% by Dec 31" on Jan 4.
    let s = scored_in(
        &live,
        &c,
        "2027-01-04T00:00:00Z",
        ObjectiveKind::Committed,
        &climbing,
    );
    assert_eq!(s.forecast, None);
    // A sliver: 6.8% -> 7%, where a reading's noise is most of the span.
    let sliver = KeyResult {
        last_check_in: Some(last),
        ..metric(6.8, 7.0, 6.9)
    };
    assert!(is_sliver(&sliver));
    let noisy: Vec<(DateTime<Utc>, f64)> = (0..8)
        .map(|w| {
            (
                utc("2026-10-05T10:00:00Z") + Duration::weeks(w),
                6.8 + 0.05 * w as f64,
            )
        })
        .collect();
    let s = scored_in(
        &sliver,
        &c,
        &at(last + Duration::days(1)),
        ObjectiveKind::Committed,
        &noisy,
    );
    assert_eq!(s.forecast, None);
    assert!(
        !is_sliver(&metric(14.0, 7.0, 9.0)),
        "14 -> 7 days is no sliver"
    );
    assert!(!is_sliver(&metric(0.0, 5.0, 1.0)), "from zero is no sliver");
}

#[test]
fn a_from_day_sets_where_the_pace_starts_inside_the_cycle() {
    let clock = CycleClock::new(&q4(), Tz::UTC);
    let from = |d: &str| KeyResult {
        paced_from: Some(date(d)),
        ..added_on_day_40()
    };
    assert_eq!(
        clock.pace_start(&from("2026-10-01"), Tz::UTC),
        utc("2026-10-01T00:00:00Z")
    );
    assert_eq!(
        clock.pace_start(&from("2026-11-20"), Tz::UTC),
        utc("2026-11-20T00:00:00Z")
    );
    // A stored day outside the cycle (the cycle's dates moved) is held to its bounds.
    assert_eq!(clock.pace_start(&from("2026-08-01"), Tz::UTC), clock.start);
    assert_eq!(clock.pace_start(&from("2027-03-01"), Tz::UTC), clock.end);
}

#[test]
fn a_value_more_than_ten_spans_out_is_implausible_and_asks_to_be_confirmed() {
    let kr = metric(30.0, 50.0, 30.0);
    // `1 200` for 12: 57.5 spans past the target.
    assert!(implausible(&kr, 1200.0));
    for fine in [12.0, 51.0, 250.0, -170.0, 0.0] {
        assert!(!implausible(&kr, fine), "{fine}");
    }
    assert!(implausible(&kr, 250.5));
    assert!(implausible(&kr, -170.5));
    // Decreasing: 14 -> 7 days.
    let days = metric(14.0, 7.0, 14.0);
    assert!(implausible(&days, 1200.0));
    assert!(!implausible(&days, 9.0));
    // A sliver counts 5% of its size as its span: 6.8% -> 7% allows up to 10.5%.
    let sliver = metric(6.8, 7.0, 6.8);
    assert!(!implausible(&sliver, 10.4));
    assert!(implausible(&sliver, 11.0));
    // Thresholds and milestones never ask.
    assert!(!implausible(
        &threshold(Direction::AtLeast, 95.0, 96.0),
        1e12
    ));
    assert!(!implausible(&milestone(false), 1.0));
}

#[test]
fn a_final_objective_score_is_coloured_against_its_ambition_as_the_close_grades_it() {
    let rules = ScoringRules::default();
    // The sweet spot is green for a stretch, a miss for a commitment.
    assert_eq!(
        final_status(ObjectiveKind::Aspirational, 0.65, &rules),
        Status::Green
    );
    assert_eq!(
        final_status(ObjectiveKind::Committed, 0.65, &rules),
        Status::Red
    );
    // "Achieved, but a committed objective is expected to reach 1.0."
    assert_eq!(
        final_status(ObjectiveKind::Committed, 0.80, &rules),
        Status::Yellow
    );
    assert_eq!(
        final_status(ObjectiveKind::Committed, 0.90, &rules),
        Status::Green
    );
    assert_eq!(
        final_status(ObjectiveKind::Aspirational, 0.45, &rules),
        Status::Yellow
    );
    assert_eq!(
        final_status(ObjectiveKind::Aspirational, 0.44, &rules),
        Status::Red
    );
}

#[test]
fn a_slivers_percent_stays_between_0_and_100_while_its_colour_sees_the_true_figure() {
    let c = q4();
    let at = |current: f64, now: &str| {
        scored_in(
            &metric(6.8, 7.0, current),
            &c,
            now,
            ObjectiveKind::Committed,
            &[],
        )
    };
    // 7.2% on 6.8% -> 7% is 200% of the span: shown as the target met, not "200%".
    let past = at(7.2, "2026-11-15T00:00:00Z");
    assert_eq!(round_percent(past.progress), 100);
    assert_eq!(past.status, Status::Green);
    // 6.0% is 4 spans behind the start: 0%, and still news in the grace period.
    let behind = at(6.0, "2026-10-03T00:00:00Z");
    assert_eq!(round_percent(behind.progress), 0);
    assert_eq!(behind.status, Status::Yellow);
    // Inside the span a sliver reads as any key result does.
    assert_eq!(round_percent(at(6.9, "2026-11-15T00:00:00Z").progress), 50);
    // The control: a wide key result keeps its overshoot (30 -> 50 at 60 is 150%).
    assert_eq!(
        round_percent(
            scored_in(
                &metric(30.0, 50.0, 60.0),
                &c,
                "2026-11-15T00:00:00Z",
                ObjectiveKind::Committed,
                &[]
            )
            .progress
        ),
        150
    );
    // Its objective averages the percent shown, not the noise.
    let kr = at(7.2, "2026-11-15T00:00:00Z");
    let other = scored_in(
        &metric(0.0, 10.0, 5.0),
        &c,
        "2026-11-15T00:00:00Z",
        ObjectiveKind::Committed,
        &[],
    );
    let o = objective_score(&[(1.0, &kr), (1.0, &other)]).expect("scored");
    assert_eq!(round_percent(o.progress), 75);
}
