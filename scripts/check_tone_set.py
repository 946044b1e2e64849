"""Validates the labelled tone sets in models/tone-training/ (every *.jsonl there, or the files
named) and prints their counts (label x register), length statistics and sha256s.

Checks, each of which makes the script exit 1:
  - every line is a JSON object with exactly the keys id, text, label, register (strings);
  - ids are unique across all files and look like `<register>-<c|n|f>-NNN`, agreeing with the
    label and register;
  - label is conciliatory | neutral | firm; register is one of REGISTERS below;
  - no two texts (in any of the files) are the same after case-folding and dropping punctuation
    and extra spaces;
  - every text has 8..40 words, no leading/trailing or doubled spaces, ends with . ! or ?;
  - per file: at least --min-total statements in all, each label between 28% and 40% of the
    file, no register more than 60% of a label, and within each register each label between 20%
    and 50% of it;
  - the README beside the files, when it names a sha256 for a file, names the right one
    (skip with --no-readme-check).
Near-duplicates (word-set Jaccard >= 0.8) are reported as warnings only.

Usage: python scripts/check_tone_set.py [PATH ...] [--min-total N] [--no-readme-check]
Standard library only.
"""
import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "models" / "tone-training"
LABELS = {"conciliatory": "c", "neutral": "n", "firm": "f"}
# The official styles the sentences are written in (models/tone-training/README.md): us, cn
# (1.x), and since diplomatic-statements-2: ru, eu, kr (South Korean), kp (North Korean state
# media), jp, me (Middle Eastern governments), gl (multilateral bodies and other capitals).
REGISTERS = ("us", "cn", "ru", "eu", "kr", "kp", "jp", "me", "gl")
KEYS = {"id", "text", "label", "register"}
ID_RE = re.compile(r"^([a-z]{2})-([cnf])-(\d{3})$")
MIN_WORDS, MAX_WORDS = 8, 40
LABEL_SHARE = (0.28, 0.40)
MAX_REGISTER_OF_LABEL = 0.60
LABEL_OF_REGISTER = (0.20, 0.50)
NEAR_DUP = 0.8


def words(text):
    return text.split()


def norm(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def read_rows(path, errors):
    raw = path.read_bytes()
    rows = []
    text = raw.decode("utf-8")
    for n, line in enumerate(text.split("\n"), 1):
        where = f"{path.name}:{n}"
        if not line.strip():
            if line != "" or n != text.count("\n") + 1:
                errors.append(f"{where}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: not JSON ({e})")
            continue
        if not isinstance(obj, dict) or set(obj) != KEYS:
            errors.append(f"{where}: keys must be exactly {sorted(KEYS)}, got {sorted(obj) if isinstance(obj, dict) else type(obj).__name__}")
            continue
        if not all(isinstance(obj[k], str) for k in KEYS):
            errors.append(f"{where}: every value must be a string")
            continue
        rows.append((where, obj))
    if not raw.endswith(b"\n"):
        errors.append(f"{path.name}: does not end with a newline")
    return raw, rows


def check_rows(rows, seen_ids, seen_texts, errors):
    for where, o in rows:
        rid, text, label, reg = o["id"], o["text"], o["label"], o["register"]
        where = f"{where} ({rid})"
        if rid in seen_ids:
            errors.append(f"{where}: duplicate id (first at {seen_ids[rid]})")
        seen_ids.setdefault(rid, where)
        if label not in LABELS:
            errors.append(f"{where}: label {label!r} not in {sorted(LABELS)}")
        if reg not in REGISTERS:
            errors.append(f"{where}: register {reg!r} not in {list(REGISTERS)}")
        m = ID_RE.match(rid)
        if not m:
            errors.append(f"{where}: id must look like us-c-001")
        elif label in LABELS and (m.group(1) != reg or m.group(2) != LABELS[label]):
            errors.append(f"{where}: id does not agree with register {reg!r} / label {label!r}")
        key = norm(text)
        if key in seen_texts:
            errors.append(f"{where}: same text as {seen_texts[key]}")
        seen_texts.setdefault(key, where)
        nw = len(words(text))
        if not MIN_WORDS <= nw <= MAX_WORDS:
            errors.append(f"{where}: {nw} words, outside {MIN_WORDS}..{MAX_WORDS}")
        if text != text.strip() or "  " in text or "\n" in text or "\t" in text:
            errors.append(f"{where}: stray whitespace in text")
        if not text.endswith((".", "!", "?")):
            errors.append(f"{where}: text does not end with . ! or ?")


def check_balance(name, valid, min_total, errors):
    counts = Counter((o["label"], o["register"]) for o in valid)
    total = len(valid)
    by_label = Counter(o["label"] for o in valid)
    by_reg = Counter(o["register"] for o in valid)
    if total < min_total:
        errors.append(f"{name}: only {total} statements, need at least {min_total}")
    for label in LABELS:
        share = by_label[label] / total if total else 0
        if not LABEL_SHARE[0] <= share <= LABEL_SHARE[1]:
            errors.append(f"{name}: label {label}: {by_label[label]} = {share:.0%} of all, outside {LABEL_SHARE[0]:.0%}..{LABEL_SHARE[1]:.0%}")
        for reg in by_reg:
            rshare = counts[(label, reg)] / by_label[label] if by_label[label] else 0
            if rshare > MAX_REGISTER_OF_LABEL:
                errors.append(f"{name}: label {label}: register {reg} is {rshare:.0%} of it, over {MAX_REGISTER_OF_LABEL:.0%}")
            lshare = counts[(label, reg)] / by_reg[reg]
            if not LABEL_OF_REGISTER[0] <= lshare <= LABEL_OF_REGISTER[1]:
                errors.append(f"{name}: register {reg}: label {label} is {lshare:.0%} of it, outside {LABEL_OF_REGISTER[0]:.0%}..{LABEL_OF_REGISTER[1]:.0%}")
    return counts, by_label, by_reg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--min-total", type=int, default=360)
    ap.add_argument("--no-readme-check", action="store_true")
    args = ap.parse_args()
    paths = args.paths or sorted(DEFAULT_DIR.glob("*.jsonl"))
    if not paths:
        print(f"error: no *.jsonl in {DEFAULT_DIR}", file=sys.stderr)
        return 1

    errors, warnings = [], []
    seen_ids, seen_texts = {}, {}
    everything = []
    for path in paths:
        raw, rows = read_rows(path, errors)
        check_rows(rows, seen_ids, seen_texts, errors)
        valid = [o for _, o in rows if o["label"] in LABELS and o["register"] in REGISTERS]
        everything.extend(valid)
        counts, by_label, by_reg = check_balance(path.name, valid, args.min_total, errors)

        sha = hashlib.sha256(raw).hexdigest()
        readme = path.parent / "README.md"
        if not args.no_readme_check and readme.exists():
            text = readme.read_text(encoding="utf-8")
            named = set(re.findall(rf"`{re.escape(path.name)}`[^\n]*?\b([0-9a-f]{{64}})\b", text))
            if named and sha not in named:
                errors.append(f"{readme.name} names sha256 {', '.join(sorted(named))} for {path.name}, but the file's is {sha} (update the README's version and sha256)")

        regs = [r for r in REGISTERS if by_reg[r]]
        print(f"{path}: {len(valid)} statements, sha256 {sha}")
        print(f"{'label':<14}" + "".join(f"{r:>6}" for r in regs) + f"{'total':>7}")
        for label in LABELS:
            print(f"{label:<14}" + "".join(f"{counts[(label, r)]:>6}" for r in regs) + f"{by_label[label]:>7}")
        print(f"{'total':<14}" + "".join(f"{by_reg[r]:>6}" for r in regs) + f"{len(valid):>7}")

    # near-duplicates across all files (warnings)
    sets = [(o["id"], set(norm(o["text"]).split())) for o in everything]
    for (a, sa), (b, sb) in combinations(sets, 2):
        if sa and sb and len(sa & sb) / len(sa | sb) >= NEAR_DUP:
            warnings.append(f"near-duplicate texts: {a} ~ {b}")

    lengths = sorted(len(words(o["text"])) for o in everything)
    print(f"all files: {len(everything)} statements")
    if lengths:
        print(f"words per text: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}, mean {sum(lengths) / len(lengths):.1f}")
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        print(f"FAILED: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
