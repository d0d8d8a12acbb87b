//! Table `objectives`: each team's objectives, found by code (team prefix and number) within the
//! workspace. Numbers come from the team and are never reused; key-result numbers are handed
//! out here the same way.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result, StoreError};
use crate::domain::model::{
    CycleId, Objective, ObjectiveCode, ObjectiveId, ObjectiveKind, ObjectiveState, TeamId,
    WorkspaceId,
};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    team_id: i64,
    cycle_id: i64,
    number: i64,
    prefix: String,
    title: String,
    owner: Option<String>,
    parent_id: Option<i64>,
    kind: String,
    state: String,
    created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT o.id, o.team_id, o.cycle_id, o.number, t.prefix, o.title, o.owner, \
     o.parent_id, o.kind, o.state, o.created_at FROM objectives o JOIN teams t ON t.id = o.team_id";

fn to_objective(r: Row) -> Result<Objective> {
    Ok(Objective {
        id: ObjectiveId(r.id),
        team_id: TeamId(r.team_id),
        cycle_id: CycleId(r.cycle_id),
        number: r.number,
        code: format!("{}-{}", r.prefix.to_ascii_uppercase(), r.number),
        title: r.title,
        owner: r.owner,
        parent: r.parent_id.map(ObjectiveId),
        kind: ObjectiveKind::parse(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("objective kind {:?}", r.kind)))?,
        state: ObjectiveState::parse(&r.state)
            .ok_or_else(|| StoreError::Corrupt(format!("objective state {:?}", r.state)))?,
        created_at: r.created_at,
    })
}

/// Finds an objective by its code within the workspace.
pub async fn by_code(
    c: &mut Conn,
    ws: WorkspaceId,
    code: &ObjectiveCode,
) -> Result<Option<Objective>> {
    let prefix = super::teams::prefix_is_second_parameter(c);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE o.workspace_id = $1 AND {prefix} AND o.number = $3"
    ));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(code.prefix())
        .bind(code.number())
        .fetch_optional(db)
        .await)?;
    row.map(to_objective).transpose()
}

pub async fn by_id(c: &mut Conn, ws: WorkspaceId, id: ObjectiveId) -> Result<Option<Objective>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE o.workspace_id = $1 AND o.id = $2"));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(id.0)
        .fetch_optional(db)
        .await)?;
    row.map(to_objective).transpose()
}

/// All objectives of the workspace, optionally narrowed to a team and/or a cycle, in code order.
pub async fn list(
    c: &mut Conn,
    ws: WorkspaceId,
    team: Option<TeamId>,
    cycle: Option<CycleId>,
) -> Result<Vec<Objective>> {
    // `?2 IS NULL OR ...` can use no index: a team asked for is also named in a term that can
    // (`UNIQUE (team_id, number)`), and the unary `+` keeps the workspace term (still checked)
    // from choosing `objectives_by_workspace`, every objective of the workspace, instead.
    let scope = match team {
        Some(_) => "o.team_id = $2 AND +o.workspace_id = $1",
        None => "o.workspace_id = $1",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {scope} AND ($2 IS NULL OR o.team_id = $2) \
         AND ($3 IS NULL OR o.cycle_id = $3) ORDER BY t.name, o.number"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(team.map(|t| t.0))
        .bind(cycle.map(|c| c.0))
        .fetch_all(db)
        .await)?;
    rows.into_iter().map(to_objective).collect()
}

/// The objectives of `cycle` aligned under any of `roots`, directly or further down (`roots`
/// themselves left out): what rolls into their scores. By generation, nearest first, and in
/// code order ([`list`]'s) within one. Walks `objectives_by_parent` from the roots, so it reads
/// the alignment tree below them only, not the cycle (the unary `+` keeps the workspace and
/// cycle terms, still checked, from choosing `objectives_by_workspace` instead, in the walk and
/// in the read of what it found: with a thousand teams' statistics SQLite otherwise read the
/// cycle's objectives and joined the few found to them, 2 ms instead of 0.1); a stored loop
/// stops at depth 64. PostgreSQL takes the roots as an array instead of JSON, and orders team
/// names as SQLite's NOCASE does.
pub async fn descendants_in_cycle(
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: CycleId,
    roots: &[ObjectiveId],
) -> Result<Vec<Objective>> {
    if roots.is_empty() {
        return Ok(vec![]);
    }
    let roots: Vec<i64> = roots.iter().map(|o| o.0).collect();
    let ids = serde_json::to_string(&roots)
        .map_err(|e| StoreError::Corrupt(format!("objective ids: {e}")))?;
    let pg = sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE below(id, depth) AS ( \
           SELECT id, 0::bigint FROM unnest($3::bigint[]) AS r(id) \
           UNION SELECT d.id, b.depth + 1 FROM below b JOIN objectives d ON d.parent_id = b.id \
           WHERE d.workspace_id = $1 AND d.cycle_id = $2 AND b.depth < 64) \
         {SELECT} JOIN (SELECT id, min(depth) AS depth FROM below GROUP BY id) b ON b.id = o.id \
         WHERE o.workspace_id = $1 AND o.cycle_id = $2 AND b.depth > 0 \
           AND o.id <> ALL($3) \
         ORDER BY b.depth, {}, o.number",
        super::key_results::TEAM_ORDER_PG
    ));
    let sql = sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE below(id, depth) AS ( \
           SELECT value, 0 FROM json_each($3) \
           UNION SELECT d.id, b.depth + 1 FROM below b JOIN objectives d ON d.parent_id = b.id \
           WHERE +d.workspace_id = $1 AND +d.cycle_id = $2 AND b.depth < 64) \
         {SELECT} JOIN (SELECT id, min(depth) AS depth FROM below GROUP BY id) b ON b.id = o.id \
         WHERE +o.workspace_id = $1 AND +o.cycle_id = $2 AND b.depth > 0 \
           AND o.id NOT IN (SELECT value FROM json_each($3)) \
         ORDER BY b.depth, t.name, o.number"
    ));
    let rows: Vec<Row> = on!(
        c,
        sqlite
            | db
            | sqlx::query_as(sql)
                .bind(ws.0)
                .bind(cycle.0)
                .bind(ids)
                .fetch_all(db)
                .await,
        postgres
            | db
            | sqlx::query_as(pg)
                .bind(ws.0)
                .bind(cycle.0)
                .bind(roots)
                .fetch_all(db)
                .await,
    )?;
    rows.into_iter().map(to_objective).collect()
}

pub struct NewObjective<'a> {
    pub team: TeamId,
    pub cycle: CycleId,
    pub number: i64,
    pub title: &'a str,
    pub owner: Option<&'a str>,
    pub parent: Option<ObjectiveId>,
    pub kind: ObjectiveKind,
    pub state: ObjectiveState,
}

pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    o: &NewObjective<'_>,
    now: DateTime<Utc>,
) -> Result<ObjectiveId> {
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO objectives (workspace_id, team_id, cycle_id, number, title, owner, parent_id, kind, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(ws.0)
    .bind(o.team.0)
    .bind(o.cycle.0)
    .bind(o.number)
    .bind(o.title)
    .bind(o.owner)
    .bind(o.parent.map(|p| p.0))
    .bind(o.kind.as_str())
    .bind(o.state.as_str())
    .bind(now)
    .fetch_one(db).await)
    .map_err(StoreError::from_write)?;
    Ok(ObjectiveId(id))
}

/// Writes the editable fields back (title, owner, parent, kind, state).
pub async fn update(c: &mut Conn, ws: WorkspaceId, o: &Objective) -> Result<()> {
    on!(c, |db| {
        sqlx::query(
        "UPDATE objectives SET title = $1, owner = $2, parent_id = $3, kind = $4, state = $5 WHERE workspace_id = $6 AND id = $7",
    )
    .bind(&o.title)
    .bind(&o.owner)
    .bind(o.parent.map(|p| p.0))
    .bind(o.kind.as_str())
    .bind(o.state.as_str())
    .bind(ws.0)
    .bind(o.id.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Hands out the next key-result number of the objective; numbers are never reused.
pub async fn take_kr_number(c: &mut Conn, id: ObjectiveId) -> Result<i64> {
    let n: i64 = on!(c, |db| {
        sqlx::query_scalar(
        "UPDATE objectives SET next_kr_number = next_kr_number + 1 WHERE id = $1 RETURNING next_kr_number - 1",
    )
    .bind(id.0)
    .fetch_one(db).await
    })?;
    Ok(n)
}

/// After an import: the next key-result number must follow the highest one imported.
pub async fn reserve_kr_numbers(c: &mut Conn, id: ObjectiveId, up_to: i64) -> Result<()> {
    // SQLite's scalar `max` is PostgreSQL's `greatest`; neither backend knows the other's.
    let sql = on!(c,
        sqlite |_db| "UPDATE objectives SET next_kr_number = max(next_kr_number, $1 + 1) WHERE id = $2",
        postgres |_db| "UPDATE objectives SET next_kr_number = greatest(next_kr_number, $1 + 1) WHERE id = $2",
    );
    on!(c, |db| sqlx::query(sql)
        .bind(up_to)
        .bind(id.0)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
