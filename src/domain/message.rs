//! The platform-neutral message: what the core says, before any adapter decides how it looks.
//! Discord turns it into embeds and components, the console into text, webhooks into JSON.

use super::scoring::Status;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub title: String,
    /// The colour of the whole message: the worst status it reports, if any.
    pub colour: Option<Status>,
    pub blocks: Vec<Block>,
    pub footer: Option<String>,
    pub actions: Vec<Action>,
    /// Only the asker needs it (an ephemeral reply on Discord).
    pub private: bool,
}

/// A titled group of lines: one objective with its key results, a list of errors, a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    pub heading: Option<String>,
    pub colour: Option<Status>,
    pub lines: Vec<String>,
}

/// Something the reader can do in reply; each adapter shows it its own way (a button, a hint).
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub kind: ActionKind,
    pub label: String,
    /// The key result it applies to, by code.
    pub target: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Update,
    NoChange,
    Snooze,
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
