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

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;

use crate::config::{AggregateConfig, Config, Visit};
use crate::error::{Error, Result};
use crate::output::{date_column, days_since_epoch};

mod dyads;

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
    /// `tone_label` and `sentiment` columns, and `target` when present).
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
        for i in 0..statements.height() {
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

/// One statement, as the visit comparison needs it.
struct Obs {
    day: i32,
    country: Option<String>,
    speaker: Option<String>,
    /// The statement's main target country.
    target: Option<String>,
    tone: f64,
    conciliatory: bool,
    firm: bool,
    sentiment: f64,
}

/// The three windows of a visit, as inclusive day ranges.
struct Windows {
    before: (i32, i32),
    during: (i32, i32),
    after: (i32, i32),
}

impl Windows {
    fn of(v: &Visit, cfg: &AggregateConfig) -> Windows {
        let (s, e) = (days_since_epoch(v.start), days_since_epoch(v.end));
        Windows {
            before: (s - v.before_days(cfg) as i32, s - 1),
            during: (s, e),
            after: (e + 1, e + v.after_days(cfg) as i32),
        }
    }
    fn span(&self) -> (i32, i32) {
        (self.before.0, self.after.1)
    }
}

/// A window's statements of one country or speaker, summarised.
#[derive(Default, Clone)]
struct WindowSummary {
    tones: Vec<f64>,
    conciliatory: usize,
    firm: usize,
    sentiment_sum: f64,
}

impl WindowSummary {
    fn add(&mut self, o: &Obs) {
        self.tones.push(o.tone);
        self.conciliatory += o.conciliatory as usize;
        self.firm += o.firm as usize;
        self.sentiment_sum += o.sentiment;
    }
    fn n(&self) -> usize {
        self.tones.len()
    }
    fn mean(&self) -> Option<f64> {
        (self.n() > 0).then(|| self.tones.iter().sum::<f64>() / self.n() as f64)
    }
    fn share(&self, k: usize) -> Option<f64> {
        (self.n() > 0).then(|| k as f64 / self.n() as f64)
    }
    fn mean_sentiment(&self) -> Option<f64> {
        (self.n() > 0).then(|| self.sentiment_sum / self.n() as f64)
    }
}

/// A deterministic generator (SplitMix64): small, seedable, and the same on every platform,
/// so a confidence interval never changes between runs on the same data.
struct SplitMix(crate::rng::SplitMix64);

impl SplitMix {
    fn seeded(seed: u64, label: &str) -> SplitMix {
        let h = crate::models::sha256_hex(format!("{seed}\u{0}{label}").as_bytes());
        SplitMix(crate::rng::SplitMix64(
            u64::from_str_radix(&h[..16], 16).unwrap_or(seed),
        ))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n.max(1)
    }
    fn resampled_mean(&mut self, xs: &[f64]) -> f64 {
        (0..xs.len()).map(|_| xs[self.below(xs.len())]).sum::<f64>() / xs.len() as f64
    }
}

/// Percentile bootstrap 95% interval of a statistic; None when a window has fewer than two
/// statements (one statement says nothing about spread).
fn interval(resamples: u32, mut draw: impl FnMut() -> f64) -> (Option<f64>, Option<f64>) {
    let mut xs: Vec<f64> = (0..resamples).map(|_| draw()).collect();
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (xs.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        xs[lo] + (xs[hi] - xs[lo]) * (pos - lo as f64)
    };
    (Some(at(0.025)), Some(at(0.975)))
}

fn mean_interval(
    cfg: &AggregateConfig,
    label: &str,
    w: &WindowSummary,
) -> (Option<f64>, Option<f64>) {
    if w.n() < 2 {
        return (None, None);
    }
    let mut rng = SplitMix::seeded(cfg.bootstrap_seed, label);
    interval(cfg.bootstrap_resamples, || rng.resampled_mean(&w.tones))
}

/// Interval of mean(b) − mean(a), resampling both windows independently.
fn difference_interval(
    cfg: &AggregateConfig,
    label: &str,
    a: &WindowSummary,
    b: &WindowSummary,
) -> (Option<f64>, Option<f64>) {
    if a.n() < 2 || b.n() < 2 {
        return (None, None);
    }
    let mut rng = SplitMix::seeded(cfg.bootstrap_seed, label);
    interval(cfg.bootstrap_resamples, || {
        rng.resampled_mean(&b.tones) - rng.resampled_mean(&a.tones)
    })
}

/// Before, during and after summaries of one group (a country or a speaker) around one visit.
#[derive(Default, Clone)]
struct Around {
    before: WindowSummary,
    during: WindowSummary,
    after: WindowSummary,
    countries: BTreeMap<String, usize>,
    /// The same windows, of the statements toward each target country.
    toward: BTreeMap<String, Around>,
}

impl Around {
    fn add(&mut self, o: &Obs, w: &Windows) {
        let window = if o.day < w.during.0 {
            &mut self.before
        } else if o.day <= w.during.1 {
            &mut self.during
        } else {
            &mut self.after
        };
        window.add(o);
    }
}

/// Level → group key → summaries, for one visit.
fn summarise(obs: &[Obs], w: &Windows) -> BTreeMap<(&'static str, String), Around> {
    let mut groups: BTreeMap<(&'static str, String), Around> = BTreeMap::new();
    for o in obs {
        let (lo, hi) = w.span();
        if o.day < lo || o.day > hi {
            continue;
        }
        let mut keys = Vec::new();
        if let Some(c) = &o.country {
            keys.push(("country", c.clone()));
        }
        if let Some(s) = &o.speaker {
            keys.push(("speaker", s.clone()));
        }
        for key in keys {
            let g = groups.entry(key).or_default();
            g.add(o, w);
            if let Some(t) = &o.target {
                g.toward.entry(t.clone()).or_default().add(o, w);
            }
            if let Some(c) = &o.country {
                *g.countries.entry(c.clone()).or_default() += 1;
            }
        }
    }
    groups
}

fn side_of(country: Option<&str>, v: &Visit) -> &'static str {
    match country {
        Some(c) if c == v.host => "host",
        Some(c) if c == v.visitor => "visitor",
        Some(_) => "other",
        None => "unknown",
    }
}

/// Columns built row by row, then turned into a table in insertion order.
#[derive(Default)]
struct Builder {
    order: Vec<String>,
    strs: BTreeMap<String, Vec<Option<String>>>,
    ints: BTreeMap<String, Vec<i64>>,
    floats: BTreeMap<String, Vec<Option<f64>>>,
    dates: BTreeMap<String, Vec<i32>>,
    lists: BTreeMap<String, Vec<Vec<String>>>,
    bools: BTreeMap<String, Vec<Option<bool>>>,
}

impl Builder {
    fn note(&mut self, name: &str) {
        if !self.order.iter().any(|n| n == name) {
            self.order.push(name.to_string());
        }
    }
    fn s(&mut self, name: &str, v: Option<String>) {
        self.note(name);
        self.strs.entry(name.into()).or_default().push(v);
    }
    fn i(&mut self, name: &str, v: i64) {
        self.note(name);
        self.ints.entry(name.into()).or_default().push(v);
    }
    fn f(&mut self, name: &str, v: Option<f64>) {
        self.note(name);
        self.floats.entry(name.into()).or_default().push(v);
    }
    fn d(&mut self, name: &str, v: i32) {
        self.note(name);
        self.dates.entry(name.into()).or_default().push(v);
    }
    fn l(&mut self, name: &str, v: Vec<String>) {
        self.note(name);
        self.lists.entry(name.into()).or_default().push(v);
    }
    fn b(&mut self, name: &str, v: Option<bool>) {
        self.note(name);
        self.bools.entry(name.into()).or_default().push(v);
    }
    fn window(&mut self, cfg: &AggregateConfig, label: &str, name: &str, w: &WindowSummary) {
        self.i(&format!("n_{name}"), w.n() as i64);
        self.f(&format!("mean_tone_{name}"), w.mean());
        let (lo, hi) = mean_interval(cfg, &format!("{label}\u{0}{name}"), w);
        self.f(&format!("mean_tone_{name}_ci_low"), lo);
        self.f(&format!("mean_tone_{name}_ci_high"), hi);
        self.f(
            &format!("share_conciliatory_{name}"),
            w.share(w.conciliatory),
        );
        self.f(&format!("share_firm_{name}"), w.share(w.firm));
        self.f(&format!("mean_sentiment_{name}"), w.mean_sentiment());
    }
    fn change(
        &mut self,
        cfg: &AggregateConfig,
        label: &str,
        name: &str,
        a: &WindowSummary,
        b: &WindowSummary,
    ) {
        self.f(name, a.mean().zip(b.mean()).map(|(a, b)| b - a));
        let (lo, hi) = difference_interval(cfg, &format!("{label}\u{0}{name}"), a, b);
        self.f(&format!("{name}_ci_low"), lo);
        self.f(&format!("{name}_ci_high"), hi);
    }
    fn finish(mut self, table: &str, height: usize) -> Result<DataFrame> {
        let mut columns = Vec::new();
        for name in &self.order {
            let c = if let Some(v) = self.strs.remove(name) {
                Column::new(name.into(), v)
            } else if let Some(v) = self.ints.remove(name) {
                Column::new(name.into(), v)
            } else if let Some(v) = self.floats.remove(name) {
                Column::new(name.into(), v)
            } else if let Some(v) = self.dates.remove(name) {
                date_column(name, v)?
            } else if let Some(v) = self.bools.remove(name) {
                Column::new(name.into(), v)
            } else {
                crate::output::str_list_column(name, self.lists.remove(name).unwrap_or_default())
            };
            columns.push(c);
        }
        DataFrame::new(height, columns).map_err(err(table))
    }
}

/// Other visits whose before-to-after span shares days with this one's: statements on the
/// shared days count in both comparisons (e.g. one visit's "after" is the next one's
/// "before"), which the analyst should know before reading the changes as separate effects.
fn overlapping(v: &Visit, all: &[&Visit], cfg: &AggregateConfig) -> Vec<String> {
    let (lo, hi) = Windows::of(v, cfg).span();
    all.iter()
        .filter(|o| o.name != v.name)
        .filter(|o| {
            let (olo, ohi) = Windows::of(o, cfg).span();
            olo <= hi && ohi >= lo
        })
        .map(|o| o.name.clone())
        .collect()
}

fn visit_columns(b: &mut Builder, v: &Visit, all: &[&Visit], cfg: &AggregateConfig) {
    b.s("visit", Some(v.name.clone()));
    b.d("start", days_since_epoch(v.start));
    b.d("end", days_since_epoch(v.end));
    b.s("host", Some(v.host.clone()));
    b.s("visitor", Some(v.visitor.clone()));
    b.i("before_days", v.before_days(cfg) as i64);
    b.i("after_days", v.after_days(cfg) as i64);
    b.l("overlapping_visits", overlapping(v, all, cfg));
}

/// `visits.parquet`: for each visit, one row per country and one per named speaker that spoke
/// in its before, during or after window: n, mean tone with a bootstrap 95% interval, shares,
/// sentiment, and the changes during-vs-before and after-vs-during with intervals.
fn visit_table(obs: &[Obs], visits: &[&Visit], cfg: &AggregateConfig) -> Result<DataFrame> {
    let mut b = Builder::default();
    let mut height = 0;
    for v in visits {
        let w = Windows::of(v, cfg);
        let participants: BTreeSet<&str> = v.participants.iter().map(String::as_str).collect();
        // Countries first, then speakers, each alphabetically.
        for ((level, key), g) in summarise(obs, &w) {
            let country = match level {
                "country" => Some(key.clone()),
                // A speaker's country: the one most of their statements carry.
                _ => g
                    .countries
                    .iter()
                    .max_by_key(|(c, n)| (**n, std::cmp::Reverse((*c).clone())))
                    .map(|(c, _)| c.clone()),
            };
            visit_columns(&mut b, v, visits, cfg);
            b.s("level", Some(level.to_string()));
            b.s("country", country.clone());
            b.s("speaker", (level == "speaker").then(|| key.clone()));
            let side = side_of(country.as_deref(), v);
            b.s("side", Some(side.to_string()));
            b.b(
                "participant",
                (level == "speaker").then(|| participants.contains(key.as_str())),
            );
            let label = format!("{}\u{0}{level}\u{0}{key}", v.name);
            b.window(cfg, &label, "before", &g.before);
            b.window(cfg, &label, "during", &g.during);
            b.window(cfg, &label, "after", &g.after);
            b.change(
                cfg,
                &label,
                "tone_change_during_vs_before",
                &g.before,
                &g.during,
            );
            b.change(
                cfg,
                &label,
                "tone_change_after_vs_during",
                &g.during,
                &g.after,
            );
            b.change(
                cfg,
                &label,
                "tone_change_after_vs_before",
                &g.before,
                &g.after,
            );
            dyads::counterpart_columns(&mut b, cfg, &label, dyads::counterpart(side, v), &g);
            height += 1;
        }
    }
    b.finish("visits", height)
}

/// `visit_pairs.parquet`: one row per visit, host and visitor side by side — what each side
/// said before, during and after the trip, and the gap between them during it.
fn visit_pairs(obs: &[Obs], visits: &[&Visit], cfg: &AggregateConfig) -> Result<DataFrame> {
    let mut b = Builder::default();
    for v in visits {
        let w = Windows::of(v, cfg);
        let groups = summarise(obs, &w);
        let get = |c: &str| {
            groups
                .get(&("country", c.to_string()))
                .cloned()
                .unwrap_or_default()
        };
        let (host, visitor) = (get(&v.host), get(&v.visitor));
        visit_columns(&mut b, v, visits, cfg);
        for (side, g, code) in [("host", &host, &v.host), ("visitor", &visitor, &v.visitor)] {
            let label = format!("{}\u{0}country\u{0}{code}", v.name);
            for (name, win) in [
                ("before", &g.before),
                ("during", &g.during),
                ("after", &g.after),
            ] {
                b.i(&format!("{side}_n_{name}"), win.n() as i64);
                b.f(&format!("{side}_mean_tone_{name}"), win.mean());
            }
            let (lo, hi) = mean_interval(cfg, &format!("{label}\u{0}during"), &g.during);
            b.f(&format!("{side}_mean_tone_during_ci_low"), lo);
            b.f(&format!("{side}_mean_tone_during_ci_high"), hi);
            b.change(
                cfg,
                &label,
                &format!("{side}_tone_change_during_vs_before"),
                &g.before,
                &g.during,
            );
        }
        dyads::directed_columns(&mut b, cfg, v, &host, &visitor);
        let label = format!("{}\u{0}gap", v.name);
        b.change(
            cfg,
            &label,
            "tone_gap_during_host_minus_visitor",
            &visitor.during,
            &host.during,
        );
    }
    b.finish("visit_pairs", visits.len())
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
