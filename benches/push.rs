//! KPI readings pushed by many clients at once (`docs/kpis.md`, "Readings by push"), through the
//! real listener on 127.0.0.1: issue #22 asks for p99 under 100 ms at 64 concurrent clients.
//!
//! - `kpi_push/healthz_64_clients`: 64 clients each `GET /healthz` at once, the round waiting for
//!   the last answer: the floor, HTTP on the loopback and the listener's own work, no database.
//! - `kpi_push/push_64_clients`: 64 clients each push one reading to a KPI of its own at once
//!   (64 KPIs, a token each): a request is a token check, a reading appended, the KPI row moved
//!   and its alert decided, in one transaction.
//!
//! After the group a longer run sends 64 clients x 40 requests each, every answer timed from its
//! own send, and prints p50, p99 and the slowest for pushes beside the same for `/healthz`, with
//! the verdict on p99 < 100 ms. With `BENCH_DATABASE_URL=postgres://...` (a server; a fresh
//! database is made on it) the same runs on PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use okrbot::clock::SystemClock;
use okrbot::config::Config;
use okrbot::http::Limits;
use okrbot::service::kpis::KpiInput;
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr};
use okrbot::store::Store;
use tokio::runtime::Runtime;

mod common;
use common::{median, raw, runtime, verdict, Database};

const CLIENTS: usize = 64;
const PER_CLIENT: usize = 40;

struct Fixture {
    base: String,
    /// Each client's push URL and token.
    pushes: Vec<(String, String)>,
    /// One HTTP client per simulated client: each keeps its own connection, as separate
    /// machines pushing would.
    http: Vec<reqwest::Client>,
    backend: &'static str,
    store: Store,
    _db: Database,
}

async fn fixture() -> Fixture {
    let db = Database::new("push.db").await;
    let store = Store::open(&db.url).await.expect("open store");
    let backend = store.backend_name();
    let okr = Okr::new(store.clone(), &Config::default());
    let now = chrono::Utc::now();
    let ws = okr
        .workspace("console:bench", "Bench", now)
        .await
        .expect("workspace");
    let admin = Actor {
        workspace: ws,
        user: "alice".into(),
        admin: true,
        roles: vec![],
    };
    okr.setup(
        &admin,
        SetupInput {
            team: "Growth".into(),
            timezone: Some("Europe/Berlin".into()),
            channel: Some("growth".into()),
            prefix: Some("GRO".into()),
            leads: Some(vec!["alice".into()]),
        },
        now,
    )
    .await
    .expect("team");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port on 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let mut pushes = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let name = format!("signups-{i}");
        let (_, kpi) = okr
            .kpi_add(
                &admin,
                KpiInput {
                    team: "Growth".into(),
                    name: name.clone(),
                    min: Some("0".into()),
                    ..Default::default()
                },
                now,
            )
            .await
            .expect("KPI");
        let (_, token) = okr.kpi_token(&admin, &name).await.expect("token");
        let url = format!("{base}{}", okrbot::service::kpi_push::push_path(kpi.id));
        pushes.push((url, token));
    }
    // Room for every client at once: the limit is not what is measured.
    let limits = Limits {
        max_connections: 4 * CLIENTS as u32,
        ..Limits::default()
    };
    tokio::spawn(okrbot::http::serve_on(
        listener,
        okr.clone(),
        Arc::new(SystemClock),
        limits,
        std::future::pending(),
    ));
    let http = (0..CLIENTS)
        .map(|_| reqwest::Client::builder().build().expect("client"))
        .collect();
    Fixture {
        base,
        pushes,
        http,
        backend,
        store,
        _db: db,
    }
}

impl Fixture {
    /// Client `i`'s request number `n`: a push to its KPI, or `/healthz` for the floor.
    async fn request(&self, i: usize, n: usize, push: bool) -> Duration {
        let sent = Instant::now();
        let answer = if push {
            let (url, token) = &self.pushes[i];
            self.http[i]
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(format!("{{\"value\": {}}}", 100 + n))
                .send()
                .await
        } else {
            self.http[i]
                .get(format!("{}/healthz", self.base))
                .send()
                .await
        }
        .expect("an answer");
        let status = answer.status();
        answer.bytes().await.expect("a body");
        assert!(status.is_success(), "{status}");
        sent.elapsed()
    }

    /// How many readings the store holds: every push answered 200 must be one.
    async fn readings(&self) -> i64 {
        raw!(self.store, |db| sqlx::query_scalar(
            "SELECT count(*) FROM kpi_readings"
        )
        .fetch_one(db)
        .await)
        .expect("count")
    }

    /// Every client sends `each` requests one after the other, all clients at once; returns
    /// every request's time.
    async fn round(&self, each: usize, push: bool) -> Vec<Duration> {
        let clients = (0..CLIENTS).map(|i| async move {
            let mut took = Vec::with_capacity(each);
            for n in 0..each {
                took.push(self.request(i, n, push).await);
            }
            took
        });
        futures_util::future::join_all(clients)
            .await
            .into_iter()
            .flatten()
            .collect()
    }
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn bench_push(c: &mut Criterion) {
    let rt: Runtime = runtime();
    let f = rt.block_on(fixture());
    let mut group = c.benchmark_group("kpi_push");
    group.sample_size(20);
    group.bench_function("healthz_64_clients", |b| {
        b.iter(|| rt.block_on(f.round(1, false)))
    });
    group.bench_function("push_64_clients", |b| {
        b.iter(|| rt.block_on(f.round(1, true)))
    });
    group.finish();

    let summary = |push: bool| {
        let mut took = rt.block_on(f.round(PER_CLIENT, push));
        took.sort();
        (
            median(took.clone()),
            percentile(&took, 99),
            *took.last().expect("requests"),
        )
    };
    let (floor_p50, floor_p99, floor_max) = summary(false);
    let before = rt.block_on(f.readings());
    let (p50, p99, max) = summary(true);
    let written = rt.block_on(f.readings()) - before;
    assert_eq!(
        written,
        (CLIENTS * PER_CLIENT) as i64,
        "every answered push is one reading"
    );
    println!(
        "kpi_push on {}: {CLIENTS} clients x {PER_CLIENT} requests each, at once. \
         /healthz p50 {floor_p50:.1?}, p99 {floor_p99:.1?}, slowest {floor_max:.1?}; \
         push p50 {p50:.1?}, p99 {p99:.1?}, slowest {max:.1?}; \
         p99 push / p99 healthz = {:.1}; target p99 < 100 ms: {}",
        f.backend,
        p99.as_secs_f64() / floor_p99.as_secs_f64().max(1e-9),
        verdict(p99 < Duration::from_millis(100)),
    );
}

criterion_group!(benches, bench_push);
criterion_main!(benches);
