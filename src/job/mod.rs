//! One scheduled run, end to end: read the state, process only what is new, commit it, and
//! publish the analyst's tables from the state. Also `merge`, which combines the states of
//! shard runs. The published tables are a pure function of the state, so a re-run with nothing
//! new writes nothing, and a run that was killed and re-run publishes the same bytes as one
//! that was not.
//!
//! ```text
//! mod.rs       `run` (lock → state → admission and processing → commit → publish) and `check`
//! publish.rs   the analyst's tables from the state, `manifest.json` last
//! sort.rs      the external distribution sort of statements.parquet
//! merge.rs     `merge` of shard states
//! ```

mod merge;
mod publish;
mod sort;

pub use merge::merge;
pub use publish::{on_publishing, publish};
use publish::{publish_if_stale, MANIFEST};

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;
use serde_json::json;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::output::statements_frame;
use crate::pipeline::{self, Admission, Engine, Shard};
use crate::store::lock::{self, LockRequest};
use crate::store::{self, Committed, IndexRow, State, StateMeta, StateWriter, Storage, Update};
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
pub(super) fn open_state(storage: &dyn Storage, meta: &StateMeta, rebuild: bool) -> Result<State> {
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
pub(crate) mod tests {
    use super::*;

    pub(crate) fn table(dir: &std::path::Path, name: &str) -> DataFrame {
        ParquetReader::new(std::fs::File::open(dir.join(name)).unwrap())
            .finish()
            .unwrap()
    }

    /// The bundled sample (`notebooks-data`) and a fresh output folder, run with the lexicon.
    pub(crate) struct SampleRun {
        pub(crate) config: Arc<Config>,
        pub(crate) engine: Arc<Engine>,
        pub(crate) runtime: tokio::runtime::Runtime,
        pub(crate) dir: tempfile::TempDir,
        pub(crate) storage: store::LocalStorage,
        pub(crate) opts: RunOptions,
    }

    impl SampleRun {
        pub(crate) fn new(jobs: usize) -> Self {
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

        pub(crate) fn run(&self) -> RunReport {
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
}
