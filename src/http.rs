//! The HTTP listener (axum on hyper): KPI readings by push (`POST /kpis/<id>/readings` with the
//! KPI's bearer token), `/healthz` (alive), `/readyz` (ready for traffic) and `/metrics`
//! (Prometheus). Runs beside the scheduler in `okrbot run` and `okrbot schedule run`, on
//! `http.listen` (`docs/kpis.md`, "Readings by push"), within the [`Limits`] of
//! `docs/operations.md`, "The listener's limits".

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::clock::Clock;
use crate::config;
use crate::domain::model::KpiId;
use crate::service::kpi_push::{BodyError, PushError};
use crate::service::Okr;

/// The most of a pushed body that is kept: `{"value": 6.4}` needs a few bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A body over [`BODY_LIMIT`] but under this is still read to its end (and dropped), so that the
/// client, which is still sending, hears its answer instead of a reset connection; a longer one
/// is cut off.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// The challenge every 401 carries (RFC 6750, section 3).
const CHALLENGE: &str = "Bearer realm=\"okrbot\"";

/// How the listener keeps slow, idle and numerous clients from holding it (`http` in the
/// configuration; `docs/operations.md`, "The listener's limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's line and headers, counted from the moment
    /// the listener waits for them: on a new connection, and on a kept-alive one after each
    /// answer. So it also closes a connection that sits idle, opened or kept alive.
    pub header_timeout: Duration,
    /// How long a pushed body may take to arrive once its headers have.
    pub body_timeout: Duration,
    /// Connections served at once. Further clients wait in the kernel's accept queue, holding
    /// no file descriptor of the process, until the timeouts free a place.
    pub max_connections: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from(&config::Http::default())
    }
}

impl From<&config::Http> for Limits {
    fn from(http: &config::Http) -> Self {
        Limits {
            header_timeout: Duration::from_millis(http.header_timeout_ms.max(1)),
            body_timeout: Duration::from_millis(http.body_timeout_ms.max(1)),
            max_connections: http.max_connections.max(1),
        }
    }
}

#[derive(Clone)]
struct App {
    okr: Okr,
    clock: Arc<dyn Clock + Send + Sync>,
    limits: Limits,
}

/// The routes, for a server of the caller's; [`serve_on`] serves them within the limits.
pub fn router(okr: Okr, clock: Arc<dyn Clock + Send + Sync>, limits: Limits) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route(
            "/kpis/{id}/readings",
            post(push).fallback(push_wrong_method),
        )
        .with_state(App { okr, clock, limits })
}

/// Serves on `http.listen` until `stop` resolves.
pub async fn serve(
    okr: Okr,
    clock: Arc<dyn Clock + Send + Sync>,
    http: &config::Http,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(&http.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "HTTP listener up");
    serve_on(listener, okr, clock, Limits::from(http), stop).await
}

/// Serves on a bound listener (the tests bind 127.0.0.1:0) until `stop` resolves, then lets the
/// requests in flight finish. axum's own `serve` has no header timeout and no connection limit,
/// so connections are served by hyper here, each under a slot of a semaphore.
pub async fn serve_on(
    listener: TcpListener,
    okr: Okr,
    clock: Arc<dyn Clock + Send + Sync>,
    limits: Limits,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(okr, clock, limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    // Never sent on: dropping it tells every connection that the listener is stopping.
    let (stopping, _) = watch::channel(());
    let mut stop = std::pin::pin!(stop);
    loop {
        // A slot before the connection: over the limit, a client waits in the accept queue
        // instead of taking a file descriptor here.
        let slot = tokio::select! {
            () = &mut stop => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors, most likely: retrying at once would spin.
                    tracing::error!(error = %e, "the HTTP listener cannot accept connections");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(app.clone());
        let mut stopping = stopping.subscribe();
        tokio::spawn(async move {
            let _slot = slot;
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            let mut conn = std::pin::pin!(http.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                ended = conn.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(error = %e, "an HTTP connection ended");
                    }
                    return;
                }
                _ = stopping.changed() => {}
            }
            // Stopping: an idle connection closes now, one with a request in flight after its
            // answer.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    drop(stopping);
    // Every connection has ended once every slot is back.
    let _ = slots.acquire_many(limits.max_connections).await;
    Ok(())
}

/// An accept that failed for that one connection (the client gave up before it was taken).
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// 200 while the database answers (and, in `okrbot run`, the gateway is connected); 503 with
/// the reason otherwise.
async fn ready(State(app): State<App>) -> Response {
    match app.okr.ready().await {
        Ok(what) => what.into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why).into_response(),
    }
}

/// Prometheus metrics (`docs/operations.md`): OpenMetrics to a scraper that asks for it, the
/// classic text format (0.0.4) to anyone else.
async fn metrics(State(app): State<App>, headers: HeaderMap) -> Response {
    match app.okr.metrics_text(app.clock.now()).await {
        Ok(text) => {
            let (content_type, text) = if wants_openmetrics(&headers) {
                (crate::metrics::OPENMETRICS_CONTENT_TYPE, text)
            } else {
                (
                    crate::metrics::CLASSIC_CONTENT_TYPE,
                    crate::metrics::classic(&text),
                )
            };
            // Vary: a cache in between must not hand one format to a client asking for the other.
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::VARY, "accept"),
                ],
                text,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = ?e, "metrics could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
                .into_response()
        }
    }
}

/// Whether the `Accept` header asks for OpenMetrics: it names `application/openmetrics-text`
/// with a quality above 0 and not below the one it gives `text/plain`. Prometheus sends
/// `application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,*/*;q=0.1`; no
/// Accept, `text/plain` or `*/*` get the classic format, which every scraper reads.
fn wants_openmetrics(headers: &HeaderMap) -> bool {
    let (mut openmetrics, mut plain) = (0.0f32, 0.0f32);
    let ranges = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for range in ranges {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, q)| q.trim().parse::<f32>().unwrap_or(0.0));
        if media.eq_ignore_ascii_case("application/openmetrics-text") {
            openmetrics = openmetrics.max(quality);
        } else if media.eq_ignore_ascii_case("text/plain") {
            plain = plain.max(quality);
        }
    }
    openmetrics > 0.0 && openmetrics >= plain
}

/// The token of an `Authorization: Bearer <token>` header. The scheme is case-insensitive
/// (RFC 9110, section 11.1) and may be followed by more than one space.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The same answer for a wrong token, none, a KPI that does not exist and an id that is no
/// number: an outsider learns nothing.
fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, CHALLENGE)],
        Json(json!({"error": "unauthorized"})),
    )
        .into_response()
}

fn json_error(status: StatusCode, why: impl std::fmt::Display) -> Response {
    (status, Json(json!({"error": why.to_string()}))).into_response()
}

/// Every answer of the push path is JSON, a wrong method's too (axum adds `Allow: POST`).
async fn push_wrong_method() -> Response {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "readings are pushed with POST",
    )
}

/// Whether the request says its body is JSON: `application/json` or `application/<x>+json`,
/// with any parameters, as axum's `Json` takes it.
fn says_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// The body as JSON, or why not. Read whole (within [`DRAIN_LIMIT`] and the body timeout)
/// whatever it holds, and judged by the service only after the token.
async fn json_body(headers: &HeaderMap, body: Body, timeout: Duration) -> Result<Value, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
        return Err(BodyError::TooLarge(BODY_LIMIT));
    }
    let mut kept = Vec::new();
    let mut seen = 0usize;
    let read = async {
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| BodyError::Unreadable(e.to_string()))?;
            seen += chunk.len();
            if seen > DRAIN_LIMIT {
                return Err(BodyError::TooLarge(BODY_LIMIT));
            }
            if seen <= BODY_LIMIT {
                kept.extend_from_slice(&chunk);
            }
        }
        Ok(())
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| BodyError::TimedOut(timeout))??;
    if !says_json(headers) {
        return Err(BodyError::NotJson);
    }
    if seen > BODY_LIMIT {
        return Err(BodyError::TooLarge(BODY_LIMIT));
    }
    serde_json::from_slice(&kept).map_err(|e| BodyError::Malformed(e.to_string()))
}

/// `POST /kpis/<id>/readings`. Takes the raw body, not axum's `Json`, whose rejections would
/// answer a caller without a token before the token is judged, and in plain text.
async fn push(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = json_body(&headers, body, app.limits.body_timeout).await;
    // An id that is no number names no KPI: the same answer as a wrong token.
    let Some(id) = id.ok().and_then(|Path(id)| id.parse::<i64>().ok()) else {
        return unauthorized();
    };
    let result = app
        .okr
        .push_reading(KpiId(id), bearer(&headers), body, app.clock.now())
        .await;
    match result {
        Ok(o) => (
            StatusCode::OK,
            Json(json!({
                "kpi": o.kpi.name,
                "value": o.kpi.latest.map(|l| l.1),
                "in_range": !o.kpi.alerting,
                "alert_opened": o.alert_opened,
                "resolved": o.resolved,
            })),
        )
            .into_response(),
        Err(PushError::Unauthorized) => unauthorized(),
        Err(PushError::Bad(why)) => json_error(StatusCode::BAD_REQUEST, why),
        Err(PushError::Body(e)) => {
            let status = match e {
                BodyError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                BodyError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
                BodyError::Malformed(_) | BodyError::Unreadable(_) => StatusCode::BAD_REQUEST,
            };
            json_error(status, e)
        }
        Err(PushError::Failed(e)) => {
            if e.is_internal() {
                tracing::error!(error = ?e, "a pushed reading failed");
                json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "something went wrong on our side",
                )
            } else {
                json_error(StatusCode::BAD_REQUEST, e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT, v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn openmetrics_is_answered_to_a_scraper_that_names_it_and_the_classic_format_to_others() {
        for asks_openmetrics in [
            "application/openmetrics-text",
            "Application/OpenMetrics-Text; version=1.0.0",
            // What Prometheus sends.
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            "text/plain;q=0.5, application/openmetrics-text;q=0.9",
        ] {
            assert!(wants_openmetrics(&accept(&[asks_openmetrics])), "{asks_openmetrics}");
        }
        assert!(wants_openmetrics(&accept(&[
            "text/html",
            "application/openmetrics-text"
        ])));
        for asks_classic in [
            "text/plain",
            "*/*",
            "text/plain;version=0.0.4",
            "application/openmetrics-text;q=0",
            "application/openmetrics-text;q=0.2, text/plain",
            "application/json",
        ] {
            assert!(
                !wants_openmetrics(&accept(&[asks_classic])),
                "{asks_classic}"
            );
        }
        assert!(!wants_openmetrics(&HeaderMap::new()), "no Accept");
    }

    #[test]
    fn the_bearer_token_is_read_whatever_the_case_of_the_scheme() {
        let auth = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().unwrap());
            h
        };
        assert_eq!(bearer(&auth("Bearer okr_1")), Some("okr_1"));
        assert_eq!(bearer(&auth("bearer okr_1")), Some("okr_1"));
        assert_eq!(bearer(&auth("BEARER   okr_1")), Some("okr_1"));
        assert_eq!(bearer(&auth("Basic okr_1")), None);
        assert_eq!(bearer(&auth("Bearer")), None);
        assert_eq!(bearer(&auth("Bearer   ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
