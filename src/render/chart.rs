//! Progress charts for digest attachments.
//!
//! Contract: [`progress_chart`] renders an 800x400 PNG (returned as bytes)
//! with one coloured line per [`ChartSeries`] (progress as a fraction,
//! 1.0 = 100%) against a dashed "expected pace" line from `(cycle_start, 0%)`
//! to `(cycle_end, 100%)`, a vertical "today" marker at `now` (if inside the
//! cycle) and a legend showing each series' latest in-cycle value (rows
//! beyond ~14 do not fit and are dropped). The x axis spans exactly the
//! cycle: points outside it are clipped (lines are interpolated to the edge),
//! non-finite values are dropped, and values are clamped to `[-100%, 300%]`
//! so one outlier cannot squash the chart. The y axis runs from
//! `min(0, lowest)` to `max(100%, highest)`. Empty series lists render just
//! the pace line. A cycle with `cycle_end <= cycle_start` (or under a second)
//! is rejected with [`ChartError::DegenerateCycle`]. Never panics on data.
//!
//! Text uses a bundled DejaVu Sans (Bitstream Vera licence, see
//! `assets/LICENSE-DejaVu.txt`) registered with plotters' pure-Rust ab_glyph
//! renderer, so no system fonts or fontconfig are needed at runtime.

use super::clip_chars as truncate;
use std::fmt;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

/// Output size in pixels; Discord shows this inline without scaling.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 400;

const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
const DAY: i64 = 86_400;
const Y_CLAMP: (f64, f64) = (-1.0, 3.0);
const LEGEND_WIDTH: u32 = 240;
/// Characters of a legend label per line, and lines per label: a label is wrapped on words, not
/// cut, until it runs past two lines.
const LEGEND_CHARS: usize = 22;
const LEGEND_LINES: usize = 2;
/// Tableau 10: distinguishable, colour-blind-friendlier than plotters' defaults.
const PALETTE: [u32; 10] = [
    0x4E79A7, 0xF28E2B, 0xE15759, 0x59A14F, 0xB07AA1, 0x76B7B2, 0xEDC948, 0x9C755F, 0xFF9DA7,
    0x79706E,
];
const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);
const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);

pub struct ChartSeries {
    pub label: String,
    /// Progress as a fraction (1.0 = 100%), typically 0..=1.2.
    pub points: Vec<(DateTime<Utc>, f64)>,
}

pub struct ChartInput {
    pub title: String,
    /// The team's zone: the x axis reads in its dates.
    pub tz: chrono_tz::Tz,
    pub cycle_start: DateTime<Utc>,
    pub cycle_end: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// One line per objective (up to ~10 fit the legend).
    pub series: Vec<ChartSeries>,
}

#[derive(Debug)]
pub enum ChartError {
    /// `cycle_end` is not after `cycle_start`, so there is no x axis.
    DegenerateCycle,
    /// The bundled font could not be parsed (would be a build defect).
    Font,
    /// plotters failed while drawing.
    Render(String),
    /// PNG encoding failed.
    Encode(String),
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DegenerateCycle => f.write_str("chart cycle end must be after its start"),
            Self::Font => f.write_str("bundled chart font is invalid"),
            Self::Render(e) => write!(f, "chart rendering failed: {e}"),
            Self::Encode(e) => write!(f, "chart PNG encoding failed: {e}"),
        }
    }
}

impl std::error::Error for ChartError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Self::Render(e.to_string())
    }
}

/// plotters keeps a process-global font table; register ours exactly once
/// under the name plotters' `FontFamily::SansSerif` resolves to.
fn ensure_font() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    ok.then_some(()).ok_or(ChartError::Font)
}

/// x is i64 seconds since cycle start: plotters only formats tick labels for
/// custom key points on integer axes, and seconds are precise enough.
type Pt = (i64, f64);

/// Converts to (seconds since start, clamped value), sorts by time and clips
/// the polyline to `[0, span]`, interpolating where a segment crosses an edge.
/// Returns the line path and the real (non-interpolated) in-range points.
fn prepare(s: &ChartSeries, start: DateTime<Utc>, span: i64) -> (Vec<Pt>, Vec<Pt>) {
    let mut pts: Vec<Pt> = s
        .points
        .iter()
        .filter(|(_, y)| y.is_finite())
        .map(|(t, y)| ((*t - start).num_seconds(), y.clamp(Y_CLAMP.0, Y_CLAMP.1)))
        .collect();
    pts.sort_by_key(|p| p.0);
    let inside = |x: i64| (0..=span).contains(&x);
    let mut line = Vec::with_capacity(pts.len() + 2);
    for (i, &(x, y)) in pts.iter().enumerate() {
        if let Some(&(px, py)) = i.checked_sub(1).and_then(|j| pts.get(j)) {
            // Boundaries in ascending order keep the path sorted by x.
            for b in [0, span] {
                if (px < b && x > b) || (px > b && x < b) {
                    let f = (b - px) as f64 / (x - px) as f64;
                    line.push((b, py + (y - py) * f));
                }
            }
        }
        if inside(x) {
            line.push((x, y));
        }
    }
    let markers = pts.into_iter().filter(|p| inside(p.0)).collect();
    (line, markers)
}

/// Tick every 1/2/7/14/... days from the cycle start so labels stay readable.
fn ticks(span: i64) -> Vec<i64> {
    let step = [1, 2, 7, 14, 30, 61, 91, 182, 365]
        .into_iter()
        .map(|d| d * DAY)
        .find(|s| span / s <= 8)
        .unwrap_or(span / 8 + 1);
    (0..=span / step).map(|i| i * step).collect()
}

/// A tick's date as the team reads it: the cycle starts at midnight in its zone, which is the
/// day before in UTC east of Greenwich.
fn axis_date(start: DateTime<Utc>, x: i64, tz: chrono_tz::Tz) -> String {
    (start + Duration::seconds(x))
        .with_timezone(&tz)
        .format("%b %-d")
        .to_string()
}

/// A legend label in lines of [`LEGEND_CHARS`], broken between words (a word longer than a line
/// is broken inside), at most [`LEGEND_LINES`] of them, the last ending in `…` when more was left.
fn legend_label(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = label.split_whitespace().flat_map(|w| {
        let chars: Vec<char> = w.chars().collect();
        chars
            .chunks(LEGEND_CHARS)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
    });
    let mut left_over = false;
    for word in words.by_ref() {
        let fits =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count()
                <= LEGEND_CHARS;
        if fits {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&word);
            continue;
        }
        lines.push(std::mem::take(&mut current));
        if lines.len() == LEGEND_LINES {
            left_over = true;
            break;
        }
        current = word;
    }
    if !current.is_empty() && lines.len() < LEGEND_LINES {
        lines.push(current);
    }
    if left_over {
        if let Some(last) = lines.last_mut() {
            let mut clipped = truncate(last, LEGEND_CHARS - 1);
            if !clipped.ends_with('…') {
                clipped.push('…');
            }
            *last = clipped;
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn colour(i: usize) -> RGBColor {
    let [_, r, g, b] = PALETTE[i % PALETTE.len()].to_be_bytes();
    RGBColor(r, g, b)
}

/// Renders the progress chart described in the module docs as PNG bytes.
pub fn progress_chart(input: &ChartInput) -> Result<Vec<u8>, ChartError> {
    let start = input.cycle_start;
    // Whole seconds, so sub-second cycles are degenerate too.
    let span = (input.cycle_end - start).num_seconds();
    if span <= 0 {
        return Err(ChartError::DegenerateCycle);
    }
    ensure_font()?;
    let prepared: Vec<_> = input
        .series
        .iter()
        .map(|s| prepare(s, start, span))
        .collect();
    let (lo, hi) = prepared
        .iter()
        .flat_map(|(l, _)| l.iter().map(|p| p.1))
        .fold((0.0f64, 1.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    // Headroom so a 100% line does not sit on the frame.
    let pad = (hi - lo) * 0.06;
    let (y_lo, y_hi) = (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad);

    let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let body = root.margin(10, 0, 0, 0).titled(
            &truncate(&input.title, 60),
            ("sans-serif", 22).into_font().color(&TEXT),
        )?;
        let (plot_area, legend_area) = body.split_horizontally(WIDTH - LEGEND_WIDTH);

        let date_fmt = |x: &i64| axis_date(start, *x, input.tz);
        let pct_fmt = |y: &f64| format!("{:.0}%", y * 100.0);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d((0..span).with_key_points(ticks(span)), y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_label_formatter(&date_fmt)
            .y_label_formatter(&pct_fmt)
            .y_labels(8)
            .label_style(("sans-serif", 13).into_font().color(&TEXT))
            .axis_style(GREY)
            .bold_line_style(RGBColor(0xE6, 0xE6, 0xE6))
            .light_line_style(TRANSPARENT)
            .draw()?;

        let pace = ShapeStyle::from(&GREY).stroke_width(2);
        chart.draw_series(DashedLineSeries::new([(0, 0.0), (span, 1.0)], 8, 6, pace))?;

        let now = (input.now - start).num_seconds();
        if (0..=span).contains(&now) {
            let red = RGBColor(0xC0, 0x39, 0x2B);
            let marker = LineSeries::new([(now, y_lo), (now, y_hi)], red.stroke_width(1));
            chart.draw_series(marker)?;
            // Flip the label to the left of the marker near the right edge.
            let flip = now > span / 100 * 85;
            let anchor = if flip { HPos::Right } else { HPos::Left };
            let x = now + (span / 100) * if flip { -1 } else { 1 };
            let style = ("sans-serif", 12).into_font().color(&red);
            let style = style.pos(Pos::new(anchor, VPos::Top));
            chart.draw_series([Text::new("today", (x, y_hi - pad * 0.3), style)])?;
        }

        for (i, (line, markers)) in prepared.iter().enumerate() {
            let c = colour(i);
            chart.draw_series(LineSeries::new(line.iter().copied(), c.stroke_width(2)))?;
            chart.draw_series(markers.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }

        // Hand-drawn legend beside the plot: plotters' in-plot legend would
        // cover data once there are more than a few objectives. Rows show the
        // latest in-cycle value so the digest reads at a glance.
        let font = ("sans-serif", 13).into_font().color(&TEXT);
        let rows = input.series.iter().zip(&prepared).enumerate();
        let rows = rows.map(|(i, (s, (_, m)))| {
            let value = m.last().map(|p| pct_fmt(&p.1));
            (legend_label(&s.label), colour(i), value)
        });
        let pace_row = (vec!["Expected pace".to_string()], GREY, None);
        let mut y = 18;
        for (row, (label, c, value)) in std::iter::once(pace_row).chain(rows).enumerate() {
            let height = 22 + 15 * (label.len() as i32 - 1);
            if y + height - 22 > legend_area.dim_in_pixel().1 as i32 - 10 {
                break; // more entries than fit; drop the tail rather than overlap
            }
            // Row 0 is the pace line: a gap makes it dashed, and it has no marker.
            let gap = if row == 0 { 3 } else { 0 };
            for (x0, x1) in [(4, 15 - gap), (15 + gap, 26)] {
                legend_area.draw(&PathElement::new([(x0, y), (x1, y)], c.stroke_width(2)))?;
            }
            if row > 0 {
                legend_area.draw(&Circle::new((15, y), 3, c.filled()))?;
            }
            let left = font.clone().pos(Pos::new(HPos::Left, VPos::Center));
            for (n, line) in label.iter().enumerate() {
                legend_area.draw(&Text::new(
                    line.as_str(),
                    (34, y + 15 * n as i32),
                    left.clone(),
                ))?;
            }
            if let Some(v) = value {
                let right = font.clone().pos(Pos::new(HPos::Right, VPos::Center));
                legend_area.draw(&Text::new(v, (LEGEND_WIDTH as i32 - 10, y), right))?;
            }
            y += height;
        }
        root.present()?;
    }
    encode_png(&buf)
}

/// A KPI's readings over time against its healthy range (`docs/kpis.md`, "Show").
pub struct KpiChartInput {
    pub title: String,
    /// Readings in any order; non-finite values are dropped.
    pub points: Vec<(DateTime<Utc>, f64)>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: crate::domain::model::Unit,
    pub now: DateTime<Utc>,
    /// The team's zone: the x axis reads in its dates.
    pub tz: chrono_tz::Tz,
}

/// The healthy band's fill and the colour of its edges.
pub const BAND: RGBColor = RGBColor(0xDF, 0xF0, 0xD8);
const BAND_EDGE: RGBColor = RGBColor(0x59, 0xA1, 0x4F);
const OUT: RGBColor = RGBColor(0xC0, 0x39, 0x2B);

/// Renders a KPI chart as an 800x400 PNG: the readings as a line from the first reading to
/// `now` (at least a day), the healthy range shaded from its floor to its ceiling (to the
/// frame where a side is open), readings outside it marked red. The y axis always shows both
/// the readings and the range's edges. Never panics on data; no readings renders the band only.
pub fn kpi_chart(input: &KpiChartInput) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let mut pts: Vec<(DateTime<Utc>, f64)> = input
        .points
        .iter()
        .copied()
        .filter(|p| p.1.is_finite())
        .collect();
    pts.sort_by_key(|p| p.0);
    let end = pts.last().map_or(input.now, |p| p.0.max(input.now));
    let first = pts.first().map_or(end - Duration::days(30), |p| p.0);
    let start = first.min(end - Duration::days(1));
    let span = (end - start).num_seconds().max(1);
    let xy: Vec<Pt> = pts
        .iter()
        .map(|(t, v)| ((*t - start).num_seconds(), *v))
        .collect();
    let edges = input
        .min
        .into_iter()
        .chain(input.max)
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = xy
        .iter()
        .map(|p| p.1)
        .chain(edges)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let d = (hi.abs() * 0.1).max(1.0);
        (lo, hi) = (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.08;
    let (y_lo, y_hi) = (lo - pad, hi + pad);
    if !(y_lo.is_finite() && y_hi.is_finite() && y_lo < y_hi) {
        return Err(ChartError::Render(
            "values beyond what a chart can show".into(),
        ));
    }
    let place = |v: f64| {
        let below = input.min.is_some_and(|m| v < m);
        let above = input.max.is_some_and(|m| v > m);
        below || above
    };

    let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let body = root.margin(10, 0, 0, 10).titled(
            &truncate(&input.title, 70),
            ("sans-serif", 22).into_font().color(&TEXT),
        )?;
        let unit = &input.unit;
        let date_fmt = |x: &i64| axis_date(start, *x, input.tz);
        let value_fmt = |y: &f64| unit.format(*y);
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(72)
            .build_cartesian_2d((0..span).with_key_points(ticks(span)), y_lo..y_hi)?;
        let (band_lo, band_hi) = (
            input.min.unwrap_or(y_lo).max(y_lo),
            input.max.unwrap_or(y_hi).min(y_hi),
        );
        if input.min.is_some() || input.max.is_some() {
            chart.draw_series([Rectangle::new(
                [(0, band_lo), (span, band_hi)],
                BAND.filled(),
            )])?;
        }
        chart
            .configure_mesh()
            .x_label_formatter(&date_fmt)
            .y_label_formatter(&value_fmt)
            .y_labels(8)
            .label_style(("sans-serif", 13).into_font().color(&TEXT))
            .axis_style(GREY)
            .bold_line_style(RGBColor(0xE6, 0xE6, 0xE6).mix(0.6))
            .light_line_style(TRANSPARENT)
            .draw()?;
        for edge in [input.min, input.max].into_iter().flatten() {
            let style = ShapeStyle::from(&BAND_EDGE).stroke_width(2);
            chart.draw_series(DashedLineSeries::new(
                [(0, edge), (span, edge)],
                8,
                6,
                style,
            ))?;
        }
        let line = RGBColor(0x4E, 0x79, 0xA7);
        chart.draw_series(LineSeries::new(xy.iter().copied(), line.stroke_width(2)))?;
        chart.draw_series(xy.iter().map(|&p| {
            let c = if place(p.1) { OUT } else { line };
            Circle::new(p, if place(p.1) { 4 } else { 3 }, c.filled())
        }))?;
        root.present()?;
    }
    encode_png(&buf)
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let err = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut w = enc.write_header().map_err(err)?;
    w.write_image_data(rgb).map_err(err)?;
    w.finish().map_err(err)?;
    Ok(out)
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
