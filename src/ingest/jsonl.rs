//! JSON Lines articles: one object a line, field names configurable (`[input.jsonl]`).
//! Every bad line becomes a reject with its line number; the other lines are still read.

use std::path::Path;

use serde_json::Value;

use super::{field_str, find_nul, invalid_utf8, parse_date, reject, too_big, type_name, validate};
use crate::config::{JsonlFields, DEFAULT_MAX_ARTICLE_BYTES};
use crate::types::{Article, DocFormat, Origin, Reject};

/// Parses a whole JSON Lines input. `name` is the path (or `-` for stdin).
pub fn parse(name: &Path, bytes: &[u8], fields: &JsonlFields) -> (Vec<Article>, Vec<Reject>) {
    parse_limited(name, bytes, fields, DEFAULT_MAX_ARTICLE_BYTES.get())
}

/// [`parse`] with a limit on the bytes of one line (`[input] max_article_bytes`); longer lines
/// are rejected without being parsed. Blank lines are skipped; a file without any record is
/// one reject.
pub fn parse_limited(
    name: &Path,
    bytes: &[u8],
    fields: &JsonlFields,
    max_line_bytes: u64,
) -> (Vec<Article>, Vec<Reject>) {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let (articles, mut rejects, records) =
        parse_lines(name, &bytes[bom..], 1, bom, fields, max_line_bytes);
    if records == 0 {
        rejects.push(no_records(name, bytes.is_empty()));
    }
    (articles, rejects)
}

/// The reject of an input without a single record.
pub fn no_records(name: &Path, empty: bool) -> Reject {
    let what = match (empty, name.as_os_str() == "-") {
        (true, true) => {
            "empty input: nothing came on stdin; pipe JSON Lines into `tonetrack run -`".into()
        }
        (true, false) => super::empty_file(),
        (false, _) => {
            "no records: the input holds only blank lines; write one JSON object per line".into()
        }
    };
    reject(name, None, None, what)
}

/// Parses whole lines `bytes` of a JSON Lines input whose first line is number `first_line`
/// and starts at byte `first_offset` of the input (a big file is parsed block by block).
/// Returns the articles, the rejects and how many non-blank records there were.
pub fn parse_lines(
    name: &Path,
    bytes: &[u8],
    first_line: u64,
    first_offset: usize,
    fields: &JsonlFields,
    max_line_bytes: u64,
) -> (Vec<Article>, Vec<Reject>, usize) {
    let mut articles = Vec::new();
    let mut rejects = Vec::new();
    let mut offset = first_offset;
    let mut records = 0usize;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = first_line + i as u64;
        let line_start = offset;
        offset += raw.len() + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        records += 1;
        match parse_line(name, line_no, line_start, raw, fields, max_line_bytes) {
            Ok(a) => articles.push(a),
            Err(r) => rejects.push(r),
        }
    }
    (articles, rejects, records)
}

fn parse_line(
    name: &Path,
    line: u64,
    line_start: usize,
    raw: &[u8],
    f: &JsonlFields,
    max_bytes: u64,
) -> Result<Article, Reject> {
    let fail = |reason: String| reject(name, Some(line), None, reason);
    if raw.len() as u64 > max_bytes {
        return Err(fail(too_big("the record", raw.len() as u64, max_bytes)));
    }
    if let Some(at) = find_nul(raw) {
        return Err(fail(super::binary_data(
            at,
            &format!("line (byte {} of the file)", line_start + at),
        )));
    }
    let text = std::str::from_utf8(raw).map_err(|e| {
        let at = e.valid_up_to();
        let byte = e.error_len().and_then(|_| raw.get(at).copied());
        fail(invalid_utf8(
            at,
            byte,
            &format!(" of the line (byte {} of the file)", line_start + at),
        ))
    })?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let fix = if e.is_eof() {
            "the line ends before the JSON does (cut off?); write each article as one complete JSON object on one line"
        } else {
            "write each article as one JSON object on one line"
        };
        fail(format!("malformed JSON at column {}: {e}; {fix}", e.column()))
    })?;
    let Value::Object(obj) = value else {
        return Err(fail(format!(
            "expected a JSON object, found {}: write each article as one object, e.g. {{\"{}\": \"…\", \"{}\": \"2025-01-31\", \"{}\": \"…\"}}",
            type_name(&value),
            f.id,
            f.published,
            f.text
        )));
    };
    let id = field_str(&obj, &f.id, true)
        .map_err(&fail)?
        .ok_or_else(|| {
            fail(format!(
                "no {:?} field: every article needs an id; add one",
                f.id
            ))
        })?;
    let with_id = |reason: String| reject(name, Some(line), Some(id.clone()), reason);
    let get = |key: &str| field_str(&obj, key, false).map_err(&with_id);
    let published = match get(&f.published)? {
        None => {
            return Err(with_id(format!(
                "no {:?} field: every article needs a publication date; add \"{}\": \"YYYY-MM-DD\"",
                f.published, f.published
            )))
        }
        Some(p) => parse_date(&p).map_err(&with_id)?,
    };
    let body = get(&f.text)?.ok_or_else(|| {
        with_id(format!(
            "no {:?} field with the article body; add it",
            f.text
        ))
    })?;
    let format = match get(&f.format)? {
        None => None,
        Some(v) => Some(
            v.parse::<DocFormat>()
                .map_err(|e| with_id(format!("field {:?}: {e}", f.format)))?,
        ),
    };
    let article = Article {
        format,
        id: id.clone(),
        published,
        title: get(&f.title)?,
        source: get(&f.source)?,
        url: get(&f.url)?,
        language: get(&f.language)?,
        text: body,
        origin: Origin {
            input: name.display().to_string(),
            line: Some(line),
        },
    };
    validate(article).map_err(with_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_rejected_with_line_numbers_and_good_ones_kept() {
        let input = concat!(
            "{\"id\":\"a\",\"published\":\"2025-01-01\",\"text\":\"One.\"}\n",
            "{\"id\":\"b\",\"published\":\n",
            "{\"id\":\"c\",\"published\":\"soon\",\"text\":\"x\"}\n",
            "\n",
            "{\"id\":\"d\",\"published\":\"2025-01-01\",\"text\":\"  \"}\r\n",
            "[1,2]\n",
            "{\"id\":\"e\",\"published\":\"2025-01-02\",\"text\":\"Two.\"}\n",
        );
        let (ok, bad) = parse(
            Path::new("f.jsonl"),
            input.as_bytes(),
            &JsonlFields::default(),
        );
        assert_eq!(
            ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["a", "e"]
        );
        let lines: Vec<u64> = bad.iter().map(|r| r.line.unwrap()).collect();
        assert_eq!(lines, [2, 3, 5, 6]);
        assert!(bad[0].reason.starts_with("malformed JSON"));
        assert!(bad[1].reason.contains("unparseable date"));
        assert!(bad[2].reason.contains("empty article body"));
        assert!(bad[3].reason.contains("expected a JSON object"));
    }

    #[test]
    fn wrong_types_long_lines_and_empty_inputs_are_rejected() {
        let input = concat!(
            "{\"id\":\"a\",\"published\":\"2025-01-01\",\"title\":42,\"text\":\"One.\"}\n",
            "{\"id\":\"b\",\"published\":20250101,\"text\":\"Two.\"}\n",
            "{\"id\":\"c\",\"published\":\"2025-01-01\",\"text\":\"Three, a longer text than the limit allows.\"}\n",
        );
        let (ok, bad) = parse_limited(
            Path::new("f.jsonl"),
            input.as_bytes(),
            &JsonlFields::default(),
            70,
        );
        assert!(ok.is_empty(), "{ok:?}");
        assert!(
            bad[0]
                .reason
                .starts_with("field \"title\" must be a string, found a number"),
            "{}",
            bad[0].reason
        );
        assert_eq!(bad[0].article_id.as_deref(), Some("a"));
        assert!(
            bad[1]
                .reason
                .starts_with("field \"published\" must be a string"),
            "{}",
            bad[1].reason
        );
        assert!(
            bad[2].reason.contains("above the limit of 70 bytes"),
            "{}",
            bad[2].reason
        );
        let (ok, bad) = parse(Path::new("e.jsonl"), b"", &JsonlFields::default());
        assert!(ok.is_empty() && bad[0].reason.starts_with("empty file") && bad[0].line.is_none());
        let (_, bad) = parse(Path::new("-"), b"\n\n", &JsonlFields::default());
        assert!(bad[0].reason.starts_with("no records"), "{}", bad[0].reason);
    }

    #[test]
    fn field_names_are_configurable() {
        let f = JsonlFields {
            id: "uid".into(),
            text: "body".into(),
            published: "date".into(),
            ..JsonlFields::default()
        };
        let (ok, bad) = parse(
            Path::new("f"),
            br#"{"uid": 7, "date": "2025-02-03", "body": "Hi."}"#,
            &f,
        );
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(ok[0].id, "7");
    }
}
