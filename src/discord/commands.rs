//! The `/okr` slash commands: thin translations of typed options into the core's use cases, and
//! of their outcomes into replies. The `///` docs are what Discord shows as help.

use poise::serenity_prelude as serenity;

use super::bot::{user_key, BotError, Context, Data};
use super::render;
use crate::domain::message::Message;
use crate::domain::model::CheckInSource;
use crate::service::check_in::UpdateFields;
use crate::service::objectives::{KrEdit, KrInput, ObjectiveInput};
use crate::service::report::StatusScope;
use crate::service::schedule::ScheduleChange;
use crate::service::setup::{parse_date, SetupInput};
use crate::service::{Actor, OkrError};

type Result<T = ()> = std::result::Result<T, BotError>;

pub fn all() -> Vec<poise::Command<Data, BotError>> {
    vec![okr()]
}

/// The asker, as the core knows them.
async fn actor(ctx: Context<'_>) -> Result<Actor> {
    let guild = ctx.guild_id().ok_or(BotError::NotInGuild)?;
    let (permissions, roles) = match ctx {
        poise::Context::Application(a) => a
            .interaction
            .member
            .as_ref()
            .map(|m| (m.permissions, m.roles.clone()))
            .unwrap_or_default(),
        poise::Context::Prefix(_) => (None, vec![]),
    };
    Ok(ctx
        .data()
        .actor(guild, ctx.author().id, permissions, &roles)
        .await?)
}

fn now(ctx: Context<'_>) -> chrono::DateTime<chrono::Utc> {
    ctx.data().clock.now()
}

/// Sends a core message as the reply; long ones continue in follow-ups.
async fn reply(ctx: Context<'_>, m: &Message) -> Result {
    for (i, part) in render::render(m, None).into_iter().enumerate() {
        let mut r = part.to_reply();
        if i > 0 {
            r = r.ephemeral(m.private);
        }
        ctx.send(r).await?;
    }
    Ok(())
}

/// Refusals go back privately, worded by the core; internal failures are logged whole and the
/// asker gets the core's polite line, never a raw error.
pub async fn on_error(error: poise::FrameworkError<'_, Data, BotError>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            if let BotError::Okr(OkrError::Internal(cause)) = &error {
                tracing::error!(error = ?cause, command = %ctx.command().qualified_name, "command failed");
            } else if let BotError::Discord(e) = &error {
                tracing::error!(error = ?e, command = %ctx.command().qualified_name, "Discord refused a reply");
            }
            let text = format!("❌ {error}");
            if let Err(e) = ctx
                .send(poise::CreateReply::default().content(text).ephemeral(true))
                .await
            {
                tracing::warn!(error = ?e, "could not tell the asker about an error");
            }
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!(error = ?e, "error while handling an error");
            }
        }
    }
}

// ---- autocomplete: from the core, the caller's own first, 25 at most ----

async fn choices(
    ctx: Context<'_>,
    partial: &str,
    kind: for<'a> fn(&'a crate::service::Okr, &'a Actor, &'a str) -> futures_choices::Fut<'a>,
) -> serenity::CreateAutocompleteResponse {
    let list = match actor(ctx).await {
        Ok(a) => kind(&ctx.data().okr, &a, partial).await.unwrap_or_default(),
        Err(_) => vec![],
    };
    serenity::CreateAutocompleteResponse::new().set_choices(
        list.into_iter()
            .map(|c| serenity::AutocompleteChoice::new(c.label, c.value))
            .collect(),
    )
}

mod futures_choices {
    use std::future::Future;
    use std::pin::Pin;

    use crate::service::autocomplete::Choice;
    use crate::service::{Actor, Okr, OkrError};

    pub type Fut<'a> = Pin<Box<dyn Future<Output = Result<Vec<Choice>, OkrError>> + Send + 'a>>;

    pub fn krs<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.kr_choices(a, p))
    }
    pub fn objectives<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.objective_choices(a, p))
    }
    pub fn teams<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.team_choices(a, p))
    }
    pub fn cycles<'a>(okr: &'a Okr, a: &'a Actor, p: &'a str) -> Fut<'a> {
        Box::pin(okr.cycle_choices(a, p))
    }
}

async fn ac_kr(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::krs).await
}
async fn ac_objective(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::objectives).await
}
async fn ac_team(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::teams).await
}
async fn ac_cycle(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    choices(ctx, partial, futures_choices::cycles).await
}

// ---- the command tree ----

/// OKRs and weekly check-ins for your teams
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "help",
        "setup",
        "cycle",
        "objective",
        "kr",
        "update",
        "nochange",
        "snooze",
        "status",
        "digest",
        "history",
        "schedule"
    ),
    subcommand_required
)]
pub async fn okr(_ctx: Context<'_>) -> Result {
    Ok(())
}

/// What okrbot does and what to type next
#[poise::command(slash_command)]
async fn help(ctx: Context<'_>) -> Result {
    reply(ctx, &crate::console::help().private()).await
}

/// Create or change a team (Manage Server)
#[poise::command(slash_command)]
async fn setup(
    ctx: Context<'_>,
    #[description = "Team name"] team: String,
    #[description = "IANA time zone, e.g. Europe/Berlin"] timezone: Option<String>,
    #[description = "Channel for digests and alerts"] channel: Option<serenity::GuildChannel>,
    #[description = "Team lead"] lead: Option<serenity::User>,
    #[description = "A role whose members lead the team"] lead_role: Option<serenity::Role>,
    #[description = "Code prefix, 2-6 letters (GRO in GRO-1.2)"] prefix: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let input = SetupInput {
        team,
        timezone,
        channel: channel.map(|c| c.id.to_string()),
        prefix,
        // Either or both: a person and a role; given at all, they replace the team's leads.
        leads: (lead.is_some() || lead_role.is_some()).then(|| {
            lead.map(|u| user_key(u.id))
                .into_iter()
                .chain(lead_role.map(|r| super::bot::role_key(r.id)))
                .collect()
        }),
    };
    let out = ctx.data().okr.setup(&a, input, now(ctx)).await?;
    let t = &out.team;
    let m = Message::text(
        format!(
            "Team {} {}",
            t.name,
            if out.created {
                "is set up"
            } else {
                "is updated"
            }
        ),
        vec![
            format!(
                "codes {}-1, {}-1.1 · time zone {}",
                t.prefix,
                t.prefix,
                t.tz.name()
            ),
            format!(
                "channel {}",
                t.channel
                    .as_deref()
                    .map(|c| format!("<#{c}>"))
                    .unwrap_or_else(|| "not set".into())
            ),
            format!(
                "leads {}",
                if t.leads.is_empty() {
                    "none yet".into()
                } else {
                    t.leads.join(", ")
                }
            ),
        ],
    );
    reply(ctx, &m).await
}

/// Cycles: new, list, close
#[poise::command(
    slash_command,
    subcommands("cycle_new", "cycle_list", "cycle_close"),
    subcommand_required
)]
async fn cycle(_ctx: Context<'_>) -> Result {
    Ok(())
}

/// Start a cycle (optionally carrying unfinished objectives over)
#[poise::command(slash_command, rename = "new")]
async fn cycle_new(
    ctx: Context<'_>,
    #[description = "Name, e.g. 2026-Q4"] name: String,
    #[description = "First day, YYYY-MM-DD"] start: String,
    #[description = "Last day, YYYY-MM-DD"] end: String,
    #[description = "Carry unfinished objectives over from this cycle"]
    #[autocomplete = "ac_cycle"]
    from: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let (s, e) = (parse_date("start", &start)?, parse_date("end", &end)?);
    let okr = &ctx.data().okr;
    let m = match from {
        Some(from) => {
            let c = okr.cycle_new_from(&a, &name, s, e, &from, now(ctx)).await?;
            Message::text(
                format!("Cycle {} created", c.cycle.name),
                vec![format!(
                    "carried over from {from}: {} objectives, {} key results",
                    c.objectives.len(),
                    c.key_results
                )],
            )
        }
        None => {
            let c = okr.cycle_new(&a, &name, s, e, now(ctx)).await?;
            Message::text(
                format!("Cycle {} created", c.name),
                vec![format!("{} to {}", c.start, c.end)],
            )
        }
    };
    reply(ctx, &m).await
}

/// List the cycles
#[poise::command(slash_command, rename = "list")]
async fn cycle_list(ctx: Context<'_>) -> Result {
    let a = actor(ctx).await?;
    let today = now(ctx).date_naive();
    let lines = ctx
        .data()
        .okr
        .cycles(&a)
        .await?
        .iter()
        .map(|c| {
            format!(
                "{} · {} to {} · {}",
                c.name,
                c.start,
                c.end,
                c.state(today).as_str()
            )
        })
        .collect();
    reply(ctx, &Message::text("Cycles", lines).private()).await
}

/// Close a cycle: grades it and posts the final scores to each team
#[poise::command(slash_command, rename = "close")]
async fn cycle_close(
    ctx: Context<'_>,
    #[description = "Cycle"]
    #[autocomplete = "ac_cycle"]
    name: String,
) -> Result {
    ctx.defer_ephemeral().await?;
    let a = actor(ctx).await?;
    let r = ctx.data().okr.cycle_close(&a, &name, now(ctx)).await?;
    reply(ctx, &crate::render::cycle_close_message(&r).private()).await
}

/// Objectives: add, list, show, align, close
#[poise::command(
    slash_command,
    subcommands(
        "objective_add",
        "objective_list",
        "objective_show",
        "objective_align",
        "objective_close"
    ),
    subcommand_required
)]
async fn objective(_ctx: Context<'_>) -> Result {
    Ok(())
}

/// Add an objective to a team's current cycle (lead)
#[poise::command(slash_command, rename = "add")]
async fn objective_add(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "What you want to achieve"] title: String,
    #[description = "committed or aspirational"] kind: Option<String>,
    #[description = "Owner"] owner: Option<serenity::User>,
    #[description = "Aligned under this objective"]
    #[autocomplete = "ac_objective"]
    parent: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let input = ObjectiveInput {
        team,
        title,
        kind,
        owner: owner.map(|u| user_key(u.id)),
        parent,
        cycle: None,
    };
    let o = ctx.data().okr.objective_add(&a, input, now(ctx)).await?;
    reply(
        ctx,
        &Message::text(
            format!("Objective {} added: {}", o.code, o.title),
            vec![format!("next: /okr kr add objective:{}", o.code)],
        ),
    )
    .await
}

/// A team's objectives and key results, scored
#[poise::command(slash_command, rename = "list")]
async fn objective_list(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
) -> Result {
    let a = actor(ctx).await?;
    let r = ctx
        .data()
        .okr
        .status(&a, StatusScope::Team(team), now(ctx))
        .await?;
    reply(ctx, &crate::render::status_message(&r)).await
}

/// One objective with its key results
#[poise::command(slash_command, rename = "show")]
async fn objective_show(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
) -> Result {
    let a = actor(ctx).await?;
    let r = ctx
        .data()
        .okr
        .status(&a, StatusScope::Objective(objective), now(ctx))
        .await?;
    reply(ctx, &crate::render::status_message(&r)).await
}

/// Align an objective under a parent (company -> team -> person)
#[poise::command(slash_command, rename = "align")]
async fn objective_align(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "Parent objective (empty removes the alignment)"]
    #[autocomplete = "ac_objective"]
    parent: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let o = ctx
        .data()
        .okr
        .objective_align(&a, &objective, parent.as_deref())
        .await?;
    reply(
        ctx,
        &Message::text(format!("Objective {} aligned", o.code), vec![]),
    )
    .await
}

/// Close an objective
#[poise::command(slash_command, rename = "close")]
async fn objective_close(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
) -> Result {
    let a = actor(ctx).await?;
    let o = ctx.data().okr.objective_close(&a, &objective).await?;
    reply(
        ctx,
        &Message::text(format!("Objective {} is closed", o.code), vec![]),
    )
    .await
}

/// Key results: add, edit, remove, show
#[poise::command(
    slash_command,
    subcommands("kr_add", "kr_edit", "kr_remove", "kr_show"),
    subcommand_required
)]
async fn kr(_ctx: Context<'_>) -> Result {
    Ok(())
}

/// Add a key result (lead)
#[poise::command(slash_command, rename = "add")]
#[allow(clippy::too_many_arguments)]
async fn kr_add(
    ctx: Context<'_>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: String,
    #[description = "What is measured"] title: String,
    #[description = "metric, threshold or milestone"] kind: Option<String>,
    #[description = "Start value (metric)"] start: Option<String>,
    #[description = "Target value"] target: Option<String>,
    #[description = "count, percent, days, hours or a currency such as USD"] unit: Option<String>,
    #[description = "Owner"] owner: Option<serenity::User>,
    #[description = "at_least or at_most (threshold)"] direction: Option<String>,
    #[description = "Weight in the objective's score (default 1)"] weight: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let input = KrInput {
        objective,
        title,
        kind,
        unit,
        start,
        target,
        direction,
        owner: owner.map(|u| user_key(u.id)),
        weight,
        confidence: None,
    };
    let k = ctx.data().okr.kr_add(&a, input, now(ctx)).await?;
    reply(
        ctx,
        &Message::text(
            format!("Key result {} added: {}", k.code, k.title),
            vec![crate::render::value_vs_target(&k)],
        ),
    )
    .await
}

/// Change a key result (lead)
#[poise::command(slash_command, rename = "edit")]
async fn kr_edit(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
    #[description = "New title"] title: Option<String>,
    #[description = "New owner"] owner: Option<serenity::User>,
    #[description = "New target"] target: Option<String>,
    #[description = "New weight"] weight: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let edit = KrEdit {
        title,
        owner: owner.map(|u| user_key(u.id)),
        target,
        weight,
        ..KrEdit::default()
    };
    let k = ctx.data().okr.kr_edit(&a, &kr, edit).await?;
    reply(
        ctx,
        &Message::text(
            format!("Key result {} updated", k.code),
            vec![crate::render::value_vs_target(&k)],
        ),
    )
    .await
}

/// Remove a key result (lead)
#[poise::command(slash_command, rename = "remove")]
async fn kr_remove(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    let a = actor(ctx).await?;
    let k = ctx.data().okr.kr_remove(&a, &kr).await?;
    reply(
        ctx,
        &Message::text(format!("Key result {} removed", k.code), vec![]).private(),
    )
    .await
}

/// A key result's check-in history
#[poise::command(slash_command, rename = "show")]
async fn kr_show(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    history_of(ctx, kr).await
}

/// Check in: a new value for a key result (owner or lead)
#[poise::command(slash_command)]
async fn update(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
    #[description = "New value: 42, 1.2k, 45%, $1,200, 3h, 14d, +5, done"] value: String,
    #[description = "How confident are you, 1-10"]
    #[min = 1]
    #[max = 10]
    confidence: Option<u8>,
    #[description = "What changed"] note: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let confidence = confidence.map(|c| c.to_string());
    let fields = UpdateFields {
        kr: &kr,
        value: &value,
        confidence: confidence.as_deref(),
        note: note.as_deref(),
    };
    let key = interaction_key(ctx);
    let o = ctx
        .data()
        .okr
        .check_in_fields(&a, &fields, CheckInSource::Slash, key, now(ctx))
        .await?;
    reply(ctx, &crate::render::check_in_message(&o)).await
}

/// The interaction's id: Discord redelivering the same interaction records one check-in.
fn interaction_key(ctx: Context<'_>) -> Option<String> {
    match ctx {
        poise::Context::Application(a) => Some(format!("discord:{}", a.interaction.id)),
        poise::Context::Prefix(_) => None,
    }
}

/// Nothing moved: check in with the same value
#[poise::command(slash_command)]
async fn nochange(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    let a = actor(ctx).await?;
    let o = ctx
        .data()
        .okr
        .no_change(
            &a,
            &kr,
            CheckInSource::Slash,
            interaction_key(ctx),
            now(ctx),
        )
        .await?;
    reply(ctx, &crate::render::check_in_message(&o)).await
}

/// Ask me again tomorrow
#[poise::command(slash_command)]
async fn snooze(ctx: Context<'_>) -> Result {
    let a = actor(ctx).await?;
    let due = ctx.data().okr.snooze(&a, now(ctx)).await?;
    reply(
        ctx,
        &Message::text(format!("Snoozed until <t:{}:f>", due.timestamp()), vec![]).private(),
    )
    .await
}

/// Where things stand (only you see it)
#[poise::command(slash_command)]
async fn status(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
    #[description = "Objective"]
    #[autocomplete = "ac_objective"]
    objective: Option<String>,
    #[description = "Only my key results"] me: Option<bool>,
) -> Result {
    let a = actor(ctx).await?;
    let scope = match (objective, team, me) {
        (Some(o), _, _) => StatusScope::Objective(o),
        (None, Some(t), _) => StatusScope::Team(t),
        (None, None, Some(true)) => StatusScope::Me,
        _ => StatusScope::All,
    };
    let r = ctx.data().okr.status(&a, scope, now(ctx)).await?;
    reply(ctx, &crate::render::status_message(&r)).await
}

/// Post a team's digest now, or the workspace rollup
#[poise::command(slash_command)]
async fn digest(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: Option<String>,
    #[description = "team (default) or workspace"] scope: Option<String>,
) -> Result {
    ctx.defer_ephemeral().await?;
    let a = actor(ctx).await?;
    let okr = &ctx.data().okr;
    if scope
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("workspace"))
    {
        return reply(ctx, &okr.rollup(&a, now(ctx)).await?).await;
    }
    let team = team.ok_or_else(|| {
        OkrError::invalid("name the team, e.g. /okr digest team:Growth, or use scope:workspace")
    })?;
    let m = okr.digest_now(&a, &team, now(ctx)).await?;
    reply(
        ctx,
        &Message::text(format!("Posted: {}", m.title), vec![]).private(),
    )
    .await
}

/// A key result's check-ins
#[poise::command(slash_command)]
async fn history(
    ctx: Context<'_>,
    #[description = "Key result"]
    #[autocomplete = "ac_kr"]
    kr: String,
) -> Result {
    history_of(ctx, kr).await
}

async fn history_of(ctx: Context<'_>, kr: String) -> Result {
    let a = actor(ctx).await?;
    let (k, h) = ctx.data().okr.history(&a, &kr).await?;
    reply(ctx, &crate::render::history_message(&k, &h)).await
}

/// Check-in, reminder and digest times
#[poise::command(
    slash_command,
    subcommands("schedule_show", "schedule_set"),
    subcommand_required
)]
async fn schedule(_ctx: Context<'_>) -> Result {
    Ok(())
}

/// The next times of each schedule, in the team's zone
#[poise::command(slash_command, rename = "show")]
async fn schedule_show(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
) -> Result {
    let a = actor(ctx).await?;
    let v = ctx.data().okr.schedule_show(&a, &team, now(ctx)).await?;
    reply(ctx, &schedule_message(&v)).await
}

/// Change when prompts, reminders and digests go out (lead); cron in the team's zone
#[poise::command(slash_command, rename = "set")]
async fn schedule_set(
    ctx: Context<'_>,
    #[description = "Team"]
    #[autocomplete = "ac_team"]
    team: String,
    #[description = "Check-in prompt, e.g. 0 9 * * Mon"] prompt: Option<String>,
    #[description = "Reminder, e.g. 0 9 * * Wed"] reminder: Option<String>,
    #[description = "Digest, e.g. 0 16 * * Mon"] digest: Option<String>,
) -> Result {
    let a = actor(ctx).await?;
    let v = ctx
        .data()
        .okr
        .schedule_set(
            &a,
            &team,
            ScheduleChange {
                prompt,
                reminder,
                digest,
            },
            now(ctx),
        )
        .await?;
    reply(ctx, &schedule_message(&v)).await
}

fn schedule_message(v: &crate::service::schedule::ScheduleView) -> Message {
    let mut lines = Vec::new();
    for (kind, expr, next) in &v.entries {
        let times: Vec<String> = next
            .iter()
            .map(|t| t.format("%a %d %b %H:%M").to_string())
            .collect();
        lines.push(format!("{} `{expr}`: {}", kind.as_str(), times.join(" · ")));
    }
    Message::text(
        format!("Schedules of {} ({})", v.team.name, v.team.tz.name()),
        lines,
    )
    .private()
}
