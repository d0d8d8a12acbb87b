use super::*;
use crate::domain::fixtures::{abs, kr, usd, with_unit};
use crate::domain::model::{KrId, KrKind, NoteTooLong, Unit};
use crate::domain::value::{new_value, parse_value, ValueParseError};

/// A reference by code, as the grammar reads it.
fn code(text: &str) -> KrRef {
    KrRef::parse_code(text).unwrap_or_else(|| panic!("{text:?} is a code"))
}

fn update(line: &str) -> ParsedUpdate {
    parse_update(line).unwrap_or_else(|e| panic!("{line:?} should parse: {e}"))
}

fn update_err(line: &str) -> String {
    match parse_update(line) {
        Ok(u) => panic!("{line:?} should fail, got {u:?}"),
        Err(e) => e.to_string(),
    }
}

fn conf(n: i64) -> Option<Confidence> {
    Confidence::new(n)
}

// ---- confidence -------------------------------------------------------------------------------

#[test]
fn confidence_accepts_bare_and_prefixed_forms() {
    for t in [
        "8",
        "c8",
        "C8",
        "c 8",
        "conf 8",
        "confidence 8",
        "confidence:8",
        "c:8",
        "8/10",
    ] {
        assert_eq!(parse_confidence(t), Ok(Confidence::new(8).unwrap()), "{t}");
    }
}

#[test]
fn confidence_zero_and_eleven_are_refused_with_the_range() {
    for t in [
        "0",
        "11",
        "c0",
        "c11",
        "-1",
        "8.5",
        "",
        "high",
        "99999999999999999999",
    ] {
        assert_eq!(
            parse_confidence(t),
            Err(ParseError::BadConfidence { text: t.into() }),
            "{t}"
        );
    }
    assert_eq!(
        parse_confidence("c0").unwrap_err().to_string(),
        "\"c0\" is not a valid confidence: confidence is 1 (no chance) to 10 (certain); write it like c8"
    );
}

// ---- whole lines ------------------------------------------------------------------------------

#[test]
fn code_and_value_parse() {
    assert_eq!(
        update("gro-1.2 42"),
        ParsedUpdate {
            kr_ref: code("GRO-1.2"),
            value: abs(42.0),
            confidence: None,
            note: None
        }
    );
}

#[test]
fn code_with_trailing_colon_is_a_code() {
    assert_eq!(update("ENG-2.3: 45%").kr_ref, code("ENG-2.3"));
}

#[test]
fn numeric_id_and_hash_id_parse() {
    assert_eq!(update("123 42").kr_ref, KrRef::Id(123));
    assert_eq!(update("#123 42").kr_ref, KrRef::Id(123));
}

#[test]
fn id_too_large_for_i64_is_refused() {
    assert_eq!(
        update_err("#99999999999999999999 5"),
        "\"#99999999999999999999\" is not a key result id: ids are whole numbers like 12 (/okr kr list shows them)"
    );
}

#[test]
fn every_value_form_parses_after_a_code() {
    let cases = [
        ("42", abs(42.0)),
        ("42.5", abs(42.5)),
        ("1,200", abs(1200.0)),
        ("1.2k", abs(1200.0)),
        ("3M", abs(3e6)),
        ("45%", with_unit(ValueSpec::Absolute(45.0), Unit::Percent)),
        ("$1,200", with_unit(ValueSpec::Absolute(1200.0), usd())),
        ("3h", with_unit(ValueSpec::Absolute(3.0), Unit::Hours)),
        ("14d", with_unit(ValueSpec::Absolute(14.0), Unit::Days)),
        (
            "+5",
            ParsedValue {
                spec: ValueSpec::Change(5.0),
                unit: None,
            },
        ),
        (
            "-2.5",
            ParsedValue {
                spec: ValueSpec::Change(-2.5),
                unit: None,
            },
        ),
        (
            "done",
            ParsedValue {
                spec: ValueSpec::Done(true),
                unit: None,
            },
        ),
        (
            "not done",
            ParsedValue {
                spec: ValueSpec::Done(false),
                unit: None,
            },
        ),
    ];
    for (text, expected) in cases {
        let u = update(&format!("GRO-1.1 {text}"));
        assert_eq!(u.value, expected, "{text}");
        assert_eq!(u.note, None, "{text}");
    }
}

#[test]
fn every_confidence_form_is_taken_after_the_value() {
    for c in [
        "c8",
        "C8",
        "c 8",
        "conf 8",
        "confidence 8",
        "confidence:8",
        "c:8",
        "c: 8",
        "conf=8",
    ] {
        let u = update(&format!("GRO-1.1 42 {c} on track"));
        assert_eq!(u.confidence, conf(8), "{c}");
        assert_eq!(u.note.as_deref(), Some("on track"), "{c}");
    }
}

#[test]
fn note_may_follow_the_value_directly_and_keeps_its_spacing() {
    let u = update("GRO-1.1 42 shipped  the   thing");
    assert_eq!(u.confidence, None);
    assert_eq!(u.note.as_deref(), Some("shipped  the   thing"));
}

#[test]
fn note_starting_with_a_c_word_is_a_note() {
    let u = update("GRO-1.1 42 c is for cookie");
    assert_eq!(
        (u.confidence, u.note.as_deref()),
        (None, Some("c is for cookie"))
    );
    let u = update("GRO-1.1 42 conference went well");
    assert_eq!(
        (u.confidence, u.note.as_deref()),
        (None, Some("conference went well"))
    );
}

#[test]
fn confidence_keyword_without_a_number_is_refused() {
    assert_eq!(
        update_err("GRO-1.1 42 confidence high"),
        "\"confidence high\" is not a valid confidence: confidence is 1 (no chance) to 10 (certain); write it like c8"
    );
    assert!(update_err("GRO-1.1 42 c").contains("confidence is 1 (no chance) to 10 (certain)"));
}

#[test]
fn confidence_zero_and_eleven_in_a_line_are_refused() {
    assert_eq!(
        parse_update("GRO-1.1 42 c0"),
        Err(ParseError::BadConfidence { text: "c0".into() })
    );
    assert_eq!(
        parse_update("GRO-1.1 42 conf 11"),
        Err(ParseError::BadConfidence {
            text: "conf 11".into()
        })
    );
}

#[test]
fn long_note_in_a_line_is_refused() {
    let line = format!("GRO-1.1 42 c7 {}", "x".repeat(1001));
    assert_eq!(
        parse_update(&line),
        Err(ParseError::Note(NoteTooLong { chars: 1001 }))
    );
}

#[test]
fn title_words_up_to_the_value_form_a_title_ref() {
    let u = update("onboarding time 9d c6 new flow live");
    assert_eq!(u.kr_ref, KrRef::Title("onboarding time".into()));
    assert_eq!(u.value, with_unit(ValueSpec::Absolute(9.0), Unit::Days));
    assert_eq!(u.confidence, conf(6));
    assert_eq!(u.note.as_deref(), Some("new flow live"));
}

#[test]
fn title_ref_stops_at_done_and_not_done() {
    let u = update("Launch beta done");
    assert_eq!(
        (u.kr_ref, u.value.spec),
        (KrRef::Title("Launch beta".into()), ValueSpec::Done(true))
    );
    let u = update("Write docs not done yet");
    assert_eq!(u.kr_ref, KrRef::Title("Write docs".into()));
    assert_eq!(u.value.spec, ValueSpec::Done(false));
    assert_eq!(u.note.as_deref(), Some("yet"));
}

#[test]
fn title_ref_stops_at_nan_to_report_it() {
    assert_eq!(
        parse_update("churn rate NaN"),
        Err(ParseError::Value {
            error: ValueParseError::NotFinite { text: "NaN".into() },
            in_title: false
        })
    );
}

#[test]
fn quoted_ref_may_contain_anything() {
    let u = update("\"Top 10 accounts\" 7");
    assert_eq!(
        (u.kr_ref, u.value),
        (KrRef::Title("Top 10 accounts".into()), abs(7.0))
    );
}

#[test]
fn curly_quotes_work_like_straight_quotes() {
    assert_eq!(
        update("“onboarding time” 9").kr_ref,
        KrRef::Title("onboarding time".into())
    );
}

#[test]
fn quoted_code_is_still_a_code() {
    assert_eq!(update("\"gro-1.1\" 9").kr_ref, code("GRO-1.1"));
}

#[test]
fn unclosed_and_empty_quotes_are_refused() {
    assert_eq!(
        update_err("\"onboarding 9"),
        "the quote before \"onboarding 9\" is never closed: write the title part in double quotes, e.g. \"onboarding time\" 9"
    );
    assert_eq!(parse_update("\"  \" 9"), Err(ParseError::EmptyQuotedRef));
}

#[test]
fn missing_value_says_what_to_write() {
    assert_eq!(
        update_err("GRO-1.1"),
        "\"GRO-1.1\" has no value: write the new value after the key result, e.g. GRO-1.1 42 or GRO-1.1 done"
    );
    assert_eq!(
        parse_update("onboarding time"),
        Err(ParseError::MissingValue {
            reference: "onboarding time".into()
        })
    );
}

#[test]
fn value_without_a_ref_is_refused() {
    assert_eq!(
        update_err("+5"),
        "\"+5\" needs a key result before it: write its code, id or part of its title first, e.g. GRO-1.1 +5"
    );
}

#[test]
fn empty_line_is_refused() {
    assert_eq!(parse_update("  \t "), Err(ParseError::Empty));
}

#[test]
fn bad_number_after_a_code_suggests_a_fix() {
    assert_eq!(
        update_err("GRO-1.1 12O c8"),
        "\"12O\" is not a number: did you mean 120?"
    );
}

#[test]
fn word_after_a_code_is_not_a_number() {
    assert!(matches!(
        parse_update("GRO-1.1 Reduce 5"),
        Err(ParseError::Value {
            error: ValueParseError::NotANumber { ref text, suggestion: None },
            in_title: false
        }) if text == "Reduce"
    ));
}

#[test]
fn bad_number_ending_a_title_hints_at_quotes() {
    assert_eq!(
        update_err("Enable 2FA 100%"),
        "\"2FA\" is not a number: write a number like 42, 1,200, 1.5k, 3M, 45%, $1,200, 3h or 14d, or done / not done (if it is part of the title, put the title in \"double quotes\")"
    );
}

#[test]
fn exponent_in_a_line_is_refused() {
    assert_eq!(
        parse_update("GRO-1.1 1e999"),
        Err(ParseError::Value {
            error: ValueParseError::ExponentNotation {
                text: "1e999".into()
            },
            in_title: false
        })
    );
}

// ---- bulk -------------------------------------------------------------------------------------

#[test]
fn bulk_returns_every_line_with_its_number() {
    let text = "# weekly\nGRO-1.1 42\n\n  #12 done  \r\nonboarding 9d c7 ok\n";
    let got = parse_bulk(text).unwrap();
    let lines: Vec<usize> = got.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, vec![2, 4, 5]);
    assert_eq!(got[1].1.kr_ref, KrRef::Id(12));
    assert_eq!(got[2].1.note.as_deref(), Some("ok"));
}

#[test]
fn bulk_with_one_bad_line_returns_only_that_error() {
    let err = parse_bulk("GRO-1.1 42\nGRO-1.2 45%\nGRO-1.3 12O\nGRO-1.4 7").unwrap_err();
    assert_eq!(
        err,
        BulkLineError {
            line: 3,
            text: "GRO-1.3 12O".into(),
            error: ParseError::Value {
                error: ValueParseError::NotANumber {
                    text: "12O".into(),
                    suggestion: Some("120".into()),
                },
                in_title: false
            },
        }
    );
    assert_eq!(
        err.to_string(),
        "line 3 (\"GRO-1.3 12O\"): \"12O\" is not a number: did you mean 120?; nothing was recorded"
    );
}

#[test]
fn bulk_with_nothing_but_comments_is_refused() {
    let err = parse_bulk("\n# nothing\n   \n").unwrap_err();
    assert_eq!(
        (err.line, err.error.clone()),
        (0, ParseError::NothingToRecord)
    );
    assert_eq!(
        err.to_string(),
        "nothing to record: write one update per line, e.g. GRO-1.1 42"
    );
}

// ---- robustness -------------------------------------------------------------------------------

fn finite(v: &ParsedValue) -> bool {
    match v.spec {
        ValueSpec::Absolute(x) | ValueSpec::Change(x) => x.is_finite(),
        ValueSpec::Done(_) => true,
    }
}

#[test]
fn weird_input_never_panics_and_numbers_stay_finite() {
    let long_digits = "9".repeat(100_000);
    let long_words = "word ".repeat(20_000);
    let long_fraction = format!("0.{}1", "0".repeat(5000));
    let weird: Vec<String> = [
        "",
        " ",
        "\"",
        "\"\"",
        "“",
        "”x",
        "#",
        "##",
        "#-1",
        "-",
        "+",
        "$",
        "€",
        "£",
        "%",
        ".",
        "..",
        ",",
        "c",
        "c8",
        "not",
        "not done",
        "done done",
        "GRO-",
        "-1.1",
        "A-1.",
        "ABCDEFGHIJK-1.1 5",
        "GRO-1.1 \u{0}",
        "GRO-1.1 \u{200B}42",
        "GRO-1.1 ４２",
        "GRO-1.1 ٤٢",
        "🚀 42 🎉",
        "é-1.1 5",
        "GRO-1.1 -$-5",
        "GRO-1.1 $€5",
        "GRO-1.1 1e",
        "GRO-1.1 e5",
        "GRO-1.1 1,,000",
        "GRO-1.1 1.k",
        "GRO-1.1 .k",
        "GRO-1.1 k",
        "GRO-1.1 M%",
        "GRO-1.1 0x10",
        "GRO-1.1 1_000",
        "GRO-1.1 ∞",
        "GRO-1.1 42 c",
        "GRO-1.1 42 c:",
        "GRO-1.1 42 conf",
        "GRO-1.1 42 c 99999999999999999999",
        "\u{FEFF}GRO-1.1 42",
        "\t\r\n",
        "GRO-1.1\n42\nnote",
        "'quoted' 5",
        "\"a\"\"b\" 5",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        long_digits.clone(),
        format!("GRO-1.1 {long_digits}"),
        format!("GRO-1.1 {long_fraction}"),
        format!("GRO-1.1 $1,{}", "000,".repeat(10_000)),
        long_words.clone(),
        format!("{long_words} 5"),
        format!("\"{long_words}"),
        format!("GRO-1.1 42 {}", "🙂".repeat(5000)),
        "€".repeat(10_000),
        format!("{}{}", "c".repeat(10_000), " 8"),
    ])
    .collect();
    let big: Vec<KrCandidate<'_>> = (0..5)
        .map(|i| KrCandidate {
            id: KrId(i),
            code: "GRO-1.1",
            title: long_words.as_str(),
        })
        .chain([KrCandidate {
            id: KrId(13),
            code: "GRO-1.2",
            title: "NPS",
        }])
        .collect();
    for w in &weird {
        if let Ok(u) = parse_update(w) {
            assert!(finite(&u.value), "{w:?}");
            let _ = resolve_kr(&u.kr_ref, &big);
            let _ = new_value(
                &kr("GRO-1.1", KrKind::Milestone, Unit::Count, 0.0),
                &u.value,
            );
        } else {
            assert!(!parse_update(w).unwrap_err().to_string().is_empty());
        }
        if let Ok(v) = parse_value(w) {
            assert!(finite(&v), "{w:?}");
        }
        let _ = parse_confidence(w);
        let _ = parse_bulk(w);
        let _ = resolve_kr(&KrRef::Title(w.clone()), &big);
        if let Some(r) = KrRef::parse_code(w) {
            let _ = resolve_kr(&r, &big);
        }
    }
    let bulk = weird.join("\n");
    assert!(parse_bulk(&bulk).is_err());
}

#[test]
fn note_may_follow_a_comma_after_the_value() {
    let u = update("GRO-1.1 42, going well");
    assert_eq!(
        (u.value, u.note.as_deref()),
        (abs(42.0), Some("going well"))
    );
}

#[test]
fn number_inside_an_unquoted_title_ends_the_title() {
    // The documented trade-off: quote titles that contain numbers.
    let u = update("Launch 2024 roadmap");
    assert_eq!(u.kr_ref, KrRef::Title("Launch".into()));
    assert_eq!((u.value, u.note.as_deref()), (abs(2024.0), Some("roadmap")));
    assert_eq!(
        update("\"Launch 2024 roadmap\" done").kr_ref,
        KrRef::Title("Launch 2024 roadmap".into())
    );
}

#[test]
fn unicode_title_ref_is_kept_as_typed() {
    let u = update("Réduire   délai 9d");
    assert_eq!(u.kr_ref, KrRef::Title("Réduire délai".into()));
    assert!(matches!(
        parse_update("Réduire délai 9j"),
        Err(ParseError::Value { in_title: true, .. })
    ));
}

#[test]
fn quoted_ref_takes_confidence_and_note() {
    let u = update("\"onboarding time\" 9d conf 7 new checklist");
    assert_eq!(u.kr_ref, KrRef::Title("onboarding time".into()));
    assert_eq!(u.confidence, conf(7));
    assert_eq!(u.note.as_deref(), Some("new checklist"));
}

#[test]
fn value_written_before_the_ref_is_refused() {
    assert_eq!(
        parse_update("42% GRO-1.1"),
        Err(ParseError::MissingRef {
            value: "42%".into()
        })
    );
}

// ---- values as people write them in a line (#9) ---------------------------------------------

fn note_of(u: &ParsedUpdate) -> Option<&str> {
    u.note.as_deref()
}

#[test]
fn digit_groups_written_with_spaces_are_one_value_and_the_rest_is_the_note() {
    let u = update("GRO-1.1 1 200 shipped");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (abs(1200.0), Some("shipped"))
    );
    let u = update("GRO-1.1 1\u{202F}200 c8");
    assert_eq!((u.value.clone(), u.confidence), (abs(1200.0), conf(8)));
    let u = update("GRO-1.1 12 300 users");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (abs(12300.0), Some("users"))
    );
}

#[test]
fn a_number_after_the_value_that_is_not_a_group_of_three_stays_in_the_note() {
    let u = update("GRO-1.1 5 10 new signups");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (abs(5.0), Some("10 new signups"))
    );
    let u = update("GRO-1.1 1, 200 more to go");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (abs(1.0), Some("200 more to go"))
    );
}

#[test]
fn a_known_unit_word_after_the_value_is_its_unit_not_the_note() {
    let u = update("GRO-1.1 3 hours");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (with_unit(ValueSpec::Absolute(3.0), Unit::Hours), None)
    );
    let u = update("GRO-1.1 50 % c7 halfway");
    assert_eq!(u.value, with_unit(ValueSpec::Absolute(50.0), Unit::Percent));
    assert_eq!((u.confidence, note_of(&u)), (conf(7), Some("halfway")));
    let u = update("GRO-1.1 1200 USD paid");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (with_unit(ValueSpec::Absolute(1200.0), usd()), Some("paid"))
    );
    let u = update("GRO-1.1 3 weeks");
    assert_eq!(u.value.unit, Some(Unit::Free("weeks".into())));
}

#[test]
fn a_lower_case_currency_code_in_a_line_is_a_word_of_the_note() {
    let u = update("GRO-1.1 12 try again next week");
    assert_eq!(
        (u.value.clone(), note_of(&u)),
        (abs(12.0), Some("try again next week"))
    );
}

#[test]
fn magnitude_words_and_an_equals_sign_are_read_in_a_line() {
    let u = update("revenue $76.9 million c6");
    assert_eq!(u.value, with_unit(ValueSpec::Absolute(76.9e6), usd()));
    assert_eq!(u.confidence, conf(6));
    let u = update("GRO-1.1 =-5 c6 dipped");
    assert_eq!((u.value.clone(), note_of(&u)), (abs(-5.0), Some("dipped")));
    assert_eq!(update("GRO-1.1 -5").value.spec, ValueSpec::Change(-5.0));
}

#[test]
fn the_key_results_own_unit_at_the_start_of_the_note_is_the_unit() {
    let points = Unit::Free("points".into());
    let u = update("GRO-1.1 4 points c8 shipped");
    assert_eq!(
        (u.confidence, note_of(&u)),
        (None, Some("points c8 shipped"))
    );
    let (v, c, n) = unit_from_note(&points, &u.value, u.confidence, u.note.as_ref())
        .expect("parses")
        .expect("the unit moves");
    assert_eq!(v, with_unit(ValueSpec::Absolute(4.0), points.clone()));
    assert_eq!((c, n.as_deref()), (conf(8), Some("shipped")));
    let u = update("GRO-1.1 1 point, going well");
    let (v, c, n) = unit_from_note(&points, &u.value, u.confidence, u.note.as_ref())
        .expect("parses")
        .expect("the unit moves");
    assert_eq!(
        (v.unit, c, n.as_deref()),
        (Some(points.clone()), None, Some("going well"))
    );
    // Another key result's unit, or none, leaves the note alone.
    let u = update("GRO-1.1 4 points c8 shipped");
    assert_eq!(
        unit_from_note(&Unit::Count, &u.value, u.confidence, u.note.as_ref()),
        Ok(None)
    );
    let u = update("GRO-1.1 4 c8 points");
    assert_eq!(
        unit_from_note(&points, &u.value, u.confidence, u.note.as_ref()),
        Ok(None)
    );
    let u = update("GRO-1.1 4 points c0");
    assert!(unit_from_note(&points, &u.value, u.confidence, u.note.as_ref()).is_err());
}
