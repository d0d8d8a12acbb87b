//! Reading and posting: `/okr status` (and `objective list | show`, `kr list`), `/okr digest`,
//! `/okr schedule show | set`, `/okr export`, `/okr help`.

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{spec, Command, HelpTopic, Options, Reply, Spec, Surface, Who};
pub use crate::service::data::ExportFormat;
use crate::service::report::StatusScope;
use crate::service::schedule::ScheduleChange;
use crate::service::{Actor, Okr, OkrError, Result};

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

/// Help comes first in help.
pub(super) const HELP: Spec = spec(
    "help",
    &[],
    Who::Anyone,
    "what okrbot does and what to type next",
    "",
);

/// The console's simulated clock: listed so the console parses and explains it, though it is
/// the console's own command, not the core's.
pub(super) const CLOCK: Spec = Spec {
    path: "clock",
    options: &["advance", "set"],
    who: Who::Anyone,
    summary: "move the simulated clock (a console started with --now)",
    example: "advance:1d",
    only: Some(Surface::Console),
    discord_top_level: None,
};

/// The catalogue entries of this group, in help order.
pub(super) const SPECS: &[Spec] = &[
    spec(
        "status",
        &["team", "objective", "me", "cycle"],
        Who::Anyone,
        "where things stand (only you see it)",
        "team:Growth",
    ),
    spec(
        "digest",
        &["team", "scope", "cycle"],
        Who::Anyone,
        "post a team's digest now, or scope:workspace for the alignment tree (cycle: a past one)",
        "team:Growth",
    ),
    spec(
        "schedule show",
        &["team"],
        Who::Anyone,
        "check-in, reminder and digest times",
        "team:Growth",
    ),
    spec(
        "schedule set",
        &["team", "prompt", "reminder", "digest", "hours"],
        Who::Lead,
        "change them: cron in the team's zone; hours: when the channel is posted to (or always)",
        "team:Growth prompt:\"0 9 * * Mon\" reminder:\"0 9 * * Wed\" digest:\"0 16 * * Mon\" hours:\"09:00-18:00 Mon-Fri\"",
    ),
    spec(
        "export",
        &["format"],
        Who::Anyone,
        "the workspace's OKRs as json, csv or markdown",
        "format:json",
    ),
];

/// A team's digest is a post about its running cycle; a past one is read, not posted.
pub fn past_team_digest(cycle: &str) -> crate::service::OkrError {
    crate::service::OkrError::invalid(format!(
        "a team's digest posts its running cycle; to look back at {cycle}, use /okr status team:<team> cycle:{cycle}, or /okr digest scope:workspace cycle:{cycle} for the alignment tree"
    ))
}

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let positional = o.positional.trim();
    let built = match path {
        "status" => Ok(Command::Status {
            scope: status_scope(
                o.opt("objective"),
                o.opt("team"),
                o.opt("owner"),
                positional.eq_ignore_ascii_case("me") || yes(o.raw("me")),
            ),
            cycle: o.opt("cycle"),
            owner: None,
        }),
        "digest" => {
            if o.opt("scope")
                .is_some_and(|s| s.eq_ignore_ascii_case("workspace"))
            {
                Ok(Command::Rollup {
                    cycle: o.opt("cycle"),
                })
            } else if let Some(cycle) = o.opt("cycle") {
                Err(past_team_digest(&cycle))
            } else {
                o.need("team", "team:Growth (or scope:workspace)")
                    .map(|team| Command::Digest { team })
            }
        }
        "schedule show" => o
            .need("team", "team:Growth")
            .map(|team| Command::ScheduleShow { team }),
        "schedule set" => o
            .need("team", "team:Growth")
            .map(|team| Command::ScheduleSet {
                team,
                change: ScheduleChange {
                    prompt: o.opt("prompt"),
                    reminder: o.opt("reminder"),
                    digest: o.opt("digest"),
                    hours: o.opt("hours"),
                },
            }),
        "export" => export_format(o.opt("format").as_deref()).map(Command::Export),
        "help" => Ok(Command::Help(Surface::Console, HelpTopic::Everything)),
        _ => return None,
    };
    Some(built)
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

pub(super) async fn apply(
    okr: &Okr,
    actor: &Actor,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Reply> {
    Ok(match command {
        Command::Status {
            scope,
            cycle,
            owner,
        } => Reply::Status(
            okr.status_in(actor, scope, cycle.as_deref(), owner.as_deref(), now)
                .await?,
        ),
        Command::Digest { team } => {
            let digest = okr.digest_now(actor, &team, now).await?;
            Reply::DigestQueued { team, digest }
        }
        Command::Rollup { cycle } => {
            let (cycle, roots) = okr.rollup_in(actor, cycle.as_deref(), now).await?;
            Reply::Rollup {
                cycle: cycle.name,
                roots,
                kpis: okr.kpi_list(actor, None, now).await?,
                now,
            }
        }
        Command::ScheduleShow { team } => {
            Reply::Schedules(okr.schedule_show(actor, &team, now).await?)
        }
        Command::ScheduleSet { team, change } => {
            Reply::Schedules(okr.schedule_set(actor, &team, change, now).await?)
        }
        Command::Export(format) => Reply::Export {
            doc: Box::new(okr.export(actor, now).await?),
            format,
        },
        other => return Err(misrouted(&other)),
    })
}
