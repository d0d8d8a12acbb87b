use super::super::model::{CycleId, KrId, ObjectiveId, Unit};
use super::*;
use chrono::NaiveDate;
use serde::de::{value::Error as DeError, value::MapDeserializer};
use std::collections::HashMap;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("a valid RFC 3339 instant")
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a valid date")
}

fn cycle(start: &str, end: &str) -> Cycle {
    Cycle {
        id: CycleId(1),
        name: "test".into(),
        start: date(start),
        end: date(end),
        closed: false,
    }
}

/// Ten days in UTC, 2026-10-01 00:00Z to 2026-10-11 00:00Z: day `d` is expected `d / 10`.
fn ten_days() -> Cycle {
    cycle("2026-10-01", "2026-10-10")
}

fn q4() -> Cycle {
    cycle("2026-10-01", "2026-12-31")
}

fn on_day(d: f64) -> DateTime<Utc> {
    utc("2026-10-01T00:00:00Z") + Duration::milliseconds((d * 86_400_000.0) as i64)
}

fn kr(kind: KrKind, start: f64, target: f64, current: f64) -> KeyResult {
    KeyResult {
        id: KrId(1),
        objective_id: ObjectiveId(1),
        number: 1,
        code: "ENG-1.1".into(),
        title: "a key result".into(),
        owner: None,
        kind,
        unit: Unit::Count,
        start,
        target,
        current,
        direction: None,
        confidence: None,
        weight: 1.0,
        created_at: utc("2026-10-01T00:00:00Z"),
        paced_from: None,
        last_check_in: None,
        follows: None,
        carried_by: None,
    }
}

fn metric(start: f64, target: f64, current: f64) -> KeyResult {
    kr(KrKind::Metric, start, target, current)
}

/// A threshold key result with a reading of `current` (checked in on the cycle's first day).
fn threshold(direction: Direction, target: f64, current: f64) -> KeyResult {
    KeyResult {
        direction: Some(direction),
        last_check_in: Some(utc("2026-10-01T12:00:00Z")),
        ..kr(KrKind::Threshold, target, target, current)
    }
}

fn milestone(done: bool) -> KeyResult {
    kr(KrKind::Milestone, 0.0, 1.0, if done { 1.0 } else { 0.0 })
}

fn confident(mut kr: KeyResult, c: i64) -> KeyResult {
    kr.confidence = Some(Confidence::new(c).expect("1-10"));
    kr
}

fn scored_on_day(kr: &KeyResult, day: f64, points: &[(DateTime<Utc>, f64)]) -> KrScore {
    let (c, rules) = (ten_days(), ScoringRules::default());
    let ctx = ScoreContext::new(&c, Tz::UTC, on_day(day), Duration::days(7), &rules);
    score_kr(kr, &ctx, points)
}

fn status_on_day(kr: &KeyResult, day: f64) -> Status {
    scored_on_day(kr, day, &[]).status
}

fn with(score: f64, progress: f64, status: Status) -> KrScore {
    KrScore {
        elapsed: 0.5,
        progress,
        score,
        status,
        stale: false,
        forecast: None,
        expected: 0.5,
        gap: None,
    }
}

// --- progress and score -------------------------------------------------------------------

#[test]
fn reducing_onboarding_from_14_to_7_days_at_9_days_is_71_percent_and_scores_0_71() {
    let k = metric(14.0, 7.0, 9.0);
    assert_eq!(progress(&k), 5.0 / 7.0);
    assert_eq!(round_percent(progress(&k)), 71);
    assert_eq!(round_score(score(&k)), 0.71);
}

#[test]
fn overachieving_shows_more_than_100_percent_but_scores_1() {
    let k = metric(0.0, 200.0, 260.0);
    assert_eq!(round_percent(progress(&k)), 130);
    assert_eq!(score(&k), 1.0);
}

#[test]
fn falling_below_the_start_shows_a_negative_percent_and_scores_0() {
    let k = metric(50.0, 100.0, 40.0);
    assert_eq!(round_percent(progress(&k)), -20);
    assert_eq!(score(&k), 0.0);
}

#[test]
fn a_metric_with_start_equal_to_target_gives_progress_0_not_nan() {
    assert_eq!(progress(&metric(5.0, 5.0, 5.0)), 0.0);
    assert_eq!(progress(&metric(5.0, 5.0, 9.0)), 0.0);
}

#[test]
fn a_threshold_held_scores_1_shows_100_percent_and_has_no_gap() {
    for k in [
        threshold(Direction::AtLeast, 95.0, 97.0),
        threshold(Direction::AtLeast, 95.0, 95.0),
        threshold(Direction::AtMost, 200.0, 200.0),
    ] {
        assert_eq!((score(&k), round_percent(progress(&k))), (1.0, 100));
        assert_eq!(threshold_gap(&k), None);
    }
}

#[test]
fn a_broken_threshold_scores_0_and_reports_the_gap_as_a_positive_number() {
    let at_least = threshold(Direction::AtLeast, 95.0, 93.5);
    assert_eq!(
        (score(&at_least), round_percent(progress(&at_least))),
        (0.0, 0)
    );
    assert_eq!(threshold_gap(&at_least), Some(1.5));
    let at_most = threshold(Direction::AtMost, 200.0, 250.0);
    assert_eq!(threshold_gap(&at_most), Some(50.0));
    assert_eq!(scored_on_day(&at_most, 5.0, &[]).gap, Some(50.0));
}

#[test]
fn threshold_gap_is_none_for_other_kinds() {
    assert_eq!(threshold_gap(&metric(0.0, 10.0, -5.0)), None);
    assert_eq!(threshold_gap(&milestone(false)), None);
}

#[test]
fn a_threshold_without_a_reading_is_awaiting_data_neither_met_nor_broken() {
    let fresh = KeyResult {
        last_check_in: None,
        ..threshold(Direction::AtLeast, 95.0, 95.0)
    };
    assert!(awaiting_data(&fresh));
    assert_eq!((score(&fresh), progress(&fresh)), (0.0, 0.0));
    assert_eq!(threshold_gap(&fresh), None);
    assert!(!awaiting_data(&threshold(Direction::AtLeast, 95.0, 95.0)));
    assert!(!awaiting_data(&metric(0.0, 10.0, 0.0)));
}

#[test]
fn a_milestone_scores_1_when_done_and_0_before() {
    assert_eq!(score(&milestone(true)), 1.0);
    assert_eq!(score(&milestone(false)), 0.0);
}

// --- objectives ---------------------------------------------------------------------------

#[test]
fn an_objective_with_equal_weights_0_7_0_8_0_5_scores_0_67() {
    let (a, b, c) = (
        with(0.7, 0.7, Status::Green),
        with(0.8, 0.8, Status::Green),
        with(0.5, 0.5, Status::Yellow),
    );
    let o = objective_score(&[(1.0, &a), (1.0, &b), (1.0, &c)]).unwrap();
    assert_eq!(round_score(o.score), 0.67);
    assert_eq!(round_percent(o.progress), 67);
    assert_eq!(o.status, Status::Yellow);
}

#[test]
fn weights_pull_the_objective_mean_and_percent_uses_unclamped_progress() {
    let (a, b) = (with(1.0, 1.3, Status::Green), with(0.4, 0.4, Status::Red));
    let o = objective_score(&[(2.0, &a), (1.0, &b)]).unwrap();
    assert_eq!(round_score(o.score), 0.8);
    assert_eq!(round_percent(o.progress), 100);
    assert_eq!(o.status, Status::Red);
}

#[test]
fn a_weight_0_key_result_counts_nothing_and_never_turns_the_objective_red() {
    let (a, b) = (with(0.9, 0.9, Status::Green), with(0.0, -0.5, Status::Red));
    let o = objective_score(&[(1.0, &a), (0.0, &b)]).unwrap();
    assert_eq!((o.score, o.progress, o.status), (0.9, 0.9, Status::Green));
}

#[test]
fn negative_or_non_finite_weights_count_like_weight_0() {
    let (a, b) = (with(0.9, 0.9, Status::Green), with(0.0, 0.0, Status::Red));
    let o = objective_score(&[(1.0, &a), (-3.0, &b), (f64::NAN, &b)]).unwrap();
    assert_eq!((o.score, o.status), (0.9, Status::Green));
}

#[test]
fn when_every_weight_is_0_nothing_counts_and_the_objective_has_no_score() {
    // Weight 0 says "track it, do not count it"; all at 0 must not turn into "all count".
    let (a, b) = (with(0.9, 0.9, Status::Green), with(0.3, 0.3, Status::Red));
    assert_eq!(objective_score(&[(0.0, &a), (0.0, &b)]), None);
}

#[test]
fn an_objective_without_key_results_has_no_score() {
    assert_eq!(objective_score(&[]), None);
}

// --- alignment ----------------------------------------------------------------------------

fn objective(id: i64, parent: Option<i64>) -> Objective {
    Objective {
        id: ObjectiveId(id),
        team_id: crate::domain::model::TeamId(1),
        cycle_id: CycleId(1),
        number: id,
        code: format!("CO-{id}"),
        title: format!("objective {id}"),
        owner: None,
        parent: parent.map(ObjectiveId),
        kind: ObjectiveKind::Committed,
        state: ObjectiveState::Active,
        created_at: utc("2026-10-01T00:00:00Z"),
    }
}

fn own(score: f64, status: Status, weight: f64) -> Option<ObjectiveScore> {
    Some(ObjectiveScore {
        score,
        progress: score,
        status,
        weight,
        aligned: 0,
    })
}

#[test]
fn three_green_children_lift_a_red_parent_to_yellow_and_into_its_score() {
    let parent = objective(1, None);
    let kids: Vec<Objective> = (2..=4).map(|i| objective(i, Some(1))).collect();
    let mut scores = HashMap::new();
    scores.insert(ObjectiveId(1), own(0.1, Status::Red, 1.0));
    for k in &kids {
        scores.insert(k.id, own(0.9, Status::Green, 2.0));
    }
    let all: Vec<&Objective> = std::iter::once(&parent).chain(&kids).collect();
    let rolled = roll_up(&all, &scores, 1.0);
    let p = rolled[&ObjectiveId(1)].unwrap();
    // (0.1 + 3 * 0.9) / 4: each child counts like one key result of weight 1.
    assert_eq!(round_score(p.score), 0.7);
    assert_eq!((p.status, p.aligned, p.weight), (Status::Yellow, 3, 4.0));
    assert_eq!(rolled[&ObjectiveId(2)], own(0.9, Status::Green, 2.0));
}

#[test]
fn a_parent_without_key_results_takes_its_childrens_mean_and_grandchildren_count_too() {
    let all = [
        objective(1, None),
        objective(2, Some(1)),
        objective(3, Some(1)),
        objective(4, Some(3)),
    ];
    let mut scores = HashMap::new();
    scores.insert(ObjectiveId(1), None);
    scores.insert(ObjectiveId(2), own(0.8, Status::Green, 1.0));
    scores.insert(ObjectiveId(3), None);
    scores.insert(ObjectiveId(4), own(0.4, Status::Red, 1.0));
    let refs: Vec<&Objective> = all.iter().collect();
    let rolled = roll_up(&refs, &scores, 1.0);
    assert_eq!(
        rolled[&ObjectiveId(3)].map(|s| (s.score, s.status)),
        Some((0.4, Status::Red))
    );
    let top = rolled[&ObjectiveId(1)].unwrap();
    assert_eq!(round_score(top.score), 0.6);
    // Ranks 0 and 2 average 1: yellow.
    assert_eq!((top.status, top.aligned), (Status::Yellow, 2));
}

#[test]
fn child_weight_0_turns_the_roll_up_off_and_other_cycles_or_archived_children_never_count() {
    let parent = objective(1, None);
    let mut other_cycle = objective(2, Some(1));
    other_cycle.cycle_id = CycleId(2);
    let mut archived = objective(3, Some(1));
    archived.state = ObjectiveState::Archived;
    let live = objective(4, Some(1));
    let mut scores = HashMap::new();
    scores.insert(ObjectiveId(1), own(0.2, Status::Red, 1.0));
    for id in 2..=4 {
        scores.insert(ObjectiveId(id), own(1.0, Status::Green, 1.0));
    }
    let all = [&parent, &other_cycle, &archived, &live];
    assert_eq!(
        roll_up(&all, &scores, 0.0)[&ObjectiveId(1)],
        own(0.2, Status::Red, 1.0)
    );
    let p = roll_up(&all, &scores, 3.0)[&ObjectiveId(1)].unwrap();
    // Only `live` counts, with weight 3: (0.2 + 3 * 1.0) / 4.
    assert_eq!((p.score, p.aligned), (0.8, 1));
}

#[test]
fn a_stored_alignment_loop_ends_instead_of_recursing() {
    let all = [objective(1, Some(2)), objective(2, Some(1))];
    let mut scores = HashMap::new();
    scores.insert(ObjectiveId(1), own(0.5, Status::Yellow, 1.0));
    scores.insert(ObjectiveId(2), own(0.5, Status::Yellow, 1.0));
    let refs: Vec<&Objective> = all.iter().collect();
    let rolled = roll_up(&refs, &scores, 1.0);
    assert_eq!(rolled.len(), 2);
}

// --- grades -------------------------------------------------------------------------------

#[test]
fn grade_bands_put_0_3_in_progress_and_0_7_in_achieved() {
    assert_eq!(grade(0.0), Grade::Failed);
    assert_eq!(grade(0.29), Grade::Failed);
    assert_eq!(grade(0.3), Grade::ProgressButShort);
    assert_eq!(grade(0.69), Grade::ProgressButShort);
    assert_eq!(grade(0.7), Grade::Achieved);
    assert_eq!(grade(1.0), Grade::Achieved);
    assert_eq!(Grade::ProgressButShort.label(), "progress but short");
}

#[test]
fn grade_follows_the_shown_two_decimal_score_not_float_noise() {
    // 0.1 + 0.6 is 0.7 on screen; the band must agree with what people read.
    assert_eq!(grade(0.1 + 0.6), Grade::Achieved);
    assert_eq!(grade(0.299_999_999), Grade::ProgressButShort);
}

#[test]
fn grade_verdicts_tell_committed_from_aspirational() {
    use ObjectiveKind::{Aspirational, Committed};
    assert_eq!(
        grade_verdict(Committed, 1.0),
        "Committed and delivered in full."
    );
    assert!(grade_verdict(Committed, 0.8).contains("expected to reach 1.0"));
    assert!(grade_verdict(Committed, 0.5).starts_with("Committed but short"));
    assert!(grade_verdict(Committed, 0.1).starts_with("Committed and missed"));
    assert!(grade_verdict(Aspirational, 0.6).starts_with("In the 0.6-0.7 sweet spot"));
    assert!(grade_verdict(Aspirational, 0.69).starts_with("In the 0.6-0.7 sweet spot"));
    assert!(grade_verdict(Aspirational, 0.7).contains("above the 0.6-0.7 sweet spot"));
    assert!(grade_verdict(Aspirational, 0.59).contains("short of the 0.6-0.7 sweet spot"));
    assert!(grade_verdict(Aspirational, 1.0).contains("set too low"));
    assert!(grade_verdict(Aspirational, 0.2).starts_with("Failed"));
}

// --- expected progress and cycle bounds ---------------------------------------------------

#[test]
fn expected_progress_is_0_at_and_before_the_start_and_1_at_and_after_the_end() {
    let c = ten_days();
    assert_eq!(expected_progress(&c, Tz::UTC, on_day(-3.0)), 0.0);
    assert_eq!(expected_progress(&c, Tz::UTC, on_day(0.0)), 0.0);
    assert_eq!(expected_progress(&c, Tz::UTC, on_day(5.0)), 0.5);
    assert_eq!(expected_progress(&c, Tz::UTC, on_day(10.0)), 1.0);
    assert_eq!(expected_progress(&c, Tz::UTC, on_day(40.0)), 1.0);
}

#[test]
fn the_end_date_is_inclusive_so_the_cycle_ends_at_the_next_local_midnight() {
    let (start, end) = cycle_bounds(&ten_days(), Tz::UTC);
    assert_eq!(start, utc("2026-10-01T00:00:00Z"));
    assert_eq!(end, utc("2026-10-11T00:00:00Z"));
}

#[test]
fn a_berlin_q4_spans_2209_hours_because_the_clocks_fall_back_in_october() {
    let c = q4();
    let tz = chrono_tz::Europe::Berlin;
    let (start, end) = cycle_bounds(&c, tz);
    assert_eq!(start, utc("2026-09-30T22:00:00Z")); // 00:00 CEST
    assert_eq!(end, utc("2026-12-31T23:00:00Z")); // 00:00 CET
    assert_eq!((end - start).num_hours(), 92 * 24 + 1);
    // 00:00 CET on Nov 16: 46 local days plus the repeated hour have passed.
    let now = utc("2026-11-15T23:00:00Z");
    assert_eq!(expected_progress(&c, tz, now), 1105.0 / 2209.0);
}

#[test]
fn kathmandu_bounds_sit_at_a_quarter_hour_offset() {
    let c = q4();
    let tz = chrono_tz::Asia::Kathmandu;
    let (start, end) = cycle_bounds(&c, tz);
    assert_eq!(start, utc("2026-09-30T18:15:00Z"));
    assert_eq!(end, utc("2026-12-31T18:15:00Z"));
    assert_eq!(expected_progress(&c, tz, start + Duration::days(46)), 0.5);
    assert_eq!(expected_progress(&c, tz, utc("2026-09-30T18:14:59Z")), 0.0);
}

#[test]
fn a_cycle_starting_on_a_skipped_midnight_starts_when_the_gap_ends() {
    // Santiago springs forward at 00:00 -04 on 2026-09-06: local 00:00-00:59 never happens.
    let c = cycle("2026-09-06", "2026-12-05");
    let (start, _) = cycle_bounds(&c, chrono_tz::America::Santiago);
    assert_eq!(start, utc("2026-09-06T04:00:00Z"));
    // Beirut does the same on the last Sunday of March, from +02 to +03.
    let c = cycle("2026-03-29", "2026-06-27");
    let (start, end) = cycle_bounds(&c, chrono_tz::Asia::Beirut);
    assert_eq!(start, utc("2026-03-28T22:00:00Z"));
    assert_eq!(end, utc("2026-06-27T21:00:00Z"));
}

#[test]
fn a_cycle_ending_before_a_skipped_midnight_ends_when_the_gap_ends() {
    let c = cycle("2026-06-07", "2026-09-05");
    let (_, end) = cycle_bounds(&c, chrono_tz::America::Santiago);
    assert_eq!(end, utc("2026-09-06T04:00:00Z"));
}

#[test]
fn a_repeated_midnight_resolves_to_the_earlier_instant() {
    // Havana falls back from 01:00 CDT to 00:00 CST on 2026-11-01: midnight happens twice.
    let c = cycle("2026-11-01", "2027-01-31");
    let (start, _) = cycle_bounds(&c, chrono_tz::America::Havana);
    assert_eq!(start, utc("2026-11-01T04:00:00Z"));
}

#[test]
fn the_day_samoa_skipped_still_resolves_without_panicking() {
    // Pacific/Apia jumped from 2011-12-29 24:00 -10 to 2011-12-31 00:00 +14.
    let c = cycle("2011-12-30", "2012-03-31");
    let (start, _) = cycle_bounds(&c, chrono_tz::Pacific::Apia);
    assert_eq!(start, utc("2011-12-30T10:00:00Z"));
}

// Status, staleness and forecasts: the rules of pace and confidence.
#[path = "scoring_status_tests.rs"]
mod status;
