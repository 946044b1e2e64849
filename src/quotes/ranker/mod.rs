//! A learned re-ranker of a quote's speaker: the rules of [`super`] name one noun phrase; this
//! module lists the other noun phrases that could have said the quote (in its sentence and the
//! sentence before, and the previous statement's speaker), describes each with a few dozen
//! binary features (side of the quote, distance, what stands before and after it, what kind of
//! phrase it is, whether the rules chose it and how), and lets a linear model trained on PolNeAR
//! (`tonetrack train speakers`) overrule the rules when it prefers another phrase by more than a
//! margin. The weights live in `models/speaker-ranker.toml`; without that file nothing changes.
//!
//! The rules stay the first reading: they are right about nine times in ten, and the features
//! say which of their readings (`how`) are weak, so the model learns where to doubt them
//! instead of replacing them.
//!
//! ```text
//! Ruiz met Okafor on Monday. “We agreed,” the senator said.
//!   candidates: "Ruiz", "Okafor" (sentence before), "the senator" (the rules' choice)
//!   features of "the senator": rule:after-quote, side:after, dist:after:1, next:cue_speech, …
//! ```
//! Here: the model and its choice; [`features`] the candidates and their features, [`file`]
//! the model file, [`perceptron`] the training.

mod features;
mod file;
mod perceptron;

use rustc_hash::FxHashMap as HashMap;

use super::doc::Doc;
use super::Extractor;
use crate::rule::Rule;
use crate::types::{Span, Statement};
use features::{Memo, Names, Scores};
pub use perceptron::{train, Example};

/// A linear scorer of speaker candidates, read from `models/speaker-ranker.toml`.
#[derive(Debug, Clone, Default)]
pub struct SpeakerRanker {
    weights: HashMap<String, f64>,
    /// The weights by [`feature_hash`] of their names.
    hashed: HashMap<u64, f64>,
    /// How much better than the rules' choice another candidate must score to replace it.
    pub margin: f64,
    /// Attributions (`Statement::attribution`) the ranker leaves alone: readings the rules
    /// rarely get wrong, skipped to keep extraction fast.
    pub trusted: Vec<Rule>,
}

impl SpeakerRanker {
    pub fn new(weights: HashMap<String, f64>, margin: f64, trusted: Vec<Rule>) -> Self {
        let hashed = weights
            .iter()
            .map(|(k, v)| (feature_hash(&[k.as_str()]), *v))
            .collect();
        SpeakerRanker {
            weights,
            hashed,
            margin,
            trusted,
        }
    }

    /// The sum of the weights of `features` (by name).
    pub fn score(&self, features: &[String]) -> f64 {
        features
            .iter()
            .filter_map(|f| self.hashed.get(&feature_hash(&[f.as_str()])))
            .sum()
    }

    /// Which candidate speaks: the best-scoring one, unless the rules chose another that it
    /// beats by no more than the margin.
    pub fn choose(&self, cands: &[Candidate]) -> Option<usize> {
        let scores: Vec<f64> = cands.iter().map(|c| self.score(&c.features)).collect();
        choose(&scores, cands.iter().position(|c| c.is_rule), self.margin)
    }
}

pub(super) fn choose(scores: &[f64], rule: Option<usize>, margin: f64) -> Option<usize> {
    // On equal scores the earlier candidate wins, so the choice does not depend on how
    // `max_by` breaks ties.
    let best =
        (0..scores.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))?;
    match rule {
        Some(r) if scores[best] - scores[r] <= margin => Some(r),
        _ => Some(best),
    }
}

/// FNV-1a over a feature's parts joined by `:`, the same value as over its name: scoring
/// looks weights up by this hash, so no feature name is built while extracting.
pub(super) fn feature_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= u64::from(b':');
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for &b in p.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// One noun phrase that may have said a quote.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Byte span of the phrase in the article.
    pub span: Span,
    pub features: Vec<String>,
    /// The phrase the rules chose.
    pub is_rule: bool,
}

/// The candidates of one quote statement, for training: `statement` is the statement's span.
#[derive(Debug, Clone)]
pub struct QuoteCandidates {
    pub statement: Span,
    pub how: Rule,
    pub candidates: Vec<Candidate>,
}

impl Extractor {
    /// Re-scores the speaker of every direct and partial quote in `out` (reading order) and
    /// replaces the rules' phrase where the ranker prefers another clearly.
    pub(super) fn rerank(&self, doc: &Doc, out: &mut [Statement], ranker: &SpeakerRanker) {
        // A file without weights (an untrained model) leaves the rules alone.
        if ranker.weights.is_empty() {
            return;
        }
        let mut sink = Scores {
            ranker,
            scores: Vec::new(),
        };
        let mut memo = Memo::new(doc);
        for i in 0..out.len() {
            if ranker.trusted.contains(&out[i].attribution) || self.is_title(doc, &out[i]) {
                continue;
            }
            sink.scores.clear();
            let Some(cands) = self.candidates_for(doc, out, i, &mut sink, &mut memo) else {
                continue;
            };
            sink.scores.resize(cands.len(), 0.0);
            let rule = cands.iter().position(|c| c.1);
            let Some(best) = choose(&sink.scores, rule, ranker.margin) else {
                continue;
            };
            if Some(best) == rule {
                continue;
            }
            let st = &mut out[i];
            st.speaker_mention = Some(cands[best].0);
            st.descriptor = None;
            st.antecedent = None;
            st.attribution = Rule::Ranked;
        }
    }

    /// The candidates of every quote statement in `out`, with their features by name, for
    /// training.
    pub(super) fn collect_candidates(&self, doc: &Doc, out: &[Statement]) -> Vec<QuoteCandidates> {
        let mut memo = Memo::new(doc);
        (0..out.len())
            .filter_map(|i| {
                let mut names = Names(Vec::new());
                let cands = self.candidates_for(doc, out, i, &mut names, &mut memo)?;
                names.0.resize(cands.len(), Vec::new());
                let candidates = cands
                    .into_iter()
                    .zip(names.0)
                    .map(|((span, is_rule), features)| Candidate {
                        span,
                        features,
                        is_rule,
                    })
                    .collect();
                Some(QuoteCandidates {
                    statement: out[i].span,
                    how: out[i].attribution,
                    candidates,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_choice_stands_unless_another_beats_it_by_the_margin() {
        assert_eq!(choose(&[1.0, 1.5], Some(0), 1.0), Some(0));
        assert_eq!(choose(&[1.0, 2.5], Some(0), 1.0), Some(1));
        // No rules' choice: the best candidate; on a tie the first.
        assert_eq!(choose(&[0.5, 2.0, 2.0], None, 1.0), Some(1));
        assert_eq!(choose(&[], None, 1.0), None);
    }

    #[test]
    fn feature_hashes_do_not_depend_on_how_the_name_is_split() {
        assert_eq!(
            feature_hash(&["side", "before", "before-quote:participle"]),
            feature_hash(&["side:before:before-quote:participle"])
        );
        assert_ne!(
            feature_hash(&["side", "before"]),
            feature_hash(&["side", "after"])
        );
    }
}
