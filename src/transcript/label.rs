//! Speaker labels: the upper-case words that open a transcript paragraph and say who speaks
//! ("PRESIDENT BIDEN:", "PRIME MINISTER MODI: (As interpreted.)", "MS. JEAN-PIERRE:", "Q").
//! A label is only recognised at the very start of a paragraph, so news text, where capitals
//! and colons occur mid-sentence, never yields one.
//!
//! ```
//! use tonetrack::transcript::label::{parse_label, LabelKind};
//! use tonetrack::transcript::Vocabulary;
//! let vocab = Vocabulary::builtin().unwrap();
//! let p = "PRIME MINISTER MODI:  (As interpreted.)  Thank you.";
//! let label = parse_label(p, 0, &vocab).unwrap();
//! assert_eq!(label.span.slice(p), "PRIME MINISTER MODI");
//! assert_eq!(label.kind, LabelKind::Named);
//! assert_eq!(&p[label.speech_start..], "Thank you.");
//! ```

use crate::segment::fold;
use crate::types::Span;

use super::Vocabulary;

/// Longest label accepted, in bytes: "DEPUTY NATIONAL SECURITY ADVISOR FOR INTERNATIONAL
/// ECONOMICS SINGH" is 66; a longer upper-case run before a colon is a heading.
const MAX_LABEL_BYTES: usize = 80;
/// Most words a label may have.
const MAX_LABEL_WORDS: usize = 9;

/// What a label says about the speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// A reporter's question ("Q", "Q:").
    Question,
    /// A person by name, maybe with a title ("SECRETARY BLINKEN", "MS. JEAN-PIERRE").
    Named,
    /// An office without a name ("THE PRESIDENT", "THE VICE PRESIDENT").
    Office,
    /// A role that names nobody ("MODERATOR", "SENIOR ADMINISTRATION OFFICIAL").
    Unnamed,
}

/// A label found at the start of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The label as written, without its colon ("PRESIDENT BIDEN").
    pub span: Span,
    pub kind: LabelKind,
    /// Where the speech starts: after the colon, blanks and any leading stage direction.
    pub speech_start: usize,
}

impl Label {
    /// The label's words, folded, full stops dropped ("ms", "jean-pierre").
    pub fn words(&self, text: &str) -> Vec<String> {
        label_words(self.span.slice(text))
    }
}

/// Folded words of a label or name: "MS. JEAN-PIERRE" → ["ms", "jean-pierre"].
pub fn label_words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| fold(w.trim_matches(|c: char| c == '.' || c == ',')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The label at the start of paragraph `para` (which starts at byte `start` of the text it
/// was cut from), or None.
pub fn parse_label(para: &str, start: usize, vocab: &Vocabulary) -> Option<Label> {
    let lead = para.len() - para.trim_start().len();
    let body = &para[lead..];
    // "Q" with or without a colon: "Q  Thank you, Karine." / "Q:  Mr. President …"
    if let Some(rest) = body.strip_prefix('Q') {
        let after = rest.strip_prefix(':').unwrap_or(rest);
        if rest.is_empty() || (after.starts_with(char::is_whitespace) || rest.starts_with(':')) {
            let label_end = lead + 1;
            let speech = lead + (body.len() - after.len());
            return Some(Label {
                span: Span::new(start + lead, start + label_end),
                kind: LabelKind::Question,
                speech_start: start + skip_directions(para, speech),
            });
        }
    }
    let colon = body.find(':')?;
    if colon == 0 || colon > MAX_LABEL_BYTES {
        return None;
    }
    let name = body[..colon].trim_end();
    // A colon inside a time ("4:05 P.M.") or a URL is not a label's.
    let after = &body[colon + 1..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    if !is_label_text(name) {
        return None;
    }
    let words = label_words(name);
    if words.is_empty() || words.len() > MAX_LABEL_WORDS {
        return None;
    }
    let joined = words.join(" ");
    if vocab.not_labels.contains(&joined) || vocab.not_label_first_words.contains(&words[0]) {
        return None;
    }
    let last = words
        .iter()
        .rev()
        .find(|w| !vocab.numbering_words.contains(*w));
    let kind = if vocab.question_labels.contains(&joined) {
        LabelKind::Question
    } else if last.is_some_and(|w| vocab.unnamed_words.contains(w)) {
        LabelKind::Unnamed
    } else if words[0] == "the" {
        LabelKind::Office
    } else {
        LabelKind::Named
    };
    Some(Label {
        span: Span::new(start + lead, start + lead + name.len()),
        kind,
        speech_start: start + skip_directions(para, lead + colon + 1),
    })
}

/// Upper-case letters (any script with case), spaces and the marks names use; at least two
/// letters, and no lower-case letter at all.
fn is_label_text(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_alphabetic() {
            if c.is_lowercase() {
                return false;
            }
            letters += 1;
        } else if !(c == ' ' || c == '.' || c == '-' || c == '\'' || c == '’' || c == ',') {
            return false;
        }
    }
    letters >= 2 && s.chars().next().is_some_and(char::is_uppercase)
}

/// The byte after blanks and leading stage directions ("(As interpreted.)") from `at`.
fn skip_directions(para: &str, mut at: usize) -> usize {
    loop {
        let rest = &para[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        match direction_len(trimmed) {
            Some(n) => at += n,
            None => return at,
        }
    }
}

/// Most words a stage direction has: "(Speaks in Japanese; no translation provided.)" is 7.
const MAX_DIRECTION_WORDS: usize = 10;

/// The length of a stage direction at the start of `s` ("(Laughter.)", "(As interpreted.)",
/// "(inaudible)"): a parenthesis of a few words that ends in a full stop, or that is all
/// lower case. "(NATO)" or "(and I mean it)" are speech.
pub fn direction_len(s: &str) -> Option<usize> {
    if !s.starts_with('(') {
        return None;
    }
    let close = s.find(')')?;
    let inner = s[1..close].trim();
    if inner.is_empty() || inner.split_whitespace().count() > MAX_DIRECTION_WORDS {
        return None;
    }
    let first_upper = inner.chars().next().is_some_and(char::is_uppercase);
    let ends_stop = inner.ends_with('.') || inner.ends_with(".\u{201d}");
    let all_lower = inner
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_lowercase);
    let known = matches!(
        fold(inner).as_str(),
        "inaudible"
            | "in progress"
            | "cross-talk"
            | "crosstalk"
            | "laughs"
            | "laughter"
            | "applause"
    );
    ((first_upper && ends_stop) || known || (all_lower && inner.split_whitespace().count() <= 3))
        .then_some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::builtin().unwrap()
    }

    fn label(p: &str) -> Option<(String, LabelKind, String)> {
        parse_label(p, 0, &vocab()).map(|l| {
            (
                l.span.slice(p).to_string(),
                l.kind,
                p[l.speech_start..].to_string(),
            )
        })
    }

    #[test]
    fn a_title_and_surname_before_a_colon_is_a_named_label() {
        let (l, k, rest) = label("PRESIDENT BIDEN:  Mr. Prime Minister, welcome.").unwrap();
        assert_eq!(l, "PRESIDENT BIDEN");
        assert_eq!(k, LabelKind::Named);
        assert_eq!(rest, "Mr. Prime Minister, welcome.");
    }

    #[test]
    fn courtesy_titles_hyphens_and_accents_are_part_of_a_label() {
        assert_eq!(label("MS. JEAN-PIERRE:  Hi.").unwrap().0, "MS. JEAN-PIERRE");
        assert_eq!(
            label("PRESIDENT LÓPEZ OBRADOR:  (As interpreted.)  Gracias.").unwrap(),
            (
                "PRESIDENT LÓPEZ OBRADOR".to_string(),
                LabelKind::Named,
                "Gracias.".to_string()
            )
        );
    }

    #[test]
    fn a_reporters_q_with_or_without_colon_is_a_question() {
        assert_eq!(
            label("Q  Thank you, Karine.").unwrap().1,
            LabelKind::Question
        );
        assert_eq!(label("Q:  Mr. President?").unwrap().2, "Mr. President?");
        assert_eq!(label("Q").unwrap().1, LabelKind::Question);
        assert!(label("Quite so: he left.").is_none());
    }

    #[test]
    fn office_and_role_labels_are_told_apart_from_names() {
        assert_eq!(
            label("THE PRESIDENT:  Thanks.").unwrap().1,
            LabelKind::Office
        );
        assert_eq!(label("MODERATOR:  Next.").unwrap().1, LabelKind::Unnamed);
        assert_eq!(
            label("SENIOR ADMINISTRATION OFFICIAL:  So.").unwrap().1,
            LabelKind::Unnamed
        );
        assert_eq!(
            label("SENIOR STATE DEPARTMENT OFFICIAL TWO:  Yes.")
                .unwrap()
                .1,
            LabelKind::Unnamed
        );
    }

    #[test]
    fn news_sentences_times_and_headings_are_not_labels() {
        assert!(label("The president said: “We will see.”").is_none());
        assert!(label("4:05 P.M. EST").is_none());
        assert!(label("END").is_none());
        assert!(label("UPDATE: The talks resumed.").is_none());
        assert!(label("WASHINGTON (AP) — Talks began.").is_none());
        assert!(label("NATO:all").is_none());
        assert!(label("VESSEL TYPE:  Crude Oil Tanker").is_none());
    }

    #[test]
    fn stage_directions_are_short_parentheses_ending_in_a_full_stop() {
        assert_eq!(direction_len("(Laughter.) So"), Some(11));
        assert_eq!(direction_len("(inaudible) and"), Some(11));
        assert_eq!(direction_len("(NATO) is"), None);
        assert_eq!(
            direction_len("(and I mean it, Mr. Prime Minister) yes"),
            None
        );
    }
}
