//! The only place that speaks SQL. Rows become domain types here and storage errors become
//! [`StoreError`]; every function takes the connection it runs on, so a use case can run several
//! of them inside one write transaction ([`Store::write`]) or on a plain read connection.
//! Every query is scoped by workspace: ids and codes from another workspace are simply not found.

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub mod alerts;
pub mod check_ins;
pub mod closed_dms;
pub mod cycle_reads;
pub mod cycles;
pub mod deliveries;
pub mod dump;
pub mod key_results;
pub mod kpis;
pub mod objectives;
pub mod packed;
pub mod schedules;
pub mod shares;
pub mod teams;
pub mod webhooks;
pub mod workspaces;

/// What the store functions run on: a [`ReadConn`] or a [`WriteTx`]. Services hold these
/// store-owned types only, so a second backend changes `store/` and nothing above it.
pub type Conn = dyn Db;

/// A connection of this store's backend. Implemented by [`ReadConn`] and [`WriteTx`]; only
/// `store/` reaches through it to the driver.
pub trait Db: Send {
    #[doc(hidden)]
    fn sqlite(&mut self) -> &mut SqliteConnection;
}

/// A pooled connection for reads (and single-statement writes such as a delivery claim).
pub struct ReadConn(PoolConnection<Sqlite>);

/// A write transaction, begun with `BEGIN IMMEDIATE` so that two writers queue on the busy
/// timeout instead of one failing half-way with SQLITE_BUSY_SNAPSHOT. Dropped without
/// [`WriteTx::commit`], it rolls back: nothing half-written.
pub struct WriteTx(Transaction<'static, Sqlite>);

impl Db for ReadConn {
    fn sqlite(&mut self) -> &mut SqliteConnection {
        &mut self.0
    }
}

impl Db for WriteTx {
    fn sqlite(&mut self) -> &mut SqliteConnection {
        &mut self.0
    }
}

/// One trivial query: the database answers.
pub async fn ping(c: &mut Conn) -> Result<()> {
    sqlx::query("SELECT 1").execute(c.sqlite()).await?;
    Ok(())
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        Ok(self.0.commit().await?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write; the string names the rule for the log.
    #[error("duplicate: {0}")]
    Duplicate(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
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
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the SQLite database at `url` and runs the embedded migrations.
    pub async fn open(url: &str) -> Result<Store> {
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
        let migrated = sqlx::migrate!("./migrations").run(&pool).await;
        // Closing the file releases the lock for the next process, which then finds nothing to do.
        drop(lock);
        migrated?;
        Ok(Store { pool })
    }

    pub async fn read(&self) -> Result<ReadConn> {
        Ok(ReadConn(self.pool.acquire().await?))
    }

    /// A further connection for a read that can go on without it, if the pool gives one within
    /// `wait`: a reader already holding one that waited on the pool for more could wait for
    /// ever on another doing the same.
    pub async fn read_if_free(&self, wait: Duration) -> Option<ReadConn> {
        match tokio::time::timeout(wait, self.pool.acquire()).await {
            Ok(Ok(c)) => Some(ReadConn(c)),
            _ => None,
        }
    }

    pub async fn write(&self) -> Result<WriteTx> {
        Ok(WriteTx(self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    /// For tests and benchmarks that compare against raw SQL on the same schema; the services
    /// never see it.
    #[doc(hidden)]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
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
