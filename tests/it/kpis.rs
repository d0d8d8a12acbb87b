//! KPIs (`docs/kpis.md`): readings by hand, ranges, one alert per excursion with Start an OKR,
//! and the bad input each gets a clear answer for, with nothing written.

use okrbot::outbox::DeliveryKind;
use okrbot::service::kpis::KpiInput;

use crate::common::{assert_mentions, now, refused_text, spawn_app, TestApp};
use okrbot::command::{KpiCommand, ReportCommand};

async fn growth_with_conversion() -> TestApp {
    let app = spawn_app().await;
    app.growth().await;
    app.okr
        .kpi_add(
            &app.admin,
            KpiInput {
                team: "Growth".into(),
                name: "conversion".into(),
                unit: Some("percent".into()),
                direction: Some("higher".into()),
                min: Some("7".into()),
                owner: Some("bob".into()),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("conversion added");
    app
}

async fn deliveries(app: &TestApp, kind: DeliveryKind) -> i64 {
    crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE kind = $1"
    )
    .bind(kind.as_str())
    .fetch_one(db)
    .await)
    .unwrap()
}

#[tokio::test]
async fn bad_readings_are_refused_and_write_nothing() {
    let app = growth_with_conversion().await;
    let bob = app.user("bob");
    for (value, says) in [
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("1e999", "exponent notation"),
        ("", "empty"),
        ("5 hours", "measured in percent"),
        ("done", "a KPI reading is a number"),
    ] {
        let msg = refused_text!(app, app.okr.kpi_set(&bob, "conversion", value, now()));
        assert_mentions(&msg, &[says]);
    }
    // Someone who neither owns it nor leads the team.
    let msg = refused_text!(
        app,
        app.okr
            .kpi_set(&app.user("carol"), "conversion", "6%", now())
    );
    assert_mentions(&msg, &["bob", "alice"]);
}

#[tokio::test]
async fn definitions_that_cannot_work_are_refused_and_write_nothing() {
    let app = growth_with_conversion().await;
    let input = |name: &str, min: Option<&str>, max: Option<&str>| KpiInput {
        team: "Growth".into(),
        name: name.into(),
        unit: Some("percent".into()),
        min: min.map(Into::into),
        max: max.map(Into::into),
        ..Default::default()
    };
    let msg = refused_text!(
        app,
        app.okr
            .kpi_add(&app.admin, input("churn", Some("12"), Some("7")), now())
    );
    assert_mentions(&msg, &["min 12 is above max 7"]);
    let msg = refused_text!(
        app,
        app.okr
            .kpi_add(&app.admin, input("churn", None, None), now())
    );
    assert_mentions(&msg, &["min:", "max:"]);
    let msg = refused_text!(
        app,
        app.okr
            .kpi_add(&app.admin, input("CONVERSION", Some("1"), None), now())
    );
    assert_mentions(&msg, &["already", "conversion"]);
    let msg = refused_text!(
        app,
        app.okr
            .kpi_add(&app.user("bob"), input("churn", Some("1"), None), now())
    );
    assert_mentions(&msg, &["add KPIs"]);
    let msg = refused_text!(
        app,
        app.okr
            .kpi_range(&app.admin, "conversion", Some("9"), Some("8"))
    );
    assert_mentions(&msg, &["min 9 is above max 8"]);
}

#[tokio::test]
async fn an_unknown_kpi_and_one_of_another_workspace_are_both_unknown() {
    let app = growth_with_conversion().await;
    let other = app.other_workspace("console:globex", "globex").await;
    let here = refused_text!(app, app.okr.kpi_show(&app.admin, "churn", now()));
    let there = refused_text!(app, app.okr.kpi_set(&other, "conversion", "5%", now()));
    assert_mentions(&here, &["KPI \"churn\" is unknown here", "conversion"]);
    assert_mentions(&there, &["KPI \"conversion\" is unknown here"]);
    assert!(!there.contains("only"), "unknown, never forbidden: {there}");
}

#[tokio::test]
async fn an_excursion_alerts_once_and_its_end_is_told_once() {
    let app = growth_with_conversion().await;
    let bob = app.user("bob");
    let scheduler = okrbot::scheduler::Scheduler::new(app.okr.clone());
    let t = |minutes: i64| now() + chrono::Duration::minutes(minutes);
    let set = |value: &'static str, at| {
        let (okr, bob) = (app.okr.clone(), bob.clone());
        async move { okr.kpi_set(&bob, "conversion", value, at).await.unwrap() }
    };
    let first = set("7.4%", t(0)).await;
    assert!(!first.alert_opened);
    let low = set("6.4%", t(10)).await;
    assert!(low.alert_opened && low.kpi.alerting);
    scheduler.decide(t(20)).await.unwrap();
    assert_eq!(
        deliveries(&app, DeliveryKind::KpiAlert).await,
        0,
        "a typed reading waits out its undo window"
    );
    let lower = set("6.1%", t(30)).await;
    assert!(!lower.alert_opened && lower.kpi.alerting);
    scheduler.decide(t(50)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 1);
    let back = set("7.2%", t(60)).await;
    assert!(back.resolved && !back.kpi.alerting);
    set("7.5%", t(70)).await;
    scheduler.decide(t(90)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiRecovered).await, 1);
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 1);
    assert_eq!(app.count("check_ins").await, 0, "no key result follows it");
    let shown = app
        .okr
        .kpi_show(&app.admin, "Conversion", now())
        .await
        .unwrap();
    let values: Vec<f64> = shown.readings.iter().map(|r| r.value).collect();
    assert_eq!(values, [7.5, 7.2, 6.1, 6.4, 7.4]);
}

/// A reading typed out of range and corrected a minute later is never told: the channel hears
/// neither the alert nor its end.
#[tokio::test]
async fn a_typo_out_of_range_corrected_within_the_undo_window_makes_no_noise() {
    let app = growth_with_conversion().await;
    let bob = app.user("bob");
    let scheduler = okrbot::scheduler::Scheduler::new(app.okr.clone());
    let t = |minutes: i64| now() + chrono::Duration::minutes(minutes);
    app.okr
        .kpi_set(&bob, "conversion", "7.4%", t(0))
        .await
        .unwrap();
    let typo = app
        .okr
        .kpi_set(&bob, "conversion", "0.74%", t(1))
        .await
        .unwrap();
    assert!(typo.alert_opened);
    scheduler.decide(t(2)).await.unwrap();
    app.okr
        .kpi_set(&bob, "conversion", "7.4%", t(3))
        .await
        .unwrap();
    scheduler.decide(t(60)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 0);
    assert_eq!(deliveries(&app, DeliveryKind::KpiRecovered).await, 0);
}

#[tokio::test]
async fn start_an_okr_drafts_a_linked_objective_whose_key_result_follows_the_kpi() {
    let app = growth_with_conversion().await;
    let msg = refused_text!(app, app.okr.kpi_okr(&app.admin, "conversion", now()));
    assert_mentions(&msg, &["no reading yet"]);
    app.okr
        .kpi_set(&app.user("bob"), "conversion", "6.4%", now())
        .await
        .unwrap();
    let okrbot::domain::view::KpiOkrDraft { objective, kr, .. } = app
        .okr
        .kpi_okr(&app.admin, "conversion", now())
        .await
        .unwrap();
    assert_eq!(objective.title, "Bring conversion back above 7%");
    assert_eq!(
        (kr.start, kr.target, kr.owner.as_deref()),
        (6.4, 7.0, Some("bob"))
    );
    let shown = app
        .okr
        .kpi_show(&app.admin, "conversion", now())
        .await
        .unwrap();
    assert_eq!(shown.linked.len(), 1);
    // The objective shows its KPI, in status as in its view.
    let status = app
        .okr
        .status(
            &app.admin,
            okrbot::domain::view::StatusScope::Objective(objective.code.clone()),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(status.teams[0].objectives[0].kpis, ["conversion"]);
    let text = okrbot::render::status_message(&status)
        .blocks
        .iter()
        .flat_map(|b| b.lines.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("linked to KPI conversion"), "{text}");
    // The next reading moves the key result too.
    app.okr
        .kpi_set(&app.user("bob"), "conversion", "6.8%", now())
        .await
        .unwrap();
    let kr = app.okr.kr(&app.admin, &kr.code).await.unwrap();
    assert_eq!(kr.current, 6.8);
    let msg = refused_text!(app, app.okr.kpi_okr(&app.user("bob"), "conversion", now()));
    assert_mentions(&msg, &["start OKRs from KPIs"]);
}

#[test]
fn the_console_takes_the_short_form_and_the_digest_lists_kpis_out_of_range_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url_blocking(dir.path(), "okr.db");
    let script = "\
/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice
/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31
/okr objective add team:Growth title:Enhance onboarding
/okr kr add objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:alice
/kpi add team:Growth name:response time unit:ms direction:lower max:300
/kpi add team:Growth name:conversion unit:percent min:7
/kpi set response time 240 ms
/kpi set conversion 6.4%
/okr clock advance:15m
/okr digest team:Growth
/kpi list
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
            "🟢 response time 240 ms · healthy: at most 300 ms",
            "KPI conversion is below its healthy range",
            "[Start an OKR] /kpi okr kpi:conversion",
        ],
    );
    let digest = &text[text.find("📬 digest").expect("a digest")..];
    let kpis = &digest[digest.find("KPIs").expect("a KPI section")..];
    let (conversion, response) = (
        kpis.find("conversion").expect("conversion"),
        kpis.find("response time").expect("response time"),
    );
    assert!(conversion < response, "out of range first: {kpis}");
}

#[tokio::test]
async fn kpis_travel_with_an_export_and_come_back_exactly_without_secrets() {
    let app = growth_with_conversion().await;
    let bob = app.user("bob");
    app.okr
        .kpi_set(&bob, "conversion", "7.4%", now())
        .await
        .unwrap();
    app.okr
        .kpi_set(&bob, "conversion", "6.4%", now())
        .await
        .unwrap();
    app.okr
        .kpi_okr(&app.admin, "conversion", now())
        .await
        .unwrap();
    app.okr
        .kpi_source(
            &app.admin,
            "conversion",
            "https://stats.example.com/api",
            Some("/data/rate"),
            None,
            Some("Authorization: Bearer s3cret"),
            now(),
        )
        .await
        .unwrap();
    app.okr.kpi_token(&app.admin, "conversion").await.unwrap();
    let doc = app.okr.export(&app.admin, now()).await.unwrap();
    let json = serde_json::to_string(&doc).unwrap();
    assert!(
        !json.contains("s3cret") && !json.contains("okr_"),
        "no secret leaves"
    );
    assert_eq!(doc.kpis.len(), 1);
    assert_eq!(doc.kpis[0].readings.len(), 2);
    assert_eq!(doc.kpis[0].followed_by, ["GRO-2.1"]);
    let fresh = app.other_workspace("console:globex", "globex").await;
    let summary = app.okr.import(&fresh, &doc, now()).await.expect("import");
    assert_eq!(summary.kpis, 1);
    let again = app.okr.export(&fresh, now()).await.unwrap();
    assert_eq!(again, doc);
    // The copy's key result still follows the copy's KPI.
    app.okr
        .kpi_set(&fresh, "conversion", "6.9%", now())
        .await
        .unwrap();
    assert_eq!(app.okr.kr(&fresh, "GRO-2.1").await.unwrap().current, 6.9);
}

#[tokio::test]
async fn a_bad_kpi_in_an_import_refuses_the_whole_file() {
    let app = growth_with_conversion().await;
    app.okr
        .kpi_set(&app.user("bob"), "conversion", "7.4%", now())
        .await
        .unwrap();
    let doc = app.okr.export(&app.admin, now()).await.unwrap();
    let fresh = app.other_workspace("console:globex", "globex").await;
    for (field, break_it) in [
        (
            "min",
            Box::new(|d: &mut okrbot::service::data::ExportDoc| d.kpis[0].max = Some(1.0))
                as Box<dyn Fn(&mut _)>,
        ),
        (
            "unit",
            Box::new(|d: &mut okrbot::service::data::ExportDoc| {
                d.kpis[0].unit = "parsecs of joy".into()
            }),
        ),
        (
            "readings[0].value",
            Box::new(|d: &mut okrbot::service::data::ExportDoc| {
                d.kpis[0].readings[0].value = f64::INFINITY
            }),
        ),
        (
            "team",
            Box::new(|d: &mut okrbot::service::data::ExportDoc| d.kpis[0].team = "Nope".into()),
        ),
    ] {
        let mut bad = doc.clone();
        break_it(&mut bad);
        let msg = refused_text!(app, app.okr.import(&fresh, &bad, now()));
        assert_mentions(
            &msg,
            &[
                &format!("kpis[0] (\"conversion\").{field}"),
                "nothing was imported",
            ],
        );
    }
}

#[tokio::test]
async fn the_workspace_rollup_lists_every_kpi_with_its_team_out_of_range_first() {
    use okrbot::command;
    use okrbot::domain::view::Reply;
    let app = growth_with_conversion().await;
    app.okr
        .kpi_add(
            &app.admin,
            KpiInput {
                team: "Growth".into(),
                name: "churn".into(),
                unit: Some("percent".into()),
                direction: Some("lower".into()),
                max: Some("3".into()),
                ..Default::default()
            },
            now(),
        )
        .await
        .expect("churn added");
    app.okr
        .kpi_set(&app.admin, "churn", "2.1%", now())
        .await
        .expect("churn read");
    app.okr
        .kpi_set(&app.admin, "conversion", "6.4%", now())
        .await
        .expect("conversion read");
    let reply = command::apply(
        &app.okr,
        &app.admin,
        ReportCommand::Rollup { cycle: None },
        now(),
    )
    .await
    .expect("the rollup");
    let Reply::Rollup {
        cycle,
        roots,
        kpis,
        now: at,
    } = reply
    else {
        panic!("a rollup reply");
    };
    let m = okrbot::render::digest::rollup_message(&cycle, &roots, &kpis, at);
    let block = m
        .blocks
        .iter()
        .find(|b| b.heading.as_deref() == Some("KPIs"))
        .expect("a KPI block in the rollup");
    assert_eq!(block.lines.len(), 2, "{:?}", block.lines);
    assert!(
        block.lines[0].starts_with("🔴 Growth/conversion 6.4%"),
        "out of range first, named with its team: {:?}",
        block.lines
    );
    assert!(
        block.lines[1].starts_with("🟢 Growth/churn 2.1%"),
        "{:?}",
        block.lines
    );
}

#[tokio::test]
async fn a_kpi_added_with_its_team_typed_in_another_case_is_told_with_the_teams_own_name() {
    use okrbot::command;
    let app = spawn_app().await;
    app.growth().await;
    let input = KpiInput {
        team: "GROWTH".into(),
        name: "売上 🚀 café".into(),
        unit: Some("JPY".into()),
        min: Some("7".into()),
        ..Default::default()
    };
    let reply = command::apply(&app.okr, &app.admin, KpiCommand::Add(input), now())
        .await
        .expect("added");
    let m = okrbot::render::reply::message(&reply, &okrbot::render::reply::PlainText);
    assert_eq!(m.title, "KPI 売上 🚀 café added to Growth");
}

/// The short form tries only runs of words short enough to be a name: 30,000 words used to take
/// 39 s inside the write lock (two reads per word), stalling every push meanwhile.
#[tokio::test]
async fn a_short_form_of_any_length_is_judged_quickly_and_rights_come_before_the_reading() {
    let app = growth_with_conversion().await;
    let words = "word ".repeat(30_000);
    let ten = std::time::Duration::from_secs(10);
    let (carol, bob) = (app.user("carol"), app.user("bob"));
    // Someone who may not record it is told so, whatever follows the name.
    let long = format!("conversion {words}");
    let msg = tokio::time::timeout(ten, app.okr.kpi_set(&carol, "", &long, now()))
        .await
        .expect("judged within 10 s")
        .expect_err("carol neither owns nor leads")
        .to_string();
    assert_mentions(&msg, &["record readings of conversion", "bob"]);
    // No KPI at the start: the first word is named, clipped, never the whole text.
    let nothing = format!("{} {words}", "x".repeat(200));
    let msg = tokio::time::timeout(ten, app.okr.kpi_set(&bob, "", &nothing, now()))
        .await
        .expect("judged within 10 s")
        .expect_err("no such KPI")
        .to_string();
    assert_mentions(&msg, &["the KPIs are conversion"]);
    assert!(msg.chars().count() < 1000, "{msg}");
    // The owner with a reading that is no number.
    let msg = tokio::time::timeout(ten, app.okr.kpi_set(&bob, "", &long, now()))
        .await
        .expect("judged within 10 s")
        .expect_err("not a number")
        .to_string();
    assert!(msg.chars().count() < 1000, "{msg}");
    assert_eq!(app.count("kpi_readings").await, 0);
    // And the short form still works.
    app.okr
        .kpi_set(&app.user("bob"), "", "conversion 6.4%", now())
        .await
        .expect("recorded");
    assert_eq!(app.count("kpi_readings").await, 1);
}

/// `/kpi withdraw` takes back a reading as if it had never been read: the KPI's value, its
/// alert and the key result that follows it; the reading stays listed as withdrawn.
#[tokio::test]
async fn a_withdrawn_reading_counts_for_nothing_and_stays_listed_as_withdrawn() {
    let app = growth_with_conversion().await;
    let bob = app.user("bob");
    let scheduler = okrbot::scheduler::Scheduler::new(app.okr.clone());
    let t = |minutes: i64| now() + chrono::Duration::minutes(minutes);
    app.okr
        .kpi_set(&bob, "conversion", "6.4%", t(0))
        .await
        .unwrap();
    app.okr
        .kpi_okr(&app.admin, "conversion", t(1))
        .await
        .unwrap();
    scheduler.decide(t(20)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 1);
    let typo = app
        .okr
        .kpi_set(&bob, "conversion", "74%", t(60))
        .await
        .unwrap();
    assert!(typo.resolved, "74% is in range");
    assert_eq!(
        app.okr.kr(&app.admin, "GRO-2.1").await.unwrap().current,
        74.0
    );

    // Neither someone else nor an unknown number; the author may.
    let carol = app.user("carol");
    let refused = refused_text!(
        app,
        app.okr
            .kpi_withdraw(&carol, "conversion", None, None, t(61))
    );
    assert_mentions(&refused, &["its author", "alice"]);
    let unknown = refused_text!(
        app,
        app.okr
            .kpi_withdraw(&bob, "conversion", Some("#999"), None, t(61))
    );
    assert_mentions(&unknown, &["#999", "/kpi show kpi:conversion"]);
    let not_a_number = refused_text!(
        app,
        app.okr
            .kpi_withdraw(&bob, "conversion", Some("latest"), None, t(61))
    );
    assert_mentions(
        &not_a_number,
        &["reading:latest is not a reading number", "reading:#41"],
    );
    let w = app
        .okr
        .kpi_withdraw(&bob, "conversion", None, Some("typo, meant 7.4%"), t(62))
        .await
        .unwrap();
    assert_eq!(w.reading.reading.value, 74.0);
    assert_eq!(w.kpi.latest.map(|(_, v)| v), Some(6.4));
    assert!(
        w.kpi.alerting,
        "6.4% is out of range again: the alert never ended"
    );
    assert_eq!(w.followers.len(), 1);
    assert_eq!(w.followers[0].current, 6.4);
    assert_eq!(
        app.okr.kr(&app.admin, "GRO-2.1").await.unwrap().current,
        6.4
    );
    let again = refused_text!(
        app,
        app.okr.kpi_withdraw(
            &bob,
            "conversion",
            Some(&format!("#{}", w.reading.id)),
            None,
            t(63)
        )
    );
    assert_mentions(&again, &["withdrawn already"]);

    // Nobody heard of the typo's "back in range".
    scheduler.decide(t(120)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiRecovered).await, 0);
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 1);
    let shown = app
        .okr
        .kpi_show(&app.admin, "conversion", now())
        .await
        .unwrap();
    let counted: Vec<f64> = shown.readings.iter().map(|r| r.value).collect();
    assert_eq!(counted, [6.4]);
    let said = okrbot::render::kpi::detail(&shown).blocks[1]
        .lines
        .join("\n");
    assert_mentions(
        &said,
        &[
            &format!("#{} ", w.reading.id),
            "74%",
            "withdrawn by bob: typo, meant 7.4%",
        ],
    );
}

/// A KPI that falls out of range again before its end was told keeps its one alert: the reading
/// says the alert is open, and no second alert is told.
#[tokio::test]
async fn falling_out_again_before_the_end_was_told_keeps_the_one_alert_open() {
    let app = growth_with_conversion().await;
    let bob = app.user("bob");
    let scheduler = okrbot::scheduler::Scheduler::new(app.okr.clone());
    let t = |minutes: i64| now() + chrono::Duration::minutes(minutes);
    app.okr
        .kpi_set(&bob, "conversion", "6.4%", t(0))
        .await
        .unwrap();
    scheduler.decide(t(20)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 1);
    let back = app
        .okr
        .kpi_set(&bob, "conversion", "7.2%", t(30))
        .await
        .unwrap();
    assert!(back.resolved && !back.kpi.alerting);
    let again = app
        .okr
        .kpi_set(&bob, "conversion", "6.9%", t(31))
        .await
        .unwrap();
    assert!(
        !again.alert_opened,
        "the told alert is taken back, not a new one"
    );
    assert!(again.kpi.alerting, "the reading says the alert is open");
    scheduler.decide(t(90)).await.unwrap();
    assert_eq!(deliveries(&app, DeliveryKind::KpiAlert).await, 1);
    assert_eq!(deliveries(&app, DeliveryKind::KpiRecovered).await, 0);
}
