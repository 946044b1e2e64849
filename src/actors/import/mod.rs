//! `tonetrack actors import`: converts the CAMEO/Phoenix actor dictionaries (PETRARCH's
//! `Phoenix.Countries.actors.txt` and friends) into our registry format, so that the ~18,000
//! officials they list get a country and dated roles. The output is generated, deterministic,
//! and merged with the curated registry: curated entries win (see [`convert`]).
//!
//! ```text
//! SAID_BARKAT_                      [[actor]]
//! 	[DZAGOVAGR 030101-080630]   →   id = "phoenix-said-barkat", name = "Said Barkat",
//! 	[DZAGOV >100701]                kind = "person", country = "DZA", roles = [
//!                                     { title = "government (agriculture)", country = "DZA",
//!                                       from = 2003-01-01, to = 2008-06-30 }, …]
//! ```

pub mod codes;
mod render;
pub mod tabari;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::registry::{fold_surface, ActorKind, Registry};
use crate::error::{Error, Result};
use crate::models::ModelSource;
pub use codes::CameoCodes;
pub use render::render;
use tabari::RawEntry;

/// Which dictionary a file is: it decides whether an entry is a person by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DictionaryKind {
    /// `Phoenix.Countries.actors.txt`: officials by country; entries are persons.
    Countries,
    /// International organisations and their officials.
    International,
    /// Armed non-state groups: entries are organisations.
    NonState,
}

impl DictionaryKind {
    /// From the file name the Phoenix release uses; anything else counts as international.
    pub fn from_file_name(name: &str) -> Self {
        if name.contains("Countries") {
            DictionaryKind::Countries
        } else if name.contains("NonState") {
            DictionaryKind::NonState
        } else {
            DictionaryKind::International
        }
    }
}

/// One dictionary file to convert.
pub struct Dictionary<'a> {
    /// Shown in the report and the generated header (the file name, not a local path).
    pub name: String,
    pub text: &'a str,
    pub kind: DictionaryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRole {
    pub title: String,
    pub org: Option<String>,
    pub country: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct ImportedActor {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    pub country: String,
    pub aliases: Vec<String>,
    pub roles: Vec<ImportedRole>,
    /// Set when the family name comes first (see `family_name_first` in cameo-codes.toml).
    pub surname: Option<String>,
}

/// What was converted and, with reasons, what was not.
#[derive(Debug, Default)]
pub struct Report {
    pub entries_read: usize,
    /// Reason → number of entries (or roles, or names) left out for it.
    pub skipped: BTreeMap<&'static str, usize>,
    /// Codes (or their unmapped heads) that have no country here → number of roles.
    pub unmapped_codes: BTreeMap<String, usize>,
    /// Sector parts the code table does not know → number of roles.
    pub unknown_sectors: BTreeMap<String, usize>,
    /// `file:line: what` for every piece of a file that could not be read.
    pub malformed: Vec<String>,
}

impl Report {
    fn skip(&mut self, why: &'static str) {
        *self.skipped.entry(why).or_default() += 1;
    }
}

pub struct Imported {
    pub actors: Vec<ImportedActor>,
    pub report: Report,
}

/// Converts the dictionaries. `curated` is the registry loaded from our places and curated
/// actor files: a dictionary entry that shares any name or alias with a curated actor is left
/// out whole (the curated entry is the same person, kept up to date by hand: curated wins), and
/// names that are places in the gazetteer are left to the gazetteer. Within the dictionaries,
/// entries with the same canonical name are merged; a later entry loses an alias an earlier one
/// already uses. Single-word person names are dropped (bare surnames are resolved from the
/// article, never from the registry), as are generic agents ("UN envoy").
pub fn convert(dicts: &[Dictionary], codes: &CameoCodes, curated: &Registry) -> Imported {
    let mut report = Report::default();
    let mut actors: Vec<ImportedActor> = Vec::new();
    let mut owner: HashMap<String, usize> = HashMap::default();
    let mut ids: HashSet<String> = HashSet::default();
    for dict in dicts {
        let (entries, bad) = tabari::parse(dict.text);
        for b in bad {
            report
                .malformed
                .push(format!("{}:{}: {}", dict.name, b.line, b.what));
        }
        for entry in entries {
            report.entries_read += 1;
            if let Some(a) = convert_entry(&entry, dict, codes, curated, &mut report) {
                add(a, &mut actors, &mut owner, &mut ids, &mut report);
            }
        }
    }
    Imported { actors, report }
}

/// Adds a converted entry: merged into an earlier one of the same name, else appended with the
/// names no earlier entry uses.
fn add(
    mut a: ImportedActor,
    actors: &mut Vec<ImportedActor>,
    owner: &mut HashMap<String, usize>,
    ids: &mut HashSet<String>,
    report: &mut Report,
) {
    let key = fold_surface(&a.name);
    if let Some(&i) = owner.get(&key) {
        let same = &mut actors[i];
        if same.kind == a.kind && fold_surface(&same.name) == key {
            for alias in a.aliases {
                let k = fold_surface(&alias);
                if !owner.contains_key(&k) {
                    owner.insert(k, i);
                    same.aliases.push(alias);
                }
            }
            for r in a.roles {
                if !same.roles.contains(&r) {
                    same.roles.push(r);
                }
            }
            same.country = country_of(&same.roles).unwrap_or_else(|| same.country.clone());
            report.skip("entries merged into an earlier entry of the same name");
            return;
        }
        report.skip("entries whose name another entry already uses");
        return;
    }
    let before = a.aliases.len();
    a.aliases
        .retain(|al| !owner.contains_key(&fold_surface(al)));
    for _ in a.aliases.len()..before {
        report.skip("aliases another entry already uses");
    }
    let mut seen: HashSet<String> = HashSet::default();
    seen.insert(key.clone());
    a.aliases.retain(|al| seen.insert(fold_surface(al)));
    let base = format!("phoenix-{}", slug(&a.name));
    let mut id = base.clone();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    ids.insert(id.clone());
    a.id = id;
    let idx = actors.len();
    owner.insert(key, idx);
    for al in &a.aliases {
        owner.insert(fold_surface(al), idx);
    }
    actors.push(a);
}

/// The country of the most recently started dated role.
fn country_of(roles: &[ImportedRole]) -> Option<String> {
    roles
        .iter()
        .max_by_key(|r| r.from)
        .map(|r| r.country.clone())
}

fn convert_entry(
    e: &RawEntry,
    dict: &Dictionary,
    codes: &CameoCodes,
    curated: &Registry,
    report: &mut Report,
) -> Option<ImportedActor> {
    if dict.kind == DictionaryKind::Countries
        && e.code_on_name_line
        && e.roles.iter().all(|r| r.from.is_none() && r.to.is_none())
    {
        // "AFGHANISTAN_ [AFG]" with "+KABUL_": the country itself, which places.toml covers.
        report.skip("country entries (the gazetteer's job)");
        return None;
    }
    let words = |s: &str| -> Vec<String> {
        s.split([' ', '-'])
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    let organisation = dict.kind == DictionaryKind::NonState
        || e.roles.iter().any(|r| r.code.starts_with("MNC"))
        || words(&e.name)
            .iter()
            .any(|w| codes.organisation_words.contains(w));
    let kind = if organisation {
        ActorKind::Organisation
    } else {
        ActorKind::Person
    };
    // Names: generic agents, single words for persons, places and curated names are dropped.
    let mut names: Vec<String> = Vec::new();
    for raw in std::iter::once(&e.name).chain(&e.aliases) {
        let w = words(raw);
        let folded = fold_surface(raw);
        if folded.is_empty() {
            continue;
        }
        if curated.lookup(&folded).is_some() {
            report.skip("entries sharing a name with a curated actor (curated wins)");
            return None;
        }
        if w.iter().any(|x| codes.generic_words.contains(x)) {
            report.skip("generic names (\"UN envoy\")");
        } else if kind == ActorKind::Person && w.len() < 2 {
            report.skip("single-word person names (surnames are resolved from the article)");
        } else if curated.place(&folded).is_some() {
            report.skip("names that are places in the gazetteer");
        } else {
            names.push(display_name(raw));
        }
    }
    if names.is_empty() {
        report.skip("entries with no usable name");
        return None;
    }
    let mut roles: Vec<ImportedRole> = Vec::new();
    let mut undated_country: Option<String> = None;
    for r in &e.roles {
        let decoded = match codes.decode(&r.code) {
            Ok(d) => d,
            Err(head) => {
                *report.unmapped_codes.entry(head).or_default() += 1;
                continue;
            }
        };
        for p in &decoded.unknown_parts {
            *report.unknown_sectors.entry(p.clone()).or_default() += 1;
        }
        match (r.from, r.to, &decoded.title) {
            (Some(from), to, Some(title)) if !r.until_only => {
                if to.is_some_and(|t| t < from) {
                    report.malformed.push(format!(
                        "{}:{}: [{}] ends before it starts",
                        dict.name, r.line, r.code
                    ));
                    continue;
                }
                let role = ImportedRole {
                    title: title.clone(),
                    org: decoded.org.clone(),
                    country: decoded.country.clone(),
                    from,
                    to,
                };
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            _ => {
                // Undated, only an end, or no sector: no role of ours (a role needs a start
                // and a title), but it still says which country the actor speaks for.
                report.skip("roles without a start date or sector (country kept)");
                undated_country.get_or_insert(decoded.country.clone());
            }
        }
    }
    let Some(country) = country_of(&roles).or(undated_country.clone()) else {
        report.skip("entries with no code that maps to a country");
        return None;
    };
    let name = names.remove(0);
    let family_first = roles
        .iter()
        .map(|r| &r.country)
        .chain(undated_country.iter())
        .any(|c| codes.family_name_first.contains(c));
    let surname = (kind == ActorKind::Person && family_first)
        .then(|| name.split(' ').next().unwrap_or_default().to_string());
    Some(ImportedActor {
        surname,
        id: String::new(),
        name,
        kind,
        country,
        aliases: names,
        roles,
    })
}

/// `BAN KI-MOON` → `Ban Ki-Moon`, `JAVIER DE CUELLAR` → `Javier de Cuellar`, `O'NEILL` →
/// `O'Neill`. The dictionaries write names in capitals; matching ignores case, so this only
/// makes the `name` column readable.
pub fn display_name(raw: &str) -> String {
    const PARTICLES: &[&str] = &[
        "de", "da", "del", "della", "der", "den", "van", "von", "al", "el", "bin", "ibn", "di",
        "du", "la", "le", "dos", "das", "y", "of", "the", "and", "for", "ter",
    ];
    let mut out = String::with_capacity(raw.len());
    for (wi, word) in raw.split(' ').enumerate() {
        if wi > 0 {
            out.push(' ');
        }
        for (pi, part) in word.split('-').enumerate() {
            if pi > 0 {
                out.push('-');
            }
            let lower = part.to_lowercase();
            if (wi > 0 || pi > 0) && PARTICLES.contains(&lower.as_str()) {
                out.push_str(&lower);
                continue;
            }
            let mut upper_next = true;
            let mut prev_len = 0;
            for c in lower.chars() {
                if upper_next && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                    upper_next = false;
                } else {
                    out.push(c);
                }
                prev_len += 1;
                // "O'Neill", "D'Escoto": a single letter and an apostrophe open a new part.
                if c == '\'' && prev_len == 2 {
                    upper_next = true;
                }
                if c == '.' {
                    upper_next = true;
                }
            }
        }
    }
    out
}

/// `Ban Ki-Moon` → `ban-ki-moon`.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

/// The built-in knowledge a conversion needs: places, the code table and the curated actors.
pub fn load_knowledge(source: &ModelSource) -> Result<(Registry, CameoCodes)> {
    let places = [source.load("places.toml")?];
    let mut curated = Vec::new();
    for name in crate::models::CURATED_ACTOR_FILES {
        curated.extend(source.load_optional(name)?);
    }
    let registry = Registry::load(&places, &curated)?;
    let codes = CameoCodes::load(&source.load("cameo-codes.toml")?, registry.countries.keys())?;
    Ok((registry, codes))
}

/// Converts every `*.actors.txt` of `dir` (in name order, so the output does not depend on the
/// file system) and renders the registry file.
pub fn import_folder(dir: &Path, source: &ModelSource) -> Result<(String, Imported)> {
    let (curated, codes) = load_knowledge(source)?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".actors.txt"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no *.actors.txt file"),
        ));
    }
    let mut texts = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        texts.push((name, text));
    }
    let dicts: Vec<Dictionary> = texts
        .iter()
        .map(|(name, text)| Dictionary {
            name: name.clone(),
            text,
            kind: DictionaryKind::from_file_name(name),
        })
        .collect();
    let imported = convert(&dicts, &codes, &curated);
    let sources: Vec<(String, String)> = texts
        .iter()
        .map(|(n, t)| (n.clone(), crate::models::sha256_hex(t.as_bytes())))
        .collect();
    let rendered = render(&imported.actors, &imported.report, &sources);
    Ok((rendered, imported))
}

#[cfg(test)]
mod tests;
