//! The speaker before a cue, read leftwards from the verb: a name or pronoun ("Chinese
//! President Xi Jinping hailed", "he added"), with an appositive between commas ("Wu, a
//! professor at Fudan University, said"), a subject with commas of its own ("Clinton, 35, the
//! daughter of …, said"), a descriptive phrase that names no one ("the lawyers said"), a
//! subject before a parenthetical in dashes, or the head of a relative clause ("The groups
//! who met the mayor say").
//!
//! ```text
//! Wu, a professor at Fudan University, said …   "Wu" (descriptor "a professor at Fudan University")
//! Ann Bask of Dayton, Ohio says …                "Ann Bask of Dayton, Ohio": the words before
//!                                                the verb close a place, not the subject
//! ```

use crate::segment::is_capitalized;

use super::doc::Doc;
use super::np::{Np, MAX_DESCRIPTION_WORDS, MAX_NP_WORDS};
use super::Extractor;

impl Extractor {
    /// The speaker before a cue: "Chinese President Xi Jinping hailed", "aides later said",
    /// "Wu, a professor at Fudan University, said", "he added"; failing those, a subject with
    /// commas of its own ("Clinton, 35, the daughter of …, said"), a descriptive phrase that
    /// names no one ("the lawyers said"), or a subject before a parenthetical in dashes.
    pub(super) fn subject_left(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let np = self
            .subject_left_strict(doc, cue_start)
            .or_else(|| self.appositive_subject(doc, cue_start))
            .or_else(|| self.loose_np_left(doc, cue_start))
            .or_else(|| self.subject_before_dashes(doc, cue_start))?;
        // "Ann Bask of Dayton, Ohio says", "Ray Mund, who worked for Sen. Ted Vance, said": the
        // words next to the verb close a prepositional phrase inside the subject's description.
        // "Jean-Marc Ayrault, the foreign minister of France, a member of …, said": the phrase
        // before the last appositive is a second appositive, not the subject.
        let second_appositive = np.descriptor.is_some()
            && np.start > 0
            && doc.word(np.start - 1) == ","
            && self.lex.grammar.determiners.contains(&doc.folded[np.start]);
        if self.in_prepositional_phrase(doc, &np)
            || self.ends_open_appositive(doc, &np)
            || second_appositive
        {
            if let Some(opening) = self.clause_opening_subject(doc, np.start) {
                return Some(opening);
            }
        }
        Some(
            self.relative_clause_subject(doc, &np, cue_start)
                .unwrap_or(np),
        )
    }

    pub(super) fn subject_left_strict(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(cue_start);
        let mut k = cue_start;
        while k > s_start && g.between.contains(&doc.folded[k - 1]) && doc.quote_of[k - 1].is_none()
        {
            k -= 1;
        }
        if k == s_start {
            return None;
        }
        let mut descriptor = None;
        if doc.word(k - 1) == "," {
            // An appositive between commas: "X, a professor at Y, said".
            let close = k - 1;
            let mut m = close;
            while m > s_start && doc.word(m - 1) != "," && doc.quote_of[m - 1].is_none() {
                m -= 1;
            }
            if m == s_start || m + 1 > close || doc.word(m - 1) != "," {
                return None;
            }
            let first = &doc.folded[m];
            // "Pence, who is running for reelection, praised …" counts as an appositive too.
            let name_before = m >= s_start + 2
                && is_capitalized(doc.word(m - 2))
                && !g.prepositions.contains(first);
            if !(g.determiners.contains(first)
                || g.np_words.contains(first)
                || g.collective.contains(first)
                || first == "who"
                || (name_before && !is_capitalized(doc.word(m))))
            {
                return None;
            }
            descriptor = Some(doc.span_of(m, close));
            k = m - 1;
        }
        if k > s_start && g.pronouns.contains_key(&doc.folded[k - 1]) && doc.toks[k - 1].is_word() {
            return Some(Np {
                start: k - 1,
                end: k,
                descriptor,
            });
        }
        if k > s_start + 1 && &doc.folded[k - 1] == "who" {
            // "Smith, who said …": the speaker is the phrase before the relative pronoun; the
            // mention runs through "who", as written.
            let before = if doc.word(k - 2) == "," { k - 2 } else { k - 1 };
            return self.subject_left(doc, before).map(|np| Np {
                end: k,
                descriptor: np.descriptor.or(descriptor),
                ..np
            });
        }
        let end = k;
        let mut j = k;
        while j > s_start && end - j < MAX_NP_WORDS {
            let t = j - 1;
            if doc.word(t) == ")" {
                // "Sen. Richard J. Durbin (D-Ill.)": a parenthesis inside the name phrase.
                match (t.saturating_sub(8).max(s_start)..t)
                    .rev()
                    .find(|&o| doc.word(o) == "(")
                {
                    Some(open) if open > s_start && self.is_np_word(doc, open - 1) => {
                        j = open;
                        continue;
                    }
                    _ => break,
                }
            }
            if self.is_np_word(doc, t) {
                j -= 1;
            } else if let Some(det) = self
                .determiner_then_adjectives(doc, t, s_start)
                .filter(|_| j < end)
            {
                // "the famously gruff senator": words between a determiner and the head noun.
                j = det;
                break;
            } else if self.is_name_joiner(doc, t)
                && t > s_start
                && j < end
                && self.is_np_word(doc, t - 1)
                && is_capitalized(doc.word(t - 1))
                && is_capitalized(doc.word(j))
            {
                j -= 1;
            } else if g.determiners.contains(&doc.folded[t]) && j < end {
                j -= 1;
                break;
            } else {
                break;
            }
        }
        // Drop sentence adverbs and joiners at the front ("Then Xi said", "and officials said").
        while j < end && (self.is_sentence_adverb(&doc.folded[j]) || self.is_name_joiner(doc, j)) {
            j += 1;
        }
        if j >= end {
            return None;
        }
        // A noun phrase made only of determiners cannot speak.
        if (j..end).all(|t| g.determiners.contains(&doc.folded[t])) {
            return None;
        }
        Some(Np {
            start: j,
            end,
            descriptor,
        })
    }

    /// "The groups who met the mayor on Thursday say …": the phrase before the verb closes a
    /// relative clause (no comma around it) whose head opens the clause; the subject is the
    /// head with its whole relative clause, up to the verb.
    pub(super) fn relative_clause_subject(
        &self,
        doc: &Doc,
        np: &Np,
        cue_start: usize,
    ) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(np.start);
        let mut r = np.start;
        loop {
            if r <= s_start + 1 {
                return None;
            }
            r -= 1;
            if doc.quote_of[r].is_some() || !doc.toks[r].is_word() || self.cue_at(doc, r).is_some()
            {
                return None;
            }
            if g.relatives_parenthetical.contains(&doc.folded[r]) {
                break;
            }
        }
        // The head: the clause's opening phrase, ending right at the relative.
        let mut start = r;
        while start > s_start
            && doc.toks[start - 1].is_word()
            && doc.quote_of[start - 1].is_none()
            && r - start < MAX_NP_WORDS
        {
            start -= 1;
        }
        while start < r
            && (self.is_sentence_adverb(&doc.folded[start])
                || g.sentence_conjunctions.contains(&doc.folded[start]))
        {
            start += 1;
        }
        let head = self
            .subject_right(doc, start)
            .or_else(|| self.loose_np_right(doc, start, r))?;
        if head.start != start || head.end != r {
            return None;
        }
        let end = self.skip_between_left(doc, cue_start, r + 1);
        (end > r + 1 && end - start <= MAX_DESCRIPTION_WORDS).then_some(Np {
            start,
            end,
            descriptor: None,
        })
    }

    /// "Ann Ruiz, president and CEO of the Hale Group stated": the phrase before the verb ends
    /// a description that a comma opened after the name and no comma closed. The description
    /// starts in lowercase with a title or common noun; a name or a determiner after the
    /// comma rather opens a parenthetical attribution's speaker ("The plan, Ruiz said, …",
    /// "Ruiz, a top aide said, “…”").
    pub(super) fn ends_open_appositive(&self, doc: &Doc, np: &Np) -> bool {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(np.start);
        let mut t = np.start;
        while t > s_start {
            t -= 1;
            if doc.quote_of[t].is_some() {
                return false;
            }
            if doc.word(t) == "," {
                let first = t + 1;
                // A description, not a clause after an opening adverb ("Nevertheless, experts
                // agree"): more words than the phrase itself, or a title first.
                let described =
                    first < np.start || g.titles_starting(&doc.folded[first]).next().is_some();
                return described
                    && first < np.end
                    && doc.toks[first].is_word()
                    && !is_capitalized(doc.word(first))
                    && !g.pronouns.contains_key(&doc.folded[first])
                    && !g.determiners.contains(&doc.folded[first])
                    && !self.is_sentence_adverb(&doc.folded[first]);
            }
            let w = &doc.folded[t];
            if !doc.toks[t].is_word()
                || is_capitalized(doc.word(t))
                || g.finite.contains(w)
                || g.copulas.contains(w)
                || self.lex.verb(w).is_some()
            {
                return false;
            }
        }
        false
    }

    /// "Gingrich — named as the leading choice for running mate — told …": a parenthetical
    /// set off by dashes between the subject and its verb.
    pub(super) fn subject_before_dashes(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let (s_start, _) = doc.sent_range(cue_start);
        let k = self.skip_between_left(doc, cue_start, s_start);
        let dash = |t: usize| matches!(doc.word(t), "—" | "–" | "--");
        if k <= s_start + 1 || !dash(k - 1) {
            return None;
        }
        let open = (s_start + 1..k - 1)
            .rev()
            .take(30)
            .take_while(|&t| doc.quote_of[t].is_none())
            .find(|&t| dash(t))?;
        self.subject_left_strict(doc, open)
            .or_else(|| self.loose_np_left(doc, open))
    }

    /// Whether a noun phrase is the object of a preposition: "from Ohio", "for Sen. Ted Vance",
    /// or the second part of a place, "of Dayton, Ohio".
    pub(super) fn in_prepositional_phrase(&self, doc: &Doc, np: &Np) -> bool {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(np.start);
        if np.start <= s_start {
            return false;
        }
        let mut prev = np.start - 1;
        if doc.word(prev) == "," {
            let mut u = prev;
            while u > s_start
                && doc.toks[u - 1].is_word()
                && is_capitalized(doc.word(u - 1))
                && doc.quote_of[u - 1].is_none()
            {
                u -= 1;
            }
            if u == prev || u == s_start {
                return false;
            }
            prev = u - 1;
        }
        doc.toks[prev].is_word()
            && doc.quote_of[prev].is_none()
            && g.prepositions.contains(&doc.folded[prev])
    }

    /// The name or pronoun that opens the sentence, when everything between it and `before`
    /// describes it: appositives, prepositional phrases, relative clauses ("Ray Mund, a
    /// fellow who worked for Sen. Ted Vance,"), but no reporting verb or finite verb of a
    /// clause of its own.
    pub(super) fn clause_opening_subject(&self, doc: &Doc, before: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(before);
        let first =
            (s_start..before).find(|&t| doc.toks[t].is_word() && !self.is_name_joiner(doc, t))?;
        // After an introductory phrase ("On Monday, …", "Later, …") the clause opens later.
        if self.is_introductory(doc, first) || self.is_sentence_adverb(&doc.folded[first]) {
            return None;
        }
        let np = self.subject_right(doc, first)?;
        // The description is set off by a comma right after the name ("Ann Bask of Dayton,
        // Ohio", "Ray Mund, a fellow …"); without one the prepositional phrase belongs to a name
        // ("the Council on Foreign Relations") or the name opens a clause of its own.
        if np.end >= before || doc.word(np.end) != "," {
            return None;
        }
        let pronoun = np.end - np.start == 1 && g.pronouns.contains_key(&doc.folded[np.start]);
        let named = (np.start..np.end)
            .any(|t| doc.toks[t].is_word() && is_capitalized(doc.word(t)))
            && !self.is_common_word_np(doc, &np);
        if !(pronoun || named) {
            return None;
        }
        let mut relative = false;
        for t in np.end..before {
            if doc.quote_of[t].is_some() || matches!(doc.word(t), ";" | ":" | "—" | "–") {
                return None;
            }
            let w = &doc.folded[t];
            if doc.word(t) == "," {
                relative = false;
            } else if g.relatives_parenthetical.contains(w) {
                relative = true;
            } else if !relative && (g.finite.contains(w) || self.cue_at(doc, t).is_some()) {
                return None;
            }
        }
        Some(np)
    }

    /// The first word before a cue that is not an adverb or auxiliary standing between
    /// subject and verb ("aides later said", "Wang has repeatedly said").
    pub(super) fn skip_between_left(&self, doc: &Doc, cue_start: usize, s_start: usize) -> usize {
        let mut k = cue_start;
        while k > s_start
            && self.lex.grammar.between.contains(&doc.folded[k - 1])
            && doc.quote_of[k - 1].is_none()
        {
            k -= 1;
        }
        k
    }

    /// "Dean Johnson, a salesman from Sumter, South Carolina, says", "Clinton, 35, the
    /// daughter of …, said", "Sen. Ann Reed (D-R.I.), said", "In a statement, her adviser, Jo
    /// Sulla, said": when the words between subject and verb hold commas of their own, the
    /// subject is the comma-delimited segment that opens the clause (the sentence start, or
    /// right after an introductory phrase) and is a noun phrase from end to end. A title phrase
    /// followed by a name ("her adviser, Jo Sulla,") keeps the name in the mention.
    pub(super) fn appositive_subject(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let (s_start, _) = doc.sent_range(cue_start);
        let k = self.skip_between_left(doc, cue_start, s_start);
        if k <= s_start + 1 || doc.word(k - 1) != "," {
            return None;
        }
        let comma = k - 1;
        let mut commas = Vec::new();
        for t in (s_start..=comma).rev() {
            if doc.quote_of[t].is_some() {
                break;
            }
            if doc.word(t) == "," {
                commas.push(t);
            }
        }
        for idx in 0..commas.len().min(6) {
            let seg_end = commas[idx];
            let seg_start = commas.get(idx + 1).map_or(s_start, |c| c + 1);
            if let Some(np) = self.segment_subject(doc, &commas, idx, s_start) {
                let mut end = np.end;
                let mut descriptor_start = seg_end + 1;
                // "her senior policy adviser, Jo Sulla,": the title names no one; the name follows.
                let titled =
                    !(np.start..np.end).any(|t| is_capitalized(doc.word(t)) && t != s_start);
                if titled && idx > 0 {
                    let next_end = commas[idx - 1];
                    let name = (seg_end + 1..next_end).all(|t| {
                        (doc.toks[t].is_word() && is_capitalized(doc.word(t)))
                            || self.is_np_word(doc, t)
                    });
                    if name && next_end > seg_end + 1 {
                        end = next_end;
                        descriptor_start = next_end + 1;
                    }
                }
                let descriptor =
                    (descriptor_start < comma).then(|| doc.span_of(descriptor_start, comma));
                return Some(Np {
                    start: np.start,
                    end,
                    descriptor,
                });
            }
            // "His campaign manager, Jeff Weaver, said": a title the word lists do not know,
            // opening the sentence with a possessive or article, then the name right before
            // the verb.
            if idx == 1
                && seg_start == s_start
                && self.untitled_role_then_name(doc, seg_start, seg_end, comma)
            {
                return Some(Np {
                    start: seg_start,
                    end: comma,
                    descriptor: None,
                });
            }
            // Reading on leftwards, this segment stands between subject and verb, so it must
            // be parenthetical: a relative clause ("who lives in …"), or words with no finite
            // verb and no dash ("35", "a salesman from Sumter", "in a statement released on
            // Monday"). A clause of its own means no earlier segment is the subject.
            let relative = self
                .lex
                .grammar
                .relatives_parenthetical
                .contains(&doc.folded[seg_start]);
            let clause = (seg_start..seg_end).any(|t| {
                let w = &doc.folded[t];
                if !doc.toks[t].is_word() {
                    return matches!(doc.word(t), "—" | "–" | ";" | ":")
                        || doc.quote_of[t].is_some();
                }
                let verb = self
                    .lex
                    .verb(w)
                    .is_some_and(|v| !v.participle && !w.ends_with("ed"));
                !is_capitalized(doc.word(t)) && (self.lex.grammar.finite.contains(w) || verb)
            });
            if clause && !relative {
                break;
            }
        }
        None
    }

    /// `start..comma1` is a short role phrase opened by a determiner ("his campaign manager",
    /// "a longtime party official") and `comma1 + 1..comma2` a capitalised name.
    fn untitled_role_then_name(
        &self,
        doc: &Doc,
        start: usize,
        comma1: usize,
        comma2: usize,
    ) -> bool {
        let g = &self.lex.grammar;
        let role_words = comma1 - start;
        let name_words = comma2.saturating_sub(comma1 + 1);
        if !(2..=6).contains(&role_words) || !(2..=4).contains(&name_words) {
            return false;
        }
        let role = (start + 1..comma1).all(|t| {
            let w = &doc.folded[t];
            doc.toks[t].is_word()
                && doc.quote_of[t].is_none()
                && !g.prepositions.contains(w)
                && !g.finite.contains(w)
                && self.lex.verb(w).is_none()
        });
        let name = (comma1 + 1..comma2).all(|t| {
            doc.toks[t].is_word() && (is_capitalized(doc.word(t)) || self.is_np_word(doc, t))
        }) && is_capitalized(doc.word(comma2 - 1));
        g.determiners.contains(&doc.folded[start]) && role && name
    }

    /// The comma-delimited segment `idx` (ending at `commas[idx]`) as a subject: it opens the
    /// clause (the sentence start, or right after an introductory phrase) and is a name, a
    /// pronoun or an unnamed speaker from end to end.
    pub(super) fn segment_subject(
        &self,
        doc: &Doc,
        commas: &[usize],
        idx: usize,
        s_start: usize,
    ) -> Option<Np> {
        let g = &self.lex.grammar;
        let seg_end = commas[idx];
        let seg_start = commas.get(idx + 1).map_or(s_start, |c| c + 1);
        let first = (seg_start..seg_end).find(|&t| {
            doc.toks[t].is_word()
                && !self.is_sentence_adverb(&doc.folded[t])
                && !self.is_name_joiner(doc, t)
        })?;
        let clause_initial = seg_start == s_start || {
            let prev_start = commas.get(idx + 2).map_or(s_start, |c| c + 1);
            let prev_first = (prev_start..seg_start - 1).find(|&t| doc.toks[t].is_word());
            prev_first.is_some_and(|t| self.is_introductory(doc, t))
        };
        if !clause_initial {
            return None;
        }
        let np = self.subject_left_strict(doc, seg_end)?;
        if np.start != first || np.end != seg_end {
            return None;
        }
        let pronoun = np.end - np.start == 1 && g.pronouns.contains_key(&doc.folded[np.start]);
        let named = (np.start..np.end)
            .any(|t| doc.toks[t].is_word() && is_capitalized(doc.word(t)))
            && !self.is_common_word_np(doc, &np);
        let collective = g.collective.contains(&doc.folded[np.end - 1]);
        (pronoun || named || collective).then_some(np)
    }

    /// "the lawyers said", "Some chanted", "the progressive heavyweights wrote": a descriptive
    /// phrase that opens its clause, read leftwards from the verb back to its determiner
    /// (at most four words, none of them a preposition, auxiliary or verb).
    pub(super) fn loose_np_left(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(cue_start);
        let end = self.skip_between_left(doc, cue_start, s_start);
        let mut j = end;
        // "the mother of three replied", "the members of the board said": one "of" after a
        // word for people may stand inside the phrase, which may then be longer ("the
        // rejection of the treaty signals" is no speaker).
        let mut of = false;
        let det = loop {
            if j == s_start || end - j >= if of { 7 } else { 5 } {
                return None;
            }
            let t = j - 1;
            let w = &doc.folded[t];
            if !doc.toks[t].is_word() || doc.quote_of[t].is_some() {
                return None;
            }
            if g.unnamed_openers_before_verb.contains(w) {
                if !of && t > s_start + 1 && &doc.folded[t - 1] == "of" {
                    j -= 1;
                    continue;
                }
                break t;
            }
            if !of
                && w == "of"
                && t + 1 < end
                && t > s_start
                && g.collective.contains(&doc.folded[t - 1])
            {
                of = true;
                j -= 1;
                continue;
            }
            let function_word = g.ends_noun_phrase(w) || g.pronouns.contains_key(w);
            // After an article or possessive a verb form is a noun ("The email said"), and so
            // is one right before the reporting verb, as two verbs in a row make no clause
            // ("the congressional report said").
            let noun_form = (t > s_start && self.is_noun_slot(doc, t - 1)) || t + 1 == end;
            if function_word
                || (self.lex.verb(w).is_some() && !is_capitalized(doc.word(t)) && !noun_form)
                || g.relatives_phrase_end.contains(w)
            {
                return None;
            }
            j -= 1;
        };
        let alone = g.unnamed_standalone.contains(&doc.folded[det]);
        if det + 1 == end && !alone {
            return None;
        }
        let opens_clause = det == s_start
            || matches!(doc.word(det - 1), "," | ";" | ":" | "—" | "–")
            || ((s_start..det)
                .all(|t| self.is_sentence_adverb(&doc.folded[t]) || self.is_name_joiner(doc, t)));
        opens_clause.then_some(Np {
            start: det,
            end,
            descriptor: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::{rules, statements};
    use crate::quotes::Rule;

    // See: issue 18. Without "of" the reading failed and an earlier verb's subject spoke.
    #[test]
    fn a_description_with_of_after_a_word_for_people_can_speak() {
        let text = "She said fathers would not qualify, and when pressed, the 34-year-old mother of three replied, “It is meant to help mothers.”";
        assert!(rules(text).contains(&(Rule::BeforeQuote, "the 34-year-old mother of three")));
        // "of" after a word for no one does not make a speaker of the phrase.
        let text = "The rejection of the treaty signals “the beginning of the end” for the union, said Wilders.";
        assert!(rules(text).contains(&(Rule::AfterQuoteInverted, "Wilders")));
    }

    #[test]
    fn an_appositive_between_commas_is_the_speakers_descriptor() {
        let text = "Wu, a professor at Fudan University, said the talks had failed.";
        assert_eq!(rules(text), [(Rule::Reported, "Wu")]);
        let d = statements(text)[0]
            .descriptor
            .map(|d| d.slice(text).to_string());
        assert_eq!(d.as_deref(), Some("a professor at Fudan University"));
    }

    #[test]
    fn a_descriptive_phrase_that_names_no_one_can_speak() {
        assert_eq!(
            rules("The lawyers said the ruling was wrong."),
            [(Rule::Reported, "The lawyers")]
        );
    }

    #[test]
    fn a_subject_before_a_parenthetical_in_dashes_speaks() {
        assert_eq!(
            rules("Gingrich — named as the leading choice — told reporters the race was close."),
            [(Rule::Reported, "Gingrich")]
        );
    }

    #[test]
    fn a_role_the_word_lists_do_not_know_then_a_name_between_commas_speaks() {
        assert_eq!(
            rules("Her deputy campaign manager, Lena Ortiz, said the rally would go ahead."),
            [(Rule::Reported, "Her deputy campaign manager, Lena Ortiz")]
        );
    }

    #[test]
    fn a_name_before_two_appositives_speaks() {
        assert_eq!(
            rules("Ana Ruiz, the trade minister of Chile, a founding member of the bloc, said the talks had failed."),
            [(Rule::Reported, "Ana Ruiz")]
        );
    }
}
