//! The extractor's knowledge: reporting verbs and multiword cues (`models/speech-verbs.toml`)
//! and the closed word classes that glue an attribution together (`models/grammar.toml`).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::ModelFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CueType {
    /// Says words.
    Speech,
    /// Asserts or reports a fact.
    Claim,
    /// Thinks, hopes, intends: an attribution, but not speech.
    Belief,
}

impl CueType {
    pub fn as_str(&self) -> &'static str {
        match self {
            CueType::Speech => "speech",
            CueType::Claim => "claim",
            CueType::Belief => "belief",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceSide {
    /// "X told reporters": the speaker stands before the cue.
    Before,
    /// "according to X": the speaker follows the cue.
    After,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerbsFile {
    schema_version: Spanned<u32>,
    #[serde(rename = "verb", default)]
    verbs: Vec<Spanned<VerbEntry>>,
    #[serde(rename = "phrase", default)]
    phrases: Vec<Spanned<PhraseEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerbEntry {
    lemma: String,
    forms: Vec<String>,
    #[serde(rename = "type")]
    kind: CueType,
    #[serde(default)]
    addressee: bool,
    #[serde(default)]
    quote_object: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhraseEntry {
    text: String,
    #[serde(rename = "type")]
    kind: CueType,
    source: SourceSide,
}

#[derive(Debug, Clone)]
pub struct VerbInfo {
    pub lemma: String,
    pub kind: CueType,
    pub addressee: bool,
    pub quote_object: bool,
    pub np_complement: bool,
    /// The form is a present participle ("saying"), which needs "by" or an auxiliary before it.
    pub participle: bool,
}

#[derive(Debug, Clone)]
pub struct PhraseInfo {
    pub words: Vec<String>,
    pub kind: CueType,
    pub source: SourceSide,
    pub np_complement: bool,
}

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
    /// Every title in the canonical office form of [`crate::actors::office_title`].
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
}

/// Reporting verbs and phrases, indexed by folded word form.
#[derive(Debug, Default)]
pub struct CueLexicon {
    pub verbs: HashMap<String, VerbInfo>,
    /// Phrases indexed by their first word.
    pub phrases: HashMap<String, Vec<PhraseInfo>>,
    pub grammar: Grammar,
    /// Words of the longest phrase: asked for at every token, so computed once.
    max_phrase_words: usize,
}

fn fold_all(v: Vec<String>) -> HashSet<String> {
    v.into_iter().map(|w| crate::segment::fold(&w)).collect()
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
        let folded = crate::segment::fold(&word);
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

impl CueLexicon {
    pub fn load(verbs_file: &ModelFile, grammar_file: &ModelFile) -> Result<Self> {
        let g: GrammarFile = grammar_file.parse()?;
        grammar_file.check_schema(&g.schema_version)?;
        let np_complement: HashSet<String> = fold_all(g.np_complement);

        let parsed: VerbsFile = verbs_file.parse()?;
        verbs_file.check_schema(&parsed.schema_version)?;
        let mut verbs = HashMap::default();
        for entry in parsed.verbs {
            let at = entry.span().start;
            let v = entry.into_inner();
            if v.forms.is_empty() {
                return Err(verbs_file.error_at(at, format!("verb {:?} has no forms", v.lemma)));
            }
            for form in &v.forms {
                let key = crate::segment::fold(form);
                if key.contains(' ') {
                    return Err(verbs_file.error_at(
                        at,
                        format!(
                            "verb form {form:?} has a space: put multiword cues under [[phrase]]"
                        ),
                    ));
                }
                let info = VerbInfo {
                    lemma: v.lemma.clone(),
                    kind: v.kind,
                    addressee: v.addressee,
                    quote_object: v.quote_object,
                    np_complement: np_complement.contains(&v.lemma),
                    participle: key.ends_with("ing") && key != "bring",
                };
                if let Some(prev) = verbs.insert(key, info) {
                    return Err(verbs_file.error_at(
                        at,
                        format!(
                            "form {form:?} of {:?} is already a form of {:?}",
                            v.lemma, prev.lemma
                        ),
                    ));
                }
            }
        }
        let mut phrases: HashMap<String, Vec<PhraseInfo>> = HashMap::default();
        for entry in parsed.phrases {
            let at = entry.span().start;
            let p = entry.into_inner();
            let words: Vec<String> = p
                .text
                .split_whitespace()
                .map(crate::segment::fold)
                .collect();
            if words.is_empty() {
                return Err(verbs_file.error_at(at, "empty phrase"));
            }
            let info = PhraseInfo {
                np_complement: np_complement.contains(&words.join(" ")),
                words,
                kind: p.kind,
                source: p.source,
            };
            phrases.entry(info.words[0].clone()).or_default().push(info);
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }

        let mut titles: Vec<Vec<String>> = g
            .speakers
            .titles
            .iter()
            .map(|t| t.split_whitespace().map(crate::segment::fold).collect())
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
        let office_titles = titles
            .iter()
            .map(|t| crate::actors::office_title(&t.join(" ")))
            .collect();
        let f = grammar_file;
        let (rel, unnamed) = (g.relatives, g.unnamed_speakers);
        let grammar = Grammar {
            between: fold_all(g.between_subject_and_verb),
            copulas: fold_all(g.copulas),
            finite: fold_all(g.finite_markers),
            determiners: fold_all(g.determiners),
            prepositions: fold_all(g.prepositions),
            clause_breakers: fold_all(g.clause_breakers),
            pronouns: g
                .pronouns
                .into_iter()
                .map(|p| (crate::segment::fold(&p.word), p.gender))
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
        };
        let max_phrase_words = phrases
            .values()
            .flatten()
            .map(|p| p.words.len())
            .max()
            .unwrap_or(1);
        Ok(CueLexicon {
            verbs,
            phrases,
            grammar,
            max_phrase_words,
        })
    }

    pub fn verb(&self, folded: &str) -> Option<&VerbInfo> {
        self.verbs.get(folded)
    }

    /// The longest phrase starting at the first of `words` (folded), if any.
    pub fn phrase_at<'w>(
        &self,
        words: impl Iterator<Item = &'w str> + Clone,
    ) -> Option<&PhraseInfo> {
        let first = words.clone().next()?;
        self.phrases.get(first)?.iter().find(|p| {
            let mut rest = words.clone();
            p.words.iter().all(|w| rest.next() == Some(w.as_str()))
        })
    }

    pub fn max_phrase_words(&self) -> usize {
        self.max_phrase_words
    }

    pub fn verb_count(&self) -> usize {
        self.verbs
            .values()
            .map(|v| v.lemma.as_str())
            .collect::<HashSet<_>>()
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSource;

    /// A bad entry in one of the word lists is refused with the file and line of the entry.
    #[test]
    fn bad_word_list_entry_names_file_and_line() {
        let src = ModelSource::default();
        let verbs = src.load("speech-verbs.toml").expect("built-in verbs");
        let grammar = src.load("grammar.toml").expect("built-in grammar");
        CueLexicon::load(&verbs, &grammar).expect("the built-in grammar loads");
        let good = r#"clause_complementizers = ["that", "if", "whether"]"#;
        for (bad, why) in [
            (
                r#"clause_complementizers = ["that", "If", "whether"]"#,
                "lowercase",
            ),
            (
                r#"clause_complementizers = ["that", "if", "if"]"#,
                "listed twice",
            ),
            (
                r#"clause_complementizers = ["that", "if so", "whether"]"#,
                "not a single word",
            ),
        ] {
            assert!(grammar.text.contains(good));
            let text = grammar.text.replace(good, bad);
            let line = text.lines().position(|l| l == bad).expect("replaced") + 1;
            let err = CueLexicon::load(&verbs, &ModelFile::from_text("g.toml", text))
                .err()
                .expect("must fail")
                .to_string();
            assert!(
                err.starts_with(&format!("g.toml:{line}:")) && err.contains(why),
                "{err}"
            );
        }
    }
}
