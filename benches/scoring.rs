//! Scoring a workspace: every key result's progress, colour, staleness and forecast, then the
//! roll-up into objectives. This is what a status report or a digest does for every KR it
//! shows, so it must stay far below the cost of reading the rows.
//!
//! The KRs are built by index arithmetic (no random generator) so that every run scores the
//! same data.

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use okrbot::domain::model::{
    Confidence, Cycle, CycleId, Direction, KeyResult, KrId, KrKind, ObjectiveId, Unit,
};
use okrbot::domain::scoring::{objective_score, score_kr, KrScore, ScoreContext, ScoringRules};

const KRS: usize = 10_000;
/// A quarter of weekly check-ins is 13 points: the most a KR has in a normal cycle.
const MAX_POINTS: usize = 13;

type Points = Vec<(DateTime<Utc>, f64)>;

fn cycle() -> Cycle {
    Cycle {
        id: CycleId(1),
        name: "2026-Q4".into(),
        start: NaiveDate::from_ymd_opt(2026, 10, 1).expect("valid date"),
        end: NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid date"),
        closed: false,
    }
}

/// Key result `i` and its check-in history. Kinds split roughly 3:1:1 metric, threshold,
/// milestone (metric KRs are the common case and the only ones with a forecast); the history
/// length cycles through 0..=13 so the forecast sees every size, including too few points.
fn key_result(i: usize, cycle_start: DateTime<Utc>) -> (KeyResult, Points) {
    let kind = match i % 5 {
        0..=2 => KrKind::Metric,
        3 => KrKind::Threshold,
        _ => KrKind::Milestone,
    };
    let (start, target) = match kind {
        // Some metrics go down (onboarding days), most go up.
        KrKind::Metric if i.is_multiple_of(4) => (14.0, 7.0),
        KrKind::Metric => (0.0, 100.0 + (i % 50) as f64),
        KrKind::Threshold => (95.0, 95.0),
        KrKind::Milestone => (0.0, 1.0),
    };
    let n = i % (MAX_POINTS + 1);
    // Weekly check-ins with a little jitter in hours; values drift towards the target at a
    // pace that differs per KR, so all three colours come out.
    let pace = 0.4 + (i % 7) as f64 * 0.15;
    let points: Points = (0..n)
        .map(|w| {
            let at =
                cycle_start + Duration::days(7 * w as i64 + 1) + Duration::hours((i % 9) as i64);
            let frac = (w + 1) as f64 / MAX_POINTS as f64 * pace;
            let value = match kind {
                KrKind::Metric => start + (target - start) * frac,
                KrKind::Threshold => target + if (i + w).is_multiple_of(6) { -1.5 } else { 0.8 },
                KrKind::Milestone => f64::from(u8::from(frac >= 0.9)),
            };
            (at, value)
        })
        .collect();
    let current = points.last().map_or(start, |p| p.1);
    let kr = KeyResult {
        id: KrId(i as i64 + 1),
        objective_id: ObjectiveId((i / 4) as i64 + 1),
        number: (i % 4) as i64 + 1,
        code: format!("GRO-{}.{}", i / 4 + 1, i % 4 + 1),
        title: format!("Key result {i}"),
        owner: Some(format!("user{}", i % 17)),
        kind,
        unit: Unit::Count,
        start,
        target,
        current,
        direction: (kind == KrKind::Threshold).then_some(Direction::AtLeast),
        confidence: Confidence::new((i % 11) as i64), // 0 -> None: no confidence given
        weight: if i.is_multiple_of(10) { 2.0 } else { 1.0 },
        created_at: cycle_start,
        paced_from: None,
        last_check_in: points.last().map(|p| p.0),
        follows: None,
        carried_by: None,
    };
    (kr, points)
}

/// Objectives of 3, 4 or 5 KRs, as [start, end) index ranges over the KRs.
fn objective_groups() -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < KRS {
        let end = (start + 3 + groups.len() % 3).min(KRS);
        groups.push((start, end));
        start = end;
    }
    groups
}

fn bench_scoring(c: &mut Criterion) {
    let cycle = cycle();
    let tz = chrono_tz::Europe::Berlin;
    let cycle_start = Utc.with_ymd_and_hms(2026, 9, 30, 22, 0, 0).unwrap();
    // Seven weeks into the quarter: past the grace period, so pace and forecast both count.
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
    let rules = ScoringRules::default();
    let ctx = ScoreContext::new(&cycle, tz, now, Duration::days(7), &rules);
    let data: Vec<(KeyResult, Points)> = (0..KRS).map(|i| key_result(i, cycle_start)).collect();
    let groups = objective_groups();
    let scores: Vec<KrScore> = data.iter().map(|(kr, p)| score_kr(kr, &ctx, p)).collect();

    let mut group = c.benchmark_group("scoring");
    group.throughput(Throughput::Elements(KRS as u64));
    group.bench_function("score_kr_10000", |b| {
        let mut out = Vec::with_capacity(KRS);
        b.iter(|| {
            // Reusing the buffer keeps the allocator out of a measurement of pure arithmetic.
            out.clear();
            out.extend(
                data.iter()
                    .map(|(kr, points)| score_kr(black_box(kr), &ctx, black_box(points))),
            );
            out.len()
        })
    });
    group.bench_function("objective_score_10000", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for &(start, end) in &groups {
                // A fixed array, not a Vec: the roll-up itself is what is measured.
                let mut members = [(0.0, &scores[0]); 5];
                for (slot, k) in members.iter_mut().zip(start..end) {
                    *slot = (data[k].0.weight, &scores[k]);
                }
                let o = objective_score(black_box(&members[..end - start]));
                total += o.map_or(0.0, |o| o.score);
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench_scoring);
criterion_main!(benches);
