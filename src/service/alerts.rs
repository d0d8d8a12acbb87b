//! Alerts (`docs/schedules-and-delivery.md`, "Alerts"): a key result moving into red, by a
//! check-in or by time passing, or a KPI leaving its healthy range opens one alert; leaving
//! resolves it. Opening and telling are apart: alerts are opened where the change is seen and
//! told by the scheduler, all of a team's pending alerts and recoveries in one post, once the
//! latest of them may be told. One decided from a number a person typed waits out the undo
//! window (a typo and its correction make no noise); none is told out of working hours.

use chrono::{DateTime, Utc};

use super::team_state::TeamState;
use super::Result;
use crate::domain::model::{Team, TeamId, WorkspaceId};
use crate::domain::scoring::Status;
use crate::outbox::DeliveryKind;
use crate::render;
use crate::store::{self, alerts::AlertKind, deliveries::NewDelivery, Conn};

/// When an alert decided at `now` may be told: a number a person typed may be taken back
/// within the undo window, so what it caused waits that long; and nothing is told out of the
/// team's working hours.
pub fn tell_after(team: &Team, now: DateTime<Utc>, typed: bool) -> DateTime<Utc> {
    team.posts_at(if typed {
        now + super::undo::UNDO_WINDOW
    } else {
        now
    })
}

/// Re-reads every key result of the team at `now`: opens alerts for the red ones, resolves those
/// clearly out of red (a key result hovering at the line keeps its alert). Returns how many were
/// opened.
pub async fn sweep(
    c: &mut Conn,
    s: &TeamState,
    rules: &crate::domain::scoring::ScoringRules,
    now: DateTime<Utc>,
) -> Result<usize> {
    let after = tell_after(&s.team, now, false);
    // Each key result is swept by the one team that carries it.
    let carried: Vec<_> = s.krs.iter().filter(|k| s.carries(k)).collect();
    let ids: Vec<_> = carried.iter().map(|k| k.kr.id).collect();
    let known = store::alerts::at_risk_of(c, s.workspace, &ids).await?;
    let mut new = vec![];
    for k in carried {
        let red = k.score.status == Status::Red;
        let has = known.open.contains(&k.kr.id);
        if red && !has {
            let back = known.recovering.contains(&k.kr.id)
                && store::alerts::reopen(c, s.workspace, AlertKind::KrAtRisk, k.kr.id.0, now)
                    .await?;
            if !back {
                new.push(k.kr.id.0);
            }
        } else if has && crate::domain::scoring::out_of_red(&k.kr, &k.score, rules) {
            store::alerts::resolve(
                c,
                s.workspace,
                AlertKind::KrAtRisk,
                k.kr.id.0,
                now,
                after,
                true,
            )
            .await?;
        }
    }
    let opened = store::alerts::open_new(
        c,
        s.workspace,
        s.team.id,
        AlertKind::KrAtRisk,
        &new,
        now,
        after,
    )
    .await?;
    Ok(opened)
}

/// Tells everything the team has pending, alerts and recoveries of key results and KPIs, in one
/// post to each place the team's posts go, mentioning the owners and leads of what went wrong.
/// Returns whether a message was decided.
pub async fn announce(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    period: chrono::Duration,
    rules: &crate::domain::scoring::ScoringRules,
    now: DateTime<Utc>,
) -> Result<bool> {
    let pending = store::alerts::take_pending(c, team).await?;
    if pending.is_empty() {
        return Ok(false);
    }
    let Some(s) = TeamState::load(c, ws, team, now, period, rules).await? else {
        return Ok(false);
    };
    let red: Vec<_> = s
        .krs
        .iter()
        .filter(|k| pending.red.contains(&k.kr.id))
        .collect();
    // One that went red again before its recovery was told has a new alert instead.
    let back: Vec<_> = s
        .krs
        .iter()
        .filter(|k| pending.out_of_red.contains(&k.kr.id) && k.score.status != Status::Red)
        .collect();
    let kpis = store::kpis::list(c, ws, Some(team)).await?;
    let out: Vec<_> = kpis
        .iter()
        .filter(|k| pending.out_of_range.contains(&k.id) && k.alerting)
        .collect();
    let in_range: Vec<_> = kpis
        .iter()
        .filter(|k| pending.back_in_range.contains(&k.id) && !k.alerting)
        .collect();
    // The ledger files the post under the gravest news it carries.
    let kind = if !red.is_empty() {
        DeliveryKind::Alert
    } else if !out.is_empty() {
        DeliveryKind::KpiAlert
    } else if !back.is_empty() {
        DeliveryKind::Recovered
    } else if !in_range.is_empty() {
        DeliveryKind::KpiRecovered
    } else {
        return Ok(false);
    };
    let message = render::nudge::team_alerts(&s, &red, &back, &out, &in_range);
    let subjects: Vec<_> = red.iter().chain(&back).collect();
    post(c, &s, kind, &message, &subjects, now).await
}

/// Records `message` for every place the team's posts go.
async fn post(
    c: &mut Conn,
    s: &TeamState,
    kind: DeliveryKind,
    message: &crate::domain::message::Message,
    krs: &[&&crate::domain::view::ScoredKr],
    now: DateTime<Utc>,
) -> Result<bool> {
    let subjects: Vec<_> = krs.iter().map(|k| k.kr.id).collect();
    let mut any = false;
    for recipient in &super::team_posts(c, &s.team).await? {
        // The alerts just taken are told exactly once (taking them marked them), so a ledger
        // row already at this second is another announcement, decided earlier in the same
        // second: this one takes the next free second instead of being lost.
        let new = NewDelivery {
            team: s.team.id,
            kind,
            recipient,
            slot: now,
            due: s.team.posts_at(now),
            message,
            subjects: &subjects,
            kpis: &[],
            local_slot: None,
        };
        store::deliveries::insert_in_free_second(c, s.workspace, &new, now).await?;
        any = true;
    }
    Ok(any)
}
