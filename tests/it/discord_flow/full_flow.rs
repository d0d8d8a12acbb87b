//! 2. The full flow.

use super::*;

// ---------------------------------------------------------------------------------------------
// 2. The full flow
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_team_set_up_by_slash_commands_is_prompted_checks_in_by_form_and_gets_digest_and_alert() {
    let bot = Bot::start().await;

    // Set up by slash commands: each answered with a visible reply carrying embeds.
    let [setup, cycle, objective, kr] = bot.growth().await;
    assert!(words(&setup.body()["data"]).contains("Team Growth is set up"));
    assert!(words(&cycle.body()["data"]).contains("Cycle Winter created"));
    assert!(words(&objective.body()["data"]).contains("GRO-1"));
    assert!(words(&kr.body()["data"]).contains("GRO-1.1"));
    let admin = bot.admin().await;
    let team = bot.okr.team(&admin, "Growth").await.expect("team Growth");
    assert_eq!(team.tz.name(), "Europe/Berlin");
    assert_eq!(
        team.channel.as_deref(),
        Some(FakeDiscord::CHANNEL_ID.to_string().as_str())
    );
    assert_eq!(team.leads, [Member::Person(mention(LEAD))]);
    let k = bot.okr.kr(&admin, "GRO-1.1").await.expect("GRO-1.1");
    assert_eq!(k.owner.as_deref(), Some(mention(OWNER).as_str()));
    assert_eq!(k.title, "Weekly active members");

    // Monday 09:00: the owner is asked by DM, with buttons.
    let (dm, prompt) = bot.prompt_dm().await;
    let post = bot
        .fake
        .requests()
        .into_iter()
        .find(|r| posted_in(r, dm))
        .expect("the prompt's post");
    assert!(!body(&post)["embeds"].as_array().expect("embeds").is_empty());
    let ids = custom_ids(&body(&post)["components"]);
    assert!(!ids.is_empty(), "the prompt has buttons");
    assert!(ids.iter().all(|id| id.starts_with("okr:")), "{ids:?}");
    assert!(words(&prompt).contains("GRO-1.1"));

    // Update opens the check-in form.
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let modal = body(&callback);
    assert_eq!(modal["type"], 9, "a form: {modal:#}");
    let form_id = modal["data"]["custom_id"]
        .as_str()
        .expect("the form's custom_id")
        .to_owned();
    assert!(form_id.starts_with("okr:m:GRO-1.1:"), "{form_id}");
    assert_eq!(
        custom_ids(&modal["data"]["components"]),
        ["value", "confidence", "note"]
    );

    // Submitting it records one check-in and answers on the prompt.
    let form = bot.form(
        OWNER,
        &prompt,
        &form_id,
        &[("value", "10"), ("confidence", "8"), ("note", "first week")],
    );
    let (ack, answer) = bot.submit(&form, 1).await;
    assert!(
        matches!(body(&ack)["type"].as_u64(), Some(5 | 6)),
        "acknowledged: {:#}",
        body(&ack)
    );
    assert!(
        words(body(&answer)).contains("GRO-1.1 checked in"),
        "{:#}",
        body(&answer)
    );
    let modal_check_ins: Vec<CheckIn> = bot
        .history("GRO-1.1")
        .await
        .into_iter()
        .filter(|c| c.source == CheckInSource::Modal)
        .collect();
    assert_eq!(modal_check_ins.len(), 1, "{modal_check_ins:#?}");
    assert_eq!(modal_check_ins[0].value, 10.0);
    assert_eq!(modal_check_ins[0].author, mention(OWNER));
    assert_eq!(modal_check_ins[0].note.as_deref(), Some("first week"));
    let edited = &bot.fake.messages_in(dm)[0];
    assert!(
        words(edited).contains("checked in"),
        "the prompt shows the check-in: {edited:#}"
    );

    // Monday 16:00: the digest in the team channel, coloured, with its chart.
    bot.set_clock(digest_slot());
    let digest = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && !r.files.is_empty(),
            WAIT,
        )
        .await;
    let embeds = body(&digest)["embeds"].as_array().expect("embeds").clone();
    assert!(!embeds.is_empty());
    assert!(
        embeds.iter().all(|e| e["color"].as_u64().is_some()),
        "every embed has a colour: {embeds:#?}"
    );
    assert!(
        digest.files[0].bytes.starts_with(PNG_SIGNATURE),
        "the chart is a PNG"
    );
    assert!(
        embeds
            .iter()
            .any(|e| e["image"]["url"] == format!("attachment://{}", digest.files[0].filename)),
        "an embed shows the chart: {embeds:#?}"
    );

    // A check-in far from on track (confidence 2 of 10): red, and an alert in the channel.
    bot.set_clock(at("2026-11-16T15:30:00Z"));
    let red = bot
        .ok(
            OWNER,
            MEMBER,
            sub(
                "update",
                vec![
                    text("kr", "GRO-1.1"),
                    text("value", "11"),
                    integer("confidence", 2),
                    text("note", "the launch slipped"),
                ],
            ),
        )
        .await;
    assert!(
        words(&red.body()["data"]).contains("🔴"),
        "{:#}",
        red.body()
    );
    bot.past_the_undo_window();
    let alert = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("moved into red"),
            WAIT,
        )
        .await;
    let said = words(body(&alert));
    assert!(said.contains("GRO-1.1"), "{said}");
    assert!(said.contains(&mention(OWNER)), "names the owner: {said}");
    assert!(said.contains(&mention(LEAD)), "names the lead: {said}");
    assert_eq!(
        body(&alert)["embeds"][0]["color"],
        0xE7_4C_3C,
        "an alert is red"
    );
    assert_no_violations(&bot.fake);
}

/// Discord notifies only for mentions in a message's `content`; mentions inside embeds render
/// as names but ping nobody. An alert that must reach the owner and the lead has to ping.
#[tokio::test]
async fn an_at_risk_alert_pings_the_owner_and_the_lead() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.set_clock(at("2026-11-13T10:00:00Z"));
    bot.ok(
        OWNER,
        MEMBER,
        sub(
            "update",
            vec![
                text("kr", "GRO-1.1"),
                text("value", "1"),
                integer("confidence", 1),
            ],
        ),
    )
    .await;
    bot.past_the_undo_window();
    let alert = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("moved into red"),
            WAIT,
        )
        .await;
    let b = body(&alert);
    let said = words(b);
    let content = b["content"].as_str().unwrap_or("");
    let mut problems = Vec::new();
    if said.contains("@<@") {
        problems.push("a mention is written after an extra '@' (Discord shows '@@name')");
    }
    if !(content.contains(&mention(OWNER)) && content.contains(&mention(LEAD))) {
        problems
            .push("the owner and the lead are not mentioned in `content`, so nobody is notified");
    }
    assert!(problems.is_empty(), "{problems:#?}\n{b:#}");
    let mut pinged = crate::fake_discord::limits::pings(b);
    pinged.users.sort();
    assert_eq!(
        pinged,
        crate::fake_discord::limits::Pinged {
            users: vec![LEAD, OWNER],
            ..Default::default()
        },
        "exactly the owner and the lead: {b:#}"
    );
    assert_no_violations(&bot.fake);
}

/// Titles and notes are text: `@everyone`, a role or a person named in one pings nobody, in
/// any message the bot sends, whatever lands in a message's content.
#[tokio::test]
async fn a_title_or_note_naming_everyone_a_role_or_a_person_pings_nobody() {
    let bot = Bot::start().await;
    bot.growth().await;
    let admin = bot.admin().await;
    bot.okr
        .kr_edit(
            &admin,
            "GRO-1.1",
            okrbot::service::objectives::KrEdit {
                title: Some(format!("@everyone @here launch <@&777> <@{OTHER}>")),
                ..Default::default()
            },
        )
        .await
        .expect("a title is only text");
    bot.set_clock(at("2026-11-13T10:00:00Z"));
    bot.ok(
        OWNER,
        MEMBER,
        sub(
            "update",
            vec![
                text("kr", "GRO-1.1"),
                text("value", "1"),
                integer("confidence", 1),
                text("note", &format!("cc @everyone <@&777> <@{OTHER}>")),
            ],
        ),
    )
    .await;
    bot.past_the_undo_window();
    bot.fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("moved into red"),
            WAIT,
        )
        .await;
    for r in bot.fake.requests() {
        let Some(b) = r.body.as_ref() else { continue };
        let data = if b["data"].is_object() { &b["data"] } else { b };
        let p = crate::fake_discord::limits::pings(data);
        assert!(
            !p.everyone,
            "{} {}: pings @everyone: {data:#}",
            r.method, r.path
        );
        assert!(
            p.roles.is_empty(),
            "{} {}: pings a role: {data:#}",
            r.method,
            r.path
        );
        assert!(
            p.users.iter().all(|u| [OWNER, LEAD].contains(u)),
            "{} {}: pings {:?}: {data:#}",
            r.method,
            r.path,
            p.users
        );
    }
    assert_no_violations(&bot.fake);
}

/// `render::components::mark_done` describes the prompt after a check-in: the done key result
/// marked ✅ and its buttons gone, so nobody presses Update twice on a stale prompt.
#[tokio::test]
async fn after_a_check_in_from_a_prompt_its_buttons_for_that_key_result_are_gone() {
    let bot = Bot::start().await;
    bot.growth().await;
    let (dm, prompt) = bot.prompt_dm().await;
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let form_id = body(&callback)["data"]["custom_id"]
        .as_str()
        .expect("a form")
        .to_owned();
    let form = bot.form(OWNER, &prompt, &form_id, &[("value", "10")]);
    bot.submit(&form, 1).await;
    let after = &bot.fake.messages_in(dm)[0];
    let left: Vec<String> = custom_ids(&after["components"])
        .into_iter()
        .filter(|id| id.contains(":GRO-1.1:"))
        .collect();
    assert!(left.is_empty(), "buttons of a done key result: {after:#}");
    assert!(words(after).contains("✅"), "{after:#}");
    assert_no_violations(&bot.fake);
}

/// A value far outside its key result's range (`1 200` on a 0 -> 100 key result) asks
/// privately first, with Record it and Cancel; Cancel records nothing, Record it records exactly
/// what was sent, and the question is replaced by the answer.
#[tokio::test]
async fn a_value_far_out_of_range_asks_with_a_button_before_it_is_recorded() {
    let bot = Bot::start().await;
    bot.growth().await;
    let admin = bot.admin().await;
    let before = bot
        .okr
        .kr(&admin, "GRO-1.1")
        .await
        .expect("GRO-1.1")
        .current;
    let mut asked = Vec::new();
    for round in 0..2 {
        bot.slash(
            OWNER,
            MEMBER,
            sub(
                "update",
                vec![
                    text("kr", "GRO-1.1"),
                    text("value", "1 200"),
                    text("note", "oops"),
                ],
            ),
        )
        .await;
        let question = bot
            .fake
            .wait_for(
                |r| {
                    r.body.as_ref().is_some_and(|b| {
                        custom_ids(&b["components"])
                            .iter()
                            .any(|id| id.starts_with("okr:confirm:"))
                            || custom_ids(&b["data"]["components"])
                                .iter()
                                .any(|id| id.starts_with("okr:confirm:"))
                    }) && !asked.contains(&r.path)
                },
                WAIT,
            )
            .await;
        asked.push(question.path.clone());
        let b = body(&question);
        let said = words(if b["data"].is_object() { &b["data"] } else { b });
        assert!(said.contains("looks like a typo"), "{said}");
        assert!(said.contains("press Record it"), "{said}");
        assert!(!said.contains("confirm:True"), "one way to say yes: {said}");
        let message = bot
            .fake
            .messages_in(FakeDiscord::CHANNEL_ID)
            .into_iter()
            .rev()
            .find(|m| {
                custom_ids(&m["components"])
                    .iter()
                    .any(|id| id.starts_with("okr:confirm:"))
            })
            .expect("the question as the channel holds it");
        let ids = custom_ids(&message["components"]);
        let pick = |end: &str| {
            ids.iter()
                .find(|id| id.ends_with(end))
                .unwrap_or_else(|| panic!("a {end} button: {ids:?}"))
                .clone()
        };
        let (pressed, _) = if round == 0 {
            bot.press(OWNER, &message, &pick(":no")).await
        } else {
            bot.press(OWNER, &message, &pick(":yes")).await
        };
        let token = token_of(&pressed);
        let answer = bot
            .fake
            .wait_for(
                |r| r.path.contains(&token) && !r.is("POST", CALLBACK) && r.body.is_some(),
                WAIT,
            )
            .await;
        let said = words(body(&answer));
        let now = bot
            .okr
            .kr(&admin, "GRO-1.1")
            .await
            .expect("GRO-1.1")
            .current;
        if round == 0 {
            assert!(said.contains("Nothing was recorded"), "{said}");
            assert_eq!(now, before, "Cancel records nothing");
        } else {
            assert!(said.contains('✅'), "{said}");
            assert_eq!(now, 1200.0, "Record it records what was sent");
        }
        assert!(
            custom_ids(&body(&answer)["components"]).is_empty(),
            "the buttons are gone"
        );
    }
    assert_no_violations(&bot.fake);
}
