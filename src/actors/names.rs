//! How personal names are written (`models/names.toml`), and the loose comparisons the resolver
//! makes between a name in an article and a known one: diacritics dropped ("Orbán" = "Orban"),
//! a bounded number of edits ("Borrel" ≈ "Borrell"), family name first ("Wi Sung-lac" → "Wi").
//!
//! ```text
//! strip_diacritics("orbán")                 → "orban"
//! within_edits("borrel", "borrell", 1)      → true
//! names.family_first_surname(["wi", "sung-lac"]) → Some("wi")
//! ```

use std::borrow::Cow;

use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::ModelFile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesFile {
    schema_version: Spanned<u32>,
    collective_openers: Spanned<Vec<String>>,
    family_names_first: Spanned<Vec<String>>,
    particles: Spanned<Vec<String>>,
    max_edits: usize,
    min_fuzzy_length: usize,
}

/// The validated lists. `Default` is empty: no fuzzy matching, no family-first guesses.
#[derive(Debug, Default, Clone)]
pub struct Names {
    pub collective_openers: HashSet<String>,
    pub family_names_first: HashSet<String>,
    pub particles: HashSet<String>,
    pub max_edits: usize,
    pub min_fuzzy_length: usize,
}

impl Names {
    pub fn load(file: &ModelFile) -> Result<Self> {
        let parsed: NamesFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        let list = |v: Spanned<Vec<String>>, what: &str| -> Result<HashSet<String>> {
            let at = v.span().start;
            let mut set = HashSet::default();
            for w in v.into_inner() {
                if w.is_empty() || w != w.to_lowercase() || w.contains(' ') {
                    return Err(
                        file.error_at(at, format!("{what}: {w:?} must be one lowercase word"))
                    );
                }
                set.insert(w);
            }
            Ok(set)
        };
        Ok(Names {
            collective_openers: list(parsed.collective_openers, "collective_openers")?,
            family_names_first: list(parsed.family_names_first, "family_names_first")?,
            particles: list(parsed.particles, "particles")?,
            max_edits: parsed.max_edits,
            min_fuzzy_length: parsed.min_fuzzy_length,
        })
    }

    /// The family name of a name introduced as written (folded words), when it comes first:
    /// "wi sung-lac", "lee jae myung", "kim jong un" → the first word.
    pub fn family_first_surname<'w>(&self, words: &[&'w str]) -> Option<&'w str> {
        let first = words.first()?;
        if !self.family_names_first.contains(*first) {
            return None;
        }
        let hyphenated_given = words.len() == 2 && words[1].contains('-');
        (hyphenated_given || words.len() == 3).then_some(*first)
    }

    /// Whether `written` may be a misspelling of `known` (both folded, diacritics stripped).
    pub fn fuzzy_match(&self, written: &str, known: &str) -> bool {
        self.max_edits > 0
            && written != known
            && written.chars().count() >= self.min_fuzzy_length
            && known.chars().count() >= self.min_fuzzy_length
            && written.chars().next() == known.chars().next()
            && within_edits(written, known, self.max_edits)
    }
}

/// A folded word or phrase without its diacritics: "orbán" → "orban", "şefčovič" → "sefcovic".
/// Letters outside the table are kept as they are.
pub fn strip_diacritics(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
            'ď' | 'đ' => 'd',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
            'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
            'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
            'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
            'ŕ' | 'ř' => 'r',
            'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
            'ţ' | 'ť' | 'ț' => 't',
            'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            c => c,
        };
        out.push(base);
    }
    Cow::Owned(out)
}

/// Levenshtein distance of `a` and `b` is at most `max` (one row, stops early past `max`).
pub fn within_edits(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        let mut best = row[0];
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
            best = best.min(row[j + 1]);
        }
        if best > max {
            return false;
        }
    }
    row[b.len()] <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::load(&ModelFile::from_text(
            "n.toml",
            "schema_version = 1\ncollective_openers = [\"most\"]\nfamily_names_first = [\"wi\", \"kim\"]\nparticles = [\"de\"]\nmax_edits = 1\nmin_fuzzy_length = 6\n",
        ))
        .unwrap()
    }

    #[test]
    fn diacritics_are_dropped_for_comparison() {
        assert_eq!(strip_diacritics("orbán"), "orban");
        assert_eq!(strip_diacritics("šefčovič"), "sefcovic");
        assert_eq!(strip_diacritics("borrell"), "borrell");
    }

    #[test]
    fn one_edit_makes_a_variant_but_short_or_differently_starting_names_do_not_match() {
        let n = names();
        assert!(n.fuzzy_match("borrel", "borrell"));
        assert!(n.fuzzy_match("zelenskyy", "zelensky"));
        assert!(!n.fuzzy_match("kang", "kane"), "too short");
        assert!(!n.fuzzy_match("morrell", "borrell"), "first letters differ");
        assert!(!n.fuzzy_match("borrelli", "borell"), "two edits");
        assert!(within_edits("kitten", "sitten", 1));
        assert!(!within_edits("kitten", "sitting", 2));
    }

    #[test]
    fn korean_names_are_referred_to_by_the_family_name_that_comes_first() {
        let n = names();
        assert_eq!(n.family_first_surname(&["wi", "sung-lac"]), Some("wi"));
        assert_eq!(n.family_first_surname(&["kim", "jong", "un"]), Some("kim"));
        assert_eq!(
            n.family_first_surname(&["kim", "davis"]),
            None,
            "Kim Davis is Davis"
        );
        assert_eq!(n.family_first_surname(&["marty", "small"]), None);
    }

    #[test]
    fn an_entry_that_is_not_one_lowercase_word_names_the_file_and_line() {
        let err = Names::load(&ModelFile::from_text(
            "n.toml",
            "schema_version = 1\ncollective_openers = [\"Most\"]\nfamily_names_first = []\nparticles = []\nmax_edits = 1\nmin_fuzzy_length = 6\n",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("n.toml:2:"), "{err}");
    }
}
