//! The actor registry (`models/actors.toml`) and the place gazetteer (`models/places.toml`),
//! plus any extra files a config names. Both are validated at load: every error names the file
//! and line of the offending entry.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::names::strip_diacritics;
use crate::config::is_country_code;
use crate::error::Result;
pub use crate::grammar::office_title;
use crate::models::ModelFile;
use crate::segment::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    Person,
    Organisation,
    Media,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub title: String,
    #[serde(default)]
    pub org: Option<String>,
    #[serde(deserialize_with = "crate::models::toml_date::required")]
    pub from: NaiveDate,
    #[serde(default, deserialize_with = "crate::models::toml_date::optional")]
    pub to: Option<NaiveDate>,
    /// The country the role was held for, when not the actor's own (a Korean diplomat at the
    /// UN; the imported dictionaries give one per role).
    #[serde(default)]
    pub country: Option<String>,
}

impl Role {
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    pub country: String,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// From a generated file (`generated = true`, written by `tonetrack actors import`): its
    /// names give way to any hand-written file's, and it is never guessed from a bare surname.
    #[serde(skip)]
    pub generated: bool,
}

impl Actor {
    /// The country the actor speaks for on `date`: the active role's, else the actor's own.
    pub fn country_on(&self, date: NaiveDate) -> &str {
        self.role_on(date)
            .and_then(|r| r.country.as_deref())
            .unwrap_or(&self.country)
    }

    /// The role held on `date`; the most recently started one when several overlap.
    pub fn role_on(&self, date: NaiveDate) -> Option<&Role> {
        self.roles
            .iter()
            .filter(|r| r.active_on(date))
            .max_by_key(|r| r.from)
    }

    pub fn surname(&self) -> &str {
        self.surname
            .as_deref()
            .unwrap_or_else(|| self.name.rsplit(' ').next().unwrap_or(&self.name))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorsFile {
    schema_version: Spanned<u32>,
    /// Written by a program (`tonetrack actors import`), not by hand; see [`Actor::generated`].
    #[serde(default)]
    generated: bool,
    #[serde(rename = "actor", default)]
    actors: Vec<Spanned<Actor>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceKind {
    Demonym,
    Name,
    Capital,
    City,
    Institution,
}

impl PlaceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            PlaceKind::Demonym => "demonym",
            PlaceKind::Name => "country-name",
            PlaceKind::Capital => "capital",
            PlaceKind::City => "city",
            PlaceKind::Institution => "institution",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountryEntry {
    code: String,
    name: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    demonyms: Vec<String>,
    #[serde(default)]
    capitals: Vec<String>,
    #[serde(default)]
    cities: Vec<String>,
    #[serde(default)]
    institutions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    schema_version: Spanned<u32>,
    #[serde(rename = "country", default)]
    countries: Vec<Spanned<CountryEntry>>,
}

/// Who is who and where is where.
#[derive(Debug, Default)]
pub struct Registry {
    pub actors: Vec<Actor>,
    /// Folded names and aliases → actor index.
    by_surface: HashMap<String, usize>,
    /// First words of all names and aliases → the most words a name starting with it has, to
    /// skip most words quickly and not try 17-word keys after every "John".
    first_words: HashMap<String, usize>,
    /// Folded surnames → person indices (hand-written files only: a surname alone is never
    /// guessed to be one of 18,000 imported officials).
    by_surname: HashMap<String, Vec<usize>>,
    /// Folded place words → (country code, kind).
    places: HashMap<String, (String, PlaceKind)>,
    /// Country code → short name.
    pub countries: HashMap<String, String>,
    max_surface_words: usize,
    max_place_words: usize,
    /// Per actor, the folded surname (compared against every mention).
    folded_surnames: Vec<String>,
    /// (country, office as [`office_title`] writes it) → (person, role) that held it at some time.
    offices: HashMap<(String, String), Vec<(usize, usize)>>,
    /// Actor ids, to reject a second use in O(1) (18,000 actors made the linear check 0.1 s).
    ids: HashSet<String>,
    /// Names and aliases without diacritics, where that differs ("viktor orban" → Orbán).
    by_ascii: HashMap<String, usize>,
    /// Hand-written actors' names and aliases (without diacritics) by first word, the only
    /// candidates of a fuzzy match: 23,000 imported names would make near misses likely.
    curated_by_first: HashMap<String, Vec<(String, usize)>>,
    /// How names are written (`models/names.toml`); empty unless [`Registry::set_names`].
    pub names: super::names::Names,
}

fn words_of(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Folds a surface form the same way token sequences are folded: words joined by one space.
pub fn fold_surface(s: &str) -> String {
    let t = crate::segment::tokenize(s, crate::types::Span::new(0, s.len()));
    // Punctuation is dropped, as it is when article text is matched ("Joseph R. Biden").
    t.iter()
        .filter(|t| t.is_word())
        .map(|t| fold(t.text(s)))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Registry {
    /// Loads places first (they define the valid country codes), then actors.
    pub fn load(places: &[ModelFile], actors: &[ModelFile]) -> Result<Self> {
        let mut reg = Registry::default();
        for file in places {
            reg.add_places(file)?;
        }
        for file in actors {
            reg.add_actors(file)?;
        }
        reg.folded_surnames = reg.actors.iter().map(|a| fold(a.surname())).collect();
        // Only needed while loading (duplicate ids): 25,000 strings freed.
        reg.ids = HashSet::default();
        // Imported roles are sector words ("government"), never an office the grammar names.
        for (i, a) in reg
            .actors
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == ActorKind::Person && !a.generated)
        {
            for (j, r) in a.roles.iter().enumerate() {
                let country = r.country.as_ref().unwrap_or(&a.country);
                reg.offices
                    .entry((country.clone(), office_title(&r.title)))
                    .or_default()
                    .push((i, j));
            }
        }
        Ok(reg)
    }

    /// The folded surname of actor `idx`.
    pub fn folded_surname(&self, idx: usize) -> &str {
        self.folded_surnames
            .get(idx)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The people of `country` who held `office` (as [`office_title`] writes it) on `date`.
    pub fn office_holders(&self, country: &str, office: &str, date: NaiveDate) -> Vec<usize> {
        let mut holders: Vec<usize> = self
            .offices
            .get(&(country.to_string(), office.to_string()))
            .into_iter()
            .flatten()
            .filter(|(i, j)| self.actors[*i].roles[*j].active_on(date))
            .map(|(i, _)| *i)
            .collect();
        holders.dedup();
        holders
    }

    fn add_places(&mut self, file: &ModelFile) -> Result<()> {
        let parsed: PlacesFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        for entry in parsed.countries {
            let at = entry.span().start;
            let c = entry.into_inner();
            if !is_country_code(&c.code) {
                return Err(file.error_at(
                    at,
                    format!("{:?} is not a three-letter upper-case country code", c.code),
                ));
            }
            if self
                .countries
                .insert(c.code.clone(), c.name.clone())
                .is_some()
            {
                return Err(file.error_at(at, format!("country {} is defined twice", c.code)));
            }
            let short_name = vec![c.name.clone()];
            let lists = [
                (&short_name, PlaceKind::Name),
                (&c.names, PlaceKind::Name),
                (&c.demonyms, PlaceKind::Demonym),
                (&c.capitals, PlaceKind::Capital),
                (&c.cities, PlaceKind::City),
                (&c.institutions, PlaceKind::Institution),
            ];
            for (list, kind) in lists {
                for word in list {
                    let key = fold_surface(word);
                    if key.is_empty() {
                        return Err(file.error_at(at, format!("{}: empty place name", c.code)));
                    }
                    match self.places.get(&key) {
                        Some((other, _)) if other != &c.code => {
                            return Err(file.error_at(
                                at,
                                format!("{word:?} maps to both {other} and {}: a place word must name one country", c.code),
                            ))
                        }
                        Some(_) => {}
                        None => {
                            self.max_place_words = self.max_place_words.max(words_of(&key));
                            self.places.insert(key, (c.code.clone(), kind));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn add_actors(&mut self, file: &ModelFile) -> Result<()> {
        // A file `actors import` wrote is read by its own fast reader (generated.rs).
        let entries: Vec<(usize, Actor)> = match super::generated::read(file) {
            Some(read) => read?,
            None => {
                let parsed: ActorsFile = file.parse()?;
                file.check_schema(&parsed.schema_version)?;
                let generated = parsed.generated;
                parsed
                    .actors
                    .into_iter()
                    .map(|e| {
                        let at = e.span().start;
                        let mut actor = e.into_inner();
                        actor.generated = generated;
                        (at, actor)
                    })
                    .collect()
            }
        };
        self.actors.reserve(entries.len());
        for (at, actor) in entries {
            let countries = std::iter::once(&actor.country)
                .chain(actor.roles.iter().filter_map(|r| r.country.as_ref()));
            for c in countries {
                if !self.countries.contains_key(c) {
                    return Err(file.error_at(
                        at,
                        format!(
                            "actor {:?}: country {c:?} is not defined in the places files",
                            actor.id
                        ),
                    ));
                }
            }
            if actor.kind != ActorKind::Person
                && (actor.gender.is_some() || actor.surname.is_some())
            {
                return Err(file.error_at(
                    at,
                    format!("actor {:?}: gender and surname are for persons", actor.id),
                ));
            }
            if !self.ids.insert(actor.id.clone()) {
                return Err(file.error_at(at, format!("actor id {:?} is used twice", actor.id)));
            }
            for r in &actor.roles {
                if r.to.is_some_and(|to| to < r.from) {
                    return Err(file.error_at(
                        at,
                        format!(
                            "actor {:?}: role {:?} ends before it starts",
                            actor.id, r.title
                        ),
                    ));
                }
            }
            let idx = self.actors.len();
            for surface in std::iter::once(&actor.name).chain(actor.aliases.iter()) {
                let key = fold_surface(surface);
                if let Some(&other) = self.by_surface.get(&key) {
                    if other != idx {
                        // A generated file's names give way to hand-written ones, whichever
                        // file comes first; two files of the same sort must not clash.
                        match (self.actors[other].generated, actor.generated) {
                            (true, false) => {}
                            (false, true) => continue,
                            _ => {
                                return Err(file.error_at(
                                    at,
                                    format!(
                                        "{surface:?} names both {:?} and {:?}",
                                        self.actors[other].id, actor.id
                                    ),
                                ))
                            }
                        }
                    }
                }
                self.max_surface_words = self.max_surface_words.max(words_of(&key));
                if let Some(first) = key.split(' ').next() {
                    let n = self.first_words.entry(first.to_string()).or_default();
                    *n = (*n).max(words_of(&key));
                }
                let ascii = strip_diacritics(&key).into_owned();
                if ascii != key {
                    self.by_ascii.entry(ascii.clone()).or_insert(idx);
                }
                if !actor.generated && actor.kind == ActorKind::Person {
                    let first = ascii.split(' ').next().unwrap_or_default().to_string();
                    self.curated_by_first
                        .entry(first)
                        .or_default()
                        .push((ascii, idx));
                }
                self.by_surface.insert(key, idx);
            }
            if actor.kind == ActorKind::Person && !actor.generated {
                self.by_surname
                    .entry(fold(actor.surname()))
                    .or_default()
                    .push(idx);
            }
            self.actors.push(actor);
        }
        Ok(())
    }

    pub fn lookup(&self, folded_surface: &str) -> Option<usize> {
        self.by_surface.get(folded_surface).copied()
    }

    /// Loads `models/names.toml` into the registry (see [`super::names`]).
    pub fn set_names(&mut self, names: super::names::Names) {
        self.names = names;
    }

    /// A name as the article writes it that is a variant of a registry name: without
    /// diacritics ("Viktor Orban"), in the other order ("Kishida Fumio"), or one edit from a
    /// hand-written person's name ("Josep Borrel"). Returns the actor and how it matched.
    pub fn lookup_variant(&self, folded_surface: &str) -> Option<(usize, &'static str)> {
        let ascii = strip_diacritics(folded_surface);
        if let Some(&i) = self.by_surface.get(ascii.as_ref()) {
            return Some((i, "registry:variant"));
        }
        if let Some(&i) = self.by_ascii.get(ascii.as_ref()) {
            return Some((i, "registry:variant"));
        }
        let words: Vec<&str> = ascii.split(' ').collect();
        if let [a, b] = words[..] {
            let reversed = format!("{b} {a}");
            let hit = self
                .by_surface
                .get(&reversed)
                .or_else(|| self.by_ascii.get(&reversed));
            if let Some(&i) = hit.filter(|&&i| self.actors[i].kind == ActorKind::Person) {
                return Some((i, "registry:variant"));
            }
        }
        if words.len() < 2 {
            return None;
        }
        let candidates = self.curated_by_first.get(words[0])?;
        let mut hits = candidates
            .iter()
            .filter(|(known, _)| {
                words_of(known) == words.len() && self.names.fuzzy_match(&ascii, known)
            })
            .map(|(_, i)| *i);
        let first = hits.next()?;
        // Two different people one edit away: no guess.
        hits.all(|i| i == first)
            .then_some((first, "registry:fuzzy"))
    }

    pub fn starts_a_name(&self, folded_word: &str) -> bool {
        self.first_words.contains_key(folded_word)
    }

    /// The most words of a registry name starting with this word (0: none starts with it).
    pub fn max_words_from(&self, folded_word: &str) -> usize {
        self.first_words.get(folded_word).copied().unwrap_or(0)
    }

    pub fn persons_with_surname(&self, folded_surname: &str) -> &[usize] {
        self.by_surname
            .get(folded_surname)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn place(&self, folded: &str) -> Option<&(String, PlaceKind)> {
        self.places.get(folded)
    }

    /// Every folded place word and actor name or alias, for callers that index them (the
    /// target stage's name prefixes).
    pub fn surfaces(&self) -> impl Iterator<Item = &str> {
        self.places
            .keys()
            .chain(self.by_surface.keys())
            .map(String::as_str)
    }

    pub fn max_surface_words(&self) -> usize {
        self.max_surface_words.max(1)
    }

    pub fn max_place_words(&self) -> usize {
        self.max_place_words.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> ModelFile {
        ModelFile::from_text(name, text)
    }

    const PLACES: &str = "schema_version = 1\n[[country]]\ncode = \"XVA\"\nname = \"Valdoria\"\ndemonyms = [\"Valdorian\"]\n";

    #[test]
    fn unknown_country_in_actor_names_file_and_line() {
        let actors = "schema_version = 1\n\n[[actor]]\nid = \"a\"\nname = \"A B\"\nkind = \"person\"\ncountry = \"XXX\"\n";
        let err = Registry::load(&[file("p.toml", PLACES)], &[file("a.toml", actors)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a.toml:3:") || err.starts_with("a.toml:4:"),
            "{err}"
        );
        assert!(err.contains("XXX"), "{err}");
    }

    #[test]
    fn roles_are_chosen_by_date() {
        let actors = "schema_version = 1\n[[actor]]\nid = \"q\"\nname = \"Qa Gan\"\nkind = \"person\"\ncountry = \"XVA\"\nsurname = \"Qa\"\nroles = [{ title = \"Ambassador\", from = 2021-07-28, to = 2022-12-30 }, { title = \"Foreign Minister\", from = 2022-12-30, to = 2023-07-25 }]\n";
        let reg = Registry::load(&[file("p.toml", PLACES)], &[file("a.toml", actors)]).unwrap();
        let a = &reg.actors[0];
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(a.role_on(d("2022-01-01")).unwrap().title, "Ambassador");
        assert_eq!(
            a.role_on(d("2023-03-01")).unwrap().title,
            "Foreign Minister"
        );
        assert!(a.role_on(d("2024-01-01")).is_none());
        assert_eq!(a.surname(), "Qa");
    }

    #[test]
    fn a_generated_file_gives_way_to_a_hand_written_one_whichever_loads_first() {
        let generated = "schema_version = 1\ngenerated = true\n[[actor]]\nid = \"g\"\nname = \"Ana Ruiz\"\nkind = \"person\"\ncountry = \"XVA\"\naliases = [\"Ana Maria Ruiz\"]\n";
        let curated = "schema_version = 1\n[[actor]]\nid = \"c\"\nname = \"Ana Ruiz\"\nkind = \"person\"\ncountry = \"XVA\"\n";
        for order in [[generated, curated], [curated, generated]] {
            let files: Vec<ModelFile> = order.iter().map(|t| file("a.toml", t)).collect();
            let reg = Registry::load(&[file("p.toml", PLACES)], &files).unwrap();
            let i = reg.lookup("ana ruiz").unwrap();
            assert_eq!(reg.actors[i].id, "c");
            let j = reg.lookup("ana maria ruiz").unwrap();
            assert_eq!(reg.actors[j].id, "g");
            assert_eq!(
                reg.persons_with_surname("ruiz").len(),
                1,
                "generated people are not guessed from a surname"
            );
        }
        let twice = Registry::load(
            &[file("p.toml", PLACES)],
            &[
                file("a.toml", curated),
                file("b.toml", &curated.replace("\"c\"", "\"d\"")),
            ],
        );
        assert!(twice.unwrap_err().to_string().contains("names both"));
    }

    #[test]
    fn a_role_held_for_another_country_gives_the_country_on_its_dates() {
        let actors = "schema_version = 1\n[[actor]]\nid = \"k\"\nname = \"Ki Ban\"\nkind = \"person\"\ncountry = \"XVA\"\nroles = [{ title = \"Envoy\", country = \"XOS\", from = 2007-01-01, to = 2016-12-31 }]\n";
        let places = format!("{PLACES}[[country]]\ncode = \"XOS\"\nname = \"Ostria\"\n");
        let reg = Registry::load(&[file("p.toml", &places)], &[file("a.toml", actors)]).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(reg.actors[0].country_on(d("2010-01-01")), "XOS");
        assert_eq!(reg.actors[0].country_on(d("2020-01-01")), "XVA");
        let bad = actors.replace("XOS", "XXX");
        let err = Registry::load(&[file("p.toml", &places)], &[file("a.toml", &bad)]).unwrap_err();
        assert!(err.to_string().contains("\"XXX\""), "{err}");
    }

    #[test]
    fn a_place_word_naming_two_countries_is_rejected() {
        let places = format!(
            "{PLACES}[[country]]\ncode = \"XOS\"\nname = \"Ostria\"\ndemonyms = [\"Valdorian\"]\n"
        );
        let err = Registry::load(&[file("p.toml", &places)], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("maps to both"), "{err}");
    }
}
