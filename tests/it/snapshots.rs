//! What people read, pinned: a weekly digest, a check-in prompt and the Discord payload of that
//! prompt, rendered from one fixed week of the Growth team. A change to any of them shows up
//! as a snapshot diff to review (`cargo insta review`, or `INSTA_UPDATE=always` to accept).

use okrbot::console::text;
use okrbot::outbox::{Delivery, DeliveryKind, Recipient, RecordingOutbox};
use okrbot::scheduler::Scheduler;

use crate::common::{at, spawn_app};

/// The Growth team's Monday 2026-11-23, after a week of check-ins: the 09:00 prompts and the
/// 16:00 digest (Berlin), as the scheduler delivers them.
async fn monday() -> Vec<Delivery> {
    let app = spawn_app().await;
    app.growth().await;
    app.update("GRO-1.1 10 c7 the new flow is live")
        .await
        .expect("a check-in");
    app.update("GRO-1.2 93% c5").await.expect("a check-in");
    let scheduler = Scheduler::new(app.okr.clone());
    let outbox = RecordingOutbox::new();
    scheduler
        .tick(at("2026-11-23T15:00:00Z"), &outbox)
        .await
        .expect("the tick");
    outbox.sent()
}

fn find(sent: &[Delivery], kind: DeliveryKind, to: &Recipient) -> Delivery {
    sent.iter()
        .find(|d| d.kind == kind && &d.recipient == to)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind:?} to {to}: {sent:#?}"))
}

#[tokio::test]
async fn the_weekly_digest_reads_as_before() {
    let sent = monday().await;
    let digest = find(
        &sent,
        DeliveryKind::Digest,
        &Recipient::Channel("growth".into()),
    );
    assert_eq!(digest.message.attachments.len(), 1, "the chart rides along");
    insta::assert_snapshot!("digest_text", text::render(&digest.message));
    insta::assert_json_snapshot!("digest_message", digest.message);
}

#[tokio::test]
async fn a_check_in_prompt_and_its_discord_payload_read_as_before() {
    let sent = monday().await;
    let prompt = find(&sent, DeliveryKind::Prompt, &Recipient::User("bob".into()));
    insta::assert_snapshot!("prompt_text", text::render(&prompt.message));
    let parts = okrbot::discord::render::render_with_actions(&prompt.message, None, 42);
    let payloads: Vec<serde_json::Value> = parts
        .iter()
        .map(|p| serde_json::to_value(p.to_create_message(Some(42))).expect("a JSON body"))
        .collect();
    insta::assert_json_snapshot!("prompt_discord_payload", payloads);
}
