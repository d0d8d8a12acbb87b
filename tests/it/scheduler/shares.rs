//! Shared objectives (`docs/scoring.md`, "Shared objectives"): one objective pursued by several
//! teams. It shows in each contributing team's status, digest and prompts, marked shared with
//! its home team; a contributing team carries the key results its members own, asks for them in
//! its own prompts, and nobody is asked twice.

use super::*;
use okrbot::render::reply::{message, PlainText};
use okrbot::service::shares::ObjectiveShared;

async fn share(app: &TestApp, who: &Actor, code: &str, team: &str, yes: bool) -> ObjectiveShared {
    app.okr
        .objective_share(who, code, team, yes, at("2026-11-09T12:00:00Z"))
        .await
        .unwrap_or_else(|e| panic!("share {code} with {team}: {e}"))
}

async fn carried_kr(
    app: &TestApp,
    who: &Actor,
    team: Option<&str>,
    title: &str,
    owner: &str,
) -> Result<String, okrbot::service::OkrError> {
    app.okr
        .kr_add(
            who,
            KrInput {
                objective: "SUP-1".into(),
                title: title.into(),
                kind: Some("metric".into()),
                unit: Some("count".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(owner.into()),
                team: team.map(Into::into),
                ..Default::default()
            },
            at("2026-11-09T12:00:00Z"),
        )
        .await
        .map(|k| k.code)
}

/// Support (Berlin, lead sam) owns SUP-1 "Answer every ticket within a day" (owner sara) with
/// SUP-1.1 (sara); Engineering (New York, lead eli) exists too. Set up on 2026-11-09.
async fn support_and_engineering(app: &TestApp) {
    let when = at("2026-11-09T12:00:00Z");
    team(app, "Support", "Europe/Berlin", "SUP", "sam", when).await;
    team(app, "Engineering", "America/New_York", "ENG", "eli", when).await;
    q4(app, when).await;
    app.okr
        .objective_add(
            &app.admin,
            ObjectiveInput {
                team: "Support".into(),
                title: "Answer every ticket within a day".into(),
                owner: Some("sara".into()),
                ..Default::default()
            },
            when,
        )
        .await
        .expect("SUP-1");
    metric(app, "SUP-1", "Tickets answered within a day", "sara", when).await;
}

fn status_text(app: &TestApp, report: okrbot::domain::view::StatusReport) -> String {
    let _ = app;
    text(&message(
        &okrbot::domain::view::Reply::Status(report),
        &PlainText,
    ))
}

#[tokio::test]
async fn a_shared_objective_shows_in_the_contributing_teams_status_digest_and_prompts() {
    let app = spawn_app().await;
    support_and_engineering(&app).await;
    // Its owner shares it; Engineering's lead adds the key result Engineering carries.
    let shared = share(&app, &person(&app, "sara"), "SUP-1", "engineering", true).await;
    assert!(shared.changed);
    assert_eq!(shared.with, ["Engineering"]);
    let eli = person(&app, "eli");
    let code = carried_kr(
        &app,
        &eli,
        Some("Engineering"),
        "Self-serve fixes shipped",
        "eve",
    )
    .await
    .expect("Engineering's lead adds the key result it carries");
    assert_eq!(code, "SUP-1.2");

    let when = at("2026-11-09T15:00:00Z");
    let eng = app
        .okr
        .status(&app.admin, StatusScope::Team("Engineering".into()), when)
        .await
        .expect("status");
    let said = status_text(&app, eng);
    assert_mentions(
        &said,
        &[
            "SUP-1 Answer every ticket within a day",
            "shared by Support",
            "SUP-1.1 Tickets answered within a day",
            "SUP-1.2 Self-serve fixes shipped",
        ],
    );
    let sup = app
        .okr
        .status(&app.admin, StatusScope::Team("Support".into()), when)
        .await
        .expect("status");
    assert_mentions(&status_text(&app, sup), &["shared with Engineering"]);

    // Monday: eve is asked by Engineering at 09:00 New York, sara by Support at 09:00 Berlin,
    // each for the key result their team carries, once.
    let mut sim = Sim::new(&app.okr, when);
    let sent = sim.run_until(at("2026-11-16T15:00:00Z")).await;
    // (Engineering's first Monday, 09:00 New York, fell after the set-up: it asked eve then.)
    let monday = at("2026-11-16T00:00:00Z");
    let prompts: Vec<&Delivery> = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .filter(|d| d.slot >= monday)
        .collect();
    let eve: Vec<&&Delivery> = prompts
        .iter()
        .filter(|d| d.recipient == user("eve"))
        .collect();
    assert_eq!(eve.len(), 1, "{prompts:?}");
    assert_eq!(asked(&eve[0].message), ["SUP-1.2"]);
    assert_eq!(eve[0].team_tz, chrono_tz::America::New_York);
    assert_mentions(
        &text(&eve[0].message),
        &[
            "Weekly check-in for Engineering",
            "SUP-1 · shared by Support",
        ],
    );
    let sara: Vec<&&Delivery> = prompts
        .iter()
        .filter(|d| d.recipient == user("sara"))
        .collect();
    assert_eq!(sara.len(), 1, "{prompts:?}");
    assert_eq!(asked(&sara[0].message), ["SUP-1.1"]);
    assert_each_once(&sim.log);
    // Engineering's digest shows the shared objective, and eve owes its key result.
    let digest = app
        .okr
        .digest_now(&eli, "Engineering", at("2026-11-16T20:00:00Z"))
        .await
        .expect("digest");
    assert_mentions(
        &text(&digest),
        &[
            "SUP-1 Answer every ticket within a day",
            "shared by Support",
            "eve: SUP-1.2",
        ],
    );
    // Support's digest says whom it shares with, and does not ask eve: Engineering does.
    let home = app
        .okr
        .digest_now(&person(&app, "sam"), "Support", at("2026-11-16T20:00:00Z"))
        .await
        .expect("digest");
    assert_mentions(&text(&home), &["shared with Engineering", "sara: SUP-1.1"]);
    assert!(!text(&home).contains("eve: "), "{}", text(&home));
    // eve checks it in; Engineering's lead may too, as the team that carries it.
    check_in(&app, "eve", "SUP-1.2 20", at("2026-11-17T14:00:00Z")).await;
    check_in(&app, "eli", "SUP-1.2 25", at("2026-11-17T15:00:00Z")).await;
}

#[tokio::test]
async fn sharing_is_for_the_owner_or_the_home_lead_and_bad_input_writes_nothing() {
    let app = spawn_app().await;
    support_and_engineering(&app).await;
    team(
        &app,
        "Platform",
        "Europe/Berlin",
        "PLA",
        "pat",
        at("2026-11-09T12:00:00Z"),
    )
    .await;
    let before = app.rows().await;
    let refused =
        |r: Result<ObjectiveShared, okrbot::service::OkrError>| r.expect_err("refused").to_string();
    let when = at("2026-11-09T12:00:00Z");
    let eve = person(&app, "eve");
    assert_mentions(
        &refused(
            app.okr
                .objective_share(&eve, "SUP-1", "Engineering", true, when)
                .await,
        ),
        &["change whom SUP-1 is shared with", "sara", "sam"],
    );
    assert_mentions(
        &refused(
            app.okr
                .objective_share(&app.admin, "SUP-1", "support", true, when)
                .await,
        ),
        &["is Support's own objective"],
    );
    assert_mentions(
        &refused(
            app.okr
                .objective_share(&app.admin, "SUP-1", "Sales", true, when)
                .await,
        ),
        &["Sales"],
    );
    assert_mentions(
        &refused(
            app.okr
                .objective_share(&app.admin, "SUP-1", " ", true, when)
                .await,
        ),
        &["name the team"],
    );
    assert_mentions(
        &refused(
            app.okr
                .objective_share(&app.admin, "SUP-1", "Engineering", false, when)
                .await,
        ),
        &["SUP-1 is not shared with Engineering"],
    );
    // A key result for a team it is not shared with, or by a lead of neither team.
    let e = carried_kr(&app, &app.admin, Some("Engineering"), "Fixes", "eve")
        .await
        .expect_err("not shared yet");
    assert_mentions(&e.to_string(), &["SUP-1 is not shared with Engineering"]);
    assert_eq!(app.rows().await, before, "nothing written");

    // The home team's lead shares it; twice is once.
    let sam = person(&app, "sam");
    assert!(
        share(&app, &sam, "SUP-1", "Engineering", true)
            .await
            .changed
    );
    assert!(
        !share(&app, &sam, "SUP-1", "Engineering", true)
            .await
            .changed
    );
    let e = carried_kr(
        &app,
        &person(&app, "pat"),
        Some("Engineering"),
        "Fixes",
        "eve",
    )
    .await
    .expect_err("pat leads neither");
    assert_mentions(&e.to_string(), &["add key results"]);
    let e = carried_kr(&app, &person(&app, "eli"), None, "Fixes", "eve")
        .await
        .expect_err("eli adds only what Engineering carries");
    assert_mentions(&e.to_string(), &["add key results"]);
    carried_kr(
        &app,
        &person(&app, "eli"),
        Some("Engineering"),
        "Fixes",
        "eve",
    )
    .await
    .expect("carried by Engineering");
    // Unsharing hands the key results Engineering carried back to Support.
    let back = share(&app, &sam, "SUP-1", "Engineering", false).await;
    assert_eq!(back.returned, ["SUP-1.2"]);
    assert!(back.with.is_empty());
    let kr = app.okr.kr(&app.admin, "SUP-1.2").await.expect("SUP-1.2");
    assert_eq!(kr.carried_by, None);
    let said = message(
        &okrbot::domain::view::Reply::ObjectiveShared(back),
        &PlainText,
    );
    assert_mentions(
        &text(&said),
        &[
            "no longer shared with Engineering",
            "back with Support: SUP-1.2",
        ],
    );
}
