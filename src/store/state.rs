//! What an output's state holds and how it is read: `state/meta.json` ([`StateMeta`]: what the
//! statements were computed with), `state/commit.json` ([`Commit`]: the parts that count), the
//! index of articles ([`IndexRow`], loaded into [`Known`]), and the live rows of the parts — a
//! row counts only while the index holds its article with that content under that part's run.
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::store::{self, State};
//! let storage = store::open("out")?;
//! let state = State::load(storage.as_ref())?;
//! println!("{} articles after {} runs; run id {}", state.known.len(), state.commit.runs,
//!     state.fingerprint(storage.as_ref())?);
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
    content_bits, digest, err, read_parquet_bytes, str_column, u32_column, Known, Storage, Version,
    COMMIT, META, REJECTS,
};
use crate::error::{Error, Result};
use crate::output::{date_column, days_since_epoch};
use crate::tone::Precision;
use crate::types::Reject;

/// What a state was built with. A run with different knowledge files, version or scorer would
/// mix two methods in one time series, so it must say `--rebuild`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMeta {
    pub format: u32,
    pub tonetrack_version: String,
    pub scorer: String,
    pub scorer_version: String,
    pub models_sha256: BTreeMap<String, String>,
}

/// 2: append-only parts listed by `commit.json` (1 rewrote one file per month and the index).
/// 3: statement rows carry `tone_lexicon`.
pub const STATE_FORMAT: u32 = 3;

impl StateMeta {
    /// Why `self` (the state on disk) and `now` (this run) cannot share a state, if they cannot.
    pub fn incompatibility(&self, now: &StateMeta) -> Option<String> {
        if self.format != now.format {
            return Some(format!(
                "state format {} (this tonetrack writes {})",
                self.format, now.format
            ));
        }
        if self.tonetrack_version != now.tonetrack_version {
            return Some(format!(
                "tonetrack {} (this is {})",
                self.tonetrack_version, now.tonetrack_version
            ));
        }
        if (&self.scorer, &self.scorer_version) != (&now.scorer, &now.scorer_version) {
            let (was, rest_was) = Precision::split_version(&self.scorer_version);
            let (is, rest_is) = Precision::split_version(&now.scorer_version);
            // Only the precision differs: say how to keep the folder's.
            let hint = match was != is && self.scorer == now.scorer && rest_was == rest_is {
                true => format!(
                    "; the folder was scored in {}: drop --precision (auto keeps it) or give --precision {}",
                    was.as_str(),
                    was.as_str()
                ),
                false => String::new(),
            };
            return Some(format!(
                "scorer {} {} (this run uses {} {}{hint})",
                self.scorer, self.scorer_version, now.scorer, now.scorer_version
            ));
        }
        let names: BTreeSet<&String> = self
            .models_sha256
            .keys()
            .chain(now.models_sha256.keys())
            .collect();
        let changed: Vec<&str> = names
            .into_iter()
            .filter(|n| self.models_sha256.get(*n) != now.models_sha256.get(*n))
            .map(|n| n.as_str())
            .collect();
        if !changed.is_empty() {
            return Some(format!(
                "other knowledge files (changed: {})",
                changed.join(", ")
            ));
        }
        None
    }
}

/// One article the state knows: the index row and the `articles.parquet` row.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub article_id: String,
    pub content_hash: String,
    pub published: NaiveDate,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub input: String,
    pub line: Option<u64>,
    pub chars: u64,
    pub statements: u32,
    pub duplicates_seen: u32,
}

/// The commit point: which parts count, by table and month. Keys sort by the run that wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Runs committed so far; the next run writes parts named `part-{runs + 1}`.
    pub runs: u32,
    pub statements: BTreeMap<String, Vec<String>>,
    pub articles: BTreeMap<String, Vec<String>>,
    pub duplicates: Vec<String>,
}

impl Commit {
    pub(super) fn keys(&self) -> BTreeSet<&str> {
        self.statements
            .values()
            .chain(self.articles.values())
            .flatten()
            .chain(&self.duplicates)
            .map(String::as_str)
            .collect()
    }
}

/// The state as read at the start of a run.
#[derive(Debug, Default)]
pub struct State {
    pub meta: Option<StateMeta>,
    pub commit: Commit,
    pub rejects: Vec<Reject>,
    pub known: Known,
}

/// `month=2025-02`: the partition of a publication date.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The part of `table` (STATEMENTS or ARTICLES) that `run` writes for `month`.
pub fn part_key(table: &str, month: &str, run: u32) -> String {
    format!("{table}/month={month}/part-{run:06}.parquet")
}

/// The run that wrote a part, from its name.
pub fn run_of(key: &str) -> Option<u32> {
    key.rsplit('/')
        .next()?
        .strip_prefix("part-")?
        .strip_suffix(".parquet")?
        .parse()
        .ok()
}

/// Rows read from a part at a time: parts of big runs are read in slices, not whole.
pub const SLICE_ROWS: usize = 16_384;

/// Calls `each` with the rows of part `key` in slices of at most [`SLICE_ROWS`] (only
/// `columns`, when given).
pub fn read_part_slices(
    storage: &dyn Storage,
    key: &str,
    columns: Option<&[&str]>,
    mut each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    let Some(bytes) = storage.read(key)? else {
        return Err(Error::State {
            location: format!("{}/{key}", storage.describe()),
            message: "a part listed in state/commit.json is missing; run again with --rebuild"
                .into(),
        });
    };
    let e = err(key);
    let rows = ParquetReader::new(Cursor::new(bytes.as_slice()))
        .num_rows()
        .map_err(&e)?;
    let mut offset = 0;
    while offset < rows {
        let df = ParquetReader::new(Cursor::new(bytes.as_slice()))
            .with_columns(columns.map(|c| c.iter().map(|s| s.to_string()).collect()))
            .with_slice(Some((offset, SLICE_ROWS)))
            .finish()
            .map_err(&e)?;
        offset += SLICE_ROWS;
        each(df)?;
    }
    Ok(())
}

/// The rows of `df` (from a part of `run`) that count: their article's live version.
pub fn live_rows(df: &DataFrame, run: u32, known: &Known) -> Result<DataFrame> {
    filter_rows(df, |id, hash| known.is_live(id, hash, run))
}

/// Calls `each` with the live rows of every part of `table` for `month`, part by part, slice by slice.
pub fn read_live(
    storage: &dyn Storage,
    keys: &[String],
    known: &Known,
    columns: Option<&[&str]>,
    mut each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    for key in keys {
        let run = run_of(key).unwrap_or(0);
        read_part_slices(storage, key, columns, |df| {
            each(live_rows(&df, run, known)?)
        })?;
    }
    Ok(())
}

impl State {
    /// What the state in `storage` was built with, without reading its rows (`None`: no state).
    /// `run --precision auto` asks this before loading the scorer.
    pub fn read_meta(storage: &dyn Storage) -> Result<Option<StateMeta>> {
        let Some(bytes) = storage.read(META)? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Config {
                file: format!("{}/{META}", storage.describe()),
                line: e.line(),
                message: format!(
                    "unreadable state metadata ({e}); move the folder away or run with --rebuild"
                ),
            })
    }

    pub fn load(storage: &dyn Storage) -> Result<State> {
        let mut state = State::default();
        if let Some(meta) = State::read_meta(storage)? {
            // An older layout is reported by `incompatibility`, not read.
            let older = meta.format != STATE_FORMAT;
            state.meta = Some(meta);
            if older {
                return Ok(state);
            }
        }
        if let Some(bytes) = storage.read(COMMIT)? {
            state.commit = serde_json::from_slice(&bytes).map_err(|e| Error::Config {
                file: format!("{}/{COMMIT}", storage.describe()),
                line: e.line(),
                message: format!(
                    "unreadable state commit ({e}); move the folder away or run with --rebuild"
                ),
            })?;
        }
        if let Some(bytes) = storage.read(REJECTS)? {
            let df = read_parquet_bytes(bytes, REJECTS)?;
            state.rejects = reject_rows(&df).map_err(err(REJECTS))?;
        }
        // Newest run last, so the latest version of an article wins.
        let mut parts: Vec<(u32, &String)> = state
            .commit
            .articles
            .values()
            .flatten()
            .map(|k| (run_of(k).unwrap_or(0), k))
            .collect();
        parts.sort();
        let mut known = Known::default();
        for (run, key) in parts {
            read_part_slices(storage, key, Some(&["article_id", "content_hash"]), |df| {
                let ids = str_column(&df, "article_id", key)?;
                let hashes = str_column(&df, "content_hash", key)?;
                for (id, hash) in ids.iter().zip(hashes.iter()) {
                    known.set(
                        digest(id.unwrap_or_default()),
                        Version {
                            content: content_bits(hash.unwrap_or_default()),
                            run,
                        },
                    );
                }
                Ok(())
            })?;
        }
        state.known = known;
        Ok(state)
    }

    /// A hash of everything the published tables are derived from; equal hashes mean equal
    /// tables. It depends on the live rows, not on how they are spread over parts, so a state
    /// built in one run and the same state built in three hash the same.
    ///
    /// The statement rows count through the [`State::audit`]: an intact state's rows are what
    /// its index rows (hashed here, with each article's content hash and statement count) and
    /// its knowledge files (`meta.json`) make them, so its id is the index's alone, as before;
    /// a damaged state's id adds every damaged article's rows found, so it never equals the
    /// id of the intact state (or of another damage).
    pub fn fingerprint(&self, storage: &dyn Storage) -> Result<String> {
        let mut sum: u128 = 0;
        let mut count: u64 = 0;
        for (month, keys) in &self.commit.articles {
            read_live(storage, keys, &self.known, None, |df| {
                let df = df.drop("duplicates_seen").map_err(err("articles"))?;
                for row in index_rows(&df, false).map_err(err(month))? {
                    sum = sum.wrapping_add(digest(&format!("{row:?}")));
                    count += 1;
                }
                Ok(())
            })?;
        }
        let duplicates = self.duplicates(storage)?;
        let mut dups: Vec<(&u64, &u32)> = duplicates.iter().collect();
        dups.sort();
        let mut all = format!("{sum:032x}\u{0}{count}\u{0}{dups:?}\u{0}");
        let audit = self.audit(storage)?;
        if !audit.damaged.is_empty() {
            all.push_str("damaged\u{0}");
            for d in &audit.damaged {
                all.push_str(&format!(
                    "{}\u{0}{}\u{0}{}\u{0}{}\u{0}",
                    d.article_id, d.month, d.found, d.index_rows
                ));
            }
        }
        for key in [META, REJECTS] {
            all.push_str(key);
            all.push('\u{0}');
            if let Some(b) = storage.read(key)? {
                all.push_str(&crate::models::sha256_hex(&b));
            }
            all.push('\u{0}');
        }
        Ok(crate::models::sha256_hex(all.as_bytes())[..16].to_string())
    }

    /// Copies seen of each live article version (by content), from the duplicates parts.
    pub fn duplicates(&self, storage: &dyn Storage) -> Result<rustc_hash::FxHashMap<u64, u32>> {
        let live = self.known.contents();
        let mut out = rustc_hash::FxHashMap::default();
        for key in &self.commit.duplicates {
            read_part_slices(storage, key, None, |df| {
                let hashes = str_column(&df, "content_hash", key)?;
                let copies = u32_column(&df, "copies", key)?;
                for (h, c) in hashes.iter().zip(copies.iter()) {
                    let bits = content_bits(h.unwrap_or_default());
                    if live.binary_search(&bits).is_ok() {
                        *out.entry(bits).or_default() += c.unwrap_or(0);
                    }
                }
                Ok(())
            })?;
        }
        Ok(out)
    }
}

/// Index rows of an `articles` frame (`duplicates_seen` 0 when `with_duplicates` is false).
pub fn index_rows(df: &DataFrame, with_duplicates: bool) -> PolarsResult<Vec<IndexRow>> {
    let s = |name: &str| -> PolarsResult<StringChunked> { Ok(df.column(name)?.str()?.clone()) };
    let (id, hash, title, source, url, language, input) = (
        s("article_id")?,
        s("content_hash")?,
        s("title")?,
        s("source")?,
        s("url")?,
        s("language")?,
        s("input")?,
    );
    let published = df.column("published")?.cast(&DataType::Int32)?;
    let published = published.i32()?;
    let line = df.column("line")?.u64()?.clone();
    let chars = df.column("chars")?.u64()?.clone();
    let statements = df.column("statements")?.u32()?.clone();
    let dups = if with_duplicates {
        Some(df.column("duplicates_seen")?.u32()?.clone())
    } else {
        None
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let owned = |c: &StringChunked, i: usize| c.get(i).map(str::to_string);
    Ok((0..df.height())
        .map(|i| IndexRow {
            article_id: owned(&id, i).unwrap_or_default(),
            content_hash: owned(&hash, i).unwrap_or_default(),
            published: epoch + chrono::Duration::days(published.get(i).unwrap_or(0) as i64),
            title: owned(&title, i),
            source: owned(&source, i),
            url: owned(&url, i),
            language: owned(&language, i),
            input: owned(&input, i).unwrap_or_default(),
            line: line.get(i),
            chars: chars.get(i).unwrap_or(0),
            statements: statements.get(i).unwrap_or(0),
            duplicates_seen: dups.as_ref().and_then(|d| d.get(i)).unwrap_or(0),
        })
        .collect())
}

/// `articles.parquet` (and the index parts): rows in the given order.
pub fn index_frame<'a>(rows: impl IntoIterator<Item = &'a IndexRow>) -> Result<DataFrame> {
    let rows: Vec<&IndexRow> = rows.into_iter().collect();
    let n = rows.len();
    let col = |name: &str, f: &dyn Fn(&IndexRow) -> Option<String>| {
        Column::new(name.into(), rows.iter().map(|r| f(r)).collect::<Vec<_>>())
    };
    let columns = vec![
        Column::new(
            "article_id".into(),
            rows.iter()
                .map(|r| r.article_id.clone())
                .collect::<Vec<_>>(),
        ),
        date_column(
            "published",
            rows.iter().map(|r| days_since_epoch(r.published)).collect(),
        )?,
        col("title", &|r| r.title.clone()),
        col("source", &|r| r.source.clone()),
        col("url", &|r| r.url.clone()),
        col("language", &|r| r.language.clone()),
        Column::new(
            "input".into(),
            rows.iter().map(|r| r.input.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "line".into(),
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        ),
        Column::new(
            "chars".into(),
            rows.iter().map(|r| r.chars).collect::<Vec<_>>(),
        ),
        Column::new(
            "content_hash".into(),
            rows.iter()
                .map(|r| r.content_hash.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "statements".into(),
            rows.iter().map(|r| r.statements).collect::<Vec<_>>(),
        ),
        Column::new(
            "duplicates_seen".into(),
            rows.iter().map(|r| r.duplicates_seen).collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new(n, columns).map_err(err("articles"))
}

fn reject_rows(df: &DataFrame) -> PolarsResult<Vec<Reject>> {
    let input = df.column("input")?.str()?.clone();
    let line = df.column("line")?.u64()?.clone();
    let id = df.column("article_id")?.str()?.clone();
    let reason = df.column("reason")?.str()?.clone();
    Ok((0..df.height())
        .map(|i| Reject {
            input: input.get(i).unwrap_or_default().to_string(),
            line: line.get(i),
            article_id: id.get(i).map(str::to_string),
            reason: reason.get(i).unwrap_or_default().to_string(),
        })
        .collect())
}

/// Rejects in their canonical order (input, line, article, reason), without repeats.
pub fn canonical_rejects(mut rejects: Vec<Reject>) -> Vec<Reject> {
    rejects.sort_by(|a, b| {
        (&a.input, a.line, &a.article_id, &a.reason).cmp(&(
            &b.input,
            b.line,
            &b.article_id,
            &b.reason,
        ))
    });
    rejects.dedup();
    rejects
}

/// Keeps the rows for which `keep(article_id, content_hash)` holds.
pub fn filter_rows(df: &DataFrame, keep: impl Fn(&str, &str) -> bool) -> Result<DataFrame> {
    let e = err("statements");
    let ids = str_column(&df, "article_id", "statements")?;
    let hashes = str_column(&df, "content_hash", "statements")?;
    let mask: BooleanChunked = ids
        .iter()
        .zip(hashes.iter())
        .map(|(i, h)| Some(keep(i.unwrap_or_default(), h.unwrap_or_default())))
        .collect();
    df.filter(&mask).map_err(&e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_scored_in_another_precision_says_how_to_keep_it() {
        let meta = |version: &str| StateMeta {
            format: STATE_FORMAT,
            tonetrack_version: "0.1.0".into(),
            scorer: "ensemble".into(),
            scorer_version: version.into(),
            models_sha256: BTreeMap::new(),
        };
        let f32 = meta("head-2.0.0+m@1+batch8+lexicon-1.1.0");
        let bf16 = meta("head-2.0.0+m@1+batch8+bf16+lexicon-1.1.0");
        let why = f32.incompatibility(&bf16).unwrap();
        assert!(why.contains("the folder was scored in f32"), "{why}");
        assert!(why.contains("--precision f32"), "{why}");
        // Another difference as well: no precision hint, it would not be enough.
        let other = meta("head-2.0.1+m@1+batch8+bf16+lexicon-1.1.0");
        let why = f32.incompatibility(&other).unwrap();
        assert!(!why.contains("drop --precision"), "{why}");
    }

    #[test]
    fn state_meta_names_the_changed_knowledge_file() {
        let meta = |sha: &str| StateMeta {
            format: STATE_FORMAT,
            tonetrack_version: "0.1.0".into(),
            scorer: "lexicon".into(),
            scorer_version: "1.0.0".into(),
            models_sha256: [("tone-lexicon.toml".to_string(), sha.to_string())]
                .into_iter()
                .collect(),
        };
        assert_eq!(meta("a").incompatibility(&meta("a")), None);
        assert!(meta("a")
            .incompatibility(&meta("b"))
            .unwrap()
            .contains("tone-lexicon.toml"));
    }
}
