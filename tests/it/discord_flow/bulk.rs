//! The bulk form: `/okr bulk` opens a form, and its lines are checked in all or none, as the
//! console's bulk update does.

use super::*;

/// `/okr bulk` by the owner, its form filled with `lines`; returns the reply that follows.
async fn bulk(bot: &Bot, lines: &str) -> Value {
    let command = okr_command(sub("bulk", vec![]), OWNER, MEMBER);
    let token = token_of(&command);
    let callback = bot.send_slash(command).await.callback;
    let modal = body(&callback);
    assert_eq!(modal["type"], 9, "a form: {modal:#}");
    let form_id = modal["data"]["custom_id"].as_str().expect("the form's id");
    let inputs = custom_ids(&modal["data"]["components"]);
    assert_eq!(inputs.len(), 1, "one text input: {modal:#}");

    let form = fixtures::modal_submit(form_id, &[(inputs[0].as_str(), lines)], OWNER);
    let form_token = token_of(&form);
    bot.fake.send_interaction(form).await;
    // The answer follows up the slash command (its token), after the form is acknowledged.
    let answer = bot
        .fake
        .wait_for(
            |r| r.method == "POST" && !r.is("POST", CALLBACK) && r.path.contains(&token),
            WAIT,
        )
        .await;
    assert_eq!(answer.status, 200, "Discord accepted the answer");
    // Answered by the command that waited for it, and not also as an unknown form.
    assert_eq!(bot.fake.count(|r| is_callback(r, &form_token)), 1);
    body(&answer).clone()
}

#[tokio::test]
async fn a_bulk_form_checks_in_every_line() {
    let bot = Bot::start().await;
    bot.growth().await;
    let said = words(&bulk(&bot, "GRO-1.1 12 c8 first\nGRO-1.1 15").await);
    assert!(said.contains("2 check-ins recorded"), "{said}");
    let values: Vec<f64> = bot
        .history("GRO-1.1")
        .await
        .iter()
        .map(|c| c.value)
        .collect();
    assert_eq!(values, [12.0, 15.0]);
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_bulk_form_with_one_bad_line_records_nothing_and_names_the_line() {
    let bot = Bot::start().await;
    bot.growth().await;
    let said = words(&bulk(&bot, "GRO-1.1 12\nGRO-1.1 12O").await);
    assert!(said.contains("line 2"), "{said}");
    assert!(said.contains("did you mean 120?"), "{said}");
    assert!(bot.history("GRO-1.1").await.is_empty());
    assert_no_violations(&bot.fake);
}
