//! Properties of everything that reads typed text: the console's line parser (and its option
//! splitter), the update grammar, the value grammar and the cron parser never panic on any input,
//! every number they accept is finite, and what okrbot writes reads back as itself.
//!
//! The suite runs proptest's default number of cases; a long run sets `PROPTEST_CASES`, e.g.
//! `PROPTEST_CASES=2000000 cargo test --release --test it properties`.

use okrbot::console::{parse_line, Line};
use okrbot::domain::codes::{KrCode, ObjectiveCode};
use okrbot::domain::grammar::{parse_bulk, parse_update};
use okrbot::domain::model::{format_number, Unit};
use okrbot::domain::schedule::CronSchedule;
use okrbot::domain::value::{parse_amount, parse_target, parse_value, TargetSpec, ValueSpec};
use proptest::prelude::*;

/// Pieces people type, including the ones that broke parsers before: option names, quotes,
/// codes, numbers in every form, units, and text in several scripts.
const PIECES: &[&str] = &[
    "/okr",
    "okr",
    "update",
    "kr",
    "add",
    "objective",
    "setup",
    "cycle",
    "new",
    "status",
    "bulk",
    "clock",
    "nochange",
    "all",
    "kr:",
    "value:",
    "note:",
    "title:",
    "team:",
    "confidence:",
    "owner:",
    "kind:",
    "start:",
    "target:",
    "advance:",
    "set:",
    "\"",
    " ",
    "  ",
    "\t",
    ":",
    "#",
    "GRO-1.1",
    "GRO-1",
    "gro-01.02",
    "#12",
    "12O",
    "1,200",
    "1.2k",
    "3M",
    "45%",
    "$1,200",
    "€5",
    "3h",
    "14d",
    "+5",
    "-2.5",
    "=-5",
    "1 200",
    "1\u{202F}200",
    "1\u{A0}200",
    "12 300 users",
    "3 hours",
    "50 %",
    "1200 USD",
    "4 points",
    "$100 million",
    "2.5B",
    "bn",
    "by 30% to ",
    "+30%",
    "1e999",
    "NaN",
    "inf",
    "done",
    "not",
    "c8",
    "conf",
    "10",
    "0",
    "München",
    "café",
    "🚀",
    "日本語",
    "Ölçü",
    "ß",
    "\u{200b}",
    "\u{301}",
    "é",
    "9999-12-31T23:59:59Z",
];

fn typed_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Arbitrary Unicode, control characters included.
        any::<String>(),
        // Sentences made of the pieces above, glued with or without spaces.
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(PIECES).prop_map(str::to_owned),
                any::<char>().prop_map(String::from),
            ],
            0..24
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn finite(spec: &ValueSpec) -> bool {
    match spec {
        ValueSpec::Absolute(v) | ValueSpec::Change(v) => v.is_finite(),
        ValueSpec::Done(_) => true,
    }
}

proptest! {
    #[test]
    fn the_console_line_parser_never_panics(line in typed_text()) {
        match parse_line(&line) {
            Line::Error(message) | Line::Words { error: message } => {
                prop_assert!(message.len() < 2_000, "{message}")
            }
            Line::Empty | Line::Exit | Line::BeginBulk | Line::Command(_) | Line::Clock(_) => {}
        }
    }

    #[test]
    fn the_update_grammar_never_panics_and_accepts_only_finite_values(line in typed_text()) {
        if let Ok(u) = parse_update(&line) {
            prop_assert!(finite(&u.value.spec), "{line:?} gave {:?}", u.value);
        }
        let _ = parse_bulk(&format!("{line}\n{line}"));
    }

    #[test]
    fn the_value_grammar_never_panics_and_accepts_only_finite_values(text in typed_text()) {
        if let Ok(v) = parse_value(&text) {
            prop_assert!(finite(&v.spec), "{text:?} gave {v:?}");
        }
    }

    #[test]
    fn the_cron_parser_never_panics(
        fields in prop::collection::vec(
            prop_oneof![
                prop::sample::select(&[
                    "*", "0", "9", "59", "60", "-1", "1-5", "7-7", "*/15", "Mon", "MON#1", "Mon-Sun",
                    "L", "?", "1,2,3", "2026", "@annually", "99999999999", "日", "",
                ][..]).prop_map(str::to_owned),
                any::<String>(),
            ],
            0..8,
        )
    ) {
        let _ = CronSchedule::parse(&fields.join(" "));
    }

    #[test]
    fn a_number_okrbot_prints_reads_back_as_the_number_it_shows(cents in 0i64..100_000_000_000_000) {
        let shown = cents as f64 / 100.0;
        let text = format_number(shown);
        let parsed = parse_value(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        match parsed.spec {
            ValueSpec::Absolute(v) => prop_assert!((v - shown).abs() <= shown.abs() * 1e-12, "{text} read as {v}"),
            other => prop_assert!(false, "{text} read as {other:?}"),
        }
        for unit in [
            Unit::Percent,
            Unit::Days,
            Unit::Hours,
            Unit::Currency("USD".into()),
            Unit::Currency("CHF".into()),
            Unit::Free("points".into()),
        ] {
            let text = unit.format(shown);
            let parsed = parse_value(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(parsed.unit, Some(unit), "{}", text);
            // Money from a million on is shown to one decimal of its M, B or T.
            let ValueSpec::Absolute(v) = parsed.spec else {
                return Err(TestCaseError::fail(format!("{text} read as {:?}", parsed.spec)));
            };
            let tolerance = if shown >= 1e6 { shown * 0.051 } else { shown * 1e-12 + 0.005 };
            prop_assert!((v - shown).abs() <= tolerance, "{text} read as {v}, shown {shown}");
        }
    }

    #[test]
    fn a_negative_amount_okrbot_prints_reads_back_as_a_start_or_target(cents in -100_000_000_000_000i64..0) {
        let shown = cents as f64 / 100.0;
        for unit in [Unit::Count, Unit::Currency("USD".into()), Unit::Free("NPS".into())] {
            let text = unit.format(shown);
            let parsed = parse_amount(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            let ValueSpec::Absolute(v) = parsed.spec else {
                return Err(TestCaseError::fail(format!("{text} read as {:?}", parsed.spec)));
            };
            prop_assert!(v < 0.0 || shown > -0.005, "{text} read as {v}");
            prop_assert!(matches!(parse_target(&text), Ok(TargetSpec::Absolute(_))), "{}", text);
        }
    }

    #[test]
    fn start_and_target_parsers_never_panic_and_accept_only_finite_values(text in typed_text()) {
        if let Ok(v) = parse_amount(&text) {
            prop_assert!(finite(&v.spec), "{text:?} gave {v:?}");
        }
        match parse_target(&text) {
            Ok(TargetSpec::Absolute(v)) => prop_assert!(finite(&v.spec), "{text:?} gave {v:?}"),
            Ok(TargetSpec::Relative(p)) => prop_assert!(p.is_finite(), "{text:?} gave {p}"),
            Err(_) => {}
        }
    }

    #[test]
    fn a_code_okrbot_prints_reads_back_as_itself(
        prefix in "[A-Z]{2,6}",
        objective in 1u32..100_000,
        kr in 1u32..1_000,
    ) {
        let o = ObjectiveCode::parse(&format!("{prefix}-{objective}"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ObjectiveCode::parse(&o.to_string()).ok(), Some(o.clone()));
        let k = KrCode::parse(&format!("{o}.{kr}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(KrCode::parse(&k.to_string()).ok(), Some(k.clone()));
        prop_assert_eq!(KrCode::parse(&k.to_string().to_lowercase()).ok(), Some(k));
    }
}
