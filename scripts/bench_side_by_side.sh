#!/usr/bin/env bash
# tonetrack against its Python peer (issue #7), on the same synthetic corpus in one run:
#
#   scripts/bench_side_by_side.sh [N]      # N articles, default 2000
#
# Builds nothing: it times the release binary that is already there (cargo build --release).
# The peer (scripts/bench_python_peer.py: spaCy en_core_web_sm + textacy + VADER) gets its own
# venv, made once from scripts/requirements-peer.txt. Prints each tool's JSON, then a table and
# the ratios tonetrack/peer: one thread against one process, and two against two.
set -euo pipefail

N=${1:-2000}
here=$(cd "$(dirname "$0")" && pwd)
bin=${CARGO_TARGET_DIR:-/var/cache/tonetrack/target}/release/tonetrack
venv=${PEER_VENV:-/var/cache/tonetrack/peer-venv-textacy}
reqs=$here/requirements-peer.txt

[[ -x $bin ]] || { echo "error: no release binary at $bin; run: cargo build --release" >&2; exit 1; }

# The venv is reused while its stamp matches requirements-peer.txt: the install takes a minute
# or more and ~600 MB (spaCy, scipy, scikit-learn via textacy), not worth paying every run.
stamp=$venv/.requirements-peer.sha256
want=$(sha256sum "$reqs" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    echo "== installing the Python peer into $venv (once)" >&2
    [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$reqs"
    echo "$want" > "$stamp"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=$tmp/corpus.jsonl

# Same seed as `bench --synthetic` (7), so all runs see the same bytes.
echo "== corpus: $N synthetic articles" >&2
"$bin" synth --articles "$N" --seed 7 --out "$corpus" --quiet

# Machine load goes into the report: on a 2-core box a compile next door halves any number.
echo "== load before: $(uptime)" >&2
echo "== tonetrack, in memory, 1 thread" >&2
"$bin" bench --articles "$corpus" --repeat 1 --quiet | tee "$tmp/tt1.json"
echo "== tonetrack, end to end (read, extract, score, state, tables), 2 jobs" >&2
"$bin" bench --synthetic "$N" --seed 7 --jobs 2 --quiet | tee "$tmp/tt2.json"
# One peer process per run, so each peak RSS is that run's own.
echo "== python peer, 1 process" >&2
"$venv/bin/python" "$here/bench_python_peer.py" "$corpus" --processes 1 | tee "$tmp/py1.json"
echo "== python peer, 2 processes" >&2
"$venv/bin/python" "$here/bench_python_peer.py" "$corpus" --processes 2 | tee "$tmp/py2.json"
echo "== load after: $(uptime)" >&2

# The table; both tools print the same field names, so one small reader does.
python3 - "$tmp" <<'EOF'
import json, sys
d = sys.argv[1]
r = {k: json.load(open(f"{d}/{k}.json")) for k in ("tt1", "tt2", "py1", "py2")}
rows = [("tonetrack, 1 thread (in memory)", "tt1"), ("python peer, 1 process", "py1"),
        ("tonetrack, 2 jobs (end to end)", "tt2"), ("python peer, 2 processes", "py2")]
def num(x):  # three significant figures or so, from 38667 down to 0.03
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.3f}"
cols = ("articles_per_second", "statements_per_second", "megabytes_per_second", "peak_rss_mib")
print(f"\n{'tool':34} {'articles/s':>11} {'statements/s':>13} {'MB/s':>9} {'peak RSS MiB':>13}")
for name, k in rows:
    print(f"{name:34} " + " ".join(f"{num(r[k][c]):>{w}}" for c, w in zip(cols, (11, 13, 9, 13))))
print(f"\nstatements: tonetrack {r['tt1']['statements']}, peer {r['py1']['quotes']} "
      f"(peer skipped {r['py1']['articles_skipped_unbalanced_quotes']} of {r['py1']['articles']} "
      "articles for unbalanced quotation marks; it also finds no reported speech)")
for label, t, p in (("1 thread / 1 process", "tt1", "py1"), ("2 jobs / 2 processes", "tt2", "py2")):
    a = r[t]["articles_per_second"] / r[p]["articles_per_second"]
    m = r[p]["peak_rss_mib"] / r[t]["peak_rss_mib"]
    print(f"tonetrack/peer, {label}: {a:.0f}x the articles/s, {m:.1f}x less peak memory")
EOF
