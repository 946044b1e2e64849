//! End-to-end tests of the learned scorers through the binary (feature `transformer`; they need
//! libtorch and the model of scripts/setup-transformer.sh, found through
//! $TONETRACK_TRANSFORMER_MODEL or models/transformer/).
// The binary is built with the `cli` feature; `tables` is not needed (CI runs these without polars).
#![cfg(all(feature = "transformer", feature = "cli"))]

use std::io::Write;
use std::process::{Command, Stdio};

mod testutil;
use testutil::{root, run_ok, shared, tempdir};

/// The binary, run from the repository root (the default model and head paths are relative).
fn bin() -> Command {
    let mut c = testutil::bin();
    c.current_dir(root());
    c
}

fn score(scorer: &str, lines: &str) -> Vec<serde_json::Value> {
    let mut child = bin()
        .args(["score", "--quiet", "--scorer", scorer])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn score_with_learned_scorers() {
    let lines = "We firmly oppose this provocation and will take resolute countermeasures.\nWe welcome the progress and look forward to deeper cooperation.\n";
    for scorer in ["transformer", "ensemble"] {
        let rows = score(scorer, lines);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["scorer"], scorer);
        assert_eq!(rows[0]["tone_label"], "firm", "{scorer}: {}", rows[0]);
        assert_eq!(
            rows[1]["tone_label"], "conciliatory",
            "{scorer}: {}",
            rows[1]
        );
        assert!(rows[0]["tone"].as_f64().unwrap() < 0.0 && rows[1]["tone"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn missing_model_is_a_clear_error() {
    let out = bin()
        .args([
            "score",
            "--scorer",
            "ensemble",
            "--model-dir",
            "/nonexistent/minilm",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scripts/setup-transformer.sh") && err.contains("/nonexistent/minilm"),
        "{err}"
    );
}

/// All 17 non-mixed seed statements (issue #4); the lexicon's 17/17 is held by .ci/run.
#[test]
fn seed_tone_signs_with_the_ensemble() {
    let (Some(gold), Some(seed)) = (
        shared("eval/seed-gold.jsonl"),
        shared("seed/blinken-beijing.txt"),
    ) else {
        return;
    };
    let out = bin()
        .args(["eval", "statements", "--quiet", "--scorer", "ensemble"])
        .arg("--gold")
        .arg(gold)
        .arg("--articles")
        .arg(seed)
        .args(["--min", "tone_sign_accuracy=1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tone_n"], 17);
}

#[test]
fn eval_tone_compares_three_scorers_on_a_gold_file() {
    let out = run_ok(bin().args([
        "eval",
        "tone",
        "--quiet",
        "--json",
        "--gold",
        "models/tone-training/diplomatic-statements.jsonl",
    ]));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines =
        std::fs::read_to_string(root().join("models/tone-training/diplomatic-statements.jsonl"))
            .unwrap()
            .lines()
            .count();
    assert_eq!(r["n"], lines);
    let names: Vec<&str> = r["scorers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lexicon", "transformer", "ensemble"]);
    for s in r["scorers"].as_array().unwrap() {
        let f1 = s[1]["macro_f1"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&f1));
        let total: u64 = s[1]["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| row.as_array().unwrap())
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(total, lines as u64);
    }
}

#[test]
fn train_writes_a_head_the_scorers_load() {
    // `tonetrack train` reads the mapped CAMEO set from its default path under ../shared.
    if shared("datasets/cameo-sentences/train.jsonl").is_none() {
        return;
    }
    let dir = tempdir();
    let head = dir.path().join("head.json");
    let card = dir.path().join("card.md");
    run_ok(
        bin()
            .args(["train", "--quiet", "--cv", "0", "--version", "test"])
            .arg("--out")
            .arg(&head)
            .arg("--card")
            .arg(&card),
    );
    let text = std::fs::read_to_string(&head).unwrap();
    assert!(text.contains("\"version\": \"test\""));
    let card = std::fs::read_to_string(&card).unwrap();
    assert!(
        card.contains("diplomatic") && card.contains("sha256"),
        "{card}"
    );
    // The shipped model is `train tone`'s (fine-tuned layers), which CI does not rerun (training
    // is not CI's); what it can check cheaply is that the model was trained on the data that is
    // committed: the card names the digest of our statements, which any edit changes.
    let ours =
        tonetrack::tone::data::read_folder(&root().join("models/tone-training"), "diplomatic")
            .unwrap();
    let shipped_card = std::fs::read_to_string(root().join("models/tone-head.md")).unwrap();
    assert!(
        shipped_card.contains(&format!("`{}`", &ours.sha256[..16])),
        "models/tone-head.md was trained on other statements than models/tone-training/ holds (digest {}): rerun `tonetrack train tone`",
        &ours.sha256[..16]
    );
    let mut child = bin()
        .args(["score", "--quiet", "--scorer", "ensemble", "--head"])
        .arg(&head)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"We welcome the talks.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"scorer\":\"ensemble\""));
}

#[test]
fn bench_transformer_reports_throughput() {
    // `bench transformer` takes its sentences from PolNeAR train under ../shared by default.
    if shared("datasets/polnear/train.gold.jsonl").is_none() {
        return;
    }
    let out = run_ok(bin().args([
        "bench",
        "transformer",
        "--quiet",
        "--count",
        "64",
        "--repeat",
        "1",
    ]));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["statements"], 64);
    assert!(r["statements_per_second"].as_f64().unwrap() > 0.0);
    assert!(r["peak_rss_mib"].as_f64().unwrap() > 0.0);
    assert_eq!(r["selection_sha256"].as_str().unwrap().len(), 64);
}

/// Without the `tables` feature (how CI builds these tests, to skip a second polars build) the
/// table commands exist but refuse with a message naming what the build lacks.
#[cfg(not(feature = "tables"))]
#[test]
fn table_commands_name_the_missing_feature() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let commands: [&[&str]; 6] = [
        &["run", "notebooks-data", "--out", o],
        &["merge", "a", "b", "--out", o],
        &["plot", "--out", o],
        &["summary", o],
        &["check", "--out", o],
        &["bench", "--synthetic", "10", "--work", o],
    ];
    for args in commands {
        let run = bin().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("`tables` feature") && err.contains(&format!("tonetrack {}", args[0])),
            "{args:?}: {err}"
        );
    }
    assert!(!out.exists(), "a refused command wrote {}", out.display());
}

#[test]
fn the_card_check_passes_on_the_shipped_model_and_names_what_a_stale_card_gets_wrong() {
    // The card names the sha256 of the training sets, which live partly under ../shared.
    if shared("datasets/plover-plv/train.jsonl").is_none() {
        return;
    }
    let out = run_ok(bin().args([
        "eval",
        "tone",
        "--quiet",
        "--card",
        "--min-f1",
        "ensemble:cameo=0.85",
        "--min-f1",
        "ensemble:diplomatic=0.90",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("describes the shipped head"), "{text}");
    for set in ["cameo (mapped)", "plover-plv (mapped)", "diplomatic"] {
        assert!(text.contains(set), "{set}: {text}");
    }
    // A bar above what the card records fails with exit 3.
    let o = bin()
        .args([
            "eval",
            "tone",
            "--quiet",
            "--card",
            "--min-f1",
            "ensemble:cameo=0.999",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A card whose head hash is not the shipped head's is refused, naming the difference.
    let card = std::fs::read_to_string(root().join("models/tone-head.md")).unwrap();
    let line = card
        .lines()
        .find(|l| l.starts_with("- head:"))
        .expect("a head line");
    let sha = line.split('`').nth(3).unwrap();
    let stale = card.replace(sha, &"0".repeat(sha.len()));
    let dir = tempdir();
    let path = dir.path().join("stale.md");
    std::fs::write(&path, stale).unwrap();
    let o = bin()
        .args(["eval", "tone", "--quiet", "--card"])
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("head file sha256") && err.contains("train tone"),
        "{err}"
    );
}
