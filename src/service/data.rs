//! OKRs as data: the export document of a workspace, and import of the JSON that export writes
//! (its text formats are `render::export`).
//! The JSON round-trips exactly: importing an export into an empty workspace and exporting again
//! gives the same document. Import is all-or-nothing and names the entry and field it refuses.

use crate::domain::hours::WorkingHours;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::fields::{
    check_channel, check_cycle_day, check_cycle_days, check_instant, check_person,
};
use super::objectives::{check_alignment, check_owner, check_title, shape_kr};
use super::setup::{check_cycle_name, check_leads, check_prefix, check_team_name};
use super::{commit, Actor, Okr, OkrError, Result};
pub use crate::domain::export::{
    AwayDoc, CheckInDoc, CycleDoc, ExportDoc, ExportFormat, KrDoc, MemberDoc, ObjectiveDoc,
    SchedulesDoc, TeamDoc, WithdrawnDoc, FORMAT,
};
use crate::domain::model::{
    Cycle, CycleId, KrCode, Member, Note, Objective, ObjectiveCode, ObjectiveId, TeamId, TeamZone,
    Unit, WorkspaceId, MAX_NOTE_CHARS,
};
use crate::domain::model::{KeyResult, KrId};
use crate::domain::scoring::{round_percent, round_score};
use crate::domain::scoring::{KrScore, ScoreContext};
use crate::domain::value::{self, MAX_ABS_VALUE};
use crate::store::schedules::ScheduleKind;
use crate::store::{
    self, check_ins::NewCheckIn, key_results::NewKr, objectives::NewObjective, teams::NewTeam, Conn,
};

mod kpis;

impl Okr {
    pub async fn export(&self, actor: &Actor, now: DateTime<Utc>) -> Result<ExportDoc> {
        let (views, snap) = self.everything(actor, now).await?;
        // What the views leave out, yet a lead set: removed key results, withdrawn check-ins
        // and each team's schedules (`docs/operations.md`, "Backups").
        let ws = actor.workspace;
        let (archived, withdrawn, schedules, closed_at, members, mut holidays) = {
            let mut c = self.store.read().await?;
            let closed_at = store::cycles::closed_times(&mut c, ws).await?;
            let archived = store::key_results::list_archived_with_times(&mut c, ws).await?;
            let mut withdrawn: HashMap<KrId, Vec<WithdrawnDoc>> = HashMap::new();
            for w in store::check_ins::withdrawn_in_workspace(&mut c, ws).await? {
                let ci = w.check_in;
                withdrawn.entry(ci.kr_id).or_default().push(WithdrawnDoc {
                    author: ci.author,
                    value: ci.value,
                    confidence: ci.confidence,
                    note: ci.note,
                    source: ci.source,
                    idempotency_key: ci.idempotency_key,
                    created_at: ci.created_at,
                    withdrawn_at: w.at,
                    withdrawn_by: w.by,
                    reason: w.reason,
                });
            }
            let rows = store::schedules::for_workspace(&mut c, ws).await?;
            let mut schedules = HashMap::new();
            for t in &snap.teams {
                let cron = |kind| {
                    rows.iter()
                        .find(|r| r.team == t.id && r.kind == kind)
                        .map(|r| r.cron.clone())
                        .unwrap_or_else(|| super::schedule::default_cron(kind).to_owned())
                };
                schedules.insert(
                    t.id,
                    SchedulesDoc {
                        prompt: cron(ScheduleKind::Prompt),
                        reminder: cron(ScheduleKind::Reminder),
                        digest: cron(ScheduleKind::Digest),
                    },
                );
            }
            let people = people_doc(&mut c, ws).await?;
            let mut holidays = HashMap::new();
            for t in &snap.teams {
                holidays.insert(t.id, store::people::holidays(&mut c, t.id, ALL_DAYS).await?);
            }
            (archived, withdrawn, schedules, closed_at, people, holidays)
        };
        let kr_doc = |kr: &KeyResult, score: &KrScore, removed_at: Option<DateTime<Utc>>| KrDoc {
            code: kr.code.clone(),
            title: kr.title.clone(),
            owner: kr.owner.clone(),
            kind: kr.kind,
            unit: kr.unit.code(),
            start: kr.start,
            target: kr.target,
            current: kr.current,
            direction: kr.direction,
            confidence: kr.confidence,
            weight: kr.weight,
            created_at: kr.created_at,
            paced_from: kr.paced_from,
            team: kr
                .carried_by
                .and_then(|t| snap.teams.iter().find(|x| x.id == t))
                .map(|t| t.name.clone()),
            last_check_in: kr.last_check_in,
            percent: round_percent(score.progress),
            score: round_score(score.score),
            status: score.status,
            stale: score.stale,
            check_ins: snap
                .check_ins
                .get(&kr.id)
                .map(|cs| {
                    cs.iter()
                        .map(|c| CheckInDoc {
                            author: c.author.clone(),
                            value: c.value,
                            confidence: c.confidence,
                            note: c.note.clone(),
                            source: c.source,
                            idempotency_key: c.idempotency_key.clone(),
                            created_at: c.created_at,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            removed_at,
            withdrawn: withdrawn.get(&kr.id).cloned().unwrap_or_default(),
        };
        let mut cycles: Vec<&Cycle> = snap.cycles.values().collect();
        cycles.sort_by(|a, b| (a.start, &a.name).cmp(&(b.start, &b.name)));
        let mut objectives = Vec::new();
        for t in &views {
            for o in &t.objectives {
                let mut krs: Vec<KrDoc> = o
                    .krs
                    .iter()
                    .map(|k| kr_doc(&k.kr, &k.score, None))
                    .collect();
                // Removed ones after the live ones, scored as they stood, never counted.
                let ctx = ScoreContext::new(&t.cycle, t.team.tz, now, self.period, &self.rules)
                    .aiming(o.objective.kind);
                for (kr, at) in archived
                    .iter()
                    .filter(|(k, _)| k.objective_id == o.objective.id)
                {
                    let points: Vec<(DateTime<Utc>, f64)> = snap
                        .check_ins
                        .get(&kr.id)
                        .map(|cs| cs.iter().map(|c| (c.created_at, c.value)).collect())
                        .unwrap_or_default();
                    let score = crate::domain::scoring::score_kr(kr, &ctx, &points);
                    krs.push(kr_doc(kr, &score, Some(*at)));
                }
                objectives.push(ObjectiveDoc {
                    code: o.objective.code.clone(),
                    team: t.team.name.clone(),
                    cycle: t.cycle.name.clone(),
                    title: o.objective.title.clone(),
                    owner: o.objective.owner.clone(),
                    kind: o.objective.kind,
                    state: o.objective.state,
                    parent: o.parent_code.clone(),
                    created_at: o.objective.created_at,
                    percent: o.score.as_ref().map(|s| round_percent(s.progress)),
                    score: o.score.as_ref().map(|s| round_score(s.score)),
                    status: o.score.as_ref().map(|s| s.status),
                    stale: o.krs.iter().any(|k| k.score.stale),
                    shared_with: o.shared_with.clone(),
                    key_results: krs,
                });
            }
        }
        Ok(ExportDoc {
            format: FORMAT.into(),
            as_of: now,
            teams: snap
                .teams
                .iter()
                .map(|t| TeamDoc {
                    name: t.name.clone(),
                    prefix: t.prefix.clone(),
                    timezone: t.zone_name().to_owned(),
                    channel: t.channel.clone(),
                    leads: names(&t.leads, false),
                    lead_groups: names(&t.leads, true),
                    working_hours: (t.hours != WorkingHours::default()).then(|| t.hours.text()),
                    schedules: schedules.get(&t.id).cloned(),
                    holidays: holidays.remove(&t.id).unwrap_or_default(),
                })
                .collect(),
            cycles: cycles
                .into_iter()
                .map(|c| CycleDoc {
                    name: c.name.clone(),
                    start: c.start,
                    end: c.end,
                    closed: c.closed,
                    closed_at: closed_at.get(&c.name).copied(),
                })
                .collect(),
            kpis: kpis::export(self, actor, &snap).await?,
            objectives,
            members,
        })
    }

    /// Imports an export into this workspace, all or nothing. The workspace must not already
    /// hold teams or cycles of the same names. Admin only.
    pub async fn import(
        &self,
        actor: &Actor,
        doc: &ExportDoc,
        now: DateTime<Utc>,
    ) -> Result<ImportSummary> {
        if !actor.admin {
            return Err(OkrError::Forbidden {
                action: "import OKRs".into(),
                who: "a workspace admin".into(),
            });
        }
        let mut tx = self.store.write().await?;
        let summary = import_in(&mut tx, actor.workspace, doc, now).await?;
        commit(tx).await?;
        Ok(summary)
    }

    /// `okrbot import`: the workspace with this platform key, created in the import's own
    /// transaction, so that a refused import leaves no empty workspace behind either.
    pub async fn import_into_workspace(
        &self,
        key: &str,
        name: &str,
        doc: &ExportDoc,
        now: DateTime<Utc>,
    ) -> Result<(WorkspaceId, ImportSummary)> {
        let mut tx = self.store.write().await?;
        let ws = store::workspaces::ensure(&mut tx, key, name, now).await?;
        let summary = import_in(&mut tx, ws, doc, now).await?;
        commit(tx).await?;
        Ok((ws, summary))
    }
}

/// A refusal of the import, naming the entry and field: `objectives[0] (GRO-1).title: ...`.
fn bad(place: String, msg: String) -> OkrError {
    OkrError::invalid(format!("{place}: {msg}; nothing was imported"))
}

/// A refusal from the checks the commands make, named after the entry and field it is about.
fn refused_at(place: String) -> impl FnOnce(OkrError) -> OkrError {
    move |e| match e {
        OkrError::Internal(_) => e,
        other => bad(place, other.to_string()),
    }
}

/// A number the file gives for a value: what a check-in or `kr add` would accept.
fn stored_value(place: String, v: f64) -> Result<f64> {
    if !v.is_finite() {
        return Err(bad(place, "is not a finite number".into()));
    }
    if v.abs() > MAX_ABS_VALUE {
        return Err(bad(
            place,
            format!("{v} is too large: values are limited to 1,000,000,000,000,000"),
        ));
    }
    Ok(v)
}

/// The import, in the caller's transaction: every field through the checks the commands make
/// (`docs/permissions.md`, "Bad input is refused and writes nothing"), the first refusal naming
/// its entry and field; the caller commits only when all of it went in.
async fn import_in(
    tx: &mut Conn,
    ws: WorkspaceId,
    doc: &ExportDoc,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    if doc.format != FORMAT {
        return Err(bad(
            "format".into(),
            format!("expected {FORMAT:?}, found {:?}", doc.format),
        ));
    }
    let mut teams: HashMap<String, (TeamId, String)> = HashMap::new();
    for (i, t) in doc.teams.iter().enumerate() {
        let place = format!("teams[{i}] ({:?})", t.name);
        let name = check_team_name(&t.name).map_err(refused_at(format!("{place}.name")))?;
        let prefix = check_prefix(&t.prefix).map_err(refused_at(format!("{place}.prefix")))?;
        let zone = TeamZone::parse(&t.timezone)
            .map_err(|e| bad(format!("{place}.timezone"), e.to_string()))?;
        let hours = t
            .working_hours
            .as_deref()
            .map(WorkingHours::parse)
            .transpose()
            .map_err(|e| bad(format!("{place}.working_hours"), e.to_string()))?;
        let channel =
            check_channel(t.channel.as_deref()).map_err(refused_at(format!("{place}.channel")))?;
        let leads: Vec<Member> = t
            .leads
            .iter()
            .cloned()
            .map(Member::Person)
            .chain(t.lead_groups.iter().cloned().map(Member::Group))
            .collect();
        let leads = check_leads(&leads).map_err(refused_at(format!("{place}.leads")))?;
        if store::teams::by_name(tx, ws, name).await?.is_some() {
            return Err(bad(
                place,
                "a team of that name exists in this workspace already".into(),
            ));
        }
        let fields = NewTeam {
            name,
            prefix: &prefix,
            timezone: zone.name(),
            channel: channel.as_deref(),
        };
        let id = store::teams::insert(tx, ws, &fields, now)
            .await
            .map_err(|e| {
                bad(
                    format!("{place}.prefix"),
                    format!("cannot be used here ({e})"),
                )
            })?;
        store::teams::set_leads(tx, id, &leads).await?;
        if let Some(h) = &hours {
            store::teams::set_hours(tx, ws, id, h).await?;
        }
        // Every imported team is scheduled: its own expressions, else the defaults.
        let team = store::teams::by_id(tx, ws, id)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("imported team vanished")))?;
        if let Some(s) = &t.schedules {
            for (kind, expr) in [
                (ScheduleKind::Prompt, &s.prompt),
                (ScheduleKind::Reminder, &s.reminder),
                (ScheduleKind::Digest, &s.digest),
            ] {
                let field = format!("{place}.schedules.{}", kind.as_str());
                let cron = crate::domain::schedule::CronSchedule::parse(expr)
                    .map_err(|e| bad(field.clone(), e.to_string()))?;
                let next = cron
                    .next_after(team.tz, now)
                    .ok_or_else(|| bad(field, "never fires".into()))?;
                store::schedules::upsert(tx, ws, id, kind, cron.expression(), next).await?;
            }
        }
        super::schedule::install(tx, ws, &team, now).await?;
        store::people::add_holidays(tx, id, &t.holidays).await?;
        teams.insert(name.to_lowercase(), (id, prefix));
    }
    let mut cycles: HashMap<String, CycleId> = HashMap::new();
    let mut known = store::cycles::list(tx, ws).await?;
    for (i, c) in doc.cycles.iter().enumerate() {
        let place = format!("cycles[{i}] ({:?})", c.name);
        let name = check_cycle_name(&c.name).map_err(refused_at(format!("{place}.name")))?;
        check_cycle_day("start", c.start).map_err(refused_at(format!("{place}.start")))?;
        check_cycle_days(c.start, c.end).map_err(refused_at(format!("{place}.end")))?;
        let cycle = Cycle {
            id: CycleId(0),
            name: name.to_owned(),
            start: c.start,
            end: c.end,
            closed: c.closed,
        };
        let clash = known.iter().find(|k| !c.closed && k.blocks(c.start, c.end));
        if let Some(other) = clash {
            let why = super::setup::overlap(name, c.start, c.end, other).to_string();
            return Err(bad(place, why));
        }
        known.push(cycle.clone());
        if let Some(t) = c.closed_at {
            check_instant(t).map_err(refused_at(format!("{place}.closed_at")))?;
        }
        let id = store::cycles::restore(tx, ws, &cycle, now, c.closed_at)
            .await
            .map_err(|_| {
                bad(
                    place,
                    "a cycle of that name exists in this workspace already".into(),
                )
            })?;
        cycles.insert(name.to_lowercase(), id);
    }
    let mut objective_ids: HashMap<ObjectiveCode, ObjectiveId> = HashMap::new();
    let mut kr_ids: HashMap<String, crate::domain::model::KrId> = HashMap::new();
    let mut codes = Vec::with_capacity(doc.objectives.len());
    let mut summary = ImportSummary::default();
    for (i, o) in doc.objectives.iter().enumerate() {
        let place = format!("objectives[{i}] ({})", o.code);
        let (team, prefix) = teams.get(&o.team.to_lowercase()).ok_or_else(|| {
            bad(
                format!("{place}.team"),
                format!("team {:?} is not among the teams", o.team),
            )
        })?;
        let cycle = cycles.get(&o.cycle.to_lowercase()).ok_or_else(|| {
            bad(
                format!("{place}.cycle"),
                format!("cycle {:?} is not among the cycles", o.cycle),
            )
        })?;
        let code = ObjectiveCode::parse(&o.code)
            .ok()
            .filter(|c| c.prefix() == prefix)
            .ok_or_else(|| {
                bad(
                    format!("{place}.code"),
                    format!("expected {prefix}-<number>"),
                )
            })?;
        let number = code.number();
        let title = check_title(&o.title).map_err(refused_at(format!("{place}.title")))?;
        let owner =
            check_owner(o.owner.as_deref()).map_err(refused_at(format!("{place}.owner")))?;
        check_instant(o.created_at).map_err(refused_at(format!("{place}.created_at")))?;
        let new = NewObjective {
            team: *team,
            cycle: *cycle,
            number,
            title: &title,
            owner: owner.as_deref(),
            parent: None,
            kind: o.kind,
            state: o.state,
        };
        let id = store::objectives::insert(tx, ws, &new, o.created_at)
            .await
            .map_err(|_| bad(format!("{place}.code"), "appears twice".into()))?;
        store::teams::reserve_objective_numbers(tx, *team, number).await?;
        objective_ids.insert(code.clone(), id);
        let mut contributors = Vec::new();
        for (n, name) in o.shared_with.iter().enumerate() {
            let (other, _) = teams.get(&name.to_lowercase()).ok_or_else(|| {
                bad(
                    format!("{place}.shared_with[{n}]"),
                    format!("team {name:?} is not among the teams"),
                )
            })?;
            if other == team {
                return Err(bad(
                    format!("{place}.shared_with[{n}]"),
                    "is the objective's own team".into(),
                ));
            }
            store::shares::add(tx, ws, id, *other, now).await?;
            contributors.push(*other);
        }
        summary.objectives += 1;
        for (j, k) in o.key_results.iter().enumerate() {
            let place = format!("{place}.key_results[{j}] ({})", k.code);
            let kr_number = KrCode::parse(&k.code)
                .ok()
                .filter(|k| k.objective() == &code)
                .map(|k| k.number())
                .ok_or_else(|| {
                    bad(
                        format!("{place}.code"),
                        format!("expected {}.<number>", o.code),
                    )
                })?;
            let unit = Unit::parse(&k.unit).ok_or_else(|| {
                bad(
                    format!("{place}.unit"),
                    format!("{:?} is not a unit", k.unit),
                )
            })?;
            let title = check_title(&k.title).map_err(refused_at(format!("{place}.title")))?;
            let owner =
                check_owner(k.owner.as_deref()).map_err(refused_at(format!("{place}.owner")))?;
            for (field, v) in [("start", k.start), ("target", k.target)] {
                stored_value(format!("{place}.{field}"), v)?;
            }
            shaped(&place, k)?;
            value::recordable(k.kind, &k.code, k.current, &k.current.to_string())
                .map_err(|e| bad(format!("{place}.current"), e.to_string()))?;
            check_instant(k.created_at).map_err(refused_at(format!("{place}.created_at")))?;
            if let Some(t) = k.last_check_in {
                check_instant(t).map_err(refused_at(format!("{place}.last_check_in")))?;
            }
            if !k.weight.is_finite() {
                return Err(bad(
                    format!("{place}.weight"),
                    "is not a finite number".into(),
                ));
            }
            if !(0.0..=100.0).contains(&k.weight) {
                return Err(bad(
                    format!("{place}.weight"),
                    "must be from 0 to 100".into(),
                ));
            }
            if let Some(day) = k.paced_from {
                let inside = doc
                    .cycles
                    .iter()
                    .find(|c| c.name.to_lowercase() == o.cycle.to_lowercase())
                    .is_some_and(|c| c.start <= day && day <= c.end);
                if !inside {
                    return Err(bad(
                        format!("{place}.paced_from"),
                        format!("{day} is outside cycle {}: give a day inside it", o.cycle),
                    ));
                }
            }
            let new = NewKr {
                paced_from: k.paced_from,
                objective: id,
                number: kr_number,
                title: &title,
                owner: owner.as_deref(),
                kind: k.kind,
                unit: &unit,
                start: k.start,
                target: k.target,
                current: k.current,
                direction: k.direction,
                confidence: k.confidence,
                weight: k.weight,
            };
            let kr_id = store::key_results::insert(tx, ws, &new, k.created_at)
                .await
                .map_err(|_| bad(format!("{place}.code"), "appears twice".into()))?;
            kr_ids.insert(k.code.to_ascii_uppercase(), kr_id);
            if let Some(name) = &k.team {
                let carrier = teams
                    .get(&name.to_lowercase())
                    .map(|(t, _)| *t)
                    .filter(|t| t == team || contributors.contains(t))
                    .ok_or_else(|| {
                        bad(
                            format!("{place}.team"),
                            format!("{name:?} is not a team the objective is shared with"),
                        )
                    })?;
                if carrier != *team {
                    store::shares::carry(tx, ws, kr_id, Some(carrier)).await?;
                }
            }
            store::objectives::reserve_kr_numbers(tx, id, kr_number).await?;
            // Withdrawn ones first, each taken out at once, so a live check-in may reuse its
            // idempotency key as it could when it was made.
            for (n, w) in k.withdrawn.iter().enumerate() {
                let place = format!("{place}.withdrawn[{n}]");
                let as_made = CheckInDoc {
                    author: w.author.clone(),
                    value: w.value,
                    confidence: w.confidence,
                    note: w.note.clone(),
                    source: w.source,
                    idempotency_key: w.idempotency_key.clone(),
                    created_at: w.created_at,
                };
                check_instant(w.withdrawn_at)
                    .map_err(refused_at(format!("{place}.withdrawn_at")))?;
                let reason = w
                    .reason
                    .as_deref()
                    .map(Note::parse)
                    .transpose()
                    .map_err(|e| bad(format!("{place}.reason"), e.to_string()))?
                    .flatten();
                let ci = restore_check_in(tx, ws, kr_id, k, &place, &as_made).await?;
                let by = store::check_ins::Withdrawal {
                    by: w.withdrawn_by.as_deref(),
                    reason: reason.as_deref(),
                };
                store::check_ins::withdraw(tx, ws, ci, w.withdrawn_at, by).await?;
            }
            for (n, c) in k.check_ins.iter().enumerate() {
                let place = format!("{place}.check_ins[{n}]");
                restore_check_in(tx, ws, kr_id, k, &place, c).await?;
                summary.check_ins += 1;
            }
            // The key result's state is its latest check-in's: a file where they disagree would
            // show one number while history, undo and forecasts follow the other.
            if let Some(latest) = latest_check_in(&k.check_ins) {
                if latest.value != k.current {
                    return Err(bad(
                        format!("{place}.current"),
                        format!(
                            "is {} but its latest check-in ({}) says {}: make them agree",
                            k.current, latest.created_at, latest.value
                        ),
                    ));
                }
                if k.last_check_in.is_some_and(|t| t != latest.created_at) {
                    return Err(bad(
                        format!("{place}.last_check_in"),
                        format!(
                            "is not the time of its latest check-in ({}): make them agree",
                            latest.created_at
                        ),
                    ));
                }
            }
            store::key_results::restore_state(
                tx,
                ws,
                kr_id,
                k.current,
                k.confidence,
                k.last_check_in,
            )
            .await?;
            if let Some(at) = k.removed_at {
                check_instant(at).map_err(refused_at(format!("{place}.removed_at")))?;
                store::key_results::archive(tx, ws, kr_id, at).await?;
            }
            summary.key_results += 1;
        }
        codes.push(code);
    }
    // Parents may come after their children in the file: link them once all exist.
    for (i, (o, code)) in doc.objectives.iter().zip(&codes).enumerate() {
        let Some(parent) = &o.parent else { continue };
        let place = format!("objectives[{i}] ({}).parent", o.code);
        let pid = ObjectiveCode::parse(parent)
            .ok()
            .and_then(|p| objective_ids.get(&p))
            .ok_or_else(|| {
                bad(
                    place.clone(),
                    format!("{parent:?} is not among the objectives"),
                )
            })?;
        let mut obj = imported(tx, ws, objective_ids[code]).await?;
        let parent = imported(tx, ws, *pid).await?;
        // Linked one by one, each through the check of `objective align`: the link that would
        // close a loop of any length (an objective under itself included) is refused.
        check_alignment(tx, ws, &obj, &parent)
            .await
            .map_err(refused_at(place))?;
        obj.parent = Some(parent.id);
        store::objectives::update(tx, ws, &obj).await?;
    }
    summary.kpis = kpis::import(tx, ws, &doc.kpis, &teams, &objective_ids, &kr_ids, now).await?;
    import_people(tx, ws, &doc.members, now).await?;
    summary.teams = doc.teams.len();
    summary.cycles = doc.cycles.len();
    Ok(summary)
}

async fn imported(tx: &mut Conn, ws: WorkspaceId, id: ObjectiveId) -> Result<Objective> {
    store::objectives::by_id(tx, ws, id)
        .await?
        .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("imported objective vanished")))
}

/// A key result's start, target and direction as `kr add` would shape them for its kind (a
/// metric moves, a threshold has a direction, a milestone runs from 0 to 1): refused, naming
/// the field, where the file says otherwise.
fn shaped(place: &str, k: &KrDoc) -> Result<()> {
    let (start, target, direction) = shape_kr(
        k.kind,
        Some(k.start),
        Some(k.target),
        k.direction.map(|d| d.as_str()),
    )
    .map_err(refused_at(format!("{place}.target")))?;
    let kind = k.kind.as_str();
    if start != k.start {
        return Err(bad(
            format!("{place}.start"),
            format!("a {kind} key result starts at {start}, not {}", k.start),
        ));
    }
    if target != k.target {
        return Err(bad(
            format!("{place}.target"),
            format!("a {kind} key result's target is {target}, not {}", k.target),
        ));
    }
    if direction != k.direction {
        let why = match direction {
            None => format!("a {kind} key result has no direction: leave it null"),
            Some(_) => "a threshold key result needs one: at_least or at_most".into(),
        };
        return Err(bad(format!("{place}.direction"), why));
    }
    Ok(())
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub teams: usize,
    pub cycles: usize,
    pub objectives: usize,
    pub key_results: usize,
    pub check_ins: usize,
    pub kpis: usize,
}

/// Every day, for reading all of a table's days.
const ALL_DAYS: NaiveDate = NaiveDate::MIN;

/// Members with a zone of their own or time off, by name.
async fn people_doc(c: &mut Conn, ws: WorkspaceId) -> Result<Vec<MemberDoc>> {
    let mut by_name: std::collections::BTreeMap<String, MemberDoc> = Default::default();
    let doc = |name: &str| MemberDoc {
        name: name.to_owned(),
        timezone: None,
        away: vec![],
    };
    for (name, zone) in store::people::zone_rows(c, ws).await? {
        by_name
            .entry(name.clone())
            .or_insert_with(|| doc(&name))
            .timezone = Some(zone);
    }
    for a in store::people::away(c, ws, None, ALL_DAYS).await? {
        by_name
            .entry(a.member.clone())
            .or_insert_with(|| doc(&a.member))
            .away
            .push(AwayDoc {
                from: a.first,
                to: a.last,
                note: a.note,
                set_by: a.set_by,
            });
    }
    Ok(by_name.into_values().collect())
}

/// The members' zones and time off of an import, through the checks `/okr me` and `/okr away`
/// make (time off may lie in the past: it is history).
async fn import_people(
    tx: &mut Conn,
    ws: WorkspaceId,
    members: &[MemberDoc],
    now: DateTime<Utc>,
) -> Result<()> {
    for (i, m) in members.iter().enumerate() {
        let place = format!("members[{i}] ({:?})", m.name);
        let name = check_person("name", Some(&m.name))
            .map_err(refused_at(format!("{place}.name")))?
            .ok_or_else(|| bad(format!("{place}.name"), "is empty".into()))?;
        if let Some(z) = &m.timezone {
            let zone =
                TeamZone::parse(z).map_err(|e| bad(format!("{place}.timezone"), e.to_string()))?;
            store::people::set_zone(tx, ws, &name, zone.name()).await?;
            super::people::pull_forward(tx, ws, zone.tz(), now).await?;
        }
        for (j, a) in m.away.iter().enumerate() {
            let at = format!("{place}.away[{j}]");
            if a.to < a.from {
                return Err(bad(at, format!("to {} is before from {}", a.to, a.from)));
            }
            if (a.to - a.from).num_days() >= crate::domain::people::MAX_DAYS {
                return Err(bad(at, "is longer than 366 days".into()));
            }
            let note = match &a.note {
                Some(n) => Note::parse(n)
                    .map_err(|e| bad(format!("{at}.note"), e.to_string()))?
                    .map(|n| n.as_str().to_owned()),
                None => None,
            };
            let set_by = check_person("set_by", Some(&a.set_by))
                .map_err(refused_at(format!("{at}.set_by")))?
                .unwrap_or_else(|| name.clone());
            let away = crate::domain::people::Away {
                id: 0,
                member: name.clone(),
                first: a.from,
                last: a.to,
                note,
                set_by,
            };
            store::people::add_away(tx, ws, &away, now).await?;
        }
    }
    Ok(())
}

/// The names of the people (or of the groups) among `leads`.
fn names(leads: &[Member], groups: bool) -> Vec<String> {
    leads
        .iter()
        .filter(|l| l.is_group() == groups)
        .map(|l| l.name().to_owned())
        .collect()
}

/// Parses an export file, naming the place of the first problem: the entry and field for a
/// value of the wrong type (`objectives[0] (GRO-1).key_results[1] (GRO-1.2).target: invalid
/// type: ...`), the line and column for text that is not JSON at all.
pub fn parse_export(text: &str) -> Result<ExportDoc> {
    let mut json = serde_json::Deserializer::from_str(text);
    let doc: ExportDoc = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let inner = e.inner();
        let place = entry_path(e.path(), text);
        match (place, inner.classify()) {
            (Some(place), serde_json::error::Category::Data) => {
                bad(place, message_without_position(inner))
            }
            _ => OkrError::invalid(format!(
                "the file is not an okrbot export (line {}, column {}: {}); nothing was imported",
                inner.line(),
                inner.column(),
                message_without_position(inner)
            )),
        }
    })?;
    json.end().map_err(|e| {
        OkrError::invalid(format!(
            "the file is not an okrbot export (line {}, column {}: {}); nothing was imported",
            e.line(),
            e.column(),
            message_without_position(&e)
        ))
    })?;
    Ok(doc)
}

/// serde_json's message without its trailing ` at line L column C`, which the caller words.
fn message_without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The JSON path of a refused value as import names entries: each team, cycle, objective and
/// key result with its name or code beside its index, as the other refusals of an import do.
/// `None` for the document itself (nothing to name).
fn entry_path(path: &serde_path_to_error::Path, text: &str) -> Option<String> {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    if segments.is_empty() {
        return None;
    }
    // The document as plain JSON, to read the names and codes of the entries on the way (it
    // parses: only the types were wrong).
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let mut node = value.as_ref();
    let mut out = String::new();
    let mut key = "";
    for segment in segments {
        match segment {
            Segment::Seq { index } => {
                node = node.and_then(|n| n.get(index));
                out.push_str(&format!("[{index}]"));
                let label = match key {
                    "teams" | "cycles" => node
                        .and_then(|n| n.get("name"))
                        .and_then(|v| v.as_str())
                        .map(|v| format!("{v:?}")),
                    "objectives" | "key_results" => node
                        .and_then(|n| n.get("code"))
                        .and_then(|v| v.as_str())
                        .map(str::to_owned),
                    _ => None,
                };
                if let Some(label) = label {
                    out.push_str(&format!(" ({label})"));
                }
            }
            Segment::Map { key: k } => {
                node = node.and_then(|n| n.get(k.as_str()));
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
                key = k.as_str();
            }
            Segment::Enum { variant } => {
                out.push_str(&format!("::{variant}"));
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    Some(out)
}

/// The check-in a key result's state comes from: the latest, the later in the file on a tie, as
/// the store orders them (by time, then by id, and ids follow the file).
fn latest_check_in(check_ins: &[CheckInDoc]) -> Option<&CheckInDoc> {
    check_ins.iter().max_by_key(|c| c.created_at)
}

/// One check-in of an imported key result, held to the rules of a check-in made by hand (the
/// author to the rule for any name, the value to the key result's kind, the note to its limit),
/// and recorded; `place` names it in a refusal.
async fn restore_check_in(
    tx: &mut Conn,
    ws: WorkspaceId,
    kr_id: KrId,
    k: &KrDoc,
    place: &str,
    c: &CheckInDoc,
) -> Result<crate::domain::model::CheckInId> {
    let author = check_person("author", Some(&c.author))
        .map_err(refused_at(format!("{place}.author")))?
        .ok_or_else(|| bad(format!("{place}.author"), "is empty".into()))?;
    value::recordable(k.kind, &k.code, c.value, &c.value.to_string())
        .map_err(|e| bad(format!("{place}.value"), e.to_string()))?;
    check_instant(c.created_at).map_err(refused_at(format!("{place}.created_at")))?;
    let note = c
        .note
        .as_deref()
        .map(Note::parse)
        .transpose()
        .map_err(|_| {
            bad(
                format!("{place}.note"),
                format!("is longer than {MAX_NOTE_CHARS} characters"),
            )
        })?
        .flatten();
    let new = NewCheckIn {
        kr: kr_id,
        author: &author,
        value: c.value,
        confidence: c.confidence,
        note: note.as_deref(),
        source: c.source,
        idempotency_key: c.idempotency_key.as_deref(),
    };
    store::check_ins::restore_returning(tx, ws, &new, c.created_at)
        .await
        .map_err(|_| bad(format!("{place}.idempotency_key"), "is used twice".into()))
}
