//! KPIs: `/kpi add | set | range | list | show | link | remove | okr` (`docs/kpis.md`). A lead
//! of the team manages them; the owner (or a lead) records readings. A reading out of range
//! opens one alert for the KPI, told to the team with a "Start an OKR" action, and the first
//! reading back in range resolves it and says so.

use chrono::{DateTime, Utc};

use super::objectives::objective_by_code;
use super::setup::resolve_cycle;
use super::{commit, is_lead, require_lead, team_named, Actor, Okr, OkrError, Result};
use crate::domain::kpi::{
    self, Better, Kpi, ListedReading, Place, Range, Reading, ReadingSource, ReadingWithdrawal,
};
use crate::domain::model::{
    same_name, CheckInSource, KeyResult, KpiId, KrKind, Objective, ObjectiveKind, ObjectiveState,
    Team, Unit, WorkspaceId,
};
use crate::domain::value::{self, ValueSpec};
pub use crate::domain::view::{KpiDetail, KpiKept, KpiOkrDraft, KpiReadingOutcome, KpiWithdrawn};
use crate::store::{self, alerts::AlertKind, key_results::NewKr, kpis::NewKpi, Conn};

/// How many readings `/kpi show` charts, newest first (about three months of daily readings).
pub const CHARTED_READINGS: i64 = 500;
/// How many readings `/kpi show` lists in words, withdrawn ones included.
pub const LISTED_READINGS: i64 = 10;

#[derive(Debug, Default, Clone)]
pub struct KpiInput {
    pub team: String,
    pub name: String,
    pub unit: Option<String>,
    pub direction: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub owner: Option<String>,
    /// How often it is asked for (`weekly`, `monthly`, `10d`); none: the team's prompt.
    pub cadence: Option<String>,
}

/// A cadence as typed; blank is the default (the team's check-in prompt).
fn cadence_of(text: Option<&str>) -> Result<Option<kpi::Cadence>> {
    match text.filter(|t| !t.trim().is_empty()) {
        None => Ok(None),
        Some(t) => kpi::parse_cadence(t).map_err(OkrError::invalid),
    }
}

/// The words that keep a KPI's latest reading (a prompt's No change, typed).
fn keeps_the_value(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "same" | "unchanged" | "no change" | "nochange" | "as before"
    )
}

/// A reading or a range edge typed by a person, through the value grammar, checked against the
/// KPI's unit. A sign is part of the number: a KPI reading is a value, never a change.
fn amount(what: &str, text: &str, unit: &Unit) -> Result<f64> {
    let v = value::parse_amount(text).map_err(|e| OkrError::invalid(format!("{what}: {e}")))?;
    value::check_unit(what, unit, &v)?;
    match v.spec {
        ValueSpec::Absolute(x) | ValueSpec::Change(x) => Ok(x),
        ValueSpec::Done(_) => Err(OkrError::invalid(format!(
            "{what}: a KPI reading is a number, e.g. 6.4%"
        ))),
    }
}

fn range_of(min: Option<&str>, max: Option<&str>, unit: &Unit) -> Result<Range> {
    let edge = |name: &str, t: Option<&str>| {
        t.filter(|t| !t.trim().is_empty())
            .map(|t| amount(name, t, unit))
            .transpose()
    };
    Range::new(edge("min", min)?, edge("max", max)?).map_err(|e| OkrError::invalid(e.to_string()))
}

/// The KPI a reference names: its name in any case, or `Team/name` when two teams share it.
/// A KPI of another workspace is unknown here, never forbidden.
pub(crate) async fn kpi_named(
    c: &mut Conn,
    ws: WorkspaceId,
    reference: &str,
) -> Result<(Kpi, Team)> {
    if reference.trim().is_empty() {
        return Err(OkrError::invalid("name the KPI, e.g. kpi:conversion"));
    }
    let teams = store::teams::list(c, ws).await?;
    let all = store::kpis::list(c, ws, None).await?;
    resolve(&teams, &all, reference)
}

/// [`kpi_named`] over the workspace's teams and KPIs, already read.
fn resolve(teams: &[Team], all: &[Kpi], reference: &str) -> Result<(Kpi, Team)> {
    let r = reference.trim();
    if r.is_empty() {
        return Err(OkrError::invalid("name the KPI, e.g. kpi:conversion"));
    }
    let team_of = |k: &Kpi| teams.iter().find(|t| t.id == k.team_id);
    // `#12`, as a prompt's buttons name the KPI they ask for, unless a KPI is named so.
    if let Some(id) = r.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
        if !all.iter().any(|k| same_name(&k.name, r)) {
            if let Some(k) = all.iter().find(|k| k.id.0 == id) {
                let team = team_of(k).cloned().ok_or_else(vanished)?;
                return Ok((k.clone(), team));
            }
        }
    }
    let (team_part, name) = match r.split_once('/') {
        Some((t, n)) if teams.iter().any(|team| team.is_named(t)) => (Some(t), n),
        _ => (None, r),
    };
    let found: Vec<&Kpi> = all
        .iter()
        .filter(|k| same_name(&k.name, name))
        .filter(|k| team_part.is_none_or(|t| team_of(k).is_some_and(|team| team.is_named(t))))
        .collect();
    match found.as_slice() {
        [one] => {
            let team = team_of(one).cloned().ok_or_else(vanished)?;
            Ok(((*one).clone(), team))
        }
        [] => Err(OkrError::NotFound {
            what: "KPI",
            reference: r.to_owned(),
            hint: Some(if all.is_empty() {
                "no KPI is set up yet; a lead adds one with /kpi add team:<team> name:<name> unit:<unit> min:<n>".into()
            } else {
                let names: Vec<&str> = all.iter().map(|k| k.name.as_str()).collect();
                format!("the KPIs are {}", names.join(", "))
            }),
        }),
        several => {
            let named: Vec<String> = several
                .iter()
                .filter_map(|k| team_of(k).map(|t| format!("{}/{}", t.name, k.name)))
                .collect();
            Err(OkrError::invalid(format!(
                "{r:?} is a KPI of several teams ({}): name it with its team, e.g. kpi:{}",
                named.join(", "),
                named
                    .first()
                    .map(String::as_str)
                    .unwrap_or("Growth/conversion")
            )))
        }
    }
}

/// The longest text, in characters, that can name a KPI: a team's name (80), `/`, the KPI's
/// name (60), with room for both typed decomposed (NFC may join up to three characters into one).
const LONGEST_REFERENCE: usize = 3 * (80 + 1 + 60);

/// `/kpi set response time 240 ms`: the shortest run of leading words that names a KPI, and
/// the rest as the reading. Only runs short enough to be a name are tried, so text of any
/// length costs the same few lookups.
fn short_form<'t>(teams: &[Team], all: &[Kpi], text: &'t str) -> Result<(Kpi, Team, &'t str)> {
    let text = text.trim();
    let ends = text
        .char_indices()
        .take(LONGEST_REFERENCE + 1)
        .filter(|(_, ch)| ch.is_whitespace())
        .map(|(i, _)| i);
    for end in ends {
        if let Ok((k, t)) = resolve(teams, all, &text[..end]) {
            return Ok((k, t, text[end..].trim()));
        }
    }
    match resolve(teams, all, text) {
        Ok(_) => Err(OkrError::invalid(
            "give the reading after the KPI's name, e.g. /kpi set conversion 6.4%",
        )),
        Err(OkrError::NotFound { hint, .. }) => Err(OkrError::NotFound {
            what: "KPI",
            reference: text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect(),
            hint,
        }),
        Err(e) => Err(e),
    }
}

/// Readings by hand come from the KPI's owner or a lead of its team; a KPI without an owner,
/// also from the owners of the key results that follow it (the prompt asks them for it).
async fn may_record(c: &mut Conn, actor: &Actor, team: &Team, kpi: &Kpi) -> Result<()> {
    if is_lead(actor, team) || kpi.owner.as_deref() == Some(actor.user.as_str()) {
        return Ok(());
    }
    if kpi.owner.is_none()
        && store::kpis::follower_owners(c, actor.workspace, kpi.id)
            .await?
            .contains(&actor.user)
    {
        return Ok(());
    }
    Err(OkrError::Forbidden {
        action: format!("record readings of {}", kpi.name),
        who: match &kpi.owner {
            Some(o) => format!("its owner ({o}) or {}", super::lead_names(team)),
            None => super::lead_names(team),
        },
    })
}

fn vanished() -> OkrError {
    OkrError::Internal(anyhow::anyhow!("a row vanished inside its own transaction"))
}

impl Okr {
    /// `/kpi add`: a lead of the team. Returns the team as it is named, and the KPI.
    pub async fn kpi_add(
        &self,
        actor: &Actor,
        input: KpiInput,
        now: DateTime<Utc>,
    ) -> Result<(Team, Kpi)> {
        let name = kpi::check_name(&input.name).map_err(OkrError::invalid)?;
        let unit = match input.unit.as_deref().filter(|u| !u.trim().is_empty()) {
            None => Unit::Count,
            Some(u) => Unit::parse(u).ok_or_else(|| {
                OkrError::invalid(format!(
                    "unit:{u:?} is not a unit: use count, percent, days, hours, a currency code such as USD, or one short word such as ms or users"
                ))
            })?,
        };
        let better = match input.direction.as_deref().filter(|d| !d.trim().is_empty()) {
            None => Better::Higher,
            Some(d) => Better::parse(d).ok_or_else(|| {
                OkrError::invalid(format!(
                    "direction:{d:?} says neither way: use direction:higher (more is better) or direction:lower"
                ))
            })?,
        };
        let range = range_of(input.min.as_deref(), input.max.as_deref(), &unit)?;
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, ws, &input.team).await?;
        require_lead(actor, &team, "add KPIs")?;
        let existing = store::kpis::list(&mut tx, ws, Some(team.id)).await?;
        if let Some(k) = existing.iter().find(|k| same_name(&k.name, name)) {
            return Err(OkrError::Conflict(format!(
                "team {} has a KPI named {:?} already: pick another name, or change its range with /kpi range kpi:{}",
                team.name, k.name, k.name
            )));
        }
        let owner = super::fields::check_person("owner", input.owner.as_deref())?;
        let cadence = cadence_of(input.cadence.as_deref())?;
        let key = crate::domain::model::name_key(name);
        let new = NewKpi {
            team: team.id,
            name,
            name_key: &key,
            unit: &unit,
            better,
            range,
            owner: owner.as_deref(),
            cadence,
        };
        let id = store::kpis::insert(&mut tx, ws, &new, now).await?;
        let kpi = store::kpis::by_id(&mut tx, ws, id)
            .await?
            .ok_or_else(vanished)?;
        commit(tx).await?;
        Ok((team, kpi))
    }

    /// `/kpi set`: a reading by hand, from the KPI's owner or a lead of its team.
    pub async fn kpi_set(
        &self,
        actor: &Actor,
        reference: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<KpiReadingOutcome> {
        let ws = actor.workspace;
        // Named, judged and parsed on a read before the write lock is taken: text of any
        // length costs a few lookups, and a refusal holds up nobody's writes.
        let (id, v) = {
            let mut c = self.store.read().await?;
            let teams = store::teams::list(&mut c, ws).await?;
            let all = store::kpis::list(&mut c, ws, None).await?;
            let (kpi, team, value) = if reference.trim().is_empty() {
                short_form(&teams, &all, value)?
            } else {
                let (k, t) = resolve(&teams, &all, reference)?;
                (k, t, value)
            };
            may_record(&mut c, actor, &team, &kpi).await?;
            let v = if keeps_the_value(value) {
                kpi.latest.map(|(_, v)| v).ok_or_else(|| {
                    OkrError::invalid(format!(
                        "{} has no reading yet to keep: give its value, e.g. /kpi set kpi:{} value:{}",
                        kpi.name,
                        kpi.name,
                        kpi.unit.format(kpi.range.min.or(kpi.range.max).unwrap_or(0.0))
                    ))
                })?
            } else {
                amount(&format!("the KPI {}", kpi.name), value, &kpi.unit)?
            };
            (kpi.id, v)
        };
        let mut tx = self.store.write().await?;
        // The KPI as it is now: it may have been renamed, re-ranged or removed in between.
        let gone = || OkrError::NotFound {
            what: "KPI",
            reference: reference.trim().to_owned(),
            hint: Some("it was removed a moment ago: /kpi list shows the KPIs".into()),
        };
        let kpi = store::kpis::by_id(&mut tx, ws, id)
            .await?
            .ok_or_else(gone)?;
        let team = store::teams::by_id(&mut tx, ws, kpi.team_id)
            .await?
            .ok_or_else(gone)?;
        may_record(&mut tx, actor, &team, &kpi).await?;
        let reading = Reading {
            at: now,
            value: v,
            source: ReadingSource::Manual,
            author: actor.user.clone(),
        };
        let outcome = record(&mut tx, ws, &team, &kpi, &reading, now).await?;
        commit(tx).await?;
        self.metrics.kpi_reading_recorded();
        self.wake();
        Ok(outcome)
    }

    /// `/kpi range`: a lead; the next reading is judged by the new range.
    pub async fn kpi_range(
        &self,
        actor: &Actor,
        reference: &str,
        min: Option<&str>,
        max: Option<&str>,
    ) -> Result<Kpi> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "change KPI ranges")?;
        let range = range_of(min, max, &kpi.unit)?;
        store::kpis::set_range(&mut tx, ws, kpi.id, range).await?;
        let kpi = store::kpis::by_id(&mut tx, ws, kpi.id)
            .await?
            .ok_or_else(vanished)?;
        commit(tx).await?;
        Ok(kpi)
    }

    /// A prompt's KPI kept at its latest reading (its No change, All no change): one more
    /// reading of that value, so the KPI is fresh again. Once per prompt: a KPI read at or after
    /// `since` (the prompt's slot) records nothing, and says it was read already.
    pub async fn kpi_no_change(
        &self,
        actor: &Actor,
        id: KpiId,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<KpiKept> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let kpi = store::kpis::by_id(&mut tx, ws, id)
            .await?
            .ok_or_else(|| OkrError::NotFound {
                what: "KPI",
                reference: format!("#{}", id.0),
                hint: Some("it was removed since the prompt: /kpi list shows the KPIs".into()),
            })?;
        let team = store::teams::by_id(&mut tx, ws, kpi.team_id)
            .await?
            .ok_or_else(vanished)?;
        may_record(&mut tx, actor, &team, &kpi).await?;
        let Some((at, value)) = kpi.latest else {
            return Err(OkrError::invalid(format!(
                "{} has no reading yet to keep: give its value with /kpi set kpi:{} value:<reading>",
                kpi.name, kpi.name
            )));
        };
        if at >= since {
            return Ok(KpiKept {
                kpi,
                duplicate: true,
            });
        }
        let reading = Reading {
            at: now,
            value,
            source: ReadingSource::Manual,
            author: actor.user.clone(),
        };
        let outcome = record(&mut tx, ws, &team, &kpi, &reading, now).await?;
        commit(tx).await?;
        self.metrics.kpi_reading_recorded();
        self.wake();
        Ok(KpiKept {
            kpi: outcome.kpi,
            duplicate: false,
        })
    }

    /// `/kpi edit`: a lead changes who is asked for it (`owner:`) and how often (`cadence:`);
    /// what is not given stays.
    pub async fn kpi_edit(
        &self,
        actor: &Actor,
        reference: &str,
        owner: Option<&str>,
        cadence: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Kpi> {
        let given = |t: Option<&str>| t.is_some_and(|t| !t.trim().is_empty());
        if !given(owner) && !given(cadence) {
            return Err(OkrError::invalid(
                "say what to change: owner:<name>, cadence:<weekly|monthly|10d|prompt>, or both",
            ));
        }
        let ws = actor.workspace;
        let new_owner = super::fields::check_person("owner", owner)?;
        let new_cadence = match cadence.filter(|t| !t.trim().is_empty()) {
            Some(t) => Some(kpi::parse_cadence(t).map_err(OkrError::invalid)?),
            None => None,
        };
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "edit KPIs")?;
        if new_cadence.is_some() && !kpi.read_by_hand() {
            return Err(OkrError::invalid(format!(
                "{} is read by its source, on its own cron: a cadence is for KPIs read by hand (/kpi source kpi:{} url:none removes the source)",
                kpi.name, kpi.name
            )));
        }
        store::kpis::set_owner_and_cadence(
            &mut tx,
            ws,
            kpi.id,
            new_owner.as_deref().or(kpi.owner.as_deref()),
            new_cadence.unwrap_or(kpi.cadence),
        )
        .await?;
        let mut kpi = store::kpis::by_id(&mut tx, ws, kpi.id)
            .await?
            .ok_or_else(vanished)?;
        commit(tx).await?;
        kpi.judge_staleness(now, self.period);
        Ok(kpi)
    }

    /// `/kpi list`: anyone; out of range first, then by name.
    pub async fn kpi_list(
        &self,
        actor: &Actor,
        team: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Team, Kpi)>> {
        let ws = actor.workspace;
        let mut c = self.store.read().await?;
        let team = match team.filter(|t| !t.trim().is_empty()) {
            Some(t) => Some(team_named(&mut c, ws, t).await?),
            None => None,
        };
        let teams = store::teams::list(&mut c, ws).await?;
        let mut out: Vec<(Team, Kpi)> = store::kpis::list(&mut c, ws, team.map(|t| t.id))
            .await?
            .into_iter()
            .filter_map(|mut k| {
                let t = teams.iter().find(|t| t.id == k.team_id)?.clone();
                k.judge_staleness(now, self.period);
                Some((t, k))
            })
            .collect();
        out.sort_by_key(|(t, k)| (k.place().is_none_or(|p| p == Place::Inside), t.name.clone()));
        Ok(out)
    }

    /// `/kpi show`: anyone.
    pub async fn kpi_show(
        &self,
        actor: &Actor,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<KpiDetail> {
        let ws = actor.workspace;
        let mut c = self.store.read().await?;
        let (mut kpi, team) = kpi_named(&mut c, ws, reference).await?;
        kpi.judge_staleness(now, self.period);
        let readings = store::kpis::readings(&mut c, ws, kpi.id, CHARTED_READINGS).await?;
        let listed = store::kpis::listed(&mut c, ws, kpi.id, LISTED_READINGS).await?;
        let mut linked = Vec::new();
        for id in store::kpis::links(&mut c, kpi.id).await? {
            if let Some(o) = store::objectives::by_id(&mut c, ws, id).await? {
                linked.push(o);
            }
        }
        Ok(KpiDetail {
            kpi,
            team,
            readings,
            listed,
            linked,
        })
    }

    /// `/kpi link`: a lead of the KPI's team links an objective of the workspace.
    pub async fn kpi_link(
        &self,
        actor: &Actor,
        reference: &str,
        objective: &str,
    ) -> Result<(Kpi, Objective)> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "link KPIs")?;
        let o = objective_by_code(&mut tx, ws, objective).await?;
        store::kpis::link(&mut tx, kpi.id, o.id).await?;
        commit(tx).await?;
        Ok((kpi, o))
    }

    /// `/kpi withdraw`: takes back a reading (the latest that counts, or `reading:#n` from
    /// `/kpi show`), by its author or a lead of the KPI's team, with an optional reason. It stays
    /// listed as withdrawn; the KPI's latest values, its alert and the key results that follow it
    /// are as if it had never been read (`docs/kpis.md`, "Withdraw"). One transaction.
    pub async fn kpi_withdraw(
        &self,
        actor: &Actor,
        reference: &str,
        reading: Option<&str>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<KpiWithdrawn> {
        let (reason, wanted) = super::undo::withdrawal_inputs(
            reason,
            reading,
            "reading",
            "a reading number: give the number /kpi show lists, e.g. reading:#41",
        )?;
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        let listed = store::kpis::reading(&mut tx, ws, kpi.id, wanted)
            .await?
            .ok_or_else(|| match wanted {
                Some(n) => OkrError::invalid(format!(
                    "reading #{n} is not among {}'s readings: /kpi show kpi:{} lists them with their numbers",
                    kpi.name, kpi.name
                )),
                None => OkrError::invalid(format!("{} has no reading to withdraw", kpi.name)),
            })?;
        if let Some(w) = &listed.withdrawn {
            return Err(OkrError::invalid(format!(
                "reading #{} of {} was withdrawn already ({}, by {})",
                listed.id,
                kpi.name,
                crate::domain::view::local_time(w.at, team.tz),
                w.by
            )));
        }
        if listed.reading.author != actor.user && !is_lead(actor, &team) {
            return Err(OkrError::Forbidden {
                action: format!(
                    "withdraw {}'s reading of {}",
                    listed.reading.author, kpi.name
                ),
                who: format!("its author or {}", super::lead_names(&team)),
            });
        }
        let withdrawal = ReadingWithdrawal {
            at: now,
            by: actor.user.clone(),
            reason: reason.map(|n| n.as_str().to_owned()),
        };
        store::kpis::withdraw_reading(&mut tx, ws, kpi.id, listed.id, &withdrawal).await?;
        store::kpis::refresh_latest(&mut tx, ws, kpi.id).await?;
        let followers = self
            .withdraw_followed(&mut tx, ws, &kpi, &listed.reading, &withdrawal, now)
            .await?;
        let after = store::kpis::by_id(&mut tx, ws, kpi.id)
            .await?
            .ok_or_else(|| {
                OkrError::Internal(anyhow::anyhow!("KPI vanished in its transaction"))
            })?;
        // The alert follows the latest reading that still counts, told at once: a withdrawal is
        // deliberate, and cannot itself be taken back.
        let tell = super::alerts::tell_after(&team, now, false);
        follow_latest(&mut tx, ws, team.id, &after, now, tell).await?;
        let after = Kpi {
            alerting: out_of_range(&after),
            ..after
        };
        commit(tx).await?;
        self.wake();
        Ok(KpiWithdrawn {
            reading: ListedReading {
                withdrawn: Some(withdrawal),
                ..listed
            },
            kpi: after,
            tz: team.tz,
            followers,
        })
    }

    /// Withdraws the check-ins a reading made on the key results that follow its KPI (in open
    /// cycles), puts each key result back and looks at its alert again.
    async fn withdraw_followed(
        &self,
        tx: &mut Conn,
        ws: WorkspaceId,
        kpi: &Kpi,
        reading: &Reading,
        w: &ReadingWithdrawal,
        now: DateTime<Utc>,
    ) -> Result<Vec<KeyResult>> {
        let mut put_back = Vec::new();
        for id in store::kpis::followers(tx, ws, kpi.id).await? {
            let Some(kr) = store::key_results::by_id(tx, ws, id).await? else {
                continue;
            };
            let mut history = store::check_ins::for_kr(tx, ws, id).await?;
            let Some(i) = history.iter().rposition(|c| {
                c.source == CheckInSource::KpiSync
                    && c.created_at == reading.at
                    && c.value == reading.value
            }) else {
                continue;
            };
            let Some(ctx) =
                store::key_results::context(tx, ws, store::key_results::Lookup::Id(id)).await?
            else {
                continue;
            };
            if ctx.cycle.closed {
                continue;
            }
            let taken = history.remove(i);
            let by = store::check_ins::Withdrawal {
                by: Some(&w.by),
                reason: w.reason.as_deref(),
            };
            store::check_ins::withdraw(tx, ws, taken.id, now, by).await?;
            let after = super::undo::put_back(tx, ws, &kr, &history, &taken).await?;
            self.reassess_alert(tx, ws, id, now).await?;
            put_back.push(after);
        }
        Ok(put_back)
    }

    /// `/kpi remove`: a lead; archived, readings kept.
    pub async fn kpi_remove(
        &self,
        actor: &Actor,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<Kpi> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "remove KPIs")?;
        store::kpis::archive(&mut tx, ws, kpi.id, now).await?;
        // Nobody is told a removed KPI is "back in range".
        store::alerts::resolve(
            &mut tx,
            ws,
            AlertKind::KpiOutOfRange,
            kpi.id.0,
            now,
            now,
            false,
        )
        .await?;
        commit(tx).await?;
        Ok(kpi)
    }

    /// `/kpi okr` (the alert's **Start an OKR**): a lead drafts an objective in the running cycle
    /// to bring the KPI back, linked to it, with one key result from the latest reading to the
    /// edge it crossed. One transaction; the lead edits it like any objective.
    ///
    /// One draft per alert: while the KPI's alert is open, the objective drafted for it is
    /// recorded on the alert, and a second press (a double click, a second lead) gets that
    /// objective back without a write. The look and the draft share the write transaction, so
    /// two presses at once cannot both draft.
    pub async fn kpi_okr(
        &self,
        actor: &Actor,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<KpiOkrDraft> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "start OKRs from KPIs")?;
        let alert = store::kpis::open_alert_draft(&mut tx, ws, kpi.id).await?;
        if let Some((_, Some(drafted))) = alert {
            if let Some(earlier) = earlier_draft(&mut tx, ws, drafted).await? {
                return Ok(earlier);
            }
        }
        let draft = kpi::draft(&kpi).ok_or_else(|| {
            OkrError::invalid(match kpi.latest {
                None => format!(
                    "{} has no reading yet, so there is nothing to fix: record one with /kpi set kpi:{} value:<n>",
                    kpi.name, kpi.name
                ),
                Some(_) => format!(
                    "{} is in its healthy range ({}): there is nothing to bring back",
                    kpi.name,
                    kpi.range.text(&kpi.unit)
                ),
            })
        })?;
        let cycle = resolve_cycle(&mut tx, actor, None, now).await?;
        if cycle.closed {
            return Err(OkrError::invalid(
                "no cycle is open: create one with /okr cycle new, then start the OKR",
            ));
        }
        let number = store::teams::take_objective_number(&mut tx, team.id).await?;
        let new = store::objectives::NewObjective {
            team: team.id,
            cycle: cycle.id,
            number,
            title: &draft.title,
            owner: kpi.owner.as_deref(),
            parent: None,
            kind: ObjectiveKind::Committed,
            state: ObjectiveState::Active,
        };
        let oid = store::objectives::insert(&mut tx, ws, &new, now).await?;
        let krn = store::objectives::take_kr_number(&mut tx, oid).await?;
        let kr = NewKr {
            paced_from: None,
            objective: oid,
            number: krn,
            title: &draft.kr_title,
            owner: kpi.owner.as_deref(),
            kind: KrKind::Metric,
            unit: &kpi.unit,
            start: draft.start,
            target: draft.target,
            current: draft.start,
            direction: None,
            confidence: None,
            weight: 1.0,
        };
        let kid = store::key_results::insert(&mut tx, ws, &kr, now).await?;
        store::kpis::link(&mut tx, kpi.id, oid).await?;
        store::kpis::follow(&mut tx, ws, kid, kpi.id).await?;
        if let Some((alert, _)) = alert {
            store::kpis::set_alert_draft(&mut tx, alert, oid).await?;
        }
        let objective = store::objectives::by_id(&mut tx, ws, oid)
            .await?
            .ok_or_else(vanished)?;
        let kr = store::key_results::by_id(&mut tx, ws, kid)
            .await?
            .ok_or_else(vanished)?;
        commit(tx).await?;
        Ok(KpiOkrDraft {
            objective,
            kr,
            earlier: false,
        })
    }
}

/// The objective an alert drafted earlier, with its first key result, while the lead keeps it:
/// archived, or without key results left, it no longer stands for the alert and a new one is
/// drafted.
async fn earlier_draft(
    c: &mut Conn,
    ws: WorkspaceId,
    drafted: crate::domain::model::ObjectiveId,
) -> Result<Option<KpiOkrDraft>> {
    let Some(objective) = store::objectives::by_id(c, ws, drafted).await? else {
        return Ok(None);
    };
    if objective.state == ObjectiveState::Archived {
        return Ok(None);
    }
    let krs = store::key_results::list(c, ws, None, Some(objective.id), None).await?;
    Ok(krs.into_iter().next().map(|kr| KpiOkrDraft {
        objective,
        kr,
        earlier: true,
    }))
}

/// Whether the KPI's latest reading that counts is out of its range: its alert is open exactly
/// then, since [`follow_latest`] keeps it so (a reopened alert included).
fn out_of_range(k: &Kpi) -> bool {
    k.latest
        .is_some_and(|(_, v)| k.range.place(v) != Place::Inside)
}

/// Opens or resolves the KPI's alert as its latest reading that counts says: out of range opens
/// (or keeps) it, in range resolves it with its end told, no reading at all resolves it in
/// silence. Told from `tell` on. Returns whether an alert was opened and whether one resolved.
async fn follow_latest(
    c: &mut Conn,
    ws: WorkspaceId,
    team: crate::domain::model::TeamId,
    kpi: &Kpi,
    now: DateTime<Utc>,
    tell: DateTime<Utc>,
) -> Result<(bool, bool)> {
    let kind = AlertKind::KpiOutOfRange;
    Ok(match kpi.latest.map(|(_, v)| kpi.range.place(v)) {
        Some(Place::Inside) => (
            false,
            store::alerts::resolve(c, ws, kind, kpi.id.0, now, tell, true).await?,
        ),
        Some(_) => (
            store::alerts::open(c, ws, team, kind, kpi.id.0, now, tell).await?,
            false,
        ),
        None => (
            false,
            store::alerts::resolve(c, ws, kind, kpi.id.0, now, tell, false).await?,
        ),
    })
}

/// Records a reading in the caller's transaction and opens or resolves the KPI's alert, telling
/// the team's posts (within its working hours) in the same transaction. Reads no history.
pub(crate) async fn record(
    c: &mut Conn,
    ws: WorkspaceId,
    team: &Team,
    kpi: &Kpi,
    reading: &Reading,
    now: DateTime<Utc>,
) -> Result<KpiReadingOutcome> {
    store::kpis::record(c, ws, kpi.id, reading).await?;
    // Key results started from this KPI move with it.
    let note = format!("from KPI {}", kpi.name);
    for kr in store::kpis::followers(c, ws, kpi.id).await? {
        let check_in = store::check_ins::NewCheckIn {
            kr,
            author: &reading.author,
            value: reading.value,
            confidence: None,
            note: Some(&note),
            source: CheckInSource::KpiSync,
            idempotency_key: None,
        };
        store::check_ins::insert_synced(c, ws, &check_in, reading.at).await?;
    }
    let after = Kpi {
        previous: kpi.latest,
        latest: Some((reading.at, reading.value)),
        ..kpi.clone()
    };
    // A reading typed by hand waits out the undo window before the channel hears of it; one from
    // a source or a push is told at once. The scheduler tells the team's news in one post.
    let tell = super::alerts::tell_after(team, now, reading.source == ReadingSource::Manual);
    let (alert_opened, resolved) = follow_latest(c, ws, team.id, &after, now, tell).await?;
    Ok(KpiReadingOutcome {
        held: reading.source == ReadingSource::Manual,
        kpi: Kpi {
            alerting: out_of_range(&after),
            ..after
        },
        team_name: team.name.clone(),
        alert_opened,
        resolved,
    })
}
