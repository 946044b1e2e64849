//! Statement extraction: direct quotes (curly and straight marks, nested single quotes),
//! multi-paragraph quotes, partial quotes inside reported speech, and unquoted reported speech.
//! Scare-quoted terms ("the “one China” policy") are recognised and skipped.
//!
//! The extractor reads the article's story paragraphs (from [`crate::normalize`]) and returns
//! [`Statement`]s whose speaker is still a mention ("he", "Chinese President Xi Jinping");
//! [`crate::actors`] resolves mentions to people and countries.

pub mod lexicon;
pub mod ranker;
pub mod ranker_train;

use rustc_hash::FxHashSet as HashSet;

use crate::normalize::Normalized;
use crate::segment::{self, fold, is_capitalized, Folded, Token};
use crate::types::{Span, Statement, StatementKind};
pub use lexicon::{CueLexicon, CueType, SourceSide};
pub use ranker::{QuoteCandidates, SpeakerRanker};

/// Lowercase particles of family names ("van der Hale", "de la Cruz", "bin Salman").
const NAME_PARTICLES: [&str; 14] = [
    "van", "der", "den", "de", "von", "al", "bin", "da", "di", "du", "le", "la", "del", "ter",
];

/// A quote no longer than this many words, used inside a noun phrase, is a term, not a statement.
const MAX_TERM_WORDS: usize = 4;
/// How many words a speaker's noun phrase may have.
const MAX_NP_WORDS: usize = 10;
/// How many words after a reporting verb a finite verb must appear for a that-less clause.
const MAX_CLAUSE_SUBJECT_WORDS: usize = 10;
/// How many sentences before a quote's own the paragraph's last speaker is looked for.
const PARAGRAPH_SPEAKER_SENTENCES: usize = 2;
/// How many words a speaker's description after its cue may have ("a longtime adviser to …").
const MAX_DESCRIPTION_WORDS: usize = 25;

/// The statement extractor; built once and shared by all workers.
pub struct Extractor {
    pub lex: CueLexicon,
    abbreviations: HashSet<String>,
    /// The learned speaker re-ranker (`models/speaker-ranker.toml`); without it the rules'
    /// speaker stands.
    ranker: Option<SpeakerRanker>,
}

#[derive(Debug, Clone)]
struct Quote {
    open: usize,
    close: Option<usize>,
    content: Span,
    flags: Vec<&'static str>,
}

/// The story text's tokens and their folded forms, in reading order.
pub struct Words {
    pub toks: Vec<Token>,
    pub folded: Folded,
}

/// The article cut into tokens, paragraphs, sentences and quotes.
struct Doc<'a> {
    text: &'a str,
    /// Token range of the article's headline: a short first paragraph of one sentence.
    headline: Option<(usize, usize)>,
    toks: Vec<Token>,
    folded: Folded,
    para_of: Vec<usize>,
    sent_of: Vec<usize>,
    sents: Vec<(usize, usize)>,
    quote_of: Vec<Option<usize>>,
    quotes: Vec<Quote>,
}

impl Doc<'_> {
    fn word(&self, i: usize) -> &str {
        self.toks[i].text(self.text)
    }
    fn is_punct(&self, i: usize) -> bool {
        !self.toks[i].is_word()
    }
    fn is_quote_mark(&self, i: usize) -> bool {
        self.is_punct(i) && segment::quote_mark_of(self.word(i)).is_some()
    }
    fn in_headline(&self, i: usize) -> bool {
        self.headline.is_some_and(|(a, b)| a <= i && i < b)
    }
    fn sent_range(&self, i: usize) -> (usize, usize) {
        self.sents[self.sent_of[i]]
    }
    fn span_of(&self, from: usize, to_exclusive: usize) -> Span {
        Span::new(
            self.toks[from].span.start,
            self.toks[to_exclusive - 1].span.end,
        )
    }
}

/// A cue occurrence: token range and what kind of cue it is.
#[derive(Debug, Clone, Copy)]
struct Cue {
    start: usize,
    end: usize,
    kind: CueType,
    source: SourceSide,
    addressee: bool,
    quote_object: bool,
    np_complement: bool,
}

impl Cue {
    /// A colon standing for the reporting verb ("Okafor: …", "… was clear: “…”").
    fn colon(at: usize) -> Cue {
        Cue {
            start: at,
            end: at + 1,
            kind: CueType::Speech,
            source: SourceSide::Before,
            addressee: false,
            quote_object: false,
            np_complement: false,
        }
    }
}

/// A speaker noun phrase found around a cue.
#[derive(Debug, Clone, Copy)]
struct Np {
    start: usize,
    end: usize,
    descriptor: Option<Span>,
}

#[derive(Debug, Clone, Copy)]
struct Attribution {
    cue: Cue,
    subject: Option<Np>,
    how: &'static str,
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
                let continues = st.attribution == "paragraph" || out.last().is_some_and(same_cue);
                if continues && st.kind == StatementKind::Direct {
                    if let Some(prev) = out
                        .last_mut()
                        .filter(|p| p.paragraph == st.paragraph && p.quote.is_some())
                    {
                        prev.span.end = st.span.end;
                        prev.quote = prev.quote.map(|q| Span::new(q.start, st.span.end));
                        prev.flags
                            .extend(st.flags.iter().copied().filter(|f| *f != "unattributed"));
                        if !prev.flags.contains(&"split_quote") {
                            prev.flags.push("split_quote");
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
                q.kind == StatementKind::Direct && q.attribution == "before-quote:no-subject";
            let same_speaker = |r: &Statement| {
                q.speaker_mention.is_some()
                    && r.speaker_mention.map(|m| m.slice(text))
                        == q.speaker_mention.map(|m| m.slice(text))
            };
            !reported.iter().any(|r| {
                r.span.contains(q.span)
                    && (unattributed || (q.kind != StatementKind::Reported && same_speaker(r)))
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

    fn build_doc<'a>(&self, text: &'a str, norm: &Normalized, title: Option<&str>) -> Doc<'a> {
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

    // ----- cues and noun phrases -------------------------------------------------------------

    fn cue_at(&self, doc: &Doc, i: usize) -> Option<Cue> {
        if doc.is_punct(i) || doc.quote_of[i].is_some() {
            return None;
        }
        // Punctuation and quotation marks never equal a phrase word, so the raw window works.
        let window_end = (i + self.lex.max_phrase_words()).min(doc.toks.len());
        let words = (i..window_end).map(|k| &doc.folded[k]);
        if let Some(p) = self
            .lex
            .phrase_at(words)
            .filter(|p| (i..i + p.words.len()).all(|j| doc.quote_of[j].is_none()))
        {
            return Some(Cue {
                start: i,
                end: i + p.words.len(),
                kind: p.kind,
                source: p.source,
                addressee: false,
                quote_object: false,
                np_complement: p.np_complement,
            });
        }
        let v = self.lex.verb(&doc.folded[i])?;
        // A capitalised verb form inside a sentence is a name ("United States"), except in a
        // title-case headline ("Rubio Says Reform Was a Sign of Leadership").
        if is_capitalized(doc.word(i))
            && doc.sent_range(i).0 != i
            && !(doc.in_headline(i) && v.kind != CueType::Belief && !v.participle)
        {
            return None;
        }
        if !v.participle && i > 0 && self.is_noun_slot(doc, i - 1) {
            // After an article, a possessive or "of" the form is a noun: "Trump's comments",
            // "the report", "the secretary of state".
            return None;
        }
        if v.participle {
            // "saying" reports only after "by" or an auxiliary ("was saying", "responded by saying").
            let prev = i.checked_sub(1).map(|p| &doc.folded[p]).unwrap_or("");
            // After a comma it is a participial attribution ("…, saying “…”") whose speaker is
            // the subject of the main clause.
            // After "upon"/"after"/"while" it reports too ("upon saying, “…”"), and after a name
            // it is that person speaking ("footage of Trump saying, “…”").
            let after_name = i > 0
                && doc.toks[i - 1].is_word()
                && is_capitalized(doc.word(i - 1))
                && doc.sent_range(i).0 != i - 1;
            if !(matches!(
                prev,
                "by" | "," | "upon" | "after" | "before" | "while" | "when" | "without"
            ) || after_name
                || self.lex.grammar.copulas.contains(prev))
            {
                return None;
            }
        }
        Some(Cue {
            start: i,
            end: i + 1,
            kind: v.kind,
            source: SourceSide::Before,
            addressee: v.addressee,
            quote_object: v.quote_object,
            np_complement: v.np_complement,
        })
    }

    /// Whether the word at `i` makes the word after it a noun: an article or possessive
    /// determiner, a possessive ("Trump's"), or "of". Quantifiers ("some", "many", "one") are
    /// left out: they can be the subject of a verb ("some said").
    fn is_noun_slot(&self, doc: &Doc, i: usize) -> bool {
        if !doc.toks[i].is_word() || doc.quote_of[i].is_some() {
            return false;
        }
        let w = &doc.folded[i];
        let g = &self.lex.grammar;
        g.noun_markers.contains(w)
            || (w.len() > 2
                && (w.ends_with("'s") || w.ends_with("s'"))
                && !g.pronouns.contains_key(w.trim_end_matches("'s"))
                && !g.s_contractions.contains(w))
    }

    fn is_np_word(&self, doc: &Doc, i: usize) -> bool {
        if doc.quote_of[i].is_some() {
            return false;
        }
        if !doc.toks[i].is_word() {
            // The stop of an initial or a title inside a name: "Marc E. Elias", "Gov. Bush".
            return doc.word(i) == "."
                && i > 0
                && i + 1 < doc.toks.len()
                && doc.toks[i - 1].span.end == doc.toks[i].span.start
                && doc.toks[i + 1].is_word()
                && is_capitalized(doc.word(i + 1))
                && (doc.word(i - 1).chars().count() == 1
                    || self.abbreviations.contains(doc.word(i - 1)))
                && is_capitalized(doc.word(i - 1));
        }
        let g = &self.lex.grammar;
        let w = &doc.folded[i];
        if NAME_PARTICLES.contains(&w) {
            // "Sorin van der Hale": particles inside a name, when a name word follows.
            return (i + 1..(i + 3).min(doc.toks.len()))
                .any(|k| doc.toks[k].is_word() && is_capitalized(doc.word(k)));
        }
        if self.lex.verb(w).is_some() && !is_capitalized(doc.word(i)) {
            return false;
        }
        is_capitalized(doc.word(i)) || g.np_words.contains(w) || g.collective.contains(w)
    }

    /// Lowercase modifiers followed by a speaker noun within three words ("presidential
    /// candidate"): the index of that noun.
    fn adjectives_then_head(&self, doc: &Doc, from: usize, s_end: usize) -> Option<usize> {
        let g = &self.lex.grammar;
        (from..(from + 4).min(s_end))
            .take_while(|&k| {
                let w = &doc.folded[k];
                doc.toks[k].is_word()
                    && doc.quote_of[k].is_none()
                    && !g.prepositions.contains(w)
                    && !g.determiners.contains(w)
                    && self.lex.verb(w).is_none()
            })
            .find(|&k| g.collective.contains(&doc.folded[k]) || g.np_words.contains(&doc.folded[k]))
    }

    /// Reading leftwards from `from`: lowercase modifiers back to a determiner within three
    /// words; the determiner's index.
    fn determiner_then_adjectives(&self, doc: &Doc, from: usize, s_start: usize) -> Option<usize> {
        let g = &self.lex.grammar;
        let mut k = from;
        for _ in 0..4 {
            if !doc.toks[k].is_word() || doc.quote_of[k].is_some() {
                return None;
            }
            let w = &doc.folded[k];
            if g.determiners.contains(w) {
                return (k < from).then_some(k);
            }
            if g.prepositions.contains(w) || self.lex.verb(w).is_some() || k == s_start {
                return None;
            }
            k -= 1;
        }
        None
    }

    fn is_name_joiner(&self, doc: &Doc, i: usize) -> bool {
        matches!(
            &doc.folded[i],
            "of" | "for" | "and" | "&" | "de" | "van" | "von" | "al" | "bin"
        )
    }

    /// Words that may start a sentence but never a speaker's name.
    fn is_sentence_adverb(&self, w: &str) -> bool {
        let g = &self.lex.grammar;
        g.between.contains(w)
            || g.clause_breakers.contains(w)
            || g.prepositions.contains(w)
            || matches!(
                w,
                "however"
                    | "meanwhile"
                    | "then"
                    | "now"
                    | "here"
                    | "there"
                    | "instead"
                    | "still"
                    | "indeed"
                    | "separately"
                    | "asked"
                    | "speaking"
            )
    }

    /// The speaker before a cue: "Chinese President Xi Jinping hailed", "aides later said",
    /// "Wu, a professor at Fudan University, said", "he added"; failing those, a subject with
    /// commas of its own ("Clinton, 35, the daughter of …, said"), a descriptive phrase that
    /// names no one ("the lawyers said"), or a subject before a parenthetical in dashes.
    fn subject_left(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let np = self
            .subject_left_strict(doc, cue_start)
            .or_else(|| self.appositive_subject(doc, cue_start))
            .or_else(|| self.loose_np_left(doc, cue_start))
            .or_else(|| self.subject_before_dashes(doc, cue_start))?;
        // "Ann Bask of Dayton, Ohio says", "Ray Mund, who worked for Sen. Ted Vance, said": the
        // words next to the verb close a prepositional phrase inside the subject's description.
        if self.in_prepositional_phrase(doc, &np) || self.ends_open_appositive(doc, &np) {
            if let Some(opening) = self.clause_opening_subject(doc, np.start) {
                return Some(opening);
            }
        }
        Some(
            self.relative_clause_subject(doc, &np, cue_start)
                .unwrap_or(np),
        )
    }

    /// "The groups who met the mayor on Thursday say …": the phrase before the verb closes a
    /// relative clause (no comma around it) whose head opens the clause; the subject is the
    /// head with its whole relative clause, up to the verb.
    fn relative_clause_subject(&self, doc: &Doc, np: &Np, cue_start: usize) -> Option<Np> {
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
    fn ends_open_appositive(&self, doc: &Doc, np: &Np) -> bool {
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
    fn subject_before_dashes(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
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
    fn in_prepositional_phrase(&self, doc: &Doc, np: &Np) -> bool {
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
    fn clause_opening_subject(&self, doc: &Doc, before: usize) -> Option<Np> {
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
    fn skip_between_left(&self, doc: &Doc, cue_start: usize, s_start: usize) -> usize {
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
    fn appositive_subject(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
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

    /// The comma-delimited segment `idx` (ending at `commas[idx]`) as a subject: it opens the
    /// clause (the sentence start, or right after an introductory phrase) and is a name, a
    /// pronoun or an unnamed speaker from end to end.
    fn segment_subject(
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

    /// Whether the word at `i` opens an introductory phrase ("In a statement, …", "After the
    /// vote, …", "Speaking to reporters, …").
    fn is_introductory(&self, doc: &Doc, i: usize) -> bool {
        let g = &self.lex.grammar;
        let w = &doc.folded[i];
        g.prepositions.contains(w)
            || g.subordinators.contains(w)
            || g.introductory.contains(w)
            || (w.len() > 4 && w.ends_with("ing"))
            // "Based on …", "Asked about …", "Preceded by …": a participle and its preposition.
            || (w.len() > 4 && w.ends_with("ed") && i + 1 < doc.toks.len() && g.prepositions.contains(&doc.folded[i + 1]))
    }

    /// "the lawyers said", "Some chanted", "the progressive heavyweights wrote": a descriptive
    /// phrase that opens its clause, read leftwards from the verb back to its determiner
    /// (at most four words, none of them a preposition, auxiliary or verb).
    fn loose_np_left(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(cue_start);
        let end = self.skip_between_left(doc, cue_start, s_start);
        let mut j = end;
        let det = loop {
            if j == s_start || end - j >= 5 {
                return None;
            }
            let t = j - 1;
            let w = &doc.folded[t];
            if !doc.toks[t].is_word() || doc.quote_of[t].is_some() {
                return None;
            }
            if g.unnamed_openers_before_verb.contains(w) {
                break t;
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

    /// A one-word noun phrase that is an ordinary word capitalised only because it opens the
    /// sentence ("Nothing", "Hastily", "Doing so", "It's"): no speaker. The article writing the
    /// same word in lowercase elsewhere, an -ly adverb, a verb form, or a contracted pronoun
    /// gives it away.
    fn is_common_word_np(&self, doc: &Doc, np: &Np) -> bool {
        let first = np.start;
        if doc.sent_range(first).0 != first {
            return false;
        }
        let w = &doc.folded[first];
        if let Some((base, _)) = w.split_once('\'') {
            if self.lex.grammar.pronouns.contains_key(base)
                || self.lex.grammar.contraction_hosts.contains(base)
            {
                return true;
            }
        }
        // A subject pronoun is written in lowercase elsewhere but is no common word here.
        if np.end - np.start != 1 || self.lex.grammar.pronouns.contains_key(w) {
            return false;
        }
        (w.len() > 3 && w.ends_with("ly"))
            || (w.len() > 4 && w.ends_with("ing"))
            || self.lex.verb(w).is_some()
            || self.lex.grammar.finite.contains(w)
            || (0..doc.toks.len()).any(|t| {
                t != first
                    && &doc.folded[t] == w
                    && doc.toks[t].is_word()
                    && !is_capitalized(doc.word(t))
            })
    }

    fn subject_left_strict(&self, doc: &Doc, cue_start: usize) -> Option<Np> {
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

    /// A descriptive noun phrase that names no one, reading rightwards: "the moderator", "one
    /// factory employee", "his nephew Omar Haddad", "the 43-year-old", "the progressive
    /// heavyweights". It must open with a determiner and holds up to six words that are no
    /// preposition, auxiliary, relative pronoun or reporting verb; the caller checks that a
    /// reporting verb (or the end of the clause) follows.
    fn loose_np_right(&self, doc: &Doc, from: usize, s_end: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        if from >= s_end || !doc.toks[from].is_word() || doc.quote_of[from].is_some() {
            return None;
        }
        let first = &doc.folded[from];
        if !is_capitalized(doc.word(from)) && !self.lex.grammar.determiners.contains(first) {
            // "retired surgeon Ben Carson", "councilmember Ana Levine": lowercase words before
            // a name.
            if let Some(np) = self.titled_name_right(doc, from, s_end) {
                return Some(np);
            }
        }
        if is_capitalized(doc.word(from)) {
            // "DoubleLine Capital portfolio manager Ann Baha": a name inside the title words.
            if let Some(np) = self.titled_name_right(doc, from, s_end) {
                return Some(np);
            }
        }
        let opens = g.unnamed_openers_after_quote.contains(first)
            || (is_capitalized(doc.word(from)) && first.ends_with("'s"));
        if !opens {
            return None;
        }
        let mut j = from + 1;
        while j < s_end && j - from <= 6 {
            let w = &doc.folded[j];
            let function_word = g.ends_noun_phrase(w);
            // A verb form followed by a reporting verb is the phrase's head noun: "…,” the
            // report stated", "…,” the email said".
            let head_noun = j + 1 < s_end
                && self.lex.verb(&doc.folded[j + 1]).is_some()
                && !is_capitalized(doc.word(j + 1));
            let verb = self.lex.verb(w).is_some() && !is_capitalized(doc.word(j)) && !head_noun;
            if !doc.toks[j].is_word()
                || doc.quote_of[j].is_some()
                || function_word
                || verb
                || g.relatives_phrase_end.contains(w)
            {
                break;
            }
            j += 1;
            if head_noun && self.lex.verb(w).is_some() {
                break;
            }
        }
        // "…,” one said": a quantifier can stand alone.
        let alone = g.unnamed_standalone.contains(first);
        if !(j > from + 1 || alone) {
            return None;
        }
        // "a source close to the campaign", "a longtime adviser to both governors": the phrase
        // after the head is part of how the article names the speaker.
        let link = |w: &str| {
            g.unnamed_links.contains(w)
                || (g.prepositions.contains(w) && !g.time_prepositions.contains(w))
        };
        if j < s_end && link(&doc.folded[j]) {
            let mut k = j + 1;
            while k < s_end && k - j <= 8 && doc.toks[k].is_word() && doc.quote_of[k].is_none() {
                let w = &doc.folded[k];
                if g.relatives_phrase_end.contains(w)
                    || g.finite.contains(w)
                    || (self.lex.verb(w).is_some() && !is_capitalized(doc.word(k)))
                {
                    break;
                }
                k += 1;
            }
            if k > j + 1 {
                j = k;
            }
        }
        Some(Np {
            start: from,
            end: j,
            descriptor: None,
        })
    }

    /// Title words in lowercase or capitalised, then a name, reading rightwards ("retired
    /// neurosurgeon Ben Carson", "DoubleLine Capital portfolio manager Ann Baha"): at most eight
    /// words, none a function word or a reporting verb, ending in at least two capitalised words.
    fn titled_name_right(&self, doc: &Doc, from: usize, s_end: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let mut j = from;
        while j < s_end && j - from < 8 {
            let w = &doc.folded[j];
            let function_word =
                g.ends_noun_phrase(w) || g.pronouns.contains_key(w) || g.determiners.contains(w);
            let verb = self.lex.verb(w).is_some() && !is_capitalized(doc.word(j));
            let stop = doc.word(j) == "." && self.is_np_word(doc, j);
            if !(doc.toks[j].is_word() || stop)
                || doc.quote_of[j].is_some()
                || function_word
                || verb
            {
                break;
            }
            j += 1;
        }
        let caps_tail = (from..j)
            .rev()
            .take_while(|&t| is_capitalized(doc.word(t)) || doc.word(t) == ".")
            .filter(|&t| doc.toks[t].is_word())
            .count();
        let has_lower = (from..j).any(|t| doc.toks[t].is_word() && !is_capitalized(doc.word(t)));
        (caps_tail >= 2 && has_lower).then_some(Np {
            start: from,
            end: j,
            descriptor: None,
        })
    }

    /// A subject made of title words with lowercase ones among them, then a name of two or
    /// more capitalised words, then a lowercase word (its verb): "Soviet dissident Milo Dras
    /// referred …", "Former party chair Ann Ruiz wrote …".
    fn title_then_name(&self, doc: &Doc, start: usize, before: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let mut lower = false;
        let mut j = start;
        while j < before && j - start < 8 && doc.toks[j].is_word() && doc.quote_of[j].is_none() {
            let w = &doc.folded[j];
            if is_capitalized(doc.word(j)) {
                if lower
                    && j + 1 < before
                    && doc.toks[j + 1].is_word()
                    && is_capitalized(doc.word(j + 1))
                {
                    let mut end = j;
                    while end < before && doc.toks[end].is_word() && is_capitalized(doc.word(end)) {
                        end += 1;
                    }
                    let verb_next = end < before
                        && doc.toks[end].is_word()
                        && !is_capitalized(doc.word(end))
                        && doc.quote_of[end].is_none()
                        && !g.prepositions.contains(&doc.folded[end]);
                    return verb_next.then_some(Np {
                        start,
                        end,
                        descriptor: None,
                    });
                }
            } else {
                if g.ends_noun_phrase(w)
                    || g.pronouns.contains_key(w)
                    || g.determiners.contains(w)
                    || self.lex.verb(w).is_some()
                {
                    return None;
                }
                lower = true;
            }
            j += 1;
        }
        None
    }

    /// The speaker after a cue: "said Wu Xinbo, professor …", "according to the ministry".
    fn subject_right(&self, doc: &Doc, from: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        let (_, s_end) = doc.sent_range(from.min(doc.toks.len().saturating_sub(1)));
        if from >= s_end {
            return None;
        }
        if doc.toks[from].is_word() && g.pronouns.contains_key(&doc.folded[from]) {
            return Some(Np {
                start: from,
                end: from + 1,
                descriptor: None,
            });
        }
        let mut j = from;
        if g.determiners.contains(&doc.folded[j]) {
            j += 1;
        }
        let np_first = j;
        while j < s_end && j - from < MAX_NP_WORDS {
            if doc.word(j) == "(" && j > np_first {
                match (j + 1..(j + 8).min(s_end)).find(|&c| doc.word(c) == ")") {
                    Some(close) => {
                        j = close + 1;
                        continue;
                    }
                    None => break,
                }
            }
            if self.is_np_word(doc, j) {
                j += 1;
            } else if let Some(head) = self.adjectives_then_head(doc, j, s_end) {
                j = head + 1;
            } else if self.is_name_joiner(doc, j)
                && j > np_first
                && j + 1 < s_end
                && is_capitalized(doc.word(j - 1))
                && self.is_np_word(doc, j + 1)
                && is_capitalized(doc.word(j + 1))
            {
                j += 1;
            } else {
                break;
            }
        }
        if j == np_first {
            return None;
        }
        let mut descriptor = None;
        if j < s_end && doc.word(j) == "," && j + 1 < s_end && doc.toks[j + 1].is_word() {
            let d_start = j + 1;
            let mut d_end = d_start;
            while d_end < s_end
                && doc.quote_of[d_end].is_none()
                && !matches!(doc.word(d_end), "." | ";" | "!" | "?")
            {
                d_end += 1;
            }
            if d_end > d_start {
                descriptor = Some(doc.span_of(d_start, d_end));
            }
        } else if j < s_end && matches!(&doc.folded[j], "of" | "for" | "at") {
            let d_start = np_first;
            let mut d_end = j;
            while d_end < s_end && doc.toks[d_end].is_word() && doc.quote_of[d_end].is_none() {
                d_end += 1;
            }
            descriptor = Some(doc.span_of(d_start, d_end));
        }
        Some(Np {
            start: np_first,
            end: j,
            descriptor,
        })
    }

    /// The speaker after a cue ("…,” said X", "according to X"), read to the end of its phrase
    /// when the phrase describes someone rather than naming them: "a longtime adviser to the
    /// governor", "one aide involved in the talks", "officials with knowledge of the meeting",
    /// "a donor who asked not to be named", "the campaign's statement". Such a speaker is the
    /// whole description (the head alone, "adviser", says little); a name inside it is someone
    /// else, which the resolver knows. The phrase ends at punctuation, a quote, a verb or
    /// conjunction that opens a clause of its own, or a time phrase ("on Monday"); a relative
    /// clause runs to the next comma.
    fn source_after(&self, doc: &Doc, from: usize) -> Option<Np> {
        let np = self.subject_right(doc, from)?;
        let g = &self.lex.grammar;
        let (_, s_end) = doc.sent_range(np.start);
        let start = if np.start == from + 1 && g.determiners.contains(&doc.folded[from]) {
            from
        } else {
            np.start
        };
        let possessive =
            doc.folded[np.end - 1].ends_with("'s") || doc.folded[np.end - 1].ends_with("s'");
        let opener = g.unnamed_openers_after_quote.contains(&doc.folded[start]);
        let unnamed =
            (np.start..np.end).all(|t| !doc.toks[t].is_word() || !is_capitalized(doc.word(t)));
        if !(opener || unnamed || possessive) || np.end >= s_end {
            return Some(np);
        }
        let mut j = np.end;
        let mut relative = false;
        while j < s_end && j - start < MAX_DESCRIPTION_WORDS {
            if doc.quote_of[j].is_some() {
                break;
            }
            if !doc.toks[j].is_word() {
                // The stop of "Gov." or "U.S." stays inside; in a relative clause, so do hyphens
                // and apostrophes. Any other mark ends the phrase.
                let inside = self.is_np_word(doc, j)
                    || (relative
                        && !matches!(
                            doc.word(j),
                            "," | ";" | ":" | "—" | "–" | "(" | ")" | "." | "!" | "?"
                        ));
                if !inside {
                    break;
                }
                j += 1;
                continue;
            }
            let w = &doc.folded[j];
            if !relative {
                if g.relatives_phrase_end.contains(w) {
                    relative = true;
                    j += 1;
                    continue;
                }
                // A verb form that ends the phrase is its head noun ("a pool report.").
                let ends_phrase = j + 1 == s_end || !doc.toks[j + 1].is_word();
                let verb =
                    self.lex.verb(w).is_some() && !is_capitalized(doc.word(j)) && !ends_phrase;
                let time = g.time_prepositions.contains(w)
                    && j + 1 < s_end
                    && (is_capitalized(doc.word(j + 1))
                        || doc.word(j + 1).starts_with(|c: char| c.is_ascii_digit()));
                let breaks = g.finite.contains(w)
                    || (g.clause_breakers.contains(w) && !g.relatives_phrase_end.contains(w))
                    || g.subordinators.contains(w)
                    || g.pronouns.contains_key(w);
                if verb || time || breaks {
                    break;
                }
            }
            j += 1;
        }
        // A relative pronoun with nothing after it is no part of the phrase.
        while j > np.end
            && (g.relatives_phrase_end.contains(&doc.folded[j - 1]) || !doc.toks[j - 1].is_word())
        {
            j -= 1;
        }
        Some(Np {
            start,
            end: j.max(np.end),
            descriptor: np.descriptor,
        })
    }

    /// A subject that describes someone, with the prepositional phrase that names whom it
    /// belongs to: "A spokesman for Platte Valley declined …", "The leader of the Civic League,
    /// Ann Ruiz, warned …". Only a phrase whose object is a name (capitalised words) is read,
    /// so a verb never ends up inside the subject.
    fn with_named_complement(&self, doc: &Doc, np: Np, before: usize) -> Np {
        let g = &self.lex.grammar;
        let start = if np.start > 0
            && g.determiners.contains(&doc.folded[np.start - 1])
            && doc.toks[np.start - 1].is_word()
        {
            np.start - 1
        } else {
            np.start
        };
        let unnamed =
            (np.start..np.end).all(|t| !doc.toks[t].is_word() || !is_capitalized(doc.word(t)));
        let p = np.end;
        if !unnamed
            || p + 1 >= before
            || !doc.toks[p].is_word()
            || !g.prepositions.contains(&doc.folded[p])
            || g.time_prepositions.contains(&doc.folded[p])
        {
            return np;
        }
        let mut j = p + 1;
        if g.determiners.contains(&doc.folded[j]) {
            j += 1;
        }
        let name_start = j;
        while j < before
            && doc.quote_of[j].is_none()
            && (is_capitalized(doc.word(j))
                || (doc.word(j) == "." && self.is_np_word(doc, j))
                || (j > name_start
                    && self.is_name_joiner(doc, j)
                    && j + 1 < before
                    && is_capitalized(doc.word(j + 1))))
        {
            j += 1;
        }
        if j == name_start || !doc.toks[j - 1].is_word() {
            return np;
        }
        Np {
            start,
            end: j,
            descriptor: np.descriptor,
        }
    }

    // ----- quotes ----------------------------------------------------------------------------

    fn attribute_quote(&self, doc: &Doc, q: &Quote, used: &HashSet<usize>) -> Option<Attribution> {
        // 1. Right after the closing mark: "…,” said Wu Xinbo" / "…,” Xi told Blinken".
        if let Some(c) = q.close {
            let (_, s_end) = doc.sent_range(c);
            let mut k = c + 1;
            while k < s_end
                && doc.is_punct(k)
                && !doc.is_quote_mark(k)
                && matches!(doc.word(k), "," | "." | "—" | "–" | "-" | ":" | ";")
            {
                k += 1;
            }
            if k < s_end {
                if let Some(cue) = self.cue_at(doc, k) {
                    // "according to X" right after a quote is weaker than a verb before it
                    // ("Wang said that “…,” according to the Chinese reading"): step 3.
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
                                how: "after-quote:inverted",
                            });
                        }
                        if let Some(np) = self.source_after(doc, cue.end) {
                            return Some(Attribution {
                                cue,
                                subject: Some(np),
                                how: "after-quote:inverted",
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
                for mut np in candidates.into_iter().flatten().filter(|_| !relative) {
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
                    let p = if np.end > np.start + 1
                        && g.prepositions.contains(&doc.folded[np.end - 1])
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
                                    how: "after-quote",
                                });
                            }
                        }
                    }
                }
            }
        }
        // 2. A reporting verb before the quote in the same sentence.
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
                    how: "colon",
                });
            }
        }
        let mut nearest: Option<Cue> = None;
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
                        return Some(Attribution {
                            cue,
                            subject: Some(np),
                            how: "according-to",
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
                    return Some(Attribution {
                        cue,
                        subject: Some(np),
                        how: "before-quote:participle",
                    });
                }
            }
            if let Some(np) = self.subject_left(doc, cue.start) {
                // "Ruiz told the Tribune in a written statement, “…”": the phrase before the cue
                // is the object of an earlier reporting verb, whose own subject speaks.
                if let Some((v, subject)) = self.object_of_reporting_verb(doc, &np, s_start) {
                    return Some(Attribution {
                        cue: v,
                        subject: Some(subject),
                        how: "before-quote",
                    });
                }
                if let Some(outer) = self.outer_attribution(doc, &cue, &np, s_start) {
                    return Some(outer);
                }
                let (cue, how) = match nearest {
                    // A phrase that contains the nearer verb ("responded by saying") is one cue.
                    Some(n) if n.end > cue.end => (n, "before-quote:coordinated"),
                    _ => (cue, "before-quote"),
                };
                return Some(Attribution {
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
                    return Some(Attribution {
                        cue,
                        subject: Some(np),
                        how: "before-quote:inverted",
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
                    return Some(Attribution {
                        cue,
                        subject: Some(np),
                        how: "before-quote:participle",
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
        // 3. Later in the closing sentence: "according to X", or an attribution that ends the
        //    sentence after a comma ("… “the beginning of the end” for the EU, said Wilders.").
        if let Some(c) = q.close {
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
                            how: "according-to",
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
                                how: "after-quote:inverted",
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
                            how: "after-quote",
                        });
                    }
                }
            }
        }
        // 4. "She is sure of one thing: “…”": the subject of the clause before the colon, or a
        //    name right before it ("… he tweeted about it. Donald Trump: “…”").
        if nearest.is_none()
            && q.open > s_start + 1
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
                    how: "colon",
                });
            }
        }
        if nearest.is_none() && q.open > s_start && doc.word(q.open - 1) == ":" {
            let mut first = s_start;
            while first < q.open
                && (doc.is_punct(first) || self.is_sentence_adverb(&doc.folded[first]))
            {
                first += 1;
            }
            if let Some(np) = self.subject_right(doc, first) {
                let verb_follows = np.end < q.open
                    && doc.toks[np.end].is_word()
                    && !is_capitalized(doc.word(np.end));
                if verb_follows {
                    let colon = q.open - 1;
                    let cue = Cue::colon(colon);
                    return Some(Attribution {
                        cue,
                        subject: Some(np),
                        how: "colon",
                    });
                }
            }
        }
        if nearest.is_none() {
            if let Some(a) = self.subject_and_verb_after_comma_quote(doc, q, used) {
                return Some(a);
            }
        }
        if nearest.is_none() {
            if let Some(a) = self
                .colon_before_paragraph(doc, q)
                .or_else(|| self.next_sentence(doc, q, used))
                .or_else(|| self.dash_byline(doc, q))
            {
                return Some(a);
            }
        }
        // "She greeted supporters in Houston and told them they would “…”", "Toomey refused
        // to say, responding that he is “…”": a verb coordinated with the main clause's, or a
        // participle after it, shares the main clause's subject.
        nearest.map(
            |cue| match self.main_clause_subject(doc, cue.start, s_start) {
                Some(np) => Attribution {
                    cue,
                    subject: Some(np),
                    how: "before-quote:main-clause",
                },
                None => Attribution {
                    cue,
                    subject: None,
                    how: "before-quote:no-subject",
                },
            },
        )
    }

    /// The reporting verb whose object `np` is ("told | the Tribune", "talked to | the
    /// Tribune"), with that verb's own subject.
    fn object_of_reporting_verb(&self, doc: &Doc, np: &Np, s_start: usize) -> Option<(Cue, Np)> {
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

    /// "Ruiz told reporters that he feels “…”", "Ruiz said allies wanted “…”": a verb of
    /// belief, or a verb whose subject is a pronoun, that stands inside the reported clause of
    /// an earlier reporting verb of the sentence. The quote belongs to the outer speaker, the
    /// source of the whole clause (the inner "he" may not even be the speaker).
    fn outer_attribution(
        &self,
        doc: &Doc,
        inner: &Cue,
        inner_np: &Np,
        s_start: usize,
    ) -> Option<Attribution> {
        let g = &self.lex.grammar;
        let pronoun = inner_np.end - inner_np.start == 1
            && g.pronouns.contains_key(&doc.folded[inner_np.start]);
        if inner.kind != CueType::Belief && !pronoun {
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
                || self.is_participle(doc, &c0)
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
            let np0 = self.subject_left(doc, c0.start)?;
            return Some(Attribution {
                cue: c0,
                subject: Some(np0),
                how: "before-quote:outer",
            });
        }
        None
    }

    /// "“…,” Hannity started.", "“…,” she went on.": a quote that opens its sentence and ends
    /// in a comma, with the sentence going on with a subject and a verb, is that subject's
    /// words whatever the verb (the comma marks an attribution to follow; no verb list holds
    /// every verb writers use for it). A quote inside the sentence ending in a comma is more
    /// often a title in an introductory phrase ("Speaking on “This Week,” Ruiz said").
    fn subject_and_verb_after_comma_quote(
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
        };
        Some(Attribution {
            cue,
            subject: Some(np),
            how: "after-quote:any-verb",
        })
    }

    /// "“We will not back down.” Okafor said so on Monday.": a quote that ends its sentence,
    /// attributed by the next sentence of the paragraph when that sentence is only an
    /// attribution (its verb has no clause of its own).
    fn next_sentence(&self, doc: &Doc, q: &Quote, used: &HashSet<usize>) -> Option<Attribution> {
        let c = q.close?;
        let (_, s_end) = doc.sent_range(c);
        if (c + 1..s_end).any(|t| doc.toks[t].is_word())
            || s_end >= doc.toks.len()
            || doc.para_of[s_end] != doc.para_of[c]
        {
            return None;
        }
        let (n_start, n_end) = doc.sent_range(s_end);
        let np = self.subject_right(doc, n_start)?;
        let mut m = np.end;
        while m < n_end && self.lex.grammar.between.contains(&doc.folded[m]) {
            m += 1;
        }
        let cue = self.cue_at(doc, m.min(n_end.saturating_sub(1)))?;
        if cue.start != m
            || cue.source != SourceSide::Before
            || used.contains(&cue.start)
            || cue.kind == CueType::Belief
        {
            return None;
        }
        (!self.opens_clause(doc, cue.end, n_end) && self.ends_clause(doc, cue.end, n_end))
            .then_some(Attribution {
                cue,
                subject: Some(np),
                how: "next-sentence",
            })
    }

    /// "“…” ¶ — Ana Ruiz, Dayton.": a quote paragraph signed by the next paragraph, which opens
    /// with a dash and a name (quote collections, transcripts, fact checks).
    fn dash_byline(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let c = q.close?;
        let para = doc.para_of[c];
        let next =
            (c + 1..doc.toks.len()).find(|&t| doc.para_of[t] != para || doc.toks[t].is_word())?;
        if doc.para_of[next] == para
            || !matches!(doc.word(next), "-" | "—" | "–" | "--")
            || next + 1 >= doc.toks.len()
        {
            return None;
        }
        let np = self
            .subject_right(doc, next + 1)
            .filter(|np| doc.para_of[np.start] != para && is_capitalized(doc.word(np.start)))?;
        let cue = Cue::colon(next);
        Some(Attribution {
            cue,
            subject: Some(np),
            how: "dash-byline",
        })
    }

    /// "Trump said in a statement:" closing the paragraph before a quote paragraph.
    fn colon_before_paragraph(&self, doc: &Doc, q: &Quote) -> Option<Attribution> {
        let para = doc.para_of[q.open];
        if q.open == 0 || doc.para_of[q.open - 1] == para || doc.word(q.open - 1) != ":" {
            return None;
        }
        let (s_start, s_end) = doc.sent_range(q.open - 1);
        (s_start..s_end).rev().find_map(|i| {
            let cue = self.cue_at(doc, i)?;
            if cue.source != SourceSide::Before {
                return None;
            }
            // "Stated Penn:": a verb that opens the sentence has its subject after it.
            let np = self.subject_left(doc, cue.start).or_else(|| {
                (cue.start == s_start)
                    .then(|| self.subject_right(doc, cue.end))
                    .flatten()
            })?;
            Some(Attribution {
                cue,
                subject: Some(np),
                how: "colon-before-paragraph",
            })
        })
    }

    fn word_count(&self, doc: &Doc, span: Span) -> usize {
        segment::tokenize(doc.text, span)
            .iter()
            .filter(|t| t.is_word())
            .count()
    }

    /// A short quote used as a noun ("the “one China” policy") rather than as something said.
    fn is_term(&self, doc: &Doc, q: &Quote, attr: Option<&Attribution>) -> bool {
        let content = q.content.slice(doc.text).trim_end();
        if self.word_count(doc, q.content) > MAX_TERM_WORDS
            || content.ends_with([',', '.', '!', '?', ';'])
        {
            return false;
        }
        // A quote that starts with an auxiliary or modal is a predicate ("“can overcome …”").
        let first = content
            .split_whitespace()
            .next()
            .map(fold)
            .unwrap_or_default();
        if attr.is_some() && self.lex.grammar.finite.contains(first.as_str()) {
            return false;
        }
        let (s_start, _) = doc.sent_range(q.open);
        let Some(attr) = attr else {
            return true;
        };
        if q.open == s_start {
            return false; // “Nonsense,” he said.
        }
        let prev = q.open - 1;
        let cue = attr.cue;
        if cue.end <= q.open {
            let gap = q.open - cue.end;
            if gap == 0 {
                return false; // hailed “progress”
            }
            let gap_clean = (cue.end..q.open).all(|t| {
                doc.toks[t].is_word() && !self.lex.grammar.prepositions.contains(&doc.folded[t])
            });
            if cue.quote_object && gap <= 4 && gap_clean {
                return false; // called the talks “productive”
            }
        }
        !self.lex.grammar.copulas.contains(&doc.folded[prev])
    }

    fn quote_statement(
        &self,
        doc: &Doc,
        q: &Quote,
        earlier: &[Statement],
        used: &mut HashSet<usize>,
    ) -> Option<Statement> {
        if q.content.is_empty() {
            return None;
        }
        let attr = self.attribute_quote(doc, q, used);
        if self.is_term(doc, q, attr.as_ref()) {
            return None;
        }
        let para = doc.para_of[q.open];
        let mut flags = q.flags.clone();
        let close_end = q
            .close
            .map(|c| doc.toks[c].span.end)
            .unwrap_or(q.content.end);
        let (s_start, _) = doc.sent_range(q.open);
        let mut st = Statement {
            kind: StatementKind::Direct,
            span: q.content,
            quote: Some(q.content),
            cue: None,
            speaker_mention: None,
            descriptor: None,
            addressee_mention: None,
            attribution: "none",
            cue_type: None,
            flags: Vec::new(),
            paragraph: para,
        };
        match attr {
            Some(Attribution {
                cue,
                subject: Some(np),
                how,
            }) => {
                let np = self.complete_np(doc, np, self.np_limit(doc, &np, cue.start));
                used.insert(cue.start);
                st.cue = Some(doc.span_of(cue.start, cue.end));
                st.cue_type = Some(cue.kind.as_str());
                st.speaker_mention = Some(doc.span_of(np.start, np.end));
                st.descriptor = np.descriptor;
                st.attribution = how;
                let before_quote = cue.end <= q.open;
                let mut clause_start = if before_quote { cue.end } else { s_start };
                if before_quote && cue.addressee {
                    if let Some(a) = self.subject_right(doc, cue.end) {
                        if a.end <= q.open {
                            st.addressee_mention = Some(doc.span_of(a.start, a.end));
                        }
                    }
                }
                if !before_quote && cue.addressee && cue.source == SourceSide::Before {
                    // "…,” Xi told Blinken": the listener follows the verb.
                    if np.end <= cue.start {
                        if let Some(a) = self.subject_right(doc, cue.end) {
                            st.addressee_mention = Some(doc.span_of(a.start, a.end));
                        }
                    }
                }
                if before_quote {
                    for t in cue.end..q.open {
                        if doc.quote_of[t].is_none() && matches!(&doc.folded[t], "that" | ":" | ",")
                        {
                            clause_start = t + 1;
                        }
                    }
                }
                let words_between = (clause_start..q.open)
                    .filter(|&t| doc.toks[t].is_word())
                    .count();
                if words_between > 0 {
                    st.kind = StatementKind::Partial;
                    st.span = Span::new(doc.toks[clause_start].span.start, close_end);
                }
            }
            Some(Attribution {
                cue,
                subject: None,
                how,
            }) => {
                used.insert(cue.start);
                st.cue = Some(doc.span_of(cue.start, cue.end));
                st.attribution = how;
            }
            None => {}
        }
        if st.speaker_mention.is_none() {
            if let Some(how) = self.carry_over(doc, q, earlier) {
                // The speaker carries over; so does the mention that named them.
                st.attribution = how;
                st.speaker_mention = earlier.last().and_then(|l| l.speaker_mention);
                st.descriptor = earlier.last().and_then(|l| l.descriptor);
            } else if q.open > s_start {
                // No reporting verb anywhere: the quote belongs to the subject of its sentence,
                // a person, a name or a thing that carries words ("He has coined a new phrase,
                // “…”", "The ad targets a “…”", "A lot of people disliked the phrase “…”").
                if let Some(np) = self.main_clause_subject(doc, q.open, s_start) {
                    let np = self.complete_np(doc, np, q.open);
                    st.speaker_mention = Some(doc.span_of(np.start, np.end));
                    st.descriptor = np.descriptor;
                    st.attribution = "sentence-subject";
                }
            }
        }
        if st.speaker_mention.is_none() && st.attribution == "none" {
            if let Some(np) = self.previous_sentence_subject(doc, q) {
                let np = self.complete_np(doc, np, doc.sent_range(np.start).1);
                st.speaker_mention = Some(doc.span_of(np.start, np.end));
                st.descriptor = np.descriptor;
                st.attribution = "previous-sentence";
            }
        }
        // (A reporting verb with no subject keeps its own reading: the quote is probably a
        // phrase of the reported clause around it, dropped with it below.)
        if st.speaker_mention.is_none() && st.attribution == "none" {
            if let Some(np) = self.paragraph_speaker(doc, q) {
                let np = self.complete_np(doc, np, doc.sent_range(np.start).1);
                st.speaker_mention = Some(doc.span_of(np.start, np.end));
                st.descriptor = np.descriptor;
                st.attribution = "paragraph-speaker";
            }
        }
        if st.attribution == "none" || st.attribution == "before-quote:no-subject" {
            flags.push("unattributed");
        }
        st.flags = flags;
        Some(st)
    }

    /// A quote with no attribution of its own continues the speaker of the paragraph (an
    /// earlier quote in it) or, when it opens the paragraph, of the previous paragraph.
    fn carry_over(&self, doc: &Doc, q: &Quote, earlier: &[Statement]) -> Option<&'static str> {
        let para = doc.para_of[q.open];
        let last = earlier.last()?;
        if last.paragraph == para {
            return Some("paragraph");
        }
        let para_start = (0..q.open)
            .rev()
            .take_while(|&t| doc.para_of[t] == para)
            .count()
            == 0;
        if para_start && last.paragraph + 1 >= para && last.paragraph < para {
            return Some("continuation");
        }
        None
    }

    // ----- reported speech -------------------------------------------------------------------

    fn reported_statements(&self, doc: &Doc, used: &HashSet<usize>) -> Vec<Statement> {
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
                let Some(np) = np.or(coordinated) else {
                    // "The economy is bad, Smith said." / "…, said Smith, a pollster."
                    if let Some(st) = self.reported_before_cue(doc, *cue, s_start, s_end) {
                        out.push(st);
                    }
                    continue;
                };
                let prev = cue
                    .start
                    .checked_sub(1)
                    .map(|p| &doc.folded[p])
                    .unwrap_or("");
                if g.determiners.contains(prev) {
                    continue;
                }
                let comma_near = (np.start.saturating_sub(3).max(s_start + 1)..=np.start)
                    .any(|k| doc.word(k - 1) == ",");
                if np.start > s_start + 1
                    && comma_near
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
                if cue.addressee {
                    if let Some(a) = self.subject_right(doc, c) {
                        addressee = Some(doc.span_of(a.start, a.end));
                        c = a.end;
                    }
                }
                // "told reporters Tuesday that …": time words between the cue and its clause.
                while c + 1 < s_end
                    && g.between.contains(&doc.folded[c])
                    && matches!(&doc.folded[c + 1], "that" | ":")
                {
                    c += 1;
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
                let start = if w == "that" || w == ":" {
                    c + 1
                } else if wh_clause
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
                    if w == ";"
                        || (w == ","
                            && t + 1 < s_end
                            && g.clause_breakers.contains(&doc.folded[t + 1]))
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
                if end <= start || (start..end).filter(|&t| doc.toks[t].is_word()).count() < 2 {
                    continue;
                }
                let np = self.complete_reporter_np(doc, np, cue.start, start);
                let mut st = reported_statement(doc, start, end, cue, np, "reported");
                st.addressee_mention = addressee;
                if (start..end).any(|t| doc.quote_of[t].is_some()) {
                    st.flags.push("contains_quote");
                }
                out.push(st);
            }
        }
        out
    }

    /// Headline style: "Graham: Trump's rhetoric is destroying the party's chances" — a short
    /// name, a colon, and what they said, at the start of a paragraph.
    fn headline_colon(&self, doc: &Doc, s_start: usize, s_end: usize) -> Option<Statement> {
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
        self.detached_clause(doc, colon + 1, s_end, cue, np, "headline-colon")
    }

    /// "According to X, CONTENT." and "CONTENT, according to X."
    fn according_to(&self, doc: &Doc, cue: Cue, s_start: usize, s_end: usize) -> Option<Statement> {
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
        self.detached_clause(doc, start, end, cue, np, "according-to")
    }

    /// A reported clause that stands apart from its attribution ("According to X, CONTENT",
    /// "CONTENT, X said"): trailing punctuation trimmed; at least four words and no quotation.
    fn detached_clause(
        &self,
        doc: &Doc,
        start: usize,
        mut end: usize,
        cue: Cue,
        np: Np,
        attribution: &'static str,
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
        Some(reported_statement(doc, start, end, &cue, np, attribution))
    }

    /// A speaker's phrase that ends on a word no noun phrase ends on ("the director of",
    /// "the groups who", "for the AP and") was cut short by the reader that found it: it goes
    /// on to the next comma, quotation or clause punctuation, to `limit` (the cue, when the
    /// phrase stands before it), or, unless the cut word is a relative, to the next verb.
    /// Left as it is when no such boundary comes within reach. A lone capitalised modifier
    /// takes its nouns first (see `modifier_then_nouns`).
    fn complete_np(&self, doc: &Doc, np: Np, limit: usize) -> Np {
        let g = &self.lex.grammar;
        if np.end <= np.start || np.end >= limit || !doc.toks[np.end - 1].is_word() {
            return np;
        }
        if let Some(longer) = self.modifier_then_nouns(doc, &np, limit) {
            return longer;
        }
        let w = &doc.folded[np.end - 1];
        let relative = g.relatives_phrase_end.contains(w);
        if !(relative
            || g.prepositions.contains(w)
            || g.determiners.contains(w)
            || g.np_open_ends.contains(w))
        {
            return np;
        }
        let reach = np.end
            + if relative {
                MAX_DESCRIPTION_WORDS
            } else {
                MAX_NP_WORDS
            };
        let mut t = np.end;
        while t < limit {
            if t >= reach {
                return np;
            }
            if doc.quote_of[t].is_some()
                || matches!(
                    doc.word(t),
                    "," | ";" | ":" | "—" | "–" | "(" | ")" | "." | "!" | "?"
                )
            {
                break;
            }
            let w = &doc.folded[t];
            // Right after a preposition or determiner a verb form is a noun ("secretary of
            // state", "the report").
            let noun_slot = t > np.start
                && (g.prepositions.contains(&doc.folded[t - 1])
                    || g.determiners.contains(&doc.folded[t - 1]));
            let verb = !noun_slot
                && !is_capitalized(doc.word(t))
                && (self.lex.verb(w).is_some() || g.finite.contains(w) || g.copulas.contains(w));
            if verb && !relative {
                break;
            }
            t += 1;
        }
        let complete = t > np.end && doc.toks[t - 1].is_word() && {
            let last = &doc.folded[t - 1];
            !(g.prepositions.contains(last)
                || g.determiners.contains(last)
                || g.np_open_ends.contains(last)
                || g.relatives_phrase_end.contains(last))
        };
        if complete {
            Np { end: t, ..np }
        } else {
            np
        }
    }

    /// "The Florida senator's answer", "Corporate lobbyists", "An Egyptian textbook": a lone
    /// capitalised word read as a name is a modifier when lowercase nouns follow it before the
    /// verb; the phrase runs on over them (with the article before it).
    fn modifier_then_nouns(&self, doc: &Doc, np: &Np, limit: usize) -> Option<Np> {
        let g = &self.lex.grammar;
        if np.end != np.start + 1
            || !is_capitalized(doc.word(np.start))
            || g.pronouns.contains_key(&doc.folded[np.start])
        {
            return None;
        }
        let noun = |t: usize| {
            let w = &doc.folded[t];
            doc.toks[t].is_word()
                && doc.quote_of[t].is_none()
                && !is_capitalized(doc.word(t))
                && !(w.ends_with("ed") || w.ends_with("ly") || w.ends_with("ing"))
                && self.lex.verb(w).is_none()
                && !g.finite.contains(w)
                && !g.copulas.contains(w)
                && !g.between.contains(w)
                && !g.prepositions.contains(w)
                && !g.determiners.contains(w)
                && !g.sentence_conjunctions.contains(w)
                && !g.relatives_phrase_end.contains(w)
                && !g.subordinators.contains(w)
                && !g.complementizers.contains(w)
                && !g.np_open_ends.contains(w)
        };
        let mut end = np.end;
        while end < limit && end < np.end + 3 && noun(end) {
            end += 1;
        }
        if end == np.end {
            return None;
        }
        let start = if np.start > 0
            && doc.toks[np.start - 1].is_word()
            && g.determiners.contains(&doc.folded[np.start - 1])
        {
            np.start - 1
        } else {
            np.start
        };
        Some(Np {
            start,
            end,
            descriptor: np.descriptor,
        })
    }

    /// `complete_np` for the speaker of reported speech: a speaker phrase that starts before the
    /// reported content stops where the content starts, so no word of what was said is read as
    /// part of who said it.
    fn complete_reporter_np(
        &self,
        doc: &Doc,
        np: Np,
        cue_start: usize,
        content_start: usize,
    ) -> Np {
        let limit = self.np_limit(doc, &np, cue_start);
        let limit = if np.start < content_start {
            limit.min(content_start)
        } else {
            limit
        };
        self.complete_np(doc, np, limit)
    }

    /// Where a speaker's phrase found around `cue` may run to: the cue when the phrase stands
    /// before it, else the end of the sentence.
    fn np_limit(&self, doc: &Doc, np: &Np, cue_start: usize) -> usize {
        if np.end <= cue_start {
            cue_start
        } else {
            doc.sent_range(np.start).1
        }
    }

    /// "Ann Ruiz, vice chair of the party, emailed …", "Ann Ruiz, founder of X, member of Y
    /// and treasurer from Ohio, endorsed …": a name, then one or more comma-separated
    /// descriptions with no verb of their own, then a lowercase word that can only be the
    /// name's verb. The closing comma.
    fn verbless_appositive_end(&self, doc: &Doc, np: &Np, before: usize) -> Option<usize> {
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
    fn reporting_clause_subject(&self, doc: &Doc, comma: usize, s_start: usize) -> Option<Np> {
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

    fn is_participle(&self, doc: &Doc, cue: &Cue) -> bool {
        cue.end == cue.start + 1
            && self
                .lex
                .verb(&doc.folded[cue.start])
                .is_some_and(|v| v.participle)
    }

    /// "During the debate, Cruz made a call for …, calling them “…”": the first clause of the
    /// sentence that opens with a noun phrase followed by a verb (introductory phrases that
    /// start with a preposition or a subordinator are skipped).
    fn main_clause_subject(&self, doc: &Doc, before: usize, s_start: usize) -> Option<Np> {
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

    /// "Ruiz spoke about the ruling on Monday. “It protects no one.”": a quote that opens its
    /// sentence with no attribution of its own belongs to the speaker of the sentence before
    /// (in its paragraph, or the last of the previous paragraph when the quote opens its
    /// own): the subject of its first reporting verb, else its main clause's subject when that
    /// is a name, a pronoun or an unnamed speaker ("the judge").
    fn previous_sentence_subject(&self, doc: &Doc, q: &Quote) -> Option<Np> {
        let g = &self.lex.grammar;
        let (s_start, _) = doc.sent_range(q.open);
        if s_start == 0 || (s_start..q.open).any(|t| doc.toks[t].is_word()) {
            return None;
        }
        let prev = s_start - 1;
        if doc.in_headline(prev) || doc.para_of[q.open] > doc.para_of[prev] + 1 {
            return None;
        }
        let (p_start, p_end) = doc.sent_range(prev);
        let mut i = p_start;
        while i < p_end {
            if doc.quote_of[i].is_some() {
                i += 1;
                continue;
            }
            let Some(cue) = self.cue_at(doc, i) else {
                i += 1;
                continue;
            };
            let np = match cue.source {
                SourceSide::Before => self.subject_left(doc, cue.start),
                SourceSide::After => self.subject_right(doc, cue.end),
            };
            if let Some(np) = np {
                return Some(np);
            }
            i = cue.end;
        }
        let np = self.main_clause_subject(doc, p_end, p_start)?;
        let pronoun = g.pronouns.contains_key(&doc.folded[np.start]) && np.end - np.start == 1;
        // A determiner capitalised because it opens the sentence names nobody ("The meeting
        // came after …" is no speaker of the next sentence's quote).
        let s0 = doc.sent_range(np.start).0;
        let named = (np.start..np.end).any(|t| {
            doc.toks[t].is_word()
                && is_capitalized(doc.word(t))
                && !(t == s0 && g.determiners.contains(&doc.folded[t]))
        }) && !self.is_common_word_np(doc, &np);
        let unnamed = g.collective.contains(&doc.folded[np.end - 1]);
        (pronoun || named || unnamed).then_some(np)
    }

    /// ", he said." / ", Ruiz added." ending the sentence after token `from`: the cue, when
    /// it is the sentence's last word before its final punctuation and a short subject
    /// stands between it and a comma.
    fn sentence_closing_cue(&self, doc: &Doc, from: usize, s_end: usize) -> Option<Cue> {
        let mut last = s_end;
        while last > from && doc.is_punct(last - 1) && !doc.is_quote_mark(last - 1) {
            last -= 1;
        }
        let verb = last
            .checked_sub(1)
            .filter(|&v| v > from + 2 && doc.quote_of[v].is_none())?;
        let cue = self.cue_at(doc, verb).filter(|c| {
            c.end == last && c.source == SourceSide::Before && c.kind != CueType::Belief
        })?;
        let np = self.subject_left(doc, cue.start)?;
        (np.start > from + 1 && np.end - np.start <= 4 && doc.word(np.start - 1) == ",")
            .then_some(cue)
    }

    /// The most recent speaker of the quote's paragraph: the subject of the last reporting
    /// verb before the quote, in its own sentence or in up to `PARAGRAPH_SPEAKER_SENTENCES`
    /// sentences before it ("Ruiz said she was angered by the ruling. Doing so “…”"). A quote
    /// with no attribution of its own in a paragraph about one speaker is that speaker's; the
    /// paragraph boundary is where news writing switches speakers, so the search stops there.
    fn paragraph_speaker(&self, doc: &Doc, q: &Quote) -> Option<Np> {
        let para = doc.para_of[q.open];
        let mut sentence = doc.sent_of[q.open];
        for _ in 0..=PARAGRAPH_SPEAKER_SENTENCES {
            let (s_start, s_end) = doc.sents[sentence];
            if doc.para_of[s_start] != para || doc.in_headline(s_start) {
                return None;
            }
            let mut i = s_end.min(q.open);
            while i > s_start {
                i -= 1;
                if doc.quote_of[i].is_some() {
                    continue;
                }
                let Some(cue) = self.cue_at(doc, i) else {
                    continue;
                };
                if cue.end > q.open || cue.kind == CueType::Belief {
                    continue;
                }
                let np = match cue.source {
                    SourceSide::Before => self.subject_left(doc, cue.start),
                    SourceSide::After => self.subject_right(doc, cue.end),
                };
                if np.is_some() {
                    return np;
                }
            }
            sentence = sentence.checked_sub(1)?;
        }
        None
    }

    /// "Obama positioned Clinton as … and said …": the subject of the clause whose second verb
    /// is the cue, when the cue follows "and".
    fn coordinated_subject(&self, doc: &Doc, cue_start: usize, s_start: usize) -> Option<Np> {
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
    fn clause_subject(&self, doc: &Doc, cue_start: usize, s_start: usize) -> Option<Np> {
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
    fn ends_clause(&self, doc: &Doc, from: usize, s_end: usize) -> bool {
        match (from..s_end).find(|&t| doc.is_punct(t)) {
            Some(t) => t - from <= 6 && matches!(doc.word(t), "." | "!" | "?" | ";" | ","),
            None => s_end.saturating_sub(from) <= 6,
        }
    }

    /// True when a clause of its own starts at `at` ("that …", ": …", "the FBI has …"): the
    /// verb before it reports that clause rather than attributing a neighbouring quote.
    fn opens_clause(&self, doc: &Doc, at: usize, s_end: usize) -> bool {
        at < s_end
            && (matches!(&doc.folded[at], "that" | ":")
                || self.starts_finite_clause(doc, at, s_end))
    }

    /// Reported content standing before its attribution: "CONTENT, Smith said." and
    /// "CONTENT, said Smith, a pollster." The content is the sentence up to the comma.
    fn reported_before_cue(
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
        self.detached_clause(doc, s_start, comma, cue, subject, "reported:after-content")
    }

    /// "the root cause is …", "Washington would defend …": a short subject, then a finite verb,
    /// with no preposition, comma or quotation in between.
    fn starts_finite_clause(&self, doc: &Doc, from: usize, s_end: usize) -> bool {
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
            if doc.is_punct(t) || doc.quote_of[t].is_some() {
                return false;
            }
        }
        false
    }

    fn starts_noun_phrase(&self, doc: &Doc, from: usize) -> bool {
        let w = &doc.folded[from];
        doc.toks[from].is_word() && !self.lex.grammar.prepositions.contains(w) && w != "to"
    }
}

/// A reported-speech statement over tokens `start..end`, attributed through `cue` to `np`.
fn reported_statement(
    doc: &Doc,
    start: usize,
    end: usize,
    cue: &Cue,
    np: Np,
    attribution: &'static str,
) -> Statement {
    Statement {
        kind: StatementKind::Reported,
        span: doc.span_of(start, end),
        quote: None,
        cue: Some(doc.span_of(cue.start, cue.end)),
        speaker_mention: Some(doc.span_of(np.start, np.end)),
        descriptor: np.descriptor,
        addressee_mention: None,
        attribution,
        cue_type: Some(cue.kind.as_str()),
        flags: Vec::new(),
        paragraph: doc.para_of[cue.start],
    }
}

fn para_of_pos(toks: &[Token], para_of: &[usize], pos: usize) -> usize {
    let i = toks
        .partition_point(|t| t.span.start <= pos)
        .saturating_sub(1);
    para_of.get(i).copied().unwrap_or(0)
}

/// Pairs quotation marks paragraph by paragraph. A paragraph that opens a quote and does not
/// close it continues into the next paragraph when that one opens with a mark (the convention
/// for multi-paragraph quotes); otherwise the quote ends with its paragraph and is flagged.
fn scan_quotes(text: &str, toks: &[Token], paras: &[(usize, usize)]) -> Vec<Quote> {
    let mut quotes = Vec::new();
    let mut open: Option<(usize, Vec<&'static str>)> = None;
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
                            flags.push("mismatched_quote_marks");
                        }
                        open = Some((i, flags));
                    }
                    // A stray closing mark with nothing open is ignored: there is no statement
                    // to flag, and the text around it is still searched for reported speech.
                }
                Some((o, mut flags)) => {
                    if matches!(c, '“' | '„' | '«') && prev_space && next_word {
                        // A new opening mark while one is open: the first was never closed.
                        flags.push("unclosed_quote");
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
                            flags.push("mismatched_quote_marks");
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
                if !flags.contains(&"multi_paragraph") {
                    flags.push("multi_paragraph");
                }
                open = Some((o, flags));
                continue;
            }
            flags.push("unclosed_quote");
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
