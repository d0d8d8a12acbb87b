//! What the catalogue says about each command: its words, the options it takes, who may use
//! it, an example and where it exists. The entries live beside each command in `command/` (one
//! place per command); the console's parser reads the option names from them, and each
//! adapter's help is generated from them in that adapter's syntax.

/// Where a command can be typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Console,
    Discord,
}

/// Who may run a command (the core checks it; help says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anyone,
    Admin,
    AdminOrLead,
    Lead,
    OwnerOrLead,
}

impl Who {
    pub fn label(self) -> Option<&'static str> {
        match self {
            Who::Anyone => None,
            Who::Admin => Some("admin"),
            Who::AdminOrLead => Some("admin, lead"),
            Who::Lead => Some("lead"),
            Who::OwnerOrLead => Some("owner, lead"),
        }
    }
}

#[derive(Debug)]
pub struct Spec {
    /// The words after `/okr`: `kr add`.
    pub path: &'static str,
    /// The `name:` options the command takes. The console accepts exactly these; the Discord
    /// command offers them as typed options.
    pub options: &'static [&'static str],
    pub who: Who,
    pub summary: &'static str,
    /// What follows the words in the example help shows (`team:Growth ...`).
    pub example: &'static str,
    /// `None`: both adapters. Otherwise the only one that has it.
    pub only: Option<Surface>,
}

impl Spec {
    pub fn available_in(&self, s: Surface) -> bool {
        self.only.is_none_or(|o| o == s)
    }

    /// How a person types it: `/kpi set` for the KPI commands, `/okr kr add` for the rest.
    pub fn invocation(&self) -> String {
        if self.path == "kpi" || self.path.starts_with("kpi ") {
            format!("/{}", self.path)
        } else {
            format!("/okr {}", self.path)
        }
    }
}

pub const fn spec(
    path: &'static str,
    options: &'static [&'static str],
    who: Who,
    summary: &'static str,
    example: &'static str,
) -> Spec {
    Spec {
        path,
        options,
        who,
        summary,
        example,
        only: None,
    }
}
