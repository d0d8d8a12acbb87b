//! Key results: `/okr kr add | edit | remove` (list is a status report, show the history).

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{spec, Command, Options, Reply, Spec, Who};
use crate::service::objectives::{KrEdit, KrInput};
use crate::service::{Actor, Okr, Result};

/// The catalogue entries of this group, in help order.
pub(super) const SPECS: &[Spec] = &[
    spec(
        "kr add",
        &[
            "objective",
            "title",
            "kind",
            "unit",
            "start",
            "target",
            "direction",
            "owner",
            "weight",
            "confidence",
            "from",
            "team",
        ],
        Who::Lead,
        "a key result: kind metric (start -> target), threshold (direction at_least|at_most) or milestone",
        "objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:@alice",
    ),
    spec(
        "kr edit",
        &["kr", "title", "owner", "start", "target", "direction", "weight", "from"],
        Who::Lead,
        "change a key result",
        "kr:GRO-1.1 target:6",
    ),
    spec(
        "kr remove",
        &["kr"],
        Who::Lead,
        "remove a key result (archived with its history; kr restore brings it back)",
        "kr:GRO-1.1",
    ),
    spec(
        "kr restore",
        &["kr"],
        Who::Lead,
        "bring back a removed key result",
        "kr:GRO-1.1",
    ),
    spec(
        "kr list",
        &["team", "objective", "owner", "cycle"],
        Who::Anyone,
        "key results, scored",
        "team:Growth",
    ),
    spec(
        "kr show",
        &["kr"],
        Who::Anyone,
        "a key result's check-in history",
        "kr:GRO-1.1",
    ),
];

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let built = match path {
        "kr add" => (|| {
            Ok(Command::KrAdd(Box::new(KrInput {
                objective: o.need("objective", "objective:GRO-1")?,
                title: o.need("title", "title:Reduce average onboarding time")?,
                kind: o.opt("kind"),
                unit: o.opt("unit"),
                start: o.opt("start"),
                target: o.opt("target"),
                direction: o.opt("direction"),
                owner: o.opt("owner"),
                weight: o.opt("weight"),
                confidence: o.opt("confidence"),
                from: o.opt("from"),
                team: o.opt("team"),
            })))
        })(),
        "kr edit" => (|| {
            Ok(Command::KrEdit {
                kr: o.need("kr", "kr:GRO-1.1")?,
                edit: KrEdit {
                    title: o.opt("title"),
                    owner: o.opt("owner"),
                    start: o.opt("start"),
                    target: o.opt("target"),
                    direction: o.opt("direction"),
                    weight: o.opt("weight"),
                    from: o.opt("from"),
                },
            })
        })(),
        "kr list" => Ok(Command::Status {
            scope: super::status_scope(o.opt("objective"), o.opt("team"), o.opt("owner"), false),
            cycle: o.opt("cycle"),
            owner: o.opt("owner"),
        }),
        "kr show" => Ok(Command::History {
            kr: o.opt_or_positional("kr").unwrap_or_default(),
        }),
        "kr remove" => (|| {
            Ok(Command::KrRemove {
                kr: o.need("kr", "kr:GRO-1.1")?,
            })
        })(),
        "kr restore" => (|| {
            Ok(Command::KrRestore {
                kr: o.need("kr", "kr:GRO-1.1")?,
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
        Command::KrAdd(input) => Reply::KrAdded(okr.kr_add(actor, *input, now).await?),
        Command::KrEdit { kr, edit } => Reply::KrEdited(okr.kr_edit(actor, &kr, edit).await?),
        Command::KrRemove { kr } => Reply::KrRemoved(okr.kr_remove(actor, &kr, now).await?),
        Command::KrRestore { kr } => Reply::KrRestored(okr.kr_restore(actor, &kr).await?),
        other => return Err(misrouted(&other)),
    })
}
