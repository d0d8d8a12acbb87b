//! Every command okrbot knows, as data: the words, options, who may run it, an example. Help
//! lists them in this order, the console's parser reads the option names from them, and the
//! core's texts are respelled with them; `command/` parses and applies each one.

use super::{spec, Spec, Surface, Who};

/// `command::team`, in help order.
const TEAM: &[Spec] = &[
    spec(
        "setup",
        &[
            "team",
            "timezone",
            "channel",
            "prefix",
            "lead",
            "leads",
            "lead_role",
        ],
        Who::Admin,
        "create or change a team",
        "team:Growth timezone:Europe/Berlin channel:#growth lead:@alice",
    )
    .top_level_in_discord("okr-setup"),
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
];

/// `command::objective`, in help order.
const OBJECTIVE: &[Spec] = &[
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
        "objective share",
        &["objective", "team"],
        Who::OwnerOrLead,
        "pursue an objective with another team: it shows in their status, digest and prompts, and they may carry its key results (kr add team:)",
        "objective:SUP-1 team:Engineering",
    ),
    spec(
        "objective unshare",
        &["objective", "team"],
        Who::OwnerOrLead,
        "stop sharing an objective with a team; the key results it carried go back to the home team",
        "objective:SUP-1 team:Engineering",
    ),
    spec(
        "objective close",
        &["objective"],
        Who::Lead,
        "close an objective",
        "objective:GRO-1",
    ),
];

/// `command::key_result`, in help order.
const KEY_RESULT: &[Spec] = &[
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
            "from",
            "team",
        ],
        Who::Lead,
        "a key result: kind metric (start -> target), threshold (direction at_least|at_most) or milestone",
        "objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:@alice",
    ),
    spec(
        "kr edit",
        &["kr", "title", "owner", "start", "target", "direction", "weight", "from"],
        Who::Lead,
        "change a key result",
        "kr:GRO-1.1 target:6",
    ),
    spec(
        "kr remove",
        &["kr"],
        Who::Lead,
        "remove a key result (archived with its history; kr restore brings it back)",
        "kr:GRO-1.1",
    ),
    spec(
        "kr restore",
        &["kr"],
        Who::Lead,
        "bring back a removed key result",
        "kr:GRO-1.1",
    ),
    spec(
        "kr list",
        &["team", "objective", "owner", "cycle"],
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
];

/// `command::check_in`, in help order.
const CHECK_IN: &[Spec] = &[
    spec(
        "update",
        &["kr", "value", "confidence", "note", "confirm"],
        Who::OwnerOrLead,
        "check in; values: 42 1,200 1.2k 3M 45% $1,200 3h 14d +5 -2.5 done, not done",
        "kr:GRO-1.1 value:9 confidence:8 note:new flow shipped",
    ),
    spec(
        "bulk",
        &[],
        Who::OwnerOrLead,
        "several check-ins at once, one update per line, all or nothing (the console ends them with a line holding only \".\")",
        "",
    ),
    spec(
        "nochange",
        &["kr"],
        Who::OwnerOrLead,
        "nothing moved: check in the same value (kr:all for your whole prompt)",
        "kr:GRO-1.1",
    ),
    spec(
        "undo",
        &["kr"],
        Who::OwnerOrLead,
        "take back your latest check-in, within 15 minutes of making it",
        "kr:GRO-1.1",
    ),
    spec(
        "checkin withdraw",
        &["kr", "checkin", "reason"],
        Who::OwnerOrLead,
        "take back a check-in at any time (its author or a lead): the latest, or checkin:#<n> from /okr history; kept in the history as withdrawn",
        "kr:GRO-1.1 reason:typo, meant 12",
    ),
    spec(
        "snooze",
        &["until", "for"],
        Who::Anyone,
        "ask me again later about my latest prompt: tomorrow, until a day, or for a while",
        "until:Thursday",
    ),
    spec(
        "history",
        &["kr"],
        Who::Anyone,
        "a key result's check-ins",
        "kr:GRO-1.1",
    ),
];

/// `command::people`, in help order.
const PEOPLE: &[Spec] = &[
    spec(
        "me",
        &["timezone", "member"],
        Who::Anyone,
        "what okrbot knows about you: your time zone, time off, key results, KPIs and next prompt; timezone: sets your own (a lead may for a member)",
        "timezone:Asia/Tokyo",
    ),
    spec(
        "away set",
        &["from", "to", "note", "member"],
        Who::Anyone,
        "time off: no prompts, reminders or lead reports; one prompt on your first day back (a lead may enter it for a member)",
        "from:2026-12-21 to:2027-01-04 note:family",
    ),
    spec(
        "away list",
        &["team"],
        Who::Anyone,
        "who is away, from today on (a team's people, or everyone)",
        "team:Growth",
    ),
    spec(
        "away cancel",
        &["member"],
        Who::Anyone,
        "end your time off now, or cancel the next one",
        "",
    ),
    spec(
        "holidays add",
        &["team", "dates"],
        Who::AdminOrLead,
        "days off for the whole team: a prompt on one comes on the next working day, once",
        "team:Growth dates:2026-12-24,2026-12-25,2026-12-31",
    ),
    spec(
        "holidays list",
        &["team"],
        Who::Anyone,
        "a team's days off, from today on",
        "team:Growth",
    ),
    spec(
        "holidays remove",
        &["team", "dates"],
        Who::AdminOrLead,
        "take days off back",
        "team:Growth dates:2026-12-31",
    ),
];

/// Help comes first in help.
const HELP: Spec = spec(
    "help",
    &[],
    Who::Anyone,
    "what okrbot does and what to type next",
    "",
);

/// The console's simulated clock: listed so the console parses and explains it, though it is
/// the console's own command, not the core's.
const CLOCK: Spec = Spec {
    path: "clock",
    options: &["advance", "set"],
    who: Who::Anyone,
    summary: "move the simulated clock (a console started with --now)",
    example: "advance:1d",
    only: Some(Surface::Console),
    discord_top_level: None,
};

/// `command::report`, in help order.
const REPORT: &[Spec] = &[
    spec(
        "status",
        &["team", "objective", "me", "cycle"],
        Who::Anyone,
        "where things stand (only you see it)",
        "team:Growth",
    ),
    spec(
        "digest",
        &["team", "scope", "cycle"],
        Who::Anyone,
        "post a team's digest now, or scope:workspace for the alignment tree (cycle: a past one)",
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
        &["team", "prompt", "reminder", "digest", "hours"],
        Who::Lead,
        "change them: cron in the team's zone; hours: when the channel is posted to (or always)",
        "team:Growth prompt:\"0 9 * * Mon\" reminder:\"0 9 * * Wed\" digest:\"0 16 * * Mon\" hours:\"09:00-18:00 Mon-Fri\"",
    ),
    spec(
        "export",
        &["format"],
        Who::Anyone,
        "the workspace's OKRs as json, csv or markdown",
        "format:json",
    ),
];

/// `command::kpi`, in help order.
const KPI: &[Spec] = &[
    spec(
        "kpi help",
        &[],
        Who::Anyone,
        "the KPI commands, each with an example",
        "",
    ),
    spec(
        "kpi add",
        &["team", "name", "unit", "direction", "min", "max", "owner", "cadence"],
        Who::Lead,
        "watch a KPI with a healthy range (direction: higher or lower is better; read by hand, its owner is asked for it in the check-in prompt, or every cadence: weekly, monthly, 10d)",
        "team:Growth name:conversion unit:percent direction:higher min:7 owner:alice",
    ),
    spec(
        "kpi set",
        &["kpi", "value"],
        Who::OwnerOrLead,
        "record a reading (also /kpi set conversion 6.4%)",
        "kpi:conversion value:6.4%",
    ),
    spec(
        "kpi withdraw",
        &["kpi", "reading", "reason"],
        Who::OwnerOrLead,
        "take back a reading (its author or a lead): the latest, or reading:#<n> from /kpi show; listed as withdrawn",
        "kpi:conversion reason:typo, meant 7.4%",
    ),
    spec(
        "kpi range",
        &["kpi", "min", "max"],
        Who::Lead,
        "change the healthy range",
        "kpi:conversion min:7 max:12",
    ),
    spec(
        "kpi edit",
        &["kpi", "owner", "cadence"],
        Who::Lead,
        "change who is asked for a KPI and how often (cadence: weekly, monthly, 10d, or prompt for the team's check-in prompt)",
        "kpi:conversion owner:bob cadence:monthly",
    ),
    spec(
        "kpi list",
        &["team"],
        Who::Anyone,
        "KPIs, out of range first",
        "team:Growth",
    ),
    spec(
        "kpi show",
        &["kpi"],
        Who::Anyone,
        "a KPI's readings, range, trend, alert and linked objectives",
        "kpi:conversion",
    ),
    spec(
        "kpi link",
        &["kpi", "objective"],
        Who::Lead,
        "link an objective to a KPI",
        "kpi:conversion objective:GRO-1",
    ),
    spec(
        "kpi okr",
        &["kpi"],
        Who::Lead,
        "start an OKR to bring a KPI back into range",
        "kpi:conversion",
    ),
    spec(
        "kpi source",
        &["kpi", "url", "pointer", "cron", "header"],
        Who::Lead,
        "read a KPI from an HTTP JSON endpoint on its own cron (url:none removes it)",
        "kpi:conversion url:https://stats.example.com/api pointer:/data/rate cron:\"0 * * * *\"",
    ),
    spec(
        "kpi fetch",
        &["kpi"],
        Who::OwnerOrLead,
        "read a KPI's source now",
        "kpi:conversion",
    ),
    spec(
        "kpi token",
        &["kpi"],
        Who::Lead,
        "create or rotate the token for pushing readings (shown once, privately)",
        "kpi:conversion",
    ),
    spec(
        "kpi remove",
        &["kpi"],
        Who::Lead,
        "stop watching a KPI (archived, readings kept)",
        "kpi:conversion",
    ),
];

/// `command::webhook`, in help order.
const WEBHOOK: &[Spec] = &[
    spec(
        "webhook add",
        &["team", "kind", "url"],
        Who::Lead,
        "post the team's digests and alerts to Slack, Mattermost or Teams too",
        "team:Growth kind:slack url:https://hooks.slack.com/services/T000/B000/XXXX",
    ),
    spec(
        "webhook list",
        &["team"],
        Who::Lead,
        "the team's webhooks (URLs masked) and how their last posts went",
        "team:Growth",
    ),
    spec(
        "webhook remove",
        &["team", "webhook"],
        Who::Lead,
        "stop posting to a webhook",
        "team:Growth webhook:1",
    ),
    spec(
        "webhook test",
        &["team", "webhook"],
        Who::Lead,
        "post a sample to the team's webhooks now (enables a disabled one that works again)",
        "team:Growth webhook:1",
    ),
];

/// Every entry, in the order help lists them.
pub(super) fn all() -> impl Iterator<Item = &'static Spec> {
    std::iter::once(&HELP)
        .chain(TEAM)
        .chain(OBJECTIVE)
        .chain(KEY_RESULT)
        .chain(CHECK_IN)
        .chain(PEOPLE)
        .chain(REPORT)
        .chain(KPI)
        .chain(WEBHOOK)
        .chain(std::iter::once(&CLOCK))
}
