//! Digests and the workspace rollup as messages.

use chrono::{DateTime, Utc};

use super::{ago, forecast_day, progress_bar, round_percent, score_text, value_vs_target, BAR};
use crate::domain::kpi::Kpi;
use crate::domain::message::{Block, Message};
use crate::domain::model::Team;
use crate::domain::scoring::round_score;
use crate::domain::view::{Digest, RollupNode, ScoredKr, TeamState};

fn arrow(now: f64, previous: Option<f64>) -> String {
    let Some(p) = previous else {
        return "new".into();
    };
    let delta = round_score(now) - round_score(p);
    if delta > 0.0 {
        format!("↑ +{delta:.2}")
    } else if delta < 0.0 {
        format!("↓ {delta:.2}")
    } else {
        "→ no change".into()
    }
}

fn kr_line(k: &ScoredKr, d: &Digest<'_>) -> String {
    let s = &k.score;
    let mut line = format!(
        "{} {} {} — {} {} {} · {}",
        s.status.emoji(),
        k.kr.code,
        k.kr.title,
        score_text(s.score, s.progress),
        progress_bar(s.score, BAR),
        value_vs_target(&k.kr),
        k.kr.owner.as_deref().unwrap_or("no owner"),
    );
    // An owner off today is away, not late: that stands instead of stale or not checked in.
    let away = k.kr.owner.as_deref().and_then(|o| d.state.away_today(o));
    match (k.kr.last_check_in, &away) {
        (Some(t), _) => line.push_str(&format!(" · {}", ago(t, d.state.at))),
        (None, None) => line.push_str(" · no check-in yet"),
        (None, Some(_)) => {}
    }
    match &away {
        Some(a) => line.push_str(&format!(" · 🌴 {a}")),
        None if s.stale => line.push_str(" · ⚠️ stale"),
        None => {}
    }
    // Once the target is reached, "where it is heading" says nothing a lead needs.
    if let Some(f) = s.forecast.as_ref().filter(|_| s.progress < 1.0) {
        line.push_str(&format!(
            " · trend {}% by {}",
            round_percent(f.progress),
            forecast_day(f, d.state.team.tz)
        ));
    }
    line
}

pub fn message(d: &Digest<'_>) -> Message {
    let s = d.state;
    let cycle = s
        .cycle
        .as_ref()
        .map(|c| c.name.as_str())
        .unwrap_or("no cycle");
    let expected = s
        .clock
        .map(|c| round_percent(c.expected(s.at)))
        .unwrap_or(0);
    let mut m = Message::new(format!(
        "{} digest · {cycle} · {expected}% of the cycle elapsed",
        s.team.name
    ));
    for o in &d.objectives {
        let heading = match &o.score {
            Some(sc) => format!(
                "{} {} {} — {} {} {}",
                sc.status.emoji(),
                o.objective.code,
                o.objective.title,
                score_text(sc.score, sc.progress),
                progress_bar(sc.score, BAR),
                arrow(sc.score, o.previous)
            ),
            None => format!(
                "⚪ {} {} — {}",
                o.objective.code,
                o.objective.title,
                super::unscored(o.krs.len())
            ),
        };
        let children = d
            .state
            .children
            .get(&o.objective.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let heading = heading
            + &super::aligned(children)
            + &super::shared_mark(
                d.state.shared.get(&o.objective.id).map(String::as_str),
                d.state
                    .shared_with
                    .get(&o.objective.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
        m.blocks.push(Block {
            heading: Some(heading),
            colour: o.score.map(|s| s.status),
            lines: o.krs.iter().map(|k| kr_line(k, d)).collect(),
        });
    }
    m.blocks.push(Block {
        heading: Some("Not checked in yet".into()),
        colour: None,
        lines: {
            // Owners away are not late: they are named as away, after those who owe something.
            let mut away: Vec<String> = d
                .state
                .by_owner()
                .into_iter()
                .filter_map(|(who, _)| Some(format!("{who}: 🌴 {}", d.state.away_today(who)?)))
                .collect();
            let mut lines: Vec<String> = if d.missing.is_empty() && d.state.krs.is_empty() {
                // Nobody owes anything because there is nothing to owe: no congratulations.
                vec!["no key results yet: nothing to check in".into()]
            } else if d.missing.is_empty() && away.is_empty() {
                vec!["everyone has checked in 🎉".into()]
            } else if d.missing.is_empty() {
                vec!["everyone at work has checked in".into()]
            } else {
                d.missing
                    .iter()
                    .map(|(who, codes)| format!("{who}: {}", codes.join(", ")))
                    .collect()
            };
            lines.append(&mut away);
            lines
        },
    });
    m.blocks.push(Block {
        heading: Some("At risk".into()),
        colour: (!d.at_risk.is_empty()).then_some(crate::domain::scoring::Status::Red),
        lines: if d.at_risk.is_empty() {
            vec!["nothing is red".into()]
        } else {
            d.at_risk
                .iter()
                .map(|k| {
                    format!(
                        "🔴 {} {} — {} · {}",
                        k.kr.code,
                        k.kr.title,
                        value_vs_target(&k.kr),
                        k.kr.owner.as_deref().unwrap_or("no owner")
                    )
                })
                .collect()
        },
    });
    if !d.kpis.is_empty() {
        m.blocks.push(Block {
            heading: Some("KPIs".into()),
            colour: d.kpis.iter().filter_map(|k| super::kpi::colour(k)).max(),
            lines: d.kpis.iter().map(|k| super::kpi::kpi_line(k)).collect(),
        });
    }
    m.colour = d
        .objectives
        .iter()
        .filter_map(|o| o.score.map(|s| s.status))
        .max();
    m.footer = Some(format!(
        "as of {} · /okr status for details",
        s.at.with_timezone(&s.team.tz)
            .format("%a %Y-%m-%d %H:%M %Z")
    ));
    m
}

/// The workspace rollup: the alignment tree of the cycle's objectives, then every KPI of the
/// workspace with its team, out of range first (`docs/kpis.md`, "In the digest").
pub fn rollup_message(
    cycle: &str,
    roots: &[RollupNode],
    kpis: &[(Team, Kpi)],
    now: DateTime<Utc>,
) -> Message {
    fn walk(n: &RollupNode, depth: usize, out: &mut Vec<String>) {
        let score = match &n.score {
            Some(s) => format!("{} {}", s.status.emoji(), score_text(s.score, s.progress)),
            None => "⚪ not scored yet".into(),
        };
        out.push(format!(
            "{}{} {} — {score} · {}",
            "    ".repeat(depth),
            n.code,
            n.title,
            n.team
        ));
        for c in &n.children {
            walk(c, depth + 1, out);
        }
    }
    let mut lines = Vec::new();
    for r in roots {
        walk(r, 0, &mut lines);
    }
    if lines.is_empty() {
        lines.push("no objectives in this cycle yet".into());
    }
    let mut m = Message::text(format!("Workspace rollup · {cycle}"), lines);
    m.colour = roots.iter().filter_map(|r| r.score.map(|s| s.status)).max();
    if !kpis.is_empty() {
        m.blocks.push(Block {
            heading: Some("KPIs".into()),
            colour: kpis.iter().filter_map(|(_, k)| super::kpi::colour(k)).max(),
            lines: kpis
                .iter()
                .map(|(t, k)| {
                    // Named as the commands name it across teams: `Growth/conversion`.
                    let line = super::kpi::kpi_line(k);
                    match line.split_once(' ') {
                        Some((dot, rest)) => format!("{dot} {}/{rest}", t.name),
                        None => line,
                    }
                })
                .collect(),
        });
    }
    m.footer = Some(format!("as of {}", now.format("%Y-%m-%d %H:%M UTC")));
    m
}

/// The digest's chart: each objective's score over the cycle (recomputed at every check-in of
/// its key results) against the expected-pace line. `None` when it cannot be drawn; a digest
/// without a picture is still a digest.
pub fn chart(s: &TeamState) -> Option<crate::domain::message::Attachment> {
    use super::chart::{progress_chart, ChartInput, ChartSeries};
    let clock = s.clock?;
    let mut series = Vec::new();
    // The chart starts where the earliest objective's pace does: one drafted on day 40 is not
    // drawn as a line that has been behind since day 1.
    let mut chart_start = clock.end;
    for (i, (o, _)) in s.objectives.iter().enumerate() {
        let krs: Vec<&ScoredKr> = s.krs.iter().filter(|k| k.objective == i).collect();
        let start = krs
            .iter()
            .map(|k| clock.pace_start(&k.kr, s.team.tz))
            .min()
            .unwrap_or(clock.start);
        chart_start = chart_start.min(start);
        let mut times: Vec<DateTime<Utc>> = krs
            .iter()
            .flat_map(|k| s.points.get(&k.kr.id).into_iter().flatten().map(|p| p.0))
            .filter(|t| clock.contains(*t) && *t <= s.at)
            .collect();
        times.sort();
        times.dedup();
        let mut points = vec![(start, objective_score_at(&krs, s, start))];
        points.extend(
            times
                .into_iter()
                .map(|t| (t, objective_score_at(&krs, s, t))),
        );
        series.push(ChartSeries {
            label: format!("{} {}", o.code, o.title),
            points,
        });
    }
    let input = ChartInput {
        title: format!("{} · {}", s.team.name, s.cycle.as_ref()?.name),
        cycle_start: chart_start.min(s.at).max(clock.start),
        cycle_end: clock.end,
        now: s.at,
        series,
        tz: s.team.tz,
    };
    match progress_chart(&input) {
        Ok(bytes) => Some(crate::domain::message::Attachment {
            // Named for what it shows, so that charts saved side by side stay apart.
            name: format!(
                "progress-{}-{}-{}.png",
                super::file_slug(&s.team.name, "team"),
                super::file_slug(&s.cycle.as_ref()?.name, "cycle"),
                s.at.with_timezone(&s.team.tz).format("%Y%m%d")
            ),
            bytes,
        }),
        Err(e) => {
            tracing::warn!(error = %e, team = %s.team.name, "digest chart not drawn");
            None
        }
    }
}

/// The weighted score of an objective's key results as their values stood at `t`.
fn objective_score_at(krs: &[&ScoredKr], s: &TeamState, t: DateTime<Utc>) -> f64 {
    let (mut sum, mut weights) = (0.0, 0.0);
    for k in krs {
        let value = s
            .points
            .get(&k.kr.id)
            .and_then(|ps| ps.iter().take_while(|p| p.0 <= t).last().map(|p| p.1))
            .unwrap_or(k.kr.start);
        let mut then = k.kr.clone();
        then.current = value;
        let w = if k.kr.weight > 0.0 { k.kr.weight } else { 0.0 };
        sum += w * crate::domain::scoring::score(&then);
        weights += w;
    }
    if weights > 0.0 {
        sum / weights
    } else {
        0.0
    }
}
