//! A check-in as the core records it: whatever form the person used (a grammar line, the
//! typed options of `/okr update`, Discord's form, a line of a bulk message), the text becomes
//! a [`CheckInRequest`] here, once, before any use case runs. What only the key result can
//! tell (its unit, its range, who may update it) is checked by the use case.

use super::{parse_bulk, parse_confidence, parse_update, BulkLineError, KrRef, ParseError};
use crate::domain::model::{CheckInSource, Confidence, Note};
use crate::domain::value::{parse_value, ParsedValue};

#[derive(Debug, Clone)]
pub struct CheckInRequest {
    pub kr: KrRef,
    pub value: ParsedValue,
    pub confidence: Option<Confidence>,
    pub note: Option<Note>,
    pub source: CheckInSource,
    /// The same key twice records one check-in (a button pressed twice, a redelivered event).
    pub idempotency_key: Option<String>,
    /// From a line: the note may begin with the key result's own unit word (`4 points shipped`),
    /// which only the key result can tell (`grammar::unit_from_note`). A form's note never is.
    pub unit_may_lead_note: bool,
    /// The person confirmed a value far outside the key result's range (`confirm:yes`).
    pub confirmed: bool,
}

/// The fields of an update form (console options, Discord's modal), as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateFields<'a> {
    pub kr: &'a str,
    pub value: &'a str,
    pub confidence: Option<&'a str>,
    pub note: Option<&'a str>,
}

impl CheckInRequest {
    /// The typed form, parsed once: a key-result reference, a value in the update grammar, a
    /// confidence that is a number already, and a note within its limit.
    pub fn typed(
        kr: &str,
        value: &str,
        confidence: Option<Confidence>,
        note: Option<&str>,
        source: CheckInSource,
        idempotency_key: Option<String>,
    ) -> Result<CheckInRequest, ParseError> {
        Ok(CheckInRequest {
            kr: parse_kr_ref(kr)?,
            value: parse_value(value).map_err(|error| ParseError::Value {
                error,
                in_title: false,
            })?,
            confidence,
            note: note.map(Note::parse).transpose()?.flatten(),
            source,
            idempotency_key,
            unit_may_lead_note: false,
            confirmed: false,
        })
    }

    /// A form's fields as typed: the confidence is read first, so a bad one is named before
    /// anything else.
    pub fn from_fields(
        fields: &UpdateFields<'_>,
        source: CheckInSource,
        idempotency_key: Option<String>,
    ) -> Result<CheckInRequest, ParseError> {
        let confidence = confidence_field(fields.confidence)?;
        CheckInRequest::typed(
            fields.kr,
            fields.value,
            confidence,
            fields.note,
            source,
            idempotency_key,
        )
    }

    /// One line of the update grammar (`GRO-1.1 9 c8 new flow shipped`).
    pub fn from_line(
        line: &str,
        source: CheckInSource,
        idempotency_key: Option<String>,
    ) -> Result<CheckInRequest, ParseError> {
        let u = parse_update(line)?;
        Ok(CheckInRequest {
            kr: u.kr_ref,
            value: u.value,
            confidence: u.confidence,
            note: u.note,
            source,
            idempotency_key,
            unit_may_lead_note: true,
            confirmed: false,
        })
    }

    /// The same request, its value confirmed as meant.
    pub fn confirm(mut self) -> CheckInRequest {
        self.confirmed = true;
        self
    }
}

/// One update per line, all or nothing: each with its line number, or the first bad line.
pub fn bulk_requests(
    text: &str,
    source: CheckInSource,
) -> Result<Vec<(usize, CheckInRequest)>, BulkLineError> {
    Ok(parse_bulk(text)?
        .into_iter()
        .map(|(line, u)| {
            let request = CheckInRequest {
                kr: u.kr_ref,
                value: u.value,
                confidence: u.confidence,
                note: u.note,
                source,
                idempotency_key: None,
                unit_may_lead_note: true,
                confirmed: false,
            };
            (line, request)
        })
        .collect())
}

/// A key result as typed in a field: its code (`GRO-1.1`), its id (`12`, `#12`), or part of its
/// title.
pub fn parse_kr_ref(reference: &str) -> Result<KrRef, ParseError> {
    let t = reference.trim();
    if t.is_empty() {
        return Err(ParseError::NoKeyResult);
    }
    Ok(if let Some(code) = KrRef::parse_code(t) {
        code
    } else if let Ok(id) = t.strip_prefix('#').unwrap_or(t).parse::<i64>() {
        KrRef::Id(id)
    } else {
        KrRef::Title(t.to_owned())
    })
}

/// A confidence as typed in a text field (`8`, `c8`, `conf 8`); blank is none.
pub fn confidence_field(text: Option<&str>) -> Result<Option<Confidence>, ParseError> {
    text.filter(|c| !c.trim().is_empty())
        .map(parse_confidence)
        .transpose()
}
