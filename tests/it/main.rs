//! The integration tests, one binary: each module is one area, sharing the harness in
//! [`common`] (a fresh SQLite database per test, the Growth team of the examples, a dump of
//! every row) and the fake Discord in [`fake_discord`]. One binary links serenity, sqlx and
//! axum once instead of once per file. Run one area with `cargo test --test it <module>`.

mod backend;
mod common;
mod fake_discord;

mod architecture;
mod archive_and_undo;
mod bad_input;
mod check_in_history;
mod concurrent_writers;
mod console_script;
mod crash_restart;
mod delivery;
mod discord_flow;
mod discord_harness;
mod export_import;
mod failover;
mod kpi_push;
mod kpi_sources;
mod kpis;
mod listener;
mod operations;
mod properties;
mod rights_and_workspaces;
mod role_leads;
mod schedule_dst;
mod scheduler;
mod snapshots;
mod startup;
mod values;
mod webhooks;
