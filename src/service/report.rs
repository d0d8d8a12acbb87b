//! Read models: everything a status reply, an export or a cycle close shows, scored as of `now`.
//! Loaded with a handful of workspace-wide queries and scored in memory, so the cost does not
//! grow with the number of round trips.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::objectives::{kr_by_ref, objective_by_code};
use super::setup::{require_cycle_rights, resolve_cycle};
use super::{commit, team_named, Actor, Okr, OkrError, Result};
use crate::domain::model::{
    CheckIn, Cycle, CycleId, KeyResult, KrId, Objective, ObjectiveId, Team,
};
use crate::domain::scoring::{
    self, CycleClock, Grade, KrScore, ObjectiveScore, ScoreContext, Trend,
};
pub use crate::domain::view::{
    CycleReport, KrView, ObjectiveView, StatusReport, StatusScope, TeamView,
};
use crate::outbox::DeliveryKind;
use crate::store::{self, deliveries::NewDelivery, Conn};

/// Everything of one workspace needed to score, indexed for assembly.
pub(crate) struct Snapshot {
    pub teams: Vec<Team>,
    pub cycles: HashMap<CycleId, Cycle>,
    pub objectives: Vec<Objective>,
    pub krs: Vec<KeyResult>,
    /// What scoring reads: each key result's `(time, value)` points, or else its trend.
    pub points: HashMap<KrId, Vec<(DateTime<Utc>, f64)>>,
    /// The stored trends summed for the bounds their key result's cycle has now: these score
    /// without the points, which are then not read (`docs/scoring.md`, "Forecast").
    pub trends: HashMap<KrId, Trend>,
    /// The full history, loaded only for an export.
    pub check_ins: HashMap<KrId, Vec<CheckIn>>,
    /// The names of the KPIs each objective is linked to.
    pub kpi_names: HashMap<ObjectiveId, Vec<String>>,
    /// Every share: (objective, contributing team).
    pub shares: Vec<(ObjectiveId, crate::domain::model::TeamId)>,
}

impl Snapshot {
    /// The whole workspace with every check-in (export, carry-over).
    pub(crate) async fn load(c: &mut Conn, actor: &Actor) -> Result<Snapshot> {
        let ws = actor.workspace;
        let mut snap = Snapshot::frame(c, actor).await?;
        snap.objectives = store::objectives::list(c, ws, None, None).await?;
        snap.krs = store::key_results::list(c, ws, None, None, None).await?;
        for ci in store::check_ins::for_workspace(c, ws).await? {
            snap.points
                .entry(ci.kr_id)
                .or_default()
                .push((ci.created_at, ci.value));
            snap.check_ins.entry(ci.kr_id).or_default().push(ci);
        }
        Ok(snap)
    }

    /// One cycle, scored from points only: what status, the rollup and a close read.
    pub(crate) async fn load_cycle(
        c: &mut Conn,
        actor: &Actor,
        cycle: CycleId,
    ) -> Result<Snapshot> {
        let ws = actor.workspace;
        let mut snap = Snapshot::frame(c, actor).await?;
        snap.objectives = store::objectives::list(c, ws, None, Some(cycle)).await?;
        let krs = store::key_results::list_in_cycle_with_trends(c, ws, cycle).await?;
        let without = snap.take_krs(krs, false);
        snap.points = store::check_ins::points_of(c, ws, &without).await?;
        Ok(snap)
    }

    /// [`Snapshot::load_cycle`] for a read (status, the rollup): the store reads the key results
    /// and the points of those with no stored trend as it sees fit
    /// ([`store::cycle_reads::for_scoring`]), then the points of those whose stored trend was
    /// summed for other bounds.
    pub(crate) async fn load_cycle_for_reading(
        okr: &Okr,
        c: &mut Conn,
        actor: &Actor,
        cycle: CycleId,
    ) -> Result<Snapshot> {
        let ws = actor.workspace;
        let mut snap = Snapshot::frame(c, actor).await?;
        snap.objectives = store::objectives::list(c, ws, None, Some(cycle)).await?;
        let read = store::cycle_reads::for_scoring(&okr.store, c, ws, cycle).await?;
        let stale = snap.take_krs(read.krs, true);
        snap.points = read.untrended;
        snap.points
            .extend(store::check_ins::points_of(c, ws, &stale).await?);
        Ok(snap)
    }

    /// What a status of one team shows in `cycle`, read from that team's rows only: its
    /// objectives and those shared with it, the objectives aligned under them (their scores
    /// roll in), the parents their codes name, and the teams, shares and KPIs these involve.
    /// Its views of `team` are those of [`Snapshot::load_cycle`]'s; the workspace's size does
    /// not change its cost.
    pub(crate) async fn load_team(
        c: &mut Conn,
        actor: &Actor,
        team: &Team,
        cycle: CycleId,
    ) -> Result<Snapshot> {
        let ws = actor.workspace;
        let mut objectives = store::objectives::list(c, ws, Some(team.id), Some(cycle)).await?;
        for id in store::shares::with_team(c, ws, team.id).await? {
            if objectives.iter().any(|o| o.id == id) {
                continue;
            }
            if let Some(o) = store::objectives::by_id(c, ws, id).await? {
                if o.cycle_id == cycle {
                    objectives.push(o);
                }
            }
        }
        let shown: Vec<ObjectiveId> = objectives.iter().map(|o| o.id).collect();
        let descendants = store::objectives::descendants_in_cycle(c, ws, cycle, &shown).await?;
        let scored: Vec<ObjectiveId> = shown
            .iter()
            .copied()
            .chain(descendants.iter().map(|o| o.id))
            .collect();
        objectives.extend(descendants);
        // A parent in the cycle gives its code; one elsewhere is not shown, as in a cycle's read.
        let mut parents = Vec::new();
        for p in objectives.iter().filter_map(|o| o.parent) {
            if objectives.iter().chain(&parents).any(|o| o.id == p) {
                continue;
            }
            if let Some(parent) = store::objectives::by_id(c, ws, p).await? {
                if parent.cycle_id == cycle {
                    parents.push(parent);
                }
            }
        }
        objectives.extend(parents);
        let shares = store::shares::touching(c, ws, team.id, &shown).await?;
        let mut teams = vec![team.clone()];
        let involved = objectives
            .iter()
            .map(|o| o.team_id)
            .chain(shares.iter().map(|(_, t)| *t));
        for id in involved {
            if teams.iter().any(|t| t.id == id) {
                continue;
            }
            if let Some(t) = store::teams::by_id(c, ws, id).await? {
                teams.push(t);
            }
        }
        let mut snap = Snapshot {
            teams,
            cycles: store::cycles::list(c, ws)
                .await?
                .into_iter()
                .map(|cy| (cy.id, cy))
                .collect(),
            objectives,
            krs: vec![],
            points: HashMap::new(),
            trends: HashMap::new(),
            check_ins: HashMap::new(),
            kpi_names: by_objective(store::kpis::linked_names_of(c, ws, &shown).await?),
            shares,
        };
        let krs = store::key_results::of_objectives_with_trends(c, ws, &scored).await?;
        let without = snap.take_krs(krs, false);
        snap.points = store::check_ins::points_of(c, ws, &without).await?;
        Ok(snap)
    }

    /// Keeps the key results, each stored trend that was summed for its cycle's bounds now,
    /// and returns the key results whose points must be read: every one without a usable
    /// trend, or with `untrended_read` (their points are read already) only those whose
    /// stored trend was summed for other bounds.
    fn take_krs(
        &mut self,
        krs: Vec<(KeyResult, Option<store::check_ins::trend::StoredTrend>)>,
        untrended_read: bool,
    ) -> Vec<KrId> {
        let clocks = self.clocks();
        let mut without = Vec::new();
        for (kr, stored) in krs {
            let trend = stored.as_ref().and_then(|s| {
                let clock = clocks.get(&kr.objective_id)?;
                s.for_clock(clock).copied()
            });
            match trend {
                Some(t) => {
                    self.trends.insert(kr.id, t);
                }
                None if untrended_read && stored.is_none() => {}
                None => without.push(kr.id),
            }
            self.krs.push(kr);
        }
        without
    }

    async fn frame(c: &mut Conn, actor: &Actor) -> Result<Snapshot> {
        let ws = actor.workspace;
        Ok(Snapshot {
            teams: store::teams::list(c, ws).await?,
            cycles: store::cycles::list(c, ws)
                .await?
                .into_iter()
                .map(|cy| (cy.id, cy))
                .collect(),
            objectives: vec![],
            krs: vec![],
            points: HashMap::new(),
            trends: HashMap::new(),
            check_ins: HashMap::new(),
            kpi_names: by_objective(store::kpis::linked_names(c, ws).await?),
            shares: store::shares::all(c, ws).await?,
        })
    }

    /// Each loaded objective's cycle as instants in its team's zone.
    fn clocks(&self) -> HashMap<ObjectiveId, CycleClock> {
        let teams: HashMap<_, _> = self.teams.iter().map(|t| (t.id, t.tz)).collect();
        let mut by_team_cycle = HashMap::new();
        let mut out = HashMap::with_capacity(self.objectives.len());
        for o in &self.objectives {
            let (Some(tz), Some(cycle)) = (teams.get(&o.team_id), self.cycles.get(&o.cycle_id))
            else {
                continue;
            };
            let clock = *by_team_cycle
                .entry((o.team_id, o.cycle_id))
                .or_insert_with(|| CycleClock::new(cycle, *tz));
            out.insert(o.id, clock);
        }
        out
    }

    /// Every key result's score, each in its team's zone and its objective's cycle.
    fn kr_scores(&self, okr: &Okr, now: DateTime<Utc>) -> HashMap<KrId, KrScore> {
        let teams: HashMap<_, _> = self.teams.iter().map(|t| (t.id, t)).collect();
        let objectives: HashMap<_, _> = self.objectives.iter().map(|o| (o.id, o)).collect();
        let mut contexts = HashMap::new();
        let mut out = HashMap::with_capacity(self.krs.len());
        for kr in &self.krs {
            let Some(o) = objectives.get(&kr.objective_id) else {
                continue;
            };
            let (Some(team), Some(cycle)) = (teams.get(&o.team_id), self.cycles.get(&o.cycle_id))
            else {
                continue;
            };
            let ctx = contexts
                .entry((team.id, cycle.id))
                .or_insert_with(|| ScoreContext::new(cycle, team.tz, now, okr.period, &okr.rules))
                .aiming(o.kind);
            let score = match self.trends.get(&kr.id) {
                Some(trend) => scoring::score_kr_with(kr, &ctx, trend),
                None => {
                    let points = self.points.get(&kr.id).map(Vec::as_slice);
                    scoring::score_kr(kr, &ctx, points.unwrap_or_default())
                }
            };
            out.insert(kr.id, score);
        }
        out
    }

    /// Scores the objectives accepted by `keep` (and their key results accepted by `keep_kr`),
    /// grouped by team and cycle.
    pub(crate) fn views(
        &self,
        okr: &Okr,
        now: DateTime<Utc>,
        keep: impl Fn(&Objective) -> bool,
        keep_kr: impl Fn(&KeyResult) -> bool,
        show_empty: bool,
    ) -> Vec<TeamView> {
        let codes: HashMap<_, _> = self
            .objectives
            .iter()
            .map(|o| (o.id, o.code.clone()))
            .collect();
        let mut krs_by_objective: HashMap<_, Vec<&KeyResult>> = HashMap::new();
        for kr in &self.krs {
            krs_by_objective
                .entry(kr.objective_id)
                .or_default()
                .push(kr);
        }
        let scored = self.kr_scores(okr, now);
        let own: HashMap<ObjectiveId, Option<ObjectiveScore>> = self
            .objectives
            .iter()
            .map(|o| {
                let weighted: Vec<(f64, &KrScore)> = krs_by_objective
                    .get(&o.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|kr| scored.get(&kr.id).map(|s| (kr.weight, s)))
                    .collect();
                (o.id, scoring::objective_score(&weighted))
            })
            .collect();
        let all: Vec<&Objective> = self.objectives.iter().collect();
        let rolled = scoring::roll_up(&all, &own, okr.rules.child_weight);
        let children = scoring::aligned_children(&all);
        let mut out: Vec<TeamView> = Vec::new();
        for team in &self.teams {
            let mut by_cycle: Vec<(CycleId, Vec<&Objective>)> = Vec::new();
            // Its own objectives, then those other teams share with it.
            let shared = |o: &Objective| self.shares.contains(&(o.id, team.id));
            for o in self
                .objectives
                .iter()
                .filter(|o| o.team_id == team.id && keep(o))
                .chain(self.objectives.iter().filter(|o| shared(o) && keep(o)))
            {
                match by_cycle.iter_mut().find(|(c, _)| *c == o.cycle_id) {
                    Some((_, v)) => v.push(o),
                    None => by_cycle.push((o.cycle_id, vec![o])),
                }
            }
            by_cycle.sort_by_key(|(c, _)| self.cycles.get(c).map(|cy| cy.start));
            for (cycle_id, objectives) in by_cycle {
                let Some(cycle) = self.cycles.get(&cycle_id) else {
                    continue;
                };
                let ctx = ScoreContext::new(cycle, team.tz, now, okr.period, &okr.rules);
                let mut views = Vec::new();
                for o in objectives {
                    let all_krs = krs_by_objective
                        .get(&o.id)
                        .map(|v| v.as_slice())
                        .unwrap_or_default();
                    let krs: Vec<KrView> = all_krs
                        .iter()
                        .filter(|k| keep_kr(k))
                        .filter_map(|kr| {
                            Some(KrView {
                                kr: (*kr).clone(),
                                score: *scored.get(&kr.id)?,
                            })
                        })
                        .collect();
                    // A view of some key results only (one owner's) scores what it shows; the
                    // whole objective shows its score with its aligned children rolled in.
                    let score = if krs.len() == all_krs.len() {
                        rolled.get(&o.id).copied().flatten()
                    } else {
                        let weighted: Vec<(f64, &KrScore)> =
                            krs.iter().map(|k| (k.kr.weight, &k.score)).collect();
                        scoring::objective_score(&weighted)
                    };
                    // Once final, an objective is judged on its own score against its
                    // ambition, as the close grades it, not on its weakest key result.
                    let finished = cycle.closed || ctx.clock().is_over(now);
                    let score = score.map(|s| match finished {
                        true => ObjectiveScore {
                            status: scoring::final_status(o.kind, s.score, &okr.rules),
                            ..s
                        },
                        false => s,
                    });
                    if krs.is_empty() && !show_empty {
                        continue;
                    }
                    let home = self.teams.iter().find(|t| t.id == o.team_id);
                    let mut shared_with: Vec<String> = self
                        .shares
                        .iter()
                        .filter(|(obj, _)| *obj == o.id)
                        .filter_map(|(_, t)| self.teams.iter().find(|x| x.id == *t))
                        .map(|t| t.name.clone())
                        .collect();
                    shared_with.sort_by_key(|n| n.to_lowercase());
                    views.push(ObjectiveView {
                        shared_by: (o.team_id != team.id)
                            .then(|| home.map(|h| h.name.clone()))
                            .flatten(),
                        shared_with,
                        kpis: self.kpi_names.get(&o.id).cloned().unwrap_or_default(),
                        objective: o.clone(),
                        parent_code: o.parent.and_then(|p| codes.get(&p).cloned()),
                        score,
                        krs,
                        children: children.get(&o.id).cloned().unwrap_or_default(),
                    });
                }
                if !views.is_empty() {
                    out.push(TeamView {
                        team: team.clone(),
                        cycle: cycle.clone(),
                        expected: ctx.clock().expected(now),
                        objectives: views,
                    });
                }
            }
        }
        out
    }
}

/// KPI names grouped by objective, each objective's in the order given.
fn by_objective(names: Vec<(ObjectiveId, String)>) -> HashMap<ObjectiveId, Vec<String>> {
    let mut by: HashMap<ObjectiveId, Vec<String>> = HashMap::new();
    for (o, name) in names {
        by.entry(o).or_default().push(name);
    }
    by
}

/// The views with each objective under its home team only: what an export writes, a close
/// grades and a rollup counts, once each, however many teams share it.
pub(crate) fn home_only(mut views: Vec<TeamView>) -> Vec<TeamView> {
    for v in &mut views {
        v.objectives.retain(|o| o.shared_by.is_none());
    }
    views.retain(|v| !v.objectives.is_empty());
    views
}

impl Okr {
    /// Where things stand in the running cycle.
    pub async fn status(
        &self,
        actor: &Actor,
        scope: StatusScope,
        now: DateTime<Utc>,
    ) -> Result<StatusReport> {
        self.status_in(actor, scope, None, None, now).await
    }

    /// Where things stand in the cycle named, or else the running one; when none is running (the
    /// last one was closed), the latest cycle, so a closed quarter stays viewable.
    pub async fn status_in(
        &self,
        actor: &Actor,
        scope: StatusScope,
        named: Option<&str>,
        owner: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StatusReport> {
        let mut c = self.store.read().await?;
        let named = named.map(str::trim).filter(|n| !n.is_empty());
        // Status reads one cycle: the named one, the objective's own, or the running one; one
        // person's key results span the open cycles unless a cycle is named.
        let cycle = match &scope {
            StatusScope::Objective(code) => Some(
                objective_by_code(&mut c, actor.workspace, code)
                    .await?
                    .cycle_id,
            ),
            StatusScope::Me | StatusScope::Owner(_) if named.is_none() => None,
            _ => Some(shown_cycle(&mut c, actor, named, now).await?.id),
        };
        // The team a team's status names, once looked up.
        let mut named_team = None;
        let snap = match (&scope, cycle) {
            // One team's status reads that team's rows, not the whole cycle.
            (StatusScope::Team(name), Some(cy)) => {
                let team = team_named(&mut c, actor.workspace, name).await?;
                let snap = Snapshot::load_team(&mut c, actor, &team, cy).await?;
                named_team = Some(team);
                snap
            }
            (_, Some(cy)) => Snapshot::load_cycle_for_reading(self, &mut c, actor, cy).await?,
            (_, None) => Snapshot::load(&mut c, actor).await?,
        };
        let person = |who: &str| who.trim().trim_start_matches('@').to_owned();
        let owner = owner.map(person).filter(|o| !o.is_empty());
        let owned = |k: &KeyResult| {
            owner
                .as_deref()
                .is_none_or(|o| k.owner.as_deref() == Some(o))
        };
        let show_empty = owner.is_none();
        let (label, teams) = match &scope {
            StatusScope::All => {
                let current = shown_cycle(&mut c, actor, named, now).await?;
                (
                    "all teams".to_owned(),
                    snap.views(self, now, |o| o.cycle_id == current.id, owned, show_empty),
                )
            }
            StatusScope::Team(name) => {
                let team = match named_team {
                    Some(team) => team,
                    None => team_named(&mut c, actor.workspace, name).await?,
                };
                let current = shown_cycle(&mut c, actor, named, now).await?;
                let shared = |o: &Objective| snap.shares.contains(&(o.id, team.id));
                let mut views = snap.views(
                    self,
                    now,
                    |o| (o.team_id == team.id || shared(o)) && o.cycle_id == current.id,
                    owned,
                    show_empty,
                );
                // A shared objective is shown under this team, not again under its home team.
                views.retain(|v| v.team.id == team.id);
                (format!("team {}", team.name), views)
            }
            StatusScope::Objective(code) => {
                let o = objective_by_code(&mut c, actor.workspace, code).await?;
                (
                    o.code.clone(),
                    snap.views(self, now, |x| x.id == o.id, owned, show_empty),
                )
            }
            StatusScope::Me | StatusScope::Owner(_) => {
                let me = match &scope {
                    StatusScope::Owner(who) => person(who),
                    _ => actor.user.clone(),
                };
                let shown: Vec<CycleId> = match cycle {
                    Some(cy) => vec![cy],
                    None => snap
                        .cycles
                        .values()
                        .filter(|c| !c.closed)
                        .map(|c| c.id)
                        .collect(),
                };
                let views = snap.views(
                    self,
                    now,
                    |o| shown.contains(&o.cycle_id),
                    |k| k.owner.as_deref() == Some(me.as_str()),
                    false,
                );
                (format!("key results of {me}"), views)
            }
        };
        let away = self.away_today(&mut c, actor.workspace, now).await?;
        Ok(StatusReport {
            now,
            scope: label,
            teams,
            away,
        })
    }

    /// Every objective of every cycle: what export writes.
    pub(crate) async fn everything(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Vec<TeamView>, Snapshot)> {
        let mut c = self.store.read().await?;
        let snap = Snapshot::load(&mut c, actor).await?;
        let views = home_only(snap.views(self, now, |_| true, |_| true, true));
        Ok((views, snap))
    }

    /// The check-in history of one key result, oldest first.
    pub async fn history(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> Result<(KeyResult, Vec<CheckIn>, chrono_tz::Tz)> {
        let (kr, history, _, tz) = self.history_with_withdrawn(actor, reference).await?;
        Ok((kr, history, tz))
    }

    /// [`Okr::history`] and the check-ins taken back from it, each oldest first.
    pub async fn history_with_withdrawn(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> Result<(
        KeyResult,
        Vec<CheckIn>,
        Vec<crate::domain::model::WithdrawnCheckIn>,
        chrono_tz::Tz,
    )> {
        let mut c = self.store.read().await?;
        let kr = kr_by_ref(&mut c, actor.workspace, reference).await?;
        let team = super::objectives::team_of_kr(&mut c, actor.workspace, &kr).await?;
        let history = store::check_ins::for_kr(&mut c, actor.workspace, kr.id).await?;
        let withdrawn = store::check_ins::withdrawn_for_kr(&mut c, actor.workspace, kr.id).await?;
        Ok((kr, history, withdrawn, team.tz))
    }

    /// `/okr cycle close`: closes the cycle (check-ins refused from then on) and grades it.
    pub async fn cycle_close(
        &self,
        actor: &Actor,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<CycleReport> {
        let mut tx = self.store.write().await?;
        require_cycle_rights(&mut tx, actor).await?;
        let cycle = resolve_cycle(&mut tx, actor, Some(name), now).await?;
        if cycle.closed {
            return Err(OkrError::Conflict(format!(
                "cycle {} is closed already",
                cycle.name
            )));
        }
        store::cycles::close(&mut tx, actor.workspace, cycle.id, now).await?;
        let snap = Snapshot::load_cycle(&mut tx, actor, cycle.id).await?;
        let teams = home_only(snap.views(self, now, |o| o.cycle_id == cycle.id, |_| true, true));
        let mut cycle = cycle;
        cycle.closed = true;
        // Each team's channel gets its own final scores and statistics, decided in the same
        // transaction that closes the cycle.
        for t in &teams {
            let own = CycleReport {
                cycle: cycle.clone(),
                bands: bands_of(std::slice::from_ref(t)),
                teams: vec![t.clone()],
            };
            let message = crate::render::cycle_close_message(&own);
            let recipients = super::team_posts(&mut tx, &t.team).await?;
            for recipient in &recipients {
                let new = NewDelivery {
                    team: t.team.id,
                    kind: DeliveryKind::CycleClose,
                    recipient,
                    slot: now,
                    due: t.team.posts_at(now),
                    message: &message,
                    subjects: &[],
                    kpis: &[],
                    local_slot: None,
                };
                store::deliveries::insert(&mut tx, actor.workspace, &new, now).await?;
            }
        }
        commit(tx).await?;
        self.wake();
        let bands = bands_of(&teams);
        Ok(CycleReport {
            cycle,
            teams,
            bands,
        })
    }
}

/// How many key results ended in each band: failed, progress but short, achieved.
fn bands_of(teams: &[TeamView]) -> [usize; 3] {
    let mut bands = [0usize; 3];
    for kr in teams
        .iter()
        .flat_map(|t| &t.objectives)
        .flat_map(|o| &o.krs)
    {
        bands[match crate::domain::scoring::grade(kr.score.score) {
            Grade::Failed => 0,
            Grade::ProgressButShort => 1,
            Grade::Achieved => 2,
        }] += 1;
    }
    bands
}

/// The cycle a status shows: the one named, the running one, or (none running) the latest.
async fn shown_cycle(
    c: &mut Conn,
    actor: &Actor,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Cycle> {
    match resolve_cycle(c, actor, name, now).await {
        Err(OkrError::Invalid(why)) if name.is_none() => store::cycles::list(c, actor.workspace)
            .await?
            .into_iter()
            .max_by_key(|cy| (cy.end, cy.start))
            .ok_or(OkrError::Invalid(why)),
        other => other,
    }
}
