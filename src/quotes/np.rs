//! Noun-phrase shapes: which words may stand inside a speaker's phrase (names with their
//! initials, particles and titles; speaker nouns), the words that open or join one, and the
//! completion of a phrase a reader cut short.
//!
//! ```text
//! Sen. Richard J. Durbin         one phrase: the stops of a title and an initial stay inside
//! Sorin van der Hale             one phrase: particles before a capitalised word
//! the director of | said         cut after "of": completed to the next boundary when there is one
//! Corporate lobbyists said       a lone capitalised modifier runs on over its nouns
//! ```

use crate::segment::is_capitalized;
use crate::types::Span;

use super::doc::Doc;
use super::Extractor;

/// Lowercase particles of family names ("van der Hale", "de la Cruz", "bin Salman").
const NAME_PARTICLES: [&str; 14] = [
    "van", "der", "den", "de", "von", "al", "bin", "da", "di", "du", "le", "la", "del", "ter",
];

/// How many words a speaker's noun phrase may have.
pub(super) const MAX_NP_WORDS: usize = 10;
/// How many words a speaker's description after its cue may have ("a longtime adviser to …").
pub(super) const MAX_DESCRIPTION_WORDS: usize = 25;

/// A speaker noun phrase found around a cue.
#[derive(Debug, Clone, Copy)]
pub(super) struct Np {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) descriptor: Option<Span>,
}

impl Extractor {
    pub(super) fn is_np_word(&self, doc: &Doc, i: usize) -> bool {
        if doc.quote_of[i].is_some() {
            return false;
        }
        if !doc.toks[i].is_word() {
            // The stop of an initial or a title inside a name: "Marc E. Elias", "Gov. Bush".
            return doc.word(i) == "."
                && i > 0
                && i + 1 < doc.toks.len()
                && doc.toks[i - 1].span.end == doc.toks[i].span.start
                && doc.toks[i + 1].is_word()
                && is_capitalized(doc.word(i + 1))
                && (doc.word(i - 1).chars().count() == 1
                    || self.abbreviations.contains(doc.word(i - 1)))
                && is_capitalized(doc.word(i - 1));
        }
        let g = &self.lex.grammar;
        let w = &doc.folded[i];
        if NAME_PARTICLES.contains(&w) {
            // "Sorin van der Hale": particles inside a name, when a name word follows.
            return (i + 1..(i + 3).min(doc.toks.len()))
                .any(|k| doc.toks[k].is_word() && is_capitalized(doc.word(k)));
        }
        if self.lex.verb(w).is_some() && !is_capitalized(doc.word(i)) {
            return false;
        }
        is_capitalized(doc.word(i)) || g.np_words.contains(w) || g.collective.contains(w)
    }

    /// Lowercase modifiers followed by a speaker noun within three words ("presidential
    /// candidate"): the index of that noun.
    pub(super) fn adjectives_then_head(
        &self,
        doc: &Doc,
        from: usize,
        s_end: usize,
    ) -> Option<usize> {
        let g = &self.lex.grammar;
        (from..(from + 4).min(s_end))
            .take_while(|&k| {
                let w = &doc.folded[k];
                doc.toks[k].is_word()
                    && doc.quote_of[k].is_none()
                    && !g.prepositions.contains(w)
                    && !g.determiners.contains(w)
                    && self.lex.verb(w).is_none()
            })
            .find(|&k| g.collective.contains(&doc.folded[k]) || g.np_words.contains(&doc.folded[k]))
    }

    /// Reading leftwards from `from`: lowercase modifiers back to a determiner within three
    /// words; the determiner's index.
    pub(super) fn determiner_then_adjectives(
        &self,
        doc: &Doc,
        from: usize,
        s_start: usize,
    ) -> Option<usize> {
        let g = &self.lex.grammar;
        let mut k = from;
        for _ in 0..4 {
            if !doc.toks[k].is_word() || doc.quote_of[k].is_some() {
                return None;
            }
            let w = &doc.folded[k];
            if g.determiners.contains(w) {
                return (k < from).then_some(k);
            }
            if g.prepositions.contains(w) || self.lex.verb(w).is_some() || k == s_start {
                return None;
            }
            k -= 1;
        }
        None
    }

    pub(super) fn is_name_joiner(&self, doc: &Doc, i: usize) -> bool {
        matches!(
            &doc.folded[i],
            "of" | "for" | "and" | "&" | "de" | "van" | "von" | "al" | "bin"
        )
    }

    /// Words that may start a sentence but never a speaker's name.
    pub(super) fn is_sentence_adverb(&self, w: &str) -> bool {
        let g = &self.lex.grammar;
        g.between.contains(w)
            || g.clause_breakers.contains(w)
            || g.prepositions.contains(w)
            || matches!(
                w,
                "however"
                    | "meanwhile"
                    | "then"
                    | "now"
                    | "here"
                    | "there"
                    | "instead"
                    | "still"
                    | "indeed"
                    | "separately"
                    | "asked"
                    | "speaking"
            )
    }

    /// Whether the word at `i` opens an introductory phrase ("In a statement, …", "After the
    /// vote, …", "Speaking to reporters, …").
    pub(super) fn is_introductory(&self, doc: &Doc, i: usize) -> bool {
        let g = &self.lex.grammar;
        let w = &doc.folded[i];
        g.prepositions.contains(w)
            || g.subordinators.contains(w)
            || g.introductory.contains(w)
            || (w.len() > 4 && w.ends_with("ing"))
            // "Based on …", "Asked about …", "Preceded by …": a participle and its preposition.
            || (w.len() > 4 && w.ends_with("ed") && i + 1 < doc.toks.len() && g.prepositions.contains(&doc.folded[i + 1]))
    }

    /// A one-word noun phrase that is an ordinary word capitalised only because it opens the
    /// sentence ("Nothing", "Hastily", "Doing so", "It's"): no speaker. The article writing the
    /// same word in lowercase elsewhere, an -ly adverb, a verb form, or a contracted pronoun
    /// gives it away.
    pub(super) fn is_common_word_np(&self, doc: &Doc, np: &Np) -> bool {
        let first = np.start;
        if doc.sent_range(first).0 != first {
            return false;
        }
        let w = &doc.folded[first];
        if let Some((base, _)) = w.split_once('\'') {
            if self.lex.grammar.pronouns.contains_key(base)
                || self.lex.grammar.contraction_hosts.contains(base)
            {
                return true;
            }
        }
        // A subject pronoun is written in lowercase elsewhere but is no common word here.
        if np.end - np.start != 1 || self.lex.grammar.pronouns.contains_key(w) {
            return false;
        }
        (w.len() > 3 && w.ends_with("ly"))
            || (w.len() > 4 && w.ends_with("ing"))
            || self.lex.verb(w).is_some()
            || self.lex.grammar.finite.contains(w)
            || (0..doc.toks.len()).any(|t| {
                t != first
                    && &doc.folded[t] == w
                    && doc.toks[t].is_word()
                    && !is_capitalized(doc.word(t))
            })
    }

    /// A speaker's phrase that ends on a word no noun phrase ends on ("the director of",
    /// "the groups who", "for the AP and") was cut short by the reader that found it: it goes
    /// on to the next comma, quotation or clause punctuation, to `limit` (the cue, when the
    /// phrase stands before it), or, unless the cut word is a relative, to the next verb.
    /// Left as it is when no such boundary comes within reach. A lone capitalised modifier
    /// takes its nouns first (see `modifier_then_nouns`).
    pub(super) fn complete_np(&self, doc: &Doc, np: Np, limit: usize) -> Np {
        let g = &self.lex.grammar;
        if np.end <= np.start || np.end >= limit || !doc.toks[np.end - 1].is_word() {
            return np;
        }
        if let Some(longer) = self.modifier_then_nouns(doc, &np, limit) {
            return longer;
        }
        let w = &doc.folded[np.end - 1];
        let relative = g.relatives_phrase_end.contains(w);
        if !(relative
            || g.prepositions.contains(w)
            || g.determiners.contains(w)
            || g.np_open_ends.contains(w))
        {
            return np;
        }
        let reach = np.end
            + if relative {
                MAX_DESCRIPTION_WORDS
            } else {
                MAX_NP_WORDS
            };
        let mut t = np.end;
        while t < limit {
            if t >= reach {
                return np;
            }
            if doc.quote_of[t].is_some()
                || matches!(
                    doc.word(t),
                    "," | ";" | ":" | "—" | "–" | "(" | ")" | "." | "!" | "?"
                )
            {
                break;
            }
            let w = &doc.folded[t];
            // Right after a preposition or determiner a verb form is a noun ("secretary of
            // state", "the report").
            let noun_slot = t > np.start
                && (g.prepositions.contains(&doc.folded[t - 1])
                    || g.determiners.contains(&doc.folded[t - 1]));
            let verb = !noun_slot
                && !is_capitalized(doc.word(t))
                && (self.lex.verb(w).is_some() || g.finite.contains(w) || g.copulas.contains(w));
            if verb && !relative {
                break;
            }
            t += 1;
        }
        let complete = t > np.end && doc.toks[t - 1].is_word() && {
            let last = &doc.folded[t - 1];
            !(g.prepositions.contains(last)
                || g.determiners.contains(last)
                || g.np_open_ends.contains(last)
                || g.relatives_phrase_end.contains(last))
        };
        if complete {
            Np { end: t, ..np }
        } else {
            np
        }
    }

    /// "The Florida senator's answer", "Corporate lobbyists", "An Egyptian textbook": a lone
    /// capitalised word read as a name is a modifier when lowercase nouns follow it before the
    /// verb; the phrase runs on over them (with the article before it). So is a name in the
    /// possessive ("Independent candidate Ana Ruiz's doctor is calling …": the doctor speaks).
    pub(super) fn modifier_then_nouns(&self, doc: &Doc, np: &Np, limit: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let last = &doc.folded[np.end - 1];
        let possessive = np.end > np.start
            && is_capitalized(doc.word(np.end - 1))
            && (last.ends_with("'s") || last.ends_with("s'"));
        let lone = np.end == np.start + 1
            && is_capitalized(doc.word(np.start))
            && !g.pronouns.contains_key(&doc.folded[np.start]);
        if !(lone || possessive) {
            return None;
        }
        let noun = |t: usize| {
            let w = &doc.folded[t];
            doc.toks[t].is_word()
                && doc.quote_of[t].is_none()
                && !is_capitalized(doc.word(t))
                && !(w.ends_with("ed") || w.ends_with("ly") || w.ends_with("ing"))
                && self.lex.verb(w).is_none()
                && !g.finite.contains(w)
                && !g.copulas.contains(w)
                && !g.between.contains(w)
                && !g.prepositions.contains(w)
                && !g.determiners.contains(w)
                && !g.sentence_conjunctions.contains(w)
                && !g.relatives_phrase_end.contains(w)
                && !g.subordinators.contains(w)
                && !g.complementizers.contains(w)
                && !g.np_open_ends.contains(w)
        };
        let mut end = np.end;
        while end < limit && end < np.end + 3 && noun(end) {
            end += 1;
        }
        if end == np.end {
            return None;
        }
        let start = if np.start > 0
            && doc.toks[np.start - 1].is_word()
            && g.determiners.contains(&doc.folded[np.start - 1])
        {
            np.start - 1
        } else {
            np.start
        };
        Some(Np {
            start,
            end,
            descriptor: np.descriptor,
        })
    }

    /// `complete_np` for the speaker of reported speech: a speaker phrase that starts before the
    /// reported content stops where the content starts, so no word of what was said is read as
    /// part of who said it.
    pub(super) fn complete_reporter_np(
        &self,
        doc: &Doc,
        np: Np,
        cue_start: usize,
        content_start: usize,
    ) -> Np {
        let limit = self.np_limit(doc, &np, cue_start);
        let limit = if np.start < content_start {
            limit.min(content_start)
        } else {
            limit
        };
        self.complete_np(doc, np, limit)
    }

    /// Where a speaker's phrase found around `cue` may run to: the cue when the phrase stands
    /// before it, else the end of the sentence.
    pub(super) fn np_limit(&self, doc: &Doc, np: &Np, cue_start: usize) -> usize {
        if np.end <= cue_start {
            cue_start
        } else {
            doc.sent_range(np.start).1
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::rules;
    use crate::quotes::Rule;

    // See: issue 18.
    #[test]
    fn the_noun_a_name_in_the_possessive_owns_is_the_speaker() {
        assert_eq!(
            rules(
                "Independent candidate Ana Ruiz's doctor is calling the candidate “extremely fit.”"
            ),
            [(
                Rule::BeforeQuoteMainClause,
                "Independent candidate Ana Ruiz's doctor"
            )]
        );
    }

    #[test]
    fn initials_titles_and_particles_stay_inside_a_name() {
        assert_eq!(
            rules("Sen. Marc E. Elias said the bill would pass."),
            [(Rule::Reported, "Sen. Marc E. Elias")]
        );
        assert_eq!(
            rules("Sorin van der Hale said the bill would pass."),
            [(Rule::Reported, "Sorin van der Hale")]
        );
    }

    #[test]
    fn a_lone_capitalised_modifier_runs_on_over_its_nouns() {
        assert_eq!(
            rules("Corporate lobbyists said the bill would pass."),
            [(Rule::Reported, "Corporate lobbyists")]
        );
    }
}
