//! `kr remove` archives (restorable, history kept) and `/okr undo` takes a check-in back:
//! `docs/update-grammar.md`, "Undo", and `docs/scoring.md`, "Removed key results".

use chrono::Duration;
use okrbot::domain::model::CheckInSource;

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};

async fn growth() -> TestApp {
    let app = spawn_app().await;
    app.growth().await;
    app
}

async fn check_in(app: &TestApp, who: &str, line: &str, minutes: i64) {
    // `root` is the admin, who may check in on anything.
    let actor = if who == "root" {
        app.admin.clone()
    } else {
        app.user(who)
    };
    app.okr
        .check_in_text(
            &actor,
            line,
            CheckInSource::Text,
            None,
            now() + Duration::minutes(minutes),
        )
        .await
        .unwrap_or_else(|e| panic!("{who}: {line}: {e}"));
}

#[tokio::test]
async fn a_removed_key_result_keeps_its_history_leaves_every_view_and_can_be_restored() {
    let app = growth().await;
    check_in(&app, "alice", "GRO-1.1 11 c7", 0).await;
    app.okr
        .kr_remove(&app.admin, "GRO-1.1", now())
        .await
        .expect("removed");
    assert_eq!(app.count("check_ins").await, 1, "the history stays");
    let status = app
        .okr
        .status(&app.admin, okrbot::domain::view::StatusScope::All, now())
        .await
        .unwrap();
    let codes: Vec<&str> = status.teams[0].objectives[0]
        .krs
        .iter()
        .map(|k| k.kr.code.as_str())
        .collect();
    assert_eq!(codes, ["GRO-1.2", "GRO-1.3"]);
    let msg = refused_text!(app, app.update("GRO-1.1 10"));
    assert_mentions(&msg, &["GRO-1.1"]);
    // A new key result does not take the archived one's code.
    let added = app
        .okr
        .kr_add(
            &app.admin,
            okrbot::service::objectives::KrInput {
                objective: "GRO-1".into(),
                title: "Cut support tickets".into(),
                kind: Some("metric".into()),
                start: Some("100".into()),
                target: Some("50".into()),
                ..Default::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(added.code, "GRO-1.4");
    let back = app
        .okr
        .kr_restore(&app.admin, "GRO-1.1")
        .await
        .expect("restored");
    assert_eq!((back.code.as_str(), back.current), ("GRO-1.1", 11.0));
    check_in(&app, "alice", "GRO-1.1 10", 1).await;
    assert_eq!(app.count("check_ins").await, 2);
}

#[tokio::test]
async fn restoring_needs_a_lead_and_a_removed_key_result() {
    let app = growth().await;
    let msg = refused_text!(app, app.okr.kr_restore(&app.admin, "GRO-1.1"));
    assert_mentions(&msg, &["GRO-1.1", "no key result has been removed"]);
    app.okr
        .kr_remove(&app.admin, "GRO-1.3", now())
        .await
        .unwrap();
    let msg = refused_text!(app, app.okr.kr_restore(&app.user("bob"), "GRO-1.3"));
    assert_mentions(&msg, &["restore key results"]);
    let msg = refused_text!(app, app.okr.kr_restore(&app.admin, "GRO-1.2"));
    assert_mentions(&msg, &["removed ones: GRO-1.3"]);
}

#[tokio::test]
async fn undo_takes_back_the_latest_check_in_and_puts_the_key_result_back() {
    let app = growth().await;
    check_in(&app, "alice", "GRO-1.1 11 c6 first cohort", 0).await;
    check_in(&app, "alice", "GRO-1.1 1 c9 typo", 2).await;
    let undone = app
        .okr
        .undo(&app.user("alice"), None, now() + Duration::minutes(5))
        .await
        .expect("undone");
    assert_eq!(undone.withdrawn.value, 1.0);
    assert_eq!(undone.kr.current, 11.0);
    assert_eq!(undone.kr.confidence.map(|c| c.get()), Some(6));
    assert_eq!(undone.kr.last_check_in, Some(now()));
    assert_eq!(app.count("check_ins").await, 1);
    assert_eq!(app.count("withdrawn_check_ins").await, 1);
    let (_, history, _) = app.okr.history(&app.admin, "GRO-1.1").await.unwrap();
    assert_eq!(history.len(), 1);
    // The one before is older than the window: it stays.
    let later = now() + Duration::minutes(16);
    let msg = refused_text!(
        app,
        app.okr.undo(&app.user("alice"), Some("GRO-1.1"), later)
    );
    assert_mentions(
        &msg,
        &[
            "more than 15 minutes old",
            "/okr update GRO-1.1 <value>",
            "CET",
        ],
    );
}

#[tokio::test]
async fn only_the_author_undoes_and_only_the_key_results_latest_check_in() {
    let app = growth().await;
    check_in(&app, "alice", "GRO-1.1 11", 0).await;
    check_in(&app, "root", "GRO-1.1 10", 1).await;
    let msg = refused_text!(app, app.okr.undo(&app.user("alice"), None, now()));
    assert_mentions(&msg, &["root's", "only its author"]);
    let msg = refused_text!(app, app.okr.undo(&app.user("carol"), None, now()));
    assert_mentions(&msg, &["no check-in to take back"]);
    // Undoing the first check-in of a key result takes it back to its start.
    check_in(&app, "carol", "GRO-1.3 done", 2).await;
    let undone = app
        .okr
        .undo(
            &app.user("carol"),
            Some("GRO-1.3"),
            now() + Duration::minutes(3),
        )
        .await
        .unwrap();
    assert_eq!((undone.kr.current, undone.kr.last_check_in), (0.0, None));
}

#[test]
fn the_console_answers_undo_and_kr_restore() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = "\
/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice
/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31
/okr objective add team:Growth title:Enhance onboarding
/okr kr add objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:alice
/okr update GRO-1.1 9
/okr undo
/okr kr remove kr:GRO-1.1
/okr kr restore kr:GRO-1.1
";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args([
            "console",
            "--workspace",
            "acme",
            "--user",
            "alice",
            "--admin",
        ])
        .args(["--now", "2026-11-16T10:00:00Z"])
        .env("OKRBOT_DATABASE_URL", &db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(script.as_bytes())?;
            child.wait_with_output()
        })
        .expect("okrbot runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_mentions(
        &text,
        &[
            "Took back your check-in of GRO-1.1: 9 days",
            "made Mon 2026-11-16 11:00 CET",
            "GRO-1.1 stands at 14 days → 7 days again",
            "archived with its history",
            "Key result GRO-1.1 restored",
        ],
    );
}

#[tokio::test]
async fn a_check_in_after_an_undo_gets_a_new_id_and_can_be_undone_too() {
    let app = growth().await;
    check_in(&app, "alice", "GRO-1.1 11 c6", 0).await;
    check_in(&app, "alice", "GRO-1.1 12", 1).await;
    let first = app
        .okr
        .undo(&app.user("alice"), None, now() + Duration::minutes(2))
        .await
        .expect("the first undo");
    check_in(&app, "alice", "GRO-1.1 13", 3).await;
    let (_, history, _) = app.okr.history(&app.admin, "GRO-1.1").await.unwrap();
    let newest = history.last().expect("a check-in");
    assert_eq!(newest.value, 13.0);
    assert!(
        newest.id.0 > first.withdrawn.id.0,
        "the withdrawn check-in's id {} came back as {}",
        first.withdrawn.id.0,
        newest.id.0
    );
    let second = app
        .okr
        .undo(&app.user("alice"), None, now() + Duration::minutes(4))
        .await
        .expect("the second undo");
    assert_eq!(second.withdrawn.value, 13.0);
    assert_eq!(second.kr.current, 11.0);
    assert_eq!(app.count("withdrawn_check_ins").await, 2);
}

/// `/okr checkin withdraw`: any check-in, at any time while the cycle is open, by its author or
/// a lead, picked as the latest or by the number `/okr history` shows; it stays in the history
/// as withdrawn with who and why, and the key result stands as if it had never counted
/// (`docs/update-grammar.md`, "Withdraw").
#[tokio::test]
async fn any_check_in_is_withdrawn_by_its_author_or_a_lead_and_stays_in_the_history() {
    let app = growth().await;
    // GRO-1.1 runs 14 -> 7 days: 12, then a typo of 40 with confidence 2, then 10.
    check_in(&app, "alice", "GRO-1.1 12 c6", 0).await;
    check_in(&app, "alice", "GRO-1.1 40 c2", 60).await;
    check_in(&app, "alice", "GRO-1.1 10", 70).await;
    check_in(&app, "bob", "GRO-1.2 96", 80).await;
    // Two days on: long past undo's 15 minutes.
    let later = now() + Duration::days(2);
    let (_, history, _, _) = app
        .okr
        .history_with_withdrawn(&app.admin, "GRO-1.1")
        .await
        .unwrap();
    let typo = history.iter().find(|c| c.value == 40.0).unwrap().id.0;

    let before = app.rows().await;
    let text = refused_text!(
        app,
        app.okr
            .withdraw(&app.user("carol"), "GRO-1.2", None, None, later)
    );
    assert_mentions(&text, &["withdraw bob's check-in", "its author or"]);
    let text = refused_text!(
        app,
        app.okr
            .withdraw(&app.user("alice"), "GRO-1.1", Some("#999999"), None, later)
    );
    assert_mentions(
        &text,
        &[
            "#999999 is not among GRO-1.1's check-ins",
            "/okr history kr:GRO-1.1",
        ],
    );
    let text = refused_text!(
        app,
        app.okr
            .withdraw(&app.user("alice"), "GRO-1.1", Some("the typo"), None, later)
    );
    assert_mentions(&text, &["checkin:the typo is not a check-in number"]);
    assert_eq!(app.rows().await, before, "nothing written");

    // The typo in the middle, by its number: the value stays 10 (the latest), the confidence
    // it brought goes with it.
    let out = app
        .okr
        .withdraw(
            &app.user("alice"),
            "GRO-1.1",
            Some(&format!("#{typo}")),
            Some("typo, meant 12"),
            later,
        )
        .await
        .unwrap();
    assert_eq!(out.withdrawal.check_in.value, 40.0);
    assert_eq!(out.kr.current, 10.0);
    assert_eq!(out.kr.confidence.map(|c| c.get()), Some(6));
    let (kr, history, withdrawn, tz) = app
        .okr
        .history_with_withdrawn(&app.admin, "GRO-1.1")
        .await
        .unwrap();
    let values: Vec<f64> = history.iter().map(|c| c.value).collect();
    assert_eq!(values, [12.0, 10.0]);
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0].reason.as_deref(), Some("typo, meant 12"));
    assert_eq!(withdrawn[0].by.as_deref(), Some("alice"));
    let shown = okrbot::render::history_message(&kr, &history, &withdrawn, tz);
    let lines: Vec<&String> = shown.blocks.iter().flat_map(|b| &b.lines).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[1].starts_with(&format!("#{typo} "))
            && lines[1].contains("withdrawn")
            && lines[1].contains("by alice: typo, meant 12"),
        "in its place, marked: {lines:#?}"
    );
    // Scored as if it had never counted: (14 - 10) / (14 - 7).
    let status = app
        .okr
        .status(
            &app.admin,
            okrbot::domain::view::StatusScope::Objective("GRO-1".into()),
            later,
        )
        .await
        .unwrap();
    let score = status.teams[0].objectives[0].krs[0].score;
    assert!(
        (score.progress - 4.0 / 7.0).abs() < 1e-9,
        "{}",
        score.progress
    );

    // A lead takes back bob's only check-in: GRO-1.2 awaits data again.
    let out = app
        .okr
        .withdraw(&app.user("alice"), "GRO-1.2", None, None, later)
        .await
        .unwrap();
    assert_eq!(out.withdrawal.check_in.author, "bob");
    assert_eq!(out.kr.last_check_in, None);
    assert!(okrbot::domain::scoring::awaiting_data(&out.kr));
}

/// A closed objective's numbers are final: a check-in on one of its key results is refused
/// with the reason, and nothing is written. A cycle that is already over everywhere cannot be
/// created.
#[tokio::test]
async fn a_closed_objective_takes_no_check_in_and_an_ended_cycle_is_not_created() {
    let app = growth().await;
    app.okr
        .objective_close(&app.user("alice"), "GRO-1")
        .await
        .expect("closed");
    let before = app.rows().await;
    let text = refused_text!(app, app.update("GRO-1.1 9"));
    assert_mentions(
        &text,
        &[
            "GRO-1.1 belongs to objective GRO-1, which is closed",
            "final",
        ],
    );
    let text = refused_text!(
        app,
        app.okr.cycle_new(
            &app.admin,
            "2026-Q3",
            "2026-07-01".parse().unwrap(),
            "2026-09-30".parse().unwrap(),
            now(),
        )
    );
    assert_mentions(&text, &["would have ended on 2026-09-30", "okrbot import"]);
    assert_eq!(app.rows().await, before, "nothing written");
}
