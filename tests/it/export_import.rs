//! OKRs as data: export, import into another workspace, export again: the same document.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn okrbot(db: &std::path::Path, args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args(args)
        .env("OKRBOT_DATABASE_URL", format!("sqlite://{}", db.display()))
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
fn export(db: &Path, workspace: &str, format: &str) -> (String, String, bool) {
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

/// A copy of the demo's database in `dir`. The demo (a whole quarter through the scheduler) runs
/// once per test run into a template; each test then works on its own copy of it.
fn demo_db(dir: &Path) -> PathBuf {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("template dir");
        let db = dir.join("demo.db");
        let (_, err, ok) = okrbot(
            &db,
            &["demo", "--database", db.to_str().expect("utf-8 path")],
        );
        assert!(ok, "the demo runs: {err}");
        db
    });
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
        said.contains("2 teams, 1 cycles, 5 objectives, 11 key results"),
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

/// The demo reads right to a team lead: every post to a team went out within its working hours
/// (09:00-18:00 local, Monday to Friday), nothing is left owed, and no key result was announced
/// as moving into red twice.
#[tokio::test]
async fn the_demo_posts_to_teams_only_in_working_hours_and_alerts_each_key_result_once() {
    use chrono::{Datelike, Timelike};
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_db(dir.path());
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", demo.display()))
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
