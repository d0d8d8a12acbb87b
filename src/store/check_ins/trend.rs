//! The trend of each key result's check-ins inside its cycle (`domain::trend`), kept in
//! `kr_trends` beside the history so that a check-in reads one row, not every point.
//!
//! Contract: a stored trend is exactly [`Trend::of`] the key result's check-ins inside the
//! bounds it was summed for, in `(created_at, id)` order. [`add`] keeps it so for a check-in
//! appended at or after the latest point; anything else that changes the history drops it
//! ([`forget`]), and [`for_kr`] sums it again on its next read.

use crate::store::on;
use chrono::{DateTime, Utc};

use super::super::{Conn, Result};
use crate::domain::model::{KrId, WorkspaceId};
use crate::domain::scoring::CycleClock;
use crate::domain::trend::Trend;

/// A stored trend with the cycle bounds it was summed for: it scores a key result only while
/// those are still the bounds of its cycle in its team's zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredTrend {
    pub clock: CycleClock,
    pub trend: Trend,
}

impl StoredTrend {
    /// The trend, when it was summed for `clock`.
    pub fn for_clock(&self, clock: &CycleClock) -> Option<&Trend> {
        (self.clock == *clock).then_some(&self.trend)
    }
}

/// `kr_trends.sums`: ten little-endian 8-byte words, the cycle bounds the trend was summed
/// for and the trend itself, instants in nanoseconds since the epoch (`i64::MIN` for none):
/// `from, to, n, origin_ms, mean_x, mean_y, sxx, sxy, first, last`. One value per row because
/// status and the rollup read it beside every key result of a cycle.
pub(crate) const SUMS_LEN: usize = 80;

fn nanos(t: Option<DateTime<Utc>>) -> Option<i64> {
    match t {
        None => Some(i64::MIN),
        Some(t) => t.timestamp_nanos_opt().filter(|&n| n != i64::MIN),
    }
}

fn instant(n: i64) -> Option<DateTime<Utc>> {
    (n != i64::MIN).then(|| DateTime::from_timestamp_nanos(n))
}

/// `None` for instants beyond what nanoseconds hold (after 2262): such a trend is not kept.
fn encode(clock: &CycleClock, t: &Trend) -> Option<Vec<u8>> {
    let words: [u64; 10] = [
        nanos(Some(clock.start))? as u64,
        nanos(Some(clock.end))? as u64,
        t.n,
        t.origin_ms as u64,
        t.mean_x.to_bits(),
        t.mean_y.to_bits(),
        t.sxx.to_bits(),
        t.sxy.to_bits(),
        nanos(t.first)? as u64,
        nanos(t.last)? as u64,
    ];
    Some(words.iter().flat_map(|w| w.to_le_bytes()).collect())
}

/// `None` for a value of another shape, which is then summed again like a missing one.
pub(crate) fn decode(sums: &[u8]) -> Option<StoredTrend> {
    if sums.len() != SUMS_LEN {
        return None;
    }
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&sums[i * 8..i * 8 + 8]);
        u64::from_le_bytes(b)
    };
    let f = |i| f64::from_bits(word(i));
    Some(StoredTrend {
        clock: CycleClock {
            start: instant(word(0) as i64)?,
            end: instant(word(1) as i64)?,
        },
        trend: Trend {
            n: word(2),
            origin_ms: word(3) as i64,
            mean_x: f(4),
            mean_y: f(5),
            sxx: f(6),
            sxy: f(7),
            first: instant(word(8) as i64),
            last: instant(word(9) as i64),
        },
    })
}

async fn stored(c: &mut Conn, ws: WorkspaceId, kr: KrId) -> Result<Option<StoredTrend>> {
    let sums: Option<Vec<u8>> = on!(c, |db| sqlx::query_scalar(
        "SELECT sums FROM kr_trends WHERE kr_id = $1 AND workspace_id = $2"
    )
    .bind(kr.0)
    .bind(ws.0)
    .fetch_optional(db)
    .await)?;
    Ok(sums.as_deref().and_then(decode))
}

async fn save(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
    clock: &CycleClock,
    t: &Trend,
) -> Result<()> {
    let Some(sums) = encode(clock, t) else {
        return forget(c, ws, kr).await;
    };
    on!(c, |db| sqlx::query(
        "INSERT INTO kr_trends (kr_id, workspace_id, sums) VALUES ($1, $2, $3) \
         ON CONFLICT (kr_id) DO UPDATE SET sums = excluded.sums",
    )
    .bind(kr.0)
    .bind(ws.0)
    .bind(sums)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The trend of `kr`'s check-ins inside `clock`, in the caller's write transaction: the stored
/// one when it was summed for these bounds, else summed from the history once and stored (the
/// first check-in after a change of zone or dates, or an undo, pays for the history once).
pub async fn for_kr(c: &mut Conn, ws: WorkspaceId, kr: KrId, clock: &CycleClock) -> Result<Trend> {
    if let Some(trend) = stored(c, ws, kr)
        .await?
        .and_then(|s| s.for_clock(clock).copied())
    {
        return Ok(trend);
    }
    let points = super::points_between(c, ws, kr, clock.start, clock.end).await?;
    let trend = Trend::of(&points, |_| true);
    save(c, ws, kr, clock, &trend).await?;
    Ok(trend)
}

/// A check-in `(at, value)` was appended to `kr`'s history: folds it into the stored trend
/// when it falls inside its bounds. One appended before the latest point would change the
/// order the trend was folded in, so the trend is dropped instead.
pub(crate) async fn add(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
    at: DateTime<Utc>,
    value: f64,
) -> Result<()> {
    let Some(StoredTrend { clock, mut trend }) = stored(c, ws, kr).await? else {
        return Ok(());
    };
    if !clock.contains(at) {
        return Ok(());
    }
    if !trend.in_order(at) {
        return forget(c, ws, kr).await;
    }
    trend.add(at, value);
    save(c, ws, kr, &clock, &trend).await
}

/// A check-in `(at, value)` was appended to `kr`'s history, whose `trend` for `clock` the
/// caller read in this transaction: folds it in and stores the result, as [`add`] would, and
/// leaves `trend` as stored.
pub(crate) async fn fold(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
    clock: &CycleClock,
    trend: &mut Trend,
    at: DateTime<Utc>,
    value: f64,
) -> Result<()> {
    if !clock.contains(at) {
        return Ok(());
    }
    if trend.in_order(at) {
        trend.add(at, value);
        return save(c, ws, kr, clock, trend).await;
    }
    forget(c, ws, kr).await?;
    *trend = for_kr(c, ws, kr, clock).await?;
    Ok(())
}

/// Drops `kr`'s stored trend: its history changed in a way [`add`] cannot follow.
pub(crate) async fn forget(c: &mut Conn, ws: WorkspaceId, kr: KrId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "DELETE FROM kr_trends WHERE kr_id = $1 AND workspace_id = $2"
    )
    .bind(kr.0)
    .bind(ws.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_sums_decode_to_the_very_trend_and_bounds_encoded() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("instant");
        let clock = CycleClock {
            start: at("2026-09-30T22:00:00Z"),
            end: at("2026-12-31T23:00:00Z"),
        };
        let mut trend = Trend::EMPTY;
        trend.add(at("2026-10-02T08:00:00.123456789Z"), 14.0);
        trend.add(at("2026-10-09T08:00:00Z"), 13.1);
        trend.add(at("2026-10-16T08:00:00Z"), -0.0);
        let sums = encode(&clock, &trend).expect("in range");
        assert_eq!(decode(&sums), Some(StoredTrend { clock, trend }));
        let empty = encode(&clock, &Trend::EMPTY).expect("in range");
        assert_eq!(decode(&empty).map(|s| s.trend), Some(Trend::EMPTY));
        assert_eq!(decode(&sums[..79]), None, "a value of another shape");
    }
}
