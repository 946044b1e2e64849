//! Arbitrary bytes as an HTML page: see `tonetrack::invariants::ingest_html`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tonetrack::invariants::ingest_html(data));
