//! The outbox's requests to Discord over okrbot's own HTTP client, for a `discord.api_base` other
//! than Discord's own (a proxy). Why not serenity there: serenity's rate limiter always sends to
//! discord.com whatever the proxy (so it must be off), and without it a refusal reaches us as an
//! `ErrorResponse` that keeps neither the headers nor the raw body. A 429's `retry_after` was
//! then out of reach and every send paused a fixed guess. Here the whole answer is read, so a
//! 429 waits exactly what it asks (docs/discord.md, "What Discord answers").
//!
//! The routes and the bodies are serenity's (its `Route` paths, its builders serialised), so a
//! message sent either way is the same message.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serenity::all::CreateAttachment;
use serenity::http::Route;

/// Where serenity's routes point; replaced by the configured base.
const DISCORD: &str = "https://discord.com";
/// Longer than Discord takes on a bad day, short enough that a hung proxy is retried.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A refusal's body is a few hundred bytes; a proxy answering more is cut, not read whole.
const LONGEST_REFUSAL: usize = 16 * 1024;

/// What Discord (or the proxy) answered when it did not do what was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub status: StatusCode,
    /// Discord's JSON error code; 0 when the body has none (a 429's body has none).
    pub code: isize,
    pub message: String,
    /// From the body's `retry_after` (seconds, fractional), else the `Retry-After` header.
    pub retry_after: Option<Duration>,
}

#[derive(Debug)]
pub enum RestError {
    Refused(Refusal),
    /// The request did not complete: connection, timeout, or an answer that does not decode.
    Network(String),
}

/// A request body: none, JSON, or JSON with files (multipart, as Discord takes attachments).
pub enum Body<'a> {
    Empty,
    Json(serde_json::Value),
    WithFiles(serde_json::Value, &'a [CreateAttachment]),
}

pub struct Rest {
    client: reqwest::Client,
    base: String,
    /// `Bot …`, as serenity sends it. Never logged: only `Debug` below prints this struct.
    authorization: String,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest").field("base", &self.base).finish()
    }
}

impl Rest {
    /// `authorization` as serenity's `Http::token` gives it (`Bot …`).
    pub fn new(base: &str, authorization: &str) -> Rest {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A proxy that redirects is misconfigured; following would carry the token along.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Rest {
            client,
            base: base.trim_end_matches('/').to_string(),
            authorization: authorization.to_string(),
        }
    }

    fn url(&self, route: Route<'_>) -> String {
        let path = route.path();
        match path.strip_prefix(DISCORD) {
            Some(rest) => format!("{}{rest}", self.base),
            None => path.into_owned(),
        }
    }

    /// Sends one request; a success's body decodes into `T` (`()` for a 204).
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        route: Route<'_>,
        body: Body<'_>,
    ) -> Result<T, RestError> {
        let mut req = self
            .client
            .request(method, self.url(route))
            .header(AUTHORIZATION, &self.authorization)
            .header(USER_AGENT, serenity::constants::USER_AGENT);
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req
                .header(CONTENT_TYPE, "application/json")
                .body(v.to_string()),
            Body::WithFiles(v, files) => {
                let mut form = reqwest::multipart::Form::new();
                for (i, f) in files.iter().enumerate() {
                    let part = reqwest::multipart::Part::bytes(f.data.clone())
                        .file_name(f.filename.clone());
                    form = form.part(format!("files[{i}]"), part);
                }
                req.multipart(form.text("payload_json", v.to_string()))
            }
        };
        let response = req
            .send()
            .await
            .map_err(|e| RestError::Network(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            let bytes = response
                .bytes()
                .await
                .map_err(|e| RestError::Network(e.without_url().to_string()))?;
            // A 204 has no body; `()` decodes from `null`.
            let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(bytes)
                .map_err(|e| RestError::Network(format!("Discord's answer did not decode: {e}")));
        }
        Err(RestError::Refused(refusal(response).await))
    }
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    code: isize,
    #[serde(default)]
    message: String,
    retry_after: Option<f64>,
}

/// Reads a refusal: status, Discord's code and message, and how long a 429 asks to wait.
async fn refusal(mut response: reqwest::Response) -> Refusal {
    let status = response.status();
    let header = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::webhook::retry_after(v, chrono::Utc::now()));
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= LONGEST_REFUSAL {
            bytes.truncate(LONGEST_REFUSAL);
            break;
        }
    }
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
    Refusal {
        status,
        code: body.code,
        message: if body.message.is_empty() {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .into()
        } else {
            body.message
        },
        retry_after: body
            .retry_after
            .and_then(|s| crate::webhook::retry_after(&s.to_string(), chrono::Utc::now()))
            .or(header),
    }
}
