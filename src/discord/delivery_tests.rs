use std::time::Duration;

use serenity::http::{DiscordJsonError, StatusCode};

use super::*;

fn refusal(code: isize, message: &str) -> DiscordJsonError {
    serde_json::from_value(serde_json::json!({ "code": code, "message": message }))
        .expect("a DiscordJsonError")
}

#[test]
fn too_many_requests_is_a_retry_after_the_rate_limit_pause() {
    // What serenity keeps of a 429 body it cannot decode (no `code` in it).
    let e = refusal(
        -1,
        "[Serenity] Could not decode json when receiving error response",
    );
    assert_eq!(
        classify_refusal(StatusCode::TOO_MANY_REQUESTS, &e),
        Failure::RateLimited(RATE_LIMITED)
    );
    // A 429 whose body does carry a code is still a rate limit.
    let e = refusal(20028, "You are being rate limited.");
    assert_eq!(
        classify_refusal(StatusCode::TOO_MANY_REQUESTS, &e),
        Failure::RateLimited(RATE_LIMITED)
    );
}

#[test]
fn a_429_that_says_when_waits_exactly_that() {
    let asked = Duration::from_millis(8_250);
    assert_eq!(
        classify_answer(
            StatusCode::TOO_MANY_REQUESTS,
            0,
            "You are being rate limited.",
            Some(asked)
        ),
        Failure::RateLimited(asked)
    );
    // Only a 429 is a pause, whatever else an answer carries.
    assert_eq!(
        classify_answer(StatusCode::BAD_GATEWAY, 0, "Bad Gateway", Some(asked)),
        Failure::Transient(BACKOFF)
    );
}

#[test]
fn a_message_with_several_files_numbers_them_as_their_multipart_parts() {
    let m = super::super::render::DiscordMessage {
        content: Some("digest".into()),
        embeds: vec![],
        components: vec![],
        files: vec![
            serenity::all::CreateAttachment::bytes(vec![1u8], "a.png"),
            serenity::all::CreateAttachment::bytes(vec![2u8], "b.png"),
        ],
        ephemeral: false,
        pings: Default::default(),
    };
    let Body::WithFiles(json, files) = body_of(&m.to_create_message(Some(7)), &m) else {
        panic!("files go as multipart")
    };
    assert_eq!(
        json["attachments"],
        serde_json::json!([{"id": 0, "filename": "a.png"}, {"id": 1, "filename": "b.png"}])
    );
    assert_eq!(json["nonce"], 7);
    assert_eq!(json["content"], "digest");
    assert_eq!(files.len(), 2);
}

#[test]
fn cannot_send_messages_to_this_user_falls_back_to_the_channel() {
    let e = refusal(50007, "Cannot send messages to this user");
    assert_eq!(
        classify_refusal(StatusCode::FORBIDDEN, &e),
        Failure::CannotDm
    );
}

#[test]
fn unknown_channel_closes_the_channel_with_discords_reason() {
    let e = refusal(10003, "Unknown Channel");
    match classify_refusal(StatusCode::NOT_FOUND, &e) {
        Failure::ChannelClosed(why) => {
            assert!(why.contains("404"), "{why}");
            assert!(why.contains("Unknown Channel"), "{why}");
            assert!(why.contains("10003"), "{why}");
        }
        other => panic!("expected ChannelClosed, got {other:?}"),
    }
}

#[test]
fn missing_access_or_permissions_close_the_channel_not_a_fallback() {
    for code in [50001, 50013] {
        let e = refusal(code, "Missing Access");
        assert!(matches!(
            classify_refusal(StatusCode::FORBIDDEN, &e),
            Failure::ChannelClosed(_)
        ));
    }
    // Any other refusal is skipped as before.
    let e = refusal(50035, "Invalid Form Body");
    assert!(matches!(
        classify_refusal(StatusCode::BAD_REQUEST, &e),
        Failure::Rejected(_)
    ));
}

#[test]
fn a_server_error_is_retried_after_a_short_backoff() {
    let e = refusal(0, "500: Internal Server Error");
    assert_eq!(
        classify_refusal(StatusCode::BAD_GATEWAY, &e),
        Failure::Transient(BACKOFF)
    );
}

#[test]
fn serenitys_own_refusals_are_undeliverable() {
    let f = classify(&serenity::Error::Other("embed too large"));
    assert!(matches!(f, Failure::Rejected(why) if why.contains("embed too large")));
}

fn outbox() -> DiscordOutbox {
    // Nothing listens here: tests below fail before any request is made.
    let http = serenity::http::HttpBuilder::new("token")
        .proxy("http://127.0.0.1:9")
        .ratelimiter_disabled(true)
        .build();
    DiscordOutbox::new(Arc::new(http), DEFAULT_RATE, Arc::new(|_| None))
}

fn delivery(recipient: Recipient) -> Delivery {
    Delivery {
        id: 7,
        workspace: crate::domain::model::WorkspaceId(1),
        team: crate::domain::model::TeamId(1),
        team_tz: chrono_tz::UTC,
        team_channel: None,
        kind: crate::outbox::DeliveryKind::Digest,
        recipient,
        slot: chrono::DateTime::UNIX_EPOCH,
        due: chrono::DateTime::UNIX_EPOCH,
        attempts: 0,
        message: crate::domain::message::Message::new("Digest"),
        replaces: None,
    }
}

#[tokio::test]
async fn a_channel_name_is_undeliverable_with_a_clear_reason() {
    let err = outbox()
        .send(&delivery(Recipient::Channel("okrs".into())))
        .await
        .expect_err("a name is not a channel id");
    match err {
        SendError::Undeliverable(why) => assert!(why.contains("\"okrs\""), "{why}"),
        other => panic!("expected Undeliverable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_user_name_is_undeliverable_with_a_clear_reason() {
    let err = outbox()
        .send(&delivery(Recipient::User("alice".into())))
        .await
        .expect_err("a name is not a user id");
    assert!(matches!(err, SendError::Undeliverable(why) if why.contains("\"alice\"")));
}

#[tokio::test]
async fn a_rate_limit_pauses_the_whole_outbox() {
    let o = outbox();
    let err = o.settle(Failure::RateLimited(Duration::from_secs(3))).await;
    assert!(matches!(err, SendError::Retry(d) if d == Duration::from_secs(3)));
    let left = o.turns.held(TURNS).await;
    assert!(
        left > Duration::from_secs(2) && left <= Duration::from_secs(3),
        "{left:?}"
    );
}

#[test]
fn sent_ids_round_trip_and_refuse_anything_else() {
    let ids = [MessageId::new(11), MessageId::new(12)];
    let s = format_sent(ChannelId::new(5), &ids);
    assert_eq!(s, "5/11,12");
    assert_eq!(parse_sent(&s), Some((ChannelId::new(5), ids.to_vec())));
    assert_eq!(parse_sent("recorded-7"), None);
    assert_eq!(parse_sent("5/"), None);
    assert_eq!(parse_sent("5/11,x"), None);
}
