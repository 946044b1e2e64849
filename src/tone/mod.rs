//! Tone scoring. A [`ToneScorer`] turns a statement into a [`ToneScore`]: tone from firm (−1)
//! to conciliatory (+1), a label, a confidence, the cue phrases that drove it, and a separate
//! sentiment axis. Scorers are chosen with `--scorer`; the lexicon scorer is always built, the
//! transformer scorer lives behind the `transformer` cargo feature.

pub mod lexicon;

use crate::error::{Error, Result};
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
}

impl ScorerKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ScorerKind::Lexicon => "lexicon",
            ScorerKind::Transformer => "transformer",
        }
    }
}

/// Builds the requested scorer.
pub fn build(kind: ScorerKind, lexicon: LexiconScorer) -> Result<Box<dyn ToneScorer>> {
    match kind {
        ScorerKind::Lexicon => Ok(Box::new(lexicon)),
        ScorerKind::Transformer => Err(Error::Scorer {
            name: "transformer".into(),
            message: "this build has no transformer scorer; rebuild with `--features transformer` after running scripts/setup-transformer.sh".into(),
        }),
    }
}
