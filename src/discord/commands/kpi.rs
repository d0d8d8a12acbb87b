//! `/kpi add | set | range | list | show | link | okr | remove` (`docs/kpis.md`).

use poise::serenity_prelude as serenity;

use super::{ac_kpi, ac_objective, ac_team, run, Context, Result};
use crate::command::KpiCommand;
use crate::command::{Command, HelpTopic, Surface};
use crate::discord::context::user_key;
use crate::service::kpis::KpiInput;

/// KPIs: the numbers your teams watch, with healthy ranges
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "kpi_help",
        "kpi_add",
        "kpi_set",
        "kpi_range",
        "kpi_edit",
        "kpi_list",
        "kpi_show",
        "kpi_link",
        "kpi_okr",
        "kpi_source",
        "kpi_fetch",
        "kpi_token",
        "kpi_withdraw",
        "kpi_remove"
    ),
    subcommand_required
)]
pub async fn kpi(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// The KPI commands, each with an example
#[poise::command(slash_command, rename = "help")]
async fn kpi_help(ctx: Context<'_>) -> Result {
    run(ctx, Command::Help(Surface::Discord, HelpTopic::Kpis)).await
}

/// Take back a reading: the latest, or one /kpi show numbers (its author or a lead)
#[poise::command(slash_command, rename = "withdraw")]
async fn kpi_withdraw(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
    #[description = "Its number in /kpi show, e.g. #41 (default: the latest)"] reading: Option<
        String,
    >,
    #[description = "Why, e.g. typo, meant 7.4%"] reason: Option<String>,
) -> Result {
    run(
        ctx,
        KpiCommand::Withdraw {
            kpi,
            reading,
            reason,
        },
    )
    .await
}

/// Watch a KPI with a healthy range (lead)
#[poise::command(slash_command, rename = "add")]
#[expect(clippy::too_many_arguments, reason = "a parameter per command option")]
async fn kpi_add(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Name, e.g. conversion"] name: String,
    #[description = "count, percent, days, hours, a currency such as USD, or a word such as ms"]
    unit: Option<String>,
    #[description = "higher or lower is better (default higher)"] direction: Option<String>,
    #[description = "Healthy at or above, e.g. 7%"] min: Option<String>,
    #[description = "Healthy at or below, e.g. 300 ms"] max: Option<String>,
    #[description = "Who records its readings (asked for them in the check-in prompt)"]
    owner: Option<serenity::User>,
    #[description = "How often it is asked for: weekly, monthly, 10d (default: every check-in prompt)"]
    cadence: Option<String>,
) -> Result {
    let input = KpiInput {
        team,
        name,
        unit,
        direction,
        min,
        max,
        owner: owner.map(|u| user_key(u.id)),
        cadence,
    };
    run(ctx, KpiCommand::Add(input)).await
}

/// Record a reading (owner or lead)
#[poise::command(slash_command, rename = "set")]
async fn kpi_set(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
    #[description = "The reading, e.g. 6.4%"] value: String,
) -> Result {
    run(ctx, KpiCommand::Set { kpi, value }).await
}

/// Change a KPI's healthy range (lead)
#[poise::command(slash_command, rename = "range")]
async fn kpi_range(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
    #[description = "Healthy at or above"] min: Option<String>,
    #[description = "Healthy at or below"] max: Option<String>,
) -> Result {
    run(ctx, KpiCommand::Range { kpi, min, max }).await
}

/// Change who is asked for a KPI and how often (lead)
#[poise::command(slash_command, rename = "edit")]
async fn kpi_edit(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
    #[description = "Who records its readings"] owner: Option<serenity::User>,
    #[description = "weekly, every 2 weeks, monthly, 10d, or prompt (every check-in prompt)"]
    cadence: Option<String>,
) -> Result {
    let owner = owner.map(|u| user_key(u.id));
    run(
        ctx,
        KpiCommand::Edit {
            kpi,
            owner,
            cadence,
        },
    )
    .await
}

/// KPIs, out of range first
#[poise::command(slash_command, rename = "list")]
async fn kpi_list(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
) -> Result {
    run(ctx, KpiCommand::List { team }).await
}

/// A KPI's readings, range, trend, alert and linked objectives
#[poise::command(slash_command, rename = "show")]
async fn kpi_show(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
) -> Result {
    run(ctx, KpiCommand::Show { kpi }).await
}

/// Link an objective to a KPI (lead)
#[poise::command(slash_command, rename = "link")]
async fn kpi_link(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
) -> Result {
    run(ctx, KpiCommand::Link { kpi, objective }).await
}

/// Start an OKR to bring a KPI back into range (lead)
#[poise::command(slash_command, rename = "okr")]
async fn kpi_okr(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
) -> Result {
    run(ctx, KpiCommand::Okr { kpi }).await
}

/// Stop watching a KPI: archived, readings kept (lead)
#[poise::command(slash_command, rename = "remove")]
async fn kpi_remove(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
) -> Result {
    run(ctx, KpiCommand::Remove { kpi }).await
}

/// Read a KPI from an HTTP JSON endpoint on its own cron (lead)
#[poise::command(slash_command, rename = "source")]
async fn kpi_source(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
    #[description = "An https URL that answers JSON, or none to remove the source"] url: String,
    #[description = "JSON pointer to the number, e.g. /data/rate"] pointer: Option<String>,
    #[description = "When to read it, cron in the team's zone (default hourly)"] cron: Option<
        String,
    >,
    #[description = "A secret header, e.g. Authorization: Bearer <token> (shown masked)"]
    header: Option<String>,
) -> Result {
    run(
        ctx,
        KpiCommand::Source {
            kpi,
            url,
            pointer,
            cron,
            header,
        },
    )
    .await
}

/// Read a KPI's source now (owner or lead)
#[poise::command(slash_command, rename = "fetch")]
async fn kpi_fetch(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
) -> Result {
    run(ctx, KpiCommand::Fetch { kpi }).await
}

/// Create or rotate the token for pushing readings (lead; shown once, privately)
#[poise::command(slash_command, rename = "token")]
async fn kpi_token(
    ctx: Context<'_>,
    #[description = "KPI"]
    #[autocomplete = "ac_kpi"]
    kpi: String,
) -> Result {
    run(ctx, KpiCommand::Token { kpi }).await
}
