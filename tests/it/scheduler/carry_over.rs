//! Carry-over.

use super::*;

// ---------------------------------------------------------------------------------------------
// Carry-over
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_cycle_from_the_old_one_carries_unfinished_key_results_starting_where_they_stand() {
    let app = spawn_app().await;
    let when = at("2026-11-10T10:00:00Z");
    growth(&app, when).await;
    let done = objective(&app, "Growth", "Ship the pricing page", when).await;
    assert_eq!(done, "GRO-2");
    metric(&app, &done, "Pages shipped", "bob", when).await;
    check_in(&app, "alice", "GRO-1.1 60 c8", at("2026-12-20T10:00:00Z")).await;
    check_in(&app, "bob", "GRO-1.2 100 c9", at("2026-12-20T10:00:00Z")).await;
    check_in(&app, "bob", "GRO-2.1 100 c9", at("2026-12-20T10:00:00Z")).await;

    let carried = app
        .okr
        .cycle_new_from(
            &app.admin,
            "2027-Q1",
            date("2027-01-01"),
            date("2027-03-31"),
            "2026-Q4",
            at("2026-12-30T10:00:00Z"),
        )
        .await
        .expect("carry over");
    // GRO-1 has unfinished GRO-1.1 (60%) and GRO-1.3 (0%); GRO-1.2 is done; GRO-2 is all done.
    assert_eq!(
        carried.objectives,
        vec![("GRO-1".to_owned(), "GRO-3".to_owned())]
    );
    assert_eq!(carried.key_results, 2);

    let admin = &app.admin;
    let o = app.okr.objective(admin, "GRO-3").await.expect("GRO-3");
    assert_eq!(o.cycle_id, carried.cycle.id);
    let first = app.okr.kr(admin, "GRO-3.1").await.expect("GRO-3.1");
    assert_eq!(
        (first.title.as_str(), first.owner.as_deref()),
        ("Activation rate", Some("alice"))
    );
    assert_eq!(
        (first.start, first.current, first.target),
        (60.0, 60.0, 100.0)
    );
    let second = app.okr.kr(admin, "GRO-3.2").await.expect("GRO-3.2");
    assert_eq!(second.title, "Guided setup adoption");
    assert_eq!((second.start, second.current), (0.0, 0.0));
    assert!(app.okr.kr(admin, "GRO-3.3").await.is_err());
    assert!(app.okr.objective(admin, "GRO-4").await.is_err());
}

#[tokio::test]
async fn two_schedulers_delivering_at_the_same_instant_send_each_delivery_once() {
    // A long-running `okrbot schedule run` and a `schedule run --once` (or two replicas) may
    // tick together. Deciding is guarded (the schedule only moves on for one of them); the
    // sending half must not hand the same ledger row to the outbox twice either. Ten rounds,
    // each with its own Monday's prompts, so a race that slips through once is caught.
    let app = spawn_app().await;
    growth(&app, at("2026-10-03T12:00:00Z")).await;
    let outbox = RecordingOutbox::new();
    // Mondays noon UTC: the 09:00 Berlin prompt of that day is due (and within 24 hours).
    let mut monday = at("2026-10-05T12:00:00Z");
    for _ in 0..10 {
        let (a, b) = (
            Scheduler::new(app.okr.clone()),
            Scheduler::new(app.okr.clone()),
        );
        a.decide(monday).await.expect("decide");
        let (x, y) = tokio::join!(
            a.dispatcher().deliver(monday, &outbox),
            b.dispatcher().deliver(monday, &outbox)
        );
        x.expect("deliver a");
        y.expect("deliver b");
        monday += Duration::weeks(1);
    }
    let mut per_id: BTreeMap<i64, usize> = BTreeMap::new();
    for d in outbox.sent() {
        *per_id.entry(d.id).or_default() += 1;
    }
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "ledger rows handed to the outbox more than once (id, times): {twice:?}"
    );
}

#[tokio::test]
async fn an_owner_reported_to_the_lead_gets_no_reminder_that_week_even_when_nobody_else_was_prompted(
) {
    // alice and bob check in every Saturday, so they are never prompted (checked in within 3
    // days of Monday); carol never answers: prompted on 3 Mondays, then her lead is told.
    // In the 4th week carol was not prompted, so there is no prompt to remind her of, exactly
    // as in a week where her teammates were prompted (see the quarter test).
    let app = spawn_app().await;
    let setup_at = at("2026-10-31T12:00:00Z");
    growth(&app, setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let mut saturday = at("2026-10-31T12:30:00Z");
    let mut weeks = Vec::new();
    for _ in 0..4 {
        check_in(&app, "alice", "GRO-1.1 60 c8", saturday).await;
        check_in(&app, "bob", "GRO-1.2 60 c8", saturday).await;
        let week = sim.run_until(saturday + Duration::days(7)).await;
        let kinds: Vec<(&str, String)> = week
            .iter()
            .filter(|d| {
                matches!(
                    d.kind,
                    DeliveryKind::Prompt | DeliveryKind::Reminder | DeliveryKind::LeadReport
                )
            })
            .map(|d| (d.kind.as_str(), d.recipient.key()))
            .collect();
        weeks.push(kinds);
        saturday += Duration::days(7);
    }
    let carol = || "user:carol".to_owned();
    let nudged = || vec![("prompt", carol()), ("reminder", carol())];
    assert_eq!(
        weeks,
        vec![
            nudged(),
            nudged(),
            nudged(),
            vec![("lead_report", "user:lena".to_owned())],
        ]
    );
}
