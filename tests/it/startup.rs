//! Starting up: several processes opening a new database file at once all succeed, each finding
//! the schema complete.

use std::process::{Command, Stdio};

#[test]
fn five_processes_started_at_once_on_a_new_database_all_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("new.db").display());
    for round in 0..3 {
        // A fresh file each round, without the last round's write-ahead log beside it: a
        // stale -wal next to a new database file is not a new database.
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("new.db{suffix}")));
        }
        let children: Vec<_> = (0..5)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_okrbot"))
                    .arg("migrate")
                    .env("OKRBOT_DATABASE_URL", &url)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("okrbot starts")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("okrbot finishes");
            assert!(
                out.status.success(),
                "round {round}: a process failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
