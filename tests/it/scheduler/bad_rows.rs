//! One bad row is that row's failure: logged, counted, and everyone else goes on.

use super::*;
use crate::common::now;

#[tokio::test]
async fn a_team_whose_zone_the_binary_no_longer_knows_fails_alone_and_other_workspaces_are_delivered(
) {
    let app = spawn_app().await;
    growth(&app, now()).await;
    let other = app.other_workspace("console:other", "other").await;
    app.growth_in(&other).await;
    let monday = at("2026-11-23T08:00:00Z");
    let scheduler = Scheduler::new(app.okr.clone());
    scheduler.decide(monday).await.expect("both decided");
    let owed = |ws: i64| {
        let pool = app.okr.store().clone();
        async move {
            let n: i64 = crate::backend::raw!(pool, |db| sqlx::query_scalar(
                "SELECT count(*) FROM deliveries WHERE workspace_id = $1 AND state = 'pending'",
            )
            .bind(ws)
            .fetch_one(db)
            .await)
            .unwrap();
            n
        }
    };
    let broken = app.admin.workspace.0;
    let pending_broken = owed(broken).await;
    assert!(pending_broken >= 3 && owed(other.workspace.0).await >= 3);

    // A tz-database upgrade drops the name of the first workspace's team's zone.
    crate::backend::raw!(app.okr.store(), |db| sqlx::query(
        "UPDATE teams SET timezone = 'Europe/Atlantis' WHERE workspace_id = $1"
    )
    .bind(broken)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let outbox = RecordingOutbox::new();
    let report = scheduler
        .tick(monday, &outbox)
        .await
        .expect("one bad team does not stop the round");
    let sent = outbox.take();
    let prompts: Vec<&Delivery> = of_kind(&sent, DeliveryKind::Prompt);
    assert_eq!(prompts.len(), 3, "the other workspace's prompts go out");
    assert!(sent.iter().all(|d| d.workspace == other.workspace));
    assert_eq!(report.failed, pending_broken as usize);
    let errors: Vec<(String, String)> = crate::backend::raw!(app.okr.store(), |db| sqlx::query_as(
        "SELECT state, coalesce(last_error, '') FROM deliveries WHERE workspace_id = $1",
    )
    .bind(broken)
    .fetch_all(db)
    .await)
    .unwrap();
    for (state, why) in &errors {
        assert_eq!(state, "failed");
        assert_mentions(why, &["cannot be read", "Europe/Atlantis"]);
    }
    assert!(app
        .okr
        .metrics_text(monday)
        .await
        .unwrap()
        .contains("kind=\"unreadable\""));
    // Failed once: the next round neither retries nor counts them again.
    let report = scheduler
        .tick(monday + Duration::minutes(1), &outbox)
        .await
        .expect("the next round");
    assert_eq!(report.failed, 0);
}
