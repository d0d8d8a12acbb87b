//! Answers to a check-in prompt in plain words (`docs/update-grammar.md`, "Answers in plain
//! words"): a reply such as "onboarding is at 9 days, c8", "nps 41 and retention 96%" or "all
//! the same", read against the key results that prompt asked about, never against the whole
//! workspace. The reply becomes updates, a question back (which key result? which number?), or
//! nothing at all: a message that is not clearly an answer records nothing.
//!
//! - The reply is cut into clauses at line breaks, `;`, `, ` and the words "and", "but", "plus",
//!   "also", "then" (and `&`).
//! - In each clause, the key result is named by its code (`GRO-1.1`) or by a word of its title
//!   ("onboarding" for "Reduce onboarding time"; a word of four letters or more also matches
//!   the start of a longer one, "onboard" for "onboarding"); the one named by most words wins,
//!   a tie is asked about.
//! - The number is read by the value grammar (`9 days`, `96%`, `+5`, `$1.2 million`, `done`);
//!   a confidence (`c8`, `conf 8`, `confidence: 8`) may come with it or in a clause of its own
//!   right after. "same", "unchanged", "no change", "flat" say the value has not moved.
//! - A clause that names no key result is taken for the only key result asked about when it
//!   says nothing but the number (and a few filler words, "now at 9"), and asked about
//!   otherwise; a clause that ends with `?` is a question, not an answer, and is skipped.
//! - Pure and total: any text, in any script and of any length, is read without a panic.

use super::{begins_like_value, confidence_at};
use crate::domain::model::Confidence;
use crate::domain::quote::clip;
use crate::domain::value::{read_value, Context, ParsedValue, TRAILING_PUNCT};

/// A key result the prompt asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub code: String,
    pub title: String,
}

/// What a reply says.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Clear updates, each key result at most once, in the order written.
    Updates(Vec<PlainUpdate>),
    /// It reads as an answer, but not clearly enough to record: this question goes back, and
    /// nothing is recorded.
    Ask(String),
    /// Not an answer to the prompt (thanks, chat, a question): nothing is recorded.
    NotAnAnswer,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlainUpdate {
    /// Which of the asked key results (an index into them).
    pub kr: usize,
    pub value: Reported,
    pub confidence: Option<Confidence>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reported {
    Value(ParsedValue),
    /// "same", "no change": checked in at the value it has.
    Unchanged,
}

/// Words a reply may hold beside a number that names no key result ("now at 9").
const FILLER: &[&str] = &[
    "about",
    "almost",
    "around",
    "at",
    "currently",
    "down",
    "far",
    "is",
    "it",
    "it's",
    "its",
    "just",
    "now",
    "roughly",
    "so",
    "still",
    "the",
    "this",
    "to",
    "up",
    "we",
    "we're",
    "week",
    "were",
    "are",
    "on",
    "value",
    "new",
    "i'm",
    "im",
    "at:",
];

/// Words that name no key result even when a title holds them.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "with", "our", "are", "was", "now", "from", "into", "per", "its", "it's",
    "that", "this", "than", "all", "any", "get", "got", "has", "have", "been", "same", "still",
    "week", "weeks",
];

/// Words that cut a reply into clauses.
const JOINERS: &[&str] = &["and", "&", "but", "plus", "also", "then"];

/// Reads `text`, a reply to a prompt that asked about `asked`.
pub fn read_answer(text: &str, asked: &[Asked]) -> Answer {
    let text = text.trim();
    if text.is_empty() || asked.is_empty() {
        return Answer::NotAnAnswer;
    }
    let mut updates: Vec<PlainUpdate> = Vec::new();
    let mut rest_unchanged = false;
    for clause in clauses(text) {
        match read_clause(&clause, asked) {
            Clause::Update(kr, value, confidence) => {
                if let Some(earlier) = updates.iter().find(|u| u.kr == kr) {
                    return Answer::Ask(format!(
                        "{} is in your reply twice ({} and {}): which is it? Reply with just \
                         that one, e.g. {} {}",
                        named(&asked[kr]),
                        shown(&earlier.value),
                        shown(&value),
                        asked[kr].code,
                        shown(&value)
                    ));
                }
                updates.push(PlainUpdate {
                    kr,
                    value,
                    confidence,
                });
            }
            Clause::Confidence(c) => match updates.last_mut() {
                Some(u) if u.confidence.is_none() => u.confidence = Some(c),
                _ => {}
            },
            Clause::RestUnchanged => rest_unchanged = true,
            Clause::Ask(question) => return Answer::Ask(question),
            Clause::Nothing => {}
        }
    }
    if rest_unchanged {
        for kr in 0..asked.len() {
            if !updates.iter().any(|u| u.kr == kr) {
                updates.push(PlainUpdate {
                    kr,
                    value: Reported::Unchanged,
                    confidence: None,
                });
            }
        }
    }
    if updates.is_empty() {
        Answer::NotAnAnswer
    } else {
        Answer::Updates(updates)
    }
}

enum Clause {
    Update(usize, Reported, Option<Confidence>),
    Confidence(Confidence),
    /// "the rest the same", "all unchanged": every asked key result not named otherwise.
    RestUnchanged,
    Ask(String),
    Nothing,
}

/// The reply's clauses, each as its words (trailing punctuation kept for the value grammar,
/// which drops one mark itself).
fn clauses(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for part in text.split(['\n', '\r', ';']) {
        let mut current: Vec<&str> = Vec::new();
        for tok in part.split_whitespace() {
            // Brackets hold words, not meaning: "(conf 6)".
            let tok = tok.trim_matches(['(', ')', '[', ']']);
            if tok.is_empty() {
                continue;
            }
            if JOINERS.iter().any(|j| tok.eq_ignore_ascii_case(j)) {
                out.push(std::mem::take(&mut current));
                continue;
            }
            // "9," ends its clause; "1,200" does not.
            match tok.strip_suffix(',') {
                Some(word) => {
                    if !word.is_empty() {
                        current.push(word);
                    }
                    out.push(std::mem::take(&mut current));
                }
                None => current.push(tok),
            }
        }
        out.push(current);
    }
    out.retain(|c| !c.is_empty());
    out
}

fn read_clause(words: &[&str], asked: &[Asked]) -> Clause {
    if words.last().is_some_and(|w| w.ends_with('?')) {
        return Clause::Nothing;
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut confidence = None;
    let mut values: Vec<(ParsedValue, String)> = Vec::new();
    let mut named_by_code: Option<usize> = None;
    let mut other: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let bare = w.trim_end_matches(TRAILING_PUNCT);
        if let Some(kr) = asked.iter().position(|a| a.code.eq_ignore_ascii_case(bare)) {
            named_by_code = named_by_code.or(Some(kr));
            i += 1;
            continue;
        }
        if let Ok(Some((c, used))) = confidence_at(bare, words.get(i + 1).copied()) {
            confidence = Some(c);
            i += used;
            continue;
        }
        if begins_like_value(w) || is_not_done(&lower[i..]) {
            if let Ok((v, used)) = read_value(&words[i..], Context::Line) {
                let used = used.max(1);
                values.push((v, words[i..i + used].join(" ")));
                i += used;
                continue;
            }
        }
        other.push(i);
        i += 1;
    }
    let others: Vec<&str> = other.iter().map(|&k| lower[k].as_str()).collect();
    let unchanged = says_unchanged(&others);
    let kr = match named_by_code {
        Some(kr) => Some(kr),
        None => match by_title(&others, asked) {
            Named::One(kr) => Some(kr),
            Named::Several(krs) => {
                return Clause::Ask(format!(
                    "Which key result do you mean by \"{}\": {}? Reply with its code, e.g. {} 42",
                    clip(&words.join(" ")),
                    krs.iter()
                        .map(|&k| named(&asked[k]))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    asked[krs[0]].code
                ));
            }
            Named::None => None,
        },
    };
    match (kr, values.as_slice()) {
        (Some(kr), [(v, _)]) => Clause::Update(kr, Reported::Value(v.clone()), confidence),
        (Some(kr), []) if unchanged => Clause::Update(kr, Reported::Unchanged, confidence),
        (Some(kr), []) => Clause::Ask(format!(
            "What is {} at now? Reply with the number, e.g. {} 42, or \"{} same\" if it has not \
             moved",
            named(&asked[kr]),
            asked[kr].code,
            asked[kr].code
        )),
        (Some(kr), several) => Clause::Ask(format!(
            "Which number is {}: {}? Reply with just that one, e.g. {} {}",
            named(&asked[kr]),
            several
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            asked[kr].code,
            several[0].1
        )),
        (None, []) if unchanged && asked.len() == 1 => {
            Clause::Update(0, Reported::Unchanged, confidence)
        }
        (None, []) if unchanged => Clause::RestUnchanged,
        (None, []) => match (confidence, others.is_empty()) {
            (Some(c), true) => Clause::Confidence(c),
            _ => Clause::Nothing,
        },
        (None, [(v, t)]) => {
            let only_filler = others
                .iter()
                .all(|w| FILLER.contains(&w.trim_end_matches(',')));
            if asked.len() == 1 && only_filler {
                Clause::Update(0, Reported::Value(v.clone()), confidence)
            } else if asked.len() == 1 {
                Clause::Ask(format!(
                    "Is {t} the new value of {}? Reply e.g. {} {t}",
                    named(&asked[0]),
                    asked[0].code
                ))
            } else {
                Clause::Ask(format!(
                    "Which key result is {t} for: {}? Reply e.g. {} {t}",
                    asked.iter().map(named).collect::<Vec<_>>().join(", "),
                    asked[0].code
                ))
            }
        }
        (None, several) => Clause::Ask(format!(
            "Which key result is each number for ({})? Reply one per line, e.g. {} {}",
            several
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            asked[0].code,
            several[0].1
        )),
    }
}

fn is_not_done(lower: &[String]) -> bool {
    matches!(lower, [a, b, ..] if a == "not" && b.trim_end_matches(TRAILING_PUNCT) == "done")
}

/// "same", "unchanged", "no change", "flat", "as before".
fn says_unchanged(words: &[&str]) -> bool {
    let bare: Vec<&str> = words
        .iter()
        .map(|w| w.trim_end_matches(TRAILING_PUNCT))
        .collect();
    bare.iter()
        .any(|w| matches!(*w, "same" | "unchanged" | "flat" | "nochange"))
        || bare
            .windows(2)
            .any(|p| matches!(p, ["no", "change" | "changes"] | ["as", "before"]))
}

enum Named {
    One(usize),
    Several(Vec<usize>),
    None,
}

/// The asked key result the clause's words name by its title.
fn by_title(words: &[&str], asked: &[Asked]) -> Named {
    let clause: Vec<String> = words.iter().flat_map(|w| title_words(w)).collect();
    let whole = words.join(" ");
    let scores: Vec<usize> = asked
        .iter()
        .map(|a| {
            let title = a.title.to_lowercase();
            let ws = title_words(&title);
            let by_words = clause
                .iter()
                .filter(|c| ws.iter().any(|t| same_word(c, t)))
                .count();
            // A title in a script without spaces is named whole.
            let collapsed: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
            let whole_title = !collapsed.is_empty()
                && collapsed.chars().count() >= 2
                && whole.contains(&collapsed);
            by_words + if whole_title { 100 } else { 0 }
        })
        .collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    if best == 0 {
        return Named::None;
    }
    let tied: Vec<usize> = (0..asked.len()).filter(|&k| scores[k] == best).collect();
    match tied.as_slice() {
        [one] => Named::One(*one),
        _ => Named::Several(tied),
    }
}

/// The words of `text` that can name a key result: letters in them, three or more characters
/// (or a title's only word), not a stopword.
fn title_words(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect();
    let alone = words.len() == 1;
    words
        .into_iter()
        .filter(|w| (alone || w.chars().count() >= 3) && !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// Equal, or one begins the other and the shorter has four characters or more.
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.chars().count() >= 4 && long.starts_with(short)
}

fn named(a: &Asked) -> String {
    format!("{} \"{}\"", a.code, clip(&a.title))
}

fn shown(r: &Reported) -> String {
    match r {
        Reported::Value(v) => v.to_string(),
        Reported::Unchanged => "unchanged".into(),
    }
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
