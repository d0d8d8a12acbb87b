//! `/okr update`, `/okr nochange`, `/okr undo`, `/okr snooze` and `/okr history`.

use std::time::Duration;

use super::{ac_kr, interaction_key, run, Context, Result};
use crate::command::{self, Command};
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
    let c = command::typed(
        &kr,
        &value,
        confidence,
        note.as_deref(),
        CheckInSource::Slash,
        interaction_key(ctx),
    )?;
    let c = if confirm == Some(true) {
        c.confirmed()
    } else {
        c
    };
    run(ctx, c).await
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
    let c = Command::UpdateBulk {
        text: form.lines,
        source: CheckInSource::Modal,
    };
    run(ctx, c).await
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
        Command::NoChangeAll {
            source: CheckInSource::Slash,
        }
    } else {
        Command::NoChange {
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
    run(ctx, Command::Undo { kr }).await
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
        Command::Withdraw {
            kr,
            check_in: checkin,
            reason,
        },
    )
    .await
}

/// Ask me again tomorrow
#[poise::command(slash_command)]
pub async fn snooze(ctx: Context<'_>) -> Result {
    run(ctx, Command::Snooze).await
}

/// A key result's check-ins
#[poise::command(slash_command)]
pub async fn history(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    run(ctx, Command::History { kr }).await
}
