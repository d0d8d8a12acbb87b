//! Clipping text for people to read: any text to a length, and how refusals quote what a person
//! typed, in double quotes and clipped, so a pasted essay cannot turn an error message into
//! another essay.

/// Long input is quoted in messages only up to this many characters.
const QUOTE_CHARS: usize = 60;

/// `s` cut to at most `max` characters, an ellipsis marking the cut.
pub fn clip_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// `s` cut to [`QUOTE_CHARS`] characters, an ellipsis marking the cut.
pub(crate) fn clip(s: &str) -> String {
    clip_chars(s, QUOTE_CHARS)
}

/// `s` clipped and in double quotes, as refusals show what was typed.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", clip(s))
}
