//! The scheduler end to end: prompts, reminders, lead reports, digests and at-risk alerts decided
//! from the real SQLite store and delivered through a recording outbox, on a simulated clock
//! (`docs/schedules-and-delivery.md`).
//!
//! Every test acts at fixed instants in the cycle 2026-Q4 (2026-10-01 to 2026-12-31). Team
//! Growth is in Europe/Berlin (CET, UTC+1, from 2026-10-25), so its Monday 09:00 prompt in
//! November is 08:00Z, its Wednesday 09:00 reminder 08:00Z and its Monday 16:00 digest 15:00Z.

use std::collections::{BTreeMap, HashMap};

use crate::common::{assert_mentions, at, date, spawn_app, TestApp};
use chrono::{DateTime, Duration, Timelike, Utc};
use okrbot::domain::message::{ActionKind, Message};
use okrbot::domain::model::{CheckInSource, Cycle};
use okrbot::domain::scoring::expected_progress;
use okrbot::domain::view::StatusScope;
use okrbot::outbox::{Delivery, DeliveryKind, Recipient, RecordingOutbox};
use okrbot::scheduler::Scheduler;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::setup::SetupInput;
use okrbot::service::{Actor, Okr};
use okrbot::store::Store;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The scheduler on a simulated clock that jumps from one due time to the next, like the demo.
struct Sim {
    scheduler: Scheduler,
    outbox: RecordingOutbox,
    now: DateTime<Utc>,
    /// The instant of the last [`Sim::step`], to notice a scheduler that does not move on.
    stepped: Option<DateTime<Utc>>,
    /// Everything delivered so far, in order.
    log: Vec<Delivery>,
}

impl Sim {
    fn new(okr: &Okr, start: DateTime<Utc>) -> Sim {
        Sim {
            scheduler: Scheduler::new(okr.clone()),
            outbox: RecordingOutbox::new(),
            now: start,
            stepped: None,
            log: Vec::new(),
        }
    }

    /// One tick at `t` (never before the last one); returns what it delivered.
    async fn tick_at(&mut self, t: DateTime<Utc>) -> Vec<Delivery> {
        self.now = t.max(self.now);
        self.scheduler
            .tick(self.now, &self.outbox)
            .await
            .expect("the tick succeeds");
        let sent = self.outbox.take();
        self.log.extend(sent.iter().cloned());
        sent
    }

    /// Ticks at the next due time if it is not after `until`; returns what that tick delivered.
    async fn step(&mut self, until: DateTime<Utc>) -> Option<Vec<Delivery>> {
        let next = self
            .scheduler
            .next_wake()
            .await
            .expect("next wake")
            .expect("a team always has something scheduled");
        if next > until {
            return None;
        }
        let t = next.max(self.now);
        assert_ne!(
            self.stepped,
            Some(t),
            "the scheduler does not move on: next wake {next}"
        );
        self.stepped = Some(t);
        Some(self.tick_at(t).await)
    }

    /// Walks every due time up to `until` and returns all that was delivered on the way.
    async fn run_until(&mut self, until: DateTime<Utc>) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Some(sent) = self.step(until).await {
            out.extend(sent);
        }
        out
    }
}

fn person(app: &TestApp, name: &str) -> Actor {
    app.user(name)
}

async fn team(app: &TestApp, name: &str, tz: &str, prefix: &str, lead: &str, when: DateTime<Utc>) {
    app.okr
        .setup(
            &app.admin,
            SetupInput {
                team: name.into(),
                timezone: Some(tz.into()),
                channel: Some(name.to_ascii_lowercase()),
                prefix: Some(prefix.into()),
                leads: Some(vec![lead.into()]),
            },
            when,
        )
        .await
        .expect("team set up");
}

async fn q4(app: &TestApp, when: DateTime<Utc>) -> Cycle {
    app.okr
        .cycle_new(
            &app.admin,
            "2026-Q4",
            date("2026-10-01"),
            date("2026-12-31"),
            when,
        )
        .await
        .expect("cycle 2026-Q4")
}

async fn objective(app: &TestApp, team: &str, title: &str, when: DateTime<Utc>) -> String {
    app.okr
        .objective_add(
            &app.admin,
            ObjectiveInput {
                team: team.into(),
                title: title.into(),
                ..Default::default()
            },
            when,
        )
        .await
        .expect("objective added")
        .code
}

/// A metric key result counting from 0 to 100, so a value is its progress in percent.
async fn metric(
    app: &TestApp,
    objective: &str,
    title: &str,
    owner: &str,
    when: DateTime<Utc>,
) -> String {
    app.okr
        .kr_add(
            &app.admin,
            KrInput {
                objective: objective.into(),
                title: title.into(),
                kind: Some("metric".into()),
                unit: Some("count".into()),
                start: Some("0".into()),
                target: Some("100".into()),
                owner: Some(owner.into()),
                ..Default::default()
            },
            when,
        )
        .await
        .expect("key result added")
        .code
}

async fn check_in(app: &TestApp, who: &str, line: &str, when: DateTime<Utc>) {
    app.okr
        .check_in_text(&person(app, who), line, CheckInSource::Text, None, when)
        .await
        .unwrap_or_else(|e| panic!("{who} checks in {line:?}: {e}"));
}

/// Team Growth (Europe/Berlin, lead lena, channel #growth), cycle 2026-Q4, objective GRO-1 with
/// GRO-1.1 (alice), GRO-1.2 (bob), GRO-1.3 (carol), all metrics 0 -> 100, set up at `when`.
async fn growth(app: &TestApp, when: DateTime<Utc>) -> Cycle {
    team(app, "Growth", "Europe/Berlin", "GRO", "lena", when).await;
    let cycle = q4(app, when).await;
    let o = objective(app, "Growth", "Enhance customer onboarding", when).await;
    for (title, owner) in [
        ("Activation rate", "alice"),
        ("Onboarding NPS", "bob"),
        ("Guided setup adoption", "carol"),
    ] {
        metric(app, &o, title, owner, when).await;
    }
    cycle
}

/// Dates every key result back to the quarter's first day, as if set then: tests that judge
/// pace over the whole quarter set up mid-way for brevity, and a key result's pace counts from
/// the day it was added (`docs/scoring.md`, "Expected progress").
async fn set_at_the_quarters_start(app: &TestApp) {
    crate::backend::raw!(app.okr.store(), |db| sqlx::query(
        "UPDATE key_results SET created_at = $1"
    )
    .bind(at("2026-10-01T00:00:00Z"))
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("key results dated back");
}

/// Lets the team's channel be posted to at any hour, for tests about what is decided rather
/// than when it may go out (working hours have their own tests).
async fn at_any_hour(app: &TestApp, team: &str, when: DateTime<Utc>) {
    let change = okrbot::service::schedule::ScheduleChange {
        hours: Some("always".into()),
        ..Default::default()
    };
    app.okr
        .schedule_set(&app.admin, team, change, when)
        .await
        .expect("hours:always");
}

/// The codes a prompt or reminder asks about (its Update buttons).
fn asked(m: &Message) -> Vec<String> {
    m.actions
        .iter()
        .filter(|a| a.kind == ActionKind::Update)
        .filter_map(|a| a.target.clone())
        .collect()
}

fn text(m: &Message) -> String {
    okrbot::console::text::render(m)
}

fn user(name: &str) -> Recipient {
    Recipient::User(name.into())
}

fn of_kind(ds: &[Delivery], kind: DeliveryKind) -> Vec<&Delivery> {
    ds.iter().filter(|d| d.kind == kind).collect()
}

/// Every (kind, recipient, slot) delivered at most once.
#[track_caller]
fn assert_each_once(ds: &[Delivery]) {
    let mut seen: HashMap<(DeliveryKind, String, DateTime<Utc>), usize> = HashMap::new();
    for d in ds {
        *seen.entry((d.kind, d.recipient.key(), d.slot)).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

async fn next_due(okr: &Okr, kind: &str) -> DateTime<Utc> {
    let secs: i64 = crate::backend::raw!(okr.store(), |db| sqlx::query_scalar(
        "SELECT next_due_at FROM schedules WHERE kind = $1"
    )
    .bind(kind)
    .fetch_one(db)
    .await)
    .expect("one schedule of that kind");
    DateTime::from_timestamp(secs, 0).expect("a valid instant")
}

/// (kind, recipient, slot, state) of every ledger row, in decision order.
async fn ledger(okr: &Okr) -> Vec<(String, String, i64, String)> {
    crate::backend::raw!(okr.store(), |db| sqlx::query_as(
        "SELECT kind, recipient, slot, state FROM deliveries ORDER BY id"
    )
    .fetch_all(db)
    .await)
    .expect("ledger rows")
}

/// (state, announced) of the at-risk alerts of one key result, oldest first.
async fn alert_rows(okr: &Okr, code: &str, actor: &Actor) -> Vec<(String, bool)> {
    let kr = okr.kr(actor, code).await.expect("the key result");
    crate::backend::raw!(okr.store(), |db| sqlx::query_as(
        "SELECT state, announced FROM alerts WHERE subject = $1 ORDER BY id"
    )
    .bind(kr.id.0)
    .fetch_all(db)
    .await)
    .expect("alert rows")
}

mod alerts;
mod answers;
mod bad_rows;
mod carry_over;
mod digests;
mod exactly_once;
mod kpi_prompts;
mod nudges;
mod people;
mod quarter;
mod shares;
mod wake;
mod working_hours;
