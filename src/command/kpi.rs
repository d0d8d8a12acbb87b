//! KPIs: `/kpi add | set | range | list | show | link | remove | okr` (`docs/kpis.md`), in
//! both adapters.

use chrono::{DateTime, Utc};

use super::team::misrouted;
use super::{spec, Command, HelpTopic, Options, Reply, Spec, Surface, Who};
use crate::service::kpis::KpiInput;
use crate::service::{Actor, Okr, Result};

/// The catalogue entries of this group, in help order.
pub(super) const SPECS: &[Spec] = &[
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

pub(super) fn from_text(path: &str, o: &Options) -> Option<Result<Command>> {
    let kpi = || o.need("kpi", "kpi:conversion");
    let built = match path {
        "kpi help" => Ok(Command::Help(Surface::Console, HelpTopic::Kpis)),
        "kpi add" => (|| {
            Ok(Command::KpiAdd(KpiInput {
                team: o.need("team", "team:Growth")?,
                name: o.need("name", "name:conversion")?,
                unit: o.opt("unit"),
                direction: o.opt("direction"),
                min: o.opt("min"),
                max: o.opt("max"),
                owner: o.opt("owner"),
                cadence: o.opt("cadence"),
            }))
        })(),
        // `/kpi set conversion 6.4%`: the service finds where the KPI's name ends.
        "kpi set" => {
            let positional = o.positional.trim().to_owned();
            Ok(match (o.opt("kpi"), o.opt("value")) {
                (Some(kpi), Some(value)) => Command::KpiSet { kpi, value },
                (Some(kpi), None) => Command::KpiSet {
                    kpi,
                    value: positional,
                },
                (None, Some(value)) => Command::KpiSet {
                    kpi: positional,
                    value,
                },
                (None, None) => Command::KpiSet {
                    kpi: String::new(),
                    value: positional,
                },
            })
        }
        "kpi range" => kpi().map(|kpi| Command::KpiRange {
            kpi,
            min: o.opt("min"),
            max: o.opt("max"),
        }),
        "kpi edit" => kpi().map(|kpi| Command::KpiEdit {
            kpi,
            owner: o.opt("owner"),
            cadence: o.opt("cadence"),
        }),
        "kpi list" => Ok(Command::KpiList {
            team: o.opt("team"),
        }),
        "kpi show" => Ok(Command::KpiShow {
            kpi: o.opt_or_positional("kpi").unwrap_or_default(),
        }),
        "kpi link" => (|| {
            Ok(Command::KpiLink {
                kpi: kpi()?,
                objective: o.need("objective", "objective:GRO-1")?,
            })
        })(),
        "kpi okr" => Ok(Command::KpiOkr {
            kpi: o.opt_or_positional("kpi").unwrap_or_default(),
        }),
        "kpi remove" => kpi().map(|kpi| Command::KpiRemove { kpi }),
        "kpi withdraw" => kpi().map(|kpi| Command::KpiWithdraw {
            kpi,
            reading: o.opt("reading"),
            reason: o.opt("reason"),
        }),
        "kpi source" => (|| {
            Ok(Command::KpiSource {
                kpi: kpi()?,
                url: o.need("url", "url:https://stats.example.com/api")?,
                pointer: o.opt("pointer"),
                cron: o.opt("cron"),
                header: o.opt("header"),
            })
        })(),
        "kpi token" => kpi().map(|kpi| Command::KpiToken { kpi }),
        "kpi fetch" => Ok(Command::KpiFetch {
            kpi: o.opt_or_positional("kpi").unwrap_or_default(),
        }),
        _ => return None,
    };
    Some(built)
}

pub(super) async fn apply(
    okr: &Okr,
    actor: &Actor,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Reply> {
    Ok(match command {
        Command::KpiAdd(input) => {
            // The team as it is named, not as it was typed (`größe` is team Größe).
            let (team, kpi) = okr.kpi_add(actor, input, now).await?;
            Reply::KpiAdded {
                team: team.name,
                kpi,
            }
        }
        Command::KpiSet { kpi, value } => {
            Reply::KpiReading(Box::new(okr.kpi_set(actor, &kpi, &value, now).await?))
        }
        Command::KpiRange { kpi, min, max } => Reply::KpiRange(
            okr.kpi_range(actor, &kpi, min.as_deref(), max.as_deref())
                .await?,
        ),
        Command::KpiEdit {
            kpi,
            owner,
            cadence,
        } => Reply::KpiEdited(
            okr.kpi_edit(actor, &kpi, owner.as_deref(), cadence.as_deref(), now)
                .await?,
        ),
        Command::KpiList { team } => {
            Reply::KpiList(okr.kpi_list(actor, team.as_deref(), now).await?)
        }
        Command::KpiShow { kpi } => {
            Reply::KpiDetail(Box::new(okr.kpi_show(actor, &kpi, now).await?))
        }
        Command::KpiLink { kpi, objective } => {
            let (kpi, objective) = okr.kpi_link(actor, &kpi, &objective).await?;
            Reply::KpiLinked { kpi, objective }
        }
        Command::KpiOkr { kpi } => {
            let d = okr.kpi_okr(actor, &kpi, now).await?;
            Reply::KpiOkrStarted {
                objective: d.objective,
                kr: d.kr,
                earlier: d.earlier,
            }
        }
        Command::KpiRemove { kpi } => Reply::KpiRemoved(okr.kpi_remove(actor, &kpi, now).await?),
        Command::KpiWithdraw {
            kpi,
            reading,
            reason,
        } => Reply::KpiWithdrawn(Box::new(
            okr.kpi_withdraw(actor, &kpi, reading.as_deref(), reason.as_deref(), now)
                .await?,
        )),
        Command::KpiSource {
            kpi,
            url,
            pointer,
            cron,
            header,
        } => Reply::KpiSourceSet(
            okr.kpi_source(
                actor,
                &kpi,
                &url,
                pointer.as_deref(),
                cron.as_deref(),
                header.as_deref(),
                now,
            )
            .await?,
        ),
        Command::KpiFetch { kpi } => Reply::KpiFetched(okr.kpi_fetch(actor, &kpi, now).await?),
        Command::KpiToken { kpi } => {
            let (kpi, token) = okr.kpi_token(actor, &kpi).await?;
            Reply::KpiToken {
                path: crate::service::kpi_push::push_path(kpi.id),
                kpi,
                token,
            }
        }
        other => return Err(misrouted(&other)),
    })
}
