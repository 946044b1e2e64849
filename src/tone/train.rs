//! Training and evaluating the tone head: labelled data (our diplomatic set, and the CAMEO
//! sentences mapped to tone), stratified folds, multinomial logistic regression fitted with
//! L-BFGS, accuracy / macro-F1 / confusion matrices, and the cross-validation that compares the
//! lexicon, transformer and ensemble scorers. Pure Rust on plain vectors: the embeddings are
//! computed by the caller (the transformer feature), so everything here is testable anywhere.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::models::sha256_hex;
use crate::types::{ToneLabel, ToneScore};

use super::head::{lexicon_features, Layer, LABELS, LEXICON_FEATURES};

/// One labelled statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub label: ToneLabel,
}

/// A labelled file as read, with what the model card records about it.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub name: String,
    pub path: String,
    pub sha256: String,
    pub examples: Vec<Example>,
    /// Lines read but not used (CAMEO classes without a tone reading), by class.
    pub skipped: Vec<(String, usize)>,
}

pub fn label_index(l: ToneLabel) -> usize {
    match l {
        ToneLabel::Conciliatory => 0,
        ToneLabel::Neutral => 1,
        ToneLabel::Firm => 2,
    }
}

fn parse_label(s: &str) -> Option<ToneLabel> {
    LABELS.iter().copied().find(|l| l.as_str() == s)
}

/// The reading of CAMEO event classes as tone. The classes describe the reported event, not
/// the speaker's stance, so only the verbal ones (and plain statements) are a proxy for tone;
/// material cooperation and conflict (aid, attacks) say nothing about how anything was said.
pub fn cameo_tone(class: &str) -> Option<Option<ToneLabel>> {
    match class {
        "verbal_cooperation" => Some(Some(ToneLabel::Conciliatory)),
        "statement" => Some(Some(ToneLabel::Neutral)),
        "verbal_conflict" => Some(Some(ToneLabel::Firm)),
        "material_cooperation" | "material_conflict" => Some(None),
        _ => None,
    }
}

#[derive(Deserialize)]
struct Line {
    text: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    cameo_class: Option<String>,
}

/// Reads a JSONL file of `{"text", "label"}` (conciliatory | neutral | firm) or, for the CAMEO
/// sentences, `{"text", "cameo_class"}` mapped by [`cameo_tone`]. Errors name the file and line;
/// an unknown class or label is an error, not a skip, so a changed dataset cannot shrink silently.
pub fn read_labelled(path: &Path, name: &str) -> Result<Dataset> {
    read_classified(path, name, |raw, err| {
        let line: Line = serde_json::from_str(raw).map_err(|e| err(e.to_string()))?;
        let label =
            match (&line.label, &line.cameo_class) {
                (Some(l), _) => Some(parse_label(l).ok_or_else(|| {
                    err(format!("label {l:?} is not conciliatory, neutral or firm"))
                })?),
                (None, Some(c)) => {
                    cameo_tone(c).ok_or_else(|| err(format!("unknown cameo_class {c:?}")))?
                }
                (None, None) => return Err(err("needs a \"label\" or a \"cameo_class\"".into())),
            };
        Ok((line.text, label, line.cameo_class.unwrap_or_default()))
    })
}

/// One JSONL reader for every labelled set: `classify` turns a line into its text, its tone
/// (None: a class the sets do not use, counted under its name in `skipped`) and that class's
/// name, or an error made with the closure it is given (which names the file and line). The
/// file must be UTF-8; empty texts and a file without one labelled statement are errors, so a
/// changed dataset cannot shrink silently.
pub(crate) fn read_classified(
    path: &Path,
    name: &str,
    classify: impl Fn(&str, &dyn Fn(String) -> Error) -> Result<(String, Option<ToneLabel>, String)>,
) -> Result<Dataset> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let file = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::Gold {
        file: file.clone(),
        line: 0,
        message: format!("not UTF-8: {e}"),
    })?;
    let mut examples = Vec::new();
    let mut skipped: Vec<(String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let err = |message: String| Error::Gold {
            file: file.clone(),
            line: i + 1,
            message,
        };
        let (text, label, class) = classify(raw, &err)?;
        if text.trim().is_empty() {
            return Err(err("empty text".into()));
        }
        match label {
            Some(label) => examples.push(Example { text, label }),
            None => match skipped.iter_mut().find(|(c, _)| *c == class) {
                Some((_, n)) => *n += 1,
                None => skipped.push((class, 1)),
            },
        }
    }
    if examples.is_empty() {
        return Err(Error::Gold {
            file,
            line: 0,
            message: "no labelled statement".into(),
        });
    }
    Ok(Dataset {
        name: name.to_string(),
        path: file,
        sha256: sha256_hex(&bytes),
        examples,
        skipped,
    })
}

/// Counts per label, in [`LABELS`] order.
pub fn label_counts(examples: &[Example]) -> [usize; 3] {
    let mut c = [0; 3];
    for e in examples {
        c[label_index(e.label)] += 1;
    }
    c
}

/// The folds' generator: the crate's one SplitMix64.
pub use crate::rng::SplitMix64 as SplitMix;

/// Stratified k-fold assignment: each label's examples shuffled and dealt round-robin, so every
/// fold keeps the label proportions. Returns the fold of each example.
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64) -> Vec<usize> {
    stratified_folds_by(labels, k, seed)
}

/// [`stratified_folds`] over any strata (e.g. set × label), dealt in ascending key order.
pub fn stratified_folds_by(keys: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let labels = keys;
    let mut rng = SplitMix(seed);
    let mut fold = vec![0; labels.len()];
    let mut next = 0;
    let mut classes: Vec<usize> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    for class in classes {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut idx);
        for i in idx {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}

/// Accuracy, macro-F1 and the confusion matrix (rows gold, columns predicted, [`LABELS`] order).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metrics {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub f1: [f64; 3],
    pub confusion: [[usize; 3]; 3],
}

pub fn metrics(gold: &[usize], pred: &[usize]) -> Metrics {
    let mut confusion = [[0usize; 3]; 3];
    for (&g, &p) in gold.iter().zip(pred) {
        confusion[g][p] += 1;
    }
    let n = gold.len();
    let correct: usize = (0..3).map(|k| confusion[k][k]).sum();
    let mut f1 = [0.0; 3];
    for (k, f) in f1.iter_mut().enumerate() {
        let tp = confusion[k][k] as f64;
        let predicted: usize = (0..3).map(|g| confusion[g][k]).sum();
        let actual: usize = confusion[k].iter().sum();
        // sklearn's convention: an undefined precision or recall counts as 0.
        *f = if predicted + actual == 0 {
            0.0
        } else {
            2.0 * tp / (predicted + actual) as f64
        };
    }
    Metrics {
        n,
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        macro_f1: f1.iter().sum::<f64>() / 3.0,
        f1,
        confusion,
    }
}

/// Multinomial logistic regression: minimises the mean cross-entropy plus `l2/2 · |W|²` (the
/// biases are not penalised) with L-BFGS. Deterministic: same data, same weights.
pub fn fit(x: &[Vec<f64>], y: &[usize], l2: f64, features: Vec<String>) -> Layer {
    let d = x.first().map(|r| r.len()).unwrap_or(0);
    let n = x.len().max(1) as f64;
    // Parameters: 3 rows of d weights, then 3 biases.
    let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        for (xi, &yi) in x.iter().zip(y) {
            let mut z = [0.0; 3];
            for (k, zk) in z.iter_mut().enumerate() {
                *zk = theta[3 * d + k] + dot(&theta[k * d..(k + 1) * d], xi);
            }
            let p = super::head::softmax(z);
            loss -= p[yi].max(1e-300).ln();
            for k in 0..3 {
                let r = p[k] - if k == yi { 1.0 } else { 0.0 };
                axpy(r, xi, &mut grad[k * d..(k + 1) * d]);
                grad[3 * d + k] += r;
            }
        }
        loss /= n;
        grad.iter_mut().for_each(|g| *g /= n);
        let w = &theta[..3 * d];
        loss += 0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>();
        for (g, v) in grad[..3 * d].iter_mut().zip(w) {
            *g += l2 * v;
        }
        loss
    };
    let theta = lbfgs(vec![0.0; 3 * d + 3], objective, 500, 1e-7);
    Layer {
        features,
        l2,
        weights: (0..3).map(|k| theta[k * d..(k + 1) * d].to_vec()).collect(),
        bias: theta[3 * d..].to_vec(),
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Limited-memory BFGS (10 pairs) with a backtracking Armijo line search; stops when the
/// gradient's largest component is below `tol` or after `max_iter` steps. The objective is
/// convex and smooth, which is all this needs.
fn lbfgs(
    mut x: Vec<f64>,
    f: impl Fn(&[f64], &mut [f64]) -> f64,
    max_iter: usize,
    tol: f64,
) -> Vec<f64> {
    const M: usize = 10;
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut g_new = vec![0.0; n];
    for _ in 0..max_iter {
        if g.iter().fold(0.0f64, |m, v| m.max(v.abs())) < tol {
            break;
        }
        // Two-loop recursion: direction = -H·g.
        let mut q = g.clone();
        let mut alpha = vec![0.0; s_hist.len()];
        for i in (0..s_hist.len()).rev() {
            let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
            alpha[i] = rho * dot(&s_hist[i], &q);
            axpy(-alpha[i], &y_hist[i], &mut q);
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / g.iter().map(|v| v * v).sum::<f64>().sqrt().max(1.0),
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for i in 0..s_hist.len() {
            let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
            let beta = rho * dot(&y_hist[i], &q);
            axpy(alpha[i] - beta, &s_hist[i], &mut q);
        }
        let mut dir: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &dir);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            dir = g.iter().map(|v| -v).collect();
            slope = dot(&g, &dir);
        }
        let mut step = 1.0;
        let mut x_new = vec![0.0; n];
        let mut f_new;
        let mut tries = 0;
        loop {
            for i in 0..n {
                x_new[i] = x[i] + step * dir[i];
            }
            f_new = f(&x_new, &mut g_new);
            if f_new <= fx + 1e-4 * step * slope || tries >= 40 {
                break;
            }
            step *= 0.5;
            tries += 1;
        }
        if f_new > fx {
            break; // no progress possible at this precision
        }
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        if dot(&s, &y) > 1e-12 {
            if s_hist.len() == M {
                s_hist.remove(0);
                y_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
        }
        let converged = (fx - f_new).abs() <= 1e-12 * fx.abs().max(1.0);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        if converged {
            break;
        }
    }
    x
}

/// Which head a feature vector is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadKind {
    /// The embedding alone.
    Transformer,
    /// The embedding and the lexicon's features.
    Ensemble,
}

impl HeadKind {
    pub fn feature_names(self) -> Vec<String> {
        let mut f = vec!["embedding".to_string()];
        if self == HeadKind::Ensemble {
            f.extend(LEXICON_FEATURES.iter().map(|s| s.to_string()));
        }
        f
    }
}

/// The input vector of a head for one statement.
pub fn features(kind: HeadKind, embedding: &[f32], lexicon: &ToneScore) -> Vec<f64> {
    let mut v: Vec<f64> = embedding.iter().map(|&e| e as f64).collect();
    if kind == HeadKind::Ensemble {
        v.extend(lexicon_features(lexicon));
    }
    v
}

pub fn predict(layer: &Layer, x: &[f64]) -> usize {
    let p = layer.probabilities(x);
    (0..3).fold(0, |best, k| if p[k] > p[best] { k } else { best })
}

/// The L2 penalties tried; the one with the best macro-F1 in an inner cross-validation on the
/// training data wins.
pub const L2_GRID: [f64; 4] = [1e-4, 1e-3, 1e-2, 1e-1];

/// Chooses the L2 penalty by `k`-fold cross-validation over (x, y) and fits on all of it.
pub fn fit_tuned(x: &[Vec<f64>], y: &[usize], kind: HeadKind, k: usize, seed: u64) -> Layer {
    let folds = stratified_folds(y, k, seed);
    let cv_f1 = |l2: f64| -> f64 {
        let mut gold = Vec::new();
        let mut pred = Vec::new();
        for f in 0..k {
            let (tx, ty): (Vec<Vec<f64>>, Vec<usize>) = (0..x.len())
                .filter(|&i| folds[i] != f)
                .map(|i| (x[i].clone(), y[i]))
                .unzip();
            let layer = fit(&tx, &ty, l2, kind.feature_names());
            for i in (0..x.len()).filter(|&i| folds[i] == f) {
                gold.push(y[i]);
                pred.push(predict(&layer, &x[i]));
            }
        }
        metrics(&gold, &pred).macro_f1
    };
    // One thread per candidate: the fits are independent and the result does not depend on
    // the order they finish in (ties go to the smaller penalty).
    let scores: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = L2_GRID
            .iter()
            .map(|&l2| s.spawn(move || cv_f1(l2)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(f64::NEG_INFINITY))
            .collect()
    });
    let mut best = 0;
    for (i, &f1) in scores.iter().enumerate() {
        if f1 > scores[best] {
            best = i;
        }
    }
    fit(x, y, L2_GRID[best], kind.feature_names())
}

/// Everything the cross-validation needs about one statement, precomputed.
pub struct Prepared {
    pub label: usize,
    pub embedding: Vec<f32>,
    pub lexicon: ToneScore,
}

/// Macro-F1 (and the rest) of the three scorers on one held-out fold.
#[derive(Debug, Clone, Serialize)]
pub struct FoldResult {
    pub fold: usize,
    pub n: usize,
    pub lexicon: Metrics,
    pub transformer: Metrics,
    pub ensemble: Metrics,
}

/// Cross-validation over one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct CvReport {
    pub dataset: String,
    pub folds: Vec<FoldResult>,
    pub mean_macro_f1: ScorerTriple,
    pub mean_accuracy: ScorerTriple,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct ScorerTriple {
    pub lexicon: f64,
    pub transformer: f64,
    pub ensemble: f64,
}

/// `k`-fold cross-validation of the three scorers over `target` (stratified folds). For each
/// fold the heads are trained, with their L2 penalty chosen by an inner 3-fold CV, on the other
/// folds plus all of `extra` (the other dataset): the same data the shipped head sees, minus the
/// held-out fold. The lexicon is not trained, so its score per fold is simply its score there.
pub fn cross_validate(
    name: &str,
    target: &[Prepared],
    extra: &[&Prepared],
    k: usize,
    seed: u64,
) -> CvReport {
    let labels: Vec<usize> = target.iter().map(|p| p.label).collect();
    let folds = stratified_folds(&labels, k, seed);
    let mut results = Vec::new();
    for f in 0..k {
        let train: Vec<&Prepared> = target
            .iter()
            .enumerate()
            .filter(|(i, _)| folds[*i] != f)
            .map(|(_, p)| p)
            .chain(extra.iter().copied())
            .collect();
        let test: Vec<&Prepared> = target
            .iter()
            .enumerate()
            .filter(|(i, _)| folds[*i] == f)
            .map(|(_, p)| p)
            .collect();
        let gold: Vec<usize> = test.iter().map(|p| p.label).collect();
        let ty: Vec<usize> = train.iter().map(|p| p.label).collect();
        let mut per_kind = Vec::new();
        for kind in [HeadKind::Transformer, HeadKind::Ensemble] {
            let tx: Vec<Vec<f64>> = train
                .iter()
                .map(|p| features(kind, &p.embedding, &p.lexicon))
                .collect();
            let layer = fit_tuned(&tx, &ty, kind, 3, seed ^ (f as u64 + 1));
            let pred: Vec<usize> = test
                .iter()
                .map(|p| predict(&layer, &features(kind, &p.embedding, &p.lexicon)))
                .collect();
            per_kind.push(metrics(&gold, &pred));
        }
        let lex_pred: Vec<usize> = test.iter().map(|p| label_index(p.lexicon.label)).collect();
        let ensemble = per_kind.pop().unwrap_or_else(|| metrics(&[], &[]));
        let transformer = per_kind.pop().unwrap_or_else(|| metrics(&[], &[]));
        results.push(FoldResult {
            fold: f,
            n: test.len(),
            lexicon: metrics(&gold, &lex_pred),
            transformer,
            ensemble,
        });
    }
    let mean = |g: &dyn Fn(&FoldResult) -> f64| {
        results.iter().map(g).sum::<f64>() / results.len().max(1) as f64
    };
    CvReport {
        dataset: name.to_string(),
        mean_macro_f1: ScorerTriple {
            lexicon: mean(&|r| r.lexicon.macro_f1),
            transformer: mean(&|r| r.transformer.macro_f1),
            ensemble: mean(&|r| r.ensemble.macro_f1),
        },
        mean_accuracy: ScorerTriple {
            lexicon: mean(&|r| r.lexicon.accuracy),
            transformer: mean(&|r| r.transformer.accuracy),
            ensemble: mean(&|r| r.ensemble.accuracy),
        },
        folds: results,
    }
}

/// A cross-validation report as a text table: macro-F1 per fold and the mean.
pub fn cv_table(r: &CvReport) -> String {
    let mut s = format!(
        "{} — macro-F1 per fold ({} folds)\n",
        r.dataset,
        r.folds.len()
    );
    s.push_str("fold      n   lexicon  transformer  ensemble\n");
    for f in &r.folds {
        s.push_str(&format!(
            "{:>4} {:>6}   {:>7.3}  {:>11.3}  {:>8.3}\n",
            f.fold + 1,
            f.n,
            f.lexicon.macro_f1,
            f.transformer.macro_f1,
            f.ensemble.macro_f1
        ));
    }
    let m = &r.mean_macro_f1;
    s.push_str(&format!(
        "mean          {:>7.3}  {:>11.3}  {:>8.3}\n",
        m.lexicon, m.transformer, m.ensemble
    ));
    s
}

/// The benchmark's statements: from a JSONL file with a `text` field, the first `n` distinct
/// texts of `min_words`..=`max_words` whitespace-separated words, in file order. The Python
/// peer (`scripts/bench_transformer_peer.py`) applies the same rule, and both print the SHA-256
/// of the selection (texts joined by newlines) so a run can prove they measured the same input.
pub fn select_sentences(
    path: &Path,
    n: usize,
    min_words: usize,
    max_words: usize,
) -> Result<(Vec<String>, String)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if out.len() == n {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::Gold {
            file: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        let Some(t) = v.get("text").and_then(|t| t.as_str()) else {
            return Err(Error::Gold {
                file: path.display().to_string(),
                line: i + 1,
                message: "no string \"text\" field".into(),
            });
        };
        let words = t.split_whitespace().count();
        if (min_words..=max_words).contains(&words) && seen.insert(t.to_string()) {
            out.push(t.to_string());
        }
    }
    let sha = sha256_hex(out.join("\n").as_bytes());
    Ok((out, sha))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_selection_is_first_distinct_in_range() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.jsonl");
        std::fs::write(&p, "{\"text\": \"a b c\"}\n{\"text\": \"a\"}\n{\"text\": \"a b c\"}\n{\"text\": \"d e\"}\n{\"text\": \"f g h\"}\n").unwrap();
        let (s, sha) = select_sentences(&p, 2, 2, 3).unwrap();
        assert_eq!(s, ["a b c", "d e"]);
        assert_eq!(sha, sha256_hex(b"a b c\nd e"));
    }

    #[test]
    fn cameo_classes_map_to_tone_or_are_skipped() {
        assert_eq!(
            cameo_tone("verbal_cooperation"),
            Some(Some(ToneLabel::Conciliatory))
        );
        assert_eq!(cameo_tone("verbal_conflict"), Some(Some(ToneLabel::Firm)));
        assert_eq!(cameo_tone("statement"), Some(Some(ToneLabel::Neutral)));
        assert_eq!(cameo_tone("material_conflict"), Some(None));
        assert_eq!(cameo_tone("riot"), None);
    }

    #[test]
    fn reading_labelled_files_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        std::fs::write(&p, "{\"text\": \"a\", \"cameo_class\": \"statement\"}\n{\"text\": \"b\", \"cameo_class\": \"material_conflict\"}\n").unwrap();
        let d = read_labelled(&p, "x").unwrap();
        assert_eq!(d.examples.len(), 1);
        assert_eq!(d.skipped, vec![("material_conflict".to_string(), 1)]);
        std::fs::write(
            &p,
            "{\"text\": \"a\", \"label\": \"neutral\"}\n{\"text\": \"b\", \"label\": \"angry\"}\n",
        )
        .unwrap();
        let err = read_labelled(&p, "x").unwrap_err().to_string();
        assert!(err.contains("x.jsonl:2:") && err.contains("angry"), "{err}");
    }

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
        let a = stratified_folds(&labels, 5, 7);
        assert_eq!(a, stratified_folds(&labels, 5, 7));
        for f in 0..5 {
            let per_class: Vec<usize> = (0..3)
                .map(|c| (0..30).filter(|&i| a[i] == f && labels[i] == c).count())
                .collect();
            assert_eq!(per_class, vec![2, 2, 2], "fold {f}");
        }
    }

    #[test]
    fn macro_f1_matches_a_hand_computation() {
        // gold c c n f ; pred c n n c  → F1 c = 2·1/(2+2) = .5, n = 2·1/(2+1) = .667, f = 0.
        let m = metrics(&[0, 0, 1, 2], &[0, 1, 1, 0]);
        assert!(
            (m.macro_f1 - (0.5 + 2.0 / 3.0) / 3.0).abs() < 1e-12,
            "{m:?}"
        );
        assert_eq!(m.confusion[0], [1, 1, 0]);
        assert!((m.accuracy - 0.5).abs() < 1e-12);
    }

    #[test]
    fn logistic_regression_separates_separable_classes() {
        let mut rng = SplitMix(1);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..150 {
            let c = i % 3;
            let jitter = |r: &mut SplitMix| (r.next_u64() % 1000) as f64 / 5000.0;
            let centre = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]][c];
            x.push(vec![
                centre[0] + jitter(&mut rng),
                centre[1] + jitter(&mut rng),
            ]);
            y.push(c);
        }
        let layer = fit(&x, &y, 1e-3, vec!["a".into(), "b".into()]);
        let pred: Vec<usize> = x.iter().map(|v| predict(&layer, v)).collect();
        assert_eq!(metrics(&y, &pred).accuracy, 1.0);
        // Deterministic.
        assert_eq!(layer, fit(&x, &y, 1e-3, vec!["a".into(), "b".into()]));
    }
}
