//! Clauses: the subject of a sentence's main clause (past a dateline, introductory phrases and
//! appositives), the subject a coordinated or participial verb shares with it, the outer
//! speaker of a reported clause nested in another, the named subject a relative clause's
//! pronoun stands for, and where a clause of its own starts or a cue's clause ends.
//!
//! ```text
//! During the debate, Cruz made a call for …, calling them “…”   main clause subject "Cruz"
//! Obama positioned Clinton as … and said …                      coordinated subject "Obama"
//! Ruiz recalled Vale talking about “…”                          outer speaker "Ruiz"
//! Ban condemned what he called “…”                              "he" stands for "Ban"
//! … said the root cause is …                                    a finite clause starts at "the"
//! ```

use crate::segment::is_capitalized;

use super::attribute::Attribution;
use super::cue::Cue;
use super::doc::Doc;
use super::np::{Np, MAX_DESCRIPTION_WORDS};
use super::{CueType, Extractor, Rule, SourceSide};

/// How many words after a reporting verb a finite verb must appear for a that-less clause.
const MAX_CLAUSE_SUBJECT_WORDS: usize = 10;

impl Extractor {
    /// "During the debate, Cruz made a call for …, calling them “…”": the first clause of the
    /// sentence that opens with a noun phrase followed by a verb (introductory phrases that
    /// start with a preposition or a subordinator are skipped).
    pub(super) fn main_clause_subject(
        &self,
        doc: &Doc,
        before: usize,
        s_start: usize,
    ) -> Option<Np> {
        // A comma inside a number ("2,000") starts nothing.
        let clause_comma = |t: usize| {
            doc.word(t) == ","
                && !(t > s_start
                    && t + 1 < doc.toks.len()
                    && doc.toks[t - 1].span.end == doc.toks[t].span.start
                    && doc.toks[t].span.end == doc.toks[t + 1].span.start)
        };
        // A dash opens a clause too: after a dateline ("WASHINGTON (AP) — Sen. Ruiz …") or
        // a parenthetical.
        let clause_dash = |t: usize| matches!(doc.word(t), "—" | "–" | "--");
        // A dateline ("DAYTON, May 8 (HNS) —") is no clause: capitalised words, numbers and
        // punctuation up to a dash near the start of a paragraph.
        let para_start = s_start == 0 || doc.para_of[s_start - 1] != doc.para_of[s_start];
        let dateline_dash = (s_start..before.min(s_start + 12))
            .take_while(|&t| {
                !doc.toks[t].is_word()
                    || is_capitalized(doc.word(t))
                    || doc.word(t).chars().all(|c| c.is_ascii_digit())
            })
            .find(|&t| clause_dash(t))
            .filter(|_| para_start);
        let first = dateline_dash.map_or(s_start, |d| d + 1);
        let starts = std::iter::once(first).chain(
            (first..before)
                .filter(|&t| clause_comma(t) || clause_dash(t))
                .map(|t| t + 1),
        );
        let g = &self.lex.grammar;
        for mut start in starts {
            // "But Sen. Ann Ruiz refused …", "And then Ruiz went …": the subject follows the
            // conjunction and any sentence adverbs after it.
            if start < before
                && start + 1 < before
                && doc.toks[start].is_word()
                && g.sentence_conjunctions.contains(&doc.folded[start])
            {
                start += 1;
                while start + 1 < before
                    && doc.toks[start].is_word()
                    && !is_capitalized(doc.word(start))
                    && self.is_sentence_adverb(&doc.folded[start])
                {
                    start += 1;
                }
            }
            if start >= before
                || self.is_sentence_adverb(&doc.folded[start])
                || doc.quote_of[start].is_some()
            {
                continue;
            }
            // "Preceded at the lectern by Arpaio, Trump launched …": an introductory phrase.
            if start == first
                && self.is_introductory(doc, start)
                && doc.toks[start].is_word()
                && is_capitalized(doc.word(start))
            {
                continue;
            }
            // "Soviet dissident Milo Dras referred to …": title words, lowercase ones among
            // them, before the name.
            let titled = self.title_then_name(doc, start, before);
            // "One attendee, who …, said": a descriptive phrase that names no one.
            let loose = || {
                self.loose_np_right(doc, start, before).filter(|np| {
                    np.end < before
                        && (doc.word(np.end) == ","
                            || (doc.toks[np.end].is_word() && !is_capitalized(doc.word(np.end))))
                })
            };
            let Some(np) = titled
                .or_else(|| {
                    self.subject_right(doc, start)
                        .map(|np| self.with_named_complement(doc, np, before))
                })
                .or_else(loose)
            else {
                continue;
            };
            if self.is_common_word_np(doc, &np) {
                continue;
            }
            // "Eight years ago, he backed …", "Minutes later, she sent …": words with no verb
            // up to a comma, then a subject pronoun and its verb: the words were an
            // introductory phrase and the pronoun is the subject.
            if start == first && !g.pronouns.contains_key(&doc.folded[np.start]) {
                if let Some(c) = (np.end..before)
                    .take_while(|&t| doc.quote_of[t].is_none())
                    .find(|&t| doc.word(t) == ",")
                {
                    let verbless = (np.end..c).all(|t| {
                        let w = &doc.folded[t];
                        doc.toks[t].is_word()
                            && !g.finite.contains(w)
                            && !g.copulas.contains(w)
                            && self.lex.verb(w).is_none()
                    });
                    let pronoun_clause = c + 2 < before
                        && g.pronouns.contains_key(&doc.folded[c + 1])
                        && doc.toks[c + 2].is_word()
                        && !is_capitalized(doc.word(c + 2))
                        && doc.quote_of[c + 2].is_none();
                    // "Hours later, Trump returned …": a name and its verb after the comma.
                    let named_clause = || {
                        self.subject_right(doc, c + 1).is_some_and(|n| {
                            n.end < before
                                && is_capitalized(doc.word(n.start))
                                && doc.toks[n.end].is_word()
                                && !is_capitalized(doc.word(n.end))
                                && doc.quote_of[n.end].is_none()
                                && !g.prepositions.contains(&doc.folded[n.end])
                                && !self.is_name_joiner(doc, n.end)
                        })
                    };
                    // "Corey Vance, the mayor's fired campaign manager, ripped …": a full name
                    // before the comma and a description closed by a second comma before the
                    // verb is the subject with an appositive, not an introductory phrase.
                    let full_name = np.end - np.start >= 2
                        && (np.start..np.end)
                            .all(|t| doc.toks[t].is_word() && is_capitalized(doc.word(t)));
                    let appositive = full_name
                        && c == np.end
                        && self.verbless_appositive_end(doc, &np, before).is_some();
                    if verbless && (pronoun_clause || named_clause()) && !appositive {
                        continue;
                    }
                }
            }
            if np.end < before
                && doc.toks[np.end].is_word()
                && !is_capitalized(doc.word(np.end))
                && doc.quote_of[np.end].is_none()
            {
                return Some(np);
            }
            // "Christie, the state's governor, repeated …": an appositive between the subject
            // and its verb.
            if np.end < before && doc.word(np.end) == "," {
                let close = (np.end + 1..before.min(np.end + 20))
                    .take_while(|&t| doc.quote_of[t].is_none())
                    .find(|&t| doc.word(t) == ",");
                if let Some(c) = close.filter(|&c| c > np.end + 1 && c + 1 < before) {
                    // "Khan, who is a lawyer, also decried …": adverbs may stand before the verb.
                    let mut v = c + 1;
                    while v + 1 < before && self.lex.grammar.between.contains(&doc.folded[v]) {
                        v += 1;
                    }
                    let next = &doc.folded[v];
                    let verb_next = doc.toks[v].is_word()
                        && !is_capitalized(doc.word(v))
                        && !self.is_sentence_adverb(next)
                        && !self.lex.grammar.relatives_after_appositive.contains(next);
                    let first = &doc.folded[np.end + 1];
                    // "One attendee, who spoke on the condition of anonymity, said": a relative
                    // clause sits there like an appositive.
                    // "Ann Ruiz, in an attempt to …, wrote": a prepositional phrase sits there too.
                    let appositive = self.lex.grammar.determiners.contains(first)
                        || self.lex.grammar.prepositions.contains(first)
                        || self.lex.grammar.relatives_parenthetical.contains(first)
                        || doc.word(np.end + 1).chars().all(|ch| ch.is_ascii_digit())
                        || is_capitalized(doc.word(np.end + 1));
                    if verb_next && appositive {
                        return Some(Np {
                            descriptor: Some(doc.span_of(np.end + 1, c)),
                            ..np
                        });
                    }
                }
                if let Some(c) = self.verbless_appositive_end(doc, &np, before) {
                    return Some(Np {
                        descriptor: Some(doc.span_of(np.end + 1, c)),
                        ..np
                    });
                }
            }
        }
        None
    }

    /// "Ruiz told reporters that he feels “…”", "Ruiz said allies wanted “…”": a verb of
    /// belief, a verb whose subject is a pronoun, a participle ("Ruiz recalled Vale talking
    /// about “…”") or a verb after an explicit "that" ("Ruiz posted messages saying that Vale
    /// had shown …") that stands inside the reported clause of an earlier reporting verb of
    /// the sentence. The quote belongs to the outer speaker, the source of the whole clause
    /// (the inner "he" may not even be the speaker). A finite speech verb right after the outer
    /// one keeps its own subject ("Vale said Ruiz reassured them that …").
    ///
    /// Measured on PolNeAR train, quoted subset: admitting participles and "that" clauses took
    /// 10 quotes from a wrong inner speaker (or a spurious statement) to the outer one.
    pub(super) fn outer_attribution(
        &self,
        doc: &Doc,
        inner: &Cue,
        inner_np: &Np,
        s_start: usize,
    ) -> Option<Attribution> {
        let g = &self.lex.grammar;
        let pronoun = inner_np.end - inner_np.start == 1
            && g.pronouns.contains_key(&doc.folded[inner_np.start]);
        let after_that = g.complementizers.contains(&doc.folded[inner_np.start])
            || (inner_np.start > s_start
                && g.complementizers.contains(&doc.folded[inner_np.start - 1]));
        if inner.kind != CueType::Belief
            && !pronoun
            && !self.is_participle(doc, inner)
            && !after_that
        {
            return None;
        }
        let mut i = inner_np.start;
        while i > s_start && inner_np.start - i < 14 {
            i -= 1;
            if doc.quote_of[i].is_some()
                || matches!(doc.word(i), ";" | ":" | "—" | "–" | "." | "(" | ")")
            {
                return None;
            }
            let Some(c0) = self.cue_at(doc, i) else {
                continue;
            };
            if c0.source != SourceSide::Before
                || c0.kind == CueType::Belief
                || c0.end > inner_np.start
            {
                continue;
            }
            // The inner subject opens the outer verb's clause: "said he", "said that he",
            // "told reporters that he", "says if people".
            let before_inner = &doc.folded[inner_np.start - 1];
            let opens = inner_np.start == c0.end || g.complementizers.contains(before_inner);
            if !opens {
                return None;
            }
            // "Vale posted messages on Friday saying that Ruiz had shown …": a participle's
            // subject is its main clause's.
            let np0 = if self.is_participle(doc, &c0) {
                self.main_clause_subject(doc, c0.start, s_start)?
            } else {
                self.subject_left(doc, c0.start)?
            };
            return Some(Attribution {
                cue: c0,
                subject: Some(np0),
                how: Rule::BeforeQuoteOuter,
            });
        }
        None
    }

    /// "Ban condemned what he called a “brazen breach”", "Vale mocked the bill, which she
    /// called “a gift”": a subject pronoun that opens a relative clause ("what", "which",
    /// "whom", "who" or "that" right before it) stands for the main clause's subject when that
    /// subject names someone (a capitalised word that is no determiner or pronoun). Without it
    /// the resolver would take the article's last speaker, often someone else.
    pub(super) fn relative_pronoun_antecedent(
        &self,
        doc: &Doc,
        np: &Np,
        s_start: usize,
    ) -> Option<Np> {
        let g = &self.lex.grammar;
        if np.end != np.start + 1
            || np.start <= s_start
            || !g.pronouns.contains_key(&doc.folded[np.start])
            || !matches!(
                &doc.folded[np.start - 1],
                "what" | "which" | "whom" | "who" | "that"
            )
        {
            return None;
        }
        let subject = self.main_clause_subject(doc, np.start - 1, s_start)?;
        let named = (subject.start..subject.end).any(|t| {
            doc.toks[t].is_word()
                && is_capitalized(doc.word(t))
                && !g.determiners.contains(&doc.folded[t])
                && !g.pronouns.contains_key(&doc.folded[t])
        });
        (named && subject.end < np.start).then_some(subject)
    }

    /// "Ann Ruiz, vice chair of the party, emailed …", "Ann Ruiz, founder of X, member of Y
    /// and treasurer from Ohio, endorsed …": a name, then one or more comma-separated
    /// descriptions with no verb of their own, then a lowercase word that can only be the
    /// name's verb. The closing comma.
    pub(super) fn verbless_appositive_end(
        &self,
        doc: &Doc,
        np: &Np,
        before: usize,
    ) -> Option<usize> {
        let g = &self.lex.grammar;
        if !is_capitalized(doc.word(np.start)) || g.pronouns.contains_key(&doc.folded[np.start]) {
            return None;
        }
        let limit = before.min(np.end + MAX_DESCRIPTION_WORDS + 10);
        for t in np.end + 1..limit {
            if doc.quote_of[t].is_some() || matches!(doc.word(t), ";" | ":" | "—" | "–" | "(" | ")")
            {
                return None;
            }
            let w = &doc.folded[t];
            if doc.toks[t].is_word()
                && !is_capitalized(doc.word(t))
                && (g.finite.contains(w)
                    || g.copulas.contains(w)
                    || g.relatives_parenthetical.contains(w)
                    || self.lex.verb(w).is_some())
            {
                return None;
            }
            if doc.word(t) != "," || t == np.end + 1 || t + 1 >= before {
                continue;
            }
            let next = &doc.folded[t + 1];
            let opens_predicate = doc.toks[t + 1].is_word()
                && !is_capitalized(doc.word(t + 1))
                && doc.quote_of[t + 1].is_none()
                && !self.is_sentence_adverb(next)
                && !g.relatives_after_appositive.contains(next)
                && !g.determiners.contains(next)
                && !g.sentence_conjunctions.contains(next)
                && !g.np_words.contains(next)
                && !g.collective.contains(next);
            if opens_predicate {
                return Some(t);
            }
        }
        None
    }

    /// "…, Ruiz said, adding “…”", "…, he added, saying “…”": a participle right after a
    /// reporting verb's clause continues that verb's speaker.
    pub(super) fn reporting_clause_subject(
        &self,
        doc: &Doc,
        comma: usize,
        s_start: usize,
    ) -> Option<Np> {
        let verb = comma
            .checked_sub(1)
            .filter(|&v| v >= s_start && doc.quote_of[v].is_none())?;
        let cue = self.cue_at(doc, verb).filter(|c| {
            c.end == comma
                && c.source == SourceSide::Before
                && c.kind != CueType::Belief
                && !self.is_participle(doc, c)
        })?;
        let np = self.subject_left(doc, cue.start)?;
        let g = &self.lex.grammar;
        // Only a subject standing right before its verb ("Ruiz said"), not one across a clause.
        (np.end..cue.start)
            .all(|t| g.between.contains(&doc.folded[t]))
            .then_some(np)
    }

    /// "Obama positioned Clinton as … and said …": the subject of the clause whose second verb
    /// is the cue, when the cue follows "and".
    pub(super) fn coordinated_subject(
        &self,
        doc: &Doc,
        cue_start: usize,
        s_start: usize,
    ) -> Option<Np> {
        if cue_start == 0 || !matches!(&doc.folded[cue_start - 1], "and" | "but") {
            return None;
        }
        let mut clause = cue_start - 1;
        while clause > s_start && doc.word(clause - 1) != "," && doc.quote_of[clause - 1].is_none()
        {
            clause -= 1;
        }
        while clause < cue_start && self.is_sentence_adverb(&doc.folded[clause]) {
            clause += 1;
        }
        let np = self.subject_right(doc, clause)?;
        let verb_follows =
            np.end < cue_start && doc.toks[np.end].is_word() && !is_capitalized(doc.word(np.end));
        verb_follows.then_some(np)
    }

    /// A longer subject than `subject_left` reads ("People with knowledge of the talks said",
    /// "Some voters who listened said"): everything from the clause start to the verb, when it
    /// starts like a noun phrase, is short, and holds no other verb or quotation.
    pub(super) fn clause_subject(&self, doc: &Doc, cue_start: usize, s_start: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let mut end = cue_start;
        while end > s_start && g.between.contains(&doc.folded[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > s_start
            && !matches!(doc.word(start - 1), "," | ";" | ":" | "—" | "–")
            && doc.quote_of[start - 1].is_none()
        {
            start -= 1;
        }
        while start < end && self.is_sentence_adverb(&doc.folded[start]) {
            start += 1;
        }
        if end <= start
            || end - start > 12
            || (start > s_start && doc.quote_of[start - 1].is_some())
        {
            return None;
        }
        let first = &doc.folded[start];
        let head = &doc.folded[end - 1];
        let plural_head = g.collective.contains(head)
            || (head.len() > 3
                && head.ends_with('s')
                && !head.ends_with("ss")
                && !is_capitalized(doc.word(end - 1)));
        let strong = g.determiners.contains(first)
            || g.pronouns.contains_key(first)
            || g.collective.contains(first)
            || is_capitalized(doc.word(start))
            || first.chars().all(|c| c.is_ascii_digit())
            || (plural_head && end - start <= 4);
        let clean = (start..end).all(|t| {
            let w = &doc.folded[t];
            doc.quote_of[t].is_none()
                && !g.finite.contains(w)
                && (t == start || self.lex.verb(w).is_none())
                && !(w.ends_with("ed") && t > start)
        });
        // A pronoun takes no modifiers: "It leaves aside the boundary … said" is not a subject.
        let pronoun_alone = !g.pronouns.contains_key(first) || end - start == 1;
        (strong && clean && pronoun_alone).then_some(Np {
            start,
            end,
            descriptor: None,
        })
    }

    /// True when nothing but adverbials follow a cue to the end of its sentence ("…, he said on
    /// Monday.").
    pub(super) fn ends_clause(&self, doc: &Doc, from: usize, s_end: usize) -> bool {
        match (from..s_end).find(|&t| doc.is_punct(t)) {
            Some(t) => t - from <= 6 && matches!(doc.word(t), "." | "!" | "?" | ";" | ","),
            None => s_end.saturating_sub(from) <= 6,
        }
    }

    /// True when a clause of its own starts at `at` ("that …", ": …", "the FBI has …"): the
    /// verb before it reports that clause rather than attributing a neighbouring quote.
    pub(super) fn opens_clause(&self, doc: &Doc, at: usize, s_end: usize) -> bool {
        at < s_end
            && (matches!(&doc.folded[at], "that" | ":")
                || self.starts_finite_clause(doc, at, s_end))
    }

    /// "the root cause is …", "Washington would defend …": a short subject, then a finite verb,
    /// with no preposition, comma or quotation in between.
    pub(super) fn starts_finite_clause(&self, doc: &Doc, from: usize, s_end: usize) -> bool {
        let g = &self.lex.grammar;
        let first = &doc.folded[from];
        if !doc.toks[from].is_word()
            || g.prepositions.contains(first)
            || first == "to"
            || self.lex.verb(first).is_some()
        {
            return false;
        }
        // A subject that starts like a noun phrase may be longer; a bare lowercase word
        // ("climate change is …") only if the verb follows soon.
        let strong_start = g.determiners.contains(first)
            || g.pronouns.contains_key(first)
            || matches!(
                first,
                "there" | "most" | "all" | "no" | "none" | "nobody" | "everyone" | "every"
            )
            || is_capitalized(doc.word(from))
            || first.chars().all(|c| c.is_ascii_digit());
        let reach = if strong_start {
            MAX_CLAUSE_SUBJECT_WORDS
        } else {
            3
        };
        // "he's", "they'll": a pronoun with a contracted auxiliary is a finite clause, and so is
        // a subject pronoun followed by a word ("she reserves the right").
        if let Some((base, _)) = first.split_once('\'') {
            if g.pronouns.contains_key(base) {
                return true;
            }
        }
        if matches!(first, "he" | "she" | "they" | "we" | "i")
            && from + 1 < s_end
            && doc.toks[from + 1].is_word()
        {
            return true;
        }
        for t in from + 1..(from + 1 + reach).min(s_end) {
            let w = &doc.folded[t];
            if w == "." && self.is_np_word(doc, t) {
                continue; // "Mrs. Clinton had …"
            }
            if g.finite.contains(w) {
                return true;
            }
            // A past-tense verb after the subject: "his district received …".
            if w.len() > 4
                && w.ends_with("ed")
                && !is_capitalized(doc.word(t))
                && !g.determiners.contains(&doc.folded[t - 1])
            {
                return true;
            }
            // A present-tense verb after its subject: "Obama enjoys …", "the president likes …"
            // (not a plural after a determiner: "the talks").
            // Only right after a short subject: further on a plural noun is likelier ("Ostria
            // testing patience on fishing rights").
            let prev = &doc.folded[t - 1];
            if t <= from + 3
                && w.len() > 3
                && w.ends_with('s')
                && !w.ends_with("ss")
                && !w.ends_with("us")
                && !w.ends_with("'s")
                && !is_capitalized(doc.word(t))
                && doc.toks[t - 1].is_word()
                && !g.determiners.contains(prev)
                && !g.prepositions.contains(prev)
            {
                return true;
            }
            if doc.is_punct(t) || doc.quote_of[t].is_some() {
                return false;
            }
        }
        false
    }

    pub(super) fn starts_noun_phrase(&self, doc: &Doc, from: usize) -> bool {
        let w = &doc.folded[from];
        doc.toks[from].is_word() && !self.lex.grammar.prepositions.contains(w) && w != "to"
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::{rules, statements};
    use crate::quotes::Rule;

    #[test]
    fn the_main_clause_subject_is_found_past_an_introductory_phrase() {
        assert_eq!(
            rules("During the debate, Cruz made a call for unity, calling them “the best of us.”"),
            [(Rule::BeforeQuoteParticiple, "Cruz")]
        );
    }

    // See: issue 18.
    #[test]
    fn a_pronoun_opening_a_relative_clause_stands_for_the_named_main_subject() {
        let text = "Senator Tom Vale condemned what he called a “reckless breach” of the treaty.";
        let st = &statements(text)[0];
        assert_eq!(st.speaker_mention.map(|m| m.slice(text)), Some("he"));
        assert_eq!(
            st.antecedent.map(|m| m.slice(text)),
            Some("Senator Tom Vale")
        );
        // A main clause whose subject names no one gives the pronoun no antecedent.
        let text = "The move was an investment that he called “a head start on everyone.”";
        assert!(statements(text).iter().all(|s| s.antecedent.is_none()));
    }

    #[test]
    fn a_second_verb_after_and_shares_the_first_ones_subject() {
        assert_eq!(
            rules("Obama praised Clinton and said the party was united."),
            [(Rule::Reported, "Obama")]
        );
    }
}
