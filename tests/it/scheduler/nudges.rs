//! Nudges follow the data.

use super::*;

// ---------------------------------------------------------------------------------------------
// Nudges follow the data
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_prompt_leaves_out_a_key_result_checked_in_within_the_last_3_days() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-05T12:00:00Z");
    growth(&app, setup_at).await;
    let second = metric(&app, "GRO-1", "Activation speed", "alice", setup_at).await;
    assert_eq!(second, "GRO-1.4");
    // GRO-1.1 on Thursday (4 days before the prompt), GRO-1.4 on Saturday (2 days before).
    check_in(&app, "alice", "GRO-1.1 50 c8", at("2026-11-12T07:00:00Z")).await;
    check_in(&app, "alice", "GRO-1.4 50 c8", at("2026-11-14T08:00:00Z")).await;

    let mut sim = Sim::new(&app.okr, at("2026-11-15T12:00:00Z"));
    let sent = sim.run_until(at("2026-11-16T08:00:00Z")).await;
    let prompts = of_kind(&sent, DeliveryKind::Prompt);
    let to_alice: Vec<_> = prompts
        .iter()
        .filter(|d| d.recipient == user("alice"))
        .collect();
    assert_eq!(to_alice.len(), 1, "one prompt per owner");
    assert_eq!(asked(&to_alice[0].message), vec!["GRO-1.1"]);
    assert_eq!(
        to_alice[0].message.title,
        "Weekly check-in for Growth: 1 key result"
    );
}

#[tokio::test]
async fn reminders_go_only_to_owners_not_checked_in_since_the_prompt_and_never_for_a_fresh_green_key_result(
) {
    let app = spawn_app().await;
    let setup_at = at("2026-11-01T12:00:00Z");
    growth(&app, setup_at).await;
    metric(&app, "GRO-1", "Docs coverage", "dave", setup_at).await;
    // Around 2026-11-12 about 46% of the cycle has passed; 50 is on pace.
    check_in(&app, "alice", "GRO-1.1 50 c8", at("2026-11-12T10:00:00Z")).await;
    // bob: on pace and fresh on Wednesday (5 days 22 h old): never reminded.
    check_in(&app, "bob", "GRO-1.2 50 c8", at("2026-11-12T10:00:00Z")).await;
    // carol: on pace but 9 days 22 h old on Wednesday, more than a check-in period.
    check_in(&app, "carol", "GRO-1.3 50 c8", at("2026-11-08T10:00:00Z")).await;
    // dave: fresh but yellow (confidence 5).
    check_in(&app, "dave", "GRO-1.4 50 c5", at("2026-11-12T10:00:00Z")).await;

    let mut sim = Sim::new(&app.okr, at("2026-11-15T12:00:00Z"));
    let monday = sim.run_until(at("2026-11-16T08:00:00Z")).await;
    let mut prompted: Vec<String> = of_kind(&monday, DeliveryKind::Prompt)
        .iter()
        .map(|d| d.recipient.key())
        .collect();
    prompted.sort();
    assert_eq!(
        prompted,
        vec!["user:alice", "user:bob", "user:carol", "user:dave"]
    );
    // alice answers on Monday.
    check_in(&app, "alice", "GRO-1.1 52 c8", at("2026-11-16T09:00:00Z")).await;

    let week = sim.run_until(at("2026-11-18T08:00:00Z")).await;
    let reminders = of_kind(&week, DeliveryKind::Reminder);
    // Rows go out in several streams: order is kept per recipient only.
    let mut got: Vec<(String, Vec<String>)> = reminders
        .iter()
        .map(|d| (d.recipient.key(), asked(&d.message)))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("user:carol".to_owned(), vec!["GRO-1.3".to_owned()]),
            ("user:dave".to_owned(), vec!["GRO-1.4".to_owned()]),
        ]
    );
    assert!(reminders
        .iter()
        .all(|d| d.slot == at("2026-11-18T08:00:00Z")));
}

#[tokio::test]
async fn after_3_ignored_prompts_the_4th_monday_reports_to_the_lead_instead_of_prompting_the_owner()
{
    let app = spawn_app().await;
    let setup_at = at("2026-11-01T12:00:00Z");
    growth(&app, setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let mondays = [
        at("2026-11-02T08:00:00Z"),
        at("2026-11-09T08:00:00Z"),
        at("2026-11-16T08:00:00Z"),
        at("2026-11-23T08:00:00Z"),
    ];
    for (i, monday) in mondays.iter().enumerate() {
        let sent = sim.run_until(*monday).await;
        let prompted: Vec<&Delivery> = of_kind(&sent, DeliveryKind::Prompt)
            .into_iter()
            .filter(|d| d.slot == *monday)
            .collect();
        let reports = of_kind(&sent, DeliveryKind::LeadReport);
        let carol_prompted = prompted.iter().any(|d| d.recipient == user("carol"));
        if i < 3 {
            assert!(carol_prompted, "prompt {} goes to carol", i + 1);
            assert!(reports.is_empty());
        } else {
            assert!(!carol_prompted, "no 4th prompt to carol: {prompted:?}");
            assert_eq!(reports.len(), 1, "{reports:?}");
            assert_eq!(reports[0].recipient, user("lena"));
            assert_eq!(reports[0].slot, *monday);
            assert_mentions(
                &text(&reports[0].message),
                &[
                    "GRO-1.3",
                    "owner carol",
                    "ignored 3 check-in prompts",
                    "asked again at the next one",
                ],
            );
            assert!(!text(&reports[0].message).contains("4th"));
        }
        // alice and bob answer every Monday, so they are always prompted and never reported.
        assert!(prompted.iter().any(|d| d.recipient == user("alice")));
        let when = *monday + Duration::hours(1);
        check_in(&app, "alice", "GRO-1.1 60 c8", when).await;
        check_in(&app, "bob", "GRO-1.2 60 c8", when).await;
    }
    // As the report says, carol is asked again the next Monday.
    let fifth = at("2026-11-30T08:00:00Z");
    let sent = sim.run_until(fifth).await;
    assert!(of_kind(&sent, DeliveryKind::Prompt)
        .iter()
        .any(|d| d.recipient == user("carol") && d.slot == fifth));
}

#[tokio::test]
async fn moving_the_prompt_or_the_zone_after_todays_prompt_prompts_nobody_twice_that_week() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-14T12:00:00Z")).await;
    let mut sim = Sim::new(&app.okr, at("2026-11-14T12:00:00Z"));
    // Monday 09:00 Berlin.
    let first = sim.run_until(at("2026-11-16T08:00:00Z")).await;
    assert_eq!(of_kind(&first, DeliveryKind::Prompt).len(), 3);
    // The lead moves the prompt to 11:00, then the team moves to New York (09:00 there is
    // 14:00Z): both new slots fall later the same day.
    let change = okrbot::service::schedule::ScheduleChange {
        prompt: Some("0 11 * * Mon".into()),
        ..Default::default()
    };
    app.okr
        .schedule_set(&app.admin, "Growth", change, at("2026-11-16T08:30:00Z"))
        .await
        .expect("moved");
    let same_day = sim.run_until(at("2026-11-16T11:00:00Z")).await;
    assert!(
        of_kind(&same_day, DeliveryKind::Prompt).is_empty(),
        "{same_day:?}"
    );
    app.okr
        .setup(
            &app.admin,
            SetupInput {
                team: "Growth".into(),
                timezone: Some("America/New_York".into()),
                ..Default::default()
            },
            at("2026-11-16T11:30:00Z"),
        )
        .await
        .expect("moved to New York");
    let evening = sim.run_until(at("2026-11-16T23:00:00Z")).await;
    assert!(
        of_kind(&evening, DeliveryKind::Prompt).is_empty(),
        "{evening:?}"
    );
    // The repeats never happened, so they count as nothing ignored.
    let ignored: Vec<i64> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT ignored_prompts FROM key_results ORDER BY id"
    )
    .fetch_all(db)
    .await)
    .unwrap();
    assert_eq!(ignored, [1, 1, 1]);
    // The next Monday, at the new time in the new zone, everyone is asked again.
    let next = sim.run_until(at("2026-11-23T16:00:00Z")).await;
    let prompts = of_kind(&next, DeliveryKind::Prompt);
    assert_eq!(prompts.len(), 3, "{next:?}");
    assert!(prompts.iter().all(|d| d.slot == at("2026-11-23T16:00:00Z")));
}
