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

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoleLabels {
    /// `scheduler` or `gateway` (`leadership`).
    role: String,
}

pub struct Metrics {
    registry: Registry,
    leader: Family<RoleLabels, Gauge>,
    handovers: Family<RoleLabels, Counter>,
    /// The roles this process takes part in, and whether it holds each: what `/readyz` says.
    roles: std::sync::Mutex<std::collections::BTreeMap<String, (String, bool)>>,
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
        let leader = Family::<RoleLabels, Gauge>::default();
        registry.register(
            "leader",
            "1 while this process holds the role (scheduler: deciding; gateway: the Discord gateway), 0 while it stands by",
            leader.clone(),
        );
        let handovers = Family::<RoleLabels, Counter>::default();
        registry.register(
            "leader_handovers",
            "Times this process took a role over (the first time included)",
            handovers.clone(),
        );
        Metrics {
            registry,
            leader,
            handovers,
            roles: std::sync::Mutex::default(),
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

    /// Whether this process holds `role` now (`holds`: what of it, such as its shards, for
    /// `/readyz`); `taken` when it has just taken it over.
    pub fn set_leading(&self, role: &str, holds: &str, leading: bool, taken: bool) {
        let labels = RoleLabels {
            role: role.to_owned(),
        };
        self.leader.get_or_create(&labels).set(i64::from(leading));
        if taken {
            self.handovers.get_or_create(&labels).inc();
        }
        self.roles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(role.to_owned(), (holds.to_owned(), leading));
    }

    /// What this process is, for `/readyz`: each role it takes part in, what of it (its
    /// shards, or empty), and whether it leads or stands by. Empty for a process that shares no
    /// role (a console).
    pub fn roles(&self) -> Vec<(String, String, bool)> {
        self.roles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(role, (holds, leads))| (role.clone(), holds.clone(), *leads))
            .collect()
    }

    /// A process with a Discord gateway says so once, then reports each change.
    pub fn set_gateway(&self, connected: bool) {
        self.needs_gateway.store(true, Ordering::SeqCst);
        self.gateway.set(i64::from(connected));
    }

    /// Ready for traffic as far as the gateway goes: connected, or no gateway in this process.
    pub fn gateway_ready(&self) -> bool {
        let standby = self
            .roles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get("gateway")
            .is_some_and(|(_, leading)| !leading);
        !self.needs_gateway.load(Ordering::SeqCst) || self.gateway.get() == 1 || standby
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

    /// The OpenMetrics text of a scrape ([`classic`] turns it into the older format).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Shared by every clone of the service.
pub type Shared = Arc<Metrics>;

/// The `Content-Type` of OpenMetrics text, what [`Metrics::encode`] writes.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `Content-Type` of the classic Prometheus text format that [`classic`] writes.
pub const CLASSIC_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The classic Prometheus text exposition format (0.0.4) of an OpenMetrics text as
/// prometheus-client writes it, for scrapers that do not ask for OpenMetrics. prometheus-client
/// encodes OpenMetrics only, and the two differ in what a classic parser refuses or misreads:
///
/// - a counter family is named without `_total` in OpenMetrics (`# TYPE foo counter`, sample
///   `foo_total`); a classic parser takes such a sample for another family, untyped and without
///   help, so the family is renamed to its samples' name;
/// - `# UNIT` and `# EOF` have no place in it (dropped), nor `_created` samples, exemplars
///   (` # {…} v` after a sample) or the `info`, `stateset`, `gaugehistogram` and `unknown` types
///   (an info becomes a gauge named `<name>_info`, the others untyped);
/// - timestamps are seconds there, milliseconds here;
/// - HELP text escapes only `\\` and `\n` here, not `\"`.
///
/// Sample lines are otherwise the same: names, label sets (same escapes) and values.
pub fn classic(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    // A HELP line waits for its family's TYPE line, which may rename the family.
    let mut help: Option<(&str, &str)> = None;
    // The family being read, by its OpenMetrics name, and its OpenMetrics type.
    let mut family: Option<(&str, &str)> = None;
    for line in openmetrics.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            flush_help(&mut out, &mut help);
            help = Some(rest.split_once(' ').unwrap_or((rest, "")));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "unknown"));
            let (classic_name, classic_kind) = match kind {
                "counter" => (format!("{name}_total"), "counter"),
                "info" => (format!("{name}_info"), "gauge"),
                "gauge" | "histogram" | "summary" => (name.to_owned(), kind),
                _ => (name.to_owned(), "untyped"),
            };
            match help.take() {
                Some((h, text)) if h == name => push_help(&mut out, &classic_name, text),
                other => {
                    help = other;
                    flush_help(&mut out, &mut help);
                }
            }
            out.push_str("# TYPE ");
            out.push_str(&classic_name);
            out.push(' ');
            out.push_str(classic_kind);
            out.push('\n');
            family = Some((name, kind));
        } else if line.starts_with('#') || line.trim().is_empty() {
            // `# UNIT`, `# EOF` and anything else a comment: nothing a classic parser needs.
        } else {
            flush_help(&mut out, &mut help);
            push_sample(&mut out, line, family);
        }
    }
    flush_help(&mut out, &mut help);
    out
}

/// A HELP line whose family had no TYPE line after it, as it is.
fn flush_help(out: &mut String, help: &mut Option<(&str, &str)>) {
    if let Some((name, text)) = help.take() {
        push_help(out, name, text);
    }
}

/// `# HELP name text`, the text's `\"` unescaped (the classic format knows only `\\` and `\n`).
fn push_help(out: &mut String, name: &str, text: &str) {
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            // A backslash ending the text escapes nothing: written as the escaped backslash.
            None => out.push_str("\\\\"),
        }
    }
    out.push('\n');
}

/// One sample line: without a `_created` sample, an exemplar, and with its timestamp (if any)
/// in milliseconds.
fn push_sample(out: &mut String, line: &str, family: Option<(&str, &str)>) {
    let name_end = line.find(['{', ' ']).unwrap_or(line.len());
    let name = &line[..name_end];
    if let Some((family, kind)) = family {
        let created = name
            .strip_prefix(family)
            .is_some_and(|suffix| suffix == "_created");
        if created && matches!(kind, "counter" | "histogram" | "summary" | "gaugehistogram") {
            return;
        }
    }
    let labels_end = if line[name_end..].starts_with('{') {
        name_end + label_set_len(&line[name_end..])
    } else {
        name_end
    };
    let series = &line[..labels_end];
    // After the series: ` value [timestamp] [# exemplar]`; no quotes there, so a `#` starts
    // the exemplar.
    let rest = line[labels_end..].split('#').next().unwrap_or_default();
    let mut fields = rest.split_whitespace();
    let Some(value) = fields.next() else {
        return;
    };
    out.push_str(series);
    out.push(' ');
    out.push_str(value);
    if let Some(seconds) = fields.next().and_then(|t| t.parse::<f64>().ok()) {
        out.push(' ');
        out.push_str(&((seconds * 1000.0).round() as i64).to_string());
    }
    out.push('\n');
}

/// The length of the label set `{…}` at the start of `text`, quotes and escapes respected (a
/// label value may hold `}` or `#`).
fn label_set_len(text: &str) -> usize {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '}' if !quoted => return i + 1,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_family_is_named_as_its_samples_and_the_eof_is_dropped() {
        let om = "# HELP okrbot_check_ins_recorded Check-ins recorded.\n\
                  # TYPE okrbot_check_ins_recorded counter\n\
                  okrbot_check_ins_recorded_total 3\n\
                  # EOF\n";
        assert_eq!(
            classic(om),
            "# HELP okrbot_check_ins_recorded_total Check-ins recorded.\n\
             # TYPE okrbot_check_ins_recorded_total counter\n\
             okrbot_check_ins_recorded_total 3\n"
        );
    }

    #[test]
    fn gauges_and_histograms_keep_their_names_and_lose_their_units() {
        let om = "# HELP okrbot_age_seconds How old.\n\
                  # TYPE okrbot_age_seconds gauge\n\
                  # UNIT okrbot_age_seconds seconds\n\
                  okrbot_age_seconds 600.0\n\
                  # HELP okrbot_took_seconds How long.\n\
                  # TYPE okrbot_took_seconds histogram\n\
                  okrbot_took_seconds_sum{kind=\"form\"} 0.5\n\
                  okrbot_took_seconds_count{kind=\"form\"} 1\n\
                  okrbot_took_seconds_bucket{le=\"0.005\",kind=\"form\"} 0\n\
                  okrbot_took_seconds_bucket{le=\"+Inf\",kind=\"form\"} 1\n\
                  # EOF\n";
        assert_eq!(
            classic(om),
            "# HELP okrbot_age_seconds How old.\n\
             # TYPE okrbot_age_seconds gauge\n\
             okrbot_age_seconds 600.0\n\
             # HELP okrbot_took_seconds How long.\n\
             # TYPE okrbot_took_seconds histogram\n\
             okrbot_took_seconds_sum{kind=\"form\"} 0.5\n\
             okrbot_took_seconds_count{kind=\"form\"} 1\n\
             okrbot_took_seconds_bucket{le=\"0.005\",kind=\"form\"} 0\n\
             okrbot_took_seconds_bucket{le=\"+Inf\",kind=\"form\"} 1\n"
        );
    }

    #[test]
    fn created_samples_and_exemplars_are_dropped_and_timestamps_become_milliseconds() {
        let om = "# HELP jobs Jobs.\n\
                  # TYPE jobs counter\n\
                  jobs_total{queue=\"a # b\"} 7 1700000000.25 # {trace=\"x\"} 1.0\n\
                  jobs_created{queue=\"a # b\"} 1699999999.0\n\
                  # HELP build Build.\n\
                  # TYPE build info\n\
                  build_info{version=\"1.0\"} 1\n\
                  # HELP odd Odd.\n\
                  # TYPE odd unknown\n\
                  odd 2\n\
                  # EOF\n";
        assert_eq!(
            classic(om),
            "# HELP jobs_total Jobs.\n\
             # TYPE jobs_total counter\n\
             jobs_total{queue=\"a # b\"} 7 1700000000250\n\
             # HELP build_info Build.\n\
             # TYPE build_info gauge\n\
             build_info{version=\"1.0\"} 1\n\
             # HELP odd Odd.\n\
             # TYPE odd untyped\n\
             odd 2\n"
        );
    }

    #[test]
    fn label_values_keep_their_escapes_and_help_loses_only_the_quote_escape() {
        let om = "# HELP says A \\\"quoted\\\" word, a \\\\ and a \\n.\n\
                  # TYPE says gauge\n\
                  says{what=\"a \\\"}\\\" and \\\\ and \\n\"} 1\n\
                  # EOF\n";
        assert_eq!(
            classic(om),
            "# HELP says A \"quoted\" word, a \\\\ and a \\n.\n\
             # TYPE says gauge\n\
             says{what=\"a \\\"}\\\" and \\\\ and \\n\"} 1\n"
        );
    }

    #[test]
    fn every_family_of_okrbot_is_typed_under_the_name_its_samples_carry() {
        let metrics = Metrics::new();
        metrics.delivered("digest", "chat", Outcome::Sent);
        metrics.interaction("form", std::time::Duration::from_millis(30));
        metrics.check_ins_recorded(2);
        let text = classic(&metrics.encode());
        let typed: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE ")?.split(' ').next())
            .collect();
        for sample in text.lines().filter(|l| !l.starts_with('#')) {
            let name = &sample[..sample.find(['{', ' ']).unwrap()];
            assert!(
                typed.iter().any(|t| name == *t
                    || ["_bucket", "_sum", "_count"]
                        .iter()
                        .any(|s| name.strip_prefix(*t) == Some(*s))),
                "{name} has no family of its name:\n{text}"
            );
        }
        assert!(
            text.contains("okrbot_check_ins_recorded_total 2\n"),
            "{text}"
        );
        assert!(!text.contains("# EOF"));
    }
}
