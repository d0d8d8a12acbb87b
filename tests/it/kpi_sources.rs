//! KPI HTTP sources against a local server on 127.0.0.1 (`docs/kpis.md`, "HTTP sources"): a
//! number read at a JSON pointer, retries on 5xx, and every failure kept on the KPI with
//! nothing recorded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use okrbot::service::kpi_sources::Fetched;
use okrbot::service::kpis::KpiInput;
use okrbot::service::Okr;
use okrbot::source::Policy;

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};

/// The source server: one route per behaviour a real endpoint shows.
async fn serve() -> String {
    let flaky = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/ok", get(|| async { r#"{"data": {"rate": 6.4}}"# }))
        .route("/high", get(|| async { r#"{"data": {"rate": 7.9}}"# }))
        .route(
            "/flaky",
            get(move || {
                let n = flaky.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response()
                    } else {
                        r#"{"data": {"rate": 7.1}}"#.into_response()
                    }
                }
            }),
        )
        .route("/string", get(|| async { r#"{"data": {"rate": "6.4"}}"# }))
        .route("/huge", get(|| async { "7".repeat(2 * 1024 * 1024) }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "1"
            }),
        )
        .route(
            "/moved",
            get(|| async { (StatusCode::FOUND, [("location", "/high")]).into_response() }),
        )
        .route(
            "/to-metadata",
            get(|| async {
                let to = "http://169.254.169.254/latest/meta-data/";
                (StatusCode::FOUND, [("location", to)]).into_response()
            }),
        )
        .route(
            "/to-lan",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [("location", "http://10.1.2.3:8080/rate")],
                )
                    .into_response()
            }),
        )
        .route(
            "/auth",
            get(|h: HeaderMap| async move {
                match h.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some("Bearer s3cret") => r#"{"v": 8.2}"#.into_response(),
                    _ => StatusCode::UNAUTHORIZED.into_response(),
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Growth with KPI conversion (percent, healthy at 7 and above) and a service that may reach
/// 127.0.0.1, with short timeouts so failures come quickly.
async fn setup() -> (TestApp, Okr, String) {
    let app = spawn_app().await;
    app.growth().await;
    let mut okr = app.okr.clone();
    okr.set_source_policy(Policy {
        allow_private: true,
        timeout: Duration::from_millis(500),
        backoff: Duration::from_millis(10),
        ..Policy::default()
    });
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
    (app, okr, serve().await)
}

async fn source(okr: &Okr, app: &TestApp, url: &str, header: Option<&str>) {
    okr.kpi_source(
        &app.admin,
        "conversion",
        url,
        Some("/data/rate"),
        None,
        header,
        now(),
    )
    .await
    .unwrap_or_else(|e| panic!("source {url}: {e}"));
}

async fn readings(app: &TestApp) -> i64 {
    app.count("kpi_readings").await
}

#[tokio::test]
async fn a_source_is_read_at_its_pointer_retried_after_a_500_and_followed_through_a_redirect() {
    let (app, okr, base) = setup().await;
    source(&okr, &app, &format!("{base}/flaky"), None).await;
    let Fetched::Read(o) = okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap()
    else {
        panic!("500 then 200 is read");
    };
    assert_eq!(o.kpi.latest.map(|l| l.1), Some(7.1));
    source(&okr, &app, &format!("{base}/moved"), None).await;
    let Fetched::Read(o) = okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap()
    else {
        panic!("a redirect is followed");
    };
    assert_eq!(o.kpi.latest.map(|l| l.1), Some(7.9));
    // A header is sent, and shown masked.
    okr.kpi_source(
        &app.admin,
        "conversion",
        &format!("{base}/auth"),
        Some("/v"),
        None,
        Some("Authorization: Bearer s3cret"),
        now(),
    )
    .await
    .unwrap();
    assert!(matches!(
        okr.kpi_fetch(&app.admin, "conversion", now())
            .await
            .unwrap(),
        Fetched::Read(_)
    ));
    let shown = okr.kpi_show(&app.admin, "conversion", now()).await.unwrap();
    let text = okrbot::console::text::render(&okrbot::render::kpi::detail(&shown));
    assert_mentions(&text, &["Authorization: ••••••", "8.2%"]);
    assert!(!text.contains("s3cret"), "{text}");
    assert_eq!(readings(&app).await, 3);
}

#[tokio::test]
async fn every_bad_answer_is_kept_on_the_kpi_and_records_nothing() {
    let (app, okr, base) = setup().await;
    for (path, says) in [
        ("/string", "is a string, not a number"),
        ("/huge", "larger than 1048576 bytes"),
        ("/slow", "no answer within"),
        ("/ok-not-there", "HTTP 404"),
    ] {
        source(&okr, &app, &format!("{base}{path}"), None).await;
        let fetched = okr
            .kpi_fetch(&app.admin, "conversion", now())
            .await
            .unwrap();
        let Fetched::Failed { error, .. } = fetched else {
            panic!("{path} is not a reading");
        };
        assert_mentions(&error, &[says]);
        let shown = okr.kpi_show(&app.admin, "conversion", now()).await.unwrap();
        let text = okrbot::console::text::render(&okrbot::render::kpi::detail(&shown));
        assert_mentions(&text, &["last fetch failed", says]);
    }
    okr.kpi_source(
        &app.admin,
        "conversion",
        &format!("{base}/ok"),
        Some("/data/missing"),
        None,
        None,
        now(),
    )
    .await
    .unwrap();
    let Fetched::Failed { error, .. } = okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap()
    else {
        panic!("no number at the pointer");
    };
    assert_mentions(&error, &["nothing at /data/missing"]);
    assert_eq!(readings(&app).await, 0);
}

#[tokio::test]
async fn a_private_address_is_refused_unless_allowed_and_bad_urls_are_refused_writing_nothing() {
    let (app, _, base) = setup().await;
    // The plain service: private addresses not allowed.
    app.okr
        .kpi_source(
            &app.admin,
            "conversion",
            &format!("{base}/ok"),
            Some("/data/rate"),
            None,
            None,
            now(),
        )
        .await
        .unwrap();
    let Fetched::Failed { error, .. } = app
        .okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap()
    else {
        panic!("127.0.0.1 is not reachable by default");
    };
    assert_mentions(&error, &["127.0.0.1", "private"]);
    for url in ["ftp://example.com/x", "file:///etc/passwd", "not a url"] {
        let msg = refused_text!(
            app,
            app.okr
                .kpi_source(&app.admin, "conversion", url, None, None, None, now())
        );
        assert_mentions(&msg, &["is not an http(s) URL"]);
    }
    let msg = refused_text!(
        app,
        app.okr.kpi_source(
            &app.admin,
            "conversion",
            "https://example.com",
            Some("data"),
            None,
            None,
            now()
        )
    );
    assert_mentions(&msg, &["not a JSON pointer"]);
    let msg = refused_text!(
        app,
        app.okr.kpi_source(
            &app.admin,
            "conversion",
            "https://example.com",
            None,
            Some("every day"),
            None,
            now()
        )
    );
    assert_mentions(&msg, &["cron:"]);
    let msg = refused_text!(
        app,
        app.okr.kpi_source(
            &app.admin,
            "conversion",
            "https://example.com",
            None,
            None,
            Some("no colon"),
            now()
        )
    );
    assert_mentions(&msg, &["Name: value"]);
}

#[tokio::test]
async fn the_scheduler_reads_due_sources_on_their_cron_and_the_reading_can_alert() {
    let (app, okr, base) = setup().await;
    okr.kpi_source(
        &app.admin,
        "conversion",
        &format!("{base}/ok"),
        Some("/data/rate"),
        Some("0 * * * *"),
        None,
        now(),
    )
    .await
    .unwrap();
    let scheduler = okrbot::scheduler::Scheduler::new(okr.clone());
    let outbox = okrbot::outbox::RecordingOutbox::new();
    // Nothing is due before the next full hour.
    let early = scheduler.decide(now()).await.unwrap();
    assert_eq!(early.sources_read, 0);
    let hour = now() + chrono::Duration::hours(1);
    let report = scheduler.tick(hour, &outbox).await.unwrap();
    assert_eq!((report.sources_read, report.sources_failed), (1, 0));
    let alerts: Vec<_> = outbox
        .take()
        .into_iter()
        .filter(|d| d.kind == okrbot::outbox::DeliveryKind::KpiAlert)
        .collect();
    assert_eq!(alerts.len(), 1, "6.4% is below 7%");
    // The same hour again: claimed already, not read twice.
    let again = scheduler.decide(hour).await.unwrap();
    assert_eq!(again.sources_read, 0);
    assert_eq!(readings(&app).await, 1);
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused_at_that_hop_and_records_nothing() {
    let (app, _, base) = setup().await;
    // Only loopback allowed (a sidecar on the same machine): the tests' own server is reachable,
    // any other private address is not, whichever hop names it.
    let mut okr = app.okr.clone();
    okr.set_source_policy(Policy {
        allow_private: false,
        allow_loopback: true,
        timeout: Duration::from_millis(500),
        backoff: Duration::from_millis(10),
        ..Policy::default()
    });
    source(&okr, &app, &format!("{base}/ok"), None).await;
    let Fetched::Read(outcome) = okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap()
    else {
        panic!("a loopback source is read when loopback is allowed");
    };
    assert_eq!(outcome.kpi.latest.map(|l| l.1), Some(6.4));
    let before = readings(&app).await;
    for (path, private) in [("/to-metadata", "169.254.169.254"), ("/to-lan", "10.1.2.3")] {
        source(&okr, &app, &format!("{base}{path}"), None).await;
        let Fetched::Failed { error, .. } = okr
            .kpi_fetch(&app.admin, "conversion", now())
            .await
            .unwrap()
        else {
            panic!("{path}: a redirect to {private} is followed");
        };
        assert_mentions(&error, &[private, "private"]);
        assert_eq!(readings(&app).await, before, "{path}: nothing recorded");
        let shown = okr.kpi_show(&app.admin, "conversion", now()).await.unwrap();
        let kept = shown.kpi.source.and_then(|s| s.last_error).map(|e| e.1);
        assert!(
            kept.as_deref().is_some_and(|e| e.contains(private)),
            "{path}: the failure is kept on the KPI: {kept:?}"
        );
    }
}

/// What one server was asked: each request's path and headers, in order.
type Seen = Arc<Mutex<Vec<(String, HeaderMap)>>>;

/// A server that notes every request. `/m` answers `{"v": 5}`; `/away` redirects to `other`'s
/// `/m`, `/here` to its own `/m`, `/round` to `other`'s `/away` (and so back here).
async fn noting(listener: tokio::net::TcpListener, other: String) -> Seen {
    let seen = Seen::default();
    let app = Router::new()
        .fallback(
            |State((seen, other)): State<(Seen, String)>, uri: Uri, headers: HeaderMap| async move {
                let path = uri.path().to_owned();
                seen.lock().unwrap().push((path.clone(), headers));
                let to = match path.as_str() {
                    "/m" => return r#"{"v": 5}"#.into_response(),
                    "/away" => format!("{other}/m"),
                    "/here" => "/m".to_owned(),
                    "/round" => format!("{other}/away"),
                    _ => return StatusCode::NOT_FOUND.into_response(),
                };
                (StatusCode::FOUND, [("location", to)]).into_response()
            },
        )
        .with_state((seen.clone(), other));
    tokio::spawn(async move { axum::serve(listener, app).await });
    seen
}

/// The configured headers each request to `path` carried: for each, (Authorization, X-Api-Key).
fn credentials(seen: &Seen, path: &str) -> Vec<(Option<String>, Option<String>)> {
    let value =
        |h: &HeaderMap, name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    seen.lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, h)| (value(h, "authorization"), value(h, "x-api-key")))
        .collect()
}

#[tokio::test]
async fn a_source_s_headers_follow_redirects_within_its_origin_and_never_to_another() {
    let first = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // Same host, another port: another origin.
    let a = format!("http://{}", first.local_addr().unwrap());
    let b = format!("http://{}", second.local_addr().unwrap());
    let seen_a = noting(first, b.clone()).await;
    let seen_b = noting(second, a.clone()).await;
    let headers = vec![
        ("Authorization".to_owned(), "Bearer s3cret".to_owned()),
        ("X-Api-Key".to_owned(), "k3y".to_owned()),
    ];
    let policy = Policy {
        allow_loopback: true,
        timeout: Duration::from_millis(500),
        ..Policy::default()
    };
    let both = (Some("Bearer s3cret".to_owned()), Some("k3y".to_owned()));
    let fetcher = okrbot::source::Fetcher::new(policy);
    let fetch = |path: &str| {
        let url = reqwest::Url::parse(&format!("{a}{path}")).unwrap();
        let (headers, fetcher) = (headers.clone(), fetcher.clone());
        async move { fetcher.fetch(&url, "/v", &headers).await }
    };

    assert_eq!(fetch("/away").await, Ok(5.0));
    assert_eq!(credentials(&seen_a, "/away"), vec![both.clone()]);
    assert_eq!(
        credentials(&seen_b, "/m"),
        vec![(None, None)],
        "another origin gets none of the configured headers"
    );

    assert_eq!(fetch("/here").await, Ok(5.0));
    assert_eq!(credentials(&seen_a, "/here"), vec![both.clone()]);
    assert_eq!(
        credentials(&seen_a, "/m"),
        vec![both.clone()],
        "the same origin keeps them"
    );

    // Away and back: once they left the origin, they are not sent again.
    assert_eq!(fetch("/round").await, Ok(5.0));
    assert_eq!(credentials(&seen_a, "/round"), vec![both]);
    assert_eq!(credentials(&seen_b, "/away"), vec![(None, None)]);
    assert_eq!(credentials(&seen_a, "/m").last(), Some(&(None, None)));
}

/// Sources are read in a lane of their own: a source that takes 3 s to answer no longer holds
/// up a message the ledger owes (an unrelated alert waited 188 s behind 6 hanging sources).
#[tokio::test]
async fn a_slow_source_never_holds_back_a_message_that_is_due() {
    let (app, mut okr, base) = setup().await;
    okr.set_source_policy(Policy {
        allow_private: true,
        timeout: Duration::from_secs(10),
        attempts: 1,
        ..Policy::default()
    });
    okr.kpi_source(
        &app.admin,
        "conversion",
        &format!("{base}/slow"),
        None,
        Some("0 * * * *"),
        None,
        now(),
    )
    .await
    .unwrap();
    let hour = now() + chrono::Duration::hours(1);
    okr.digest_now(&app.admin, "Growth", hour).await.unwrap();
    let clock = okrbot::clock::ManualClock::new(hour);
    let outbox = okrbot::outbox::RecordingOutbox::new();
    let watched = outbox.clone();
    let started = std::time::Instant::now();
    let stop = async move {
        while watched.sent().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    okrbot::scheduler::Scheduler::new(okr.clone())
        .run(&clock, &outbox, stop)
        .await;
    let took = started.elapsed();
    assert_eq!(outbox.sent()[0].kind, okrbot::outbox::DeliveryKind::Digest);
    assert!(
        took < Duration::from_secs(2),
        "the digest waited {took:?} for a source that answers in 3 s"
    );
}

/// A server that answers every path `{"data": {"rate": 6.4}}` and counts the TCP connections it
/// accepts.
async fn counting() -> (String, Arc<AtomicUsize>) {
    use axum::serve::ListenerExt;
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = listener.tap_io(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
    });
    let app = Router::new().fallback(|| async { r#"{"data": {"rate": 6.4}}"# });
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), accepted)
}

/// Every fetch goes through the service's one client: two reads of a source share one
/// connection (each fetch used to build a client of its own, and connect, TLS included, anew).
#[tokio::test]
async fn two_reads_of_a_source_share_one_connection() {
    let (app, okr, _) = setup().await;
    let (base, accepted) = counting().await;
    source(&okr, &app, &format!("{base}/rate"), None).await;
    for n in 0..2 {
        let fetched = okr
            .kpi_fetch(&app.admin, "conversion", now())
            .await
            .unwrap();
        assert!(matches!(fetched, Fetched::Read(_)), "read {n}");
    }
    assert_eq!(readings(&app).await, 2);
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one connection for both"
    );
}

/// The address guard is in the lookup itself: a name that resolves to loopback (`localhost`) is
/// refused unless loopback is allowed, as a literal 127.0.0.1 is, and nothing is recorded.
#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_unless_loopback_is_allowed() {
    let (app, _, base) = setup().await;
    let port = base.rsplit(':').next().unwrap();
    let url = format!("http://localhost:{port}/ok");
    // The plain service: nothing private allowed.
    source(&app.okr, &app, &url, None).await;
    let Fetched::Failed { error, .. } = app
        .okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap()
    else {
        panic!("localhost is not reachable by default");
    };
    assert_mentions(&error, &["localhost resolves to", "private"]);
    assert_eq!(readings(&app).await, 0);

    let mut okr = app.okr.clone();
    okr.set_source_policy(Policy {
        allow_loopback: true,
        timeout: Duration::from_millis(500),
        backoff: Duration::from_millis(10),
        ..Policy::default()
    });
    let fetched = okr
        .kpi_fetch(&app.admin, "conversion", now())
        .await
        .unwrap();
    assert!(matches!(fetched, Fetched::Read(_)), "{fetched:?}");
}
