//! `/okr help`, `/okr status`, `/okr digest`, `/okr schedule show | set`, `/okr export`.

use super::{ac_cycle, ac_objective, ac_team, run, Context, Result};
use crate::command::ReportCommand;
use crate::command::{export_format, status_scope, Command, HelpTopic, Surface};
use crate::service::schedule::ScheduleChange;
use crate::service::OkrError;

/// What okrbot does and what to type next
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result {
    run(ctx, Command::Help(Surface::Discord, HelpTopic::Everything)).await
}

/// Where things stand (only you see it)
#[poise::command(slash_command)]
pub async fn status(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: Option<String>,
    #[description = "Only my key results"] me: Option<bool>,
    #[description = "A past or coming cycle (default: the running one)"]
    #[autocomplete = "ac_cycle"]
    cycle: Option<String>,
) -> Result {
    let scope = status_scope(objective, team, None, me == Some(true));
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

/// Post a team's digest now, or the workspace rollup
#[poise::command(slash_command)]
pub async fn digest(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
    #[description = "team (default) or workspace"] scope: Option<String>,
    #[description = "A past cycle's alignment tree (with scope:workspace), e.g. 2026-Q3"]
    #[autocomplete = "ac_cycle"]
    cycle: Option<String>,
) -> Result {
    super::defer_private(ctx).await?;
    let c = if scope
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("workspace"))
    {
        ReportCommand::Rollup { cycle }
    } else if let Some(cycle) = cycle.filter(|c| !c.trim().is_empty()) {
        return Err(crate::command::past_team_digest(&cycle).into());
    } else {
        let team = team.ok_or_else(|| {
            OkrError::invalid("name the team, e.g. /okr digest team:Growth, or use scope:workspace")
        })?;
        ReportCommand::Digest { team }
    };
    run(ctx, c).await
}

/// Check-in, reminder and digest times
#[poise::command(
    slash_command,
    subcommands("schedule_show", "schedule_set"),
    subcommand_required
)]
pub async fn schedule(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// The next times of each schedule, in the team's zone
#[poise::command(slash_command, rename = "show")]
async fn schedule_show(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
) -> Result {
    run(ctx, ReportCommand::ScheduleShow { team }).await
}

/// Change when prompts, reminders and digests go out (lead); cron in the team's zone
#[poise::command(slash_command, rename = "set")]
async fn schedule_set(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Check-in prompt, e.g. 0 9 * * Mon"] prompt: Option<String>,
    #[description = "Reminder, e.g. 0 9 * * Wed"] reminder: Option<String>,
    #[description = "Digest, e.g. 0 16 * * Mon"] digest: Option<String>,
    #[description = "When the channel is posted to, e.g. 09:00-18:00 Mon-Fri, or always"]
    hours: Option<String>,
) -> Result {
    let change = ScheduleChange {
        prompt,
        reminder,
        digest,
        hours,
    };
    run(ctx, ReportCommand::ScheduleSet { team, change }).await
}

/// The workspace's OKRs as a file: json (re-importable), csv or markdown
#[poise::command(slash_command)]
pub async fn export(
    ctx: Context<'_>,
    #[description = "json, csv or markdown (default)"] format: Option<String>,
) -> Result {
    super::defer_private(ctx).await?;
    let format = export_format(format.as_deref())?;
    run(ctx, ReportCommand::Export(format)).await
}
