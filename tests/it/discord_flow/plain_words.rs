//! Answers to a prompt in plain words, by direct message (`docs/update-grammar.md`, "Answers in
//! plain words"): the bot asks Discord for the DIRECT_MESSAGES intent only, reads the owner's
//! reply against the key results of their latest prompt, records what is clear, asks about what
//! is not, and answers in the same conversation; an event delivered twice records once.

use super::*;

const GUILDS: u64 = 1;
const DIRECT_MESSAGES: u64 = 1 << 12;
const MESSAGE_CONTENT: u64 = 1 << 15;

/// The owner writes `text` to the bot; returns the bot's answer in their conversation (the
/// `n`-th answer, from 1, after the prompt) as its words.
async fn say(bot: &Bot, dm: u64, text: &str, n: usize) -> (Value, String) {
    let sent = bot
        .fake
        .send_direct_message(OWNER, text)
        .expect("Discord sends the bot the direct message");
    let answer = bot
        .nth(n + 1, |r| posted_in(r, dm) && r.status == 200)
        .await;
    (sent, words(body(&answer)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_in_plain_words_to_a_prompt_is_recorded_and_answered_in_the_conversation() {
    let bot = Bot::start().await;
    bot.growth_by_core(&[mention(OWNER)]).await;
    let (dm, _) = bot.prompt_dm().await;
    let intents = bot.fake.intents().expect("the bot identified");
    assert_eq!(
        intents & (GUILDS | DIRECT_MESSAGES | MESSAGE_CONTENT),
        GUILDS | DIRECT_MESSAGES,
        "servers and direct messages, never the privileged message content: {intents:#b}"
    );

    let (sent, answer) = say(&bot, dm, "now at 9, c7", 1).await;
    assert!(answer.contains("1 check-in recorded"), "{answer}");
    let history = bot.history("GRO-1.1").await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].value, 9.0);
    assert_eq!(history[0].confidence.map(|c| c.get()), Some(7));

    // The same event again (a resumed gateway replays it): nothing recorded twice, and the
    // second answer carries the first one's nonce, so the conversation holds it once.
    assert!(bot.fake.redeliver_message(&sent));
    bot.nth(3, |r| posted_in(r, dm) && r.status == 200).await;
    assert_eq!(bot.history("GRO-1.1").await.len(), 1);
    assert_eq!(
        bot.fake.messages_in(dm).len(),
        2,
        "the prompt and one answer"
    );

    // Chat is not an answer: nothing recorded, and the owner is told how to answer.
    let (_, answer) = say(&bot, dm, "thanks!", 3).await;
    assert!(answer.contains("Nothing recorded"), "{answer}");
    assert_eq!(bot.history("GRO-1.1").await.len(), 1);
    assert_no_violations(&bot.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclear_reply_gets_a_question_and_records_nothing() {
    let bot = Bot::start().await;
    // Two key results for the owner: "Calls by owner 0" and "Calls by owner 1".
    bot.growth_by_core(&[mention(OWNER), mention(OWNER)]).await;
    let (dm, _) = bot.prompt_dm().await;

    let (_, answer) = say(&bot, dm, "41", 1).await;
    assert!(answer.contains("Which key result is 41 for"), "{answer}");
    let (_, answer) = say(&bot, dm, "calls went up to 41", 2).await;
    assert!(
        answer.contains("Which key result do you mean") && answer.contains("GRO-1.2"),
        "{answer}"
    );
    assert!(bot.history("GRO-1.1").await.is_empty());
    assert!(bot.history("GRO-1.2").await.is_empty());

    let (_, answer) = say(&bot, dm, "GRO-1.2 41 and gro-1.1 unchanged", 3).await;
    assert!(answer.contains("2 check-ins recorded"), "{answer}");
    assert_eq!(bot.history("GRO-1.2").await[0].value, 41.0);
    assert_eq!(
        bot.history("GRO-1.1").await[0].value,
        0.0,
        "kept at its start"
    );
    assert_no_violations(&bot.fake);
}
