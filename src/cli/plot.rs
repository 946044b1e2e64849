//! The table commands that read a run's output folder back: `plot` (charts as PNG and SVG) and
//! `summary` (tone per country and per visit as terminal tables).
//!
//! Example: `tonetrack plot --out out` writes out/charts/*.png and *.svg; `tonetrack summary out`;
//! both take `--countries`, `--period` (plot) and `--config` for its `[plot]` table.

use std::io::Write;

use anyhow::{bail, Context, Result};
use tonetrack::config::Config;
use tracing::info;

use super::args::{PlotArgs, ShowArgs, SummaryArgs};
use super::storage_for;

/// The `[plot]` table of `--config`, then the flags over it.
fn options(show: &ShowArgs) -> Result<tonetrack::plot::PlotOptions> {
    let config = match &show.config {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display()))?,
        None => Config::default(),
    };
    let mut opts = tonetrack::plot::PlotOptions::from_config(&config.plot);
    for c in &show.countries {
        if !tonetrack::config::is_country_code(c) {
            bail!("--countries: {c:?} is not an ISO 3166-1 alpha-3 code (e.g. USA,ISR)");
        }
    }
    if !show.countries.is_empty() {
        opts.countries = show.countries.clone();
    }
    if let Some(p) = show.period {
        opts.period = p;
    }
    Ok(opts)
}

pub fn plot(args: PlotArgs) -> Result<u8> {
    let opts = options(&args.show)?;
    let storage = storage_for(&args.out)?;
    let charts = match (
        &args.charts,
        args.out.to_string_lossy().starts_with("s3://"),
    ) {
        (Some(c), _) => c.clone(),
        (None, false) => args.out.join("charts"),
        (None, true) => bail!("--out is on S3: say where the charts go with --charts DIR"),
    };
    let font = tonetrack::plot::register_font(args.font.as_deref())?;
    let (written, _) = tonetrack::plot::plot(storage.as_ref(), &charts, &opts)?;
    let mut stdout = std::io::stdout().lock();
    for (path, what) in &written {
        writeln!(stdout, "{}  {what}", path.display())?;
    }
    info!(
        "{} charts written to {} (font {})",
        written.len(),
        charts.display(),
        font.display()
    );
    Ok(0)
}

pub fn summary(args: SummaryArgs) -> Result<u8> {
    let opts = options(&args.show)?;
    let storage = storage_for(&args.out)?;
    let statements = tonetrack::report::read_table(storage.as_ref(), "statements.parquet")?;
    let mut text = format!(
        "Tone by country ({} statements; tone −1 firm … +1 conciliatory)\n\n",
        statements.height()
    );
    text.push_str(&tonetrack::report::countries(&statements)?);
    if let Some(bytes) = storage.read("visits.parquet")? {
        let visits = tonetrack::store::read_parquet_bytes(bytes, "visits.parquet")?;
        let pairs = match storage.read("visit_pairs.parquet")? {
            Some(b) => Some(tonetrack::store::read_parquet_bytes(
                b,
                "visit_pairs.parquet",
            )?),
            None => None,
        };
        let visits = tonetrack::plot::data::visits(&visits, pairs.as_ref())?;
        text.push_str(
            "\nVisits: mean tone before, during and after; n b/d/a = statements in each window;\n\
             d − b = during minus before; A → B = what A's officials said to or about B\n\n",
        );
        text.push_str(&tonetrack::report::visits(&visits, &opts));
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}
