//! OKRs as data: export, import into another workspace, export again: the same document.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `okrbot` binary run on the database at `database_url`.
fn okrbot(database_url: &str, args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args(args)
        .env("OKRBOT_DATABASE_URL", database_url)
        .output()
        .expect("okrbot runs");
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
        out.status.success(),
    )
}

const NOW: &str = "2026-12-20T12:00:00Z";

/// `okrbot export` of `workspace` in `format`, its computed fields as of [`NOW`].
fn export(db: &str, workspace: &str, format: &str) -> (String, String, bool) {
    okrbot(
        db,
        &[
            "export",
            "--workspace",
            workspace,
            "--format",
            format,
            "--now",
            NOW,
        ],
    )
}

/// The demo run once per test run into a template database, and what it printed.
fn demo_template() -> &'static (PathBuf, String) {
    static TEMPLATE: OnceLock<(PathBuf, String)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("template dir");
        let db = dir.join("demo.db");
        // The demo writes a SQLite file of its own, whichever backend the suite runs on.
        let (out, err, ok) = okrbot(
            &sqlite_url(&db),
            &["demo", "--database", db.to_str().expect("utf-8 path")],
        );
        assert!(ok, "the demo runs: {err}");
        (db, out)
    })
}

fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// The demo's database in one of this test's backend, for the tests that start from its
/// workspace `acme`. On SQLite it is a copy of the demo's own file; on PostgreSQL (the demo
/// writes a SQLite file) a fresh database the file was copied into with `okrbot copy`.
fn demo_db(dir: &Path) -> String {
    let copy = sqlite_url(&demo_sqlite(dir));
    if crate::backend::postgres_url().is_none() {
        return copy;
    }
    let url = crate::backend::fresh_url_blocking(dir, "demo-pg.db");
    let (_, err, ok) = okrbot(&copy, &["copy", "--to", &url]);
    assert!(ok, "the demo's database copies: {err}");
    url
}

/// A copy of the demo's SQLite database in `dir`. The demo (a whole quarter through the
/// scheduler) runs once per test run into a template; each test then works on its own copy of it.
fn demo_sqlite(dir: &Path) -> PathBuf {
    let template = &demo_template().0;
    let copy = dir.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", template.display()));
        if from.exists() {
            std::fs::copy(&from, format!("{}{suffix}", copy.display())).expect("copy the demo");
        }
    }
    copy
}

#[test]
fn export_then_import_into_a_new_workspace_gives_identical_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The demo fills workspace "acme" with a closed quarter of two teams.
    let demo = demo_db(dir.path());

    let (first, err, ok) = export(&demo, "acme", "json");
    assert!(ok, "{err}");
    let file = dir.path().join("acme.json");
    std::fs::write(&file, &first).expect("export written");
    let (said, err, ok) = okrbot(
        &demo,
        &[
            "import",
            file.to_str().expect("utf-8"),
            "--workspace",
            "copy",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        said.contains("2 teams, 1 cycle, 5 objectives, 11 key results"),
        "{said}"
    );
    let (second, err, ok) = export(&demo, "copy", "json");
    assert!(ok, "{err}");
    assert_eq!(first, second);

    let doc: serde_json::Value = serde_json::from_str(&first).expect("json");
    let kr = &doc["objectives"][0]["key_results"][0];
    for field in [
        "code", "title", "owner", "kind", "percent", "score", "status", "stale",
    ] {
        assert!(!kr[field].is_null(), "key result lacks {field}: {kr}");
    }
    assert_eq!(kr["code"], "GRO-1.1");
    let objective = &doc["objectives"][0];
    for field in [
        "code", "title", "owner", "kind", "percent", "score", "status", "stale",
    ] {
        assert!(
            !objective[field].is_null(),
            "objective lacks {field}: {objective}"
        );
    }
    // The stale key result of the demo is exported as stale.
    let stale: Vec<&str> = doc["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .flat_map(|o| o["key_results"].as_array().expect("krs"))
        .filter(|k| k["stale"] == true)
        .map(|k| k["code"].as_str().expect("code"))
        .collect();
    assert_eq!(stale, vec!["ENG-2.2"]);
}

#[test]
fn a_bad_import_names_the_entry_and_field_and_imports_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_db(dir.path());
    let (json, _, _) = okrbot(&demo, &["export", "--workspace", "acme", "--now", NOW]);
    let mut doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    doc["objectives"][1]["key_results"][0]["target"] =
        doc["objectives"][1]["key_results"][0]["start"].clone();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, doc.to_string()).expect("written");
    let (_, err, ok) = okrbot(
        &demo,
        &[
            "import",
            file.to_str().expect("utf-8"),
            "--workspace",
            "copy",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("objectives[1] (GRO-2).key_results[0] (GRO-2.1).target"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    // Not even the workspace: it would be made in the import's transaction.
    let (_, err, ok) = export(&demo, "copy", "json");
    assert!(!ok, "the refused import created the workspace");
    assert!(err.contains("there is no workspace \"copy\""), "{err}");

    std::fs::write(&file, "{\"format\": \"okrbot/1\", \"teams\": 3}").expect("written");
    let (_, err, ok) = okrbot(
        &demo,
        &[
            "import",
            file.to_str().expect("utf-8"),
            "--workspace",
            "copy",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("teams: invalid type: integer `3`, expected a sequence"),
        "the field, not only a position: {err}"
    );

    // A string where a number belongs is named by its entry and field, and the import that
    // names it creates nothing either.
    let (json, _, _) = okrbot(&demo, &["export", "--workspace", "acme", "--now", NOW]);
    let mut doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    doc["objectives"][0]["key_results"][1]["target"] = "12".into();
    std::fs::write(&file, doc.to_string()).expect("written");
    let (_, err, ok) = okrbot(
        &demo,
        &[
            "import",
            file.to_str().expect("utf-8"),
            "--workspace",
            "copy",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("objectives[0] (GRO-1).key_results[1] (GRO-1.2).target: invalid type"),
        "{err}"
    );
    let (_, err, ok) = export(&demo, "copy", "json");
    assert!(!ok && err.contains("no workspace"), "still none: {err}");
}

#[test]
fn csv_and_markdown_exports_list_every_key_result() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_db(dir.path());
    let (csv, _, ok) = export(&demo, "acme", "csv");
    assert!(ok);
    assert_eq!(csv.trim().lines().count(), 12, "{csv}");
    assert!(csv
        .lines()
        .next()
        .expect("header")
        .starts_with("team,cycle,objective,"));
    let (md, _, ok) = export(&demo, "acme", "markdown");
    assert!(ok);
    assert!(
        md.contains("### GRO-1 Enhance customer onboarding experience"),
        "{md}"
    );
    assert_eq!(
        md.matches("| ENG-").count() + md.matches("| GRO-").count(),
        11,
        "{md}"
    );
}

/// The CSV lists every objective (one without key results too), names each one's parent, and
/// writes typed text so that a spreadsheet opening it never runs a formula.
#[tokio::test]
async fn csv_export_keeps_empty_objectives_names_parents_and_defuses_formulas() {
    let app = crate::common::spawn_app().await;
    app.growth().await;
    let now = crate::common::now();
    let o = app
        .okr
        .objective_add(
            &app.admin,
            okrbot::service::objectives::ObjectiveInput {
                team: "Growth".into(),
                title: "=HYPERLINK(\"http://evil.example\",\"click\")".into(),
                parent: Some("GRO-1".into()),
                ..Default::default()
            },
            now,
        )
        .await
        .expect("an objective with a formula-like title");
    let doc = app.okr.export(&app.admin, now).await.expect("export");
    let csv = okrbot::render::export::to_csv(&doc);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    let empty = rows
        .iter()
        .find(|r| &r[col("objective")] == o.code.as_str())
        .unwrap_or_else(|| panic!("{} is missing:\n{csv}", o.code));
    assert_eq!(
        &empty[col("kr")],
        "",
        "an objective without key results has no kr"
    );
    assert_eq!(&empty[col("objective_parent")], "GRO-1");
    assert!(empty[col("objective_title")].starts_with("'="), "{csv}");
    assert_eq!(
        rows.len(),
        4,
        "three key results and the empty objective:\n{csv}"
    );
}

#[test]
fn exporting_a_workspace_that_does_not_exist_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_db(dir.path());
    let (out, err, ok) = okrbot(
        &demo,
        &["export", "--workspace", "acmee", "--format", "json"],
    );
    assert!(!ok, "{out}");
    assert!(err.contains("there is no workspace \"acmee\""), "{err}");
    let (_, err, ok) = okrbot(&demo, &["export", "--workspace", "acmee"]);
    assert!(!ok && err.contains("no workspace"), "still none: {err}");
}

/// The operator running `okrbot export` on a damaged database reads what the database said, not
/// only the apology a chat user gets: that is what they can act on.
#[tokio::test]
async fn exporting_from_a_damaged_database_names_the_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url(dir.path(), "damaged.db").await;
    // A console session creates the workspace, so the export gets past finding it.
    let (_, err, ok) = okrbot(&db, &["console", "--workspace", "acme"]);
    assert!(ok, "{err}");
    let store = okrbot::store::Store::open(&db)
        .await
        .expect("open the database");
    // PostgreSQL drops a table others refer to only with its references (CASCADE), and says
    // so in its own words.
    let (drop, said) = match store.pg_pool() {
        Some(_) => (
            "DROP TABLE objectives CASCADE",
            "relation \"objectives\" does not exist",
        ),
        None => ("DROP TABLE objectives", "no such table: objectives"),
    };
    crate::backend::raw!(store, |db| sqlx::query(drop)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))
    .expect("drop a table");
    store.close().await;

    let (out, err, ok) = export(&db, "acme", "json");
    assert!(!ok, "{out}");
    assert!(err.contains(said), "{err}");
}

/// The demo reads right to a team lead: every post to a team went out within its working hours
/// (09:00-18:00 local, Monday to Friday), nothing is left owed, and no key result was announced
/// as moving into red twice.
#[tokio::test]
async fn the_demo_posts_to_teams_only_in_working_hours_and_alerts_each_key_result_once() {
    use chrono::{Datelike, Timelike};
    let dir = tempfile::tempdir().expect("temp dir");
    // The demo writes its ledger to a SQLite file of its own (it has no other backend): this
    // reads that file, on either suite.
    let demo = demo_sqlite(dir.path());
    let pool = sqlx::SqlitePool::connect(&sqlite_url(&demo))
        .await
        .expect("the demo database opens");
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "SELECT d.kind, d.due_at, t.timezone, d.state, d.subjects FROM deliveries d \
         JOIN teams t ON t.id = d.team_id ORDER BY d.id",
    )
    .fetch_all(&pool)
    .await
    .expect("the ledger");
    assert!(rows.iter().all(|r| r.3 == "sent"), "all sent: {rows:?}");
    let mut alerted = std::collections::HashSet::new();
    for (kind, due, tz, _, subjects) in &rows {
        let team_posts = [
            "alert",
            "recovered",
            "cycle_close",
            "lead_report",
            "kpi_alert",
            "kpi_recovered",
        ];
        if !team_posts.contains(&kind.as_str()) {
            continue;
        }
        let tz: chrono_tz::Tz = tz.parse().expect("a zone");
        let local = chrono::DateTime::from_timestamp(*due, 0)
            .expect("an instant")
            .with_timezone(&tz);
        assert!(
            local.weekday().num_days_from_monday() < 5 && (9..18).contains(&local.hour()),
            "{kind} at {local}"
        );
        if kind == "alert" {
            assert!(alerted.insert(subjects.clone()), "{subjects} alerted twice");
        }
    }
    assert!(!alerted.is_empty());
    // The KPI's excursion: one alert, one recovery, and the OKR started from it followed it.
    let kpi_posts: Vec<&str> = rows
        .iter()
        .map(|r| r.0.as_str())
        .filter(|k| k.starts_with("kpi_"))
        .collect();
    assert_eq!(kpi_posts, ["kpi_alert", "kpi_recovered"]);
    let synced: i64 =
        sqlx::query_scalar("SELECT count(*) FROM check_ins WHERE source = 'kpi-sync'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(synced >= 10, "{synced} readings reached the key result");
}

#[test]
fn the_demo_reads_a_kpi_every_monday_from_the_http_source_it_serves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_db(dir.path());
    let (json, err, ok) = export(&demo, "acme", "json");
    assert!(ok, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let kpi = doc["kpis"]
        .as_array()
        .expect("kpis")
        .iter()
        .find(|k| k["name"] == "API error rate")
        .expect("the demo's HTTP-fed KPI");
    let url = kpi["source"]["url"].as_str().expect("its source");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let readings = kpi["readings"].as_array().expect("readings");
    // Every Monday 09:00 New York from the week before the quarter to the close: 15 reads.
    assert!(readings.len() >= 14, "{} readings", readings.len());
    assert!(
        readings.iter().all(|r| r["source"] == "http"),
        "each from the source: {readings:?}"
    );
    let values: Vec<f64> = readings
        .iter()
        .filter_map(|r| r["value"].as_f64())
        .collect();
    let peak = values.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!(peak, 0.92, "the answers of the demo's server: {values:?}");
}

/// A workspace that used every command that sets something, as a console script.
const EVERY_COMMAND: &str = r#"/okr setup team:Growth timezone:Europe/Berlin channel:growth lead:alice
/okr setup team:Platform timezone:America/New_York prefix:PLA lead:bob
/okr cycle new name:2026-Q4 start:2026-10-01 end:2026-12-31
/okr cycle new name:2027-Q1 start:2027-01-01 end:2027-03-31
/okr cycle close name:2027-Q1
/okr objective add team:Growth title:Enhance onboarding kind:aspirational
/okr objective add team:Platform title:Faster builds owner:bob
/okr objective align objective:PLA-1 parent:GRO-1
/okr kr add objective:GRO-1 title:Reduce onboarding time kind:metric start:14 target:7 unit:days owner:alice from:2026-10-01 weight:2
/okr kr add objective:GRO-1 title:Keep retention kind:threshold target:95 unit:percent direction:at_least owner:bob
/okr kr add objective:GRO-1 title:Launch the wizard kind:milestone owner:carol
/okr kr add objective:PLA-1 title:Build minutes kind:metric start:30 target:10 unit:minutes owner:bob confidence:6
/okr schedule set team:Growth prompt:"0 10 * * Tue" digest:"0 16 * * Fri" hours:"09:00-18:00 Mon-Fri"
/okr update GRO-1.1 12 c8 first step
/okr update GRO-1.1 11
/okr undo
/okr update GRO-1.2 96%
/okr kr remove kr:GRO-1.3
/kpi add team:Growth name:conversion unit:percent direction:higher min:7 owner:bob
/kpi set kpi:conversion value:6.4%
/kpi okr kpi:conversion
/okr clock advance:8d
/okr update PLA-1.1 25 c7
/okr update PLA-1.1 2 500 confirm:yes
/okr clock advance:1d
/okr checkin withdraw kr:PLA-1.1 reason:typo, meant 25
/okr update GRO-2.1 6.8%
/kpi set kpi:conversion value:0.68%
/kpi withdraw kpi:conversion reason:typo, meant 6.8%
/kpi set kpi:conversion value:6.8%
/kpi add team:Platform name:build failures unit:percent direction:lower max:5 owner:bob cadence:monthly
/kpi edit kpi:conversion owner:carol cadence:every 2 weeks
/okr objective share objective:GRO-1 team:Platform
/okr kr add objective:GRO-1 title:Faster signup builds kind:metric start:10 target:2 unit:minutes owner:bob team:Platform
/okr me timezone:Asia/Tokyo
/okr me member:bob timezone:America/Los_Angeles
/okr away set from:2026-12-21 to:2027-01-04 note:family
/okr away set member:carol from:2026-11-02 to:2026-11-06
/okr holidays add team:Growth dates:2026-12-24,2026-12-25
"#;

/// Every row of each table that holds what people set, for one workspace, with ids replaced by
/// what they stand for (a team's name, an objective's or key result's code, a KPI's name) and
/// sorted: two workspaces holding the same things give the same rows. Read from the store's
/// dump of the whole database (`store::dump`), which spells rows alike on either backend.
fn rows_of(
    dump: &[(String, Vec<String>)],
    ws: i64,
) -> std::collections::BTreeMap<String, Vec<String>> {
    use serde_json::{Map, Value};
    use std::collections::HashMap;
    let table = |name: &str| -> Vec<Map<String, Value>> {
        dump.iter()
            .find(|(t, _)| t == name)
            .unwrap_or_else(|| panic!("no table {name} in the dump"))
            .1
            .iter()
            .map(|row| serde_json::from_str(row).expect("a row as a JSON object"))
            .collect()
    };
    let int = |row: &Map<String, Value>, column: &str| row.get(column).and_then(Value::as_i64);
    let text = |row: &Map<String, Value>, column: &str| {
        row.get(column)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| panic!("no column {column} in {row:?}"))
    };
    let in_ws = |row: &Map<String, Value>| int(row, "workspace_id") == Some(ws);
    let names = |name: &str, column: &str| -> HashMap<i64, String> {
        table(name)
            .iter()
            .filter(|r| in_ws(r))
            .map(|r| (int(r, "id").expect("an id"), text(r, column)))
            .collect()
    };
    let teams = names("teams", "name");
    let prefixes = names("teams", "prefix");
    let cycles = names("cycles", "name");
    let kpis = names("kpis", "name");
    // An objective's code is its team's prefix and its number; a key result's, its
    // objective's code and its number.
    let objectives: HashMap<i64, String> = table("objectives")
        .iter()
        .filter(|r| in_ws(r))
        .map(|r| {
            let team = int(r, "team_id").expect("a team");
            (
                int(r, "id").expect("an id"),
                format!("{}-{}", prefixes[&team], text(r, "number")),
            )
        })
        .collect();
    let krs: HashMap<i64, String> = table("key_results")
        .iter()
        .filter(|r| in_ws(r))
        .map(|r| {
            let objective = int(r, "objective_id").expect("an objective");
            (
                int(r, "id").expect("an id"),
                format!("{}.{}", objectives[&objective], text(r, "number")),
            )
        })
        .collect();
    let mut out = std::collections::BTreeMap::new();
    for (name, scope) in COMPARED {
        let mut shown: Vec<String> = table(name)
            .iter()
            .filter(|r| match scope {
                Scope::Workspace => in_ws(r),
                Scope::Team => int(r, "team_id").is_some_and(|t| teams.contains_key(&t)),
                Scope::Kpi => int(r, "kpi_id").is_some_and(|k| kpis.contains_key(&k)),
            })
            .map(|r| {
                r.iter()
                    .filter(|(c, _)| {
                        !matches!(c.as_str(), "id" | "workspace_id")
                            && !IMPORT_TIME.contains(&(*name, c.as_str()))
                    })
                    .map(|(c, v)| {
                        let named = v.as_i64().and_then(|i| match c.as_str() {
                            "team_id" | "carried_by" => teams.get(&i).cloned(),
                            "cycle_id" => cycles.get(&i).cloned(),
                            "objective_id" | "parent_id" | "drafted_objective_id" => {
                                objectives.get(&i).cloned()
                            }
                            "kr_id" => krs.get(&i).cloned(),
                            "kpi_id" => kpis.get(&i).cloned(),
                            _ => None,
                        });
                        let value = match v {
                            Value::Null => "NULL".to_owned(),
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        format!("{c}={}", named.unwrap_or(value))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        shown.sort();
        out.insert((*name).to_owned(), shown);
    }
    out
}

/// How a table's rows are narrowed to one workspace: by their own `workspace_id`, or by that of
/// the team (`team_id`) or the KPI (`kpi_id`) they belong to.
enum Scope {
    Workspace,
    Team,
    Kpi,
}

/// The tables of what people set, and how each is narrowed to one workspace. Left out, each for
/// its reason: `deliveries`, `alerts` and `digest_marks` (what was sent and decided, the ledger
/// of one installation, not the workspace's data), `kr_trends` (sums recomputed from the
/// check-ins), `webhooks` and KPI push tokens (secrets never leave), `closed_dms` (what one
/// Discord said about one member), `owed_prompts` (the scheduler's memory of prompts a day off
/// moved), `workspaces`.
const COMPARED: &[(&str, Scope)] = &[
    ("teams", Scope::Workspace),
    ("team_leads", Scope::Team),
    ("cycles", Scope::Workspace),
    ("objectives", Scope::Workspace),
    ("key_results", Scope::Workspace),
    ("check_ins", Scope::Workspace),
    ("withdrawn_check_ins", Scope::Workspace),
    ("schedules", Scope::Workspace),
    ("kpis", Scope::Workspace),
    ("kpi_readings", Scope::Kpi),
    ("kpi_links", Scope::Kpi),
    ("objective_shares", Scope::Workspace),
    ("members", Scope::Workspace),
    ("away", Scope::Workspace),
    ("holidays", Scope::Team),
];

/// Columns that say when the import ran rather than what was set (a team's, a cycle's and a
/// KPI's creation, and when each schedule fires next, counted from the import's clock as for a team
/// set up then), and the one that is the scheduler's memory of this installation (how many
/// prompts in a row an owner let pass, which feeds the lead's report).
const IMPORT_TIME: &[(&str, &str)] = &[
    ("teams", "created_at"),
    ("cycles", "created_at"),
    ("kpis", "created_at"),
    ("objective_shares", "created_at"),
    ("away", "created_at"),
    ("schedules", "next_due_at"),
    ("key_results", "ignored_prompts"),
];

#[tokio::test]
async fn a_workspace_that_used_every_command_comes_back_whole_from_a_backup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::backend::fresh_url(dir.path(), "every.db").await;
    let mut console = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args([
            "console",
            "--workspace",
            "acme",
            "--user",
            "alice",
            "--admin",
        ])
        .args(["--now", "2026-10-02T09:00:00Z"])
        .env("OKRBOT_DATABASE_URL", &db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("console");
    use std::io::Write as _;
    console
        .stdin
        .take()
        .expect("stdin")
        .write_all(EVERY_COMMAND.as_bytes())
        .expect("script");
    let out = console.wait_with_output().expect("console ends");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && !said.contains('❌'), "{said}");

    let (json, err, ok) = export(&db, "acme", "json");
    assert!(ok, "{err}");
    let file = dir.path().join("acme.json");
    std::fs::write(&file, &json).expect("export written");
    let (_, err, ok) = okrbot(
        &db,
        &[
            "import",
            file.to_str().expect("utf-8"),
            "--workspace",
            "copy",
        ],
    );
    assert!(ok, "{err}");

    let store = okrbot::store::Store::open(&db).await.expect("the database");
    let dump = crate::common::rows(&store).await.0;
    store.close().await;
    let ws = |name: &str| {
        dump.iter()
            .find(|(t, _)| t == "workspaces")
            .expect("the workspaces")
            .1
            .iter()
            .map(|r| serde_json::from_str::<serde_json::Value>(r).expect("a row"))
            .find(|r| r["name"] == name)
            .and_then(|r| r["id"].as_i64())
            .unwrap_or_else(|| panic!("workspace {name}"))
    };
    let (original, copy) = (rows_of(&dump, ws("acme")), rows_of(&dump, ws("copy")));
    for (table, rows) in &original {
        assert!(
            !rows.is_empty(),
            "the script leaves {table} empty: test more"
        );
        assert_eq!(
            rows, &copy[table],
            "{table} differs after export and import"
        );
    }
    let (again, err, ok) = export(&db, "copy", "json");
    assert!(ok, "{err}");
    assert_eq!(json, again, "the copy exports the same document");
    // The reports list what counts: the removed key result travels only in the JSON.
    assert!(json.contains("Launch the wizard"));
    let (csv, _, ok) = export(&db, "acme", "csv");
    assert!(
        ok && csv.contains("Reduce onboarding time") && !csv.contains("Launch the wizard"),
        "{csv}"
    );
}

/// The demo ends as a newcomer reads it: the ledger in words, and a console to look around in
/// as of the quarter's end rather than today.
#[test]
fn the_demo_sums_up_its_ledger_in_words_and_suggests_a_console_at_the_quarters_end() {
    let out = &demo_template().1;
    let ledger = out
        .lines()
        .find(|l| l.starts_with("The ledger: "))
        .expect("a ledger line");
    assert!(
        ledger.contains("116 prompts")
            && ledger.contains("at-risk alerts")
            && ledger.ends_with("all sent"),
        "{ledger}"
    );
    assert!(!ledger.contains('_'), "words, not kinds: {ledger}");
    assert!(
        out.contains("okrbot console --workspace acme --user alice --now 2027-01-"),
        "{out}"
    );
}

/// The demo reads in order: one header per week, each week once and in turn, and alice starts
/// her OKR after the alert she starts it from has been posted, not before.
#[test]
fn the_demos_weeks_come_once_and_in_order_and_reactions_follow_what_they_react_to() {
    let out = &demo_template().1;
    let weeks: Vec<i64> = out
        .lines()
        .filter_map(|l| {
            l.strip_prefix("── week ")?
                .strip_suffix(" ──")?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(weeks, (1..=13).collect::<Vec<_>>(), "{out}");
    // After the quarter only the KPI read by hand is still asked for, under a header that says so.
    let (_, after) = out
        .split_once("── after the quarter ──")
        .expect("the days after the quarter have their header");
    let (after, _) = after
        .split_once("── the quarter is over ──")
        .unwrap_or((after, ""));
    let prompts: Vec<&str> = after.lines().filter(|l| l.contains(" prompt ")).collect();
    assert!(
        prompts.len() == 1 && prompts[0].ends_with("@erin      KPI trial conversion"),
        "{after}"
    );
    // Before it, erin's weekly prompt asks for her key result and the KPI in one message.
    assert!(
        out.contains("Weekly check-in for Growth: 1 key result and 1 KPI"),
        "{out}"
    );
    let alert = out
        .find("📬 kpi alert → #growth")
        .expect("the KPI alert is posted");
    let reaction = out
        .find("── alice starts an OKR from the alert")
        .expect("alice reacts");
    assert!(alert < reaction, "the reaction comes after the alert");
}

/// `okrbot copy` moves a whole database, value for value: the demo's (every workspace, the
/// ledger, the alerts and the history) copied into a database of this suite's backend
/// (PostgreSQL in the PostgreSQL suite) and from there into a new SQLite file holds the same
/// rows as the demo's own file. Ids travel with the rows, and the copy takes new rows after
/// them; a database that already holds rows is refused and left as it was.
#[test]
fn a_database_copied_there_and_back_holds_the_same_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = sqlite_url(&demo_sqlite(dir.path()));
    let middle = crate::backend::fresh_url_blocking(dir.path(), "middle.db");
    let back = sqlite_url(&dir.path().join("back.db"));
    let dump = |url: String| {
        crate::backend::block_on(async move {
            let store = okrbot::store::Store::open(&url).await.expect("opens");
            let mut c = store.read().await.expect("a connection");
            let mut tables = okrbot::store::dump::all(&mut c).await.expect("dump");
            // A table keyed by other columns than one integer keeps its rows in the order
            // they were written on SQLite, and in none on PostgreSQL: rows, not their order.
            for (_, rows) in &mut tables {
                rows.sort();
            }
            tables
        })
    };
    // Text in other scripts travels as it was typed.
    crate::backend::block_on(async {
        let store = okrbot::store::Store::open(&original).await.expect("opens");
        crate::backend::raw!(&store, |db| sqlx::query(
            "UPDATE teams SET name = name || ' é ü 日本 🚀' WHERE id = (SELECT min(id) FROM teams)"
        )
        .execute(db)
        .await
        .map(|r| r.rows_affected()))
        .expect("a name in other scripts");
        store.close().await;
    });
    let before = dump(original.clone());
    assert!(before
        .iter()
        .any(|(_, rows)| rows.iter().any(|r| r.contains("日本 🚀"))));
    let check_ins = before
        .iter()
        .find(|(t, _)| t == "check_ins")
        .map(|(_, rows)| rows.len())
        .expect("check-ins");
    assert!(check_ins > 100, "the demo's quarter: {check_ins}");

    let (said, err, ok) = okrbot(&original, &["copy", "--to", &middle]);
    assert!(ok, "{err}");
    assert!(
        said.starts_with("copied ") && said.contains(&format!("check_ins: {check_ins}\n")),
        "{said}"
    );
    let password = middle
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(user, _)| user.split_once(':'))
        .map(|(_, password)| password);
    if let Some(p) = password {
        assert!(!said.contains(p), "no password shown: {said}");
    }
    // A mistyped source is refused, not created empty and copied.
    let typo = sqlite_url(&dir.path().join("typo.db"));
    let (_, err, ok) = okrbot(&original, &["copy", "--from", &typo, "--to", &back]);
    assert!(!ok && err.contains("there is no database at"), "{err}");
    assert!(!dir.path().join("typo.db").exists() && !dir.path().join("back.db").exists());
    // Without --from the configured database is the source, and it cannot be its own copy.
    let (_, err, ok) = okrbot(&back, &["copy", "--to", &back]);
    assert!(!ok && err.contains("the same database"), "{err}");
    // --from names the source itself; the configured database is not involved.
    let (_, err, ok) = okrbot(&original, &["copy", "--from", &middle, "--to", &back]);
    assert!(ok, "{err}");

    let after = dump(back.clone());
    assert_eq!(before.len(), after.len());
    for ((table, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "table {table}");
    }
    assert!(before.iter().map(|(_, rows)| rows.len()).sum::<usize>() > 300);

    // Into a database that holds rows: refused, and nothing written.
    let (_, err, ok) = okrbot(&original, &["copy", "--to", &back]);
    assert!(
        !ok && err.contains("already holds data") && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(dump(back.clone()), after);

    // The copy goes on from the copied ids: the demo's workspace imported into the middle
    // database as another one takes new ids.
    let (json, err, ok) = export(&middle, "acme", "json");
    assert!(ok, "{err}");
    let file = dir.path().join("acme.json");
    std::fs::write(&file, json).expect("export written");
    let (said, err, ok) = okrbot(
        &middle,
        &[
            "import",
            file.to_str().expect("utf-8"),
            "--workspace",
            "again",
        ],
    );
    assert!(ok, "{err}");
    assert!(said.contains(&format!("{check_ins} check-ins")), "{said}");
}
