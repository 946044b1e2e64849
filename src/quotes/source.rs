//! The speaker after a cue, read rightwards: "said Wu Xinbo, professor …", "according to the
//! ministry", "said a source close to the campaign" (a description read whole), "retired
//! neurosurgeon Ben Carson" (title words, then a name), and a describing subject with the name
//! it belongs to ("A spokesman for Platte Valley declined …").
//!
//! ```text
//! “…,” said Wu Xinbo, a professor.               "Wu Xinbo" (descriptor "a professor")
//! “…,” said a longtime adviser to the governor.  the whole description, not "adviser"
//! ```

use rustc_hash::FxHashSet as HashSet;

use crate::segment::is_capitalized;

use super::attribute::Attribution;
use super::doc::Doc;
use super::np::{Np, MAX_DESCRIPTION_WORDS, MAX_NP_WORDS};
use super::{Extractor, Rule, SourceSide};

impl Extractor {
    /// The speaker after a cue: "said Wu Xinbo, professor …", "according to the ministry".
    pub(super) fn subject_right(&self, doc: &Doc, from: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let (_, s_end) = doc.sent_range(from.min(doc.toks.len().saturating_sub(1)));
        if from >= s_end {
            return None;
        }
        if doc.toks[from].is_word() && g.pronouns.contains_key(&doc.folded[from]) {
            return Some(Np {
                start: from,
                end: from + 1,
                descriptor: None,
            });
        }
        let mut j = from;
        if g.determiners.contains(&doc.folded[j]) {
            j += 1;
        }
        let np_first = j;
        while j < s_end && j - from < MAX_NP_WORDS {
            if doc.word(j) == "(" && j > np_first {
                match (j + 1..(j + 8).min(s_end)).find(|&c| doc.word(c) == ")") {
                    Some(close) => {
                        j = close + 1;
                        continue;
                    }
                    None => break,
                }
            }
            if self.is_np_word(doc, j) {
                j += 1;
            } else if let Some(head) = self.adjectives_then_head(doc, j, s_end) {
                j = head + 1;
            } else if self.is_name_joiner(doc, j)
                && j > np_first
                && j + 1 < s_end
                && is_capitalized(doc.word(j - 1))
                && self.is_np_word(doc, j + 1)
                && is_capitalized(doc.word(j + 1))
            {
                j += 1;
            } else {
                break;
            }
        }
        if j == np_first {
            return None;
        }
        let mut descriptor = None;
        if j < s_end && doc.word(j) == "," && j + 1 < s_end && doc.toks[j + 1].is_word() {
            let d_start = j + 1;
            let mut d_end = d_start;
            while d_end < s_end
                && doc.quote_of[d_end].is_none()
                && !matches!(doc.word(d_end), "." | ";" | "!" | "?")
            {
                d_end += 1;
            }
            if d_end > d_start {
                descriptor = Some(doc.span_of(d_start, d_end));
            }
        } else if j < s_end && matches!(&doc.folded[j], "of" | "for" | "at") {
            let d_start = np_first;
            let mut d_end = j;
            while d_end < s_end && doc.toks[d_end].is_word() && doc.quote_of[d_end].is_none() {
                d_end += 1;
            }
            descriptor = Some(doc.span_of(d_start, d_end));
        }
        Some(Np {
            start: np_first,
            end: j,
            descriptor,
        })
    }

    /// The speaker after a cue ("…,” said X", "according to X"), read to the end of its phrase
    /// when the phrase describes someone rather than naming them: "a longtime adviser to the
    /// governor", "one aide involved in the talks", "officials with knowledge of the meeting",
    /// "a donor who asked not to be named", "the campaign's statement". Such a speaker is the
    /// whole description (the head alone, "adviser", says little); a name inside it is someone
    /// else, which the resolver knows. The phrase ends at punctuation, a quote, a verb or
    /// conjunction that opens a clause of its own, or a time phrase ("on Monday"); a relative
    /// clause runs to the next comma.
    pub(super) fn source_after(&self, doc: &Doc, from: usize) -> Option<Np> {
        let np = self.subject_right(doc, from)?;
        let g = &self.lex.grammar;
        let (_, s_end) = doc.sent_range(np.start);
        let start = if np.start == from + 1 && g.determiners.contains(&doc.folded[from]) {
            from
        } else {
            np.start
        };
        let possessive =
            doc.folded[np.end - 1].ends_with("'s") || doc.folded[np.end - 1].ends_with("s'");
        let opener = g.unnamed_openers_after_quote.contains(&doc.folded[start]);
        let unnamed =
            (np.start..np.end).all(|t| !doc.toks[t].is_word() || !is_capitalized(doc.word(t)));
        if !(opener || unnamed || possessive) || np.end >= s_end {
            return Some(np);
        }
        let mut j = np.end;
        let mut relative = false;
        while j < s_end && j - start < MAX_DESCRIPTION_WORDS {
            if doc.quote_of[j].is_some() {
                break;
            }
            if !doc.toks[j].is_word() {
                // The stop of "Gov." or "U.S." stays inside; in a relative clause, so do hyphens
                // and apostrophes. Any other mark ends the phrase.
                let inside = self.is_np_word(doc, j)
                    || (relative
                        && !matches!(
                            doc.word(j),
                            "," | ";" | ":" | "—" | "–" | "(" | ")" | "." | "!" | "?"
                        ));
                if !inside {
                    break;
                }
                j += 1;
                continue;
            }
            let w = &doc.folded[j];
            if !relative {
                if g.relatives_phrase_end.contains(w) {
                    relative = true;
                    j += 1;
                    continue;
                }
                // A verb form that ends the phrase is its head noun ("a pool report.").
                let ends_phrase = j + 1 == s_end || !doc.toks[j + 1].is_word();
                let verb =
                    self.lex.verb(w).is_some() && !is_capitalized(doc.word(j)) && !ends_phrase;
                let time = g.time_prepositions.contains(w)
                    && j + 1 < s_end
                    && (is_capitalized(doc.word(j + 1))
                        || doc.word(j + 1).starts_with(|c: char| c.is_ascii_digit()));
                let breaks = g.finite.contains(w)
                    || (g.clause_breakers.contains(w) && !g.relatives_phrase_end.contains(w))
                    || g.subordinators.contains(w)
                    || g.pronouns.contains_key(w);
                if verb || time || breaks {
                    break;
                }
            }
            j += 1;
        }
        // A relative pronoun with nothing after it is no part of the phrase.
        while j > np.end
            && (g.relatives_phrase_end.contains(&doc.folded[j - 1]) || !doc.toks[j - 1].is_word())
        {
            j -= 1;
        }
        Some(Np {
            start,
            end: j.max(np.end),
            descriptor: np.descriptor,
        })
    }

    /// A descriptive noun phrase that names no one, reading rightwards: "the moderator", "one
    /// factory employee", "his nephew Omar Haddad", "the 43-year-old", "the progressive
    /// heavyweights". It must open with a determiner and holds up to six words that are no
    /// preposition, auxiliary, relative pronoun or reporting verb; the caller checks that a
    /// reporting verb (or the end of the clause) follows.
    pub(super) fn loose_np_right(&self, doc: &Doc, from: usize, s_end: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        if from >= s_end || !doc.toks[from].is_word() || doc.quote_of[from].is_some() {
            return None;
        }
        let first = &doc.folded[from];
        if !is_capitalized(doc.word(from)) && !self.lex.grammar.determiners.contains(first) {
            // "retired surgeon Ben Carson", "councilmember Ana Levine": lowercase words before
            // a name.
            if let Some(np) = self.titled_name_right(doc, from, s_end) {
                return Some(np);
            }
        }
        if is_capitalized(doc.word(from)) {
            // "DoubleLine Capital portfolio manager Ann Baha": a name inside the title words.
            if let Some(np) = self.titled_name_right(doc, from, s_end) {
                return Some(np);
            }
        }
        let opens = g.unnamed_openers_after_quote.contains(first)
            || (is_capitalized(doc.word(from)) && first.ends_with("'s"));
        if !opens {
            return None;
        }
        let mut j = from + 1;
        while j < s_end && j - from <= 6 {
            let w = &doc.folded[j];
            let function_word = g.ends_noun_phrase(w);
            // A verb form followed by a reporting verb is the phrase's head noun: "…,” the
            // report stated", "…,” the email said".
            let head_noun = j + 1 < s_end
                && self.lex.verb(&doc.folded[j + 1]).is_some()
                && !is_capitalized(doc.word(j + 1));
            let verb = self.lex.verb(w).is_some() && !is_capitalized(doc.word(j)) && !head_noun;
            if !doc.toks[j].is_word()
                || doc.quote_of[j].is_some()
                || function_word
                || verb
                || g.relatives_phrase_end.contains(w)
            {
                break;
            }
            j += 1;
            if head_noun && self.lex.verb(w).is_some() {
                break;
            }
        }
        // "…,” one said": a quantifier can stand alone.
        let alone = g.unnamed_standalone.contains(first);
        if !(j > from + 1 || alone) {
            return None;
        }
        // "a source close to the campaign", "a longtime adviser to both governors": the phrase
        // after the head is part of how the article names the speaker.
        let link = |w: &str| {
            g.unnamed_links.contains(w)
                || (g.prepositions.contains(w) && !g.time_prepositions.contains(w))
        };
        if j < s_end && link(&doc.folded[j]) {
            let mut k = j + 1;
            while k < s_end && k - j <= 8 && doc.toks[k].is_word() && doc.quote_of[k].is_none() {
                let w = &doc.folded[k];
                if g.relatives_phrase_end.contains(w)
                    || g.finite.contains(w)
                    || (self.lex.verb(w).is_some() && !is_capitalized(doc.word(k)))
                {
                    break;
                }
                k += 1;
            }
            if k > j + 1 {
                j = k;
            }
        }
        Some(Np {
            start: from,
            end: j,
            descriptor: None,
        })
    }

    /// Title words in lowercase or capitalised, then a name, reading rightwards ("retired
    /// neurosurgeon Ben Carson", "DoubleLine Capital portfolio manager Ann Baha"): at most eight
    /// words, none a function word or a reporting verb, ending in at least two capitalised words.
    pub(super) fn titled_name_right(&self, doc: &Doc, from: usize, s_end: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let mut j = from;
        while j < s_end && j - from < 8 {
            let w = &doc.folded[j];
            let function_word =
                g.ends_noun_phrase(w) || g.pronouns.contains_key(w) || g.determiners.contains(w);
            let verb = self.lex.verb(w).is_some() && !is_capitalized(doc.word(j));
            let stop = doc.word(j) == "." && self.is_np_word(doc, j);
            if !(doc.toks[j].is_word() || stop)
                || doc.quote_of[j].is_some()
                || function_word
                || verb
            {
                break;
            }
            j += 1;
        }
        let caps_tail = (from..j)
            .rev()
            .take_while(|&t| is_capitalized(doc.word(t)) || doc.word(t) == ".")
            .filter(|&t| doc.toks[t].is_word())
            .count();
        let has_lower = (from..j).any(|t| doc.toks[t].is_word() && !is_capitalized(doc.word(t)));
        (caps_tail >= 2 && has_lower).then_some(Np {
            start: from,
            end: j,
            descriptor: None,
        })
    }

    /// A subject made of title words with lowercase ones among them, then a name of two or
    /// more capitalised words, then a lowercase word (its verb): "Soviet dissident Milo Dras
    /// referred …", "Former party chair Ann Ruiz wrote …".
    pub(super) fn title_then_name(&self, doc: &Doc, start: usize, before: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let mut lower = false;
        let mut j = start;
        while j < before && j - start < 8 && doc.toks[j].is_word() && doc.quote_of[j].is_none() {
            let w = &doc.folded[j];
            if is_capitalized(doc.word(j)) {
                if lower
                    && j + 1 < before
                    && doc.toks[j + 1].is_word()
                    && is_capitalized(doc.word(j + 1))
                {
                    let mut end = j;
                    while end < before && doc.toks[end].is_word() && is_capitalized(doc.word(end)) {
                        end += 1;
                    }
                    let verb_next = end < before
                        && doc.toks[end].is_word()
                        && !is_capitalized(doc.word(end))
                        && doc.quote_of[end].is_none()
                        && !g.prepositions.contains(&doc.folded[end]);
                    return verb_next.then_some(Np {
                        start,
                        end,
                        descriptor: None,
                    });
                }
            } else {
                if g.ends_noun_phrase(w)
                    || g.pronouns.contains_key(w)
                    || g.determiners.contains(w)
                    || self.lex.verb(w).is_some()
                {
                    return None;
                }
                lower = true;
            }
            j += 1;
        }
        None
    }

    /// A subject that describes someone, with the prepositional phrase that names whom it
    /// belongs to: "A spokesman for Platte Valley declined …", "The leader of the Civic League,
    /// Ann Ruiz, warned …". Only a phrase whose object is a name (capitalised words) is read,
    /// so a verb never ends up inside the subject.
    pub(super) fn with_named_complement(&self, doc: &Doc, np: Np, before: usize) -> Np {
        let g = &self.lex.grammar;
        let start = if np.start > 0
            && g.determiners.contains(&doc.folded[np.start - 1])
            && doc.toks[np.start - 1].is_word()
        {
            np.start - 1
        } else {
            np.start
        };
        let unnamed =
            (np.start..np.end).all(|t| !doc.toks[t].is_word() || !is_capitalized(doc.word(t)));
        let p = np.end;
        if !unnamed
            || p + 1 >= before
            || !doc.toks[p].is_word()
            || !g.prepositions.contains(&doc.folded[p])
            || g.time_prepositions.contains(&doc.folded[p])
        {
            return np;
        }
        let mut j = p + 1;
        if g.determiners.contains(&doc.folded[j]) {
            j += 1;
        }
        let name_start = j;
        while j < before
            && doc.quote_of[j].is_none()
            && (is_capitalized(doc.word(j))
                || (doc.word(j) == "." && self.is_np_word(doc, j))
                || (j > name_start
                    && self.is_name_joiner(doc, j)
                    && j + 1 < before
                    && is_capitalized(doc.word(j + 1))))
        {
            j += 1;
        }
        if j == name_start || !doc.toks[j - 1].is_word() {
            return np;
        }
        Np {
            start,
            end: j,
            descriptor: np.descriptor,
        }
    }

    /// "… a “lawful source of income,” as a Treasury memo put it.": "as", the speaker and a
    /// reporting verb that closes the clause, right after a quote (`k` is the first word after
    /// its closing mark and punctuation). Unlike "as Ruiz said he would", nothing follows
    /// the verb but the end of the clause or a prepositional phrase ("as Cruz said on Monday").
    pub(super) fn as_source_put_it(
        &self,
        doc: &Doc,
        k: usize,
        s_end: usize,
        used: &HashSet<usize>,
    ) -> Option<Attribution> {
        if k + 2 >= s_end || &doc.folded[k] != "as" || doc.quote_of[k + 1].is_some() {
            return None;
        }
        let np = self
            .subject_right(doc, k + 1)
            .or_else(|| self.loose_np_right(doc, k + 1, s_end))
            .filter(|np| np.start == k + 1 || np.start == k + 2)
            // "pledges to “…,” as she put it": a pronoun stands for the speaker the clause
            // before already names, which the other rules read better.
            .filter(|np| {
                !self
                    .lex
                    .grammar
                    .pronouns
                    .contains_key(&doc.folded[np.start])
            })?;
        let mut m = np.end;
        while m < s_end && self.lex.grammar.between.contains(&doc.folded[m]) {
            m += 1;
        }
        let cue = self.cue_at(doc, m).filter(|c| {
            c.source == SourceSide::Before && !used.contains(&c.start) && c.end <= s_end
        })?;
        // "as Cruz said on a radio show" too: a prepositional phrase may follow the verb.
        let closes = cue.end == s_end
            || matches!(
                doc.word(cue.end),
                "." | "," | ";" | "!" | "?" | "—" | "–" | ")"
            )
            || (doc.toks[cue.end].is_word()
                && self.lex.grammar.prepositions.contains(&doc.folded[cue.end]));
        closes.then_some(Attribution {
            cue,
            subject: Some(Np { start: k + 1, ..np }),
            how: Rule::AfterQuote,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::rules;
    use crate::quotes::Rule;

    #[test]
    fn a_description_after_the_verb_is_read_whole() {
        assert_eq!(
            rules("“We will win,” said a longtime adviser to the governor."),
            [(
                Rule::AfterQuoteInverted,
                "a longtime adviser to the governor"
            )]
        );
    }

    #[test]
    fn title_words_then_a_name_are_one_speaker() {
        assert_eq!(
            rules("“We will win,” said retired neurosurgeon Ben Carson."),
            [(Rule::AfterQuoteInverted, "retired neurosurgeon Ben Carson")]
        );
    }
}
