//! Aggregation: daily and ISO-weekly tone by country, by speaker and by dyad (speaker's country
//! → target country, see [`crate::target`]), and the comparison of tone before, during and
//! after each configured visit, with bootstrap confidence intervals (all targets, and toward
//! the counterpart: [`dyads`]).
//!
//! Input is the published statements table. Unnamed speakers count for their country but not
//! in the speaker tables; statements with no country are left out of the country tables (they
//! remain in statements.parquet). Periods without statements are explicit rows with `n = 0`
//! and null means, so a chart of a series shows gaps as gaps: country series all span the
//! corpus's first to last period, speaker series their own first to last.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;

use crate::config::{AggregateConfig, Config, Visit};
use crate::error::{Error, Result};
use crate::output::{date_column, days_since_epoch};

mod dyads;
mod visits;

use visits::*;

fn err(table: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::table(table, e)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn date_of(days: i32) -> NaiveDate {
    epoch() + Duration::days(days as i64)
}

/// Monday of the ISO week of `days`.
fn week_of(days: i32) -> i32 {
    days - date_of(days).weekday().num_days_from_monday() as i32
}

fn iso_week_label(days: i32) -> String {
    let w = date_of(days).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Every analyst table derived from the statements: four time series, and the visit tables
/// when the config names visits. `statements` must be in publication order (see
/// [`Aggregator`]).
pub fn tables(statements: &DataFrame, config: &Config) -> Result<Vec<(String, DataFrame)>> {
    let mut aggregator = Aggregator::new(config);
    aggregator.add(statements)?;
    let mut out: Vec<(String, DataFrame)> = Vec::new();
    aggregator.finish(|name, batch| {
        match out.last_mut() {
            Some((last, df)) if last == name => {
                df.vstack_mut_owned(batch).map_err(err(name))?;
            }
            _ => out.push((name.to_string(), batch)),
        }
        Ok(())
    })?;
    Ok(out)
}

/// Rows of a time series table rendered at a time: a speaker-by-day table spans every
/// speaker's days, so it is written in batches rather than built whole.
const RENDER_ROWS: usize = 65_536;

/// Running sums of one key's statements in one period: 32 bytes, as a speaker-by-day series
/// holds one per (speaker, day) with statements (over a million at a million articles).
#[derive(Clone, Copy, Default)]
struct Sums {
    period: i32,
    n: u32,
    conciliatory: u32,
    firm: u32,
    tone: f64,
    sentiment: f64,
}

impl Sums {
    fn stats(&self) -> PeriodStats {
        let n = self.n as i64;
        let per = |x: f64| (n > 0).then(|| x / n as f64);
        PeriodStats {
            n,
            mean_tone: per(self.tone),
            share_conciliatory: per(self.conciliatory as f64),
            share_firm: per(self.firm as f64),
            mean_sentiment: per(self.sentiment),
        }
    }
}

/// Key → its periods with statements, in period order: one time series table before
/// zero-filling. Statements mostly arrive in period order per key, so adding is usually an
/// append.
type Series = BTreeMap<String, Vec<Sums>>;

/// One statement's contribution to the sums.
struct Contribution {
    tone: f64,
    conciliatory: bool,
    firm: bool,
    sentiment: f64,
}

fn add_to(series: &mut Series, key: &str, period: i32, c: &Contribution) {
    let periods = match series.get_mut(key) {
        Some(periods) => periods,
        None => series.entry(key.to_string()).or_default(),
    };
    let at = match periods.last() {
        Some(last) if last.period == period => periods.len() - 1,
        Some(last) if last.period > period => {
            match periods.binary_search_by_key(&period, |s| s.period) {
                Ok(i) => i,
                Err(i) => {
                    periods.insert(
                        i,
                        Sums {
                            period,
                            ..Sums::default()
                        },
                    );
                    i
                }
            }
        }
        _ => {
            periods.push(Sums {
                period,
                ..Sums::default()
            });
            periods.len() - 1
        }
    };
    let s = &mut periods[at];
    s.n += 1;
    s.tone += c.tone;
    s.conciliatory += c.conciliatory as u32;
    s.firm += c.firm as u32;
    s.sentiment += c.sentiment;
}

/// The analyst tables, computed on a stream of statement batches so that a corpus of any size
/// aggregates in memory proportional to its keys and days, not its statements. Feed batches in
/// publication order: sums are then added in one canonical order, so equal states give
/// bit-identical means however the state's files are laid out.
pub struct Aggregator<'a> {
    config: &'a Config,
    by_country_day: Series,
    by_country_week: Series,
    by_speaker_day: Series,
    by_speaker_week: Series,
    /// Keyed by [`dyads::key`] (country and target).
    by_dyad_day: Series,
    by_dyad_week: Series,
    /// Only statements inside some visit's windows: the bootstrap needs them one by one.
    obs: Vec<Obs>,
    visit_spans: Vec<(i32, i32)>,
    /// The speaker whose rows are arriving (see [`Aggregator::settle_speaker`]).
    open_speaker: Option<String>,
}

impl<'a> Aggregator<'a> {
    pub fn new(config: &'a Config) -> Self {
        let visit_spans = config
            .visits()
            .map(|v| Windows::of(v, &config.aggregate).span())
            .collect();
        Aggregator {
            config,
            by_country_day: Series::new(),
            by_country_week: Series::new(),
            by_speaker_day: Series::new(),
            by_speaker_week: Series::new(),
            by_dyad_day: Series::new(),
            by_dyad_week: Series::new(),
            obs: Vec::new(),
            visit_spans,
            open_speaker: None,
        }
    }

    /// Trims the growth room of the open speaker's series once its rows stop. In publication
    /// order a speaker's rows come together (once per country it is seen with), and speaker-day
    /// series are the bulk of the sums (over a million entries at a million articles): without
    /// this, vectors that grew by doubling would hold about a third more than their entries.
    fn settle_speaker(&mut self) {
        if let Some(speaker) = self.open_speaker.take() {
            for series in [&mut self.by_speaker_day, &mut self.by_speaker_week] {
                if let Some(periods) = series.get_mut(&speaker) {
                    periods.shrink_to_fit();
                }
            }
        }
    }

    /// Adds statements (the statements table's `published`, `country`, `speaker`, `tone`,
    /// `tone_label` and `sentiment` columns, and `kind` and `target` when present).
    pub fn add(&mut self, statements: &DataFrame) -> Result<()> {
        let e = err("aggregate");
        let days = statements
            .column("published")
            .and_then(|c| c.cast(&DataType::Int32))
            .map_err(&e)?;
        let days = days.i32().map_err(&e)?;
        let country = crate::store::str_column(statements, "country", "aggregate")?;
        let speaker = crate::store::str_column(statements, "speaker", "aggregate")?;
        let target = match statements.column("target") {
            Ok(_) => Some(crate::store::str_column(statements, "target", "aggregate")?),
            Err(_) => None,
        };
        let target_of = |i: usize| target.as_ref().and_then(|t| t.get(i));
        let tone = statements
            .column("tone")
            .and_then(|c| c.f64().cloned())
            .map_err(&e)?;
        let label = crate::store::str_column(statements, "tone_label", "aggregate")?;
        let sentiment = statements
            .column("sentiment")
            .and_then(|c| c.f64().cloned())
            .map_err(&e)?;
        // Reporters' questions in transcripts are not what officials say: left out unless
        // `[aggregate] include_questions` (a frame without `kind` has none).
        let question = crate::types::StatementKind::Question.as_str();
        let kind = match statements.column("kind") {
            Ok(c) if !self.config.aggregate.include_questions => Some(c.str().map_err(&e)?),
            _ => None,
        };
        for i in 0..statements.height() {
            if kind.is_some_and(|k| k.get(i) == Some(question)) {
                continue;
            }
            let day = days.get(i).unwrap_or(0);
            let week = week_of(day);
            let c = Contribution {
                tone: tone.get(i).unwrap_or(0.0),
                conciliatory: label.get(i) == Some("conciliatory"),
                firm: label.get(i) == Some("firm"),
                sentiment: sentiment.get(i).unwrap_or(0.0),
            };
            if let Some(country) = country.get(i) {
                add_to(&mut self.by_country_day, country, day, &c);
                add_to(&mut self.by_country_week, country, week, &c);
                if let Some(target) = target_of(i) {
                    let dyad = dyads::key(country, target);
                    add_to(&mut self.by_dyad_day, &dyad, day, &c);
                    add_to(&mut self.by_dyad_week, &dyad, week, &c);
                }
            }
            if let Some(speaker) = speaker.get(i) {
                if self.open_speaker.as_deref() != Some(speaker) {
                    self.settle_speaker();
                    self.open_speaker = Some(speaker.to_string());
                }
                add_to(&mut self.by_speaker_day, speaker, day, &c);
                add_to(&mut self.by_speaker_week, speaker, week, &c);
            }
            if self
                .visit_spans
                .iter()
                .any(|(lo, hi)| (*lo..=*hi).contains(&day))
            {
                self.obs.push(Obs {
                    day,
                    country: country.get(i).map(str::to_string),
                    speaker: speaker.get(i).map(str::to_string),
                    target: target_of(i).map(str::to_string),
                    tone: c.tone,
                    conciliatory: c.conciliatory,
                    firm: c.firm,
                    sentiment: c.sentiment,
                });
            }
        }
        Ok(())
    }

    /// Bytes the running sums hold (keys, period vectors and visit observations), for the
    /// phase log: the part of publishing that grows with the corpus's keys and days.
    pub fn footprint(&self) -> usize {
        let series = |s: &Series| {
            s.iter()
                .map(|(k, v)| k.capacity() + v.capacity() * std::mem::size_of::<Sums>() + 64)
                .sum::<usize>()
        };
        [
            &self.by_country_day,
            &self.by_country_week,
            &self.by_speaker_day,
            &self.by_speaker_week,
            &self.by_dyad_day,
            &self.by_dyad_week,
        ]
        .into_iter()
        .map(series)
        .sum::<usize>()
            + self.obs.capacity() * std::mem::size_of::<Obs>()
    }

    /// Hands every table to `emit` as (file name, batch): one or more batches per table, in
    /// order, each table's batches together.
    pub fn finish(mut self, mut emit: impl FnMut(&str, DataFrame) -> Result<()>) -> Result<()> {
        self.settle_speaker();
        let agg = &self.config.aggregate;
        // Dyad series share the country tables' calendar, so the two line up row for row.
        let days = calendar(&self.by_country_day);
        let weeks = calendar(&self.by_country_week);
        for (name, series, key, period, span) in [
            (
                "tone_by_country_day.parquet",
                &self.by_country_day,
                "country",
                "day",
                days,
            ),
            (
                "tone_by_country_week.parquet",
                &self.by_country_week,
                "country",
                "week",
                weeks,
            ),
            (
                "tone_by_speaker_day.parquet",
                &self.by_speaker_day,
                "speaker",
                "day",
                None,
            ),
            (
                "tone_by_speaker_week.parquet",
                &self.by_speaker_week,
                "speaker",
                "week",
                None,
            ),
            (
                "tone_by_dyad_day.parquet",
                &self.by_dyad_day,
                dyads::DYAD,
                "day",
                days,
            ),
            (
                "tone_by_dyad_week.parquet",
                &self.by_dyad_week,
                dyads::DYAD,
                "week",
                weeks,
            ),
        ] {
            render_series(series, key, period, span, agg, &mut |batch| {
                emit(name, batch)
            })?;
        }
        let visits: Vec<&Visit> = self.config.visits().collect();
        if !visits.is_empty() {
            emit("visits.parquet", visit_table(&self.obs, &visits, agg)?)?;
            emit("visit_pairs.parquet", visit_pairs(&self.obs, &visits, agg)?)?;
        }
        Ok(())
    }
}

/// One aggregated period of one key.
#[derive(Clone, Copy, Default)]
struct PeriodStats {
    n: i64,
    mean_tone: Option<f64>,
    share_conciliatory: Option<f64>,
    share_firm: Option<f64>,
    mean_sentiment: Option<f64>,
}

/// The first and last period of any key of `sums`.
fn calendar(sums: &Series) -> Option<(i32, i32)> {
    sums.values()
        .filter_map(|m| Some((m.first()?.period, m.last()?.period)))
        .reduce(|(lo, hi), (a, b)| (lo.min(a), hi.max(b)))
}

/// Tone by `key` ("country", "speaker" or [`dyads::DYAD`]) and period ("day" or "week"),
/// zero-filled over `span` (every key from its own first to last period when None), handed
/// to `emit` in batches of about [`RENDER_ROWS`] rows (at least one batch, maybe empty).
fn render_series(
    sums: &Series,
    key: &str,
    period: &str,
    span: Option<(i32, i32)>,
    cfg: &AggregateConfig,
    emit: &mut dyn FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    let table = format!("tone_by_{key}_{period}");
    let step = if period == "day" { 1 } else { 7 };

    let mut batch = SeriesBatch::default();
    let mut emitted = false;
    for (k, m) in sums {
        let (Some(first), Some(last)) = (m.first().map(|s| s.period), m.last().map(|s| s.period))
        else {
            continue;
        };
        // Countries and dyads share one calendar, so their series line up; speakers span
        // their own.
        let (lo, hi) = span.unwrap_or((first, last));
        // m[next] is the first period with statements at or after p.
        let mut next = 0;
        let mut p = lo;
        while p <= hi {
            while next < m.len() && m[next].period < p {
                next += 1;
            }
            let has_statements = next < m.len() && m[next].period == p;
            let s = if has_statements {
                m[next].stats()
            } else {
                PeriodStats::default()
            };
            batch.keys.push(k.clone());
            batch.periods.push(p);
            if period == "day" {
                // Statement-weighted mean over the trailing `rolling_days` calendar days.
                let from = p - cfg.rolling_days as i32 + 1;
                let upto = next + has_statements as usize;
                let start = m[..upto].partition_point(|s| s.period < from);
                let (sum, count) = m[start..upto]
                    .iter()
                    .map(Sums::stats)
                    .fold((0.0, 0i64), |(sum, count), s| {
                        (sum + s.mean_tone.unwrap_or(0.0) * s.n as f64, count + s.n)
                    });
                batch.rolling.push((count > 0).then(|| sum / count as f64));
            }
            batch.rows.push(s);
            p += step;
            if batch.rows.len() >= RENDER_ROWS {
                emit(
                    std::mem::take(&mut batch)
                        .frame(key, period, cfg)
                        .map_err(|x| Error::table(&table, x))?,
                )?;
                emitted = true;
            }
        }
    }
    if !batch.rows.is_empty() || !emitted {
        emit(
            batch
                .frame(key, period, cfg)
                .map_err(|x| Error::table(&table, x))?,
        )?;
    }
    Ok(())
}

/// Rows of a time series table being rendered.
#[derive(Default)]
struct SeriesBatch {
    keys: Vec<String>,
    periods: Vec<i32>,
    rows: Vec<PeriodStats>,
    rolling: Vec<Option<f64>>,
}

impl SeriesBatch {
    fn frame(
        self,
        key: &str,
        period: &str,
        cfg: &AggregateConfig,
    ) -> std::result::Result<DataFrame, PolarsError> {
        let height = self.rows.len();
        let rows = self.rows;
        let mut columns = if key == dyads::DYAD {
            dyads::key_columns(self.keys)
        } else {
            vec![Column::new(key.into(), self.keys)]
        };
        let dates = |name: &str, days: Vec<i32>| {
            polars::prelude::Series::new(name.into(), days)
                .cast(&DataType::Date)
                .map(Column::from)
        };
        if period == "day" {
            columns.push(dates("date", self.periods)?);
        } else {
            columns.push(Column::new(
                "iso_week".into(),
                self.periods
                    .iter()
                    .map(|p| iso_week_label(*p))
                    .collect::<Vec<_>>(),
            ));
            columns.push(dates("week", self.periods)?);
        }
        columns.push(Column::new(
            "n".into(),
            rows.iter().map(|s| s.n).collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            "mean_tone".into(),
            rows.iter().map(|s| s.mean_tone).collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            "share_conciliatory".into(),
            rows.iter()
                .map(|s| s.share_conciliatory)
                .collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            "share_firm".into(),
            rows.iter().map(|s| s.share_firm).collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            "mean_sentiment".into(),
            rows.iter().map(|s| s.mean_sentiment).collect::<Vec<_>>(),
        ));
        if period == "day" {
            columns.push(Column::new(
                format!("rolling_{}d_mean_tone", cfg.rolling_days).into(),
                self.rolling,
            ));
        }
        DataFrame::new(height, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(day: &str, country: &str, speaker: &str, tone: f64) -> Obs {
        let d = days_since_epoch(NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap());
        Obs {
            day: d,
            country: Some(country.into()),
            speaker: Some(speaker.into()),
            target: None,
            tone,
            conciliatory: tone > 0.2,
            firm: tone < -0.2,
            sentiment: 0.0,
        }
    }

    fn visit(name: &str, start: &str, end: &str) -> Visit {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Visit {
            name: name.into(),
            start: d(start),
            end: d(end),
            host: "CHN".into(),
            visitor: "USA".into(),
            participants: vec!["Wang Yi".into()],
            before_days: None,
            after_days: None,
        }
    }

    #[test]
    fn bootstrap_intervals_are_reproducible_and_contain_the_mean() {
        let cfg = AggregateConfig::default();
        let mut w = WindowSummary::default();
        for (i, t) in [-0.5, 0.1, 0.4, 0.9, 0.3, -0.2].iter().enumerate() {
            w.add(&obs("2023-06-01", "CHN", &format!("s{i}"), *t));
        }
        let a = mean_interval(&cfg, "x", &w);
        let b = mean_interval(&cfg, "x", &w);
        assert_eq!(a, b);
        let (lo, hi) = (a.0.unwrap(), a.1.unwrap());
        let mean = w.mean().unwrap();
        assert!(lo < mean && mean < hi, "{lo} {mean} {hi}");
        assert!(lo >= -0.5 && hi <= 0.9);
        let mut one = WindowSummary::default();
        one.add(&obs("2023-06-01", "CHN", "a", 0.5));
        assert_eq!(mean_interval(&cfg, "x", &one), (None, None));
    }

    #[test]
    fn visit_rows_split_windows_and_name_overlaps() {
        let cfg = AggregateConfig {
            visit_window_days: 10,
            ..AggregateConfig::default()
        };
        let v1 = visit("A", "2023-06-18", "2023-06-19");
        let v2 = visit("B", "2023-06-25", "2023-06-26");
        let data = vec![
            obs("2023-06-10", "CHN", "Wang Yi", -0.6),
            obs("2023-06-12", "CHN", "Wang Yi", -0.4),
            obs("2023-06-18", "CHN", "Wang Yi", 0.5),
            obs("2023-06-19", "CHN", "Qin Gang", 0.7),
            obs("2023-06-20", "USA", "Antony Blinken", 0.2),
            obs("2023-05-01", "CHN", "Wang Yi", -1.0), // outside every window
        ];
        let df = visit_table(&data, &[&v1, &v2], &cfg).unwrap();
        let a = df
            .filter(&df.column("visit").unwrap().str().unwrap().equal("A"))
            .unwrap();
        let chn = a
            .filter(&a.column("country").unwrap().str().unwrap().equal("CHN"))
            .unwrap();
        let chn = chn
            .filter(&chn.column("level").unwrap().str().unwrap().equal("country"))
            .unwrap();
        assert_eq!(chn.height(), 1);
        assert_eq!(
            chn.column("n_before").unwrap().i64().unwrap().get(0),
            Some(2)
        );
        assert_eq!(
            chn.column("n_during").unwrap().i64().unwrap().get(0),
            Some(2)
        );
        let change = chn
            .column("tone_change_during_vs_before")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap();
        assert!((change - 1.1).abs() < 1e-9, "{change}");
        assert_eq!(
            chn.column("side").unwrap().str().unwrap().get(0),
            Some("host")
        );
        let overlaps = a
            .column("overlapping_visits")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap();
        assert_eq!(overlaps.str().unwrap().get(0), Some("B"));
        let wang = a
            .filter(&a.column("speaker").unwrap().str().unwrap().equal("Wang Yi"))
            .unwrap();
        assert_eq!(
            wang.column("participant").unwrap().bool().unwrap().get(0),
            Some(true)
        );
    }

    #[test]
    fn country_series_have_explicit_zero_days() {
        let st = DataFrame::new(
            3,
            vec![
                date_column("published", vec![19000, 19003, 19001]).unwrap(),
                Column::new(
                    "country".into(),
                    vec![Some("CHN"), Some("CHN"), Some("USA")],
                ),
                Column::new("speaker".into(), vec![Some("a"), Some("a"), Some("b")]),
                Column::new("tone".into(), vec![0.5, -0.5, 0.1]),
                Column::new("tone_label".into(), vec!["conciliatory", "firm", "neutral"]),
                Column::new("sentiment".into(), vec![0.0, 0.0, 0.0]),
            ],
        )
        .unwrap();
        let config = Config::default();
        let tables: BTreeMap<String, DataFrame> =
            tables(&st, &config).unwrap().into_iter().collect();
        let day = &tables["tone_by_country_day.parquet"];
        // Both countries span the corpus's four days.
        assert_eq!(day.height(), 8);
        let n: Vec<i64> = day
            .column("n")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(n, vec![1, 0, 0, 1, 0, 1, 0, 0]);
        assert_eq!(day.column("mean_tone").unwrap().f64().unwrap().get(1), None);
        let rolling = day.column("rolling_7d_mean_tone").unwrap().f64().unwrap();
        assert_eq!(rolling.get(3), Some(0.0));
        let speaker = &tables["tone_by_speaker_day.parquet"];
        assert_eq!(speaker.height(), 4 + 1);
    }
}
