//! The locks that make one process of several the one that holds a role (`docs/operations.md`,
//! "Several processes"). On PostgreSQL a role is a session advisory lock, taken with
//! `pg_try_advisory_lock` on a connection of its own, outside the pool: a pooled connection
//! would carry the lock into other work and give it back to the pool still held. The lock lasts
//! as long as that session, so stepping down is closing the connection, and a process that dies
//! or is cut off loses it when the server sees its session end (the session's TCP keepalives,
//! set below, make that under 30 s on a dead network). On SQLite, one file on one host, every
//! process holds every role, as before: schedules move by compare-and-set and claims are
//! leases, so two deciders still decide each slot once.

use std::time::Duration;

use sqlx::postgres::PgConnection;
use sqlx::{ConnectOptions, Connection};

use super::{Pool, Result, Store};
use crate::domain::shards::ShardRange;

/// The first half of every okrbot advisory lock's key ("okr"), so that they are told apart from
/// other users' locks in `pg_locks` (`classid`).
pub const NAMESPACE: i32 = 0x006f_6b72;

/// The second half of shard `n`'s lock key is `SHARD_KEYS + n`.
pub const SHARD_KEYS: i32 = 0x100;

/// What a lock is for; its number is the second half of the key (`objid` in `pg_locks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Deciding: moving schedules, prompts, reminders, digests, alerts, KPI source reads.
    Scheduler,
    /// The Discord gateway, or these shards of it: one process may connect a shard, or every
    /// interaction arrives twice.
    Gateway(ShardRange),
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Scheduler => "scheduler",
            Role::Gateway(_) => "gateway",
        }
    }

    /// What of the role a process holds, for `/readyz`: `shards 0-1 of 4` of a sharded
    /// gateway; empty otherwise.
    pub fn holds(self) -> String {
        match self {
            Role::Gateway(r) if r.total > 1 => r.to_string(),
            _ => String::new(),
        }
    }

    /// The locks the role is, all taken or none: one, or one per shard of a sharded gateway
    /// (so that two processes given overlapping ranges cannot both connect a shard).
    pub fn keys(self) -> Vec<i32> {
        match self {
            Role::Scheduler => vec![1],
            Role::Gateway(r) if r.total == 1 => vec![2],
            Role::Gateway(r) => r
                .shards()
                .map(|s| SHARD_KEYS.saturating_add(i32::try_from(s).unwrap_or(i32::MAX)))
                .collect(),
        }
    }
}

/// Server-side keepalives of a lock's session: idle 10 s, then 3 probes 5 s apart. A leader cut
/// off from the server loses its lock about 25 s after the last word it sent.
const KEEPALIVES: [(&str, &str); 3] = [
    ("tcp_keepalives_idle", "10"),
    ("tcp_keepalives_interval", "5"),
    ("tcp_keepalives_count", "3"),
];

/// A role held by this process.
#[derive(Debug)]
pub enum Lease {
    /// SQLite: the role is this process's, as it is every other process's on the file.
    Shared,
    /// PostgreSQL: the session that holds the advisory lock.
    Session(Box<PgConnection>),
}

impl Lease {
    /// Whether the role is still held: the lock's session answers within `within`. A session
    /// that does not is closed (if it can be), and the role is then held no more.
    pub async fn confirm(&mut self, within: Duration) -> bool {
        match self {
            Lease::Shared => true,
            Lease::Session(c) => matches!(tokio::time::timeout(within, c.ping()).await, Ok(Ok(()))),
        }
    }

    /// Gives the role up: its session is closed, and the server frees the lock with it.
    pub async fn step_down(self) {
        if let Lease::Session(c) = self {
            let _ = tokio::time::timeout(Duration::from_secs(2), c.close()).await;
        }
    }
}

/// The session a standby asks for its role on, kept from one try to the next so that standing
/// by is one idle connection, not a new one every poll.
#[derive(Debug, Default)]
pub struct Candidate(Option<Box<PgConnection>>);

impl Store {
    /// Takes `role` if no other process holds it, asking on `candidate`'s session (opened if it
    /// has none). `Ok(None)`: another process holds it, and the session is kept for the next
    /// try; taken, the session becomes the lease's.
    pub async fn try_lead(&self, role: Role, candidate: &mut Candidate) -> Result<Option<Lease>> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(Some(Lease::Shared));
        };
        let mut session = match candidate.0.take() {
            Some(s) => s,
            None => {
                let options = (*pool.connect_options())
                    .clone()
                    .application_name(&format!("okrbot {}", role.as_str()))
                    .options(KEEPALIVES)
                    .disable_statement_logging();
                Box::new(PgConnection::connect_with(&options).await?)
            }
        };
        // Every lock of the role is tried; if one is held elsewhere, those this session took
        // are let go again, so that it holds nothing while it waits.
        let held: bool = sqlx::query_scalar(
            "SELECT bool_and(pg_try_advisory_lock($1, k)) FROM unnest($2::int4[]) AS k",
        )
        .bind(NAMESPACE)
        .bind(role.keys())
        .fetch_one(&mut *session)
        .await?;
        if held {
            return Ok(Some(Lease::Session(session)));
        }
        sqlx::query("SELECT pg_advisory_unlock_all()")
            .execute(&mut *session)
            .await?;
        candidate.0 = Some(session);
        Ok(None)
    }
}
