//! Turns to talk to a platform, kept where every process sees them (`src/pace.rs`). A key's row
//! holds its next free turn and how long a 429 holds it, in microseconds since the Unix epoch.
//! On PostgreSQL the time is the server's, so processes on hosts whose clocks differ still
//! space their turns; on SQLite, one file on one host, it is this host's.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::on;
use super::{Conn, Result};

/// The server's clock in microseconds, read once per statement, as a table `t(now)`.
macro_rules! pg_now {
    () => {
        "(SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now) t"
    };
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

fn host_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(micros)
        .unwrap_or(0)
}

fn wait_of(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

/// Books `key`'s next turn, `interval` after the one before it or now, whichever is later;
/// returns how long until it comes.
pub async fn reserve(c: &mut Conn, key: &str, interval: Duration) -> Result<Duration> {
    let step = micros(interval);
    loop {
        let now = host_now();
        let booked: Option<i64> = on!(
            c,
            sqlite
                | db
                | sqlx::query_scalar(
                    "UPDATE pace_turns SET next_at = max(next_at, $3) + $2 WHERE key = $1 \
                 RETURNING next_at - $2 - $3",
                )
                .bind(key)
                .bind(step)
                .bind(now)
                .fetch_optional(db)
                .await,
            postgres
                | db
                | sqlx::query_scalar(concat!(
                    "UPDATE pace_turns p SET next_at = GREATEST(p.next_at, t.now) + $2 FROM ",
                    pg_now!(),
                    " WHERE p.key = $1 RETURNING p.next_at - $2 - t.now"
                ))
                .bind(key)
                .bind(step)
                .fetch_optional(db)
                .await,
        )?;
        if let Some(wait) = booked {
            return Ok(wait_of(wait));
        }
        // The key's first turn ever: its row, then the booking.
        on!(c, |db| sqlx::query(
            "INSERT INTO pace_turns (key, next_at, held_until) VALUES ($1, 0, 0) \
             ON CONFLICT (key) DO NOTHING"
        )
        .bind(key)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    }
}

/// Holds `key` for `after` from now: no turn comes before then, one booked earlier included. A
/// later hold wins; an earlier one changes nothing.
pub async fn hold(c: &mut Conn, key: &str, after: Duration) -> Result<()> {
    let after = micros(after);
    on!(
        c,
        sqlite
            | db
            | sqlx::query(
                "INSERT INTO pace_turns (key, next_at, held_until) VALUES ($1, $2 + $3, $2 + $3) \
             ON CONFLICT (key) DO UPDATE SET next_at = max(next_at, excluded.next_at), \
             held_until = max(held_until, excluded.held_until)",
            )
            .bind(key)
            .bind(host_now())
            .bind(after)
            .execute(db)
            .await
            .map(|r| r.rows_affected()),
        postgres
            | db
            | sqlx::query(concat!(
                "INSERT INTO pace_turns (key, next_at, held_until) \
             SELECT $1, t.now + $2, t.now + $2 FROM ",
                pg_now!(),
                " ON CONFLICT (key) DO UPDATE SET \
             next_at = GREATEST(pace_turns.next_at, excluded.next_at), \
             held_until = GREATEST(pace_turns.held_until, excluded.held_until)"
            ))
            .bind(key)
            .bind(after)
            .execute(db)
            .await
            .map(|r| r.rows_affected()),
    )?;
    Ok(())
}

/// How long a hold on `key` still holds (zero when none does).
pub async fn held(c: &mut Conn, key: &str) -> Result<Duration> {
    let left: Option<i64> = on!(
        c,
        sqlite
            | db
            | sqlx::query_scalar("SELECT held_until - $2 FROM pace_turns WHERE key = $1")
                .bind(key)
                .bind(host_now())
                .fetch_optional(db)
                .await,
        postgres
            | db
            | sqlx::query_scalar(concat!(
                "SELECT p.held_until - t.now FROM pace_turns p, ",
                pg_now!(),
                " WHERE p.key = $1"
            ))
            .bind(key)
            .fetch_optional(db)
            .await,
    )?;
    Ok(left.map_or(Duration::ZERO, wait_of))
}
