//! The transcript branch of [`Engine::process`]: a transcript's turns become statements
//! spoken by their labelled speakers, and the quotations inside a turn go through the news
//! extractor so they are attributed to whom the turn quotes. The pieces (labels, turns,
//! resolution) live in [`crate::transcript`]; this file only joins them to the extractor, the
//! resolver and the scorer, which `transcript` may not import.
//!
//! ```text
//! PRESIDENT HALLIN:  As President Venkel said, “the sea is wide enough for both.”
//!   → turn    (Teodor Hallin, XVA)   the whole paragraph
//!   → partial (Oskar Venkel, XOS)    “the sea is wide enough for both.”   flag in_turn
//! ```

use crate::actors::ArticleResolver;
use crate::transcript;
use crate::transcript::label::LabelKind;
use crate::transcript::resolve::{Document, LabelResolver};
use crate::types::{Article, Span, Speaker, Statement, StatementKind};

use super::Engine;

/// A statement with its speaker, addressee and the label of the turn it is part of.
pub(super) type Resolved = (Statement, Speaker, Option<String>, Option<Span>);

impl Engine {
    /// A transcript's statements: one per segment of each turn (kind `turn`, or `question`
    /// for a reporter's), spoken by the turn's labelled speaker, and after each segment the
    /// quotations embedded in it ("as President Xi said, “…”"), attributed to whom it quotes.
    pub(super) fn transcript_statements(
        &self,
        article: &Article,
        paragraphs: &[Span],
    ) -> Vec<Resolved> {
        let text = &article.text;
        let doc = Document {
            text,
            title: article.title.as_deref(),
            source: article.source.as_deref(),
            date: article.published,
        };
        let mut labels = LabelResolver::new(self.transcript_registry(), &self.transcripts, &doc);
        let mut out = Vec::new();
        for turn in transcript::turns::turns(text, paragraphs, &self.transcripts) {
            let opening_end = paragraphs[turn.paragraph].end;
            let speaker = labels.speaker(&turn.label, text, opening_end);
            let question = turn.label.kind == LabelKind::Question;
            for seg in &turn.segments {
                let statement = Statement {
                    kind: if question {
                        StatementKind::Question
                    } else {
                        StatementKind::Turn
                    },
                    span: seg.span,
                    quote: None,
                    cue: None,
                    speaker_mention: (!question).then_some(turn.label.span),
                    descriptor: None,
                    antecedent: None,
                    addressee_mention: None,
                    attribution: crate::rule::Rule::Turn,
                    cue_type: Some(crate::quotes::CueType::Speech.as_str()),
                    flags: vec![],
                    paragraph: seg.paragraph,
                };
                out.push((statement, speaker.clone(), None, Some(turn.label.span)));
                out.extend(
                    self.embedded_quotes(article, seg.span, seg.paragraph)
                        .into_iter()
                        .map(|(st, sp, ad)| (st, sp, ad, Some(turn.label.span))),
                );
            }
        }
        out
    }

    /// Quotations inside one segment of a turn that the news extractor attributes to a named
    /// person ("as President Xi said, “…”"); the turn's own first-person clauses ("I said …")
    /// are the turn speaker's words and stay in the turn statement.
    fn embedded_quotes(
        &self,
        article: &Article,
        seg: Span,
        paragraph: usize,
    ) -> Vec<(Statement, Speaker, Option<String>)> {
        let words = seg.slice(&article.text);
        if !words.chars().any(crate::segment::is_double_quote) {
            return vec![];
        }
        let norm = crate::normalize::Normalized {
            paragraphs: vec![Span::new(0, words.len())],
            dropped: vec![],
        };
        let (statements, toks) = self.extractor.extract(words, &norm, None);
        let mut resolver = ArticleResolver::new(
            self.transcript_registry(),
            &self.extractor.lex.grammar,
            words,
            &toks.toks,
            &toks.folded,
            article.published,
        );
        let shift = |s: Span| Span::new(s.start + seg.start, s.end + seg.start);
        statements
            .into_iter()
            .filter(|st| st.kind.is_quoted() && st.speaker_mention.is_some())
            .filter_map(|mut st| {
                let (speaker, addressee) = resolver.resolve(&st);
                if !self.quotes_a_named_person(&speaker) {
                    return None;
                }
                st.span = shift(st.span);
                st.quote = st.quote.map(shift);
                st.cue = st.cue.map(shift);
                st.speaker_mention = st.speaker_mention.map(shift);
                st.descriptor = st.descriptor.map(shift);
                st.addressee_mention = st.addressee_mention.map(shift);
                st.paragraph = paragraph;
                st.flags.push(crate::rule::Flag::InTurn);
                Some((st, speaker, addressee))
            })
            .collect()
    }

    /// Whether an embedded quotation's speaker is a person by name: one of the registry, or
    /// one the turn introduces with at least two capitalised words. The news rules' other
    /// readings inside first-person speech are the turn speaker's own words: on the White House
    /// set they gave 65 speakers such as "I’m" and "You" ("Am I confident?", I said), all
    /// `article:new`.
    fn quotes_a_named_person(&self, speaker: &Speaker) -> bool {
        let Some(name) = &speaker.name else {
            return false;
        };
        if speaker.resolution.starts_with("registry") {
            return true;
        }
        let words: Vec<&str> = name.split_whitespace().collect();
        let pronouns = &self.extractor.lex.grammar.pronouns;
        speaker.resolution.starts_with("article")
            && words.len() >= 2
            && words.iter().all(|w| {
                crate::segment::is_capitalized(w)
                    && !w.contains(['’', '\''])
                    && !pronouns.contains_key(&crate::segment::fold(w))
            })
    }
}
