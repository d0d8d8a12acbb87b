//! KPI messages: the out-of-range alert and its recovery, and the replies of `/kpi ...`
//! (`docs/kpis.md`).

use crate::domain::kpi::{Kpi, Place};
use crate::domain::message::{Action, ActionKind, Attachment, Block, Message};
use crate::domain::model::{member_names, Team};
use crate::domain::scoring::Status;
use crate::domain::view::{KpiDetail, KpiReadingOutcome};

/// How many of the readings `/kpi show` loads it lists in words (the chart draws them all).
const SHOWN_READINGS: usize = 10;

/// Green inside the range, red outside, none without a reading.
pub fn colour(k: &Kpi) -> Option<Status> {
    k.place().map(|p| match p {
        Place::Inside => Status::Green,
        _ => Status::Red,
    })
}

fn emoji(k: &Kpi) -> &'static str {
    match colour(k) {
        Some(Status::Green) => "🟢",
        Some(_) => "🔴",
        None => "⚪",
    }
}

/// `🔴 conversion 6.4% ↓ · healthy: at least 7% · owner alice`
pub fn kpi_line(k: &Kpi) -> String {
    let value = match k.latest {
        Some((_, v)) => {
            let arrow = k.arrow();
            if arrow.is_empty() {
                k.unit.format(v)
            } else {
                format!("{} {arrow}", k.unit.format(v))
            }
        }
        None => "no reading yet".into(),
    };
    let mut line = format!(
        "{} {} {value} · healthy: {}",
        emoji(k),
        k.name,
        k.range.text(&k.unit)
    );
    if let Some(age) = k.stale_for {
        line.push_str(&format!(" · ⚠️ stale: {}", stale_words(age)));
    }
    if let Some(o) = &k.owner {
        line.push_str(&format!(" · owner {o}"));
    }
    if let Some((_, e)) = k.source.as_ref().and_then(|s| s.last_error.as_ref()) {
        line.push_str(&format!(" · ⚠️ source failing: {e}"));
    }
    line
}

/// The alert: one per KPI leaving its range, with the owner and leads mentioned and the action
/// that drafts an OKR to bring it back.
pub fn out_of_range(team: &Team, k: &Kpi) -> Message {
    let side = match k.place() {
        Some(Place::Above) => "above",
        _ => "below",
    };
    let mut m = Message::new(format!(
        "{}: KPI {} is {side} its healthy range",
        team.name, k.name
    ));
    m.colour = Some(Status::Red);
    m.blocks.push(Block {
        heading: None,
        colour: Some(Status::Red),
        lines: vec![
            kpi_line(k),
            format!(
                "leads: {}",
                if team.leads.is_empty() {
                    "none".into()
                } else {
                    member_names(&team.leads)
                }
            ),
        ],
    });
    m.mentions = k
        .owner
        .iter()
        .cloned()
        .chain(team.leads.iter().map(|l| l.name().to_owned()))
        .fold(Vec::new(), |mut v, who| {
            if !v.contains(&who) {
                v.push(who);
            }
            v
        });
    m.actions.push(Action {
        kind: ActionKind::StartOkr,
        label: "Start an OKR".into(),
        target: Some(k.name.clone()),
        kpi: None,
    });
    m.footer = Some(format!(
        "A lead starts an OKR to bring it back with /kpi okr kpi:{}; the alert resolves when a reading is back in range.",
        k.name
    ));
    m
}

pub fn back_in_range(team: &Team, k: &Kpi) -> Message {
    let mut m = Message::new(format!(
        "{}: KPI {} is back in its healthy range",
        team.name, k.name
    ));
    m.colour = Some(Status::Green);
    m.blocks.push(Block {
        heading: None,
        colour: Some(Status::Green),
        lines: vec![kpi_line(k)],
    });
    m
}

/// `last read 12 days ago`: how old a stale KPI's reading is, in whole days.
fn stale_words(age: chrono::Duration) -> String {
    match age.num_days() {
        0 | 1 => "last read a day ago".into(),
        d => format!("last read {d} days ago"),
    }
}

/// Who is asked for the KPI, and how often (`docs/kpis.md`, "Asked for").
pub fn asked_line(k: &Kpi) -> String {
    if !k.read_by_hand() {
        return "asked for: never, its readings come by themselves (source or push)".into();
    }
    let who = match &k.owner {
        Some(o) => o.clone(),
        None => "the owners of the key results that follow it".into(),
    };
    match k.cadence {
        None => format!("asked for: in every check-in prompt, of {who}"),
        Some(c) => format!("asked for: {}, in the check-in prompt, of {who}", c.text()),
    }
}

pub fn added(team: &str, k: &Kpi) -> Message {
    Message::text(
        format!("KPI {} added to {team}", k.name),
        vec![
            kpi_line(k),
            asked_line(k),
            format!(
                "record a reading with /kpi set kpi:{} value:<n>, or /kpi set {} <n>",
                k.name, k.name
            ),
        ],
    )
}

/// `/kpi edit`: the KPI as it is now asked for.
pub fn edited(k: &Kpi) -> Message {
    Message::text(
        format!("KPI {} changed", k.name),
        vec![kpi_line(k), asked_line(k)],
    )
}

pub fn reading(o: &KpiReadingOutcome) -> Message {
    let k = &o.kpi;
    let mut lines = vec![kpi_line(k)];
    let when = if o.held {
        " once this reading can no longer be taken back (15 minutes; a corrected reading before then keeps it quiet)"
    } else {
        ""
    };
    if o.alert_opened {
        lines.push(format!(
            "out of its healthy range: the {} channel is told, with Start an OKR{when}",
            o.team_name
        ));
    } else if o.resolved {
        lines.push(format!(
            "back in range: the alert is resolved and the {} channel is told{when}",
            o.team_name
        ));
    } else if k.alerting {
        lines.push("still out of range (the alert is open)".into());
    }
    let mut m = Message::text(format!("Reading of {} recorded", k.name), lines);
    m.colour = colour(k);
    m
}

pub fn list(kpis: &[(Team, Kpi)]) -> Message {
    let lines = if kpis.is_empty() {
        vec!["no KPIs yet: a lead adds one with /kpi add team:<team> name:<name> unit:<unit> min:<n>".into()]
    } else {
        kpis.iter()
            .map(|(t, k)| format!("{} · {}", kpi_line(k), t.name))
            .collect()
    };
    let mut m = Message::text("KPIs", lines).private();
    m.colour = kpis.iter().filter_map(|(_, k)| colour(k)).max();
    m
}

/// What `/kpi withdraw` did, for the asker.
pub fn withdrawn(w: &crate::domain::view::KpiWithdrawn) -> Message {
    let k = &w.kpi;
    let r = &w.reading.reading;
    let mut lines = vec![format!(
        "#{} read {} by {}; /kpi show lists it as withdrawn",
        w.reading.id,
        crate::domain::view::local_time(r.at, w.tz),
        r.author
    )];
    if let Some(reason) = w.reading.withdrawn.as_ref().and_then(|x| x.reason.as_ref()) {
        lines.push(format!("reason: {reason}"));
    }
    lines.push(format!("now: {}", kpi_line(k)));
    for kr in &w.followers {
        lines.push(format!(
            "{} follows it and was put back too: {}",
            kr.code,
            kr.unit.format(kr.current)
        ));
    }
    let mut m = Message::text(
        format!(
            "Withdrew a reading of {}: {}",
            k.name,
            k.unit.format(r.value)
        ),
        lines,
    );
    m.colour = colour(k);
    m.private()
}

pub fn detail(d: &KpiDetail) -> Message {
    let k = &d.kpi;
    let mut m = Message::new(format!("KPI {} · {}", k.name, d.team.name));
    m.colour = colour(k);
    let mut head = vec![
        kpi_line(k),
        format!("direction: {} is better", k.better.as_str()),
    ];
    head.extend(source_lines(k));
    head.push(asked_line(k));
    head.push(if k.alerting {
        "alert: open (out of range)".into()
    } else {
        "alert: none".into()
    });
    head.push(if d.linked.is_empty() {
        format!(
            "objectives: none linked (/kpi link kpi:{} objective:<code>)",
            k.name
        )
    } else {
        let codes: Vec<String> = d
            .linked
            .iter()
            .map(|o| format!("{} {}", o.code, o.title))
            .collect();
        format!("objectives: {}", codes.join("; "))
    });
    m.blocks.push(Block {
        heading: None,
        colour: m.colour,
        lines: head,
    });
    m.blocks.push(Block {
        heading: Some("Latest readings".into()),
        colour: None,
        lines: if d.listed.is_empty() {
            vec![format!("none yet: /kpi set kpi:{} value:<n>", k.name)]
        } else {
            d.listed
                .iter()
                .take(SHOWN_READINGS)
                .map(|l| {
                    let r = &l.reading;
                    let mut line = format!(
                        "#{} · {} · {} · {} · {}",
                        l.id,
                        crate::domain::view::local_time(r.at, d.team.tz),
                        k.unit.format(r.value),
                        r.author,
                        r.source.as_str()
                    );
                    if let Some(w) = &l.withdrawn {
                        line.push_str(&format!(" · withdrawn by {}", w.by));
                        if let Some(reason) = &w.reason {
                            line.push_str(&format!(": {reason}"));
                        }
                    }
                    line
                })
                .collect()
        },
    });
    m.attachments.extend(chart(d));
    m.private()
}

/// The readings against the healthy band; `None` without readings or when it cannot be
/// drawn (the reply says the same in words).
fn chart(d: &KpiDetail) -> Option<Attachment> {
    use super::chart::{kpi_chart, KpiChartInput};
    let k = &d.kpi;
    let last = d.readings.first()?;
    let input = KpiChartInput {
        title: format!("{} · {}", k.name, d.team.name),
        points: d.readings.iter().map(|r| (r.at, r.value)).collect(),
        min: k.range.min,
        max: k.range.max,
        unit: k.unit.clone(),
        now: last.at,
        tz: d.team.tz,
    };
    match kpi_chart(&input) {
        Ok(bytes) => Some(Attachment {
            // Named for what it shows, so that charts saved side by side stay apart.
            name: format!(
                "kpi-{}-{}-{}.png",
                super::file_slug(&d.team.name, "team"),
                super::file_slug(&k.name, "kpi"),
                last.at.with_timezone(&d.team.tz).format("%Y%m%d-%H%M")
            ),
            bytes,
        }),
        Err(e) => {
            tracing::warn!(error = %e, kpi = k.id.0, "KPI chart not drawn");
            None
        }
    }
}

/// Where the KPI is read from, header values masked, and the last failure.
pub fn source_lines(k: &Kpi) -> Vec<String> {
    let Some(s) = &k.source else {
        return vec![format!(
            "source: none (/kpi source kpi:{} url:<https URL> pointer:/data/value)",
            k.name
        )];
    };
    let pointer = if s.pointer.is_empty() {
        "/"
    } else {
        &s.pointer
    };
    let mut line = format!(
        "source: {} · pointer {pointer} · cron \"{}\" in the team's zone",
        s.url, s.cron
    );
    for name in &s.header_names {
        line.push_str(&format!(" · {name}: ••••••"));
    }
    let mut lines = vec![line];
    lines.push(match &s.last_error {
        Some((_, e)) => format!("last fetch failed: {e}"),
        None => "last fetch: no failure".into(),
    });
    lines
}
