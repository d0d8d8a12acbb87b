//! The update grammar on realistic chat input: what one `/okr update` line or one pasted bulk
//! message costs to parse, before any storage is touched.
//!
//! The lines are built by index arithmetic, not a random generator, so every run (and every
//! machine) parses exactly the same text and figures stay comparable across commits.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use okrbot::domain::grammar::{parse_bulk, parse_update};

const LINES: usize = 1000;
/// One line in this many is deliberately broken in the mixed set: the error path (quoting the
/// bad part, suggesting a fix) allocates and should be measured too, but it is the rare case.
const BAD_EVERY: usize = 37;

/// Every value form of the grammar, so no single fast path dominates the average.
const VALUES: &[&str] = &[
    "42", "42.5", "1,200", "1.2k", "3M", "45%", "$1,200", "3h", "14d", "+5", "-2.5", "done",
    "not done",
];
const CONFIDENCES: &[&str] = &["", "c8", "conf 7", "confidence 9"];
const NOTES: &[&str] = &[
    "",
    "steady",
    "pricing test hurt, recovering next week",
    "blocked on the data team: waiting for the new export, should land by Friday",
];
const TITLES: &[&str] = &["onboarding time", "trial conversion", "self-serve MRR"];
/// Each fails in a different place: the value, the reference, the quote, the confidence.
const BAD: &[&str] = &[
    "GRO-1.1 12O",
    "GRO-1.2",
    "\"onboarding time 9",
    "GRO-1.3 1e5 c8",
    "GRO-2.1 42 c11",
    "GRO-1.4 nan",
    "42 c8 no reference",
];

/// The key-result reference of line `i`: mostly codes (what people type), then titles and ids.
fn reference(i: usize) -> String {
    match i % 8 {
        0..=3 => format!("GRO-{}.{}", 1 + i % 4, 1 + (i / 4) % 6),
        4 => format!("#{}", 1 + i % 250),
        5 => format!("\"{}\"", TITLES[i % TITLES.len()]),
        6 => TITLES[(i / 8) % TITLES.len()].to_string(),
        _ => format!("pla-{}.{}:", 1 + i % 3, 1 + i % 5),
    }
}

/// Line `i` of the set. The strides are coprime with the table lengths, so the tables combine
/// in many ways instead of marching in lockstep.
fn line(i: usize, with_bad: bool) -> String {
    if with_bad && i % BAD_EVERY == BAD_EVERY - 1 {
        return BAD[(i / BAD_EVERY) % BAD.len()].to_string();
    }
    let parts = [
        reference(i),
        VALUES[(i * 7) % VALUES.len()].to_string(),
        CONFIDENCES[(i * 3 + i / 5) % CONFIDENCES.len()].to_string(),
        NOTES[(i * 5 + i / 3) % NOTES.len()].to_string(),
    ];
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    parts.join(" ")
}

fn lines(with_bad: bool) -> Vec<String> {
    (0..LINES).map(|i| line(i, with_bad)).collect()
}

fn bench_grammar(c: &mut Criterion) {
    let mixed = lines(true);
    // A benchmark of the wrong thing is worse than none: check the set is what it claims.
    let bad = mixed.iter().filter(|l| parse_update(l).is_err()).count();
    assert_eq!(bad, LINES / BAD_EVERY, "only the deliberate lines may fail");
    let valid = lines(false);
    let bulk = valid.join("\n");
    assert_eq!(parse_bulk(&bulk).map(|u| u.len()), Ok(LINES));

    let mut group = c.benchmark_group("grammar");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("parse_update_mixed_1000", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for l in &mixed {
                ok += usize::from(parse_update(black_box(l)).is_ok());
            }
            ok
        })
    });
    group.bench_function("parse_bulk_1000", |b| {
        b.iter(|| parse_bulk(black_box(&bulk)).map(|u| u.len()))
    });
    group.finish();
}

criterion_group!(benches, bench_grammar);
criterion_main!(benches);
