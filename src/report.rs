//! `tonetrack summary`: the published tables as terminal tables — tone per country, and per
//! visit the before/during/after comparison with its intervals and the change against the
//! previous visit — so a scheduled job's log says what moved without opening a notebook.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{Error, Result};
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

/// Per visit and country: before/during/after, the change with its interval, and the change of
/// the "during" mean against the same country's previous visit.
pub fn visits(visits: &DataFrame) -> Result<String> {
    let e = err("visits");
    let df = match visits.column("level") {
        Ok(level) => {
            let mask = level.str().map_err(&e)?.equal("country");
            visits.filter(&mask).map_err(&e)?
        }
        Err(_) => visits.clone(),
    };
    let df = df
        .sort(
            ["start", "visit", "country"],
            SortMultipleOptions::default(),
        )
        .map_err(&e)?;
    let s = |name: &str| store::str_column(&df, name, "visits");
    let i = |name: &str| df.column(name).and_then(|c| c.i64().cloned()).map_err(&e);
    let f = |name: &str| -> Result<Float64Chunked> {
        match df.column(name) {
            Ok(c) => c.f64().cloned().map_err(&e),
            Err(_) => Ok(Float64Chunked::full_null(name.into(), df.height())),
        }
    };
    let (visit, country, side) = (s("visit")?, s("country")?, s("side")?);
    let (nb, nd, na) = (i("n_before")?, i("n_during")?, i("n_after")?);
    let (mb, md, ma) = (
        f("mean_tone_before")?,
        f("mean_tone_during")?,
        f("mean_tone_after")?,
    );
    let (md_lo, md_hi) = (
        f("mean_tone_during_ci_low")?,
        f("mean_tone_during_ci_high")?,
    );
    let (ch, ch_lo, ch_hi) = (
        f("tone_change_during_vs_before")?,
        f("tone_change_during_vs_before_ci_low")?,
        f("tone_change_during_vs_before_ci_high")?,
    );
    let mut previous: BTreeMap<String, f64> = BTreeMap::new();
    let mut rows = Vec::new();
    for r in 0..df.height() {
        let c = country.get(r).unwrap_or("").to_string();
        let during = md.get(r);
        let vs_previous = during.and_then(|d| previous.get(&c).map(|p| d - p));
        if let Some(d) = during {
            previous.insert(c.clone(), d);
        }
        rows.push(vec![
            visit.get(r).unwrap_or("").to_string(),
            format!("{c} ({})", side.get(r).unwrap_or("")),
            format!(
                "{}/{}/{}",
                nb.get(r).unwrap_or(0),
                nd.get(r).unwrap_or(0),
                na.get(r).unwrap_or(0)
            ),
            num(mb.get(r)),
            with_ci(during, md_lo.get(r), md_hi.get(r)),
            num(ma.get(r)),
            with_ci(ch.get(r), ch_lo.get(r), ch_hi.get(r)),
            num(vs_previous),
        ]);
    }
    Ok(render(
        &[
            "visit",
            "country",
            "n b/d/a",
            "before",
            "during [95% CI]",
            "after",
            "during − before [95% CI]",
            "vs previous visit",
        ],
        &rows,
    ))
}

/// Per visit, the two directed series from `visit_pairs.parquet`: what the host said about
/// the visitor and what the visitor said about the host, before, during and after (see
/// [`crate::target`] for how a statement's target is found).
pub fn directed_visits(pairs: &DataFrame) -> Result<String> {
    let e = err("visit_pairs");
    let s = |name: &str| store::str_column(pairs, name, "visit_pairs");
    let i = |name: &str| {
        pairs
            .column(name)
            .and_then(|c| c.i64().cloned())
            .map_err(&e)
    };
    let f = |name: &str| {
        pairs
            .column(name)
            .and_then(|c| c.f64().cloned())
            .map_err(&e)
    };
    let (visit, host, visitor) = (s("visit")?, s("host")?, s("visitor")?);
    let mut rows = Vec::new();
    for r in 0..pairs.height() {
        let (h, v) = (host.get(r).unwrap_or(""), visitor.get(r).unwrap_or(""));
        for (dir, from, to) in [("host_to_visitor", h, v), ("visitor_to_host", v, h)] {
            let n = |w: &str| i(&format!("{dir}_n_{w}")).map(|c| c.get(r).unwrap_or(0));
            let m = |w: &str| f(&format!("{dir}_mean_tone_{w}")).map(|c| c.get(r));
            let ci =
                |w: &str, end: &str| f(&format!("{dir}_mean_tone_{w}_ci_{end}")).map(|c| c.get(r));
            rows.push(vec![
                visit.get(r).unwrap_or("").to_string(),
                format!("{from} → {to}"),
                format!("{}/{}/{}", n("before")?, n("during")?, n("after")?),
                with_ci(m("before")?, ci("before", "low")?, ci("before", "high")?),
                with_ci(m("during")?, ci("during", "low")?, ci("during", "high")?),
                with_ci(m("after")?, ci("after", "low")?, ci("after", "high")?),
            ]);
        }
    }
    Ok(render(
        &[
            "visit",
            "speaker → target",
            "n b/d/a",
            "before [95% CI]",
            "during [95% CI]",
            "after [95% CI]",
        ],
        &rows,
    ))
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
    fn the_directed_series_print_one_row_per_direction_with_intervals() {
        let mut columns = vec![
            Column::new("visit".into(), ["Blinken in Beijing"]),
            Column::new("host".into(), ["CHN"]),
            Column::new("visitor".into(), ["USA"]),
        ];
        for (k, dir) in ["host_to_visitor", "visitor_to_host"].iter().enumerate() {
            for (j, w) in ["before", "during", "after"].iter().enumerate() {
                let m = 0.1 * (j + 3 * k) as f64;
                columns.push(Column::new(format!("{dir}_n_{w}").into(), [j as i64 + 1]));
                columns.push(Column::new(
                    format!("{dir}_mean_tone_{w}").into(),
                    [Some(m)],
                ));
                for (end, d) in [("low", -0.05), ("high", 0.05)] {
                    let name = format!("{dir}_mean_tone_{w}_ci_{end}");
                    columns.push(Column::new(name.into(), [Some(m + d)]));
                }
            }
        }
        let pairs = DataFrame::new(1, columns).unwrap();
        let text = directed_visits(&pairs).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[2].contains("CHN → USA") && lines[2].contains("1/2/3"),
            "{text}"
        );
        assert!(lines[3].contains("USA → CHN"), "{text}");
        assert!(lines[3].contains("+0.40 [+0.35, +0.45]"), "{text}");
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
