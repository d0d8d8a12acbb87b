use super::*;
use crate::domain::model::{Direction, ObjectiveId};
use chrono::DateTime;

fn value(text: &str) -> ParsedValue {
    parse_value(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn abs(v: f64) -> ParsedValue {
    ParsedValue {
        spec: ValueSpec::Absolute(v),
        unit: None,
    }
}

fn with_unit(spec: ValueSpec, unit: Unit) -> ParsedValue {
    ParsedValue {
        spec,
        unit: Some(unit),
    }
}

fn usd() -> Unit {
    Unit::Currency("USD".into())
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

fn kr(code: &str, kind: KrKind, unit: Unit, current: f64) -> KeyResult {
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
        last_check_in: None,
    }
}

const CANDIDATES: &[KrCandidate<'static>] = &[
    KrCandidate {
        id: KrId(11),
        code: "ENG-1.1",
        title: "Reduce onboarding time",
    },
    KrCandidate {
        id: KrId(32),
        code: "CS-3.2",
        title: "Onboarding NPS",
    },
    KrCandidate {
        id: KrId(12),
        code: "GRO-1.1",
        title: "Grow weekly active teams",
    },
    KrCandidate {
        id: KrId(13),
        code: "GRO-1.2",
        title: "NPS",
    },
];

// ---- values -----------------------------------------------------------------------------------

#[test]
fn plain_integer_is_absolute() {
    assert_eq!(value("42"), abs(42.0));
}

#[test]
fn decimal_is_absolute() {
    assert_eq!(value("42.5"), abs(42.5));
}

#[test]
fn leading_dot_decimal_is_accepted() {
    assert_eq!(value(".5"), abs(0.5));
}

#[test]
fn thousands_separators_are_dropped() {
    assert_eq!(value("1,200"), abs(1200.0));
    assert_eq!(value("1,234,567.25"), abs(1_234_567.25));
}

#[test]
fn k_multiplies_by_a_thousand_exactly() {
    assert_eq!(value("1.2k"), abs(1200.0));
    assert_eq!(value("7K"), abs(7000.0));
    assert_eq!(value("1.2345k"), abs(1234.5));
}

#[test]
fn capital_m_multiplies_by_a_million() {
    assert_eq!(value("3M"), abs(3_000_000.0));
    assert_eq!(value("2.5M"), abs(2_500_000.0));
}

#[test]
fn lower_case_m_is_refused_because_it_could_be_minutes() {
    assert!(matches!(
        parse_value("3m"),
        Err(ParseError::NotANumber { .. })
    ));
}

#[test]
fn percent_sign_sets_percent_unit() {
    assert_eq!(
        value("45%"),
        with_unit(ValueSpec::Absolute(45.0), Unit::Percent)
    );
}

#[test]
fn dollar_prefix_sets_usd() {
    assert_eq!(
        value("$1,200"),
        with_unit(ValueSpec::Absolute(1200.0), usd())
    );
}

#[test]
fn euro_and_pound_prefixes_set_their_currencies() {
    assert_eq!(
        value("€5"),
        with_unit(ValueSpec::Absolute(5.0), Unit::Currency("EUR".into()))
    );
    assert_eq!(
        value("£1.5k"),
        with_unit(ValueSpec::Absolute(1500.0), Unit::Currency("GBP".into()))
    );
}

#[test]
fn h_suffix_sets_hours_and_d_suffix_sets_days() {
    assert_eq!(
        value("3h"),
        with_unit(ValueSpec::Absolute(3.0), Unit::Hours)
    );
    assert_eq!(
        value("14d"),
        with_unit(ValueSpec::Absolute(14.0), Unit::Days)
    );
    assert_eq!(
        value("14D"),
        with_unit(ValueSpec::Absolute(14.0), Unit::Days)
    );
}

#[test]
fn plus_sign_is_a_change() {
    assert_eq!(value("+5").spec, ValueSpec::Change(5.0));
}

#[test]
fn minus_sign_is_a_negative_change() {
    assert_eq!(value("-2.5").spec, ValueSpec::Change(-2.5));
}

#[test]
fn signed_currency_and_percent_changes_keep_their_unit() {
    assert_eq!(value("-$5"), with_unit(ValueSpec::Change(-5.0), usd()));
    assert_eq!(value("$-5"), with_unit(ValueSpec::Change(-5.0), usd()));
    assert_eq!(
        value("+5%"),
        with_unit(ValueSpec::Change(5.0), Unit::Percent)
    );
}

#[test]
fn minus_zero_is_a_zero_change_not_negative_zero() {
    let ValueSpec::Change(d) = value("-0").spec else {
        panic!("not a change")
    };
    assert!(d == 0.0 && d.is_sign_positive());
}

#[test]
fn done_and_not_done_are_milestone_values() {
    assert_eq!(value("done").spec, ValueSpec::Done(true));
    assert_eq!(value("DONE").spec, ValueSpec::Done(true));
    assert_eq!(value("not done").spec, ValueSpec::Done(false));
    assert_eq!(value("Not   Done").spec, ValueSpec::Done(false));
}

#[test]
fn one_trailing_punctuation_mark_is_ignored() {
    assert_eq!(value("42."), abs(42.0));
    assert_eq!(
        value("45%,"),
        with_unit(ValueSpec::Absolute(45.0), Unit::Percent)
    );
}

#[test]
fn nan_and_infinity_are_not_finite() {
    for t in ["NaN", "nan", "inf", "-inf", "Infinity", "+infinity"] {
        assert_eq!(
            parse_value(t),
            Err(ParseError::NotFinite { text: t.into() }),
            "{t}"
        );
    }
    assert_eq!(
        parse_value("NaN").unwrap_err().to_string(),
        "\"NaN\" is not a finite number: write a number like 42 or 1,200"
    );
}

#[test]
fn exponent_notation_is_refused() {
    for t in ["1e999", "1e5", "2.5E-3", "$1e3", "1e+2"] {
        assert_eq!(
            parse_value(t),
            Err(ParseError::ExponentNotation { text: t.into() }),
            "{t}"
        );
    }
    assert_eq!(
        parse_value("1e999").unwrap_err().to_string(),
        "\"1e999\" uses exponent notation, which is not accepted: write the number out, like 1500 or 1.5k"
    );
}

#[test]
fn empty_value_is_refused() {
    assert_eq!(parse_value(""), Err(ParseError::EmptyValue));
    assert_eq!(parse_value("   "), Err(ParseError::EmptyValue));
    assert_eq!(
        ParseError::EmptyValue.to_string(),
        "the value is empty: write a number like 42, 1,200, 1.5k, 3M, 45%, $1,200, 3h or 14d, or done / not done"
    );
}

#[test]
fn huge_digit_strings_are_too_large() {
    let t = "9".repeat(400);
    assert_eq!(
        parse_value(&t),
        Err(ParseError::TooLarge { text: t.clone() })
    );
    assert_eq!(
        parse_value("2000000000000000").unwrap_err().to_string(),
        "\"2000000000000000\" is too large: values are limited to 1,000,000,000,000,000"
    );
}

#[test]
fn twelve_with_letter_o_suggests_120() {
    assert_eq!(
        parse_value("12O").unwrap_err().to_string(),
        "\"12O\" is not a number: did you mean 120?"
    );
}

#[test]
fn double_dot_suggests_single_dot() {
    assert_eq!(
        parse_value("1..2"),
        Err(ParseError::NotANumber {
            text: "1..2".into(),
            suggestion: Some("1.2".into()),
            in_title: false
        })
    );
}

#[test]
fn decimal_comma_suggests_decimal_point() {
    assert_eq!(
        parse_value("12,34").unwrap_err().to_string(),
        "\"12,34\" is not a number: did you mean 12.34?"
    );
    assert_eq!(
        parse_value("1.200,50").unwrap_err().to_string(),
        "\"1.200,50\" is not a number: did you mean 1200.50?"
    );
}

#[test]
fn lookalike_letters_and_stray_separators_are_suggested_away() {
    let suggestion = |t: &str| match parse_value(t) {
        Err(ParseError::NotANumber { suggestion, .. }) => suggestion,
        other => panic!("{t}: {other:?}"),
    };
    assert_eq!(suggestion("1l"), Some("11".into()));
    assert_eq!(suggestion("I00%"), Some("100%".into()));
    assert_eq!(suggestion("1S"), Some("15".into()));
    assert_eq!(suggestion("$1,2OO"), Some("$1,200".into()));
    assert_eq!(suggestion("1'000"), Some("1000".into()));
    assert_eq!(suggestion("1 200"), Some("1200".into()));
    assert_eq!(suggestion("1,2345"), Some("12345".into()));
}

#[test]
fn words_without_digits_get_no_suggestion() {
    assert_eq!(
        parse_value("lol").unwrap_err().to_string(),
        "\"lol\" is not a number: write a number like 42, 1,200, 1.5k, 3M, 45%, $1,200, 3h or 14d, or done / not done"
    );
}

#[test]
fn malformed_numbers_are_refused() {
    for t in [
        "1.2.3", "$5%", "5$", "--5", "+", "$", ",", "1,20", "5kk", "5%%", "5hours", "٣",
    ] {
        assert!(
            matches!(parse_value(t), Err(ParseError::NotANumber { .. })),
            "{t}: {:?}",
            parse_value(t)
        );
    }
}

// ---- confidence and notes ---------------------------------------------------------------------

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

#[test]
fn note_is_trimmed_and_empty_note_is_none() {
    assert_eq!(parse_note("  shipped it  "), Ok(Some("shipped it".into())));
    assert_eq!(parse_note(" \n "), Ok(None));
}

#[test]
fn note_of_exactly_1000_characters_is_accepted() {
    let n = "é".repeat(1000);
    assert_eq!(parse_note(&n), Ok(Some(n.clone())));
}

#[test]
fn note_of_1001_characters_is_refused_with_limit_and_length() {
    let n = "a".repeat(1001);
    assert_eq!(parse_note(&n), Err(ParseError::NoteTooLong { chars: 1001 }));
    assert_eq!(
        parse_note(&n).unwrap_err().to_string(),
        "the note is 1,001 characters long, over the limit of 1,000: shorten it"
    );
}

// ---- whole lines ------------------------------------------------------------------------------

#[test]
fn code_and_value_parse() {
    assert_eq!(
        update("gro-1.2 42"),
        ParsedUpdate {
            kr_ref: KrRef::Code("GRO-1.2".into()),
            value: abs(42.0),
            confidence: None,
            note: None
        }
    );
}

#[test]
fn code_with_trailing_colon_is_a_code() {
    assert_eq!(update("ENG-2.3: 45%").kr_ref, KrRef::Code("ENG-2.3".into()));
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
        Err(ParseError::NoteTooLong { chars: 1001 })
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
        Err(ParseError::NotFinite { text: "NaN".into() })
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
    assert_eq!(
        update("\"gro-1.1\" 9").kr_ref,
        KrRef::Code("GRO-1.1".into())
    );
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
        Err(ParseError::NotANumber { ref text, suggestion: None, in_title: false }) if text == "Reduce"
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
        Err(ParseError::ExponentNotation {
            text: "1e999".into()
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
            error: ParseError::NotANumber {
                text: "12O".into(),
                suggestion: Some("120".into()),
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

// ---- resolution -------------------------------------------------------------------------------

#[test]
fn code_resolves_case_insensitively() {
    assert_eq!(
        resolve_kr(&KrRef::Code("CS-3.2".into()), CANDIDATES),
        Ok(KrId(32))
    );
    let lower = [KrCandidate {
        id: KrId(5),
        code: "gro-1.1",
        title: "x",
    }];
    assert_eq!(
        resolve_kr(&KrRef::Code("GRO-1.1".into()), &lower),
        Ok(KrId(5))
    );
}

#[test]
fn unknown_code_suggests_the_closest_code() {
    let err = resolve_kr(&KrRef::Code("GRO-1.3".into()), CANDIDATES).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no key result \"GRO-1.3\" here: did you mean GRO-1.1 \"Grow weekly active teams\"? /okr kr list shows them all"
    );
}

#[test]
fn unknown_code_far_from_all_has_no_suggestion() {
    assert_eq!(
        resolve_kr(&KrRef::Code("ZZZZZZ-99.99".into()), CANDIDATES),
        Err(ResolveError::Unknown {
            reference: "ZZZZZZ-99.99".into(),
            suggestion: None
        })
    );
    assert_eq!(
        ResolveError::Unknown {
            reference: "GRO-9.9".into(),
            suggestion: None
        }
        .to_string(),
        "no key result \"GRO-9.9\" here: /okr kr list shows them all"
    );
}

#[test]
fn spec_example_unknown_code_message() {
    let c = [KrCandidate {
        id: KrId(1),
        code: "GRO-1.1",
        title: "Reduce onboarding time",
    }];
    assert_eq!(
        resolve_kr(&KrRef::Code("GRO-9.9".into()), &c).unwrap_err().to_string(),
        "no key result \"GRO-9.9\" here: did you mean GRO-1.1 \"Reduce onboarding time\"? /okr kr list shows them all"
    );
}

#[test]
fn id_resolves_exactly_and_unknown_id_has_no_suggestion() {
    assert_eq!(resolve_kr(&KrRef::Id(13), CANDIDATES), Ok(KrId(13)));
    assert_eq!(
        resolve_kr(&KrRef::Id(14), CANDIDATES),
        Err(ResolveError::Unknown {
            reference: "#14".into(),
            suggestion: None
        })
    );
}

#[test]
fn unique_title_part_resolves() {
    assert_eq!(
        resolve_kr(&KrRef::Title("WEEKLY  active".into()), CANDIDATES),
        Ok(KrId(12))
    );
}

#[test]
fn ambiguous_title_part_lists_every_match() {
    let err = resolve_kr(&KrRef::Title("onboard".into()), CANDIDATES).unwrap_err();
    assert_eq!(
        err,
        ResolveError::Ambiguous {
            reference: "onboard".into(),
            matches: vec![
                ("ENG-1.1".into(), "Reduce onboarding time".into()),
                ("CS-3.2".into(), "Onboarding NPS".into()),
            ],
        }
    );
    assert_eq!(
        err.to_string(),
        "\"onboard\" matches 2 key results: ENG-1.1 \"Reduce onboarding time\", CS-3.2 \"Onboarding NPS\"; use the code"
    );
}

#[test]
fn whole_title_wins_over_titles_containing_it() {
    assert_eq!(
        resolve_kr(&KrRef::Title("nps".into()), CANDIDATES),
        Ok(KrId(13))
    );
}

#[test]
fn misspelled_title_suggests_the_closest_title() {
    assert_eq!(
        resolve_kr(&KrRef::Title("onbaording time".into()), CANDIDATES),
        Err(ResolveError::Unknown {
            reference: "onbaording time".into(),
            suggestion: Some(("ENG-1.1".into(), "Reduce onboarding time".into())),
        })
    );
}

#[test]
fn unrelated_title_has_no_suggestion() {
    assert_eq!(
        resolve_kr(&KrRef::Title("quarterly revenue".into()), CANDIDATES),
        Err(ResolveError::Unknown {
            reference: "quarterly revenue".into(),
            suggestion: None
        })
    );
}

#[test]
fn same_key_result_listed_twice_is_not_ambiguous() {
    let twice = [CANDIDATES[0], CANDIDATES[0]];
    assert_eq!(
        resolve_kr(&KrRef::Title("onboard".into()), &twice),
        Ok(KrId(11))
    );
}

#[test]
fn no_candidates_means_unknown() {
    assert_eq!(
        resolve_kr(&KrRef::Title("anything".into()), &[]),
        Err(ResolveError::Unknown {
            reference: "anything".into(),
            suggestion: None
        })
    );
}

// ---- new values -------------------------------------------------------------------------------

#[test]
fn absolute_value_is_recorded_as_given() {
    assert_eq!(
        new_value(&kr("GRO-1.1", KrKind::Metric, Unit::Count, 3.0), &abs(42.0)),
        Ok(42.0)
    );
}

#[test]
fn change_is_added_to_the_current_value() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Percent, 40.0);
    assert_eq!(new_value(&k, &value("+5%")), Ok(45.0));
    assert_eq!(new_value(&k, &value("-2.5")), Ok(37.5));
}

#[test]
fn matching_units_are_accepted() {
    let cases = [
        (Unit::Percent, "45%"),
        (Unit::Hours, "3h"),
        (Unit::Days, "14d"),
        (usd(), "$1,200"),
        (Unit::Currency("EUR".into()), "€1,200"),
    ];
    for (unit, text) in cases {
        assert!(
            new_value(&kr("GRO-1.1", KrKind::Metric, unit, 0.0), &value(text)).is_ok(),
            "{text}"
        );
    }
}

#[test]
fn percent_on_a_days_key_result_names_the_expected_unit() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Days, 0.0);
    assert_eq!(
        new_value(&k, &value("45%")).unwrap_err().to_string(),
        "\"45%\" is a percent, but GRO-1.1 is measured in days: give a number of days such as 9 or 9d"
    );
}

#[test]
fn unit_mismatches_name_both_units() {
    let cases = [
        (Unit::Percent, "3h", "\"3h\" is hours, but GRO-1.1 is measured in percent: give a percentage such as 45 or 45%"),
        (Unit::Hours, "-$5", "\"-$5\" is an amount in USD, but GRO-1.1 is measured in hours: give a number of hours such as 3 or 3h"),
        (usd(), "14d", "\"14d\" is days, but GRO-1.1 is measured in USD: give an amount such as 1200 or $1,200"),
        (Unit::Currency("CHF".into()), "€1,200", "\"€1,200\" is an amount in EUR, but GRO-1.1 is measured in CHF: give an amount such as 1200"),
        (Unit::Count, "+2.5%", "\"+2.5%\" is a percent, but GRO-1.1 is a plain count: give a number without a unit, such as 42"),
    ];
    for (unit, text, message) in cases {
        let k = kr("GRO-1.1", KrKind::Metric, unit, 0.0);
        assert_eq!(
            new_value(&k, &value(text)).unwrap_err().to_string(),
            message,
            "{text}"
        );
    }
}

#[test]
fn unitless_number_fits_any_unit() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Days, 0.0);
    assert_eq!(new_value(&k, &abs(9.0)), Ok(9.0));
}

#[test]
fn done_on_a_metric_is_refused() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Count, 0.0);
    assert_eq!(
        new_value(&k, &value("done")).unwrap_err().to_string(),
        "GRO-1.1 is a metric key result: give a number, not \"done\""
    );
    let t = kr("GRO-1.2", KrKind::Threshold, Unit::Count, 0.0);
    assert_eq!(
        new_value(&t, &value("not done")).unwrap_err().to_string(),
        "GRO-1.2 is a threshold key result: give a number, not \"not done\""
    );
}

#[test]
fn milestone_takes_done_not_done_one_and_zero() {
    let m = kr("GRO-2.1", KrKind::Milestone, Unit::Count, 0.0);
    assert_eq!(new_value(&m, &value("done")), Ok(1.0));
    assert_eq!(new_value(&m, &value("not done")), Ok(0.0));
    assert_eq!(new_value(&m, &abs(1.0)), Ok(1.0));
    assert_eq!(new_value(&m, &abs(0.0)), Ok(0.0));
}

#[test]
fn number_on_a_milestone_is_refused() {
    let m = kr("GRO-2.1", KrKind::Milestone, Unit::Count, 0.0);
    assert_eq!(
        new_value(&m, &abs(42.0)).unwrap_err().to_string(),
        "GRO-2.1 is a milestone: write done or not done (or 1 / 0), not \"42\""
    );
}

#[test]
fn change_on_a_milestone_is_refused() {
    let m = kr("GRO-2.1", KrKind::Milestone, Unit::Count, 0.0);
    assert_eq!(
        new_value(&m, &value("+1")).unwrap_err().to_string(),
        "GRO-2.1 is a milestone, so \"+1\" cannot change it: write done or not done"
    );
}

#[test]
fn result_beyond_the_limit_or_not_finite_is_refused() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Count, 9e14);
    assert_eq!(
        new_value(&k, &value("+500,000,000,000,000")).unwrap_err().to_string(),
        "\"+500,000,000,000,000\" would take GRO-1.1 to a value too large to record: check the number"
    );
    let handmade = ParsedValue {
        spec: ValueSpec::Absolute(f64::NAN),
        unit: None,
    };
    assert!(matches!(
        new_value(&k, &handmade),
        Err(ValueError::OutOfRange { .. })
    ));
    let broken = kr("GRO-1.1", KrKind::Metric, Unit::Count, f64::INFINITY);
    assert!(matches!(
        new_value(&broken, &value("+1")),
        Err(ValueError::OutOfRange { .. })
    ));
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
        .chain(CANDIDATES.iter().copied())
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
        let _ = parse_note(w);
        let _ = parse_bulk(w);
        let _ = resolve_kr(&KrRef::Title(w.clone()), &big);
        let _ = resolve_kr(&KrRef::Code(w.clone()), &big);
    }
    let bulk = weird.join("\n");
    assert!(parse_bulk(&bulk).is_err());
}

#[test]
fn long_bad_input_is_clipped_in_messages() {
    let text = "x".repeat(10_000);
    let message = parse_value(&format!("1{text}")).unwrap_err().to_string();
    assert!(message.chars().count() < 250, "{message}");
    assert!(message.starts_with("\"1xxx") && message.contains("…\" is not a number"));
}

#[test]
fn every_number_the_parser_accepts_is_finite() {
    for a in ["", "+", "-", "$", "-$", "€"] {
        for b in [
            "0",
            "1",
            "999,999,999",
            "1,000,000,000,000,000",
            ".5",
            "12.5",
        ] {
            for c in ["", "k", "K", "M"] {
                for d in ["", "%", "h", "d"] {
                    let t = format!("{a}{b}{c}{d}");
                    if let Ok(v) = parse_value(&t) {
                        assert!(finite(&v), "{t}");
                    }
                }
            }
        }
    }
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
        Err(ParseError::NotANumber { in_title: true, .. })
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

#[test]
fn candidate_is_built_from_a_key_result() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Count, 0.0);
    let c = KrCandidate::from(&k);
    assert_eq!(
        (c.id, c.code, c.title),
        (KrId(1), "GRO-1.1", "Reduce onboarding time")
    );
}
