//! Evaluation of statement extraction against gold files, with the matching rule of
//! `../shared/eval/README.md`: one-to-one; a prediction matches a gold statement when their
//! character spans overlap and one lies inside the other or the overlap is at least 30% of the
//! union. Reports precision, recall, F1, then speaker, country and tone accuracy over matches,
//! a breakdown by kind and by error type, and optionally the mismatches themselves.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::types::{char_offset, ProcessedArticle, Statement};

/// Share of the union two spans must overlap when neither contains the other.
pub const MIN_OVERLAP: f64 = 0.3;

#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub article: String,
    pub kind: String,
    pub text: String,
    pub span: (usize, usize),
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub tone: Option<String>,
}

impl Gold {
    pub fn is_quoted(&self) -> bool {
        matches!(self.kind.as_str(), "direct" | "quoted")
    }
}

/// A predicted statement in character offsets.
#[derive(Debug, Clone, Serialize)]
pub struct Predicted {
    pub article: String,
    pub kind: String,
    pub span: (usize, usize),
    pub quote_span: Option<(usize, usize)>,
    /// Opened by a quotation mark (`"`, `“`, …), the test the gold files use for "quoted".
    pub quoted: bool,
    pub text: String,
    pub speaker: Option<String>,
    pub speaker_mention: Option<String>,
    /// Which pattern attributed it (see the `attribution` column), for error analysis.
    pub attribution: String,
    pub country: Option<String>,
    pub tone: f64,
}

impl Predicted {
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Subset {
    /// Every statement.
    All,
    /// Gold statements with quotation marks; predicted direct and partial quotes.
    Quoted,
    /// Gold statements without quotation marks; predicted reported speech.
    Unquoted,
}

pub fn read_gold(path: &Path) -> Result<Vec<Gold>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let g: Gold = serde_json::from_str(line).map_err(|e| Error::Gold {
            file: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if g.span.0 > g.span.1 {
            return Err(Error::Gold {
                file: path.display().to_string(),
                line: i + 1,
                message: "span ends before it starts".into(),
            });
        }
        out.push(g);
    }
    Ok(out)
}

/// How well two character spans match: their intersection over union, when they nest or
/// overlap by at least `MIN_OVERLAP`.
pub fn overlap_score(a: (usize, usize), b: (usize, usize)) -> Option<f64> {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    if inter == 0 {
        return None;
    }
    let union = a.1.max(b.1) - a.0.min(b.0);
    let iou = inter as f64 / union as f64;
    let nested = (a.0 <= b.0 && b.1 <= a.1) || (b.0 <= a.0 && a.1 <= b.1);
    (nested || iou >= MIN_OVERLAP).then_some(iou)
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Right speaker: same canonical name, or the gold name's surname (its last word) among the
/// words of the predicted speaker or of the mention as written.
///
/// Gold mentions often carry an appositive ("Tom Rath, a veteran GOP leader …"): the name is the
/// part before the first comma, and its surname is that part's last word (possessive dropped).
pub fn speaker_matches(gold: &str, pred: &Predicted) -> bool {
    // A party affiliation in parentheses is not part of the name: "Sen. Elizabeth Warren (D-MA)".
    let mut without_parens = String::with_capacity(gold.len());
    let mut depth = 0usize;
    for c in gold.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_parens.push(c),
            _ => {}
        }
    }
    let gold = without_parens.as_str();
    // Words with any possessive dropped ("Warren's" → "Warren").
    let bare_words = |s: &str| -> Vec<String> {
        words(s)
            .iter()
            .map(|w| w.trim_end_matches("'s").trim_end_matches("’s").to_string())
            .collect()
    };
    let full = bare_words(gold);
    let name = bare_words(gold.split(',').next().unwrap_or(gold));
    let Some(last) = name.last() else {
        return false;
    };
    let p = bare_words(pred.speaker.as_deref().unwrap_or_default());
    let m = bare_words(pred.speaker_mention.as_deref().unwrap_or_default());
    // A gold mention with a descriptor after the name ("Heiserman of the CORE Teachers") ends in
    // a word that is no surname; then the predicted person's surname must stand in its name part.
    let pred_surname_in_gold = p.len() >= 2 && p.last().is_some_and(|s| name.contains(s));
    full == p || p.contains(last) || m.contains(last) || pred_surname_in_gold
}

#[derive(Debug, Default, Serialize)]
pub struct KindStats {
    pub gold: usize,
    pub predicted: usize,
    pub matched_gold: usize,
    pub matched_predicted: usize,
    pub recall: Option<f64>,
    pub precision: Option<f64>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub subset: String,
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub speaker_accuracy: Option<f64>,
    pub speaker_n: usize,
    pub country_accuracy: Option<f64>,
    pub country_n: usize,
    /// Over matched gold statements labelled conciliatory or firm: predicted tone has that sign.
    pub tone_sign_accuracy: Option<f64>,
    pub tone_n: usize,
    pub missed: usize,
    pub spurious: usize,
    pub wrong_speaker: usize,
    pub wrong_country: usize,
    /// Matched pairs whose spans nest or overlap only partly (not within 2 characters).
    pub wrong_span: usize,
    /// Scare-quoted terms (from --not-statements) extracted as statements.
    pub terms_extracted: Option<usize>,
    pub by_gold_kind: BTreeMap<String, KindStats>,
    pub by_predicted_kind: BTreeMap<String, KindStats>,
}

#[derive(Debug, Serialize)]
pub struct Mismatch {
    pub error: &'static str,
    pub article: String,
    pub gold_span: Option<(usize, usize)>,
    pub gold_text: Option<String>,
    pub gold_speaker: Option<String>,
    pub predicted_span: Option<(usize, usize)>,
    pub predicted_kind: Option<String>,
    pub predicted_text: Option<String>,
    pub predicted_speaker: Option<String>,
    pub predicted_mention: Option<String>,
    pub predicted_attribution: Option<String>,
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

pub fn evaluate(
    gold: &[Gold],
    predicted: &[Predicted],
    subset: Subset,
    terms: Option<&[Gold]>,
) -> (Report, Vec<Mismatch>) {
    let keep_gold = |g: &&Gold| match subset {
        Subset::All => true,
        Subset::Quoted => g.is_quoted(),
        Subset::Unquoted => !g.is_quoted(),
    };
    let keep_pred = |p: &&Predicted| match subset {
        Subset::All => true,
        Subset::Quoted => p.is_quoted(),
        Subset::Unquoted => !p.is_quoted(),
    };
    let gold: Vec<&Gold> = gold.iter().filter(keep_gold).collect();
    let pred: Vec<&Predicted> = predicted.iter().filter(keep_pred).collect();
    let mut by_article: HashMap<&str, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, g) in gold.iter().enumerate() {
        by_article.entry(g.article.as_str()).or_default().0.push(i);
    }
    for (i, p) in pred.iter().enumerate() {
        by_article.entry(p.article.as_str()).or_default().1.push(i);
    }
    let mut gold_match: Vec<Option<usize>> = vec![None; gold.len()];
    let mut pred_match: Vec<Option<usize>> = vec![None; pred.len()];
    for (gs, ps) in by_article.values() {
        let mut pairs = Vec::new();
        for &gi in gs {
            for &pi in ps {
                if let Some(score) = overlap_score(gold[gi].span, pred[pi].span) {
                    pairs.push((score, gi, pi));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, gi, pi) in pairs {
            if gold_match[gi].is_none() && pred_match[pi].is_none() {
                gold_match[gi] = Some(pi);
                pred_match[pi] = Some(gi);
            }
        }
    }
    let mut r = Report {
        subset: format!("{subset:?}").to_lowercase(),
        gold: gold.len(),
        predicted: pred.len(),
        ..Report::default()
    };
    let mut mismatches = Vec::new();
    let (mut sp_ok, mut co_ok, mut to_ok) = (0, 0, 0);
    for (gi, g) in gold.iter().enumerate() {
        let ks = r.by_gold_kind.entry(g.kind.clone()).or_default();
        ks.gold += 1;
        let Some(pi) = gold_match[gi] else {
            r.missed += 1;
            mismatches.push(mismatch("missed", g, None));
            continue;
        };
        ks.matched_gold += 1;
        r.matched += 1;
        let p = pred[pi];
        if p.span.0.abs_diff(g.span.0) > 2 || p.span.1.abs_diff(g.span.1) > 2 {
            r.wrong_span += 1;
        }
        if let Some(gs) = &g.speaker {
            r.speaker_n += 1;
            if speaker_matches(gs, p) {
                sp_ok += 1;
            } else {
                r.wrong_speaker += 1;
                mismatches.push(mismatch("wrong_speaker", g, Some(p)));
            }
        }
        if let Some(gc) = &g.country {
            r.country_n += 1;
            if p.country.as_deref() == Some(gc.as_str()) {
                co_ok += 1;
            } else {
                r.wrong_country += 1;
                mismatches.push(mismatch("wrong_country", g, Some(p)));
            }
        }
        match g.tone.as_deref() {
            Some("conciliatory") | Some("firm") => {
                r.tone_n += 1;
                let want = if g.tone.as_deref() == Some("conciliatory") {
                    1.0
                } else {
                    -1.0
                };
                if p.tone * want > 0.0 {
                    to_ok += 1;
                } else {
                    mismatches.push(mismatch("wrong_tone", g, Some(p)));
                }
            }
            _ => {}
        }
    }
    for (pi, p) in pred.iter().enumerate() {
        let ks = r.by_predicted_kind.entry(p.kind.clone()).or_default();
        ks.predicted += 1;
        if pred_match[pi].is_some() {
            ks.matched_predicted += 1;
        } else {
            r.spurious += 1;
            mismatches.push(Mismatch {
                error: "spurious",
                article: p.article.clone(),
                gold_span: None,
                gold_text: None,
                gold_speaker: None,
                predicted_span: Some(p.span),
                predicted_kind: Some(p.kind.clone()),
                predicted_text: Some(p.text.clone()),
                predicted_speaker: p.speaker.clone(),
                predicted_mention: p.speaker_mention.clone(),
                predicted_attribution: Some(p.attribution.clone()),
            });
        }
    }
    for ks in r
        .by_gold_kind
        .values_mut()
        .chain(r.by_predicted_kind.values_mut())
    {
        ks.recall = ratio(ks.matched_gold, ks.gold);
        ks.precision = ratio(ks.matched_predicted, ks.predicted);
    }
    r.precision = ratio(r.matched, r.predicted).unwrap_or(0.0);
    r.recall = ratio(r.matched, r.gold).unwrap_or(0.0);
    r.f1 = if r.precision + r.recall > 0.0 {
        2.0 * r.precision * r.recall / (r.precision + r.recall)
    } else {
        0.0
    };
    r.speaker_accuracy = ratio(sp_ok, r.speaker_n);
    r.country_accuracy = ratio(co_ok, r.country_n);
    r.tone_sign_accuracy = ratio(to_ok, r.tone_n);
    r.terms_extracted = terms.map(|terms| {
        terms
            .iter()
            .filter(|t| {
                predicted.iter().any(|p| {
                    p.article == t.article
                        && p.quote_span
                            .is_some_and(|q| overlap_score(q, t.span).is_some_and(|s| s >= 0.5))
                })
            })
            .count()
    });
    (r, mismatches)
}

fn mismatch(error: &'static str, g: &Gold, p: Option<&Predicted>) -> Mismatch {
    Mismatch {
        error,
        article: g.article.clone(),
        gold_span: Some(g.span),
        gold_text: Some(g.text.clone()),
        gold_speaker: g.speaker.clone(),
        predicted_span: p.map(|p| p.span),
        predicted_kind: p.map(|p| p.kind.clone()),
        predicted_text: p.map(|p| p.text.clone()),
        predicted_speaker: p.and_then(|p| p.speaker.clone()),
        predicted_mention: p.and_then(|p| p.speaker_mention.clone()),
        predicted_attribution: p.map(|p| p.attribution.clone()),
    }
}

/// Looks up a metric of the report by name, for `--min` and `--max` thresholds.
pub fn metric(report: &Report, name: &str) -> Option<f64> {
    let v = serde_json::to_value(report).ok()?;
    v.get(name)?.as_f64()
}

/// The marks that make a gold statement "quoted" (see ../shared/datasets/README.md).
pub const QUOTE_MARKS: [char; 6] = ['"', '“', '”', '„', '«', '»'];

/// Whether an extracted statement is "quoted" by the gold files' test: the gold calls a
/// statement quoted when it contains a quotation mark, so ours is quoted when its text contains
/// one of [`QUOTE_MARKS`] or the mark that opened its quote stands right before it (`''` does not
/// count). This, not the statement's kind, decides `--subset quoted`: a partial quote whose
/// clause holds the quoted words counts, a quote opened by `''` does not.
pub fn statement_is_quoted(text: &str, statement: &Statement) -> bool {
    statement.span.slice(text).contains(QUOTE_MARKS)
        || statement
            .quote
            .is_some_and(|q| text[..q.start].trim_end().ends_with(QUOTE_MARKS))
}

/// One processed article's statements as the evaluation compares them with gold: character
/// offsets, the mention as written, and "quoted" by [`statement_is_quoted`]. `tonetrack eval
/// statements` and the library's tests on the seed both build their predictions here.
pub fn predicted(p: &ProcessedArticle) -> Vec<Predicted> {
    let t = &p.article.text;
    p.statements
        .iter()
        .map(|s| {
            let st = &s.statement;
            Predicted {
                article: p.article.id.clone(),
                kind: st.kind.as_str().into(),
                span: (char_offset(t, st.span.start), char_offset(t, st.span.end)),
                quote_span: st
                    .quote
                    .map(|q| (char_offset(t, q.start), char_offset(t, q.end))),
                quoted: statement_is_quoted(t, st),
                text: st.span.slice(t).into(),
                speaker: s.speaker.name.clone(),
                speaker_mention: st.speaker_mention.map(|m| m.slice(t).to_string()),
                attribution: st.attribution.to_string(),
                country: s.speaker.country.clone(),
                tone: s.tone.tone,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(span: (usize, usize), speaker: &str) -> Gold {
        Gold {
            article: "a".into(),
            kind: "direct".into(),
            text: String::new(),
            span,
            speaker: Some(speaker.into()),
            country: None,
            tone: Some("firm".into()),
        }
    }

    fn pred(span: (usize, usize), speaker: &str, tone: f64) -> Predicted {
        Predicted {
            article: "a".into(),
            kind: "direct".into(),
            span,
            quote_span: Some(span),
            quoted: true,
            text: String::new(),
            speaker: Some(speaker.into()),
            speaker_mention: None,
            attribution: String::new(),
            country: None,
            tone,
        }
    }

    fn statement(span: (usize, usize), quote: Option<(usize, usize)>) -> Statement {
        Statement {
            kind: if quote.is_some() {
                crate::types::StatementKind::Direct
            } else {
                crate::types::StatementKind::Reported
            },
            span: crate::types::Span::new(span.0, span.1),
            quote: quote.map(|q| crate::types::Span::new(q.0, q.1)),
            cue: None,
            speaker_mention: None,
            descriptor: None,
            antecedent: None,
            addressee_mention: None,
            attribution: crate::rule::Rule::NotFound,
            cue_type: None,
            flags: Vec::new(),
            paragraph: 0,
        }
    }

    #[test]
    fn a_statement_is_quoted_when_it_holds_a_quotation_mark_or_one_opened_its_quote() {
        let text = "He said “we will talk” and that ''it is fine'' for now.";
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            (start, start + needle.len())
        };
        // The quote's words without their marks, opened by “: quoted.
        let words = at("we will talk");
        assert!(statement_is_quoted(text, &statement(words, Some(words))));
        // A reported clause that holds the marks: quoted, as the gold would call it.
        let clause = at("“we will talk” and that");
        assert!(statement_is_quoted(text, &statement(clause, None)));
        // Opened by '' (two apostrophes): not a quotation mark of the gold files.
        let doubled = at("it is fine");
        assert!(!statement_is_quoted(
            text,
            &statement(doubled, Some(doubled))
        ));
        // Reported speech with no mark in or before it.
        assert!(!statement_is_quoted(text, &statement(at("for now"), None)));
    }

    #[test]
    fn speaker_names_ignore_appositives_and_party_labels() {
        let p = pred((0, 1), "Elizabeth Warren", 0.0);
        assert!(speaker_matches("Sen. Elizabeth Warren (D-MA)", &p));
        assert!(speaker_matches("Warren, a senator from Massachusetts", &p));
        assert!(!speaker_matches("Bernie Sanders", &p));
        assert!(speaker_matches("Warren of the Senate banking panel", &p));
        assert!(!speaker_matches("Sanders, a senator from Vermont", &p));
    }

    #[test]
    fn nested_spans_match_and_small_overlaps_do_not() {
        assert!(overlap_score((0, 100), (10, 20)).is_some());
        assert!(overlap_score((0, 10), (5, 40)).is_none()); // 5 / 40 < 0.3
        assert!(overlap_score((0, 10), (3, 12)).is_some()); // 7 / 12
        assert!(overlap_score((0, 10), (10, 20)).is_none());
    }

    #[test]
    fn matching_is_one_to_one_and_counts_speakers_by_surname() {
        let g = [gold((0, 10), "Wang Yi"), gold((20, 30), "Antony Blinken")];
        let p = [
            pred((0, 10), "Wang Yi", -0.5),
            pred((1, 9), "Wang Yi", -0.5),
            pred((20, 30), "Blinken", 0.4),
        ];
        let (r, m) = evaluate(&g, &p, Subset::All, None);
        assert_eq!((r.matched, r.spurious, r.missed), (2, 1, 0));
        assert_eq!(r.speaker_accuracy, Some(1.0));
        assert_eq!(r.tone_sign_accuracy, Some(0.5));
        assert_eq!(m.iter().filter(|x| x.error == "spurious").count(), 1);
    }
}
