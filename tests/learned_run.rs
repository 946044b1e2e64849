//! `run` with the learned scorer, the default: the sample corpus end to end with the tone
//! columns read back from the Parquet, a missing model stopping the run with a message that says
//! how to install it, and a state scored by one scorer refusing the other. Needs the binary with
//! the tables and the transformer (the default features) and the model of
//! scripts/setup-transformer.sh.
#![cfg(all(feature = "tables", feature = "cli", feature = "transformer"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository (where it finds models/transformer/ itself) with no
/// model variable inherited from the caller's shell.
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tonetrack"));
    c.current_dir(root())
        .env_remove("TONETRACK_TRANSFORMER_MODEL");
    c
}

/// `tonetrack run` on the sample corpus into `out`, with its log (no `--quiet`).
fn sample_run(out: &Path) -> Command {
    let mut c = bin();
    c.args([
        "run",
        "notebooks-data",
        "--config",
        "notebooks-data/tonetrack.toml",
    ])
    .arg("--out")
    .arg(out);
    c
}

fn run_sample(out: &Path, extra: &[&str]) -> Output {
    sample_run(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("binary runs")
}

/// [`run_sample`] that must succeed.
fn run_sample_ok(out: &Path, extra: &[&str]) {
    let o = run_sample(out, extra);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The standard error of a run that had to fail (`what` says what it would have done).
fn refused(o: &Output, what: &str) -> String {
    assert!(!o.status.success(), "{what}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(dir: &Path, name: &str) -> DataFrame {
    let file = std::fs::File::open(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    ParquetReader::new(file)
        .finish()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn floats(df: &DataFrame, col: &str) -> Vec<f64> {
    df.column(col)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or_else(|| panic!("{col}: null")))
        .collect()
}

fn strings(df: &DataFrame, col: &str) -> Vec<String> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or_else(|| panic!("{col}: null")).to_string())
        .collect()
}

#[test]
fn run_scores_the_sample_with_the_learned_scorer_and_keeps_the_lexicon_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_sample_ok(&out, &[]);
    let st = read(&out, "statements.parquet");
    assert!(st.height() > 50, "{} statements", st.height());
    let scorer = strings(&st, "scorer");
    assert!(scorer.iter().all(|s| s == "ensemble"), "{scorer:?}");
    let version = strings(&st, "scorer_version");
    assert!(version[0].starts_with("head-") && version[0].contains("all-MiniLM-L6-v2@"));
    let (tone, lexicon) = (floats(&st, "tone"), floats(&st, "tone_lexicon"));
    let confidence = floats(&st, "tone_confidence");
    let labels = strings(&st, "tone_label");
    let cues = st.column("tone_cues").unwrap().list().unwrap().clone();
    for i in 0..st.height() {
        assert!((-1.0..=1.0).contains(&tone[i]) && (-1.0..=1.0).contains(&lexicon[i]));
        // tone = P(conciliatory) − P(firm), confidence = the largest probability.
        assert!(tone[i].abs() <= confidence[i] + 1e-9, "row {i}");
        match labels[i].as_str() {
            "conciliatory" => assert!(tone[i] > 0.0, "row {i}"),
            "firm" => assert!(tone[i] < 0.0, "row {i}"),
            _ => {}
        }
        // The cues explain the lexicon's tone: no cue, no lexicon tone.
        let n_cues = cues.get_as_series(i).map(|s| s.len()).unwrap_or(0);
        if n_cues == 0 {
            assert_eq!(lexicon[i], 0.0, "row {i}");
        }
    }
    // The learned tone is its own reading, not the lexicon's: the lexicon gives 0 where it
    // finds no cue, the learned scorer rarely exactly 0.
    let differ = (0..st.height()).filter(|&i| tone[i] != lexicon[i]).count();
    assert!(differ * 10 > st.height() * 9, "{differ} of {}", st.height());
    let zero_lexicon = lexicon.iter().filter(|&&v| v == 0.0).count();
    let zero_learned = tone.iter().filter(|&&v| v == 0.0).count();
    assert!(
        zero_learned < zero_lexicon.max(1),
        "{zero_learned} vs {zero_lexicon}"
    );
    // Both tones reach the analysts' tables; the manifest names the weights.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("all-MiniLM-L6-v2/model.safetensors"),
        "{manifest}"
    );
    assert!(manifest.contains("tone-head.json"), "{manifest}");
}

#[test]
fn a_missing_model_stops_the_run_and_says_how_to_install_it_or_to_pass_scorer_lexicon() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let empty = dir.path().join("no-model");
    std::fs::create_dir(&empty).unwrap();
    let o = sample_run(&out)
        .arg("--quiet")
        .env("TONETRACK_TRANSFORMER_MODEL", &empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("scripts/setup-transformer.sh") && err.contains("--scorer lexicon"),
        "{err}"
    );
    // Nothing was scored some other way behind the user's back.
    assert!(!out.join("statements.parquet").exists());
    // The lexicon needs no model.
    run_sample_ok(&out, &["--scorer", "lexicon"]);
    let st = read(&out, "statements.parquet");
    assert!(strings(&st, "scorer").iter().all(|s| s == "lexicon"));
    assert_eq!(floats(&st, "tone"), floats(&st, "tone_lexicon"));
}

#[test]
fn a_state_scored_by_one_scorer_refuses_the_other_until_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_sample_ok(&out, &["--scorer", "lexicon"]);
    let err = refused(
        &run_sample(&out, &[]),
        "the default scorer ran on a lexicon state",
    );
    assert!(
        err.contains("--rebuild") && err.contains("lexicon"),
        "{err}"
    );
    run_sample_ok(&out, &["--rebuild"]);
    let st = read(&out, "statements.parquet");
    assert!(strings(&st, "scorer").iter().all(|s| s == "ensemble"));
}

#[test]
fn auto_precision_keeps_the_folders_precision_and_a_different_one_says_how_to_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // f32 asked for explicitly: the same on every CPU.
    run_sample_ok(&out, &["--precision", "f32"]);
    let before = std::fs::read(out.join("statements.parquet")).unwrap();
    let f32_version = strings(&read(&out, "statements.parquet"), "scorer_version")[0].clone();
    assert!(!f32_version.contains("+bf16"), "{f32_version}");
    // The default (auto) keeps f32 here even on a CPU with bf16 instructions: no --rebuild needed,
    // nothing rescored, the tables as they were.
    let o = sample_run(&out).output().unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("in f32 (auto: the precision the output folder's statements were scored in)"),
        "{log}"
    );
    assert_eq!(
        std::fs::read(out.join("statements.parquet")).unwrap(),
        before
    );
    // Asking for bf16 on that folder is refused, with the way to keep its precision.
    let err = refused(
        &run_sample(&out, &["--precision", "bf16"]),
        "a bf16 run was mixed into an f32 folder",
    );
    assert!(
        err.contains("the folder was scored in f32") && err.contains("--precision f32"),
        "{err}"
    );
    // --rebuild with bf16 rescored everything in bf16, and the version says so.
    run_sample_ok(&out, &["--precision", "bf16", "--rebuild"]);
    let versions = strings(&read(&out, "statements.parquet"), "scorer_version");
    assert!(
        versions
            .iter()
            .all(|v| *v == f32_version.replace("+batch8", "+batch8+bf16")),
        "{:?}",
        &versions[..1]
    );
}
