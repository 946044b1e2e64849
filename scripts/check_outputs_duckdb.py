"""Reads tonetrack's outputs back with DuckDB, a second Parquet reader beside pyarrow (check_outputs.py), and
checks what SQL users rely on:

- every table named in manifest.json's "tables" exists (other known tables may be absent) and opens;
- column types as DuckDB sees them: dates (published, date, week, a visit's start/end) are DATE, tones and
  means are DOUBLE, counts (n, n_before, …) are BIGINT, cue and flag lists are VARCHAR[];
- key-value metadata: every table carries tonetrack.run_id, equal across tables and to manifest.json's run_id
  (and tonetrack.version equal to the manifest's tonetrack_version, when both are there);
- hive-partitioned folders (name=value/ directories holding .parquet files, such as
  state/statements/month=2025-02/part-0.parquet): read_parquet('…/**/*.parquet', hive_partitioning=true)
  finds the partition column, its row count equals the sum of the files' row counts, and each partition
  directory holds exactly the rows that carry its value.

Prints one "ok" line per check passed; on the first problem prints "FAIL: …" and exits 1.

Usage: python scripts/check_outputs_duckdb.py OUT_DIR
"""
import json
import re
import sys
from pathlib import Path

import duckdb

DOUBLE, DATE, BIGINT, VARCHAR, STRLIST = "DOUBLE", "DATE", "BIGINT", "VARCHAR", "VARCHAR[]"

# Types that hold wherever a column of this name appears.
BY_NAME = {
    "published": DATE, "date": DATE, "week": DATE,
    "tone": DOUBLE, "tone_confidence": DOUBLE, "sentiment": DOUBLE, "tone_lexicon": DOUBLE,
    "tone_cues": STRLIST, "flags": STRLIST, "overlapping_visits": STRLIST, "targets": STRLIST,
    "target": VARCHAR, "target_resolution": VARCHAR,
    "n": BIGINT, "n_before": BIGINT, "n_during": BIGINT, "n_after": BIGINT,
    "window_days": BIGINT, "before_days": BIGINT, "after_days": BIGINT,
    "country": VARCHAR, "speaker": VARCHAR, "visit": VARCHAR, "host": VARCHAR, "visitor": VARCHAR,
    "statement_id": VARCHAR, "article_id": VARCHAR, "text": VARCHAR, "iso_week": VARCHAR,
    "kind": VARCHAR, "turn": VARCHAR,
}
# The statement kinds the README documents: news extraction's, then transcripts'.
KINDS = {"direct", "partial", "reported", "turn", "question"}
# Column name patterns (aggregates): means, shares, changes, intervals are DOUBLE; n_… counts BIGINT.
BY_PATTERN = [
    (re.compile(r"^(.+_)?(mean_tone|mean_sentiment|share_conciliatory|share_firm)(_.+)?$"), DOUBLE),
    (re.compile(r"^(.+_)?tone_(change|gap)_.+$"), DOUBLE),
    (re.compile(r"^rolling_\d+d_mean_tone$"), DOUBLE),
    (re.compile(r"^(.+_)?n_(before|during|after)$"), BIGINT),
]
# Per table: columns that must exist, and types that differ by table (start/end: dates of a visit,
# character offsets of a statement).
TABLES = {
    "statements.parquet": {
        "required": ["statement_id", "article_id", "published", "kind", "text", "speaker", "country", "tone",
                     "tone_label", "tone_cues", "tone_lexicon", "tone_confidence", "scorer", "targets", "target",
                     "target_resolution", "turn"],
        "types": {"start": "UINTEGER", "end": "UINTEGER", "quote_start": "UINTEGER", "quote_end": "UINTEGER"},
    },
    "articles.parquet": {"required": ["article_id", "published"], "types": {}},
    "rejects.parquet": {"required": ["input", "reason"], "types": {}},
    "tone_by_country_day.parquet": {"required": ["country", "date", "n", "mean_tone"], "types": {}},
    "tone_by_country_week.parquet": {"required": ["country", "week", "iso_week", "n", "mean_tone"], "types": {}},
    "tone_by_speaker_day.parquet": {"required": ["speaker", "date", "n", "mean_tone"], "types": {}},
    "tone_by_speaker_week.parquet": {"required": ["speaker", "week", "iso_week", "n", "mean_tone"], "types": {}},
    "tone_by_dyad_day.parquet": {"required": ["country", "target", "date", "n", "mean_tone"], "types": {}},
    "tone_by_dyad_week.parquet": {"required": ["country", "target", "week", "iso_week", "n", "mean_tone"],
                                  "types": {}},
    "visits.parquet": {
        "required": ["visit", "start", "end", "host", "visitor", "country", "n_before", "n_during", "n_after",
                     "mean_tone_before", "mean_tone_during", "mean_tone_after",
                     "to_counterpart_n_during", "to_counterpart_mean_tone_during",
                     "to_counterpart_mean_tone_during_ci_low", "to_counterpart_mean_tone_during_ci_high"],
        "types": {"start": DATE, "end": DATE},
    },
    "visit_pairs.parquet": {"required": ["visit", "start", "end", "host", "visitor"]
                            + [f"{d}_{c}" for d in ("host_to_visitor", "visitor_to_host") for w in
                               ("before", "during", "after") for c in
                               (f"n_{w}", f"mean_tone_{w}", f"mean_tone_{w}_ci_low", f"mean_tone_{w}_ci_high")],
                            "types": {"start": DATE, "end": DATE}},
}
HIVE_DIR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$")

con = duckdb.connect()


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def rows(sql, *params):
    return con.execute(sql, list(params)).fetchall()


def expected_type(table, column):
    spec = TABLES.get(table, {}).get("types", {})
    if column in spec:
        return spec[column]
    if column in BY_NAME:
        return BY_NAME[column]
    for pattern, typ in BY_PATTERN:
        if pattern.match(column):
            return typ
    return None


def check_types(label, table, columns):
    """columns: {name: duckdb type}. table: the name whose rules apply."""
    for col in TABLES.get(table, {}).get("required", []):
        if col not in columns:
            fail(f"{label}: column {col} is missing (has {', '.join(columns)})")
    checked = 0
    for col, got in columns.items():
        want = expected_type(table, col)
        if want is None:
            continue
        if got != want:
            fail(f"{label}.{col} is {got} in DuckDB, expected {want}")
        checked += 1
    return checked


def describe(source_sql, *params):
    return {name: typ for name, typ, *_ in rows(f"DESCRIBE SELECT * FROM {source_sql}", *params)}


def kv_metadata(path):
    out = {}
    for key, value in rows("SELECT key, value FROM parquet_kv_metadata(?)", str(path)):
        k = key.decode("utf-8", "replace") if isinstance(key, (bytes, bytearray)) else str(key)
        v = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else str(value)
        out[k] = v
    return out


def check_table(out, name, manifest):
    path = out / name
    try:
        columns = describe("read_parquet(?)", str(path))
        (count,) = rows("SELECT count(*) FROM read_parquet(?)", str(path))[0]
    except duckdb.Error as e:
        fail(f"{name}: DuckDB cannot read it: {e}")
    checked = check_types(name, name, columns)

    kv = kv_metadata(path)
    run_id = kv.get("tonetrack.run_id")
    if not run_id:
        fail(f"{name}: no tonetrack.run_id in its key-value metadata (keys: {', '.join(sorted(kv)) or 'none'})")
    if run_id != manifest["run_id"]:
        fail(f"{name}: tonetrack.run_id is {run_id}, manifest.json says {manifest['run_id']} (a stale table?)")
    version = kv.get("tonetrack.version")
    if version and manifest.get("tonetrack_version") and version != manifest["tonetrack_version"]:
        fail(f"{name}: tonetrack.version is {version}, manifest.json says {manifest['tonetrack_version']}")
    facts = kv.get("tonetrack.manifest")
    if facts is not None:
        try:
            embedded = json.loads(facts)
        except ValueError as e:
            fail(f"{name}: tonetrack.manifest is not JSON: {e}")
        if isinstance(embedded, dict) and embedded.get("run_id") not in (None, manifest["run_id"]):
            fail(f"{name}: tonetrack.manifest holds run_id {embedded.get('run_id')}, not {manifest['run_id']}")
    print(f"ok {name}: {count} rows, {len(columns)} columns ({checked} type-checked), run_id {run_id}")
    return count


def hive_roots(out):
    """Folders directly above the first name=value level of a tree of .parquet files."""
    roots = set()
    for f in out.rglob("*.parquet"):
        rel = f.relative_to(out).parts[:-1]
        for i, part in enumerate(rel):
            if HIVE_DIR.match(part):
                roots.add(out.joinpath(*rel[:i]))
                break
    return sorted(roots)


def check_hive(out, root):
    label = str(root.relative_to(out)) or "."
    files = sorted(f for f in root.rglob("*.parquet") if f.is_file())
    keys = []
    for f in files:
        ks = [m.group(1) for m in map(HIVE_DIR.match, f.relative_to(root).parts[:-1]) if m]
        if not ks:
            fail(f"{label}: {f.relative_to(root)} sits outside the name=value partition folders")
        if keys and ks != keys:
            fail(f"{label}: partition levels differ between files ({keys} and {ks} at {f.relative_to(root)})")
        keys = ks
    glob = str(root / "**" / "*.parquet")
    try:
        columns = describe("read_parquet(?, hive_partitioning = true)", glob)
    except duckdb.Error as e:
        fail(f"{label}: DuckDB cannot read the partitions with hive_partitioning: {e}")
    for k in keys:
        if k not in columns:
            fail(f"{label}: hive partitioning did not produce the partition column {k} (columns: {', '.join(columns)})")

    per_file = {}
    for f in files:
        try:
            per_file[f] = rows("SELECT count(*) FROM read_parquet(?)", str(f))[0][0]
        except duckdb.Error as e:
            fail(f"{label}: DuckDB cannot read {f.relative_to(out)}: {e}")
    (total,) = rows("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)", glob)[0]
    if total != sum(per_file.values()):
        fail(f"{label}: hive read gives {total} rows, the {len(files)} files hold {sum(per_file.values())}")
    (nfiles,) = rows("SELECT count(DISTINCT filename) FROM read_parquet(?, hive_partitioning = true, filename = true)",
                     glob)[0]
    if nfiles != len(files):
        fail(f"{label}: DuckDB read {nfiles} files, the folder has {len(files)}")

    # every partition directory holds exactly the rows that carry its value
    expected = {}
    for f, n in per_file.items():
        values = tuple(HIVE_DIR.match(p).group(2) for p in f.relative_to(root).parts[:-1] if HIVE_DIR.match(p))
        expected[values] = expected.get(values, 0) + n
    cast = ", ".join(f'CAST("{k}" AS VARCHAR)' for k in keys)
    got = {tuple(r[:-1]): r[-1] for r in rows(
        f"SELECT {cast}, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY ALL", glob)}
    if got != expected:
        fail(f"{label}: rows per partition value {got} differ from rows per folder {expected}")

    checked = check_types(label, root.name + ".parquet", columns)
    # month=YYYY-MM partitions of dated rows: every row's date falls in its partition's month
    if keys == ["month"] and columns.get("published") == DATE:
        (wrong,) = rows("SELECT count(*) FROM read_parquet(?, hive_partitioning = true) "
                        "WHERE strftime(published, '%Y-%m') <> CAST(month AS VARCHAR)", glob)[0]
        if wrong:
            fail(f"{label}: {wrong} rows have a published date outside their month= partition")
    print(f"ok {label}: hive partitions by {', '.join(keys)}: {len(expected)} partitions, {len(files)} files, "
          f"{total} rows = sum of the files ({checked} columns type-checked)")
    return total


def main(out):
    out = Path(out)
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        fail(f"{manifest_path} is missing")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as e:
        fail(f"{manifest_path} is not JSON: {e}")
    if not manifest.get("run_id"):
        fail("manifest.json has no run_id")
    listed = manifest.get("tables")
    if not isinstance(listed, list) or not listed:
        fail("manifest.json has no \"tables\" list")
    print(f"duckdb {duckdb.__version__}; manifest run_id {manifest['run_id']}, {len(listed)} tables listed")

    for name in listed:
        if not (out / name).is_file():
            fail(f"{name} is listed in manifest.json but missing")
        check_table(out, name, manifest)
    for name in sorted(TABLES):
        if name not in listed and not (out / name).exists():
            print(f"ok {name}: absent, and not listed in manifest.json")
    # Parquet files beside the listed tables would be read as tables by analysts: same checks, flagged.
    for path in sorted(out.glob("*.parquet")):
        if path.name not in listed:
            print(f"note: {path.name} is not listed in manifest.json; checking it like the listed tables")
            check_table(out, path.name, manifest)

    roots = hive_roots(out)
    statement_store = None
    for root in roots:
        check_hive(out, root)
        if root.name == "statements":
            statement_store = root
    if not roots:
        print("ok no hive-partitioned folders under the output folder")

    # other Parquet files in subfolders (the state's index and rejects): they open and their types are right;
    # they are internal, so no run id is required of them
    for path in sorted(out.rglob("*.parquet")):
        if path.parent == out or any(root in path.parents for root in roots):
            continue
        label = str(path.relative_to(out))
        try:
            columns = describe("read_parquet(?)", str(path))
            (count,) = rows("SELECT count(*) FROM read_parquet(?)", str(path))[0]
        except duckdb.Error as e:
            fail(f"{label}: DuckDB cannot read it: {e}")
        checked = check_types(label, "", columns)
        print(f"ok {label}: {count} rows ({checked} columns type-checked; internal file, no run id required)")

    # kinds are the documented ones; transcript statements carry their turn's label, news ones none;
    # questions have no speaker and stay out of the tone tables (n of the country tables = rows
    # with a country that are not questions)
    st = str(out / "statements.parquet")
    if (out / "statements.parquet").is_file():
        kinds = {k for (k,) in rows("SELECT DISTINCT kind FROM read_parquet(?)", st)}
        if not kinds <= KINDS:
            fail(f"statements.parquet: undocumented kinds {sorted(kinds - KINDS)}")
        (bad,) = rows("SELECT count(*) FROM read_parquet(?) WHERE (kind IN ('turn', 'question')) != "
                      "(turn IS NOT NULL) AND NOT list_contains(flags, 'in_turn')", st)[0]
        if bad:
            fail(f"statements.parquet: {bad} rows where `turn` does not match the kind")
        (asked,) = rows("SELECT count(*) FROM read_parquet(?) WHERE kind = 'question' AND speaker IS NOT NULL",
                        st)[0]
        if asked:
            fail(f"statements.parquet: {asked} questions have a speaker")
        if (out / "tone_by_country_day.parquet").is_file():
            (n_table,) = rows("SELECT coalesce(sum(n), 0) FROM read_parquet(?)",
                              str(out / "tone_by_country_day.parquet"))[0]
            (n_rows,) = rows("SELECT count(*) FROM read_parquet(?) WHERE country IS NOT NULL "
                             "AND kind <> 'question'", st)[0]
            if n_table != n_rows:
                fail(f"tone_by_country_day counts {n_table} statements, statements.parquet has {n_rows} "
                     "with a country (questions excluded)")
        print(f"ok statement kinds {sorted(kinds)}; `turn` set exactly on transcript rows; questions speakerless "
              "and out of the tone tables")

    # the published statements come from the state store: every published statement is in it
    if statement_store is not None and (out / "statements.parquet").is_file():
        glob = str(statement_store / "**" / "*.parquet")
        cols = describe("read_parquet(?, hive_partitioning = true)", glob)
        if "statement_id" in cols:
            (missing,) = rows(
                "SELECT count(*) FROM read_parquet(?) p WHERE p.statement_id NOT IN "
                "(SELECT statement_id FROM read_parquet(?, hive_partitioning = true))",
                str(out / "statements.parquet"), glob)[0]
            if missing:
                fail(f"{missing} statements of statements.parquet are not in {statement_store.relative_to(out)}")
            print(f"ok every statement of statements.parquet is in {statement_store.relative_to(out)}")
    check_dyads(out)
    print("all outputs read back with DuckDB with the documented types and one run id")


def check_dyads(out):
    """The dyad series and the visit pairs' directed columns agree with the statements they come from."""
    st, day = str(out / "statements.parquet"), out / "tone_by_dyad_day.parquet"
    if not day.is_file() or not (out / "statements.parquet").is_file():
        return
    got = dict(((c, t), (n, m)) for c, t, n, m in rows(
        "SELECT country, target, sum(n), sum(mean_tone * n) / nullif(sum(n), 0) FROM read_parquet(?) GROUP BY ALL",
        str(day)))
    want = dict(((c, t), (n, m)) for c, t, n, m in rows(
        "SELECT country, target, count(*), avg(tone) FROM read_parquet(?) "
        "WHERE country IS NOT NULL AND target IS NOT NULL AND kind <> 'question' GROUP BY ALL", st))
    if set(got) != set(want):
        fail(f"tone_by_dyad_day has dyads {sorted(got)}, the statements {sorted(want)}")
    for k, (n, m) in want.items():
        if got[k][0] != n or abs((got[k][1] or 0) - m) > 1e-9:
            fail(f"tone_by_dyad_day {k}: n, mean {got[k]} but the statements give {(n, m)}")
    (bad,) = rows("SELECT count(*) FROM read_parquet(?) WHERE target IS DISTINCT FROM targets[1]", st)[0]
    if bad:
        fail(f"{bad} statements have a target that is not the first of their targets")
    (zero,) = rows("SELECT count(*) FROM read_parquet(?) WHERE n = 0 AND mean_tone IS NULL", str(day))[0]
    print(f"ok tone_by_dyad_day: {len(got)} dyads agree with the statements ({zero} zero rows for empty days)")
    pairs = out / "visit_pairs.parquet"
    if pairs.is_file():
        for visit, host, visitor, start, end, n_during in rows(
                "SELECT visit, host, visitor, start, \"end\", host_to_visitor_n_during FROM read_parquet(?)",
                str(pairs)):
            (n,) = rows("SELECT count(*) FROM read_parquet(?) WHERE country = ? AND target = ? "
                        "AND published BETWEEN ? AND ? AND kind <> 'question'", st, host, visitor, start, end)[0]
            if n != n_during:
                fail(f"visit_pairs {visit}: host_to_visitor_n_during is {n_during}, the statements give {n}")
        print("ok visit_pairs: host_to_visitor_n_during counts the host's statements about the visitor")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
