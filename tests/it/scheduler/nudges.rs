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
    let got: Vec<(String, Vec<String>)> = reminders
        .iter()
        .map(|d| (d.recipient.key(), asked(&d.message)))
        .collect();
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
                &["GRO-1.3", "owner carol", "ignored 3 check-in prompts"],
            );
        }
        // alice and bob answer every Monday, so they are always prompted and never reported.
        assert!(prompted.iter().any(|d| d.recipient == user("alice")));
        let when = *monday + Duration::hours(1);
        check_in(&app, "alice", "GRO-1.1 60 c8", when).await;
        check_in(&app, "bob", "GRO-1.2 60 c8", when).await;
    }
}
