//! A gateway split into shards (`discord.shards`, `discord.shard_range`): each process connects
//! its range, each shard is connected by one process at a time, and a process given the same
//! range stands by and takes it over when its holder dies (a lock per shard on PostgreSQL). On
//! SQLite one process connects all of its range: there every process holds every role.

use super::soak::{okrbot_run_with, Process};
use super::*;

/// A port nothing listens on now, for a child's HTTP listener.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `okrbot run` connecting `range` of two shards, its listener on `port`.
fn sharded(
    url: &str,
    fake: &FakeDiscord,
    dir: &std::path::Path,
    name: &str,
    range: Option<&str>,
    port: u16,
) -> Process {
    let mut settings = vec![
        ("OKRBOT_DISCORD__SHARDS", "2".to_owned()),
        ("OKRBOT_HTTP__LISTEN", format!("127.0.0.1:{port}")),
    ];
    if let Some(r) = range {
        settings.push(("OKRBOT_DISCORD__SHARD_RANGE", r.to_owned()));
    }
    okrbot_run_with(url, fake, dir, name, &settings)
}

/// What `/readyz` of the process listening on `port` says, once it answers.
async fn readyz(port: u16) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await {
            if r.status().is_success() {
                return r.text().await.unwrap_or_default();
            }
        }
        assert!(Instant::now() < deadline, "no /readyz on port {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the open shards are `want`.
async fn until_open(fake: &FakeDiscord, want: &[u64]) {
    let deadline = Instant::now() + WAIT;
    while fake.open_shards() != want {
        assert!(
            Instant::now() < deadline,
            "open shards {:?}, not {want:?}",
            fake.open_shards()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `/okr help` in the guild: answered by whichever process holds the guild's shard.
async fn answered(fake: &FakeDiscord) {
    let interaction = okr_command(sub("help", vec![]), ADMIN, MANAGE_SERVER);
    let token = token_of(&interaction);
    fake.send_interaction(interaction).await;
    let callback = fake.wait_for(|r| is_callback(r, &token), WAIT).await;
    assert_eq!(callback.status, 204, "Discord accepted the callback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_shard_is_connected_by_one_process_and_a_standby_takes_its_range_over() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = crate::backend::fresh_url(dir.path(), "okrbot.db").await;
    let fake = FakeDiscord::start().await;
    if !okrbot::store::is_postgres(&url) {
        // SQLite: one process, both shards of its (whole) range.
        let port = free_port();
        let _only = sharded(&url, &fake, dir.path(), "only", None, port);
        until_open(&fake, &[0, 1]).await;
        let mut identified = fake.identified_shards();
        identified.sort_unstable();
        assert_eq!(identified, [[0, 2], [1, 2]]);
        assert!(
            readyz(port)
                .await
                .contains("gateway leader (shards 0-1 of 2)"),
            "{}",
            readyz(port).await
        );
        answered(&fake).await;
        assert_eq!(fake.most_sessions_at_once(), 1);
        assert_no_violations(&fake);
        return;
    }
    let ports = [free_port(), free_port(), free_port()];
    let mut first = sharded(&url, &fake, dir.path(), "first", Some("0"), ports[0]);
    until_open(&fake, &[0]).await;
    let _second = sharded(&url, &fake, dir.path(), "second", Some("1"), ports[1]);
    until_open(&fake, &[0, 1]).await;
    let _standby = sharded(&url, &fake, dir.path(), "standby", Some("0"), ports[2]);
    assert_eq!(
        readyz(ports[2]).await,
        "ready: gateway standby (shard 0 of 2), scheduler standby"
    );
    // More than a poll: the standby does not connect a shard another process holds.
    tokio::time::sleep(leadership_poll() + Duration::from_millis(500)).await;
    assert_eq!(fake.open_shards(), [0, 1]);
    assert_eq!(fake.identified_shards(), [[0, 2], [1, 2]]);
    assert!(readyz(ports[0])
        .await
        .contains("gateway leader (shard 0 of 2)"));
    assert!(readyz(ports[1])
        .await
        .contains("gateway leader (shard 1 of 2)"));
    answered(&fake).await;

    // The first process dies; the standby takes shard 0 over within a poll.
    first.child.kill().expect("kill -9 the first process");
    first.child.wait().expect("reap it");
    let killed = Instant::now();
    let deadline = killed + WAIT;
    while fake.identified_shards().len() < 3 {
        assert!(Instant::now() < deadline, "nobody took shard 0 over");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = killed.elapsed();
    until_open(&fake, &[0, 1]).await;
    assert_eq!(fake.identified_shards()[2], [0, 2]);
    assert!(readyz(ports[2])
        .await
        .contains("gateway leader (shard 0 of 2)"));
    eprintln!(
        "shard 0 taken over {took:?} after its process was killed (poll {:?})",
        leadership_poll()
    );
    assert!(
        took < leadership_poll() + Duration::from_secs(5),
        "{took:?}"
    );
    answered(&fake).await;
    assert_eq!(
        fake.most_sessions_at_once(),
        1,
        "no shard connected twice at once"
    );
    assert_no_violations(&fake);
}

fn leadership_poll() -> Duration {
    okrbot::leadership::POLL
}
