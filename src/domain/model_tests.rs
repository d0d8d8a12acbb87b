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
