//! The published tables as the charts and `summary` read them: plain per-country series, and per
//! visit its windows by country, its named participants and — when `visit_pairs.parquet` has the
//! directed columns (`host_to_visitor_mean_tone_during`, …) — what each side said to the other.
//! Columns that older tables lack are read as absent, never as an error.
//!
//! Example: `visits(&visits_df, Some(&pairs_df))` gives one [`VisitData`] per visit in date
//! order, with `directed: Some([host_to_visitor, visitor_to_host])` when the pairs table has them.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::plot::choose::{VisitCounts, VisitSpan};

/// The three windows around a visit, in order.
pub const WINDOWS: [&str; 3] = ["before", "during", "after"];

/// One window's mean tone with its bootstrap 95% interval and the statements behind it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WindowStat {
    pub mean: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: i64,
}

/// Before, during, after.
pub type Windows = [WindowStat; 3];

/// One line per country: (day since 1970, value, n) points; a None value is a gap in the line.
pub type Lines = BTreeMap<String, Vec<(f64, Option<f64>, i64)>>;

/// A named participant who spoke around a visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub speaker: String,
    pub country: Option<String>,
    pub windows: Windows,
}

/// One visit with everything the charts and `summary` show of it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitData {
    pub span: VisitSpan,
    pub countries: BTreeMap<String, Windows>,
    /// Also the country-level "during − before" change with its interval, for `summary`.
    pub changes: BTreeMap<String, WindowStat>,
    pub participants: Vec<Participant>,
    /// [host → visitor, visitor → host] when `visit_pairs.parquet` has the directed columns.
    pub directed: Option<[Windows; 2]>,
}

impl VisitData {
    /// The counts the group choice needs.
    pub fn counts(&self) -> VisitCounts<'_> {
        let mut participant_countries: Vec<String> = Vec::new();
        for p in &self.participants {
            if let Some(c) = &p.country {
                if !participant_countries.contains(c) {
                    participant_countries.push(c.clone());
                }
            }
        }
        VisitCounts {
            host: &self.span.host,
            visitor: &self.span.visitor,
            countries: self
                .countries
                .iter()
                .map(|(c, w)| (c.clone(), w.iter().map(|s| s.n).sum()))
                .collect(),
            participant_countries,
            directed: self.directed.is_some(),
        }
    }

    /// The windows of a chosen group: a country's, or a direction's.
    pub fn windows_of(&self, g: &crate::plot::choose::Group) -> Windows {
        use crate::plot::choose::GroupKind;
        match (g.kind, &self.directed) {
            (GroupKind::HostToVisitor, Some(d)) => d[0],
            (GroupKind::VisitorToHost, Some(d)) => d[1],
            _ => self.countries.get(&g.country).copied().unwrap_or_default(),
        }
    }
}

pub(crate) fn days(df: &DataFrame, name: &str) -> Result<Vec<i32>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(|e| Error::table(name, e))?;
    Ok(c.i32()
        .map_err(|e| Error::table(name, e))?
        .iter()
        .map(|d| d.unwrap_or(0))
        .collect())
}

/// A float column, or all nulls when the table has no such column (older tables).
pub(crate) fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(c) => Ok(c
            .cast(&DataType::Float64)
            .map_err(|e| Error::table(name, e))?
            .f64()
            .map_err(|e| Error::table(name, e))?
            .iter()
            .collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

pub(crate) fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name).map_err(|e| Error::table(name, e))?;
    Ok(c.str()
        .map_err(|e| Error::table(name, e))?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

/// An integer column (zero for nulls), or None when the table has no such column.
fn ints_opt(df: &DataFrame, name: &str) -> Result<Option<Vec<i64>>> {
    match df.column(name) {
        Ok(c) => Ok(Some(
            c.cast(&DataType::Int64)
                .map_err(|e| Error::table(name, e))?
                .i64()
                .map_err(|e| Error::table(name, e))?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect(),
        )),
        Err(_) => Ok(None),
    }
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<i64>> {
    Ok(ints_opt(df, name)?.unwrap_or_else(|| vec![0; df.height()]))
}

/// Per-country lines of a series table (`tone_by_country_week` or `_day`).
pub fn lines(df: &DataFrame, date: &str, value: &str) -> Result<Lines> {
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
                .push((d[i] as f64, v[i], n[i]));
        }
    }
    Ok(out)
}

/// Statements per country in a series table, and its first and last day with any.
pub fn totals(lines: &Lines) -> (BTreeMap<String, i64>, Option<(i32, i32)>) {
    let mut totals = BTreeMap::new();
    let mut span: Option<(i32, i32)> = None;
    for (c, pts) in lines {
        let mut sum = 0;
        for (x, _, n) in pts {
            sum += n;
            if *n > 0 {
                let d = *x as i32;
                span = Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
            }
        }
        totals.insert(c.clone(), sum);
    }
    (totals, span)
}

/// Windows read from `{prefix}n_{w}`, `{prefix}mean_tone_{w}` and its `_ci_low`/`_ci_high`.
fn window_columns(df: &DataFrame, prefix: &str) -> Result<Vec<Windows>> {
    let mut cols = Vec::new();
    for w in WINDOWS {
        cols.push((
            floats(df, &format!("{prefix}mean_tone_{w}"))?,
            floats(df, &format!("{prefix}mean_tone_{w}_ci_low"))?,
            floats(df, &format!("{prefix}mean_tone_{w}_ci_high"))?,
            ints(df, &format!("{prefix}n_{w}"))?,
        ));
    }
    Ok((0..df.height())
        .map(|i| {
            let at = |k: usize| WindowStat {
                mean: cols[k].0[i],
                low: cols[k].1[i],
                high: cols[k].2[i],
                n: cols[k].3[i],
            };
            [at(0), at(1), at(2)]
        })
        .collect())
}

/// The visits in date order, from `visits.parquet` and (optionally) `visit_pairs.parquet`.
pub fn visits(df: &DataFrame, pairs: Option<&DataFrame>) -> Result<Vec<VisitData>> {
    let (name, host, visitor) = (strs(df, "visit")?, strs(df, "host")?, strs(df, "visitor")?);
    let (start, end) = (days(df, "start")?, days(df, "end")?);
    let (before, after) = (ints(df, "before_days")?, ints(df, "after_days")?);
    let level = match df.column("level") {
        Ok(_) => strs(df, "level")?,
        Err(_) => vec![Some("country".to_string()); df.height()],
    };
    let (country, speaker) = (
        strs(df, "country")?,
        match df.column("speaker") {
            Ok(_) => strs(df, "speaker")?,
            Err(_) => vec![None; df.height()],
        },
    );
    let participant: Vec<bool> = match df.column("participant") {
        Ok(c) => c
            .bool()
            .map_err(|e| Error::table("participant", e))?
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect(),
        Err(_) => vec![false; df.height()],
    };
    let windows = window_columns(df, "")?;
    let change = (
        floats(df, "tone_change_during_vs_before")?,
        floats(df, "tone_change_during_vs_before_ci_low")?,
        floats(df, "tone_change_during_vs_before_ci_high")?,
    );
    let mut by_name: BTreeMap<String, VisitData> = BTreeMap::new();
    for i in 0..df.height() {
        let n = name[i].clone().unwrap_or_default();
        let v = by_name.entry(n.clone()).or_insert_with(|| VisitData {
            span: VisitSpan {
                name: n.clone(),
                host: host[i].clone().unwrap_or_default(),
                visitor: visitor[i].clone().unwrap_or_default(),
                start: start[i],
                end: end[i],
                before_days: before[i] as i32,
                after_days: after[i] as i32,
            },
            countries: BTreeMap::new(),
            changes: BTreeMap::new(),
            participants: vec![],
            directed: None,
        });
        match (level[i].as_deref(), &country[i], &speaker[i]) {
            (Some("country"), Some(c), _) => {
                v.countries.insert(c.clone(), windows[i]);
                v.changes.insert(
                    c.clone(),
                    WindowStat {
                        mean: change.0[i],
                        low: change.1[i],
                        high: change.2[i],
                        n: 0,
                    },
                );
            }
            (Some("speaker"), c, Some(s)) if participant[i] => v.participants.push(Participant {
                speaker: s.clone(),
                country: c.clone(),
                windows: windows[i],
            }),
            _ => {}
        }
    }
    if let Some(p) = pairs {
        let has_directed = p
            .get_column_names()
            .iter()
            .any(|c| c.starts_with("host_to_visitor_mean_tone_"));
        if has_directed {
            let pair_name = strs(p, "visit")?;
            let h2v = window_columns(p, "host_to_visitor_")?;
            let v2h = window_columns(p, "visitor_to_host_")?;
            for i in 0..p.height() {
                if let Some(v) = pair_name[i].as_ref().and_then(|n| by_name.get_mut(n)) {
                    v.directed = Some([h2v[i], v2h[i]]);
                }
            }
        }
    }
    let mut out: Vec<VisitData> = by_name.into_values().collect();
    out.sort_by(|a, b| (a.span.start, &a.span.name).cmp(&(b.span.start, &b.span.name)));
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `visits.parquet` of two visits as the aggregate writes it (country rows, one
    /// participant speaker row), dates as days since 1970.
    pub(crate) fn visits_frame() -> DataFrame {
        let n = 4;
        let rep = |s: &str| vec![s.to_string(); n];
        df!(
            "visit" => ["Talks", "Talks", "Talks", "Summit"],
            "start" => [20_100i32, 20_100, 20_100, 20_010],
            "end" => [20_102i32, 20_102, 20_102, 20_011],
            "host" => rep("USA"),
            "visitor" => ["ISR", "ISR", "ISR", "JPN"],
            "before_days" => [7i64; 4],
            "after_days" => [7i64; 4],
            "level" => ["country", "country", "speaker", "country"],
            "country" => ["USA", "ISR", "ISR", "JPN"],
            "speaker" => [None, None, Some("Dana Orel"), None],
            "participant" => [None, None, Some(true), None],
            "n_before" => [3i64, 2, 1, 4],
            "n_during" => [5i64, 4, 2, 1],
            "n_after" => [1i64, 0, 0, 2],
            "mean_tone_before" => [Some(-0.2), Some(0.1), Some(0.3), Some(0.0)],
            "mean_tone_during" => [Some(0.4), Some(0.3), Some(0.5), Some(0.2)],
            "mean_tone_during_ci_low" => [Some(0.1), Some(0.0), None, None],
            "mean_tone_during_ci_high" => [Some(0.6), Some(0.5), None, None],
            "mean_tone_after" => [Some(0.0), None, None, Some(0.1)],
            "tone_change_during_vs_before" => [Some(0.6), Some(0.2), None, None]
        )
        .unwrap()
    }

    /// `visit_pairs.parquet` with the directed columns issue 20 adds.
    pub(crate) fn pairs_frame() -> DataFrame {
        let mut cols: Vec<Column> = vec![Column::new("visit".into(), ["Talks", "Summit"])];
        for (k, dir) in ["host_to_visitor", "visitor_to_host"].iter().enumerate() {
            for (w, win) in WINDOWS.iter().enumerate() {
                let base = if k == 0 { 0.1 } else { -0.3 } + 0.1 * w as f64;
                cols.push(Column::new(
                    format!("{dir}_n_{win}").into(),
                    [2 + w as i64, 0],
                ));
                cols.push(Column::new(
                    format!("{dir}_mean_tone_{win}").into(),
                    [Some(base), None],
                ));
                cols.push(Column::new(
                    format!("{dir}_mean_tone_{win}_ci_low").into(),
                    [Some(base - 0.2), None],
                ));
                cols.push(Column::new(
                    format!("{dir}_mean_tone_{win}_ci_high").into(),
                    [Some(base + 0.2), None],
                ));
            }
        }
        DataFrame::new(2, cols).unwrap()
    }

    #[test]
    fn visits_come_in_date_order_with_countries_participants_and_no_directions_by_default() {
        let v = visits(&visits_frame(), None).unwrap();
        let names: Vec<&str> = v.iter().map(|v| v.span.name.as_str()).collect();
        assert_eq!(names, ["Summit", "Talks"]);
        let talks = &v[1];
        assert_eq!(
            (talks.span.host.as_str(), talks.span.visitor.as_str()),
            ("USA", "ISR")
        );
        assert_eq!(talks.countries["USA"][1].n, 5);
        assert_eq!(talks.countries["USA"][1].low, Some(0.1));
        assert_eq!(talks.changes["USA"].mean, Some(0.6));
        assert_eq!(talks.participants.len(), 1);
        assert_eq!(talks.participants[0].country.as_deref(), Some("ISR"));
        assert_eq!(talks.directed, None);
        let c = talks.counts();
        assert_eq!(
            (c.countries["USA"], c.participant_countries.clone()),
            (9, vec!["ISR".to_string()])
        );
        assert!(!c.directed);
    }

    #[test]
    fn the_directed_columns_of_visit_pairs_become_the_two_directions() {
        let v = visits(&visits_frame(), Some(&pairs_frame())).unwrap();
        let talks = v.iter().find(|v| v.span.name == "Talks").unwrap();
        let [h2v, v2h] = talks.directed.unwrap();
        assert_eq!(h2v[0].mean, Some(0.1));
        assert_eq!(h2v[2].n, 4);
        assert!((v2h[1].mean.unwrap() - (-0.2)).abs() < 1e-9);
        assert!((v2h[1].high.unwrap() - 0.0).abs() < 1e-9);
        assert!(talks.counts().directed);
        // A pairs table without the directed columns (today's) leaves them absent.
        let plain = df!("visit" => ["Talks"], "host_n_during" => [3i64]).unwrap();
        let v = visits(&visits_frame(), Some(&plain)).unwrap();
        assert!(v.iter().all(|v| v.directed.is_none()));
    }
}
