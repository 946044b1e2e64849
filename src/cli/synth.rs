//! `synth`: write a deterministic synthetic news corpus (JSON Lines, ~4 KB articles) for
//! benchmarks; `bench --synthetic` uses the same generator.
//!
//! Example: `tonetrack synth --articles 10000 --out corpus.jsonl`; `tonetrack synth --world DIR`
//! writes a world of many countries and visits with its config (see `tonetrack::synth::world`).

use std::io::Write;

use anyhow::{bail, Context, Result};
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
    if let Some(dir) = &args.world {
        let opts = tonetrack::synth::world::WorldOptions {
            countries: args.countries,
            visits: args.visits,
            articles: args.articles,
            seed: args.seed,
            mean_bytes: args.mean_bytes,
            ..Default::default()
        };
        let stats = tonetrack::synth::world::write_world(dir, &opts)
            .with_context(|| format!("writing {}", dir.display()))?;
        info!(
            "{} articles in {}: run them with --config {}",
            stats.articles,
            dir.display(),
            dir.join("tonetrack.toml").display()
        );
        return Ok(0);
    }
    let Some(out_path) = args.out else {
        bail!("give --out FILE or --world DIR");
    };
    let stats = if out_path.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)?;
        out.flush()?;
        stats
    } else {
        let file = std::fs::File::create(&out_path)
            .with_context(|| format!("creating {}", out_path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)
            .with_context(|| format!("writing {}", out_path.display()))?;
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
