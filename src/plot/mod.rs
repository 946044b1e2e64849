//! `tonetrack plot`: the analyst's charts as PNG and SVG, drawn from the published tables —
//! tone by country (daily or weekly points, whichever the span of the data calls for) and the
//! daily rolling mean, each with the visit windows shaded and named; the before / during /
//! after comparison of every visit, one panel per visit in `visits.png` and one file per visit
//! under `visits/`; and `index.html` / `index.json` listing the files and what was decided.
//!
//! The decisions (period, countries drawn, groups per visit, panels, legend placement) are made
//! in [`choose`] as pure functions and recorded in `index.json`; [`time`] and [`bars`] only draw.
//!
//! Example: `plot(&storage, Path::new("out/charts"), &PlotOptions::default())` writes
//! `out/charts/tone_by_country_week.png`, `…_rolling.png`, `visits.png`, `visits/01-….png`
//! (each also as SVG), `index.html` and `index.json`.

pub mod bars;
pub mod choose;
pub mod data;
mod index;
pub mod time;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::config::{PlotConfig, PlotPeriod};
use crate::error::{Error, Result};
use crate::report::read_table;
use crate::store::Storage;
use choose::{Group, Legend, PanelGrid, Period, SeriesChoice};
use data::VisitData;

/// Fonts tried in order when `--font` is not given (Debian's, Fedora's and Arch's DejaVu, then
/// Liberation). Charts need a real font for their titles and labels.
const FONT_CANDIDATES: [&str; 5] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

pub(crate) const FONT: &str = "sans-serif";
/// Size of the time charts before a legend row underneath is added.
const SIZE: (u32, u32) = (1400, 760);
/// Width of `visits.png` and of each per-visit file.
const VISITS_WIDTH: u32 = 1400;
const VISIT_FILE_WIDTH: u32 = 820;

pub(crate) const DURING: RGBColor = RGBColor(255, 170, 0);

fn plot_err(file: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(file, std::io::Error::other(e.to_string()))
}

/// Loads the chart font once per process.
pub fn register_font(font: Option<&Path>) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = match font {
        Some(f) => vec![f.to_path_buf()],
        None => FONT_CANDIDATES.iter().map(PathBuf::from).collect(),
    };
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            // plotters keeps registered fonts for the life of the process.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font(FONT, FontStyle::Normal, bytes)
                .map_err(|_| plot_err(path, "not a usable TrueType font"))?;
            return Ok(path.clone());
        }
    }
    Err(Error::io(
        candidates.first().cloned().unwrap_or_default(),
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "no font found (tried {}): install fonts-dejavu-core or pass --font FILE.ttf",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    ))
}

/// Width in pixels of `text` in the chart font at `size`, as the backends will draw it (an
/// estimate of 0.62 em per character when the font cannot measure it).
pub(crate) fn text_px(text: &str, size: u32) -> u32 {
    (FONT, size)
        .into_font()
        .box_size(text)
        .map(|(w, _)| w)
        .unwrap_or_else(|_| (text.chars().count() as f64 * size as f64 * 0.62) as u32)
}

/// `text` shortened with an ellipsis until it is at most `width` pixels wide at `size`.
pub(crate) fn fit(text: &str, size: u32, width: u32) -> String {
    let mut n = text.chars().count();
    let mut s = text.to_string();
    while n > 1 && text_px(&s, size) > width {
        n -= 1;
        s = choose::clip(text, n);
    }
    s
}

pub(crate) fn color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
    ];
    COLORS[i % COLORS.len()]
}

/// What the user asked to see: `--countries`, `--period` and the `[plot]` table.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    pub countries: Vec<String>,
    pub period: PlotPeriod,
    pub other_countries: usize,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions::from_config(&PlotConfig::default())
    }
}

impl PlotOptions {
    pub fn from_config(c: &PlotConfig) -> Self {
        PlotOptions {
            countries: c.countries(),
            period: c.period,
            other_countries: c.other_countries() as usize,
        }
    }
}

/// One visit's decisions, as `index.json` records them.
#[derive(Debug, Clone, Serialize)]
pub struct VisitDecision {
    pub name: String,
    pub host: String,
    pub visitor: String,
    pub groups: Vec<Group>,
    /// The groups' labels as drawn and printed.
    pub labels: Vec<String>,
    pub note: Option<String>,
    /// The visit's own chart, relative to the charts folder.
    pub file: String,
}

/// Everything the charts decided, written to `charts/index.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Decisions {
    pub period: Period,
    pub period_reason: String,
    pub series: SeriesChoice,
    pub legend: Legend,
    pub visits_chart: Option<PanelGrid>,
    pub visits: Vec<VisitDecision>,
    /// Every file written, relative to the charts folder, with what it shows.
    pub files: Vec<(String, String)>,
}

/// "XVA visits XOS, 10 Feb 2025 – 12 Feb 2025".
fn visit_subtitle(v: &VisitData) -> String {
    format!(
        "{} visits {}, {} – {}",
        v.span.visitor,
        v.span.host,
        day_label(v.span.start),
        day_label(v.span.end)
    )
}

pub(crate) fn day_label(day: i32) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (epoch + chrono::Duration::days(day as i64))
        .format("%d %b %Y")
        .to_string()
}

/// "01-tolsen-to-vesna": the file stem of a visit's own chart, in date order.
fn visit_stem(i: usize, name: &str) -> String {
    let mut slug = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    format!("{:02}-{slug}", i + 1)
}

enum Format {
    Png,
    Svg,
}

macro_rules! on_backend {
    ($format:expr, $path:expr, $size:expr, |$root:ident| $body:expr) => {
        match $format {
            Format::Png => {
                let $root = BitMapBackend::new($path, $size).into_drawing_area();
                let r = $body;
                $root.present().map_err(|e| e.to_string())?;
                r
            }
            Format::Svg => {
                let $root = SVGBackend::new($path, $size).into_drawing_area();
                let r = $body;
                $root.present().map_err(|e| e.to_string())?;
                r
            }
        }
    };
}

/// Draws panels for `visits` in a grid on `root` under a key.
fn visit_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[bars::Panel],
    grid: PanelGrid,
    row_px: u32,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (key, body) = root.split_vertically(bars::KEY_PX);
    bars::draw_key(&key, title)?;
    let label_w = panels
        .iter()
        .map(|p| bars::label_width(&p.rows))
        .max()
        .unwrap_or(60);
    let (w, _) = body.dim_in_pixel();
    let cell_w = w / grid.columns.max(1) as u32;
    for (i, p) in panels.iter().enumerate() {
        let (r, c) = ((i / grid.columns) as i32, (i % grid.columns) as i32);
        let cell = body
            .clone()
            .shrink((c * cell_w as i32, r * row_px as i32), (cell_w, row_px));
        bars::draw_panel(&cell, p, label_w)?;
    }
    Ok(())
}

/// Writes every chart into `charts`; returns the files written with what each shows.
pub fn plot(
    storage: &dyn Storage,
    charts: &Path,
    opts: &PlotOptions,
) -> Result<(Vec<(PathBuf, String)>, Decisions)> {
    std::fs::create_dir_all(charts).map_err(|e| Error::io(charts, e))?;
    let day = read_table(storage, "tone_by_country_day.parquet")?;
    let visits_df = match storage.read("visits.parquet")? {
        Some(b) => Some(crate::store::read_parquet_bytes(b, "visits.parquet")?),
        None => None,
    };
    let pairs_df = match storage.read("visit_pairs.parquet")? {
        Some(b) => Some(crate::store::read_parquet_bytes(b, "visit_pairs.parquet")?),
        None => None,
    };
    let visits = match &visits_df {
        Some(v) => data::visits(v, pairs_df.as_ref())?,
        None => vec![],
    };
    let spans: Vec<choose::VisitSpan> = visits.iter().map(|v| v.span.clone()).collect();
    let rolling = day
        .get_column_names()
        .into_iter()
        .find(|c| c.starts_with("rolling_"))
        .map(|c| c.to_string())
        .unwrap_or_else(|| "mean_tone".into());
    let daily_rolling = data::lines(&day, "date", &rolling)?;
    let (totals, span) = data::totals(&data::lines(&day, "date", "mean_tone")?);
    let (first, last) = span.unwrap_or((0, 0));
    let (period, period_reason) = choose::period(opts.period, first, last, &spans);
    let period_lines = match period {
        Period::Day => data::lines(&day, "date", "mean_tone")?,
        Period::Week => {
            let week = read_table(storage, period.table())?;
            data::lines(&week, period.date_column(), "mean_tone")?
        }
    };
    let series = choose::series(
        &totals,
        &spans,
        &opts.countries,
        opts.other_countries,
        choose::MAX_SERIES,
    );
    for c in &series.missing {
        tracing::warn!(country = %c, "asked to draw a country without statements: left out");
    }
    let bands: Vec<time::Band> = visits
        .iter()
        .map(|v| time::Band {
            label: format!("{} ({} → {})", v.span.name, v.span.visitor, v.span.host),
            start: v.span.start as f64,
            end: v.span.end as f64 + 1.0,
            before: (v.span.start - v.span.before_days) as f64,
            after: (v.span.end + 1 + v.span.after_days) as f64,
        })
        .collect();

    let period_chart = time::TimeChart {
        title: match period {
            Period::Day => "Daily mean tone by country".into(),
            Period::Week => "Weekly mean tone by country".into(),
        },
        y_desc: "mean tone (−1 firm … +1 conciliatory)",
        lines: &period_lines,
        drawn: &series.drawn,
        note: series.note(),
        bands: &bands,
        dots: true,
    };
    let rolling_chart = time::TimeChart {
        title: format!("Tone by country: {}", rolling.replace('_', " ")),
        y_desc: "rolling mean tone (−1 firm … +1 conciliatory)",
        lines: &daily_rolling,
        drawn: &series.drawn,
        note: series.note(),
        bands: &bands,
        dots: false,
    };
    let legend_of = |c: &time::TimeChart| {
        let px: Vec<u32> = c.legend_labels().iter().map(|l| text_px(l, 15)).collect();
        choose::legend(&px, SIZE.0, SIZE.1)
    };
    let legend = legend_of(&period_chart);
    let size_of = |l: &Legend| match l.place {
        choose::LegendPlace::Right => SIZE,
        choose::LegendPlace::Below => (SIZE.0, SIZE.1 + l.height),
    };

    let mut written: Vec<(PathBuf, String)> = Vec::new();
    let mut emit = |stem: &str,
                    what: &str,
                    draw: &dyn Fn(Format, &Path) -> std::result::Result<(), String>|
     -> Result<()> {
        for (format, ext) in [(Format::Png, "png"), (Format::Svg, "svg")] {
            let path = charts.join(format!("{stem}.{ext}"));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            draw(format, &path).map_err(|e| plot_err(&path, e))?;
            written.push((path, what.to_string()));
        }
        Ok(())
    };
    let period_what = format!(
        "{} mean tone per country (dot size = statements), visits shaded",
        match period {
            Period::Day => "daily",
            Period::Week => "weekly",
        }
    );
    emit(period.stem(), &period_what, &|f, p| {
        on_backend!(f, p, size_of(&legend), |root| time::draw(
            &root,
            &period_chart,
            &legend
        ))
    })?;
    let rolling_legend = legend_of(&rolling_chart);
    emit(
        "tone_by_country_rolling",
        "statement-weighted trailing mean tone per country, day by day, visits shaded",
        &|f, p| {
            on_backend!(f, p, size_of(&rolling_legend), |root| time::draw(
                &root,
                &rolling_chart,
                &rolling_legend
            ))
        },
    )?;

    let mut decisions = Vec::new();
    let mut panels = Vec::new();
    for (i, v) in visits.iter().enumerate() {
        let g = choose::visit_groups(&v.counts(), &opts.countries, opts.other_countries);
        let rows: Vec<bars::PanelRow> = g
            .groups
            .iter()
            .map(|grp| bars::PanelRow {
                label: grp.label(),
                windows: v.windows_of(grp),
            })
            .collect();
        let note = g.note();
        decisions.push(VisitDecision {
            name: v.span.name.clone(),
            host: v.span.host.clone(),
            visitor: v.span.visitor.clone(),
            labels: g.groups.iter().map(Group::label).collect(),
            groups: g.groups,
            note: note.clone(),
            file: format!("visits/{}.png", visit_stem(i, &v.span.name)),
        });
        panels.push(bars::Panel {
            title: v.span.name.clone(),
            subtitle: visit_subtitle(v),
            note: note.map(|n| format!("{n} not shown")),
            rows,
        });
    }
    let visits_chart = (!panels.is_empty()).then(|| choose::panel_grid(panels.len()));
    if let Some(grid) = visits_chart {
        let row_px = choose::panel_height(panels.iter().map(|p| p.rows.len()).max().unwrap_or(3));
        let size = (VISITS_WIDTH, bars::KEY_PX + row_px * grid.rows as u32);
        let title = "Mean tone before, during and after each visit";
        emit(
            "visits",
            "per visit, one panel each: host, visitor and the busiest other countries, mean tone before / during / after with 95% intervals and n",
            &|f, p| on_backend!(f, p, size, |root| visit_grid(&root, title, &panels, grid, row_px)),
        )?;
        for (i, panel) in panels.iter().enumerate() {
            let one = PanelGrid {
                panels: 1,
                columns: 1,
                rows: 1,
            };
            let row_px = choose::panel_height(panel.rows.len());
            let size = (VISIT_FILE_WIDTH, bars::KEY_PX + row_px);
            let what = format!(
                "visit {:?}: its groups before / during / after",
                panel.title
            );
            let stem = format!("visits/{}", visit_stem(i, &panel.title));
            emit(&stem, &what, &|f, p| {
                on_backend!(f, p, size, |root| visit_grid(
                    &root,
                    "Mean tone before, during and after the visit",
                    std::slice::from_ref(panel),
                    one,
                    row_px
                ))
            })?;
        }
    }
    let decisions = Decisions {
        period,
        period_reason,
        series,
        legend,
        visits_chart,
        visits: decisions,
        files: written
            .iter()
            .map(|(p, what)| {
                (
                    p.strip_prefix(charts).unwrap_or(p).display().to_string(),
                    what.clone(),
                )
            })
            .collect(),
    };
    let index_files = index::write(charts, &decisions)?;
    written.extend(index_files);
    Ok((written, decisions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn the_directed_columns_are_drawn_after_host_and_visitor_and_recorded_in_the_index() {
        let font = register_font(None);
        if font.is_err() {
            println!("skipped: no system font (install fonts-dejavu-core)");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, mut df: DataFrame| {
            let f = std::fs::File::create(dir.path().join(name)).unwrap();
            ParquetWriter::new(f).finish(&mut df).unwrap();
        };
        write("visits.parquet", data::tests::visits_frame());
        write("visit_pairs.parquet", data::tests::pairs_frame());
        write(
            "tone_by_country_day.parquet",
            df!(
                "country" => ["USA", "ISR", "USA", "JPN"],
                "date" => [20_005i32, 20_100, 20_101, 20_011],
                "n" => [2i64, 3, 0, 1],
                "mean_tone" => [Some(0.1), Some(-0.2), None, Some(0.3)],
                "rolling_7d_mean_tone" => [Some(0.1), Some(-0.2), Some(0.1), Some(0.3)]
            )
            .unwrap(),
        );
        let storage = crate::store::LocalStorage::new(dir.path()).unwrap();
        let charts = dir.path().join("charts");
        let (files, d) = plot(&storage, &charts, &PlotOptions::default()).unwrap();
        assert_eq!(d.period, Period::Day, "{}", d.period_reason);
        assert_eq!(d.series.drawn, ["USA", "JPN", "ISR"]);
        let talks = d.visits.iter().find(|v| v.name == "Talks").unwrap();
        assert_eq!(
            talks.labels,
            ["USA host", "ISR visitor", "USA → ISR", "ISR → USA"]
        );
        assert_eq!(talks.file, "visits/02-talks.png");
        assert_eq!(d.visits_chart, Some(choose::panel_grid(2)));
        for f in [
            "tone_by_country_day.png",
            "visits.svg",
            "visits/02-talks.svg",
            "index.json",
        ] {
            assert!(
                files.iter().any(|(p, _)| p == &charts.join(f)),
                "{f} not written"
            );
            assert!(
                std::fs::metadata(charts.join(f)).unwrap().len() > 0,
                "{f} empty"
            );
        }
        let svg = std::fs::read_to_string(charts.join("visits/02-talks.svg")).unwrap();
        assert!(
            svg.contains("USA → ISR") && svg.contains("ISR → USA"),
            "directions drawn"
        );
    }

    #[test]
    fn visit_files_are_named_by_order_and_a_slug_of_the_name() {
        assert_eq!(visit_stem(0, "Tolsen to Vesna"), "01-tolsen-to-vesna");
        assert_eq!(
            visit_stem(11, "  Kestrel summit (2nd)!"),
            "12-kestrel-summit-2nd"
        );
    }
}
