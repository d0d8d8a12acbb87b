use super::*;
use crate::domain::fixtures::kr;
use crate::domain::model::{KrKind, ObjectiveCode, Unit};

/// A reference by code, as the grammar reads it.
fn code(text: &str) -> KrRef {
    KrRef::parse_code(text).unwrap_or_else(|| panic!("{text:?} is a code"))
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

// ---- resolution -------------------------------------------------------------------------------

#[test]
fn code_resolves_case_insensitively() {
    assert_eq!(resolve_kr(&code("CS-3.2"), CANDIDATES), Ok(KrId(32)));
    let lower = [KrCandidate {
        id: KrId(5),
        code: "gro-1.1",
        title: "x",
    }];
    assert_eq!(resolve_kr(&code("GRO-1.1"), &lower), Ok(KrId(5)));
}

#[test]
fn unknown_code_suggests_the_closest_code() {
    let err = resolve_kr(&code("GRO-1.3"), CANDIDATES).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no key result \"GRO-1.3\" here: did you mean GRO-1.1 \"Grow weekly active teams\"? /okr kr list shows them all"
    );
}

#[test]
fn unknown_code_far_from_all_has_no_suggestion() {
    assert_eq!(
        resolve_kr(&code("ZZZZZZ-99.99"), CANDIDATES),
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
        resolve_kr(&code("GRO-9.9"), &c).unwrap_err().to_string(),
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

#[test]
fn candidate_is_built_from_a_key_result() {
    let k = kr("GRO-1.1", KrKind::Metric, Unit::Count, 0.0);
    let c = KrCandidate::from(&k);
    assert_eq!(
        (c.id, c.code, c.title),
        (KrId(1), "GRO-1.1", "Reduce onboarding time")
    );
}

#[test]
fn objective_code_names_no_key_result_but_suggests_one_of_its_codes() {
    let r = code("gro-1");
    assert_eq!(
        r,
        KrRef::ObjectiveCode(ObjectiveCode::parse("GRO-1").unwrap())
    );
    let err = resolve_kr(&r, CANDIDATES).unwrap_err().to_string();
    assert!(
        err.starts_with("no key result \"GRO-1\" here: did you mean GRO-1."),
        "{err}"
    );
}
