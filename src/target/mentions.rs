//! Country mentions in text: the words that make a statement about a country. A mention is a
//! place word of `models/places.toml` (names, demonyms, capitals and seats of power used as
//! metonyms, cities, institutions), an actor of the registry, a bare surname of a registry
//! person, or a person the article ties to a country (a speaker resolved earlier).
//!
//! ```text
//!  "urged Washington and the Kremlin to talk"  → USA (capital), RUS (capital)
//!  "talks in Beijing with Blinken"             → CHN (capital, located: "in"), USA (actor)
//!  "reverse the spiral of US-China relations"  → USA (name), CHN (name): hyphens split
//!  "Wu said" after "Wu Xinbo, professor at Fudan University …" resolved to CHN → CHN (person)
//! ```
//!
//! A place after a locative preposition ("in Beijing") or a city is a weak mention: where
//! something happened, not whom it is about. Words must be capitalised (so "us" is not the
//! United States), and a short one all capitals ("US", "UK", "EU").

use chrono::NaiveDate;
use rustc_hash::FxHashMap as HashMap;

use crate::actors::{ActorKind, PlaceKind, Registry};
use crate::segment::{fold, is_capitalized, tokenize};
use crate::types::Span;

use super::TargetLexicon;

/// What kind of word named the country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    Place(PlaceKind),
    /// A registry actor by name or alias ("Antony Blinken", "Xinhua").
    Actor(ActorKind),
    /// A bare surname of a registry person or of someone the article tied to a country.
    Person,
}

impl MentionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            MentionKind::Place(p) => p.as_str(),
            MentionKind::Actor(ActorKind::Person) => "actor:person",
            MentionKind::Actor(ActorKind::Organisation) => "actor:organisation",
            MentionKind::Actor(ActorKind::Media) => "actor:media",
            MentionKind::Person => "person",
        }
    }
}

/// One country mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub country: String,
    pub span: Span,
    pub kind: MentionKind,
    /// After a locative preposition: "in Beijing".
    pub located: bool,
}

impl Mention {
    /// Whether the mention can name whom the words are about: not a location (a city, or a
    /// place after "in") and not a news outlet (a source, rarely a target).
    pub fn is_actor(&self) -> bool {
        !self.located
            && !matches!(
                self.kind,
                MentionKind::Place(PlaceKind::City) | MentionKind::Actor(ActorKind::Media)
            )
    }
}

/// Folded surname → country of the people an article ties to a country (None when two people
/// of different countries share it).
#[derive(Debug, Clone, Default)]
pub struct People {
    by_surname: HashMap<String, Option<String>>,
}

impl People {
    /// Adds a person by name: their registry surname when the registry knows them, else the
    /// last word of a name of two or more words (a one-word name is not a surname to trust).
    pub fn add(&mut self, reg: &Registry, name: &str, country: &str) {
        let folded = crate::actors::registry::fold_surface(name);
        let surname = match reg.lookup(&folded) {
            Some(i) => fold(reg.actors[i].surname()),
            None => match folded.rsplit_once(' ') {
                Some((_, last)) => last.to_string(),
                None => return,
            },
        };
        match self.by_surname.get_mut(&surname) {
            Some(existing) if existing.as_deref() != Some(country) => *existing = None,
            Some(_) => {}
            None => {
                self.by_surname.insert(surname, Some(country.to_string()));
            }
        }
    }

    fn country_of(&self, surname: &str) -> Option<&str> {
        self.by_surname.get(surname)?.as_deref()
    }
}

/// Every word sequence that begins a place word or an actor's name ("united", "united states",
/// "united states of"): matching extends a candidate only while it is one, so most capitalised
/// words cost one lookup instead of one per possible length. (Trying every length up to the
/// longest name halved the pipeline's speed on PolNeAR train: 875 → 416 articles/s.)
#[derive(Debug, Clone, Default)]
pub struct Prefixes(rustc_hash::FxHashSet<String>);

impl Prefixes {
    pub fn of(reg: &Registry) -> Prefixes {
        let mut set = rustc_hash::FxHashSet::default();
        for key in reg.surfaces() {
            let mut end = 0;
            for w in key.split(' ') {
                end += w.len();
                set.insert(key[..end].to_string());
                end += 1;
            }
        }
        Prefixes(set)
    }
}

/// A word of the text as mentions are matched: its span, folded form, and the folded form
/// without a possessive ("China’s" → "china").
struct Unit {
    span: Span,
    folded: String,
    bare: Option<String>,
}

fn units(reg: &Registry, text: &str, spans: &[Span]) -> Vec<Unit> {
    let mut out = Vec::new();
    for &span in spans {
        for t in tokenize(text, span).into_iter().filter(|t| t.is_word()) {
            let written = t.text(text);
            let whole = unit(t.span, written);
            let split = whole.folded.contains('-')
                && reg.place(&whole.folded).is_none()
                && reg.lookup(&whole.folded).is_none()
                && !reg.starts_a_name(&whole.folded);
            if split {
                // "US-China", "Sino-US", "China-Japan-South Korea": each part on its own.
                let mut start = 0;
                let hyphens = written
                    .char_indices()
                    .filter(|(_, c)| matches!(c, '-' | '‑'))
                    .chain(std::iter::once((written.len(), ' ')));
                for (at, c) in hyphens {
                    if at > start {
                        let span = Span::new(t.span.start + start, t.span.start + at);
                        out.push(unit(span, &written[start..at]));
                    }
                    start = at + c.len_utf8();
                }
            } else {
                out.push(whole);
            }
        }
    }
    out
}

fn unit(span: Span, written: &str) -> Unit {
    let folded = fold(written);
    let bare = folded
        .strip_suffix("'s")
        .or_else(|| folded.strip_suffix('\''))
        .filter(|b| !b.is_empty())
        .map(str::to_string);
    Unit { span, folded, bare }
}

/// Whether a written place word or name can be a proper noun here: capitalised, and a short
/// one ("US", "UK", "EU") written in capitals (so "us" and "Us" are not the United States).
fn proper(written: &str) -> bool {
    if !is_capitalized(written) {
        return false;
    }
    let letters = written.chars().filter(|c| c.is_alphabetic()).count();
    letters > 3
        || !written.chars().any(char::is_lowercase)
        || written.contains('\'')
        || written.contains('’')
}

/// Where a news dateline opening the text ends ("MOSCOW --", "THE HAGUE, Netherlands --",
/// "ADDIS ABABA, May 15 (Xinhua) --", "UNITED NATIONS:"), 0 when there is none: its places
/// say where the story was filed, not whom it is about. A dateline's first words are in
/// capitals and a dash or colon ends it within its first 100 bytes.
fn dateline_end(text: &str) -> usize {
    let cut = (0..=text.len().min(100))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let head = &text[..cut];
    let Some((pos, sep)) = [" -- ", " — ", " – ", " - ", ": "]
        .iter()
        .filter_map(|sep| head.find(sep).map(|p| (p, sep.len())))
        .min()
    else {
        return 0;
    };
    let place = head[..pos].split([',', '(']).next().unwrap_or("");
    let letters = place.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 2 && !place.chars().any(char::is_lowercase) {
        pos + sep
    } else {
        0
    }
}

/// A text's words and country mentions, in reading order.
pub struct Scanned {
    units: Vec<Unit>,
    pub mentions: Vec<Mention>,
}

fn inside(spans: &[Span], s: Span) -> bool {
    spans.iter().any(|w| w.contains(s))
}

impl Scanned {
    /// The mentions that lie inside `spans`.
    pub fn mentions_in(&self, spans: &[Span]) -> Vec<Mention> {
        self.mentions
            .iter()
            .filter(|m| inside(spans, m.span))
            .cloned()
            .collect()
    }

    /// The folded words inside `spans`.
    pub fn words_in(&self, spans: &[Span]) -> Vec<&str> {
        self.units
            .iter()
            .filter(|u| inside(spans, u.span))
            .map(|u| u.folded.as_str())
            .collect()
    }
}

/// Finds country mentions with the registry, the article's people and the target words.
pub struct Finder<'a> {
    pub reg: &'a Registry,
    pub lex: &'a TargetLexicon,
    pub people: &'a People,
    pub prefixes: &'a Prefixes,
    /// The article's date: a bare registry surname counts only for people in office on it
    /// (any time when None, e.g. for a sentence without a date).
    pub date: Option<NaiveDate>,
}

impl Finder<'_> {
    /// Every country mention in `spans` of `text`, in reading order.
    pub fn find(&self, text: &str, spans: &[Span]) -> Vec<Mention> {
        self.mentions_of(text, &units(self.reg, text, spans))
    }

    /// The words and mentions of a whole text, to read statements' spans from without
    /// tokenizing them again.
    pub fn scan(&self, text: &str) -> Scanned {
        let units = units(self.reg, text, &[Span::new(0, text.len())]);
        Scanned {
            mentions: self.mentions_of(text, &units),
            units,
        }
    }

    fn mentions_of(&self, text: &str, units: &[Unit]) -> Vec<Mention> {
        let dateline = dateline_end(text);
        let mut out = Vec::new();
        let mut i = 0;
        let mut key = String::new();
        let mut bare_key = String::new();
        while i < units.len() {
            let first = units[i].span.slice(text);
            let located = i > 0 && self.lex.locatives.contains(&units[i - 1].folded)
                || i > 1
                    && units[i - 1].folded == "the"
                    && self.lex.locatives.contains(&units[i - 2].folded);
            let mut matched = 0;
            if proper(first) {
                // The longest name starting here, extended word by word while it is a prefix;
                // the last word may drop a possessive ("China’s").
                let mut best = None;
                key.clear();
                for (n, u) in units[i..].iter().enumerate() {
                    if n > 0 {
                        key.push(' ');
                    }
                    bare_key.clear();
                    bare_key.push_str(&key);
                    bare_key.push_str(u.bare.as_deref().unwrap_or(""));
                    key.push_str(&u.folded);
                    let bare = u.bare.as_ref().map(|_| bare_key.as_str());
                    if let Some(found) = [Some(key.as_str()), bare]
                        .into_iter()
                        .flatten()
                        .find_map(|k| self.named(k))
                    {
                        best = Some((n + 1, found));
                    }
                    if !self.prefixes.0.contains(key.as_str()) {
                        break;
                    }
                }
                if let Some((n, (country, kind))) = best {
                    out.push(Mention {
                        country,
                        span: Span::new(units[i].span.start, units[i + n - 1].span.end),
                        kind,
                        located: located || units[i].span.start < dateline,
                    });
                    matched = n;
                }
                if matched == 0 {
                    let u = &units[i];
                    let surname = u.bare.as_deref().unwrap_or(&u.folded);
                    if let Some(country) = self.person(surname) {
                        out.push(Mention {
                            country,
                            span: u.span,
                            kind: MentionKind::Person,
                            located: false,
                        });
                    }
                }
            }
            i += matched.max(1);
        }
        out
    }

    /// The country and kind of a folded place word or actor name.
    fn named(&self, key: &str) -> Option<(String, MentionKind)> {
        if let Some((country, kind)) = self.reg.place(key) {
            return Some((country.clone(), MentionKind::Place(*kind)));
        }
        let a = &self.reg.actors[self.reg.lookup(key)?];
        Some((a.country.clone(), MentionKind::Actor(a.kind)))
    }

    /// The country of a bare surname: a person the article tied to a country, else registry
    /// people with that surname, if they are all of one country.
    fn person(&self, surname: &str) -> Option<String> {
        if self.lex.not_surnames.contains(surname) {
            return None;
        }
        if let Some(c) = self.people.country_of(surname) {
            return Some(c.to_string());
        }
        let mut countries = self
            .reg
            .persons_with_surname(surname)
            .iter()
            .map(|&i| &self.reg.actors[i])
            .filter(|a| self.date.is_none_or(|d| a.role_on(d).is_some()))
            .map(|a| a.country.as_str());
        let first = countries.next()?;
        countries.all(|c| c == first).then(|| first.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelFile;

    const PLACES: &str = r#"schema_version = 1
[[country]]
code = "XVA"
name = "Valdoria"
names = ["VA"]
demonyms = ["Valdorian"]
capitals = ["Valdo City", "Citadel"]
cities = ["Portmoor"]
[[country]]
code = "XOS"
name = "Ostria"
demonyms = ["Ostrian"]
capitals = ["Ostburg"]
"#;
    const ACTORS: &str = r#"schema_version = 1
[[actor]]
id = "pavel-drin"
name = "Pavel Drin"
kind = "person"
country = "XOS"
roles = [{ title = "Foreign Minister", from = 2020-01-01 }]
"#;

    fn registry() -> Registry {
        Registry::load(
            &[ModelFile::from_text("p.toml", PLACES)],
            &[ModelFile::from_text("a.toml", ACTORS)],
        )
        .unwrap()
    }

    fn lexicon() -> TargetLexicon {
        crate::target::builtin_lexicon()
    }

    fn countries(text: &str, people: &People) -> Vec<(String, bool)> {
        let reg = registry();
        let lex = lexicon();
        let prefixes = Prefixes::of(&reg);
        let f = Finder {
            reg: &reg,
            lex: &lex,
            people,
            prefixes: &prefixes,
            date: None,
        };
        f.find(text, &[Span::new(0, text.len())])
            .into_iter()
            .map(|m| (m.country.clone(), m.is_actor()))
            .collect()
    }

    #[test]
    fn names_demonyms_and_metonyms_are_mentions_in_reading_order() {
        let got = countries(
            "Ostburg warned the Valdorian side and the Citadel.",
            &People::default(),
        );
        assert_eq!(
            got,
            vec![
                ("XOS".into(), true),
                ("XVA".into(), true),
                ("XVA".into(), true)
            ]
        );
    }

    #[test]
    fn a_capital_after_in_is_a_location_not_an_actor() {
        let got = countries("Talks in Valdo City went well.", &People::default());
        assert_eq!(got, vec![("XVA".into(), false)]);
    }

    #[test]
    fn hyphenated_pairs_and_possessives_are_split() {
        let got = countries(
            "Valdoria-Ostria ties and Ostria’s stance",
            &People::default(),
        );
        let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, vec!["XVA", "XOS", "XOS"]);
    }

    #[test]
    fn places_in_a_dateline_are_where_the_story_was_filed() {
        let got = countries(
            "OSTBURG, May 5 (Wire) -- Valdoria protested.",
            &People::default(),
        );
        assert_eq!(got, vec![("XOS".into(), false), ("XVA".into(), true)]);
        assert_eq!(dateline_end("VA officials: we agree"), 0);
        assert_eq!(dateline_end("US officials said"), 0);
    }

    #[test]
    fn a_scanned_text_gives_the_mentions_and_words_of_a_span() {
        let reg = registry();
        let lex = lexicon();
        let prefixes = Prefixes::of(&reg);
        let people = People::default();
        let f = Finder {
            reg: &reg,
            lex: &lex,
            people: &people,
            prefixes: &prefixes,
            date: None,
        };
        let text = "Ostria spoke. Valdoria‑Ostria talks in Portmoor went well.";
        let scanned = f.scan(text);
        let at = text.find("Valdoria").unwrap();
        let second = [Span::new(at, text.len())];
        let got: Vec<&str> = scanned
            .mentions_in(&second)
            .iter()
            .map(|m| m.span.slice(text))
            .collect();
        assert_eq!(got, vec!["Valdoria", "Ostria", "Portmoor"]);
        assert_eq!(
            scanned.words_in(&second)[..3],
            ["valdoria", "ostria", "talks"]
        );
    }

    #[test]
    fn a_lowercase_or_mixed_case_short_word_is_not_a_country() {
        assert!(countries("give us time", &People::default()).is_empty());
        assert!(countries("Va bene", &People::default()).is_empty());
        assert_eq!(countries("VA officials", &People::default()).len(), 1);
    }

    #[test]
    fn registry_names_and_bare_surnames_name_their_country() {
        let got = countries("Pavel Drin met the press; Drin left.", &People::default());
        assert_eq!(got, vec![("XOS".into(), true), ("XOS".into(), true)]);
    }

    #[test]
    fn people_the_article_tied_to_a_country_are_mentions() {
        let reg = registry();
        let mut people = People::default();
        people.add(&reg, "Ana Ruiz", "XVA");
        assert_eq!(
            countries("Ruiz disagreed.", &people),
            vec![("XVA".into(), true)]
        );
        people.add(&reg, "Tomas Ruiz", "XOS");
        assert!(countries("Ruiz disagreed.", &people).is_empty());
    }
}
