//! PRODUCT.md section 7: bad input gets a clear answer and writes nothing. Every case checks the
//! two halves of that promise: the message names what is wrong and how to fix it, and a dump of
//! every row of every table is identical before and after.

use crate::common::{assert_mentions, date, now, spawn_app, TestApp};
use okrbot::domain::model::CheckInSource;
use okrbot::service::check_in::UpdateFields;
use okrbot::service::data;
use okrbot::service::objectives::{KrEdit, KrInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::OkrError;

/// Runs a refused command: returns its message after checking it is a refusal (not a failure of
/// the database) and that the database is exactly as it was.
macro_rules! refused {
    ($app:expr, $call:expr) => {{
        let before = $app.rows().await;
        let err: OkrError = match $call.await {
            Ok(_) => panic!("expected {} to be refused", stringify!($call)),
            Err(e) => e,
        };
        assert!(!err.is_internal(), "a refusal, not a failure: {err:?}");
        let after = $app.rows().await;
        assert_eq!(
            after,
            before,
            "{} was refused ({err}) but changed the database",
            stringify!($call)
        );
        err.to_string()
    }};
}

fn fields<'a>(kr: &'a str, value: &'a str) -> UpdateFields<'a> {
    UpdateFields {
        kr,
        value,
        confidence: None,
        note: None,
    }
}

async fn growth() -> TestApp {
    let app = spawn_app().await;
    app.growth().await;
    // One accepted check-in first, so "writes nothing" is checked against a database that has
    // check-ins and a moved current value, not an empty table.
    app.update("GRO-1.1 12 c7 first week")
        .await
        .expect("a good update");
    app
}

// ---- values -----------------------------------------------------------------------------------

#[tokio::test]
async fn update_with_nan_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    for (line, quoted) in [
        ("GRO-1.1 NaN", "\"NaN\""),
        ("GRO-1.1 nan c8 looks odd", "\"nan\""),
        ("\"onboarding time\" NaN", "\"NaN\""),
    ] {
        let msg = refused!(app, app.update(line));
        assert_mentions(&msg, &[quoted, "not a finite number", "like 42"]);
    }
    let msg = refused!(app, app.update_fields(fields("GRO-1.1", "NaN")));
    assert_mentions(&msg, &["\"NaN\"", "not a finite number", "like 42"]);
}

#[tokio::test]
async fn update_with_infinite_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    for value in ["inf", "-inf", "Infinity", "+inf"] {
        let msg = refused!(app, app.update(&format!("GRO-1.1 {value}")));
        assert_mentions(
            &msg,
            &[&format!("\"{value}\""), "not a finite number", "like 42"],
        );
        let msg = refused!(app, app.update_fields(fields("GRO-1.1", value)));
        assert_mentions(
            &msg,
            &[&format!("\"{value}\""), "not a finite number", "like 42"],
        );
    }
}

#[tokio::test]
async fn update_with_1e999_is_refused_as_exponent_notation_and_writes_nothing() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-1.1 1e999"));
    assert_mentions(
        &msg,
        &["\"1e999\"", "exponent notation", "write the number out"],
    );
    let msg = refused!(app, app.update_fields(fields("GRO-1.1", "1e999")));
    assert_mentions(
        &msg,
        &["\"1e999\"", "exponent notation", "write the number out"],
    );
}

#[tokio::test]
async fn update_with_a_value_beyond_the_limit_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-1.1 99999999999999999999"));
    assert_mentions(
        &msg,
        &["\"99999999999999999999\"", "too large", "limited to"],
    );
}

#[tokio::test]
async fn update_form_with_empty_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    for value in ["", "   "] {
        let msg = refused!(app, app.update_fields(fields("GRO-1.1", value)));
        assert_mentions(&msg, &["the value is empty", "write a number like 42"]);
    }
}

#[tokio::test]
async fn update_line_without_a_value_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-1.1"));
    assert_mentions(
        &msg,
        &[
            "\"GRO-1.1\" has no value",
            "e.g. GRO-1.1 42 or GRO-1.1 done",
        ],
    );
    let msg = refused!(app, app.update("\"onboarding time\""));
    assert_mentions(
        &msg,
        &["\"onboarding time\" has no value", "e.g. GRO-1.1 42"],
    );
}

// ---- notes ------------------------------------------------------------------------------------

#[tokio::test]
async fn update_line_with_a_1001_character_note_is_refused_and_writes_nothing() {
    let app = growth().await;
    let note = "n".repeat(1001);
    let msg = refused!(app, app.update(&format!("GRO-1.1 11 c8 {note}")));
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
    let msg = refused!(app, app.update_fields(form));
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
    let notes: Vec<String> = sqlx::query_scalar(
        "SELECT note FROM check_ins WHERE note IS NOT NULL ORDER BY id DESC LIMIT 2",
    )
    .fetch_all(app.okr.store().pool())
    .await
    .unwrap();
    assert_eq!(notes, vec![accented, ascii], "notes are stored whole");
}

// ---- references -------------------------------------------------------------------------------

#[tokio::test]
async fn update_to_an_unknown_key_result_code_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-9.4 10"));
    assert_mentions(&msg, &["no key result \"GRO-9.4\"", "/okr kr list"]);
    let msg = refused!(app, app.update_fields(fields("GRO-9.4", "10")));
    assert_mentions(&msg, &["no key result \"GRO-9.4\"", "/okr kr list"]);
    let msg = refused!(app, app.update("#4242 10"));
    assert_mentions(&msg, &["no key result \"#4242\"", "/okr kr list"]);
    let msg = refused!(app, app.update("churn rate 10"));
    assert_mentions(&msg, &["no key result \"churn rate\"", "/okr kr list"]);
}

#[tokio::test]
async fn update_with_an_ambiguous_title_part_is_refused_and_lists_the_matches() {
    let app = growth().await;
    let msg = refused!(app, app.update("onboarding 10"));
    assert_mentions(
        &msg,
        &[
            "\"onboarding\" matches 2 key results",
            "GRO-1.1 \"Reduce onboarding time\"",
            "GRO-1.2 \"Keep onboarding completion rate\"",
            "use the code",
        ],
    );
    let msg = refused!(app, app.update_fields(fields("Onboarding", "10")));
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

// ---- confidence -------------------------------------------------------------------------------

#[tokio::test]
async fn update_with_confidence_0_or_11_is_refused_and_writes_nothing() {
    let app = growth().await;
    for c in ["0", "11"] {
        let msg = refused!(app, app.update(&format!("GRO-1.1 10 c{c}")));
        assert_mentions(
            &msg,
            &[
                &format!("\"c{c}\" is not a valid confidence"),
                "1 (no chance) to 10 (certain)",
                "like c8",
            ],
        );
        let msg = refused!(app, app.update(&format!("GRO-1.1 10 confidence {c} note")));
        assert_mentions(&msg, &["not a valid confidence", "1 (no chance) to 10"]);
        let form = UpdateFields {
            confidence: Some(c),
            ..fields("GRO-1.1", "10")
        };
        let msg = refused!(app, app.update_fields(form));
        assert_mentions(
            &msg,
            &[
                &format!("\"{c}\" is not a valid confidence"),
                "1 (no chance) to 10",
            ],
        );
    }
}

// ---- definitions ------------------------------------------------------------------------------

#[tokio::test]
async fn metric_key_result_with_start_equal_to_target_is_refused_and_writes_nothing() {
    let app = growth().await;
    let input = KrInput {
        objective: "GRO-1".into(),
        title: "Grow weekly signups".into(),
        kind: Some("metric".into()),
        start: Some("10".into()),
        target: Some("10".into()),
        owner: Some("alice".into()),
        ..Default::default()
    };
    let msg = refused!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(
        &msg,
        &[
            "start and target are both 10",
            "give a target different from the start",
        ],
    );
}

#[tokio::test]
async fn cycle_ending_before_it_starts_is_refused_and_writes_nothing() {
    let app = growth().await;
    let msg = refused!(
        app,
        app.okr.cycle_new(
            &app.admin,
            "2027-Q1",
            date("2027-03-31"),
            date("2027-01-01"),
            now()
        )
    );
    assert_mentions(
        &msg,
        &[
            "2027-01-01",
            "2027-03-31",
            "before it starts",
            "on or after the start",
        ],
    );
}

#[tokio::test]
async fn update_in_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let msg = refused!(app, app.update("GRO-1.1 9"));
    assert_mentions(&msg, &["GRO-1.1", "2026-Q4", "closed", "open cycle"]);
    let msg = refused!(app, app.update_fields(fields("GRO-1.3", "done")));
    assert_mentions(&msg, &["GRO-1.3", "2026-Q4", "closed"]);
    let msg = refused!(
        app,
        app.okr
            .check_in_bulk(&app.admin, "GRO-1.2 96\n", CheckInSource::Text, now())
    );
    assert_mentions(&msg, &["line 1", "closed", "nothing was recorded"]);
}

#[tokio::test]
async fn adding_a_key_result_to_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let input = KrInput {
        objective: "GRO-1".into(),
        title: "Grow weekly signups".into(),
        start: Some("100".into()),
        target: Some("200".into()),
        ..Default::default()
    };
    let msg = refused!(app, app.okr.kr_add(&app.admin, input, now()));
    assert_mentions(
        &msg,
        &["cycle 2026-Q4 is closed", "GRO-1 can no longer change"],
    );
}

/// Closing a cycle grades it; moving a target afterwards would silently rewrite the final grade.
#[tokio::test]
async fn editing_a_key_result_of_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let edit = KrEdit {
        target: Some("13".into()),
        ..Default::default()
    };
    let msg = refused!(app, app.okr.kr_edit(&app.admin, "GRO-1.1", edit));
    assert_mentions(&msg, &["2026-Q4", "closed"]);
}

/// Removing a graded key result would delete it and its check-in history from a final report.
#[tokio::test]
async fn removing_a_key_result_of_a_closed_cycle_is_refused_and_writes_nothing() {
    let app = growth().await;
    app.okr
        .cycle_close(&app.admin, "2026-Q4", now())
        .await
        .expect("close 2026-Q4");
    let msg = refused!(app, app.okr.kr_remove(&app.admin, "GRO-1.1"));
    assert_mentions(&msg, &["2026-Q4", "closed"]);
}

// ---- units ------------------------------------------------------------------------------------

#[tokio::test]
async fn percent_on_a_days_key_result_is_refused_and_names_the_expected_unit() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-1.1 45%"));
    assert_mentions(
        &msg,
        &["\"45%\" is a percent", "GRO-1.1 is measured in days", "9d"],
    );
}

#[tokio::test]
async fn hours_on_a_days_key_result_is_refused_and_names_the_expected_unit() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-1.1 3h"));
    assert_mentions(
        &msg,
        &["\"3h\" is hours", "GRO-1.1 is measured in days", "9d"],
    );
    let msg = refused!(app, app.update_fields(fields("GRO-1.1", "3h")));
    assert_mentions(&msg, &["\"3h\" is hours", "measured in days"]);
}

#[tokio::test]
async fn dollars_on_a_percent_key_result_is_refused_and_names_the_expected_unit() {
    let app = growth().await;
    let msg = refused!(app, app.update("GRO-1.2 $96"));
    assert_mentions(
        &msg,
        &[
            "\"$96\" is an amount in USD",
            "GRO-1.2 is measured in percent",
            "45%",
        ],
    );
}

// ---- setup ------------------------------------------------------------------------------------

#[tokio::test]
async fn setup_with_a_time_zone_that_does_not_exist_is_refused_and_suggests_the_real_one() {
    let app = growth().await;
    // A new team, and a change to an existing one: both refused whole.
    for team in ["Platform", "Growth"] {
        let input = SetupInput {
            team: team.into(),
            timezone: Some("Europe/Berln".into()),
            channel: Some("platform".into()),
            prefix: Some("PLT".into()),
            leads: Some(vec!["dave".into()]),
        };
        let msg = refused!(app, app.okr.setup(&app.admin, input, now()));
        assert_mentions(
            &msg,
            &[
                "\"Europe/Berln\" is not a time zone",
                "did you mean Europe/Berlin?",
                "IANA name",
            ],
        );
    }
}

// ---- bulk -------------------------------------------------------------------------------------

#[tokio::test]
async fn bulk_update_with_a_bad_value_on_line_3_of_4_writes_nothing_and_names_line_3() {
    let app = growth().await;
    // Lines 1 and 2 are fine and are written inside the transaction before line 3 fails.
    let text = "GRO-1.1 11 c8\nGRO-1.3 done\nGRO-1.2 96h\nGRO-1.1 10\n";
    let msg = refused!(
        app,
        app.okr
            .check_in_bulk(&app.admin, text, CheckInSource::Text, now())
    );
    assert_mentions(
        &msg,
        &[
            "line 3",
            "\"96h\" is hours",
            "measured in percent",
            "nothing was recorded",
            "send them all again",
        ],
    );
    assert!(!msg.contains("line 1") && !msg.contains("line 2"), "{msg}");
}

#[tokio::test]
async fn bulk_update_with_an_unparsable_line_3_of_4_writes_nothing_and_names_line_3() {
    let app = growth().await;
    let text = "GRO-1.1 11\nGRO-1.3 done\nGRO-1.2 9O\nGRO-1.1 10\n";
    let msg = refused!(
        app,
        app.okr
            .check_in_bulk(&app.admin, text, CheckInSource::Text, now())
    );
    assert_mentions(
        &msg,
        &[
            "line 3",
            "\"9O\" is not a number",
            "did you mean 90?",
            "nothing was recorded",
        ],
    );
}

#[tokio::test]
async fn bulk_update_naming_an_unknown_key_result_on_line_2_writes_nothing() {
    let app = growth().await;
    let text = "GRO-1.1 11\nGRO-7.1 3\nGRO-1.3 done\n";
    let msg = refused!(
        app,
        app.okr
            .check_in_bulk(&app.admin, text, CheckInSource::Text, now())
    );
    assert_mentions(
        &msg,
        &[
            "line 2",
            "no key result \"GRO-7.1\"",
            "nothing was recorded",
        ],
    );
}

// ---- import -----------------------------------------------------------------------------------

#[tokio::test]
async fn import_with_a_bad_entry_late_in_the_file_writes_nothing_and_names_the_entry() {
    let app = growth().await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    // Everything before the last key result is fine and gets written inside the transaction.
    let last = doc.objectives[0]
        .key_results
        .last_mut()
        .expect("GRO-1 has key results");
    last.unit = "parsecs".into();
    let fresh = app.other_workspace("console:globex", "globex").await;
    let msg = refused!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[2] (GRO-1.3).unit",
            "\"parsecs\" is not a unit",
            "nothing was imported",
        ],
    );
    let msg = refused!(app, async {
        data::parse_export("{\"format\": \"okrbot/1\", \"teams\": [")
    });
    assert_mentions(
        &msg,
        &["not an okrbot export", "line 1", "nothing was imported"],
    );
}

#[tokio::test]
async fn import_reads_a_zone_in_any_case_and_stores_its_canonical_name() {
    let app = growth().await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.teams[0].timezone = " europe/berlin ".into();
    let fresh = app.other_workspace("console:globex", "globex").await;
    app.okr.import(&fresh, &doc, now()).await.expect("import");
    let zones: Vec<String> = sqlx::query_scalar("SELECT timezone FROM teams ORDER BY id")
        .fetch_all(app.okr.store().pool())
        .await
        .unwrap();
    assert_eq!(zones.last().map(String::as_str), Some("Europe/Berlin"));
    let teams = app
        .okr
        .teams(&fresh)
        .await
        .expect("the imported team reads back");
    assert_eq!(teams[0].tz, chrono_tz::Europe::Berlin);
}

// ---- the console binary -----------------------------------------------------------------------

#[tokio::test]
async fn console_script_with_a_bad_line_prints_the_error_continues_and_exits_0() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let app = spawn_app().await;
    let script = "\
/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice prefix:GRO
/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31
/okr objective add team:Growth title:Enhance customer onboarding experience owner:alice
/okr kr add objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:alice
/okr update GRO-1.1 NaN
/okr update GRO-1.1 45%
/okr update GRO-1.1 9 c8 new flow shipped
/okr history kr:GRO-1.1
";
    let mut child = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("OKRBOT_DATABASE_URL", &app.database_url)
        .env("OKRBOT_LOG", "error")
        .args([
            "console",
            "--workspace",
            "acme",
            "--user",
            "root",
            "--admin",
            "--now",
            "2026-11-16T10:00:00Z",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("okrbot starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("the script is piped in");
    let out = child.wait_with_output().expect("okrbot finishes");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "refusals are not failures: exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    assert_mentions(
        &stdout,
        &[
            "❌ \"NaN\" is not a finite number",
            "❌ \"45%\" is a percent, but GRO-1.1 is measured in days",
            "Checked in GRO-1.1",
        ],
    );
    assert_eq!(
        stdout.matches('❌').count(),
        2,
        "exactly the two bad lines:\n{stdout}"
    );
    let nan = stdout.find("NaN").unwrap();
    let good = stdout.find("Checked in GRO-1.1").unwrap();
    assert!(
        nan < good,
        "the line after the bad ones ran after them:\n{stdout}"
    );

    let rows = app.rows().await;
    assert_eq!(
        rows.table("check_ins").len(),
        1,
        "only the good update:\n{rows}"
    );
    assert_mentions(
        &rows.table("check_ins")[0],
        &["\"value\":9.0", "new flow shipped"],
    );
}
