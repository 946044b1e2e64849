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
use crate::store::{self, Committed, IndexRow, State, StateMeta, Storage, Update};
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

/// A run: process what is new in the inputs, commit it to the state, publish the tables.
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
    let leftovers = storage.remove_leftovers()?;
    if leftovers > 0 {
        tracing::info!("removed {leftovers} temporary files of an interrupted run in {}", storage.describe());
    }
    let state = open_state(storage, &meta, opts.rebuild)?;
    let admission = Admission {
        known: state.index.values().map(|r| (r.article_id.clone(), r.content_hash.clone())).collect(),
        since: opts.since,
        until: opts.until,
        shard: opts.shard,
    };
    let phase = std::time::Instant::now();
    let result = runtime.block_on(pipeline::run(engine.clone(), config.clone(), opts.inputs.clone(), opts.jobs, admission, progress))?;
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), articles = result.articles.len(), "read and processed");

    let mut report = RunReport {
        unchanged: result.unchanged,
        outside_window: result.outside_window,
        other_shard: result.other_shard,
        rejects: result.rejects.len(),
        duplicates_skipped: result.duplicates.values().sum(),
        other_files_skipped: result.skipped_other_files,
        inputs: result.inputs.clone(),
        reject_lines: result
            .rejects
            .iter()
            .map(|r| format!("{}{}: {}", r.input, r.line.map(|l| format!(":{l}")).unwrap_or_default(), r.reason))
            .collect(),
        ..RunReport::default()
    };
    for p in &result.articles {
        if state.index.contains_key(&p.article.id) {
            report.replaced += 1;
        } else {
            report.added += 1;
        }
        report.statements_added += p.statements.len();
    }

    let mut inputs_read: BTreeSet<String> = result.inputs.iter().cloned().collect();
    inputs_read.extend(result.rejects.iter().map(|r| r.input.clone()));
    let update = Update {
        meta,
        articles: result.articles.iter().map(|p| index_row(p, result.duplicates.get(&p.content_hash).copied().unwrap_or(0))).collect(),
        rows_by_month: rows_by_month(&result.articles, &result.scorer)?,
        inputs_read,
        rejects: result.rejects,
    };
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), "statement rows built");
    report.state_changed = store::commit(storage, &state, update)? == Committed::Changed;
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), "state committed");
    report.published = publish_if_stale(storage, &config, started_at, || last_run_facts(&report))?;
    tracing::debug!(seconds = phase.elapsed().as_secs_f64(), "tables published");
    Ok(report)
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

fn rows_by_month(articles: &[ProcessedArticle], scorer: &(String, String)) -> Result<BTreeMap<String, DataFrame>> {
    let mut by_month: BTreeMap<String, Vec<&ProcessedArticle>> = BTreeMap::new();
    for p in articles {
        by_month.entry(store::month_of(p.article.published)).or_default().push(p);
    }
    by_month.into_iter().map(|(m, ps)| Ok((m, statements_frame(ps, scorer)?))).collect()
}

fn last_run_facts(r: &RunReport) -> serde_json::Value {
    json!({
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
    })
}

const MANIFEST: &str = "manifest.json";

/// Publishes the tables unless `manifest.json` says they were published from this very state.
fn publish_if_stale(
    storage: &dyn Storage,
    config: &Config,
    started_at: &str,
    last_run: impl FnOnce() -> serde_json::Value,
) -> Result<Option<Published>> {
    let fingerprint = State::fingerprint(storage)?;
    if let Some(bytes) = storage.read(MANIFEST)? {
        let old: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if old["run_id"] == json!(fingerprint) {
            return Ok(None);
        }
    }
    publish(storage, config, &fingerprint, started_at, last_run()).map(Some)
}

/// Writes every analyst table from the state, then `manifest.json` (last: it marks the tables
/// as published from this state).
pub fn publish(
    storage: &dyn Storage,
    config: &Config,
    fingerprint: &str,
    started_at: &str,
    last_run: serde_json::Value,
) -> Result<Published> {
    let state = State::load(storage)?;
    let meta = state.meta.clone();
    let statements = match store::live_statements(storage, &state.index)? {
        Some(df) => df,
        None => {
            let mut empty = statements_frame(std::iter::empty(), &(String::new(), String::new()))?;
            empty.drop_in_place("content_hash").map_err(|e| Error::table("statements", e))?;
            empty
        }
    };
    let mut statements = publication_order(&statements)?;
    let mut by_date: Vec<&IndexRow> = state.index.values().collect();
    by_date.sort_by(|a, b| (a.published, &a.article_id).cmp(&(b.published, &b.article_id)));
    let mut articles = store::index_frame(by_date)?;
    let mut rejects = crate::output::rejects_frame(&state.rejects)?;
    let mut tables: Vec<(String, DataFrame)> = aggregate::tables(&statements, config)?;

    let facts = json!({
        "run_id": fingerprint,
        "tonetrack_version": env!("CARGO_PKG_VERSION"),
        "scorer": meta.as_ref().map(|m| m.scorer.clone()),
        "scorer_version": meta.as_ref().map(|m| m.scorer_version.clone()),
        "counts": {
            "articles": articles.height(),
            "statements": statements.height(),
            "rejects": rejects.height(),
        },
        // The hashes the statements were computed with, as the state records them.
        "models_sha256": meta.as_ref().map(|m| json!(m.models_sha256)),
    });
    let kv = vec![
        ("tonetrack.run_id".to_string(), fingerprint.to_string()),
        ("tonetrack.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("tonetrack.manifest".to_string(), facts.to_string()),
    ];
    let mut names = vec!["statements.parquet".to_string(), "articles.parquet".to_string(), "rejects.parquet".to_string()];
    storage.write("statements.parquet", &store::parquet_bytes(&mut statements, "statements", Some(&kv))?)?;
    store::crash_point("tables");
    storage.write("articles.parquet", &store::parquet_bytes(&mut articles, "articles", Some(&kv))?)?;
    storage.write("rejects.parquet", &store::parquet_bytes(&mut rejects, "rejects", Some(&kv))?)?;
    for (name, df) in &mut tables {
        storage.write(name, &store::parquet_bytes(df, name, Some(&kv))?)?;
        names.push(name.clone());
    }
    let mut manifest = facts;
    manifest["tables"] = json!(names);
    manifest["state"] = json!({ "folder": "state", "partitioning": "month=YYYY-MM (hive)" });
    manifest["last_run"] = last_run;
    manifest["last_run"]["started_at"] = json!(started_at);
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::io(MANIFEST, std::io::Error::other(e)))? + "\n";
    storage.write(MANIFEST, text.as_bytes())?;
    Ok(Published {
        articles: articles.height(),
        statements: statements.height(),
        rejects: rejects.height(),
        tables: names,
        run_id: fingerprint.to_string(),
    })
}

/// `tonetrack merge`: makes `target`'s state the union of the shards' states and publishes it.
/// Two shards holding the same article id with different content is an error, not a choice.
pub fn merge(shards: &[&dyn Storage], target: &dyn Storage, config: &Config, started_at: &str) -> Result<Published> {
    let mut meta: Option<StateMeta> = None;
    let mut articles: BTreeMap<String, (IndexRow, String)> = BTreeMap::new();
    let mut rows_by_month: BTreeMap<String, DataFrame> = BTreeMap::new();
    let mut rejects = Vec::new();
    for shard in shards {
        let state = State::load(*shard)?;
        let Some(m) = state.meta.clone() else {
            return Err(Error::State { location: shard.describe(), message: "no tonetrack state here (state/meta.json missing): run the shard first".into() });
        };
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
        for (id, row) in &state.index {
            if let Some((other, from)) = articles.get(id) {
                if other.content_hash != row.content_hash {
                    return Err(Error::State {
                        location: shard.describe(),
                        message: format!("article {id:?} is also in {from} with different content; shards must split articles by id"),
                    });
                }
                continue;
            }
            articles.insert(id.clone(), (row.clone(), shard.describe()));
        }
        for (month, df) in store::live_partitions(*shard, &state.index)? {
            match rows_by_month.get_mut(&month) {
                Some(acc) => {
                    acc.vstack_mut(&df).map_err(|e| Error::table("statements", e))?;
                }
                None => {
                    rows_by_month.insert(month, df);
                }
            }
        }
        rejects.extend(state.rejects);
    }
    let Some(meta) = meta else {
        return Err(Error::State { location: target.describe(), message: "merge needs at least one shard".into() });
    };
    let empty = open_state(target, &meta, true)?;
    // Rows of an article present in two shards (same content) appear twice: keep one copy.
    for df in rows_by_month.values_mut() {
        *df = df
            .unique_stable(Some(&["content_hash".into(), "start".into(), "end".into(), "kind".into()]), UniqueKeepStrategy::First, None)
            .map_err(|e| Error::table("statements", e))?;
    }
    let update = Update {
        meta,
        articles: articles.into_values().map(|(r, _)| r).collect(),
        rows_by_month,
        inputs_read: BTreeSet::new(),
        rejects,
    };
    store::commit(target, &empty, update)?;
    let fingerprint = State::fingerprint(target)?;
    let sources: Vec<String> = shards.iter().map(|s| s.describe()).collect();
    publish(target, config, &fingerprint, started_at, json!({ "merged_from": sources }))
}
