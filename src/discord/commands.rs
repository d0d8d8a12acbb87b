//! The `/okr` slash commands: each builds a [`Command`] from its typed options and replies
//! with the command layer's rendered [`Reply`](crate::command::Reply); no command decides or
//! words anything itself. The `///` docs are what Discord shows as help. One file per group:
//! [`team`], [`objective`], [`kr`], [`check_in`], [`report`].

use poise::serenity_prelude as serenity;

use super::context::{BotError, Context, Data};
use super::render::{self, DiscordDialect};
use crate::command::{self, Command};
use crate::domain::message::Message;
use crate::service::{Actor, OkrError};

mod check_in;
mod kpi;
mod kr;
mod objective;
mod people;
mod report;
mod team;
mod webhook;

type Result<T = ()> = std::result::Result<T, BotError>;

pub fn all() -> Vec<poise::Command<Data, BotError>> {
    vec![okr(), team::setup(), kpi::kpi()]
}

/// The asker, as the core knows them.
async fn actor(ctx: Context<'_>) -> Result<Actor> {
    let guild = ctx.guild_id().ok_or(BotError::NotInGuild)?;
    let (permissions, roles) = match ctx {
        poise::Context::Application(a) => a
            .interaction
            .member
            .as_ref()
            .map(|m| (m.permissions, m.roles.clone()))
            .unwrap_or_default(),
        poise::Context::Prefix(_) => (None, vec![]),
    };
    Ok(ctx
        .data()
        .actor(guild, ctx.author().id, permissions, &roles)
        .await?)
}

pub(super) fn now(ctx: Context<'_>) -> chrono::DateTime<chrono::Utc> {
    ctx.data().clock.now()
}

/// Runs `command` as the asker and sends its rendered reply. An answer not ready within
/// [`ANSWER_WITHIN`](super::context::ANSWER_WITHIN) (`Data::answer_within`) is deferred
/// privately first, and sent when it is.
async fn run(ctx: Context<'_>, command: impl Into<Command>) -> Result {
    let started = std::time::Instant::now();
    let reply = answer(ctx, command.into()).await?;
    let sent = send(ctx, &crate::render::reply::message(&reply, &DiscordDialect)).await;
    ctx.data()
        .okr
        .metrics()
        .interaction("command", started.elapsed());
    sent
}

/// Runs `command` as the asker, deferring the answer privately if it is not ready within
/// [`ANSWER_WITHIN`](super::context::ANSWER_WITHIN); the caller sends it.
async fn answer(ctx: Context<'_>, command: Command) -> Result<command::Reply> {
    let work = async {
        let a = actor(ctx).await?;
        Ok::<_, BotError>(command::apply(&ctx.data().okr, &a, command, now(ctx)).await?)
    };
    let within = ctx.data().answer_within;
    if ctx.invocation_data::<Deferral>().await.is_some() {
        work.await
    } else if within.is_zero() {
        // Configured to defer every answer.
        defer_for_time(ctx).await?;
        work.await
    } else {
        tokio::pin!(work);
        tokio::select! {
            biased;
            done = &mut work => done,
            () = tokio::time::sleep(within) => {
                defer_for_time(ctx).await?;
                work.await
            }
        }
    }
}

/// The interaction's id: Discord redelivering the same interaction records one check-in.
fn interaction_key(ctx: Context<'_>) -> Option<String> {
    match ctx {
        poise::Context::Application(a) => Some(format!("discord:{}", a.interaction.id)),
        poise::Context::Prefix(_) => None,
    }
}

/// How this invocation's answer was deferred, if it was (Discord shows "thinking…" to the
/// asker alone in both cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deferral {
    /// A command that may take a while: every part of its answer stays private.
    Private,
    /// An answer that was not ready in time
    /// ([`ANSWER_WITHIN`](super::context::ANSWER_WITHIN)): it keeps its own visibility.
    ForTime,
}

/// Defers the answer privately, for a command that may take a while.
async fn defer_private(ctx: Context<'_>) -> Result {
    ctx.set_invocation_data(Deferral::Private).await;
    ctx.defer_ephemeral().await?;
    Ok(())
}

/// Defers an answer that is not ready in time; it keeps its own visibility when it comes.
async fn defer_for_time(ctx: Context<'_>) -> Result {
    ctx.set_invocation_data(Deferral::ForTime).await;
    ctx.defer_ephemeral().await?;
    Ok(())
}

/// Sends a core message as the reply; long ones continue in follow-ups, every part as private
/// as the message is or as an explicit deferral was.
async fn send(ctx: Context<'_>, m: &Message) -> Result {
    let deferral = ctx.invocation_data::<Deferral>().await.map(|d| *d);
    let private = m.private || deferral == Some(Deferral::Private);
    if deferral == Some(Deferral::ForTime) && !private {
        // Discord would turn the first follow-up into the private "thinking…" message: remove
        // it, so the public answer is a message of its own.
        if let poise::Context::Application(a) = ctx {
            a.interaction.delete_response(ctx.http()).await?;
        }
    }
    for part in render::render(m, None) {
        ctx.send(part.to_reply().ephemeral(private)).await?;
    }
    Ok(())
}

/// Refusals go back privately, worded by the core; internal failures are logged whole and the
/// asker gets the core's polite line, never a raw error.
pub async fn on_error(error: poise::FrameworkError<'_, Data, BotError>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            if let BotError::Okr(OkrError::Internal(cause)) = &error {
                tracing::error!(error = ?cause, command = %ctx.command().qualified_name, "command failed");
            } else if let BotError::Discord(e) = &error {
                tracing::error!(error = %super::redact::for_log(e), command = %ctx.command().qualified_name, "Discord refused a reply");
            }
            let text = format!(
                "❌ {}",
                command::respell(&error.to_string(), command::Surface::Discord)
            );
            if let Err(e) = ctx
                .send(
                    poise::CreateReply::default()
                        .allowed_mentions(render::no_pings())
                        .content(text)
                        .ephemeral(true),
                )
                .await
            {
                tracing::warn!(error = %super::redact::for_log(&e), "could not tell the asker about an error");
            }
        }
        // A command whose options do not fit the tree the bot runs: what a guild keeps sending
        // while Discord still shows the commands of an older version (its registration failed
        // or has not reached the member yet). poise would only log these, and Discord would
        // tell the member "The application did not respond".
        poise::FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            tracing::warn!(
                command = %ctx.command().qualified_name,
                reason = description,
                "a command came in an older shape"
            );
            answer_changed(poise::Context::Application(ctx)).await;
        }
        poise::FrameworkError::ArgumentParse {
            ctx, input, error, ..
        } => {
            tracing::info!(
                command = %ctx.command().qualified_name,
                input = input.as_deref().unwrap_or(""),
                error = %error,
                "a command's option could not be read"
            );
            answer_changed(ctx).await;
        }
        poise::FrameworkError::UnknownInteraction {
            framework,
            interaction,
            ..
        } => {
            tracing::warn!(
                command = %invoked_path(&interaction.data),
                "a command the bot does not know (an older version's)"
            );
            let http = &framework.serenity_context.http;
            let answer = if interaction.data.autocomplete().is_some() {
                serenity::CreateInteractionResponse::Autocomplete(
                    serenity::CreateAutocompleteResponse::new(),
                )
            } else {
                serenity::CreateInteractionResponse::Message(
                    serenity::CreateInteractionResponseMessage::new()
                        .allowed_mentions(render::no_pings())
                        .content(format!("❌ {CHANGED}"))
                        .ephemeral(true),
                )
            };
            if let Err(e) = interaction.create_response(http, answer).await {
                tracing::warn!(error = %super::redact::for_log(&e), "could not answer an unknown command");
            }
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!(error = %super::redact::for_log(&e), "error while handling an error");
            }
        }
    }
}

/// What a member is told when their command does not fit the command tree the bot runs.
pub const CHANGED: &str = "this command changed in an update, and Discord still shows you its \
     old form. Try again in a minute (Discord refreshes the server's commands), or ask an admin \
     to invite okrbot again so the server gets the new ones; /okr help lists the commands.";

/// Answers privately that the command's shape is an older one; an autocomplete request gets no
/// choices instead (it cannot carry a message).
async fn answer_changed(ctx: Context<'_>) {
    let sent = match ctx {
        poise::Context::Application(a)
            if a.interaction_type == poise::CommandInteractionType::Autocomplete =>
        {
            a.interaction
                .create_response(
                    ctx.http(),
                    serenity::CreateInteractionResponse::Autocomplete(
                        serenity::CreateAutocompleteResponse::new(),
                    ),
                )
                .await
        }
        _ => ctx
            .send(
                poise::CreateReply::default()
                    .allowed_mentions(render::no_pings())
                    .content(format!("❌ {CHANGED}"))
                    .ephemeral(true),
            )
            .await
            .map(drop),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %super::redact::for_log(&e), "could not tell the asker their command changed");
    }
}

/// A command group invoked as if it were a command of its own: Discord only sends that for a
/// tree of an older version, where it had no subcommands.
pub(super) async fn group_invoked(ctx: Context<'_>) -> Result {
    tracing::warn!(command = %ctx.command().qualified_name, "a command group came without a subcommand");
    answer_changed(ctx).await;
    Ok(())
}

/// `okr kr add`: the command and subcommand names an interaction carries, for the log.
fn invoked_path(data: &serenity::CommandData) -> String {
    let mut path = data.name.clone();
    let mut options = &data.options;
    while let Some((name, inner)) = options.iter().find_map(|o| match &o.value {
        serenity::CommandDataOptionValue::SubCommand(inner)
        | serenity::CommandDataOptionValue::SubCommandGroup(inner) => Some((&o.name, inner)),
        _ => None,
    }) {
        path.push(' ');
        path.push_str(name);
        options = inner;
    }
    path
}

// ---- autocomplete: from the core, the caller's own first, 25 at most ----

async fn choices(
    ctx: Context<'_>,
    partial: &str,
    kind: for<'a> fn(&'a crate::service::Okr, &'a Actor, &'a str) -> futures_choices::Fut<'a>,
) -> serenity::CreateAutocompleteResponse {
    let list = match actor(ctx).await {
        Ok(a) => kind(&ctx.data().okr, &a, partial).await.unwrap_or_default(),
        Err(_) => vec![],
    };
    serenity::CreateAutocompleteResponse::new().set_choices(
        list.into_iter()
            .map(|c| serenity::AutocompleteChoice::new(c.label, c.value))
            .collect(),
    )
}

mod futures_choices {
    use std::future::Future;
    use std::pin::Pin;

    use crate::service::autocomplete::Choice;
    use crate::service::{Actor, Okr, OkrError};

    pub type Fut<'a> = Pin<Box<dyn Future<Output = Result<Vec<Choice>, OkrError>> + Send + 'a>>;

    pub fn krs<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.kr_choices(a, p))
    }
    pub fn objectives<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.objective_choices(a, p))
    }
    pub fn teams<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.team_choices(a, p))
    }
    pub fn cycles<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.cycle_choices(a, p))
    }
    pub fn kpis<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.kpi_choices(a, p))
    }
}

async fn ac_kr(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::krs).await
}
async fn ac_objective(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::objectives).await
}
async fn ac_team(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::teams).await
}
async fn ac_cycle(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::cycles).await
}
async fn ac_kpi(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::kpis).await
}

// ---- the command tree ----

/// OKRs and weekly check-ins for your teams
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "report::help",
        "team::cycle",
        "objective::objective",
        "kr::kr",
        "check_in::update",
        "check_in::bulk",
        "check_in::nochange",
        "check_in::undo",
        "check_in::checkin",
        "check_in::snooze",
        "people::me",
        "people::away",
        "people::holidays",
        "report::status",
        "report::digest",
        "check_in::history",
        "report::schedule",
        "report::export",
        "webhook::webhook"
    ),
    subcommand_required
)]
pub async fn okr(ctx: Context<'_>) -> Result {
    group_invoked(ctx).await
}

#[cfg(test)]
mod tests {
    use crate::command::{self as catalogue, Surface};

    /// The catalogue's words for a top-level command: none for `/okr`, `kpi` for `/kpi`.
    fn prefix(top: &poise::Command<super::Data, super::BotError>) -> &str {
        if top.name == "okr" {
            ""
        } else {
            &top.name
        }
    }

    /// The catalogue's path of a top-level command that has no subcommands (`okr-setup`).
    fn own_path(top: &poise::Command<super::Data, super::BotError>) -> &'static str {
        catalogue::catalogue()
            .iter()
            .find(|s| s.discord_top_level == Some(&*top.name))
            .unwrap_or_else(|| panic!("/{} is not in the catalogue", top.name))
            .path
    }

    /// Every path of the command tree, `kr add` style.
    fn paths() -> Vec<String> {
        fn walk(
            c: &poise::Command<super::Data, super::BotError>,
            prefix: &str,
            out: &mut Vec<String>,
        ) {
            let path = if prefix.is_empty() {
                c.name.to_string()
            } else {
                format!("{prefix} {}", c.name)
            };
            if c.subcommands.is_empty() {
                out.push(path);
            } else {
                for s in &c.subcommands {
                    walk(s, &path, out);
                }
            }
        }
        let mut out = Vec::new();
        for top in super::all() {
            if top.subcommands.is_empty() {
                out.push(own_path(&top).to_owned());
            }
            for s in &top.subcommands {
                walk(s, prefix(&top), &mut out);
            }
        }
        out
    }

    #[test]
    fn discord_offers_exactly_the_catalogues_discord_commands() {
        let mut offered = paths();
        offered.sort();
        let mut listed: Vec<String> = catalogue::for_surface(Surface::Discord)
            .map(|s| s.path.to_owned())
            .collect();
        listed.sort();
        assert_eq!(offered, listed);
    }

    #[test]
    fn every_discord_option_is_one_the_catalogue_lists() {
        fn check(c: &poise::Command<super::Data, super::BotError>, prefix: &str) {
            let path = if prefix.is_empty() {
                c.name.to_string()
            } else {
                format!("{prefix} {}", c.name)
            };
            for s in &c.subcommands {
                check(s, &path);
            }
            if !c.subcommands.is_empty() {
                return;
            }
            let spec = catalogue::find(&path).unwrap_or_else(|| panic!("{path} is not listed"));
            for p in &c.parameters {
                assert!(
                    spec.options.contains(&p.name.as_ref()),
                    "/okr {path} offers {}: which the catalogue does not list",
                    p.name
                );
            }
        }
        for top in super::all() {
            if top.subcommands.is_empty() {
                let spec = catalogue::find(own_path(&top)).expect("listed");
                for p in &top.parameters {
                    assert!(spec.options.contains(&p.name.as_ref()), "{}", p.name);
                }
            }
            for s in &top.subcommands {
                check(s, prefix(&top));
            }
        }
    }

    /// Discord hides a command from members without a permission only at the top level, so
    /// the admin's commands are top-level ones that ask for Manage Server, and the rest ask for
    /// nothing.
    #[test]
    fn only_the_admins_commands_ask_discord_for_manage_server() {
        for top in super::all() {
            let admin_only = top.subcommands.is_empty()
                && catalogue::find(own_path(&top)).expect("listed").who == catalogue::Who::Admin;
            let asks = top.default_member_permissions;
            if admin_only {
                assert_eq!(
                    asks,
                    poise::serenity_prelude::Permissions::MANAGE_GUILD,
                    "/{}",
                    top.name
                );
            } else {
                assert!(asks.is_empty(), "/{} asks for {asks:?}", top.name);
            }
        }
        // And no admin-only command hides under /okr or /kpi, where Discord cannot hide it.
        fn none_admin(c: &poise::Command<super::Data, super::BotError>, prefix: &str) {
            let path = if prefix.is_empty() {
                c.name.to_string()
            } else {
                format!("{prefix} {}", c.name)
            };
            if c.subcommands.is_empty() {
                let spec = catalogue::find(&path).expect("listed");
                assert_ne!(spec.who, catalogue::Who::Admin, "{path} is admin-only");
            }
            for s in &c.subcommands {
                none_admin(s, &path);
            }
        }
        for top in super::all() {
            for s in &top.subcommands {
                none_admin(s, prefix(&top));
            }
        }
    }
}
