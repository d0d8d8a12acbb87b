//! The HTTP listener (axum): KPI readings by push (`POST /kpis/<id>/readings` with the KPI's
//! bearer token), `/healthz` (alive), `/readyz` (ready for traffic) and `/metrics` (Prometheus). Runs beside the scheduler in `okrbot run` and
//! `okrbot schedule run`, on `http.listen` (`docs/kpis.md`, "Readings by push").

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::domain::kpi::KpiId;
use crate::service::kpi_push::PushError;
use crate::service::Okr;

#[derive(Clone)]
struct App {
    okr: Okr,
    clock: Arc<dyn Clock + Send + Sync>,
}

/// The routes, for a server of the caller's (the tests bind 127.0.0.1:0).
pub fn router(okr: Okr, clock: Arc<dyn Clock + Send + Sync>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route("/kpis/{id}/readings", post(push))
        .with_state(App { okr, clock })
}

/// Serves on `listen` until `stop` resolves.
pub async fn serve(
    okr: Okr,
    clock: Arc<dyn Clock + Send + Sync>,
    listen: &str,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, "HTTP listener up");
    axum::serve(listener, router(okr, clock))
        .with_graceful_shutdown(stop)
        .await
}

/// 200 while the database answers (and, in `okrbot run`, the gateway is connected); 503 with
/// the reason otherwise.
async fn ready(State(app): State<App>) -> Response {
    match app.okr.ready().await {
        Ok(()) => "ready".into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why).into_response(),
    }
}

/// Prometheus text format (`docs/operations.md`).
async fn metrics(State(app): State<App>) -> Response {
    match app.okr.metrics_text(app.clock.now()).await {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
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

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn push(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<Value>>,
) -> Response {
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized"})),
        )
    };
    // An id that is no number names no KPI: the same answer as a wrong token.
    let Ok(id) = id.parse::<i64>() else {
        return unauthorized().into_response();
    };
    // A missing or malformed body is judged after the token, so it tells an outsider nothing.
    let value = body
        .as_ref()
        .and_then(|Json(b)| b.get("value"))
        .cloned()
        .unwrap_or(Value::Null);
    let result = app
        .okr
        .push_reading(KpiId(id), bearer(&headers), &value, app.clock.now())
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
        Err(PushError::Unauthorized) => unauthorized().into_response(),
        Err(PushError::Bad(why)) => {
            (StatusCode::BAD_REQUEST, Json(json!({"error": why}))).into_response()
        }
        Err(PushError::Failed(e)) => {
            if e.is_internal() {
                tracing::error!(error = ?e, "a pushed reading failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": "something went wrong on our side"})),
                )
                    .into_response()
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": e.to_string()})),
                )
                    .into_response()
            }
        }
    }
}
