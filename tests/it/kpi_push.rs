//! Readings by push (`docs/kpis.md`, "Readings by push"): `POST /kpis/<id>/readings` with the
//! KPI's bearer token, against the listener on 127.0.0.1.

use std::sync::Arc;

use okrbot::clock::ManualClock;
use okrbot::service::kpis::KpiInput;
use serde_json::{json, Value};

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};

async fn setup() -> (TestApp, String, String, String) {
    let app = spawn_app().await;
    app.growth().await;
    let (_, kpi) = app
        .okr
        .kpi_add(
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
    let (_, token) = app.okr.kpi_token(&app.admin, "conversion").await.unwrap();
    let router = okrbot::http::router(app.okr.clone(), Arc::new(ManualClock::new(now())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let url = format!("{base}{}", okrbot::service::kpi_push::push_path(kpi.id));
    (app, base, url, token)
}

async fn post(url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.expect("the listener answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_push_with_its_token_records_a_reading_and_can_alert() {
    let (app, _, url, token) = setup().await;
    let (status, body) = post(&url, Some(&token), json!({"value": 6.4})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"], 6.4);
    assert_eq!(body["alert_opened"], true);
    let (status, body) = post(&url, Some(&token), json!({"value": "7.5%"})).await;
    assert_eq!((status, body["resolved"].clone()), (200, json!(true)));
    let shown = app.okr.kpi_show(&app.admin, "conversion").await.unwrap();
    assert_eq!(shown.readings.len(), 2);
    assert_eq!(shown.readings[0].source.as_str(), "push");
}

#[tokio::test]
async fn a_wrong_token_and_an_unknown_kpi_get_the_same_401_and_record_nothing() {
    let (app, base, url, _) = setup().await;
    let wrong = post(&url, Some("okr_nope"), json!({"value": 6.4})).await;
    let none = post(&url, None, json!({"value": 6.4})).await;
    let unknown = post(
        &format!("{base}/kpis/999/readings"),
        Some("okr_nope"),
        json!({"value": 1}),
    )
    .await;
    let garbage = post(
        &format!("{base}/kpis/abc/readings"),
        Some("x"),
        json!({"value": 1}),
    )
    .await;
    for answer in [&wrong, &none, &unknown, &garbage] {
        assert_eq!(answer.0, 401);
        assert_eq!(answer.1, wrong.1, "one answer for all");
    }
    assert_eq!(app.count("kpi_readings").await, 0);
}

#[tokio::test]
async fn a_bad_body_with_the_right_token_is_a_clear_400_and_records_nothing() {
    let (app, _, url, token) = setup().await;
    for (body, says) in [
        (json!({"value": "NaN"}), "not a finite number"),
        (json!({"value": "5 hours"}), "measured in percent"),
        (json!({"value": true}), "{\"value\": <number>}"),
        (json!({"reading": 6.4}), "{\"value\": <number>}"),
        (json!({"value": 1e300}), "finite number within limits"),
    ] {
        let (status, answer) = post(&url, Some(&token), body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_mentions(answer["error"].as_str().unwrap_or_default(), &[says]);
    }
    assert_eq!(app.count("kpi_readings").await, 0);
}

#[tokio::test]
async fn a_new_token_replaces_the_old_and_only_a_lead_makes_one() {
    let (app, _, url, old) = setup().await;
    let (_, new) = app.okr.kpi_token(&app.admin, "conversion").await.unwrap();
    assert_ne!(old, new);
    assert_eq!(post(&url, Some(&old), json!({"value": 8})).await.0, 401);
    assert_eq!(post(&url, Some(&new), json!({"value": 8})).await.0, 200);
    let msg = refused_text!(app, app.okr.kpi_token(&app.user("bob"), "conversion"));
    assert_mentions(&msg, &["create KPI push tokens"]);
}
