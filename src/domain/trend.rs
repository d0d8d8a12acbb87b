//! The least-squares trend of a key result's check-ins inside its cycle (`docs/scoring.md`,
//! "Forecast"), kept as a handful of running sums.
//!
//! Contract:
//! - [`Trend::add`] folds one point in, in O(1); [`Trend::of`] folds a slice in the order given.
//!   Folding the same points in the same order gives bit-for-bit the same trend, so a trend kept
//!   up to date one check-in at a time (the store keeps one per key result) scores exactly like
//!   one folded from the whole history.
//! - Welford's updates (running means, centred sums), not the one-pass normal equations: they
//!   stay accurate when the points sit far from x = 0, and need no second pass.

use chrono::{DateTime, Utc};

/// The state of a least-squares line through the points of one cycle. `x` is seconds since the
/// first point folded in (epoch seconds squared, ~1e18, would eat the precision), `y` the value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// How many points were folded in.
    pub n: u64,
    /// The first point folded in: the origin of `x`, in milliseconds since the epoch.
    pub origin_ms: i64,
    pub mean_x: f64,
    pub mean_y: f64,
    /// Σ (x - mean_x)²
    pub sxx: f64,
    /// Σ (x - mean_x)(y - mean_y)
    pub sxy: f64,
    /// The earliest and latest instants folded in: how long the data spans.
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

impl Default for Trend {
    fn default() -> Self {
        Trend::EMPTY
    }
}

impl Trend {
    pub const EMPTY: Trend = Trend {
        n: 0,
        origin_ms: 0,
        mean_x: 0.0,
        mean_y: 0.0,
        sxx: 0.0,
        sxy: 0.0,
        first: None,
        last: None,
    };

    /// The points `inside` accepts, folded in the order given.
    pub fn of(points: &[(DateTime<Utc>, f64)], inside: impl Fn(DateTime<Utc>) -> bool) -> Trend {
        let mut trend = Trend::EMPTY;
        for &(t, v) in points.iter().filter(|(t, _)| inside(*t)) {
            trend.add(t, v);
        }
        trend
    }

    /// Folds one point in.
    pub fn add(&mut self, t: DateTime<Utc>, v: f64) {
        if self.n == 0 {
            self.origin_ms = t.timestamp_millis();
        }
        self.n += 1;
        let n = self.n as f64;
        let x = self.x(t);
        let dx = x - self.mean_x;
        self.mean_x += dx / n;
        self.mean_y += (v - self.mean_y) / n;
        self.sxx += dx * (x - self.mean_x);
        self.sxy += dx * (v - self.mean_y);
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }

    /// Whether a point at `t` comes at or after every point folded in so far: only such a point
    /// can be folded into a kept trend and still match one folded from the ordered history.
    pub fn in_order(&self, t: DateTime<Utc>) -> bool {
        self.last.is_none_or(|last| t >= last)
    }

    /// `t` on the trend's x axis.
    fn x(&self, t: DateTime<Utc>) -> f64 {
        (t.timestamp_millis() - self.origin_ms) as f64 / 1000.0
    }

    /// How long the points span, first to last (zero for none or one).
    pub fn span(&self) -> chrono::Duration {
        match (self.first, self.last) {
            (Some(first), Some(last)) => last - first,
            _ => chrono::Duration::zero(),
        }
    }

    /// The line's value at `t`; `None` without two points at distinct instants.
    pub fn value_at(&self, t: DateTime<Utc>) -> Option<f64> {
        if self.span() <= chrono::Duration::zero() {
            return None;
        }
        let value = self.mean_y + self.sxy / self.sxx * (self.x(t) - self.mean_x);
        value.is_finite().then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).expect("in range")
    }

    #[test]
    fn a_trend_kept_one_point_at_a_time_equals_the_one_folded_from_all_of_them() {
        let points: Vec<_> = (0..10_000_i64)
            .map(|i| {
                (
                    at(i * 600),
                    (i as f64 * 0.37).sin() * 50.0 + i as f64 * 0.01,
                )
            })
            .collect();
        let mut kept = Trend::EMPTY;
        for &(t, v) in &points {
            kept.add(t, v);
        }
        assert_eq!(kept, Trend::of(&points, |_| true));
    }

    #[test]
    fn a_trend_projects_points_on_a_line_along_that_line() {
        let points: Vec<_> = (0..5).map(|d| (at(d * 86_400), 10.0 * d as f64)).collect();
        let trend = Trend::of(&points, |_| true);
        let day_10 = trend.value_at(at(10 * 86_400)).expect("a line");
        assert!((day_10 - 100.0).abs() < 1e-9, "{day_10}");
        assert_eq!(trend.span(), Duration::days(4));
    }

    #[test]
    fn a_trend_needs_two_distinct_instants() {
        let one = Trend::of(&[(at(0), 1.0)], |_| true);
        assert_eq!(one.value_at(at(10)), None);
        let same = Trend::of(&[(at(0), 1.0), (at(0), 2.0)], |_| true);
        assert_eq!(same.value_at(at(10)), None);
        assert_eq!(Trend::EMPTY.value_at(at(10)), None);
    }
}
