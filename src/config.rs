//! Layered configuration: built-in defaults <- `config/default.toml` (or `--config FILE`) <-
//! `OKRBOT_*` environment variables. The Discord token is deliberately not part of it: it is read
//! from `DISCORD_TOKEN` at the one place that needs it, so it can never end up in a dump of this.

use std::path::Path;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::domain::scoring::ScoringRules;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the data lives; a `sqlite://` URL, the file is created if missing.
    pub database_url: String,
    /// tracing filter for stderr logs.
    pub log: String,
    /// The check-in interval in days; staleness is measured in these.
    pub check_in_period_days: u32,
    pub scoring: ScoringRules,
    pub http_sources: HttpSources,
    pub http: Http,
    pub webhooks: Webhooks,
}

/// Team webhooks (`docs/webhooks.md`); which addresses they may reach is `http_sources`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Webhooks {
    /// The least time between two posts to one webhook, in milliseconds.
    pub pace_ms: u64,
    /// How long a post may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks {
            pace_ms: 1000,
            timeout_secs: 10,
        }
    }
}

/// The HTTP listener (`docs/kpis.md`, "Readings by push").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Http {
    /// Where it listens, in `okrbot run` and `okrbot schedule run`.
    pub listen: String,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            listen: "127.0.0.1:8088".into(),
        }
    }
}

/// KPI HTTP sources (`docs/kpis.md`, "HTTP sources").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSources {
    /// Let sources reach loopback, private and link-local addresses (tests, a local network).
    pub allow_private: bool,
    /// Let sources reach loopback addresses only (an exporter on the same machine); every other
    /// private address stays refused, on every hop.
    pub allow_loopback: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://okrbot.db".into(),
            log: "warn".into(),
            check_in_period_days: 7,
            scoring: ScoringRules::default(),
            http_sources: HttpSources::default(),
            http: Http::default(),
            webhooks: Webhooks::default(),
        }
    }
}

impl Config {
    /// Loads the layers; a missing file is not an error (the built-in defaults stand), a
    /// malformed one is.
    pub fn load(file: &Path) -> Result<Config, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("OKRBOT_").split("__"))
            .extract()
            .map_err(Box::new)
    }

    pub fn check_in_period(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.check_in_period_days.max(1)))
    }
}
