//! Resolving a key-result reference: a [`KrRef`] as written (code, id or part of a title) becomes
//! the one [`KrId`] it means among the key results a person may update, or a [`ResolveError`]
//! that suggests the closest key result ("did you mean") or lists the ones a title part matches.
//! Nothing here touches storage: the caller passes the candidates.

use super::collapse;
use crate::domain::model::{KeyResult, KrCode, KrId, ObjectiveCode};
use crate::domain::quote::quote;

/// Fuzzy matching is quadratic; past this length a reference is not a typo of a code or title.
const FUZZY_MAX_CHARS: usize = 200;

/// Which key result an update is for, as written; [`resolve_kr`] turns it into an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KrRef {
    /// `GRO-1.2`.
    Code(KrCode),
    /// An objective's code where a key result's was expected (`GRO-1`): it names no key result,
    /// but the answer suggests the closest key-result code.
    ObjectiveCode(ObjectiveCode),
    Id(i64),
    /// Part of a title, as typed (whitespace collapsed); matched case-insensitively.
    Title(String),
}

impl KrRef {
    /// `text` as a reference by code, if it is written as one: a key-result code, or an
    /// objective's code (which then names no key result, see [`KrRef::ObjectiveCode`]).
    pub fn parse_code(text: &str) -> Option<KrRef> {
        KrCode::parse(text)
            .map(KrRef::Code)
            .or_else(|_| ObjectiveCode::parse(text).map(KrRef::ObjectiveCode))
            .ok()
    }
}

impl std::fmt::Display for KrRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KrRef::Code(c) => write!(f, "{c}"),
            KrRef::ObjectiveCode(c) => write!(f, "{c}"),
            KrRef::Id(id) => write!(f, "#{id}"),
            KrRef::Title(t) => f.write_str(t),
        }
    }
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
            let code = code.to_string();
            let hits = candidates
                .iter()
                .filter(|c| c.code.trim().eq_ignore_ascii_case(&code));
            pick(reference, hits.collect(), || {
                closest_code(&code, candidates)
            })
        }
        KrRef::ObjectiveCode(code) => pick(reference, Vec::new(), || {
            closest_code(&code.to_string(), candidates)
        }),
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

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
