//! Each person's direct-message channel with the bot (`docs/discord.md`, "Direct messages"):
//! opened once, known to every process sharing the database.

use super::on;
use super::{Conn, Result};
use crate::domain::model::WorkspaceId;

/// The channel Discord opened for `member`'s direct messages, if one is known.
pub async fn of(c: &mut Conn, ws: WorkspaceId, member: &str) -> Result<Option<String>> {
    Ok(on!(c, |db| sqlx::query_scalar(
        "SELECT channel FROM dm_channels WHERE workspace_id = $1 AND member = $2"
    )
    .bind(ws.0)
    .bind(member)
    .fetch_optional(db)
    .await)?)
}

pub async fn remember(c: &mut Conn, ws: WorkspaceId, member: &str, channel: &str) -> Result<()> {
    on!(c, |db| sqlx::query(
        "INSERT INTO dm_channels (workspace_id, member, channel) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id, member) DO UPDATE SET channel = excluded.channel",
    )
    .bind(ws.0)
    .bind(member)
    .bind(channel)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
