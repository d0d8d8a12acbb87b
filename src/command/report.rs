//! Reading and posting: `/okr status` (and `objective list | show`, `kr list`), `/okr digest`,
//! `/okr schedule show | set`, `/okr export`, `/okr help`.

use chrono::{DateTime, Utc};

use super::{Command, HelpTopic, Options, Reply, Surface};
pub use crate::service::data::ExportFormat;
use crate::service::report::StatusScope;
use crate::service::schedule::ScheduleChange;
use crate::service::{Actor, Okr, OkrError, Result};

/// Reading and posting.
#[derive(Debug, Clone)]
pub enum ReportCommand {
    /// `/okr status`, `/okr objective list | show`, `/okr kr list`: one scored report, of the
    /// running cycle unless one is named.
    Status {
        scope: StatusScope,
        cycle: Option<String>,
        /// Only the key results this person owns (`kr list team:Growth owner:bob`).
        owner: Option<String>,
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
}

/// Which report a status-like command asks for. The most specific option wins: an objective,
/// then a team, then an owner (`me` is the asker), else every team.
pub fn status_scope(
    objective: Option<String>,
    team: Option<String>,
    owner: Option<String>,
    me: bool,
) -> StatusScope {
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    if let Some(o) = given(objective) {
        StatusScope::Objective(o)
    } else if let Some(t) = given(team) {
        StatusScope::Team(t)
    } else if me {
        StatusScope::Me
    } else if let Some(p) = given(owner) {
        StatusScope::Owner(p)
    } else {
        StatusScope::All
    }
}

fn yes(v: Option<String>) -> bool {
    v.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "true" | "yes" | "1" | "me"
        )
    })
}

/// A team's digest is a post about its running cycle; a past one is read, not posted.
pub fn past_team_digest(cycle: &str) -> crate::service::OkrError {
    crate::service::OkrError::invalid(format!(
        "a team's digest posts its running cycle; to look back at {cycle}, use /okr status team:<team> cycle:{cycle}, or /okr digest scope:workspace cycle:{cycle} for the alignment tree"
    ))
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let positional = o.positional.trim();
    let built = match path {
        "status" => ReportCommand::Status {
            scope: status_scope(
                o.opt("objective"),
                o.opt("team"),
                o.opt("owner"),
                positional.eq_ignore_ascii_case("me") || yes(o.raw("me")),
            ),
            cycle: o.opt("cycle"),
            owner: None,
        },
        "digest" => {
            if o.opt("scope")
                .is_some_and(|s| s.eq_ignore_ascii_case("workspace"))
            {
                ReportCommand::Rollup {
                    cycle: o.opt("cycle"),
                }
            } else if let Some(cycle) = o.opt("cycle") {
                return Err(past_team_digest(&cycle));
            } else {
                ReportCommand::Digest {
                    team: o.need("team", "team:Growth (or scope:workspace)")?,
                }
            }
        }
        "schedule show" => ReportCommand::ScheduleShow {
            team: o.need("team", "team:Growth")?,
        },
        "schedule set" => ReportCommand::ScheduleSet {
            team: o.need("team", "team:Growth")?,
            change: ScheduleChange {
                prompt: o.opt("prompt"),
                reminder: o.opt("reminder"),
                digest: o.opt("digest"),
                hours: o.opt("hours"),
            },
        },
        "export" => ReportCommand::Export(export_format(o.opt("format").as_deref())?),
        "help" => return Ok(Some(Command::Help(Surface::Console, HelpTopic::Everything))),
        _ => return Ok(None),
    };
    Ok(Some(built.into()))
}

/// `format:` as typed; markdown when none is given.
pub fn export_format(text: Option<&str>) -> Result<ExportFormat> {
    let text = text.unwrap_or("markdown");
    ExportFormat::parse(text).ok_or_else(|| {
        OkrError::invalid(format!(
            "format:{text} is not known: use json, csv or markdown"
        ))
    })
}

impl ReportCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            ReportCommand::Status {
                scope,
                cycle,
                owner,
            } => Reply::Status(
                okr.status_in(actor, scope, cycle.as_deref(), owner.as_deref(), now)
                    .await?,
            ),
            ReportCommand::Digest { team } => {
                let digest = okr.digest_now(actor, &team, now).await?;
                Reply::DigestQueued { team, digest }
            }
            ReportCommand::Rollup { cycle } => {
                let (cycle, roots) = okr.rollup_in(actor, cycle.as_deref(), now).await?;
                Reply::Rollup {
                    cycle: cycle.name,
                    roots,
                    kpis: okr.kpi_list(actor, None, now).await?,
                    now,
                }
            }
            ReportCommand::ScheduleShow { team } => {
                Reply::Schedules(okr.schedule_show(actor, &team, now).await?)
            }
            ReportCommand::ScheduleSet { team, change } => {
                Reply::Schedules(okr.schedule_set(actor, &team, change, now).await?)
            }
            ReportCommand::Export(format) => Reply::Export {
                doc: Box::new(okr.export(actor, now).await?),
                format,
            },
        })
    }
}
