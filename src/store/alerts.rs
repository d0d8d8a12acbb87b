//! Alerts: a key result in red, a KPI out of its healthy range. One open alert per subject;
//! opening and telling are apart (`docs/schedules-and-delivery.md`, "Alerts"): the scheduler
//! tells a team's pending alerts and recoveries together once they may be told.

use std::collections::HashSet;

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
    if reopen(c, ws, kind, subject, now).await? {
        return Ok(false);
    }
    Ok(open_new(c, ws, team, kind, &[subject], now, tell_after).await? == 1)
}

/// Opens again the latest alert on `subject` that resolved with its recovery still untold,
/// unless another is open. Returns whether it did.
pub async fn reopen(
    c: &mut Conn,
    ws: WorkspaceId,
    kind: AlertKind,
    subject: i64,
    now: DateTime<Utc>,
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
    Ok(reopened > 0)
}

/// Opens a new alert on each of `subjects` that has none open, in one statement, without
/// looking for one to [`reopen`]: for a caller that knows there is none. Returns how many it
/// opened.
pub async fn open_new(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    kind: AlertKind,
    subjects: &[i64],
    now: DateTime<Utc>,
    tell_after: DateTime<Utc>,
) -> Result<usize> {
    if subjects.is_empty() {
        return Ok(0);
    }
    // The subjects as one array: a JSON array walked by json_each, or PostgreSQL's own.
    // SQLite needs the `WHERE true` to read `ON CONFLICT` as the upsert clause.
    let done = on!(
        c,
        sqlite | db | {
            let ids = serde_json::to_string(subjects)
                .map_err(|e| super::StoreError::Corrupt(format!("alert subjects: {e}")))?;
            sqlx::query(
                "INSERT INTO alerts (workspace_id, team_id, kind, subject, state, first_seen, \
                 last_seen, announce_after) SELECT $1, $2, $3, value, 'open', $4, $4, $5 \
                 FROM json_each($6) WHERE true ON CONFLICT DO NOTHING",
            )
            .bind(ws.0)
            .bind(team.0)
            .bind(kind.as_str())
            .bind(now.timestamp())
            .bind(tell_after.timestamp())
            .bind(ids)
            .execute(db)
            .await
            .map(|r| r.rows_affected())
        },
        postgres
            | db
            | sqlx::query(
                "INSERT INTO alerts (workspace_id, team_id, kind, subject, state, first_seen, \
                 last_seen, announce_after) SELECT $1, $2, $3, s, 'open', $4, $4, $5 \
                 FROM unnest($6::bigint[]) AS s ON CONFLICT DO NOTHING",
            )
            .bind(ws.0)
            .bind(team.0)
            .bind(kind.as_str())
            .bind(now.timestamp())
            .bind(tell_after.timestamp())
            .bind(subjects)
            .execute(db)
            .await
            .map(|r| r.rows_affected()),
    )?;
    Ok(usize::try_from(done).unwrap_or(usize::MAX))
}

/// The at-risk alerts of some key results, as the hourly sweep needs them.
#[derive(Debug, Default)]
pub struct AtRisk {
    /// Key results with an open alert.
    pub open: HashSet<KrId>,
    /// Key results whose alert resolved with its recovery still untold: [`reopen`]-able.
    pub recovering: HashSet<KrId>,
}

/// Where the at-risk alerts of `krs` stand, in one read: the sweep then writes only what
/// changes, a statement per alert opened again or resolved and one for all the new ones.
pub async fn at_risk_of(c: &mut Conn, ws: WorkspaceId, krs: &[KrId]) -> Result<AtRisk> {
    let mut out = AtRisk::default();
    if krs.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = krs.iter().map(|k| k.0).collect();
    let rows: Vec<(i64, bool)> = on!(
        c,
        sqlite | db | {
            let ids = serde_json::to_string(&ids)
                .map_err(|e| super::StoreError::Corrupt(format!("key result ids: {e}")))?;
            sqlx::query_as(
                "SELECT subject, state <> 'resolved' FROM alerts WHERE workspace_id = $1 \
                 AND kind = 'kr-at-risk' AND subject IN (SELECT value FROM json_each($2)) \
                 AND (state <> 'resolved' OR recovery_pending)",
            )
            .bind(ws.0)
            .bind(ids)
            .fetch_all(db)
            .await
        },
        postgres
            | db
            | sqlx::query_as(
                "SELECT subject, state <> 'resolved' FROM alerts WHERE workspace_id = $1 \
                 AND kind = 'kr-at-risk' AND subject = ANY($2) \
                 AND (state <> 'resolved' OR recovery_pending)",
            )
            .bind(ws.0)
            .bind(ids)
            .fetch_all(db)
            .await,
    )?;
    for (subject, open) in rows {
        if open {
            out.open.insert(KrId(subject));
        } else {
            out.recovering.insert(KrId(subject));
        }
    }
    Ok(out)
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
