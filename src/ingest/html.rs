//! HTML articles: the paragraphs of the article body (`<article>`, else `<main>`, else the
//! whole page), never navigation, headers, footers, captions, scripts or styles. The title
//! comes from `og:title` or `<title>`; the date from `article:published_time`, other common
//! date metas, `<time datetime>` or JSON-LD `datePublished`. The article text is the body
//! paragraphs joined by blank lines: that joined text is what offsets point into.

use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::{decode, parse_date, reject, validate};
use crate::types::{Article, Origin, Reject};

const SKIPPED_ANCESTORS: &[&str] = &["nav", "header", "footer", "aside", "script", "style", "noscript", "figure", "figcaption", "form", "template"];

fn selector(s: &str) -> Selector {
    // The selectors are literals of this module; a failure is a programming error caught by tests.
    Selector::parse(s).unwrap_or_else(|e| panic!("bad built-in selector {s:?}: {e:?}"))
}

fn meta_content(doc: &Html, css: &str) -> Option<String> {
    doc.select(&selector(css)).find_map(|e| e.value().attr("content").map(str::to_string)).filter(|s| !s.trim().is_empty())
}

fn find_date_published(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => map
            .get("datePublished")
            .and_then(|d| d.as_str().map(str::to_string))
            .or_else(|| map.values().find_map(find_date_published)),
        Value::Array(items) => items.iter().find_map(find_date_published),
        _ => None,
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_skipped(el: &ElementRef) -> bool {
    el.ancestors().filter_map(|n| n.value().as_element()).any(|e| SKIPPED_ANCESTORS.contains(&e.name()))
}

pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Article, Reject> {
    let raw = decode(bytes).map_err(|e| reject(path, None, None, e))?;
    let doc = Html::parse_document(&raw);
    let title = meta_content(&doc, r#"meta[property="og:title"]"#).or_else(|| {
        doc.select(&selector("title")).next().map(|t| collapse(&t.text().collect::<String>())).filter(|t| !t.is_empty())
    });
    let date_raw = meta_content(&doc, r#"meta[property="article:published_time"]"#)
        .or_else(|| meta_content(&doc, r#"meta[name="date"], meta[name="pubdate"], meta[name="publish-date"], meta[itemprop="datePublished"]"#))
        .or_else(|| {
            doc.select(&selector(r#"script[type="application/ld+json"]"#)).find_map(|s| {
                serde_json::from_str::<Value>(&s.text().collect::<String>()).ok().and_then(|v| find_date_published(&v))
            })
        })
        .or_else(|| doc.select(&selector("time[datetime]")).find_map(|t| t.value().attr("datetime").map(str::to_string)));
    let url = doc
        .select(&selector(r#"link[rel="canonical"]"#))
        .find_map(|l| l.value().attr("href").map(str::to_string))
        .or_else(|| meta_content(&doc, r#"meta[property="og:url"]"#));
    let source = meta_content(&doc, r#"meta[property="og:site_name"]"#);
    let language = doc.select(&selector("html")).next().and_then(|h| h.value().attr("lang").map(str::to_string));
    let id = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();

    let root_selector = ["article", "main", "body"].into_iter().find(|r| doc.select(&selector(r)).next().is_some()).unwrap_or("body");
    let mut paragraphs = Vec::new();
    for root in doc.select(&selector(root_selector)).take(1) {
        for p in root.select(&selector("p, h2, h3, blockquote > p, li")) {
            if is_skipped(&p) {
                continue;
            }
            let text = collapse(&p.text().collect::<String>());
            if !text.is_empty() {
                paragraphs.push(text);
            }
        }
    }
    let published = match date_raw {
        None => {
            return Err(reject(
                path,
                None,
                Some(id),
                "no publication date: add <meta property=\"article:published_time\"> or JSON-LD datePublished".into(),
            ))
        }
        Some(d) => parse_date(&d).map_err(|e| reject(path, None, Some(id.clone()), e))?,
    };
    let article = Article {
        id: id.clone(),
        published,
        title,
        source,
        url,
        language,
        text: paragraphs.join("\n\n"),
        origin: Origin { input: path.display().to_string(), line: None },
    };
    validate(article).map_err(|e| reject(path, None, Some(id), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_paragraphs_only_and_json_ld_date() {
        let page = r#"<html lang="en"><head><title>Talks resume</title>
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2025-03-03T09:15:00Z"}</script>
<style>p { color: red }</style></head><body><nav><p>Home</p></nav>
<article><h1>Talks resume</h1><p>The minister said   talks would resume.</p>
<figure><figcaption>Photo: Agency</figcaption></figure><p>“We are ready,” she said.</p></article>
<footer><p>© Paper</p></footer><script>var x = "<p>no</p>";</script></body></html>"#;
        let a = parse(Path::new("x/talks.html"), page.as_bytes().to_vec()).unwrap();
        assert_eq!(a.text, "The minister said talks would resume.\n\n“We are ready,” she said.");
        assert_eq!(a.published.to_string(), "2025-03-03");
        assert_eq!(a.title.as_deref(), Some("Talks resume"));
        assert_eq!(a.id, "talks");
    }

    #[test]
    fn page_without_date_is_rejected() {
        let r = parse(Path::new("p.html"), b"<html><body><p>Text.</p></body></html>".to_vec()).unwrap_err();
        assert!(r.reason.starts_with("no publication date"), "{}", r.reason);
    }
}
