//! Statement extraction: direct quotes (curly and straight marks, nested single quotes),
//! multi-paragraph quotes, partial quotes inside reported speech, and unquoted reported speech.
//! Scare-quoted terms ("the “one China” policy") are recognised and skipped.
//!
//! The extractor reads the article's story paragraphs (from [`crate::normalize`]) and returns
//! [`Statement`]s whose speaker is still a mention ("he", "Chinese President Xi Jinping");
//! the resolver in `actors/` turns mentions into people and countries. Each statement names the
//! [`Rule`] that found its speaker:
//!
//! ```text
//! “We will not back down,” said Ana Ruiz, the mayor.   direct    after-quote:inverted  "Ana Ruiz"
//! Ruiz told reporters that the talks had failed.       reported  reported              "Ruiz"
//! ```
//!
//! How an article flows through the files of this folder ([`Extractor::extract`]):
//! 1. [`doc`] cuts the text into tokens, paragraphs and sentences (never inside a quotation),
//!    with the quotations [`marks`] pairs and the headline.
//! 2. Every quotation, in reading order, becomes a statement in [`direct`]: [`attribute`] tries
//!    the attribution rules in a fixed order (after the closing mark, a verb before the quote,
//!    later in the sentence, a colon in [`colon`]), then those of [`context`] (the next
//!    sentence, a colon closing the paragraph before, a dash byline, the previous speaker
//!    carrying over); a short quote used as a noun is dropped as a term. A quote broken by its
//!    attribution is joined into one statement here.
//! 3. [`reported`] reads every sentence for unquoted reported speech ("X said that …",
//!    "according to X, …", "CONTENT, X said.", "Name: CONTENT" headlines).
//! 4. A quote inside a reported clause that says the same is dropped; the [`ranker`] may then
//!    name another speaker for a quote, never add or drop one.
//!
//! The readers the rules share: [`cue`] finds reporting verbs and phrases, [`np`] reads noun
//! phrase shapes and completes cut ones, [`subject`] reads the speaker before a cue ("Ruiz,
//! a lawyer, said"), [`source`] the speaker after one ("said Ruiz", "according to the
//! ministry"), [`clause`] the subject of a sentence's main clause and where clauses start.

mod attribute;
mod clause;
mod colon;
mod context;
mod cue;
mod direct;
mod doc;
pub mod lexicon;
mod marks;
mod np;
pub mod ranker;
mod reported;
mod source;
mod subject;
#[cfg(test)]
mod testutil;

use rustc_hash::FxHashSet as HashSet;

use crate::normalize::Normalized;
pub use crate::rule::{Flag, Rule};
use crate::types::{Span, Statement, StatementKind};
pub use doc::Words;
pub use lexicon::{CueLexicon, CueType, SourceSide};
pub use ranker::{QuoteCandidates, SpeakerRanker};

/// The statement extractor; built once and shared by all workers.
pub struct Extractor {
    pub lex: CueLexicon,
    abbreviations: HashSet<String>,
    /// The learned speaker re-ranker (`models/speaker-ranker.toml`); without it the rules'
    /// speaker stands.
    ranker: Option<SpeakerRanker>,
}

impl Extractor {
    pub fn new(lex: CueLexicon, abbreviations: HashSet<String>) -> Self {
        Extractor {
            lex,
            abbreviations,
            ranker: None,
        }
    }

    /// The extractor with a speaker re-ranker.
    pub fn with_ranker(mut self, ranker: SpeakerRanker) -> Self {
        self.ranker = Some(ranker);
        self
    }

    /// Replaces (or, with `None`, removes) the speaker re-ranker.
    pub fn set_ranker(&mut self, ranker: Option<SpeakerRanker>) {
        self.ranker = ranker;
    }

    /// The statements the rules alone find (no re-ranking), and the speaker candidates of each
    /// quote statement: what `tonetrack train speakers` learns from.
    pub fn extract_candidates(
        &self,
        text: &str,
        norm: &Normalized,
        title: Option<&str>,
    ) -> (Vec<Statement>, Vec<QuoteCandidates>) {
        let mut cands = Vec::new();
        let (statements, _) = self.extract_with(text, norm, title, Some(&mut cands));
        (statements, cands)
    }

    /// Finds the statements of one article, in reading order, and hands back the article's
    /// words so later stages need not tokenise it again. `title` is the article's headline:
    /// when the text repeats it as its first paragraph, that paragraph is read with headline
    /// grammar ("Obama says Trump modeling policies on Putin").
    pub fn extract(
        &self,
        text: &str,
        norm: &Normalized,
        title: Option<&str>,
    ) -> (Vec<Statement>, Words) {
        self.extract_with(text, norm, title, None)
    }

    /// [`Extractor::extract`]; with `collect`, the rules' statements are kept as they are and
    /// every quote statement's speaker candidates are gathered there instead.
    fn extract_with(
        &self,
        text: &str,
        norm: &Normalized,
        title: Option<&str>,
        collect: Option<&mut Vec<QuoteCandidates>>,
    ) -> (Vec<Statement>, Words) {
        let doc = self.build_doc(text, norm, title);
        let mut out: Vec<Statement> = Vec::new();
        let mut used_cues: HashSet<usize> = HashSet::default();
        let mut consumed_quotes = vec![false; doc.quotes.len()];

        for (qi, q) in doc.quotes.iter().enumerate() {
            if consumed_quotes[qi] {
                continue;
            }
            if let Some(st) = self.quote_statement(&doc, q, &out, &mut used_cues) {
                // “A,” she said. “B.” / “A,” she said, “B.” — a quote broken by its attribution
                // is one statement.
                let same_cue = |p: &Statement| p.cue.is_some() && p.cue == st.cue;
                let continues =
                    st.attribution == Rule::Paragraph || out.last().is_some_and(same_cue);
                if continues && st.kind == StatementKind::Direct {
                    if let Some(prev) = out
                        .last_mut()
                        .filter(|p| p.paragraph == st.paragraph && p.quote.is_some())
                    {
                        prev.span.end = st.span.end;
                        prev.quote = prev.quote.map(|q| Span::new(q.start, st.span.end));
                        prev.flags.extend(
                            st.flags
                                .iter()
                                .copied()
                                .filter(|f| *f != Flag::Unattributed),
                        );
                        if !prev.flags.contains(&Flag::SplitQuote) {
                            prev.flags.push(Flag::SplitQuote);
                        }
                        consumed_quotes[qi] = true;
                        continue;
                    }
                }
                out.push(st);
            }
            consumed_quotes[qi] = true;
        }
        let reported = self.reported_statements(&doc, &used_cues);
        // A quote without a speaker of its own that lies inside a reported clause is a quoted
        // phrase of that clause ("said the talks were held “in a sincere atmosphere”"), which
        // the reported statement already carries; on its own it would count the words twice.
        // The same holds for a quote attributed to the speaker of the clause around it ("the
        // ministries said the round was held “in a candid spirit”" read through "held").
        out.retain(|q| {
            let unattributed =
                q.kind == StatementKind::Direct && q.attribution == Rule::BeforeQuoteNoSubject;
            let same_speaker = |r: &Statement| {
                q.speaker_mention.is_some()
                    && r.speaker_mention.map(|m| m.slice(text))
                        == q.speaker_mention.map(|m| m.slice(text))
            };
            // So does a quote whose speaker the rules found inside that clause ("Trump said that
            // Clinton once called the deal “the gold standard”" read through "called"): the
            // clause's speaker reports it.
            let speaker_inside = |r: &Statement| {
                q.speaker_mention
                    .is_some_and(|m| r.span.contains(m) && m.start < q.span.start)
            };
            !reported.iter().any(|r| {
                r.span.contains(q.span)
                    && (unattributed
                        || (q.kind != StatementKind::Reported
                            && (same_speaker(r) || speaker_inside(r))))
            })
        });
        // The quotes' speakers are settled after the filter above, so the re-ranker changes who
        // speaks but never which statements there are.
        match (collect, &self.ranker) {
            (Some(c), _) => *c = self.collect_candidates(&doc, &out),
            (None, Some(r)) => self.rerank(&doc, &mut out, r),
            (None, None) => {}
        }
        out.extend(reported);
        out.sort_by_key(|s| (s.span.start, s.span.end));
        let words = Words {
            toks: doc.toks,
            folded: doc.folded,
        };
        (out, words)
    }
}
