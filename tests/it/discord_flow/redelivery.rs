//! 3. Redelivered interactions.

use super::*;

// ---------------------------------------------------------------------------------------------
// 3. Redelivered interactions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_interaction_delivered_twice_records_one_check_in() {
    let bot = Bot::start().await;
    bot.growth().await;

    // The slash command, twice with the same id and token.
    let update = okr_command(
        sub("update", vec![text("kr", "GRO-1.1"), text("value", "5")]),
        OWNER,
        MEMBER,
    );
    let first = bot.dispatch(&update, 1).await;
    let second = bot.dispatch(&update, 2).await;
    for c in [&first, &second] {
        assert_eq!(body(c)["type"], 4, "{:#}", body(c));
        assert!(!words(&body(c)["data"]).contains('❌'), "{:#}", body(c));
    }
    let by_slash = |h: &[CheckIn]| {
        h.iter()
            .filter(|c| c.source == CheckInSource::Slash)
            .count()
    };
    assert_eq!(by_slash(&bot.history("GRO-1.1").await), 1);

    // The form from a prompt, twice with the same id and token.
    let (_, prompt) = bot.prompt_dm().await;
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let form_id = body(&callback)["data"]["custom_id"]
        .as_str()
        .expect("a form")
        .to_owned();
    let form = bot.form(OWNER, &prompt, &form_id, &[("value", "20")]);
    bot.submit(&form, 1).await;
    bot.submit(&form, 2).await;
    let history = bot.history("GRO-1.1").await;
    let by_form: Vec<&CheckIn> = history
        .iter()
        .filter(|c| c.source == CheckInSource::Modal)
        .collect();
    assert_eq!(by_form.len(), 1, "{history:#?}");
    assert_eq!(by_form[0].value, 20.0);
    assert_eq!(by_slash(&history), 1);
    assert_no_violations(&bot.fake);
}

/// A prompt Discord took but the ledger never marked (the process died in between) is sent
/// again under the same nonce, and Discord answers with the first message: still one prompt.
#[tokio::test]
async fn a_prompt_sent_again_after_a_crash_is_still_one_message() {
    let bot = Bot::start().await;
    bot.growth().await;
    let (dm, first) = bot.prompt_dm().await;
    let sent =
        |l: &[(String, String, String)]| l.iter().any(|(k, _, s)| k == "prompt" && s == "sent");
    bot.ledger_when("the prompt is marked sent", sent).await;
    crate::backend::raw!(bot.okr.store(), |db| sqlx::query(
        "UPDATE deliveries SET state = 'pending', sent_at = NULL, platform_message_id = NULL, \
         claimed = FALSE WHERE kind = 'prompt'",
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("the mark undone");
    // The row changed behind the scheduler's back: wake it, as a restart would.
    bot.okr.wake();
    bot.ledger_when("the prompt is marked sent again", sent)
        .await;
    assert_eq!(bot.fake.count(|r| posted_in(r, dm)), 2, "posted twice");
    let messages = bot.fake.messages_in(dm);
    assert_eq!(messages.len(), 1, "one prompt: {messages:#?}");
    assert_eq!(messages[0]["id"], first["id"]);
    assert_no_violations(&bot.fake);
}
