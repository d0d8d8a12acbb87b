//! values; notes; references; confidence.

use super::*;

// ---------------------------------------------------------------------------------------------
// values
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_with_nan_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    for (line, quoted) in [
        ("GRO-1.1 NaN", "\"NaN\""),
        ("GRO-1.1 nan c8 looks odd", "\"nan\""),
        ("\"onboarding time\" NaN", "\"NaN\""),
    ] {
        let msg = refused_text!(app, app.update(line));
        assert_mentions(&msg, &[quoted, "not a finite number", "like 42"]);
    }
    let msg = refused_text!(app, app.update_fields(fields("GRO-1.1", "NaN")));
    assert_mentions(&msg, &["\"NaN\"", "not a finite number", "like 42"]);
}

#[tokio::test]
async fn update_with_infinite_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    for value in ["inf", "-inf", "Infinity", "+inf"] {
        let msg = refused_text!(app, app.update(&format!("GRO-1.1 {value}")));
        assert_mentions(
            &msg,
            &[&format!("\"{value}\""), "not a finite number", "like 42"],
        );
        let msg = refused_text!(app, app.update_fields(fields("GRO-1.1", value)));
        assert_mentions(
            &msg,
            &[&format!("\"{value}\""), "not a finite number", "like 42"],
        );
    }
}

#[tokio::test]
async fn update_with_1e999_is_refused_as_exponent_notation_and_writes_nothing() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-1.1 1e999"));
    assert_mentions(
        &msg,
        &["\"1e999\"", "exponent notation", "write the number out"],
    );
    let msg = refused_text!(app, app.update_fields(fields("GRO-1.1", "1e999")));
    assert_mentions(
        &msg,
        &["\"1e999\"", "exponent notation", "write the number out"],
    );
}

#[tokio::test]
async fn update_with_a_value_beyond_the_limit_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-1.1 99999999999999999999"));
    assert_mentions(
        &msg,
        &["\"99999999999999999999\"", "too large", "limited to"],
    );
}

#[tokio::test]
async fn update_form_with_empty_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    for value in ["", "   "] {
        let msg = refused_text!(app, app.update_fields(fields("GRO-1.1", value)));
        assert_mentions(&msg, &["the value is empty", "write a number like 42"]);
    }
}

#[tokio::test]
async fn update_line_without_a_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-1.1"));
    assert_mentions(
        &msg,
        &[
            "\"GRO-1.1\" has no value",
            "e.g. GRO-1.1 42 or GRO-1.1 done",
        ],
    );
    let msg = refused_text!(app, app.update("\"onboarding time\""));
    assert_mentions(
        &msg,
        &["\"onboarding time\" has no value", "e.g. GRO-1.1 42"],
    );
}

// ---------------------------------------------------------------------------------------------
// notes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_line_with_a_1001_character_note_is_refused_and_writes_nothing() {
    let app = growth().await;
    let note = "n".repeat(1001);
    let msg = refused_text!(app, app.update(&format!("GRO-1.1 11 c8 {note}")));
    assert_mentions(&msg, &["1,001 characters", "limit of 1,000", "shorten it"]);
    // Quoted, the note is clipped: a refusal never echoes the whole essay back.
    assert!(msg.len() < 300, "the message stays short: {msg}");
}

#[tokio::test]
async fn update_form_with_a_1001_character_note_is_refused_and_writes_nothing() {
    let app = growth().await;
    // Characters, not bytes: 1,001 two-byte characters are 2,002 bytes.
    let note = "é".repeat(1001);
    let form = UpdateFields {
        note: Some(&note),
        ..fields("GRO-1.1", "11")
    };
    let msg = refused_text!(app, app.update_fields(form));
    assert_mentions(&msg, &["1,001 characters", "limit of 1,000", "shorten it"]);
}

#[tokio::test]
async fn a_note_of_exactly_1000_characters_is_accepted_in_both_forms() {
    let app = growth().await;
    let checked_in = app.count("check_ins").await;

    let ascii = "n".repeat(1000);
    let out = app
        .update(&format!("GRO-1.1 11 c8 {ascii}"))
        .await
        .expect("a 1,000-character note fits the limit");
    assert!(!out.duplicate);

    let accented = "é".repeat(1000);
    app.update_fields(UpdateFields {
        note: Some(&accented),
        ..fields("GRO-1.1", "10")
    })
    .await
    .expect("1,000 characters of 2 bytes each fit the limit too");

    assert_eq!(app.count("check_ins").await, checked_in + 2);
    let notes: Vec<String> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT note FROM check_ins WHERE note IS NOT NULL ORDER BY id DESC LIMIT 2",
    )
    .fetch_all(db)
    .await)
    .unwrap();
    assert_eq!(notes, vec![accented, ascii], "notes are stored whole");
}

// ---------------------------------------------------------------------------------------------
// references
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_to_an_unknown_key_result_code_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("GRO-9.4 10"));
    assert_mentions(&msg, &["no key result \"GRO-9.4\"", "/okr kr list"]);
    let msg = refused_text!(app, app.update_fields(fields("GRO-9.4", "10")));
    assert_mentions(&msg, &["no key result \"GRO-9.4\"", "/okr kr list"]);
    let msg = refused_text!(app, app.update("#4242 10"));
    assert_mentions(&msg, &["no key result \"#4242\"", "/okr kr list"]);
    let msg = refused_text!(app, app.update("churn rate 10"));
    assert_mentions(&msg, &["no key result \"churn rate\"", "/okr kr list"]);
}

#[tokio::test]
async fn update_with_an_ambiguous_title_part_is_refused_and_lists_the_matches() {
    let app = growth().await;
    let msg = refused_text!(app, app.update("onboarding 10"));
    assert_mentions(
        &msg,
        &[
            "\"onboarding\" matches 2 key results",
            "GRO-1.1 \"Reduce onboarding time\"",
            "GRO-1.2 \"Keep onboarding completion rate\"",
            "use the code",
        ],
    );
    let msg = refused_text!(app, app.update_fields(fields("Onboarding", "10")));
    assert_mentions(
        &msg,
        &[
            "matches 2 key results",
            "GRO-1.1",
            "GRO-1.2",
            "use the code",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// confidence
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_with_confidence_0_or_11_is_refused_and_writes_nothing() {
    let app = growth().await;
    for c in ["0", "11"] {
        let msg = refused_text!(app, app.update(&format!("GRO-1.1 10 c{c}")));
        assert_mentions(
            &msg,
            &[
                &format!("\"c{c}\" is not a valid confidence"),
                "1 (no chance) to 10 (certain)",
                "like c8",
            ],
        );
        let msg = refused_text!(app, app.update(&format!("GRO-1.1 10 confidence {c} note")));
        assert_mentions(&msg, &["not a valid confidence", "1 (no chance) to 10"]);
        let form = UpdateFields {
            confidence: Some(c),
            ..fields("GRO-1.1", "10")
        };
        let msg = refused_text!(app, app.update_fields(form));
        assert_mentions(
            &msg,
            &[
                &format!("\"{c}\" is not a valid confidence"),
                "1 (no chance) to 10",
            ],
        );
    }
}
