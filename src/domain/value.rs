//! The value grammar: how a number, a change or done / not done is written (`42`, `1,200`,
//! `1 200`, `1.5k`, `$100 million`, `45%`, `$1,200`, `3 hours`, `4 points`, `+5`, `=-5`, `done`),
//! and whether a value fits the unit of what it measures. A key result's start and target are
//! read here too ([`parse_amount`], [`parse_target`]), where a sign is part of the number.
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
/// What a line's value looks like after its number: how many more tokens it takes is decided
/// by [`read_value`], the one reader of values for lines, forms and options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// A value on its own (a form field, an option): every word belongs to it, so any unit
    /// word, free ones included, is its unit, and a word that is not is an error.
    Alone,
    /// The start of an update line: words that are not a known unit begin the note, and a
    /// currency code must be written in capitals (`TRY`, `ALL` and `TOP` are words too).
    Line,
}
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
        let sign = match (v < 0.0, change) {
            (true, true) => "-",
            // A bare minus would read back as a change.
            (true, false) => "=-",
            (false, true) => "+",
            (false, false) => "",
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
            Some(Unit::Free(w)) => write!(f, "{sign}{n} {w}"),
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
    #[error(
        "{} does not say which way: write +{pct}% for {pct}% above the start or -{pct}% for \
         {pct}% below it, or the target itself after \"to\", e.g. by {pct}% to 500",
        quote(.text),
        pct = clip(.percent)
    )]
    NoDirection { text: String, percent: String },
}

/// Parses a value on its own, e.g. from a form's value field: the same grammar as in a line,
/// so a leading sign still means a change, but any unit word may follow (`4 points`).
pub fn parse_value(text: &str) -> Result<ParsedValue, ValueParseError> {
    let text = text.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Err(ValueParseError::Empty);
    }
    match read_value(&words, Context::Alone) {
        Ok((v, used)) if used == words.len() => Ok(v),
        // One bad word is quoted as it was; several are the whole text.
        Err(e) if words.len() == 1 => Err(e),
        Ok(_) | Err(ValueParseError::NotANumber { .. }) => Err(not_a_number(text)),
        Err(e) => Err(e),
    }
}

/// A key result's start or target: a value where a sign is part of the number (`-10` is minus
/// ten, for an NPS or net cash that starts below zero), since a start changes nothing.
pub fn parse_amount(text: &str) -> Result<ParsedValue, ValueParseError> {
    let mut v = parse_value(text)?;
    if let ValueSpec::Change(x) = v.spec {
        v.spec = ValueSpec::Absolute(x);
    }
    Ok(v)
}

/// A target as people write it in `kr add` / `kr edit`.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetSpec {
    /// `20`, `-10`, `$100 million`, `to 2.5B`, `by 30% to $100 million` (the percent is the
    /// writer's description; the amount after `to` is the target).
    Absolute(ParsedValue),
    /// `+30%`, `-10%`: that many percent above or below the start.
    Relative(f64),
}

/// Parses a target (see [`TargetSpec`]); [`TargetSpec::resolve`] turns it into a number.
pub fn parse_target(text: &str) -> Result<TargetSpec, ValueParseError> {
    let t = text.trim();
    // ASCII lower case keeps every byte offset, so slices of `lower` are slices of `t`.
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("by ") {
        let to = rest.find(" to ");
        // The description must still be a number, so a typo in it is not silently dropped.
        let by = parse_value(&t[3..3 + to.unwrap_or(rest.len())])?;
        let Some(to) = to else {
            let percent = match by.spec {
                ValueSpec::Absolute(p) | ValueSpec::Change(p) => format_number(p.abs()),
                ValueSpec::Done(_) => rest.trim().to_owned(),
            };
            return Err(ValueParseError::NoDirection {
                text: t.into(),
                percent,
            });
        };
        return parse_amount(&t[3 + to + 4..]).map(TargetSpec::Absolute);
    }
    if lower.starts_with("to ") {
        return parse_amount(&t[3..]).map(TargetSpec::Absolute);
    }
    let v = parse_value(t)?;
    Ok(match (v.spec, &v.unit) {
        (ValueSpec::Change(p), Some(Unit::Percent)) => TargetSpec::Relative(p),
        (ValueSpec::Change(x), _) => TargetSpec::Absolute(ParsedValue {
            spec: ValueSpec::Absolute(x),
            unit: v.unit,
        }),
        _ => TargetSpec::Absolute(v),
    })
}

/// Why a target cannot be computed from its start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "target:{written} is relative to the start, but there is no start: give one too, \
         e.g. start:1000 target:{written}"
    )]
    NoStart { written: String },
    #[error(
        "target:{written} is relative to the start, but the start is 0 and {written} of 0 is 0: \
         give the target itself, e.g. target:500"
    )]
    ZeroStart { written: String },
    #[error(
        "target:{written} is ambiguous on a key result measured in percent (percentage points, or \
         percent of the start?): give the target itself, e.g. target:45%"
    )]
    OnPercent { written: String },
    #[error("target:{written} would be too large: values are limited to 1,000,000,000,000,000")]
    TooLarge { written: String },
}

impl TargetSpec {
    /// The absolute target on a key result in `unit` that starts at `start`.
    pub fn resolve(&self, start: Option<f64>, unit: &Unit) -> Result<Option<f64>, TargetError> {
        let p = match self {
            TargetSpec::Absolute(v) => {
                return Ok(match v.spec {
                    ValueSpec::Absolute(x) | ValueSpec::Change(x) => Some(x),
                    ValueSpec::Done(_) => None,
                })
            }
            TargetSpec::Relative(p) => *p,
        };
        let written = format!(
            "{}{}%",
            if p < 0.0 { "-" } else { "+" },
            format_number(p.abs())
        );
        if *unit == Unit::Percent {
            return Err(TargetError::OnPercent { written });
        }
        let start = start.ok_or_else(|| TargetError::NoStart {
            written: written.clone(),
        })?;
        if start == 0.0 {
            return Err(TargetError::ZeroStart { written });
        }
        let t = start * (1.0 + p / 100.0) + 0.0;
        if !t.is_finite() || t.abs() > MAX_ABS_VALUE {
            return Err(TargetError::TooLarge { written });
        }
        // Rounded to a millionth: 76.9M - 10% is 69.21M, not 69209999.99999999.
        Ok(Some((t * 1e6).round() / 1e6))
    }
}

/// Reads the value at the front of `toks` and says how many tokens it took: the number (with
/// digit groups written with spaces: `1 200`), a magnitude word (`million`) and a unit word
/// (`hours`, `%`, `USD`, and in [`Context::Alone`] any free word such as `points`).
pub(super) fn read_value(
    toks: &[&str],
    context: Context,
) -> Result<(ParsedValue, usize), ValueParseError> {
    if toks.is_empty() {
        return Err(ValueParseError::Empty);
    }
    if let [not, done, ..] = toks {
        if not.eq_ignore_ascii_case("not") && word(done) == "done" {
            return Ok((ParsedValue::done(false), 2));
        }
    }
    let (text, mut used) = digit_groups(toks);
    let mut v = parse_value_token(&text)?;
    if matches!(v.spec, ValueSpec::Done(_)) {
        return Ok((v, used));
    }
    let bare_number = text.ends_with(|c: char| c.is_ascii_digit());
    if let Some(suffix) = toks
        .get(used)
        .and_then(|t| magnitude(t))
        .filter(|_| bare_number)
    {
        v = parse_value_token(&format!("{text}{suffix}")).map_err(|_| {
            ValueParseError::TooLarge {
                text: format!("{text} {}", toks[used]),
            }
        })?;
        used += 1;
    }
    let ends_phrase = toks[used - 1].ends_with(TRAILING_PUNCT);
    if let Some(unit) = toks
        .get(used)
        .filter(|_| !ends_phrase)
        .and_then(|t| unit_word(t, context))
    {
        match &v.unit {
            None => v.unit = Some(unit),
            Some(u) if u.agrees(&unit) => {}
            Some(_) => return Ok((v, used)),
        }
        used += 1;
    }
    Ok((v, used))
}

/// `1 200`, `12 300 000`, `1 200.50`, `$1 200`: a number of one to three digits followed by
/// groups of exactly three digits is one number (the narrow and the no-break space split
/// tokens too). Returns the number as one token (`1,200`) and how many tokens it took; a
/// grouping that would not parse is not taken, so `5 10 new signups` is 5 and a note.
fn digit_groups(toks: &[&str]) -> (String, usize) {
    let first = toks[0];
    let digits = first.trim_start_matches(['=', '+', '-', '$', '€', '£']);
    let head = (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    let mut text = first.to_string();
    let mut used = 1;
    if !head {
        return (text, used);
    }
    for tok in &toks[1..] {
        let b = tok.as_bytes();
        let group = b.len() >= 3
            && b[..3].iter().all(u8::is_ascii_digit)
            && !b.get(3).is_some_and(|c| c.is_ascii_digit() || *c == b',');
        let joined = format!("{text},{tok}");
        if !group || parse_value_token(&joined).is_err() {
            break;
        }
        (text, used) = (joined, used + 1);
        if b.len() > 3 {
            break; // decimals or a suffix end the number
        }
    }
    (text, used)
}

const TIME_WORDS: &[&str] = &[
    "minute", "minutes", "min", "mins", "week", "weeks", "wk", "wks", "month", "months", "year",
    "years",
];

/// A magnitude word after a number, as the suffix the number grammar reads.
fn magnitude(tok: &str) -> Option<&'static str> {
    match word(tok).as_str() {
        "thousand" | "thousands" => Some("k"),
        "million" | "millions" | "mn" => Some("M"),
        "billion" | "billions" | "bn" => Some("B"),
        "trillion" => Some("T"),
        _ => None,
    }
}

/// A unit written as a word after a number. In a line only units okrbot knows are read so
/// (a currency code in capitals); other words are the note, unless they name the key result's
/// own unit, which [`super::grammar::unit_from_note`] decides once the key result is known.
fn unit_word(tok: &str, context: Context) -> Option<Unit> {
    let bare = tok.strip_suffix(TRAILING_PUNCT).unwrap_or(tok);
    match context {
        Context::Alone => match Unit::parse(bare)? {
            Unit::Count => None,
            u => Some(u),
        },
        Context::Line => match Unit::word(bare) {
            Some(Unit::Currency(_)) if bare.len() == 3 && bare != bare.to_ascii_uppercase() => None,
            Some(u) => Some(u),
            // Time words okrbot has no unit for are still units, so `3 weeks` on a days key
            // result is refused with the conversion rather than recorded as 3 days.
            None => TIME_WORDS
                .contains(&bare.to_lowercase().as_str())
                .then(|| Unit::Free(bare.to_lowercase())),
        },
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
        _ if matches!(
            w.trim_start_matches(['=', '+', '-']),
            "nan" | "inf" | "infinity"
        ) =>
        {
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
    let t = s.trim_start_matches(['=', '+', '-', '$', '€', '£']);
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

/// The strict number grammar:
/// `[=][sign][currency][sign]digits[,ddd]*[.digits][k|K|M|B|bn|T][%|h|d]`, with at most one sign
/// and not both a currency and a unit suffix. A leading `=` makes a signed number absolute
/// (`=-5`), the one way to set a negative value in an update.
fn parse_number(s: &str) -> Option<ParsedValue> {
    let (absolute, mut rest) = match s.strip_prefix('=') {
        Some(r) => (true, r),
        None => (false, s),
    };
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
    // `m` and `b` are left out: minutes, metres, bits.
    let mut shift: i64 = 0;
    for (s, n) in [("bn", 9), ("k", 3), ("K", 3), ("M", 6), ("B", 9), ("T", 12)] {
        if let Some(r) = suffix.strip_prefix(s) {
            (shift, suffix) = (n, r);
            break;
        }
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
    let signed = if sign == Some('-') {
        -magnitude + 0.0
    } else {
        magnitude
    };
    let spec = match sign {
        Some(_) if !absolute => ValueSpec::Change(signed),
        _ => ValueSpec::Absolute(signed),
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
    #[error(
        "{} is {}, but {} is {}{}",
        quote(.written),
        unit_as_given(.given),
        .name,
        unit_expected(.expected),
        conversion_hint(.converted, .expected)
    )]
    UnitMismatch {
        /// What is measured, as people know it: a key result's code, a KPI's name.
        name: String,
        written: String,
        // Boxed: two units would make every service error large (clippy's result_large_err).
        given: Box<Unit>,
        expected: Box<Unit>,
        /// The value in the expected unit, when one time unit converts to the other: okrbot
        /// never converts silently (3 hours recorded as 3 days), but says what to write.
        converted: Option<f64>,
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
    match value.unit.clone().filter(|u| !u.agrees(unit)) {
        None => Ok(()),
        Some(given) => Err(ValueError::UnitMismatch {
            name: name.to_owned(),
            written: value.to_string(),
            converted: convert(&given, unit, value.spec),
            given: Box::new(given),
            expected: Box::new(unit.clone()),
        }),
    }
}

/// `spec` in `to`, when `from` and `to` are both lengths of time of a fixed size.
fn convert(from: &Unit, to: &Unit, spec: ValueSpec) -> Option<f64> {
    fn hours(u: &Unit) -> Option<f64> {
        match u {
            Unit::Hours => Some(1.0),
            Unit::Days => Some(24.0),
            Unit::Free(w) => match w.to_lowercase().as_str() {
                "minute" | "minutes" | "min" | "mins" => Some(1.0 / 60.0),
                "week" | "weeks" | "wk" | "wks" => Some(168.0),
                _ => None,
            },
            _ => None,
        }
    }
    let (ValueSpec::Absolute(v) | ValueSpec::Change(v)) = spec else {
        return None;
    };
    Some(v * hours(from)? / hours(to)?)
}

/// The value to record on `kr`: checks the unit and the kind, then applies the update.
pub fn new_value(kr: &KeyResult, value: &ParsedValue) -> Result<f64, ValueError> {
    use ValueError as E;
    check_unit(&kr.code, &kr.unit, value)?;
    let (code, written) = (kr.code.clone(), value.to_string());
    let v = match (kr.kind, value.spec) {
        (KrKind::Milestone, ValueSpec::Done(done)) => f64::from(u8::from(done)),
        (KrKind::Milestone, ValueSpec::Change(_)) => {
            return Err(E::ChangeOnMilestone { code, written })
        }
        (kind, ValueSpec::Done(done)) => return Err(E::DoneOnMeasured { code, kind, done }),
        (_, ValueSpec::Absolute(v)) => v,
        (_, ValueSpec::Change(d)) => kr.current + d,
    };
    recordable(kr.kind, &code, v, &written)
}

/// Whether `v` may be a value of a key result of `kind` (`code`, as `written`): finite, within
/// [`MAX_ABS_VALUE`], and 0 or 1 on a milestone (not done or done). The one rule for a value a
/// check-in records and for the current and check-in values an import brings.
pub fn recordable(kind: KrKind, code: &str, v: f64, written: &str) -> Result<f64, ValueError> {
    let (code, written) = (code.to_owned(), written.to_owned());
    if kind == KrKind::Milestone && v != 0.0 && v != 1.0 {
        return Err(ValueError::NumberOnMilestone { code, written });
    }
    if !v.is_finite() || v.abs() > MAX_ABS_VALUE {
        return Err(ValueError::OutOfRange { code, written });
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
        Unit::Free(w) => format!("in {w}"),
    }
}

fn conversion_hint(converted: &Option<f64>, expected: &Unit) -> String {
    match converted {
        Some(v) => format!(" (that is {})", expected.format(*v)),
        None => String::new(),
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
        Unit::Free(w) => format!("measured in {w}: give a number such as 42 or 42 {w}"),
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
