//! One team's live state, scored as of an instant: what prompts, reminders, digests and alert
//! sweeps decide from. Loaded with a few team-scoped queries, so a tick's cost follows the teams
//! that are due, not the size of the store.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Result;
use crate::domain::model::{Objective, ObjectiveId, ObjectiveState, TeamId, WorkspaceId};
use crate::domain::scoring::{
    self, CycleClock, KrScore, ObjectiveScore, ScoreContext, ScoringRules,
};
pub use crate::domain::view::{ScoredKr, TeamState};
use crate::store::{self, Conn};

impl TeamState {
    pub async fn load(
        c: &mut Conn,
        ws: WorkspaceId,
        team: TeamId,
        at: DateTime<Utc>,
        period: chrono::Duration,
        rules: &ScoringRules,
    ) -> Result<Option<TeamState>> {
        let Some(team) = store::teams::by_id(c, ws, team).await? else {
            return Ok(None);
        };
        let cycle = store::cycles::list(c, ws)
            .await?
            .into_iter()
            .filter(|cy| !cy.closed)
            .filter(|cy| CycleClock::new(cy, team.tz).contains(at))
            .max_by_key(|cy| cy.start);
        let mut kpis = store::kpis::list(c, ws, Some(team.id)).await?;
        let people = store::people::load(c, ws, team.id, at).await?;
        for k in &mut kpis {
            k.judge_staleness(at, period);
        }
        let mut state = TeamState {
            workspace: ws,
            clock: cycle.as_ref().map(|cy| CycleClock::new(cy, team.tz)),
            team,
            cycle,
            objectives: vec![],
            krs: vec![],
            points: HashMap::new(),
            kpis,
            children: HashMap::new(),
            shared: HashMap::new(),
            shared_with: HashMap::new(),
            people,
            at,
        };
        let Some(cycle) = state.cycle.clone() else {
            return Ok(Some(state));
        };
        let mut objectives: Vec<Objective> =
            store::objectives::list(c, ws, Some(state.team.id), Some(cycle.id))
                .await?
                .into_iter()
                .filter(|o| o.state == ObjectiveState::Active)
                .collect();
        let mut krs = store::key_results::list(c, ws, Some(state.team.id), None, None).await?;
        state.points = store::check_ins::points_for_team(c, ws, state.team.id).await?;
        // Objectives other teams share with this one, after its own, and those it shares; the
        // teams are read only when some share exists.
        let own_ids: Vec<ObjectiveId> = objectives.iter().map(|o| o.id).collect();
        let shares = store::shares::touching(c, ws, state.team.id, &own_ids).await?;
        let shared: Vec<ObjectiveId> = shares
            .iter()
            .filter(|(_, t)| *t == state.team.id)
            .map(|(o, _)| *o)
            .collect();
        let outgoing: Vec<(ObjectiveId, crate::domain::model::TeamId)> = shares
            .iter()
            .filter(|(o, _)| objectives.iter().any(|x| x.id == *o))
            .copied()
            .collect();
        if !outgoing.is_empty() {
            let teams = store::teams::list(c, ws).await?;
            for (o, t) in outgoing {
                if let Some(team) = teams.iter().find(|x| x.id == t) {
                    state
                        .shared_with
                        .entry(o)
                        .or_default()
                        .push(team.name.clone());
                }
            }
        }
        if !shared.is_empty() {
            let teams = store::teams::list(c, ws).await?;
            for id in shared {
                let Some(o) = store::objectives::by_id(c, ws, id).await? else {
                    continue;
                };
                if o.cycle_id != cycle.id || o.state != ObjectiveState::Active {
                    continue;
                }
                krs.extend(store::key_results::list(c, ws, None, Some(o.id), None).await?);
                if let Some(home) = teams.iter().find(|t| t.id == o.team_id) {
                    state.shared.insert(o.id, home.name.clone());
                }
                objectives.push(o);
            }
            // The points of the shared objectives' key results only, not of the whole cycle.
            let ids: Vec<_> = krs
                .iter()
                .filter(|k| state.shared.contains_key(&k.objective_id))
                .map(|k| k.id)
                .collect();
            state
                .points
                .extend(store::check_ins::points_of(c, ws, &ids).await?);
        }
        let ctx = ScoreContext::new(&cycle, state.team.tz, at, period, rules);
        for (i, o) in objectives.iter().enumerate() {
            let ctx = ctx.aiming(o.kind);
            for kr in krs.iter().filter(|k| k.objective_id == o.id) {
                let points = state
                    .points
                    .get(&kr.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                state.krs.push(ScoredKr {
                    score: scoring::score_kr(kr, &ctx, points),
                    kr: kr.clone(),
                    objective: i,
                });
            }
        }
        let own: HashMap<ObjectiveId, Option<ObjectiveScore>> = objectives
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let weighted: Vec<(f64, &KrScore)> = state
                    .krs
                    .iter()
                    .filter(|k| k.objective == i)
                    .map(|k| (k.kr.weight, &k.score))
                    .collect();
                (o.id, scoring::objective_score(&weighted))
            })
            .collect();
        let (rolled, children) =
            roll_in_other_teams(c, &state, &objectives, own, period, rules).await?;
        state.children = children;
        state.objectives = objectives
            .into_iter()
            .map(|o| {
                let s = rolled.get(&o.id).copied().flatten();
                (o, s)
            })
            .collect();
        Ok(Some(state))
    }
}

/// The team's objective scores with aligned children rolled in, and the children's codes,
/// children of other teams included (`docs/scoring.md`, "Alignment"). Those are read only when some exist, so a team
/// that nobody aligns under pays one extra query, which walks down from its objectives.
async fn roll_in_other_teams(
    c: &mut Conn,
    state: &TeamState,
    mine: &[Objective],
    mut own: HashMap<ObjectiveId, Option<ObjectiveScore>>,
    period: chrono::Duration,
    rules: &ScoringRules,
) -> Result<Rolled> {
    let (Some(cycle), ws) = (state.cycle.as_ref(), state.workspace) else {
        return Ok((own, HashMap::new()));
    };
    // The alignment tree below the team's objectives, not the whole cycle: a team's state costs
    // the same however many teams the workspace has.
    let roots: Vec<ObjectiveId> = mine.iter().map(|o| o.id).collect();
    let descendants = store::objectives::descendants_in_cycle(c, ws, cycle.id, &roots).await?;
    if !descendants.is_empty() {
        let mut teams = HashMap::new();
        for o in &descendants {
            if let std::collections::hash_map::Entry::Vacant(e) = teams.entry(o.team_id) {
                if let Some(t) = store::teams::by_id(c, ws, o.team_id).await? {
                    e.insert(t.tz);
                }
            }
        }
        let ids: Vec<ObjectiveId> = descendants.iter().map(|o| o.id).collect();
        let krs = store::key_results::of_objectives(c, ws, &ids).await?;
        let kr_ids: Vec<_> = krs.iter().map(|k| k.id).collect();
        let points = store::check_ins::points_of(c, ws, &kr_ids).await?;
        for o in &descendants {
            let tz = teams.get(&o.team_id).copied().unwrap_or(state.team.tz);
            let ctx = ScoreContext::new(cycle, tz, state.at, period, rules).aiming(o.kind);
            let scored: Vec<(f64, KrScore)> = krs
                .iter()
                .filter(|k| k.objective_id == o.id)
                .map(|k| {
                    let p = points.get(&k.id).map(Vec::as_slice).unwrap_or_default();
                    (k.weight, scoring::score_kr(k, &ctx, p))
                })
                .collect();
            let weighted: Vec<(f64, &KrScore)> = scored.iter().map(|(w, s)| (*w, s)).collect();
            own.insert(o.id, scoring::objective_score(&weighted));
        }
    }
    let all: Vec<&Objective> = mine.iter().chain(&descendants).collect();
    Ok((
        scoring::roll_up(&all, &own, rules.child_weight),
        scoring::aligned_children(&all),
    ))
}

/// The scores with children rolled in, and each objective's aligned children by code.
type Rolled = (
    HashMap<ObjectiveId, Option<ObjectiveScore>>,
    HashMap<ObjectiveId, Vec<String>>,
);
