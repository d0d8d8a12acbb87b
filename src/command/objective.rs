//! Objectives: `/okr objective add | edit | align | close` (list and show are status reports).

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{spec, Command, Options, Reply, Spec, Who};
use crate::service::objectives::{ObjectiveEdit, ObjectiveInput};
use crate::service::report::StatusScope;
use crate::service::{Actor, Okr, OkrError, Result};

/// The catalogue entries of this group, in help order.
pub(super) const SPECS: &[Spec] = &[
    spec(
        "objective add",
        &["team", "title", "kind", "owner", "parent", "cycle"],
        Who::Lead,
        "an objective in the team's current cycle",
        "team:Growth title:Enhance onboarding kind:aspirational owner:@alice parent:CO-1",
    ),
    spec(
        "objective edit",
        &["objective", "title", "kind", "owner"],
        Who::Lead,
        "change an objective",
        "objective:GRO-1 title:Delight new customers",
    ),
    spec(
        "objective list",
        &["team", "cycle"],
        Who::Anyone,
        "a team's objectives, scored",
        "team:Growth",
    ),
    spec(
        "objective show",
        &["objective"],
        Who::Anyone,
        "one objective with its key results",
        "objective:GRO-1",
    ),
    spec(
        "objective align",
        &["objective", "parent"],
        Who::Lead,
        "align under a parent objective (an empty parent removes it)",
        "objective:GRO-1 parent:CO-1",
    ),
    spec(
        "objective share",
        &["objective", "team"],
        Who::OwnerOrLead,
        "pursue an objective with another team: it shows in their status, digest and prompts, and they may carry its key results (kr add team:)",
        "objective:SUP-1 team:Engineering",
    ),
    spec(
        "objective unshare",
        &["objective", "team"],
        Who::OwnerOrLead,
        "stop sharing an objective with a team; the key results it carried go back to the home team",
        "objective:SUP-1 team:Engineering",
    ),
    spec(
        "objective close",
        &["objective"],
        Who::Lead,
        "close an objective",
        "objective:GRO-1",
    ),
];

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let built = match path {
        "objective add" => (|| {
            Ok(Command::ObjectiveAdd(ObjectiveInput {
                team: o.need("team", "team:Growth")?,
                title: o.need("title", "title:Enhance customer onboarding experience")?,
                kind: o.opt("kind"),
                owner: o.opt("owner"),
                parent: o.opt("parent"),
                cycle: o.opt("cycle"),
            }))
        })(),
        "objective edit" => (|| {
            Ok(Command::ObjectiveEdit {
                objective: o.need("objective", "objective:GRO-1")?,
                edit: ObjectiveEdit {
                    title: o.opt("title"),
                    kind: o.opt("kind"),
                    owner: o.opt("owner"),
                },
            })
        })(),
        "objective align" => (|| {
            Ok(Command::ObjectiveAlign {
                objective: o.need("objective", "objective:GRO-1")?,
                parent: o.raw("parent"),
            })
        })(),
        "objective share" | "objective unshare" => (|| {
            Ok(Command::ObjectiveShare {
                objective: o.need("objective", "objective:SUP-1")?,
                team: o.need("team", "team:Engineering")?,
                share: path == "objective share",
            })
        })(),
        "objective list" => Ok(Command::Status {
            scope: super::status_scope(None, o.opt("team"), None, false),
            cycle: o.opt("cycle"),
            owner: None,
        }),
        "objective show" => match o.opt_or_positional("objective") {
            Some(code) => Ok(Command::Status {
                scope: StatusScope::Objective(code),
                cycle: None,
                owner: None,
            }),
            None => Err(OkrError::invalid(
                "name the objective, e.g. /okr objective show objective:GRO-1",
            )),
        },
        "objective close" => (|| {
            Ok(Command::ObjectiveClose {
                objective: o.need("objective", "objective:GRO-1")?,
            })
        })(),
        _ => return None,
    };
    Some(built)
}

pub(super) async fn apply(
    okr: &Okr,
    actor: &Actor,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Reply> {
    Ok(match command {
        Command::ObjectiveAdd(input) => {
            Reply::ObjectiveAdded(okr.objective_add(actor, input, now).await?)
        }
        Command::ObjectiveEdit { objective, edit } => {
            Reply::ObjectiveEdited(okr.objective_edit(actor, &objective, edit).await?)
        }
        Command::ObjectiveAlign { objective, parent } => {
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
        Command::ObjectiveShare {
            objective,
            team,
            share,
        } => Reply::ObjectiveShared(
            okr.objective_share(actor, &objective, &team, share, now)
                .await?,
        ),
        Command::ObjectiveClose { objective } => {
            Reply::ObjectiveClosed(okr.objective_close(actor, &objective).await?)
        }
        other => return Err(misrouted(&other)),
    })
}
