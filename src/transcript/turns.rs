//! Turns: a turn starts at a speaker label and runs to the next one, over any number of
//! paragraphs. Its words are cut into segments, one per paragraph, split again where a stage
//! direction stands inside ("… a good friend.  (Laughter.)  But …"): stage directions, times
//! and "END" are not speech. Each segment becomes one statement.
//!
//! ```
//! use tonetrack::transcript::{turns::turns, Vocabulary};
//! use tonetrack::types::Span;
//! let vocab = Vocabulary::builtin().unwrap();
//! let t = "MS. VALE:  Good afternoon.  (Laughter.)  Let me start.";
//! let ts = turns(t, &[Span::new(0, t.len())], &vocab);
//! let words: Vec<&str> = ts[0].segments.iter().map(|s| s.span.slice(t)).collect();
//! assert_eq!(words, ["Good afternoon.", "Let me start."]);
//! ```

use crate::types::Span;

use super::label::{direction_len, parse_label, Label};
use super::Vocabulary;

/// Words of one turn in one paragraph, between stage directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub span: Span,
    /// Index of the paragraph (in the list given to [`turns`]).
    pub paragraph: usize,
}

/// One speaker's turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub label: Label,
    /// Index of the paragraph the label opens.
    pub paragraph: usize,
    pub segments: Vec<Segment>,
}

/// The turns of a transcript, in reading order. Paragraphs before the first label (location,
/// time, an introduction) belong to no turn.
pub fn turns(text: &str, paragraphs: &[Span], vocab: &Vocabulary) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let s = p.slice(text);
        if vocab.is_not_speech(s) {
            continue;
        }
        if let Some(label) = parse_label(s, p.start, vocab) {
            let speech = Span::new(label.speech_start, p.end);
            out.push(Turn {
                label,
                paragraph: i,
                segments: segments(text, speech, i),
            });
        } else if let Some(turn) = out.last_mut() {
            turn.segments.extend(segments(text, *p, i));
        }
    }
    out
}

/// The speech of `span` split at stage directions, trimmed; pieces without a letter dropped.
pub fn segments(text: &str, span: Span, paragraph: usize) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut piece_start = span.start;
    let mut at = span.start;
    while at < span.end {
        let rest = &text[at..span.end];
        let Some(open) = rest.find('(') else { break };
        let open = at + open;
        match direction_len(&text[open..span.end]) {
            Some(n) => {
                push_piece(text, Span::new(piece_start, open), paragraph, &mut out);
                at = open + n;
                piece_start = at;
            }
            None => at = open + 1,
        }
    }
    push_piece(text, Span::new(piece_start, span.end), paragraph, &mut out);
    out
}

fn push_piece(text: &str, span: Span, paragraph: usize, out: &mut Vec<Segment>) {
    let span = crate::segment::trim_span(text, span);
    if span.slice(text).chars().any(char::is_alphabetic) {
        out.push(Segment { span, paragraph });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::label::LabelKind;

    use crate::transcript::test_paragraphs as paragraphs;

    fn cut(text: &str) -> Vec<(String, Vec<String>)> {
        turns(text, &paragraphs(text), &Vocabulary::builtin().unwrap())
            .into_iter()
            .map(|t| {
                (
                    t.label.span.slice(text).to_string(),
                    t.segments
                        .iter()
                        .map(|s| s.span.slice(text).to_string())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_turn_runs_over_paragraphs_to_the_next_label() {
        let t = "Room\n\n4:05 P.M. EST\n\nMS. VALE:  One.\n\nTwo.\n\nQ  Why?\n\nMS. VALE:  Three.\n\nEND";
        assert_eq!(
            cut(t),
            [
                ("MS. VALE".into(), vec!["One.".to_string(), "Two.".into()]),
                ("Q".into(), vec!["Why?".into()]),
                ("MS. VALE".into(), vec!["Three.".into()]),
            ]
        );
    }

    #[test]
    fn stage_directions_inside_and_around_speech_are_left_out() {
        let t = "PRESIDENT OKAFOR:  (As interpreted.)  Thank you.  (Applause.)\n\n(Laughter.)\n\nWe agree (NATO) on this.";
        assert_eq!(
            cut(t),
            [(
                "PRESIDENT OKAFOR".into(),
                vec!["Thank you.".to_string(), "We agree (NATO) on this.".into()]
            )]
        );
    }

    #[test]
    fn the_label_kind_travels_with_the_turn() {
        let t = "MODERATOR:  Next question.\n\nQ  Hello.";
        let ts = turns(t, &paragraphs(t), &Vocabulary::builtin().unwrap());
        assert_eq!(ts[0].label.kind, LabelKind::Unnamed);
        assert_eq!(ts[1].label.kind, LabelKind::Question);
    }
}
