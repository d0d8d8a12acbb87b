use chrono::{DateTime, Utc};

use super::{Conn, Result};
use crate::domain::model::{KrId, TeamId, WorkspaceId};

/// Opens a kr-at-risk alert unless one is open already. Returns whether it was opened now.
pub async fn open_at_risk(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    kr: KrId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO alerts (workspace_id, team_id, kind, subject, state, first_seen, last_seen) \
         VALUES (?, ?, 'kr-at-risk', ?, 'open', ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(ws.0)
    .bind(team.0)
    .bind(kr.0)
    .bind(now.timestamp())
    .bind(now.timestamp())
    .execute(c.sqlite())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Resolves the open kr-at-risk alert of this key result, if any.
pub async fn resolve_at_risk(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE alerts SET state = 'resolved', last_seen = ?, recovery_pending = announced \
         WHERE workspace_id = ? AND kind = 'kr-at-risk' AND subject = ? AND state <> 'resolved'",
    )
    .bind(now.timestamp())
    .bind(ws.0)
    .bind(kr.0)
    .execute(c.sqlite())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Key results with an open at-risk alert in this team.
pub async fn open_at_risk_for_team(c: &mut Conn, team: TeamId) -> Result<Vec<KrId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT subject FROM alerts WHERE team_id = ? AND kind = 'kr-at-risk' AND state <> 'resolved'",
    )
    .bind(team.0)
    .fetch_all(c.sqlite())
    .await?;
    Ok(ids.into_iter().map(KrId).collect())
}

/// Teams with opened alerts nobody has been told about yet, or announced alerts whose recovery
/// has not been told.
pub async fn teams_to_announce(
    c: &mut Conn,
    scope: Option<WorkspaceId>,
) -> Result<Vec<(WorkspaceId, TeamId)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT workspace_id, team_id FROM alerts WHERE state = 'open' AND announced = 0 \
         AND (?1 IS NULL OR workspace_id = ?1) \
         UNION SELECT workspace_id, team_id FROM alerts WHERE state = 'resolved' AND recovery_pending = 1 \
         AND (?1 IS NULL OR workspace_id = ?1)",
    )
    .bind(scope.map(|w| w.0))
    .fetch_all(c.sqlite())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(w, t)| (WorkspaceId(w), TeamId(t)))
        .collect())
}

/// Takes the team's unannounced alerts, marking them announced; the caller records the one
/// message that names them all in the same transaction.
pub async fn take_unannounced(c: &mut Conn, team: TeamId) -> Result<Vec<KrId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE alerts SET announced = 1 WHERE team_id = ? AND state = 'open' AND announced = 0 RETURNING subject",
    )
    .bind(team.0)
    .fetch_all(c.sqlite())
    .await?;
    Ok(ids.into_iter().map(KrId).collect())
}

/// Takes the team's resolved alerts whose recovery is still to be told, marking them told; the
/// caller records the message in the same transaction.
pub async fn take_recovered(c: &mut Conn, team: TeamId) -> Result<Vec<KrId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE alerts SET recovery_pending = 0 WHERE team_id = ? AND state = 'resolved' \
         AND recovery_pending = 1 RETURNING subject",
    )
    .bind(team.0)
    .fetch_all(c.sqlite())
    .await?;
    Ok(ids.into_iter().map(KrId).collect())
}
