//! `train speakers`: the speaker re-ranker's files and report. The model selection is the
//! library's ([`tonetrack::train::select`]); `train` alone (the tone head) is in
//! [`super::learned`].
//!
//! Example: `tonetrack train speakers --out /tmp/ranker.toml` rebuilds
//! models/speaker-ranker.toml from PolNeAR train (CI compares the two byte for byte).

use std::io::Write;

use anyhow::{anyhow, Context, Result};
use tracing::warn;

use tonetrack::eval;
use tonetrack::pipeline;
use tonetrack::train::select::{self, SelectError, Settings};

use super::args::TrainSpeakersArgs;
use super::load;

/// Cross-validates the speaker re-ranker by article, picks the epochs and margin with the best
/// held-out accuracy, retrains on everything and writes the weights.
pub fn train_speakers(args: TrainSpeakersArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let gold = eval::read_gold(&args.gold)?;
    let (articles, rejects) = pipeline::read_articles_blocking(&args.articles, &config);
    if !rejects.is_empty() {
        warn!(
            "{}: {} unreadable articles",
            args.articles.display(),
            rejects.len()
        );
    }
    let settings = Settings {
        folds: args.folds,
        epochs: args.epochs.clone(),
        margins: args.margin.clone(),
        trusted: select::trusted_sets(&args.trusted).context("--trusted")?,
        seed: args.seed,
    };
    let chosen = select::select(engine, articles, &gold, &settings).map_err(|e| match e {
        SelectError::NoQuotes => anyhow!("{}: {e}", args.gold.display()),
        SelectError::NoSetting => anyhow!(e),
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} quotes in {} articles; a right speaker among the candidates of {} ({:.4})",
        chosen.quotes,
        chosen.articles,
        chosen.reachable,
        chosen.reachable as f64 / chosen.quotes as f64
    )?;
    for r in &chosen.results {
        writeln!(
            out,
            "epochs {:>3} margin {:>4.1} trusted {:?}: rules {:.4} ranked {:.4} (folds: {})",
            r.epochs,
            r.margin,
            r.trusted,
            r.rules_accuracy(),
            r.ranked_accuracy(),
            r.folds
                .iter()
                .map(|(n, a, b)| format!(
                    "{:.3}/{:.3}",
                    *a as f64 / *n as f64,
                    *b as f64 / *n as f64
                ))
                .collect::<Vec<_>>()
                .join(" ")
        )?;
    }
    let about = chosen.about(&args.gold, &settings);
    std::fs::write(&args.out, chosen.model.to_toml(&about))
        .with_context(|| format!("writing {}", args.out.display()))?;
    writeln!(
        out,
        "chose epochs {} margin {}; wrote {}",
        chosen.best.epochs,
        chosen.best.margin,
        args.out.display()
    )?;
    Ok(0)
}
