//! Neutral [`Message`]s as Discord payloads.
//!
//! The contract: whatever the core says, the payloads fit every Discord limit (see
//! `docs/discord.md`) so nothing is refused for size. What does not fit one embed goes
//! on into further embeds and messages; only past [`MAX_MESSAGES`] is the rest cut, and then the
//! reader is told "… and N more lines". Lengths are counted in UTF-16 units, never fewer than
//! what Discord or serenity count, so a text full of emoji cannot slip over a limit.
//!
//! Buttons, their ids, the Update form and the edit after a check-in live in [`components`].

use serenity::all::{
    CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseMessage, CreateMessage, EditMessage, Nonce,
};

use super::ids::{parse_mention, Mention};
use crate::domain::message::Message;
use crate::domain::scoring::Status;

pub mod components;
use components::hidden_krs;
pub use components::{
    action_rows, kpi_modal, mark_done, mark_kpi_done, parse_custom_id, parse_kpi_modal_id,
    parse_modal_id, update_modal, without_start_okr, ButtonAction,
};

pub const GREEN: u32 = 0x2E_CC_71;
pub const YELLOW: u32 = 0xF1_C4_0F;
pub const RED: u32 = 0xE7_4C_3C;
/// No status to report: a grey, so an informational message does not read as a verdict.
pub const NEUTRAL: u32 = 0x95_A5_A6;

/// More messages than this for one neutral message would flood a channel; the rest is counted.
pub const MAX_MESSAGES: usize = 5;
/// The text inputs of [`update_modal`], by `custom_id`.
pub const MODAL_VALUE: &str = "value";
pub const MODAL_CONFIDENCE: &str = "confidence";
pub const MODAL_NOTE: &str = "note";

const CONTENT: usize = 2000;
const EMBEDS: usize = 10;
const TITLE: usize = 256;
const DESCRIPTION: usize = 4096;
const FIELDS: usize = 25;
const FIELD_VALUE: usize = 1024;
const FOOTER: usize = 2048;
const TOTAL: usize = 6000;
const ROWS: usize = 5;
const LABEL: usize = 80;
const CUSTOM_ID: usize = 100;
const MODAL_TITLE: usize = 45;
/// Discord refuses empty field names and values; a zero-width space is the usual filler.
const BLANK: &str = "\u{200b}";

/// One Discord message's worth: what `CreateMessage`, `EditMessage`,
/// `CreateInteractionResponseMessage` and poise's `CreateReply` need.
#[derive(Debug, Clone)]
pub struct DiscordMessage {
    pub content: Option<String>,
    pub embeds: Vec<CreateEmbed>,
    pub components: Vec<CreateActionRow>,
    pub files: Vec<CreateAttachment>,
    pub ephemeral: bool,
    /// Exactly who this message may ping (`allowed_mentions`): the people and roles its content
    /// names on purpose, never `@everyone`, `@here` or anyone a title or note happens to name.
    pub pings: Pings,
}

/// For text that names nobody on purpose (refusals, one-line answers): it pings no one, whatever
/// a title or note in it says.
pub fn no_pings() -> CreateAllowedMentions {
    Pings::default().allowed()
}

/// The users and roles a message means to notify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pings {
    pub users: Vec<u64>,
    pub roles: Vec<u64>,
}

impl Pings {
    /// From mentions as the core spells Discord members: `<@id>`, `<@!id>`, `<@&id>`.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Pings {
        let mut p = Pings::default();
        for n in names {
            let (list, id) = match parse_mention(n.trim()) {
                Some(Mention::User(id)) => (&mut p.users, id),
                Some(Mention::Role(id)) => (&mut p.roles, id),
                None => continue,
            };
            if !list.contains(&id) {
                list.push(id);
            }
        }
        p
    }

    pub fn allowed(&self) -> CreateAllowedMentions {
        CreateAllowedMentions::new()
            .users(self.users.iter().map(|u| serenity::all::UserId::new(*u)))
            .roles(self.roles.iter().map(|r| serenity::all::RoleId::new(*r)))
            .replied_user(false)
    }
}

impl DiscordMessage {
    /// With a nonce, Discord returns the earlier message instead of posting a second one when
    /// the same nonce comes again within a few minutes: a resend after a crash is harmless.
    pub fn to_create_message(&self, nonce: Option<u64>) -> CreateMessage {
        let mut b = CreateMessage::new()
            .allowed_mentions(self.pings.allowed())
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .files(self.files.clone());
        if let Some(c) = &self.content {
            b = b.content(c);
        }
        if let Some(n) = nonce {
            b = b.nonce(Nonce::Number(n)).enforce_nonce(true);
        }
        b
    }

    /// The whole new state: embeds and components replace the old ones (no components removes
    /// the buttons); content and files are touched only when given.
    pub fn to_edit_message(&self) -> EditMessage {
        let mut b = EditMessage::new()
            .allowed_mentions(self.pings.allowed())
            .embeds(self.embeds.clone())
            .components(self.components.clone());
        if let Some(c) = &self.content {
            b = b.content(c);
        }
        for f in &self.files {
            b = b.new_attachment(f.clone());
        }
        b
    }

    pub fn to_interaction_message(&self) -> CreateInteractionResponseMessage {
        let mut b = CreateInteractionResponseMessage::new()
            .allowed_mentions(self.pings.allowed())
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .files(self.files.clone())
            .ephemeral(self.ephemeral);
        if let Some(c) = &self.content {
            b = b.content(c);
        }
        b
    }

    pub fn to_reply(&self) -> poise::CreateReply {
        let mut r = poise::CreateReply::default()
            .allowed_mentions(self.pings.allowed())
            .components(self.components.clone())
            .ephemeral(self.ephemeral);
        if let Some(c) = &self.content {
            r = r.content(c);
        }
        for e in &self.embeds {
            r = r.embed(e.clone());
        }
        for f in &self.files {
            r = r.attachment(f.clone());
        }
        r
    }
}

/// What Discord counts against its limits, or more.
fn len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `s` cut to at most `max` units, ending in "…" when cut.
fn cut(s: &str, max: usize) -> String {
    if len(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        if used + ch.len_utf16() > max - 1 {
            break;
        }
        used += ch.len_utf16();
        out.push(ch);
    }
    out.push('…');
    out
}

pub fn colour(s: Option<Status>) -> u32 {
    match s {
        Some(Status::Green) => GREEN,
        Some(Status::Yellow) => YELLOW,
        Some(Status::Red) => RED,
        None => NEUTRAL,
    }
}

/// One embed before it becomes a builder: sizes can be measured and parts moved.
#[derive(Debug, Clone, Default)]
struct Piece {
    title: Option<String>,
    colour: u32,
    desc: String,
    fields: Vec<(String, String)>,
    footer: Option<String>,
    image: Option<String>,
    /// In the message's own colour, so later uncoloured blocks may join it.
    plain: bool,
    /// Headings and lines of the neutral message it carries, for "… and N more".
    carried: usize,
}

impl Piece {
    fn size(&self) -> usize {
        let fields: usize = self.fields.iter().map(|(n, v)| len(n) + len(v)).sum();
        self.title.as_deref().map_or(0, len)
            + len(&self.desc)
            + fields
            + self.footer.as_deref().map_or(0, len)
    }

    fn embed(&self) -> CreateEmbed {
        let mut e = CreateEmbed::new().colour(self.colour);
        if let Some(t) = &self.title {
            e = e.title(t);
        }
        if !self.desc.is_empty() || (self.title.is_none() && self.fields.is_empty()) {
            e = e.description(if self.desc.is_empty() {
                BLANK
            } else {
                &self.desc
            });
        }
        for (n, v) in &self.fields {
            e = e.field(n, v, false);
        }
        if let Some(f) = &self.footer {
            e = e.footer(CreateEmbedFooter::new(f));
        }
        if let Some(i) = &self.image {
            e = e.image(i);
        }
        e
    }
}

/// Lays blocks out as pieces, each within the per-embed limits and at most `cap` in size.
struct Layout {
    pieces: Vec<Piece>,
    colour: u32,
    cap: usize,
}

impl Layout {
    fn open(&mut self, title: Option<String>, colour: u32, plain: bool) {
        let carried = usize::from(title.is_some());
        self.pieces.push(Piece {
            title,
            colour,
            plain,
            carried,
            ..Piece::default()
        });
    }

    fn last(&mut self) -> &mut Piece {
        self.pieces
            .last_mut()
            .expect("the title piece is opened first")
    }

    /// Appends to the last piece's description, going on in an untitled piece of the same
    /// colour when full: a long list is split, never dropped.
    fn line(&mut self, line: &str) {
        let cap = self.cap;
        let line = cut(line, DESCRIPTION.min(cap));
        let p = self.last();
        let add = len(&line) + usize::from(!p.desc.is_empty());
        if !p.fields.is_empty() || len(&p.desc) + add > DESCRIPTION || p.size() + add > cap {
            let (colour, plain) = (p.colour, p.plain);
            self.open(None, colour, plain);
        }
        let p = self.last();
        if !p.desc.is_empty() {
            p.desc.push('\n');
        }
        p.desc.push_str(&line);
        p.carried += 1;
    }

    fn field(&mut self, name: String, value: String, lines: usize) {
        let add = len(&name) + len(&value);
        let p = self.last();
        if !p.plain || p.fields.len() == FIELDS || p.size() + add > self.cap {
            self.open(None, self.colour, true);
        }
        let p = self.last();
        p.fields.push((name, value));
        p.carried += 1 + lines;
    }
}

/// A neutral message as one or more Discord messages (see the module docs for the limits).
/// `prefix_mention` (e.g. `<@123>`) goes into the first message's content: a channel fallback
/// for a direct message must still ping its reader.
pub fn render(m: &Message, prefix_mention: Option<&str>) -> Vec<DiscordMessage> {
    let footer = m
        .footer
        .as_deref()
        .filter(|f| !f.is_empty())
        .map(|f| cut(f, FOOTER));
    let main = colour(m.colour);
    let mut l = Layout {
        pieces: Vec::new(),
        colour: main,
        cap: TOTAL - footer.as_deref().map_or(0, len),
    };
    l.open(
        Some(cut(&m.title, TITLE)).filter(|t| !t.is_empty()),
        main,
        true,
    );
    l.last().image = m
        .attachments
        .first()
        .map(|a| format!("attachment://{}", a.name));
    let (hidden, hidden_kpis) = hidden_krs(&m.actions);
    let note = match (hidden, hidden_kpis) {
        (n, 0) => format!("… and {n} more key results: check them in with /okr update"),
        (0, k) => format!("… and {k} more KPIs: read them with /kpi set"),
        (n, k) => format!(
            "… and {n} more key results and {k} more KPIs: /okr update and /kpi set take them"
        ),
    };
    let extra = (hidden + hidden_kpis > 0).then(|| crate::domain::message::Block {
        lines: vec![note],
        ..Default::default()
    });
    for b in m.blocks.iter().chain(&extra) {
        let heading = b
            .heading
            .as_deref()
            .filter(|h| !h.is_empty())
            .map(|h| cut(h, TITLE));
        let value = b.lines.join("\n");
        match (b.colour, heading) {
            (None, Some(h)) if len(&value) <= FIELD_VALUE => {
                let v = if value.is_empty() {
                    BLANK.to_owned()
                } else {
                    value
                };
                l.field(h, v, b.lines.len());
            }
            (c, h) => {
                let p = l.last();
                let joins = c.is_none() && h.is_none() && p.plain && p.fields.is_empty();
                if !joins {
                    l.open(h, c.map_or(main, |c| colour(Some(c))), c.is_none());
                }
                b.lines.iter().for_each(|line| l.line(line));
            }
        }
    }
    l.last().footer = footer.clone();
    let mut messages = pack(l.pieces);
    if messages.len() > MAX_MESSAGES {
        let mut dropped: usize = messages
            .drain(MAX_MESSAGES..)
            .flatten()
            .map(|p| p.carried)
            .sum();
        let last = messages.last_mut().expect("MAX_MESSAGES > 0");
        loop {
            let note = Piece {
                colour: main,
                desc: format!(
                    "… and {dropped} more {} not shown",
                    if dropped == 1 { "line" } else { "lines" }
                ),
                footer: footer.clone(),
                ..Piece::default()
            };
            let used: usize = last.iter().map(Piece::size).sum();
            if last.len() < EMBEDS && used + note.size() <= TOTAL {
                last.push(note);
                break;
            }
            dropped += last.pop().map_or(0, |p| p.carried);
        }
    }
    let files: Vec<CreateAttachment> = m
        .attachments
        .iter()
        .take(EMBEDS)
        .map(|a| CreateAttachment::bytes(a.bytes.clone(), &a.name))
        .collect();
    messages
        .into_iter()
        .enumerate()
        .map(|(i, pieces)| DiscordMessage {
            // Discord only notifies people mentioned in the content, not inside embeds.
            content: (i == 0)
                .then(|| {
                    prefix_mention
                        .into_iter()
                        .chain(m.mentions.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .filter(|c| !c.is_empty())
                .map(|c| cut(&c, CONTENT)),
            embeds: pieces.iter().map(Piece::embed).collect(),
            components: Vec::new(),
            files: if i == 0 { files.clone() } else { Vec::new() },
            ephemeral: m.private,
            pings: if i == 0 {
                Pings::of(
                    prefix_mention
                        .into_iter()
                        .chain(m.mentions.iter().map(String::as_str)),
                )
            } else {
                Pings::default()
            },
        })
        .collect()
}

/// [`render`] with the message's actions as buttons on its last message: they come after
/// everything they are about.
pub fn render_with_actions(
    m: &Message,
    prefix_mention: Option<&str>,
    delivery_id: i64,
) -> Vec<DiscordMessage> {
    let mut out = render(m, prefix_mention);
    if let Some(last) = out.last_mut() {
        last.components = action_rows(&m.actions, delivery_id);
    }
    out
}

/// Groups pieces into messages of at most 10 embeds and 6,000 units.
fn pack(pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    let mut out: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut used = 0;
    for p in pieces {
        let cur = out.last_mut().expect("never empty");
        if !cur.is_empty() && (cur.len() == EMBEDS || used + p.size() > TOTAL) {
            out.push(Vec::new());
            used = 0;
        }
        used += p.size();
        out.last_mut().expect("never empty").push(p);
    }
    out
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;

/// How Discord writes channels and instants inside a line: `<#id>` links the channel, and
/// `<t:unix:f>` shows the instant in each reader's own zone.
#[derive(Debug, Clone, Copy)]
pub struct DiscordDialect;

impl crate::render::reply::Dialect for DiscordDialect {
    fn channel(&self, stored: &str) -> String {
        if !stored.is_empty() && stored.chars().all(|c| c.is_ascii_digit()) {
            format!("<#{stored}>")
        } else {
            format!("#{stored}")
        }
    }

    fn instant(&self, t: chrono::DateTime<chrono::Utc>, _: chrono_tz::Tz) -> String {
        format!("<t:{}:f>", t.timestamp())
    }

    fn local(&self, t: &chrono::DateTime<chrono_tz::Tz>) -> String {
        format!("<t:{}:f>", t.timestamp())
    }
}
