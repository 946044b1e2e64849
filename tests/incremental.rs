//! Scheduled runs over a growing pile of articles: a re-run changes nothing, new articles add
//! exactly their statements, a changed article replaces its statements, a killed run is
//! finished by the next one, and shards merge into what one run would have written. All on
//! the sample corpus in notebooks-data/ (our own fictional articles).
// Needs the `tables` feature: runs `tonetrack run` and `merge` and reads the Parquet back.
#![cfg(all(feature = "tables", feature = "cli"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use polars::prelude::*;
use sha2::{Digest, Sha256};

mod testutil;
use testutil::{bin, read_parquet as read, tempdir};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("notebooks-data")
}

fn config() -> PathBuf {
    sample().join("tonetrack.toml")
}

/// `tonetrack run INPUTS --out OUT --config sample` with extra arguments.
fn run(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut cmd = bin();
    cmd.args(["run", "--quiet", "--config"])
        .arg(config())
        .args(inputs)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd.output().expect("binary runs")
}

fn run_ok(inputs: &[&Path], out: &Path, extra: &[&str]) {
    let o = run(inputs, out, extra);
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The sample articles split in two folders: the first `keep` text articles (with their
/// sidecars) and the rest, so that a second run can add the rest.
fn split_corpus(root: &Path, keep: usize) -> (PathBuf, PathBuf) {
    let (old, new) = (root.join("old"), root.join("new"));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    let mut texts: Vec<PathBuf> = std::fs::read_dir(sample().join("articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    texts.sort();
    assert!(
        texts.len() > keep,
        "sample has {} text articles",
        texts.len()
    );
    for (i, t) in texts.iter().enumerate() {
        let dest = if i < keep { &old } else { &new };
        let meta = t.with_extension("meta.json");
        std::fs::copy(t, dest.join(t.file_name().unwrap())).unwrap();
        std::fs::copy(&meta, dest.join(meta.file_name().unwrap())).unwrap();
    }
    (old, new)
}

/// SHA-256 of every file under `dir`, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            out.insert(
                rel,
                format!("{:x}", Sha256::digest(std::fs::read(e.path()).unwrap())),
            );
        }
    }
    out
}

/// The published Parquet tables (not the manifest, which records when the run started).
fn tables(dir: &Path) -> BTreeMap<String, String> {
    snapshot(dir)
        .into_iter()
        .filter(|(k, _)| k.ends_with(".parquet") && !k.contains('/'))
        .collect()
}

fn column_strings(df: &DataFrame, col: &str) -> Vec<String> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect()
}

#[test]
fn second_identical_run_changes_no_byte() {
    let dir = tempdir();
    let out = dir.path().join("out");
    run_ok(&[&sample()], &out, &[]);
    let before = snapshot(&out);
    assert!(
        before
            .keys()
            .any(|k| k.starts_with("state/statements/month=2025-02/")),
        "{before:?}"
    );
    run_ok(&[&sample()], &out, &[]);
    assert_eq!(before, snapshot(&out));
}

#[test]
fn adding_articles_adds_exactly_their_statements() {
    let dir = tempdir();
    let (old, new) = split_corpus(dir.path(), 5);
    let (inc, once, only_new) = (
        dir.path().join("inc"),
        dir.path().join("once"),
        dir.path().join("only_new"),
    );
    run_ok(&[&old], &inc, &[]);
    let first = read(&inc, "statements.parquet");
    run_ok(&[&new], &inc, &[]);
    run_ok(&[&old, &new], &once, &[]);
    run_ok(&[&new], &only_new, &[]);
    // Incremental equals one run over everything, byte for byte.
    assert_eq!(tables(&inc), tables(&once));
    let all = read(&inc, "statements.parquet");
    let added = read(&only_new, "statements.parquet");
    assert!(
        added.height() >= 10,
        "the new articles hold {} statements",
        added.height()
    );
    assert_eq!(all.height(), first.height() + added.height());
    let mut ids = column_strings(&all, "statement_id");
    let mut expected = column_strings(&first, "statement_id");
    expected.extend(column_strings(&added, "statement_id"));
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected);
    let articles = read(&inc, "articles.parquet");
    assert_eq!(articles.height(), read(&once, "articles.parquet").height());
}

#[test]
fn changed_article_replaces_its_statements() {
    let dir = tempdir();
    let (old, _) = split_corpus(dir.path(), 3);
    let out = dir.path().join("out");
    run_ok(&[&old], &out, &[]);
    let target = std::fs::read_dir(&old)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .min()
        .unwrap();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(target.with_extension("meta.json")).unwrap())
            .unwrap();
    let id = meta["id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| target.file_stem().unwrap().to_string_lossy().to_string());
    let before = read(&out, "statements.parquet");
    let count_for = |df: &DataFrame| {
        column_strings(df, "article_id")
            .iter()
            .filter(|a| **a == id)
            .count()
    };
    assert!(count_for(&before) > 0);
    std::fs::write(&target, "\u{201c}We have nothing more to add,\u{201d} said Mira Tolsen, the Valdorian foreign minister.\n").unwrap();
    run_ok(&[&old], &out, &[]);
    let after = read(&out, "statements.parquet");
    assert_eq!(count_for(&after), 1, "the new version has one statement");
    assert_eq!(after.height(), before.height() - count_for(&before) + 1);
    let texts = column_strings(&after, "text");
    assert!(
        texts.iter().any(|t| t == "We have nothing more to add,"),
        "{texts:?}"
    );
    // And the result equals a fresh run over the edited folder.
    let fresh = dir.path().join("fresh");
    run_ok(&[&old], &fresh, &[]);
    assert_eq!(tables(&out), tables(&fresh));
}

#[test]
fn run_killed_at_each_commit_step_is_finished_by_the_next_run() {
    let dir = tempdir();
    let (old, new) = split_corpus(dir.path(), 6);
    let reference = dir.path().join("reference");
    run_ok(&[&old], &reference, &[]);
    run_ok(&[&old, &new], &reference, &[]);
    for step in ["partition", "rejects", "index", "tables"] {
        let out = dir.path().join(format!("killed-{step}"));
        run_ok(&[&old], &out, &[]);
        let published_before = tables(&out);
        let mut cmd = bin();
        cmd.args(["run", "--quiet", "--config"])
            .arg(config())
            .arg(&old)
            .arg(&new)
            .arg("--out")
            .arg(&out)
            .env("TONETRACK_CRASH_AT", step);
        let o = cmd.output().unwrap();
        assert!(!o.status.success(), "{step}: the crash hook did not fire");
        // The published tables are whole: either untouched or (after `tables`) partly new, but
        // every file is a complete Parquet file.
        for name in tables(&out).keys() {
            read(&out, name);
        }
        if step != "tables" {
            assert_eq!(
                tables(&out),
                published_before,
                "{step}: tables changed before the commit"
            );
        }
        run_ok(&[&old, &new], &out, &[]);
        assert_eq!(
            tables(&out),
            tables(&reference),
            "{step}: the re-run did not converge"
        );
    }
}

#[test]
fn run_killed_at_random_moments_converges() {
    let dir = tempdir();
    let reference = dir.path().join("reference");
    run_ok(&[&sample()], &reference, &[]);
    for (i, delay_ms) in [5u64, 20, 40, 70, 100, 150].iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let mut child = bin()
            .args(["run", "--quiet", "--config"])
            .arg(config())
            .arg(sample())
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(*delay_ms));
        let _ = child.kill(); // SIGKILL; it may have finished already
        let _ = child.wait();
        run_ok(&[&sample()], &out, &[]);
        assert_eq!(
            tables(&out),
            tables(&reference),
            "killed after {delay_ms} ms"
        );
        let leftovers: Vec<String> = snapshot(&out)
            .into_keys()
            .filter(|k| k.contains(".tmp-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "temporary files left after the re-run: {leftovers:?}"
        );
    }
}

#[test]
fn two_shards_merged_equal_one_run() {
    let dir = tempdir();
    let one = dir.path().join("one");
    run_ok(&[&sample()], &one, &[]);
    let mut shard_dirs = Vec::new();
    let mut counts = Vec::new();
    for i in 0..2 {
        let d = dir.path().join(format!("shard{i}"));
        run_ok(&[&sample()], &d, &["--shard", &format!("{i}/2")]);
        counts.push(read(&d, "articles.parquet").height());
        shard_dirs.push(d);
    }
    assert!(
        counts.iter().all(|n| *n > 5),
        "shards are unbalanced: {counts:?}"
    );
    let merged = dir.path().join("merged");
    let o = bin()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--out")
        .arg(&merged)
        .arg("--config")
        .arg(config())
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(tables(&merged), tables(&one));
    assert_eq!(
        counts.iter().sum::<usize>(),
        read(&one, "articles.parquet").height()
    );
}

#[test]
fn since_and_until_bound_a_backfill() {
    let dir = tempdir();
    let out = dir.path().join("out");
    run_ok(
        &[&sample()],
        &out,
        &["--since", "2025-03-01", "--until", "2025-04-30"],
    );
    let articles = read(&out, "articles.parquet");
    assert!(articles.height() > 3);
    let days = articles
        .column("published")
        .unwrap()
        .cast(&DataType::Int32)
        .unwrap();
    let (lo, hi) = (20148, 20208); // 2025-03-01, 2025-04-30
    assert!(days
        .i32()
        .unwrap()
        .iter()
        .all(|d| d.is_some_and(|d| (lo..=hi).contains(&d))));
    // Widening the window later adds the rest without touching what is there.
    run_ok(&[&sample()], &out, &[]);
    let fresh = dir.path().join("fresh");
    run_ok(&[&sample()], &fresh, &[]);
    assert_eq!(tables(&out), tables(&fresh));
}

#[test]
fn changed_knowledge_files_require_rebuild() {
    let dir = tempdir();
    let out = dir.path().join("out");
    // First without the sample's own actors and places, then with them: different knowledge.
    let o = bin()
        .args(["run", "--quiet"])
        .arg(sample())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&[&sample()], &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--rebuild") && err.contains("actors.toml"),
        "{err}"
    );
    run_ok(&[&sample()], &out, &["--rebuild"]);
    let fresh = dir.path().join("fresh");
    run_ok(&[&sample()], &fresh, &[]);
    assert_eq!(tables(&out), tables(&fresh));
}

#[test]
fn every_sample_visit_has_intervals_before_during_and_after() {
    let dir = tempdir();
    let out = dir.path().join("out");
    run_ok(&[&sample()], &out, &[]);
    let visits = read(&out, "visits.parquet");
    let names = column_strings(&visits, "visit");
    let level = column_strings(&visits, "level");
    let f = |name: &str| -> Vec<Option<f64>> {
        visits.column(name).unwrap().f64().unwrap().iter().collect()
    };
    let cols: Vec<Vec<Option<f64>>> = ["before", "during", "after"]
        .iter()
        .flat_map(|w| {
            [
                f(&format!("mean_tone_{w}")),
                f(&format!("mean_tone_{w}_ci_low")),
                f(&format!("mean_tone_{w}_ci_high")),
            ]
        })
        .collect();
    for visit in [
        "Tolsen to Vesna",
        "Ostrian President to Port Aurel",
        "Kestrel summit",
    ] {
        let complete = (0..visits.height())
            .filter(|i| names[*i] == visit && level[*i] == "country")
            .filter(|i| {
                cols.chunks(3)
                    .all(|c| match (c[0][*i], c[1][*i], c[2][*i]) {
                        (Some(m), Some(lo), Some(hi)) => lo <= m && m <= hi,
                        _ => false,
                    })
            })
            .count();
        assert!(
            complete >= 2,
            "{visit}: only {complete} countries with all three windows and intervals"
        );
    }
    let pairs = read(&out, "visit_pairs.parquet");
    assert_eq!(pairs.height(), 3);
}

#[test]
fn many_small_runs_compact_a_month_and_equal_one_run() {
    let dir = tempdir();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let (daily, once) = (dir.path().join("daily"), dir.path().join("once"));
    // Twelve scheduled runs, one new file each, all published in the same month: more runs
    // than a month may keep parts for, so a later run compacts them.
    let mut files = Vec::new();
    for day in 1..=12 {
        let path = inputs.join(format!("day{day:02}.jsonl"));
        let line = serde_json::json!({
            "id": format!("day-{day}"),
            "published": format!("2025-03-{day:02}"),
            "title": format!("Briefing {day}"),
            "text": format!("“We are ready to resume talks without preconditions,” the minister said on day {day}.\n\nOfficials said there was no room for compromise on day {day}."),
        });
        std::fs::write(&path, format!("{line}\n")).unwrap();
        files.push(path);
        let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        run_ok(&refs, &daily, &[]);
    }
    let parts: Vec<String> = snapshot(&daily)
        .into_keys()
        .filter(|k| k.starts_with("state/statements/month=2025-03/"))
        .collect();
    assert!(
        !parts.is_empty() && parts.len() <= 8,
        "parts of the month after 12 runs: {parts:?}"
    );
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    run_ok(&refs, &once, &[]);
    assert_eq!(read(&daily, "statements.parquet").height(), 24);
    assert_eq!(tables(&daily), tables(&once));
}

#[test]
fn copies_count_in_the_run_that_processed_the_article_and_conflicts_are_rejected_later_too() {
    let dir = tempdir();
    let line = |id: &str, text: &str| {
        serde_json::json!({"id": id, "published": "2025-02-03", "text": text}).to_string()
    };
    let first = "Mira Tolsen said: \u{201c}We made real progress on the harbour talks.\u{201d}";
    let write = |name: &str, lines: &[String]| {
        let path = dir.path().join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let out = dir.path().join("out");
    let day1 = write(
        "day1.jsonl",
        &[
            line("a", first),
            line("a", first),
            line("b", "A quiet day at the port."),
        ],
    );
    run_ok(&[&day1], &out, &[]);
    let copies = |out: &Path| -> BTreeMap<String, u32> {
        let articles = read(out, "articles.parquet");
        let ids = column_strings(&articles, "article_id");
        let dups = articles
            .column("duplicates_seen")
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect::<Vec<_>>();
        ids.into_iter().zip(dups).collect()
    };
    assert_eq!(
        copies(&out),
        BTreeMap::from([("a".to_string(), 1), ("b".to_string(), 0)])
    );
    let statements_before = read(&out, "statements.parquet").height();
    assert!(statements_before >= 1, "the quote is a statement");

    // The next day's feed repeats a (unchanged, twice), repeats its id with other text, adds c.
    let day2 = write(
        "day2.jsonl",
        &[
            line("a", first),
            line("a", first),
            line("a", "Another text under the same id."),
            line("c", "Nothing was said."),
        ],
    );
    let o = run(&[&day2], &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        copies(&out),
        BTreeMap::from([
            ("a".to_string(), 1),
            ("b".to_string(), 0),
            ("c".to_string(), 0)
        ]),
        "copies of an article this run left unchanged were counted when it was processed"
    );
    assert_eq!(
        read(&out, "statements.parquet").height(),
        statements_before,
        "a is neither duplicated nor replaced"
    );
    let rejects = read(&out, "rejects.parquet");
    let reasons = column_strings(&rejects, "reason");
    let lines: Vec<Option<u64>> = rejects
        .column("line")
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(lines, vec![Some(3)], "{reasons:?}");
    assert!(
        reasons[0].contains("duplicate id with different text"),
        "{reasons:?}"
    );
}
