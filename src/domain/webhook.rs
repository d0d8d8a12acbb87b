//! Team webhooks: the platforms a team's posts also go to, and how a webhook's URL (a secret) is
//! shown. The rules are `docs/webhooks.md`.

use std::fmt;

use chrono::{DateTime, Utc};

use super::model::TeamId;

/// A webhook row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebhookId(pub i64);

impl fmt::Display for WebhookId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a webhook posts; each takes its own payload shape (`render::webhook`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Slack incoming webhooks, Block Kit.
    Slack,
    /// Mattermost incoming webhooks, Markdown attachments.
    Mattermost,
    /// Microsoft Teams through a Workflows webhook, an Adaptive Card.
    Teams,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Slack, Platform::Mattermost, Platform::Teams];

    /// The stored and typed spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Mattermost => "mattermost",
            Platform::Teams => "teams",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Platform::Slack => "Slack",
            Platform::Mattermost => "Mattermost",
            Platform::Teams => "Microsoft Teams",
        }
    }

    /// As typed: any case, surrounding blanks ignored, `msteams` for Teams.
    pub fn parse(text: &str) -> Option<Platform> {
        let t = text.trim().to_lowercase();
        Some(match t.as_str() {
            "slack" => Platform::Slack,
            "mattermost" => Platform::Mattermost,
            "teams" | "msteams" | "microsoft teams" => Platform::Teams,
            _ => return None,
        })
    }
}

/// Consecutive "not found" / "gone" answers after which a webhook is disabled.
pub const DISABLE_AFTER: u32 = 3;
/// Webhooks a team may have.
pub const MAX_PER_TEAM: usize = 10;

/// A team's webhook. `Debug` masks the URL, so the secret cannot reach a log through `{:?}`.
#[derive(Clone, PartialEq)]
pub struct Webhook {
    pub id: WebhookId,
    pub team: TeamId,
    pub platform: Platform,
    /// The secret: only the outbox reads it whole.
    pub url: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// "Not found" / "gone" answers in a row.
    pub failures: u32,
    pub last_error: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl Webhook {
    pub fn masked_url(&self) -> String {
        mask(&self.url)
    }

    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("team", &self.team)
            .field("platform", &self.platform)
            .field("url", &self.masked_url())
            .field("failures", &self.failures)
            .field("disabled_at", &self.disabled_at)
            .finish()
    }
}

/// A webhook URL as typed, on its way to being checked: `Debug` shows it masked, so a command
/// logged whole does not log the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(pub String);

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({})", mask(&self.0))
    }
}

/// A URL as it may be shown: scheme and host, then only the last 4 characters of the rest, so
/// two webhooks on one host can be told apart without revealing the token in the path.
pub fn mask(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (host, path) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    // Credentials before the host are a secret too.
    let host = host.rsplit('@').next().unwrap_or(host);
    let tail: Vec<char> = path.chars().collect();
    let shown = if tail.len() > 12 {
        let last: String = tail[tail.len() - 4..].iter().collect();
        format!("/…{last}")
    } else if tail.is_empty() {
        String::new()
    } else {
        "/…".to_owned()
    };
    if scheme.is_empty() {
        format!("{host}{shown}")
    } else {
        format!("{scheme}://{host}{shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_url_keeps_the_host_and_four_characters_of_the_secret() {
        let url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXabcd";
        assert_eq!(mask(url), "https://hooks.slack.com/…abcd");
        assert!(!mask(url).contains("XXXX"));
        assert_eq!(mask("https://example.com/short"), "https://example.com/…");
        assert_eq!(mask("https://example.com"), "https://example.com");
        assert_eq!(
            mask("https://user:pw@example.com/hooks/0123456789abcdef"),
            "https://example.com/…cdef"
        );
        // Any text at all: no panic on a cut inside a character.
        assert_eq!(
            mask("https://ü.example/ééééééééééééééé"),
            "https://ü.example/…éééé"
        );
    }

    #[test]
    fn platforms_read_in_any_case_and_nothing_else() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(&p.as_str().to_uppercase()), Some(p));
        }
        assert_eq!(Platform::parse(" MSTeams "), Some(Platform::Teams));
        assert_eq!(Platform::parse("discord"), None);
    }

    #[test]
    fn debug_never_prints_the_whole_url() {
        let w = Webhook {
            id: WebhookId(1),
            team: TeamId(1),
            platform: Platform::Slack,
            url: "https://hooks.slack.com/services/T000/B000/SECRETSECRETSECRET".into(),
            created_by: "alice".into(),
            created_at: DateTime::UNIX_EPOCH,
            failures: 0,
            last_error: None,
            disabled_at: None,
        };
        assert!(!format!("{w:?}").contains("SECRETSECRET"));
    }
}
