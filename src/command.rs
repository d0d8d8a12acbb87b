//! The one place both adapters meet the core. Every thing a person can ask okrbot is a
//! [`Command`]; [`apply`] runs it against the service and returns a [`Reply`], which
//! `render::reply` turns into a platform-neutral message once for every adapter.
//!
//! Adapters only translate: the console parses a line into an [`Options`] bag and calls
//! [`from_text`]; each Discord slash command builds its `Command` from typed options. The
//! [`catalogue`] lists every command with its options and an example; the console's parser and
//! both adapters' help are generated from it (see `docs/architecture.md`).
//!
//! Each group file (`team`, `objective`, `key_result`, `check_in`, `report`) holds, for its
//! commands, the catalogue entries, the text builder and the `apply` arm, so adding an option
//! to a command touches that file, the Discord command that offers it, and the use case.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use crate::service::{Actor, Okr, OkrError, Result};

mod check_in;
mod key_result;
mod kpi;
mod objective;
mod report;
mod team;
mod webhook;

pub use crate::domain::catalogue::{spec, HelpTopic, Spec, Surface, Who};
pub use crate::domain::view::Reply;
pub use check_in::{confidence, typed, Update};
pub use report::{export_format, past_team_digest, status_scope, ExportFormat};
pub use team::CycleNew;

use crate::service::check_in::CheckInRequest;
use crate::service::objectives::{KrEdit, KrInput, ObjectiveEdit, ObjectiveInput};
use crate::service::report::StatusScope;
use crate::service::schedule::ScheduleChange;
use crate::service::setup::SetupInput;

/// Everything a person can ask, with its inputs as the core takes them.
#[derive(Debug, Clone)]
pub enum Command {
    /// What to type next, in the asking adapter's syntax.
    Help(Surface, HelpTopic),
    Setup(SetupInput),
    CycleNew(CycleNew),
    CycleList,
    CycleClose {
        name: String,
    },
    ObjectiveAdd(ObjectiveInput),
    ObjectiveEdit {
        objective: String,
        edit: ObjectiveEdit,
    },
    ObjectiveAlign {
        objective: String,
        /// `None` (or empty) removes the alignment.
        parent: Option<String>,
    },
    /// `/okr objective share objective:SUP-1 team:Engineering` (`share: false`: `unshare`).
    ObjectiveShare {
        objective: String,
        team: String,
        share: bool,
    },
    ObjectiveClose {
        objective: String,
    },
    KrAdd(Box<KrInput>),
    KrEdit {
        kr: String,
        edit: KrEdit,
    },
    KrRemove {
        kr: String,
    },
    /// Brings back a key result `kr remove` archived.
    KrRestore {
        kr: String,
    },
    /// `/okr status`, `/okr objective list | show`, `/okr kr list`: one scored report, of the
    /// running cycle unless one is named.
    Status {
        scope: StatusScope,
        cycle: Option<String>,
        /// Only the key results this person owns (`kr list team:Growth owner:bob`).
        owner: Option<String>,
    },
    /// A key result's check-ins (`/okr history`, `/okr kr show`).
    History {
        kr: String,
    },
    Update(Update),
    /// One update per line, all or nothing.
    UpdateBulk {
        text: String,
        source: crate::domain::model::CheckInSource,
    },
    NoChange {
        kr: String,
        source: crate::domain::model::CheckInSource,
        idempotency_key: Option<String>,
    },
    /// Every key result of the asker's latest prompt keeps its value.
    NoChangeAll {
        source: crate::domain::model::CheckInSource,
    },
    Snooze,
    /// Takes back the asker's latest check-in (on `kr`, when given).
    Undo {
        kr: Option<String>,
    },
    /// Takes back any check-in of `kr` (its latest, or the one numbered `check_in`).
    Withdraw {
        kr: String,
        check_in: Option<String>,
        reason: Option<String>,
    },
    /// Post a team's digest now.
    Digest {
        team: String,
    },
    /// The workspace's alignment tree, of the running cycle or the one named.
    Rollup {
        cycle: Option<String>,
    },
    ScheduleShow {
        team: String,
    },
    ScheduleSet {
        team: String,
        change: ScheduleChange,
    },
    Export(ExportFormat),
    KpiAdd(crate::service::kpis::KpiInput),
    /// A reading by hand: `/kpi set kpi:conversion value:6.4%`.
    KpiSet {
        kpi: String,
        value: String,
    },
    KpiRange {
        kpi: String,
        min: Option<String>,
        max: Option<String>,
    },
    /// `/kpi edit kpi:conversion owner:bob cadence:monthly`.
    KpiEdit {
        kpi: String,
        owner: Option<String>,
        cadence: Option<String>,
    },
    KpiList {
        team: Option<String>,
    },
    KpiShow {
        kpi: String,
    },
    KpiLink {
        kpi: String,
        objective: String,
    },
    /// Start an OKR to bring the KPI back into range.
    KpiOkr {
        kpi: String,
    },
    KpiRemove {
        kpi: String,
    },
    /// Take back a reading: the latest that counts, or `reading:#n` from `/kpi show`.
    KpiWithdraw {
        kpi: String,
        reading: Option<String>,
        reason: Option<String>,
    },
    /// Where the KPI is read from; `url:none` removes it. The header is a secret.
    KpiSource {
        kpi: String,
        url: String,
        pointer: Option<String>,
        cron: Option<String>,
        header: Option<String>,
    },
    KpiFetch {
        kpi: String,
    },
    KpiToken {
        kpi: String,
    },
    /// The URL is a secret: replies and logs show it masked.
    WebhookAdd {
        team: String,
        kind: String,
        url: crate::domain::webhook::SecretUrl,
    },
    WebhookList {
        team: String,
    },
    WebhookRemove {
        team: String,
        webhook: String,
    },
    /// Posts a sample now; to every webhook of the team when none is named.
    WebhookTest {
        team: String,
        webhook: Option<String>,
    },
}

/// Runs one command as `actor` at `now`: the core validates, decides and writes in one
/// transaction, and the outcome comes back as a [`Reply`] (or a refusal worded for the asker).
pub async fn apply(
    okr: &Okr,
    actor: &Actor,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Reply> {
    match command {
        Command::Help(surface, topic) => Ok(Reply::Help {
            surface,
            topic,
            commands: for_surface(surface).filter(|s| topic.covers(s)).collect(),
        }),
        c @ (Command::Setup(_)
        | Command::CycleNew(_)
        | Command::CycleList
        | Command::CycleClose { .. }) => team::apply(okr, actor, c, now).await,
        c @ (Command::ObjectiveAdd(_)
        | Command::ObjectiveEdit { .. }
        | Command::ObjectiveAlign { .. }
        | Command::ObjectiveShare { .. }
        | Command::ObjectiveClose { .. }) => objective::apply(okr, actor, c, now).await,
        c @ (Command::KrAdd(_)
        | Command::KrEdit { .. }
        | Command::KrRemove { .. }
        | Command::KrRestore { .. }) => key_result::apply(okr, actor, c, now).await,
        c @ (Command::Update(_)
        | Command::UpdateBulk { .. }
        | Command::NoChange { .. }
        | Command::NoChangeAll { .. }
        | Command::Snooze
        | Command::Undo { .. }
        | Command::Withdraw { .. }
        | Command::History { .. }) => check_in::apply(okr, actor, c, now).await,
        c @ (Command::Status { .. }
        | Command::Digest { .. }
        | Command::Rollup { .. }
        | Command::ScheduleShow { .. }
        | Command::ScheduleSet { .. }
        | Command::Export(_)) => report::apply(okr, actor, c, now).await,
        c @ (Command::KpiAdd(_)
        | Command::KpiSet { .. }
        | Command::KpiRange { .. }
        | Command::KpiEdit { .. }
        | Command::KpiList { .. }
        | Command::KpiShow { .. }
        | Command::KpiLink { .. }
        | Command::KpiOkr { .. }
        | Command::KpiRemove { .. }
        | Command::KpiWithdraw { .. }
        | Command::KpiSource { .. }
        | Command::KpiFetch { .. }
        | Command::KpiToken { .. }) => kpi::apply(okr, actor, c, now).await,
        c @ (Command::WebhookAdd { .. }
        | Command::WebhookList { .. }
        | Command::WebhookRemove { .. }
        | Command::WebhookTest { .. }) => webhook::apply(okr, actor, c, now).await,
    }
}

/// Every command okrbot knows, in the order help lists it: each group's entries live beside
/// its commands.
pub fn catalogue() -> &'static [&'static Spec] {
    static ALL: LazyLock<Vec<&'static Spec>> = LazyLock::new(|| {
        std::iter::once(&report::HELP)
            .chain(team::SPECS)
            .chain(objective::SPECS)
            .chain(key_result::SPECS)
            .chain(check_in::SPECS)
            .chain(report::SPECS)
            .chain(kpi::SPECS)
            .chain(webhook::SPECS)
            .chain(std::iter::once(&report::CLOCK))
            .collect()
    });
    &ALL
}

/// `text` with every command spelled as `surface` types it (`/okr-setup` on Discord): the core
/// words its texts with the console's spelling.
pub fn respell(text: &str, surface: Surface) -> std::borrow::Cow<'_, str> {
    crate::domain::catalogue::respell(catalogue(), text, surface)
}

/// The entry for `path` (`kr add`), if there is one.
pub fn find(path: &str) -> Option<&'static Spec> {
    catalogue().iter().copied().find(|s| s.path == path)
}

/// The commands a surface offers, in help order.
pub fn for_surface(s: Surface) -> impl Iterator<Item = &'static Spec> {
    catalogue()
        .iter()
        .copied()
        .filter(move |c| c.available_in(s))
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
    let path = spec.path;
    team::from_text(path, o)
        .or_else(|| objective::from_text(path, o))
        .or_else(|| key_result::from_text(path, o))
        .or_else(|| check_in::from_text(path, o))
        .or_else(|| report::from_text(path, o))
        .or_else(|| kpi::from_text(path, o))
        .or_else(|| webhook::from_text(path, o))
        .unwrap_or_else(|| {
            Err(OkrError::invalid(format!(
                "/okr {path} is not available here: /okr help lists the commands"
            )))
        })
}

/// A request to check in through the typed form, ready for [`Command::Update`].
pub fn update(request: CheckInRequest) -> Command {
    Command::Update(Update::Request(Box::new(request)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_listed_once() {
        for (i, s) in catalogue().iter().enumerate() {
            assert!(
                catalogue()[i + 1..].iter().all(|t| t.path != s.path),
                "{} is listed twice",
                s.path
            );
        }
    }

    #[test]
    fn discord_spells_setup_as_its_own_command_and_the_console_as_typed() {
        let text = "an admin starts with /okr setup team:<name>; then /okr kr add";
        assert_eq!(
            respell(text, Surface::Discord),
            "an admin starts with /okr-setup team:<name>; then /okr kr add"
        );
        assert_eq!(respell(text, Surface::Console), text);
        let setup = find("setup").expect("listed");
        assert_eq!(setup.invocation(Surface::Discord), "/okr-setup");
        assert_eq!(setup.invocation(Surface::Console), "/okr setup");
        let set = find("kpi set").expect("listed");
        assert_eq!(set.invocation(Surface::Discord), "/kpi set");
    }

    #[test]
    fn every_example_uses_only_the_options_of_its_command() {
        for s in catalogue() {
            for word in s.example.split_whitespace() {
                if let Some((name, _)) = word.split_once(':') {
                    if name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                        assert!(
                            s.options.contains(&name),
                            "/okr {} shows {name}: which it does not take",
                            s.path
                        );
                    }
                }
            }
        }
    }
}
