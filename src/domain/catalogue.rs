//! Every command okrbot knows, once: its words, the options it takes, who may use it, an
//! example and where it exists. The console's line parser reads the option names from here,
//! and each adapter's help is generated from it in that adapter's syntax.

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
}

const fn spec(
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

/// The catalogue, in the order help lists it.
pub const CATALOGUE: &[Spec] = &[
    spec("help", &[], Who::Anyone, "what okrbot does and what to type next", ""),
    spec(
        "setup",
        &["team", "timezone", "channel", "prefix", "lead", "leads", "lead_role"],
        Who::Admin,
        "create or change a team",
        "team:Growth timezone:Europe/Berlin channel:#growth lead:@alice",
    ),
    spec(
        "cycle new",
        &["name", "start", "end", "from"],
        Who::AdminOrLead,
        "a new cycle; from: carries unfinished objectives over",
        "name:2026-Q4 start:2026-10-01 end:2026-12-31",
    ),
    spec("cycle list", &[], Who::Anyone, "the cycles", ""),
    spec(
        "cycle close",
        &["name", "cycle"],
        Who::AdminOrLead,
        "grades the cycle and posts the final scores; its check-ins close with it",
        "name:2026-Q4",
    ),
    spec(
        "objective add",
        &["team", "title", "kind", "owner", "parent", "cycle"],
        Who::Lead,
        "an objective in the team's current cycle",
        "team:Growth title:Enhance onboarding kind:aspirational owner:@alice parent:CO-1",
    ),
    spec(
        "objective edit",
        &["objective", "title", "kind", "owner"],
        Who::Lead,
        "change an objective",
        "objective:GRO-1 title:Delight new customers",
    ),
    spec(
        "objective list",
        &["team", "cycle"],
        Who::Anyone,
        "a team's objectives, scored",
        "team:Growth",
    ),
    spec(
        "objective show",
        &["objective"],
        Who::Anyone,
        "one objective with its key results",
        "objective:GRO-1",
    ),
    spec(
        "objective align",
        &["objective", "parent"],
        Who::Lead,
        "align under a parent objective (an empty parent removes it)",
        "objective:GRO-1 parent:CO-1",
    ),
    spec(
        "objective close",
        &["objective"],
        Who::Lead,
        "close an objective",
        "objective:GRO-1",
    ),
    spec(
        "kr add",
        &[
            "objective",
            "title",
            "kind",
            "unit",
            "start",
            "target",
            "direction",
            "owner",
            "weight",
            "confidence",
        ],
        Who::Lead,
        "a key result: kind metric (start -> target), threshold (direction at_least|at_most) or milestone",
        "objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:@alice",
    ),
    spec(
        "kr edit",
        &["kr", "title", "owner", "start", "target", "direction", "weight"],
        Who::Lead,
        "change a key result",
        "kr:GRO-1.1 target:6",
    ),
    spec(
        "kr remove",
        &["kr"],
        Who::Lead,
        "remove a key result",
        "kr:GRO-1.1",
    ),
    spec(
        "kr list",
        &["team", "objective", "owner"],
        Who::Anyone,
        "key results, scored",
        "team:Growth",
    ),
    spec(
        "kr show",
        &["kr"],
        Who::Anyone,
        "a key result's check-in history",
        "kr:GRO-1.1",
    ),
    spec(
        "update",
        &["kr", "value", "confidence", "note"],
        Who::OwnerOrLead,
        "check in; values: 42 1,200 1.2k 3M 45% $1,200 3h 14d +5 -2.5 done, not done",
        "kr:GRO-1.1 value:9 confidence:8 note:new flow shipped",
    ),
    spec(
        "nochange",
        &["kr"],
        Who::OwnerOrLead,
        "nothing moved: check in the same value (kr:all for your whole prompt)",
        "kr:GRO-1.1",
    ),
    spec(
        "snooze",
        &[],
        Who::Anyone,
        "ask me again tomorrow about my latest prompt",
        "",
    ),
    spec(
        "status",
        &["team", "objective", "me"],
        Who::Anyone,
        "where things stand (only you see it)",
        "team:Growth",
    ),
    spec(
        "history",
        &["kr"],
        Who::Anyone,
        "a key result's check-ins",
        "kr:GRO-1.1",
    ),
    spec(
        "digest",
        &["team", "scope"],
        Who::Anyone,
        "post a team's digest now, or scope:workspace for the alignment tree",
        "team:Growth",
    ),
    spec(
        "schedule show",
        &["team"],
        Who::Anyone,
        "check-in, reminder and digest times",
        "team:Growth",
    ),
    spec(
        "schedule set",
        &["team", "prompt", "reminder", "digest"],
        Who::Lead,
        "change them: cron in the team's zone",
        "team:Growth prompt:\"0 9 * * Mon\" reminder:\"0 9 * * Wed\" digest:\"0 16 * * Mon\"",
    ),
    spec(
        "export",
        &["format"],
        Who::Anyone,
        "the workspace's OKRs as json, csv or markdown",
        "format:json",
    ),
    Spec {
        path: "clock",
        options: &["advance", "set"],
        who: Who::Anyone,
        summary: "move the simulated clock (a console started with --now)",
        example: "advance:1d",
        only: Some(Surface::Console),
    },
];

/// The entry for `path` (`kr add`), if there is one.
pub fn find(path: &str) -> Option<&'static Spec> {
    CATALOGUE.iter().find(|s| s.path == path)
}

/// The commands a surface offers, in help order.
pub fn for_surface(s: Surface) -> impl Iterator<Item = &'static Spec> {
    CATALOGUE.iter().filter(move |c| c.available_in(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_listed_once() {
        for (i, s) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[i + 1..].iter().all(|t| t.path != s.path),
                "{} is listed twice",
                s.path
            );
        }
    }

    #[test]
    fn every_example_uses_only_the_options_of_its_command() {
        for s in CATALOGUE {
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
