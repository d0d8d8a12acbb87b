//! Table `workspaces`: one row per chat workspace, found by its platform key
//! (`console:acme`, `discord:<guild id>`) and made on first use, never twice for one key.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result};
use crate::domain::model::WorkspaceId;

/// Finds the workspace with this platform key, creating it on first use.
pub async fn ensure(
    c: &mut Conn,
    key: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<WorkspaceId> {
    on!(c, |db| {
        sqlx::query("INSERT INTO workspaces (key, name, created_at) VALUES ($1, $2, $3) ON CONFLICT(key) DO NOTHING")
        .bind(key)
        .bind(name)
        .bind(now)
        .execute(db).await.map(|r| r.rows_affected())
    })?;
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE key = $1"
    )
    .bind(key)
    .fetch_one(db)
    .await)?;
    Ok(WorkspaceId(id))
}

pub async fn find(c: &mut Conn, key: &str) -> Result<Option<WorkspaceId>> {
    let id: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(db)
    .await)?;
    Ok(id.map(WorkspaceId))
}
