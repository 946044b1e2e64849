#!/usr/bin/env bash
# bench-transformer.sh — throughput of tonetrack's transformer scorer against its Python peer
# (sentence-transformers 3.0.1) on the same 2,000 statements, the same model and the same cores.
#
# Usage: scripts/bench-transformer.sh [ROUNDS] [-- extra flags for `tonetrack bench transformer`]
#   ROUNDS (default 2): Rust and Python runs alternate ROUNDS times; each side keeps its best
#   round (median pass of that round), which damps the noise of other work on the machine.
# Environment:
#   TONETRACK_PEER_VENV   the Python peer's throwaway venv (default /var/cache/tonetrack/peer-venv);
#                         created with the pinned packages if missing (PyPI, ~3 GB with torch's CUDA wheels)
#   CARGO_TARGET_DIR      where the release build (default features) goes
#   TONETRACK_BIN         a tonetrack binary already built with the `transformer` feature: used as
#                         it is, no build
#   TONETRACK_PEER_FLAGS  extra flags for scripts/bench_transformer_peer.py, e.g. "--bf16" (the
#                         peer under torch.autocast bfloat16, to compare like with like)
# Needs: scripts/setup-transformer.sh run once (libtorch + model).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds="${1:-2}"
shift || true
[[ "${1:-}" == "--" ]] && shift
venv="${TONETRACK_PEER_VENV:-/var/cache/tonetrack/peer-venv}"

[[ -f models/transformer/env.sh ]] || { echo "models/transformer/env.sh missing: run scripts/setup-transformer.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
source models/transformer/env.sh

if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sentence_transformers' 2>/dev/null; then
  echo "== creating the peer venv $venv (pinned; PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    torch==2.4.0 transformers==4.44.2 sentence-transformers==3.0.1 "tokenizers<0.20"
fi

if [[ -n "${TONETRACK_BIN:-}" ]]; then
  bin="$TONETRACK_BIN"
  echo "== using $bin (TONETRACK_BIN; not rebuilt)"
else
  echo "== building tonetrack (release, default features: tables + transformer)"
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-/var/cache/tonetrack/target}/release/tonetrack"
fi
# The machine may be shared: the load before and after (and in each side's report) tells
# whether the numbers are worth keeping.
echo "== load before: $(uptime)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$rounds"); do
  echo "== round $r/$rounds: tonetrack bench transformer"
  "$bin" bench transformer --quiet "$@" > "$tmp/rust.$r.json"
  echo "== round $r/$rounds: sentence-transformers peer"
  # shellcheck disable=SC2086
  "$venv/bin/python" -W ignore scripts/bench_transformer_peer.py ${TONETRACK_PEER_FLAGS:-} > "$tmp/python.$r.json" 2>"$tmp/python.$r.err" \
    || { cat "$tmp/python.$r.err" >&2; exit 1; }
done

python3 - "$tmp" "$rounds" <<'PY'
import json, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
load = lambda side: [json.load(open(f"{tmp}/{side}.{r}.json")) for r in range(1, rounds + 1)]
rust, py = load("rust"), load("python")
shas = {x["selection_sha256"] for x in rust + py}
if len(shas) != 1:
    sys.exit(f"FAIL: the two sides measured different statements: {shas}")
best = lambda runs: max(runs, key=lambda x: x["statements_per_second"])
r, p = best(rust), best(py)
rates = lambda runs: ", ".join("%.1f" % x["statements_per_second"] for x in runs)
print()
print("statements: %d (selection sha256 %s..., the same on both sides)" % (r["statements"], r["selection_sha256"][:16]))
print("rust   %7.1f statements/s  (rounds: %s; batch %d, %s, %d replicas x %d threads; peak RSS %.0f MiB; loadavg %s)"
      % (r["statements_per_second"], rates(rust), r["batch_size"], r.get("precision", "?"), r["replicas"], r["threads_per_replica"], r["peak_rss_mib"], r["machine"]["loadavg_1_5_15"]))
print("python %7.1f statements/s  (rounds: %s; %s, torch %s, %d threads; peak RSS %.0f MiB; loadavg %s)"
      % (p["statements_per_second"], rates(py), p["engine"], p["torch"], p["torch_threads"], p["peak_rss_mib"], p["loadavg_1_5_15"]))
print("ratio  %.2fx (aim >= 3x)" % (r["statements_per_second"] / p["statements_per_second"]))
PY
uptime
