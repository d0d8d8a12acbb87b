//! The gateway bot: the poise framework with the commands and the event handler. The scheduler
//! is not started here: it is a role of the process (`okrbot run` starts it beside the gateway,
//! `okrbot schedule run` alone), and delivers to Discord through [`outbox`], over REST, with or
//! without a gateway in the same process. What the handlers are given is [`super::context`].

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::commands;
use super::context::Data;
use super::delivery::DiscordOutbox;
use crate::clock::Clock;
use crate::service::Okr;

/// How to reach Discord: the real API, or (tests) a fake one behind a proxy URL.
#[derive(Clone, Default)]
pub struct Connection {
    pub token: String,
    /// Route REST calls to this base URL instead of discord.com (serenity's proxy; it requires
    /// serenity's own rate limiter off, which okrbot's delivery queue replaces).
    pub proxy: Option<String>,
    /// Register commands globally (slow to propagate) instead of in each guild at start.
    pub global_commands: bool,
    /// The HTTP client for REST calls instead of serenity's own (tests give one that finds
    /// their fake at discord.com and trusts its certificate).
    pub http_client: Option<reqwest::Client>,
    /// How long a command may work before its answer is deferred; `None`:
    /// [`ANSWER_WITHIN`](super::context::ANSWER_WITHIN). Tests that read a reply's callback
    /// give it more.
    pub answer_within: Option<std::time::Duration>,
    /// The gateway's shards this process connects: all of one, unless `discord.shards` and
    /// `discord.shard_range` say otherwise.
    pub shards: crate::domain::shards::ShardRange,
}

/// Never prints the token: a stray `{:?}` in a log line must not leak it.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("token", &"<redacted>")
            .field("proxy", &self.proxy)
            .field("global_commands", &self.global_commands)
            .field("answer_within", &self.answer_within)
            .field("http_client", &self.http_client.is_some())
            .field("shards", &self.shards)
            .finish()
    }
}

pub fn http(conn: &Connection) -> serenity::Http {
    let mut b = serenity::HttpBuilder::new(&conn.token);
    if let Some(c) = &conn.http_client {
        b = b.client(c.clone());
    }
    if let Some(p) = &conn.proxy {
        b = b.proxy(p.clone()).ratelimiter_disabled(true);
    }
    b.build()
}

/// The paced Discord outbox over REST, for a scheduler in this process or any other: direct
/// messages and channel posts, remembering closed direct messages in the database.
pub fn outbox(conn: &Connection, okr: Okr, clock: Arc<dyn Clock>) -> DiscordOutbox {
    DiscordOutbox::new(
        Arc::new(http(conn)),
        40,
        super::interactions::fallback_channel(),
    )
    .remembering(okr, clock)
}

/// Runs the bot until the gateway closes or `stop` resolves: commands and interactions on the
/// gateway. On `stop` the shards disconnect.
pub async fn run(
    okr: Okr,
    clock: Arc<dyn Clock>,
    conn: Connection,
    stop: impl std::future::Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let global = conn.global_commands;
    let mut data = Data::new(okr.clone(), clock.clone());
    data.registration = super::registration::Registration::new(global);
    if let Some(within) = conn.answer_within {
        data.answer_within = within;
    }
    let framework = poise::Framework::builder()
        .initialize_owners(false)
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(commands::on_error(error)),
            event_handler: |fw, event| Box::pin(super::interactions::on_event(fw, event)),
            // Any reply that does not say whom it pings pings no one.
            allowed_mentions: Some(super::render::no_pings()),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                data.okr.metrics().set_gateway(true);
                // In the background and per guild: a guild that refuses must not fail the
                // setup, which would leave the bot connected and answering nothing.
                let commands =
                    poise::builtins::create_application_commands(&framework.options().commands);
                data.registration.ready(
                    ctx.http.clone(),
                    commands,
                    ready.guilds.iter().map(|g| g.id),
                );
                Ok(data)
            })
        })
        .build();
    // serenity falls back to Discord's own gateway when the lookup fails: with another REST
    // base that would connect a token meant for a proxy or a test double to the real Discord.
    if let Some(base) = &conn.proxy {
        http(&conn).get_bot_gateway().await.map_err(|e| {
            anyhow::anyhow!(
                "the gateway lookup at {base} failed ({e}); not falling back to Discord's own gateway"
            )
        })?;
    }
    // GUILDS for the servers and their channels; DIRECT_MESSAGES for replies to a prompt in
    // plain words, whose content Discord sends without the privileged MESSAGE_CONTENT intent
    // (`docs/discord.md`, "Intents").
    let intents = serenity::GatewayIntents::GUILDS | serenity::GatewayIntents::DIRECT_MESSAGES;
    let mut client = serenity::ClientBuilder::new_with_http(http(&conn), intents)
        .framework(framework)
        .await?;

    // Not ready for traffic until the gateway says Ready.
    okr.metrics().set_gateway(false);
    let manager = client.shard_manager.clone();
    let shards = conn.shards;
    tokio::select! {
        // serenity reads the range's end as the last shard, not one past it.
        r = client.start_shard_range(shards.first..shards.last, shards.total) => {
            r.map_err(anyhow::Error::from)
        }
        _ = stop => {
            manager.shutdown_all().await;
            Ok(())
        }
    }
}
