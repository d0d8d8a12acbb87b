//! Reading Discord's ids back from what the core stores (ledger rows, team channels, mentions):
//! one spelling accepted everywhere, in a module the outbox, the renderer and the handlers all
//! reach without importing each other.

/// A snowflake as Discord writes it: decimal digits, not zero.
pub fn parse_snowflake(s: &str) -> Option<u64> {
    s.parse::<u64>()
        .ok()
        .filter(|n| *n != 0 && n.to_string() == s)
}

#[cfg(test)]
mod tests {
    use super::*;

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
