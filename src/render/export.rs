//! The export document in its three formats: JSON (what import reads back), CSV (one row per
//! key result) and Markdown (a readable report).

use crate::domain::export::{ExportDoc, ExportFormat};
use crate::domain::model::Unit;

/// The document in `format`, with the file extension it is saved under.
pub fn render(doc: &ExportDoc, format: ExportFormat) -> (String, &'static str) {
    match format {
        ExportFormat::Json => (to_json(doc), "json"),
        ExportFormat::Csv => (to_csv(doc), "csv"),
        ExportFormat::Markdown => (to_markdown(doc), "md"),
    }
}

pub fn to_json(doc: &ExportDoc) -> String {
    serde_json::to_string_pretty(doc).expect("export documents always serialize")
}

/// One row per key result, and one for an objective without any, so every objective is there.
/// Text a person typed is written so a spreadsheet never runs it as a formula.
pub fn to_csv(doc: &ExportDoc) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "team",
        "cycle",
        "objective",
        "objective_title",
        "objective_kind",
        "objective_score",
        "objective_status",
        "kr",
        "kr_title",
        "owner",
        "kind",
        "unit",
        "start",
        "target",
        "current",
        "confidence",
        "weight",
        "percent",
        "score",
        "status",
        "stale",
        "last_check_in",
        "objective_parent",
    ];
    w.write_record(header).expect("writing to memory");
    let opt = |v: Option<String>| v.unwrap_or_default();
    for o in &doc.objectives {
        let objective = [
            text_cell(&o.team),
            text_cell(&o.cycle),
            o.code.clone(),
            text_cell(&o.title),
            o.kind.as_str().to_owned(),
            opt(o.score.map(|s| format!("{s:.2}"))),
            opt(o.status.map(|s| s.as_str().to_owned())),
        ];
        let parent = opt(o.parent.clone());
        // The reports list what counts; removed key results travel only in the JSON backup.
        let live: Vec<_> = o
            .key_results
            .iter()
            .filter(|k| k.removed_at.is_none())
            .collect();
        if live.is_empty() {
            let blank = std::iter::repeat_n(String::new(), 15);
            let row: Vec<String> = objective
                .iter()
                .cloned()
                .chain(blank)
                .chain([parent.clone()])
                .collect();
            w.write_record(row).expect("writing to memory");
        }
        for k in live {
            let kr = [
                k.code.clone(),
                text_cell(&k.title),
                text_cell(k.owner.as_deref().unwrap_or("")),
                k.kind.as_str().to_owned(),
                text_cell(&k.unit),
                k.start.to_string(),
                k.target.to_string(),
                k.current.to_string(),
                opt(k.confidence.map(|c| c.get().to_string())),
                k.weight.to_string(),
                k.percent.to_string(),
                format!("{:.2}", k.score),
                k.status.as_str().to_owned(),
                k.stale.to_string(),
                opt(k.last_check_in.map(|t| t.to_rfc3339())),
            ];
            let row: Vec<String> = objective
                .iter()
                .cloned()
                .chain(kr)
                .chain([parent.clone()])
                .collect();
            w.write_record(row).expect("writing to memory");
        }
    }
    String::from_utf8(w.into_inner().expect("flushing to memory")).expect("csv of strings is utf-8")
}

/// Text as a spreadsheet cell: one that begins like a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one) gets a leading apostrophe, so opening the file never runs it.
fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

pub fn to_markdown(doc: &ExportDoc) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!("# OKRs as of {}\n", doc.as_of.format("%Y-%m-%d %H:%M UTC"));
    let mut last: Option<(&str, &str)> = None;
    for o in &doc.objectives {
        if last != Some((o.team.as_str(), o.cycle.as_str())) {
            out.push_str(&format!("\n## {} · {}\n", o.team, o.cycle));
            last = Some((o.team.as_str(), o.cycle.as_str()));
        }
        let score = match (o.score, o.percent, o.status) {
            (Some(s), Some(p), Some(st)) => format!("{} {s:.2} ({p}%)", st.emoji()),
            _ => "no key results".into(),
        };
        out.push_str(&format!(
            "\n### {} {} — {score}\n\n",
            o.code,
            cell(&o.title)
        ));
        out.push_str(&format!(
            "{} · {}{}\n\n",
            o.kind.as_str(),
            o.owner.as_deref().unwrap_or("no owner"),
            o.parent
                .as_deref()
                .map(|p| format!(" · under {p}"))
                .unwrap_or_default()
        ));
        let live: Vec<_> = o
            .key_results
            .iter()
            .filter(|k| k.removed_at.is_none())
            .collect();
        if live.is_empty() {
            continue;
        }
        out.push_str("| KR | title | owner | current | target | score | status |\n|---|---|---|---|---|---|---|\n");
        for k in live {
            let unit = Unit::parse(&k.unit).unwrap_or(Unit::Count);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.2} ({}%) | {} {}{} |\n",
                k.code,
                cell(&k.title),
                cell(k.owner.as_deref().unwrap_or("")),
                unit.format(k.current),
                unit.format(k.target),
                k.score,
                k.percent,
                k.status.emoji(),
                k.status.as_str(),
                if k.stale { " · stale" } else { "" }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_written_as_text() {
        for evil in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
        ] {
            assert_eq!(text_cell(evil), format!("'{evil}"));
        }
        assert_eq!(text_cell("Grow revenue"), "Grow revenue");
        assert_eq!(text_cell("München"), "München");
    }
}
