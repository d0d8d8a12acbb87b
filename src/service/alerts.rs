//! At-risk alerts (`docs/schedules-and-delivery.md`): a key result moving into red, by a check-in or by time
//! passing, opens one alert; leaving red resolves it. Opening and announcing are apart: alerts
//! are opened where the change is seen and announced by the scheduler, all of a team's new ones
//! in one message, so many key results going red at once make one message, not a storm.

use chrono::{DateTime, Utc};

use super::team_state::TeamState;
use super::Result;
use crate::domain::model::{TeamId, WorkspaceId};
use crate::domain::scoring::Status;
use crate::outbox::DeliveryKind;
use crate::render;
use crate::store::{self, deliveries::NewDelivery, Conn};

/// Re-reads every key result of the team at `now`: opens alerts for the red ones, resolves those
/// clearly out of red (a key result hovering at the line keeps its alert). Returns how many were
/// opened.
pub async fn sweep(
    c: &mut Conn,
    s: &TeamState,
    rules: &crate::domain::scoring::ScoringRules,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut opened = 0;
    let open = store::alerts::open_at_risk_for_team(c, s.team.id).await?;
    for k in &s.krs {
        let red = k.score.status == Status::Red;
        let has = open.contains(&k.kr.id);
        if red && !has {
            opened += usize::from(
                store::alerts::open_at_risk(c, s.workspace, s.team.id, k.kr.id, now).await?,
            );
        } else if has && crate::domain::scoring::out_of_red(&k.kr, &k.score, rules) {
            store::alerts::resolve_at_risk(c, s.workspace, k.kr.id, now).await?;
        }
    }
    Ok(opened)
}

/// Announces the team's newly opened alerts in one message to its channel, mentioning owners
/// and leads, and its resolved ones (out of red) in another. Returns whether a message was
/// decided.
pub async fn announce(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    period: chrono::Duration,
    rules: &crate::domain::scoring::ScoringRules,
    now: DateTime<Utc>,
) -> Result<bool> {
    let opened = store::alerts::take_unannounced(c, team).await?;
    let recovered = store::alerts::take_recovered(c, team).await?;
    if opened.is_empty() && recovered.is_empty() {
        return Ok(false);
    }
    let Some(s) = TeamState::load(c, ws, team, now, period, rules).await? else {
        return Ok(false);
    };
    let red: Vec<_> = s.krs.iter().filter(|k| opened.contains(&k.kr.id)).collect();
    // One that went red again before its recovery was told has a new alert instead.
    let back: Vec<_> = s
        .krs
        .iter()
        .filter(|k| recovered.contains(&k.kr.id) && k.score.status != Status::Red)
        .collect();
    let mut any = false;
    if !red.is_empty() {
        let message = render::nudge::at_risk(&s, &red);
        any |= post(c, &s, DeliveryKind::Alert, &message, &red, now).await?;
    }
    if !back.is_empty() {
        let message = render::nudge::recovered(&s, &back);
        any |= post(c, &s, DeliveryKind::Recovered, &message, &back, now).await?;
    }
    Ok(any)
}

/// Records `message` for every place the team's posts go.
async fn post(
    c: &mut Conn,
    s: &TeamState,
    kind: DeliveryKind,
    message: &crate::domain::message::Message,
    krs: &[&crate::domain::view::ScoredKr],
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
        };
        store::deliveries::insert_in_free_second(c, s.workspace, &new, now).await?;
        any = true;
    }
    Ok(any)
}
