//! The speaker candidates of a quote and their features: noun phrases in its sentence and the
//! sentence before (pronouns, names, phrases opened by a determiner, the subjects the rules read
//! at every cue, the previous statement's speaker), each described by binary features that
//! are summed into a score while extracting or kept by name for training.
//!
//! ```text
//! “We agreed,” the senator said.   "the senator": side:after, dist:after:1 (the comma),
//!                                  next:cue_speech, type:det, len:2, rule:after-quote
//! ```

use rustc_hash::FxHashMap as HashMap;

use super::{feature_hash, SpeakerRanker};
use crate::quotes::cue::Cue;
use crate::quotes::direct::MAX_TERM_WORDS;
use crate::quotes::doc::Doc;
use crate::quotes::marks::Quote;
use crate::quotes::np::Np;
use crate::quotes::{Extractor, SourceSide};
use crate::segment::is_capitalized;
use crate::types::{Span, Statement, StatementKind};

/// How many words a candidate noun phrase read by the chunker may have.
const MAX_CHUNK_WORDS: usize = 7;
/// How far after a comma a reporting verb may close an appositive ("Ruiz, a lawyer …, said").
const APPOSITIVE_WINDOW: usize = 15;

/// Where [`Extractor::candidates_for`] sends each feature of candidate `cand`.
pub(super) trait FeatureSink {
    fn feature(&mut self, cand: usize, parts: &[&str]);
}

/// Sums the weights of each candidate's features.
pub(super) struct Scores<'r> {
    pub(super) ranker: &'r SpeakerRanker,
    pub(super) scores: Vec<f64>,
}

impl FeatureSink for Scores<'_> {
    fn feature(&mut self, cand: usize, parts: &[&str]) {
        if self.scores.len() <= cand {
            self.scores.resize(cand + 1, 0.0);
        }
        if let Some(w) = self.ranker.hashed.get(&feature_hash(parts)) {
            self.scores[cand] += w;
        }
    }
}

/// Keeps each candidate's features by name.
pub(super) struct Names(pub(super) Vec<Vec<String>>);

impl FeatureSink for Names {
    fn feature(&mut self, cand: usize, parts: &[&str]) {
        if self.0.len() <= cand {
            self.0.resize(cand + 1, Vec::new());
        }
        self.0[cand].push(parts.join(":"));
    }
}

/// A token range and what read it ("pron", "name", "det", "noun", "cue_subject", …).
struct Chunk {
    start: usize,
    end: usize,
    types: Vec<&'static str>,
}

fn bucket(d: usize) -> &'static str {
    match d {
        0 => "0",
        1 => "1",
        2..=3 => "2-3",
        4..=7 => "4-7",
        8..=15 => "8-15",
        _ => "16+",
    }
}

impl Extractor {
    /// A quote the rules left without a speaker whose few words are all capitalised is a
    /// title ("Harbor Hour"), which nobody says.
    pub(super) fn is_title(&self, doc: &Doc, st: &Statement) -> bool {
        let Some(q) = st.quote.filter(|_| st.speaker_mention.is_none()) else {
            return false;
        };
        let words: Vec<&str> = q
            .slice(doc.text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words.len() <= MAX_TERM_WORDS && words.iter().all(|w| is_capitalized(w))
    }

    fn quote_of_statement<'d>(&self, doc: &'d Doc, st: &Statement) -> Option<&'d Quote> {
        let q = st.quote?;
        doc.quotes.iter().find(|x| x.content.start == q.start)
    }

    /// Token range covering a byte span, when tokens start and end inside it.
    fn tokens_of(&self, doc: &Doc, span: Span) -> Option<(usize, usize)> {
        let a = doc.toks.partition_point(|t| t.span.start < span.start);
        let b = doc.toks.partition_point(|t| t.span.end <= span.end);
        (a < b).then_some((a, b))
    }

    /// The candidates of statement `i` of `out` (a direct or partial quote): their spans and
    /// whether the rules chose them; their features go to `sink` as they are computed, so
    /// scoring needs no feature names in memory.
    pub(super) fn candidates_for(
        &self,
        doc: &Doc,
        out: &[Statement],
        i: usize,
        sink: &mut impl FeatureSink,
        memo: &mut Memo,
    ) -> Option<Vec<(Span, bool)>> {
        let st = &out[i];
        if st.kind == StatementKind::Reported {
            return None;
        }
        let q = self.quote_of_statement(doc, st)?;
        let g = &self.lex.grammar;
        let open = q.open;
        // The quote's last token: its closing mark, or the end of its words when unclosed.
        let last = q.close.unwrap_or_else(|| {
            doc.toks
                .partition_point(|t| t.span.end <= q.content.end)
                .saturating_sub(1)
                .max(open)
        });
        let sent = doc.sent_of[open];
        let (s_start, _) = doc.sents[sent];
        let (_, s_end) = doc.sent_range(last);
        let mut chunks: Vec<Chunk> = Vec::new();
        self.chunk(doc, s_start, open, &mut chunks);
        self.chunk(doc, last + 1, s_end, &mut chunks);
        let prev_sent = sent
            .checked_sub(1)
            .map(|p| doc.sents[p])
            .filter(|&(a, _)| doc.para_of[a] + 1 >= doc.para_of[open] && !doc.in_headline(a))
            // A quote the rules leave without a speaker gets none from another paragraph: a new
            // paragraph may be about someone else (a learned margin of 1 crossed it).
            .filter(|&(a, _)| doc.para_of[a] == doc.para_of[open] || st.speaker_mention.is_some());
        if let Some((a, b)) = prev_sent {
            // Only a person can carry a quote over from the sentence before: a pronoun, a
            // name, or a speaker noun ("The first round of talks …" is none).
            let from = chunks.len();
            self.chunk(doc, a, b, &mut chunks);
            let kept: Vec<Chunk> = chunks
                .drain(from..)
                .filter(|c| {
                    c.types
                        .iter()
                        .any(|t| matches!(*t, "pron" | "name" | "inner_name"))
                        || g.collective.contains(&doc.folded[c.end - 1])
                        || g.np_words.contains(&doc.folded[c.end - 1])
                })
                .collect();
            chunks.extend(kept);
        }
        // The subjects the rules would read at every cue of the sentence.
        for t in s_start..s_end {
            if doc.quote_of[t].is_some() {
                continue;
            }
            if memo.cue(self, doc, t).is_none() {
                continue;
            }
            if let Some(np) = memo.subject(self, doc, t) {
                add(&mut chunks, np.start, np.end, "cue_subject");
            }
        }
        let rule = st
            .speaker_mention
            .and_then(|m| self.tokens_of(doc, m))
            .filter(|&(a, b)| (a..b).all(|t| doc.quote_of[t].is_none()));
        if let Some((a, b)) = rule {
            add(&mut chunks, a, b, "rule");
        }
        // The previous statement's speaker, when it is in this paragraph or the one before.
        let carry = i
            .checked_sub(1)
            .map(|p| &out[p])
            .filter(|p| p.paragraph + 1 >= st.paragraph)
            .and_then(|p| p.speaker_mention)
            .and_then(|m| self.tokens_of(doc, m));
        if let Some((a, b)) = carry {
            add(&mut chunks, a, b, "carry");
        }
        if chunks.is_empty() {
            return None;
        }
        // Words that named earlier speakers of the article: a phrase ending in one is someone
        // the story is about.
        let salient: Vec<&str> = out[..i]
            .iter()
            .filter_map(|p| p.speaker_mention)
            .filter_map(|m| self.tokens_of(doc, m))
            .map(|(_, b)| possessor(&doc.folded[b - 1]))
            .collect();
        let how = st.attribution.as_str();
        let side_of = |c: &Chunk| -> (&'static str, usize) {
            if c.end <= open && c.start >= s_start {
                ("before", open - c.end)
            } else if c.start > last && c.end <= s_end {
                ("after", c.start - last - 1)
            } else if prev_sent.is_some_and(|(a, b)| a <= c.start && c.end <= b) {
                ("prev", open.saturating_sub(c.end))
            } else {
                ("far", 99)
            }
        };
        // Distances of the candidates on each side, nearest first: a candidate's rank is the
        // position of its distance there.
        let sides: Vec<(&'static str, usize)> = chunks.iter().map(side_of).collect();
        let mut by_side: Vec<(&'static str, usize)> = sides.clone();
        by_side.sort_unstable();
        by_side.dedup();
        let mut cands = Vec::with_capacity(chunks.len());
        for (ci, c) in chunks.iter().enumerate() {
            let mut f = |parts: &[&str]| sink.feature(ci, parts);
            let (side, d) = sides[ci];
            let is_rule = c.types.contains(&"rule");
            if is_rule {
                f(&["rule", how]);
            } else if rule.is_some_and(|(a, b)| c.start < b && a < c.end) {
                f(&["rule_overlap"]);
                f(&["rule_overlap", how]);
            }
            f(&["side", side]);
            f(&["side", side, how]);
            f(&["dist", side, bucket(d)]);
            let rank = by_side.iter().filter(|(s, x)| *s == side && *x < d).count();
            let rank = ["1", "2", "3+"][rank.min(2)];
            f(&["order", side, rank]);
            f(&["order", side, rank, how]);
            for t in &c.types {
                if *t != "rule" {
                    f(&["type", t]);
                    f(&["type", t, side]);
                }
            }
            let words = (c.start..c.end).filter(|&t| doc.toks[t].is_word()).count();
            f(&["len", ["0", "1", "2", "3", "4+"][words.min(4)]]);
            let head = &doc.folded[c.end - 1];
            if head.ends_with("'s") || head.ends_with("s'") {
                f(&["poss"]);
            }
            if (c.start..c.end).any(|t| {
                g.office_titles.contains(&doc.folded[t])
                    || g.titles_starting(&doc.folded[t]).next().is_some()
            }) {
                f(&["title"]);
            }
            if salient.contains(&possessor(head)) {
                f(&["salient"]);
            }
            if doc.in_headline(c.start) {
                f(&["headline"]);
            }
            let (cs_start, _) = doc.sent_range(c.start);
            if (cs_start..c.start)
                .all(|t| !doc.toks[t].is_word() || self.is_sentence_adverb(&doc.folded[t]))
            {
                f(&["sent_start"]);
                f(&["sent_start", side]);
            }
            for n in self.next_features(doc, c.end, memo) {
                f(&["next", n]);
                f(&["next", n, side]);
            }
            for p in self.prev_features(doc, c.start, memo) {
                f(&["prev", p]);
                f(&["prev", p, side]);
            }
            cands.push((doc.span_of(c.start, c.end), is_rule));
        }
        Some(cands)
    }

    /// What follows a candidate: a reporting verb (possibly after adverbs), an appositive
    /// closed by one, a colon, a quotation mark.
    fn next_features(&self, doc: &Doc, end: usize, memo: &mut Memo) -> Vec<&'static str> {
        let g = &self.lex.grammar;
        let mut out = Vec::new();
        let n = doc.toks.len();
        let mut k = end;
        while k < n && doc.toks[k].is_word() && g.between.contains(&doc.folded[k]) {
            k += 1;
        }
        if k >= n {
            return out;
        }
        if let Some(cue) = memo.cue(self, doc, k) {
            out.push(match (cue.source, cue.kind.as_str()) {
                (SourceSide::After, _) => "cue_after_side",
                (_, "speech") => "cue_speech",
                (_, "claim") => "cue_claim",
                _ => "cue_belief",
            });
            return out;
        }
        match doc.word(k) {
            "," => {
                let close = (k + 1..(k + APPOSITIVE_WINDOW).min(n))
                    .take_while(|&t| doc.quote_of[t].is_none() && doc.sent_of[t] == doc.sent_of[k])
                    .find(|&t| {
                        doc.word(t) == "," && t + 1 < n && memo.cue(self, doc, t + 1).is_some()
                    });
                out.push(if close.is_some() {
                    "appositive_cue"
                } else {
                    "comma"
                });
            }
            ":" => out.push("colon"),
            _ if doc.is_quote_mark(k) => out.push("quote"),
            w if doc.toks[k].is_word() && self.lex.verb(&doc.folded[k]).is_none() => {
                if g.prepositions.contains(&doc.folded[k]) {
                    out.push("prep");
                } else if g.finite.contains(&doc.folded[k]) || g.copulas.contains(&doc.folded[k]) {
                    out.push("aux");
                } else if !is_capitalized(w) {
                    out.push("word");
                }
            }
            _ => {}
        }
        out
    }

    /// What precedes a candidate: a reporting verb ("said Ruiz"), a preposition (by, to, of,
    /// from, …), a comma, a closing quotation mark.
    fn prev_features(&self, doc: &Doc, start: usize, memo: &mut Memo) -> Vec<&'static str> {
        let g = &self.lex.grammar;
        let mut out = Vec::new();
        let Some(p) = start.checked_sub(1) else {
            return out;
        };
        if doc.sent_of[p] != doc.sent_of[start] {
            return out;
        }
        if memo.cue(self, doc, p).is_some() {
            out.push("cue");
        }
        let w = &doc.folded[p];
        if doc.toks[p].is_word() && g.prepositions.contains(w) {
            out.push(match w {
                "by" => "by",
                "to" => "to",
                "of" => "of",
                "from" => "from",
                "with" => "with",
                _ => "prep",
            });
        } else if w == "according" || (p > 0 && &doc.folded[p - 1] == "according") {
            out.push("according");
        } else if doc.word(p) == "," {
            out.push("comma");
            if p > 0 && doc.is_quote_mark(p - 1) {
                out.push("close_quote");
            }
        } else if doc.is_quote_mark(p) {
            out.push("close_quote");
        } else if doc.toks[p].is_word() && self.lex.verb(w).is_some() {
            out.push("verb");
        } else if doc.toks[p].is_word() && matches!(w, "and" | "or" | "but") {
            out.push("conj");
        }
        out
    }

    /// Noun phrases in `[a, b)` outside quotations: pronouns, runs of names and speaker nouns,
    /// and phrases opened by a determiner.
    fn chunk(&self, doc: &Doc, a: usize, b: usize, out: &mut Vec<Chunk>) {
        let g = &self.lex.grammar;
        let mut t = a;
        while t < b {
            if doc.quote_of[t].is_some() || !doc.toks[t].is_word() {
                t += 1;
                continue;
            }
            let w = &doc.folded[t];
            if g.pronouns.contains_key(w) {
                add(out, t, t + 1, "pron");
                t += 1;
                continue;
            }
            let (s0, _) = doc.sent_range(t);
            let det = g.determiners.contains(w) && w != "that";
            // A capitalised preposition or adverb opening the sentence ("At least …",
            // "However") starts no phrase.
            // So does a capitalised verb form or common word ("Said Dora Penn", "Declaring …",
            // "Nothing …"): the name, if any, starts after it.
            let opener = t == s0
                && (self.is_sentence_adverb(w)
                    || self.lex.verb(w).is_some()
                    || w.ends_with("ing")
                    || self.is_common_word_np(
                        doc,
                        &Np {
                            start: t,
                            end: t + 1,
                            descriptor: None,
                        },
                    ));
            if !opener && (det || is_capitalized(doc.word(t)) || g.collective.contains(w)) {
                let mut k = t + 1;
                let mut capital = is_capitalized(doc.word(t)) && t != s0;
                while k < b && k - t < MAX_CHUNK_WORDS {
                    if self.is_np_word(doc, k) {
                        capital |= doc.toks[k].is_word() && is_capitalized(doc.word(k));
                        k += 1;
                        continue;
                    }
                    // Lowercase words belong to the phrase after a determiner or a possessive
                    // ("the new union ad", "Odum's aides"); after a bare name they are its
                    // verb ("Odum reserved").
                    let prev = &doc.folded[k - 1];
                    let open = det || prev.ends_with("'s") || prev.ends_with("s'");
                    if open && self.is_common_noun(doc, k, b) {
                        k += 1;
                    } else {
                        break;
                    }
                }
                // A phrase does not end in a preposition or joiner ("half of").
                while k > t + 1
                    && (g.prepositions.contains(&doc.folded[k - 1])
                        || self.is_name_joiner(doc, k - 1)
                        || !doc.toks[k - 1].is_word())
                {
                    k -= 1;
                }
                // A determiner alone is no phrase ("that", "some" before a verb still is:
                // "Some said" — the quantifiers stand for people).
                if k > t + 1 || !det || g.unnamed_standalone.contains(w) {
                    let kind = if capital {
                        "name"
                    } else if det {
                        "det"
                    } else if is_capitalized(doc.word(t)) {
                        "cap_first"
                    } else {
                        "noun"
                    };
                    add(out, t, k, kind);
                    // The owner inside a possessive phrase ("the senator's answer" → "the
                    // senator's") is a candidate of its own.
                    if let Some(p) = (t..k.saturating_sub(1))
                        .find(|&x| doc.folded[x].ends_with("'s") || doc.folded[x].ends_with("s'"))
                    {
                        add(out, t, p + 1, "possessor");
                    }
                    // The name inside a longer phrase ("the GOP candidate Ted Cruz" → "Ted
                    // Cruz") is a candidate of its own.
                    if let Some(n) = (t + 1..k).find(|&x| {
                        doc.toks[x].is_word()
                            && is_capitalized(doc.word(x))
                            && !is_capitalized(doc.word(x - 1))
                    }) {
                        add(out, n, k, "inner_name");
                    }
                }
                t = k.max(t + 1);
                continue;
            }
            t += 1;
        }
    }

    /// A lowercase word that can stand inside a noun phrase: no function word, no adverb in
    /// -ly, and no verb form followed by what looks like its object.
    fn is_common_noun(&self, doc: &Doc, k: usize, b: usize) -> bool {
        let g = &self.lex.grammar;
        if doc.quote_of[k].is_some() || !doc.toks[k].is_word() {
            return false;
        }
        let w = &doc.folded[k];
        if g.ends_noun_phrase(w)
            || g.determiners.contains(w)
            || g.pronouns.contains_key(w)
            || g.between.contains(w)
            || g.subordinators.contains(w)
            || g.complementizers.contains(w)
            || g.relatives_phrase_end.contains(w)
            || matches!(w, "and" | "or" | "but" | "not" | "to")
            || (w.len() > 3 && w.ends_with("ly"))
        {
            return false;
        }
        let next = k + 1;
        if self.lex.verb(w).is_some() {
            // "the report said": a verb form followed by another verb or a full stop is a noun.
            return next < b
                && (self.lex.verb(&doc.folded[next]).is_some()
                    || g.between.contains(&doc.folded[next])
                    || matches!(doc.word(next), "." | "!" | "?"));
        }
        // Any other word followed by what opens an object ("targets a …", "urged them",
        // "filed by") is a verb the speech-verb list does not know.
        if next < b {
            let n = &doc.folded[next];
            let object = g.determiners.contains(n)
                || g.pronouns.contains_key(n)
                || doc.is_quote_mark(next)
                || matches!(n, "that" | "to" | "him" | "her" | "them" | "us" | "me")
                || (w.ends_with("ed") && g.prepositions.contains(n));
            if object {
                return false;
            }
        }
        true
    }
}

/// The cues and cue subjects of one article, each read once: neighbouring quotes share
/// sentences, and every candidate asks whether a cue follows it.
pub(super) struct Memo {
    cues: Vec<Option<Option<Cue>>>,
    subjects: HashMap<usize, Option<Np>>,
}

impl Memo {
    pub(super) fn new(doc: &Doc) -> Self {
        Memo {
            cues: vec![None; doc.toks.len()],
            subjects: HashMap::default(),
        }
    }

    fn cue(&mut self, x: &Extractor, doc: &Doc, t: usize) -> Option<Cue> {
        *self.cues[t].get_or_insert_with(|| x.cue_at(doc, t))
    }

    /// The subject the rules read for the cue at `t` (which must be one).
    fn subject(&mut self, x: &Extractor, doc: &Doc, t: usize) -> Option<Np> {
        let cue = self.cue(x, doc, t)?;
        *self.subjects.entry(t).or_insert_with(|| {
            match cue.source {
                SourceSide::Before => x.subject_left(doc, cue.start),
                SourceSide::After => x.source_after(doc, cue.end),
            }
            .filter(|np| np.start < np.end)
        })
    }
}

/// A word without its possessive ending.
fn possessor(w: &str) -> &str {
    w.trim_end_matches("'s").trim_end_matches('\'')
}

fn add(out: &mut Vec<Chunk>, start: usize, end: usize, kind: &'static str) {
    if let Some(c) = out.iter_mut().find(|c| c.start == start && c.end == end) {
        if !c.types.contains(&kind) {
            c.types.push(kind);
        }
        return;
    }
    out.push(Chunk {
        start,
        end,
        types: vec![kind],
    });
}
