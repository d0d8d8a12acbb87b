//! Key results: `/okr kr add | edit | remove` (list is a status report, show the history).

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{Command, Options, Reply};
use crate::service::objectives::{KrEdit, KrInput};
use crate::service::{Actor, Okr, Result};

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let built = match path {
        "kr add" => (|| {
            Ok(Command::KrAdd(KrInput {
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
            }))
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
                },
            })
        })(),
        "kr remove" => (|| {
            Ok(Command::KrRemove {
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
        Command::KrAdd(input) => Reply::KrAdded(okr.kr_add(actor, input, now).await?),
        Command::KrEdit { kr, edit } => Reply::KrEdited(okr.kr_edit(actor, &kr, edit).await?),
        Command::KrRemove { kr } => Reply::KrRemoved(okr.kr_remove(actor, &kr).await?),
        other => return Err(misrouted(&other)),
    })
}
