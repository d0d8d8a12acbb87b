//! 1. Registration.

use super::*;

// ---------------------------------------------------------------------------------------------
// 1. Registration
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_okr_command_tree_is_registered_in_the_guild_as_discord_accepts_it() {
    let bot = Bot::start().await;
    let put = bot
        .fake
        .wait_for(
            |r| r.is("PUT", "/applications/{app}/guilds/{guild}/commands"),
            WAIT,
        )
        .await;
    assert_eq!(
        put.path,
        format!(
            "/applications/{}/guilds/{}/commands",
            FakeDiscord::APPLICATION_ID,
            FakeDiscord::GUILD_ID
        )
    );
    assert_eq!(put.status, 200);
    assert!(
        !bot.fake
            .requests()
            .iter()
            .any(|r| r.is("PUT", "/applications/{app}/commands")),
        "no global registration when global_commands is false"
    );
    let commands = body(&put).as_array().expect("a list of commands");
    let okr = commands
        .iter()
        .find(|c| c["name"] == "okr")
        .expect("the okr command");
    let option = |name: &str| {
        okr["options"]
            .as_array()
            .expect("okr has options")
            .iter()
            .find(|o| o["name"] == name)
            .unwrap_or_else(|| panic!("/okr {name} is registered: {okr:#}"))
            .clone()
    };
    for group in ["cycle", "objective", "kr", "schedule"] {
        let g = option(group);
        assert_eq!(g["type"], 2, "/okr {group} is a subcommand group");
        let subs = g["options"].as_array().expect("a group has subcommands");
        assert!(!subs.is_empty());
        assert!(subs.iter().all(|s| s["type"] == 1), "{g:#}");
    }
    for command in ["update", "status", "nochange", "snooze", "history"] {
        assert_eq!(option(command)["type"], 1, "/okr {command} is a subcommand");
    }
    // Discord hides a command from members without a permission only at the top level: setup
    // is a command of its own that asks for Manage Server (bit 5), /okr and /kpi ask for none.
    assert!(
        okr["options"]
            .as_array()
            .is_some_and(|o| o.iter().all(|o| o["name"] != "setup")),
        "setup is not under /okr: {okr:#}"
    );
    let setup = commands
        .iter()
        .find(|c| c["name"] == "okr-setup")
        .expect("the okr-setup command");
    assert_eq!(setup["default_member_permissions"], "32", "{setup:#}");
    assert_eq!(setup["contexts"], json!([0]), "guild only: {setup:#}");
    let names: Vec<&str> = setup["options"]
        .as_array()
        .expect("setup's options")
        .iter()
        .map(|o| o["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(
        names,
        ["team", "timezone", "channel", "lead", "lead_role", "prefix"]
    );
    for c in commands.iter().filter(|c| c["name"] != "okr-setup") {
        assert!(
            c["default_member_permissions"].is_null(),
            "/{} is offered to everyone: {c:#}",
            c["name"]
        );
    }
    let cycle = option("cycle");
    let subs: Vec<&str> = cycle["options"]
        .as_array()
        .expect("cycle's subcommands")
        .iter()
        .map(|s| s["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(subs, ["new", "list", "close"]);
    let kr_option = option("update")["options"]
        .as_array()
        .expect("update's options")
        .iter()
        .find(|o| o["name"] == "kr")
        .cloned()
        .expect("update kr:");
    assert_eq!(kr_option["autocomplete"], true);
    assert_no_violations(&bot.fake);
}

const GUILD_COMMANDS: &str = "/applications/{app}/guilds/{guild}/commands";

/// Invited without `applications.commands`, a guild answers 403 to registration. That guild's
/// failure is retried on its own; the bot still answers and its scheduler still delivers.
#[tokio::test]
async fn a_guild_refusing_registration_leaves_the_bot_answering_and_delivering() {
    let bot = Bot::start_with(|fake| {
        fake.fail_next_times(
            RouteMatch::new("PUT", GUILD_COMMANDS),
            Failure::Refused {
                status: 403,
                code: 50001,
                message: "Missing Access",
            },
            2,
        )
    })
    .await;
    // The two refusals, then the retry that goes through (backoff 1 s, 2 s).
    let puts = |bot: &Bot| {
        bot.fake
            .requests()
            .into_iter()
            .filter(|r| r.is("PUT", GUILD_COMMANDS))
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(puts(&bot)[0], 403);
    // Meanwhile everything works: set up a team and get its prompt.
    bot.growth().await;
    let (_dm, prompt) = bot.prompt_dm().await;
    assert!(words(&prompt).contains("GRO-1.1"), "{prompt:#}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while puts(&bot).last() != Some(&200) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(puts(&bot), [403, 403, 200]);
    assert_no_violations(&bot.fake);
}

/// A server that adds the bot later gets `/okr` at once, not at the next restart.
#[tokio::test]
async fn a_guild_joined_later_gets_its_commands_registered() {
    let bot = Bot::start().await;
    const LATER: u64 = 1_100_000_000_000_000_077;
    bot.fake.join_guild(LATER);
    let put = bot
        .fake
        .wait_for(
            |r| r.is("PUT", GUILD_COMMANDS) && r.path.contains(&LATER.to_string()),
            WAIT,
        )
        .await;
    assert_eq!(put.status, 200);
    // The first guild's GUILD_CREATE after READY did not register it a second time.
    let first = bot
        .fake
        .requests()
        .iter()
        .filter(|r| {
            r.is("PUT", GUILD_COMMANDS) && r.path.contains(&FakeDiscord::GUILD_ID.to_string())
        })
        .count();
    assert_eq!(first, 1);
    assert_no_violations(&bot.fake);
}
