//! Table `cycles`: the workspace's OKR periods, unique by name in it. A cycle is closed once, by
//! stamping `closed_at`; it is never reopened or deleted here.

use chrono::{DateTime, NaiveDate, Utc};

use super::on;
use super::{Conn, Result, StoreError};
use crate::domain::model::{Cycle, CycleId, WorkspaceId};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    closed_at: Option<DateTime<Utc>>,
}

impl From<Row> for Cycle {
    fn from(r: Row) -> Cycle {
        Cycle {
            id: CycleId(r.id),
            name: r.name,
            start: r.start_date,
            end: r.end_date,
            closed: r.closed_at.is_some(),
        }
    }
}

pub async fn by_name(c: &mut Conn, ws: WorkspaceId, name: &str) -> Result<Option<Cycle>> {
    let row: Option<Row> = on!(c, |db| {
        sqlx::query_as(
        "SELECT id, name, start_date, end_date, closed_at FROM cycles WHERE workspace_id = $1 AND name = $2",
    )
    .bind(ws.0)
    .bind(name)
    .fetch_optional(db).await
    })?;
    Ok(row.map(Cycle::from))
}

pub async fn by_id(c: &mut Conn, ws: WorkspaceId, id: CycleId) -> Result<Option<Cycle>> {
    let row: Option<Row> = on!(c, |db| {
        sqlx::query_as(
        "SELECT id, name, start_date, end_date, closed_at FROM cycles WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws.0)
    .bind(id.0)
    .fetch_optional(db).await
    })?;
    Ok(row.map(Cycle::from))
}

pub async fn list(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<Cycle>> {
    let rows: Vec<Row> = on!(c, |db| {
        sqlx::query_as(
        "SELECT id, name, start_date, end_date, closed_at FROM cycles WHERE workspace_id = $1 ORDER BY start_date, id",
    )
    .bind(ws.0)
    .fetch_all(db).await
    })?;
    Ok(rows.into_iter().map(Cycle::from).collect())
}

pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    name: &str,
    start: NaiveDate,
    end: NaiveDate,
    now: DateTime<Utc>,
) -> Result<CycleId> {
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO cycles (workspace_id, name, start_date, end_date, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(ws.0)
    .bind(name)
    .bind(start)
    .bind(end)
    .bind(now)
    .fetch_one(db).await)
    .map_err(StoreError::from_write)?;
    Ok(CycleId(id))
}

pub async fn close(c: &mut Conn, ws: WorkspaceId, id: CycleId, now: DateTime<Utc>) -> Result<()> {
    on!(c, |db| {
        sqlx::query(
        "UPDATE cycles SET closed_at = $1 WHERE workspace_id = $2 AND id = $3 AND closed_at IS NULL",
    )
    .bind(now)
    .bind(ws.0)
    .bind(id.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Import: a cycle exactly as exported, closed or not.
/// An imported cycle; a closed one keeps the time it was closed, when the file says it.
pub async fn restore(
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: &Cycle,
    now: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
) -> Result<CycleId> {
    let id = insert(c, ws, &cycle.name, cycle.start, cycle.end, now).await?;
    if cycle.closed {
        close(c, ws, id, closed_at.unwrap_or(now)).await?;
    }
    Ok(id)
}

/// When each closed cycle of the workspace was closed, by name: the export carries it.
pub async fn closed_times(
    c: &mut Conn,
    ws: WorkspaceId,
) -> Result<std::collections::HashMap<String, DateTime<Utc>>> {
    let rows: Vec<(String, DateTime<Utc>)> = on!(c, |db| sqlx::query_as(
        "SELECT name, closed_at FROM cycles WHERE workspace_id = $1 AND closed_at IS NOT NULL",
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().collect())
}
