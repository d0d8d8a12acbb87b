//! Schedules across daylight-saving changes (`docs/schedules-and-delivery.md`: "Daylight-saving changes never
//! move 09:00 local"), the `okrbot schedule preview` command against what the scheduler really
//! does, and `/okr schedule set`.
//!
//! Each zone test sets up a team in that zone with a cycle spanning a change, gives an owner a
//! key result, and walks the scheduler from due time to due time across the change. The owner
//! answers every prompt, so every Monday has a prompt (no lead report replaces it).

use crate::common::{at, date, spawn_app, TestApp};
use chrono::{DateTime, Datelike, Duration, Offset, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use okrbot::domain::model::CheckInSource;
use okrbot::outbox::{DeliveryKind, RecordingOutbox};
use okrbot::scheduler::Scheduler;
use okrbot::service::objectives::{KrInput, ObjectiveInput};
use okrbot::service::schedule::ScheduleChange;
use okrbot::service::setup::SetupInput;
use okrbot::service::Actor;

/// What a walk saw: the prompt and digest slots, in order.
struct Walked {
    prompts: Vec<DateTime<Utc>>,
    digests: Vec<DateTime<Utc>>,
}

/// Team "Zone" in `tz` (lead lena, channel #zone) with a cycle `start..=end` and one metric key
/// result owned by alice, all set up at `from`.
async fn zone_team(app: &TestApp, tz: &str, start: &str, end: &str, from: DateTime<Utc>) {
    let okr = &app.okr;
    okr.setup(
        &app.admin,
        SetupInput {
            team: "Zone".into(),
            timezone: Some(tz.into()),
            channel: Some("zone".into()),
            prefix: Some("ZON".into()),
            leads: Some(vec!["lena".into()]),
        },
        from,
    )
    .await
    .expect("team set up");
    okr.cycle_new(&app.admin, "C", date(start), date(end), from)
        .await
        .expect("cycle");
    let o = okr
        .objective_add(
            &app.admin,
            ObjectiveInput {
                team: "Zone".into(),
                title: "Be on time".into(),
                cycle: Some("C".into()),
                ..Default::default()
            },
            from,
        )
        .await
        .expect("objective");
    okr.kr_add(
        &app.admin,
        KrInput {
            objective: o.code,
            title: "Punctuality".into(),
            kind: Some("metric".into()),
            unit: Some("count".into()),
            start: Some("0".into()),
            target: Some("100".into()),
            owner: Some("alice".into()),
            ..Default::default()
        },
        from,
    )
    .await
    .expect("key result");
}

/// Walks the scheduler from `from` through `until`, alice answering each prompt 20 minutes
/// after it arrives.
async fn walk(app: &TestApp, from: DateTime<Utc>, until: DateTime<Utc>) -> Walked {
    let scheduler = Scheduler::new(app.okr.clone());
    let outbox = RecordingOutbox::new();
    let alice = Actor {
        workspace: app.workspace,
        user: "alice".into(),
        admin: false,
        roles: vec![],
    };
    let mut now = from;
    let mut last = None;
    let mut seen = Walked {
        prompts: vec![],
        digests: vec![],
    };
    while let Some(next) = scheduler.next_wake().await.expect("next wake") {
        if next > until {
            break;
        }
        now = next.max(now);
        assert_ne!(last, Some(now), "the scheduler does not move on");
        last = Some(now);
        scheduler.tick(now, &outbox).await.expect("tick");
        for d in outbox.take() {
            match d.kind {
                DeliveryKind::Prompt => {
                    seen.prompts.push(d.slot);
                    app.okr
                        .check_in_text(
                            &alice,
                            "ZON-1.1 50 c8",
                            CheckInSource::Button,
                            None,
                            now + Duration::minutes(20),
                        )
                        .await
                        .expect("alice answers");
                }
                DeliveryKind::Digest => seen.digests.push(d.slot),
                _ => {}
            }
        }
    }
    seen
}

/// Every instant is `weekday hh:mm` local in `tz`; returns their UTC offsets in seconds.
#[track_caller]
fn assert_local(slots: &[DateTime<Utc>], tz: Tz, weekday: Weekday, hh: u32, mm: u32) -> Vec<i32> {
    slots
        .iter()
        .map(|s| {
            let local = s.with_timezone(&tz);
            assert_eq!(
                (
                    local.weekday(),
                    local.hour(),
                    local.minute(),
                    local.second()
                ),
                (weekday, hh, mm, 0),
                "{s} is {local} in {tz}"
            );
            local.offset().fix().local_minus_utc()
        })
        .collect()
}

const H: i32 = 3600;

/// Sets up the zone, walks it, and checks prompts (Monday 09:00) and digests (Monday 16:00)
/// local on both sides of the change, returning the prompt slots and their offsets.
async fn prompts_across(
    tz: Tz,
    cycle: (&str, &str),
    from: &str,
    until: &str,
) -> (Vec<DateTime<Utc>>, Vec<i32>) {
    let app = spawn_app().await;
    zone_team(&app, tz.name(), cycle.0, cycle.1, at(from)).await;
    let seen = walk(&app, at(from), at(until)).await;
    let offsets = assert_local(&seen.prompts, tz, Weekday::Mon, 9, 0);
    let digest_offsets = assert_local(&seen.digests, tz, Weekday::Mon, 16, 0);
    assert_eq!(seen.digests.len(), seen.prompts.len());
    assert_eq!(digest_offsets, offsets);
    (seen.prompts, offsets)
}

#[tokio::test]
async fn berlin_prompts_stay_at_monday_0900_local_when_summer_time_ends_on_2026_10_25() {
    let (slots, offsets) = prompts_across(
        chrono_tz::Europe::Berlin,
        ("2026-10-01", "2026-12-31"),
        "2026-10-10T12:00:00Z",
        "2026-11-03T00:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![
            at("2026-10-12T07:00:00Z"),
            at("2026-10-19T07:00:00Z"),
            at("2026-10-26T08:00:00Z"),
            at("2026-11-02T08:00:00Z"),
        ]
    );
    assert_eq!(offsets, vec![2 * H, 2 * H, H, H]);
}

#[tokio::test]
async fn berlin_prompts_stay_at_monday_0900_local_when_summer_time_starts_on_2026_03_29() {
    let (slots, offsets) = prompts_across(
        chrono_tz::Europe::Berlin,
        ("2026-03-01", "2026-05-31"),
        "2026-03-14T12:00:00Z",
        "2026-04-07T00:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![
            at("2026-03-16T08:00:00Z"),
            at("2026-03-23T08:00:00Z"),
            at("2026-03-30T07:00:00Z"),
            at("2026-04-06T07:00:00Z"),
        ]
    );
    assert_eq!(offsets, vec![H, H, 2 * H, 2 * H]);
}

#[tokio::test]
async fn new_york_prompts_stay_at_monday_0900_local_when_daylight_time_ends_on_2026_11_01() {
    let (slots, offsets) = prompts_across(
        chrono_tz::America::New_York,
        ("2026-10-01", "2026-12-31"),
        "2026-10-17T12:00:00Z",
        "2026-11-10T00:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![
            at("2026-10-19T13:00:00Z"),
            at("2026-10-26T13:00:00Z"),
            at("2026-11-02T14:00:00Z"),
            at("2026-11-09T14:00:00Z"),
        ]
    );
    assert_eq!(offsets, vec![-4 * H, -4 * H, -5 * H, -5 * H]);
}

#[tokio::test]
async fn new_york_prompts_stay_at_monday_0900_local_when_daylight_time_starts_on_2026_03_08() {
    let (slots, offsets) = prompts_across(
        chrono_tz::America::New_York,
        ("2026-02-01", "2026-04-30"),
        "2026-02-21T12:00:00Z",
        "2026-03-17T00:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![
            at("2026-02-23T14:00:00Z"),
            at("2026-03-02T14:00:00Z"),
            at("2026-03-09T13:00:00Z"),
            at("2026-03-16T13:00:00Z"),
        ]
    );
    assert_eq!(offsets, vec![-5 * H, -5 * H, -4 * H, -4 * H]);
}

#[tokio::test]
async fn sydney_prompts_stay_at_monday_0900_local_when_daylight_time_ends_on_2026_04_05() {
    // Monday 09:00 in Sydney is Sunday evening UTC.
    let (slots, offsets) = prompts_across(
        chrono_tz::Australia::Sydney,
        ("2026-03-01", "2026-05-31"),
        "2026-03-21T00:00:00Z",
        "2026-04-13T12:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![
            at("2026-03-22T22:00:00Z"),
            at("2026-03-29T22:00:00Z"),
            at("2026-04-05T23:00:00Z"),
            at("2026-04-12T23:00:00Z"),
        ]
    );
    assert_eq!(offsets, vec![11 * H, 11 * H, 10 * H, 10 * H]);
}

#[tokio::test]
async fn sydney_prompts_stay_at_monday_0900_local_when_daylight_time_starts_on_2026_10_04() {
    let (slots, offsets) = prompts_across(
        chrono_tz::Australia::Sydney,
        ("2026-09-01", "2026-11-30"),
        "2026-09-19T00:00:00Z",
        "2026-10-12T12:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![
            at("2026-09-20T23:00:00Z"),
            at("2026-09-27T23:00:00Z"),
            at("2026-10-04T22:00:00Z"),
            at("2026-10-11T22:00:00Z"),
        ]
    );
    assert_eq!(offsets, vec![10 * H, 10 * H, 11 * H, 11 * H]);
}

#[tokio::test]
async fn kathmandu_prompts_at_0900_local_fall_at_0315_utc() {
    let (slots, offsets) = prompts_across(
        chrono_tz::Asia::Kathmandu,
        ("2026-10-01", "2026-12-31"),
        "2026-11-14T12:00:00Z",
        "2026-11-24T00:00:00Z",
    )
    .await;
    assert_eq!(
        slots,
        vec![at("2026-11-16T03:15:00Z"), at("2026-11-23T03:15:00Z")]
    );
    assert_eq!(offsets, vec![5 * H + 45 * 60; 2]);
}

// ---------------------------------------------------------------------------------------------
// okrbot schedule preview
// ---------------------------------------------------------------------------------------------

fn okrbot(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::process::Command::new(env!("CARGO_BIN_EXE_okrbot"))
        .args(args)
        .env(
            "OKRBOT_DATABASE_URL",
            crate::backend::unused_url(dir.path(), "unused.db"),
        )
        .output()
        .expect("okrbot runs")
}

#[tokio::test]
async fn schedule_preview_prints_exactly_the_instants_the_scheduler_prompts_at() {
    let out = okrbot(&[
        "schedule",
        "preview",
        "--cron",
        "0 9 * * Mon",
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-10-20T00:00:00Z",
        "--count",
        "3",
    ]);
    assert!(out.status.success(), "{out:?}");
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        printed,
        "2026-10-26T09:00:00+01:00\n2026-11-02T09:00:00+01:00\n2026-11-09T09:00:00+01:00\n"
    );

    // The same team's prompts, from the scheduler itself.
    let app = spawn_app().await;
    let from = at("2026-10-20T00:00:00Z");
    zone_team(&app, "Europe/Berlin", "2026-10-01", "2026-12-31", from).await;
    let seen = walk(&app, from, at("2026-11-10T00:00:00Z")).await;
    let scheduled: String = seen
        .prompts
        .iter()
        .map(|s| {
            format!(
                "{}\n",
                s.with_timezone(&chrono_tz::Europe::Berlin).to_rfc3339()
            )
        })
        .collect();
    assert_eq!(scheduled, printed);
}

#[test]
fn schedule_preview_refuses_every_30_minutes_and_shows_an_example_that_works() {
    let out = okrbot(&["schedule", "preview", "--cron", "*/30 * * * *"]);
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("*/30 * * * *"), "{err}");
    assert!(err.contains("at most one per hour"), "{err}");
    // The example it gives is itself accepted.
    let example = err
        .split("e.g. `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no example in {err}"));
    assert_eq!(example, "0 9 * * Mon");
    let ok = okrbot(&["schedule", "preview", "--cron", example, "--count", "1"]);
    assert!(ok.status.success(), "{ok:?}");
}

// ---------------------------------------------------------------------------------------------
// /okr schedule set
// ---------------------------------------------------------------------------------------------

async fn schedule_rows(app: &TestApp) -> Vec<(i64, String, String, i64)> {
    crate::backend::raw!(app.okr.store(), |db| sqlx::query_as(
        "SELECT team_id, kind, cron, next_due_at FROM schedules ORDER BY team_id, kind"
    )
    .fetch_all(db)
    .await)
    .expect("schedules rows")
}

#[tokio::test]
async fn schedule_set_refuses_an_unparsable_or_too_frequent_expression_and_writes_nothing() {
    let app = spawn_app().await;
    let now = at("2026-11-16T10:00:00Z");
    zone_team(&app, "Europe/Berlin", "2026-10-01", "2026-12-31", now).await;
    let lena = app.user("lena");
    let before = schedule_rows(&app).await;
    assert_eq!(before.len(), 4);

    for (change, quoted, says) in [
        (
            ScheduleChange {
                prompt: Some("every monday at nine".into()),
                ..Default::default()
            },
            "every monday at nine",
            "couldn't read",
        ),
        (
            ScheduleChange {
                prompt: Some("*/10 * * * *".into()),
                ..Default::default()
            },
            "*/10 * * * *",
            "at most one per hour",
        ),
        // A good prompt beside a bad digest: neither is written.
        (
            ScheduleChange {
                prompt: Some("0 10 * * Tue".into()),
                digest: Some("0 16 * * Fri,Fry".into()),
                ..Default::default()
            },
            "0 16 * * Fri,Fry",
            "digest",
        ),
    ] {
        let err = app
            .okr
            .schedule_set(&lena, "Zone", change, now)
            .await
            .expect_err("refused");
        let msg = err.to_string();
        assert!(!err.is_internal(), "{msg}");
        assert!(msg.contains(quoted), "{msg}");
        assert!(msg.contains(says), "{msg}");
        assert!(
            msg.contains("0 9 * * Mon"),
            "shows a correct example: {msg}"
        );
        assert_eq!(schedule_rows(&app).await, before, "nothing written");
    }
}

#[tokio::test]
async fn a_leads_schedule_change_moves_the_next_prompt_to_tuesday_1000_local() {
    let app = spawn_app().await;
    let now = at("2026-11-16T10:00:00Z");
    zone_team(&app, "Europe/Berlin", "2026-10-01", "2026-12-31", now).await;
    let view = app
        .okr
        .schedule_set(
            &app.user("lena"),
            "Zone",
            ScheduleChange {
                prompt: Some("0 10 * * Tue".into()),
                ..Default::default()
            },
            now,
        )
        .await
        .expect("the lead may change the schedule");
    let (_, expr, next) = view
        .entries
        .iter()
        .find(|(k, ..)| k.as_str() == "prompt")
        .expect("the prompt entry");
    assert_eq!(expr, "0 10 * * Tue");
    assert_eq!(
        next[0].to_rfc3339(),
        "2026-11-17T10:00:00+01:00",
        "shown in local time"
    );
    let prompt_due: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT next_due_at FROM schedules WHERE kind = 'prompt'"
    )
    .fetch_one(db)
    .await)
    .expect("prompt row");
    assert_eq!(prompt_due, at("2026-11-17T09:00:00Z").timestamp());

    // The scheduler follows: Tuesdays 10:00 Berlin, no Monday prompt any more.
    let seen = walk(&app, now, at("2026-11-25T00:00:00Z")).await;
    assert_eq!(
        seen.prompts,
        vec![at("2026-11-17T09:00:00Z"), at("2026-11-24T09:00:00Z")]
    );
}
