//! Starting up: several processes opening a new database at once all succeed, each finding the
//! schema complete.

use std::process::{Command, Stdio};

#[test]
fn five_processes_started_at_once_on_a_new_database_all_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    for round in 0..3 {
        // A fresh file each round, without the last round's write-ahead log beside it: a
        // stale -wal next to a new database file is not a new database. On PostgreSQL, a new
        // empty database each round.
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("new.db{suffix}")));
        }
        let url = crate::backend::unmigrated_url_blocking(dir.path(), "new.db");
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

/// `okrbot schedule run` (the scheduler and the HTTP listener) stops cleanly on the SIGTERM a
/// service manager sends: exit 0, within 10 s.
#[test]
fn the_scheduler_process_stops_on_sigterm_with_exit_0_within_10_s() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = crate::backend::fresh_url_blocking(dir.path(), "run.db");
    let log = dir.path().join("okrbot.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args(["schedule", "run"])
        .env("OKRBOT_DATABASE_URL", &url)
        .env("OKRBOT_HTTP__LISTEN", "127.0.0.1:0")
        .env("OKRBOT_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("okrbot starts");
    // Up once its database is open (the listener starts after it) and the loop has had a
    // moment to start.
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("HTTP listener up")
        && started.elapsed() < std::time::Duration::from_secs(30)
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "it runs until stopped");
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let asked = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if asked.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "exit {status:?}: {stderr}");
}

/// The unit's open-file limit leaves room for the listener's connections (each an open file)
/// several times over, beside the database, the gateway and outgoing requests: systemd's
/// default soft limit, 1024, did not.
#[test]
fn the_systemd_unit_allows_many_more_open_files_than_the_listener_has_connections() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/okrbot.service"
    ))
    .expect("deploy/okrbot.service");
    let limit: u64 = unit
        .lines()
        .find_map(|l| l.strip_prefix("LimitNOFILE="))
        .expect("the unit sets LimitNOFILE")
        .parse()
        .expect("a number of files");
    let connections = u64::from(okrbot::config::Config::default().http.max_connections);
    assert!(limit >= 16 * connections, "LimitNOFILE={limit}");
}

/// The systemd units in `deploy/` are ones systemd accepts, run against the binary just built
/// (checked where `systemd-analyze` is installed; a note says so where it is not): the single
/// service, and the template of several instances on PostgreSQL as its instance `8088`.
#[test]
fn the_systemd_units_verify() {
    for (file, installed_as) in [
        ("okrbot.service", "okrbot.service"),
        ("okrbot@.service", "okrbot@8088.service"),
    ] {
        let unit = std::fs::read_to_string(format!("{}/deploy/{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("deploy/{file}: {e}"));
        assert!(unit.contains("ExecStart=/usr/local/bin/okrbot "), "{file}");
        let limit: Option<u64> = unit
            .lines()
            .find_map(|l| l.strip_prefix("LimitNOFILE="))
            .and_then(|n| n.parse().ok());
        let connections = u64::from(okrbot::config::Config::default().http.max_connections);
        assert!(
            limit.is_some_and(|l| l >= 16 * connections),
            "{file}: LimitNOFILE"
        );
        let available = Command::new("systemd-analyze")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            eprintln!("systemd-analyze is not installed: {file} was not verified");
            continue;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(installed_as);
        let here = unit.replace(
            "/usr/local/bin/okrbot ",
            &format!("{} ", env!("CARGO_BIN_EXE_okrbot")),
        );
        std::fs::write(&path, here).unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .expect("systemd-analyze runs");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && said.trim().is_empty(),
            "{file}: {said}"
        );
    }
}

/// A shard range outside `discord.shards` stops `okrbot run` before it opens the database,
/// saying which shards there are.
#[test]
fn a_shard_range_outside_the_shards_stops_the_bot_saying_which_there_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("never.db");
    let out = Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .arg("run")
        .env("DISCORD_TOKEN", "fake-token")
        .env("OKRBOT_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("OKRBOT_DISCORD__SHARDS", "2")
        .env("OKRBOT_DISCORD__SHARD_RANGE", "1-3")
        .output()
        .expect("okrbot runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("discord.shard_range \"1-3\" is outside the 2 shard(s)"),
        "{said}"
    );
    assert!(!db.exists(), "nothing written");
}
