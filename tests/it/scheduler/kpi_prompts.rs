//! KPIs asked for like key results (`docs/kpis.md`, "Asked for"): a KPI read by hand is in its
//! owner's prompt, with the same buttons; reminders, All no change and Snooze answer for it; a
//! cadence spaces the asking; a reading past its cadence is stale wherever the KPI is shown.

use super::*;
use okrbot::command::CheckInCommand;
use okrbot::domain::model::KpiId;
use okrbot::service::kpis::KpiInput;

/// KPI `name` of Growth (percent, healthy at least 7%), owned by `owner` if any.
async fn kpi(app: &TestApp, name: &str, owner: Option<&str>, when: DateTime<Utc>) -> KpiId {
    let (_, k) = app
        .okr
        .kpi_add(
            &app.admin,
            KpiInput {
                team: "Growth".into(),
                name: name.into(),
                unit: Some("percent".into()),
                min: Some("7".into()),
                owner: owner.map(Into::into),
                ..Default::default()
            },
            when,
        )
        .await
        .expect("KPI added");
    k.id
}

async fn read(app: &TestApp, name: &str, value: &str, when: DateTime<Utc>) {
    app.okr
        .kpi_set(&app.admin, name, value, when)
        .await
        .unwrap_or_else(|e| panic!("{name} read {value}: {e}"));
}

/// The KPIs a prompt or reminder asks for (its KPI Update buttons).
fn asked_kpis(m: &Message) -> Vec<String> {
    m.actions
        .iter()
        .filter(|a| a.kind == ActionKind::ReadKpi)
        .filter_map(|a| a.target.clone())
        .collect()
}

async fn readings(app: &TestApp) -> i64 {
    app.count("kpi_readings").await
}

#[tokio::test]
async fn a_kpi_read_by_hand_is_asked_of_its_owner_in_the_same_prompt_as_their_key_results() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-09T12:00:00Z");
    growth(&app, setup_at).await;
    let conversion = kpi(&app, "conversion", Some("alice"), setup_at).await;
    read(&app, "conversion", "7.2%", setup_at).await;
    // A KPI whose owner owns no key result: prompted for the KPI alone.
    kpi(&app, "nps", Some("dave"), setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-11-16T08:00:00Z")).await;
    let prompts = of_kind(&sent, DeliveryKind::Prompt);
    let alice = prompts
        .iter()
        .find(|d| d.recipient == user("alice"))
        .expect("alice is prompted");
    assert_eq!(asked(&alice.message), ["GRO-1.1"]);
    assert_eq!(asked_kpis(&alice.message), ["conversion"]);
    let said = text(&alice.message);
    assert_mentions(
        &said,
        &[
            "Weekly check-in for Growth: 1 key result and 1 KPI",
            "KPI conversion",
            "7.2% · healthy: at least 7%",
            "last reading 6 days ago",
            "/kpi set kpi:conversion value:<reading>",
            "/kpi set kpi:conversion value:same",
            "/okr nochange all",
        ],
    );
    let dave = prompts
        .iter()
        .find(|d| d.recipient == user("dave"))
        .expect("dave is prompted for his KPI alone");
    assert!(asked(&dave.message).is_empty());
    assert_eq!(asked_kpis(&dave.message), ["nps"]);
    assert_mentions(
        &text(&dave.message),
        &["Growth: 1 KPI", "no reading yet", "never read"],
    );
    // Nothing to keep before a first reading: no No change for nps.
    assert!(!dave
        .message
        .actions
        .iter()
        .any(|a| a.kind == ActionKind::KpiNoChange));
    let stored: String = crate::backend::raw!(app.okr.store(), |db| {
        sqlx::query_scalar(
        "SELECT kpi_subjects FROM deliveries WHERE kind = 'prompt' AND recipient = 'user:alice'",
    )
    .fetch_one(db).await
    })
    .unwrap();
    assert_eq!(stored, format!("[{}]", conversion.0));
    assert_each_once(&sim.log);
}

#[tokio::test]
async fn a_kpi_read_recently_or_within_its_cadence_is_not_asked_and_one_read_by_a_source_never() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-09T12:00:00Z");
    growth(&app, setup_at).await;
    kpi(&app, "conversion", Some("alice"), setup_at).await;
    kpi(&app, "churn", Some("alice"), setup_at).await;
    kpi(&app, "signups", Some("alice"), setup_at).await;
    // Read on Saturday: within the 3 days a check-in counts for Monday's prompt.
    read(&app, "conversion", "7.2%", at("2026-11-14T10:00:00Z")).await;
    // Monthly, read a week ago: not due for three more weeks.
    read(&app, "churn", "8%", setup_at).await;
    app.okr
        .kpi_edit(&app.admin, "churn", None, Some("monthly"), setup_at)
        .await
        .expect("cadence:monthly");
    // Readings come by push: nobody is asked.
    app.okr
        .kpi_token(&app.admin, "signups")
        .await
        .expect("a push token");
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-11-16T08:00:00Z")).await;
    let alice = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .find(|d| d.recipient == user("alice"))
        .expect("alice is prompted for GRO-1.1");
    assert!(asked_kpis(&alice.message).is_empty(), "{:?}", alice.message);
    // Four weeks on, the monthly KPI is due again (and conversion too, a week older).
    let sent = sim.run_until(at("2026-12-07T08:00:00Z")).await;
    let last = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .rfind(|d| d.recipient == user("alice"))
        .expect("alice is prompted");
    assert_eq!(asked_kpis(&last.message), ["churn", "conversion"]);
}

#[tokio::test]
async fn a_kpi_without_an_owner_is_asked_of_the_owners_of_the_key_results_that_follow_it() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-09T12:00:00Z");
    growth(&app, setup_at).await;
    let conversion = kpi(&app, "conversion", None, setup_at).await;
    // bob's GRO-1.2 follows it, so it waits for the KPI, not for bob.
    crate::backend::raw!(app.okr.store(), |db| sqlx::query(
        "UPDATE key_results SET kpi_id = $1 WHERE title = 'Onboarding NPS'"
    )
    .bind(conversion.0)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-11-16T08:00:00Z")).await;
    let bob = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .find(|d| d.recipient == user("bob"))
        .expect("bob is asked for the KPI his key result follows");
    assert!(asked(&bob.message).is_empty(), "GRO-1.2 is fed by the KPI");
    assert_eq!(asked_kpis(&bob.message), ["conversion"]);
    // So bob may read it; carol, who neither owns it nor follows it, may not.
    let carol = app
        .okr
        .kpi_set(&person(&app, "carol"), "conversion", "6.9%", now_of(&sim))
        .await
        .expect_err("carol may not read it");
    assert_mentions(&carol.to_string(), &["record readings of conversion"]);
    assert_eq!(readings(&app).await, 0, "nothing written");
    let o = app
        .okr
        .kpi_set(&person(&app, "bob"), "conversion", "6.9%", now_of(&sim))
        .await
        .expect("bob reads it");
    assert_eq!(o.kpi.latest.map(|(_, v)| v), Some(6.9));
    let gro_1_2 = app.okr.kr(&app.admin, "GRO-1.2").await.expect("GRO-1.2");
    assert_eq!(gro_1_2.current, 6.9, "the key result follows the reading");
}

fn now_of(sim: &Sim) -> DateTime<Utc> {
    sim.now + Duration::minutes(5)
}

#[tokio::test]
async fn reminders_all_no_change_and_snooze_answer_for_the_prompts_kpis() {
    use okrbot::command::{self, Reply};
    let app = spawn_app().await;
    let setup_at = at("2026-11-09T12:00:00Z");
    growth(&app, setup_at).await;
    kpi(&app, "conversion", Some("alice"), setup_at).await;
    kpi(&app, "nps", Some("dave"), setup_at).await;
    read(&app, "conversion", "7.2%", setup_at).await;
    read(&app, "nps", "41%", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    sim.run_until(at("2026-11-16T08:00:00Z")).await;
    // Wednesday: alice's KPI still waits, and so does her key result.
    let sent = sim.run_until(at("2026-11-18T08:00:00Z")).await;
    let reminder = of_kind(&sent, DeliveryKind::Reminder)
        .into_iter()
        .find(|d| d.recipient == user("alice"))
        .expect("alice is reminded");
    assert_eq!(asked_kpis(&reminder.message), ["conversion"]);
    assert_mentions(
        &text(&reminder.message),
        &["Reminder: 1 key result and 1 KPI are still waiting since Monday 09:00"],
    );
    // All no change keeps both; a second press records nothing new.
    let alice = person(&app, "alice");
    let when = at("2026-11-18T09:00:00Z");
    let all = CheckInCommand::NoChangeAll {
        source: CheckInSource::Button,
    };
    let before = readings(&app).await;
    let first = command::apply(&app.okr, &alice, all.clone(), when)
        .await
        .expect("all no change");
    let Reply::NoChangeAll(krs, kpis) = &first else {
        panic!("{first:?}")
    };
    assert_eq!((krs.len(), kpis.len()), (1, 1));
    assert!(!kpis[0].duplicate);
    assert_eq!(kpis[0].kpi.latest, Some((when, 7.2)));
    assert_eq!(readings(&app).await, before + 1);
    assert_mentions(
        &okrbot::render::reply::message(&first, &okrbot::render::reply::PlainText).title,
        &["1 key result and 1 KPI checked in unchanged"],
    );
    let second = command::apply(&app.okr, &alice, all, when + Duration::minutes(1))
        .await
        .expect("all no change again");
    let Reply::NoChangeAll(_, kpis) = &second else {
        panic!("{second:?}")
    };
    assert!(kpis[0].duplicate);
    assert_eq!(readings(&app).await, before + 1, "nothing new");
    // dave snoozes: the KPI comes back a day later, alone.
    let dave = person(&app, "dave");
    let (due, _) = app.okr.snooze(&dave, when).await.expect("snooze");
    let sent = sim.run_until(due).await;
    let again = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .find(|d| d.recipient == user("dave"))
        .expect("dave's snoozed prompt");
    assert_eq!(asked_kpis(&again.message), ["nps"]);
    // Read since: nothing left to snooze.
    read(&app, "nps", "same", due + Duration::minutes(1)).await;
    let refused = app
        .okr
        .snooze(&dave, due + Duration::minutes(2))
        .await
        .expect_err("nothing waits");
    assert_mentions(&refused.to_string(), &["nothing to snooze"]);
}

#[tokio::test]
async fn a_kpi_past_its_cadence_is_stale_in_the_list_the_detail_and_the_digest() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-02T12:00:00Z");
    growth(&app, setup_at).await;
    at_any_hour(&app, "Growth", setup_at).await;
    kpi(&app, "conversion", Some("alice"), setup_at).await;
    kpi(&app, "churn", Some("alice"), setup_at).await;
    read(&app, "conversion", "7.2%", setup_at).await;
    read(&app, "churn", "8%", setup_at).await;
    app.okr
        .kpi_edit(&app.admin, "churn", None, Some("monthly"), setup_at)
        .await
        .expect("cadence:monthly");
    let when = at("2026-11-16T10:00:00Z");
    let listed = app
        .okr
        .kpi_list(&app.admin, None, when)
        .await
        .expect("kpi list");
    let line = |name: &str| {
        listed
            .iter()
            .find(|(_, k)| k.name == name)
            .map(|(_, k)| okrbot::render::kpi::kpi_line(k))
            .expect("listed")
    };
    assert_mentions(&line("conversion"), &["⚠️ stale: last read 13 days ago"]);
    assert!(!line("churn").contains("stale"), "{}", line("churn"));
    let shown = app
        .okr
        .kpi_show(&app.admin, "churn", when)
        .await
        .expect("kpi show");
    assert_mentions(
        &text(&okrbot::render::kpi::detail(&shown)),
        &["asked for: monthly, in the check-in prompt, of alice"],
    );
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-11-16T15:00:00Z")).await;
    let digest = of_kind(&sent, DeliveryKind::Digest)
        .into_iter()
        .next_back()
        .expect("Monday's digest");
    let said = text(&digest.message);
    assert_mentions(
        &said,
        &[
            "conversion 7.2% · healthy: at least 7% · ⚠️ stale: last read 14 days ago",
            "alice: GRO-1.1, KPI conversion",
        ],
    );
}

#[tokio::test]
async fn kpis_are_asked_for_between_cycles_too() {
    let app = spawn_app().await;
    let setup_at = at("2027-01-02T12:00:00Z");
    team(&app, "Growth", "Europe/Berlin", "GRO", "lena", setup_at).await;
    kpi(&app, "conversion", Some("alice"), setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2027-01-04T08:00:00Z")).await;
    let prompts = of_kind(&sent, DeliveryKind::Prompt);
    assert_eq!(prompts.len(), 1, "{sent:?}");
    assert_eq!(prompts[0].recipient, user("alice"));
    assert_eq!(asked_kpis(&prompts[0].message), ["conversion"]);
    // No cycle: no digest to post.
    assert!(of_kind(&sent, DeliveryKind::Digest).is_empty());
}

#[tokio::test]
async fn kpi_edit_and_cadence_refuse_bad_input_and_write_nothing() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-09T12:00:00Z");
    growth(&app, setup_at).await;
    kpi(&app, "conversion", Some("alice"), setup_at).await;
    let before = app.rows().await;
    for (owner, cadence, says) in [
        (None, Some("sometimes"), "is not a cadence"),
        (None, Some("0d"), "between 1 day and 366 days"),
        (None, Some("400 days"), "between 1 day and 366 days"),
        (None, None, "say what to change"),
        (Some("a\u{0}b"), None, "owner"),
    ] {
        let e = app
            .okr
            .kpi_edit(&app.admin, "conversion", owner, cadence, setup_at)
            .await
            .expect_err("refused");
        assert_mentions(&e.to_string(), &[says]);
    }
    let e = app
        .okr
        .kpi_edit(
            &person(&app, "bob"),
            "conversion",
            None,
            Some("weekly"),
            setup_at,
        )
        .await
        .expect_err("bob leads nothing");
    assert_mentions(&e.to_string(), &["edit KPIs"]);
    let e = app
        .okr
        .kpi_set(&app.admin, "conversion", "same", setup_at)
        .await
        .expect_err("nothing to keep");
    assert_mentions(&e.to_string(), &["no reading yet to keep"]);
    assert_eq!(app.rows().await, before, "nothing written");
    let edited = app
        .okr
        .kpi_edit(
            &app.admin,
            "conversion",
            Some("@bob"),
            Some("every 2 weeks"),
            setup_at,
        )
        .await
        .expect("edited");
    assert_eq!(edited.owner.as_deref(), Some("bob"));
    assert_eq!(edited.cadence.map(|c| c.in_days()), Some(14));
    let back = app
        .okr
        .kpi_edit(&app.admin, "conversion", None, Some("prompt"), setup_at)
        .await
        .expect("back to the prompt");
    assert_eq!((back.owner.as_deref(), back.cadence), (Some("bob"), None));
}
