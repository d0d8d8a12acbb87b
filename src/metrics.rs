//! What `GET /metrics` shows, in Prometheus text format (prometheus-client): deliveries by kind,
//! platform and outcome, what the ledger still owes and how long the oldest has waited, the last
//! scheduler round, check-ins and KPI readings recorded, interaction latency, KPI source
//! failures, and whether the Discord gateway is connected. Counters count what this process did;
//! the ledger's figures are read from the database at each scrape, so they hold for every
//! process sharing it. See `docs/operations.md`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// How a delivery round ended for one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Skipped,
    Retried,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Skipped => "skipped",
            Outcome::Retried => "retried",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    kind: String,
    platform: String,
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PendingLabels {
    kind: String,
    platform: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InteractionLabels {
    /// `command`, `button` or `form`.
    kind: String,
}

pub struct Metrics {
    registry: Registry,
    deliveries: Family<DeliveryLabels, Counter>,
    pending: Family<PendingLabels, Gauge>,
    oldest_pending: Gauge<f64, AtomicU64>,
    last_tick: Gauge<f64, AtomicU64>,
    check_ins: Counter,
    kpi_readings: Counter,
    source_failures: Counter,
    interactions: Family<InteractionLabels, Histogram>,
    gateway: Gauge,
    /// Set by a process with a gateway (`okrbot run`): then it is ready only while connected.
    needs_gateway: AtomicBool,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("okrbot");
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "deliveries",
            "Deliveries settled by this process, by kind, platform (chat or the webhook's) and outcome",
            deliveries.clone(),
        );
        let pending = Family::<PendingLabels, Gauge>::default();
        registry.register(
            "deliveries_pending",
            "Deliveries the ledger still owes, by kind and platform",
            pending.clone(),
        );
        let oldest_pending = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "oldest_pending_delivery_age_seconds",
            "How long the oldest delivery still owed has been due (0 when none is)",
            oldest_pending.clone(),
        );
        let last_tick = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "scheduler_last_tick_timestamp_seconds",
            "When this process's scheduler last ran a round (Unix time; 0 before the first)",
            last_tick.clone(),
        );
        let check_ins = Counter::default();
        registry.register(
            "check_ins_recorded",
            "Check-ins recorded by this process",
            check_ins.clone(),
        );
        let kpi_readings = Counter::default();
        registry.register(
            "kpi_readings_recorded",
            "KPI readings recorded by this process (by hand, pushed or fetched)",
            kpi_readings.clone(),
        );
        let source_failures = Counter::default();
        registry.register(
            "kpi_source_fetch_failures",
            "KPI HTTP source fetches that failed",
            source_failures.clone(),
        );
        let interactions = Family::<InteractionLabels, Histogram>::new_with_constructor(|| {
            // 5 ms to about 10 s.
            Histogram::new(exponential_buckets(0.005, 2.0, 12))
        });
        registry.register(
            "interaction_duration_seconds",
            "From a Discord interaction's arrival to its answer, by kind",
            interactions.clone(),
        );
        let gateway = Gauge::default();
        registry.register(
            "gateway_connected",
            "1 while the Discord gateway is connected (okrbot run only)",
            gateway.clone(),
        );
        Metrics {
            registry,
            deliveries,
            pending,
            oldest_pending,
            last_tick,
            check_ins,
            kpi_readings,
            source_failures,
            interactions,
            gateway,
            needs_gateway: AtomicBool::new(false),
        }
    }

    pub fn delivered(&self, kind: &str, platform: &str, outcome: Outcome) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                kind: kind.to_owned(),
                platform: platform.to_owned(),
                outcome: outcome.as_str().to_owned(),
            })
            .inc();
    }

    pub fn ticked(&self, at: DateTime<Utc>) {
        self.last_tick.set(at.timestamp_millis() as f64 / 1000.0);
    }

    pub fn check_ins_recorded(&self, n: usize) {
        self.check_ins.inc_by(n as u64);
    }

    pub fn kpi_reading_recorded(&self) {
        self.kpi_readings.inc();
    }

    pub fn source_failed(&self) {
        self.source_failures.inc();
    }

    pub fn interaction(&self, kind: &str, took: std::time::Duration) {
        self.interactions
            .get_or_create(&InteractionLabels {
                kind: kind.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// A process with a Discord gateway says so once, then reports each change.
    pub fn set_gateway(&self, connected: bool) {
        self.needs_gateway.store(true, Ordering::SeqCst);
        self.gateway.set(i64::from(connected));
    }

    /// Ready for traffic as far as the gateway goes: connected, or no gateway in this process.
    pub fn gateway_ready(&self) -> bool {
        !self.needs_gateway.load(Ordering::SeqCst) || self.gateway.get() == 1
    }

    /// The ledger's figures as of `now`: (kind, platform, count, earliest due).
    pub fn set_pending(&self, rows: &[(String, String, i64, i64)], now: DateTime<Utc>) {
        self.pending.clear();
        let mut oldest: Option<i64> = None;
        for (kind, platform, n, due) in rows {
            self.pending
                .get_or_create(&PendingLabels {
                    kind: kind.clone(),
                    platform: platform.clone(),
                })
                .set(*n);
            oldest = Some(oldest.map_or(*due, |o| o.min(*due)));
        }
        let age = oldest.map_or(0, |due| (now.timestamp() - due).max(0));
        self.oldest_pending.set(age as f64);
    }

    /// The text a scrape gets.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Shared by every clone of the service.
pub type Shared = Arc<Metrics>;
