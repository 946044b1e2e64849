//! Ingestion: files and folders (recursive), by extension — `.txt` with a `NAME.meta.json`
//! sidecar, `.jsonl` (one article a line), `.html`/`.htm` — and `-` for JSON Lines on stdin.
//! A record that cannot become an article is a [`Reject`] with the input, the line and a reason
//! that says what to fix; it never stops the run.

pub mod html;
pub mod jsonl;
pub mod text;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

use crate::types::{Article, Reject};

/// One input to read, after folders were expanded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Stdin,
    File(PathBuf, Format),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Text,
    Jsonl,
    Html,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".meta.json") {
            return None;
        }
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "txt" => Some(Format::Text),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

/// What discovery found: sources to read, inputs rejected outright, and how many files in the
/// named folders were not articles (README files, configs), which are skipped and counted.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub rejects: Vec<Reject>,
    pub skipped_other_files: usize,
}

const ARTICLE_KINDS: &str = ".txt (with NAME.meta.json), .jsonl or .html";

/// Expands the inputs: folders recursively (sorted, so runs are reproducible), files by
/// extension. A file named explicitly with an unknown extension is rejected, not skipped; so
/// are inputs that cannot be read (missing, broken or looping symbolic links) and folders
/// without a single article file.
pub fn discover(inputs: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    for input in inputs {
        if input.as_os_str() == "-" {
            d.sources.push(Source::Stdin);
            continue;
        }
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                d.rejects.push(reject(
                    input,
                    None,
                    None,
                    format!("cannot read input: {}", io_reason(input, &e)),
                ));
                continue;
            }
        };
        if meta.is_file() {
            match Format::of(input) {
                Some(f) => d.sources.push(Source::File(input.clone(), f)),
                None => d.rejects.push(reject(
                    input,
                    None,
                    None,
                    format!("unknown file type: name articles {ARTICLE_KINDS}"),
                )),
            }
            continue;
        }
        if !meta.is_dir() {
            d.rejects.push(reject(
                input,
                None,
                None,
                format!("not a regular file or folder ({}): name article files {ARTICLE_KINDS}, a folder of them, or - for stdin", kind_of(&meta)),
            ));
            continue;
        }
        let mut found = Vec::new();
        let (mut other, mut errors) = (0, 0);
        for entry in walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(e) if e.file_type().is_file() => match Format::of(e.path()) {
                    Some(f) => found.push(Source::File(e.path().to_path_buf(), f)),
                    None => other += 1,
                },
                Ok(e) if e.file_type().is_dir() => {}
                // FIFOs, sockets, devices: not articles, skipped like other files.
                Ok(_) => other += 1,
                Err(e) => {
                    errors += 1;
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone());
                    let why = match (e.loop_ancestor(), e.io_error()) {
                        (Some(ancestor), _) => format!(
                            "symbolic link loop: {} leads back to its own ancestor {}; remove the link",
                            path.display(),
                            ancestor.display()
                        ),
                        (None, Some(io)) => io_reason(&path, io),
                        (None, None) => e.to_string(),
                    };
                    d.rejects.push(reject(
                        &path,
                        None,
                        None,
                        format!("cannot read folder entry: {why}"),
                    ));
                }
            }
        }
        if found.is_empty() && errors == 0 {
            let skipped = if other > 0 {
                format!(" ({other} other files skipped)")
            } else {
                String::new()
            };
            d.rejects.push(reject(
                input,
                None,
                None,
                format!("folder holds no articles{skipped}: put {ARTICLE_KINDS} files in it, or name the right folder"),
            ));
        }
        d.skipped_other_files += other;
        d.sources.extend(found);
    }
    d
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

/// Why a path could not be read, in words that say what to fix: broken and looping symbolic
/// links are named as such (the OS error alone says "No such file or directory" for a link
/// that is right there).
pub fn io_reason(path: &Path, e: &std::io::Error) -> String {
    let link = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_symlink())
        .and_then(|_| std::fs::read_link(path).ok());
    if is_loop(e) {
        return format!(
            "symbolic link loop: {} leads back to itself through symbolic links ({e}); point the link at a real file or remove it",
            path.display()
        );
    }
    match (e.kind(), link) {
        (std::io::ErrorKind::NotFound, Some(target)) => {
            format!(
                "broken symbolic link: its target {} does not exist; fix or remove the link",
                target.display()
            )
        }
        (std::io::ErrorKind::NotFound, None) => {
            format!("{} does not exist ({e}); check the path", path.display())
        }
        (std::io::ErrorKind::PermissionDenied, _) => {
            format!(
                "permission denied ({e}): make {} readable for the user running tonetrack",
                path.display()
            )
        }
        (std::io::ErrorKind::IsADirectory, _) => {
            format!("{} is a folder, not a file ({e})", path.display())
        }
        _ => format!("{e}"),
    }
}

fn is_loop(e: &std::io::Error) -> bool {
    // ELOOP: 40 on Linux, 62 on macOS and the BSDs (ErrorKind::FilesystemLoop is not stable).
    let eloop = if cfg!(target_os = "linux") { 40 } else { 62 };
    cfg!(unix) && e.raw_os_error() == Some(eloop)
}

pub fn reject(
    input: &Path,
    line: Option<u64>,
    article_id: Option<String>,
    reason: String,
) -> Reject {
    Reject {
        input: input.display().to_string(),
        line,
        article_id,
        reason,
    }
}

/// The reason for an article over `[input] max_article_bytes`.
pub fn too_big(what: &str, size: u64, limit: u64) -> String {
    format!(
        "{what} is {size} bytes{}, above the limit of {limit} bytes{}: split it into smaller articles, \
         or raise [input] max_article_bytes in the config",
        human_bytes(size),
        human_bytes(limit)
    )
}

/// " (50.0 MiB)" for sizes where the byte count alone is hard to read.
fn human_bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    match n {
        n if n >= KIB * KIB => format!(" ({:.1} MiB)", n as f64 / (KIB * KIB) as f64),
        n if n >= 10 * KIB => format!(" ({:.1} KiB)", n as f64 / KIB as f64),
        _ => String::new(),
    }
}

/// The reason for an empty input file.
pub fn empty_file() -> String {
    "empty file (0 bytes): nothing to read; write the article into it or remove it".into()
}

/// Parses a publication date: `YYYY-MM-DD`, RFC 3339 (the date as written, in its own offset)
/// or RFC 2822.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("empty publication date: write it as YYYY-MM-DD, RFC 3339 or RFC 2822".into());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.date_naive());
    }
    if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Ok(dt.date());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Ok(dt.date_naive());
    }
    if let Some(why) = impossible_day(s) {
        return Err(format!(
            "impossible date {s:?}: {why}; fix the day or the month"
        ));
    }
    Err(format!(
        "unparseable date {s:?}: use YYYY-MM-DD, RFC 3339 or RFC 2822"
    ))
}

/// For a string that starts like `YYYY-MM-DD` but names no calendar day (2025-02-30,
/// 2025-13-01), what is wrong with it.
fn impossible_day(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|_| &s[r])
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if NaiveDate::from_ymd_opt(y, m, d).is_some() {
        return None; // a real day in an unsupported layout
    }
    if !(1..=12).contains(&m) {
        return Some(format!("there is no month {m}"));
    }
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    let days = (next - first).num_days();
    Some(format!(
        "{} {y} has {days} days, not {d}",
        first.format("%B")
    ))
}

/// The day the run treats as today (UTC), fixed at the first call so that one run uses one date.
pub fn run_date() -> NaiveDate {
    static TODAY: std::sync::OnceLock<NaiveDate> = std::sync::OnceLock::new();
    *TODAY.get_or_init(|| chrono::Utc::now().date_naive())
}

/// Decodes bytes as UTF-8 (dropping a byte-order mark), or says where the first bad byte is and
/// what the file probably is instead (Windows-1252, UTF-16, binary data).
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err("invalid UTF-8 at byte 0: the file is UTF-16 (it starts with a UTF-16 byte-order mark); convert it to UTF-8, \
                    e.g. iconv -f UTF-16 -t UTF-8"
            .into());
    }
    if let Some(at) = find_nul(&bytes) {
        return Err(binary_data(at, "file"));
    }
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest.to_vec(), 3),
        None => (bytes, 0),
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        // The offset counts from the start of the file, byte-order mark included.
        let byte = e
            .utf8_error()
            .error_len()
            .and_then(|_| e.as_bytes().get(at).copied());
        invalid_utf8(at + bom, byte, "")
    })
}

/// Where the first NUL byte is (`contains` is the fast word-at-a-time scan; most inputs have none).
pub fn find_nul(bytes: &[u8]) -> Option<usize> {
    if bytes.contains(&0) {
        bytes.iter().position(|&b| b == 0)
    } else {
        None
    }
}

/// The reason for a NUL byte at `at`.
pub fn binary_data(at: usize, of: &str) -> String {
    format!("binary data: NUL byte at byte {at} of the {of}; articles must be plain UTF-8 text")
}

/// The reason for invalid UTF-8 at byte `at` (`where_` says of what, e.g. " of line 3");
/// `byte` is the offending byte, None when the text ends inside a multi-byte character.
pub fn invalid_utf8(at: usize, byte: Option<u8>, where_: &str) -> String {
    let hint = match byte {
        // 0x80–0x9F are C1 controls in Latin-1 but curly quotes, dashes, € … in Windows-1252,
        // the usual source of such bytes in news text.
        Some(b @ 0x80..=0x9F) => format!(
            " (0x{b:02X}, {} in Windows-1252): the file looks like Windows-1252; convert it to UTF-8, \
             e.g. iconv -f WINDOWS-1252 -t UTF-8",
            cp1252_name(b)
        ),
        Some(b) => format!(
            " (0x{b:02X}): the file is not UTF-8, perhaps Windows-1252 or Latin-1; convert it to UTF-8, \
             e.g. iconv -f WINDOWS-1252 -t UTF-8"
        ),
        None => ": the text ends inside a multi-byte character: cut off, or not UTF-8 (Windows-1252?); save the file as UTF-8".into(),
    };
    format!("invalid UTF-8 at byte {at}{where_}{hint}")
}

fn cp1252_name(b: u8) -> &'static str {
    match b {
        0x91 | 0x92 => "a curly single quote",
        0x93 | 0x94 => "a curly double quote",
        0x96 => "an en dash",
        0x97 => "an em dash",
        0x85 => "an ellipsis",
        0x80 => "the euro sign",
        _ => "a punctuation mark",
    }
}

/// Which part of an article a [`check`] failure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Published,
    Text,
}

/// Checks the fields every article needs.
pub fn validate(article: Article) -> Result<Article, String> {
    check(article).map_err(|(_, why)| why)
}

/// [`validate`], also saying which field failed (a `.txt` article's id and date live in its sidecar).
pub fn check(article: Article) -> Result<Article, (Field, String)> {
    if article.id.trim().is_empty() {
        return Err((
            Field::Id,
            "empty article id: give the article a non-blank id".into(),
        ));
    }
    if article.id.contains('\0') {
        return Err((
            Field::Id,
            "article id contains a NUL character: use printable text for ids".into(),
        ));
    }
    if article.text.trim().is_empty() {
        return Err((
            Field::Text,
            "empty article body: the text is empty or only whitespace; give the article its text"
                .into(),
        ));
    }
    if let Some(at) = article.text.find('\0') {
        return Err((Field::Text, binary_data(at, "article text")));
    }
    let today = run_date();
    if article.published > today + chrono::Days::new(1) {
        return Err((
            Field::Published,
            format!(
                "publication date {} is in the future: more than 1 day after the run's date ({today}); fix the date",
                article.published
            ),
        ));
    }
    Ok(article)
}

/// A string field of a JSON object: absent and null are None; a number is accepted where
/// `number_ok` (ids are often numeric); anything else is an error naming the field and type.
pub fn field_str(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    number_ok: bool,
) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if number_ok => Ok(Some(n.to_string())),
        Some(other) => {
            let want = if number_ok {
                "a string or a number"
            } else {
                "a string"
            };
            let hint = if key_is_date(key) {
                " such as \"2025-01-31\""
            } else {
                ""
            };
            Err(format!(
                "field {key:?} must be {want}{hint}, found {}: write it as a JSON string",
                type_name(other)
            ))
        }
    }
}

fn key_is_date(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("date") || k.contains("published")
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_three_formats_parse_to_the_written_day() {
        assert_eq!(parse_date("2023-06-19").unwrap().to_string(), "2023-06-19");
        assert_eq!(
            parse_date("2025-03-03T23:15:00-05:00").unwrap().to_string(),
            "2025-03-03"
        );
        assert_eq!(
            parse_date("Mon, 19 Jun 2023 10:00:00 +0000")
                .unwrap()
                .to_string(),
            "2023-06-19"
        );
        assert!(parse_date("next Tuesday")
            .unwrap_err()
            .contains("next Tuesday"));
    }

    #[test]
    fn impossible_days_say_what_is_wrong() {
        assert!(parse_date("2025-02-30")
            .unwrap_err()
            .contains("February 2025 has 28 days, not 30"));
        assert!(parse_date("2024-02-30")
            .unwrap_err()
            .contains("February 2024 has 29 days"));
        assert!(parse_date("2025-00-10").unwrap_err().contains("no month 0"));
        assert!(parse_date("2025-04-31T10:00:00Z")
            .unwrap_err()
            .contains("April 2025 has 30 days"));
        assert!(parse_date("")
            .unwrap_err()
            .starts_with("empty publication date"));
        assert!(parse_date("20250230")
            .unwrap_err()
            .starts_with("unparseable date"));
    }

    #[test]
    fn windows_1252_utf16_and_binary_are_named() {
        let e = decode(b"He said \x93yes\x94".to_vec()).unwrap_err();
        assert!(
            e.starts_with("invalid UTF-8 at byte 8 (0x93, a curly double quote in Windows-1252)"),
            "{e}"
        );
        assert!(e.contains("iconv -f WINDOWS-1252 -t UTF-8"), "{e}");
        // With a byte-order mark the offset still counts from the start of the file.
        assert!(decode(b"\xEF\xBB\xBFcaf\xe9 ok".to_vec())
            .unwrap_err()
            .starts_with("invalid UTF-8 at byte 6 (0xE9)"));
        assert!(decode(b"\xFF\xFEa\0".to_vec())
            .unwrap_err()
            .contains("UTF-16"));
        assert!(decode(b"ab\0c".to_vec())
            .unwrap_err()
            .starts_with("binary data: NUL byte at byte 2"));
        assert!(decode("a “b”".as_bytes()[..7].to_vec())
            .unwrap_err()
            .contains("ends inside a multi-byte character"));
    }

    #[test]
    fn future_dates_are_refused_beyond_one_day() {
        let article = |published: NaiveDate| Article {
            format: None,
            id: "a".into(),
            published,
            title: None,
            source: None,
            url: None,
            language: None,
            text: "Text.".into(),
            origin: crate::types::Origin {
                input: "x".into(),
                line: None,
            },
        };
        let today = run_date();
        assert!(validate(article(today + chrono::Days::new(1))).is_ok());
        let (field, why) = check(article(today + chrono::Days::new(2))).unwrap_err();
        assert_eq!(field, Field::Published);
        assert!(
            why.contains("is in the future") && why.contains(&today.to_string()),
            "{why}"
        );
    }

    #[test]
    fn sizes_are_readable() {
        assert_eq!(
            too_big("the article", 52_428_800, 10_485_760),
            "the article is 52428800 bytes (50.0 MiB), above the limit of 10485760 bytes (10.0 MiB): split it into smaller \
             articles, or raise [input] max_article_bytes in the config"
        );
        assert!(too_big("the record", 300, 200)
            .starts_with("the record is 300 bytes, above the limit of 200 bytes:"));
    }

    #[test]
    fn invalid_utf8_names_the_byte() {
        let err = decode(b"ok \xff".to_vec()).unwrap_err();
        assert!(err.contains("byte 3"), "{err}");
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec()).unwrap(), "hi");
    }
}
