//! Answers to a prompt.

use super::*;
use okrbot::command::CheckInCommand;

// ---------------------------------------------------------------------------------------------
// Answers to a prompt
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn snoozing_a_prompt_sends_a_new_one_24_hours_later_listing_only_what_still_waits() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-14T12:00:00Z");
    growth(&app, setup_at).await;
    metric(&app, "GRO-1", "Activation speed", "alice", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let slot = at("2026-11-16T08:00:00Z");
    let sent = sim.run_until(slot).await;
    let prompt = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .find(|d| d.recipient == user("alice"))
        .expect("alice is prompted");
    assert_eq!(asked(&prompt.message), vec!["GRO-1.1", "GRO-1.4"]);

    check_in(&app, "alice", "GRO-1.1 55 c8", at("2026-11-16T09:00:00Z")).await;
    let snoozed_at = at("2026-11-16T09:30:00Z");
    let (due, tz) = app
        .okr
        .snooze(&person(&app, "alice"), snoozed_at)
        .await
        .expect("snooze");
    assert_eq!(tz, chrono_tz::Europe::Berlin);
    assert_eq!(due, snoozed_at + Duration::hours(24));

    let before = sim.run_until(due - Duration::minutes(1)).await;
    assert!(
        of_kind(&before, DeliveryKind::Prompt).is_empty(),
        "{before:?}"
    );
    // The snoozed prompt is what the scheduler wakes for next.
    let sent = sim.step(due).await.expect("a tick at the snooze's end");
    assert_eq!(sim.now, due);
    let again = of_kind(&sent, DeliveryKind::Prompt);
    assert_eq!(again.len(), 1, "{sent:?}");
    assert_eq!(again[0].recipient, user("alice"));
    assert_eq!(asked(&again[0].message), vec!["GRO-1.4"]);
    let later = sim.run_until(due + Duration::hours(12)).await;
    assert!(of_kind(&later, DeliveryKind::Prompt).is_empty());
}

/// `/okr snooze until:Thursday`: the prompt comes again on Thursday at its own local time (09:00
/// Berlin). Snoozing again before it came moves that one re-prompt (`for:2d`), never adds a
/// second; a snooze that cannot be is refused and changes nothing.
#[tokio::test]
async fn snoozing_until_a_day_and_again_moves_the_one_re_prompt() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-14T12:00:00Z");
    growth(&app, setup_at).await;
    metric(&app, "GRO-1", "Activation speed", "alice", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    sim.run_until(at("2026-11-16T08:00:00Z")).await;
    let alice = person(&app, "alice");
    let snoozed_at = at("2026-11-16T09:30:00Z");
    let (due, _) = app
        .okr
        .snooze_until(&alice, Some("Thursday"), None, snoozed_at)
        .await
        .expect("snooze until Thursday");
    assert_eq!(due, at("2026-11-19T08:00:00Z"), "Thursday 09:00 Berlin");

    let refused = app
        .okr
        .snooze_until(&alice, Some("someday"), None, snoozed_at)
        .await
        .expect_err("someday is no day");
    assert!(refused.to_string().contains("is not a day"), "{refused}");

    let again_at = snoozed_at + Duration::hours(1);
    let (moved, _) = app
        .okr
        .snooze_until(&alice, None, Some("2d"), again_at)
        .await
        .expect("snooze again");
    assert_eq!(moved, again_at + Duration::days(2));
    let waiting: i64 = crate::backend::raw!(app.okr.store(), |db| sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE kind = 'prompt' AND recipient = 'user:alice' \
         AND due_at > slot"
    )
    .fetch_one(db)
    .await)
    .expect("the re-prompts");
    assert_eq!(waiting, 1, "one re-prompt, moved");

    let sent = sim.run_until(at("2026-11-20T12:00:00Z")).await;
    let again: Vec<_> = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .filter(|d| d.recipient == user("alice"))
        .collect();
    assert_eq!(again.len(), 1, "{again:?}");
}

#[tokio::test]
async fn no_change_records_a_check_in_with_the_same_value() {
    let app = spawn_app().await;
    growth(&app, at("2026-11-10T10:00:00Z")).await;
    let alice = person(&app, "alice");
    check_in(&app, "alice", "GRO-1.1 42 c8", at("2026-11-12T10:00:00Z")).await;
    let (_, before, _) = app.okr.history(&alice, "GRO-1.1").await.expect("history");

    let when = at("2026-11-16T09:00:00Z");
    let outcome = app
        .okr
        .no_change(&alice, "GRO-1.1", CheckInSource::Button, None, when)
        .await
        .expect("no change");
    assert_eq!(outcome.kr.current, 42.0);
    assert_eq!(outcome.previous_value, 42.0);

    let (kr, after, _) = app.okr.history(&alice, "GRO-1.1").await.expect("history");
    assert_eq!(after.len(), before.len() + 1);
    let last = after.last().expect("a check-in");
    assert_eq!((last.value, last.created_at), (42.0, when));
    assert_eq!(kr.current, 42.0);
    assert_eq!(kr.last_check_in, Some(when));
}

/// "All no change" twice: the second records nothing and says so instead of "checked in".
#[tokio::test]
async fn a_repeated_all_no_change_records_nothing_and_says_so() {
    use okrbot::command;
    use okrbot::render::reply::{message, PlainText};

    let app = spawn_app().await;
    let setup_at = at("2026-11-14T12:00:00Z");
    growth(&app, setup_at).await;
    metric(&app, "GRO-1", "Activation speed", "alice", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    sim.run_until(at("2026-11-16T08:00:00Z")).await;

    let alice = person(&app, "alice");
    let press = || CheckInCommand::NoChangeAll {
        source: CheckInSource::Button,
    };
    let when = at("2026-11-16T09:00:00Z");
    let first = command::apply(&app.okr, &alice, press(), when)
        .await
        .expect("first press");
    assert_eq!(
        message(&first, &PlainText).title,
        "2 key results checked in unchanged"
    );
    let recorded = app.count("check_ins").await;
    let again = command::apply(&app.okr, &alice, press(), when + Duration::minutes(1))
        .await
        .expect("second press");
    let said = message(&again, &PlainText);
    assert!(said.title.starts_with("Already recorded"), "{}", said.title);
    assert_eq!(
        app.count("check_ins").await,
        recorded,
        "nothing new is written"
    );
}
