//! Tone scoring. A [`ToneScorer`] turns a statement into a [`ToneScore`]: tone from firm (−1)
//! to conciliatory (+1), a label, a confidence, the cue phrases that drove it, and a separate
//! sentiment axis. Scorers are chosen with `--scorer`; the lexicon scorer is always built, the
//! transformer and ensemble scorers (sentence embeddings + the trained head in
//! `models/tone-head.json`) live behind the `transformer` cargo feature. The head's format,
//! training and evaluation ([`head`], [`train`]) need no libtorch and are always built.

pub mod data;
pub mod head;
pub mod lexicon;
pub mod train;
#[cfg(feature = "transformer")]
pub mod transformer;

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::models::ModelFile;
use crate::types::ToneScore;
pub use lexicon::LexiconScorer;

/// What a scorer reads: the statement and, when known, the reporting verb ("warned", "hailed"),
/// which often carries the tone the quoted words leave implicit.
#[derive(Debug, Clone, Copy)]
pub struct ToneInput<'a> {
    pub text: &'a str,
    pub cue: Option<&'a str>,
}

/// A tone scorer. Implementations must be shareable across worker threads; a model whose
/// tensors are not `Sync` runs on its own thread behind a channel.
pub trait ToneScorer: Send + Sync {
    /// Short name written to the `scorer` column ("lexicon").
    fn name(&self) -> &str;
    /// Version of the knowledge or weights, written to `scorer_version`.
    fn version(&self) -> &str;
    fn score(&self, input: &ToneInput) -> ToneScore;
    /// Scores many statements at once; learned scorers override this to batch.
    fn score_batch(&self, inputs: &[ToneInput]) -> Vec<ToneScore> {
        inputs.iter().map(|i| self.score(i)).collect()
    }
}

/// The scorers this build knows, for `--scorer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ScorerKind {
    /// Weighted cue phrases from models/tone-lexicon.toml, with negation and hedges.
    Lexicon,
    /// Sentence embeddings and a trained tone head (needs the `transformer` feature).
    Transformer,
    /// The trained head reading the embedding and the lexicon's scores (needs the `transformer`
    /// feature).
    Ensemble,
}

impl ScorerKind {
    /// What `run` (and every command with `--scorer`) uses unless told otherwise: the learned
    /// scorer. A build without the `transformer` feature (the libtorch-free binary) refuses it
    /// with a message to pass `--scorer lexicon`, rather than quietly scoring with the lexicon.
    pub const DEFAULT: ScorerKind = ScorerKind::Ensemble;

    pub fn as_str(&self) -> &'static str {
        match self {
            ScorerKind::Lexicon => "lexicon",
            ScorerKind::Transformer => "transformer",
            ScorerKind::Ensemble => "ensemble",
        }
    }

    /// Whether the scorer needs the embedding model and the head.
    pub fn is_learned(&self) -> bool {
        !matches!(self, ScorerKind::Lexicon)
    }
}

/// Where the learned scorers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum DeviceKind {
    #[default]
    Cpu,
    Cuda,
}

/// The number format of the encoder's layers when scoring. `f32` is the default and what the
/// model was trained in; `bf16` runs the layers in bfloat16, which on CPUs with AVX512-BF16 or
/// AMX measured 2.7× faster (2 AMD EPYC cores: 833–873 against 300–324 statements/s in one
/// run) with the held-out macro-F1 of the ensemble unchanged on all three sets. Scores differ
/// in the last digits, so the precision is part of `scorer_version`. On a CPU without bf16
/// instructions libtorch emulates it and it is slower, hence not the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Precision {
    #[default]
    F32,
    Bf16,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
        }
    }
}

/// Run-time settings of the learned scorers (ignored by the lexicon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformerOptions {
    /// The sentence-transformers model folder; default [`TransformerOptions::resolved_model_dir`].
    pub model_dir: Option<PathBuf>,
    /// A head file other than the configured `tone-head.json`.
    pub head: Option<PathBuf>,
    pub device: DeviceKind,
    /// Statements per forward pass.
    pub batch_size: usize,
    /// Number format of the encoder's layers.
    pub precision: Precision,
    /// Encoder threads sharing the weights; 0 = one per core on a CPU, one on CUDA.
    pub replicas: usize,
    /// libtorch intra-op threads per replica; 0 = cores / replicas.
    pub threads_per_replica: usize,
    /// The config's `[models] transformer_model`, resolved against the config's folder; below
    /// `--model-dir` and the environment variable.
    pub config_model_dir: Option<PathBuf>,
}

impl Default for TransformerOptions {
    fn default() -> Self {
        TransformerOptions {
            model_dir: None,
            head: None,
            device: DeviceKind::Cpu,
            batch_size: 8,
            precision: Precision::F32,
            replicas: 0,
            threads_per_replica: 0,
            config_model_dir: None,
        }
    }
}

/// Where `scripts/setup-transformer.sh` puts the model, relative to the repository.
pub const DEFAULT_MODEL_DIR: &str = "models/transformer/all-MiniLM-L6-v2";

/// The environment variable naming the model folder (also written by models/transformer/env.sh).
pub const MODEL_DIR_ENV: &str = "TONETRACK_TRANSFORMER_MODEL";

impl TransformerOptions {
    /// `--model-dir`, else `$TONETRACK_TRANSFORMER_MODEL`, else the config's `[models]
    /// transformer_model` (see [`TransformerOptions::with_config`]), else
    /// `models/transformer/all-MiniLM-L6-v2` in the current folder, else the same folder in the
    /// source tree this binary was built from (so a binary run from anywhere on the machine that
    /// built it finds the model the set-up script installed there).
    pub fn resolved_model_dir(&self) -> PathBuf {
        if let Some(d) = &self.model_dir {
            return d.clone();
        }
        if let Some(d) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
            return PathBuf::from(d);
        }
        if let Some(d) = &self.config_model_dir {
            return d.clone();
        }
        let here = PathBuf::from(DEFAULT_MODEL_DIR);
        if here.is_dir() {
            return here;
        }
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR)
    }

    /// These options with the config's `[models] transformer_model` filled in.
    pub fn with_config(&self, config: &crate::config::Config) -> TransformerOptions {
        TransformerOptions {
            config_model_dir: config
                .models
                .transformer_model
                .as_ref()
                .map(|d| config.resolve(d)),
            ..self.clone()
        }
    }
}

/// Builds the requested scorer; returns it with the extra files it read (name, sha256) for the
/// manifest: the head and the embedding weights for the learned scorers. `head` is the head
/// file, needed only by the learned scorers.
pub fn build(
    kind: ScorerKind,
    lexicon: LexiconScorer,
    lexicon_file: &ModelFile,
    head: Option<&ModelFile>,
    options: &TransformerOptions,
) -> Result<(Box<dyn ToneScorer>, Vec<(String, String)>)> {
    if kind == ScorerKind::Lexicon {
        return Ok((Box::new(lexicon), Vec::new()));
    }
    let head = head.ok_or_else(|| Error::Scorer {
        name: kind.as_str().into(),
        message: "no tone head file given".into(),
    })?;
    build_learned(kind, lexicon, lexicon_file, head, options)
}

#[cfg(feature = "transformer")]
fn build_learned(
    kind: ScorerKind,
    lexicon: LexiconScorer,
    lexicon_file: &ModelFile,
    head: &ModelFile,
    options: &TransformerOptions,
) -> Result<(Box<dyn ToneScorer>, Vec<(String, String)>)> {
    let head_kind = match kind {
        ScorerKind::Ensemble => train::HeadKind::Ensemble,
        _ => train::HeadKind::Transformer,
    };
    transformer::build(head_kind, lexicon, &lexicon_file.sha256, head, options)
}

#[cfg(not(feature = "transformer"))]
fn build_learned(
    kind: ScorerKind,
    _lexicon: LexiconScorer,
    _lexicon_file: &ModelFile,
    _head: &ModelFile,
    _options: &TransformerOptions,
) -> Result<(Box<dyn ToneScorer>, Vec<(String, String)>)> {
    Err(Error::Scorer {
        name: kind.as_str().into(),
        message: "this is the libtorch-free build (without the `transformer` feature): pass `--scorer lexicon`, or build with the default features after scripts/setup-transformer.sh".into(),
    })
}
