//! Labels to people: "MS. JEAN-PIERRE", "PRIME MINISTER KISHIDA", "THE PRESIDENT" → canonical
//! person, country and role on the document's date. A transcript names its speakers in full in
//! its title ("Remarks by President Biden and Prime Minister Kishida Fumio of Japan") or its
//! opening lines ("This is Adrienne Watson with the NSC"); the label only repeats the surname.
//! So the label's name words are looked for there first, then in the registry, and the
//! publisher (the White House, the Department of State) gives the country of its own officials.
//!
//! ```
//! use tonetrack::transcript::resolve::{Document, LabelResolver};
//! use tonetrack::transcript::Vocabulary;
//! use tonetrack::actors::Registry;
//! use tonetrack::models::ModelSource;
//! let src = ModelSource::default();
//! let reg = Registry::load(&[src.load("places.toml").unwrap()], &[src.load("actors.toml").unwrap()]).unwrap();
//! let vocab = Vocabulary::builtin().unwrap();
//! let doc = Document {
//!     text: "",
//!     title: Some("Remarks by President Biden and Prime Minister Kishida Fumio of Japan"),
//!     source: Some("The White House"),
//!     date: chrono::NaiveDate::from_ymd_opt(2023, 1, 13).unwrap(),
//! };
//! let mut r = LabelResolver::new(&reg, &vocab, &doc);
//! let s = r.resolve("PRIME MINISTER KISHIDA", 0);
//! assert_eq!(s.name.as_deref(), Some("Fumio Kishida"));
//! assert_eq!(s.country.as_deref(), Some("JPN"));
//! assert_eq!(s.resolution, "transcript:title");
//! ```

use chrono::NaiveDate;
use rustc_hash::FxHashMap as HashMap;

use crate::actors::registry::fold_surface;
use crate::actors::{office_title, ActorKind, PlaceKind, Registry};
use crate::segment::{fold, is_capitalized, tokenize};
use crate::types::{Span, Speaker};

use super::label::{label_words, Label, LabelKind};
use super::Vocabulary;

/// How a turn's speaker was found (the `speaker_resolution` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerResolution {
    /// The label's name is in the document's title ("… Prime Minister Kishida Fumio of Japan").
    Title,
    /// … in the lines before the label's first turn ("This is Adrienne Watson with the NSC").
    Opening,
    /// Only the registry knows the surname (one person of that surname in office that day).
    Registry,
    /// An office without a name ("THE PRESIDENT"): its one holder in the publisher's country.
    Office,
    /// Nothing but the label: its name words as written.
    Label,
    /// A role that names nobody ("MODERATOR").
    Unnamed,
    /// A reporter's question.
    Question,
}

impl SpeakerResolution {
    pub fn as_str(&self) -> &'static str {
        match self {
            SpeakerResolution::Title => "transcript:title",
            SpeakerResolution::Opening => "transcript:opening",
            SpeakerResolution::Registry => "transcript:registry",
            SpeakerResolution::Office => "transcript:office",
            SpeakerResolution::Label => "transcript:label",
            SpeakerResolution::Unnamed => "transcript:unnamed",
            SpeakerResolution::Question => "transcript:question",
        }
    }
}

/// How a turn speaker's country was found (the `country_resolution` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryResolution {
    Registry,
    /// The registry's person, with the country of the office they held that day.
    RegistryRole,
    /// "of Japan" after the name, or a demonym before it ("Ukrainian Foreign Minister …").
    Title,
    /// The publisher's country (the White House → USA), for its own officials.
    Source,
    Unknown,
}

impl CountryResolution {
    pub fn as_str(&self) -> &'static str {
        match self {
            CountryResolution::Registry => "registry",
            CountryResolution::RegistryRole => "registry:role",
            CountryResolution::Title => "transcript:title",
            CountryResolution::Source => "transcript:source",
            CountryResolution::Unknown => "unknown",
        }
    }
}

/// What a transcript says about itself.
pub struct Document<'a> {
    pub text: &'a str,
    pub title: Option<&'a str>,
    pub source: Option<&'a str>,
    pub date: NaiveDate,
}

/// A run of capitalised words ("Press Secretary Karine Jean-Pierre"), and the country named
/// right after it ("… of Japan"), if any.
#[derive(Debug, Clone)]
struct Run {
    /// (folded, as written)
    words: Vec<(String, String)>,
    country_after: Option<String>,
}

/// Resolves the labels of one transcript; a label is resolved once and remembered.
pub struct LabelResolver<'a> {
    reg: &'a Registry,
    vocab: &'a Vocabulary,
    text: &'a str,
    date: NaiveDate,
    home: Option<String>,
    title_runs: Vec<Run>,
    title: &'a str,
    known: HashMap<String, Speaker>,
}

impl<'a> LabelResolver<'a> {
    pub fn new(reg: &'a Registry, vocab: &'a Vocabulary, doc: &Document<'a>) -> Self {
        let home = doc.source.and_then(|s| home_country(reg, s));
        LabelResolver {
            reg,
            vocab,
            text: doc.text,
            date: doc.date,
            home,
            title_runs: doc.title.map(|t| runs(reg, t)).unwrap_or_default(),
            title: doc.title.unwrap_or_default(),
            known: HashMap::default(),
        }
    }

    /// The speaker of a turn: nobody for a question or a role ("MODERATOR"), else the person
    /// the label names (see [`LabelResolver::resolve`]).
    pub fn speaker(&mut self, label: &Label, text: &str, opening_end: usize) -> Speaker {
        match label.kind {
            // No speaker; the country is where it was asked (the publisher's), which is what
            // puts questions in the country tables when `[aggregate] include_questions` is set.
            LabelKind::Question => self.with_home(Speaker {
                resolution: SpeakerResolution::Question.as_str().into(),
                ..Speaker::default()
            }),
            LabelKind::Unnamed => Speaker {
                resolution: SpeakerResolution::Unnamed.as_str().into(),
                role: Some(title_case_words(
                    &label
                        .span
                        .slice(text)
                        .split_whitespace()
                        .collect::<Vec<_>>(),
                )),
                country_resolution: CountryResolution::Unknown.as_str().into(),
                ..Speaker::default()
            },
            LabelKind::Named | LabelKind::Office => {
                self.resolve(label.span.slice(text), opening_end)
            }
        }
    }

    /// The speaker of a turn labelled `label`, whose first paragraph ends at byte
    /// `opening_end` of the text (the names said before that are the opening's).
    pub fn resolve(&mut self, label: &str, opening_end: usize) -> Speaker {
        let key = label_words(label).join(" ");
        if let Some(s) = self.known.get(&key) {
            return s.clone();
        }
        let s = self.resolve_new(label, opening_end);
        self.known.insert(key, s.clone());
        s
    }

    fn resolve_new(&self, label: &str, opening_end: usize) -> Speaker {
        let words = label_words(label);
        if words.first().is_some_and(|w| w == "the") {
            return self.office(&words[1..]);
        }
        let name: Vec<String> = words
            .iter()
            .skip_while(|w| self.vocab.title_words.contains(*w))
            .cloned()
            .collect();
        if name.is_empty() {
            return self.office(&words);
        }
        let opening = &self.text[..opening_end.min(self.text.len())];
        let found = find_in(&self.title_runs, &name, self.vocab)
            .map(|f| (f, SpeakerResolution::Title))
            .or_else(|| {
                find_in(&runs(self.reg, opening), &name, self.vocab)
                    .map(|f| (f, SpeakerResolution::Opening))
            });
        if let Some((found, how)) = found {
            return self.named(found, &name, how);
        }
        if let Some(idx) = self.by_surname(&name, &words) {
            return self.person(idx, SpeakerResolution::Registry);
        }
        let written: Vec<&str> = label.split_whitespace().collect();
        let as_written = written[written.len().saturating_sub(name.len())..]
            .iter()
            .map(|w| title_case(w))
            .collect::<Vec<_>>()
            .join(" ");
        let title: Vec<&str> = written[..written.len().saturating_sub(name.len())].to_vec();
        self.with_home(Speaker {
            name: Some(as_written),
            resolution: SpeakerResolution::Label.as_str().into(),
            role: (!title.is_empty()).then(|| title_case_words(&title)),
            ..Speaker::default()
        })
    }

    /// "THE PRESIDENT": the one holder of the office in the publisher's country on the date.
    fn office(&self, words: &[String]) -> Speaker {
        let office = office_title(&words.join(" "));
        if let Some(home) = &self.home {
            let holders = self.reg.office_holders(home, &office, self.date);
            if let [idx] = holders[..] {
                return self.person(idx, SpeakerResolution::Office);
            }
        }
        self.with_home(Speaker {
            resolution: SpeakerResolution::Unnamed.as_str().into(),
            role: Some(office),
            ..Speaker::default()
        })
    }

    fn person(&self, idx: usize, how: SpeakerResolution) -> Speaker {
        let a = &self.reg.actors[idx];
        let role = a.role_on(self.date);
        // The country of the office held that day, when its organisation names one: Mark
        // Rutte's registry country is NATO's, but in 2023 he spoke as Prime Minister of the
        // Netherlands ("Government of the Netherlands").
        let (country, country_how) = match role
            .and_then(|r| r.org.as_deref())
            .and_then(|org| home_country(self.reg, org))
        {
            Some(c) if c != a.country => (c, CountryResolution::RegistryRole),
            _ => (a.country.clone(), CountryResolution::Registry),
        };
        Speaker {
            name: Some(a.name.clone()),
            resolution: how.as_str().into(),
            role: role.map(|r| r.title.clone()),
            organisation: role
                .and_then(|r| r.org.clone())
                .or_else(|| a.organisation.clone()),
            country: Some(country),
            country_resolution: country_how.as_str().into(),
        }
    }

    fn with_home(&self, mut s: Speaker) -> Speaker {
        s.country_resolution = match &self.home {
            Some(h) if s.country.is_none() => {
                s.country = Some(h.clone());
                CountryResolution::Source.as_str().into()
            }
            _ => CountryResolution::Unknown.as_str().into(),
        };
        s
    }

    /// A name found in the title or opening: the registry's person when it knows the full
    /// name (or the surname, with the other name words matching in any order: "Kishida
    /// Fumio"), else the name as written with the country the words around it give.
    fn named(&self, found: Found, name: &[String], how: SpeakerResolution) -> Speaker {
        let full_folded: Vec<String> = found.name.iter().map(|w| fold(w)).collect();
        let full = found.name.join(" ");
        let by_full = self
            .reg
            .lookup(&fold_surface(&full))
            .filter(|&i| self.reg.actors[i].kind == ActorKind::Person);
        let by_parts = || {
            let cands: Vec<usize> = self
                .reg
                .persons_with_surname(&name.join(" "))
                .iter()
                .copied()
                .filter(|&i| {
                    fold_surface(&self.reg.actors[i].name)
                        .split(' ')
                        .all(|w| full_folded.iter().any(|f| fold_surface(f) == w))
                })
                .collect();
            (cands.len() == 1).then(|| cands[0])
        };
        if let Some(idx) = by_full.or_else(by_parts) {
            return self.person(idx, how);
        }
        // A single word found ("President Biden"): the registry by surname, as for a label.
        if found.name.len() == 1 {
            if let Some(idx) = self.by_surname(name, &full_folded) {
                return self.person(idx, how);
            }
        }
        let mut s = Speaker {
            name: Some(full),
            resolution: how.as_str().into(),
            role: (!found.title.is_empty()).then(|| found.title.join(" ")),
            ..Speaker::default()
        };
        let before = || {
            (how == SpeakerResolution::Title)
                .then(|| {
                    found
                        .name
                        .first()
                        .and_then(|w| place_before(self.reg, self.title, w))
                })
                .flatten()
        };
        if let Some(c) = found.country.clone().or_else(before) {
            s.country = Some(c);
            s.country_resolution = CountryResolution::Title.as_str().into();
            return s;
        }
        self.with_home(s)
    }

    /// The one person whose surname is the label's name and who held an office on the date
    /// (several: the one whose office the label names).
    fn by_surname(&self, name: &[String], label: &[String]) -> Option<usize> {
        let surname = name.join(" ");
        let mut cands: Vec<usize> = self
            .reg
            .persons_with_surname(&surname)
            .iter()
            .copied()
            .filter(|&i| self.reg.actors[i].role_on(self.date).is_some())
            .collect();
        if cands.is_empty() {
            cands = self
                .reg
                .lookup(&surname)
                .filter(|&i| self.reg.actors[i].kind == ActorKind::Person)
                .into_iter()
                .collect();
        }
        if cands.len() > 1 {
            let label_title = label.join(" ");
            cands.retain(|&i| {
                self.reg.actors[i]
                    .role_on(self.date)
                    .is_some_and(|r| label_title.contains(&office_title(&r.title)))
            });
        }
        (cands.len() == 1).then(|| cands[0])
    }
}

/// A label's name found in a run of the title or opening.
#[derive(Debug, Clone)]
struct Found {
    /// The full name as written ("Karine", "Jean-Pierre").
    name: Vec<String>,
    /// The office words before it as written ("Press", "Secretary").
    title: Vec<String>,
    country: Option<String>,
}

fn find_in(runs: &[Run], name: &[String], vocab: &Vocabulary) -> Option<Found> {
    for run in runs {
        let folded: Vec<&str> = run.words.iter().map(|(f, _)| f.as_str()).collect();
        let Some(at) = (0..folded.len().saturating_sub(name.len() - 1)).find(|&k| {
            folded[k..k + name.len()]
                .iter()
                .zip(name)
                .all(|(a, b)| *a == b)
        }) else {
            continue;
        };
        let is_name = |k: usize| {
            !vocab.title_words.contains(folded[k]) && !run.words[k].1.starts_with('\u{0}')
        };
        let mut start = at;
        while start > 0 && is_name(start - 1) && at - start < 3 {
            start -= 1;
        }
        let mut end = at + name.len();
        while end < folded.len() && is_name(end) && end - at < name.len() + 2 {
            end += 1;
        }
        let mut title_start = start;
        while title_start > 0 && !is_name(title_start - 1) {
            title_start -= 1;
        }
        let written = |a: usize, b: usize| -> Vec<String> {
            run.words[a..b].iter().map(|(_, w)| w.clone()).collect()
        };
        // "of Japan" after the name gives the country.
        // A title written in title case keeps "Of" inside the run ("Prime Minister Draghi Of
        // Italy"): the place after it counts as "of Italy" does.
        let of_inside = (folded.get(end) == Some(&"of"))
            .then(|| {
                run.words[end + 1..]
                    .iter()
                    .find_map(|(_, w)| w.strip_prefix('\u{0}').map(str::to_string))
            })
            .flatten();
        // A place before the name is read by `place_before`, which knows "for Ostria".
        let country = of_inside.or_else(|| run.country_after.clone());
        let clean = |v: Vec<String>| {
            v.into_iter()
                .filter(|w| !w.starts_with('\u{0}'))
                .collect::<Vec<_>>()
        };
        return Some(Found {
            name: clean(written(start, end)),
            title: clean(written(title_start, start)),
            country,
        });
    }
    None
}

/// Runs of capitalised words of `s`. A word that names a country (demonym or name) is kept in
/// its run as "\0CODE" in the written form so [`find_in`] can read it and leave it out of names.
fn runs(reg: &Registry, s: &str) -> Vec<Run> {
    let toks = tokenize(s, Span::new(0, s.len()));
    let mut out: Vec<Run> = Vec::new();
    let mut cur: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    let flush = |cur: &mut Vec<(String, String)>, out: &mut Vec<Run>, after: Option<String>| {
        if !cur.is_empty() {
            out.push(Run {
                words: std::mem::take(cur),
                country_after: after,
            });
        }
    };
    while i < toks.len() {
        let t = toks[i];
        let w = t.text(s);
        // Upper-case words are labels ("MS. VALE:") or acronyms, never a name as introduced.
        // Roman numerals are part of a name ("King Felipe VI").
        let shouting = w.chars().filter(|c| c.is_alphabetic()).count() > 1
            && !w.chars().any(char::is_lowercase)
            && !w.chars().all(|c| matches!(c, 'I' | 'V' | 'X'));
        // "I", "I’m", "We’re" start sentences, not names ("I’m Dan Kurtz-Phelan").
        let contraction = w == "I"
            || w.rsplit_once(['’', '\''])
                .is_some_and(|(_, tail)| tail.len() <= 2 && tail.chars().all(char::is_lowercase));
        if t.is_word() && is_capitalized(w) && !shouting && !contraction {
            let f = fold(w);
            match reg.place(&f) {
                Some((code, PlaceKind::Demonym | PlaceKind::Name)) => {
                    cur.push((f, format!("\u{0}{code}")));
                }
                _ => cur.push((f, w.to_string())),
            }
            i += 1;
            continue;
        }
        // An initial's or a courtesy's full stop ("Antony J. Blinken", "Dr. Fuad Hussein")
        // stays inside the run.
        if !t.is_word() && w == "." && cur.last().is_some_and(|(f, _)| f.chars().count() <= 2) {
            i += 1;
            continue;
        }
        let after = (t.is_word() && fold(w) == "of").then(|| place_after(reg, s, &toks[i + 1..]));
        flush(&mut cur, &mut out, after.flatten());
        i += 1;
    }
    flush(&mut cur, &mut out, None);
    out
}

/// The country named by the words after "of" ("of Japan", "of the People's Republic of China").
fn place_after(reg: &Registry, s: &str, toks: &[crate::segment::Token]) -> Option<String> {
    let words: Vec<String> = toks
        .iter()
        .take_while(|t| t.is_word() || matches!(t.text(s), "'" | "’"))
        // "… of Japan and President Yoon of Korea": the next person's country is not this one's.
        .take_while(|t| fold(t.text(s)) != "and")
        .filter(|t| t.is_word())
        .take(reg.max_place_words() + 4)
        .map(|t| fold(t.text(s)))
        .collect();
    // The longest place anywhere in the words: "the Islamic Republic of Afghanistan" names
    // Afghanistan even when the gazetteer has only its short name.
    (1..=words.len()).rev().find_map(|n| {
        words
            .windows(n)
            .find_map(|w| match reg.place(&w.join(" ")) {
                Some((code, PlaceKind::Name | PlaceKind::Demonym)) => Some(code.clone()),
                _ => None,
            })
    })
}

/// The country written before a name in a title, within its part of the title ("… and Costa
/// Rican President Carlos Alvarado", "… And Republic of Korea Foreign Minister Chung Eui-yong"),
/// unless the office is about that country ("Special Representative for the Democratic
/// People's Republic of Korea Sung Kim" is an American official).
fn place_before(reg: &Registry, title: &str, first_name_word: &str) -> Option<String> {
    let at = title.find(first_name_word)?;
    let head = &title[..at];
    let toks: Vec<String> = tokenize(head, Span::new(0, head.len()))
        .into_iter()
        .map(|t| fold(t.text(head)))
        .collect();
    let from = toks
        .iter()
        .rposition(|w| matches!(w.as_str(), "and" | "," | "with" | "by" | ":" | "|" | "/"))
        .map_or(0, |p| p + 1);
    let words: Vec<&str> = toks[from..]
        .iter()
        .map(String::as_str)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    for n in (1..=reg.max_place_words().min(words.len())).rev() {
        for a in 0..=words.len() - n {
            let about = a > 0
                && (matches!(words[a - 1], "for" | "to")
                    || (words[a - 1] == "the" && a > 1 && matches!(words[a - 2], "for" | "to")));
            if let Some((code, PlaceKind::Name | PlaceKind::Demonym)) =
                reg.place(&words[a..a + n].join(" "))
            {
                if !about {
                    return Some(code.clone());
                }
            }
        }
    }
    None
}

/// The country of the publisher ("The White House Briefing Room" → USA, "U.S. Department of
/// State" → USA), from the places its name contains.
fn home_country(reg: &Registry, source: &str) -> Option<String> {
    let toks: Vec<String> = tokenize(source, Span::new(0, source.len()))
        .into_iter()
        .filter(|t| t.is_word())
        .map(|t| fold(t.text(source)))
        .collect();
    let max = reg.max_place_words();
    for i in 0..toks.len() {
        for n in (1..=max.min(toks.len() - i)).rev() {
            if let Some((code, _)) = reg.place(&toks[i..i + n].join(" ")) {
                return Some(code.clone());
            }
        }
    }
    None
}

fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut up = true;
    for c in w.chars() {
        if up {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        up = !c.is_alphabetic();
    }
    out
}

fn title_case_words(ws: &[&str]) -> String {
    ws.iter()
        .map(|w| title_case(w))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelFile;

    const PLACES: &str = "schema_version = 1\n[[country]]\ncode = \"XVA\"\nname = \"Valdoria\"\ndemonyms = [\"Valdorian\"]\ninstitutions = [\"Valdorian Foreign Ministry\"]\n[[country]]\ncode = \"XOS\"\nname = \"Ostria\"\ndemonyms = [\"Ostrian\"]\n";
    const ACTORS: &str = "schema_version = 1\n[[actor]]\nid = \"brask\"\nname = \"Ola Brask\"\nkind = \"person\"\ncountry = \"XVA\"\nroles = [{ title = \"Prime Minister\", org = \"Government of Ostria\", from = 2020-01-01, to = 2025-12-31 }]\n[[actor]]\nid = \"venkel\"\nname = \"Oskar Venkel\"\nkind = \"person\"\ncountry = \"XOS\"\nroles = [{ title = \"President\", from = 2020-01-01 }]\n[[actor]]\nid = \"hallin\"\nname = \"Teodor Hallin\"\nkind = \"person\"\ncountry = \"XVA\"\nroles = [{ title = \"President\", from = 2019-01-01 }]\n";

    fn registry() -> Registry {
        Registry::load(
            &[ModelFile::from_text("p.toml", PLACES)],
            &[ModelFile::from_text("a.toml", ACTORS)],
        )
        .unwrap()
    }

    fn resolve(title: &str, text: &str, label: &str) -> Speaker {
        let reg = registry();
        let vocab = Vocabulary::builtin().unwrap();
        let doc = Document {
            text,
            title: Some(title),
            source: Some("Valdorian Foreign Ministry"),
            date: NaiveDate::from_ymd_opt(2025, 4, 23).unwrap(),
        };
        LabelResolver::new(&reg, &vocab, &doc).resolve(label, text.len())
    }

    #[test]
    fn a_surname_in_the_title_gives_the_registry_person_and_country() {
        let s = resolve(
            "Remarks by President Hallin and President Oskar Venkel of Ostria",
            "",
            "PRESIDENT VENKEL",
        );
        assert_eq!(s.name.as_deref(), Some("Oskar Venkel"));
        assert_eq!(s.country.as_deref(), Some("XOS"));
        assert_eq!(s.resolution, "transcript:title");
    }

    #[test]
    fn an_unregistered_official_named_in_the_title_takes_the_country_written_beside_the_name() {
        let s = resolve(
            "Joint Press Conference by Foreign Minister Lena Brask of Ostria",
            "",
            "FOREIGN MINISTER BRASK",
        );
        assert_eq!(s.name.as_deref(), Some("Lena Brask"));
        assert_eq!(s.country.as_deref(), Some("XOS"));
        assert_eq!(s.country_resolution, "transcript:title");
        assert_eq!(s.role.as_deref(), Some("Foreign Minister"));
        let s = resolve("Remarks by Ostrian Envoy Piet Lorm", "", "MR. LORM");
        assert_eq!(
            (s.name.as_deref(), s.country.as_deref()),
            (Some("Piet Lorm"), Some("XOS"))
        );
        let s = resolve(
            "Secretary Hallin and Republic of Valdoria Foreign Minister Dr. Ana Vell at a Joint Press Availability",
            "",
            "FOREIGN MINISTER VELL",
        );
        assert_eq!(
            (s.name.as_deref(), s.country.as_deref()),
            (Some("Ana Vell"), Some("XVA"))
        );
        // An office about a country does not make its holder that country's.
        let s = resolve(
            "Briefing with Special Envoy for Ostria Piet Lorm",
            "",
            "MR. LORM",
        );
        assert_eq!(s.country.as_deref(), Some("XVA"));
    }

    #[test]
    fn a_spokesperson_named_in_the_opening_lines_belongs_to_the_publishers_country() {
        let s = resolve(
            "Press Briefing",
            "MS. VALE:  Hi, everyone. I’m Ana Vale with the ministry.",
            "MS. VALE",
        );
        assert_eq!(s.name.as_deref(), Some("Ana Vale"));
        assert_eq!(s.resolution, "transcript:opening");
        assert_eq!(s.country.as_deref(), Some("XVA"));
        assert_eq!(s.country_resolution, "transcript:source");
    }

    #[test]
    fn an_office_label_is_its_one_holder_in_the_publishers_country() {
        let s = resolve("Remarks", "", "THE PRESIDENT");
        assert_eq!(s.name.as_deref(), Some("Teodor Hallin"));
        assert_eq!(s.resolution, "transcript:office");
    }

    #[test]
    fn a_surname_only_the_registry_knows_is_resolved_there() {
        let s = resolve("Remarks", "", "PRESIDENT VENKEL");
        assert_eq!(s.name.as_deref(), Some("Oskar Venkel"));
        assert_eq!(s.resolution, "transcript:registry");
    }

    #[test]
    fn the_country_is_the_one_of_the_office_held_that_day() {
        let s = resolve("Remarks", "", "PRIME MINISTER BRASK");
        assert_eq!(s.name.as_deref(), Some("Ola Brask"));
        assert_eq!(s.country.as_deref(), Some("XOS"));
        assert_eq!(s.country_resolution, "registry:role");
    }

    #[test]
    fn a_label_nobody_names_keeps_its_words() {
        let s = resolve("Remarks", "", "AMBASSADOR O'NEIL-ROSS");
        assert_eq!(s.name.as_deref(), Some("O'Neil-Ross"));
        assert_eq!(s.resolution, "transcript:label");
        assert_eq!(s.role.as_deref(), Some("Ambassador"));
    }
}
