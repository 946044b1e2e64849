//! `tonetrack train tone` and `tonetrack eval tone --cv K`: the labelled sets
//! ([`crate::tone::data`]) through the fine-tuning of [`super::finetune`], cross-validated per
//! set, then trained on everything and written as `models/tone-encoder.safetensors` (the tuned
//! layers, fp16), `models/tone-head.json` (the heads, which read the tuned embedding) and the
//! model card `models/tone-head.md`. Example:
//!
//! ```text
//! let corpus = Corpus::new(sets, &model, &lexicon)?;
//! let report = cross_validate(&encoder, &corpus, &frozen, 5, &opts)?;   // per-set macro-F1, ECE
//! let model = train_final(&encoder, &corpus, &frozen, &opts)?;
//! ```

use std::time::Instant;

use serde::Serialize;

use super::encoder::{Encoder, ModelDir, Tokenizer};
use super::finetune::{self, FinetuneOptions, Frozen, Tuned};
use crate::error::Result;
use crate::tone::head::{tone_from_probabilities, Layer};
use crate::tone::train::{
    features, fit_tuned, label_counts, label_index, metrics, Dataset, HeadKind, Metrics,
};
use crate::tone::{LexiconScorer, ToneInput, ToneScorer};
use crate::types::ToneScore;

/// Every example of every set, tokenised and scored by the lexicon once.
pub struct Corpus {
    pub sets: Vec<Dataset>,
    /// Per example: its set, label index, token ids and the lexicon's score.
    pub set_of: Vec<usize>,
    pub labels: Vec<usize>,
    pub ids: Vec<Vec<i64>>,
    pub lexicon: Vec<ToneScore>,
}

impl Corpus {
    pub fn new(sets: Vec<Dataset>, model: &ModelDir, lexicon: &LexiconScorer) -> Result<Corpus> {
        let tokenizer = Tokenizer::load(model)?;
        let (mut set_of, mut labels, mut ids, mut lex) = (vec![], vec![], vec![], vec![]);
        for (s, d) in sets.iter().enumerate() {
            for e in &d.examples {
                set_of.push(s);
                labels.push(label_index(e.label));
                ids.push(tokenizer.encode(&e.text)?);
                lex.push(lexicon.score(&ToneInput {
                    text: &e.text,
                    cue: None,
                }));
            }
        }
        Ok(Corpus {
            sets,
            set_of,
            labels,
            ids,
            lexicon: lex,
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// Accuracy and F1 as [`metrics`], with the macro-F1 averaged over the classes the gold
/// labels hold: the mapped PLOVER set has no neutral class, so a neutral prediction there
/// only counts as a miss (it lowers the recall of the class it missed).
pub fn metrics_present(gold: &[usize], pred: &[usize]) -> Metrics {
    let mut m = metrics(gold, pred);
    let present: Vec<usize> = (0..3).filter(|&k| gold.contains(&k)).collect();
    if !present.is_empty() {
        m.macro_f1 = present.iter().map(|&k| m.f1[k]).sum::<f64>() / present.len() as f64;
    }
    m
}

/// Expected calibration error of a confidence: the mean over 10 equal-width bins of
/// |accuracy − mean confidence|, weighted by the bin's share of the predictions.
pub fn ece(confidence_correct: &[(f64, bool)]) -> f64 {
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    for &(c, ok) in confidence_correct {
        let b = ((c * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += c;
        bins[b].2 += usize::from(ok);
    }
    let n = confidence_correct.len().max(1) as f64;
    bins.iter()
        .filter(|b| b.0 > 0)
        .map(|&(k, conf, ok)| (k as f64 / n) * (ok as f64 / k as f64 - conf / k as f64).abs())
        .sum()
}

/// One set's cross-validation: per fold the metrics of lexicon, transformer and ensemble.
#[derive(Debug, Clone, Serialize)]
pub struct SetCv {
    pub dataset: String,
    pub n: usize,
    pub folds: Vec<[Metrics; 3]>,
    /// Mean macro-F1 over folds: lexicon, transformer, ensemble.
    pub mean_macro_f1: [f64; 3],
    pub mean_accuracy: [f64; 3],
}

/// The whole cross-validation.
#[derive(Debug, Clone, Serialize)]
pub struct TuneCv {
    pub folds: usize,
    pub sets: Vec<SetCv>,
    /// ECE of `tone_confidence` over all held-out predictions: transformer, ensemble.
    pub ece: [f64; 2],
    pub seconds: f64,
}

/// Stratified folds over (set, label), so every fold holds each set's classes in proportion.
fn folds(corpus: &Corpus, k: usize, seed: u64) -> Vec<usize> {
    let keys: Vec<usize> = (0..corpus.len())
        .map(|i| corpus.set_of[i] * 3 + corpus.labels[i])
        .collect();
    crate::tone::train::stratified_folds_by(&keys, k, seed)
}

/// Fits both heads on the tuned embeddings of `train`; returns (transformer, ensemble).
fn fit_heads(corpus: &Corpus, emb: &[Vec<f32>], train: &[usize], seed: u64) -> [Layer; 2] {
    let y: Vec<usize> = train.iter().map(|&i| corpus.labels[i]).collect();
    [HeadKind::Transformer, HeadKind::Ensemble].map(|kind| {
        let x: Vec<Vec<f64>> = train
            .iter()
            .map(|&i| features(kind, &emb[i], &corpus.lexicon[i]))
            .collect();
        fit_tuned(&x, &y, kind, 3, seed)
    })
}

/// `k`-fold cross-validation of the whole method: per fold the top layers are fine-tuned and
/// both heads fitted on the other folds of all sets, then every set's held-out part is scored.
pub fn cross_validate(
    encoder: &Encoder,
    corpus: &Corpus,
    frozen: &Frozen,
    k: usize,
    opts: &FinetuneOptions,
    progress: &dyn Fn(&str),
) -> Result<TuneCv> {
    let started = Instant::now();
    let fold = folds(corpus, k, opts.seed);
    let all: Vec<usize> = (0..corpus.len()).collect();
    let mut per_set: Vec<Vec<[Metrics; 3]>> = vec![Vec::new(); corpus.sets.len()];
    let mut calibration: [Vec<(f64, bool)>; 2] = [Vec::new(), Vec::new()];
    for f in 0..k {
        let train: Vec<usize> = all.iter().copied().filter(|&i| fold[i] != f).collect();
        let tuned = finetune::round_fp16(&finetune::train_layers(
            encoder,
            frozen,
            &corpus.labels,
            &train,
            opts,
        )?)?;
        let emb = embed_all(encoder, &tuned, frozen)?;
        let heads = fit_heads(corpus, &emb, &train, opts.seed ^ (f as u64 + 1));
        for (s, out) in per_set.iter_mut().enumerate() {
            let test: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| fold[i] == f && corpus.set_of[i] == s)
                .collect();
            let gold: Vec<usize> = test.iter().map(|&i| corpus.labels[i]).collect();
            let lex: Vec<usize> = test
                .iter()
                .map(|&i| label_index(corpus.lexicon[i].label))
                .collect();
            let mut m = vec![metrics_present(&gold, &lex)];
            for (h, (kind, layer)) in [HeadKind::Transformer, HeadKind::Ensemble]
                .into_iter()
                .zip(&heads)
                .enumerate()
            {
                let mut pred = Vec::new();
                for &i in &test {
                    let p = layer.probabilities(&features(kind, &emb[i], &corpus.lexicon[i]));
                    let (_, label, confidence) = tone_from_probabilities(p);
                    pred.push(label_index(label));
                    calibration[h].push((confidence, label_index(label) == corpus.labels[i]));
                }
                m.push(metrics_present(&gold, &pred));
            }
            out.push([m[0].clone(), m[1].clone(), m[2].clone()]);
        }
        progress(&format!(
            "fold {}/{k} done ({:.0} s)",
            f + 1,
            started.elapsed().as_secs_f64()
        ));
    }
    let sets = per_set
        .into_iter()
        .enumerate()
        .map(|(s, folds)| {
            let mean = |g: &dyn Fn(&Metrics) -> f64, j: usize| {
                folds.iter().map(|f| g(&f[j])).sum::<f64>() / folds.len().max(1) as f64
            };
            SetCv {
                dataset: corpus.sets[s].name.clone(),
                n: corpus.set_of.iter().filter(|&&x| x == s).count(),
                mean_macro_f1: [0, 1, 2].map(|j| mean(&|m| m.macro_f1, j)),
                mean_accuracy: [0, 1, 2].map(|j| mean(&|m| m.accuracy, j)),
                folds,
            }
        })
        .collect();
    Ok(TuneCv {
        folds: k,
        sets,
        ece: [ece(&calibration[0]), ece(&calibration[1])],
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn embed_all(encoder: &Encoder, tuned: &Tuned, frozen: &Frozen) -> Result<Vec<Vec<f32>>> {
    let all: Vec<usize> = (0..frozen.states.len()).collect();
    finetune::embed(encoder, tuned, frozen, &all)
}

/// The shipped model: the top layers fine-tuned on every example (rounded to fp16, as the
/// scorer reads them) and both heads fitted on their embeddings.
pub struct FinalModel {
    pub tuned: Tuned,
    pub transformer: Layer,
    pub ensemble: Layer,
    /// In-sample metrics (a sanity check only): transformer, ensemble.
    pub fit: [Metrics; 2],
    pub seconds: f64,
}

pub fn train_final(
    encoder: &Encoder,
    corpus: &Corpus,
    frozen: &Frozen,
    opts: &FinetuneOptions,
) -> Result<FinalModel> {
    let started = Instant::now();
    let all: Vec<usize> = (0..corpus.len()).collect();
    let tuned = finetune::round_fp16(&finetune::train_layers(
        encoder,
        frozen,
        &corpus.labels,
        &all,
        opts,
    )?)?;
    let emb = embed_all(encoder, &tuned, frozen)?;
    let [transformer, ensemble] = fit_heads(corpus, &emb, &all, opts.seed);
    let fit = [
        (HeadKind::Transformer, &transformer),
        (HeadKind::Ensemble, &ensemble),
    ]
    .map(|(kind, layer)| {
        let pred: Vec<usize> = all
            .iter()
            .map(|&i| {
                crate::tone::train::predict(layer, &features(kind, &emb[i], &corpus.lexicon[i]))
            })
            .collect();
        metrics(&corpus.labels, &pred)
    });
    Ok(FinalModel {
        tuned,
        transformer,
        ensemble,
        fit,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// What training and cross-validation start from: the base encoder, the corpus and the frozen
/// lower layers' states.
pub struct Setup {
    pub model: ModelDir,
    pub encoder: Encoder,
    pub corpus: Corpus,
    pub frozen: Frozen,
    /// Seconds spent tokenising and running the frozen layers.
    pub seconds: f64,
}

impl Setup {
    /// Loads the base model from `model_dir` (never tuned layers: training starts from the base),
    /// tokenises the sets and runs the layers below the top `opts.layers` once. `threads` fixes
    /// libtorch's thread count (the weights depend on it at the last bit).
    pub fn new(
        model_dir: &std::path::Path,
        sets: Vec<Dataset>,
        lexicon: &LexiconScorer,
        opts: &FinetuneOptions,
        threads: i32,
    ) -> Result<Setup> {
        let started = Instant::now();
        tch::set_num_threads(threads.max(1));
        let model = ModelDir::open(model_dir)?;
        let encoder = Encoder::load(&model, tch::Device::Cpu)?;
        let corpus = Corpus::new(sets, &model, lexicon)?;
        let frozen = finetune::freeze(&encoder, &corpus.ids, opts.layers)?;
        Ok(Setup {
            model,
            encoder,
            corpus,
            frozen,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// A scorer's metrics on a labelled set (macro-F1 over the gold classes).
pub fn score_set(scorer: &dyn ToneScorer, set: &Dataset) -> Metrics {
    let inputs: Vec<ToneInput> = set
        .examples
        .iter()
        .map(|e| ToneInput {
            text: &e.text,
            cue: None,
        })
        .collect();
    let pred: Vec<usize> = scorer
        .score_batch(&inputs)
        .iter()
        .map(|s| label_index(s.label))
        .collect();
    let gold: Vec<usize> = set.examples.iter().map(|e| label_index(e.label)).collect();
    metrics_present(&gold, &pred)
}

/// The cross-validation as a text table.
pub fn cv_text(cv: &TuneCv) -> String {
    let mut s = format!(
        "{}-fold cross-validation of the fine-tuned scorer ({:.0} s); macro-F1 over the gold classes\n",
        cv.folds, cv.seconds
    );
    s.push_str(
        "set                     n   lexicon  transformer  ensemble   per fold (ensemble)\n",
    );
    for r in &cv.sets {
        let per: Vec<String> = r
            .folds
            .iter()
            .map(|f| format!("{:.3}", f[2].macro_f1))
            .collect();
        s.push_str(&format!(
            "{:<20} {:>5}   {:>7.3}  {:>11.3}  {:>8.3}   {}\n",
            r.dataset,
            r.n,
            r.mean_macro_f1[0],
            r.mean_macro_f1[1],
            r.mean_macro_f1[2],
            per.join(" ")
        ));
    }
    s.push_str(&format!(
        "ECE of tone_confidence: transformer {:.3}, ensemble {:.3}\n",
        cv.ece[0], cv.ece[1]
    ));
    s
}

/// The training-data table of the model card.
pub fn data_table(sets: &[Dataset]) -> String {
    let mut s = String::from("| set | files | sha256 | used | conciliatory | neutral | firm | not used |\n|---|---|---|---|---|---|---|---|\n");
    for d in sets {
        let c = label_counts(&d.examples);
        let skipped = if d.skipped.is_empty() {
            "—".to_string()
        } else {
            d.skipped
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} | {} | {} | {skipped} |\n",
            d.name,
            d.path,
            &d.sha256[..16],
            d.examples.len(),
            c[0],
            c[1],
            c[2]
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_over_present_classes_ignores_an_absent_neutral_class() {
        // gold conciliatory, firm only; one firm predicted neutral.
        let m = metrics_present(&[0, 0, 2, 2], &[0, 0, 2, 1]);
        // F1 c = 1, F1 f = 2·1/(1+2) = 0.667; neutral absent from gold.
        assert!(
            (m.macro_f1 - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12,
            "{m:?}"
        );
    }

    #[test]
    fn ece_is_zero_when_confidence_matches_accuracy_and_grows_with_overconfidence() {
        let calibrated: Vec<(f64, bool)> = (0..10).map(|i| (0.75, i % 4 != 0)).collect();
        // 0.75 confidence, 7 of 10 right in this sample: |0.7 - 0.75|.
        assert!((ece(&calibrated) - 0.05).abs() < 1e-12);
        let over: Vec<(f64, bool)> = (0..10).map(|i| (0.95, i % 2 == 0)).collect();
        assert!((ece(&over) - 0.45).abs() < 1e-12);
    }
}
