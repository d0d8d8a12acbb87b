//! `/okr webhook add | list | remove | test` (`docs/webhooks.md`). Every reply is private: a
//! webhook is team setup, and its URL a secret (shown masked even so).

use super::{ac_team, run, Context, Result};
use crate::command::WebhookCommand;
use crate::domain::webhook::SecretUrl;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum Kind {
    #[name = "Slack"]
    Slack,
    #[name = "Mattermost"]
    Mattermost,
    #[name = "Microsoft Teams"]
    Teams,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Slack => "slack",
            Kind::Mattermost => "mattermost",
            Kind::Teams => "teams",
        }
    }
}

/// Webhooks: the team's digests and alerts in Slack, Mattermost or Teams too
#[poise::command(
    slash_command,
    subcommands("webhook_add", "webhook_list", "webhook_remove", "webhook_test"),
    subcommand_required
)]
pub async fn webhook(ctx: Context<'_>) -> Result {
    super::group_invoked(ctx).await
}

/// Post the team's digests and alerts to a Slack, Mattermost or Teams webhook too (lead)
#[poise::command(slash_command, rename = "add")]
async fn webhook_add(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Where the webhook posts"] kind: Kind,
    #[description = "The webhook URL the platform shows (kept secret)"] url: String,
) -> Result {
    // The address is looked up before anything is written: that may take a moment.
    super::defer_private(ctx).await?;
    let command = WebhookCommand::Add {
        team,
        kind: kind.as_str().to_owned(),
        url: SecretUrl(url),
    };
    run(ctx, command).await
}

/// The team's webhooks, URLs masked, and how their last posts went (lead)
#[poise::command(slash_command, rename = "list")]
async fn webhook_list(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
) -> Result {
    super::defer_private(ctx).await?;
    run(ctx, WebhookCommand::List { team }).await
}

/// Stop posting to a webhook (lead)
#[poise::command(slash_command, rename = "remove")]
async fn webhook_remove(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Its number in /okr webhook list"] webhook: String,
) -> Result {
    super::defer_private(ctx).await?;
    run(ctx, WebhookCommand::Remove { team, webhook }).await
}

/// Post a sample to the team's webhooks now (lead)
#[poise::command(slash_command, rename = "test")]
async fn webhook_test(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Its number in /okr webhook list; all of them if left out"] webhook: Option<
        String,
    >,
) -> Result {
    super::defer_private(ctx).await?;
    run(ctx, WebhookCommand::Test { team, webhook }).await
}
