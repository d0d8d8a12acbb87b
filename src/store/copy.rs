//! A whole database copied into another, on either backend: how a deployment moves from the
//! embedded SQLite file to PostgreSQL (and back). Every row of every table goes over with its
//! ids, so what refers to what is unchanged; the destination must be empty and at the same
//! schema, and gets everything in one transaction or nothing.
//!
//! Values keep their meaning, not their spelling: where the backends store one thing two ways
//! (a flag as 0/1 or a boolean, an instant as text or `timestamptz`, a date as text or `date`)
//! the PostgreSQL side's column type says what the value is, and each side reads and writes it
//! with the same encoding the rest of the store uses. Between two SQLite files values go over
//! as they are stored.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::{QueryBuilder, Row, TypeInfo, ValueRef};

use super::{on, Conn, Result, Store, StoreError};

/// What was copied: each table with its number of rows, in the order they were written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

impl Copied {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// What a column holds, as far as copying needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Bytes,
    Bool,
    Instant,
    Date,
    /// Between two SQLite databases: whatever the value's storage class is.
    AsStored,
}

impl Kind {
    /// The kind of a PostgreSQL column, by `information_schema.columns.data_type`.
    fn of_postgres(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "bigint" => Kind::Int,
            "double precision" => Kind::Real,
            "text" => Kind::Text,
            "bytea" => Kind::Bytes,
            "boolean" => Kind::Bool,
            "timestamp with time zone" => Kind::Instant,
            "date" => Kind::Date,
            _ => return None,
        })
    }
}

/// One value in flight, typed by its column's kind so that even a NULL is bound as that type
/// (PostgreSQL refuses a NULL typed as a number in a text column).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Bool(Option<bool>),
    Instant(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

/// A table as copying sees it: its columns and their kinds, and the column (if any) through
/// which a row names another row of the same table, written in a second pass so that a row may
/// name one that comes after it.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    self_reference: Option<String>,
}

impl Table {
    /// The columns, quoted, comma-separated (names from the schema itself).
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The tables of a database: columns (with their kind on PostgreSQL) by table, and each
/// reference as (table, column, table referred to).
#[derive(Debug, Default)]
struct Schema {
    postgres: bool,
    columns: BTreeMap<String, Vec<(String, Option<Kind>)>>,
    references: Vec<(String, String, String)>,
}

/// Rows written per statement: well under both backends' limits on bound values.
const VALUES_PER_STATEMENT: usize = 4000;

/// Copies every row of `from` into `to`, which must be empty, in one transaction of `to`,
/// reading `from` from one snapshot. Both must be at this build's schema ([`Store::open`]
/// migrates them).
pub async fn copy(from: &Store, to: &Store) -> Result<Copied> {
    let mut src = from.read().await?;
    let mut dst = to.write().await?;
    let plan = plan(&mut src, &mut dst).await?;
    for t in &plan {
        let rows = count(&mut dst, &t.name).await?;
        if rows > 0 {
            return Err(StoreError::Refused(format!(
                "the destination already holds data (table {} has {rows} rows): copy into a new, empty database",
                t.name
            )));
        }
    }
    snapshot(&mut src, true).await?;
    let copied = copy_tables(&mut src, &mut dst, &plan).await;
    // Ended whatever happened: the source connection goes back to its pool with no snapshot.
    let ended = snapshot(&mut src, false).await;
    let copied = copied?;
    ended?;
    restart_identities(&mut dst, &plan).await?;
    dst.commit().await?;
    Ok(copied)
}

async fn copy_tables(src: &mut Conn, dst: &mut Conn, plan: &[Table]) -> Result<Copied> {
    let mut copied = Copied::default();
    for t in plan {
        let n = copy_table(src, dst, t).await?;
        let there = count(dst, &t.name).await?;
        if there != n {
            return Err(StoreError::Corrupt(format!(
                "copying {}: read {n} rows, the destination holds {there}",
                t.name
            )));
        }
        copied.tables.push((t.name.clone(), n));
    }
    Ok(copied)
}

/// The tables in an order every reference allows (a table after those it refers to), each with
/// its columns' kinds; refuses two databases whose tables or columns differ.
async fn plan(src: &mut Conn, dst: &mut Conn) -> Result<Vec<Table>> {
    let (a, b) = (schema(src).await?, schema(dst).await?);
    let different = |what: String| {
        StoreError::Refused(format!(
            "{what} differ between the two databases: both must be at this okrbot's schema (run this okrbot's `migrate` on each)"
        ))
    };
    if a.columns.keys().ne(b.columns.keys()) {
        return Err(different("the tables".into()));
    }
    let mut tables = Vec::new();
    for (name, src_columns) in &a.columns {
        let dst_columns: BTreeMap<_, _> = b.columns[name].iter().cloned().collect();
        if src_columns.len() != dst_columns.len()
            || src_columns
                .iter()
                .any(|(c, _)| !dst_columns.contains_key(c))
        {
            return Err(different(format!("the columns of table {name}")));
        }
        let mut columns = Vec::with_capacity(src_columns.len());
        for (c, src_kind) in src_columns {
            // The PostgreSQL side knows what a value is; two SQLite sides copy it as stored.
            let kind = match (a.postgres, b.postgres) {
                (false, false) => Some(Kind::AsStored),
                (true, _) => *src_kind,
                (false, true) => dst_columns[c],
            };
            let kind = kind.ok_or_else(|| {
                StoreError::Refused(format!("column {name}.{c} has a type okrbot does not copy"))
            })?;
            columns.push((c.clone(), kind));
        }
        let mut own = b
            .references
            .iter()
            .filter(|(from, _, to)| from == name && to == name)
            .map(|(_, column, _)| column.clone());
        let self_reference = own.next();
        if own.next().is_some() || (self_reference.is_some() && !dst_columns.contains_key("id")) {
            return Err(StoreError::Refused(format!(
                "table {name} refers to itself in a way okrbot does not copy (one column, rows named by id)"
            )));
        }
        tables.push(Table {
            name: name.clone(),
            columns,
            self_reference,
        });
    }
    order(tables, &b.references)
}

/// Kahn's order over the references, ties by name, so the order is the same every time.
fn order(mut tables: Vec<Table>, references: &[(String, String, String)]) -> Result<Vec<Table>> {
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            references
                .iter()
                .filter(|(from, _, to)| from == &t.name && to != &t.name)
                .all(|(_, _, to)| done.contains(to))
        });
        let Some(i) = ready else {
            let left: Vec<_> = tables.iter().map(|t| t.name.as_str()).collect();
            return Err(StoreError::Refused(format!(
                "the tables [{}] refer to each other in a circle, which okrbot does not copy",
                left.join(", ")
            )));
        };
        let t = tables.remove(i);
        done.insert(t.name.clone());
        out.push(t);
    }
    Ok(out)
}

/// The tables, columns and references of `c`'s database, the migrator's own table excepted.
async fn schema(c: &mut Conn) -> Result<Schema> {
    type Columns = Vec<(String, String, String)>;
    let (postgres, columns, references): (bool, Columns, Columns) = on!(
        c,
        sqlite
            | db
            | {
                let columns = sqlx::query_as(
                "SELECT m.name, c.name, c.type FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
                 ORDER BY m.name, c.cid",
            )
            .fetch_all(&mut *db)
            .await?;
                let references = sqlx::query_as(
                "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut *db)
            .await?;
                Ok::<_, sqlx::Error>((false, columns, references))
            },
        postgres | db | {
            let columns = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations' ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(&mut *db)
            .await?;
            let references = sqlx::query_as(
                "SELECT k.conrelid::regclass::text, a.attname::text, k.confrelid::regclass::text \
                 FROM pg_constraint k JOIN pg_attribute a \
                 ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) \
                 WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace",
            )
            .fetch_all(&mut *db)
            .await?;
            Ok::<_, sqlx::Error>((true, columns, references))
        }
    )?;
    let mut s = Schema {
        postgres,
        references,
        ..Schema::default()
    };
    for (table, column, declared) in columns {
        let kind = if postgres {
            Kind::of_postgres(&declared)
        } else {
            None
        };
        s.columns.entry(table).or_default().push((column, kind));
    }
    Ok(s)
}

/// The number of rows in `table` (a name from the schema itself, quoted).
async fn count(c: &mut Conn, table: &str) -> Result<u64> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT count(*) FROM \"{table}\""));
    let n: i64 = on!(c, |db| sqlx::query_scalar(sql).fetch_one(db).await)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Begins (`start`) or ends one read-only snapshot on the source, so that every table is read
/// as of one moment even if a process is still writing.
async fn snapshot(c: &mut Conn, start: bool) -> Result<()> {
    let sql = match (start, on!(c, sqlite | _db | false, postgres | _db | true)) {
        (true, false) => "BEGIN",
        (true, true) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        (false, _) => "COMMIT",
    };
    on!(c, |db| sqlx::raw_sql(sql).execute(db).await.map(|_| ()))?;
    Ok(())
}

/// Copies one table's rows in statements of many rows each; returns how many.
async fn copy_table(src: &mut Conn, dst: &mut Conn, t: &Table) -> Result<u64> {
    let names = t.column_list();
    // SQLite's rowid keeps the order rows were written in, which is all a table without an
    // integer key has; PostgreSQL has no such order, so by every column.
    let select = on!(
        src,
        sqlite | _db | format!("SELECT {names} FROM \"{}\" ORDER BY rowid", t.name),
        postgres | _db | format!("SELECT {names} FROM \"{}\" ORDER BY {names}", t.name)
    );
    let per_statement = (VALUES_PER_STATEMENT / t.columns.len().max(1)).max(1);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
    let mut later: Vec<(i64, Value)> = Vec::new();
    let mut n = 0u64;
    let sql = sqlx::AssertSqlSafe(select);
    on!(src, |db| {
        let mut rows = sqlx::query(sql).fetch(db);
        while let Some(row) = rows.try_next().await? {
            let mut values = Vec::with_capacity(t.columns.len());
            for (i, (_, kind)) in t.columns.iter().enumerate() {
                values.push(read(&row, i, *kind)?);
            }
            hold_back_self_reference(t, &mut values, &mut later)?;
            batch.push(values);
            n += 1;
            if batch.len() == per_statement {
                insert(dst, t, &batch).await?;
                batch.clear();
            }
        }
        Ok::<_, StoreError>(())
    })?;
    if !batch.is_empty() {
        insert(dst, t, &batch).await?;
    }
    if let Some(column) = &t.self_reference {
        let sql = format!("UPDATE \"{}\" SET \"{column}\" = $1 WHERE id = $2", t.name);
        for (id, value) in later {
            let sql = sqlx::AssertSqlSafe(sql.clone());
            on!(dst, |db| bind(sqlx::query(sql), value.clone())
                .bind(id)
                .execute(db)
                .await
                .map(|_| ()))?;
        }
    }
    Ok(n)
}

/// Sets aside the value of the table's self reference (written once every row is in) and puts
/// a NULL of its type in its place.
fn hold_back_self_reference(
    t: &Table,
    values: &mut [Value],
    later: &mut Vec<(i64, Value)>,
) -> Result<()> {
    let Some(column) = &t.self_reference else {
        return Ok(());
    };
    let at = |name: &str| t.columns.iter().position(|(c, _)| c == name);
    let (Some(r), Some(id)) = (at(column), at("id")) else {
        return Ok(());
    };
    let id = match &values[id] {
        Value::Int(Some(id)) => *id,
        other => {
            return Err(StoreError::Corrupt(format!(
                "{}: a row's id is {other:?}",
                t.name
            )))
        }
    };
    let null = null_like(&values[r]);
    let held = std::mem::replace(&mut values[r], null);
    if !is_null(&held) {
        later.push((id, held));
    }
    Ok(())
}

fn null_like(v: &Value) -> Value {
    match v {
        Value::Int(_) => Value::Int(None),
        Value::Real(_) => Value::Real(None),
        Value::Text(_) => Value::Text(None),
        Value::Bytes(_) => Value::Bytes(None),
        Value::Bool(_) => Value::Bool(None),
        Value::Instant(_) => Value::Instant(None),
        Value::Date(_) => Value::Date(None),
    }
}

fn is_null(v: &Value) -> bool {
    *v == null_like(v)
}

/// Column `i` of `row` as `kind`, decoded by sqlx as the rest of the store decodes it.
fn read<R>(row: &R, i: usize, kind: Kind) -> Result<Value>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<DateTime<Utc>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<NaiveDate>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let kind = if kind == Kind::AsStored {
        // Only SQLite values are read as stored: their storage class says what they are.
        let raw = row.try_get_raw(i)?;
        match (raw.is_null(), raw.type_info().name()) {
            (true, _) => return Ok(Value::Text(None)),
            (false, "INTEGER") => Kind::Int,
            (false, "REAL") => Kind::Real,
            (false, "BLOB") => Kind::Bytes,
            (false, _) => Kind::Text,
        }
    } else {
        kind
    };
    Ok(match kind {
        Kind::Int => Value::Int(row.try_get(i)?),
        Kind::Real => Value::Real(row.try_get(i)?),
        Kind::Text | Kind::AsStored => Value::Text(row.try_get(i)?),
        Kind::Bytes => Value::Bytes(row.try_get(i)?),
        Kind::Bool => Value::Bool(row.try_get(i)?),
        Kind::Instant => Value::Instant(row.try_get(i)?),
        Kind::Date => Value::Date(row.try_get(i)?),
    })
}

/// Binds `v` as its own type.
fn bind<'q, DB>(
    q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    v: Value,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<f64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Vec<u8>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<bool>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<DateTime<Utc>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<NaiveDate>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match v {
        Value::Int(x) => q.bind(x),
        Value::Real(x) => q.bind(x),
        Value::Text(x) => q.bind(x),
        Value::Bytes(x) => q.bind(x),
        Value::Bool(x) => q.bind(x),
        Value::Instant(x) => q.bind(x),
        Value::Date(x) => q.bind(x),
    }
}

/// Writes `rows` into `t` in one statement.
async fn insert(dst: &mut Conn, t: &Table, rows: &[Vec<Value>]) -> Result<()> {
    let names = t.column_list();
    on!(dst, |db| {
        let mut q = QueryBuilder::new(format!("INSERT INTO \"{}\" ({names}) ", t.name));
        q.push_values(rows, |mut b, row| {
            for v in row {
                match v.clone() {
                    Value::Int(x) => b.push_bind(x),
                    Value::Real(x) => b.push_bind(x),
                    Value::Text(x) => b.push_bind(x),
                    Value::Bytes(x) => b.push_bind(x),
                    Value::Bool(x) => b.push_bind(x),
                    Value::Instant(x) => b.push_bind(x),
                    Value::Date(x) => b.push_bind(x),
                };
            }
        });
        q.build().execute(db).await.map(|_| ())
    })?;
    Ok(())
}

/// On PostgreSQL, moves each identity column's sequence past the ids copied in, so that the
/// next row written gets a fresh id (SQLite takes the next rowid from the rows themselves).
async fn restart_identities(dst: &mut Conn, plan: &[Table]) -> Result<()> {
    let identities: Vec<(String, String)> = on!(
        dst,
        sqlite | _db | Ok::<_, sqlx::Error>(Vec::new()),
        postgres
            | db
            | sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND is_identity = 'YES'"
            )
            .fetch_all(db)
            .await
    )?;
    for (table, column) in identities {
        if !plan.iter().any(|t| t.name == table) {
            continue;
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), max(\"{column}\")) \
             FROM \"{table}\" HAVING max(\"{column}\") IS NOT NULL"
        ));
        on!(dst, |db| sqlx::query(sql).execute(db).await.map(|_| ()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> Table {
        Table {
            name: name.into(),
            columns: vec![("id".into(), Kind::Int)],
            self_reference: None,
        }
    }

    fn refs(list: &[(&str, &str)]) -> Vec<(String, String, String)> {
        list.iter()
            .map(|(from, to)| (from.to_string(), format!("{to}_id"), to.to_string()))
            .collect()
    }

    #[test]
    fn tables_come_after_those_they_refer_to_and_a_self_reference_does_not_hold_one_back() {
        let names = |t: Vec<Table>| t.into_iter().map(|t| t.name).collect::<Vec<_>>();
        let tables = ["check_ins", "key_results", "objectives", "workspaces"].map(table);
        let r = refs(&[
            ("check_ins", "key_results"),
            ("key_results", "objectives"),
            ("objectives", "objectives"),
            ("objectives", "workspaces"),
            ("check_ins", "workspaces"),
        ]);
        assert_eq!(
            names(order(tables.to_vec(), &r).unwrap()),
            ["workspaces", "objectives", "key_results", "check_ins"]
        );
    }

    #[test]
    fn tables_referring_to_each_other_in_a_circle_are_refused_by_name() {
        let r = refs(&[("a", "b"), ("b", "a")]);
        let e = order(vec![table("a"), table("b"), table("c")], &r).unwrap_err();
        assert!(e.to_string().contains("[a, b]"), "{e}");
    }

    #[test]
    fn a_postgresql_type_okrbot_never_declares_is_not_guessed() {
        assert_eq!(
            Kind::of_postgres("timestamp with time zone"),
            Some(Kind::Instant)
        );
        assert_eq!(Kind::of_postgres("boolean"), Some(Kind::Bool));
        assert_eq!(Kind::of_postgres("integer"), None);
        assert_eq!(Kind::of_postgres("jsonb"), None);
    }
}
