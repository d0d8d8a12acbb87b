use super::*;
use crate::domain::fixtures::{abs, kr, usd, with_unit};

fn value(text: &str) -> ParsedValue {
    parse_value(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

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
        Err(ValueParseError::NotANumber { .. })
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
            Err(ValueParseError::NotFinite { text: t.into() }),
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
            Err(ValueParseError::ExponentNotation { text: t.into() }),
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
    assert_eq!(parse_value(""), Err(ValueParseError::Empty));
    assert_eq!(parse_value("   "), Err(ValueParseError::Empty));
    assert_eq!(
        ValueParseError::Empty.to_string(),
        "the value is empty: write a number like 42, 1,200, 1.5k, 3M, 45%, $1,200, 3h or 14d, or done / not done"
    );
}

#[test]
fn huge_digit_strings_are_too_large() {
    let t = "9".repeat(400);
    assert_eq!(
        parse_value(&t),
        Err(ValueParseError::TooLarge { text: t.clone() })
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
        Err(ValueParseError::NotANumber {
            text: "1..2".into(),
            suggestion: Some("1.2".into())
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
        Err(ValueParseError::NotANumber { suggestion, .. }) => suggestion,
        other => panic!("{t}: {other:?}"),
    };
    assert_eq!(suggestion("1l"), Some("11".into()));
    assert_eq!(suggestion("I00%"), Some("100%".into()));
    assert_eq!(suggestion("1S"), Some("15".into()));
    assert_eq!(suggestion("$1,2OO"), Some("$1,200".into()));
    assert_eq!(suggestion("1'000"), Some("1000".into()));
    assert_eq!(suggestion("1 2000"), Some("12000".into()));
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
            matches!(parse_value(t), Err(ValueParseError::NotANumber { .. })),
            "{t}: {:?}",
            parse_value(t)
        );
    }
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

// ---- values as people write them (#9) -------------------------------------------------------

fn unit_of(text: &str) -> Option<Unit> {
    value(text).unit
}

fn free(w: &str) -> Unit {
    Unit::Free(w.into())
}

#[test]
fn digit_groups_written_with_spaces_are_one_number() {
    assert_eq!(value("1 200"), abs(1200.0));
    assert_eq!(value("1\u{202F}200"), abs(1200.0));
    assert_eq!(value("1\u{A0}200"), abs(1200.0));
    assert_eq!(value("12 300 000"), abs(12_300_000.0));
    assert_eq!(value("1 200.50"), abs(1200.5));
    assert_eq!(
        value("$1 200"),
        with_unit(ValueSpec::Absolute(1200.0), usd())
    );
    assert_eq!(value("+1 200").spec, ValueSpec::Change(1200.0));
}

#[test]
fn spaces_between_digits_that_are_not_groups_of_three_are_not_a_number() {
    for t in ["1 20", "1234 567", "1 2000", "1.5 200"] {
        assert!(
            matches!(parse_value(t), Err(ValueParseError::NotANumber { .. })),
            "{t}: {:?}",
            parse_value(t)
        );
    }
}

#[test]
fn a_unit_word_after_the_number_is_its_unit() {
    assert_eq!(
        value("3 hours"),
        with_unit(ValueSpec::Absolute(3.0), Unit::Hours)
    );
    assert_eq!(
        value("1.5 hours"),
        with_unit(ValueSpec::Absolute(1.5), Unit::Hours)
    );
    assert_eq!(
        value("2 days"),
        with_unit(ValueSpec::Absolute(2.0), Unit::Days)
    );
    assert_eq!(
        value("1 day"),
        with_unit(ValueSpec::Absolute(1.0), Unit::Days)
    );
    assert_eq!(
        value("50 %"),
        with_unit(ValueSpec::Absolute(50.0), Unit::Percent)
    );
    assert_eq!(
        value("1200 USD"),
        with_unit(ValueSpec::Absolute(1200.0), usd())
    );
    assert_eq!(unit_of("1200 chf"), Some(Unit::Currency("CHF".into())));
    assert_eq!(unit_of("4 points"), Some(free("points")));
    assert_eq!(unit_of("250 ms"), Some(free("ms")));
    assert_eq!(unit_of("1 200 users"), Some(free("users")));
    assert_eq!(value("+4 points").spec, ValueSpec::Change(4.0));
}

#[test]
fn a_word_after_a_number_that_cannot_be_a_unit_is_not_a_number() {
    for t in ["4 new signups", "4 m", "5 done", "3 h5"] {
        assert!(
            matches!(parse_value(t), Err(ValueParseError::NotANumber { .. })),
            "{t}: {:?}",
            parse_value(t)
        );
    }
}

#[test]
fn magnitude_words_and_suffixes_scale_exactly() {
    assert_eq!(
        value("$100 million"),
        with_unit(ValueSpec::Absolute(1e8), usd())
    );
    assert_eq!(value("2.5B"), abs(2.5e9));
    assert_eq!(value("$2.5B"), with_unit(ValueSpec::Absolute(2.5e9), usd()));
    assert_eq!(value("2.5bn"), abs(2.5e9));
    assert_eq!(value("3 thousand"), abs(3000.0));
    assert_eq!(value("76.9 million"), abs(76_900_000.0));
    assert_eq!(value("1.2T"), abs(1.2e12));
    assert_eq!(
        value("1.2 million users"),
        with_unit(ValueSpec::Absolute(1.2e6), free("users"))
    );
    assert_eq!(
        parse_value("2000 trillion"),
        Err(ValueParseError::TooLarge {
            text: "2000 trillion".into()
        })
    );
    // `b` and `m` could be bits and minutes.
    assert!(parse_value("2.5b").is_err());
    assert!(parse_value("2.5m").is_err());
}

#[test]
fn an_equals_sign_makes_a_signed_number_absolute() {
    assert_eq!(value("=-5"), abs(-5.0));
    assert_eq!(value("=5"), abs(5.0));
    assert_eq!(value("=-$5"), with_unit(ValueSpec::Absolute(-5.0), usd()));
    assert_eq!(value("=-5").to_string(), "=-5");
    assert!(matches!(
        parse_value("=nan"),
        Err(ValueParseError::NotFinite { .. })
    ));
}

#[test]
fn a_start_or_target_keeps_its_sign_as_part_of_the_number() {
    assert_eq!(parse_amount("-10"), Ok(abs(-10.0)));
    assert_eq!(parse_amount("+20"), Ok(abs(20.0)));
    assert_eq!(
        parse_amount("-$300"),
        Ok(with_unit(ValueSpec::Absolute(-300.0), usd()))
    );
}

#[test]
fn relative_targets_are_read_as_percent_of_the_start() {
    assert_eq!(parse_target("+30%"), Ok(TargetSpec::Relative(30.0)));
    assert_eq!(parse_target("-10%"), Ok(TargetSpec::Relative(-10.0)));
    assert_eq!(parse_target("-10"), Ok(TargetSpec::Absolute(abs(-10.0))));
    assert_eq!(
        parse_target("by 30% to $100 million"),
        Ok(TargetSpec::Absolute(with_unit(
            ValueSpec::Absolute(1e8),
            usd()
        )))
    );
    assert_eq!(
        parse_target("to 2.5B"),
        Ok(TargetSpec::Absolute(abs(2.5e9)))
    );
    assert_eq!(
        parse_target("by 30%").unwrap_err().to_string(),
        "\"by 30%\" does not say which way: write +30% for 30% above the start or -30% for 30% \
         below it, or the target itself after \"to\", e.g. by 30% to 500"
    );
    assert!(matches!(
        parse_target("by lots to 500"),
        Err(ValueParseError::NotANumber { .. })
    ));
}

#[test]
fn a_relative_target_is_computed_from_the_start() {
    let usd = usd();
    assert_eq!(
        TargetSpec::Relative(30.0).resolve(Some(1000.0), &Unit::Count),
        Ok(Some(1300.0))
    );
    assert_eq!(
        TargetSpec::Relative(-10.0).resolve(Some(76.9e6), &usd),
        Ok(Some(69.21e6))
    );
    assert_eq!(
        TargetSpec::Relative(-10.0).resolve(Some(-20.0), &Unit::Count),
        Ok(Some(-18.0))
    );
    let zero = TargetSpec::Relative(30.0)
        .resolve(Some(0.0), &usd)
        .unwrap_err();
    assert_eq!(
        zero.to_string(),
        "target:+30% is relative to the start, but the start is 0 and +30% of 0 is 0: give the \
         target itself, e.g. target:500"
    );
    assert!(matches!(
        TargetSpec::Relative(30.0).resolve(None, &usd),
        Err(TargetError::NoStart { .. })
    ));
    assert!(matches!(
        TargetSpec::Relative(5.0).resolve(Some(40.0), &Unit::Percent),
        Err(TargetError::OnPercent { .. })
    ));
}

#[test]
fn hours_on_a_days_key_result_are_refused_with_the_conversion() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Days, 9.0);
    assert_eq!(
        new_value(&k, &value("3 hours")).unwrap_err().to_string(),
        "\"3h\" is hours, but GRO-1.1 is measured in days: give a number of days such as 9 or 9d \
         (that is 0.13 days)"
    );
    assert_eq!(
        new_value(&k, &with_unit(ValueSpec::Absolute(3.0), free("weeks")))
            .unwrap_err()
            .to_string(),
        "\"3 weeks\" is in weeks, but GRO-1.1 is measured in days: give a number of days such as \
         9 or 9d (that is 21 days)"
    );
}

#[test]
fn free_units_agree_in_any_case_and_in_singular_or_plural() {
    let k = kr("GRO-1.1", KrKind::Metric, free("users"), 9.0);
    assert_eq!(new_value(&k, &value("1 user")), Ok(1.0));
    assert_eq!(new_value(&k, &value("12 Users")), Ok(12.0));
    let k = kr("GRO-1.1", KrKind::Metric, free("ms"), 9.0);
    assert_eq!(
        new_value(&k, &value("4 points")).unwrap_err().to_string(),
        "\"4 points\" is in points, but GRO-1.1 is measured in ms: give a number such as 42 or \
         42 ms"
    );
    let k = kr("GRO-1.1", KrKind::Metric, free("points"), 9.0);
    assert!(new_value(&k, &value("3 hours")).is_err());
}
