//! The pair of countries an article is about, and the phrases that stand for it: "the two
//! sides", "both countries", "bilateral" (`pair_phrases` in `models/targets.toml`).
//!
//! ```text
//!  article of 2023-06-19 naming China 9 times and the United States 11, with the visit
//!  "Blinken in Beijing" (host CHN, visitor USA, 2023-06-18 … 19) configured
//!      → pair (CHN, USA), from the visit
//!  “Both sides agreed …,” Xi (CHN) said   → the other side: USA
//!  a Japanese official on "the two countries" → both: CHN, USA
//! ```
//!
//! The pair is a configured visit whose windows hold the article's date and whose host and
//! visitor the article both names; else the two countries the article names most often as
//! actors, when each is named at least twice.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use crate::config::{AggregateConfig, Visit};
#[cfg(test)]
use crate::types::Span;

use super::mentions::Mention;
use super::TargetLexicon;

/// How often a country must be named as an actor to be half of an article's pair when no
/// configured visit gives it: once may be an aside ("as in Japan"), twice is a subject.
const MIN_PAIR_MENTIONS: usize = 2;

/// Whether folded `words` contain a pair phrase ("the two sides", "bilateral").
pub fn names_pair(lex: &TargetLexicon, words: &[&str]) -> bool {
    (0..words.len()).any(|i| {
        lex.pair_phrases
            .iter()
            .any(|p| words.len() - i >= p.len() && words[i..i + p.len()] == p[..])
    })
}

/// The two countries an article is about, most named first.
pub fn article_pair(
    mentions: &[Mention],
    visits: &[Visit],
    cfg: &AggregateConfig,
    date: Option<NaiveDate>,
) -> Option<(String, String)> {
    // Country → (actor mentions, first position).
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for m in mentions.iter().filter(|m| m.is_actor()) {
        let e = counts
            .entry(m.country.as_str())
            .or_insert((0, m.span.start));
        e.0 += 1;
    }
    let named = |c: &str| counts.get(c).map_or(0, |e| e.0);
    if let Some(date) = date {
        let visit = visits
            .iter()
            .filter(|v| {
                let from = v.start - Duration::days(v.before_days(cfg) as i64);
                let to = v.end + Duration::days(v.after_days(cfg) as i64);
                from <= date && date <= to && named(&v.host) > 0 && named(&v.visitor) > 0
            })
            .max_by_key(|v| named(&v.host) + named(&v.visitor));
        if let Some(v) = visit {
            return Some(ordered(&counts, &v.host, &v.visitor));
        }
    }
    let mut ranked: Vec<(&str, (usize, usize))> = counts.iter().map(|(c, e)| (*c, *e)).collect();
    ranked.sort_by_key(|(_, (n, first))| (std::cmp::Reverse(*n), *first));
    match ranked[..] {
        [(a, _), (b, (nb, _)), ..] if nb >= MIN_PAIR_MENTIONS => Some((a.into(), b.into())),
        _ => None,
    }
}

fn ordered(counts: &BTreeMap<&str, (usize, usize)>, a: &str, b: &str) -> (String, String) {
    let key = |c: &str| {
        let (n, first) = counts.get(c).copied().unwrap_or((0, usize::MAX));
        (std::cmp::Reverse(n), first)
    };
    if key(b) < key(a) {
        (b.to_string(), a.to_string())
    } else {
        (a.to_string(), b.to_string())
    }
}

/// The side of `pair` a speaker of `speaker` addresses: the other one when the speaker is one
/// side, both (most named first) when a third party or unknown speaks.
pub fn other_side(pair: &(String, String), speaker: Option<&str>) -> Vec<String> {
    match speaker {
        Some(s) if s == pair.0 => vec![pair.1.clone()],
        Some(s) if s == pair.1 => vec![pair.0.clone()],
        _ => vec![pair.0.clone(), pair.1.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::PlaceKind;
    use crate::target::mentions::MentionKind;

    fn m(country: &str, at: usize) -> Mention {
        Mention {
            country: country.into(),
            span: Span::new(at, at + 1),
            kind: MentionKind::Place(PlaceKind::Name),
            located: false,
        }
    }

    fn lexicon() -> TargetLexicon {
        crate::target::builtin_lexicon()
    }

    #[test]
    fn both_sides_and_bilateral_are_pair_phrases_but_one_side_is_not() {
        let lex = lexicon();
        for (text, want) in [
            ("Both sides agreed to talk.", true),
            ("a bilateral meeting", true),
            ("the two countries can overcome difficulties", true),
            ("one side refused", false),
        ] {
            let words: Vec<String> = text
                .split_whitespace()
                .map(|w| crate::segment::fold(w.trim_matches('.')))
                .collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            assert_eq!(names_pair(&lex, &words), want, "{text}");
        }
    }

    #[test]
    fn the_two_most_named_countries_are_the_pair_when_each_is_named_twice() {
        let ms = [
            m("XVA", 0),
            m("XOS", 5),
            m("XVA", 9),
            m("XOS", 12),
            m("XZZ", 20),
        ];
        let pair = article_pair(&ms, &[], &AggregateConfig::default(), None);
        assert_eq!(pair, Some(("XVA".into(), "XOS".into())));
        let once = [m("XVA", 0), m("XVA", 3), m("XOS", 5)];
        assert_eq!(
            article_pair(&once, &[], &AggregateConfig::default(), None),
            None
        );
    }

    #[test]
    fn a_configured_visit_around_the_date_gives_the_pair() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let visit = Visit {
            name: "v".into(),
            start: d("2023-06-18"),
            end: d("2023-06-19"),
            host: "XVA".into(),
            visitor: "XOS".into(),
            participants: vec![],
            before_days: None,
            after_days: None,
        };
        // Named once each, with a third country named more: the visit decides.
        let ms = [
            m("XZZ", 0),
            m("XZZ", 1),
            m("XZZ", 2),
            m("XVA", 3),
            m("XOS", 4),
        ];
        let cfg = AggregateConfig::default();
        let pair = article_pair(
            &ms,
            std::slice::from_ref(&visit),
            &cfg,
            Some(d("2023-06-19")),
        );
        assert_eq!(pair, Some(("XVA".into(), "XOS".into())));
        let far = article_pair(&ms, &[visit], &cfg, Some(d("2024-01-01")));
        assert_eq!(far, None);
    }

    #[test]
    fn the_other_side_is_the_pair_minus_the_speaker() {
        let pair = ("CHN".to_string(), "USA".to_string());
        assert_eq!(other_side(&pair, Some("CHN")), vec!["USA"]);
        assert_eq!(other_side(&pair, Some("USA")), vec!["CHN"]);
        assert_eq!(other_side(&pair, Some("JPN")), vec!["CHN", "USA"]);
    }
}
