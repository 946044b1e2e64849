#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) on its corpus in fuzz/corpus/, and prints
# the executions per target. Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the stable
# toolchain runs it with RUSTC_BOOTSTRAP=1. Builds go to /var/cache/tonetrack/fuzz-target.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/cache/tonetrack/fuzz-target}"
cargo fuzz build -O
total=0
# New inputs go to a scratch folder; the committed corpus is only read.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in ingest_jsonl ingest_text ingest_html extract_score; do
  mkdir -p "corpus/$target" "$scratch/$target"
  log="$scratch/$target.log"
  if ! cargo fuzz run -O "$target" "$scratch/$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "FAIL: fuzz target $target crashed (reproducer in fuzz/artifacts/$target/)"
    exit 1
  fi
  runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)"
  total=$((total + runs))
  echo "ok $target: $runs executions in ${seconds} s, no crash"
done
echo "fuzzing: $total executions in total"
