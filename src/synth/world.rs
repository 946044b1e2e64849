//! A synthetic world for the charts and `summary`: a few months of news in which invented
//! officials speak for many countries (34 by default) and several of them visit each other
//! (8 visits by default), with a run config naming the visits. It has the shape the charts
//! failed on in issue 21 — dozens of countries, most with few statements, a handful of visits —
//! at a size a test runs in seconds. Every person is invented here (their names come from the
//! syllable lists below) and listed in a generated actors registry, so no real person is given
//! words; the country codes and names are real, as a generic world-news backdrop.
//!
//! Example: `tonetrack synth --world /tmp/world` writes `/tmp/world/articles.jsonl`,
//! `actors.toml` and `tonetrack.toml`; then
//! `tonetrack run /tmp/world/articles.jsonl --config /tmp/world/tonetrack.toml --out /tmp/out`.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, NaiveDate};

use super::{article_text, Cast, Rng, Speaker, SynthStats, EXPERT_NAMES, INSTITUTIONS, SOURCES};

/// The countries the world draws from, in order of how much they are in the news.
const COUNTRIES: [(&str, &str); 40] = [
    ("USA", "United States"),
    ("CHN", "China"),
    ("GBR", "United Kingdom"),
    ("FRA", "France"),
    ("DEU", "Germany"),
    ("JPN", "Japan"),
    ("IND", "India"),
    ("BRA", "Brazil"),
    ("ZAF", "South Africa"),
    ("ISR", "Israel"),
    ("TUR", "Turkey"),
    ("EGY", "Egypt"),
    ("NGA", "Nigeria"),
    ("KEN", "Kenya"),
    ("MEX", "Mexico"),
    ("CAN", "Canada"),
    ("AUS", "Australia"),
    ("IDN", "Indonesia"),
    ("KOR", "South Korea"),
    ("VNM", "Vietnam"),
    ("PHL", "Philippines"),
    ("ARG", "Argentina"),
    ("ITA", "Italy"),
    ("ESP", "Spain"),
    ("POL", "Poland"),
    ("NOR", "Norway"),
    ("SWE", "Sweden"),
    ("CHL", "Chile"),
    ("COL", "Colombia"),
    ("THA", "Thailand"),
    ("MYS", "Malaysia"),
    ("SGP", "Singapore"),
    ("NZL", "New Zealand"),
    ("MAR", "Morocco"),
    ("ETH", "Ethiopia"),
    ("PAK", "Pakistan"),
    ("SAU", "Saudi Arabia"),
    ("KAZ", "Kazakhstan"),
    ("PER", "Peru"),
    ("GHA", "Ghana"),
];

const FIRST: [(&str, &str); 16] = [
    ("Anna", "she"),
    ("Tomas", "he"),
    ("Lena", "she"),
    ("Marek", "he"),
    ("Ines", "she"),
    ("Paulo", "he"),
    ("Sara", "she"),
    ("Oren", "he"),
    ("Mina", "she"),
    ("Kai", "he"),
    ("Rhea", "she"),
    ("Dario", "he"),
    ("Yara", "she"),
    ("Jonas", "he"),
    ("Nadia", "she"),
    ("Emil", "he"),
];
const SURNAME_HEAD: [&str; 20] = [
    "Vor", "Kal", "Ten", "Mir", "Bas", "Dor", "Len", "Sar", "Tal", "Fen", "Gor", "Hal", "Jor",
    "Nes", "Ost", "Pel", "Rav", "Sel", "Tor", "Val",
];
const SURNAME_TAIL: [&str; 5] = ["andrek", "ovinsk", "essaro", "ithwen", "ulmark"];
const TITLES: [&str; 2] = ["Prime Minister", "Foreign Minister"];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct WorldOptions {
    pub countries: usize,
    pub visits: usize,
    pub articles: u64,
    pub seed: u64,
    pub mean_bytes: usize,
    /// Days of news, from the first article to the last.
    pub days: u32,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            countries: 34,
            visits: 8,
            articles: 400,
            seed: 7,
            mean_bytes: 2_500,
            days: 112,
        }
    }
}

/// Most countries the world can hold.
pub const MAX_COUNTRIES: usize = COUNTRIES.len();
/// Days before and after each visit that the config compares with its days.
const WINDOW_DAYS: i64 = 10;

struct Official {
    speaker: Speaker,
    id: String,
    country: &'static str,
    gender: &'static str,
}

struct Visit {
    name: String,
    host: usize,
    visitor: usize,
    start: NaiveDate,
    end: NaiveDate,
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 4).unwrap_or_default()
}

/// Two invented officials per country; names unique (surname head × tail is a bijection).
fn officials(countries: usize) -> Vec<Vec<Official>> {
    (0..countries)
        .map(|c| {
            (0..2)
                .map(|k| {
                    let p = 2 * c + k;
                    let (first, pronoun) = FIRST[(p * 5 + c) % FIRST.len()];
                    let surname = format!(
                        "{}{}",
                        SURNAME_HEAD[p % SURNAME_HEAD.len()],
                        SURNAME_TAIL[p / SURNAME_HEAD.len()]
                    );
                    Official {
                        speaker: Speaker {
                            name: format!("{first} {surname}"),
                            surname,
                            title: Some(TITLES[k].to_string()),
                            pronoun: if pronoun == "she" { "she" } else { "he" },
                        },
                        id: format!("synth-{}-{k}", COUNTRIES[c].0.to_lowercase()),
                        country: COUNTRIES[c].0,
                        gender: if pronoun == "she" { "female" } else { "male" },
                    }
                })
                .collect()
        })
        .collect()
}

/// Visits spread over the period: hosts and visitors from the busier half of the countries,
/// never the same pair twice in a row.
fn visits(opts: &WorldOptions) -> Vec<Visit> {
    let busy = (opts.countries / 2).max(2);
    let usable = (opts.days as i64 - 2 * WINDOW_DAYS - 3).max(1);
    (0..opts.visits)
        .map(|v| {
            let host = (v * 3) % busy;
            let mut visitor = (v * 3 + 1 + v / busy) % busy;
            if visitor == host {
                visitor = (visitor + 1) % busy;
            }
            let start = first_day()
                + Duration::days(WINDOW_DAYS + usable * v as i64 / opts.visits.max(1) as i64);
            Visit {
                name: format!("{} to {}", COUNTRIES[visitor].1, COUNTRIES[host].1),
                host,
                visitor,
                start,
                end: start + Duration::days(1 + (v % 2) as i64),
            }
        })
        .collect()
}

/// The actors registry of the invented officials (`[models] extra_actors`).
fn actors_toml(officials: &[Vec<Official>]) -> String {
    let mut out = String::from(
        "# Invented officials of the synthetic world written by `tonetrack synth --world`.\n\
         # None of these people exists; the countries they speak for are a generic backdrop.\n\
         schema_version = 1\n",
    );
    for o in officials.iter().flatten() {
        out.push_str(&format!(
            "\n[[actor]]\nid = \"{}\"\nname = \"{}\"\nkind = \"person\"\ncountry = \"{}\"\n\
             gender = \"{}\"\nroles = [\n  {{ title = \"{}\", org = \"Government\", from = 2020-01-01 }},\n]\n",
            o.id,
            o.speaker.name,
            o.country,
            o.gender,
            o.speaker.title.as_deref().unwrap_or("Minister")
        ));
    }
    out
}

/// The run config: the invented registry and the visits.
fn config_toml(officials: &[Vec<Official>], visits: &[Visit], countries: usize) -> String {
    let mut out = format!(
        "# Run configuration of the synthetic world written by `tonetrack synth --world`:\n\
         # {countries} countries, {} visits. Paths are relative to this file.\n\n\
         [models]\nextra_actors = [\"actors.toml\"]\n\n[aggregate]\nvisit_window_days = {WINDOW_DAYS}\n",
        visits.len()
    );
    for v in visits {
        let names: Vec<String> = [v.visitor, v.host]
            .iter()
            .flat_map(|c| {
                officials[*c]
                    .iter()
                    .map(|o| format!("{:?}", o.speaker.name))
            })
            .collect();
        out.push_str(&format!(
            "\n[[visit]]\nname = \"{}\"\nstart = {}\nend = {}\nhost = \"{}\"\nvisitor = \"{}\"\nparticipants = [{}]\n",
            v.name,
            v.start,
            v.end,
            COUNTRIES[v.host].0,
            COUNTRIES[v.visitor].0,
            names.join(", ")
        ));
    }
    out
}

/// Writes `articles.jsonl`, `actors.toml` and `tonetrack.toml` into `dir`.
pub fn write_world(dir: &Path, opts: &WorldOptions) -> std::io::Result<SynthStats> {
    let countries = opts.countries.clamp(2, MAX_COUNTRIES);
    let opts = WorldOptions { countries, ..*opts };
    std::fs::create_dir_all(dir)?;
    let officials = officials(countries);
    let visits = visits(&opts);
    std::fs::write(dir.join("actors.toml"), actors_toml(&officials))?;
    std::fs::write(
        dir.join("tonetrack.toml"),
        config_toml(&officials, &visits, countries),
    )?;
    let file = std::fs::File::create(dir.join("articles.jsonl"))?;
    let mut out = std::io::BufWriter::new(file);
    let mut rng = Rng(crate::rng::SplitMix64(opts.seed ^ 0x3011_D000_0000_0000));
    let experts: Vec<(Speaker, &'static str)> = EXPERT_NAMES
        .iter()
        .zip(INSTITUTIONS.iter().cycle())
        .map(|((n, p), inst)| (super::speaker(n, p), *inst))
        .collect();
    let mut stats = SynthStats::default();
    for i in 0..opts.articles {
        let day = first_day() + Duration::days(rng.below(opts.days.max(1) as usize) as i64);
        // An article about a visit when its day falls in one's windows (two in three), else
        // background news: every country once, then mostly the busy ones.
        let around = visits.iter().find(|v| {
            day >= v.start - Duration::days(WINDOW_DAYS)
                && day <= v.end + Duration::days(WINDOW_DAYS)
        });
        let (picked, tenths, place) = match around {
            Some(v) if rng.chance(66) => {
                let mut picked = vec![v.host, v.visitor];
                if rng.chance(30) {
                    picked.push(rng.below(countries));
                }
                let tenths = if day < v.start {
                    3
                } else if day <= v.end {
                    6
                } else {
                    4
                };
                (picked, tenths, COUNTRIES[v.host].1)
            }
            _ => {
                let first = if (i as usize) < countries {
                    i as usize
                } else {
                    // Squaring a uniform draw favours the front of the list.
                    let u = rng.below(1000) as f64 / 1000.0;
                    ((u * u) * countries as f64) as usize
                };
                let second = rng.below(countries);
                (vec![first, second], 4, COUNTRIES[first].1)
            }
        };
        let cast = Cast {
            officials: picked
                .iter()
                .flat_map(|c| officials[*c].iter().map(|o| o.speaker.clone()))
                .collect(),
            organisations: vec!["the foreign ministry".into()],
            experts: experts.clone(),
            conciliatory_tenths: tenths,
        };
        let target = opts.mean_bytes * (60 + rng.below(91)) / 105;
        let weekday = day.format("%A").to_string();
        let text = article_text(&mut rng, &cast, target, &weekday, &mut stats.constructions);
        let record = serde_json::json!({
            "id": format!("world-{}-{i:06}", opts.seed),
            "published": day.to_string(),
            "title": format!("Officials weigh next steps after talks in {place}"),
            "source": rng.word(SOURCES),
            "url": format!("https://news.example/world/{}/{i}", day.format("%Y/%m/%d")),
            "text": text,
        });
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
        stats.articles += 1;
        stats.bytes += text.len() as u64;
    }
    out.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_names_every_official_once_and_its_visits_pair_two_countries() {
        let o = officials(MAX_COUNTRIES);
        let names: std::collections::BTreeSet<&str> = o
            .iter()
            .flatten()
            .map(|o| o.speaker.name.as_str())
            .collect();
        let surnames: std::collections::BTreeSet<&str> = o
            .iter()
            .flatten()
            .map(|o| o.speaker.surname.as_str())
            .collect();
        assert_eq!(names.len(), 2 * MAX_COUNTRIES);
        assert_eq!(
            surnames.len(),
            2 * MAX_COUNTRIES,
            "bare surnames must resolve to one person"
        );
        let opts = WorldOptions::default();
        let v = visits(&opts);
        assert_eq!(v.len(), 8);
        assert!(v.iter().all(|v| v.host != v.visitor && v.end >= v.start));
        let last_day = first_day() + Duration::days(opts.days as i64);
        assert!(v
            .iter()
            .all(|v| v.end + Duration::days(WINDOW_DAYS) <= last_day));
        let names: std::collections::BTreeSet<&str> = v.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names.len(), v.len(), "visit names are unique");
    }

    #[test]
    fn the_written_config_and_registry_load() {
        let dir = tempfile::tempdir().unwrap();
        let opts = WorldOptions {
            articles: 30,
            ..Default::default()
        };
        let stats = write_world(dir.path(), &opts).unwrap();
        assert_eq!(stats.articles, 30);
        let config = crate::config::Config::load(&dir.path().join("tonetrack.toml")).unwrap();
        assert_eq!(config.visits().count(), 8);
        assert!(config.visits().all(|v| v.participants.len() == 4));
        let text = std::fs::read_to_string(dir.path().join("actors.toml")).unwrap();
        assert_eq!(text.matches("[[actor]]").count(), 2 * 34);
        let again = tempfile::tempdir().unwrap();
        write_world(again.path(), &opts).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("articles.jsonl")).unwrap(),
            std::fs::read(again.path().join("articles.jsonl")).unwrap(),
            "same seed, same bytes"
        );
    }
}
