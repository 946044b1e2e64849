//! Transcripts: briefings, press conferences and remarks, where speech is marked by a speaker
//! label at the start of a paragraph ("PRESIDENT BIDEN:", "MS. JEAN-PIERRE:", "Q"), not by
//! quotation marks. News extraction reads such a text as a run of colon-introduced quotes and
//! first-person clauses ("And I", "I’m" as speakers); this stage reads it as turns instead.
//!
//! It sits after `segment` in the data flow: [`detect`] decides whether a document is a
//! transcript, [`label`] reads the labels, [`turns`] cuts the speech into turns and the words
//! of each turn into statements, and [`resolve`] maps each label to a person, country and role
//! on the document's date through the actor registry and the document's own title and opening
//! lines. It reads `segment`, `normalize` and the `actors` registry; it never imports `quotes`
//! or `pipeline` (the pipeline runs the quote extractor on a turn's words for the quotations
//! embedded in it).
//!
//! ```
//! use tonetrack::transcript::{detect::is_transcript, Vocabulary};
//! let vocab = Vocabulary::builtin().unwrap();
//! let text = "4:05 P.M. EST\n\nMS. VALE:  Good afternoon.\n\nQ  Thank you.\n\nMS. VALE:  Sure.";
//! let paragraphs: Vec<_> = [0..13, 15..41, 43..56, 58..74]
//!     .into_iter()
//!     .map(|r| tonetrack::types::Span::new(r.start, r.end))
//!     .collect();
//! assert!(is_transcript(text, &paragraphs, &vocab));
//! ```

pub mod detect;
pub mod label;
pub mod resolve;
pub mod turns;

/// The paragraphs of a test text whose paragraphs are separated by blank lines, as the
/// normalizer would give them (shared by the tests of [`detect`] and [`turns`]).
#[cfg(test)]
pub(crate) fn test_paragraphs(text: &str) -> Vec<crate::types::Span> {
    let mut out = Vec::new();
    let mut at = 0;
    for p in text.split("\n\n") {
        out.push(crate::types::Span::new(at, at + p.len()));
        at += p.len() + 2;
    }
    out
}

use regex::Regex;
use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::{ModelFile, ModelSource};

/// The name of the knowledge file these rules live in (`models/transcripts.toml`).
pub const VOCABULARY_FILE: &str = "transcripts.toml";
/// Officials who speak in transcripts, added to the registry labels are resolved with only
/// (`models/actors-transcripts.toml`), so that news attribution does not change with them.
pub const ACTORS_FILE: &str = "actors-transcripts.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    schema_version: Spanned<u32>,
    question_labels: Vec<String>,
    unnamed_words: Vec<String>,
    numbering_words: Vec<String>,
    not_labels: Vec<String>,
    not_label_first_words: Vec<String>,
    title_words: Vec<String>,
    function_words: Vec<String>,
    not_speech: Vec<Spanned<String>>,
}

/// The words and patterns labels are read with (from `models/transcripts.toml`).
#[derive(Debug)]
pub struct Vocabulary {
    pub question_labels: HashSet<String>,
    pub unnamed_words: HashSet<String>,
    pub numbering_words: HashSet<String>,
    pub not_labels: HashSet<String>,
    pub not_label_first_words: HashSet<String>,
    pub title_words: HashSet<String>,
    /// Title words that alone do not make a label an official's ("of", "the").
    pub function_words: HashSet<String>,
    /// Whole paragraphs that are not speech (times, "END").
    pub not_speech: Vec<Regex>,
}

impl Vocabulary {
    pub fn load(file: &ModelFile) -> Result<Vocabulary> {
        let parsed: VocabularyFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        let set = |v: Vec<String>| v.iter().map(|w| crate::segment::fold(w)).collect();
        let mut not_speech = Vec::new();
        for p in parsed.not_speech {
            let at = p.span().start;
            let re = Regex::new(p.get_ref()).map_err(|e| {
                file.error_at(at, format!("not_speech pattern does not compile: {e}"))
            })?;
            not_speech.push(re);
        }
        Ok(Vocabulary {
            question_labels: set(parsed.question_labels),
            unnamed_words: set(parsed.unnamed_words),
            numbering_words: set(parsed.numbering_words),
            not_labels: set(parsed.not_labels),
            not_label_first_words: set(parsed.not_label_first_words),
            title_words: set(parsed.title_words),
            function_words: set(parsed.function_words),
            not_speech,
        })
    }

    /// The built-in `models/transcripts.toml`.
    pub fn builtin() -> Result<Vocabulary> {
        Vocabulary::load(&ModelSource::default().load(VOCABULARY_FILE)?)
    }

    /// Whether a whole (trimmed) paragraph is a time, "END" or another non-speech line.
    pub fn is_not_speech(&self, paragraph: &str) -> bool {
        let p = paragraph.trim();
        self.not_speech.iter().any(|re| re.is_match(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_vocabulary_loads_and_knows_times_and_end() {
        let v = Vocabulary::builtin().unwrap();
        assert!(v.is_not_speech("4:05 P.M. EST"));
        assert!(v.is_not_speech("END"));
        assert!(v.is_not_speech("END  5:10 P.M. EDT"));
        assert!(!v.is_not_speech("We will end this war."));
        assert!(v.question_labels.contains("q"));
    }

    #[test]
    fn a_bad_pattern_is_reported_with_file_and_line() {
        let f = ModelFile::from_text(
            "t.toml",
            "schema_version = 1\nquestion_labels = []\nunnamed_words = []\nnumbering_words = []\nnot_labels = []\nnot_label_first_words = []\ntitle_words = []\nfunction_words = []\nnot_speech = [\n  '(',\n]\n",
        );
        let err = Vocabulary::load(&f).unwrap_err().to_string();
        assert!(err.starts_with("t.toml:10:"), "{err}");
    }
}
