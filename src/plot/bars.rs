//! The visit panels: per chosen group (host, visitor, the two directions between them, then
//! other countries), three horizontal bars — mean tone before, during and after the visit —
//! with bootstrap 95% whiskers, the group's name and its statement counts in a label column
//! left of the bars. Horizontal rows keep every label on its own line however many groups a
//! panel has; the panel grows with the groups instead.
//!
//! Example: `draw_panel(&area, &Panel { title: "Tolsen to Vesna".into(), subtitle: "XVA visits
//! XOS, 10 Feb 2025 – 12 Feb 2025".into(), note: Some("+2 countries, 9 statements not
//! shown".into()), rows }, 140)`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::data::{Windows, WINDOWS};
use crate::plot::{fit, DURING, FONT};

/// One group's row.
pub struct PanelRow {
    pub label: String,
    pub windows: Windows,
}

impl PanelRow {
    /// "n 12 / 8 / 10": statements before / during / after, under the label.
    pub fn counts(&self) -> String {
        format!(
            "n {} / {} / {}",
            self.windows[0].n, self.windows[1].n, self.windows[2].n
        )
    }
}

/// One visit's panel.
pub struct Panel {
    pub title: String,
    /// Who visits whom and when.
    pub subtitle: String,
    /// What was left out ("+22 countries, 189 statements not shown"), on a line of its own.
    pub note: Option<String>,
    pub rows: Vec<PanelRow>,
}

/// Colours of the before, during and after bars.
pub const WINDOW_COLORS: [RGBColor; 3] = [RGBColor(150, 150, 150), DURING, RGBColor(31, 119, 180)];
const LABEL_FONT: u32 = 14;
const COUNT_FONT: u32 = 12;
/// Height of a panel's title, subtitle and note.
const HEAD_PX: u32 = 66;

/// The label column's width for these rows: the widest label or count line, and a gap.
pub fn label_width(rows: &[PanelRow]) -> u32 {
    rows.iter()
        .flat_map(|r| {
            [
                crate::plot::text_px(&r.label, LABEL_FONT),
                crate::plot::text_px(&r.counts(), COUNT_FONT),
            ]
        })
        .max()
        .unwrap_or(60)
        + 14
}

/// Draws one panel; `label_w` is the label column's width (the same for every panel of a chart
/// so their bars line up).
pub fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
    label_w: u32,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (w, _) = area.dim_in_pixel();
    let left = |size: u32| {
        (FONT, size)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Top))
    };
    area.draw(&Text::new(fit(&p.title, 17, w - 20), (10, 6), left(17)))
        .map_err(e)?;
    for (k, line) in std::iter::once(&p.subtitle).chain(&p.note).enumerate() {
        area.draw(&Text::new(
            fit(line, 13, w - 20),
            (10, 28 + 17 * k as i32),
            (FONT, 13)
                .into_font()
                .color(&BLACK.mix(0.75))
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(e)?;
    }
    let k = p.rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_top(HEAD_PX + 4)
        .margin_right(18)
        .x_label_area_size(40)
        .y_label_area_size(label_w)
        .build_cartesian_2d(-1.0f64..1.0f64, 0.0..k)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_desc("mean tone (−1 firm … +1 conciliatory)")
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new([(0.0, 0.0), (0.0, k)], BLACK.mix(0.5)))
        .map_err(|e| e.to_string())?;
    let base = area.get_base_pixel();
    let plot_left = chart.plotting_area().get_pixel_range().0.start - base.0;
    for (i, row) in p.rows.iter().enumerate() {
        let top = k - i as f64;
        // Row separators keep the groups apart when bars are short or missing.
        if i > 0 {
            chart
                .draw_series(LineSeries::new([(-1.0, top), (1.0, top)], BLACK.mix(0.12)))
                .map_err(|e| e.to_string())?;
        }
        for (wi, s) in row.windows.iter().enumerate() {
            let y1 = top - 0.14 - 0.25 * wi as f64;
            let y0 = y1 - 0.2;
            let Some(m) = s.mean else { continue };
            chart
                .draw_series([Rectangle::new(
                    [(0.0, y0), (m, y1)],
                    WINDOW_COLORS[wi].filled(),
                )])
                .map_err(|e| e.to_string())?;
            if let (Some(lo), Some(hi)) = (s.low, s.high) {
                chart
                    .draw_series([ErrorBar::new_horizontal(
                        (y0 + y1) / 2.0,
                        lo,
                        m,
                        hi,
                        BLACK.stroke_width(1),
                        6,
                    )])
                    .map_err(|e| e.to_string())?;
            }
        }
        let (_, y) = chart.backend_coord(&(0.0, top - 0.5));
        let y = y - base.1;
        let right = |size: u32| {
            (FONT, size)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Right, VPos::Bottom))
        };
        area.draw(&Text::new(
            row.label.clone(),
            (plot_left - 8, y),
            right(LABEL_FONT),
        ))
        .map_err(e)?;
        area.draw(&Text::new(
            row.counts(),
            (plot_left - 8, y + 2),
            (FONT, COUNT_FONT)
                .into_font()
                .color(&BLACK.mix(0.7))
                .pos(Pos::new(HPos::Right, VPos::Top)),
        ))
        .map_err(e)?;
    }
    Ok(())
}

/// The key above the panels: the three windows' colours and what the whiskers and n mean.
pub fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        fit(title, 22, w - 30),
        (20, 10),
        (FONT, 22)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .map_err(e)?;
    let mut x = 20;
    for (wi, name) in WINDOWS.iter().enumerate() {
        area.draw(&Rectangle::new(
            [(x, 44), (x + 18, 56)],
            WINDOW_COLORS[wi].filled(),
        ))
        .map_err(e)?;
        area.draw(&Text::new(
            name.to_string(),
            (x + 24, 50),
            (FONT, 14)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(e)?;
        x += 34 + crate::plot::text_px(name, 14) as i32 + 16;
    }
    area.draw(&Text::new(
        fit(
            "whiskers: bootstrap 95% interval · n: statements before / during / after",
            14,
            w.saturating_sub(x as u32 + 20),
        ),
        (x + 10, 50),
        (FONT, 14)
            .into_font()
            .color(&BLACK.mix(0.75))
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .map_err(e)?;
    Ok(())
}

/// Height of the key drawn by [`draw_key`].
pub const KEY_PX: u32 = 70;
