//! `/okr undo`: the author of a check-in takes it back shortly after making it, when nobody has
//! checked in on that key result since. The rules are `docs/update-grammar.md`, "Undo".

use chrono::{DateTime, Duration, Utc};

use super::objectives::{ensure_kr_cycle_open, kr_by_ref, team_of_kr};
use super::{commit, Actor, Okr, OkrError, Result};
use crate::domain::model::{CheckIn, KeyResult, Note, WithdrawnCheckIn};
pub use crate::domain::view::{Undone, Withdrawn};
use crate::store;

/// How long after a check-in its author may take it back; after that, a correction is a new
/// check-in.
pub const UNDO_WINDOW: Duration = Duration::minutes(15);

impl Okr {
    /// Takes back the asker's latest check-in (on `kr`, when given) and puts the key result back
    /// where the check-in before it left it. One transaction.
    pub async fn undo(
        &self,
        actor: &Actor,
        kr: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Undone> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let kr = match kr.map(str::trim).filter(|k| !k.is_empty()) {
            Some(reference) => kr_by_ref(&mut tx, ws, reference).await?,
            None => {
                let latest = store::check_ins::latest_by(&mut tx, ws, &actor.user).await?;
                let nothing = || {
                    OkrError::invalid(
                        "you have no check-in to take back: /okr undo takes back your own latest check-in",
                    )
                };
                let latest = latest.ok_or_else(nothing)?;
                store::key_results::by_id(&mut tx, ws, latest.kr_id)
                    .await?
                    .ok_or_else(nothing)?
            }
        };
        let team = team_of_kr(&mut tx, ws, &kr).await?;
        let mut history = store::check_ins::for_kr(&mut tx, ws, kr.id).await?;
        let Some(last) = history.pop() else {
            return Err(OkrError::invalid(format!(
                "{} has no check-in to take back",
                kr.code
            )));
        };
        let at = |c: &CheckIn| crate::domain::view::local_time(c.created_at, team.tz);
        let correction = format!(
            "record a correction instead: /okr update {} <value>",
            kr.code
        );
        if last.author != actor.user {
            return Err(OkrError::invalid(format!(
                "the latest check-in of {} is {}'s ({}): only its author can take it back; {correction}",
                kr.code,
                last.author,
                at(&last)
            )));
        }
        if now - last.created_at > UNDO_WINDOW {
            return Err(OkrError::invalid(format!(
                "your check-in of {} ({}) is more than {} minutes old; {correction}",
                kr.code,
                at(&last),
                UNDO_WINDOW.num_minutes()
            )));
        }
        ensure_kr_cycle_open(&mut tx, actor, &kr).await?;
        let by = store::check_ins::Withdrawal {
            by: Some(&actor.user),
            reason: None,
        };
        store::check_ins::withdraw(&mut tx, ws, last.id, now, by).await?;
        let after = put_back(&mut tx, ws, &kr, &history, &last).await?;
        self.reassess_alert(&mut tx, ws, kr.id, now).await?;
        commit(tx).await?;
        self.wake();
        Ok(Undone {
            withdrawn: last,
            kr: after,
            tz: team.tz,
        })
    }

    /// `/okr checkin withdraw`: takes back any check-in of a key result (its latest, or the one
    /// `check_in` names as `/okr history` shows it, `#412`), at any time while the cycle is
    /// open, by its author or a lead of the team, with an optional reason. It stays in the
    /// history as withdrawn; the key result is put back as if it had never counted
    /// (`docs/update-grammar.md`, "Withdraw"). One transaction.
    pub async fn withdraw(
        &self,
        actor: &Actor,
        kr: &str,
        check_in: Option<&str>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Withdrawn> {
        let (reason, wanted) = withdrawal_inputs(
            reason,
            check_in,
            "checkin",
            "a check-in number: give the number /okr history shows, e.g. checkin:#412",
        )?;
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let kr = kr_by_ref(&mut tx, ws, kr).await?;
        let team = team_of_kr(&mut tx, ws, &kr).await?;
        let history = store::check_ins::for_kr(&mut tx, ws, kr.id).await?;
        let chosen = match wanted {
            Some(id) => history.iter().position(|c| c.id.0 == id).ok_or_else(|| {
                OkrError::invalid(format!(
                    "check-in #{id} is not among {}'s check-ins: /okr history kr:{} lists them with their numbers",
                    kr.code, kr.code
                ))
            })?,
            None => history.len().checked_sub(1).ok_or_else(|| {
                OkrError::invalid(format!("{} has no check-in to withdraw", kr.code))
            })?,
        };
        let mut remaining = history;
        let taken = remaining.remove(chosen);
        if taken.author != actor.user && !super::is_lead(actor, &team) {
            return Err(OkrError::Forbidden {
                action: format!("withdraw {}'s check-in", taken.author),
                who: format!("its author or {}", super::lead_names(&team)),
            });
        }
        ensure_kr_cycle_open(&mut tx, actor, &kr).await?;
        let by = store::check_ins::Withdrawal {
            by: Some(&actor.user),
            reason: reason.as_deref(),
        };
        store::check_ins::withdraw(&mut tx, ws, taken.id, now, by).await?;
        let after = put_back(&mut tx, ws, &kr, &remaining, &taken).await?;
        self.reassess_alert(&mut tx, ws, kr.id, now).await?;
        commit(tx).await?;
        // Status may have changed either way: the scheduler looks again now, not in an hour.
        self.wake();
        Ok(Withdrawn {
            withdrawal: WithdrawnCheckIn {
                check_in: taken,
                at: now,
                by: Some(actor.user.clone()),
                reason: reason.map(|n| n.as_str().to_owned()),
            },
            kr: after,
            tz: team.tz,
        })
    }
}

/// A withdrawal's reason and the number of what it takes back (`#412` or `412`), as typed for
/// `option`; `what` says what a number is and where to find one.
pub(super) fn withdrawal_inputs(
    reason: Option<&str>,
    number: Option<&str>,
    option: &str,
    what: &str,
) -> Result<(Option<Note>, Option<i64>)> {
    let reason = reason
        .map(Note::parse)
        .transpose()
        .map_err(|e| OkrError::invalid(format!("reason: {e}")))?
        .flatten();
    let number = number
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.trim_start_matches('#')
                .parse::<i64>()
                .map_err(|_| OkrError::invalid(format!("{option}:{n} is not {what}")))
        })
        .transpose()?;
    Ok((reason, number))
}

/// Puts a key result back where its `remaining` check-ins (oldest first) leave it once `taken`
/// no longer counts: the latest one's value and time (the start and none without any), and
/// the latest confidence any of them gave, or the key result's own when `taken` gave none.
pub(super) async fn put_back(
    tx: &mut store::Conn,
    ws: crate::domain::model::WorkspaceId,
    kr: &KeyResult,
    remaining: &[CheckIn],
    taken: &CheckIn,
) -> Result<KeyResult> {
    let latest = remaining.last();
    let current = latest.map_or(kr.start, |c| c.value);
    // A confidence given only by the withdrawn check-in goes with it.
    let confidence = match taken.confidence {
        None => kr.confidence,
        Some(_) => remaining.iter().rev().find_map(|c| c.confidence),
    };
    store::key_results::restore_state(
        tx,
        ws,
        kr.id,
        current,
        confidence,
        latest.map(|c| c.created_at),
    )
    .await?;
    store::key_results::by_id(tx, ws, kr.id)
        .await?
        .ok_or_else(|| {
            OkrError::Internal(anyhow::anyhow!(
                "key result vanished inside its own transaction"
            ))
        })
}
