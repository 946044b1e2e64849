//! The article as the rules read it: tokens with their folded forms, the paragraph and
//! sentence of each, the quotations [`super::marks`] pairs and which token lies inside which,
//! and the headline when the text repeats the title as its first paragraph.
//!
//! ```text
//! “It is ongoing.” He said the FBI has …   two sentences: the full stop that closes the
//!                                          quotation ends its sentence too
//! He called it “a start. A good one.”      one sentence: no sentence ends inside a quotation
//! ```

use crate::normalize::Normalized;
use crate::segment::{self, Folded, Token};
use crate::types::Span;

use super::marks::{scan_quotes, Quote};
use super::Extractor;

/// The story text's tokens and their folded forms, in reading order.
pub struct Words {
    pub toks: Vec<Token>,
    pub folded: Folded,
}

/// The article cut into tokens, paragraphs, sentences and quotes.
pub(super) struct Doc<'a> {
    pub(super) text: &'a str,
    /// Token range of the article's headline: a short first paragraph of one sentence.
    pub(super) headline: Option<(usize, usize)>,
    pub(super) toks: Vec<Token>,
    pub(super) folded: Folded,
    pub(super) para_of: Vec<usize>,
    pub(super) sent_of: Vec<usize>,
    pub(super) sents: Vec<(usize, usize)>,
    pub(super) quote_of: Vec<Option<usize>>,
    pub(super) quotes: Vec<Quote>,
}

impl Doc<'_> {
    pub(super) fn word(&self, i: usize) -> &str {
        self.toks[i].text(self.text)
    }
    pub(super) fn is_punct(&self, i: usize) -> bool {
        !self.toks[i].is_word()
    }
    pub(super) fn is_quote_mark(&self, i: usize) -> bool {
        self.is_punct(i) && segment::quote_mark_of(self.word(i)).is_some()
    }
    pub(super) fn in_headline(&self, i: usize) -> bool {
        self.headline.is_some_and(|(a, b)| a <= i && i < b)
    }
    pub(super) fn sent_range(&self, i: usize) -> (usize, usize) {
        self.sents[self.sent_of[i]]
    }
    pub(super) fn span_of(&self, from: usize, to_exclusive: usize) -> Span {
        Span::new(
            self.toks[from].span.start,
            self.toks[to_exclusive - 1].span.end,
        )
    }
}

impl Extractor {
    pub(super) fn build_doc<'a>(
        &self,
        text: &'a str,
        norm: &Normalized,
        title: Option<&str>,
    ) -> Doc<'a> {
        let mut toks = Vec::new();
        let mut para_of = Vec::new();
        let mut para_ranges = Vec::new();
        for (pi, p) in norm.paragraphs.iter().enumerate() {
            let before = toks.len();
            segment::tokenize_into(text, *p, &mut toks);
            para_of.resize(toks.len(), pi);
            para_ranges.push((before, toks.len()));
        }
        let folded = Folded::of(text, &toks);
        let quotes = scan_quotes(text, &toks, &para_ranges);
        let mut quote_of = vec![None; toks.len()];
        for (qi, q) in quotes.iter().enumerate() {
            let end = q.close.map(|c| c + 1).unwrap_or_else(|| {
                let last_para = para_of_pos(&toks, &para_of, q.content.end.saturating_sub(1));
                para_ranges[last_para].1
            });
            for slot in &mut quote_of[q.open..end] {
                *slot = Some(qi);
            }
        }
        // Sentences never split inside a quotation.
        // The full stop that ends a quotation may end the sentence too ("… is “ongoing.” He
        // said …"), so it is left outside the protected span; stops inside stay protected.
        let protected: Vec<Span> = quotes
            .iter()
            .map(|q| {
                let end = if text[..q.content.end].ends_with('.') {
                    q.content.end - 1
                } else {
                    q.content.end
                };
                Span::new(toks[q.open].span.start, end.max(toks[q.open].span.end))
            })
            .collect();
        let abbr = |w: &str| self.abbreviations.contains(w);
        let mut sents = Vec::new();
        let mut sent_of = vec![0; toks.len()];
        for (pi, p) in norm.paragraphs.iter().enumerate() {
            let (a, b) = para_ranges[pi];
            let mut t = a;
            let local: Vec<Span> = protected
                .iter()
                .copied()
                .filter(|q| q.start < p.end && p.start < q.end)
                .collect();
            for s in segment::sentences(text, *p, &local, &abbr) {
                let start = t;
                while t < b && toks[t].span.start < s.end {
                    t += 1;
                }
                if t > start {
                    for slot in &mut sent_of[start..t] {
                        *slot = sents.len();
                    }
                    sents.push((start, t));
                }
            }
            if t < b {
                for slot in &mut sent_of[t..b] {
                    *slot = sents.len();
                }
                sents.push((t, b));
            }
        }
        let squash = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        };
        let title_key = title.map(squash).filter(|t| !t.is_empty());
        let headline = norm
            .paragraphs
            .first()
            .zip(para_ranges.first().copied())
            .and_then(|(p, range)| {
                (title_key.as_deref() == Some(squash(p.slice(text)).as_str())).then_some(range)
            });
        Doc {
            text,
            headline,
            toks,
            folded,
            para_of,
            sent_of,
            sents,
            quote_of,
            quotes,
        }
    }
}

fn para_of_pos(toks: &[Token], para_of: &[usize], pos: usize) -> usize {
    let i = toks
        .partition_point(|t| t.span.start <= pos)
        .saturating_sub(1);
    para_of.get(i).copied().unwrap_or(0)
}
