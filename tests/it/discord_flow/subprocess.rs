//! Section 11: the `okrbot run` binary itself against the fake Discord, found through
//! `discord.api_base` (`OKRBOT_DISCORD__API_BASE`): setup by slash commands, a prompt on a
//! schedule set a minute ahead, a button, the form, a digest, and a clean stop on SIGTERM.

use std::process::{Command, Stdio};

use chrono::Timelike;

use super::*;

/// The child process, killed if the test fails before it stops it.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

/// VmRSS of a process, in kB (0 where /proc cannot say).
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn okrbot_run_drives_setup_a_prompt_a_button_the_form_and_a_digest_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
    let log = dir.path().join("okrbot.log");
    let fake = FakeDiscord::start().await;
    // OKRBOT_BIN measures another build (the release binary) with the same flow.
    let bin = std::env::var("OKRBOT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_okrbot").into());
    let child = Command::new(bin)
        .arg("run")
        .env("DISCORD_TOKEN", TOKEN)
        .env("OKRBOT_DISCORD__API_BASE", fake.rest_url())
        // The flow is what is tested here, not the 40 ms a debug build on a machine busy with
        // other tests cannot always keep (the deferral has tests of its own).
        .env("OKRBOT_DISCORD__ANSWER_WITHIN_MS", "2000")
        .env("OKRBOT_DATABASE_URL", &url)
        .env("OKRBOT_HTTP__LISTEN", "127.0.0.1:0")
        .env("OKRBOT_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("okrbot run starts");
    let mut child = Child(child);
    fake.wait_ready(WAIT).await;
    fake.wait_for(
        |r| r.is("PUT", "/applications/{app}/guilds/{guild}/commands"),
        WAIT,
    )
    .await;
    let idle_kb = rss_kb(child.0.id());
    eprintln!("okrbot run resident memory, connected and idle: {idle_kb} kB");
    // The test reads the same database; the process's own clock is the system's.
    let store = Store::open(&url).await.expect("the database opens");
    let bot = Bot {
        fake,
        okr: Okr::new(store, &Config::default()),
        clock: ManualClock::new(Utc::now()),
        task: tokio::spawn(async {}),
        latencies: Mutex::default(),
        database_url: url.clone(),
        _dir: dir,
    };
    // Team Growth (Europe/Berlin) and a cycle around today, whatever day the test runs.
    let now = Utc::now();
    let day = |d: i64| {
        (now + chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    bot.growth_in_cycle(&day(-2), &day(60)).await;
    // The prompt at the next whole minute with at least 20 s to spare, in the team's zone.
    let at = (now + chrono::Duration::seconds(80)).with_timezone(&chrono_tz::Europe::Berlin);
    let cron = format!("{} {} * * *", at.minute(), at.hour());
    bot.ok(
        LEAD,
        MEMBER,
        grouped(
            "schedule",
            "set",
            vec![text("team", "Growth"), text("prompt", &cron)],
        ),
    )
    .await;
    let open = bot
        .fake
        .wait_for(
            |r| r.is("POST", "/users/@me/channels"),
            Duration::from_secs(150),
        )
        .await;
    assert_eq!(body(&open)["recipient_id"], OWNER.to_string());
    let dm = bot.fake.dm_channel_of(OWNER).expect("a DM with the owner");
    bot.fake.wait_for(|r| posted_in(r, dm), WAIT).await;
    let prompt = bot.fake.messages_in(dm)[0].clone();
    assert!(words(&prompt).contains("GRO-1.1"), "{prompt:#}");

    // The Update button opens the form; the form records the value.
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    assert_eq!(body(&callback)["type"], 9, "a form: {:#}", body(&callback));
    let form_id = body(&callback)["data"]["custom_id"]
        .as_str()
        .expect("a form id")
        .to_owned();
    let form = bot.form(OWNER, &prompt, &form_id, &[("value", "42")]);
    bot.submit(&form, 1).await;
    let history = bot.history("GRO-1.1").await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].value, 42.0);

    // A digest on demand reaches the team's channel.
    bot.slash(
        ADMIN,
        MANAGE_SERVER,
        sub("digest", vec![text("team", "Growth")]),
    )
    .await;
    let digest = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("digest"),
            WAIT,
        )
        .await;
    assert!(words(body(&digest)).contains("42"), "{:#}", body(&digest));
    assert_no_violations(&bot.fake);

    // Resident memory once it has served all that; the target for idle is 30 MB in a
    // release build (the debug build of the tests is larger).
    let after_kb = rss_kb(child.0.id());
    eprintln!("okrbot run resident memory after the flow: {after_kb} kB");
    assert!(after_kb < 80 * 1024, "{after_kb} kB resident");

    // SIGTERM: exit 0 within 10 s.
    let sent = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let asked = Instant::now();
    let status = loop {
        if let Some(s) = child.0.try_wait().expect("the child") {
            break s;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "exit {status:?}: {said}");
    assert!(!said.contains(TOKEN), "the token is never logged");
}

/// With another REST base, a failed gateway lookup stops the bot instead of serenity quietly
/// connecting to Discord's own gateway.
#[test]
fn a_failed_gateway_lookup_at_a_custom_base_stops_the_bot() {
    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let url = crate::backend::fresh_url_blocking(dir.path(), "t.db");
    let out = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .arg("run")
        .env("DISCORD_TOKEN", TOKEN)
        .env(
            "OKRBOT_DISCORD__API_BASE",
            format!("http://127.0.0.1:{port}"),
        )
        .env("OKRBOT_DATABASE_URL", &url)
        .env("OKRBOT_HTTP__LISTEN", "127.0.0.1:0")
        .output()
        .expect("okrbot runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("not falling back to Discord's own gateway"),
        "{said}"
    );
    assert!(!said.contains(TOKEN), "{said}");

    let out = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .arg("run")
        .env("DISCORD_TOKEN", TOKEN)
        .env("OKRBOT_DISCORD__API_BASE", "http://proxy.example.com")
        .env("OKRBOT_DATABASE_URL", &url)
        .output()
        .expect("okrbot runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be https"));
}

/// The scheduler is a role of the process, not of the gateway: `okrbot schedule run`, given a
/// Discord token, decides the due prompt and delivers it over REST, and the process never
/// connects a gateway (so a worker can run beside `okrbot run --no-scheduler`).
#[tokio::test]
async fn okrbot_schedule_run_delivers_to_discord_over_rest_without_a_gateway() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
    let fake = FakeDiscord::start().await;
    let store = Store::open(&url).await.expect("the database opens");
    let okr = Okr::new(store, &Config::default());
    // Monday 16 November 2026, 09:00:30 in Berlin: the default prompt is due.
    let now: DateTime<Utc> = "2026-11-16T08:00:30Z".parse().expect("an instant");
    let lines = [
        format!(
            "/okr setup team:Growth timezone:Europe/Berlin channel:{} lead:<@{LEAD}>",
            FakeDiscord::CHANNEL_ID
        ),
        "/okr cycle new name:Q4 start:2026-10-01 end:2026-12-31".to_owned(),
        "/okr objective add team:Growth title:Onboarding".to_owned(),
        format!(
            "/okr kr add objective:GRO-1 title:Signups kind:metric start:0 target:100 owner:<@{OWNER}>"
        ),
    ];
    as_the_lead(&okr, &lines, now - chrono::Duration::days(7)).await;
    let mut worker = Command::new(env!("CARGO_BIN_EXE_okrbot"));
    worker
        .args(["schedule", "run", "--once", "--now", &now.to_rfc3339()])
        .env("DISCORD_TOKEN", TOKEN)
        .env("OKRBOT_DISCORD__API_BASE", fake.rest_url())
        .env("OKRBOT_DATABASE_URL", &url)
        .env("OKRBOT_HTTP__LISTEN", "127.0.0.1:0");
    // The fake answers on this test's runtime: wait for the process off it.
    let out = tokio::task::spawn_blocking(move || worker.output())
        .await
        .expect("the wait")
        .expect("okrbot schedule run runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dm = fake
        .dm_channel_of(OWNER)
        .expect("a DM opened with the owner");
    let prompt = fake.messages_in(dm);
    assert_eq!(prompt.len(), 1, "one prompt: {prompt:#?}");
    assert!(words(&prompt[0]).contains("GRO-1.1"), "{:#}", prompt[0]);
    assert!(
        !fake.requests().iter().any(|r| r.path == "/gateway/bot"),
        "no gateway looked up"
    );
    assert!(!fake.identified(), "no gateway connected");
    let sent: i64 = crate::backend::raw!(okr.store(), |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE kind = 'prompt' AND state = 'sent'",
    )
    .fetch_one(db)
    .await)
    .expect("the ledger");
    assert_eq!(sent, 1, "the ledger says sent");
}

/// `okrbot run --no-scheduler` is the gateway and the listener only: a prompt that is due when
/// it starts (one an `okrbot run` with its scheduler sends at once, as the catch-up rule says)
/// is left for the process that runs the scheduler.
#[tokio::test]
async fn okrbot_run_without_the_scheduler_answers_but_sends_no_prompt() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
    let fake = FakeDiscord::start().await;
    let store = Store::open(&url).await.expect("the database opens");
    let okr = Okr::new(store, &Config::default());
    // Set up two hours ago with an hourly prompt: at start, a slot of the last hour is due.
    let then = Utc::now() - chrono::Duration::hours(2);
    let day = |d: i64| {
        (then + chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let lines = [
        format!(
            "/okr setup team:Growth timezone:UTC channel:{} lead:<@{LEAD}>",
            FakeDiscord::CHANNEL_ID
        ),
        format!("/okr cycle new name:Now start:{} end:{}", day(-2), day(60)),
        "/okr objective add team:Growth title:Onboarding".to_owned(),
        format!(
            "/okr kr add objective:GRO-1 title:Signups kind:metric start:0 target:100 owner:<@{OWNER}>"
        ),
        "/okr schedule set team:Growth prompt:\"0 * * * *\"".to_owned(),
    ];
    as_the_lead(&okr, &lines, then).await;
    let child = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args(["run", "--no-scheduler"])
        .env("DISCORD_TOKEN", TOKEN)
        .env("OKRBOT_DISCORD__API_BASE", fake.rest_url())
        .env("OKRBOT_DATABASE_URL", &url)
        .env("OKRBOT_HTTP__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("okrbot run starts");
    let _child = Child(child);
    fake.wait_ready(WAIT).await;
    fake.wait_for(
        |r| r.is("PUT", "/applications/{app}/guilds/{guild}/commands"),
        WAIT,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fake.dm_channel_of(OWNER), None, "no prompt sent");
    let pending: i64 = crate::backend::raw!(okr.store(), |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE kind = 'prompt'"
    )
    .fetch_one(db)
    .await)
    .expect("the ledger");
    assert_eq!(pending, 0, "nothing decided either");
}

/// The guild's workspace set up by its lead at `at`, one console-spelled command a line.
async fn as_the_lead(okr: &Okr, lines: &[String], at: DateTime<Utc>) {
    let workspace = okr
        .workspace(&format!("discord:{}", FakeDiscord::GUILD_ID), "fake", at)
        .await
        .expect("the workspace");
    let lead = okrbot::service::Actor {
        workspace,
        user: format!("<@{LEAD}>"),
        admin: true,
        roles: vec![],
    };
    for line in lines {
        let okrbot::console::Line::Command(c) = okrbot::console::parse_line(line) else {
            panic!("{line} is a command");
        };
        okrbot::command::apply(okr, &lead, c, at)
            .await
            .unwrap_or_else(|e| panic!("{line}: {e}"));
    }
}
