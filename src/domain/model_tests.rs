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
