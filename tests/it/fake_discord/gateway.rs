//! The gateway: enough of Discord's WebSocket protocol for one serenity shard.
//!
//! Hello (op 10) on connect; Identify (op 2) is answered with READY (the guild listed as
//! unavailable, as Discord does) and then GUILD_CREATE, so serenity's cache knows the guild and
//! its channel; heartbeats (op 1) get acks (op 11); a Resume (op 6) gets Invalid Session (op 9)
//! so the shard identifies afresh. After Identify, events the test sends are dispatched (op 0)
//! with increasing sequence numbers.

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::{objects, FakeDiscord, State};

pub async fn serve(state: Arc<State>) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the fake gateway port");
    let addr = listener.local_addr().expect("a bound address");
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(state.clone(), stream));
        }
    });
    (addr, task)
}

/// An identified connection of one shard, counted in [`State`]'s sessions until it ends.
struct Session<'a> {
    state: &'a State,
    shard: u64,
}

impl<'a> Session<'a> {
    fn open(state: &'a State, shard: u64) -> Session<'a> {
        let mut sessions = state.sessions.lock().unwrap();
        let now = sessions.entry(shard).or_default();
        *now += 1;
        state
            .most_sessions
            .fetch_max(*now, std::sync::atomic::Ordering::SeqCst);
        if let Some(since) = state.down_since.lock().unwrap().take() {
            state.gaps.lock().unwrap().push(since.elapsed());
        }
        Session { state, shard }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let mut sessions = self.state.sessions.lock().unwrap();
        if let Some(n) = sessions.get_mut(&self.shard) {
            *n = n.saturating_sub(1);
        }
        if sessions.values().all(|n| *n == 0) {
            *self.state.down_since.lock().unwrap() = Some(std::time::Instant::now());
        }
    }
}

async fn connection(state: Arc<State>, stream: tokio::net::TcpStream) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        state.violation("gateway: a connection that is not a WebSocket handshake".to_owned());
        return;
    };
    let (mut sink, mut source) = ws.split();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 45000}});
    if sink.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    let mut seq = 0u64;
    let mut session: Option<Session<'_>> = None;
    // Dispatches from the test; a channel that never yields until the shard identifies.
    let (_unused, mut events) = mpsc::unbounded_channel::<Value>();
    loop {
        let out: Value = tokio::select! {
            frame = source.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                    Some(Ok(Message::Binary(_))) => {
                        state.violation("gateway: a binary frame from the bot".to_owned());
                        continue;
                    }
                    _ => return,
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else {
                    state.violation(format!("gateway: a frame that is not JSON: {text}"));
                    continue;
                };
                match payload["op"].as_u64() {
                    Some(1) => json!({"op": 11}),
                    Some(2) => {
                        let shard = &payload["d"]["shard"];
                        let (id, total) = (
                            shard[0].as_u64().unwrap_or(0),
                            shard[1].as_u64().unwrap_or(1).max(1),
                        );
                        state.identified.lock().unwrap().push([id, total]);
                        *state.intents.lock().unwrap() = payload["d"]["intents"].as_u64();
                        state
                            .total_shards
                            .store(total, std::sync::atomic::Ordering::SeqCst);
                        let url = state.gateway_url.lock().unwrap().clone();
                        let (sender, receiver) = mpsc::unbounded_channel();
                        events = receiver;
                        // The guild is on one shard only, as Discord spreads guilds.
                        let ours = state.shard_of(Some(FakeDiscord::GUILD_ID)) == id;
                        let mut ready = objects::ready(&url);
                        ready["shard"] = json!([id, total]);
                        if !ours {
                            ready["guilds"] = json!([]);
                        }
                        let mut greeting = vec![("READY", ready)];
                        if ours {
                            greeting.push(("GUILD_CREATE", objects::guild()));
                        }
                        for (t, d) in greeting {
                            seq += 1;
                            let event = json!({"op": 0, "s": seq, "t": t, "d": d});
                            if sink.send(Message::Text(event.to_string())).await.is_err() {
                                return;
                            }
                        }
                        state.dispatch.lock().unwrap().insert(id, sender);
                        if session.is_none() {
                            session = Some(Session::open(&state, id));
                        }
                        state.ready.send_replace(true);
                        continue;
                    }
                    // Presence and voice state updates need no answer.
                    Some(3 | 4) => continue,
                    Some(6) => json!({"op": 9, "d": false}),
                    other => {
                        state.violation(format!("gateway: unexpected opcode {other:?}: {text}"));
                        continue;
                    }
                }
            }
            Some(event) = events.recv() => {
                seq += 1;
                json!({"op": 0, "s": seq, "t": event["t"], "d": event["d"]})
            }
        };
        if sink.send(Message::Text(out.to_string())).await.is_err() {
            return;
        }
    }
}
