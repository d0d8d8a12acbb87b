//! 10. What real servers answer: a deleted digest, a channel closed to the bot.

use super::*;

const TEAM_CHANNEL: &str = "/channels/1100000000000000003/messages";

fn digest_posts(bot: &Bot) -> Vec<Recorded> {
    bot.fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with(TEAM_CHANNEL) && words(body(r)).contains("digest"))
        .collect()
}

/// A digest posted again the same day edits the first; when someone deleted that one (10008),
/// it is posted anew instead of lost.
#[tokio::test]
async fn a_digest_whose_earlier_message_was_deleted_is_posted_anew() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.slash(
        ADMIN,
        MANAGE_SERVER,
        sub("digest", vec![text("team", "Growth")]),
    )
    .await;
    let first = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("digest"),
            WAIT,
        )
        .await;
    bot.ledger_when("the first digest is marked sent", |l| {
        l.iter().any(|(k, _, s)| k == "digest" && s == "sent")
    })
    .await;
    let digests = |bot: &Bot| {
        bot.fake
            .messages_in(FakeDiscord::CHANNEL_ID)
            .into_iter()
            .filter(|m| words(m).contains("digest"))
            .collect::<Vec<_>>()
    };
    // The channel post, as the ledger knows it: `<channel>/<message>`.
    let sent: String = crate::backend::raw!(bot.okr.store(), |db| sqlx::query_scalar(
        "SELECT platform_message_id FROM deliveries WHERE kind = 'digest' AND state = 'sent'",
    )
    .fetch_one(db)
    .await)
    .unwrap();
    let id: u64 = sent.split('/').nth(1).unwrap().parse().unwrap();
    let before = digests(&bot).len();
    bot.fake.delete_message(id);
    bot.set_clock(bot.clock.now() + chrono::Duration::hours(1));
    bot.slash(
        ADMIN,
        MANAGE_SERVER,
        sub("digest", vec![text("team", "Growth")]),
    )
    .await;
    bot.ledger_when("the second digest is marked sent", |l| {
        l.iter()
            .filter(|(k, _, s)| k == "digest" && s == "sent")
            .count()
            == 2
    })
    .await;
    let posts = digest_posts(&bot);
    let methods: Vec<(&str, u16)> = posts
        .iter()
        .map(|r| (r.method.as_str(), r.status))
        .collect();
    assert_eq!(
        methods,
        [("POST", 200), ("PATCH", 404), ("POST", 200)],
        "{:?}",
        first.path
    );
    // The asker's second private reply, and the deleted post replaced by one new post.
    assert_eq!(digests(&bot).len(), before + 1);
    assert_no_violations(&bot.fake);
}

/// The bot lost the right to post in the team's channel (50013): the post is skipped, not
/// retried forever, and the lead is told once, not once per post.
#[tokio::test]
async fn a_channel_closed_to_the_bot_tells_the_lead_once_and_is_not_retried() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next_times(
        RouteMatch::new("POST", "/channels/1100000000000000003/messages"),
        Failure::Refused {
            status: 403,
            code: 50013,
            message: "Missing Permissions",
        },
        2,
    );
    for hour in 0..2 {
        bot.set_clock(at("2026-11-12T10:00:00Z") + chrono::Duration::hours(hour));
        bot.slash(
            ADMIN,
            MANAGE_SERVER,
            sub("digest", vec![text("team", "Growth")]),
        )
        .await;
        bot.ledger_when("the digest is skipped", |l| {
            l.iter()
                .filter(|(k, _, s)| k == "digest" && s == "skipped")
                .count()
                == hour as usize + 1
        })
        .await;
    }
    let ledger = bot
        .ledger_when("the lead's notice is sent", |l| {
            l.iter()
                .any(|(k, _, s)| k == "channel_closed" && s == "sent")
        })
        .await;
    let notices: Vec<_> = ledger
        .iter()
        .filter(|(k, _, _)| k == "channel_closed")
        .collect();
    assert_eq!(notices.len(), 1, "once, not per post: {ledger:#?}");
    assert_eq!(notices[0].1, format!("user:<@{LEAD}>"));
    let dm = bot.fake.dm_channel_of(LEAD).expect("a DM to the lead");
    let said = words(&bot.fake.messages_in(dm)[0]);
    assert!(
        said.contains("refuses") && said.contains("Missing Permissions"),
        "{said}"
    );
    // Two refused posts, no retries of them.
    let refused = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == TEAM_CHANNEL && r.status == 403)
        .count();
    assert_eq!(refused, 2);
    assert_no_violations(&bot.fake);
}

/// Closed direct messages (50007) are remembered: the next week's prompt goes straight to the
/// team channel, without another refused DM.
#[tokio::test]
async fn closed_direct_messages_are_remembered_and_not_tried_again_next_week() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::CannotMessageUser,
    );
    let prompts_in_channel = |bot: &Bot| {
        bot.fake
            .requests()
            .iter()
            .filter(|r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("GRO-1.1"))
            .filter(|r| {
                body(r)["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(&mention(OWNER)))
            })
            .count()
    };
    bot.set_clock(prompt_slot());
    let deadline = Instant::now() + WAIT;
    while prompts_in_channel(&bot) < 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dm = bot.fake.dm_channel_of(OWNER).expect("the DM was opened");
    let dm_tries = |bot: &Bot| {
        bot.fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == format!("/channels/{dm}/messages"))
            .count()
    };
    assert_eq!(dm_tries(&bot), 1);

    bot.set_clock(prompt_slot() + chrono::Duration::days(7));
    let deadline = Instant::now() + WAIT;
    while prompts_in_channel(&bot) < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        prompts_in_channel(&bot),
        2,
        "the second prompt in the channel"
    );
    assert_eq!(dm_tries(&bot), 1, "no second DM tried");
    assert_no_violations(&bot.fake);
}

/// `/okr digest` queues the digest; the outbox posts it a moment later. The asker is told it is
/// queued, not that it was posted: here the channel then refuses it.
#[tokio::test]
async fn a_digest_the_channel_refuses_was_never_reported_as_posted() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next(
        RouteMatch::new("POST", TEAM_CHANNEL),
        Failure::Refused {
            status: 403,
            code: 50013,
            message: "Missing Permissions",
        },
    );
    let command = okr_command(
        sub("digest", vec![text("team", "Growth")]),
        ADMIN,
        MANAGE_SERVER,
    );
    let token = token_of(&command);
    bot.send_slash(command).await;
    let answer = bot
        .fake
        .wait_for(
            |r| r.path.contains(&token) && !r.is("POST", CALLBACK) && r.method != "GET",
            WAIT,
        )
        .await;
    bot.ledger_when("the digest is skipped", |l| {
        l.iter().any(|(k, _, s)| k == "digest" && s == "skipped")
    })
    .await;
    let said = words(body(&answer));
    assert!(!said.contains("posted"), "not posted: {said}");
    assert!(said.contains("Digest of Growth queued"), "{said}");
    assert!(
        said.contains("leads are told"),
        "says what follows a refusal: {said}"
    );
    assert_no_violations(&bot.fake);
}
