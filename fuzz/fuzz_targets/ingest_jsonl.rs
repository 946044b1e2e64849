//! Arbitrary bytes as a JSON Lines file: see `tonetrack::invariants::ingest_jsonl`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tonetrack::invariants::ingest_jsonl(data));
