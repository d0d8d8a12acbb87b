//! Prompts, reminders and lead reports (`docs/schedules-and-delivery.md`): the bot asks each owner for their
//! numbers, reminds those who forgot, and tells the lead about key results that ignore it.
//! Each decision is recorded in the ledger in the caller's transaction.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::team_state::{ScoredKr, TeamState};
use super::Result;
use crate::domain::kpi::Kpi;
use crate::domain::model::{KpiId, KrId};
use crate::domain::schedule::{CronSchedule, DEFAULT_PROMPT};
use crate::domain::scoring::Status;
use crate::outbox::{DeliveryKind, Recipient};
use crate::render::nudge;
use crate::store::{self, deliveries::NewDelivery, people::Owed, schedules::ScheduleKind, Conn};

pub use crate::domain::schedule::RECENT;
/// After this many ignored prompts in a row, the lead is told instead of a further prompt.
pub const IGNORED_LIMIT: i64 = 3;
/// Two prompts to one owner are at least a check-in period apart, less this much: a week of
/// Monday 09:00 prompts stays a week across a DST change or a prompt moved by an hour.
pub const PERIOD_SLACK: Duration = Duration::hours(12);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub prompts: usize,
    /// Owners off on the day, owed one prompt on their next working day instead.
    pub owed: usize,
    pub reminders: usize,
    pub lead_reports: usize,
}

fn checked_in_since(k: &ScoredKr, t: DateTime<Utc>) -> bool {
    k.kr.last_check_in.is_some_and(|c| c >= t)
}

fn read_since(k: &Kpi, t: DateTime<Utc>) -> bool {
    k.latest.is_some_and(|(at, _)| at >= t)
}

/// Whom a round of prompts is for: the owners who live in `zone` (their own, or the team's when
/// they set none), each at the schedule's local time there; or the one owner a prompt is owed
/// to after a day off.
#[derive(Debug, Clone, Copy)]
pub struct Round<'a> {
    pub slot: DateTime<Utc>,
    pub zone: Tz,
    pub owed: Option<&'a Owed>,
}

impl Round<'_> {
    /// The occurrence this round answers for, as a wall time (seconds as if UTC).
    fn local(&self) -> i64 {
        match self.owed {
            Some(o) => o.missed_local,
            None => wall_time(self.slot, self.zone),
        }
    }

    fn covers(&self, s: &TeamState, owner: &str) -> bool {
        match self.owed {
            Some(o) => o.member == owner,
            None => at_schedules_time(s, owner, self.slot, self.zone),
        }
    }
}

/// Whether `owner`'s clock shows the schedule's time at `slot` (a slot of the schedule in
/// `zone`): they live in `zone`, or in one that agrees with it then (Paris with Berlin).
fn at_schedules_time(s: &TeamState, owner: &str, slot: DateTime<Utc>, zone: Tz) -> bool {
    let theirs = s.people.zone(owner, s.team.tz);
    theirs == zone || wall_time(slot, theirs) == wall_time(slot, zone)
}

/// An instant as the wall time in `zone`, in seconds as if that wall time were UTC.
pub fn wall_time(at: DateTime<Utc>, zone: Tz) -> i64 {
    at.with_timezone(&zone).naive_local().and_utc().timestamp()
}

/// The check-in prompt of one team for a round: one message per owner listing their key
/// results that were not checked in within the last 3 days and the KPIs they are asked for; key
/// results that ignored 3 prompts in a row go to the lead instead.
/// An owner prompted by this team for an occurrence less than a period before this one (the
/// prompt time, the team's zone or their own changed since) is not prompted again for it: at
/// most one prompt per owner per period, and no repeat counted as ignored.
/// An owner off on the round's day (time off, a team holiday, where they live) is asked nothing
/// and counts for nothing: one prompt is owed to them on their next working day instead.
pub async fn decide_prompts(
    c: &mut Conn,
    s: &TeamState,
    round: Round<'_>,
    period: Duration,
    now: DateTime<Utc>,
) -> Result<Decided> {
    let slot = round.slot;
    let ignored = store::key_results::ignored_prompts(c, s.workspace, s.team.id).await?;
    let window = (period - PERIOD_SLACK).max(PERIOD_SLACK);
    let local = round.local();
    let recent = store::deliveries::prompted_between(
        c,
        s.team.id,
        (local - window.num_seconds(), local + 1),
        (slot - window, slot),
    )
    .await?;
    let mut decided = Decided::default();
    let mut for_lead: Vec<&ScoredKr> = Vec::new();
    // Each person once, in name order, with their key results and the KPIs they are asked for:
    // a map, so a team of thousands of owners costs a lookup each.
    type Asked<'a> = (Vec<&'a ScoredKr>, Vec<&'a Kpi>);
    let mut people: std::collections::BTreeMap<&str, Asked<'_>> = std::collections::BTreeMap::new();
    for (owner, krs) in s.by_owner() {
        people.entry(owner).or_default().0 = krs;
    }
    for (owner, kpi) in s.kpis_asked(slot) {
        people.entry(owner).or_default().1.push(kpi);
    }
    for (owner, (krs, ask_kpis)) in people {
        if !round.covers(s, owner) {
            continue;
        }
        if s.people.off_at(owner, slot, s.team.tz).is_some() {
            if round.owed.is_none() {
                owe(c, s, owner, slot, local).await?;
                decided.owed += 1;
            }
            continue;
        }
        let mut ask: Vec<&ScoredKr> = Vec::new();
        for k in krs {
            if checked_in_since(k, slot - RECENT) {
                continue;
            }
            // Someone just back from days off is asked, not reported: the lead hears of
            // prompts they ignore from here on.
            if round.owed.is_none() && ignored.get(&k.kr.id).copied().unwrap_or(0) >= IGNORED_LIMIT
            {
                for_lead.push(k);
            } else {
                ask.push(k);
            }
        }
        let me = Recipient::User(owner.to_owned());
        if (ask.is_empty() && ask_kpis.is_empty()) || recent.contains(&me) {
            continue;
        }
        let message = nudge::prompt(s, &ask, &ask_kpis, now);
        let ids: Vec<KrId> = ask.iter().map(|k| k.kr.id).collect();
        let kpi_ids: Vec<KpiId> = ask_kpis.iter().map(|k| k.id).collect();
        let new = NewDelivery {
            team: s.team.id,
            kind: DeliveryKind::Prompt,
            recipient: &me,
            slot,
            due: slot,
            message: &message,
            subjects: &ids,
            kpis: &kpi_ids,
            local_slot: Some(local),
        };
        if store::deliveries::insert(c, s.workspace, &new, now).await? {
            store::key_results::count_prompted(c, s.workspace, &ids).await?;
            decided.prompts += 1;
            // A prompt at work answers for any prompt a day off still owed them.
            store::people::settle_owed(c, s.team.id, owner).await?;
        }
    }
    if !for_lead.is_empty() {
        let message = nudge::lead_report(s, &for_lead);
        let ids: Vec<KrId> = for_lead.iter().map(|k| k.kr.id).collect();
        for recipient in lead_recipients(s) {
            let new = NewDelivery {
                team: s.team.id,
                kind: DeliveryKind::LeadReport,
                recipient: &recipient,
                slot,
                due: s.team.posts_at(slot),
                message: &message,
                subjects: &ids,
                kpis: &[],
                local_slot: None,
            };
            if store::deliveries::insert(c, s.workspace, &new, now).await? {
                decided.lead_reports += 1;
            }
        }
        store::key_results::reset_ignored(c, s.workspace, &ids).await?;
    }
    Ok(decided)
}

/// Owes `owner` one prompt on their next working day, at this slot's local time where they live.
async fn owe(
    c: &mut Conn,
    s: &TeamState,
    owner: &str,
    slot: DateTime<Utc>,
    local: i64,
) -> Result<()> {
    let zone = s.people.zone(owner, s.team.tz);
    let time = slot.with_timezone(&zone).time();
    let Some(due) = s.people.next_working(owner, slot, time, s.team.tz) else {
        return Ok(());
    };
    let owed = Owed {
        workspace: s.workspace,
        team: s.team.id,
        member: owner.to_owned(),
        due,
        missed_at: slot,
        missed_local: local,
    };
    store::people::owe(c, s.workspace, &owed).await?;
    Ok(())
}

/// The one prompt owed to a member after days off, now due: sent if they are at work and nobody
/// prompted them since the day they missed; moved to their next working day if they are off
/// again. Returns what was decided.
pub async fn decide_owed(
    c: &mut Conn,
    s: &TeamState,
    owed: &Owed,
    period: Duration,
    now: DateTime<Utc>,
) -> Result<Decided> {
    let zone = s.people.zone(&owed.member, s.team.tz);
    if s.people.off_at(&owed.member, owed.due, s.team.tz).is_some() {
        let time = owed.due.with_timezone(&zone).time();
        match s
            .people
            .next_working(&owed.member, owed.due, time, s.team.tz)
        {
            Some(later) => {
                store::people::move_owed(c, s.team.id, &owed.member, owed.due, later).await?;
            }
            None => {
                store::people::settle_owed(c, s.team.id, &owed.member).await?;
            }
        }
        return Ok(Decided::default());
    }
    if !store::people::settle_owed(c, s.team.id, &owed.member).await? {
        // Another scheduler took it.
        return Ok(Decided::default());
    }
    let me = Recipient::User(owed.member.clone());
    if store::deliveries::prompted_after(c, s.team.id, &me, owed.missed_at).await? {
        return Ok(Decided::default());
    }
    let round = Round {
        slot: owed.due,
        zone,
        owed: Some(owed),
    };
    decide_prompts(c, s, round, period, now).await
}

/// The team's latest prompt slot at or before `at` in `zone`, from its prompt schedule.
pub(crate) async fn last_prompt_slot(
    c: &mut Conn,
    s: &TeamState,
    zone: Tz,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let rows = store::schedules::for_team(c, s.workspace, s.team.id).await?;
    let expr = rows
        .iter()
        .find(|r| r.kind == ScheduleKind::Prompt)
        .map(|r| r.cron.clone())
        .unwrap_or_else(|| DEFAULT_PROMPT.to_owned());
    let Ok(cron) = CronSchedule::parse(&expr) else {
        return Ok(None);
    };
    Ok(cron.latest_at_or_before(zone, at, Duration::days(35)))
}

/// The leads, by direct message; a team without leads hears it in its channel.
fn lead_recipients(s: &TeamState) -> Vec<Recipient> {
    let people: Vec<Recipient> = s
        .team
        .leads
        .iter()
        .filter(|l| !l.is_group())
        .map(|l| Recipient::User(l.name().to_owned()))
        .collect();
    // A team led by a role (or by nobody yet) hears it in its channel, the role mentioned.
    let groups = s.team.leads.iter().any(|l| l.is_group());
    if people.is_empty() || groups {
        people
            .into_iter()
            .chain(s.team.channel.iter().map(|c| Recipient::Channel(c.clone())))
            .collect()
    } else {
        people
    }
}

/// The reminder for `slot` to the owners who live in `zone`: to each one prompted at the prompt
/// schedule's latest slot there who has not checked in since, about those key results that are
/// not both on pace and fresh, and the KPIs of that prompt still without a reading since. Nobody
/// off on the day is reminded.
pub async fn decide_reminders(
    c: &mut Conn,
    s: &TeamState,
    slot: DateTime<Utc>,
    zone: Tz,
    period: Duration,
    now: DateTime<Utc>,
) -> Result<Decided> {
    let mut decided = Decided::default();
    // The prompt this reminder follows is the prompt schedule's latest slot, not the latest
    // prompt anyone got: an owner whose lead was told instead of a prompt owes no reminder.
    let Some(prompted) = last_prompt_slot(c, s, zone, slot).await? else {
        return Ok(decided);
    };
    for prompt in store::deliveries::prompts_at(c, s.team.id, prompted).await? {
        let Recipient::User(owner) = &prompt.recipient else {
            continue;
        };
        if !at_schedules_time(s, owner, slot, zone)
            || s.people.off_at(owner, slot, s.team.tz).is_some()
        {
            continue;
        }
        let due: Vec<&ScoredKr> = prompt
            .subjects
            .iter()
            .filter_map(|id| s.krs.iter().find(|k| k.kr.id == *id))
            .filter(|k| !checked_in_since(k, prompt.slot))
            .filter(|k| {
                let fresh = k.kr.last_check_in.is_some_and(|t| slot - t <= period);
                !(k.score.status == Status::Green && fresh)
            })
            .collect();
        let due_kpis: Vec<&Kpi> = prompt
            .kpis
            .iter()
            .filter_map(|id| s.kpis.iter().find(|k| k.id == *id))
            .filter(|k| k.read_by_hand() && !read_since(k, prompt.slot))
            .collect();
        if due.is_empty() && due_kpis.is_empty() {
            continue;
        }
        let message = nudge::reminder(s, &due, &due_kpis, prompt.slot, zone, now);
        let ids: Vec<KrId> = due.iter().map(|k| k.kr.id).collect();
        let kpi_ids: Vec<KpiId> = due_kpis.iter().map(|k| k.id).collect();
        let new = NewDelivery {
            team: s.team.id,
            kind: DeliveryKind::Reminder,
            recipient: &Recipient::User(owner.clone()),
            slot,
            due: slot,
            message: &message,
            subjects: &ids,
            kpis: &kpi_ids,
            local_slot: None,
        };
        if store::deliveries::insert(c, s.workspace, &new, now).await? {
            decided.reminders += 1;
        }
    }
    Ok(decided)
}
