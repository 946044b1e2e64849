//! Training of the re-ranker's weights: an averaged perceptron over each quote's candidate
//! list, from [`Example`]s that say which candidates name the gold speaker.
//!
//! ```text
//! candidates   ["the senator"] ["Ruiz"]   gold: "Ruiz"   rules chose "the senator"
//! an update    weights of "Ruiz"'s features +1, of "the senator"'s −1 (unless "Ruiz" wins
//!              by a margin of 1 already); the result is the average over all steps
//! ```

use rustc_hash::FxHashMap as HashMap;

use super::{Candidate, SpeakerRanker};
use crate::rng::SplitMix64;
use crate::rule::Rule;
use crate::types::Span;

/// One training example: the candidates' features and which of them name the gold speaker.
#[derive(Debug, Clone)]
pub struct Example {
    /// How the rules attributed the quote.
    pub how: Rule,
    pub features: Vec<Vec<String>>,
    pub positive: Vec<bool>,
    pub rule: Option<usize>,
}

impl Example {
    fn as_candidates(&self) -> Vec<Candidate> {
        self.features
            .iter()
            .enumerate()
            .map(|(i, f)| Candidate {
                span: Span::new(0, 0),
                features: f.clone(),
                is_rule: self.rule == Some(i),
            })
            .collect()
    }

    /// Whether choosing with these weights and margin names the gold speaker.
    pub fn correct(&self, ranker: &SpeakerRanker) -> bool {
        if ranker.trusted.contains(&self.how) {
            return self.rule.is_some_and(|r| self.positive[r]);
        }
        ranker
            .choose(&self.as_candidates())
            .is_some_and(|i| self.positive[i])
    }
}

/// Averaged perceptron over the candidate lists: on an example whose best-scoring candidate is
/// no gold speaker, the weights move towards the best-scoring gold candidate and away from the
/// wrong one. Examples are visited in a seeded order, so the weights are reproducible.
pub fn train(examples: &[Example], epochs: usize, seed: u64) -> HashMap<String, f64> {
    let mut w: HashMap<String, f64> = HashMap::default();
    // Averaging by the usual trick: `total` accumulates each update times the step it was made.
    let mut total: HashMap<String, f64> = HashMap::default();
    let mut step = 1.0f64;
    let mut order: Vec<usize> = (0..examples.len())
        .filter(|&i| examples[i].positive.iter().any(|&p| p))
        .collect();
    let mut rng = SplitMix64(seed);
    let score = |w: &HashMap<String, f64>, f: &[String]| -> f64 {
        f.iter().filter_map(|x| w.get(x.as_str())).sum()
    };
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            let scores: Vec<f64> = ex.features.iter().map(|f| score(&w, f)).collect();
            let pick = |want: bool| {
                (0..scores.len())
                    .filter(|&k| ex.positive[k] == want)
                    .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
            };
            let (Some(good), Some(bad)) = (pick(true), pick(false)) else {
                step += 1.0;
                continue;
            };
            // Update also inside a margin of 1, so the gold candidate wins clearly.
            if scores[good] - scores[bad] < 1.0 {
                for f in &ex.features[good] {
                    *w.entry(f.clone()).or_default() += 1.0;
                    *total.entry(f.clone()).or_default() += step;
                }
                for f in &ex.features[bad] {
                    *w.entry(f.clone()).or_default() -= 1.0;
                    *total.entry(f.clone()).or_default() -= step;
                }
            }
            step += 1.0;
        }
    }
    w.into_iter()
        .map(|(k, v)| {
            let avg = v - total.get(&k).copied().unwrap_or(0.0) / step;
            (k, avg)
        })
        .filter(|(_, v)| *v != 0.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_is_reproducible_and_learns_a_separable_preference() {
        let ex = |good: &str, bad: &str| Example {
            how: Rule::NotFound,
            features: vec![vec![bad.to_string()], vec![good.to_string()]],
            positive: vec![false, true],
            rule: Some(0),
        };
        let data = vec![
            ex("next:cue_speech", "prev:by"),
            ex("next:cue_speech", "len:1"),
        ];
        let a = train(&data, 5, 7);
        assert_eq!(a, train(&data, 5, 7));
        let model = SpeakerRanker::new(a, 0.0, Vec::new());
        assert!(data.iter().all(|x| x.correct(&model)));
        // Trusted attributions keep the rules' answer.
        let trusting = SpeakerRanker::new(model.weights.clone(), 0.0, vec![Rule::NotFound]);
        assert!(data.iter().all(|x| !x.correct(&trusting)));
    }
}
