//! Kill -9 soak (issue #23): real `okrbot run` processes on one database against the fake
//! Discord, killed with SIGKILL at random and started again at once, as a service manager
//! would, while a Monday fan-out goes out and owners check in through whichever process holds
//! the gateway. On PostgreSQL two processes run side by side (one decides and connects the
//! gateway, both deliver, a standby takes over); on SQLite, where every process holds every
//! role and two would both connect the gateway, one process is killed and restarted. Either
//! way: no acknowledged check-in is lost, none is recorded twice, no prompt is sent twice, and
//! the gateway is never connected twice at once.
//!
//! The processes run on the system clock, so the team's cycle is set around today and the
//! prompt schedule is set to have fired a minute ago: the first process to decide sends it at
//! once, as a restart within the catch-up window does. `OKRBOT_SOAK_SEED` replays a run.

use std::collections::HashMap;
use std::process::{Command, Stdio};

use chrono::Timelike;
use okrbot::service::schedule::ScheduleChange;

use super::*;

const OWNERS: usize = 150;
const CHECK_INS: usize = 60;
const KILLS: usize = 6;

/// The owner of key result GRO-1.(n+1).
fn owner_id(n: usize) -> u64 {
    1_400_000_000_000_000_000 + n as u64
}

/// A child process, killed if the test ends before it does.
pub(super) struct Process {
    pub(super) child: std::process::Child,
    name: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn okrbot_run(url: &str, fake: &FakeDiscord, dir: &std::path::Path, name: &str) -> Process {
    okrbot_run_with(url, fake, dir, name, &[])
}

/// `okrbot run` on `url` against `fake`, logging to `<name>.log` in `dir`, with `settings` in
/// its environment besides.
pub(super) fn okrbot_run_with(
    url: &str,
    fake: &FakeDiscord,
    dir: &std::path::Path,
    name: &str,
    settings: &[(&str, String)],
) -> Process {
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).expect("a log file");
    let child = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .arg("run")
        .env("DISCORD_TOKEN", TOKEN)
        .env("OKRBOT_DISCORD__API_BASE", fake.rest_url())
        .env("OKRBOT_DISCORD__ANSWER_WITHIN_MS", "2000")
        .env("OKRBOT_DATABASE_URL", url)
        .env("OKRBOT_HTTP__LISTEN", "127.0.0.1:0")
        .env("OKRBOT_LOG", "info")
        // Last, so that they win over the defaults above.
        .envs(settings.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("okrbot run starts");
    Process {
        child,
        name: name.to_owned(),
    }
}

/// xorshift64: the soak's choices, replayable from the printed seed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// Team Growth with a key result per owner in a cycle around today, its prompt schedule fired a
/// minute ago and its reminders and digests out of the way (1 January), all through the core.
async fn growth_today(okr: &Okr) -> Actor {
    let now = Utc::now();
    let earlier = now - chrono::Duration::minutes(10);
    let workspace = okr
        .workspace(
            &format!("discord:{}", FakeDiscord::GUILD_ID),
            &FakeDiscord::GUILD_ID.to_string(),
            earlier,
        )
        .await
        .expect("the guild's workspace");
    let admin = Actor {
        workspace,
        user: mention(ADMIN),
        admin: true,
        roles: vec![],
    };
    super::growth_team(okr, &admin, earlier).await;
    let today = now.date_naive();
    okr.cycle_new(
        &admin,
        "Soak",
        today - chrono::Duration::days(2),
        today + chrono::Duration::days(60),
        earlier,
    )
    .await
    .expect("a cycle around today");
    let owners: Vec<String> = (0..OWNERS).map(|i| mention(owner_id(i))).collect();
    super::everyone_checks_in(okr, &admin, &owners, earlier).await;
    // Daily at the minute before this one, set two minutes ago: due a minute ago.
    let fired = (now - chrono::Duration::minutes(1)).with_timezone(&chrono_tz::Europe::Berlin);
    okr.schedule_set(
        &admin,
        "Growth",
        ScheduleChange {
            prompt: Some(format!("{} {} * * *", fired.minute(), fired.hour())),
            reminder: Some("0 9 1 1 *".into()),
            digest: Some("0 16 1 1 *".into()),
            hours: Some("always".into()),
        },
        now - chrono::Duration::minutes(2),
    )
    .await
    .expect("the schedule");
    admin
}

/// Whether the bot told the person their check-in was recorded: an answer in the callback, or
/// a deferral and then the answer edited in.
fn acknowledged(fake: &FakeDiscord, token: &str) -> bool {
    let ok = |b: &Value| !words(b).contains('❌');
    fake.requests().iter().any(|r| {
        r.status / 100 == 2
            && r.path.split('/').any(|s| s == token)
            && match r.body.as_ref() {
                Some(b) if r.is("POST", CALLBACK) => b["type"] == 4 && ok(&b["data"]),
                Some(b) if r.method == "PATCH" => ok(b),
                _ => false,
            }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_okrbot_at_random_loses_no_acknowledged_check_in_and_doubles_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
    let two = okrbot::store::is_postgres(&url);
    let fake = FakeDiscord::start().await;
    let okr = Okr::new(
        Store::open(&url).await.expect("the database opens"),
        &Config::default(),
    );
    let admin = growth_today(&okr).await;
    let seed = std::env::var("OKRBOT_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 | 1)
        });
    let mut dice = Dice(seed);
    let names = ["a", "b"];
    let mut processes: Vec<Process> = (0..if two { 2 } else { 1 })
        .map(|p| okrbot_run(&url, &fake, dir.path(), &format!("{}0", names[p])))
        .collect();
    fake.wait_ready(Duration::from_secs(60)).await;

    let prompted = |fake: &FakeDiscord| {
        (0..OWNERS)
            .filter(|&i| {
                fake.dm_channel_of(owner_id(i))
                    .is_some_and(|dm| !fake.messages_in(dm).is_empty())
            })
            .count()
    };
    let started = Instant::now();
    let deadline = started + Duration::from_secs(240);
    let mut sent: Vec<(usize, String)> = Vec::new();
    let mut kills: Vec<String> = Vec::new();
    // The first kill lands in the middle of the fan-out; the rest every 2-5 s.
    let mut next_kill: Option<Instant> = None;
    while sent.len() < CHECK_INS || kills.len() < KILLS {
        assert!(
            Instant::now() < deadline,
            "seed {seed}: {} check-ins sent, {} kills",
            sent.len(),
            kills.len()
        );
        let now = Instant::now();
        if sent.len() < CHECK_INS {
            let i = sent.len();
            let interaction = okr_command(
                sub(
                    "update",
                    vec![
                        text("kr", &format!("GRO-1.{}", i + 1)),
                        text("value", &(i + 1).to_string()),
                    ],
                ),
                owner_id(i),
                MEMBER,
            );
            // One that no process could take is tried again, as its owner would; one taken by
            // a process killed before it answered is not (its owner cannot know).
            if fake.try_send_interaction(interaction.clone()) {
                sent.push((i, token_of(&interaction)));
            }
        }
        if next_kill.is_none() && prompted(&fake) >= OWNERS / 5 {
            next_kill = Some(now);
        }
        if next_kill.is_some_and(|t| now >= t) && kills.len() < KILLS {
            let which = dice.roll(processes.len() as u64) as usize;
            let victim = &mut processes[which];
            victim.child.kill().expect("kill -9 okrbot");
            victim.child.wait().expect("reap okrbot");
            kills.push(format!(
                "{} at {:.1} s",
                victim.name,
                started.elapsed().as_secs_f64()
            ));
            let name = format!("{}{}", names[which], kills.len());
            processes[which] = okrbot_run(&url, &fake, dir.path(), &name);
            next_kill = Some(now + Duration::from_millis(2_000 + dice.roll(3_000)));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Rows a killed process held come free within a lease (30 s) and go again with their ids.
    while prompted(&fake) < OWNERS {
        assert!(
            Instant::now() < deadline,
            "seed {seed}: {} of {OWNERS} owners prompted",
            prompted(&fake)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Time for a second prompt to show, if one were coming.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for i in 0..OWNERS {
        let dm = fake.dm_channel_of(owner_id(i)).expect("a channel");
        assert_eq!(
            fake.messages_in(dm).len(),
            1,
            "seed {seed}: owner {i} prompted once"
        );
    }
    // Every answered check-in is recorded once; an unanswered one at most once.
    let mut answered = 0;
    let mut recorded_unanswered = 0;
    for (i, token) in &sent {
        let history = okr
            .history(&admin, &format!("GRO-1.{}", i + 1))
            .await
            .expect("history")
            .1;
        let recorded = history.iter().filter(|c| c.value == (i + 1) as f64).count();
        assert_eq!(
            history.len(),
            recorded,
            "seed {seed}: GRO-1.{}: only its own check-in: {history:?}",
            i + 1
        );
        if acknowledged(&fake, token) {
            answered += 1;
            assert_eq!(
                recorded,
                1,
                "seed {seed}: the answered check-in of GRO-1.{} is recorded once",
                i + 1
            );
        } else {
            assert!(recorded <= 1, "seed {seed}: GRO-1.{} twice", i + 1);
            recorded_unanswered += recorded;
        }
    }
    assert_eq!(
        fake.most_sessions_at_once(),
        1,
        "seed {seed}: the gateway connected once at a time"
    );
    let mut by_kind: HashMap<String, usize> = HashMap::new();
    for (kind, _, state) in crate::backend::raw!(okr.store(), |db| sqlx::query_as::<
        _,
        (String, String, String),
    >(
        "SELECT kind, recipient, state FROM deliveries"
    )
    .fetch_all(db)
    .await)
    .expect("the ledger")
    {
        *by_kind.entry(format!("{kind} {state}")).or_default() += 1;
    }
    assert_eq!(
        by_kind.get("prompt sent").copied(),
        Some(OWNERS),
        "seed {seed}: {by_kind:?}"
    );
    eprintln!(
        "soak (seed {seed}, {} process(es)): {} kills [{}]; {OWNERS} owners prompted once; \
         {} check-ins sent, {answered} answered and recorded once, {recorded_unanswered} unanswered \
         but recorded; the gateway was down {:?}; took {:.0} s; ledger {by_kind:?}",
        processes.len(),
        kills.len(),
        kills.join(", "),
        sent.len(),
        fake.gateway_gaps(),
        started.elapsed().as_secs_f64(),
    );
    assert!(
        answered >= CHECK_INS / 2,
        "seed {seed}: only {answered} of {CHECK_INS} check-ins answered"
    );
    assert_no_violations(&fake);
}
