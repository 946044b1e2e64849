//! The visit tables: tone before, during and after each configured visit, per country and
//! per named speaker (`visits.parquet`), and the two sides next to each other
//! (`visit_pairs.parquet`), each window's mean with a percentile-bootstrap interval.
//!
//! Example: with `[[visit]] name = "Blinken to Beijing", start = 2023-06-18, end = 2023-06-19,
//! host = "CHN", visitor = "USA"` and 30-day windows, a CHN statement of 2023-06-10 counts in
//! `before`, one of 2023-06-18 in `during`; `mean_tone_during = 0.26 [0.13, 0.39]` is the
//! mean of the `during` statements with the 2.5 and 97.5 percentiles of 2,000 resampled means.
//! The statements come from [`super::Aggregator`], which keeps only those inside some visit's
//! windows.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::config::{AggregateConfig, Visit};
use crate::error::Result;

use super::{date_column, days_since_epoch, dyads, err};

/// One statement, as the visit comparison needs it.
pub(super) struct Obs {
    pub(super) day: i32,
    pub(super) country: Option<String>,
    pub(super) speaker: Option<String>,
    /// The statement's main target country.
    pub(super) target: Option<String>,
    pub(super) tone: f64,
    pub(super) conciliatory: bool,
    pub(super) firm: bool,
    pub(super) sentiment: f64,
}

/// The three windows of a visit, as inclusive day ranges.
pub(super) struct Windows {
    pub(super) before: (i32, i32),
    pub(super) during: (i32, i32),
    pub(super) after: (i32, i32),
}

impl Windows {
    pub(super) fn of(v: &Visit, cfg: &AggregateConfig) -> Windows {
        let (s, e) = (days_since_epoch(v.start), days_since_epoch(v.end));
        Windows {
            before: (s - v.before_days(cfg) as i32, s - 1),
            during: (s, e),
            after: (e + 1, e + v.after_days(cfg) as i32),
        }
    }
    pub(super) fn span(&self) -> (i32, i32) {
        (self.before.0, self.after.1)
    }
}

/// A window's statements of one country or speaker, summarised.
#[derive(Default, Clone)]
pub(super) struct WindowSummary {
    pub(super) tones: Vec<f64>,
    pub(super) conciliatory: usize,
    pub(super) firm: usize,
    pub(super) sentiment_sum: f64,
}

impl WindowSummary {
    pub(super) fn add(&mut self, o: &Obs) {
        self.tones.push(o.tone);
        self.conciliatory += o.conciliatory as usize;
        self.firm += o.firm as usize;
        self.sentiment_sum += o.sentiment;
    }
    pub(super) fn n(&self) -> usize {
        self.tones.len()
    }
    pub(super) fn mean(&self) -> Option<f64> {
        (self.n() > 0).then(|| self.tones.iter().sum::<f64>() / self.n() as f64)
    }
    pub(super) fn share(&self, k: usize) -> Option<f64> {
        (self.n() > 0).then(|| k as f64 / self.n() as f64)
    }
    pub(super) fn mean_sentiment(&self) -> Option<f64> {
        (self.n() > 0).then(|| self.sentiment_sum / self.n() as f64)
    }
}

/// A deterministic generator (SplitMix64): small, seedable, and the same on every platform,
/// so a confidence interval never changes between runs on the same data.
pub(super) struct SplitMix(crate::rng::SplitMix64);

impl SplitMix {
    pub(super) fn seeded(seed: u64, label: &str) -> SplitMix {
        let h = crate::models::sha256_hex(format!("{seed}\u{0}{label}").as_bytes());
        SplitMix(crate::rng::SplitMix64(
            u64::from_str_radix(&h[..16], 16).unwrap_or(seed),
        ))
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n.max(1)
    }
    pub(super) fn resampled_mean(&mut self, xs: &[f64]) -> f64 {
        (0..xs.len()).map(|_| xs[self.below(xs.len())]).sum::<f64>() / xs.len() as f64
    }
}

/// Percentile bootstrap 95% interval of a statistic; None when a window has fewer than two
/// statements (one statement says nothing about spread).
pub(super) fn interval(
    resamples: u32,
    mut draw: impl FnMut() -> f64,
) -> (Option<f64>, Option<f64>) {
    let mut xs: Vec<f64> = (0..resamples).map(|_| draw()).collect();
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (xs.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        xs[lo] + (xs[hi] - xs[lo]) * (pos - lo as f64)
    };
    (Some(at(0.025)), Some(at(0.975)))
}

pub(super) fn mean_interval(
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
pub(super) fn difference_interval(
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
pub(super) struct Around {
    pub(super) before: WindowSummary,
    pub(super) during: WindowSummary,
    pub(super) after: WindowSummary,
    pub(super) countries: BTreeMap<String, usize>,
    /// The same windows, of the statements toward each target country.
    pub(super) toward: BTreeMap<String, Around>,
}

impl Around {
    pub(super) fn add(&mut self, o: &Obs, w: &Windows) {
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
pub(super) fn summarise(obs: &[Obs], w: &Windows) -> BTreeMap<(&'static str, String), Around> {
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

pub(super) fn side_of(country: Option<&str>, v: &Visit) -> &'static str {
    match country {
        Some(c) if c == v.host => "host",
        Some(c) if c == v.visitor => "visitor",
        Some(_) => "other",
        None => "unknown",
    }
}

/// Columns built row by row, then turned into a table in insertion order.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) order: Vec<String>,
    pub(super) strs: BTreeMap<String, Vec<Option<String>>>,
    pub(super) ints: BTreeMap<String, Vec<i64>>,
    pub(super) floats: BTreeMap<String, Vec<Option<f64>>>,
    pub(super) dates: BTreeMap<String, Vec<i32>>,
    pub(super) lists: BTreeMap<String, Vec<Vec<String>>>,
    pub(super) bools: BTreeMap<String, Vec<Option<bool>>>,
}

impl Builder {
    pub(super) fn note(&mut self, name: &str) {
        if !self.order.iter().any(|n| n == name) {
            self.order.push(name.to_string());
        }
    }
    pub(super) fn s(&mut self, name: &str, v: Option<String>) {
        self.note(name);
        self.strs.entry(name.into()).or_default().push(v);
    }
    pub(super) fn i(&mut self, name: &str, v: i64) {
        self.note(name);
        self.ints.entry(name.into()).or_default().push(v);
    }
    pub(super) fn f(&mut self, name: &str, v: Option<f64>) {
        self.note(name);
        self.floats.entry(name.into()).or_default().push(v);
    }
    pub(super) fn d(&mut self, name: &str, v: i32) {
        self.note(name);
        self.dates.entry(name.into()).or_default().push(v);
    }
    pub(super) fn l(&mut self, name: &str, v: Vec<String>) {
        self.note(name);
        self.lists.entry(name.into()).or_default().push(v);
    }
    pub(super) fn b(&mut self, name: &str, v: Option<bool>) {
        self.note(name);
        self.bools.entry(name.into()).or_default().push(v);
    }
    pub(super) fn window(
        &mut self,
        cfg: &AggregateConfig,
        label: &str,
        name: &str,
        w: &WindowSummary,
    ) {
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
    pub(super) fn change(
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
    pub(super) fn finish(mut self, table: &str, height: usize) -> Result<DataFrame> {
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
pub(super) fn overlapping(v: &Visit, all: &[&Visit], cfg: &AggregateConfig) -> Vec<String> {
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

pub(super) fn visit_columns(b: &mut Builder, v: &Visit, all: &[&Visit], cfg: &AggregateConfig) {
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
pub(super) fn visit_table(
    obs: &[Obs],
    visits: &[&Visit],
    cfg: &AggregateConfig,
) -> Result<DataFrame> {
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
pub(super) fn visit_pairs(
    obs: &[Obs],
    visits: &[&Visit],
    cfg: &AggregateConfig,
) -> Result<DataFrame> {
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
