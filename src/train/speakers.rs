//! Training data and cross-validation for the speaker re-ranker ([`crate::quotes::ranker`]):
//! `examples(&engine, articles, &gold)` labels every candidate speaker of every quote the
//! rules find in PolNeAR, and `cross_validate` scores settings of epochs, margin and trusted
//! rules on held-out articles.
//!
//! Every quote statement the rules find in an annotated article is matched to the gold quoted
//! statement it overlaps most (the matching of [`crate::eval`]); its candidates are labelled
//! by the evaluation's own test of a right speaker ([`eval::speaker_matches`]) applied to the
//! phrase as written, and, for the rules' choice, to the name the resolver made of it. Quotes
//! the gold leaves without a speaker are left out, as the evaluation leaves them out.

use std::collections::HashMap;

use crate::eval::{self, Gold, Predicted};
use crate::pipeline::Engine;
use crate::quotes::ranker::{self, Example, SpeakerRanker};
use crate::rng::SplitMix64;
use crate::rule::Rule;
use crate::types::{char_offset, Article};

/// The re-ranker's examples of one article.
#[derive(Debug, Clone)]
pub struct ArticleExamples {
    pub article: String,
    pub examples: Vec<Example>,
}

fn as_predicted(article: &str, mention: &str, speaker: Option<String>) -> Predicted {
    Predicted {
        article: article.to_string(),
        kind: "direct".into(),
        span: (0, 0),
        quote_span: None,
        quoted: true,
        text: String::new(),
        speaker,
        speaker_mention: Some(mention.to_string()),
        attribution: String::new(),
        country: None,
        tone: 0.0,
    }
}

/// The examples of every article. `engine` must carry no ranker of its own (the rules' choices
/// are what the model learns to doubt); the caller clears it.
pub fn examples(engine: &Engine, articles: Vec<Article>, gold: &[Gold]) -> Vec<ArticleExamples> {
    let mut by_article: HashMap<&str, Vec<&Gold>> = HashMap::new();
    for g in gold.iter().filter(|g| g.is_quoted() && g.speaker.is_some()) {
        by_article.entry(g.article.as_str()).or_default().push(g);
    }
    let mut out = Vec::new();
    for article in articles {
        let Some(golds) = by_article.get(article.id.as_str()) else {
            continue;
        };
        let norm = engine.normalizer.normalize(&article.text);
        let (_, quotes) =
            engine
                .extractor
                .extract_candidates(&article.text, &norm, article.title.as_deref());
        let id = article.id.clone();
        let text = article.text.clone();
        // The names the resolver gives the rules' speakers, by statement span.
        let processed = engine.process(article);
        let resolved: HashMap<(usize, usize), Option<String>> = processed
            .statements
            .iter()
            .map(|s| {
                (
                    (s.statement.span.start, s.statement.span.end),
                    s.speaker.name.clone(),
                )
            })
            .collect();
        let mut examples = Vec::new();
        for qc in quotes {
            let span = (
                char_offset(&text, qc.statement.start),
                char_offset(&text, qc.statement.end),
            );
            let best = golds
                .iter()
                .filter_map(|g| eval::overlap_score(g.span, span).map(|s| (s, *g)))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let Some((_, g)) = best else {
                continue;
            };
            let Some(gs) = g.speaker.as_deref() else {
                continue;
            };
            let name = resolved
                .get(&(qc.statement.start, qc.statement.end))
                .cloned()
                .flatten();
            let positive: Vec<bool> = qc
                .candidates
                .iter()
                .map(|c| {
                    let speaker = if c.is_rule { name.clone() } else { None };
                    eval::speaker_matches(gs, &as_predicted(&id, c.span.slice(&text), speaker))
                })
                .collect();
            examples.push(Example {
                how: qc.how,
                rule: qc.candidates.iter().position(|c| c.is_rule),
                features: qc.candidates.into_iter().map(|c| c.features).collect(),
                positive,
            });
        }
        out.push(ArticleExamples {
            article: id,
            examples,
        });
    }
    out
}

/// Held-out accuracy of one setting: how many quotes the rules and the re-ranker get right.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CvResult {
    pub epochs: usize,
    pub margin: f64,
    pub trusted: Vec<Rule>,
    pub quotes: usize,
    pub rules_correct: usize,
    pub ranked_correct: usize,
    /// Per fold: (quotes, rules right, re-ranker right).
    pub folds: Vec<(usize, usize, usize)>,
}

impl CvResult {
    pub fn rules_accuracy(&self) -> f64 {
        self.rules_correct as f64 / self.quotes.max(1) as f64
    }
    pub fn ranked_accuracy(&self) -> f64 {
        self.ranked_correct as f64 / self.quotes.max(1) as f64
    }
}

/// K-fold cross-validation by article (a seeded shuffle of the articles, then every K-th),
/// over every combination of `epochs` and `margins`.
pub fn cross_validate(
    data: &[ArticleExamples],
    folds: usize,
    epochs: &[usize],
    margins: &[f64],
    trusted: &[Vec<Rule>],
    seed: u64,
) -> Vec<CvResult> {
    let mut order: Vec<usize> = (0..data.len()).collect();
    SplitMix64(seed).shuffle(&mut order);
    let mut fold_of = vec![0; data.len()];
    for (rank, &i) in order.iter().enumerate() {
        fold_of[i] = rank % folds.max(1);
    }
    let mut results = Vec::new();
    for &e in epochs {
        let mut by_margin: Vec<CvResult> = trusted
            .iter()
            .flat_map(|t| {
                margins.iter().map(move |&m| CvResult {
                    epochs: e,
                    margin: m,
                    trusted: t.clone(),
                    ..CvResult::default()
                })
            })
            .collect();
        for k in 0..folds {
            let train: Vec<Example> = data
                .iter()
                .enumerate()
                .filter(|(i, _)| fold_of[*i] != k)
                .flat_map(|(_, a)| a.examples.iter().cloned())
                .collect();
            let weights = ranker::train(&train, e, seed);
            let test: Vec<&Example> = data
                .iter()
                .enumerate()
                .filter(|(i, _)| fold_of[*i] == k)
                .flat_map(|(_, a)| a.examples.iter())
                .collect();
            let rules = test
                .iter()
                .filter(|x| x.rule.is_some_and(|r| x.positive[r]))
                .count();
            for r in &mut by_margin {
                let model = SpeakerRanker::new(weights.clone(), r.margin, r.trusted.clone());
                let ranked = test.iter().filter(|x| x.correct(&model)).count();
                r.quotes += test.len();
                r.rules_correct += rules;
                r.ranked_correct += ranked;
                r.folds.push((test.len(), rules, ranked));
            }
        }
        results.extend(by_margin);
    }
    results
}
