//! The one place both adapters meet the core. Every thing a person can ask okrbot is a
//! [`Command`]; [`apply`] runs it against the service and returns a [`Reply`], which
//! `render::reply` turns into a platform-neutral message once for every adapter.
//!
//! Adapters only translate: the console parses a line into an [`Options`] bag and calls
//! [`from_text`]; each Discord slash command builds its `Command` from typed options. Text
//! becomes values before a command is built (the update grammar and the typed form both parse
//! into `domain::grammar::CheckInRequest`), so a use case receives values, not text to re-read.
//! The [`catalogue`] (`domain::catalogue`) lists every command with its options and an example;
//! the console's parser and both adapters' help are generated from it.
//!
//! Each group file (`team`, `objective`, `key_result`, `check_in`, `report`, `kpi`, `webhook`)
//! holds its command enum, its text builder (`from_text`, for the catalogue paths it owns) and
//! its `apply`, which matches every command of the group: dispatch is exhaustive, so a command
//! cannot be routed to a group that does not know it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::service::{Actor, Okr, OkrError, Result};

mod check_in;
mod key_result;
mod kpi;
mod objective;
mod people;
mod report;
mod team;
mod webhook;

pub use crate::domain::catalogue::{
    catalogue, find, for_surface, respell, HelpTopic, Spec, Surface, Who,
};
pub use crate::domain::grammar::CheckInRequest;
pub use crate::domain::view::Reply;
pub use check_in::{answer, bulk, check_in, confidence, CheckInCommand};
pub use key_result::KrCommand;
pub use kpi::{kpi_reading, KpiCommand};
pub use objective::ObjectiveCommand;
pub use people::PeopleCommand;
pub use report::{export_format, past_team_digest, status_scope, ExportFormat, ReportCommand};
pub use team::{CycleNew, TeamCommand};
pub use webhook::WebhookCommand;

/// Everything a person can ask, by group; each group's commands carry their inputs as the core
/// takes them, and each group applies its own, so a command cannot reach the wrong use case.
#[derive(Debug, Clone)]
pub enum Command {
    /// What to type next, in the asking adapter's syntax.
    Help(Surface, HelpTopic),
    Team(TeamCommand),
    Objective(ObjectiveCommand),
    KeyResult(KrCommand),
    CheckIn(CheckInCommand),
    People(PeopleCommand),
    Report(ReportCommand),
    Kpi(KpiCommand),
    Webhook(WebhookCommand),
}

/// Each group's command is a [`Command`].
macro_rules! groups {
    ($($group:ty => $variant:ident),* $(,)?) => {
        $(impl From<$group> for Command {
            fn from(c: $group) -> Command {
                Command::$variant(c)
            }
        })*
    };
}

groups! {
    TeamCommand => Team,
    ObjectiveCommand => Objective,
    KrCommand => KeyResult,
    CheckInCommand => CheckIn,
    PeopleCommand => People,
    ReportCommand => Report,
    KpiCommand => Kpi,
    WebhookCommand => Webhook,
}

/// Runs one command as `actor` at `now`: the core validates, decides and writes in one
/// transaction, and the outcome comes back as a [`Reply`] (or a refusal worded for the asker).
pub async fn apply(
    okr: &Okr,
    actor: &Actor,
    command: impl Into<Command>,
    now: DateTime<Utc>,
) -> Result<Reply> {
    match command.into() {
        Command::Help(surface, topic) => Ok(Reply::Help {
            surface,
            topic,
            commands: for_surface(surface).filter(|s| topic.covers(s)).collect(),
        }),
        Command::Team(c) => c.apply(okr, actor, now).await,
        Command::Objective(c) => c.apply(okr, actor, now).await,
        Command::KeyResult(c) => c.apply(okr, actor, now).await,
        Command::CheckIn(c) => c.apply(okr, actor, now).await,
        Command::People(c) => c.apply(okr, actor, now).await,
        Command::Report(c) => c.apply(okr, actor, now).await,
        Command::Kpi(c) => c.apply(okr, actor, now).await,
        Command::Webhook(c) => c.apply(okr, actor, now).await,
    }
}

impl Command {
    /// The same update, with a value far outside the key result's range confirmed; any other
    /// command unchanged.
    pub fn confirmed(self) -> Command {
        match self {
            Command::CheckIn(CheckInCommand::Update(r)) => {
                Command::CheckIn(CheckInCommand::Update(Box::new(r.confirm())))
            }
            other => other,
        }
    }
}

/// A command typed as text: the option values by name, and the words between the command and
/// its first option (the update grammar, `status me`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub positional: String,
    pub values: HashMap<&'static str, String>,
}

impl Options {
    /// The option's value, if given and not blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .filter(|v| !v.trim().is_empty())
            .cloned()
    }

    /// The option's value as given, blank included (a blank `parent:` removes an alignment).
    pub fn raw(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }

    pub fn need(&self, name: &str, example: &str) -> Result<String> {
        self.opt(name)
            .ok_or_else(|| OkrError::invalid(format!("{name}: is missing: e.g. {example}")))
    }

    /// The option, or else the words before the options (`/okr nochange GRO-1.1`).
    pub fn opt_or_positional(&self, name: &str) -> Option<String> {
        self.opt(name).or_else(|| {
            let p = self.positional.trim();
            (!p.is_empty()).then(|| p.to_owned())
        })
    }
}

/// Builds the command a catalogue entry names from its typed-out options. The console's
/// simulated clock is not a core command and is refused here; the console handles it itself.
pub fn from_text(spec: &Spec, o: &Options) -> Result<Command> {
    // Each group reads the paths it owns; a path none owns is not a core command.
    type Parse = fn(&str, &Options) -> Result<Option<Command>>;
    const GROUPS: [Parse; 8] = [
        team::from_text,
        objective::from_text,
        key_result::from_text,
        check_in::from_text,
        people::from_text,
        report::from_text,
        kpi::from_text,
        webhook::from_text,
    ];
    for parse in GROUPS {
        if let Some(command) = parse(spec.path, o)? {
            return Ok(command);
        }
    }
    Err(OkrError::invalid(format!(
        "/okr {} is not available here: /okr help lists the commands",
        spec.path
    )))
}

/// A request to check in, parsed already, as a command.
pub fn update(request: CheckInRequest) -> Command {
    CheckInCommand::Update(Box::new(request)).into()
}
