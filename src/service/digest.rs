//! Digests (PRODUCT.md section 5): where a team stands, posted to its channel on its digest
//! schedule and on demand, and the workspace rollup along the alignment tree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::report::{Snapshot, TeamView};
use super::setup::resolve_cycle;
use super::team_state::{ScoredKr, TeamState};
use super::{team_named, Actor, Okr, OkrError, Result};
use crate::domain::message::Message;
use crate::domain::model::{Objective, ObjectiveId};
use crate::domain::scoring::{ObjectiveScore, Status};
use crate::outbox::{team_posts_to, DeliveryKind};
use crate::render;
use crate::store::{self, deliveries::NewDelivery, Conn};

#[derive(Debug, Clone)]
pub struct DigestObjective<'a> {
    pub objective: &'a Objective,
    pub score: Option<ObjectiveScore>,
    /// The score the previous digest showed, for the arrow.
    pub previous: Option<f64>,
    pub krs: Vec<&'a ScoredKr>,
}

/// Everything one team's digest shows, borrowed from its [`TeamState`].
#[derive(Debug, Clone)]
pub struct Digest<'a> {
    pub state: &'a TeamState,
    pub objectives: Vec<DigestObjective<'a>>,
    /// Owners who have not checked in since the last prompt, with the codes they owe.
    pub missing: Vec<(&'a str, Vec<&'a str>)>,
    pub at_risk: Vec<&'a ScoredKr>,
}

/// Builds the digest from the team's state; `marks` are the last digest's objective scores and
/// `since` the instant check-ins count from (the latest prompt slot).
pub fn build<'a>(
    s: &'a TeamState,
    marks: &HashMap<ObjectiveId, f64>,
    since: DateTime<Utc>,
) -> Digest<'a> {
    let objectives = s
        .objectives
        .iter()
        .enumerate()
        .map(|(i, (o, score))| DigestObjective {
            objective: o,
            score: *score,
            previous: marks.get(&o.id).copied(),
            krs: s.krs.iter().filter(|k| k.objective == i).collect(),
        })
        .collect();
    let mut missing: Vec<(&str, Vec<&str>)> = Vec::new();
    for (owner, krs) in s.by_owner() {
        let owed: Vec<&str> = krs
            .iter()
            .filter(|k| k.kr.last_check_in.is_none_or(|t| t < since))
            .map(|k| k.kr.code.as_str())
            .collect();
        if !owed.is_empty() {
            missing.push((owner, owed));
        }
    }
    let at_risk = s
        .krs
        .iter()
        .filter(|k| k.score.status == Status::Red)
        .collect();
    Digest {
        state: s,
        objectives,
        missing,
        at_risk,
    }
}

/// Decides the team's digest for `slot` in the caller's transaction: the message goes to the
/// team's channel (or its leads when it has none) and the objective scores are marked for the
/// next digest's arrows.
pub(crate) async fn decide(
    c: &mut Conn,
    s: &TeamState,
    slot: DateTime<Utc>,
    period: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<bool> {
    if s.objectives.is_empty() {
        return Ok(false);
    }
    let message = message_for(c, s, period).await?;
    let recipients = team_posts_to(&s.team);
    let mut any = false;
    for recipient in &recipients {
        let new = NewDelivery {
            team: s.team.id,
            kind: DeliveryKind::Digest,
            recipient,
            slot,
            due: slot,
            message: &message,
            subjects: &[],
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
    let since = super::nudges::last_prompt_slot(c, s, s.at)
        .await?
        .unwrap_or(s.at - period);
    let digest = build(s, &marks, since);
    let mut message = render::digest::message(&digest);
    message.attachments.extend(render::digest::chart(s));
    Ok(message)
}

/// A node of the workspace rollup: an objective with the objectives aligned under it.
#[derive(Debug, Clone)]
pub struct RollupNode {
    pub code: String,
    pub title: String,
    pub team: String,
    pub score: Option<ObjectiveScore>,
    pub children: Vec<RollupNode>,
}

/// Builds the alignment forest of the given team views: roots are objectives without a parent
/// among them.
pub fn rollup(views: &[TeamView]) -> Vec<RollupNode> {
    let all: Vec<(&TeamView, &super::report::ObjectiveView)> = views
        .iter()
        .flat_map(|t| t.objectives.iter().map(move |o| (t, o)))
        .collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let codes: std::collections::HashSet<&str> =
        all.iter().map(|(_, o)| o.objective.code.as_str()).collect();
    let mut roots = Vec::new();
    for (i, (_, o)) in all.iter().enumerate() {
        match o.parent_code.as_deref().filter(|p| codes.contains(p)) {
            Some(p) => children.entry(p).or_default().push(i),
            None => roots.push(i),
        }
    }
    fn node(
        i: usize,
        all: &[(&TeamView, &super::report::ObjectiveView)],
        children: &HashMap<&str, Vec<usize>>,
        depth: usize,
    ) -> RollupNode {
        let (t, o) = all[i];
        let kids = if depth > 32 {
            vec![]
        } else {
            children
                .get(o.objective.code.as_str())
                .map(|v| {
                    v.iter()
                        .map(|&j| node(j, all, children, depth + 1))
                        .collect()
                })
                .unwrap_or_default()
        };
        RollupNode {
            code: o.objective.code.clone(),
            title: o.objective.title.clone(),
            team: t.team.name.clone(),
            score: o.score,
            children: kids,
        }
    }
    roots
        .into_iter()
        .map(|i| node(i, &all, &children, 0))
        .collect()
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
        let message = message_for(&mut tx, &state, self.period).await?;
        decide(&mut tx, &state, now, self.period, now).await?;
        super::commit(tx).await?;
        self.wake();
        Ok(message)
    }

    /// `/okr digest scope:workspace`: the alignment tree of the running cycle.
    pub async fn rollup(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Message> {
        let mut c = self.store.read().await?;
        let cycle = resolve_cycle(&mut c, actor, None, now).await?;
        let snap = Snapshot::load_cycle(&mut c, actor, cycle.id).await?;
        let views = snap.views(self, now, |o| o.cycle_id == cycle.id, |_| true, true);
        Ok(render::digest::rollup_message(
            &cycle.name,
            &rollup(&views),
            now,
        ))
    }
}
