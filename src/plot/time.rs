//! The time charts: one value per chosen country over time (weekly or daily mean, or the daily
//! rolling mean), the visits shaded with their names on rows above the plotting area, and the
//! legend outside it (a column on the right, or rows underneath) with the note on what was left
//! out. What is drawn is decided in [`crate::plot::choose`]; this file only draws it.
//!
//! Example: `draw(&root, &TimeChart { title: "Daily mean tone by country".into(), drawn:
//! &["USA".into(), "ISR".into()], note: Some("+28 countries, 212 statements not drawn".into()),
//! .. })` on a 1400×760 PNG or SVG area.

use chrono::{Duration, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::choose::{self, Legend, LegendPlace, LEGEND_LINE_PX};
use crate::plot::data::Lines;
use crate::plot::{color, text_px, DURING, FONT};

/// A visit as the time charts draw it, in days since 1970.
#[derive(Debug, Clone)]
pub struct Band {
    pub start: f64,
    pub end: f64,
    pub before: f64,
    pub after: f64,
    pub label: String,
}

/// One time chart's content, all decided.
pub struct TimeChart<'a> {
    pub title: String,
    pub y_desc: &'a str,
    pub lines: &'a Lines,
    pub drawn: &'a [String],
    pub note: Option<String>,
    pub bands: &'a [Band],
    /// Dots sized by statements at each point (the period chart), or lines only (rolling).
    pub dots: bool,
}

const VISIT_KEY: &str = "visit days (pale: before/after windows)";
const LABEL_FONT: u32 = 15;
const MARGIN: u32 = 20;
const MARGIN_RIGHT: u32 = 45;
const Y_LABEL_AREA: u32 = 70;
const TITLE_PX: u32 = 44;
const VISIT_ROW_PX: u32 = 20;

impl TimeChart<'_> {
    /// The legend's entries: one per line ("USA (512)"), the visit key, the note.
    pub fn legend_labels(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .drawn
            .iter()
            .map(|c| {
                let n: i64 = self.lines.get(c).map_or(0, |p| p.iter().map(|x| x.2).sum());
                format!("{c} ({n})")
            })
            .collect();
        if !self.bands.is_empty() {
            out.push(VISIT_KEY.into());
        }
        out.extend(self.note.clone());
        out
    }
}

fn label_of(day: f64) -> String {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (epoch + Duration::days(day.round() as i64))
        .format("%d %b %Y")
        .to_string()
}

/// Draws `c` on `root`, with the legend placed as `legend` says.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TimeChart,
    legend: &Legend,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (w, h) = root.dim_in_pixel();
    let (plot_area, legend_area) = match legend.place {
        LegendPlace::Right => root.split_horizontally(w.saturating_sub(legend.width)),
        LegendPlace::Below => root.split_vertically(h.saturating_sub(legend.height)),
    };
    let xs = c
        .drawn
        .iter()
        .filter_map(|k| c.lines.get(k))
        .flatten()
        .map(|p| p.0)
        .chain(c.bands.iter().flat_map(|v| [v.before, v.after]));
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !x0.is_finite() {
        return Err("no data to draw: the table is empty".into());
    }
    // A little room either side, more for long spans (weekly points are a week apart).
    let pad = ((x1 - x0) * 0.02).max(1.0);
    let (x0, x1) = (x0 - pad, x1 + pad);

    // Visit names go on rows above the plotting area, placed before the chart is built so its
    // top margin leaves room for them.
    let (pw, _) = plot_area.dim_in_pixel();
    let (left, right) = ((MARGIN + Y_LABEL_AREA) as f64, (pw - MARGIN_RIGHT) as f64);
    let to_px = |x: f64| left + (x - x0) / (x1 - x0) * (right - left);
    let spans: Vec<(f64, f64)> = c
        .bands
        .iter()
        .map(|b| {
            let width = text_px(&b.label, LABEL_FONT) as f64;
            (to_px(b.before).min(pw as f64 - 8.0 - width).max(4.0), width)
        })
        .collect();
    let rows = choose::label_rows(&spans, 14.0);
    let band_rows = rows.iter().max().map_or(0, |r| r + 1) as u32;

    plot_area
        .draw(&Text::new(
            c.title.clone(),
            ((pw / 2) as i32, 12),
            (FONT, 26)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(e)?;
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(MARGIN)
        .margin_top(TITLE_PX + band_rows * VISIT_ROW_PX + 6)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(55)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, -1.0f64..1.05f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("publication date")
        .y_desc(c.y_desc)
        .x_labels(8)
        .y_labels(9)
        .x_label_formatter(&|x| label_of(*x))
        .label_style((FONT, LABEL_FONT))
        .axis_desc_style((FONT, 17))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    let top = chart.plotting_area().get_pixel_range().1.start;
    for ((v, row), (px, _)) in c.bands.iter().zip(&rows).zip(&spans) {
        chart
            .draw_series([
                Rectangle::new(
                    [(v.before, -1.0), (v.after, 1.05)],
                    DURING.mix(0.08).filled(),
                ),
                Rectangle::new([(v.start, -1.0), (v.end, 1.05)], DURING.mix(0.45).filled()),
            ])
            .map_err(|e| e.to_string())?;
        let y = top - 4 - ((band_rows - 1 - *row as u32) * VISIT_ROW_PX) as i32;
        let base = plot_area.get_base_pixel();
        plot_area
            .draw(&Text::new(
                v.label.clone(),
                (*px as i32, y - base.1),
                (FONT, LABEL_FONT)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))
            .map_err(e)?;
    }
    chart
        .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.mix(0.5)))
        .map_err(|e| e.to_string())?;
    for (i, country) in c.drawn.iter().enumerate() {
        let Some(pts) = c.lines.get(country) else {
            continue;
        };
        let col = color(i);
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        for (x, y, _) in pts {
            match y {
                Some(y) => segment.push((*x, *y)),
                None if !segment.is_empty() => segments.push(std::mem::take(&mut segment)),
                None => {}
            }
        }
        segments.push(segment);
        for s in segments.into_iter().filter(|s| !s.is_empty()) {
            chart
                .draw_series(LineSeries::new(s, col.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        if c.dots {
            // Dot area grows with the number of statements behind the mean.
            chart
                .draw_series(pts.iter().filter_map(|(x, y, n)| {
                    y.map(|y| {
                        Circle::new(
                            (*x, y),
                            (2.0 + (*n as f64).sqrt() * 1.5).min(10.0) as i32,
                            col.filled(),
                        )
                    })
                }))
                .map_err(|e| e.to_string())?;
        }
    }
    draw_legend(
        &legend_area,
        c,
        legend,
        top - legend_area.get_base_pixel().1,
    )
    .map_err(e)
}

/// The legend in its own area: a swatch and a label per entry, never over the data.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &TimeChart,
    legend: &Legend,
    top: i32,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let labels = c.legend_labels();
    let (cols, cell_w) = match legend.place {
        LegendPlace::Right => (1, legend.width as i32),
        LegendPlace::Below => (
            legend.columns.max(1),
            (area.dim_in_pixel().0 as i32 - 40) / legend.columns.max(1) as i32,
        ),
    };
    let (x_start, y_start) = match legend.place {
        LegendPlace::Right => (4, top.max(8)),
        LegendPlace::Below => (40, 8),
    };
    for (k, label) in labels.iter().enumerate() {
        let (ci, ri) = ((k % cols) as i32, (k / cols) as i32);
        let x = x_start + ci * cell_w;
        let y = y_start + ri * LEGEND_LINE_PX as i32 + LEGEND_LINE_PX as i32 / 2;
        if k < c.drawn.len() {
            let col = color(k);
            area.draw(&PathElement::new(
                [(x, y), (x + 26, y)],
                col.stroke_width(3),
            ))?;
            if c.dots {
                area.draw(&Circle::new((x + 13, y), 4, col.filled()))?;
            }
        } else if label == VISIT_KEY {
            area.draw(&Rectangle::new(
                [(x, y - 7), (x + 26, y + 7)],
                DURING.mix(0.45).filled(),
            ))?;
        }
        let style = (FONT, LABEL_FONT)
            .into_font()
            .color(&BLACK.mix(if k < c.drawn.len() || label == VISIT_KEY {
                1.0
            } else {
                0.7
            }))
            .pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(label.clone(), (x + 34, y), style))?;
    }
    Ok(())
}
