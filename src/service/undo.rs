//! `/okr undo`: the author of a check-in takes it back shortly after making it, when nobody has
//! checked in on that key result since. The rules are `docs/update-grammar.md`, "Undo".

use chrono::{DateTime, Duration, Utc};

use super::objectives::{ensure_kr_cycle_open, kr_by_ref, team_of_kr};
use super::{commit, Actor, Okr, OkrError, Result};
use crate::domain::model::CheckIn;
pub use crate::domain::view::Undone;
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
        store::check_ins::withdraw(&mut tx, ws, last.id, now).await?;
        let before = history.last();
        let current = before.map_or(kr.start, |c| c.value);
        // A confidence given only by the withdrawn check-in goes with it.
        let confidence = match last.confidence {
            None => kr.confidence,
            Some(_) => history.iter().rev().find_map(|c| c.confidence),
        };
        store::key_results::restore_state(
            &mut tx,
            ws,
            kr.id,
            current,
            confidence,
            before.map(|c| c.created_at),
        )
        .await?;
        let after = store::key_results::by_id(&mut tx, ws, kr.id)
            .await?
            .ok_or_else(|| {
                OkrError::Internal(anyhow::anyhow!(
                    "key result vanished inside its own transaction"
                ))
            })?;
        commit(tx).await?;
        Ok(Undone {
            withdrawn: last,
            kr: after,
            tz: team.tz,
        })
    }
}
