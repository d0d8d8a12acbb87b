//! The dispatcher: hands what the ledger owes to the outbox, apart from deciding it. Each row is
//! claimed before it is sent (its id doubles as the platform nonce, so a resend after a crash is
//! harmless), then settled: sent, skipped (unreachable), retried on its own schedule
//! ([`RetryPolicy`]) or, after a bounded number of attempts or a day, failed, logged and
//! counted. A failing row never holds back another recipient's (a webhook's later rows wait
//! for its retry, to keep their order); the outbox paces the platform as a whole.
//! Each chat recipient kind reaches its own outbox through [`Routes`](crate::outbox::Routes);
//! team webhooks go on a lane of their own, posted by the dispatcher itself, each webhook paced
//! and tried apart from the others (`docs/webhooks.md`). The rules are in
//! `docs/schedules-and-delivery.md`.

use chrono::{DateTime, Utc};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::domain::delivery::{AfterFailure, RetryPolicy};
use crate::domain::model::WorkspaceId;
use crate::metrics::Outcome;
use crate::outbox::{Delivery, DeliveryKind, Outbox, Recipient, SendError};
use crate::service::{Okr, Result};
use crate::store::{
    self,
    deliveries::{Lane, Settled},
};

mod webhooks;
pub use webhooks::{WebhookOutbox, WebhookPosts};

/// What one round of delivering did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: usize,
    pub skipped: usize,
    /// Failed this time, to be tried again later.
    pub retried: usize,
    /// Given up for good.
    pub failed: usize,
}

impl std::ops::AddAssign for DispatchReport {
    fn add_assign(&mut self, o: DispatchReport) {
        self.sent += o.sent;
        self.skipped += o.skipped;
        self.retried += o.retried;
        self.failed += o.failed;
    }
}

#[derive(Clone)]
pub struct Dispatcher {
    okr: Okr,
    /// One workspace's rows only (a console), or every workspace's.
    scope: Option<WorkspaceId>,
    /// Set when the process is stopping: a round settles the row in flight and takes no more.
    stopping: Arc<AtomicBool>,
    policy: RetryPolicy,
    webhooks: WebhookOutbox,
    /// Who this process is when it claims a row (`store::deliveries::claim`): it settles and
    /// gives back only the rows it holds, never another process's live claim.
    holder: Arc<str>,
}

/// A name for this process's claims, unique among the processes sharing the database: the
/// host, the process id and the instant the dispatcher was made.
fn process_holder() -> Arc<str> {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "okrbot".to_owned());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{host}:{}:{started:x}", std::process::id()).into()
}

/// How long a claim holds a row for one send unless its holder renews it: a process renews
/// its claims every [`RENEW_EVERY`] while it lives ([`Dispatcher::renew_claims`], from
/// `Scheduler::run`), so a send may take as long as it must (a long 429, a slow platform), and
/// a process killed mid-send leaves claims that run out within this. The next round (of any
/// process) then sends those rows again with the same nonce, inside Discord's few-minute nonce
/// window, so a message that had reached Discord before the kill is returned, not posted twice.
pub const CLAIM: chrono::Duration = chrono::Duration::seconds(30);

/// How often a living process renews the claims it holds ([`CLAIM`]).
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Rows read per query; a round loops until nothing more is owed now.
const BATCH: i64 = 256;

/// Chat rows in flight at once (`Dispatcher::deliver_chat`): enough to hide a row's two ledger
/// writes behind the platform's pace, few enough that a crash leaves at most this many sent but
/// not yet marked (each is resent with its nonce).
pub const CHAT_STREAMS: usize = 4;

/// The stream a recipient's rows go in: always the same one, so they keep their order.
fn stream_of(r: &Recipient) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    r.key().hash(&mut h);
    (h.finish() % CHAT_STREAMS as u64) as usize
}

impl Dispatcher {
    pub fn new(okr: Okr) -> Dispatcher {
        Dispatcher {
            webhooks: WebhookOutbox::new(okr.clone()),
            okr,
            scope: None,
            stopping: Arc::default(),
            policy: RetryPolicy::default(),
            holder: process_holder(),
        }
    }

    /// The name this dispatcher's claims carry.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Settles `id` as this process: a row another process took over after this one's claim
    /// ran out is theirs to settle, and is left as they have it.
    async fn mark(
        &self,
        c: &mut store::Conn,
        id: i64,
        state: Settled,
        message_id: Option<&str>,
        failure: Option<(u32, &str)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !store::deliveries::mark(c, id, &self.holder, state, message_id, failure, now).await? {
            self.lost(id);
        }
        Ok(())
    }

    fn lost(&self, id: i64) {
        tracing::warn!(
            delivery = id,
            "this process's claim ran out and another process holds the row now; left to it"
        );
    }

    /// From now on every round of this dispatcher (and its clones) settles the row in flight
    /// and takes no other: a stop never leaves a post sent but not marked, where the row's own
    /// answer could still be waited for.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// A dispatcher that sends one workspace's rows and never touches another's.
    pub fn for_workspace(okr: Okr, ws: WorkspaceId) -> Dispatcher {
        Dispatcher {
            scope: Some(ws),
            ..Dispatcher::new(okr)
        }
    }

    /// Sends everything owed at `now`, chat through `outbox` and webhooks on their own lane at
    /// the same time, each row settled as soon as its destination answers.
    pub async fn deliver<O: Outbox>(
        &self,
        now: DateTime<Utc>,
        outbox: &O,
    ) -> Result<DispatchReport> {
        let (chat, webhooks) =
            tokio::join!(self.deliver_chat(now, outbox), self.deliver_webhooks(now));
        let mut report = chat?;
        report += webhooks?;
        Ok(report)
    }

    /// The webhook lane: one batch of what the ledger owes webhooks at `now`, each webhook's
    /// rows in order and paced, all webhooks at once. A webhook that fails stops its own rows
    /// until the failed row's retry (they keep their order), so a dead URL costs one timeout per
    /// retry.
    pub async fn deliver_webhooks(&self, now: DateTime<Utc>) -> Result<DispatchReport> {
        let (pending, waiting) = {
            let mut c = self.okr.store().read().await?;
            let pending =
                store::deliveries::pending(&mut c, now, BATCH, Lane::Webhooks, self.scope).await?;
            (
                pending,
                store::deliveries::webhooks_waiting(&mut c, now).await?,
            )
        };
        let (pending, mut report) = self.set_aside_unreadable(pending, now).await?;
        // A row waits while an earlier one to the same webhook waits for its retry, and rows go
        // in the order they were due, not retried: an alert refused with a 429 still comes
        // before its own recovery.
        let mut by_hook: BTreeMap<String, Vec<Delivery>> = BTreeMap::new();
        for d in pending {
            let key = d.recipient.key();
            if waiting.get(&key).is_some_and(|w| *w < (d.due, d.id)) {
                continue;
            }
            by_hook.entry(key).or_default().push(d);
        }
        for rows in by_hook.values_mut() {
            rows.sort_by_key(|d| (d.due, d.id));
        }
        let rounds = by_hook.into_values().map(|rows| async move {
            let mut report = DispatchReport::default();
            let platform = match rows.first().map(|d| (d.workspace, &d.recipient)) {
                Some((ws, Recipient::Webhook(id))) => self
                    .okr
                    .webhook_by_id(ws, *id)
                    .await?
                    .map_or("webhook", |w| w.platform.as_str()),
                _ => "webhook",
            };
            for d in rows {
                if self.stopping() {
                    break;
                }
                let before = report;
                self.deliver_one(d, now, &self.webhooks.at(now), platform, &mut report)
                    .await?;
                if report.retried > before.retried || report.failed > before.failed {
                    break;
                }
            }
            Ok::<_, crate::service::OkrError>(report)
        });
        for r in futures_util::future::join_all(rounds).await {
            report += r?;
        }
        Ok(report)
    }

    /// Rows that cannot be read are failed one by one, logged and counted; the readable rest
    /// goes on.
    async fn set_aside_unreadable(
        &self,
        rows: Vec<std::result::Result<Delivery, store::deliveries::Unreadable>>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Delivery>, DispatchReport)> {
        let mut report = DispatchReport::default();
        let mut readable = Vec::with_capacity(rows.len());
        for row in rows {
            match row {
                Ok(d) => readable.push(d),
                Err(u) => {
                    tracing::error!(delivery = u.id, why = %u.why, "a delivery cannot be read; failed without sending");
                    let mut c = self.okr.store().read().await?;
                    self.mark(
                        &mut c,
                        u.id,
                        Settled::Failed,
                        None,
                        Some((0, &format!("cannot be read: {}", u.why))),
                        now,
                    )
                    .await?;
                    self.okr
                        .metrics()
                        .delivered("unreadable", "unknown", Outcome::Failed);
                    report.failed += 1;
                }
            }
        }
        Ok((readable, report))
    }

    /// The chat lane: everything owed at `now` through `outbox`, in [`CHAT_STREAMS`] streams
    /// at once, each recipient's rows in order within one stream. The outbox paces the platform
    /// as a whole; the streams only keep it busy while one row is claimed and settled in the
    /// store, so a fan-out goes at the platform's pace, not at the pace plus the ledger's.
    pub async fn deliver_chat<O: Outbox>(
        &self,
        now: DateTime<Utc>,
        outbox: &O,
    ) -> Result<DispatchReport> {
        let mut report = DispatchReport::default();
        while !self.stopping() {
            let pending = {
                let mut c = self.okr.store().read().await?;
                store::deliveries::pending(&mut c, now, BATCH, Lane::Chat, self.scope).await?
            };
            if pending.is_empty() {
                return Ok(report);
            }
            let (pending, unreadable) = self.set_aside_unreadable(pending, now).await?;
            report += unreadable;
            let mut streams: Vec<Vec<Delivery>> = (0..CHAT_STREAMS).map(|_| Vec::new()).collect();
            for d in pending {
                streams[stream_of(&d.recipient)].push(d);
            }
            let rounds = streams.into_iter().map(|rows| async move {
                let mut report = DispatchReport::default();
                for d in rows {
                    if self.stopping() {
                        break;
                    }
                    self.deliver_one(d, now, outbox, "chat", &mut report)
                        .await?;
                }
                Ok::<_, crate::service::OkrError>(report)
            });
            for r in futures_util::future::join_all(rounds).await {
                report += r?;
            }
        }
        Ok(report)
    }

    async fn deliver_one<O: Outbox>(
        &self,
        mut d: Delivery,
        now: DateTime<Utc>,
        outbox: &O,
        platform: &str,
        report: &mut DispatchReport,
    ) -> Result<()> {
        let before = *report;
        let settled = self.settle_one(&mut d, now, outbox, report).await;
        let metrics = self.okr.metrics();
        let kind = d.kind.as_str();
        for (n, outcome) in [
            (report.sent - before.sent, Outcome::Sent),
            (report.skipped - before.skipped, Outcome::Skipped),
            (report.retried - before.retried, Outcome::Retried),
            (report.failed - before.failed, Outcome::Failed),
        ] {
            if n > 0 {
                metrics.delivered(kind, platform, outcome);
            }
        }
        settled
    }

    async fn settle_one<O: Outbox>(
        &self,
        d: &mut Delivery,
        now: DateTime<Utc>,
        outbox: &O,
        report: &mut DispatchReport,
    ) -> Result<()> {
        {
            let mut c = self.okr.store().read().await?;
            if !store::deliveries::claim(&mut c, d.id, &self.holder, now, CLAIM).await? {
                return Ok(());
            }
        }
        if d.kind == DeliveryKind::Digest {
            d.replaces = self.same_day_digest(d).await?;
        }
        let outcome = outbox.send(d).await;
        if let (Recipient::Channel(channel), Err(SendError::Gone(why))) = (&d.recipient, &outcome) {
            // The team's channel is deleted or closed to the bot: retrying cannot help, its
            // leads are told (once a day), and the post is skipped.
            tracing::warn!(delivery = d.id, %channel, %why, "the team's channel refuses posts");
            self.okr
                .channel_closed(d.workspace, d.team, channel, why, now)
                .await?;
            let mut c = self.okr.store().read().await?;
            self.mark(
                &mut c,
                d.id,
                Settled::Skipped,
                None,
                Some((d.attempts, why)),
                now,
            )
            .await?;
            report.skipped += 1;
            return Ok(());
        }
        if let Recipient::Webhook(hook) = d.recipient {
            match &outcome {
                Ok(_) => self.okr.webhook_delivered(hook).await?,
                Err(SendError::Gone(why)) => {
                    if self.okr.webhook_gone(d.workspace, hook, why, now).await? {
                        let mut c = self.okr.store().read().await?;
                        self.mark(
                            &mut c,
                            d.id,
                            Settled::Failed,
                            None,
                            Some((d.attempts + 1, why)),
                            now,
                        )
                        .await?;
                        report.failed += 1;
                        return Ok(());
                    }
                }
                Err(_) => {}
            }
        }
        let mut c = self.okr.store().read().await?;
        match outcome {
            Ok(message_id) => {
                self.mark(
                    &mut c,
                    d.id,
                    Settled::Sent,
                    message_id.as_deref(),
                    None,
                    now,
                )
                .await?;
                report.sent += 1;
            }
            Err(SendError::Undeliverable(why)) => {
                tracing::warn!(delivery = d.id, recipient = %d.recipient, %why, "undeliverable, skipped");
                self.mark(
                    &mut c,
                    d.id,
                    Settled::Skipped,
                    None,
                    Some((d.attempts, &why)),
                    now,
                )
                .await?;
                report.skipped += 1;
            }
            Err(e @ (SendError::Retry(_) | SendError::Gone(_))) => {
                let attempts = d.attempts + 1;
                let (asked, why) = match e {
                    SendError::Retry(after) if !after.is_zero() => (
                        chrono::Duration::from_std(after).unwrap_or(self.policy.cap),
                        format!("the platform asked to retry after {after:?}"),
                    ),
                    SendError::Gone(why) => (chrono::Duration::zero(), why),
                    _ => (
                        chrono::Duration::zero(),
                        "the send failed; retrying with backoff".to_owned(),
                    ),
                };
                match self.policy.after_failure(d.id, attempts, d.due, now, asked) {
                    AfterFailure::RetryAt(next) => {
                        tracing::info!(delivery = d.id, attempts, %next, "send failed, retrying later");
                        if !store::deliveries::retry_later(
                            &mut c,
                            d.id,
                            &self.holder,
                            attempts,
                            next,
                            &why,
                            now,
                        )
                        .await?
                        {
                            self.lost(d.id);
                        }
                        report.retried += 1;
                    }
                    AfterFailure::GiveUp => {
                        tracing::error!(
                            delivery = d.id,
                            kind = d.kind.as_str(),
                            recipient = %d.recipient,
                            attempts,
                            "delivery failed for good"
                        );
                        self.mark(
                            &mut c,
                            d.id,
                            Settled::Failed,
                            None,
                            Some((attempts, &why)),
                            now,
                        )
                        .await?;
                        report.failed += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// The message of an earlier digest of the same team and recipient on the same local day.
    async fn same_day_digest(&self, d: &Delivery) -> Result<Option<String>> {
        let mut c = self.okr.store().read().await?;
        let last = store::deliveries::last_sent_digest(&mut c, d.team, &d.recipient).await?;
        let day = |t: DateTime<Utc>| t.with_timezone(&d.team_tz).date_naive();
        Ok(last
            .filter(|(slot, _)| day(*slot) == day(d.slot))
            .map(|(_, id)| id))
    }

    /// Renews the claims this process holds, to run out [`CLAIM`] after `now`; how many.
    pub async fn renew_claims(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut c = self.okr.store().read().await?;
        Ok(store::deliveries::renew_claims(&mut c, &self.holder, now, CLAIM).await?)
    }

    /// What a start does first: frees the claims that have run out and says how many are
    /// still held. A held claim is left alone, whoever holds it: a process killed mid-send
    /// leaves claims that run out within [`CLAIM`], and then its rows go again, with their ids.
    pub async fn take_over(&self, now: DateTime<Utc>) -> Result<()> {
        let mut c = self.okr.store().read().await?;
        let (freed, held) = store::deliveries::release_expired_claims(&mut c, now).await?;
        if freed > 0 || held > 0 {
            tracing::warn!(
                freed,
                held,
                "deliveries claimed by a process that stopped (freed) or by one that may still be sending (held until their claims run out)"
            );
        }
        Ok(())
    }
}
