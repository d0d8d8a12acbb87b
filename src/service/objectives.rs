//! Objectives and key results: `/okr objective ...` and `/okr kr ...`. Leads of the team (and
//! admins) may change them; anyone may read them.

use chrono::{DateTime, Utc};

use super::fields::{check_person, no_control_characters};
use super::setup::resolve_cycle;
use super::{commit, require_lead, team_named, Actor, Okr, OkrError, Result};
use crate::domain::grammar::{self, parse_kr_ref, KrCandidate, KrRef};
use crate::domain::model::{
    Direction, KeyResult, KrKind, Objective, ObjectiveCode, ObjectiveKind, ObjectiveState, Team,
    Unit, WorkspaceId, MAX_UNIT_CHARS,
};
use crate::domain::value::{self, ParsedValue, TargetSpec, ValueSpec};
use crate::store::{self, key_results::NewKr, objectives::NewObjective, Conn};

#[derive(Debug, Default, Clone)]
pub struct ObjectiveInput {
    pub team: String,
    pub title: String,
    pub kind: Option<String>,
    pub owner: Option<String>,
    pub parent: Option<String>,
    pub cycle: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct ObjectiveEdit {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub owner: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct KrInput {
    pub objective: String,
    pub title: String,
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub start: Option<String>,
    pub target: Option<String>,
    pub direction: Option<String>,
    pub owner: Option<String>,
    pub weight: Option<String>,
    pub confidence: Option<String>,
    /// The day its pace counts from (YYYY-MM-DD, inside the cycle); else the day it is added.
    pub from: Option<String>,
    /// Of a shared objective: the contributing team that carries it (its prompts and alerts);
    /// else the home team.
    pub team: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct KrEdit {
    pub title: Option<String>,
    pub owner: Option<String>,
    pub start: Option<String>,
    pub target: Option<String>,
    pub direction: Option<String>,
    pub weight: Option<String>,
    /// A new day its pace counts from (YYYY-MM-DD, inside the cycle).
    pub from: Option<String>,
}

/// The title of an objective or key result, from a command or an import.
pub(crate) fn check_title(title: &str) -> Result<String> {
    let t = title.trim();
    match t.chars().count() {
        0 => Err(OkrError::invalid(
            "give a title, e.g. title:Enhance customer onboarding experience",
        )),
        n if n > 200 => Err(OkrError::invalid(format!(
            "the title has {n} characters; keep it to 200 or fewer"
        ))),
        _ => {
            no_control_characters("the title", t)?;
            Ok(t.to_owned())
        }
    }
}

/// The owner option of a command (`owner:@alice`), or the owner an import brings.
pub(crate) fn check_owner(text: Option<&str>) -> Result<Option<String>> {
    check_person("owner", text)
}

/// A plain number option (`weight:`) through the update grammar's number rules, so `1,200`,
/// `1.2k`, `45%` and `$3M` read the same everywhere and NaN never gets in.
fn number_option(name: &str, text: &str) -> Result<(f64, Option<Unit>)> {
    let parsed = value::parse_value(text).map_err(|e| OkrError::invalid(format!("{name}: {e}")))?;
    match parsed.spec {
        ValueSpec::Absolute(v) => Ok((v, parsed.unit)),
        _ => Err(OkrError::invalid(format!(
            "{name}:{text:?} must be a plain number, e.g. {name}:42"
        ))),
    }
}

/// `start:` and `target:` as written, read by the value grammar once (`docs/update-grammar.md`,
/// "Start and target"): a sign belongs to the number, a unit written must agree with `unit`
/// (and sets it when none is known yet), and a relative target (`+30%`) is computed from the
/// start given here or, when editing, from `current_start`.
fn start_and_target(
    unit: &mut Option<Unit>,
    start: Option<&str>,
    target: Option<&str>,
    current_start: Option<f64>,
) -> Result<(Option<f64>, Option<f64>)> {
    let start = match start {
        None => None,
        Some(text) => {
            let v =
                value::parse_amount(text).map_err(|e| OkrError::invalid(format!("start: {e}")))?;
            Some(amount("start", text, &v, unit)?)
        }
    };
    let Some(text) = target else {
        return Ok((start, None));
    };
    let spec = value::parse_target(text).map_err(|e| OkrError::invalid(format!("target: {e}")))?;
    if let TargetSpec::Absolute(v) = &spec {
        return Ok((start, Some(amount("target", text, v, unit)?)));
    }
    let target = spec
        .resolve(
            start.or(current_start),
            unit.as_ref().unwrap_or(&Unit::Count),
        )
        .map_err(|e| OkrError::invalid(e.to_string()))?;
    Ok((start, target))
}

/// The number of a start or target, after checking its unit against the key result's.
fn amount(name: &str, text: &str, v: &ParsedValue, unit: &mut Option<Unit>) -> Result<f64> {
    match (unit.as_ref(), &v.unit) {
        (None, Some(written)) => *unit = Some(written.clone()),
        (Some(u), _) => value::check_unit("the key result", u, v)
            .map_err(|e| OkrError::invalid(format!("{name}: {e}")))?,
        (None, None) => {}
    }
    match v.spec {
        ValueSpec::Absolute(x) | ValueSpec::Change(x) => Ok(x),
        ValueSpec::Done(_) => Err(OkrError::invalid(format!(
            "{name}:{text:?} must be a number, e.g. {name}:42 or {name}:-10"
        ))),
    }
}

fn parse_objective_kind(text: Option<&str>) -> Result<ObjectiveKind> {
    match text {
        None => Ok(ObjectiveKind::Committed),
        Some(k) => ObjectiveKind::parse(k).ok_or_else(|| {
            OkrError::invalid(format!(
                "kind:{k:?} is not an objective kind: use kind:committed or kind:aspirational"
            ))
        }),
    }
}

pub(crate) async fn objective_by_code(
    c: &mut Conn,
    ws: WorkspaceId,
    code: &str,
) -> Result<Objective> {
    let not_found = || OkrError::NotFound {
        what: "objective",
        reference: code.trim().to_owned(),
        hint: Some("give its code such as GRO-1; /okr objective list shows them".into()),
    };
    // Text that is not a code names no objective: the same answer as a code nobody has.
    let code = ObjectiveCode::parse(code).map_err(|_| not_found())?;
    store::objectives::by_code(c, ws, &code)
        .await?
        .ok_or_else(not_found)
}

/// Finds a key result by code, id or title part among all of the workspace's key results.
pub(crate) async fn kr_by_ref(c: &mut Conn, ws: WorkspaceId, reference: &str) -> Result<KeyResult> {
    let krs = store::key_results::list(c, ws, None, None, None).await?;
    let r = parse_kr_ref(reference)?;
    let id = resolve(&r, &krs)?;
    Ok(krs
        .into_iter()
        .find(|k| k.id == id)
        .expect("resolve returns one of the candidates"))
}

pub(crate) fn resolve(r: &KrRef, krs: &[KeyResult]) -> Result<crate::domain::model::KrId> {
    let candidates: Vec<KrCandidate<'_>> = krs
        .iter()
        .map(|k| KrCandidate {
            id: k.id,
            code: &k.code,
            title: &k.title,
        })
        .collect();
    Ok(grammar::resolve_kr(r, &candidates)?)
}

impl Okr {
    pub async fn objective_add(
        &self,
        actor: &Actor,
        input: ObjectiveInput,
        now: DateTime<Utc>,
    ) -> Result<Objective> {
        let title = check_title(&input.title)?;
        let kind = parse_objective_kind(input.kind.as_deref())?;
        let owner = check_owner(input.owner.as_deref())?;
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, ws, &input.team).await?;
        require_lead(actor, &team, "add objectives")?;
        let cycle = resolve_cycle(&mut tx, actor, input.cycle.as_deref(), now).await?;
        if cycle.closed {
            return Err(OkrError::invalid(format!(
                "cycle {} is closed: add the objective to an open cycle",
                cycle.name
            )));
        }
        let parent = match input.parent.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(code) => Some(objective_by_code(&mut tx, ws, code).await?.id),
            None => None,
        };
        let number = store::teams::take_objective_number(&mut tx, team.id).await?;
        let new = NewObjective {
            team: team.id,
            cycle: cycle.id,
            number,
            title: &title,
            owner: owner.as_deref(),
            parent,
            kind,
            state: ObjectiveState::Active,
        };
        let id = store::objectives::insert(&mut tx, ws, &new, now).await?;
        let objective = store::objectives::by_id(&mut tx, ws, id)
            .await?
            .ok_or_else(vanished)?;
        commit(tx).await?;
        Ok(objective)
    }

    pub async fn objective_edit(
        &self,
        actor: &Actor,
        code: &str,
        edit: ObjectiveEdit,
    ) -> Result<Objective> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let mut o = objective_by_code(&mut tx, ws, code).await?;
        let team = team_of(&mut tx, ws, &o).await?;
        require_lead(actor, &team, "edit objectives")?;
        ensure_cycle_open(&mut tx, actor, &o).await?;
        if let Some(t) = &edit.title {
            o.title = check_title(t)?;
        }
        if let Some(k) = &edit.kind {
            o.kind = parse_objective_kind(Some(k))?;
        }
        if edit.owner.is_some() {
            o.owner = check_owner(edit.owner.as_deref())?;
        }
        store::objectives::update(&mut tx, ws, &o).await?;
        commit(tx).await?;
        Ok(o)
    }

    /// Aligns an objective under a parent (company -> department -> team -> person); refuses a
    /// loop. An empty parent removes the alignment.
    pub async fn objective_align(
        &self,
        actor: &Actor,
        code: &str,
        parent: Option<&str>,
    ) -> Result<Objective> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let mut o = objective_by_code(&mut tx, ws, code).await?;
        let team = team_of(&mut tx, ws, &o).await?;
        let parent = match parent.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(objective_by_code(&mut tx, ws, p).await?),
        };
        // Under an objective of the same team (or out from under any), the team's lead decides.
        // Counting toward another team's objective is that objective's to accept: its owner, a
        // lead of its team or an admin aligns it (the child's score is only read, never moved).
        if parent.as_ref().is_none_or(|p| p.team_id == o.team_id) {
            require_lead(actor, &team, "align objectives")?;
        }
        ensure_cycle_open(&mut tx, actor, &o).await?;
        o.parent = match parent {
            None => None,
            Some(parent) => {
                check_alignment(&mut tx, ws, &o, &parent).await?;
                if parent.team_id != o.team_id
                    && parent.owner.as_deref() != Some(actor.user.as_str())
                {
                    let theirs = team_of(&mut tx, ws, &parent).await?;
                    if !super::is_lead(actor, &theirs) {
                        let owner = parent
                            .owner
                            .as_deref()
                            .map(|o| format!("its owner ({o}) or "))
                            .unwrap_or_default();
                        return Err(OkrError::Forbidden {
                            action: format!(
                                "align {} under {}, an objective of {}",
                                o.code, parent.code, theirs.name
                            ),
                            who: format!("{owner}{}", super::lead_names(&theirs)),
                        });
                    }
                }
                Some(parent.id)
            }
        };
        store::objectives::update(&mut tx, ws, &o).await?;
        commit(tx).await?;
        Ok(o)
    }

    pub async fn objective_close(&self, actor: &Actor, code: &str) -> Result<Objective> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let mut o = objective_by_code(&mut tx, ws, code).await?;
        let team = team_of(&mut tx, ws, &o).await?;
        require_lead(actor, &team, "close objectives")?;
        ensure_cycle_open(&mut tx, actor, &o).await?;
        o.state = ObjectiveState::Closed;
        store::objectives::update(&mut tx, ws, &o).await?;
        commit(tx).await?;
        Ok(o)
    }

    pub async fn objective(&self, actor: &Actor, code: &str) -> Result<Objective> {
        let mut c = self.store.read().await?;
        objective_by_code(&mut c, actor.workspace, code).await
    }

    pub async fn kr_add(
        &self,
        actor: &Actor,
        input: KrInput,
        now: DateTime<Utc>,
    ) -> Result<KeyResult> {
        let title = check_title(&input.title)?;
        let kind = match input.kind.as_deref() {
            None => KrKind::Metric,
            Some(k) => KrKind::parse(k).ok_or_else(|| {
                OkrError::invalid(format!(
                    "kind:{k:?} is not a key-result kind: use metric, threshold or milestone"
                ))
            })?,
        };
        let mut unit = match input.unit.as_deref() {
            None => None,
            Some(u) => Some(Unit::parse(u).ok_or_else(|| {
                OkrError::invalid(format!(
                    "unit:{u:?} is not a unit: use count, percent, days, hours, a currency code \
                     such as USD, or one short word such as points or users (letters only, up \
                     to {MAX_UNIT_CHARS})"
                ))
            })?),
        };
        let (start, target) = start_and_target(
            &mut unit,
            input.start.as_deref(),
            input.target.as_deref(),
            None,
        )?;
        let unit = unit.unwrap_or(Unit::Count);
        let weight = match input.weight.as_deref() {
            None => 1.0,
            Some(w) => match number_option("weight", w)? {
                (v, None) if (0.0..=100.0).contains(&v) => v,
                _ => {
                    return Err(OkrError::invalid(format!(
                        "weight:{w} must be a number from 0 to 100, e.g. weight:2"
                    )))
                }
            },
        };
        let confidence = match input.confidence.as_deref() {
            None => None,
            Some(c) => Some(grammar::parse_confidence(c)?),
        };
        let (start, target, direction) = shape_kr(kind, start, target, input.direction.as_deref())?;
        let owner = check_owner(input.owner.as_deref())?;
        let from = input
            .from
            .as_deref()
            .map(|d| super::setup::parse_date("from", d))
            .transpose()?;

        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let objective = objective_by_code(&mut tx, ws, &input.objective).await?;
        let team = team_of(&mut tx, ws, &objective).await?;
        let carrier = match input.team.as_deref().filter(|t| !t.trim().is_empty()) {
            None => None,
            Some(t) => {
                let other = team_named(&mut tx, ws, t).await?;
                if other.id == team.id {
                    None
                } else if store::shares::with_team(&mut tx, ws, other.id)
                    .await?
                    .contains(&objective.id)
                {
                    Some(other)
                } else {
                    return Err(OkrError::invalid(format!(
                        "{} is not shared with {}: its owner or a lead of {} shares it first with /okr objective share objective:{} team:{}",
                        objective.code, other.name, team.name, objective.code, other.name
                    )));
                }
            }
        };
        // A contributing team's lead adds the key results that team carries.
        match &carrier {
            Some(c) if super::is_lead(actor, c) => {}
            _ => require_lead(actor, &team, "add key results")?,
        }
        ensure_cycle_open(&mut tx, actor, &objective).await?;
        if let Some(day) = from {
            pace_day_in_cycle(&mut tx, ws, objective.cycle_id, day).await?;
        }
        let number = store::objectives::take_kr_number(&mut tx, objective.id).await?;
        let owner = owner.or_else(|| objective.owner.clone());
        let new = NewKr {
            objective: objective.id,
            number,
            title: &title,
            owner: owner.as_deref(),
            kind,
            unit: &unit,
            start,
            target,
            current: start,
            direction,
            confidence,
            weight,
            paced_from: from,
        };
        let id = store::key_results::insert(&mut tx, ws, &new, now).await?;
        if let Some(c) = &carrier {
            store::shares::carry(&mut tx, ws, id, Some(c.id)).await?;
        }
        let kr = store::key_results::by_id(&mut tx, ws, id)
            .await?
            .ok_or_else(vanished)?;
        commit(tx).await?;
        Ok(kr)
    }

    pub async fn kr_edit(&self, actor: &Actor, reference: &str, edit: KrEdit) -> Result<KeyResult> {
        let from = edit
            .from
            .as_deref()
            .map(|d| super::setup::parse_date("from", d))
            .transpose()?;
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let mut kr = kr_by_ref(&mut tx, ws, reference).await?;
        let team = team_of_kr(&mut tx, ws, &kr).await?;
        require_lead(actor, &team, "edit key results")?;
        ensure_kr_cycle_open(&mut tx, actor, &kr).await?;
        if let Some(day) = from {
            let objective = store::objectives::by_id(&mut tx, ws, kr.objective_id)
                .await?
                .ok_or_else(vanished)?;
            pace_day_in_cycle(&mut tx, ws, objective.cycle_id, day).await?;
            kr.paced_from = Some(day);
        }
        if let Some(t) = &edit.title {
            kr.title = check_title(t)?;
        }
        if edit.owner.is_some() {
            kr.owner = check_owner(edit.owner.as_deref())?;
        }
        if let Some(w) = &edit.weight {
            kr.weight = match number_option("weight", w)? {
                (v, None) if (0.0..=100.0).contains(&v) => v,
                _ => {
                    return Err(OkrError::invalid(format!(
                        "weight:{w} must be a number from 0 to 100, e.g. weight:2"
                    )))
                }
            };
        }
        if edit.start.is_some() || edit.target.is_some() || edit.direction.is_some() {
            let (start, target) = start_and_target(
                &mut Some(kr.unit.clone()),
                edit.start.as_deref(),
                edit.target.as_deref(),
                Some(kr.start),
            )?;
            let direction = edit
                .direction
                .clone()
                .or_else(|| kr.direction.map(|d| d.as_str().to_owned()));
            let (s, t, d) = shape_kr(
                kr.kind,
                start.or(Some(kr.start)),
                target.or(Some(kr.target)),
                direction.as_deref(),
            )?;
            kr.start = s;
            kr.target = t;
            kr.direction = d;
        }
        store::key_results::update_definition(&mut tx, ws, &kr).await?;
        commit(tx).await?;
        Ok(kr)
    }

    pub async fn kr_remove(
        &self,
        actor: &Actor,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<KeyResult> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let kr = kr_by_ref(&mut tx, ws, reference).await?;
        let team = team_of_kr(&mut tx, ws, &kr).await?;
        require_lead(actor, &team, "remove key results")?;
        ensure_kr_cycle_open(&mut tx, actor, &kr).await?;
        store::key_results::archive(&mut tx, ws, kr.id, now).await?;
        commit(tx).await?;
        Ok(kr)
    }

    /// Brings back a key result that `kr remove` archived, with its history (lead).
    pub async fn kr_restore(&self, actor: &Actor, reference: &str) -> Result<KeyResult> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let archived = store::key_results::list_archived(&mut tx, ws).await?;
        let r = parse_kr_ref(reference)?;
        let id = resolve(&r, &archived).map_err(|_| OkrError::NotFound {
            what: "removed key result",
            reference: reference.trim().to_owned(),
            hint: Some(if archived.is_empty() {
                "no key result has been removed".into()
            } else {
                let codes: Vec<&str> = archived.iter().map(|k| k.code.as_str()).collect();
                format!("removed ones: {}", codes.join(", "))
            }),
        })?;
        let kr = archived
            .into_iter()
            .find(|k| k.id == id)
            .expect("resolve returns one of the candidates");
        let team = team_of_kr(&mut tx, ws, &kr).await?;
        require_lead(actor, &team, "restore key results")?;
        ensure_kr_cycle_open(&mut tx, actor, &kr).await?;
        store::key_results::unarchive(&mut tx, ws, kr.id).await?;
        commit(tx).await?;
        Ok(kr)
    }

    pub async fn kr(&self, actor: &Actor, reference: &str) -> Result<KeyResult> {
        let mut c = self.store.read().await?;
        kr_by_ref(&mut c, actor.workspace, reference).await
    }
}

/// Refuses to put `child` under `parent` when that would close a loop: `parent` is `child`
/// itself or sits, at any depth, under it. `objective align` and the import (which links
/// the parents of a file one by one) both ask this before writing a parent.
pub(crate) async fn check_alignment(
    c: &mut Conn,
    ws: WorkspaceId,
    child: &Objective,
    parent: &Objective,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let mut cursor = Some(parent.id);
    while let Some(id) = cursor {
        if id == child.id {
            return Err(OkrError::invalid(format!(
                "{} cannot sit under {}: that would make a loop in the alignment tree",
                child.code, parent.code
            )));
        }
        // A loop above `parent` that does not pass through `child` (written before loops
        // were refused everywhere) must not keep this walk going for ever.
        if !seen.insert(id) {
            break;
        }
        cursor = store::objectives::by_id(c, ws, id)
            .await?
            .and_then(|x| x.parent);
    }
    Ok(())
}

/// Checks the numbers a kind needs and fills in what the kind implies.
pub(crate) fn shape_kr(
    kind: KrKind,
    start: Option<f64>,
    target: Option<f64>,
    direction: Option<&str>,
) -> Result<(f64, f64, Option<Direction>)> {
    match kind {
        KrKind::Metric => {
            let (Some(s), Some(t)) = (start, target) else {
                return Err(OkrError::invalid(
                    "a metric key result needs start and target, e.g. start:14 target:7 unit:days",
                ));
            };
            if s == t {
                return Err(OkrError::invalid(format!(
                    "start and target are both {s}: a metric must move, so give a target different from the start"
                )));
            }
            Ok((s, t, None))
        }
        KrKind::Threshold => {
            let Some(t) = target else {
                return Err(OkrError::invalid(
                    "a threshold key result needs a target and a direction, e.g. target:95 unit:percent direction:at_least",
                ));
            };
            let d = match direction {
                None => Direction::AtLeast,
                Some(d) => Direction::parse(d).ok_or_else(|| {
                    OkrError::invalid(format!(
                        "direction:{d:?} is not a direction: use at_least or at_most"
                    ))
                })?,
            };
            Ok((start.unwrap_or(t), t, Some(d)))
        }
        KrKind::Milestone => Ok((0.0, 1.0, None)),
    }
}

fn vanished() -> OkrError {
    OkrError::Internal(anyhow::anyhow!("row vanished inside its own transaction"))
}

pub(crate) async fn team_of(c: &mut Conn, ws: WorkspaceId, o: &Objective) -> Result<Team> {
    store::teams::by_id(c, ws, o.team_id)
        .await?
        .ok_or_else(vanished)
}

/// The team a key result belongs to for check-ins, alerts and prompts: the contributing team
/// that carries it, or its objective's (home) team.
pub(crate) async fn team_of_kr(c: &mut Conn, ws: WorkspaceId, kr: &KeyResult) -> Result<Team> {
    if let Some(t) = kr.carried_by {
        return store::teams::by_id(c, ws, t).await?.ok_or_else(vanished);
    }
    let o = store::objectives::by_id(c, ws, kr.objective_id)
        .await?
        .ok_or_else(vanished)?;
    team_of(c, ws, &o).await
}

pub(crate) async fn ensure_kr_cycle_open(
    c: &mut Conn,
    actor: &Actor,
    kr: &KeyResult,
) -> Result<()> {
    let o = store::objectives::by_id(c, actor.workspace, kr.objective_id)
        .await?
        .ok_or_else(vanished)?;
    ensure_cycle_open(c, actor, &o).await
}

/// A `from:` day must lie inside the key result's cycle: pace cannot count from a day the
/// cycle does not have.
async fn pace_day_in_cycle(
    c: &mut Conn,
    ws: crate::domain::model::WorkspaceId,
    cycle: crate::domain::model::CycleId,
    day: chrono::NaiveDate,
) -> Result<()> {
    let cycle = store::cycles::by_id(c, ws, cycle)
        .await?
        .ok_or_else(vanished)?;
    if day < cycle.start || day > cycle.end {
        return Err(OkrError::invalid(format!(
            "from:{day} is outside cycle {} ({} to {}): give a day inside it, e.g. from:{}",
            cycle.name, cycle.start, cycle.end, cycle.start
        )));
    }
    Ok(())
}

pub(super) async fn ensure_cycle_open(c: &mut Conn, actor: &Actor, o: &Objective) -> Result<()> {
    let cycle = store::cycles::by_id(c, actor.workspace, o.cycle_id)
        .await?
        .ok_or_else(vanished)?;
    if cycle.closed {
        return Err(OkrError::invalid(format!(
            "cycle {} is closed, so {} can no longer change",
            cycle.name, o.code
        )));
    }
    Ok(())
}
