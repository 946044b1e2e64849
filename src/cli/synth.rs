//! `synth`: write a deterministic synthetic news corpus (JSON Lines, ~4 KB articles) for
//! benchmarks; `bench --synthetic` uses the same generator.
//!
//! Example: `tonetrack synth --articles 10000 --out corpus.jsonl`.

use std::io::Write;

use anyhow::{Context, Result};
use tracing::info;

use super::args::SynthArgs;
use super::load;

pub fn synth(args: SynthArgs) -> Result<u8> {
    let (_, engine) = load(&args.common)?;
    let cast = tonetrack::synth::Cast::from_registry(&engine.registry);
    let opts = tonetrack::synth::SynthOptions {
        articles: args.articles,
        seed: args.seed,
        mean_bytes: args.mean_bytes,
    };
    let stats = if args.out.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)?;
        out.flush()?;
        stats
    } else {
        let file = std::fs::File::create(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)
            .with_context(|| format!("writing {}", args.out.display()))?;
        out.flush()?;
        stats
    };
    info!(
        "{} articles, {:.1} MB of text, {} quotation constructions",
        stats.articles,
        stats.bytes as f64 / 1e6,
        stats.constructions
    );
    Ok(0)
}
