//! The external distribution sort of `statements.parquet`: live rows are counted per (country,
//! speaker, month) cell, which sort in publication order; a range of cells whose rows fit in a
//! bucket is sorted in memory, a larger one is scattered into up to 16 scratch files of
//! consecutive cell ranges, each sorted the same way. Memory holds one slice, then one bucket.
//!
//! ```text
//! cells (plan):  [KI/Marrow/2025-02: 40] [KI/Marrow/2025-03: 12] [OS/Vesna/2025-01: 90] …
//! level 0:       rows of cells 0..900 → 16 files of ~equal rows (cells 0..57, 57..120, …)
//! level 1:       each file ≤ a bucket → sorted in memory → appended to statements.parquet
//! ```
//!
//! Example (what `publish` does):
//!
//! ```text
//! let plan = plan_statements(storage, state)?;
//! sort_range(storage, &SortSource::State(state), &plan, BUCKET_ROWS, 0..plan.rows.len(),
//!            scratch, &mut sorted_out, &mut aggregator, &mut written)?;
//! ```

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::aggregate;
use crate::error::{Error, Result};
use crate::output::publication_order;
use crate::store::{self, State, Storage, TableFile};

/// Statement rows sorted at a time when publishing: the unit of memory of the external sort.
pub(super) const BUCKET_ROWS: u64 = 24_576;

/// A sort key part that puts nulls last, as [`publication_order`] does.
fn nulls_last(s: Option<&str>) -> (bool, String) {
    (s.is_none(), s.unwrap_or_default().to_string())
}

/// Where a (country, speaker) pair of one month goes in the bucket map.
fn cell_key(buf: &mut String, country: Option<&str>, speaker: Option<&str>) {
    buf.clear();
    for part in [country, speaker] {
        match part {
            Some(p) => {
                buf.push('s');
                buf.push_str(p);
            }
            None => buf.push('n'),
        }
        buf.push('\u{0}');
    }
}

/// The cells of `statements.parquet`'s external sort: live rows counted per (country,
/// speaker, month), which sort in publication order (months sort as dates, and dates come
/// after country and speaker). A row's cell is its ordinal in that order.
pub(super) struct SortPlan {
    /// Month → cell key (see [`cell_key`]) → ordinal.
    ordinal: BTreeMap<String, rustc_hash::FxHashMap<String, u32>>,
    /// Rows per cell, by ordinal.
    pub(super) rows: Vec<u64>,
}

impl SortPlan {
    pub(super) fn total(&self) -> u64 {
        self.rows.iter().sum()
    }
}

/// Pass 1: counts the live rows of every cell.
pub(super) fn plan_statements(storage: &dyn Storage, state: &State) -> Result<SortPlan> {
    let mut cells: BTreeMap<((bool, String), (bool, String), String), u64> = BTreeMap::new();
    for (month, keys) in &state.commit.statements {
        store::read_live(
            storage,
            keys,
            &state.known,
            Some(&["article_id", "content_hash", "country", "speaker"]),
            |df| {
                let country = store::str_column(&df, "country", "statements")?;
                let speaker = store::str_column(&df, "speaker", "statements")?;
                let mut counts: rustc_hash::FxHashMap<(Option<&str>, Option<&str>), u64> =
                    rustc_hash::FxHashMap::default();
                for (c, s) in country.iter().zip(speaker.iter()) {
                    *counts.entry((c, s)).or_default() += 1;
                }
                for ((c, s), n) in counts {
                    *cells
                        .entry((nulls_last(c), nulls_last(s), month.clone()))
                        .or_default() += n;
                }
                Ok(())
            },
        )?;
    }
    let mut plan = SortPlan {
        ordinal: BTreeMap::new(),
        rows: Vec::with_capacity(cells.len()),
    };
    let mut key = String::new();
    for (i, ((c, s, m), n)) in cells.into_iter().enumerate() {
        cell_key(
            &mut key,
            (!c.0).then_some(c.1.as_str()),
            (!s.0).then_some(s.1.as_str()),
        );
        plan.ordinal
            .entry(m)
            .or_default()
            .insert(key.clone(), i as u32);
        plan.rows.push(n);
    }
    Ok(plan)
}

/// Buckets a level of the sort splits its range of cells into.
const FAN_OUT: usize = 16;

/// Where a level of the sort reads its rows: the state's parts (live rows, by month) or one
/// scratch file of the level above.
pub(super) enum SortSource<'a> {
    State(&'a State),
    Scratch(Vec<std::path::PathBuf>),
}

/// Cell ordinal of every row of `df` (a slice of month `month`'s rows, or any rows when
/// `month` is None: then each row's month comes from its date).
fn row_cells(df: &DataFrame, month: Option<&str>, plan: &SortPlan) -> Result<Vec<u32>> {
    let e = |x: PolarsError| Error::table("statements", x);
    let country = store::str_column(&df, "country", "statements")?;
    let speaker = store::str_column(&df, "speaker", "statements")?;
    let days = df
        .column("published")
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(e)?;
    let days = days.i32().map_err(e)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut key = String::new();
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let m = match month {
            Some(m) => m.to_string(),
            None => {
                store::month_of(epoch + chrono::Duration::days(days.get(i).unwrap_or(0) as i64))
            }
        };
        cell_key(&mut key, country.get(i), speaker.get(i));
        let ordinal = plan
            .ordinal
            .get(&m)
            .and_then(|cells| cells.get(&key))
            .copied();
        out.push(ordinal.ok_or_else(|| Error::State {
            location: "statements".into(),
            message: format!("a row of {m} is in no cell of the sort plan"),
        })?);
    }
    Ok(out)
}

/// Calls `each` with the rows of `source`, slice by slice, with each row's cell.
fn read_source(
    storage: &dyn Storage,
    source: &SortSource,
    plan: &SortPlan,
    mut each: impl FnMut(DataFrame, Vec<u32>) -> Result<()>,
) -> Result<()> {
    match source {
        SortSource::State(state) => {
            for (month, keys) in &state.commit.statements {
                store::read_live(storage, keys, &state.known, None, |df| {
                    let df = df
                        .drop("content_hash")
                        .map_err(|x| Error::table("statements", x))?;
                    let cells = row_cells(&df, Some(month), plan)?;
                    each(df, cells)
                })?;
            }
        }
        SortSource::Scratch(paths) => {
            // Small files are read together up to a slice, so each slice splits into pieces
            // worth writing.
            let mut slice: Option<DataFrame> = None;
            for path in paths {
                let file = std::fs::File::open(path).map_err(|x| Error::io(path, x))?;
                let df = ParquetReader::new(file)
                    .finish()
                    .map_err(|x| Error::table("statements", x))?;
                store::append_rows(&mut slice, df, "statements")?;
                if slice
                    .as_ref()
                    .is_some_and(|s| s.height() >= store::SLICE_ROWS)
                {
                    if let Some(df) = slice.take() {
                        let cells = row_cells(&df, None, plan)?;
                        each(df, cells)?;
                    }
                }
            }
            if let Some(df) = slice.take() {
                let cells = row_cells(&df, None, plan)?;
                each(df, cells)?;
            }
        }
    }
    Ok(())
}

/// Writes the rows of cells `range` from `source` in publication order: sorted in memory
/// when they fit in [`BUCKET_ROWS`], else scattered into up to [`FAN_OUT`] scratch files of
/// consecutive cell ranges, each sorted the same way (an external distribution sort: memory
/// holds one slice, then one bucket; each level reads and writes the rows once).
#[allow(clippy::too_many_arguments)]
pub(super) fn sort_range(
    storage: &dyn Storage,
    source: &SortSource,
    plan: &SortPlan,
    bucket_rows: u64,
    range: std::ops::Range<usize>,
    scratch: &std::path::Path,
    out: &mut SortedOut,
    aggregator: &mut aggregate::Aggregator,
    written: &mut usize,
) -> Result<()> {
    let e = |x: PolarsError| Error::table("statements", x);
    let rows: u64 = plan.rows[range.clone()].iter().sum();
    if rows == 0 {
        return Ok(());
    }
    let single_cell = range.len() == 1;
    if rows <= bucket_rows || single_cell {
        let mut bucket: Option<DataFrame> = None;
        read_source(storage, source, plan, |df, cells| {
            let keep: BooleanChunked = cells
                .iter()
                .map(|c| Some(range.contains(&(*c as usize))))
                .collect();
            let df = df.filter(&keep).map_err(e)?;
            store::append_rows(&mut bucket, df, "statements")
        })?;
        if let Some(bucket) = bucket {
            let sorted = publication_order(&bucket)?;
            drop(bucket);
            aggregator.add(&sorted)?;
            *written += sorted.height();
            out.push(sorted)?;
        }
        return Ok(());
    }
    // Cut the range into sub-ranges of about equal rows.
    let target = rows.div_ceil(FAN_OUT as u64);
    let mut bounds = vec![range.start];
    let mut filled = 0;
    for i in range.clone() {
        if filled > 0 && filled + plan.rows[i] > target && bounds.len() < FAN_OUT {
            bounds.push(i);
            filled = 0;
        }
        filled += plan.rows[i];
    }
    bounds.push(range.end);
    let subranges: Vec<std::ops::Range<usize>> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
    // Each piece is its own small file, closed at once: an open Parquet writer keeps the
    // metadata of every row group it wrote (~1.7 KB per column), which across millions of
    // rows in small pieces would be the largest thing in memory.
    let mut files: Vec<Vec<std::path::PathBuf>> = subranges.iter().map(|_| Vec::new()).collect();
    read_source(storage, source, plan, |df, cells| {
        // Row positions per sub-range in one pass, then one gather each.
        let mut rows: Vec<Vec<IdxSize>> = vec![Vec::new(); subranges.len()];
        for (i, c) in cells.iter().enumerate() {
            let w = bounds
                .partition_point(|b| *b <= *c as usize)
                .saturating_sub(1);
            if let Some(r) = rows.get_mut(w) {
                r.push(i as IdxSize);
            }
        }
        for (w, positions) in rows.into_iter().enumerate() {
            if positions.is_empty() {
                continue;
            }
            let piece = df.take(&IdxCa::from_vec("".into(), positions)).map_err(e)?;
            let path = scratch.join(format!(
                "sort-{}-{}-{w:02}-{:06}.parquet",
                range.start,
                range.end,
                files[w].len()
            ));
            let mut file = TableFile::scratch(path, "statements");
            file.write(&piece)?;
            files[w].push(file.finish(crate::output::empty_statement_rows)?);
        }
        Ok(())
    })?;
    for (sub, paths) in subranges.into_iter().zip(files) {
        if paths.is_empty() {
            continue;
        }
        let source = SortSource::Scratch(paths);
        sort_range(
            storage,
            &source,
            plan,
            bucket_rows,
            sub,
            scratch,
            out,
            aggregator,
            written,
        )?;
        if let SortSource::Scratch(paths) = source {
            for path in paths {
                std::fs::remove_file(&path).map_err(|x| Error::io(&path, x))?;
            }
        }
    }
    Ok(())
}

/// The sorted leaves of the external sort, gathered into row groups of at least `rows`: many
/// leaves are small (one speaker's month), and a Parquet writer keeps ~1.7 KB of metadata per
/// column of every row group until it closes (3,267 row groups at a million articles: ~180 MB).
pub(super) struct SortedOut {
    pub(super) file: TableFile,
    pub(super) pending: Option<DataFrame>,
    pub(super) rows: usize,
}

impl SortedOut {
    pub(super) fn push(&mut self, df: DataFrame) -> Result<()> {
        store::append_rows(&mut self.pending, df, "statements")?;
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.height() >= self.rows)
        {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> Result<()> {
        if let Some(p) = self.pending.take() {
            self.file.write(&p)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::publish::publish_sorting_by;
    use super::super::tests::{table, SampleRun};
    use crate::store::State;
    use polars::prelude::*;
    use serde_json::json;

    #[test]
    fn external_sort_with_tiny_buckets_publishes_the_same_tables() {
        let sample = SampleRun::new(2);
        sample.run();
        let (dir, storage, config) = (&sample.dir, &sample.storage, &sample.config);
        let names = [
            "statements.parquet",
            "articles.parquet",
            "tone_by_country_day.parquet",
            "tone_by_speaker_week.parquet",
            "visits.parquet",
        ];
        let reference: Vec<DataFrame> = names.iter().map(|n| table(dir.path(), n)).collect();
        assert!(
            reference[0].height() > 100,
            "the sample should have enough statements to sort"
        );
        let state = State::load(storage).unwrap();
        // Buckets of 7 rows: several levels of scatter over the sample's cells.
        publish_sorting_by(storage, &state, config, "test", "now", json!({}), 7).unwrap();
        for (name, expected) in names.iter().zip(&reference) {
            assert!(
                table(dir.path(), name).equals_missing(expected),
                "{name} differs when sorted in tiny buckets"
            );
        }
    }
}
