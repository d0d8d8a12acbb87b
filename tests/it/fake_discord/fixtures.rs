//! Interaction payloads as Discord sends them in `INTERACTION_CREATE`, complete for serenity
//! 0.12.5: it silently drops an event lacking a field it requires (`attachment_size_limit`,
//! `entitlements`, `locale`, ...), which in a test looks like a timeout. Each builder is
//! deserialized into `serenity::all::Interaction` by the harness's own tests.
//!
//! Every call makes a fresh interaction id and token, so a test can send the same command twice.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use super::{objects, FakeDiscord};

/// Discord's upload limit for a guild without boosts (25 MiB).
const ATTACHMENT_SIZE_LIMIT: u64 = 26_214_400;
/// Interaction types.
const APPLICATION_COMMAND: u8 = 2;
const MESSAGE_COMPONENT: u8 = 3;
const AUTOCOMPLETE: u8 = 4;
const MODAL_SUBMIT: u8 = 5;
/// All permissions a bot usually holds in the fixture guild (what `app_permissions` says).
const APP_PERMISSIONS: &str = "2248473465835073";

/// The permissions of a member who may do anything (`ADMINISTRATOR` and all the rest).
pub const ADMIN_PERMISSIONS: &str = "2251799813685247";
/// The permissions of an ordinary member (view, send, read history, use application commands).
pub const MEMBER_PERMISSIONS: &str = "2147552256";

fn next() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1_300_000_000_000_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The DM channel fixtures use for `user_id`: what the fake's `POST /users/@me/channels` returns
/// is a different number; DM interactions only need a channel id of their own.
pub fn dm_channel_id(user_id: u64) -> u64 {
    user_id.wrapping_add(7)
}

/// The fields every interaction has, in the fixture guild's channel, invoked by `user_id` with
/// `member_permissions`.
fn in_guild(kind: u8, data: Value, user_id: u64, member_permissions: &str) -> Value {
    let id = next();
    json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APPLICATION_ID.to_string(),
        "type": kind,
        "data": data,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "channel_id": FakeDiscord::CHANNEL_ID.to_string(),
        "channel": objects::guild_text_channel(FakeDiscord::CHANNEL_ID),
        "member": objects::member(user_id, Some(member_permissions)),
        "token": format!("token-{id}"),
        "version": 1,
        "app_permissions": APP_PERMISSIONS,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": FakeDiscord::GUILD_ID.to_string()},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    })
}

/// The same in the bot's DM with `user_id`: no guild, no member, the user at top level.
fn in_dm(kind: u8, data: Value, user_id: u64) -> Value {
    let id = next();
    let channel = dm_channel_id(user_id);
    json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APPLICATION_ID.to_string(),
        "type": kind,
        "data": data,
        "channel_id": channel.to_string(),
        "channel": objects::dm_channel(channel, user_id),
        "user": objects::user(user_id, &format!("user{user_id}"), false),
        "token": format!("token-{id}"),
        "version": 1,
        "app_permissions": APP_PERMISSIONS,
        "locale": "en-US",
        "entitlements": [],
        // A guild-installed app used in a DM: Discord writes guild "0".
        "authorizing_integration_owners": {"0": "0"},
        "context": 1,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    })
}

fn command_data(name: &str, options: Value) -> Value {
    json!({
        "id": next().to_string(),
        "name": name,
        "type": 1,
        "options": options,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
    })
}

/// `/name` with Discord's nested `options` array, e.g. for `/okr checkin kr:K1 value:40`:
/// `[{"name":"checkin","type":1,"options":[{"name":"kr","type":3,"value":"K1"}, ...]}]`.
pub fn slash_command(name: &str, options: Value, user_id: u64, member_permissions: &str) -> Value {
    in_guild(
        APPLICATION_COMMAND,
        command_data(name, options),
        user_id,
        member_permissions,
    )
}

/// An autocomplete request for `/name`; mark the option being typed with `"focused": true` in
/// `options`.
pub fn autocomplete(name: &str, options: Value, user_id: u64, member_permissions: &str) -> Value {
    in_guild(
        AUTOCOMPLETE,
        command_data(name, options),
        user_id,
        member_permissions,
    )
}

fn button_data(custom_id: &str) -> Value {
    json!({"custom_id": custom_id, "component_type": 2})
}

/// A click on the button `custom_id` of `message` (a message object, e.g. one from
/// `FakeDiscord::messages_in`) in the guild channel.
pub fn button(custom_id: &str, user_id: u64, message: Value) -> Value {
    let mut i = in_guild(
        MESSAGE_COMPONENT,
        button_data(custom_id),
        user_id,
        MEMBER_PERMISSIONS,
    );
    i["message"] = message;
    i
}

/// A click on the button `custom_id` of `message` in the bot's DM with `user_id`.
pub fn dm_button(custom_id: &str, user_id: u64, message: Value) -> Value {
    let mut i = in_dm(MESSAGE_COMPONENT, button_data(custom_id), user_id);
    i["message"] = message;
    i
}

/// The submission of modal `custom_id` with `fields` as `(text input custom_id, value)`.
pub fn modal_submit(custom_id: &str, fields: &[(&str, &str)], user_id: u64) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| {
            json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
        })
        .collect();
    in_guild(
        MODAL_SUBMIT,
        json!({"custom_id": custom_id, "components": rows}),
        user_id,
        MEMBER_PERMISSIONS,
    )
}

/// A message with one button, as the fake stores the bot's messages; for `button` fixtures when
/// the test did not get the message from the bot.
pub fn message_with_button(channel_id: u64, custom_id: &str) -> Value {
    let components = json!({"components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Go", "custom_id": custom_id}
    ]}]});
    objects::message(
        next(),
        channel_id,
        Some(FakeDiscord::GUILD_ID),
        &components,
        vec![],
    )
}
