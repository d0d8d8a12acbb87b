//! Read models: what the core hands to `render` and to adapters, scored as of an instant.
//! Plain data built by the services (and, for the digest and the rollup, by the pure builders
//! here); `render` reads only these, never the services that fill them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::catalogue::Surface;
use super::export::{ExportDoc, ExportFormat};
use super::message::Message;
use super::model::{
    CheckIn, CheckInId, Cycle, KeyResult, KrId, Objective, ObjectiveId, Team, WorkspaceId,
};
use super::schedule::ScheduleKind;
use super::scoring::{CycleClock, KrScore, ObjectiveScore, Status};

#[derive(Debug, Clone)]
pub struct KrView {
    pub kr: KeyResult,
    pub score: KrScore,
}

#[derive(Debug, Clone)]
pub struct ObjectiveView {
    pub objective: Objective,
    /// The parent's code, for the alignment tree.
    pub parent_code: Option<String>,
    pub krs: Vec<KrView>,
    pub score: Option<ObjectiveScore>,
    /// The names of the KPIs it is linked to (`docs/kpis.md`).
    pub kpis: Vec<String>,
    /// The codes of the objectives aligned under it, of any team.
    pub children: Vec<String>,
    /// Shown under a contributing team: its home team's name (`docs/scoring.md`, "Shared
    /// objectives").
    pub shared_by: Option<String>,
    /// The teams it is shared with, by name.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TeamView {
    pub team: Team,
    pub cycle: Cycle,
    pub expected: f64,
    pub objectives: Vec<ObjectiveView>,
}

/// What `/okr status` shows.
#[derive(Debug, Clone)]
pub struct StatusReport {
    pub now: DateTime<Utc>,
    pub scope: String,
    pub teams: Vec<TeamView>,
    /// Owners away today where they live, with what their key results say instead of stale
    /// or not checked in: `away until Jan 4`.
    pub away: HashMap<String, String>,
}

/// What `/okr me` shows about one member.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub member: String,
    /// Their own zone, if set.
    pub zone: Option<chrono_tz::Tz>,
    /// Whether this command just set (or cleared) it.
    pub zone_changed: bool,
    /// Current and upcoming time off.
    pub away: Vec<super::people::Away>,
    /// Their open key results: team, code, title.
    pub krs: Vec<(String, String, String)>,
    /// Their KPIs: team, name.
    pub kpis: Vec<(String, String)>,
    /// Each team that asks them for something: its name, its zone, and when it next prompts
    /// them (the first working day, when the next slot falls on a day off).
    pub next_prompts: Vec<(String, chrono_tz::Tz, Option<DateTime<Utc>>)>,
    /// Their direct messages are closed to okrbot: prompts go to the team channel, naming them.
    pub dms_closed: bool,
    pub today: chrono::NaiveDate,
}

/// What `/okr away` changed or lists.
#[derive(Debug, Clone)]
pub enum AwayChange {
    Added,
    /// Ended early: the last day is now the day before today.
    Ended,
    /// Not begun yet, so removed.
    Removed,
}

/// What `/okr holidays` changed or lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayChange {
    Added(u64),
    Removed(u64),
    Listed,
}

#[derive(Debug, Clone)]
pub enum StatusScope {
    /// Every team, in the current cycle.
    All,
    Team(String),
    Objective(String),
    /// The asker's own key results.
    Me,
    /// The key results one person owns, as the workspace names them.
    Owner(String),
}

/// `/okr cycle close`: the final grades.
#[derive(Debug, Clone)]
pub struct CycleReport {
    pub cycle: Cycle,
    pub teams: Vec<TeamView>,
    /// How many key results ended in each band: failed, progress, achieved.
    pub bands: [usize; 3],
}

#[derive(Debug, Clone)]
pub struct ScoredKr {
    pub kr: KeyResult,
    pub score: KrScore,
    pub objective: usize,
}

#[derive(Debug, Clone)]
pub struct TeamState {
    pub workspace: WorkspaceId,
    pub team: Team,
    /// The open cycle running at `at`, if any.
    pub cycle: Option<Cycle>,
    pub clock: Option<CycleClock>,
    /// Active objectives of that cycle, in code order, with their scores.
    pub objectives: Vec<(Objective, Option<ObjectiveScore>)>,
    pub krs: Vec<ScoredKr>,
    pub points: HashMap<KrId, Vec<(DateTime<Utc>, f64)>>,
    /// The team's KPIs (not bound to a cycle).
    pub kpis: Vec<super::kpi::Kpi>,
    /// The codes of the objectives aligned under each of the team's objectives, of any team.
    pub children: HashMap<ObjectiveId, Vec<String>>,
    /// Objectives of other teams shared with this one, by their home team's name; they follow
    /// the team's own in `objectives`.
    pub shared: HashMap<ObjectiveId, String>,
    /// The team's own objectives it shares, with the contributing teams' names.
    pub shared_with: HashMap<ObjectiveId, Vec<String>>,
    /// Its people's own zones, their time off and the team's days off.
    pub people: super::people::People,
    pub at: DateTime<Utc>,
}

impl TeamState {
    /// Whether this team carries the key result (`docs/scoring.md`, "Shared objectives"): asks
    /// for it, reminds of it and alerts on it. One of its own objectives' unless a contributing
    /// team carries it; one of a shared objective's that this team carries.
    pub fn carries(&self, k: &ScoredKr) -> bool {
        match k.kr.carried_by {
            Some(t) => t == self.team.id,
            None => self.objective_of(k).team_id == self.team.id,
        }
    }

    /// Owners in a stable order, each with the key results they check in for this team: one
    /// that follows a KPI is fed by its readings, so nobody is asked for it (`docs/kpis.md`),
    /// and one another team carries is that team's to ask for.
    pub fn by_owner(&self) -> Vec<(&str, Vec<&ScoredKr>)> {
        // A map, not a scan per key result: a team may have thousands of owners.
        let mut owners: std::collections::BTreeMap<&str, Vec<&ScoredKr>> =
            std::collections::BTreeMap::new();
        for k in self
            .krs
            .iter()
            .filter(|k| k.kr.follows.is_none() && self.carries(k))
        {
            if let Some(owner) = k.kr.owner.as_deref() {
                owners.entry(owner).or_default().push(k);
            }
        }
        owners.into_iter().collect()
    }

    /// Who is asked for each KPI a prompt at `slot` wants (`docs/kpis.md`, "Asked for"): a KPI
    /// read by hand whose cadence is due, of its owner; one without an owner, of the owners of
    /// the key results that follow it (they wait for it); with neither, of nobody.
    pub fn kpis_asked(&self, slot: DateTime<Utc>) -> Vec<(&str, &super::kpi::Kpi)> {
        let mut asked = Vec::new();
        for k in self
            .kpis
            .iter()
            .filter(|k| k.asked_at(slot, super::schedule::RECENT))
        {
            match k.owner.as_deref() {
                Some(owner) => asked.push((owner, k)),
                None => {
                    let mut followers: Vec<&str> = self
                        .krs
                        .iter()
                        .filter(|kr| kr.kr.follows == Some(k.id))
                        .filter_map(|kr| kr.kr.owner.as_deref())
                        .collect();
                    followers.sort_unstable();
                    followers.dedup();
                    asked.extend(followers.into_iter().map(|o| (o, k)));
                }
            }
        }
        asked
    }

    /// `away until Jan 4` when `owner` is off today where they live.
    pub fn away_today(&self, owner: &str) -> Option<String> {
        let today = self
            .at
            .with_timezone(&self.people.zone(owner, self.team.tz))
            .date_naive();
        self.people.away_on(owner, today).map(|a| a.until(today))
    }

    pub fn objective_of(&self, k: &ScoredKr) -> &Objective {
        &self.objectives[k.objective].0
    }
}

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
    /// Who has not checked in since the last prompt, with the codes they owe: owners by name,
    /// then `KPI <name> (no reading)` for key results that follow a KPI and `no owner`.
    pub missing: Vec<(String, Vec<String>)>,
    pub at_risk: Vec<&'a ScoredKr>,
    /// The team's KPIs, out of range first.
    pub kpis: Vec<&'a super::kpi::Kpi>,
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
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    for (owner, krs) in s.by_owner() {
        // Nobody owes a check-in while away.
        if s.away_today(owner).is_some() {
            continue;
        }
        let owed: Vec<String> = krs
            .iter()
            .filter(|k| k.kr.last_check_in.is_none_or(|t| t < since))
            .map(|k| k.kr.code.clone())
            .collect();
        if !owed.is_empty() {
            missing.push((owner.to_owned(), owed));
        }
    }
    // KPIs the prompt asked for and nobody has read since, under whoever was asked, with the
    // key results that wait for them.
    let asked = s.kpis_asked(since);
    for (who, k) in &asked {
        let followers: Vec<&str> = s
            .krs
            .iter()
            .filter(|kr| kr.kr.follows == Some(k.id))
            .map(|kr| kr.kr.code.as_str())
            .collect();
        let what = match followers.as_slice() {
            [] => format!("KPI {}", k.name),
            [one] => format!("KPI {} ({one} follows it)", k.name),
            many => format!("KPI {} ({} follow it)", k.name, many.join(", ")),
        };
        match missing.iter_mut().find(|(w, _)| w == who) {
            Some((_, v)) => v.push(what),
            None => missing.push(((*who).to_owned(), vec![what])),
        }
    }
    // Key results nobody is prompted for are owed too: one that follows a KPI nobody is asked
    // for waits for a reading of it, one without an owner for anyone. A team is congratulated
    // only when every key result has data since the prompt, not when nobody happened to be
    // asked.
    let unasked: Vec<&ScoredKr> = s
        .krs
        .iter()
        .filter(|k| s.carries(k))
        .filter(|k| match k.kr.follows {
            Some(kpi) => !asked.iter().any(|(_, a)| a.id == kpi),
            None => k.kr.owner.is_none(),
        })
        .filter(|k| k.kr.last_check_in.is_none_or(|t| t < since))
        .collect();
    for k in unasked {
        let who = match k.kr.follows {
            Some(kpi) => s.kpis.iter().find(|x| x.id == kpi).map_or_else(
                || "a KPI (no reading)".to_owned(),
                |x| format!("KPI {} (no reading)", x.name),
            ),
            None => "no owner".to_owned(),
        };
        match missing.iter_mut().find(|(w, _)| *w == who) {
            Some((_, v)) => v.push(k.kr.code.clone()),
            None => missing.push((who, vec![k.kr.code.clone()])),
        }
    }
    let at_risk = s
        .krs
        .iter()
        .filter(|k| k.score.status == Status::Red)
        .collect();
    let mut kpis: Vec<&super::kpi::Kpi> = s.kpis.iter().collect();
    kpis.sort_by_key(|k| k.place().is_none_or(|p| p == super::kpi::Place::Inside));
    Digest {
        state: s,
        objectives,
        missing,
        at_risk,
        kpis,
    }
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
    let all: Vec<(&TeamView, &ObjectiveView)> = views
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
        all: &[(&TeamView, &ObjectiveView)],
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

#[derive(Debug, Clone)]
pub struct CheckInOutcome {
    pub check_in: CheckInId,
    /// The key result after the check-in, and its score.
    pub kr: KeyResult,
    pub score: KrScore,
    /// What it scored before, so a reply can say "yellow -> green".
    pub before: KrScore,
    pub previous_value: f64,
    /// True when the idempotency key had been used already: nothing new was written.
    pub duplicate: bool,
    pub team: Team,
    pub cycle: Cycle,
    /// This check-in moved the key result into red and opened an at-risk alert.
    pub alert_opened: bool,
}

#[derive(Debug, Clone)]
pub struct SetupOutcome {
    pub team: Team,
    pub created: bool,
}

#[derive(Debug, Clone)]
pub struct CarryOver {
    pub cycle: Cycle,
    /// (old code, new code) of each objective carried over.
    pub objectives: Vec<(String, String)>,
    pub key_results: usize,
}

/// What `/okr schedule show` lists: each kind with its expression and next fires, local time.
#[derive(Debug, Clone)]
pub struct ScheduleView {
    pub team: Team,
    pub entries: Vec<(ScheduleKind, String, Vec<DateTime<chrono_tz::Tz>>)>,
}

/// What a command produced, before any adapter decides how it looks.
#[derive(Debug, Clone)]
pub enum Reply {
    Help {
        surface: Surface,
        topic: super::catalogue::HelpTopic,
        /// What it offers, from the catalogue.
        commands: Vec<&'static super::catalogue::Spec>,
    },
    Setup(SetupOutcome),
    CycleCreated(Cycle),
    CycleCarried {
        from: String,
        carried: CarryOver,
    },
    Cycles {
        cycles: Vec<Cycle>,
        now: DateTime<Utc>,
    },
    CycleClosed(CycleReport),
    ObjectiveAdded(Objective),
    ObjectiveEdited(Objective),
    ObjectiveAligned {
        objective: Objective,
        /// The parent's code, when it now has one.
        parent: Option<String>,
    },
    ObjectiveClosed(Objective),
    ObjectiveShared(ObjectiveShared),
    KrAdded(KeyResult),
    KrEdited(KeyResult),
    KrRemoved(KeyResult),
    KrRestored(KeyResult),
    Undone(Undone),
    Withdrawn(Withdrawn),
    Status(StatusReport),
    History {
        kr: KeyResult,
        check_ins: Vec<CheckIn>,
        /// Check-ins taken back, shown in place as withdrawn.
        withdrawn: Vec<crate::domain::model::WithdrawnCheckIn>,
        /// The team's zone, in which the check-ins' times are shown.
        tz: chrono_tz::Tz,
    },
    CheckedIn(Box<CheckInOutcome>),
    Bulk(Vec<CheckInOutcome>),
    /// A reply in plain words that is an answer but not a clear one: the question back.
    Question(String),
    /// A reply in plain words that is no answer: nothing was recorded.
    NotAnAnswer,
    NoChangeAll(Vec<CheckInOutcome>, Vec<KpiKept>),
    Snoozed {
        until: DateTime<Utc>,
        /// The asker's zone: their own, else their prompt's team's.
        tz: chrono_tz::Tz,
    },
    Member(Box<MemberView>),
    Away {
        away: super::people::Away,
        change: AwayChange,
        today: chrono::NaiveDate,
    },
    AwayList {
        /// `team Growth` or `the workspace`.
        scope: String,
        away: Vec<super::people::Away>,
        today: chrono::NaiveDate,
    },
    Holidays {
        team: String,
        /// The team's days off from today on.
        days: Vec<chrono::NaiveDate>,
        change: HolidayChange,
    },
    /// Queued in the ledger, due at once, not posted yet: the outbox posts it a moment later,
    /// and tells the team's leads if the channel is closed to okrbot.
    DigestQueued {
        team: String,
        digest: Message,
    },
    Rollup {
        cycle: String,
        roots: Vec<RollupNode>,
        /// Every KPI of the workspace with its team, out of range first.
        kpis: Vec<(Team, super::kpi::Kpi)>,
        now: DateTime<Utc>,
    },
    Schedules(ScheduleView),
    Export {
        doc: Box<ExportDoc>,
        format: ExportFormat,
    },
    KpiAdded {
        team: String,
        kpi: super::kpi::Kpi,
    },
    KpiReading(Box<KpiReadingOutcome>),
    KpiRange(super::kpi::Kpi),
    KpiEdited(super::kpi::Kpi),
    KpiList(Vec<(Team, super::kpi::Kpi)>),
    KpiDetail(Box<KpiDetail>),
    KpiLinked {
        kpi: super::kpi::Kpi,
        objective: Objective,
    },
    KpiOkrStarted {
        objective: Objective,
        kr: KeyResult,
        /// Drafted earlier for the same alert: nothing was written now.
        earlier: bool,
    },
    KpiRemoved(super::kpi::Kpi),
    KpiWithdrawn(Box<KpiWithdrawn>),
    KpiSourceSet(super::kpi::Kpi),
    KpiFetched(KpiFetch),
    /// The push token, shown this once.
    KpiToken {
        kpi: super::kpi::Kpi,
        path: String,
        token: String,
    },
    WebhookAdded {
        team: Team,
        webhook: super::webhook::Webhook,
    },
    WebhookList {
        team: Team,
        webhooks: Vec<super::webhook::Webhook>,
    },
    WebhookRemoved {
        team: Team,
        webhook: super::webhook::Webhook,
    },
    /// `/okr webhook test`: each webhook tried, with what its post came to.
    WebhookTested {
        team: Team,
        results: Vec<(super::webhook::Webhook, std::result::Result<(), String>)>,
    },
}

/// `/kpi fetch`: a reading, or the failure now kept on the KPI.
#[derive(Debug, Clone)]
pub enum KpiFetch {
    Read(Box<KpiReadingOutcome>),
    Failed { kpi: String, error: String },
}

/// `/okr undo`: the check-in taken back, and the key result as it stands again.
#[derive(Debug, Clone)]
pub struct Undone {
    pub withdrawn: CheckIn,
    pub kr: KeyResult,
    /// The team's zone, in which the reply shows the check-in's time.
    pub tz: chrono_tz::Tz,
}

/// `/okr checkin withdraw`: the check-in taken back, and the key result as it stands again.
#[derive(Debug, Clone)]
pub struct Withdrawn {
    pub withdrawal: crate::domain::model::WithdrawnCheckIn,
    pub kr: KeyResult,
    pub tz: chrono_tz::Tz,
}

/// What `/kpi withdraw` did: the reading taken back, the KPI as it stands without it, and the
/// key results that follow the KPI, put back as well.
#[derive(Debug, Clone)]
pub struct KpiWithdrawn {
    pub reading: super::kpi::ListedReading,
    pub kpi: super::kpi::Kpi,
    pub tz: chrono_tz::Tz,
    pub followers: Vec<KeyResult>,
}

/// An instant as a team reads it: `Mon 2026-11-16 11:00 CET`, in the team's zone and labelled.
pub fn local_time(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// What `/okr objective share` or `unshare` did.
#[derive(Debug, Clone)]
pub struct ObjectiveShared {
    pub objective: Objective,
    /// Its home team's name.
    pub home: String,
    /// The team named.
    pub team: String,
    /// Shared (`true`) or unshared.
    pub share: bool,
    /// `false` when it was shared with that team already.
    pub changed: bool,
    /// The contributing teams now, by name.
    pub with: Vec<String>,
    /// Unshared: the key results that team carried, back with the home team.
    pub returned: Vec<String>,
}

/// A prompt's KPI kept at its value (No change): the KPI after it, or as it was when it had
/// been read since the prompt already (`duplicate`: nothing recorded).
#[derive(Debug, Clone)]
pub struct KpiKept {
    pub kpi: super::kpi::Kpi,
    pub duplicate: bool,
}

/// `/kpi set` (and every other reading): the KPI after it, and what happened to its alert.
#[derive(Debug, Clone)]
pub struct KpiReadingOutcome {
    pub kpi: super::kpi::Kpi,
    pub team_name: String,
    pub alert_opened: bool,
    pub resolved: bool,
    /// The channel hears of the alert or its end only once the reading's undo window has
    /// passed (a reading typed by hand), not at once.
    pub held: bool,
}

/// What `/kpi okr` (an alert's Start an OKR) gives: the objective drafted to bring the KPI back,
/// and its key result.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiOkrDraft {
    pub objective: Objective,
    pub kr: KeyResult,
    /// The KPI's open alert had this draft already (a second press, or a second lead): it was
    /// not drafted again.
    pub earlier: bool,
}

/// `/kpi show`: the KPI, its team, its latest readings (newest first: the text lists the first
/// few, the chart draws them all) and linked objectives.
#[derive(Debug, Clone)]
pub struct KpiDetail {
    pub kpi: super::kpi::Kpi,
    pub team: Team,
    /// The readings that count, newest first: the chart's.
    pub readings: Vec<super::kpi::Reading>,
    /// The latest readings with their numbers, withdrawn ones marked: the list in words.
    pub listed: Vec<super::kpi::ListedReading>,
    pub linked: Vec<Objective>,
}
