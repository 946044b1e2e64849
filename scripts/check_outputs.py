"""Opens tonetrack's outputs with pyarrow and checks what analysts rely on: every table is
present and non-empty, columns have the documented types (dates as Date, cues as lists of
strings), key-value metadata is present, and statement offsets slice the article text.

Usage: python scripts/check_outputs.py OUT_DIR
"""
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

EXPECTED = {
    "statements.parquet": {
        "statement_id": pa.string(), "article_id": pa.string(), "published": pa.date32(),
        "kind": pa.string(), "text": pa.string(), "start": pa.uint32(), "end": pa.uint32(),
        "speaker": pa.string(), "country": pa.string(), "tone": pa.float64(),
        "tone_label": pa.string(), "tone_confidence": pa.float64(),
        "tone_cues": pa.list_(pa.string()), "sentiment": pa.float64(), "turn": pa.string(),
        "tone_lexicon": pa.float64(), "scorer": pa.string(),
        "targets": pa.list_(pa.string()), "target": pa.string(), "target_resolution": pa.string(),
    },
    "articles.parquet": {"article_id": pa.string(), "published": pa.date32(), "statements": pa.uint32()},
    "rejects.parquet": {"input": pa.string(), "line": pa.uint64(), "reason": pa.string()},
    "tone_by_country_day.parquet": {"country": pa.string(), "date": pa.date32(), "n": pa.int64(), "mean_tone": pa.float64()},
    "tone_by_country_week.parquet": {"country": pa.string(), "week": pa.date32(), "iso_week": pa.string(), "n": pa.int64()},
    "tone_by_speaker_day.parquet": {"speaker": pa.string(), "date": pa.date32(), "n": pa.int64()},
    "tone_by_speaker_week.parquet": {"speaker": pa.string(), "week": pa.date32(), "n": pa.int64()},
    "tone_by_dyad_day.parquet": {"country": pa.string(), "target": pa.string(), "date": pa.date32(), "n": pa.int64(),
                                  "mean_tone": pa.float64()},
    "tone_by_dyad_week.parquet": {"country": pa.string(), "target": pa.string(), "week": pa.date32(),
                                   "iso_week": pa.string(), "n": pa.int64()},
    "visits.parquet": {"visit": pa.string(), "start": pa.date32(), "end": pa.date32(), "country": pa.string(),
                        "n_before": pa.int64(), "n_during": pa.int64(), "n_after": pa.int64(),
                        "mean_tone_during": pa.float64(), "tone_change_during_vs_before": pa.float64(),
                        "level": pa.string(), "mean_tone_during_ci_low": pa.float64(),
                        "mean_tone_during_ci_high": pa.float64(), "overlapping_visits": pa.list_(pa.string()),
                        **{f"to_counterpart_{c}": t for c, t in (
                            [(f"n_{w}", pa.int64()) for w in ("before", "during", "after")]
                            + [(f"mean_tone_{w}{ci}", pa.float64()) for w in ("before", "during", "after")
                               for ci in ("", "_ci_low", "_ci_high")])}},
    "visit_pairs.parquet": {"visit": pa.string(), "start": pa.date32(), "host_mean_tone_during": pa.float64(),
                             "visitor_mean_tone_during": pa.float64(),
                             "tone_gap_during_host_minus_visitor": pa.float64(),
                             **{f"{d}_{c}": t for d in ("host_to_visitor", "visitor_to_host") for c, t in (
                                 [(f"n_{w}", pa.int64()) for w in ("before", "during", "after")]
                                 + [(f"mean_tone_{w}{ci}", pa.float64()) for w in ("before", "during", "after")
                                    for ci in ("", "_ci_low", "_ci_high")])}},
}
RESOLUTIONS = {"words", "pair", "addressee", "context", "domestic", "none"}


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def main(out):
    out = Path(out)
    manifest = json.loads((out / "manifest.json").read_text())
    for name, columns in EXPECTED.items():
        path = out / name
        if not path.is_file():
            fail(f"{name} missing")
        table = pq.read_table(path)
        if table.num_rows == 0:
            fail(f"{name} is empty")
        for col, typ in columns.items():
            got = table.schema.field(col).type
            is_list = lambda t: pa.types.is_list(t) or pa.types.is_large_list(t)
            if got != typ and not (is_list(got) and is_list(typ) and got.value_type == typ.value_type):
                fail(f"{name}.{col} is {got}, expected {typ}")
        meta = pq.read_metadata(path).metadata or {}
        if meta.get(b"tonetrack.run_id", b"").decode() != manifest["run_id"]:
            fail(f"{name} lacks the run id in its key-value metadata")
        print(f"ok {name}: {table.num_rows} rows")
    check_tone(pq.read_table(out / "statements.parquet").to_pylist())
    check_targets(out)
    check_transcripts(pq.read_table(out / "statements.parquet").to_pylist())
    print("all outputs read back with the documented types")


def check_tone(rows):
    """The tone columns: tone, tone_lexicon in [-1, 1]; a learned scorer's tone is
    P(conciliatory) - P(firm), so |tone| <= confidence and the label's sign matches;
    the lexicon's cues explain tone_lexicon (a row with cues has a tone_lexicon)."""
    scorers = {r["scorer"] for r in rows}
    if len(scorers) != 1:
        fail(f"statements.parquet mixes scorers: {sorted(scorers)}")
    scorer = scorers.pop()
    sign = {"conciliatory": 1, "neutral": 0, "firm": -1}
    for r in rows:
        sid = r["statement_id"]
        for col in ("tone", "tone_lexicon", "sentiment"):
            if not -1.0 <= r[col] <= 1.0:
                fail(f"statement {sid}: {col} {r[col]} outside [-1, 1]")
        if not 0.0 <= r["tone_confidence"] <= 1.0:
            fail(f"statement {sid}: tone_confidence {r['tone_confidence']} outside [0, 1]")
        if scorer == "lexicon" and r["tone"] != r["tone_lexicon"]:
            fail(f"statement {sid}: lexicon scorer but tone {r['tone']} != tone_lexicon {r['tone_lexicon']}")
        if scorer != "lexicon":
            if abs(r["tone"]) > r["tone_confidence"] + 1e-9:
                fail(f"statement {sid}: |tone| {r['tone']} above its confidence {r['tone_confidence']}")
            if r["tone_label"] != "neutral" and r["tone"] * sign[r["tone_label"]] <= 0:
                fail(f"statement {sid}: tone {r['tone']} disagrees with label {r['tone_label']}")
        if not r["tone_cues"] and r["tone_lexicon"] != 0.0:
            fail(f"statement {sid}: tone_lexicon {r['tone_lexicon']} without a cue to explain it")
    learned_vs_lexicon = sum(1 for r in rows if r["tone"] != r["tone_lexicon"])
    print(f"ok tone columns of {len(rows)} statements (scorer {scorer}; tone differs from tone_lexicon in {learned_vs_lexicon})")


def check_targets(out):
    """Targets (issue 20): `target` is the first of `targets`, the resolution is a known one, the speaker's
    own country is a target only for domestic statements, and the dyad series count every statement
    that has a country and a target, with zero rows for the periods between."""
    st = pq.read_table(out / "statements.parquet",
                       columns=["kind", "country", "targets", "target", "target_resolution"])
    with_dyad = 0
    for r in st.to_pylist():
        targets, target, how = r["targets"] or [], r["target"], r["target_resolution"]
        if how not in RESOLUTIONS:
            fail(f"statements.target_resolution {how!r} is not one of {sorted(RESOLUTIONS)}")
        if target != (targets[0] if targets else None):
            fail(f"statements.target {target!r} is not the first of targets {targets}")
        if (how == "none") != (target is None):
            fail(f"statements: target {target!r} with target_resolution {how!r}")
        if r["country"] is not None and r["country"] in targets and how != "domestic":
            fail(f"statements: the speaker's country {r['country']} is a target of a {how!r} statement")
        # reporters' questions stay out of the tone tables (default `include_questions = false`)
        with_dyad += r["country"] is not None and target is not None and r["kind"] != "question"
    for name in ("tone_by_dyad_day.parquet", "tone_by_dyad_week.parquet"):
        n = pq.read_table(out / name, columns=["n"]).column("n").to_pylist()
        if sum(n) != with_dyad:
            fail(f"{name} counts {sum(n)} statements, statements.parquet has {with_dyad} with a country and a target")
    days = pq.read_table(out / "tone_by_country_day.parquet", columns=["date"]).column("date").to_pylist()
    dyad_days = pq.read_table(out / "tone_by_dyad_day.parquet", columns=["date"]).column("date").to_pylist()
    if dyad_days and (min(dyad_days), max(dyad_days)) != (min(days), max(days)):
        fail("tone_by_dyad_day does not span the country tables' calendar")
    print(f"ok targets: {with_dyad} statements with a country and a target, dyad series count them all")


KINDS = {"direct", "partial", "reported", "turn", "question"}


def check_transcripts(rows):
    """The sample holds a briefing and a joint press conference: their turns are statements of
    kind `turn` with the label as written in `turn`, questions have no speaker, news has no turn."""
    kinds = {r["kind"] for r in rows}
    if not kinds <= KINDS:
        fail(f"statements.kind has undocumented values {sorted(kinds - KINDS)}")
    for need in ("turn", "question"):
        if need not in kinds:
            fail(f"no statement of kind {need!r}: the sample's transcripts were not read as transcripts")
    for r in rows:
        transcript = r["kind"] in ("turn", "question")
        if transcript and not r["turn"]:
            fail(f"statement {r['statement_id']} of kind {r['kind']} has no turn label")
        if not transcript and r["turn"] and "in_turn" not in (r["flags"] or []):
            fail(f"news statement {r['statement_id']} has a turn label {r['turn']!r}")
        if r["kind"] == "question" and r["speaker"]:
            fail(f"question {r['statement_id']} has a speaker {r['speaker']!r}")
        if r["kind"] == "turn" and r["turn"] == "PRESIDENT VENKEL" and r["country"] != "XOS":
            fail(f"President Venkel's turn is attributed to {r['country']}, not XOS")
    print(f"ok transcript statements: {sum(r['kind'] == 'turn' for r in rows)} turns, "
          f"{sum(r['kind'] == 'question' for r in rows)} questions")




if __name__ == "__main__":
    main(sys.argv[1])
