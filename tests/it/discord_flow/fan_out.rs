//! The Monday fan-out at Discord's pace: the fake enforces Discord's global limit (50 requests
//! in any second, 429 beyond), and okrbot's pacer (40 a second) must never hit it while taking
//! no longer than the pace itself requires. `OKRBOT_FANOUT_OWNERS` sets how many owners (200
//! unless set; the note of issue #11 reports 10,000).

use super::*;
use okrbot::outbox::{Delivery, DeliveryKind, Outbox, Recipient};

/// Discord's global limit for a bot.
const DISCORD_GLOBAL: usize = 50;
/// okrbot's pace (`discord::delivery::DEFAULT_RATE`).
const PACE: f64 = 40.0;

fn owners() -> usize {
    std::env::var("OKRBOT_FANOUT_OWNERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

/// The owner of key result `n`: distinct Discord users.
fn owner_id(n: usize) -> u64 {
    1_300_000_000_000_000_000 + n as u64
}

/// What one Monday cost: the bot's requests after `since` (interaction callbacks aside).
struct Round {
    requests: usize,
    rate_limited: usize,
    /// Direct-message channels opened.
    opened: usize,
    took: Duration,
}

impl Round {
    /// The bot's requests after `since`, interaction callbacks aside.
    fn since(bot: &Bot, since: Instant) -> Round {
        let ours: Vec<Recorded> = bot
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.received_at >= since && !r.path.starts_with("/interactions/"))
            .collect();
        let first = ours.first().expect("requests").received_at;
        let last = ours.last().expect("requests").received_at;
        Round {
            requests: ours.len(),
            rate_limited: ours.iter().filter(|r| r.status == 429).count(),
            opened: ours
                .iter()
                .filter(|r| r.method == "POST" && r.path == "/users/@me/channels")
                .count(),
            took: last - first,
        }
    }

    /// Says what the round cost beside what the pace alone requires.
    fn say(&self, what: &str) {
        eprintln!(
            "{what}: {} requests in {:.1} s, the pace of one process alone {:.1} s ({:.3}x), {} 429s",
            self.requests,
            self.took.as_secs_f64(),
            self.ideal().as_secs_f64(),
            self.took.as_secs_f64() / self.ideal().as_secs_f64(),
            self.rate_limited,
        );
    }

    /// What the pace alone requires: one request per slot after the first.
    fn ideal(&self) -> Duration {
        Duration::from_secs_f64((self.requests.saturating_sub(1)) as f64 / PACE)
    }
}

/// Sets the clock to `slot` and waits until each of the `n` owners has one more prompt.
async fn monday(bot: &Bot, slot: DateTime<Utc>, n: usize, prompts_before: usize) -> Round {
    let since = Instant::now();
    bot.set_clock(slot);
    let want = prompts_before + n;
    let deadline = since + Duration::from_secs_f64(3.0 * n as f64 / PACE * 2.0 + 60.0);
    loop {
        let prompts = prompts_sent(bot);
        if prompts >= want {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {prompts} of {want} prompts went out"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Round::since(bot, since)
}

/// Prompts the owners have received: messages posted into direct-message channels.
fn prompts_sent(bot: &Bot) -> usize {
    let team_channel = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    bot.fake
        .count(|r| r.is("POST", CHANNEL_MESSAGES) && r.status == 200 && r.path != team_channel)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monday_fan_out_never_meets_discords_global_limit_and_takes_what_the_pace_takes() {
    let n = owners();
    let bot = Bot::start().await;
    let seeding = Instant::now();
    let owners: Vec<String> = (0..n).map(|i| mention(owner_id(i))).collect();
    bot.growth_by_core(&owners).await;
    eprintln!("{n} owners set up in {:?}", seeding.elapsed());
    bot.fake.limit_globally(DISCORD_GLOBAL);

    // The first Monday opens a direct-message channel for each owner, then prompts them.
    let first = monday(&bot, prompt_slot(), n, 0).await;
    // The next one reuses the channels.
    let second = monday(&bot, prompt_slot() + chrono::Duration::days(7), n, n).await;
    for (name, round, least) in [("first", &first, 2 * n), ("second", &second, n)] {
        // Each owner's prompt is one message; a lead's report or a digest may add a few.
        round.say(&format!("{name} Monday, {n} owners"));
        assert_eq!(round.rate_limited, 0, "{name} Monday met Discord's limit");
        assert!(
            round.requests >= least,
            "{name} Monday: {} requests for {n} owners",
            round.requests
        );
        assert!(
            round.took.as_secs_f64() <= round.ideal().as_secs_f64() * 1.1,
            "{name} Monday took {:?}, the pace alone {:?}",
            round.took,
            round.ideal()
        );
    }
    assert_eq!(first.opened, n, "one channel opened per owner");
    assert_eq!(second.opened, 0, "the second Monday reuses them");
    assert_no_violations(&bot.fake);
}

/// The Discord outbox another process on the bot's database would have: its own memory of
/// direct-message channels, the same database (and so the same pace), the same fake Discord.
fn outbox_of_another_process(bot: &Bot, okr: Okr) -> okrbot::discord::delivery::DiscordOutbox {
    let conn = Connection {
        token: TOKEN.into(),
        proxy: Some(bot.fake.rest_url()),
        global_commands: false,
        answer_within: None,
        http_client: None,
        ..Connection::default()
    };
    okrbot::discord::bot::outbox(&conn, okr, Arc::new(bot.clock.clone()))
}

/// Direct-message channels are kept in the database: a process that did not open them (a
/// second okrbot, or this one restarted, its memory empty) prompts the same owners without
/// opening any again, one request per owner instead of two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_reuses_the_direct_message_channels_the_first_opened() {
    const N: usize = 5;
    let bot = Bot::start().await;
    let owners: Vec<String> = (0..N).map(|i| mention(owner_id(i))).collect();
    bot.growth_by_core(&owners).await;
    let first = monday(&bot, prompt_slot(), N, 0).await;
    assert_eq!(
        first.opened, N,
        "the first Monday opens each owner's channel"
    );

    let (workspace, team): (i64, i64) = crate::backend::raw!(bot.okr.store(), |db| {
        sqlx::query_as("SELECT workspace_id, team_id FROM deliveries WHERE kind = 'prompt' LIMIT 1")
            .fetch_one(db)
            .await
    })
    .expect("a prompt in the ledger");
    // Another process's outbox: the same database, a memory of its own.
    let other = outbox_of_another_process(&bot, bot.okr.clone());
    let opened_before = bot.fake.count(|r| r.is("POST", "/users/@me/channels"));
    for (i, owner) in owners.iter().enumerate() {
        let d = Delivery {
            id: 9_000_000 + i as i64,
            workspace: okrbot::domain::model::WorkspaceId(workspace),
            team: okrbot::domain::model::TeamId(team),
            team_tz: chrono_tz::Europe::Berlin,
            team_channel: None,
            kind: DeliveryKind::Prompt,
            recipient: Recipient::User(owner.clone()),
            slot: prompt_slot(),
            due: prompt_slot(),
            attempts: 0,
            message: okrbot::domain::message::Message::new("Check-in time"),
            replaces: None,
        };
        other.send(&d).await.expect("sent");
        let dm = bot
            .fake
            .dm_channel_of(owner_id(i))
            .expect("the owner's channel");
        assert!(
            bot.fake
                .messages_in(dm)
                .iter()
                .any(|m| m.to_string().contains("Check-in time")),
            "the prompt went to the channel the first process opened"
        );
    }
    let opened = bot.fake.count(|r| r.is("POST", "/users/@me/channels")) - opened_before;
    assert_eq!(opened, 0, "no channel opened again");
}

/// The Monday fan-out with two processes delivering (a second `Okr` on the same database, its own
/// Discord outbox, its scheduler standing beside the bot's): the work is shared, nothing is sent
/// twice, and the pace is the bot's, booked in the database, so the two together never meet
/// Discord's global limit and take what one process's pace takes (`docs/operations.md`, "Several
/// processes"). Before the pace was shared, each process kept 40 a second of its own and 200
/// owners met 20-28 429s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_a_fan_out_and_each_owner_gets_one_prompt() {
    let n = owners();
    let bot = Bot::start().await;
    let owners: Vec<String> = (0..n).map(|i| mention(owner_id(i))).collect();
    bot.growth_by_core(&owners).await;
    bot.fake.limit_globally(DISCORD_GLOBAL);
    let clock: Arc<dyn Clock> = Arc::new(bot.clock.clone());
    let second = Okr::new(
        okrbot::store::Store::open(&bot.database_url)
            .await
            .expect("the database opens"),
        &Config::default(),
    );
    let outbox = outbox_of_another_process(&bot, second.clone());
    let scheduler = okrbot::scheduler::Scheduler::new(second);
    let task = tokio::spawn(async move {
        let routes = okrbot::outbox::Routes {
            people: &outbox,
            channels: &outbox,
        };
        scheduler
            .run(clock.as_ref(), &routes, std::future::pending())
            .await;
    });
    // The clock moves as time does, so that a request Discord refused (429) is tried again
    // when its pause is over, as it would be in production.
    let since = Instant::now();
    bot.set_clock(prompt_slot());
    while prompts_sent(&bot) < n {
        assert!(
            since.elapsed() < Duration::from_secs(120),
            "only {} of {n} prompts went out",
            prompts_sent(&bot)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        bot.clock.advance(chrono::Duration::milliseconds(100));
    }
    task.abort();
    let round = Round::since(&bot, since);
    round.say(&format!("first Monday, {n} owners, two processes"));
    assert_eq!(round.rate_limited, 0, "two processes met Discord's limit");
    assert!(
        round.took.as_secs_f64() <= round.ideal().as_secs_f64() * 1.1,
        "two processes took {:?}, the pace alone {:?}",
        round.took,
        round.ideal()
    );
    // Every owner exactly one prompt: one message in each owner's channel.
    for i in 0..n {
        let dm = bot.fake.dm_channel_of(owner_id(i)).expect("a channel");
        assert_eq!(bot.fake.messages_in(dm).len(), 1, "owner {i}");
    }
}
