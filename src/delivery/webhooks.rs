//! The webhook lane's outbox: it reads the webhook a ledger row names, so it lives with the
//! dispatcher that already reads webhooks, and leaves [`crate::webhook`] to HTTP alone.

use std::time::Duration;

use crate::outbox::{Delivery, Outbox, Recipient, SendError, Sent};
use crate::service::Okr;
use crate::webhook::PostError;
use chrono::{DateTime, Utc};

/// The webhook lane's outbox: reads the webhook a delivery names, waits for its turn, posts the
/// message in the platform's shape and says what the answer means for the delivery. It posts
/// through [`WebhookOutbox::at`], which gives it the round's `now`.
#[derive(Clone)]
pub struct WebhookOutbox {
    okr: Okr,
}

impl WebhookOutbox {
    pub fn new(okr: Okr) -> WebhookOutbox {
        WebhookOutbox { okr }
    }

    /// The outbox for a round of deliveries at `now`.
    pub fn at(&self, now: DateTime<Utc>) -> WebhookPosts<'_> {
        WebhookPosts { outbox: self, now }
    }
}

/// [`WebhookOutbox`] for one round at `now`.
pub struct WebhookPosts<'a> {
    outbox: &'a WebhookOutbox,
    now: DateTime<Utc>,
}

impl Outbox for WebhookPosts<'_> {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        let WebhookPosts { outbox, now } = self;
        let Recipient::Webhook(id) = d.recipient else {
            return Err(SendError::Undeliverable(format!(
                "{} is not a webhook",
                d.recipient
            )));
        };
        let hook = outbox
            .okr
            .webhook_by_id(d.workspace, id)
            .await
            .map_err(|_| SendError::Retry(Duration::ZERO))?
            .ok_or_else(|| SendError::Undeliverable(format!("webhook {id} was removed")))?;
        if !hook.is_active() {
            return Err(SendError::Undeliverable(format!(
                "webhook {id} is disabled"
            )));
        }
        outbox.okr.webhook_turn(id).await;
        let body = crate::render::webhook::payload(hook.platform, &d.message);
        let outcome = outbox
            .okr
            .webhook_poster()
            .post(&hook.url, &body, Some(d.id), *now)
            .await;
        if let Err(e) = &outcome {
            // Kept for `/okr webhook list`; a "not found" is counted by the dispatcher.
            if !matches!(e, PostError::Gone(_)) {
                let _ = outbox.okr.webhook_failed(id, &e.to_string()).await;
            }
        }
        match outcome {
            Ok(()) => Ok(None),
            Err(PostError::RateLimited(after)) => {
                // Slack limits each webhook: every later post to it waits too, not only this one.
                let after = after.unwrap_or(Duration::from_secs(1));
                outbox.okr.hold_webhook(id, after).await;
                Err(SendError::Retry(after))
            }
            Err(PostError::Transient(why)) => {
                tracing::info!(webhook = %id, url = %hook.masked_url(), %why, "webhook post failed");
                Err(SendError::Retry(Duration::ZERO))
            }
            Err(e @ PostError::Gone(_)) => Err(SendError::Gone(e.to_string())),
            Err(e @ (PostError::Refused(_) | PostError::Rejected { .. })) => {
                Err(SendError::Undeliverable(e.to_string()))
            }
        }
    }
}
