//! Replays the fuzz targets' committed corpus (`fuzz/corpus/TARGET/`, ~4,500 inputs the
//! campaigns kept for their coverage) through the same property checks, on every `cargo
//! test`: a regression net for the ingest and extraction hardening without libFuzzer. New
//! inputs come from `fuzz/run-all.sh SECONDS` (cargo-fuzz), run outside CI.

use std::path::{Path, PathBuf};

use tonetrack::config::Config;
use tonetrack::pipeline::Engine;
use tonetrack::tone::ScorerKind;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() > 100,
        "{target}: only {} corpus inputs",
        files.len()
    );
    files
}

fn replay(target: &str, check: impl Fn(&[u8])) {
    for path in corpus(target) {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data)));
        assert!(
            outcome.is_ok(),
            "{target}: the property fails on {}",
            path.display()
        );
    }
}

#[test]
fn jsonl_corpus_keeps_every_line_accounted_for() {
    replay("ingest_jsonl", tonetrack::invariants::ingest_jsonl);
}

#[test]
fn text_corpus_gives_an_article_or_a_reason() {
    replay("ingest_text", tonetrack::invariants::ingest_text);
}

#[test]
fn html_corpus_gives_an_article_or_a_reason() {
    replay("ingest_html", tonetrack::invariants::ingest_html);
}

#[test]
fn extraction_corpus_keeps_spans_and_scores_in_range() {
    let engine = Engine::load(&Config::default(), ScorerKind::Lexicon).unwrap();
    replay("extract_score", |data| {
        tonetrack::invariants::extract_score(&engine, data)
    });
}
