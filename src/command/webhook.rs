//! Team webhooks: `/okr webhook add | list | remove | test` (`docs/webhooks.md`), in both
//! adapters.

use chrono::{DateTime, Utc};

use super::{Command, Options, Reply};
use crate::domain::webhook::SecretUrl;
use crate::service::{Actor, Okr, Result};

/// Team webhooks.
#[derive(Debug, Clone)]
pub enum WebhookCommand {
    /// The URL is a secret: replies and logs show it masked.
    Add {
        team: String,
        kind: String,
        url: SecretUrl,
    },
    List {
        team: String,
    },
    Remove {
        team: String,
        webhook: String,
    },
    /// Posts a sample now; to every webhook of the team when none is named.
    Test {
        team: String,
        webhook: Option<String>,
    },
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let built = match path {
        "webhook add" => WebhookCommand::Add {
            team: o.need("team", "team:Growth")?,
            kind: o.need("kind", "kind:slack (or mattermost, teams)")?,
            url: SecretUrl(o.need("url", "url:https://hooks.slack.com/services/…")?),
        },
        "webhook list" => WebhookCommand::List {
            team: o.need("team", "team:Growth")?,
        },
        "webhook remove" => WebhookCommand::Remove {
            team: o.need("team", "team:Growth")?,
            webhook: o.need("webhook", "webhook:1 (/okr webhook list shows the numbers)")?,
        },
        "webhook test" => WebhookCommand::Test {
            team: o.need("team", "team:Growth")?,
            webhook: o.opt("webhook"),
        },
        _ => return Ok(None),
    };
    Ok(Some(built.into()))
}

impl WebhookCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            WebhookCommand::Add { team, kind, url } => {
                let (team, webhook) = okr.webhook_add(actor, &team, &kind, &url.0, now).await?;
                Reply::WebhookAdded { team, webhook }
            }
            WebhookCommand::List { team } => {
                let (team, webhooks) = okr.webhook_list(actor, &team).await?;
                Reply::WebhookList { team, webhooks }
            }
            WebhookCommand::Remove { team, webhook } => {
                let (team, webhook) = okr.webhook_remove(actor, &team, &webhook).await?;
                Reply::WebhookRemoved { team, webhook }
            }
            WebhookCommand::Test { team, webhook } => {
                let (team, results) = okr
                    .webhook_test(actor, &team, webhook.as_deref(), now)
                    .await?;
                Reply::WebhookTested { team, results }
            }
        })
    }
}
