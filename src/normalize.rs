//! Normalisation: decides which lines of an article are story text. Captions ("… – Photo:
//! Xinhua/Wang Ye"), share prompts and comment sections are skipped; leading and trailing white
//! space is trimmed. The text itself is never rewritten: the output is a list of paragraph spans
//! into the article exactly as ingested, so every later offset stays valid. Curly and straight
//! quotation marks are both understood downstream rather than replaced here.

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::ModelFile;
use crate::types::Span;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NormalizeFile {
    schema_version: Spanned<u32>,
    #[serde(default)]
    abbreviations: Vec<String>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RuleEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    why: String,
    action: Action,
    pattern: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    DropLine,
    DropRest,
}

#[derive(Debug)]
struct Rule {
    why: String,
    action: Action,
    pattern: Regex,
}

/// Compiled normalisation rules (built once, shared by all workers).
#[derive(Debug)]
pub struct Normalizer {
    rules: Vec<Rule>,
    abbreviations: rustc_hash::FxHashSet<String>,
}

/// The story text of one article: paragraph spans in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    pub paragraphs: Vec<Span>,
    /// Lines skipped and why ("caption", "boilerplate", "comments"), for `extract --json`.
    pub dropped: Vec<(Span, String)>,
}

impl Normalizer {
    pub fn load(file: &ModelFile) -> Result<Self> {
        let parsed: NormalizeFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        let mut rules = Vec::new();
        for entry in parsed.rules {
            let at = entry.span().start;
            let entry = entry.into_inner();
            let pattern = Regex::new(&entry.pattern)
                .map_err(|e| file.error_at(at, format!("rule pattern does not compile: {e}")))?;
            rules.push(Rule {
                why: entry.why,
                action: entry.action,
                pattern,
            });
        }
        Ok(Normalizer {
            rules,
            abbreviations: parsed.abbreviations.into_iter().collect(),
        })
    }

    /// Words after which a full stop does not end a sentence ("Mr", "Sen").
    pub fn abbreviations(&self) -> &rustc_hash::FxHashSet<String> {
        &self.abbreviations
    }

    /// Splits the text into lines, trims them and keeps the story lines.
    pub fn normalize(&self, text: &str) -> Normalized {
        let mut out = Normalized::default();
        let mut offset = 0;
        let mut rest_dropped: Option<String> = None;
        for raw_line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += raw_line.len();
            let trimmed = raw_line.trim();
            if trimmed.is_empty() {
                continue;
            }
            let lead = raw_line.len() - raw_line.trim_start().len();
            let span = Span::new(line_start + lead, line_start + lead + trimmed.len());
            if let Some(why) = &rest_dropped {
                out.dropped.push((span, why.clone()));
                continue;
            }
            match self.rules.iter().find(|r| r.pattern.is_match(trimmed)) {
                Some(rule) => {
                    if rule.action == Action::DropRest {
                        rest_dropped = Some(rule.why.clone());
                    }
                    out.dropped.push((span, rule.why.clone()));
                }
                None => out.paragraphs.push(span),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSource;

    fn normalizer() -> Normalizer {
        Normalizer::load(&ModelSource::default().load("normalize.toml").unwrap()).unwrap()
    }

    #[test]
    fn captions_and_comment_sections_are_dropped_but_offsets_kept() {
        let text = "Leaders meet in Port Aurel – Photo: Agency/Jon Pell\n\n  The minister spoke.  \n\nJoin our WhatsApp group, click on this link\nLeave a Reply\nGreat article!\n";
        let n = normalizer().normalize(text);
        assert_eq!(n.paragraphs.len(), 1);
        assert_eq!(n.paragraphs[0].slice(text), "The minister spoke.");
        let whys: Vec<&str> = n.dropped.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(whys, ["caption", "boilerplate", "comments", "comments"]);
    }

    #[test]
    fn normalisation_is_idempotent_on_its_own_output() {
        let text = "A line.\n\n– Photo: X/Y\nB line.\n";
        let norm = normalizer();
        let once = norm.normalize(text);
        let kept: Vec<&str> = once.paragraphs.iter().map(|s| s.slice(text)).collect();
        let joined = kept.join("\n");
        let twice = norm.normalize(&joined);
        let kept2: Vec<&str> = twice.paragraphs.iter().map(|s| s.slice(&joined)).collect();
        assert_eq!(kept, kept2);
    }

    #[test]
    fn ordinary_sentences_mentioning_photos_are_kept() {
        let text = "The photo showed the two leaders shaking hands.\n";
        assert_eq!(normalizer().normalize(text).paragraphs.len(), 1);
    }
}
