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
    for command in ["setup", "update", "status", "nochange", "snooze", "history"] {
        assert_eq!(option(command)["type"], 1, "/okr {command} is a subcommand");
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
