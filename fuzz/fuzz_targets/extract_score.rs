//! Arbitrary text through the whole per-article path: see `tonetrack::invariants::extract_score`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tonetrack::config::Config;
use tonetrack::pipeline::Engine;
use tonetrack::tone::ScorerKind;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&Config::default(), ScorerKind::Lexicon).expect("built-in models load"))
}

fuzz_target!(|data: &[u8]| tonetrack::invariants::extract_score(engine(), data));
