//! The learned scorers' offline work, for the binary's `train`, `eval tone` and
//! `bench transformer`: embedding labelled sets once, training the head and writing its model
//! card, comparing the three scorers on a gold file or by cross-validation, and timing the
//! transformer scorer.

use std::time::Instant;

use serde::Serialize;

use super::{worker_options, Embedder, LearnedScorer, ModelDir};
use crate::error::Result;
use crate::models::ModelFile;
use crate::tone::head::{EmbeddingModel, HeadFile, HEAD_SCHEMA_VERSION, LABELS};
use crate::tone::train::{
    cross_validate, features, fit_tuned, label_index, metrics, predict, CvReport, Dataset,
    HeadKind, Metrics, Prepared,
};
use crate::tone::{LexiconScorer, Precision, ToneInput, ToneScorer, TransformerOptions};

/// Embeds every example of every set in one call (one sorted pass over all texts) and scores
/// it with the lexicon.
pub fn prepare(
    sets: &[Dataset],
    embedder: &Embedder,
    lexicon: &LexiconScorer,
) -> Result<Vec<Vec<Prepared>>> {
    let texts: Vec<&str> = sets
        .iter()
        .flat_map(|s| s.examples.iter().map(|e| e.text.as_str()))
        .collect();
    let mut embeddings = embedder.embed(&texts)?.into_iter();
    let mut out = Vec::new();
    for set in sets {
        let mut prepared = Vec::new();
        for e in &set.examples {
            prepared.push(Prepared {
                label: label_index(e.label),
                embedding: embeddings.next().unwrap_or_default(),
                lexicon: lexicon.score(&ToneInput {
                    text: &e.text,
                    cue: None,
                }),
            });
        }
        out.push(prepared);
    }
    Ok(out)
}

/// `k`-fold cross-validation over each set, the heads trained on the other folds plus all the
/// other sets (see [`cross_validate`]).
pub fn cross_validate_sets(
    sets: &[Dataset],
    prepared: &[Vec<Prepared>],
    k: usize,
    seed: u64,
) -> Vec<CvReport> {
    (0..sets.len())
        .map(|i| {
            let extra: Vec<&Prepared> = prepared
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, p)| p.iter())
                .collect();
            cross_validate(&sets[i].name, &prepared[i], &extra, k, seed)
        })
        .collect()
}

/// What `tonetrack train` produces.
pub struct Trained {
    pub head: HeadFile,
    pub card: String,
    pub cv: Vec<CvReport>,
    /// In-sample (training-set) metrics of the two heads, for the card's sanity line.
    pub fit: [Metrics; 2],
}

/// Facts about the embedding model that go into the head file.
pub struct ModelFacts {
    pub name: String,
    pub safetensors_sha256: String,
    pub dim: usize,
    pub max_seq_length: usize,
}

/// Trains both heads on all examples of all sets (L2 chosen by 5-fold CV on that data), runs
/// the `cv`-fold comparison when `cv > 1`, and writes the model card.
#[allow(clippy::too_many_arguments)]
pub fn train(
    sets: &[Dataset],
    prepared: &[Vec<Prepared>],
    lexicon_file: &ModelFile,
    lexicon_version: &str,
    model: ModelFacts,
    version: &str,
    cv: usize,
    seed: u64,
) -> Trained {
    let all: Vec<&Prepared> = prepared.iter().flatten().collect();
    let y: Vec<usize> = all.iter().map(|p| p.label).collect();
    let mut layers = Vec::new();
    let mut fit = Vec::new();
    for kind in [HeadKind::Transformer, HeadKind::Ensemble] {
        let x: Vec<Vec<f64>> = all
            .iter()
            .map(|p| features(kind, &p.embedding, &p.lexicon))
            .collect();
        let layer = fit_tuned(&x, &y, kind, 5, seed);
        let pred: Vec<usize> = x.iter().map(|v| predict(&layer, v)).collect();
        fit.push(metrics(&y, &pred));
        layers.push(layer);
    }
    let ensemble = layers.pop().unwrap_or_else(|| unreachable_layer());
    let transformer = layers.pop().unwrap_or_else(|| unreachable_layer());
    let head = HeadFile {
        schema_version: HEAD_SCHEMA_VERSION,
        version: version.to_string(),
        embedding: EmbeddingModel {
            name: model.name,
            safetensors_sha256: model.safetensors_sha256,
            dim: model.dim,
            max_seq_length: model.max_seq_length,
        },
        labels: LABELS.iter().map(|l| l.as_str().to_string()).collect(),
        lexicon_sha256: lexicon_file.sha256.clone(),
        transformer,
        ensemble,
        tuned: None,
    };
    let cv_reports = if cv > 1 {
        cross_validate_sets(sets, prepared, cv, seed)
    } else {
        Vec::new()
    };
    let fit = [fit[0].clone(), fit[1].clone()];
    let card = model_card(
        &head,
        sets,
        lexicon_file,
        lexicon_version,
        &cv_reports,
        &fit,
        seed,
    );
    Trained {
        head,
        card,
        cv: cv_reports,
        fit,
    }
}

fn unreachable_layer() -> crate::tone::head::Layer {
    crate::tone::head::Layer {
        features: Vec::new(),
        l2: 0.0,
        weights: Vec::new(),
        bias: Vec::new(),
    }
}

fn model_card(
    head: &HeadFile,
    sets: &[Dataset],
    lexicon: &ModelFile,
    lexicon_version: &str,
    cv: &[CvReport],
    fit: &[Metrics; 2],
    seed: u64,
) -> String {
    let mut s = String::new();
    s.push_str("# Model card: tone head (`models/tone-head.json`)\n\n");
    s.push_str("Written by `tonetrack train`; do not edit by hand (rerun the command instead). ");
    s.push_str("The head turns a sentence embedding into probabilities of conciliatory, neutral and firm; ");
    s.push_str("`--scorer transformer` uses the embedding alone, `--scorer ensemble` the embedding plus the tone ");
    s.push_str("lexicon's tone, sentiment, whether it found a cue, and its label (two 0/1 flags). Tone = P(conciliatory) − P(firm).\n\n");
    s.push_str(&format!(
        "- head version: `{}` (schema {})\n",
        head.version, head.schema_version
    ));
    s.push_str(&format!(
        "- embedding model: `{}`, mean pooling over real tokens then unit length, max {} tokens, {} dimensions; `model.safetensors` sha256 `{}`\n",
        head.embedding.name, head.embedding.max_seq_length, head.embedding.dim, head.embedding.safetensors_sha256
    ));
    s.push_str(&format!("- tone lexicon for the ensemble's features: `{}` version `{lexicon_version}`, sha256 `{}`\n", lexicon.name, lexicon.sha256));
    s.push_str(&format!(
        "- layers: multinomial logistic regression (softmax), L-BFGS, L2 on weights chosen from {:?} by 5-fold CV on the training data: transformer L2 = {}, ensemble L2 = {}\n",
        crate::tone::train::L2_GRID,
        head.transformer.l2,
        head.ensemble.l2
    ));
    s.push_str(&format!("- folds: stratified, SplitMix64 seed {seed}\n\n"));
    s.push_str("## Training data\n\n");
    // The same table as the fine-tuned model's card.
    s.push_str(&super::tune::data_table(sets));
    s.push_str(
        "\nCAMEO classes read as tone: `verbal_cooperation` → conciliatory, `statement` → neutral, `verbal_conflict` → firm; \
`material_cooperation` and `material_conflict` describe deeds, not words, and are not used. The classes label the reported \
event, not the speaker's stance, so the mapped set is a noisy proxy (verbal conflict includes investigations and accusations \
reported neutrally).\n\n",
    );
    s.push_str(&format!(
        "In-sample fit on all training data (optimistic, a sanity check only): transformer accuracy {:.3} / macro-F1 {:.3}, ensemble {:.3} / {:.3}.\n\n",
        fit[0].accuracy, fit[0].macro_f1, fit[1].accuracy, fit[1].macro_f1
    ));
    if !cv.is_empty() {
        s.push_str(&format!(
            "## Cross-validation ({} folds)\n\n",
            cv[0].folds.len()
        ));
        s.push_str("Each set is split into stratified folds; for each fold both heads are trained (L2 chosen by an inner 3-fold CV) on the other folds plus all of the other set, ");
        s.push_str("and the three scorers are scored on the held-out fold. The lexicon is not trained: its numbers are its plain scores on each fold.\n\n");
        s.push_str("| set | scorer | mean macro-F1 | mean accuracy | macro-F1 per fold |\n|---|---|---|---|---|\n");
        for r in cv {
            for (name, f1, acc, per) in [
                (
                    "lexicon",
                    r.mean_macro_f1.lexicon,
                    r.mean_accuracy.lexicon,
                    r.folds
                        .iter()
                        .map(|f| f.lexicon.macro_f1)
                        .collect::<Vec<_>>(),
                ),
                (
                    "transformer",
                    r.mean_macro_f1.transformer,
                    r.mean_accuracy.transformer,
                    r.folds.iter().map(|f| f.transformer.macro_f1).collect(),
                ),
                (
                    "ensemble",
                    r.mean_macro_f1.ensemble,
                    r.mean_accuracy.ensemble,
                    r.folds.iter().map(|f| f.ensemble.macro_f1).collect(),
                ),
            ] {
                let per: Vec<String> = per.iter().map(|v| format!("{v:.3}")).collect();
                s.push_str(&format!(
                    "| {} | {name} | {f1:.3} | {acc:.3} | {} |\n",
                    r.dataset,
                    per.join(" ")
                ));
            }
        }
        s.push('\n');
    }
    s.push_str("## Use and limits\n\n");
    s.push_str("- Trained on English news sentences and on short synthetic statements in US and Chinese official registers; expect lower scores on other registers and languages.\n");
    // The size from the data itself, so the card cannot go stale when the set grows.
    let diplomatic = sets
        .iter()
        .find(|d| d.name == "diplomatic")
        .map(|d| d.examples.len().to_string())
        .unwrap_or_else(|| "not used".into());
    s.push_str(&format!("- The diplomatic set is small ({diplomatic}) and written by the tonetrack team; the tone lexicon was developed with the same registers in mind, which flatters the lexicon's (and so the ensemble's) numbers on it.\n"));
    s.push_str("- Statement fragments (\"productive\", \"progress\") are far from the training sentences; the ensemble leans on the lexicon there.\n");
    s.push_str("- A changed embedding model is refused at load (sha256 check); a changed lexicon only warns, and the ensemble should then be retrained.\n\n");
    s.push_str(
        "Reproduce: `scripts/setup-transformer.sh && cargo run --release -- train --cv 5`.\n",
    );
    s
}

/// Scores of the three scorers on a labelled set.
#[derive(Debug, Clone, Serialize)]
pub struct GoldReport {
    pub file: String,
    pub n: usize,
    pub scorers: Vec<(String, Metrics)>,
}

/// Lexicon, transformer and ensemble (those in `which`) on one labelled file.
pub fn evaluate_gold(
    gold: &Dataset,
    prepared: &[Prepared],
    head: &HeadFile,
    which: &[&str],
) -> GoldReport {
    let y: Vec<usize> = prepared.iter().map(|p| p.label).collect();
    let mut scorers = Vec::new();
    for &name in which {
        let pred: Vec<usize> = match name {
            "transformer" => prepared
                .iter()
                .map(|p| {
                    predict(
                        &head.transformer,
                        &features(HeadKind::Transformer, &p.embedding, &p.lexicon),
                    )
                })
                .collect(),
            "ensemble" => prepared
                .iter()
                .map(|p| {
                    predict(
                        &head.ensemble,
                        &features(HeadKind::Ensemble, &p.embedding, &p.lexicon),
                    )
                })
                .collect(),
            _ => prepared
                .iter()
                .map(|p| label_index(p.lexicon.label))
                .collect(),
        };
        scorers.push((name.to_string(), metrics(&y, &pred)));
    }
    GoldReport {
        file: gold.path.clone(),
        n: y.len(),
        scorers,
    }
}

/// A gold report as text: accuracy and macro-F1 per scorer, then each confusion matrix.
pub fn gold_table(r: &GoldReport) -> String {
    let mut s = format!(
        "{} ({} statements)\nscorer        accuracy  macro-F1   F1 conc  F1 neut  F1 firm\n",
        r.file, r.n
    );
    for (name, m) in &r.scorers {
        s.push_str(&format!(
            "{name:<12}  {:>8.3}  {:>8.3}   {:>7.3}  {:>7.3}  {:>7.3}\n",
            m.accuracy, m.macro_f1, m.f1[0], m.f1[1], m.f1[2]
        ));
    }
    for (name, m) in &r.scorers {
        s.push_str(&format!("\n{name}: confusion (rows gold, columns predicted)\n              conciliatory  neutral     firm\n"));
        for (k, row) in m.confusion.iter().enumerate() {
            s.push_str(&format!(
                "{:<12}  {:>12}  {:>7}  {:>7}\n",
                LABELS[k].as_str(),
                row[0],
                row[1],
                row[2]
            ));
        }
    }
    s
}

/// One benchmark measurement.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub engine: String,
    pub statements: usize,
    pub selection_sha256: String,
    pub batch_size: usize,
    /// The encoder's number format (`--precision`, resolved).
    pub precision: &'static str,
    pub replicas: usize,
    pub threads_per_replica: usize,
    pub sorted_by_length: bool,
    pub load_seconds: f64,
    pub passes: Vec<f64>,
    pub best_seconds: f64,
    pub median_seconds: f64,
    pub statements_per_second: f64,
}

fn summarise(
    engine: &str,
    texts: &[String],
    sha: &str,
    load: f64,
    passes: Vec<f64>,
    w: (usize, usize, usize, bool),
) -> BenchReport {
    let mut sorted = passes.clone();
    sorted.sort_by(f64::total_cmp);
    let best = sorted.first().copied().unwrap_or(f64::NAN);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    BenchReport {
        engine: engine.to_string(),
        statements: texts.len(),
        selection_sha256: sha.to_string(),
        batch_size: w.0,
        precision: Precision::F32.as_str(),
        replicas: w.1,
        threads_per_replica: w.2,
        sorted_by_length: w.3,
        load_seconds: load,
        passes,
        best_seconds: best,
        median_seconds: median,
        statements_per_second: texts.len() as f64 / median,
    }
}

/// Times the transformer scorer (tokenising, encoding, head, lexicon sentiment) over `texts`,
/// after one warm-up batch; `repeat` passes, throughput from the median pass.
pub fn bench_scorer(
    texts: &[String],
    sha: &str,
    head_file: &ModelFile,
    lexicon: LexiconScorer,
    lexicon_sha: &str,
    options: &TransformerOptions,
    sorted: bool,
    repeat: usize,
) -> Result<BenchReport> {
    let started = Instant::now();
    let mut opts = worker_options(options);
    opts.sort_by_length = sorted;
    let loaded = super::load_with(head_file, lexicon_sha, options, opts)?;
    let scorer = LearnedScorer::new(HeadKind::Transformer, &loaded, lexicon);
    let inputs: Vec<ToneInput> = texts
        .iter()
        .map(|t| ToneInput { text: t, cue: None })
        .collect();
    scorer.score_batch(&inputs[..inputs.len().min(opts.batch_size)]);
    let load = started.elapsed().as_secs_f64();
    let mut passes = Vec::new();
    for _ in 0..repeat.max(1) {
        // Every pass scores the statements afresh: the per-run cache would answer a repeat
        // from memory (2,000 statements in 4 ms), which measures nothing.
        scorer.forget();
        let t = Instant::now();
        let scores = scorer.score_batch(&inputs);
        passes.push(t.elapsed().as_secs_f64());
        debug_assert_eq!(scores.len(), inputs.len());
    }
    Ok(BenchReport {
        precision: options.precision.as_str(),
        ..summarise(
            "tonetrack transformer scorer (tch forward, tokenizers)",
            texts,
            sha,
            load,
            passes,
            (
                opts.batch_size,
                opts.replicas,
                opts.threads_per_replica,
                sorted,
            ),
        )
    })
}

/// Times rust-bert's own `SentenceEmbeddingsModel` pipeline on the same texts, on this thread,
/// in batches of `batch_size` (sorted by length or in input order), for comparison.
pub fn bench_rust_bert(
    texts: &[String],
    sha: &str,
    options: &TransformerOptions,
    sorted: bool,
    repeat: usize,
) -> Result<BenchReport> {
    let started = Instant::now();
    let model = ModelDir::open(&options.resolved_model_dir())?;
    let rb = super::reference::rust_bert_model(&model, worker_options(options).device)?;
    let threads = match options.threads_per_replica {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        n => n,
    };
    tch::set_num_threads(threads as i32);
    let mut order: Vec<&str> = texts.iter().map(String::as_str).collect();
    if sorted {
        order.sort_by_key(|t| std::cmp::Reverse(t.len()));
    }
    let batch = options.batch_size.max(1);
    super::reference::encode(&rb, &order[..order.len().min(batch)])?;
    let load = started.elapsed().as_secs_f64();
    let mut passes = Vec::new();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        for chunk in order.chunks(batch) {
            super::reference::encode(&rb, chunk)?;
        }
        passes.push(t.elapsed().as_secs_f64());
    }
    Ok(summarise(
        "rust-bert SentenceEmbeddingsModel",
        texts,
        sha,
        load,
        passes,
        (batch, 1, threads, sorted),
    ))
}
