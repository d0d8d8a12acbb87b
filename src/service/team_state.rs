//! One team's live state, scored as of an instant: what prompts, reminders, digests and alert
//! sweeps decide from. Loaded with a few team-scoped queries, so a tick's cost follows the teams
//! that are due, not the size of the store.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Result;
use crate::domain::model::{Objective, ObjectiveState, TeamId, WorkspaceId};
use crate::domain::scoring::{self, CycleClock, KrScore, ScoreContext, ScoringRules};
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
        let mut state = TeamState {
            workspace: ws,
            clock: cycle.as_ref().map(|cy| CycleClock::new(cy, team.tz)),
            team,
            cycle,
            objectives: vec![],
            krs: vec![],
            points: HashMap::new(),
            at,
        };
        let Some(cycle) = state.cycle.clone() else {
            return Ok(Some(state));
        };
        let objectives: Vec<Objective> =
            store::objectives::list(c, ws, Some(state.team.id), Some(cycle.id))
                .await?
                .into_iter()
                .filter(|o| o.state == ObjectiveState::Active)
                .collect();
        let krs = store::key_results::list(c, ws, Some(state.team.id), None, None).await?;
        state.points = store::check_ins::points_for_team(c, ws, state.team.id).await?;
        let ctx = ScoreContext::new(&cycle, state.team.tz, at, period, rules);
        for (i, o) in objectives.iter().enumerate() {
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
        state.objectives = objectives
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                let weighted: Vec<(f64, &KrScore)> = state
                    .krs
                    .iter()
                    .filter(|k| k.objective == i)
                    .map(|k| (k.kr.weight, &k.score))
                    .collect();
                let s = scoring::objective_score(&weighted);
                (o, s)
            })
            .collect();
        Ok(Some(state))
    }
}
