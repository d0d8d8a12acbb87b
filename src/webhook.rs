//! Posting to team webhooks (reqwest): the address rules, the one POST, and what each answer
//! means for the delivery (`docs/webhooks.md`); each webhook's pace is the service's turns
//! (`src/pace.rs`). A leaf, like [`crate::source`]: it is handed the URL and the payload, so the
//! dispatcher's webhook outbox and `/okr webhook test` post through it without it knowing either.
//! The URL is a secret: no error or log line here holds it, only its masked form.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use serde_json::Value;

use crate::domain::quote::clip_chars;
use crate::domain::webhook::mask;
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
/// config allows private addresses; never a private address otherwise. Returns the address the
/// name resolves to first. For `/okr webhook add`, before anything is written; a post is checked
/// by [`Poster::post`] and its clients' lookups.
pub async fn check(url: &str, policy: &Policy) -> Result<(Url, SocketAddr), PostError> {
    let shown = mask(url);
    let url = parse(url, &shown)?;
    let addr = source::resolve(&url, policy)
        .await
        .map_err(|e| refused(e, &shown))?;
    judge(&url, &shown, source::is_private(addr.ip()))?;
    Ok((url, addr))
}

fn parse(url: &str, shown: &str) -> Result<Url, PostError> {
    source::check_url(url).map_err(|_| {
        PostError::Refused(format!(
            "{shown} is not a webhook URL: give the https:// address the platform shows, e.g. https://hooks.slack.com/services/…"
        ))
    })
}

/// The address guard's refusal, said of the masked URL.
fn refused(e: FetchError, shown: &str) -> PostError {
    match e {
        FetchError::Private { addr, .. } => PostError::Refused(format!(
            "{shown} resolves to {addr}, a private address: webhooks must be public addresses \
             unless the config sets http_sources.allow_private"
        )),
        FetchError::Resolve { host, why } => {
            PostError::Refused(format!("{host} could not be resolved: {why}"))
        }
        other => PostError::Refused(other.to_string()),
    }
}

/// The rules past the address: plain http only to a private one (`private`), no credentials in
/// the URL.
fn judge(url: &Url, shown: &str, private: bool) -> Result<(), PostError> {
    if url.scheme() == "http" && !private {
        return Err(plain_http(shown));
    }
    if url.username() != "" || url.password().is_some() {
        return Err(PostError::Refused(format!(
            "{shown} carries a user name or password: give the URL the platform shows"
        )));
    }
    Ok(())
}

fn plain_http(shown: &str) -> PostError {
    PostError::Refused(format!(
        "{shown} is plain http: the URL carries the webhook's secret, so it must be https"
    ))
}

/// The lookup of plain `http://` webhooks: the address guard's, and then the first address must
/// be private (as [`check`] judges it) and only private ones are tried, so the secret never
/// crosses to a public address in the clear, whatever the name resolves to at the post.
#[derive(Debug)]
struct PrivateOnly(Policy);

/// [`PrivateOnly`]'s refusal, said as [`check`] says it by [`Poster::post`].
#[derive(Debug, thiserror::Error)]
#[error("plain http to a public address")]
struct PublicOverHttp;

impl Resolve for PrivateOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port (or the scheme's) in its place.
            let addrs = source::lookup(name.as_str(), 0, &policy).await?;
            if !source::is_private(addrs[0].ip()) {
                return Err(PublicOverHttp.into());
            }
            let private = addrs.into_iter().filter(|a| source::is_private(a.ip()));
            Ok(Box::new(private) as Addrs)
        })
    }
}

/// Posts to webhooks through clients made once (one for https, one for plain http to a private
/// address), so posts to a webhook reuse its connection and TLS session. Every lookup they make
/// goes through the address guard (`source::lookup`), at every post. Cloning shares the
/// clients.
#[derive(Debug, Clone)]
pub struct Poster {
    policy: Policy,
    settings: Settings,
    /// A client that could not be made fails each post as a connection failure, as making one
    /// per post did.
    https: Result<reqwest::Client, String>,
    http: Result<reqwest::Client, String>,
}

/// The header that carries a ledger row's id with every post of it: a post sent again after a
/// crash (its claim ran out before it was marked sent) carries the same id, so a receiver that
/// keeps the ids it has seen can drop the second.
pub const DELIVERY_HEADER: &str = "x-okrbot-delivery";

impl Poster {
    pub fn new(policy: Policy, settings: Settings) -> Poster {
        let https =
            source::guarded_client(Arc::new(source::Guard(policy.clone())), settings.timeout);
        let http = source::guarded_client(Arc::new(PrivateOnly(policy.clone())), settings.timeout);
        Poster {
            policy,
            settings,
            https,
            http,
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// One POST of `body`, redirects not followed (a webhook that moves is not trusted to
    /// move). `delivery` is the ledger row's id (none for `/okr webhook test`); `now` is what a
    /// `Retry-After` given as a date is counted from.
    pub async fn post(
        &self,
        url: &str,
        body: &Value,
        delivery: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<(), PostError> {
        let shown = mask(url);
        let url = parse(url, &shown)?;
        // An address in the URL is never looked up: it is judged here. A name is judged by the
        // client's lookup, plain http's keeping to private addresses.
        let literal = source::check_literal(&url, &self.policy).map_err(|e| refused(e, &shown))?;
        judge(&url, &shown, literal.is_none_or(source::is_private))?;
        let client = if url.scheme() == "http" {
            &self.http
        } else {
            &self.https
        };
        let client = client
            .as_ref()
            .map_err(|e| PostError::Transient(e.clone()))?;
        let bytes = serde_json::to_vec(body).map_err(|e| PostError::Refused(e.to_string()))?;
        let mut request = client
            .post(url)
            .header("content-type", "application/json")
            .body(bytes);
        if let Some(id) = delivery {
            request = request.header(DELIVERY_HEADER, id.to_string());
        }
        let settings = &self.settings;
        let response = request.send().await.map_err(|e| {
            if let Some(refusal) = source::cause::<FetchError>(&e) {
                refused(refusal.clone(), &shown)
            } else if source::cause::<PublicOverHttp>(&e).is_some() {
                plain_http(&shown)
            } else if e.is_timeout() {
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
        match status {
            429 => Err(PostError::RateLimited(
                response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, now)),
            )),
            404 | 410 => Err(PostError::Gone(status)),
            500..=599 => Err(PostError::Transient(format!(
                "the webhook answered HTTP {status}"
            ))),
            _ => {
                let text = body_start(response, ERROR_BODY_BYTES).await;
                Err(PostError::Rejected {
                    status,
                    body: clip_chars(String::from_utf8_lossy(&text).trim(), 200),
                })
            }
        }
    }
}

/// How much of a refusal's body is read: its reason is quoted to 200 characters, and a body
/// read whole could be as large as the platform (or whoever answers) likes.
const ERROR_BODY_BYTES: usize = 4096;

/// The first `max` bytes of a body (fewer if it ends first, or fails); nothing past them is
/// read, and dropping the response closes the connection on the rest.
async fn body_start(mut response: reqwest::Response, max: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < max {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// The longest a `Retry-After` is honoured for: a platform asking for more is asked again in an
/// hour rather than left for a day.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

/// How long a `Retry-After` asks to wait, at `now` (RFC 9110 10.2.3): delta-seconds (a fraction
/// too, as some platforms send) or an HTTP-date, a date already past meaning now; at most an
/// hour. `None` for anything else (negative, not finite, not a date).
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => {
            Duration::from_secs_f64(secs.min(RETRY_AFTER_CAP.as_secs_f64()))
        }
        Ok(_) => return None,
        Err(_) => {
            let at = DateTime::<Utc>::from(httpdate::parse_http_date(value).ok()?);
            (at - now).to_std().unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("an RFC 3339 instant")
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_within_an_hour() {
        let now = at("2026-11-16T10:00:00Z");
        let secs = Duration::from_secs;
        assert_eq!(retry_after("2", now), Some(secs(2)));
        assert_eq!(retry_after(" 30 ", now), Some(secs(30)));
        assert_eq!(retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(retry_after("1.5", now), Some(Duration::from_millis(1500)));
        // An HTTP-date in each of the three forms RFC 9110 has recipients accept.
        for date in [
            "Mon, 16 Nov 2026 10:00:42 GMT",
            "Monday, 16-Nov-26 10:00:42 GMT",
            "Mon Nov 16 10:00:42 2026",
        ] {
            assert_eq!(retry_after(date, now), Some(secs(42)), "{date}");
        }
        assert_eq!(
            retry_after("Mon, 16 Nov 2026 09:59:00 GMT", now),
            Some(Duration::ZERO),
            "a date already past means now"
        );
        // At most an hour, whichever way it is asked.
        assert_eq!(retry_after("86400", now), Some(secs(3600)));
        assert_eq!(retry_after("1e300", now), Some(secs(3600)));
        assert_eq!(
            retry_after("Tue, 17 Nov 2026 10:00:00 GMT", now),
            Some(secs(3600))
        );
        for garbage in [
            "",
            "soon",
            "-1",
            "NaN",
            "inf",
            "2 s",
            "16 Nov 2026",
            "Mon, 32 Nov 2026 10:00:00 GMT",
        ] {
            assert_eq!(retry_after(garbage, now), None, "{garbage:?}");
        }
    }
}
