//! The scheduler: `decide(now)` finds due work through the index on `schedules.next_due_at`,
//! decides it (prompts, reminders, digests, alert sweeps) and records each decision in the
//! delivery ledger in the same transaction that moves the schedule on. Sending is the
//! [`Dispatcher`]'s: `tick(now)` is one decide and one delivery round, and [`Scheduler::run`]
//! the loop around them, sleeping on the injected clock until the next due time, a change, or
//! its stop signal.
//!
//! After a restart the ledger says what is owed: pending deliveries go out, and a slot missed by
//! less than 24 hours is decided once; older slots are skipped and logged (the catch-up rule is
//! `domain::schedule::catch_up`; see `docs/schedules-and-delivery.md`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::delivery::Dispatcher;
use crate::domain::model::WorkspaceId;
use crate::domain::schedule::{catch_up, next_in_zones, zone_slots, CronSchedule};
use crate::leadership::Leadership;
use crate::outbox::Outbox;
use crate::service::team_state::TeamState;
use crate::service::{alerts, digest, nudges, Okr, Result};
use crate::store::{self, schedules::ScheduleKind, schedules::ScheduleRow};

/// Slots missed by more than this are skipped, not sent late.
pub const CATCH_UP: Duration = Duration::hours(24);
/// Schedules taken per query; a tick loops until none is due.
const BATCH: i64 = 64;

/// The longest the loop sleeps without looking at the database again, whatever its next due
/// time: a change another process committed wakes it at once ([`store::changes`]), and this
/// is what is left when such a wake-up is lost (a dropped connection, a pooler that does not
/// pass LISTEN through).
pub const LOOK_AGAIN_WITHIN: Duration = Duration::minutes(1);

/// What one tick did, for logs, the demo and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub fired: usize,
    pub skipped_slots: usize,
    pub prompts: usize,
    /// Owners off on their prompt's day, owed one prompt on their next working day.
    pub owed: usize,
    pub reminders: usize,
    pub lead_reports: usize,
    pub digests: usize,
    pub alerts: usize,
    pub delivered: usize,
    /// Deliveries given up for good this tick (logged one by one).
    pub failed: usize,
    /// Schedules that could not be decided (logged, retried in an hour); the others went on.
    pub failed_schedules: usize,
    /// KPI sources read, and those whose fetch failed (kept on the KPI).
    pub sources_read: usize,
    pub sources_failed: usize,
}

#[derive(Clone)]
pub struct Scheduler {
    okr: Okr,
    dispatcher: Dispatcher,
    /// Parsed expressions: parsing checks a year of fires for the once-an-hour rule, far too
    /// much to repeat on every tick for the handful of distinct expressions a store holds.
    parsed: Arc<Mutex<HashMap<String, CronSchedule>>>,
    /// One workspace's schedules, sources, alerts and deliveries only (a console, whose
    /// simulated clock must never move another workspace's), or every workspace's.
    scope: Option<WorkspaceId>,
    /// Whether this process decides: only the one holding the scheduler's lock does, and every
    /// process delivers (`docs/operations.md`, "Several processes").
    leadership: Arc<Leadership>,
}

impl Scheduler {
    pub fn new(okr: Okr) -> Scheduler {
        Scheduler {
            dispatcher: Dispatcher::new(okr.clone()),
            okr,
            parsed: Arc::default(),
            scope: None,
            leadership: Leadership::sole(store::leader::Role::Scheduler),
        }
    }

    /// This scheduler decides only while `leadership` holds the scheduler's role; it delivers
    /// either way.
    pub fn led_by(mut self, leadership: Arc<Leadership>) -> Scheduler {
        self.leadership = leadership;
        self
    }

    /// A scheduler that decides and delivers for one workspace and never touches another's.
    pub fn for_workspace(okr: Okr, ws: WorkspaceId) -> Scheduler {
        Scheduler {
            dispatcher: Dispatcher::for_workspace(okr.clone(), ws),
            okr,
            parsed: Arc::default(),
            scope: Some(ws),
            leadership: Leadership::sole(store::leader::Role::Scheduler),
        }
    }

    fn cron(
        &self,
        expr: &str,
    ) -> std::result::Result<CronSchedule, crate::domain::schedule::ScheduleError> {
        let mut parsed = crate::sync::lock(&self.parsed);
        if let Some(c) = parsed.get(expr) {
            return Ok(c.clone());
        }
        let c = CronSchedule::parse(expr)?;
        parsed.insert(expr.to_owned(), c.clone());
        Ok(c)
    }

    /// Decides everything due at `now` and delivers what the ledger owes.
    pub async fn tick<O: Outbox>(&self, now: DateTime<Utc>, outbox: &O) -> Result<TickReport> {
        self.okr.metrics().ticked(now);
        let mut report = self.decide(now).await?;
        let sent = self.dispatcher.deliver(now, outbox).await?;
        report.delivered = sent.sent;
        report.failed = sent.failed;
        Ok(report)
    }

    /// The deciding half of a tick: no sending. Due KPI sources are read too, after the
    /// schedules (in `run` they have a lane of their own).
    pub async fn decide(&self, now: DateTime<Utc>) -> Result<TickReport> {
        let mut report = self.decide_schedules(now).await?;
        if !self.leadership.is_leader() {
            return Ok(report);
        }
        let (read, failed) = self.okr.fetch_due_sources(now, self.scope).await?;
        report.sources_read = read;
        report.sources_failed = failed;
        // A source's reading alerts at once, not on the next round.
        if read > 0 {
            report.alerts += self.announce_alerts(now).await?;
        }
        Ok(report)
    }

    /// Due schedules and alert announcements. A stopping process finishes the row it is
    /// deciding (one transaction) and takes no more: a backlog cannot hold up a stop.
    async fn decide_schedules(&self, now: DateTime<Utc>) -> Result<TickReport> {
        let mut report = TickReport::default();
        // The lock is confirmed before each batch: a leader that lost it (its session ended,
        // the database is out of reach) stops deciding here, and a standby takes over.
        while !self.dispatcher.stopping() && self.leadership.confirm().await {
            let due = {
                let mut c = self.okr.store().read().await?;
                store::schedules::due(&mut c, now, BATCH, self.scope).await?
            };
            if due.is_empty() {
                break;
            }
            for row in due {
                if self.dispatcher.stopping() {
                    break;
                }
                // One team's broken schedule must not stop the others: it is logged and looked
                // at again in an hour, and the rest of the round goes on.
                if let Err(e) = self.fire(&row, now, &mut report).await {
                    tracing::error!(team = %row.team, kind = row.kind.as_str(), error = ?e, "a schedule failed; trying it again in an hour");
                    let tx = self.okr.store().write().await?;
                    park(tx, &row, now + Duration::hours(1)).await?;
                    report.failed_schedules += 1;
                }
            }
        }
        if self.leadership.is_leader() {
            self.decide_owed(now, &mut report).await?;
            report.alerts += self.announce_alerts(now).await?;
        }
        Ok(report)
    }

    /// The prompts owed after days off that are due, after the schedules: a prompt the
    /// schedule decided at the same moment answers for the owed one.
    async fn decide_owed(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<()> {
        let owed = {
            let mut c = self.okr.store().read().await?;
            store::people::owed_due(&mut c, now, BATCH, self.scope).await?
        };
        for o in owed {
            if self.dispatcher.stopping() {
                break;
            }
            let mut tx = self.okr.store().write().await?;
            let state = TeamState::load(
                &mut tx,
                o.workspace,
                o.team,
                now,
                self.okr.period(),
                self.okr.rules(),
            )
            .await?;
            if let Some(state) = state {
                let d = nudges::decide_owed(&mut tx, &state, &o, self.okr.period(), now).await?;
                report.prompts += d.prompts;
                report.lead_reports += d.lead_reports;
            } else {
                store::people::settle_owed(&mut tx, o.team, &o.member).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Tells each team whose pending alerts may be told now, in one post per team. Returns how
    /// many posts were decided.
    async fn announce_alerts(&self, now: DateTime<Utc>) -> Result<usize> {
        let teams = {
            let mut c = self.okr.store().read().await?;
            store::alerts::teams_to_announce(&mut c, self.scope, now).await?
        };
        let mut told = 0;
        for (ws, team) in teams {
            if self.dispatcher.stopping() {
                break;
            }
            let mut tx = self.okr.store().write().await?;
            if alerts::announce(&mut tx, ws, team, self.okr.period(), self.okr.rules(), now).await?
            {
                told += 1;
            }
            tx.commit().await?;
        }
        Ok(told)
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
        if let Some(zone) = &team.zone_unknown {
            // Firing in UTC would prompt at the wrong hour; the lead is told by every team reply.
            tracing::error!(team = %team.name, kind = row.kind.as_str(), zone = %zone, "the team's time zone is unknown to this build; its schedule waits (set it again with /okr setup timezone:)");
            park(tx, row, now + Duration::days(1)).await?;
            report.failed_schedules += 1;
            return Ok(());
        }
        let cron = match self.cron(&row.cron) {
            Ok(c) => c,
            Err(e) => {
                // Stored expressions were checked when set; a bad one must not stall the loop.
                tracing::error!(team = %team.name, kind = row.kind.as_str(), error = %e, "unusable schedule, retrying in a day");
                park(tx, row, now + Duration::days(1)).await?;
                report.failed_schedules += 1;
                return Ok(());
            }
        };
        // Prompts and reminders come at the schedule's local time where each owner lives: the
        // schedule fires in every zone a member set, besides the team's.
        let asks = matches!(row.kind, ScheduleKind::Prompt | ScheduleKind::Reminder);
        let mut zones = vec![team.tz];
        if asks {
            for z in store::people::zones(&mut tx, row.workspace).await? {
                if !zones.contains(&z) {
                    zones.push(z);
                }
            }
        }
        let caught = catch_up(&cron, team.tz, row.next_due, now, CATCH_UP);
        let in_zones = if zones.len() > 1 {
            zone_slots(&cron, &zones, row.next_due, now, CATCH_UP)
        } else {
            vec![]
        };
        let skipped = if in_zones.is_empty() {
            caught.skipped
        } else {
            now - row.next_due > CATCH_UP
        };
        let slots: Vec<(chrono_tz::Tz, DateTime<Utc>)> = if in_zones.is_empty() {
            caught.slot.map(|s| (team.tz, s)).into_iter().collect()
        } else {
            in_zones
        };
        let slot = slots.first().map(|(_, s)| *s);
        if skipped && row.kind != ScheduleKind::Sweep {
            report.skipped_slots += 1;
            tracing::warn!(
                team = %team.name,
                kind = row.kind.as_str(),
                missed = %row.next_due,
                firing = ?slot,
                "missed slots while down: older than {}h are skipped", CATCH_UP.num_hours()
            );
        }
        let Some(next) = next_in_zones(&cron, &zones, now) else {
            // Stored before such schedules were refused: it has ended. Say so daily until a lead
            // sets a new one, and let every other schedule go on.
            tracing::error!(team = %team.name, kind = row.kind.as_str(), cron = %row.cron, "the schedule never fires again; set a new one with /okr schedule set");
            park(tx, row, now + Duration::days(1)).await?;
            report.failed_schedules += 1;
            return Ok(());
        };
        if !store::schedules::advance(&mut tx, row.team, row.kind, row.next_due, next).await? {
            // Another scheduler took this slot.
            return Ok(());
        }
        if let Some(slot) = slot {
            report.fired += 1;
            if row.kind == ScheduleKind::Sweep {
                // The sweep decides from the scores it reads: no check-in may land in between.
                store::key_results::lock_carried_by(&mut tx, row.workspace, row.team).await?;
            }
            let state = TeamState::load(
                &mut tx,
                row.workspace,
                row.team,
                now,
                okr.period(),
                okr.rules(),
            )
            .await?;
            // KPIs are watched all year: prompts and reminders ask for them between cycles too.
            if let Some(state) = state.filter(|s| s.cycle.is_some() || asks) {
                match row.kind {
                    ScheduleKind::Prompt => {
                        for (zone, slot) in slots {
                            let round = nudges::Round {
                                slot,
                                zone,
                                owed: None,
                            };
                            let d =
                                nudges::decide_prompts(&mut tx, &state, round, okr.period(), now)
                                    .await?;
                            report.prompts += d.prompts;
                            report.owed += d.owed;
                            report.lead_reports += d.lead_reports;
                        }
                    }
                    ScheduleKind::Reminder => {
                        for (zone, slot) in slots {
                            report.reminders += nudges::decide_reminders(
                                &mut tx,
                                &state,
                                slot,
                                zone,
                                okr.period(),
                                now,
                            )
                            .await?
                            .reminders;
                        }
                    }
                    ScheduleKind::Digest => {
                        report.digests += usize::from(
                            digest::decide(
                                &mut tx,
                                &state,
                                slot,
                                state.team.posts_at(slot),
                                okr.period(),
                                now,
                            )
                            .await?,
                        );
                    }
                    ScheduleKind::Sweep => {
                        alerts::sweep(&mut tx, &state, okr.rules(), now).await?;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// When the loop must look again: the earliest schedule or pending delivery.
    pub async fn next_wake(&self) -> Result<Option<DateTime<Utc>>> {
        let mut c = self.okr.store().read().await?;
        let wakes = [
            store::schedules::next_due(&mut c, self.scope).await?,
            store::deliveries::next_pending(&mut c, self.scope).await?,
            store::kpis::next_source_due(&mut c, self.scope).await?,
            store::alerts::next_announcement(&mut c, self.scope).await?,
            store::people::next_owed(&mut c, self.scope).await?,
        ];
        Ok(wakes.into_iter().flatten().min())
    }

    /// The delivering half, for a process (or a test) that delivers without deciding.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// Frees the claims that ran out (see [`Dispatcher::take_over`]).
    pub async fn take_over(&self, now: DateTime<Utc>) -> Result<()> {
        self.dispatcher.take_over(now).await
    }

    /// Ticks, then sleeps on `clock` until the next due time or a change, until `stop` resolves.
    /// Webhooks and KPI sources run in lanes of their own beside the loop, so a slow webhook or
    /// a hanging source never holds back a prompt or an alert. On `stop`, every part settles
    /// the row it holds and takes no other, all within [`STOP_GRACE`].
    pub async fn run<O: Outbox>(
        &self,
        clock: &dyn Clock,
        outbox: &O,
        stop: impl std::future::Future<Output = ()>,
    ) {
        // Beside the rounds, for as long as they run: the claims this process holds are
        // renewed, so they outlive a long send and die with the process (`delivery::CLAIM`).
        let renew = async {
            let mut every = tokio::time::interval(crate::delivery::RENEW_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(e) = self.dispatcher.renew_claims(clock.now()).await {
                    tracing::warn!(error = ?e, "could not renew this process's claims; another process may send them again, with their ids");
                }
            }
        };
        tokio::select! {
            () = self.rounds(clock, outbox, stop) => {}
            _ = renew => {}
        }
    }

    async fn rounds<O: Outbox>(
        &self,
        clock: &dyn Clock,
        outbox: &O,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        if let Err(e) = self.take_over(clock.now()).await {
            tracing::error!(error = ?e, "could not take over earlier claims");
        }
        let changes = self.okr.changes();
        let _watch = {
            let changes = changes.clone();
            store::changes::watch(self.okr.store(), move || changes.notify_one())
        };
        // At most one round of each lane at a time.
        let mut webhooks: Option<tokio::task::JoinHandle<()>> = None;
        let mut sources: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            let now = clock.now();
            self.okr.metrics().ticked(now);
            let round = self.round(now, outbox);
            tokio::pin!(round);
            let stopped = tokio::select! {
                () = &mut round => false,
                () = &mut stop => true,
            };
            if stopped {
                self.stop_lanes(round, webhooks, sources).await;
                return;
            }
            if webhooks.as_ref().is_none_or(|h| h.is_finished()) {
                let dispatcher = self.dispatcher.clone();
                let okr = self.okr.clone();
                webhooks = Some(tokio::spawn(async move {
                    match dispatcher.deliver_webhooks(now).await {
                        // Something moved: the loop looks again at what is owed next.
                        Ok(r) if r != crate::delivery::DispatchReport::default() => {
                            tracing::info!(?r, "delivered to webhooks");
                            okr.wake();
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::error!(error = ?e, "delivering to webhooks failed; looking again soon")
                        }
                    }
                }));
            }
            if self.leadership.is_leader() && sources.as_ref().is_none_or(|h| h.is_finished()) {
                let okr = self.okr.clone();
                let scope = self.scope;
                sources = Some(tokio::spawn(async move {
                    match okr.fetch_due_sources(now, scope).await {
                        Ok((0, 0)) => {}
                        Ok((read, failed)) => {
                            tracing::info!(read, failed, "KPI sources read");
                            okr.wake();
                        }
                        Err(e) => {
                            tracing::error!(error = ?e, "reading KPI sources failed; looking again soon")
                        }
                    }
                }));
            }
            let wake = match self.next_wake().await {
                Ok(Some(t)) if t > now => t.min(now + LOOK_AGAIN_WITHIN),
                Ok(Some(_)) => now + Duration::seconds(1),
                Ok(None) => now + LOOK_AGAIN_WITHIN,
                Err(e) => {
                    // Said, not swallowed: on a test's manual clock this minute may never
                    // come, and in production a minute of silence hides a failing database.
                    tracing::error!(error = ?e, "reading when to look again failed; looking again in a minute");
                    now + Duration::minutes(1)
                }
            };
            tokio::select! {
                _ = clock.sleep_until(wake) => {}
                _ = changes.notified() => {}
                _ = &mut stop => {
                    self.stop_lanes(std::future::ready(()), webhooks, sources).await;
                    return;
                }
            }
        }
    }

    /// One round of the loop: deciding and chat delivery, which fail apart (a failed decision
    /// does not hold back what the ledger already owes).
    async fn round<O: Outbox>(&self, now: DateTime<Utc>, outbox: &O) {
        match self.decide_schedules(now).await {
            Ok(r) if r != TickReport::default() => tracing::info!(?r, "decided"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "deciding failed; looking again soon"),
        }
        match self.dispatcher.deliver_chat(now, outbox).await {
            Ok(r) if r != crate::delivery::DispatchReport::default() => {
                tracing::info!(?r, "delivered")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "delivering failed; looking again soon"),
        }
    }

    /// Stopping: the round and the webhook lane settle the row each holds (a post whose answer
    /// is awaited is marked, not left claimed to be sent again) and take no more, within
    /// [`STOP_GRACE`]; a source being read is dropped (it was moved on before the fetch, so it
    /// is one reading skipped, never two).
    async fn stop_lanes(
        &self,
        round: impl std::future::Future<Output = ()>,
        webhooks: Option<tokio::task::JoinHandle<()>>,
        sources: Option<tokio::task::JoinHandle<()>>,
    ) {
        self.dispatcher.stop();
        if let Some(h) = sources {
            h.abort();
        }
        let settle = async {
            round.await;
            if let Some(h) = webhooks {
                let _ = h.await;
            }
        };
        if tokio::time::timeout(STOP_GRACE, settle).await.is_err() {
            // A post still unanswered keeps its claim and goes again, with its id, once the
            // claim runs out.
            tracing::warn!("a send did not finish within the stop's grace; its claim will run out");
        }
    }
}

/// How long a stop waits for the rows in flight to settle: under the 10 s a service manager
/// gives before it kills.
pub const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(8);

/// Puts off a schedule that cannot be decided now until `until`, so it neither stalls the loop
/// nor is tried again on every tick.
async fn park(mut tx: store::WriteTx, row: &ScheduleRow, until: DateTime<Utc>) -> Result<()> {
    store::schedules::advance(&mut tx, row.team, row.kind, row.next_due, until).await?;
    tx.commit().await?;
    Ok(())
}
