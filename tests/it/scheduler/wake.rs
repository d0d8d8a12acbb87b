//! Wake-ups across processes: a scheduler asleep until its next due time hears of a change
//! another process committed, on either backend.

use super::*;

/// A check-in recorded by another process (another `Okr` on the same database, as a second
/// okrbot or `okrbot console` would be) turns a key result red while this process's scheduler
/// sleeps with nothing due for an hour. The alert it makes due is decided and sent within
/// seconds, though this scheduler's clock never moves: only the wake-up from the database can
/// have woken it (PostgreSQL: NOTIFY from a trigger; SQLite: the file's change counter, read
/// every second).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_recorded_by_another_process_wakes_the_sleeping_scheduler() {
    let app = spawn_app().await;
    // Friday 2026-11-13, 11:00 in Berlin: within Growth's working hours.
    let typed_at = at("2026-11-13T10:00:00Z");
    growth(&app, at("2026-11-02T09:00:00Z")).await;
    let clock = okrbot::clock::ManualClock::new(typed_at + Duration::minutes(20));
    let outbox = RecordingOutbox::new();
    let watched = outbox.clone();
    let alerted = std::sync::Arc::new(std::sync::OnceLock::new());
    let seen = alerted.clone();
    let scheduler = Scheduler::new(app.okr.clone());
    let running = scheduler.run(&clock, &outbox, async move {
        while !watched.sent().iter().any(|d| d.kind == DeliveryKind::Alert) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let _ = seen.set(std::time::Instant::now());
    });
    let other_process = async {
        // The scheduler's first round is done and it sleeps.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let b = Okr::new(
            Store::open(&app.database_url).await.expect("opens"),
            &okrbot::config::Config::default(),
        );
        b.check_in_text(
            &person(&app, "alice"),
            "GRO-1.1 1 c1",
            CheckInSource::Text,
            None,
            typed_at,
        )
        .await
        .expect("the check-in");
        std::time::Instant::now()
    };
    let within = std::time::Duration::from_secs(10);
    let ((), recorded) =
        tokio::time::timeout(within, async { tokio::join!(running, other_process) })
            .await
            .unwrap_or_else(|_| panic!("no alert within {within:?}: {:?}", outbox.sent()));
    let took = alerted.get().expect("seen").duration_since(recorded);
    assert!(
        took < std::time::Duration::from_secs(3),
        "the alert came {took:?} after the other process's check-in"
    );
    let alerts: Vec<_> = outbox
        .sent()
        .into_iter()
        .filter(|d| d.kind == DeliveryKind::Alert)
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_mentions(&text(&alerts[0].message), &["GRO-1.1", "@alice"]);
}
