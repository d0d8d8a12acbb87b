//! The integration-test harness: a fresh SQLite database per test, the real service on top of it,
//! a workspace with an admin, the Growth team of the examples, and a dump of every row of every
//! table so a test can prove that a refused command wrote nothing.

use chrono::{DateTime, NaiveDate, Utc};
use okrbot::config::Config;
use okrbot::domain::grammar::UpdateFields;
use okrbot::domain::model::{CheckInSource, WorkspaceId};
use okrbot::service::check_in::CheckInOutcome;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr, OkrError};
use okrbot::store::Store;

/// Mid-cycle: the instant every test acts at unless it says otherwise.
pub fn now() -> DateTime<Utc> {
    at("2026-11-16T10:00:00Z")
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a valid RFC 3339 instant")
        .with_timezone(&Utc)
}

pub fn date(ymd: &str) -> NaiveDate {
    NaiveDate::parse_from_str(ymd, "%Y-%m-%d").expect("a valid YYYY-MM-DD date")
}

/// One test's world. The temporary directory lives as long as the app, and the database with it.
pub struct TestApp {
    pub okr: Okr,
    /// The workspace the test acts in (`console:acme`).
    pub workspace: WorkspaceId,
    /// A workspace admin of `acme`.
    pub admin: Actor,
    /// This test's database (`sqlite://...`, or `postgres://...` in the PostgreSQL suite), for
    /// the `okrbot` binary.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = crate::backend::fresh_url(dir.path(), "t.db").await;
    let store = Store::open(&database_url)
        .await
        .expect("the test database opens and migrates");
    let okr = Okr::new(store, &Config::default());
    let workspace = okr
        .workspace("console:acme", "acme", now())
        .await
        .expect("workspace acme");
    let admin = Actor {
        workspace,
        user: "root".into(),
        admin: true,
        roles: vec![],
    };
    TestApp {
        okr,
        workspace,
        admin,
        database_url,
        _dir: dir,
    }
}

impl TestApp {
    /// A non-admin person in this app's workspace.
    pub fn user(&self, name: &str) -> Actor {
        Actor {
            workspace: self.workspace,
            user: name.into(),
            admin: false,
            roles: vec![],
        }
    }

    /// Another workspace in the same database, with its own admin.
    pub async fn other_workspace(&self, key: &str, name: &str) -> Actor {
        let workspace = self
            .okr
            .workspace(key, name, now())
            .await
            .expect("a second workspace");
        Actor {
            workspace,
            user: "root".into(),
            admin: true,
            roles: vec![],
        }
    }

    /// Team Growth (Europe/Berlin, prefix GRO, lead alice), cycle 2026-Q4 (2026-10-01 to
    /// 2026-12-31), objective GRO-1 and three key results:
    /// - GRO-1.1 "Reduce onboarding time": metric, days, 14 -> 7, owner alice
    /// - GRO-1.2 "Keep onboarding completion rate": threshold, percent, at_least 95, owner bob
    /// - GRO-1.3 "Launch the new signup flow": milestone, owner carol
    ///
    /// GRO-1.1 and GRO-1.2 share the word "onboarding", for the ambiguous-reference cases.
    pub async fn growth(&self) {
        self.growth_in(&self.admin).await;
    }

    /// The same team, cycle, objective and key results in the workspace of `admin`.
    pub async fn growth_in(&self, admin: &Actor) {
        let okr = &self.okr;
        okr.setup(
            admin,
            SetupInput {
                team: "Growth".into(),
                timezone: Some("Europe/Berlin".into()),
                channel: Some("growth".into()),
                prefix: Some("GRO".into()),
                leads: Some(vec!["alice".into()]),
            },
            now(),
        )
        .await
        .expect("setup Growth");
        okr.cycle_new(
            admin,
            "2026-Q4",
            date("2026-10-01"),
            date("2026-12-31"),
            now(),
        )
        .await
        .expect("cycle 2026-Q4");
        let objective = okr
            .objective_add(
                admin,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: "Enhance customer onboarding experience".into(),
                    owner: Some("alice".into()),
                    cycle: Some("2026-Q4".into()),
                    ..Default::default()
                },
                now(),
            )
            .await
            .expect("objective GRO-1");
        assert_eq!(objective.code, "GRO-1");
        let krs = [
            KrInput {
                objective: "GRO-1".into(),
                title: "Reduce onboarding time".into(),
                kind: Some("metric".into()),
                unit: Some("days".into()),
                start: Some("14".into()),
                target: Some("7".into()),
                owner: Some("alice".into()),
                ..Default::default()
            },
            KrInput {
                objective: "GRO-1".into(),
                title: "Keep onboarding completion rate".into(),
                kind: Some("threshold".into()),
                unit: Some("percent".into()),
                target: Some("95".into()),
                direction: Some("at_least".into()),
                owner: Some("bob".into()),
                ..Default::default()
            },
            KrInput {
                objective: "GRO-1".into(),
                title: "Launch the new signup flow".into(),
                kind: Some("milestone".into()),
                owner: Some("carol".into()),
                ..Default::default()
            },
        ];
        for (n, input) in krs.into_iter().enumerate() {
            let kr = okr.kr_add(admin, input, now()).await.expect("a Growth KR");
            assert_eq!(kr.code, format!("GRO-1.{}", n + 1));
        }
    }

    /// A grammar line checked in by the admin at [`now`].
    pub async fn update(&self, line: &str) -> Result<CheckInOutcome, OkrError> {
        self.okr
            .check_in_text(&self.admin, line, CheckInSource::Text, None, now())
            .await
    }

    /// The typed form checked in by the admin at [`now`].
    pub async fn update_fields(
        &self,
        fields: UpdateFields<'_>,
    ) -> Result<CheckInOutcome, OkrError> {
        self.okr
            .check_in_fields(&self.admin, &fields, CheckInSource::Slash, None, now())
            .await
    }

    pub async fn rows(&self) -> Rows {
        rows(self.okr.store()).await
    }

    /// How many rows `table` (one of [`TABLES`]) holds.
    pub async fn count(&self, table: &str) -> i64 {
        assert!(
            TABLES.contains(&table),
            "{table} is not a table of the model"
        );
        // Safe: the name is one of the constant table names just checked.
        let sql = sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"));
        crate::backend::raw!(self.okr.store(), |db| sqlx::query_scalar(sql)
            .fetch_one(db)
            .await)
        .expect("count rows")
    }
}

/// The tables of the data model; [`rows`] dumps these and any other table the schema has.
pub const TABLES: &[&str] = &[
    "workspaces",
    "teams",
    "team_leads",
    "cycles",
    "objectives",
    "key_results",
    "check_ins",
    "withdrawn_check_ins",
    "kpis",
    "kpi_readings",
    "kpi_links",
];

/// Every row of every table, one JSON object per row, tables in name order and rows in rowid
/// order. Compared with `assert_eq!`, a difference shows the table and the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows(pub Vec<(String, Vec<String>)>);

impl Rows {
    pub fn table(&self, name: &str) -> &[String] {
        self.0
            .iter()
            .find(|(t, _)| t == name)
            .map(|(_, rows)| rows.as_slice())
            .unwrap_or_else(|| panic!("no table {name} in the dump"))
    }
}

impl std::fmt::Display for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, rows) in &self.0 {
            writeln!(f, "{table}:")?;
            for row in rows {
                writeln!(f, "  {row}")?;
            }
        }
        Ok(())
    }
}

/// Dumps the whole database (`store::dump`): every table the schema has, so a table added by a
/// later migration is covered without changing this; the data-model tables must all be there.
pub async fn rows(store: &Store) -> Rows {
    let mut c = store.read().await.expect("a connection");
    let tables = okrbot::store::dump::all(&mut c).await.expect("the dump");
    for t in TABLES {
        assert!(
            tables.iter().any(|(x, _)| x == t),
            "table {t} is missing from the schema"
        );
    }
    Rows(tables)
}

/// Runs a command that must be refused: returns its error after checking it is a refusal (not a
/// failure of the database) and that the database is exactly as it was.
macro_rules! refused {
    ($app:expr, $call:expr) => {{
        let before = $app.rows().await;
        let err: okrbot::service::OkrError = match $call.await {
            Ok(_) => panic!("expected {} to be refused", stringify!($call)),
            Err(e) => e,
        };
        assert!(!err.is_internal(), "a refusal, not a failure: {err:?}");
        let after = $app.rows().await;
        assert_eq!(
            after,
            before,
            "{} was refused ({err}) but changed the database",
            stringify!($call)
        );
        err
    }};
}
pub(crate) use refused;

/// [`refused`], as the text the person reads.
macro_rules! refused_text {
    ($app:expr, $call:expr) => {
        crate::common::refused!($app, $call).to_string()
    };
}
pub(crate) use refused_text;

/// Asserts `text` contains each of `parts`, showing the whole text when one is missing.
#[track_caller]
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            text.contains(part),
            "expected the message to mention {part:?}, but it was:\n{text}"
        );
    }
}
