//! The codes people name objectives and key results by: `GRO-2` is objective 2 of the team with
//! prefix `GRO`, and `GRO-2.3` is key result 3 of that objective. What a code looks like is
//! decided here only: the update grammar, options such as `objective:` and `kr:`, and the import
//! all parse a code into [`ObjectiveCode`] or [`KrCode`], and the store looks rows up by one.
//!
//! A code is a prefix of 1 to [`MAX_PREFIX_LETTERS`] ASCII letters (any case, kept upper case), a
//! dash, and the objective's number; a key-result code adds a dot and the key result's number.
//! Numbers are plain digits (no sign); leading zeros are allowed and dropped, so `GRO-02.3` and
//! `gro-2.3` are both `GRO-2.3`.

use std::fmt;

use super::quote::quote;

/// The longest prefix a code may have. Teams choose 2 to 6 letters at setup; the grammar accepts
/// a little more so a mistyped prefix is still read as a code and answered with "did you mean".
pub const MAX_PREFIX_LETTERS: usize = 10;

/// An objective's code, `GRO-2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectiveCode {
    /// Upper case: `GRO`.
    prefix: String,
    number: i64,
}

/// A key result's code, `GRO-2.3`: its objective's code and its own number in that objective.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KrCode {
    objective: ObjectiveCode,
    number: i64,
}

/// Why a text is not a code. `Display` is the message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "{} is not an objective code: write the team's prefix, a dash and the objective's \
         number, e.g. GRO-2",
        quote(.text)
    )]
    Objective { text: String },
    #[error(
        "{} is not a key-result code: write the objective's code, a dot and the key result's \
         number, e.g. GRO-2.3",
        quote(.text)
    )]
    KeyResult { text: String },
}

impl ObjectiveCode {
    /// Parses `GRO-2` (surrounding whitespace ignored, any case).
    pub fn parse(text: &str) -> Result<ObjectiveCode, CodeError> {
        let bad = || CodeError::Objective {
            text: text.trim().to_owned(),
        };
        let (prefix, number) = split(text).ok_or_else(bad)?;
        Ok(ObjectiveCode {
            prefix,
            number: number_of(number).ok_or_else(bad)?,
        })
    }

    /// The team prefix, upper case.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The objective's running number in its team.
    pub fn number(&self) -> i64 {
        self.number
    }
}

impl KrCode {
    /// Parses `GRO-2.3` (surrounding whitespace ignored, any case).
    pub fn parse(text: &str) -> Result<KrCode, CodeError> {
        let bad = || CodeError::KeyResult {
            text: text.trim().to_owned(),
        };
        let (prefix, numbers) = split(text).ok_or_else(bad)?;
        let (objective, number) = numbers.split_once('.').ok_or_else(bad)?;
        let objective = ObjectiveCode {
            prefix,
            number: number_of(objective).ok_or_else(bad)?,
        };
        Ok(KrCode {
            objective,
            number: number_of(number).ok_or_else(bad)?,
        })
    }

    /// The code of the objective this key result belongs to.
    pub fn objective(&self) -> &ObjectiveCode {
        &self.objective
    }

    /// The key result's running number in its objective.
    pub fn number(&self) -> i64 {
        self.number
    }
}

impl fmt::Display for ObjectiveCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

impl fmt::Display for KrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.objective, self.number)
    }
}

/// The upper-cased prefix and the text after the dash, if the prefix is one.
fn split(text: &str) -> Option<(String, &str)> {
    let (prefix, rest) = text.trim().split_once('-')?;
    let letters = (1..=MAX_PREFIX_LETTERS).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_alphabetic());
    letters.then(|| (prefix.to_ascii_uppercase(), rest))
}

/// Plain digits that fit a number; signs, spaces and anything else are refused.
fn number_of(digits: &str) -> Option<i64> {
    let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
#[path = "codes_tests.rs"]
mod tests;
