//! `bench`: throughput and peak memory, in memory on a file of articles (`--articles`) or end to
//! end on a synthetic corpus (`--synthetic N`: generate, then a real `run` into a scratch
//! folder). `bench transformer` is in [`super::learned`].
//!
//! Example: `tonetrack bench --articles ../shared/datasets/polnear/train.articles.jsonl --repeat 5`,
//! or `tonetrack bench --synthetic 100000 --jobs 2`.

use std::io::Write;
#[cfg(feature = "tables")]
use std::path::{Path, PathBuf};
#[cfg(feature = "tables")]
use std::sync::Arc;
use std::time::Instant;

#[cfg(feature = "tables")]
use anyhow::Context;
use anyhow::{bail, Result};
use serde_json::json;
#[cfg(feature = "tables")]
use tracing::info;

#[cfg(feature = "tables")]
use tonetrack::job::{self, RunOptions};
use tonetrack::pipeline;

use super::args::BenchArgs;
use super::{load, peak_rss_mib};

#[cfg(feature = "tables")]
/// `bench --synthetic N`: generate a corpus, then time a real `run` over it into a fresh folder.
pub fn bench_end_to_end(args: BenchArgs, n: u64) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let engine_scorer = (
        engine.scorer.name().to_string(),
        engine.scorer.version().to_string(),
    );
    let scratch = match &args.work {
        Some(w) => {
            std::fs::create_dir_all(w).with_context(|| format!("creating {}", w.display()))?;
            tempfile_in(w)?
        }
        None => tempfile_in(&std::env::temp_dir())?,
    };
    let corpus = scratch.join("corpus.jsonl");
    let out = scratch.join("out");
    let generated = Instant::now();
    let cast = tonetrack::synth::Cast::from_registry(&engine.registry);
    let opts = tonetrack::synth::SynthOptions {
        articles: n,
        seed: args.seed,
        mean_bytes: 4000,
    };
    let file =
        std::fs::File::create(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = tonetrack::synth::write_corpus(&mut w, &cast, &opts)?;
    w.flush()?;
    drop(w);
    let generate_s = generated.elapsed().as_secs_f64();
    let rss_before_run = peak_rss_mib();
    info!(
        "generated {n} articles ({:.0} MB) in {generate_s:.1} s; running",
        stats.bytes as f64 / 1e6
    );

    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.clamp(1, 4))
        .max_blocking_threads(jobs.max(1))
        .enable_all()
        .build()?;
    let storage = tonetrack::store::LocalStorage::new(&out)?;
    let opts = RunOptions {
        inputs: vec![corpus.clone()],
        jobs,
        ..RunOptions::default()
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let report = job::run(
        &runtime,
        Arc::new(engine),
        Arc::new(config),
        &storage,
        &opts,
        &chrono::Utc::now().to_rfc3339(),
        Arc::new(|_| {}),
    )?;
    let run_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let report = json!({
        "mode": "end-to-end run on a synthetic corpus",
        "articles": report.added,
        "statements": report.statements_added,
        "rejects": report.rejects,
        "megabytes": stats.bytes as f64 / 1e6,
        "jobs": jobs,
        "generate_seconds": generate_s,
        "run_seconds": run_s,
        "cpu_seconds": cpu_s,
        "articles_per_second": report.added as f64 / run_s,
        "statements_per_second": report.statements_added as f64 / run_s,
        "megabytes_per_second": stats.bytes as f64 / 1e6 / run_s,
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_mib_before_run": rss_before_run,
        "scratch": args.keep.then(|| scratch.display().to_string()),
        // Which scorer and weights (and, for the learned ones, which precision) were timed.
        "scorer": engine_scorer.0,
        "scorer_version": engine_scorer.1,
    });
    if !args.keep {
        std::fs::remove_dir_all(&scratch)
            .with_context(|| format!("removing {}", scratch.display()))?;
    }
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    Ok(0)
}

#[cfg(feature = "tables")]
/// A fresh, uniquely named folder under `parent`.
fn tempfile_in(parent: &Path) -> Result<PathBuf> {
    let dir = parent.join(format!(
        "tonetrack-bench-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(feature = "tables")]
/// User + system CPU time of this process so far, in seconds (Linux), to tell how many cores a
/// run kept busy.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

pub fn bench(args: BenchArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let Some(input) = args.articles.clone() else {
        bail!("give --articles FILE or --synthetic N")
    };
    let (articles, rejects) = pipeline::read_articles_blocking(&input, &config);
    if articles.is_empty() {
        bail!(
            "{}: no readable article ({} rejects)",
            input.display(),
            rejects.len()
        );
    }
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut passes = Vec::new();
    let mut statements = 0;
    for _ in 0..args.repeat.max(1) {
        let batch = articles.clone();
        let started = Instant::now();
        statements = batch
            .into_iter()
            .map(|a| engine.process(a).statements.len())
            .sum::<usize>();
        passes.push(started.elapsed().as_secs_f64());
    }
    let best = passes.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = passes.iter().sum::<f64>() / passes.len() as f64;
    let report = json!({
        "input": input.display().to_string(),
        "articles": articles.len(),
        "statements": statements,
        "megabytes": bytes as f64 / 1e6,
        "passes": passes.len(),
        "threads": 1,
        "best_seconds": best,
        "mean_seconds": mean,
        "articles_per_second": articles.len() as f64 / best,
        "statements_per_second": statements as f64 / best,
        "megabytes_per_second": bytes as f64 / 1e6 / best,
        "peak_rss_mib": peak_rss_mib(),
        "scorer": engine.scorer.name(),
    });
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    Ok(0)
}
