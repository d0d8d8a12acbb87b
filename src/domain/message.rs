//! The platform-neutral message: what the core says, before any adapter decides how it looks.
//! Discord turns it into embeds and components, the console into text, webhooks into JSON.

use serde::{Deserialize, Serialize};

use super::scoring::Status;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    /// The colour of the whole message: the worst status it reports, if any.
    pub colour: Option<Status>,
    pub blocks: Vec<Block>,
    pub footer: Option<String>,
    pub actions: Vec<Action>,
    /// Only the asker needs it (an ephemeral reply on Discord).
    pub private: bool,
    /// People to notify (an at-risk alert's owner and lead), as the workspace names them;
    /// platforms that ping only from plain text put them there.
    #[serde(default)]
    pub mentions: Vec<String>,
    /// Files that ride along (a chart). Stored beside the JSON payload, not inside it.
    #[serde(skip)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A titled group of lines: one objective with its key results, a list of errors, a table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub heading: Option<String>,
    pub colour: Option<Status>,
    pub lines: Vec<String>,
}

/// Something the reader can do in reply; each adapter shows it its own way (a button, a hint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub label: String,
    /// The key result it applies to, by code; for a KPI's actions, the KPI's name.
    pub target: Option<String>,
    /// The KPI a prompt's KPI action asks for, by id (what a button carries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Update,
    NoChange,
    Snooze,
    /// Everything in the prompt keeps its value: one press for a quiet week.
    AllNoChange,
    /// Draft an objective to bring a KPI back into range (`/kpi okr`); the target is the KPI.
    StartOkr,
    /// A prompt's KPI: record a reading of it (`/kpi set`).
    ReadKpi,
    /// A prompt's KPI: its latest reading still stands (`/kpi set ... value:same`).
    KpiNoChange,
}

impl Message {
    pub fn new(title: impl Into<String>) -> Message {
        Message {
            title: title.into(),
            ..Message::default()
        }
    }

    pub fn text(title: impl Into<String>, lines: Vec<String>) -> Message {
        let mut m = Message::new(title);
        m.blocks.push(Block {
            heading: None,
            colour: None,
            lines,
        });
        m
    }

    pub fn private(mut self) -> Message {
        self.private = true;
        self
    }
}
