//! Segmentation: words and punctuation with byte spans, and sentences that never split inside
//! a quotation. Everything here works on spans of the original text; nothing is copied except
//! the lowercased form of a word when a caller asks for it.

use crate::types::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    /// Any other non-space character: punctuation, dashes, quotation marks.
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

impl Token {
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        self.span.slice(text)
    }
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }
}

/// Characters that open or close a quotation (double marks; single marks only nest).
pub fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»' | '＂')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Joiners kept inside a word when letters stand on both sides: "China’s", "US-China", "U.S".
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | '‑' | '&')
}

/// Splits `span` of `text` into word and punctuation tokens.
pub fn tokenize(text: &str, span: Span) -> Vec<Token> {
    let mut tokens = Vec::new();
    tokenize_into(text, span, &mut tokens);
    tokens
}

pub fn tokenize_into(text: &str, span: Span, tokens: &mut Vec<Token>) {
    let s = span.slice(text);
    if s.is_ascii() {
        tokenize_ascii(text, span, tokens);
    } else {
        tokenize_chars(text, span, tokens);
    }
}

fn tokenize_chars(text: &str, span: Span, tokens: &mut Vec<Token>) {
    let s = span.slice(text);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let start = span.start + i;
        if is_word_char(c) {
            let mut end = start + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if is_word_char(d) {
                    chars.next();
                    end = span.start + j + d.len_utf8();
                } else if is_joiner(d) {
                    // Keep the joiner only when a letter or digit follows it.
                    let after = s[j + d.len_utf8()..].chars().next();
                    if after.is_some_and(is_word_char) {
                        chars.next();
                        end = span.start + j + d.len_utf8();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            // "U.S." keeps its final stop: single letters separated by stops are initialisms.
            let word = &text[start..end];
            if is_initialism(word) && text[end..].starts_with('.') {
                end += 1;
                while let Some(&(j, _)) = chars.peek() {
                    if span.start + j < end {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            tokens.push(Token {
                span: Span::new(start, end),
                kind: TokenKind::Word,
            });
        } else {
            // Two apostrophes (or backticks) are one quotation mark in some archives: ''So,'' he said.
            let mut end = start + c.len_utf8();
            if (c == '\'' || c == '`') && s[i + 1..].starts_with(c) {
                chars.next();
                end += 1;
            }
            tokens.push(Token {
                span: Span::new(start, end),
                kind: TokenKind::Punct,
            });
        }
    }
}

/// [`tokenize_into`] for pure ASCII text (most news), on bytes: the same tokens, several
/// times faster than walking `char`s.
fn tokenize_ascii(text: &str, span: Span, tokens: &mut Vec<Token>) {
    let b = &text.as_bytes()[span.start..span.end];
    let word = |c: u8| c.is_ascii_alphanumeric();
    let joiner = |c: u8| matches!(c, b'\'' | b'-' | b'.' | b'&');
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == 0x0b {
            i += 1;
            continue;
        }
        let start = i;
        if word(c) {
            i += 1;
            while i < b.len() && (word(b[i]) || (joiner(b[i]) && i + 1 < b.len() && word(b[i + 1])))
            {
                i += 1;
            }
            // "U.S." keeps its final stop (even just past the span, as the general path does):
            // single letters separated by stops are initialisms.
            if text.as_bytes().get(span.start + i) == Some(&b'.')
                && is_initialism(&text[span.start + start..span.start + i])
            {
                i += 1;
            }
            tokens.push(Token {
                span: Span::new(span.start + start, span.start + i),
                kind: TokenKind::Word,
            });
        } else {
            i += 1;
            // Two apostrophes (or backticks) are one quotation mark in some archives: ''So,'' he said.
            if (c == b'\'' || c == b'`') && b.get(i) == Some(&c) {
                i += 1;
            }
            tokens.push(Token {
                span: Span::new(span.start + start, span.start + i),
                kind: TokenKind::Punct,
            });
        }
    }
}

fn is_initialism(word: &str) -> bool {
    // Asked for every word: decide without allocating.
    word.contains('.')
        && word.split('.').all(|p| {
            let mut chars = p.chars();
            chars.next().is_some_and(char::is_uppercase) && chars.next().is_none()
        })
}

/// A token that is a double quotation mark: a double-mark character, `''` or ``` `` ```.
pub fn quote_mark_of(token: &str) -> Option<char> {
    match token {
        "''" => Some('"'),
        "``" => Some('“'),
        _ => token.chars().next().filter(|&c| is_double_quote(c)),
    }
}

/// Lowercase form with curly apostrophes straightened, the key used for every lexicon lookup.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// [`fold`], appended to `out`: lets callers fold many words into one buffer.
pub fn fold_into(word: &str, out: &mut String) {
    if word.is_ascii() && !word.contains('`') {
        // The common case: a copy lowered in place, without Unicode case tables.
        let start = out.len();
        out.push_str(word);
        if let Some(tail) = out.get_mut(start..) {
            tail.make_ascii_lowercase();
        }
        return;
    }
    for c in word.chars() {
        match c {
            '’' | '‘' | '`' => out.push('\''),
            '‑' | '–' => out.push('-'),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// The folded forms of many tokens in one buffer: token `i`'s is `folded[i]`. One allocation per
/// article instead of one per word (the extractor folds every token of every article).
#[derive(Debug, Clone, Default)]
pub struct Folded {
    buf: String,
    /// End of each word in `buf`; word `i` starts where word `i - 1` ends.
    ends: Vec<u32>,
}

impl Folded {
    pub fn of(text: &str, tokens: &[Token]) -> Folded {
        let mut f = Folded {
            buf: String::with_capacity(text.len()),
            ends: Vec::with_capacity(tokens.len()),
        };
        for t in tokens {
            fold_into(t.text(text), &mut f.buf);
            f.ends.push(f.buf.len() as u32);
        }
        f
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.buf.get(start..end)
    }
}

impl std::ops::Index<usize> for Folded {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }
}

pub fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Sentence spans inside `paragraph`, never breaking inside one of `protected` (quotations).
/// A sentence ends after `.`, `!` or `?` (and any closing marks) when a capital letter, digit or
/// opening quotation mark follows, unless the word before the stop is an abbreviation.
pub fn sentences(
    text: &str,
    paragraph: Span,
    protected: &[Span],
    is_abbreviation: &dyn Fn(&str) -> bool,
) -> Vec<Span> {
    let mut out = Vec::new();
    let p = paragraph.slice(text);
    let mut start = 0usize;
    let mut iter = p.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let abs = paragraph.start + i;
        if protected.iter().any(|q| q.start <= abs && abs < q.end) {
            continue;
        }
        // Absorb closing marks and brackets after the stop.
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = iter.peek() {
            if matches!(d, '.' | '!' | '?' | ')' | ']' | '”' | '’' | '"' | '\'') {
                // A straight mark after a stop closes a quote only if a space follows.
                iter.next();
                end = j + d.len_utf8();
            } else {
                break;
            }
        }
        let rest = &p[end..];
        let trimmed = rest.trim_start();
        if trimmed.len() == rest.len() && !rest.is_empty() {
            continue; // no space after the stop: "3.5", "U.S.A"
        }
        let next = trimmed.chars().next();
        let starts_new = match next {
            None => true,
            Some(n) => {
                n.is_uppercase()
                    || n.is_ascii_digit()
                    || is_double_quote(n)
                    || n == '‘'
                    || trimmed.starts_with("''")
                    || trimmed.starts_with("``")
            }
        };
        if !starts_new {
            continue;
        }
        if c == '.' {
            let before = &p[start..i];
            let last_word = before
                .rsplit(|ch: char| ch.is_whitespace() || ch == '(' || is_double_quote(ch))
                .next()
                .unwrap_or("");
            if is_abbreviation(last_word) || is_single_initial(last_word) {
                continue;
            }
        }
        out.push(trim_span(
            text,
            Span::new(paragraph.start + start, paragraph.start + end),
        ));
        start = end + (rest.len() - trimmed.len());
    }
    if start < p.len() {
        let s = trim_span(text, Span::new(paragraph.start + start, paragraph.end));
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

/// "John F. Kennedy": a lone capital before a stop is an initial, not a sentence end.
fn is_single_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

pub fn trim_span(text: &str, span: Span) -> Span {
    let s = span.slice(text);
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail >= s.len() {
        return Span::new(span.start, span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ascii_fast_path_cuts_the_same_tokens_as_the_general_path() {
        // Deterministic pseudo-random ASCII built from the characters that matter to the rules.
        let alphabet = b"aZ9 .'-&`\"\n\t\x0bUS,;()";
        let mut state = 0x1234_5678_u64;
        for _ in 0..5000 {
            let len = (state % 24) as usize;
            let text: String = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(state >> 33) as usize % alphabet.len()] as char
                })
                .collect();
            for (a, b) in [(0, text.len()), (text.len() / 3, text.len() * 2 / 3)] {
                let span = Span::new(a, b);
                let (mut fast, mut general) = (Vec::new(), Vec::new());
                tokenize_ascii(&text, span, &mut fast);
                tokenize_chars(&text, span, &mut general);
                assert_eq!(fast, general, "{text:?} {span:?}");
            }
        }
    }

    #[test]
    fn fold_lowers_ascii_and_straightens_marks() {
        assert_eq!(fold("U.S."), "u.s.");
        assert_eq!(fold("Don`t"), "don't");
        assert_eq!(fold("China’s"), "china's");
        let mut buf = String::from("x ");
        fold_into("WANG", &mut buf);
        assert_eq!(buf, "x wang");
    }

    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text, Span::new(0, text.len()))
            .iter()
            .map(|t| t.text(text))
            .collect()
    }

    #[test]
    fn two_apostrophes_are_one_quotation_mark() {
        assert_eq!(
            words("''So,'' he said."),
            ["''", "So", ",", "''", "he", "said", "."]
        );
        assert_eq!(quote_mark_of("''"), Some('"'));
    }

    #[test]
    fn words_keep_apostrophes_hyphens_and_initialisms() {
        assert_eq!(
            words("China’s US-China ties, said U.S. officials."),
            [
                "China’s",
                "US-China",
                "ties",
                ",",
                "said",
                "U.S.",
                "officials",
                "."
            ]
        );
    }

    #[test]
    fn sentences_do_not_split_inside_quotes_or_after_abbreviations() {
        let text = "“We met. It went well,” he said. Mr. Smith agreed. Then U.S. officials left.";
        let quote = Span::new(0, text.find(',').unwrap());
        let abbr = |w: &str| w == "Mr";
        let got: Vec<&str> = sentences(text, Span::new(0, text.len()), &[quote], &abbr)
            .iter()
            .map(|s| s.slice(text))
            .collect();
        assert_eq!(
            got,
            [
                "“We met. It went well,” he said.",
                "Mr. Smith agreed.",
                "Then U.S. officials left."
            ]
        );
    }

    #[test]
    fn fold_straightens_apostrophes() {
        assert_eq!(fold("China’s"), "china's");
    }
}
