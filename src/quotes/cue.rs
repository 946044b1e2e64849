//! Cues: the reporting verbs and phrases that attribute words to a speaker ("said", "told",
//! "hailed", "according to", "made clear"), found at a token with what they report and where
//! their speaker stands; and the sentence-closing cue (", he said.").
//!
//! ```text
//! Wang said …              cue "said" (speech; speaker before it)
//! … according to the AP    cue "according to" (speaker after it)
//! the report said …        cue "said"; "report" after "the" is a noun, no cue
//! …, saying the talks …    cue "saying": a participle reports only after a comma, "by",
//!                          an auxiliary or a name
//! ```

use crate::segment::is_capitalized;

use super::doc::Doc;
use super::{CueType, Extractor, SourceSide};

/// A cue occurrence: token range and what kind of cue it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cue {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: CueType,
    pub(super) source: SourceSide,
    pub(super) addressee: bool,
    pub(super) quote_object: bool,
    pub(super) np_complement: bool,
    pub(super) to_complement: bool,
}

impl Cue {
    /// A colon standing for the reporting verb ("Okafor: …", "… was clear: “…”").
    pub(super) fn colon(at: usize) -> Cue {
        Cue {
            start: at,
            end: at + 1,
            kind: CueType::Speech,
            source: SourceSide::Before,
            addressee: false,
            quote_object: false,
            np_complement: false,
            to_complement: false,
        }
    }
}

impl Extractor {
    pub(super) fn cue_at(&self, doc: &Doc, i: usize) -> Option<Cue> {
        if doc.is_punct(i) || doc.quote_of[i].is_some() {
            return None;
        }
        // Punctuation and quotation marks never equal a phrase word, so the raw window works.
        let window_end = (i + self.lex.max_phrase_words()).min(doc.toks.len());
        let words = (i..window_end).map(|k| &doc.folded[k]);
        if let Some(p) = self
            .lex
            .phrase_at(words)
            .filter(|p| (i..i + p.words.len()).all(|j| doc.quote_of[j].is_none()))
        {
            return Some(Cue {
                start: i,
                end: i + p.words.len(),
                kind: p.kind,
                source: p.source,
                addressee: false,
                quote_object: false,
                np_complement: p.np_complement,
                to_complement: false,
            });
        }
        let v = self.lex.verb(&doc.folded[i])?;
        // A capitalised verb form inside a sentence is a name ("United States"), except in a
        // title-case headline ("Rubio Says Reform Was a Sign of Leadership").
        if is_capitalized(doc.word(i))
            && doc.sent_range(i).0 != i
            && !(doc.in_headline(i) && v.kind != CueType::Belief && !v.participle)
        {
            return None;
        }
        if !v.participle && i > 0 && self.is_noun_slot(doc, i - 1) {
            // After an article, a possessive or "of" the form is a noun: "Trump's comments",
            // "the report", "the secretary of state".
            return None;
        }
        // "32% of Republican claims as …": a form in -s after "of" and a capitalised word is a
        // plural noun, not a verb with a subject.
        if i > 1
            && doc.folded[i].ends_with('s')
            && &doc.folded[i - 2] == "of"
            && doc.toks[i - 1].is_word()
            && is_capitalized(doc.word(i - 1))
        {
            return None;
        }
        if v.participle {
            // "saying" reports only after "by" or an auxiliary ("was saying", "responded by saying").
            let prev = i.checked_sub(1).map(|p| &doc.folded[p]).unwrap_or("");
            // After a comma it is a participial attribution ("…, saying “…”") whose speaker is
            // the subject of the main clause.
            // After "upon"/"after"/"while" it reports too ("upon saying, “…”"), and after a name
            // it is that person speaking ("footage of Trump saying, “…”").
            let after_name = i > 0
                && doc.toks[i - 1].is_word()
                && is_capitalized(doc.word(i - 1))
                && doc.sent_range(i).0 != i - 1;
            if !(matches!(
                prev,
                "by" | "," | "upon" | "after" | "before" | "while" | "when" | "without"
            ) || after_name
                || self.lex.grammar.copulas.contains(prev))
            {
                return None;
            }
        }
        Some(Cue {
            start: i,
            end: i + 1,
            kind: v.kind,
            source: SourceSide::Before,
            addressee: v.addressee,
            quote_object: v.quote_object,
            np_complement: v.np_complement,
            to_complement: v.to_complement,
        })
    }

    /// Whether the word at `i` makes the word after it a noun: an article or possessive
    /// determiner, a possessive ("Trump's"), or "of". Quantifiers ("some", "many", "one") are
    /// left out: they can be the subject of a verb ("some said").
    pub(super) fn is_noun_slot(&self, doc: &Doc, i: usize) -> bool {
        if !doc.toks[i].is_word() || doc.quote_of[i].is_some() {
            return false;
        }
        let w = &doc.folded[i];
        let g = &self.lex.grammar;
        g.noun_markers.contains(w)
            || (w.len() > 2
                && (w.ends_with("'s") || w.ends_with("s'"))
                && !g.pronouns.contains_key(w.trim_end_matches("'s"))
                && !g.s_contractions.contains(w))
    }

    pub(super) fn is_participle(&self, doc: &Doc, cue: &Cue) -> bool {
        cue.end == cue.start + 1
            && self
                .lex
                .verb(&doc.folded[cue.start])
                .is_some_and(|v| v.participle)
    }

    /// ", he said." / ", Ruiz added." ending the sentence after token `from`: the cue, when
    /// it is the sentence's last word before its final punctuation and a short subject
    /// stands between it and a comma.
    pub(super) fn sentence_closing_cue(&self, doc: &Doc, from: usize, s_end: usize) -> Option<Cue> {
        let mut last = s_end;
        while last > from && doc.is_punct(last - 1) && !doc.is_quote_mark(last - 1) {
            last -= 1;
        }
        let verb = last
            .checked_sub(1)
            .filter(|&v| v > from + 2 && doc.quote_of[v].is_none())?;
        let cue = self.cue_at(doc, verb).filter(|c| {
            c.end == last && c.source == SourceSide::Before && c.kind != CueType::Belief
        })?;
        let np = self.subject_left(doc, cue.start)?;
        (np.start > from + 1 && np.end - np.start <= 4 && doc.word(np.start - 1) == ",")
            .then_some(cue)
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::rules;
    use crate::quotes::Rule;

    #[test]
    fn a_verb_form_after_an_article_is_a_noun_not_a_cue() {
        assert_eq!(
            rules("The report said the talks had failed."),
            [(Rule::Reported, "The report")]
        );
    }

    #[test]
    fn a_participle_after_a_comma_reports_for_the_main_clause() {
        assert_eq!(
            rules("Ruiz ended the meeting, saying the talks had failed."),
            [(Rule::Reported, "Ruiz")]
        );
    }

    #[test]
    fn a_sentence_closing_cue_covers_every_quote_of_the_sentence() {
        assert_eq!(
            rules(
                "The race was “stagnant” as donors waited for a “turbulent cycle” to end, he said."
            ),
            [(Rule::AfterQuote, "he")]
        );
    }

    #[test]
    fn a_form_in_s_after_of_and_a_capitalised_word_is_a_plural_noun() {
        let text = "The panel rated 40% of Labour claims as “misleading and plainly false” in May.";
        assert!(
            rules(text)
                .iter()
                .all(|(_, speaker)| !speaker.contains("Labour")),
            "{:?}",
            rules(text)
        );
    }
}
