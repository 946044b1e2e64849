//! The table commands that write a run's output folder: `run` (read articles, publish the
//! statements and tone tables), `merge` (combine the folders of `run --shard I/N` copies), and
//! `check` (audit the folder's state under the same lock).
//!
//! Example: `tonetrack run notebooks-data --config notebooks-data/tonetrack.toml --out out`,
//! `tonetrack merge shard0 shard1 --out out`, or `tonetrack check --out out`.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tracing::{info, warn};

use tonetrack::config::Config;
use tonetrack::job::{self, RunOptions};
use tonetrack::pipeline::Engine;
use tonetrack::store::{lock::LockRequest, State, Storage};
use tonetrack::tone::ScorerKind;

use super::args::{CheckArgs, MergeArgs, RunArgs};
use super::{load_with, storage_for};
use crate::{EXIT_DAMAGED, EXIT_REJECTS_STRICT};

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    let progress = indicatif::ProgressBar::new_spinner();
    if quiet {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else {
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} articles processed ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
    }
    progress
}

pub fn run(args: RunArgs, quiet: bool) -> Result<u8> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339();
    let storage = storage_for(&args.out)?;
    // `--precision auto` keeps the precision of the statements already in the folder, so a
    // schedule that moves to another kind of machine goes on without --rebuild.
    let state_version = match args.rebuild {
        true => None,
        false => State::read_meta(storage.as_ref())?.map(|m| m.scorer_version),
    };
    let (options, why) = args
        .common
        .transformer
        .options_for_state(state_version.as_deref());
    let (config, engine) = load_with(&args.common, &options)?;
    if args.common.scorer.is_learned() {
        info!(
            "scoring with the {} scorer in {} ({})",
            args.common.scorer.as_str(),
            options.precision.as_str(),
            why.as_str()
        );
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let progress = progress_bar(quiet);
    let bar = progress.clone();
    let on_progress: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |n| bar.inc(n as u64));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.clamp(1, 4))
        .max_blocking_threads(jobs.max(1))
        .enable_all()
        .build()?;
    let opts = RunOptions {
        inputs: args.inputs.clone(),
        jobs,
        since: args.since,
        until: args.until,
        shard: args.shard,
        rebuild: args.rebuild,
        lock: LockRequest::for_this_process(Duration::from_secs(args.wait))?,
    };
    let report = job::run(
        &runtime,
        Arc::new(engine),
        Arc::new(config),
        storage.as_ref(),
        &opts,
        &started_at,
        on_progress,
    )?;
    progress.finish_and_clear();
    for line in &report.reject_lines {
        warn!("{line}");
    }
    if !report.repaired.is_empty() {
        warn!(
            "repaired {} damaged articles by processing them again: {}",
            report.repaired.len(),
            first_ids(&report.repaired)
        );
    }
    if !report.still_damaged.is_empty() {
        warn!(
            "{} damaged articles are not in this run's inputs and still lack statement rows (give their inputs to repair them): {}",
            report.still_damaged.len(),
            first_ids(&report.still_damaged)
        );
    }
    let total_s = started.elapsed().as_secs_f64();
    let skipped = [
        (report.unchanged, "already in the state"),
        (report.outside_window, "outside --since/--until"),
        (report.other_shard, "for other shards"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, why)| format!(", {n} {why}"))
    .collect::<String>();
    let outcome = match &report.published {
        Some(p) => format!(
            "tables now hold {} articles, {} statements, {} rejects",
            p.articles, p.statements, p.rejects
        ),
        None => "nothing new: tables unchanged".to_string(),
    };
    info!(
        added = report.added,
        replaced = report.replaced,
        statements = report.statements_added,
        rejects = report.rejects,
        seconds = format!("{total_s:.2}"),
        "run finished in {total_s:.2} s: {} articles added, {} replaced{skipped}; {} statements, {} rejects this run; {outcome} → {}",
        report.added,
        report.replaced,
        report.statements_added,
        report.rejects,
        storage.describe()
    );
    if args.strict && report.rejects > 0 {
        return Ok(EXIT_REJECTS_STRICT);
    }
    Ok(0)
}

pub fn merge(args: MergeArgs) -> Result<u8> {
    let started = Instant::now();
    let config = match &args.config {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display()))?,
        None => Config::default(),
    };
    // Validates the config as the shard runs did (visit countries against the places files).
    Engine::load(&config, ScorerKind::Lexicon).context("loading models")?;
    let shards: Vec<Box<dyn Storage>> = args
        .shards
        .iter()
        .map(|s| storage_for(s))
        .collect::<Result<_>>()?;
    let shard_refs: Vec<&dyn Storage> = shards.iter().map(|s| s.as_ref()).collect();
    let target = storage_for(&args.out)?;
    let published = job::merge(
        &shard_refs,
        target.as_ref(),
        &config,
        &chrono::Utc::now().to_rfc3339(),
        &LockRequest::for_this_process(Duration::from_secs(args.wait))?,
    )?;
    info!(
        "merged {} shards in {:.2} s: {} articles, {} statements, {} rejects → {}",
        shards.len(),
        started.elapsed().as_secs_f64(),
        published.articles,
        published.statements,
        published.rejects,
        target.describe()
    );
    Ok(0)
}

/// Up to 10 ids, for a warning.
fn first_ids(ids: &[String]) -> String {
    let mut text = ids.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 10 {
        text.push_str(&format!(" and {} more", ids.len() - 10));
    }
    text
}

/// `tonetrack check`: `intact: …` (exit 0) or `damaged: …` (exit [`EXIT_DAMAGED`]) on stdout.
pub fn check(args: CheckArgs) -> Result<u8> {
    let storage = storage_for(&args.out)?;
    let lock = LockRequest::for_this_process(Duration::from_secs(args.wait))?;
    let report = job::check(storage.as_ref(), &lock)?;
    let audit = &report.audit;
    let tables = if report.tables_current() {
        "the tables were published from this state"
    } else {
        "the tables are not yet published from this state (the next run publishes them)"
    };
    let mut stdout = std::io::stdout().lock();
    if report.damaged() {
        writeln!(
            stdout,
            "damaged: {}: {} articles lack statement rows or have rows of their own: {}. Run `tonetrack run` with their inputs to process them again; state run id {}; {tables}",
            storage.describe(),
            audit.damaged.len(),
            audit.first(10),
            report.run_id
        )?;
        return Ok(EXIT_DAMAGED);
    }
    writeln!(
        stdout,
        "intact: {}: {} articles, each with its statement rows ({} in all); run id {}; {tables}",
        storage.describe(),
        audit.articles,
        audit.statements,
        report.run_id
    )?;
    Ok(0)
}
