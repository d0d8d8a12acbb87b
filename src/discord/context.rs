//! What every poise command and interaction handler is given: [`Data`] (each guild is a
//! workspace), its [`Context`] and [`BotError`], and how the core knows a Discord member: by
//! their mention (`<@id>`, [`user_key`]), so owners and leads render as mentions in every
//! message. A module of its own (as ferrisbot's `types.rs`): the commands import it, and the bot
//! that registers the commands imports them, without either importing the other back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use poise::serenity_prelude as serenity;

use super::registration::Registration;
use crate::clock::Clock;
use crate::domain::model::WorkspaceId;
use crate::service::{Actor, Okr, OkrError};

/// How long a command may work before its answer is deferred, unless configured otherwise
/// (`discord.answer_within_ms`).
pub const ANSWER_WITHIN: std::time::Duration =
    std::time::Duration::from_millis(crate::config::ANSWER_WITHIN_MS);

/// What every command and interaction handler gets.
pub struct Data {
    pub okr: Okr,
    pub clock: Arc<dyn Clock>,
    /// Guild -> workspace, so a command does not need a write to find its workspace.
    workspaces: Mutex<HashMap<serenity::GuildId, WorkspaceId>>,
    /// Where the slash commands are registered (each guild on its own, retried).
    pub registration: Arc<Registration>,
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
            registration: Registration::new(false),
            answer_within: ANSWER_WITHIN,
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
