//! The value grammar: how a number, a change or done / not done is written (`42`, `1,200`, `1.5k`,
//! `45%`, `$1,200`, `+5`, `3h`, `done`), and whether a value fits the unit of what it measures.
//! Update lines use it through [`grammar`](super::grammar); anything else that reads a value typed
//! by a person (a form's value field, a `start:` option, a KPI reading) uses it directly, so a
//! number reads the same everywhere. The rules are `docs/update-grammar.md`.
//!
//! Contract:
//! - No function here panics, whatever the input.
//! - Every `f64` produced is finite and at most [`MAX_ABS_VALUE`] in magnitude; exponent
//!   notation, `NaN`, `inf` and empty values are refused rather than guessed at.
//! - Parsing ([`parse_value`]) is separate from checking against what is measured
//!   ([`check_unit`] for any measure, [`new_value`] for a key result).

use super::model::{format_number, KeyResult, KrKind, Unit};
use super::quote::{clip, quote};

/// Values beyond this are almost surely typos, and refusing them keeps every sum finite.
pub const MAX_ABS_VALUE: f64 = 1e15;

const NUMBER_SHAPES: &str = "42, 1,200, 1.5k, 3M, 45%, $1,200, 3h or 14d, or done / not done";
/// Chat users end sentences with punctuation (`GRO-1.1 42.`, `45%, going well`): one such
/// character after a value is dropped instead of failing the line.
pub(super) const TRAILING_PUNCT: &[char] = &[',', ';', ':', '!', '?', '.'];

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

/// Why a text is not a value. `Display` is the polite message for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueParseError {
    #[error("the value is empty: write a number like {}", NUMBER_SHAPES)]
    Empty,
    #[error("{} is not a number: {}", quote(.text), number_fix(.suggestion))]
    NotANumber {
        text: String,
        /// A nearby spelling that parses, e.g. `120` for `12O`.
        suggestion: Option<String>,
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
}

/// Parses a value on its own, e.g. from a form's value field: the same grammar as in a line,
/// so a leading sign still means a change.
pub fn parse_value(text: &str) -> Result<ParsedValue, ValueParseError> {
    let text = text.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [] => Err(ValueParseError::Empty),
        [one] => parse_value_token(one),
        [not, done] if not.eq_ignore_ascii_case("not") && word(done) == "done" => {
            Ok(ParsedValue::done(false))
        }
        _ => Err(not_a_number(text)),
    }
}

/// Lower-cased, trailing sentence punctuation dropped: how `done.` and `Done!` are compared.
pub(super) fn word(tok: &str) -> String {
    let bare = tok.strip_suffix(TRAILING_PUNCT).unwrap_or(tok);
    bare.to_lowercase()
}

/// One whitespace-free token as a value (the update grammar has split the line already).
pub(super) fn parse_value_token(tok: &str) -> Result<ParsedValue, ValueParseError> {
    let w = word(tok);
    let text = || tok.to_string();
    match w.as_str() {
        "done" => return Ok(ParsedValue::done(true)),
        "not-done" | "not_done" | "notdone" => return Ok(ParsedValue::done(false)),
        _ if matches!(w.trim_start_matches(['+', '-']), "nan" | "inf" | "infinity") => {
            return Err(ValueParseError::NotFinite { text: text() })
        }
        _ => {}
    }
    let body = tok.strip_suffix(TRAILING_PUNCT).unwrap_or(tok);
    if is_exponent(body) {
        return Err(ValueParseError::ExponentNotation { text: text() });
    }
    match parse_number(body) {
        Some(v) if in_range(&v) => Ok(v),
        Some(_) => Err(ValueParseError::TooLarge { text: text() }),
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

fn not_a_number(tok: &str) -> ValueParseError {
    let (text, suggestion) = (tok.to_string(), suggest_number(tok));
    ValueParseError::NotANumber { text, suggestion }
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

// ---- against what is measured -----------------------------------------------------------------

/// Why a parsed value cannot be recorded on what it measures.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("{} is {}, but {} is {}", quote(.written), unit_as_given(.given), .name, unit_expected(.expected))]
    UnitMismatch {
        /// What is measured, as people know it: a key result's code, a KPI's name.
        name: String,
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

/// Checks that `value` may be recorded on a measure in `unit`, called `name` in the message: a
/// value written without a unit fits any unit, one written with a unit must name this one.
/// Key results use it through [`new_value`]; anything else measured in a [`Unit`] uses it alone.
pub fn check_unit(name: &str, unit: &Unit, value: &ParsedValue) -> Result<(), ValueError> {
    match value.unit.clone().filter(|u| u != unit) {
        None => Ok(()),
        Some(given) => Err(ValueError::UnitMismatch {
            name: name.to_owned(),
            written: value.to_string(),
            given,
            expected: unit.clone(),
        }),
    }
}

/// The value to record on `kr`: checks the unit and the kind, then applies the update.
pub fn new_value(kr: &KeyResult, value: &ParsedValue) -> Result<f64, ValueError> {
    use ValueError as E;
    check_unit(&kr.code, &kr.unit, value)?;
    let (code, written) = (kr.code.clone(), value.to_string());
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

// ---- message helpers --------------------------------------------------------------------------

fn number_fix(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("did you mean {}?", clip(s)),
        None => format!("write a number like {NUMBER_SHAPES}"),
    }
}

fn done_word(done: &bool) -> &'static str {
    if *done {
        "\"done\""
    } else {
        "\"not done\""
    }
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
#[path = "value_tests.rs"]
mod tests;
