//! [`StateWriter`], the spilling writer of a run's new rows: rows are buffered, spilled to
//! scratch files in arrival order (one row group per month), and finally written as one part per
//! month and table, one month at a time, so memory stays flat however many months a run touches.
//!
//! Example (what `store::commit` does with a run's writer):
//!
//! ```no_run
//! use tonetrack::store::{self, StateWriter};
//! # fn rows() -> (polars::prelude::DataFrame, polars::prelude::DataFrame) { unimplemented!() }
//! let storage = store::open("out")?;
//! let scratch = storage.scratch()?;
//! let mut writer = StateWriter::new(3, scratch.path.clone());
//! let (statements, articles) = rows(); // statement rows and index rows of some articles
//! writer.add(statements, articles)?;
//! // month → (state/statements/month=…/part-000003.parquet, state/articles/…)
//! let parts = writer.finish(storage.as_ref())?;
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use polars::prelude::*;

use super::{
    append_rows, content_bits, digest, err, index_frame, live_rows, month_of, part_key,
    read_part_slices, run_of, str_column, Known, Storage, TableFile, Version, ARTICLES, STATEMENTS,
};
use crate::error::{Error, Result};

/// A run's new rows, one part per month and table. Rows arrive in any order of months (a
/// backfill spans years), so they are first spilled in arrival order to scratch files, each
/// flush one file with one row group per month; `finish` then writes each month's part from
/// the row groups of that month, one month at a time. Writing every month's part at once
/// instead would keep a Parquet writer per month open, each holding the metadata of its
/// many small row groups: memory that grows with the corpus.
pub struct StateWriter {
    pub run: u32,
    dir: std::path::PathBuf,
    pending_statements: Vec<DataFrame>,
    pending_articles: Vec<DataFrame>,
    buffered: usize,
    spills: Vec<Spill>,
    months: BTreeSet<String>,
}

/// One flush: a scratch file per table, and where each month's rows lie in it.
struct Spill {
    statements: Option<(std::path::PathBuf, BTreeMap<String, (usize, usize)>)>,
    articles: Option<(std::path::PathBuf, BTreeMap<String, (usize, usize)>)>,
}

/// Statement and index rows a run holds before spilling them.
pub const BUFFER_ROWS: usize = 32_768;

/// Row positions of `df` by month of its `published` column.
fn rows_by_month(df: &DataFrame) -> Result<BTreeMap<String, Vec<IdxSize>>> {
    let e = err("statements");
    let days = df
        .column("published")
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(&e)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut out: BTreeMap<String, Vec<IdxSize>> = BTreeMap::new();
    let mut last: Option<(i32, String)> = None;
    for (i, d) in days.i32().map_err(&e)?.iter().enumerate() {
        let d = d.unwrap_or(0);
        let month = match &last {
            Some((day, m)) if *day == d => m.clone(),
            _ => {
                let m = month_of(epoch + chrono::Duration::days(d as i64));
                last = Some((d, m.clone()));
                m
            }
        };
        out.entry(month).or_default().push(i as IdxSize);
    }
    Ok(out)
}

impl StateWriter {
    pub fn new(run: u32, dir: std::path::PathBuf) -> Self {
        StateWriter {
            run,
            dir,
            pending_statements: Vec::new(),
            pending_articles: Vec::new(),
            buffered: 0,
            spills: Vec::new(),
            months: BTreeSet::new(),
        }
    }

    /// Months this run has rows for (after a [`StateWriter::flush`]).
    pub fn months(&self) -> impl Iterator<Item = &String> {
        self.months.iter()
    }

    /// Adds statement rows and index rows (both with `published` and `content_hash`).
    pub fn add(&mut self, statements: DataFrame, articles: DataFrame) -> Result<()> {
        self.buffered += statements.height() + articles.height();
        if statements.height() > 0 {
            self.pending_statements.push(statements);
        }
        if articles.height() > 0 {
            self.pending_articles.push(articles);
        }
        if self.buffered >= BUFFER_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Spills every buffered row to a scratch file per table, one row group per month.
    pub fn flush(&mut self) -> Result<()> {
        let n = self.spills.len();
        let mut spill = Spill {
            statements: None,
            articles: None,
        };
        for articles in [false, true] {
            let pending = std::mem::take(if articles {
                &mut self.pending_articles
            } else {
                &mut self.pending_statements
            });
            let mut all = pending.into_iter();
            let Some(mut df) = all.next() else { continue };
            for more in all {
                df.vstack_mut_owned(more).map_err(err("statements"))?;
            }
            df.rechunk_mut();
            let name = if articles { "articles" } else { "statements" };
            let mut file =
                TableFile::scratch(self.dir.join(format!("spill-{name}-{n:06}.parquet")), name);
            let mut at = BTreeMap::new();
            for (month, rows) in rows_by_month(&df)? {
                let piece = df
                    .take(&IdxCa::from_vec("".into(), rows))
                    .map_err(err(name))?;
                at.insert(month.clone(), (file.rows, piece.height()));
                file.write(&piece)?;
                self.months.insert(month);
            }
            let path = file.finish(|| Ok(DataFrame::empty()))?;
            if articles {
                spill.articles = Some((path, at));
            } else {
                spill.statements = Some((path, at));
            }
        }
        self.spills.push(spill);
        self.buffered = 0;
        Ok(())
    }

    /// Moves the older parts' live rows of `month` into this run's part (compaction). The
    /// articles' versions move to this run, so `known` is updated for them.
    pub fn absorb(
        &mut self,
        storage: &dyn Storage,
        statements: &[String],
        articles: &[String],
        known: &mut Known,
    ) -> Result<()> {
        let run = self.run;
        let mut moved: Vec<(u128, u64)> = Vec::new();
        for key in articles {
            let old = run_of(key).unwrap_or(0);
            read_part_slices(storage, key, None, |df| {
                let df = live_rows(&df, old, known)?;
                let ids = str_column(&df, "article_id", key)?;
                let hashes = str_column(&df, "content_hash", key)?;
                moved.extend(ids.iter().zip(hashes.iter()).map(|(i, h)| {
                    (
                        digest(i.unwrap_or_default()),
                        content_bits(h.unwrap_or_default()),
                    )
                }));
                self.add(DataFrame::empty(), df)
            })?;
        }
        for key in statements {
            let old = run_of(key).unwrap_or(0);
            read_part_slices(storage, key, None, |df| {
                let df = live_rows(&df, old, known)?;
                self.add(df, DataFrame::empty())
            })?;
        }
        for (id, content) in moved {
            known.set(id, Version { content, run });
        }
        Ok(())
    }

    /// Writes each month's parts from the spills, stores them, and returns month →
    /// (statements key, articles key). Memory: one month's row groups of about
    /// [`BUFFER_ROWS`] rows at a time.
    pub fn finish(mut self, storage: &dyn Storage) -> Result<BTreeMap<String, (String, String)>> {
        self.flush()?;
        let mut keys = BTreeMap::new();
        for month in &self.months {
            let (s_key, a_key) = (
                part_key(STATEMENTS, month, self.run),
                part_key(ARTICLES, month, self.run),
            );
            for (articles, key) in [(false, &s_key), (true, &a_key)] {
                let name = if articles { "articles" } else { "statements" };
                let mut part =
                    TableFile::new(self.dir.join(format!("{name}-{month}.parquet")), key, None);
                let mut batch: Option<DataFrame> = None;
                for spill in &self.spills {
                    let Some((path, at)) = (if articles {
                        &spill.articles
                    } else {
                        &spill.statements
                    }) else {
                        continue;
                    };
                    let Some((offset, len)) = at.get(month) else {
                        continue;
                    };
                    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                    let df = ParquetReader::new(file)
                        .with_slice(Some((*offset, *len)))
                        .finish()
                        .map_err(err(key))?;
                    append_rows(&mut batch, df, key)?;
                    if batch.as_ref().is_some_and(|b| b.height() >= BUFFER_ROWS) {
                        if let Some(b) = batch.take() {
                            part.write(&b)?;
                        }
                    }
                }
                if let Some(b) = batch.take() {
                    part.write(&b)?;
                }
                // A month whose articles have no statements still gets a (row-less) statements part.
                let path = if articles {
                    part.finish(|| index_frame(std::iter::empty()))?
                } else {
                    part.finish(crate::output::empty_statement_rows)?
                };
                storage.write_file(key, &path)?;
            }
            keys.insert(month.clone(), (s_key, a_key));
        }
        for spill in &self.spills {
            for (path, _) in spill.statements.iter().chain(spill.articles.iter()) {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            }
        }
        Ok(keys)
    }
}
