//! Tables `deliveries` (the ledger) and `digest_marks`. Everything sent is recorded in the
//! transaction that decides it, at most once per team, kind, recipient and slot, then claimed,
//! sent or retried and settled here; a live claim is never taken from another process.

use chrono::{DateTime, Duration, Utc};

use super::on;
use super::{Conn, Result, StoreError};
use crate::domain::message::{Attachment, Message};
use crate::domain::model::{KpiId, KrId, TeamId, WorkspaceId};
use crate::outbox::{Delivery, DeliveryKind, Recipient};

#[derive(Clone, Copy)]
pub struct NewDelivery<'a> {
    pub team: TeamId,
    pub kind: DeliveryKind,
    pub recipient: &'a Recipient,
    pub slot: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub message: &'a Message,
    pub subjects: &'a [KrId],
    /// The KPIs a prompt asks for.
    pub kpis: &'a [KpiId],
    /// A prompt's slot as the wall time where its recipient lives, seconds as if UTC: one
    /// prompt per owner per occurrence of the schedule, across zone changes.
    pub local_slot: Option<i64>,
}

/// Records a decision to send. Returns `false` when this (team, kind, recipient, slot) was
/// decided before: the ledger already owes or has sent it.
pub async fn insert(
    c: &mut Conn,
    ws: WorkspaceId,
    d: &NewDelivery<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let payload =
        serde_json::to_string(d.message).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let subjects = serde_json::to_string(&d.subjects.iter().map(|k| k.0).collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let kpis = serde_json::to_string(&d.kpis.iter().map(|k| k.0).collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let attachment = d.message.attachments.first();
    let done = on!(c, |db| {
        sqlx::query(
        "INSERT INTO deliveries (workspace_id, team_id, kind, recipient, slot, due_at, next_attempt_at, \
         payload, subjects, kpi_subjects, attachment_name, attachment, created_at, local_slot) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (team_id, kind, recipient, slot) DO NOTHING",
    )
    .bind(ws.0)
    .bind(d.team.0)
    .bind(d.kind.as_str())
    .bind(d.recipient.key())
    .bind(d.slot.timestamp())
    .bind(d.due.timestamp())
    .bind(d.due.timestamp())
    .bind(payload)
    .bind(subjects)
    .bind(kpis)
    .bind(attachment.map(|a| a.name.as_str()))
    .bind(attachment.map(|a| a.bytes.as_slice()))
    .bind(now.timestamp())
    .bind(d.local_slot)
    .execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Records an event message (an alert, a notice) at its slot or, when the ledger already holds
/// one of that team, kind and recipient in that second (another event decided in the same
/// second), one second after the latest such row from that second on: however many events a
/// second brings, none is lost.
pub async fn insert_in_free_second(
    c: &mut Conn,
    ws: WorkspaceId,
    d: &NewDelivery<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut slot = d.slot;
    // On SQLite one writer at a time: the second probe always lands. On PostgreSQL writers
    // interleave, and another may take the second after the latest between this read and
    // this insert (the unique key refuses the second taker, who reads again): each probe
    // finds a later second, and only a storm of that many writers at once runs out.
    for _ in 0..FREE_SECOND_PROBES {
        let at = NewDelivery { slot, ..*d };
        if insert(c, ws, &at, now).await? {
            return Ok(());
        }
        let latest: Option<i64> = on!(c, |db| {
            sqlx::query_scalar(
            "SELECT max(slot) FROM deliveries WHERE team_id = $1 AND kind = $2 AND recipient = $3 AND slot >= $4",
        )
        .bind(d.team.0)
        .bind(d.kind.as_str())
        .bind(d.recipient.key())
        .bind(slot.timestamp())
        .fetch_one(db)
        .await
        })?;
        slot = latest
            .and_then(|s| DateTime::from_timestamp(s + 1, 0))
            .ok_or_else(|| StoreError::Corrupt(format!("no ledger slot after {slot}")))?;
    }
    Err(StoreError::Corrupt(format!(
        "no free ledger second found up to {slot} after {FREE_SECOND_PROBES} tries"
    )))
}

/// How often [`insert_in_free_second`] looks for a later second before it gives up.
const FREE_SECOND_PROBES: usize = 64;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    workspace_id: i64,
    team_id: i64,
    timezone: String,
    channel: Option<String>,
    kind: String,
    recipient: String,
    slot: i64,
    due_at: i64,
    attempts: i64,
    payload: String,
    attachment_name: Option<String>,
    attachment: Option<Vec<u8>>,
}

fn to_delivery(r: Row) -> Result<Delivery> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("delivery {}: {what}", r.id));
    let mut message: Message = serde_json::from_str(&r.payload).map_err(|_| corrupt("payload"))?;
    if let (Some(name), Some(bytes)) = (r.attachment_name, r.attachment) {
        message.attachments.push(Attachment { name, bytes });
    }
    Ok(Delivery {
        id: r.id,
        workspace: WorkspaceId(r.workspace_id),
        team: TeamId(r.team_id),
        team_tz: super::parse_tz(&r.timezone)?,
        team_channel: r.channel,
        kind: DeliveryKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
        recipient: Recipient::parse(&r.recipient).ok_or_else(|| corrupt("recipient"))?,
        slot: DateTime::from_timestamp(r.slot, 0).ok_or_else(|| corrupt("slot"))?,
        due: DateTime::from_timestamp(r.due_at, 0).ok_or_else(|| corrupt("due_at"))?,
        attempts: u32::try_from(r.attempts).map_err(|_| corrupt("attempts"))?,
        message,
        replaces: None,
    })
}

/// Which deliveries a query takes: chat (direct messages and channel posts) and webhooks are
/// sent apart, so a slow webhook never holds back a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Chat,
    Webhooks,
}

/// What the ledger owes at `now` on `lane` (due, and past its retry time), oldest first.
pub async fn pending(
    c: &mut Conn,
    now: DateTime<Utc>,
    limit: i64,
    lane: Lane,
    scope: Option<WorkspaceId>,
) -> Result<Vec<std::result::Result<Delivery, Unreadable>>> {
    let webhook = match lane {
        Lane::Chat => "NOT LIKE",
        Lane::Webhooks => "LIKE",
    };
    // The lane picks one of two fixed operators; nothing typed reaches this text.
    let rows: Vec<Row> = on!(c, |db| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT d.id, d.workspace_id, d.team_id, t.timezone, t.channel, d.kind, d.recipient, d.slot, \
         d.due_at, d.attempts, d.payload, d.attachment_name, d.attachment \
         FROM deliveries d JOIN teams t ON t.id = d.team_id \
         WHERE d.state = 'pending' AND (d.claimed = FALSE OR d.claimed_until <= $1) \
         AND d.next_attempt_at <= $2 AND d.recipient {webhook} '{}%' \
         AND ($3 IS NULL OR d.workspace_id = $4) \
         ORDER BY d.next_attempt_at, d.id LIMIT $5",
        crate::outbox::WEBHOOK_PREFIX
    )))
    .bind(now.timestamp())
    .bind(now.timestamp())
    .bind(scope.map(|w| w.0))
    .bind(scope.map(|w| w.0))
    .bind(limit)
    .fetch_all(db).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let id = r.id;
            to_delivery(r).map_err(|e| Unreadable {
                id,
                why: e.to_string(),
            })
        })
        .collect())
}

/// A pending row that cannot be read into a delivery (a zone the binary no longer knows, a
/// payload from a future version): that row's failure alone, never the whole round's.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub id: i64,
    pub why: String,
}

/// Each webhook's first row (by due time, then id) that waits at `now` for its retry, by
/// recipient key: the webhook's later rows wait behind it, so its posts keep their order.
pub async fn webhooks_waiting(
    c: &mut Conn,
    now: DateTime<Utc>,
) -> Result<std::collections::HashMap<String, (DateTime<Utc>, i64)>> {
    let rows: Vec<(String, i64, i64)> = on!(c, |db| sqlx::query_as(
        "SELECT recipient, due_at, id FROM deliveries \
         WHERE state = 'pending' AND attempts > 0 AND next_attempt_at > $1 AND recipient LIKE $2 \
         ORDER BY due_at DESC, id DESC",
    )
    .bind(now.timestamp())
    .bind(format!("{}%", crate::outbox::WEBHOOK_PREFIX))
    .fetch_all(db)
    .await)?;
    // Latest first, so each recipient's first row is the one left in the map.
    let mut first = std::collections::HashMap::new();
    for (recipient, due, id) in rows {
        let due = DateTime::from_timestamp(due, 0)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery {id}: due_at")))?;
        first.insert(recipient, (due, id));
    }
    Ok(first)
}

pub async fn next_pending(
    c: &mut Conn,
    scope: Option<WorkspaceId>,
) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> =
        // A claimed row is owed again when its claim runs out, not before.
        on!(c, |db| sqlx::query_scalar(
            "SELECT min(CASE WHEN claimed AND claimed_until > next_attempt_at THEN claimed_until \
             ELSE next_attempt_at END) FROM deliveries WHERE state = 'pending' \
             AND ($1 IS NULL OR workspace_id = $1)",
        )
            .bind(scope.map(|w| w.0))
            .fetch_one(db).await)?;
    Ok(t.and_then(|t| DateTime::from_timestamp(t, 0)))
}

/// Claims a pending delivery for sending, for `lasts`, as `holder` (a lease: who and until
/// when); `false` when another process holds a claim on it that has not run out, or is taking
/// one at this moment. On PostgreSQL the row is locked `FOR UPDATE SKIP LOCKED`: a process
/// racing another for the same row moves on to its next row at once, instead of waiting for the
/// other's claim to commit only to find the row taken. Rows are claimed one at a time, just
/// before each send, not in batches: a process killed mid-fan-out strands only the row it was
/// sending (until its lease runs out), not a batch of rows nobody sends for ten minutes.
pub async fn claim(
    c: &mut Conn,
    id: i64,
    holder: &str,
    now: DateTime<Utc>,
    lasts: Duration,
) -> Result<bool> {
    let done = on!(
        c,
        sqlite
            | db
            | sqlx::query(
                "UPDATE deliveries SET claimed = TRUE, claimed_by = $1, claimed_until = $2 \
             WHERE id = $3 AND state = 'pending' AND (claimed = FALSE OR claimed_until <= $4)",
            )
            .bind(holder)
            .bind((now + lasts).timestamp())
            .bind(id)
            .bind(now.timestamp())
            .execute(db)
            .await
            .map(|r| r.rows_affected()),
        postgres
            | db
            | sqlx::query(
                "UPDATE deliveries SET claimed = TRUE, claimed_by = $1, claimed_until = $2 \
             WHERE id = (SELECT id FROM deliveries WHERE id = $3 AND state = 'pending' \
             AND (claimed = FALSE OR claimed_until <= $4) FOR UPDATE SKIP LOCKED)",
            )
            .bind(holder)
            .bind((now + lasts).timestamp())
            .bind(id)
            .bind(now.timestamp())
            .execute(db)
            .await
            .map(|r| r.rows_affected()),
    )?;
    Ok(done == 1)
}

/// Extends every claim `holder` still holds on a pending row to `now + lasts`: a living process
/// keeps what it is sending, a killed one stops renewing and its rows come free. Returns how
/// many claims were renewed.
pub async fn renew_claims(
    c: &mut Conn,
    holder: &str,
    now: DateTime<Utc>,
    lasts: Duration,
) -> Result<u64> {
    Ok(on!(c, |db| sqlx::query(
        "UPDATE deliveries SET claimed_until = $1 \
         WHERE claimed = TRUE AND claimed_by = $2 AND state = 'pending' AND claimed_until < $1",
    )
    .bind((now + lasts).timestamp())
    .bind(holder)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?)
}

/// The rows `holder` may settle or give back at `now`: its own claims, and rows no live claim
/// holds (its lease ran out, and no other process has taken the row since). A live claim of
/// another process is that process's to settle: it may be sending the row right now. The
/// holder and the instant are the statement's parameters `$holder` and `$holder + 1`.
fn held_by_or_free(holder: usize) -> String {
    format!(
        "(claimed = FALSE OR claimed_by = ${holder} OR claimed_until <= ${})",
        holder + 1
    )
}
/// Gives back the claims that have run out, and counts those still held. A live claim may be
/// another process's, sending that row right now (a second scheduler, or a console), so it is
/// never taken: releasing every claim at start is how posts went out twice.
pub async fn release_expired_claims(c: &mut Conn, now: DateTime<Utc>) -> Result<(u64, i64)> {
    let done = on!(c, |db| sqlx::query(
        "UPDATE deliveries SET claimed = FALSE, claimed_by = NULL \
         WHERE state = 'pending' AND claimed = TRUE AND claimed_until <= $1",
    )
    .bind(now.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    let held: i64 = on!(c, |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE state = 'pending' AND claimed = TRUE",
    )
    .fetch_one(db)
    .await)?;
    Ok((done, held))
}

/// Gives back `holder`'s claim after a failed send, with the row's next try: `attempts`
/// failures so far, the next no sooner than `next`. `false` when the row is another process's
/// now (its lease ran out and it was taken over): nothing is written.
pub async fn retry_later(
    c: &mut Conn,
    id: i64,
    holder: &str,
    attempts: u32,
    next: DateTime<Utc>,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET claimed = FALSE, claimed_by = NULL, attempts = $1, \
         next_attempt_at = $2, last_error = $3 \
         WHERE id = $4 AND state = 'pending' AND {}",
        held_by_or_free(5)
    )))
    .bind(i64::from(attempts))
    .bind(next.timestamp())
    .bind(error)
    .bind(id)
    .bind(holder)
    .bind(now.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// How a claimed delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Sent,
    /// This recipient cannot be reached (closed direct messages and no team channel).
    Skipped,
    /// It kept failing: given up after its last attempt, or a day after it was due.
    Failed,
}

impl Settled {
    fn as_str(self) -> &'static str {
        match self {
            Settled::Sent => "sent",
            Settled::Skipped => "skipped",
            Settled::Failed => "failed",
        }
    }
}

/// Settles a delivery `holder` claimed (or one nobody holds); `failure` is the attempt count
/// and error of a failed one. `false` when another process holds the row now: it is theirs to
/// settle, and nothing is written.
pub async fn mark(
    c: &mut Conn,
    id: i64,
    holder: &str,
    state: Settled,
    message_id: Option<&str>,
    failure: Option<(u32, &str)>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = on!(c, |db| sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = $1, sent_at = $2, platform_message_id = $3, \
         attempts = coalesce($4, attempts), last_error = coalesce($5, last_error), \
         claimed = FALSE, claimed_by = NULL \
         WHERE id = $6 AND state = 'pending' AND {}",
        held_by_or_free(7)
    )))
    .bind(state.as_str())
    .bind(now.timestamp())
    .bind(message_id)
    .bind(failure.map(|f| i64::from(f.0)))
    .bind(failure.map(|f| f.1))
    .bind(id)
    .bind(holder)
    .bind(now.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// A prompt decided for a team: who got it and about which key results.
#[derive(Debug, Clone)]
pub struct PromptRecord {
    pub recipient: Recipient,
    pub slot: DateTime<Utc>,
    pub subjects: Vec<KrId>,
    pub kpis: Vec<KpiId>,
}

impl PromptRecord {
    fn from_row(
        recipient: Recipient,
        slot: i64,
        subjects: &str,
        kpis: &str,
    ) -> Option<PromptRecord> {
        let ids = |json: &str| serde_json::from_str::<Vec<i64>>(json).ok();
        Some(PromptRecord {
            recipient,
            slot: DateTime::from_timestamp(slot, 0)?,
            subjects: ids(subjects)?.into_iter().map(KrId).collect(),
            kpis: ids(kpis)?.into_iter().map(KpiId).collect(),
        })
    }
}

/// The prompts decided for a team at exactly `slot` (snoozed re-prompts, due later, excluded).
pub async fn prompts_at(
    c: &mut Conn,
    team: TeamId,
    slot: DateTime<Utc>,
) -> Result<Vec<PromptRecord>> {
    let rows: Vec<(String, i64, String, String)> = on!(c, |db| {
        sqlx::query_as(
        "SELECT recipient, slot, subjects, kpi_subjects FROM deliveries WHERE team_id = $1 AND kind = 'prompt' AND slot = $2 AND due_at = slot",
    )
    .bind(team.0)
    .bind(slot.timestamp())
    .fetch_all(db).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, slot, subjects, kpis)| {
            PromptRecord::from_row(Recipient::parse(&r)?, slot, &subjects, &kpis)
        })
        .collect())
}

/// Who this team prompted for an occurrence of its schedule in `(after, before)`, wall times
/// where each recipient lived (seconds as if UTC): the owners a new slot must not prompt again
/// within the same period, whichever zone they were in then. A prompt recorded without its wall
/// time (before members had zones) is judged by its instant, `(after_utc, before_utc)`.
pub async fn prompted_between(
    c: &mut Conn,
    team: TeamId,
    (after, before): (i64, i64),
    (after_utc, before_utc): (DateTime<Utc>, DateTime<Utc>),
) -> Result<std::collections::HashSet<Recipient>> {
    let rows: Vec<String> = on!(c, |db| sqlx::query_scalar(
        "SELECT DISTINCT recipient FROM deliveries WHERE team_id = $1 AND kind = 'prompt' \
         AND ((local_slot IS NOT NULL AND local_slot > $2 AND local_slot < $3) \
         OR (local_slot IS NULL AND slot > $4 AND slot < $5))",
    )
    .bind(team.0)
    .bind(after)
    .bind(before)
    .bind(after_utc.timestamp())
    .bind(before_utc.timestamp())
    .fetch_all(db)
    .await)?;
    Ok(rows.iter().filter_map(|r| Recipient::parse(r)).collect())
}

/// Whether this team prompted `recipient` for a slot after `after`: an owed prompt that a
/// prompt since has made moot.
pub async fn prompted_after(
    c: &mut Conn,
    team: TeamId,
    recipient: &Recipient,
    after: DateTime<Utc>,
) -> Result<bool> {
    let n: i64 = on!(c, |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE team_id = $1 AND kind = 'prompt' \
         AND recipient = $2 AND slot > $3",
    )
    .bind(team.0)
    .bind(recipient.key())
    .bind(after.timestamp())
    .fetch_one(db)
    .await)?;
    Ok(n > 0)
}

/// The snoozed re-prompt to `recipient` that still waits to go, if any (a snooze's row is due
/// after its slot; a prompt's own is due at it).
pub async fn pending_snooze_to(
    c: &mut Conn,
    ws: WorkspaceId,
    recipient: &Recipient,
) -> Result<Option<i64>> {
    Ok(on!(c, |db| sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE workspace_id = $1 AND kind = 'prompt' AND recipient = $2 \
         AND state = 'pending' AND due_at > slot ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(ws.0)
    .bind(recipient.key())
    .fetch_optional(db)
    .await)?)
}

/// Moves a delivery that still waits (pending, not being sent) to `due`; `false` when it no
/// longer waits.
pub async fn reschedule(
    c: &mut Conn,
    id: i64,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let moved = on!(c, |db| sqlx::query(
        "UPDATE deliveries SET due_at = $1, next_attempt_at = $1 \
         WHERE id = $2 AND state = 'pending' AND (claimed = FALSE OR claimed_until <= $3)",
    )
    .bind(due.timestamp())
    .bind(id)
    .bind(now.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(moved == 1)
}

/// The workspace of the latest prompt to `recipient` in any workspace: where a direct message
/// from that person, which carries no server, answers.
pub async fn workspace_of_latest_prompt_to(
    c: &mut Conn,
    recipient: &Recipient,
) -> Result<Option<WorkspaceId>> {
    let ws: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT workspace_id FROM deliveries WHERE kind = 'prompt' AND recipient = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(recipient.key())
    .fetch_optional(db)
    .await)?;
    Ok(ws.map(WorkspaceId))
}

/// The latest prompt sent to this person in this workspace (for `/okr snooze`).
pub async fn latest_prompt_to(
    c: &mut Conn,
    ws: WorkspaceId,
    recipient: &Recipient,
) -> Result<Option<(TeamId, PromptRecord)>> {
    let row: Option<(i64, i64, String, String)> = on!(c, |db| {
        sqlx::query_as(
        "SELECT team_id, slot, subjects, kpi_subjects FROM deliveries WHERE workspace_id = $1 AND kind = 'prompt' AND recipient = $2 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(ws.0)
    .bind(recipient.key())
    .fetch_optional(db).await
    })?;
    Ok(row.and_then(|(team, slot, subjects, kpis)| {
        Some((
            TeamId(team),
            PromptRecord::from_row(recipient.clone(), slot, &subjects, &kpis)?,
        ))
    }))
}

/// The KPIs a delivered prompt asks for (none for any other delivery, or an unknown one).
pub async fn kpis_of(c: &mut Conn, delivery: i64) -> Result<Vec<KpiId>> {
    let json: Option<String> = on!(c, |db| sqlx::query_scalar(
        "SELECT kpi_subjects FROM deliveries WHERE id = $1 AND kind IN ('prompt', 'reminder')",
    )
    .bind(delivery)
    .fetch_optional(db)
    .await)?;
    let ids: Vec<i64> = match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        None => vec![],
    };
    Ok(ids.into_iter().map(KpiId).collect())
}

/// The slot of a delivery, when it is known.
pub async fn slot_of(c: &mut Conn, delivery: i64) -> Result<Option<DateTime<Utc>>> {
    let slot: Option<i64> = on!(c, |db| sqlx::query_scalar(
        "SELECT slot FROM deliveries WHERE id = $1"
    )
    .bind(delivery)
    .fetch_optional(db)
    .await)?;
    Ok(slot.and_then(|s| DateTime::from_timestamp(s, 0)))
}

/// Counts per kind, for the demo's summary and the tests.
pub async fn counts(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<(String, String, i64)>> {
    Ok(on!(c, |db| {
        sqlx::query_as("SELECT kind, state, count(*) FROM deliveries WHERE workspace_id = $1 GROUP BY kind, state ORDER BY kind, state")
        .bind(ws.0)
        .fetch_all(db).await
    })?)
}

/// The objective scores the team's last digest showed.
pub async fn digest_marks(
    c: &mut Conn,
    ids: &[crate::domain::model::ObjectiveId],
) -> Result<std::collections::HashMap<crate::domain::model::ObjectiveId, f64>> {
    let mut out = std::collections::HashMap::new();
    for id in ids {
        let score: Option<f64> = on!(c, |db| sqlx::query_scalar(
            "SELECT score FROM digest_marks WHERE objective_id = $1"
        )
        .bind(id.0)
        .fetch_optional(db)
        .await)?;
        if let Some(s) = score {
            out.insert(*id, s);
        }
    }
    Ok(out)
}

pub async fn set_digest_mark(
    c: &mut Conn,
    id: crate::domain::model::ObjectiveId,
    score: f64,
    at: DateTime<Utc>,
) -> Result<()> {
    on!(c, |db| sqlx::query(
        "INSERT INTO digest_marks (objective_id, score, at) VALUES ($1, $2, $3) \
         ON CONFLICT (objective_id) DO UPDATE SET score = excluded.score, at = excluded.at",
    )
    .bind(id.0)
    .bind(score)
    .bind(at.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The platform message of the latest digest sent to this recipient of the team, with its slot:
/// a digest posted again the same day edits it.
pub async fn last_sent_digest(
    c: &mut Conn,
    team: TeamId,
    recipient: &Recipient,
) -> Result<Option<(DateTime<Utc>, String)>> {
    let row: Option<(i64, String)> = on!(c, |db| {
        sqlx::query_as(
        "SELECT slot, platform_message_id FROM deliveries WHERE team_id = $1 AND kind = 'digest' AND recipient = $2 \
         AND state = 'sent' AND platform_message_id IS NOT NULL ORDER BY slot DESC, id DESC LIMIT 1",
    )
    .bind(team.0)
    .bind(recipient.key())
    .fetch_optional(db).await
    })?;
    Ok(row.and_then(|(slot, id)| Some((DateTime::from_timestamp(slot, 0)?, id))))
}

/// The message a delivery carried, as decided.
pub async fn message_of(c: &mut Conn, id: i64) -> Result<Option<Message>> {
    let payload: Option<String> = on!(c, |db| sqlx::query_scalar(
        "SELECT payload FROM deliveries WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(db)
    .await)?;
    payload
        .map(|p| serde_json::from_str(&p).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// The workspace a delivery belongs to and who it went to: a button on a direct message carries
/// no guild, so the delivery id in the button is what places the press in its workspace.
pub async fn origin(c: &mut Conn, id: i64) -> Result<Option<(WorkspaceId, Recipient)>> {
    let row: Option<(i64, String)> = on!(c, |db| sqlx::query_as(
        "SELECT workspace_id, recipient FROM deliveries WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(db)
    .await)?;
    Ok(row.and_then(|(w, r)| Some((WorkspaceId(w), Recipient::parse(&r)?))))
}

/// What the ledger owes, by kind and platform (`chat`, or the webhook's), with the earliest due
/// time of each group: for `/metrics`.
pub async fn pending_by_kind(c: &mut Conn) -> Result<Vec<(String, String, i64, i64)>> {
    Ok(on!(c, |db| {
        sqlx::query_as(
        "SELECT d.kind, CASE WHEN d.recipient LIKE 'webhook:%' THEN coalesce(w.platform, 'webhook') \
         ELSE 'chat' END AS platform, count(*), min(d.due_at) \
         FROM deliveries d LEFT JOIN webhooks w ON d.recipient = 'webhook:' || w.id \
         WHERE d.state = 'pending' GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(db).await
    })?)
}
