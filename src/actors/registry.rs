//! The actor registry (`models/actors.toml`) and the place gazetteer (`models/places.toml`),
//! plus any extra files a config names. Both are validated at load: every error names the file
//! and line of the offending entry.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

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
}

impl Actor {
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
    /// First words of all names and aliases, to skip most words quickly.
    first_words: HashSet<String>,
    /// Folded surnames → person indices.
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
        for (i, a) in reg
            .actors
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == ActorKind::Person)
        {
            for (j, r) in a.roles.iter().enumerate() {
                reg.offices
                    .entry((a.country.clone(), office_title(&r.title)))
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
        let parsed: ActorsFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        for entry in parsed.actors {
            let at = entry.span().start;
            let actor = entry.into_inner();
            if !self.countries.contains_key(&actor.country) {
                return Err(file.error_at(
                    at,
                    format!(
                        "actor {:?}: country {:?} is not defined in the places files",
                        actor.id, actor.country
                    ),
                ));
            }
            if actor.kind != ActorKind::Person
                && (actor.gender.is_some() || actor.surname.is_some())
            {
                return Err(file.error_at(
                    at,
                    format!("actor {:?}: gender and surname are for persons", actor.id),
                ));
            }
            if self.actors.iter().any(|a| a.id == actor.id) {
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
                        return Err(file.error_at(
                            at,
                            format!(
                                "{surface:?} names both {:?} and {:?}",
                                self.actors[other].id, actor.id
                            ),
                        ));
                    }
                }
                self.max_surface_words = self.max_surface_words.max(words_of(&key));
                if let Some(first) = key.split(' ').next() {
                    self.first_words.insert(first.to_string());
                }
                self.by_surface.insert(key, idx);
            }
            if actor.kind == ActorKind::Person {
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

    pub fn starts_a_name(&self, folded_word: &str) -> bool {
        self.first_words.contains(folded_word)
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
