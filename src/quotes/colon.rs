//! A colon standing for the reporting verb before a quote: a name and a colon ("Donald Trump:
//! “…”"), signed after a dash whatever verb stands before it ("Pollsters agree - Ann Ruiz:
//! “…”"), or the subject of the clause the colon closes ("She is sure of one thing: “…”").
//! (A colon closing the paragraph before is in [`super::context`], a headline's "Name: …" in
//! [`super::reported`].)
//!
//! ```text
//! He wrote about it. Donald Trump: “It was a disaster.”   colon  "Donald Trump"
//! Pollsters agree - Ann Ruiz: “The race is close.”        colon  "Ann Ruiz"
//! She is sure of one thing: “We will win.”                colon  "She"
//! ```

use crate::segment::is_capitalized;

use super::attribute::Attribution;
use super::cue::Cue;
use super::doc::Doc;
use super::marks::Quote;
use super::np::Np;
use super::{Extractor, Rule};

impl Extractor {
    /// Step 2 of `attribute_quote`: "Pollsters agree - Ann Ruiz: “…”": a name and a colon after a dash sign the quote,
    /// whatever verb stands before the dash.
    pub(super) fn signed_after_dash(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let (s_start, _) = doc.sent_range(q.open);
        // "Pollsters agree - Ann Ruiz: “…”": a name and a colon after a dash sign the quote,
        // whatever verb stands before the dash.
        if q.open > s_start + 2 && doc.word(q.open - 1) == ":" {
            let colon = q.open - 1;
            let mut j = colon;
            while j > s_start
                && doc.toks[j - 1].is_word()
                && is_capitalized(doc.word(j - 1))
                && colon - j < 4
            {
                j -= 1;
            }
            if j < colon && j > s_start && matches!(doc.word(j - 1), "-" | "—" | "–" | "--") {
                return Some(Attribution {
                    cue: Cue::colon(colon),
                    subject: Some(Np {
                        start: j,
                        end: colon,
                        descriptor: None,
                    }),
                    how: Rule::Colon,
                });
            }
        }
        None
    }

    /// Step 5 of `attribute_quote`: a name right before the colon that opens the quote ("… he tweeted about it. Donald
    /// Trump: “…”").
    pub(super) fn colon_after_name(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let (s_start, _) = doc.sent_range(q.open);
        if q.open > s_start + 1
            && doc.word(q.open - 1) == ":"
            && is_capitalized(doc.word(q.open - 2))
        {
            let colon = q.open - 1;
            let mut j = colon;
            while j > s_start
                && doc.toks[j - 1].is_word()
                && is_capitalized(doc.word(j - 1))
                && colon - j < 4
            {
                j -= 1;
            }
            if j < colon {
                let cue = Cue::colon(colon);
                return Some(Attribution {
                    cue,
                    subject: Some(Np {
                        start: j,
                        end: colon,
                        descriptor: None,
                    }),
                    how: Rule::Colon,
                });
            }
        }
        None
    }

    /// Step 6 of `attribute_quote`: "She is sure of one thing: “…”": the subject of the clause before the colon.
    pub(super) fn colon_after_clause(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let (s_start, _) = doc.sent_range(q.open);
        if q.open > s_start && doc.word(q.open - 1) == ":" {
            let mut first = s_start;
            while first < q.open
                && (doc.is_punct(first) || self.is_sentence_adverb(&doc.folded[first]))
            {
                first += 1;
            }
            // "With aides worried about turnout, Ruiz is rolling out a message: “…”": past an
            // introductory phrase, the main clause's subject comes first.
            let introduced = (doc.toks[s_start].is_word()
                && self.lex.grammar.prepositions.contains(&doc.folded[s_start]))
            .then(|| self.main_clause_subject(doc, q.open - 1, s_start))
            .flatten();
            let verb_follows = |np: &Np| {
                np.end < q.open && doc.toks[np.end].is_word() && !is_capitalized(doc.word(np.end))
            };
            let np = [introduced, self.subject_right(doc, first)]
                .into_iter()
                .flatten()
                .find(verb_follows);
            if let Some(np) = np {
                return Some(Attribution {
                    cue: Cue::colon(q.open - 1),
                    subject: Some(np),
                    how: Rule::Colon,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::rules;
    use crate::quotes::Rule;

    #[test]
    fn a_name_and_colon_after_a_dash_sign_the_quote() {
        assert_eq!(
            rules("Pollsters agree - Ann Ruiz: “The race is close.”"),
            [(Rule::Colon, "Ann Ruiz")]
        );
    }

    #[test]
    fn the_subject_of_the_clause_before_a_colon_speaks() {
        assert_eq!(
            rules("She is sure of one thing: “We will win.”"),
            [(Rule::Colon, "She")]
        );
    }

    // See: issue 18.
    #[test]
    fn past_an_introductory_phrase_the_main_clauses_subject_speaks_before_a_colon() {
        assert_eq!(
            rules("With party leaders increasingly worried about turnout, Mayor Ana Ruiz is rolling out a new message: “It is about us.”"),
            [(Rule::Colon, "Mayor Ana Ruiz")]
        );
    }

    #[test]
    fn a_name_right_before_the_colon_speaks() {
        assert_eq!(
            rules("He wrote about it on Monday. Donald Trump: “It was a disaster.”")
                .last()
                .copied(),
            Some((Rule::Colon, "Donald Trump"))
        );
    }
}
