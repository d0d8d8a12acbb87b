//! The console workspace: the same commands as the slash commands, one per line, from a terminal
//! or a pipe. Each line is translated into a service call (no decisions here) and the reply is
//! rendered as text on the output, errors included.

use std::io::Write;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::clock::{Clock, ManualClock};
use crate::outbox::{Delivery, RecordingOutbox};
use crate::scheduler::Scheduler;
use crate::service::{Actor, Okr, OkrError};

mod command;
pub mod text;

pub use command::{help, parse_line, Line};

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
}

impl<'a> Console<'a> {
    pub fn new(
        okr: &'a Okr,
        actor: Actor,
        clock: &'a dyn Clock,
        manual: Option<&'a ManualClock>,
    ) -> Console<'a> {
        Console {
            okr,
            actor,
            clock,
            manual,
            outbox: RecordingOutbox::new(),
        }
    }

    /// Runs the scheduler up to the console's clock and prints what it sent, so prompts,
    /// digests and alerts appear as they fire.
    async fn tick<W: Write>(&self, out: &mut W) -> std::io::Result<usize> {
        let scheduler = Scheduler::new(self.okr.clone());
        if let Err(e) = scheduler.tick(self.clock.now(), &self.outbox).await {
            tracing::error!(error = ?e, "scheduler tick failed");
            writeln!(out, "❌ {e}")?;
            return Ok(usize::from(e.is_internal()));
        }
        for d in self.outbox.take() {
            write_delivery(out, &d)?;
        }
        Ok(0)
    }
}

/// A delivery as the console shows it: who, when (the team's local time), the message, and the
/// chart saved to a file.
pub fn write_delivery<W: Write + ?Sized>(out: &mut W, d: &Delivery) -> std::io::Result<()> {
    let local = d.slot.with_timezone(&d.team_tz);
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
        let path = std::env::temp_dir().join(format!("okrbot-{}-{}", d.id, a.name));
        match std::fs::write(&path, &a.bytes) {
            Ok(()) => writeln!(out, "   📎 {}", path.display())?,
            Err(e) => writeln!(out, "   📎 {} could not be saved: {e}", a.name)?,
        }
    }
    writeln!(out)
}

impl Console<'_> {
    /// Runs commands from `input` until it ends (or `exit`), writing every reply to `out`.
    pub async fn run<R, W>(&mut self, input: R, out: &mut W) -> std::io::Result<SessionEnd>
    where
        R: AsyncBufRead + Unpin,
        W: Write,
    {
        let mut lines = input.lines();
        let mut end = SessionEnd::default();
        end.internal_failures += self.tick(out).await?;
        let mut bulk: Option<String> = None;
        while let Some(line) = lines.next_line().await? {
            if let Some(buf) = bulk.as_mut() {
                if line.trim() == "." || line.trim().eq_ignore_ascii_case("end") {
                    let text = bulk.take().unwrap_or_default();
                    let reply = command::bulk(self, &text).await;
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
                    let reply = command::execute(self, cmd).await;
                    end.internal_failures += write_reply(out, reply)?;
                    end.internal_failures += self.tick(out).await?;
                }
                Line::Error(msg) => {
                    writeln!(out, "❌ {msg}")?;
                    writeln!(out)?;
                }
            }
            out.flush()?;
        }
        if let Some(text) = bulk {
            let reply = command::bulk(self, &text).await;
            end.internal_failures += write_reply(out, reply)?;
        }
        Ok(end)
    }
}

fn write_reply<W: Write>(out: &mut W, reply: Result<String, OkrError>) -> std::io::Result<usize> {
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
