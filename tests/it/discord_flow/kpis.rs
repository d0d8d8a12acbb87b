//! `/kpi` on Discord: a KPI added and read by slash commands, its alert in the team channel
//! with a Start an OKR button, and the button drafting the objective for the lead who presses.

use super::*;

/// Whether a request's JSON body says `text` anywhere a person reads.
fn says(r: &Recorded, text: &str) -> bool {
    r.body.as_ref().is_some_and(|b| words(b).contains(text))
}

/// `/kpi …` by `user_id` with `permissions`; waits for the callback.
async fn kpi(bot: &Bot, user_id: u64, permissions: &str, options: Value) -> Reply {
    let mut i = fixtures::slash_command("kpi", options, user_id, permissions);
    resolve(&mut i);
    bot.send_slash(i).await
}

#[tokio::test]
async fn a_kpi_alert_carries_start_an_okr_and_the_button_drafts_the_objective() {
    let bot = Bot::start().await;
    bot.growth().await;
    let added = kpi(
        &bot,
        ADMIN,
        MANAGE_SERVER,
        sub(
            "add",
            vec![
                text("team", "Growth"),
                text("name", "conversion"),
                text("unit", "percent"),
                text("min", "7"),
                user("owner", OWNER),
            ],
        ),
    )
    .await;
    assert!(words(&added.body()["data"]).contains("KPI conversion added to Growth"));
    let read = kpi(
        &bot,
        OWNER,
        MEMBER,
        sub(
            "set",
            vec![text("kpi", "conversion"), text("value", "6.4%")],
        ),
    )
    .await;
    let said = words(&read.body()["data"]);
    assert!(said.contains("out of its healthy range"), "{said}");
    bot.past_the_undo_window();

    let alert = bot
        .fake
        .wait_for(
            |r| {
                posted_in(r, FakeDiscord::CHANNEL_ID)
                    && says(r, "KPI conversion is below its healthy range")
            },
            WAIT,
        )
        .await;
    let ids = custom_ids(&body(&alert)["components"]);
    let start = ids
        .iter()
        .find(|id| id.starts_with("okr:k:"))
        .unwrap_or_else(|| panic!("a Start an OKR button: {ids:?}"))
        .clone();
    let message = bot
        .fake
        .messages_in(FakeDiscord::CHANNEL_ID)
        .into_iter()
        .find(|m| words(m).contains("KPI conversion is below"))
        .expect("the alert as the channel holds it");

    // A member who leads nothing is refused; the team's lead drafts it.
    bot.press(OWNER, &message, &start).await;
    let refusal = bot
        .fake
        .wait_for(|r| says(r, "start OKRs from KPIs"), WAIT)
        .await;
    assert!(words(body(&refusal)).contains('❌'));
    bot.press(LEAD, &message, &start).await;
    let drafted = bot.fake.wait_for(|r| says(r, "Drafted GRO-2"), WAIT).await;
    assert!(
        words(body(&drafted)).contains("Bring conversion back above 7%"),
        "{:#}",
        body(&drafted)
    );
    let admin = bot.admin().await;
    let kr = bot
        .okr
        .kr(&admin, "GRO-2.1")
        .await
        .expect("the drafted key result");
    assert_eq!((kr.start, kr.target), (6.4, 7.0));
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn kpi_show_replies_privately_with_the_chart_of_its_readings() {
    let bot = Bot::start().await;
    bot.growth().await;
    let add = sub(
        "add",
        vec![
            text("team", "Growth"),
            text("name", "conversion"),
            text("unit", "percent"),
            text("min", "7"),
            text("max", "12"),
        ],
    );
    kpi(&bot, ADMIN, MANAGE_SERVER, add).await;
    for value in ["8.1%", "7.4%", "6.9%"] {
        let set = sub("set", vec![text("kpi", "conversion"), text("value", value)]);
        kpi(&bot, ADMIN, MANAGE_SERVER, set).await;
    }
    let shown = kpi(
        &bot,
        OWNER,
        MEMBER,
        sub("show", vec![text("kpi", "conversion")]),
    )
    .await;
    let b = shown.body();
    assert_eq!(b["data"]["flags"], 64, "only the asker sees it: {b:#}");
    assert!(words(&b["data"]).contains("6.9%"), "{b:#}");
    let files = &shown.callback.files;
    assert_eq!(files.len(), 1, "one chart: {b:#}");
    assert!(
        files[0].bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "a PNG file"
    );
    let image = &b["data"]["embeds"][0]["image"]["url"];
    let name = image.as_str().and_then(|u| u.strip_prefix("attachment://"));
    assert!(
        name.is_some_and(|n| n.starts_with("kpi-") && n.ends_with(".png")),
        "the embed shows the chart: {image}"
    );
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn every_kpi_subcommand_answers_on_discord_and_the_kpi_option_autocompletes() {
    let bot = Bot::start().await;
    bot.growth().await;
    let lead = |options| kpi(&bot, ADMIN, MANAGE_SERVER, options);
    let said = |r: &Reply| words(&r.body()["data"]);
    let add = sub(
        "add",
        vec![
            text("team", "Growth"),
            text("name", "response time"),
            text("unit", "ms"),
            text("direction", "lower"),
            text("max", "300"),
            user("owner", OWNER),
        ],
    );
    assert!(said(&lead(add).await).contains("KPI response time added to Growth"));
    let set = sub(
        "set",
        vec![text("kpi", "response time"), text("value", "340 ms")],
    );
    assert!(said(&kpi(&bot, OWNER, MEMBER, set).await).contains("out of its healthy range"));
    let range = sub(
        "range",
        vec![text("kpi", "response time"), text("max", "320 ms")],
    );
    let r = said(&lead(range).await);
    assert!(r.contains("320 ms") && !r.contains('❌'), "{r}");
    let listed = kpi(
        &bot,
        OTHER,
        MEMBER,
        sub("list", vec![text("team", "Growth")]),
    )
    .await;
    let l = said(&listed);
    assert!(l.contains("response time 340 ms"), "{l}");
    assert_eq!(listed.body()["data"]["flags"], 64, "a list is private");
    let link = sub(
        "link",
        vec![text("kpi", "response time"), text("objective", "GRO-1")],
    );
    let k = said(&lead(link).await);
    assert!(k.contains("GRO-1") && !k.contains('❌'), "{k}");
    // The bot's own config refuses private addresses: the source is kept, its fetch refused.
    let source = sub(
        "source",
        vec![
            text("kpi", "response time"),
            text("url", "http://127.0.0.1:9/metrics"),
            text("pointer", "/p95"),
            text("header", "Authorization: Bearer s3cret"),
        ],
    );
    let s = said(&lead(source).await);
    assert!(
        s.contains("Authorization: ••••••") && !s.contains("s3cret"),
        "{s}"
    );
    let fetched = said(&lead(sub("fetch", vec![text("kpi", "response time")])).await);
    assert!(fetched.contains("private"), "{fetched}");
    let token = lead(sub("token", vec![text("kpi", "response time")])).await;
    let t = said(&token);
    assert!(t.contains("okr_") && t.contains("/readings"), "{t}");
    assert_eq!(
        token.body()["data"]["flags"],
        64,
        "a token is shown to its maker only"
    );
    let started = said(&lead(sub("okr", vec![text("kpi", "response time")])).await);
    assert!(
        started.contains("Bring response time back below"),
        "{started}"
    );

    let mut ask = fixtures::autocomplete(
        "kpi",
        sub("show", vec![focused("kpi", "resp")]),
        OTHER,
        MEMBER,
    );
    resolve(&mut ask);
    let token_id = token_of(&ask);
    bot.fake.send_interaction(ask).await;
    let callback = bot.fake.wait_for(|r| is_callback(r, &token_id), WAIT).await;
    let b = body(&callback);
    assert_eq!(b["type"], 8, "an autocomplete result: {b:#}");
    let values: Vec<&str> = b["data"]["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert_eq!(values, ["response time"]);

    let removed = said(&lead(sub("remove", vec![text("kpi", "response time")])).await);
    assert!(removed.contains("removed"), "{removed}");
    let gone = said(
        &kpi(
            &bot,
            OTHER,
            MEMBER,
            sub("show", vec![text("kpi", "response time")]),
        )
        .await,
    );
    assert!(gone.contains('❌'), "a removed KPI is unknown: {gone}");
    assert_no_violations(&bot.fake);
}

/// KPI conversion (min 7 %) on Growth, read at `value` by the lead; returns the alert that
/// reading posts to the team channel, as the channel holds it, and its Start an OKR id.
async fn alert_after_reading(bot: &Bot, value: &str, nth: usize) -> (Value, String) {
    kpi(
        bot,
        LEAD,
        MEMBER,
        sub("set", vec![text("kpi", "conversion"), text("value", value)]),
    )
    .await;
    bot.past_the_undo_window();
    bot.nth(nth, |r| {
        posted_in(r, FakeDiscord::CHANNEL_ID)
            && says(r, "KPI conversion is below its healthy range")
    })
    .await;
    let message = bot
        .fake
        .messages_in(FakeDiscord::CHANNEL_ID)
        .into_iter()
        .rfind(|m| words(m).contains("KPI conversion is below"))
        .expect("the alert as the channel holds it");
    let start = button_id(&message, "okr:k:");
    (message, start)
}

/// Everything the bot said in answer to the press `token`: its edits and follow-ups.
async fn answer_to(bot: &Bot, token: &str, containing: &str) -> String {
    bot.fake
        .wait_for(
            |r| r.path.contains(token) && !r.is("POST", CALLBACK) && says(r, containing),
            WAIT,
        )
        .await;
    bot.fake
        .requests()
        .iter()
        .filter(|r| r.path.contains(token) && !r.is("POST", CALLBACK) && r.body.is_some())
        .map(|r| words(body(r)))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn objectives(bot: &Bot) -> i64 {
    crate::backend::raw!(bot.okr.store(), |db| sqlx::query_scalar(
        "SELECT count(*) FROM objectives"
    )
    .fetch_one(db)
    .await)
    .expect("objectives counted")
}

#[tokio::test]
async fn start_an_okr_pressed_twice_drafts_one_objective_and_the_alert_loses_its_button() {
    let bot = Bot::start().await;
    bot.growth().await;
    let add = sub(
        "add",
        vec![
            text("team", "Growth"),
            text("name", "conversion"),
            text("unit", "percent"),
            text("min", "7"),
        ],
    );
    kpi(&bot, ADMIN, MANAGE_SERVER, add).await;
    let (message, start) = alert_after_reading(&bot, "6.4%", 1).await;

    // One after the other: a double click, or a second lead whose client still shows the button.
    let (first, _) = bot.press(LEAD, &message, &start).await;
    let said = answer_to(&bot, &token_of(&first), "GRO-2").await;
    assert!(said.contains("Drafted GRO-2"), "{said}");
    let alert = bot
        .fake
        .messages_in(FakeDiscord::CHANNEL_ID)
        .into_iter()
        .find(|m| m["id"] == message["id"])
        .expect("the alert is still there");
    assert!(
        !custom_ids(&alert["components"])
            .iter()
            .any(|id| id.starts_with("okr:k:")),
        "no Start an OKR once the objective exists: {:#}",
        alert["components"]
    );
    let (second, _) = bot.press(LEAD, &message, &start).await;
    let said = answer_to(&bot, &token_of(&second), "GRO-2").await;
    assert!(said.contains("GRO-2") && said.contains("already"), "{said}");
    assert_eq!(objectives(&bot).await, 2, "GRO-1 and one draft");

    // At once, on the next alert (the KPI recovered, then fell again).
    kpi(
        &bot,
        LEAD,
        MEMBER,
        sub(
            "set",
            vec![text("kpi", "conversion"), text("value", "7.5%")],
        ),
    )
    .await;
    // Back in range for longer than the undo window: the recovery is told, and the next fall
    // is a new alert (within the window it would be the same one, never ended).
    bot.past_the_undo_window();
    bot.nth(1, |r| {
        posted_in(r, FakeDiscord::CHANNEL_ID) && says(r, "KPI conversion is back in its healthy")
    })
    .await;
    let (message, start) = alert_after_reading(&bot, "6.1%", 2).await;
    let presses: Vec<Value> = (0..2)
        .map(|_| fixtures::button(&start, LEAD, message.clone()))
        .collect();
    for p in &presses {
        bot.fake.send_interaction(p.clone()).await;
    }
    for p in &presses {
        let said = answer_to(&bot, &token_of(p), "GRO-3").await;
        assert!(said.contains("GRO-3"), "{said}");
    }
    assert_eq!(objectives(&bot).await, 3, "one draft for the second alert");
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn kpi_help_lists_only_the_kpi_commands_privately() {
    let bot = Bot::start().await;
    let reply = kpi(&bot, OWNER, "0", sub("help", vec![])).await;
    assert_eq!(reply.body()["type"], 4);
    assert!(reply.body()["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0);
    let said = words(&reply.body()["data"]);
    assert!(
        said.contains("/kpi set kpi:conversion value:6.4%"),
        "{said}"
    );
    assert!(said.contains("/kpi source"), "{said}");
    assert!(!said.contains("/okr update"), "{said}");
    assert!(!said.contains("/okr-setup"), "{said}");
    assert_no_violations(&bot.fake);
}

/// Team Growth with KPI conversion (owned by [`OWNER`], read at 7.2% on Thursday), added and
/// read by slash commands, and Monday's prompt in the owner's DM.
async fn prompted_for_conversion(bot: &Bot) -> (u64, Value) {
    bot.growth().await;
    kpi(
        bot,
        ADMIN,
        MANAGE_SERVER,
        sub(
            "add",
            vec![
                text("team", "Growth"),
                text("name", "conversion"),
                text("unit", "percent"),
                text("min", "7"),
                user("owner", OWNER),
            ],
        ),
    )
    .await;
    kpi(
        bot,
        OWNER,
        MEMBER,
        sub(
            "set",
            vec![text("kpi", "conversion"), text("value", "7.2%")],
        ),
    )
    .await;
    bot.prompt_dm().await
}

async fn conversion_readings(bot: &Bot) -> Vec<f64> {
    let admin = bot.admin().await;
    let shown = bot
        .okr
        .kpi_show(&admin, "conversion", prompt_slot())
        .await
        .expect("kpi show");
    shown.readings.iter().map(|r| r.value).collect()
}

#[tokio::test]
async fn a_kpi_in_the_owners_prompt_is_read_through_its_own_form_and_then_shown_done() {
    let bot = Bot::start().await;
    let (dm, prompt) = prompted_for_conversion(&bot).await;
    let said = words(&prompt);
    assert!(said.contains("1 key result and 1 KPI"), "{said}");
    assert!(said.contains("KPI conversion"), "{said}");
    let update = button_id(&prompt, "okr:ku:");
    button_id(&prompt, "okr:kn:");
    button_id(&prompt, "okr:u:GRO-1.1:");

    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let modal = body(&callback);
    assert_eq!(modal["type"], 9, "a form: {modal:#}");
    let form_id = modal["data"]["custom_id"]
        .as_str()
        .expect("the form's custom_id")
        .to_owned();
    assert!(form_id.starts_with("okr:km:"), "{form_id}");
    assert_eq!(custom_ids(&modal["data"]["components"]), ["value"]);
    assert_eq!(modal["data"]["title"], "Reading of conversion");

    // A value that is not a reading: told why, nothing written.
    let bad = bot.form(OWNER, &prompt, &form_id, &[("value", "lots")]);
    let (_, answer) = bot.submit(&bad, 1).await;
    assert!(words(body(&answer)).contains("❌"), "{:#}", body(&answer));
    assert_eq!(conversion_readings(&bot).await, [7.2]);

    let form = bot.form(OWNER, &prompt, &form_id, &[("value", "7.4%")]);
    let (_, answer) = bot.submit(&form, 1).await;
    assert!(
        words(body(&answer)).contains("Reading of conversion recorded"),
        "{:#}",
        body(&answer)
    );
    assert_eq!(conversion_readings(&bot).await, [7.4, 7.2]);
    let edited = &bot.fake.messages_in(dm)[0];
    let said = words(edited);
    assert!(said.contains("✅ KPI conversion"), "{said}");
    assert!(said.contains("checked in: 7.4%"), "{said}");
    let left = custom_ids(&edited["components"]);
    assert!(
        !left
            .iter()
            .any(|id| id.starts_with("okr:ku:") || id.starts_with("okr:kn:")),
        "{left:?}"
    );
    assert!(
        left.iter().any(|id| id.starts_with("okr:u:GRO-1.1:")),
        "{left:?}"
    );
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_kpis_no_change_button_reads_it_once_however_often_it_is_pressed() {
    let bot = Bot::start().await;
    let (dm, prompt) = prompted_for_conversion(&bot).await;
    let keep = button_id(&prompt, "okr:kn:");
    bot.press(OWNER, &prompt, &keep).await;
    bot.fake
        .wait_for(
            |r| r.method == "PATCH" && says(r, "checked in: 7.2% (no change)"),
            WAIT,
        )
        .await;
    assert_eq!(conversion_readings(&bot).await, [7.2, 7.2]);
    // The same button again (a double click, or a client still showing it): nothing new.
    bot.press(OWNER, &prompt, &keep).await;
    bot.fake
        .wait_for(
            |r| r.method == "PATCH" && r.path.contains("/messages/@original"),
            WAIT,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(conversion_readings(&bot).await, [7.2, 7.2]);
    let msg = &bot.fake.messages_in(dm)[0];
    assert!(words(msg).contains("✅ KPI conversion"), "{msg:#}");
    assert_no_violations(&bot.fake);
}
