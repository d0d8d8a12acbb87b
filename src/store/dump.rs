//! Every row of every table, as text: what tests compare to prove that a refused command wrote
//! nothing. The tables come from the schema itself, so a table a later migration adds is covered
//! without a change here; how the schema is listed and a row spelled is the backend's business,
//! which is why it lives in the store and not in the tests.

use sqlx::Row;

use super::{Conn, Result};

/// Each table of the schema (the migrator's own excepted) by name, with its rows in the order
/// they were inserted, each row one JSON object (a BLOB column as hex, since JSON holds none).
pub async fn all(c: &mut Conn) -> Result<Vec<(String, Vec<String>)>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(c.sqlite())
    .await?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(c.sqlite())
            .await?
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
        let object = columns
            .iter()
            .map(|c| format!("'{c}', iif(typeof(\"{c}\") = 'blob', hex(\"{c}\"), \"{c}\")"))
            .collect::<Vec<_>>()
            .join(", ");
        // The names come from the schema itself, not from input, and are quoted.
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT json_object({object}) FROM \"{table}\" ORDER BY rowid"
        ));
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(c.sqlite()).await?;
        out.push((table, rows));
    }
    Ok(out)
}
