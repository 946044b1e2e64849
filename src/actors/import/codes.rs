//! The CAMEO code table (`models/cameo-codes.toml`): how a dictionary role code such as
//! `USAGOVAGR` or `IGOUNOKID` becomes our country code, role title and organisation. The table
//! is data, validated at load against the places files (every code it maps to must exist).
//!
//! ```text
//! USAGOVAGR → country USA, title "government (agriculture)"
//! IGOUNOKID → country UNO, title "official", org "United Nations"
//! MNCUSA    → country USA, title "company"
//! IGOAFRAFU → not mapped ("IGOAFRAFU": no country code for that organisation)
//! ```

use std::collections::BTreeMap;

use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;
use toml::Spanned;

use crate::error::Result;
use crate::models::ModelFile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Igo {
    code: String,
    org: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodesFile {
    schema_version: Spanned<u32>,
    family_name_first: Vec<String>,
    transnational: Vec<String>,
    not_countries: Vec<String>,
    organisation_words: Vec<String>,
    generic_words: Vec<String>,
    country: BTreeMap<String, Spanned<String>>,
    territory: BTreeMap<String, Spanned<String>>,
    igo: BTreeMap<String, Spanned<Igo>>,
    sector: BTreeMap<String, String>,
}

/// A role code read into our terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub country: String,
    /// Sector words ("government (agriculture)"); None for a bare country code.
    pub title: Option<String>,
    pub org: Option<String>,
    /// Sector parts the table does not know (reported, left out of the title).
    pub unknown_parts: Vec<String>,
}

/// The validated table.
pub struct CameoCodes {
    /// Countries whose people are named family name first.
    pub family_name_first: HashSet<String>,
    transnational: HashSet<String>,
    not_countries: HashSet<String>,
    pub organisation_words: HashSet<String>,
    pub generic_words: HashSet<String>,
    country: BTreeMap<String, String>,
    territory: BTreeMap<String, String>,
    /// Longest prefix first.
    igo: Vec<(String, String, String)>,
    sector: BTreeMap<String, String>,
    known_countries: HashSet<String>,
}

impl CameoCodes {
    /// Loads the table; `countries` are the codes the places files define.
    pub fn load<'a>(
        file: &ModelFile,
        countries: impl IntoIterator<Item = &'a String>,
    ) -> Result<Self> {
        let parsed: CodesFile = file.parse()?;
        file.check_schema(&parsed.schema_version)?;
        let known: HashSet<String> = countries.into_iter().cloned().collect();
        let check = |v: &Spanned<String>, key: &str| {
            if known.contains(v.get_ref()) {
                Ok(())
            } else {
                Err(file.error_at(
                    v.span().start,
                    format!(
                        "{key} maps to {:?}, which the places files do not define",
                        v.get_ref()
                    ),
                ))
            }
        };
        for (k, v) in parsed.country.iter().chain(&parsed.territory) {
            check(v, k)?;
        }
        let mut igo = Vec::new();
        for (k, v) in &parsed.igo {
            let at = v.span().start;
            let entry = v.get_ref();
            if !known.contains(&entry.code) {
                return Err(file.error_at(
                    at,
                    format!(
                        "IGO{k} maps to {:?}, which the places files do not define",
                        entry.code
                    ),
                ));
            }
            igo.push((k.clone(), entry.code.clone(), entry.org.clone()));
        }
        igo.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let lower = |v: Vec<String>| v.into_iter().map(|w| w.to_lowercase()).collect();
        Ok(CameoCodes {
            family_name_first: parsed.family_name_first.into_iter().collect(),
            transnational: parsed.transnational.into_iter().collect(),
            not_countries: parsed.not_countries.into_iter().collect(),
            organisation_words: lower(parsed.organisation_words),
            generic_words: lower(parsed.generic_words),
            country: parsed
                .country
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            territory: parsed
                .territory
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            igo,
            sector: parsed.sector,
            known_countries: known,
        })
    }

    fn country_of(&self, part: &str) -> Option<String> {
        if let Some(c) = self.country.get(part) {
            return Some(c.clone());
        }
        self.known_countries
            .contains(part)
            .then(|| part.to_string())
    }

    fn title(&self, parts: &[&str], unknown: &mut Vec<String>) -> Option<String> {
        let words: Vec<&str> = parts
            .iter()
            .filter_map(|p| match self.sector.get(*p) {
                Some(w) => Some(w.as_str()),
                None => {
                    unknown.push(p.to_string());
                    None
                }
            })
            .collect();
        match words.as_slice() {
            [] => None,
            [one] => Some(one.to_string()),
            [first, rest @ ..] => Some(format!("{first} ({})", rest.join(", "))),
        }
    }

    /// Reads one role code; `Err` carries the code (or its unmapped head) for the report.
    pub fn decode(&self, code: &str) -> std::result::Result<Decoded, String> {
        let parts: Vec<&str> = (0..code.len() / 3)
            .map(|i| &code[i * 3..i * 3 + 3])
            .collect();
        if code.len() % 3 != 0 || parts.is_empty() {
            return Err(code.to_string());
        }
        let mut unknown = Vec::new();
        if parts[0] == "IGO" {
            let rest = &code[3..];
            for (prefix, country, org) in &self.igo {
                if let Some(after) = rest.strip_prefix(prefix.as_str()) {
                    let after: Vec<&str> = (0..after.len() / 3)
                        .map(|i| &after[i * 3..i * 3 + 3])
                        .collect();
                    let title = self.title(&after, &mut unknown);
                    return Ok(Decoded {
                        country: country.clone(),
                        title: Some(title.unwrap_or_else(|| "official".into())),
                        org: Some(org.clone()),
                        unknown_parts: unknown,
                    });
                }
            }
            return Err(code[..code.len().min(9)].to_string());
        }
        if self.transnational.contains(parts[0]) {
            // "NGOUSAENV": an organisation of the kind parts[0], based in the first country.
            let at = parts[1..]
                .iter()
                .position(|p| !self.not_countries.contains(*p) && self.country_of(p).is_some());
            let Some(at) = at.map(|a| a + 1) else {
                return Err(parts[0].to_string());
            };
            let country = self.country_of(parts[at]).unwrap_or_default();
            let mut rest: Vec<&str> = vec![parts[0]];
            rest.extend(parts[at + 1..].iter().copied());
            let title = self.title(&rest, &mut unknown);
            return Ok(Decoded {
                country,
                title,
                org: None,
                unknown_parts: unknown,
            });
        }
        let (country, rest) = match self.territory.get(code.get(..6).unwrap_or_default()) {
            Some(t) => (Some(t.clone()), &parts[2.min(parts.len())..]),
            None => (self.country_of(parts[0]), &parts[1..]),
        };
        let Some(country) = country else {
            return Err(parts[0].to_string());
        };
        let title = self.title(rest, &mut unknown);
        Ok(Decoded {
            country,
            title,
            org: None,
            unknown_parts: unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> CameoCodes {
        let places = ["USA", "UNO", "ASM", "DZA", "TLS", "MUS", "EUU", "NAT"].map(String::from);
        let file = ModelFile::from_text(
            "c.toml",
            "schema_version = 1\nfamily_name_first = []\ntransnational = [\"IGO\", \"NGO\", \"IMG\"]\nnot_countries = [\"MUS\"]\norganisation_words = []\ngeneric_words = []\n[country]\nTMP = \"TLS\"\n[territory]\nUSAASM = \"ASM\"\n[igo]\nUNO = { code = \"UNO\", org = \"United Nations\" }\n[sector]\nGOV = \"government\"\nAGR = \"agriculture\"\nMUS = \"Muslim\"\nKID = \"children\"\n",
        );
        CameoCodes::load(&file, places.iter()).unwrap()
    }

    #[test]
    fn country_codes_sectors_and_igos_map_to_our_codes() {
        let c = codes();
        let d = c.decode("DZAGOVAGR").unwrap();
        assert_eq!(d.country, "DZA");
        assert_eq!(d.title.as_deref(), Some("government (agriculture)"));
        assert_eq!(c.decode("TMPGOV").unwrap().country, "TLS");
        assert_eq!(c.decode("USAASMGOV").unwrap().country, "ASM");
        let un = c.decode("IGOUNOKID").unwrap();
        assert_eq!(
            (un.country.as_str(), un.org.as_deref()),
            ("UNO", Some("United Nations"))
        );
        assert_eq!(un.title.as_deref(), Some("children"));
    }

    #[test]
    fn religions_that_look_like_iso_codes_are_not_countries() {
        let c = codes();
        assert_eq!(c.decode("IMGMUS"), Err("IMG".to_string()));
        assert_eq!(c.decode("NGOUSAMUS").unwrap().country, "USA");
    }

    #[test]
    fn unmapped_igos_and_unknown_sectors_are_reported() {
        let c = codes();
        assert_eq!(c.decode("IGOAFRAFU"), Err("IGOAFRAFU".to_string()));
        assert_eq!(c.decode("USAXYZ").unwrap().unknown_parts, vec!["XYZ"]);
    }

    #[test]
    fn a_table_entry_naming_an_undefined_country_is_an_error_with_its_line() {
        let file = ModelFile::from_text(
            "c.toml",
            "schema_version = 1\nfamily_name_first = []\ntransnational = []\nnot_countries = []\norganisation_words = []\ngeneric_words = []\n[country]\nTMP = \"XXX\"\n[territory]\n[igo]\n[sector]\n",
        );
        let err = CameoCodes::load(&file, ["USA".to_string()].iter())
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("c.toml:8:"), "{err}");
    }
}
