//! The retry schedule of one delivery: after each failed send, when to try again, and when to
//! give up. Pure, so the rule is tested at any instant without sleeping (see
//! `docs/schedules-and-delivery.md`).

use chrono::{DateTime, Duration, Utc};

/// How a failing delivery is retried: exponential backoff from `first`, never sooner than the
/// platform asked, at most `cap` apart, with a little jitter so rows that failed together do
/// not all come back in the same second; `failed` after `max_attempts` or `give_up_after`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub first: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
    /// Counted from the delivery's due time: a prompt a day late is no longer worth sending.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first: Duration::seconds(2),
            cap: Duration::minutes(15),
            max_attempts: 12,
            give_up_after: Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

impl RetryPolicy {
    /// What follows the `attempts`-th failed send (1 for the first) of delivery `id`, due at
    /// `due`, failing at `now`, when the platform asked to wait `asked`.
    pub fn after_failure(
        &self,
        id: i64,
        attempts: u32,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        asked: Duration,
    ) -> AfterFailure {
        if attempts >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let doubling = 2_i32.saturating_pow(attempts.saturating_sub(1).min(30));
        let backoff = self
            .first
            .checked_mul(doubling)
            .unwrap_or(self.cap)
            .min(self.cap);
        let wait = backoff.max(asked);
        let spread = wait.num_milliseconds() * jitter_permille(id, attempts) / 1000;
        let at = now + wait + Duration::milliseconds(spread);
        if at - due > self.give_up_after {
            AfterFailure::GiveUp
        } else {
            AfterFailure::RetryAt(at)
        }
    }
}

/// 0-99 per mille, the same for the same row and attempt (so tests are repeatable) and spread
/// across rows (so a burst of failures does not return as a burst).
fn jitter_permille(id: i64, attempts: u32) -> i64 {
    // SplitMix64's finaliser: cheap, and neighbouring ids land far apart.
    let mut z = (id as u64) ^ (u64::from(attempts) << 32);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % 100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("an RFC 3339 instant")
    }

    fn retry_in(p: &RetryPolicy, attempts: u32, asked: i64) -> Duration {
        let now = at("2026-11-16T09:00:00Z");
        match p.after_failure(7, attempts, now, now, Duration::seconds(asked)) {
            AfterFailure::RetryAt(t) => t - now,
            AfterFailure::GiveUp => panic!("gave up after {attempts}"),
        }
    }

    #[test]
    fn each_failure_waits_about_twice_as_long_as_the_one_before() {
        let p = RetryPolicy::default();
        let waits: Vec<Duration> = (1..=5).map(|n| retry_in(&p, n, 0)).collect();
        for (n, w) in waits.iter().enumerate() {
            let base = p.first * 2_i32.pow(n as u32);
            assert!(
                *w >= base && *w < base + base / 10,
                "attempt {}: {w}",
                n + 1
            );
        }
    }

    #[test]
    fn the_wait_never_passes_the_cap_nor_undercuts_what_the_platform_asked() {
        let p = RetryPolicy::default();
        assert!(retry_in(&p, 11, 0) < p.cap + p.cap / 10);
        assert!(retry_in(&p, 1, 60) >= Duration::seconds(60));
    }

    #[test]
    fn a_delivery_fails_after_its_last_attempt_or_a_day_after_it_was_due() {
        let p = RetryPolicy::default();
        let due = at("2026-11-16T09:00:00Z");
        let soon = due + Duration::minutes(1);
        assert_eq!(
            p.after_failure(1, p.max_attempts, due, soon, Duration::zero()),
            AfterFailure::GiveUp
        );
        let late = due + Duration::hours(24);
        assert_eq!(
            p.after_failure(1, 2, due, late, Duration::zero()),
            AfterFailure::GiveUp
        );
    }

    #[test]
    fn rows_that_failed_together_come_back_spread_out() {
        let now = at("2026-11-16T09:00:00Z");
        let p = RetryPolicy::default();
        let times: std::collections::HashSet<DateTime<Utc>> = (0..50)
            .filter_map(
                |id| match p.after_failure(id, 3, now, now, Duration::zero()) {
                    AfterFailure::RetryAt(t) => Some(t),
                    AfterFailure::GiveUp => None,
                },
            )
            .collect();
        assert!(times.len() > 20, "{} distinct instants", times.len());
    }
}
