//! `eval statements`: precision, recall, F1, speaker, country and tone accuracy of the extracted
//! statements against a gold file, with `--min`/`--max` thresholds that exit 3. What counts as a
//! "quoted" prediction is the library's ([`tonetrack::eval::predicted`]); `eval tone` is in
//! [`super::learned`].
//!
//! Example: `tonetrack eval statements --gold ../shared/datasets/polnear/dev.gold.jsonl
//! --articles ../shared/datasets/polnear/dev.articles.jsonl --subset quoted`.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use tracing::warn;

use tonetrack::config::Config;
use tonetrack::eval;
use tonetrack::pipeline::{self, Engine};
use tonetrack::types::ProcessedArticle;

use super::args::{EvalArgs, EvalTargetsArgs};
use super::load;
use crate::EXIT_BELOW_THRESHOLD;

/// Reads the articles of `path` (logging its rejects) and runs the engine over them; an input
/// without one readable article is an error.
pub fn processed_articles(
    engine: &Engine,
    config: &Config,
    path: &Path,
) -> Result<Vec<ProcessedArticle>> {
    let (articles, rejects) = pipeline::read_articles_blocking(path, config);
    for r in &rejects {
        warn!(
            "{}{}: {}",
            r.input,
            r.line.map(|l| format!(":{l}")).unwrap_or_default(),
            r.reason
        );
    }
    if articles.is_empty() {
        bail!("{}: no readable article", path.display());
    }
    Ok(articles.into_iter().map(|a| engine.process(a)).collect())
}

fn parse_threshold(s: &str) -> Result<(String, f64)> {
    let (k, v) = s
        .split_once('=')
        .with_context(|| format!("threshold {s:?}: write METRIC=VALUE"))?;
    let v: f64 = v
        .parse()
        .with_context(|| format!("threshold {s:?}: {v:?} is not a number"))?;
    Ok((k.to_string(), v))
}

pub fn eval_statements(args: EvalArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let gold = eval::read_gold(&args.gold)?;
    let terms = args
        .not_statements
        .as_deref()
        .map(eval::read_gold)
        .transpose()?;
    let preds: Vec<_> = processed_articles(&engine, &config, &args.articles)?
        .iter()
        .flat_map(eval::predicted)
        .collect();
    let (report, mismatches) = eval::evaluate(&gold, &preds, args.subset, terms.as_deref());
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    if let Some(path) = &args.mismatches {
        let mut text = String::new();
        for m in &mismatches {
            text.push_str(&serde_json::to_string(m)?);
            text.push('\n');
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut failed = false;
    for (list, is_min) in [(&args.min, true), (&args.max, false)] {
        for t in list {
            let (name, bound) = parse_threshold(t)?;
            let value = eval::metric(&report, &name)
                .with_context(|| format!("unknown or empty metric {name:?}"))?;
            let ok = if is_min {
                value >= bound
            } else {
                value <= bound
            };
            if !ok {
                failed = true;
                eprintln!(
                    "FAIL: {name} = {value} is {} {bound}",
                    if is_min { "below" } else { "above" }
                );
            }
        }
    }
    Ok(if failed { EXIT_BELOW_THRESHOLD } else { 0 })
}

/// `eval targets`: the work is in `tonetrack::target::eval`.
pub fn eval_targets(args: EvalTargetsArgs) -> Result<u8> {
    use tonetrack::target::eval as targets;
    let (config, engine) = load(&args.common)?;
    let (report, mismatches, accuracy) = match (&args.gold, &args.statements, &args.articles) {
        (Some(gold), _, _) => {
            let (r, m) = targets::evaluate(gold, &engine.registry, &engine.targeter)
                .with_context(|| format!("evaluating targets on {}", gold.display()))?;
            let m = m
                .iter()
                .map(serde_json::to_value)
                .collect::<std::result::Result<Vec<_>, _>>()?;
            (serde_json::to_value(&r)?, m, r.accuracy)
        }
        (None, Some(gold), Some(articles)) => {
            let processed = processed_articles(&engine, &config, articles)?;
            let (r, m) = targets::score_held_out(gold, &targets::read_held_out(gold)?, &processed);
            (serde_json::to_value(&r)?, m, r.accuracy)
        }
        _ => bail!("give --gold, or --statements with --articles"),
    };
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    if let Some(path) = &args.mismatches {
        let text: String = mismatches.iter().map(|m| format!("{m}\n")).collect();
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    match (args.min_accuracy, accuracy) {
        (Some(min), Some(acc)) if acc < min => {
            eprintln!("FAIL: accuracy = {acc} is below {min}");
            Ok(EXIT_BELOW_THRESHOLD)
        }
        (Some(_), None) => {
            eprintln!("FAIL: nothing could be scored");
            Ok(EXIT_BELOW_THRESHOLD)
        }
        _ => Ok(0),
    }
}
