//! Digests and the rollup.

use super::*;
use okrbot::command::ReportCommand;

// ---------------------------------------------------------------------------------------------
// Digests and the rollup
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_digest_shows_scores_with_arrows_who_has_not_checked_in_the_at_risk_list_and_a_png_chart()
{
    let app = spawn_app().await;
    growth(&app, at("2026-11-10T10:00:00Z")).await;
    set_at_the_quarters_start(&app).await;
    let lena = person(&app, "lena");
    check_in(&app, "alice", "GRO-1.1 30 c8", at("2026-11-12T10:00:00Z")).await;
    check_in(&app, "carol", "GRO-1.3 0 c2", at("2026-11-12T10:00:00Z")).await;

    // (30 + 0 + 0) / 3 = 0.10; nothing to compare with yet.
    let first = app
        .okr
        .digest_now(&lena, "Growth", at("2026-11-12T12:00:00Z"))
        .await
        .expect("digest");
    let heading = first.blocks[0].heading.clone().expect("objective heading");
    assert_mentions(&heading, &["GRO-1", "0.10 (10%)", "new"]);

    check_in(&app, "alice", "GRO-1.1 60 c8", at("2026-11-13T10:00:00Z")).await;
    // (60 + 0 + 0) / 3 = 0.20: up 0.10 since the last digest.
    let second = app
        .okr
        .digest_now(&lena, "Growth", at("2026-11-13T12:00:00Z"))
        .await
        .expect("digest");
    let heading = second.blocks[0].heading.clone().expect("objective heading");
    assert_mentions(&heading, &["GRO-1", "0.20 (20%)", "↑ +0.10"]);

    let block = |m: &Message, name: &str| {
        m.blocks
            .iter()
            .find(|b| b.heading.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no block {name}"))
            .lines
            .clone()
    };
    // No prompt yet, so "since" is a check-in period back: bob never checked in.
    assert_eq!(block(&second, "Not checked in yet"), vec!["bob: GRO-1.2"]);
    // carol (confidence 2) and bob (0% at 47% of the cycle) are red; alice (60%) is not.
    let at_risk = block(&second, "At risk").join("\n");
    assert_mentions(&at_risk, &["GRO-1.2", "GRO-1.3"]);
    assert!(!at_risk.contains("GRO-1.1"), "{at_risk}");

    let png = &second.attachments.first().expect("a chart").bytes;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    // The channel gets both, the chart riding along through the ledger.
    let scheduler = Scheduler::new(app.okr.clone());
    let outbox = RecordingOutbox::new();
    scheduler
        .dispatcher()
        .deliver(at("2026-11-13T12:00:00Z"), &outbox)
        .await
        .expect("deliver");
    let digests: Vec<Delivery> = outbox
        .sent()
        .into_iter()
        .filter(|d| d.kind == DeliveryKind::Digest)
        .collect();
    assert_eq!(digests.len(), 2);
    assert!(digests
        .iter()
        .all(|d| d.recipient == Recipient::Channel("growth".into())));
    assert!(digests[1].message.attachments[0]
        .bytes
        .starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[tokio::test]
async fn the_rollup_shows_aligned_objectives_under_their_parent() {
    let app = spawn_app().await;
    let when = at("2026-11-10T10:00:00Z");
    growth(&app, when).await;
    team(&app, "Platform", "America/New_York", "PLA", "pete", when).await;
    let child = objective(&app, "Platform", "Fast signup backend", when).await;
    let other = objective(&app, "Platform", "Quiet on-call", when).await;
    app.okr
        .objective_align(&app.admin, &child, Some("GRO-1"))
        .await
        .expect("align");

    let (cycle, roots) = app.okr.rollup(&app.admin, when).await.expect("rollup");
    let rollup = okrbot::render::digest::rollup_message(&cycle.name, &roots, &[], when);
    let lines = &rollup.blocks[0].lines;
    let pos = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?} in {lines:#?}"))
    };
    let parent = pos("GRO-1 ");
    let under = pos(&format!("    {child} "));
    assert_eq!(under, parent + 1, "{lines:#?}");
    assert!(lines[under].contains("Platform"));
    // An objective aligned to nothing is a root of its own.
    pos(&format!("{other} "));

    // Growth's digest and status name the child, of whichever team, not only count it.
    let lena = person(&app, "lena");
    let digest = app
        .okr
        .digest_now(&lena, "Growth", when)
        .await
        .expect("digest");
    let heading = digest.blocks[0].heading.clone().expect("GRO-1's heading");
    assert_mentions(&heading, &[&format!("with 1 aligned objective ({child})")]);
    let status = app
        .okr
        .status(
            &app.admin,
            okrbot::service::report::StatusScope::Objective("GRO-1".into()),
            when,
        )
        .await
        .expect("status");
    let said = okrbot::console::text::render(&okrbot::render::status_message(&status));
    assert_mentions(&said, &[&format!("with 1 aligned objective ({child})")]);
}

/// `/okr digest` for a team with nowhere to post (no channel, no webhook) or nothing to post (no
/// objectives) says so and how to fix it, instead of answering "queued" for a post that never
/// goes out; nothing is written.
#[tokio::test]
async fn a_digest_with_nowhere_or_nothing_to_post_says_so_and_writes_nothing() {
    let app = spawn_app().await;
    let when = at("2026-11-12T10:00:00Z");
    growth(&app, when).await;
    app.okr
        .setup(
            &app.admin,
            SetupInput {
                team: "Quiet".into(),
                prefix: Some("QUI".into()),
                ..Default::default()
            },
            when,
        )
        .await
        .expect("a team without a channel");
    let before = app.rows().await;
    let e = app
        .okr
        .digest_now(&app.admin, "Quiet", when)
        .await
        .expect_err("nothing to post");
    assert_eq!(app.rows().await, before, "nothing written");
    assert_mentions(
        &e.to_string(),
        &["no objectives", "/okr objective add team:Quiet"],
    );
    objective(&app, "Quiet", "Be heard", when).await;
    let before = app.rows().await;
    let e = app
        .okr
        .digest_now(&app.admin, "Quiet", when)
        .await
        .expect_err("nowhere to post");
    assert_mentions(
        &e.to_string(),
        &[
            "no channel or webhook",
            "/okr setup team:Quiet channel:",
            "/okr webhook add team:Quiet",
        ],
    );
    assert_eq!(app.rows().await, before, "nothing written");
}

/// After the close, the workspace rollup of the closed quarter is still there with `cycle:`, and
/// without it the answer names the closed cycle and suggests the next one, never re-creating a
/// cycle that exists.
#[tokio::test]
async fn a_closed_quarter_stays_viewable_and_the_hint_suggests_the_next_cycle() {
    let app = spawn_app().await;
    let when = at("2026-11-10T10:00:00Z");
    growth(&app, when).await;
    let after = at("2027-01-04T10:00:00Z");
    app.okr
        .cycle_close(&app.admin, "2026-Q4", after)
        .await
        .expect("closed");
    let e = app
        .okr
        .rollup(&app.admin, after)
        .await
        .expect_err("no open cycle");
    let said = e.to_string();
    assert_mentions(
        &said,
        &[
            "the latest, 2026-Q4, is closed",
            "cycle:2026-Q4",
            "/okr cycle new name:2027-Q1 start:2027-01-01 end:2027-03-31",
        ],
    );
    assert!(!said.contains("name:2026-Q4"), "{said}");
    let (cycle, roots) = app
        .okr
        .rollup_in(&app.admin, Some("2026-Q4"), after)
        .await
        .expect("the closed quarter's tree");
    assert_eq!(cycle.name, "2026-Q4");
    assert!(!roots.is_empty());
    // The command line takes cycle: with scope:workspace, and says what to use for a team.
    use okrbot::console::{parse_line, Line};
    assert!(matches!(
        parse_line("/okr digest scope:workspace cycle:2026-Q4"),
        Line::Command(okrbot::command::Command::Report(ReportCommand::Rollup { cycle: Some(c) })) if c == "2026-Q4"
    ));
    let Line::Error(e) = parse_line("/okr digest team:Growth cycle:2026-Q4") else {
        panic!("a team's digest is of now")
    };
    assert_mentions(&e, &["/okr status team:<team> cycle:2026-Q4"]);
}

/// A team whose only key result follows a KPI nobody has read since the prompt is not
/// congratulated: the digest names the reading it waits for, until the reading comes.
#[tokio::test]
async fn a_team_whose_only_key_result_has_no_data_is_not_congratulated() {
    let app = spawn_app().await;
    let t0 = at("2026-11-02T10:00:00Z");
    team(&app, "Solo", "UTC", "SOL", "lena", t0).await;
    q4(&app, t0).await;
    app.okr
        .kpi_add(
            &app.admin,
            okrbot::service::kpis::KpiInput {
                team: "Solo".into(),
                name: "signups".into(),
                min: Some("100".into()),
                owner: Some("sam".into()),
                ..Default::default()
            },
            t0,
        )
        .await
        .expect("KPI");
    app.okr
        .kpi_set(&app.admin, "signups", "80", t0)
        .await
        .expect("reading");
    app.okr
        .kpi_okr(&app.admin, "signups", t0)
        .await
        .expect("an objective drafted from the KPI");
    let lena = person(&app, "lena");
    let waiting = |m: &Message| {
        m.blocks
            .iter()
            .find(|b| b.heading.as_deref() == Some("Not checked in yet"))
            .expect("the block")
            .lines
            .clone()
    };
    // A week on, nobody has read the KPI: its key result has nothing new.
    let late = app
        .okr
        .digest_now(&lena, "Solo", at("2026-11-10T12:00:00Z"))
        .await
        .expect("digest");
    // sam is asked for the KPI, and the key result waits for it.
    assert_eq!(
        waiting(&late),
        vec!["sam: KPI signups (SOL-1.1 follows it)"]
    );
    app.okr
        .kpi_set(&app.admin, "signups", "90", at("2026-11-10T13:00:00Z"))
        .await
        .expect("reading");
    let read = app
        .okr
        .digest_now(&lena, "Solo", at("2026-11-10T14:00:00Z"))
        .await
        .expect("digest");
    assert_eq!(waiting(&read), vec!["everyone has checked in 🎉"]);
}
