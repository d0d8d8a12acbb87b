//! Health and metrics on the HTTP listener (`docs/operations.md`): `/healthz`, `/readyz` and a
//! Prometheus scrape of `/metrics` after a check-in, a KPI reading and deliveries.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use okrbot::clock::ManualClock;
use okrbot::http::Limits;
use okrbot::outbox::RecordingOutbox;
use okrbot::scheduler::Scheduler;
use okrbot::service::kpis::KpiInput;
use okrbot::service::Okr;

use crate::common::{now, spawn_app};

async fn listen(okr: Okr) -> String {
    listen_at(okr, now()).await
}

/// The listener on 127.0.0.1, its clock at `at`: its base URL.
async fn listen_at(okr: Okr, at: chrono::DateTime<chrono::Utc>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(ManualClock::new(at));
    let (limits, stop) = (Limits::default(), std::future::pending());
    tokio::spawn(okrbot::http::serve_on(listener, okr, clock, limits, stop));
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
    let later = listen_at(okr.clone(), clock_later).await;
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
    assert!(text.contains("# TYPE okrbot_kpi_source_fetch_failures_total counter"));
}

/// A scrape with `accept` (no Accept header for `None`): the content type and the text.
async fn scrape(url: &str, accept: Option<&str>) -> (String, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(a) = accept {
        request = request.header("accept", a);
    }
    let r = request.send().await.expect("the listener answers");
    assert_eq!(r.status(), 200);
    let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
    (content_type, r.text().await.unwrap())
}

/// What Prometheus itself sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

#[tokio::test]
async fn metrics_answer_the_classic_text_format_unless_openmetrics_is_asked_for() {
    let app = spawn_app().await;
    let base = listen(app.okr.clone()).await;
    let url = format!("{base}/metrics");
    for accept in [
        None,
        Some("text/plain"),
        Some("*/*"),
        Some("text/plain;version=0.0.4"),
    ] {
        let (content_type, text) = scrape(&url, accept).await;
        assert_eq!(
            content_type, "text/plain; version=0.0.4; charset=utf-8",
            "{accept:?}"
        );
        assert!(!text.contains("# EOF"), "{accept:?}: {text}");
        assert!(
            text.contains("# TYPE okrbot_check_ins_recorded_total counter\n"),
            "{accept:?}: {text}"
        );
        assert_eq!(sample(&text, "okrbot_check_ins_recorded_total"), Some(0.0));
    }
    for accept in [PROMETHEUS_ACCEPT, "application/openmetrics-text"] {
        let (content_type, text) = scrape(&url, Some(accept)).await;
        assert_eq!(
            content_type,
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        assert!(
            text.ends_with("# EOF\n"),
            "OpenMetrics text ends with # EOF"
        );
        assert!(text.contains("# TYPE okrbot_check_ins_recorded counter\n"));
        assert_eq!(sample(&text, "okrbot_check_ins_recorded_total"), Some(0.0));
    }
}

/// Runs `program` with `input` on its standard input: whether it succeeded, and what it said.
/// A checker that is not installed fails the test (`.ci/run` installs both).
fn run_checker(program: &str, args: &[&str], input: &str) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{program} cannot run ({e}): install the packages prometheus and \
                 python3-prometheus-client, as .ci/run does"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// The reference parser of OpenMetrics, the Python client's (prometheus-client's own tests use
/// it); it prints the families it read.
const OPENMETRICS_PARSER: &str = "import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    print(family.name, family.type, len(family.samples))";

#[tokio::test]
async fn both_formats_of_metrics_pass_their_reference_checkers() {
    let app = spawn_app().await;
    app.growth().await;
    let okr = app.okr.clone();
    // A figure of every kind, labels included: a counter, a pending delivery (labelled gauge),
    // a delivery settled (labelled counter) and an interaction (histogram).
    app.update("GRO-1.1 10 c7").await.unwrap();
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();
    okr.metrics()
        .interaction("form", std::time::Duration::from_millis(40));
    let base = listen(okr.clone()).await;
    let url = format!("{base}/metrics");
    let (_, classic) = scrape(&url, None).await;
    assert!(classic.contains(r#"okrbot_deliveries_pending{kind="digest",platform="chat"} 1"#));
    Scheduler::new(okr.clone())
        .tick(now(), &RecordingOutbox::new())
        .await
        .unwrap();
    let (_, after) = scrape(&url, None).await;
    assert!(after.contains("okrbot_interaction_duration_seconds_bucket{"));
    assert!(after.contains(r#"okrbot_deliveries_total{kind="digest""#));

    // promtool parses the classic format and lints it: no output is a clean bill.
    for text in [&classic, &after] {
        let (ok, said) = run_checker("promtool", &["check", "metrics"], text);
        assert!(ok && said.trim().is_empty(), "promtool: {said}\n{text}");
    }
    // promtool reads only the classic format (OpenMetrics counters look to it like families
    // without help), so OpenMetrics goes through its reference parser, which refuses a missing
    // # EOF, a sample outside its family, a bad escape or a bucket out of order.
    let (_, openmetrics) = scrape(&url, Some(PROMETHEUS_ACCEPT)).await;
    let (ok, said) = run_checker(
        "/usr/bin/python3",
        &["-c", OPENMETRICS_PARSER],
        &openmetrics,
    );
    assert!(ok, "the OpenMetrics parser: {said}\n{openmetrics}");
    for family in [
        "okrbot_deliveries counter 1",
        "okrbot_check_ins_recorded counter 1",
        "okrbot_interaction_duration_seconds histogram",
    ] {
        assert!(said.contains(family), "{family}: {said}");
    }
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
