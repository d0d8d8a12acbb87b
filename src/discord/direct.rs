//! Direct messages to the bot: a reply to a check-in prompt written in plain words
//! (`docs/update-grammar.md`, "Answers in plain words"). Discord gives a bot the content of a
//! direct message sent to it with the DIRECT_MESSAGES intent alone; the privileged
//! MESSAGE_CONTENT intent is only for messages in servers (`docs/discord.md`, "Intents"). A
//! direct message carries no server, so it answers the latest prompt the person received, in
//! the workspace that sent it.

use poise::serenity_prelude as serenity;

use super::context::{user_key, BotError, Data};
use super::render::{self, DiscordDialect};
use crate::command;
use crate::domain::message::Message;
use crate::domain::model::CheckInSource;
use crate::service::OkrError;

/// Reads a direct message as an answer and replies in the same conversation: what was
/// recorded, the question back, or why nothing was.
pub async fn on_direct_message(
    ctx: &serenity::Context,
    data: &Data,
    m: &serenity::Message,
) -> Result<(), BotError> {
    if m.guild_id.is_some() || m.author.bot || m.content.trim().is_empty() {
        return Ok(());
    }
    let user = user_key(m.author.id);
    let now = data.clock.now();
    let message = match data.okr.direct_message_actor(&user).await? {
        None => Message::new(
            "okrbot reads your replies to its check-in prompts here; until one comes, its \
             commands are in your server: /okr help",
        ),
        Some(actor) => {
            // The message's id names the reply: an event delivered twice records once.
            let answer = command::answer(
                &m.content,
                CheckInSource::Text,
                Some(format!("dm:{}", m.id)),
            );
            match command::apply(&data.okr, &actor, answer, now).await {
                Ok(reply) => crate::render::reply::message(&reply, &DiscordDialect),
                Err(OkrError::Internal(cause)) => {
                    tracing::error!(error = ?cause, "a direct message could not be read");
                    Message::new(format!("❌ {}", OkrError::Internal(cause)))
                }
                Err(e) => Message::new(format!(
                    "❌ {}",
                    command::respell(&e.to_string(), command::Surface::Discord)
                )),
            }
        }
    };
    for (i, part) in render::render(&message, None).iter().enumerate() {
        // The same nonce for the same reply: Discord answers a redelivered event's second
        // reply with the first instead of posting it again. (A snowflake and a part number stay
        // within Discord's 25 characters; a delivery's nonces are far smaller numbers.)
        let nonce = serenity::Nonce::String(format!("{}.{i}", m.id));
        m.channel_id
            .send_message(
                &ctx.http,
                part.to_create_message(None)
                    .nonce(nonce)
                    .enforce_nonce(true),
            )
            .await?;
    }
    Ok(())
}
