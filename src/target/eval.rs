//! `tonetrack eval targets`: target-country accuracy on news sentences whose event's source
//! and target actors are marked (`<s>…</s>`, `<t>…</t>`), such as the PLOVER sentences of
//! `../shared/datasets/plover-plv/train.jsonl`.
//!
//! ```text
//!  {"text": "Ukraine accuses Russia of sending tanks …",
//!   "marked": "<s>Ukraine</s> accuses <t>Russia</t> of sending tanks …"}
//!  gold: <t>Russia</t> → RUS (our own places and registry; unmappable targets are counted, not scored)
//!  run:  the sentence is one article and one statement; the statement's words are the sentence
//!        without the <s> span; the speaker's country is what the <s> span names (UKR)
//!  → predicted target RUS by "words": correct
//! ```
//!
//! Beside it, [`score_held_out`] checks targets on statements of real articles that we
//! annotated ourselves (`tests/fixtures/targets-wikinews.jsonl`: article id, character span,
//! target; the text stays in `../shared`), run through the whole pipeline.
//!
//! A news sentence is not a statement: the event's source is its subject, not a quoted speaker,
//! and there is no addressee or visit. The resolver runs unchanged on it, so the number
//! measures the words-first ordering, the speaker's-country rule, the pair phrases and the
//! mention finder, not the addressee and context steps.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::actors::Registry;
use crate::error::{Error, Result};
use crate::types::{CharOffsets, ProcessedArticle, Span};

use super::resolve::Addressee;
use super::Targeter;

/// One marked sentence.
#[derive(Debug, Deserialize)]
struct Row {
    text: String,
    marked: String,
}

/// A sentence with the byte spans of its marked source (when marked) and target, in the
/// unmarked text.
#[derive(Debug, Clone, PartialEq)]
pub struct Marked {
    pub text: String,
    pub source: Option<Span>,
    pub target: Span,
}

/// Strips `<s>…</s>` and `<t>…</t>` from `marked`, keeping where they stood; None when the
/// target is not marked (a sentence without a marked source is scored with no speaker).
pub fn parse_marked(marked: &str) -> Option<Marked> {
    let mut text = String::with_capacity(marked.len());
    let (mut source, mut target) = ((None, None), (None, None));
    let mut rest = marked;
    while let Some(pos) = rest.find('<') {
        text.push_str(&rest[..pos]);
        let tag = ["<s>", "</s>", "<t>", "</t>"]
            .into_iter()
            .find(|t| rest[pos..].starts_with(t));
        match tag {
            Some(t) => {
                let at = Some(text.len());
                match t {
                    "<s>" => source.0 = at,
                    "</s>" => source.1 = at,
                    "<t>" => target.0 = at,
                    _ => target.1 = at,
                }
                rest = &rest[pos + t.len()..];
            }
            None => {
                text.push('<');
                rest = &rest[pos + 1..];
            }
        }
    }
    text.push_str(rest);
    let span = |(a, b): (Option<usize>, Option<usize>)| {
        let (a, b) = (a?, b?);
        (a <= b).then(|| Span::new(a, b))
    };
    Some(Marked {
        source: span(source),
        target: span(target)?,
        text,
    })
}

/// Counts by how the prediction was made.
#[derive(Debug, Default, Serialize)]
pub struct ByResolution {
    pub n: usize,
    pub correct: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub file: String,
    /// Sentences read.
    pub sentences: usize,
    /// Lines whose target is not marked (skipped, counted here).
    pub unreadable: usize,
    /// Rows whose `text` is not `marked` without its tags (the marked one is scored).
    pub text_differs: usize,
    /// Sentences whose marked target our places and registry map to a country.
    pub mappable: usize,
    /// Of those, how many have a source we could map to a country (the speaker's country).
    pub source_mapped: usize,
    /// Mappable sentences whose predicted main target is the marked target's country.
    pub correct: usize,
    /// correct / mappable.
    pub accuracy: Option<f64>,
    /// Mappable sentences whose marked target's country is anywhere in the predicted targets.
    pub in_targets: usize,
    pub by_resolution: BTreeMap<String, ByResolution>,
}

/// One scored sentence that went wrong, for `--mismatches`.
#[derive(Debug, Serialize)]
pub struct Mismatch {
    pub line: usize,
    pub marked: String,
    pub gold: String,
    pub source_country: Option<String>,
    pub predicted: Vec<String>,
    pub resolution: &'static str,
}

/// Scores `targeter` on a JSONL file of marked sentences (`text`, `marked`).
pub fn evaluate(
    path: &Path,
    reg: &Registry,
    targeter: &Targeter,
) -> Result<(Report, Vec<Mismatch>)> {
    let body = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut report = Report {
        file: path.display().to_string(),
        ..Report::default()
    };
    let mut mismatches = Vec::new();
    for (i, line) in body.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        report.sentences += 1;
        let row: Row = serde_json::from_str(line).map_err(|e| Error::Gold {
            file: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        let Some(m) = parse_marked(&row.marked) else {
            report.unreadable += 1;
            continue;
        };
        if m.text != row.text {
            // The marked sentence is the one scored; a differing `text` is counted, not fatal.
            report.text_differs += 1;
        }
        let article = targeter.article(reg, &m.text, None, []);
        let Some(gold) = article.country_of(&[m.target]) else {
            continue;
        };
        report.mappable += 1;
        let speaker = m.source.and_then(|s| article.country_of(&[s]));
        report.source_mapped += speaker.is_some() as usize;
        let words = match m.source {
            Some(s) => vec![Span::new(0, s.start), Span::new(s.end, m.text.len())],
            None => vec![Span::new(0, m.text.len())],
        };
        let predicted = article.resolve(&words, speaker.as_deref(), Addressee::default());
        let ok = predicted.main() == Some(gold.as_str());
        report.correct += ok as usize;
        report.in_targets += predicted.targets.contains(&gold) as usize;
        let by = report
            .by_resolution
            .entry(predicted.resolution.as_str().to_string())
            .or_default();
        by.n += 1;
        by.correct += ok as usize;
        if !ok {
            mismatches.push(Mismatch {
                line: i + 1,
                marked: row.marked.clone(),
                gold,
                source_country: speaker,
                predicted: predicted.targets.clone(),
                resolution: predicted.resolution.as_str(),
            });
        }
    }
    report.accuracy = (report.mappable > 0).then(|| report.correct as f64 / report.mappable as f64);
    Ok((report, mismatches))
}

/// One statement of real news whose target we annotated: where it is (character offsets
/// into the article text, as in `statements.parquet`), the speaker's country, and the target
/// (null when the statement is about no country).
#[derive(Debug, Clone, Deserialize)]
pub struct HeldOut {
    pub article: String,
    pub span: (usize, usize),
    #[serde(default)]
    pub speaker_country: Option<String>,
    pub target: Option<String>,
}

/// Reads annotated statements (JSONL); a bad line is an error naming the file and line.
pub fn read_held_out(path: &Path) -> Result<Vec<HeldOut>> {
    let body = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    body.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::Gold {
                file: path.display().to_string(),
                line: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// Target accuracy on annotated statements of real articles.
#[derive(Debug, Default, Serialize)]
pub struct HeldOutReport {
    pub file: String,
    pub statements: usize,
    /// Annotated statements our extraction found (a predicted statement overlapping at least
    /// half of the annotated span); the others are not scored.
    pub matched: usize,
    pub correct: usize,
    /// correct / matched.
    pub accuracy: Option<f64>,
    /// Matched statements whose speaker's country we got right, and how many of those have
    /// the right target: the target step on its own, without the speaker's errors.
    pub speaker_country_right: usize,
    pub correct_when_speaker_country_right: usize,
    pub by_resolution: BTreeMap<String, ByResolution>,
}

/// Scores the targets of `articles` (processed by the pipeline) against annotated statements.
pub fn score_held_out(
    file: &Path,
    gold: &[HeldOut],
    articles: &[ProcessedArticle],
) -> (HeldOutReport, Vec<serde_json::Value>) {
    let mut report = HeldOutReport {
        file: file.display().to_string(),
        statements: gold.len(),
        ..HeldOutReport::default()
    };
    let mut mismatches = Vec::new();
    for g in gold {
        let Some(p) = articles.iter().find(|p| p.article.id == g.article) else {
            continue;
        };
        let offsets = CharOffsets::new(&p.article.text);
        let overlap = |s: &crate::types::ScoredStatement| {
            let (a, b) = (
                offsets.of(s.statement.span.start),
                offsets.of(s.statement.span.end),
            );
            b.min(g.span.1).saturating_sub(a.max(g.span.0))
        };
        let best = p.statements.iter().max_by_key(|s| overlap(s));
        let Some(s) = best.filter(|s| 2 * overlap(s) >= g.span.1.saturating_sub(g.span.0)) else {
            continue;
        };
        report.matched += 1;
        let ok = s.target.main() == g.target.as_deref();
        report.correct += ok as usize;
        if s.speaker.country.is_some() && s.speaker.country == g.speaker_country {
            report.speaker_country_right += 1;
            report.correct_when_speaker_country_right += ok as usize;
        }
        let by = report
            .by_resolution
            .entry(s.target.resolution.as_str().to_string())
            .or_default();
        by.n += 1;
        by.correct += ok as usize;
        if !ok {
            mismatches.push(serde_json::json!({
                "article": g.article, "span": g.span, "gold": g.target,
                "speaker_country": s.speaker.country, "gold_speaker_country": g.speaker_country,
                "predicted": s.target.targets, "resolution": s.target.resolution.as_str(),
            }));
        }
    }
    report.accuracy = (report.matched > 0).then(|| report.correct as f64 / report.matched as f64);
    (report, mismatches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_spans_point_into_the_unmarked_text() {
        let m = parse_marked("<s>Ukraine</s> accuses <t>Russia</t> of 1 < 2.").unwrap();
        assert_eq!(m.text, "Ukraine accuses Russia of 1 < 2.");
        assert_eq!(m.source.unwrap().slice(&m.text), "Ukraine");
        assert_eq!(m.target.slice(&m.text), "Russia");
    }

    #[test]
    fn a_sentence_without_a_marked_target_is_unreadable_and_one_without_a_source_is_not() {
        assert_eq!(parse_marked("<s>Ukraine</s> accuses Russia."), None);
        assert_eq!(
            parse_marked("Ukraine accuses <t>Russia</t>.")
                .unwrap()
                .source,
            None
        );
    }

    #[test]
    fn a_small_marked_file_is_scored_with_unmappable_targets_counted_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.jsonl");
        let rows = [
            ("<s>Ukraine</s> accuses <t>Russia</t> of shelling.", true),
            ("<s>The ACLU</s> is suing <t>Thom</t>.", false),
            ("<s>Washington</s> warned <t>Beijing</t> over Taiwan.", true),
        ];
        let mut text = String::new();
        for (marked, _) in rows {
            let plain = parse_marked(marked).unwrap().text;
            text.push_str(&serde_json::json!({"text": plain, "marked": marked}).to_string());
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        let source = crate::models::ModelSource::default();
        let reg = Registry::load(
            &[source.load("places.toml").unwrap()],
            &[source.load("actors.toml").unwrap()],
        )
        .unwrap();
        let lex = super::super::TargetLexicon::load(&source.load("targets.toml").unwrap()).unwrap();
        let targeter = Targeter::new(lex, &crate::config::Config::default(), &reg);
        let (report, mismatches) = evaluate(&path, &reg, &targeter).unwrap();
        assert_eq!(report.sentences, 3);
        assert_eq!(report.mappable, 2);
        assert_eq!(report.source_mapped, 2);
        assert_eq!(report.correct, 2, "{mismatches:?}");
        assert_eq!(report.accuracy, Some(1.0));
    }
}
