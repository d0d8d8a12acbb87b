//! Check-ins and the answers to a prompt: `/okr update` (a grammar line or typed fields),
//! the bulk form, `/okr nochange`, `/okr snooze`, and the history they build.

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{spec, Command, Options, Reply, Spec, Who};
use crate::domain::model::{CheckInSource, Confidence};
use crate::service::check_in::CheckInRequest;
use crate::service::{Actor, Okr, Result};

/// The two ways an update arrives.
#[derive(Debug, Clone)]
pub enum Update {
    /// One line of the update grammar: `GRO-1.1 9 c8 new flow shipped`.
    Line {
        text: String,
        source: CheckInSource,
        idempotency_key: Option<String>,
        /// `confirm:yes`: a value far outside the key result's range is meant.
        confirmed: bool,
    },
    /// Typed fields, parsed already (`kr:`, `value:`, `confidence:`, `note:`).
    Request(Box<CheckInRequest>),
}

/// The typed form as a command (see [`CheckInRequest::typed`]).
pub fn typed(
    kr: &str,
    value: &str,
    confidence: Option<Confidence>,
    note: Option<&str>,
    source: CheckInSource,
    idempotency_key: Option<String>,
) -> Result<Command> {
    let request = CheckInRequest::typed(kr, value, confidence, note, source, idempotency_key)?;
    Ok(super::update(request))
}

pub use crate::service::check_in::confidence_field as confidence;

/// `confirm:yes` (or `true`); `confirm:no` is the same as leaving it out.
fn is_yes(text: &str) -> Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" | "" => Ok(false),
        other => Err(crate::service::OkrError::invalid(format!(
            "confirm:{other} is not yes or no: write confirm:yes to record a value far outside the key result's range"
        ))),
    }
}

impl Command {
    /// The same update, with a value far outside the key result's range confirmed; any other
    /// command unchanged.
    pub fn confirmed(self) -> Command {
        match self {
            Command::Update(Update::Line {
                text,
                source,
                idempotency_key,
                ..
            }) => Command::Update(Update::Line {
                text,
                source,
                idempotency_key,
                confirmed: true,
            }),
            Command::Update(Update::Request(mut r)) => {
                r.confirmed = true;
                Command::Update(Update::Request(r))
            }
            other => other,
        }
    }
}

/// The catalogue entries of this group, in help order.
pub(super) const SPECS: &[Spec] = &[
    spec(
        "update",
        &["kr", "value", "confidence", "note", "confirm"],
        Who::OwnerOrLead,
        "check in; values: 42 1,200 1.2k 3M 45% $1,200 3h 14d +5 -2.5 done, not done",
        "kr:GRO-1.1 value:9 confidence:8 note:new flow shipped",
    ),
    spec(
        "bulk",
        &[],
        Who::OwnerOrLead,
        "several check-ins at once, one update per line, all or nothing (the console ends them with a line holding only \".\")",
        "",
    ),
    spec(
        "nochange",
        &["kr"],
        Who::OwnerOrLead,
        "nothing moved: check in the same value (kr:all for your whole prompt)",
        "kr:GRO-1.1",
    ),
    spec(
        "undo",
        &["kr"],
        Who::OwnerOrLead,
        "take back your latest check-in, within 15 minutes of making it",
        "kr:GRO-1.1",
    ),
    spec(
        "checkin withdraw",
        &["kr", "checkin", "reason"],
        Who::OwnerOrLead,
        "take back a check-in at any time (its author or a lead): the latest, or checkin:#<n> from /okr history; kept in the history as withdrawn",
        "kr:GRO-1.1 reason:typo, meant 12",
    ),
    spec(
        "snooze",
        &[],
        Who::Anyone,
        "ask me again tomorrow about my latest prompt",
        "",
    ),
    spec(
        "history",
        &["kr"],
        Who::Anyone,
        "a key result's check-ins",
        "kr:GRO-1.1",
    ),
];

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let built = match path {
        "update" => (|| {
            let command = match o.raw("kr") {
                Some(kr) => typed(
                    &kr,
                    &o.raw("value").unwrap_or_default(),
                    confidence(o.raw("confidence").as_deref())?,
                    o.raw("note").as_deref(),
                    CheckInSource::Text,
                    None,
                )?,
                None => Command::Update(Update::Line {
                    text: o.positional.clone(),
                    source: CheckInSource::Text,
                    idempotency_key: None,
                    confirmed: false,
                }),
            };
            Ok(match o.raw("confirm") {
                Some(c) if is_yes(&c)? => command.confirmed(),
                _ => command,
            })
        })(),
        "nochange" => {
            let kr = o.opt_or_positional("kr").unwrap_or_default();
            Ok(if kr.trim().eq_ignore_ascii_case("all") {
                Command::NoChangeAll {
                    source: CheckInSource::Button,
                }
            } else {
                Command::NoChange {
                    kr,
                    source: CheckInSource::Button,
                    idempotency_key: None,
                }
            })
        }
        // The console collects the lines itself (see `console::line`); typed on one line, the
        // words are the one update.
        "bulk" => Ok(Command::UpdateBulk {
            text: o.positional.clone(),
            source: CheckInSource::Text,
        }),
        "snooze" => Ok(Command::Snooze),
        "undo" => Ok(Command::Undo {
            kr: o.opt_or_positional("kr"),
        }),
        "checkin withdraw" => o.need("kr", "kr:GRO-1.1").map(|kr| Command::Withdraw {
            kr,
            check_in: o.opt("checkin"),
            reason: o.opt("reason"),
        }),
        "history" => Ok(Command::History {
            kr: o.opt_or_positional("kr").unwrap_or_default(),
        }),
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
        Command::Update(Update::Line {
            text,
            source,
            idempotency_key,
            confirmed,
        }) => Reply::CheckedIn(Box::new(
            okr.check_in_line(actor, &text, source, idempotency_key, confirmed, now)
                .await?,
        )),
        Command::Update(Update::Request(request)) => {
            Reply::CheckedIn(Box::new(okr.check_in(actor, *request, now).await?))
        }
        Command::UpdateBulk { text, source } => {
            Reply::Bulk(okr.check_in_bulk(actor, &text, source, now).await?)
        }
        Command::NoChange {
            kr,
            source,
            idempotency_key,
        } => Reply::CheckedIn(Box::new(
            okr.no_change(actor, &kr, source, idempotency_key, now)
                .await?,
        )),
        Command::NoChangeAll { source } => {
            let (krs, kpis) = okr.no_change_all(actor, source, now).await?;
            Reply::NoChangeAll(krs, kpis)
        }
        Command::Undo { kr } => Reply::Undone(okr.undo(actor, kr.as_deref(), now).await?),
        Command::Snooze => {
            let (until, tz) = okr.snooze(actor, now).await?;
            Reply::Snoozed { until, tz }
        }
        Command::History { kr } => {
            let (kr, check_ins, withdrawn, tz) = okr.history_with_withdrawn(actor, &kr).await?;
            Reply::History {
                kr,
                check_ins,
                withdrawn,
                tz,
            }
        }
        Command::Withdraw {
            kr,
            check_in,
            reason,
        } => Reply::Withdrawn(
            okr.withdraw(actor, &kr, check_in.as_deref(), reason.as_deref(), now)
                .await?,
        ),
        other => return Err(misrouted(&other)),
    })
}
