//! A whole quarter.

use super::*;

// ---------------------------------------------------------------------------------------------
// A whole quarter
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Habit {
    /// Checks in 20 minutes after each Monday prompt.
    Prompt,
    /// Checks in 20 minutes after each Wednesday reminder, never on the prompt.
    Reminder,
    /// Never checks in.
    Never,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quarter_of_two_teams_sends_exactly_the_prompts_reminders_digests_reports_and_alerts_the_rules_call_for(
) {
    let app = spawn_app().await;
    let okr = &app.okr;
    let setup_at = at("2026-09-28T08:00:00Z");
    team(&app, "Growth", "Europe/Berlin", "GRO", "gina", setup_at).await;
    team(
        &app,
        "Platform",
        "America/New_York",
        "PLA",
        "pete",
        setup_at,
    )
    .await;
    let cycle = q4(&app, setup_at).await;
    let gro = objective(&app, "Growth", "Enhance onboarding", setup_at).await;
    let pla = objective(&app, "Platform", "Make the platform fast", setup_at).await;
    // (code, owner, habit, zone)
    let mut owners: Vec<(String, &str, Habit, chrono_tz::Tz)> = Vec::new();
    for (o, title, owner, habit, tz) in [
        (
            &gro,
            "Activation",
            "alice",
            Habit::Prompt,
            chrono_tz::Europe::Berlin,
        ),
        (
            &gro,
            "NPS",
            "bob",
            Habit::Reminder,
            chrono_tz::Europe::Berlin,
        ),
        (
            &gro,
            "Wizard adoption",
            "carol",
            Habit::Never,
            chrono_tz::Europe::Berlin,
        ),
        (
            &pla,
            "Latency budget",
            "dave",
            Habit::Prompt,
            chrono_tz::America::New_York,
        ),
        (
            &pla,
            "Uptime budget",
            "erin",
            Habit::Reminder,
            chrono_tz::America::New_York,
        ),
    ] {
        let code = metric(&app, o, title, owner, setup_at).await;
        owners.push((code, owner, habit, tz));
    }
    let first_monday = at("2026-10-05T00:00:00Z");

    let mut sim = Sim::new(okr, setup_at);
    let end = at("2027-01-02T00:00:00Z");
    while let Some(sent) = sim.step(end).await {
        for d in sent {
            let Recipient::User(who) = &d.recipient else {
                continue;
            };
            let week = (d.slot - first_monday).num_days().div_euclid(7) + 1;
            for code in asked(&d.message) {
                let (_, owner, habit, tz) = owners
                    .iter()
                    .find(|(c, ..)| *c == code)
                    .expect("a known key result");
                assert_eq!(*owner, who.as_str(), "{code} is asked of its owner");
                let answers = match d.kind {
                    DeliveryKind::Prompt => *habit == Habit::Prompt,
                    DeliveryKind::Reminder => *habit == Habit::Reminder,
                    _ => false,
                };
                if !answers {
                    continue;
                }
                // A little ahead of pace, so nobody but the scripted cases turns red.
                let when = sim.now + Duration::minutes(20);
                let value = (100.0 * (expected_progress(&cycle, *tz, when) + 0.05)).min(100.0);
                let confidence = match (*owner, week) {
                    ("dave", 6) => 3,
                    (_, _) if *habit == Habit::Reminder => 6,
                    _ => 8,
                };
                check_in(&app, who, &format!("{code} {value:.1} c{confidence}"), when).await;
            }
        }
    }
    let log = sim.log;
    assert_each_once(&log);

    let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for d in &log {
        *counts
            .entry((d.kind.as_str(), d.recipient.key()))
            .or_default() += 1;
    }
    // The reasoning, from `docs/schedules-and-delivery.md` and the defaults (prompt Mon 09:00, reminder
    // Wed 09:00, digest Mon 16:00, all local; 3 ignored prompts -> lead report):
    // - The cycle runs Thu 2026-10-01 .. Thu 2026-12-31 in each team's zone: 13 Mondays (Oct 5 ..
    //   Dec 28) and 13 Wednesdays (Oct 7 .. Dec 30). Slots outside it (Mon Sep 28 16:00 digest,
    //   Wed Sep 30 reminder) find no running cycle and send nothing.
    // - alice and dave answer every prompt within 20 minutes, so each Monday their last
    //   check-in is 7 days old (> 3 days): 13 prompts each, never a reminder.
    // - bob and erin answer only reminders (Wednesday 09:20), so on Monday their last check-in
    //   is 4 days 23 h 40 min old (> 3 days): 13 prompts each; on Wednesday they have not
    //   checked in since the prompt and are yellow (confidence 6) or, in week 1, not fresh:
    //   13 reminders each. Their check-in resets the ignored count, which never reaches 3.
    // - carol never answers: prompted weeks 1-3 (ignored 1, 2, 3), week 4 her lead gina gets a
    //   lead report instead (count starts over), and so on: prompts in weeks 1-3, 5-7, 9-11
    //   and 13 = 10, lead reports in weeks 4, 8, 12 = 3. She is reminded each week she was
    //   prompted (never checked in, so never fresh): 10 reminders; in a lead-report week the
    //   latest prompt slot does not list her, so no reminder.
    // - Digests: one per team per Monday in the cycle to the team channel: 13 + 13.
    // - Alerts: carol's 0% falls more than 25 points behind pace on Oct 23 (expected > 0.25):
    //   the hourly sweep opens one alert for Growth; she stays red, so no second one. dave's
    //   week-6 check-in with confidence 3 turns red: one alert for Platform; his week-7
    //   check-in with confidence 8 resolves it, and Platform's channel hears it is out of red.
    //   bob and erin stay yellow, alice green.
    let expected: BTreeMap<(&str, String), usize> = [
        (("alert", "channel:growth"), 1),
        (("alert", "channel:platform"), 1),
        (("digest", "channel:growth"), 13),
        (("digest", "channel:platform"), 13),
        (("lead_report", "user:gina"), 3),
        (("prompt", "user:alice"), 13),
        (("prompt", "user:bob"), 13),
        (("prompt", "user:carol"), 10),
        (("prompt", "user:dave"), 13),
        (("prompt", "user:erin"), 13),
        (("recovered", "channel:platform"), 1),
        (("reminder", "user:bob"), 13),
        (("reminder", "user:carol"), 10),
        (("reminder", "user:erin"), 13),
    ]
    .into_iter()
    .map(|((k, r), n)| ((k, r.to_string()), n))
    .collect();
    assert_eq!(counts, expected);

    let total = |k| of_kind(&log, k).len();
    assert_eq!(total(DeliveryKind::Prompt), 62);
    assert_eq!(total(DeliveryKind::Reminder), 36);
    assert_eq!(total(DeliveryKind::Digest), 26);
    assert_eq!(total(DeliveryKind::LeadReport), 3);
    assert_eq!(total(DeliveryKind::Alert), 2);

    // carol's lead reports fall on the 4th, 8th and 12th Mondays, 09:00 Berlin.
    let reports: Vec<DateTime<Utc>> = of_kind(&log, DeliveryKind::LeadReport)
        .iter()
        .map(|d| d.slot)
        .collect();
    assert_eq!(
        reports,
        vec![
            at("2026-10-26T08:00:00Z"),
            at("2026-11-23T08:00:00Z"),
            at("2026-12-21T08:00:00Z")
        ]
    );
    // The ledger agrees with the outbox: everything decided went out.
    let rows = ledger(okr).await;
    assert_eq!(rows.len(), log.len());
    assert!(rows.iter().all(|r| r.3 == "sent"), "all sent: {rows:?}");
}

/// One team's schedule failing (one stored before year-limited schedules were refused, which
/// has ended; a team row the store cannot read) is logged and retried, and every other team is
/// still prompted.
#[tokio::test]
async fn one_teams_failing_schedule_never_stops_another_teams_prompts() {
    let app = spawn_app().await;
    let when = at("2026-11-12T10:00:00Z");
    growth(&app, when).await;
    for (name, prefix, owner) in [("Platform", "PLA", "pia"), ("Sales", "SAL", "sam")] {
        team(&app, name, "America/New_York", prefix, "pete", when).await;
        let o = objective(&app, name, "Win the quarter", when).await;
        metric(&app, &o, "Deals closed", owner, when).await;
    }
    let pool = app.okr.store();
    // Platform's prompt was limited to 2025: it has no fire left.
    crate::backend::raw!(pool, |db| sqlx::query(
        "UPDATE schedules SET cron = '0 0 9 * * Mon 2025', next_due_at = $1 \
         WHERE kind = 'prompt' AND team_id = (SELECT id FROM teams WHERE name = 'Platform')",
    )
    .bind(at("2026-11-16T07:00:00Z").timestamp())
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("a stored schedule from before the rule");
    // Sales' row names a zone that does not exist: reading the team fails.
    crate::backend::raw!(pool, |db| sqlx::query(
        "UPDATE teams SET timezone = 'Mars/Olympus_Mons' WHERE name = 'Sales'"
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("a corrupt team row");

    let mut sim = Sim::new(&app.okr, when);
    let sent = sim.run_until(at("2026-11-16T12:00:00Z")).await;
    let prompted: Vec<&Recipient> = of_kind(&sent, DeliveryKind::Prompt)
        .into_iter()
        .map(|d| &d.recipient)
        .collect();
    for owner in ["alice", "bob", "carol"] {
        assert!(prompted.contains(&&user(owner)), "{owner} in {prompted:?}");
    }
    // A week later Growth still goes on.
    let later = sim.run_until(at("2026-11-23T12:00:00Z")).await;
    assert!(of_kind(&later, DeliveryKind::Prompt)
        .iter()
        .any(|d| d.recipient == user("alice")));
}

/// A team whose stored zone this build no longer knows (a tz database update dropped the name)
/// stays readable: the workspace's status and that team's check-ins work, its status says what
/// is wrong and how to repair it, its schedules wait instead of firing at a UTC guess, a setup
/// that names no zone keeps the stored name, and `/okr setup timezone:` repairs it.
#[tokio::test]
async fn a_team_whose_zone_is_unknown_stays_readable_waits_and_is_repaired_by_setup() {
    let app = spawn_app().await;
    let when = at("2026-11-12T10:00:00Z");
    growth(&app, when).await;
    team(&app, "Sales", "America/New_York", "SAL", "pete", when).await;
    let o = objective(&app, "Sales", "Win the quarter", when).await;
    let kr = metric(&app, &o, "Deals closed", "sam", when).await;
    let pool = app.okr.store();
    crate::backend::raw!(pool, |db| sqlx::query(
        "UPDATE teams SET timezone = 'Mars/Olympus_Mons' WHERE name = 'Sales'"
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected()))
    .expect("a zone this build does not know");

    let status = app
        .okr
        .status(&app.admin, StatusScope::All, when)
        .await
        .expect("the workspace's status still reads");
    let sales = status
        .teams
        .iter()
        .find(|t| t.team.name == "Sales")
        .expect("Sales is listed");
    assert_eq!(
        sales.team.zone_unknown.as_deref(),
        Some("Mars/Olympus_Mons")
    );
    let shown = okrbot::render::status_message(&status);
    let said: Vec<&String> = shown.blocks.iter().flat_map(|b| &b.lines).collect();
    assert!(
        said.iter()
            .any(|l| l.contains("\"Mars/Olympus_Mons\" is not known")
                && l.contains("/okr setup team:Sales timezone:")),
        "the status says what is wrong and how to repair it: {said:?}"
    );
    check_in(&app, "sam", &format!("{kr} 10"), when).await;

    // A setup that changes only the channel keeps the stored name: nothing rewrites it to UTC.
    let out = app
        .okr
        .setup(
            &app.admin,
            SetupInput {
                team: "Sales".into(),
                channel: Some("sales-floor".into()),
                ..Default::default()
            },
            when,
        )
        .await
        .expect("setup of a team with an unknown zone");
    assert_eq!(out.team.zone_unknown.as_deref(), Some("Mars/Olympus_Mons"));
    let stored: String = crate::backend::raw!(pool, |db| sqlx::query_scalar(
        "SELECT timezone FROM teams WHERE name = 'Sales'"
    )
    .fetch_one(db)
    .await)
    .expect("the stored zone");
    assert_eq!(stored, "Mars/Olympus_Mons");

    let mut sim = Sim::new(&app.okr, when);
    let week = sim.run_until(at("2026-11-16T23:00:00Z")).await;
    let prompted: Vec<&Recipient> = of_kind(&week, DeliveryKind::Prompt)
        .into_iter()
        .map(|d| &d.recipient)
        .collect();
    assert!(
        prompted.contains(&&user("alice")),
        "Growth goes on: {prompted:?}"
    );
    assert!(
        !prompted.contains(&&user("sam")),
        "Sales waits instead of being prompted at a UTC guess"
    );

    app.okr
        .setup(
            &app.admin,
            SetupInput {
                team: "Sales".into(),
                timezone: Some("America/New_York".into()),
                ..Default::default()
            },
            at("2026-11-17T10:00:00Z"),
        )
        .await
        .expect("the zone set again");
    let next = sim.run_until(at("2026-11-23T23:00:00Z")).await;
    let sam: Vec<&Delivery> = of_kind(&next, DeliveryKind::Prompt)
        .into_iter()
        .filter(|d| d.recipient == user("sam"))
        .collect();
    assert_eq!(sam.len(), 1, "prompted once the zone is known again");
    assert_eq!(
        sam[0].slot,
        at("2026-11-23T14:00:00Z"),
        "Monday 09:00 in New York"
    );
}
