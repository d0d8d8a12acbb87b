//! Buttons and forms on okrbot's messages: Update opens the check-in form, No change / All no
//! change / Snooze answer at once. A press is acknowledged first (Discord allows 3 s), then the
//! core records it, then the message is edited to show what happened. The same press or form
//! delivered twice records one check-in (idempotency keys from the button and the interaction).

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::context::{user_key, BotError, Data};
use super::delivery::Fallback;
use super::ids::parse_snowflake;
use super::render::{self, ButtonAction, DiscordDialect};
use crate::command::{self, CheckInRequest, Reply};
use crate::command::{CheckInCommand, KpiCommand};
use crate::domain::model::{CheckInSource, KpiId};
use crate::outbox::Delivery;
use crate::service::OkrError;

pub async fn on_event(
    fw: poise::FrameworkContext<'_, Data, BotError>,
    event: &serenity::FullEvent,
) -> Result<(), BotError> {
    let data = fw.user_data;
    let metrics = data.okr.metrics();
    let interaction = match event {
        serenity::FullEvent::InteractionCreate { interaction } => interaction,
        serenity::FullEvent::Ready { .. } | serenity::FullEvent::Resume { .. } => {
            metrics.set_gateway(true);
            return Ok(());
        }
        serenity::FullEvent::GuildCreate { guild, .. } => {
            let commands = poise::builtins::create_application_commands(&fw.options().commands);
            data.registration
                .guild(fw.serenity_context.http.clone(), commands, guild.id);
            return Ok(());
        }
        serenity::FullEvent::ShardStageUpdate { event } => {
            metrics.set_gateway(event.new == serenity::ConnectionStage::Connected);
            return Ok(());
        }
        serenity::FullEvent::Message { new_message } => {
            let started = std::time::Instant::now();
            let result =
                super::direct::on_direct_message(fw.serenity_context, data, new_message).await;
            metrics.interaction("direct message", started.elapsed());
            if let Err(e) = &result {
                tracing::warn!(error = %e, "could not answer a direct message");
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let ctx = fw.serenity_context;
    let started = std::time::Instant::now();
    let (kind, result) = match interaction {
        serenity::Interaction::Component(c) => ("button", on_button(ctx, data, c).await),
        serenity::Interaction::Modal(m) => ("form", on_form(ctx, data, m).await),
        _ => return Ok(()),
    };
    metrics.interaction(kind, started.elapsed());
    result
}

/// Where a direct message goes when the person has closed theirs: the team's channel.
pub fn fallback_channel() -> Fallback {
    Arc::new(|d: &Delivery| {
        d.team_channel
            .as_deref()
            .and_then(parse_snowflake)
            .map(serenity::ChannelId::new)
    })
}

/// The workspace of the server a press came from; `None` in a direct message.
async fn pressed_in(
    data: &Data,
    guild: Option<serenity::GuildId>,
) -> Result<Option<crate::domain::model::WorkspaceId>, OkrError> {
    match guild {
        Some(g) => Ok(Some(data.workspace(g, &g.to_string()).await?)),
        None => Ok(None),
    }
}

/// What a press of a button okrbot cannot read is told: it comes from an older message.
pub const OLDER_BUTTON: &str = "this button is from an older okrbot message that this version \
     no longer reads, so nothing was recorded: check in with /okr update (or /okr nochange, \
     /okr snooze); your next prompt has buttons that work";

/// What a form okrbot cannot read is told: an older message's, or a `/okr bulk` form left open
/// past its 15 minutes (or across a restart).
pub const OLDER_FORM: &str = "this form is from an older okrbot message, or was open too long, \
     so nothing was recorded: check in with /okr update, or open /okr bulk again";

/// A refusal for the presser only; nothing was written.
async fn refuse(
    ctx: &serenity::Context,
    i: &serenity::ComponentInteraction,
    text: String,
) -> Result<(), BotError> {
    let msg = serenity::CreateInteractionResponseMessage::new()
        .allowed_mentions(render::no_pings())
        .content(format!("❌ {text}"))
        .ephemeral(true);
    i.create_response(ctx, serenity::CreateInteractionResponse::Message(msg))
        .await?;
    Ok(())
}

async fn on_button(
    ctx: &serenity::Context,
    data: &Data,
    i: &serenity::ComponentInteraction,
) -> Result<(), BotError> {
    let Some(action) = render::parse_custom_id(&i.data.custom_id) else {
        // A value far out of range asking to be confirmed: the command waiting for it answers.
        if data.form_awaited(&i.data.custom_id) {
            return Ok(());
        }
        // A button of an older version's message (or of one this version never wrote): pressing
        // it must not end in Discord's "This interaction failed".
        tracing::info!(custom_id = ?i.data.custom_id, user = %i.user.id, "a button okrbot does not read");
        return refuse(ctx, i, OLDER_BUTTON.to_owned()).await;
    };
    let delivery = action.delivery();
    let okr = &data.okr;
    let now = data.clock.now();
    let pressed_in = match pressed_in(data, i.guild_id).await {
        Ok(w) => w,
        Err(e) => return refuse(ctx, i, e.to_string()).await,
    };
    let actor = match okr
        .delivery_actor(delivery, &user_key(i.user.id), pressed_in)
        .await
    {
        Ok(a) => a,
        Err(e) => return refuse(ctx, i, e.to_string()).await,
    };
    if let ButtonAction::Update { code, .. } = &action {
        // A form must be the first answer to the press, so it cannot be deferred.
        let kr = match okr.kr(&actor, code).await {
            Ok(k) => k,
            Err(e) => return refuse(ctx, i, e.to_string()).await,
        };
        let modal =
            render::update_modal(&kr.code, &kr.title, &kr.unit.format(kr.current), delivery);
        i.create_response(ctx, serenity::CreateInteractionResponse::Modal(modal))
            .await?;
        return Ok(());
    }
    if let ButtonAction::ReadKpi { kpi, .. } = &action {
        let k = match okr.prompt_kpi(&actor, delivery, KpiId(*kpi)).await {
            Ok(k) => k,
            Err(e) => return refuse(ctx, i, e.to_string()).await,
        };
        let latest = k.latest.map(|(_, v)| k.unit.format(v));
        let modal = render::kpi_modal(k.id.0, &k.name, latest.as_deref(), delivery);
        i.create_response(ctx, serenity::CreateInteractionResponse::Modal(modal))
            .await?;
        return Ok(());
    }
    i.create_response(ctx, serenity::CreateInteractionResponse::Acknowledge)
        .await?;
    let result: Result<String, OkrError> = match &action {
        ButtonAction::NoChange { code, .. } => {
            // The same button twice is one check-in: the key names the button, not the press.
            let c = CheckInCommand::NoChange {
                kr: code.clone(),
                source: CheckInSource::Button,
                idempotency_key: Some(format!("button:{delivery}:{code}:nochange")),
            };
            match command::apply(okr, &actor, c, now).await {
                Ok(Reply::CheckedIn(o)) => {
                    let value = format!("{} (no change)", o.kr.unit.format(o.kr.current));
                    let done = render::mark_done(
                        &i.message.embeds,
                        &i.message.components,
                        &[(o.kr.code.as_str(), value.as_str())],
                    );
                    i.edit_response(ctx, as_response_edit(&done)).await?;
                    return Ok(());
                }
                Ok(other) => Ok(said(&other)),
                Err(e) => Err(e),
            }
        }
        ButtonAction::AllNoChange { .. } => {
            let c = CheckInCommand::NoChangeAll {
                source: CheckInSource::Button,
            };
            command::apply(okr, &actor, c, now)
                .await
                .map(|r| format!("✅ {}", said(&r)))
        }
        ButtonAction::Snooze { .. } => command::apply(
            okr,
            &actor,
            CheckInCommand::Snooze {
                until: None,
                span: None,
            },
            now,
        )
        .await
        .map(|r| format!("😴 {}", said(&r))),
        ButtonAction::StartOkr { .. } => {
            return start_okr(ctx, data, i, actor, delivery).await;
        }
        ButtonAction::KpiNoChange { kpi, .. } => {
            // Once per prompt: a second press finds the KPI read since the prompt's slot.
            let kept = async {
                let slot = okr.prompt_slot(delivery).await?;
                okr.kpi_no_change(&actor, KpiId(*kpi), slot, now).await
            }
            .await;
            match kept {
                Ok(k) => {
                    let value = k
                        .kpi
                        .latest
                        .map(|(_, v)| format!("{} (no change)", k.kpi.unit.format(v)))
                        .unwrap_or_default();
                    let done = render::mark_kpi_done(
                        &i.message.embeds,
                        &i.message.components,
                        k.kpi.id.0,
                        &k.kpi.name,
                        &value,
                    );
                    i.edit_response(ctx, as_response_edit(&done)).await?;
                    return Ok(());
                }
                Err(e) => Err(e),
            }
        }
        ButtonAction::Update { .. } | ButtonAction::ReadKpi { .. } => return Ok(()),
    };
    let text = match result {
        Ok(t) => t,
        Err(e) => {
            if let OkrError::Internal(cause) = &e {
                tracing::error!(error = ?cause, "button failed");
            }
            let msg = serenity::CreateInteractionResponseFollowup::new()
                .allowed_mentions(render::no_pings())
                .content(format!("❌ {e}"))
                .ephemeral(true);
            i.create_followup(ctx, msg).await?;
            return Ok(());
        }
    };
    let edit = serenity::EditInteractionResponse::new()
        .allowed_mentions(render::no_pings())
        .content(text);
    i.edit_response(ctx, edit).await?;
    Ok(())
}

/// A KPI alert's Start an OKR (acknowledged already): drafts the objective once per alert, with
/// the presser's own rights in the guild (a lead's action), not the delivery's. Once the
/// objective exists the alert loses its button; a later press (a double click, a second lead,
/// a client still showing the button) is told privately which objective was drafted.
async fn start_okr(
    ctx: &serenity::Context,
    data: &Data,
    i: &serenity::ComponentInteraction,
    actor: crate::service::Actor,
    delivery: i64,
) -> Result<(), BotError> {
    let okr = &data.okr;
    let drafted = async {
        let lead = match i.guild_id {
            Some(guild) => {
                let (permissions, roles) = i
                    .member
                    .as_ref()
                    .map(|m| (m.permissions, m.roles.clone()))
                    .unwrap_or_default();
                data.actor(guild, i.user.id, permissions, &roles).await?
            }
            None => actor,
        };
        let kpi = okr.delivery_kpi(delivery).await?;
        command::apply(okr, &lead, KpiCommand::Okr { kpi }, data.clock.now()).await
    }
    .await;
    let reply = match drafted {
        Ok(r) => r,
        Err(e) => {
            if let OkrError::Internal(cause) = &e {
                tracing::error!(error = ?cause, "Start an OKR failed");
            }
            return refuse_after_ack(ctx, i, &e.to_string()).await;
        }
    };
    let text = format!("🎯 {}", said(&reply));
    let rows = render::without_start_okr(&i.message.components);
    let edit = serenity::EditInteractionResponse::new()
        .allowed_mentions(render::no_pings())
        .components(rows);
    if matches!(reply, Reply::KpiOkrStarted { earlier: true, .. }) {
        // The alert already says what was drafted; only the button goes (it may have stayed if
        // the first press's edit failed), and the presser alone is told.
        i.edit_response(ctx, edit).await?;
        let msg = serenity::CreateInteractionResponseFollowup::new()
            .allowed_mentions(render::no_pings())
            .content(text)
            .ephemeral(true);
        i.create_followup(ctx, msg).await?;
    } else {
        i.edit_response(ctx, edit.content(text)).await?;
    }
    Ok(())
}

/// A refusal for the presser only, after the press was acknowledged; nothing was written.
async fn refuse_after_ack(
    ctx: &serenity::Context,
    i: &serenity::ComponentInteraction,
    text: &str,
) -> Result<(), BotError> {
    let msg = serenity::CreateInteractionResponseFollowup::new()
        .allowed_mentions(render::no_pings())
        .content(format!("❌ {text}"))
        .ephemeral(true);
    i.create_followup(ctx, msg).await?;
    Ok(())
}

async fn on_form(
    ctx: &serenity::Context,
    data: &Data,
    m: &serenity::ModalInteraction,
) -> Result<(), BotError> {
    if let Some((kpi, delivery)) = render::parse_kpi_modal_id(&m.data.custom_id) {
        return on_kpi_form(ctx, data, m, kpi, delivery).await;
    }
    let Some((code, delivery)) = render::parse_modal_id(&m.data.custom_id) else {
        // `/okr bulk`'s form is answered by the command still waiting for it.
        if data.form_awaited(&m.data.custom_id) {
            return Ok(());
        }
        tracing::info!(custom_id = ?m.data.custom_id, user = %m.user.id, "a form okrbot does not read");
        let msg = serenity::CreateInteractionResponseMessage::new()
            .allowed_mentions(render::no_pings())
            .content(format!("❌ {OLDER_FORM}"))
            .ephemeral(true);
        m.create_response(ctx, serenity::CreateInteractionResponse::Message(msg))
            .await?;
        return Ok(());
    };
    let field = |id: &str| form_field(m, id);
    let (value, confidence, note) = (
        field("value").unwrap_or_default(),
        field("confidence"),
        field("note"),
    );
    let okr = &data.okr;
    let now = data.clock.now();
    acknowledge_form(ctx, m).await?;
    let outcome = async {
        let pressed_in = pressed_in(data, m.guild_id).await?;
        let actor = okr
            .delivery_actor(delivery, &user_key(m.user.id), pressed_in)
            .await?;
        // The interaction's id: a redelivered form is one check-in.
        let request = CheckInRequest::typed(
            &code,
            &value,
            command::confidence(confidence.as_deref())?,
            note.as_deref(),
            CheckInSource::Modal,
            Some(format!("discord:{}", m.id)),
        )?;
        command::check_in(okr, &actor, request, now).await
    }
    .await;
    match outcome {
        Ok(o) => {
            let text = format!(
                "✅ {} checked in: {} · {} {}",
                o.kr.code,
                o.kr.unit.format(o.kr.current),
                crate::render::score_text(o.score.score, o.score.progress),
                o.score.status.emoji()
            );
            // The prompt itself now shows the key result done, its buttons gone.
            let value = o.kr.unit.format(o.kr.current);
            let done = |prompt: &serenity::Message| {
                render::mark_done(
                    &prompt.embeds,
                    &prompt.components,
                    &[(o.kr.code.as_str(), value.as_str())],
                )
            };
            answer_form(ctx, m, done, text).await
        }
        Err(e) => refuse_form(ctx, m, e, "form failed").await,
    }
}

/// The text a form's input `id` holds, if it was filled in.
fn form_field(m: &serenity::ModalInteraction, id: &str) -> Option<String> {
    m.data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            serenity::ActionRowComponent::InputText(t) if t.custom_id == id => t.value.clone(),
            _ => None,
        })
}

/// Acknowledges a form before recording it (Discord allows 3 s): a form from a message edits
/// that message once recorded; one from no message answers privately.
async fn acknowledge_form(
    ctx: &serenity::Context,
    m: &serenity::ModalInteraction,
) -> Result<(), BotError> {
    let ack = if m.message.is_some() {
        serenity::CreateInteractionResponse::Acknowledge
    } else {
        serenity::CreateInteractionResponse::Defer(
            serenity::CreateInteractionResponseMessage::new().ephemeral(true),
        )
    };
    m.create_response(ctx, ack).await?;
    Ok(())
}

/// A recorded form's answer: on the prompt it came from, edited by `done`, or privately when it
/// came from no message.
async fn answer_form(
    ctx: &serenity::Context,
    m: &serenity::ModalInteraction,
    done: impl FnOnce(&serenity::Message) -> render::DiscordMessage,
    text: String,
) -> Result<(), BotError> {
    if let Some(prompt) = &m.message {
        let edit = as_response_edit(&done(prompt)).content(text);
        m.edit_response(ctx, edit).await?;
    } else {
        let msg = serenity::CreateInteractionResponseFollowup::new()
            .allowed_mentions(render::no_pings())
            .content(text)
            .ephemeral(true);
        m.create_followup(ctx, msg).await?;
    }
    Ok(())
}

/// A form that recorded nothing: the presser alone is told why; an internal cause is logged.
async fn refuse_form(
    ctx: &serenity::Context,
    m: &serenity::ModalInteraction,
    e: OkrError,
    what: &str,
) -> Result<(), BotError> {
    if let OkrError::Internal(cause) = &e {
        tracing::error!(error = ?cause, "{what}");
    }
    let msg = serenity::CreateInteractionResponseFollowup::new()
        .allowed_mentions(render::no_pings())
        .content(format!("❌ {e}"))
        .ephemeral(true);
    m.create_followup(ctx, msg).await?;
    Ok(())
}

/// A prompt's KPI reading form: recorded as `/kpi set` by the presser, then the prompt shows
/// the KPI done.
async fn on_kpi_form(
    ctx: &serenity::Context,
    data: &Data,
    m: &serenity::ModalInteraction,
    kpi: i64,
    delivery: i64,
) -> Result<(), BotError> {
    let value = form_field(m, render::MODAL_VALUE).unwrap_or_default();
    acknowledge_form(ctx, m).await?;
    let okr = &data.okr;
    let outcome = async {
        let pressed_in = pressed_in(data, m.guild_id).await?;
        let actor = okr
            .delivery_actor(delivery, &user_key(m.user.id), pressed_in)
            .await?;
        let k = okr.prompt_kpi(&actor, delivery, KpiId(kpi)).await?;
        let kpi = format!("#{}", k.id.0);
        command::kpi_reading(okr, &actor, &kpi, &value, data.clock.now()).await
    }
    .await;
    match outcome {
        Ok(o) => {
            let text = format!("✅ {}", said(&Reply::KpiReading(Box::new(o.clone()))));
            let value = o
                .kpi
                .latest
                .map(|(_, v)| o.kpi.unit.format(v))
                .unwrap_or_default();
            let done = |prompt: &serenity::Message| {
                render::mark_kpi_done(
                    &prompt.embeds,
                    &prompt.components,
                    o.kpi.id.0,
                    &o.kpi.name,
                    &value,
                )
            };
            answer_form(ctx, m, done, text).await
        }
        Err(e) => refuse_form(ctx, m, e, "KPI form failed").await,
    }
}

/// The prompt edited through the interaction (the message the button or form came from).
fn as_response_edit(done: &render::DiscordMessage) -> serenity::EditInteractionResponse {
    let mut edit = serenity::EditInteractionResponse::new()
        .allowed_mentions(done.pings.allowed())
        .embeds(done.embeds.clone())
        .components(done.components.clone());
    if let Some(c) = &done.content {
        edit = edit.content(c.clone());
    }
    edit
}

/// The one-line answer a button press edits into its message: the reply's title.
fn said(reply: &Reply) -> String {
    crate::render::reply::message(reply, &DiscordDialect).title
}
