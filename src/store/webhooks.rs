//! Team webhooks (`docs/webhooks.md`). Every query names the workspace, so a webhook id from
//! another workspace is simply not found.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result, StoreError};
use crate::domain::model::{TeamId, WorkspaceId};
use crate::domain::webhook::{Platform, Webhook, WebhookId};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    team_id: i64,
    platform: String,
    url: String,
    created_by: String,
    created_at: i64,
    failures: i64,
    last_error: Option<String>,
    disabled_at: Option<i64>,
}

const SELECT: &str = "SELECT id, team_id, platform, url, created_by, created_at, failures, \
     last_error, disabled_at FROM webhooks";

fn to_webhook(r: Row) -> Result<Webhook> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("webhook {}: {what}", r.id));
    Ok(Webhook {
        id: WebhookId(r.id),
        team: TeamId(r.team_id),
        platform: Platform::parse(&r.platform).ok_or_else(|| corrupt("platform"))?,
        created_at: DateTime::from_timestamp(r.created_at, 0)
            .ok_or_else(|| corrupt("created_at"))?,
        disabled_at: match r.disabled_at {
            Some(t) => Some(DateTime::from_timestamp(t, 0).ok_or_else(|| corrupt("disabled_at"))?),
            None => None,
        },
        failures: u32::try_from(r.failures).map_err(|_| corrupt("failures"))?,
        url: r.url,
        created_by: r.created_by,
        last_error: r.last_error,
    })
}

/// Adds a webhook; `None` when the team already has this URL.
pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    platform: Platform,
    url: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<WebhookId>> {
    let id: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO webhooks (workspace_id, team_id, platform, url, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, url) DO NOTHING RETURNING id",
    )
    .bind(ws.0)
    .bind(team.0)
    .bind(platform.as_str())
    .bind(url)
    .bind(by)
    .bind(now.timestamp())
    .fetch_optional(db)
    .await)?;
    Ok(id.map(WebhookId))
}

/// The team's webhooks, oldest first.
pub async fn list(c: &mut Conn, ws: WorkspaceId, team: TeamId) -> Result<Vec<Webhook>> {
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE workspace_id = $1 AND team_id = $2 ORDER BY id"
    )))
    .bind(ws.0)
    .bind(team.0)
    .fetch_all(db)
    .await)?;
    rows.into_iter().map(to_webhook).collect()
}

/// The ids of the team's webhooks that are not disabled: where its posts also go.
pub async fn active(c: &mut Conn, team: TeamId) -> Result<Vec<WebhookId>> {
    let ids: Vec<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT id FROM webhooks WHERE team_id = $1 AND disabled_at IS NULL ORDER BY id",
    )
    .bind(team.0)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(WebhookId).collect())
}

pub async fn get(c: &mut Conn, ws: WorkspaceId, id: WebhookId) -> Result<Option<Webhook>> {
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE workspace_id = $1 AND id = $2"
    )))
    .bind(ws.0)
    .bind(id.0)
    .fetch_optional(db)
    .await)?;
    row.map(to_webhook).transpose()
}

pub async fn remove(c: &mut Conn, ws: WorkspaceId, team: TeamId, id: WebhookId) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(
        "DELETE FROM webhooks WHERE workspace_id = $1 AND team_id = $2 AND id = $3"
    )
    .bind(ws.0)
    .bind(team.0)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Counts one more "not found" answer; returns the count so far, `None` when the webhook is
/// gone or already disabled.
pub async fn count_failure(
    c: &mut Conn,
    ws: WorkspaceId,
    id: WebhookId,
    why: &str,
) -> Result<Option<u32>> {
    let n: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "UPDATE webhooks SET failures = failures + 1, last_error = $1 \
         WHERE workspace_id = $2 AND id = $3 AND disabled_at IS NULL RETURNING failures",
    )
    .bind(why)
    .bind(ws.0)
    .bind(id.0)
    .fetch_optional(db)
    .await)?;
    Ok(n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}

pub async fn disable(
    c: &mut Conn,
    ws: WorkspaceId,
    id: WebhookId,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE webhooks SET disabled_at = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(now.timestamp())
    .bind(ws.0)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A delivery went through: the count of failures in a row starts again.
pub async fn clear_failures(c: &mut Conn, id: WebhookId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE webhooks SET failures = 0, last_error = NULL \
         WHERE id = $1 AND (failures > 0 OR last_error IS NOT NULL)",
    )
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Remembers the last failure of any kind, for `/okr webhook list`.
pub async fn note_error(c: &mut Conn, id: WebhookId, why: &str) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE webhooks SET last_error = $1 WHERE id = $2"
    )
    .bind(why)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Enables a webhook again (it took `/okr webhook test`'s sample), its failures forgotten.
pub async fn enable(c: &mut Conn, ws: WorkspaceId, id: WebhookId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE webhooks SET disabled_at = NULL, failures = 0, last_error = NULL \
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws.0)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
