//! Readings by push (`docs/kpis.md`, "Readings by push"): `POST /kpis/<id>/readings` with the
//! KPI's bearer token, against the listener on 127.0.0.1.

use std::sync::Arc;

use okrbot::clock::ManualClock;
use okrbot::http::Limits;
use okrbot::service::kpis::KpiInput;
use serde_json::{json, Value};

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};

async fn setup() -> (TestApp, String, String, String) {
    setup_with(Limits::default()).await
}

/// A KPI with its push token, and the listener on 127.0.0.1 within `limits`: (app, base URL,
/// push URL, token).
async fn setup_with(limits: Limits) -> (TestApp, String, String, String) {
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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(ManualClock::new(now()));
    let stop = std::future::pending();
    tokio::spawn(okrbot::http::serve_on(
        listener,
        app.okr.clone(),
        clock,
        limits,
        stop,
    ));
    let url = format!("{base}{}", okrbot::service::kpi_push::push_path(kpi.id));
    (app, base, url, token)
}

async fn post(url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut headers = vec![("content-type", "application/json".to_owned())];
    if let Some(t) = token {
        headers.push(("authorization", format!("Bearer {t}")));
    }
    let answer = send(reqwest::Method::POST, url, &headers, body.to_string()).await;
    (answer.status, answer.json)
}

/// What the listener answered: the status, the headers a test looks at, and the body as JSON
/// (`Value::Null` when it is not JSON).
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    www_authenticate: String,
    allow: String,
    json: Value,
}

async fn send(
    method: reqwest::Method,
    url: &str,
    headers: &[(&str, String)],
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut r = reqwest::Client::new().request(method, url).body(body);
    for (name, value) in headers {
        r = r.header(*name, value);
    }
    let resp = r.send().await.expect("the listener answers");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let (content_type, www_authenticate, allow) = (
        header("content-type"),
        header("www-authenticate"),
        header("allow"),
    );
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    Answer {
        status,
        content_type,
        www_authenticate,
        allow,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// Bodies that are not a JSON reading, each with the content type it is sent with (none for
/// `None`), and the status and words the right token gets for it.
fn bodies_that_are_not_json() -> Vec<(Option<&'static str>, String, u16, &'static str)> {
    let json = Some("application/json");
    vec![
        (json, "{\"value\": 6.4".into(), 400, "not valid JSON"),
        (json, "value=6.4".into(), 400, "not valid JSON"),
        (json, String::new(), 400, "not valid JSON"),
        (
            Some("text/plain"),
            "{\"value\": 6.4}".into(),
            415,
            "Content-Type: application/json",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            "value=6.4".into(),
            415,
            "Content-Type: application/json",
        ),
        (
            None,
            "{\"value\": 6.4}".into(),
            415,
            "Content-Type: application/json",
        ),
        (
            json,
            format!("{{\"value\": 6.4, \"pad\": \"{}\"}}", "x".repeat(70_000)),
            413,
            "too large",
        ),
    ]
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
    let shown = app
        .okr
        .kpi_show(&app.admin, "conversion", now())
        .await
        .unwrap();
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
    assert_eq!(wrong.1, json!({"error": "unauthorized"}));
    assert_eq!(app.count("kpi_readings").await, 0);
}

#[tokio::test]
async fn without_the_right_token_a_body_that_is_no_json_reading_gets_the_same_401_as_any() {
    let (app, base, url, _) = setup().await;
    let before = app.rows().await;
    let unknown = format!("{base}/kpis/999/readings");
    let no_number = format!("{base}/kpis/abc/readings");
    for (content_type, body, _, _) in bodies_that_are_not_json() {
        for (to, token) in [
            (&url, None),
            (&url, Some("okr_nope")),
            (&unknown, Some("okr_nope")),
            (&no_number, None),
        ] {
            let mut headers = vec![];
            if let Some(t) = content_type {
                headers.push(("content-type", t.to_owned()));
            }
            if let Some(t) = token {
                headers.push(("authorization", format!("Bearer {t}")));
            }
            let answer = send(reqwest::Method::POST, to, &headers, body.clone()).await;
            let what = format!("{content_type:?} {:.40} to {to} with {token:?}", body);
            assert_eq!(answer.status, 401, "{what}: {answer:?}");
            assert_eq!(answer.json, json!({"error": "unauthorized"}), "{what}");
            assert_eq!(answer.content_type, "application/json", "{what}");
            assert_eq!(answer.www_authenticate, "Bearer realm=\"okrbot\"", "{what}");
        }
    }
    assert_eq!(app.rows().await, before, "nothing is written");
}

#[tokio::test]
async fn with_the_right_token_a_body_that_is_no_json_reading_gets_a_json_answer_saying_why() {
    let (app, _, url, token) = setup().await;
    let before = app.rows().await;
    for (content_type, body, status, says) in bodies_that_are_not_json() {
        let mut headers = vec![("authorization", format!("Bearer {token}"))];
        if let Some(t) = content_type {
            headers.push(("content-type", t.to_owned()));
        }
        let answer = send(reqwest::Method::POST, &url, &headers, body.clone()).await;
        let what = format!("{content_type:?} {:.40}", body);
        assert_eq!(answer.status, status, "{what}: {answer:?}");
        assert_eq!(answer.content_type, "application/json", "{what}");
        assert_mentions(answer.json["error"].as_str().unwrap_or_default(), &[says]);
    }
    assert_eq!(app.rows().await, before, "nothing is written");
}

#[tokio::test]
async fn the_push_path_answers_another_method_with_a_json_405_naming_post() {
    let (_, _, url, token) = setup().await;
    for method in [reqwest::Method::GET, reqwest::Method::PUT] {
        let answer = send(
            method.clone(),
            &url,
            &[("authorization", format!("Bearer {token}"))],
            "",
        )
        .await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.allow, "POST", "{method}");
        assert_eq!(answer.content_type, "application/json", "{method}");
        assert_mentions(answer.json["error"].as_str().unwrap_or_default(), &["POST"]);
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_taken_in_any_case_and_with_spaces_before_the_token() {
    let (app, _, url, token) = setup().await;
    for authorization in [
        format!("bearer {token}"),
        format!("BEARER {token}"),
        format!("beArer    {token}"),
    ] {
        let headers = [
            ("content-type", "application/json".to_owned()),
            ("authorization", authorization.clone()),
        ];
        let answer = send(reqwest::Method::POST, &url, &headers, r#"{"value": 8}"#).await;
        assert_eq!(answer.status, 200, "{authorization}: {answer:?}");
    }
    for authorization in [format!("Basic {token}"), format!("Bearer{token}"), token] {
        let headers = [
            ("content-type", "application/json".to_owned()),
            ("authorization", authorization.clone()),
        ];
        let answer = send(reqwest::Method::POST, &url, &headers, r#"{"value": 8}"#).await;
        assert_eq!(answer.status, 401, "{authorization}");
        assert_eq!(answer.www_authenticate, "Bearer realm=\"okrbot\"");
    }
    assert_eq!(app.count("kpi_readings").await, 3);
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

/// Sends `head` and the start of a body on a raw connection, then nothing more, and returns the
/// status line and body of the answer (or `None` if none came within 5 s).
async fn answer_to_a_stalled_body(base: &str, head: String) -> Option<(String, Value)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"{\"value\"").await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    read.ok()?.ok()?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_a_408_after_the_body_timeout_and_writes_nothing() {
    let limits = Limits {
        body_timeout: std::time::Duration::from_millis(300),
        ..Limits::default()
    };
    let (app, base, url, token) = setup_with(limits).await;
    let path = url.trim_start_matches(&base).to_owned();
    let before = app.rows().await;
    let head = |authorization: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: 20\r\nAuthorization: {authorization}\r\n\r\n"
        )
    };

    let (status, body) = answer_to_a_stalled_body(&base, head(&format!("Bearer {token}")))
        .await
        .expect("an answer once the body timeout passes, not a connection held open");
    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    assert_mentions(body["error"].as_str().unwrap_or_default(), &["300 ms"]);

    // Without the right token, the same wait ends in the same 401 as any.
    let (status, body) = answer_to_a_stalled_body(&base, head("Bearer okr_nope"))
        .await
        .expect("an answer");
    assert!(status.starts_with("HTTP/1.1 401"), "{status}");
    assert_eq!(body, json!({"error": "unauthorized"}));
    assert_eq!(app.rows().await, before, "nothing is written");
}
