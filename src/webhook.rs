//! Posting to team webhooks (reqwest): the address rules, the one POST, and what each answer
//! means for the delivery (`docs/webhooks.md`). The URL is a secret: no error or log line here
//! holds it, only its masked form.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::domain::webhook::{mask, WebhookId};
use crate::outbox::{Delivery, Outbox, Recipient, SendError, Sent};
use crate::source::{self, FetchError, Policy};

/// How webhooks are posted to: the address policy is the KPI sources' (`http_sources.*`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The least time between two posts to one webhook (Slack allows about one a second).
    pub pace: Duration,
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pace: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

/// What a post came to, short of success.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PostError {
    /// Refused before sending: the URL is not one okrbot may post to.
    #[error("{0}")]
    Refused(String),
    /// HTTP 429; the platform's `Retry-After`, when it gave one.
    #[error("rate limited by the platform")]
    RateLimited(Option<Duration>),
    /// 5xx, a timeout, a failed connection: worth another try.
    #[error("{0}")]
    Transient(String),
    /// 404 or 410: the webhook was deleted (or never existed).
    #[error("the webhook answered HTTP {0}: it no longer exists")]
    Gone(u16),
    /// Any other answer: the platform refused this message.
    #[error("the webhook answered HTTP {status}: {body}")]
    Rejected { status: u16, body: String },
}

/// Checks a webhook URL: https, or plain http only to a private address and only where the
/// config allows private addresses; never a private address otherwise. Returns the address to
/// connect to, so the name is not looked up again between the check and the connection.
pub async fn check(url: &str, policy: &Policy) -> Result<(Url, SocketAddr), PostError> {
    let shown = mask(url);
    let url = source::check_url(url).map_err(|_| {
        PostError::Refused(format!(
            "{shown} is not a webhook URL: give the https:// address the platform shows, e.g. https://hooks.slack.com/services/…"
        ))
    })?;
    let addr = source::resolve(&url, policy).await.map_err(|e| match e {
        FetchError::Private { addr, .. } => PostError::Refused(format!(
            "{shown} resolves to {addr}, a private address: webhooks must be public addresses \
             unless the config sets http_sources.allow_private"
        )),
        FetchError::Resolve { host, why } => {
            PostError::Refused(format!("{host} could not be resolved: {why}"))
        }
        other => PostError::Refused(other.to_string()),
    })?;
    let private = source::is_private(addr.ip());
    if url.scheme() == "http" && !private {
        return Err(PostError::Refused(format!(
            "{shown} is plain http: the URL carries the webhook's secret, so it must be https"
        )));
    }
    if url.username() != "" || url.password().is_some() {
        return Err(PostError::Refused(format!(
            "{shown} carries a user name or password: give the URL the platform shows"
        )));
    }
    Ok((url, addr))
}

/// One POST of `body`, redirects not followed (a webhook that moves is not trusted to move).
pub async fn post(
    url: &str,
    body: &Value,
    policy: &Policy,
    settings: &Settings,
) -> Result<(), PostError> {
    let (url, addr) = check(url, policy).await?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .resolve(&host, addr)
        .build()
        .map_err(|e| PostError::Transient(source::without_url(&e)))?;
    let bytes = serde_json::to_vec(body).map_err(|e| PostError::Refused(e.to_string()))?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                PostError::Transient(format!(
                    "no answer within {} s",
                    settings.timeout.as_secs_f64()
                ))
            } else {
                PostError::Transient(format!(
                    "the connection failed: {}",
                    source::without_url(&e)
                ))
            }
        })?;
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)));
    match status {
        429 => Err(PostError::RateLimited(retry_after)),
        404 | 410 => Err(PostError::Gone(status)),
        500..=599 => Err(PostError::Transient(format!(
            "the webhook answered HTTP {status}"
        ))),
        _ => {
            let text = response.text().await.unwrap_or_default();
            Err(PostError::Rejected {
                status,
                body: crate::render::clip_chars(text.trim(), 200),
            })
        }
    }
}

/// Spaces posts to each webhook at least `pace` apart; posts to different webhooks do not wait
/// for each other.
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    next: Arc<Mutex<HashMap<WebhookId, Instant>>>,
}

impl Pacer {
    /// Waits for this webhook's turn and books the next one.
    pub async fn turn(&self, id: WebhookId, pace: Duration) {
        let wait = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.get(&id).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(id, at + pace);
            at
        };
        tokio::time::sleep_until(wait).await;
    }
}

/// The webhook lane's outbox: reads the webhook a delivery names, waits for its turn, posts the
/// message in the platform's shape and says what the answer means for the delivery.
#[derive(Clone)]
pub struct WebhookOutbox {
    okr: crate::service::Okr,
    pacer: Pacer,
}

impl WebhookOutbox {
    pub fn new(okr: crate::service::Okr) -> WebhookOutbox {
        WebhookOutbox {
            okr,
            pacer: Pacer::default(),
        }
    }
}

impl Outbox for WebhookOutbox {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        let Recipient::Webhook(id) = d.recipient else {
            return Err(SendError::Undeliverable(format!(
                "{} is not a webhook",
                d.recipient
            )));
        };
        let hook = self
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
        let settings = self.okr.webhook_settings();
        self.pacer.turn(id, settings.pace).await;
        let body = crate::render::webhook::payload(hook.platform, &d.message);
        let outcome = post(&hook.url, &body, self.okr.source_policy(), settings).await;
        if let Err(e) = &outcome {
            // Kept for `/okr webhook list`; a "not found" is counted by the dispatcher.
            if !matches!(e, PostError::Gone(_)) {
                let _ = self.okr.webhook_failed(id, &e.to_string()).await;
            }
        }
        match outcome {
            Ok(()) => Ok(None),
            Err(PostError::RateLimited(after)) => {
                Err(SendError::Retry(after.unwrap_or(Duration::from_secs(1))))
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
