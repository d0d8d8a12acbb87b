//! Key results: `/okr kr add | edit | remove` (list is a status report, show the history).

use chrono::{DateTime, Utc};

use super::{status_scope, CheckInCommand, Command, Options, Reply, ReportCommand};
use crate::service::objectives::{KrEdit, KrInput};
use crate::service::{Actor, Okr, Result};

/// Key results (list is a status report, show the history).
#[derive(Debug, Clone)]
pub enum KrCommand {
    Add(Box<KrInput>),
    Edit {
        kr: String,
        edit: KrEdit,
    },
    Remove {
        kr: String,
    },
    /// Brings back a key result `kr remove` archived.
    Restore {
        kr: String,
    },
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let built: Command = match path {
        "kr add" => KrCommand::Add(Box::new(KrInput {
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
        }))
        .into(),
        "kr edit" => KrCommand::Edit {
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
        }
        .into(),
        "kr list" => ReportCommand::Status {
            scope: status_scope(o.opt("objective"), o.opt("team"), o.opt("owner"), false),
            cycle: o.opt("cycle"),
            owner: o.opt("owner"),
        }
        .into(),
        "kr show" => CheckInCommand::History {
            kr: o.opt_or_positional("kr").unwrap_or_default(),
        }
        .into(),
        "kr remove" => KrCommand::Remove {
            kr: o.need("kr", "kr:GRO-1.1")?,
        }
        .into(),
        "kr restore" => KrCommand::Restore {
            kr: o.need("kr", "kr:GRO-1.1")?,
        }
        .into(),
        _ => return Ok(None),
    };
    Ok(Some(built))
}

impl KrCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            KrCommand::Add(input) => Reply::KrAdded(okr.kr_add(actor, *input, now).await?),
            KrCommand::Edit { kr, edit } => Reply::KrEdited(okr.kr_edit(actor, &kr, edit).await?),
            KrCommand::Remove { kr } => Reply::KrRemoved(okr.kr_remove(actor, &kr, now).await?),
            KrCommand::Restore { kr } => Reply::KrRestored(okr.kr_restore(actor, &kr).await?),
        })
    }
}
