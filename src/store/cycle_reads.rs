//! Reads of a whole cycle for scoring (status, the rollup), and how they are spread over the
//! pool's connections: how to read is the store's choice, so the use cases only say what they
//! need (`docs/scoring.md`, "Speed").

use std::time::Duration;

use super::check_ins::{self, trend::StoredTrend, Points};
use super::{key_results, Conn, Result, Store};
use crate::domain::model::{CycleId, KeyResult, WorkspaceId};

/// A cycle's key results, each with its stored trend if it has one (the caller checks it was
/// summed for the cycle's bounds in the team's zone), and the points of those that have no
/// stored trend at all.
pub struct ForScoring {
    pub krs: Vec<(KeyResult, Option<StoredTrend>)>,
    pub untrended: Points,
}

/// [`ForScoring`] of `cycle`. The key results are read in two halves on `c` and a second
/// connection while the untrended points are read on a third, so SQLite works on them at once
/// on their own threads; with no connection free, on `c` alone, one after another. Each read
/// is consistent in itself; a check-in committed between them shows on the next read.
pub async fn for_scoring(
    store: &Store,
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: CycleId,
) -> Result<ForScoring> {
    // Helpers only if the pool has them at once: every other reader may be doing the same.
    let wait = Duration::from_millis(20);
    let mut second = store.read_if_free(wait).await;
    let mut third = store.read_if_free(wait).await;
    let Some(t) = third.as_mut() else {
        let krs = match second.as_mut() {
            Some(s) => key_results::list_in_cycle_with_trends_on_two(c, s, ws, cycle).await?,
            None => key_results::list_in_cycle_with_trends(c, ws, cycle).await?,
        };
        // The ones just read as untrended, so both reads agree whatever was committed since.
        let ids: Vec<_> = krs
            .iter()
            .filter(|(_, trend)| trend.is_none())
            .map(|(kr, _)| kr.id)
            .collect();
        let untrended = check_ins::points_of(c, ws, &ids).await?;
        return Ok(ForScoring { krs, untrended });
    };
    let krs = async {
        match second.as_mut() {
            Some(s) => key_results::list_in_cycle_with_trends_on_two(c, s, ws, cycle).await,
            None => key_results::list_in_cycle_with_trends(c, ws, cycle).await,
        }
    };
    let untrended = check_ins::points_untrended_in_cycle(t, ws, cycle);
    let (krs, untrended) = tokio::join!(krs, untrended);
    Ok(ForScoring {
        krs: krs?,
        untrended: untrended?,
    })
}
