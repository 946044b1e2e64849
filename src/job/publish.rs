//! Publishing: every analyst table written from the state, `manifest.json` last, and only when
//! the manifest does not already say the tables were published from this very state (its run
//! id), so a run with nothing new writes nothing.
//!
//! ```text
//! statements.parquet   external sort (sort.rs), summed into the time series on the way
//! articles.parquet     month by month, sorted by date and id, with copies seen
//! rejects.parquet, tone_by_*.parquet, visits.parquet, then manifest.json
//! ```
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::{config::Config, job, store::{self, State}};
//! let storage = store::open("out")?;
//! let state = State::load(storage.as_ref())?;
//! let id = state.fingerprint(storage.as_ref())?;
//! job::publish(storage.as_ref(), &state, &Config::default(), &id, "2026-12-04T12:00:00Z",
//!     serde_json::json!({}))?;
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use polars::prelude::*;
use serde_json::json;

use super::sort::{plan_statements, sort_range, SortSource, SortedOut, BUCKET_ROWS};
use super::{memory_mib, Published};
use crate::aggregate;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::{self, State, Storage, TableFile};

pub(super) const MANIFEST: &str = "manifest.json";

/// Publishes the tables unless `manifest.json` says they were published from this very state.
pub(super) fn publish_if_stale(
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
pub(super) fn publish_sorting_by(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::tests::SampleRun;

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
