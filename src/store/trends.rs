//! The trend of each key result's check-ins inside its cycle (`domain::trend`), kept in
//! `kr_trends` beside the history so that a check-in reads one row, not every point.
//!
//! Contract: a stored trend is exactly [`Trend::of`] the key result's check-ins inside the
//! bounds it was summed for, in `(created_at, id)` order. [`add`] keeps it so for a check-in
//! appended at or after the latest point; anything else that changes the history drops it
//! ([`forget`]), and [`for_kr`] sums it again on its next read.

use chrono::{DateTime, Utc};

use super::{Conn, Result};
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

/// The `kr_trends` columns as read beside a key result (a LEFT JOIN: all NULL without one).
#[derive(sqlx::FromRow)]
pub(crate) struct JoinedRow {
    tr_from_at: Option<DateTime<Utc>>,
    tr_to_at: Option<DateTime<Utc>>,
    tr_n: Option<i64>,
    tr_origin_ms: Option<i64>,
    tr_mean_x: Option<f64>,
    tr_mean_y: Option<f64>,
    tr_sxx: Option<f64>,
    tr_sxy: Option<f64>,
    tr_first_at: Option<DateTime<Utc>>,
    tr_last_at: Option<DateTime<Utc>>,
}

/// The columns of [`JoinedRow`], for a query that joins `kr_trends tr`.
pub(crate) const JOINED_COLUMNS: &str = "tr.from_at AS tr_from_at, tr.to_at AS tr_to_at, \
     tr.n AS tr_n, tr.origin_ms AS tr_origin_ms, tr.mean_x AS tr_mean_x, tr.mean_y AS tr_mean_y, \
     tr.sxx AS tr_sxx, tr.sxy AS tr_sxy, tr.first_at AS tr_first_at, tr.last_at AS tr_last_at";

impl JoinedRow {
    pub(crate) fn stored(self) -> Option<StoredTrend> {
        Some(StoredTrend {
            clock: CycleClock {
                start: self.tr_from_at?,
                end: self.tr_to_at?,
            },
            trend: Trend {
                n: u64::try_from(self.tr_n?).unwrap_or(0),
                origin_ms: self.tr_origin_ms?,
                mean_x: self.tr_mean_x?,
                mean_y: self.tr_mean_y?,
                sxx: self.tr_sxx?,
                sxy: self.tr_sxy?,
                first: self.tr_first_at,
                last: self.tr_last_at,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    from_at: DateTime<Utc>,
    to_at: DateTime<Utc>,
    n: i64,
    origin_ms: i64,
    mean_x: f64,
    mean_y: f64,
    sxx: f64,
    sxy: f64,
    first_at: Option<DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
}

impl Row {
    fn trend(&self) -> Trend {
        Trend {
            n: u64::try_from(self.n).unwrap_or(0),
            origin_ms: self.origin_ms,
            mean_x: self.mean_x,
            mean_y: self.mean_y,
            sxx: self.sxx,
            sxy: self.sxy,
            first: self.first_at,
            last: self.last_at,
        }
    }
}

async fn stored(c: &mut Conn, ws: WorkspaceId, kr: KrId) -> Result<Option<Row>> {
    Ok(sqlx::query_as(
        "SELECT from_at, to_at, n, origin_ms, mean_x, mean_y, sxx, sxy, first_at, last_at \
         FROM kr_trends WHERE kr_id = ? AND workspace_id = ?",
    )
    .bind(kr.0)
    .bind(ws.0)
    .fetch_optional(c.sqlite())
    .await?)
}

async fn save(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
    clock: &CycleClock,
    t: &Trend,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO kr_trends (kr_id, workspace_id, from_at, to_at, n, origin_ms, mean_x, mean_y, \
         sxx, sxy, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (kr_id) DO UPDATE SET from_at = excluded.from_at, to_at = excluded.to_at, \
         n = excluded.n, origin_ms = excluded.origin_ms, mean_x = excluded.mean_x, \
         mean_y = excluded.mean_y, sxx = excluded.sxx, sxy = excluded.sxy, \
         first_at = excluded.first_at, last_at = excluded.last_at",
    )
    .bind(kr.0)
    .bind(ws.0)
    .bind(clock.start)
    .bind(clock.end)
    .bind(i64::try_from(t.n).unwrap_or(i64::MAX))
    .bind(t.origin_ms)
    .bind(t.mean_x)
    .bind(t.mean_y)
    .bind(t.sxx)
    .bind(t.sxy)
    .bind(t.first)
    .bind(t.last)
    .execute(c.sqlite())
    .await?;
    Ok(())
}

/// The trend of `kr`'s check-ins inside `clock`, in the caller's write transaction: the stored
/// one when it was summed for these bounds, else summed from the history once and stored (the
/// first check-in after a change of zone or dates, or an undo, pays for the history once).
pub async fn for_kr(c: &mut Conn, ws: WorkspaceId, kr: KrId, clock: &CycleClock) -> Result<Trend> {
    if let Some(row) = stored(c, ws, kr).await? {
        if row.from_at == clock.start && row.to_at == clock.end {
            return Ok(row.trend());
        }
    }
    let points = super::check_ins::points_between(c, ws, kr, clock.start, clock.end).await?;
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
    let Some(row) = stored(c, ws, kr).await? else {
        return Ok(());
    };
    let clock = CycleClock {
        start: row.from_at,
        end: row.to_at,
    };
    if !clock.contains(at) {
        return Ok(());
    }
    let mut trend = row.trend();
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
    sqlx::query("DELETE FROM kr_trends WHERE kr_id = ? AND workspace_id = ?")
        .bind(kr.0)
        .bind(ws.0)
        .execute(c.sqlite())
        .await?;
    Ok(())
}
