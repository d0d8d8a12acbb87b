//! Check-ins and the answers to a prompt: `/okr update` (a grammar line or typed fields),
//! the bulk form, `/okr nochange`, `/okr snooze`, and the history they build.

use chrono::{DateTime, Utc};

use super::{Command, Options, Reply};
use crate::domain::grammar::{bulk_requests, confidence_field, CheckInRequest, UpdateFields};
use crate::domain::model::{CheckInSource, Confidence};
use crate::domain::view::CheckInOutcome;
use crate::service::nudge_replies::PlainReply;
use crate::service::{Actor, Okr, OkrError, Result};

/// Check-ins and the answers to a prompt.
#[derive(Debug, Clone)]
pub enum CheckInCommand {
    /// One update, parsed already: from a grammar line or the typed fields.
    Update(Box<CheckInRequest>),
    /// One update per line, parsed already, each with its line number: all or nothing.
    Bulk(Vec<(usize, CheckInRequest)>),
    NoChange {
        kr: String,
        source: CheckInSource,
        idempotency_key: Option<String>,
    },
    /// A reply in plain words to the asker's latest prompt; `key` names it (a direct message's
    /// id), so that reading it twice records it once.
    Answer {
        text: String,
        source: CheckInSource,
        key: Option<String>,
    },
    /// Every key result of the asker's latest prompt keeps its value.
    NoChangeAll { source: CheckInSource },
    /// Ask again later: until a day, for a span, or (neither) a day later.
    Snooze {
        until: Option<String>,
        span: Option<String>,
    },
    /// Takes back the asker's latest check-in (on `kr`, when given).
    Undo { kr: Option<String> },
    /// Takes back any check-in of `kr` (its latest, or the one numbered `check_in`).
    Withdraw {
        kr: String,
        check_in: Option<String>,
        reason: Option<String>,
    },
    /// A key result's check-ins (`/okr history`, `/okr kr show`).
    History { kr: String },
}

/// A confidence as typed in a text field (`8`, `c8`, `conf 8`); blank is none.
pub fn confidence(text: Option<&str>) -> Result<Option<Confidence>> {
    Ok(confidence_field(text)?)
}

/// A reply in plain words to the asker's latest prompt, as a command; `key` names it.
pub fn answer(text: &str, source: CheckInSource, key: Option<String>) -> Command {
    CheckInCommand::Answer {
        text: text.to_owned(),
        source,
        key,
    }
    .into()
}

/// Several updates, one per line, as a command; the first bad line is named.
pub fn bulk(text: &str, source: CheckInSource) -> Result<Command> {
    Ok(CheckInCommand::Bulk(bulk_requests(text, source)?).into())
}

/// One check-in, parsed already, answered with its outcome rather than a [`Reply`]: a prompt's
/// form shows the outcome in the prompt it came from.
pub async fn check_in(
    okr: &Okr,
    actor: &Actor,
    request: CheckInRequest,
    now: DateTime<Utc>,
) -> Result<CheckInOutcome> {
    okr.check_in(actor, request, now).await
}

/// `confirm:yes` (or `true`); `confirm:no` is the same as leaving it out.
fn is_yes(text: &str) -> Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" | "" => Ok(false),
        other => Err(OkrError::invalid(format!(
            "confirm:{other} is not yes or no: write confirm:yes to record a value far outside the key result's range"
        ))),
    }
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let built: Command = match path {
        "update" => {
            let command = match o.raw("kr") {
                Some(kr) => {
                    let (value, confidence, note) =
                        (o.raw("value"), o.raw("confidence"), o.raw("note"));
                    let fields = UpdateFields {
                        kr: &kr,
                        value: value.as_deref().unwrap_or_default(),
                        confidence: confidence.as_deref(),
                        note: note.as_deref(),
                    };
                    super::update(CheckInRequest::from_fields(
                        &fields,
                        CheckInSource::Text,
                        None,
                    )?)
                }
                None => super::update(CheckInRequest::from_line(
                    &o.positional,
                    CheckInSource::Text,
                    None,
                )?),
            };
            match o.raw("confirm") {
                Some(c) if is_yes(&c)? => command.confirmed(),
                _ => command,
            }
        }
        "nochange" => {
            let kr = o.opt_or_positional("kr").unwrap_or_default();
            if kr.trim().eq_ignore_ascii_case("all") {
                CheckInCommand::NoChangeAll {
                    source: CheckInSource::Button,
                }
            } else {
                CheckInCommand::NoChange {
                    kr,
                    source: CheckInSource::Button,
                    idempotency_key: None,
                }
            }
            .into()
        }
        // The console collects the lines itself (see `console::line`); typed on one line, the
        // words are the one update.
        "bulk" => bulk(&o.positional, CheckInSource::Text)?,
        "snooze" => CheckInCommand::Snooze {
            until: o.opt("until"),
            span: o.opt("for"),
        }
        .into(),
        "undo" => CheckInCommand::Undo {
            kr: o.opt_or_positional("kr"),
        }
        .into(),
        "checkin withdraw" => CheckInCommand::Withdraw {
            kr: o.need("kr", "kr:GRO-1.1")?,
            check_in: o.opt("checkin"),
            reason: o.opt("reason"),
        }
        .into(),
        "history" => CheckInCommand::History {
            kr: o.opt_or_positional("kr").unwrap_or_default(),
        }
        .into(),
        _ => return Ok(None),
    };
    Ok(Some(built))
}

impl CheckInCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            CheckInCommand::Update(request) => {
                Reply::CheckedIn(Box::new(check_in(okr, actor, *request, now).await?))
            }
            CheckInCommand::Bulk(lines) => Reply::Bulk(okr.check_in_all(actor, lines, now).await?),
            CheckInCommand::NoChange {
                kr,
                source,
                idempotency_key,
            } => Reply::CheckedIn(Box::new(
                okr.no_change(actor, &kr, source, idempotency_key, now)
                    .await?,
            )),
            CheckInCommand::Answer { text, source, key } => {
                match okr
                    .answer_in_plain_words(actor, &text, source, key.as_deref(), now)
                    .await?
                {
                    PlainReply::Recorded(outcomes) => Reply::Bulk(outcomes),
                    PlainReply::Ask(question) => Reply::Question(question),
                    PlainReply::NotAnAnswer => Reply::NotAnAnswer,
                }
            }
            CheckInCommand::NoChangeAll { source } => {
                let (krs, kpis) = okr.no_change_all(actor, source, now).await?;
                Reply::NoChangeAll(krs, kpis)
            }
            CheckInCommand::Undo { kr } => {
                Reply::Undone(okr.undo(actor, kr.as_deref(), now).await?)
            }
            CheckInCommand::Snooze { until, span } => {
                let (until, tz) = okr
                    .snooze_until(actor, until.as_deref(), span.as_deref(), now)
                    .await?;
                Reply::Snoozed { until, tz }
            }
            CheckInCommand::History { kr } => {
                let (kr, check_ins, withdrawn, tz) = okr.history_with_withdrawn(actor, &kr).await?;
                Reply::History {
                    kr,
                    check_ins,
                    withdrawn,
                    tz,
                }
            }
            CheckInCommand::Withdraw {
                kr,
                check_in,
                reason,
            } => Reply::Withdrawn(
                okr.withdraw(actor, &kr, check_in.as_deref(), reason.as_deref(), now)
                    .await?,
            ),
        })
    }
}
