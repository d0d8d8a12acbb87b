//! Layered configuration: built-in defaults <- `config/default.toml` (or `--config FILE`) <-
//! `OKRBOT_*` environment variables. The Discord token is deliberately not part of it: it is read
//! by [`discord_token`] at the one place that needs it, so it can never end up in a dump of this.

use std::path::Path;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::domain::scoring::ScoringRules;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the data lives: a `sqlite://` URL (the file is created if missing) or a
    /// `postgres://` one (an existing database; the schema is made on first start).
    pub database_url: String,
    /// tracing filter for stderr logs.
    pub log: String,
    /// The check-in interval in days; staleness is measured in these.
    pub check_in_period_days: u32,
    pub scoring: ScoringRules,
    pub http_sources: HttpSources,
    pub http: Http,
    pub webhooks: Webhooks,
    pub discord: Discord,
    /// Whether `okrbot run` runs the scheduler (deciding and delivering) beside the gateway and
    /// the listener. `false` (or `okrbot run --no-scheduler`) leaves it to another process, e.g.
    /// one running `okrbot schedule run`.
    pub scheduler: bool,
}

/// A setting written as text or as a number (`shard_range = 2` in the file, or
/// `OKRBOT_DISCORD__SHARD_RANGE=2`, which the environment gives as a number), read as text.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Setting {
        Text(String),
        Number(u64),
    }
    Ok(Option::<Setting>::deserialize(d)?.map(|s| match s {
        Setting::Text(t) => t,
        Setting::Number(n) => n.to_string(),
    }))
}

/// Where Discord is (`docs/discord.md`, "Where Discord is").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Discord {
    /// The REST base URL (serenity asks it `GET /gateway/bot` for the gateway's address).
    pub api_base: String,
    /// How long a command may work before its answer is deferred, in milliseconds
    /// (`docs/discord.md`, "Answering in time").
    pub answer_within_ms: u64,
    /// How many shards the bot's gateway is split into (Discord asks for one per 2,500
    /// servers); 1 unless set. Every process must be given the same number.
    pub shards: u32,
    /// Which of them this process connects: `first-last`, or one shard (`2`); all of them
    /// unless set. Processes given the same range stand by for each other: each shard is
    /// connected by one process at a time (a lock per shard).
    #[serde(deserialize_with = "text_or_number")]
    pub shard_range: Option<String>,
}

/// How long a command may work before its answer is deferred, by default: far inside
/// Discord's 3 s, and short enough that a burst of commands on a busy bot is still acknowledged
/// at once (`docs/discord.md`).
pub const ANSWER_WITHIN_MS: u64 = 40;

/// Discord's own REST base.
pub const DISCORD_API_BASE: &str = "https://discord.com";

impl Default for Discord {
    fn default() -> Self {
        Discord {
            api_base: DISCORD_API_BASE.into(),
            answer_within_ms: ANSWER_WITHIN_MS,
            shards: 1,
            shard_range: None,
        }
    }
}

impl Discord {
    /// The shards this process connects, or why the settings name none.
    pub fn shards(&self) -> Result<crate::domain::shards::ShardRange, String> {
        crate::domain::shards::ShardRange::parse(self.shards, self.shard_range.as_deref())
    }

    /// The base to send requests to instead of Discord's own, or `None` for Discord's own.
    /// Plain `http://` is refused except to loopback: the token travels with every request.
    pub fn custom_base(&self) -> Result<Option<String>, String> {
        let base = self.api_base.trim().trim_end_matches('/');
        if base.is_empty() || base == DISCORD_API_BASE {
            return Ok(None);
        }
        let url = reqwest::Url::parse(base).map_err(|_| {
            format!("discord.api_base {base:?} is not a URL: give one like https://discord.com")
        })?;
        match url.scheme() {
            "https" => {}
            "http" => {
                let host = url.host_str().unwrap_or_default();
                let bare = host.trim_start_matches('[').trim_end_matches(']');
                let loopback = host.eq_ignore_ascii_case("localhost")
                    || bare
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    return Err(format!(
                        "discord.api_base {base:?} is plain http: the bot token travels with every request, so it must be https (http only to 127.0.0.1 or localhost)"
                    ));
                }
            }
            _ => {
                return Err(format!(
                    "discord.api_base {base:?} is not an http(s) URL: give one like https://discord.com"
                ))
            }
        }
        if url.path() != "/" && !url.path().is_empty() {
            return Err(format!(
                "discord.api_base {base:?} has a path: give the base alone (okrbot adds /api/v10), e.g. https://discord.com"
            ));
        }
        Ok(Some(base.to_owned()))
    }
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
    /// How long a client may take to send a request's line and headers; a connection idle this
    /// long (new or kept alive) is closed too (`docs/operations.md`, "The listener's limits").
    pub header_timeout_ms: u64,
    /// How long a pushed body may take to arrive.
    pub body_timeout_ms: u64,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: u32,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            listen: "127.0.0.1:8088".into(),
            header_timeout_ms: 10_000,
            body_timeout_ms: 10_000,
            max_connections: 512,
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
            discord: Discord::default(),
            scheduler: true,
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

/// Where the Discord token was looked for, in order, for the message when none is found.
const TOKEN_SOURCES: &str = "DISCORD_TOKEN, the file named by DISCORD_TOKEN_FILE, or the systemd \
     credential discord_token (LoadCredential=, see deploy/okrbot.service)";

/// The Discord token: `DISCORD_TOKEN`, else the file `DISCORD_TOKEN_FILE` names, else the
/// systemd credential `$CREDENTIALS_DIRECTORY/discord_token`. A file's surrounding whitespace
/// (an editor's newline) is not part of the token. `env` is the environment, passed in so the
/// order is tested without touching the process's own. Errors never hold the token.
pub fn discord_token(env: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(t) = set("DISCORD_TOKEN") {
        return Ok(t.trim().to_owned());
    }
    let from_file = |path: std::path::PathBuf, what: &str| -> Result<String, String> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{what} {} cannot be read: {e}", path.display()))?;
        let t = text.trim();
        if t.is_empty() {
            return Err(format!(
                "{what} {} is empty: put the bot's token in it",
                path.display()
            ));
        }
        Ok(t.to_owned())
    };
    if let Some(path) = set("DISCORD_TOKEN_FILE") {
        return from_file(path.into(), "DISCORD_TOKEN_FILE");
    }
    if let Some(dir) = set("CREDENTIALS_DIRECTORY") {
        let path = Path::new(&dir).join("discord_token");
        if path.exists() {
            return from_file(path, "the credential");
        }
    }
    Err(format!(
        "no Discord token: give your bot's token in {TOKEN_SOURCES} (see the README). \
         Without Discord, try `okrbot console` or `okrbot demo`."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn a_shard_range_is_read_as_text_or_as_a_number() {
        let read = |toml: &str| {
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::string(toml))
                .extract::<Config>()
                .expect("the settings read")
                .discord
                .shards()
        };
        let r = |first, last, total| crate::domain::shards::ShardRange { first, last, total };
        assert_eq!(read(""), Ok(r(0, 0, 1)));
        assert_eq!(
            read("[discord]\nshards = 4\nshard_range = 2"),
            Ok(r(2, 2, 4))
        );
        assert_eq!(
            read("[discord]\nshards = 4\nshard_range = \"1-3\""),
            Ok(r(1, 3, 4))
        );
        assert!(read("[discord]\nshards = 2\nshard_range = \"1-3\"")
            .unwrap_err()
            .contains("outside the 2 shard(s)"));
    }

    #[test]
    fn a_custom_discord_base_is_https_or_loopback_http() {
        let base = |s: &str| {
            Discord {
                api_base: s.into(),
                ..Discord::default()
            }
            .custom_base()
        };
        assert_eq!(base("https://discord.com/"), Ok(None));
        assert_eq!(base(""), Ok(None));
        assert_eq!(
            base("https://proxy.example.com"),
            Ok(Some("https://proxy.example.com".into()))
        );
        assert_eq!(
            base("http://127.0.0.1:8080"),
            Ok(Some("http://127.0.0.1:8080".into()))
        );
        assert!(base("http://localhost:1").unwrap().is_some());
        assert!(base("http://[::1]:1").unwrap().is_some());
        assert!(base("http://proxy.example.com")
            .unwrap_err()
            .contains("must be https"));
        assert!(base("http://10.0.0.1")
            .unwrap_err()
            .contains("must be https"));
        assert!(base("ftp://x").is_err());
        assert!(base("https://discord.com/api/v10")
            .unwrap_err()
            .contains("has a path"));
    }

    #[test]
    fn the_token_comes_from_the_variable_then_the_file_then_the_credential() {
        let dir = std::env::temp_dir().join(format!("okrbot-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        std::fs::write(dir.join("discord_token"), "  from-credential\n").unwrap();
        let path = file.display().to_string();
        let creds = dir.display().to_string();

        let all = env(&[
            ("DISCORD_TOKEN", "from-env".into()),
            ("DISCORD_TOKEN_FILE", path.clone()),
            ("CREDENTIALS_DIRECTORY", creds.clone()),
        ]);
        assert_eq!(discord_token(all).as_deref(), Ok("from-env"));
        let file_first = env(&[
            ("DISCORD_TOKEN", " ".into()),
            ("DISCORD_TOKEN_FILE", path.clone()),
            ("CREDENTIALS_DIRECTORY", creds.clone()),
        ]);
        assert_eq!(discord_token(file_first).as_deref(), Ok("from-file"));
        let credential = env(&[("CREDENTIALS_DIRECTORY", creds)]);
        assert_eq!(discord_token(credential).as_deref(), Ok("from-credential"));

        let missing = env(&[("DISCORD_TOKEN_FILE", dir.join("nope").display().to_string())]);
        assert!(discord_token(missing)
            .unwrap_err()
            .contains("cannot be read"));
        std::fs::write(&file, "\n").unwrap();
        let empty = env(&[("DISCORD_TOKEN_FILE", path)]);
        assert!(discord_token(empty).unwrap_err().contains("is empty"));
        let none = discord_token(env(&[])).unwrap_err();
        assert!(
            none.contains("DISCORD_TOKEN_FILE") && none.contains("okrbot demo"),
            "{none}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
