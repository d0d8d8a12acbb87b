//! Proof that the fake Discord is fit to test the bot against: its fixtures and answers are what
//! serenity 0.12.5 accepts, a real poise framework runs end to end on it, its validator catches a
//! body Discord would refuse, and its injected failures reach the bot as serenity errors of a
//! known shape.

use std::time::Duration;

use crate::fake_discord::{fixtures, objects, Failure, FakeDiscord, RouteMatch};
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, ClientBuilder, CreateAttachment, CreateCommand, CreateEmbed, CreateMessage,
    EditMessage, GatewayIntents, GuildId, Http, HttpBuilder, Interaction, UserId,
};

const TOKEN: &str = "fake.bot.token";
const USER: u64 = 1_100_000_000_000_000_050;
const WAIT: Duration = Duration::from_secs(20);

/// A message that pings no one, as every message the bot sends says whom it pings.
fn quiet() -> CreateMessage {
    CreateMessage::new().allowed_mentions(serenity::all::CreateAllowedMentions::new())
}

fn http_for(fake: &FakeDiscord) -> Http {
    HttpBuilder::new(TOKEN)
        .proxy(fake.rest_url())
        .ratelimiter_disabled(true)
        .application_id(FakeDiscord::APPLICATION_ID.into())
        .build()
}

fn interaction(value: Value) -> Interaction {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("serenity refuses the fixture: {e}\n{value:#}"))
}

// (1) Fixtures are interactions serenity accepts.

#[test]
fn a_slash_command_fixture_is_a_serenity_command_interaction() {
    let options = json!([{"name": "status", "type": 1, "options": [
        {"name": "team", "type": 3, "value": "growth"}
    ]}]);
    let fixture = fixtures::slash_command("okr", options, USER, fixtures::ADMIN_PERMISSIONS);
    let Interaction::Command(command) = interaction(fixture) else {
        panic!("not a command interaction")
    };
    assert_eq!(command.data.name, "okr");
    assert_eq!(command.guild_id, Some(GuildId::new(FakeDiscord::GUILD_ID)));
    let member = command.member.expect("a guild interaction has a member");
    assert_eq!(member.user.id, UserId::new(USER));
    assert!(member.permissions.expect("permissions").administrator());
}

#[test]
fn an_autocomplete_fixture_is_a_serenity_autocomplete_interaction() {
    let options = json!([{"name": "kr", "type": 3, "value": "K", "focused": true}]);
    let fixture = fixtures::autocomplete("checkin", options, USER, fixtures::MEMBER_PERMISSIONS);
    let Interaction::Autocomplete(ac) = interaction(fixture) else {
        panic!("not an autocomplete interaction")
    };
    assert_eq!(ac.data.autocomplete().expect("a focused option").value, "K");
}

#[test]
fn a_button_fixture_is_a_serenity_component_interaction_on_its_message() {
    let message = fixtures::message_with_button(FakeDiscord::CHANNEL_ID, "confirm:1");
    let Interaction::Component(click) = interaction(fixtures::button("confirm:1", USER, message))
    else {
        panic!("not a component interaction")
    };
    assert_eq!(click.data.custom_id, "confirm:1");
    assert_eq!(click.message.components.len(), 1);
}

#[test]
fn a_dm_button_fixture_has_a_user_and_no_guild() {
    let message = fixtures::message_with_button(fixtures::dm_channel_id(USER), "snooze");
    let Interaction::Component(click) = interaction(fixtures::dm_button("snooze", USER, message))
    else {
        panic!("not a component interaction")
    };
    assert_eq!(click.guild_id, None);
    assert!(click.member.is_none());
    assert_eq!(click.user.id, UserId::new(USER));
}

#[test]
fn a_modal_submit_fixture_is_a_serenity_modal_interaction_with_its_values() {
    let fixture = fixtures::modal_submit("checkin:K1", &[("value", "42"), ("note", "ok")], USER);
    let Interaction::Modal(modal) = interaction(fixture) else {
        panic!("not a modal interaction")
    };
    assert_eq!(modal.data.custom_id, "checkin:K1");
    assert_eq!(modal.data.components.len(), 2);
}

// (2) The fake's own answers deserialize into serenity's types.

#[test]
fn the_gateway_objects_deserialize_into_serenity_types() {
    let ready: serenity::all::Ready =
        serde_json::from_value(objects::ready("ws://127.0.0.1:1")).expect("READY");
    assert_eq!(ready.user.id, UserId::new(FakeDiscord::BOT_USER_ID));
    assert_eq!(ready.guilds[0].id, GuildId::new(FakeDiscord::GUILD_ID));
    let guild: serenity::all::Guild =
        serde_json::from_value(objects::guild()).expect("GUILD_CREATE");
    assert!(guild
        .channels
        .contains_key(&ChannelId::new(FakeDiscord::CHANNEL_ID)));
}

#[tokio::test]
async fn the_rest_answers_deserialize_through_serenitys_own_client() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);

    let me = http.get_current_user().await.expect("GET /users/@me");
    assert_eq!(me.id, UserId::new(FakeDiscord::BOT_USER_ID));
    let app = http
        .get_current_application_info()
        .await
        .expect("GET /oauth2/applications/@me");
    assert_eq!(app.id.get(), FakeDiscord::APPLICATION_ID);
    let gateway = http.get_bot_gateway().await.expect("GET /gateway/bot");
    assert!(gateway.url.starts_with("ws://127.0.0.1:"));
    let channel = http
        .get_channel(ChannelId::new(FakeDiscord::CHANNEL_ID))
        .await
        .expect("GET /channels/{id}");
    assert!(channel.guild().is_some());
    let roles = GuildId::new(FakeDiscord::GUILD_ID)
        .roles(&http)
        .await
        .expect("GET roles");
    assert_eq!(roles.len(), 1);

    let dm = UserId::new(USER)
        .create_dm_channel(&http)
        .await
        .expect("POST /users/@me/channels");
    let again = UserId::new(USER)
        .create_dm_channel(&http)
        .await
        .expect("the same DM");
    assert_eq!(dm.id, again.id, "one DM channel per recipient");
    assert_eq!(fake.dm_channel_of(USER), Some(dm.id.get()));

    let sent = dm
        .id
        .send_message(&http, quiet().content("your check-in is due"))
        .await
        .expect("POST /channels/{id}/messages");
    let mut edited = sent.clone();
    edited
        .edit(
            &http,
            EditMessage::new()
                .allowed_mentions(serenity::all::CreateAllowedMentions::new())
                .content("done, thanks"),
        )
        .await
        .expect("PATCH /channels/{id}/messages/{mid}");
    assert!(edited.edited_timestamp.is_some());
    let in_dm = fake.messages_in(dm.id.get());
    assert_eq!(in_dm.len(), 1);
    assert_eq!(in_dm[0]["content"], "done, thanks");

    let with_file = ChannelId::new(FakeDiscord::CHANNEL_ID)
        .send_message(
            &http,
            quiet().content("chart").add_file(CreateAttachment::bytes(
                vec![0x89, b'P', b'N', b'G'],
                "chart.png",
            )),
        )
        .await
        .expect("a multipart message");
    assert_eq!(with_file.attachments[0].filename, "chart.png");
    let upload = fake.wait_for(|r| !r.files.is_empty(), WAIT).await;
    assert_eq!(upload.files[0].bytes, vec![0x89, b'P', b'N', b'G']);
    assert_eq!(
        upload.body.as_ref().expect("payload_json")["content"],
        "chart"
    );

    let registered = GuildId::new(FakeDiscord::GUILD_ID)
        .set_commands(
            &http,
            vec![CreateCommand::new("okr").description("Run the OKRs")],
        )
        .await
        .expect("PUT guild commands");
    assert_eq!(registered[0].name, "okr");

    assert_eq!(fake.violations(), Vec::<String>::new());
}

// (3) A real poise framework, end to end.

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, (), Error>;

/// Checks that the bot is alive.
#[poise::command(slash_command)]
async fn ping(ctx: Context<'_>) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content("pong")
            .ephemeral(true),
    )
    .await?;
    Ok(())
}

/// OKR commands.
#[poise::command(slash_command, subcommands("status"))]
async fn okr(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Shows how the team's key results are doing.
#[poise::command(slash_command)]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    ctx.say("all green").await?;
    Ok(())
}

/// Starts a poise bot on the fake that registers its commands in the guild on READY.
async fn start_bot(fake: &FakeDiscord) -> tokio::task::JoinHandle<()> {
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping(), okr()],
            // The fake holds every bot to okrbot's rule: name exactly whom a message pings.
            allowed_mentions: Some(serenity::all::CreateAllowedMentions::new()),
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                let guild = GuildId::new(FakeDiscord::GUILD_ID);
                poise::builtins::register_in_guild(ctx, &framework.options().commands, guild)
                    .await?;
                Ok(())
            })
        })
        .build();
    let http = HttpBuilder::new(TOKEN)
        .proxy(fake.rest_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::non_privileged())
        .framework(framework)
        .await
        .expect("the serenity client builds");
    tokio::spawn(async move {
        client.start().await.expect("the shard runs");
    })
}

#[tokio::test]
async fn a_poise_bot_registers_its_commands_and_answers_ping_ephemerally() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake).await;
    fake.wait_ready(WAIT).await;

    let put = fake
        .wait_for(
            |r| r.is("PUT", "/applications/{app}/guilds/{guild}/commands"),
            WAIT,
        )
        .await;
    let commands = put.body.expect("a command list");
    let names: Vec<&str> = commands
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| c["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["ping", "okr"]);
    assert_eq!(commands[1]["options"][0]["name"], "status");
    assert_eq!(commands[1]["options"][0]["type"], 1, "a subcommand");

    let ping = fixtures::slash_command("ping", json!([]), USER, fixtures::MEMBER_PERMISSIONS);
    let token = ping["token"].as_str().expect("a token").to_owned();
    fake.send_interaction(ping).await;
    let callback = fake
        .wait_for(
            |r| r.is("POST", "/interactions/{id}/{token}/callback") && r.path.contains(&token),
            WAIT,
        )
        .await;
    let body = callback.body.expect("a callback body");
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["content"], "pong");
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(callback.status, 204);

    let status = fixtures::slash_command(
        "okr",
        json!([{"name": "status", "type": 1, "options": []}]),
        USER,
        fixtures::MEMBER_PERMISSIONS,
    );
    fake.send_interaction(status).await;
    fake.wait_for(
        |r| {
            r.body
                .as_ref()
                .is_some_and(|b| b["data"]["content"] == "all green")
        },
        WAIT,
    )
    .await;
    let contents: Vec<Value> = fake
        .messages_in(FakeDiscord::CHANNEL_ID)
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    assert_eq!(contents, [json!("pong"), json!("all green")]);

    assert_eq!(fake.violations(), Vec::<String>::new());
    bot.abort();
}

// (4) The validator can fail, and then the fake answers as Discord does: 400, 50035.

fn assert_invalid_form_body(err: &serenity::Error) {
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) = err else {
        panic!("not an unsuccessful request: {err:?}")
    };
    assert_eq!(
        (r.status_code.as_u16(), r.error.code),
        (400, 50035),
        "{r:?}"
    );
}

#[tokio::test]
async fn an_embed_title_over_256_characters_is_reported_as_a_violation() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let embed = CreateEmbed::new()
        .title("t".repeat(300))
        .description("fine");
    let err = ChannelId::new(FakeDiscord::CHANNEL_ID)
        .send_message(&http, CreateMessage::new().embed(embed))
        .await
        .expect_err("Discord refuses a body that breaks its limits");
    assert_invalid_form_body(&err);
    assert!(
        fake.messages_in(FakeDiscord::CHANNEL_ID).is_empty(),
        "and keeps nothing of it"
    );
    let violations = fake.violations();
    assert!(
        violations
            .iter()
            .any(|v| v.contains("limit: embeds[0].title has 300 characters")),
        "{violations:#?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| v.contains("schema:") && v.contains("/embeds/0/title")),
        "the schema says so too: {violations:#?}"
    );
}

#[tokio::test]
async fn a_command_with_an_uppercase_name_is_reported_as_a_violation() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let err = GuildId::new(FakeDiscord::GUILD_ID)
        .set_commands(&http, vec![CreateCommand::new("Check In").description("x")])
        .await
        .expect_err("refused, as Discord refuses it");
    assert_invalid_form_body(&err);
    let violations = fake.violations();
    assert!(
        violations.iter().any(|v| v.contains("is not lowercase")),
        "{violations:#?}"
    );
}

#[tokio::test]
async fn a_route_the_fake_does_not_serve_is_a_violation_and_a_discord_404() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let err = GuildId::new(FakeDiscord::GUILD_ID)
        .webhooks(&http)
        .await
        .expect_err("404");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(response)) = err else {
        panic!("not an HTTP error: {err:?}")
    };
    assert_eq!(response.status_code.as_u16(), 404);
    assert_eq!(
        fake.violations(),
        [format!(
            "GET /guilds/{}/webhooks: a route the fake does not serve",
            FakeDiscord::GUILD_ID
        )]
    );
}

// (5) Injected failures, as the bot's code sees them.

#[tokio::test]
async fn an_injected_429_reaches_the_bot_as_an_unsuccessful_request_with_status_429() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(FakeDiscord::CHANNEL_ID);
    fake.fail_next(
        RouteMatch::new("POST", "/channels/{id}/messages"),
        Failure::RateLimited {
            retry_after_secs: 1.5,
            global: false,
        },
    );

    let err = channel
        .send_message(&http, quiet().content("digest"))
        .await
        .expect_err("rate limited");
    eprintln!("429 as the bot sees it: {err:#?}");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(response)) = &err
    else {
        panic!("not an unsuccessful request: {err:?}")
    };
    assert_eq!(response.status_code.as_u16(), 429);
    // Discord's 429 body has no `code`, which serenity's DiscordJsonError requires: serenity
    // substitutes code -1, and neither `retry_after` nor the headers survive into the error.
    assert_eq!(response.error.code, -1);

    let recorded = fake.wait_for(|r| r.status == 429, WAIT).await;
    assert!(recorded.is("POST", "/channels/{id}/messages"));
    channel
        .send_message(&http, quiet().content("digest"))
        .await
        .expect("an injection is used once");
    assert_eq!(fake.messages_in(channel.get()).len(), 1);
}

#[tokio::test]
async fn an_injection_with_a_count_fails_that_many_requests() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(FakeDiscord::CHANNEL_ID);
    fake.fail_next_times(
        RouteMatch::new("*", "/channels/{id}/messages"),
        Failure::RateLimited {
            retry_after_secs: 0.2,
            global: true,
        },
        2,
    );
    for _ in 0..2 {
        channel
            .send_message(&http, quiet().content("x"))
            .await
            .expect_err("rate limited");
    }
    channel
        .send_message(&http, quiet().content("x"))
        .await
        .expect("the third goes through");
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::test]
async fn an_injected_50007_reaches_the_bot_with_discords_code() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let dm = UserId::new(USER)
        .create_dm_channel(&http)
        .await
        .expect("a DM channel");
    fake.fail_next(
        RouteMatch::new("POST", "/channels/{id}/messages"),
        Failure::CannotMessageUser,
    );

    let err = dm
        .send_message(&http, quiet().content("your check-in is due"))
        .await
        .expect_err("DMs closed");
    eprintln!("50007 as the bot sees it: {err:#?}");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(response)) = &err
    else {
        panic!("not an unsuccessful request: {err:?}")
    };
    assert_eq!(response.status_code.as_u16(), 403);
    assert_eq!(response.error.code, 50007);
    assert_eq!(response.error.message, "Cannot send messages to this user");
    assert!(fake.messages_in(dm.id.get()).is_empty());
    assert_eq!(fake.violations(), Vec::<String>::new());
}
