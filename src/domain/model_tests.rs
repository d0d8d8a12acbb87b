use super::*;

// ---- notes ------------------------------------------------------------------------------------

fn note(text: &str) -> Note {
    Note::parse(text)
        .unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
        .unwrap_or_else(|| panic!("{text:?} should be a note"))
}

#[test]
fn note_is_trimmed_and_empty_note_is_none() {
    assert_eq!(note("  shipped it  ").as_str(), "shipped it");
    assert_eq!(Note::parse(" \n "), Ok(None));
    assert_eq!(Note::parse(""), Ok(None));
}

#[test]
fn note_keeps_its_inner_spacing_and_lines() {
    assert_eq!(note(" a  b\nc ").as_str(), "a  b\nc");
}

#[test]
fn note_of_exactly_1000_characters_is_accepted() {
    let n = "é".repeat(1000);
    assert_eq!(note(&n).as_str(), n);
}

#[test]
fn note_limit_counts_characters_after_trimming() {
    let n = format!("  {}  ", "a".repeat(MAX_NOTE_CHARS));
    assert_eq!(note(&n).chars().count(), MAX_NOTE_CHARS);
}

#[test]
fn note_of_1001_characters_is_refused_with_limit_and_length() {
    let n = "a".repeat(1001);
    assert_eq!(Note::parse(&n), Err(NoteTooLong { chars: 1001 }));
    assert_eq!(
        Note::parse(&n).unwrap_err().to_string(),
        "the note is 1,001 characters long, over the limit of 1,000: shorten it"
    );
}

#[test]
fn note_survives_display_and_parse() {
    for t in [
        "shipped",
        "é 🙂 x",
        "two\nlines",
        &"n".repeat(MAX_NOTE_CHARS),
    ] {
        let n = note(t);
        assert_eq!(Note::parse(&n.to_string()), Ok(Some(n)));
    }
}

// ---- time zones -------------------------------------------------------------------------------

fn zone(name: &str) -> TeamZone {
    TeamZone::parse(name).unwrap_or_else(|e| panic!("{name:?} should parse: {e}"))
}

#[test]
fn iana_names_are_zones() {
    assert_eq!(zone("Europe/Berlin").tz(), chrono_tz::Europe::Berlin);
    assert_eq!(zone("UTC").name(), "UTC");
    assert_eq!(zone("America/New_York").to_string(), "America/New_York");
}

#[test]
fn zone_names_are_read_in_any_case_with_spaces_around() {
    assert_eq!(zone("  europe/berlin "), zone("Europe/Berlin"));
    assert_eq!(zone("AMERICA/NEW_YORK").name(), "America/New_York");
}

#[test]
fn near_miss_suggests_the_closest_zone() {
    let err = TeamZone::parse("Europe/Berln").unwrap_err();
    assert_eq!(err.suggestion, Some("Europe/Berlin"));
    assert_eq!(
        err.to_string(),
        "\"Europe/Berln\" is not a time zone: did you mean Europe/Berlin? use an IANA name such as \
         Europe/Berlin, America/New_York or UTC"
    );
}

#[test]
fn far_miss_gets_no_suggestion() {
    let err = TeamZone::parse(" lunch time ").unwrap_err();
    assert_eq!(
        err,
        NotATimeZone {
            name: "lunch time".into(),
            suggestion: None
        }
    );
    assert_eq!(
        err.to_string(),
        "\"lunch time\" is not a time zone: use an IANA name such as Europe/Berlin, \
         America/New_York or UTC"
    );
}

#[test]
fn empty_name_is_not_a_zone() {
    assert!(TeamZone::parse("").is_err());
    assert!(TeamZone::parse("   ").is_err());
}

#[test]
fn every_zone_survives_display_and_parse() {
    for tz in chrono_tz::TZ_VARIANTS {
        let z = zone(tz.name());
        assert_eq!(TeamZone::parse(&z.to_string()), Ok(z));
    }
}

// ---- units ------------------------------------------------------------------------------------

#[test]
fn any_short_word_is_a_unit_and_only_iso_codes_are_currencies() {
    assert_eq!(Unit::parse("points"), Some(Unit::Free("points".into())));
    assert_eq!(Unit::parse("NPS"), Some(Unit::Free("NPS".into())));
    assert_eq!(Unit::parse("pts"), Some(Unit::Free("pts".into())));
    assert_eq!(Unit::parse("usd"), Some(Unit::Currency("USD".into())));
    assert_eq!(Unit::parse("Days"), Some(Unit::Days));
    for not_a_unit in [
        "m",
        "million",
        "done",
        "two words",
        "p0ints",
        &"x".repeat(17),
    ] {
        assert_eq!(Unit::parse(not_a_unit), None, "{not_a_unit}");
    }
}

#[test]
fn every_stored_unit_code_reads_back_as_the_same_unit() {
    for unit in [
        Unit::Count,
        Unit::Percent,
        Unit::Days,
        Unit::Hours,
        Unit::Currency("USD".into()),
        Unit::Currency("CHF".into()),
        Unit::Free("points".into()),
        Unit::Free("NPS".into()),
        // Stored before only ISO codes were currencies: the same text, shown the same way.
        Unit::Free("PTS".into()),
    ] {
        assert_eq!(Unit::parse(&unit.code()), Some(unit.clone()), "{unit:?}");
    }
    assert_eq!(Unit::parse("count"), Some(Unit::Count));
    assert_eq!(Unit::Free("PTS".into()).format(1200.0), "1,200 PTS");
}

#[test]
fn free_units_are_shown_after_the_number() {
    assert_eq!(Unit::Free("users".into()).format(1200.0), "1,200 users");
    assert_eq!(Unit::Free("users".into()).format(1.0), "1 user");
    assert_eq!(Unit::Free("users".into()).format(-1.0), "-1 user");
    assert_eq!(Unit::Free("ms".into()).format(1.0), "1 ms");
    assert_eq!(Unit::Free("NPS".into()).format(1.0), "1 NPS");
    assert_eq!(Unit::Free("class".into()).format(1.0), "1 class");
    assert_eq!(
        crate::domain::model::count_of(1, "cycle", "cycles"),
        "1 cycle"
    );
    assert_eq!(
        crate::domain::model::count_of(0, "cycle", "cycles"),
        "0 cycles"
    );
    assert_eq!(Unit::Free("ms".into()).format(-2.5), "-2.5 ms");
}

#[test]
fn money_from_a_million_on_is_shown_compactly() {
    let usd = Unit::Currency("USD".into());
    assert_eq!(usd.format(76_912_345.0), "$76.9M");
    assert_eq!(usd.format(1_200_000_000.0), "$1.2B");
    assert_eq!(usd.format(100_000_000.0), "$100M");
    assert_eq!(usd.format(999_960_000.0), "$1B");
    assert_eq!(usd.format(-2_500_000.0), "-$2.5M");
    assert_eq!(usd.format(999_999.0), "$999,999");
    assert_eq!(usd.format(1_000_000.0), "$1M");
    // One decimal would be 4% off: two, so a cut of 10% never reads as 8%.
    assert_eq!(
        Unit::Currency("EUR".into()).format(1_250_000.0),
        "1.25M EUR"
    );
    assert_eq!(usd.format(2_500_000.0), "$2.5M");
    assert_eq!(usd.format(2_250_000.0), "$2.25M");
    assert_eq!(usd.format(1_234_567.0), "$1.23M");
    assert_eq!(Unit::Count.format(12_300_000.0), "12,300,000");
}
