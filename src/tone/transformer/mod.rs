//! The learned scorers (feature `transformer`): sentence embeddings of all-MiniLM-L6-v2 fed to
//! the trained tone head of `models/tone-head.json`. `transformer` reads the embedding alone;
//! `ensemble` reads the embedding and the lexicon's tone, sentiment and whether it found cues,
//! so it can follow the lexicon on short fragments and overrule it where the wording misleads.
//! Both report tone = P(conciliatory) − P(firm), the most probable label, its probability as
//! confidence, and the lexicon's sentiment axis; the ensemble also lists the lexicon's cues.

pub mod arch;
pub mod encoder;
pub mod finetune;
pub mod reference;
pub mod tasks;
pub mod tune;
pub mod tune_card;
pub mod worker;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tracing::{error, warn};

use super::head::{tone_from_probabilities, HeadFile, Layer};
use super::train::{features, HeadKind};
use super::{DeviceKind, LexiconScorer, ToneInput, ToneScorer, TransformerOptions};
use crate::error::{Error, Result};
use crate::models::ModelFile;
use crate::types::{ToneLabel, ToneScore};

pub use encoder::{ModelDir, SETUP_HINT};
pub use worker::{Embedder, WorkerOptions};

/// SHA-256 of a (large) file, streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The encoder settings `options` ask for, with defaults filled in: on a CPU as many
/// single-threaded replicas as there are cores; on CUDA one replica.
pub fn worker_options(options: &TransformerOptions) -> WorkerOptions {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let device = match options.device {
        DeviceKind::Cpu => tch::Device::Cpu,
        DeviceKind::Cuda => tch::Device::Cuda(0),
    };
    let replicas = match (options.replicas, options.device) {
        (0, DeviceKind::Cpu) => cores,
        (0, DeviceKind::Cuda) => 1,
        (n, _) => n,
    };
    let threads = match options.threads_per_replica {
        0 => (cores / replicas).max(1),
        n => n,
    };
    WorkerOptions {
        device,
        batch_size: options.batch_size.max(1),
        precision: options.precision,
        replicas,
        threads_per_replica: threads,
        sort_by_length: true,
    }
}

/// Where a head's fine-tuned layers are: beside the head file, or, for the head built into the
/// binary, in `models/` of the current folder, else of the source tree the binary was built from.
pub fn tuned_path(head_file: &ModelFile, file: &str) -> std::path::PathBuf {
    match head_file.name.strip_suffix(" (built-in)") {
        None => Path::new(&head_file.name)
            .parent()
            .unwrap_or(Path::new("."))
            .join(file),
        Some(_) => {
            let here = Path::new("models").join(file);
            if here.is_file() {
                here
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("models")
                    .join(file)
            }
        }
    }
}

/// The encoder and head, loaded and checked against each other.
pub struct Loaded {
    pub head: HeadFile,
    pub embedder: Arc<Embedder>,
    /// (name, sha256) of the head file and the embedding weights, for the manifest.
    pub files: Vec<(String, String)>,
}

/// Loads the model folder and the head, refusing a head trained on other embeddings.
pub fn load(
    head_file: &ModelFile,
    lexicon_sha256: &str,
    options: &TransformerOptions,
) -> Result<Loaded> {
    load_with(head_file, lexicon_sha256, options, worker_options(options))
}

/// [`load`] with the encoder's thread settings given explicitly.
pub fn load_with(
    head_file: &ModelFile,
    lexicon_sha256: &str,
    options: &TransformerOptions,
    workers: WorkerOptions,
) -> Result<Loaded> {
    let head = HeadFile::load(head_file)?;
    let dir = options.resolved_model_dir();
    let mut model = ModelDir::open(&dir)?;
    let mut tuned_file = None;
    if let Some(t) = &head.tuned {
        let path = tuned_path(head_file, &t.file);
        let got = sha256_file(&path)?;
        if got != t.sha256 {
            return Err(Error::Scorer {
                name: "transformer".into(),
                message: format!(
                    "{} expects fine-tuned layers {} with sha256 {}, but {} has {got}; rerun `tonetrack train tone` or restore the file",
                    head_file.name,
                    t.file,
                    t.sha256,
                    path.display()
                ),
            });
        }
        model.tuned = Some(path);
        tuned_file = Some((t.file.clone(), got));
    }
    let weights = model.safetensors();
    let sha = sha256_file(&weights)?;
    if sha != head.embedding.safetensors_sha256 {
        return Err(Error::Scorer {
            name: "transformer".into(),
            message: format!(
                "{} was trained on embeddings of a model.safetensors with sha256 {}, but {} has {sha}; \
                 install the model it expects ({SETUP_HINT}) or retrain with `tonetrack train`",
                head_file.name,
                head.embedding.safetensors_sha256,
                weights.display()
            ),
        });
    }
    if head.lexicon_sha256 != lexicon_sha256 {
        warn!(
            head = %head_file.name,
            "the ensemble head was trained with another tone lexicon (sha256 {}, now {lexicon_sha256}); its lexicon features may be off until `tonetrack train` is rerun",
            head.lexicon_sha256
        );
    }
    let embedder = Embedder::start(&model, workers)?;
    if embedder.dim() != head.embedding.dim {
        return Err(Error::Scorer {
            name: "transformer".into(),
            message: format!(
                "{}: head expects {}-dimensional embeddings, the model gives {}",
                head_file.name,
                head.embedding.dim,
                embedder.dim()
            ),
        });
    }
    // Named by the model, not by its path, so the same weights elsewhere count as the same file.
    let mut files = vec![
        (head_file.name.clone(), head_file.sha256.clone()),
        (format!("{}/model.safetensors", head.embedding.name), sha),
    ];
    files.extend(tuned_file);
    Ok(Loaded {
        head,
        embedder: Arc::new(embedder),
        files,
    })
}

/// Distinct statements whose class probabilities a scorer remembers before it starts over:
/// 2 M entries of a 16-byte key and 12 bytes of probabilities, about 100 MiB at most with the
/// table's overhead. Wire copies repeat a quote within days, so a run rarely reaches it.
const CACHE_CAP: usize = 2_000_000;

/// The `transformer` and `ensemble` scorers.
pub struct LearnedScorer {
    kind: HeadKind,
    embedder: Arc<Embedder>,
    layer: Layer,
    lexicon: LexiconScorer,
    version: String,
    /// Class probabilities by [`cache_key`]: each distinct statement is encoded once per run
    /// (wire copies of a story repeat its quotes verbatim). Scores do not depend on what else
    /// was in a batch (see [`worker`]), so the cache changes no output.
    cache: Mutex<HashMap<u128, [f32; 3]>>,
}

/// A 128-bit key of what the head reads: the text, and for the ensemble also the reporting
/// verb, which the lexicon's features depend on. Two SipHash passes with different prefixes;
/// a collision among millions of statements is about 1e-26 likely.
fn cache_key(kind: HeadKind, input: &ToneInput) -> u128 {
    let half = |salt: u8| {
        let mut h = std::hash::DefaultHasher::new();
        h.write_u8(salt);
        input.text.hash(&mut h);
        if kind == HeadKind::Ensemble {
            input.cue.hash(&mut h);
        }
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

impl LearnedScorer {
    pub fn new(kind: HeadKind, loaded: &Loaded, lexicon: LexiconScorer) -> LearnedScorer {
        let head = &loaded.head;
        // The batch shape is part of the version: scores are the same bits only between runs
        // whose forward passes have the same shape (see `worker::Embedder::batches`).
        // So is a precision other than f32 (added only then, so f32 states keep their version).
        let precision = loaded.embedder.options().precision.version_part();
        let emb = format!(
            "{}@{}+batch{}{precision}",
            head.embedding.name,
            &head.embedding.safetensors_sha256[..8],
            loaded.embedder.options().batch_size
        );
        let (layer, version) = match kind {
            HeadKind::Transformer => (
                head.transformer.clone(),
                format!("head-{}+{emb}", head.version),
            ),
            HeadKind::Ensemble => (
                head.ensemble.clone(),
                format!("head-{}+{emb}+lexicon-{}", head.version, lexicon.version()),
            ),
        };
        LearnedScorer {
            kind,
            embedder: Arc::clone(&loaded.embedder),
            layer,
            lexicon,
            version,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets every remembered score, so that the next call encodes again (benchmarks time
    /// the encoder, not the cache).
    pub fn forget(&self) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn probabilities(&self, embedding: &[f32], lex: &ToneScore) -> [f32; 3] {
        self.layer
            .probabilities(&features(self.kind, embedding, lex))
            .map(|p| p as f32)
    }

    /// The learned tone, label and confidence, with the lexicon's cues (they explain the
    /// lexicon's reading, kept as `lexicon_tone`), sentiment and tone.
    fn combine(p: [f32; 3], lex: ToneScore) -> ToneScore {
        let (tone, label, confidence) = tone_from_probabilities(p.map(f64::from));
        ToneScore {
            tone,
            label,
            confidence,
            cues: lex.cues,
            sentiment: lex.sentiment,
            lexicon_tone: lex.tone,
        }
    }
}

impl ToneScorer for LearnedScorer {
    fn name(&self) -> &str {
        match self.kind {
            HeadKind::Transformer => "transformer",
            HeadKind::Ensemble => "ensemble",
        }
    }

    fn version(&self) -> &str {
        &self.version
    }

    fn score(&self, input: &ToneInput) -> ToneScore {
        self.score_batch(std::slice::from_ref(input))
            .pop()
            .unwrap_or_else(|| failed(&self.lexicon.score(input)))
    }

    fn score_batch(&self, inputs: &[ToneInput]) -> Vec<ToneScore> {
        let keys: Vec<u128> = inputs.iter().map(|i| cache_key(self.kind, i)).collect();
        let mut known: Vec<Option<[f32; 3]>> = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            keys.iter().map(|k| cache.get(k).copied()).collect()
        };
        // The first input of each key not yet scored; the embedder dedups texts again.
        let mut seen = HashSet::new();
        let todo: Vec<usize> = (0..inputs.len())
            .filter(|&i| known[i].is_none() && seen.insert(keys[i]))
            .collect();
        let texts: Vec<&str> = todo.iter().map(|&i| inputs[i].text).collect();
        // The lexicon scores (features of the ensemble, cues and sentiment of both) are
        // computed while the encoder threads run the forward passes, not before them.
        let pending = (!texts.is_empty()).then(|| self.embedder.submit(&texts));
        let lex: Vec<ToneScore> = inputs.iter().map(|i| self.lexicon.score(i)).collect();
        if let Some(pending) = pending {
            match pending.and_then(|p| p.wait()) {
                Ok(embeddings) => {
                    let mut fresh = HashMap::with_capacity(todo.len());
                    for (&i, e) in todo.iter().zip(&embeddings) {
                        fresh.insert(keys[i], self.probabilities(e, &lex[i]));
                    }
                    for (i, k) in keys.iter().enumerate() {
                        if known[i].is_none() {
                            known[i] = fresh.get(k).copied();
                        }
                    }
                    let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                    if cache.len() + fresh.len() > CACHE_CAP {
                        cache.clear();
                    }
                    cache.extend(fresh);
                }
                Err(e) => {
                    // The trait has no error path; loading ran a forward pass already, so this
                    // is a failure of the machine (memory, device), reported loudly and marked
                    // by a zero confidence rather than a made-up tone.
                    error!(
                        "{} scorer failed on {} statements: {e}",
                        self.name(),
                        inputs.len()
                    );
                }
            }
        }
        known
            .into_iter()
            .zip(lex)
            .map(|(p, l)| match p {
                Some(p) => Self::combine(p, l),
                None => failed(&l),
            })
            .collect()
    }
}

fn failed(lex: &ToneScore) -> ToneScore {
    ToneScore {
        tone: 0.0,
        label: ToneLabel::Neutral,
        confidence: 0.0,
        cues: vec!["error: scorer failed".into()],
        sentiment: lex.sentiment,
        lexicon_tone: lex.tone,
    }
}

/// Builds the `transformer` or `ensemble` scorer (for [`super::build`]).
pub fn build(
    kind: HeadKind,
    lexicon: LexiconScorer,
    lexicon_sha256: &str,
    head_file: &ModelFile,
    options: &TransformerOptions,
) -> Result<(Box<dyn ToneScorer>, Vec<(String, String)>)> {
    let loaded = load(head_file, lexicon_sha256, options)?;
    // A first forward pass here, so that a broken libtorch or model fails the load, not a run.
    loaded.embedder.embed(&["warm-up"])?;
    let scorer = LearnedScorer::new(kind, &loaded, lexicon);
    Ok((Box::new(scorer), loaded.files))
}

#[cfg(test)]
mod tests {
    //! These need libtorch and the model of scripts/setup-transformer.sh (found through
    //! $TONETRACK_TRANSFORMER_MODEL or models/transformer/).
    use super::*;
    use crate::models::ModelSource;
    use crate::tone::train::HeadKind;
    use crate::tone::Precision;
    use encoder::{Encoder, Tokenizer};

    const SENTENCES: [&str; 6] = [
        "China has no room for compromises or concessions.",
        "We had a candid and productive conversation and agreed to keep lines of communication open.",
        "productive",
        "The two sides discussed trade, climate and people-to-people exchanges during the three-hour meeting in Beijing's Great Hall of the People.",
        "Le ministre a déclaré: « Nous sommes prêts » — 我们愿意合作。",
        "",
    ];

    fn model() -> ModelDir {
        ModelDir::open(&TransformerOptions::default().resolved_model_dir())
            .expect("model installed by scripts/setup-transformer.sh")
    }

    fn cosine(a: &[f32], b: &[f32]) -> f64 {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
        let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        dot / (na * nb)
    }

    fn embedder(replicas: usize, batch_size: usize) -> Embedder {
        embedder_in(replicas, batch_size, Precision::F32)
    }

    fn embedder_in(replicas: usize, batch_size: usize, precision: Precision) -> Embedder {
        let opts = WorkerOptions {
            device: tch::Device::Cpu,
            batch_size,
            precision,
            replicas,
            threads_per_replica: 1,
            sort_by_length: true,
        };
        Embedder::start(&model(), opts).expect("encoder starts")
    }

    #[test]
    fn bf16_layers_give_nearly_the_f32_embeddings_and_the_same_bits_in_any_batch() {
        let f32s = embedder(1, 8).embed(&SENTENCES).unwrap();
        let bf = embedder_in(1, 8, Precision::Bf16);
        let bf16s = bf.embed(&SENTENCES).unwrap();
        for (i, (a, b)) in f32s.iter().zip(&bf16s).enumerate() {
            assert_ne!(a, b, "bf16 changes the last digits");
            let c = cosine(a, b);
            assert!(c >= 0.99, "sentence {i} {:?}: cosine {c}", SENTENCES[i]);
        }
        // The batch-independence the state relies on holds in bf16 too.
        let texts: Vec<String> = ["china", "japan", "france", "spain", "india", "italy"]
            .iter()
            .map(|c| format!("We welcome the talks with {c} and hope for progress."))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let together = bf.embed(&refs).unwrap();
        for (i, t) in refs.iter().enumerate() {
            assert_eq!(bf.embed(&[t]).unwrap().remove(0), together[i], "{t}");
        }
    }

    #[test]
    fn the_precision_is_part_of_the_version_only_when_it_is_not_f32() {
        let version = |precision| {
            let source = ModelSource::default();
            let lexicon = source.load("tone-lexicon.toml").unwrap();
            let head = source.load(crate::tone::head::HEAD_FILE).unwrap();
            let options = TransformerOptions {
                precision,
                replicas: 1,
                ..Default::default()
            };
            let lex = LexiconScorer::load(&lexicon).unwrap();
            let (scorer, _) =
                build(HeadKind::Transformer, lex, &lexicon.sha256, &head, &options).unwrap();
            scorer.version().to_string()
        };
        let (f, b) = (version(Precision::F32), version(Precision::Bf16));
        assert!(f.ends_with("+batch8"), "{f}");
        assert_eq!(b, format!("{f}+bf16"));
    }

    #[test]
    fn embeddings_match_rust_bert_sentence_embeddings_pipeline() {
        let ours = embedder(1, 32).embed(&SENTENCES).unwrap();
        let rb = reference::rust_bert_model(&model(), tch::Device::Cpu).unwrap();
        let theirs = reference::encode(&rb, &SENTENCES).unwrap();
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(a.len(), 384);
            let c = cosine(a, b);
            assert!(c >= 0.99999, "sentence {i} {:?}: cosine {c}", SENTENCES[i]);
        }
    }

    /// all-mpnet-base-v2 (the second base encoder `train tone --model-dir` was compared with;
    /// see the card) is not installed by the set-up script, and rust-bert 0.23 has no MPNet,
    /// so our forward pass is checked against sentence-transformers 3.0.1 (torch 2.4.0) on
    /// three sentences: the first six components and the three cosines it printed. The
    /// sentences go through in one padded batch, so the padding mask and the relative-position
    /// bias are checked together.
    #[test]
    fn mpnet_embeddings_match_sentence_transformers_when_that_model_is_installed() {
        let Some(dir) = std::env::var_os("TONETRACK_MPNET_MODEL") else {
            eprintln!("skipped: set TONETRACK_MPNET_MODEL to an all-mpnet-base-v2 folder");
            return;
        };
        let model = ModelDir::open(std::path::Path::new(&dir)).unwrap();
        let encoder = Encoder::load(&model, tch::Device::Cpu).unwrap();
        assert_eq!(encoder.arch, arch::Architecture::MpNet);
        let tok = Tokenizer::load(&model).unwrap();
        let texts = [
            "We welcome the talks and look forward to more.",
            "Any attack will be met with a resolute response.",
            "The delegation arrived on Tuesday for two days of meetings with the foreign ministry.",
        ];
        let ids: Vec<Vec<i64>> = texts.iter().map(|t| tok.encode(t).unwrap()).collect();
        assert_eq!(
            ids[0],
            [0, 2061, 6164, 2000, 7570, 2002, 2302, 2834, 2004, 2066, 1016, 2]
        );
        let e = encoder.embed(&ids).unwrap();
        let expected = [
            [0.017167, 0.101508, -0.013965, 0.013078, 0.035135, -0.057321],
            [
                0.056381, 0.003503, -0.014149, -0.018041, 0.017096, -0.041745,
            ],
            [0.07148, 0.018486, -0.021306, 0.030576, -0.021464, -0.054821],
        ];
        for (v, want) in e.iter().zip(&expected) {
            assert_eq!(v.len(), 768);
            for (x, w) in v.iter().zip(want) {
                assert!((*x as f64 - w).abs() < 2e-6, "{x} vs {w}");
            }
        }
        let cos = [
            cosine(&e[0], &e[1]),
            cosine(&e[0], &e[2]),
            cosine(&e[1], &e[2]),
        ];
        for (c, w) in cos.iter().zip([0.147626, 0.202465, 0.019846]) {
            assert!((c - w).abs() < 2e-6, "cosine {c} vs {w}");
        }
    }

    #[test]
    fn padding_batching_replicas_and_duplicates_do_not_change_embeddings() {
        let alone: Vec<Vec<f32>> = SENTENCES
            .iter()
            .map(|s| embedder(1, 1).embed(&[s]).unwrap().remove(0))
            .collect();
        let mut texts: Vec<&str> = SENTENCES.iter().chain(SENTENCES.iter()).copied().collect();
        texts.reverse();
        let together = embedder(2, 4).embed(&texts).unwrap();
        for (i, t) in texts.iter().enumerate() {
            let j = SENTENCES.iter().position(|s| s == t).unwrap();
            let c = cosine(&together[i], &alone[j]);
            assert!(c >= 0.99999, "{t:?}: cosine {c}");
        }
    }

    #[test]
    fn a_statement_embeds_to_the_same_bits_alone_and_in_a_batch_of_its_length() {
        // Equal token counts (one word-piece per country name): the scorer's batches hold one
        // length only, so a score cannot depend on what else the run held (sharded runs and the
        // per-run cache rely on this).
        let texts: Vec<String> = ["china", "japan", "france", "spain", "india", "italy"]
            .iter()
            .map(|c| format!("We welcome the talks with {c} and hope for progress."))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let e = embedder(1, 32);
        let together = e.embed(&refs).unwrap();
        for (i, t) in refs.iter().enumerate() {
            let alone = e.embed(&[t]).unwrap().remove(0);
            assert_eq!(alone, together[i], "{t}");
        }
    }

    #[test]
    fn a_statement_embeds_to_the_same_bits_in_any_position_and_company_of_its_batch() {
        // The shard and backfill tests failed on a 3-token statement before short batches were
        // filled to one shape; here every length from 3 tokens up, in every position, with
        // different companions and alone.
        let words = [
            "china", "japan", "france", "spain", "india", "italy", "peace", "talks",
        ];
        let e = embedder(1, 4);
        for extra in [0usize, 1, 5, 20] {
            let texts: Vec<String> = words
                .iter()
                .map(|w| {
                    let mut t = w.to_string();
                    for _ in 0..extra {
                        t.push_str(" progress");
                    }
                    t
                })
                .collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let alone: Vec<Vec<f32>> = refs
                .iter()
                .map(|t| e.embed(&[t]).unwrap().remove(0))
                .collect();
            for shift in 0..refs.len() {
                let mut rotated = refs.clone();
                rotated.rotate_left(shift);
                for n in [2, 3, 5, 8] {
                    let got = e.embed(&rotated[..n]).unwrap();
                    for (t, g) in rotated[..n].iter().zip(&got) {
                        let i = refs.iter().position(|r| r == t).unwrap();
                        // Not assert_eq: two 384-float vectors would bury the message.
                        assert!(
                            g == &alone[i],
                            "{t:?} with {n} texts, shift {shift}: bits differ"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn scores_do_not_depend_on_the_batch_or_on_having_been_scored_before() {
        let s = shipped_scorer(HeadKind::Ensemble);
        let a = ToneInput {
            text: "We firmly oppose the sanctions.",
            cue: None,
        };
        let b = ToneInput {
            text: "The two sides agreed to keep talking and to meet again next month.",
            cue: Some("said"),
        };
        let first = s.score_batch(&[a, b, a]);
        assert_eq!(first[0], first[2]);
        let again = s.score_batch(&[b, a]);
        assert_eq!(again[1], first[0]);
        assert_eq!(again[0], first[1]);
        let fresh = shipped_scorer(HeadKind::Ensemble).score(&a);
        assert_eq!(fresh, first[0]);
    }

    #[test]
    fn long_text_is_cut_at_max_seq_length() {
        let long = "word ".repeat(1000);
        let e = embedder(1, 2).embed(&[&long, "short"]).unwrap();
        assert_eq!(e[0].len(), 384);
        assert!(e[0].iter().all(|v| v.is_finite()));
    }

    #[test]
    fn missing_model_folder_names_the_setup_script() {
        let err = ModelDir::open(Path::new("/nonexistent/model"))
            .err()
            .expect("must fail")
            .to_string();
        assert!(err.contains("scripts/setup-transformer.sh"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        let err = ModelDir::open(dir.path())
            .err()
            .expect("must fail")
            .to_string();
        assert!(
            err.contains("model.safetensors is missing")
                && err.contains("scripts/setup-transformer.sh"),
            "{err}"
        );
    }

    fn shipped_scorer(kind: HeadKind) -> Box<dyn ToneScorer> {
        let source = ModelSource::default();
        let lexicon = source.load("tone-lexicon.toml").unwrap();
        let head = source.load(crate::tone::head::HEAD_FILE).unwrap();
        build(
            kind,
            LexiconScorer::load(&lexicon).unwrap(),
            &lexicon.sha256,
            &head,
            &TransformerOptions::default(),
        )
        .unwrap()
        .0
    }

    #[test]
    fn shipped_head_scores_clear_cases_and_keeps_lexicon_sentiment_and_cues() {
        for kind in [HeadKind::Transformer, HeadKind::Ensemble] {
            let s = shipped_scorer(kind);
            let inputs: Vec<ToneInput> = [
                "China firmly opposes and strongly condemns the sanctions and will take resolute countermeasures.",
                "We welcome the progress and look forward to working together to strengthen our cooperation.",
            ]
            .iter()
            .map(|t| ToneInput { text: t, cue: None })
            .collect();
            let out = s.score_batch(&inputs);
            assert_eq!(out[0].label, ToneLabel::Firm, "{} {:?}", s.name(), out[0]);
            assert_eq!(
                out[1].label,
                ToneLabel::Conciliatory,
                "{} {:?}",
                s.name(),
                out[1]
            );
            for o in &out {
                assert!(
                    (-1.0..=1.0).contains(&o.tone) && (1.0 / 3.0..=1.0).contains(&o.confidence),
                    "{o:?}"
                );
            }
            // Both keep the lexicon's cues and tone: they explain `lexicon_tone`.
            assert!(!out[0].cues.is_empty(), "{:?}", out[0]);
            assert!(out[0].lexicon_tone < 0.0 && out[1].lexicon_tone > 0.0);
            assert!(
                out[1].sentiment > 0.0,
                "lexicon sentiment kept: {:?}",
                out[1]
            );
            assert!(s.version().starts_with("head-"));
        }
    }

    #[test]
    fn ensemble_tone_signs_on_the_seed() {
        // See: issue #4, "gets the seed's 17 non-mixed statements right", and issue 24 (the
        // default scorer). The seed is not training data. With the first fine-tuned head two
        // signs were wrong: the bare fragment "have an obligation and responsibility" read as a
        // demand (partial quotes are now scored with their reported clause) and a reassurance
        // of continuity ("did not reflect a departure from ...") as firm (diplomatic sets
        // 1.2.0/2.1.0 added that register in contrasting pairs).
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (gold, seed) = (
            root.join("../shared/eval/seed-gold.jsonl"),
            root.join("../shared/seed/blinken-beijing.txt"),
        );
        if !gold.exists() || !seed.exists() {
            eprintln!("skipped: ../shared/eval/seed-gold.jsonl or ../shared/seed/blinken-beijing.txt not found");
            return;
        }
        let config = crate::config::Config::default();
        let engine = crate::pipeline::Engine::load_with(
            &config,
            crate::tone::ScorerKind::Ensemble,
            &TransformerOptions::default(),
        )
        .unwrap();
        let gold = crate::eval::read_gold(&gold).unwrap();
        let (articles, _) = crate::pipeline::read_articles_blocking(&seed, &config);
        // The evaluation's own predictions (`tonetrack eval statements`): over all statements,
        // as here, what it calls quoted does not enter the tone counts.
        let preds: Vec<_> = articles
            .into_iter()
            .flat_map(|a| crate::eval::predicted(&engine.process(a)))
            .collect();
        let (report, mismatches) =
            crate::eval::evaluate(&gold, &preds, crate::eval::Subset::All, None);
        let wrong: Vec<_> = mismatches
            .iter()
            .filter(|m| m.error == "wrong_tone")
            .collect();
        assert_eq!(report.tone_n, 17);
        assert!(wrong.is_empty(), "{wrong:?}");
    }
}
