//! Is this document a transcript? It is when speaker labels start its paragraphs: two or more
//! labelled paragraphs, or one label that opens the speech (the first paragraph after a
//! location or time line, as in a single speaker's remarks). News never starts paragraphs with
//! "PRESIDENT BIDEN:"; measured on PolNeAR (924 articles) no article is detected.
//!
//! ```
//! use tonetrack::transcript::{detect::is_transcript, Vocabulary};
//! use tonetrack::types::Span;
//! let vocab = Vocabulary::builtin().unwrap();
//! let news = "Talks resumed on Monday.";
//! assert!(!is_transcript(news, &[Span::new(0, news.len())], &vocab));
//! ```

use crate::types::{DocFormat, Span};

use super::label::{parse_label, LabelKind};
use super::Vocabulary;

/// How many paragraphs before the first label a one-label transcript may have (a location, a
/// time, a note that the remarks are as prepared).
const MAX_OPENING_PARAGRAPHS: usize = 3;

/// Whether the text, cut into `paragraphs`, reads as a transcript.
pub fn is_transcript(text: &str, paragraphs: &[Span], vocab: &Vocabulary) -> bool {
    let mut labelled = 0;
    let mut named = 0;
    let mut first = None;
    for (i, p) in paragraphs.iter().enumerate() {
        if let Some(l) = parse_label(p.slice(text), p.start, vocab) {
            labelled += 1;
            if l.kind != LabelKind::Question {
                named += 1;
            }
            first.get_or_insert(i);
        }
    }
    // At least one non-question label: a list of "Q" lines alone is an interview summary.
    named >= 1 && (labelled >= 2 || first.is_some_and(|i| i <= MAX_OPENING_PARAGRAPHS))
}

/// The format that applies to one document: its own (`format` in JSONL or the sidecar), else
/// the run's, and `auto` decided from the text.
pub fn decide(
    own: Option<DocFormat>,
    run: DocFormat,
    text: &str,
    paragraphs: &[Span],
    vocab: &Vocabulary,
) -> bool {
    match own.unwrap_or(run) {
        DocFormat::Article => false,
        DocFormat::Transcript => true,
        DocFormat::Auto => is_transcript(text, paragraphs, vocab),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let mut at = 0;
        for p in text.split("\n\n") {
            out.push(Span::new(at, at + p.len()));
            at += p.len() + 2;
        }
        out
    }

    fn detect(text: &str) -> bool {
        is_transcript(text, &paragraphs(text), &Vocabulary::builtin().unwrap())
    }

    #[test]
    fn a_briefing_with_several_labels_is_a_transcript() {
        assert!(detect(
            "James S. Brady Room\n\n1:02 P.M. EDT\n\nMS. VALE:  Hello.\n\nQ  Thanks.\n\nMS. VALE:  Yes."
        ));
    }

    #[test]
    fn one_speakers_remarks_opening_with_a_label_are_a_transcript() {
        assert!(detect(
            "East Room\n\n2:14 P.M. EST\n\nTHE PRESIDENT:  Good afternoon.\n\nToday we act.\n\nEND"
        ));
    }

    #[test]
    fn news_with_a_late_heading_or_only_questions_is_not() {
        assert!(!detect(
            "Talks resumed.\n\nThe minister spoke.\n\nMore talks.\n\nThen some.\n\nUPDATE: Done."
        ));
        assert!(!detect("Q  What next?\n\nAnswers came.\n\nQ  And then?"));
        assert!(!detect("The minister said: “We will see.”\n\nOthers agreed."));
    }

    #[test]
    fn a_documents_own_format_beats_the_runs_and_auto_reads_the_text() {
        let v = Vocabulary::builtin().unwrap();
        let t = "MS. VALE:  Hi.\n\nQ  Yes?";
        let p = paragraphs(t);
        assert!(decide(None, DocFormat::Auto, t, &p, &v));
        assert!(!decide(Some(DocFormat::Article), DocFormat::Transcript, t, &p, &v));
        assert!(decide(Some(DocFormat::Transcript), DocFormat::Article, "x", &[], &v));
        assert!(!decide(None, DocFormat::Article, t, &p, &v));
    }
}
