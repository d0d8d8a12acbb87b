//! The console workspace: the same commands as the slash commands, one per line, from a terminal
//! or a pipe. Each line is parsed into a [`Command`] (no decisions here), applied through the
//! command layer, and the reply rendered as text on the output, errors included.

use std::io::Write;

use tokio::io::AsyncBufRead;

use crate::clock::{Clock, ManualClock};
use crate::command::{self, Command, Options, Reply};
use crate::domain::model::{format_number, CheckInSource};
use crate::outbox::{Delivery, RecordingOutbox};
use crate::render::reply::PlainText;
use crate::scheduler::Scheduler;
use crate::service::{Actor, Okr, OkrError, Result};

mod input;
mod line;
pub mod text;

pub use line::{parse_line, Line};

/// Outcome of a whole session: whether the database itself failed at some point (the exit code
/// of `okrbot console` reports it; refusals of bad input do not count).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SessionEnd {
    pub internal_failures: usize,
}

pub struct Console<'a> {
    pub okr: &'a Okr,
    pub actor: Actor,
    pub clock: &'a dyn Clock,
    /// Set when the console runs on a simulated clock: `/okr clock advance:1d` moves it.
    pub manual: Option<&'a ManualClock>,
    /// Where scheduled messages land before they are printed.
    pub outbox: RecordingOutbox,
    /// One for the whole session, for its own workspace only: its webhook pacer then spaces
    /// posts to a webhook across lines and clock steps as `okrbot run` does (a scheduler per
    /// tick sent 48 posts to one webhook in about a second), and a console never delivers (and
    /// so swallows) another workspace's messages nor moves its schedules.
    scheduler: Scheduler,
}

impl<'a> Console<'a> {
    pub fn new(
        okr: &'a Okr,
        actor: Actor,
        clock: &'a dyn Clock,
        manual: Option<&'a ManualClock>,
    ) -> Console<'a> {
        Console {
            scheduler: Scheduler::for_workspace(okr.clone(), actor.workspace),
            okr,
            actor,
            clock,
            manual,
            outbox: RecordingOutbox::new(),
        }
    }

    /// Runs the scheduler up to the console's clock and prints what it sent, so prompts,
    /// digests and alerts appear as they fire. When the clock has jumped, it steps through every
    /// due time on the way, as a running bot would have, instead of skipping what the jump
    /// passed (see `docs/schedules-and-delivery.md`).
    async fn tick<W: Write>(&self, out: &mut W) -> std::io::Result<usize> {
        let scheduler = &self.scheduler;
        let target = self.clock.now();
        let mut at = None;
        let mut steps = 0;
        loop {
            let next = match scheduler.next_wake().await {
                Ok(next) => next,
                Err(e) => return self.failed(out, e),
            };
            let now = match next {
                Some(t) if t < target && at.is_none_or(|a| t > a) && steps < MAX_STEPS => t,
                // Nothing is owed by now: the tick would find nothing, and a line typed costs
                // the look, not a whole tick.
                None => break,
                Some(t) if t > target => break,
                _ => target,
            };
            if let Err(e) = scheduler.tick(now, &self.outbox).await {
                return self.failed(out, e);
            }
            for d in self.outbox.take() {
                write_delivery(out, &d)?;
            }
            if now == target {
                break;
            }
            at = Some(now);
            steps += 1;
        }
        if steps == MAX_STEPS {
            writeln!(
                out,
                "⏩ the clock passed more than {MAX_STEPS} scheduled times; older ones than a day were skipped\n"
            )?;
        }
        Ok(0)
    }

    fn failed<W: Write>(&self, out: &mut W, e: OkrError) -> std::io::Result<usize> {
        tracing::error!(error = ?e, "scheduler tick failed");
        writeln!(out, "❌ {e}")?;
        Ok(usize::from(e.is_internal()))
    }
}

/// How many due times one clock jump steps through before the rest are caught up at once.
const MAX_STEPS: usize = 10_000;

/// A delivery as the console shows it: who, when it went out (the team's local time: a post
/// decided outside working hours goes out at the next opening), the message, and the chart
/// saved to a file.
pub fn write_delivery<W: Write + ?Sized>(out: &mut W, d: &Delivery) -> std::io::Result<()> {
    let local = d.due.max(d.slot).with_timezone(&d.team_tz);
    writeln!(
        out,
        "📬 {} → {} · {} ({})",
        d.kind.as_str().replace('_', " "),
        d.recipient,
        local.format("%a %Y-%m-%d %H:%M %Z"),
        d.team_tz.name()
    )?;
    for line in text::render(&d.message).lines() {
        writeln!(out, "   {line}")?;
    }
    for a in &d.message.attachments {
        match save(a) {
            Ok(path) => writeln!(out, "   📎 {}", path.display())?,
            Err(e) => writeln!(out, "   📎 {} could not be saved: {e}", a.name)?,
        }
    }
    writeln!(out)
}

/// Saves a file that rides along in the temp directory under its own name, never over another
/// file: two consoles on two databases both have a delivery 12, and each keeps its own chart.
fn save(a: &crate::domain::message::Attachment) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write as _;
    let (stem, ext) = a.name.rsplit_once('.').unwrap_or((&a.name, "bin"));
    let (stem, ext) = (
        crate::render::file_slug(stem, "file"),
        crate::render::file_slug(ext, "bin"),
    );
    for n in 1..=1000u32 {
        let name = match n {
            1 => format!("okrbot-{stem}.{ext}"),
            n => format!("okrbot-{stem}-{n}.{ext}"),
        };
        let path = std::env::temp_dir().join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(&a.bytes)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("1000 files named okrbot-{stem}-<n>.{ext} exist already"),
    ))
}

impl Console<'_> {
    /// Runs commands from `input` until it ends (or `exit`), writing every reply to `out`.
    pub async fn run<R, W>(&mut self, input: R, out: &mut W) -> std::io::Result<SessionEnd>
    where
        R: AsyncBufRead + Unpin,
        W: Write,
    {
        let mut input = input;
        let mut end = SessionEnd::default();
        end.internal_failures += self.tick(out).await?;
        let mut bulk: Option<String> = None;
        // The line just refused for a value far outside its key result's range: typed again
        // at once, it is confirmed (`docs/update-grammar.md`, "Values far out of range").
        let mut unconfirmed: Option<String> = None;
        while let Some(read) = input::next_line(&mut input).await? {
            let line = match read {
                input::Input::Line(l) => l,
                unreadable => {
                    let why = match unreadable {
                        input::Input::TooLong { bytes } => format!(
                            "that line is {} bytes long, more than a command can be ({})",
                            format_number(bytes as f64),
                            format_number(input::MAX_LINE as f64)
                        ),
                        _ => "that line is not UTF-8 text (send commands as UTF-8)".to_owned(),
                    };
                    // All or nothing: a bulk update with a line that cannot be read records none.
                    let cancelled = if bulk.take().is_some() {
                        "; the bulk update is cancelled and nothing was recorded"
                    } else {
                        ", so it was skipped"
                    };
                    writeln!(out, "❌ {why}{cancelled}\n")?;
                    continue;
                }
            };
            if let Some(buf) = bulk.as_mut() {
                if line.trim() == "." || line.trim().eq_ignore_ascii_case("end") {
                    let text = bulk.take().unwrap_or_default();
                    let reply = self.bulk(text).await;
                    end.internal_failures += write_reply(out, reply)?;
                    end.internal_failures += self.tick(out).await?;
                } else {
                    buf.push_str(&line);
                    buf.push('\n');
                }
                continue;
            }
            match parse_line(&line) {
                Line::Empty => {}
                Line::Exit => break,
                Line::BeginBulk => {
                    writeln!(
                        out,
                        "Bulk update: one update per line, end with a line holding only \".\""
                    )?;
                    bulk = Some(String::new());
                }
                Line::Command(cmd) => {
                    let again = unconfirmed.take().is_some_and(|l| l == line.trim());
                    let cmd = if again { cmd.confirmed() } else { cmd };
                    let reply = self.execute(cmd).await;
                    if matches!(reply, Err(OkrError::Unconfirmed(_))) {
                        unconfirmed = Some(line.trim().to_owned());
                    }
                    end.internal_failures += write_reply(out, reply)?;
                    end.internal_failures += self.tick(out).await?;
                }
                Line::Clock(options) => {
                    let reply = self.clock(&options);
                    end.internal_failures += write_reply(out, reply)?;
                    end.internal_failures += self.tick(out).await?;
                }
                Line::Error(msg) => {
                    writeln!(out, "❌ {msg}")?;
                    writeln!(out)?;
                }
                Line::Words { error } => {
                    let reply = self.answer(&line, error).await;
                    let answered = reply.is_ok();
                    end.internal_failures += write_reply(out, reply)?;
                    if answered {
                        end.internal_failures += self.tick(out).await?;
                    }
                }
            }
            out.flush()?;
        }
        if let Some(text) = bulk {
            let reply = self.bulk(text).await;
            end.internal_failures += write_reply(out, reply)?;
        }
        Ok(end)
    }
}

impl Console<'_> {
    /// Runs one command through the command layer and renders its reply as text; an export is
    /// printed as the document itself, so it can be piped to a file.
    async fn execute(&self, command: Command) -> Result<String> {
        let reply = command::apply(self.okr, &self.actor, command, self.clock.now()).await?;
        Ok(self.render(&reply))
    }

    /// A line that is no command, read as an answer in plain words to the person's latest
    /// prompt (`docs/update-grammar.md`, "Answers in plain words"); if it is none, `error`, the
    /// line's error as a command.
    async fn answer(&self, line: &str, error: String) -> Result<String> {
        let command = command::answer(line, CheckInSource::Text, None);
        match command::apply(self.okr, &self.actor, command, self.clock.now()).await? {
            Reply::NotAnAnswer => Err(OkrError::invalid(error)),
            reply => Ok(self.render(&reply)),
        }
    }

    fn render(&self, reply: &Reply) -> String {
        match reply {
            Reply::Export { doc, format } => crate::render::export::render(doc, *format).0,
            other => {
                let m = crate::render::reply::message(other, &PlainText);
                let mut text = text::render(&m);
                // A terminal shows no picture: the chart goes to a file the reply names.
                for a in &m.attachments {
                    let line = match save(a) {
                        Ok(path) => format!("📎 {}", path.display()),
                        Err(e) => format!("📎 {} could not be saved: {e}", a.name),
                    };
                    if !text.is_empty() && !text.ends_with('\n') {
                        text.push('\n');
                    }
                    text.push_str(&line);
                }
                text
            }
        }
    }

    async fn bulk(&self, text: String) -> Result<String> {
        self.execute(command::bulk(&text, CheckInSource::Text)?)
            .await
    }

    /// `/okr clock advance:1d` or `/okr clock set:<instant>`: moves the simulated clock.
    fn clock(&self, o: &Options) -> Result<String> {
        let Some(manual) = self.manual else {
            return Err(OkrError::invalid(
                "the clock can only be moved in a console started with --now",
            ));
        };
        let was = manual.now();
        if let Some(t) = o.opt("set") {
            let t: chrono::DateTime<chrono::Utc> = t.trim().parse().map_err(|_| {
                OkrError::invalid(format!(
                    "set:{t} is not an RFC 3339 instant, e.g. set:2026-10-05T07:00:00Z"
                ))
            })?;
            manual.set(within_reach(t, &format!("set:{t}"))?);
        } else {
            let by = o.need("advance", "advance:1d (or 3h, 30m)")?;
            let span = parse_span(&by)?;
            let to = manual
                .now()
                .checked_add_signed(span)
                .ok_or_else(|| too_far(&format!("advance:{by}")))?;
            manual.set(within_reach(to, &format!("advance:{by}"))?);
        }
        let now = manual.now();
        // Time does not run backwards for what already happened: say what a step back means.
        let lines = if now < was {
            vec![
                format!(
                    "the clock went back from {}: what was sent stays sent, and each schedule fires again only at its next time after where it stood",
                    was.format("%a %Y-%m-%d %H:%M UTC")
                ),
                "check-ins made now are stamped before the latest ones: they join the history but do not move a key result past its newer check-ins".into(),
            ]
        } else {
            vec![]
        };
        Ok(text::render(&crate::domain::message::Message::text(
            format!("It is now {}", now.format("%a %Y-%m-%d %H:%M UTC")),
            lines,
        )))
    }
}

/// The years a simulated clock may show: schedules, cycles and the ledger are planned in them.
const CLOCK_YEARS: std::ops::RangeInclusive<i32> = crate::service::fields::YEARS;

fn too_far(what: &str) -> OkrError {
    OkrError::invalid(format!(
        "{what} is too far: the simulated clock runs from {} to {}",
        CLOCK_YEARS.start(),
        CLOCK_YEARS.end()
    ))
}

fn within_reach(
    t: chrono::DateTime<chrono::Utc>,
    what: &str,
) -> Result<chrono::DateTime<chrono::Utc>> {
    use chrono::Datelike;
    if CLOCK_YEARS.contains(&t.year()) {
        Ok(t)
    } else {
        Err(too_far(what))
    }
}

/// `1d`, `3h`, `30m`, `2w`: how far `/okr clock advance:` moves a simulated clock.
fn parse_span(text: &str) -> Result<chrono::Duration> {
    let t = text.trim();
    let bad = || {
        OkrError::invalid(format!(
            "advance:{t} is not a span: write it like 30m, 3h, 1d or 2w"
        ))
    };
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    if !matches!(unit, "m" | "h" | "d" | "w") {
        return Err(bad());
    }
    let too_far = || too_far(&format!("advance:{t}"));
    let n: i64 = n.parse().map_err(|_| too_far())?;
    let span = match unit {
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" => chrono::Duration::try_days(n),
        _ => chrono::Duration::try_weeks(n),
    };
    span.ok_or_else(too_far)
}

fn write_reply<W: Write>(out: &mut W, reply: Result<String>) -> std::io::Result<usize> {
    match reply {
        Ok(text) => {
            writeln!(out, "{text}")?;
            writeln!(out)?;
            Ok(0)
        }
        Err(e) => {
            if let OkrError::Internal(cause) = &e {
                tracing::error!(error = ?cause, "console command failed");
            }
            writeln!(out, "❌ {e}")?;
            writeln!(out)?;
            Ok(usize::from(e.is_internal()))
        }
    }
}
