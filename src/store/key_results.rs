//! Table `key_results`: definitions, current state and ignored-prompt counts, and the packed
//! per-cycle reads scoring runs on (`docs/scoring.md`, "Speed"). A removed key result is
//! archived, never deleted, so its history stays; every read leaves the archived ones out
//! unless it asks for them.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};

use super::on;
use super::packed::{exact_real, quoted_real, text_instant};
use super::{Conn, Result, StoreError};
use crate::domain::model::{
    Confidence, Direction, KeyResult, KrCode, KrId, KrKind, ObjectiveId, TeamId, Unit, WorkspaceId,
};

/// The columns of [`Row`] followed by a FROM clause, as one `&'static str`.
macro_rules! select_from {
    ($from:literal) => {
        concat!(
            "SELECT k.id, k.objective_id, k.number, o.number AS objective_number, t.prefix, \
             k.title, k.owner, k.kind, k.unit, k.start_value, k.target, k.current, k.direction, \
             k.confidence, k.weight, k.created_at, k.last_check_in_at, k.kpi_id, k.paced_from, \
             k.carried_by ",
            $from
        )
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    objective_id: i64,
    number: i64,
    objective_number: i64,
    prefix: String,
    title: String,
    owner: Option<String>,
    kind: String,
    unit: String,
    start_value: f64,
    target: f64,
    current: f64,
    direction: Option<String>,
    confidence: Option<i64>,
    weight: f64,
    created_at: DateTime<Utc>,
    last_check_in_at: Option<DateTime<Utc>>,
    kpi_id: Option<i64>,
    carried_by: Option<i64>,
    paced_from: Option<NaiveDate>,
}

const SELECT: &str = select_from!(
    "FROM key_results k JOIN objectives o ON o.id = k.objective_id JOIN teams t ON t.id = o.team_id"
);

/// [`SELECT`] walking from the objectives down: one team's or one objective's key results are
/// found through their objectives (`UNIQUE (team_id, number)`, `UNIQUE (objective_id, number)`)
/// instead of among every key result of the workspace.
const SELECT_BY_OBJECTIVE: &str = select_from!(
    "FROM objectives o CROSS JOIN key_results k ON k.objective_id = o.id JOIN teams t ON t.id = o.team_id"
);

/// [`SELECT_BY_OBJECTIVE`] for PostgreSQL, which has no `CROSS JOIN ... ON` and whose planner
/// starts from the objectives on its own.
const SELECT_BY_OBJECTIVE_PG: &str = select_from!(
    "FROM objectives o JOIN key_results k ON k.objective_id = o.id JOIN teams t ON t.id = o.team_id"
);

/// How the PostgreSQL twins order by team name: as SQLite's NOCASE column does, ASCII letters
/// folded and the rest compared by their bytes (`lower` under the C collation folds ASCII only).
pub(super) const TEAM_ORDER_PG: &str = r#"lower(t.name COLLATE "C")"#;

/// What orders by team name `t.name` on the backend of `c`: the NOCASE column itself on SQLite,
/// [`TEAM_ORDER_PG`] on PostgreSQL, whose collation is the server's.
fn team_order(c: &mut Conn) -> &'static str {
    on!(c, sqlite | _db | "t.name", postgres | _db | TEAM_ORDER_PG)
}

fn to_kr(r: Row) -> Result<KeyResult> {
    let corrupt =
        |what: &str, v: &str| StoreError::Corrupt(format!("key result {}: {what} {v:?}", r.id));
    Ok(KeyResult {
        id: KrId(r.id),
        objective_id: ObjectiveId(r.objective_id),
        number: r.number,
        code: format!(
            "{}-{}.{}",
            r.prefix.to_ascii_uppercase(),
            r.objective_number,
            r.number
        ),
        kind: KrKind::parse(&r.kind).ok_or_else(|| corrupt("kind", &r.kind))?,
        unit: Unit::parse(&r.unit).ok_or_else(|| corrupt("unit", &r.unit))?,
        direction: match &r.direction {
            None => None,
            Some(d) => Some(Direction::parse(d).ok_or_else(|| corrupt("direction", d))?),
        },
        confidence: r.confidence.and_then(Confidence::new),
        title: r.title,
        owner: r.owner,
        start: r.start_value,
        target: r.target,
        current: r.current,
        weight: r.weight,
        created_at: r.created_at,
        paced_from: r.paced_from,
        last_check_in: r.last_check_in_at,
        follows: r.kpi_id.map(crate::domain::model::KpiId),
        carried_by: r.carried_by.map(TeamId),
    })
}

pub async fn by_id(c: &mut Conn, ws: WorkspaceId, id: KrId) -> Result<Option<KeyResult>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE k.workspace_id = $1 AND k.id = $2 AND k.archived_at IS NULL"
    ));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(id.0)
        .fetch_optional(db)
        .await)?;
    row.map(to_kr).transpose()
}

/// Key results of the workspace, optionally narrowed to a team, an objective or an owner.
pub async fn list(
    c: &mut Conn,
    ws: WorkspaceId,
    team: Option<TeamId>,
    objective: Option<ObjectiveId>,
    owner: Option<&str>,
) -> Result<Vec<KeyResult>> {
    // `?n IS NULL OR ...` can use no index, so a team or an objective asked for is also named
    // in a term that can, and the walk starts from it; the unary `+` keeps the workspace term
    // (still checked) from choosing `key_results_by_workspace`, every key result of the
    // workspace, instead.
    let (select, from) = match (team, objective) {
        (_, Some(_)) => (SELECT, "k.objective_id = $3 AND +k.workspace_id = $1"),
        (Some(_), None) => (
            on!(
                c,
                sqlite | _db | SELECT_BY_OBJECTIVE,
                postgres | _db | SELECT_BY_OBJECTIVE_PG
            ),
            "o.team_id = $2 AND +o.workspace_id = $1 AND +k.workspace_id = $1",
        ),
        (None, None) => (SELECT, "k.workspace_id = $1"),
    };
    let team_order = team_order(c);
    let sql = sqlx::AssertSqlSafe(format!(
        "{select} WHERE {from} AND k.archived_at IS NULL AND ($2 IS NULL OR o.team_id = $2) \
         AND ($3 IS NULL OR k.objective_id = $3) AND ($4 IS NULL OR k.owner = $4) \
         ORDER BY {team_order}, o.number, k.number"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(team.map(|t| t.0))
        .bind(objective.map(|o| o.0))
        .bind(owner)
        .fetch_all(db)
        .await)?;
    rows.into_iter().map(to_kr).collect()
}

/// Makes the caller's transaction the only one deciding about the key results `team` carries
/// until it ends, for a sweep that reads their scores and then opens or resolves their alerts.
/// SQLite's `BEGIN IMMEDIATE` already lets one writer in at a time. On PostgreSQL a check-in
/// committed between the sweep's read of the scores and its read of the open alerts would have
/// its fresh alert resolved by a sweep that never saw the check-in; a check-in takes its key
/// result's lock first, so with this one the two run one after the other. Locked in id order,
/// so two of these never wait on each other crosswise.
pub async fn lock_carried_by(c: &mut Conn, ws: WorkspaceId, team: TeamId) -> Result<()> {
    on!(
        c,
        sqlite | _db | Ok::<_, sqlx::Error>(()),
        postgres
            | db
            | sqlx::query(
                // Two index walks, the team's objectives and what it carries for others, not
                // one OR that reads the workspace's key results.
                "SELECT k.id FROM key_results k WHERE k.id IN ( \
                   SELECT u.id FROM objectives o JOIN key_results u ON u.objective_id = o.id \
                   WHERE o.team_id = $2 AND o.workspace_id = $1 AND u.carried_by IS NULL \
                   UNION ALL SELECT u.id FROM key_results u WHERE u.carried_by = $2) \
                 AND k.workspace_id = $1 AND k.archived_at IS NULL ORDER BY k.id FOR UPDATE"
            )
            .bind(ws.0)
            .bind(team.0)
            .execute(db)
            .await
            .map(|_| ())
    )?;
    Ok(())
}

/// Key results a check-in may name: those of objectives in cycles that are not closed. The
/// closed ones are found separately so the refusal can say why.
pub async fn list_open(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<KeyResult>> {
    let team_order = team_order(c);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} JOIN cycles cy ON cy.id = o.cycle_id WHERE k.workspace_id = $1 AND cy.closed_at IS NULL AND k.archived_at IS NULL \
         ORDER BY {team_order}, o.number, k.number"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql).bind(ws.0).fetch_all(db).await)?;
    rows.into_iter().map(to_kr).collect()
}

pub struct NewKr<'a> {
    pub objective: ObjectiveId,
    pub number: i64,
    pub title: &'a str,
    pub owner: Option<&'a str>,
    pub kind: KrKind,
    pub unit: &'a Unit,
    pub start: f64,
    pub target: f64,
    pub current: f64,
    pub direction: Option<Direction>,
    pub confidence: Option<Confidence>,
    pub weight: f64,
    pub paced_from: Option<NaiveDate>,
}

pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    k: &NewKr<'_>,
    now: DateTime<Utc>,
) -> Result<KrId> {
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO key_results (workspace_id, objective_id, number, title, owner, kind, unit, start_value, \
         target, current, direction, confidence, weight, created_at, paced_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(ws.0)
    .bind(k.objective.0)
    .bind(k.number)
    .bind(k.title)
    .bind(k.owner)
    .bind(k.kind.as_str())
    .bind(k.unit.code())
    .bind(k.start)
    .bind(k.target)
    .bind(k.current)
    .bind(k.direction.map(Direction::as_str))
    .bind(k.confidence.map(i64::from))
    .bind(k.weight)
    .bind(now)
    .bind(k.paced_from)
    .fetch_one(db).await)
    .map_err(StoreError::from_write)?;
    Ok(KrId(id))
}

/// Writes the definition fields back (title, owner, unit, start, target, direction, weight).
pub async fn update_definition(c: &mut Conn, ws: WorkspaceId, k: &KeyResult) -> Result<()> {
    on!(c, |db| {
        sqlx::query(
        "UPDATE key_results SET title = $1, owner = $2, unit = $3, start_value = $4, target = $5, direction = $6, weight = $7, \
         paced_from = $8 WHERE workspace_id = $9 AND id = $10",
    )
    .bind(&k.title)
    .bind(&k.owner)
    .bind(k.unit.code())
    .bind(k.start)
    .bind(k.target)
    .bind(k.direction.map(Direction::as_str))
    .bind(k.weight)
    .bind(k.paced_from)
    .bind(ws.0)
    .bind(k.id.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Archives a key result: it leaves every list, its history stays (`kr remove`).
pub async fn archive(c: &mut Conn, ws: WorkspaceId, id: KrId, now: DateTime<Utc>) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE key_results SET archived_at = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(now)
    .bind(ws.0)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Brings an archived key result back (`kr restore`).
pub async fn unarchive(c: &mut Conn, ws: WorkspaceId, id: KrId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE key_results SET archived_at = NULL WHERE workspace_id = $1 AND id = $2"
    )
    .bind(ws.0)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The archived key results of the workspace, for `kr restore`.
pub async fn list_archived(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<KeyResult>> {
    let team_order = team_order(c);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE k.workspace_id = $1 AND k.archived_at IS NOT NULL \
         ORDER BY {team_order}, o.number, k.number"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql).bind(ws.0).fetch_all(db).await)?;
    rows.into_iter().map(to_kr).collect()
}

/// The archived key results of the workspace with when each was removed, for the export.
pub async fn list_archived_with_times(
    c: &mut Conn,
    ws: WorkspaceId,
) -> Result<Vec<(KeyResult, DateTime<Utc>)>> {
    let krs = list_archived(c, ws).await?;
    let times: std::collections::HashMap<i64, DateTime<Utc>> = on!(c, |db| sqlx::query_as(
        "SELECT id, archived_at FROM key_results WHERE workspace_id = $1 AND archived_at IS NOT NULL",
    )
    .bind(ws.0)
    .fetch_all(db).await)?
    .into_iter()
    .collect();
    krs.into_iter()
        .map(|k| {
            let at = times.get(&k.id.0).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("key result {}: archived_at", k.id.0))
            })?;
            Ok((k, at))
        })
        .collect()
}

/// How a use case names the key result it works on.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Id(KrId),
    Code(&'a KrCode),
}

/// A key result with its team and cycle: what a check-in needs to decide, in one query.
#[derive(Debug, Clone)]
pub struct KrContext {
    pub kr: KeyResult,
    /// Its objective's kind, which sets the pace it is judged by.
    pub objective_kind: crate::domain::model::ObjectiveKind,
    /// Its objective's code and state: a closed objective's numbers are final.
    pub objective_code: String,
    pub objective_state: crate::domain::model::ObjectiveState,
    pub team: crate::domain::model::Team,
    pub cycle: crate::domain::model::Cycle,
}

#[derive(sqlx::FromRow)]
struct ContextRow {
    #[sqlx(flatten)]
    kr: Row,
    team_id: i64,
    team_name: String,
    team_prefix: String,
    timezone: String,
    channel: Option<String>,
    working_hours: String,
    leads: Option<String>,
    cycle_id: i64,
    cycle_name: String,
    start_date: chrono::NaiveDate,
    end_date: chrono::NaiveDate,
    closed_at: Option<DateTime<Utc>>,
    objective_kind: String,
    objective_state: String,
}

pub async fn context(
    c: &mut Conn,
    ws: WorkspaceId,
    lookup: Lookup<'_>,
) -> Result<Option<KrContext>> {
    const COLUMNS: &str = "SELECT k.id, k.objective_id, k.number, o.number AS objective_number, t.prefix, \
         k.title, k.owner, k.kind, k.unit, k.start_value, k.target, k.current, k.direction, k.confidence, \
         k.weight, k.created_at, k.last_check_in_at, k.kpi_id, k.paced_from, k.carried_by, \
         ct.id AS team_id, ct.name AS team_name, ct.prefix AS team_prefix, ct.timezone, ct.channel, ct.working_hours, \
         {leads} AS leads, cy.id AS cycle_id, cy.name AS cycle_name, cy.start_date, cy.end_date, cy.closed_at, \
         o.kind AS objective_kind, o.state AS objective_state \
         FROM key_results k JOIN objectives o ON o.id = k.objective_id JOIN teams t ON t.id = o.team_id \
         JOIN teams ct ON ct.id = COALESCE(k.carried_by, o.team_id) \
         JOIN cycles cy ON cy.id = o.cycle_id";
    // The team is the one that carries the key result: its home team, or the contributing team
    // of a shared objective that carries it (`docs/scoring.md`, "Shared objectives"). Its code
    // keeps the home team's prefix.
    // Two statements, not one with an OR: each form must reach its row through an index
    // (the key result's id, or team prefix -> objective number -> key-result number).
    // The carrying team's leads come as `leads_from` reads them; PostgreSQL spells
    // `group_concat` and `char` as `string_agg` and `chr`.
    let leads = on!(c,
        sqlite |_db| "(SELECT group_concat(kind || char(30) || member, char(31)) FROM team_leads l WHERE l.team_id = ct.id)",
        postgres |_db| "(SELECT string_agg(kind || chr(30) || member, chr(31)) FROM team_leads l WHERE l.team_id = ct.id)",
    );
    let columns = COLUMNS.replace("{leads}", leads);
    let row: Option<ContextRow> = match lookup {
        Lookup::Id(id) => {
            let sql = sqlx::AssertSqlSafe(format!(
                "{columns} WHERE k.id = $1 AND k.workspace_id = $2 AND k.archived_at IS NULL"
            ));
            on!(c, |db| sqlx::query_as(sql)
                .bind(id.0)
                .bind(ws.0)
                .fetch_optional(db)
                .await)?
        }
        Lookup::Code(code) => {
            let prefix = super::teams::prefix_is_second_parameter(c);
            let sql = sqlx::AssertSqlSafe(format!(
                "{columns} WHERE t.workspace_id = $1 AND {prefix} AND o.number = $3 AND k.number = $4 \
                 AND k.archived_at IS NULL"
            ));
            on!(c, |db| sqlx::query_as(sql)
                .bind(ws.0)
                .bind(code.objective().prefix())
                .bind(code.objective().number())
                .bind(code.number())
                .fetch_optional(db)
                .await)?
        }
    };
    let Some(r) = row else { return Ok(None) };
    let leads = super::teams::leads_from(r.leads)?;
    let (tz, zone_unknown) = super::team_tz(&r.timezone);
    let team = crate::domain::model::Team {
        id: TeamId(r.team_id),
        name: r.team_name,
        prefix: r.team_prefix,
        tz,
        channel: r.channel,
        leads,
        hours: super::teams::parse_hours(&r.working_hours)?,
        zone_unknown,
    };
    let cycle = crate::domain::model::Cycle {
        id: crate::domain::model::CycleId(r.cycle_id),
        name: r.cycle_name,
        start: r.start_date,
        end: r.end_date,
        closed: r.closed_at.is_some(),
    };
    let objective_kind = crate::domain::model::ObjectiveKind::parse(&r.objective_kind)
        .ok_or_else(|| StoreError::Corrupt(format!("objective kind {:?}", r.objective_kind)))?;
    let objective_state = crate::domain::model::ObjectiveState::parse(&r.objective_state)
        .ok_or_else(|| StoreError::Corrupt(format!("objective state {:?}", r.objective_state)))?;
    let kr = to_kr(r.kr)?;
    let objective_code = kr
        .code
        .rsplit_once('.')
        .map(|(o, _)| o.to_owned())
        .unwrap_or_default();
    Ok(Some(KrContext {
        objective_kind,
        objective_state,
        objective_code,
        kr,
        team,
        cycle,
    }))
}

/// Restores the state an export recorded, exactly (import).
pub async fn restore_state(
    c: &mut Conn,
    ws: WorkspaceId,
    id: KrId,
    current: f64,
    confidence: Option<Confidence>,
    last_check_in: Option<DateTime<Utc>>,
) -> Result<()> {
    on!(c, |db| {
        sqlx::query("UPDATE key_results SET current = $1, confidence = $2, last_check_in_at = $3 WHERE workspace_id = $4 AND id = $5")
        .bind(current)
        .bind(confidence.map(i64::from))
        .bind(last_check_in)
        .bind(ws.0)
        .bind(id.0)
        .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// How many prompts in a row each listed key result has gone unanswered.
pub async fn ignored_prompts(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
) -> Result<std::collections::HashMap<KrId, i64>> {
    let rows: Vec<(i64, i64)> = on!(c, |db| {
        sqlx::query_as(
        "SELECT k.id, k.ignored_prompts FROM key_results k JOIN objectives o ON o.id = k.objective_id \
         WHERE k.workspace_id = $1 AND o.team_id = $2",
    )
    .bind(ws.0)
    .bind(team.0)
    .fetch_all(db).await
    })?;
    Ok(rows.into_iter().map(|(k, n)| (KrId(k), n)).collect())
}

/// A prompt listed these key results: one more ignored prompt each, until a check-in resets it.
pub async fn count_prompted(c: &mut Conn, ws: WorkspaceId, ids: &[KrId]) -> Result<()> {
    for id in ids {
        on!(c, |db| {
            sqlx::query("UPDATE key_results SET ignored_prompts = ignored_prompts + 1 WHERE workspace_id = $1 AND id = $2")
            .bind(ws.0)
            .bind(id.0)
            .execute(db).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The lead has been told about these: the count starts over.
pub async fn reset_ignored(c: &mut Conn, ws: WorkspaceId, ids: &[KrId]) -> Result<()> {
    for id in ids {
        on!(c, |db| sqlx::query(
            "UPDATE key_results SET ignored_prompts = 0 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws.0)
        .bind(id.0)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The key results of one cycle's objectives.
pub async fn list_in_cycle(
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: crate::domain::model::CycleId,
) -> Result<Vec<KeyResult>> {
    let team_order = team_order(c);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE k.workspace_id = $1 AND o.cycle_id = $2 AND k.archived_at IS NULL \
         ORDER BY {team_order}, o.number, k.number"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(cycle.0)
        .fetch_all(db)
        .await)?;
    rows.into_iter().map(to_kr).collect()
}

/// One key result as [`list_in_cycle_with_trends`] packs it: the columns of [`Row`] in order
/// but those of its objective (which its [`ObjectivePack`] carries once), each REAL as
/// [`exact_real`] writes it, then the stored trend's sums in hex (empty for none), the
/// objective's id, the `from:` day and the contributing team that carries it.
#[derive(serde::Deserialize)]
struct Packed<'a>(
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    Option<String>,
    Option<i64>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    Option<i64>,
    #[serde(borrow)] Cow<'a, str>,
    i64,
    Option<String>,
    Option<i64>,
);

impl Packed<'_> {
    /// The key result, or its id when one of its values must be read one by one.
    fn unpack(self, objective: &ObjectivePack) -> Result<std::result::Result<KeyResult, KrId>> {
        let Packed(
            id,
            number,
            title,
            owner,
            kind,
            unit,
            start_value,
            target,
            current,
            direction,
            confidence,
            weight,
            created_at,
            last_check_in_at,
            kpi_id,
            _sums,
            _objective_id,
            paced_from,
            carried_by,
        ) = self;
        let what = |field: &'static str| move || format!("key result {id} {field}");
        let reals = [
            quoted_real(start_value.as_deref(), what("start"))?,
            quoted_real(target.as_deref(), what("target"))?,
            quoted_real(current.as_deref(), what("current"))?,
            quoted_real(weight.as_deref(), what("weight"))?,
        ];
        let [Some(start_value), Some(target), Some(current), Some(weight)] = reals else {
            return Ok(Err(KrId(id)));
        };
        let row = Row {
            id,
            objective_id: objective.objective_id,
            number,
            objective_number: objective.number,
            prefix: objective.prefix.clone(),
            title,
            owner,
            kind,
            unit,
            start_value,
            target,
            current,
            direction,
            confidence,
            weight,
            created_at: text_instant(&created_at, what("created_at"))?,
            last_check_in_at: last_check_in_at
                .as_deref()
                .map(|t| text_instant(t, what("last_check_in_at")))
                .transpose()?,
            kpi_id,
            carried_by,
            paced_from: paced_from
                .map(|d| {
                    d.parse::<NaiveDate>()
                        .map_err(|_| StoreError::Corrupt(what("paced_from")()))
                })
                .transpose()?,
        };
        Ok(Ok(to_kr(row)?))
    }
}

/// The stored trend packed beside a key result.
fn packed_trend(sums: &str) -> Option<super::check_ins::trend::StoredTrend> {
    let mut bytes = [0u8; super::check_ins::trend::SUMS_LEN];
    hex::decode_to_slice(sums, &mut bytes).ok()?;
    super::check_ins::trend::decode(&bytes)
}

/// The key results of one cycle's objectives, each with its stored trend if it has one (the
/// caller checks it was summed for the cycle's bounds in the team's zone): status and the
/// rollup score from these instead of reading every check-in.
///
/// One row for all of them, packed as JSON: a cycle may hold 10,000 key results, and each row
/// crossing from SQLite's thread costs more than SQLite's own work (`docs/scoring.md`, "Speed").
/// PostgreSQL has no such cost per row and sends its values in binary, so there they come as
/// plain rows, ordered by the same sort here.
pub async fn list_in_cycle_with_trends(
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: crate::domain::model::CycleId,
) -> Result<Vec<(KeyResult, Option<super::check_ins::trend::StoredTrend>)>> {
    let pack = pack_in_cycle(c, ws, cycle, (0, 1)).await?;
    unpack_all(c, ws, [pack]).await
}

/// [`list_in_cycle_with_trends`] with the objectives split between `c` and `other`, so that
/// SQLite packs both halves at once on their own threads (and PostgreSQL reads them on two
/// backends); the same rows in the same order.
pub async fn list_in_cycle_with_trends_on_two(
    c: &mut Conn,
    other: &mut Conn,
    ws: WorkspaceId,
    cycle: crate::domain::model::CycleId,
) -> Result<Vec<(KeyResult, Option<super::check_ins::trend::StoredTrend>)>> {
    let (even, odd) = tokio::join!(
        pack_in_cycle(c, ws, cycle, (0, 2)),
        pack_in_cycle(other, ws, cycle, (1, 2))
    );
    unpack_all(c, ws, [even?, odd?]).await
}

/// One objective as [`pack_in_cycle`] packs it: what orders its key results, and what each of
/// them carries from it.
#[derive(serde::Deserialize)]
struct ObjectivePack {
    team: String,
    objective_id: i64,
    number: i64,
    prefix: String,
}

/// The objectives of the cycle whose id is `part.0` modulo `part.1` and their key results,
/// each as one JSON array in no order, read in one statement so that both come from one
/// snapshot. Sorting them here is cheaper than SQLite's sorts for a `GROUP BY`.
#[derive(sqlx::FromRow)]
struct JsonPack {
    objectives: String,
    krs: String,
}

/// A read of key results with their trends, as each backend gives it: a [`JsonPack`] from
/// SQLite, plain [`TrendedRow`]s in no order from PostgreSQL.
enum CyclePack {
    Json(JsonPack),
    Rows(Vec<TrendedRow>),
}

/// A key result as PostgreSQL reads it for [`list_in_cycle_with_trends`]: its [`Row`], its
/// team's name to order it by, and its stored trend's sums.
#[derive(sqlx::FromRow)]
struct TrendedRow {
    #[sqlx(flatten)]
    kr: Row,
    team_name: String,
    sums: Option<Vec<u8>>,
}

/// [`SELECT`] with what a [`TrendedRow`] adds, for the unarchived key results its WHERE picks.
const TRENDED_PG: &str = select_from!(
    ", t.name AS team_name, tr.sums FROM key_results k JOIN objectives o ON o.id = k.objective_id \
     JOIN teams t ON t.id = o.team_id LEFT JOIN kr_trends tr ON tr.kr_id = k.id \
     WHERE k.archived_at IS NULL AND "
);

async fn pack_in_cycle(
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: crate::domain::model::CycleId,
    part: (i64, i64),
) -> Result<CyclePack> {
    let sql = pack_sql(
        "o.workspace_id = $1 AND o.cycle_id = $2 AND o.id % $3 = $4",
        "key_results k JOIN objectives o ON o.id = k.objective_id",
        "k.workspace_id = $1 AND o.cycle_id = $2 AND o.id % $3 = $4",
    );
    let pg = sqlx::AssertSqlSafe(format!(
        "{TRENDED_PG} k.workspace_id = $1 AND o.cycle_id = $2 AND o.id % $3 = $4"
    ));
    Ok(on!(
        c,
        sqlite
            | db
            | sqlx::query_as(sql)
                .bind(ws.0)
                .bind(cycle.0)
                .bind(part.1)
                .bind(part.0)
                .fetch_one(db)
                .await
                .map(CyclePack::Json),
        postgres
            | db
            | sqlx::query_as(pg)
                .bind(ws.0)
                .bind(cycle.0)
                .bind(part.1)
                .bind(part.0)
                .fetch_all(db)
                .await
                .map(CyclePack::Rows),
    )?)
}

/// The statement of a [`JsonPack`]: the objectives `objectives` selects (on `o`, with its
/// team `t`) and the unarchived key results `krs` selects among the rows of `from` (which
/// names them `k` and their objective `o`).
fn pack_sql(objectives: &str, from: &str, krs: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT json_group_array(json_array(t.name, o.id, o.number, t.prefix)) \
                 FROM objectives o JOIN teams t ON t.id = o.team_id \
                 WHERE {objectives}) AS objectives, \
                (SELECT json_group_array(json_array(k.id, k.number, k.title, k.owner, k.kind, k.unit, {}, {}, {}, \
                 k.direction, k.confidence, {}, k.created_at, k.last_check_in_at, k.kpi_id, hex(tr.sums), k.objective_id, k.paced_from, k.carried_by)) \
                 FROM {from} LEFT JOIN kr_trends tr ON tr.kr_id = k.id \
                 WHERE {krs} AND k.archived_at IS NULL) AS krs",
        exact_real("k.start_value"),
        exact_real("k.target"),
        exact_real("k.current"),
        exact_real("k.weight"),
    ))
}

/// [`list_in_cycle_with_trends`] for the given objectives only (a team's status): their key
/// results with their stored trends, in the same order, read by objective so that the rest of
/// the cycle is never touched.
pub async fn of_objectives_with_trends(
    c: &mut Conn,
    ws: WorkspaceId,
    objectives: &[ObjectiveId],
) -> Result<Vec<(KeyResult, Option<super::check_ins::trend::StoredTrend>)>> {
    // The unary `+` keeps the workspace terms (still checked) from choosing an index over the
    // whole workspace instead of the walk by objective.
    let sql = pack_sql(
        "o.id IN (SELECT value FROM json_each($2)) AND +o.workspace_id = $1",
        "objectives o CROSS JOIN key_results k ON k.objective_id = o.id",
        "o.id IN (SELECT value FROM json_each($2)) AND +o.workspace_id = $1 AND +k.workspace_id = $1",
    );
    let pg = sqlx::AssertSqlSafe(format!(
        "{TRENDED_PG} o.id = ANY($2) AND o.workspace_id = $1 AND k.workspace_id = $1"
    ));
    let pack = on!(
        c,
        sqlite
            | db
            | sqlx::query_as(sql)
                .bind(ws.0)
                .bind(objective_ids(objectives)?)
                .fetch_one(db)
                .await
                .map(CyclePack::Json),
        postgres
            | db
            | sqlx::query_as(pg)
                .bind(ws.0)
                .bind(ids_of(objectives))
                .fetch_all(db)
                .await
                .map(CyclePack::Rows),
    )?;
    unpack_all(c, ws, [pack]).await
}

/// The key results of the given objectives (archived ones left out), in [`list`]'s order,
/// found through their objectives.
pub async fn of_objectives(
    c: &mut Conn,
    ws: WorkspaceId,
    objectives: &[ObjectiveId],
) -> Result<Vec<KeyResult>> {
    if objectives.is_empty() {
        return Ok(vec![]);
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT_BY_OBJECTIVE} WHERE o.id IN (SELECT value FROM json_each($2)) \
         AND +o.workspace_id = $1 AND +k.workspace_id = $1 AND k.archived_at IS NULL \
         ORDER BY t.name, o.number, k.number"
    ));
    let pg = sqlx::AssertSqlSafe(format!(
        "{SELECT_BY_OBJECTIVE_PG} WHERE o.id = ANY($2) \
         AND o.workspace_id = $1 AND k.workspace_id = $1 AND k.archived_at IS NULL \
         ORDER BY {TEAM_ORDER_PG}, o.number, k.number"
    ));
    let rows: Vec<Row> = on!(
        c,
        sqlite
            | db
            | sqlx::query_as(sql)
                .bind(ws.0)
                .bind(objective_ids(objectives)?)
                .fetch_all(db)
                .await,
        postgres
            | db
            | sqlx::query_as(pg)
                .bind(ws.0)
                .bind(ids_of(objectives))
                .fetch_all(db)
                .await,
    )?;
    rows.into_iter().map(to_kr).collect()
}

/// Ids as the JSON array `json_each` walks: one statement for any number of them.
fn objective_ids(objectives: &[ObjectiveId]) -> Result<String> {
    serde_json::to_string(&ids_of(objectives))
        .map_err(|e| StoreError::Corrupt(format!("objective ids: {e}")))
}

/// Ids as the array PostgreSQL's `= ANY($n)` reads.
fn ids_of(objectives: &[ObjectiveId]) -> Vec<i64> {
    objectives.iter().map(|o| o.0).collect()
}

/// The key results of `packs` in the order of `ORDER BY t.name, o.number, k.number`, team
/// names compared as NOCASE does (ASCII letters folded to lower case).
async fn unpack_all<const N: usize>(
    c: &mut Conn,
    ws: WorkspaceId,
    packs: [CyclePack; N],
) -> Result<Vec<(KeyResult, Option<super::check_ins::trend::StoredTrend>)>> {
    // One store runs on one backend, so the packs are all of one kind.
    let mut json = Vec::with_capacity(N);
    let mut rows = Vec::new();
    for pack in packs {
        match pack {
            CyclePack::Json(p) => json.push(p),
            CyclePack::Rows(r) => rows.extend(r),
        }
    }
    if json.is_empty() {
        return rows_in_order(rows);
    }
    let corrupt =
        |e: serde_json::Error| StoreError::Corrupt(format!("key results of a cycle: {e}"));
    let mut objectives: Vec<ObjectivePack> = Vec::new();
    let mut krs: Vec<Packed<'_>> = Vec::new();
    for pack in &json {
        objectives
            .extend(serde_json::from_str::<Vec<ObjectivePack>>(&pack.objectives).map_err(corrupt)?);
        krs.extend(serde_json::from_str::<Vec<Packed<'_>>>(&pack.krs).map_err(corrupt)?);
    }
    let mut order: Vec<(String, i64, usize)> = objectives
        .iter()
        .enumerate()
        .map(|(i, o)| (o.team.to_ascii_lowercase(), o.number, i))
        .collect();
    order.sort();
    let rank: std::collections::HashMap<i64, usize> = order
        .iter()
        .enumerate()
        .map(|(rank, &(_, _, i))| (objectives[i].objective_id, rank))
        .collect();
    // Sorted as small keys and then taken by index: a packed key result is a few hundred
    // bytes, too many to move around in a sort of 10,000.
    let mut ranked = Vec::with_capacity(krs.len());
    for (at, kr) in krs.iter().enumerate() {
        let &rank = rank.get(&kr.16).ok_or_else(|| {
            StoreError::Corrupt(format!("key result {} of a missing objective", kr.0))
        })?;
        ranked.push((rank, kr.1, at));
    }
    ranked.sort_unstable();
    let mut krs: Vec<Option<Packed<'_>>> = krs.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(ranked.len());
    for (rank, _, at) in ranked {
        let Some(kr) = krs[at].take() else { continue };
        let trend = packed_trend(&kr.15);
        let kr = match kr.unpack(&objectives[order[rank].2])? {
            Ok(kr) => kr,
            Err(id) => by_id(c, ws, id).await?.ok_or_else(|| {
                StoreError::Corrupt(format!("key result {} vanished mid-read", id.0))
            })?,
        };
        out.push((kr, trend));
    }
    Ok(out)
}

/// PostgreSQL's [`TrendedRow`]s in [`unpack_all`]'s order: the same key, sorted here as the
/// packs are, so that both backends order team names alike whatever the server's collation.
fn rows_in_order(
    rows: Vec<TrendedRow>,
) -> Result<Vec<(KeyResult, Option<super::check_ins::trend::StoredTrend>)>> {
    let mut keyed: Vec<((String, i64, i64), TrendedRow)> = rows
        .into_iter()
        .map(|r| {
            let key = (
                r.team_name.to_ascii_lowercase(),
                r.kr.objective_number,
                r.kr.number,
            );
            (key, r)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed
        .into_iter()
        .map(|(_, r)| {
            let trend = r.sums.as_deref().and_then(super::check_ins::trend::decode);
            Ok((to_kr(r.kr)?, trend))
        })
        .collect()
}
