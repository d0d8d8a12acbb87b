//! Team webhooks against a local server on 127.0.0.1 that captures what each platform would
//! receive (`docs/webhooks.md`): the commands and their refusals, each platform's payload with
//! the fields it documents as required, and how 429, 5xx, a timeout and 410 are handled.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use chrono::DateTime;
use chrono::Utc;
use okrbot::outbox::{Delivery, DeliveryKind, Outbox, Recipient, RecordingOutbox, SendError, Sent};
use okrbot::scheduler::Scheduler;
use okrbot::service::Okr;
use okrbot::source::Policy;
use okrbot::webhook::Settings;
use serde_json::Value;

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};

/// One post as the server saw it.
#[derive(Debug, Clone)]
struct Hit {
    route: String,
    body: Value,
    at: Instant,
    /// The `X-Okrbot-Delivery` header: the ledger row's id.
    delivery: Option<String>,
}

#[derive(Clone, Default)]
struct Server {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// `/flip` answers 410 while this holds.
    flip_gone: Arc<AtomicBool>,
    base: String,
}

impl Server {
    fn hits(&self, route: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.route == route)
            .cloned()
            .collect()
    }

    fn url(&self, route: &str) -> String {
        format!("{}/hooks/{route}", self.base)
    }
}

async fn hook(
    State(s): State<Server>,
    Path(route): Path<String>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> axum::response::Response {
    let first = {
        let mut hits = s.hits.lock().unwrap();
        let first = !hits.iter().any(|h| h.route == route);
        hits.push(Hit {
            route: route.clone(),
            body,
            at: Instant::now(),
            delivery: headers
                .get("x-okrbot-delivery")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        });
        first
    };
    // `/limited-<secs>` answers its first post 429 with that Retry-After; `/limited-date` with
    // the date 40 s after the tests' `now()`.
    if let (true, Some(after)) = (first, route.strip_prefix("limited-")) {
        let after = match after {
            "date" => "Mon, 16 Nov 2026 10:00:40 GMT",
            secs => secs,
        };
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", after.to_owned())],
            "slow down",
        )
            .into_response();
    }
    match route.as_str() {
        "down" => (StatusCode::BAD_GATEWAY, "down").into_response(),
        "gone" => (StatusCode::GONE, "channel_is_archived").into_response(),
        "flip" if s.flip_gone.load(Ordering::SeqCst) => {
            (StatusCode::NOT_FOUND, "no_service").into_response()
        }
        "bad" => (StatusCode::BAD_REQUEST, "invalid_blocks").into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "ok".into_response()
        }
        "slow-6" => {
            tokio::time::sleep(Duration::from_secs(6)).await;
            "ok".into_response()
        }
        // Teams' Workflows answer 202.
        "teams" => StatusCode::ACCEPTED.into_response(),
        _ => "ok".into_response(),
    }
}

async fn serve() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut server = Server {
        base: format!("http://{}", listener.local_addr().unwrap()),
        ..Server::default()
    };
    server.flip_gone.store(true, Ordering::SeqCst);
    let app = Router::new()
        .route("/hooks/{route}", post(hook))
        .with_state(server.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    server.base = server.base.clone();
    server
}

/// Growth, a server, and a service that may reach 127.0.0.1 with a quick timeout and pace.
async fn setup() -> (TestApp, Okr, Server) {
    let app = spawn_app().await;
    app.growth().await;
    let mut okr = app.okr.clone();
    okr.set_source_policy(Policy {
        allow_private: true,
        ..Policy::default()
    });
    okr.set_webhook_settings(Settings {
        pace: Duration::from_millis(150),
        timeout: Duration::from_millis(1500),
    });
    (app, okr, serve().await)
}

async fn add(okr: &Okr, app: &TestApp, kind: &str, url: &str) -> i64 {
    let (_, w) = okr
        .webhook_add(&app.admin, "Growth", kind, url, now())
        .await
        .unwrap_or_else(|e| panic!("adding {url}: {e}"));
    w.id.0
}

/// The ledger rows to webhooks: (recipient, kind, state, attempts, next attempt).
async fn webhook_rows(app: &TestApp) -> Vec<(String, String, String, i64, i64)> {
    crate::backend::raw!(app.okr.store(), |db| sqlx::query_as(
        "SELECT recipient, kind, state, attempts, next_attempt_at FROM deliveries \
         WHERE recipient LIKE 'webhook:%' ORDER BY id",
    )
    .fetch_all(db)
    .await)
    .unwrap()
}

fn at_secs(t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    t + chrono::Duration::seconds(secs)
}

#[tokio::test]
async fn webhooks_are_added_by_leads_listed_masked_and_removed_and_bad_ones_refused() {
    let (app, okr, server) = setup().await;
    let url = server.url("slack-0123456789abcdef");
    let id = add(&okr, &app, "Slack", &url).await;

    let text = refused_text!(
        app,
        okr.webhook_add(&app.user("bob"), "Growth", "slack", &url, now())
    );
    assert_mentions(&text, &["only the lead of Growth"]);
    let text = refused_text!(
        app,
        okr.webhook_add(&app.admin, "Growth", "slack", &url, now())
    );
    assert_mentions(&text, &["already has this webhook"]);
    let text = refused_text!(
        app,
        okr.webhook_add(&app.admin, "Growth", "discord", &url, now())
    );
    assert_mentions(&text, &["kind:slack, kind:mattermost or kind:teams"]);
    let text = refused_text!(
        app,
        okr.webhook_add(&app.admin, "Growth", "slack", "ftp://example.com/x", now())
    );
    assert_mentions(&text, &["is not a webhook URL"]);
    // Plain http carries the secret in the clear: only to a private address.
    let text = refused_text!(
        app,
        okr.webhook_add(
            &app.admin,
            "Growth",
            "slack",
            "http://93.184.216.34/hooks/abc",
            now()
        )
    );
    assert_mentions(&text, &["must be https"]);
    // Without http_sources.allow_private, no private address at all.
    let text = refused_text!(
        app,
        app.okr
            .webhook_add(&app.admin, "Growth", "slack", &server.url("other"), now())
    );
    assert_mentions(&text, &["a private address", "http_sources.allow_private"]);
    assert!(
        !text.contains("/hooks/other"),
        "the URL is shown masked: {text}"
    );

    let (_, list) = okr.webhook_list(&app.admin, "Growth").await.unwrap();
    assert_eq!(list.len(), 1);
    let reply = okrbot::render::reply::message(
        &okrbot::command::Reply::WebhookList {
            team: okr.webhook_list(&app.admin, "Growth").await.unwrap().0,
            webhooks: list,
        },
        &okrbot::render::reply::PlainText,
    );
    let shown = okrbot::console::text::render(&reply);
    assert_mentions(&shown, &["Slack", "…cdef", "active"]);
    assert!(!shown.contains("slack-0123"), "{shown}");
    assert!(reply.private);

    // Another workspace cannot reach it, even with a team of the same name.
    let other = app.other_workspace("console:other", "other").await;
    app.growth_in(&other).await;
    let text = refused_text!(app, okr.webhook_remove(&other, "Growth", &id.to_string()));
    assert_mentions(&text, &["/okr webhook list team:Growth"]);

    okr.webhook_remove(&app.admin, "Growth", &format!("#{id}"))
        .await
        .unwrap();
    assert!(okr
        .webhook_list(&app.admin, "Growth")
        .await
        .unwrap()
        .1
        .is_empty());
}

#[tokio::test]
async fn a_digest_goes_to_the_channel_and_to_every_webhook_in_its_platform_s_shape() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("slack")).await;
    add(&okr, &app, "mattermost", &server.url("mattermost")).await;
    add(&okr, &app, "teams", &server.url("teams")).await;
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();

    let chat = RecordingOutbox::new();
    let report = Scheduler::new(okr.clone())
        .dispatcher()
        .deliver(now(), &chat)
        .await
        .unwrap();
    assert_eq!(report.sent, 4, "{report:?}");
    let sent = chat.sent();
    assert_eq!(sent.len(), 1, "webhook rows never reach the chat outbox");
    assert_eq!(sent[0].recipient, Recipient::Channel("growth".into()));

    let slack = &server.hits("slack")[0].body;
    assert!(slack["text"].as_str().is_some_and(|t| t.contains("Growth")));
    assert_eq!(slack["blocks"][0]["type"], "header");
    let sections = slack["attachments"][0]["blocks"].as_array().unwrap();
    assert!(sections.iter().any(|b| b["type"] == "section"
        && b["text"]["type"] == "mrkdwn"
        && b["text"]["text"].as_str().unwrap().contains("GRO-1")));
    assert!(slack["attachments"][0]["color"]
        .as_str()
        .unwrap()
        .starts_with('#'));

    let mm = &server.hits("mattermost")[0].body["attachments"][0];
    for field in ["fallback", "color", "title", "text"] {
        assert!(
            mm[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}: {mm}"
        );
    }

    let teams = &server.hits("teams")[0].body;
    assert_eq!(teams["type"], "message");
    let card = &teams["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert!(card["content"]["version"].is_string());
    assert!(card["content"]["body"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Growth"));

    let rows = webhook_rows(&app).await;
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter().all(|r| r.1 == "digest" && r.2 == "sent"),
        "{rows:?}"
    );
    // Each post carries its ledger row's id, for a receiver to drop a resend by.
    for route in ["slack", "mattermost", "teams"] {
        let id: i64 = crate::backend::raw!(okr.store(), |db| {
            sqlx::query_scalar(
            "SELECT d.id FROM deliveries d JOIN webhooks w ON d.recipient = 'webhook:' || w.id \
             WHERE w.url LIKE '%/' || $1",
        )
        .bind(route)
        .fetch_one(db).await
        })
        .unwrap();
        assert_eq!(
            server.hits(route)[0].delivery,
            Some(id.to_string()),
            "{route}"
        );
    }
}

#[tokio::test]
async fn a_429_waits_for_its_retry_after_a_5xx_backs_off_and_both_say_why_in_the_list() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("limited-3")).await;
    add(&okr, &app, "slack", &server.url("down")).await;
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();
    let dispatcher = Scheduler::new(okr.clone()).dispatcher().clone();
    let chat = RecordingOutbox::new();

    let first = dispatcher.deliver(now(), &chat).await.unwrap();
    assert_eq!((first.sent, first.retried), (1, 2), "{first:?}");
    let metrics = okr.metrics_text(now()).await.unwrap();
    for line in [
        r#"okrbot_deliveries_total{kind="digest",platform="slack",outcome="retried"} 2"#,
        r#"okrbot_deliveries_total{kind="digest",platform="chat",outcome="sent"} 1"#,
        r#"okrbot_deliveries_pending{kind="digest",platform="slack"} 2"#,
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    let rows = webhook_rows(&app).await;
    let t0 = now().timestamp();
    let limited = rows.iter().find(|r| r.0 == "webhook:1").unwrap();
    assert_eq!(limited.3, 1);
    // Longer than the first backoff (2 s), so it is the platform's word that counts.
    assert!(
        limited.4 >= t0 + 3,
        "Retry-After 3 is honoured: {limited:?}"
    );
    let down = rows.iter().find(|r| r.0 == "webhook:2").unwrap();
    assert!(down.4 > t0 && down.4 < t0 + 3, "backoff from 2 s: {down:?}");

    // Not yet: nothing is posted before its time.
    dispatcher.deliver(at_secs(now(), 2), &chat).await.unwrap();
    assert_eq!(server.hits("limited-3").len(), 1);
    let later = dispatcher.deliver(at_secs(now(), 31), &chat).await.unwrap();
    assert_eq!(later.sent, 1, "{later:?}");
    assert_eq!(server.hits("limited-3").len(), 2);

    let (_, list) = okr.webhook_list(&app.admin, "Growth").await.unwrap();
    assert_eq!(list[0].last_error, None, "a success clears the error");
    assert_mentions(list[1].last_error.as_deref().unwrap(), &["HTTP 502"]);
}

/// A chat outbox that notes when it was called.
#[derive(Default, Clone)]
struct Timed(Arc<Mutex<Vec<Instant>>>);

impl Outbox for Timed {
    async fn send(&self, _d: &Delivery) -> Result<Sent, SendError> {
        self.0.lock().unwrap().push(Instant::now());
        Ok(None)
    }
}

#[tokio::test]
async fn a_webhook_that_times_out_is_retried_and_never_holds_back_the_channel() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("slow")).await;
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();
    let chat = Timed::default();
    let started = Instant::now();
    let report = Scheduler::new(okr.clone())
        .dispatcher()
        .deliver(now(), &chat)
        .await
        .unwrap();
    assert_eq!((report.sent, report.retried), (1, 1), "{report:?}");
    let posted = chat.0.lock().unwrap()[0];
    // The webhook takes its whole timeout (1.5 s); the channel does not wait for it.
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert!(
        posted.duration_since(started) < Duration::from_millis(1000),
        "the channel post waited {:?}",
        posted.duration_since(started)
    );
    let (_, list) = okr.webhook_list(&app.admin, "Growth").await.unwrap();
    assert_mentions(
        list[0].last_error.as_deref().unwrap(),
        &["no answer within 1.5 s"],
    );
}

#[tokio::test]
async fn a_webhook_answering_gone_three_times_is_disabled_its_lead_told_and_a_test_enables_it() {
    let (app, okr, server) = setup().await;
    let id = add(&okr, &app, "slack", &server.url("flip")).await;
    add(&okr, &app, "mattermost", &server.url("gone")).await;
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();
    let dispatcher = Scheduler::new(okr.clone()).dispatcher().clone();
    let chat = RecordingOutbox::new();
    // Retries come 2, 4, 8 s apart (and a little jitter): a minute covers three attempts.
    for s in (0..=60).step_by(5) {
        dispatcher.deliver(at_secs(now(), s), &chat).await.unwrap();
    }
    assert_eq!(server.hits("flip").len(), 3);
    assert_eq!(server.hits("gone").len(), 3);
    let rows = webhook_rows(&app).await;
    assert!(rows.iter().all(|r| r.2 == "failed"), "{rows:?}");
    let (_, list) = okr.webhook_list(&app.admin, "Growth").await.unwrap();
    assert!(list.iter().all(|w| !w.is_active()), "{list:?}");

    let told: Vec<Delivery> = chat
        .sent()
        .into_iter()
        .filter(|d| d.kind == DeliveryKind::WebhookDisabled)
        .collect();
    assert_eq!(told.len(), 2, "one notice per webhook");
    assert!(told
        .iter()
        .all(|d| d.recipient == Recipient::User("alice".into())));
    let text = okrbot::console::text::render(&told[0].message);
    assert_mentions(&text, &["disabled", "not found", "/okr webhook test"]);
    assert!(!text.contains("/hooks/flip"), "{text}");

    // A disabled webhook gets nothing more.
    okr.digest_now(&app.admin, "Growth", at_secs(now(), 3600))
        .await
        .unwrap();
    dispatcher
        .deliver(at_secs(now(), 3600), &chat)
        .await
        .unwrap();
    assert_eq!(server.hits("flip").len(), 3);

    // Fixed on the platform's side: a test post goes through and enables it again.
    server.flip_gone.store(false, Ordering::SeqCst);
    let (_, results) = okr
        .webhook_test(&app.admin, "Growth", Some(&id.to_string()), now())
        .await
        .unwrap();
    assert!(results[0].1.is_ok(), "{results:?}");
    assert!(server.hits("flip").last().unwrap().body["text"]
        .as_str()
        .unwrap()
        .contains("test post"));
    let (_, list) = okr.webhook_list(&app.admin, "Growth").await.unwrap();
    assert!(list[0].is_active() && !list[1].is_active());
}

#[tokio::test]
async fn posts_to_one_webhook_keep_their_pace_and_a_refusal_is_not_retried() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("paced")).await;
    add(&okr, &app, "slack", &server.url("bad")).await;
    for s in 0..3 {
        okr.digest_now(&app.admin, "Growth", at_secs(now(), s))
            .await
            .unwrap();
    }
    let report = Scheduler::new(okr.clone())
        .dispatcher()
        .deliver(at_secs(now(), 3), &RecordingOutbox::new())
        .await
        .unwrap();
    let hits = server.hits("paced");
    assert_eq!(hits.len(), 3);
    for pair in hits.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(140), "{gap:?} apart");
    }
    // 400 means this message will never be taken: skipped, not retried.
    assert_eq!(server.hits("bad").len(), 3);
    assert_eq!(report.skipped, 3, "{report:?}");
    let rows = webhook_rows(&app).await;
    assert_eq!(rows.iter().filter(|r| r.2 == "skipped").count(), 3);
}

#[tokio::test]
async fn an_export_never_holds_a_webhook_url() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("secret-token-xyz")).await;
    let doc = okr.export(&app.admin, now()).await.unwrap();
    let json = serde_json::to_string(&doc).unwrap();
    assert!(!json.contains("secret-token-xyz"));
}

#[tokio::test]
async fn a_429_holds_every_later_post_to_that_webhook_until_its_retry_after_and_no_other() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("limited-2")).await;
    add(&okr, &app, "slack", &server.url("other")).await;
    for s in 0..3 {
        okr.digest_now(&app.admin, "Growth", at_secs(now(), s))
            .await
            .unwrap();
    }
    let dispatcher = Scheduler::new(okr.clone()).dispatcher().clone();
    let chat = RecordingOutbox::new();
    dispatcher.deliver(at_secs(now(), 3), &chat).await.unwrap();
    assert_eq!(server.hits("limited-2").len(), 1);
    assert_eq!(server.hits("other").len(), 3);
    // The ledger's clock jumps ahead, so every row is owed again at once: the platform's limit
    // still runs in real seconds.
    dispatcher.deliver(at_secs(now(), 60), &chat).await.unwrap();
    let hits = server.hits("limited-2");
    assert_eq!(hits.len(), 4, "each digest once more after the 429");
    let gap = hits[1].at.duration_since(hits[0].at);
    assert!(
        gap >= Duration::from_secs(2),
        "posted again {gap:?} after Retry-After: 2"
    );
    for pair in hits[1..].windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(140), "{gap:?} apart");
    }
    let other = server.hits("other");
    let spread = other[2].at.duration_since(other[0].at);
    assert!(spread < Duration::from_secs(2), "{spread:?}: not held");
}

#[tokio::test]
async fn a_retry_after_given_as_a_date_is_counted_from_the_round_s_now() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("limited-date")).await;
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();
    let report = Scheduler::new(okr.clone())
        .dispatcher()
        .deliver(now(), &RecordingOutbox::new())
        .await
        .unwrap();
    assert_eq!(report.retried, 1, "{report:?}");
    // The date is 40 s after now(); the retry comes then, plus at most 10% of jitter.
    let rows = webhook_rows(&app).await;
    let t0 = now().timestamp();
    assert!(
        rows[0].4 >= t0 + 40 && rows[0].4 <= t0 + 44,
        "{:?}",
        rows[0]
    );
}

#[tokio::test]
async fn an_alert_refused_with_a_429_still_comes_before_its_own_recovery() {
    let (app, okr, server) = setup().await;
    add(&okr, &app, "slack", &server.url("limited-1")).await;
    okr.kpi_add(
        &app.admin,
        okrbot::service::kpis::KpiInput {
            team: "Growth".into(),
            name: "conversion".into(),
            unit: Some("percent".into()),
            min: Some("7".into()),
            owner: Some("bob".into()),
            ..Default::default()
        },
        now(),
    )
    .await
    .unwrap();
    // Pushed readings are told at once (typed ones wait out their undo window).
    let (kpi, token) = okr.kpi_token(&app.admin, "conversion").await.unwrap();
    let push = |value: f64, at| {
        let okr = okr.clone();
        let token = token.clone();
        async move {
            okr.push_reading(
                kpi.id,
                Some(&token),
                Ok(serde_json::json!({ "value": value })),
                at,
            )
            .await
            .unwrap()
        }
    };
    let scheduler = Scheduler::new(okr.clone());
    let dispatcher = scheduler.dispatcher().clone();
    let chat = RecordingOutbox::new();

    let low = push(6.4, now()).await;
    assert!(low.alert_opened);
    scheduler.decide(now()).await.unwrap();
    dispatcher.deliver(now(), &chat).await.unwrap();
    assert_eq!(server.hits("limited-1").len(), 1, "the alert, refused");

    let back = push(7.5, at_secs(now(), 1)).await;
    assert!(back.resolved);
    // The recovery is due; the alert waits for its retry, and the recovery waits behind it.
    scheduler.decide(at_secs(now(), 1)).await.unwrap();
    dispatcher.deliver(at_secs(now(), 1), &chat).await.unwrap();
    assert_eq!(
        server.hits("limited-1").len(),
        1,
        "nothing overtakes the alert"
    );

    dispatcher.deliver(at_secs(now(), 30), &chat).await.unwrap();
    let said: Vec<String> = server
        .hits("limited-1")
        .iter()
        .map(|h| h.body.to_string())
        .collect();
    assert_eq!(said.len(), 3, "{said:#?}");
    assert_eq!(said[1], said[0], "the alert again first");
    assert!(said[1].contains("6.4%") && !said[1].contains("7.5%"));
    assert!(said[2].contains("7.5%"), "then the recovery: {}", said[2]);
    let rows = webhook_rows(&app).await;
    assert!(rows.iter().all(|r| r.2 == "sent"), "{rows:?}");
}

/// Bytes of the endless refusal below.
const HUGE: usize = 50 * 1024 * 1024;

#[tokio::test]
async fn a_refusal_s_body_is_read_only_as_far_as_it_is_quoted() {
    /// Notes that the body stream was dropped: hyper drops it when the connection goes.
    struct Dropped(Arc<AtomicBool>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    let sent = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let (s, d) = (sent.clone(), dropped.clone());
    // A 400 whose body is made as it is read, 64 KiB at a time, 50 MB in all.
    let app = Router::new().route(
        "/hooks/{route}",
        post(move || {
            let (sent, guard) = (s.clone(), Dropped(d.clone()));
            async move {
                let filler = axum::body::Bytes::from(vec![b'x'; 64 * 1024]);
                let chunks = futures_util::stream::unfold((0usize, guard), move |(n, guard)| {
                    let (sent, filler) = (sent.clone(), filler.clone());
                    async move {
                        if n * filler.len() >= HUGE {
                            return None;
                        }
                        let chunk = if n == 0 {
                            axum::body::Bytes::from_static(b"invalid_blocks: ")
                        } else {
                            filler
                        };
                        sent.fetch_add(chunk.len(), Ordering::SeqCst);
                        Some((Ok::<_, std::io::Error>(chunk), (n + 1, guard)))
                    }
                });
                (
                    StatusCode::BAD_REQUEST,
                    axum::body::Body::from_stream(chunks),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/huge", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let policy = Policy {
        allow_private: true,
        ..Policy::default()
    };
    let settings = Settings {
        pace: Duration::ZERO,
        timeout: Duration::from_secs(10),
    };
    let started = Instant::now();
    let outcome = okrbot::webhook::Poster::new(policy, settings)
        .post(&url, &serde_json::json!({"text": "hi"}), None, now())
        .await;
    let Err(okrbot::webhook::PostError::Rejected { status, body }) = outcome else {
        panic!("a 400 is a refusal: {outcome:?}");
    };
    assert_eq!(status, 400);
    assert!(body.starts_with("invalid_blocks: xxx"), "{body}");
    assert_eq!(body.chars().count(), 200, "quoted to 200 characters");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The connection is closed on the rest: the server stops making it long before the end.
    let waited = Instant::now();
    while !dropped.load(Ordering::SeqCst) && waited.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(dropped.load(Ordering::SeqCst), "the body was never let go");
    let made = sent.load(Ordering::SeqCst);
    assert!(
        made < HUGE / 2,
        "{made} of {HUGE} bytes made before the close"
    );
}

/// A webhook added after another was removed never takes over its id: the removed one's rows
/// still pending in the ledger name it, and would otherwise go to the new webhook (of another
/// team, perhaps).
#[tokio::test]
async fn a_removed_webhook_s_id_is_never_given_to_a_new_one() {
    let (app, okr, server) = setup().await;
    let first = add(&okr, &app, "slack", &server.url("first")).await;
    okr.webhook_remove(&app.admin, "Growth", &first.to_string())
        .await
        .expect("removed");
    let second = add(&okr, &app, "slack", &server.url("second")).await;
    assert!(second > first, "webhook {first} came back as {second}");
}

/// A stop while a webhook is slow to answer waits for the answer and marks the row sent, and the
/// next process does not post it again: the stop used to leave after 5 s with the row claimed,
/// and the next start freed the claim and posted it a second time.
#[tokio::test]
async fn a_stop_while_a_webhook_answers_slowly_settles_the_post_and_it_is_never_sent_twice() {
    let (app, mut okr, server) = setup().await;
    okr.set_webhook_settings(Settings {
        pace: Duration::from_millis(150),
        timeout: Duration::from_secs(10),
    });
    add(&okr, &app, "slack", &server.url("slow-6")).await;
    okr.digest_now(&app.admin, "Growth", now()).await.unwrap();
    let clock = okrbot::clock::ManualClock::new(now());
    let chat = RecordingOutbox::new();
    let seen = server.clone();
    // Stop once the server holds the post: its answer is 6 s away.
    let stop = async move {
        while seen.hits("slow-6").is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let started = Instant::now();
    Scheduler::new(okr.clone()).run(&clock, &chat, stop).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(5)
            && took < okrbot::scheduler::STOP_GRACE + Duration::from_secs(1),
        "{took:?}"
    );
    let rows = webhook_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].2, "sent", "settled before the stop: {rows:?}");

    let next = Scheduler::new(okr.clone());
    next.take_over(now()).await.unwrap();
    next.dispatcher()
        .deliver(now() + chrono::Duration::minutes(20), &chat)
        .await
        .unwrap();
    assert_eq!(server.hits("slow-6").len(), 1, "posted once");
}

/// A console keeps `webhooks.pace_ms` between its posts to one webhook across its lines, as
/// `okrbot run` does: it used to start afresh at every line and sent 48 posts in about a second.
#[tokio::test]
async fn a_console_paces_its_posts_to_a_webhook_across_lines() {
    let (app, mut okr, server) = setup().await;
    okr.set_webhook_settings(Settings {
        pace: Duration::from_millis(400),
        timeout: Duration::from_millis(1500),
    });
    add(&okr, &app, "slack", &server.url("paced")).await;
    let clock = okrbot::clock::ManualClock::new(now());
    let mut console = okrbot::console::Console::new(&okr, app.admin.clone(), &clock, Some(&clock));
    let script = "/okr digest team:Growth\n/okr clock advance:1m\n".repeat(4);
    let mut out = Vec::new();
    console
        .run(tokio::io::BufReader::new(script.as_bytes()), &mut out)
        .await
        .expect("the session runs");
    let hits = server.hits("paced");
    assert_eq!(hits.len(), 4, "{}", String::from_utf8_lossy(&out));
    for pair in hits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(380),
            "{gap:?} between two posts"
        );
    }
}

/// `/okr webhook test` keeps the webhook's pace and its 429 holds like every other post from
/// the process: two tests in a row go a pace apart, and a test while the platform's
/// `Retry-After` runs sends nothing and says when to try again.
#[tokio::test]
async fn a_webhook_test_keeps_the_pace_and_honours_a_429_hold() {
    let (app, okr, server) = setup().await;
    let paced = add(&okr, &app, "slack", &server.url("paced")).await;
    for _ in 0..2 {
        let (_, results) = okr
            .webhook_test(&app.admin, "Growth", Some(&paced.to_string()), now())
            .await
            .unwrap();
        assert!(results[0].1.is_ok(), "{results:?}");
    }
    let hits = server.hits("paced");
    let gap = hits[1].at.duration_since(hits[0].at);
    assert!(gap >= Duration::from_millis(140), "tested {gap:?} apart");

    let limited = add(&okr, &app, "slack", &server.url("limited-30"))
        .await
        .to_string();
    let test = || okr.webhook_test(&app.admin, "Growth", Some(&limited), now());
    let (_, results) = test().await.unwrap();
    assert_mentions(results[0].1.as_ref().unwrap_err(), &["rate limited"]);
    let (_, results) = test().await.unwrap();
    assert_mentions(
        results[0].1.as_ref().unwrap_err(),
        &["HTTP 429", "nothing was sent", "try again in 30 s"],
    );
    assert_eq!(server.hits("limited-30").len(), 1, "held: not posted again");
}

/// Every post goes through the service's one webhook client: two test posts to a webhook share
/// one connection (each post used to build a client of its own and connect anew).
#[tokio::test]
async fn two_posts_to_a_webhook_share_one_connection() {
    use axum::serve::ListenerExt;
    let (app, okr, _) = setup().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/counted", listener.local_addr().unwrap());
    let listener = listener.tap_io(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
    });
    let counted = Router::new().route("/hooks/counted", post(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(listener, counted).await });
    let id = add(&okr, &app, "slack", &url).await.to_string();
    for n in 0..2 {
        let (_, results) = okr
            .webhook_test(&app.admin, "Growth", Some(&id), now())
            .await
            .unwrap();
        assert!(results[0].1.is_ok(), "post {n}: {results:?}");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one connection for both"
    );
}

/// The address is checked again at every post, in the lookup the connection uses: a webhook on
/// `localhost` added where private addresses were allowed is refused by a service where they
/// are not, and nothing reaches the server.
#[tokio::test]
async fn a_webhook_whose_name_resolves_to_loopback_is_refused_at_the_post_unless_allowed() {
    let (app, okr, server) = setup().await;
    let url = server.url("named").replace("127.0.0.1", "localhost");
    let id = add(&okr, &app, "slack", &url).await.to_string();
    let (_, results) = okr
        .webhook_test(&app.admin, "Growth", Some(&id), now())
        .await
        .unwrap();
    assert!(results[0].1.is_ok(), "{results:?}");
    assert_eq!(server.hits("named").len(), 1);
    let (_, results) = app
        .okr
        .webhook_test(&app.admin, "Growth", Some(&id), now())
        .await
        .unwrap();
    let why = results[0].1.clone().unwrap_err();
    assert_mentions(&why, &["resolves to", "a private address"]);
    assert!(
        !why.contains("/hooks/named"),
        "the URL is shown masked: {why}"
    );
    assert_eq!(
        server.hits("named").len(),
        1,
        "nothing more reached the server"
    );
}
