//! The charts' index: `index.html`, a page listing every chart with what it shows and each
//! visit's file, and `index.json`, the decisions behind them (period and why, countries drawn
//! and left out, legend placement, panel grid, groups per visit) for tests and scripts.
//!
//! Example: after `tonetrack plot --out out`, open `out/charts/index.html`, or read
//! `jq .series.drawn out/charts/index.json` → `["XOS", "XVA", "XKE"]`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::plot::Decisions;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page: the time charts, then one section per visit with its groups and what was left out.
pub fn html(d: &Decisions) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tonetrack charts</title>\n\
         <style>body{font-family:sans-serif;max-width:1450px;margin:1em auto}img{max-width:100%;border:1px solid #ddd}\
         li{margin:.2em 0}</style></head><body>\n<h1>tonetrack charts</h1>\n",
    );
    out.push_str(&format!(
        "<p>Points: <b>{}</b> ({}). Countries drawn: {}{}.</p>\n",
        d.period.as_str(),
        escape(&d.period_reason),
        escape(&d.series.drawn.join(", ")),
        d.series
            .note()
            .map(|n| format!(" ({})", escape(&n)))
            .unwrap_or_default()
    ));
    out.push_str("<h2>Files</h2>\n<ul>\n");
    for (path, what) in &d.files {
        out.push_str(&format!(
            "<li><a href=\"{p}\">{p}</a>: {}</li>\n",
            escape(what),
            p = escape(path)
        ));
    }
    out.push_str("</ul>\n");
    for (path, _) in d
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".png") && !p.starts_with("visits/"))
    {
        out.push_str(&format!("<p><img src=\"{}\" alt=\"\"></p>\n", escape(path)));
    }
    if !d.visits.is_empty() {
        out.push_str("<h2>Visits</h2>\n");
    }
    for v in &d.visits {
        out.push_str(&format!(
            "<h3>{} ({} visits {})</h3>\n<p>Shown: {}{}</p>\n<p><img src=\"{}\" alt=\"\"></p>\n",
            escape(&v.name),
            escape(&v.visitor),
            escape(&v.host),
            escape(&v.labels.join(", ")),
            v.note
                .as_ref()
                .map(|n| format!("; not shown: {}", escape(n)))
                .unwrap_or_default(),
            escape(&v.file)
        ));
    }
    out.push_str("</body></html>\n");
    out
}

/// Writes `index.html` and `index.json` into `charts`.
pub fn write(charts: &Path, d: &Decisions) -> Result<Vec<(PathBuf, String)>> {
    let json =
        serde_json::to_string_pretty(d).map_err(|e| Error::io(charts, std::io::Error::other(e)))?;
    let files = [
        (
            "index.html",
            html(d),
            "the charts listed with what each shows, one section per visit",
        ),
        (
            "index.json",
            json + "\n",
            "what the charts decided: period, countries drawn, legend, panels, groups per visit",
        ),
    ];
    let mut out = Vec::new();
    for (name, text, what) in files {
        let path = charts.join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        out.push((path, what.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::choose::{self, Period};

    #[test]
    fn the_page_lists_every_file_and_escapes_visit_names() {
        let d = Decisions {
            period: Period::Day,
            period_reason: "the data span 14 days".into(),
            series: choose::SeriesChoice {
                drawn: vec!["USA".into(), "ISR".into()],
                left_out: 3,
                left_out_statements: 20,
                ..Default::default()
            },
            legend: choose::legend(&[80], 1400, 760),
            visits_chart: Some(choose::panel_grid(1)),
            visits: vec![crate::plot::VisitDecision {
                name: "Talks <Washington>".into(),
                host: "USA".into(),
                visitor: "ISR".into(),
                groups: vec![],
                labels: vec!["USA host".into(), "ISR visitor".into()],
                note: Some("+3 countries, 20 statements".into()),
                file: "visits/01-talks-washington.png".into(),
            }],
            files: vec![
                ("tone_by_country_day.png".into(), "daily".into()),
                ("visits/01-talks-washington.png".into(), "visit".into()),
            ],
        };
        let page = html(&d);
        assert!(page.contains("Talks &lt;Washington&gt;"));
        assert!(page.contains("href=\"tone_by_country_day.png\""));
        assert!(page.contains("href=\"visits/01-talks-washington.png\""));
        assert!(page.contains("+3 countries, 20 statements not drawn"));
        assert!(
            page.contains("Shown: USA host, ISR visitor; not shown: +3 countries, 20 statements")
        );
    }
}
