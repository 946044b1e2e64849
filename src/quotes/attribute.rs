//! The attribution of one quotation: the rules tried in a fixed order, each a named step, the
//! first that finds a speaker winning.
//!
//! ```text
//! “…,” said Wu Xinbo.                       after the closing mark   after-quote:inverted
//! “…,” Wu Xinbo said.                       after the closing mark   after-quote
//! Ruiz told the Tribune, “…”                a verb before the quote  before-quote
//! … “the end” for the EU, said Wilders.     later in the sentence    after-quote:inverted
//! “…,” Hannity started.                     a subject and any verb   after-quote:any-verb
//! ```
//! The colons are read in [`super::colon`], the rules that look beyond the quote's sentence in
//! [`super::context`].

use rustc_hash::FxHashSet as HashSet;

use crate::segment::is_capitalized;

use super::cue::Cue;
use super::doc::Doc;
use super::marks::Quote;
use super::np::Np;
use super::{CueType, Extractor, Rule, SourceSide};

/// What a reporting verb before the quote gave: a speaker, or the nearest verb that may yet
/// attribute the quote through its main clause when no later rule does.
enum Before {
    Found(Attribution),
    Nearest(Option<Cue>),
}

/// A quote's speaker as a rule found it: the cue, the speaker's phrase (none when the cue has
/// no subject), and which rule.
#[derive(Debug, Clone, Copy)]
pub(super) struct Attribution {
    pub(super) cue: Cue,
    pub(super) subject: Option<Np>,
    pub(super) how: Rule,
}

impl Extractor {
    /// The speaker of quote `q`: the rules in their order, the first that finds one winning.
    /// `used` holds the cues earlier quotes were attributed through. Steps 1 to 4 read the
    /// quote's sentence; when step 3 found a reporting verb without a subject, it waits for
    /// step 4 and then speaks through its main clause; otherwise the colons (5, 6), a subject
    /// and any verb after a comma quote, and the rules of [`super::context`] follow.
    pub(super) fn attribute_quote(
        &self,
        doc: &Doc,
        q: &Quote,
        used: &HashSet<usize>,
    ) -> Option<Attribution> {
        if let Some(a) = self
            .after_closing_mark(doc, q, used)
            .or_else(|| self.signed_after_dash(doc, q))
        {
            return Some(a);
        }
        let nearest = match self.verb_before_quote(doc, q) {
            Before::Found(a) => return Some(a),
            Before::Nearest(cue) => cue,
        };
        if let Some(a) = self.later_in_closing_sentence(doc, q, used) {
            return Some(a);
        }
        match nearest {
            None => self
                .colon_after_name(doc, q)
                .or_else(|| self.colon_after_clause(doc, q))
                .or_else(|| self.subject_and_verb_after_comma_quote(doc, q, used))
                .or_else(|| self.colon_before_paragraph(doc, q))
                .or_else(|| self.next_sentence(doc, q, used))
                .or_else(|| self.dash_byline(doc, q)),
            Some(cue) => Some(self.main_clause_attribution(doc, q, cue)),
        }
    }

    /// 1. Right after the closing mark: "…,” said Wu Xinbo" / "…,” Xi told Blinken".
    fn after_closing_mark(
        &self,
        doc: &Doc,
        q: &Quote,
        used: &HashSet<usize>,
    ) -> Option<Attribution> {
        let c = q.close?;
        let (_, s_end) = doc.sent_range(c);
        let mut k = c + 1;
        while k < s_end
            && doc.is_punct(k)
            && !doc.is_quote_mark(k)
            && matches!(doc.word(k), "," | "." | "—" | "–" | "-" | ":" | ";")
        {
            k += 1;
        }
        // "“…,” Ruiz said" / "“…” — Ruiz said": punctuation closes the quote before an
        // attribution that follows it. Without any, the words after the closing mark go on with
        // the sentence ("describing as “reckless” a Vale post attacking …": "post" is a noun).
        let separated = k > c + 1
            || q.content
                .slice(doc.text)
                .trim_end_matches(|ch: char| ch.is_whitespace() || "'’\"”".contains(ch))
                .ends_with([',', '.', '!', '?', ';', ':', '—', '–', '-', '…']);
        if k < s_end {
            if let Some(a) = self
                .as_source_put_it(doc, k, s_end, used)
                .filter(|_| separated)
            {
                return Some(a);
            }
            if let Some(cue) = self.cue_at(doc, k) {
                // "according to X" right after a quote is weaker than a verb before it
                // ("Wang said that “…,” according to the Chinese reading"): it waits for
                // `later_in_closing_sentence`.
                if cue.source == SourceSide::Before && !used.contains(&cue.start) {
                    // "…,” said the 46-year-old.", "…,” said a source close to the talks.": a
                    // descriptive phrase that ends the clause, read whole (with the phrase
                    // after its head) before the shorter reading of `subject_right`.
                    let ends = |np: &Np| {
                        np.end == s_end
                            || doc.is_punct(np.end)
                            || self
                                .lex
                                .grammar
                                .relatives_after_speaker
                                .contains(&doc.folded[np.end])
                    };
                    if let Some(np) = self.loose_np_right(doc, cue.end, s_end).filter(ends) {
                        let np = self
                            .source_after(doc, cue.end)
                            .filter(|long| long.start == np.start && long.end > np.end)
                            .unwrap_or(np);
                        return Some(Attribution {
                            cue,
                            subject: Some(np),
                            how: Rule::AfterQuoteInverted,
                        });
                    }
                    if let Some(np) = self.source_after(doc, cue.end) {
                        return Some(Attribution {
                            cue,
                            subject: Some(np),
                            how: Rule::AfterQuoteInverted,
                        });
                    }
                }
            }
            // "…,” which some Republicans want": a relative clause, not an attribution.
            let relative = self
                .lex
                .grammar
                .relatives_after_quote
                .contains(&doc.folded[k]);
            // A name first ("…,” Wu Xinbo said), then a descriptive phrase that names no one
            // ("…,” the moderator said", "…,” his nephew added").
            let candidates = [
                self.subject_right(doc, k),
                self.loose_np_right(doc, k, s_end),
            ];
            for mut np in candidates
                .into_iter()
                .flatten()
                .filter(|_| !relative && separated)
            {
                let mut m = np.end;
                // "…,” John Bryant, the Republican chairman, said": skip the appositive.
                // The appositive may hold commas of its own ("…,” Ann Bond, 30, of Raleigh,
                // said"): the first comma followed by a reporting verb closes it.
                if m < s_end && doc.word(m) == "," {
                    let close = (m + 2..(m + 30).min(s_end.saturating_sub(1)))
                        .take_while(|&t| doc.quote_of[t].is_none())
                        .filter(|&t| doc.word(t) == ",")
                        .find(|&t| self.cue_at(doc, t + 1).is_some());
                    if let Some(c2) = close {
                        np.descriptor = Some(doc.span_of(m + 1, c2));
                        m = c2 + 1;
                    }
                }
                // "…,” Ann Ruiz of the Hale Center for Policy Studies wrote": a place or
                // institution after the name.
                let g = &self.lex.grammar;
                let named = (np.start..np.end)
                    .any(|t| doc.toks[t].is_word() && is_capitalized(doc.word(t)));
                // The name reading may have taken the preposition in already ("Jon Lewe of").
                let p = if np.end > np.start + 1 && g.prepositions.contains(&doc.folded[np.end - 1])
                {
                    np.end - 1
                } else {
                    m
                };
                if named
                    && p + 1 < s_end
                    && doc.toks[p].is_word()
                    && g.prepositions.contains(&doc.folded[p])
                    && !g.time_prepositions.contains(&doc.folded[p])
                {
                    let mut k = p + 1;
                    if g.determiners.contains(&doc.folded[k]) {
                        k += 1;
                    }
                    let name_start = k;
                    while k < s_end
                        && doc.quote_of[k].is_none()
                        && ((doc.toks[k].is_word() && is_capitalized(doc.word(k)))
                            || self.is_np_word(doc, k)
                            || (k > name_start && self.is_name_joiner(doc, k)))
                    {
                        k += 1;
                    }
                    if k > name_start && k < s_end && self.cue_at(doc, k).is_some() {
                        m = k;
                        np.end = np.end.min(p);
                    }
                }
                while m < s_end && self.lex.grammar.between.contains(&doc.folded[m]) {
                    m += 1;
                }
                if m < s_end {
                    if let Some(cue) = self.cue_at(doc, m) {
                        // "…ongoing.” He said the FBI has …": a verb with a clause of its own
                        // starts a new statement rather than attributing the quote.
                        // (After "told Blinken" a capitalised addressee is no clause.)
                        // ("…,” Wu said as she left": an adverbial clause is not what was said.)
                        let own_clause = if cue.addressee {
                            cue.end < s_end && matches!(&doc.folded[cue.end], "that" | ":")
                        } else {
                            self.opens_clause(doc, cue.end, s_end)
                                && !(cue.end < s_end
                                    && self
                                        .lex
                                        .grammar
                                        .subordinators
                                        .contains(&doc.folded[cue.end]))
                        };
                        if cue.source == SourceSide::Before
                            && !used.contains(&cue.start)
                            && !own_clause
                        {
                            return Some(Attribution {
                                cue,
                                subject: Some(np),
                                how: Rule::AfterQuote,
                            });
                        }
                    }
                }
            }
        }
        None
    }

    /// 3. A reporting verb before the quote in the same sentence, the nearest first.
    fn verb_before_quote(&self, doc: &Doc, q: &Quote) -> Before {
        let (s_start, _) = doc.sent_range(q.open);
        let mut nearest: Option<Cue> = None;
        let mut relative_head: Option<(Cue, Np)> = None;
        let mut i = q.open;
        while i > s_start {
            i -= 1;
            if doc.quote_of[i].is_some() {
                continue;
            }
            let Some(cue) = self.cue_at(doc, i) else {
                continue;
            };
            if cue.end > q.open {
                continue;
            }
            if cue.source == SourceSide::After {
                if nearest.is_none() {
                    if let Some(np) = self.source_after(doc, cue.end) {
                        return Before::Found(Attribution {
                            cue,
                            subject: Some(np),
                            how: Rule::AccordingTo,
                        });
                    }
                }
                continue;
            }
            // "Ryan endorsed Trump in early June, telling reporters “…”": a participle after a
            // comma hangs off the main clause, so its speaker is that clause's subject; the
            // nearest phrase to its left is an object or an adjunct of the main verb.
            let left = cue
                .start
                .checked_sub(1)
                .map(|p| &doc.folded[p])
                .unwrap_or("");
            if nearest.is_none() && left == "," && self.is_participle(doc, &cue) {
                if let Some(np) = self
                    .reporting_clause_subject(doc, cue.start - 1, s_start)
                    .or_else(|| self.main_clause_subject(doc, cue.start, s_start))
                {
                    return Before::Found(Attribution {
                        cue,
                        subject: Some(np),
                        how: Rule::BeforeQuoteParticiple,
                    });
                }
            }
            if let Some(np) = self.subject_left(doc, cue.start) {
                // "Ruiz told a student who suggested a boycott that “…”", "Penn said any
                // candidate who wants to win “owes it to the voters”": a verb whose subject is
                // a relative pronoun with no comma before it stands in a relative clause inside
                // another clause; when words stand between it and the quote, the quote belongs
                // to a reporting verb further left (if none speaks, to the relative's head).
                let restrictive = np.end >= np.start + 2
                    && &doc.folded[np.end - 1] == "who"
                    && doc.word(np.end - 2) != ","
                    && (cue.end..q.open).any(|t| doc.toks[t].is_word());
                if restrictive && relative_head.is_none() && nearest.is_none() {
                    relative_head = Some((cue, np));
                    continue;
                }
                // "Ruiz told the Tribune in a written statement, “…”": the phrase before the cue
                // is the object of an earlier reporting verb, whose own subject speaks.
                if let Some((v, subject)) = self.object_of_reporting_verb(doc, &np, s_start) {
                    return Before::Found(Attribution {
                        cue: v,
                        subject: Some(subject),
                        how: Rule::BeforeQuote,
                    });
                }
                if let Some(outer) = self.outer_attribution(doc, &cue, &np, s_start) {
                    return Before::Found(outer);
                }
                let (cue, how) = match nearest {
                    // A phrase that contains the nearer verb ("responded by saying") is one cue.
                    Some(n) if n.end > cue.end => (n, Rule::BeforeQuoteCoordinated),
                    _ => (cue, Rule::BeforeQuote),
                };
                return Before::Found(Attribution {
                    cue,
                    subject: Some(np),
                    how,
                });
            }
            // "Said Dora Penn, who grew up nearby, “…”": a verb that opens the sentence has its
            // subject after it.
            if cue.start == s_start && nearest.is_none() {
                let named = |np: &Np| {
                    doc.toks[np.start].is_word()
                        && is_capitalized(doc.word(np.start))
                        && !self
                            .lex
                            .grammar
                            .prepositions
                            .contains(&doc.folded[np.start])
                };
                if let Some(np) = self
                    .subject_right(doc, cue.end)
                    .filter(|np| np.end <= q.open && named(np))
                {
                    return Before::Found(Attribution {
                        cue,
                        subject: Some(np),
                        how: Rule::BeforeQuoteInverted,
                    });
                }
            }
            if nearest.is_none()
                && matches!(
                    left,
                    "," | "upon" | "after" | "before" | "while" | "when" | "without"
                )
                && self.is_participle(doc, &cue)
            {
                if let Some(np) = self.main_clause_subject(doc, cue.start, s_start) {
                    return Before::Found(Attribution {
                        cue,
                        subject: Some(np),
                        how: Rule::BeforeQuoteParticiple,
                    });
                }
            }
            // A verb with no subject of its own attributes the quote only when it is
            // coordinated with an earlier one ("told … that X “…” and believes …"); otherwise
            // the word is probably a noun ("at the closed-door talks").
            if matches!(left, "and" | "but" | "or" | "," | "also" | "then")
                || self.lex.grammar.between.contains(left)
            {
                nearest.get_or_insert(cue);
            }
        }
        match relative_head {
            Some((cue, np)) => Before::Found(Attribution {
                cue,
                subject: Some(np),
                how: Rule::BeforeQuote,
            }),
            None => Before::Nearest(nearest),
        }
    }

    /// 4. Later in the closing sentence: "according to X", or an attribution that ends the
    /// sentence after a comma ("… “the beginning of the end” for the EU, said Wilders.").
    fn later_in_closing_sentence(
        &self,
        doc: &Doc,
        q: &Quote,
        used: &HashSet<usize>,
    ) -> Option<Attribution> {
        let c = q.close?;
        let (_, s_end) = doc.sent_range(c);
        for k in c + 1..s_end {
            if doc.quote_of[k].is_some() {
                // "… was “stagnant” as donors waited for a “turbulent cycle” to end, he
                // said.": an attribution that closes the sentence covers every quote in
                // it, so a later quote is stepped over when only that can follow.
                if self.sentence_closing_cue(doc, k, s_end).is_some() {
                    continue;
                }
                break;
            }
            let Some(cue) = self.cue_at(doc, k) else {
                continue;
            };
            if cue.source == SourceSide::After {
                if let Some(np) = self.source_after(doc, cue.end) {
                    return Some(Attribution {
                        cue,
                        subject: Some(np),
                        how: Rule::AccordingTo,
                    });
                }
            } else if !used.contains(&cue.start) && doc.word(k - 1) == "," {
                if let Some(np) = self.source_after(doc, cue.end) {
                    if self.ends_clause(doc, np.end, s_end)
                        || doc.word(np.end.min(s_end - 1)) == ","
                    {
                        return Some(Attribution {
                            cue,
                            subject: Some(np),
                            how: Rule::AfterQuoteInverted,
                        });
                    }
                }
            } else if !used.contains(&cue.start) && self.ends_clause(doc, cue.end, s_end) {
                if let Some(np) = self
                    .subject_left(doc, cue.start)
                    .filter(|np| np.start > c + 1 && doc.word(np.start - 1) == ",")
                {
                    return Some(Attribution {
                        cue,
                        subject: Some(np),
                        how: Rule::AfterQuote,
                    });
                }
            }
        }
        None
    }

    /// Last: "She greeted supporters in Houston and told them they would “…”", "Toomey refused
    /// to say, responding that he is “…”": the nearest verb before the quote had no subject of
    /// its own; a verb coordinated with the main clause's, or a participle after it, shares the
    /// main clause's subject.
    fn main_clause_attribution(&self, doc: &Doc, q: &Quote, cue: Cue) -> Attribution {
        let (s_start, _) = doc.sent_range(q.open);
        match self.main_clause_subject(doc, cue.start, s_start) {
            Some(np) => Attribution {
                cue,
                subject: Some(np),
                how: Rule::BeforeQuoteMainClause,
            },
            None => Attribution {
                cue,
                subject: None,
                how: Rule::BeforeQuoteNoSubject,
            },
        }
    }

    /// The reporting verb whose object `np` is ("told | the Tribune", "talked to | the
    /// Tribune"), with that verb's own subject.
    pub(super) fn object_of_reporting_verb(
        &self,
        doc: &Doc,
        np: &Np,
        s_start: usize,
    ) -> Option<(Cue, Np)> {
        let g = &self.lex.grammar;
        let mut k = np.start;
        if k > s_start && doc.toks[k - 1].is_word() && g.determiners.contains(&doc.folded[k - 1]) {
            k -= 1;
        }
        if k > s_start && &doc.folded[k - 1] == "to" {
            k -= 1;
        }
        if k <= s_start || !doc.toks[k - 1].is_word() {
            return None;
        }
        let v = self.cue_at(doc, k - 1).filter(|c| {
            c.end == k && c.source == SourceSide::Before && (c.addressee || &doc.folded[k] == "to")
        })?;
        let subject = self.subject_left(doc, v.start)?;
        Some((v, subject))
    }

    /// "“…,” Hannity started.", "“…,” she went on.": a quote that opens its sentence and ends
    /// in a comma, with the sentence going on with a subject and a verb, is that subject's
    /// words whatever the verb (the comma marks an attribution to follow; no verb list holds
    /// every verb writers use for it). A quote inside the sentence ending in a comma is more
    /// often a title in an introductory phrase ("Speaking on “This Week,” Ruiz said").
    pub(super) fn subject_and_verb_after_comma_quote(
        &self,
        doc: &Doc,
        q: &Quote,
        used: &HashSet<usize>,
    ) -> Option<Attribution> {
        let c = q.close?;
        if !q.content.slice(doc.text).trim_end().ends_with(',')
            || doc.sent_range(q.open).0 != q.open
        {
            return None;
        }
        let (_, s_end) = doc.sent_range(c);
        let k = c + 1;
        if k >= s_end || !doc.toks[k].is_word() || doc.quote_of[k].is_some() {
            return None;
        }
        let g = &self.lex.grammar;
        let np = self
            .subject_right(doc, k)
            .or_else(|| self.loose_np_right(doc, k, s_end))
            .filter(|np| np.start == k)?;
        let mut v = np.end;
        while v < s_end && g.between.contains(&doc.folded[v]) {
            v += 1;
        }
        if v >= s_end
            || !doc.toks[v].is_word()
            || doc.quote_of[v].is_some()
            || is_capitalized(doc.word(v))
            || used.contains(&v)
        {
            return None;
        }
        let w = &doc.folded[v];
        let not_verb = g.prepositions.contains(w)
            || g.determiners.contains(w)
            || g.sentence_conjunctions.contains(w)
            || g.relatives_after_quote.contains(w)
            || g.complementizers.contains(w)
            || g.subordinators.contains(w)
            || g.np_words.contains(w)
            || g.collective.contains(w);
        if not_verb {
            return None;
        }
        let cue = Cue {
            start: v,
            end: v + 1,
            kind: CueType::Speech,
            source: SourceSide::Before,
            addressee: false,
            quote_object: false,
            np_complement: false,
            to_complement: false,
        };
        Some(Attribution {
            cue,
            subject: Some(np),
            how: Rule::AfterQuoteAnyVerb,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::{rules, statements};
    use crate::quotes::{Flag, Rule};

    #[test]
    fn a_verb_then_a_name_after_the_closing_mark_is_after_quote_inverted() {
        assert_eq!(
            rules("“We will not back down,” said Ana Ruiz."),
            [(Rule::AfterQuoteInverted, "Ana Ruiz")]
        );
    }

    #[test]
    fn a_name_then_a_verb_after_the_closing_mark_is_after_quote() {
        assert_eq!(
            rules("“We will not back down,” Ana Ruiz said."),
            [(Rule::AfterQuote, "Ana Ruiz")]
        );
    }

    #[test]
    fn a_verb_with_its_subject_before_the_quote_is_before_quote() {
        assert_eq!(
            rules("Ruiz said: “We will not back down.”"),
            [(Rule::BeforeQuote, "Ruiz")]
        );
    }

    #[test]
    fn the_subject_of_the_verb_whose_object_stands_before_the_cue_speaks() {
        assert_eq!(
            rules("Ruiz told the Tribune in a written statement, “We will not back down.”"),
            [(Rule::BeforeQuote, "Ruiz")]
        );
    }

    #[test]
    fn a_verb_opening_the_sentence_takes_the_name_after_it() {
        assert_eq!(
            rules("Said Dora Penn, who grew up nearby, “It was a good day for the town.”"),
            [(Rule::BeforeQuoteInverted, "Dora Penn")]
        );
    }

    #[test]
    fn a_participle_after_a_comma_speaks_for_the_main_clause_subject() {
        assert_eq!(
            rules("Ryan endorsed Trump in early June, telling reporters “we have more in common than not.”"),
            [(Rule::Reported, "Ryan"), (Rule::BeforeQuoteParticiple, "Ryan")]
        );
    }

    #[test]
    fn an_inner_pronoun_clause_belongs_to_the_outer_speaker() {
        assert_eq!(
            rules("Ruiz told reporters that he feels “very confident about the vote.”"),
            [(Rule::BeforeQuoteOuter, "Ruiz")]
        );
    }

    // See: issue 18 (PolNeAR: a nested source is credited to the outer speaker).
    #[test]
    fn a_verb_in_a_relative_clause_leaves_the_quote_to_the_verb_before_it() {
        let told = rules(
            "Ana Ruiz told a student who suggested a boycott that “staying home is no strategy.”",
        );
        assert_eq!(told, [(Rule::BeforeQuote, "Ana Ruiz")]);
        let said = statements(
            "Dora Penn said any candidate who wants to win the county “owes it to the voters” to debate.",
        );
        let quote = said.iter().find(|s| s.quote.is_some()).expect("the quote");
        assert_eq!(quote.attribution, Rule::BeforeQuote);
        let text = "Dora Penn said any candidate who wants to win the county “owes it to the voters” to debate.";
        assert_eq!(
            quote.speaker_mention.map(|m| m.slice(text)),
            Some("Dora Penn")
        );
    }

    #[test]
    fn a_relative_clause_verb_right_before_its_quote_keeps_its_subject() {
        assert_eq!(
            rules("The marchers who chanted “we are still here” walked on."),
            [(Rule::BeforeQuote, "The marchers who")]
        );
    }

    #[test]
    fn an_inner_participle_or_that_clause_belongs_to_the_outer_speaker() {
        assert_eq!(
            rules("Ana Ruiz recalled Tom Vale talking about “how the plant nearly closed that winter.”"),
            [(Rule::BeforeQuoteOuter, "Ana Ruiz")]
        );
        // An outer participle speaks through its main clause's subject.
        let text = "Tom Vale posted messages on Friday saying that Ana Ruiz had shown poor judgment in using the old budget “as a model of thrift.”";
        assert_eq!(rules(text), [(Rule::BeforeQuoteOuter, "Tom Vale")]);
    }

    #[test]
    fn a_name_and_verb_after_a_quote_without_punctuation_is_no_attribution() {
        assert_eq!(
            rules(
                "Mayor Ana Ruiz is describing as “reckless” a Tom Vale post attacking the council."
            ),
            [(Rule::BeforeQuote, "Mayor Ana Ruiz")]
        );
    }

    #[test]
    fn as_a_source_put_it_after_a_quote_attributes_it() {
        assert_eq!(
            rules("The main test of the program is a “lawful source of income,” as a Treasury memo put it."),
            [(Rule::AfterQuote, "a Treasury memo")]
        );
        // A prepositional phrase may follow the verb.
        assert_eq!(
            rules("Still, the fact that the race “is a dead heat right now,” as Vale said on a radio show, matters."),
            [(Rule::AfterQuote, "Vale")]
        );
        // "as" with a clause after the verb reports something else.
        assert!(
            !rules("The vote was “a disgrace,” as Ruiz said he would argue.")
                .contains(&(Rule::AfterQuote, "Ruiz"))
        );
    }

    #[test]
    fn a_quote_ending_in_a_comma_then_a_subject_and_any_verb_is_after_quote_any_verb() {
        assert_eq!(
            rules("“We will win this fight,” Hannity started."),
            [(Rule::AfterQuoteAnyVerb, "Hannity")]
        );
    }

    #[test]
    fn an_attribution_closing_the_sentence_after_a_comma_covers_an_earlier_quote() {
        assert_eq!(
            rules("The vote was “the beginning of the end” for the EU, said Wilders."),
            [(Rule::AfterQuoteInverted, "Wilders")]
        );
    }

    #[test]
    fn according_to_after_the_quote_is_according_to() {
        assert_eq!(
            rules("The talks were “productive and candid,” according to the ministry."),
            [(Rule::AccordingTo, "the ministry")]
        );
    }

    #[test]
    fn a_nearer_verb_without_a_subject_joins_the_farther_ones_speaker() {
        assert_eq!(
            rules("Ruiz spoke to reporters and said “we will not back down.”"),
            [(Rule::BeforeQuoteCoordinated, "Ruiz")]
        );
    }

    #[test]
    fn a_coordinated_verb_with_no_subject_of_its_own_speaks_for_the_main_clause() {
        assert_eq!(
            rules("Ruiz smiled and said “we will not back down.”"),
            [(Rule::BeforeQuoteMainClause, "Ruiz")]
        );
    }

    #[test]
    fn a_verb_with_no_subject_anywhere_leaves_the_quote_unattributed() {
        let text = "At the rally, and later said “we will win this.”";
        assert_eq!(rules(text), [(Rule::BeforeQuoteNoSubject, "")]);
        assert_eq!(statements(text)[0].flags, [Flag::Unattributed]);
    }
}
