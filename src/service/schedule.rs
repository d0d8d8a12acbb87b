//! Team schedules: `/okr schedule show | set`, and the defaults every new team gets.

use chrono::{DateTime, Utc};

use super::{commit, require_lead, team_named, Actor, Okr, OkrError, Result};
use crate::domain::hours::WorkingHours;
use crate::domain::model::{Team, WorkspaceId};
use crate::domain::schedule::{CronSchedule, DEFAULT_DIGEST, DEFAULT_PROMPT, DEFAULT_REMINDER};
pub use crate::domain::view::ScheduleView;
use crate::store::{self, schedules::ScheduleKind, Conn};

/// The alert sweep re-reads statuses hourly, so "red by time passing" is noticed within an hour.
pub const SWEEP: &str = "0 * * * *";

pub fn default_cron(kind: ScheduleKind) -> &'static str {
    match kind {
        ScheduleKind::Prompt => DEFAULT_PROMPT,
        ScheduleKind::Reminder => DEFAULT_REMINDER,
        ScheduleKind::Digest => DEFAULT_DIGEST,
        ScheduleKind::Sweep => SWEEP,
    }
}

/// (Re)computes every schedule of the team from `now`: used at setup and when the zone changes.
pub(crate) async fn install(
    c: &mut Conn,
    ws: WorkspaceId,
    team: &Team,
    now: DateTime<Utc>,
) -> Result<()> {
    let existing = store::schedules::for_team(c, ws, team.id).await?;
    for kind in ScheduleKind::ALL {
        let expr = existing
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.cron.clone())
            .unwrap_or_else(|| default_cron(kind).to_owned());
        let cron = CronSchedule::parse(&expr)
            .or_else(|_| CronSchedule::parse(default_cron(kind)))
            .map_err(|e| {
                OkrError::Internal(anyhow::anyhow!("default schedule does not parse: {e}"))
            })?;
        let next = first_due(c, ws, team, kind, &cron, now)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("schedule {expr} never fires")))?;
        store::schedules::upsert(c, ws, team.id, kind, cron.expression(), next).await?;
    }
    Ok(())
}

/// When a schedule is next due after `now`: in the team's zone, and for prompts and reminders
/// in every zone a member set too, whichever comes first (`docs/schedules-and-delivery.md`,
/// "Each member's own hours").
async fn first_due(
    c: &mut Conn,
    ws: WorkspaceId,
    team: &Team,
    kind: ScheduleKind,
    cron: &CronSchedule,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let mut zones = vec![team.tz];
    if matches!(kind, ScheduleKind::Prompt | ScheduleKind::Reminder) {
        zones.extend(store::people::zones(c, ws).await?);
    }
    Ok(crate::domain::schedule::next_in_zones(cron, &zones, now))
}

#[derive(Debug, Default, Clone)]
pub struct ScheduleChange {
    pub prompt: Option<String>,
    pub reminder: Option<String>,
    pub digest: Option<String>,
    /// Working hours: `09:00-18:00 Mon-Fri`, or `always`.
    pub hours: Option<String>,
}

impl Okr {
    pub async fn schedule_show(
        &self,
        actor: &Actor,
        team: &str,
        now: DateTime<Utc>,
    ) -> Result<ScheduleView> {
        let mut c = self.store.read().await?;
        let team = team_named(&mut c, actor.workspace, team).await?;
        view(&mut c, actor.workspace, team, now).await
    }

    /// `/okr schedule set`: lead only; every expression is checked before anything is written.
    pub async fn schedule_set(
        &self,
        actor: &Actor,
        team: &str,
        change: ScheduleChange,
        now: DateTime<Utc>,
    ) -> Result<ScheduleView> {
        let mut parsed = Vec::new();
        for (kind, expr) in [
            (ScheduleKind::Prompt, &change.prompt),
            (ScheduleKind::Reminder, &change.reminder),
            (ScheduleKind::Digest, &change.digest),
        ] {
            if let Some(e) = expr {
                let cron = CronSchedule::parse(e)
                    .map_err(|err| OkrError::invalid(format!("{}: {err}", kind.as_str())))?;
                parsed.push((kind, cron));
            }
        }
        let hours = change
            .hours
            .as_deref()
            .map(WorkingHours::parse)
            .transpose()
            .map_err(|e| OkrError::invalid(e.to_string()))?;
        if parsed.is_empty() && hours.is_none() {
            return Err(OkrError::invalid(
                "say what to change, e.g. /okr schedule set team:Growth prompt:\"0 9 * * Mon\" digest:\"0 16 * * Fri\" hours:\"09:00-18:00 Mon-Fri\"",
            ));
        }
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, actor.workspace, team).await?;
        require_lead(actor, &team, "change the schedule")?;
        for (kind, cron) in &parsed {
            let next = first_due(&mut tx, actor.workspace, &team, *kind, cron, now)
                .await?
                .ok_or_else(|| {
                    OkrError::invalid(format!("{}: that schedule never fires", kind.as_str()))
                })?;
            store::schedules::upsert(
                &mut tx,
                actor.workspace,
                team.id,
                *kind,
                cron.expression(),
                next,
            )
            .await?;
        }
        if let Some(h) = &hours {
            store::teams::set_hours(&mut tx, actor.workspace, team.id, h).await?;
        }
        let team = Team {
            hours: hours.unwrap_or(team.hours),
            ..team
        };
        let v = view(&mut tx, actor.workspace, team, now).await?;
        commit(tx).await?;
        self.wake();
        Ok(v)
    }
}

async fn view(
    c: &mut Conn,
    ws: WorkspaceId,
    team: Team,
    now: DateTime<Utc>,
) -> Result<ScheduleView> {
    let rows = store::schedules::for_team(c, ws, team.id).await?;
    let mut entries = Vec::new();
    for kind in [
        ScheduleKind::Prompt,
        ScheduleKind::Reminder,
        ScheduleKind::Digest,
    ] {
        let expr = rows
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.cron.clone())
            .unwrap_or_else(|| default_cron(kind).to_owned());
        let next = CronSchedule::parse(&expr)
            .map(|c| c.upcoming(team.tz, now, 5))
            .unwrap_or_default();
        entries.push((kind, expr, next));
    }
    Ok(ScheduleView { team, entries })
}
