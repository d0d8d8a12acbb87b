//! Teams and cycles: `/okr setup`, `/okr cycle new | list | close`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::fields::{check_channel, check_cycle_days, check_person, no_control_characters};
use super::{commit, team_named, Actor, Okr, OkrError, Result};
use crate::domain::model::{Cycle, Member, Team, TeamZone};
pub use crate::domain::view::SetupOutcome;
use crate::store::{self, teams::NewTeam, Conn, StoreError};

#[derive(Debug, Default, Clone)]
pub struct SetupInput {
    pub team: String,
    pub timezone: Option<String>,
    pub channel: Option<String>,
    pub prefix: Option<String>,
    /// Replaces the team's leads when given.
    pub leads: Option<Vec<Member>>,
}

/// Parses a `YYYY-MM-DD` date option.
pub fn parse_date(option: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        OkrError::invalid(format!(
            "{option}:{text:?} is not a date: write it as YYYY-MM-DD, e.g. {option}:2026-10-01"
        ))
    })
}

fn default_prefix(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphabetic())
        .take(3)
        .collect::<String>()
        .to_ascii_uppercase()
}

pub(crate) fn check_prefix(prefix: &str) -> Result<String> {
    let p = prefix.trim().to_ascii_uppercase();
    if (2..=6).contains(&p.len()) && p.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(p)
    } else {
        Err(OkrError::invalid(format!(
            "prefix:{prefix:?} must be 2 to 6 letters A-Z, e.g. prefix:GRO (codes then read GRO-1.2)"
        )))
    }
}

pub(crate) fn check_team_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(OkrError::invalid(
            "give the team a name of 1 to 80 characters, e.g. team:Growth",
        ));
    }
    no_control_characters("the team's name", name)?;
    Ok(name)
}

/// A team's leads as `/okr setup` takes them and an import brings them: each name tidied as
/// typed (`@alice` is alice, blank ones dropped) and held to the rule for people's names.
pub(crate) fn check_leads(leads: &[Member]) -> Result<Vec<Member>> {
    let mut out = Vec::with_capacity(leads.len());
    for lead in leads.iter().filter_map(Member::trimmed) {
        check_person("lead", Some(lead.name()))?;
        out.push(lead);
    }
    Ok(out)
}

pub(crate) fn check_cycle_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(OkrError::invalid(
            "give the cycle a name of 1 to 40 characters, e.g. name:2026-Q4",
        ));
    }
    no_control_characters("the cycle's name", name)?;
    Ok(name)
}

impl Okr {
    /// Creates a team or changes the fields given. Admin only.
    pub async fn setup(
        &self,
        actor: &Actor,
        input: SetupInput,
        now: DateTime<Utc>,
    ) -> Result<SetupOutcome> {
        if !actor.admin {
            return Err(OkrError::Forbidden {
                action: "set up teams".into(),
                who: "a workspace admin".into(),
            });
        }
        let name = check_team_name(&input.team)?;
        let tz = input.timezone.as_deref().map(TeamZone::parse).transpose()?;
        let prefix = input.prefix.as_deref().map(check_prefix).transpose()?;
        let leads = input.leads.as_deref().map(check_leads).transpose()?;
        let channel = check_channel(input.channel.as_deref())?;

        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let existing = store::teams::by_name(&mut tx, ws, name).await?;
        let created = existing.is_none();
        let id = match existing {
            Some(team) => {
                let tz_name = tz
                    .map(|t| t.name().to_owned())
                    .unwrap_or_else(|| team.zone_name().to_owned());
                // Found in another case: the team keeps the name it was set up with.
                let fields = NewTeam {
                    name: &team.name,
                    prefix: prefix.as_deref().unwrap_or(&team.prefix),
                    timezone: &tz_name,
                    channel: channel.as_deref().or(team.channel.as_deref()),
                };
                store::teams::update(&mut tx, ws, team.id, &fields)
                    .await
                    .map_err(|e| duplicate_prefix(e, fields.prefix))?;
                team.id
            }
            None => {
                let prefix = match prefix {
                    Some(p) => p,
                    None => check_prefix(&default_prefix(name)).map_err(|_| {
                        OkrError::invalid(format!(
                            "team {name:?} needs a code prefix of 2 to 6 letters: add prefix:ABC"
                        ))
                    })?,
                };
                let tz_name = tz.map(|t| t.name()).unwrap_or("UTC");
                let fields = NewTeam {
                    name,
                    prefix: &prefix,
                    timezone: tz_name,
                    channel: channel.as_deref(),
                };
                store::teams::insert(&mut tx, ws, &fields, now)
                    .await
                    .map_err(|e| duplicate_prefix(e, &prefix))?
            }
        };
        if let Some(leads) = &leads {
            store::teams::set_leads(&mut tx, id, leads).await?;
        }
        let fresh = store::schedules::for_team(&mut tx, ws, id)
            .await?
            .is_empty();
        let team = store::teams::by_id(&mut tx, ws, id).await?.ok_or_else(|| {
            OkrError::Internal(anyhow::anyhow!("team vanished inside its own transaction"))
        })?;
        if fresh || tz.is_some() {
            super::schedule::install(&mut tx, ws, &team, now).await?;
        }
        commit(tx).await?;
        Ok(SetupOutcome { team, created })
    }

    pub async fn teams(&self, actor: &Actor) -> Result<Vec<Team>> {
        let mut c = self.store.read().await?;
        Ok(store::teams::list(&mut c, actor.workspace).await?)
    }

    pub async fn team(&self, actor: &Actor, name: &str) -> Result<Team> {
        let mut c = self.store.read().await?;
        team_named(&mut c, actor.workspace, name).await
    }

    /// `/okr cycle new`: admin or any team lead.
    pub async fn cycle_new(
        &self,
        actor: &Actor,
        name: &str,
        start: NaiveDate,
        end: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Cycle> {
        let mut tx = self.store.write().await?;
        let cycle = create_cycle(&mut tx, actor, name, start, end, now).await?;
        commit(tx).await?;
        Ok(cycle)
    }

    pub async fn cycles(&self, actor: &Actor) -> Result<Vec<Cycle>> {
        let mut c = self.store.read().await?;
        Ok(store::cycles::list(&mut c, actor.workspace).await?)
    }
}

/// Checks and inserts a cycle in the caller's transaction.
pub(crate) async fn create_cycle(
    c: &mut Conn,
    actor: &Actor,
    name: &str,
    start: NaiveDate,
    end: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Cycle> {
    let name = check_cycle_name(name)?;
    check_cycle_days(start, end)?;
    // Over everywhere on Earth (UTC-12 included) before today began in UTC: nothing could be
    // prompted, checked in or paced in it. A past quarter's data comes in with `okrbot import`.
    let today = now.date_naive();
    if end
        .checked_add_days(chrono::Days::new(2))
        .is_some_and(|d| d <= today)
    {
        return Err(OkrError::invalid(format!(
            "cycle {name} would have ended on {end}, before today ({today}): a cycle that is over cannot be run. Give an end of today or later, or bring a past quarter's data in with okrbot import"
        )));
    }
    require_cycle_rights(c, actor).await?;
    let cycles = store::cycles::list(c, actor.workspace).await?;
    if let Some(other) = cycles.iter().find(|cy| cy.blocks(start, end)) {
        return Err(overlap(name, start, end, other));
    }
    let id = store::cycles::insert(c, actor.workspace, name, start, end, now)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => OkrError::Conflict(format!(
                "a cycle named {name:?} exists already: pick another name"
            )),
            e => e.into(),
        })?;
    Ok(Cycle {
        id,
        name: name.to_owned(),
        start,
        end,
        closed: false,
    })
}

/// The refusal of a cycle that would overlap an open one, with the dates that would fit.
pub(crate) fn overlap(name: &str, start: NaiveDate, end: NaiveDate, other: &Cycle) -> OkrError {
    let after = other.end.succ_opt().unwrap_or(other.end);
    OkrError::Conflict(format!(
        "{name:?} ({start} to {end}) would overlap the open cycle {:?} ({} to {}); only one cycle \
         runs at a time. Start it on {after} or later, or close {:?} first with /okr cycle close",
        other.name, other.start, other.end, other.name
    ))
}

pub(crate) async fn require_cycle_rights(c: &mut Conn, actor: &Actor) -> Result<()> {
    let mut lead = false;
    let people = std::iter::once(Member::Person(actor.user.clone()));
    for who in people.chain(actor.roles.iter().cloned().map(Member::Group)) {
        lead = lead || store::teams::leads_any(c, actor.workspace, &who).await?;
    }
    if actor.admin || lead {
        Ok(())
    } else {
        Err(OkrError::Forbidden {
            action: "manage cycles".into(),
            who: "an admin or a team lead".into(),
        })
    }
}

fn duplicate_prefix(e: StoreError, prefix: &str) -> OkrError {
    match e {
        StoreError::Duplicate(_) => OkrError::Conflict(format!(
            "the prefix {prefix} is taken by another team: choose another with prefix:XYZ"
        )),
        e => e.into(),
    }
}

/// The cycle a command means: the one named, or else the open cycle that contains today, or else
/// the open cycle that starts next.
pub(crate) async fn resolve_cycle(
    c: &mut Conn,
    actor: &Actor,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Cycle> {
    let ws = actor.workspace;
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return store::cycles::by_name(c, ws, name)
            .await?
            .ok_or_else(|| OkrError::NotFound {
                what: "cycle",
                reference: name.to_owned(),
                hint: Some("/okr cycle list shows the cycles".into()),
            });
    }
    let today = now.date_naive();
    let cycles = store::cycles::list(c, ws).await?;
    let open: Vec<&Cycle> = cycles.iter().filter(|cy| !cy.closed).collect();
    open.iter()
        .filter(|cy| cy.start <= today && today <= cy.end)
        .max_by_key(|cy| cy.start)
        .or_else(|| {
            open.iter()
                .filter(|cy| cy.start > today)
                .min_by_key(|cy| cy.start)
        })
        .or_else(|| open.iter().max_by_key(|cy| cy.end))
        .map(|cy| (*cy).clone())
        .ok_or_else(|| no_open_cycle(&cycles, today))
}

/// Says there is no open cycle, and what to type next: the cycle after the latest (the latest,
/// closed, named so it can still be viewed), or the quarter of today when there is none yet; never
/// a cycle that exists.
fn no_open_cycle(cycles: &[Cycle], today: chrono::NaiveDate) -> OkrError {
    let latest = cycles.iter().max_by_key(|c| c.end);
    let start = latest
        .and_then(|c| c.end.succ_opt())
        .unwrap_or_else(|| quarter_start(today));
    let end = quarter_start(start)
        .checked_add_months(chrono::Months::new(3))
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    let quarter = format!("{}-Q{}", start.year(), start.month0() / 3 + 1);
    let taken = cycles.iter().any(|c| c.name.eq_ignore_ascii_case(&quarter));
    let name = if taken || start != quarter_start(start) {
        "<name>".to_owned()
    } else {
        quarter
    };
    let next = format!("/okr cycle new name:{name} start:{start} end:{end}");
    match latest {
        Some(l) => OkrError::invalid(format!(
            "there is no open cycle: the latest, {}, is closed (it stays viewable: add cycle:{} to /okr status or /okr digest scope:workspace); start the next with {next}",
            l.name, l.name
        )),
        None => OkrError::invalid(format!("there is no cycle yet: create one with {next}")),
    }
}

/// The first day of the calendar quarter `day` is in.
fn quarter_start(day: chrono::NaiveDate) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).unwrap_or(day)
}
