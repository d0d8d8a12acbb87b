//! # okrbot
//!
//! A chat-ops bot that runs a team's OKRs inside its chat workspace. Data flows one way:
//! chat input -> adapter -> service (validate, decide, one transaction) -> render -> adapter.
//!
//! # Layout
//! - [`domain`]: the pure core: model, scoring, the update and value grammars, the neutral
//!   message.
//! - [`service`]: use cases (setup, cycles, objectives, key results, check-ins, status, export).
//! - [`store`]: SQLite through sqlx, the only place with SQL; every query scoped by workspace.
//! - [`render`]: reports and outcomes -> [`domain::message::Message`].
//! - [`console`]: the terminal workspace; [`demo`]: a quarter on a simulated clock.
//! - [`clock`]: the injected clock; [`config`]: layered configuration.

pub mod clock;
pub mod command;
pub mod config;
pub mod console;
pub mod demo;
pub mod discord;
pub mod domain;
pub mod outbox;
pub mod render;
pub mod scheduler;
pub mod service;
pub mod store;
