//! Quotation marks paired into quotations, paragraph by paragraph: curly and straight marks,
//! guillemets and low-9 marks, a quotation running over paragraphs that each open with a mark,
//! and flags for what does not pair cleanly.
//!
//! ```text
//! “We will not back down,” she said.           one quotation, closed
//! “The first point. ¶ “The second point.”      one quotation over two paragraphs (multi_paragraph)
//! He said “this and ¶ Then something else.     closed by its paragraph's end (unclosed_quote)
//! ```

use crate::segment::{self, Token};
use crate::types::{Flag, Span};

/// A quotation: its opening and closing marks (token indices) and the words between them.
#[derive(Debug, Clone)]
pub(super) struct Quote {
    pub(super) open: usize,
    pub(super) close: Option<usize>,
    pub(super) content: Span,
    pub(super) flags: Vec<Flag>,
}

/// Pairs quotation marks paragraph by paragraph. A paragraph that opens a quote and does not
/// close it continues into the next paragraph when that one opens with a mark (the convention
/// for multi-paragraph quotes); otherwise the quote ends with its paragraph and is flagged.
pub(super) fn scan_quotes(text: &str, toks: &[Token], paras: &[(usize, usize)]) -> Vec<Quote> {
    let mut quotes = Vec::new();
    let mut open: Option<(usize, Vec<Flag>)> = None;
    let mut continuation_mark: Option<usize> = None;
    for (pi, &(a, b)) in paras.iter().enumerate() {
        for i in a..b {
            let t = toks[i];
            if t.is_word() || continuation_mark == Some(i) {
                continue;
            }
            let Some(c) = segment::quote_mark_of(t.text(text)) else {
                continue;
            };
            let prev_space = i == a
                || toks[i - 1].span.end < t.span.start
                || (!toks[i - 1].is_word()
                    && !matches!(toks[i - 1].text(text), "." | "," | "!" | "?" | "…"));
            let next_word = i + 1 < b
                && toks[i + 1].span.start == t.span.end
                && (toks[i + 1].is_word()
                    || matches!(toks[i + 1].text(text), "‘" | "'" | "…" | "(" | "["));
            let looks_opening = match c {
                '“' | '„' | '«' => true,
                '”' | '»' => false,
                _ => prev_space,
            };
            match open.take() {
                None => {
                    if looks_opening || next_word {
                        let mut flags = Vec::new();
                        if !looks_opening {
                            flags.push(Flag::MismatchedQuoteMarks);
                        }
                        open = Some((i, flags));
                    }
                    // A stray closing mark with nothing open is ignored: there is no statement
                    // to flag, and the text around it is still searched for reported speech.
                }
                Some((o, mut flags)) => {
                    if matches!(c, '“' | '„' | '«') && prev_space && next_word {
                        // A new opening mark while one is open: the first was never closed.
                        flags.push(Flag::UnclosedQuote);
                        let content = segment::trim_span(
                            text,
                            Span::new(toks[o].span.end, toks[i - 1].span.end.max(toks[o].span.end)),
                        );
                        quotes.push(Quote {
                            open: o,
                            close: None,
                            content,
                            flags,
                        });
                        open = Some((i, Vec::new()));
                    } else {
                        if matches!(c, '“' | '„' | '«') {
                            flags.push(Flag::MismatchedQuoteMarks);
                        }
                        let content =
                            segment::trim_span(text, Span::new(toks[o].span.end, t.span.start));
                        quotes.push(Quote {
                            open: o,
                            close: Some(i),
                            content,
                            flags,
                        });
                    }
                }
            }
        }
        if let Some((o, mut flags)) = open.take() {
            let next_opens = paras.get(pi + 1).is_some_and(|&(na, nb)| {
                na < nb
                    && !toks[na].is_word()
                    && matches!(
                        segment::quote_mark_of(toks[na].text(text)),
                        Some('“' | '"' | '«' | '„')
                    )
            });
            if next_opens {
                // Continues into the next paragraph: its opening mark is not a new quote.
                continuation_mark = Some(paras[pi + 1].0);
                if !flags.contains(&Flag::MultiParagraph) {
                    flags.push(Flag::MultiParagraph);
                }
                open = Some((o, flags));
                continue;
            }
            flags.push(Flag::UnclosedQuote);
            let content =
                segment::trim_span(text, Span::new(toks[o].span.end, toks[b - 1].span.end));
            quotes.push(Quote {
                open: o,
                close: None,
                content,
                flags,
            });
        }
    }
    quotes
}

#[cfg(test)]
mod tests {
    use crate::quotes::testutil::statements;
    use crate::quotes::Flag;

    #[test]
    fn a_quote_continued_by_a_paragraph_opening_with_a_mark_is_one_quote() {
        let text = "“The first point is simple.\n“The second point is harder,” Ruiz said.";
        let st = statements(text);
        assert_eq!(st.len(), 1);
        assert!(
            st[0].flags.contains(&Flag::MultiParagraph),
            "{:?}",
            st[0].flags
        );
    }

    #[test]
    fn a_quote_its_paragraph_never_closes_is_flagged_unclosed() {
        let st =
            statements("Ruiz said: “We will not back down from this fight\nThe vote is Monday.");
        assert!(
            st.iter().any(|s| s.flags.contains(&Flag::UnclosedQuote)),
            "{st:?}"
        );
    }
}
