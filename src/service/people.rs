//! People, not just teams (`docs/schedules-and-delivery.md`, "Each member's own hours" and
//! "Time off"): `/okr me` (what okrbot knows about you, and your own time zone), `/okr away`
//! (time off) and `/okr holidays` (a team's days off).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::fields::check_person;
use super::{commit, is_lead, team_named, Actor, Okr, OkrError, Result};
use crate::domain::kpi::Kpi;
use crate::domain::model::{KeyResult, Note, Team, TeamZone, WorkspaceId};
use crate::domain::people::{parse_days, parse_span, Away, People};
use crate::domain::schedule::{CronSchedule, DEFAULT_PROMPT};
use crate::domain::view::{AwayChange, HolidayChange, MemberView};
use crate::store::{self, schedules::ScheduleKind, Conn};

/// "Today" for checking typed days: the date in the earliest zone on Earth (UTC-12), so a
/// period that starts today wherever someone lives is never refused as past.
fn earliest_today(now: DateTime<Utc>) -> NaiveDate {
    (now - Duration::hours(12)).date_naive()
}

/// The member a command is about: `member:` when given (for a lead), else the asker.
fn subject(actor: &Actor, member: Option<&str>) -> Result<String> {
    Ok(check_person("member", member)?.unwrap_or_else(|| actor.user.clone()))
}

/// What `member` is asked for in the workspace, read once: their open key results, their
/// KPIs, the teams that ask for them (those of their key results, the team carrying one of a
/// shared objective, and those of their KPIs), and every team, to name a KPI's.
struct Owned {
    krs: Vec<KeyResult>,
    kpis: Vec<Kpi>,
    teams: Vec<Team>,
    all_teams: Vec<Team>,
}

async fn owned_by(c: &mut Conn, ws: WorkspaceId, member: &str) -> Result<Owned> {
    let all_teams = store::teams::list(c, ws).await?;
    let krs: Vec<KeyResult> = store::key_results::list_open(c, ws)
        .await?
        .into_iter()
        .filter(|k| k.owner.as_deref() == Some(member))
        .collect();
    let kpis: Vec<Kpi> = store::kpis::list(c, ws, None)
        .await?
        .into_iter()
        .filter(|k| k.owner.as_deref() == Some(member))
        .collect();
    let teams = all_teams
        .iter()
        .filter(|t| krs.iter().any(|k| asks_for(t, k)) || kpis.iter().any(|k| k.team_id == t.id))
        .cloned()
        .collect();
    Ok(Owned {
        krs,
        kpis,
        teams,
        all_teams,
    })
}

/// Whether `team` asks for `kr`: its own, unless another team carries it.
fn asks_for(team: &Team, kr: &KeyResult) -> bool {
    match kr.carried_by {
        Some(by) => by == team.id,
        None => kr.code.split('-').next() == Some(team.prefix.as_str()),
    }
}

/// Who may change someone's zone or time off: they themselves, an admin, or a lead of a team
/// that asks them for something.
async fn may_act_for(c: &mut Conn, actor: &Actor, member: &str, action: &str) -> Result<()> {
    if member == actor.user || actor.admin {
        return Ok(());
    }
    let owned = owned_by(c, actor.workspace, member).await?;
    if owned.teams.iter().any(|t| is_lead(actor, t)) {
        return Ok(());
    }
    Err(OkrError::Forbidden {
        action: format!("{action} for {member}"),
        who: format!(
            "{member} themselves, an admin, or a lead of a team that asks {member} for key results or KPIs"
        ),
    })
}

impl Okr {
    /// `/okr me`: what okrbot knows about `member` (the asker by default), after setting their
    /// own zone when `timezone` is given (`team` goes back to their teams' zones).
    pub async fn member(
        &self,
        actor: &Actor,
        member: Option<&str>,
        timezone: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<MemberView> {
        let member = subject(actor, member)?;
        let ws = actor.workspace;
        let timezone = timezone.map(str::trim).filter(|t| !t.is_empty());
        let mut tx = self.store.write().await?;
        let zone_changed = match timezone {
            None => {
                if member != actor.user {
                    may_act_for(&mut tx, actor, &member, "see what okrbot knows").await?;
                }
                false
            }
            Some(t) => {
                may_act_for(&mut tx, actor, &member, "set the time zone").await?;
                if t.eq_ignore_ascii_case("team") || t.eq_ignore_ascii_case("none") {
                    store::people::clear_zone(&mut tx, ws, &member).await?;
                } else {
                    let zone = TeamZone::parse(t).map_err(|e| {
                        OkrError::invalid(format!(
                            "timezone: {e} (or timezone:team for your teams' zones)"
                        ))
                    })?;
                    store::people::set_zone(&mut tx, ws, &member, zone.name()).await?;
                    pull_forward(&mut tx, ws, zone.tz(), now).await?;
                }
                true
            }
        };
        let view = self
            .member_view(&mut tx, ws, &member, zone_changed, now)
            .await?;
        commit(tx).await?;
        if zone_changed {
            self.wake();
        }
        Ok(view)
    }

    async fn member_view(
        &self,
        c: &mut Conn,
        ws: WorkspaceId,
        member: &str,
        zone_changed: bool,
        now: DateTime<Utc>,
    ) -> Result<MemberView> {
        let zone = store::people::zone_of(c, ws, member).await?;
        let today = now.with_timezone(&zone.unwrap_or(Tz::UTC)).date_naive();
        let away = store::people::away(c, ws, Some(member), earliest_today(now)).await?;
        let owned = owned_by(c, ws, member).await?;
        let name_of = |team: Option<&Team>| team.map_or_else(String::new, |t| t.name.clone());
        let krs = owned
            .krs
            .iter()
            .map(|k| {
                let team = owned.all_teams.iter().find(|t| asks_for(t, k));
                (name_of(team), k.code.clone(), k.title.clone())
            })
            .collect();
        let kpis = owned
            .kpis
            .iter()
            .map(|k| {
                let team = owned.all_teams.iter().find(|t| t.id == k.team_id);
                (name_of(team), k.name.clone())
            })
            .collect();
        let mut next_prompts = Vec::new();
        for t in &owned.teams {
            let people = store::people::load(c, ws, t.id, now).await?;
            next_prompts.push((
                t.name.clone(),
                t.tz,
                next_prompt(c, ws, t, &people, member, now).await?,
            ));
        }
        let dms_closed = store::closed_dms::since(c, ws, member).await?.is_some();
        Ok(MemberView {
            member: member.to_owned(),
            zone,
            zone_changed,
            away,
            krs,
            kpis,
            next_prompts,
            dms_closed,
            today,
        })
    }

    /// `/okr away set`: time off for the asker, or for `member` (a lead).
    pub async fn away_set(
        &self,
        actor: &Actor,
        member: Option<&str>,
        from: &str,
        to: Option<&str>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Away, NaiveDate)> {
        let member = subject(actor, member)?;
        let (first, last) = parse_span(from, to, earliest_today(now)).map_err(OkrError::invalid)?;
        let note = match note {
            Some(n) => {
                super::fields::no_control_characters("note:", n)?;
                Note::parse(n)
                    .map_err(|e| OkrError::invalid(format!("note: {e}")))?
                    .map(|n| n.as_str().to_owned())
            }
            None => None,
        };
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        may_act_for(&mut tx, actor, &member, "enter time off").await?;
        let existing = store::people::away(&mut tx, ws, Some(&member), first).await?;
        if let Some(a) = existing.iter().find(|a| a.first <= last && first <= a.last) {
            return Err(OkrError::invalid(format!(
                "{member} is away {} to {} already, which overlaps {first} to {last}: cancel it first with /okr away cancel, or enter days outside it",
                a.first, a.last
            )));
        }
        let mut away = Away {
            id: 0,
            member,
            first,
            last,
            note,
            set_by: actor.user.clone(),
        };
        away.id = store::people::add_away(&mut tx, ws, &away, now).await?;
        let today = member_today(&mut tx, ws, &away.member, now).await?;
        commit(tx).await?;
        self.wake();
        Ok((away, today))
    }

    /// `/okr away list`: the time off of a team's people (those it asks for something, and its
    /// leads), or of the whole workspace, from today on.
    pub async fn away_list(
        &self,
        actor: &Actor,
        team: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(String, Vec<Away>, NaiveDate)> {
        let ws = actor.workspace;
        let mut c = self.store.read().await?;
        let all = store::people::away(&mut c, ws, None, earliest_today(now)).await?;
        let today = now.date_naive();
        let Some(name) = team.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(("the workspace".to_owned(), all, today));
        };
        let team = team_named(&mut c, ws, name).await?;
        let today = now.with_timezone(&team.tz).date_naive();
        let mut people: Vec<String> = team.leads.iter().map(|l| l.name().to_owned()).collect();
        for k in store::key_results::list_open(&mut c, ws).await? {
            if asks_for(&team, &k) {
                people.extend(k.owner);
            }
        }
        for k in store::kpis::list(&mut c, ws, Some(team.id)).await? {
            people.extend(k.owner);
        }
        let away = all
            .into_iter()
            .filter(|a| people.contains(&a.member))
            .collect();
        Ok((format!("team {}", team.name), away, today))
    }

    /// `/okr away cancel`: ends the asker's (or `member`'s) time off that is running, or removes
    /// the next one; a prompt owed for the days missed then comes on the next working day.
    pub async fn away_cancel(
        &self,
        actor: &Actor,
        member: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Away, AwayChange, NaiveDate)> {
        let member = subject(actor, member)?;
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        may_act_for(&mut tx, actor, &member, "cancel time off").await?;
        let today = member_today(&mut tx, ws, &member, now).await?;
        let ahead = store::people::away(&mut tx, ws, Some(&member), today).await?;
        let Some(a) = ahead.into_iter().next() else {
            return Err(OkrError::invalid(format!(
                "{member} has no time off today or later to cancel: /okr away list shows who is away"
            )));
        };
        let change = if a.first < today {
            let yesterday = today.pred_opt().unwrap_or(today);
            store::people::end_away(&mut tx, ws, a.id, yesterday).await?;
            AwayChange::Ended
        } else {
            store::people::remove_away(&mut tx, ws, a.id).await?;
            AwayChange::Removed
        };
        // Back early: the prompt owed for the days missed comes on the next working day, not
        // on the day the time off would have ended.
        for o in store::people::owed_to(&mut tx, ws, &member).await? {
            let people = store::people::load(&mut tx, ws, o.team, now).await?;
            let team_tz = store::teams::by_id(&mut tx, ws, o.team)
                .await?
                .map_or(Tz::UTC, |t| t.tz);
            let time = o.due.with_timezone(&people.zone(&member, team_tz)).time();
            if let Some(due) = people.next_working(&member, now, time, team_tz) {
                if due < o.due {
                    store::people::move_owed(&mut tx, o.team, &member, o.due, due).await?;
                }
            }
        }
        commit(tx).await?;
        self.wake();
        Ok((a, change, today))
    }

    /// `/okr holidays add|remove|list`: a team's days off (a lead's or an admin's to change).
    pub async fn holidays(
        &self,
        actor: &Actor,
        team: &str,
        dates: Option<&str>,
        change: HolidayChange,
        now: DateTime<Utc>,
    ) -> Result<(String, Vec<NaiveDate>, HolidayChange)> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, ws, team).await?;
        let today = now.with_timezone(&team.tz).date_naive();
        let done = match change {
            HolidayChange::Listed => HolidayChange::Listed,
            HolidayChange::Added(_) | HolidayChange::Removed(_) => {
                super::require_lead(actor, &team, "change the team's days off")?;
                let days =
                    parse_days(dates.unwrap_or_default(), today).map_err(OkrError::invalid)?;
                if matches!(change, HolidayChange::Added(_)) {
                    HolidayChange::Added(
                        store::people::add_holidays(&mut tx, team.id, &days).await?,
                    )
                } else {
                    HolidayChange::Removed(
                        store::people::remove_holidays(&mut tx, team.id, &days).await?,
                    )
                }
            }
        };
        let days = store::people::holidays(&mut tx, team.id, today).await?;
        commit(tx).await?;
        if done != HolidayChange::Listed {
            self.wake();
        }
        Ok((team.name, days, done))
    }

    /// Owners away today where they live, with the words their key results show instead of
    /// stale or not checked in.
    pub(crate) async fn away_today(
        &self,
        c: &mut Conn,
        ws: WorkspaceId,
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, String>> {
        let away = store::people::away(c, ws, None, earliest_today(now)).await?;
        if away.is_empty() {
            return Ok(HashMap::new());
        }
        let zones: HashMap<String, Tz> = store::people::zone_rows(c, ws)
            .await?
            .into_iter()
            .filter_map(|(m, z)| Some((m, z.parse().ok()?)))
            .collect();
        Ok(away
            .iter()
            .filter_map(|a| {
                let zone = zones.get(&a.member).copied().unwrap_or(Tz::UTC);
                let today = now.with_timezone(&zone).date_naive();
                a.covers(today).then(|| (a.member.clone(), a.until(today)))
            })
            .collect())
    }
}

/// The date where `member` lives: their own zone, else UTC.
async fn member_today(
    c: &mut Conn,
    ws: WorkspaceId,
    member: &str,
    now: DateTime<Utc>,
) -> Result<NaiveDate> {
    let zone = store::people::zone_of(c, ws, member)
        .await?
        .unwrap_or(Tz::UTC);
    Ok(now.with_timezone(&zone).date_naive())
}

/// When `team` next prompts `member`: its prompt schedule's next slot where they live, or the
/// first working day after it when that slot falls on a day off.
async fn next_prompt(
    c: &mut Conn,
    ws: WorkspaceId,
    team: &Team,
    people: &People,
    member: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let rows = store::schedules::for_team(c, ws, team.id).await?;
    let expr = rows
        .iter()
        .find(|r| r.kind == ScheduleKind::Prompt)
        .map_or(DEFAULT_PROMPT, |r| r.cron.as_str());
    let Ok(cron) = CronSchedule::parse(expr) else {
        return Ok(None);
    };
    let zone = people.zone(member, team.tz);
    let Some(slot) = cron.next_after(zone, now) else {
        return Ok(None);
    };
    if people.off_at(member, slot, team.tz).is_none() {
        return Ok(Some(slot));
    }
    let time = slot.with_timezone(&zone).time();
    Ok(people.next_working(member, slot, time, team.tz))
}

/// After a member sets a zone: every prompt and reminder schedule of the workspace fires in it
/// too, so one whose next slot there comes before its next due time is brought forward.
pub(crate) async fn pull_forward(
    c: &mut Conn,
    ws: WorkspaceId,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<()> {
    for row in store::schedules::for_workspace(c, ws).await? {
        if !matches!(row.kind, ScheduleKind::Prompt | ScheduleKind::Reminder) {
            continue;
        }
        let Ok(cron) = CronSchedule::parse(&row.cron) else {
            continue;
        };
        if let Some(at) = cron.next_after(zone, now) {
            store::schedules::pull_forward(c, row.team, row.kind, at).await?;
        }
    }
    Ok(())
}
