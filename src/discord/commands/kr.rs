//! `/okr kr add | edit | remove | list | show`.

use poise::serenity_prelude as serenity;

use super::{ac_kr, ac_objective, ac_team, run, Context, Result};
use crate::command::status_scope;
use crate::command::{CheckInCommand, KrCommand, ReportCommand};
use crate::discord::context::user_key;
use crate::service::objectives::{KrEdit, KrInput};

/// Key results: add, edit, remove, list, show
#[poise::command(
    slash_command,
    subcommands("kr_add", "kr_edit", "kr_remove", "kr_restore", "kr_list", "kr_show"),
    subcommand_required
)]
pub async fn kr(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Add a key result (lead)
#[poise::command(slash_command, rename = "add")]
#[expect(clippy::too_many_arguments, reason = "a parameter per command option")]
async fn kr_add(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "What is measured"] title: String,
    #[description = "metric, threshold or milestone"] kind: Option<String>,
    #[description = "Start value (metric)"] start: Option<String>,
    #[description = "Target value, e.g. 500, $100 million or +30% (of the start)"] target: Option<
        String,
    >,
    #[description = "count, percent, days, hours, a currency such as USD, or a word such as points"]
    unit: Option<String>,
    #[description = "Owner"] owner: Option<serenity::User>,
    #[description = "at_least or at_most (threshold)"] direction: Option<String>,
    #[description = "Weight in the objective's score (default 1)"] weight: Option<String>,
    #[description = "How confident the owner is, 1-10"]
    #[min = 1]
    #[max = 10]
    confidence: Option<u8>,
    #[description = "Pace it from this day, YYYY-MM-DD (default: the day it is added)"]
    from: Option<String>,
    #[description = "Of a shared objective: the contributing team that carries it"]
    #[autocomplete = "super::ac_team"]
    team: Option<String>,
) -> Result {
    let input = KrInput {
        objective,
        title,
        kind,
        unit,
        start,
        target,
        direction,
        owner: owner.map(|u| user_key(u.id)),
        weight,
        confidence: confidence.map(|c| c.to_string()),
        from,
        team,
    };
    run(ctx, KrCommand::Add(Box::new(input))).await
}

/// Change a key result (lead)
#[poise::command(slash_command, rename = "edit")]
#[expect(clippy::too_many_arguments, reason = "a parameter per command option")]
async fn kr_edit(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
    #[description = "New title"] title: Option<String>,
    #[description = "New owner"] owner: Option<serenity::User>,
    #[description = "New start value"] start: Option<String>,
    #[description = "New target, e.g. 500 or +30% (of the start)"] target: Option<String>,
    #[description = "at_least or at_most (threshold)"] direction: Option<String>,
    #[description = "New weight"] weight: Option<String>,
    #[description = "Pace it from this day, YYYY-MM-DD"] from: Option<String>,
) -> Result {
    let edit = KrEdit {
        title,
        owner: owner.map(|u| user_key(u.id)),
        start,
        target,
        direction,
        weight,
        from,
    };
    run(ctx, KrCommand::Edit { kr, edit }).await
}

/// Remove a key result (lead)
#[poise::command(slash_command, rename = "remove")]
async fn kr_remove(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    run(ctx, KrCommand::Remove { kr }).await
}

/// Bring back a removed key result (lead)
#[poise::command(slash_command, rename = "restore")]
async fn kr_restore(
    ctx: Context<'_>,
    #[description = "Key result, e.g. GRO-1.3"] kr: String,
) -> Result {
    run(ctx, KrCommand::Restore { kr }).await
}

/// Key results, scored: of a team, an objective or one owner
#[poise::command(slash_command, rename = "list")]
async fn kr_list(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: Option<String>,
    #[description = "Owner"] owner: Option<serenity::User>,
) -> Result {
    let owner = owner.map(|u| user_key(u.id));
    run(
        ctx,
        ReportCommand::Status {
            scope: status_scope(objective, team, owner.clone(), false),
            cycle: None,
            owner,
        },
    )
    .await
}

/// A key result's check-in history
#[poise::command(slash_command, rename = "show")]
async fn kr_show(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    run(ctx, CheckInCommand::History { kr }).await
}
