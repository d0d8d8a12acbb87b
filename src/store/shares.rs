//! Table `objective_shares`: the contributing teams of a shared objective (`docs/scoring.md`,
//! "Shared objectives"), and the key results a contributing team carries
//! (`key_results.carried_by`). Every read and write is scoped to one workspace.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result};
use crate::domain::model::{KrId, ObjectiveId, TeamId, WorkspaceId};

/// Every share of the workspace, as (objective, contributing team).
pub async fn all(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<(ObjectiveId, TeamId)>> {
    let rows: Vec<(i64, i64)> = on!(c, |db| sqlx::query_as(
        "SELECT objective_id, team_id FROM objective_shares WHERE workspace_id = $1 \
         ORDER BY objective_id, team_id",
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(o, t)| (ObjectiveId(o), TeamId(t)))
        .collect())
}

/// The shares that involve `team` or any of `objectives`, as (objective, contributing team),
/// ordered as [`all`]: those a team's own state reads, through `objective_shares_by_team` and
/// the primary key instead of every share of the workspace. PostgreSQL takes the ids as an
/// array instead of JSON.
pub async fn touching(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    objectives: &[ObjectiveId],
) -> Result<Vec<(ObjectiveId, TeamId)>> {
    let ids: Vec<i64> = objectives.iter().map(|o| o.0).collect();
    let rows: Vec<(i64, i64)> = on!(c,
        sqlite |db| sqlx::query_as(
            "SELECT objective_id, team_id FROM objective_shares \
             WHERE +workspace_id = $1 AND (team_id = $2 OR objective_id IN (SELECT value FROM json_each($3))) \
             ORDER BY objective_id, team_id",
        )
        .bind(ws.0)
        .bind(team.0)
        .bind(
            serde_json::to_string(&ids)
                .map_err(|e| super::StoreError::Corrupt(format!("objective ids: {e}")))?,
        )
        .fetch_all(db)
        .await,
        postgres |db| sqlx::query_as(
            "SELECT objective_id, team_id FROM objective_shares \
             WHERE workspace_id = $1 AND (team_id = $2 OR objective_id = ANY($3)) \
             ORDER BY objective_id, team_id",
        )
        .bind(ws.0)
        .bind(team.0)
        .bind(ids)
        .fetch_all(db)
        .await,
    )?;
    Ok(rows
        .into_iter()
        .map(|(o, t)| (ObjectiveId(o), TeamId(t)))
        .collect())
}

/// The objectives shared with `team`.
pub async fn with_team(c: &mut Conn, ws: WorkspaceId, team: TeamId) -> Result<Vec<ObjectiveId>> {
    let ids: Vec<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT objective_id FROM objective_shares WHERE workspace_id = $1 AND team_id = $2 \
         ORDER BY objective_id",
    )
    .bind(ws.0)
    .bind(team.0)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(ObjectiveId).collect())
}

/// Shares the objective with the team; `false` when it was shared already.
pub async fn add(
    c: &mut Conn,
    ws: WorkspaceId,
    objective: ObjectiveId,
    team: TeamId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(
        "INSERT INTO objective_shares (workspace_id, objective_id, team_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (objective_id, team_id) DO NOTHING",
    )
    .bind(ws.0)
    .bind(objective.0)
    .bind(team.0)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Ends a share; the key results the team carried go back to the home team. Returns whether it
/// was shared, and the key results that went back.
pub async fn remove(
    c: &mut Conn,
    ws: WorkspaceId,
    objective: ObjectiveId,
    team: TeamId,
) -> Result<(bool, Vec<KrId>)> {
    let done = on!(c, |db| {
        sqlx::query(
        "DELETE FROM objective_shares WHERE workspace_id = $1 AND objective_id = $2 AND team_id = $3",
    )
    .bind(ws.0)
    .bind(objective.0)
    .bind(team.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    let back: Vec<i64> = on!(c, |db| {
        sqlx::query_scalar(
        "UPDATE key_results SET carried_by = NULL WHERE workspace_id = $1 AND objective_id = $2 \
         AND carried_by = $3 RETURNING id",
    )
    .bind(ws.0)
    .bind(objective.0)
    .bind(team.0)
    .fetch_all(db).await
    })?;
    Ok((done == 1, back.into_iter().map(KrId).collect()))
}

/// Sets (or, with `None`, clears) the contributing team that carries a key result.
pub async fn carry(c: &mut Conn, ws: WorkspaceId, kr: KrId, team: Option<TeamId>) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE key_results SET carried_by = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(team.map(|t| t.0))
    .bind(ws.0)
    .bind(kr.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
