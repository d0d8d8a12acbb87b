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

/// Cross-process wake with a leader: process B, standing by, records a check-in that turns a key
/// result red; leader A, asleep with nothing due for an hour on a clock that never moves,
/// decides the alert at once. On PostgreSQL within 1 s (a NOTIFY from the check-in's trigger);
/// on SQLite, where each process leads, within the file's change counter's 1 s poll and a bit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_through_the_standby_is_decided_by_the_leader_at_once() {
    let app = spawn_app().await;
    let typed_at = at("2026-11-13T10:00:00Z");
    growth(&app, at("2026-11-02T09:00:00Z")).await;
    let b = Okr::new(
        Store::open(&app.database_url).await.expect("opens"),
        &okrbot::config::Config::default(),
    );
    let lead = |okr: Okr| async move {
        okrbot::leadership::Leadership::start(
            okr.store(),
            okrbot::store::leader::Role::Scheduler,
            std::time::Duration::from_millis(100),
            okr.metrics_handle(),
            |_| {},
        )
        .await
    };
    let (la, lb) = (lead(app.okr.clone()).await, lead(b.clone()).await);
    let postgres = app.okr.store().pg_pool().is_some();
    assert!(la.is_leader());
    assert_eq!(lb.is_leader(), !postgres);
    let clock = okrbot::clock::ManualClock::new(typed_at + chrono::Duration::minutes(20));
    let platform = RecordingOutbox::new();
    let watched = platform.clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let leader = Scheduler::new(app.okr.clone()).led_by(la.clone());
    let standby = Scheduler::new(b.clone()).led_by(lb.clone());
    let stop = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let (c1, c2, p1, p2) = (
        clock.clone(),
        clock.clone(),
        platform.clone(),
        platform.clone(),
    );
    let (s1, s2) = (stop(stop_rx.clone()), stop(stop_rx.clone()));
    let ra = tokio::spawn(async move { leader.run(&c1, &p1, s1).await });
    let rb = tokio::spawn(async move { standby.run(&c2, &p2, s2).await });
    // Both have had their first round and sleep.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(watched.sent().iter().all(|d| d.kind != DeliveryKind::Alert));
    b.check_in_text(
        &person(&app, "alice"),
        "GRO-1.1 1 c1",
        CheckInSource::Text,
        None,
        typed_at,
    )
    .await
    .expect("the check-in through B");
    let recorded = std::time::Instant::now();
    while !watched.sent().iter().any(|d| d.kind == DeliveryKind::Alert) {
        assert!(
            recorded.elapsed() < std::time::Duration::from_secs(10),
            "no alert within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let took = recorded.elapsed();
    let _ = stop_tx.send(true);
    let _ = tokio::join!(ra, rb);
    eprintln!("the alert came {took:?} after the check-in through the other process");
    let within = if postgres {
        std::time::Duration::from_secs(1)
    } else {
        std::time::Duration::from_secs(3)
    };
    assert!(took < within, "took {took:?}");
    let alerts = watched
        .sent()
        .into_iter()
        .filter(|d| d.kind == DeliveryKind::Alert)
        .count();
    assert_eq!(alerts, 1, "decided once");
    assert_eq!(
        lb.is_leader(),
        !postgres,
        "B stood by throughout on PostgreSQL"
    );
}
