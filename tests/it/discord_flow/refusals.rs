//! 5 and 6. Discord refusing a send.

use super::*;

// ---------------------------------------------------------------------------------------------
// 5 and 6. Discord refusing a send
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_prompt_to_a_closed_dm_goes_to_the_team_channel_with_a_mention() {
    let bot = Bot::start().await;
    bot.growth().await;
    let before = bot.fake.messages_in(FakeDiscord::CHANNEL_ID).len();
    bot.fake.fail_next(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::CannotMessageUser,
    );
    bot.set_clock(prompt_slot());
    let refused = bot.fake.wait_for(|r| r.status == 403, WAIT).await;
    let dm = bot.fake.dm_channel_of(OWNER).expect("the DM was opened");
    assert_eq!(
        refused.path,
        format!("/channels/{dm}/messages"),
        "the DM was refused"
    );
    let fallback = bot
        .fake
        .wait_for(|r| posted_in(r, FakeDiscord::CHANNEL_ID), WAIT)
        .await;
    let b = body(&fallback);
    assert!(
        b["content"]
            .as_str()
            .is_some_and(|c| c.contains(&mention(OWNER))),
        "the owner is pinged: {b:#}"
    );
    assert!(custom_ids(&b["components"])
        .iter()
        .any(|id| id.starts_with("okr:u:GRO-1.1:")));

    assert!(
        bot.fake.messages_in(dm).is_empty(),
        "nothing in the closed DM"
    );
    let in_channel = bot.fake.messages_in(FakeDiscord::CHANNEL_ID);
    assert_eq!(in_channel.len(), before + 1, "one prompt in the channel");
    let no_pending = |l: &[(String, String, String)]| l.iter().all(|(_, _, s)| s != "pending");
    let prompts: Vec<_> = bot
        .ledger_when("the prompt is settled", no_pending)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "prompt")
        .collect();
    assert_eq!(
        prompts,
        [(
            "prompt".to_owned(),
            format!("user:{}", mention(OWNER)),
            "sent".to_owned()
        )],
        "delivered once, not lost"
    );
    let posts = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", CHANNEL_MESSAGES))
        .count();
    assert_eq!(
        posts, 2,
        "the refused DM and the channel post, nothing more"
    );
    assert_no_violations(&bot.fake);
}

/// As in production, with serenity's rate limiter on: a 429 on a prompt is waited out for its
/// `Retry-After` (here 4 s, twice okrbot's own pause), retried once, and delivered once.
#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after_and_delivered_once() {
    let bot = Bot::start_as_in_production(|_| {}).await;
    bot.growth().await;
    bot.fake.fail_next(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::RateLimited {
            retry_after_secs: 3.6,
            global: false,
        },
    );
    bot.set_clock(prompt_slot());
    let limited = bot.nth(1, |r| r.status == 429).await;
    let dm = bot.fake.dm_channel_of(OWNER).expect("a DM with the owner");
    let sent = bot
        .fake
        .wait_for(|r| posted_in(r, dm) && r.status == 200, WAIT)
        .await;
    let waited = sent.received_at - limited.received_at;
    assert!(
        waited >= Duration::from_millis(3600),
        "retried after {waited:?}, before Discord's retry_after"
    );
    assert!(waited < Duration::from_secs(10), "retried after {waited:?}");
    assert_eq!(bot.fake.messages_in(dm).len(), 1, "delivered once");
    let attempts: Vec<u16> = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", CHANNEL_MESSAGES))
        .map(|r| r.status)
        .collect();
    assert_eq!(attempts, [429, 200]);
    assert_no_violations(&bot.fake);
}

/// Behind another `discord.api_base` (a proxy; serenity's limiter off), a 429's own
/// `retry_after` holds every send, not a fixed guess: here 3.6 s, longer than the 2 s pause
/// used when a 429 does not say.
#[tokio::test]
async fn behind_a_proxy_a_429_holds_sends_for_its_own_retry_after() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::RateLimited {
            retry_after_secs: 3.6,
            global: false,
        },
    );
    bot.set_clock(prompt_slot());
    let limited = bot.nth(1, |r| r.status == 429).await;
    // The scheduler may try again at once on its clock; the outbox must still wait.
    bot.clock.advance(chrono::Duration::seconds(5));
    let dm = bot.fake.dm_channel_of(OWNER).expect("a DM with the owner");
    let sent = bot
        .fake
        .wait_for(|r| posted_in(r, dm) && r.status == 200, WAIT)
        .await;
    let waited = sent.received_at - limited.received_at;
    assert!(
        waited >= Duration::from_millis(3600),
        "retried after {waited:?}, before Discord's retry_after"
    );
    assert_eq!(bot.fake.messages_in(dm).len(), 1, "delivered once");
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_rate_limited_prompt_is_retried_and_delivered_exactly_once() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next_times(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::RateLimited {
            retry_after_secs: 1.0,
            global: false,
        },
        2,
    );
    bot.set_clock(prompt_slot());
    // Each 429 leaves the delivery pending; the scheduler looks again a second later on its
    // clock, and the outbox waits out the pause in real time.
    for n in 1..=2 {
        bot.nth(n, |r| r.status == 429).await;
        bot.clock.advance(chrono::Duration::seconds(5));
    }
    let dm = bot.fake.dm_channel_of(OWNER).expect("a DM with the owner");
    bot.fake.wait_for(|r| posted_in(r, dm), WAIT).await;

    assert_eq!(bot.fake.messages_in(dm).len(), 1, "delivered once");
    let attempts: Vec<u16> = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", CHANNEL_MESSAGES))
        .map(|r| r.status)
        .collect();
    assert_eq!(attempts, [429, 429, 200]);
    let no_pending = |l: &[(String, String, String)]| l.iter().all(|(_, _, s)| s != "pending");
    let states: Vec<String> = bot
        .ledger_when("the prompt is settled", no_pending)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "prompt")
        .map(|(_, _, state)| state)
        .collect();
    assert_eq!(states, ["sent"]);
    assert_no_violations(&bot.fake);
}

/// A prompt re-addressed to the team's channel (closed DMs) can be pressed by anyone there:
/// someone else is told privately whose prompt it is, without pinging them, and what to use.
#[tokio::test]
async fn someone_else_pressing_a_prompt_in_the_channel_is_told_whose_it_is_without_a_ping() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::CannotMessageUser,
    );
    bot.set_clock(prompt_slot());
    bot.fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("GRO-1.1"),
            WAIT,
        )
        .await;
    let prompt = bot
        .fake
        .messages_in(FakeDiscord::CHANNEL_ID)
        .into_iter()
        .rfind(|m| !custom_ids(&m["components"]).is_empty())
        .expect("the prompt in the channel");
    let nochange = button_id(&prompt, "okr:n:GRO-1.1:");
    let (_, refused) = bot.press(OTHER, &prompt, &nochange).await;
    let b = body(&refused);
    assert_eq!(b["data"]["flags"], 64, "private: {b:#}");
    let said = words(&b["data"]);
    assert!(
        said.contains(&format!("this is {}'s prompt, not yours", mention(OWNER))),
        "names whose: {said}"
    );
    assert!(
        said.contains("direct message") && said.contains("/okr update"),
        "says what to do: {said}"
    );
    assert!(!said.contains("no longer known"), "{said}");
    let pings = &b["data"]["allowed_mentions"];
    assert_eq!(pings["parse"], json!([]), "{b:#}");
    assert!(
        pings["users"].as_array().is_none_or(|u| u.is_empty()),
        "the owner is named, not pinged: {b:#}"
    );
    assert!(bot.history("GRO-1.1").await.is_empty(), "nothing recorded");
    assert_no_violations(&bot.fake);
}
