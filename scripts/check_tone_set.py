"""Validates the labelled tone set models/tone-training/diplomatic-statements.jsonl and prints
its counts (label x register), length statistics and sha256.

Checks, each of which makes the script exit 1:
  - every line is a JSON object with exactly the keys id, text, label, register (strings);
  - ids are unique and look like `<register>-<c|n|f>-NNN`, agreeing with the label and register;
  - label is conciliatory | neutral | firm, register is us | cn;
  - no two texts are the same after case-folding and dropping punctuation and extra spaces;
  - every text has 8..40 words, no leading/trailing or doubled spaces, ends with . ! or ?;
  - at least --min-total statements, each label between 28% and 39% of the total, and within each
    label each register between 40% and 60% of it;
  - the README beside the file, when it names a sha256 for the jsonl, names the right one
    (skip with --no-readme-check).
Near-duplicates (word-set Jaccard >= 0.8) are reported as warnings only.

Usage: python scripts/check_tone_set.py [PATH] [--min-total N] [--no-readme-check]
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

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "models" / "tone-training" / "diplomatic-statements.jsonl"
LABELS = {"conciliatory": "c", "neutral": "n", "firm": "f"}
REGISTERS = ("us", "cn")
KEYS = {"id", "text", "label", "register"}
ID_RE = re.compile(r"^(us|cn)-([cnf])-(\d{3})$")
MIN_WORDS, MAX_WORDS = 8, 40
LABEL_SHARE = (0.28, 0.39)
REGISTER_SHARE = (0.40, 0.60)
NEAR_DUP = 0.8


def words(text):
    return text.split()


def norm(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--min-total", type=int, default=360)
    ap.add_argument("--no-readme-check", action="store_true")
    args = ap.parse_args()

    errors = []
    warnings = []
    raw = args.path.read_bytes()
    rows = []
    for n, line in enumerate(raw.decode("utf-8").split("\n"), 1):
        if not line.strip():
            if line != "" or n != raw.decode("utf-8").count("\n") + 1:
                errors.append(f"line {n}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not JSON ({e})")
            continue
        if not isinstance(obj, dict) or set(obj) != KEYS:
            errors.append(f"line {n}: keys must be exactly {sorted(KEYS)}, got {sorted(obj) if isinstance(obj, dict) else type(obj).__name__}")
            continue
        if not all(isinstance(obj[k], str) for k in KEYS):
            errors.append(f"line {n}: every value must be a string")
            continue
        rows.append((n, obj))
    if not raw.endswith(b"\n"):
        errors.append("file does not end with a newline")

    seen_ids = {}
    seen_texts = {}
    for n, o in rows:
        rid, text, label, reg = o["id"], o["text"], o["label"], o["register"]
        where = f"line {n} ({rid})"
        if rid in seen_ids:
            errors.append(f"{where}: duplicate id (first on line {seen_ids[rid]})")
        seen_ids.setdefault(rid, n)
        if label not in LABELS:
            errors.append(f"{where}: label {label!r} not in {sorted(LABELS)}")
        if reg not in REGISTERS:
            errors.append(f"{where}: register {reg!r} not in {list(REGISTERS)}")
        m = ID_RE.match(rid)
        if not m:
            errors.append(f"{where}: id must look like us-c-001")
        elif label in LABELS and reg in REGISTERS and (m.group(1) != reg or m.group(2) != LABELS[label]):
            errors.append(f"{where}: id does not agree with register {reg!r} / label {label!r}")
        key = norm(text)
        if key in seen_texts:
            errors.append(f"{where}: same text as line {seen_texts[key]}")
        seen_texts.setdefault(key, n)
        nw = len(words(text))
        if not MIN_WORDS <= nw <= MAX_WORDS:
            errors.append(f"{where}: {nw} words, outside {MIN_WORDS}..{MAX_WORDS}")
        if text != text.strip() or "  " in text or "\n" in text or "\t" in text:
            errors.append(f"{where}: stray whitespace in text")
        if not text.endswith((".", "!", "?")):
            errors.append(f"{where}: text does not end with . ! or ?")

    # near-duplicates (warnings)
    sets = [(o["id"], set(norm(o["text"]).split())) for _, o in rows]
    for (a, sa), (b, sb) in combinations(sets, 2):
        if sa and sb and len(sa & sb) / len(sa | sb) >= NEAR_DUP:
            warnings.append(f"near-duplicate texts: {a} ~ {b}")

    # counts and balance
    valid = [o for _, o in rows if o["label"] in LABELS and o["register"] in REGISTERS]
    counts = Counter((o["label"], o["register"]) for o in valid)
    total = len(valid)
    by_label = Counter(o["label"] for o in valid)
    if total < args.min_total:
        errors.append(f"only {total} statements, need at least {args.min_total}")
    for label in LABELS:
        share = by_label[label] / total if total else 0
        if not LABEL_SHARE[0] <= share <= LABEL_SHARE[1]:
            errors.append(f"label {label}: {by_label[label]} = {share:.0%} of all, outside {LABEL_SHARE[0]:.0%}..{LABEL_SHARE[1]:.0%}")
        for reg in REGISTERS:
            rshare = counts[(label, reg)] / by_label[label] if by_label[label] else 0
            if not REGISTER_SHARE[0] <= rshare <= REGISTER_SHARE[1]:
                errors.append(f"label {label}: register {reg} is {rshare:.0%} of it, outside {REGISTER_SHARE[0]:.0%}..{REGISTER_SHARE[1]:.0%}")

    sha = hashlib.sha256(raw).hexdigest()
    readme = args.path.parent / "README.md"
    if not args.no_readme_check and readme.exists():
        text = readme.read_text(encoding="utf-8")
        named = set(re.findall(rf"{re.escape(args.path.name)}[^\n]*?\b([0-9a-f]{{64}})\b", text))
        if named and sha not in named:
            errors.append(f"{readme.name} names sha256 {', '.join(sorted(named))} for {args.path.name}, but the file's is {sha} (update the README's version and sha256)")

    # report
    lengths = [len(words(o["text"])) for o in valid]
    print(f"{args.path}: {total} statements, sha256 {sha}")
    print(f"{'label':<14}{'us':>6}{'cn':>6}{'total':>7}")
    for label in LABELS:
        print(f"{label:<14}{counts[(label, 'us')]:>6}{counts[(label, 'cn')]:>6}{by_label[label]:>7}")
    print(f"{'total':<14}{sum(counts[(l, 'us')] for l in LABELS):>6}{sum(counts[(l, 'cn')] for l in LABELS):>6}{total:>7}")
    if lengths:
        s = sorted(lengths)
        print(f"words per text: min {s[0]}, median {s[len(s) // 2]}, max {s[-1]}, mean {sum(s) / len(s):.1f}")
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
