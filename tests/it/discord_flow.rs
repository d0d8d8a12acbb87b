//! okrbot's Discord bot end to end: the real `okrbot::discord::bot::run` (poise on serenity, the
//! scheduler and the paced Discord outbox inside it) against the fake Discord of
//! `tests/fake_discord`, on a SQLite file and a [`ManualClock`].
//!
//! Every test acts in the cycle "Winter" (2026-11-11 to 2027-01-31) of team Growth
//! (Europe/Berlin, UTC+1 in November, channel [`FakeDiscord::CHANNEL_ID`]). The clock starts on
//! Thursday 2026-11-12 10:00Z; the Monday 09:00 prompt is then 2026-11-16 08:00Z and the Monday
//! 16:00 digest 15:00Z. The cycle is young enough (under 10 % elapsed) that pace does not colour a
//! key result yet: statuses come from confidence, so each test decides when something turns red.
//!
//! Synchronisation is always on something the fake observed (`wait_for` with a timeout), never on
//! a fixed sleep. Every test ends asserting the fake saw no violation of Discord's API.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::at;
use crate::fake_discord::{fixtures, objects, Failure, FakeDiscord, Recorded, RouteMatch};
use chrono::{DateTime, Utc};
use okrbot::clock::{Clock, ManualClock};
use okrbot::config::Config;
use okrbot::discord::bot::{run, Connection};
use okrbot::domain::model::{CheckIn, CheckInSource, Member};
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr};
use okrbot::store::Store;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The cast, the calendar, the limits
// ---------------------------------------------------------------------------------------------

const TOKEN: &str = "fake-token-SECRET123";
/// Holds Manage Server (and nothing else of note): a workspace admin.
const ADMIN: u64 = 1_100_000_000_000_000_010;
/// Growth's lead.
const LEAD: u64 = 1_100_000_000_000_000_020;
/// Owns the key result GRO-1.1.
const OWNER: u64 = 1_100_000_000_000_000_030;
/// Another member, owner of other key results.
const OTHER: u64 = 1_100_000_000_000_000_040;
/// An ordinary member's permissions plus MANAGE_GUILD (1 << 5).
const MANAGE_SERVER: &str = "2147552288";
const MEMBER: &str = fixtures::MEMBER_PERMISSIONS;
/// Generous for a debug build on 2 cores; every wait ends as soon as its event is seen.
const WAIT: Duration = Duration::from_secs(30);
/// Discord's deadline for the first answer to an interaction.
const DEADLINE: Duration = Duration::from_secs(3);
/// How long the harness lets a command work before the bot defers its answer: most tests read
/// the answer in the callback itself, which a slow debug build must not turn into a deferral.
/// The tests of deferral use okrbot's own `ANSWER_WITHIN`.
const READ_THE_CALLBACK: Duration = Duration::from_millis(2500);
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const CALLBACK: &str = "/interactions/{id}/{token}/callback";
const CHANNEL_MESSAGES: &str = "/channels/{channel}/messages";

/// Thursday before the first prompt.
fn start() -> DateTime<Utc> {
    at("2026-11-12T10:00:00Z")
}

/// Monday 09:00 in Berlin: the default prompt slot.
fn prompt_slot() -> DateTime<Utc> {
    at("2026-11-16T08:00:00Z")
}

/// Monday 16:00 in Berlin: the default digest slot.
fn digest_slot() -> DateTime<Utc> {
    at("2026-11-16T15:00:00Z")
}

fn mention(id: u64) -> String {
    format!("<@{id}>")
}

// ---------------------------------------------------------------------------------------------
// Slash command options as Discord sends them
// ---------------------------------------------------------------------------------------------

fn text(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

fn integer(name: &str, value: i64) -> Value {
    json!({"name": name, "type": 4, "value": value})
}

fn user(name: &str, id: u64) -> Value {
    json!({"name": name, "type": 6, "value": id.to_string()})
}

fn channel(name: &str, id: u64) -> Value {
    json!({"name": name, "type": 7, "value": id.to_string()})
}

/// The option being typed, for autocomplete.
fn focused(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value, "focused": true})
}

/// A reply that must be a success: visible (type 4), with embeds, not a refusal.
fn succeeded(reply: Reply) -> Reply {
    let b = reply.body();
    assert_eq!(b["type"], 4, "a reply: {b:#}");
    assert!(
        !words(&b["data"]).contains('❌'),
        "the command was refused: {b:#}"
    );
    assert!(
        b["data"]["embeds"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "the reply carries embeds: {b:#}"
    );
    reply
}

/// `/okr <name> …`: a subcommand.
fn sub(name: &str, options: Vec<Value>) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

/// `/okr <group> <name> …`: a subcommand in a group.
fn grouped(group: &str, name: &str, options: Vec<Value>) -> Value {
    json!([{"name": group, "type": 2, "options": [{"name": name, "type": 1, "options": options}]}])
}

/// Discord resolves user and channel options into `data.resolved`; serenity reads them there.
fn resolve(interaction: &mut Value) {
    fn walk(options: &Value, users: &mut Vec<u64>, channels: &mut Vec<u64>) {
        for o in options.as_array().into_iter().flatten() {
            let id = o["value"].as_str().and_then(|v| v.parse().ok());
            match (o["type"].as_u64(), id) {
                (Some(6), Some(id)) => users.push(id),
                (Some(7), Some(id)) => channels.push(id),
                _ => walk(&o["options"], users, channels),
            }
        }
    }
    let (mut users, mut channels) = (Vec::new(), Vec::new());
    walk(&interaction["data"]["options"], &mut users, &mut channels);
    let mut resolved = json!({});
    for id in users {
        resolved["users"][id.to_string()] = objects::user(id, &format!("user{id}"), false);
    }
    for id in channels {
        resolved["channels"][id.to_string()] = json!({
            "id": id.to_string(), "name": "okrs", "type": 0, "permissions": "2248473465835073",
        });
    }
    if resolved.as_object().is_some_and(|r| !r.is_empty()) {
        interaction["data"]["resolved"] = resolved;
    }
}

/// `/okr …` invoked by `user_id` with `permissions`, resolved as Discord sends it.
fn okr_command(options: Value, user_id: u64, permissions: &str) -> Value {
    let mut i = fixtures::slash_command("okr", options, user_id, permissions);
    resolve(&mut i);
    i
}

/// Moves a guild interaction fixture into the bot's DM channel `channel_id` with `user_id`, as
/// Discord sends a press or a form on a direct message: no guild, no member, the user at top level.
fn into_dm(interaction: &mut Value, user_id: u64, channel_id: u64) {
    let i = interaction.as_object_mut().expect("an interaction object");
    for key in ["guild_id", "member", "guild_locale"] {
        i.remove(key);
    }
    i.insert("channel_id".into(), json!(channel_id.to_string()));
    i.insert("channel".into(), objects::dm_channel(channel_id, user_id));
    i.insert(
        "user".into(),
        objects::user(user_id, &format!("user{user_id}"), false),
    );
    i.insert("authorizing_integration_owners".into(), json!({"0": "0"}));
    i.insert("context".into(), json!(1));
}

// ---------------------------------------------------------------------------------------------
// Reading what the bot sent
// ---------------------------------------------------------------------------------------------

/// All the words of a message: content, embed titles, descriptions, fields and footers.
fn words(message: &Value) -> String {
    let mut out = vec![message["content"].as_str().unwrap_or("").to_owned()];
    for e in message["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            out.push(e[key].as_str().unwrap_or("").to_owned());
        }
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push(f["name"].as_str().unwrap_or("").to_owned());
            out.push(f["value"].as_str().unwrap_or("").to_owned());
        }
        out.push(e["footer"]["text"].as_str().unwrap_or("").to_owned());
    }
    out.join("\n")
}

/// The `custom_id`s of a message's buttons (or a modal's inputs), row by row.
fn custom_ids(components: &Value) -> Vec<String> {
    components
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_owned))
        .collect()
}

fn body(r: &Recorded) -> &Value {
    r.body.as_ref().expect("a request with a JSON body")
}

fn is_callback(r: &Recorded, token: &str) -> bool {
    r.is("POST", CALLBACK) && r.path.split('/').any(|s| s == token)
}

fn token_of(interaction: &Value) -> String {
    interaction["token"]
        .as_str()
        .expect("an interaction has a token")
        .to_owned()
}

/// A successful message post to `channel_id`.
fn posted_in(r: &Recorded, channel_id: u64) -> bool {
    r.is("POST", CHANNEL_MESSAGES)
        && r.status == 200
        && r.path == format!("/channels/{channel_id}/messages")
}

fn median(mut v: Vec<Duration>) -> Duration {
    assert!(!v.is_empty(), "no latency measured");
    v.sort();
    v[v.len() / 2]
}

// ---------------------------------------------------------------------------------------------
// The bot under test
// ---------------------------------------------------------------------------------------------

/// The answer to a slash command: the interaction sent and the callback the fake received.
struct Reply {
    interaction: Value,
    callback: Recorded,
}

impl Reply {
    fn body(&self) -> &Value {
        body(&self.callback)
    }
}

/// The fake Discord, the real bot on it, the clock its scheduler sleeps on, and its database.
struct Bot {
    fake: FakeDiscord,
    okr: Okr,
    clock: ManualClock,
    task: tokio::task::JoinHandle<()>,
    /// From each `send_interaction` to the fake receiving that interaction's callback.
    latencies: Mutex<Vec<Duration>>,
    /// The bot's database, for a second process on it.
    database_url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Bot {
    /// Starts the fake and the bot at [`start`], and waits until the bot has identified and
    /// registered its commands.
    async fn start() -> Bot {
        Bot::start_with(|_| {}).await
    }

    /// [`Bot::start`], with the fake prepared (failures injected) before the bot connects.
    async fn start_with(prepare: impl FnOnce(&FakeDiscord)) -> Bot {
        Bot::start_answering_within(READ_THE_CALLBACK, prepare).await
    }

    /// [`Bot::start_with`], deferring any answer not ready `within`.
    async fn start_answering_within(within: Duration, prepare: impl FnOnce(&FakeDiscord)) -> Bot {
        Bot::launch(within, false, prepare).await
    }

    /// A bot that talks to `https://discord.com` itself, as in production (serenity's own rate
    /// limiter on, no proxy): the fake serves discord.com over TLS.
    async fn start_as_in_production(prepare: impl FnOnce(&FakeDiscord)) -> Bot {
        Bot::launch(READ_THE_CALLBACK, true, prepare).await
    }

    async fn launch(within: Duration, production: bool, prepare: impl FnOnce(&FakeDiscord)) -> Bot {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
        let store = Store::open(&url).await.expect("the database opens");
        let okr = Okr::new(store, &Config::default());
        let clock = ManualClock::new(start());
        let mut fake = FakeDiscord::start().await;
        prepare(&fake);
        let (proxy, http_client) = if production {
            (None, Some(fake.as_discord_com().await))
        } else {
            (Some(fake.rest_url()), None)
        };
        let conn = Connection {
            token: TOKEN.into(),
            proxy,
            global_commands: false,
            answer_within: Some(within),
            http_client,
            ..Connection::default()
        };
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let bot_okr = okr.clone();
        // The process's roles, as `okrbot run` starts them: the gateway, and beside it the
        // scheduler delivering through the Discord outbox.
        let outbox = okrbot::discord::bot::outbox(&conn, okr.clone(), shared.clone());
        let scheduler = okrbot::scheduler::Scheduler::new(okr.clone());
        let scheduler_clock = shared.clone();
        let task = tokio::spawn(async move {
            let routes = okrbot::outbox::Routes {
                people: &outbox,
                channels: &outbox,
            };
            let deliveries =
                scheduler.run(scheduler_clock.as_ref(), &routes, std::future::pending());
            let gateway = run(bot_okr, shared, conn, std::future::pending());
            tokio::select! {
                r = gateway => if let Err(e) = r {
                    eprintln!("the bot stopped: {e:#}");
                },
                () = deliveries => eprintln!("the scheduler stopped"),
            }
        });
        fake.wait_ready(WAIT).await;
        fake.wait_for(
            |r| r.is("PUT", "/applications/{app}/guilds/{guild}/commands"),
            WAIT,
        )
        .await;
        Bot {
            fake,
            okr,
            clock,
            task,
            latencies: Mutex::default(),
            database_url: url,
            _dir: dir,
        }
    }

    /// The `n`-th request (from 1) satisfying `pred`, waiting for it if need be.
    async fn nth(&self, n: usize, pred: impl Fn(&Recorded) -> bool) -> Recorded {
        self.fake
            .wait_for(
                |r| {
                    pred(r)
                        && self
                            .fake
                            .requests()
                            .iter()
                            .filter(|x| x.received_at <= r.received_at && pred(x))
                            .count()
                            >= n
                },
                WAIT,
            )
            .await
    }

    /// Dispatches `interaction` and waits for its `n`-th callback (Discord may deliver one
    /// interaction twice); records the latency of the first.
    async fn dispatch(&self, interaction: &Value, n: usize) -> Recorded {
        let token = token_of(interaction);
        self.fake.send_interaction(interaction.clone()).await;
        let callback = self.nth(n, |r| is_callback(r, &token)).await;
        assert_eq!(callback.status, 204, "Discord accepted the callback");
        callback
    }

    /// A slash command interaction, sent; waits for its callback.
    async fn send_slash(&self, interaction: Value) -> Reply {
        let token = token_of(&interaction);
        let sent = Instant::now();
        self.fake.send_interaction(interaction.clone()).await;
        let callback = self.fake.wait_for(|r| is_callback(r, &token), WAIT).await;
        self.latencies
            .lock()
            .unwrap()
            .push(callback.received_at.saturating_duration_since(sent));
        assert_eq!(callback.status, 204, "Discord accepted the callback");
        Reply {
            interaction,
            callback,
        }
    }

    /// `/okr …` by `user_id` with `permissions`; waits for the callback.
    async fn slash(&self, user_id: u64, permissions: &str, options: Value) -> Reply {
        self.send_slash(okr_command(options, user_id, permissions))
            .await
    }

    /// `/okr-setup …` (the admin's own top-level command) by `user_id`; waits for the callback.
    async fn setup(&self, user_id: u64, permissions: &str, options: Vec<Value>) -> Reply {
        let mut i = fixtures::slash_command("okr-setup", json!(options), user_id, permissions);
        resolve(&mut i);
        self.send_slash(i).await
    }

    /// A slash command that must succeed: a visible reply (type 4) with embeds.
    async fn ok(&self, user_id: u64, permissions: &str, options: Value) -> Reply {
        succeeded(self.slash(user_id, permissions, options).await)
    }

    /// `/okr-setup` that must succeed.
    async fn ok_setup(&self, user_id: u64, permissions: &str, options: Vec<Value>) -> Reply {
        succeeded(self.setup(user_id, permissions, options).await)
    }

    /// `user_id` presses the button `custom_id` on `message` (a message the fake holds, in a
    /// guild channel or a DM); returns the interaction and its callback.
    async fn press(&self, user_id: u64, message: &Value, custom_id: &str) -> (Value, Recorded) {
        let channel: u64 = message["channel_id"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .expect("a message has a channel");
        let mut i = fixtures::button(custom_id, user_id, message.clone());
        if message["guild_id"].is_null() {
            into_dm(&mut i, user_id, channel);
        }
        let callback = self.dispatch(&i, 1).await;
        (i, callback)
    }

    /// The form `custom_id` submitted by `user_id` with `fields`, from the button on `message`
    /// (Discord includes the message a form was opened from).
    fn form(
        &self,
        user_id: u64,
        message: &Value,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> Value {
        let channel: u64 = message["channel_id"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .expect("a message has a channel");
        let mut i = fixtures::modal_submit(custom_id, fields, user_id);
        i["message"] = message.clone();
        if message["guild_id"].is_null() {
            into_dm(&mut i, user_id, channel);
        }
        i
    }

    /// Submits `form` (delivery `n` of it) and waits for the edit that reports the outcome.
    async fn submit(&self, form: &Value, n: usize) -> (Recorded, Recorded) {
        let token = token_of(form);
        let callback = self.dispatch(form, n).await;
        let answer = self
            .nth(n, |r| {
                r.path.contains(&token) && !r.is("POST", CALLBACK) && r.method != "GET"
            })
            .await;
        assert_eq!(answer.status, 200, "Discord accepted the answer");
        (callback, answer)
    }

    /// Sets the clock: the scheduler inside the bot wakes and does what is due.
    fn set_clock(&self, t: DateTime<Utc>) {
        self.clock.set(t);
    }

    /// Moves the clock past the undo window of what was just typed, so that the alerts it
    /// caused are told.
    fn past_the_undo_window(&self) {
        self.clock
            .advance(okrbot::service::undo::UNDO_WINDOW + chrono::Duration::seconds(1));
    }

    /// A workspace admin of the guild's workspace, for reading rows through the core.
    async fn admin(&self) -> Actor {
        let workspace = self
            .okr
            .workspace(
                &format!("discord:{}", FakeDiscord::GUILD_ID),
                &FakeDiscord::GUILD_ID.to_string(),
                start(),
            )
            .await
            .expect("the guild's workspace");
        Actor {
            workspace,
            user: mention(ADMIN),
            admin: true,
            roles: vec![],
        }
    }

    async fn history(&self, kr: &str) -> Vec<CheckIn> {
        let admin = self.admin().await;
        self.okr.history(&admin, kr).await.expect("history").1
    }

    /// `(kind, recipient, state)` of every delivery in the ledger.
    async fn ledger(&self) -> Vec<(String, String, String)> {
        crate::backend::raw!(self.okr.store(), |db| sqlx::query_as(
            "SELECT kind, recipient, state FROM deliveries ORDER BY id"
        )
        .fetch_all(db)
        .await)
        .expect("the ledger reads")
    }

    /// The ledger once `settled` holds: the scheduler marks a delivery after Discord's answer
    /// reaches it, a moment after the fake recorded the request. Polls; fails after [`WAIT`].
    async fn ledger_when(
        &self,
        what: &str,
        settled: impl Fn(&[(String, String, String)]) -> bool,
    ) -> Vec<(String, String, String)> {
        let deadline = Instant::now() + WAIT;
        loop {
            let ledger = self.ledger().await;
            if settled(&ledger) {
                return ledger;
            }
            assert!(Instant::now() < deadline, "{what}; the ledger: {ledger:#?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Team Growth through `/okr-setup`, a cycle, an objective and key result GRO-1.1 (metric,
    /// 0 -> 100, owner [`OWNER`]), each through its slash command by the admin.
    async fn growth(&self) -> [Reply; 4] {
        self.growth_in_cycle("2026-11-11", "2027-01-31").await
    }

    /// [`Bot::growth`] with the cycle "Winter" running from `start` to `end` (`YYYY-MM-DD`).
    async fn growth_in_cycle(&self, start: &str, end: &str) -> [Reply; 4] {
        let setup = self
            .ok_setup(
                ADMIN,
                MANAGE_SERVER,
                vec![
                    text("team", "Growth"),
                    text("timezone", "Europe/Berlin"),
                    channel("channel", FakeDiscord::CHANNEL_ID),
                    user("lead", LEAD),
                ],
            )
            .await;
        let cycle = self
            .ok(
                ADMIN,
                MANAGE_SERVER,
                grouped(
                    "cycle",
                    "new",
                    vec![
                        text("name", "Winter"),
                        text("start", start),
                        text("end", end),
                    ],
                ),
            )
            .await;
        let objective = self
            .ok(
                ADMIN,
                MANAGE_SERVER,
                grouped(
                    "objective",
                    "add",
                    vec![text("team", "Growth"), text("title", "Grow the community")],
                ),
            )
            .await;
        let kr = self
            .ok(
                ADMIN,
                MANAGE_SERVER,
                grouped(
                    "kr",
                    "add",
                    vec![
                        text("objective", "GRO-1"),
                        text("title", "Weekly active members"),
                        text("kind", "metric"),
                        text("start", "0"),
                        text("target", "100"),
                        text("unit", "count"),
                        user("owner", OWNER),
                    ],
                ),
            )
            .await;
        [setup, cycle, objective, kr]
    }

    /// Team Growth (lead [`LEAD`], the channel, prefix GRO) and the cycle Winter, through the
    /// core.
    async fn team_by_core(&self) {
        let admin = self.admin().await;
        growth_team(&self.okr, &admin, start()).await;
        self.winter_by_core().await;
    }

    /// The cycle Winter (2026-11-11 to 2027-01-31), through the core.
    async fn winter_by_core(&self) {
        let admin = self.admin().await;
        self.okr
            .cycle_new(
                &admin,
                "Winter",
                chrono::NaiveDate::from_ymd_opt(2026, 11, 11).expect("a date"),
                chrono::NaiveDate::from_ymd_opt(2027, 1, 31).expect("a date"),
                start(),
            )
            .await
            .expect("cycle");
    }

    /// [`Bot::team_by_core`], objective GRO-1 and a key result GRO-1.n for each of `owners`:
    /// a bot that defers its answers cannot be set up through [`Bot::ok`].
    async fn growth_by_core(&self, owners: &[String]) {
        self.team_by_core().await;
        let admin = self.admin().await;
        everyone_checks_in(&self.okr, &admin, owners, start()).await;
    }

    /// Moves to the Monday prompt and returns the DM the owner received (its channel and the
    /// message as the fake holds it).
    async fn prompt_dm(&self) -> (u64, Value) {
        self.set_clock(prompt_slot());
        let open = self
            .fake
            .wait_for(|r| r.is("POST", "/users/@me/channels"), WAIT)
            .await;
        assert_eq!(body(&open)["recipient_id"], OWNER.to_string());
        let dm = self.fake.dm_channel_of(OWNER).expect("a DM with the owner");
        self.fake.wait_for(|r| posted_in(r, dm), WAIT).await;
        let messages = self.fake.messages_in(dm);
        assert_eq!(messages.len(), 1, "one prompt: {messages:#?}");
        (dm, messages[0].clone())
    }
}

/// Team Growth (Europe/Berlin, the fixture channel, prefix GRO, led by [`LEAD`]), set up at `at`
/// through the core.
async fn growth_team(okr: &Okr, admin: &Actor, at: DateTime<Utc>) {
    okr.setup(
        admin,
        SetupInput {
            team: "Growth".into(),
            timezone: Some("Europe/Berlin".into()),
            channel: Some(FakeDiscord::CHANNEL_ID.to_string()),
            prefix: Some("GRO".into()),
            leads: Some(vec![Member::Person(mention(LEAD))]),
        },
        at,
    )
    .await
    .expect("setup");
}

/// Objective GRO-1 of team Growth and a metric key result GRO-1.n (0 to 100) for each of
/// `owners`, made at `at` through the core.
async fn everyone_checks_in(okr: &Okr, admin: &Actor, owners: &[String], at: DateTime<Utc>) {
    let objective = okr
        .objective_add(
            admin,
            ObjectiveInput {
                team: "Growth".into(),
                title: "Everyone checks in".into(),
                ..ObjectiveInput::default()
            },
            at,
        )
        .await
        .expect("objective");
    for (i, owner) in owners.iter().enumerate() {
        okr.kr_add(
            admin,
            KrInput {
                objective: objective.code.clone(),
                title: format!("Calls by owner {i}"),
                kind: Some("metric".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(owner.clone()),
                ..KrInput::default()
            },
            at,
        )
        .await
        .expect("a key result");
    }
}

/// The custom_id of the button whose id starts with `prefix`.
fn button_id(message: &Value, prefix: &str) -> String {
    custom_ids(&message["components"])
        .into_iter()
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix}… button on {message:#}"))
}

fn assert_no_violations(fake: &FakeDiscord) {
    assert_eq!(fake.violations(), Vec::<String>::new());
}

mod autocomplete;
mod bulk;
mod commands;
mod errors;
mod fan_out;
mod full_flow;
mod kpis;
mod older_commands;
mod owners;
mod people;
mod plain_words;
mod redelivery;
mod refusals;
mod registration;
mod rights_secrets_latency;
mod shards;
mod soak;
mod subprocess;
