//! Section 12: a prompt round with several owners and several key results each: every prompt in its
//! owner's own DM, every button and form acting on the key result it names, every answer private.

use super::*;

/// Growth with GRO-1.1 and GRO-1.2 owned by [`OWNER`], GRO-1.3 and GRO-1.4 by [`OTHER`].
async fn two_owners(bot: &Bot) {
    bot.growth().await;
    let admin = bot.admin().await;
    for (title, owner) in [
        ("Newsletter subscribers", OWNER),
        ("Forum posts per week", OTHER),
        ("Meetups held", OTHER),
    ] {
        bot.okr
            .kr_add(
                &admin,
                KrInput {
                    objective: "GRO-1".into(),
                    title: title.into(),
                    kind: Some("metric".into()),
                    unit: Some("count".into()),
                    start: Some("0".into()),
                    target: Some("100".into()),
                    owner: Some(mention(owner)),
                    ..Default::default()
                },
                bot.clock.now(),
            )
            .await
            .expect("a key result");
    }
}

/// The prompt `user` received, from the channel the fake opened with them.
async fn prompt_of(bot: &Bot, user: u64) -> (u64, Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(dm) = bot.fake.dm_channel_of(user) {
            if let Some(m) = bot.fake.messages_in(dm).first() {
                return (dm, m.clone());
            }
        }
        assert!(Instant::now() < deadline, "no prompt reached {user}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The key result's check-ins once there are `n` (a press is acknowledged before it records).
async fn history_when(bot: &Bot, kr: &str, n: usize) -> Vec<CheckIn> {
    let deadline = Instant::now() + WAIT;
    loop {
        let h = bot.history(kr).await;
        if h.len() >= n {
            return h;
        }
        assert!(
            Instant::now() < deadline,
            "{kr} has {} check-ins, not {n}",
            h.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The answer a press edits into its interaction (`PATCH …/messages/@original`), once it came.
async fn answer_to(bot: &Bot, pressed: &Value) -> Value {
    let path = format!(
        "/webhooks/{}/{}/messages/@original",
        FakeDiscord::APPLICATION_ID,
        token_of(pressed)
    );
    let edit = bot
        .fake
        .wait_for(|r| r.method == "PATCH" && r.path == path, WAIT)
        .await;
    body(&edit).clone()
}

fn private(callback: &Recorded) -> bool {
    let b = body(callback);
    b["data"]["flags"].as_u64().unwrap_or(0) & 64 == 64
}

#[tokio::test]
async fn each_owner_gets_their_own_prompt_and_each_button_acts_on_its_own_key_result() {
    let bot = Bot::start().await;
    two_owners(&bot).await;
    bot.set_clock(prompt_slot());
    let (mine, prompt) = prompt_of(&bot, OWNER).await;
    let (theirs, other_prompt) = prompt_of(&bot, OTHER).await;
    assert_ne!(mine, theirs, "each prompt in its owner's own DM");
    let said = words(&prompt);
    assert!(
        said.contains("GRO-1.1") && said.contains("GRO-1.2"),
        "{said}"
    );
    assert!(
        !said.contains("GRO-1.3") && !said.contains("GRO-1.4"),
        "{said}"
    );
    let said = words(&other_prompt);
    assert!(
        said.contains("GRO-1.3") && said.contains("GRO-1.4"),
        "{said}"
    );
    assert!(!said.contains("GRO-1.1"), "{said}");

    // The form opened from GRO-1.2's button records on GRO-1.2, not on the first key result.
    let update = button_id(&prompt, "okr:u:GRO-1.2:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let form_id = body(&callback)["data"]["custom_id"]
        .as_str()
        .expect("a form")
        .to_owned();
    let form = bot.form(
        OWNER,
        &prompt,
        &form_id,
        &[
            ("value", "30"),
            ("confidence", "7"),
            ("note", "two launches"),
        ],
    );
    bot.submit(&form, 1).await;
    history_when(&bot, "GRO-1.2", 1).await;
    let recorded = &bot.history("GRO-1.2").await[0];
    assert_eq!(recorded.value, 30.0);
    assert_eq!(
        recorded.confidence.map(|c| c.get()),
        Some(7),
        "the form's confidence"
    );
    assert_eq!(
        recorded.note.as_deref(),
        Some("two launches"),
        "the form's note"
    );
    assert!(bot.history("GRO-1.1").await.is_empty());

    // No change on GRO-1.1: a check-in on GRO-1.1 alone, keeping its value.
    let prompt = bot.fake.messages_in(mine)[0].clone();
    let nochange = button_id(&prompt, "okr:n:GRO-1.1:");
    let (first, _) = bot.press(OWNER, &prompt, &nochange).await;
    answer_to(&bot, &first).await;
    let h = history_when(&bot, "GRO-1.1", 1).await;
    assert_eq!((h.len(), h[0].value), (1, 0.0));
    assert_eq!(bot.history("GRO-1.2").await.len(), 1);
    // A double click: the same button pressed again before its buttons went is one check-in.
    let (again, _) = bot.press(OWNER, &prompt, &nochange).await;
    answer_to(&bot, &again).await;
    assert_eq!(
        bot.history("GRO-1.1").await.len(),
        1,
        "one check-in per button"
    );

    // Someone else's button is refused, privately, and records nothing.
    let foreign = button_id(&other_prompt, "okr:n:GRO-1.3:");
    let (_, refused) = bot.press(OWNER, &other_prompt, &foreign).await;
    assert!(
        private(&refused),
        "a refusal is private: {:#}",
        body(&refused)
    );
    assert!(bot.history("GRO-1.3").await.is_empty());

    // The other owner snoozes (privately), then answers everything with All no change.
    let snooze = button_id(&other_prompt, "okr:s:");
    let (pressed, snoozed) = bot.press(OTHER, &other_prompt, &snooze).await;
    // Acknowledged (6), or the prompt edited (7), or a private answer; any follow-up private.
    let kind = body(&snoozed)["type"].as_u64();
    assert!(
        matches!(kind, Some(6 | 7)) || private(&snoozed),
        "{:#}",
        body(&snoozed)
    );
    let followup = format!(
        "/webhooks/{}/{}",
        FakeDiscord::APPLICATION_ID,
        token_of(&pressed)
    );
    let answer = answer_to(&bot, &pressed).await;
    assert!(
        words(&answer).contains("Snoozed"),
        "the snooze is confirmed: {answer:#}"
    );
    // Snoozing answers nothing: no key result of the prompt is checked in.
    assert!(bot.history("GRO-1.3").await.is_empty());
    assert!(bot.history("GRO-1.4").await.is_empty());
    for f in bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == followup)
    {
        assert_eq!(
            body(f)["flags"],
            64,
            "a public answer to a snooze: {:#}",
            body(f)
        );
    }
    let other_prompt = bot.fake.messages_in(theirs)[0].clone();
    let all = button_id(&other_prompt, "okr:a:");
    bot.press(OTHER, &other_prompt, &all).await;
    history_when(&bot, "GRO-1.4", 1).await;
    assert_eq!(bot.history("GRO-1.3").await.len(), 1);
    assert_eq!(bot.history("GRO-1.4").await.len(), 1);
    assert_eq!(
        bot.history("GRO-1.1").await.len(),
        1,
        "nobody else's key results"
    );
    assert_no_violations(&bot.fake);
}
