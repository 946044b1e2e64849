//! What an article names before any statement is resolved: the registry actors in its text
//! (for surnames and pronouns later on) and its place words, and from both the article's
//! dominant country, the fallback of a named speaker the text gives no country for.
//!
//! ```text
//! "Senator Ted Cruz of Texas … Hillary Clinton … in Iowa … Marty Small said"
//!   mentions: Ted Cruz (USA), Hillary Clinton (USA); places: Texas (USA), Iowa (USA)
//!   article country: USA (4 of 4 pieces) → "Marty Small" gets USA, `article:dominant`
//! ```

use chrono::NaiveDate;

use super::Registry;
use crate::segment::{is_capitalized, Folded, Token};

/// An article's country evidence must have at least this many pieces (registry actors and
/// place words)…
const ARTICLE_COUNTRY_MIN_EVIDENCE: usize = 3;
/// …and one country must hold at least this share of it, for that country to be the fallback
/// of named speakers without a country of their own. A US election story (PolNeAR) names
/// American places and people almost only; a summit story names two countries about equally,
/// and gets no fallback.
const ARTICLE_COUNTRY_MIN_SHARE: f64 = 0.6;

pub(super) struct Scan {
    /// Registry actors named in the story text: (byte position, actor index).
    pub mentions: Vec<(usize, usize)>,
    pub article_country: Option<String>,
}

/// Reads the words the extractor already cut (punctuation is skipped, so it only breaks
/// candidate sequences); a registry name wins over a place name starting at the same word.
pub(super) fn scan(
    reg: &Registry,
    text: &str,
    all: &[Token],
    all_folded: &Folded,
    date: NaiveDate,
) -> Scan {
    let mut mentions = Vec::new();
    let mut places: Vec<&str> = Vec::new();
    let keep: Vec<usize> = (0..all.len()).filter(|&i| all[i].is_word()).collect();
    let toks: Vec<_> = keep.iter().map(|&i| all[i]).collect();
    let folded: Vec<&str> = keep.iter().map(|&i| &all_folded[i]).collect();
    let mut i = 0;
    let mut key = String::new();
    let fill = |key: &mut String, words: &[&str], strip_possessive: bool| {
        key.clear();
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                key.push(' ');
            }
            let w = if strip_possessive {
                w.strip_suffix("'s").unwrap_or(w)
            } else {
                w
            };
            key.push_str(w);
        }
    };
    while i < toks.len() {
        let mut matched = 0;
        let capital = is_capitalized(toks[i].text(text));
        // Only capitalised words that start some registry name can start a mention.
        let longest = reg.max_words_from(folded[i]);
        if capital && longest > 0 {
            for n in (1..=longest.min(toks.len() - i)).rev() {
                fill(&mut key, &folded[i..i + n], false);
                if let Some(idx) = reg.lookup(&key) {
                    mentions.push((toks[i].span.start, idx));
                    matched = n;
                    break;
                }
            }
        }
        if matched == 0 && capital {
            for n in (1..=reg.max_place_words().min(toks.len() - i)).rev() {
                fill(&mut key, &folded[i..i + n], true);
                if let Some((code, _)) = reg.place(&key) {
                    places.push(code.as_str());
                    matched = n;
                    break;
                }
            }
        }
        i += matched.max(1);
    }
    let article_country = dominant_country(
        mentions
            .iter()
            .map(|(_, idx)| reg.actors[*idx].country_on(date))
            .chain(places.iter().copied()),
    );
    Scan {
        mentions,
        article_country,
    }
}

/// The country that holds [`ARTICLE_COUNTRY_MIN_SHARE`] of the evidence, if any.
fn dominant_country<'c>(evidence: impl Iterator<Item = &'c str>) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut total = 0;
    for c in evidence {
        total += 1;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    let (top, n) = counts.iter().max_by_key(|(_, n)| *n)?;
    (total >= ARTICLE_COUNTRY_MIN_EVIDENCE && *n as f64 >= ARTICLE_COUNTRY_MIN_SHARE * total as f64)
        .then(|| top.to_string())
}

#[cfg(test)]
mod tests {
    use super::dominant_country;

    #[test]
    fn one_country_must_clearly_dominate_the_article_to_be_its_fallback() {
        let us = ["USA", "USA", "USA", "CHN"];
        assert_eq!(dominant_country(us.into_iter()), Some("USA".into()));
        let summit = ["USA", "CHN", "USA", "CHN", "KOR"];
        assert_eq!(dominant_country(summit.into_iter()), None);
        assert_eq!(
            dominant_country(["USA", "USA"].into_iter()),
            None,
            "too little evidence"
        );
    }
}
