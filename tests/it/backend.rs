//! Which database a test runs on. Without `TEST_DATABASE_URL` every test gets a SQLite file in
//! its own temporary directory. With `TEST_DATABASE_URL=postgres://user:password@host:port/db`
//! every test gets a database of its own on that server, cloned from a migrated template (made
//! once per schema, whichever test process gets there first), so no test migrates and no two
//! tests share rows. `README.md` says how to run the suite that way inside `pg_virtualenv`.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, PgConnection};
use tokio::sync::OnceCell;

/// The server the PostgreSQL suite runs on, if this run is one.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if okrbot::store::is_postgres(&url) => Some(url),
        Ok(_) => panic!("TEST_DATABASE_URL must be a postgres:// URL (unset it for SQLite)"),
        Err(_) => None,
    }
}

/// A database nobody else uses, empty but migrated on PostgreSQL, a file name in `dir` on
/// SQLite (migrated by whoever opens it first, as in production).
pub async fn fresh_url(dir: &Path, file: &str) -> String {
    let Some(server) = postgres_url() else {
        return format!("sqlite://{}", dir.join(file).display());
    };
    let template = TEMPLATE
        .get_or_init(|| make_template(server.clone()))
        .await
        .clone();
    create_database(&server, &format!(" TEMPLATE \"{template}\"")).await
}

/// [`fresh_url`] for a test that is not async (one that drives the `okrbot` binary and waits on
/// it), on a small runtime of its own. Not to be called inside a runtime.
pub fn fresh_url_blocking(dir: &Path, file: &str) -> String {
    block_on(fresh_url(dir, file))
}

/// A database nobody else uses and nothing has migrated yet, for a test of what a first start
/// does: on SQLite a file name in `dir` (not created), on PostgreSQL a new empty database.
pub async fn unmigrated_url(dir: &Path, file: &str) -> String {
    let Some(server) = postgres_url() else {
        return format!("sqlite://{}", dir.join(file).display());
    };
    create_database(&server, "").await
}

/// A database URL for a command that must not open any database (`okrbot schedule preview`):
/// on SQLite a file name in `dir`, on PostgreSQL a database of the test server that is never
/// created, so that opening it would fail rather than touch another test's rows.
pub fn unused_url(dir: &Path, file: &str) -> String {
    match postgres_url() {
        Some(server) => with_database(&server, "okrbot_never_created"),
        None => format!("sqlite://{}", dir.join(file).display()),
    }
}

/// [`unmigrated_url`] for a test that is not async.
pub fn unmigrated_url_blocking(dir: &Path, file: &str) -> String {
    block_on(unmigrated_url(dir, file))
}

/// Runs `f` to its end on a small runtime of its own, for a test that is not async.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the database set-up")
        .block_on(f)
}

/// A new database on `server` with a name no other test uses, made with `options` (a template
/// or nothing), and its URL.
async fn create_database(server: &str, options: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "okrbot_t{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let mut admin = PgConnection::connect(server)
        .await
        .expect("the PostgreSQL server of TEST_DATABASE_URL answers");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{name}\"{options}"
    )))
    .execute(&mut admin)
    .await
    .expect("a test database");
    let _ = admin.close().await;
    with_database(server, &name)
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The migrated template's name: one per schema, so a changed migration makes a new one.
async fn make_template(server: String) -> String {
    let name = format!("okrbot_template_{:016x}", schema_hash());
    let mut admin = PgConnection::connect(&server)
        .await
        .expect("the PostgreSQL server of TEST_DATABASE_URL answers");
    // Test processes started at once (nextest runs one per test) make it one at a time.
    sqlx::query("SELECT pg_advisory_lock(4242)")
        .execute(&mut admin)
        .await
        .expect("the template lock");
    let ready: Option<bool> =
        sqlx::query_scalar("SELECT datistemplate FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(&mut admin)
            .await
            .expect("reading pg_database");
    if ready != Some(true) {
        // Left half-made by a process that died: start again.
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\""),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .expect("creating the template database");
        }
        let store = okrbot::store::Store::open(&with_database(&server, &name))
            .await
            .expect("the template migrates");
        store.close().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE \"{name}\" IS_TEMPLATE true"
        )))
        .execute(&mut admin)
        .await
        .expect("marking the template");
    }
    sqlx::query("SELECT pg_advisory_unlock(4242)")
        .execute(&mut admin)
        .await
        .expect("the template lock is released");
    let _ = admin.close().await;
    name
}

fn schema_hash() -> u64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations/postgres")
        .map(|e| e.expect("a migration").path())
        .collect();
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.file_name().hash(&mut h);
        std::fs::read(&f).expect("a migration file").hash(&mut h);
    }
    h.finish()
}

/// `url` naming database `name` instead of its own (the path after host and port), keeping any
/// `?parameters`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[test]
fn a_database_name_replaces_the_path_and_keeps_the_parameters() {
    assert_eq!(
        with_database("postgres://u:p@localhost:5432/postgres", "x"),
        "postgres://u:p@localhost:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/db?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
}

/// Runs one raw statement on the test's store, whichever backend it is: for tests that set up a
/// state no command makes (a row from an older build, a clock moved back) or read a column no
/// use case shows. `$N` placeholders and SQL both dialects read; `db` is the pool.
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
