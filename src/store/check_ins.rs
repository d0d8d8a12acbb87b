//! The check-in history (`check_ins`, append-only; a withdrawal marks a row, never deletes it)
//! and, in [`trend`], the running sums of each key result's check-ins (`kr_trends`) that the
//! forecast reads. Recording a check-in moves its key result and its trend in the caller's
//! transaction; a history changed any other way drops the trend, which is summed again on its
//! next read.

pub mod trend;

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::on;
use super::packed::{exact_real, quoted_real, text_instant};
use super::{Conn, Result, StoreError};
use crate::domain::model::{
    CheckIn, CheckInId, CheckInSource, Confidence, KrId, WithdrawnCheckIn, WorkspaceId,
};
use crate::domain::scoring::CycleClock;
use crate::domain::trend::Trend;

/// Check-in points, `(time, value)` oldest first, by key result.
pub type Points = std::collections::HashMap<KrId, Vec<(DateTime<Utc>, f64)>>;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kr_id: i64,
    author: String,
    value: f64,
    confidence: Option<i64>,
    note: Option<String>,
    source: String,
    idempotency_key: Option<String>,
    created_at: DateTime<Utc>,
}

fn to_check_in(r: Row) -> Result<CheckIn> {
    Ok(CheckIn {
        id: CheckInId(r.id),
        kr_id: KrId(r.kr_id),
        author: r.author,
        value: r.value,
        confidence: r.confidence.and_then(Confidence::new),
        note: r.note,
        source: CheckInSource::parse(&r.source)
            .ok_or_else(|| StoreError::Corrupt(format!("check-in source {:?}", r.source)))?,
        idempotency_key: r.idempotency_key,
        created_at: r.created_at,
    })
}

const SELECT: &str = "SELECT id, kr_id, author, value, confidence, note, source, idempotency_key, created_at FROM check_ins";

pub struct NewCheckIn<'a> {
    pub kr: KrId,
    pub author: &'a str,
    pub value: f64,
    pub confidence: Option<Confidence>,
    pub note: Option<&'a str>,
    pub source: CheckInSource,
    pub idempotency_key: Option<&'a str>,
}

/// Appends a check-in and moves its key result to it (value, confidence when given, last
/// check-in, and a fresh count of ignored prompts) and its trend for `clock`, in the caller's
/// transaction. Returns `None` when the idempotency key was already used in this workspace:
/// the earlier check-in stands and nothing is written. A check-in stamped before the key
/// result's latest one takes its place in the history but leaves the key result as it is
/// ([`append`]).
pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    n: &NewCheckIn<'_>,
    at: DateTime<Utc>,
    clock: &CycleClock,
) -> Result<Option<Recorded>> {
    lock_key_result(c, ws, n.kr).await?;
    // Read before the row is appended, so that `before` is the trend the key result had.
    let before = trend::for_kr(c, ws, n.kr, clock).await?;
    let Some(appended) = append(c, ws, n, at).await? else {
        return Ok(None);
    };
    let mut after = before;
    trend::fold(c, ws, n.kr, clock, &mut after, at, n.value).await?;
    Ok(Some(Recorded {
        appended,
        before,
        trend: after,
    }))
}

/// Makes the caller's transaction the only writer of this key result's check-ins until it
/// ends. The trend is read, added to and written back, and SQLite's `BEGIN IMMEDIATE` already
/// lets one writer in at a time; on PostgreSQL two check-ins of one key result would each add
/// to the trend they read, and the later write would drop the other's point.
async fn lock_key_result(c: &mut Conn, ws: WorkspaceId, kr: KrId) -> Result<()> {
    on!(
        c,
        sqlite | _db | Ok::<_, sqlx::Error>(()),
        postgres
            | db
            | sqlx::query(
                "SELECT 1 FROM key_results WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
            )
            .bind(ws.0)
            .bind(kr.0)
            .execute(db)
            .await
            .map(|_| ())
    )?;
    Ok(())
}

/// [`insert`] for a check-in that is not scored as it is written (one that follows a KPI
/// reading, one restored by an import): the key result's stored trend, if any, moves with it;
/// none is summed for it here (the next scored read does that).
pub async fn insert_synced(
    c: &mut Conn,
    ws: WorkspaceId,
    n: &NewCheckIn<'_>,
    at: DateTime<Utc>,
) -> Result<Option<CheckInId>> {
    lock_key_result(c, ws, n.kr).await?;
    let appended = append(c, ws, n, at).await?;
    if appended.is_some() {
        trend::add(c, ws, n.kr, at, n.value).await?;
    }
    Ok(appended.map(|a| a.id))
}

/// What [`append`] did: the new check-in's id and its key result's state after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Appended {
    pub id: CheckInId,
    /// The key result's current value, confidence and last check-in time now: the new
    /// check-in's, unless an earlier-recorded one is later in time.
    pub current: f64,
    pub confidence: Option<Confidence>,
    pub last_check_in: Option<DateTime<Utc>>,
}

/// What [`insert`] recorded: the row and the key result's trend before and after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recorded {
    pub appended: Appended,
    pub before: Trend,
    pub trend: Trend,
}

/// The check-in row and the key result's new state.
///
/// The key result shows its latest check-in by `(created_at, id)`, the order of the history,
/// whatever order they were recorded in: a check-in stamped before the latest one (a clock
/// that went back, a delayed reading) joins the history in its place and leaves the current
/// value, confidence and last check-in time alone, so that `/okr undo` of the latest one puts
/// back what the history says. One UPDATE decides it against the stored time, keeping the hot
/// path at two statements. `created_at` and `last_check_in_at` are both written only from a
/// bound `DateTime<Utc>` (RFC 3339 in UTC, as sqlx writes it: `+00:00`, 0, 3, 6 or 9
/// fractional digits, four-digit years, which `service::fields::YEARS` keeps them to), and in
/// that form text order is time order: `12:00:00+00:00` sorts before
/// `12:00:00.5+00:00` because `+` sorts before every digit and `.`. PostgreSQL compares the
/// TIMESTAMPTZ values themselves. A tie goes to the new row, whose id is the larger.
async fn append(
    c: &mut Conn,
    ws: WorkspaceId,
    n: &NewCheckIn<'_>,
    at: DateTime<Utc>,
) -> Result<Option<Appended>> {
    let id: Option<i64> = on!(c, |db| {
        sqlx::query_scalar(
        "INSERT INTO check_ins (workspace_id, kr_id, author, value, confidence, note, source, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id",
    )
    .bind(ws.0)
    .bind(n.kr.0)
    .bind(n.author)
    .bind(n.value)
    .bind(n.confidence.map(i64::from))
    .bind(n.note)
    .bind(n.source.as_str())
    .bind(n.idempotency_key)
    .bind(at)
    .fetch_optional(db).await
    })?;
    let Some(id) = id else {
        return Ok(None);
    };
    // SET reads the row as it was, so every `last_check_in_at > ?3` sees the previous latest
    // time (NULL before the first check-in: not later, so the new one moves the key result).
    // An answer to a prompt however late, it resets the ignored-prompt count either way.
    // CASE, not SQLite's `iif`, which PostgreSQL lacks.
    let (current, confidence, last_check_in): (f64, Option<i64>, Option<DateTime<Utc>>) =
        on!(c, |db| sqlx::query_as(
            "UPDATE key_results SET \
             current = CASE WHEN last_check_in_at > $3 THEN current ELSE $1 END, \
             confidence = CASE WHEN last_check_in_at > $3 THEN confidence \
             ELSE coalesce($2, confidence) END, \
             last_check_in_at = CASE WHEN last_check_in_at > $3 THEN last_check_in_at ELSE $3 END, \
             ignored_prompts = 0 \
             WHERE workspace_id = $4 AND id = $5 \
             RETURNING current, confidence, last_check_in_at",
        )
        .bind(n.value)
        .bind(n.confidence.map(i64::from))
        .bind(at)
        .bind(ws.0)
        .bind(n.kr.0)
        .fetch_one(db)
        .await)?;
    Ok(Some(Appended {
        id: CheckInId(id),
        current,
        confidence: confidence.and_then(Confidence::new),
        last_check_in,
    }))
}

pub async fn by_idempotency_key(
    c: &mut Conn,
    ws: WorkspaceId,
    key: &str,
) -> Result<Option<CheckIn>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE workspace_id = $1 AND idempotency_key = $2"
    ));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(key)
        .fetch_optional(db)
        .await)?;
    row.map(to_check_in).transpose()
}

#[derive(sqlx::FromRow)]
struct WithdrawnRow {
    #[sqlx(flatten)]
    row: Row,
    withdrawn_at: DateTime<Utc>,
    withdrawn_by: Option<String>,
    reason: Option<String>,
}

const WITHDRAWN: &str =
    "SELECT id, kr_id, author, value, confidence, note, source, idempotency_key, \
     created_at, withdrawn_at, withdrawn_by, reason FROM withdrawn_check_ins";

fn to_withdrawn(w: WithdrawnRow) -> Result<WithdrawnCheckIn> {
    Ok(WithdrawnCheckIn {
        check_in: to_check_in(w.row)?,
        at: w.withdrawn_at,
        by: w.withdrawn_by,
        reason: w.reason,
    })
}

/// Every withdrawn check-in of the workspace, by key result and oldest first: the export
/// carries them.
pub async fn withdrawn_in_workspace(
    c: &mut Conn,
    ws: WorkspaceId,
) -> Result<Vec<WithdrawnCheckIn>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{WITHDRAWN} WHERE workspace_id = $1 ORDER BY kr_id, created_at, id"
    ));
    let rows: Vec<WithdrawnRow> = on!(c, |db| sqlx::query_as(sql).bind(ws.0).fetch_all(db).await)?;
    rows.into_iter().map(to_withdrawn).collect()
}

/// The withdrawn check-ins of one key result, oldest first: its history shows them.
pub async fn withdrawn_for_kr(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
) -> Result<Vec<WithdrawnCheckIn>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{WITHDRAWN} WHERE workspace_id = $1 AND kr_id = $2 ORDER BY created_at, id"
    ));
    let rows: Vec<WithdrawnRow> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(kr.0)
        .fetch_all(db)
        .await)?;
    rows.into_iter().map(to_withdrawn).collect()
}

/// The history of one key result, oldest first.
pub async fn for_kr(c: &mut Conn, ws: WorkspaceId, kr: KrId) -> Result<Vec<CheckIn>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE workspace_id = $1 AND kr_id = $2 ORDER BY created_at, id"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(kr.0)
        .fetch_all(db)
        .await)?;
    rows.into_iter().map(to_check_in).collect()
}

/// Every check-in of the workspace, grouped by key result and oldest first within each: one
/// query feeds the forecasts of a whole status report.
pub async fn for_workspace(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<CheckIn>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE workspace_id = $1 ORDER BY kr_id, created_at, id"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql).bind(ws.0).fetch_all(db).await)?;
    rows.into_iter().map(to_check_in).collect()
}

/// The `(time, value)` points of one key result's check-ins within `[from, to)`, oldest first:
/// the forecast's input, which ignores what lies outside the cycle anyway.
pub async fn points_between(
    c: &mut Conn,
    ws: WorkspaceId,
    kr: KrId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, f64)>> {
    let rows: Vec<(DateTime<Utc>, f64)> = on!(c, |db| sqlx::query_as(
        "SELECT created_at, value FROM check_ins WHERE workspace_id = $1 AND kr_id = $2 \
         AND created_at >= $3 AND created_at < $4 ORDER BY created_at, id",
    )
    .bind(ws.0)
    .bind(kr.0)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await)?;
    Ok(rows)
}

/// The `(time, value)` points of one key result's check-ins, oldest first: the forecast's input.
pub async fn points(c: &mut Conn, ws: WorkspaceId, kr: KrId) -> Result<Vec<(DateTime<Utc>, f64)>> {
    let rows: Vec<(DateTime<Utc>, f64)> = on!(c, |db| {
        sqlx::query_as(
        "SELECT created_at, value FROM check_ins WHERE workspace_id = $1 AND kr_id = $2 ORDER BY created_at, id",
    )
    .bind(ws.0)
    .bind(kr.0)
    .fetch_all(db).await
    })?;
    Ok(rows)
}

/// The latest check-in `author` made in the workspace, if any.
pub async fn latest_by(c: &mut Conn, ws: WorkspaceId, author: &str) -> Result<Option<CheckIn>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE workspace_id = $1 AND author = $2 ORDER BY created_at DESC, id DESC LIMIT 1"
    ));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(author)
        .fetch_optional(db)
        .await)?;
    row.map(to_check_in).transpose()
}

/// Who took a check-in back, and why.
#[derive(Debug, Clone, Copy)]
pub struct Withdrawal<'a> {
    /// `None` only for an imported withdrawal that did not say.
    pub by: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// Takes a check-in out of the history into `withdrawn_check_ins`, in the caller's
/// transaction (`/okr undo`, `/okr checkin withdraw`). The key result's state is the caller's
/// to put back.
pub async fn withdraw(
    c: &mut Conn,
    ws: WorkspaceId,
    id: CheckInId,
    now: DateTime<Utc>,
    w: Withdrawal<'_>,
) -> Result<()> {
    let kr: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT kr_id FROM check_ins WHERE workspace_id = $1 AND id = $2"
    )
    .bind(ws.0)
    .bind(id.0)
    .fetch_optional(db)
    .await)?;
    // As a check-in does: a check-in of this key result written meanwhile would otherwise
    // write back a trend that still holds the withdrawn point.
    if let Some(kr) = kr {
        lock_key_result(c, ws, KrId(kr)).await?;
    }
    on!(c, |db| {
        sqlx::query(
        "INSERT INTO withdrawn_check_ins (id, workspace_id, kr_id, author, value, confidence, note, \
         source, idempotency_key, created_at, withdrawn_at, withdrawn_by, reason) \
         SELECT id, workspace_id, kr_id, author, value, confidence, note, source, idempotency_key, \
         created_at, $1, $2, $3 FROM check_ins WHERE workspace_id = $4 AND id = $5",
    )
    .bind(now)
    .bind(w.by)
    .bind(w.reason)
    .bind(ws.0)
    .bind(id.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    if let Some(kr) = kr {
        trend::forget(c, ws, KrId(kr)).await?;
    }
    on!(c, |db| sqlx::query(
        "DELETE FROM check_ins WHERE workspace_id = $1 AND id = $2"
    )
    .bind(ws.0)
    .bind(id.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Import: a check-in with the time it was originally made; its id comes back. A key already
/// used refuses it.
pub async fn restore_returning(
    c: &mut Conn,
    ws: WorkspaceId,
    n: &NewCheckIn<'_>,
    at: DateTime<Utc>,
) -> Result<CheckInId> {
    insert_synced(c, ws, n, at)
        .await?
        .ok_or_else(|| StoreError::Duplicate(format!("idempotency key {:?}", n.idempotency_key)))
}

/// The `(time, value)` points of every key result of a team, oldest first within each.
///
/// The join starts from the team's objectives and walks down to each key result's check-ins,
/// so it reads the team's rows only. Left to itself SQLite starts from `check_ins` (every
/// check-in of the workspace, through `check_ins_points`) or finds the key results through
/// `key_results_by_workspace`: `CROSS JOIN` fixes the order, and the unary `+` keeps the
/// workspace terms (still checked) from choosing an index. PostgreSQL has no `CROSS JOIN ...
/// ON`, and its planner starts from the team's objectives on its own: plain joins there.
pub async fn points_for_team(
    c: &mut Conn,
    ws: WorkspaceId,
    team: crate::domain::model::TeamId,
) -> Result<Points> {
    let sql = on!(
        c,
        sqlite
            | _db
            | "SELECT ci.kr_id, ci.created_at, ci.value FROM objectives o \
         CROSS JOIN key_results k ON k.objective_id = o.id \
         CROSS JOIN check_ins ci ON ci.workspace_id = $1 AND ci.kr_id = k.id \
         WHERE o.team_id = $2 AND +o.workspace_id = $1 AND +k.workspace_id = $1 \
         ORDER BY ci.kr_id, ci.created_at, ci.id",
        postgres
            | _db
            | "SELECT ci.kr_id, ci.created_at, ci.value FROM objectives o \
         JOIN key_results k ON k.objective_id = o.id \
         JOIN check_ins ci ON ci.workspace_id = $1 AND ci.kr_id = k.id \
         WHERE o.team_id = $2 AND o.workspace_id = $1 AND k.workspace_id = $1 \
         ORDER BY ci.kr_id, ci.created_at, ci.id",
    );
    let rows: Vec<(i64, DateTime<Utc>, f64)> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(team.0)
        .fetch_all(db)
        .await)?;
    let mut out = Points::new();
    for (kr, t, v) in rows {
        out.entry(KrId(kr)).or_default().push((t, v));
    }
    Ok(out)
}

/// The `(time, value)` points of the given key results' check-ins, grouped by key result,
/// oldest first: for the few a status or rollup cannot score from a stored trend.
pub async fn points_of(c: &mut Conn, ws: WorkspaceId, krs: &[KrId]) -> Result<Points> {
    if krs.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    // One statement for any number of ids: a JSON array walked by json_each, or on
    // PostgreSQL an array.
    let ids: Vec<i64> = krs.iter().map(|k| k.0).collect();
    on!(
        c,
        sqlite | db | {
            let ids = serde_json::to_string(&ids)
                .map_err(|e| StoreError::Corrupt(format!("key result ids: {e}")))?;
            packed_points(
                db,
                ws,
                "check_ins ci",
                "ci.workspace_id = $1 AND ci.kr_id IN (SELECT value FROM json_each($2))",
                ids,
            )
            .await
        },
        postgres | db | {
            row_points(
                db,
                ws,
                "check_ins ci",
                "ci.workspace_id = $1 AND ci.kr_id = ANY($2)",
                ids,
            )
            .await
        },
    )
}

/// The points of the key results of `cycle`'s objectives that have no stored trend at all,
/// as [`points_of`] gives them; a key result without check-ins is absent.
///
/// From the cycle's objectives down to the check-ins of their untrended key results, so that
/// the check-ins of other cycles and of trended key results are never read: SQLite would
/// otherwise start from every check-in of the workspace (`CROSS JOIN` fixes the order, the
/// unary `+` keeps `key_results_by_workspace` from replacing the walk by objective).
/// PostgreSQL, without `CROSS JOIN ... ON`, walks the same plain joins by itself.
pub async fn points_untrended_in_cycle(
    c: &mut Conn,
    ws: WorkspaceId,
    cycle: crate::domain::model::CycleId,
) -> Result<Points> {
    let which = "uo.workspace_id = $1 AND uo.cycle_id = $2 AND +u.workspace_id = $1 \
         AND u.archived_at IS NULL AND tr.kr_id IS NULL";
    on!(
        c,
        sqlite | db | {
            let from = "objectives uo CROSS JOIN key_results u ON u.objective_id = uo.id \
                 LEFT JOIN kr_trends tr ON tr.kr_id = u.id \
                 CROSS JOIN check_ins ci ON ci.workspace_id = $1 AND ci.kr_id = u.id";
            packed_points(db, ws, from, which, cycle.0).await
        },
        postgres | db | {
            let from = "objectives uo JOIN key_results u ON u.objective_id = uo.id \
                 LEFT JOIN kr_trends tr ON tr.kr_id = u.id \
                 JOIN check_ins ci ON ci.workspace_id = $1 AND ci.kr_id = u.id";
            // Without SQLite's unary `+`: on PostgreSQL it hides the column from the planner's
            // estimate (50 rows expected for 10,000), which then probes kr_trends once per key
            // result in a nested loop.
            let which = "uo.workspace_id = $1 AND uo.cycle_id = $2 AND u.workspace_id = $1 \
                 AND u.archived_at IS NULL AND tr.kr_id IS NULL";
            row_points(db, ws, from, which, cycle.0).await
        },
    )
}

/// One check-in point as [`packed_points`] packs it: key result, `created_at` as stored, id,
/// and the value as [`exact_real`] writes it.
#[derive(serde::Deserialize)]
struct PackedPoint<'a>(
    i64,
    #[serde(borrow)] Cow<'a, str>,
    i64,
    #[serde(borrow)] Option<Cow<'a, str>>,
);

/// The points [`packed_points`] packed, grouped by key result in `ORDER BY kr_id, created_at,
/// id` as SQLite compares them (TEXT by its bytes), and the key results with a value outside
/// the exact band, whose points must be read one by one.
fn unpack_points(pack: &str) -> Result<(Points, Vec<i64>)> {
    let mut packed: Vec<PackedPoint<'_>> = serde_json::from_str(pack)
        .map_err(|e| StoreError::Corrupt(format!("check-in points: {e}")))?;
    // The rows come nearly in this order (an index's), which the sort runs through in a pass.
    packed.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    let (mut out, mut inexact) = (Points::new(), Vec::new());
    for PackedPoint(kr, at, _, value) in packed {
        let what = || format!("check-ins of key result {kr}");
        match quoted_real(value.as_deref(), what)? {
            Some(value) => out
                .entry(KrId(kr))
                .or_default()
                .push((text_instant(&at, what)?, value)),
            None => inexact.push(kr),
        }
    }
    Ok((out, inexact))
}

/// The points of the check-ins `which` selects among the rows of `from` (which names the
/// check-ins `ci`): an SQL condition with the workspace as `$1` and one parameter, `arg`, as
/// `$2`. Each caller's `from` and `which` keep the check-ins to the workspace.
async fn packed_points<'a, A>(
    db: &mut sqlx::SqliteConnection,
    ws: WorkspaceId,
    from: &str,
    which: &str,
    arg: A,
) -> Result<Points>
where
    A: 'a + Send + sqlx::Encode<'a, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    // All the points in one row of JSON, in no order: each row crossing from SQLite's thread
    // costs more than reading it, and sorting here is cheaper than SQLite's sort of the
    // aggregate (`docs/scoring.md`, "Speed").
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT json_group_array(json_array(ci.kr_id, ci.created_at, ci.id, {})) \
         FROM {from} WHERE {which}",
        exact_real("ci.value")
    ));
    let pack: String = sqlx::query_scalar(sql)
        .bind(ws.0)
        .bind(arg)
        .fetch_one(&mut *db)
        .await?;
    let (mut out, mut inexact) = unpack_points(&pack)?;
    inexact.dedup();
    for kr in inexact {
        // A value at an extreme the packed text may not hold exactly: read them one by one.
        let points = sqlx::query_as(
            "SELECT created_at, value FROM check_ins WHERE workspace_id = $1 AND kr_id = $2 \
             ORDER BY created_at, id",
        )
        .bind(ws.0)
        .bind(kr)
        .fetch_all(&mut *db)
        .await?;
        out.insert(KrId(kr), points);
    }
    Ok(out)
}

/// [`packed_points`] on PostgreSQL: plain rows, in order, each value as stored (binary, so
/// exact at any magnitude). PostgreSQL has no cost per row like SQLite's thread hop to save.
async fn row_points<'a, A>(
    db: &mut sqlx::PgConnection,
    ws: WorkspaceId,
    from: &str,
    which: &str,
    arg: A,
) -> Result<Points>
where
    A: 'a + Send + sqlx::Encode<'a, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT ci.kr_id, ci.created_at, ci.value FROM {from} WHERE {which} \
         ORDER BY ci.kr_id, ci.created_at, ci.id"
    ));
    let rows: Vec<(i64, DateTime<Utc>, f64)> = sqlx::query_as(sql)
        .bind(ws.0)
        .bind(arg)
        .fetch_all(db)
        .await?;
    let mut out = Points::new();
    for (kr, t, v) in rows {
        out.entry(KrId(kr)).or_default().push((t, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacked_points_are_in_order_of_key_result_time_and_id_whatever_order_they_came_in() {
        let pack = r#"[[2,"2026-11-02T09:00:00+00:00",8,"1"],
            [1,"2026-11-01T09:00:00+00:00",9,"2"],
            [1,"2026-11-01T09:00:00+00:00",3,"3"],
            [1,"2026-10-30T09:00:00+00:00",7,"5p1"],
            [3,"2026-10-30T09:00:00+00:00",4,null]]"#;
        let (points, inexact) = unpack_points(pack).unwrap();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(
            points[&KrId(1)],
            vec![
                (t("2026-10-30T09:00:00Z"), 2.5),
                (t("2026-11-01T09:00:00Z"), 3.0),
                (t("2026-11-01T09:00:00Z"), 2.0),
            ]
        );
        assert_eq!(points[&KrId(2)], vec![(t("2026-11-02T09:00:00Z"), 1.0)]);
        assert_eq!(inexact, vec![3], "a value outside the band is read again");
        assert!(unpack_points(r#"[[1,"2026-11-01T09:00:00+00:00",1,"1p"]]"#).is_err());
        assert_eq!(unpack_points("[]").unwrap().0, Points::new());
    }
}
