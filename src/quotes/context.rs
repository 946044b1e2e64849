//! Attribution from beyond the quote's own sentence: the next sentence when it only
//! attributes, a colon closing the paragraph before, a dash byline, the speaker of the
//! sentence before or of the paragraph, and a speaker carried over from the quote before.
//!
//! ```text
//! “We will not back down.” Okafor said so on Monday.    next-sentence           "Okafor"
//! Trump said in a statement: ¶ “…”                       colon-before-paragraph  "Trump"
//! “…” ¶ — Ana Ruiz, Dayton.                              dash-byline             "Ana Ruiz"
//! Ruiz spoke about the ruling. “It protects no one.”     previous-sentence       "Ruiz"
//! “A,” she said. “B.”                                    paragraph (one statement)
//! ```

use rustc_hash::FxHashSet as HashSet;

use crate::segment::is_capitalized;
use crate::types::Statement;

use super::attribute::Attribution;
use super::cue::Cue;
use super::doc::Doc;
use super::marks::Quote;
use super::np::Np;
use super::{CueType, Extractor, Rule, SourceSide};

/// How many sentences before a quote's own the paragraph's last speaker is looked for.
const PARAGRAPH_SPEAKER_SENTENCES: usize = 2;

impl Extractor {
    /// A quote with no attribution of its own continues the speaker of the paragraph (an
    /// earlier quote in it) or, when it opens the paragraph, of the previous paragraph.
    pub(super) fn carry_over(&self, doc: &Doc, q: &Quote, earlier: &[Statement]) -> Option<Rule> {
        let para = doc.para_of[q.open];
        let last = earlier.last()?;
        if last.paragraph == para {
            return Some(Rule::Paragraph);
        }
        let para_start = (0..q.open)
            .rev()
            .take_while(|&t| doc.para_of[t] == para)
            .count()
            == 0;
        if para_start && last.paragraph + 1 >= para && last.paragraph < para {
            return Some(Rule::Continuation);
        }
        None
    }

    /// "“We will not back down.” Okafor said so on Monday.": a quote that ends its sentence,
    /// attributed by the next sentence of the paragraph when that sentence is only an
    /// attribution (its verb has no clause of its own).
    pub(super) fn next_sentence(
        &self,
        doc: &Doc,
        q: &Quote,
        used: &HashSet<usize>,
    ) -> Option<Attribution> {
        let c = q.close?;
        let (_, s_end) = doc.sent_range(c);
        if (c + 1..s_end).any(|t| doc.toks[t].is_word())
            || s_end >= doc.toks.len()
            || doc.para_of[s_end] != doc.para_of[c]
        {
            return None;
        }
        let (n_start, n_end) = doc.sent_range(s_end);
        let np = self.subject_right(doc, n_start)?;
        let mut m = np.end;
        while m < n_end && self.lex.grammar.between.contains(&doc.folded[m]) {
            m += 1;
        }
        let cue = self.cue_at(doc, m.min(n_end.saturating_sub(1)))?;
        if cue.start != m
            || cue.source != SourceSide::Before
            || used.contains(&cue.start)
            || cue.kind == CueType::Belief
        {
            return None;
        }
        (!self.opens_clause(doc, cue.end, n_end) && self.ends_clause(doc, cue.end, n_end))
            .then_some(Attribution {
                cue,
                subject: Some(np),
                how: Rule::NextSentence,
            })
    }

    /// "Trump said in a statement:" closing the paragraph before a quote paragraph.
    pub(super) fn colon_before_paragraph(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let para = doc.para_of[q.open];
        if q.open == 0 || doc.para_of[q.open - 1] == para || doc.word(q.open - 1) != ":" {
            return None;
        }
        let (s_start, s_end) = doc.sent_range(q.open - 1);
        (s_start..s_end).rev().find_map(|i| {
            let cue = self.cue_at(doc, i)?;
            if cue.source != SourceSide::Before {
                return None;
            }
            // "Stated Penn:": a verb that opens the sentence has its subject after it.
            let np = self.subject_left(doc, cue.start).or_else(|| {
                (cue.start == s_start)
                    .then(|| self.subject_right(doc, cue.end))
                    .flatten()
            })?;
            Some(Attribution {
                cue,
                subject: Some(np),
                how: Rule::ColonBeforeParagraph,
            })
        })
    }

    /// "“…” ¶ — Ana Ruiz, Dayton.": a quote paragraph signed by the next paragraph, which opens
    /// with a dash and a name (quote collections, transcripts, fact checks).
    pub(super) fn dash_byline(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let c = q.close?;
        let para = doc.para_of[c];
        let next =
            (c + 1..doc.toks.len()).find(|&t| doc.para_of[t] != para || doc.toks[t].is_word())?;
        if doc.para_of[next] == para
            || !matches!(doc.word(next), "-" | "—" | "–" | "--")
            || next + 1 >= doc.toks.len()
        {
            return None;
        }
        let np = self
            .subject_right(doc, next + 1)
            .filter(|np| doc.para_of[np.start] != para && is_capitalized(doc.word(np.start)))?;
        let cue = Cue::colon(next);
        Some(Attribution {
            cue,
            subject: Some(np),
            how: Rule::DashByline,
        })
    }

    /// "Ruiz spoke about the ruling on Monday. “It protects no one.”": a quote that opens its
    /// sentence with no attribution of its own belongs to the speaker of the sentence before
    /// (in its paragraph, or the last of the previous paragraph when the quote opens its
    /// own): the subject of its first reporting verb, else its main clause's subject when that
    /// is a name, a pronoun or an unnamed speaker ("the judge").
    pub(super) fn previous_sentence_subject(&self, doc: &Doc, q: &Quote) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(q.open);
        if s_start == 0 || (s_start..q.open).any(|t| doc.toks[t].is_word()) {
            return None;
        }
        let prev = s_start - 1;
        if doc.in_headline(prev) || doc.para_of[q.open] > doc.para_of[prev] + 1 {
            return None;
        }
        let (p_start, p_end) = doc.sent_range(prev);
        let mut i = p_start;
        while i < p_end {
            if doc.quote_of[i].is_some() {
                i += 1;
                continue;
            }
            let Some(cue) = self.cue_at(doc, i) else {
                i += 1;
                continue;
            };
            let np = match cue.source {
                SourceSide::Before => self.subject_left(doc, cue.start),
                SourceSide::After => self.subject_right(doc, cue.end),
            };
            if let Some(np) = np {
                return Some(np);
            }
            i = cue.end;
        }
        let np = self.main_clause_subject(doc, p_end, p_start)?;
        let pronoun = g.pronouns.contains_key(&doc.folded[np.start]) && np.end - np.start == 1;
        // A determiner capitalised because it opens the sentence names nobody ("The meeting
        // came after …" is no speaker of the next sentence's quote).
        let s0 = doc.sent_range(np.start).0;
        let named = (np.start..np.end).any(|t| {
            doc.toks[t].is_word()
                && is_capitalized(doc.word(t))
                && !(t == s0 && g.determiners.contains(&doc.folded[t]))
        }) && !self.is_common_word_np(doc, &np);
        let unnamed = g.collective.contains(&doc.folded[np.end - 1]);
        (pronoun || named || unnamed).then_some(np)
    }

    /// The most recent speaker of the quote's paragraph: the subject of the last reporting
    /// verb before the quote, in its own sentence or in up to `PARAGRAPH_SPEAKER_SENTENCES`
    /// sentences before it ("Ruiz said she was angered by the ruling. Doing so “…”"). A quote
    /// with no attribution of its own in a paragraph about one speaker is that speaker's; the
    /// paragraph boundary is where news writing switches speakers, so the search stops there.
    pub(super) fn paragraph_speaker(&self, doc: &Doc, q: &Quote) -> Option<Np> {
        let para = doc.para_of[q.open];
        let mut sentence = doc.sent_of[q.open];
        for _ in 0..=PARAGRAPH_SPEAKER_SENTENCES {
            let (s_start, s_end) = doc.sents[sentence];
            if doc.para_of[s_start] != para || doc.in_headline(s_start) {
                return None;
            }
            let mut i = s_end.min(q.open);
            while i > s_start {
                i -= 1;
                if doc.quote_of[i].is_some() {
                    continue;
                }
                let Some(cue) = self.cue_at(doc, i) else {
                    continue;
                };
                if cue.end > q.open || cue.kind == CueType::Belief {
                    continue;
                }
                let np = match cue.source {
                    SourceSide::Before => self.subject_left(doc, cue.start),
                    SourceSide::After => self.subject_right(doc, cue.end),
                };
                if np.is_some() {
                    return np;
                }
            }
            sentence = sentence.checked_sub(1)?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::{rules, statements};
    use crate::quotes::{Flag, Rule};

    #[test]
    fn a_next_sentence_that_only_attributes_names_the_speaker() {
        assert_eq!(
            rules("“We will not back down.” Okafor said so on Monday."),
            [(Rule::NextSentence, "Okafor")]
        );
    }

    #[test]
    fn a_colon_closing_the_paragraph_before_names_the_speaker() {
        assert_eq!(
            rules("Trump said in a statement:\n“We will win this fight.”"),
            [(Rule::ColonBeforeParagraph, "Trump")]
        );
    }

    #[test]
    fn a_dash_and_a_name_in_the_next_paragraph_sign_the_quote() {
        assert_eq!(
            rules("“The schools need more help.”\n— Ana Ruiz, Dayton."),
            [(Rule::DashByline, "Ana Ruiz")]
        );
    }

    #[test]
    fn a_quote_broken_by_its_attribution_is_one_statement() {
        let text = "“We will win,” she said. “We always do.”";
        assert_eq!(rules(text), [(Rule::AfterQuote, "she")]);
        assert!(statements(text)[0].flags.contains(&Flag::SplitQuote));
    }

    #[test]
    fn a_quote_opening_the_next_paragraph_continues_its_speaker() {
        assert_eq!(
            rules("“We will win,” Ruiz said.\n“We always do.”"),
            [(Rule::AfterQuote, "Ruiz"), (Rule::Continuation, "Ruiz")]
        );
    }

    #[test]
    fn a_quote_opening_its_sentence_belongs_to_the_speaker_of_the_sentence_before() {
        assert_eq!(
            rules("Ruiz spoke about the ruling on Monday. “It protects no one.”"),
            [(Rule::Reported, "Ruiz"), (Rule::PreviousSentence, "Ruiz")]
        );
    }

    #[test]
    fn a_quote_with_no_attribution_belongs_to_its_paragraphs_last_speaker() {
        assert_eq!(
            rules("Ruiz said she was angered by the ruling. Doing so “would hurt the poor most.”"),
            [(Rule::Reported, "Ruiz"), (Rule::ParagraphSpeaker, "Ruiz")]
        );
    }
}
