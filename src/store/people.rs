//! Tables `members` (each person's own zone), `away` (time off), `holidays` (a team's days off)
//! and `owed_prompts` (the one prompt a day off moved): see `domain::people`.

use chrono::{DateTime, NaiveDate, Utc};

use super::on;
use super::{Conn, Result, StoreError};
use crate::domain::model::{TeamId, WorkspaceId};
use crate::domain::people::{Away, People};

/// A member's own zone, if they (or a lead) set one. A name this build no longer knows reads
/// as none: the member is then asked in the team's zone.
pub async fn zone_of(c: &mut Conn, ws: WorkspaceId, member: &str) -> Result<Option<chrono_tz::Tz>> {
    let name: Option<String> = on!(c, |db| sqlx::query_scalar(
        "SELECT timezone FROM members WHERE workspace_id = $1 AND member = $2"
    )
    .bind(ws.0)
    .bind(member)
    .fetch_optional(db)
    .await)?;
    Ok(name.and_then(|z| z.parse().ok()))
}

pub async fn set_zone(c: &mut Conn, ws: WorkspaceId, member: &str, zone: &str) -> Result<()> {
    on!(c, |db| sqlx::query(
        "INSERT INTO members (workspace_id, member, timezone) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id, member) DO UPDATE SET timezone = excluded.timezone",
    )
    .bind(ws.0)
    .bind(member)
    .bind(zone)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The zones members of the workspace set, each once: the instants a team's prompt schedule
/// fires at besides its own zone's.
pub async fn zones(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<chrono_tz::Tz>> {
    let names: Vec<String> = on!(c, |db| sqlx::query_scalar(
        "SELECT DISTINCT timezone FROM members WHERE workspace_id = $1 ORDER BY timezone"
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)?;
    Ok(names.iter().filter_map(|n| n.parse().ok()).collect())
}

#[derive(sqlx::FromRow)]
struct AwayRow {
    id: i64,
    member: String,
    first_day: String,
    last_day: String,
    note: Option<String>,
    set_by: String,
}

fn to_away(r: AwayRow) -> Result<Away> {
    let day = |s: &str| {
        s.parse::<NaiveDate>()
            .map_err(|_| StoreError::Corrupt(format!("away {}: day {s:?}", r.id)))
    };
    Ok(Away {
        id: r.id,
        first: day(&r.first_day)?,
        last: day(&r.last_day)?,
        member: r.member,
        note: r.note,
        set_by: r.set_by,
    })
}

/// Time off in the workspace that ends on `since` or later (of one member, when named),
/// soonest first.
pub async fn away(
    c: &mut Conn,
    ws: WorkspaceId,
    member: Option<&str>,
    since: NaiveDate,
) -> Result<Vec<Away>> {
    let rows: Vec<AwayRow> = on!(c, |db| sqlx::query_as(
        "SELECT id, member, first_day, last_day, note, set_by FROM away \
         WHERE workspace_id = $1 AND ($2 IS NULL OR member = $2) AND last_day >= $3 \
         ORDER BY first_day, id",
    )
    .bind(ws.0)
    .bind(member)
    .bind(since.to_string())
    .fetch_all(db)
    .await)?;
    rows.into_iter().map(to_away).collect()
}

/// Records time off (`a.id` is ignored); returns its id.
pub async fn add_away(c: &mut Conn, ws: WorkspaceId, a: &Away, now: DateTime<Utc>) -> Result<i64> {
    Ok(on!(c, |db| sqlx::query_scalar(
        "INSERT INTO away (workspace_id, member, first_day, last_day, note, set_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(ws.0)
    .bind(&a.member)
    .bind(a.first.to_string())
    .bind(a.last.to_string())
    .bind(&a.note)
    .bind(&a.set_by)
    .bind(now.timestamp())
    .fetch_one(db)
    .await)?)
}

pub async fn remove_away(c: &mut Conn, ws: WorkspaceId, id: i64) -> Result<bool> {
    let n = on!(c, |db| sqlx::query(
        "DELETE FROM away WHERE workspace_id = $1 AND id = $2"
    )
    .bind(ws.0)
    .bind(id)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends a period of time off on `last` (someone came back early).
pub async fn end_away(c: &mut Conn, ws: WorkspaceId, id: i64, last: NaiveDate) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE away SET last_day = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(last.to_string())
    .bind(ws.0)
    .bind(id)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The team's days off from `since` on, in order.
pub async fn holidays(c: &mut Conn, team: TeamId, since: NaiveDate) -> Result<Vec<NaiveDate>> {
    let days: Vec<String> = on!(c, |db| sqlx::query_scalar(
        "SELECT day FROM holidays WHERE team_id = $1 AND day >= $2 ORDER BY day"
    )
    .bind(team.0)
    .bind(since.to_string())
    .fetch_all(db)
    .await)?;
    days.iter()
        .map(|d| {
            d.parse()
                .map_err(|_| StoreError::Corrupt(format!("holiday {d:?} of team {}", team.0)))
        })
        .collect()
}

/// Adds days off; returns how many were new.
pub async fn add_holidays(c: &mut Conn, team: TeamId, days: &[NaiveDate]) -> Result<u64> {
    let mut added = 0;
    for d in days {
        added += on!(c, |db| sqlx::query(
            "INSERT INTO holidays (team_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(team.0)
        .bind(d.to_string())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(added)
}

/// Removes days off; returns how many there were.
pub async fn remove_holidays(c: &mut Conn, team: TeamId, days: &[NaiveDate]) -> Result<u64> {
    let mut removed = 0;
    for d in days {
        removed += on!(c, |db| sqlx::query(
            "DELETE FROM holidays WHERE team_id = $1 AND day = $2"
        )
        .bind(team.0)
        .bind(d.to_string())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(removed)
}

/// What a team's scheduler needs to know of its people at `at`: every member's own zone, the
/// workspace's time off that has not ended a day before `at` (a zone is at most a day ahead),
/// and the team's days off from then on.
pub async fn load(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    at: DateTime<Utc>,
) -> Result<People> {
    let rows: Vec<(String, String)> = on!(c, |db| sqlx::query_as(
        "SELECT member, timezone FROM members WHERE workspace_id = $1"
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)?;
    let since = (at - chrono::Duration::days(2)).date_naive();
    Ok(People {
        zones: rows
            .into_iter()
            .filter_map(|(m, z)| Some((m, z.parse().ok()?)))
            .collect(),
        away: away(c, ws, None, since).await?,
        holidays: holidays(c, team, since).await?.into_iter().collect(),
    })
}

/// Owes `member` one prompt from `team` at `due`; a prompt already owed stays as it is (one
/// prompt on return, however many were missed).
pub async fn owe(c: &mut Conn, ws: WorkspaceId, o: &Owed) -> Result<()> {
    on!(c, |db| {
        sqlx::query(
        "INSERT INTO owed_prompts (workspace_id, team_id, member, due_at, missed_at, missed_local) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, member) DO NOTHING",
    )
    .bind(ws.0)
    .bind(o.team.0)
    .bind(&o.member)
    .bind(o.due.timestamp())
    .bind(o.missed_at.timestamp())
    .bind(o.missed_local)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A prompt owed because of a day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub workspace: WorkspaceId,
    pub team: TeamId,
    pub member: String,
    pub due: DateTime<Utc>,
    /// The first prompt it stands for, as an instant and as a wall time where the member
    /// lived (seconds as if UTC): the occurrence the owed prompt answers for.
    pub missed_at: DateTime<Utc>,
    pub missed_local: i64,
}

type OwedRow = (i64, i64, String, i64, i64, i64);

fn to_owed((ws, team, member, due, missed, local): OwedRow) -> Result<Owed> {
    let at = |t: i64| {
        DateTime::from_timestamp(t, 0)
            .ok_or_else(|| StoreError::Corrupt(format!("owed prompt to {member}: instant {t}")))
    };
    Ok(Owed {
        workspace: WorkspaceId(ws),
        team: TeamId(team),
        due: at(due)?,
        missed_at: at(missed)?,
        missed_local: local,
        member,
    })
}

/// The owed prompts due at `now`, oldest first.
pub async fn owed_due(
    c: &mut Conn,
    now: DateTime<Utc>,
    limit: i64,
    scope: Option<WorkspaceId>,
) -> Result<Vec<Owed>> {
    let rows: Vec<OwedRow> = on!(c, |db| {
        sqlx::query_as(
        "SELECT workspace_id, team_id, member, due_at, missed_at, missed_local FROM owed_prompts \
         WHERE due_at <= $1 AND ($3 IS NULL OR workspace_id = $3) ORDER BY due_at LIMIT $2",
    )
    .bind(now.timestamp())
    .bind(limit)
    .bind(scope.map(|w| w.0))
    .fetch_all(db)
    .await
    })?;
    rows.into_iter().map(to_owed).collect()
}

/// The prompts owed to one member of the workspace.
pub async fn owed_to(c: &mut Conn, ws: WorkspaceId, member: &str) -> Result<Vec<Owed>> {
    let rows: Vec<OwedRow> = on!(c, |db| {
        sqlx::query_as(
        "SELECT workspace_id, team_id, member, due_at, missed_at, missed_local FROM owed_prompts \
         WHERE workspace_id = $1 AND member = $2 ORDER BY due_at",
    )
    .bind(ws.0)
    .bind(member)
    .fetch_all(db)
    .await
    })?;
    rows.into_iter().map(to_owed).collect()
}

pub async fn next_owed(c: &mut Conn, scope: Option<WorkspaceId>) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT min(due_at) FROM owed_prompts WHERE $1 IS NULL OR workspace_id = $1",
    )
    .bind(scope.map(|w| w.0))
    .fetch_one(db)
    .await)?;
    Ok(t.and_then(|t| DateTime::from_timestamp(t, 0)))
}

/// Moves an owed prompt to `due`, if it is still at `expected` (another scheduler may have
/// taken it); returns whether this caller moved it.
pub async fn move_owed(
    c: &mut Conn,
    team: TeamId,
    member: &str,
    expected: DateTime<Utc>,
    due: DateTime<Utc>,
) -> Result<bool> {
    let n = on!(c, |db| {
        sqlx::query(
        "UPDATE owed_prompts SET due_at = $1 WHERE team_id = $2 AND member = $3 AND due_at = $4"
    )
    .bind(due.timestamp())
    .bind(team.0)
    .bind(member)
    .bind(expected.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Settles an owed prompt (sent, or no longer owed); returns whether this caller settled it.
pub async fn settle_owed(c: &mut Conn, team: TeamId, member: &str) -> Result<bool> {
    let n = on!(c, |db| sqlx::query(
        "DELETE FROM owed_prompts WHERE team_id = $1 AND member = $2"
    )
    .bind(team.0)
    .bind(member)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Forgets a member's own zone: they are asked in their team's again.
pub async fn clear_zone(c: &mut Conn, ws: WorkspaceId, member: &str) -> Result<bool> {
    let n = on!(c, |db| sqlx::query(
        "DELETE FROM members WHERE workspace_id = $1 AND member = $2"
    )
    .bind(ws.0)
    .bind(member)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Every member's own zone as stored, by name (the export).
pub async fn zone_rows(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<(String, String)>> {
    Ok(on!(c, |db| sqlx::query_as(
        "SELECT member, timezone FROM members WHERE workspace_id = $1 ORDER BY member"
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)?)
}
