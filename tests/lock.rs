//! One writer per output (issue 22): runs on one `--out` at once never interleave their
//! commits. A second run answers busy (exit 5) naming the holder, or waits with `--wait`; a
//! holder killed with SIGKILL frees the folder at once; and a state damaged the way
//! overlapping runs damaged it before the lock is found by `check` and repaired by the next
//! run. On small synthetic corpora (`tonetrack synth`: our own templates).
// Needs the `tables` feature: runs `tonetrack run` and reads the tables back.
#![cfg(all(feature = "tables", feature = "cli"))]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The busy exit code (README, *Exit codes*).
const BUSY: i32 = 5;
/// `check`'s exit code for a damaged state.
const DAMAGED: i32 = 6;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tonetrack"))
}

/// `tonetrack run INPUTS --out OUT --quiet` with extra arguments, as a command to start.
fn run_cmd(inputs: &[&Path], out: &Path, extra: &[&str]) -> Command {
    let mut cmd = bin();
    // The lexicon: these tests are about who writes the folder, and the learned scorer made
    // them take ten minutes on 2 cores instead of ~one (its shard and rerun stability is
    // tests/incremental.rs's).
    cmd.args(["run", "--quiet", "--jobs", "1", "--scorer", "lexicon"])
        .args(inputs)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd
}

fn ok(o: Output, what: &str) -> Output {
    assert!(
        o.status.success(),
        "{what}: exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn run_ok(inputs: &[&Path], out: &Path) -> Output {
    ok(
        run_cmd(inputs, out, &[]).output().expect("binary runs"),
        "run",
    )
}

/// A synthetic corpus of `n` articles (JSON Lines), split into files of `sizes` articles.
fn corpus(dir: &Path, n: u64, seed: u64, sizes: &[usize]) -> Vec<PathBuf> {
    let all = dir.join(format!("all-{seed}.jsonl"));
    ok(
        bin()
            .args(["synth", "--quiet", "--articles", &n.to_string()])
            .args(["--seed", &seed.to_string(), "--out"])
            .arg(&all)
            .output()
            .unwrap(),
        "synth",
    );
    let text = std::fs::read_to_string(&all).unwrap();
    let mut lines = text.lines();
    sizes
        .iter()
        .enumerate()
        .map(|(i, size)| {
            let path = dir.join(format!("part-{seed}-{i}.jsonl"));
            let chunk: Vec<&str> = lines.by_ref().take(*size).collect();
            assert_eq!(chunk.len(), *size, "synth wrote fewer articles");
            std::fs::write(&path, chunk.join("\n") + "\n").unwrap();
            path
        })
        .collect()
}

/// SHA-256 of every published Parquet table of `dir`, by name (not the manifest, which
/// records when the run started, and not the state's parts, whose layout depends on the runs).
fn tables(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "parquet") {
            out.insert(
                path.file_name().unwrap().to_string_lossy().into_owned(),
                format!("{:x}", Sha256::digest(std::fs::read(&path).unwrap())),
            );
        }
    }
    assert!(out.len() >= 5, "{}: tables missing: {out:?}", dir.display());
    out
}

/// `tonetrack check --out OUT`: exit code and stdout.
fn check(out: &Path) -> (i32, String) {
    let o = bin()
        .args(["check", "--quiet", "--out"])
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// A run that reads JSON Lines from a stdin the test holds open: it takes the lock and then
/// waits for input, holding the lock as long as the test wants. Returns once the lock file
/// names it.
fn holder(out: &Path) -> Child {
    let mut child = run_cmd(&[Path::new("-")], out, &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = out.join(".lock");
    let needle = format!("\"pid\": {}", child.id());
    let started = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains(&needle)) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the holder exited early: {status:?}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Feeds `input` to a [`holder`] and waits for it to finish.
fn feed(mut child: Child, input: &Path) -> Output {
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&std::fs::read(input).unwrap()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn a_run_on_a_locked_output_exits_busy_naming_the_holder_and_the_holder_finishes_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = &corpus(dir.path(), 40, 3, &[40])[0];
    let out = dir.path().join("out");
    let first = holder(&out);
    let pid = first.id();

    let second = run_cmd(&[input], &out, &[]).output().unwrap();
    let message = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(BUSY), "{message}");
    assert!(
        message.contains(&format!("held by pid {pid} on host "))
            && message.contains(" UTC, `tonetrack run --quiet --jobs 1 --scorer lexicon - --out "),
        "the busy message names the holder: {message}"
    );
    // `check` reads under the lock too.
    assert_eq!(check(&out).0, BUSY);

    ok(feed(first, input), "the holder");
    // One run from stdin into a fresh folder: the same tables.
    let reference = dir.path().join("reference");
    ok(feed(holder(&reference), input), "reference run");
    assert_eq!(tables(&out), tables(&reference));
    assert_eq!(check(&out).0, 0);
    assert_eq!(
        std::fs::read(out.join(".lock")).unwrap(),
        b"",
        "a released lock file is empty, so a run that changes nothing changes no byte"
    );
}

#[test]
fn twenty_pairs_of_concurrent_runs_only_ever_answer_busy_and_leave_the_tables_of_the_runs_that_won()
{
    let dir = tempfile::tempdir().unwrap();
    let parts = corpus(dir.path(), 240, 11, &[120, 120]);
    let (a, b) = (parts[0].as_path(), parts[1].as_path());
    // What one uninterrupted run leaves, for each outcome of a pair.
    let reference = |inputs: &[&Path], name: &str| {
        let out = dir.path().join(name);
        run_ok(inputs, &out);
        tables(&out)
    };
    let (only_a, only_b, both) = (
        reference(&[a], "ref-a"),
        reference(&[b], "ref-b"),
        reference(&[a, b], "ref-ab"),
    );
    let mut busy = 0;
    for i in 0..20 {
        let out = dir.path().join(format!("pair-{i}"));
        let children: Vec<Child> = [a, b]
            .iter()
            .map(|input| {
                run_cmd(&[input], &out, &[])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outcomes: Vec<(i32, String)> = children
            .into_iter()
            .map(|c| {
                let o = c.wait_with_output().unwrap();
                (
                    o.status.code().unwrap_or(-1),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                )
            })
            .collect();
        for (code, stderr) in &outcomes {
            assert!(
                *code == 0 || (*code == BUSY && stderr.contains("is busy: held by pid")),
                "pair {i}: exit {code}, the only failure allowed is busy:\n{stderr}"
            );
        }
        let expected = match (outcomes[0].0, outcomes[1].0) {
            (0, 0) => &both,
            (0, _) => &only_a,
            (_, 0) => &only_b,
            _ => panic!("pair {i}: both runs answered busy, but one of them held the lock"),
        };
        busy += outcomes.iter().filter(|(c, _)| *c == BUSY).count();
        assert_eq!(
            &tables(&out),
            expected,
            "pair {i}: tables of the runs that won"
        );
        assert_eq!(check(&out).0, 0, "pair {i}: the state is intact");
        // The loser's run later adds its half: the tables of one run over both.
        run_ok(&[a, b], &out);
        assert_eq!(tables(&out), both, "pair {i}: after the catch-up run");
    }
    // Both runs of a pair start together and run for ~1 s: they overlap, so some must have
    // been refused (else this test tested nothing).
    assert!(busy > 0, "no pair overlapped");
    println!("{busy} of 40 runs answered busy");
}

#[test]
fn a_holder_killed_with_sigkill_frees_the_output_at_once_and_its_scratch_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let input = &corpus(dir.path(), 40, 5, &[40])[0];
    let out = dir.path().join("out");
    let mut killed = holder(&out);
    let scratch = |out: &Path| -> Vec<String> {
        std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".scratch-"))
            .collect()
    };
    // The holder makes its scratch folder right after it took the lock and read the state.
    let started = Instant::now();
    while scratch(&out).is_empty() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(scratch(&out).len(), 1, "the holder has its scratch folder");
    killed.kill().unwrap(); // SIGKILL
    killed.wait().unwrap();

    let started = Instant::now();
    run_ok(&[input], &out);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the next run did not start at once"
    );
    assert_eq!(
        scratch(&out),
        Vec::<String>::new(),
        "the dead run's scratch is gone"
    );
    let reference = dir.path().join("reference");
    run_ok(&[input], &reference);
    assert_eq!(tables(&out), tables(&reference));
}

#[test]
fn a_run_with_wait_takes_the_lock_when_the_holder_finishes_and_gives_up_after_its_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let input = &corpus(dir.path(), 30, 9, &[30])[0];
    let out = dir.path().join("out");
    let first = holder(&out);

    let started = Instant::now();
    let short = run_cmd(&[input], &out, &["--wait", "1"]).output().unwrap();
    assert_eq!(short.status.code(), Some(BUSY));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "it waited its second"
    );

    let mut waiting = run_cmd(&[input], &out, &["--wait", "120"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "the waiting run waits while the lock is held"
    );
    ok(feed(first, input), "the holder");
    ok(waiting.wait_with_output().unwrap(), "the waiting run");
    assert_eq!(check(&out).0, 0);
}

/// Copies the files of `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Run id `check` reports for the state.
fn run_id(check_output: &str) -> String {
    check_output
        .split("run id ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_state_damaged_by_interleaved_commits_is_found_by_check_and_repaired_by_the_next_run() {
    // See: issue 22. Before the lock, two runs A and B on one fresh folder both named their
    // parts `part-000001`. Interleaved as in the issue — B writes its month parts, A writes its
    // statement parts over B's for the months both have, B writes its index parts and commits
    // last — the index holds B's articles, but in the shared months their statement rows are
    // A's, which count for nothing. Built here from two separate runs' files.
    let dir = tempfile::tempdir().unwrap();
    let parts = corpus(dir.path(), 300, 17, &[150, 150]);
    let (a, b) = (parts[0].as_path(), parts[1].as_path());
    let (run_a, run_b) = (dir.path().join("a"), dir.path().join("b"));
    run_ok(&[a], &run_a);
    run_ok(&[b], &run_b);
    let damaged = dir.path().join("damaged");
    copy_tree(&run_b, &damaged);
    let mut overwritten = 0;
    for e in walkdir::WalkDir::new(run_a.join("state/statements")) {
        let e = e.unwrap();
        let key = e.path().strip_prefix(&run_a).unwrap();
        if e.file_type().is_file() && damaged.join(key).exists() {
            std::fs::copy(e.path(), damaged.join(key)).unwrap();
            overwritten += 1;
        }
    }
    assert!(overwritten > 3, "the halves share months: {overwritten}");

    let (code, said) = check(&damaged);
    assert_eq!(code, DAMAGED, "check finds the damage:\n{said}");
    assert!(said.contains("articles lack statement rows"), "{said}");
    let published_id = {
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(damaged.join("manifest.json")).unwrap()).unwrap();
        manifest["run_id"].as_str().unwrap().to_string()
    };
    assert_ne!(
        run_id(&said),
        published_id,
        "the damaged state's run id is not the intact state's"
    );
    assert!(!run_id(&said).is_empty(), "{said}");

    // The next run over both inputs processes the damaged articles again (and adds A's).
    let o = run_cmd(&[a, b], &damaged, &[]).output().unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("repaired "),
        "the run says what it repaired: {log}"
    );
    let (code, said) = check(&damaged);
    assert_eq!(code, 0, "repaired:\n{said}");

    let reference = dir.path().join("reference");
    run_ok(&[a, b], &reference);
    assert_eq!(
        tables(&damaged),
        tables(&reference),
        "the repaired tables equal one uninterrupted run's"
    );
    assert_eq!(run_id(&said), run_id(&check(&reference).1));
}

#[test]
fn a_run_without_the_damaged_articles_inputs_keeps_them_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let parts = corpus(dir.path(), 60, 19, &[30, 30]);
    let out = dir.path().join("out");
    run_ok(&[&parts[0]], &out);
    // Damage as an interleaved commit leaves it: the statement parts of the months both halves
    // have are replaced by the other half's parts of the same name, whose rows are of other
    // articles; the first half's articles in those months keep their index rows only.
    let other = dir.path().join("other");
    run_ok(&[&parts[1]], &other);
    let mut replaced = 0;
    for e in walkdir::WalkDir::new(out.join("state/statements")) {
        let e = e.unwrap();
        let key = e.path().strip_prefix(&out).unwrap();
        if e.file_type().is_file() && other.join(key).exists() {
            std::fs::copy(other.join(key), e.path()).unwrap();
            replaced += 1;
        }
    }
    assert!(replaced > 0);
    assert_eq!(check(&out).0, DAMAGED);
    // The other half's inputs do not hold the damaged articles: they stay damaged, said so.
    let o = run_cmd(&[&parts[1]], &out, &[]).output().unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(log.contains("still lack statement rows"), "{log}");
    assert_eq!(check(&out).0, DAMAGED);
    // With them, repaired.
    run_ok(&[&parts[0], &parts[1]], &out);
    assert_eq!(check(&out).0, 0);
    let reference = dir.path().join("reference");
    run_ok(&[&parts[0], &parts[1]], &reference);
    assert_eq!(tables(&out), tables(&reference));
}
