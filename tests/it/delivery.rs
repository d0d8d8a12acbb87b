//! The dispatcher: one recipient's failures never hold back another's, and a delivery that keeps
//! failing is retried on its own schedule until it ends `failed`, counted and kept in the ledger.

use std::sync::Mutex;
use std::time::Duration as StdDuration;

use chrono::Duration;
use okrbot::outbox::{Delivery, Outbox, Recipient, RecordingOutbox, SendError, Sent};
use okrbot::scheduler::Scheduler;

use crate::common::{at, spawn_app, TestApp};

/// Delivers like the recording outbox, except to one person, whose platform keeps saying
/// "later".
struct Flaky {
    down: Recipient,
    inner: RecordingOutbox,
    refused: Mutex<usize>,
}

impl Flaky {
    fn failing_for(user: &str) -> Flaky {
        Flaky {
            down: Recipient::User(user.into()),
            inner: RecordingOutbox::new(),
            refused: Mutex::new(0),
        }
    }
}

impl Outbox for Flaky {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        if d.recipient == self.down {
            *self.refused.lock().unwrap() += 1;
            return Err(SendError::Retry(StdDuration::from_secs(1)));
        }
        self.inner.send(d).await
    }
}

/// `(state, attempts, last_error)` of the prompt to `user`.
async fn prompt_row(app: &TestApp, user: &str) -> (String, i64, Option<String>) {
    crate::backend::raw!(app.okr.store(), |db| sqlx::query_as(
        "SELECT state, attempts, last_error FROM deliveries WHERE kind = 'prompt' AND recipient = $1",
    )
    .bind(format!("user:{user}"))
    .fetch_one(db).await)
    .expect("the prompt's row")
}

/// Monday 09:00 in Berlin, the first prompt slot after the Growth team is set up.
fn monday() -> chrono::DateTime<chrono::Utc> {
    at("2026-11-23T08:00:00Z")
}

#[tokio::test]
async fn one_failing_recipient_never_holds_back_the_others() {
    let app = spawn_app().await;
    app.growth().await;
    let scheduler = Scheduler::new(app.okr.clone());
    scheduler.decide(monday()).await.expect("decide");
    let outbox = Flaky::failing_for("bob");

    let round = scheduler
        .dispatcher()
        .deliver(monday(), &outbox)
        .await
        .expect("deliver");
    assert_eq!((round.retried, round.failed), (1, 0), "{round:?}");
    let to: Vec<Recipient> = outbox
        .inner
        .sent()
        .into_iter()
        .map(|d| d.recipient)
        .collect();
    assert!(to.contains(&Recipient::User("alice".into())), "{to:?}");
    assert!(to.contains(&Recipient::User("carol".into())), "{to:?}");

    // Bob's prompt waits for its own next attempt instead of being hammered every second.
    let again = scheduler
        .dispatcher()
        .deliver(monday(), &outbox)
        .await
        .expect("deliver again");
    assert_eq!(
        again,
        Default::default(),
        "nothing is owed before the retry time"
    );
    let (state, attempts, error) = prompt_row(&app, "bob").await;
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    assert!(error.is_some_and(|e| e.contains("retry")));
    let next = scheduler
        .next_wake()
        .await
        .expect("next wake")
        .expect("a wake");
    assert!(
        next > monday() && next <= monday() + Duration::seconds(5),
        "{next}"
    );
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_ends_failed_and_is_counted() {
    let app = spawn_app().await;
    app.growth().await;
    let scheduler = Scheduler::new(app.okr.clone());
    scheduler.decide(monday()).await.expect("decide");
    let outbox = Flaky::failing_for("bob");

    let mut now = monday();
    let mut failed = 0;
    while now < monday() + Duration::hours(30) {
        failed += scheduler
            .dispatcher()
            .deliver(now, &outbox)
            .await
            .expect("deliver")
            .failed;
        now += Duration::minutes(10);
    }
    assert_eq!(failed, 1, "given up once, and counted");
    let (state, attempts, error) = prompt_row(&app, "bob").await;
    assert_eq!(state, "failed");
    assert!((2..=12).contains(&attempts), "{attempts} attempts");
    assert_eq!(*outbox.refused.lock().unwrap(), attempts as usize);
    assert!(error.is_some());
    let (alice, _, _) = prompt_row(&app, "alice").await;
    assert_eq!(alice, "sent");
}

/// A process killed between sending and marking sent leaves a claim behind. It runs out, and
/// whichever process delivers next sends the row again under the same id (the platform nonce),
/// so it arrives once: the console, which never restarts a scheduler, included.
#[tokio::test]
async fn a_claim_left_by_a_killed_process_runs_out_and_the_row_is_sent_again_with_its_id() {
    let app = spawn_app().await;
    app.growth().await;
    let scheduler = Scheduler::new(app.okr.clone());
    scheduler.decide(monday()).await.expect("decide");
    let alice: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE kind = 'prompt' AND recipient = 'user:alice'",
    )
    .fetch_one(db)
    .await)
    .expect("alice's prompt");
    // The killed process had claimed it (and perhaps sent it) when it died.
    {
        let mut c = app.okr.store().read().await.expect("a connection");
        let claimed = okrbot::store::deliveries::claim(
            &mut c,
            alice,
            "a killed process",
            monday(),
            okrbot::delivery::CLAIM,
        )
        .await
        .expect("claim");
        assert!(claimed);
    }
    // A second process starting meanwhile leaves the live claim alone: its holder may be
    // sending that row right now (freeing every claim at start is how posts went out twice).
    let live = monday() + okrbot::delivery::CLAIM / 2;
    Scheduler::new(app.okr.clone())
        .take_over(live)
        .await
        .expect("take over");
    let outbox = RecordingOutbox::new();
    scheduler
        .dispatcher()
        .deliver(live, &outbox)
        .await
        .expect("deliver");
    let ids = |o: &RecordingOutbox| -> Vec<i64> { o.sent().iter().map(|d| d.id).collect() };
    assert!(!ids(&outbox).contains(&alice), "a live claim is respected");
    let wake = scheduler
        .next_wake()
        .await
        .expect("next wake")
        .expect("a wake");
    assert!(wake > live, "no busy loop on a held claim: {wake}");

    scheduler
        .dispatcher()
        .deliver(monday() + okrbot::delivery::CLAIM, &outbox)
        .await
        .expect("deliver after the claim ran out");
    assert_eq!(
        ids(&outbox).iter().filter(|id| **id == alice).count(),
        1,
        "sent again once, under its own id"
    );
    let (state, _, _) = prompt_row(&app, "alice").await;
    assert_eq!(state, "sent");
}

/// A claim is a lease with a holder: a process settles or gives back only what it holds, a
/// live claim of another process is left alone, and a lease that ran out is anyone's; the
/// process whose lease ran out cannot then settle the row under its new holder.
#[tokio::test]
async fn a_process_settles_and_gives_back_only_the_claims_it_holds() {
    use okrbot::store::deliveries::{claim, mark, retry_later, Settled};
    let app = spawn_app().await;
    app.growth().await;
    Scheduler::new(app.okr.clone())
        .decide(monday())
        .await
        .expect("decide");
    let alice: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE kind = 'prompt' AND recipient = 'user:alice'",
    )
    .fetch_one(db)
    .await)
    .expect("alice's prompt");
    let row = || async {
        crate::backend::raw!(app.okr.store(), |db| sqlx::query_as::<
            _,
            (String, bool, Option<String>, i64),
        >(
            "SELECT state, claimed, claimed_by, attempts FROM deliveries WHERE id = $1",
        )
        .bind(alice)
        .fetch_one(db)
        .await)
        .expect("the row")
    };
    let lease = okrbot::delivery::CLAIM;
    let mut c = app.okr.store().read().await.expect("a connection");
    assert!(claim(&mut c, alice, "a", monday(), lease).await.unwrap());
    assert!(
        !claim(&mut c, alice, "b", monday(), lease).await.unwrap(),
        "a live lease is not taken"
    );
    let later = monday() + lease / 2;
    assert!(
        !retry_later(&mut c, alice, "b", 1, later, "b failed", later)
            .await
            .unwrap()
    );
    assert!(
        !mark(&mut c, alice, "b", Settled::Sent, Some("1"), None, later)
            .await
            .unwrap()
    );
    assert_eq!(
        row().await,
        ("pending".into(), true, Some("a".into()), 0),
        "b wrote nothing over a's claim"
    );

    // a's lease runs out; b takes the row over, and a's late answer is b's to settle now.
    let expired = monday() + lease;
    assert!(claim(&mut c, alice, "b", expired, lease).await.unwrap());
    assert!(
        !mark(&mut c, alice, "a", Settled::Sent, Some("2"), None, expired)
            .await
            .unwrap()
    );
    assert_eq!(row().await, ("pending".into(), true, Some("b".into()), 0));
    assert!(
        retry_later(&mut c, alice, "b", 1, expired, "retry", expired)
            .await
            .unwrap()
    );
    assert_eq!(
        row().await,
        ("pending".into(), false, None, 1),
        "given back by its holder"
    );
    assert!(claim(&mut c, alice, "a", expired, lease).await.unwrap());
    assert!(
        mark(&mut c, alice, "a", Settled::Sent, Some("3"), None, expired)
            .await
            .unwrap()
    );
    assert_eq!(row().await, ("sent".into(), false, None, 1));
}

/// A claim lives as long as its holder renews it: a living process's claim outlasts the lease
/// (a long send is not taken from it), and once it stops renewing (killed) the row is anyone's
/// within one lease, not minutes later, so the resend stays inside Discord's nonce window.
#[tokio::test]
async fn a_claim_lives_while_its_holder_renews_it_and_runs_out_a_lease_after_it_stops() {
    use okrbot::delivery::CLAIM;
    use okrbot::store::deliveries::claim;
    let app = spawn_app().await;
    app.growth().await;
    let living = Scheduler::new(app.okr.clone());
    living.decide(monday()).await.expect("decide");
    let alice: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE kind = 'prompt' AND recipient = 'user:alice'",
    )
    .fetch_one(db)
    .await)
    .expect("alice's prompt");
    let holder = living.dispatcher().holder().to_owned();
    let mut c = app.okr.store().read().await.expect("a connection");
    assert!(claim(&mut c, alice, &holder, monday(), CLAIM)
        .await
        .unwrap());
    // Renewed two thirds of the way through its lease, as `Scheduler::run` does.
    let renewed_at = monday() + CLAIM * 2 / 3;
    assert_eq!(
        living.dispatcher().renew_claims(renewed_at).await.unwrap(),
        1
    );
    let past_the_first_lease = monday() + CLAIM + chrono::Duration::seconds(1);
    assert!(
        !claim(
            &mut c,
            alice,
            "another process",
            past_the_first_lease,
            CLAIM
        )
        .await
        .unwrap(),
        "a renewed claim is not taken when its first lease would have run out"
    );
    // The holder stops renewing: one lease after its last renewal the row is free.
    assert!(
        claim(&mut c, alice, "another process", renewed_at + CLAIM, CLAIM)
            .await
            .unwrap(),
        "the claim ran out a lease after its last renewal"
    );
    // Renewing renews only what the process still holds.
    assert_eq!(
        living
            .dispatcher()
            .renew_claims(renewed_at + CLAIM)
            .await
            .unwrap(),
        0
    );
}
