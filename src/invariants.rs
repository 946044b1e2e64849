//! Properties that must hold for any input bytes, checked by the fuzz targets (`fuzz/`) and
//! replayed on their committed corpus by `tests/fuzz_corpus.rs`. These functions panic when a
//! property fails: that is how libFuzzer and the test harness see a failure.

use std::path::Path;

use crate::config::JsonlFields;
use crate::pipeline::Engine;
use crate::types::{Article, Origin, Span};

/// Bytes as a JSON Lines file (the production path, with a small record limit so the limit's
/// branch is reached too): every line is an article or a reject, and every reject names a line
/// that exists (or none, for a problem with the whole file).
pub fn ingest_jsonl(data: &[u8]) {
    let (articles, rejects) = crate::ingest::jsonl::parse_limited(
        Path::new("fuzz.jsonl"),
        data,
        &JsonlFields::default(),
        2048,
    );
    let lines = data.split(|&b| b == b'\n').count() as u64;
    for r in &rejects {
        if let Some(line) = r.line {
            assert!(line >= 1 && line <= lines, "reject line {line} of {lines}");
        }
        assert!(!r.reason.is_empty());
    }
    for a in &articles {
        assert!(!a.id.trim().is_empty() && !a.text.trim().is_empty());
        assert!(a.origin.line.is_some_and(|l| l >= 1 && l <= lines));
    }
}

/// Bytes as a text article and its `.meta.json` sidecar, split at the first 0xFF byte (which
/// valid UTF-8 never contains): an article with a body, or a reject with a reason.
pub fn ingest_text(data: &[u8]) {
    let (body, meta) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (data[..i].to_vec(), Some(data[i + 1..].to_vec())),
        None => (data.to_vec(), None),
    };
    match crate::ingest::text::parse(Path::new("fuzz.txt"), body, meta) {
        Ok(a) => assert!(!a.text.trim().is_empty()),
        Err(r) => assert!(!r.reason.is_empty()),
    }
}

/// Bytes as an HTML page (with the default 512-deep guard): an article with a non-empty body,
/// or a reject with a reason.
pub fn ingest_html(data: &[u8]) {
    match crate::ingest::html::parse_limited(Path::new("fuzz.html"), data.to_vec(), 512) {
        Ok(a) => assert!(!a.text.trim().is_empty() && !a.id.is_empty()),
        Err(r) => assert!(!r.reason.is_empty() && r.line.is_none()),
    }
}

fn inside(text: &str, span: Span) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{span:?} outside {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{span:?} splits a character"
    );
}

/// Text (when the bytes are UTF-8) through normalisation, extraction, attribution and
/// scoring: every span inside the text on character boundaries, tone and sentiment in
/// [-1, 1], confidence in [0, 1].
pub fn extract_score(engine: &Engine, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let article = Article {
        format: None,
        id: "fuzz".into(),
        published: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
        title: text.lines().next().map(str::to_string),
        source: None,
        url: None,
        language: None,
        text: text.to_string(),
        origin: Origin {
            input: "fuzz".into(),
            line: None,
        },
    };
    let processed = engine.process(article);
    let text = &processed.article.text;
    for s in &processed.statements {
        let st = &s.statement;
        inside(text, st.span);
        for span in [
            st.quote,
            st.cue,
            st.speaker_mention,
            st.descriptor,
            st.addressee_mention,
        ]
        .into_iter()
        .flatten()
        {
            inside(text, span);
        }
        assert!((-1.0..=1.0).contains(&s.tone.tone), "tone {}", s.tone.tone);
        assert!(
            (-1.0..=1.0).contains(&s.tone.sentiment),
            "sentiment {}",
            s.tone.sentiment
        );
        assert!((0.0..=1.0).contains(&s.tone.confidence));
    }
}
