//! Dyadic tone: the speaker's country → the target country ([`crate::target`]). The dyad
//! series (`tone_by_dyad_day`, `tone_by_dyad_week`) are the country series split by target,
//! built by the same code; here are their key columns and the visit tables' directed columns.
//!
//! ```text
//!  tone_by_dyad_day:  country  target  date        n  mean_tone …
//!                     CHN      USA     2023-06-19  4  0.41
//!  visit_pairs:       host_to_visitor_mean_tone_during      what CHN said toward USA
//!                     visitor_to_host_mean_tone_during      what USA said toward CHN
//!  visits (host and visitor rows): to_counterpart_mean_tone_during …
//! ```
//!
//! A statement counts toward its main target only (`target`), so a dyad's statements are a
//! subset of its country's and no statement counts twice in one table.

use polars::prelude::Column;

use super::{mean_interval, Around, Builder, Visit, WindowSummary};
use crate::config::AggregateConfig;

/// The `key` of the dyad series in [`super::render_series`].
pub(super) const DYAD: &str = "dyad";

/// Separates the two countries in a dyad key: sorts below every letter, so dyads sort by
/// country, then target.
const SEP: char = '\u{0}';

/// The series key of a dyad.
pub(super) fn key(country: &str, target: &str) -> String {
    format!("{country}{SEP}{target}")
}

/// The `country` and `target` columns of dyad keys.
pub(super) fn key_columns(keys: Vec<String>) -> Vec<Column> {
    let (country, target): (Vec<String>, Vec<String>) = keys
        .into_iter()
        .map(|k| match k.split_once(SEP) {
            Some((c, t)) => (c.to_string(), t.to_string()),
            None => (k, String::new()),
        })
        .unzip();
    vec![
        Column::new("country".into(), country),
        Column::new("target".into(), target),
    ]
}

/// The other side of a visit for a row of `side` ("host" or "visitor"), None for others.
pub(super) fn counterpart<'v>(side: &str, v: &'v Visit) -> Option<&'v str> {
    match side {
        "host" => Some(&v.visitor),
        "visitor" => Some(&v.host),
        _ => None,
    }
}

const WINDOWS: [&str; 3] = ["before", "during", "after"];

fn windows(a: &Around) -> [&WindowSummary; 3] {
    [&a.before, &a.during, &a.after]
}

/// `{prefix}n_{window}`, `{prefix}mean_tone_{window}` and its bootstrap interval
/// (`_ci_low`, `_ci_high`) for the three windows of `a` (empty windows when None).
fn directed(b: &mut Builder, cfg: &AggregateConfig, label: &str, prefix: &str, a: Option<&Around>) {
    let empty = Around::default();
    let a = a.unwrap_or(&empty);
    for (name, w) in WINDOWS.into_iter().zip(windows(a)) {
        b.i(&format!("{prefix}n_{name}"), w.n() as i64);
        b.f(&format!("{prefix}mean_tone_{name}"), w.mean());
        let (lo, hi) = mean_interval(cfg, &format!("{label}\u{0}{prefix}{name}"), w);
        b.f(&format!("{prefix}mean_tone_{name}_ci_low"), lo);
        b.f(&format!("{prefix}mean_tone_{name}_ci_high"), hi);
    }
}

/// `visits.parquet`: a row's tone toward the visit's other side, per window (n = 0 and null
/// means on rows that are neither host nor visitor).
pub(super) fn counterpart_columns(
    b: &mut Builder,
    cfg: &AggregateConfig,
    label: &str,
    counterpart: Option<&str>,
    g: &Around,
) {
    let toward = counterpart.and_then(|c| g.toward.get(c));
    directed(b, cfg, label, "to_counterpart_", toward);
}

/// `visit_pairs.parquet`: `host_to_visitor_*` and `visitor_to_host_*` per window.
pub(super) fn directed_columns(
    b: &mut Builder,
    cfg: &AggregateConfig,
    v: &Visit,
    host: &Around,
    visitor: &Around,
) {
    let label = format!("{}\u{0}dyad", v.name);
    directed(
        b,
        cfg,
        &label,
        "host_to_visitor_",
        host.toward.get(&v.visitor),
    );
    directed(
        b,
        cfg,
        &label,
        "visitor_to_host_",
        visitor.toward.get(&v.host),
    );
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::key;

    fn obs(day: &str, country: &str, target: Option<&str>, tone: f64) -> Obs {
        let d = days_since_epoch(NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap());
        Obs {
            day: d,
            country: Some(country.into()),
            speaker: Some(format!("{country} official")),
            target: target.map(str::to_string),
            tone,
            conciliatory: tone > 0.2,
            firm: tone < -0.2,
            sentiment: 0.0,
        }
    }

    fn blinken_in_beijing() -> Visit {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Visit {
            name: "Blinken in Beijing".into(),
            start: d("2023-06-18"),
            end: d("2023-06-19"),
            host: "CHN".into(),
            visitor: "USA".into(),
            participants: vec![],
            before_days: None,
            after_days: None,
        }
    }

    fn f(df: &DataFrame, col: &str) -> Option<f64> {
        df.column(col).unwrap().f64().unwrap().get(0)
    }

    fn n(df: &DataFrame, col: &str) -> Option<i64> {
        df.column(col).unwrap().i64().unwrap().get(0)
    }

    #[test]
    fn visit_pairs_split_each_sides_tone_by_whom_it_was_about() {
        let v = blinken_in_beijing();
        let data = vec![
            obs("2023-06-18", "CHN", Some("USA"), 0.6),
            obs("2023-06-19", "CHN", Some("USA"), 0.4),
            // About Japan: counts for China's all-targets mean, not toward the visitor.
            obs("2023-06-19", "CHN", Some("JPN"), -0.9),
            obs("2023-06-18", "USA", Some("CHN"), 0.2),
            obs("2023-06-12", "USA", Some("CHN"), -0.5),
        ];
        let df = visit_pairs(&data, &[&v], &AggregateConfig::default()).unwrap();
        assert_eq!(n(&df, "host_n_during"), Some(3));
        assert_eq!(n(&df, "host_to_visitor_n_during"), Some(2));
        let toward = f(&df, "host_to_visitor_mean_tone_during").unwrap();
        assert!((toward - 0.5).abs() < 1e-9, "{toward}");
        let (lo, hi) = (
            f(&df, "host_to_visitor_mean_tone_during_ci_low").unwrap(),
            f(&df, "host_to_visitor_mean_tone_during_ci_high").unwrap(),
        );
        assert!(lo <= toward && toward <= hi);
        assert_eq!(n(&df, "visitor_to_host_n_before"), Some(1));
        assert_eq!(f(&df, "visitor_to_host_mean_tone_before"), Some(-0.5));
        // One statement says nothing about spread.
        assert_eq!(f(&df, "visitor_to_host_mean_tone_before_ci_low"), None);
        assert_eq!(n(&df, "host_to_visitor_n_after"), Some(0));
        assert_eq!(f(&df, "host_to_visitor_mean_tone_after"), None);
    }

    #[test]
    fn visit_rows_of_host_and_visitor_carry_tone_toward_the_counterpart() {
        let v = blinken_in_beijing();
        let data = vec![
            obs("2023-06-18", "CHN", Some("USA"), 0.6),
            obs("2023-06-18", "CHN", Some("TWN"), -0.8),
            obs("2023-06-18", "JPN", Some("CHN"), 0.1),
        ];
        let df = visit_table(&data, &[&v], &AggregateConfig::default()).unwrap();
        let rows = df
            .filter(&df.column("level").unwrap().str().unwrap().equal("country"))
            .unwrap();
        let of = |c: &str| {
            rows.filter(&rows.column("country").unwrap().str().unwrap().equal(c))
                .unwrap()
        };
        assert_eq!(n(&of("CHN"), "n_during"), Some(2));
        assert_eq!(n(&of("CHN"), "to_counterpart_n_during"), Some(1));
        assert_eq!(f(&of("CHN"), "to_counterpart_mean_tone_during"), Some(0.6));
        // Japan is neither side: it has no counterpart.
        assert_eq!(n(&of("JPN"), "to_counterpart_n_during"), Some(0));
    }

    #[test]
    fn dyad_series_share_the_country_calendar_and_split_by_target() {
        let st = DataFrame::new(
            3,
            vec![
                date_column("published", vec![19000, 19002, 19001]).unwrap(),
                Column::new(
                    "country".into(),
                    vec![Some("CHN"), Some("CHN"), Some("USA")],
                ),
                Column::new("speaker".into(), vec![Some("a"), Some("a"), Some("b")]),
                Column::new("target".into(), vec![Some("USA"), Some("JPN"), None]),
                Column::new("tone".into(), vec![0.5, -0.5, 0.1]),
                Column::new("tone_label".into(), vec!["conciliatory", "firm", "neutral"]),
                Column::new("sentiment".into(), vec![0.0, 0.0, 0.0]),
            ],
        )
        .unwrap();
        let config = Config::default();
        let tables: BTreeMap<String, DataFrame> =
            tables(&st, &config).unwrap().into_iter().collect();
        let day = &tables["tone_by_dyad_day.parquet"];
        // Two dyads (the USA statement has no target), each over the corpus's three days.
        assert_eq!(day.height(), 6);
        let pairs: Vec<(String, String)> = (0..day.height())
            .map(|i| {
                let s = |c: &str| {
                    day.column(c)
                        .unwrap()
                        .str()
                        .unwrap()
                        .get(i)
                        .unwrap()
                        .to_string()
                };
                (s("country"), s("target"))
            })
            .collect();
        assert_eq!(pairs[0], ("CHN".into(), "JPN".into()));
        assert_eq!(pairs[3], ("CHN".into(), "USA".into()));
        let n: Vec<i64> = day
            .column("n")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(n, vec![0, 0, 1, 1, 0, 0]);
        assert_eq!(key("CHN", "USA").len(), 7);
        let week = &tables["tone_by_dyad_week.parquet"];
        assert!(week.column("iso_week").is_ok() && week.column("target").is_ok());
    }
}
