//! Plain-text articles: the body is the file, the metadata comes from `NAME.meta.json` beside it
//! (`id`, `published`, `title`, `source`, `url`, `language`).

use std::path::Path;

use serde::Deserialize;

use super::{decode, parse_date, reject, validate};
use crate::types::{Article, Origin, Reject};

#[derive(Deserialize, Default)]
struct Meta {
    id: Option<String>,
    published: Option<String>,
    title: Option<String>,
    source: Option<String>,
    url: Option<String>,
    language: Option<String>,
}

/// The sidecar path of a text article: `dir/NAME.meta.json` for `dir/NAME.txt`.
pub fn meta_path(path: &Path) -> std::path::PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!("{stem}.meta.json"))
}

/// Builds an article from the bytes of the text and of its sidecar (None when absent).
pub fn parse(path: &Path, body: Vec<u8>, meta: Option<Vec<u8>>) -> Result<Article, Reject> {
    let meta_file = meta_path(path);
    let text = decode(body).map_err(|e| reject(path, None, None, e))?;
    let meta: Meta = match meta {
        None => {
            return Err(reject(
                path,
                None,
                None,
                format!("no metadata: write {} with at least \"published\": \"YYYY-MM-DD\"", meta_file.display()),
            ))
        }
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            reject(&meta_file, Some(e.line() as u64), None, format!("malformed metadata JSON: {e}"))
        })?,
    };
    let id = meta
        .id
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default());
    let published = match meta.published {
        None => {
            return Err(reject(path, None, Some(id), format!("no publication date: add \"published\" to {}", meta_file.display())))
        }
        Some(p) => parse_date(&p).map_err(|e| reject(&meta_file, None, Some(id.clone()), e))?,
    };
    let article = Article {
        id: id.clone(),
        published,
        title: meta.title,
        source: meta.source,
        url: meta.url,
        language: meta.language,
        text,
        origin: Origin { input: path.display().to_string(), line: None },
    };
    validate(article).map_err(|e| reject(path, None, Some(id), e))
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
        let meta = br#"{"id": "x1", "published": "2025-01-02", "title": "T", "language": "en"}"#.to_vec();
        let a = parse(Path::new("story.txt"), "Body “quoted”".as_bytes().to_vec(), Some(meta)).unwrap();
        assert_eq!((a.id.as_str(), a.published.to_string().as_str(), a.title.as_deref()), ("x1", "2025-01-02", Some("T")));
        assert_eq!(a.text, "Body “quoted”");
    }
}
