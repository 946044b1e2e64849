//! Arbitrary text through normalisation, extraction, attribution and scoring: no panic, every
//! span inside the text on character boundaries, tone and sentiment in [-1, 1].
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tonetrack::config::Config;
use tonetrack::pipeline::Engine;
use tonetrack::tone::ScorerKind;
use tonetrack::types::{Article, Origin, Span};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&Config::default(), ScorerKind::Lexicon).expect("built-in models load"))
}

fn check(text: &str, span: Span) {
    assert!(span.start <= span.end && span.end <= text.len(), "{span:?} outside {} bytes", text.len());
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{span:?} splits a character");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let article = Article {
        id: "fuzz".into(),
        published: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"),
        title: text.lines().next().map(str::to_string),
        source: None,
        url: None,
        language: None,
        text: text.to_string(),
        origin: Origin { input: "fuzz".into(), line: None },
    };
    let processed = engine().process(article);
    let text = &processed.article.text;
    for s in &processed.statements {
        let st = &s.statement;
        check(text, st.span);
        for span in [st.quote, st.cue, st.speaker_mention, st.descriptor, st.addressee_mention].into_iter().flatten() {
            check(text, span);
        }
        assert!((-1.0..=1.0).contains(&s.tone.tone), "tone {}", s.tone.tone);
        assert!((-1.0..=1.0).contains(&s.tone.sentiment), "sentiment {}", s.tone.sentiment);
        assert!((0.0..=1.0).contains(&s.tone.confidence));
    }
});
