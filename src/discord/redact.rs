//! Errors about Discord, fit for the log. serenity's and reqwest's errors carry the request URL,
//! and an interaction's URL holds its token (`/interactions/<id>/<token>/callback`,
//! `/webhooks/<application>/<token>/…`), which can post as the bot for 15 minutes: the token
//! segment is replaced before anything is logged.

/// The path segments after which a token follows, one id segment later.
const TOKEN_AFTER: [&str; 2] = ["/interactions/", "/webhooks/"];

/// `text` with the token of every interaction or webhook URL in it replaced by `<token>`.
pub fn scrub_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, marker)) = TOKEN_AFTER
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, *m)))
        .min_by_key(|(i, _)| *i)
    {
        let after = at + marker.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        // The id: digits (or anything up to the next `/`), kept.
        let id_end = rest.find(end_of_segment).unwrap_or(rest.len());
        if !rest[id_end..].starts_with('/') {
            continue;
        }
        out.push_str(&rest[..=id_end]);
        rest = &rest[id_end + 1..];
        let token_end = rest.find(end_of_segment).unwrap_or(rest.len());
        if token_end > 0 {
            out.push_str("<token>");
        }
        rest = &rest[token_end..];
    }
    out.push_str(rest);
    out
}

/// Where a URL path segment ends inside a logged error (`Debug` quotes, a query, a space).
fn end_of_segment(c: char) -> bool {
    matches!(
        c,
        '/' | '?' | '#' | '"' | '\'' | ')' | ',' | '\\' | '>' | '}' | ']'
    ) || c.is_whitespace()
}

/// A serenity error, whole (`Debug`, with status, route and Discord's JSON error), minus tokens.
pub fn for_log(e: &dyn std::fmt::Debug) -> String {
    scrub_tokens(&format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_and_webhook_tokens_are_replaced_and_the_rest_kept() {
        let cases = [
            (
                r#"UnsuccessfulRequest(ErrorResponse { status_code: 400, url: "https://discord.com/api/v10/interactions/1200/aW50ZXJhY3Rpb246MTIzNDU2/callback", method: POST })"#,
                r#"UnsuccessfulRequest(ErrorResponse { status_code: 400, url: "https://discord.com/api/v10/interactions/1200/<token>/callback", method: POST })"#,
            ),
            (
                "error sending request for url (https://discord.com/api/v10/webhooks/42/tok-en.x_y/messages/@original)",
                "error sending request for url (https://discord.com/api/v10/webhooks/42/<token>/messages/@original)",
            ),
            (
                "POST /api/v10/webhooks/42/secret?wait=true and /interactions/7/other",
                "POST /api/v10/webhooks/42/<token>?wait=true and /interactions/7/<token>",
            ),
            ("/interactions/ at the end", "/interactions/ at the end"),
            ("/webhooks/42", "/webhooks/42"),
            ("/webhooks/42/", "/webhooks/42/"),
            ("no url at all, ünïcode 🚀", "no url at all, ünïcode 🚀"),
        ];
        for (input, want) in cases {
            assert_eq!(scrub_tokens(input), want, "{input}");
        }
    }

    #[test]
    fn any_text_is_scrubbed_without_panicking() {
        for s in [
            "/webhooks//",
            "/interactions/🚀/🚀",
            "/webhooks/1/\u{0}",
            "",
            "//webhooks/",
        ] {
            let out = scrub_tokens(s);
            assert!(
                !out.contains('🚀') || !s.starts_with("/interactions/🚀/🚀/"),
                "{out}"
            );
        }
        assert_eq!(
            scrub_tokens("/interactions/🚀/🚀"),
            "/interactions/🚀/<token>"
        );
    }
}
