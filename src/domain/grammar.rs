//! The update grammar of PRODUCT.md section 4: one line of text becomes a typed key-result update,
//! or a [`ParseError`] whose `Display` is the message shown to the user.
//!
//! ```text
//! <kr-ref> <value> [c<1-10> | conf <1-10> | confidence <1-10>] [note...]
//! ```
//!
//! Contract:
//! - No function here panics, whatever the input (any Unicode, any length).
//! - Every `f64` produced is finite and at most [`MAX_ABS_VALUE`] in magnitude; exponent
//!   notation, `NaN`, `inf` and empty values are refused rather than guessed at.
//! - Errors quote the offending part (clipped to a readable length) and say how to fix it.
//! - Parsing is separate from checking against data: [`resolve_kr`] turns a [`KrRef`] into a
//!   [`KrId`], and [`new_value`] checks the unit and kind of the key result and computes the value
//!   to record. Nothing here touches storage.
//! - [`parse_bulk`] is all-or-nothing: one bad line fails the whole message.

use super::model::{format_number, Confidence, KeyResult, KrId, KrKind, Unit, MAX_NOTE_CHARS};

/// Values beyond this are almost surely typos, and refusing them keeps every sum finite.
pub const MAX_ABS_VALUE: f64 = 1e15;

const NUMBER_SHAPES: &str = "42, 1,200, 1.5k, 3M, 45%, $1,200, 3h or 14d, or done / not done";
const CONFIDENCE_RANGE: &str = "confidence is 1 (no chance) to 10 (certain)";
/// Long input is quoted in messages only up to this many characters, so a pasted essay cannot
/// turn an error message into another essay.
const QUOTE_CHARS: usize = 60;
/// Fuzzy matching is quadratic; past this length a reference is not a typo of a code or title.
const FUZZY_MAX_CHARS: usize = 200;
/// Chat users end sentences with punctuation (`GRO-1.1 42.`, `45%, going well`): one such
/// character after a value is dropped instead of failing the line.
const TRAILING_PUNCT: &[char] = &[',', ';', ':', '!', '?', '.'];

/// Which key result an update is for, as written; [`resolve_kr`] turns it into an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KrRef {
    /// Upper-cased, like `GRO-1.2`.
    Code(String),
    Id(i64),
    /// Part of a title, as typed (whitespace collapsed); matched case-insensitively.
    Title(String),
}

impl std::fmt::Display for KrRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KrRef::Code(c) => f.write_str(c),
            KrRef::Id(id) => write!(f, "#{id}"),
            KrRef::Title(t) => f.write_str(t),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueSpec {
    Absolute(f64),
    /// Written with a sign: `+5`, `-2.5`; added to the current value.
    Change(f64),
    Done(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedValue {
    pub spec: ValueSpec,
    /// The unit written in the text (`%`, `h`, `d`, `$`, `€`, `£`), if any.
    pub unit: Option<Unit>,
}

impl ParsedValue {
    pub const fn done(done: bool) -> Self {
        let spec = ValueSpec::Done(done);
        ParsedValue { spec, unit: None }
    }
}

impl std::fmt::Display for ParsedValue {
    /// Rebuilds the value the way the user wrote it, for messages that quote it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (v, change) = match self.spec {
            ValueSpec::Done(true) => return f.write_str("done"),
            ValueSpec::Done(false) => return f.write_str("not done"),
            ValueSpec::Absolute(v) => (v, false),
            ValueSpec::Change(v) => (v, true),
        };
        let sign = if v < 0.0 {
            "-"
        } else if change {
            "+"
        } else {
            ""
        };
        let abs = v.abs();
        // format_number rounds to two decimals; show finer values exactly as given.
        let n = if (abs * 100.0).fract() == 0.0 {
            format_number(abs)
        } else {
            abs.to_string()
        };
        match &self.unit {
            None | Some(Unit::Count) => write!(f, "{sign}{n}"),
            Some(Unit::Percent) => write!(f, "{sign}{n}%"),
            Some(Unit::Hours) => write!(f, "{sign}{n}h"),
            Some(Unit::Days) => write!(f, "{sign}{n}d"),
            Some(Unit::Currency(c)) => match currency_symbol(c) {
                Some(sym) => write!(f, "{sign}{sym}{n}"),
                None => write!(f, "{sign}{n} {c}"),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedUpdate {
    pub kr_ref: KrRef,
    pub value: ParsedValue,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
}

/// Why a line is not an update. `Display` is the polite message for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("nothing to record: write the key result and its new value, e.g. GRO-1.1 42")]
    Empty,
    #[error("nothing to record: write one update per line, e.g. GRO-1.1 42")]
    NothingToRecord,
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
    #[error("the value is empty: write a number like {}", NUMBER_SHAPES)]
    EmptyValue,
    #[error("{} is not a number: {}", quote(.text), number_fix(.suggestion, .in_title))]
    NotANumber {
        text: String,
        /// A nearby spelling that parses, e.g. `120` for `12O`.
        suggestion: Option<String>,
        /// The bad token ended an unquoted title, so it may belong to the title.
        in_title: bool,
    },
    #[error("{} is not a finite number: write a number like 42 or 1,200", quote(.text))]
    NotFinite { text: String },
    #[error(
        "{} uses exponent notation, which is not accepted: write the number out, like 1500 or 1.5k",
        quote(.text)
    )]
    ExponentNotation { text: String },
    #[error("{} is too large: values are limited to 1,000,000,000,000,000", quote(.text))]
    TooLarge { text: String },
    #[error("{} is not a valid confidence: {}; write it like c8", quote(.text), CONFIDENCE_RANGE)]
    BadConfidence { text: String },
    #[error(
        "the note is {} characters long, over the limit of {}: shorten it",
        count(.chars),
        count(&MAX_NOTE_CHARS)
    )]
    NoteTooLong { chars: usize },
}

/// Parses one update line (see the module doc for the grammar).
pub fn parse_update(line: &str) -> Result<ParsedUpdate, ParseError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    let (kr_ref, ref_text, rest, in_title) = split_ref(line)?;
    let toks = tokens(rest);
    let Some(first) = toks.first() else {
        let reference = ref_text.to_string();
        return Err(ParseError::MissingValue { reference });
    };
    let (value, mut i) = if is_not_done(&toks) {
        (ParsedValue::done(false), 2)
    } else {
        let mut v = parse_value_token(first.text);
        if let Err(ParseError::NotANumber { in_title: t, .. }) = &mut v {
            *t = in_title;
        }
        (v?, 1)
    };
    let mut confidence = None;
    if let Some(tok) = toks.get(i) {
        if let Some((c, used)) = confidence_at(tok.text, toks.get(i + 1).map(|t| t.text))? {
            confidence = Some(c);
            i += used;
        }
    }
    let note = match toks.get(i) {
        Some(tok) => parse_note(&rest[tok.start..])?,
        None => None,
    };
    Ok(ParsedUpdate {
        kr_ref,
        value,
        confidence,
        note,
    })
}

/// Parses a value on its own, e.g. from a form's value field: the same grammar as in a line,
/// so a leading sign still means a change.
pub fn parse_value(text: &str) -> Result<ParsedValue, ParseError> {
    let text = text.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [] => Err(ParseError::EmptyValue),
        [one] => parse_value_token(one),
        _ if is_not_done(&tokens(text)) && words.len() == 2 => Ok(ParsedValue::done(false)),
        _ => Err(not_a_number(text)),
    }
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

/// Trims a note; an empty note is no note. Length is counted in characters, not bytes, since
/// that is what the limit in PRODUCT.md means to the people writing notes.
pub fn parse_note(text: &str) -> Result<Option<String>, ParseError> {
    let t = text.trim();
    let chars = t.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(ParseError::NoteTooLong { chars });
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
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

/// What [`resolve_kr`] chooses among: the key results the user may update here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KrCandidate<'a> {
    pub id: KrId,
    pub code: &'a str,
    pub title: &'a str,
}

impl<'a> From<&'a KeyResult> for KrCandidate<'a> {
    fn from(kr: &'a KeyResult) -> Self {
        let (id, code, title) = (kr.id, kr.code.as_str(), kr.title.as_str());
        KrCandidate { id, code, title }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResolveError {
    #[error(
        "no key result {} here: {}/okr kr list shows them all",
        quote(.reference),
        did_you_mean(.suggestion)
    )]
    Unknown {
        reference: String,
        /// The closest (code, title), only when it is reasonably close.
        suggestion: Option<(String, String)>,
    },
    #[error(
        "{} matches {} key results: {}; use the code",
        quote(.reference),
        .matches.len(),
        list_matches(.matches)
    )]
    Ambiguous {
        reference: String,
        matches: Vec<(String, String)>,
    },
}

/// Finds the one key result a reference means. A title part that is the whole title of one key
/// result wins over longer titles containing it, or "NPS" could never name the "NPS" key result
/// next to "Onboarding NPS".
pub fn resolve_kr(r: &KrRef, candidates: &[KrCandidate<'_>]) -> Result<KrId, ResolveError> {
    let reference = r.to_string();
    match r {
        KrRef::Code(code) => {
            let hits = candidates
                .iter()
                .filter(|c| c.code.trim().eq_ignore_ascii_case(code));
            pick(reference, hits.collect(), || closest_code(code, candidates))
        }
        KrRef::Id(id) => {
            let hits = candidates.iter().filter(|c| c.id.0 == *id);
            pick(reference, hits.collect(), || None)
        }
        KrRef::Title(t) => {
            let needle = normalize(t);
            if needle.is_empty() {
                return pick(reference, Vec::new(), || None);
            }
            let titles: Vec<String> = candidates.iter().map(|c| normalize(c.title)).collect();
            let matching = || candidates.iter().zip(&titles);
            let exact: Vec<_> = matching()
                .filter(|(_, t)| **t == needle)
                .map(|(c, _)| c)
                .collect();
            let hits = if exact.len() == 1 {
                exact
            } else {
                matching()
                    .filter(|(_, t)| t.contains(&needle))
                    .map(|(c, _)| c)
                    .collect()
            };
            pick(reference, hits, || closest_title(&needle, candidates))
        }
    }
}

/// Why a parsed value cannot be recorded on a given key result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("{} is {}, but {} is {}", quote(.written), unit_as_given(.given), .code, unit_expected(.expected))]
    UnitMismatch {
        code: String,
        written: String,
        given: Unit,
        expected: Unit,
    },
    #[error("{} is a {} key result: give a number, not {}", .code, .kind.as_str(), done_word(.done))]
    DoneOnMeasured {
        code: String,
        kind: KrKind,
        done: bool,
    },
    #[error("{} is a milestone: write done or not done (or 1 / 0), not {}", .code, quote(.written))]
    NumberOnMilestone { code: String, written: String },
    #[error("{} is a milestone, so {} cannot change it: write done or not done", .code, quote(.written))]
    ChangeOnMilestone { code: String, written: String },
    #[error("{} would take {} to a value too large to record: check the number", quote(.written), .code)]
    OutOfRange { code: String, written: String },
}

/// The value to record on `kr`: checks the unit and the kind, then applies the update.
pub fn new_value(kr: &KeyResult, value: &ParsedValue) -> Result<f64, ValueError> {
    use ValueError as E;
    let (code, written) = (kr.code.clone(), value.to_string());
    if let Some(given) = value.unit.clone().filter(|u| *u != kr.unit) {
        let expected = kr.unit.clone();
        return Err(E::UnitMismatch {
            code,
            written,
            given,
            expected,
        });
    }
    let v = match (kr.kind, value.spec) {
        (KrKind::Milestone, ValueSpec::Done(done)) => f64::from(u8::from(done)),
        (KrKind::Milestone, ValueSpec::Absolute(v)) if v == 0.0 || v == 1.0 => v,
        (KrKind::Milestone, ValueSpec::Absolute(_)) => {
            return Err(E::NumberOnMilestone { code, written })
        }
        (KrKind::Milestone, ValueSpec::Change(_)) => {
            return Err(E::ChangeOnMilestone { code, written })
        }
        (kind, ValueSpec::Done(done)) => return Err(E::DoneOnMeasured { code, kind, done }),
        (_, ValueSpec::Absolute(v)) => v,
        (_, ValueSpec::Change(d)) => kr.current + d,
    };
    if !v.is_finite() || v.abs() > MAX_ABS_VALUE {
        return Err(E::OutOfRange { code, written });
    }
    Ok(v + 0.0) // -0.0 + 0.0 is 0.0, so a change down to zero is never stored as -0
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
    if is_code(head) || is_id(head) {
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
    if is_code(s) {
        return Ok(KrRef::Code(s.to_ascii_uppercase()));
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

/// `[A-Za-z]{1,10}-\d+(\.\d+)?`
fn is_code(s: &str) -> bool {
    let Some((letters, number)) = s.split_once('-') else {
        return false;
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let number_ok = match number.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(number),
    };
    (1..=10).contains(&letters.len())
        && letters.bytes().all(|b| b.is_ascii_alphabetic())
        && number_ok
}

fn is_id(s: &str) -> bool {
    let digits = s.strip_prefix('#').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Lower-cased, trailing sentence punctuation dropped: how `done.` and `Done!` are compared.
fn word(tok: &str) -> String {
    let bare = tok.strip_suffix(TRAILING_PUNCT).unwrap_or(tok);
    bare.to_lowercase()
}

fn is_word_value(tok: &str) -> bool {
    let w = word(tok);
    let unsigned = w.trim_start_matches(['+', '-']);
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
    let mut cs = tok.trim_start_matches(['+', '-', '$', '€', '£']).chars();
    match cs.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => cs.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

// ---- the value --------------------------------------------------------------------------------

fn parse_value_token(tok: &str) -> Result<ParsedValue, ParseError> {
    let w = word(tok);
    let text = || tok.to_string();
    match w.as_str() {
        "done" => return Ok(ParsedValue::done(true)),
        "not-done" | "not_done" | "notdone" => return Ok(ParsedValue::done(false)),
        _ if matches!(w.trim_start_matches(['+', '-']), "nan" | "inf" | "infinity") => {
            return Err(ParseError::NotFinite { text: text() })
        }
        _ => {}
    }
    let body = tok.strip_suffix(TRAILING_PUNCT).unwrap_or(tok);
    if is_exponent(body) {
        return Err(ParseError::ExponentNotation { text: text() });
    }
    match parse_number(body) {
        Some(v) if in_range(&v) => Ok(v),
        Some(_) => Err(ParseError::TooLarge { text: text() }),
        None => Err(not_a_number(tok)),
    }
}

fn in_range(v: &ParsedValue) -> bool {
    match v.spec {
        ValueSpec::Absolute(x) | ValueSpec::Change(x) => x.is_finite() && x.abs() <= MAX_ABS_VALUE,
        ValueSpec::Done(_) => true,
    }
}

/// `1e5`, `2.5E-3`, `$1e3`: digits, then `e`, then an exponent.
fn is_exponent(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-', '$', '€', '£']);
    let Some(e) = t.find(['e', 'E']) else {
        return false;
    };
    let mantissa = &t[..e];
    let exp = t[e + 1..].trim_start_matches(['+', '-']);
    mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && exp.starts_with(|c: char| c.is_ascii_digit())
}

/// The strict number grammar: `[sign][currency][sign]digits[,ddd]*[.digits][k|K|M][%|h|d]`, with
/// at most one sign and not both a currency and a unit suffix.
fn parse_number(s: &str) -> Option<ParsedValue> {
    let mut rest = s;
    let mut sign = None;
    let mut currency = None;
    for _ in 0..2 {
        if let Some(c) = rest.chars().next() {
            match c {
                '+' | '-' if sign.is_none() => sign = Some(c),
                '$' | '€' | '£' if currency.is_none() => currency = Some(c),
                _ => break,
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    let body_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(rest.len());
    let (body, mut suffix) = rest.split_at(body_len);
    let mut shift: i64 = 0;
    if let Some(c @ ('k' | 'K' | 'M')) = suffix.chars().next() {
        shift = if c == 'M' { 6 } else { 3 };
        suffix = &suffix[1..];
    }
    let unit = match suffix.to_ascii_lowercase().as_str() {
        "" => currency.map(|c| Unit::Currency(currency_code(c).to_string())),
        _ if currency.is_some() => return None,
        "%" => Some(Unit::Percent),
        "h" => Some(Unit::Hours),
        "d" => Some(Unit::Days),
        _ => return None,
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (i, f),
        Some(_) => return None,
        None => (body, ""),
    };
    if int.contains(',') {
        let mut groups = int.split(',');
        let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || groups.any(|g| g.len() != 3) {
            return None;
        }
    }
    let digits: String = int
        .chars()
        .filter(|c| *c != ',')
        .chain(frac.chars())
        .collect();
    if digits.is_empty() {
        return None;
    }
    // Shifting the decimal point in text keeps 1.2k exactly 1200, where 1.2 * 1000.0 might not be.
    let exp = shift - frac.len() as i64;
    let magnitude: f64 = format!("{digits}e{exp}").parse().ok()?;
    let spec = match sign {
        Some('-') => ValueSpec::Change(-magnitude + 0.0),
        Some(_) => ValueSpec::Change(magnitude),
        None => ValueSpec::Absolute(magnitude),
    };
    Some(ParsedValue { spec, unit })
}

fn not_a_number(tok: &str) -> ParseError {
    let (text, suggestion) = (tok.to_string(), suggest_number(tok));
    ParseError::NotANumber {
        text,
        suggestion,
        in_title: false,
    }
}

/// A nearby spelling that parses: letters that look like digits (`12O`), stray separators
/// (`1'000`, `1 200`, `1..2`), and a decimal comma (`12,34`, `1.200,50`).
fn suggest_number(text: &str) -> Option<String> {
    let t = text.strip_suffix(TRAILING_PUNCT).unwrap_or(text);
    // Without a digit it is a word ("lol"), not a mistyped number ("1O1").
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        let c = match c {
            'O' | 'o' => '0',
            'l' | 'I' => '1',
            'S' => '5',
            '\'' | '\u{2019}' | '_' | '`' | '"' => continue,
            c if c.is_whitespace() => continue,
            c => c,
        };
        if !(c == '.' && s.ends_with('.')) {
            s.push(c);
        }
    }
    let parses = |s: &str| !is_exponent(s) && parse_number(s).is_some_and(|v| in_range(&v));
    if parses(&s) {
        return Some(s);
    }
    let commas = s.matches(',').count();
    let fixed = match (s.rfind(','), s.rfind('.')) {
        (Some(c), Some(d)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(c), None) if commas == 1 => {
            let after = s[c + 1..].bytes().take_while(u8::is_ascii_digit).count();
            if (1..=2).contains(&after) {
                s.replace(',', ".")
            } else {
                s.replace(',', "")
            }
        }
        (Some(_), _) => s.replace(',', ""),
        _ => return None,
    };
    parses(&fixed).then_some(fixed)
}

fn currency_code(symbol: char) -> &'static str {
    match symbol {
        '€' => "EUR",
        '£' => "GBP",
        _ => "USD",
    }
}

fn currency_symbol(code: &str) -> Option<char> {
    match code {
        "USD" => Some('$'),
        "EUR" => Some('€'),
        "GBP" => Some('£'),
        _ => None,
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

// ---- resolution -------------------------------------------------------------------------------

fn pick(
    reference: String,
    mut hits: Vec<&KrCandidate<'_>>,
    suggest: impl FnOnce() -> Option<(String, String)>,
) -> Result<KrId, ResolveError> {
    // The same key result listed twice is still one key result.
    let mut seen = Vec::with_capacity(hits.len());
    hits.retain(|c| {
        let first = !seen.contains(&c.id);
        seen.push(c.id);
        first
    });
    match hits.as_slice() {
        [] => {
            let suggestion = suggest();
            Err(ResolveError::Unknown {
                reference,
                suggestion,
            })
        }
        [one] => Ok(one.id),
        _ => {
            let matches = hits
                .iter()
                .map(|c| (c.code.into(), c.title.into()))
                .collect();
            Err(ResolveError::Ambiguous { reference, matches })
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalize(s: &str) -> String {
    collapse(s).to_lowercase()
}

fn closest_code(code: &str, candidates: &[KrCandidate<'_>]) -> Option<(String, String)> {
    best_match(code, candidates, |c| {
        let score = strsim::normalized_levenshtein(code, &c.code.to_ascii_uppercase());
        (score >= 0.6).then_some(score)
    })
}

/// Whole-string edit distance catches typos in a long title part; per-word Jaro-Winkler catches
/// a misspelled word or two ("onbaording") that would otherwise be lost in the title's length.
fn closest_title(needle: &str, candidates: &[KrCandidate<'_>]) -> Option<(String, String)> {
    best_match(needle, candidates, |c| {
        let title = normalize(c.title);
        let whole = strsim::normalized_levenshtein(needle, &title);
        let words: Vec<&str> = needle.split(' ').collect();
        let closest = |w: &&str| {
            title
                .split(' ')
                .map(|t| strsim::jaro_winkler(w, t))
                .fold(0.0, f64::max)
        };
        let per_word = words.iter().map(closest).sum::<f64>() / words.len() as f64;
        (whole >= 0.6 || per_word >= 0.88).then_some(whole.max(per_word))
    })
}

fn best_match(
    reference: &str,
    candidates: &[KrCandidate<'_>],
    score: impl Fn(&KrCandidate<'_>) -> Option<f64>,
) -> Option<(String, String)> {
    if reference.chars().count() > FUZZY_MAX_CHARS {
        return None;
    }
    let mut best: Option<(f64, &KrCandidate<'_>)> = None;
    for c in candidates
        .iter()
        .filter(|c| c.title.chars().count() <= FUZZY_MAX_CHARS)
    {
        if let Some(s) = score(c) {
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, c));
            }
        }
    }
    best.map(|(_, c)| (c.code.to_string(), c.title.to_string()))
}

// ---- message helpers --------------------------------------------------------------------------

fn clip(s: &str) -> String {
    if s.chars().count() <= QUOTE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(QUOTE_CHARS - 1).collect();
    out.push('…');
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", clip(s))
}

fn number_fix(suggestion: &Option<String>, in_title: &bool) -> String {
    let fix = match suggestion {
        Some(s) => format!("did you mean {}?", clip(s)),
        None => format!("write a number like {NUMBER_SHAPES}"),
    };
    if *in_title {
        format!("{fix} (if it is part of the title, put the title in \"double quotes\")")
    } else {
        fix
    }
}

fn count(n: &usize) -> String {
    format_number(*n as f64)
}

fn done_word(done: &bool) -> &'static str {
    if *done {
        "\"done\""
    } else {
        "\"not done\""
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

fn did_you_mean(suggestion: &Option<(String, String)>) -> String {
    match suggestion {
        Some((code, title)) => format!("did you mean {code} {}? ", quote(title)),
        None => String::new(),
    }
}

fn list_matches(matches: &[(String, String)]) -> String {
    const SHOWN: usize = 10;
    let mut parts: Vec<String> = matches
        .iter()
        .take(SHOWN)
        .map(|(code, title)| format!("{code} {}", quote(title)))
        .collect();
    if matches.len() > SHOWN {
        parts.push(format!("and {} more", matches.len() - SHOWN));
    }
    parts.join(", ")
}

fn unit_as_given(u: &Unit) -> String {
    match u {
        Unit::Count => "a plain number".into(),
        Unit::Percent => "a percent".into(),
        Unit::Days => "days".into(),
        Unit::Hours => "hours".into(),
        Unit::Currency(c) => format!("an amount in {c}"),
    }
}

fn unit_expected(u: &Unit) -> String {
    match u {
        Unit::Count => "a plain count: give a number without a unit, such as 42".into(),
        Unit::Percent => "measured in percent: give a percentage such as 45 or 45%".into(),
        Unit::Days => "measured in days: give a number of days such as 9 or 9d".into(),
        Unit::Hours => "measured in hours: give a number of hours such as 3 or 3h".into(),
        Unit::Currency(c) => match currency_symbol(c) {
            Some(sym) => format!("measured in {c}: give an amount such as 1200 or {sym}1,200"),
            None => format!("measured in {c}: give an amount such as 1200"),
        },
    }
}

#[cfg(test)]
#[path = "grammar_tests.rs"]
mod tests;
