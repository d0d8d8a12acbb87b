//! What every benchmark binary shares: the runtime the services run on, the database each
//! fixture gets, the SQL the fixtures write on either backend, and how an interleaved run is
//! summed up.
//!
//! Without `BENCH_DATABASE_URL` every store is a SQLite file in a temporary directory of its own.
//! With `BENCH_DATABASE_URL=postgres://user:password@host:port/db` (a server; the database named
//! there is only connected to) every store is a new database on that server, migrated by
//! `Store::open` and dropped with its fixture, and every group's name ends in `_pg`: criterion
//! keeps its history per name, and a PostgreSQL run must not be read as a change of the SQLite one.

#![expect(
    dead_code,
    reason = "each bench binary compiles this module and uses part of it"
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::{Connection, PgConnection};
use tokio::runtime::Runtime;

/// Two workers, as on the machines the figures are measured on.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// The PostgreSQL server of this run, if it is one.
pub fn postgres_server() -> Option<String> {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if okrbot::store::is_postgres(&url) => Some(url),
        Ok(_) => panic!("BENCH_DATABASE_URL must be a postgres:// URL (unset it for SQLite)"),
        Err(_) => None,
    }
}

pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// A group's name in this run: as it always was on SQLite, with `_pg` on PostgreSQL.
pub fn group_name(name: &str) -> String {
    if on_postgres() {
        format!("{name}_pg")
    } else {
        name.to_owned()
    }
}

/// The statement of the two that this run's backend reads.
pub fn pick(sqlite: &'static str, postgres: &'static str) -> &'static str {
    if on_postgres() {
        postgres
    } else {
        sqlite
    }
}

/// How a write transaction begins, as `Store::write` begins it: on SQLite it takes the write
/// lock at once, so a floor measured with it queues the way the store's writes do.
pub fn begin_write() -> &'static str {
    pick("BEGIN IMMEDIATE", "BEGIN")
}

/// `WITH` clause naming the integers `first..=last` as column `i` of table `name` (`first` and
/// `last` are SQL, `last` may use the statement's parameters): SQLite counts with a recursive CTE,
/// PostgreSQL's `generate_series` makes hundreds of thousands of rows without recursing.
pub fn series(name: &str, first: &str, last: &str) -> String {
    if on_postgres() {
        format!("WITH {name}(i) AS (SELECT * FROM generate_series({first}, {last}))")
    } else {
        format!(
            "WITH RECURSIVE {name}(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM {name} \
             WHERE i < {last})"
        )
    }
}

/// SQL for the capital letters `A + (e % 26)` of the integer expressions `exprs`, as one string:
/// SQLite's `char` takes several code points, PostgreSQL's `chr` one integer.
pub fn letters(exprs: &[&str]) -> String {
    if on_postgres() {
        exprs
            .iter()
            .map(|e| format!("chr((65 + ({e}) % 26)::int)"))
            .collect::<Vec<_>>()
            .join(" || ")
    } else {
        let args: Vec<String> = exprs.iter().map(|e| format!("65 + ({e}) % 26")).collect();
        format!("char({})", args.join(", "))
    }
}

/// Runs fixture SQL on the pool of `store`'s backend: `body` is written once and compiled for
/// each (`db` is the pool), so it must use `$N` placeholders and SQL both dialects read; where
/// they differ, [`pick`] chooses the text.
macro_rules! raw {
    ($store:expr, |$db:ident| $body:expr) => {
        match $store.pg_pool() {
            Some($db) => $body,
            None => {
                let $db = $store.pool();
                $body
            }
        }
    };
}
pub(crate) use raw;

/// Where one store lives: a file in a temporary directory, or a database of its own on the
/// PostgreSQL server, dropped (connections and all) when this is.
pub struct Database {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl Database {
    /// A new, empty database; `file` names the SQLite file.
    pub async fn new(file: &str) -> Database {
        let Some(server) = postgres_server() else {
            let dir = tempfile::tempdir().expect("temp dir");
            return Database {
                url: format!("sqlite://{}", dir.path().join(file).display()),
                _dir: Some(dir),
                postgres: None,
            };
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "okrbot_bench_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&server)
            .await
            .expect("the server of BENCH_DATABASE_URL answers");
        // Left by an earlier run that died before dropping it (process ids come round again).
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .expect("a bench database");
        }
        let _ = admin.close().await;
        Database {
            url: with_database(&server, &name),
            _dir: None,
            postgres: Some((server, name)),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // A runtime of its own on a thread of its own: a fixture may be dropped inside another.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(async {
                    let mut admin = PgConnection::connect(&server).await?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await?;
                    admin.close().await
                })
                .map_err(|e| format!("{name}: {e}"))
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("bench database left on the server: {e}");
        }
    }
}

/// `url` naming database `name` instead of its own, keeping any `?parameters`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    match query {
        Some(q) => format!("{}/{name}?{q}", &base[..host_end]),
        None => format!("{}/{name}", &base[..host_end]),
    }
}
