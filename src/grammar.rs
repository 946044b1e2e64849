//! The closed word classes that glue an attribution together (`models/grammar.toml`):
//! determiners, prepositions, pronouns, titles, the words that may stand between a subject and
//! its verb, and the like; and [`office_title`], the one canonical form of an office title.
//!
//! Both the extractor ([`crate::quotes`]) and the speaker resolver ([`crate::actors`]) read
//! them, so they live below both and neither imports the other:
//!
//! ```text
//! use tonetrack::grammar::{office_title, Grammar};
//! use tonetrack::models::ModelSource;
//! let g = Grammar::load(&ModelSource::default().load("grammar.toml").unwrap()).unwrap();
//! assert!(g.determiners.contains("the") && g.pronouns.contains_key("she"));
//! assert_eq!(office_title("Minister of Foreign Affairs"), "foreign minister");
//! ```

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::ModelFile;
use crate::segment::fold;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarFile {
    schema_version: Spanned<u32>,
    between_subject_and_verb: Vec<String>,
    copulas: Vec<String>,
    finite_markers: Vec<String>,
    determiners: Vec<String>,
    prepositions: Vec<String>,
    clause_breakers: Vec<String>,
    #[serde(rename = "pronoun")]
    pronouns: Vec<PronounEntry>,
    speakers: SpeakerWords,
    np_complement: Vec<String>,
    to_complement: Vec<String>,
    headline_labels: Vec<String>,
    noun_markers: Vec<Spanned<String>>,
    s_contractions: Vec<Spanned<String>>,
    contraction_hosts: Vec<Spanned<String>>,
    introductory_words: Vec<Spanned<String>>,
    subordinators: Vec<Spanned<String>>,
    clause_complementizers: Vec<Spanned<String>>,
    sentence_conjunctions: Vec<Spanned<String>>,
    np_open_ends: Vec<Spanned<String>>,
    relatives: RelativeWords,
    unnamed_speakers: UnnamedSpeakerWords,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelativeWords {
    parenthetical: Vec<Spanned<String>>,
    after_quote: Vec<Spanned<String>>,
    phrase_end: Vec<Spanned<String>>,
    after_speaker: Vec<Spanned<String>>,
    after_appositive: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnnamedSpeakerWords {
    openers_before_verb: Vec<Spanned<String>>,
    openers_after_quote: Vec<Spanned<String>>,
    standalone: Vec<Spanned<String>>,
    links: Vec<Spanned<String>>,
    resolver_links: Vec<Spanned<String>>,
    time_prepositions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PronounEntry {
    word: String,
    gender: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeakerWords {
    titles: Vec<String>,
    collective: Vec<String>,
}

/// Closed word classes, all folded (lowercase, straight apostrophes).
#[derive(Debug, Default)]
pub struct Grammar {
    pub between: HashSet<String>,
    pub copulas: HashSet<String>,
    pub finite: HashSet<String>,
    pub determiners: HashSet<String>,
    pub prepositions: HashSet<String>,
    pub clause_breakers: HashSet<String>,
    /// pronoun → what it may refer to (male, female, plural, organisation, any).
    pub pronouns: HashMap<String, String>,
    /// Titles, multiword allowed, longest first.
    pub titles: Vec<Vec<String>>,
    /// First word → indices into `titles` (longest first), for matching at every word.
    titles_by_first: HashMap<String, Vec<usize>>,
    /// Every title in the canonical office form of [`office_title`].
    pub office_titles: HashSet<String>,
    pub collective: HashSet<String>,
    /// Every single word that may appear inside a speaker's noun phrase in lowercase.
    pub np_words: HashSet<String>,
    /// Words that open a "Label: text" line without being a speaker ("Update:", "Watch:").
    pub headline_labels: HashSet<String>,
    /// Words after which a reporting verb's form is a noun ("the report", "of state").
    pub noun_markers: HashSet<String>,
    /// Words in 's that are contractions, not possessives ("who's", "let's").
    pub s_contractions: HashSet<String>,
    /// Besides the pronouns, words whose sentence-initial contraction is no speaker ("That's").
    pub contraction_hosts: HashSet<String>,
    /// Words that open an introductory phrase ("If …,", "Meanwhile,", "Asked about …,").
    pub introductory: HashSet<String>,
    /// Words that open an adverbial clause ("said as she left", "said when asked").
    pub subordinators: HashSet<String>,
    /// Words that open a reported clause ("said that he …", "asked whether they …").
    pub complementizers: HashSet<String>,
    /// Conjunctions that may open a sentence before its subject ("But Toomey refused …").
    pub sentence_conjunctions: HashSet<String>,
    /// Besides prepositions, determiners and phrase-ending relatives, words that cannot end a
    /// speaker's noun phrase ("… of the AP and").
    pub np_open_ends: HashSet<String>,
    /// Verb lemmas and phrases that take a noun phrase as what they report ("denied the
    /// report"), for the cue lexicon.
    pub np_complement: HashSet<String>,
    /// Verb lemmas that report an intention or a request as a to-infinitive ("vowed to block
    /// the nominee", "urged them to vote"), for the cue lexicon.
    pub to_complement: HashSet<String>,
    /// Relative pronouns opening a parenthetical between subject and verb ("Wu, who …, said").
    pub relatives_parenthetical: HashSet<String>,
    /// Words that, after a quote and comma, open a relative clause ("…,” which …").
    pub relatives_after_quote: HashSet<String>,
    /// Words that end an unnamed speaker's phrase ("the lawyers who …").
    pub relatives_phrase_end: HashSet<String>,
    /// Words that may follow an unnamed speaker after a quote's verb ("said a source who …").
    pub relatives_after_speaker: HashSet<String>,
    /// Words after an appositive's closing comma that are not the subject's verb ("…, who").
    pub relatives_after_appositive: HashSet<String>,
    /// Words that open an unnamed speaker's phrase before its verb ("the lawyers said").
    pub unnamed_openers_before_verb: HashSet<String>,
    /// Words that open an unnamed speaker's phrase after a quote ("…,” the moderator said").
    pub unnamed_openers_after_quote: HashSet<String>,
    /// Quantifiers that can be an unnamed speaker alone ("some said").
    pub unnamed_standalone: HashSet<String>,
    /// Besides prepositions, words tying an unnamed speaker to a description ("close to …"),
    /// for the extractor.
    pub unnamed_links: HashSet<String>,
    /// The same, for the speaker resolver.
    pub resolver_links: HashSet<String>,
    /// Prepositions that open a time phrase, not a description, after a speaker's head.
    pub time_prepositions: HashSet<String>,
}

impl Grammar {
    /// A word no speaker's noun phrase runs through: a preposition, a finite verb, a copula or
    /// a clause breaker.
    pub fn ends_noun_phrase(&self, w: &str) -> bool {
        self.prepositions.contains(w)
            || self.finite.contains(w)
            || self.copulas.contains(w)
            || self.clause_breakers.contains(w)
    }

    /// The titles whose first word is `word` (folded), longest first.
    pub fn titles_starting<'a>(&'a self, word: &str) -> impl Iterator<Item = &'a Vec<String>> + 'a {
        self.titles_by_first
            .get(word)
            .into_iter()
            .flatten()
            .map(|&i| &self.titles[i])
    }

    /// Reads and validates `models/grammar.toml`: its schema, and every single-word list
    /// written as it is compared and listed once (an error names the file and the line).
    pub fn load(file: &ModelFile) -> Result<Grammar> {
        let g: GrammarFile = file.parse()?;
        file.check_schema(&g.schema_version)?;
        let mut titles: Vec<Vec<String>> = g
            .speakers
            .titles
            .iter()
            .map(|t| t.split_whitespace().map(fold).collect())
            .collect();
        titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let collective = fold_all(g.speakers.collective);
        let mut np_words: HashSet<String> = titles.iter().flatten().cloned().collect();
        np_words.extend(
            collective
                .iter()
                .flat_map(|c| c.split(' ').map(str::to_string)),
        );
        let mut titles_by_first: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, t) in titles.iter().enumerate() {
            if let Some(first) = t.first() {
                titles_by_first.entry(first.clone()).or_default().push(i);
            }
        }
        let office_titles = titles.iter().map(|t| office_title(&t.join(" "))).collect();
        let f = file;
        let (rel, unnamed) = (g.relatives, g.unnamed_speakers);
        Ok(Grammar {
            between: fold_all(g.between_subject_and_verb),
            copulas: fold_all(g.copulas),
            finite: fold_all(g.finite_markers),
            determiners: fold_all(g.determiners),
            prepositions: fold_all(g.prepositions),
            clause_breakers: fold_all(g.clause_breakers),
            pronouns: g
                .pronouns
                .into_iter()
                .map(|p| (fold(&p.word), p.gender))
                .collect(),
            titles,
            titles_by_first,
            office_titles,
            collective,
            np_words,
            headline_labels: fold_all(g.headline_labels),
            noun_markers: word_set(f, "noun_markers", g.noun_markers)?,
            s_contractions: word_set(f, "s_contractions", g.s_contractions)?,
            contraction_hosts: word_set(f, "contraction_hosts", g.contraction_hosts)?,
            introductory: word_set(f, "introductory_words", g.introductory_words)?,
            subordinators: word_set(f, "subordinators", g.subordinators)?,
            complementizers: word_set(f, "clause_complementizers", g.clause_complementizers)?,
            sentence_conjunctions: word_set(f, "sentence_conjunctions", g.sentence_conjunctions)?,
            np_open_ends: word_set(f, "np_open_ends", g.np_open_ends)?,
            relatives_parenthetical: word_set(f, "relatives.parenthetical", rel.parenthetical)?,
            relatives_after_quote: word_set(f, "relatives.after_quote", rel.after_quote)?,
            relatives_phrase_end: word_set(f, "relatives.phrase_end", rel.phrase_end)?,
            relatives_after_speaker: word_set(f, "relatives.after_speaker", rel.after_speaker)?,
            relatives_after_appositive: word_set(
                f,
                "relatives.after_appositive",
                rel.after_appositive,
            )?,
            unnamed_openers_before_verb: word_set(
                f,
                "unnamed_speakers.openers_before_verb",
                unnamed.openers_before_verb,
            )?,
            unnamed_openers_after_quote: word_set(
                f,
                "unnamed_speakers.openers_after_quote",
                unnamed.openers_after_quote,
            )?,
            unnamed_standalone: word_set(f, "unnamed_speakers.standalone", unnamed.standalone)?,
            unnamed_links: word_set(f, "unnamed_speakers.links", unnamed.links)?,
            resolver_links: word_set(f, "unnamed_speakers.resolver_links", unnamed.resolver_links)?,
            time_prepositions: word_set(
                f,
                "unnamed_speakers.time_prepositions",
                unnamed.time_prepositions,
            )?,
            np_complement: fold_all(g.np_complement),
            to_complement: fold_all(g.to_complement),
        })
    }
}

fn fold_all(v: Vec<String>) -> HashSet<String> {
    v.into_iter().map(|w| fold(&w)).collect()
}

/// A list of single words under `key`, each written as it is compared (lowercase, straight
/// apostrophes) and listed once; an error names the file and the line of the bad entry.
fn word_set(file: &ModelFile, key: &str, words: Vec<Spanned<String>>) -> Result<HashSet<String>> {
    let mut set = HashSet::default();
    for entry in words {
        let at = entry.span().start;
        let word = entry.into_inner();
        if word.is_empty() || word.chars().any(char::is_whitespace) {
            return Err(file.error_at(at, format!("{key}: {word:?} is not a single word")));
        }
        let folded = fold(&word);
        if folded != word {
            return Err(file.error_at(
                at,
                format!("{key}: {word:?} must be written lowercase with straight apostrophes ({folded:?})"),
            ));
        }
        if !set.insert(word.clone()) {
            return Err(file.error_at(at, format!("{key}: {word:?} is listed twice")));
        }
    }
    Ok(set)
}

/// An office title in one canonical form, so that the ways news write it meet the registry's:
/// "Minister of Foreign Affairs" and "Minister for Foreign Affairs" → "foreign minister",
/// "Minister of Defence" → "defence minister".
pub fn office_title(title: &str) -> String {
    let folded = fold(title);
    let words: Vec<&str> = folded.split_whitespace().collect();
    if let Some(pos) = words.iter().position(|w| *w == "of" || *w == "for") {
        if pos > 0 && pos + 1 < words.len() {
            let head = words[..pos].join(" ");
            let field: Vec<&str> = words[pos + 1..]
                .iter()
                .copied()
                .filter(|w| *w != "affairs" && *w != "the")
                .collect();
            return format!("{} {head}", field.join(" "));
        }
    }
    words
        .iter()
        .copied()
        .filter(|w| *w != "affairs")
        .collect::<Vec<_>>()
        .join(" ")
}
