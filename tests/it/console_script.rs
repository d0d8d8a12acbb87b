//! The console as a new user meets it: the real `okrbot` binary, a script piped to stdin, and the
//! scores of `docs/scoring.md` read off what it prints.

use std::io::Write;
use std::process::{Command, Stdio};

fn run_console(database_url: &str, args: &[&str], script: impl AsRef<[u8]>) -> (String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .arg("console")
        .args(args)
        .env("OKRBOT_DATABASE_URL", database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("okrbot starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_ref())
        .expect("script written");
    let out = child.wait_with_output().expect("okrbot ends");
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

/// The console as alice, an admin of workspace acme, on a simulated clock standing at `now`.
fn run_as_admin(database_url: &str, now: &str, script: impl AsRef<[u8]>) -> (String, i32) {
    run_console(
        database_url,
        &[
            "--workspace",
            "acme",
            "--user",
            "alice",
            "--admin",
            "--now",
            now,
        ],
        script,
    )
}

const SETUP: &str = "\
/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice
/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31
/okr objective add team:Growth title:Enhance customer onboarding experience kind:aspirational
/okr kr add objective:GRO-1 title:Reduce average onboarding time kind:metric start:14 target:7 unit:days owner:alice
/okr kr add objective:GRO-1 title:Keep retention above the line kind:threshold target:95 unit:percent direction:at_least owner:bob
/okr kr add objective:GRO-1 title:Launch the signup wizard kind:milestone owner:carol
/okr objective add team:Growth title:Grow self-serve revenue kind:committed
/okr kr add objective:GRO-2 title:Trials started kind:metric start:0 target:100 owner:dave
/okr kr add objective:GRO-2 title:Paid conversions kind:metric start:0 target:50 owner:dave
/okr kr add objective:GRO-2 title:Expansion revenue kind:metric start:0 target:$10k owner:dave
";

#[test]
fn a_console_script_prints_the_scores_of_the_product_spec() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}\
/okr update GRO-1.1 11 c8 first cohort
/okr update GRO-1.1 9 c8 new flow shipped
/okr update GRO-1.2 93% c6 churn spike
/okr update GRO-1.3 done
/okr update GRO-2.1 70
/okr update GRO-2.2 40 c9
/okr update GRO-2.3 $5,000
/okr status team:Growth
"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    let status = out
        .split("OKR status: team Growth")
        .nth(1)
        .expect("a status reply");
    // 14 -> 7 days at 9 days: 5/7 of the way, 71%, score 0.71.
    assert!(
        status.contains("GRO-1.1 Reduce average onboarding time — 0.71 (71%)"),
        "{status}"
    );
    // A broken threshold scores 0 and is red; a done milestone scores 1.
    assert!(
        status.contains("🔴 GRO-1.2 Keep retention above the line — 0.00 (0%)"),
        "{status}"
    );
    assert!(
        status.contains("missed by 2%: 93% (at least 95%)"),
        "{status}"
    );
    assert!(
        status.contains("GRO-1.3 Launch the signup wizard — 1.00 (100%)"),
        "{status}"
    );
    // Objective: the mean of 5/7, 0 and 1 is 0.571..., and red (the worst of its KRs).
    assert!(
        status.contains("🔴 GRO-1 Enhance customer onboarding experience — 0.57 (57%)"),
        "{status}"
    );
    // Scores 0.7, 0.8, 0.5 give 0.67.
    assert!(
        status.contains("GRO-2 Grow self-serve revenue — 0.67 (67%)"),
        "{status}"
    );
    assert!(
        status.contains("GRO-2.3 Expansion revenue — 0.50 (50%)"),
        "{status}"
    );
    // 46 days of 92 have passed in Berlin: 51% elapsed (the half day of Nov 16 included).
    assert!(status.contains("51% of the cycle elapsed"), "{status}");
}

#[test]
fn a_bad_line_is_answered_and_the_script_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script =
        format!("{SETUP}/okr update GRO-1.1 12O\n/okr update GRO-1.1 9\n/okr frobnicate\n");
    let (out, code) = run_console(
        &db,
        &[
            "--user",
            "alice",
            "--admin",
            "--now",
            "2026-11-16T10:00:00Z",
        ],
        &script,
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("❌ \"12O\" is not a number: did you mean 120?"),
        "{out}"
    );
    assert!(out.contains("Checked in GRO-1.1"), "{out}");
    assert!(out.contains("❌ unknown command \"frobnicate\""), "{out}");
}

#[test]
fn without_admin_rights_setup_is_refused_politely() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let (out, code) = run_console(
        &db,
        &["--user", "mallory"],
        "/okr setup team:Growth timezone:UTC\n",
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("only a workspace admin may set up teams"),
        "{out}"
    );
}

#[test]
fn a_bulk_update_is_recorded_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}/okr update bulk\nGRO-1.1 10 c7\nGRO-2.1 1.05k\n.\n/okr update bulk\nGRO-2.1 80\nGRO-2.2 12O\n.\n/okr history kr:GRO-2.1\n"
    );
    let (out, code) = run_console(
        &db,
        &[
            "--user",
            "alice",
            "--admin",
            "--now",
            "2026-11-16T10:00:00Z",
        ],
        &script,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 check-ins recorded"), "{out}");
    assert!(out.contains("line 2: \"12O\" is not a number"), "{out}");
    let history = out.split("History of GRO-2.1").nth(1).expect("history");
    assert!(history.contains("1,050"), "{history}");
    assert!(
        !history.contains("· 80 ·"),
        "the failed bulk wrote a check-in: {history}"
    );
}

/// Whatever arrives on stdin, the console answers each line and carries on to the next: text in
/// any script, bytes that are not UTF-8, a line of a megabyte, a clock sent to the year 9999.
#[test]
fn the_console_answers_every_line_of_odd_input_and_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let mut script = SETUP.as_bytes().to_vec();
    script.extend_from_slice(
        "/okr objective add team:Growth title:Launch in München kind:committed\n\
         /okr update GRO-1.1 9 c8 shipped 🚀\n\
         /okr update GRO-1.1 9 café ouvert\n"
            .as_bytes(),
    );
    script.extend_from_slice(b"/okr update GRO-1.1 \xff\xfe 10\n");
    script.extend_from_slice(&vec![b'x'; 1_000_000]);
    script.extend_from_slice(b"\n");
    script.extend_from_slice(
        "/okr clock advance:99999999999w\n\
         /okr clock set:9999-12-31T23:59:59Z\n\
         /okr history kr:GRO-1.1\n\
         /okr objective show objective:GRO-3\n"
            .as_bytes(),
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", script);
    assert_eq!(code, 0, "{out}");
    for said in [
        "Objective GRO-3 added: Launch in München",
        "that line is not UTF-8 text (send commands as UTF-8), so it was skipped",
        "that line is 1,000,000 bytes long, more than a command can be (65,536), so it was skipped",
        "advance:99999999999w is too far",
        "set:9999-12-31 23:59:59 UTC is too far",
        "shipped 🚀",
        "café ouvert",
        "GRO-3 Launch in München",
    ] {
        assert!(out.contains(said), "expected {said:?} in:\n{out}");
    }
    assert!(!out.contains("something went wrong"), "{out}");
}

/// `/okr clock advance:` steps through what falls due on the way, as a running bot would: a
/// week's jump shows Monday's prompts and digest and Wednesday's reminder at their own times.
#[test]
fn advancing_the_console_clock_by_a_week_delivers_what_fell_due_on_the_way() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!("{SETUP}/okr clock advance:1w\n");
    let (out, code) = run_as_admin(&db, "2026-11-12T10:00:00Z", script);
    assert_eq!(code, 0, "{out}");
    for said in [
        "📬 prompt → @alice · Mon 2026-11-16 09:00 CET",
        "📬 digest → #growth · Mon 2026-11-16 16:00 CET",
        "📬 reminder → @alice · Wed 2026-11-18 09:00 CET",
        "It is now Thu 2026-11-19 10:00 UTC",
    ] {
        assert!(out.contains(said), "expected {said:?} in:\n{out}");
    }
}

/// A console decides and delivers for its own workspace only: another workspace's console on a
/// clock past acme's Monday neither prints acme's prompts (marking them sent, so they never
/// reached anyone) nor moves acme's schedules, whatever its simulated clock says.
#[test]
fn a_console_never_delivers_or_moves_another_workspace_s_schedules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let (out, code) = run_as_admin(&db, "2026-11-12T10:00:00Z", SETUP);
    assert_eq!(code, 0, "{out}");
    let other = |now: &str, script: &str| {
        run_console(
            &db,
            &[
                "--workspace",
                "other",
                "--user",
                "olga",
                "--admin",
                "--now",
                now,
            ],
            script,
        )
    };
    let (out, code) = other(
        "2026-11-16T12:00:00Z",
        "/okr help\n/okr clock set:2026-11-25T10:00:00Z\n/okr clock advance:1w\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("📬"),
        "another workspace's deliveries:\n{out}"
    );
    assert!(
        !out.contains("@alice ·"),
        "another workspace's prompts:\n{out}"
    );
    // acme's Monday prompts are still owed, and go out in acme's own console.
    let (out, code) = run_as_admin(&db, "2026-11-16T12:00:00Z", "/okr help\n");
    assert_eq!(code, 0, "{out}");
    for said in [
        "📬 prompt → @alice · Mon 2026-11-16 09:00 CET",
        "📬 prompt → @bob · Mon 2026-11-16 09:00 CET",
    ] {
        assert!(out.contains(said), "expected {said:?} in:\n{out}");
    }
}

/// A closed quarter stays viewable: `/okr status` shows the latest cycle when none is running,
/// and `cycle:` names any cycle.
#[test]
fn after_closing_the_cycle_its_status_stays_viewable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}/okr update GRO-1.1 9 c8\n/okr cycle close name:2026-Q4\n/okr status\n\
         /okr status team:Growth cycle:2026-Q4\n/okr objective list team:Growth cycle:2026-Q4\n"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", script);
    assert_eq!(code, 0, "{out}");
    let after = &out[out.find("Cycle 2026-Q4 is closed").expect("the close")..];
    assert!(!after.contains("there is no open cycle"), "{after}");
    assert_eq!(
        after
            .matches("Growth · 2026-Q4 (2026-10-01 – 2026-12-31) · closed: its scores are final")
            .count(),
        3,
        "{after}"
    );
    assert!(
        after.contains("GRO-1.1 Reduce average onboarding time — 0.71 (71%)"),
        "{after}"
    );
}

#[test]
fn aligned_objectives_count_toward_their_parent_in_status_digest_rollup_and_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}\
/okr setup team:Company timezone:Europe/Berlin channel:company prefix:CO lead:alice
/okr objective add team:Company title:Win the self-serve market
/okr objective align objective:GRO-1 parent:CO-1
/okr objective align objective:GRO-2 parent:CO-1
/okr update GRO-1.1 9 c8
/okr update GRO-1.2 93% c6
/okr update GRO-1.3 done
/okr update GRO-2.1 70
/okr update GRO-2.2 40 c9
/okr update GRO-2.3 $5,000
/okr status team:Company
/okr digest team:Company
/okr digest scope:workspace
/okr export format:csv
"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    // CO-1 has no key results of its own: the mean of GRO-1 (0.571) and GRO-2 (0.667) is 0.62.
    let status = out
        .split("OKR status: team Company")
        .nth(1)
        .expect("a status reply");
    assert!(
        status.contains("CO-1 Win the self-serve market — 0.62 (62%)"),
        "{status}"
    );
    assert!(status.contains("with 2 aligned objectives"), "{status}");
    let digest = out.split("📬 digest → #company").nth(1).expect("a digest");
    assert!(
        digest.contains("CO-1 Win the self-serve market — 0.62 (62%)"),
        "{digest}"
    );
    let rollup = out.split("Workspace rollup").nth(1).expect("a rollup");
    assert!(
        rollup.contains("CO-1 Win the self-serve market — "),
        "{rollup}"
    );
    assert!(rollup.contains("0.62 (62%)"), "{rollup}");
    let co1_row = out
        .lines()
        .find(|l| l.starts_with("Company,") && l.contains("CO-1"))
        .unwrap_or_else(|| panic!("a CSV row for CO-1 in {out}"));
    assert!(co1_row.contains(",0.62,"), "{co1_row}");
}

#[test]
fn kr_list_filters_by_owner_within_a_team_and_by_cycle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}/okr kr list team:Growth owner:dave\n/okr cycle close name:2026-Q4\n\
         /okr kr list owner:@alice cycle:2026-Q4\n"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", script);
    assert_eq!(code, 0, "{out}");
    let (team, closed) = out
        .split_once("Cycle 2026-Q4 is closed")
        .expect("the close");
    let team = &team[team.find("OKR status: team Growth").expect("the list")..];
    assert!(team.contains("GRO-2.1 Trials started"), "{team}");
    assert!(!team.contains("GRO-1.1"), "{team}");
    assert!(!team.contains("GRO-1 Enhance"), "{team}");
    let mine = &closed[closed.find("key results of alice").expect("alice's list")..];
    assert!(
        mine.contains("GRO-1.1 Reduce average onboarding time"),
        "{mine}"
    );
    assert!(!mine.contains("GRO-2.1"), "{mine}");
}

/// Values as people write them, typed into the console: a start below zero, a target relative to
/// the start or said in words, free units, digit groups with spaces, and large money shown the
/// way people say it (`docs/update-grammar.md`).
#[test]
fn values_are_read_as_people_write_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}\
/okr kr add objective:GRO-2 title:Raise NPS kind:metric start:-10 target:30 unit:NPS owner:dave
/okr kr add objective:GRO-2 title:Increase annual revenue by 30% to $100 million kind:metric start:$76.9 million target:by 30% to $100 million owner:dave
/okr kr add objective:GRO-2 title:Increase daily active users by 30% kind:metric start:1 200 target:+30% unit:users owner:dave
/okr update GRO-2.4 =-5 c6 detractors calmed down
/okr update GRO-2.6 1 400 users c7
/okr update GRO-1.1 3 hours
"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("-10 NPS → 30 NPS"), "{out}");
    assert!(out.contains("$76.9M → $100M"), "{out}");
    assert!(out.contains("1,200 users → 1,560 users"), "{out}");
    assert!(out.contains("-5 NPS"), "{out}");
    assert!(out.contains("1,400 users"), "{out}");
    assert!(
        out.contains("❌ \"3h\" is hours, but GRO-1.1 is measured in days"),
        "{out}"
    );
}

#[test]
fn replies_show_times_in_the_teams_zone_labelled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}/okr update GRO-1.1 9 c8\n/okr history kr:GRO-1.1\n/okr status team:Growth\n"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", script);
    assert_eq!(code, 0, "{out}");
    let history = &out[out.find("History of GRO-1.1").expect("the history")..];
    assert!(
        history.contains("Mon 2026-11-16 11:00 CET · 9 days · alice"),
        "{history}"
    );
    let status = &out[out.find("OKR status: team Growth").expect("the status")..];
    assert!(
        status.contains("as of Mon 2026-11-16 11:00 CET"),
        "{status}"
    );
    assert!(!status.contains("UTC"), "{status}");
}

#[test]
fn kpi_show_in_the_console_saves_its_chart_and_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = format!(
        "{SETUP}/kpi add team:Growth name:conversion unit:percent min:7 max:12\n\
         /kpi set kpi:conversion value:8.2%\n\
         /okr clock advance:1d\n\
         /kpi set kpi:conversion value:6.5%\n\
         /kpi show kpi:conversion\n"
    );
    // Two databases holding a KPI of the same id and name: neither chart overwrites the other.
    let mut saved = Vec::new();
    for file in ["kpi-chart.db", "kpi-chart-2.db"] {
        let db = crate::backend::fresh_url_blocking(dir.path(), file);
        let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", script.clone());
        assert_eq!(code, 0, "{out}");
        let shown = &out[out.find("KPI conversion · Growth").expect("the show reply")..];
        let path = shown
            .lines()
            .find_map(|l| l.trim().strip_prefix("📎 "))
            .unwrap_or_else(|| panic!("the chart's file: {shown}"))
            .to_owned();
        assert!(path.ends_with(".png"), "{path}");
        assert!(
            path.contains("kpi-growth-conversion-"),
            "named for what it shows: {path}"
        );
        saved.push(path);
    }
    assert_ne!(saved[0], saved[1]);
    for path in &saved {
        let png = std::fs::read(path).expect("the chart was saved");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG at {path}");
    }
    for path in saved {
        let _ = std::fs::remove_file(path);
    }
}

/// A value far outside anything its key result could mean (`1 200` typed for 12 on a 30 -> 50
/// key result) records nothing until confirmed: `confirm:yes`, or the same line typed again at
/// once; anything in between asks afresh (`docs/update-grammar.md`, "Values far out of range").
#[test]
fn a_value_far_out_of_range_waits_for_a_confirmation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}\
/okr kr add objective:GRO-2 title:Demo calls kind:metric start:30 target:50 owner:dave
/okr update GRO-2.4 1 200 oops
/okr history kr:GRO-2.4
/okr update GRO-2.4 1 200 oops
/okr update GRO-2.4 1 200 oops
/okr update GRO-2.4 5000
/okr history kr:GRO-2.4
/okr update GRO-2.4 5000
/okr update GRO-2.4 7000 confirm:no
/okr update GRO-2.4 9000 confirm:yes
/okr history kr:GRO-2.4
"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    let replies: Vec<&str> = out
        .split("\n\n")
        .filter(|r| r.contains("GRO-2.4") && !r.contains("Key result GRO-2.4 added"))
        .collect();
    let kinds: Vec<&str> = replies
        .iter()
        .map(|r| {
            if r.contains("so it looks like a typo: nothing was recorded") {
                "asked"
            } else if r.contains("Checked in GRO-2.4") {
                "recorded"
            } else if r.contains("History of GRO-2.4") {
                "history"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "asked", "history", "asked", "recorded", "asked", "history", "asked", "asked",
            "recorded", "history"
        ],
        "{out}"
    );
    assert!(
        replies[0].contains("1,200 on GRO-2.4 is more than 10 times its span away from 30 → 50")
            && replies[0].contains("confirm:yes"),
        "{out}"
    );
    assert!(replies[1].contains("No check-ins yet"), "{out}");
    let last = replies[9];
    assert!(
        last.contains("History of GRO-2.4")
            && last.contains("1,200")
            && last.contains("9,000")
            && !last.contains("5,000")
            && !last.contains("7,000"),
        "confirm:no records nothing: {out}"
    );
}

/// Moving the simulated clock back says what that means instead of only the new time.
#[test]
fn the_clock_moved_backwards_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!("{SETUP}/okr clock set:2026-11-13T10:00:00Z\n/okr clock advance:1d\n");
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    let back = out
        .split("It is now Fri 2026-11-13 10:00 UTC")
        .nth(1)
        .expect("the step back");
    assert!(
        back.contains("the clock went back from Mon 2026-11-16 10:00 UTC")
            && back.contains("what was sent stays sent"),
        "{out}"
    );
    let forward = out
        .split("It is now Sat 2026-11-14 10:00 UTC")
        .nth(1)
        .expect("the step forward");
    assert!(
        !forward
            .split("\n\n")
            .next()
            .unwrap_or("")
            .contains("went back"),
        "forward says nothing of it: {out}"
    );
}

/// A weight is confirmed when set and shown in status, where it explains a score that is no
/// plain mean.
#[test]
fn a_weight_is_confirmed_when_set_and_shown_in_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = format!(
        "{SETUP}/okr kr add objective:GRO-2 title:Churned accounts won back kind:metric start:0 target:10 weight:2\n\
         /okr kr edit kr:GRO-2.1 weight:0\n\
         /okr status team:Growth\n"
    );
    let (out, code) = run_as_admin(&db, "2026-11-16T10:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("weight 2 (counts 2 times as much as a weight of 1)"),
        "{out}"
    );
    assert!(
        out.contains("weight 0 (tracked, counts for nothing"),
        "{out}"
    );
    let status = out.split("OKR status").nth(1).expect("status");
    assert!(
        status.contains("GRO-2.4 Churned accounts won back") && status.contains("· weight 2 ·"),
        "{status}"
    );
    assert!(status.contains("· weight 0 ·"), "{status}");
}

/// A misspelt command word gets a did-you-mean; an option the command does not have is named as
/// unknown instead of being glued onto the value before it; prose with a colon is left alone.
#[test]
fn a_misspelt_command_or_an_unknown_option_is_named() {
    use okrbot::console::{parse_line, Line};
    let Line::Error(e) = parse_line("/okr updte GRO-1.1 9") else {
        panic!("updte is no command")
    };
    assert!(e.contains("did you mean /okr update?"), "{e}");
    let Line::Error(e) = parse_line("/okr kr ad objective:GRO-1 title:X") else {
        panic!("kr ad is no command")
    };
    assert!(e.contains("did you mean /okr kr add?"), "{e}");
    // The first words of a group alone say what may follow them.
    let Line::Error(e) = parse_line("/okr away from:2026-12-21 to:2027-01-04") else {
        panic!("away alone is no command")
    };
    assert!(
        e.contains("/okr away is followed by one of: set, list, cancel; e.g. /okr away set from:"),
        "{e}"
    );
    // KPI commands are spelt as they are typed: /kpi set, not /okr kpi set.
    let Line::Error(e) = parse_line("/kpi st kpi:conversion value:7%") else {
        panic!("kpi st is no command")
    };
    assert!(e.contains("did you mean /kpi set?"), "{e}");
    let Line::Error(e) = parse_line("/okr kr add objective:GRO-1 title:Faster builds ownr:bob")
    else {
        panic!("ownr: is no option")
    };
    assert!(
        e.contains("ownr: is not an option of this command") && e.contains("owner"),
        "{e}"
    );
    for fine in [
        "/okr update GRO-1.1 9 fixed: the login bug",
        "/okr update GRO-1.1 9 see https://example.com/x",
        "/okr objective add team:Growth title:\"Phase 2: launch\"",
    ] {
        assert!(matches!(parse_line(fine), Line::Command(_)), "{fine}");
    }
}

/// A whole quarter in the console as a lead runs it: a company objective with two team
/// objectives aligned under it (one aspirational, one committed), weekly check-ins, and a KPI
/// watched from mid-cycle that leaves its range and starts an OKR. Read as the lead reads it: the
/// objective drafted from the KPI is not red at birth, the last digest and the close agree, and
/// no forecast is absurd.
#[test]
fn a_quarter_with_company_okrs_and_a_kpi_started_mid_cycle_reads_right_to_a_lead() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let mut script = String::from(
        "\
/okr setup team:Company timezone:Europe/Berlin channel:company prefix:CO lead:alice
/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice
/okr schedule set team:Growth hours:always
/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31
/okr objective add team:Company title:Win the self-serve market
/okr objective add team:Growth title:Enhance customer onboarding experience kind:aspirational
/okr objective align objective:GRO-1 parent:CO-1
/okr kr add objective:GRO-1 title:Reduce average onboarding time kind:metric start:14 target:7 unit:days owner:alice
/okr kr add objective:GRO-1 title:Raise onboarding NPS kind:metric start:30 target:50 owner:bob
/okr objective add team:Growth title:Grow self-serve revenue kind:committed
/okr objective align objective:GRO-2 parent:CO-1
/okr kr add objective:GRO-2 title:Self-serve MRR kind:metric start:$120k target:$180k owner:dave
",
    );
    // Thursdays from Oct 8 to Dec 31: GRO-1 ends at 0.65 (an aspirational sweet spot), GRO-2
    // at 1.0; the KPI is added in week 5, dips below 7% in week 6 and recovers.
    let onboarding = [
        13.6, 13.2, 12.8, 12.4, 12.0, 11.6, 11.3, 11.0, 10.7, 10.4, 10.1, 9.8, 9.45,
    ];
    let nps = [31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43];
    let mrr = [
        125, 130, 135, 140, 145, 150, 155, 160, 165, 170, 175, 178, 180,
    ];
    let conversion = [
        None,
        None,
        None,
        None,
        Some(7.2),
        Some(6.6),
        Some(6.7),
        Some(6.8),
        Some(6.9),
        Some(7.1),
        Some(7.2),
        Some(7.3),
        Some(7.4),
    ];
    for week in 0..13 {
        script.push_str("/okr clock advance:1w\n");
        script.push_str(&format!("/okr update GRO-1.1 {}\n", onboarding[week]));
        script.push_str(&format!("/okr update GRO-1.2 {}\n", nps[week]));
        script.push_str(&format!("/okr update GRO-2.1 ${}k\n", mrr[week]));
        if week == 4 {
            script.push_str(
                "/kpi add team:Growth name:conversion unit:percent direction:higher min:7 owner:erin\n",
            );
        }
        if let Some(c) = conversion[week] {
            script.push_str(&format!("/kpi set kpi:conversion value:{c}%\n"));
        }
        if week == 5 {
            // The alert is told once the reading's undo window has passed; the lead starts an
            // OKR from it and looks at the team.
            script.push_str(
                "/okr clock advance:20m\n/kpi okr kpi:conversion\n/okr status team:Growth\n",
            );
        }
    }
    script.push_str(
        "/okr clock advance:4d\n/okr cycle close name:2026-Q4\n/okr status team:Growth\n",
    );
    let (out, code) = run_as_admin(&db, "2026-10-01T08:00:00Z", &script);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains('❌'), "every line was taken:\n{out}");

    // Drafted on Nov 12 (day 43), its key result is paced from that day: not red at birth.
    let drafted = out
        .split("Drafted GRO-3")
        .nth(1)
        .expect("/kpi okr drafted GRO-3");
    let status = drafted
        .split("OKR status: team Growth")
        .nth(1)
        .expect("the status after the draft");
    let gro31 = status
        .lines()
        .find(|l| l.contains("GRO-3.1"))
        .expect("GRO-3.1 in the status");
    assert!(!gro31.contains('🔴'), "red at birth: {gro31}");
    let alerts: Vec<&str> = out
        .split("📬 alert → #growth")
        .skip(1)
        .map(|a| a.split("📬").next().unwrap_or(a))
        .collect();
    assert!(
        alerts.iter().all(|a| !a.contains("GRO-3.1")),
        "GRO-3.1 alerted: {alerts:#?}"
    );

    // The last digest and the close agree on each objective's colour.
    let close_at = out.find("Cycle 2026-Q4 is closed").expect("the close");
    let last_digest = out[..close_at]
        .rfind("📬 digest → #growth")
        .map(|i| &out[i..close_at])
        .expect("a last digest");
    let close = &out[close_at..];
    for code in ["GRO-1 ", "GRO-2 ", "GRO-3 "] {
        let colour = |text: &str| {
            text.lines()
                .find(|l| l.trim_start().get(5..).is_some_and(|r| r.starts_with(code)))
                .and_then(|l| l.trim_start().chars().next())
                .unwrap_or_else(|| panic!("{code} in {text}"))
        };
        assert_eq!(
            colour(last_digest),
            colour(close),
            "{code}: last digest\n{last_digest}\nclose\n{close}"
        );
    }
    assert!(
        close.contains("In the 0.6-0.7 sweet spot for an aspirational objective"),
        "{close}"
    );

    // No forecast past 200%, and none once the cycle has ended.
    for line in out.lines().filter(|l| l.contains("% by ")) {
        let pct: f64 = line
            .split("% by ")
            .next()
            .and_then(|b| b.rsplit(|c: char| !c.is_ascii_digit() && c != '.').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a forecast percent in {line}"));
        assert!(pct <= 200.0, "absurd forecast: {line}");
    }
    assert!(
        !close.contains(" by Dec 31"),
        "a forecast after the end:\n{close}"
    );
}

/// After a prompt, a line that is no command is read as an answer in plain words against the
/// key results of that prompt (`docs/update-grammar.md`, "Answers in plain words"): recorded
/// when clear, answered with a question when not, and, when it is no answer at all, the usual
/// unknown-command error; nothing is recorded but what was clear.
#[test]
fn after_a_prompt_a_line_in_plain_words_is_read_as_the_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    // Before any prompt, words are only an unknown command.
    let script = format!("{SETUP}onboarding is at 9 days\n/okr clock advance:4d\n");
    let (out, code) = run_as_admin(&db, "2026-11-12T10:00:00Z", script);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unknown command \"onboarding\""), "{out}");
    assert!(out.contains("📬 prompt → @dave"), "{out}");

    // Alice's prompt asked about GRO-1.1 only.
    let (out, code) = run_as_admin(
        &db,
        "2026-11-16T10:05:00Z",
        "onboarding is at 9 days, c8\nwe had 3 meetings\nthanks!\n/okr history kr:GRO-1.1\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 check-in recorded"), "{out}");
    assert!(out.contains("GRO-1.1 14 days → 9 days"), "{out}");
    assert!(
        out.contains("❓ Is 3 the new value of GRO-1.1 \"Reduce average onboarding time\"?"),
        "{out}"
    );
    assert!(out.contains("unknown command \"thanks!\""), "{out}");
    assert!(
        out.contains("· 9 days · alice · c8"),
        "the confidence went with it:\n{out}"
    );

    // Dave's asked about his three.
    let (out, code) = run_console(
        &db,
        &[
            "--workspace",
            "acme",
            "--user",
            "dave",
            "--now",
            "2026-11-16T10:10:00Z",
        ],
        "12\ntrials 40 and conversions 12\nthe rest unchanged\n/okr history kr:GRO-2.1\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("❓ Which key result is 12 for"), "{out}");
    assert!(out.contains("2 check-ins recorded"), "{out}");
    assert!(out.contains("GRO-2.1 0 → 40"), "{out}");
    assert!(out.contains("GRO-2.2 0 → 12"), "{out}");
    // "the rest unchanged": all three, two of them just recorded, the third kept.
    assert!(out.contains("3 check-ins recorded"), "{out}");
}
