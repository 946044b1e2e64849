//! Arbitrary bytes as an HTML page: an article with a non-empty body, or a reject with a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    // The production path: the depth guard of `[input] max_html_depth` (default 512) included.
    match tonetrack::ingest::html::parse_limited(Path::new("fuzz.html"), data.to_vec(), 512) {
        Ok(a) => assert!(!a.text.trim().is_empty() && !a.id.is_empty()),
        Err(r) => assert!(!r.reason.is_empty() && r.line.is_none()),
    }
});
