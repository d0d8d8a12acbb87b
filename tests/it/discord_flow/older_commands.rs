//! Commands in the shape of an older version: what a guild keeps sending while Discord still
//! shows it the commands of before an upgrade (its registration failed or has not reached the
//! member yet). Each gets a private answer that says what to do, never silence ("The application
//! did not respond").

use super::*;

/// The callback of a command Discord sent in an older shape must be a private message (flags
/// 64) that says the command changed and what to do instead.
fn told_it_changed(reply: &Reply) {
    let b = reply.body();
    assert_eq!(b["type"], 4, "a message, not silence: {b:#}");
    assert_eq!(b["data"]["flags"], 64, "seen by the asker alone: {b:#}");
    let said = words(&b["data"]);
    assert!(said.contains("changed in an update"), "{said}");
    assert!(
        said.contains("Try again in a minute") && said.contains("/okr help"),
        "says what to do: {said}"
    );
    assert_eq!(
        b["data"]["allowed_mentions"]["parse"],
        json!([]),
        "pings no one: {b:#}"
    );
}

#[tokio::test]
async fn a_command_without_a_required_option_is_told_privately_that_it_changed() {
    let bot = Bot::start().await;
    bot.growth().await;
    // `/okr history` needs `kr`; an older tree did not have it.
    let reply = bot.slash(OWNER, MEMBER, sub("history", vec![])).await;
    told_it_changed(&reply);
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn an_option_of_an_older_type_is_told_privately_that_the_command_changed() {
    let bot = Bot::start().await;
    bot.growth().await;
    // `kr` is text now; an older tree sent a number.
    let reply = bot
        .slash(OWNER, MEMBER, sub("history", vec![integer("kr", 11)]))
        .await;
    told_it_changed(&reply);
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_subcommand_that_no_longer_exists_is_told_privately_that_the_command_changed() {
    let bot = Bot::start().await;
    bot.growth().await;
    let reply = bot
        .slash(
            OWNER,
            MEMBER,
            sub("checkin", vec![text("kr", "GRO-1.1"), text("value", "40")]),
        )
        .await;
    told_it_changed(&reply);
    // And a command group sent as a command of its own (an older tree's leaf).
    let reply = bot.slash(OWNER, MEMBER, sub("kr", vec![])).await;
    told_it_changed(&reply);
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn autocomplete_for_a_subcommand_that_no_longer_exists_gets_no_choices() {
    let bot = Bot::start().await;
    bot.growth().await;
    let mut ask = fixtures::autocomplete(
        "okr",
        sub("checkin", vec![focused("kr", "GRO")]),
        OWNER,
        MEMBER,
    );
    resolve(&mut ask);
    let token = token_of(&ask);
    bot.fake.send_interaction(ask).await;
    let callback = bot.fake.wait_for(|r| is_callback(r, &token), WAIT).await;
    let b = body(&callback);
    assert_eq!(b["type"], 8, "an autocomplete result, not silence: {b:#}");
    assert_eq!(b["data"]["choices"], json!([]), "{b:#}");
    assert_no_violations(&bot.fake);
}

/// The answer to a press or form okrbot cannot read must be a private message that says it is
/// an older message's and what to use instead.
fn told_it_is_older(callback: &Recorded, what: &str) {
    let b = body(callback);
    assert_eq!(b["type"], 4, "a message, not silence: {b:#}");
    assert_eq!(b["data"]["flags"], 64, "seen by the presser alone: {b:#}");
    let said = words(&b["data"]);
    assert!(
        said.contains(&format!("this {what} is from an older okrbot message")),
        "{said}"
    );
    assert!(
        said.contains("nothing was recorded") && said.contains("/okr update"),
        "{said}"
    );
}

#[tokio::test]
async fn a_button_of_an_older_version_is_told_privately_to_use_okr_update() {
    let bot = Bot::start().await;
    bot.growth().await;
    // `okr:c:` was never written by this version.
    let message = fixtures::message_with_button(FakeDiscord::CHANNEL_ID, "okr:c:GRO-1.1:42");
    let (_, callback) = bot.press(OWNER, &message, "okr:c:GRO-1.1:42").await;
    told_it_is_older(&callback, "button");
    assert!(bot.history("GRO-1.1").await.is_empty());
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_form_of_an_older_version_or_a_bulk_form_no_longer_awaited_is_told_privately() {
    let bot = Bot::start().await;
    bot.growth().await;
    let message = fixtures::message_with_button(FakeDiscord::CHANNEL_ID, "okr:u:GRO-1.1:42");
    let older = bot.form(OWNER, &message, "okr:m:GRO-1.1", &[("value", "40")]);
    let callback = bot.dispatch(&older, 1).await;
    told_it_is_older(&callback, "form");
    // A bulk form whose command stopped waiting (a restart, or 15 minutes): named by poise
    // after an interaction id.
    let bulk = fixtures::modal_submit("1300000000000000999", &[("lines", "GRO-1.1 40")], OWNER);
    let callback = bot.dispatch(&bulk, 1).await;
    told_it_is_older(&callback, "form");
    assert!(bot.history("GRO-1.1").await.is_empty());
    assert_no_violations(&bot.fake);
}
