//! idempotency.

use super::*;

// ---------------------------------------------------------------------------------------------
// idempotency
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_idempotency_key_twice_records_one_check_in() {
    let app = growth().await;
    let bob = app.user("bob");
    let form = UpdateFields {
        kr: "GRO-1.2",
        value: "96",
        confidence: Some("8"),
        note: Some("pressed twice"),
    };
    let first = app
        .okr
        .check_in_fields(
            &bob,
            &form,
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("the first press records");
    assert!(!first.duplicate);
    let after_first = app.rows().await;

    let second = app
        .okr
        .check_in_fields(
            &bob,
            &form,
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("the second press is answered, not refused");
    assert!(
        second.duplicate,
        "the second outcome says it was a duplicate"
    );
    assert_eq!(second.check_in, first.check_in);
    assert_eq!(second.kr.current, 96.0);
    assert_eq!(app.count("check_ins").await, 1);
    assert_eq!(
        app.rows().await,
        after_first,
        "the second press wrote nothing"
    );

    // A later press with a different value but the same key (a redelivered event carrying
    // stale data) is still the same check-in.
    let redelivered = UpdateFields {
        value: "80",
        ..form
    };
    let third = app
        .okr
        .check_in_fields(
            &bob,
            &redelivered,
            CheckInSource::Button,
            Some("key-1".into()),
            common::at("2026-11-16T10:05:00Z"),
        )
        .await
        .expect("answered as a replay");
    assert!(third.duplicate);
    assert_eq!(app.rows().await, after_first);

    // A new key is a new check-in.
    app.okr
        .check_in_fields(
            &bob,
            &form,
            CheckInSource::Button,
            Some("key-2".into()),
            now(),
        )
        .await
        .expect("a new key records");
    assert_eq!(app.count("check_ins").await, 2);
}

#[tokio::test]
async fn an_idempotency_key_used_in_another_workspace_does_not_swallow_a_check_in() {
    let app = growth().await;
    let b = globex(&app).await;
    let form = |kr: &'static str| UpdateFields {
        kr,
        value: "5",
        confidence: None,
        note: None,
    };
    let a = app
        .okr
        .check_in_fields(
            &app.admin,
            &form("GRO-1.1"),
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("acme records");
    let g = app
        .okr
        .check_in_fields(
            &b,
            &form("SAL-1.1"),
            CheckInSource::Button,
            Some("key-1".into()),
            now(),
        )
        .await
        .expect("globex records");
    assert!(!a.duplicate && !g.duplicate);
    assert_eq!(
        g.kr.code, "SAL-1.1",
        "globex's answer is about its own key result"
    );
    assert_eq!(app.count("check_ins").await, 2);
}
