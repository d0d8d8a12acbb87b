//! Scoring (`docs/scoring.md`): progress, score, pace, status, staleness, forecast, grades.
//!
//! Contract:
//! - Pure functions of their arguments: no wall clock. `now`, the team's zone and check-in
//!   period are passed in, so a test runs a whole quarter in microseconds.
//! - Stored values stay exact `f64`; only [`round_percent`], [`round_score`] and
//!   [`progress_bar`] round, for display, half away from zero.
//! - Nothing returned is NaN or infinite (`start == target`, refused at creation anyway, gives
//!   progress 0 rather than poisoning a mean), and nothing panics, whatever a zone does at
//!   midnight.
//! - Hot path: [`ScoreContext::new`] resolves the cycle's bounds in the zone once into a
//!   [`CycleClock`]; [`score_kr`] then does no allocation and no zone arithmetic, only one
//!   pass over the KR's check-in points for the forecast's [`Trend`] ([`score_kr_with`] takes
//!   the trend itself, kept by the store, and does not look at the points at all).

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use std::collections::{HashMap, HashSet};

pub use super::trend::Trend;

use super::model::{
    Confidence, Cycle, Direction, KeyResult, KrKind, Objective, ObjectiveId, ObjectiveKind,
    ObjectiveState,
};

/// Tolerance for the pace and grace comparisons. `expected` comes from instants and `p` from
/// user values, so a KR sitting exactly on a line (spec: "exactly expected - 0.10 is green")
/// can miss it by one ulp; a billionth is far below anything displayed.
const EPS: f64 = 1e-9;

/// A key result's colour. Ordered from best to worst so that `max` picks the worse of two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Green,
    Yellow,
    Red,
}

impl Status {
    pub fn emoji(self) -> &'static str {
        match self {
            Status::Green => "🟢",
            Status::Yellow => "🟡",
            Status::Red => "🔴",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Yellow => "yellow",
            Status::Red => "red",
        }
    }
}

/// The thresholds behind the status colours. The defaults are those of `docs/scoring.md`; a workspace's
/// config may override any subset of them (missing fields keep their default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringRules {
    /// Green needs `p >= expected - green_margin`.
    pub green_margin: f64,
    /// Red when `p < expected - red_margin`.
    pub red_margin: f64,
    /// Green needs a confidence of at least this (or none given).
    pub green_min_confidence: u8,
    /// A confidence at or below this is red whatever the pace.
    pub red_max_confidence: u8,
    /// Fraction of the cycle at the start during which pace is ignored: one early check-in
    /// against a few days of expected progress says nothing.
    pub grace_fraction: f64,
    /// A forecast progress below this turns a green metric KR yellow.
    pub forecast_yellow_below: f64,
    /// Stale after more than this many check-in periods without a check-in.
    pub stale_periods: u32,
    /// An aligned child objective counts toward its parent like a key result of this weight;
    /// 0 turns the roll-up off.
    pub child_weight: f64,
    /// Where an aspirational key result is paced to end: this fraction of its target (the
    /// 0.6-0.7 sweet spot), where a committed one is paced to reach all of it.
    pub aspirational_pace: f64,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            green_margin: 0.10,
            red_margin: 0.25,
            green_min_confidence: 7,
            red_max_confidence: 3,
            grace_fraction: 0.10,
            forecast_yellow_below: 0.7,
            stale_periods: 2,
            child_weight: 1.0,
            aspirational_pace: 0.7,
        }
    }
}

/// Why a workspace's scoring rules were refused, worded for the config file:
/// `scoring.green_margin must not be larger than red_margin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("scoring.{field} {reason}")]
pub struct RulesError {
    pub field: &'static str,
    pub reason: &'static str,
}

impl ScoringRules {
    /// Checks an overridden rule set makes sense (the green band inside the non-red one, ...).
    pub fn validate(&self) -> Result<(), RulesError> {
        let fail = |field, reason| Err(RulesError { field, reason });
        for (field, value) in [
            ("green_margin", self.green_margin),
            ("red_margin", self.red_margin),
            ("grace_fraction", self.grace_fraction),
            ("forecast_yellow_below", self.forecast_yellow_below),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return fail(field, "must be a number from 0 to 1");
            }
        }
        if self.green_margin > self.red_margin {
            return fail("green_margin", "must not be larger than red_margin");
        }
        if !(1..=10).contains(&self.red_max_confidence) {
            return fail("red_max_confidence", "must be from 1 to 10");
        }
        if self.red_max_confidence >= self.green_min_confidence || self.green_min_confidence > 10 {
            return fail(
                "green_min_confidence",
                "must be above red_max_confidence, at most 10",
            );
        }
        if self.stale_periods == 0 {
            return fail("stale_periods", "must be at least 1");
        }
        if !(self.aspirational_pace > 0.0 && self.aspirational_pace <= 1.0) {
            return fail("aspirational_pace", "must be above 0 and at most 1");
        }
        Ok(())
    }
}

/// `(current - start) / (target - start)`, unclamped; 0 when undefined (see module doc).
fn metric_progress(start: f64, target: f64, value: f64) -> f64 {
    Some((value - start) / (target - start))
        .filter(|p| p.is_finite())
        .unwrap_or(0.0)
}

fn milestone_done(kr: &KeyResult) -> bool {
    kr.current >= 1.0
}

/// Progress as shown in percent: metric `p` (may leave [0, 1]); threshold and milestone 1 or 0.
pub fn progress(kr: &KeyResult) -> f64 {
    let met = match kr.kind {
        KrKind::Metric => return metric_progress(kr.start, kr.target, kr.current),
        KrKind::Threshold => !awaiting_data(kr) && threshold_gap(kr).is_none(),
        KrKind::Milestone => milestone_done(kr),
    };
    f64::from(u8::from(met))
}

/// The score: progress clamped to [0, 1].
pub fn score(kr: &KeyResult) -> f64 {
    progress(kr).clamp(0.0, 1.0)
}

/// A threshold key result without a reading yet: no data is not success, so it is neither met
/// nor broken until its first check-in (`docs/scoring.md`).
pub fn awaiting_data(kr: &KeyResult) -> bool {
    kr.kind == KrKind::Threshold && kr.last_check_in.is_none()
}

/// For a threshold KR whose line is broken, how far `current` is on the wrong side (> 0).
/// `None` when the line holds or the KR is not a threshold. A threshold without a direction
/// cannot be created; it is read as `AtLeast`, the common case ("keep retention above 95%").
pub fn threshold_gap(kr: &KeyResult) -> Option<f64> {
    if kr.kind != KrKind::Threshold || awaiting_data(kr) {
        return None;
    }
    let gap = match kr.direction.unwrap_or(Direction::AtLeast) {
        Direction::AtLeast => kr.target - kr.current,
        Direction::AtMost => kr.current - kr.target,
    };
    (gap > 0.0).then_some(gap)
}

/// A cycle's bounds as instants: `[start, end)`, resolved once per cycle and zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CycleClock {
    /// 00:00 local on the cycle's first day.
    pub start: DateTime<Utc>,
    /// 00:00 local on the day after the cycle's (inclusive) last day.
    pub end: DateTime<Utc>,
}

impl CycleClock {
    pub fn new(cycle: &Cycle, tz: Tz) -> Self {
        let (start, end) = cycle_bounds(cycle, tz);
        CycleClock { start, end }
    }

    /// Fraction of the cycle elapsed at `now`, in [0, 1].
    pub fn expected(&self, now: DateTime<Utc>) -> f64 {
        self.elapsed_from(self.start, now)
    }

    /// Fraction of `[from, end)` elapsed at `now`, in [0, 1]: the pace of a key result that
    /// counts from `from` ([`CycleClock::pace_start`]).
    pub fn elapsed_from(&self, from: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
        let span = (self.end - from).num_milliseconds();
        if span <= 0 {
            // An empty span: it is either not begun or over.
            return if now >= self.end { 1.0 } else { 0.0 };
        }
        let elapsed = (now - from).num_milliseconds();
        (elapsed as f64 / span as f64).clamp(0.0, 1.0)
    }

    /// Where a key result's pace starts: 00:00 in `tz` on its `from:` day or else the day it
    /// was added, or the cycle's start when that is earlier (`docs/scoring.md`, "Expected progress"). A key result
    /// added on day 40 is not behind for the 39 days it did not exist.
    pub fn pace_start(&self, kr: &KeyResult, tz: Tz) -> DateTime<Utc> {
        let day = kr
            .paced_from
            .unwrap_or_else(|| kr.created_at.with_timezone(&tz).date_naive());
        local_midnight_utc(tz, day).clamp(self.start, self.end)
    }

    pub fn is_over(&self, now: DateTime<Utc>) -> bool {
        now >= self.end
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// The cycle as instants: 00:00 local on `cycle.start` to 00:00 local on the day after
/// `cycle.end`. A midnight the zone skips resolves to the first instant after the gap; one it
/// repeats resolves to the earlier of the two.
pub fn cycle_bounds(cycle: &Cycle, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let after_end = cycle.end.succ_opt().unwrap_or(cycle.end);
    (
        local_midnight_utc(tz, cycle.start),
        local_midnight_utc(tz, after_end),
    )
}

fn local_midnight_utc(tz: Tz, date: chrono::NaiveDate) -> DateTime<Utc> {
    let local = date.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => end_of_gap(tz, local),
    }
}

/// The first instant whose local time is at or after `local`, which lies in a DST gap.
/// Binary search over whole seconds: UTC offsets stay within ±15 h, so `lo` is surely before
/// and `hi` surely after; zone transitions fall on whole seconds. ~17 zone look-ups, once
/// per cycle, and correct even for the day Samoa skipped.
fn end_of_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let naive_secs = local.and_utc().timestamp();
    let (mut lo, mut hi) = (naive_secs - 15 * 3600, naive_secs + 15 * 3600);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if utc_at(mid).with_timezone(&tz).naive_local() >= local {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    utc_at(hi)
}

fn utc_at(secs: i64) -> DateTime<Utc> {
    // Out of range only for cycles some 262,000 years away; any instant beats a panic.
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Fraction of the cycle elapsed at `now` in the team's zone, clamped to [0, 1].
/// Scoring many KRs? Build a [`CycleClock`] once and call [`CycleClock::expected`].
pub fn expected_progress(cycle: &Cycle, tz: Tz, now: DateTime<Utc>) -> f64 {
    CycleClock::new(cycle, tz).expected(now)
}

/// Where a metric KR ends up if its check-ins keep their least-squares trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Forecast {
    /// The projected value at the cycle's end.
    pub value: f64,
    /// The projected progress `p` (unclamped, like [`progress`]).
    pub progress: f64,
    /// The cycle's end instant, the "by Dec 31" of "on this trend: 82% by Dec 31".
    pub at: DateTime<Utc>,
}

/// The end-of-cycle projection of a metric KR from its check-in points. `None` for other
/// kinds, or with fewer than two points at distinct instants inside the cycle.
pub fn forecast(
    kr: &KeyResult,
    cycle: &Cycle,
    tz: Tz,
    points: &[(DateTime<Utc>, f64)],
) -> Option<Forecast> {
    forecast_in(kr, &CycleClock::new(cycle, tz), points)
}

/// [`forecast`] with the cycle's bounds already resolved.
pub fn forecast_in(
    kr: &KeyResult,
    clock: &CycleClock,
    points: &[(DateTime<Utc>, f64)],
) -> Option<Forecast> {
    forecast_from(kr, clock, &Trend::of(points, |t| clock.contains(t)))
}

/// [`forecast`] from the trend of the check-ins inside the cycle.
pub fn forecast_from(kr: &KeyResult, clock: &CycleClock, trend: &Trend) -> Option<Forecast> {
    if kr.kind != KrKind::Metric {
        return None;
    }
    let value = trend.value_at(clock.end)?;
    Some(Forecast {
        value,
        progress: metric_progress(kr.start, kr.target, value),
        at: clock.end,
    })
}

/// More than `rules.stale_periods` check-in periods since the last check-in (or, before the
/// first one, since the KR was created). Exactly on the limit is not yet stale.
pub fn is_stale(
    kr: &KeyResult,
    now: DateTime<Utc>,
    period: Duration,
    rules: &ScoringRules,
) -> bool {
    let last = kr.last_check_in.unwrap_or(kr.created_at);
    let limit = i32::try_from(rules.stale_periods)
        .ok()
        .and_then(|n| period.checked_mul(n));
    // A limit too large to represent is never reached.
    limit.is_some_and(|limit| now.signed_duration_since(last) > limit)
}

/// Everything scoring says about one key result at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KrScore {
    /// Fraction of the key result's own span (from its pace start to the cycle's end) elapsed;
    /// 1 once the cycle has ended or is closed. The grace period counts in this.
    pub elapsed: f64,
    /// As [`progress`]: shown as a percent, may leave [0, 1], except on a sliver
    /// ([`is_sliver`]), where it is held to [0, 1].
    pub progress: f64,
    /// As [`score`]: in [0, 1].
    pub score: f64,
    pub status: Status,
    /// Shown beside the colour; never changes it.
    pub stale: bool,
    /// Metric KRs with at least two check-ins at distinct instants in the cycle.
    pub forecast: Option<Forecast>,
    /// The progress expected by now, which `progress` is compared with: `elapsed` times the
    /// objective's ambition (1 committed, `aspirational_pace` aspirational).
    pub expected: f64,
    /// As [`threshold_gap`]: how far a broken threshold is on the wrong side.
    pub gap: Option<f64>,
}

/// What scoring a KR needs besides the KR: one per team and cycle, reused across its KRs.
#[derive(Debug, Clone, Copy)]
pub struct ScoreContext<'a> {
    pub cycle: &'a Cycle,
    pub tz: Tz,
    pub now: DateTime<Utc>,
    /// The team's check-in interval (7 days by default); staleness counts in these.
    pub period: Duration,
    pub rules: &'a ScoringRules,
    /// `cycle` in `tz` as instants, resolved by [`ScoreContext::new`]. Private so that it
    /// cannot disagree with `cycle` and `tz` at construction.
    clock: CycleClock,
    /// The share of the target the key results are paced to reach by the end: 1 for a
    /// committed objective, `rules.aspirational_pace` for an aspirational one ([`Self::aiming`]).
    ambition: f64,
}

impl<'a> ScoreContext<'a> {
    pub fn new(
        cycle: &'a Cycle,
        tz: Tz,
        now: DateTime<Utc>,
        period: Duration,
        rules: &'a ScoringRules,
    ) -> Self {
        ScoreContext {
            cycle,
            tz,
            now,
            period,
            rules,
            clock: CycleClock::new(cycle, tz),
            ambition: 1.0,
        }
    }

    pub fn clock(&self) -> CycleClock {
        self.clock
    }

    /// The context for the key results of an objective of `kind`: an aspirational one is paced
    /// toward its sweet spot, a committed one toward its whole target.
    pub fn aiming(mut self, kind: ObjectiveKind) -> Self {
        self.ambition = match kind {
            ObjectiveKind::Committed => 1.0,
            ObjectiveKind::Aspirational => self.rules.aspirational_pace,
        };
        self
    }

    /// Closed, or past its last day: scores are final, judged as at the end.
    fn is_final(&self) -> bool {
        self.cycle.closed || self.clock.is_over(self.now)
    }
}

/// How far above the red line a key result must climb before its at-risk alert resolves, in
/// progress (0.05 = 5 points of the cycle's pace). Without it a key result hovering at the line
/// would alert again at every crossing.
pub const RECOVERY_MARGIN: f64 = 0.05;

/// Whether a key result whose at-risk alert is open has clearly left red: green, or yellow with
/// its pace at least [`RECOVERY_MARGIN`] above the red line (`docs/schedules-and-delivery.md`).
pub fn out_of_red(kr: &KeyResult, s: &KrScore, rules: &ScoringRules) -> bool {
    match s.status {
        Status::Red => false,
        Status::Green => true,
        Status::Yellow => {
            kr.kind != KrKind::Metric
                || (s.elapsed + EPS < rules.grace_fraction && progress(kr) >= 0.0)
                || progress(kr) >= s.expected - rules.red_margin + RECOVERY_MARGIN - EPS
        }
    }
}

/// Scores one key result. `points` are its check-ins `(created_at, value)`, oldest first (the
/// order the store gives, which [`Trend`] folds in); only those inside the cycle feed the
/// forecast. Allocation-free.
pub fn score_kr(
    kr: &KeyResult,
    ctx: &ScoreContext<'_>,
    points: &[(DateTime<Utc>, f64)],
) -> KrScore {
    let trend = Trend::of(points, |t| ctx.clock.contains(t));
    score_kr_with(kr, ctx, &trend)
}

/// [`score_kr`] from the trend of the check-ins inside the cycle rather than the points: what
/// the write path uses, so a check-in's cost does not grow with the history.
pub fn score_kr_with(kr: &KeyResult, ctx: &ScoreContext<'_>, trend: &Trend) -> KrScore {
    let progress = progress(kr);
    let stale = is_stale(kr, ctx.now, ctx.period, ctx.rules);
    let is_final = ctx.is_final();
    // A trend needs data to stand on: none for a stale key result (its last numbers are old
    // news), and none until the check-ins span one check-in period or a tenth of the cycle,
    // whichever is shorter (two points an hour apart extrapolate to nonsense). None either
    // where it cannot mean anything: the cycle is over, the target is met, or the span is a
    // sliver that ordinary noise crosses many times over.
    let enough = ctx.period.min((ctx.clock.end - ctx.clock.start) / 10);
    let forecast = if stale || trend.span() < enough || is_final || progress >= 1.0 || is_sliver(kr)
    {
        None
    } else {
        forecast_from(kr, &ctx.clock, trend)
    };
    let elapsed = if is_final {
        1.0
    } else {
        ctx.clock
            .elapsed_from(ctx.clock.pace_start(kr, ctx.tz), ctx.now)
    };
    let mut scored = KrScore {
        elapsed,
        progress,
        score: progress.clamp(0.0, 1.0),
        status: Status::Green, // decided below, from the other fields
        stale,
        forecast,
        expected: elapsed * ctx.ambition,
        gap: threshold_gap(kr),
    };
    scored.status = kr_status(kr, &scored, is_final, ctx.ambition, ctx.rules);
    // On a sliver a reading's noise is many spans: 7.2% on 6.8% -> 7% is "200%", 6.0% is
    // "-400%". Shown (and averaged into its objective) between 0% and 100%; the colour above
    // was judged on the true figure, and the value beside the percent says where it stands.
    if is_sliver(kr) {
        scored.progress = progress.clamp(0.0, 1.0);
    }
    scored
}

/// How many spans past the target or behind the start a metric value may go before it asks to
/// be confirmed ([`implausible`]).
pub const PLAUSIBLE_SPANS: f64 = 10.0;

/// Whether `value` is too far from anything a metric key result could mean to record it
/// unasked: more than [`PLAUSIBLE_SPANS`] spans past its target or behind its start, where a
/// sliver's span counts as [`SLIVER`] of its values' size (a typo such as `1 200` for `12` on a
/// 30 -> 50 key result is 58 spans past). Other kinds take 0/1 or a line and never ask.
pub fn implausible(kr: &KeyResult, value: f64) -> bool {
    if kr.kind != KrKind::Metric {
        return false;
    }
    let span = (kr.target - kr.start)
        .abs()
        .max(SLIVER * kr.start.abs().max(kr.target.abs()));
    if span == 0.0 || !span.is_finite() {
        return false;
    }
    let (low, high) = (kr.start.min(kr.target), kr.start.max(kr.target));
    value > high + PLAUSIBLE_SPANS * span || value < low - PLAUSIBLE_SPANS * span
}

/// A metric key result whose span is under this share of its values' size is a sliver: a
/// conversion rate from 6.8% to 7%, where a reading's noise is a large part of the span.
pub const SLIVER: f64 = 0.05;

/// Whether a metric key result's span is a sliver ([`SLIVER`]): no forecast is drawn for it.
pub fn is_sliver(kr: &KeyResult) -> bool {
    let span = (kr.target - kr.start).abs();
    kr.kind == KrKind::Metric && span < SLIVER * kr.start.abs().max(kr.target.abs())
}

fn confidence_status(confidence: Option<Confidence>, rules: &ScoringRules) -> Status {
    match confidence.map(Confidence::get) {
        None => Status::Green,
        Some(c) if c <= rules.red_max_confidence => Status::Red,
        Some(c) if c >= rules.green_min_confidence => Status::Green,
        Some(_) => Status::Yellow,
    }
}

fn kr_status(
    kr: &KeyResult,
    scored: &KrScore,
    is_final: bool,
    ambition: f64,
    rules: &ScoringRules,
) -> Status {
    let (progress, expected) = (scored.progress, scored.expected);
    // Once final, a score is judged on where it ended, as the close grades it: a confidence
    // given in October says nothing about the number reached in December.
    let by_confidence = if is_final {
        Status::Green
    } else {
        confidence_status(kr.confidence, rules)
    };
    let cycle_over = is_final;
    match kr.kind {
        // A milestone is 0 until done, so pace would paint every open one red.
        KrKind::Milestone if milestone_done(kr) => Status::Green,
        KrKind::Milestone if cycle_over => Status::Red,
        KrKind::Milestone => by_confidence,
        KrKind::Threshold if awaiting_data(kr) => Status::Yellow,
        KrKind::Threshold if threshold_gap(kr).is_some() => Status::Red,
        KrKind::Threshold => by_confidence,
        // Early on, one check-in against a few days of expected pace says nothing; the same
        // goes for a trend through those few points, so the forecast waits too. A step back
        // behind the start is news at any time, though.
        KrKind::Metric if scored.elapsed + EPS < rules.grace_fraction => {
            if progress < -EPS {
                by_confidence.max(Status::Yellow)
            } else {
                by_confidence
            }
        }
        KrKind::Metric => {
            let pace = if progress < expected - rules.red_margin - EPS {
                Status::Red
            } else if progress >= expected - rules.green_margin - EPS {
                Status::Green
            } else {
                Status::Yellow
            };
            let trend_short = scored
                .forecast
                .is_some_and(|f| f.progress < rules.forecast_yellow_below * ambition);
            match by_confidence.max(pace) {
                Status::Green if trend_short => Status::Yellow,
                status => status,
            }
        }
    }
}

/// The colour of a final score (a closed or ended cycle) of an objective of `kind`: its pace
/// colour at the end, against all of the target (committed) or the sweet spot (aspirational),
/// so it agrees with the close's verdict (`docs/scoring.md`, "A cycle's end").
pub fn final_status(kind: ObjectiveKind, score: f64, rules: &ScoringRules) -> Status {
    let ambition = match kind {
        ObjectiveKind::Committed => 1.0,
        ObjectiveKind::Aspirational => rules.aspirational_pace,
    };
    if score < ambition - rules.red_margin - EPS {
        Status::Red
    } else if score >= ambition - rules.green_margin - EPS {
        Status::Green
    } else {
        Status::Yellow
    }
}

/// An objective's standing: weighted means of its KRs (and of its aligned children, once rolled
/// up) and the colour that follows from them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ObjectiveScore {
    pub score: f64,
    /// Weighted mean of the KRs' progress, shown as the objective's percent.
    pub progress: f64,
    pub status: Status,
    /// What counted: the sum of the positive KR weights, plus each aligned child's weight.
    pub weight: f64,
    /// How many aligned child objectives were rolled in.
    pub aligned: u32,
}

/// Rolls key results up into their objective. `krs` pairs each KR's weight with its score.
/// Weights that are 0 (or negative, or not finite) count nothing, neither in the means nor
/// in the colour, which is the worst colour that counts. `None` when nothing counts: without
/// KRs, or when every KR weighs 0 (`docs/scoring.md`, "Objective score and percent").
pub fn objective_score(krs: &[(f64, &KrScore)]) -> Option<ObjectiveScore> {
    let usable = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
    let weight: f64 = krs.iter().map(|&(w, _)| usable(w)).sum();
    if weight <= 0.0 {
        return None;
    }
    let (mut score, mut progress, mut status) = (0.0, 0.0, Status::Green);
    for &(w, kr) in krs {
        let w = usable(w);
        if w > 0.0 {
            score += w * kr.score;
            progress += w * kr.progress;
            status = status.max(kr.status);
        }
    }
    Some(ObjectiveScore {
        score: score / weight,
        progress: progress / weight,
        status,
        weight,
        aligned: 0,
    })
}

/// Each objective's aligned children as [`roll_up`] counts them (not archived, in the parent's
/// cycle), by code in code order: what status and digests name.
pub fn aligned_children(objectives: &[&Objective]) -> HashMap<ObjectiveId, Vec<String>> {
    let cycle_of: HashMap<ObjectiveId, _> = objectives.iter().map(|o| (o.id, o.cycle_id)).collect();
    let mut out: HashMap<ObjectiveId, Vec<String>> = HashMap::new();
    for o in objectives {
        if o.state == ObjectiveState::Archived {
            continue;
        }
        if let Some(p) = o.parent.filter(|p| cycle_of.get(p) == Some(&o.cycle_id)) {
            out.entry(p).or_default().push(o.code.clone());
        }
    }
    for codes in out.values_mut() {
        codes.sort();
        codes.dedup();
    }
    out
}

/// Rolls aligned children into their parents, bottom up (`docs/scoring.md`, "Alignment").
/// `own` holds each objective's score from its own key results. A child counts toward its
/// parent when both are among `objectives`, in the same cycle, and the child is not archived;
/// each counts like a key result of weight `child_weight` (0 turns the roll-up off). A parent
/// with nothing of its own takes its children's mean. The colour is the weighted mean of the
/// parts' colours (green 0, yellow 1, red 2), rounded half up, so one red part among greens
/// reads yellow rather than red. Objectives that are no one's parent keep their own score.
pub fn roll_up(
    objectives: &[&Objective],
    own: &HashMap<ObjectiveId, Option<ObjectiveScore>>,
    child_weight: f64,
) -> HashMap<ObjectiveId, Option<ObjectiveScore>> {
    let child_weight = if child_weight.is_finite() && child_weight > 0.0 {
        child_weight
    } else {
        0.0
    };
    let cycle_of: HashMap<ObjectiveId, _> = objectives.iter().map(|o| (o.id, o.cycle_id)).collect();
    let mut children: HashMap<ObjectiveId, Vec<ObjectiveId>> = HashMap::new();
    if child_weight > 0.0 {
        for o in objectives {
            let counts = o.state != ObjectiveState::Archived;
            if let Some(p) = o
                .parent
                .filter(|p| counts && cycle_of.get(p) == Some(&o.cycle_id))
            {
                children.entry(p).or_default().push(o.id);
            }
        }
    }
    let mut done: HashMap<ObjectiveId, Option<ObjectiveScore>> = HashMap::new();
    for o in objectives {
        // Alignment refuses loops; `visiting` keeps a stored one from recursing forever.
        let mut visiting = HashSet::new();
        rolled(o.id, own, &children, child_weight, &mut done, &mut visiting);
    }
    done
}

fn rolled(
    id: ObjectiveId,
    own: &HashMap<ObjectiveId, Option<ObjectiveScore>>,
    children: &HashMap<ObjectiveId, Vec<ObjectiveId>>,
    child_weight: f64,
    done: &mut HashMap<ObjectiveId, Option<ObjectiveScore>>,
    visiting: &mut HashSet<ObjectiveId>,
) -> Option<ObjectiveScore> {
    if let Some(s) = done.get(&id) {
        return *s;
    }
    let mine = own.get(&id).copied().flatten();
    if !visiting.insert(id) {
        return mine;
    }
    let kids: Vec<ObjectiveScore> = children
        .get(&id)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|&c| rolled(c, own, children, child_weight, done, visiting))
        .collect();
    let result = if kids.is_empty() {
        mine
    } else {
        let parts = mine
            .iter()
            .map(|m| (m.weight, m))
            .chain(kids.iter().map(|k| (child_weight, k)));
        let (mut weight, mut score, mut progress, mut rank) = (0.0, 0.0, 0.0, 0.0);
        for (w, p) in parts {
            weight += w;
            score += w * p.score;
            progress += w * p.progress;
            rank += w * f64::from(p.status as u8);
        }
        let rank = rank / weight;
        Some(ObjectiveScore {
            score: score / weight,
            progress: progress / weight,
            status: if rank >= 1.5 {
                Status::Red
            } else if rank >= 0.5 {
                Status::Yellow
            } else {
                Status::Green
            },
            weight,
            aligned: kids.len() as u32,
        })
    };
    done.insert(id, result);
    result
}

/// The end-of-cycle band of a score: [0, 0.3) failed, [0.3, 0.7) progress, [0.7, 1] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Failed,
    ProgressButShort,
    Achieved,
}

impl Grade {
    pub fn label(self) -> &'static str {
        match self {
            Grade::Failed => "failed",
            Grade::ProgressButShort => "progress but short",
            Grade::Achieved => "achieved",
        }
    }
}

/// The band of `score`, judged on the two-decimal score people see, so that a shown "0.70"
/// never reads "progress but short" because the exact mean was 0.6999999.
pub fn grade(score: f64) -> Grade {
    let shown = round_score(score);
    if shown < 0.3 {
        Grade::Failed
    } else if shown < 0.7 {
        Grade::ProgressButShort
    } else {
        Grade::Achieved
    }
}

/// One sentence for the end-of-cycle review. Aspirational objectives aim for 0.6-0.7;
/// committed ones are expected to reach 1.0, so "achieved" at 0.8 is still a miss for them.
pub fn grade_verdict(kind: ObjectiveKind, score: f64) -> &'static str {
    use Grade::{Achieved, Failed, ProgressButShort as Short};
    use ObjectiveKind::{Aspirational as Asp, Committed as Com};
    let (full, sweet) = (round_score(score) >= 1.0, round_score(score) >= 0.6);
    match (kind, grade(score)) {
        (Com, _) if full => "Committed and delivered in full.",
        (Com, Achieved) => "Achieved, but a committed objective is expected to reach 1.0.",
        (Com, Short) => "Committed but short: progress made, the commitment was not met.",
        (Com, Failed) => "Committed and missed: little progress made.",
        (Asp, _) if full => "Fully reached: the aspiration may have been set too low.",
        (Asp, Achieved) => "Achieved, above the 0.6-0.7 sweet spot for an aspirational objective.",
        (Asp, _) if sweet => "In the 0.6-0.7 sweet spot for an aspirational objective.",
        (Asp, Short) => "Progress, but short of the 0.6-0.7 sweet spot.",
        (Asp, Failed) => "Failed: little progress on the aspiration.",
    }
}

/// A progress or score as a whole percent, half away from zero: 0.715 -> 72, -0.125 -> -13.
/// Computed as `round(p * 100)` so the halfway cases people type come out as they expect.
pub fn round_percent(p: f64) -> i64 {
    // `as` saturates and maps NaN to 0, so no input panics.
    (p * 100.0).round() as i64
}

/// A score to two decimals, half away from zero: 2/3 -> 0.67.
pub fn round_score(s: f64) -> f64 {
    (s * 100.0).round() / 100.0
}

/// A text bar of `width` cells, filled in proportion to the score clamped to [0, 1]:
/// `progress_bar(0.7, 10) == "███████░░░"`.
pub fn progress_bar(score: f64, width: usize) -> String {
    // NaN survives `clamp` but `as usize` turns it into 0 cells.
    let filled = ((score.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    let mut bar = String::with_capacity(width * '█'.len_utf8());
    bar.extend(std::iter::repeat_n('█', filled));
    bar.extend(std::iter::repeat_n('░', width - filled));
    bar
}

#[cfg(test)]
#[path = "scoring_tests.rs"]
mod tests;
