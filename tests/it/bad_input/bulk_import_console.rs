//! bulk; import; the console binary.

use super::*;

// ---------------------------------------------------------------------------------------------
// bulk
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bulk_update_with_a_bad_value_on_line_3_of_4_writes_nothing_and_names_line_3() {
    let app = growth().await;
    // Lines 1 and 2 are fine and are written inside the transaction before line 3 fails.
    let text = "GRO-1.1 11 c8\nGRO-1.3 done\nGRO-1.2 96h\nGRO-1.1 10\n";
    let msg = refused_text!(
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
    let msg = refused_text!(
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
    let msg = refused_text!(
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

// ---------------------------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn import_with_a_bad_entry_late_in_the_file_writes_nothing_and_names_the_entry() {
    let app = growth().await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    // Everything before the last key result is fine and gets written inside the transaction.
    let last = doc.objectives[0]
        .key_results
        .last_mut()
        .expect("GRO-1 has key results");
    // Any short word is a unit now (`docs/update-grammar.md`, "Units"); two words are not.
    last.unit = "light years".into();
    let fresh = app.other_workspace("console:globex", "globex").await;
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "objectives[0] (GRO-1).key_results[2] (GRO-1.3).unit",
            "\"light years\" is not a unit",
            "nothing was imported",
        ],
    );
    let msg = refused_text!(app, async {
        data::parse_export("{\"format\": \"okrbot/1\", \"teams\": [")
    });
    assert_mentions(
        &msg,
        &["not an okrbot export", "line 1", "nothing was imported"],
    );
}

#[tokio::test]
async fn import_of_overlapping_open_cycles_is_refused_and_writes_nothing() {
    let app = growth().await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    let mut h2 = doc.cycles[0].clone();
    h2.name = "2026-H2".into();
    h2.start = date("2026-07-01");
    doc.cycles.push(h2);
    let fresh = app.other_workspace("console:globex", "globex").await;
    let msg = refused_text!(app, app.okr.import(&fresh, &doc, now()));
    assert_mentions(
        &msg,
        &[
            "cycles[1] (\"2026-H2\")",
            "overlap",
            "2026-Q4",
            "nothing was imported",
        ],
    );
}

#[tokio::test]
async fn import_reads_a_zone_in_any_case_and_stores_its_canonical_name() {
    let app = growth().await;
    let mut doc = app.okr.export(&app.admin, now()).await.expect("export");
    doc.teams[0].timezone = " europe/berlin ".into();
    let fresh = app.other_workspace("console:globex", "globex").await;
    app.okr.import(&fresh, &doc, now()).await.expect("import");
    let zones: Vec<String> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT timezone FROM teams ORDER BY id"
    )
    .fetch_all(db)
    .await)
    .unwrap();
    assert_eq!(zones.last().map(String::as_str), Some("Europe/Berlin"));
    let teams = app
        .okr
        .teams(&fresh)
        .await
        .expect("the imported team reads back");
    assert_eq!(teams[0].tz, chrono_tz::Europe::Berlin);
}

// ---------------------------------------------------------------------------------------------
// the console binary
// ---------------------------------------------------------------------------------------------

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
    // Each backend spells a row in its own JSON (9.0 or 9, with or without spaces): compare values.
    let row: serde_json::Value =
        serde_json::from_str(&rows.table("check_ins")[0]).expect("a row as JSON");
    assert_eq!(row["value"].as_f64(), Some(9.0), "{row}");
    assert_eq!(row["note"], "new flow shipped", "{row}");
}
