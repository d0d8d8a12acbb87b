//! KPIs, their readings and links (`docs/kpis.md`). Recording a reading writes the reading and
//! moves the KPI's two latest values on the row, reading no history.

use chrono::{DateTime, Utc};

use super::on;
use super::{Conn, Result, StoreError};
use crate::domain::kpi::{
    Better, Cadence, Kpi, KpiSource, ListedReading, Range, Reading, ReadingSource,
    ReadingWithdrawal,
};
use crate::domain::model::{KpiId, KrId, ObjectiveId, TeamId, Unit, WorkspaceId};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    team_id: i64,
    name: String,
    unit: String,
    better: String,
    min_value: Option<f64>,
    max_value: Option<f64>,
    owner: Option<String>,
    latest_value: Option<f64>,
    latest_at: Option<DateTime<Utc>>,
    previous_value: Option<f64>,
    previous_at: Option<DateTime<Utc>>,
    alerting: bool,
    source_url: Option<String>,
    source_pointer: Option<String>,
    source_cron: Option<String>,
    source_headers: Option<String>,
    source_error: Option<String>,
    source_error_at: Option<DateTime<Utc>>,
    cadence_days: Option<i64>,
    pushed: bool,
}

const SELECT: &str = "SELECT k.id, k.team_id, k.name, k.unit, k.better, k.min_value, k.max_value, \
     k.owner, k.latest_value, k.latest_at, k.previous_value, k.previous_at, \
     k.source_url, k.source_pointer, k.source_cron, k.source_headers, k.source_error, \
     k.source_error_at, k.cadence_days, k.push_token_sha256 IS NOT NULL AS pushed, \
     EXISTS (SELECT 1 FROM alerts a WHERE a.workspace_id = k.workspace_id \
       AND a.kind = 'kpi-out-of-range' AND a.subject = k.id AND a.state <> 'resolved') AS alerting \
     FROM kpis k";

fn to_kpi(r: Row) -> Result<Kpi> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("kpi {}: {what} {v:?}", r.id));
    let pair = |at: Option<DateTime<Utc>>, v: Option<f64>| at.zip(v);
    Ok(Kpi {
        id: KpiId(r.id),
        team_id: TeamId(r.team_id),
        unit: Unit::parse(&r.unit).ok_or_else(|| corrupt("unit", &r.unit))?,
        better: Better::parse(&r.better).ok_or_else(|| corrupt("better", &r.better))?,
        range: Range {
            min: r.min_value,
            max: r.max_value,
        },
        owner: r.owner,
        latest: pair(r.latest_at, r.latest_value),
        previous: pair(r.previous_at, r.previous_value),
        alerting: r.alerting,
        source: match (r.source_url, r.source_pointer, r.source_cron) {
            (Some(url), Some(pointer), Some(cron)) => Some(KpiSource {
                url,
                pointer,
                cron,
                header_names: headers_from(r.source_headers.as_deref())?
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect(),
                last_error: r.source_error_at.zip(r.source_error),
            }),
            _ => None,
        },
        cadence: match r.cadence_days {
            None => None,
            Some(d) => Some(Cadence::days(d).ok_or_else(|| corrupt("cadence", &d.to_string()))?),
        },
        stale_for: None,
        pushed: r.pushed,
        name: r.name,
    })
}

/// The stored headers: a JSON list of `[name, value]` pairs.
fn headers_from(json: Option<&str>) -> Result<Vec<(String, String)>> {
    match json {
        None => Ok(vec![]),
        Some(j) => serde_json::from_str(j)
            .map_err(|e| StoreError::Corrupt(format!("kpi source headers: {e}"))),
    }
}

/// What `/kpi source` sets: the URL, pointer, cron, headers and the first due time.
pub struct NewSource<'a> {
    pub url: &'a str,
    pub pointer: &'a str,
    pub cron: &'a str,
    pub headers: &'a [(String, String)],
    pub next_due: DateTime<Utc>,
}

/// Sets (or, with `None`, removes) the KPI's HTTP source; a new source starts without error.
pub async fn set_source(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    s: Option<&NewSource<'_>>,
) -> Result<()> {
    let headers = s
        .map(|s| serde_json::to_string(s.headers))
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    on!(c, |db| {
        sqlx::query(
        "UPDATE kpis SET source_url = $1, source_pointer = $2, source_cron = $3, source_headers = $4, \
         source_next_due = $5, source_error = NULL, source_error_at = NULL \
         WHERE workspace_id = $6 AND id = $7",
    )
    .bind(s.map(|s| s.url))
    .bind(s.map(|s| s.pointer))
    .bind(s.map(|s| s.cron))
    .bind(headers)
    .bind(s.map(|s| s.next_due.timestamp()))
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What a fetch needs, secrets included: the URL, the pointer and the headers.
pub async fn source_secret(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
) -> Result<Option<(String, String, Vec<(String, String)>)>> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> =
        on!(c, |db| sqlx::query_as(
            "SELECT source_url, source_pointer, source_headers FROM kpis \
         WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL",
        )
        .bind(ws.0)
        .bind(kpi.0)
        .fetch_optional(db)
        .await)?;
    match row {
        Some((Some(url), Some(pointer), headers)) => {
            Ok(Some((url, pointer, headers_from(headers.as_deref())?)))
        }
        _ => Ok(None),
    }
}

/// Sources due at `now`, through the index on their next due time: `(workspace, kpi, due)`.
pub async fn due_sources(
    c: &mut Conn,
    now: DateTime<Utc>,
    limit: i64,
    scope: Option<WorkspaceId>,
) -> Result<Vec<(WorkspaceId, KpiId, i64)>> {
    let rows: Vec<(i64, i64, i64)> = on!(c, |db| sqlx::query_as(
        "SELECT workspace_id, id, source_next_due FROM kpis WHERE source_next_due IS NOT NULL \
         AND archived_at IS NULL AND source_next_due <= $1 AND ($3 IS NULL OR workspace_id = $3) \
         ORDER BY source_next_due LIMIT $2",
    )
    .bind(now.timestamp())
    .bind(limit)
    .bind(scope.map(|w| w.0))
    .fetch_all(db)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(w, k, d)| (WorkspaceId(w), KpiId(k), d))
        .collect())
}

/// The earliest due source, for the scheduler's wake-up.
pub async fn next_source_due(
    c: &mut Conn,
    scope: Option<WorkspaceId>,
) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> = on!(c, |db| {
        sqlx::query_scalar(
        "SELECT min(source_next_due) FROM kpis WHERE source_next_due IS NOT NULL AND archived_at IS NULL \
         AND ($1 IS NULL OR workspace_id = $1)",
    )
    .bind(scope.map(|w| w.0))
    .fetch_one(db).await
    })?;
    Ok(t.and_then(|t| DateTime::from_timestamp(t, 0)))
}

/// Claims a due source by moving it on from `was` to `next`; `false` when another process
/// claimed it first.
pub async fn advance_source(
    c: &mut Conn,
    kpi: KpiId,
    was: i64,
    next: DateTime<Utc>,
) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(
        "UPDATE kpis SET source_next_due = $1 WHERE id = $2 AND source_next_due = $3"
    )
    .bind(next.timestamp())
    .bind(kpi.0)
    .bind(was)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Keeps (or, with `None`, clears) the last fetch's failure.
pub async fn set_source_error(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    error: Option<(DateTime<Utc>, &str)>,
) -> Result<()> {
    on!(c, |db| {
        sqlx::query(
        "UPDATE kpis SET source_error = $1, source_error_at = $2 WHERE workspace_id = $3 AND id = $4",
    )
    .bind(error.map(|e| e.1))
    .bind(error.map(|e| e.0))
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub struct NewKpi<'a> {
    pub team: TeamId,
    pub name: &'a str,
    pub name_key: &'a str,
    pub unit: &'a Unit,
    pub better: Better,
    pub range: Range,
    pub owner: Option<&'a str>,
    pub cadence: Option<Cadence>,
}

pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    k: &NewKpi<'_>,
    now: DateTime<Utc>,
) -> Result<KpiId> {
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO kpis (workspace_id, team_id, name, name_key, unit, better, min_value, max_value, \
         owner, cadence_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(ws.0)
    .bind(k.team.0)
    .bind(k.name)
    .bind(k.name_key)
    .bind(k.unit.code())
    .bind(k.better.as_str())
    .bind(k.range.min)
    .bind(k.range.max)
    .bind(k.owner)
    .bind(k.cadence.map(|c| i64::from(c.in_days())))
    .bind(now)
    .fetch_one(db).await)
    .map_err(StoreError::from_write)?;
    Ok(KpiId(id))
}

/// The workspace's KPIs (of one team, when given), archived ones left out, by team and name.
pub async fn list(c: &mut Conn, ws: WorkspaceId, team: Option<TeamId>) -> Result<Vec<Kpi>> {
    // `?2 IS NULL OR ...` can use no index: a team asked for is also named in a term that can
    // (`kpis_name`), the unary `+` keeping the workspace term (still checked) from choosing
    // `kpis_by_workspace`, every KPI of the workspace, instead.
    let scope = match team {
        Some(_) => "k.team_id = $2 AND +k.workspace_id = $1",
        None => "k.workspace_id = $1",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {scope} AND k.archived_at IS NULL \
         AND ($2 IS NULL OR k.team_id = $2) ORDER BY k.team_id, k.name_key"
    ));
    let rows: Vec<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(team.map(|t| t.0))
        .fetch_all(db)
        .await)?;
    rows.into_iter().map(to_kpi).collect()
}

pub async fn by_id(c: &mut Conn, ws: WorkspaceId, id: KpiId) -> Result<Option<Kpi>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE k.workspace_id = $1 AND k.id = $2 AND k.archived_at IS NULL"
    ));
    let row: Option<Row> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(id.0)
        .fetch_optional(db)
        .await)?;
    row.map(to_kpi).transpose()
}

/// Appends a reading and makes it the KPI's latest, the latest before it its previous. Returns
/// its id.
pub async fn record(c: &mut Conn, ws: WorkspaceId, kpi: KpiId, reading: &Reading) -> Result<i64> {
    let id: i64 = on!(c, |db| sqlx::query_scalar(
        "INSERT INTO kpi_readings (workspace_id, kpi_id, value, source, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(ws.0)
    .bind(kpi.0)
    .bind(reading.value)
    .bind(reading.source.as_str())
    .bind(&reading.author)
    .bind(reading.at)
    .fetch_one(db)
    .await)?;
    on!(c, |db| sqlx::query(
        "UPDATE kpis SET previous_value = latest_value, previous_at = latest_at, \
         latest_value = $1, latest_at = $2 WHERE workspace_id = $3 AND id = $4",
    )
    .bind(reading.value)
    .bind(reading.at)
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// The latest `limit` readings that count (none withdrawn), newest first.
pub async fn readings(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    limit: i64,
) -> Result<Vec<Reading>> {
    let rows: Vec<(f64, String, String, DateTime<Utc>)> = on!(c, |db| sqlx::query_as(
        "SELECT value, source, author, created_at FROM kpi_readings WHERE workspace_id = $1 \
         AND kpi_id = $2 AND withdrawn_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(ws.0)
    .bind(kpi.0)
    .bind(limit)
    .fetch_all(db)
    .await)?;
    rows.into_iter()
        .map(|(value, source, author, at)| {
            Ok(Reading {
                at,
                value,
                source: ReadingSource::parse(&source)
                    .ok_or_else(|| StoreError::Corrupt(format!("reading source {source:?}")))?,
                author,
            })
        })
        .collect()
}

type ListedRow = (
    i64,
    f64,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

/// The latest `limit` readings, withdrawn ones included (marked), newest first: what
/// `/kpi show` lists and an export carries.
pub async fn listed(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    limit: i64,
) -> Result<Vec<ListedReading>> {
    let rows: Vec<ListedRow> = on!(c, |db| {
        sqlx::query_as(
        "SELECT id, value, source, author, created_at, withdrawn_at, withdrawn_by, withdrawn_reason \
         FROM kpi_readings WHERE workspace_id = $1 AND kpi_id = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(ws.0)
    .bind(kpi.0)
    .bind(limit)
    .fetch_all(db).await
    })?;
    rows.into_iter().map(listed_of).collect()
}

/// Reading `id` of the KPI, withdrawn or not; its latest that counts when `id` is `None`.
pub async fn reading(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    id: Option<i64>,
) -> Result<Option<ListedReading>> {
    let row: Option<ListedRow> = on!(c, |db| {
        sqlx::query_as(
        "SELECT id, value, source, author, created_at, withdrawn_at, withdrawn_by, withdrawn_reason \
         FROM kpi_readings WHERE workspace_id = $1 AND kpi_id = $2 \
         AND (id = $3 OR ($3 IS NULL AND withdrawn_at IS NULL)) \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(ws.0)
    .bind(kpi.0)
    .bind(id)
    .fetch_optional(db).await
    })?;
    row.map(listed_of).transpose()
}

fn listed_of(
    (id, value, source, author, at, w_at, w_by, reason): ListedRow,
) -> Result<ListedReading> {
    Ok(ListedReading {
        id,
        reading: Reading {
            at,
            value,
            source: ReadingSource::parse(&source)
                .ok_or_else(|| StoreError::Corrupt(format!("reading source {source:?}")))?,
            author,
        },
        withdrawn: w_at.map(|at| ReadingWithdrawal {
            at,
            by: w_by.unwrap_or_default(),
            reason,
        }),
    })
}

/// Marks a reading withdrawn. Returns whether it was a counted reading of this KPI.
pub async fn withdraw_reading(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    id: i64,
    w: &ReadingWithdrawal,
) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(
        "UPDATE kpi_readings SET withdrawn_at = $1, withdrawn_by = $2, withdrawn_reason = $3 \
         WHERE workspace_id = $4 AND kpi_id = $5 AND id = $6 AND withdrawn_at IS NULL",
    )
    .bind(w.at)
    .bind(&w.by)
    .bind(&w.reason)
    .bind(ws.0)
    .bind(kpi.0)
    .bind(id)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Sets the KPI's latest and previous values from its two latest readings that count: after a
/// withdrawal, as if the withdrawn one had never been read.
pub async fn refresh_latest(c: &mut Conn, ws: WorkspaceId, kpi: KpiId) -> Result<()> {
    let two = readings(c, ws, kpi, 2).await?;
    let (latest, previous) = (two.first(), two.get(1));
    on!(c, |db| sqlx::query(
        "UPDATE kpis SET latest_value = $1, latest_at = $2, previous_value = $3, previous_at = $4 \
         WHERE workspace_id = $5 AND id = $6",
    )
    .bind(latest.map(|r| r.value))
    .bind(latest.map(|r| r.at))
    .bind(previous.map(|r| r.value))
    .bind(previous.map(|r| r.at))
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// `/kpi edit`: who is asked for it and how often.
pub async fn set_owner_and_cadence(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
    owner: Option<&str>,
    cadence: Option<Cadence>,
) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE kpis SET owner = $1, cadence_days = $2 WHERE workspace_id = $3 AND id = $4"
    )
    .bind(owner)
    .bind(cadence.map(|c| i64::from(c.in_days())))
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_range(c: &mut Conn, ws: WorkspaceId, kpi: KpiId, range: Range) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE kpis SET min_value = $1, max_value = $2 WHERE workspace_id = $3 AND id = $4"
    )
    .bind(range.min)
    .bind(range.max)
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// `/kpi remove`: out of every list, its readings kept.
pub async fn archive(c: &mut Conn, ws: WorkspaceId, kpi: KpiId, now: DateTime<Utc>) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE kpis SET archived_at = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(now)
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Links an objective to a KPI; linking twice is linking once.
pub async fn link(c: &mut Conn, kpi: KpiId, objective: ObjectiveId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "INSERT INTO kpi_links (kpi_id, objective_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(kpi.0)
    .bind(objective.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every link of the workspace's KPIs (archived ones left out): `(objective, KPI name)`, by name.
pub async fn linked_names(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<(ObjectiveId, String)>> {
    let rows: Vec<(i64, String)> = on!(c, |db| sqlx::query_as(
        "SELECT l.objective_id, k.name FROM kpi_links l JOIN kpis k ON k.id = l.kpi_id \
         WHERE k.workspace_id = $1 AND k.archived_at IS NULL ORDER BY k.name_key",
    )
    .bind(ws.0)
    .fetch_all(db)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(o, name)| (ObjectiveId(o), name))
        .collect())
}

/// [`linked_names`] of the given objectives only, found through `kpi_links_by_objective`.
/// PostgreSQL takes the ids as an array, joins plainly (it has no `CROSS JOIN ... ON`) and
/// orders the folded names by their bytes, as SQLite does.
pub async fn linked_names_of(
    c: &mut Conn,
    ws: WorkspaceId,
    objectives: &[ObjectiveId],
) -> Result<Vec<(ObjectiveId, String)>> {
    let ids: Vec<i64> = objectives.iter().map(|o| o.0).collect();
    let rows: Vec<(i64, String)> = on!(c,
        sqlite |db| sqlx::query_as(
            "SELECT l.objective_id, k.name FROM kpi_links l CROSS JOIN kpis k ON k.id = l.kpi_id \
             WHERE l.objective_id IN (SELECT value FROM json_each($2)) AND k.workspace_id = $1 \
             AND k.archived_at IS NULL ORDER BY k.name_key",
        )
        .bind(ws.0)
        .bind(
            serde_json::to_string(&ids)
                .map_err(|e| StoreError::Corrupt(format!("objective ids: {e}")))?,
        )
        .fetch_all(db)
        .await,
        postgres |db| sqlx::query_as(
            r#"SELECT l.objective_id, k.name FROM kpi_links l JOIN kpis k ON k.id = l.kpi_id
             WHERE l.objective_id = ANY($2) AND k.workspace_id = $1
             AND k.archived_at IS NULL ORDER BY k.name_key COLLATE "C""#,
        )
        .bind(ws.0)
        .bind(ids)
        .fetch_all(db)
        .await,
    )?;
    Ok(rows
        .into_iter()
        .map(|(o, name)| (ObjectiveId(o), name))
        .collect())
}

/// The objectives linked to a KPI, by id.
pub async fn links(c: &mut Conn, kpi: KpiId) -> Result<Vec<ObjectiveId>> {
    let ids: Vec<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT objective_id FROM kpi_links WHERE kpi_id = $1 ORDER BY objective_id",
    )
    .bind(kpi.0)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(ObjectiveId).collect())
}

/// The KPI's alert that is not resolved yet, if any: its id and the objective its Start an OKR
/// drafted, if it did. In a write transaction the alert is then the caller's alone until it
/// ends: two presses at once draft one objective, the second finding the first's draft (on
/// SQLite one writer at a time does it; on PostgreSQL `FOR UPDATE`, after which the second
/// reads the row as the first left it).
pub async fn open_alert_draft(
    c: &mut Conn,
    ws: WorkspaceId,
    kpi: KpiId,
) -> Result<Option<(i64, Option<ObjectiveId>)>> {
    macro_rules! sql {
        () => {
            "SELECT id, drafted_objective_id FROM alerts WHERE workspace_id = $1 \
             AND kind = 'kpi-out-of-range' AND subject = $2 AND state <> 'resolved'"
        };
    }
    let sql = on!(
        c,
        sqlite | _db | sql!(),
        postgres | _db | concat!(sql!(), " FOR UPDATE")
    );
    let row: Option<(i64, Option<i64>)> = on!(c, |db| sqlx::query_as(sql)
        .bind(ws.0)
        .bind(kpi.0)
        .fetch_optional(db)
        .await)?;
    Ok(row.map(|(id, o)| (id, o.map(ObjectiveId))))
}

/// Records the objective an alert's Start an OKR drafted.
pub async fn set_alert_draft(c: &mut Conn, alert: i64, objective: ObjectiveId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE alerts SET drafted_objective_id = $1 WHERE id = $2"
    )
    .bind(objective.0)
    .bind(alert)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes a key result follow a KPI: its readings are checked in on it (`/kpi okr`).
pub async fn follow(c: &mut Conn, ws: WorkspaceId, kr: KrId, kpi: KpiId) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE key_results SET kpi_id = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(kpi.0)
    .bind(ws.0)
    .bind(kr.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The key results following a KPI that can still take check-ins: not archived, in a cycle
/// that is not closed.
pub async fn followers(c: &mut Conn, ws: WorkspaceId, kpi: KpiId) -> Result<Vec<KrId>> {
    let ids: Vec<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT k.id FROM key_results k JOIN objectives o ON o.id = k.objective_id \
         JOIN cycles cy ON cy.id = o.cycle_id WHERE k.workspace_id = $1 AND k.kpi_id = $2 \
         AND k.archived_at IS NULL AND cy.closed_at IS NULL ORDER BY k.id",
    )
    .bind(ws.0)
    .bind(kpi.0)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(KrId).collect())
}

/// The owners of the key results that follow a KPI and can still take check-ins: who is asked
/// for a KPI without an owner, and may record it.
pub async fn follower_owners(c: &mut Conn, ws: WorkspaceId, kpi: KpiId) -> Result<Vec<String>> {
    Ok(on!(c, |db| sqlx::query_scalar(
        "SELECT DISTINCT k.owner FROM key_results k JOIN objectives o ON o.id = k.objective_id \
         JOIN cycles cy ON cy.id = o.cycle_id WHERE k.workspace_id = $1 AND k.kpi_id = $2 \
         AND k.owner IS NOT NULL AND k.archived_at IS NULL AND cy.closed_at IS NULL \
         ORDER BY k.owner",
    )
    .bind(ws.0)
    .bind(kpi.0)
    .fetch_all(db)
    .await)?)
}

/// Sets the KPI's push token, by its hash (`/kpi token`); a new one replaces the old.
pub async fn set_push_token(c: &mut Conn, ws: WorkspaceId, kpi: KpiId, sha256: &str) -> Result<()> {
    on!(c, |db| sqlx::query(
        "UPDATE kpis SET push_token_sha256 = $1 WHERE workspace_id = $2 AND id = $3"
    )
    .bind(sha256)
    .bind(ws.0)
    .bind(kpi.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The KPI a push names, with its workspace and token hash: a push carries no workspace, the
/// token is what places it.
pub async fn for_push(c: &mut Conn, kpi: KpiId) -> Result<Option<(WorkspaceId, String)>> {
    let row: Option<(i64, Option<String>)> = on!(c, |db| {
        sqlx::query_as(
        "SELECT workspace_id, push_token_sha256 FROM kpis WHERE id = $1 AND archived_at IS NULL",
    )
    .bind(kpi.0)
    .fetch_optional(db).await
    })?;
    Ok(row.and_then(|(w, h)| Some((WorkspaceId(w), h?))))
}
