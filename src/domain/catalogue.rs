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

/// What a help lists: every command, or one family of them (`/kpi help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpTopic {
    Everything,
    Kpis,
}

impl HelpTopic {
    /// Whether `spec` belongs in this help.
    pub fn covers(self, spec: &Spec) -> bool {
        match self {
            HelpTopic::Everything => true,
            HelpTopic::Kpis => spec.is_kpi(),
        }
    }
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
    /// Its own top-level command on Discord (`okr-setup`), instead of a subcommand of `/okr`:
    /// Discord hides commands from members without a permission only at the top level
    /// (`docs/discord.md`).
    pub discord_top_level: Option<&'static str>,
}

impl Spec {
    pub fn available_in(&self, s: Surface) -> bool {
        self.only.is_none_or(|o| o == s)
    }

    /// One of the `/kpi ...` commands.
    pub fn is_kpi(&self) -> bool {
        self.path == "kpi" || self.path.starts_with("kpi ")
    }

    /// How a person types it on `surface`: `/kpi set` for the KPI commands, `/okr-setup` on
    /// Discord for a command of its own there, `/okr kr add` for the rest.
    pub fn invocation(&self, surface: Surface) -> String {
        match self.discord_top_level {
            Some(name) if surface == Surface::Discord => format!("/{name}"),
            _ if self.is_kpi() => format!("/{}", self.path),
            _ => format!("/okr {}", self.path),
        }
    }

    /// The same entry, a top-level command `name` on Discord.
    pub const fn top_level_in_discord(self, name: &'static str) -> Spec {
        Spec {
            discord_top_level: Some(name),
            ..self
        }
    }
}

/// `text`, written by the core with commands as the console types them, with each command
/// spelled as `surface` types it: on Discord `/okr setup` reads `/okr-setup`.
pub fn respell<'a>(specs: &[&Spec], text: &'a str, surface: Surface) -> std::borrow::Cow<'a, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for s in specs {
        let (console, here) = (s.invocation(Surface::Console), s.invocation(surface));
        if console != here && out.contains(&console) {
            out = std::borrow::Cow::Owned(out.replace(&console, &here));
        }
    }
    out
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
        discord_top_level: None,
    }
}
