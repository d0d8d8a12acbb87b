//! Digests (`docs/schedules-and-delivery.md`): where a team stands, posted to its channel on its digest
//! schedule and on demand, and the workspace rollup along the alignment tree.

use chrono::{DateTime, Utc};

use super::report::Snapshot;
use super::setup::resolve_cycle;
use super::team_state::TeamState;
use super::{team_named, Actor, Okr, OkrError, Result};
use crate::domain::message::Message;
use crate::domain::model::ObjectiveId;
pub use crate::domain::view::{build, rollup, Digest, DigestObjective, RollupNode};
use crate::outbox::DeliveryKind;
use crate::render;
use crate::store::{self, deliveries::NewDelivery, Conn};

/// Decides the team's digest for `slot` in the caller's transaction: the message goes to the
/// team's channel (or its leads when it has none) and the objective scores are marked for the
/// next digest's arrows.
/// Records the digest of `slot`, to go out at `due`: a scheduled digest keeps to the team's
/// working hours, one asked for goes out at once.
pub(crate) async fn decide(
    c: &mut Conn,
    s: &TeamState,
    slot: DateTime<Utc>,
    due: DateTime<Utc>,
    period: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<bool> {
    if s.objectives.is_empty() {
        return Ok(false);
    }
    let message = message_for(c, s, period).await?;
    let recipients = super::team_posts(c, &s.team).await?;
    let mut any = false;
    for recipient in &recipients {
        let new = NewDelivery {
            team: s.team.id,
            kind: DeliveryKind::Digest,
            recipient,
            slot,
            due,
            message: &message,
            subjects: &[],
            kpis: &[],
            local_slot: None,
        };
        any |= store::deliveries::insert(c, s.workspace, &new, now).await?;
    }
    if any {
        for (o, score) in &s.objectives {
            if let Some(score) = score {
                store::deliveries::set_digest_mark(c, o.id, score.score, s.at).await?;
            }
        }
    }
    Ok(any)
}

async fn message_for(c: &mut Conn, s: &TeamState, period: chrono::Duration) -> Result<Message> {
    let ids: Vec<ObjectiveId> = s.objectives.iter().map(|(o, _)| o.id).collect();
    let marks = store::deliveries::digest_marks(c, &ids).await?;
    let since = super::nudges::last_prompt_slot(c, s, s.team.tz, s.at)
        .await?
        .unwrap_or(s.at - period);
    let digest = build(s, &marks, since);
    let mut message = render::digest::message(&digest);
    message.attachments.extend(render::digest::chart(s));
    Ok(message)
}

impl Okr {
    /// `/okr digest [team]`: the team's digest now, posted to its channel through the ledger.
    /// Returns the message too, for the asker.
    pub async fn digest_now(
        &self,
        actor: &Actor,
        team: &str,
        now: DateTime<Utc>,
    ) -> Result<Message> {
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, actor.workspace, team).await?;
        let state = TeamState::load(
            &mut tx,
            actor.workspace,
            team.id,
            now,
            self.period,
            &self.rules,
        )
        .await?
        .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("team vanished")))?;
        if state.cycle.is_none() {
            return Err(OkrError::invalid(format!(
                "team {} has no cycle running now: create one with /okr cycle new",
                state.team.name
            )));
        }
        let name = &state.team.name;
        if state.objectives.is_empty() {
            return Err(OkrError::invalid(format!(
                "team {name} has no objectives in the running cycle, so there is no digest to post: add one with /okr objective add team:{name} title:<title>"
            )));
        }
        if super::team_posts(&mut tx, &state.team).await?.is_empty() {
            return Err(OkrError::invalid(format!(
                "team {name} has no channel or webhook to post its digest to: give it one with /okr setup team:{name} channel:<channel> or /okr webhook add team:{name} kind:slack url:<url>"
            )));
        }
        let message = message_for(&mut tx, &state, self.period).await?;
        decide(&mut tx, &state, now, now, self.period, now).await?;
        super::commit(tx).await?;
        self.wake();
        Ok(message)
    }

    /// `/okr digest scope:workspace`: the alignment tree of the running cycle.
    pub async fn rollup(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(crate::domain::model::Cycle, Vec<RollupNode>)> {
        self.rollup_in(actor, None, now).await
    }

    /// [`Okr::rollup`] of the cycle named, closed ones too, or of the running one.
    pub async fn rollup_in(
        &self,
        actor: &Actor,
        cycle: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(crate::domain::model::Cycle, Vec<RollupNode>)> {
        let mut c = self.store.read().await?;
        let cycle = resolve_cycle(&mut c, actor, cycle, now).await?;
        let snap = Snapshot::load_cycle_for_reading(self, &mut c, actor, cycle.id).await?;
        let views = super::report::home_only(snap.views(
            self,
            now,
            |o| o.cycle_id == cycle.id,
            |_| true,
            true,
        ));
        let roots = rollup(&views);
        Ok((cycle, roots))
    }
}
