//! Model selection for the speaker re-ranker: cross-validate every setting (training passes,
//! margin, attributions trusted to the rules) by article, pick the one with the best held-out
//! speaker accuracy, retrain it on every quote and describe it for the model file. The examples
//! and the cross-validation itself are in [`crate::train::speakers`]; this picks among its
//! results.
//!
//! Example: `tonetrack train speakers --gold ../shared/datasets/polnear/train.gold.jsonl
//! --articles ../shared/datasets/polnear/train.articles.jsonl` prints every setting's accuracy,
//! then writes the chosen [`Selection::model`] with [`Selection::about`] as its header.

use std::path::Path;

use crate::eval::Gold;
use crate::pipeline::Engine;
use crate::quotes::ranker::{self, SpeakerRanker};
use crate::rule::{Rule, UnknownName};
use crate::train::speakers::{self as ranker_train, CvResult};
use crate::types::Article;

/// The settings to compare.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folds of the cross-validation by article.
    pub folds: usize,
    /// Training passes to try.
    pub epochs: Vec<usize>,
    /// Margins to try: how much better another candidate must score than the rules' choice.
    pub margins: Vec<f64>,
    /// Sets of attributions to leave to the rules.
    pub trusted: Vec<Vec<Rule>>,
    /// Seed of the fold assignment and of the training order.
    pub seed: u64,
}

/// Parses `--trusted` values: each a comma-separated set of attributions (an empty value: none).
/// A name that is no attribution rule is an error that lists the known ones.
pub fn trusted_sets(values: &[String]) -> Result<Vec<Vec<Rule>>, UnknownName> {
    values
        .iter()
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::parse::<Rule>)
                .collect()
        })
        .collect()
}

/// Why no model could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// No quote the rules found matched a gold quote with a speaker.
    #[error("no quote matched a gold quote with a speaker")]
    NoQuotes,
    /// The settings hold no combination to try (no epochs, margins or trusted sets).
    #[error("no setting to cross-validate")]
    NoSetting,
}

/// The outcome: every setting's held-out accuracy, the chosen one and its model retrained on
/// every quote.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Articles read.
    pub articles: usize,
    /// Quotes matched to a gold quote with a speaker.
    pub quotes: usize,
    /// Quotes with a right speaker among their candidates.
    pub reachable: usize,
    /// Every setting, in the order tried.
    pub results: Vec<CvResult>,
    /// The chosen setting (see [`best`]).
    pub best: CvResult,
    /// The chosen setting retrained on every quote.
    pub model: SpeakerRanker,
}

/// The setting with the most quotes right under the re-ranker. On a tie: more attributions
/// trusted (faster), the larger margin (fewer changes to the rules), fewer passes.
pub fn best(results: &[CvResult]) -> Option<&CvResult> {
    results.iter().max_by(|a, b| {
        a.ranked_correct
            .cmp(&b.ranked_correct)
            .then(a.trusted.len().cmp(&b.trusted.len()))
            .then(a.margin.total_cmp(&b.margin))
            .then(b.epochs.cmp(&a.epochs))
    })
}

/// Cross-validates every setting on `articles` against `gold`, picks the [`best`] and retrains
/// it on everything. The engine's own ranker is removed first: the model learns to doubt the
/// rules, so it must see their choices, not its own.
pub fn select(
    mut engine: Engine,
    articles: Vec<Article>,
    gold: &[Gold],
    settings: &Settings,
) -> Result<Selection, SelectError> {
    engine.extractor.set_ranker(None);
    let n_articles = articles.len();
    let data = ranker_train::examples(&engine, articles, gold);
    let n_quotes: usize = data.iter().map(|a| a.examples.len()).sum();
    if n_quotes == 0 {
        return Err(SelectError::NoQuotes);
    }
    let results = ranker_train::cross_validate(
        &data,
        settings.folds,
        &settings.epochs,
        &settings.margins,
        &settings.trusted,
        settings.seed,
    );
    let best = best(&results).ok_or(SelectError::NoSetting)?.clone();
    let reachable = data
        .iter()
        .flat_map(|a| &a.examples)
        .filter(|x| x.positive.iter().any(|&p| p))
        .count();
    let all: Vec<_> = data
        .iter()
        .flat_map(|a| a.examples.iter().cloned())
        .collect();
    let weights = ranker::train(&all, best.epochs, settings.seed);
    let model = SpeakerRanker::new(weights, best.margin, best.trusted.clone());
    Ok(Selection {
        articles: n_articles,
        quotes: n_quotes,
        reachable,
        results,
        best,
        model,
    })
}

impl Selection {
    /// The model file's header: what it was trained on and what the cross-validation chose.
    pub fn about(&self, gold: &Path, settings: &Settings) -> String {
        format!(
            "Speaker re-ranker: weights of `tonetrack train speakers` (averaged perceptron).\n\
             Trained on {} ({} articles, {} quotes matched to a gold speaker), seed {}.\n\
             {}-fold cross-validation by article chose epochs {}, margin {} and trusted {:?}:\n\
             held-out speaker accuracy on those quotes {:.4} with the re-ranker, {:.4} with the\n\
             rules alone.\n\
             Regenerate with the same command; see models/README.md.",
            gold.display(),
            self.articles,
            self.quotes,
            settings.seed,
            settings.folds,
            self.best.epochs,
            self.best.margin,
            self.best.trusted,
            self.best.ranked_accuracy(),
            self.best.rules_accuracy(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(ranked_correct: usize, trusted: usize, margin: f64, epochs: usize) -> CvResult {
        CvResult {
            epochs,
            margin,
            trusted: vec![Rule::AfterQuote; trusted],
            quotes: 10,
            ranked_correct,
            ..CvResult::default()
        }
    }

    #[test]
    fn the_most_quotes_right_wins_and_ties_go_to_more_trust_a_larger_margin_and_fewer_passes() {
        let rs = [result(7, 0, 0.0, 5), result(8, 0, 0.0, 20)];
        assert_eq!(best(&rs).map(|r| r.ranked_correct), Some(8));
        let rs = [result(8, 0, 5.0, 5), result(8, 1, 0.0, 20)];
        assert_eq!(best(&rs).map(|r| r.trusted.len()), Some(1));
        let rs = [result(8, 1, 0.5, 5), result(8, 1, 2.0, 20)];
        assert_eq!(best(&rs).map(|r| r.margin), Some(2.0));
        let rs = [result(8, 1, 2.0, 20), result(8, 1, 2.0, 10)];
        assert_eq!(best(&rs).map(|r| r.epochs), Some(10));
        assert!(best(&[]).is_none());
    }

    #[test]
    fn trusted_values_split_on_commas_and_an_empty_value_trusts_nothing() {
        let sets = trusted_sets(&["after-quote, before-quote".to_string(), String::new()]);
        assert_eq!(
            sets,
            Ok(vec![
                vec![Rule::AfterQuote, Rule::BeforeQuote],
                Vec::<Rule>::new()
            ])
        );
    }

    #[test]
    fn a_trusted_value_that_names_no_rule_is_an_error_naming_it() {
        let err = trusted_sets(&["after-quote,aftre-quote".to_string()]).unwrap_err();
        assert_eq!(err.name, "aftre-quote");
    }
}
