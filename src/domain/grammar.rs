//! The update grammar of `docs/update-grammar.md`: one line of text becomes a typed key-result
//! update, or a [`ParseError`] whose `Display` is the message shown to the user.
//!
//! ```text
//! <kr-ref> <value> [c<1-10> | conf <1-10> | confidence <1-10>] [note...]
//! ```
//!
//! Contract:
//! - No function here panics, whatever the input (any Unicode, any length).
//! - The value is read by the value grammar ([`super::value`]), so every number is finite and
//!   bounded, and a value reads the same in a line as in a form.
//! - Errors quote the offending part (clipped to a readable length) and say how to fix it.
//! - Parsing is separate from checking against data: [`resolve_kr`] ([`resolve`]) turns a
//!   [`KrRef`] into a [`KrId`](super::model::KrId), and [`new_value`](super::value::new_value)
//!   checks the unit and kind of the key result. Nothing here touches storage.
//! - [`parse_bulk`] is all-or-nothing: one bad line fails the whole message.

pub mod plain;
pub mod request;
pub mod resolve;

pub use super::value::{ParsedValue, ValueSpec};
pub use request::{bulk_requests, confidence_field, parse_kr_ref, CheckInRequest, UpdateFields};
pub use resolve::{resolve_kr, KrCandidate, KrRef, ResolveError};

use super::model::{Confidence, Note, NoteTooLong, Unit};
use super::quote::{clip, quote};
use super::value::{parse_value_token, read_value, word, Context, ValueParseError, TRAILING_PUNCT};

const CONFIDENCE_RANGE: &str = "confidence is 1 (no chance) to 10 (certain)";

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedUpdate {
    pub kr_ref: KrRef,
    pub value: ParsedValue,
    pub confidence: Option<Confidence>,
    pub note: Option<Note>,
}

/// Why a line is not an update. `Display` is the polite message for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("nothing to record: write the key result and its new value, e.g. GRO-1.1 42")]
    Empty,
    #[error("nothing to record: write one update per line, e.g. GRO-1.1 42")]
    NothingToRecord,
    /// A form's key-result field is blank.
    #[error("give the key result, e.g. kr:GRO-1.1")]
    NoKeyResult,
    #[error(
        "{} needs a key result before it: write its code, id or part of its title first, \
         e.g. GRO-1.1 {}",
        quote(.value),
        clip(.value)
    )]
    MissingRef { value: String },
    #[error(
        "the quotes are empty: put part of the key result's title inside them, \
         e.g. \"onboarding time\" 9"
    )]
    EmptyQuotedRef,
    #[error(
        "the quote before {} is never closed: write the title part in double quotes, \
         e.g. \"onboarding time\" 9",
        quote(.text)
    )]
    UnclosedQuote { text: String },
    #[error(
        "{} is not a key result id: ids are whole numbers like 12 (/okr kr list shows them)",
        quote(.text)
    )]
    BadId { text: String },
    #[error(
        "{} has no value: write the new value after the key result, e.g. GRO-1.1 42 or GRO-1.1 done",
        quote(.reference)
    )]
    MissingValue { reference: String },
    /// The value after the reference does not parse.
    #[error("{error}{}", title_hint(.in_title))]
    Value {
        error: ValueParseError,
        /// The bad token ended an unquoted title, so it may belong to the title.
        in_title: bool,
    },
    #[error("{} is not a valid confidence: {}; write it like c8", quote(.text), CONFIDENCE_RANGE)]
    BadConfidence { text: String },
    #[error(transparent)]
    Note(#[from] NoteTooLong),
}

/// Parses one update line (see the module doc for the grammar).
pub fn parse_update(line: &str) -> Result<ParsedUpdate, ParseError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    let (kr_ref, ref_text, rest, in_title) = split_ref(line)?;
    let toks = tokens(rest);
    if toks.is_empty() {
        let reference = ref_text.to_string();
        return Err(ParseError::MissingValue { reference });
    }
    let texts: Vec<&str> = toks.iter().map(|t| t.text).collect();
    let (value, used) = read_value(&texts, Context::Line).map_err(|error| {
        let in_title = in_title && matches!(error, ValueParseError::NotANumber { .. });
        ParseError::Value { error, in_title }
    })?;
    let (confidence, note) = confidence_and_note(rest, &toks[used..])?;
    Ok(ParsedUpdate {
        kr_ref,
        value,
        confidence,
        note,
    })
}

/// What follows the value: an optional confidence, then the note (its own spacing kept).
fn confidence_and_note(
    text: &str,
    toks: &[Tok<'_>],
) -> Result<(Option<Confidence>, Option<Note>), ParseError> {
    let (mut confidence, mut i) = (None, 0);
    if let Some(tok) = toks.first() {
        if let Some((c, used)) = confidence_at(tok.text, toks.get(1).map(|t| t.text))? {
            confidence = Some(c);
            i = used;
        }
    }
    let note = match toks.get(i) {
        Some(tok) => Note::parse(&text[tok.start..])?,
        None => None,
    };
    Ok((confidence, note))
}

/// A value with the confidence and note that follow it, read again by [`unit_from_note`].
pub type ValueAndRest = (ParsedValue, Option<Confidence>, Option<Note>);

/// A line's value followed by a word okrbot does not know as a unit (`4 points`) left that word
/// in the note, since the line alone cannot tell a unit from the first word of a note. Once the
/// key result is known, a note that starts with the key result's own unit gives the value that
/// unit, and the confidence and note are read again from after it. `None` when nothing moves.
pub fn unit_from_note(
    unit: &Unit,
    value: &ParsedValue,
    confidence: Option<Confidence>,
    note: Option<&Note>,
) -> Result<Option<ValueAndRest>, ParseError> {
    let Some(note) = note else {
        return Ok(None);
    };
    let numeric = matches!(value.spec, ValueSpec::Absolute(_) | ValueSpec::Change(_));
    if value.unit.is_some() || confidence.is_some() || !numeric {
        return Ok(None);
    }
    let toks = tokens(note.as_str());
    let Some(first) = toks.first() else {
        return Ok(None);
    };
    let bare = first
        .text
        .strip_suffix(TRAILING_PUNCT)
        .unwrap_or(first.text);
    if !Unit::parse(bare).is_some_and(|u| u != Unit::Count && u.agrees(unit)) {
        return Ok(None);
    }
    let (confidence, note) = if first.text.len() == bare.len() {
        confidence_and_note(note.as_str(), &toks[1..])?
    } else {
        // `4 points, going well`: the punctuation ended the value, so no confidence follows.
        let rest = toks.get(1).map_or("", |t| &note.as_str()[t.start..]);
        (None, Note::parse(rest)?)
    };
    let value = ParsedValue {
        spec: value.spec,
        unit: Some(unit.clone()),
    };
    Ok(Some((value, confidence, note)))
}

/// Parses a confidence: `8`, `c8`, `c 8`, `conf 8`, `confidence: 8`, `8/10`.
pub fn parse_confidence(text: &str) -> Result<Confidence, ParseError> {
    let t = text.trim();
    let text = t.to_string();
    let bad = || ParseError::BadConfidence { text };
    let body = match split_confidence_keyword(t) {
        Some((_, _, rest)) => rest.trim(),
        None => t,
    };
    let body = body.strip_suffix("/10").unwrap_or(body);
    // The length cap keeps `parse` from overflowing; anything that long is out of range anyway.
    if body.is_empty() || body.len() > 3 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    body.parse().ok().and_then(Confidence::new).ok_or_else(bad)
}

/// A bad line in a bulk update. `line` is 1-based; 0 means the whole text had no update.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", bulk_message(.line, .text, .error))]
pub struct BulkLineError {
    pub line: usize,
    pub text: String,
    pub error: ParseError,
}

/// Parses one update per line, all or nothing. Blank lines and `#` comments are skipped, but
/// `#12 42` is an update by id, not a comment: a `#` directly followed by a digit is an id.
pub fn parse_bulk(text: &str) -> Result<Vec<(usize, ParsedUpdate)>, BulkLineError> {
    let mut updates = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let comment = line.starts_with('#') && !line[1..].starts_with(|c: char| c.is_ascii_digit());
        if line.is_empty() || comment {
            continue;
        }
        let (line, text) = (i + 1, line.to_string());
        match parse_update(&text) {
            Ok(u) => updates.push((line, u)),
            Err(error) => return Err(BulkLineError { line, text, error }),
        }
    }
    if updates.is_empty() {
        let (line, text, error) = (0, String::new(), ParseError::NothingToRecord);
        return Err(BulkLineError { line, text, error });
    }
    Ok(updates)
}

// ---- the reference ----------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Tok<'a> {
    text: &'a str,
    /// Byte offset in the string that was split, so the note keeps its own spacing.
    start: usize,
}

fn tokens(s: &str) -> Vec<Tok<'_>> {
    s.split_whitespace()
        .map(|text| {
            let start = text.as_ptr() as usize - s.as_ptr() as usize;
            Tok { text, start }
        })
        .collect()
}

/// Returns the reference, its text for messages, the rest of the line, and whether it was an
/// unquoted title (so a bad value may really be a title word).
fn split_ref(line: &str) -> Result<(KrRef, &str, &str, bool), ParseError> {
    // Phones turn " into curly quotes, so all three open and close a quoted reference.
    const QUOTES: &[char] = &['"', '\u{201C}', '\u{201D}'];
    if let Some(after) = line.strip_prefix(QUOTES) {
        let Some(end) = after.find(QUOTES) else {
            let text = after.to_string();
            return Err(ParseError::UnclosedQuote { text });
        };
        let inside = after[..end].trim();
        if inside.is_empty() {
            return Err(ParseError::EmptyQuotedRef);
        }
        let close_len = after[end..].chars().next().map_or(1, char::len_utf8);
        let rest = &after[end + close_len..];
        return Ok((classify_ref(inside)?, inside, rest, false));
    }
    let toks = tokens(line);
    let first = toks[0].text; // line is trimmed and non-empty
    let head = first.strip_suffix(':').unwrap_or(first);
    if KrRef::parse_code(head).is_some() || is_id(head) {
        return Ok((classify_ref(head)?, head, &line[first.len()..], false));
    }
    if begins_like_value(first) && !is_word_value(first) {
        // A line that starts with its value has no reference; a broken number is still reported
        // as one, since that is the likelier mistake.
        parse_value_token(first)?;
        let value = first.to_string();
        return Err(ParseError::MissingRef { value });
    }
    let end = toks
        .iter()
        .enumerate()
        .skip(1)
        .find(|(i, t)| begins_like_value(t.text) || is_not_done(&toks[*i..]))
        .map_or(toks.len(), |(i, _)| i);
    let last = toks[end - 1]; // end >= 1: the first token is always part of the title
    let title_text = &line[..last.start + last.text.len()];
    let rest = toks.get(end).map_or("", |t| &line[t.start..]);
    Ok((KrRef::Title(collapse(title_text)), title_text, rest, true))
}

fn classify_ref(s: &str) -> Result<KrRef, ParseError> {
    if let Some(code) = KrRef::parse_code(s) {
        return Ok(code);
    }
    if is_id(s) {
        let digits = s.strip_prefix('#').unwrap_or(s);
        let text = s.to_string();
        return digits
            .parse()
            .map(KrRef::Id)
            .map_err(|_| ParseError::BadId { text });
    }
    Ok(KrRef::Title(collapse(s)))
}

fn is_id(s: &str) -> bool {
    let digits = s.strip_prefix('#').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_word_value(tok: &str) -> bool {
    let w = word(tok);
    let unsigned = w.trim_start_matches(['=', '+', '-']);
    w == "done" || matches!(unsigned, "nan" | "inf" | "infinity")
}

fn is_not_done(toks: &[Tok<'_>]) -> bool {
    matches!(toks, [a, b, ..] if a.text.eq_ignore_ascii_case("not") && word(b.text) == "done")
}

/// Where an unquoted title stops: `nan` and `inf` count so they get the finite-number message.
fn begins_like_value(tok: &str) -> bool {
    if is_word_value(tok) {
        return true;
    }
    let mut cs = tok
        .trim_start_matches(['=', '+', '-', '$', '€', '£'])
        .chars();
    match cs.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => cs.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

// ---- confidence -------------------------------------------------------------------------------

/// Splits `c`, `conf` or `confidence` (any case) and an optional `:` or `=` off the front.
fn split_confidence_keyword(tok: &str) -> Option<(&'static str, bool, &str)> {
    let lower = tok.to_ascii_lowercase();
    let kw = ["confidence", "conf", "c"]
        .into_iter()
        .find(|kw| lower.starts_with(kw))?;
    let rest = &tok[kw.len()..];
    match rest.strip_prefix([':', '=']) {
        Some(r) => Some((kw, true, r)),
        None => Some((kw, false, rest)),
    }
}

/// Reads a confidence right after the value. A bare `c` followed by a word starts the note
/// ("c is for cookie"), but `conf`, `confidence` or a `:` clearly announce a confidence, so
/// anything but 1-10 after them is an error rather than silently becoming a note.
/// Returns the confidence and how many tokens it took.
fn confidence_at(tok: &str, next: Option<&str>) -> Result<Option<(Confidence, usize)>, ParseError> {
    let Some((kw, sep, rest)) = split_confidence_keyword(tok) else {
        return Ok(None);
    };
    let numeric = |s: &str| s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
    let explicit = sep || kw != "c";
    let with_text = |text: String, r: Result<Confidence, ParseError>, used| {
        r.map(|c| Some((c, used)))
            .map_err(|_| ParseError::BadConfidence { text })
    };
    if !rest.is_empty() {
        return if numeric(rest) || sep {
            with_text(tok.to_string(), parse_confidence(rest), 1)
        } else {
            Ok(None) // "conference", "cats": the note
        };
    }
    match next {
        Some(n) if numeric(n) || explicit => {
            with_text(format!("{tok} {n}"), parse_confidence(n), 2)
        }
        Some(_) => Ok(None),
        None => Err(ParseError::BadConfidence { text: tok.into() }),
    }
}

/// Whitespace runs become one space: how a title part is kept and compared.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- message helpers --------------------------------------------------------------------------

impl From<ValueParseError> for ParseError {
    fn from(error: ValueParseError) -> Self {
        ParseError::Value {
            error,
            in_title: false,
        }
    }
}

fn title_hint(in_title: &bool) -> &'static str {
    if *in_title {
        " (if it is part of the title, put the title in \"double quotes\")"
    } else {
        ""
    }
}

fn bulk_message(line: &usize, text: &str, error: &ParseError) -> String {
    if *line == 0 {
        return error.to_string();
    }
    format!(
        "line {line} ({}): {error}; nothing was recorded",
        quote(text)
    )
}

#[cfg(test)]
#[path = "grammar_tests.rs"]
mod tests;
