//! The REST side: one axum fallback handler that records, validates, injects failures and
//! answers. Routing is by hand on path segments so that every request, known or not, goes through
//! the same recording and validation, and an unknown route becomes a violation and Discord's 404.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use super::openapi::{self, Operation};
use super::{
    id_of, limits, multipart, objects, Failure, FakeDiscord, InteractionInfo, Recorded,
    RecordedFile, State, StoredMessage,
};

const API_PREFIX: &str = "/api/v10";

pub async fn serve(state: Arc<State>) -> (SocketAddr, JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the fake REST port");
    let addr = listener.local_addr().expect("a bound address");
    let app = Router::new().fallback(handle).with_state(state);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("the fake REST server runs");
    });
    (addr, task)
}

/// The same server over TLS, for a bot that talks to `https://discord.com` itself (serenity's
/// own rate limiter on, which ignores a proxy): the test's client resolves discord.com here and
/// trusts `acceptor`'s certificate.
pub async fn serve_tls(
    state: Arc<State>,
    acceptor: tokio_rustls::TlsAcceptor,
) -> (SocketAddr, JoinHandle<()>) {
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the fake TLS port");
    let addr = tcp.local_addr().expect("a bound address");
    let app = Router::new().fallback(handle).with_state(state);
    let task = tokio::spawn(async move {
        axum::serve(TlsListener { tcp, acceptor }, app)
            .await
            .expect("the fake TLS server runs");
    });
    (addr, task)
}

struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, peer)) = self.tcp.accept().await else {
                continue;
            };
            // A failed handshake is that client's problem; keep serving the others.
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, peer);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What the handler answers with before it becomes an HTTP response.
struct Answer {
    status: StatusCode,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body: Some(body),
            headers: vec![],
        }
    }

    fn no_content() -> Answer {
        Answer {
            status: StatusCode::NO_CONTENT,
            body: None,
            headers: vec![],
        }
    }

    fn error(status: StatusCode, code: u64, message: &str) -> Answer {
        Answer {
            status,
            body: Some(objects::error(code, message)),
            headers: vec![],
        }
    }
}

/// A request after its body has been read.
struct Incoming {
    method: String,
    path: String,
    segments: Vec<String>,
    body: Option<Value>,
    files: Vec<RecordedFile>,
}

async fn handle(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let full_path = uri.path();
    let path = match full_path.strip_prefix(API_PREFIX) {
        Some(p) => p.to_owned(),
        None => {
            state.violation(format!("{method} {full_path}: not below {API_PREFIX}"));
            full_path.to_owned()
        }
    };
    let route_label = format!("{method} {path}");
    let (body, files) = read_body(&state, &route_label, &headers, &raw);
    let incoming = Incoming {
        method: method.to_string(),
        segments: super::split_path(&path),
        path,
        body,
        files,
    };
    let before = state.violations.lock().unwrap().len();
    validate(&state, &route_label, &incoming);
    // Discord answers a body that breaks its schema or limits with 400 and does nothing, so the
    // bot's handling of a refusal is exercised, not only recorded.
    let refused = state.violations.lock().unwrap().len() > before && incoming.body.is_some();

    let answer = match injected_failure(&state, &incoming)
        .or_else(|| over_global_limit(&state, &incoming))
    {
        _ if refused => Answer::error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body"),
        Some(failure) => failure_answer(&failure),
        None => route(&state, &incoming).unwrap_or_else(|| {
            state.violation(format!("{route_label}: a route the fake does not serve"));
            Answer::error(StatusCode::NOT_FOUND, 0, "404: Not Found")
        }),
    };

    state.requests.lock().unwrap().push(Recorded {
        method: incoming.method,
        path: incoming.path,
        body: incoming.body,
        files: incoming.files,
        status: answer.status.as_u16(),
        received_at: std::time::Instant::now(),
    });
    state.request_count.send_modify(|n| *n += 1);

    let mut response = match answer.body {
        Some(body) => (answer.status, axum::Json(body)).into_response(),
        None => answer.status.into_response(),
    };
    for (name, value) in answer.headers {
        response.headers_mut().insert(
            name,
            HeaderValue::from_str(&value).expect("a valid header value"),
        );
    }
    response
}

/// The JSON body (from `payload_json` for multipart) and the uploaded files.
fn read_body(
    state: &State,
    route: &str,
    headers: &HeaderMap,
    raw: &[u8],
) -> (Option<Value>, Vec<RecordedFile>) {
    if raw.is_empty() {
        return (None, vec![]);
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(boundary) = multipart::boundary(content_type) {
        return match multipart::parse(raw, &boundary) {
            Ok(parsed) => {
                for (name, _) in &parsed.fields {
                    state.violation(format!("{route}: unexpected multipart field '{name}'"));
                }
                let body = parsed.payload_json.and_then(|text| {
                    serde_json::from_str(&text)
                        .map_err(|e| {
                            state.violation(format!("{route}: payload_json is not JSON: {e}"))
                        })
                        .ok()
                });
                (body, parsed.files)
            }
            Err(e) => {
                state.violation(format!("{route}: unreadable multipart body: {e}"));
                (None, vec![])
            }
        };
    }
    if !content_type.starts_with("application/json") {
        state.violation(format!("{route}: body with content type '{content_type}'"));
    }
    match serde_json::from_slice(raw) {
        Ok(v) => (Some(v), vec![]),
        Err(e) => {
            state.violation(format!("{route}: body is not JSON: {e}"));
            (None, vec![])
        }
    }
}

/// Checks the request against the spec and the limits.
fn validate(state: &State, route: &str, req: &Incoming) {
    let (template, validator, required) = match openapi::spec().operation(&req.method, &req.path) {
        Operation::UnknownPath => {
            state.violation(format!("{route}: no such path in Discord's API"));
            return;
        }
        Operation::UnknownMethod { template } => {
            state.violation(format!(
                "{route}: Discord's {template} has no {}",
                req.method
            ));
            return;
        }
        Operation::Known {
            template,
            body,
            body_required,
        } => (template, body, body_required),
    };
    match (&req.body, validator) {
        (Some(body), Some(validator)) => {
            for e in openapi::errors(&validator, body) {
                state.violation(format!("{route}: schema: {e}"));
            }
        }
        (None, Some(_)) if required => {
            state.violation(format!("{route}: the body Discord requires is missing"));
        }
        (Some(_), None) if req.method != "DELETE" => {
            state.violation(format!("{route}: a body where Discord takes none"));
        }
        _ => {}
    }
    if let Some(body) = &req.body {
        let reasons = match template.as_str() {
            "/channels/{channel_id}/messages"
            | "/channels/{channel_id}/messages/{message_id}"
            | "/webhooks/{webhook_id}/{webhook_token}"
            | "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
            | "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" => {
                limits::message(body)
            }
            "/interactions/{interaction_id}/{interaction_token}/callback" => {
                limits::interaction_callback(body)
            }
            "/applications/{application_id}/commands"
            | "/applications/{application_id}/guilds/{guild_id}/commands"
                if req.method == "PUT" =>
            {
                limits::commands(body)
            }
            _ => vec![],
        };
        for reason in reasons {
            state.violation(format!("{route}: limit: {reason}"));
        }
    }
}

/// Takes one use of the first injection matching the request, if any.
fn injected_failure(state: &State, req: &Incoming) -> Option<Failure> {
    let mut injections = state.injections.lock().unwrap();
    let i = injections
        .iter()
        .position(|inj| inj.route.matches(&req.method, &req.path))?;
    let failure = injections[i].failure.clone();
    injections[i].remaining -= 1;
    if injections[i].remaining == 0 {
        injections.remove(i);
    }
    Some(failure)
}

/// A 429 when the request would be one too many in the last second under the global limit.
fn over_global_limit(state: &State, req: &Incoming) -> Option<Failure> {
    if req.segments.first().is_some_and(|s| s == "interactions") {
        return None;
    }
    let mut limit = state.global_limit.lock().unwrap();
    let (per_second, recent) = limit.as_mut()?;
    let now = std::time::Instant::now();
    let window = std::time::Duration::from_secs(1);
    while recent
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        recent.pop_front();
    }
    if recent.len() >= *per_second {
        let free_at = recent.front().copied().unwrap_or(now) + window;
        return Some(Failure::RateLimited {
            retry_after_secs: free_at.duration_since(now).as_secs_f64(),
            global: true,
        });
    }
    recent.push_back(now);
    None
}

fn failure_answer(failure: &Failure) -> Answer {
    match *failure {
        Failure::RateLimited {
            retry_after_secs,
            global,
        } => {
            // The body of Discord's docs: `code` is sent only "for some limits", so not here.
            let body = json!({
                "message": "You are being rate limited.",
                "retry_after": retry_after_secs,
                "global": global,
            });
            let reset = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("the clock is past 1970")
                .as_secs_f64()
                + retry_after_secs;
            let mut headers = vec![
                ("retry-after", (retry_after_secs.ceil() as u64).to_string()),
                ("x-ratelimit-limit", "5".to_owned()),
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", format!("{reset:.3}")),
                ("x-ratelimit-reset-after", format!("{retry_after_secs:.3}")),
                ("x-ratelimit-bucket", "fakebucket".to_owned()),
                (
                    "x-ratelimit-scope",
                    if global { "global" } else { "user" }.to_owned(),
                ),
            ];
            if global {
                headers.push(("x-ratelimit-global", "true".to_owned()));
            }
            Answer {
                status: StatusCode::TOO_MANY_REQUESTS,
                body: Some(body),
                headers,
            }
        }
        Failure::CannotMessageUser => Answer::error(
            StatusCode::FORBIDDEN,
            50007,
            "Cannot send messages to this user",
        ),
        Failure::Refused {
            status,
            code,
            message,
        } => Answer::error(
            StatusCode::from_u16(status).expect("a valid status"),
            code,
            message,
        ),
    }
}

/// Serves the request, or `None` for a route the fake does not know.
fn route(state: &State, req: &Incoming) -> Option<Answer> {
    let s: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let body = req.body.clone().unwrap_or(Value::Null);
    let gateway_url = || state.gateway_url.lock().unwrap().clone();
    Some(match (req.method.as_str(), s.as_slice()) {
        ("GET", ["gateway"]) => Answer::json(objects::gateway(&gateway_url(), false)),
        ("GET", ["gateway", "bot"]) => Answer::json(objects::gateway(&gateway_url(), true)),
        ("GET", ["oauth2", "applications", "@me"]) => Answer::json(objects::application()),
        ("GET", ["users", "@me"]) => Answer::json(objects::current_user()),
        ("PUT", ["applications", _, "commands"]) => register_commands(state, None, &body),
        ("PUT", ["applications", _, "guilds", guild, "commands"]) => {
            register_commands(state, guild.parse().ok(), &body)
        }
        ("POST", ["interactions", _, token, "callback"]) => interaction_callback(state, token, req),
        ("POST", ["webhooks", _, token]) => {
            let Some(info) = interaction(state, token) else {
                return Some(unknown_webhook(state, req));
            };
            if let (Some(flags), Some(original)) = (info.awaiting_followup, info.original) {
                return Some(replace_placeholder(
                    state, token, req, flags, original, &body,
                ));
            }
            Answer::json(create_message(
                state,
                info.channel_id,
                info.guild_id,
                &body,
                &req.files,
            ))
        }
        (method, ["webhooks", _, token, "messages", which]) => {
            let Some(info) = interaction(state, token) else {
                return Some(unknown_webhook(state, req));
            };
            let id = if *which == "@original" {
                // Editing or deleting the placeholder settles it: later follow-ups are new.
                if method != "GET" {
                    if let Some(i) = state.interactions.lock().unwrap().get_mut(*token) {
                        i.awaiting_followup = None;
                    }
                }
                info.original
            } else {
                which.parse().ok()
            };
            existing_message(state, method, id, &body, &req.files)?
        }
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = id_of(&body["recipient_id"])?;
            let channel = *state
                .dm_channels
                .lock()
                .unwrap()
                .entry(recipient)
                .or_insert_with(|| state.new_id());
            Answer::json(objects::dm_channel(channel, recipient))
        }
        ("GET", ["channels", channel]) => {
            let channel: u64 = channel.parse().ok()?;
            let dms = state.dm_channels.lock().unwrap();
            match dms.iter().find(|(_, c)| **c == channel) {
                Some((user, _)) => Answer::json(objects::dm_channel(channel, *user)),
                None => Answer::json(objects::guild_text_channel(channel)),
            }
        }
        ("POST", ["channels", channel, "messages"]) => {
            let channel: u64 = channel.parse().ok()?;
            let is_dm = state
                .dm_channels
                .lock()
                .unwrap()
                .values()
                .any(|c| *c == channel);
            let guild = (!is_dm).then_some(FakeDiscord::GUILD_ID);
            let nonce = match (&body["enforce_nonce"], &body["nonce"]) {
                (Value::Bool(true), Value::String(n)) => Some(n.clone()),
                (Value::Bool(true), Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let earlier = nonce.as_ref().and_then(|n| {
                let id = *state.nonces.lock().unwrap().get(&(channel, n.clone()))?;
                Some(state.messages.lock().unwrap().get(&id)?.message.clone())
            });
            if let Some(message) = earlier {
                return Some(Answer::json(message));
            }
            let message = create_message(state, channel, guild, &body, &req.files);
            if let (Some(n), Some(id)) = (nonce, id_of(&message["id"])) {
                state.nonces.lock().unwrap().insert((channel, n), id);
            }
            Answer::json(message)
        }
        (method, ["channels", _, "messages", message]) => {
            existing_message(state, method, message.parse().ok(), &body, &req.files)?
        }
        ("GET", ["guilds", _, "roles"]) => Answer::json(json!([objects::everyone_role()])),
        ("GET", ["guilds", _, "channels"]) => Answer::json(json!([objects::guild_text_channel(
            FakeDiscord::CHANNEL_ID
        )])),
        ("GET", ["guilds", _, "members", user]) => {
            Answer::json(objects::member(user.parse().ok()?, None))
        }
        _ => return None,
    })
}

fn register_commands(state: &State, guild: Option<u64>, body: &Value) -> Answer {
    let given = body.as_array().cloned().unwrap_or_default();
    let registered: Vec<Value> = given
        .iter()
        .map(|c| objects::command(state.new_id(), guild, c))
        .collect();
    Answer::json(Value::Array(registered))
}

/// The interaction a token belongs to, if the test dispatched it.
fn interaction(state: &State, token: &str) -> Option<InteractionInfo> {
    state.interactions.lock().unwrap().get(token).cloned()
}

/// A webhook call with a token the test never dispatched: the bot used a stale or made-up token.
fn unknown_webhook(state: &State, req: &Incoming) -> Answer {
    state.violation(format!(
        "{} {}: a token of no interaction sent",
        req.method, req.path
    ));
    Answer::error(StatusCode::NOT_FOUND, 10015, "Unknown Webhook")
}

fn interaction_callback(state: &State, token: &str, req: &Incoming) -> Answer {
    let Some(info) = interaction(state, token) else {
        state.violation(format!(
            "{} {}: callback for an interaction never sent",
            req.method, req.path
        ));
        return Answer::error(StatusCode::NOT_FOUND, 10062, "Unknown interaction");
    };
    if info.acknowledged {
        state.violation(format!(
            "{} {}: a second callback for one interaction",
            req.method, req.path
        ));
        return Answer::error(
            StatusCode::BAD_REQUEST,
            40060,
            "Interaction has already been acknowledged.",
        );
    }
    let late = info.dispatched.elapsed();
    if late > super::CALLBACK_DEADLINE {
        state.violation(format!(
            "{} {}: the first callback came {late:?} after the interaction, past Discord's 3 s",
            req.method, req.path
        ));
        return Answer::error(StatusCode::NOT_FOUND, 10062, "Unknown interaction");
    }
    let body = req.body.clone().unwrap_or(Value::Null);
    let data = body["data"].clone();
    let original = match body["type"].as_u64() {
        // A reply, or a "thinking..." placeholder the bot edits later.
        Some(4) | Some(5) => {
            let m = create_message(state, info.channel_id, info.guild_id, &data, &req.files);
            id_of(&m["id"])
        }
        // Update (or acknowledge) the message the component is on.
        Some(6) | Some(7) => {
            let target = info.message_id;
            if let (Some(7), Some(id)) = (body["type"].as_u64(), target) {
                let mut messages = state.messages.lock().unwrap();
                let stored = messages.entry(id).or_insert_with(|| StoredMessage {
                    channel_id: info.channel_id,
                    message: objects::message(
                        id,
                        info.channel_id,
                        info.guild_id,
                        &Value::Null,
                        vec![],
                    ),
                });
                objects::apply_edit(&mut stored.message, &data);
            }
            target
        }
        _ => None,
    };
    if let Some(i) = state.interactions.lock().unwrap().get_mut(token) {
        i.acknowledged = true;
        i.original = original;
        if body["type"] == 5 {
            i.awaiting_followup = Some(data["flags"].as_u64().unwrap_or(0));
        }
    }
    Answer::no_content()
}

/// The first follow-up of a deferred answer: Discord makes it the "thinking…" message, whose
/// visibility the deferral chose. A follow-up asking for another visibility does not get it: a
/// violation, since the bot meant something Discord will not do.
fn replace_placeholder(
    state: &State,
    token: &str,
    req: &Incoming,
    deferred_flags: u64,
    original: u64,
    body: &Value,
) -> Answer {
    const EPHEMERAL: u64 = 1 << 6;
    let asked = body["flags"].as_u64().unwrap_or(0);
    if asked & EPHEMERAL != deferred_flags & EPHEMERAL {
        state.violation(format!(
            "{} {}: the first follow-up of a {} deferral asks to be {}; Discord keeps the deferral's visibility",
            req.method,
            req.path,
            if deferred_flags & EPHEMERAL != 0 { "private" } else { "public" },
            if asked & EPHEMERAL != 0 { "private" } else { "public" },
        ));
    }
    if let Some(i) = state.interactions.lock().unwrap().get_mut(token) {
        i.awaiting_followup = None;
    }
    let mut payload = body.clone();
    payload["flags"] = json!(deferred_flags);
    match existing_message(state, "PATCH", Some(original), &payload, &req.files) {
        Some(answer) => answer,
        None => Answer::error(StatusCode::NOT_FOUND, 10008, "Unknown Message"),
    }
}

fn attachments(state: &State, files: &[RecordedFile]) -> Vec<Value> {
    files
        .iter()
        .map(|f| objects::attachment(state.new_id(), &f.filename, f.bytes.len()))
        .collect()
}

fn create_message(
    state: &State,
    channel_id: u64,
    guild_id: Option<u64>,
    payload: &Value,
    files: &[RecordedFile],
) -> Value {
    let id = state.new_id();
    let message = objects::message(id, channel_id, guild_id, payload, attachments(state, files));
    state.messages.lock().unwrap().insert(
        id,
        StoredMessage {
            channel_id,
            message: message.clone(),
        },
    );
    message
}

/// GET, PATCH or DELETE of a message the bot created.
fn existing_message(
    state: &State,
    method: &str,
    id: Option<u64>,
    payload: &Value,
    files: &[RecordedFile],
) -> Option<Answer> {
    let unknown = || Answer::error(StatusCode::NOT_FOUND, 10008, "Unknown Message");
    let Some(id) = id else { return Some(unknown()) };
    let mut messages = state.messages.lock().unwrap();
    Some(match method {
        "GET" => match messages.get(&id) {
            Some(stored) => Answer::json(stored.message.clone()),
            None => unknown(),
        },
        "PATCH" => match messages.get_mut(&id) {
            Some(stored) => {
                objects::apply_edit(&mut stored.message, payload);
                if !files.is_empty() {
                    stored.message["attachments"] = json!(attachments(state, files));
                }
                stored.message["edited_timestamp"] = json!(objects::TIMESTAMP);
                Answer::json(stored.message.clone())
            }
            None => unknown(),
        },
        "DELETE" => match messages.remove(&id) {
            Some(_) => Answer::no_content(),
            None => unknown(),
        },
        _ => return None,
    })
}
