//! Ingestion: files and folders (recursive), by extension — `.txt` with a `NAME.meta.json`
//! sidecar, `.jsonl` (one article a line), `.html`/`.htm` — and `-` for JSON Lines on stdin.
//! A record that cannot become an article is a [`Reject`] with the input, the line and a reason
//! that says what to fix; it never stops the run.

pub mod html;
pub mod jsonl;
pub mod text;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};

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

/// Expands the inputs: folders recursively (sorted, so runs are reproducible), files by
/// extension. A file named explicitly with an unknown extension is rejected, not skipped.
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
                d.rejects.push(reject(input, None, None, format!("cannot read input: {e}")));
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
                    "unknown file type: name articles .txt (with NAME.meta.json), .jsonl or .html".into(),
                )),
            }
            continue;
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() => match Format::of(e.path()) {
                    Some(f) => found.push(Source::File(e.path().to_path_buf(), f)),
                    None => d.skipped_other_files += 1,
                },
                Ok(_) => {}
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| input.clone());
                    let why = if e.loop_ancestor().is_some() { "symbolic link loop".to_string() } else { e.to_string() };
                    d.rejects.push(reject(&path, None, None, format!("cannot read folder entry: {why}")));
                }
            }
        }
        d.sources.extend(found);
    }
    d
}

pub fn reject(input: &Path, line: Option<u64>, article_id: Option<String>, reason: String) -> Reject {
    Reject { input: input.display().to_string(), line, article_id, reason }
}

/// Parses a publication date: `YYYY-MM-DD`, RFC 3339 (the date as written, in its own offset)
/// or RFC 2822.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
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
    Err(format!("unparseable date {s:?}: use YYYY-MM-DD, RFC 3339 or RFC 2822"))
}

/// Decodes bytes as UTF-8 (dropping a byte-order mark), or says where the first bad byte is.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("invalid UTF-8 at byte {at}: save the file as UTF-8")
    })
}

/// Checks the fields every article needs.
pub fn validate(article: Article) -> Result<Article, String> {
    if article.id.trim().is_empty() {
        return Err("empty article id".into());
    }
    if article.text.trim().is_empty() {
        return Err("empty article body".into());
    }
    Ok(article)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_three_formats_parse_to_the_written_day() {
        assert_eq!(parse_date("2023-06-19").unwrap().to_string(), "2023-06-19");
        assert_eq!(parse_date("2025-03-03T23:15:00-05:00").unwrap().to_string(), "2025-03-03");
        assert_eq!(parse_date("Mon, 19 Jun 2023 10:00:00 +0000").unwrap().to_string(), "2023-06-19");
        assert!(parse_date("next Tuesday").unwrap_err().contains("next Tuesday"));
    }

    #[test]
    fn invalid_utf8_names_the_byte() {
        let err = decode(b"ok \xff".to_vec()).unwrap_err();
        assert!(err.contains("byte 3"), "{err}");
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec()).unwrap(), "hi");
    }
}
