//! Answers to a prompt other than a typed update: No change (fresh data is data too), All no
//! change, and Snooze (ask again tomorrow).

use chrono::{DateTime, Duration, Utc};

use super::check_in::CheckInOutcome;
use super::kpis::KpiKept;
use super::objectives::kr_by_ref;
use super::team_state::TeamState;
use super::{commit, Actor, Okr, OkrError, Result};
use crate::domain::grammar::plain::{read_answer, Answer, Asked, Reported};
use crate::domain::grammar::{CheckInRequest, KrRef};
use crate::domain::model::{CheckInSource, KpiId, KrKind, WorkspaceId};
use crate::domain::snooze::snooze_end;
use crate::domain::value::{ParsedValue, ValueSpec};
use crate::outbox::{DeliveryKind, Recipient};
use crate::render::nudge;
use crate::store::{self, deliveries::NewDelivery};

/// What a reply in plain words to the asker's latest prompt came to.
#[derive(Debug)]
pub enum PlainReply {
    /// Every update it held, recorded together.
    Recorded(Vec<CheckInOutcome>),
    /// An answer, but not a clear one: this question goes back and nothing was recorded.
    Ask(String),
    /// Not an answer (or no prompt to answer): nothing recorded.
    NotAnAnswer,
}

/// How long a snooze lasts.
pub const SNOOZE: Duration = crate::domain::snooze::DEFAULT;

impl Okr {
    /// A check-in that keeps the key result's value: the owner looked and nothing moved.
    pub async fn no_change(
        &self,
        actor: &Actor,
        reference: &str,
        source: CheckInSource,
        idempotency_key: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<CheckInOutcome> {
        let kr = {
            let mut c = self.store.read().await?;
            kr_by_ref(&mut c, actor.workspace, reference).await?
        };
        let spec = match kr.kind {
            KrKind::Milestone => ValueSpec::Done(kr.current >= 1.0),
            _ => ValueSpec::Absolute(kr.current),
        };
        let request = CheckInRequest {
            kr: KrRef::Id(kr.id.0),
            value: ParsedValue { spec, unit: None },
            confidence: None,
            note: None,
            source,
            idempotency_key,
            unit_may_lead_note: false,
            // The value stands already: keeping it never needs a confirmation.
            confirmed: true,
        };
        self.check_in(actor, request, now).await
    }

    /// A reply in plain words to the asker's latest prompt ("onboarding is at 9 days, c8", "all
    /// the same"), read against the key results that prompt asked about
    /// (`docs/update-grammar.md`, "Answers in plain words"): every update it holds is recorded
    /// in one transaction, or none is.
    /// `key`, when given, names the reply (a direct message's id): the same reply read twice
    /// (a redelivered event) records its updates once.
    pub async fn answer_in_plain_words(
        &self,
        actor: &Actor,
        text: &str,
        source: CheckInSource,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PlainReply> {
        let krs = {
            let mut c = self.store.read().await?;
            let prompt = store::deliveries::latest_prompt_to(
                &mut c,
                actor.workspace,
                &Recipient::User(actor.user.clone()),
            )
            .await?;
            let Some((_, prompt)) = prompt else {
                return Ok(PlainReply::NotAnAnswer);
            };
            // One read of the workspace's key results, not one per subject; a key result gone
            // since the prompt went out is no longer asked about.
            let all = store::key_results::list(&mut c, actor.workspace, None, None, None).await?;
            prompt
                .subjects
                .iter()
                .filter_map(|id| all.iter().find(|k| k.id == *id).cloned())
                .collect::<Vec<_>>()
        };
        let asked: Vec<Asked> = krs
            .iter()
            .map(|k| Asked {
                code: k.code.clone(),
                title: k.title.clone(),
            })
            .collect();
        let updates = match read_answer(text, &asked) {
            Answer::Updates(u) => u,
            Answer::Ask(question) => return Ok(PlainReply::Ask(question)),
            Answer::NotAnAnswer => return Ok(PlainReply::NotAnAnswer),
        };
        // The key result of each update, in order: what an error names.
        let codes: Vec<String> = updates.iter().map(|u| krs[u.kr].code.clone()).collect();
        let requests = updates
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let kr = &krs[u.kr];
                let (value, confirmed) = match u.value {
                    Reported::Value(v) => (v, false),
                    Reported::Unchanged => {
                        let spec = match kr.kind {
                            KrKind::Milestone => ValueSpec::Done(kr.current >= 1.0),
                            _ => ValueSpec::Absolute(kr.current),
                        };
                        // The value stands already: keeping it never needs a confirmation.
                        (ParsedValue { spec, unit: None }, true)
                    }
                };
                let request = CheckInRequest {
                    kr: KrRef::Id(kr.id.0),
                    value,
                    confidence: u.confidence,
                    note: None,
                    source,
                    idempotency_key: key.map(|k| format!("{k}:{}", kr.id.0)),
                    unit_may_lead_note: false,
                    confirmed,
                };
                (i + 1, request)
            })
            .collect();
        match self.check_in_all(actor, requests, now).await {
            Ok(outcomes) => Ok(PlainReply::Recorded(outcomes)),
            // Name the key result, not a line number the person never wrote.
            Err(OkrError::BulkLine { line, message }) => {
                let code = line
                    .checked_sub(1)
                    .and_then(|i| codes.get(i))
                    .map_or("", String::as_str);
                Err(OkrError::invalid(format!(
                    "{code}: {message}; nothing was recorded"
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// Who a direct message from `user` (which carries no server) speaks as: the person in the
    /// workspace that prompted them last. `None` when no workspace ever prompted them.
    pub async fn direct_message_actor(&self, user: &str) -> Result<Option<Actor>> {
        let mut c = self.store.read().await?;
        let recipient = Recipient::User(user.to_owned());
        Ok(
            store::deliveries::workspace_of_latest_prompt_to(&mut c, &recipient)
                .await?
                .map(|workspace| Actor {
                    workspace,
                    user: user.to_owned(),
                    admin: false,
                    roles: Vec::new(),
                }),
        )
    }

    /// "All no change": every key result and KPI of the asker's latest prompt that still waits.
    pub async fn no_change_all(
        &self,
        actor: &Actor,
        source: CheckInSource,
        now: DateTime<Utc>,
    ) -> Result<(Vec<CheckInOutcome>, Vec<KpiKept>)> {
        let prompt = {
            let mut c = self.store.read().await?;
            store::deliveries::latest_prompt_to(
                &mut c,
                actor.workspace,
                &Recipient::User(actor.user.clone()),
            )
            .await?
        };
        let Some((_, prompt)) = prompt else {
            return Err(OkrError::invalid("there is no check-in prompt of yours to answer; /okr status me shows your key results"));
        };
        let mut out = Vec::new();
        for id in prompt.subjects {
            let key = format!(
                "nochange:{}:{}:{}",
                actor.user,
                prompt.slot.timestamp(),
                id.0
            );
            out.push(
                self.no_change(actor, &format!("#{}", id.0), source, Some(key), now)
                    .await?,
            );
        }
        let mut kpis = Vec::new();
        for id in prompt.kpis {
            kpis.push(self.kpi_no_change(actor, id, prompt.slot, now).await?);
        }
        Ok((out, kpis))
    }

    /// A prompt's KPI, by the id its button carries, for the Update form: its name, unit and
    /// latest value as the form shows them. Only a KPI the delivery asked for.
    pub async fn prompt_kpi(
        &self,
        actor: &Actor,
        delivery: i64,
        kpi: KpiId,
    ) -> Result<crate::domain::kpi::Kpi> {
        let mut c = self.store.read().await?;
        let asked = store::deliveries::kpis_of(&mut c, delivery).await?;
        let unknown =
            || OkrError::invalid("this KPI is no longer in this prompt: record it with /kpi set");
        if !asked.contains(&kpi) {
            return Err(unknown());
        }
        store::kpis::by_id(&mut c, actor.workspace, kpi)
            .await?
            .ok_or_else(unknown)
    }

    /// The slot of the prompt a button came from, for a KPI's No change (once per prompt).
    pub async fn prompt_slot(&self, delivery: i64) -> Result<DateTime<Utc>> {
        let mut c = self.store.read().await?;
        store::deliveries::slot_of(&mut c, delivery)
            .await?
            .ok_or_else(|| {
                OkrError::invalid("this prompt is no longer known here; use /kpi set instead")
            })
    }

    /// "Ask again tomorrow": a new prompt with what still waits from the latest one, due in a day.
    /// Returns when, and the team's zone to say it in.
    pub async fn snooze(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(DateTime<Utc>, chrono_tz::Tz)> {
        self.snooze_until(actor, None, None, now).await
    }

    /// Snoozes the asker's latest prompt until a day (`until`: a weekday, `tomorrow`, a date;
    /// the prompt's own local time that day) or for a span (`for`: `3d`, `12h`), a day when
    /// neither is given (`domain::snooze`). Snoozing again before the re-prompt has gone moves
    /// it: there is never a second re-prompt.
    pub async fn snooze_until(
        &self,
        actor: &Actor,
        until: Option<&str>,
        span: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(DateTime<Utc>, chrono_tz::Tz)> {
        let me = Recipient::User(actor.user.clone());
        let mut tx = self.store.write().await?;
        let Some((team, prompt)) =
            store::deliveries::latest_prompt_to(&mut tx, actor.workspace, &me).await?
        else {
            return Err(OkrError::invalid(
                "there is no check-in prompt of yours to snooze",
            ));
        };
        let state = TeamState::load(
            &mut tx,
            actor.workspace,
            team,
            now,
            self.period,
            &self.rules,
        )
        .await?
        .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("team of a prompt vanished")))?;
        let waiting: Vec<_> = state
            .krs
            .iter()
            .filter(|k| prompt.subjects.contains(&k.kr.id))
            .filter(|k| k.kr.last_check_in.is_none_or(|t| t < prompt.slot))
            .collect();
        let kpis: Vec<_> = state
            .kpis
            .iter()
            .filter(|k| prompt.kpis.contains(&k.id))
            .filter(|k| k.latest.is_none_or(|(at, _)| at < prompt.slot))
            .collect();
        if waiting.is_empty() && kpis.is_empty() {
            return Err(OkrError::invalid(
                "everything in your latest prompt is checked in already: nothing to snooze",
            ));
        }
        // The prompt's own time of day, without the second a snooze's slot adds.
        let slot = prompt.slot - Duration::seconds(prompt.slot.timestamp().rem_euclid(60));
        // The prompt came at its time where the asker lives: so does the snoozed one.
        let tz = state.people.zone(&actor.user, state.team.tz);
        let due = snooze_end(until, span, now, slot, tz).map_err(OkrError::invalid)?;
        if let Some(id) =
            store::deliveries::pending_snooze_to(&mut tx, actor.workspace, &me).await?
        {
            if !store::deliveries::reschedule(&mut tx, id, due, now).await? {
                return Err(OkrError::invalid(
                    "your snoozed prompt is on its way right now: snooze it again once it arrives",
                ));
            }
            commit(tx).await?;
            self.wake();
            return Ok((due, tz));
        }
        let message = nudge::prompt(&state, &waiting, &kpis, now);
        let ids: Vec<_> = waiting.iter().map(|k| k.kr.id).collect();
        let kpi_ids: Vec<_> = kpis.iter().map(|k| k.id).collect();
        let new = NewDelivery {
            team,
            kind: DeliveryKind::Prompt,
            recipient: &me,
            // One snooze per prompt: a second press of the same button finds this slot taken.
            slot: prompt.slot + Duration::seconds(1),
            due,
            message: &message,
            subjects: &ids,
            kpis: &kpi_ids,
            local_slot: None,
        };
        store::deliveries::insert(&mut tx, actor.workspace, &new, now).await?;
        commit(tx).await?;
        self.wake();
        Ok((due, tz))
    }
}

impl Okr {
    /// The KPI a delivered KPI alert names, for its Start an OKR button.
    pub async fn delivery_kpi(&self, delivery: i64) -> Result<String> {
        let mut c = self.store.read().await?;
        let message = store::deliveries::message_of(&mut c, delivery).await?;
        message
            .and_then(|m| {
                m.actions
                    .into_iter()
                    .find(|a| a.kind == crate::domain::message::ActionKind::StartOkr)
                    .and_then(|a| a.target)
            })
            .ok_or_else(|| {
                OkrError::invalid(
                    "this alert is no longer known here; use /kpi okr kpi:<name> instead",
                )
            })
    }

    /// Who presses a button on a delivered message: the person it was sent to (or anyone, for a
    /// message in a team channel), in the delivery's workspace. `pressed_in` is the workspace
    /// the press came from, when the surface knows it (a server's channel, not a direct
    /// message): someone else's prompt pressed there (a prompt re-addressed to the team's
    /// channel after closed direct messages, which names its person anyway) is refused as
    /// theirs; anything else as an unknown prompt, so no id reveals whose prompt it is.
    pub async fn delivery_actor(
        &self,
        delivery: i64,
        user: &str,
        pressed_in: Option<WorkspaceId>,
    ) -> Result<Actor> {
        let mut c = self.store.read().await?;
        let unknown =
            || OkrError::invalid("this prompt is no longer known here; use /okr update instead");
        let (workspace, recipient) = store::deliveries::origin(&mut c, delivery)
            .await?
            .ok_or_else(unknown)?;
        match recipient {
            Recipient::User(u) if u != user && pressed_in == Some(workspace) => {
                Err(OkrError::invalid(format!(
                    "this is {u}'s prompt, not yours, so nothing was recorded: your own prompts \
                     come to you by direct message (or here, naming you, while your direct \
                     messages are closed), and /okr update checks in your key results"
                )))
            }
            Recipient::User(u) if u != user => Err(unknown()),
            _ => Ok(Actor {
                workspace,
                user: user.to_owned(),
                admin: false,
                roles: vec![],
            }),
        }
    }
}
