//! Alerts: a key result in red, a KPI out of its healthy range. One open alert per subject;
//! opening and telling are apart (`docs/schedules-and-delivery.md`, "Alerts"): the scheduler
//! tells a team's pending alerts and recoveries together once they may be told.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result};
use crate::domain::model::{KpiId, KrId, TeamId, WorkspaceId};

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    KrAtRisk,
    KpiOutOfRange,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::KrAtRisk => "kr-at-risk",
            AlertKind::KpiOutOfRange => "kpi-out-of-range",
        }
    }
}

/// How long a team's earliest pending alert may wait for later ones still in their window.
const LONGEST_WAIT_SECONDS: i64 = 3600;

/// Opens an alert on `subject` unless one is open already, to be told from `tell_after` on.
/// An alert that resolved a moment ago whose recovery nobody has been told yet is opened again
/// instead, as if it had never resolved: a typo that took a key result out of red and its
/// correction say nothing. Returns whether a new alert was opened.
pub async fn open(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    kind: AlertKind,
    subject: i64,
    now: DateTime<Utc>,
    tell_after: DateTime<Utc>,
) -> Result<bool> {
    let reopened = on!(c, |db| {
        sqlx::query(
        "UPDATE alerts SET state = 'open', recovery_pending = FALSE, last_seen = $1 \
         WHERE id = (SELECT max(id) FROM alerts WHERE workspace_id = $2 AND kind = $3 AND subject = $4 \
         AND state = 'resolved' AND recovery_pending) \
         AND NOT EXISTS (SELECT 1 FROM alerts WHERE workspace_id = $5 AND kind = $6 AND subject = $7 \
         AND state <> 'resolved')",
    )
    .bind(now.timestamp())
    .bind(ws.0)
    .bind(kind.as_str())
    .bind(subject)
    .bind(ws.0)
    .bind(kind.as_str())
    .bind(subject)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    if reopened > 0 {
        return Ok(false);
    }
    let done = on!(c, |db| {
        sqlx::query(
        "INSERT INTO alerts (workspace_id, team_id, kind, subject, state, first_seen, last_seen, \
         announce_after) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(ws.0)
    .bind(team.0)
    .bind(kind.as_str())
    .bind(subject)
    .bind(now.timestamp())
    .bind(now.timestamp())
    .bind(tell_after.timestamp())
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Resolves the open alert on `subject`, if any. Its recovery is told from `tell_after` on
/// when `tell` and the alert itself was told; an alert nobody heard of resolves in silence.
/// Returns whether one was resolved.
pub async fn resolve(
    c: &mut Conn,
    ws: WorkspaceId,
    kind: AlertKind,
    subject: i64,
    now: DateTime<Utc>,
    tell_after: DateTime<Utc>,
    tell: bool,
) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(
        "UPDATE alerts SET state = 'resolved', last_seen = $1, \
         recovery_pending = CASE WHEN $2 THEN announced ELSE FALSE END, announce_after = $3 \
         WHERE workspace_id = $4 AND kind = $5 AND subject = $6 AND state <> 'resolved'",
    )
    .bind(now.timestamp())
    .bind(tell)
    .bind(tell_after.timestamp())
    .bind(ws.0)
    .bind(kind.as_str())
    .bind(subject)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Key results with an open at-risk alert in this team.
pub async fn open_at_risk_for_team(c: &mut Conn, team: TeamId) -> Result<Vec<KrId>> {
    let ids: Vec<i64> = on!(c, |db| {
        sqlx::query_scalar(
        "SELECT subject FROM alerts WHERE team_id = $1 AND kind = 'kr-at-risk' AND state <> 'resolved'",
    )
    .bind(team.0)
    .fetch_all(db).await
    })?;
    Ok(ids.into_iter().map(KrId).collect())
}

/// An alert waiting to be told: opened and not told, or resolved after it was told and its
/// recovery not told yet.
/// Written as two halves so that each reads its own partial index.
const PENDING: &str = "(SELECT workspace_id, team_id, announce_after FROM alerts \
     WHERE state = 'open' AND NOT announced \
     UNION ALL SELECT workspace_id, team_id, announce_after FROM alerts \
     WHERE state = 'resolved' AND recovery_pending) AS pending";

/// Teams whose pending alerts may be told at `now`: the latest of them may, or the earliest has
/// waited [`LONGEST_WAIT_SECONDS`] past its own time.
pub async fn teams_to_announce(
    c: &mut Conn,
    scope: Option<WorkspaceId>,
    now: DateTime<Utc>,
) -> Result<Vec<(WorkspaceId, TeamId)>> {
    let rows: Vec<(i64, i64)> = on!(c, |db| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT workspace_id, team_id FROM {PENDING} \
         WHERE ($1 IS NULL OR workspace_id = $1) GROUP BY workspace_id, team_id \
         HAVING max(announce_after) <= $2 OR min(announce_after) <= $2 - {LONGEST_WAIT_SECONDS}"
    )))
    .bind(scope.map(|w| w.0))
    .bind(now.timestamp())
    .fetch_all(db)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(w, t)| (WorkspaceId(w), TeamId(t)))
        .collect())
}

/// When the next team's pending alerts may be told, if any team has some.
pub async fn next_announcement(
    c: &mut Conn,
    scope: Option<WorkspaceId>,
) -> Result<Option<DateTime<Utc>>> {
    // The smaller of two values is `min(a, b)` on SQLite and `least(a, b)` on PostgreSQL.
    let sql = |smaller: &str| {
        sqlx::AssertSqlSafe(format!(
            "SELECT min(due) FROM (SELECT {smaller}(max(announce_after), min(announce_after) + {LONGEST_WAIT_SECONDS}) AS due \
             FROM {PENDING} WHERE ($1 IS NULL OR workspace_id = $1) GROUP BY team_id) AS due"
        ))
    };
    let sql = sql(on!(c, sqlite | _db | "min", postgres | _db | "least"));
    let at: Option<i64> = on!(c, |db| sqlx::query_scalar(sql)
        .bind(scope.map(|w| w.0))
        .fetch_one(db)
        .await)?;
    Ok(at.and_then(|s| DateTime::from_timestamp(s, 0)))
}

/// What a team's announcement tells.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pending {
    pub red: Vec<KrId>,
    pub out_of_red: Vec<KrId>,
    pub out_of_range: Vec<KpiId>,
    pub back_in_range: Vec<KpiId>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.red.is_empty()
            && self.out_of_red.is_empty()
            && self.out_of_range.is_empty()
            && self.back_in_range.is_empty()
    }
}

/// Takes everything the team has pending, marking it told; the caller records the one message
/// that tells it all in the same transaction.
pub async fn take_pending(c: &mut Conn, team: TeamId) -> Result<Pending> {
    let opened: Vec<(String, i64)> = on!(c, |db| {
        sqlx::query_as(
        "UPDATE alerts SET announced = TRUE WHERE team_id = $1 AND state = 'open' AND NOT announced \
         RETURNING kind, subject",
    )
    .bind(team.0)
    .fetch_all(db).await
    })?;
    let recovered: Vec<(String, i64)> = on!(c, |db| sqlx::query_as(
        "UPDATE alerts SET recovery_pending = FALSE WHERE team_id = $1 AND state = 'resolved' \
         AND recovery_pending RETURNING kind, subject",
    )
    .bind(team.0)
    .fetch_all(db)
    .await)?;
    let mut p = Pending::default();
    let is = |k: &str, kind: AlertKind| k == kind.as_str();
    for (kind, subject) in opened {
        if is(&kind, AlertKind::KrAtRisk) {
            p.red.push(KrId(subject));
        } else if is(&kind, AlertKind::KpiOutOfRange) {
            p.out_of_range.push(KpiId(subject));
        }
    }
    for (kind, subject) in recovered {
        if is(&kind, AlertKind::KrAtRisk) {
            p.out_of_red.push(KrId(subject));
        } else if is(&kind, AlertKind::KpiOutOfRange) {
            p.back_in_range.push(KpiId(subject));
        }
    }
    // Stable order: as the subjects were created.
    p.red.sort();
    p.out_of_red.sort();
    p.out_of_range.sort();
    p.back_in_range.sort();
    Ok(p)
}
