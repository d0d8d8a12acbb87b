//! Registering the slash commands where they are needed: in every guild the bot is in at start
//! and in every guild it joins later (or, with `--global-commands`, once for all). A guild that
//! refuses (invited without `applications.commands`: 403; a 429 or 5xx) is logged and tried
//! again with backoff, on its own: every other guild, the answers and the scheduler go on.
//! See `docs/discord.md`, "Registration".

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude as serenity;

/// The wait before the second try; doubled before each one after, up to [`CAP`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
pub const CAP: Duration = Duration::from_secs(300);
/// Tries per guild; about 20 minutes in all. A guild still refusing then needs the bot invited
/// again with the right scope, which brings a new GUILD_CREATE and a new round.
pub const ATTEMPTS: u32 = 10;

pub struct Registration {
    global: bool,
    /// Guilds whose registration has started (or succeeded) in this process: the READY list
    /// and the GUILD_CREATE that follows it for each guild register once.
    started: Mutex<HashSet<serenity::GuildId>>,
}

impl Registration {
    pub fn new(global: bool) -> Arc<Registration> {
        Arc::new(Registration {
            global,
            started: Mutex::default(),
        })
    }

    /// At READY: the global commands, or those of every guild listed.
    pub fn ready(
        self: &Arc<Self>,
        http: Arc<serenity::Http>,
        commands: Vec<serenity::CreateCommand>,
        guilds: impl IntoIterator<Item = serenity::GuildId>,
    ) {
        if self.global {
            tokio::spawn(retrying("global", move || {
                let (http, commands) = (http.clone(), commands.clone());
                async move { serenity::Command::set_global_commands(&http, commands).await }
            }));
            return;
        }
        for g in guilds {
            self.guild(http.clone(), commands.clone(), g);
        }
    }

    /// A guild the bot is in (GUILD_CREATE: at start, or joined later).
    pub fn guild(
        self: &Arc<Self>,
        http: Arc<serenity::Http>,
        commands: Vec<serenity::CreateCommand>,
        guild: serenity::GuildId,
    ) {
        if self.global || !crate::sync::lock(&self.started).insert(guild) {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            let done = retrying(&format!("guild {guild}"), move || {
                let (http, commands) = (http.clone(), commands.clone());
                async move { guild.set_commands(&http, commands).await }
            })
            .await;
            if !done {
                // A later GUILD_CREATE (the bot invited again) starts a new round.
                crate::sync::lock(&me.started).remove(&guild);
            }
        });
    }
}

/// Runs `register` until it succeeds or [`ATTEMPTS`] are used; says whether it succeeded.
async fn retrying<F, Fut, T>(what: &str, register: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, serenity::Error>>,
{
    let mut wait = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match register().await {
            Ok(_) => {
                tracing::info!(target = what, attempt, "slash commands registered");
                return true;
            }
            Err(e) => {
                let code = super::delivery::refusal_code(&e);
                tracing::warn!(target = what, attempt, ?code, error = %e, "registering the slash commands failed; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(CAP);
            }
        }
    }
    tracing::error!(
        target = what,
        "the slash commands could not be registered: invite the bot again with the \
         applications.commands scope; every other server works meanwhile"
    );
    false
}
