//! One scheduled run, end to end: read the state, process only what is new, commit it, and
//! publish the analyst's tables from the state. Also `merge`, which combines the states of
//! shard runs. The published tables are a pure function of the state, so a re-run with nothing
//! new writes nothing, and a run that was killed and re-run publishes the same bytes as one
//! that was not.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;
use serde_json::json;

use crate::aggregate;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output::{publication_order, statements_frame};
use crate::pipeline::{self, Admission, Engine, Shard};
use crate::store::lock::{self, LockRequest};
use crate::store::{
    self, Committed, IndexRow, State, StateMeta, StateWriter, Storage, TableFile, Update,
};
use crate::types::ProcessedArticle;

/// What `tonetrack run` was asked to do beyond reading inputs.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub inputs: Vec<std::path::PathBuf>,
    pub jobs: usize,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub shard: Option<Shard>,
    /// Forget the state and process the inputs from scratch.
    pub rebuild: bool,
    /// Who this run is and how long it waits for the output's lock.
    pub lock: LockRequest,
}

/// What a run did, for the closing line and `manifest.json`.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub outside_window: usize,
    pub other_shard: usize,
    pub rejects: usize,
    pub duplicates_skipped: usize,
    pub other_files_skipped: usize,
    pub statements_added: usize,
    pub inputs: Vec<String>,
    /// Whether the state changed and whether the tables were (re)written.
    pub state_changed: bool,
    pub published: Option<Published>,
    /// Rejects of this run, for warnings.
    pub reject_lines: Vec<String>,
    /// Articles the state held without their statement rows (see [`State::audit`]) that
    /// this run processed again from its inputs, and those its inputs did not hold.
    pub repaired: Vec<String>,
    pub still_damaged: Vec<String>,
}

/// Totals of the published tables.
#[derive(Debug, Clone, Default)]
pub struct Published {
    pub articles: usize,
    pub statements: usize,
    pub rejects: usize,
    pub tables: Vec<String>,
    pub run_id: String,
}

pub fn state_meta(engine: &Engine) -> StateMeta {
    StateMeta {
        format: store::STATE_FORMAT,
        tonetrack_version: env!("CARGO_PKG_VERSION").to_string(),
        scorer: engine.scorer.name().to_string(),
        scorer_version: engine.scorer.version().to_string(),
        models_sha256: engine.model_files.iter().cloned().collect(),
    }
}

/// Loads the state, or forgets it for `--rebuild`, and checks it was built the way this run works.
fn open_state(storage: &dyn Storage, meta: &StateMeta, rebuild: bool) -> Result<State> {
    if rebuild {
        for key in storage.list("state")? {
            storage.delete(&key)?;
        }
        return Ok(State::default());
    }
    let state = State::load(storage)?;
    if let Some(old) = &state.meta {
        if let Some(why) = old.incompatibility(meta) {
            return Err(Error::State {
                location: format!("{}/{}", storage.describe(), store::META),
                message: format!(
                    "the statements already in this folder were computed with {why}; mixing them would bend the time series. \
                     Run again with --rebuild (and every input) to recompute all statements, or use another --out"
                ),
            });
        }
    }
    Ok(state)
}

/// Statement and index rows of one worker chunk, built on the worker.
struct ChunkRows {
    statements: DataFrame,
    articles: DataFrame,
}

fn chunk_rows(chunk: &[ProcessedArticle], scorer: &(String, String)) -> Result<ChunkRows> {
    let index: Vec<IndexRow> = chunk.iter().map(|p| index_row(p, 0)).collect();
    Ok(ChunkRows {
        statements: statements_frame(chunk, scorer)?,
        articles: store::index_frame(&index)?,
    })
}

/// A run: process what is new in the inputs, commit it to the state, publish the tables.
/// Rows go to the state's new parts while workers proceed, so memory does not grow with the
/// number of articles (beyond ~50 bytes each for the index of ids).
pub fn run(
    runtime: &tokio::runtime::Runtime,
    engine: Arc<Engine>,
    config: Arc<Config>,
    storage: &dyn Storage,
    opts: &RunOptions,
    started_at: &str,
    progress: Arc<dyn Fn(usize) + Send + Sync>,
) -> Result<RunReport> {
    let meta = state_meta(&engine);
    // Before anything is read: a second run on this output would interleave its commit with ours.
    let held = lock::acquire(storage, &opts.lock)?;
    let leftovers = storage.remove_leftovers()?;
    if leftovers > 0 {
        tracing::info!(
            "removed {leftovers} temporary files of an interrupted run in {}",
            storage.describe()
        );
    }
    let mut state = open_state(storage, &meta, opts.rebuild)?;
    let orphans = store::remove_unlisted(storage, &state.commit)?;
    if orphans > 0 {
        tracing::info!(
            "removed {orphans} parts of an interrupted run in {}",
            storage.describe()
        );
    }
    let run = state.commit.runs + 1;
    // Damaged articles are forgotten for the admission, so that those the inputs hold are
    // processed again; the others keep their (damaged) version below.
    let audit = state.audit(storage)?;
    let damaged: Vec<(u128, store::Version, String)> = audit
        .damaged
        .iter()
        .filter_map(|d| {
            let id = store::digest(&d.article_id);
            state
                .known
                .get_digest(id)
                .map(|v| (id, v, d.article_id.clone()))
        })
        .collect();
    if !damaged.is_empty() {
        tracing::warn!(
            "{} articles of the state in {} lack statement rows or have rows of their own, so their statements are missing from the tables: {}; re-processing those the inputs hold",
            audit.damaged.len(),
            storage.describe(),
            audit.first(5)
        );
        state
            .known
            .forget(&damaged.iter().map(|(id, _, _)| *id).collect());
    }
    let admission = Admission {
        known: std::mem::take(&mut state.known),
        run,
        since: opts.since,
        until: opts.until,
        shard: opts.shard,
    };
    let scratch = storage.scratch()?;
    let mut writer = StateWriter::new(run, scratch.path.clone());
    let scorer = (
        engine.scorer.name().to_string(),
        engine.scorer.version().to_string(),
    );
    let finish: Arc<dyn Fn(Vec<ProcessedArticle>) -> Result<ChunkRows> + Send + Sync> =
        Arc::new(move |chunk: Vec<ProcessedArticle>| chunk_rows(&chunk, &scorer));
    let mut report = RunReport::default();
    let phase = std::time::Instant::now();
    let mut result = runtime.block_on(pipeline::run(
        engine.clone(),
        config.clone(),
        opts.inputs.clone(),
        opts.jobs,
        admission,
        progress,
        finish,
        |rows| {
            let rows = rows?;
            report.statements_added += rows.statements.height();
            writer.add(rows.statements, rows.articles)
        },
    ))?;
    // The admission recorded this run's versions under its run number: the state's index
    // after the commit below.
    state.known = std::mem::take(&mut result.known);
    for (id, old, article_id) in damaged {
        match state.known.get_digest(id) {
            Some(v) if v.run == run => report.repaired.push(article_id),
            _ => {
                state.known.set(id, old);
                report.still_damaged.push(article_id);
            }
        }
    }
    // Admission took the re-processed ones for new articles.
    result.added -= report.repaired.len().min(result.added);
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), rss_mib = ?memory_mib(), articles = result.added + result.replaced, "read, processed and spilled");

    report.added = result.added;
    report.replaced = result.replaced;
    report.unchanged = result.unchanged;
    report.outside_window = result.outside_window;
    report.other_shard = result.other_shard;
    report.rejects = result.rejects.len();
    report.duplicates_skipped =
        result.duplicates.values().sum::<usize>() + result.copies_of_unchanged;
    report.other_files_skipped = result.skipped_other_files;
    report.inputs = result.inputs.clone();
    report.reject_lines = result
        .rejects
        .iter()
        .map(|r| {
            format!(
                "{}{}: {}",
                r.input,
                r.line.map(|l| format!(":{l}")).unwrap_or_default(),
                r.reason
            )
        })
        .collect();

    let mut inputs_read: BTreeSet<String> = result.inputs.iter().cloned().collect();
    inputs_read.extend(result.rejects.iter().map(|r| r.input.clone()));
    // Copies count for the version this run processed (those of unchanged articles were
    // counted when their version was processed).
    let mut duplicates: Vec<(String, u32)> = result
        .duplicates
        .into_iter()
        .map(|(h, n)| (h, n as u32))
        .collect();
    duplicates.sort();
    let update = Update {
        meta,
        duplicates,
        inputs_read,
        rejects: result.rejects,
    };
    held.still_held()?;
    report.state_changed =
        store::commit(storage, &mut state, writer, update)? == Committed::Changed;
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), rss_mib = ?memory_mib(), "state committed");
    held.still_held()?;
    report.published = publish_if_stale(storage, &state, &config, started_at, || {
        last_run_facts(&report)
    })?;
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), rss_mib = ?memory_mib(), "tables published");
    held.release()?;
    Ok(report)
}

/// Resident and peak resident memory in MiB (Linux), for the phase log: where memory goes.
pub fn memory_mib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((kib("VmRSS:")? / 1024, kib("VmHWM:")? / 1024))
}

fn index_row(p: &ProcessedArticle, duplicates: usize) -> IndexRow {
    let a = &p.article;
    IndexRow {
        article_id: a.id.clone(),
        content_hash: p.content_hash.clone(),
        published: a.published,
        title: a.title.clone(),
        source: a.source.clone(),
        url: a.url.clone(),
        language: a.language.clone(),
        input: a.origin.input.clone(),
        line: a.origin.line,
        chars: a.text.chars().count() as u64,
        statements: p.statements.len() as u32,
        duplicates_seen: duplicates as u32,
    }
}

fn last_run_facts(r: &RunReport) -> serde_json::Value {
    let mut facts = json!({
        "inputs": r.inputs,
        "articles_added": r.added,
        "articles_replaced": r.replaced,
        "articles_unchanged": r.unchanged,
        "articles_outside_window": r.outside_window,
        "articles_other_shard": r.other_shard,
        "statements_added": r.statements_added,
        "rejects": r.rejects,
        "duplicates_skipped": r.duplicates_skipped,
        "other_files_skipped": r.other_files_skipped,
    });
    // Only when there were some, so that the manifest of an ordinary run keeps its keys.
    if !r.repaired.is_empty() {
        facts["articles_repaired"] = json!(r.repaired.len());
    }
    facts
}

const MANIFEST: &str = "manifest.json";

/// Publishes the tables unless `manifest.json` says they were published from this very state.
fn publish_if_stale(
    storage: &dyn Storage,
    state: &State,
    config: &Config,
    started_at: &str,
    last_run: impl FnOnce() -> serde_json::Value,
) -> Result<Option<Published>> {
    let fingerprint = state.fingerprint(storage)?;
    if let Some(bytes) = storage.read(MANIFEST)? {
        let old: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if old["run_id"] == json!(fingerprint) {
            return Ok(None);
        }
    }
    publish(storage, state, config, &fingerprint, started_at, last_run()).map(Some)
}

/// Statement rows sorted at a time when publishing: the unit of memory of the external sort.
const BUCKET_ROWS: u64 = 24_576;

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
struct SortPlan {
    /// Month → cell key (see [`cell_key`]) → ordinal.
    ordinal: BTreeMap<String, rustc_hash::FxHashMap<String, u32>>,
    /// Rows per cell, by ordinal.
    rows: Vec<u64>,
}

impl SortPlan {
    fn total(&self) -> u64 {
        self.rows.iter().sum()
    }
}

/// Pass 1: counts the live rows of every cell.
fn plan_statements(storage: &dyn Storage, state: &State) -> Result<SortPlan> {
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
enum SortSource<'a> {
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
fn sort_range(
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
struct SortedOut {
    file: TableFile,
    pending: Option<DataFrame>,
    rows: usize,
}

impl SortedOut {
    fn push(&mut self, df: DataFrame) -> Result<()> {
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

    fn flush(&mut self) -> Result<()> {
        if let Some(p) = self.pending.take() {
            self.file.write(&p)?;
        }
        Ok(())
    }
}

/// `articles.parquet`: month by month (months sort as dates), each sorted by date and id,
/// with the copies seen of each article. Returns the rows written.
fn publish_articles(storage: &dyn Storage, state: &State, out: &mut TableFile) -> Result<usize> {
    let e = |x: PolarsError| Error::table("articles", x);
    let duplicates = state.duplicates(storage)?;
    let mut rows = 0;
    for keys in state.commit.articles.values() {
        let mut month: Option<DataFrame> = None;
        store::read_live(storage, keys, &state.known, None, |df| {
            store::append_rows(&mut month, df, "articles")
        })?;
        let Some(mut month) = month else { continue };
        let hashes = store::str_column(&month, "content_hash", "articles")?;
        let copies: Vec<u32> = hashes
            .iter()
            .map(|h| {
                duplicates
                    .get(&store::content_bits(h.unwrap_or_default()))
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        month
            .with_column(Column::new("duplicates_seen".into(), copies))
            .map_err(e)?;
        let month = month
            .sort(
                ["published", "article_id"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .map_err(e)?;
        out.write(&month)?;
        rows += month.height();
    }
    Ok(rows)
}

/// The binary's switch for its allocator while the tables are published: `true` as publishing
/// starts, `false` once it ends (also on error). See [`on_publishing`].
static PUBLISHING_HOOK: std::sync::OnceLock<fn(bool)> = std::sync::OnceLock::new();

/// Installs `hook`, called with `true` before the tables are published and with `false` after.
///
/// Why: publishing's external sort allocates and frees every bucket's columns over and over,
/// and whatever freed memory the allocator keeps is resident on top of the live heap. The
/// binary's jemalloc returns freed pages at once while publishing (a million articles: peak
/// 225 MiB; 255 when freed pages wait 200 ms), and lets them wait while processing and
/// committing, whose memory is reused at once (a third less wall time at 100,000 articles:
/// returning each freed page costs system calls and page faults). The library has no allocator
/// of its own, so the binary installs the switch; the first hook installed stays.
pub fn on_publishing(hook: fn(bool)) {
    let _ = PUBLISHING_HOOK.set(hook);
}

/// Calls the hook with `true` now and with `false` when dropped.
struct Publishing;

impl Publishing {
    fn start() -> Self {
        if let Some(hook) = PUBLISHING_HOOK.get() {
            hook(true);
        }
        Publishing
    }
}

impl Drop for Publishing {
    fn drop(&mut self) {
        if let Some(hook) = PUBLISHING_HOOK.get() {
            hook(false);
        }
    }
}

/// Writes every analyst table from the state, then `manifest.json` (last: it marks the tables
/// as published from this state).
pub fn publish(
    storage: &dyn Storage,
    state: &State,
    config: &Config,
    fingerprint: &str,
    started_at: &str,
    last_run: serde_json::Value,
) -> Result<Published> {
    let _publishing = Publishing::start();
    publish_sorting_by(
        storage,
        state,
        config,
        fingerprint,
        started_at,
        last_run,
        BUCKET_ROWS,
    )
}

/// [`publish`] with the statements sorted in buckets of `bucket_rows` (tests force the
/// external sort's deeper levels with a small one).
fn publish_sorting_by(
    storage: &dyn Storage,
    state: &State,
    config: &Config,
    fingerprint: &str,
    started_at: &str,
    last_run: serde_json::Value,
    bucket_rows: u64,
) -> Result<Published> {
    let meta = state.meta.clone();
    let scratch = storage.scratch()?;
    let plan = plan_statements(storage, state)?;
    tracing::debug!(rss_mib = ?memory_mib(), cells = plan.rows.len(), "publish: sort plan");
    let mut rejects = crate::output::rejects_frame(&state.rejects)?;
    // Every id the state knows has exactly one live version: the article count is known
    // before the tables are written, so their metadata can carry the manifest's facts.
    let facts = json!({
        "run_id": fingerprint,
        "tonetrack_version": env!("CARGO_PKG_VERSION"),
        "scorer": meta.as_ref().map(|m| m.scorer.clone()),
        "scorer_version": meta.as_ref().map(|m| m.scorer_version.clone()),
        "counts": {
            "articles": state.known.len(),
            "statements": plan.total(),
            "rejects": rejects.height(),
        },
        // The hashes the statements were computed with, as the state records them.
        "models_sha256": meta.as_ref().map(|m| json!(m.models_sha256)),
    });
    let kv = vec![
        ("tonetrack.run_id".to_string(), fingerprint.to_string()),
        (
            "tonetrack.version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("tonetrack.manifest".to_string(), facts.to_string()),
    ];
    let mut aggregator = aggregate::Aggregator::new(config);
    let statements_file = TableFile::new(
        scratch.path.join("statements.parquet"),
        "statements",
        Some(kv.clone()),
    );
    let mut sorted = SortedOut {
        file: statements_file,
        pending: None,
        rows: BUCKET_ROWS as usize,
    };
    let mut statements = 0;
    sort_range(
        storage,
        &SortSource::State(state),
        &plan,
        bucket_rows,
        0..plan.rows.len(),
        &scratch.path,
        &mut sorted,
        &mut aggregator,
        &mut statements,
    )?;
    sorted.flush()?;
    tracing::debug!(rss_mib = ?memory_mib(), aggregator_mib = aggregator.footprint() >> 20, "publish: statements sorted and aggregated");
    let statements_path = sorted.file.finish(|| {
        let mut empty = crate::output::empty_statement_rows()?;
        empty
            .drop_in_place("content_hash")
            .map_err(|x| Error::table("statements", x))?;
        Ok(empty)
    })?;
    storage.write_file("statements.parquet", &statements_path)?;
    store::crash_point("tables");
    let mut articles_file = TableFile::new(
        scratch.path.join("articles.parquet"),
        "articles",
        Some(kv.clone()),
    );
    let articles = publish_articles(storage, state, &mut articles_file)?;
    let articles_path = articles_file.finish(|| store::index_frame(std::iter::empty()))?;
    storage.write_file("articles.parquet", &articles_path)?;
    tracing::debug!(rss_mib = ?memory_mib(), "publish: articles written");
    if (articles, statements as u64) != (state.known.len(), plan.total()) {
        return Err(Error::State {
            location: storage.describe(),
            message: format!("published {articles} articles and {statements} statements, the state counts {} and {}", state.known.len(), plan.total()),
        });
    }
    let mut names = vec![
        "statements.parquet".to_string(),
        "articles.parquet".to_string(),
        "rejects.parquet".to_string(),
    ];
    storage.write(
        "rejects.parquet",
        &store::parquet_bytes(&mut rejects, "rejects", Some(&kv))?,
    )?;
    let mut current: Option<(String, TableFile)> = None;
    let mut done: Vec<(String, std::path::PathBuf)> = Vec::new();
    aggregator.finish(|name, batch| {
        if current.as_ref().is_some_and(|(n, _)| n != name) {
            if let Some((n, file)) = current.take() {
                done.push((n, file.finish(|| Ok(DataFrame::empty()))?));
            }
        }
        let (_, file) = current.get_or_insert_with(|| {
            (
                name.to_string(),
                TableFile::new(scratch.path.join(name), name, Some(kv.clone())),
            )
        });
        file.write(&batch)
    })?;
    if let Some((n, file)) = current.take() {
        done.push((n, file.finish(|| Ok(DataFrame::empty()))?));
    }
    for (name, path) in done {
        storage.write_file(&name, &path)?;
        names.push(name);
    }
    let mut manifest = facts;
    manifest["tables"] = json!(names);
    manifest["state"] = json!({ "folder": "state", "partitioning": "month=YYYY-MM (hive)", "commit": store::COMMIT });
    manifest["last_run"] = last_run;
    manifest["last_run"]["started_at"] = json!(started_at);
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::io(MANIFEST, std::io::Error::other(e)))?
        + "\n";
    storage.write(MANIFEST, text.as_bytes())?;
    Ok(Published {
        articles,
        statements,
        rejects: rejects.height(),
        tables: names,
        run_id: fingerprint.to_string(),
    })
}

/// `tonetrack merge`: makes `target`'s state the union of the shards' states and publishes it.
/// Two shards holding the same article id with different content is an error, not a choice.
pub fn merge(
    shards: &[&dyn Storage],
    target: &dyn Storage,
    config: &Config,
    started_at: &str,
    lock: &LockRequest,
) -> Result<Published> {
    let held = lock::acquire(target, lock)?;
    let mut meta: Option<StateMeta> = None;
    let mut states = Vec::new();
    for shard in shards {
        let state = State::load(*shard)?;
        let Some(m) = state.meta.clone() else {
            return Err(Error::State {
                location: shard.describe(),
                message: "no tonetrack state here (state/meta.json missing): run the shard first"
                    .into(),
            });
        };
        if m.format != store::STATE_FORMAT {
            return Err(Error::State {
                location: shard.describe(),
                message: format!("this shard's state has format {} (this tonetrack reads {}); rerun the shard with --rebuild", m.format, store::STATE_FORMAT),
            });
        }
        match &meta {
            Some(first) => {
                if let Some(why) = first.incompatibility(&m) {
                    return Err(Error::State {
                        location: shard.describe(),
                        message: format!("this shard was computed with {why} than the first shard; rerun it with the same build and models"),
                    });
                }
            }
            None => meta = Some(m),
        }
        states.push(state);
    }
    let Some(meta) = meta else {
        return Err(Error::State {
            location: target.describe(),
            message: "merge needs at least one shard".into(),
        });
    };
    // Each article comes from the first shard that holds it; the same id with other content is an error.
    let mut owner: rustc_hash::FxHashMap<u128, (u64, usize)> = rustc_hash::FxHashMap::default();
    for (i, state) in states.iter().enumerate() {
        for (id, v) in state.known.ids() {
            match owner.get(&id) {
                Some((content, first)) if *content != v.content => {
                    return Err(Error::State {
                        location: shards[i].describe(),
                        message: format!(
                            "an article of this shard is also in {} with different content; shards must split articles by id",
                            shards[*first].describe()
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    owner.insert(id, (v.content, i));
                }
            }
        }
    }
    let mut target_state = open_state(target, &meta, true)?;
    let scratch = target.scratch()?;
    let mut writer = StateWriter::new(1, scratch.path.clone());
    let mut rejects = Vec::new();
    let mut duplicates: BTreeMap<String, u32> = BTreeMap::new();
    for (i, (shard, state)) in shards.iter().zip(&states).enumerate() {
        let mine = |id: &str, _: &str| owner.get(&store::digest(id)).is_some_and(|(_, o)| *o == i);
        for keys in state.commit.articles.values() {
            store::read_live(*shard, keys, &state.known, None, |df| {
                writer.add(DataFrame::empty(), store::filter_rows(&df, mine)?)
            })?;
        }
        for keys in state.commit.statements.values() {
            store::read_live(*shard, keys, &state.known, None, |df| {
                writer.add(store::filter_rows(&df, mine)?, DataFrame::empty())
            })?;
        }
        let live: rustc_hash::FxHashSet<u64> = state
            .known
            .ids()
            .filter(|(id, _)| owner.get(id).is_some_and(|(_, o)| *o == i))
            .map(|(_, v)| v.content)
            .collect();
        for key in &state.commit.duplicates {
            store::read_part_slices(*shard, key, None, |df| {
                let hashes = store::str_column(&df, "content_hash", "duplicates")?;
                let copies = store::u32_column(&df, "copies", "duplicates")?;
                for (h, c) in hashes.iter().zip(copies.iter()) {
                    let h = h.unwrap_or_default();
                    if live.contains(&store::content_bits(h)) {
                        *duplicates.entry(h.to_string()).or_default() += c.unwrap_or(0);
                    }
                }
                Ok(())
            })?;
        }
        rejects.extend(state.rejects.iter().cloned());
    }
    for (id, (content, _)) in &owner {
        target_state.known.set(
            *id,
            store::Version {
                content: *content,
                run: writer.run,
            },
        );
    }
    let update = Update {
        meta,
        duplicates: duplicates.into_iter().collect(),
        inputs_read: BTreeSet::new(),
        rejects,
    };
    held.still_held()?;
    store::commit(target, &mut target_state, writer, update)?;
    let fingerprint = target_state.fingerprint(target)?;
    let sources: Vec<String> = shards.iter().map(|s| s.describe()).collect();
    held.still_held()?;
    let published = publish(
        target,
        &target_state,
        config,
        &fingerprint,
        started_at,
        json!({ "merged_from": sources }),
    )?;
    held.release()?;
    Ok(published)
}

/// What `tonetrack check` found in an output.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub audit: store::audit::Audit,
    /// The state's run id, and the one `manifest.json` was published from (if any).
    pub run_id: String,
    pub published_run_id: Option<String>,
}

impl CheckReport {
    pub fn damaged(&self) -> bool {
        !self.audit.damaged.is_empty()
    }

    /// Whether the tables were published from this state (a run killed between its commit and
    /// its manifest leaves them behind; the next run publishes them).
    pub fn tables_current(&self) -> bool {
        self.published_run_id.as_deref() == Some(self.run_id.as_str())
    }
}

/// `tonetrack check`: audits the state of `storage` (see [`State::audit`]) under its lock, so
/// that a run's commit is never read half done. Reads only.
pub fn check(storage: &dyn Storage, lock: &LockRequest) -> Result<CheckReport> {
    let held = lock::acquire(storage, lock)?;
    let state = State::load(storage)?;
    match &state.meta {
        None => {
            return Err(Error::State {
                location: storage.describe(),
                message: "no tonetrack state here (state/meta.json missing)".into(),
            })
        }
        Some(m) if m.format != store::STATE_FORMAT => {
            return Err(Error::State {
                location: format!("{}/{}", storage.describe(), store::META),
                message: format!(
                    "state format {} (this tonetrack reads {}): run again with --rebuild",
                    m.format,
                    store::STATE_FORMAT
                ),
            })
        }
        Some(_) => {}
    }
    let audit = state.audit(storage)?;
    let run_id = state.fingerprint(storage)?;
    let published_run_id = storage
        .read(MANIFEST)?
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| m["run_id"].as_str().map(str::to_string));
    held.release()?;
    Ok(CheckReport {
        audit,
        run_id,
        published_run_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(dir: &std::path::Path, name: &str) -> DataFrame {
        ParquetReader::new(std::fs::File::open(dir.join(name)).unwrap())
            .finish()
            .unwrap()
    }

    /// The bundled sample (`notebooks-data`) and a fresh output folder, run with the lexicon.
    struct SampleRun {
        config: Arc<Config>,
        engine: Arc<Engine>,
        runtime: tokio::runtime::Runtime,
        dir: tempfile::TempDir,
        storage: store::LocalStorage,
        opts: RunOptions,
    }

    impl SampleRun {
        fn new(jobs: usize) -> Self {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let config =
                Arc::new(Config::load(&root.join("notebooks-data/tonetrack.toml")).unwrap());
            let engine = Arc::new(Engine::load(&config, crate::tone::ScorerKind::Lexicon).unwrap());
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            let dir = tempfile::tempdir().unwrap();
            let storage = store::LocalStorage::new(dir.path()).unwrap();
            let opts = RunOptions {
                inputs: vec![root.join("notebooks-data/articles")],
                jobs,
                ..RunOptions::default()
            };
            SampleRun {
                config,
                engine,
                runtime,
                dir,
                storage,
                opts,
            }
        }

        fn run(&self) -> RunReport {
            run(
                &self.runtime,
                self.engine.clone(),
                self.config.clone(),
                &self.storage,
                &self.opts,
                "now",
                Arc::new(|_| {}),
            )
            .unwrap()
        }
    }

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

    #[test]
    fn articles_whose_rows_a_part_lost_are_audited_damaged_change_the_run_id_and_are_repaired() {
        let sample = SampleRun::new(1);
        sample.run();
        let (dir, storage) = (sample.dir.path(), &sample.storage);
        let names = ["statements.parquet", "articles.parquet", "visits.parquet"];
        let reference: Vec<Vec<u8>> = names
            .iter()
            .map(|n| std::fs::read(dir.join(n)).unwrap())
            .collect();
        let state = State::load(storage).unwrap();
        let intact = state.fingerprint(storage).unwrap();
        assert_eq!(state.audit(storage).unwrap().damaged, vec![]);
        // Drop the rows of the first two articles of the fullest statements part.
        let key = state
            .commit
            .statements
            .values()
            .flatten()
            .max_by_key(|k| std::fs::metadata(dir.join(k)).unwrap().len())
            .unwrap()
            .clone();
        let rows = store::read_parquet_bytes(storage.read(&key).unwrap().unwrap(), &key).unwrap();
        let ids = store::str_column(&rows, "article_id", "statements").unwrap();
        let mut lost: Vec<String> = ids.iter().map(|i| i.unwrap().to_string()).collect();
        lost.dedup();
        lost.truncate(2);
        let mut kept = store::filter_rows(&rows, |id, _| !lost.iter().any(|l| l == id)).unwrap();
        storage
            .write(&key, &store::parquet_bytes(&mut kept, &key, None).unwrap())
            .unwrap();

        let state = State::load(storage).unwrap();
        let audit = state.audit(storage).unwrap();
        let found: Vec<&str> = audit
            .damaged
            .iter()
            .map(|d| d.article_id.as_str())
            .collect();
        let mut expected: Vec<&str> = lost.iter().map(String::as_str).collect();
        expected.sort();
        assert_eq!(found, expected);
        assert!(audit.damaged.iter().all(|d| d.found == 0 && d.expected > 0));
        assert_ne!(state.fingerprint(storage).unwrap(), intact);

        let report = sample.run();
        let mut repaired = report.repaired.clone();
        repaired.sort();
        assert_eq!(repaired, expected);
        assert_eq!(
            report.added, 0,
            "repaired articles are not counted as added"
        );
        let state = State::load(storage).unwrap();
        assert_eq!(state.audit(storage).unwrap().damaged, vec![]);
        assert_eq!(state.fingerprint(storage).unwrap(), intact);
        for (name, bytes) in names.iter().zip(&reference) {
            assert_eq!(&std::fs::read(dir.join(name)).unwrap(), bytes, "{name}");
        }
    }

    #[test]
    fn a_second_run_on_a_locked_output_is_refused_as_busy() {
        let sample = SampleRun::new(1);
        let held = lock::acquire(&sample.storage, &LockRequest::default()).unwrap();
        let e = run(
            &sample.runtime,
            sample.engine.clone(),
            sample.config.clone(),
            &sample.storage,
            &sample.opts,
            "now",
            Arc::new(|_| {}),
        )
        .err()
        .unwrap();
        assert!(matches!(e, Error::Busy { .. }), "{e}");
        assert!(
            State::load(&sample.storage).unwrap().meta.is_none(),
            "nothing written"
        );
        held.release().unwrap();
        assert!(sample.run().published.is_some());
    }

    thread_local! {
        static PUBLISHING_CALLS: std::cell::RefCell<Vec<bool>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    fn record_publishing(starts: bool) {
        PUBLISHING_CALLS.with(|calls| calls.borrow_mut().push(starts));
    }

    #[test]
    fn the_publishing_hook_is_switched_on_for_publishing_only_and_off_again() {
        // Thread-local record: other tests publish on their own threads.
        on_publishing(record_publishing);
        let sample = SampleRun::new(1);
        assert!(sample.run().published.is_some());
        assert_eq!(PUBLISHING_CALLS.with(|c| c.take()), vec![true, false]);
        // Nothing new: the tables are not published again, and the hook is not called.
        let again = sample.run();
        assert!(again.published.is_none());
        assert_eq!(PUBLISHING_CALLS.with(|c| c.take()), Vec::<bool>::new());
    }
}
