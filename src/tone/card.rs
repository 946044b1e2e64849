//! Reading the model card back (`models/tone-head.md`, written by `tonetrack train tone`), so CI
//! can hold the shipped model to its recorded cross-validation without retraining it: the card
//! names the sha256 of every file the model is made of and of the data it was trained on, and
//! its table holds the 5-fold macro-F1 per set. [`CardRecord::mismatches`] says where the card
//! no longer describes what ships (a retrained head without a new card, new training
//! statements without a retrained model); `tonetrack eval tone --card` gates the recorded
//! means. Example:
//!
//! ```text
//! let card = CardRecord::parse("models/tone-head.md", &text)?;
//! card.cv_mean("ensemble", "cameo")   // Some(("cameo (mapped)", 0.929))
//! ```

use crate::error::{Error, Result};

/// One row of the card's cross-validation table.
#[derive(Debug, Clone, PartialEq)]
pub struct CvRow {
    pub set: String,
    pub n: usize,
    /// Mean macro-F1 of the lexicon, transformer and ensemble scorers.
    pub lexicon: f64,
    pub transformer: f64,
    pub ensemble: f64,
}

/// What a card says about the model it describes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardRecord {
    /// `model.safetensors` of the base encoder.
    pub base_sha256: Option<String>,
    /// The fine-tuned layers file.
    pub tuned_sha256: Option<String>,
    /// The head file itself (cards written since 2026-12-05).
    pub head_sha256: Option<String>,
    pub lexicon_sha256: Option<String>,
    /// (set name, first 16 hex digits of the set's sha256) per training set.
    pub data: Vec<(String, String)>,
    pub folds: Option<usize>,
    pub cv: Vec<CvRow>,
}

/// The text between the first pair of backticks after `marker` on `line`.
fn quoted_after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

/// The cells of a Markdown table row (`| a | b |` → ["a", "b"]), `None` for other lines.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

#[derive(PartialEq)]
enum Section {
    Header,
    Data,
    Cv,
    Other,
}

impl CardRecord {
    /// Parses a card; `file` names it in errors, which give the line.
    pub fn parse(file: &str, text: &str) -> Result<CardRecord> {
        let err = |line: usize, message: String| Error::Config {
            file: file.to_string(),
            line,
            message,
        };
        let mut card = CardRecord::default();
        let mut section = Section::Header;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if let Some(title) = line.strip_prefix("## ") {
                section = if title.starts_with("Training data") {
                    Section::Data
                } else if let Some(rest) = title.strip_prefix("Cross-validation (") {
                    let k = rest.split_whitespace().next().unwrap_or_default();
                    card.folds = Some(k.parse().map_err(|_| {
                        err(
                            n,
                            format!("expected \"Cross-validation (K folds)\", got {title:?}"),
                        )
                    })?);
                    Section::Cv
                } else {
                    Section::Other
                };
                continue;
            }
            match section {
                Section::Header if line.starts_with("- version ") => {
                    card.base_sha256 =
                        quoted_after(line, "`model.safetensors` sha256").map(String::from);
                }
                Section::Header if line.starts_with("- fine-tuned:") => {
                    card.tuned_sha256 = quoted_after(line, "sha256").map(String::from);
                }
                Section::Header if line.starts_with("- head:") => {
                    card.head_sha256 = quoted_after(line, "sha256").map(String::from);
                }
                Section::Header if line.starts_with("- tone lexicon") => {
                    card.lexicon_sha256 = quoted_after(line, "sha256").map(String::from);
                }
                Section::Data => {
                    let Some(c) = cells(line) else { continue };
                    if c.len() < 3 || c[0] == "set" || c[0].starts_with("---") {
                        continue;
                    }
                    card.data
                        .push((c[0].to_string(), c[2].trim_matches('`').to_string()));
                }
                Section::Cv => {
                    let Some(c) = cells(line) else { continue };
                    if c.len() < 5 || c[0] == "set" || c[0].starts_with("---") {
                        continue;
                    }
                    let num = |j: usize| -> Result<f64> {
                        c[j].parse().map_err(|_| {
                            err(
                                n,
                                format!("cross-validation row: {:?} is not a number", c[j]),
                            )
                        })
                    };
                    card.cv.push(CvRow {
                        set: c[0].to_string(),
                        n: c[1].parse().map_err(|_| {
                            err(
                                n,
                                format!("cross-validation row: {:?} is not a count", c[1]),
                            )
                        })?,
                        lexicon: num(2)?,
                        transformer: num(3)?,
                        ensemble: num(4)?,
                    });
                }
                _ => {}
            }
        }
        let missing = [
            (
                card.base_sha256.is_none(),
                "the base encoder's sha256 (\"- version …\")",
            ),
            (card.lexicon_sha256.is_none(), "the tone lexicon's sha256"),
            (card.data.is_empty(), "the training data table"),
        ];
        if let Some((_, what)) = missing.iter().find(|(m, _)| *m) {
            return Err(err(
                0,
                format!(
                    "the card does not give {what}; rerun `tonetrack train tone` to rewrite it"
                ),
            ));
        }
        Ok(card)
    }

    /// The recorded mean macro-F1 of `scorer` (lexicon, transformer, ensemble) on the set whose
    /// name starts with `set` ("cameo", "plover", "diplomatic"), with the set's full name.
    pub fn cv_mean(&self, scorer: &str, set: &str) -> Option<(&str, f64)> {
        let row = self.cv.iter().find(|r| r.set.starts_with(set))?;
        let f1 = match scorer {
            "lexicon" => row.lexicon,
            "transformer" => row.transformer,
            "ensemble" => row.ensemble,
            _ => return None,
        };
        Some((&row.set, f1))
    }

    /// Where the card does not describe `shipped`: one line per difference, empty when it does.
    pub fn mismatches(&self, shipped: &Shipped) -> Vec<String> {
        let mut out = Vec::new();
        let mut same = |what: &str, card: Option<&str>, now: Option<&str>| {
            if card != now {
                out.push(format!(
                    "{what}: the card says {}, the shipped one is {}",
                    card.unwrap_or("nothing"),
                    now.unwrap_or("absent")
                ));
            }
        };
        same(
            "base encoder sha256",
            self.base_sha256.as_deref(),
            Some(&shipped.base_sha256),
        );
        same(
            "fine-tuned layers sha256",
            self.tuned_sha256.as_deref(),
            shipped.tuned_sha256.as_deref(),
        );
        same(
            "tone lexicon sha256",
            self.lexicon_sha256.as_deref(),
            Some(&shipped.lexicon_sha256),
        );
        // Cards before the head line cannot vouch for the head's weights.
        same(
            "head file sha256",
            self.head_sha256.as_deref(),
            Some(&shipped.head_sha256),
        );
        for (name, sha) in &shipped.data {
            let prefix = sha.get(..16).unwrap_or(sha);
            match self.data.iter().find(|(n, _)| n == name) {
                Some((_, recorded)) if recorded == prefix => {}
                Some((_, recorded)) => out.push(format!(
                    "training set {name}: the card was trained on sha256 {recorded}…, the data now is {prefix}… (retrain: `tonetrack train tone`)"
                )),
                None => out.push(format!("training set {name}: not in the card's data table")),
            }
        }
        out
    }
}

/// The files a card should describe, as they are now.
#[derive(Debug, Clone)]
pub struct Shipped {
    pub base_sha256: String,
    pub tuned_sha256: Option<String>,
    pub head_sha256: String,
    pub lexicon_sha256: String,
    /// (set name, sha256) of each training set as read today.
    pub data: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_card() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/tone-head.md");
        std::fs::read_to_string(path).unwrap()
    }

    const CARD: &str = "# Model card\n\n\
- version `9`; base encoder `m` (6 layers), `model.safetensors` sha256 `aa11`, installed\n\
- fine-tuned: layers 4–5 in `t.safetensors`, fp16, sha256 `bb22`; the rest\n\
- head: `tone-head.json` sha256 `cc33`\n\
- tone lexicon for the ensemble's features: `lex` version `1`, sha256 `dd44`\n\n\
## Training data\n\n\
| set | files | sha256 | used |\n|---|---|---|---|\n\
| cameo (mapped) | `a.jsonl` | `0123456789abcdef` | 10 |\n\n\
## Cross-validation (5 folds)\n\n\
| set | n | lexicon | transformer | ensemble | bar | per fold |\n|---|---|---|---|---|---|---|\n\
| cameo (mapped) | 10 | 0.500 | 0.900 | 0.910 | 0.85 | 0.9 0.9 |\n\n\
## Known limits\n\n- none | of | these | count |\n";

    fn shipped() -> Shipped {
        Shipped {
            base_sha256: "aa11".into(),
            tuned_sha256: Some("bb22".into()),
            head_sha256: "cc33".into(),
            lexicon_sha256: "dd44".into(),
            data: vec![("cameo (mapped)".into(), "0123456789abcdef99".into())],
        }
    }

    #[test]
    fn a_card_is_read_back_into_its_hashes_and_cross_validation() {
        let card = CardRecord::parse("card.md", CARD).unwrap();
        assert_eq!(card.base_sha256.as_deref(), Some("aa11"));
        assert_eq!(card.tuned_sha256.as_deref(), Some("bb22"));
        assert_eq!(card.head_sha256.as_deref(), Some("cc33"));
        assert_eq!(card.lexicon_sha256.as_deref(), Some("dd44"));
        assert_eq!(card.folds, Some(5));
        assert_eq!(card.cv.len(), 1);
        assert_eq!(
            card.cv_mean("ensemble", "cameo"),
            Some(("cameo (mapped)", 0.91))
        );
        assert_eq!(
            card.cv_mean("lexicon", "cameo"),
            Some(("cameo (mapped)", 0.5))
        );
        assert_eq!(card.cv_mean("ensemble", "plover"), None);
        assert!(card.mismatches(&shipped()).is_empty());
    }

    #[test]
    fn a_card_that_no_longer_describes_the_files_or_the_data_says_which() {
        let card = CardRecord::parse("card.md", CARD).unwrap();
        let mut now = shipped();
        now.head_sha256 = "ee55".into();
        now.data[0].1 = "fedcba9876543210".into();
        let why = card.mismatches(&now);
        assert_eq!(why.len(), 2, "{why:?}");
        assert!(why[0].starts_with("head file sha256"), "{why:?}");
        assert!(why[1].contains("train tone"), "{why:?}");
    }

    #[test]
    fn a_card_without_its_hashes_is_an_error_naming_the_file() {
        let e = CardRecord::parse("x/card.md", "# Model card\n\nnothing here\n").unwrap_err();
        assert!(e.to_string().contains("x/card.md"), "{e}");
    }

    #[test]
    fn a_malformed_number_in_the_cross_validation_names_its_line() {
        let bad = CARD.replace("| 0.910 |", "| n/a |");
        let e = CardRecord::parse("card.md", &bad).unwrap_err().to_string();
        assert!(e.starts_with("card.md:18:"), "{e}");
        assert!(e.contains("n/a"), "{e}");
    }

    #[test]
    fn the_shipped_card_gives_every_set_its_cross_validation() {
        let card = CardRecord::parse("models/tone-head.md", &shipped_card()).unwrap();
        assert_eq!(card.folds, Some(5));
        let sets: Vec<&str> = card.cv.iter().map(|r| r.set.as_str()).collect();
        assert_eq!(
            sets,
            ["cameo (mapped)", "plover-plv (mapped)", "diplomatic"]
        );
        assert_eq!(card.data.len(), 3);
        for r in &card.cv {
            assert!(r.n > 0 && (0.0..=1.0).contains(&r.ensemble), "{r:?}");
        }
    }
}
