//! Shared objectives (`docs/scoring.md`, "Shared objectives"): `/okr objective share` and
//! `unshare`. An objective pursued by several teams keeps one home team (its own) and has
//! contributing teams, in whose status, digest and prompts it appears, marked shared. A
//! contributing team carries key results of it (`/okr kr add ... team:`), which its own prompts,
//! reminders and alerts then cover.

use chrono::{DateTime, Utc};

use super::objectives::{ensure_cycle_open, objective_by_code, team_of};
use super::{commit, is_lead, lead_names, team_named, Actor, Okr, OkrError, Result};
use crate::domain::model::{Objective, Team, WorkspaceId};
pub use crate::domain::view::ObjectiveShared;
use crate::store::{self, Conn};

/// Who may change whom an objective is shared with: its owner, a lead of its home team, or an
/// admin.
fn may_share(actor: &Actor, o: &Objective, home: &Team) -> Result<()> {
    if is_lead(actor, home) || o.owner.as_deref() == Some(actor.user.as_str()) {
        return Ok(());
    }
    let owner = o
        .owner
        .as_deref()
        .map(|x| format!("its owner ({x}) or "))
        .unwrap_or_default();
    Err(OkrError::Forbidden {
        action: format!("change whom {} is shared with", o.code),
        who: format!("{owner}{}", lead_names(home)),
    })
}

/// The names of the teams an objective is shared with, in name order.
pub(crate) async fn shared_with(
    c: &mut Conn,
    ws: WorkspaceId,
    o: &Objective,
) -> Result<Vec<String>> {
    let teams = store::teams::list(c, ws).await?;
    let mut names: Vec<String> = store::shares::all(c, ws)
        .await?
        .into_iter()
        .filter(|(obj, _)| *obj == o.id)
        .filter_map(|(_, t)| teams.iter().find(|x| x.id == t).map(|x| x.name.clone()))
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

impl Okr {
    /// `/okr objective share` (`share: true`) or `unshare`: one contributing team more or less.
    /// Unsharing hands the key results that team carried back to the home team.
    pub async fn objective_share(
        &self,
        actor: &Actor,
        code: &str,
        team: &str,
        share: bool,
        now: DateTime<Utc>,
    ) -> Result<ObjectiveShared> {
        if team.trim().is_empty() {
            return Err(OkrError::invalid(
                "name the team to share it with, e.g. team:Engineering",
            ));
        }
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let objective = objective_by_code(&mut tx, ws, code).await?;
        let home = team_of(&mut tx, ws, &objective).await?;
        may_share(actor, &objective, &home)?;
        ensure_cycle_open(&mut tx, actor, &objective).await?;
        let other = team_named(&mut tx, ws, team).await?;
        if other.id == home.id {
            return Err(OkrError::invalid(format!(
                "{} is {}'s own objective: share it with another team, e.g. team:<team>",
                objective.code, home.name
            )));
        }
        let (changed, returned) = if share {
            (
                store::shares::add(&mut tx, ws, objective.id, other.id, now).await?,
                Vec::new(),
            )
        } else {
            let (was, back) = store::shares::remove(&mut tx, ws, objective.id, other.id).await?;
            if !was {
                let with = shared_with(&mut tx, ws, &objective).await?;
                return Err(OkrError::invalid(format!(
                    "{} is not shared with {}{}",
                    objective.code,
                    other.name,
                    if with.is_empty() {
                        ": it is not shared with any team".to_owned()
                    } else {
                        format!("; it is shared with {}", with.join(", "))
                    }
                )));
            }
            let mut codes = Vec::new();
            for id in back {
                if let Some(kr) = store::key_results::by_id(&mut tx, ws, id).await? {
                    codes.push(kr.code);
                }
            }
            (true, codes)
        };
        let with = shared_with(&mut tx, ws, &objective).await?;
        commit(tx).await?;
        Ok(ObjectiveShared {
            objective,
            home: home.name,
            team: other.name,
            share,
            changed,
            with,
            returned,
        })
    }
}
