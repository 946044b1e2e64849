//! Whom a statement is about: the stage between actors and tone that gives every statement the
//! countries it targets (ISO 3166-1 alpha-3, most salient first), so that tone can be read as a
//! dyad (speaker's country → target country) instead of counting everything a country's
//! officials said toward the speaker's country whatever it was about.
//!
//! ```text
//!  “We must reverse the downward spiral of US-China relations,” Wang said during the meeting
//!  with Blinken.            speaker CHN   words: US (USA), China (CHN, the speaker's own)
//!                           → targets [USA], target USA, target_resolution "words"
//!  “Both sides agreed …,” Xi told Blinken.   words: "both sides" → the article's pair CHN–USA
//!                           → targets [USA], target_resolution "pair"
//! ```
//!
//! [`mentions`] finds country mentions in text (place words of `models/places.toml`, registry
//! actors, people the article ties to a country); [`pairs`] reads "the two sides" and finds the
//! pair the article is about; [`resolve`] orders the evidence (own words, pair, addressee,
//! article context, domestic) and says how it decided; [`eval`] scores it on sentences whose
//! source and target actors are marked. The words it reads beside places and actors are data,
//! in `models/targets.toml`.

pub mod eval;
pub mod mentions;
pub mod pairs;
pub mod resolve;

use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::ModelFile;
use crate::segment::fold;

pub use resolve::{ArticleTargets, Targeter};

/// The words of `models/targets.toml`, validated.
#[derive(Debug, Clone, Default)]
pub struct TargetLexicon {
    /// Pair phrases as folded word sequences ("the two sides" → ["the", "two", "sides"]).
    pub pair_phrases: Vec<Vec<String>>,
    pub locatives: HashSet<String>,
    pub not_surnames: HashSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    schema_version: Spanned<u32>,
    pair_phrases: Vec<Spanned<String>>,
    locatives: Vec<Spanned<String>>,
    not_surnames: Vec<Spanned<String>>,
}

impl TargetLexicon {
    pub fn load(file: &ModelFile) -> Result<TargetLexicon> {
        let parsed: TargetsFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        let mut lex = TargetLexicon::default();
        for (list, what) in [
            (&parsed.pair_phrases, "pair_phrases"),
            (&parsed.locatives, "locatives"),
            (&parsed.not_surnames, "not_surnames"),
        ] {
            let mut seen = HashSet::default();
            for entry in list {
                let raw = entry.get_ref();
                let at = entry.span().start;
                let words: Vec<String> = raw.split_whitespace().map(fold).collect();
                if words.is_empty() {
                    return Err(file.error_at(at, format!("{what}: empty entry")));
                }
                if fold(raw) != *raw {
                    return Err(file.error_at(at, format!("{what}: {raw:?} must be lowercase")));
                }
                if !seen.insert(words.join(" ")) {
                    return Err(file.error_at(at, format!("{what}: {raw:?} is listed twice")));
                }
                match what {
                    "pair_phrases" => lex.pair_phrases.push(words),
                    "locatives" if words.len() == 1 => {
                        lex.locatives.insert(words.join(" "));
                    }
                    "not_surnames" if words.len() == 1 => {
                        lex.not_surnames.insert(words.join(" "));
                    }
                    _ => return Err(file.error_at(at, format!("{what}: {raw:?} must be one word"))),
                }
            }
        }
        // Longest first, so "the two sides" wins over "two sides" at the same place.
        lex.pair_phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        Ok(lex)
    }
}

/// The built-in words, for the stage's tests (their registries are small and made up).
#[cfg(test)]
pub(crate) fn builtin_lexicon() -> TargetLexicon {
    let file = crate::models::ModelSource::default()
        .load("targets.toml")
        .expect("built-in targets.toml");
    TargetLexicon::load(&file).expect("built-in targets.toml is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "schema_version = 1\n";

    fn load(text: String) -> Result<TargetLexicon> {
        TargetLexicon::load(&ModelFile::from_text("t.toml", text))
    }

    #[test]
    fn the_built_in_targets_file_loads() {
        let file = crate::models::ModelSource::default()
            .load("targets.toml")
            .unwrap();
        let lex = TargetLexicon::load(&file).unwrap();
        assert!(lex
            .pair_phrases
            .iter()
            .any(|p| p.join(" ") == "both countries"));
        assert!(lex.locatives.contains("in"));
    }

    #[test]
    fn an_uppercase_pair_phrase_is_rejected_with_file_and_line() {
        let text = format!(
            "{HEAD}pair_phrases = [\n  \"both sides\",\n  \"The Two Sides\",\n]\nlocatives = []\nnot_surnames = []\n"
        );
        let err = load(text).unwrap_err().to_string();
        assert!(err.starts_with("t.toml:4:"), "{err}");
        assert!(err.contains("lowercase"), "{err}");
    }

    #[test]
    fn a_phrase_listed_twice_is_rejected() {
        let text = format!(
            "{HEAD}pair_phrases = [\"both sides\", \"both  sides\"]\nlocatives = []\nnot_surnames = []\n"
        );
        let err = load(text).unwrap_err().to_string();
        assert!(err.contains("twice"), "{err}");
    }

    #[test]
    fn a_multiword_locative_is_rejected() {
        let text =
            format!("{HEAD}pair_phrases = []\nlocatives = [\"next to\"]\nnot_surnames = []\n");
        let err = load(text).unwrap_err().to_string();
        assert!(err.contains("one word"), "{err}");
    }
}
