//! `/okr objective add | edit | list | show | align | close`.

use poise::serenity_prelude as serenity;

use super::{ac_cycle, ac_objective, ac_team, run, Context, Result};
use crate::command::{ObjectiveCommand, ReportCommand};
use crate::discord::context::user_key;
use crate::service::objectives::{ObjectiveEdit, ObjectiveInput};
use crate::service::report::StatusScope;

/// Objectives: add, edit, list, show, align, close
#[poise::command(
    slash_command,
    subcommands(
        "objective_add",
        "objective_edit",
        "objective_list",
        "objective_show",
        "objective_align",
        "objective_share",
        "objective_unshare",
        "objective_close"
    ),
    subcommand_required
)]
pub async fn objective(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Add an objective to a team's current cycle (lead)
#[poise::command(slash_command, rename = "add")]
async fn objective_add(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "What you want to achieve"] title: String,
    #[description = "committed or aspirational"] kind: Option<String>,
    #[description = "Owner"] owner: Option<serenity::User>,
    #[description = "Aligned under this objective"]
    #[autocomplete = "ac_objective"]
    parent: Option<String>,
) -> Result {
    let input = ObjectiveInput {
        team,
        title,
        kind,
        owner: owner.map(|u| user_key(u.id)),
        parent,
        cycle: None,
    };
    run(ctx, ObjectiveCommand::Add(input)).await
}

/// Change an objective's title, kind or owner (lead)
#[poise::command(slash_command, rename = "edit")]
async fn objective_edit(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "New title"] title: Option<String>,
    #[description = "committed or aspirational"] kind: Option<String>,
    #[description = "New owner"] owner: Option<serenity::User>,
) -> Result {
    let edit = ObjectiveEdit {
        title,
        kind,
        owner: owner.map(|u| user_key(u.id)),
    };
    run(ctx, ObjectiveCommand::Edit { objective, edit }).await
}

/// A team's objectives and key results, scored
#[poise::command(slash_command, rename = "list")]
async fn objective_list(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "A past or coming cycle (default: the running one)"]
    #[autocomplete = "ac_cycle"]
    cycle: Option<String>,
) -> Result {
    let scope = StatusScope::Team(team);
    run(
        ctx,
        ReportCommand::Status {
            scope,
            cycle,
            owner: None,
        },
    )
    .await
}

/// One objective with its key results
#[poise::command(slash_command, rename = "show")]
async fn objective_show(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
) -> Result {
    let scope = StatusScope::Objective(objective);
    run(
        ctx,
        ReportCommand::Status {
            scope,
            cycle: None,
            owner: None,
        },
    )
    .await
}

/// Align an objective under a parent (company -> team -> person)
#[poise::command(slash_command, rename = "align")]
async fn objective_align(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "Parent objective (empty removes the alignment)"]
    #[autocomplete = "ac_objective"]
    parent: Option<String>,
) -> Result {
    run(ctx, ObjectiveCommand::Align { objective, parent }).await
}

/// Pursue an objective with another team (its owner or lead)
#[poise::command(slash_command, rename = "share")]
async fn objective_share(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "The contributing team"]
    #[autocomplete = "super::ac_team"]
    team: String,
) -> Result {
    let c = ObjectiveCommand::Share {
        objective,
        team,
        share: true,
    };
    run(ctx, c).await
}

/// Stop sharing an objective with a team (its owner or lead)
#[poise::command(slash_command, rename = "unshare")]
async fn objective_unshare(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "The contributing team"]
    #[autocomplete = "super::ac_team"]
    team: String,
) -> Result {
    let c = ObjectiveCommand::Share {
        objective,
        team,
        share: false,
    };
    run(ctx, c).await
}

/// Close an objective
#[poise::command(slash_command, rename = "close")]
async fn objective_close(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
) -> Result {
    run(ctx, ObjectiveCommand::Close { objective }).await
}
