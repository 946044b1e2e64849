//! Plain-text articles: the body is the file, the metadata comes from `NAME.meta.json` beside it
//! (`id`, `published`, `title`, `source`, `url`, `language`).

use std::path::Path;

use serde_json::Value;

use super::{check, decode, field_str, parse_date, reject, Field};
use crate::types::{Article, Origin, Reject};

/// The sidecar path of a text article: `dir/NAME.meta.json` for `dir/NAME.txt`.
pub fn meta_path(path: &Path) -> std::path::PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.meta.json"))
}

/// Builds an article from the bytes of the text and of its sidecar (None when absent).
/// Problems of the body are rejects of the `.txt`; problems of the metadata are rejects of the
/// `.meta.json` (with the line, for malformed JSON), since that is the file to fix.
pub fn parse(path: &Path, body: Vec<u8>, meta: Option<Vec<u8>>) -> Result<Article, Reject> {
    let meta_file = meta_path(path);
    let text = decode(body).map_err(|e| reject(path, None, None, e))?;
    let Some(meta) = meta else {
        return Err(reject(
            path,
            None,
            None,
            format!(
                "no metadata: write {} with at least \"published\": \"YYYY-MM-DD\"",
                meta_file.display()
            ),
        ));
    };
    let bad_meta =
        |line: Option<u64>, id: Option<String>, why: String| reject(&meta_file, line, id, why);
    let meta = meta.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&meta);
    let value: Value = serde_json::from_slice(meta).map_err(|e| {
        bad_meta(
            Some(e.line() as u64),
            None,
            format!(
                "malformed metadata JSON at line {} column {}: {e}; write one JSON object, e.g. {{\"published\": \"2025-01-31\", \"title\": \"…\"}}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Value::Object(obj) = value else {
        return Err(bad_meta(
            None,
            None,
            format!(
                "metadata must be a JSON object, found {}; write e.g. {{\"published\": \"2025-01-31\", \"title\": \"…\"}}",
                super::type_name(&value)
            ),
        ));
    };
    let stem = || {
        path.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    let id = field_str(&obj, "id", true)
        .map_err(|e| bad_meta(None, None, e))?
        .unwrap_or_else(stem);
    let get =
        |key: &str| field_str(&obj, key, false).map_err(|e| bad_meta(None, Some(id.clone()), e));
    let published = match get("published")? {
        None => {
            return Err(bad_meta(
                None,
                Some(id),
                format!(
                    "no publication date: add \"published\": \"YYYY-MM-DD\" to {}",
                    meta_file.display()
                ),
            ))
        }
        Some(p) => parse_date(&p).map_err(|e| bad_meta(None, Some(id.clone()), e))?,
    };
    let format = match get("format")? {
        None => None,
        Some(v) => Some(
            v.parse::<crate::types::DocFormat>()
                .map_err(|e| bad_meta(None, Some(id.clone()), format!("field \"format\": {e}")))?,
        ),
    };
    let article = Article {
        format,
        id: id.clone(),
        published,
        title: get("title")?,
        source: get("source")?,
        url: get("url")?,
        language: get("language")?,
        text,
        origin: Origin {
            input: path.display().to_string(),
            line: None,
        },
    };
    check(article).map_err(|(field, e)| {
        // The id and the date are fixed in the sidecar, the body in the text.
        let at = if field == Field::Text {
            path
        } else {
            &meta_file
        };
        reject(at, None, Some(id), e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_sidecar_is_a_reject_naming_the_sidecar() {
        let r = parse(Path::new("a/story.txt"), b"Body".to_vec(), None).unwrap_err();
        assert!(r.reason.contains("a/story.meta.json"), "{}", r.reason);
    }

    #[test]
    fn metadata_fills_the_article() {
        let meta =
            br#"{"id": "x1", "published": "2025-01-02", "title": "T", "language": "en"}"#.to_vec();
        let a = parse(
            Path::new("story.txt"),
            "Body “quoted”".as_bytes().to_vec(),
            Some(meta),
        )
        .unwrap();
        assert_eq!(
            (
                a.id.as_str(),
                a.published.to_string().as_str(),
                a.title.as_deref()
            ),
            ("x1", "2025-01-02", Some("T"))
        );
        assert_eq!(a.text, "Body “quoted”");
    }
}
