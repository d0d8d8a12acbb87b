//! Tables `teams` and `team_leads`: a team's name, prefix, zone, channel and working hours, and
//! who leads it. Names and prefixes are unique in the workspace, and objective numbers are
//! handed out here, never reused.

use chrono::{DateTime, Utc};

use super::on;
use super::{team_tz, Conn, Result, StoreError};
use crate::domain::hours::WorkingHours;
use crate::domain::model::{Member, Team, TeamId, WorkspaceId};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    prefix: String,
    timezone: String,
    channel: Option<String>,
    working_hours: String,
    leads: Option<String>,
}

/// The columns of [`Row`] and a FROM clause naming the team `t`, on each backend: the leads
/// packed into one text as [`leads_from`] reads them.
macro_rules! select {
    (sqlite) => {
        "SELECT t.id, t.name, t.prefix, t.timezone, t.channel, t.working_hours, \
         (SELECT group_concat(kind || char(30) || member, char(31)) FROM team_leads l WHERE l.team_id = t.id) AS leads \
         FROM teams t"
    };
    (postgres) => {
        "SELECT t.id, t.name, t.prefix, t.timezone, t.channel, t.working_hours, \
         (SELECT string_agg(kind || chr(30) || member, chr(31)) FROM team_leads l WHERE l.team_id = t.id) AS leads \
         FROM teams t"
    };
}

/// The team columns in `c`'s dialect, then `rest` (a WHERE clause, an order).
fn select(c: &mut Conn, rest: &str) -> sqlx::AssertSqlSafe<String> {
    let head = on!(
        c,
        sqlite | _db | select!(sqlite),
        postgres | _db | select!(postgres)
    );
    sqlx::AssertSqlSafe(format!("{head} {rest}"))
}

/// The order of `ORDER BY name` on SQLite, where the column is NOCASE: ASCII letters folded,
/// then bytes (code points) compared. PostgreSQL's `lower` would fold other letters too.
pub(super) const PG_NOCASE_ORDER: &str =
    "translate(t.name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\"";

/// The leads as the `group_concat` of kind and name above writes them.
pub(super) fn leads_from(concat: Option<String>) -> Result<Vec<Member>> {
    let mut leads = Vec::new();
    for item in concat.iter().flat_map(|s| s.split('\u{1f}')) {
        let (kind, name) = item
            .split_once('\u{1e}')
            .ok_or_else(|| StoreError::Corrupt(format!("team lead {item:?}")))?;
        leads.push(
            Member::from_stored(kind, name.to_owned())
                .ok_or_else(|| StoreError::Corrupt(format!("team lead kind {kind:?}")))?,
        );
    }
    leads.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(leads)
}

fn to_team(r: Row) -> Result<Team> {
    let leads = leads_from(r.leads)?;
    let (tz, zone_unknown) = team_tz(&r.timezone);
    Ok(Team {
        id: TeamId(r.id),
        name: r.name,
        prefix: r.prefix,
        tz,
        channel: r.channel,
        leads,
        hours: parse_hours(&r.working_hours)?,
        zone_unknown,
    })
}

pub(super) fn parse_hours(text: &str) -> Result<WorkingHours> {
    WorkingHours::parse(text).map_err(|_| StoreError::Corrupt(format!("working hours {text:?}")))
}

/// Sets when the team's channel may be posted to (`/okr schedule set hours:`).
pub async fn set_hours(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    hours: &WorkingHours,
) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE teams SET working_hours = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(hours.text())
    .bind(ws.0)
    .bind(team.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The team of that name in any case (`Team::is_named`). SQLite's NOCASE folds ASCII only: a
/// name typed as stored or differing in ASCII case is found through the unique name index,
/// reading one team; only a name that differs in non-ASCII case (`größe` for `Größe`) is matched
/// against every team of the workspace, so a workspace of a thousand teams does not read them
/// all for each command.
pub async fn by_name(c: &mut Conn, ws: WorkspaceId, name: &str) -> Result<Option<Team>> {
    // PostgreSQL finds it through the unique index on lower(name).
    let matches = on!(
        c,
        sqlite | _db | "t.name = $2 COLLATE NOCASE",
        postgres | _db | "lower(t.name) = lower($2)"
    );
    let sql = select(c, &format!("WHERE t.workspace_id = $1 AND {matches}"));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(name.trim())
        .fetch_optional(db)
        .await)?;
    if let Some(team) = row.map(to_team).transpose()? {
        if team.is_named(name) {
            return Ok(Some(team));
        }
    }
    Ok(list(c, ws).await?.into_iter().find(|t| t.is_named(name)))
}

pub async fn by_id(c: &mut Conn, ws: WorkspaceId, id: TeamId) -> Result<Option<Team>> {
    let sql = select(c, "WHERE t.workspace_id = $1 AND t.id = $2");
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(id.0)
        .fetch_optional(db)
        .await)?;
    row.map(to_team).transpose()
}

pub async fn list(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<Team>> {
    let order = on!(c, sqlite | _db | "t.name", postgres | _db | PG_NOCASE_ORDER);
    let sql = select(c, &format!("WHERE t.workspace_id = $1 ORDER BY {order}"));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql).bind(ws.0).fetch_all(db).await)?;
    rows.into_iter().map(to_team).collect()
}

pub struct NewTeam<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub timezone: &'a str,
    pub channel: Option<&'a str>,
}

pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    t: &NewTeam<'_>,
    now: DateTime<Utc>,
) -> Result<TeamId> {
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO teams (workspace_id, name, prefix, timezone, channel, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(ws.0)
    .bind(t.name)
    .bind(t.prefix)
    .bind(t.timezone)
    .bind(t.channel)
    .bind(now)
    .fetch_one(db)
    .await)
    .map_err(StoreError::from_write)?;
    Ok(TeamId(id))
}

pub async fn update(c: &mut Conn, ws: WorkspaceId, id: TeamId, t: &NewTeam<'_>) -> Result<()> {
    on!(c, |db| sqlx::query("UPDATE teams SET name = $1, prefix = $2, timezone = $3, channel = $4 WHERE workspace_id = $5 AND id = $6")
        .bind(t.name)
        .bind(t.prefix)
        .bind(t.timezone)
        .bind(t.channel)
        .bind(ws.0)
        .bind(id.0)
        .execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn set_leads(c: &mut Conn, id: TeamId, leads: &[Member]) -> Result<()> {
    on!(c, |db| sqlx::query(
        "DELETE FROM team_leads WHERE team_id = $1"
    )
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    for lead in leads {
        on!(c, |db| {
            sqlx::query(
            "INSERT INTO team_leads (team_id, member, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )
        .bind(id.0)
        .bind(lead.name())
        .bind(lead.kind())
        .execute(db)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Hands out the next objective number of the team; numbers are never reused.
pub async fn take_objective_number(c: &mut Conn, id: TeamId) -> Result<i64> {
    let n: i64 = on!(c, |db| sqlx::query_scalar(
        "UPDATE teams SET next_objective_number = next_objective_number + 1 WHERE id = $1 \
         RETURNING next_objective_number - 1",
    )
    .bind(id.0)
    .fetch_one(db)
    .await)?;
    Ok(n)
}

/// Whether `who` leads any team of the workspace (cycles are workspace-wide, so any lead may
/// manage them).
pub async fn leads_any(c: &mut Conn, ws: WorkspaceId, who: &Member) -> Result<bool> {
    let n: i64 = on!(c, |db| sqlx::query_scalar(
        "SELECT count(*) FROM team_leads l JOIN teams t ON t.id = l.team_id \
         WHERE t.workspace_id = $1 AND l.member = $2 AND l.kind = $3",
    )
    .bind(ws.0)
    .bind(who.name())
    .bind(who.kind())
    .fetch_one(db)
    .await)?;
    Ok(n > 0)
}

/// After an import: the next objective number must follow the highest one imported.
pub async fn reserve_objective_numbers(c: &mut Conn, id: TeamId, up_to: i64) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE teams SET next_objective_number = CASE WHEN next_objective_number > $1 \
         THEN next_objective_number ELSE $1 + 1 END WHERE id = $2",
    )
    .bind(up_to)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The condition that the prefix of the team aliased `t` is the parameter `$2`, in any case, as
/// the unique prefix index reads it: SQLite's column compares NOCASE itself, PostgreSQL's index
/// is on `lower(prefix)`, so the lookup says so too (and uses it).
pub(super) fn prefix_is_second_parameter(c: &mut Conn) -> &'static str {
    on!(
        c,
        sqlite | _db | "t.prefix = $2",
        postgres | _db | "lower(t.prefix) = lower($2)"
    )
}
