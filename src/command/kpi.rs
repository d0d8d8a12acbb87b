//! KPIs: `/kpi add | set | range | list | show | link | remove | okr` (`docs/kpis.md`), in
//! both adapters.

use chrono::{DateTime, Utc};

use super::{Command, HelpTopic, Options, Reply, Surface};
use crate::service::kpis::{KpiInput, KpiReadingOutcome};
use crate::service::{Actor, Okr, Result};

/// KPIs.
#[derive(Debug, Clone)]
pub enum KpiCommand {
    Add(KpiInput),
    /// A reading by hand: `/kpi set kpi:conversion value:6.4%`.
    Set {
        kpi: String,
        value: String,
    },
    Range {
        kpi: String,
        min: Option<String>,
        max: Option<String>,
    },
    /// `/kpi edit kpi:conversion owner:bob cadence:monthly`.
    Edit {
        kpi: String,
        owner: Option<String>,
        cadence: Option<String>,
    },
    List {
        team: Option<String>,
    },
    Show {
        kpi: String,
    },
    Link {
        kpi: String,
        objective: String,
    },
    /// Start an OKR to bring the KPI back into range.
    Okr {
        kpi: String,
    },
    Remove {
        kpi: String,
    },
    /// Take back a reading: the latest that counts, or `reading:#n` from `/kpi show`.
    Withdraw {
        kpi: String,
        reading: Option<String>,
        reason: Option<String>,
    },
    /// Where the KPI is read from; `url:none` removes it. The header is a secret.
    Source {
        kpi: String,
        url: String,
        pointer: Option<String>,
        cron: Option<String>,
        header: Option<String>,
    },
    Fetch {
        kpi: String,
    },
    Token {
        kpi: String,
    },
}

pub(super) fn from_text(path: &str, o: &Options) -> Result<Option<Command>> {
    let kpi = || o.need("kpi", "kpi:conversion");
    let built = match path {
        "kpi help" => return Ok(Some(Command::Help(Surface::Console, HelpTopic::Kpis))),
        "kpi add" => KpiCommand::Add(KpiInput {
            team: o.need("team", "team:Growth")?,
            name: o.need("name", "name:conversion")?,
            unit: o.opt("unit"),
            direction: o.opt("direction"),
            min: o.opt("min"),
            max: o.opt("max"),
            owner: o.opt("owner"),
            cadence: o.opt("cadence"),
        }),
        // `/kpi set conversion 6.4%`: the service finds where the KPI's name ends.
        "kpi set" => {
            let positional = o.positional.trim().to_owned();
            let (kpi, value) = match (o.opt("kpi"), o.opt("value")) {
                (Some(kpi), Some(value)) => (kpi, value),
                (Some(kpi), None) => (kpi, positional),
                (None, Some(value)) => (positional, value),
                (None, None) => (String::new(), positional),
            };
            KpiCommand::Set { kpi, value }
        }
        "kpi range" => KpiCommand::Range {
            kpi: kpi()?,
            min: o.opt("min"),
            max: o.opt("max"),
        },
        "kpi edit" => KpiCommand::Edit {
            kpi: kpi()?,
            owner: o.opt("owner"),
            cadence: o.opt("cadence"),
        },
        "kpi list" => KpiCommand::List {
            team: o.opt("team"),
        },
        "kpi show" => KpiCommand::Show {
            kpi: o.opt_or_positional("kpi").unwrap_or_default(),
        },
        "kpi link" => KpiCommand::Link {
            kpi: kpi()?,
            objective: o.need("objective", "objective:GRO-1")?,
        },
        "kpi okr" => KpiCommand::Okr {
            kpi: o.opt_or_positional("kpi").unwrap_or_default(),
        },
        "kpi remove" => KpiCommand::Remove { kpi: kpi()? },
        "kpi withdraw" => KpiCommand::Withdraw {
            kpi: kpi()?,
            reading: o.opt("reading"),
            reason: o.opt("reason"),
        },
        "kpi source" => KpiCommand::Source {
            kpi: kpi()?,
            url: o.need("url", "url:https://stats.example.com/api")?,
            pointer: o.opt("pointer"),
            cron: o.opt("cron"),
            header: o.opt("header"),
        },
        "kpi token" => KpiCommand::Token { kpi: kpi()? },
        "kpi fetch" => KpiCommand::Fetch {
            kpi: o.opt_or_positional("kpi").unwrap_or_default(),
        },
        _ => return Ok(None),
    };
    Ok(Some(built.into()))
}

/// A reading by hand, answered with its outcome rather than a [`Reply`]: a prompt's form shows
/// the outcome in the prompt it came from.
pub async fn kpi_reading(
    okr: &Okr,
    actor: &Actor,
    kpi: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<KpiReadingOutcome> {
    okr.kpi_set(actor, kpi, value, now).await
}

impl KpiCommand {
    pub(super) async fn apply(self, okr: &Okr, actor: &Actor, now: DateTime<Utc>) -> Result<Reply> {
        Ok(match self {
            KpiCommand::Add(input) => {
                // The team as it is named, not as it was typed (`größe` is team Größe).
                let (team, kpi) = okr.kpi_add(actor, input, now).await?;
                Reply::KpiAdded {
                    team: team.name,
                    kpi,
                }
            }
            KpiCommand::Set { kpi, value } => {
                Reply::KpiReading(Box::new(kpi_reading(okr, actor, &kpi, &value, now).await?))
            }
            KpiCommand::Range { kpi, min, max } => Reply::KpiRange(
                okr.kpi_range(actor, &kpi, min.as_deref(), max.as_deref())
                    .await?,
            ),
            KpiCommand::Edit {
                kpi,
                owner,
                cadence,
            } => Reply::KpiEdited(
                okr.kpi_edit(actor, &kpi, owner.as_deref(), cadence.as_deref(), now)
                    .await?,
            ),
            KpiCommand::List { team } => {
                Reply::KpiList(okr.kpi_list(actor, team.as_deref(), now).await?)
            }
            KpiCommand::Show { kpi } => {
                Reply::KpiDetail(Box::new(okr.kpi_show(actor, &kpi, now).await?))
            }
            KpiCommand::Link { kpi, objective } => {
                let (kpi, objective) = okr.kpi_link(actor, &kpi, &objective).await?;
                Reply::KpiLinked { kpi, objective }
            }
            KpiCommand::Okr { kpi } => {
                let d = okr.kpi_okr(actor, &kpi, now).await?;
                Reply::KpiOkrStarted {
                    objective: d.objective,
                    kr: d.kr,
                    earlier: d.earlier,
                }
            }
            KpiCommand::Remove { kpi } => {
                Reply::KpiRemoved(okr.kpi_remove(actor, &kpi, now).await?)
            }
            KpiCommand::Withdraw {
                kpi,
                reading,
                reason,
            } => Reply::KpiWithdrawn(Box::new(
                okr.kpi_withdraw(actor, &kpi, reading.as_deref(), reason.as_deref(), now)
                    .await?,
            )),
            KpiCommand::Source {
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
            KpiCommand::Fetch { kpi } => Reply::KpiFetched(okr.kpi_fetch(actor, &kpi, now).await?),
            KpiCommand::Token { kpi } => {
                let (kpi, token) = okr.kpi_token(actor, &kpi).await?;
                Reply::KpiToken {
                    path: crate::service::kpi_push::push_path(kpi.id),
                    kpi,
                    token,
                }
            }
        })
    }
}
