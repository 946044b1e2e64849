//! A catalogue of malformed inputs, written here at run time (no third-party text, no committed
//! big files), each run through the `tonetrack` binary: every one must end as one row of
//! `rejects.parquet` naming the file, with the line for JSON Lines records (null for whole
//! files) and a reason that says what to fix, and never as a crash, a hang or silence.
//! Inputs that look odd but are fine (byte-order marks, CRLF, dates with offsets, blank lines)
//! must become articles, not rejects.
// Needs the `tables` feature: runs `tonetrack run` and reads `rejects.parquet`.
#![cfg(all(feature = "tables", feature = "cli"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use polars::prelude::*;

mod testutil;
use testutil::{bin, read_parquet as read, tempdir};

#[derive(Debug, Clone)]
struct RejectRow {
    input: String,
    line: Option<u64>,
    article_id: Option<String>,
    reason: String,
}

#[derive(Debug, Clone)]
struct ArticleRow {
    id: String,
    published: String,
    title: Option<String>,
    line: Option<u64>,
    chars: u64,
}

struct Run {
    output: Output,
    seconds: f64,
    rejects: Vec<RejectRow>,
    articles: Vec<ArticleRow>,
}

fn strings(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    let c = df.column(col).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

fn u64s(df: &DataFrame, col: &str) -> Vec<Option<u64>> {
    let c = df.column(col).unwrap().cast(&DataType::UInt64).unwrap();
    c.u64().unwrap().iter().collect()
}

/// Runs `tonetrack run INPUTS --out OUT --quiet EXTRA` and reads the rejects and articles back.
fn run(inputs: &[PathBuf], out: &Path, extra: &[&str]) -> Run {
    let started = Instant::now();
    let output = bin()
        .arg("run")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("the binary runs");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        matches!(output.status.code(), Some(0) | Some(4)),
        "tonetrack run {inputs:?} failed with {:?}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let rej = read(out, "rejects.parquet");
    let (input, line, id, reason) = (
        strings(&rej, "input"),
        u64s(&rej, "line"),
        strings(&rej, "article_id"),
        strings(&rej, "reason"),
    );
    let rejects = (0..rej.height())
        .map(|i| RejectRow {
            input: input[i].clone().unwrap(),
            line: line[i],
            article_id: id[i].clone(),
            reason: reason[i].clone().unwrap(),
        })
        .collect();
    let art = read(out, "articles.parquet");
    let (id, published, title, line, chars) = (
        strings(&art, "article_id"),
        strings(&art, "published"),
        strings(&art, "title"),
        u64s(&art, "line"),
        u64s(&art, "chars"),
    );
    let articles = (0..art.height())
        .map(|i| ArticleRow {
            id: id[i].clone().unwrap(),
            published: published[i].clone().unwrap(),
            title: title[i].clone(),
            line: line[i],
            chars: chars[i].unwrap(),
        })
        .collect();
    Run {
        output,
        seconds,
        rejects,
        articles,
    }
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> PathBuf {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

/// A text article with its sidecar.
fn text_article(dir: &Path, name: &str, body: impl AsRef<[u8]>, meta: &str) -> PathBuf {
    write(&dir.join(format!("{name}.meta.json")), meta);
    write(&dir.join(format!("{name}.txt")), body)
}

fn jsonl_line(id: &str, published: &str, text: &str) -> String {
    serde_json::json!({"id": id, "published": published, "title": format!("Title {id}"), "text": text}).to_string()
}

const BODY: &str = "The minister said the talks were sincere and constructive.";

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// One malformed input and the reject it must become.
struct Case {
    name: &'static str,
    /// The inputs to name on the command line.
    inputs: Vec<PathBuf>,
    /// The file the reject must name (exactly, as `input`).
    file: PathBuf,
    /// The line for JSON Lines records; None for whole files.
    line: Option<u64>,
    /// Substrings the reason must contain: what is wrong and what to do.
    reason: Vec<&'static str>,
    /// Ids of the articles that must still be read from the same inputs.
    articles: Vec<&'static str>,
    /// Extra command-line arguments (a config).
    extra: Vec<String>,
    /// The article id the reject must carry, where the record got that far.
    id: Option<&'static str>,
}

impl Case {
    fn new(name: &'static str, input: PathBuf, line: Option<u64>, reason: &[&'static str]) -> Case {
        Case {
            name,
            inputs: vec![input.clone()],
            file: input,
            line,
            reason: reason.to_vec(),
            articles: vec![],
            extra: vec![],
            id: None,
        }
    }
    fn file(mut self, file: PathBuf) -> Case {
        self.file = file;
        self
    }
    fn keeps(mut self, ids: &[&'static str]) -> Case {
        self.articles = ids.to_vec();
        self
    }
    fn id(mut self, id: &'static str) -> Case {
        self.id = Some(id);
        self
    }
    fn extra(mut self, args: &[String]) -> Case {
        self.extra = args.to_vec();
        self
    }
}

fn catalogue(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let dir = |name: &str| -> PathBuf {
        let d = root.join(name).join("in");
        std::fs::create_dir_all(&d).unwrap();
        d
    };

    // --- JSON Lines records ---------------------------------------------------------------
    let d = dir("truncated_jsonl");
    let good = jsonl_line("ok-1", "2025-01-02", BODY);
    let cut = jsonl_line("cut-2", "2025-01-02", BODY);
    let f = write(
        &d.join("feed.jsonl"),
        format!("{good}\n{}", &cut[..cut.len() - 20]),
    );
    cases.push(
        Case::new(
            "truncated JSONL (last line cut mid-string)",
            f,
            Some(2),
            &["malformed JSON", "cut off"],
        )
        .keeps(&["ok-1"]),
    );

    let d = dir("array_line");
    let f = write(
        &d.join("feed.jsonl"),
        format!("[{}]\n", jsonl_line("a", "2025-01-02", BODY)),
    );
    cases.push(Case::new(
        "JSON line that is an array",
        f,
        Some(1),
        &["expected a JSON object, found an array", "one object"],
    ));

    let d = dir("string_line");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n\"just a string\"\n",
            jsonl_line("s-1", "2025-01-02", BODY)
        ),
    );
    cases.push(
        Case::new(
            "JSON line that is a string",
            f,
            Some(2),
            &["expected a JSON object, found a string"],
        )
        .keeps(&["s-1"]),
    );

    let d = dir("published_number");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"id": "p", "published": 20250131, "text": BODY})
        ),
    );
    cases.push(Case::new(
        "published as a number",
        f,
        Some(1),
        &[
            "field \"published\" must be a string",
            "found a number",
            "2025-01-31",
        ],
    ));

    let d = dir("text_array");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"id": "t", "published": "2025-01-02", "text": ["One.", "Two."]})
        ),
    );
    cases.push(Case::new(
        "text as an array",
        f,
        Some(1),
        &["field \"text\" must be a string, found an array"],
    ));

    let d = dir("id_object");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"id": {"value": 1}, "published": "2025-01-02", "text": BODY})
        ),
    );
    cases.push(Case::new(
        "id as an object",
        f,
        Some(1),
        &["field \"id\" must be a string or a number, found an object"],
    ));

    let d = dir("title_number");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"id": "n", "published": "2025-01-02", "title": 42, "text": BODY})
        ),
    );
    cases.push(Case::new(
        "title as a number",
        f,
        Some(1),
        &["field \"title\" must be a string, found a number"],
    ));

    let d = dir("missing_id");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"published": "2025-01-02", "text": BODY})
        ),
    );
    cases.push(Case::new(
        "missing id",
        f,
        Some(1),
        &["no \"id\" field", "needs an id"],
    ));

    let d = dir("missing_published");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", serde_json::json!({"id": "m", "text": BODY})),
    );
    cases.push(
        Case::new(
            "missing published",
            f,
            Some(1),
            &["no \"published\" field", "add \"published\""],
        )
        .id("m"),
    );

    let d = dir("missing_text");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"id": "m", "published": "2025-01-02"})
        ),
    );
    cases.push(Case::new(
        "missing text",
        f,
        Some(1),
        &["no \"text\" field with the article body"],
    ));

    let d = dir("whitespace_body_jsonl");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", jsonl_line("w", "2025-01-02", " \n\t\u{a0} ")),
    );
    cases.push(Case::new(
        "whitespace-only body (JSONL)",
        f,
        Some(1),
        &["empty article body", "only whitespace"],
    ));

    let d = dir("whitespace_body_txt");
    let f = text_article(
        &d,
        "blank",
        " \r\n\t \n",
        r#"{"id": "blank", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "whitespace-only body (.txt)",
        f,
        None,
        &["empty article body"],
    ));

    let d = dir("nul_txt");
    let f = text_article(
        &d,
        "binary",
        b"The minister\0\0\x01 said.".to_vec(),
        r#"{"id": "binary", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "NUL bytes in a .txt",
        f,
        None,
        &["binary data: NUL byte at byte 12", "plain UTF-8 text"],
    ));

    let d = dir("nul_escape_jsonl");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n",
            jsonl_line("z", "2025-01-02", "The minister\u{0} said.")
        ),
    );
    cases.push(Case::new(
        "NUL (\\u0000) in a JSONL text",
        f,
        Some(1),
        &["binary data: NUL byte at byte 12 of the article text"],
    ));

    let d = dir("nul_raw_jsonl");
    let mut bytes = format!("{}\n", jsonl_line("r-1", "2025-01-02", BODY)).into_bytes();
    let second_line_start = bytes.len();
    bytes.extend_from_slice(
        b"{\"id\": \"r-2\", \"published\": \"2025-01-02\", \"text\": \"a\0b\"}\n",
    );
    let f = write(&d.join("feed.jsonl"), bytes);
    let raw_nul: &'static str = Box::leak(
        format!(
            "NUL byte at byte 51 of the line (byte {} of the file)",
            second_line_start + 51
        )
        .into_boxed_str(),
    );
    cases.push(
        Case::new(
            "raw NUL byte in a JSONL line",
            f,
            Some(2),
            &["binary data", raw_nul],
        )
        .keeps(&["r-1"]),
    );

    let d = dir("big_article");
    // 50 MB of real-looking text, generated here.
    let sentence = "Officials said the talks would continue next week. ";
    let big = sentence.repeat(50 * 1024 * 1024 / sentence.len() + 1);
    let f = text_article(
        &d,
        "huge",
        &big,
        r#"{"id": "huge", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "50 MB article (default limit 10 MiB)",
        f,
        None,
        &["above the limit of 10485760 bytes", "max_article_bytes"],
    ));

    let d = dir("limit_from_config");
    let cfg = write(
        &d.parent().unwrap().join("small.toml"),
        "[input]\nmax_article_bytes = 200\n",
    );
    let long = "Officials said the talks would continue. ".repeat(10);
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n{}\n",
            jsonl_line("short", "2025-01-02", BODY),
            jsonl_line("long", "2025-01-02", &long)
        ),
    );
    cases.push(
        Case::new(
            "JSONL record above [input] max_article_bytes = 200",
            f,
            Some(2),
            &["above the limit of 200 bytes", "max_article_bytes"],
        )
        .keeps(&["short"])
        .extra(&["--config".into(), cfg.display().to_string()]),
    );

    let d = dir("deep_html");
    let n = 100_000;
    let page = format!(
        "<html><head><meta property=\"article:published_time\" content=\"2025-01-02\"></head><body>{}<p>{BODY}</p>{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let f = write(&d.join("deep.html"), page);
    cases.push(Case::new(
        "100,000 nested <div>s",
        f,
        None,
        &["HTML nested more than 512 elements deep", "max_html_depth"],
    ));

    let d = dir("html_no_date");
    let f = write(&d.join("undated.html"), format!("<html><head><title>T</title></head><body><article><p>{BODY}</p></article></body></html>"));
    cases.push(Case::new(
        "HTML without any date",
        f,
        None,
        &["no publication date", "article:published_time"],
    ));

    let d = dir("html_empty_body");
    let f = write(
        &d.join("navonly.html"),
        "<html><head><meta property=\"article:published_time\" content=\"2025-01-02\"></head><body><nav><p>Home</p></nav></body></html>",
    );
    cases.push(Case::new(
        "HTML whose only paragraphs are navigation",
        f,
        None,
        &["empty article body"],
    ));

    let d = dir("impossible_date");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", jsonl_line("feb30", "2025-02-30", BODY)),
    );
    cases.push(
        Case::new(
            "impossible date 2025-02-30",
            f,
            Some(1),
            &[
                "impossible date \"2025-02-30\"",
                "February 2025 has 28 days",
            ],
        )
        .id("feb30"),
    );

    let d = dir("month_13");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", jsonl_line("m13", "2025-13-01", BODY)),
    );
    cases.push(Case::new(
        "impossible month 2025-13-01",
        f,
        Some(1),
        &["impossible date", "no month 13"],
    ));

    let d = dir("unparseable_date");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", jsonl_line("soon", "next Tuesday", BODY)),
    );
    cases.push(Case::new(
        "unparseable date",
        f,
        Some(1),
        &["unparseable date \"next Tuesday\"", "YYYY-MM-DD"],
    ));

    let d = dir("empty_date");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", jsonl_line("e", "", BODY)),
    );
    cases.push(Case::new(
        "empty date string",
        f,
        Some(1),
        &["empty publication date"],
    ));

    let d = dir("future_date");
    let future = (today() + chrono::Days::new(3)).to_string();
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}\n", jsonl_line("future", &future, BODY)),
    );
    cases.push(
        Case::new(
            "date 3 days in the future",
            f,
            Some(1),
            &["is in the future", "more than 1 day after the run's date"],
        )
        .id("future"),
    );

    let d = dir("future_date_txt");
    let f = text_article(
        &d,
        "later",
        BODY,
        r#"{"id": "later", "published": "2999-01-01"}"#,
    );
    let meta = d.join("later.meta.json");
    cases.push(
        Case::new(
            "date in the future (.txt: the sidecar is named)",
            f,
            None,
            &["2999-01-01 is in the future"],
        )
        .file(meta)
        .id("later"),
    );

    // --- encodings ------------------------------------------------------------------------
    let d = dir("cp1252");
    let mut body = b"The minister said \x93we are ready\x94 to talk.".to_vec();
    body.extend_from_slice(b"\n");
    let f = text_article(
        &d,
        "smart",
        body,
        r#"{"id": "smart", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "Windows-1252 smart quotes (0x93/0x94) in a .txt",
        f,
        None,
        &[
            "invalid UTF-8 at byte 18 (0x93",
            "Windows-1252",
            "convert it to UTF-8",
        ],
    ));

    let d = dir("cp1252_jsonl");
    let mut bytes = format!("{}\n", jsonl_line("c-1", "2025-01-02", BODY)).into_bytes();
    let second = bytes.len();
    bytes.extend_from_slice(
        b"{\"id\": \"c-2\", \"published\": \"2025-01-02\", \"text\": \"\x93Ready\x94\"}\n",
    );
    let f = write(&d.join("feed.jsonl"), bytes);
    let at: &'static str = Box::leak(
        format!(
            "invalid UTF-8 at byte 50 of the line (byte {} of the file) (0x93",
            second + 50
        )
        .into_boxed_str(),
    );
    cases.push(
        Case::new(
            "Windows-1252 quotes in a JSONL line",
            f,
            Some(2),
            &[at, "iconv -f WINDOWS-1252"],
        )
        .keeps(&["c-1"]),
    );

    let d = dir("utf16");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in BODY.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let f = text_article(
        &d,
        "wide",
        bytes,
        r#"{"id": "wide", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "UTF-16 text file",
        f,
        None,
        &["UTF-16", "convert it to UTF-8"],
    ));

    let d = dir("cut_utf8");
    let body = "The minister said “ready”".as_bytes();
    let f = text_article(
        &d,
        "cut",
        &body[..body.len() - 1],
        r#"{"id": "cut", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "UTF-8 cut inside a character",
        f,
        None,
        &["ends inside a multi-byte character"],
    ));

    let d = dir("deep_json");
    let f = write(
        &d.join("feed.jsonl"),
        format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    cases.push(Case::new(
        "JSON nested 100,000 deep",
        f,
        Some(1),
        &["malformed JSON", "recursion limit"],
    ));

    // --- files and folders ----------------------------------------------------------------
    let d = dir("empty_jsonl");
    let f = write(&d.join("empty.jsonl"), "");
    cases.push(Case::new(
        "empty .jsonl (0 bytes)",
        f,
        None,
        &["empty file (0 bytes)"],
    ));

    let d = dir("empty_txt");
    let f = text_article(
        &d,
        "empty",
        "",
        r#"{"id": "empty", "published": "2025-01-02"}"#,
    );
    cases.push(Case::new(
        "empty .txt (0 bytes)",
        f,
        None,
        &["empty file (0 bytes)"],
    ));

    let d = dir("empty_html");
    let f = write(&d.join("empty.html"), "");
    cases.push(Case::new(
        "empty .html (0 bytes)",
        f,
        None,
        &["empty file (0 bytes)"],
    ));

    let d = dir("blank_lines_only");
    let f = write(&d.join("blank.jsonl"), "\n  \r\n\n");
    cases.push(Case::new(
        "JSONL of blank lines only",
        f,
        None,
        &["no records", "one JSON object per line"],
    ));

    let d = dir("empty_folder");
    cases.push(Case::new(
        "empty folder given as input",
        d,
        None,
        &["folder holds no articles", ".jsonl"],
    ));

    let d = dir("folder_of_other_files");
    write(&d.join("README.md"), "notes");
    cases.push(Case::new(
        "folder holding no article files",
        d,
        None,
        &["folder holds no articles (1 other files skipped)"],
    ));

    let d = dir("no_meta");
    let f = write(&d.join("lonely.txt"), BODY);
    cases.push(Case::new(
        ".txt without its .meta.json",
        f,
        None,
        &["no metadata", "lonely.meta.json", "\"published\""],
    ));

    let d = dir("bad_meta");
    let f = text_article(&d, "story", BODY, "{\n  \"id\": \"story\",\n  \"published\": \"2025-01-02\"\n  \"title\": \"missing comma\"\n}\n");
    let meta = d.join("story.meta.json");
    cases.push(
        Case::new(
            "malformed .meta.json",
            f,
            Some(4),
            &["malformed metadata JSON at line 4", "expected `,`"],
        )
        .file(meta),
    );

    let d = dir("meta_wrong_type");
    let f = text_article(
        &d,
        "typed",
        BODY,
        r#"{"id": "typed", "published": 20250102}"#,
    );
    let meta = d.join("typed.meta.json");
    cases.push(
        Case::new(
            ".meta.json with a numeric date",
            f,
            None,
            &["field \"published\" must be a string"],
        )
        .file(meta),
    );

    let d = dir("meta_not_object");
    let f = text_article(&d, "arr", BODY, r#"["2025-01-02"]"#);
    let meta = d.join("arr.meta.json");
    cases.push(
        Case::new(
            ".meta.json that is an array",
            f,
            None,
            &["metadata must be a JSON object, found an array"],
        )
        .file(meta),
    );

    let d = dir("meta_is_folder");
    let f = write(&d.join("odd.txt"), BODY);
    std::fs::create_dir(d.join("odd.meta.json")).unwrap();
    let meta = d.join("odd.meta.json");
    cases.push(
        Case::new(
            ".meta.json that is a folder",
            f,
            None,
            &["cannot read file", "is a folder"],
        )
        .file(meta),
    );

    let d = dir("dangling_symlink");
    let link = d.join("gone.txt");
    std::os::unix::fs::symlink(d.join("nowhere.txt"), &link).unwrap();
    cases.push(Case::new(
        "dangling symlink named explicitly",
        link,
        None,
        &[
            "broken symbolic link",
            "nowhere.txt",
            "fix or remove the link",
        ],
    ));

    let d = dir("dangling_symlink_in_folder");
    write(
        &d.join("a.jsonl"),
        format!("{}\n", jsonl_line("fine", "2025-01-02", BODY)),
    );
    let link = d.join("b.jsonl");
    std::os::unix::fs::symlink(d.join("missing.jsonl"), &link).unwrap();
    cases.push(
        Case::new(
            "dangling symlink inside a folder",
            d,
            None,
            &["broken symbolic link", "missing.jsonl"],
        )
        .file(link)
        .keeps(&["fine"]),
    );

    let d = dir("symlink_self_loop");
    let link = d.join("loop.txt");
    std::os::unix::fs::symlink(&link, &link).unwrap();
    cases.push(Case::new(
        "symlink that points at itself",
        link,
        None,
        &["symbolic link loop", "leads back to itself", "remove it"],
    ));

    let d = dir("symlink_folder_loop");
    write(
        &d.join("sub/a.jsonl"),
        format!("{}\n", jsonl_line("inside", "2025-01-02", BODY)),
    );
    let link = d.join("sub/back");
    std::os::unix::fs::symlink(&d, &link).unwrap();
    cases.push(
        Case::new(
            "symlink to an ancestor folder",
            d,
            None,
            &["symbolic link loop", "leads back to its own ancestor"],
        )
        .file(link)
        .keeps(&["inside"]),
    );

    let d = dir("unknown_extension");
    let f = write(&d.join("notes.docx"), BODY);
    cases.push(Case::new(
        "unknown extension named explicitly",
        f,
        None,
        &[
            "unknown file type",
            ".txt (with NAME.meta.json), .jsonl or .html",
        ],
    ));

    let d = dir("fifo");
    let fifo = d.join("pipe.jsonl");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    cases.push(Case::new(
        "named pipe named explicitly",
        fifo,
        None,
        &["not a regular file or folder (a named pipe)"],
    ));

    let d = dir("missing_input");
    let f = d.join("typo.jsonl");
    cases.push(Case::new(
        "input that does not exist",
        f,
        None,
        &["does not exist", "check the path"],
    ));

    let d = dir("duplicate_ids");
    let f = write(
        &d.join("feed.jsonl"),
        format!(
            "{}\n{}\n",
            jsonl_line("same", "2025-01-02", BODY),
            jsonl_line("same", "2025-01-02", "A different text, officials said.")
        ),
    );
    cases.push(
        Case::new(
            "duplicate ids with different text",
            f,
            Some(2),
            &[
                "duplicate id with different text",
                "give each version its own id",
            ],
        )
        .keeps(&["same"])
        .id("same"),
    );

    cases
}

#[test]
fn every_malformed_input_ends_as_a_clear_reject() {
    let root = tempdir();
    let cases = catalogue(root.path());
    assert!(
        cases.len() >= 22,
        "the catalogue has only {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut table = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let out = root.path().join(format!("out-{i}"));
        let r = run(
            &case.inputs,
            &out,
            &case.extra.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let expected_input = case.file.display().to_string();
        let mut problems = Vec::new();
        if r.rejects.len() != 1 {
            problems.push(format!("expected exactly one reject, got {:#?}", r.rejects));
        }
        match r.rejects.iter().find(|x| x.input == expected_input) {
            None => problems.push(format!(
                "no reject names {expected_input}: {:#?}",
                r.rejects
            )),
            Some(rej) => {
                if case.id.is_some() && rej.article_id.as_deref() != case.id {
                    problems.push(format!(
                        "article_id {:?}, expected {:?}",
                        rej.article_id, case.id
                    ));
                }
                if rej.line != case.line {
                    problems.push(format!("line {:?}, expected {:?}", rej.line, case.line));
                }
                for want in &case.reason {
                    if !rej.reason.contains(want) {
                        problems.push(format!("reason {:?} lacks {want:?}", rej.reason));
                    }
                }
                table.push(format!(
                    "{:<55} {}{}  →  {}",
                    case.name,
                    Path::new(&rej.input)
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy(),
                    rej.line.map(|l| format!(":{l}")).unwrap_or_default(),
                    rej.reason
                ));
            }
        }
        let mut ids: Vec<&str> = r.articles.iter().map(|a| a.id.as_str()).collect();
        ids.sort();
        if ids != case.articles {
            problems.push(format!("articles {ids:?}, expected {:?}", case.articles));
        }
        let stderr = String::from_utf8_lossy(&r.output.stderr);
        if stderr.contains("panicked") || stderr.contains("overflow") {
            problems.push(format!("crashed:\n{stderr}"));
        }
        if !stderr.contains(&expected_input) {
            problems.push(format!("no warning names {expected_input}:\n{stderr}"));
        }
        if r.seconds > 20.0 {
            problems.push(format!("took {:.1} s", r.seconds));
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, problems.join("\n  ")));
        }
    }
    eprintln!("catalogue ({} cases):\n{}", cases.len(), table.join("\n"));
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn deep_html_is_refused_quickly_and_shallow_nesting_is_read() {
    let dir = tempdir();
    let head = "<html><head><meta property=\"article:published_time\" content=\"2025-01-02\"></head><body>";
    let deep = write(
        &dir.path().join("in/deep.html"),
        format!(
            "{head}{}<p>{BODY}</p></body></html>",
            "<div>".repeat(100_000)
        ),
    );
    let r = run(&[deep], &dir.path().join("out1"), &[]);
    assert_eq!(r.rejects.len(), 1, "{:?}", r.rejects);
    assert!(
        r.seconds < 10.0,
        "the depth guard should answer at once, took {:.1} s",
        r.seconds
    );
    // Real pages: 400 levels, unclosed <p> and <li>, void elements, scripts holding tags and
    // SVG with self-closing elements are all well within the limit.
    let mut page = String::from(head);
    page.push_str(&"<section>".repeat(400));
    page.push_str("<script>var s = '<div><div><div>';</script><svg><path d=\"M0\"/><path/></svg><img src=x><br>");
    page.push_str(&"<p>Para<li>item<br>".repeat(2_000));
    page.push_str(&format!("<p>{BODY}</p>"));
    page.push_str(&"</section>".repeat(400));
    page.push_str(&"<span>x</span>".repeat(1_000));
    page.push_str("</body></html>");
    let ok = write(&dir.path().join("in/nested.html"), page);
    let r = run(&[ok], &dir.path().join("out2"), &[]);
    assert!(r.rejects.is_empty(), "{:?}", r.rejects);
    assert_eq!(r.articles.len(), 1);
    // A configured limit applies.
    let cfg = write(
        &dir.path().join("depth.toml"),
        "[input]\nmax_html_depth = 100\n",
    );
    let mid = write(
        &dir.path().join("in/mid.html"),
        format!("{head}{}<p>{BODY}</p></body></html>", "<div>".repeat(150)),
    );
    let r = run(
        &[mid],
        &dir.path().join("out3"),
        &["--config", cfg.to_str().unwrap()],
    );
    assert_eq!(r.rejects.len(), 1, "{:?}", r.rejects);
    assert!(
        r.rejects[0].reason.contains("more than 100 elements deep"),
        "{}",
        r.rejects[0].reason
    );
}

#[test]
fn odd_but_valid_inputs_become_articles_not_rejects() {
    let dir = tempdir();
    let d = dir.path().join("in");
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    // UTF-8 byte-order marks, on the text, the sidecar and a JSONL file.
    text_article(
        &d,
        "bom",
        format!("\u{feff}{BODY}"),
        &format!(
            "\u{feff}{}",
            r#"{"id": "bom", "published": "2025-01-02", "title": "BOM"}"#
        ),
    );
    // CRLF line endings in a .txt and its sidecar.
    text_article(
        &d,
        "crlf",
        "“We are ready,” the minister said.\r\n\r\nOfficials said talks would resume.\r\n",
        "{\r\n\"id\": \"crlf\",\r\n\"published\": \"2025-01-03\"\r\n}\r\n",
    );
    // JSONL: BOM, CRLF, blank (and whitespace-only) lines skipped, dates in RFC 3339 and RFC 2822
    // with time zones (the date as written, not converted to UTC), a numeric id, tomorrow's date.
    let lines = [
        jsonl_line("rfc3339-west", "2025-03-03T23:15:00-05:00", BODY),
        String::new(),
        jsonl_line("rfc3339-east", "2025-03-04T01:30:00+09:00", BODY),
        "   \t".to_string(),
        jsonl_line("rfc2822", "Mon, 03 Mar 2025 23:15:00 -0500", BODY),
        jsonl_line("zulu", "2025-03-05T10:00:00.250Z", BODY),
        serde_json::json!({"id": 1234, "published": "2025-03-06", "text": BODY}).to_string(),
        jsonl_line("tomorrow", &tomorrow, BODY),
        String::new(),
    ];
    write(
        &d.join("feed.jsonl"),
        format!("\u{feff}{}\r\n", lines.join("\r\n")),
    );
    // HTML with a BOM and a date with an offset.
    write(
        &d.join("page.html"),
        format!("\u{feff}<html><head><meta property=\"article:published_time\" content=\"2025-07-09T23:30:00+02:00\"><title>P</title></head><body><article><p>{BODY}</p></article></body></html>"),
    );
    let r = run(&[d.clone()], &dir.path().join("out"), &["--strict"]);
    assert!(r.rejects.is_empty(), "{:#?}", r.rejects);
    assert_eq!(
        r.output.status.code(),
        Some(0),
        "no rejects: --strict exits 0"
    );
    let get = |id: &str| {
        r.articles
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("no article {id}: {:?}", r.articles))
            .clone()
    };
    assert_eq!(
        get("bom").chars as usize,
        BODY.chars().count(),
        "the byte-order mark is not part of the text"
    );
    assert_eq!(get("bom").title.as_deref(), Some("BOM"));
    assert_eq!(get("crlf").published, "2025-01-03");
    assert_eq!(get("rfc3339-west").published, "2025-03-03");
    assert_eq!(get("rfc3339-east").published, "2025-03-04");
    assert_eq!(get("rfc2822").published, "2025-03-03");
    assert_eq!(get("zulu").published, "2025-03-05");
    assert_eq!(get("1234").published, "2025-03-06");
    assert_eq!(
        get("tomorrow").published,
        tomorrow,
        "up to 1 day ahead is allowed (time zones)"
    );
    assert_eq!(get("page").published, "2025-07-09");
    // Blank lines are skipped but still counted: line numbers stay those of the file.
    assert_eq!(get("rfc3339-west").line, Some(1));
    assert_eq!(get("rfc3339-east").line, Some(3));
    assert_eq!(get("rfc2822").line, Some(5));
    assert_eq!(get("tomorrow").line, Some(8));
    assert_eq!(
        get("rfc3339-west").chars as usize,
        BODY.chars().count(),
        "no \\r left on a CRLF line's text"
    );
    assert_eq!(r.articles.len(), 9, "{:?}", r.articles);
    // The CRLF text article's quotes are found like those of an LF one.
    let st = read(&dir.path().join("out"), "statements.parquet");
    let ids = strings(&st, "article_id");
    assert!(
        ids.iter().any(|i| i.as_deref() == Some("crlf")),
        "no statement from the CRLF article: {ids:?}"
    );
}

#[test]
fn strict_exits_4_on_any_reject_and_0_otherwise() {
    let dir = tempdir();
    let good = write(
        &dir.path().join("in/good.jsonl"),
        format!("{}\n", jsonl_line("g", "2025-01-02", BODY)),
    );
    let bad = write(
        &dir.path().join("in/bad.jsonl"),
        format!("{}\n{{\"id\": \n", jsonl_line("b", "2025-01-02", BODY)),
    );
    let r = run(&[good.clone()], &dir.path().join("out-good"), &["--strict"]);
    assert_eq!(
        r.output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.output.stderr)
    );
    let r = run(
        &[good.clone(), bad.clone()],
        &dir.path().join("out-bad"),
        &["--strict"],
    );
    assert_eq!(
        r.output.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&r.output.stderr)
    );
    assert_eq!(
        r.articles.len(),
        2,
        "the good records are still processed and published under --strict"
    );
    // Without --strict a reject is not a failure.
    let r = run(&[good, bad], &dir.path().join("out-lenient"), &[]);
    assert_eq!(r.output.status.code(), Some(0));
    // A whole-file reject (an empty folder) counts too.
    let empty = dir.path().join("in/empty");
    std::fs::create_dir_all(&empty).unwrap();
    let r = run(&[empty], &dir.path().join("out-empty"), &["--strict"]);
    assert_eq!(r.output.status.code(), Some(4));
}

#[test]
fn a_fixed_sidecar_clears_its_reject_on_the_next_run() {
    let dir = tempdir();
    let d = dir.path().join("in");
    text_article(&d, "story", BODY, "{\"published\": \"2025-01-02\",,}");
    let out = dir.path().join("out");
    let r = run(&[d.clone()], &out, &[]);
    assert_eq!(r.rejects.len(), 1, "{:?}", r.rejects);
    assert!(r.rejects[0].input.ends_with("story.meta.json"));
    write(
        &d.join("story.meta.json"),
        "{\"published\": \"2025-01-02\"}",
    );
    let r = run(&[d], &out, &[]);
    assert!(
        r.rejects.is_empty(),
        "the sidecar's old reject is stale: {:?}",
        r.rejects
    );
    assert_eq!(r.articles.len(), 1);
}
