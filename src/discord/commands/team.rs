//! `/okr-setup` and `/okr cycle new | list | close`.

use poise::serenity_prelude as serenity;

use super::{ac_cycle, run, Context, Result};
use crate::command::CycleNew;
use crate::command::TeamCommand;
use crate::discord::context::{role_key, user_key};
use crate::domain::model::Member;
use crate::service::setup::SetupInput;

/// Create or change a team (Manage Server)
///
/// A top-level command of its own, so that Discord shows it only to members with Manage
/// Server (`docs/discord.md`); the core checks the right again.
#[poise::command(
    slash_command,
    rename = "okr-setup",
    guild_only,
    default_member_permissions = "MANAGE_GUILD"
)]
pub async fn setup(
    ctx: Context<'_>,
    #[description = "Team name"] team: String,
    #[description = "IANA time zone, e.g. Europe/Berlin"] timezone: Option<String>,
    #[description = "Channel for digests and alerts"] channel: Option<serenity::GuildChannel>,
    #[description = "Team lead"] lead: Option<serenity::User>,
    #[description = "A role whose members lead the team"] lead_role: Option<serenity::Role>,
    #[description = "Code prefix, 2-6 letters (GRO in GRO-1.2)"] prefix: Option<String>,
) -> Result {
    let input = SetupInput {
        team,
        timezone,
        channel: channel.map(|c| c.id.to_string()),
        prefix,
        // Either or both: a person and a role; given at all, they replace the team's leads.
        leads: (lead.is_some() || lead_role.is_some()).then(|| {
            lead.map(|u| Member::Person(user_key(u.id)))
                .into_iter()
                .chain(lead_role.map(|r| Member::Group(role_key(r.id))))
                .collect()
        }),
    };
    run(ctx, TeamCommand::Setup(input)).await
}

/// Cycles: new, list, close
#[poise::command(
    slash_command,
    subcommands("cycle_new", "cycle_list", "cycle_close"),
    subcommand_required
)]
pub async fn cycle(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Start a cycle (optionally carrying unfinished objectives over)
#[poise::command(slash_command, rename = "new")]
async fn cycle_new(
    ctx: Context<'_>,
    #[description = "Name, e.g. 2026-Q4"] name: String,
    #[description = "First day, YYYY-MM-DD"] start: String,
    #[description = "Last day, YYYY-MM-DD"] end: String,
    #[description = "Carry unfinished objectives over from this cycle"]
    #[autocomplete = "ac_cycle"]
    from: Option<String>,
) -> Result {
    let c = CycleNew::parse(name, &start, &end, from)?;
    run(ctx, TeamCommand::CycleNew(c)).await
}

/// List the cycles
#[poise::command(slash_command, rename = "list")]
async fn cycle_list(ctx: Context<'_>) -> Result {
    run(ctx, TeamCommand::CycleList).await
}

/// Close a cycle: grades it and posts the final scores to each team
#[poise::command(slash_command, rename = "close")]
async fn cycle_close(
    ctx: Context<'_>,
    #[description = "Cycle"]
    #[autocomplete = "ac_cycle"]
    name: String,
) -> Result {
    super::defer_private(ctx).await?;
    run(ctx, TeamCommand::CycleClose { name }).await
}
