//! Reading Discord's ids back from what the core stores (ledger rows, team channels, mentions):
//! one spelling accepted everywhere, in a module the outbox, the renderer and the handlers all
//! reach without importing each other.

/// A snowflake as Discord writes it: decimal digits, not zero.
pub fn parse_snowflake(s: &str) -> Option<u64> {
    s.parse::<u64>()
        .ok()
        .filter(|n| *n != 0 && n.to_string() == s)
}

/// Whom a mention names, as the core stores people and groups (`context::user_key`,
/// `context::role_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mention {
    User(u64),
    Role(u64),
}

/// `<@id>` (or `<@!id>`, the old nickname form) is a user, `<@&id>` a role; anything else is
/// not a mention.
pub fn parse_mention(text: &str) -> Option<Mention> {
    let inner = text.strip_prefix("<@")?.strip_suffix('>')?;
    match inner.strip_prefix('&') {
        Some(role) => parse_snowflake(role).map(Mention::Role),
        None => parse_snowflake(inner.strip_prefix('!').unwrap_or(inner)).map(Mention::User),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_name_users_and_roles_and_nothing_else() {
        assert_eq!(parse_mention("<@123>"), Some(Mention::User(123)));
        assert_eq!(parse_mention("<@!123>"), Some(Mention::User(123)));
        assert_eq!(parse_mention("<@&123>"), Some(Mention::Role(123)));
        for not in [
            "123", "<@>", "<@&>", "<@0>", "<@12a>", "<#123>", "@alice", "<@123",
        ] {
            assert_eq!(parse_mention(not), None, "{not}");
        }
    }

    #[test]
    fn snowflakes_are_decimal_digits_and_nothing_else() {
        assert_eq!(
            parse_snowflake("123456789012345678"),
            Some(123456789012345678)
        );
        assert_eq!(parse_snowflake("okr-team"), None);
        assert_eq!(parse_snowflake(""), None);
        assert_eq!(parse_snowflake("0"), None);
        assert_eq!(parse_snowflake("+12"), None);
        assert_eq!(parse_snowflake("012"), None);
    }
}
