//! The cue lexicon: reporting verbs ("said", "told", "hailed") and multiword cues ("according
//! to", "made clear") from `models/speech-verbs.toml`, with what each reports (speech, claim,
//! belief) and where its speaker stands; and the [`Grammar`] word classes they come with.
//!
//! ```text
//! use tonetrack::models::ModelSource;
//! use tonetrack::quotes::{CueLexicon, CueType, SourceSide};
//! let src = ModelSource::default();
//! let lex = CueLexicon::load(&src.load("speech-verbs.toml").unwrap(), &src.load("grammar.toml").unwrap()).unwrap();
//! assert_eq!(lex.verb("told").map(|v| (v.kind, v.addressee)), Some((CueType::Speech, true)));
//! let according = lex.phrase_at(["according", "to"].into_iter()).unwrap();
//! assert_eq!(according.source, SourceSide::After);
//! ```

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
pub use crate::grammar::Grammar;
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
    /// The verb reports a to-infinitive ("vowed to block …"): `to_complement` in grammar.toml.
    pub to_complement: bool,
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

impl CueLexicon {
    pub fn load(verbs_file: &ModelFile, grammar_file: &ModelFile) -> Result<Self> {
        let grammar = Grammar::load(grammar_file)?;
        let np_complement = &grammar.np_complement;
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
                    to_complement: grammar.to_complement.contains(&v.lemma),
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
