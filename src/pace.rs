//! Turns to talk to a platform, shared by every process on the database. Discord's global limit
//! (50 requests a second) is the bot's, not a process's, and a Slack webhook's one post a
//! second is the webhook's: two processes pacing themselves apart would together send twice the
//! rate (measured in `docs/operations.md`, "Several processes"). So [`Turns`] books each turn in
//! the database (`store::pace`): one key ("discord", "webhook:7"), one row, each booking the
//! next free slot after the last one booked by any process, and a 429 seen by one process holds
//! every process. If the database cannot be reached the process paces itself alone
//! ([`Pacer`]) until it can: nothing it sends could be recorded meanwhile anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::store::Store;

/// A minimum interval between requests: any one-second window holds at most `rate` of them,
/// which a token bucket with a burst could not promise. Pure: time is passed in.
#[derive(Debug, Clone)]
pub struct Pacer {
    interval: Duration,
    /// The earliest instant the next request may go.
    next: Instant,
    /// Set by a 429: a request whose slot was reserved before the pause must wait again.
    paused_until: Option<Instant>,
}

impl Pacer {
    pub fn new(rate_per_second: u32, now: Instant) -> Pacer {
        Pacer::every(Duration::from_secs(1) / rate_per_second.max(1), now)
    }

    /// At most one request per `interval`.
    pub fn every(interval: Duration, now: Instant) -> Pacer {
        Pacer {
            interval,
            next: now,
            paused_until: None,
        }
    }

    /// Takes the next free slot at or after `now`; returns how long to wait for it.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        let slot = self.next.max(now);
        self.next = slot + self.interval;
        slot - now
    }

    /// Nothing may go before `until`; a later pause wins, an earlier one changes nothing.
    pub fn pause_until(&mut self, until: Instant) {
        self.next = self.next.max(until);
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Whether a pause still holds at `now`.
    pub fn paused(&self, now: Instant) -> bool {
        self.paused_until.is_some_and(|p| p > now)
    }

    /// How long a pause still holds at `now`; zero when none does.
    pub fn held(&self, now: Instant) -> Duration {
        self.paused_until
            .map_or(Duration::ZERO, |p| p.saturating_duration_since(now))
    }
}

/// Turns by key, booked in the database when there is one, else in this process.
#[derive(Clone, Default)]
pub struct Turns {
    store: Option<Store>,
    /// This process's own turns: all of them without a database, the fallback with one.
    local: Arc<Mutex<HashMap<String, Pacer>>>,
}

impl std::fmt::Debug for Turns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turns")
            .field("shared", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl Turns {
    /// Turns of this process alone.
    pub fn local() -> Turns {
        Turns::default()
    }

    /// Turns shared with every process on `store`'s database.
    pub fn shared(store: Store) -> Turns {
        Turns {
            store: Some(store),
            local: Arc::default(),
        }
    }

    /// Waits for `key`'s next turn, at least `interval` after the one before it, and waits
    /// again if a hold was placed meanwhile.
    pub async fn take(&self, key: &str, interval: Duration) {
        loop {
            let wait = self.reserve(key, interval).await;
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
            if self.held(key).await.is_zero() {
                return;
            }
        }
    }

    /// Holds every turn of `key` for `after` from now (a 429's pause); a later hold wins.
    pub async fn hold(&self, key: &str, after: Duration) {
        if let Some(store) = &self.store {
            let shared = async {
                let mut c = store.read().await?;
                crate::store::pace::hold(&mut c, key, after).await
            };
            match shared.await {
                Ok(()) => return,
                Err(e) => tracing::warn!(error = %e, key, "could not share a hold; holding here"),
            }
        }
        let until = Instant::now() + after;
        self.with_local(key, Duration::ZERO, |p| p.pause_until(until));
    }

    /// How long a hold on `key` still holds; zero when none does.
    pub async fn held(&self, key: &str) -> Duration {
        if let Some(store) = &self.store {
            let shared = async {
                let mut c = store.read().await?;
                crate::store::pace::held(&mut c, key).await
            };
            match shared.await {
                Ok(left) => return left,
                Err(e) => tracing::warn!(error = %e, key, "could not read a shared hold"),
            }
        }
        let now = Instant::now();
        self.with_local(key, Duration::ZERO, |p| p.held(now))
    }

    async fn reserve(&self, key: &str, interval: Duration) -> Duration {
        if let Some(store) = &self.store {
            let shared = async {
                let mut c = store.read().await?;
                crate::store::pace::reserve(&mut c, key, interval).await
            };
            match shared.await {
                Ok(wait) => return wait,
                Err(e) => {
                    tracing::warn!(error = %e, key, "could not book a shared turn; pacing alone")
                }
            }
        }
        let now = Instant::now();
        self.with_local(key, interval, |p| {
            p.interval = interval;
            p.reserve(now)
        })
    }

    fn with_local<T>(&self, key: &str, interval: Duration, f: impl FnOnce(&mut Pacer) -> T) -> T {
        let mut local = crate::sync::lock(&self.local);
        let p = local
            .entry(key.to_owned())
            .or_insert_with(|| Pacer::every(interval, Instant::now()));
        f(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn pacer_spaces_requests_so_no_second_holds_more_than_the_rate() {
        let t0 = Instant::now();
        let mut p = Pacer::new(40, t0);
        let waits: Vec<Duration> = (0..41).map(|_| p.reserve(t0)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert_eq!(waits[1], ms(25));
        // The 41st request of a burst goes a full second after the first.
        assert_eq!(waits[40], Duration::from_secs(1));
    }

    #[test]
    fn pacer_lets_a_request_go_at_once_after_a_quiet_spell() {
        let t0 = Instant::now();
        let mut p = Pacer::new(40, t0);
        assert_eq!(p.reserve(t0), Duration::ZERO);
        assert_eq!(p.reserve(t0 + ms(500)), Duration::ZERO);
        // ...but a quiet spell does not bank a burst: the next still waits its interval.
        assert_eq!(p.reserve(t0 + ms(500)), ms(25));
    }

    #[test]
    fn a_pause_holds_every_later_request_until_it_ends() {
        let t0 = Instant::now();
        let mut p = Pacer::new(40, t0);
        p.reserve(t0);
        p.pause_until(t0 + Duration::from_secs(2));
        assert!(p.paused(t0 + ms(1999)));
        assert!(!p.paused(t0 + Duration::from_secs(2)));
        assert_eq!(p.reserve(t0 + ms(100)), ms(1900));
        assert_eq!(p.reserve(t0 + ms(100)), ms(1925));
    }

    #[test]
    fn an_earlier_pause_does_not_shorten_a_later_one() {
        let t0 = Instant::now();
        let mut p = Pacer::new(40, t0);
        p.pause_until(t0 + Duration::from_secs(5));
        p.pause_until(t0 + Duration::from_secs(1));
        assert!(p.paused(t0 + Duration::from_secs(4)));
        assert_eq!(p.reserve(t0), Duration::from_secs(5));
    }

    #[test]
    fn a_zero_rate_is_taken_as_one_per_second_not_a_division_by_zero() {
        let t0 = Instant::now();
        let mut p = Pacer::new(0, t0);
        p.reserve(t0);
        assert_eq!(p.reserve(t0), Duration::from_secs(1));
    }
}
