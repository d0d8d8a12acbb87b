//! The scheduler: `tick(now)` finds due work through the index on `schedules.next_due_at`,
//! decides it (prompts, reminders, digests, alert sweeps) and records each decision in the
//! delivery ledger in the same transaction that moves the schedule on; then it hands what the
//! ledger owes to the outbox and marks it sent. [`Scheduler::run`] is the loop around it: it
//! sleeps on the injected clock until the next due time or a change.
//!
//! After a restart the ledger says what is owed: pending deliveries go out, and a slot missed by
//! less than 24 hours is decided once; older slots are skipped and logged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::domain::schedule::CronSchedule;
use crate::outbox::{DeliveryKind, Outbox, SendError};
use crate::service::team_state::TeamState;
use crate::service::{alerts, digest, nudges, Okr, OkrError, Result};
use crate::store::{self, schedules::ScheduleKind, schedules::ScheduleRow};

/// Slots missed by more than this are skipped, not sent late.
pub const CATCH_UP: Duration = Duration::hours(24);
/// Schedules taken per query; a tick loops until none is due.
const BATCH: i64 = 64;

/// What one tick did, for logs, the demo and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub fired: usize,
    pub skipped_slots: usize,
    pub prompts: usize,
    pub reminders: usize,
    pub lead_reports: usize,
    pub digests: usize,
    pub alerts: usize,
    pub delivered: usize,
}

#[derive(Clone)]
pub struct Scheduler {
    okr: Okr,
    /// Parsed expressions: parsing checks a year of fires for the once-an-hour rule, far too
    /// much to repeat on every tick for the handful of distinct expressions a store holds.
    parsed: Arc<Mutex<HashMap<String, CronSchedule>>>,
}

impl Scheduler {
    pub fn new(okr: Okr) -> Scheduler {
        Scheduler {
            okr,
            parsed: Arc::default(),
        }
    }

    fn cron(
        &self,
        expr: &str,
    ) -> std::result::Result<CronSchedule, crate::domain::schedule::ScheduleError> {
        let mut parsed = self.parsed.lock().expect("schedule cache lock");
        if let Some(c) = parsed.get(expr) {
            return Ok(c.clone());
        }
        let c = CronSchedule::parse(expr)?;
        parsed.insert(expr.to_owned(), c.clone());
        Ok(c)
    }

    /// Decides everything due at `now` and delivers what the ledger owes.
    pub async fn tick<O: Outbox>(&self, now: DateTime<Utc>, outbox: &O) -> Result<TickReport> {
        let mut report = self.decide(now).await?;
        report.delivered = self.deliver(now, outbox).await?;
        Ok(report)
    }

    /// The deciding half of a tick: no sending.
    pub async fn decide(&self, now: DateTime<Utc>) -> Result<TickReport> {
        let mut report = TickReport::default();
        loop {
            let due = {
                let mut c = self.okr.store().read().await?;
                store::schedules::due(&mut c, now, BATCH).await?
            };
            if due.is_empty() {
                break;
            }
            for row in due {
                self.fire(&row, now, &mut report).await?;
            }
        }
        let teams = {
            let mut c = self.okr.store().read().await?;
            store::alerts::teams_to_announce(&mut c).await?
        };
        for (ws, team) in teams {
            let mut tx = self.okr.store().write().await?;
            if alerts::announce(&mut tx, ws, team, self.okr.period(), self.okr.rules(), now).await?
            {
                report.alerts += 1;
            }
            tx.commit().await?;
        }
        Ok(report)
    }

    async fn fire(
        &self,
        row: &ScheduleRow,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<()> {
        let okr = &self.okr;
        let mut tx = okr.store().write().await?;
        let Some(team) = store::teams::by_id(&mut tx, row.workspace, row.team).await? else {
            return Ok(());
        };
        let cron = match self.cron(&row.cron) {
            Ok(c) => c,
            Err(e) => {
                // Stored expressions were checked when set; a bad one must not stall the loop.
                tracing::error!(team = %team.name, kind = row.kind.as_str(), error = %e, "unusable schedule, retrying in a day");
                store::schedules::advance(
                    &mut tx,
                    row.team,
                    row.kind,
                    row.next_due,
                    now + Duration::days(1),
                )
                .await?;
                tx.commit().await?;
                return Ok(());
            }
        };
        // The slot to fire: the stored one, or after downtime the latest one within the
        // catch-up window; anything older is skipped.
        let slot = if now - row.next_due <= CATCH_UP {
            let latest = cron
                .latest_at_or_before(team.tz, now, now - row.next_due)
                .unwrap_or(row.next_due);
            Some(latest.max(row.next_due))
        } else {
            cron.latest_at_or_before(team.tz, now, CATCH_UP)
        };
        if slot != Some(row.next_due) && row.kind != ScheduleKind::Sweep {
            report.skipped_slots += 1;
            tracing::warn!(
                team = %team.name,
                kind = row.kind.as_str(),
                missed = %row.next_due,
                firing = ?slot,
                "missed slots while down: older than {}h are skipped", CATCH_UP.num_hours()
            );
        }
        let next = cron.next_after(team.tz, now).ok_or_else(|| {
            OkrError::Internal(anyhow::anyhow!("schedule {} never fires again", row.cron))
        })?;
        if !store::schedules::advance(&mut tx, row.team, row.kind, row.next_due, next).await? {
            // Another scheduler took this slot.
            return Ok(());
        }
        if let Some(slot) = slot {
            report.fired += 1;
            let state = TeamState::load(
                &mut tx,
                row.workspace,
                row.team,
                now,
                okr.period(),
                okr.rules(),
            )
            .await?;
            if let Some(state) = state.filter(|s| s.cycle.is_some()) {
                match row.kind {
                    ScheduleKind::Prompt => {
                        let d = nudges::decide_prompts(&mut tx, &state, slot, now).await?;
                        report.prompts += d.prompts;
                        report.lead_reports += d.lead_reports;
                    }
                    ScheduleKind::Reminder => {
                        report.reminders +=
                            nudges::decide_reminders(&mut tx, &state, slot, okr.period(), now)
                                .await?
                                .reminders;
                    }
                    ScheduleKind::Digest => {
                        report.digests += usize::from(
                            digest::decide(&mut tx, &state, slot, okr.period(), now).await?,
                        );
                    }
                    ScheduleKind::Sweep => {
                        alerts::sweep(&mut tx, &state, now).await?;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sends what the ledger owes at `now`, marking each sent as soon as the outbox confirms it.
    /// A retryable failure stops this round; the rest stays pending for the next tick.
    pub async fn deliver<O: Outbox>(&self, now: DateTime<Utc>, outbox: &O) -> Result<usize> {
        let mut sent = 0;
        loop {
            let pending = {
                let mut c = self.okr.store().read().await?;
                store::deliveries::pending(&mut c, now, 256).await?
            };
            if pending.is_empty() {
                return Ok(sent);
            }
            for mut d in pending {
                {
                    let mut c = self.okr.store().read().await?;
                    if !store::deliveries::claim(&mut c, d.id).await? {
                        continue;
                    }
                }
                if d.kind == DeliveryKind::Digest {
                    d.replaces = self.same_day_digest(&d).await?;
                }
                let (state, message_id) = match outbox.send(&d).await {
                    Ok(id) => ("sent", id),
                    Err(SendError::Undeliverable(why)) => {
                        tracing::warn!(delivery = d.id, recipient = %d.recipient, %why, "undeliverable, skipped");
                        ("skipped", None)
                    }
                    Err(SendError::Retry(after)) => {
                        tracing::info!(delivery = d.id, ?after, "outbox asked to retry later");
                        let mut c = self.okr.store().read().await?;
                        store::deliveries::unclaim(&mut c, d.id).await?;
                        return Ok(sent);
                    }
                };
                let mut c = self.okr.store().read().await?;
                store::deliveries::mark(&mut c, d.id, state, message_id.as_deref(), now).await?;
                sent += usize::from(state == "sent");
            }
        }
    }

    /// The message of an earlier digest of the same team and recipient on the same local day.
    async fn same_day_digest(&self, d: &crate::outbox::Delivery) -> Result<Option<String>> {
        let mut c = self.okr.store().read().await?;
        let last = store::deliveries::last_sent_digest(&mut c, d.team, &d.recipient).await?;
        let day = |t: DateTime<Utc>| t.with_timezone(&d.team_tz).date_naive();
        Ok(last
            .filter(|(slot, _)| day(*slot) == day(d.slot))
            .map(|(_, id)| id))
    }

    /// When the loop must look again: the earliest schedule or pending delivery.
    pub async fn next_wake(&self) -> Result<Option<DateTime<Utc>>> {
        let mut c = self.okr.store().read().await?;
        let a = store::schedules::next_due(&mut c).await?;
        let b = store::deliveries::next_pending(&mut c).await?;
        Ok(match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Takes over the claims of a scheduler that stopped mid-send (run one scheduler per
    /// database; this is what a restart does first).
    pub async fn take_over(&self) -> Result<()> {
        let mut c = self.okr.store().read().await?;
        let n = store::deliveries::release_claims(&mut c).await?;
        if n > 0 {
            tracing::warn!(
                deliveries = n,
                "took over deliveries a stopped scheduler had claimed"
            );
        }
        Ok(())
    }

    /// Ticks, then sleeps on `clock` until the next due time or a change, until `stop` resolves.
    pub async fn run<O: Outbox>(
        &self,
        clock: &dyn Clock,
        outbox: &O,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        if let Err(e) = self.take_over().await {
            tracing::error!(error = ?e, "could not take over earlier claims");
        }
        let changes = self.okr.changes();
        loop {
            let now = clock.now();
            match self.tick(now, outbox).await {
                Ok(r) if r != TickReport::default() => tracing::info!(?r, "tick"),
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = ?e, "scheduler tick failed; retrying in a minute")
                }
            }
            let wake = match self.next_wake().await {
                Ok(Some(t)) if t > now => t,
                Ok(Some(_)) => now + Duration::seconds(1),
                Ok(None) => now + Duration::hours(1),
                Err(_) => now + Duration::minutes(1),
            };
            tokio::select! {
                _ = clock.sleep_until(wake) => {}
                _ = changes.notified() => {}
                _ = &mut stop => return,
            }
        }
    }
}
