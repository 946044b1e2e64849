//! A quotation as a statement: direct ("“…,” she said") or partial (words of the reporter's
//! before the quote in its clause: "called the talks “productive”"), with its cue, speaker,
//! addressee and flags; the fallbacks when no rule attributes it (the speaker carries over,
//! the subject of its sentence, the sentence before, the paragraph's speaker); and the short
//! quote used as a noun, which is a term and no statement.
//!
//! ```text
//! “Nonsense,” he said.                     direct, after-quote
//! Xi called the talks “productive.”        partial ("called the talks …"), before-quote
//! the “one China” policy                   a term: no statement
//! He has coined a new phrase, “…”          direct, sentence-subject ("He")
//! ```

use rustc_hash::FxHashSet as HashSet;

use crate::segment::{self, fold};
use crate::types::{Flag, Span, Statement, StatementKind};

use super::attribute::Attribution;
use super::doc::Doc;
use super::marks::Quote;
use super::{Extractor, Rule, SourceSide};

/// A quote no longer than this many words, used inside a noun phrase, is a term, not a statement.
pub(super) const MAX_TERM_WORDS: usize = 4;

impl Extractor {
    pub(super) fn quote_statement(
        &self,
        doc: &Doc,
        q: &Quote,
        earlier: &[Statement],
        used: &mut HashSet<usize>,
    ) -> Option<Statement> {
        if q.content.is_empty() {
            return None;
        }
        let attr = self.attribute_quote(doc, q, used);
        if self.is_term(doc, q, attr.as_ref()) {
            return None;
        }
        let para = doc.para_of[q.open];
        let mut flags = q.flags.clone();
        let close_end = q
            .close
            .map(|c| doc.toks[c].span.end)
            .unwrap_or(q.content.end);
        let (s_start, _) = doc.sent_range(q.open);
        let mut st = Statement {
            kind: StatementKind::Direct,
            span: q.content,
            quote: Some(q.content),
            cue: None,
            speaker_mention: None,
            descriptor: None,
            antecedent: None,
            addressee_mention: None,
            attribution: Rule::NotFound,
            cue_type: None,
            flags: Vec::new(),
            paragraph: para,
        };
        match attr {
            Some(Attribution {
                cue,
                subject: Some(np),
                how,
            }) => {
                let np = self.complete_np(doc, np, self.np_limit(doc, &np, cue.start));
                used.insert(cue.start);
                st.cue = Some(doc.span_of(cue.start, cue.end));
                st.cue_type = Some(cue.kind.as_str());
                st.speaker_mention = Some(doc.span_of(np.start, np.end));
                st.descriptor = np.descriptor;
                st.antecedent = self
                    .relative_pronoun_antecedent(doc, &np, s_start)
                    .map(|a| doc.span_of(a.start, a.end));
                st.attribution = how;
                let before_quote = cue.end <= q.open;
                let mut clause_start = if before_quote { cue.end } else { s_start };
                if before_quote && cue.addressee {
                    if let Some(a) = self.subject_right(doc, cue.end) {
                        if a.end <= q.open {
                            st.addressee_mention = Some(doc.span_of(a.start, a.end));
                        }
                    }
                }
                if !before_quote && cue.addressee && cue.source == SourceSide::Before {
                    // "…,” Xi told Blinken": the listener follows the verb.
                    if np.end <= cue.start {
                        if let Some(a) = self.subject_right(doc, cue.end) {
                            st.addressee_mention = Some(doc.span_of(a.start, a.end));
                        }
                    }
                }
                if before_quote {
                    for t in cue.end..q.open {
                        if doc.quote_of[t].is_none() && matches!(&doc.folded[t], "that" | ":" | ",")
                        {
                            clause_start = t + 1;
                        }
                    }
                }
                let words_between = (clause_start..q.open)
                    .filter(|&t| doc.toks[t].is_word())
                    .count();
                if words_between > 0 {
                    st.kind = StatementKind::Partial;
                    st.span = Span::new(doc.toks[clause_start].span.start, close_end);
                }
            }
            Some(Attribution {
                cue,
                subject: None,
                how,
            }) => {
                used.insert(cue.start);
                st.cue = Some(doc.span_of(cue.start, cue.end));
                st.attribution = how;
            }
            None => {}
        }
        if st.speaker_mention.is_none() {
            if let Some(how) = self.carry_over(doc, q, earlier) {
                // The speaker carries over; so does the mention that named them.
                st.attribution = how;
                st.speaker_mention = earlier.last().and_then(|l| l.speaker_mention);
                st.descriptor = earlier.last().and_then(|l| l.descriptor);
            } else if q.open > s_start {
                // No reporting verb anywhere: the quote belongs to the subject of its sentence,
                // a person, a name or a thing that carries words ("He has coined a new phrase,
                // “…”", "The ad targets a “…”", "A lot of people disliked the phrase “…”").
                if let Some(np) = self.main_clause_subject(doc, q.open, s_start) {
                    let np = self.complete_np(doc, np, q.open);
                    st.speaker_mention = Some(doc.span_of(np.start, np.end));
                    st.descriptor = np.descriptor;
                    st.attribution = Rule::SentenceSubject;
                }
            }
        }
        if st.speaker_mention.is_none() && st.attribution == Rule::NotFound {
            if let Some(np) = self.previous_sentence_subject(doc, q) {
                let np = self.complete_np(doc, np, doc.sent_range(np.start).1);
                st.speaker_mention = Some(doc.span_of(np.start, np.end));
                st.descriptor = np.descriptor;
                st.attribution = Rule::PreviousSentence;
            }
        }
        // (A reporting verb with no subject keeps its own reading: the quote is probably a
        // phrase of the reported clause around it, dropped with it below.)
        if st.speaker_mention.is_none() && st.attribution == Rule::NotFound {
            if let Some(np) = self.paragraph_speaker(doc, q) {
                let np = self.complete_np(doc, np, doc.sent_range(np.start).1);
                st.speaker_mention = Some(doc.span_of(np.start, np.end));
                st.descriptor = np.descriptor;
                st.attribution = Rule::ParagraphSpeaker;
            }
        }
        if st.attribution == Rule::NotFound || st.attribution == Rule::BeforeQuoteNoSubject {
            flags.push(Flag::Unattributed);
        }
        st.flags = flags;
        Some(st)
    }

    /// A short quote used as a noun ("the “one China” policy") rather than as something said.
    pub(super) fn is_term(&self, doc: &Doc, q: &Quote, attr: Option<&Attribution>) -> bool {
        let content = q.content.slice(doc.text).trim_end();
        if self.word_count(doc, q.content) > MAX_TERM_WORDS
            || content.ends_with([',', '.', '!', '?', ';'])
        {
            return false;
        }
        // A quote that starts with an auxiliary or modal is a predicate ("“can overcome …”").
        let first = content
            .split_whitespace()
            .next()
            .map(fold)
            .unwrap_or_default();
        if attr.is_some() && self.lex.grammar.finite.contains(first.as_str()) {
            return false;
        }
        let (s_start, _) = doc.sent_range(q.open);
        let Some(attr) = attr else {
            return true;
        };
        if q.open == s_start {
            return false; // “Nonsense,” he said.
        }
        let prev = q.open - 1;
        let cue = attr.cue;
        if cue.end <= q.open {
            let gap = q.open - cue.end;
            if gap == 0 {
                return false; // hailed “progress”
            }
            let gap_clean = (cue.end..q.open).all(|t| {
                doc.toks[t].is_word() && !self.lex.grammar.prepositions.contains(&doc.folded[t])
            });
            if cue.quote_object && gap <= 4 && gap_clean {
                return false; // called the talks “productive”
            }
        }
        !self.lex.grammar.copulas.contains(&doc.folded[prev])
    }

    pub(super) fn word_count(&self, doc: &Doc, span: Span) -> usize {
        segment::tokenize(doc.text, span)
            .iter()
            .filter(|t| t.is_word())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::{rules, statements};
    use crate::quotes::{Flag, Rule};
    use crate::types::StatementKind;

    #[test]
    fn a_short_quote_used_as_a_noun_is_a_term_and_no_statement() {
        assert_eq!(rules("The “one China” policy stands."), []);
    }

    #[test]
    fn words_of_the_reporter_before_the_quote_make_it_partial() {
        let text = "Xi called the talks “productive and candid.”";
        assert_eq!(rules(text), [(Rule::BeforeQuote, "Xi")]);
        assert_eq!(statements(text)[0].kind, StatementKind::Partial);
    }

    #[test]
    fn a_quote_with_no_speaker_anywhere_is_flagged_unattributed() {
        let text = "“We will not back down.”";
        assert_eq!(rules(text), [(Rule::NotFound, "")]);
        assert_eq!(statements(text)[0].flags, [Flag::Unattributed]);
    }

    #[test]
    fn without_a_reporting_verb_the_sentence_subject_speaks() {
        assert_eq!(
            rules("He has coined a new phrase, “the forgotten middle.”"),
            [(Rule::SentenceSubject, "He")]
        );
    }
}
