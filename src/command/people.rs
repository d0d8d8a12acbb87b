//! People: `/okr me`, `/okr away` and `/okr holidays`.

use chrono::{DateTime, Utc};

use super::{Command, Options, Reply};
use crate::domain::view::{HolidayChange, MemberView};
use crate::service::{Actor, Okr, Result};

#[derive(Debug, Clone)]
pub enum PeopleCommand {
    /// What okrbot knows about a member (the asker by default); `timezone` sets their own.
    Me {
        member: Option<String>,
        timezone: Option<String>,
    },
    AwaySet {
        from: String,
        to: Option<String>,
        note: Option<String>,
        member: Option<String>,
    },
    AwayList {
        team: Option<String>,
    },
    AwayCancel {
        member: Option<String>,
    },
    Holidays {
        team: String,
        dates: Option<String>,
        change: HolidayChange,
    },
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let built = match path {
        "me" => PeopleCommand::Me {
            member: o.opt("member"),
            timezone: o.opt("timezone"),
        },
        "away set" => PeopleCommand::AwaySet {
            from: o.need("from", "from:2026-12-21 to:2027-01-04")?,
            to: o.opt("to"),
            note: o.opt("note"),
            member: o.opt("member"),
        },
        "away list" => PeopleCommand::AwayList {
            team: o.opt("team"),
        },
        "away cancel" => PeopleCommand::AwayCancel {
            member: o.opt("member"),
        },
        "holidays add" | "holidays remove" | "holidays list" => PeopleCommand::Holidays {
            team: o.need("team", "team:Growth")?,
            dates: o.opt("dates"),
            change: match path {
                "holidays add" => HolidayChange::Added(0),
                "holidays remove" => HolidayChange::Removed(0),
                _ => HolidayChange::Listed,
            },
        },
        _ => return Ok(None),
    };
    Ok(Some(built.into()))
}

impl PeopleCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            PeopleCommand::Me { member, timezone } => {
                let view: MemberView = okr
                    .member(actor, member.as_deref(), timezone.as_deref(), now)
                    .await?;
                Reply::Member(Box::new(view))
            }
            PeopleCommand::AwaySet {
                from,
                to,
                note,
                member,
            } => {
                let (away, today) = okr
                    .away_set(
                        actor,
                        member.as_deref(),
                        &from,
                        to.as_deref(),
                        note.as_deref(),
                        now,
                    )
                    .await?;
                Reply::Away {
                    away,
                    change: crate::domain::view::AwayChange::Added,
                    today,
                }
            }
            PeopleCommand::AwayList { team } => {
                let (scope, away, today) = okr.away_list(actor, team.as_deref(), now).await?;
                Reply::AwayList { scope, away, today }
            }
            PeopleCommand::AwayCancel { member } => {
                let (away, change, today) = okr.away_cancel(actor, member.as_deref(), now).await?;
                Reply::Away {
                    away,
                    change,
                    today,
                }
            }
            PeopleCommand::Holidays {
                team,
                dates,
                change,
            } => {
                let (team, days, change) = okr
                    .holidays(actor, &team, dates.as_deref(), change, now)
                    .await?;
                Reply::Holidays { team, days, change }
            }
        })
    }
}
