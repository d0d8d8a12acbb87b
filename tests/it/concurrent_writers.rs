//! Writers at the same moment. SQLite runs one write transaction at a time; PostgreSQL runs them
//! side by side under READ COMMITTED, so every write that reads before it writes must be right
//! by a constraint or a row lock, not by being alone. These run many writers at once on either
//! backend and check what a lone writer would have left.

use std::sync::Arc;

use chrono::Duration;
use okrbot::domain::message::Message;
use okrbot::domain::model::{CheckInSource, TeamId};
use okrbot::outbox::{DeliveryKind, Recipient};
use okrbot::store::deliveries::{insert_in_free_second, NewDelivery};

use crate::common::{at, now, spawn_app};

/// Check-ins of one key result at once: each is in the history once, and the stored trend the
/// status scores from is the one the whole history gives (no writer summed over a trend
/// another had already replaced).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn check_ins_of_one_key_result_at_once_all_count_and_the_trend_loses_none() {
    let app = Arc::new(spawn_app().await);
    app.growth().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let line = format!("GRO-1.1 {}", 13.0 - f64::from(i) * 0.25);
            let when = now() + Duration::minutes(i64::from(i));
            app.okr
                .check_in_text(&app.admin, &line, CheckInSource::Text, None, when)
                .await
                .unwrap_or_else(|e| panic!("{line}: {e}"))
        }));
    }
    for t in tasks {
        t.await.expect("the check-in task");
    }
    let (_, history, _) = app.okr.history(&app.admin, "GRO-1.1").await.unwrap();
    assert_eq!(history.len(), 16, "every check-in is in the history once");
    crate::check_in_history::from_full_history(&app, now() + Duration::hours(1)).await;
}

/// One delivery arriving several times at once (a retried form, two processes): one check-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_idempotency_key_sent_at_once_from_many_places_is_one_check_in() {
    let app = Arc::new(spawn_app().await);
    app.growth().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.okr
                .check_in_text(
                    &app.admin,
                    "GRO-1.1 11",
                    CheckInSource::Text,
                    Some("interaction-42".into()),
                    now(),
                )
                .await
                .expect("each answer is the one check-in")
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("the task").check_in);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "all answered with the one check-in: {ids:?}");
    let (_, history, _) = app.okr.history(&app.admin, "GRO-1.1").await.unwrap();
    assert_eq!(history.len(), 1);
}

/// Events decided in the same second by writers at once each get a second of their own in the
/// ledger: none is lost, none refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_of_one_second_decided_at_once_each_get_their_own_ledger_second() {
    let app = Arc::new(spawn_app().await);
    app.growth().await;
    let team: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT id FROM teams"
    )
    .fetch_one(db)
    .await)
    .unwrap();
    let t = at("2026-11-16T12:00:00Z");
    let mut tasks = Vec::new();
    for i in 0..24 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let message = Message::new(format!("event {i}"));
            let recipient = Recipient::Channel("growth".into());
            let mut tx = app.okr.store().write().await.unwrap();
            let new = NewDelivery {
                team: TeamId(team),
                kind: DeliveryKind::Alert,
                recipient: &recipient,
                slot: t,
                due: t,
                message: &message,
                subjects: &[],
                kpis: &[],
                local_slot: None,
            };
            insert_in_free_second(&mut tx, app.admin.workspace, &new, t)
                .await
                .unwrap_or_else(|e| panic!("event {i}: {e}"));
            tx.commit().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.expect("the task");
    }
    let slots: Vec<i64> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT slot FROM deliveries WHERE kind = 'alert' ORDER BY slot"
    )
    .fetch_all(db)
    .await)
    .unwrap();
    let expected: Vec<i64> = (0..24).map(|i| t.timestamp() + i).collect();
    assert_eq!(slots, expected, "24 events, 24 consecutive seconds");
}

/// A code names its team's prefix in any case on both backends, as the unique prefix index
/// reads it (SQLite's column is NOCASE; PostgreSQL's index is on `lower(prefix)`): a prefix
/// stored in lower case by an older build or by hand is still found by the code people type.
#[tokio::test]
async fn a_code_finds_its_team_whatever_the_case_its_prefix_was_stored_in() {
    let app = spawn_app().await;
    app.growth().await;
    crate::backend::raw!(app.okr.store(), |db| sqlx::query(
        "UPDATE teams SET prefix = 'gro' WHERE prefix = 'GRO'"
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("the prefix stored in lower case");
    let kr = app.okr.kr(&app.admin, "GRO-1.1").await.expect("found");
    assert_eq!(kr.number, 1);
    let objective = app.okr.objective(&app.admin, "gro-1").await.expect("found");
    assert_eq!(objective.number, 1);
}
