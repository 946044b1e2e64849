//! Unquoted reported speech, sentence by sentence: a cue and the clause it reports ("X said
//! that …", "X told reporters the talks …", "…, saying the talks would continue"), content
//! before its attribution ("CONTENT, X said."), "according to X", and headline colons.
//!
//! ```text
//! Ruiz told reporters that the talks had failed.    reported                "the talks had failed"
//! The economy is in bad shape, Smith said.          reported:after-content  "The economy is in bad shape"
//! According to Ruiz, the talks will resume.        according-to            "the talks will resume"
//! Graham: Trump's rhetoric is destroying the party  headline-colon
//! ```

use rustc_hash::FxHashSet as HashSet;

use crate::segment::is_capitalized;
use crate::types::{Flag, Statement, StatementKind};

use super::cue::Cue;
use super::doc::Doc;
use super::np::Np;
use super::{CueType, Extractor, Rule, SourceSide};

impl Extractor {
    pub(super) fn reported_statements(&self, doc: &Doc, used: &HashSet<usize>) -> Vec<Statement> {
        let g = &self.lex.grammar;
        let mut out = Vec::new();
        for &(s_start, s_end) in &doc.sents {
            if let Some(st) = self.headline_colon(doc, s_start, s_end) {
                out.push(st);
                continue;
            }
            // Subjects of the cues in this sentence: a reported clause stops where the next
            // attribution starts ("… with Wang that the State Department called “productive”").
            let mut cues: Vec<(Cue, Option<Np>)> = Vec::new();
            let mut i = s_start;
            while i < s_end {
                if let Some(cue) = self.cue_at(doc, i) {
                    let np = if cue.source == SourceSide::Before {
                        self.subject_left(doc, cue.start)
                    } else {
                        None
                    };
                    cues.push((cue, np));
                    i = cue.end;
                } else {
                    i += 1;
                }
            }
            let produced_before = out.len();
            for (ci, (cue, np)) in cues.iter().enumerate() {
                let np = *np;
                if used.contains(&cue.start) {
                    continue;
                }
                // "Weaver told CNN that he believes …": a cue inside a clause already reported
                // is part of that statement.
                let cue_span = doc.toks[cue.start].span;
                if out[produced_before..].iter().any(|st: &Statement| {
                    st.span.start <= cue_span.start && cue_span.end <= st.span.end
                }) {
                    continue;
                }
                if cue.source == SourceSide::After {
                    if let Some(st) = self.according_to(doc, *cue, s_start, s_end) {
                        out.push(st);
                    }
                    continue;
                }
                let participial = np.is_none()
                    && cue.start > s_start
                    && doc.word(cue.start - 1) == ","
                    && self.is_participle(doc, cue);
                if participial {
                    // "…, saying the talks would continue": only a clause, never a bare noun
                    // phrase ("…, pledging more frequent dialogue"), counts as reported speech.
                    let c = cue.end;
                    let has_clause = c < s_end
                        && (&doc.folded[c] == "that" || self.starts_finite_clause(doc, c, s_end));
                    if !has_clause {
                        continue;
                    }
                }
                let coordinated = match np {
                    Some(_) => None,
                    None if participial => self.main_clause_subject(doc, cue.start, s_start),
                    None => self
                        .coordinated_subject(doc, cue.start, s_start)
                        .or_else(|| self.clause_subject(doc, cue.start, s_start)),
                };
                // "I'll describe the shift": a pronoun with a contracted auxiliary announces
                // what follows; it reports nothing yet.
                let contracted = |n: &Np| {
                    n.end == n.start + 1
                        && doc.folded[n.start]
                            .split_once(['\'', '’'])
                            .is_some_and(|(base, _)| g.pronouns.contains_key(base))
                };
                // A pronoun heads no longer phrase ("I In New Delhi, …" is a list marker and
                // an introductory phrase).
                let pronoun_phrase =
                    |n: &Np| n.end > n.start + 1 && g.pronouns.contains_key(&doc.folded[n.start]);
                if np
                    .or(coordinated)
                    .is_some_and(|n| contracted(&n) || pronoun_phrase(&n))
                {
                    continue;
                }
                let (np, attribution) = match np.or(coordinated) {
                    Some(np) => (Some(np), Rule::Reported),
                    None => {
                        // "The economy is bad, Smith said." / "…, said Smith, a pollster."
                        if let Some(st) = self.reported_before_cue(doc, *cue, s_start, s_end) {
                            out.push(st);
                            continue;
                        }
                        // A verb and "that" report a clause even when the readers above take
                        // no subject ("People with direct knowledge of the deal said that …",
                        // "…, but did not recommend that …").
                        // Without "that", a finite clause after a speech verb with a loose
                        // subject ("the former secretary of state and current nominee said
                        // she wanted …").
                        let loose = self.loose_clause_subject(doc, cue.start, s_start);
                        let finite = cue.kind == CueType::Speech
                            && loose.is_some()
                            && cue.end < s_end
                            && self.starts_finite_clause(doc, cue.end, s_end);
                        if !self.that_follows(doc, cue, s_end) && !finite {
                            continue;
                        }
                        (loose, Rule::ReportedLooseSubject)
                    }
                };
                let prev = cue
                    .start
                    .checked_sub(1)
                    .map(|p| &doc.folded[p])
                    .unwrap_or("");
                if g.determiners.contains(prev) {
                    continue;
                }
                let comma_near = np.is_some_and(|np| {
                    np.start > s_start + 1
                        && (np.start.saturating_sub(3).max(s_start + 1)..=np.start)
                            .any(|k| doc.word(k - 1) == ",")
                });
                if comma_near
                    && !self.opens_clause(doc, cue.end, s_end)
                    && self.ends_clause(doc, cue.end, s_end)
                {
                    if let Some(st) = self.reported_before_cue(doc, *cue, s_start, s_end) {
                        out.push(st);
                        continue;
                    }
                }
                let mut c = cue.end;
                let mut addressee = None;
                let mut addressee_tok = None;
                if cue.addressee {
                    if let Some(a) = self.subject_right(doc, c) {
                        // "accused the governor of wasting …": the addressee's phrase may run
                        // into the preposition of the charge.
                        let end = if a.end > a.start + 1
                            && matches!(&doc.folded[a.end - 1], "of" | "for")
                        {
                            a.end - 1
                        } else {
                            a.end
                        };
                        addressee = Some(doc.span_of(a.start, end));
                        addressee_tok = Some(c);
                        c = end;
                    }
                }
                // "told reporters Tuesday that …", "said on Saturday that …": a short adverbial
                // between the cue and its clause.
                if c < s_end
                    && (g.between.contains(&doc.folded[c])
                        || g.prepositions.contains(&doc.folded[c]))
                {
                    let that = self.that_after_adverbial(doc, c, s_end);
                    if let Some(k) = that {
                        c = k;
                    }
                }
                if c >= s_end || doc.quote_of[c].is_some() {
                    continue;
                }
                let w = &doc.folded[c];
                let wh_clause = matches!(w, "whether" | "why" | "how" | "what" | "when" | "where")
                    && c + 1 < s_end
                    && doc.toks[c + 1].is_word();
                // Headlines drop auxiliaries: "Obama says Trump modeling policies on Putin".
                let headline_clause = doc.in_headline(c)
                    && (c..s_end).filter(|&t| doc.toks[t].is_word()).count() >= 3
                    && doc.toks[c].is_word();
                // "vowed to block the nominee", "urged them to vote": an intention or a request.
                let to_clause = w == "to"
                    && cue.to_complement
                    && c + 1 < s_end
                    && doc.toks[c + 1].is_word()
                    && !is_capitalized(doc.word(c + 1))
                    && !g.determiners.contains(&doc.folded[c + 1])
                    && !g.pronouns.contains_key(&doc.folded[c + 1]);
                // "accused Obama of bungling the recovery", "blamed the mayor for the delay": the
                // addressee and what it is accused of.
                let accused = cue.np_complement
                    && matches!(w, "of" | "for")
                    && c + 1 < s_end
                    && doc.toks[c + 1].is_word();
                // "talked about the economy", "wrote about the visit": the topic of the words.
                let topic = w == "about"
                    && cue.kind != CueType::Belief
                    && c + 1 < s_end
                    && doc.quote_of[c + 1].is_none()
                    && self.starts_noun_phrase(doc, c + 1);
                // Only a clause, not a bare noun phrase, is read when it holds a quotation.
                let clause_like = w == "that"
                    || w == ":"
                    || wh_clause
                    || headline_clause
                    || self.starts_finite_clause(doc, c, s_end);
                let start = if w == "that" || w == ":" || topic {
                    c + 1
                } else if let (true, Some(a)) = (accused, addressee_tok) {
                    a
                } else if to_clause
                    || wh_clause
                    || headline_clause
                    || self.starts_finite_clause(doc, c, s_end)
                    || (cue.np_complement && self.starts_noun_phrase(doc, c))
                {
                    c
                } else {
                    continue;
                };
                if start >= s_end {
                    continue;
                }
                // The clause ends at the sentence end, a new clause after a comma, or where the
                // next attribution's speaker starts.
                let mut end = s_end;
                for t in start..s_end {
                    let w = &doc.folded[t];
                    // A participle after a comma opens a clause of its own too ("endorsed
                    // Trump in June, telling reporters …").
                    let next = doc.folded.get(t + 1).unwrap_or("");
                    let participle = next.ends_with("ing") && self.lex.verb(next).is_some();
                    if w == ";"
                        || (w == ","
                            && t + 1 < s_end
                            && (g.clause_breakers.contains(next) || participle))
                    {
                        end = t;
                        break;
                    }
                }
                for (next, next_np) in cues.iter().skip(ci + 1) {
                    if let Some(n) = next_np {
                        if next.start < end && n.start > start {
                            end = end.min(n.start);
                            if end > start && &doc.folded[end - 1] == "that" {
                                end -= 1;
                            }
                        }
                    }
                }
                while end > start && doc.is_punct(end - 1) && !doc.is_quote_mark(end - 1) {
                    end -= 1;
                }
                // One word is enough for a name as the object of a stance ("endorsed Trump").
                let words = (start..end).filter(|&t| doc.toks[t].is_word()).count();
                let named_object = words == 1
                    && cue.np_complement
                    && start == c
                    && is_capitalized(doc.word(start));
                if end <= start || (words < 2 && !named_object) {
                    continue;
                }
                let has_quote = (start..end).any(|t| doc.quote_of[t].is_some());
                // The quote rules attribute a quotation better than a loose subject, and a
                // quotation in a noun phrase object ("called the talks “productive”") is theirs.
                if has_quote && (attribution == Rule::ReportedLooseSubject || !clause_like) {
                    continue;
                }
                let np = np.map(|np| self.complete_reporter_np(doc, np, cue.start, start));
                let mut st = reported_statement(doc, start, end, cue, np, attribution);
                if np.is_none() {
                    st.flags.push(Flag::Unattributed);
                }
                st.addressee_mention = addressee;
                if has_quote {
                    st.flags.push(Flag::ContainsQuote);
                }
                out.push(st);
            }
        }
        out
    }

    /// "that" within four words after `c`, or eight when a preposition opens them, past words
    /// that are no verb ("on Saturday that", "during a rally in Michigan that").
    fn that_after_adverbial(&self, doc: &Doc, c: usize, s_end: usize) -> Option<usize> {
        let reach = if self.lex.grammar.prepositions.contains(&doc.folded[c]) {
            9
        } else {
            5
        };
        (c + 1..(c + reach).min(s_end))
            .take_while(|&k| {
                let w = &doc.folded[k];
                doc.toks[k].is_word()
                    && doc.quote_of[k].is_none()
                    && (w == "that"
                        || (self.lex.verb(w).is_none() && !self.lex.grammar.finite.contains(w)))
            })
            .find(|&k| &doc.folded[k] == "that")
    }

    /// Whether "that" opens what the cue reports: right after it, after its addressee ("told
    /// reporters that"), or after a short adverbial ("said on Monday that").
    fn that_follows(&self, doc: &Doc, cue: &Cue, s_end: usize) -> bool {
        let g = &self.lex.grammar;
        if cue.source != SourceSide::Before || cue.end != cue.start + 1 {
            return false;
        }
        let mut c = cue.end;
        if cue.addressee {
            if let Some(a) = self.subject_right(doc, c) {
                c = a.end;
            }
        }
        if c < s_end
            && (g.between.contains(&doc.folded[c]) || g.prepositions.contains(&doc.folded[c]))
        {
            if let Some(k) = self.that_after_adverbial(doc, c, s_end) {
                c = k;
            }
        }
        c + 1 < s_end && &doc.folded[c] == "that" && doc.toks[c + 1].is_word()
    }

    /// The words that open the cue's clause, read leftwards to a comma, a verb or the sentence
    /// start (at most ten): "People with direct knowledge of the deal (said)". None when they
    /// do not start like a noun phrase (a determiner, a capital, a pronoun).
    fn loose_clause_subject(&self, doc: &Doc, cue_start: usize, s_start: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let end = self.skip_between_left(doc, cue_start, s_start);
        let mut j = end;
        while j > s_start && end - j < 12 {
            let t = j - 1;
            let w = &doc.folded[t];
            let word_like = doc.toks[t].is_word()
                || (doc.word(t) == "." && self.is_np_word(doc, t))
                || matches!(doc.word(t), "'" | "’" | "-");
            // A past tense stops the phrase ("Ruiz attacked Lee and said that"); a form in -s
            // may be a plural noun ("aides familiar with the talks").
            let past = w.len() > 4 && w.ends_with("ed");
            if !word_like
                || doc.quote_of[t].is_some()
                || g.finite.contains(w)
                || past
                || self.lex.verb(w).is_some_and(|_| !w.ends_with('s'))
                || g.relatives_parenthetical.contains(w)
            {
                break;
            }
            j -= 1;
        }
        if j > s_start && doc.word(j - 1) != "," {
            return None;
        }
        while j < end
            && (self.is_sentence_adverb(&doc.folded[j])
                || g.sentence_conjunctions.contains(&doc.folded[j])
                || !doc.toks[j].is_word())
        {
            j += 1;
        }
        if j >= end {
            return None;
        }
        let first = &doc.folded[j];
        // "I'll", "we're": a contracted auxiliary means the words are a clause, not a subject.
        if first.contains('\'') || first.contains('’') {
            return None;
        }
        let opens_np = g.determiners.contains(first)
            || g.pronouns.contains_key(first)
            || is_capitalized(doc.word(j))
            || g.collective.contains(first);
        opens_np.then_some(Np {
            start: j,
            end,
            descriptor: None,
        })
    }

    /// Headline style: "Graham: Trump's rhetoric is destroying the party's chances" — a short
    /// name, a colon, and what they said, at the start of a paragraph.
    pub(super) fn headline_colon(
        &self,
        doc: &Doc,
        s_start: usize,
        s_end: usize,
    ) -> Option<Statement> {
        if s_start > 0 && doc.para_of[s_start - 1] == doc.para_of[s_start] {
            return None;
        }
        let colon = (s_start..(s_start + 5).min(s_end)).find(|&t| doc.word(t) == ":")?;
        if colon == s_start
            || !(s_start..colon).all(|t| {
                doc.toks[t].is_word() && is_capitalized(doc.word(t)) && doc.quote_of[t].is_none()
            })
        {
            return None;
        }
        if self
            .lex
            .grammar
            .headline_labels
            .contains(&doc.folded[s_start])
        {
            return None;
        }
        let np = Np {
            start: s_start,
            end: colon,
            descriptor: None,
        };
        let cue = Cue::colon(colon);
        self.detached_clause(doc, colon + 1, s_end, cue, np, Rule::HeadlineColon)
    }

    /// "According to X, CONTENT." and "CONTENT, according to X."
    pub(super) fn according_to(
        &self,
        doc: &Doc,
        cue: Cue,
        s_start: usize,
        s_end: usize,
    ) -> Option<Statement> {
        // The source is any noun phrase here ("according to the summary"), up to the next
        // comma or the end of the sentence.
        let np = self.subject_right(doc, cue.end).or_else(|| {
            let end = (cue.end..s_end.min(cue.end + 12))
                .find(|&t| doc.is_punct(t))
                .unwrap_or(s_end.min(cue.end + 12));
            (end > cue.end && doc.toks[cue.end].is_word()).then_some(Np {
                start: cue.end,
                end,
                descriptor: None,
            })
        })?;
        let words_before = (s_start..cue.start)
            .filter(|&t| doc.toks[t].is_word())
            .count();
        let (start, end) = if cue.start == s_start {
            // The source phrase ends at the first comma after it.
            let comma = (np.end..s_end).find(|&t| doc.word(t) == ",")?;
            (comma + 1, s_end)
        } else if cue.start > s_start
            && doc.word(cue.start - 1) == ","
            && words_before < 4
            && np.end < s_end
            && doc.word(np.end) == ","
        {
            // "Fundraising, according to the campaign, has surged": the whole sentence.
            (s_start, s_end)
        } else if cue.start > s_start && doc.word(cue.start - 1) == "," {
            (s_start, cue.start - 1)
        } else {
            return None;
        };
        self.detached_clause(doc, start, end, cue, np, Rule::AccordingTo)
    }

    /// A reported clause that stands apart from its attribution ("According to X, CONTENT",
    /// "CONTENT, X said"): trailing punctuation trimmed; at least four words and no quotation.
    pub(super) fn detached_clause(
        &self,
        doc: &Doc,
        start: usize,
        mut end: usize,
        cue: Cue,
        np: Np,
        attribution: Rule,
    ) -> Option<Statement> {
        while end > start && doc.is_punct(end - 1) && !doc.is_quote_mark(end - 1) {
            end -= 1;
        }
        // An introductory phrase ("For the past year", "Citing local outlets") is no content.
        let first = doc.folded.get(start).unwrap_or("");
        if start < end && (self.lex.grammar.prepositions.contains(first) || first.ends_with("ing"))
        {
            return None;
        }
        if end <= start
            || (start..end).filter(|&t| doc.toks[t].is_word()).count() < 4
            || (start..end).any(|t| doc.quote_of[t].is_some())
        {
            return None;
        }
        let np = self.complete_reporter_np(doc, np, cue.start, start);
        Some(reported_statement(
            doc,
            start,
            end,
            &cue,
            Some(np),
            attribution,
        ))
    }

    /// Reported content standing before its attribution: "CONTENT, Smith said." and
    /// "CONTENT, said Smith, a pollster." The content is the sentence up to the comma.
    pub(super) fn reported_before_cue(
        &self,
        doc: &Doc,
        cue: Cue,
        s_start: usize,
        s_end: usize,
    ) -> Option<Statement> {
        if cue.source != SourceSide::Before
            || cue.kind == CueType::Belief
            || self.is_participle(doc, &cue)
        {
            return None;
        }
        let comma_before = |np: &Np| {
            (np.start.saturating_sub(3).max(s_start + 1)..=np.start)
                .rev()
                .find(|&k| k > s_start && doc.word(k - 1) == ",")
                .filter(|&k| {
                    (k..np.start).all(|t| doc.toks[t].is_word() && !is_capitalized(doc.word(t)))
                })
        };
        let (subject, comma) = match self.subject_left(doc, cue.start) {
            Some(np) if comma_before(&np).is_some() => {
                let k = comma_before(&np).unwrap_or(np.start);
                (Np { start: k, ..np }, k - 1)
            }
            Some(_) => return None,
            None if cue.start > s_start && doc.word(cue.start - 1) == "," => {
                (self.subject_right(doc, cue.end)?, cue.start - 1)
            }
            None => return None,
        };
        if subject.end > cue.start
            && !self.ends_clause(doc, subject.end, s_end)
            && doc.word(subject.end.min(s_end - 1)) != ","
        {
            return None;
        }
        self.detached_clause(
            doc,
            s_start,
            comma,
            cue,
            subject,
            Rule::ReportedAfterContent,
        )
    }
}

/// A reported-speech statement over tokens `start..end`, attributed through `cue` to `np`.
fn reported_statement(
    doc: &Doc,
    start: usize,
    end: usize,
    cue: &Cue,
    np: Option<Np>,
    attribution: Rule,
) -> Statement {
    Statement {
        kind: StatementKind::Reported,
        span: doc.span_of(start, end),
        quote: None,
        cue: Some(doc.span_of(cue.start, cue.end)),
        speaker_mention: np.map(|np| doc.span_of(np.start, np.end)),
        descriptor: np.and_then(|np| np.descriptor),
        antecedent: None,
        addressee_mention: None,
        attribution,
        cue_type: Some(cue.kind.as_str()),
        flags: Vec::new(),
        paragraph: doc.para_of[cue.start],
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::{rules, statements};
    use crate::quotes::{Flag, Rule};

    #[test]
    fn a_cue_and_the_clause_it_reports_is_reported() {
        assert_eq!(
            rules("Ruiz told reporters that the talks had failed."),
            [(Rule::Reported, "Ruiz")]
        );
    }

    #[test]
    fn content_before_its_attribution_is_reported_after_content() {
        assert_eq!(
            rules("The economy is in bad shape, Smith said."),
            [(Rule::ReportedAfterContent, "Smith")]
        );
    }

    #[test]
    fn according_to_before_the_content_is_according_to() {
        assert_eq!(
            rules("According to Ruiz, the talks will resume next week."),
            [(Rule::AccordingTo, "Ruiz")]
        );
    }

    #[test]
    fn a_name_and_a_colon_opening_a_paragraph_is_a_headline_colon() {
        assert_eq!(
            rules("Graham: Trump's rhetoric is destroying the party"),
            [(Rule::HeadlineColon, "Graham")]
        );
    }

    /// The reported words of each statement of `text`, with its cue type.
    fn clauses(text: &str) -> Vec<(&str, Option<&'static str>)> {
        statements(text)
            .iter()
            .map(|s| (s.span.slice(text), s.cue_type))
            .collect()
    }

    #[test]
    fn an_intention_reported_as_a_to_infinitive_is_a_belief_statement() {
        assert_eq!(
            clauses("The senator plans to block the new budget."),
            [("to block the new budget", Some("belief"))]
        );
        assert_eq!(
            clauses("Okafor declined to comment on the ruling."),
            [("to comment on the ruling", Some("belief"))]
        );
    }

    #[test]
    fn a_request_to_the_addressee_reports_the_to_infinitive() {
        let text = "Ruiz urged the council to reject the plan.";
        assert_eq!(rules(text), [(Rule::Reported, "Ruiz")]);
        assert_eq!(clauses(text)[0].0, "to reject the plan");
    }

    #[test]
    fn a_to_phrase_that_names_a_listener_is_no_infinitive() {
        assert!(clauses("Ruiz talked to the mayor about the budget.").is_empty());
    }

    #[test]
    fn a_short_adverbial_may_stand_between_the_cue_and_that() {
        assert_eq!(
            clauses("Okafor said on Monday that the vote would be delayed."),
            [("the vote would be delayed", Some("speech"))]
        );
    }

    #[test]
    fn a_clause_with_a_present_tense_verb_and_no_that_is_reported() {
        assert_eq!(
            clauses("Ruiz said the mayor likes the new plan."),
            [("the mayor likes the new plan", Some("speech"))]
        );
    }

    #[test]
    fn a_that_clause_after_a_subject_the_readers_miss_has_a_loose_subject() {
        let text = "Two aides familiar with the talks said that the budget vote would slip.";
        assert_eq!(
            rules(text),
            [(
                Rule::ReportedLooseSubject,
                "Two aides familiar with the talks"
            )]
        );
        assert_eq!(clauses(text)[0].0, "the budget vote would slip");
    }

    #[test]
    fn a_that_clause_without_any_subject_is_an_unattributed_statement() {
        let text = "The board met on Friday, but did not recommend that the plant close.";
        let st = statements(text);
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].span.slice(text), "the plant close");
        assert_eq!(st[0].attribution, Rule::ReportedLooseSubject);
        assert!(st[0].flags.contains(&Flag::Unattributed));
    }

    #[test]
    fn an_accusation_reports_the_addressee_and_the_charge() {
        assert_eq!(
            clauses("Ruiz accused the governor of wasting the flood money."),
            [("the governor of wasting the flood money", Some("speech"))]
        );
    }

    #[test]
    fn talking_about_a_topic_reports_the_topic() {
        let text = "Okafor talked about the housing shortage for an hour.";
        assert_eq!(rules(text), [(Rule::Reported, "Okafor")]);
        assert_eq!(clauses(text)[0].0, "the housing shortage for an hour");
    }

    #[test]
    fn a_stance_toward_a_single_name_is_reported() {
        assert_eq!(
            clauses("The union endorsed Okafor."),
            [("Okafor", Some("speech"))]
        );
        assert!(clauses("The union endorsed it.").is_empty());
    }

    #[test]
    fn a_noun_phrase_object_with_a_quotation_is_left_to_the_quote_rules() {
        let text =
            "The senator blasted the plan as “a gift to the banks and nothing else” on Monday.";
        assert!(statements(text)
            .iter()
            .all(|s| s.attribution != Rule::Reported));
        assert_eq!(
            clauses("A new survey shows a tight race in the northern districts."),
            [("a tight race in the northern districts", Some("claim"))]
        );
    }

    #[test]
    fn a_pronoun_with_a_contracted_auxiliary_announces_and_reports_nothing() {
        assert!(clauses("I'll describe the new plan in some detail.").is_empty());
    }

    #[test]
    fn a_plural_noun_far_from_the_subject_is_no_verb() {
        assert!(clauses("Venn says Ostria testing patience on fishing rights.").is_empty());
    }

    #[test]
    fn a_quoted_phrase_inside_a_reported_clause_stays_in_it() {
        let text = "The ministries said the round was held “in a candid spirit” on Monday.";
        assert_eq!(rules(text), [(Rule::Reported, "The ministries")]);
        assert_eq!(statements(text)[0].flags, [Flag::ContainsQuote]);
    }
}
