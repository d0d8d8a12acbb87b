//! Wake-ups that cross processes. A check-in recorded by one okrbot process (or a console, an
//! import, a push to another process's listener) may make an alert due now, but the scheduler
//! that decides alerts sleeps in another process until its next due time. Each backend says
//! "something was committed" in its own way, and [`watch`] turns that into a call of `wake`:
//!
//! - PostgreSQL: triggers on the tables the scheduler reads (`migrations/postgres/0002`) send
//!   `NOTIFY okrbot_changes` with each committed change, so no call site can forget it, and a
//!   `LISTEN` on a connection of its own hears them. NOTIFY is delivered at commit and folded
//!   within a transaction: one wake per writing transaction, never one for a rolled-back one.
//! - SQLite: `PRAGMA data_version` on a connection of its own changes whenever another
//!   connection, in this process or another, committed to the file; it is read every second.
//!
//! Either may miss one (a lost connection, a listener that could not start): the scheduler
//! still looks again at least every minute (the scheduler's `LOOK_AGAIN_WITHIN`), and wakes once
//! whenever the watch (re)starts, since what changed in between was heard by nobody.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::sqlite::SqlitePool;
use sqlx::{ConnectOptions, Connection};

use super::{Pool, Store};

/// The channel the PostgreSQL triggers notify on.
pub const CHANNEL: &str = "okrbot_changes";

/// How often SQLite's change counter is read.
const SQLITE_EVERY: Duration = Duration::from_secs(1);

/// How long a watch that lost its database waits before it tries again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// A running watch; dropping it stops it.
#[derive(Debug)]
pub struct Watch(tokio::task::JoinHandle<()>);

impl Drop for Watch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Calls `wake` after every commit to `store`'s database by any connection of any process
/// (this one's own included, which costs the scheduler one look that finds nothing new).
pub fn watch(store: &Store, wake: impl Fn() + Send + Sync + 'static) -> Watch {
    Watch(match &store.pool {
        Pool::Postgres(p) => tokio::spawn(listen(p.clone(), wake)),
        Pool::Sqlite(p) => tokio::spawn(poll(p.clone(), wake)),
    })
}

async fn listen(pool: PgPool, wake: impl Fn() + Send + Sync) {
    // A pool of its own, so that the listening connection is not one of the store's.
    let own = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_lazy_with((*pool.connect_options()).clone());
    loop {
        match PgListener::connect_with(&own).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    tracing::debug!("listening for changes from other processes");
                    wake();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(_)) => wake(),
                            // The connection was lost and is remade by the next call; what
                            // was committed meanwhile was heard by nobody.
                            Ok(None) => wake(),
                            Err(e) => {
                                tracing::warn!(error = %e, "lost the change notifications; the scheduler looks again on its own until they are back");
                                break;
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not LISTEN for changes; the scheduler looks again on its own")
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "could not connect to listen for changes; the scheduler looks again on its own")
            }
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

async fn poll(pool: SqlitePool, wake: impl Fn() + Send + Sync) {
    // A connection of its own: the counter is per connection, and counts the commits of all
    // the others.
    let options = (*pool.connect_options()).clone();
    loop {
        match options.connect().await {
            Ok(mut conn) => {
                let mut seen: Option<i64> = None;
                wake();
                loop {
                    match sqlx::query_scalar::<_, i64>("PRAGMA data_version")
                        .fetch_one(&mut conn)
                        .await
                    {
                        Ok(v) => {
                            if seen.is_some_and(|s| s != v) {
                                wake();
                            }
                            seen = Some(v);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "could not read the database's change counter; the scheduler looks again on its own");
                            break;
                        }
                    }
                    tokio::time::sleep(SQLITE_EVERY).await;
                }
                let _ = conn.close().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not open a connection to watch for changes; the scheduler looks again on its own")
            }
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}
