//! Values the domain's unit tests share: a key result to check values against, and parsed
//! values to compare with.

use chrono::DateTime;

use super::model::{Direction, KeyResult, KrId, KrKind, ObjectiveId, Unit};
use super::value::{ParsedValue, ValueSpec};

pub(crate) fn abs(v: f64) -> ParsedValue {
    ParsedValue {
        spec: ValueSpec::Absolute(v),
        unit: None,
    }
}

pub(crate) fn with_unit(spec: ValueSpec, unit: Unit) -> ParsedValue {
    ParsedValue {
        spec,
        unit: Some(unit),
    }
}

pub(crate) fn usd() -> Unit {
    Unit::Currency("USD".into())
}

pub(crate) fn kr(code: &str, kind: KrKind, unit: Unit, current: f64) -> KeyResult {
    KeyResult {
        id: KrId(1),
        objective_id: ObjectiveId(1),
        number: 1,
        code: code.into(),
        title: "Reduce onboarding time".into(),
        owner: None,
        kind,
        unit,
        start: 0.0,
        target: 10.0,
        current,
        direction: (kind == KrKind::Threshold).then_some(Direction::AtLeast),
        confidence: None,
        weight: 1.0,
        created_at: DateTime::from_timestamp(0, 0).unwrap(),
        paced_from: None,
        last_check_in: None,
        follows: None,
        carried_by: None,
    }
}
