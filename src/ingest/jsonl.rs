//! JSON Lines articles: one object a line, field names configurable (`[input.jsonl]`).
//! Every bad line becomes a reject with its line number; the other lines are still read.

use std::path::Path;

use serde_json::Value;

use super::{parse_date, reject, validate};
use crate::config::JsonlFields;
use crate::types::{Article, Origin, Reject};

/// Parses a whole JSON Lines input. `name` is the path (or `-` for stdin).
pub fn parse(name: &Path, bytes: &[u8], fields: &JsonlFields) -> (Vec<Article>, Vec<Reject>) {
    let mut articles = Vec::new();
    let mut rejects = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_line(name, line_no, raw, fields) {
            Ok(a) => articles.push(a),
            Err(r) => rejects.push(r),
        }
    }
    (articles, rejects)
}

fn field_str(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("field {key:?} must be a string, found {}", type_name(other))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_line(name: &Path, line: u64, raw: &[u8], f: &JsonlFields) -> Result<Article, Reject> {
    let text = std::str::from_utf8(raw).map_err(|e| {
        reject(name, Some(line), None, format!("invalid UTF-8 at byte {} of the line: save the file as UTF-8", e.valid_up_to()))
    })?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| reject(name, Some(line), None, format!("malformed JSON at column {}: {e}", e.column())))?;
    let Value::Object(obj) = value else {
        return Err(reject(name, Some(line), None, format!("expected a JSON object, found {}", type_name(&value))));
    };
    let get = |key: &str| field_str(&obj, key).map_err(|e| reject(name, Some(line), None, e));
    let id = get(&f.id)?.ok_or_else(|| reject(name, Some(line), None, format!("no {:?} field: every article needs an id", f.id)))?;
    let with_id = |reason: String| reject(name, Some(line), Some(id.clone()), reason);
    let published = match get(&f.published)? {
        None => return Err(with_id(format!("no {:?} field: every article needs a publication date", f.published))),
        Some(p) => parse_date(&p).map_err(&with_id)?,
    };
    let body = get(&f.text)?.ok_or_else(|| with_id(format!("no {:?} field with the article body", f.text)))?;
    let article = Article {
        id: id.clone(),
        published,
        title: get(&f.title)?,
        source: get(&f.source)?,
        url: get(&f.url)?,
        language: get(&f.language)?,
        text: body,
        origin: Origin { input: name.display().to_string(), line: Some(line) },
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
        let (ok, bad) = parse(Path::new("f.jsonl"), input.as_bytes(), &JsonlFields::default());
        assert_eq!(ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a", "e"]);
        let lines: Vec<u64> = bad.iter().map(|r| r.line.unwrap()).collect();
        assert_eq!(lines, [2, 3, 5, 6]);
        assert!(bad[0].reason.starts_with("malformed JSON"));
        assert!(bad[1].reason.contains("unparseable date"));
        assert!(bad[2].reason.contains("empty article body"));
        assert!(bad[3].reason.contains("expected a JSON object"));
    }

    #[test]
    fn field_names_are_configurable() {
        let f = JsonlFields { id: "uid".into(), text: "body".into(), published: "date".into(), ..JsonlFields::default() };
        let (ok, bad) = parse(Path::new("f"), br#"{"uid": 7, "date": "2025-02-03", "body": "Hi."}"#, &f);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(ok[0].id, "7");
    }
}
