//! The Discord outbox: scheduled messages out to Discord, paced, retried, and never twice.
//!
//! The contract with the scheduler ([`Outbox`]): `Ok` means Discord holds every message of the
//! delivery (and says which); `Retry(after)` leaves it pending (rate limited, Discord or the network down);
//! `Undeliverable(reason)` skips it for good (unknown channel, missing access, a malformed id).
//!
//! - **Paced.** Every request, opening a DM channel included, first takes a turn ("discord" in
//!   [`Turns`]), so a Monday fan-out of thousands stays under Discord's global 50 requests/s.
//!   With a database the turns are booked there, so every process sharing it shares the pace.
//!   In tests serenity's own rate limiter must be off (the fake Discord needs the proxy), so
//!   this is the only pacing there is.
//! - **Retrying.** A 429 pauses every turn, not only the refused send (and in every process): a
//!   global limit stops everything, and a per-route one is cheap to respect for everyone.
//! - **Exactly-once-minded.** Each message carries the delivery id as its nonce with
//!   `enforce_nonce`: a resend after a crash, within Discord's few-minute nonce window, returns the
//!   earlier message instead of posting a second one.
//! - **Replacing.** `Ok` carries every message id (`<channel>/<id>,<id>…`); a delivery that
//!   `replaces` such a value (a digest posted again the same day) edits those messages instead.
//! - **A closed DM is not a lost prompt.** Discord's 50007 (cannot send messages to this user)
//!   sends the delivery to the team channel instead, with a mention, when the `fallback` names one.
//!
//! Two ways out. Against Discord itself, serenity's `Http` with its rate limiter on: it sleeps out
//! 429s using the `Retry-After` header, and they rarely reach this module at all. Behind another
//! `discord.api_base` serenity's limiter cannot be used (it ignores the proxy) and its errors keep
//! neither the headers nor the body of a 429 (`DiscordJsonError` has no `retry_after`, and a 429
//! body without `code` arrives as `code: -1`), so there the outbox sends through [`Rest`], which
//! reads the whole answer: a 429 pauses everything for its own `retry_after`. [`RATE_LIMITED`]
//! remains only for a 429 that says nothing of when to come back.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serenity::all::{ChannelId, Http, HttpError, MessageId, Nonce, PrivateChannel, UserId};
use serenity::http::{DiscordJsonError, Route, StatusCode};

use super::ids::{parse_mention, parse_snowflake, Mention};
use super::render::{render_with_actions, DiscordMessage};
use super::rest::{Body, Rest, RestError};
use crate::outbox::{Delivery, Outbox, Recipient, SendError, Sent};
use crate::pace::Turns;

/// Discord's "Cannot send messages to this user": closed DMs, no shared server, a block.
pub const CANNOT_DM: isize = 50007;
/// Discord's "Unknown Message": the message to edit was deleted.
pub const UNKNOWN_MESSAGE: isize = 10008;
/// "Unknown Channel", "Missing Access", "Missing Permissions": the team's channel is gone or
/// closed to the bot; the lead must fix it, retrying cannot.
pub const CHANNEL_CLOSED: [isize; 3] = [10003, 50001, 50013];
/// How long a 429 pauses all sends when it does not say (module docs).
pub const RATE_LIMITED: Duration = Duration::from_secs(2);
/// How long to wait after a 5xx or a network failure: Discord hiccups are short.
pub const BACKOFF: Duration = Duration::from_secs(5);
/// Under Discord's global 50/s, leaving room for interaction responses and edits.
pub const DEFAULT_RATE: u32 = 40;
/// The key of Discord's turns ([`Turns`]): one pace for the bot, whichever process sends.
pub const TURNS: &str = "discord";

/// What a failed request means for the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429: pause every send for this long, then retry.
    RateLimited(Duration),
    /// 50007: the user takes no DMs; try the team channel.
    CannotDm,
    /// 5xx or the network: retry after this long.
    Transient(Duration),
    /// 10003, 50001, 50013: the channel is deleted or the bot may not post there.
    ChannelClosed(String),
    /// Anything else Discord refuses will be refused again: skip, with the reason.
    Rejected(String),
}

/// Classifies a serenity error (shapes in the module docs).
pub fn classify(e: &serenity::Error) -> Failure {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            classify_refusal(r.status_code, &r.error)
        }
        serenity::Error::Http(HttpError::Request(_)) => Failure::Transient(BACKOFF),
        // serenity's own checks (lengths) or an answer it could not read: sending the same
        // again cannot help.
        other => Failure::Rejected(format!("Discord request failed: {other}")),
    }
}

/// Classifies Discord's answer to an unsuccessful request, as serenity reports it.
pub fn classify_refusal(status: StatusCode, error: &DiscordJsonError) -> Failure {
    classify_answer(status, error.code, &error.message, None)
}

/// Classifies Discord's answer: its status, code and message, and for a 429 how long it asked
/// to wait, when the answer could be read ([`RATE_LIMITED`] when not).
pub fn classify_answer(
    status: StatusCode,
    code: isize,
    message: &str,
    retry_after: Option<Duration>,
) -> Failure {
    let refused = || {
        format!(
            "Discord refused it: {} {message} (code {code})",
            status.as_u16()
        )
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        Failure::RateLimited(retry_after.unwrap_or(RATE_LIMITED))
    } else if code == CANNOT_DM {
        Failure::CannotDm
    } else if CHANNEL_CLOSED.contains(&code) {
        Failure::ChannelClosed(refused())
    } else if status.is_server_error() {
        Failure::Transient(BACKOFF)
    } else {
        Failure::Rejected(refused())
    }
}

/// Classifies a failure of the outbox's own requests ([`Rest`]).
pub fn classify_rest(e: &RestError) -> Failure {
    match e {
        RestError::Refused(r) => classify_answer(r.status, r.code, &r.message, r.retry_after),
        RestError::Network(_) => Failure::Transient(BACKOFF),
    }
}

fn rest_code(e: &RestError) -> Option<isize> {
    match e {
        RestError::Refused(r) => Some(r.code),
        RestError::Network(_) => None,
    }
}

/// A message as the body of one of the outbox's own requests: serenity's builder serialised,
/// with its files numbered as the multipart parts that carry them.
fn body_of<'a>(builder: &impl serde::Serialize, m: &'a DiscordMessage) -> Body<'a> {
    let mut v = serde_json::to_value(builder).unwrap_or_default();
    if m.files.is_empty() {
        return Body::Json(v);
    }
    let attachments: Vec<serde_json::Value> = m
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| serde_json::json!({"id": i, "filename": f.filename}))
        .collect();
    v["attachments"] = serde_json::Value::Array(attachments);
    Body::WithFiles(v, &m.files)
}

/// Discord's code in a refusal, if the error is one.
pub fn refusal_code(e: &serenity::Error) -> Option<isize> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.error.code),
        _ => None,
    }
}

/// What [`Outbox::send`] returns and a replacing delivery reads back: `<channel>/<id>,<id>…`,
/// every message the delivery became, so a replacement edits them all.
pub fn format_sent(channel: ChannelId, ids: &[MessageId]) -> String {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!("{channel}/{}", ids.join(","))
}

pub fn parse_sent(s: &str) -> Option<(ChannelId, Vec<MessageId>)> {
    let (channel, ids) = s.split_once('/')?;
    let ids = ids
        .split(',')
        .map(|i| parse_snowflake(i).map(MessageId::new))
        .collect::<Option<Vec<_>>>()?;
    Some((ChannelId::new(parse_snowflake(channel)?), ids))
}

/// Finds the team channel for a delivery whose user takes no DMs.
pub type Fallback = Arc<dyn Fn(&Delivery) -> Option<ChannelId> + Send + Sync>;

pub struct DiscordOutbox {
    http: Arc<Http>,
    /// Behind another `discord.api_base`: the outbox's own requests (module docs).
    rest: Option<Rest>,
    /// Turns under the key [`TURNS`], one `interval` apart.
    turns: Turns,
    interval: Duration,
    /// A user's DM channel never changes: opening it once per user saves a request per send.
    dms: Mutex<HashMap<UserId, ChannelId>>,
    fallback: Fallback,
    /// Where closed direct messages are remembered, so a prompt to someone whose DMs refused
    /// the bot goes straight to the team channel instead of failing a DM every week.
    memory: Option<(crate::service::Okr, Arc<dyn crate::clock::Clock>)>,
}

impl DiscordOutbox {
    /// `rate_per_second`: [`DEFAULT_RATE`] unless Discord granted more. `fallback` finds the
    /// team channel for a delivery whose user takes no direct messages.
    pub fn new(http: Arc<Http>, rate_per_second: u32, fallback: Fallback) -> Self {
        DiscordOutbox {
            rest: http
                .proxy
                .as_deref()
                .map(|base| Rest::new(base, http.token())),
            http,
            turns: Turns::local(),
            interval: Duration::from_secs(1) / rate_per_second.max(1),
            dms: Mutex::default(),
            fallback,
            memory: None,
        }
    }

    /// Remembers closed direct messages and direct-message channels in the store (closed ones
    /// read with `clock`), and takes its turns there, so every process on it keeps one pace.
    pub fn remembering(
        mut self,
        okr: crate::service::Okr,
        clock: Arc<dyn crate::clock::Clock>,
    ) -> Self {
        self.turns = okr.turns().clone();
        self.memory = Some((okr, clock));
        self
    }

    async fn known_closed(&self, d: &Delivery, user: &str) -> bool {
        match &self.memory {
            Some((okr, clock)) => okr
                .dm_closed(d.workspace, user, clock.now())
                .await
                .unwrap_or(false),
            None => false,
        }
    }

    /// Waits for a request's turn, again if a 429 paused everything meanwhile.
    async fn pace(&self) {
        self.turns.take(TURNS, self.interval).await;
    }

    /// A failure as the scheduler's answer, pausing everything on a 429.
    async fn settle(&self, f: Failure) -> SendError {
        match f {
            Failure::RateLimited(after) => {
                self.turns.hold(TURNS, after).await;
                SendError::Retry(after)
            }
            Failure::Transient(after) => SendError::Retry(after),
            Failure::CannotDm => {
                SendError::Undeliverable("Discord: cannot send messages to this user".into())
            }
            Failure::Rejected(why) => SendError::Undeliverable(why),
            Failure::ChannelClosed(why) => SendError::Gone(why),
        }
    }

    /// `user`'s direct-message channel: known to this process, else to the database (another
    /// process, or this one before a restart, opened it), else opened now and kept in both.
    async fn dm_channel(
        &self,
        d: &Delivery,
        key: &str,
        user: UserId,
    ) -> Result<ChannelId, Failure> {
        if let Some(c) = crate::sync::lock(&self.dms).get(&user) {
            return Ok(*c);
        }
        if let Some((okr, _)) = &self.memory {
            match okr.dm_channel(d.workspace, key).await {
                Ok(Some(known)) => {
                    if let Some(channel) = known.parse().ok().and_then(NonZeroU64::new) {
                        let channel = ChannelId::from(channel);
                        crate::sync::lock(&self.dms).insert(user, channel);
                        return Ok(channel);
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "could not read a known direct-message channel; opening it")
                }
            }
        }
        self.pace().await;
        let channel = match &self.rest {
            Some(rest) => {
                let body = Body::Json(serde_json::json!({ "recipient_id": user.to_string() }));
                rest.call::<PrivateChannel>(Method::POST, Route::UserMeDmChannels, body)
                    .await
                    .map_err(|e| classify_rest(&e))?
                    .id
            }
            None => {
                user.create_dm_channel(self.http.as_ref())
                    .await
                    .map_err(|e| classify(&e))?
                    .id
            }
        };
        crate::sync::lock(&self.dms).insert(user, channel);
        if let Some((okr, _)) = &self.memory {
            if let Err(e) = okr
                .remember_dm_channel(d.workspace, key, &channel.get().to_string())
                .await
            {
                tracing::warn!(error = %e, "could not keep a direct-message channel for other processes");
            }
        }
        Ok(channel)
    }

    /// Posts every message of the delivery to `channel`, or edits the ones it replaces (a digest
    /// posted again the same day); returns them as [`format_sent`] writes them. The first new
    /// message carries the delivery id as its nonce, continuations `<id>.<n>`, which no numeric
    /// nonce can equal.
    async fn post(
        &self,
        channel: ChannelId,
        d: &Delivery,
        mention: Option<&str>,
    ) -> Result<String, Failure> {
        let parts = render_with_actions(&d.message, mention, d.id);
        let old = match d.replaces.as_deref().and_then(parse_sent) {
            Some((c, ids)) if c == channel => ids,
            _ => Vec::new(),
        };
        let mut ids = Vec::new();
        for (i, m) in parts.iter().enumerate() {
            if let Some(id) = old.get(i) {
                self.pace().await;
                // `None`: deleted meanwhile, so it is posted anew.
                if let Some(edited) = self.edit(channel, *id, m).await? {
                    ids.push(edited);
                    continue;
                }
            }
            let builder = match (i, u64::try_from(d.id)) {
                (0, Ok(id)) => m.to_create_message(Some(id)),
                _ => m
                    .to_create_message(None)
                    .nonce(Nonce::String(format!("{}.{i}", d.id)))
                    .enforce_nonce(true),
            };
            self.pace().await;
            let sent = match &self.rest {
                Some(rest) => {
                    let route = Route::ChannelMessages {
                        channel_id: channel,
                    };
                    rest.call::<serenity::all::Message>(Method::POST, route, body_of(&builder, m))
                        .await
                        .map_err(|e| classify_rest(&e))?
                        .id
                }
                None => {
                    channel
                        .send_message(self.http.as_ref(), builder)
                        .await
                        .map_err(|e| classify(&e))?
                        .id
                }
            };
            ids.push(sent);
        }
        for surplus in old.iter().skip(parts.len()) {
            self.pace().await;
            // Best effort: a leftover part of yesterday's digest is untidy, not wrong.
            let deleted = match &self.rest {
                Some(rest) => {
                    let route = Route::ChannelMessage {
                        channel_id: channel,
                        message_id: *surplus,
                    };
                    rest.call::<()>(Method::DELETE, route, Body::Empty)
                        .await
                        .map_err(|e| format!("{e:?}"))
                }
                None => channel
                    .delete_message(self.http.as_ref(), *surplus)
                    .await
                    .map_err(|e| e.to_string()),
            };
            if let Err(e) = deleted {
                tracing::info!(error = %e, message = %surplus, "could not delete a replaced message");
            }
        }
        Ok(format_sent(channel, &ids))
    }

    /// Edits one message of a delivery posted earlier; `None` when it is gone.
    async fn edit(
        &self,
        channel: ChannelId,
        id: MessageId,
        m: &DiscordMessage,
    ) -> Result<Option<MessageId>, Failure> {
        let builder = m.to_edit_message();
        match &self.rest {
            Some(rest) => {
                let route = Route::ChannelMessage {
                    channel_id: channel,
                    message_id: id,
                };
                match rest
                    .call::<serenity::all::Message>(Method::PATCH, route, body_of(&builder, m))
                    .await
                {
                    Ok(edited) => Ok(Some(edited.id)),
                    Err(e) if rest_code(&e) == Some(UNKNOWN_MESSAGE) => Ok(None),
                    Err(e) => Err(classify_rest(&e)),
                }
            }
            None => match channel.edit_message(self.http.as_ref(), id, builder).await {
                Ok(edited) => Ok(Some(edited.id)),
                Err(e) if refusal_code(&e) == Some(UNKNOWN_MESSAGE) => Ok(None),
                Err(e) => Err(classify(&e)),
            },
        }
    }

    async fn send_to_user(&self, d: &Delivery, user: &str) -> Result<String, SendError> {
        // The core knows Discord members by their mention, `<@id>` (see `context::user_key`).
        let id = match parse_mention(user) {
            Some(Mention::User(id)) => Some(id),
            Some(Mention::Role(_)) => None,
            None => parse_snowflake(user),
        }
        .ok_or_else(|| SendError::Undeliverable(format!("{user:?} is not a Discord user id")))?;
        let key = user;
        let user = UserId::new(id);
        let closed = self.known_closed(d, key).await;
        let direct = if closed {
            Err(Failure::CannotDm)
        } else {
            match self.dm_channel(d, key, user).await {
                Ok(channel) => self.post(channel, d, None).await,
                Err(f) => Err(f),
            }
        };
        match direct {
            Err(Failure::CannotDm) => {
                if let (false, Some((okr, clock))) = (closed, &self.memory) {
                    if let Err(e) = okr.set_dm_closed(d.workspace, key, true, clock.now()).await {
                        tracing::warn!(error = %e, "could not remember closed direct messages");
                    }
                }
                let channel = (self.fallback)(d).ok_or_else(|| {
                    SendError::Undeliverable(format!(
                        "user {id} takes no direct messages and the team has no channel"
                    ))
                })?;
                let mention = format!("<@{id}>");
                match self.post(channel, d, Some(&mention)).await {
                    Ok(sent) => Ok(sent),
                    Err(f) => Err(self.settle(f).await),
                }
            }
            Ok(sent) => Ok(sent),
            Err(f) => Err(self.settle(f).await),
        }
    }
}

impl Outbox for DiscordOutbox {
    async fn send(&self, d: &Delivery) -> Result<Sent, SendError> {
        Ok(Some(match &d.recipient {
            Recipient::User(user) => self.send_to_user(d, user).await?,
            Recipient::Channel(c) => {
                let id = parse_snowflake(c).ok_or_else(|| {
                    SendError::Undeliverable(format!(
                        "channel {c:?} is not a Discord channel id (a number)"
                    ))
                })?;
                match self.post(ChannelId::new(id), d, None).await {
                    Ok(sent) => sent,
                    Err(f) => return Err(self.settle(f).await),
                }
            }
            Recipient::Webhook(w) => {
                return Err(SendError::Undeliverable(format!(
                    "webhook {w} is not a Discord recipient"
                )))
            }
        }))
    }
}

#[cfg(test)]
#[path = "delivery_tests.rs"]
mod tests;
