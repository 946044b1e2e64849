//! Arbitrary bytes as a text article and sidecar: see `tonetrack::invariants::ingest_text`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tonetrack::invariants::ingest_text(data));
