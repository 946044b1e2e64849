//! Is this document a transcript? It is when speaker labels start its paragraphs: at least one
//! label names an official by title ("MS. JEAN-PIERRE", "SECRETARY BLINKEN", "THE PRESIDENT"),
//! the first label comes early (within the first 9 paragraphs: location, time, speaker lines),
//! and there are two or more labels or the one label opens the speech (within the first 4).
//!
//! Measured with a model of these rules over the sets in ../shared/datasets: detected are all
//! 365 White House documents with a titled label, 333 of 334 State Department releases (the
//! missed one has a garbled label at paragraph 70), and none of the 924 PolNeAR or 59 Wikinews
//! articles. Without the title requirement 13 PolNeAR train articles were caught, by headline
//! words ("BUSTED:", "EXCLUSIVE:", "HUFFPOLLSTER:") and by TV excerpts quoted in news
//! ("TAPPER:", "FALLIN:").
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
/// How many paragraphs before the first label any transcript may have: the State Department
/// puts the speakers' names, the city and the venue first (up to 8 measured).
const MAX_PREAMBLE_PARAGRAPHS: usize = 8;

/// Whether the text, cut into `paragraphs`, reads as a transcript.
pub fn is_transcript(text: &str, paragraphs: &[Span], vocab: &Vocabulary) -> bool {
    let mut labelled = 0;
    let mut titled = false;
    let mut first = None;
    for (i, p) in paragraphs.iter().enumerate() {
        if let Some(l) = parse_label(p.slice(text), p.start, vocab) {
            labelled += 1;
            titled |= l.kind != LabelKind::Question && is_titled(&l.words(text), vocab);
            first.get_or_insert(i);
        }
    }
    titled
        && first.is_some_and(|i| {
            i <= MAX_PREAMBLE_PARAGRAPHS && (labelled >= 2 || i <= MAX_OPENING_PARAGRAPHS)
        })
}

/// Whether a label names an office or a courtesy before its last word ("MS. VALE", "THE
/// PRESIDENT"), as officials' labels do; "BUSTED" or "JAKE TAPPER" do not.
fn is_titled(words: &[String], vocab: &Vocabulary) -> bool {
    let Some((_, before)) = words.split_last() else {
        return false;
    };
    (words[0] == "the" && words.len() > 1)
        || before
            .iter()
            .any(|w| vocab.title_words.contains(w) && !vocab.function_words.contains(w))
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

    use crate::transcript::test_paragraphs as paragraphs;

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
        assert!(!detect(
            "The minister said: “We will see.”\n\nOthers agreed."
        ));
    }

    #[test]
    fn headline_words_and_tv_excerpts_quoted_in_news_are_not_transcripts() {
        // Shapes of the 13 PolNeAR articles the first rule caught.
        assert!(!detect(
            "BUSTED: Emails reveal it\n\nThe emails show it.\n\nMore."
        ));
        assert!(!detect(
            "Talks.\n\nJAKE TAPPER:  Will he?\n\nFALLIN:  He will.\n\nTAPPER:  Sure?"
        ));
        assert!(!detect("STAT OF THE WEEK: 42\n\nSHORT READS: none"));
    }

    #[test]
    fn a_label_after_a_long_news_preamble_does_not_make_a_transcript() {
        let news = "One.\n\nTwo.\n\nThree.\n\nFour.\n\nFive.\n\nSix.\n\nSeven.\n\nEight.\n\nNine.";
        assert!(!detect(&format!("{news}\n\nMS. VALE:  Hi.\n\nQ  Yes?")));
    }

    #[test]
    fn a_documents_own_format_beats_the_runs_and_auto_reads_the_text() {
        let v = Vocabulary::builtin().unwrap();
        let t = "MS. VALE:  Hi.\n\nQ  Yes?";
        let p = paragraphs(t);
        assert!(decide(None, DocFormat::Auto, t, &p, &v));
        assert!(!decide(
            Some(DocFormat::Article),
            DocFormat::Transcript,
            t,
            &p,
            &v
        ));
        assert!(decide(
            Some(DocFormat::Transcript),
            DocFormat::Article,
            "x",
            &[],
            &v
        ));
        assert!(!decide(None, DocFormat::Article, t, &p, &v));
    }
}
