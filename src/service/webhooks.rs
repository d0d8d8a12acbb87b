//! Team webhooks (`docs/webhooks.md`): `/okr webhook add | list | remove | test`, and what the
//! dispatcher records when a webhook answers: a success clears its failures, a "not found"
//! counts one, and the last of [`DISABLE_AFTER`] in a row disables it and tells the leads.

use chrono::{DateTime, Utc};

use super::{commit, require_lead, team_named, Actor, Okr, OkrError, Result};
use crate::domain::model::{Team, WorkspaceId};
use crate::domain::webhook::{Platform, Webhook, WebhookId, DISABLE_AFTER, MAX_PER_TEAM};
use crate::outbox::{team_posts_to, DeliveryKind, Recipient};
use crate::render;
use crate::store::{self, deliveries::NewDelivery, Conn};

fn platform(text: &str) -> Result<Platform> {
    Platform::parse(text).ok_or_else(|| {
        OkrError::invalid(format!(
            "kind:{} is not a webhook kind okrbot posts to: use kind:slack, kind:mattermost or kind:teams",
            crate::domain::quote::clip(text.trim())
        ))
    })
}

/// A webhook as typed in `webhook:` (its number in `/okr webhook list`, `#2` too).
fn webhook_id(text: &str) -> Result<WebhookId> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(WebhookId)
        .ok_or_else(|| {
            OkrError::invalid(format!(
                "webhook:{} is not a webhook number: /okr webhook list team:<team> shows them, e.g. webhook:1",
                crate::domain::quote::clip(text.trim())
            ))
        })
}

async fn webhook_of(c: &mut Conn, ws: WorkspaceId, team: &Team, text: &str) -> Result<Webhook> {
    let id = webhook_id(text)?;
    match store::webhooks::get(c, ws, id).await? {
        Some(w) if w.team == team.id => Ok(w),
        _ => Err(OkrError::NotFound {
            what: "webhook",
            reference: text.trim().to_owned(),
            hint: Some(format!(
                "/okr webhook list team:{} shows the team's webhooks",
                team.name
            )),
        }),
    }
}

impl Okr {
    /// `/okr webhook add`: a lead adds a Slack, Mattermost or Teams webhook to the team.
    pub async fn webhook_add(
        &self,
        actor: &Actor,
        team: &str,
        kind: &str,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<(Team, Webhook)> {
        let platform = platform(kind)?;
        // Checked (and resolved) before the transaction: a lookup must not hold the writer.
        let (url, _) = crate::webhook::check(url, self.source_policy())
            .await
            .map_err(|e| OkrError::invalid(e.to_string()))?;
        let url = url.to_string();
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, ws, team).await?;
        require_lead(actor, &team, "add a webhook to this team")?;
        let existing = store::webhooks::list(&mut tx, ws, team.id).await?;
        if existing.len() >= MAX_PER_TEAM {
            return Err(OkrError::invalid(format!(
                "team {} has {MAX_PER_TEAM} webhooks, the most a team may have: remove one with /okr webhook remove",
                team.name
            )));
        }
        let Some(id) =
            store::webhooks::insert(&mut tx, ws, team.id, platform, &url, &actor.user, now).await?
        else {
            return Err(OkrError::Conflict(format!(
                "team {} already has this webhook: /okr webhook list team:{} shows it",
                team.name, team.name
            )));
        };
        let webhook = store::webhooks::get(&mut tx, ws, id)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("webhook {id} vanished")))?;
        commit(tx).await?;
        Ok((team, webhook))
    }

    /// `/okr webhook list`: the team's webhooks, URLs masked.
    pub async fn webhook_list(&self, actor: &Actor, team: &str) -> Result<(Team, Vec<Webhook>)> {
        let mut c = self.store.read().await?;
        let team = team_named(&mut c, actor.workspace, team).await?;
        require_lead(actor, &team, "see this team's webhooks")?;
        let hooks = store::webhooks::list(&mut c, actor.workspace, team.id).await?;
        Ok((team, hooks))
    }

    /// `/okr webhook remove`: what it still owed is dropped when its turn comes.
    pub async fn webhook_remove(
        &self,
        actor: &Actor,
        team: &str,
        webhook: &str,
    ) -> Result<(Team, Webhook)> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let team = team_named(&mut tx, ws, team).await?;
        require_lead(actor, &team, "remove this team's webhooks")?;
        let hook = webhook_of(&mut tx, ws, &team, webhook).await?;
        store::webhooks::remove(&mut tx, ws, team.id, hook.id).await?;
        commit(tx).await?;
        Ok((team, hook))
    }

    /// `/okr webhook test`: posts a sample to one webhook (or each of the team's) now and says
    /// how it went. A disabled webhook that takes the sample is enabled again.
    pub async fn webhook_test(
        &self,
        actor: &Actor,
        team: &str,
        webhook: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Team, Vec<(Webhook, std::result::Result<(), String>)>)> {
        let ws = actor.workspace;
        let (team, hooks) = {
            let mut c = self.store.read().await?;
            let team = team_named(&mut c, ws, team).await?;
            require_lead(actor, &team, "test this team's webhooks")?;
            let hooks = match webhook.filter(|w| !w.trim().is_empty()) {
                Some(w) => vec![webhook_of(&mut c, ws, &team, w).await?],
                None => store::webhooks::list(&mut c, ws, team.id).await?,
            };
            (team, hooks)
        };
        if hooks.is_empty() {
            return Err(OkrError::invalid(format!(
                "team {} has no webhook yet: add one with /okr webhook add team:{} kind:slack url:https://hooks.slack.com/services/…",
                team.name, team.name
            )));
        }
        let sample = render::webhook::sample(&team.name, now, team.tz);
        let mut results = Vec::new();
        for hook in hooks {
            if let Err(left) = self.webhook_turn_unless_held(hook.id).await {
                // Posting now would break the platform's limit; waiting could outlast the
                // command's answer. Nothing is sent and the webhook is left as it is.
                let secs = left.as_secs_f64().ceil();
                results.push((
                    hook,
                    Err(format!(
                        "the platform asked okrbot to wait (HTTP 429): nothing was sent; try again in {secs:.0} s"
                    )),
                ));
                continue;
            }
            let body = render::webhook::payload(hook.platform, &sample);
            let outcome = self.webhooks.post(&hook.url, &body, None, now).await;
            if let Err(crate::webhook::PostError::RateLimited(after)) = &outcome {
                let after = after.unwrap_or(std::time::Duration::from_secs(1));
                self.hold_webhook(hook.id, after).await;
            }
            let outcome = outcome.map_err(|e| e.to_string());
            let mut c = self.store.read().await?;
            match &outcome {
                Ok(()) => store::webhooks::enable(&mut c, ws, hook.id).await?,
                Err(why) => store::webhooks::note_error(&mut c, hook.id, why).await?,
            }
            results.push((hook, outcome));
        }
        Ok((team, results))
    }

    /// The webhook a delivery names, for the outbox that posts it.
    pub(crate) async fn webhook_by_id(
        &self,
        ws: WorkspaceId,
        id: WebhookId,
    ) -> Result<Option<Webhook>> {
        let mut c = self.store.read().await?;
        Ok(store::webhooks::get(&mut c, ws, id).await?)
    }

    /// A post to the webhook went through.
    pub(crate) async fn webhook_delivered(&self, id: WebhookId) -> Result<()> {
        let mut c = self.store.read().await?;
        store::webhooks::clear_failures(&mut c, id).await?;
        Ok(())
    }

    /// A post failed for another reason than "not found": kept for `/okr webhook list`.
    pub(crate) async fn webhook_failed(&self, id: WebhookId, why: &str) -> Result<()> {
        let mut c = self.store.read().await?;
        store::webhooks::note_error(&mut c, id, why).await?;
        Ok(())
    }

    /// The webhook answered "not found": counted, and at the [`DISABLE_AFTER`]th in a row it is
    /// disabled and the team's leads are told, in one transaction. Returns whether it is now
    /// disabled (so its delivery is given up rather than retried).
    pub(crate) async fn webhook_gone(
        &self,
        ws: WorkspaceId,
        id: WebhookId,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let Some(failures) = store::webhooks::count_failure(&mut tx, ws, id, why).await? else {
            return Ok(true);
        };
        if failures < DISABLE_AFTER {
            commit(tx).await?;
            return Ok(false);
        }
        store::webhooks::disable(&mut tx, ws, id, now).await?;
        let hook = store::webhooks::get(&mut tx, ws, id)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("webhook {id} vanished")))?;
        let team = store::teams::by_id(&mut tx, ws, hook.team)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("team of webhook {id} vanished")))?;
        let message = render::webhook::disabled_notice(&team.name, &hook, failures);
        for recipient in &leads_of(&team) {
            // Two webhooks of a team disabled in the same second are two notices.
            let new = NewDelivery {
                team: team.id,
                kind: DeliveryKind::WebhookDisabled,
                recipient,
                slot: now,
                due: team.posts_at(now),
                message: &message,
                subjects: &[],
                kpis: &[],
                local_slot: None,
            };
            store::deliveries::insert_in_free_second(&mut tx, ws, &new, now).await?;
        }
        commit(tx).await?;
        tracing::warn!(webhook = %id, url = %hook.masked_url(), failures, "webhook disabled");
        self.wake();
        Ok(true)
    }
}

impl Okr {
    /// The team's chat channel refused a post (deleted, or closed to the bot): its leads hear
    /// it in person, at most once a day (the ledger's slot is the day), and nothing is retried.
    pub(crate) async fn channel_closed(
        &self,
        ws: WorkspaceId,
        team: crate::domain::model::TeamId,
        channel: &str,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let Some(team) = store::teams::by_id(&mut tx, ws, team).await? else {
            return Ok(());
        };
        // Not the channel: it is what refuses.
        let people = person_leads(&team);
        if people.is_empty() {
            tracing::error!(team = %team.name, %channel, %why, "the team's channel refuses posts and it has no lead to tell");
            return Ok(());
        }
        let day = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc());
        let message = render::webhook::channel_closed_notice(&team.name, channel, why);
        for recipient in &people {
            let new = NewDelivery {
                team: team.id,
                kind: DeliveryKind::ChannelClosed,
                recipient,
                slot: day,
                due: now,
                message: &message,
                subjects: &[],
                kpis: &[],
                local_slot: None,
            };
            store::deliveries::insert(&mut tx, ws, &new, now).await?;
        }
        commit(tx).await?;
        self.wake();
        Ok(())
    }
}

/// How long closed direct messages are remembered before a DM is tried again.
pub const CLOSED_DM_MEMORY: chrono::Duration = chrono::Duration::days(30);

impl Okr {
    /// Whether `user`'s direct messages were found closed within [`CLOSED_DM_MEMORY`].
    pub async fn dm_closed(&self, ws: WorkspaceId, user: &str, now: DateTime<Utc>) -> Result<bool> {
        let mut c = self.store.read().await?;
        Ok(store::closed_dms::since(&mut c, ws, user)
            .await?
            .is_some_and(|t| now - t < CLOSED_DM_MEMORY))
    }

    /// Waits for webhook `id`'s turn: posts to one webhook are `webhooks.pace` apart, whichever
    /// process posts ([`crate::pace`]); posts to different webhooks do not wait for each other.
    pub(crate) async fn webhook_turn(&self, id: WebhookId) {
        let pace = self.webhook_settings().pace;
        self.turns.take(&webhook_turns(id), pace).await;
    }

    /// As [`Okr::webhook_turn`], unless the webhook is held past its usual pace (a 429's
    /// `Retry-After`): then no turn is taken and the hold's remaining time comes back.
    pub(crate) async fn webhook_turn_unless_held(
        &self,
        id: WebhookId,
    ) -> std::result::Result<(), std::time::Duration> {
        let left = self.turns.held(&webhook_turns(id)).await;
        if left > self.webhook_settings().pace {
            return Err(left);
        }
        self.webhook_turn(id).await;
        Ok(())
    }

    /// Holds every post to webhook `id`, from any process, for `after` (a 429's `Retry-After`).
    pub(crate) async fn hold_webhook(&self, id: WebhookId, after: std::time::Duration) {
        self.turns.hold(&webhook_turns(id), after).await;
    }

    /// The channel Discord opened for `user`'s direct messages, if any process learned it.
    pub async fn dm_channel(&self, ws: WorkspaceId, user: &str) -> Result<Option<String>> {
        let mut c = self.store.read().await?;
        Ok(store::dm_channels::of(&mut c, ws, user).await?)
    }

    /// Keeps `user`'s direct-message channel for every process.
    pub async fn remember_dm_channel(
        &self,
        ws: WorkspaceId,
        user: &str,
        channel: &str,
    ) -> Result<()> {
        let mut c = self.store.read().await?;
        store::dm_channels::remember(&mut c, ws, user, channel).await?;
        Ok(())
    }

    /// `user`'s direct messages refused the bot (or, `closed: false`, took a message again).
    pub async fn set_dm_closed(
        &self,
        ws: WorkspaceId,
        user: &str,
        closed: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut c = self.store.read().await?;
        if closed {
            store::closed_dms::remember(&mut c, ws, user, now).await?;
        } else {
            store::closed_dms::forget(&mut c, ws, user).await?;
        }
        Ok(())
    }
}

/// Who hears about the team's setup: its leads in person, else where its posts go in chat.
fn leads_of(team: &Team) -> Vec<Recipient> {
    let people = person_leads(team);
    if people.is_empty() {
        team_posts_to(team)
    } else {
        people
    }
}

/// The team's leads who are people (a group cannot be sent a direct message).
fn person_leads(team: &Team) -> Vec<Recipient> {
    team.leads
        .iter()
        .filter(|l| !l.is_group())
        .map(|l| Recipient::User(l.name().to_owned()))
        .collect()
}

/// The key of a webhook's turns.
fn webhook_turns(id: WebhookId) -> String {
    format!("webhook:{id}")
}
