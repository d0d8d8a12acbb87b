//! What the catalogue says about each command: its words, the options it takes, who may use
//! it, an example and where it exists. The entries are data (`catalogue/entries.rs`, one per
//! command); the console's parser reads the option names from them, each adapter's help is
//! generated from them in that adapter's syntax, and the core's texts, written with the
//! console's spelling, are respelled from them for Discord.

use std::sync::LazyLock;

mod entries;

/// Every command okrbot knows, in the order help lists it.
pub fn catalogue() -> &'static [&'static Spec] {
    static ALL: LazyLock<Vec<&'static Spec>> = LazyLock::new(|| entries::all().collect());
    &ALL
}

/// The entry for `path` (`kr add`), if there is one.
pub fn find(path: &str) -> Option<&'static Spec> {
    catalogue().iter().copied().find(|s| s.path == path)
}

/// The commands a surface offers, in help order.
pub fn for_surface(s: Surface) -> impl Iterator<Item = &'static Spec> {
    catalogue()
        .iter()
        .copied()
        .filter(move |c| c.available_in(s))
}

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
pub fn respell(text: &str, surface: Surface) -> std::borrow::Cow<'_, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for s in catalogue() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_listed_once() {
        for (i, s) in catalogue().iter().enumerate() {
            assert!(
                catalogue()[i + 1..].iter().all(|t| t.path != s.path),
                "{} is listed twice",
                s.path
            );
        }
    }

    #[test]
    fn discord_spells_setup_as_its_own_command_and_the_console_as_typed() {
        let text = "an admin starts with /okr setup team:<name>; then /okr kr add";
        assert_eq!(
            respell(text, Surface::Discord),
            "an admin starts with /okr-setup team:<name>; then /okr kr add"
        );
        assert_eq!(respell(text, Surface::Console), text);
        let setup = find("setup").expect("listed");
        assert_eq!(setup.invocation(Surface::Discord), "/okr-setup");
        assert_eq!(setup.invocation(Surface::Console), "/okr setup");
        let set = find("kpi set").expect("listed");
        assert_eq!(set.invocation(Surface::Discord), "/kpi set");
    }

    #[test]
    fn every_example_uses_only_the_options_of_its_command() {
        for s in catalogue() {
            for word in s.example.split_whitespace() {
                if let Some((name, _)) = word.split_once(':') {
                    if name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                        assert!(
                            s.options.contains(&name),
                            "/okr {} shows {name}: which it does not take",
                            s.path
                        );
                    }
                }
            }
        }
    }
}
