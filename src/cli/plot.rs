//! The table commands that read a run's output folder back: `plot` (charts as PNG and SVG) and
//! `summary` (tone per country and per visit as terminal tables).
//!
//! Example: `tonetrack plot --out out` writes out/charts/*.png and *.svg; `tonetrack summary out`.

use std::io::Write;

use anyhow::{bail, Result};
use tracing::info;

use super::args::{PlotArgs, SummaryArgs};
use super::storage_for;

pub fn plot(args: PlotArgs) -> Result<u8> {
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
    let written = tonetrack::plot::plot(storage.as_ref(), &charts)?;
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
    let storage = storage_for(&args.out)?;
    let statements = tonetrack::report::read_table(storage.as_ref(), "statements.parquet")?;
    let mut text = format!(
        "Tone by country ({} statements; tone −1 firm … +1 conciliatory)\n\n",
        statements.height()
    );
    text.push_str(&tonetrack::report::countries(&statements)?);
    if let Some(bytes) = storage.read("visits.parquet")? {
        let visits = tonetrack::store::read_parquet_bytes(bytes, "visits.parquet")?;
        text.push_str("\nVisits: mean tone before, during and after (n b/d/a = statements in each window)\n\n");
        text.push_str(&tonetrack::report::visits(&visits)?);
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}
