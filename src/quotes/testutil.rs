//! The one helper the rules' unit tests share: [`rules`] runs the extractor (rules only, no
//! re-ranker) over a short text and lists each statement's rule with its speaker as written.
//!
//! ```text
//! rules("“We will not back down,” said Ana Ruiz.") == [(Rule::AfterQuoteInverted, "Ana Ruiz")]
//! ```

use std::sync::OnceLock;

use crate::models::ModelSource;
use crate::normalize::Normalizer;
use crate::types::Statement;

use super::{CueLexicon, Extractor, Rule};

/// The built-in normalizer and an extractor without the re-ranker, loaded once.
fn engine() -> &'static (Normalizer, Extractor) {
    static ENGINE: OnceLock<(Normalizer, Extractor)> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let src = ModelSource::default();
        let load = |name: &str| src.load(name).expect("built-in model file");
        let normalizer = Normalizer::load(&load("normalize.toml")).expect("normalize.toml");
        let lex = CueLexicon::load(&load("speech-verbs.toml"), &load("grammar.toml"))
            .expect("speech-verbs.toml and grammar.toml");
        let extractor = Extractor::new(lex, normalizer.abbreviations().clone());
        (normalizer, extractor)
    })
}

/// The statements the rules find in `text` (one paragraph a line).
pub(super) fn statements(text: &str) -> Vec<Statement> {
    let (normalizer, extractor) = engine();
    extractor.extract(text, &normalizer.normalize(text), None).0
}

/// Each statement's rule and its speaker mention as written ("" when it has none), in reading
/// order.
pub(super) fn rules(text: &str) -> Vec<(Rule, &str)> {
    statements(text)
        .iter()
        .map(|s| {
            (
                s.attribution,
                s.speaker_mention.map_or("", |m| m.slice(text)),
            )
        })
        .collect()
}
