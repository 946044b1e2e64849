//! Arbitrary bytes as a text article and its .meta.json sidecar (split at the first 0xFF byte,
//! which valid UTF-8 never contains).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (body, meta) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (data[..i].to_vec(), Some(data[i + 1..].to_vec())),
        None => (data.to_vec(), None),
    };
    match tonetrack::ingest::text::parse(Path::new("fuzz.txt"), body, meta) {
        Ok(a) => assert!(!a.text.trim().is_empty()),
        Err(r) => assert!(!r.reason.is_empty()),
    }
});
