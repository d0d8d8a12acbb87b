//! # okrbot
//!
//! A chat-ops bot that runs a team's OKRs inside its chat workspace. Data flows one way:
//! chat input -> adapter -> [`command`] -> service (validate, decide, one transaction) ->
//! [`domain::view`] -> render -> adapter. `docs/architecture.md` says where each kind of change
//! goes; the other files of `docs/` state the behaviour rules.
//!
//! # Layout
//! - [`domain`]: the pure core: model (`Member`, units, ids), scoring and its trend, the update and
//!   value grammars and the check-in request every form parses into, schedules and the catch-up
//!   rule, the retry policy, read models, the command catalogue, the neutral message.
//! - [`command`]: every command as a typed [`command::Command`] (one enum per group), each
//!   group's text builder and `apply`, and [`command::apply`], the one place both adapters meet
//!   the core.
//! - [`service`]: use cases (setup, cycles, objectives, key results, check-ins, status,
//!   digests, schedules, export and import), each write one transaction.
//! - [`store`]: SQLite through sqlx, the only place with SQL; store-owned connection types;
//!   every query scoped by workspace; a check-in and its key result's trend written together.
//! - [`render`]: replies and read models -> [`domain::message::Message`]; export formats;
//!   charts. Reads only the domain.
//! - [`scheduler`]: decides prompts, reminders, digests and alerts into the delivery ledger;
//!   [`delivery`]: the dispatcher that sends the ledger's rows, retrying each on its own
//!   schedule, and the webhook outbox that reads each row's webhook; [`outbox`]: the port
//!   messages leave through.
//! - [`console`]: the terminal workspace; [`discord`]: the Discord bot (serenity + poise);
//!   [`demo`]: a quarter on a simulated clock.
//! - [`source`]: KPI HTTP sources (reqwest): fetch within limits, the private-address guard,
//!   the JSON pointer. [`webhook`]: posting to team webhooks (Slack, Mattermost, Teams) under
//!   the same address guard, paced per webhook. Both are leaves: HTTP only, handed what to send.
//! - [`http`]: the listener (KPI pushes, `/healthz`, `/readyz`, `/metrics`); [`metrics`]: the
//!   Prometheus registry every part counts into.
//! - [`clock`]: the injected clock; [`config`]: layered configuration; `sync`: a lock that
//!   outlives a panicking holder.

// Also in Cargo.toml's [lints]; stated here too so a build outside cargo's lint table keeps it.
#![forbid(unsafe_code)]
// The library writes to the writers it is handed and logs through tracing: only the binary
// prints, so the bot running as a service never writes where no log collector reads.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod clock;
pub mod command;
pub mod config;
pub mod console;
pub mod delivery;
pub mod demo;
pub mod discord;
pub mod domain;
pub mod http;
pub mod leadership;
pub mod metrics;
pub mod outbox;
pub mod pace;
pub mod render;
pub mod scheduler;
pub mod service;
pub mod source;
pub mod store;
mod sync;
pub mod webhook;
