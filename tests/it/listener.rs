//! The HTTP listener's limits (`docs/operations.md`, "The listener's limits"): a header timeout
//! that also closes idle connections, and a connection limit, so that slow, idle or numerous
//! clients cannot hold it. On 127.0.0.1, with short timeouts and a small limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use okrbot::clock::ManualClock;
use okrbot::http::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{now, spawn_app, TestApp};

/// The header timeout of these tests.
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);

/// Longer than any wait these tests allow for: an answer or a close later than this is none.
const PATIENCE: Duration = Duration::from_secs(5);

/// The listener on 127.0.0.1 with the short header timeout and `max_connections`: the app (kept
/// alive for the test) and the address.
async fn listen(max_connections: u32) -> (TestApp, String) {
    let app = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let limits = Limits {
        header_timeout: HEADER_TIMEOUT,
        max_connections,
        ..Limits::default()
    };
    let clock = Arc::new(ManualClock::new(now()));
    let stop = std::future::pending();
    tokio::spawn(okrbot::http::serve_on(
        listener,
        app.okr.clone(),
        clock,
        limits,
        stop,
    ));
    (app, address)
}

/// Waits for the server to close `stream`, reading (and returning) what it sends first; `None`
/// if it is still open after [`PATIENCE`].
async fn closed_by_server(stream: &mut TcpStream) -> Option<String> {
    let mut got = Vec::new();
    match tokio::time::timeout(PATIENCE, stream.read_to_end(&mut got)).await {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

/// `GET /healthz` on a new connection: the answer's text, or `None` after [`PATIENCE`].
async fn healthz(address: &str) -> Option<String> {
    let ask = async {
        let mut stream = TcpStream::connect(address).await.ok()?;
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.ok()?;
        Some(answer)
    };
    tokio::time::timeout(PATIENCE, ask).await.ok().flatten()
}

#[tokio::test]
async fn a_connection_that_sends_half_a_request_head_is_closed_once_the_header_timeout_passes() {
    let (_app, address) = listen(512).await;
    let start = Instant::now();
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let said = closed_by_server(&mut stream)
        .await
        .expect("the server closes a connection whose head never ends");
    assert!(said.is_empty(), "no answer to half a request: {said}");
    assert!(
        start.elapsed() >= HEADER_TIMEOUT - Duration::from_millis(50),
        "closed after the timeout, not before: {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed_once_the_header_timeout_passes() {
    let (_app, address) = listen(512).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let said = closed_by_server(&mut stream)
        .await
        .expect("the server closes a kept-alive connection that sends nothing more");
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(
        said.ends_with("ok"),
        "the answer came before the close: {said}"
    );
}

#[tokio::test]
async fn with_three_times_the_connection_limit_held_by_idle_clients_a_new_one_is_answered_once_they_time_out(
) {
    let limit = 20;
    let (_app, address) = listen(limit).await;
    let start = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..3 * limit {
        idle.push(TcpStream::connect(&address).await.unwrap());
    }
    let answer = healthz(&address)
        .await
        .expect("/healthz answers a new client while idle ones hold the listener");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    // Only `limit` connections are served at once: the new client waited behind three rounds
    // of idle ones, each round closed by the header timeout.
    assert!(
        start.elapsed() >= 2 * HEADER_TIMEOUT,
        "the limit held: answered after {:?}",
        start.elapsed()
    );
    for stream in &mut idle {
        let said = closed_by_server(stream)
            .await
            .expect("each idle connection is closed by the header timeout");
        assert!(said.is_empty(), "{said}");
    }
}
