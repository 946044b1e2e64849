//! The lexicon scorer: weighted cue phrases of conciliatory and firm diplomatic language from
//! `models/tone-lexicon.toml`, with negation ("no room for …", "has not lost hope"), hedges
//! and intensifiers. Transparent by design: every score lists the phrases that produced it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::{ToneInput, ToneScorer};
use crate::error::Result;
use crate::models::ModelFile;
use crate::segment::{fold, fold_into, tokenize};
use crate::types::{Span, ToneLabel, ToneScore};

/// How much the reporting verb counts next to the words of the statement.
const CUE_VERB_WEIGHT: f64 = 0.5;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    schema_version: Spanned<u32>,
    version: String,
    scoring: Scoring,
    #[serde(default)]
    intensifiers: HashMap<String, f64>,
    #[serde(rename = "cue", default)]
    cues: Vec<Spanned<CueEntry>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scoring {
    negation_window: usize,
    negated_factor: f64,
    hedge_factor: f64,
    neutral_band: f64,
    saturation: f64,
    #[serde(default)]
    negators: Vec<String>,
    #[serde(default)]
    hedges: Vec<String>,
    /// Words the negation window does not count ("not interested in a confrontation": the
    /// article does not push "not" out of reach).
    #[serde(default)]
    window_skips: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CueEntry {
    phrase: String,
    #[serde(default)]
    tone: Option<f64>,
    #[serde(default)]
    sentiment: Option<f64>,
}

#[derive(Debug, Clone)]
enum Pattern {
    Exact(String),
    Prefix(String),
}

impl Pattern {
    fn matches(&self, word: &str) -> bool {
        match self {
            Pattern::Exact(w) => w == word,
            Pattern::Prefix(p) => word.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
struct Cue {
    words: Vec<Pattern>,
    tone: f64,
    sentiment: f64,
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct LexiconScorer {
    version: String,
    scoring: Scoring,
    negators: HashSet<String>,
    hedges: HashSet<String>,
    window_skips: HashSet<String>,
    intensifiers: HashMap<String, f64>,
    /// Cues whose first word is exact, by that word; and cues whose first word is a prefix.
    by_first: HashMap<String, Vec<usize>>,
    /// Cues whose first word is a prefix, by the prefix's first two characters (a prefix of
    /// one character is under its single character).
    prefixed: HashMap<String, Vec<usize>>,
    cues: Vec<Cue>,
}

impl LexiconScorer {
    pub fn load(file: &ModelFile) -> Result<Self> {
        let parsed: LexiconFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        let s = &parsed.scoring;
        if !(0.0..=1.0).contains(&s.hedge_factor)
            || s.saturation <= 0.0
            || !(0.0..1.0).contains(&s.neutral_band)
        {
            return Err(file.error_at(
                0,
                "[scoring]: hedge_factor must be in [0, 1], saturation > 0, neutral_band in [0, 1)",
            ));
        }
        let mut cues = Vec::new();
        let mut seen = HashSet::default();
        for entry in parsed.cues {
            let at = entry.span().start;
            let c = entry.into_inner();
            let words: Vec<Pattern> = c
                .phrase
                .split_whitespace()
                .map(|w| match w.strip_suffix('*') {
                    Some(p) => Pattern::Prefix(fold(p)),
                    None => Pattern::Exact(fold(w)),
                })
                .collect();
            if words.is_empty() {
                return Err(file.error_at(at, "cue phrase is empty"));
            }
            if c.tone.is_none() && c.sentiment.is_none() {
                return Err(
                    file.error_at(at, format!("cue {:?} needs tone or sentiment", c.phrase))
                );
            }
            for v in [c.tone, c.sentiment].into_iter().flatten() {
                if !(-1.0..=1.0).contains(&v) {
                    return Err(file.error_at(
                        at,
                        format!("cue {:?}: weight {v} is outside [-1, 1]", c.phrase),
                    ));
                }
            }
            if !seen.insert(fold(&c.phrase)) {
                return Err(file.error_at(at, format!("cue {:?} is listed twice", c.phrase)));
            }
            cues.push(Cue {
                words,
                tone: c.tone.unwrap_or(0.0),
                sentiment: c.sentiment.unwrap_or(0.0),
            });
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::default();
        let mut prefixed: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, c) in cues.iter().enumerate() {
            match &c.words[0] {
                Pattern::Exact(w) => by_first.entry(w.clone()).or_default().push(i),
                Pattern::Prefix(p) => prefixed
                    .entry(p.chars().take(2).collect())
                    .or_default()
                    .push(i),
            }
        }
        let fold_set = |v: &[String]| v.iter().map(|w| fold(w)).collect::<HashSet<_>>();
        Ok(LexiconScorer {
            version: parsed.version,
            negators: fold_set(&s.negators),
            hedges: fold_set(&s.hedges),
            window_skips: fold_set(&s.window_skips),
            scoring: parsed.scoring.clone(),
            intensifiers: parsed
                .intensifiers
                .into_iter()
                .map(|(k, v)| (fold(&k), v))
                .collect(),
            by_first,
            prefixed,
            cues,
        })
    }

    pub fn cue_count(&self) -> usize {
        self.cues.len()
    }

    /// The longest cue matching at word `i`.
    fn match_at(&self, words: &[&str], i: usize) -> Option<(usize, usize)> {
        let w = words[i];
        let prefix = |n: usize| w.char_indices().nth(n).map_or(w, |(at, _)| &w[..at]);
        let (two, one) = (prefix(2), prefix(1));
        let candidates = self
            .by_first
            .get(w)
            .into_iter()
            .flatten()
            .chain(self.prefixed.get(two).into_iter().flatten())
            .chain(
                self.prefixed
                    .get(one)
                    .filter(|_| one != two)
                    .into_iter()
                    .flatten(),
            );
        let mut best: Option<(usize, usize)> = None;
        for &ci in candidates {
            let cue = &self.cues[ci];
            let n = cue.words.len();
            if i + n <= words.len()
                && cue
                    .words
                    .iter()
                    .zip(&words[i..i + n])
                    .all(|(p, w)| p.matches(w))
                && best.is_none_or(|(_, len)| n > len)
            {
                best = Some((ci, n));
            }
        }
        best
    }

    /// The `negation_window` words before position `i`, not counting skipped words (articles).
    fn window_before(&self, words: &[&str], i: usize) -> std::ops::Range<usize> {
        let mut start = i;
        let mut counted = 0;
        while start > 0 && counted < self.scoring.negation_window {
            start -= 1;
            if !self.window_skips.contains(words[start]) {
                counted += 1;
            }
        }
        start..i
    }

    /// Sums the cues of one text; returns (tone sum, sentiment sum, |weights| sum, cue texts).
    fn accumulate(&self, text: &str, scale: f64, acc: &mut Accumulator) {
        let toks: Vec<Span> = tokenize(text, Span::new(0, text.len()))
            .into_iter()
            .filter(|t| t.is_word())
            .map(|t| t.span)
            .collect();
        // All folded words in one buffer: one allocation per statement, not one per word.
        let mut folded = String::with_capacity(text.len());
        let mut bounds = Vec::with_capacity(toks.len());
        for t in &toks {
            let start = folded.len();
            fold_into(t.slice(text), &mut folded);
            bounds.push(start..folded.len());
        }
        let words: Vec<&str> = bounds.into_iter().map(|r| &folded[r]).collect();
        let mut i = 0;
        while i < words.len() {
            let Some((ci, n)) = self.match_at(&words, i) else {
                i += 1;
                continue;
            };
            let cue = &self.cues[ci];
            let window = self.window_before(&words, i);
            let negations = words[window.clone()]
                .iter()
                .filter(|w| self.negators.contains(**w))
                .count();
            let mut factor = scale;
            if negations % 2 == 1 {
                factor *= self.scoring.negated_factor;
            }
            if words[window.clone()]
                .iter()
                .any(|w| self.hedges.contains(*w))
            {
                factor *= self.scoring.hedge_factor;
            }
            if let Some(f) = window
                .clone()
                .rev()
                .find_map(|j| self.intensifiers.get(words[j]))
            {
                factor *= f;
            }
            let tone = cue.tone * factor;
            let sentiment = cue.sentiment * factor;
            acc.tone += tone;
            acc.sentiment += sentiment;
            acc.magnitude += tone.abs();
            if cue.tone == 0.0 && cue.sentiment == 0.0 {
                // A blocker entry: it only stops its words from matching shorter cues.
                i += n;
                continue;
            }
            let surface = Span::new(toks[i].start, toks[i + n - 1].end).slice(text);
            acc.cues.push(if negations % 2 == 1 {
                format!("not {surface}")
            } else {
                surface.to_string()
            });
            i += n;
        }
    }
}

#[derive(Default)]
struct Accumulator {
    tone: f64,
    sentiment: f64,
    magnitude: f64,
    cues: Vec<String>,
}

impl ToneScorer for LexiconScorer {
    fn name(&self) -> &str {
        "lexicon"
    }

    fn version(&self) -> &str {
        &self.version
    }

    fn score(&self, input: &ToneInput) -> ToneScore {
        let mut acc = Accumulator::default();
        self.accumulate(input.text, 1.0, &mut acc);
        if let Some(cue) = input.cue {
            self.accumulate(cue, CUE_VERB_WEIGHT, &mut acc);
        }
        let sat = self.scoring.saturation;
        let tone = acc.tone / (acc.tone.abs() + sat);
        let sentiment = acc.sentiment / (acc.sentiment.abs() + sat);
        let band = self.scoring.neutral_band;
        let label = if tone > band {
            ToneLabel::Conciliatory
        } else if tone < -band {
            ToneLabel::Firm
        } else {
            ToneLabel::Neutral
        };
        // Agreement of the cues times how much evidence there is; a text with no cues is
        // neutral with middling confidence, since silence is weak evidence of neutrality.
        let confidence = if acc.magnitude == 0.0 {
            0.5
        } else {
            let agreement = acc.tone.abs() / acc.magnitude;
            let evidence = 1.0 - (-acc.magnitude).exp();
            match label {
                ToneLabel::Neutral => 0.5 * (1.0 - agreement) + 0.25,
                _ => (agreement * evidence).clamp(0.0, 1.0),
            }
        };
        ToneScore {
            tone,
            label,
            confidence,
            cues: acc.cues,
            sentiment,
            lexicon_tone: tone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEXICON: &str = r#"
schema_version = 1
version = "test"
[scoring]
negation_window = 3
negated_factor = -0.7
hedge_factor = 0.6
neutral_band = 0.1
saturation = 1.0
negators = ["not", "no", "never"]
hedges = ["may"]
[intensifiers]
very = 1.5
[[cue]]
phrase = "compromis*"
tone = 0.5
[[cue]]
phrase = "no room for compromis*"
tone = -0.9
[[cue]]
phrase = "lost hope"
tone = -0.5
sentiment = -0.6
[[cue]]
phrase = "positive"
tone = 0.4
sentiment = 0.6
"#;

    fn scorer() -> LexiconScorer {
        LexiconScorer::load(&ModelFile::from_text("t.toml", LEXICON)).unwrap()
    }

    fn score(text: &str) -> ToneScore {
        scorer().score(&ToneInput { text, cue: None })
    }

    #[test]
    fn multiword_firm_cue_beats_its_conciliatory_part() {
        let s = score("China has no room for compromises or concessions");
        assert_eq!(s.label, ToneLabel::Firm);
        assert_eq!(s.cues, ["no room for compromises"]);
    }

    #[test]
    fn articles_do_not_push_a_negator_out_of_the_window() {
        let file = crate::models::ModelSource::default()
            .load("tone-lexicon.toml")
            .unwrap();
        let s = LexiconScorer::load(&file).unwrap();
        let t = s.score(&ToneInput {
            text: "We are not interested in a confrontation.",
            cue: None,
        });
        assert!(t.tone >= 0.0, "{t:?}");
        assert!(
            t.cues.iter().any(|c| c == "not confrontation"),
            "{:?}",
            t.cues
        );
        // Four counted words away is still out of reach.
        let far = s.score(&ToneInput {
            text: "He did not say that they wanted confrontation.",
            cue: None,
        });
        assert!(far.tone < 0.0, "{far:?}");
    }

    #[test]
    fn negation_flips_a_cue() {
        let s = score("it has not lost hope either");
        assert!(s.tone > 0.0, "{s:?}");
        assert_eq!(s.cues, ["not lost hope"]);
    }

    #[test]
    fn intensifier_strengthens_and_tone_stays_in_range() {
        let plain = score("positive");
        let strong = score("very positive");
        assert!(strong.tone > plain.tone);
        let many = score(&"very positive ".repeat(200));
        assert!(many.tone <= 1.0 && many.tone > 0.99);
        assert!(many.sentiment <= 1.0);
    }

    #[test]
    fn text_without_cues_is_neutral() {
        let s = score("The delegation arrived on Tuesday");
        assert_eq!(
            (s.label, s.tone, s.cues.len()),
            (ToneLabel::Neutral, 0.0, 0)
        );
    }

    #[test]
    fn weight_outside_range_is_rejected_with_line() {
        let bad = LEXICON.replace("tone = 0.4", "tone = 4.0");
        let err = LexiconScorer::load(&ModelFile::from_text("t.toml", &bad))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.toml:") && err.contains("outside"),
            "{err}"
        );
    }
}
