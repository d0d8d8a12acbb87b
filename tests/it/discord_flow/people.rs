//! `/okr me`, `/okr away` and `/okr holidays` on Discord: a member in Tokyo is prompted at 09:00
//! there, by the running bot.

use super::*;

#[tokio::test]
async fn a_member_in_tokyo_is_prompted_at_nine_there_and_time_off_and_days_off_answer_privately() {
    let bot = Bot::start().await;
    bot.growth().await;
    let me = bot
        .ok(
            OWNER,
            MEMBER,
            sub("me", vec![text("timezone", "Asia/Tokyo")]),
        )
        .await;
    let said = words(&me.body()["data"]);
    assert!(
        said.contains("time zone: Asia/Tokyo, your own now"),
        "{said}"
    );
    assert!(said.contains("GRO-1.1"), "{said}");
    assert_eq!(me.body()["data"]["flags"], 64, "only the member sees it");

    // Someone who leads nothing may not set another member's zone; nothing changes.
    let refused = bot
        .slash(
            OTHER,
            MEMBER,
            sub("me", vec![text("timezone", "UTC"), user("member", OWNER)]),
        )
        .await;
    let said = words(&refused.body()["data"]);
    assert!(said.contains("themselves, an admin, or a lead"), "{said}");

    // Monday 09:00 in Tokyo is Monday 00:00 UTC, eight hours before the team's own prompt.
    bot.set_clock(at("2026-11-16T00:00:00Z"));
    let dm = {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(dm) = bot.fake.dm_channel_of(OWNER) {
                if !bot.fake.messages_in(dm).is_empty() {
                    break dm;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no prompt reached the owner in Tokyo"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(
        words(&bot.fake.messages_in(dm)[0]).contains("Weekly check-in for Growth"),
        "{:?}",
        bot.fake.messages_in(dm)
    );

    let away = bot
        .ok(
            OWNER,
            MEMBER,
            grouped(
                "away",
                "set",
                vec![
                    text("from", "2026-12-21"),
                    text("to", "2027-01-04"),
                    text("note", "family"),
                ],
            ),
        )
        .await;
    let said = words(&away.body()["data"]);
    assert!(
        said.contains("is away Dec 21 to Jan 4 2027 (family)"),
        "{said}"
    );
    let listed = bot
        .ok(
            LEAD,
            MEMBER,
            grouped("away", "list", vec![text("team", "Growth")]),
        )
        .await;
    let said = words(&listed.body()["data"]);
    assert!(said.contains("Dec 21 to Jan 4 2027"), "{said}");

    let days = bot
        .ok(
            LEAD,
            MEMBER,
            grouped(
                "holidays",
                "add",
                vec![
                    text("team", "Growth"),
                    text("dates", "2026-12-24..2026-12-26"),
                ],
            ),
        )
        .await;
    let said = words(&days.body()["data"]);
    assert!(said.contains("3 days off added for Growth"), "{said}");
    let bad = bot
        .slash(
            LEAD,
            MEMBER,
            grouped(
                "holidays",
                "add",
                vec![text("team", "Growth"), text("dates", "Christmas")],
            ),
        )
        .await;
    let said = words(&bad.body()["data"]);
    assert!(said.contains("dates:Christmas is not a day"), "{said}");
    assert_no_violations(&bot.fake);
}
