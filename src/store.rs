//! The only place that speaks SQL. Rows become domain types here and storage errors become
//! [`StoreError`]; every function takes the connection it runs on, so a use case can run several
//! of them inside one write transaction ([`Store::write`]) or on a plain read connection.
//! Every query is scoped by workspace: ids and codes from another workspace are simply not found.

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, SqlitePool, Transaction};

pub mod alerts;
pub mod changes;
pub mod check_ins;
pub mod closed_dms;
pub mod copy;
pub mod cycle_reads;
pub mod cycles;
pub mod deliveries;
pub mod dm_channels;
pub mod dump;
pub mod key_results;
pub mod kpis;
pub mod leader;
pub mod objectives;
pub mod pace;
pub mod packed;
pub mod people;
pub mod schedules;
pub mod shares;
pub mod teams;
pub mod webhooks;
pub mod workspaces;

/// What the store functions run on: a [`ReadConn`] or a [`WriteTx`]. Services hold these
/// store-owned types only, so a second backend changes `store/` and nothing above it.
pub type Conn = dyn Db;

/// A connection of this store's backend. Implemented by [`ReadConn`] and [`WriteTx`]; only
/// `store/` reaches through it to the driver, with [`on!`].
pub trait Db: Send {
    #[doc(hidden)]
    fn backend(&mut self) -> Backend<'_>;
}

/// The driver connection under a [`Db`]. A statement the two dialects share is written once
/// and run on either arm ([`on!`] with one body); where they differ, each arm has its own
/// statement beside the other, and nothing outside `store/` knows which one runs.
#[doc(hidden)]
pub enum Backend<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs a statement on whichever backend `c` is. `on!(c, |db| body)` runs the same `body` on
/// either (`db` is the driver connection; placeholders are `$N`, which SQLite reads too);
/// `on!(c, sqlite |db| body, postgres |db| body)` gives each dialect its own.
macro_rules! on {
    ($c:expr, |$db:ident| $body:expr) => {
        match $crate::store::Db::backend($c) {
            $crate::store::Backend::Sqlite($db) => $body,
            $crate::store::Backend::Postgres($db) => $body,
        }
    };
    ($c:expr, sqlite |$s:ident| $sbody:expr, postgres |$p:ident| $pbody:expr $(,)?) => {
        match $crate::store::Db::backend($c) {
            $crate::store::Backend::Sqlite($s) => $sbody,
            $crate::store::Backend::Postgres($p) => $pbody,
        }
    };
}
pub(crate) use on;

/// A pooled connection for reads (and single-statement writes such as a delivery claim).
pub struct ReadConn(Pooled);

enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A write transaction. On SQLite it begins with `BEGIN IMMEDIATE`, so that two writers queue
/// on the busy timeout instead of one failing half-way with SQLITE_BUSY_SNAPSHOT; on PostgreSQL
/// it is READ COMMITTED, and each statement that must not interleave with another writer says
/// so itself (a constraint, `FOR UPDATE`). Dropped without [`WriteTx::commit`], it rolls back:
/// nothing half-written.
pub struct WriteTx(Tx);

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Db for ReadConn {
    fn backend(&mut self) -> Backend<'_> {
        match &mut self.0 {
            Pooled::Sqlite(c) => Backend::Sqlite(c),
            Pooled::Postgres(c) => Backend::Postgres(c),
        }
    }
}

impl Db for WriteTx {
    fn backend(&mut self) -> Backend<'_> {
        match &mut self.0 {
            Tx::Sqlite(t) => Backend::Sqlite(t),
            Tx::Postgres(t) => Backend::Postgres(t),
        }
    }
}

/// One trivial query: the database answers.
pub async fn ping(c: &mut Conn) -> Result<()> {
    on!(c, |db| sqlx::query("SELECT 1")
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        match self.0 {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::shown_url;

    #[test]
    fn a_password_in_a_database_url_is_never_shown() {
        assert_eq!(
            shown_url("postgres://okr:s3cr@t:x@db.example:5432/okr?sslmode=require"),
            "postgres://okr:***@db.example:5432/okr?sslmode=require"
        );
        assert_eq!(shown_url("postgres://okr@db/okr"), "postgres://okr@db/okr");
        assert_eq!(shown_url("sqlite://okrbot.db"), "sqlite://okrbot.db");
        assert_eq!(
            shown_url("sqlite:///tmp/a@b:c.db"),
            "sqlite:///tmp/a@b:c.db"
        );
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write; the string names the rule for the log.
    #[error("duplicate: {0}")]
    Duplicate(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Something the caller asked of whole databases that cannot be done as asked (a copy
    /// into one that is not empty); the string says why and what to do.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The lock that keeps two processes from migrating one file at once.
    #[error("taking the migration lock: {0}")]
    Lock(#[from] std::io::Error),
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Duplicate`], so callers can turn it
    /// into a user-facing "already exists".
    pub(crate) fn from_write(e: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Duplicate(db.message().to_owned());
            }
        }
        StoreError::Sql(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// How many connections a PostgreSQL pool keeps at most: writers there do not queue on one
/// file lock, so more of them than SQLite's four can work at once.
const POSTGRES_CONNECTIONS: u32 = 16;

impl Store {
    /// Opens the database at `url` and runs the embedded migrations of its backend:
    /// `postgres://` (or `postgresql://`) for PostgreSQL, anything else for SQLite, whose file
    /// is created if missing.
    pub async fn open(url: &str) -> Result<Store> {
        if is_postgres(url) {
            return Store::open_postgres(url).await;
        }
        Store::open_sqlite(url).await
    }

    async fn open_postgres(url: &str) -> Result<Store> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(POSTGRES_CONNECTIONS)
            .connect_with(options)
            .await?;
        // sqlx's PostgreSQL migrator takes an advisory lock itself: processes started at once
        // queue on it, and all but the first find nothing to do.
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
        })
    }

    async fn open_sqlite(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let file = options.get_filename().to_owned();
        // Connecting sets WAL mode, which a process migrating a new file at that moment
        // refuses ("database is locked") whatever the busy timeout: connect under the lock too.
        let lock = migrate_lock(&file).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let migrated = sqlx::migrate!("./migrations/sqlite").run(&pool).await;
        // Closing the file releases the lock for the next process, which then finds nothing to do.
        drop(lock);
        migrated?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
        })
    }

    /// Which backend this store runs on, for logs and `/readyz`.
    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    pub async fn read(&self) -> Result<ReadConn> {
        Ok(ReadConn(match &self.pool {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        }))
    }

    /// A further connection for a read that can go on without it, if the pool gives one within
    /// `wait`: a reader already holding one that waited on the pool for more could wait for
    /// ever on another doing the same.
    pub async fn read_if_free(&self, wait: Duration) -> Option<ReadConn> {
        tokio::time::timeout(wait, self.read()).await.ok()?.ok()
    }

    pub async fn write(&self) -> Result<WriteTx> {
        Ok(WriteTx(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        }))
    }

    /// For tests and benchmarks that compare against raw SQL on a SQLite schema; the services
    /// never see it. A test that calls it on PostgreSQL is a SQLite-only test and stops here.
    #[doc(hidden)]
    pub fn pool(&self) -> &SqlitePool {
        match &self.pool {
            Pool::Sqlite(p) => p,
            Pool::Postgres(_) => panic!("Store::pool is the SQLite pool; this store is PostgreSQL"),
        }
    }

    /// The PostgreSQL pool, for tests and benchmarks that measure against raw SQL there.
    #[doc(hidden)]
    pub fn pg_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// A database URL as it may be shown or logged: a password in it is a secret.
pub fn shown_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

/// Whether a database URL names a PostgreSQL server.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Whether `url` names a SQLite file that is not there, which [`Store::open`] would create
/// empty: a source that must already hold data (`okrbot copy --from`) is refused instead.
pub fn is_missing_file(url: &str) -> bool {
    !is_postgres(url)
        && SqliteConnectOptions::from_str(url).is_ok_and(|o| {
            let file = o.get_filename();
            file != std::path::Path::new(":memory:") && !file.exists()
        })
}

/// An exclusive lock on `<database>.migrate-lock`, held while a process connects and migrates.
/// SQLite has no lock of its own for that: processes started at once on a new file would each
/// find no tables and try to create them, and all but one would fail. `None` for a database in
/// memory, which no other process sees.
async fn migrate_lock(database: &std::path::Path) -> Result<Option<std::fs::File>> {
    let name = database.to_string_lossy();
    if name.is_empty() || name == ":memory:" {
        return Ok(None);
    }
    let lock_path = format!("{name}.migrate-lock");
    let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(Some(lock))
}

/// A stored zone name read through the same rule as a typed one; a name that is no zone is a
/// corrupt row, not a refusal.
pub(crate) fn parse_tz(name: &str) -> Result<chrono_tz::Tz> {
    crate::domain::model::TeamZone::parse(name)
        .map(|z| z.tz())
        .map_err(|_| StoreError::Corrupt(format!("unknown time zone {name:?} in a stored team")))
}

/// A team's stored zone, readable even when this build no longer knows it: UTC then, with the
/// name kept (`Team::zone_unknown`), so one such team never makes its workspace unreadable.
pub(crate) fn team_tz(name: &str) -> (chrono_tz::Tz, Option<String>) {
    match crate::domain::model::TeamZone::parse(name) {
        Ok(z) => (z.tz(), None),
        Err(_) => (chrono_tz::Tz::UTC, Some(name.to_owned())),
    }
}
