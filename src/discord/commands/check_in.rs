//! `/okr update`, `/okr nochange`, `/okr undo`, `/okr snooze` and `/okr history`.

use std::time::Duration;

use poise::serenity_prelude as serenity;

use super::{ac_kr, actor, answer, interaction_key, now, run, send, Context, Result};
use crate::command::CheckInCommand;
use crate::command::{self, Command};
use crate::discord::context::BotError;
use crate::discord::render::{self, DiscordDialect};
use crate::domain::model::{CheckInSource, Confidence};
use crate::service::OkrError;

/// Check in: a new value for a key result (owner or lead)
#[poise::command(slash_command)]
pub async fn update(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
    #[description = "New value: 42, 1.2k, 45%, $1,200, 3h, 14d, +5, done"] value: String,
    #[description = "How confident are you, 1-10"]
    #[min = 1]
    #[max = 10]
    confidence: Option<u8>,
    #[description = "What changed"] note: Option<String>,
    #[description = "Record a value far outside the key result's range: it is meant"]
    confirm: Option<bool>,
) -> Result {
    let confidence = confidence
        .map(|c| {
            Confidence::new(i64::from(c))
                .ok_or_else(|| OkrError::invalid("confidence: give a whole number from 1 to 10"))
        })
        .transpose()?;
    let c = command::update(
        command::CheckInRequest::typed(
            &kr,
            &value,
            confidence,
            note.as_deref(),
            CheckInSource::Slash,
            interaction_key(ctx),
        )
        .map_err(OkrError::from)?,
    );
    if confirm == Some(true) {
        return run(ctx, c.confirmed()).await;
    }
    match answer(ctx, c.clone()).await {
        Err(BotError::Okr(OkrError::Unconfirmed(why))) => confirm_first(ctx, c, why).await,
        Ok(reply) => send(ctx, &crate::render::reply::message(&reply, &DiscordDialect)).await,
        Err(e) => Err(e),
    }
}

/// How long a value far out of range waits for its confirmation.
const CONFIRM_WITHIN: Duration = Duration::from_secs(900);

/// A value far outside its key result's range asks first (`docs/update-grammar.md`, "Values far
/// out of range"): privately, with **Record it** and **Cancel**. Record it records exactly what
/// was sent, confirmed; Cancel, or no press within 15 minutes, records nothing. The buttons are
/// read by this command while it waits; once it stops waiting, a press is told the button is
/// from an older message.
async fn confirm_first(ctx: Context<'_>, c: Command, why: String) -> Result {
    let poise::Context::Application(app) = ctx else {
        return Err(OkrError::Unconfirmed(why).into());
    };
    let base = format!("okr:confirm:{}", app.interaction.id);
    let (yes, no) = (format!("{base}:yes"), format!("{base}:no"));
    let mut awaited = [
        ctx.data().await_form(yes.clone()),
        ctx.data().await_form(no.clone()),
    ];
    let buttons = serenity::CreateActionRow::Buttons(vec![
        serenity::CreateButton::new(yes.clone())
            .label("Record it")
            .style(serenity::ButtonStyle::Danger),
        serenity::CreateButton::new(no.clone())
            .label("Cancel")
            .style(serenity::ButtonStyle::Secondary),
    ]);
    // The core says how to confirm by typing; here the buttons say it.
    let why = why
        .split_once(" If it is right, ")
        .map_or(why.as_str(), |(said, _)| said);
    let text = format!(
        "⚠️ {} If it is right, press Record it; Cancel keeps what you had.",
        command::respell(why, command::Surface::Discord)
    );
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .components(vec![buttons])
            .allowed_mentions(render::no_pings())
            .ephemeral(true),
    )
    .await?;
    let author = ctx.author().id;
    let press = serenity::ComponentInteractionCollector::new(ctx.serenity_context())
        .author_id(author)
        .filter({
            let (yes, no) = (yes.clone(), no.clone());
            move |i| i.data.custom_id == yes || i.data.custom_id == no
        })
        .timeout(CONFIRM_WITHIN)
        .await;
    let Some(press) = press else {
        return Ok(());
    };
    // A press taken here stays ours a moment after this returns, so the general button
    // handler, which sees it too, never answers it as an older message's.
    for a in &mut awaited {
        a.taken();
    }
    press
        .create_response(ctx, serenity::CreateInteractionResponse::Acknowledge)
        .await?;
    let said = if press.data.custom_id == yes {
        let a = actor(ctx).await?;
        match command::apply(&ctx.data().okr, &a, c.confirmed(), now(ctx)).await {
            Ok(reply) => {
                let m = crate::render::reply::message(&reply, &DiscordDialect);
                let mut lines = vec![format!("✅ {}", m.title)];
                lines.extend(m.blocks.iter().flat_map(|b| b.lines.iter().cloned()));
                lines.join("\n")
            }
            Err(e) => {
                if let OkrError::Internal(cause) = &e {
                    tracing::error!(error = ?cause, "confirmed check-in failed");
                }
                format!(
                    "❌ {}",
                    command::respell(&e.to_string(), command::Surface::Discord)
                )
            }
        }
    } else {
        "Nothing was recorded.".to_owned()
    };
    press
        .edit_response(
            ctx,
            serenity::EditInteractionResponse::new()
                .content(crate::render::clip_chars(&said, 2000))
                .components(vec![])
                .allowed_mentions(render::no_pings()),
        )
        .await?;
    Ok(())
}

/// The bulk form: one update per line, as in the console.
#[derive(Debug, poise::Modal)]
#[name = "Several check-ins at once"]
struct BulkForm {
    #[name = "One update per line: GRO-1.1 9 c8 note"]
    #[placeholder = "GRO-1.1 9 c8 new flow shipped\nGRO-1.2 96%"]
    #[paragraph]
    #[max_length = 4000]
    lines: String,
}

/// Several check-ins at once: a form, one update per line, all or nothing
#[poise::command(slash_command)]
pub async fn bulk(ctx: Context<'_>) -> Result {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    // poise names the form after the interaction; while it is awaited here, the form's
    // submission is this command's to answer, not the event handler's.
    let mut awaited = ctx.data().await_form(app.interaction.id.to_string());
    // A quarter of an hour to type; after that the form's answer is no longer awaited.
    let form = poise::execute_modal(app, None::<BulkForm>, Some(Duration::from_secs(900))).await?;
    let Some(form) = form else {
        return Ok(());
    };
    awaited.taken();
    drop(awaited);
    run(ctx, command::bulk(&form.lines, CheckInSource::Modal)?).await
}

/// Nothing moved: check in with the same value (all: your whole latest prompt)
#[poise::command(slash_command)]
pub async fn nochange(
    ctx: Context<'_>,
    #[description = "Key result, or all"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    let c = if kr.trim().eq_ignore_ascii_case("all") {
        CheckInCommand::NoChangeAll {
            source: CheckInSource::Slash,
        }
    } else {
        CheckInCommand::NoChange {
            kr,
            source: CheckInSource::Slash,
            idempotency_key: interaction_key(ctx),
        }
    };
    run(ctx, c).await
}

/// Take back your latest check-in (within 15 minutes)
#[poise::command(slash_command)]
pub async fn undo(
    ctx: Context<'_>,
    #[description = "Key result (default: your latest check-in)"]
    #[autocomplete = "ac_kr"]
    kr: Option<String>,
) -> Result {
    run(ctx, CheckInCommand::Undo { kr }).await
}

/// Check-ins: take one back at any time
#[poise::command(
    slash_command,
    rename = "checkin",
    subcommands("checkin_withdraw"),
    subcommand_required
)]
pub async fn checkin(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Take back a check-in at any time: its author or a lead; kept in the history as withdrawn
#[poise::command(slash_command, rename = "withdraw")]
async fn checkin_withdraw(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
    #[description = "Which check-in: its number in /okr history, e.g. #412 (default: the latest)"]
    checkin: Option<String>,
    #[description = "Why, for the history"] reason: Option<String>,
) -> Result {
    run(
        ctx,
        CheckInCommand::Withdraw {
            kr,
            check_in: checkin,
            reason,
        },
    )
    .await
}

/// Ask me again later: tomorrow, until a day, or for a while
#[poise::command(slash_command)]
pub async fn snooze(
    ctx: Context<'_>,
    #[description = "A day: Thursday, tomorrow or 2026-12-10 (at the prompt's own time)"]
    until: Option<String>,
    #[description = "A span: 3d, 12h, 1w"]
    #[rename = "for"]
    span: Option<String>,
) -> Result {
    run(ctx, CheckInCommand::Snooze { until, span }).await
}

/// A key result's check-ins
#[poise::command(slash_command)]
pub async fn history(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    run(ctx, CheckInCommand::History { kr }).await
}
