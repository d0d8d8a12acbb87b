//! The export document: every team, cycle, objective, key result and check-in of a workspace,
//! with the computed percent, score, status and staleness as of an instant. What `okrbot export`
//! writes and `okrbot import` reads back; the JSON round-trips exactly.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::model::{CheckInSource, Confidence, Direction, KrKind, ObjectiveKind, ObjectiveState};
use super::scoring::Status;

pub const FORMAT: &str = "okrbot/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportDoc {
    pub format: String,
    /// The instant the computed fields (percent, score, status, stale) were computed for.
    pub as_of: DateTime<Utc>,
    pub teams: Vec<TeamDoc>,
    pub cycles: Vec<CycleDoc>,
    pub objectives: Vec<ObjectiveDoc>,
    /// Absent when the workspace has none, so older exports read the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<KpiDoc>,
    /// Members with a zone of their own or time off; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberDoc>,
}

/// A member's own zone and time off (`/okr me`, `/okr away`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberDoc {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub away: Vec<AwayDoc>,
}

/// One period of time off, both days included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwayDoc {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub set_by: String,
}

/// A KPI with its range, its source (without secrets: no headers, no push token) and its
/// readings, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiDoc {
    pub team: String,
    pub name: String,
    pub unit: String,
    /// `higher` or `lower` is better.
    pub direction: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub owner: Option<String>,
    /// How often it is asked for, in days; absent: the team's check-in period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<KpiSourceDoc>,
    /// Codes of the objectives linked to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<String>,
    /// Codes of the key results that follow its readings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub followed_by: Vec<String>,
    pub readings: Vec<ReadingDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiSourceDoc {
    pub url: String,
    pub pointer: String,
    pub cron: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingDoc {
    pub value: f64,
    /// `manual`, `http`, `push` or `import`.
    pub source: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    /// Set for a reading taken back with `/kpi withdraw`: it is restored as withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamDoc {
    pub name: String,
    pub prefix: String,
    pub timezone: String,
    pub channel: Option<String>,
    /// The people who lead it.
    pub leads: Vec<String>,
    /// Groups (roles) that lead it; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lead_groups: Vec<String>,
    /// When its channel may be posted to (`09:00-18:00 Mon-Fri`, `always`); absent for the
    /// default, so older exports read the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<String>,
    /// Its schedules as cron expressions in its zone; absent in older exports, whose teams
    /// get the defaults on import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<SchedulesDoc>,
    /// Its days off (`/okr holidays`); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
}

/// A team's schedules (`/okr schedule set`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulesDoc {
    pub prompt: String,
    pub reminder: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CycleDoc {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub closed: bool,
    /// When it was closed; absent in older exports (the import's time is used then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveDoc {
    pub code: String,
    pub team: String,
    pub cycle: String,
    pub title: String,
    pub owner: Option<String>,
    pub kind: ObjectiveKind,
    pub state: ObjectiveState,
    pub parent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub percent: Option<i64>,
    pub score: Option<f64>,
    pub status: Option<Status>,
    pub stale: bool,
    /// The contributing teams it is shared with, by name (`/okr objective share`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<String>,
    pub key_results: Vec<KrDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KrDoc {
    pub code: String,
    pub title: String,
    pub owner: Option<String>,
    pub kind: KrKind,
    pub unit: String,
    pub start: f64,
    pub target: f64,
    pub current: f64,
    pub direction: Option<Direction>,
    pub confidence: Option<Confidence>,
    pub weight: f64,
    pub created_at: DateTime<Utc>,
    /// The day its pace counts from, when a lead set one (`from:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paced_from: Option<NaiveDate>,
    /// Of a shared objective: the contributing team that carries it, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub last_check_in: Option<DateTime<Utc>>,
    pub percent: i64,
    pub score: f64,
    pub status: Status,
    pub stale: bool,
    pub check_ins: Vec<CheckInDoc>,
    /// When `/okr kr remove` archived it; it comes back archived, with its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<DateTime<Utc>>,
    /// Check-ins taken back (`/okr undo`), oldest first: kept, counted for nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<WithdrawnDoc>,
}

/// A withdrawn check-in: the check-in as it was, and when it was taken back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawnDoc {
    pub author: String,
    pub value: f64,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
    pub source: CheckInSource,
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub withdrawn_at: DateTime<Utc>,
    /// Who took it back; absent for withdrawals from before this was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInDoc {
    pub author: String,
    pub value: f64,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
    pub source: CheckInSource,
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
    Markdown,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Markdown => "markdown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(ExportFormat::Json),
            "csv" => Some(ExportFormat::Csv),
            "markdown" | "md" => Some(ExportFormat::Markdown),
            _ => None,
        }
    }
}
