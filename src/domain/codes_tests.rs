use super::*;

fn objective(text: &str) -> ObjectiveCode {
    ObjectiveCode::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn kr(text: &str) -> KrCode {
    KrCode::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

#[test]
fn objective_code_is_prefix_and_number() {
    let c = objective("GRO-2");
    assert_eq!((c.prefix(), c.number()), ("GRO", 2));
}

#[test]
fn objective_code_is_read_in_any_case_with_spaces_around() {
    assert_eq!(objective("  gro-2 "), objective("GRO-2"));
    assert_eq!(objective("Gro-2").to_string(), "GRO-2");
}

#[test]
fn leading_zeros_are_dropped() {
    assert_eq!(objective("GRO-002").to_string(), "GRO-2");
    assert_eq!(kr("GRO-02.03").to_string(), "GRO-2.3");
}

#[test]
fn key_result_code_is_its_objective_and_number() {
    let c = kr("gro-2.3");
    assert_eq!(c.objective(), &objective("GRO-2"));
    assert_eq!(c.number(), 3);
    assert_eq!(c.to_string(), "GRO-2.3");
}

#[test]
fn prefixes_of_one_to_ten_letters_are_codes() {
    assert!(ObjectiveCode::parse("A-1").is_ok());
    assert!(ObjectiveCode::parse("ABCDEFGHIJ-1").is_ok());
    assert!(ObjectiveCode::parse("ABCDEFGHIJK-1").is_err());
}

#[test]
fn objective_code_refusal_says_what_a_code_looks_like() {
    assert_eq!(
        ObjectiveCode::parse(" growth ").unwrap_err().to_string(),
        "\"growth\" is not an objective code: write the team's prefix, a dash and the \
         objective's number, e.g. GRO-2"
    );
}

#[test]
fn key_result_code_refusal_says_what_a_code_looks_like() {
    assert_eq!(
        KrCode::parse("GRO-2").unwrap_err().to_string(),
        "\"GRO-2\" is not a key-result code: write the objective's code, a dot and the key \
         result's number, e.g. GRO-2.3"
    );
}

#[test]
fn malformed_objective_codes_are_refused() {
    for t in [
        "",
        "-",
        "GRO",
        "GRO-",
        "-2",
        "GRO--2",
        "GRO-+2",
        "GRO-2.3",
        "GRO-2a",
        "G1-2",
        "é-2",
        "GRO -2",
        "GRO- 2",
        "GRO-99999999999999999999",
    ] {
        assert_eq!(
            ObjectiveCode::parse(t),
            Err(CodeError::Objective {
                text: t.trim().into()
            }),
            "{t:?}"
        );
    }
}

#[test]
fn malformed_key_result_codes_are_refused() {
    for t in [
        "",
        "GRO-2",
        "GRO-2.",
        "GRO-.3",
        "GRO-2.3.4",
        "GRO-2.-3",
        "GRO-2,3",
        "2.3",
        "GRO 2.3",
        "GRO-2.99999999999999999999",
    ] {
        assert_eq!(
            KrCode::parse(t),
            Err(CodeError::KeyResult {
                text: t.trim().into()
            }),
            "{t:?}"
        );
    }
}

#[test]
fn codes_survive_display_and_parse() {
    for t in ["GRO-1", "cs-12", "ABCDEFGHIJ-9000", "Q-0"] {
        let c = objective(t);
        assert_eq!(ObjectiveCode::parse(&c.to_string()), Ok(c));
    }
    for t in ["GRO-1.1", "cs-12.7", "ABCDEFGHIJ-9000.42", "Q-0.0"] {
        let c = kr(t);
        assert_eq!(KrCode::parse(&c.to_string()), Ok(c));
    }
}
