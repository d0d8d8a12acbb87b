//! People whose direct messages refused the bot (`docs/discord.md`, "Direct messages").

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result};
use crate::domain::model::WorkspaceId;

/// When the person's direct messages were last found closed, if they were.
pub async fn since(c: &mut Conn, ws: WorkspaceId, user: &str) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT since FROM closed_dms WHERE workspace_id = $1 AND member = $2"
    )
    .bind(ws.0)
    .bind(user)
    .fetch_optional(db)
    .await)?;
    Ok(t.and_then(|t| DateTime::from_timestamp(t, 0)))
}

pub async fn remember(c: &mut Conn, ws: WorkspaceId, user: &str, now: DateTime<Utc>) -> Result<()> {
    on!(c, |db| sqlx::query(
        "INSERT INTO closed_dms (workspace_id, member, since) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id, member) DO UPDATE SET since = excluded.since",
    )
    .bind(ws.0)
    .bind(user)
    .bind(now.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn forget(c: &mut Conn, ws: WorkspaceId, user: &str) -> Result<()> {
    on!(c, |db| sqlx::query(
        "DELETE FROM closed_dms WHERE workspace_id = $1 AND member = $2"
    )
    .bind(ws.0)
    .bind(user)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
