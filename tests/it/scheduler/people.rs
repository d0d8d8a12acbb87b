//! People, not just teams: each member's own zone, time off and a team's days off.

use super::*;
use chrono::{Datelike, NaiveTime, Weekday};
use okrbot::domain::view::HolidayChange;

/// The wall time of `t` where `zone` is.
fn local(t: DateTime<Utc>, zone: chrono_tz::Tz) -> chrono::NaiveDateTime {
    t.with_timezone(&zone).naive_local()
}

fn nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).expect("09:00")
}

/// Sets `member`'s own zone as `by`.
async fn zone(app: &TestApp, by: &str, member: &str, tz: &str, when: DateTime<Utc>) {
    let member = (by != member).then_some(member);
    app.okr
        .member(&person(app, by), member, Some(tz), when)
        .await
        .unwrap_or_else(|e| panic!("{by} sets a zone: {e}"));
}

async fn away(app: &TestApp, who: &str, from: &str, to: &str, when: DateTime<Utc>) {
    app.okr
        .away_set(&person(app, who), None, from, Some(to), None, when)
        .await
        .unwrap_or_else(|e| panic!("{who} is away: {e}"));
}

fn to<'a>(ds: &'a [Delivery], kind: DeliveryKind, who: &str) -> Vec<&'a Delivery> {
    ds.iter()
        .filter(|d| d.kind == kind && d.recipient == user(who))
        .collect()
}

/// Team Growth in Berlin; bob sets Tokyo himself and the lead sets New York for carol. Each is
/// prompted on Monday and reminded on Wednesday at 09:00 where they live, in order Tokyo,
/// Berlin, New York; the team's digest stays at the team's hour.
#[tokio::test]
async fn each_member_is_prompted_and_reminded_at_nine_where_they_live() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-14T12:00:00Z");
    growth(&app, setup_at).await;
    zone(&app, "bob", "bob", "Asia/Tokyo", setup_at).await;
    zone(&app, "lena", "carol", "america/new_york", setup_at).await;
    let refused = app
        .okr
        .member(&person(&app, "bob"), Some("carol"), Some("UTC"), setup_at)
        .await
        .expect_err("bob leads nobody");
    assert!(
        refused.to_string().contains("carol themselves"),
        "{refused}"
    );
    let refused = app
        .okr
        .member(&person(&app, "bob"), None, Some("Asia/Tokio"), setup_at)
        .await
        .expect_err("no such zone");
    assert!(refused.to_string().contains("Asia/Tokyo"), "{refused}");

    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-11-18T23:00:00Z")).await;
    assert_each_once(&sent);
    let zones = [
        ("bob", chrono_tz::Asia::Tokyo),
        ("alice", chrono_tz::Europe::Berlin),
        ("carol", chrono_tz::America::New_York),
    ];
    for (who, tz) in zones {
        for (kind, day) in [
            (DeliveryKind::Prompt, Weekday::Mon),
            (DeliveryKind::Reminder, Weekday::Wed),
        ] {
            let got = to(&sent, kind, who);
            assert_eq!(got.len(), 1, "{who} {kind:?}: {got:?}");
            let when = local(got[0].due, tz);
            assert_eq!(
                (when.weekday(), when.time()),
                (day, nine()),
                "{who} {kind:?}"
            );
            assert_eq!(got[0].slot, got[0].due);
        }
    }
    let prompts: Vec<&str> = of_kind(&sent, DeliveryKind::Prompt)
        .iter()
        .map(|d| match &d.recipient {
            Recipient::User(u) => u.as_str(),
            _ => "",
        })
        .collect();
    assert_eq!(
        prompts,
        ["bob", "alice", "carol"],
        "in the order of the zones"
    );
    let reminder = to(&sent, DeliveryKind::Reminder, "carol");
    assert!(
        text(&reminder[0].message).contains("since Monday 09:00"),
        "{}",
        text(&reminder[0].message)
    );
    // The team's digest is the team's: Monday 16:00 in Berlin, whoever lives where.
    let digest = of_kind(&sent, DeliveryKind::Digest);
    assert!(!digest.is_empty());
    let when = local(digest[0].slot, chrono_tz::Europe::Berlin);
    assert_eq!(when.time(), NaiveTime::from_hms_opt(16, 0, 0).unwrap());

    // /okr me says so, and snoozing keeps bob's own hour.
    let me = app
        .okr
        .member(&person(&app, "bob"), None, None, sim.now)
        .await
        .expect("bob's own view");
    assert_eq!(me.zone, Some(chrono_tz::Asia::Tokyo));
    assert_eq!(me.krs.len(), 1);
    let next = me.next_prompts[0].2.expect("a next prompt");
    assert_eq!(next, at("2026-11-23T00:00:00Z"), "Monday 09:00 in Tokyo");
    let (_, tz) = app
        .okr
        .snooze(&person(&app, "bob"), at("2026-11-16T01:00:00Z"))
        .await
        .expect("bob snoozes");
    assert_eq!(tz, chrono_tz::Asia::Tokyo);
}

/// Runs the scheduler from `from` to `until`, `who` checking in `code` an hour after each of
/// her prompts; returns all that was delivered.
async fn answering(
    app: &TestApp,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    who: &str,
    code: &str,
) -> Vec<Delivery> {
    let mut sim = Sim::new(&app.okr, from);
    let mut n = 0;
    while let Some(sent) = sim.step(until).await {
        for d in to(&sent, DeliveryKind::Prompt, who) {
            n += 1;
            check_in(app, who, &format!("{code} {n}"), d.due + Duration::hours(1)).await;
        }
    }
    sim.log
}

/// carol in New York, her team in Berlin: Europe and America change their clocks a week apart,
/// in autumn and in spring. Every Monday she is prompted once, at 09:00 in New York.
#[tokio::test]
async fn a_member_in_another_zone_keeps_her_hour_across_both_clock_changes() {
    let app = spawn_app().await;
    let setup_at = at("2026-10-10T12:00:00Z");
    growth(&app, setup_at).await;
    zone(&app, "lena", "carol", "America/New_York", setup_at).await;
    let ny = chrono_tz::America::New_York;
    // Europe falls back on Oct 25, America on Nov 1. carol answers each prompt an hour later,
    // so no prompt of hers goes to the lead instead.
    let autumn = answering(
        &app,
        setup_at,
        at("2026-11-15T00:00:00Z"),
        "carol",
        "GRO-1.3",
    )
    .await;
    let prompts = to(&autumn, DeliveryKind::Prompt, "carol");
    let instants: Vec<DateTime<Utc>> = prompts.iter().map(|d| d.due).collect();
    assert_eq!(
        instants,
        [
            at("2026-10-12T13:00:00Z"),
            at("2026-10-19T13:00:00Z"),
            at("2026-10-26T13:00:00Z"),
            at("2026-11-02T14:00:00Z"),
            at("2026-11-09T14:00:00Z"),
        ]
    );
    assert!(prompts.iter().all(|d| local(d.due, ny).time() == nine()));
    assert_each_once(&autumn);

    // Spring: a cycle of its own, America springs forward on Mar 14, Europe on Mar 28.
    let spring_at = at("2027-02-20T12:00:00Z");
    app.okr
        .cycle_new(
            &app.admin,
            "2027-Q1",
            date("2027-01-01"),
            date("2027-04-30"),
            spring_at,
        )
        .await
        .expect("a spring cycle");
    let o = objective(&app, "Growth", "Spring", spring_at).await;
    let code = metric(&app, &o, "Spring NPS", "carol", spring_at).await;
    let spring = answering(&app, spring_at, at("2027-04-10T00:00:00Z"), "carol", &code).await;
    let prompts = to(&spring, DeliveryKind::Prompt, "carol");
    let instants: Vec<DateTime<Utc>> = prompts.iter().map(|d| d.due).collect();
    assert_eq!(
        instants,
        [
            at("2027-02-22T14:00:00Z"),
            at("2027-03-01T14:00:00Z"),
            at("2027-03-08T14:00:00Z"),
            at("2027-03-15T13:00:00Z"),
            at("2027-03-22T13:00:00Z"),
            at("2027-03-29T13:00:00Z"),
            at("2027-04-05T13:00:00Z"),
        ]
    );
    assert_each_once(&spring);
}

/// Moving from Tokyo to New York on the Monday of a prompt gives no second prompt for that
/// Monday; moving back east the week after gives the next Monday's prompt in Tokyo, six days
/// and ten hours after the last.
#[tokio::test]
async fn a_member_who_moves_is_prompted_once_per_monday_whichever_way_she_moves() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-14T12:00:00Z");
    growth(&app, setup_at).await;
    zone(&app, "carol", "carol", "Asia/Tokyo", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let first = sim.run_until(at("2026-11-16T02:00:00Z")).await;
    assert_eq!(
        to(&first, DeliveryKind::Prompt, "carol")
            .iter()
            .map(|d| d.due)
            .collect::<Vec<_>>(),
        [at("2026-11-16T00:00:00Z")]
    );
    zone(&app, "carol", "carol", "America/New_York", sim.now).await;
    let week = sim.run_until(at("2026-11-17T12:00:00Z")).await;
    assert!(
        to(&week, DeliveryKind::Prompt, "carol").is_empty(),
        "{week:?}"
    );
    let next = sim.run_until(at("2026-11-23T20:00:00Z")).await;
    assert_eq!(
        to(&next, DeliveryKind::Prompt, "carol")
            .iter()
            .map(|d| d.due)
            .collect::<Vec<_>>(),
        [at("2026-11-23T14:00:00Z")]
    );
    // Answered the day after, so the Mondays to come are prompts, not reports to the lead.
    check_in(&app, "carol", "GRO-1.3 5", at("2026-11-24T12:00:00Z")).await;
    zone(&app, "carol", "carol", "Asia/Tokyo", sim.now).await;
    let back = sim.run_until(at("2026-11-30T02:00:00Z")).await;
    assert_eq!(
        to(&back, DeliveryKind::Prompt, "carol")
            .iter()
            .map(|d| d.due)
            .collect::<Vec<_>>(),
        [at("2026-11-30T00:00:00Z")],
        "Monday 09:00 in Tokyo"
    );
    // timezone:team takes her back to Berlin's hours.
    let me = app
        .okr
        .member(&person(&app, "carol"), None, Some("team"), sim.now)
        .await
        .expect("back to the team's zone");
    assert_eq!(me.zone, None);
    let berlin = sim.run_until(at("2026-12-07T12:00:00Z")).await;
    assert_eq!(
        to(&berlin, DeliveryKind::Prompt, "carol")
            .iter()
            .map(|d| d.due)
            .collect::<Vec<_>>(),
        [at("2026-12-07T08:00:00Z")]
    );
}

/// alice is away for two Mondays while she and bob ignore every prompt: bob's key result goes
/// to the lead after three, hers never does; she gets no prompt or reminder while away, one
/// prompt on her first day back (a Wednesday), and her status says she is away.
#[tokio::test]
async fn nobody_is_asked_or_reported_while_away_and_one_prompt_comes_on_the_first_day_back() {
    let app = spawn_app().await;
    let setup_at = at("2026-10-31T12:00:00Z");
    growth(&app, setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    sim.run_until(at("2026-11-20T12:00:00Z")).await;
    let refused = app
        .okr
        .away_set(
            &person(&app, "alice"),
            None,
            "2026-11-30",
            Some("2026-11-23"),
            None,
            sim.now,
        )
        .await
        .expect_err("ends before it starts");
    assert!(refused.to_string().contains("before"), "{refused}");
    let (entered, _) = app
        .okr
        .away_set(
            &person(&app, "alice"),
            None,
            "2026-11-21",
            Some("2026-12-01"),
            Some("family"),
            sim.now,
        )
        .await
        .expect("alice is away");
    assert_eq!(entered.last, date("2026-12-01"));
    let overlap = app
        .okr
        .away_set(
            &person(&app, "lena"),
            Some("alice"),
            "2026-11-30",
            None,
            None,
            sim.now,
        )
        .await
        .expect_err("overlaps");
    assert!(overlap.to_string().contains("already"), "{overlap}");

    let away_time = sim.run_until(at("2026-12-01T23:00:00Z")).await;
    assert!(to(&away_time, DeliveryKind::Prompt, "alice").is_empty());
    assert!(to(&away_time, DeliveryKind::Reminder, "alice").is_empty());
    assert!(!to(&away_time, DeliveryKind::Prompt, "bob").is_empty());
    let reports = of_kind(&away_time, DeliveryKind::LeadReport);
    assert!(!reports.is_empty(), "bob ignored three prompts");
    for r in &reports {
        let t = text(&r.message);
        assert!(t.contains("GRO-1.2") && !t.contains("GRO-1.1"), "{t}");
    }
    // The digest names her as away, not as late.
    let digest = of_kind(&away_time, DeliveryKind::Digest)
        .into_iter()
        .find(|d| d.slot == at("2026-11-23T15:00:00Z"))
        .expect("Monday's digest");
    let t = text(&digest.message);
    assert!(t.contains("alice: 🌴 away until Dec 1"), "{t}");
    assert!(!t.contains("alice: GRO-1.1"), "{t}");
    let status = app
        .okr
        .status(
            &person(&app, "lena"),
            StatusScope::Team("Growth".into()),
            at("2026-11-30T10:00:00Z"),
        )
        .await
        .expect("status");
    let shown = text(&okrbot::render::status_message(&status));
    let alice_line = shown
        .lines()
        .find(|l| l.contains("GRO-1.1"))
        .expect("alice's key result");
    assert!(alice_line.contains("away until Dec 1"), "{alice_line}");
    assert!(
        !alice_line.contains("stale") && !alice_line.contains("no check-in"),
        "{alice_line}"
    );

    let back = sim.run_until(at("2026-12-04T12:00:00Z")).await;
    let prompts = to(&back, DeliveryKind::Prompt, "alice");
    assert_eq!(prompts.len(), 1, "{back:?}");
    assert_eq!(
        prompts[0].due,
        at("2026-12-02T08:00:00Z"),
        "Wednesday 09:00 Berlin"
    );
    assert_eq!(
        asked(&prompts[0].message),
        ["GRO-1.1"],
        "asked, not reported"
    );
    let next = sim.run_until(at("2026-12-07T12:00:00Z")).await;
    assert!(
        to(&next, DeliveryKind::Prompt, "alice").len()
            + to(&next, DeliveryKind::LeadReport, "lena").len()
            == 1,
        "the Monday after: one prompt or (she ignored it) one report"
    );
}

/// A team's days off move its prompt to the next working day, once, and skip reminders;
/// cancelling time off brings the owed prompt forward to the next working day.
#[tokio::test]
async fn a_holiday_moves_the_prompt_to_the_next_working_day_and_coming_back_early_brings_it_forward(
) {
    let app = spawn_app().await;
    let setup_at = at("2026-11-14T12:00:00Z");
    growth(&app, setup_at).await;
    let refused = app
        .okr
        .holidays(
            &person(&app, "bob"),
            "Growth",
            Some("2026-11-30"),
            HolidayChange::Added(0),
            setup_at,
        )
        .await
        .expect_err("bob leads nothing");
    assert!(refused.to_string().contains("lena"), "{refused}");
    let bad = app
        .okr
        .holidays(
            &person(&app, "lena"),
            "Growth",
            Some("30 Nov"),
            HolidayChange::Added(0),
            setup_at,
        )
        .await
        .expect_err("not a date");
    assert!(bad.to_string().contains("2026-12-21"), "{bad}");
    let (_, days, change) = app
        .okr
        .holidays(
            &person(&app, "lena"),
            "Growth",
            Some("2026-11-30,2026-12-02"),
            HolidayChange::Added(0),
            setup_at,
        )
        .await
        .expect("days off");
    assert_eq!(change, HolidayChange::Added(2));
    assert_eq!(days, [date("2026-11-30"), date("2026-12-02")]);

    let mut sim = Sim::new(&app.okr, setup_at);
    sim.run_until(at("2026-11-27T12:00:00Z")).await;
    let week = sim.run_until(at("2026-12-04T12:00:00Z")).await;
    for who in ["alice", "bob", "carol"] {
        let p = to(&week, DeliveryKind::Prompt, who);
        assert_eq!(p.len(), 1, "{who}: {week:?}");
        assert_eq!(p[0].due, at("2026-12-01T08:00:00Z"), "Tuesday, once");
        assert!(
            to(&week, DeliveryKind::Reminder, who).is_empty(),
            "no reminder on a day off"
        );
    }

    // carol is away Monday to Friday of the next week but comes back on Wednesday.
    away(&app, "carol", "2026-12-07", "2026-12-11", sim.now).await;
    sim.run_until(at("2026-12-08T12:00:00Z")).await;
    let (_, change, _) = app
        .okr
        .away_cancel(&person(&app, "carol"), None, sim.now)
        .await
        .expect("carol is back early");
    assert!(matches!(change, okrbot::domain::view::AwayChange::Ended));
    let back = sim.run_until(at("2026-12-12T12:00:00Z")).await;
    let p = to(&back, DeliveryKind::Prompt, "carol");
    assert_eq!(p.len(), 1, "{back:?}");
    assert_eq!(
        p[0].due,
        at("2026-12-09T08:00:00Z"),
        "Wednesday, not the Monday after"
    );
}

/// Done means: a team across Berlin, New York and Tokyo over a quarter with a holiday week and
/// someone away. Every prompt comes at 09:00 where its owner lives, nobody is asked while off,
/// the prompt missed comes once on the first day back, and each owner gets one prompt a week.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_across_three_zones_keeps_its_hours_through_a_quarter_with_a_holiday_week() {
    let app = spawn_app().await;
    let okr = &app.okr;
    let setup_at = at("2026-09-30T12:00:00Z");
    team(&app, "Growth", "Europe/Berlin", "GRO", "lena", setup_at).await;
    q4(&app, setup_at).await;
    let o = objective(&app, "Growth", "Win three continents", setup_at).await;
    let people = [
        ("anna", chrono_tz::Europe::Berlin),
        ("maria", chrono_tz::America::New_York),
        ("kenji", chrono_tz::Asia::Tokyo),
    ];
    let mut codes = HashMap::new();
    for (who, tz) in people {
        codes.insert(
            who,
            metric(&app, &o, &format!("{who}'s market"), who, setup_at).await,
        );
        if tz != chrono_tz::Europe::Berlin {
            zone(&app, who, who, tz.name(), setup_at).await;
        }
    }
    okr.holidays(
        &person(&app, "lena"),
        "Growth",
        Some("2026-12-21..2026-12-25"),
        HolidayChange::Added(0),
        setup_at,
    )
    .await
    .expect("the holiday week");
    // kenji is away two Mondays and back on Wednesday Nov 18.
    away(&app, "kenji", "2026-11-09", "2026-11-17", setup_at).await;

    let mut sim = Sim::new(okr, setup_at);
    let mut value = 0;
    while let Some(sent) = sim.step(at("2026-12-31T22:00:00Z")).await {
        // Everyone answers the prompt an hour after it comes.
        for d in of_kind(&sent, DeliveryKind::Prompt) {
            let Recipient::User(who) = &d.recipient else {
                continue;
            };
            value += 1;
            let line = format!("{} {value}", codes[who.as_str()]);
            check_in(&app, who, &line, d.due + Duration::hours(1)).await;
        }
    }
    let log = sim.log.clone();
    assert_each_once(&log);
    assert!(of_kind(&log, DeliveryKind::LeadReport).is_empty());
    assert!(
        of_kind(&log, DeliveryKind::Reminder).is_empty(),
        "everyone answered"
    );
    for (who, tz) in people {
        let prompts = to(&log, DeliveryKind::Prompt, who);
        for p in &prompts {
            let l = local(p.due, tz);
            assert_eq!(l.time(), nine(), "{who} at {l}");
            let day = l.date();
            assert!(
                !(date("2026-12-21")..=date("2026-12-25")).contains(&day),
                "{who} asked on a holiday: {day}"
            );
            if who == "kenji" {
                assert!(
                    !(date("2026-11-09")..=date("2026-11-17")).contains(&day),
                    "kenji asked while away: {day}"
                );
            }
        }
        let days: Vec<chrono::NaiveDate> =
            prompts.iter().map(|p| local(p.due, tz).date()).collect();
        // Mondays Oct 5 to Dec 28, the holiday Monday (Dec 21) answered by Dec 28's.
        let mut expected: Vec<chrono::NaiveDate> = (0..13)
            .map(|w| date("2026-10-05") + Duration::weeks(w))
            .filter(|d| *d != date("2026-12-21"))
            .collect();
        if who == "kenji" {
            expected.retain(|d| *d != date("2026-11-09") && *d != date("2026-11-16"));
            expected.push(date("2026-11-18"));
            expected.sort();
        }
        assert_eq!(days, expected, "{who}");
    }
}

/// bob lives in Paris, whose clock agrees with Berlin's: he is prompted with the team, in the
/// same round, and when everyone ignored three prompts the lead gets one report naming all.
#[tokio::test]
async fn zones_whose_clocks_agree_share_one_round_and_one_lead_report() {
    let app = spawn_app().await;
    let setup_at = at("2026-10-31T12:00:00Z");
    growth(&app, setup_at).await;
    zone(&app, "bob", "bob", "Europe/Paris", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-11-23T12:00:00Z")).await;
    assert_each_once(&sent);
    assert_eq!(to(&sent, DeliveryKind::Prompt, "bob").len(), 3);
    for p in to(&sent, DeliveryKind::Prompt, "bob") {
        assert_eq!(local(p.due, chrono_tz::Europe::Paris).time(), nine());
    }
    let reports = to(&sent, DeliveryKind::LeadReport, "lena");
    assert_eq!(reports.len(), 1, "{reports:?}");
    let t = text(&reports[0].message);
    for code in ["GRO-1.1", "GRO-1.2", "GRO-1.3"] {
        assert!(t.contains(code), "{code}: {t}");
    }
}

/// An alert about a key result whose owner is away names them as away and pings only the lead.
#[tokio::test]
async fn an_alert_while_its_owner_is_away_does_not_ping_them() {
    let app = spawn_app().await;
    let setup_at = at("2026-11-01T12:00:00Z");
    growth(&app, setup_at).await;
    set_at_the_quarters_start(&app).await;
    at_any_hour(&app, "Growth", setup_at).await;
    check_in(&app, "alice", "GRO-1.1 40 c8", setup_at).await;
    away(&app, "alice", "2026-11-20", "2026-12-31", setup_at).await;
    let mut sim = Sim::new(&app.okr, setup_at);
    let sent = sim.run_until(at("2026-12-20T12:00:00Z")).await;
    let alerts: Vec<&Delivery> = of_kind(&sent, DeliveryKind::Alert)
        .into_iter()
        .filter(|d| text(&d.message).contains("GRO-1.1") && d.due >= at("2026-11-20T00:00:00Z"))
        .collect();
    assert!(!alerts.is_empty(), "GRO-1.1 fell behind its pace: {sent:?}");
    for a in alerts {
        let t = text(&a.message);
        assert!(!a.message.mentions.contains(&"alice".to_owned()), "{t}");
        assert!(a.message.mentions.contains(&"lena".to_owned()), "{t}");
        assert!(t.contains("owner alice (🌴 away until Dec 31)"), "{t}");
    }
}
