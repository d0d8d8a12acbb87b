//! Table `schedules`: one row per team and kind of scheduled work, with its cron and next due
//! time. A slot is taken by moving `next_due_at` on only from the value read
//! ([`advance`]), so two schedulers never both fire it.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result};
use crate::domain::model::{TeamId, WorkspaceId};
pub use crate::domain::schedule::ScheduleKind;

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    pub team: TeamId,
    pub workspace: WorkspaceId,
    pub kind: ScheduleKind,
    pub cron: String,
    pub next_due: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    team_id: i64,
    workspace_id: i64,
    kind: String,
    cron: String,
    next_due_at: i64,
}

fn to_row(r: Row) -> Option<ScheduleRow> {
    Some(ScheduleRow {
        team: TeamId(r.team_id),
        workspace: WorkspaceId(r.workspace_id),
        kind: ScheduleKind::parse(&r.kind)?,
        cron: r.cron,
        next_due: DateTime::from_timestamp(r.next_due_at, 0)?,
    })
}

pub async fn upsert(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    kind: ScheduleKind,
    cron: &str,
    next_due: DateTime<Utc>,
) -> Result<()> {
    on!(c, |db| {
        sqlx::query(
        "INSERT INTO schedules (team_id, workspace_id, kind, cron, next_due_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (team_id, kind) DO UPDATE SET cron = excluded.cron, next_due_at = excluded.next_due_at",
    )
    .bind(team.0)
    .bind(ws.0)
    .bind(kind.as_str())
    .bind(cron)
    .bind(next_due.timestamp())
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn for_team(c: &mut Conn, ws: WorkspaceId, team: TeamId) -> Result<Vec<ScheduleRow>> {
    let rows: Vec<Row> = on!(c, |db| {
        sqlx::query_as(
        "SELECT team_id, workspace_id, kind, cron, next_due_at FROM schedules WHERE workspace_id = $1 AND team_id = $2",
    )
    .bind(ws.0)
    .bind(team.0)
    .fetch_all(db).await
    })?;
    Ok(rows.into_iter().filter_map(to_row).collect())
}

/// Every schedule of the workspace, in one read (the export).
pub async fn for_workspace(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<ScheduleRow>> {
    let rows: Vec<Row> = on!(c, |db| {
        sqlx::query_as(
        "SELECT team_id, workspace_id, kind, cron, next_due_at FROM schedules WHERE workspace_id = $1",
    )
    .bind(ws.0)
    .fetch_all(db).await
    })?;
    Ok(rows.into_iter().filter_map(to_row).collect())
}

/// The schedules due at `now`, oldest first: an index range scan on `next_due_at`.
/// `scope`: one workspace's only (a console), or every workspace's.
pub async fn due(
    c: &mut Conn,
    now: DateTime<Utc>,
    limit: i64,
    scope: Option<WorkspaceId>,
) -> Result<Vec<ScheduleRow>> {
    let rows: Vec<Row> = on!(c, |db| {
        sqlx::query_as(
        "SELECT team_id, workspace_id, kind, cron, next_due_at FROM schedules \
         WHERE next_due_at <= $1 AND ($3 IS NULL OR workspace_id = $3) ORDER BY next_due_at LIMIT $2",
    )
    .bind(now.timestamp())
    .bind(limit)
    .bind(scope.map(|w| w.0))
    .fetch_all(db).await
    })?;
    Ok(rows.into_iter().filter_map(to_row).collect())
}

/// The earliest due time of all schedules: when the loop must wake up next.
pub async fn next_due(c: &mut Conn, scope: Option<WorkspaceId>) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT min(next_due_at) FROM schedules WHERE $1 IS NULL OR workspace_id = $1",
    )
    .bind(scope.map(|w| w.0))
    .fetch_one(db)
    .await)?;
    Ok(t.and_then(|t| DateTime::from_timestamp(t, 0)))
}

/// Moves a schedule on, only if it is still at `expected` (so two schedulers cannot both fire
/// one slot). Returns whether this caller won.
pub async fn advance(
    c: &mut Conn,
    team: TeamId,
    kind: ScheduleKind,
    expected: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool> {
    let done = on!(c, |db| {
        sqlx::query(
        "UPDATE schedules SET next_due_at = $1 WHERE team_id = $2 AND kind = $3 AND next_due_at = $4",
    )
    .bind(next.timestamp())
    .bind(team.0)
    .bind(kind.as_str())
    .bind(expected.timestamp())
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Brings a schedule's next due time forward to `at` if it is later (a member's own zone makes
/// a prompt come sooner than the team's); returns whether it moved.
pub async fn pull_forward(
    c: &mut Conn,
    team: TeamId,
    kind: ScheduleKind,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = on!(c, |db| {
        sqlx::query(
        "UPDATE schedules SET next_due_at = $1 WHERE team_id = $2 AND kind = $3 AND next_due_at > $1",
    )
    .bind(at.timestamp())
    .bind(team.0)
    .bind(kind.as_str())
    .execute(db)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}
