//! Health and metrics on the HTTP listener (`docs/operations.md`): `/healthz`, `/readyz` and a
//! Prometheus scrape of `/metrics` after a check-in, a KPI reading and deliveries.

use std::sync::Arc;

use okrbot::clock::ManualClock;
use okrbot::outbox::RecordingOutbox;
use okrbot::scheduler::Scheduler;
use okrbot::service::kpis::KpiInput;
use okrbot::service::Okr;

use crate::common::{now, spawn_app};

async fn listen(okr: Okr) -> String {
    let router = okrbot::http::router(okr, Arc::new(ManualClock::new(now())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.expect("the listener answers");
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of the sample named exactly `series` (name and labels as written).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

#[tokio::test]
async fn metrics_count_check_ins_readings_and_deliveries_and_show_what_the_ledger_owes() {
    let app = spawn_app().await;
    app.growth().await;
    let okr = app.okr.clone();
    let base = listen(okr.clone()).await;

    let (status, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(sample(&text, "okrbot_check_ins_recorded_total"), Some(0.0));
    assert_eq!(
        sample(&text, "okrbot_oldest_pending_delivery_age_seconds"),
        Some(0.0)
    );
    assert!(
        text.ends_with("# EOF\n"),
        "OpenMetrics text ends with # EOF"
    );

    app.update("GRO-1.1 10 c7").await.unwrap();
    okr.kpi_add(
        &app.admin,
        KpiInput {
            team: "Growth".into(),
            name: "conversion".into(),
            unit: Some("percent".into()),
            min: Some("7".into()),
            ..Default::default()
        },
        now(),
    )
    .await
    .unwrap();
    okr.kpi_set(&app.admin, "conversion", "8%", now())
        .await
        .unwrap();
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();

    // Owed, not yet sent: the ledger shows it, 10 minutes old at the scrape.
    let clock_later = now() + chrono::Duration::minutes(10);
    let router = okrbot::http::router(okr.clone(), Arc::new(ManualClock::new(clock_later)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let later = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (_, text) = get(&format!("{later}/metrics")).await;
    assert_eq!(
        sample(
            &text,
            r#"okrbot_deliveries_pending{kind="digest",platform="chat"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "okrbot_oldest_pending_delivery_age_seconds"),
        Some(600.0)
    );

    Scheduler::new(okr.clone())
        .tick(now(), &RecordingOutbox::new())
        .await
        .unwrap();
    let (_, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(
        sample(&text, "okrbot_check_ins_recorded_total"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "okrbot_kpi_readings_recorded_total"),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"okrbot_deliveries_total{kind="digest",platform="chat",outcome="sent"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"okrbot_deliveries_pending{kind="digest",platform="chat"}"#
        ),
        None
    );
    assert_eq!(
        sample(&text, "okrbot_scheduler_last_tick_timestamp_seconds"),
        Some(now().timestamp() as f64)
    );
    assert!(text.contains("# TYPE okrbot_interaction_duration_seconds histogram"));
    assert!(text.contains("# TYPE okrbot_kpi_source_fetch_failures counter"));
}

#[tokio::test]
async fn readyz_answers_while_the_database_does_and_waits_for_a_gateway_where_there_is_one() {
    let app = spawn_app().await;
    let base = listen(app.okr.clone()).await;
    assert_eq!(get(&format!("{base}/healthz")).await, (200, "ok".into()));
    assert_eq!(get(&format!("{base}/readyz")).await.0, 200);

    // okrbot run: not ready until its gateway connects, and again when it drops.
    app.okr.metrics().set_gateway(false);
    let (status, why) = get(&format!("{base}/readyz")).await;
    assert_eq!(
        (status, why.as_str()),
        (503, "the Discord gateway is not connected")
    );
    app.okr.metrics().set_gateway(true);
    assert_eq!(get(&format!("{base}/readyz")).await.0, 200);

    app.okr.store().close().await;
    let (status, why) = get(&format!("{base}/readyz")).await;
    assert_eq!(status, 503);
    assert!(why.contains("database"), "{why}");
    assert!(
        get(&format!("{base}/healthz")).await.0 == 200,
        "alive all the same"
    );
}
