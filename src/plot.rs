//! `tonetrack plot`: the analyst's three charts as PNG and SVG, drawn from the published
//! tables — weekly tone by country and the daily rolling mean, each with the visit windows
//! shaded and named, and a side-by-side comparison of tone before, during and after every
//! visit with the bootstrap intervals as error bars.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::report::read_table;
use crate::store::Storage;

/// Fonts tried in order when `--font` is not given (Debian's, Fedora's and Arch's DejaVu, then
/// Liberation). Charts need a real font for their titles and labels.
const FONT_CANDIDATES: [&str; 5] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

const FONT: &str = "sans-serif";
const SIZE: (u32, u32) = (1400, 760);

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

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn label_of(day: f64) -> String {
    (epoch() + Duration::days(day.round() as i64))
        .format("%d %b %Y")
        .to_string()
}

/// A visit as the charts draw it, in days since 1970.
struct Band {
    start: f64,
    end: f64,
    before: f64,
    after: f64,
    label: String,
}

/// One line per country: (day, value, n) points; a None value is a gap in the line.
type Lines = BTreeMap<String, Vec<(f64, Option<f64>, i64)>>;

fn days(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(|e| Error::table(name, e))?;
    Ok(c.i32()
        .map_err(|e| Error::table(name, e))?
        .iter()
        .map(|d| d.unwrap_or(0) as f64)
        .collect())
}

fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(c) => Ok(c.f64().map_err(|e| Error::table(name, e))?.iter().collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name).map_err(|e| Error::table(name, e))?;
    Ok(c.str()
        .map_err(|e| Error::table(name, e))?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<i64>> {
    let c = df.column(name).map_err(|e| Error::table(name, e))?;
    Ok(c.i64()
        .map_err(|e| Error::table(name, e))?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn lines(df: &DataFrame, date: &str, value: &str) -> Result<Lines> {
    let (c, d, v, n) = (
        strs(df, "country")?,
        days(df, date)?,
        floats(df, value)?,
        ints(df, "n")?,
    );
    let mut out: Lines = BTreeMap::new();
    for i in 0..df.height() {
        if let Some(country) = &c[i] {
            out.entry(country.clone())
                .or_default()
                .push((d[i], v[i], n[i]));
        }
    }
    Ok(out)
}

fn bands(visits: Option<&DataFrame>) -> Result<Vec<Band>> {
    let Some(df) = visits else { return Ok(vec![]) };
    let (name, start, end) = (strs(df, "visit")?, days(df, "start")?, days(df, "end")?);
    let before = df
        .column("before_days")
        .ok()
        .and_then(|c| c.i64().ok().cloned());
    let after = df
        .column("after_days")
        .ok()
        .and_then(|c| c.i64().ok().cloned());
    let (host, visitor) = (strs(df, "host")?, strs(df, "visitor")?);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for i in 0..df.height() {
        let n = name[i].clone().unwrap_or_default();
        if !seen.insert(n.clone()) {
            continue;
        }
        let b = before.as_ref().and_then(|c| c.get(i)).unwrap_or(0) as f64;
        let a = after.as_ref().and_then(|c| c.get(i)).unwrap_or(0) as f64;
        out.push(Band {
            label: format!(
                "{n} ({} → {})",
                visitor[i].clone().unwrap_or_default(),
                host[i].clone().unwrap_or_default()
            ),
            start: start[i],
            end: end[i] + 1.0,
            before: start[i] - b,
            after: end[i] + 1.0 + a,
        });
    }
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    Ok(out)
}

fn color(i: usize) -> RGBColor {
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

const DURING: RGBColor = RGBColor(255, 170, 0);

/// A time chart of one value per country with the visits shaded: their days dark, their
/// before/after windows pale, each named at the top.
fn time_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    data: &Lines,
    visits: &[Band],
    dots: bool,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let xs = data
        .values()
        .flatten()
        .map(|p| p.0)
        .chain(visits.iter().flat_map(|v| [v.before, v.after]));
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !x0.is_finite() {
        return Err("no data to draw: the table is empty".into());
    }
    let (x0, x1) = (x0 - 3.0, x1 + 3.0);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 28))
        .margin(20)
        .margin_right(45)
        .x_label_area_size(55)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, -1.0f64..1.05f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("publication date")
        .y_desc(y_desc)
        .x_labels(10)
        .y_labels(9)
        .x_label_formatter(&|x| label_of(*x))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, v) in visits.iter().enumerate() {
        chart
            .draw_series([
                Rectangle::new(
                    [(v.before, -1.0), (v.after, 1.05)],
                    DURING.mix(0.08).filled(),
                ),
                Rectangle::new([(v.start, -1.0), (v.end, 1.05)], DURING.mix(0.45).filled()),
            ])
            .map_err(|e| e.to_string())?;
        // Stagger the names so neighbouring visits do not print over each other.
        let y = 0.98 - 0.07 * (i % 3) as f64;
        chart
            .draw_series([Text::new(
                v.label.clone(),
                (v.before + 1.0, y),
                (FONT, 15).into_font(),
            )])
            .map_err(|e| e.to_string())?;
    }
    chart
        .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.mix(0.5)))
        .map_err(|e| e.to_string())?;
    for (i, (country, pts)) in data.iter().enumerate() {
        let c = color(i);
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
                .draw_series(LineSeries::new(s, c.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        let points: Vec<(f64, f64, i64)> = pts
            .iter()
            .filter_map(|(x, y, n)| y.map(|y| (*x, y, *n)))
            .collect();
        let series = if dots {
            // Dot area grows with the number of statements behind the mean.
            chart.draw_series(points.iter().map(|(x, y, n)| {
                Circle::new(
                    (*x, *y),
                    (2.0 + (*n as f64).sqrt() * 1.5).min(10.0) as i32,
                    c.filled(),
                )
            }))
        } else {
            chart.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
        }
        .map_err(|e| e.to_string())?;
        series
            .label(country.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3)));
    }
    if !visits.is_empty() {
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(|e| e.to_string())?
            .label("visit days (pale: before/after windows)")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 22, y + 6)], DURING.mix(0.45).filled())
            });
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// One visit's bars: per country, before / during / after mean tone with 95% intervals.
struct VisitBars {
    title: String,
    countries: Vec<(String, [(Option<f64>, Option<f64>, Option<f64>, i64); 3])>,
}

fn visit_bars(df: &DataFrame) -> Result<Vec<VisitBars>> {
    let level = df.column("level").ok().and_then(|c| c.str().ok().cloned());
    let (name, country, side) = (strs(df, "visit")?, strs(df, "country")?, strs(df, "side")?);
    let start = days(df, "start")?;
    let mut windows = Vec::new();
    for w in ["before", "during", "after"] {
        windows.push((
            floats(df, &format!("mean_tone_{w}"))?,
            floats(df, &format!("mean_tone_{w}_ci_low"))?,
            floats(df, &format!("mean_tone_{w}_ci_high"))?,
            ints(df, &format!("n_{w}"))?,
        ));
    }
    let mut by_visit: BTreeMap<(i64, String), VisitBars> = BTreeMap::new();
    for i in 0..df.height() {
        if level.as_ref().is_some_and(|l| l.get(i) != Some("country")) {
            continue;
        }
        let v = name[i].clone().unwrap_or_default();
        let entry = by_visit
            .entry((start[i] as i64, v.clone()))
            .or_insert_with(|| VisitBars {
                title: format!("{v} ({})", label_of(start[i])),
                countries: vec![],
            });
        let get = |k: usize| {
            (
                windows[k].0[i],
                windows[k].1[i],
                windows[k].2[i],
                windows[k].3[i],
            )
        };
        let label = format!(
            "{} ({})",
            country[i].clone().unwrap_or_default(),
            side[i].clone().unwrap_or_default()
        );
        entry.countries.push((label, [get(0), get(1), get(2)]));
    }
    Ok(by_visit.into_values().collect())
}

const WINDOW_COLORS: [RGBColor; 3] = [RGBColor(150, 150, 150), DURING, RGBColor(31, 119, 180)];

fn visits_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    visits: &[VisitBars],
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    if visits.is_empty() {
        return Err("no visits to draw: configure [[visit]] entries and run again".into());
    }
    let (top, body) = root.split_vertically(50);
    top.draw(&Text::new(
        "Mean tone before, during and after each visit (bars: mean, whiskers: bootstrap 95% interval, n under each bar)",
        (20, 15),
        (FONT, 22).into_font(),
    ))
    .map_err(|e| e.to_string())?;
    let panels = body.split_evenly((1, visits.len()));
    for (panel, v) in panels.iter().zip(visits) {
        let k = v.countries.len().max(1) as f64;
        let mut chart = ChartBuilder::on(panel)
            .caption(&v.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(10)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..(k * 4.0), -1.0f64..1.0f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("mean tone")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (k * 4.0, 0.0)],
                BLACK.mix(0.5),
            ))
            .map_err(|e| e.to_string())?;
        for (ci, (country, windows)) in v.countries.iter().enumerate() {
            let base = ci as f64 * 4.0;
            for (wi, (mean, lo, hi, n)) in windows.iter().enumerate() {
                let x = base + 0.6 + wi as f64;
                let c = WINDOW_COLORS[wi];
                if let Some(m) = mean {
                    chart
                        .draw_series([Rectangle::new([(x, 0.0), (x + 0.85, *m)], c.filled())])
                        .map_err(|e| e.to_string())?;
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        chart
                            .draw_series([ErrorBar::new_vertical(
                                x + 0.425,
                                *lo,
                                *m,
                                *hi,
                                BLACK.stroke_width(1),
                                8,
                            )])
                            .map_err(|e| e.to_string())?;
                    }
                }
                chart
                    .draw_series([Text::new(
                        format!("{n}"),
                        (x + 0.15, -0.86),
                        (FONT, 12).into_font(),
                    )])
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series([Text::new(
                    country.clone(),
                    (base + 0.6, -0.95),
                    (FONT, 14).into_font(),
                )])
                .map_err(|e| e.to_string())?;
        }
        for (wi, w) in ["before", "during", "after"].iter().enumerate() {
            let c = WINDOW_COLORS[wi];
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(|e| e.to_string())?
                .label(*w)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.filled()));
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

enum Format {
    Png,
    Svg,
}

/// Writes every chart into `charts`; returns the files written with what each shows.
pub fn plot(storage: &dyn Storage, charts: &Path) -> Result<Vec<(PathBuf, String)>> {
    std::fs::create_dir_all(charts).map_err(|e| Error::io(charts, e))?;
    let week = read_table(storage, "tone_by_country_week.parquet")?;
    let day = read_table(storage, "tone_by_country_day.parquet")?;
    let visits = match storage.read("visits.parquet")? {
        Some(b) => Some(crate::store::read_parquet_bytes(b, "visits.parquet")?),
        None => None,
    };
    let bands = bands(visits.as_ref())?;
    let rolling = day
        .get_column_names()
        .into_iter()
        .find(|c| c.starts_with("rolling_"))
        .map(|c| c.to_string())
        .unwrap_or_else(|| "mean_tone".into());
    let weekly = lines(&week, "week", "mean_tone")?;
    let daily = lines(&day, "date", &rolling)?;
    let mut written = Vec::new();
    let mut emit = |stem: &str,
                    what: &str,
                    draw: &dyn Fn(Format, &Path) -> std::result::Result<(), String>|
     -> Result<()> {
        for (format, ext) in [(Format::Png, "png"), (Format::Svg, "svg")] {
            let path = charts.join(format!("{stem}.{ext}"));
            draw(format, &path).map_err(|e| plot_err(&path, e))?;
            written.push((path, what.to_string()));
        }
        Ok(())
    };
    macro_rules! on_backend {
        ($format:expr, $path:expr, |$root:ident| $body:expr) => {
            match $format {
                Format::Png => {
                    let $root = BitMapBackend::new($path, SIZE).into_drawing_area();
                    $body
                }
                Format::Svg => {
                    let $root = SVGBackend::new($path, SIZE).into_drawing_area();
                    $body
                }
            }
        };
    }
    emit(
        "tone_by_country_week",
        "weekly mean tone per country (dot size = statements), visits shaded",
        &|f, p| {
            on_backend!(f, p, |root| time_chart(
                &root,
                "Weekly mean tone by country",
                "mean tone (−1 firm … +1 conciliatory)",
                &weekly,
                &bands,
                true
            ))
        },
    )?;
    emit(
        "tone_by_country_rolling",
        "statement-weighted trailing mean tone per country, day by day, visits shaded",
        &|f, p| {
            on_backend!(f, p, |root| time_chart(
                &root,
                &format!("Tone by country: {}", rolling.replace('_', " ")),
                "rolling mean tone (−1 firm … +1 conciliatory)",
                &daily,
                &bands,
                false
            ))
        },
    )?;
    if let Some(v) = &visits {
        let bars = visit_bars(v)?;
        emit(
            "visits",
            "per visit and country: mean tone before / during / after with 95% intervals and n",
            &|f, p| on_backend!(f, p, |root| visits_chart(&root, &bars)),
        )?;
    }
    Ok(written)
}
