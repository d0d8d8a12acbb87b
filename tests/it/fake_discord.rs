//! A fake Discord on 127.0.0.1 that the real serenity + poise stack runs against.
//!
//! # Contract
//! - [`FakeDiscord::start`] binds a REST server (axum) and a gateway (tokio-tungstenite) on random
//!   loopback ports. Point serenity at it with
//!   `HttpBuilder::new(token).proxy(fake.rest_url()).ratelimiter_disabled(true)`: serenity honours
//!   the proxy only with its rate limiter off, so nothing in serenity paces or retries here.
//! - Every REST request is recorded ([`FakeDiscord::requests`]), its body is validated against
//!   Discord's own OpenAPI description (`../shared/discord/openapi.json`) and against the limits
//!   the schema does not express (embeds, components, modals, slash commands). Every problem,
//!   and every route the fake does not serve, lands in [`FakeDiscord::violations`]: a test that
//!   drives the bot ends with `assert!(fake.violations().is_empty())`.
//! - The gateway says Hello, answers Identify with READY (the guild listed as unavailable) and a
//!   GUILD_CREATE, acknowledges heartbeats, and dispatches the interactions a test sends.
//! - Messages the bot creates (channel messages, DMs, interaction responses and followups) are
//!   kept per channel with edits applied ([`FakeDiscord::messages_in`]).
//! - [`FakeDiscord::fail_next`] makes the next matching request(s) fail the way Discord fails
//!   (429 with its body and headers, or 403 code 50007) so retry and give-up paths can be tested.

pub mod fixtures;
mod gateway;
pub mod limits;
mod multipart;
pub mod objects;
pub mod openapi;
mod rest;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// One REST request as the fake received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path below `/api/v10`, e.g. `/channels/123/messages`.
    pub path: String,
    /// The JSON body; for a multipart request, the parsed `payload_json` part.
    pub body: Option<Value>,
    /// The uploaded files of a multipart request.
    pub files: Vec<RecordedFile>,
    /// The status the fake answered with (so a test can tell an injected failure from a success).
    pub status: u16,
    pub received_at: Instant,
}

impl Recorded {
    /// True when this request is `method` on a path matching `pattern` (see [`RouteMatch`]).
    pub fn is(&self, method: &str, pattern: &str) -> bool {
        RouteMatch::new(method, pattern).matches(&self.method, &self.path)
    }
}

/// One file part of a multipart request.
#[derive(Clone, Debug)]
pub struct RecordedFile {
    /// The file name the client gave.
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Which requests a [`Failure`] applies to: a method (or `*`) and a path pattern below
/// `/api/v10` in which a `{name}` segment matches any one segment,
/// e.g. `RouteMatch::new("POST", "/channels/{id}/messages")`.
#[derive(Clone, Debug)]
pub struct RouteMatch {
    method: String,
    segments: Vec<String>,
}

impl RouteMatch {
    pub fn new(method: &str, pattern: &str) -> RouteMatch {
        RouteMatch {
            method: method.to_ascii_uppercase(),
            segments: split_path(pattern),
        }
    }

    pub fn matches(&self, method: &str, path: &str) -> bool {
        let segments = split_path(path);
        (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && segments.len() == self.segments.len()
            && self
                .segments
                .iter()
                .zip(&segments)
                .all(|(want, got)| want.starts_with('{') || want == got)
    }
}

fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A failure Discord can answer with, injected by [`FakeDiscord::fail_next`].
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// HTTP 429 with Discord's body (`message`, `retry_after`, `global`) and its rate-limit
    /// headers (`Retry-After`, `X-RateLimit-*`).
    RateLimited { retry_after_secs: f64, global: bool },
    /// HTTP 403 with code 50007: the user closed their DMs or blocked the bot.
    CannotMessageUser,
    /// Any other refusal Discord answers with its JSON error: `403 50001 Missing Access` (a
    /// guild without `applications.commands`), `404 10003 Unknown Channel`, `500 0`.
    Refused {
        status: u16,
        code: u64,
        message: &'static str,
    },
}

struct Injection {
    route: RouteMatch,
    failure: Failure,
    remaining: u32,
}

/// A message the bot created, kept with the channel it lives in.
struct StoredMessage {
    channel_id: u64,
    message: Value,
}

/// What an interaction token refers to, remembered when the interaction is dispatched so the
/// callback and webhook routes can put messages in the right channel.
#[derive(Clone)]
struct InteractionInfo {
    channel_id: u64,
    guild_id: Option<u64>,
    /// The message a component sits on (type 7 callbacks edit it).
    message_id: Option<u64>,
    /// The `@original` response once one exists.
    original: Option<u64>,
    /// Set by the first callback: Discord refuses a second one (40060).
    acknowledged: bool,
    /// When it was dispatched: Discord takes the first callback within 3 seconds only.
    dispatched: std::time::Instant,
    /// A deferred answer (type 5) whose "thinking…" placeholder no follow-up has replaced
    /// yet: its flags. Discord turns the first follow-up into that placeholder, with the
    /// deferral's visibility whatever the follow-up's own flags say.
    awaiting_followup: Option<u64>,
}

/// How long Discord waits for an interaction's first callback.
pub const CALLBACK_DEADLINE: Duration = Duration::from_secs(3);

/// Everything the REST server and the gateway share with the test.
struct State {
    gateway_url: Mutex<String>,
    requests: Mutex<Vec<Recorded>>,
    /// Bumped on every recorded request, so `wait_for` wakes without polling.
    request_count: watch::Sender<u64>,
    violations: Mutex<Vec<String>>,
    injections: Mutex<Vec<Injection>>,
    /// Messages by id; ids grow, so iteration is creation order.
    messages: Mutex<BTreeMap<u64, StoredMessage>>,
    interactions: Mutex<HashMap<String, InteractionInfo>>,
    /// DM channel id per recipient: Discord returns the same DM channel for the same user.
    dm_channels: Mutex<HashMap<u64, u64>>,
    /// The message each `(channel, nonce)` was posted as, for posts that set `enforce_nonce`:
    /// Discord answers the same nonce again with that message instead of a second one (it
    /// keeps nonces a few minutes; the fake for the whole test).
    nonces: Mutex<HashMap<(u64, String), u64>>,
    /// Discord's global limit, when a test turns it on ([`FakeDiscord::limit_globally`]): at
    /// most this many requests in any second, and when each counted request came.
    global_limit: Mutex<Option<(usize, std::collections::VecDeque<std::time::Instant>)>>,
    /// Where `send_interaction` writes, by shard; set once a shard has identified.
    dispatch: Mutex<HashMap<u64, mpsc::UnboundedSender<Value>>>,
    /// The shard count the bot identified with last (1 until it identifies).
    total_shards: AtomicU64,
    /// Every `[shard, total]` an Identify named, in order.
    identified: Mutex<Vec<[u64; 2]>>,
    /// The intents of the latest Identify.
    intents: Mutex<Option<u64>>,
    /// Gateway connections that have identified and are still open, by shard, and the most of
    /// one shard at once: more than one means that shard's interactions could arrive twice.
    sessions: Mutex<HashMap<u64, usize>>,
    most_sessions: std::sync::atomic::AtomicUsize,
    /// When the last session closed, while none is open; and how long each such gap lasted.
    down_since: Mutex<Option<Instant>>,
    gaps: Mutex<Vec<Duration>>,
    ready: watch::Sender<bool>,
    next_id: AtomicU64,
}

impl State {
    /// The shard Discord sends a guild's events on (none: a direct message, shard 0).
    fn shard_of(&self, guild_id: Option<u64>) -> u64 {
        let total = self.total_shards.load(Ordering::SeqCst).max(1);
        guild_id.map_or(0, |g| (g >> 22) % total)
    }

    /// Where to send an event of `guild_id`: the open session of its shard, if any.
    fn sender_for(&self, guild_id: Option<u64>) -> Option<mpsc::UnboundedSender<Value>> {
        let shard = self.shard_of(guild_id);
        self.dispatch.lock().unwrap().get(&shard).cloned()
    }

    fn new_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn violation(&self, text: String) {
        self.violations.lock().unwrap().push(text);
    }
}

/// The fake Discord of one test. Dropping it stops both servers.
pub struct FakeDiscord {
    state: Arc<State>,
    rest_addr: std::net::SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl FakeDiscord {
    /// The bot's application.
    pub const APPLICATION_ID: u64 = 1_100_000_000_000_000_001;
    /// The bot's user (the same number as the application, as Discord does for bots).
    pub const BOT_USER_ID: u64 = Self::APPLICATION_ID;
    /// The one guild the bot is in.
    pub const GUILD_ID: u64 = 1_100_000_000_000_000_002;
    /// A text channel of that guild, where fixtures' interactions happen.
    pub const CHANNEL_ID: u64 = 1_100_000_000_000_000_003;

    pub async fn start() -> FakeDiscord {
        // Parse the spec before the first request arrives so a request never waits on it.
        openapi::spec().warm_interaction_routes();
        let (request_count, _) = watch::channel(0);
        let (ready, _) = watch::channel(false);
        let state = Arc::new(State {
            gateway_url: Mutex::new(String::new()),
            requests: Mutex::default(),
            request_count,
            violations: Mutex::default(),
            injections: Mutex::default(),
            messages: Mutex::default(),
            interactions: Mutex::default(),
            dm_channels: Mutex::default(),
            nonces: Mutex::default(),
            global_limit: Mutex::default(),
            dispatch: Mutex::default(),
            total_shards: AtomicU64::new(1),
            identified: Mutex::default(),
            intents: Mutex::default(),
            sessions: Default::default(),
            most_sessions: Default::default(),
            down_since: Mutex::default(),
            gaps: Mutex::default(),
            ready,
            next_id: AtomicU64::new(1_200_000_000_000_000_000),
        });
        let (gateway_addr, gateway_task) = gateway::serve(state.clone()).await;
        *state.gateway_url.lock().unwrap() = format!("ws://{gateway_addr}");
        let (rest_addr, rest_task) = rest::serve(state.clone()).await;
        FakeDiscord {
            state,
            rest_addr,
            tasks: vec![gateway_task, rest_task],
        }
    }

    /// `http://127.0.0.1:PORT`, for `HttpBuilder::proxy`.
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest_addr)
    }

    /// Whether a shard has identified (and been sent READY) so far.
    pub fn identified(&self) -> bool {
        *self.state.ready.borrow()
    }

    /// Waits until a shard has identified and been sent READY.
    pub async fn wait_ready(&self, timeout: Duration) {
        let mut ready = self.state.ready.subscribe();
        tokio::time::timeout(timeout, ready.wait_for(|ready| *ready))
            .await
            .unwrap_or_else(|_| panic!("the bot did not identify within {timeout:?}"))
            .expect("the fake's ready flag lives as long as the fake");
    }

    /// Dispatches `INTERACTION_CREATE` with `interaction` as its data. Its token is remembered so
    /// the callback and followups land in the interaction's channel.
    pub async fn send_interaction(&self, interaction: Value) {
        assert!(
            interaction["token"].is_string() && id_of(&interaction["channel_id"]).is_some(),
            "an interaction has a token and a channel"
        );
        assert!(
            self.try_send_interaction(interaction),
            "send_interaction before the bot identified (wait_ready first), or its gateway closed"
        );
    }

    /// As [`FakeDiscord::send_interaction`], for a bot whose gateway may be down (its process
    /// killed, no other connected yet): `false` when no open shard took the interaction, which
    /// Discord would then fail for the user ("This interaction failed").
    pub fn try_send_interaction(&self, interaction: Value) -> bool {
        let Some(token) = interaction["token"].as_str().map(str::to_owned) else {
            return false;
        };
        let Some(channel_id) = id_of(&interaction["channel_id"]) else {
            return false;
        };
        let guild_id = id_of(&interaction["guild_id"]);
        let Some(sender) = self.state.sender_for(guild_id) else {
            return false;
        };
        let info = InteractionInfo {
            channel_id,
            guild_id,
            message_id: id_of(&interaction["message"]["id"]),
            original: None,
            acknowledged: false,
            dispatched: std::time::Instant::now(),
            awaiting_followup: None,
        };
        self.state.interactions.lock().unwrap().insert(token, info);
        sender
            .send(serde_json::json!({"t": "INTERACTION_CREATE", "d": interaction}))
            .is_ok()
    }

    /// How long the gateway had no session each time its last one closed and another identified.
    pub fn gateway_gaps(&self) -> Vec<Duration> {
        self.state.gaps.lock().unwrap().clone()
    }

    /// The intents the bot identified with last.
    pub fn intents(&self) -> Option<u64> {
        *self.state.intents.lock().unwrap()
    }

    /// `user_id` writes `content` to the bot in their direct-message conversation (the one the
    /// bot opened with them): MESSAGE_CREATE on shard 0, as Discord sends it to a bot that asked
    /// for the DIRECT_MESSAGES intent (1 << 12), content included without MESSAGE_CONTENT.
    /// Returns the message, to send again as a redelivered event; `None` when Discord would send
    /// the bot nothing (no such intent, no conversation, no open shard).
    pub fn send_direct_message(&self, user_id: u64, content: &str) -> Option<Value> {
        const DIRECT_MESSAGES: u64 = 1 << 12;
        if self.intents()? & DIRECT_MESSAGES == 0 {
            return None;
        }
        let channel = self.dm_channel_of(user_id)?;
        let mut m = objects::message(
            self.state.new_id(),
            channel,
            None,
            &serde_json::json!({ "content": content }),
            Vec::new(),
        );
        m["author"] = objects::user(user_id, "member", false);
        m.as_object_mut()?.remove("application_id");
        self.redeliver_message(&m).then_some(m)
    }

    /// Dispatches MESSAGE_CREATE of `message` (again); `false` when no shard 0 is open.
    pub fn redeliver_message(&self, message: &Value) -> bool {
        let Some(sender) = self.state.sender_for(None) else {
            return false;
        };
        sender
            .send(serde_json::json!({"t": "MESSAGE_CREATE", "d": message}))
            .is_ok()
    }

    /// Every `[shard, total]` the bot identified with, in order.
    pub fn identified_shards(&self) -> Vec<[u64; 2]> {
        self.state.identified.lock().unwrap().clone()
    }

    /// The shards with an identified session open now, in order.
    pub fn open_shards(&self) -> Vec<u64> {
        let sessions = self.state.sessions.lock().unwrap();
        let mut open: Vec<u64> = sessions
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, _)| *s)
            .collect();
        open.sort_unstable();
        open
    }

    /// The most gateway connections of one shard that were identified and open at once.
    pub fn most_sessions_at_once(&self) -> usize {
        self.state.most_sessions.load(Ordering::SeqCst)
    }

    /// Dispatches GUILD_CREATE for another guild, as when the bot is added to a server.
    pub fn join_guild(&self, guild_id: u64) {
        let mut guild = objects::guild();
        guild["id"] = serde_json::json!(guild_id.to_string());
        let sender = self.state.sender_for(Some(guild_id));
        sender
            .expect("join_guild before the bot identified: wait_ready first")
            .send(serde_json::json!({"t": "GUILD_CREATE", "d": guild}))
            .expect("the gateway connection is open");
    }

    /// Every REST request so far, in arrival order.
    /// Serves this fake as `https://discord.com` too, over TLS with a certificate made for the
    /// test; returns the HTTP client that finds it there (discord.com resolved to 127.0.0.1)
    /// and trusts that certificate. A bot given this client runs as in production: no proxy,
    /// serenity's own rate limiter on.
    pub async fn as_discord_com(&mut self) -> reqwest::Client {
        let cert = rcgen::generate_simple_self_signed(vec!["discord.com".to_owned()])
            .expect("a certificate for discord.com");
        let der = rustls::pki_types::CertificateDer::from(cert.cert.der().to_vec());
        let key = rustls::pki_types::PrivateKeyDer::try_from(cert.key_pair.serialize_der())
            .expect("the certificate's key");
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![der], key)
            .expect("a TLS server configuration");
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let (addr, task) = rest::serve_tls(self.state.clone(), acceptor).await;
        self.tasks.push(task);
        reqwest::Client::builder()
            .resolve("discord.com", addr)
            .add_root_certificate(
                reqwest::Certificate::from_pem(cert.cert.pem().as_bytes())
                    .expect("the certificate as PEM"),
            )
            .build()
            .expect("a client for the fake discord.com")
    }

    /// How many recorded requests satisfy `pred`, without copying them.
    pub fn count(&self, pred: impl Fn(&Recorded) -> bool) -> usize {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| pred(r))
            .count()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits for the first request (already received or still to come) that satisfies `pred`.
    pub async fn wait_for(&self, pred: impl Fn(&Recorded) -> bool, timeout: Duration) -> Recorded {
        let mut count = self.state.request_count.subscribe();
        let found = tokio::time::timeout(timeout, async {
            loop {
                // Mark the current value seen before looking, so a request recorded between the
                // look and the wait still wakes us.
                count.borrow_and_update();
                if let Some(hit) = self.requests().into_iter().find(|r| pred(r)) {
                    return hit;
                }
                count
                    .changed()
                    .await
                    .expect("the fake outlives its waiters");
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            let seen: Vec<String> = self
                .requests()
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect();
            panic!("no matching request within {timeout:?}; requests so far: {seen:#?}")
        })
    }

    /// Schema and limit violations, and unknown routes, found so far.
    pub fn violations(&self) -> Vec<String> {
        self.state.violations.lock().unwrap().clone()
    }

    /// The next request matching `route` fails with `failure` (once).
    pub fn fail_next(&self, route: RouteMatch, failure: Failure) {
        self.fail_next_times(route, failure, 1);
    }

    /// Enforces Discord's global rate limit from now on: a request beyond `per_second` in any
    /// one-second window is answered 429 (global, with the `retry_after` until a slot frees).
    /// Interaction callbacks do not count, as on Discord.
    pub fn limit_globally(&self, per_second: usize) {
        *self.state.global_limit.lock().unwrap() = Some((per_second, Default::default()));
    }

    /// The next `times` requests matching `route` fail with `failure`.
    pub fn fail_next_times(&self, route: RouteMatch, failure: Failure, times: u32) {
        self.state.injections.lock().unwrap().push(Injection {
            route,
            failure,
            remaining: times,
        });
    }

    /// The messages created in `channel_id` (a guild channel or a DM), oldest first, with edits
    /// applied and deleted ones gone.
    pub fn messages_in(&self, channel_id: u64) -> Vec<Value> {
        self.state
            .messages
            .lock()
            .unwrap()
            .values()
            .filter(|stored| stored.channel_id == channel_id)
            .map(|stored| stored.message.clone())
            .collect()
    }

    /// Deletes a message as a member would: later edits of it get 10008 Unknown Message.
    pub fn delete_message(&self, message_id: u64) {
        self.state.messages.lock().unwrap().remove(&message_id);
    }

    /// The DM channel the bot opened with `user_id`, if it did.
    pub fn dm_channel_of(&self, user_id: u64) -> Option<u64> {
        self.state
            .dm_channels
            .lock()
            .unwrap()
            .get(&user_id)
            .copied()
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A snowflake from JSON, which Discord writes as a string (and tests sometimes as a number).
fn id_of(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}
