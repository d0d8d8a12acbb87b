//! `/okr me`, `/okr away set | list | cancel` and `/okr holidays add | list | remove`.

use poise::serenity_prelude as serenity;

use super::{ac_team, run, Context, Result};
use crate::command::PeopleCommand;
use crate::discord::context::user_key;
use crate::domain::view::HolidayChange;

/// What okrbot knows about you: zone, time off, key results, next prompt; set your time zone
#[poise::command(slash_command)]
pub async fn me(
    ctx: Context<'_>,
    #[description = "Your own time zone, e.g. Asia/Tokyo (team: your teams' again)"]
    timezone: Option<String>,
    #[description = "A member of your team (lead)"] member: Option<serenity::User>,
) -> Result {
    let member = member.map(|u| user_key(u.id));
    run(ctx, PeopleCommand::Me { member, timezone }).await
}

/// Time off: no prompts, reminders or lead reports while away
#[poise::command(
    slash_command,
    subcommands("away_set", "away_list", "away_cancel"),
    subcommand_required
)]
pub async fn away(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Enter time off: no prompts or reminders; one prompt on your first day back
#[poise::command(slash_command, rename = "set")]
async fn away_set(
    ctx: Context<'_>,
    #[description = "First day away: 2026-12-21, today or tomorrow"] from: String,
    #[description = "Last day away (leave out for one day)"] to: Option<String>,
    #[description = "A word for the team, e.g. family"] note: Option<String>,
    #[description = "A member of your team (lead)"] member: Option<serenity::User>,
) -> Result {
    let member = member.map(|u| user_key(u.id));
    run(
        ctx,
        PeopleCommand::AwaySet {
            from,
            to,
            note,
            member,
        },
    )
    .await
}

/// Who is away, from today on
#[poise::command(slash_command, rename = "list")]
async fn away_list(
    ctx: Context<'_>,
    #[description = "Team (leave out for everyone)"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
) -> Result {
    run(ctx, PeopleCommand::AwayList { team }).await
}

/// End your time off now, or cancel the next one
#[poise::command(slash_command, rename = "cancel")]
async fn away_cancel(
    ctx: Context<'_>,
    #[description = "A member of your team (lead)"] member: Option<serenity::User>,
) -> Result {
    let member = member.map(|u| user_key(u.id));
    run(ctx, PeopleCommand::AwayCancel { member }).await
}

/// A team's days off: prompts on them move to the next working day
#[poise::command(
    slash_command,
    subcommands("holidays_add", "holidays_list", "holidays_remove"),
    subcommand_required
)]
pub async fn holidays(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Add days off for the whole team (lead)
#[poise::command(slash_command, rename = "add")]
async fn holidays_add(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Days: 2026-12-24,2026-12-25 or 2026-12-24..2026-12-31"] dates: String,
) -> Result {
    let change = HolidayChange::Added(0);
    run(
        ctx,
        PeopleCommand::Holidays {
            team,
            dates: Some(dates),
            change,
        },
    )
    .await
}

/// A team's days off, from today on
#[poise::command(slash_command, rename = "list")]
async fn holidays_list(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
) -> Result {
    let change = HolidayChange::Listed;
    run(
        ctx,
        PeopleCommand::Holidays {
            team,
            dates: None,
            change,
        },
    )
    .await
}

/// Take days off back (lead)
#[poise::command(slash_command, rename = "remove")]
async fn holidays_remove(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Days: 2026-12-31, or a range 2026-12-24..2026-12-26"] dates: String,
) -> Result {
    let change = HolidayChange::Removed(0);
    run(
        ctx,
        PeopleCommand::Holidays {
            team,
            dates: Some(dates),
            change,
        },
    )
    .await
}
