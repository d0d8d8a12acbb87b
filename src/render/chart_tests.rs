use super::*;
use chrono::TimeZone;

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

fn input(series: Vec<ChartSeries>) -> ChartInput {
    ChartInput {
        title: "Q1 2025 — Platform team".into(),
        cycle_start: at(2025, 1, 1),
        cycle_end: at(2025, 3, 31),
        now: at(2025, 2, 20),
        series,
        tz: chrono_tz::UTC,
    }
}

/// Decodes and returns (width, height); panics if `bytes` is not a valid PNG.
fn decode(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n']));
    let mut reader = png::Decoder::new(bytes).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    (info.width, info.height)
}

fn weekly(label: &str, rate: f64, weeks: i64) -> ChartSeries {
    let points = (0..=weeks)
        .map(|w| {
            let y = (rate * w as f64 / 13.0 + 0.02 * (w as f64 * 1.7).sin()).max(0.0);
            (at(2025, 1, 1) + Duration::weeks(w), y)
        })
        .collect();
    ChartSeries {
        label: label.into(),
        points,
    }
}

fn quarter() -> ChartInput {
    input(vec![
        weekly("Ship billing v2", 1.15, 7),
        weekly("Reduce p95 latency to 200ms", 0.8, 7),
        weekly("Hire two SREs", 0.45, 7),
    ])
}

#[test]
fn png_has_requested_dimensions() {
    let png = progress_chart(&quarter()).unwrap();
    assert_eq!(decode(&png), (WIDTH, HEIGHT));
}

#[test]
fn empty_series_renders() {
    assert_eq!(
        decode(&progress_chart(&input(vec![])).unwrap()),
        (WIDTH, HEIGHT)
    );
    let empty = ChartSeries {
        label: "nothing yet".into(),
        points: vec![],
    };
    assert_eq!(
        decode(&progress_chart(&input(vec![empty])).unwrap()),
        (WIDTH, HEIGHT)
    );
}

#[test]
fn degenerate_cycle_errors() {
    let mut i = quarter();
    i.cycle_end = i.cycle_start;
    assert!(matches!(
        progress_chart(&i),
        Err(ChartError::DegenerateCycle)
    ));
    i.cycle_end = i.cycle_start - Duration::days(1);
    assert!(matches!(
        progress_chart(&i),
        Err(ChartError::DegenerateCycle)
    ));
}

#[test]
fn awkward_data_does_not_panic() {
    let s = |label: &str, points: Vec<(DateTime<Utc>, f64)>| ChartSeries {
        label: label.into(),
        points,
    };
    let mut i = input(vec![
        s("single", vec![(at(2025, 2, 1), 0.3)]),
        s(
            "outside",
            vec![
                (at(2024, 12, 1), -0.5),
                (at(2025, 1, 20), 0.2),
                (at(2025, 5, 1), 2.0),
            ],
        ),
        s(
            "negative",
            vec![(at(2025, 1, 5), -0.4), (at(2025, 1, 30), -0.1)],
        ),
        s(
            "non-finite",
            vec![
                (at(2025, 1, 5), f64::NAN),
                (at(2025, 1, 9), f64::INFINITY),
                (at(2025, 1, 10), 1e300),
            ],
        ),
        s("only outside", vec![(at(2020, 1, 1), 0.5)]),
    ]);
    for _ in 0..8 {
        i.series.push(weekly(
            &"a very long objective label indeed ".repeat(3),
            0.5,
            12,
        ));
    }
    i.title = "x".repeat(500);
    i.now = at(2030, 1, 1); // outside the cycle: no marker
    assert_eq!(decode(&progress_chart(&i).unwrap()), (WIDTH, HEIGHT));
    // A one-second cycle is legal and must not divide by zero.
    i.cycle_end = i.cycle_start + Duration::seconds(1);
    assert_eq!(decode(&progress_chart(&i).unwrap()), (WIDTH, HEIGHT));
}

#[test]
fn clipping_interpolates_at_edges() {
    let s = ChartSeries {
        label: "x".into(),
        points: vec![
            (at(2025, 1, 1) - Duration::days(10), 0.0),
            (at(2025, 1, 1) + Duration::days(10), 1.0),
        ],
    };
    let d = DAY;
    let (line, markers) = prepare(&s, at(2025, 1, 1), 30 * d);
    assert_eq!(line, vec![(0, 0.5), (10 * d, 1.0)]);
    assert_eq!(markers, vec![(10 * d, 1.0)]);
}

/// Leaves a quarter's chart in the temp directory for a person to look at.
#[test]
fn a_quarter_chart_is_written_for_inspection() {
    let png = progress_chart(&quarter()).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(std::env::temp_dir().join("okrbot-chart-example.png"), &png).unwrap();
}

fn rgb(bytes: &[u8]) -> Vec<[u8; 3]> {
    let mut reader = png::Decoder::new(bytes).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    buf.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
}

fn count(pixels: &[[u8; 3]], c: RGBColor) -> usize {
    pixels.iter().filter(|p| **p == [c.0, c.1, c.2]).count()
}

fn kpi(points: Vec<(DateTime<Utc>, f64)>, min: Option<f64>, max: Option<f64>) -> KpiChartInput {
    KpiChartInput {
        title: "conversion · Growth".into(),
        points,
        min,
        max,
        unit: crate::domain::model::Unit::Percent,
        now: at(2025, 3, 1),
        tz: chrono_tz::UTC,
    }
}

fn drifting() -> Vec<(DateTime<Utc>, f64)> {
    (0..30)
        .map(|d| (at(2025, 1, 20) + Duration::days(d), 9.0 - d as f64 * 0.15))
        .collect()
}

#[test]
fn kpi_chart_shades_the_healthy_band() {
    let banded = rgb(&kpi_chart(&kpi(drifting(), Some(7.0), Some(12.0))).unwrap());
    // The band spans the plot's width and a good part of its height.
    assert!(count(&banded, BAND) > 20_000, "{}", count(&banded, BAND));
    let open = rgb(&kpi_chart(&kpi(drifting(), None, Some(12.0))).unwrap());
    assert!(
        count(&open, BAND) > 20_000,
        "a ceiling alone shades below it"
    );
}

#[test]
fn kpi_chart_marks_readings_outside_the_range() {
    // 9.0 down to 4.65: the last third is below 7.
    let outside = rgb(&kpi_chart(&kpi(drifting(), Some(7.0), None)).unwrap());
    assert!(count(&outside, OUT) > 100, "{}", count(&outside, OUT));
    let inside = rgb(&kpi_chart(&kpi(drifting(), Some(1.0), None)).unwrap());
    assert_eq!(count(&inside, OUT), 0, "nothing outside, nothing red");
}

#[test]
fn kpi_chart_shows_an_edge_far_from_every_reading() {
    // Readings near 100, a floor at 10: the band is still drawn (the axis reaches the edge).
    let points = (0..5)
        .map(|d| (at(2025, 2, 1) + Duration::days(d), 100.0 + d as f64))
        .collect();
    let png = rgb(&kpi_chart(&kpi(points, Some(10.0), Some(20.0))).unwrap());
    assert!(count(&png, BAND) > 5_000, "{}", count(&png, BAND));
}

#[test]
fn kpi_chart_survives_any_data() {
    let cases = vec![
        vec![],
        vec![(at(2025, 2, 1), 5.0)],
        vec![(at(2025, 2, 1), f64::NAN), (at(2025, 2, 2), f64::INFINITY)],
        vec![(at(2025, 2, 1), 3.0), (at(2025, 2, 1), 3.0)],
        vec![(at(2025, 2, 1), -1e300), (at(2025, 2, 2), 1e300)],
        vec![(at(2030, 2, 1), 1.0), (at(1990, 2, 2), 2.0)],
    ];
    for points in cases {
        for (min, max) in [
            (Some(7.0), None),
            (None, Some(-3.0)),
            (Some(0.0), Some(0.0)),
        ] {
            match kpi_chart(&kpi(points.clone(), min, max)) {
                Ok(png) => assert_eq!(decode(&png), (WIDTH, HEIGHT)),
                Err(ChartError::Render(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }
}

#[test]
fn the_x_axis_reads_in_the_teams_dates() {
    // A Berlin quarter starts at 2026-09-30T22:00Z: October 1 there, September 30 in UTC.
    let start = Utc.with_ymd_and_hms(2026, 9, 30, 22, 0, 0).unwrap();
    assert_eq!(axis_date(start, 0, chrono_tz::Europe::Berlin), "Oct 1");
    assert_eq!(
        axis_date(start, 7 * DAY, chrono_tz::Europe::Berlin),
        "Oct 8"
    );
    assert_eq!(axis_date(start, 0, chrono_tz::UTC), "Sep 30", "the control");
    // Tokyo reads the next day; Los Angeles the day before.
    let noon = Utc.with_ymd_and_hms(2026, 11, 16, 20, 0, 0).unwrap();
    assert_eq!(axis_date(noon, 0, chrono_tz::Asia::Tokyo), "Nov 17");
    assert_eq!(
        axis_date(noon, 0, chrono_tz::America::Los_Angeles),
        "Nov 16"
    );
}

#[test]
fn legend_labels_wrap_on_words_instead_of_being_cut() {
    assert_eq!(legend_label("GRO-1 Ship"), ["GRO-1 Ship"]);
    assert_eq!(
        legend_label("GRO-1 Enhance onboarding for new teams"),
        ["GRO-1 Enhance", "onboarding for new…"]
    );
    let two = legend_label("GRO-2 Make the platform fast");
    assert_eq!(two, ["GRO-2 Make the", "platform fast"]);
    let long = legend_label("PLA-1 Reduce the p95 latency of every public endpoint below 200 ms");
    assert_eq!(long.len(), 2);
    assert!(long[1].ends_with('…'), "{long:?}");
    assert!(
        long.iter().all(|l| l.chars().count() <= LEGEND_CHARS),
        "{long:?}"
    );
    // A word longer than a line is broken inside, in any script.
    let word = legend_label("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    assert_eq!(word, ["ABCDEFGHIJKLMNOPQRSTUV", "WXYZ"]);
    let cjk = legend_label("成長チームのオンボーディングを改善する目標と主要な成果");
    assert!(
        cjk.iter().all(|l| l.chars().count() <= LEGEND_CHARS),
        "{cjk:?}"
    );
    assert_eq!(legend_label(""), [""]);
}
