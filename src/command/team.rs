//! Teams and cycles: `/okr setup`, `/okr cycle new | list | close`.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Command, Options, Reply};
use crate::domain::model::Member;
use crate::service::setup::{parse_date, SetupInput};
use crate::service::{Actor, Okr, OkrError, Result};

/// Teams and cycles.
#[derive(Debug, Clone)]
pub enum TeamCommand {
    Setup(SetupInput),
    CycleNew(CycleNew),
    CycleList,
    CycleClose { name: String },
}

/// `/okr cycle new`: dates already parsed.
#[derive(Debug, Clone)]
pub struct CycleNew {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Carry unfinished objectives over from this cycle.
    pub from: Option<String>,
}

impl CycleNew {
    /// From the dates as typed (`YYYY-MM-DD`).
    pub fn parse(name: String, start: &str, end: &str, from: Option<String>) -> Result<CycleNew> {
        Ok(CycleNew {
            name,
            start: parse_date("start", start)?,
            end: parse_date("end", end)?,
            from: from.filter(|f| !f.trim().is_empty()),
        })
    }
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let built = match path {
        "setup" => {
            // Names separated by commas or spaces; `lead_role:` names groups.
            let names = |v: Option<String>| -> Vec<String> {
                v.map(|l| {
                    l.split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
            };
            let people = names(o.opt("lead").or(o.opt("leads")));
            let groups = names(o.opt("lead_role"));
            let leads = (!people.is_empty() || !groups.is_empty()).then(|| {
                people
                    .into_iter()
                    .map(Member::Person)
                    .chain(groups.into_iter().map(Member::Group))
                    .collect()
            });
            TeamCommand::Setup(SetupInput {
                team: o.need(
                    "team",
                    "/okr setup team:Growth timezone:Europe/Berlin channel:growth",
                )?,
                timezone: o.opt("timezone"),
                channel: o.opt("channel"),
                prefix: o.opt("prefix"),
                leads,
            })
        }
        "cycle new" => TeamCommand::CycleNew(CycleNew::parse(
            o.need("name", "name:2026-Q4")?,
            &o.need("start", "start:2026-10-01")?,
            &o.need("end", "end:2026-12-31")?,
            o.opt("from"),
        )?),
        "cycle list" => TeamCommand::CycleList,
        "cycle close" => match o
            .opt("name")
            .or(o.opt("cycle"))
            .or_else(|| o.opt_or_positional(""))
        {
            Some(name) => TeamCommand::CycleClose { name },
            None => {
                return Err(OkrError::invalid(
                    "name the cycle to close, e.g. /okr cycle close name:2026-Q4",
                ))
            }
        },
        _ => return Ok(None),
    };
    Ok(Some(built.into()))
}

impl TeamCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            TeamCommand::Setup(input) => Reply::Setup(okr.setup(actor, input, now).await?),
            TeamCommand::CycleNew(c) => match c.from {
                Some(from) => {
                    let carried = okr
                        .cycle_new_from(actor, &c.name, c.start, c.end, &from, now)
                        .await?;
                    Reply::CycleCarried { from, carried }
                }
                None => {
                    Reply::CycleCreated(okr.cycle_new(actor, &c.name, c.start, c.end, now).await?)
                }
            },
            TeamCommand::CycleList => Reply::Cycles {
                cycles: okr.cycles(actor).await?,
                now,
            },
            TeamCommand::CycleClose { name } => {
                Reply::CycleClosed(okr.cycle_close(actor, &name, now).await?)
            }
        })
    }
}
