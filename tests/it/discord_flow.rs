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
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const CALLBACK: &str = "/interactions/{id}/{token}/callback";
const CHANNEL_MESSAGES: &str = "/channels/{channel}/messages";

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a valid RFC 3339 instant")
        .with_timezone(&Utc)
}

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
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("okrbot.db").display());
        let store = Store::open(&url).await.expect("the database opens");
        let okr = Okr::new(store, &Config::default());
        let clock = ManualClock::new(start());
        let fake = FakeDiscord::start().await;
        let conn = Connection {
            token: TOKEN.into(),
            proxy: Some(fake.rest_url()),
            global_commands: false,
        };
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let bot_okr = okr.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = run(bot_okr, shared, conn, std::future::pending()).await {
                eprintln!("the bot stopped: {e:#}");
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

    /// A slash command that must succeed: a visible reply (type 4) with embeds.
    async fn ok(&self, user_id: u64, permissions: &str, options: Value) -> Reply {
        let reply = self.slash(user_id, permissions, options).await;
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
        sqlx::query_as("SELECT kind, recipient, state FROM deliveries ORDER BY id")
            .fetch_all(self.okr.store().pool())
            .await
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

    /// Team Growth through `/okr setup`, a cycle, an objective and key result GRO-1.1 (metric,
    /// 0 -> 100, owner [`OWNER`]), each through its slash command by the admin.
    async fn growth(&self) -> [Reply; 4] {
        let setup = self
            .ok(
                ADMIN,
                MANAGE_SERVER,
                sub(
                    "setup",
                    vec![
                        text("team", "Growth"),
                        text("timezone", "Europe/Berlin"),
                        channel("channel", FakeDiscord::CHANNEL_ID),
                        user("lead", LEAD),
                    ],
                ),
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
                        text("start", "2026-11-11"),
                        text("end", "2027-01-31"),
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

// ---------------------------------------------------------------------------------------------
// 2. The full flow
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_team_set_up_by_slash_commands_is_prompted_checks_in_by_form_and_gets_digest_and_alert() {
    let bot = Bot::start().await;

    // Set up by slash commands: each answered with a visible reply carrying embeds.
    let [setup, cycle, objective, kr] = bot.growth().await;
    assert!(words(&setup.body()["data"]).contains("Team Growth is set up"));
    assert!(words(&cycle.body()["data"]).contains("Cycle Winter created"));
    assert!(words(&objective.body()["data"]).contains("GRO-1"));
    assert!(words(&kr.body()["data"]).contains("GRO-1.1"));
    let admin = bot.admin().await;
    let team = bot.okr.team(&admin, "Growth").await.expect("team Growth");
    assert_eq!(team.tz.name(), "Europe/Berlin");
    assert_eq!(
        team.channel.as_deref(),
        Some(FakeDiscord::CHANNEL_ID.to_string().as_str())
    );
    assert_eq!(team.leads, [Member::Person(mention(LEAD))]);
    let k = bot.okr.kr(&admin, "GRO-1.1").await.expect("GRO-1.1");
    assert_eq!(k.owner.as_deref(), Some(mention(OWNER).as_str()));
    assert_eq!(k.title, "Weekly active members");

    // Monday 09:00: the owner is asked by DM, with buttons.
    let (dm, prompt) = bot.prompt_dm().await;
    let post = bot
        .fake
        .requests()
        .into_iter()
        .find(|r| posted_in(r, dm))
        .expect("the prompt's post");
    assert!(!body(&post)["embeds"].as_array().expect("embeds").is_empty());
    let ids = custom_ids(&body(&post)["components"]);
    assert!(!ids.is_empty(), "the prompt has buttons");
    assert!(ids.iter().all(|id| id.starts_with("okr:")), "{ids:?}");
    assert!(words(&prompt).contains("GRO-1.1"));

    // Update opens the check-in form.
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let modal = body(&callback);
    assert_eq!(modal["type"], 9, "a form: {modal:#}");
    let form_id = modal["data"]["custom_id"]
        .as_str()
        .expect("the form's custom_id")
        .to_owned();
    assert!(form_id.starts_with("okr:m:GRO-1.1:"), "{form_id}");
    assert_eq!(
        custom_ids(&modal["data"]["components"]),
        ["value", "confidence", "note"]
    );

    // Submitting it records one check-in and answers on the prompt.
    let form = bot.form(
        OWNER,
        &prompt,
        &form_id,
        &[("value", "10"), ("confidence", "8"), ("note", "first week")],
    );
    let (ack, answer) = bot.submit(&form, 1).await;
    assert!(
        matches!(body(&ack)["type"].as_u64(), Some(5 | 6)),
        "acknowledged: {:#}",
        body(&ack)
    );
    assert!(
        words(body(&answer)).contains("GRO-1.1 checked in"),
        "{:#}",
        body(&answer)
    );
    let modal_check_ins: Vec<CheckIn> = bot
        .history("GRO-1.1")
        .await
        .into_iter()
        .filter(|c| c.source == CheckInSource::Modal)
        .collect();
    assert_eq!(modal_check_ins.len(), 1, "{modal_check_ins:#?}");
    assert_eq!(modal_check_ins[0].value, 10.0);
    assert_eq!(modal_check_ins[0].author, mention(OWNER));
    assert_eq!(modal_check_ins[0].note.as_deref(), Some("first week"));
    let edited = &bot.fake.messages_in(dm)[0];
    assert!(
        words(edited).contains("checked in"),
        "the prompt shows the check-in: {edited:#}"
    );

    // Monday 16:00: the digest in the team channel, coloured, with its chart.
    bot.set_clock(digest_slot());
    let digest = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && !r.files.is_empty(),
            WAIT,
        )
        .await;
    let embeds = body(&digest)["embeds"].as_array().expect("embeds").clone();
    assert!(!embeds.is_empty());
    assert!(
        embeds.iter().all(|e| e["color"].as_u64().is_some()),
        "every embed has a colour: {embeds:#?}"
    );
    assert!(
        digest.files[0].bytes.starts_with(PNG_SIGNATURE),
        "the chart is a PNG"
    );
    assert!(
        embeds
            .iter()
            .any(|e| e["image"]["url"] == format!("attachment://{}", digest.files[0].filename)),
        "an embed shows the chart: {embeds:#?}"
    );

    // A check-in far from on track (confidence 2 of 10): red, and an alert in the channel.
    bot.set_clock(at("2026-11-16T15:30:00Z"));
    let red = bot
        .ok(
            OWNER,
            MEMBER,
            sub(
                "update",
                vec![
                    text("kr", "GRO-1.1"),
                    text("value", "11"),
                    integer("confidence", 2),
                    text("note", "the launch slipped"),
                ],
            ),
        )
        .await;
    assert!(
        words(&red.body()["data"]).contains("🔴"),
        "{:#}",
        red.body()
    );
    let alert = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("moved into red"),
            WAIT,
        )
        .await;
    let said = words(body(&alert));
    assert!(said.contains("GRO-1.1"), "{said}");
    assert!(said.contains(&mention(OWNER)), "names the owner: {said}");
    assert!(said.contains(&mention(LEAD)), "names the lead: {said}");
    assert_eq!(
        body(&alert)["embeds"][0]["color"],
        0xE7_4C_3C,
        "an alert is red"
    );
    assert_no_violations(&bot.fake);
}

/// Discord notifies only for mentions in a message's `content`; mentions inside embeds render
/// as names but ping nobody. An alert that must reach the owner and the lead has to ping.
#[tokio::test]
async fn an_at_risk_alert_pings_the_owner_and_the_lead() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.set_clock(at("2026-11-13T10:00:00Z"));
    bot.ok(
        OWNER,
        MEMBER,
        sub(
            "update",
            vec![
                text("kr", "GRO-1.1"),
                text("value", "1"),
                integer("confidence", 1),
            ],
        ),
    )
    .await;
    let alert = bot
        .fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && words(body(r)).contains("moved into red"),
            WAIT,
        )
        .await;
    let b = body(&alert);
    let said = words(b);
    let content = b["content"].as_str().unwrap_or("");
    let mut problems = Vec::new();
    if said.contains("@<@") {
        problems.push("a mention is written after an extra '@' (Discord shows '@@name')");
    }
    if !(content.contains(&mention(OWNER)) && content.contains(&mention(LEAD))) {
        problems
            .push("the owner and the lead are not mentioned in `content`, so nobody is notified");
    }
    assert!(problems.is_empty(), "{problems:#?}\n{b:#}");
    assert_no_violations(&bot.fake);
}

/// `render::components::mark_done` describes the prompt after a check-in: the done key result
/// marked ✅ and its buttons gone, so nobody presses Update twice on a stale prompt.
#[tokio::test]
async fn after_a_check_in_from_a_prompt_its_buttons_for_that_key_result_are_gone() {
    let bot = Bot::start().await;
    bot.growth().await;
    let (dm, prompt) = bot.prompt_dm().await;
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let form_id = body(&callback)["data"]["custom_id"]
        .as_str()
        .expect("a form")
        .to_owned();
    let form = bot.form(OWNER, &prompt, &form_id, &[("value", "10")]);
    bot.submit(&form, 1).await;
    let after = &bot.fake.messages_in(dm)[0];
    let left: Vec<String> = custom_ids(&after["components"])
        .into_iter()
        .filter(|id| id.contains(":GRO-1.1:"))
        .collect();
    assert!(left.is_empty(), "buttons of a done key result: {after:#}");
    assert!(words(after).contains("✅"), "{after:#}");
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 3. Redelivered interactions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_interaction_delivered_twice_records_one_check_in() {
    let bot = Bot::start().await;
    bot.growth().await;

    // The slash command, twice with the same id and token.
    let update = okr_command(
        sub("update", vec![text("kr", "GRO-1.1"), text("value", "5")]),
        OWNER,
        MEMBER,
    );
    let first = bot.dispatch(&update, 1).await;
    let second = bot.dispatch(&update, 2).await;
    for c in [&first, &second] {
        assert_eq!(body(c)["type"], 4, "{:#}", body(c));
        assert!(!words(&body(c)["data"]).contains('❌'), "{:#}", body(c));
    }
    let by_slash = |h: &[CheckIn]| {
        h.iter()
            .filter(|c| c.source == CheckInSource::Slash)
            .count()
    };
    assert_eq!(by_slash(&bot.history("GRO-1.1").await), 1);

    // The form from a prompt, twice with the same id and token.
    let (_, prompt) = bot.prompt_dm().await;
    let update = button_id(&prompt, "okr:u:GRO-1.1:");
    let (_, callback) = bot.press(OWNER, &prompt, &update).await;
    let form_id = body(&callback)["data"]["custom_id"]
        .as_str()
        .expect("a form")
        .to_owned();
    let form = bot.form(OWNER, &prompt, &form_id, &[("value", "20")]);
    bot.submit(&form, 1).await;
    bot.submit(&form, 2).await;
    let history = bot.history("GRO-1.1").await;
    let by_form: Vec<&CheckIn> = history
        .iter()
        .filter(|c| c.source == CheckInSource::Modal)
        .collect();
    assert_eq!(by_form.len(), 1, "{history:#?}");
    assert_eq!(by_form[0].value, 20.0);
    assert_eq!(by_slash(&history), 1);
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 4. Autocomplete
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn autocomplete_offers_at_most_25_key_results_the_callers_own_first() {
    let bot = Bot::start().await;
    let admin = bot.admin().await;
    let okr = &bot.okr;
    let now = start();
    okr.setup(
        &admin,
        SetupInput {
            team: "Growth".into(),
            timezone: Some("Europe/Berlin".into()),
            channel: Some(FakeDiscord::CHANNEL_ID.to_string()),
            prefix: Some("GRO".into()),
            leads: Some(vec![Member::Person(mention(LEAD))]),
        },
        now,
    )
    .await
    .expect("setup");
    okr.cycle_new(
        &admin,
        "Winter",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 11).expect("a date"),
        chrono::NaiveDate::from_ymd_opt(2027, 1, 31).expect("a date"),
        now,
    )
    .await
    .expect("cycle");
    // 30 key results of someone else, then one of the caller's, whose code sorts last.
    let mut codes = Vec::new();
    for o in 0..7 {
        let objective = okr
            .objective_add(
                &admin,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: format!("Objective {o}"),
                    ..Default::default()
                },
                now,
            )
            .await
            .expect("objective");
        let (count, owner) = if o < 6 { (5, OTHER) } else { (1, OWNER) };
        for k in 0..count {
            let kr = okr
                .kr_add(
                    &admin,
                    KrInput {
                        objective: objective.code.clone(),
                        title: format!("Signups {o}.{k}"),
                        kind: Some("metric".into()),
                        start: Some("0".into()),
                        target: Some("100".into()),
                        unit: Some("count".into()),
                        owner: Some(mention(owner)),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .expect("key result");
            codes.push((kr.code, owner));
        }
    }
    let own = codes
        .iter()
        .find(|(_, o)| *o == OWNER)
        .map(|(c, _)| c.clone())
        .expect("the caller's key result");

    let mut ask =
        fixtures::autocomplete("okr", sub("update", vec![focused("kr", "")]), OWNER, MEMBER);
    resolve(&mut ask);
    let token = token_of(&ask);
    let sent = Instant::now();
    bot.fake.send_interaction(ask).await;
    let callback = bot.fake.wait_for(|r| is_callback(r, &token), WAIT).await;
    let latency = callback.received_at.saturating_duration_since(sent);
    assert!(latency < DEADLINE, "autocomplete answered in {latency:?}");
    let b = body(&callback);
    assert_eq!(b["type"], 8, "an autocomplete result: {b:#}");
    let choices = b["data"]["choices"].as_array().expect("choices");
    assert!(
        !choices.is_empty() && choices.len() <= 25,
        "{} choices",
        choices.len()
    );
    assert_eq!(
        choices[0]["value"], own,
        "the caller's own first: {choices:#?}"
    );
    assert!(choices[0]["name"]
        .as_str()
        .is_some_and(|n| n.starts_with(&own)));

    // Typing narrows it: "Signups 2." matches that objective's five.
    let mut narrow = fixtures::autocomplete(
        "okr",
        sub("update", vec![focused("kr", "GRO-3")]),
        OTHER,
        MEMBER,
    );
    resolve(&mut narrow);
    let token = token_of(&narrow);
    bot.fake.send_interaction(narrow).await;
    let callback = bot.fake.wait_for(|r| is_callback(r, &token), WAIT).await;
    let values: Vec<&str> = body(&callback)["data"]["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|c| c["value"].as_str().expect("a value"))
        .collect();
    assert!(!values.is_empty());
    assert!(values.iter().all(|v| v.starts_with("GRO-3.")), "{values:?}");
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 5 and 6. Discord refusing a send
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_prompt_to_a_closed_dm_goes_to_the_team_channel_with_a_mention() {
    let bot = Bot::start().await;
    bot.growth().await;
    let before = bot.fake.messages_in(FakeDiscord::CHANNEL_ID).len();
    bot.fake.fail_next(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::CannotMessageUser,
    );
    bot.set_clock(prompt_slot());
    let refused = bot.fake.wait_for(|r| r.status == 403, WAIT).await;
    let dm = bot.fake.dm_channel_of(OWNER).expect("the DM was opened");
    assert_eq!(
        refused.path,
        format!("/channels/{dm}/messages"),
        "the DM was refused"
    );
    let fallback = bot
        .fake
        .wait_for(|r| posted_in(r, FakeDiscord::CHANNEL_ID), WAIT)
        .await;
    let b = body(&fallback);
    assert!(
        b["content"]
            .as_str()
            .is_some_and(|c| c.contains(&mention(OWNER))),
        "the owner is pinged: {b:#}"
    );
    assert!(custom_ids(&b["components"])
        .iter()
        .any(|id| id.starts_with("okr:u:GRO-1.1:")));

    assert!(
        bot.fake.messages_in(dm).is_empty(),
        "nothing in the closed DM"
    );
    let in_channel = bot.fake.messages_in(FakeDiscord::CHANNEL_ID);
    assert_eq!(in_channel.len(), before + 1, "one prompt in the channel");
    let no_pending = |l: &[(String, String, String)]| l.iter().all(|(_, _, s)| s != "pending");
    let prompts: Vec<_> = bot
        .ledger_when("the prompt is settled", no_pending)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "prompt")
        .collect();
    assert_eq!(
        prompts,
        [(
            "prompt".to_owned(),
            format!("user:{}", mention(OWNER)),
            "sent".to_owned()
        )],
        "delivered once, not lost"
    );
    let posts = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", CHANNEL_MESSAGES))
        .count();
    assert_eq!(
        posts, 2,
        "the refused DM and the channel post, nothing more"
    );
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_rate_limited_prompt_is_retried_and_delivered_exactly_once() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.fake.fail_next_times(
        RouteMatch::new("POST", CHANNEL_MESSAGES),
        Failure::RateLimited {
            retry_after_secs: 1.0,
            global: false,
        },
        2,
    );
    bot.set_clock(prompt_slot());
    // Each 429 leaves the delivery pending; the scheduler looks again a second later on its
    // clock, and the outbox waits out the pause in real time.
    for n in 1..=2 {
        bot.nth(n, |r| r.status == 429).await;
        bot.clock.advance(chrono::Duration::seconds(5));
    }
    let dm = bot.fake.dm_channel_of(OWNER).expect("a DM with the owner");
    bot.fake.wait_for(|r| posted_in(r, dm), WAIT).await;

    assert_eq!(bot.fake.messages_in(dm).len(), 1, "delivered once");
    let attempts: Vec<u16> = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", CHANNEL_MESSAGES))
        .map(|r| r.status)
        .collect();
    assert_eq!(attempts, [429, 429, 200]);
    let no_pending = |l: &[(String, String, String)]| l.iter().all(|(_, _, s)| s != "pending");
    let states: Vec<String> = bot
        .ledger_when("the prompt is settled", no_pending)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "prompt")
        .map(|(_, _, state)| state)
        .collect();
    assert_eq!(states, ["sent"]);
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 7. Rights
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn setup_by_a_member_without_manage_server_is_refused_privately_and_writes_nothing() {
    let bot = Bot::start().await;
    let reply = bot
        .slash(
            OTHER,
            MEMBER,
            sub(
                "setup",
                vec![text("team", "Growth"), text("timezone", "Europe/Berlin")],
            ),
        )
        .await;
    let b = reply.body();
    assert_eq!(b["type"], 4, "{b:#}");
    assert_eq!(b["data"]["flags"], 64, "only the asker sees it: {b:#}");
    let said = words(&b["data"]);
    assert!(said.contains('❌'), "{said}");
    assert!(said.contains("admin"), "says who may: {said}");
    let admin = bot.admin().await;
    assert!(bot.okr.teams(&admin).await.expect("teams").is_empty());
    assert!(bot.ledger().await.is_empty());

    // The same command with Manage Server goes through.
    let again = okr_command(
        reply.interaction["data"]["options"].clone(),
        ADMIN,
        MANAGE_SERVER,
    );
    let ok = bot.send_slash(again).await;
    assert_eq!(ok.body()["type"], 4);
    assert!(ok.body()["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0);
    assert_eq!(bot.okr.teams(&admin).await.expect("teams").len(), 1);
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 8. Secrets
// ---------------------------------------------------------------------------------------------

/// A `MakeWriter` for tracing: everything into one shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The current-thread runtime of `#[tokio::test]` runs the bot, the fake and the scheduler on
/// this thread, so a thread-scoped subscriber sees their logs without touching other tests.
#[tokio::test]
async fn the_token_never_appears_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "okrbot=trace,serenity=trace,poise=trace",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let bot = Bot::start().await;
    bot.growth().await;
    // A refusal and a failing command log too.
    bot.slash(OTHER, MEMBER, sub("setup", vec![text("team", "Sales")]))
        .await;
    bot.slash(
        OWNER,
        MEMBER,
        sub("update", vec![text("kr", "NOPE-9"), text("value", "1")]),
    )
    .await;
    // The scheduler's deliveries: the digest in the channel.
    bot.set_clock(digest_slot());
    bot.fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && !r.files.is_empty(),
            WAIT,
        )
        .await;

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    eprintln!("captured {} bytes of TRACE logs", logs.len());
    assert!(logs.len() > 1000, "the capture works: {logs}");
    assert!(
        logs.contains("serenity") || logs.contains("poise"),
        "serenity's own logs are captured"
    );
    assert!(!logs.contains(TOKEN), "the token is in the logs");
    assert!(
        !logs.contains("SECRET123"),
        "part of the token is in the logs"
    );
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 9. Latency
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn slash_commands_are_answered_well_within_discords_3_second_deadline() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.ok(
        OWNER,
        MEMBER,
        sub("update", vec![text("kr", "GRO-1.1"), text("value", "7")]),
    )
    .await;
    bot.ok(OWNER, MEMBER, sub("status", vec![])).await;
    bot.ok(OWNER, MEMBER, sub("history", vec![text("kr", "GRO-1.1")]))
        .await;
    bot.ok(
        LEAD,
        MEMBER,
        grouped("schedule", "show", vec![text("team", "Growth")]),
    )
    .await;
    bot.ok(
        LEAD,
        MEMBER,
        grouped("objective", "list", vec![text("team", "Growth")]),
    )
    .await;
    bot.ok(OWNER, MEMBER, sub("nochange", vec![text("kr", "GRO-1.1")]))
        .await;
    bot.ok(OWNER, MEMBER, sub("help", vec![])).await;

    let latencies = bot.latencies.lock().unwrap().clone();
    let slowest = latencies.iter().max().copied().unwrap_or_default();
    let median = median(latencies.clone());
    eprintln!(
        "slash command latency over {} commands: median {median:?}, slowest {slowest:?}",
        latencies.len()
    );
    assert!(median < DEADLINE, "median {median:?}");
    assert!(slowest < DEADLINE, "slowest {slowest:?}: {latencies:?}");
    assert_no_violations(&bot.fake);
}
