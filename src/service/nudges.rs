//! Prompts, reminders and lead reports (`docs/schedules-and-delivery.md`): the bot asks each owner for their
//! numbers, reminds those who forgot, and tells the lead about key results that ignore it.
//! Each decision is recorded in the ledger in the caller's transaction.

use chrono::{DateTime, Duration, Utc};

use super::team_state::{ScoredKr, TeamState};
use super::Result;
use crate::domain::kpi::Kpi;
use crate::domain::model::{KpiId, KrId};
use crate::domain::schedule::{CronSchedule, DEFAULT_PROMPT};
use crate::domain::scoring::Status;
use crate::outbox::{DeliveryKind, Recipient};
use crate::render::nudge;
use crate::store::{self, deliveries::NewDelivery, schedules::ScheduleKind, Conn};

pub use crate::domain::schedule::RECENT;
/// After this many ignored prompts in a row, the lead is told instead of a further prompt.
pub const IGNORED_LIMIT: i64 = 3;
/// Two prompts to one owner are at least a check-in period apart, less this much: a week of
/// Monday 09:00 prompts stays a week across a DST change or a prompt moved by an hour.
pub const PERIOD_SLACK: Duration = Duration::hours(12);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub prompts: usize,
    pub reminders: usize,
    pub lead_reports: usize,
}

fn checked_in_since(k: &ScoredKr, t: DateTime<Utc>) -> bool {
    k.kr.last_check_in.is_some_and(|c| c >= t)
}

fn read_since(k: &Kpi, t: DateTime<Utc>) -> bool {
    k.latest.is_some_and(|(at, _)| at >= t)
}

/// The Monday prompt of one team for `slot`: one message per owner listing their key results
/// that were not checked in within the last 3 days and the KPIs they are asked for; key results
/// that ignored 3 prompts in a row go to the lead instead.
/// An owner prompted by this team less than a period before `slot` (the prompt time or the
/// team's zone changed since) is not prompted again for it: at most one prompt per owner per
/// period, and no repeat counted as ignored.
pub async fn decide_prompts(
    c: &mut Conn,
    s: &TeamState,
    slot: DateTime<Utc>,
    period: Duration,
    now: DateTime<Utc>,
) -> Result<Decided> {
    let ignored = store::key_results::ignored_prompts(c, s.workspace, s.team.id).await?;
    let since = slot - (period - PERIOD_SLACK).max(PERIOD_SLACK);
    let recent = store::deliveries::prompted_between(c, s.team.id, since, slot).await?;
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
        let mut ask: Vec<&ScoredKr> = Vec::new();
        for k in krs {
            if checked_in_since(k, slot - RECENT) {
                continue;
            }
            if ignored.get(&k.kr.id).copied().unwrap_or(0) >= IGNORED_LIMIT {
                for_lead.push(k);
            } else {
                ask.push(k);
            }
        }
        if (ask.is_empty() && ask_kpis.is_empty())
            || recent.contains(&Recipient::User(owner.to_owned()))
        {
            continue;
        }
        let message = nudge::prompt(s, &ask, &ask_kpis, now);
        let ids: Vec<KrId> = ask.iter().map(|k| k.kr.id).collect();
        let kpi_ids: Vec<KpiId> = ask_kpis.iter().map(|k| k.id).collect();
        let new = NewDelivery {
            team: s.team.id,
            kind: DeliveryKind::Prompt,
            recipient: &Recipient::User(owner.to_owned()),
            slot,
            due: slot,
            message: &message,
            subjects: &ids,
            kpis: &kpi_ids,
        };
        if store::deliveries::insert(c, s.workspace, &new, now).await? {
            store::key_results::count_prompted(c, s.workspace, &ids).await?;
            decided.prompts += 1;
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
            };
            if store::deliveries::insert(c, s.workspace, &new, now).await? {
                decided.lead_reports += 1;
            }
        }
        store::key_results::reset_ignored(c, s.workspace, &ids).await?;
    }
    Ok(decided)
}

/// The team's latest prompt slot at or before `at`, from its prompt schedule.
pub(crate) async fn last_prompt_slot(
    c: &mut Conn,
    s: &TeamState,
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
    Ok(cron.latest_at_or_before(s.team.tz, at, Duration::days(35)))
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

/// The reminder for `slot`: to each owner prompted at the team's latest prompt slot who has not
/// checked in since, about those key results that are not both on pace and fresh, and the KPIs
/// of that prompt still without a reading since.
pub async fn decide_reminders(
    c: &mut Conn,
    s: &TeamState,
    slot: DateTime<Utc>,
    period: Duration,
    now: DateTime<Utc>,
) -> Result<Decided> {
    let mut decided = Decided::default();
    // The prompt this reminder follows is the prompt schedule's latest slot, not the latest
    // prompt anyone got: an owner whose lead was told instead of a prompt owes no reminder.
    let Some(prompted) = last_prompt_slot(c, s, slot).await? else {
        return Ok(decided);
    };
    for prompt in store::deliveries::prompts_at(c, s.team.id, prompted).await? {
        let Recipient::User(owner) = &prompt.recipient else {
            continue;
        };
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
        let message = nudge::reminder(s, &due, &due_kpis, prompt.slot, now);
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
        };
        if store::deliveries::insert(c, s.workspace, &new, now).await? {
            decided.reminders += 1;
        }
    }
    Ok(decided)
}
