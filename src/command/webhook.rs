//! Team webhooks: `/okr webhook add | list | remove | test` (`docs/webhooks.md`), in both
//! adapters.

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{spec, Command, Options, Reply, Spec, Who};
use crate::domain::webhook::SecretUrl;
use crate::service::{Actor, Okr, Result};

/// The catalogue entries of this group, in help order.
pub(super) const SPECS: &[Spec] = &[
    spec(
        "webhook add",
        &["team", "kind", "url"],
        Who::Lead,
        "post the team's digests and alerts to Slack, Mattermost or Teams too",
        "team:Growth kind:slack url:https://hooks.slack.com/services/T000/B000/XXXX",
    ),
    spec(
        "webhook list",
        &["team"],
        Who::Lead,
        "the team's webhooks (URLs masked) and how their last posts went",
        "team:Growth",
    ),
    spec(
        "webhook remove",
        &["team", "webhook"],
        Who::Lead,
        "stop posting to a webhook",
        "team:Growth webhook:1",
    ),
    spec(
        "webhook test",
        &["team", "webhook"],
        Who::Lead,
        "post a sample to the team's webhooks now (enables a disabled one that works again)",
        "team:Growth webhook:1",
    ),
];

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let built = match path {
        "webhook add" => (|| {
            Ok(Command::WebhookAdd {
                team: o.need("team", "team:Growth")?,
                kind: o.need("kind", "kind:slack (or mattermost, teams)")?,
                url: SecretUrl(o.need("url", "url:https://hooks.slack.com/services/…")?),
            })
        })(),
        "webhook list" => (|| {
            Ok(Command::WebhookList {
                team: o.need("team", "team:Growth")?,
            })
        })(),
        "webhook remove" => (|| {
            Ok(Command::WebhookRemove {
                team: o.need("team", "team:Growth")?,
                webhook: o.need("webhook", "webhook:1 (/okr webhook list shows the numbers)")?,
            })
        })(),
        "webhook test" => (|| {
            Ok(Command::WebhookTest {
                team: o.need("team", "team:Growth")?,
                webhook: o.opt("webhook"),
            })
        })(),
        _ => return None,
    };
    Some(built)
}

pub(super) async fn apply(
    okr: &Okr,
    actor: &Actor,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Reply> {
    Ok(match command {
        Command::WebhookAdd { team, kind, url } => {
            let (team, webhook) = okr.webhook_add(actor, &team, &kind, &url.0, now).await?;
            Reply::WebhookAdded { team, webhook }
        }
        Command::WebhookList { team } => {
            let (team, webhooks) = okr.webhook_list(actor, &team).await?;
            Reply::WebhookList { team, webhooks }
        }
        Command::WebhookRemove { team, webhook } => {
            let (team, webhook) = okr.webhook_remove(actor, &team, &webhook).await?;
            Reply::WebhookRemoved { team, webhook }
        }
        Command::WebhookTest { team, webhook } => {
            let (team, results) = okr
                .webhook_test(actor, &team, webhook.as_deref(), now)
                .await?;
            Reply::WebhookTested { team, results }
        }
        other => return Err(misrouted(&other)),
    })
}
