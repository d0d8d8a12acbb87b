//! The objects the fake answers with, complete enough for serenity 0.12.5 to deserialize (the
//! harness's tests deserialize each one into serenity's model type). serenity drops a response
//! it cannot parse as an error, so a missing field here shows up as a bot failure elsewhere.

use serde_json::{json, Value};

use super::FakeDiscord;

/// Every object carries this instant: the fake's answers are deterministic.
pub const TIMESTAMP: &str = "2026-11-16T10:00:00.000000+00:00";

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "bot": bot,
        "public_flags": 0,
    })
}

pub fn bot_user() -> Value {
    user(FakeDiscord::BOT_USER_ID, "okrbot", true)
}

/// `GET /users/@me`: a `CurrentUser`.
pub fn current_user() -> Value {
    let mut u = bot_user();
    u["verified"] = json!(true);
    u["mfa_enabled"] = json!(false);
    u["flags"] = json!(0);
    u
}

/// `GET /gateway` and `GET /gateway/bot`.
pub fn gateway(url: &str, bot: bool) -> Value {
    if bot {
        json!({
            "url": url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
        })
    } else {
        json!({ "url": url })
    }
}

/// `GET /oauth2/applications/@me`: a `CurrentApplicationInfo`.
pub fn application() -> Value {
    json!({
        "id": FakeDiscord::APPLICATION_ID.to_string(),
        "name": "okrbot",
        "icon": null,
        "description": "OKRs in chat",
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0".repeat(64),
        "owner": user(1_100_000_000_000_000_009, "owner", false),
        "team": null,
        "flags": 0,
        "tags": [],
    })
}

/// The READY event's data.
pub fn ready(resume_url: &str) -> Value {
    json!({
        "v": 10,
        "user": current_user(),
        "guilds": [{"id": FakeDiscord::GUILD_ID.to_string(), "unavailable": true}],
        "session_id": "fake-session",
        "resume_gateway_url": resume_url,
        "shard": [0, 1],
        "application": {"id": FakeDiscord::APPLICATION_ID.to_string(), "flags": 0},
    })
}

pub fn everyone_role() -> Value {
    json!({
        "id": FakeDiscord::GUILD_ID.to_string(),
        "name": "@everyone",
        "color": 0,
        // serenity 0.12.5 requires the newer gradient colours object.
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": 0,
        // VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS | ...
        "permissions": "2248473465835073",
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

pub fn guild_text_channel(id: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "name": "okrs",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "topic": null,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": null,
        "flags": 0,
    })
}

pub fn dm_channel(id: u64, recipient: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": 1,
        "last_message_id": null,
        "recipients": [user(recipient, &format!("user{recipient}"), false)],
        "flags": 0,
    })
}

pub fn member(user_id: u64, permissions: Option<&str>) -> Value {
    let mut m = json!({
        "user": user(user_id, &format!("user{user_id}"), false),
        "nick": null,
        "avatar": null,
        "roles": [],
        "joined_at": TIMESTAMP,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
    });
    if let Some(p) = permissions {
        m["permissions"] = json!(p);
    }
    m
}

/// GUILD_CREATE's data: the one guild, with its channel and the bot as a member.
pub fn guild() -> Value {
    let mut bot_member = member(FakeDiscord::BOT_USER_ID, None);
    bot_member["user"] = bot_user();
    json!({
        "id": FakeDiscord::GUILD_ID.to_string(),
        "name": "Acme",
        "icon": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": "1100000000000000009",
        "afk_channel_id": null,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [everyone_role()],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": false,
        "stickers": [],
        "joined_at": TIMESTAMP,
        "large": false,
        "unavailable": false,
        "member_count": 2,
        "voice_states": [],
        "members": [bot_member],
        "channels": [guild_text_channel(FakeDiscord::CHANNEL_ID)],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
    })
}

/// A message the bot created from `payload` (a message create/edit body), with `attachments`
/// for the files it uploaded.
pub fn message(
    id: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    payload: &Value,
    attachments: Vec<Value>,
) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": bot_user(),
        "content": "",
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments,
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
        "application_id": FakeDiscord::APPLICATION_ID.to_string(),
    });
    if let Some(g) = guild_id {
        m["guild_id"] = json!(g.to_string());
    }
    apply_edit(&mut m, payload);
    m
}

/// Applies the fields of a create/edit payload that a message keeps.
pub fn apply_edit(message: &mut Value, payload: &Value) {
    for key in ["content", "embeds", "components", "flags", "tts"] {
        match &payload[key] {
            Value::Null => {}
            v => message[key] = v.clone(),
        }
    }
    // Sent embeds carry no type; received ones always say "rich".
    if let Some(embeds) = message["embeds"].as_array_mut() {
        for e in embeds {
            if e["type"].is_null() {
                e["type"] = json!("rich");
            }
        }
    }
}

pub fn attachment(id: u64, filename: &str, size: usize) -> Value {
    let url = format!("https://cdn.discordapp.com/attachments/{id}/{filename}");
    json!({
        "id": id.to_string(),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
    })
}

/// A registered application command: the body given, with the ids Discord adds.
pub fn command(id: u64, guild_id: Option<u64>, given: &Value) -> Value {
    let mut c = given.clone();
    c["id"] = json!(id.to_string());
    c["application_id"] = json!(FakeDiscord::APPLICATION_ID.to_string());
    c["version"] = json!(id.to_string());
    if c["type"].is_null() {
        c["type"] = json!(1);
    }
    if c["description"].is_null() {
        c["description"] = json!("");
    }
    if c["default_member_permissions"].is_null() {
        c["default_member_permissions"] = Value::Null;
    }
    if let Some(g) = guild_id {
        c["guild_id"] = json!(g.to_string());
    }
    c
}

/// Discord's error body.
pub fn error(code: u64, message: &str) -> Value {
    json!({"code": code, "message": message})
}
