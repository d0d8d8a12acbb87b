//! `/okr cycle new from:<cycle>`: unfinished objectives move into the new cycle with their
//! unfinished key results, each starting where the old cycle left it.

use chrono::{DateTime, NaiveDate, Utc};

use super::report::Snapshot;
use super::setup::{create_cycle, resolve_cycle};
use super::{commit, Actor, Okr, OkrError, Result};
use crate::domain::model::{Cycle, KrKind, ObjectiveState};
use crate::domain::scoring;
pub use crate::domain::view::CarryOver;
use crate::store::{self, key_results::NewKr, objectives::NewObjective, Conn};

impl Okr {
    pub async fn cycle_new_from(
        &self,
        actor: &Actor,
        name: &str,
        start: NaiveDate,
        end: NaiveDate,
        from: &str,
        now: DateTime<Utc>,
    ) -> Result<CarryOver> {
        let mut tx = self.store.write().await?;
        let cycle = create_cycle(&mut tx, actor, name, start, end, now).await?;
        let out = carry(&mut tx, actor, cycle, from, now).await?;
        commit(tx).await?;
        Ok(out)
    }
}

async fn carry(
    tx: &mut Conn,
    actor: &Actor,
    cycle: Cycle,
    from: &str,
    now: DateTime<Utc>,
) -> Result<CarryOver> {
    let ws = actor.workspace;
    let old = resolve_cycle(tx, actor, Some(from), now).await?;
    if old.id == cycle.id {
        return Err(OkrError::invalid("a cycle cannot carry over from itself"));
    }
    let snap = Snapshot::load(tx, actor).await?;
    let mut out = CarryOver {
        cycle: cycle.clone(),
        objectives: vec![],
        key_results: 0,
    };
    for o in snap
        .objectives
        .iter()
        .filter(|o| o.cycle_id == old.id && o.state == ObjectiveState::Active)
    {
        let unfinished: Vec<_> = snap
            .krs
            .iter()
            .filter(|k| k.objective_id == o.id)
            .filter(|k| scoring::score(k) < 1.0)
            .collect();
        if unfinished.is_empty() {
            continue;
        }
        let number = store::teams::take_objective_number(tx, o.team_id).await?;
        let new = NewObjective {
            team: o.team_id,
            cycle: cycle.id,
            number,
            title: &o.title,
            owner: o.owner.as_deref(),
            parent: None,
            kind: o.kind,
            state: ObjectiveState::Active,
        };
        let id = store::objectives::insert(tx, ws, &new, now).await?;
        for k in unfinished {
            // A metric starts where it stands; if it stands past its target it is done.
            let start = if k.kind == KrKind::Metric {
                k.current
            } else {
                k.start
            };
            if k.kind == KrKind::Metric && start == k.target {
                continue;
            }
            let n = store::objectives::take_kr_number(tx, id).await?;
            let new = NewKr {
                // A new cycle is a new start: the carried key result is paced from its first day.
                paced_from: None,
                objective: id,
                number: n,
                title: &k.title,
                owner: k.owner.as_deref(),
                kind: k.kind,
                unit: &k.unit,
                start,
                target: k.target,
                current: if k.kind == KrKind::Milestone {
                    0.0
                } else {
                    k.current
                },
                direction: k.direction,
                confidence: k.confidence,
                weight: k.weight,
            };
            store::key_results::insert(tx, ws, &new, now).await?;
            out.key_results += 1;
        }
        let created = store::objectives::by_id(tx, ws, id)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("carried objective vanished")))?;
        out.objectives.push((o.code.clone(), created.code));
    }
    Ok(out)
}
