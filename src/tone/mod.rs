//! Tone scoring. A [`ToneScorer`] turns a statement into a [`ToneScore`]: tone from firm (−1)
//! to conciliatory (+1), a label, a confidence, the cue phrases that drove it, and a separate
//! sentiment axis. Scorers are chosen with `--scorer`; the lexicon scorer is always built, the
//! transformer and ensemble scorers (sentence embeddings + the trained head in
//! `models/tone-head.json`) live behind the `transformer` cargo feature. The head's format,
//! training and evaluation ([`head`], [`train`]) need no libtorch and are always built.

pub mod card;
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

/// The number format of the encoder's layers when scoring. `f32` is what the model was trained
/// in; `bf16` runs the layers in bfloat16, which on CPUs with AVX512-BF16 (or AMX, whose CPUs
/// have it too) measured 2.7× faster (2 AMD EPYC cores: 833–873 against 300–324 statements/s
/// in one run) with the held-out macro-F1 of the ensemble unchanged on all three sets. Scores
/// differ in the last digits, so a precision other than f32 is part of `scorer_version`. On a
/// CPU without bf16 instructions libtorch emulates it and it is slower: [`PrecisionChoice::Auto`]
/// (the default) picks bf16 only where the CPU has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

    /// What a learned scorer adds to its `scorer_version` for this precision: nothing for f32
    /// (so f32 states keep the versions they had), `+bf16` otherwise. [`Precision::split_version`]
    /// reads it back.
    pub fn version_part(self) -> String {
        match self {
            Precision::F32 => String::new(),
            p => format!("+{}", p.as_str()),
        }
    }

    /// A `scorer_version` as (the precision it was computed in, the version without its
    /// precision part); a version without a precision part is f32's.
    ///
    /// `Precision::split_version("head-2.0.0+all-MiniLM-L6-v2@53aa5117+batch8+bf16+lexicon-1.1.0")`
    /// is `(Bf16, "head-2.0.0+all-MiniLM-L6-v2@53aa5117+batch8+lexicon-1.1.0")`.
    pub fn split_version(version: &str) -> (Precision, String) {
        let bf16 = Precision::Bf16.as_str();
        let rest: Vec<&str> = version.split('+').filter(|part| *part != bf16).collect();
        let precision = match rest.len() < version.split('+').count() {
            true => Precision::Bf16,
            false => Precision::F32,
        };
        (precision, rest.join("+"))
    }

    /// The precision a `scorer_version` was computed in ([`Precision::split_version`]).
    pub fn of_version(version: &str) -> Precision {
        Precision::split_version(version).0
    }

    /// Whether this CPU computes bfloat16 in hardware (AVX512-BF16; Intel's AMX CPUs have it
    /// too). Without it libtorch emulates bf16 and `Bf16` is slower than `F32`.
    pub fn cpu_has_bf16() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx512bf16")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }
}

/// What `--precision` asks for. `auto` keeps the precision an output folder's statements were
/// scored in (so a scheduled run never needs `--rebuild` because it moved to another machine),
/// and otherwise takes the fastest this CPU computes natively: bf16 with AVX512-BF16, else f32.
/// Training is always f32 ([`PrecisionChoice::for_training`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum PrecisionChoice {
    #[default]
    Auto,
    F32,
    Bf16,
}

/// Why a precision was chosen; logged by the commands that score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrecisionReason {
    Asked,
    KeptFromState,
    CpuHasBf16,
    CpuLacksBf16,
}

impl PrecisionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            PrecisionReason::Asked => "--precision",
            PrecisionReason::KeptFromState => {
                "auto: the precision the output folder's statements were scored in"
            }
            PrecisionReason::CpuHasBf16 => "auto: this CPU has AVX512-BF16",
            PrecisionReason::CpuLacksBf16 => {
                "auto: f32 (bf16 only on CPUs with AVX512-BF16, which this device is not)"
            }
        }
    }
}

impl PrecisionChoice {
    /// The precision to score in, given the `scorer_version` of the statements already in the
    /// output folder (if any) and whether this CPU has bf16 instructions.
    pub fn resolve(
        self,
        state_version: Option<&str>,
        cpu_has_bf16: bool,
    ) -> (Precision, PrecisionReason) {
        match (self, state_version) {
            (PrecisionChoice::F32, _) => (Precision::F32, PrecisionReason::Asked),
            (PrecisionChoice::Bf16, _) => (Precision::Bf16, PrecisionReason::Asked),
            (PrecisionChoice::Auto, Some(v)) => {
                (Precision::of_version(v), PrecisionReason::KeptFromState)
            }
            (PrecisionChoice::Auto, None) if cpu_has_bf16 => {
                (Precision::Bf16, PrecisionReason::CpuHasBf16)
            }
            (PrecisionChoice::Auto, None) => (Precision::F32, PrecisionReason::CpuLacksBf16),
        }
    }

    /// Training fine-tunes and fits in f32 whatever the CPU: `auto` is f32 there, and asking
    /// for bf16 is an error rather than a quietly different model.
    pub fn for_training(self) -> std::result::Result<Precision, String> {
        match self {
            PrecisionChoice::Auto | PrecisionChoice::F32 => Ok(Precision::F32),
            PrecisionChoice::Bf16 => Err(
                "training runs in f32 (the shipped layers are fp16 copies of f32 weights); drop --precision bf16".into(),
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    const F32_VERSION: &str = "head-2.0.0+all-MiniLM-L6-v2@53aa5117+batch8+lexicon-1.1.0";
    const BF16_VERSION: &str = "head-2.0.0+all-MiniLM-L6-v2@53aa5117+batch8+bf16+lexicon-1.1.0";

    #[test]
    fn a_version_names_bf16_only_when_it_was_scored_in_bf16() {
        assert_eq!(Precision::of_version(BF16_VERSION), Precision::Bf16);
        assert_eq!(Precision::of_version(F32_VERSION), Precision::F32);
        assert_eq!(Precision::of_version("1.1.0"), Precision::F32);
        // A name that merely contains the letters is not the precision.
        assert_eq!(
            Precision::of_version("head-2.0.0+bf16model@1"),
            Precision::F32
        );
    }

    #[test]
    fn a_version_part_is_read_back_and_left_out_by_split_version() {
        for p in [Precision::F32, Precision::Bf16] {
            let version = format!("head-2.0.0+m@1+batch8{}+lexicon-1.1.0", p.version_part());
            assert_eq!(
                Precision::split_version(&version),
                (p, F32_VERSION.replace("all-MiniLM-L6-v2@53aa5117", "m@1"))
            );
        }
        assert_eq!(Precision::F32.version_part(), "");
    }

    #[test]
    fn auto_keeps_the_folders_precision_whatever_this_cpu_has() {
        for cpu in [true, false] {
            assert_eq!(
                PrecisionChoice::Auto.resolve(Some(BF16_VERSION), cpu),
                (Precision::Bf16, PrecisionReason::KeptFromState)
            );
            assert_eq!(
                PrecisionChoice::Auto.resolve(Some(F32_VERSION), cpu),
                (Precision::F32, PrecisionReason::KeptFromState)
            );
        }
    }

    #[test]
    fn auto_on_a_new_folder_takes_bf16_only_on_a_cpu_that_has_it() {
        assert_eq!(
            PrecisionChoice::Auto.resolve(None, true),
            (Precision::Bf16, PrecisionReason::CpuHasBf16)
        );
        assert_eq!(
            PrecisionChoice::Auto.resolve(None, false),
            (Precision::F32, PrecisionReason::CpuLacksBf16)
        );
    }

    #[test]
    fn an_explicit_precision_wins_over_the_folder_and_the_cpu() {
        assert_eq!(
            PrecisionChoice::F32.resolve(Some(BF16_VERSION), true),
            (Precision::F32, PrecisionReason::Asked)
        );
        assert_eq!(
            PrecisionChoice::Bf16.resolve(Some(F32_VERSION), false),
            (Precision::Bf16, PrecisionReason::Asked)
        );
    }

    #[test]
    fn training_is_f32_and_refuses_bf16() {
        assert_eq!(PrecisionChoice::Auto.for_training(), Ok(Precision::F32));
        assert_eq!(PrecisionChoice::F32.for_training(), Ok(Precision::F32));
        assert!(PrecisionChoice::Bf16
            .for_training()
            .unwrap_err()
            .contains("f32"));
    }
}
