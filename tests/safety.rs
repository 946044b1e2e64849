//! Safety: article ids are data, never paths (odd ids cannot write outside `--out` nor break
//! it), and a run makes no network connection.
// Needs the `tables` feature: runs `tonetrack run` and reads the Parquet back.
#![cfg(all(feature = "tables", feature = "cli"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod testutil;
use testutil::{bin, read_parquet as read, strings, tempdir};

/// Every path under `root` (files, folders, links; links not followed) with, for files, their
/// bytes' length and content hash, so that any created, removed or changed entry shows.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("walking {}: {e}", root.display())))
        .map(|e| {
            let what = if e.file_type().is_file() {
                let bytes = std::fs::read(e.path()).unwrap();
                use sha2::Digest;
                format!("file {:x}", sha2::Sha256::digest(&bytes))
            } else if e.file_type().is_dir() {
                "dir".to_string()
            } else {
                format!("other {:?}", e.file_type())
            };
            (e.path().to_path_buf(), what)
        })
        .collect()
}

fn run(cwd: &Path, input: &Path, out: &Path) -> Output {
    let o = bin()
        .current_dir(cwd)
        .arg("run")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("the binary runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

#[test]
fn odd_article_ids_stay_data_and_never_become_paths() {
    let root = tempdir();
    let root = root.path().canonicalize().unwrap();
    // The run works three folders deep, so "../../x" from the output or the working folder
    // would still land inside the tempdir, where the snapshot sees it.
    let work = root.join("a/b/c");
    std::fs::create_dir_all(&work).unwrap();
    let out = work.join("out");
    let escape = std::env::temp_dir().join(format!("tonetrack-escape-{}", std::process::id()));
    let ids: Vec<String> = vec![
        "a/b".into(),
        "..".into(),
        ".".into(),
        "../../etc/x".into(),
        "../../../../../../../../../../etc/tonetrack-x".into(),
        format!("../../../../../../../../../..{}", escape.display()),
        "/etc/passwd".into(),
        "/".into(),
        "a\\b".into(),
        "..\\..\\windows\\x".into(),
        "C:\\Windows\\x".into(),
        "\u{202e}txt.exe".into(),
        "x".repeat(10_000),
        "line\nbreak".into(),
        "tab\there\r".into(),
        "%2e%2e%2f%2e%2e%2f".into(),
        "$(touch pwned)".into(),
        "*".into(),
        " spaced ".into(),
        "month=2025-01".into(),
        "state/statements/month=2025-01/part-0.parquet".into(),
        "manifest.json".into(),
        "🙂 ünïcödé".into(),
    ];
    let body = |i: usize| {
        format!("“We are ready to talk,” the minister said on day {i}.\n\nOfficials said the talks were sincere and constructive.")
    };
    let mut lines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| serde_json::json!({"id": id, "published": format!("2025-01-{:02}", i % 28 + 1), "title": id, "text": body(i)}).to_string())
        .collect();
    // The same odd id again with other text: it must become a reject, not a file either.
    lines.push(serde_json::json!({"id": "../../etc/x", "published": "2025-01-05", "text": "Other text, officials said."}).to_string());
    let input = work.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("odd.jsonl"), lines.join("\n") + "\n").unwrap();
    // A text article whose sidecar names an escaping id.
    std::fs::write(input.join("story.txt"), body(99)).unwrap();
    std::fs::write(
        input.join("story.meta.json"),
        r#"{"id": "../../../story", "published": "2025-02-01"}"#,
    )
    .unwrap();
    let mut expected: Vec<String> = ids.clone();
    expected.push("../../../story".into());
    expected.sort();

    for round in 1..=2 {
        let before = snapshot(&root);
        let o = run(&work, &input, &out);
        let after = snapshot(&root);
        let changed: Vec<&PathBuf> = after
            .iter()
            .filter(|(p, what)| before.get(*p) != Some(*what))
            .map(|(p, _)| p)
            .chain(before.keys().filter(|p| !after.contains_key(*p)))
            .collect();
        let outside: Vec<&&PathBuf> = changed.iter().filter(|p| !p.starts_with(&out)).collect();
        assert!(
            outside.is_empty(),
            "round {round}: the run touched files outside --out: {outside:#?}"
        );
        assert!(!escape.exists(), "{} was created", escape.display());
        assert!(!Path::new("/etc/tonetrack-x").exists());
        if round == 2 {
            assert!(
                changed.is_empty(),
                "the second run over the same inputs changed {changed:#?}"
            );
        }

        let articles = read(&out, "articles.parquet");
        let mut got: Vec<String> = strings(&articles, "article_id")
            .into_iter()
            .map(Option::unwrap)
            .collect();
        got.sort();
        assert_eq!(got.len(), expected.len());
        assert!(
            got == expected,
            "the ids are not kept as given: {:?}",
            got.iter().zip(&expected).find(|(g, e)| g != e)
        );
        let titles = strings(&articles, "title");
        let ids_col = strings(&articles, "article_id");
        for (id, title) in ids_col.iter().zip(&titles) {
            if id.as_deref() != Some("../../../story") {
                assert_eq!(id, title, "id and title (written the same) differ");
            }
        }
        let statements = read(&out, "statements.parquet");
        let with_statements: std::collections::BTreeSet<String> =
            strings(&statements, "article_id")
                .into_iter()
                .flatten()
                .collect();
        assert_eq!(
            with_statements.len(),
            expected.len(),
            "every article has its statements under its own id"
        );
        let rejects = read(&out, "rejects.parquet");
        assert_eq!(
            strings(&rejects, "article_id"),
            vec![Some("../../etc/x".to_string())]
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            stderr.matches("WARN").count(),
            1,
            "only the duplicate is a warning:\n{stderr}"
        );
    }
    // Nothing but the expected entries in the output folder: tables, manifest and state.
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name.ends_with(".parquet") || name == "manifest.json" || name == "state",
            "unexpected {name:?} in --out"
        );
    }
}

/// Lines of an strace log that talk to an internet address or open an internet socket.
fn internet_calls(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("AF_INET")
                && [
                    "socket(",
                    "connect(",
                    "sendto(",
                    "sendmsg(",
                    "sendmmsg(",
                    "bind(",
                ]
                .iter()
                .any(|c| l.contains(c))
        })
        .collect()
}

fn strace(log: &Path, cmd: &mut Command) -> Output {
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let mut st = Command::new("strace");
    st.args(["-f", "-e", "trace=%network,execve", "-o"])
        .arg(log)
        .arg("--")
        .arg(program)
        .args(args);
    if let Some(dir) = cmd.get_current_dir() {
        st.current_dir(dir);
    }
    match st.output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "strace is not installed: this test traces the binary's system calls to prove it makes no network \
             connection and cannot pass without it; install it (apt-get install -y strace)"
        ),
        Err(e) => panic!("strace could not start: {e}"),
    }
}

#[test]
fn a_run_makes_no_network_connection() {
    let dir = tempdir();
    // First prove that the trace and its reading catch a connection on this machine (strace
    // may be present but not allowed to trace, e.g. in a container without ptrace).
    let probe_log = dir.path().join("probe.log");
    let probe = strace(
        &probe_log,
        Command::new("bash").args(["-c", "exec 3<>/dev/tcp/127.0.0.1/9 || true"]),
    );
    let probe_text = std::fs::read_to_string(&probe_log).unwrap_or_default();
    assert!(
        internet_calls(&probe_text).iter().any(|l| l.contains("connect(")),
        "strace did not see a loopback connect, so it cannot vouch for the run (is ptrace allowed?)\nstrace: {}\nlog:\n{probe_text}",
        String::from_utf8_lossy(&probe.stderr)
    );

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log = dir.path().join("run.log");
    let out = dir.path().join("out");
    let o = strace(
        &log,
        bin()
            .current_dir(repo)
            .args([
                "run",
                "notebooks-data",
                "--config",
                "notebooks-data/tonetrack.toml",
                "--quiet",
                "--out",
            ])
            .arg(&out),
    );
    assert!(
        o.status.success(),
        "the traced run failed: {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("execve(") && text.contains("tonetrack"),
        "the trace does not show the binary:\n{text}"
    );
    assert!(
        read(&out, "statements.parquet").height() > 0,
        "the traced run did its work"
    );
    let calls = internet_calls(&text);
    assert!(
        calls.is_empty(),
        "the run opened internet sockets or connected:\n{}",
        calls.join("\n")
    );
}
