//! Use cases. Each takes the acting person, the workspace and a `now`, validates, decides, writes
//! in one transaction and returns an outcome or an [`OkrError`] a person can act on.
//! Adapters (console, Discord) translate input into these calls and outcomes into messages.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::grammar::{ParseError, ResolveError};
use crate::domain::model::{
    member_names, KeyResult, Member, NotATimeZone, NoteTooLong, Team, WorkspaceId,
};
use crate::domain::scoring::ScoringRules;
use crate::domain::value::{ValueError, ValueParseError};
use crate::outbox::{team_posts_to, Recipient};
use crate::store::{self, Conn, Store, StoreError};

pub mod alerts;
pub mod autocomplete;
pub mod carry_over;
pub mod check_in;
pub mod data;
pub mod digest;
pub mod fields;
pub mod kpi_push;
pub mod kpi_sources;
pub mod kpis;
pub mod nudge_replies;
pub mod nudges;
pub mod objectives;
pub mod people;
pub mod report;
pub mod schedule;
pub mod setup;
pub mod shares;
pub mod team_state;
pub mod undo;
pub mod webhooks;

/// Who is asking, in which workspace. `admin` comes from the platform (Discord's Manage Server,
/// the console's `--admin`); lead and owner rights are looked up per team and key result.
#[derive(Debug, Clone)]
pub struct Actor {
    pub workspace: WorkspaceId,
    pub user: String,
    pub admin: bool,
    /// Groups the person belongs to, as the workspace names them (the adapter's spelling,
    /// role): a team led by a role is led by everyone holding it.
    pub roles: Vec<String>,
}

/// A refusal or failure. The `Display` text is written for the person who asked: it says what
/// was wrong and how to fix it. `Internal` hides its cause from them; the log gets it whole.
#[derive(Debug, thiserror::Error)]
pub enum OkrError {
    #[error("{0}")]
    Invalid(String),
    #[error("{what} {reference:?} is unknown here{hint}", hint = hint_suffix(.hint))]
    NotFound {
        what: &'static str,
        reference: String,
        hint: Option<String>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("only {who} may {action}{hint}", hint = if who.contains("admin") { "" } else { "; ask them, or an admin, to do it" })]
    Forbidden { action: String, who: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    BadValue(#[from] ValueParseError),
    #[error(transparent)]
    Note(#[from] NoteTooLong),
    #[error(transparent)]
    Zone(#[from] NotATimeZone),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error("line {line}: {message}; nothing was recorded, fix that line and send them all again")]
    BulkLine { line: usize, message: String },
    /// A value far outside what the key result could mean: recorded only once confirmed.
    #[error("{0}")]
    Unconfirmed(String),
    #[error("something went wrong on our side and nothing was changed; please try again")]
    Internal(#[source] anyhow::Error),
}

fn hint_suffix(h: &Option<String>) -> String {
    h.as_ref().map(|h| format!(": {h}")).unwrap_or_default()
}

impl From<crate::domain::grammar::BulkLineError> for OkrError {
    fn from(e: crate::domain::grammar::BulkLineError) -> Self {
        OkrError::BulkLine {
            line: e.line,
            message: e.error.to_string(),
        }
    }
}

impl From<StoreError> for OkrError {
    fn from(e: StoreError) -> Self {
        OkrError::Internal(e.into())
    }
}

impl OkrError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        OkrError::Invalid(msg.into())
    }

    /// True when the database itself failed, as opposed to a refusal of bad input.
    pub fn is_internal(&self) -> bool {
        matches!(self, OkrError::Internal(_))
    }
}

pub type Result<T> = std::result::Result<T, OkrError>;

/// The service: the store plus the rules every use case shares.
#[derive(Clone)]
pub struct Okr {
    pub(crate) store: Store,
    pub(crate) rules: ScoringRules,
    pub(crate) period: chrono::Duration,
    /// How KPI sources are fetched, through one client for them all; webhooks keep to the same
    /// address rules, through one client of their own (`docs/kpis.md`, `docs/webhooks.md`).
    /// Clones of the service share both clients and so their connections.
    pub(crate) sources: crate::source::Fetcher,
    pub(crate) webhooks: crate::webhook::Poster,
    /// Turns to talk to a platform (each webhook's, Discord's), booked in the database so that
    /// every process on it, and everything in this one (the scheduler's outboxes, `/okr webhook
    /// test`), keeps one pace and a 429's hold holds them all.
    pub(crate) turns: crate::pace::Turns,
    pub(crate) metrics: crate::metrics::Shared,
    /// Rings when a write creates work for the scheduler (an alert, a snooze, a schedule change).
    pub(crate) changes: std::sync::Arc<tokio::sync::Notify>,
}

impl Okr {
    pub fn new(store: Store, config: &Config) -> Okr {
        let sources = crate::source::Policy {
            allow_private: config.http_sources.allow_private,
            allow_loopback: config.http_sources.allow_loopback,
            ..crate::source::Policy::default()
        };
        let webhooks = crate::webhook::Settings {
            pace: std::time::Duration::from_millis(config.webhooks.pace_ms),
            timeout: std::time::Duration::from_secs(config.webhooks.timeout_secs.max(1)),
        };
        let turns = crate::pace::Turns::shared(store.clone());
        Okr {
            store,
            rules: config.scoring,
            period: config.check_in_period(),
            webhooks: crate::webhook::Poster::new(sources.clone(), webhooks),
            sources: crate::source::Fetcher::new(sources),
            turns,
            changes: std::sync::Arc::new(tokio::sync::Notify::new()),
            metrics: std::sync::Arc::default(),
        }
    }

    /// Turns to talk to a platform, shared with every process on the database.
    pub fn turns(&self) -> &crate::pace::Turns {
        &self.turns
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn rules(&self) -> &ScoringRules {
        &self.rules
    }

    pub fn period(&self) -> chrono::Duration {
        self.period
    }

    /// Changes how KPI sources are fetched, and the address rules of webhooks (tests shorten
    /// the timeout and the backoff). New clients: connections made under the old rules are not
    /// reused under the new ones.
    pub fn set_source_policy(&mut self, policy: crate::source::Policy) {
        let settings = self.webhooks.settings().clone();
        self.webhooks = crate::webhook::Poster::new(policy.clone(), settings);
        self.sources = crate::source::Fetcher::new(policy);
    }

    /// The metrics, to be shared with a part of the process that outlives a borrow.
    pub fn metrics_handle(&self) -> crate::metrics::Shared {
        self.metrics.clone()
    }

    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The `/metrics` text as of `now`, the ledger's figures read fresh.
    pub async fn metrics_text(&self, now: DateTime<Utc>) -> Result<String> {
        let rows = {
            let mut c = self.store.read().await?;
            store::deliveries::pending_by_kind(&mut c).await?
        };
        self.metrics.set_pending(&rows, now);
        Ok(self.metrics.encode())
    }

    /// `/readyz`: the database answers, and the gateway is connected where there is one.
    pub async fn ready(&self) -> std::result::Result<String, String> {
        let mut c = self
            .store
            .read()
            .await
            .map_err(|e| format!("the database does not answer: {e}"))?;
        store::ping(&mut c)
            .await
            .map_err(|e| format!("the database does not answer: {e}"))?;
        if !self.metrics.gateway_ready() {
            return Err("the Discord gateway is not connected".into());
        }
        // What this process is among those sharing the database, when it shares a role.
        let roles: Vec<String> = self
            .metrics
            .roles()
            .into_iter()
            .map(|(role, holds, leads)| {
                let is = if leads { "leader" } else { "standby" };
                if holds.is_empty() {
                    format!("{role} {is}")
                } else {
                    format!("{role} {is} ({holds})")
                }
            })
            .collect();
        Ok(if roles.is_empty() {
            "ready".into()
        } else {
            format!("ready: {}", roles.join(", "))
        })
    }

    /// Changes how webhooks are posted to (tests shorten the pace and the timeout).
    pub fn set_webhook_settings(&mut self, settings: crate::webhook::Settings) {
        self.webhooks = crate::webhook::Poster::new(self.sources.policy().clone(), settings);
    }

    pub fn source_policy(&self) -> &crate::source::Policy {
        self.sources.policy()
    }

    pub fn webhook_settings(&self) -> &crate::webhook::Settings {
        self.webhooks.settings()
    }

    /// What every webhook post of this service goes through (the dispatcher's webhook lane).
    pub fn webhook_poster(&self) -> &crate::webhook::Poster {
        &self.webhooks
    }

    /// Tells the scheduler's loop to look again now instead of at its next due time.
    pub fn wake(&self) {
        self.changes.notify_one();
    }

    pub fn changes(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.changes.clone()
    }

    /// The workspace for a platform key, if it exists: reading one (an export) never creates it.
    pub async fn existing_workspace(&self, key: &str) -> Result<Option<WorkspaceId>> {
        let mut c = self.store.read().await?;
        Ok(store::workspaces::find(&mut c, key).await?)
    }

    /// The workspace for a platform key (`console:acme`, `discord:<guild>`), created on first use.
    pub async fn workspace(
        &self,
        key: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<WorkspaceId> {
        let mut tx = self.store.write().await?;
        let id = store::workspaces::ensure(&mut tx, key, name, now).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// Rights (`docs/permissions.md`).
pub(crate) fn is_lead(actor: &Actor, team: &Team) -> bool {
    actor.admin
        || team.leads.iter().any(|l| match l {
            Member::Person(p) => p == &actor.user,
            Member::Group(g) => actor.roles.contains(g),
        })
}

pub(crate) fn require_lead(actor: &Actor, team: &Team, action: &str) -> Result<()> {
    if is_lead(actor, team) {
        return Ok(());
    }
    Err(OkrError::Forbidden {
        action: action.to_owned(),
        who: lead_names(team),
    })
}

pub(crate) fn lead_names(team: &Team) -> String {
    if team.leads.is_empty() {
        format!("an admin (team {} has no lead yet)", team.name)
    } else {
        format!("the lead of {} ({})", team.name, member_names(&team.leads))
    }
}

pub(crate) fn may_update(actor: &Actor, team: &Team, kr: &KeyResult) -> bool {
    is_lead(actor, team) || kr.owner.as_deref() == Some(actor.user.as_str())
}

pub(crate) async fn team_named(c: &mut Conn, ws: WorkspaceId, name: &str) -> Result<Team> {
    let name = name.trim();
    if name.is_empty() {
        return Err(OkrError::invalid("give the team, e.g. team:Growth"));
    }
    match store::teams::by_name(c, ws, name).await? {
        Some(t) => Ok(t),
        None => {
            let teams = store::teams::list(c, ws).await?;
            let names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
            Err(OkrError::NotFound {
                what: "team",
                reference: name.to_owned(),
                hint: Some(if names.is_empty() {
                    "no team is set up yet; an admin starts with /okr setup team:<name> timezone:<zone>".into()
                } else {
                    format!("the teams are {}", names.join(", "))
                }),
            })
        }
    }
}

/// Where a team's posts go: its chat recipients ([`team_posts_to`]) and its active webhooks.
pub(crate) async fn team_posts(c: &mut Conn, team: &Team) -> Result<Vec<Recipient>> {
    let mut to = team_posts_to(team);
    to.extend(
        store::webhooks::active(c, team.id)
            .await?
            .into_iter()
            .map(Recipient::Webhook),
    );
    Ok(to)
}

pub(crate) async fn commit(tx: store::WriteTx) -> Result<()> {
    tx.commit().await?;
    Ok(())
}
