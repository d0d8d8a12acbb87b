//! People whose direct messages refused the bot (`docs/discord.md`, "Direct messages").

use chrono::{DateTime, Utc};

use super::{Conn, Result};
use crate::domain::model::WorkspaceId;

/// When the person's direct messages were last found closed, if they were.
pub async fn since(c: &mut Conn, ws: WorkspaceId, user: &str) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> =
        sqlx::query_scalar("SELECT since FROM closed_dms WHERE workspace_id = ? AND user = ?")
            .bind(ws.0)
            .bind(user)
            .fetch_optional(c.sqlite())
            .await?;
    Ok(t.and_then(|t| DateTime::from_timestamp(t, 0)))
}

pub async fn remember(c: &mut Conn, ws: WorkspaceId, user: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO closed_dms (workspace_id, user, since) VALUES (?, ?, ?) \
         ON CONFLICT (workspace_id, user) DO UPDATE SET since = excluded.since",
    )
    .bind(ws.0)
    .bind(user)
    .bind(now.timestamp())
    .execute(c.sqlite())
    .await?;
    Ok(())
}

pub async fn forget(c: &mut Conn, ws: WorkspaceId, user: &str) -> Result<()> {
    sqlx::query("DELETE FROM closed_dms WHERE workspace_id = ? AND user = ?")
        .bind(ws.0)
        .bind(user)
        .execute(c.sqlite())
        .await?;
    Ok(())
}
