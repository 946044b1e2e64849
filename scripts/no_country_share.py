#!/usr/bin/env python3
"""Share of statements whose speaker is named but has no country (issue 18's bar: at most 10% on
PolNeAR train).

A statement counts when its `speaker` is not null and is not a bare pronoun; it is "no country"
when its `country` is null. Reads `tonetrack extract FILE --json` (the same engine as `run`, one
JSON object per statement), so it needs no Parquet reader.

Example:
  python3 scripts/no_country_share.py ../shared/datasets/polnear/train.articles.jsonl \
      --bin target/release/tonetrack --top 25
"""
import argparse
import collections
import json
import random
import subprocess
import sys

PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("articles", help="JSONL of articles (as for `tonetrack run`)")
    ap.add_argument("--bin", default="tonetrack", help="the tonetrack binary")
    ap.add_argument("--config", help="run configuration passed to extract")
    ap.add_argument("--top", type=int, default=20, help="most frequent no-country speakers to list")
    ap.add_argument("--sample", type=int, default=0, help="random no-country statements to print")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    cmd = [args.bin, "extract", args.articles, "--json", "--quiet"]
    if args.config:
        cmd += ["--config", args.config]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    total = named = missing = 0
    by_resolution = collections.Counter()
    missing_by_resolution = collections.Counter()
    missing_speakers = collections.Counter()
    missing_rows = []
    for line in out.splitlines():
        if not line.strip():
            continue
        s = json.loads(line)
        total += 1
        speaker = s.get("speaker")
        if speaker is None or speaker.strip().lower() in PRONOUNS:
            continue
        named += 1
        by_resolution[s.get("speaker_resolution")] += 1
        if s.get("country") is None:
            missing += 1
            missing_by_resolution[s.get("speaker_resolution")] += 1
            missing_speakers[speaker] += 1
            missing_rows.append(s)
    share = missing / named if named else 0.0
    print(f"statements: {total}; with a named speaker: {named}; of those without a country: "
          f"{missing} ({share:.1%})")
    print("no-country share by speaker_resolution:")
    for res, n in by_resolution.most_common():
        m = missing_by_resolution[res]
        print(f"  {res:<28} {m:>6} / {n:<6} ({m / n:.1%})")
    print(f"most frequent named speakers without a country (top {args.top}):")
    for name, n in missing_speakers.most_common(args.top):
        print(f"  {n:>5}  {name}")
    if args.sample:
        random.Random(args.seed).shuffle(missing_rows)
        print(f"random sample of {args.sample} no-country statements:")
        for s in missing_rows[: args.sample]:
            print(f"  [{s.get('speaker_resolution')}] {s.get('speaker')!r} <- "
                  f"{s.get('speaker_mention')!r}: {s.get('text', '')[:100]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
