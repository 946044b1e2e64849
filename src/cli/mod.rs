//! The binary's commands, one file per command family; their arguments are all in [`args`].
//! `main.rs` parses, sets up logging and dispatches here.
//!
//! | file          | commands                                              |
//! |---------------|-------------------------------------------------------|
//! | `run.rs`      | `run`, `merge` (write a run's output folder), `check` (audit its state); `tables` |
//! | `plot.rs`     | `plot`, `summary` (read it back; `tables`)            |
//! | `extract.rs`  | `extract`, `score`                                    |
//! | `eval.rs`     | `eval statements`                                     |
//! | `train.rs`    | `train speakers`                                      |
//! | `learned.rs`  | `train` (tone head), `eval tone`, `bench transformer` |
//! | `bench.rs`    | `bench --articles`, `bench --synthetic`               |
//! | `synth.rs`    | `synth`                                               |
//! | `actors.rs`   | `actors import`                                       |
//! | `alloc.rs`    | jemalloc and the publishing hook                      |
//!
//! Example: `tonetrack summary out` is `Command::Summary` in [`args`], dispatched by `main.rs`
//! to [`plot::summary`].

use std::path::Path;

use anyhow::{Context, Result};

use tonetrack::config::Config;
use tonetrack::pipeline::Engine;
#[cfg(feature = "tables")]
use tonetrack::store::Storage;
use tonetrack::tone::TransformerOptions;

pub mod actors;
pub mod alloc;
pub mod args;
pub mod bench;
pub mod eval;
pub mod extract;
pub mod learned;
#[cfg(feature = "tables")]
pub mod plot;
#[cfg(feature = "tables")]
pub mod run;
pub mod synth;
pub mod train;

use args::Common;

/// The error of a table command in a build without the `tables` feature (polars), such as the
/// one CI tests the transformer scorer with: the command exists, so say what it needs.
#[cfg(not(feature = "tables"))]
pub fn without_tables(command: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "`tonetrack {command}` reads or writes tables, which this build leaves out (built without the `tables` feature); \
         rebuild with the default features: `cargo build --release` (after scripts/setup-transformer.sh)"
    )
}

/// Peak resident memory of this process in MiB (Linux), for benchmark reports.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display())),
        None => Ok(Config::default()),
    }
}

pub fn load(common: &Common) -> Result<(Config, Engine)> {
    load_with(common, &common.transformer.options())
}

/// [`load`] with transformer options already resolved (`run` resolves `--precision auto`
/// against its output folder).
pub fn load_with(common: &Common, options: &TransformerOptions) -> Result<(Config, Engine)> {
    let mut config = load_config(common.config.as_deref())?;
    if let Some(format) = common.format {
        config.input.format = format;
    }
    let engine = Engine::load_with(&config, common.scorer, options).context("loading models")?;
    Ok((config, engine))
}

/// The storage behind an output folder or s3://bucket/prefix.
#[cfg(feature = "tables")]
pub fn storage_for(out: &Path) -> Result<Box<dyn Storage>> {
    let out = out.to_string_lossy();
    tonetrack::store::open(&out).with_context(|| format!("opening output {out}"))
}
