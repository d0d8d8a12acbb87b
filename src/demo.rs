//! `okrbot demo`: a whole quarter of two teams on a simulated clock, in a fresh database file.
//! It drives the same services the console and Discord use; nothing here is special-cased.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::clock::{Clock, ManualClock};
use crate::config::Config;
use crate::domain::message::ActionKind;
use crate::domain::model::CheckInSource;
use crate::outbox::{DeliveryKind, Recipient, RecordingOutbox};
use crate::scheduler::Scheduler;
use crate::service::objectives::{KrInput, ObjectiveInput};
use crate::service::setup::SetupInput;
use crate::service::{Actor, Okr};
use crate::store::Store;

/// The KPI's weekly readings, from the first Monday of the quarter on.
const TRIAL_CONVERSION: [&str; 13] = [
    "12.4%", "11.6%", "11.8%", "12.3%", "12.6%", "12.8%", "13.1%", "13.0%", "13.2%", "13.4%",
    "13.3%", "13.5%", "13.4%",
];

/// Platform's API error rate in percent, week by week, as the demo's own HTTP source answers it.
const API_ERROR_RATE: [f64; 14] = [
    0.42, 0.45, 0.51, 0.58, 0.66, 0.74, 0.83, 0.92, 0.88, 0.79, 0.69, 0.61, 0.55, 0.52,
];

/// Where the demo serves its HTTP source: a JSON endpoint on 127.0.0.1 whose answer follows the
/// simulated clock, read by the scheduler through the same fetch, checks and alerts as any
/// source. Returns the URL.
async fn serve_error_rate(
    clock: ManualClock,
    first_monday: DateTime<Utc>,
) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/metrics/errors",
        axum::routing::get(move || {
            let week = (clock.now() - first_monday).num_days().div_euclid(7);
            let rate = API_ERROR_RATE[week.clamp(0, API_ERROR_RATE.len() as i64 - 1) as usize];
            async move { axum::Json(serde_json::json!({ "errors": { "rate_pct": rate } })) }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the demo's HTTP source stopped");
        }
    });
    Ok(format!("http://{addr}/metrics/errors"))
}

/// One key result of the demo and how its owner answers in week `w` (1..=13); `None` means the
/// owner does not check in that week.
struct Script {
    objective: usize,
    kr: KrInput,
    answer: fn(u32) -> Option<String>,
}

fn kr(title: &str, kind: &str, unit: &str, start: &str, target: &str, owner: &str) -> KrInput {
    KrInput {
        title: title.into(),
        kind: Some(kind.into()),
        unit: Some(unit.into()),
        start: (!start.is_empty()).then(|| start.into()),
        target: (!target.is_empty()).then(|| target.into()),
        owner: Some(owner.into()),
        ..KrInput::default()
    }
}

fn growth() -> Vec<Script> {
    vec![
        Script {
            objective: 0,
            kr: kr(
                "Reduce average onboarding time",
                "metric",
                "days",
                "14",
                "7",
                "alice",
            ),
            // On pace, a little ahead by the end.
            answer: |w| {
                Some(format!(
                    "{:.1}d c8",
                    14.0 - 7.0 * f64::from(w) / 13.0 * 0.95
                ))
            },
        },
        Script {
            objective: 0,
            kr: kr("Raise onboarding NPS", "metric", "count", "30", "50", "bob"),
            // Slipping: half the pace, confidence sinking.
            answer: |w| {
                Some(format!(
                    "{:.0} c{}",
                    30.0 + 10.0 * f64::from(w) / 13.0,
                    if w < 5 {
                        7
                    } else if w < 9 {
                        5
                    } else {
                        3
                    }
                ))
            },
        },
        Script {
            objective: 0,
            kr: kr(
                "Launch the guided setup wizard",
                "milestone",
                "count",
                "",
                "",
                "carol",
            ),
            answer: |w| {
                Some(if w >= 9 {
                    "done c10 shipped to all new accounts".into()
                } else {
                    "not done c7".into()
                })
            },
        },
        Script {
            objective: 1,
            kr: kr(
                "Grow self-serve MRR",
                "metric",
                "USD",
                "$120k",
                "$180k",
                "dave",
            ),
            // Overachieving.
            answer: |w| {
                Some(format!(
                    "${:.0} c9",
                    120_000.0 + 60_000.0 * f64::from(w) / 13.0 * 1.15
                ))
            },
        },
        Script {
            objective: 1,
            kr: KrInput {
                direction: Some("at_least".into()),
                ..kr(
                    "Keep trial-to-paid conversion",
                    "threshold",
                    "percent",
                    "",
                    "12",
                    "erin",
                )
            },
            // Breaks the line mid-quarter, then recovers.
            answer: |w| {
                Some(if (6..=8).contains(&w) {
                    "11.2% c4 pricing test hurt".into()
                } else {
                    "12.6% c8".into()
                })
            },
        },
    ]
}

fn platform() -> Vec<Script> {
    vec![
        Script {
            objective: 0,
            kr: kr(
                "Cut p95 API latency (ms)",
                "metric",
                "count",
                "450",
                "200",
                "grace",
            ),
            answer: |w| {
                Some(format!(
                    "{:.0} c7",
                    450.0 - 250.0 * f64::from(w) / 13.0 * 0.8
                ))
            },
        },
        Script {
            objective: 0,
            kr: KrInput {
                direction: Some("at_least".into()),
                ..kr(
                    "Keep API uptime",
                    "threshold",
                    "percent",
                    "",
                    "99.9",
                    "heidi",
                )
            },
            answer: |w| {
                Some(if w == 5 {
                    "99.82% c5 one bad deploy".into()
                } else {
                    "99.95% c9".into()
                })
            },
        },
        Script {
            objective: 0,
            kr: kr(
                "Cut incident recovery time",
                "metric",
                "hours",
                "6h",
                "2h",
                "ivan",
            ),
            answer: |w| Some(format!("{:.1}h c6", 6.0 - 4.0 * f64::from(w) / 13.0 * 0.6)),
        },
        Script {
            objective: 1,
            kr: kr(
                "Publish API v2 reference docs",
                "milestone",
                "count",
                "",
                "",
                "grace",
            ),
            answer: |w| {
                Some(if w >= 12 {
                    "done c9".into()
                } else {
                    "not done c6".into()
                })
            },
        },
        Script {
            objective: 1,
            kr: kr(
                "Onboard design partners to API v2",
                "metric",
                "count",
                "0",
                "20",
                "frank",
            ),
            // Goes quiet after week 4: the stale one.
            answer: |w| (w <= 4).then(|| format!("{} c7", [0, 2, 4, 5, 6][w as usize])),
        },
    ]
}

/// How an owner answers prompts in the demo.
#[derive(Clone, Copy, PartialEq)]
enum Habit {
    /// Answers within the hour of the Monday prompt.
    Prompt,
    /// Answers only when reminded on Wednesday.
    Reminder,
}

fn habit(owner: &str) -> Habit {
    match owner {
        "bob" | "ivan" => Habit::Reminder,
        _ => Habit::Prompt,
    }
}

/// Where the demo's quarter is written.
pub enum Place {
    /// A new SQLite file, at this path or in the temp directory; an old one there is replaced.
    File(Option<PathBuf>),
    /// A database by URL (e.g. PostgreSQL), which must hold no workspace `acme` yet.
    Url(String),
}

pub async fn run(config: &Config, place: Place, out: &mut dyn Write) -> anyhow::Result<()> {
    let (url, database) = match place {
        Place::File(database) => {
            let path = database.unwrap_or_else(|| {
                std::env::temp_dir().join(format!("okrbot-demo-{}.db", std::process::id()))
            });
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let url = format!("sqlite://{}", path.display());
            (url.clone(), url)
        }
        Place::Url(url) => {
            let database = crate::store::shown_url(&url);
            (url, database)
        }
    };
    writeln!(
        out,
        "okrbot demo: a quarter of two teams on a simulated clock, driven by the scheduler"
    )?;
    writeln!(out, "database: {database}")?;
    // The demo's HTTP source is on 127.0.0.1, which sources may reach only where allowed:
    // loopback, and nothing else private.
    let mut config = config.clone();
    config.http_sources.allow_loopback = true;
    let okr = Okr::new(Store::open(&url).await?, &config);
    let clock = ManualClock::new(
        Utc.with_ymd_and_hms(2026, 9, 28, 8, 0, 0)
            .single()
            .expect("valid"),
    );
    {
        // A database by URL may be someone's: the demo adds its quarter to no one's workspace.
        let mut c = okr.store().read().await?;
        if crate::store::workspaces::find(&mut c, "console:acme")
            .await?
            .is_some()
        {
            anyhow::bail!(
                "{database} already holds workspace acme: run the demo in an empty database \
                 (or without --database-url, in a new SQLite file)"
            );
        }
    }
    let ws = okr.workspace("console:acme", "acme", clock.now()).await?;
    let admin = Actor {
        workspace: ws,
        user: "olivia".into(),
        admin: true,
        roles: vec![],
    };
    let e = |e: crate::service::OkrError| anyhow::anyhow!("{e}");

    okr.setup(
        &admin,
        SetupInput {
            team: "Growth".into(),
            timezone: Some("Europe/Berlin".into()),
            channel: Some("growth".into()),
            prefix: None,
            leads: Some(vec!["alice".into()]),
        },
        clock.now(),
    )
    .await
    .map_err(e)?;
    okr.setup(
        &admin,
        SetupInput {
            team: "Platform".into(),
            timezone: Some("America/New_York".into()),
            channel: Some("platform".into()),
            prefix: Some("ENG".into()),
            leads: Some(vec!["grace".into()]),
        },
        clock.now(),
    )
    .await
    .map_err(e)?;
    let start = NaiveDate::from_ymd_opt(2026, 10, 1).expect("valid");
    let end = NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid");
    okr.cycle_new(&admin, "2026-Q4", start, end, clock.now())
        .await
        .map_err(e)?;

    let objectives = [
        (
            "Growth",
            "Enhance customer onboarding experience",
            "aspirational",
            "alice",
        ),
        ("Growth", "Grow self-serve revenue", "committed", "dave"),
        (
            "Platform",
            "Make the platform fast and reliable",
            "committed",
            "grace",
        ),
        (
            "Platform",
            "Ship the public API v2",
            "aspirational",
            "grace",
        ),
    ];
    let mut codes = Vec::new();
    for (team, title, kind, owner) in objectives {
        let input = ObjectiveInput {
            team: team.into(),
            title: title.into(),
            kind: Some(kind.into()),
            owner: Some(owner.into()),
            parent: None,
            cycle: None,
        };
        codes.push(
            okr.objective_add(&admin, input, clock.now())
                .await
                .map_err(e)?
                .code,
        );
    }
    okr.objective_align(&admin, &codes[3], Some(&codes[1]))
        .await
        .map_err(e)?;
    let mut krs = Vec::new();
    for (offset, scripts) in [(0, growth()), (2, platform())] {
        for s in scripts {
            let mut input = s.kr;
            input.objective = codes[offset + s.objective].clone();
            let k = okr.kr_add(&admin, input, clock.now()).await.map_err(e)?;
            krs.push((k.code, k.owner.unwrap_or_default(), s.answer));
        }
    }
    okr.kpi_add(
        &admin,
        crate::service::kpis::KpiInput {
            team: "Growth".into(),
            name: "trial conversion".into(),
            unit: Some("percent".into()),
            direction: Some("higher".into()),
            min: Some("12".into()),
            owner: Some("erin".into()),
            ..Default::default()
        },
        clock.now(),
    )
    .await
    .map_err(e)?;
    let first_monday = Utc
        .with_ymd_and_hms(2026, 10, 5, 0, 0, 0)
        .single()
        .expect("valid");
    okr.kpi_add(
        &admin,
        crate::service::kpis::KpiInput {
            team: "Platform".into(),
            name: "API error rate".into(),
            unit: Some("percent".into()),
            direction: Some("lower".into()),
            max: Some("1".into()),
            owner: Some("heidi".into()),
            ..Default::default()
        },
        clock.now(),
    )
    .await
    .map_err(e)?;
    let source = serve_error_rate(clock.clone(), first_monday).await?;
    okr.kpi_source(
        &admin,
        "API error rate",
        &source,
        Some("/errors/rate_pct"),
        Some("0 9 * * Mon"),
        None,
        clock.now(),
    )
    .await
    .map_err(e)?;
    writeln!(out, "set up: teams Growth (Europe/Berlin) and Platform (America/New_York), cycle 2026-Q4, {} objectives, {} key results, KPI trial conversion (healthy at 12% and above, read by hand), KPI API error rate (healthy at 1% and below, read every Monday 09:00 New York from an HTTP source the demo serves on 127.0.0.1)", codes.len(), krs.len())?;
    writeln!(out, "owners answer Monday prompts within the hour, except bob and ivan (only when reminded) and frank (goes quiet after week 4)\n")?;

    let scheduler = Scheduler::new(okr.clone());
    let outbox = RecordingOutbox::new();
    let close_at = Utc
        .with_ymd_and_hms(2027, 1, 4, 9, 0, 0)
        .single()
        .expect("valid");
    // erin reads trial conversion every Monday at 10:30 Berlin: it slips below 12% in week 2,
    // and comes back once the OKR started from its alert works.
    let erin = Actor {
        workspace: ws,
        user: "erin".into(),
        admin: false,
        roles: vec![],
    };
    let mut readings = TRIAL_CONVERSION
        .iter()
        .enumerate()
        .map(|(w, v)| {
            let local = (start + Duration::days(4 + 7 * w as i64)).and_hms_opt(10, 30, 0);
            let at = local
                .and_then(|l| chrono_tz::Europe::Berlin.from_local_datetime(&l).single())
                .map(|t| t.with_timezone(&Utc));
            (at, *v)
        })
        .peekable();
    let mut shown = std::collections::HashSet::new();
    // One header as each week's first line is written, in order; nothing before the first.
    let week_of = |t: DateTime<Utc>| (t - first_monday).num_days().div_euclid(7) + 1;
    // The quarter's last week; after it only KPIs, watched all year, are still asked for.
    let last_week = week_of(
        Utc.with_ymd_and_hms(2026, 12, 31, 12, 0, 0)
            .single()
            .expect("valid"),
    );
    let mut headed = 0;
    let mut header = |out: &mut dyn Write, week: i64| -> std::io::Result<()> {
        if week > headed {
            headed = week;
            if week > last_week {
                writeln!(out, "── after the quarter ──")?;
            } else {
                writeln!(out, "── week {week} ──")?;
            }
        }
        Ok(())
    };
    let mut drafted = false;
    while let Some(next) = scheduler.next_wake().await.map_err(e)? {
        if next >= close_at {
            break;
        }
        if let Some(&(Some(at), value)) = readings.peek() {
            if at <= next {
                readings.next();
                clock.set(at.max(clock.now()));
                okr.kpi_set(&erin, "trial conversion", value, clock.now())
                    .await
                    .map_err(e)?;
                header(out, week_of(clock.now()))?;
                writeln!(
                    out,
                    "{} kpi       ← @erin      trial conversion {value}",
                    clock
                        .now()
                        .with_timezone(&chrono_tz::Europe::Berlin)
                        .format("%a %Y-%m-%d %H:%M %Z"),
                )?;
                continue;
            }
        }
        clock.set(next.max(clock.now()));
        let report = scheduler.tick(clock.now(), &outbox).await.map_err(e)?;
        if report.sources_read + report.sources_failed > 0 {
            let shown = okr
                .kpi_show(&admin, "API error rate", clock.now())
                .await
                .map_err(e)?;
            let said = match (&shown.kpi.latest, &shown.kpi.source) {
                (_, Some(s)) if s.last_error.is_some() => format!(
                    "API error rate: fetch failed ({})",
                    s.last_error.as_ref().map_or("", |e| e.1.as_str())
                ),
                (Some((_, v)), _) => format!("API error rate {}", shown.kpi.unit.format(*v)),
                (None, _) => "API error rate: no reading".into(),
            };
            header(out, week_of(clock.now()))?;
            writeln!(
                out,
                "{} kpi       ← http       {said} (GET /metrics/errors, pointer /errors/rate_pct)",
                clock
                    .now()
                    .with_timezone(&chrono_tz::America::New_York)
                    .format("%a %Y-%m-%d %H:%M %Z"),
            )?;
        }
        for d in outbox.take() {
            let local = d.due.max(d.slot).with_timezone(&d.team_tz);
            let week = week_of(d.slot);
            header(out, week)?;
            let targets: Vec<String> = d
                .message
                .actions
                .iter()
                .filter_map(|a| match (a.kind, &a.target) {
                    (ActionKind::Update, Some(code)) => Some(code.clone()),
                    (ActionKind::ReadKpi, Some(kpi)) => Some(format!("KPI {kpi}")),
                    _ => None,
                })
                .collect();
            // A KPI with a reading to keep: its prompt shows every button.
            let asks_kpi = d
                .message
                .actions
                .iter()
                .any(|a| a.kind == ActionKind::KpiNoChange);
            // Show each kind in full once (digests at a few points), then one line each.
            let full = match d.kind {
                DeliveryKind::Digest => {
                    [2, 6, 10, 13].contains(&week) && shown.insert((d.kind, week, d.team))
                }
                DeliveryKind::Alert
                | DeliveryKind::LeadReport
                | DeliveryKind::KpiAlert
                | DeliveryKind::KpiRecovered => true,
                // The first prompt that asks for a KPI read before, in full.
                _ => shown.insert((d.kind, -i64::from(asks_kpi), d.team)),
            };
            if full {
                crate::console::write_delivery(out, &d)?;
            } else {
                writeln!(
                    out,
                    "{} {:<9} → {:<10} {}",
                    local.format("%a %Y-%m-%d %H:%M %Z"),
                    d.kind.as_str(),
                    d.recipient.to_string(),
                    targets.join(", ")
                )?;
            }
            // alice presses Start an OKR on the first alert that offers one, once she has it.
            let offers_start = d
                .message
                .actions
                .iter()
                .any(|a| a.kind == ActionKind::StartOkr);
            if offers_start && !drafted {
                drafted = true;
                let crate::domain::view::KpiOkrDraft { objective, kr, .. } = okr
                    .kpi_okr(&admin, "trial conversion", clock.now())
                    .await
                    .map_err(e)?;
                writeln!(
                    out,
                    "── alice starts an OKR from the alert: {} {} with {} {} (follows the KPI) ──\n",
                    objective.code, objective.title, kr.code, kr.title
                )?;
            }
            let Recipient::User(owner) = &d.recipient else {
                continue;
            };
            let answers_now = match d.kind {
                DeliveryKind::Prompt => habit(owner) == Habit::Prompt,
                DeliveryKind::Reminder => true,
                _ => false,
            };
            if !answers_now {
                continue;
            }
            let who = Actor {
                workspace: ws,
                user: owner.clone(),
                admin: false,
                roles: vec![],
            };
            for code in &targets {
                let Some((_, _, answer)) = krs.iter().find(|(c, _, _)| c == code) else {
                    continue;
                };
                let Some(text) = answer(week.clamp(1, 13) as u32) else {
                    continue;
                };
                let at = clock.now() + Duration::minutes(20);
                okr.check_in_text(
                    &who,
                    &format!("{code} {text}"),
                    CheckInSource::Button,
                    Some(format!("demo:{}:{code}", d.id)),
                    at,
                )
                .await
                .map_err(e)?;
            }
        }
    }
    clock.set(close_at);
    okr.cycle_close(&admin, "2026-Q4", clock.now())
        .await
        .map_err(e)?;
    // The close posts each team's final scores through the ledger like everything else, each
    // within its team's working hours: walk on until the ledger owes nothing more.
    writeln!(out, "── the quarter is over ──")?;
    loop {
        scheduler.tick(clock.now(), &outbox).await.map_err(e)?;
        for d in outbox.take() {
            crate::console::write_delivery(out, &d)?;
        }
        let mut c = okr.store().read().await?;
        let owed = crate::store::deliveries::next_pending(&mut c, None).await?;
        drop(c);
        match owed {
            Some(t) if t > clock.now() && t < close_at + Duration::days(7) => clock.set(t),
            _ => break,
        }
    }
    let mut c = okr.store().read().await?;
    let counts = crate::store::deliveries::counts(&mut c, ws).await?;
    writeln!(out, "\nThe ledger: {}", ledger_summary(&counts))?;
    // As of the quarter's end: at today's date its check-ins would read as months old.
    writeln!(
        out,
        "\nThe quarter stays in {database}; look around in it as of its end with\n  OKRBOT_DATABASE_URL={database} okrbot console --workspace acme --user alice --now {}",
        clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )?;
    drop(c);
    okr.store().close().await;
    Ok(())
}

/// What the ledger holds, in words, most first within what was sent: `115 prompts, 32
/// reminders, …, all sent`, then anything not sent by its state.
fn ledger_summary(counts: &[(String, String, i64)]) -> String {
    let word = |kind: &str, n: i64| -> String {
        let (one, many) = match kind {
            "prompt" => ("prompt", "prompts"),
            "reminder" => ("reminder", "reminders"),
            "digest" => ("digest", "digests"),
            "alert" => ("at-risk alert", "at-risk alerts"),
            "recovered" => ("recovery", "recoveries"),
            "lead_report" => ("lead report", "lead reports"),
            "cycle_close" => ("cycle close", "cycle closes"),
            "kpi_alert" => ("KPI alert", "KPI alerts"),
            "kpi_recovered" => ("KPI recovery", "KPI recoveries"),
            other => (other, other),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    };
    let mut sent: Vec<&(String, String, i64)> = counts.iter().filter(|c| c.1 == "sent").collect();
    sent.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut parts: Vec<String> = sent.iter().map(|(k, _, n)| word(k, *n)).collect();
    let others: Vec<String> = counts
        .iter()
        .filter(|c| c.1 != "sent")
        .map(|(k, s, n)| format!("{} {s}", word(k, *n)))
        .collect();
    if !parts.is_empty() {
        let last = parts.len() - 1;
        parts[last].push_str(if others.is_empty() {
            ", all sent"
        } else {
            " sent"
        });
    }
    parts.extend(others);
    parts.join(", ")
}
