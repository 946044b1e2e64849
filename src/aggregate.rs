//! Aggregation with polars: daily and ISO-weekly tone by country and by speaker, with a
//! trailing rolling mean on the daily tables, and the comparison of tone before, during and
//! after each configured visit. Input is the statements table; unnamed speakers count for
//! their country but not in the speaker tables, and statements with no country are left out
//! of the country tables (they remain in statements.parquet).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;

use crate::config::{AggregateConfig, Visit};
use crate::error::{Error, Result};
use crate::output::{date_column, days_since_epoch};

fn err(table: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::table(table, e)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// The statements table reduced to what aggregation needs, with `week` (Monday of the ISO
/// week) and `iso_week` ("2025-W07") added.
pub fn base_frame(statements: &DataFrame) -> Result<DataFrame> {
    let e = err("aggregate");
    let published = statements.column("published").and_then(|c| c.cast(&DataType::Int32)).map_err(&e)?;
    let days: Vec<i32> = published.i32().map_err(&e)?.iter().map(|d| d.unwrap_or(0)).collect();
    let mut week = Vec::with_capacity(days.len());
    let mut iso = Vec::with_capacity(days.len());
    for d in &days {
        let date = epoch() + Duration::days(*d as i64);
        let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
        week.push(days_since_epoch(monday));
        let w = date.iso_week();
        iso.push(format!("{}-W{:02}", w.year(), w.week()));
    }
    let mut df = statements
        .select(["published", "country", "speaker", "tone", "tone_label", "sentiment"])
        .map_err(&e)?;
    df.with_column(date_column("week", week)?).map_err(&e)?;
    df.with_column(Column::new("iso_week".into(), iso)).map_err(&e)?;
    Ok(df)
}

fn stats() -> Vec<Expr> {
    vec![
        len().cast(DataType::Int64).alias("n"),
        col("tone").mean().alias("mean_tone"),
        col("tone_label").eq(lit("conciliatory")).cast(DataType::Float64).mean().alias("share_conciliatory"),
        col("tone_label").eq(lit("firm")).cast(DataType::Float64).mean().alias("share_firm"),
        col("sentiment").mean().alias("mean_sentiment"),
    ]
}

/// Tone by `key` ("country" or "speaker") and period ("day" or "week").
pub fn time_series(base: &DataFrame, key: &str, period: &str, cfg: &AggregateConfig) -> Result<DataFrame> {
    let table = format!("tone_by_{key}_{period}");
    let e = err(&table);
    let group: Vec<Expr> = match period {
        "day" => vec![col(key), col("published").alias("date")],
        _ => vec![col(key), col("week"), col("iso_week")],
    };
    let sort_by: Vec<&str> = match period {
        "day" => vec![key, "date"],
        _ => vec![key, "week"],
    };
    let mut df = base
        .clone()
        .lazy()
        .filter(col(key).is_not_null())
        .group_by(group)
        .agg(stats())
        .sort(sort_by, SortMultipleOptions::default())
        .collect()
        .map_err(&e)?;
    if period == "day" {
        let rolling = rolling_mean(&df, key, cfg.rolling_days).map_err(&e)?;
        df.with_column(Column::new(format!("rolling_{}d_mean_tone", cfg.rolling_days).into(), rolling)).map_err(&e)?;
    }
    Ok(df)
}

/// Statement-weighted mean tone over the trailing `days` calendar days (this day included),
/// within each group. Weighted by n, so a day with one remark does not count like a day with ten.
fn rolling_mean(df: &DataFrame, key: &str, days: u32) -> PolarsResult<Vec<f64>> {
    let keys = df.column(key)?.str()?.clone();
    let dates = df.column("date")?.cast(&DataType::Int32)?;
    let dates = dates.i32()?;
    let n = df.column("n")?.i64()?;
    let mean = df.column("mean_tone")?.f64()?;
    let mut out = Vec::with_capacity(df.height());
    let mut window_start = 0;
    for i in 0..df.height() {
        let (k, d) = (keys.get(i), dates.get(i).unwrap_or(0));
        while window_start < i && (keys.get(window_start) != k || dates.get(window_start).unwrap_or(0) <= d - days as i32) {
            window_start += 1;
        }
        let (mut sum, mut count) = (0.0, 0i64);
        for j in window_start..=i {
            let nj = n.get(j).unwrap_or(0);
            sum += mean.get(j).unwrap_or(0.0) * nj as f64;
            count += nj;
        }
        out.push(if count > 0 { sum / count as f64 } else { f64::NAN });
    }
    Ok(out)
}

#[derive(Default, Clone, Copy)]
struct WindowStats {
    n: i64,
    mean_tone: Option<f64>,
    share_conciliatory: Option<f64>,
    share_firm: Option<f64>,
    mean_sentiment: Option<f64>,
}

fn window_by_country(base: &DataFrame, from: NaiveDate, to: NaiveDate) -> PolarsResult<BTreeMap<String, WindowStats>> {
    let from = lit(days_since_epoch(from)).cast(DataType::Date);
    let to = lit(days_since_epoch(to)).cast(DataType::Date);
    let df = base
        .clone()
        .lazy()
        .filter(col("country").is_not_null().and(col("published").gt_eq(from)).and(col("published").lt_eq(to)))
        .group_by([col("country")])
        .agg(stats())
        .collect()?;
    let country = df.column("country")?.str()?.clone();
    let n = df.column("n")?.i64()?.clone();
    let f = |name: &str| -> PolarsResult<Float64Chunked> { Ok(df.column(name)?.f64()?.clone()) };
    let (mt, sc, sf, ms) = (f("mean_tone")?, f("share_conciliatory")?, f("share_firm")?, f("mean_sentiment")?);
    let mut out = BTreeMap::new();
    for i in 0..df.height() {
        if let Some(c) = country.get(i) {
            out.insert(
                c.to_string(),
                WindowStats { n: n.get(i).unwrap_or(0), mean_tone: mt.get(i), share_conciliatory: sc.get(i), share_firm: sf.get(i), mean_sentiment: ms.get(i) },
            );
        }
    }
    Ok(out)
}

/// `visits.parquet`: for each visit and each country that spoke around it, n, mean tone and
/// shares in the `visit_window_days` before the visit, during it, and after it, with the
/// changes. Windows of overlapping visits overlap too: each visit is compared on its own dates.
pub fn visits(base: &DataFrame, visits: &[&Visit], cfg: &AggregateConfig) -> Result<DataFrame> {
    let e = err("visits");
    let w = Duration::days(cfg.visit_window_days as i64);
    let mut cols: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
    let mut ns: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let (mut name, mut start, mut end, mut host, mut visitor, mut country, mut side) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut delta_during = vec![];
    let mut delta_after = vec![];
    for v in visits {
        let before = window_by_country(base, v.start - w, v.start - Duration::days(1)).map_err(&e)?;
        let during = window_by_country(base, v.start, v.end).map_err(&e)?;
        let after = window_by_country(base, v.end + Duration::days(1), v.end + w).map_err(&e)?;
        let mut countries: Vec<&String> = before.keys().chain(during.keys()).chain(after.keys()).collect();
        countries.sort();
        countries.dedup();
        for c in countries {
            name.push(v.name.clone());
            start.push(days_since_epoch(v.start));
            end.push(days_since_epoch(v.end));
            host.push(v.host.clone());
            visitor.push(v.visitor.clone());
            country.push(c.clone());
            side.push(if *c == v.host { "host" } else if *c == v.visitor { "visitor" } else { "other" });
            let get = |m: &BTreeMap<String, WindowStats>| m.get(c).copied().unwrap_or_default();
            let (b, d, a) = (get(&before), get(&during), get(&after));
            for (suffix, s) in [("before", b), ("during", d), ("after", a)] {
                ns.entry(match suffix { "before" => "n_before", "during" => "n_during", _ => "n_after" }).or_default().push(s.n);
                let put = |cols: &mut BTreeMap<&str, Vec<Option<f64>>>, key: &'static str, val: Option<f64>| cols.entry(key).or_default().push(val);
                match suffix {
                    "before" => {
                        put(&mut cols, "mean_tone_before", s.mean_tone);
                        put(&mut cols, "share_conciliatory_before", s.share_conciliatory);
                        put(&mut cols, "share_firm_before", s.share_firm);
                        put(&mut cols, "mean_sentiment_before", s.mean_sentiment);
                    }
                    "during" => {
                        put(&mut cols, "mean_tone_during", s.mean_tone);
                        put(&mut cols, "share_conciliatory_during", s.share_conciliatory);
                        put(&mut cols, "share_firm_during", s.share_firm);
                        put(&mut cols, "mean_sentiment_during", s.mean_sentiment);
                    }
                    _ => {
                        put(&mut cols, "mean_tone_after", s.mean_tone);
                        put(&mut cols, "share_conciliatory_after", s.share_conciliatory);
                        put(&mut cols, "share_firm_after", s.share_firm);
                        put(&mut cols, "mean_sentiment_after", s.mean_sentiment);
                    }
                }
            }
            delta_during.push(b.mean_tone.zip(d.mean_tone).map(|(b, d)| d - b));
            delta_after.push(d.mean_tone.zip(a.mean_tone).map(|(d, a)| a - d));
        }
    }
    let height = name.len();
    let mut columns = vec![
        Column::new("visit".into(), name),
        date_column("start", start)?,
        date_column("end", end)?,
        Column::new("host".into(), host),
        Column::new("visitor".into(), visitor),
        Column::new("country".into(), country),
        Column::new("side".into(), side),
        Column::new("window_days".into(), vec![cfg.visit_window_days as i64; height]),
    ];
    for window in ["before", "during", "after"] {
        columns.push(Column::new(format!("n_{window}").into(), ns.remove(format!("n_{window}").as_str()).unwrap_or_else(|| vec![0; height])));
        for stat in ["mean_tone", "share_conciliatory", "share_firm", "mean_sentiment"] {
            let key = format!("{stat}_{window}");
            let values = cols.remove(key.as_str()).unwrap_or_else(|| vec![None; height]);
            columns.push(Column::new(key.into(), values));
        }
    }
    columns.push(Column::new("tone_change_during_vs_before".into(), delta_during));
    columns.push(Column::new("tone_change_after_vs_during".into(), delta_after));
    DataFrame::new(height, columns).map_err(&e)
}
