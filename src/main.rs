//! The `okrbot` command line: wiring only.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use okrbot::clock::{Clock, ManualClock, SystemClock};
use okrbot::config::Config;
use okrbot::console::Console;
use okrbot::leadership::Leadership;
use okrbot::outbox::{Delivery, FileOutbox, Outbox, Routes, SendError};
use okrbot::scheduler::Scheduler;
use okrbot::service::data::{self, ExportFormat};
use okrbot::service::{Actor, Okr};
use okrbot::store::leader::Role;
use okrbot::store::Store;

#[derive(Parser)]
#[command(
    name = "okrbot",
    version,
    about = "OKRs and check-ins in your team's chat"
)]
struct Cli {
    /// Configuration file; `OKRBOT_*` environment variables override it.
    #[arg(long, global = true, default_value = "config/default.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The Discord bot (token in DISCORD_TOKEN, DISCORD_TOKEN_FILE or the systemd credential): slash commands, prompts as DMs, digests and alerts.
    Run {
        /// Register the commands globally (takes up to an hour to appear) instead of in each
        /// guild at start (instant).
        #[arg(long)]
        global_commands: bool,
        /// Run the gateway and the HTTP listener only: another process runs the scheduler
        /// (`okrbot schedule run`). The same as `scheduler = false` in the configuration.
        #[arg(long)]
        no_scheduler: bool,
    },
    /// A whole quarter of two teams on a simulated clock, in a fresh database file.
    Demo {
        /// Where to put the demo database (default: a new file in the temp directory).
        #[arg(long, conflicts_with = "database_url")]
        database: Option<PathBuf>,
        /// Run the demo in this database instead of a file, e.g. an empty PostgreSQL database
        /// (`postgres://user:password@host/okrbot_demo`).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// A workspace in the terminal: type /okr commands, or pipe a script of them in.
    Console {
        #[arg(long, default_value = "default")]
        workspace: String,
        /// The acting person (as Discord's user id will be).
        #[arg(long, default_value_t = default_user())]
        user: String,
        /// Act as a workspace admin.
        #[arg(long)]
        admin: bool,
        /// Pretend it is this instant (RFC 3339) instead of now.
        #[arg(long)]
        now: Option<DateTime<Utc>>,
    },
    /// Write a workspace's OKRs to stdout.
    Export {
        #[arg(long, default_value = "default")]
        workspace: String,
        #[arg(long, default_value = "json", value_parser = ["json", "csv", "markdown"])]
        format: String,
        /// Compute percent, score, status and staleness as of this instant (RFC 3339).
        #[arg(long)]
        now: Option<DateTime<Utc>>,
    },
    /// Read an export (JSON) into a workspace; all or nothing.
    Import {
        file: PathBuf,
        #[arg(long, default_value = "default")]
        workspace: String,
        #[arg(long)]
        now: Option<DateTime<Utc>>,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Copy a whole database into a new, empty one, e.g. from the SQLite file to PostgreSQL:
    /// every workspace, with its history, schedules and delivery ledger, in one transaction.
    /// Stop okrbot first, so that nothing written after the copy is left behind.
    Copy {
        /// The database to copy (default: the configured one, `database_url`).
        #[arg(long)]
        from: Option<String>,
        /// The database to copy into: created and migrated if need be, and it must hold no
        /// rows yet (`postgres://user:password@host/okrbot` or `sqlite://okrbot-copy.db`).
        #[arg(long)]
        to: String,
    },
    /// Check-in schedules: preview a cron expression, or run the scheduler.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCmd,
    },
}

#[derive(Subcommand)]
enum ScheduleCmd {
    /// Print the next fire instants of a schedule, one per line, RFC 3339 with offset.
    Preview {
        /// A cron expression: minute hour day-of-month month day-of-week, e.g. "0 9 * * Mon".
        #[arg(long)]
        cron: String,
        /// An IANA time zone, e.g. Europe/Berlin.
        #[arg(long, default_value = "UTC")]
        tz: String,
        /// Start after this instant (RFC 3339; default now).
        #[arg(long)]
        from: Option<DateTime<Utc>>,
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
    /// Run the scheduler: send prompts, reminders, digests and alerts as they fall due, to
    /// Discord over REST when a token is set (no gateway needed), and to team webhooks.
    Run {
        /// Run on a simulated clock standing at this instant instead of the system clock.
        #[arg(long)]
        now: Option<DateTime<Utc>>,
        /// One tick, then exit.
        #[arg(long)]
        once: bool,
        /// Append deliveries as JSON lines to this file (deduplicated by delivery id) instead
        /// of sending them to Discord (or printing them, without a Discord token).
        #[arg(long)]
        outbox_file: Option<PathBuf>,
        /// Pause after each delivery, in milliseconds (a stand-in for a platform's rate limit).
        #[arg(long, default_value_t = 0)]
        pace_ms: u64,
    },
}

fn default_user() -> String {
    std::env::var("USER").unwrap_or_else(|_| "me".into())
}

fn clock(now: Option<DateTime<Utc>>) -> Box<dyn Clock> {
    match now {
        Some(t) => Box::new(ManualClock::new(t)),
        None => Box::new(SystemClock),
    }
}

async fn open(config: &Config) -> anyhow::Result<Okr> {
    let store = Store::open(&config.database_url).await.with_context(|| {
        format!(
            "opening the database {}",
            okrbot::store::shown_url(&config.database_url)
        )
    })?;
    Ok(Okr::new(store, config))
}

async fn actor(
    okr: &Okr,
    workspace: &str,
    user: &str,
    admin: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Actor> {
    // `?` keeps the service error whole: its Display is the sentence a chat user reads, its
    // source the database's own words, which main prints after it for the operator.
    let id = okr
        .workspace(&format!("console:{workspace}"), workspace, now)
        .await?;
    Ok(Actor {
        workspace: id,
        user: user.to_owned(),
        admin,
        roles: vec![],
    })
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(&cli.config).context("reading the configuration")?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Cmd::Demo {
            database,
            database_url,
        } => {
            let place = match database_url {
                Some(url) => okrbot::demo::Place::Url(url),
                None => okrbot::demo::Place::File(database),
            };
            okrbot::demo::run(&config, place, &mut std::io::stdout()).await?;
        }
        Cmd::Console {
            workspace,
            user,
            admin,
            now,
        } => {
            let okr = open(&config).await?;
            let manual = now.map(ManualClock::new);
            let clock: &dyn Clock = match &manual {
                Some(m) => m,
                None => &SystemClock,
            };
            let actor = actor(&okr, &workspace, &user, admin, clock.now()).await?;
            let mut console = Console::new(&okr, actor, clock, manual.as_ref());
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let end = console.run(stdin, &mut std::io::stdout()).await?;
            if end.internal_failures > 0 {
                eprintln!(
                    "okrbot: the database failed {} time(s); see the log above",
                    end.internal_failures
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Export {
            workspace,
            format,
            now,
        } => {
            let okr = open(&config).await?;
            let now = clock(now).now();
            // A typo must not create an empty workspace and export it.
            let known = okr
                .existing_workspace(&format!("console:{workspace}"))
                .await?;
            if known.is_none() {
                anyhow::bail!(
                    "there is no workspace {workspace:?} in {}: check --workspace (a console session or an import creates one)",
                    config.database_url
                );
            }
            let actor = actor(&okr, &workspace, "export", true, now).await?;
            let doc = okr.export(&actor, now).await?;
            let format = ExportFormat::parse(&format).expect("clap checked the format");
            let (text, _) = okrbot::render::export::render(&doc, format);
            println!("{text}");
        }
        Cmd::Import {
            file,
            workspace,
            now,
        } => {
            let okr = open(&config).await?;
            let now = clock(now).now();
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let doc = data::parse_export(&text).with_context(|| file.display().to_string())?;
            // The workspace is made in the import's transaction: a refused file leaves none.
            let (_, s) = okr
                .import_into_workspace(&format!("console:{workspace}"), &workspace, &doc, now)
                .await
                .with_context(|| file.display().to_string())?;
            use okrbot::domain::model::count_of;
            println!(
                "imported into workspace {workspace}: {}, {}, {}, {}, {}, {}",
                count_of(s.teams, "team", "teams"),
                count_of(s.cycles, "cycle", "cycles"),
                count_of(s.objectives, "objective", "objectives"),
                count_of(s.key_results, "key result", "key results"),
                count_of(s.check_ins, "check-in", "check-ins"),
                count_of(s.kpis, "KPI", "KPIs"),
            );
        }
        Cmd::Schedule {
            command:
                ScheduleCmd::Preview {
                    cron,
                    tz,
                    from,
                    count,
                },
        } => {
            let tz = okrbot::domain::model::TeamZone::parse(&tz)
                .context("--tz")?
                .tz();
            let schedule =
                okrbot::domain::schedule::CronSchedule::parse(&cron).context("--cron")?;
            let from = from.unwrap_or_else(|| SystemClock.now());
            for t in schedule.upcoming(tz, from, count) {
                println!("{}", t.to_rfc3339());
            }
        }
        Cmd::Schedule {
            command:
                ScheduleCmd::Run {
                    now,
                    once,
                    outbox_file,
                    pace_ms,
                },
        } => {
            let okr = open(&config).await?;
            let shared: std::sync::Arc<dyn Clock> = match now {
                Some(t) => std::sync::Arc::new(ManualClock::new(t)),
                None => std::sync::Arc::new(SystemClock),
            };
            let clock = shared.as_ref();
            if now.is_none() && !once {
                listen(&okr, &config.http);
            }
            let scheduler = if now.is_none() {
                Scheduler::new(okr.clone()).led_by(lead(&okr, Role::Scheduler).await)
            } else {
                // A simulated clock is a one-off run by hand: it decides whoever leads.
                Scheduler::new(okr.clone())
            };
            let pace = std::time::Duration::from_millis(pace_ms);
            let discord = okrbot::config::discord_token(|k| std::env::var(k).ok()).ok();
            match (outbox_file, discord) {
                (Some(path), _) => {
                    let outbox = FileOutbox::open(path, pace)?;
                    run_scheduler(&scheduler, clock, &outbox, once).await?;
                }
                (None, Some(token)) => {
                    let conn = discord_connection(&config, token, false)?;
                    let outbox = okrbot::discord::bot::outbox(&conn, okr.clone(), shared.clone());
                    let routes = Routes {
                        people: &outbox,
                        channels: &outbox,
                    };
                    run_scheduler(&scheduler, clock, &routes, once).await?;
                }
                (None, None) => {
                    let outbox = PrintOutbox { pace };
                    run_scheduler(&scheduler, clock, &outbox, once).await?;
                }
            }
        }
        Cmd::Run {
            global_commands,
            no_scheduler,
        } => {
            let token = okrbot::config::discord_token(|k| std::env::var(k).ok())
                .map_err(|e| anyhow::anyhow!(e))?;
            // Settings first: a wrong one stops the process before it touches the database.
            let conn = discord_connection(&config, token, global_commands)?;
            let okr = open(&config).await?;
            listen(&okr, &config.http);
            let clock: std::sync::Arc<dyn Clock> = std::sync::Arc::new(SystemClock);
            // One stop for every role: the scheduler starts settling its sends while the
            // gateway closes, not after.
            let (stopping, stopped) = tokio::sync::watch::channel(false);
            let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            let leading = if config.scheduler && !no_scheduler {
                Some(lead(&okr, Role::Scheduler).await)
            } else {
                None
            };
            let deliveries = leading.map(|leadership| {
                let outbox = okrbot::discord::bot::outbox(&conn, okr.clone(), clock.clone());
                let scheduler = Scheduler::new(okr.clone()).led_by(leadership);
                let (clock, stop) = (clock.clone(), until_stopped(stopped.clone()));
                tokio::spawn(async move {
                    // Discord carries both direct messages and channel posts.
                    let routes = Routes {
                        people: &outbox,
                        channels: &outbox,
                    };
                    scheduler.run(clock.as_ref(), &routes, stop).await;
                })
            });
            if deliveries.is_none() {
                tracing::warn!("the scheduler is off in this process: another one must run it");
            }
            let stopping = std::sync::Arc::new(stopping);
            let signalled = stopping.clone();
            tokio::spawn(async move {
                stop_signal().await;
                tracing::warn!("shutting down: stopping the gateway and the scheduler");
                let _ = signalled.send(true);
            });
            let result = gateway(okr, clock, conn, until_stopped(stopped.clone())).await;
            let _ = stopping.send(true);
            if let Some(deliveries) = deliveries {
                // The delivery in flight finishes; the whole stop stays under 10 s.
                match tokio::time::timeout(std::time::Duration::from_secs(8), deliveries).await {
                    Ok(Err(e)) => tracing::error!(error = ?e, "the scheduler ended abnormally"),
                    Ok(Ok(())) => {}
                    Err(_) => tracing::warn!(
                        "the scheduler did not stop within 8 s; leaving its claims to expire"
                    ),
                }
            }
            result?;
        }
        Cmd::Copy { from, to } => {
            let from = from.unwrap_or_else(|| config.database_url.clone());
            let (shown_from, shown_to) = (
                okrbot::store::shown_url(&from),
                okrbot::store::shown_url(&to),
            );
            if from == to {
                anyhow::bail!("--from and --to are the same database ({shown_from}): name a new, empty database with --to");
            }
            if okrbot::store::is_missing_file(&from) {
                anyhow::bail!("there is no database at {shown_from}: check --from (or database_url, its default); nothing was written");
            }
            let source = Store::open(&from)
                .await
                .with_context(|| format!("opening the database {shown_from}"))?;
            let destination = Store::open(&to)
                .await
                .with_context(|| format!("opening the database {shown_to}"))?;
            let copied = okrbot::store::copy::copy(&source, &destination)
                .await
                .with_context(|| {
                    format!("copying {shown_from} to {shown_to}; nothing was written")
                })?;
            source.close().await;
            destination.close().await;
            println!(
                "copied {} rows in {} tables from {shown_from} to {shown_to}",
                copied.rows(),
                copied.tables.len()
            );
            for (table, rows) in copied.tables.iter().filter(|(_, n)| *n > 0) {
                println!("  {table}: {rows}");
            }
        }
        Cmd::Migrate => {
            let okr = open(&config).await?;
            okr.store().close().await;
            println!(
                "database {} is up to date",
                okrbot::store::shown_url(&config.database_url)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Takes part in `role` among the processes sharing the database: holds it when it is free,
/// stands by while another process does (`docs/operations.md`, "Several processes").
async fn lead(okr: &okrbot::service::Okr, role: Role) -> std::sync::Arc<Leadership> {
    let woken = okr.clone();
    let leadership = Leadership::start(
        okr.store(),
        role,
        okrbot::leadership::POLL,
        okr.metrics_handle(),
        move |leading| {
            tracing::warn!(
                role = role.as_str(),
                leading,
                "the {} role changed hands",
                role.as_str()
            );
            woken.wake();
        },
    )
    .await;
    if !leadership.is_leader() {
        tracing::warn!(
            role = role.as_str(),
            "another process holds the {} role; standing by",
            role.as_str()
        );
    }
    leadership
}

/// Discord's gateway, connected while this process holds the gateway's role: one process per
/// shard, or every interaction would arrive twice. A standby connects when the role comes to
/// it; a holder that loses it disconnects, and waits to hold it again.
async fn gateway(
    okr: okrbot::service::Okr,
    clock: std::sync::Arc<dyn Clock>,
    conn: okrbot::discord::bot::Connection,
    stop: impl std::future::Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let leadership = lead(&okr, Role::Gateway(conn.shards)).await;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = leadership.until_leading() => {}
            () = &mut stop => return Ok(()),
        }
        let lost = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let shutdown = {
            let (leadership, lost) = (leadership.clone(), lost.clone());
            let stop = &mut stop;
            async move {
                tokio::select! {
                    () = leadership.until_standby() => {
                        lost.store(true, std::sync::atomic::Ordering::SeqCst);
                        tracing::warn!("lost the gateway's role; disconnecting until it comes back");
                    }
                    () = stop => {}
                }
            }
        };
        okrbot::discord::bot::run(okr.clone(), clock.clone(), conn.clone(), shutdown).await?;
        if !lost.load(std::sync::atomic::Ordering::SeqCst) {
            leadership.step_down().await;
            return Ok(());
        }
        okr.metrics().set_gateway(false);
    }
}

/// How to reach Discord, from the configuration and the token.
fn discord_connection(
    config: &Config,
    token: String,
    global_commands: bool,
) -> anyhow::Result<okrbot::discord::bot::Connection> {
    let proxy = config
        .discord
        .custom_base()
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(okrbot::discord::bot::Connection {
        token,
        proxy,
        global_commands,
        answer_within: Some(std::time::Duration::from_millis(
            config.discord.answer_within_ms,
        )),
        http_client: None,
        shards: config.discord.shards().map_err(|e| anyhow::anyhow!(e))?,
    })
}

/// Starts the HTTP listener (KPI pushes, /healthz) on the system clock until Ctrl-C. A listener
/// that cannot bind is logged and the rest runs on: the scheduler must not stop for it.
fn listen(okr: &okrbot::service::Okr, http: &okrbot::config::Http) {
    let (okr, http) = (okr.clone(), http.clone());
    tokio::spawn(async move {
        let clock = std::sync::Arc::new(SystemClock);
        let stop = stop_signal();
        if let Err(e) = okrbot::http::serve(okr, clock, &http, stop).await {
            tracing::error!(address = %http.listen, error = %e, "the HTTP listener could not start; KPI pushes are not taken");
        }
    });
}

/// Ctrl-C, or the SIGTERM a service manager (systemd, Docker) stops with.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => tracing::error!(error = %e, "SIGTERM cannot be caught; Ctrl-C still stops"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Prints each delivery as the console does.
struct PrintOutbox {
    pace: std::time::Duration,
}

impl Outbox for PrintOutbox {
    async fn send(&self, d: &Delivery) -> Result<okrbot::outbox::Sent, SendError> {
        {
            let mut out = std::io::stdout().lock();
            okrbot::console::write_delivery(&mut out, d)
                .map_err(|_| SendError::Retry(std::time::Duration::from_secs(1)))?;
        }
        if !self.pace.is_zero() {
            tokio::time::sleep(self.pace).await;
        }
        Ok(None)
    }
}

async fn run_scheduler<O: Outbox>(
    scheduler: &Scheduler,
    clock: &dyn Clock,
    outbox: &O,
    once: bool,
) -> anyhow::Result<()> {
    if once {
        scheduler.take_over(clock.now()).await?;
        let report = scheduler.tick(clock.now(), outbox).await?;
        eprintln!("{report:?}");
        return Ok(());
    }
    scheduler.run(clock, outbox, stop_signal()).await;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("okrbot: {e:#}");
            ExitCode::FAILURE
        }
    }
}
