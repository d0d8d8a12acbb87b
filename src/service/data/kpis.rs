//! KPIs as data: their part of the export document, and their import in the import's own
//! transaction (`docs/kpis.md`, "Export and import"). Secrets (source headers, push tokens)
//! never leave; an imported KPI has neither, and its alert state is judged from the next
//! reading, so an import posts nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::bad;
use crate::domain::export::{KpiDoc, KpiSourceDoc, ReadingDoc};
use crate::domain::kpi::{self, Better, Cadence, Range, Reading, ReadingSource, MAX_CADENCE_DAYS};
use crate::domain::model::{
    name_key, same_name, KpiId, KrId, ObjectiveCode, ObjectiveId, TeamId, Unit,
};
use crate::domain::schedule::CronSchedule;
use crate::domain::value::MAX_ABS_VALUE;
use crate::service::fields::{check_instant, check_person};
use crate::service::report::Snapshot;
use crate::service::{Actor, Okr, OkrError, Result};
use crate::store::{self, kpis::NewKpi, kpis::NewSource, Conn};

/// Readings exported per KPI: all of them.
const ALL: i64 = i64::MAX;

pub(super) async fn export(okr: &Okr, actor: &Actor, snap: &Snapshot) -> Result<Vec<KpiDoc>> {
    let ws = actor.workspace;
    let mut c = okr.store.read().await?;
    let teams: HashMap<TeamId, &str> = snap.teams.iter().map(|t| (t.id, t.name.as_str())).collect();
    let codes: HashMap<ObjectiveId, &str> = snap
        .objectives
        .iter()
        .map(|o| (o.id, o.code.as_str()))
        .collect();
    let mut out = Vec::new();
    for k in store::kpis::list(&mut c, ws, None).await? {
        let mut readings = store::kpis::listed(&mut c, ws, k.id, ALL).await?;
        readings.reverse();
        let objectives = store::kpis::links(&mut c, k.id)
            .await?
            .iter()
            .filter_map(|id| codes.get(id).map(|c| (*c).to_owned()))
            .collect();
        let followed_by = snap
            .krs
            .iter()
            .filter(|kr| kr.follows == Some(k.id))
            .map(|kr| kr.code.clone())
            .collect();
        out.push(KpiDoc {
            team: teams
                .get(&k.team_id)
                .copied()
                .unwrap_or_default()
                .to_owned(),
            name: k.name.clone(),
            unit: k.unit.code(),
            direction: k.better.as_str().into(),
            min: k.range.min,
            max: k.range.max,
            owner: k.owner.clone(),
            cadence_days: k.cadence.map(|c| i64::from(c.in_days())),
            source: k.source.as_ref().map(|s| KpiSourceDoc {
                url: s.url.clone(),
                pointer: s.pointer.clone(),
                cron: s.cron.clone(),
            }),
            objectives,
            followed_by,
            readings: readings
                .into_iter()
                .map(|l| ReadingDoc {
                    value: l.reading.value,
                    source: l.reading.source.as_str().into(),
                    author: l.reading.author,
                    created_at: l.reading.at,
                    withdrawn_at: l.withdrawn.as_ref().map(|w| w.at),
                    withdrawn_by: l.withdrawn.as_ref().map(|w| w.by.clone()),
                    reason: l.withdrawn.and_then(|w| w.reason),
                })
                .collect(),
        });
    }
    Ok(out)
}

/// Imports `kpis` after the teams, objectives and key results of the same document.
pub(super) async fn import(
    tx: &mut Conn,
    ws: crate::domain::model::WorkspaceId,
    kpis: &[KpiDoc],
    teams: &HashMap<String, (TeamId, String)>,
    objectives: &HashMap<ObjectiveCode, ObjectiveId>,
    krs: &HashMap<String, KrId>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut seen: Vec<(TeamId, String)> = Vec::new();
    for (i, k) in kpis.iter().enumerate() {
        let place = format!("kpis[{i}] ({:?})", k.name);
        let at = |field: &str| format!("{place}.{field}");
        let (team, _) = teams.get(&k.team.to_lowercase()).ok_or_else(|| {
            bad(
                at("team"),
                format!("team {:?} is not among the teams", k.team),
            )
        })?;
        let name = kpi::check_name(&k.name).map_err(|e| bad(at("name"), e.into()))?;
        if seen.iter().any(|(t, n)| t == team && same_name(n, name)) {
            return Err(bad(at("name"), "appears twice in its team".into()));
        }
        seen.push((*team, name.to_owned()));
        let unit = Unit::parse(&k.unit)
            .ok_or_else(|| bad(at("unit"), format!("{:?} is not a unit", k.unit)))?;
        let better = Better::parse(&k.direction).ok_or_else(|| {
            bad(
                at("direction"),
                format!("{:?} is neither higher nor lower", k.direction),
            )
        })?;
        let finite = |v: Option<f64>, field: &str| match v {
            Some(x) if !x.is_finite() || x.abs() > MAX_ABS_VALUE => Err(bad(
                at(field),
                "is not a finite number within limits".into(),
            )),
            _ => Ok(v),
        };
        let range = Range::new(finite(k.min, "min")?, finite(k.max, "max")?)
            .map_err(|e| bad(at("min"), e.to_string()))?;
        let owner = check_person("owner", k.owner.as_deref())
            .map_err(|e| bad(at("owner"), e.to_string()))?;
        let cadence = match k.cadence_days {
            None => None,
            Some(d) => Some(Cadence::days(d).ok_or_else(|| {
                bad(
                    at("cadence_days"),
                    format!("{d} is not between 1 and {MAX_CADENCE_DAYS} days"),
                )
            })?),
        };
        let key = name_key(name);
        let new = NewKpi {
            team: *team,
            name,
            name_key: &key,
            unit: &unit,
            better,
            range,
            owner: owner.as_deref(),
            cadence,
        };
        let id = store::kpis::insert(tx, ws, &new, now).await.map_err(|_| {
            bad(
                at("name"),
                "a KPI of that name exists in its team already".into(),
            )
        })?;
        if let Some(s) = &k.source {
            source(tx, ws, id, *team, s, &place, now).await?;
        }
        for (j, r) in k.readings.iter().enumerate() {
            let rplace = format!("{place}.readings[{j}]");
            if !r.value.is_finite() || r.value.abs() > MAX_ABS_VALUE {
                return Err(bad(
                    format!("{rplace}.value"),
                    "is not a finite number within limits".into(),
                ));
            }
            let source = ReadingSource::parse(&r.source).ok_or_else(|| {
                bad(
                    format!("{rplace}.source"),
                    format!("{:?} is not a reading source", r.source),
                )
            })?;
            check_instant(r.created_at)
                .map_err(|e| bad(format!("{rplace}.created_at"), e.to_string()))?;
            let reading = Reading {
                at: r.created_at,
                value: r.value,
                source,
                author: r.author.clone(),
            };
            let reading_id = store::kpis::record(tx, ws, id, &reading).await?;
            if let Some(w_at) = r.withdrawn_at {
                check_instant(w_at)
                    .map_err(|e| bad(format!("{rplace}.withdrawn_at"), e.to_string()))?;
                let by = check_person("withdrawn_by", r.withdrawn_by.as_deref())
                    .map_err(|e| bad(format!("{rplace}.withdrawn_by"), e.to_string()))?;
                let reason = r
                    .reason
                    .as_deref()
                    .map(crate::domain::model::Note::parse)
                    .transpose()
                    .map_err(|e| bad(format!("{rplace}.reason"), e.to_string()))?
                    .flatten();
                let w = kpi::ReadingWithdrawal {
                    at: w_at,
                    by: by.unwrap_or_default(),
                    reason: reason.map(|n| n.as_str().to_owned()),
                };
                store::kpis::withdraw_reading(tx, ws, id, reading_id, &w).await?;
            }
        }
        // The latest values are those of the readings that count.
        store::kpis::refresh_latest(tx, ws, id).await?;
        for code in &k.objectives {
            let oid = ObjectiveCode::parse(code)
                .ok()
                .and_then(|c| objectives.get(&c))
                .ok_or_else(|| {
                    bad(
                        at("objectives"),
                        format!("{code:?} is not among the objectives"),
                    )
                })?;
            store::kpis::link(tx, id, *oid).await?;
        }
        for code in &k.followed_by {
            let kr = krs.get(&code.to_ascii_uppercase()).ok_or_else(|| {
                bad(
                    at("followed_by"),
                    format!("{code:?} is not among the key results"),
                )
            })?;
            store::kpis::follow(tx, ws, *kr, id).await?;
        }
    }
    Ok(kpis.len())
}

async fn source(
    tx: &mut Conn,
    ws: crate::domain::model::WorkspaceId,
    kpi: KpiId,
    team: TeamId,
    s: &KpiSourceDoc,
    place: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let url = crate::source::check_url(&s.url)
        .map_err(|e| bad(format!("{place}.source.url"), e.to_string()))?;
    let pointer = crate::source::check_pointer(&s.pointer)
        .map_err(|e| bad(format!("{place}.source.pointer"), e))?;
    let cron = CronSchedule::parse(&s.cron)
        .map_err(|e| bad(format!("{place}.source.cron"), e.to_string()))?;
    let tz = store::teams::by_id(tx, ws, team)
        .await?
        .map(|t| t.tz)
        .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("imported team vanished")))?;
    let next_due = cron
        .next_after(tz, now)
        .ok_or_else(|| bad(format!("{place}.source.cron"), "never fires again".into()))?;
    let new = NewSource {
        url: url.as_str(),
        pointer: &pointer,
        cron: cron.expression(),
        headers: &[],
        next_due,
    };
    store::kpis::set_source(tx, ws, kpi, Some(&new)).await?;
    Ok(())
}
