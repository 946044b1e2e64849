//! Properties that must hold for any text, checked on generated articles built from pieces that
//! real news uses (quotation marks of every kind, reporting verbs, names, pronouns, captions,
//! line breaks) mixed with arbitrary Unicode.
// Needs the `tables` feature: checks statement ids, which belong to the tables.
#![cfg(feature = "tables")]

use std::sync::OnceLock;

use proptest::prelude::*;
use tonetrack::config::Config;
use tonetrack::models::ModelSource;
use tonetrack::normalize::Normalizer;
use tonetrack::output::{char_offset, statement_id};
use tonetrack::pipeline::Engine;
use tonetrack::tone::{ScorerKind, ToneInput};
use tonetrack::types::{Article, Origin, ProcessedArticle};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::load(&Config::default(), ScorerKind::Lexicon).expect("built-in models load")
    })
}

const PIECES: &[&str] = &[
    "\u{201c}",
    "\u{201d}",
    "\"",
    "'",
    "\u{2018}",
    "\u{2019}",
    "\u{ab}",
    "\u{bb}",
    "\u{201e}",
    ",",
    ".",
    ":",
    ";",
    "\u{2014}",
    "–",
    "?",
    "!",
    "said",
    "told reporters",
    "according to",
    "added",
    "he said",
    "she added",
    "they warned",
    "Wang Yi",
    "Antony Blinken",
    "Mr. Xi",
    "the ministry",
    "a spokesman for the foreign ministry",
    "We are willing to cooperate",
    "there is no room for compromise",
    "we do not seek confrontation",
    "progress",
    "firmly opposes",
    "Photo: Xinhua/Li",
    "Leave a Reply",
    "\n",
    "\n\n",
    "   ",
    "\u{00e9}",
    "\u{4e2d}\u{56fd}",
    "\u{1f600}",
    "\u{200b}",
    "\t",
    "\r\n",
];

fn article_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.join(" "))
}

fn article(text: &str) -> Article {
    Article {
        format: None,
        id: "prop".into(),
        published: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        title: None,
        source: None,
        url: None,
        language: None,
        text: text.to_string(),
        origin: Origin {
            input: "prop".into(),
            line: None,
        },
    }
}

/// Statement ids as `statements.parquet` writes them.
fn ids(p: &ProcessedArticle) -> Vec<String> {
    let t = &p.article.text;
    p.statements
        .iter()
        .map(|s| {
            statement_id(
                &p.article.id,
                s.statement.kind.as_str(),
                char_offset(t, s.statement.span.start),
                char_offset(t, s.statement.span.end),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_offset_maps_back_to_the_original_text(text in article_text()) {
        let p = engine().process(article(&text));
        let chars: Vec<char> = text.chars().collect();
        for s in &p.statements {
            let st = &s.statement;
            for span in [Some(st.span), st.quote, st.cue, st.speaker_mention, st.descriptor, st.addressee_mention].into_iter().flatten() {
                prop_assert!(span.start <= span.end && span.end <= text.len());
                prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                // What Python's text[start:end] gives on the written character offsets.
                let (cs, ce) = (char_offset(&text, span.start), char_offset(&text, span.end));
                let python: String = chars[cs..ce].iter().collect();
                prop_assert_eq!(python.as_str(), span.slice(&text));
            }
        }
    }

    #[test]
    fn tone_sentiment_and_confidence_stay_in_range(text in article_text()) {
        let cue = text.split_whitespace().next().map(str::to_string);
        let scores = engine().scorer.score_batch(&[ToneInput { text: &text, cue: cue.as_deref() }]);
        for s in scores {
            prop_assert!((-1.0..=1.0).contains(&s.tone), "tone {}", s.tone);
            prop_assert!((-1.0..=1.0).contains(&s.sentiment), "sentiment {}", s.sentiment);
            prop_assert!((0.0..=1.0).contains(&s.confidence), "confidence {}", s.confidence);
        }
    }

    #[test]
    fn statement_ids_are_stable_across_runs(text in article_text(), other in article_text()) {
        let first = ids(&engine().process(article(&text)));
        // Processing something else in between must not leak state into the next article.
        engine().process(article(&other));
        let again = ids(&engine().process(article(&text)));
        prop_assert_eq!(first, again);
    }

    #[test]
    fn normalisation_is_idempotent(text in article_text()) {
        let norm = Normalizer::load(&ModelSource::default().load("normalize.toml").unwrap()).unwrap();
        let once = norm.normalize(&text);
        let kept: Vec<&str> = once.paragraphs.iter().map(|s| s.slice(&text)).collect();
        let joined = kept.join("\n");
        let twice = norm.normalize(&joined);
        let kept_again: Vec<&str> = twice.paragraphs.iter().map(|s| s.slice(&joined)).collect();
        prop_assert_eq!(kept, kept_again);
    }
}
