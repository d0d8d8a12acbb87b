//! The commands Discord gained with the command layer (objective edit, kr list, kr edit start:,
//! nochange all, export) answer as the console's do.

use super::*;

/// The answer to a deferred command: the first request after its callback that carries its
/// token (the edit of the deferred reply, or a follow-up).
async fn deferred_answer(bot: &Bot, options: Value, user_id: u64, permissions: &str) -> Recorded {
    let command = okr_command(options, user_id, permissions);
    let token = token_of(&command);
    bot.send_slash(command).await;
    bot.fake
        .wait_for(
            |r| r.path.contains(&token) && !r.is("POST", CALLBACK) && r.method != "GET",
            WAIT,
        )
        .await
}

#[tokio::test]
async fn objective_edit_kr_list_kr_edit_and_nochange_all_work_on_discord() {
    let bot = Bot::start().await;
    bot.growth().await;

    let edited = bot
        .ok(
            ADMIN,
            MANAGE_SERVER,
            grouped(
                "objective",
                "edit",
                vec![
                    text("objective", "GRO-1"),
                    text("title", "Grow a kind community"),
                ],
            ),
        )
        .await;
    assert!(
        words(&edited.body()["data"]).contains("Objective GRO-1 updated: Grow a kind community")
    );

    let listed = bot
        .ok(
            OWNER,
            MEMBER,
            grouped("kr", "list", vec![user("owner", OWNER)]),
        )
        .await;
    let said = words(&listed.body()["data"]);
    assert!(said.contains("GRO-1.1 Weekly active members"), "{said}");
    assert_eq!(listed.body()["data"]["flags"], 64, "a status is private");

    bot.ok(
        ADMIN,
        MANAGE_SERVER,
        grouped(
            "kr",
            "edit",
            vec![text("kr", "GRO-1.1"), text("start", "10")],
        ),
    )
    .await;
    let admin = bot.admin().await;
    let kr = bot.okr.kr(&admin, "GRO-1.1").await.expect("the key result");
    assert_eq!((kr.start, kr.target), (10.0, 100.0));

    // No prompt has reached the owner yet: a clear refusal, nothing written.
    let none = bot
        .slash(OWNER, MEMBER, sub("nochange", vec![text("kr", "all")]))
        .await;
    let said = words(&none.body()["data"]);
    assert!(said.contains("no check-in prompt of yours"), "{said}");
    assert!(bot.history("GRO-1.1").await.is_empty());
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn an_export_arrives_as_a_private_file_that_imports_back() {
    let bot = Bot::start().await;
    bot.growth().await;
    let answer = deferred_answer(
        &bot,
        sub("export", vec![text("format", "json")]),
        OWNER,
        MEMBER,
    )
    .await;
    assert_eq!(answer.status, 200, "Discord accepted the export");
    let file = answer
        .files
        .iter()
        .find(|f| f.filename == "okrs.json")
        .unwrap_or_else(|| panic!("no okrs.json in {:?}", answer.files));
    let doc = okrbot::service::data::parse_export(&String::from_utf8_lossy(&file.bytes))
        .expect("the file is an okrbot export");
    assert_eq!(doc.objectives.len(), 1);
    assert_eq!(doc.objectives[0].key_results[0].code, "GRO-1.1");

    let bad = bot
        .slash(OWNER, MEMBER, sub("export", vec![text("format", "xml")]))
        .await;
    let token = token_of(&bad.interaction);
    let refusal = bot
        .fake
        .wait_for(
            |r| r.path.contains(&token) && !r.is("POST", CALLBACK) && r.method != "GET",
            WAIT,
        )
        .await;
    let said = words(body(&refusal));
    assert!(said.contains("format:xml is not known"), "{said}");
    assert_no_violations(&bot.fake);
}
