//! `okrbot run`: the gateway bot. Each guild is a workspace; a member is known to the core by
//! their mention (`<@id>`), so owners and leads render as mentions in every message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use poise::serenity_prelude as serenity;

use super::commands;
use super::delivery::DiscordOutbox;
use crate::clock::Clock;
use crate::domain::model::WorkspaceId;
use crate::outbox::Routes;
use crate::scheduler::Scheduler;
use crate::service::{Actor, Okr, OkrError};

/// What every command and interaction handler gets.
pub struct Data {
    pub okr: Okr,
    pub clock: Arc<dyn Clock>,
    /// Guild -> workspace, so a command does not need a write to find its workspace.
    workspaces: Mutex<HashMap<serenity::GuildId, WorkspaceId>>,
    /// Where the slash commands are registered (each guild on its own, retried).
    pub registration: Arc<super::registration::Registration>,
    /// How long a command may work before its answer is deferred.
    pub answer_within: std::time::Duration,
    /// The `custom_id`s of the `/okr bulk` forms whose command is waiting for them (`None`) or
    /// has just taken them (until when): those are answered there, any other unreadable form is
    /// answered as an older one.
    forms_awaited: Mutex<HashMap<String, Option<std::time::Instant>>>,
}

/// A command's failure: a refusal the core worded for the asker, or Discord failing us.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(transparent)]
    Okr(#[from] OkrError),
    #[error("Discord did not accept the reply")]
    Discord(#[from] serenity::Error),
    #[error("okrbot commands work in a server, not in direct messages")]
    NotInGuild,
}

pub type Context<'a> = poise::Context<'a, Data, BotError>;

/// How the core knows a Discord user: their mention, which every message renders as a name.
pub fn user_key(id: serenity::UserId) -> String {
    format!("<@{id}>")
}

/// How the core knows a Discord role (a team may be led by one).
pub fn role_key(id: serenity::RoleId) -> String {
    format!("<@&{id}>")
}

/// How long a form stays known after its command took it: the event handler sees the same
/// submission, possibly after the command has finished with it.
const FORM_TAKEN_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Marks a form awaited while it lives (`Data::await_form`).
pub struct AwaitedForm<'a> {
    data: &'a Data,
    id: String,
    taken: bool,
}

impl AwaitedForm<'_> {
    /// The command received the form (rather than giving up waiting).
    pub fn taken(&mut self) {
        self.taken = true;
    }
}

impl Drop for AwaitedForm<'_> {
    fn drop(&mut self) {
        let mut forms = crate::sync::lock(&self.data.forms_awaited);
        if self.taken {
            forms.insert(
                std::mem::take(&mut self.id),
                Some(std::time::Instant::now() + FORM_TAKEN_FOR),
            );
        } else {
            forms.remove(&self.id);
        }
    }
}

impl Data {
    pub fn new(okr: Okr, clock: Arc<dyn Clock>) -> Data {
        Data {
            okr,
            clock,
            workspaces: Mutex::default(),
            registration: super::registration::Registration::new(false),
            answer_within: commands::ANSWER_WITHIN,
            forms_awaited: Mutex::default(),
        }
    }

    /// Marks the form `id` awaited until the returned guard is dropped.
    pub fn await_form(&self, id: String) -> AwaitedForm<'_> {
        let now = std::time::Instant::now();
        let mut forms = crate::sync::lock(&self.forms_awaited);
        forms.retain(|_, until| until.is_none_or(|t| t > now));
        forms.insert(id.clone(), None);
        AwaitedForm {
            data: self,
            id,
            taken: false,
        }
    }

    /// Whether a command is waiting for the form `id`, or has just taken it.
    pub fn form_awaited(&self, id: &str) -> bool {
        let forms = crate::sync::lock(&self.forms_awaited);
        forms
            .get(id)
            .is_some_and(|until| until.is_none_or(|t| t > std::time::Instant::now()))
    }

    /// The workspace of a guild, created on first use.
    pub async fn workspace(
        &self,
        guild: serenity::GuildId,
        name: &str,
    ) -> Result<WorkspaceId, OkrError> {
        if let Some(ws) = crate::sync::lock(&self.workspaces).get(&guild) {
            return Ok(*ws);
        }
        let ws = self
            .okr
            .workspace(&format!("discord:{guild}"), name, self.clock.now())
            .await?;
        crate::sync::lock(&self.workspaces).insert(guild, ws);
        Ok(ws)
    }

    /// The acting member: admin when they hold Manage Server in this guild.
    pub async fn actor(
        &self,
        guild: serenity::GuildId,
        user: serenity::UserId,
        permissions: Option<serenity::Permissions>,
        roles: &[serenity::RoleId],
    ) -> Result<Actor, OkrError> {
        let workspace = self.workspace(guild, &guild.to_string()).await?;
        Ok(Actor {
            workspace,
            user: user_key(user),
            admin: permissions.is_some_and(|p| p.manage_guild() || p.administrator()),
            roles: roles.iter().map(|r| role_key(*r)).collect(),
        })
    }
}

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
    /// [`commands::ANSWER_WITHIN`]. Tests that read a reply's callback give it more.
    pub answer_within: Option<std::time::Duration>,
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

/// Runs the bot until the gateway closes or `stop` resolves: commands and interactions on the
/// gateway, and beside them (not inside poise's setup, which may never run) the scheduler whose
/// deliveries go out through the paced Discord outbox. On `stop` the shards disconnect and the
/// scheduler finishes its round.
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
    let intents = serenity::GatewayIntents::GUILDS;
    let mut client = serenity::ClientBuilder::new_with_http(http(&conn), intents)
        .framework(framework)
        .await?;

    // Not ready for traffic until the gateway says Ready.
    okr.metrics().set_gateway(false);
    let outbox = DiscordOutbox::new(
        client.http.clone(),
        40,
        super::interactions::fallback_channel(),
    )
    .remembering(okr.clone(), clock.clone());
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let scheduler = Scheduler::new(okr);
    let deliveries = tokio::spawn(async move {
        let stop = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        // Discord carries both direct messages and channel posts.
        let routes = Routes {
            people: &outbox,
            channels: &outbox,
        };
        scheduler.run(clock.as_ref(), &routes, stop).await;
    });
    let shards = client.shard_manager.clone();
    let result = tokio::select! {
        r = client.start() => r.map_err(anyhow::Error::from),
        _ = stop => {
            // The scheduler starts settling its sends while the gateway closes, not after.
            let _ = stopping.send(true);
            shards.shutdown_all().await;
            Ok(())
        }
    };
    let _ = stopping.send(true);
    // The delivery in flight finishes; the whole stop stays under 10 s.
    match tokio::time::timeout(std::time::Duration::from_secs(8), deliveries).await {
        Ok(Err(e)) => tracing::error!(error = ?e, "the scheduler ended abnormally"),
        Ok(Ok(())) => {}
        Err(_) => {
            tracing::warn!("the scheduler did not stop within 8 s; leaving its claims to expire")
        }
    }
    result
}
