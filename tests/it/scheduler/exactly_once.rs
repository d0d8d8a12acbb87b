//! Exactly once, restarts, crashes.

use super::*;

// ---------------------------------------------------------------------------------------------
// Exactly once, restarts, crashes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ticking_twice_at_the_same_instant_or_deciding_a_slot_again_sends_nothing_twice() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-14T12:00:00Z")).await;
    let mut sim = Sim::new(&app.okr, at("2026-11-14T12:00:00Z"));
    let slot = at("2026-11-16T08:00:00Z");
    let first = sim.run_until(slot).await;
    assert_eq!(of_kind(&first, DeliveryKind::Prompt).len(), 3);

    // The same instant again, by the same scheduler and by a second one.
    assert!(sim.tick_at(slot).await.is_empty());
    let other = Scheduler::new(app.okr.clone());
    let report = other.decide(slot).await.expect("decide");
    assert_eq!((report.fired, report.prompts), (0, 0));
    assert_eq!(
        other
            .dispatcher()
            .deliver(slot, &sim.outbox)
            .await
            .expect("deliver")
            .sent,
        0
    );

    // Decide the Monday prompt slot once more, as if the schedule had not moved on: the ledger
    // already holds it, so nothing new is decided or sent and no ignored prompt is counted.
    crate::backend::raw!(app.okr.store(), |db| sqlx::query(
        "UPDATE schedules SET next_due_at = $1 WHERE kind = 'prompt'"
    )
    .bind(slot.timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("rewind the prompt schedule");
    let report = other.decide(slot).await.expect("decide again");
    assert_eq!((report.fired, report.prompts), (1, 0));
    assert_eq!(
        other
            .dispatcher()
            .deliver(slot, &sim.outbox)
            .await
            .expect("deliver")
            .sent,
        0
    );
    assert!(sim.tick_at(slot).await.is_empty());
    assert!(sim.outbox.sent().is_empty());

    assert_each_once(&sim.log);
    let per_slot: Vec<i64> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries GROUP BY team_id, kind, recipient, slot",
    )
    .fetch_all(db)
    .await)
    .expect("ledger counts");
    assert!(per_slot.iter().all(|n| *n == 1), "{per_slot:?}");
    let ignored: Vec<i64> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT ignored_prompts FROM key_results ORDER BY id"
    )
    .fetch_all(db)
    .await)
    .expect("ignored counts");
    assert_eq!(ignored, vec![1, 1, 1]);
}

#[tokio::test]
async fn after_a_restart_23_hours_late_the_missed_monday_prompt_goes_out_once_for_its_slot() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-14T12:00:00Z")).await;
    let slot = at("2026-11-16T08:00:00Z");
    assert_eq!(next_due(&app.okr, "prompt").await, slot);

    // Down over Monday morning; back 23 hours after the prompt slot.
    let mut sim = Sim::new(&app.okr, slot + Duration::hours(23));
    let sent = sim.tick_at(slot + Duration::hours(23)).await;
    let prompts = of_kind(&sent, DeliveryKind::Prompt);
    assert_eq!(prompts.len(), 3, "{sent:?}");
    assert!(prompts.iter().all(|d| d.slot == slot));
    let mut to: Vec<&Recipient> = prompts.iter().map(|d| &d.recipient).collect();
    to.sort_by_key(|r| r.key());
    assert_eq!(to, vec![&user("alice"), &user("bob"), &user("carol")]);

    // Once: the next ticks of the week send no further prompt.
    let later = sim.run_until(at("2026-11-22T23:00:00Z")).await;
    assert!(of_kind(&later, DeliveryKind::Prompt).is_empty());
    assert_eq!(
        next_due(&app.okr, "prompt").await,
        at("2026-11-23T08:00:00Z")
    );
}

#[tokio::test]
async fn after_a_restart_25_hours_late_the_missed_prompt_is_skipped_and_the_next_monday_is_due() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-14T12:00:00Z")).await;
    let slot = at("2026-11-16T08:00:00Z");

    let back = slot + Duration::hours(25);
    let scheduler = Scheduler::new(app.okr.clone());
    let outbox = RecordingOutbox::new();
    let report = scheduler.tick(back, &outbox).await.expect("tick");
    let sent = outbox.take();
    assert!(of_kind(&sent, DeliveryKind::Prompt).is_empty(), "{sent:?}");
    assert_eq!(report.prompts, 0);
    assert_eq!(
        report.skipped_slots, 1,
        "the prompt slot is skipped: {report:?}"
    );
    // The digest of Monday 16:00 Berlin (15:00Z) is 18 h old: still sent, for its own slot.
    let digests = of_kind(&sent, DeliveryKind::Digest);
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].slot, at("2026-11-16T15:00:00Z"));

    let next_monday = at("2026-11-23T08:00:00Z");
    assert_eq!(next_due(&app.okr, "prompt").await, next_monday);
    let wake = scheduler.next_wake().await.expect("wake").expect("some");
    assert!(wake > back && wake <= next_monday, "next wake {wake}");

    // Walking on, the first prompt is the next Monday's.
    let mut sim = Sim::new(&app.okr, back);
    let later = sim.run_until(next_monday).await;
    let prompts = of_kind(&later, DeliveryKind::Prompt);
    assert_eq!(prompts.len(), 3);
    assert!(prompts.iter().all(|d| d.slot == next_monday));
}

#[tokio::test]
async fn a_crash_between_deciding_and_delivering_sends_every_pending_delivery_once_after_restart() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-14T12:00:00Z")).await;
    at_any_hour(&app, "Growth", at("2026-11-14T12:00:00Z")).await;
    let slot = at("2026-11-16T08:00:00Z");
    let mut sim = Sim::new(&app.okr, at("2026-11-14T12:00:00Z"));
    sim.run_until(slot - Duration::hours(1)).await;

    // Decide, then "crash" before delivering.
    let report = Scheduler::new(app.okr.clone())
        .decide(slot)
        .await
        .expect("decide");
    assert_eq!(report.prompts, 3);
    let pending: Vec<(String, String)> =
        crate::backend::raw!(app.okr.store(), |db| sqlx::query_as(
            "SELECT kind, recipient FROM deliveries WHERE state = 'pending' ORDER BY id",
        )
        .fetch_all(db)
        .await)
        .expect("pending rows");
    assert_eq!(pending.len(), 3, "{pending:?}");

    // A restart: a new store on the same file, a new service, a new scheduler.
    let store = Store::open(&app.database_url).await.expect("reopen");
    let okr = Okr::new(store, &okrbot::config::Config::default());
    let scheduler = Scheduler::new(okr.clone());
    let outbox = RecordingOutbox::new();
    assert_eq!(
        scheduler
            .dispatcher()
            .deliver(slot, &outbox)
            .await
            .expect("deliver")
            .sent,
        3
    );
    // Rows go out in several streams: order is kept per recipient only.
    let mut sent: Vec<(String, String)> = outbox
        .sent()
        .iter()
        .map(|d| (d.kind.as_str().to_owned(), d.recipient.key()))
        .collect();
    let mut pending = pending;
    sent.sort();
    pending.sort();
    assert_eq!(sent, pending);
    assert_eq!(
        scheduler
            .dispatcher()
            .deliver(slot, &outbox)
            .await
            .expect("again")
            .sent,
        0
    );
    scheduler.tick(slot, &outbox).await.expect("tick");
    assert_eq!(outbox.sent().len(), 3);
    assert!(ledger(&okr).await.iter().all(|r| r.3 == "sent"));
}

/// A stop is obeyed between rows: a scheduler told to stop as it starts, with Monday's prompts
/// due, decides none of them. It used to decide the whole backlog first and only then look at
/// the stop (SIGTERM ignored for as long as that took: 90 s and a SIGKILL with a large one).
#[tokio::test]
async fn a_stop_is_obeyed_between_rows_even_in_the_first_round() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-14T12:00:00Z")).await;
    let clock = okrbot::clock::ManualClock::new(at("2026-11-16T08:30:00Z"));
    let outbox = RecordingOutbox::new();
    Scheduler::new(app.okr.clone())
        .run(&clock, &outbox, std::future::ready(()))
        .await;
    assert!(ledger(&app.okr).await.is_empty(), "nothing decided");
    assert!(outbox.sent().is_empty());
    assert_eq!(
        next_due(&app.okr, "prompt").await,
        at("2026-11-16T08:00:00Z")
    );
    // The next start decides it, once.
    let mut sim = Sim::new(&app.okr, at("2026-11-16T08:30:00Z"));
    let sent = sim.tick_at(at("2026-11-16T08:30:00Z")).await;
    assert_eq!(of_kind(&sent, DeliveryKind::Prompt).len(), 3);
}
