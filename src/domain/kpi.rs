//! KPIs: the numbers a team watches all year (conversion, response time, churn), each with a
//! healthy range. Pure rules: whether a reading is in range, which edge it crossed, which way it
//! is heading, and what "start an OKR" drafts. The rules are `docs/kpis.md`.

use chrono::{DateTime, Duration, Utc};

use super::model::{format_number, KpiId, TeamId, Unit};

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn parse(s: &str) -> Option<Better> {
        match s.trim().to_ascii_lowercase().as_str() {
            "higher" | "up" | "high" | "increase" => Some(Better::Higher),
            "lower" | "down" | "low" | "decrease" => Some(Better::Lower),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// The healthy range: a floor, a ceiling, or both (inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("give a healthy range: min:, max: or both, e.g. min:7 or min:7 max:12")]
    Empty,
    #[error(
        "min {min} is above max {max}: give a min at or below the max, e.g. min:{max} max:{min}"
    )]
    Inverted { min: String, max: String },
}

/// Where a reading falls against the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Below,
    Inside,
    Above,
}

impl Range {
    pub fn new(min: Option<f64>, max: Option<f64>) -> Result<Range, RangeError> {
        match (min, max) {
            (None, None) => Err(RangeError::Empty),
            (Some(lo), Some(hi)) if lo > hi => Err(RangeError::Inverted {
                min: format_number(lo),
                max: format_number(hi),
            }),
            _ => Ok(Range { min, max }),
        }
    }

    pub fn place(&self, v: f64) -> Place {
        match (self.min, self.max) {
            (Some(lo), _) if v < lo => Place::Below,
            (_, Some(hi)) if v > hi => Place::Above,
            _ => Place::Inside,
        }
    }

    /// `at least 7%`, `at most 300 ms`, `7% to 12%`.
    pub fn text(&self, unit: &Unit) -> String {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("{} to {}", unit.format(lo), unit.format(hi)),
            (Some(lo), None) => format!("at least {}", unit.format(lo)),
            (None, Some(hi)) => format!("at most {}", unit.format(hi)),
            (None, None) => "no range".into(),
        }
    }
}

/// A KPI as stored, with its two latest readings (what the trend and the alert need, so that
/// recording a reading never reads the history).
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub id: KpiId,
    pub team_id: TeamId,
    pub name: String,
    pub unit: Unit,
    pub better: Better,
    pub range: Range,
    pub owner: Option<String>,
    pub latest: Option<(DateTime<Utc>, f64)>,
    pub previous: Option<(DateTime<Utc>, f64)>,
    /// An out-of-range alert is open.
    pub alerting: bool,
    /// Where its readings are fetched from, if anywhere.
    pub source: Option<KpiSource>,
    /// Readings come by push (`/kpi token` made one): a system sends them, nobody is asked.
    pub pushed: bool,
    /// How often a KPI read by hand is asked for; `None` is the team's check-in period.
    pub cadence: Option<Cadence>,
    /// For a view: how old its latest reading was when it was loaded, if that is past its
    /// cadence ([`Kpi::judge_staleness`]); never stored.
    pub stale_for: Option<Duration>,
}

/// How often a KPI read by hand wants a reading, in whole days (`docs/kpis.md`, "Asked for").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence(u16);

/// The longest cadence: a yearly KPI.
pub const MAX_CADENCE_DAYS: u16 = 366;

impl Cadence {
    pub fn days(n: i64) -> Option<Cadence> {
        u16::try_from(n)
            .ok()
            .filter(|d| (1..=MAX_CADENCE_DAYS).contains(d))
            .map(Cadence)
    }

    pub fn in_days(self) -> u16 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Duration::days(i64::from(self.0))
    }

    /// `weekly`, `monthly`, `every 10 days`: as `/kpi edit cadence:` takes it back.
    pub fn text(self) -> String {
        match self.0 {
            1 => "daily".into(),
            7 => "weekly".into(),
            14 => "every 2 weeks".into(),
            30 => "monthly".into(),
            91 => "quarterly".into(),
            d if d % 7 == 0 => format!("every {} weeks", d / 7),
            d => format!("every {d} days"),
        }
    }
}

/// What `cadence:` may say: `prompt` (the team's check-in period, the default), `daily`,
/// `weekly`, `fortnightly`, `monthly` (30 days), `quarterly` (91 days), or a number of days or
/// weeks (`10d`, `3 weeks`, `every 2 weeks`). `Ok(None)` is the default.
pub fn parse_cadence(text: &str) -> Result<Option<Cadence>, String> {
    let t = text.trim().to_lowercase();
    let t = t.strip_prefix("every ").map(str::trim).unwrap_or(&t);
    let words = match t {
        "prompt" | "default" | "team" | "check-in" | "checkin" => return Ok(None),
        "day" | "daily" => Some(1),
        "week" | "weekly" => Some(7),
        "fortnight" | "fortnightly" | "biweekly" => Some(14),
        "month" | "monthly" => Some(30),
        "quarter" | "quarterly" => Some(91),
        _ => None,
    };
    let days = words.or_else(|| {
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(split);
        let n: i64 = n.parse().ok()?;
        let per = match unit.trim() {
            "d" | "day" | "days" => 1,
            "w" | "week" | "weeks" => 7,
            _ => return None,
        };
        n.checked_mul(per)
    });
    match days {
        Some(d) => Cadence::days(d).map(Some).ok_or_else(|| {
            format!("cadence: give between 1 day and {MAX_CADENCE_DAYS} days, e.g. cadence:monthly")
        }),
        None => Err(format!(
            "cadence:{:?} is not a cadence: use weekly, every 2 weeks, monthly, quarterly, a number of days or weeks (10d, 3w), or prompt for the team's check-in prompt",
            text.trim().chars().take(40).collect::<String>()
        )),
    }
}

/// An HTTP source as people may see it: the header values (tokens) are never loaded here.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiSource {
    pub url: String,
    pub pointer: String,
    pub cron: String,
    pub header_names: Vec<String>,
    /// The last fetch's failure, kept until a fetch succeeds.
    pub last_error: Option<(DateTime<Utc>, String)>,
}

/// Where a reading came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingSource {
    Manual,
    Http,
    Push,
    Import,
}

impl ReadingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadingSource::Manual => "manual",
            ReadingSource::Http => "http",
            ReadingSource::Push => "push",
            ReadingSource::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<ReadingSource> {
        Some(match s {
            "manual" => ReadingSource::Manual,
            "http" => ReadingSource::Http,
            "push" => ReadingSource::Push,
            "import" => ReadingSource::Import,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub at: DateTime<Utc>,
    pub value: f64,
    pub source: ReadingSource,
    pub author: String,
}

/// A reading taken back (`/kpi withdraw`): when, by whom and why. It counts for nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingWithdrawal {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: Option<String>,
}

/// A reading as `/kpi show` lists it: with the number `/kpi withdraw reading:#n` takes, and its
/// withdrawal if it was withdrawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedReading {
    pub id: i64,
    pub reading: Reading,
    pub withdrawn: Option<ReadingWithdrawal>,
}

/// Which way the KPI moved between its last two readings, and whether that is the good way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Better,
    Worse,
    Flat,
}

impl Kpi {
    /// Read by a person, not by a source or a push: such a KPI is asked for.
    pub fn read_by_hand(&self) -> bool {
        self.source.is_none() && !self.pushed
    }

    /// How long a reading lasts: its cadence, or the team's check-in `period`.
    pub fn every(&self, period: Duration) -> Duration {
        self.cadence.map_or(period, Cadence::duration)
    }

    /// A KPI read by hand whose latest reading is older than its cadence (exactly on it is
    /// not yet stale). One without a reading is "no reading yet", not stale.
    pub fn is_stale(&self, now: DateTime<Utc>, period: Duration) -> bool {
        self.read_by_hand()
            && self
                .latest
                .is_some_and(|(at, _)| now - at > self.every(period))
    }

    /// Sets [`Kpi::stale_for`] as of `now`, for the views that say so.
    pub fn judge_staleness(&mut self, now: DateTime<Utc>, period: Duration) {
        self.stale_for = self
            .is_stale(now, period)
            .then(|| self.latest.map(|(at, _)| now - at))
            .flatten();
    }

    /// Whether a prompt at `slot` asks for it: read by hand, and no reading within the last
    /// `recent` (the window a key result's check-in counts for a prompt) or, for a longer
    /// cadence, within the cadence less that window, so a monthly KPI read on the 1st is asked
    /// from the 28th on.
    pub fn asked_at(&self, slot: DateTime<Utc>, recent: Duration) -> bool {
        let window = self
            .cadence
            .map_or(recent, |c| (c.duration() - recent).max(recent));
        self.read_by_hand() && self.latest.is_none_or(|(at, _)| at < slot - window)
    }

    pub fn place(&self) -> Option<Place> {
        self.latest.map(|(_, v)| self.range.place(v))
    }

    pub fn trend(&self) -> Option<Trend> {
        let ((_, now), (_, before)) = (self.latest?, self.previous?);
        // A change below a thousandth of the value is noise, not a direction.
        let scale = now.abs().max(before.abs()).max(f64::MIN_POSITIVE);
        if (now - before).abs() <= scale * 1e-3 {
            return Some(Trend::Flat);
        }
        let up = now > before;
        Some(match (up, self.better) {
            (true, Better::Higher) | (false, Better::Lower) => Trend::Better,
            _ => Trend::Worse,
        })
    }

    /// `↑` / `↓` / `→`, with the colour of the move: `↑ better`.
    pub fn arrow(&self) -> &'static str {
        let up = match (self.latest, self.previous) {
            (Some((_, a)), Some((_, b))) => a > b,
            _ => return "",
        };
        match (self.trend(), up) {
            (Some(Trend::Flat), _) => "→",
            (Some(_), true) => "↑",
            (Some(_), false) => "↓",
            (None, _) => "",
        }
    }
}

/// What "start an OKR" drafts from a KPI out of range: an objective to bring it back, and its
/// one key result from the latest reading to the edge it crossed.
#[derive(Debug, Clone, PartialEq)]
pub struct OkrDraft {
    pub title: String,
    pub kr_title: String,
    pub start: f64,
    pub target: f64,
}

/// The draft for `kpi`, or `None` while it is in range (or has no reading): there is nothing
/// to fix.
pub fn draft(kpi: &Kpi) -> Option<OkrDraft> {
    let (_, value) = kpi.latest?;
    let (edge, side) = match kpi.range.place(value) {
        Place::Inside => return None,
        Place::Below => (kpi.range.min?, "above"),
        Place::Above => (kpi.range.max?, "below"),
    };
    let shown = kpi.unit.format(edge);
    Some(OkrDraft {
        title: format!("Bring {} back {side} {shown}", kpi.name),
        kr_title: format!("{} {side} {shown}", capitalised(&kpi.name)),
        start: value,
        target: edge,
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A KPI name: 1 to 60 characters, trimmed.
pub fn check_name(name: &str) -> Result<&str, &'static str> {
    let n = name.trim();
    match n.chars().count() {
        0 => Err("give the KPI a name, e.g. name:conversion"),
        c if c > 60 => Err("keep the KPI's name to 60 characters or fewer"),
        _ => Ok(n),
    }
}

#[cfg(test)]
#[path = "kpi_tests.rs"]
mod tests;
