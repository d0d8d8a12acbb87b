use proptest::prelude::*;

use super::*;
use crate::domain::value::ValueSpec;

fn asked(list: &[(&str, &str)]) -> Vec<Asked> {
    list.iter()
        .map(|(code, title)| Asked {
            code: (*code).into(),
            title: (*title).into(),
        })
        .collect()
}

fn growth() -> Vec<Asked> {
    asked(&[
        ("GRO-1.1", "Reduce onboarding time"),
        ("GRO-1.2", "NPS"),
        ("GRO-1.3", "90-day retention"),
    ])
}

/// The updates of an answer as (code, value, confidence), or the answer itself.
fn updates(answer: &Answer, asked: &[Asked]) -> Vec<(String, String, Option<u8>)> {
    let Answer::Updates(us) = answer else {
        panic!("not updates: {answer:?}");
    };
    us.iter()
        .map(|u| {
            let value = match &u.value {
                Reported::Value(v) => v.to_string(),
                Reported::Unchanged => "same".into(),
            };
            (
                asked[u.kr].code.clone(),
                value,
                u.confidence.map(|c| c.get()),
            )
        })
        .collect()
}

fn update(code: &str, value: &str, confidence: Option<u8>) -> (String, String, Option<u8>) {
    (code.into(), value.into(), confidence)
}

fn question(answer: Answer) -> String {
    match answer {
        Answer::Ask(q) => q,
        other => panic!("not a question: {other:?}"),
    }
}

#[test]
fn the_issues_replies_are_read_against_the_prompts_key_results() {
    let a = growth();
    assert_eq!(
        updates(&read_answer("onboarding is at 9 days, c8", &a), &a),
        [update("GRO-1.1", "9d", Some(8))]
    );
    assert_eq!(
        updates(&read_answer("GRO-1.1 9", &a), &a),
        [update("GRO-1.1", "9", None)]
    );
    assert_eq!(
        updates(&read_answer("all the same", &a), &a),
        [
            update("GRO-1.1", "same", None),
            update("GRO-1.2", "same", None),
            update("GRO-1.3", "same", None)
        ]
    );
    assert_eq!(
        updates(&read_answer("nps 41 and retention 96%", &a), &a),
        [
            update("GRO-1.2", "41", None),
            update("GRO-1.3", "96%", None)
        ]
    );
}

#[test]
fn several_updates_a_confidence_and_the_rest_unchanged_in_one_message() {
    let a = growth();
    assert_eq!(
        updates(
            &read_answer("NPS is 41 (conf 6); the rest unchanged.", &a),
            &a
        ),
        [
            update("GRO-1.2", "41", Some(6)),
            update("GRO-1.1", "same", None),
            update("GRO-1.3", "same", None)
        ]
    );
    assert_eq!(
        updates(&read_answer("gro-1.3 no change\nGRO-1.1: 7 c9", &a), &a),
        [
            update("GRO-1.3", "same", None),
            update("GRO-1.1", "7", Some(9))
        ]
    );
    // A word of four letters or more names a longer title word by its start.
    assert_eq!(
        updates(&read_answer("onboard down to 8 days", &a), &a),
        [update("GRO-1.1", "8d", None)]
    );
    // A change and a done are values like any other.
    let ship = asked(&[
        ("ENG-2.1", "Ship the wizard"),
        ("ENG-2.2", "Support tickets"),
    ]);
    assert_eq!(
        updates(&read_answer("wizard done, tickets +5", &ship), &ship),
        [
            update("ENG-2.1", "done", None),
            update("ENG-2.2", "+5", None)
        ]
    );
}

#[test]
fn an_unclear_answer_gets_a_question_and_records_nothing() {
    let a = growth();
    let two = question(read_answer("retention 96% or 97%", &a));
    assert!(two.contains("Which number is GRO-1.3"), "{two}");
    let which = question(read_answer("41", &a));
    assert!(which.contains("Which key result is 41 for"), "{which}");
    assert!(which.contains("GRO-1.2 \"NPS\""), "{which}");
    let twice = question(read_answer("nps 41, NPS 43", &a));
    assert!(twice.contains("twice (41 and 43)"), "{twice}");
    let no_number = question(read_answer("onboarding is better", &a));
    assert!(no_number.contains("What is GRO-1.1"), "{no_number}");
    let both = asked(&[("ENG-1.1", "Onboarding time"), ("CS-3.2", "Onboarding NPS")]);
    let tie = question(read_answer("onboarding 9", &both));
    assert!(tie.contains("ENG-1.1") && tie.contains("CS-3.2"), "{tie}");
    // With one key result asked about, a number with other words in it is asked about.
    let one = asked(&[("GRO-1.1", "Reduce onboarding time")]);
    assert!(question(read_answer("we had 3 meetings", &one)).contains("Is 3 the new value"));
    assert_eq!(
        updates(&read_answer("now at 9", &one), &one),
        [update("GRO-1.1", "9", None)]
    );
    assert_eq!(
        updates(&read_answer("same", &one), &one),
        [update("GRO-1.1", "same", None)]
    );
}

#[test]
fn a_message_that_is_not_an_answer_records_nothing() {
    let a = growth();
    for text in [
        "",
        "   ",
        "thanks!",
        "I'll do it tomorrow",
        "can we talk at 3?",
        "what is GRO-1.1 at?",
        "👍",
        "ok",
    ] {
        assert_eq!(read_answer(text, &a), Answer::NotAnAnswer, "{text:?}");
    }
    assert_eq!(read_answer("GRO-1.1 9", &[]), Answer::NotAnAnswer);
}

#[test]
fn titles_in_any_script_are_named() {
    let a = asked(&[("CS-1.1", "顧客満足度"), ("CS-1.2", "Délai de réponse")]);
    assert_eq!(
        updates(&read_answer("顧客満足度 80", &a), &a),
        [update("CS-1.1", "80", None)]
    );
    assert_eq!(
        updates(&read_answer("délai 4 h", &a), &a),
        [update("CS-1.2", "4h", None)]
    );
}

proptest! {
    /// Whatever is written, reading it never panics, and updates name asked key results once.
    #[test]
    fn any_reply_is_read_without_a_panic(
        text in "\\PC{0,80}",
        titles in proptest::collection::vec("\\PC{0,20}", 0..4),
    ) {
        let a: Vec<Asked> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| Asked { code: format!("GRO-1.{}", i + 1), title: t.clone() })
            .collect();
        if let Answer::Updates(us) = read_answer(&text, &a) {
            let mut seen = std::collections::HashSet::new();
            for u in &us {
                prop_assert!(u.kr < a.len());
                prop_assert!(seen.insert(u.kr), "{:?} twice", u.kr);
            }
        }
    }

    /// A code and a whole number always read as that key result at that number.
    #[test]
    fn a_code_and_a_number_read_as_that_update(k in 0usize..3, n in 0u32..1_000_000) {
        let a = growth();
        let text = format!("{} {n}", a[k].code.to_lowercase());
        let answer = read_answer(&text, &a);
        let Answer::Updates(us) = answer else {
            return Err(TestCaseError::fail(format!("{text}: {answer:?}")));
        };
        prop_assert_eq!(us.len(), 1);
        prop_assert_eq!(us[0].kr, k);
        prop_assert_eq!(&us[0].value, &Reported::Value(ParsedValue {
            spec: ValueSpec::Absolute(f64::from(n)),
            unit: None,
        }));
    }
}
