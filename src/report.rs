//! `tonetrack summary`: the published tables as terminal tables — tone per country, and per
//! visit the before/during/after comparison with its intervals and the change against the
//! previous visit — so a scheduled job's log says what moved without opening a notebook.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::plot::choose::{self, GroupKind};
use crate::plot::data::{VisitData, WindowStat, Windows};
use crate::plot::PlotOptions;
use crate::store::{self, read_parquet_bytes, Storage};

fn err(table: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::table(table, e)
}

/// Reads one published table; a missing one is an error that says to run first.
pub fn read_table(storage: &dyn Storage, name: &str) -> Result<DataFrame> {
    match storage.read(name)? {
        Some(bytes) => read_parquet_bytes(bytes, name),
        None => Err(Error::State {
            location: format!("{}/{name}", storage.describe()),
            message: "missing: run `tonetrack run … --out` on this folder first".into(),
        }),
    }
}

/// Renders rows as an aligned text table: text left-aligned, numbers right-aligned.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let numeric = |s: &str| {
        s.trim_start_matches(['+', '-', '−'])
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    };
    // A column of numbers (and "–" for none) is right-aligned, its header too.
    let right: Vec<bool> = (0..headers.len())
        .map(|i| {
            rows.iter().any(|r| numeric(&r[i]))
                && rows.iter().all(|r| r[i] == "–" || numeric(&r[i]))
        })
        .collect();
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = " ".repeat(widths[i] - c.chars().count());
                if right[i] {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    out.push_str(
        &widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:+.2}")).unwrap_or_else(|| "–".into())
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn with_ci(v: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    match (v, lo, hi) {
        (Some(v), Some(lo), Some(hi)) => format!("{v:+.2} [{lo:+.2}, {hi:+.2}]"),
        (Some(v), _, _) => format!("{v:+.2}"),
        _ => "–".into(),
    }
}

/// Tone per country over the whole corpus.
pub fn countries(statements: &DataFrame) -> Result<String> {
    let e = err("statements");
    let df = statements
        .clone()
        .lazy()
        .group_by([col("country")])
        .agg([
            len().cast(DataType::Int64).alias("n"),
            col("tone").mean().alias("mean_tone"),
            col("tone_label")
                .eq(lit("conciliatory"))
                .cast(DataType::Float64)
                .mean()
                .alias("conciliatory"),
            col("tone_label")
                .eq(lit("firm"))
                .cast(DataType::Float64)
                .mean()
                .alias("firm"),
            col("published").min().alias("first"),
            col("published").max().alias("last"),
            col("speaker")
                .n_unique()
                .cast(DataType::Int64)
                .alias("speakers"),
        ])
        .sort(
            ["n"],
            SortMultipleOptions::default()
                .with_order_descending(true)
                .with_nulls_last(true),
        )
        .collect()
        .map_err(&e)?;
    let country = store::str_column(&df, "country", "statements")?;
    let n = df.column("n").and_then(|c| c.i64().cloned()).map_err(&e)?;
    let speakers = df
        .column("speakers")
        .and_then(|c| c.i64().cloned())
        .map_err(&e)?;
    let f = |name: &str| df.column(name).and_then(|c| c.f64().cloned()).map_err(&e);
    let (mean, conc, firm) = (f("mean_tone")?, f("conciliatory")?, f("firm")?);
    let date = |name: &str| -> Result<Vec<String>> {
        let c = df
            .column(name)
            .and_then(|c| c.cast(&DataType::String))
            .map_err(&e)?;
        Ok(c.str()
            .map_err(&e)?
            .iter()
            .map(|s| s.unwrap_or("–").to_string())
            .collect())
    };
    let (first, last) = (date("first")?, date("last")?);
    let rows: Vec<Vec<String>> = (0..df.height())
        .map(|i| {
            vec![
                country.get(i).unwrap_or("(unknown)").to_string(),
                n.get(i).unwrap_or(0).to_string(),
                speakers.get(i).unwrap_or(0).to_string(),
                num(mean.get(i)),
                pct(conc.get(i)),
                pct(firm.get(i)),
                first[i].clone(),
                last[i].clone(),
            ]
        })
        .collect();
    Ok(render(
        &[
            "country",
            "statements",
            "speakers",
            "mean tone",
            "conciliatory",
            "firm",
            "first",
            "last",
        ],
        &rows,
    ))
}

/// Widest line `summary` prints: the visit tables fit a 100-column terminal.
pub const MAX_COLUMNS: usize = 100;

/// Per visit, a heading naming its sides and days, then a table that leads with the host and
/// the visitor, the two directions between them (when `visit_pairs.parquet` has them), the named
/// participants, then the busiest other countries (or the asked-for ones), and a line saying
/// what was left out. Each row: n before/during/after, the three means (during with its
/// interval), the change during − before with its interval, and for countries the change of
/// the "during" mean against the same country's previous visit.
pub fn visits(visits: &[VisitData], opts: &PlotOptions) -> String {
    let mut previous: BTreeMap<String, f64> = BTreeMap::new();
    let mut out = String::new();
    for v in visits {
        let groups = choose::visit_groups(&v.counts(), &opts.countries, opts.other_countries);
        let mut rows: Vec<(String, Windows, Option<WindowStat>, Option<f64>)> = Vec::new();
        let during_of = |w: &Windows| w[1].mean;
        let mut participants_done = false;
        for g in &groups.groups {
            let is_country = g.towards.is_none();
            if !participants_done
                && matches!(
                    g.kind,
                    GroupKind::Participant | GroupKind::Other | GroupKind::Asked
                )
            {
                participants_done = true;
                push_participants(&mut rows, v);
            }
            let w = v.windows_of(g);
            let (change, vs) = if is_country {
                let vs = during_of(&w).and_then(|d| previous.get(&g.country).map(|p| d - p));
                (v.changes.get(&g.country).copied(), vs)
            } else {
                (None, None)
            };
            rows.push((g.label(), w, change, vs));
        }
        if !participants_done {
            push_participants(&mut rows, v);
        }
        for (c, w) in &v.countries {
            if let Some(d) = during_of(w) {
                previous.insert(c.clone(), d);
            }
        }
        let windows = if v.span.before_days == v.span.after_days {
            format!("±{} days", v.span.before_days)
        } else {
            format!(
                "{} days before, {} after",
                v.span.before_days, v.span.after_days
            )
        };
        let heading = format!(
            "{}: {} visits {}, {} – {} ({windows})",
            v.span.name,
            v.span.visitor,
            v.span.host,
            crate::plot::day_label(v.span.start),
            crate::plot::day_label(v.span.end),
        );
        out.push_str(&choose::clip(&heading, MAX_COLUMNS));
        out.push_str("\n\n");
        out.push_str(&visit_table(&rows));
        if let Some(n) = groups.note() {
            out.push_str(&format!("{n} not shown\n"));
        }
        out.push('\n');
    }
    out
}

type Row = (String, Windows, Option<WindowStat>, Option<f64>);

fn push_participants(rows: &mut Vec<Row>, v: &VisitData) {
    for p in &v.participants {
        let label = match &p.country {
            // No bullet: a name reads apart from a country code, and 20 characters fit
            // "Antony Blinken (USA)" at 100 columns with three-digit counts.
            Some(c) => format!("{} ({c})", p.speaker),
            None => p.speaker.clone(),
        };
        rows.push((label, p.windows, None, None));
    }
}

/// The rows as a table no wider than [`MAX_COLUMNS`]: the label column gives way first (down to
/// 8 characters, which always suffices below 1000 statements per window).
fn visit_table(rows: &[Row]) -> String {
    let mut clip_at = 26;
    loop {
        let t = visit_rows(rows, clip_at);
        let widest = t.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        if widest <= MAX_COLUMNS || clip_at <= 8 {
            return t;
        }
        clip_at -= (widest - MAX_COLUMNS).min(clip_at - 8);
    }
}

/// A label cut to `max` characters; a participant's country code at the end ("… (CHN)") is kept
/// and the name before it is cut instead.
fn clip_label(label: &str, max: usize) -> String {
    let n = label.chars().count();
    let code = label
        .rsplit_once(" (")
        .filter(|(_, c)| c.len() == 4 && c.ends_with(')'))
        .map(|(_, c)| c);
    match code {
        Some(c) if n > max && max > 8 => {
            let head: String = label.chars().take(n - 6).collect();
            format!("{} ({c}", choose::clip(&head, max - 6))
        }
        _ => choose::clip(label, max),
    }
}

fn visit_rows(rows: &[Row], clip_at: usize) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(label, w, change, vs)| {
            vec![
                clip_label(label, clip_at),
                format!("{}/{}/{}", w[0].n, w[1].n, w[2].n),
                num(w[0].mean),
                with_ci(w[1].mean, w[1].low, w[1].high),
                num(w[2].mean),
                change
                    .map(|c| with_ci(c.mean, c.low, c.high))
                    .unwrap_or_else(|| "–".into()),
                num(*vs),
            ]
        })
        .collect();
    render(
        &[
            "",
            "n b/d/a",
            "before",
            "during [95% CI]",
            "after",
            "d − b [95% CI]",
            "vs prev",
        ],
        &cells,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_aligns_numbers_right_and_text_left() {
        let t = render(
            &["name", "n"],
            &[
                vec!["XVA".into(), "5".into()],
                vec!["XOS".into(), "120".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "name    n");
        assert_eq!(
            render(&["a"], &[vec!["x".into()]]).lines().next(),
            Some("a")
        );
        assert_eq!(lines[2], "XVA     5");
        assert_eq!(lines[3], "XOS   120");
    }

    #[test]
    fn every_visit_leads_with_host_and_visitor_then_the_directions_within_100_columns() {
        use crate::plot::data::{self, tests as frames};
        let v = data::visits(&frames::visits_frame(), Some(&frames::pairs_frame())).unwrap();
        let text = visits(&v, &PlotOptions::default());
        assert!(
            text.lines().all(|l| l.chars().count() <= MAX_COLUMNS),
            "{text}"
        );
        let talks: Vec<&str> = text
            .split("Talks: ISR visits USA")
            .nth(1)
            .unwrap()
            .lines()
            .skip(4)
            .take(5)
            .collect();
        let firsts: Vec<&str> = talks
            .iter()
            .map(|l| l.split("  ").next().unwrap().trim())
            .collect();
        assert_eq!(
            firsts,
            [
                "USA host",
                "ISR visitor",
                "USA → ISR",
                "ISR → USA",
                "Dana Orel (ISR)"
            ],
            "{text}"
        );
        assert!(talks[2].contains("+0.20 [+0.00, +0.40]"), "{}", talks[2]);
        // Visits come in date order: Summit (earlier) first.
        assert!(text.starts_with("Summit: JPN visits USA"), "{text}");
        let without = data::visits(&frames::visits_frame(), None).unwrap();
        assert!(!visits(&without, &PlotOptions::default()).contains("USA → ISR"));
    }

    #[test]
    fn a_long_label_gives_way_so_the_table_fits_100_columns() {
        let w = crate::plot::data::WindowStat {
            mean: Some(-0.25),
            low: Some(-0.55),
            high: Some(-0.05),
            n: 999,
        };
        let row: Row = (
            "· A very long participant name indeed (XVA)".into(),
            [w; 3],
            Some(w),
            Some(-0.5),
        );
        let t = visit_table(std::slice::from_ref(&row));
        assert!(t.lines().all(|l| l.chars().count() <= MAX_COLUMNS), "{t}");
        assert!(t.contains('…') && t.contains("(XVA)"), "{t}");
        assert_eq!(
            clip_label("· Anna Mirandrek (CHN)", 20),
            "· Anna Mirand… (CHN)"
        );
        assert_eq!(clip_label("USA host", 20), "USA host");
    }

    #[test]
    fn intervals_print_beside_the_value() {
        assert_eq!(
            with_ci(Some(0.25), Some(0.1), Some(0.4)),
            "+0.25 [+0.10, +0.40]"
        );
        assert_eq!(with_ci(None, None, None), "–");
    }
}
