//! Writing what `tonetrack train tone` produced: the tuned layers
//! (`models/tone-encoder.safetensors`, fp16), the head file that names them and their sha256
//! (`models/tone-head.json`), and the model card (`models/tone-head.md`) with the data, the
//! cross-validation per set, the calibration and the known limits. Example:
//!
//! ```text
//! let head = write_model(&setup, &model, Some(&cv), &facts, &paths)?;
//! ```

use std::path::{Path, PathBuf};

use super::finetune::{self, FinetuneOptions};
use super::sha256_file;
use super::tune::{cv_text, data_table, FinalModel, Setup, TuneCv};
use crate::error::{Error, Result};
use crate::models::ModelFile;
use crate::tone::head::{EmbeddingModel, HeadFile, TunedLayers, HEAD_SCHEMA_VERSION, LABELS};

/// Where the three files go.
pub struct Paths {
    pub head: PathBuf,
    pub layers: PathBuf,
    pub card: PathBuf,
}

/// What the card records besides the model.
pub struct Facts<'a> {
    pub version: &'a str,
    pub lexicon_file: &'a ModelFile,
    pub lexicon_version: &'a str,
    pub opts: &'a FinetuneOptions,
    pub threads: i32,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes the layers, the head and the card; returns the head.
pub fn write_model(
    setup: &Setup,
    model: &FinalModel,
    cv: Option<&TuneCv>,
    facts: &Facts,
    paths: &Paths,
) -> Result<HeadFile> {
    finetune::save(&model.tuned, &setup.encoder, &paths.layers)?;
    let layers_sha = sha256_file(&paths.layers)?;
    let head_dir = paths.head.parent().unwrap_or(Path::new("."));
    let layers_dir = paths.layers.parent().unwrap_or(Path::new("."));
    if head_dir.canonicalize().ok() != layers_dir.canonicalize().ok() {
        return Err(Error::Scorer {
            name: "train tone".into(),
            message: format!(
                "{} must be in the head's folder ({}): the scorer looks for it there",
                paths.layers.display(),
                head_dir.display()
            ),
        });
    }
    let head = HeadFile {
        schema_version: HEAD_SCHEMA_VERSION,
        version: facts.version.to_string(),
        embedding: EmbeddingModel {
            name: file_name(&setup.model.dir),
            safetensors_sha256: sha256_file(&setup.model.safetensors())?,
            dim: setup.encoder.hidden as usize,
            max_seq_length: setup.model.max_seq_length,
        },
        labels: LABELS.iter().map(|l| l.as_str().to_string()).collect(),
        lexicon_sha256: facts.lexicon_file.sha256.clone(),
        transformer: model.transformer.clone(),
        ensemble: model.ensemble.clone(),
        tuned: Some(TunedLayers {
            file: file_name(&paths.layers),
            sha256: layers_sha,
            first_layer: model.tuned.first_tuned,
            layers: model.tuned.layers.len(),
        }),
    };
    std::fs::write(&paths.head, head.to_json()).map_err(|e| Error::io(&paths.head, e))?;
    // The card names the head's own hash too, so `eval tone --card` can tell that the weights
    // it vouches for are the ones that ship.
    let head_sha = sha256_file(&paths.head)?;
    let card = card(
        setup,
        model,
        cv,
        facts,
        &head,
        &file_name(&paths.head),
        &head_sha,
    );
    std::fs::write(&paths.card, card).map_err(|e| Error::io(&paths.card, e))?;
    Ok(head)
}

fn card(
    setup: &Setup,
    model: &FinalModel,
    cv: Option<&TuneCv>,
    facts: &Facts,
    head: &HeadFile,
    head_name: &str,
    head_sha: &str,
) -> String {
    let o = facts.opts;
    let tuned = head.tuned.as_ref();
    let mut s = String::new();
    s.push_str("# Model card: the learned tone scorer (`models/tone-head.json`, `models/tone-encoder.safetensors`)\n\n");
    s.push_str("Written by `tonetrack train tone`; do not edit by hand (rerun the command): CI checks with `tonetrack eval tone --card` that the hashes below are those of the shipped files and the training data. ");
    s.push_str("The scorer runs the sentence encoder with its top layers replaced by the fine-tuned ones, mean-pools and normalises the last layer (as sentence-transformers does), ");
    s.push_str("and a softmax head turns that embedding into P(conciliatory), P(neutral), P(firm): `--scorer transformer` reads the embedding alone, ");
    s.push_str("`--scorer ensemble` (the default of `run`) also the tone lexicon's tone, sentiment, whether it found a cue, and its label. Tone = P(conciliatory) − P(firm); ");
    s.push_str("`tone_confidence` = the probability of the label.\n\n");
    // Only the default base comes from the set-up script; others (scripts/compare-encoders.sh)
    // say which family they are.
    let source = if setup.model.dir.ends_with(crate::tone::DEFAULT_MODEL_DIR) {
        "installed by `scripts/setup-transformer.sh` from its PyPI wheel".to_string()
    } else {
        format!(
            "a `{}` model read from `{}`",
            setup.encoder.arch.as_str(),
            setup.model.dir.display()
        )
    };
    s.push_str(&format!("- version `{}`; base encoder `{}` ({} layers, {} dimensions, max {} tokens), `model.safetensors` sha256 `{}`, {source}\n",
        head.version, head.embedding.name, setup.encoder.layers.len(), head.embedding.dim, head.embedding.max_seq_length, head.embedding.safetensors_sha256));
    if let Some(t) = tuned {
        s.push_str(&format!("- fine-tuned: layers {}–{} (the top {}) in `{}`, fp16, sha256 `{}`; the layers below stay the base model's\n",
            t.first_layer, t.first_layer + t.layers - 1, t.layers, t.file, t.sha256));
    }
    s.push_str(&format!(
        "- head: `{head_name}` sha256 `{head_sha}` (the weights below)\n"
    ));
    s.push_str(&format!("- fine-tuning: cross-entropy on a zero-initialised 3-way head over the unit-length embedding × 20, AdamW (lr {} falling linearly to 0, weight decay {}), {} epochs, batches of {} (shuffled with SplitMix64 seed {}, sorted by length within windows of 8 batches), no dropout, {} libtorch threads; the lower layers' hidden states are computed once and reused\n",
        o.lr, o.weight_decay, o.epochs, o.batch_size, o.seed, facts.threads));
    s.push_str(&format!("- heads: multinomial logistic regression (L-BFGS) refitted on the tuned embeddings, L2 chosen from {:?} by 3-fold CV: transformer L2 = {}, ensemble L2 = {}\n",
        crate::tone::train::L2_GRID, head.transformer.l2, head.ensemble.l2));
    s.push_str(&format!(
        "- tone lexicon for the ensemble's features: `{}` version `{}`, sha256 `{}`\n",
        facts.lexicon_file.name, facts.lexicon_version, facts.lexicon_file.sha256
    ));
    s.push_str(&format!("- time on this machine: tokenising and the frozen layers {:.0} s, final training and heads {:.0} s{}\n\n",
        setup.seconds, model.seconds,
        cv.map(|c| format!(", cross-validation {:.0} s", c.seconds)).unwrap_or_default()));
    s.push_str("## Training data\n\n");
    s.push_str(&data_table(&setup.corpus.sets));
    s.push_str("\nHow the sets are read as tone (the CAMEO and PLOVER classes label the reported *event*, not the speaker's stance, so both mapped sets are noisy proxies):\n\n");
    s.push_str("- CAMEO: `verbal_cooperation` → conciliatory, `statement` → neutral, `verbal_conflict` → firm; `material_cooperation` and `material_conflict` (deeds) are not used.\n");
    s.push_str("- PLOVER-PLV, by PLOVER type: AGREE, CONSULT, SUPPORT → conciliatory (verbal cooperation); ACCUSE, REJECT, THREATEN, REQUEST → firm (verbal conflict; REQUEST is nearly always a demand there); COOPERATE, AID, YIELD, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT (deeds, and street protests) are not used. The set has no neutral (`statement`) rows, so its macro-F1 averages the F1 of conciliatory and firm, and a neutral prediction counts as a miss. A sentence that holds two events with different tones is dropped.\n");
    s.push_str("- Ours: every `*.jsonl` file in `models/tone-training/` (labels as written; see its README).\n\n");
    s.push_str(&format!("In-sample fit on all training data (optimistic, a sanity check only): transformer accuracy {:.3} / macro-F1 {:.3}, ensemble {:.3} / {:.3}.\n\n",
        model.fit[0].accuracy, model.fit[0].macro_f1, model.fit[1].accuracy, model.fit[1].macro_f1));
    if let Some(cv) = cv {
        s.push_str(&format!("## Cross-validation ({} folds)\n\n", cv.folds));
        s.push_str("Folds are stratified by set and label (SplitMix64 seed as above). For each fold the top layers are fine-tuned from the base weights and both heads fitted on the other folds of *all* sets, and each set's held-out part is scored: this is `tonetrack eval tone --cv 5`, the whole method retrained per fold. Macro-F1 over the classes the set's gold labels hold.\n\n");
        s.push_str("| set | n | lexicon | transformer | ensemble | bar | ensemble macro-F1 per fold |\n|---|---|---|---|---|---|---|\n");
        for r in &cv.sets {
            let bar = match r.dataset.as_str() {
                "diplomatic" => "0.90",
                _ => "0.85",
            };
            let per: Vec<String> = r
                .folds
                .iter()
                .map(|f| format!("{:.3}", f[2].macro_f1))
                .collect();
            s.push_str(&format!(
                "| {} | {} | {:.3} | {:.3} | {:.3} | {bar} | {} |\n",
                r.dataset,
                r.n,
                r.mean_macro_f1[0],
                r.mean_macro_f1[1],
                r.mean_macro_f1[2],
                per.join(" ")
            ));
        }
        s.push_str(&format!("\n**Calibration**: expected calibration error of `tone_confidence` over all held-out predictions (10 equal-width bins): transformer {:.3}, ensemble {:.3}.\n\n", cv.ece[0], cv.ece[1]));
        s.push_str("```text\n");
        s.push_str(&cv_text(cv));
        s.push_str("```\n\n");
    }
    s.push_str("## Known limits\n\n");
    s.push_str("- English only; trained on news sentences (CAMEO, PLOVER) and on short statements we wrote in official registers. Other registers and languages will score lower.\n");
    s.push_str("- The mapped sets label events, not stance: a neutrally reported accusation is \"firm\" there. Their numbers measure agreement with that proxy.\n");
    s.push_str("- Our own statements were written by the team that wrote the lexicon and labels them; their cross-validated numbers are likely optimistic for real officials' words.\n");
    s.push_str("- Fragments (\"productive\") and very long quotes (cut at the encoder's maximum length) are far from the training sentences.\n");
    s.push_str("- Rerunning the command gives the same weights with the same data, thread count and libtorch build; another thread count can change the last bits.\n\n");
    s.push_str("Reproduce: `scripts/setup-transformer.sh && cargo run --release -- train tone` (add `--cv 0` to skip the cross-validation).\n");
    s
}
