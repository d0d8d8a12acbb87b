//! The data model: plain values, built through `parse` functions that
//! refuse bad input, so that once a value exists it is valid everywhere.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use super::codes::{CodeError, KrCode, ObjectiveCode};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// A workspace: a Discord guild, a console workspace. Every row hangs off one.
    WorkspaceId,
    TeamId,
    CycleId,
    ObjectiveId,
    KrId,
    CheckInId,
    /// A KPI (`docs/kpis.md`).
    KpiId,
);

/// How a key result is measured (`docs/scoring.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KrKind {
    /// Moves from `start` to `target`, up or down.
    Metric,
    /// Must stay on the right side of `target` all cycle.
    Threshold,
    /// Done (current = 1) or not done (current = 0).
    Milestone,
}

impl KrKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KrKind::Metric => "metric",
            KrKind::Threshold => "threshold",
            KrKind::Milestone => "milestone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "metric" => Some(KrKind::Metric),
            "threshold" => Some(KrKind::Threshold),
            "milestone" => Some(KrKind::Milestone),
            _ => None,
        }
    }
}

/// Which side of the line a threshold key result must stay on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    AtLeast,
    AtMost,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "at_least" | "atleast" | "at-least" | ">=" | "above" => Some(Direction::AtLeast),
            "at_most" | "atmost" | "at-most" | "<=" | "below" => Some(Direction::AtMost),
            _ => None,
        }
    }
}

/// The unit a key result is measured in; an update that names a unit must agree with it
/// ([`Unit::agrees`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Percent,
    Days,
    Hours,
    /// An ISO 4217 code, upper case (`USD`, `EUR`).
    Currency(String),
    /// Any other short word a team counts in (`points`, `ms`, `users`, `NPS`), kept as it was
    /// first written: it is what the numbers are shown with.
    Free(String),
}

/// Free unit words are at most this many characters: a unit, not a sentence.
pub const MAX_UNIT_CHARS: usize = 16;

/// Words that read as something else right after a number (a magnitude, a milestone state, a
/// confidence), so they can never be a unit. One letter is never a free unit either: `m` could
/// be minutes, metres or millions.
const NOT_UNITS: &[&str] = &[
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "trillion",
    "bn",
    "mn",
    "done",
    "not",
    "conf",
    "confidence",
    "to",
    "by",
];

impl Unit {
    /// Parses the `unit:` option and the stored spelling: count, percent, days, hours, a currency
    /// code or symbol, or any other short word (letters only, 2 to 16 of them).
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        match t.to_lowercase().as_str() {
            "" | "count" | "number" | "#" => Some(Unit::Count),
            w => Unit::word(w).or_else(|| Unit::free(t)),
        }
    }

    /// A word okrbot knows as a unit wherever it stands (`%`, `hours`, `d`, `$`, `chf`),
    /// without free words: what a line may put after a number.
    pub fn word(w: &str) -> Option<Self> {
        match w.to_lowercase().as_str() {
            "percent" | "%" | "pct" => Some(Unit::Percent),
            "days" | "day" | "d" => Some(Unit::Days),
            "hours" | "hour" | "h" | "hr" | "hrs" => Some(Unit::Hours),
            "$" => Some(Unit::Currency("USD".into())),
            "€" => Some(Unit::Currency("EUR".into())),
            "£" => Some(Unit::Currency("GBP".into())),
            _ => super::currency::iso_code(w).map(|c| Unit::Currency(c.into())),
        }
    }

    /// `w` as a free unit, if it can be one (see [`NOT_UNITS`]).
    fn free(w: &str) -> Option<Self> {
        let n = w.chars().count();
        let reserved = NOT_UNITS.contains(&w.to_lowercase().as_str());
        ((2..=MAX_UNIT_CHARS).contains(&n) && w.chars().all(char::is_alphabetic) && !reserved)
            .then(|| Unit::Free(w.to_owned()))
    }

    /// Whether a value written in `self` may be recorded on a measure in `other`: the same unit,
    /// and for free words the same word in any case, singular or plural (`user` and `Users`).
    /// The plural folds only a trailing `s` after at least three letters, so `ms` stays `ms`.
    pub fn agrees(&self, other: &Unit) -> bool {
        fn fold(w: &str) -> String {
            let l = w.to_lowercase();
            match l.strip_suffix('s') {
                Some(stem) if stem.chars().count() >= 3 => stem.to_owned(),
                _ => l,
            }
        }
        match (self, other) {
            (Unit::Free(a), Unit::Free(b)) => fold(a) == fold(b),
            _ => self == other,
        }
    }

    /// The stored and exported spelling: `count`, `percent`, `days`, `hours`, the currency code
    /// or the free word as written; [`Unit::parse`] reads each back as the same unit.
    pub fn code(&self) -> String {
        match self {
            Unit::Count => "count".into(),
            Unit::Percent => "percent".into(),
            Unit::Days => "days".into(),
            Unit::Hours => "hours".into(),
            Unit::Currency(c) | Unit::Free(c) => c.clone(),
        }
    }

    /// How a value in this unit reads to people: `45%`, `9 days`, `$1,200`, `1,200 EUR`,
    /// `1,200 users`. Money from a million on is shown compactly (`$76.9M`, `1.2B CHF`, see
    /// [`format_compact`]); everything else keeps every digit.
    pub fn format(&self, v: f64) -> String {
        let n = format_number(v);
        match self {
            Unit::Count => n,
            Unit::Percent => format!("{n}%"),
            Unit::Days => format!("{n} {}", if v == 1.0 { "day" } else { "days" }),
            Unit::Hours => format!("{n} h"),
            Unit::Currency(c) => {
                let n = format_compact(v.abs()).unwrap_or_else(|| format_number(v.abs()));
                let sign = if v < 0.0 && n != "0" { "-" } else { "" };
                if c == "USD" {
                    format!("{sign}${n}")
                } else {
                    format!("{sign}{n} {c}")
                }
            }
            Unit::Free(w) if v.abs() == 1.0 => format!("{n} {}", singular(w)),
            Unit::Free(w) => format!("{n} {w}"),
        }
    }
}

/// `n` things, in the singular for one: `1 cycle`, `2 cycles`, `0 cycles`.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A unit word as it reads beside one: a trailing lower-case `s` after at least three letters
/// goes (`users` -> `user`, `points` -> `point`), the same fold that lets `1 user` match a key
/// result in `users`; `ms`, `NPS` and words without it stay as they are.
pub fn singular(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem,
        _ => word,
    }
}

/// How far a compact amount may be from the exact one, as a share of it: at most half a percent,
/// so that two amounts that differ by a percent or more never read as the same, and a cut of
/// 10% never reads as 8% (`$2.5M -> $2.25M`, not `$2.5M -> $2.3M`).
const COMPACT_TOLERANCE: f64 = 0.005;

/// A large amount as people say it: `M`, `B` or `T` from a million on, with one decimal, or two
/// where one would be more than [`COMPACT_TOLERANCE`] off (`76.9M`, `2.25M`, `250M`);
/// `None` below a million, where every digit is shown. The same suffixes are read back by the
/// value grammar, so what is shown can be typed.
pub fn format_compact(v: f64) -> Option<String> {
    const TIERS: [(f64, &str); 3] = [(1e12, "T"), (1e9, "B"), (1e6, "M")];
    let abs = v.abs();
    let i = TIERS.iter().position(|(t, _)| abs >= *t)?;
    let round = |tier: f64| {
        // Two decimals at most, as every number okrbot shows: within a tier that is 0.5% off at
        // worst (1.005M), so the tolerance always holds by then.
        (1..=2)
            .map(|d| {
                let p = 10f64.powi(d);
                (abs / tier * p).round() / p
            })
            .find(|scaled| (scaled * tier - abs).abs() <= COMPACT_TOLERANCE * abs)
            .unwrap_or_else(|| (abs / tier * 100.0).round() / 100.0)
    };
    // 999.96M rounds to 1000.0M: that is 1B.
    let (mut tier, mut suffix) = TIERS[i];
    let mut scaled = round(tier);
    if scaled >= 1000.0 && i > 0 {
        (tier, suffix) = TIERS[i - 1];
        scaled = round(tier);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    Some(format!("{sign}{}{suffix}", format_number(scaled)))
}

/// A number for people: thousands separators, at most two decimals, no trailing zeros.
pub fn format_number(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    let neg = rounded < 0.0;
    let abs = rounded.abs();
    let int = abs.trunc() as u64;
    let frac = ((abs - abs.trunc()) * 100.0).round() as u64;
    let digits = int.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let mut s = if neg { format!("-{grouped}") } else { grouped };
    if frac > 0 {
        let f = format!("{frac:02}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// Committed objectives are expected to reach 1.0; aspirational ones aim for 0.6-0.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveKind {
    Committed,
    Aspirational,
}

impl ObjectiveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectiveKind::Committed => "committed",
            ObjectiveKind::Aspirational => "aspirational",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "committed" | "commit" => Some(ObjectiveKind::Committed),
            "aspirational" | "stretch" | "moonshot" => Some(ObjectiveKind::Aspirational),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveState {
    Active,
    Closed,
    Archived,
}

impl ObjectiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectiveState::Active => "active",
            ObjectiveState::Closed => "closed",
            ObjectiveState::Archived => "archived",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(ObjectiveState::Active),
            "closed" => Some(ObjectiveState::Closed),
            "archived" => Some(ObjectiveState::Archived),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    Planning,
    Active,
    Closed,
}

impl CycleState {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleState::Planning => "planning",
            CycleState::Active => "active",
            CycleState::Closed => "closed",
        }
    }
}

/// Confidence of the owner that the key result will be reached, 1 (no chance) to 10 (certain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Confidence(u8);

impl Confidence {
    pub fn new(v: i64) -> Option<Self> {
        (1..=10).contains(&v).then_some(Confidence(v as u8))
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Confidence {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        Confidence::new(v).ok_or_else(|| format!("confidence {v} is outside 1-10"))
    }
}

impl From<Confidence> for i64 {
    fn from(c: Confidence) -> i64 {
        c.0 as i64
    }
}

/// Where a check-in came from; kept for the history and for the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckInSource {
    Slash,
    Button,
    Modal,
    Text,
    Import,
    KpiSync,
}

impl CheckInSource {
    /// A number a person typed (or picked), which they may take back within the undo window.
    pub fn is_typed(self) -> bool {
        matches!(
            self,
            CheckInSource::Slash
                | CheckInSource::Button
                | CheckInSource::Modal
                | CheckInSource::Text
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CheckInSource::Slash => "slash",
            CheckInSource::Button => "button",
            CheckInSource::Modal => "modal",
            CheckInSource::Text => "text",
            CheckInSource::Import => "import",
            CheckInSource::KpiSync => "kpi-sync",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "slash" => CheckInSource::Slash,
            "button" => CheckInSource::Button,
            "modal" => CheckInSource::Modal,
            "text" => CheckInSource::Text,
            "import" => CheckInSource::Import,
            "kpi-sync" => CheckInSource::KpiSync,
            _ => return None,
        })
    }
}

/// The longest note a check-in may carry, in characters (`docs/permissions.md`).
pub const MAX_NOTE_CHARS: usize = 1000;

/// Someone a team names as its lead: a person, or a group (a Discord role) all of whose members
/// lead. The name is how the workspace writes them in text, chosen by the adapter (`alice` in
/// the console, `<@id>` on Discord); the core compares names and never looks inside one, and
/// each adapter formats its own mentions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Member {
    Person(String),
    Group(String),
}

impl Member {
    pub fn name(&self) -> &str {
        match self {
            Member::Person(n) | Member::Group(n) => n,
        }
    }

    /// A group can be mentioned in a channel but not sent a direct message.
    pub fn is_group(&self) -> bool {
        matches!(self, Member::Group(_))
    }

    /// The stored spelling of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Member::Person(_) => "person",
            Member::Group(_) => "group",
        }
    }

    pub fn from_stored(kind: &str, name: String) -> Option<Member> {
        match kind {
            "person" => Some(Member::Person(name)),
            "group" => Some(Member::Group(name)),
            _ => None,
        }
    }

    /// The same member with its name tidied as typed (`@alice` is alice); `None` when blank.
    pub fn trimmed(&self) -> Option<Member> {
        let clean = |n: &str| {
            let t = n.trim().trim_start_matches('@').to_owned();
            (!t.is_empty()).then_some(t)
        };
        Some(match self {
            Member::Person(n) => Member::Person(clean(n)?),
            Member::Group(n) => Member::Group(clean(n)?),
        })
    }
}

/// A plain name is a person.
impl From<&str> for Member {
    fn from(name: &str) -> Member {
        Member::Person(name.to_owned())
    }
}

/// Names for people to read: `alice, <@&42>`.
pub fn member_names(members: &[Member]) -> String {
    members
        .iter()
        .map(Member::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a check-in says besides its numbers: trimmed, never empty, at most [`MAX_NOTE_CHARS`]
/// characters. Every way a note arrives (a line, a form, an import) goes through [`Note::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

/// A note over the limit; `chars` is its length, so the person knows how much to cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the note is {} characters long, over the limit of {}: shorten it",
    format_number(*.chars as f64),
    format_number(MAX_NOTE_CHARS as f64)
)]
pub struct NoteTooLong {
    pub chars: usize,
}

impl Note {
    /// Trims `text`; an empty note is no note. Length is counted in characters, not bytes, since
    /// that is what the limit means to the people writing notes.
    pub fn parse(text: &str) -> Result<Option<Note>, NoteTooLong> {
        let t = text.trim();
        let chars = t.chars().count();
        if chars > MAX_NOTE_CHARS {
            return Err(NoteTooLong { chars });
        }
        Ok((!t.is_empty()).then(|| Note(t.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Read-only access as text; there is no way to change a note without parsing it again.
impl std::ops::Deref for Note {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A team's time zone: an IANA name that chrono-tz knows, read in any case (`europe/berlin` is
/// `Europe/Berlin`). A team's schedules fire, and its cycle days begin and end, in this zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamZone(chrono_tz::Tz);

/// A name that is no time zone, with the closest real one when the name is a near miss.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{name:?} is not a time zone: {}use an IANA name such as Europe/Berlin, America/New_York or UTC",
    zone_hint(.suggestion)
)]
pub struct NotATimeZone {
    /// As typed, trimmed.
    pub name: String,
    pub suggestion: Option<&'static str>,
}

impl TeamZone {
    /// Parses an IANA zone name, suggesting the closest real one when it is misspelt.
    pub fn parse(name: &str) -> Result<TeamZone, NotATimeZone> {
        let name = name.trim();
        if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
            return Ok(TeamZone(tz));
        }
        // People type "europe/berlin"; the zone is still unambiguous.
        if let Some(tz) = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
        {
            return Ok(TeamZone(*tz));
        }
        let lower = name.to_ascii_lowercase();
        let best = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| {
                let score = strsim::jaro_winkler(&lower, &tz.name().to_ascii_lowercase());
                (score, tz.name())
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        Err(NotATimeZone {
            name: name.to_owned(),
            suggestion: best.filter(|(s, _)| *s > 0.85).map(|(_, n)| n),
        })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// The canonical IANA name, as stored and exported: `Europe/Berlin`.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl From<TeamZone> for chrono_tz::Tz {
    fn from(z: TeamZone) -> Self {
        z.0
    }
}

impl fmt::Display for TeamZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn zone_hint(suggestion: &Option<&'static str>) -> String {
    suggestion
        .map(|n| format!("did you mean {n}? "))
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    /// Upper-case prefix of every code in this team (`GRO` in `GRO-1.2`).
    pub prefix: String,
    pub tz: chrono_tz::Tz,
    pub channel: Option<String>,
    pub leads: Vec<Member>,
    /// When its channel may be posted to (`docs/schedules-and-delivery.md`, "Working hours").
    pub hours: super::hours::WorkingHours,
    /// The stored zone name when this build's time zone database does not know it (an update
    /// dropped it): `tz` is then UTC for reading and showing, and the team's schedules wait
    /// until a lead sets a zone again (`docs/schedules-and-delivery.md`, "A zone okrbot no
    /// longer knows").
    pub zone_unknown: Option<String>,
}

impl Team {
    /// The zone's name as stored: the unknown one kept as it was, so nothing rewrites it.
    pub fn zone_name(&self) -> &str {
        self.zone_unknown.as_deref().unwrap_or(self.tz.name())
    }

    /// What a lead reads about a zone okrbot no longer knows, with how to repair it.
    pub fn zone_warning(&self) -> Option<String> {
        self.zone_unknown.as_ref().map(|name| {
            format!(
                "the time zone {name:?} is not known to this version of okrbot, so {}'s prompts, reminders and digests wait: set it again with /okr setup team:{} timezone:<Area/City>",
                self.name, self.name
            )
        })
    }

    /// When a post to this team decided at `at` may go out: at once inside its working hours,
    /// else at the next opening (`docs/schedules-and-delivery.md`, "Working hours").
    pub fn posts_at(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.hours.next_open(self.tz, at)
    }

    /// Whether `name` names this team: Unicode case folding after NFC normalisation, so
    /// `Gröwth`, `GRÖWTH` and a `Gröwth` typed with a combining diaeresis are one team
    /// (`docs/permissions.md`, "Team names").
    pub fn is_named(&self, name: &str) -> bool {
        same_name(&self.name, name)
    }
}

/// A name as a uniqueness key in storage: NFC, lower case. The services compare with
/// [`same_name`]; this only backs that up with a unique index.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.trim().nfc().collect::<String>().to_lowercase()
}

/// The comparison behind [`Team::is_named`].
pub fn same_name(a: &str, b: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let (a, b): (String, String) = (a.trim().nfc().collect(), b.trim().nfc().collect());
    unicase::UniCase::new(a) == unicase::UniCase::new(b)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    pub id: CycleId,
    pub name: String,
    pub start: NaiveDate,
    /// Inclusive: the cycle runs to the end of this day in the team's zone.
    pub end: NaiveDate,
    pub closed: bool,
}

impl Cycle {
    /// Planning before its first day (UTC date is close enough for a label), active until closed.
    pub fn state(&self, today: NaiveDate) -> CycleState {
        if self.closed {
            CycleState::Closed
        } else if today < self.start {
            CycleState::Planning
        } else {
            CycleState::Active
        }
    }

    /// Whether this cycle, while open, shares a day with `start..=end`. Open cycles may not
    /// overlap (`docs/scoring.md`, "One cycle runs at a time"): "the running cycle" must name one cycle, or the
    /// other's objectives drop out of status, digests and prompts. A closed cycle is final and
    /// never the running one, so a new cycle may overlap it.
    pub fn blocks(&self, start: NaiveDate, end: NaiveDate) -> bool {
        !self.closed && self.start <= end && start <= self.end
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    pub id: ObjectiveId,
    pub team_id: TeamId,
    pub cycle_id: CycleId,
    /// The running number in its team: `GRO-<number>`.
    pub number: i64,
    pub code: String,
    pub title: String,
    pub owner: Option<String>,
    pub parent: Option<ObjectiveId>,
    pub kind: ObjectiveKind,
    pub state: ObjectiveState,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyResult {
    pub id: KrId,
    pub objective_id: ObjectiveId,
    /// The running number in its objective: `GRO-1.<number>`.
    pub number: i64,
    pub code: String,
    pub title: String,
    pub owner: Option<String>,
    pub kind: KrKind,
    pub unit: Unit,
    /// Metric: the value at the start of the cycle. Milestone: 0. Threshold: unused (= target).
    pub start: f64,
    pub target: f64,
    /// The latest checked-in value (milestone: 1 done, 0 not done).
    pub current: f64,
    /// Threshold only: which side of `target` is good.
    pub direction: Option<Direction>,
    pub confidence: Option<Confidence>,
    pub weight: f64,
    pub created_at: DateTime<Utc>,
    /// The day its pace counts from when a lead set one (`from:`); else the day it was added.
    pub paced_from: Option<NaiveDate>,
    /// When the last check-in was recorded; `None` until the first one.
    pub last_check_in: Option<DateTime<Utc>>,
    /// The KPI whose readings it follows (`/kpi okr`): nobody is asked to check it in.
    pub follows: Option<KpiId>,
    /// Of a shared objective: the contributing team whose prompts, reminders and alerts it is
    /// in; `None` is the objective's home team.
    pub carried_by: Option<TeamId>,
}

/// A check-in taken back (`/okr undo`, `/okr checkin withdraw`): kept and shown as withdrawn,
/// counted for nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawnCheckIn {
    pub check_in: CheckIn,
    pub at: DateTime<Utc>,
    /// Who took it back; `None` for withdrawals made before this was kept.
    pub by: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub id: CheckInId,
    pub kr_id: KrId,
    pub author: String,
    pub value: f64,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
    pub source: CheckInSource,
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
