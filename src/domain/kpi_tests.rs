use super::*;

fn kpi(min: Option<f64>, max: Option<f64>, better: Better, readings: &[f64]) -> Kpi {
    let at = |i: usize| {
        DateTime::from_timestamp(1_780_000_000 + i as i64 * 3600, 0).expect("an instant")
    };
    let n = readings.len();
    Kpi {
        id: KpiId(1),
        team_id: TeamId(1),
        name: "conversion".into(),
        unit: Unit::Percent,
        better,
        range: Range::new(min, max).expect("a range"),
        owner: Some("alice".into()),
        latest: n.checked_sub(1).map(|i| (at(i), readings[i])),
        previous: n.checked_sub(2).map(|i| (at(i), readings[i])),
        alerting: false,
        source: None,
        pushed: false,
        cadence: None,
        stale_for: None,
    }
}

#[test]
fn a_range_is_inclusive_and_knows_the_edge_crossed() {
    let r = Range::new(Some(7.0), Some(12.0)).unwrap();
    assert_eq!(r.place(7.0), Place::Inside);
    assert_eq!(r.place(12.0), Place::Inside);
    assert_eq!(r.place(6.99), Place::Below);
    assert_eq!(r.place(12.5), Place::Above);
    let floor = Range::new(Some(7.0), None).unwrap();
    assert_eq!(floor.place(1e9), Place::Inside);
    assert_eq!(floor.text(&Unit::Percent), "at least 7%");
    assert_eq!(r.text(&Unit::Percent), "7% to 12%");
}

#[test]
fn a_range_needs_an_edge_and_min_at_or_below_max() {
    assert_eq!(Range::new(None, None), Err(RangeError::Empty));
    let e = Range::new(Some(12.0), Some(7.0)).unwrap_err().to_string();
    assert!(e.contains("min 12 is above max 7"), "{e}");
    assert!(Range::new(Some(7.0), Some(7.0)).is_ok());
}

#[test]
fn the_trend_follows_the_better_direction() {
    let up = kpi(Some(7.0), None, Better::Higher, &[6.4, 7.2]);
    assert_eq!((up.trend(), up.arrow()), (Some(Trend::Better), "↑"));
    let latency = kpi(None, Some(300.0), Better::Lower, &[250.0, 280.0]);
    assert_eq!(
        (latency.trend(), latency.arrow()),
        (Some(Trend::Worse), "↑")
    );
    let flat = kpi(Some(7.0), None, Better::Higher, &[7.0, 7.000_001]);
    assert_eq!((flat.trend(), flat.arrow()), (Some(Trend::Flat), "→"));
    assert_eq!(kpi(Some(7.0), None, Better::Higher, &[7.0]).trend(), None);
}

#[test]
fn start_an_okr_drafts_from_the_latest_reading_to_the_crossed_edge() {
    let low = kpi(Some(7.0), Some(12.0), Better::Higher, &[7.4, 6.4]);
    let d = draft(&low).expect("out of range");
    assert_eq!(d.title, "Bring conversion back above 7%");
    assert_eq!(d.kr_title, "Conversion above 7%");
    assert_eq!((d.start, d.target), (6.4, 7.0));
    let high = kpi(Some(7.0), Some(12.0), Better::Higher, &[13.0]);
    assert_eq!(draft(&high).map(|d| d.target), Some(12.0));
    assert_eq!(draft(&kpi(Some(7.0), None, Better::Higher, &[8.0])), None);
    assert_eq!(draft(&kpi(Some(7.0), None, Better::Higher, &[])), None);
}

#[test]
fn names_are_trimmed_and_bounded() {
    assert_eq!(check_name("  conversion "), Ok("conversion"));
    assert!(check_name("   ").is_err());
    assert!(check_name(&"é".repeat(61)).is_err());
    assert_eq!(Better::parse(" Lower "), Some(Better::Lower));
    assert_eq!(Better::parse("sideways"), None);
}

#[test]
fn a_cadence_reads_words_days_and_weeks_and_says_itself_back() {
    let days = |t: &str| parse_cadence(t).map(|c| c.map(Cadence::in_days));
    assert_eq!(days("prompt"), Ok(None));
    assert_eq!(days(" Default "), Ok(None));
    assert_eq!(days("weekly"), Ok(Some(7)));
    assert_eq!(days("every 2 weeks"), Ok(Some(14)));
    assert_eq!(days("Monthly"), Ok(Some(30)));
    assert_eq!(days("quarterly"), Ok(Some(91)));
    assert_eq!(days("10d"), Ok(Some(10)));
    assert_eq!(days("3 w"), Ok(Some(21)));
    assert!(days("0d").unwrap_err().contains("between 1 day and 366"));
    assert!(days("400 days").is_err());
    assert!(days("99999999999999999999w").is_err());
    assert!(days("sometimes").unwrap_err().contains("is not a cadence"));
    assert!(days("٣d").is_err());
    for d in [1, 7, 10, 14, 28, 30, 91, 366] {
        let c = Cadence::days(d).unwrap();
        assert_eq!(parse_cadence(&c.text()), Ok(Some(c)), "{}", c.text());
    }
}

#[test]
fn a_kpi_read_by_hand_is_asked_for_once_its_reading_is_older_than_its_cadence() {
    let mut k = kpi(Some(7.0), None, Better::Higher, &[7.5]);
    let read = k.latest.unwrap().0;
    let recent = Duration::days(3);
    let week = Duration::days(7);
    // The default: like a key result, asked unless read within the last 3 days.
    assert!(!k.asked_at(read + Duration::days(3), recent));
    assert!(k.asked_at(read + Duration::days(3) + Duration::seconds(1), recent));
    assert!(!k.is_stale(read + week, week));
    assert!(k.is_stale(read + week + Duration::seconds(1), week));
    // Monthly: asked from 27 days on, stale after 30.
    k.cadence = Cadence::days(30);
    assert!(!k.asked_at(read + Duration::days(20), recent));
    assert!(k.asked_at(read + Duration::days(28), recent));
    assert!(!k.is_stale(read + Duration::days(29), week));
    assert!(k.is_stale(read + Duration::days(31), week));
    // A short cadence never asks for a reading younger than the prompt's window.
    k.cadence = Cadence::days(2);
    assert!(!k.asked_at(read + Duration::days(2), recent));
    // Never read: asked, not stale.
    let never = kpi(Some(7.0), None, Better::Higher, &[]);
    assert!(never.asked_at(read, recent));
    assert!(!never.is_stale(read + Duration::days(400), week));
    // A source reads it: never asked, never stale by cadence.
    k.source = Some(KpiSource {
        url: "http://127.0.0.1/".into(),
        pointer: "/v".into(),
        cron: "0 * * * *".into(),
        header_names: vec![],
        last_error: None,
    });
    assert!(!k.asked_at(read + Duration::days(90), recent));
    assert!(!k.is_stale(read + Duration::days(90), week));
}
