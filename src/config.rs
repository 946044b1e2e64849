//! The run configuration (`tonetrack.toml`): which knowledge files to use, how JSON Lines fields
//! are named, and the named visits to compare. The config describes the data; CLI flags control
//! only runtime behaviour. Everything is validated before any input is read.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::models::ModelFile;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub models: ModelsConfig,
    #[serde(default)]
    pub input: InputConfig,
    #[serde(default)]
    pub aggregate: AggregateConfig,
    #[serde(default, rename = "visit")]
    pub visits: Vec<Spanned<Visit>>,
    #[serde(default)]
    pub plot: PlotConfig,
    /// Folder of the config file; relative paths inside it are resolved from here.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// Name of the config file for messages (empty when no file was given).
    #[serde(skip)]
    pub file: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    /// A folder holding all knowledge files; default: the copies built into the binary.
    pub dir: Option<PathBuf>,
    /// More actor registries, added to the main one (e.g. a project's own officials).
    #[serde(default)]
    pub extra_actors: Vec<PathBuf>,
    /// More place gazetteers, added to the main one.
    #[serde(default)]
    pub extra_places: Vec<PathBuf>,
    /// The learned scorer's model folder (what scripts/setup-transformer.sh installs in
    /// models/transformer/all-MiniLM-L6-v2), for a binary run away from the repository; below
    /// `--model-dir` and `$TONETRACK_TRANSFORMER_MODEL`.
    pub transformer_model: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    pub jsonl: JsonlFields,
    /// Largest article accepted, in bytes: a `.txt` or `.html` file, or one JSON Lines record.
    /// Bigger ones are rejected (and not read into memory), so one runaway file cannot exhaust
    /// memory or stall the run. Zero is refused when the config is read.
    pub max_article_bytes: std::num::NonZeroU64,
    /// Deepest element nesting accepted in an `.html` page. Deeper pages are rejected before
    /// they are parsed: the HTML parser's work grows with the square of the depth.
    pub max_html_depth: std::num::NonZeroUsize,
    /// Whether inputs are news, transcripts, or decided per document from speaker labels
    /// (`auto`, the default); an article's own JSONL `format` field and `run --format` win.
    pub format: crate::types::DocFormat,
}

/// Default `[input] max_article_bytes`: 10 MiB, far above any news article.
pub const DEFAULT_MAX_ARTICLE_BYTES: std::num::NonZeroU64 =
    std::num::NonZeroU64::new(10 * 1024 * 1024).unwrap();
/// Default `[input] max_html_depth`: the nesting limit of browsers' HTML parsers.
pub const DEFAULT_MAX_HTML_DEPTH: std::num::NonZeroUsize =
    std::num::NonZeroUsize::new(512).unwrap();

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            jsonl: JsonlFields::default(),
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            max_html_depth: DEFAULT_MAX_HTML_DEPTH,
            format: crate::types::DocFormat::Auto,
        }
    }
}

/// Field names of a JSON Lines article; change them to read another feed's layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlFields {
    pub id: String,
    pub published: String,
    pub title: String,
    pub source: String,
    pub url: String,
    pub text: String,
    pub language: String,
    /// `auto`, `article` or `transcript`: overrides `[input] format` for that article.
    pub format: String,
}

impl Default for JsonlFields {
    fn default() -> Self {
        JsonlFields {
            id: "id".into(),
            published: "published".into(),
            title: "title".into(),
            source: "source".into(),
            url: "url".into(),
            text: "text".into(),
            language: "language".into(),
            format: "format".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AggregateConfig {
    /// Length of the windows before and after a visit, in days (both, unless set apart below).
    pub visit_window_days: u32,
    /// Length of the window before a visit, in days; default `visit_window_days`.
    pub visit_before_days: Option<u32>,
    /// Length of the window after a visit, in days; default `visit_window_days`.
    pub visit_after_days: Option<u32>,
    /// Length of the trailing window of the daily rolling mean, in days.
    pub rolling_days: u32,
    /// Resamples of the bootstrap confidence intervals in `visits.parquet`.
    pub bootstrap_resamples: u32,
    /// Seed of the bootstrap: the same seed and data give the same intervals on every run.
    pub bootstrap_seed: u64,
    /// Whether reporters' questions in transcripts (kind `question`) count in the tone tables.
    pub include_questions: bool,
}

impl Default for AggregateConfig {
    fn default() -> Self {
        AggregateConfig {
            visit_window_days: 30,
            visit_before_days: None,
            visit_after_days: None,
            rolling_days: 7,
            bootstrap_resamples: 2000,
            bootstrap_seed: 2025,
            include_questions: false,
        }
    }
}

/// Resolution of the time charts: chosen from the span of the data, or fixed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlotPeriod {
    /// Daily when the data spans a few months or a visit's windows are short, else weekly.
    #[default]
    Auto,
    Day,
    Week,
}

impl PlotPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            PlotPeriod::Auto => "auto",
            PlotPeriod::Day => "day",
            PlotPeriod::Week => "week",
        }
    }
}

impl std::str::FromStr for PlotPeriod {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(PlotPeriod::Auto),
            "day" => Ok(PlotPeriod::Day),
            "week" => Ok(PlotPeriod::Week),
            _ => Err(format!("{s:?} is not a period: give day, week or auto")),
        }
    }
}

/// Most other countries `[plot] other_countries` may ask for beside a visit's sides: more bars
/// than this no longer fit a readable panel.
pub const MAX_OTHER_COUNTRIES: u32 = 12;

/// `[plot]`: what `tonetrack plot` and `tonetrack summary` show. Flags given on the command line
/// win over these.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlotConfig {
    /// Countries to draw, in this order, instead of the visit's sides and the busiest others.
    pub countries: Vec<Spanned<String>>,
    /// `auto`, `day` or `week`.
    pub period: PlotPeriod,
    /// Countries shown per visit beside its host, visitor and participants, by statements;
    /// default [`DEFAULT_OTHER_COUNTRIES`].
    pub other_countries: Option<Spanned<u32>>,
}

/// Default `[plot] other_countries`: "a handful", so a visit's panel keeps room for its labels.
pub const DEFAULT_OTHER_COUNTRIES: u32 = 4;

impl Default for PlotConfig {
    fn default() -> Self {
        PlotConfig {
            countries: vec![],
            period: PlotPeriod::Auto,
            other_countries: None,
        }
    }
}

impl PlotConfig {
    pub fn countries(&self) -> Vec<String> {
        self.countries.iter().map(|c| c.get_ref().clone()).collect()
    }
    pub fn other_countries(&self) -> u32 {
        self.other_countries
            .as_ref()
            .map(|n| *n.get_ref())
            .unwrap_or(DEFAULT_OTHER_COUNTRIES)
    }
}

/// A named date window whose tone analysts compare with the weeks around it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    pub name: String,
    #[serde(deserialize_with = "crate::models::toml_date::required")]
    pub start: NaiveDate,
    #[serde(deserialize_with = "crate::models::toml_date::required")]
    pub end: NaiveDate,
    /// ISO 3166-1 alpha-3 of the host country.
    pub host: String,
    /// ISO 3166-1 alpha-3 of the visiting country.
    pub visitor: String,
    #[serde(default)]
    pub participants: Vec<String>,
    /// This visit's "before" window in days, if not the `[aggregate]` default.
    pub before_days: Option<u32>,
    /// This visit's "after" window in days, if not the `[aggregate]` default.
    pub after_days: Option<u32>,
}

impl Visit {
    pub fn before_days(&self, cfg: &AggregateConfig) -> u32 {
        self.before_days
            .or(cfg.visit_before_days)
            .unwrap_or(cfg.visit_window_days)
    }
    pub fn after_days(&self, cfg: &AggregateConfig) -> u32 {
        self.after_days
            .or(cfg.visit_after_days)
            .unwrap_or(cfg.visit_window_days)
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let file = ModelFile::read(path)?;
        let mut config: Config = toml::from_str(&file.text).map_err(|e| Error::Config {
            file: file.name.clone(),
            line: e.span().map(|s| file.line_of(s.start)).unwrap_or(0),
            message: e.message().to_string(),
        })?;
        config.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        config.file = file.name.clone();
        config.validate(&file)?;
        Ok(config)
    }

    fn validate(&self, file: &ModelFile) -> Result<()> {
        let err = |at: usize, message: String| Error::Config {
            file: file.name.clone(),
            line: file.line_of(at),
            message,
        };
        if self.aggregate.rolling_days == 0 {
            return Err(err(0, "aggregate.rolling_days must be at least 1".into()));
        }
        if self.aggregate.bootstrap_resamples < 100 {
            return Err(err(
                0,
                "aggregate.bootstrap_resamples must be at least 100 for a usable 95% interval"
                    .into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for v in &self.visits {
            let at = v.span().start;
            let visit = v.get_ref();
            if visit.name.trim().is_empty() {
                return Err(err(at, "visit name must not be empty".into()));
            }
            if !names.insert(visit.name.clone()) {
                return Err(err(
                    at,
                    format!("visit name {:?} is used twice", visit.name),
                ));
            }
            if visit.end < visit.start {
                return Err(err(
                    at,
                    format!(
                        "visit {:?} ends ({}) before it starts ({})",
                        visit.name, visit.end, visit.start
                    ),
                ));
            }
            for code in [&visit.host, &visit.visitor] {
                if !is_country_code(code) {
                    return Err(err(
                        at,
                        format!(
                            "visit {:?}: {code:?} is not an ISO 3166-1 alpha-3 code",
                            visit.name
                        ),
                    ));
                }
            }
        }
        for c in &self.plot.countries {
            if !is_country_code(c.get_ref()) {
                return Err(err(
                    c.span().start,
                    format!(
                        "plot.countries: {:?} is not an ISO 3166-1 alpha-3 code",
                        c.get_ref()
                    ),
                ));
            }
        }
        if let Some(n) = &self.plot.other_countries {
            if *n.get_ref() > MAX_OTHER_COUNTRIES {
                return Err(err(
                    n.span().start,
                    format!(
                        "plot.other_countries is {}: at most {MAX_OTHER_COUNTRIES} fit a visit's panel",
                        n.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Resolves a path written in the config relative to the config's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    pub fn visits(&self) -> impl Iterator<Item = &Visit> {
        self.visits.iter().map(|v| v.get_ref())
    }
}

pub fn is_country_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("tonetrack.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn visit_ending_before_start_is_rejected_with_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "[aggregate]\nvisit_window_days = 10\n\n[[visit]]\nname = \"x\"\nstart = 2024-05-02\nend = 2024-05-01\nhost = \"CHN\"\nvisitor = \"USA\"\n",
        );
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains(":4:") || e.contains(":5:"), "{e}");
        assert!(e.contains("ends"), "{e}");
    }

    #[test]
    fn unknown_key_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "[aggregate]\nwindow = 3\n");
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains(":2:") && e.contains("unknown field"), "{e}");
    }

    #[test]
    fn input_limits_have_defaults_and_refuse_zero() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(&write(dir.path(), "[input]\nmax_article_bytes = 2048\n")).unwrap();
        assert_eq!(
            (
                c.input.max_article_bytes.get(),
                c.input.max_html_depth.get()
            ),
            (2048, 512)
        );
        assert_eq!(
            Config::default().input.max_article_bytes.get(),
            10 * 1024 * 1024
        );
        let e = Config::load(&write(dir.path(), "[input]\n\nmax_html_depth = 0\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3:") && e.contains("nonzero"), "{e}");
    }

    #[test]
    fn the_plot_table_is_read_and_its_bad_values_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(&write(
            dir.path(),
            "[plot]\ncountries = [\"USA\", \"ISR\"]\nperiod = \"day\"\nother_countries = 2\n",
        ))
        .unwrap();
        assert_eq!(c.plot.countries(), ["USA", "ISR"]);
        assert_eq!(
            (c.plot.period, c.plot.other_countries()),
            (PlotPeriod::Day, 2)
        );
        assert_eq!(Config::default().plot.period, PlotPeriod::Auto);
        for (text, line, what) in [
            ("[plot]\n\ncolour = 1\n", ":3:", "unknown field"),
            ("[plot]\nperiod = \"month\"\n", ":2:", "unknown variant"),
            (
                "[plot]\n\ncountries = [\"USA\", \"usa\"]\n",
                ":3:",
                "not an ISO",
            ),
            (
                "[plot]\nperiod = \"day\"\nother_countries = 40\n",
                ":3:",
                "at most 12",
            ),
        ] {
            let e = Config::load(&write(dir.path(), text))
                .unwrap_err()
                .to_string();
            assert!(e.contains(line) && e.contains(what), "{text}: {e}");
        }
        assert!("week".parse::<PlotPeriod>() == Ok(PlotPeriod::Week));
        assert!("month".parse::<PlotPeriod>().is_err());
    }

    #[test]
    fn relative_model_paths_resolve_from_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "[models]\nextra_actors = [\"a.toml\"]\n");
        let c = Config::load(&p).unwrap();
        assert_eq!(
            c.resolve(&c.models.extra_actors[0]),
            dir.path().join("a.toml")
        );
    }
}
