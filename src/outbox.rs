//! The outbox port: where scheduled and event messages leave the core. The scheduler records each
//! delivery in the ledger before handing it here and marks it sent when `send` returns `Ok`.
//! The delivery id doubles as a nonce: an adapter whose platform can deduplicate by nonce
//! (Discord's `enforce_nonce`, the file outbox below) makes a resend after a crash harmless.

use std::collections::HashSet;
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::message::Message;
use crate::domain::model::{TeamId, WorkspaceId};
use crate::domain::webhook::WebhookId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    Prompt,
    Reminder,
    Digest,
    Alert,
    /// A key result ignored 3 prompts in a row: its lead is told instead of a 4th prompt.
    LeadReport,
    CycleClose,
    /// Key results whose at-risk alert resolved: the channel hears they are out of red.
    Recovered,
    /// A KPI left its healthy range (`docs/kpis.md`), with a Start an OKR action.
    KpiAlert,
    /// A KPI is back in its healthy range.
    KpiRecovered,
    /// A webhook kept answering "not found" and was disabled: its team's leads are told.
    WebhookDisabled,
    /// The team's chat channel refused a post (deleted, or closed to the bot): its leads are
    /// told, at most once a day.
    ChannelClosed,
}

impl DeliveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Prompt => "prompt",
            DeliveryKind::Reminder => "reminder",
            DeliveryKind::Digest => "digest",
            DeliveryKind::Alert => "alert",
            DeliveryKind::LeadReport => "lead_report",
            DeliveryKind::CycleClose => "cycle_close",
            DeliveryKind::Recovered => "recovered",
            DeliveryKind::KpiAlert => "kpi_alert",
            DeliveryKind::KpiRecovered => "kpi_recovered",
            DeliveryKind::WebhookDisabled => "webhook_disabled",
            DeliveryKind::ChannelClosed => "channel_closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "prompt" => DeliveryKind::Prompt,
            "reminder" => DeliveryKind::Reminder,
            "digest" => DeliveryKind::Digest,
            "alert" => DeliveryKind::Alert,
            "lead_report" => DeliveryKind::LeadReport,
            "cycle_close" => DeliveryKind::CycleClose,
            "recovered" => DeliveryKind::Recovered,
            "kpi_alert" => DeliveryKind::KpiAlert,
            "kpi_recovered" => DeliveryKind::KpiRecovered,
            "webhook_disabled" => DeliveryKind::WebhookDisabled,
            "channel_closed" => DeliveryKind::ChannelClosed,
            _ => return None,
        })
    }
}

/// Who a delivery goes to: a person (a direct message), a team channel, or one of the team's
/// webhooks (`docs/webhooks.md`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    User(String),
    Channel(String),
    Webhook(WebhookId),
}

/// How the ledger spells a webhook recipient; the dispatcher sends these on their own lane.
pub const WEBHOOK_PREFIX: &str = "webhook:";

impl Recipient {
    /// The ledger's spelling: `user:<id>` / `channel:<name>` / `webhook:<id>`.
    pub fn key(&self) -> String {
        match self {
            Recipient::User(u) => format!("user:{u}"),
            Recipient::Channel(c) => format!("channel:{c}"),
            Recipient::Webhook(w) => format!("{WEBHOOK_PREFIX}{w}"),
        }
    }

    pub fn parse(key: &str) -> Option<Recipient> {
        if let Some(u) = key.strip_prefix("user:") {
            Some(Recipient::User(u.to_owned()))
        } else if let Some(w) = key.strip_prefix(WEBHOOK_PREFIX) {
            w.parse().ok().map(|id| Recipient::Webhook(WebhookId(id)))
        } else {
            key.strip_prefix("channel:")
                .map(|c| Recipient::Channel(c.to_owned()))
        }
    }
}

/// Where a team's posts go in chat (digests, alerts, the cycle close): its channel, or its leads
/// directly while it has none. Its webhooks come on top (`service::team_posts`).
pub fn team_posts_to(team: &crate::domain::model::Team) -> Vec<Recipient> {
    match &team.channel {
        Some(ch) => vec![Recipient::Channel(ch.clone())],
        None => team
            .leads
            .iter()
            .filter(|l| !l.is_group())
            .map(|l| Recipient::User(l.name().to_owned()))
            .collect(),
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recipient::User(u) => write!(f, "@{u}"),
            Recipient::Channel(c) => write!(f, "#{c}"),
            Recipient::Webhook(w) => write!(f, "webhook {w}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The ledger row; unique, so it serves as the platform nonce.
    pub id: i64,
    pub workspace: WorkspaceId,
    pub team: TeamId,
    pub team_tz: chrono_tz::Tz,
    /// The team's channel: where a direct message goes when the person cannot be reached.
    pub team_channel: Option<String>,
    pub kind: DeliveryKind,
    pub recipient: Recipient,
    /// The scheduled instant this belongs to.
    pub slot: DateTime<Utc>,
    /// When it was first due; a delivery that still fails a day later is given up.
    pub due: DateTime<Utc>,
    /// Failed sends so far.
    pub attempts: u32,
    pub message: Message,
    /// The platform message this one replaces: a digest posted again the same local day edits
    /// the earlier one instead of adding a second.
    pub replaces: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Try again later (rate limited, platform down); the delivery stays pending.
    #[error("retry after {0:?}")]
    Retry(std::time::Duration),
    /// This recipient cannot be reached; the ledger marks it skipped.
    #[error("undeliverable: {0}")]
    Undeliverable(String),
    /// The destination says it does not exist (HTTP 404/410 from a webhook): tried again with
    /// backoff, and the destination is disabled after a few in a row.
    #[error("gone: {0}")]
    Gone(String),
}

/// What a successful send returns: the platform's id of the message, when it has one, so a later
/// delivery can edit it.
pub type Sent = Option<String>;

pub trait Outbox: Send + Sync {
    fn send(&self, d: &Delivery) -> impl Future<Output = Result<Sent, SendError>> + Send;
}

/// An outbox behind a reference is one too, so one platform's outbox can serve several routes.
impl<O: Outbox + ?Sized> Outbox for &O {
    fn send(&self, d: &Delivery) -> impl Future<Output = Result<Sent, SendError>> + Send {
        (**self).send(d)
    }
}

/// What the dispatcher hands chat deliveries to: each kind of recipient through its own outbox.
/// People get direct messages and team channels get posts; on Discord one outbox carries both.
/// Webhook recipients never come here: the dispatcher sends them itself, on their own lane.
pub struct Routes<P, C> {
    pub people: P,
    pub channels: C,
}

impl<P: Outbox, C: Outbox> Outbox for Routes<P, C> {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        match &d.recipient {
            Recipient::User(_) => self.people.send(d).await,
            Recipient::Channel(_) => self.channels.send(d).await,
            Recipient::Webhook(_) => Err(SendError::Undeliverable(
                "webhooks are sent by the dispatcher's webhook lane".into(),
            )),
        }
    }
}

/// Keeps everything sent, for tests and the demo's counts.
#[derive(Debug, Clone, Default)]
pub struct RecordingOutbox {
    sent: Arc<Mutex<Vec<Delivery>>>,
}

impl RecordingOutbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn sent(&self) -> Vec<Delivery> {
        crate::sync::lock(&self.sent).clone()
    }

    pub fn take(&self) -> Vec<Delivery> {
        std::mem::take(&mut *crate::sync::lock(&self.sent))
    }
}

impl Outbox for RecordingOutbox {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        let mut sent = crate::sync::lock(&self.sent);
        sent.push(d.clone());
        Ok(Some(format!("recorded-{}", d.id)))
    }
}

/// Appends one JSON line per delivery to a file and, like Discord with `enforce_nonce`, ignores
/// a delivery whose id it has already written: a resend after a crash is not a second message.
pub struct FileOutbox {
    path: PathBuf,
    seen: Mutex<HashSet<i64>>,
    pace: std::time::Duration,
    /// Held through a send and its pause: the pace holds for all sends together, as a
    /// platform's rate limit does, however many the dispatcher has in flight.
    turn: tokio::sync::Mutex<()>,
}

#[derive(Serialize, Deserialize)]
pub struct FileLine {
    pub id: i64,
    pub kind: DeliveryKind,
    pub recipient: String,
    pub slot: DateTime<Utc>,
    pub title: String,
}

impl FileOutbox {
    /// `pace` is a pause after each send, standing in for a platform's rate limit.
    pub fn open(path: PathBuf, pace: std::time::Duration) -> std::io::Result<FileOutbox> {
        let mut seen = HashSet::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines() {
                if let Ok(l) = serde_json::from_str::<FileLine>(line) {
                    seen.insert(l.id);
                }
            }
        }
        Ok(FileOutbox {
            path,
            seen: Mutex::new(seen),
            pace,
            turn: tokio::sync::Mutex::new(()),
        })
    }
}

impl Outbox for FileOutbox {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        let _turn = self.turn.lock().await;
        if !crate::sync::lock(&self.seen).insert(d.id) {
            return Ok(None);
        }
        let line = FileLine {
            id: d.id,
            kind: d.kind,
            recipient: d.recipient.key(),
            slot: d.slot,
            title: d.message.title.clone(),
        };
        let mut text =
            serde_json::to_string(&line).map_err(|e| SendError::Undeliverable(e.to_string()))?;
        text.push('\n');
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            f.write_all(text.as_bytes())?;
            f.sync_data()
        };
        write().map_err(|_| SendError::Retry(std::time::Duration::from_secs(1)))?;
        if !self.pace.is_zero() {
            tokio::time::sleep(self.pace).await;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(recipient: Recipient) -> Delivery {
        Delivery {
            id: 1,
            workspace: WorkspaceId(1),
            team: TeamId(1),
            team_tz: chrono_tz::UTC,
            team_channel: None,
            kind: DeliveryKind::Alert,
            recipient,
            slot: DateTime::UNIX_EPOCH,
            due: DateTime::UNIX_EPOCH,
            attempts: 0,
            message: Message::new("Growth: 1 key result moved into red"),
            replaces: None,
        }
    }

    #[tokio::test]
    async fn each_recipient_kind_goes_to_its_own_outbox() {
        let routes = Routes {
            people: RecordingOutbox::new(),
            channels: RecordingOutbox::new(),
        };
        routes
            .send(&delivery(Recipient::User("alice".into())))
            .await
            .expect("sent");
        routes
            .send(&delivery(Recipient::Channel("growth".into())))
            .await
            .expect("sent");
        let to = |o: &RecordingOutbox| -> Vec<Recipient> {
            o.sent().into_iter().map(|d| d.recipient).collect()
        };
        assert_eq!(to(&routes.people), [Recipient::User("alice".into())]);
        assert_eq!(to(&routes.channels), [Recipient::Channel("growth".into())]);
    }
}
