//! Objectives: `/okr objective add | edit | align | close` (list and show are status reports).

use chrono::{DateTime, Utc};

use super::{status_scope, Command, Options, Reply, ReportCommand};
use crate::service::objectives::{ObjectiveEdit, ObjectiveInput};
use crate::service::report::StatusScope;
use crate::service::{Actor, Okr, OkrError, Result};

/// Objectives (list and show are status reports, [`ReportCommand::Status`]).
#[derive(Debug, Clone)]
pub enum ObjectiveCommand {
    Add(ObjectiveInput),
    Edit {
        objective: String,
        edit: ObjectiveEdit,
    },
    Align {
        objective: String,
        /// `None` (or empty) removes the alignment.
        parent: Option<String>,
    },
    /// `/okr objective share objective:SUP-1 team:Engineering` (`share: false`: `unshare`).
    Share {
        objective: String,
        team: String,
        share: bool,
    },
    Close {
        objective: String,
    },
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let built: Command = match path {
        "objective add" => ObjectiveCommand::Add(ObjectiveInput {
            team: o.need("team", "team:Growth")?,
            title: o.need("title", "title:Enhance customer onboarding experience")?,
            kind: o.opt("kind"),
            owner: o.opt("owner"),
            parent: o.opt("parent"),
            cycle: o.opt("cycle"),
        })
        .into(),
        "objective edit" => ObjectiveCommand::Edit {
            objective: o.need("objective", "objective:GRO-1")?,
            edit: ObjectiveEdit {
                title: o.opt("title"),
                kind: o.opt("kind"),
                owner: o.opt("owner"),
            },
        }
        .into(),
        "objective align" => ObjectiveCommand::Align {
            objective: o.need("objective", "objective:GRO-1")?,
            parent: o.raw("parent"),
        }
        .into(),
        "objective share" | "objective unshare" => ObjectiveCommand::Share {
            objective: o.need("objective", "objective:SUP-1")?,
            team: o.need("team", "team:Engineering")?,
            share: path == "objective share",
        }
        .into(),
        "objective list" => ReportCommand::Status {
            scope: status_scope(None, o.opt("team"), None, false),
            cycle: o.opt("cycle"),
            owner: None,
        }
        .into(),
        "objective show" => match o.opt_or_positional("objective") {
            Some(code) => ReportCommand::Status {
                scope: StatusScope::Objective(code),
                cycle: None,
                owner: None,
            }
            .into(),
            None => {
                return Err(OkrError::invalid(
                    "name the objective, e.g. /okr objective show objective:GRO-1",
                ))
            }
        },
        "objective close" => ObjectiveCommand::Close {
            objective: o.need("objective", "objective:GRO-1")?,
        }
        .into(),
        _ => return Ok(None),
    };
    Ok(Some(built))
}

impl ObjectiveCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            ObjectiveCommand::Add(input) => {
                Reply::ObjectiveAdded(okr.objective_add(actor, input, now).await?)
            }
            ObjectiveCommand::Edit { objective, edit } => {
                Reply::ObjectiveEdited(okr.objective_edit(actor, &objective, edit).await?)
            }
            ObjectiveCommand::Align { objective, parent } => {
                let aligned = okr
                    .objective_align(actor, &objective, parent.as_deref())
                    .await?;
                let parent = match aligned.parent {
                    Some(_) => parent.map(|p| p.trim().to_ascii_uppercase()),
                    None => None,
                };
                Reply::ObjectiveAligned {
                    objective: aligned,
                    parent,
                }
            }
            ObjectiveCommand::Share {
                objective,
                team,
                share,
            } => Reply::ObjectiveShared(
                okr.objective_share(actor, &objective, &team, share, now)
                    .await?,
            ),
            ObjectiveCommand::Close { objective } => {
                Reply::ObjectiveClosed(okr.objective_close(actor, &objective).await?)
            }
        })
    }
}
