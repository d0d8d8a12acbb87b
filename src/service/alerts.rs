//! At-risk alerts (`docs/schedules-and-delivery.md`): a key result moving into red, by a check-in or by time
//! passing, opens one alert; leaving red resolves it. Opening and announcing are apart: alerts
//! are opened where the change is seen and announced by the scheduler, all of a team's new ones
//! in one message, so many key results going red at once make one message, not a storm.

use chrono::{DateTime, Utc};

use super::team_state::TeamState;
use super::Result;
use crate::domain::model::{TeamId, WorkspaceId};
use crate::domain::scoring::Status;
use crate::outbox::{team_posts_to, DeliveryKind};
use crate::render;
use crate::store::{self, deliveries::NewDelivery, Conn};

/// Re-reads every key result of the team at `now`: opens alerts for the red ones, resolves the
/// rest. Returns how many were opened.
pub async fn sweep(c: &mut Conn, s: &TeamState, now: DateTime<Utc>) -> Result<usize> {
    let mut opened = 0;
    let open = store::alerts::open_at_risk_for_team(c, s.team.id).await?;
    for k in &s.krs {
        let red = k.score.status == Status::Red;
        let has = open.contains(&k.kr.id);
        if red && !has {
            opened += usize::from(
                store::alerts::open_at_risk(c, s.workspace, s.team.id, k.kr.id, now).await?,
            );
        } else if !red && has {
            store::alerts::resolve_at_risk(c, s.workspace, k.kr.id, now).await?;
        }
    }
    Ok(opened)
}

/// How many seconds after `now` an announcement may move to find its own ledger slot.
const SAME_SECOND_TRIES: i64 = 60;

/// Announces the team's newly opened alerts in one message to its channel, mentioning owners
/// and leads. Returns whether a message was decided.
pub async fn announce(
    c: &mut Conn,
    ws: WorkspaceId,
    team: TeamId,
    period: chrono::Duration,
    rules: &crate::domain::scoring::ScoringRules,
    now: DateTime<Utc>,
) -> Result<bool> {
    let ids = store::alerts::take_unannounced(c, team).await?;
    if ids.is_empty() {
        return Ok(false);
    }
    let Some(s) = TeamState::load(c, ws, team, now, period, rules).await? else {
        return Ok(false);
    };
    let krs: Vec<_> = s.krs.iter().filter(|k| ids.contains(&k.kr.id)).collect();
    if krs.is_empty() {
        return Ok(false);
    }
    let message = render::nudge::at_risk(&s, &krs);
    let recipients = team_posts_to(&s.team);
    let subjects: Vec<_> = krs.iter().map(|k| k.kr.id).collect();
    let mut any = false;
    for recipient in &recipients {
        // The alerts just taken are announced exactly once (taking them marked them), so a
        // ledger row already at this second is another announcement, decided earlier in the same
        // second: this one takes the next free second instead of being lost.
        for later in 0..SAME_SECOND_TRIES {
            let new = NewDelivery {
                team,
                kind: DeliveryKind::Alert,
                recipient,
                slot: now + chrono::Duration::seconds(later),
                due: now,
                message: &message,
                subjects: &subjects,
            };
            if store::deliveries::insert(c, ws, &new, now).await? {
                any = true;
                break;
            }
            if later + 1 == SAME_SECOND_TRIES {
                tracing::error!(team = %s.team.name, %recipient, "no free slot for an alert");
            }
        }
    }
    Ok(any)
}
