//! How refusals quote what a person typed: in double quotes, clipped, so a pasted essay cannot
//! turn an error message into another essay.

/// Long input is quoted in messages only up to this many characters.
const QUOTE_CHARS: usize = 60;

/// `s` cut to [`QUOTE_CHARS`] characters, an ellipsis marking the cut.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= QUOTE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(QUOTE_CHARS - 1).collect();
    out.push('…');
    out
}

/// `s` clipped and in double quotes, as refusals show what was typed.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", clip(s))
}
