//! HTML articles: the paragraphs of the article body (`<article>`, else `<main>`, else the
//! whole page), never navigation, headers, footers, captions, scripts or styles. The title
//! comes from `og:title` or `<title>`; the date from `article:published_time`, other common
//! date metas, `<time datetime>` or JSON-LD `datePublished`. The article text is the body
//! paragraphs joined by blank lines: that joined text is what offsets point into.

use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::{decode, parse_date, reject, validate};
use crate::config::DEFAULT_MAX_HTML_DEPTH;
use crate::types::{Article, Origin, Reject};

const SKIPPED_ANCESTORS: &[&str] = &[
    "nav",
    "header",
    "footer",
    "aside",
    "script",
    "style",
    "noscript",
    "figure",
    "figcaption",
    "form",
    "template",
];

fn selector(s: &str) -> Selector {
    // The selectors are literals of this module; a failure is a programming error caught by tests.
    Selector::parse(s).unwrap_or_else(|e| panic!("bad built-in selector {s:?}: {e:?}"))
}

fn meta_content(doc: &Html, css: &str) -> Option<String> {
    doc.select(&selector(css))
        .find_map(|e| e.value().attr("content").map(str::to_string))
        .filter(|s| !s.trim().is_empty())
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
    el.ancestors()
        .filter_map(|n| n.value().as_element())
        .any(|e| SKIPPED_ANCESTORS.contains(&e.name()))
}

/// A tag name, lowercased and packed into an integer (the first 16 bytes; longer custom
/// element names may share a key, which only makes the depth estimate coarser), so the scan
/// below compares integers and allocates nothing per tag.
type Name = u128;

const fn pack(name: &[u8]) -> Name {
    let mut key: Name = 0;
    let mut i = 0;
    while i < name.len() && i < 16 {
        key = key << 8 | name[i].to_ascii_lowercase() as Name;
        i += 1;
    }
    key
}

const fn pack_all<const N: usize>(names: [&str; N]) -> [Name; N] {
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = pack(names[i].as_bytes());
        i += 1;
    }
    out
}

/// Elements that never have content.
const VOID: [Name; 19] = pack_all([
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
]);
/// Elements whose content is text up to their end tag (a `<div>` inside a script is no element).
const RAW_TEXT: [Name; 9] = pack_all([
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
]);
/// Elements whose end tag may be left out and that the parser closes rather than nests
/// (`<li>` ends the open `<li>`): not counted, so unclosed ones do not add up.
const IMPLIED_END: [Name; 20] = pack_all([
    "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
]);
/// Start tags that close an open `<p>`.
const CLOSES_P: [Name; 35] = pack_all([
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
]);
const P: Name = pack(b"p");
const SVG: Name = pack(b"svg");
const MATH: Name = pack(b"math");
const PLAINTEXT: Name = pack(b"plaintext");

/// A cheap hasher for packed names (the default SipHash would dominate the scan).
#[derive(Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = ((n as u64) ^ (n >> 64) as u64 ^ self.0).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Open elements: the stack and how many of each name it holds.
struct Open {
    stack: Vec<Name>,
    count: std::collections::HashMap<Name, usize, std::hash::BuildHasherDefault<NameHasher>>,
}

impl Open {
    fn has(&self, name: Name) -> bool {
        self.count.get(&name).is_some_and(|&c| c > 0)
    }
    fn push(&mut self, name: Name) {
        *self.count.entry(name).or_default() += 1;
        self.stack.push(name);
    }
    /// Pops up to and including the innermost open `name`, if one is open.
    fn close(&mut self, name: Name) {
        if !self.has(name) {
            return;
        }
        while let Some(top) = self.stack.pop() {
            if let Some(c) = self.count.get_mut(&top) {
                *c -= 1;
            }
            if top == name {
                break;
            }
        }
    }
}

/// Whether the element nesting of `html` goes deeper than `max`, and if so the byte where it
/// does. One linear pass over the bytes that follows the parser's rules far enough for
/// real pages (void, raw-text and optional-end elements; stray end tags are ignored; an end
/// tag closes what it encloses) without building anything.
fn too_deep(html: &[u8], max: usize) -> Option<usize> {
    let n = html.len();
    let find = |from: usize, pat: &[u8]| -> Option<usize> {
        let mut at = from;
        while at + pat.len() <= n {
            let k = html[at..n - pat.len() + 1]
                .iter()
                .position(|&b| b == pat[0])?;
            if html[at + k..].starts_with(pat) {
                return Some(at + k);
            }
            at += k + 1;
        }
        None
    };
    let mut open = Open {
        stack: Vec::new(),
        count: Default::default(),
    };
    let mut i = 0;
    while i < n {
        let Some(lt) = html[i..].iter().position(|&b| b == b'<').map(|k| i + k) else {
            break;
        };
        let next = html.get(lt + 1).copied();
        if next == Some(b'!') || next == Some(b'?') {
            i = if html[lt..].starts_with(b"<!--") {
                find(lt + 4, b"-->").map_or(n, |k| k + 3)
            } else {
                find(lt + 1, b">").map_or(n, |k| k + 1)
            };
            continue;
        }
        let closing = next == Some(b'/');
        let name_start = if closing { lt + 2 } else { lt + 1 };
        if !html.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        let name_end = html[name_start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
            .map_or(n, |k| name_start + k);
        let raw_name = &html[name_start..name_end];
        let name = pack(raw_name);
        // The end of the tag, skipping quoted attribute values.
        let (mut k, mut quote, mut last) = (name_end, None, 0u8);
        let mut self_closing = false;
        while k < n {
            let b = html[k];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if (b == b'"' || b == b'\'') && last == b'=' => quote = Some(b),
                None if b == b'>' => {
                    self_closing = last == b'/';
                    break;
                }
                None => {}
            }
            if !b.is_ascii_whitespace() {
                last = b;
            }
            k += 1;
        }
        i = (k + 1).min(n);
        if closing {
            open.close(name);
            continue;
        }
        if VOID.contains(&name) || IMPLIED_END.contains(&name) {
            continue;
        }
        if name == PLAINTEXT {
            break; // the rest of the page is text
        }
        if RAW_TEXT.contains(&name) {
            // Skip to this element's end tag.
            let mut from = i;
            i = n;
            while let Some(at) = find(from, b"</") {
                let after = at + 2 + raw_name.len();
                if html
                    .get(at + 2..after)
                    .is_some_and(|t| t.eq_ignore_ascii_case(raw_name))
                    && html
                        .get(after)
                        .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
                {
                    i = at;
                    break;
                }
                from = at + 2;
            }
            continue;
        }
        if CLOSES_P.contains(&name) {
            open.close(P);
        }
        if self_closing && (name == SVG || name == MATH || open.has(SVG) || open.has(MATH)) {
            continue; // `<path/>` in SVG closes itself; `<div/>` in HTML does not
        }
        open.push(name);
        if open.stack.len() > max {
            return Some(lt);
        }
    }
    None
}

pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Article, Reject> {
    parse_limited(path, bytes, DEFAULT_MAX_HTML_DEPTH.get())
}

/// [`parse`] refusing pages nested deeper than `max_depth` elements (`[input] max_html_depth`)
/// before they reach the parser, whose work grows with the square of the depth (100,000
/// nested `<div>`s take about a minute).
pub fn parse_limited(path: &Path, bytes: Vec<u8>, max_depth: usize) -> Result<Article, Reject> {
    let raw = decode(bytes).map_err(|e| reject(path, None, None, e))?;
    if let Some(at) = too_deep(raw.as_bytes(), max_depth) {
        return Err(reject(
            path,
            None,
            None,
            format!(
                "HTML nested more than {max_depth} elements deep (at byte {at}): a broken or hostile page; fix the page, \
                 or raise [input] max_html_depth in the config if the nesting is real"
            ),
        ));
    }
    let doc = Html::parse_document(&raw);
    let title = meta_content(&doc, r#"meta[property="og:title"]"#).or_else(|| {
        doc.select(&selector("title"))
            .next()
            .map(|t| collapse(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty())
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
    let language = doc
        .select(&selector("html"))
        .next()
        .and_then(|h| h.value().attr("lang").map(str::to_string));
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();

    let root_selector = ["article", "main", "body"]
        .into_iter()
        .find(|r| doc.select(&selector(r)).next().is_some())
        .unwrap_or("body");
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
        format: None,
        id: id.clone(),
        published,
        title,
        source,
        url,
        language,
        text: paragraphs.join("\n\n"),
        origin: Origin {
            input: path.display().to_string(),
            line: None,
        },
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
        assert_eq!(
            a.text,
            "The minister said talks would resume.\n\n“We are ready,” she said."
        );
        assert_eq!(a.published.to_string(), "2025-03-03");
        assert_eq!(a.title.as_deref(), Some("Talks resume"));
        assert_eq!(a.id, "talks");
    }

    #[test]
    fn nesting_depth_follows_the_parser_far_enough() {
        let depth = |html: &str| {
            (1..200)
                .find(|&max| too_deep(html.as_bytes(), max).is_none())
                .unwrap_or(usize::MAX)
        };
        assert_eq!(depth("<div><div><div>x</div></div></div>"), 3);
        // Closed elements do not add up; void, optional-end and raw-text ones do not count.
        assert_eq!(depth(&"<div>x</div>".repeat(50)), 1);
        assert_eq!(depth(&"<p>a<li>b<br><img src=x><td>".repeat(50)), 1);
        assert_eq!(depth("<div><script>if (a<b) { s = '<div><div><div>'; }</script><style>p>a{}</style></div>"), 1);
        assert_eq!(depth("<div><!-- <div><div> --><?x <div>?></div>"), 1);
        assert_eq!(
            depth(r#"<div title="a > b <div>" data-x='<span>'><span>x</span></div>"#),
            2
        );
        // A stray end tag closes nothing; an end tag closes what it encloses.
        assert_eq!(depth(&"<b></i>".repeat(10)), 10);
        assert_eq!(depth("<div><span><i><b></div><div>x</div>"), 4);
        // `/>` closes only in SVG and MathML.
        assert_eq!(depth("<svg><path/><path/><g/></svg>"), 1);
        assert_eq!(depth(&"<div/>".repeat(10)), 10);
        // A block start closes an open paragraph.
        assert_eq!(depth(&"<p><b>x</p>".repeat(20)), 2);
        assert_eq!(depth(&"<p>x<div>y</div>".repeat(20)), 1);
        assert_eq!(too_deep(b"<html><body><div><div>", 1), Some(17));
    }

    #[test]
    fn deep_pages_are_rejected_before_parsing() {
        let page = format!(
            "<meta name=\"date\" content=\"2025-01-01\">{}<p>Text.</p>",
            "<div>".repeat(100_000)
        );
        let r = parse(Path::new("deep.html"), page.into_bytes()).unwrap_err();
        assert!(
            r.reason
                .starts_with("HTML nested more than 512 elements deep"),
            "{}",
            r.reason
        );
        let page = format!(
            "<meta name=\"date\" content=\"2025-01-01\">{}<p>Text.</p>",
            "<div>".repeat(500)
        );
        assert!(parse(Path::new("ok.html"), page.into_bytes()).is_ok());
    }

    #[test]
    fn page_without_date_is_rejected() {
        let r = parse(
            Path::new("p.html"),
            b"<html><body><p>Text.</p></body></html>".to_vec(),
        )
        .unwrap_err();
        assert!(r.reason.starts_with("no publication date"), "{}", r.reason);
    }
}
