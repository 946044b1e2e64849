//! Arbitrary bytes as a JSON Lines file: never a panic; every line is an article or a reject,
//! and every reject names a line that exists (or none, for a problem with the whole file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tonetrack::config::JsonlFields;

fuzz_target!(|data: &[u8]| {
    // The production path, with a small record limit so the limit's branch is reached too.
    let (articles, rejects) = tonetrack::ingest::jsonl::parse_limited(Path::new("fuzz.jsonl"), data, &JsonlFields::default(), 2048);
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
});
