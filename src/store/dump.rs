//! Every row of every table, as text: what tests compare to prove that a refused command wrote
//! nothing. The tables come from the schema itself, so a table a later migration adds is covered
//! without a change here; how the schema is listed and a row spelled is the backend's business,
//! which is why it lives in the store and not in the tests.

use super::on;
use super::{Conn, Result};

/// Each table of the schema (the migrator's own excepted) by name, with its rows in a fixed
/// order (SQLite: as inserted; PostgreSQL: by every column), each row one JSON object (a binary
/// column as hex, since JSON holds none).
pub async fn all(c: &mut Conn) -> Result<Vec<(String, Vec<String>)>> {
    let tables: Vec<String> = on!(
        c,
        sqlite
            | db
            | sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(db)
            .await,
        postgres
            | db
            | sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name",
            )
            .fetch_all(db)
            .await
    )?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        // The names come from the schema itself, not from input, and are quoted.
        let rows: Vec<String> = on!(
            c,
            sqlite | db | {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&table)
                        .fetch_all(&mut *db)
                        .await?;
                let object = columns
                    .iter()
                    .map(|c| format!("'{c}', iif(typeof(\"{c}\") = 'blob', hex(\"{c}\"), \"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT json_object({object}) FROM \"{table}\" ORDER BY rowid"
                ));
                sqlx::query_scalar(sql).fetch_all(db).await
            },
            postgres | db | {
                // `to_jsonb` spells a bytea column as "\x<hex>", and ordering by the row
                // itself gives the same order however the rows were written.
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT to_jsonb(r)::text FROM \"{table}\" r ORDER BY r"
                ));
                sqlx::query_scalar(sql).fetch_all(db).await
            }
        )?;
        out.push((table, rows));
    }
    Ok(out)
}
