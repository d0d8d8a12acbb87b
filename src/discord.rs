//! The Discord adapter (serenity + poise): slash commands, buttons and forms, and the paced
//! outbox. It translates; every decision is the core's.
//!
//! - [`bot`]: `okrbot run`, the gateway client;
//! - [`context`]: what the handlers are given: guild -> workspace, member -> actor;
//! - [`commands`]: the `/okr` command tree and autocomplete;
//! - [`interactions`]: buttons and forms on prompts;
//! - [`render`]: neutral messages -> embeds and components within Discord's limits;
//! - [`delivery`]: the outbox that sends DMs and channel posts, paced and retried;
//! - [`ids`]: Discord's ids read back from what the core stores;
//! - [`redact`]: Discord errors fit for the log, interaction tokens removed.

pub mod bot;
pub mod commands;
pub mod context;
pub mod delivery;
pub mod direct;
pub mod ids;
pub mod interactions;
pub mod redact;
pub mod registration;
pub mod render;
pub mod rest;
