//! A deterministic synthetic news corpus for benchmarks: JSON Lines articles of realistic length
//! (about 4 KB), paragraphs, datelines, captions and boilerplate, and a realistic density of the
//! constructions the extractor handles — direct quotes with "X said", appositive speakers,
//! colon-introduced quotes, partial quotes, reported speech, "he added", "according to",
//! scare quotes that are not statements. Every sentence comes from templates written for this
//! file; the cast comes from the loaded actors registry, so speakers resolve as in real runs.
//!
//! The same seed and size always give the same bytes, so benchmark numbers are comparable
//! between commits and machines.

pub mod world;

use std::io::Write;

use chrono::NaiveDate;

use crate::actors::registry::{ActorKind, Gender};
use crate::actors::Registry;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SynthOptions {
    pub articles: u64,
    pub seed: u64,
    /// Mean article length in bytes; lengths vary from about 0.6× to 1.5× of it.
    pub mean_bytes: usize,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            articles: 10_000,
            seed: 7,
            mean_bytes: 4_000,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct SynthStats {
    pub articles: u64,
    pub bytes: u64,
    /// Quotation and reported-speech constructions written (an upper bound on statements: a
    /// quote continued over two paragraphs counts twice).
    pub constructions: u64,
}

/// A person who speaks in the generated articles.
#[derive(Debug, Clone)]
struct Speaker {
    name: String,
    surname: String,
    title: Option<String>,
    pronoun: &'static str,
}

/// The people and outlets the generator draws from.
#[derive(Debug, Clone)]
pub struct Cast {
    officials: Vec<Speaker>,
    organisations: Vec<String>,
    experts: Vec<(Speaker, &'static str)>,
    /// Quotations drawn from the conciliatory bank, in tenths (the firm bank takes the next
    /// three tenths, the neutral bank the rest): 4 by default, more during a friendly visit.
    conciliatory_tenths: usize,
}

impl Cast {
    /// Officials and organisations from the registry (so attribution works as on real news),
    /// plus invented experts whose country must be inferred from their institution's city.
    pub fn from_registry(registry: &Registry) -> Cast {
        let mut officials = Vec::new();
        let mut organisations = Vec::new();
        for a in &registry.actors {
            match a.kind {
                ActorKind::Person => {
                    let surname = a.surname.clone().unwrap_or_else(|| {
                        a.name
                            .split_whitespace()
                            .last()
                            .unwrap_or(&a.name)
                            .to_string()
                    });
                    officials.push(Speaker {
                        name: a.name.clone(),
                        surname,
                        title: a.roles.last().map(|r| r.title.clone()),
                        pronoun: if a.gender == Some(Gender::Female) {
                            "she"
                        } else {
                            "he"
                        },
                    });
                }
                ActorKind::Organisation => organisations.push(a.name.clone()),
                ActorKind::Media => {}
            }
        }
        if officials.is_empty() {
            officials = EXPERT_NAMES.iter().map(|(n, p)| speaker(n, p)).collect();
        }
        if organisations.is_empty() {
            organisations.push("the foreign ministry".into());
        }
        let experts = EXPERT_NAMES
            .iter()
            .zip(INSTITUTIONS.iter().cycle())
            .map(|((n, p), inst)| (speaker(n, p), *inst))
            .collect();
        Cast {
            officials,
            organisations,
            experts,
            conciliatory_tenths: 4,
        }
    }
}

fn speaker(name: &str, pronoun: &'static str) -> Speaker {
    Speaker {
        name: name.to_string(),
        surname: name.split_whitespace().last().unwrap_or(name).to_string(),
        title: None,
        pronoun,
    }
}

const EXPERT_NAMES: &[(&str, &str)] = &[
    ("Marta Kovell", "she"),
    ("Tomas Reyner", "he"),
    ("Liang Haoran", "he"),
    ("Priya Sandhu", "she"),
    ("Oskar Lindqvist", "he"),
    ("Amara Obi", "she"),
    ("Daniel Feruz", "he"),
    ("Sun Meiling", "she"),
];

const INSTITUTIONS: &[&str] = &[
    "a professor of international relations at a university in Shanghai",
    "a senior fellow at a policy institute in Washington",
    "a researcher at an academy of social sciences in Beijing",
    "a former diplomat now teaching in London",
    "an analyst at a security think tank in Tokyo",
    "a lecturer in Asian studies at a university in Sydney",
];

const CONCILIATORY: &[&str] = &[
    "We made real progress on several issues and agreed to keep the channels of communication open",
    "The talks were candid, constructive and productive, and both sides showed a sincere wish to stabilise relations",
    "We welcome the resumption of dialogue and look forward to deepening cooperation on climate and public health",
    "Both countries share a responsibility to manage their differences peacefully and to find common ground",
    "This visit is an important step toward rebuilding trust between our two peoples",
    "We are ready to work with our partners in a spirit of mutual respect and win-win cooperation",
    "There is broad agreement that stable relations serve the interests of the whole region",
    "We hope to build on today's meeting and to hold further consultations soon",
];

const FIRM: &[&str] = &[
    "There is no room for compromise or concessions on questions of sovereignty",
    "We firmly oppose any interference in our internal affairs and will take resolute countermeasures",
    "Those who play with fire will only get burned, and the consequences will be borne by them",
    "We will not hesitate to defend our interests and we reject these groundless accusations",
    "The sanctions are unacceptable and we have lodged solemn representations",
    "We will hold them accountable for this provocation and we will respond firmly",
    "These actions seriously undermine regional stability and must stop immediately",
    "We strongly condemn the decision, which violates international law",
];

const NEUTRAL: &[&str] = &[
    "The delegations discussed trade, export controls and the situation in the region",
    "The ministers will meet again after the summit to review the schedule of working groups",
    "We are studying the proposal and will announce our position in due course",
    "The agenda includes maritime issues, fentanyl and the exchange of students",
    "Officials from both sides are expected to continue technical consultations next month",
    "The report will be presented to parliament before the end of the session",
];

const REPORTED: &[&str] = &[
    "the two sides had agreed to restore military communication channels",
    "the root cause of the tension was a series of provocations near the border",
    "the government would not accept any preconditions for the talks",
    "both delegations were committed to a stable and predictable relationship",
    "further sanctions remained on the table if the violations continued",
    "the negotiations had entered a more practical phase",
    "the embassy was following the case closely",
];

const PARTIAL: &[&str] = &[
    "candid and constructive",
    "a serious violation",
    "a positive signal",
    "deeply irresponsible",
    "an important step forward",
    "unacceptable interference",
];

const SCARE: &[&str] = &[
    "strategic ambiguity",
    "de-risking",
    "small yard, high fence",
    "red lines",
    "new normal",
];

const BACKGROUND: &[&str] = &[
    "Relations between the two countries have been strained by disputes over trade, technology and security",
    "The meeting came after months of preparation by working-level officials",
    "Analysts have long debated whether the policy of {scare} still serves its purpose",
    "Shipping through the strait was not affected, according to port authorities",
    "The last visit at this level took place more than four years ago",
    "Markets reacted calmly, with the main index closing slightly higher",
    "Critics describe the approach as \"{scare}\", a phrase officials avoid in public",
];

const VERBS: &[&str] = &[
    "said",
    "told reporters",
    "said in a statement",
    "added",
    "stressed",
    "noted",
    "told a news conference",
];

const DATELINES: &[&str] = &[
    "BEIJING",
    "WASHINGTON",
    "GENEVA",
    "TOKYO",
    "BRUSSELS",
    "SINGAPORE",
    "JAKARTA",
];

const BOILERPLATE: &[&str] = &[
    "Join our WhatsApp group for the latest updates",
    "Leave a Reply",
    "Subscribe to our newsletter",
];

const SOURCES: &[&str] = &[
    "Daily Courier",
    "Global Ledger",
    "Harbour Times",
    "The Continental",
    "Morning Wire",
];

/// Draws for the templates, on the shared reproducible generator.
struct Rng(crate::rng::SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn word(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The words of a quotation: one to three sentences, mostly of one tone.
fn quotation(rng: &mut Rng, conciliatory_tenths: usize) -> String {
    let bank = match rng.below(10) {
        x if x < conciliatory_tenths => CONCILIATORY,
        x if x < conciliatory_tenths + 3 => FIRM,
        _ => NEUTRAL,
    };
    let n = 1 + rng.below(3);
    let mut out = String::new();
    let mut used: Vec<&str> = Vec::with_capacity(n);
    for i in 0..n {
        let from = if i > 0 && rng.chance(30) {
            NEUTRAL
        } else {
            bank
        };
        let sentence = rng.word(from);
        if used.contains(&sentence) {
            continue;
        }
        used.push(sentence);
        if i > 0 {
            out.push(' ');
        }
        out.push_str(sentence);
        out.push('.');
    }
    out
}

/// Writes one article's text.
fn article_text(
    rng: &mut Rng,
    cast: &Cast,
    target: usize,
    day: &str,
    constructions: &mut u64,
) -> String {
    let mut text = String::with_capacity(target + 600);
    let mut last: Option<Speaker> = None;
    text.push_str(rng.word(DATELINES));
    text.push_str(" - ");
    let lead = rng.pick(&cast.officials).clone();
    text.push_str(&format!(
        "{} said on {day} that {}.\n\n",
        title_name(&lead),
        rng.word(REPORTED)
    ));
    *constructions += 1;
    last = last.or(Some(lead));
    while text.len() < target {
        let official = rng.pick(&cast.officials).clone();
        let q = quotation(rng, cast.conciliatory_tenths);
        let paragraph = match rng.below(20) {
            0 | 1 => format!(
                "\"{}\" {} {}.",
                trim_stop(&q),
                official.name,
                rng.word(VERBS)
            ),
            2 => {
                let (expert, inst) = rng.pick(&cast.experts).clone();
                let p = format!("\"{}\" said {}, {}.", trim_stop(&q), expert.name, inst);
                last = Some(expert);
                p
            }
            3 => format!("{} told reporters on {day}: \"{q}\"", title_name(&official)),
            4 => format!(
                "{} described the talks as \"{}\" and said {}.",
                official.surname,
                rng.word(PARTIAL),
                rng.word(REPORTED)
            ),
            5 => format!("{} said {}.", official.name, rng.word(REPORTED)),
            6 => match &last {
                Some(prev) => format!("\"{}\" {} added.", trim_stop(&q), prev.pronoun),
                None => format!("\"{}\" {} said.", trim_stop(&q), official.name),
            },
            7 => format!(
                "According to {}, {}.",
                rng.pick(&cast.organisations),
                rng.word(REPORTED)
            ),
            // A quote running over two paragraphs: the first one is left open, as news style has it.
            8 => format!(
                "\"{q}\n\n\"{}\" {} said.",
                trim_stop(&quotation(rng, cast.conciliatory_tenths)),
                official.name
            ),
            _ => {
                // Narrative paragraphs of two or three sentences, no speech.
                for k in 0..2 + rng.below(2) {
                    if k > 0 {
                        text.push(' ');
                    }
                    text.push_str(&rng.word(BACKGROUND).replace("{scare}", rng.word(SCARE)));
                    text.push('.');
                }
                text.push_str("\n\n");
                if rng.chance(8) {
                    text.push_str(&format!(
                        "– Photo: {}/{}\n\n",
                        rng.word(SOURCES),
                        official.surname
                    ));
                }
                continue;
            }
        };
        *constructions += 1;
        if !matches!(paragraph.as_bytes().first(), Some(b'"')) || paragraph.contains(&official.name)
        {
            last = Some(official);
        }
        text.push_str(&paragraph);
        text.push_str("\n\n");
    }
    if rng.chance(30) {
        text.push_str(rng.word(BOILERPLATE));
        text.push('\n');
    }
    text
}

fn title_name(s: &Speaker) -> String {
    match &s.title {
        Some(t) => format!("{t} {}", s.name),
        None => s.name.clone(),
    }
}

/// "Progress was made." inside `"…," he said` loses its stop and takes a comma.
fn trim_stop(q: &str) -> String {
    format!("{},", q.trim_end_matches('.'))
}

/// Writes `opts.articles` JSON Lines articles to `out`, one at a time (memory stays constant).
pub fn write_corpus(
    out: &mut dyn Write,
    cast: &Cast,
    opts: &SynthOptions,
) -> std::io::Result<SynthStats> {
    let mut rng = Rng(crate::rng::SplitMix64(opts.seed ^ 0x5EED_0000_0000_0000));
    let mut stats = SynthStats::default();
    let first = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
    let mut line = Vec::with_capacity(opts.mean_bytes * 2);
    for i in 0..opts.articles {
        let published = first + chrono::Duration::days(rng.below(6 * 365) as i64);
        let day = published.format("%A").to_string();
        // 0.6× … 1.5× of the mean, mean preserved.
        let target = opts.mean_bytes * (60 + rng.below(91)) / 105;
        let text = article_text(&mut rng, cast, target, &day, &mut stats.constructions);
        let source = rng.word(SOURCES);
        let record = serde_json::json!({
            "id": format!("synth-{}-{i:08}", opts.seed),
            "published": published.to_string(),
            "title": format!("Officials weigh next steps after talks in {}", rng.word(DATELINES).to_lowercase()),
            "source": source,
            "url": format!("https://news.example/{}/{i}", published.format("%Y/%m/%d")),
            "text": text,
        });
        line.clear();
        serde_json::to_writer(&mut line, &record)?;
        line.push(b'\n');
        out.write_all(&line)?;
        stats.articles += 1;
        stats.bytes += text.len() as u64;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cast() -> Cast {
        Cast {
            officials: vec![speaker("Ana Berg", "she"), speaker("Li Wei", "he")],
            organisations: vec!["the foreign ministry".into()],
            experts: vec![(speaker("Marta Kovell", "she"), INSTITUTIONS[0])],
            conciliatory_tenths: 4,
        }
    }

    #[test]
    fn same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let gen = |seed| {
            let mut out = Vec::new();
            write_corpus(
                &mut out,
                &cast(),
                &SynthOptions {
                    articles: 20,
                    seed,
                    mean_bytes: 4000,
                },
            )
            .unwrap();
            out
        };
        assert_eq!(gen(1), gen(1));
        assert_ne!(gen(1), gen(2));
    }

    #[test]
    fn articles_are_about_the_requested_length_and_valid_json_lines() {
        let mut out = Vec::new();
        let stats = write_corpus(
            &mut out,
            &cast(),
            &SynthOptions {
                articles: 200,
                seed: 3,
                mean_bytes: 4000,
            },
        )
        .unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(lines.len(), 200);
        for l in &lines {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert!(v["text"].as_str().unwrap().len() > 1500);
            assert!(v["published"].as_str().unwrap().starts_with("20"));
        }
        let mean = stats.bytes as f64 / stats.articles as f64;
        assert!(
            (3500.0..5000.0).contains(&mean),
            "mean article length {mean}"
        );
        assert!(
            stats.constructions / stats.articles >= 4,
            "too few statements per article"
        );
    }
}
