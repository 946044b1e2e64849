//! The speaker re-ranker's model file, `models/speaker-ranker.toml`: its margin, the
//! attribution rules it trusts, and its weights by feature name, read with every name checked
//! (an unknown feature or rule is an error naming the file and line) and written back
//! deterministically.
//!
//! ```text
//! margin = 8.0000
//! trusted = ["after-quote", "after-quote:inverted"]
//! [weights]
//! "rule:after-quote" = 1.5000          the rules' choice, by rule
//! "side:before:colon" = -0.2500        a side of the quote, by rule
//! ```

use serde::Deserialize;
use toml::Spanned;

use super::SpeakerRanker;
use crate::error::Result;
use crate::models::ModelFile;
use crate::rule::Rule;
use rustc_hash::FxHashMap as HashMap;

/// The prefixes every feature name starts with; a weight under any other name is a typo in the
/// model file (or a file written by another version), refused at load.
const FEATURE_PREFIXES: &[&str] = &[
    "rule",
    "rule_overlap",
    "side",
    "dist",
    "order",
    "type",
    "next",
    "prev",
    "len",
    "poss",
    "title",
    "salient",
    "headline",
    "sent_start",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankerFile {
    schema_version: Spanned<u32>,
    #[allow(dead_code)]
    about: Option<String>,
    margin: Spanned<f64>,
    #[serde(default)]
    trusted: Vec<Spanned<String>>,
    weights: std::collections::BTreeMap<String, Spanned<f64>>,
}

impl SpeakerRanker {
    /// Reads and validates a ranker file: schema, a finite non-negative margin, trusted rules
    /// that exist, and finite weights whose names are features (and rules) this version
    /// computes.
    pub fn load(file: &ModelFile) -> Result<Self> {
        let raw: RankerFile = file.parse()?;
        file.check_schema(&raw.schema_version)?;
        let margin = *raw.margin.get_ref();
        if !margin.is_finite() || margin < 0.0 {
            return Err(file.error_at(
                raw.margin.span().start,
                format!("margin {margin} must be a finite number ≥ 0"),
            ));
        }
        // Spans of keys are not kept by the map, so a bad weight is located by its value.
        let mut weights = HashMap::default();
        for (name, w) in raw.weights {
            let known = FEATURE_PREFIXES
                .iter()
                .any(|p| name.split(':').next() == Some(*p));
            if !known {
                return Err(file.error_at(
                    w.span().start,
                    format!("weight {name:?}: no feature of that name"),
                ));
            }
            if let Some(rule) = rule_part(&name) {
                if let Err(e) = rule.parse::<Rule>() {
                    return Err(file.error_at(w.span().start, format!("weight {name:?}: {e}")));
                }
            }
            if !w.get_ref().is_finite() {
                return Err(file.error_at(
                    w.span().start,
                    format!("weight {name:?} is not a finite number"),
                ));
            }
            weights.insert(name, *w.get_ref());
        }
        let mut trusted = Vec::with_capacity(raw.trusted.len());
        for name in raw.trusted {
            let rule = name
                .get_ref()
                .parse::<Rule>()
                .map_err(|e| file.error_at(name.span().start, format!("trusted: {e}")))?;
            trusted.push(rule);
        }
        Ok(SpeakerRanker::new(weights, margin, trusted))
    }

    /// The model file, deterministic: weights sorted by name, rounded to four decimals, zero
    /// weights left out.
    pub fn to_toml(&self, about: &str) -> String {
        let mut names: Vec<&String> = self.weights.keys().collect();
        names.sort();
        let mut s = String::new();
        for line in about.lines() {
            s.push_str("# ");
            s.push_str(line);
            s.push('\n');
        }
        s.push_str("schema_version = 1\n");
        s.push_str(&format!(
            "about = {:?}\n",
            about.lines().next().unwrap_or("")
        ));
        s.push_str(&format!("margin = {:.4}\n", self.margin));
        s.push_str(&format!("trusted = {:?}\n\n[weights]\n", self.trusted));
        for n in names {
            let w = self.weights[n];
            let rounded = (w * 10_000.0).round() / 10_000.0;
            if rounded != 0.0 {
                s.push_str(&format!("{n:?} = {rounded:.4}\n"));
            }
        }
        s
    }
}

/// The attribution rule a feature's name ends in, for the features that carry one:
/// `rule:RULE`, `rule_overlap:RULE`, `side:SIDE:RULE` and `order:SIDE:RANK:RULE` (a rule's own
/// name may hold a colon: "side:before:before-quote:participle").
fn rule_part(name: &str) -> Option<&str> {
    let (prefix, _) = name.split_once(':')?;
    let parts_before = match prefix {
        "rule" | "rule_overlap" => 1,
        "side" => 2,
        "order" => 3,
        _ => return None,
    };
    name.splitn(parts_before + 1, ':').nth(parts_before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ModelFile {
        ModelFile::from_text("speaker-ranker.toml", text)
    }

    #[test]
    fn a_weight_of_no_known_feature_is_refused_with_its_line() {
        let err = SpeakerRanker::load(&file(
            "schema_version = 1\nmargin = 1.0\n[weights]\n\"side:before\" = 0.5\n\"sidee:x\" = 1.0\n",
        ))
        .expect_err("unknown feature")
        .to_string();
        assert!(err.starts_with("speaker-ranker.toml:5:"), "{err}");
        assert!(err.contains("sidee:x"), "{err}");
    }

    #[test]
    fn a_negative_margin_is_refused() {
        let err = SpeakerRanker::load(&file("schema_version = 1\nmargin = -1.0\n[weights]\n"))
            .expect_err("negative margin")
            .to_string();
        assert!(err.starts_with("speaker-ranker.toml:2:"), "{err}");
    }

    #[test]
    fn the_written_model_loads_back() {
        let mut w = HashMap::default();
        w.insert("side:before".to_string(), 0.25);
        w.insert("rule:after-quote".to_string(), 1.5);
        let model = SpeakerRanker::new(w, 2.0, vec![Rule::AfterQuote]);
        let back = SpeakerRanker::load(&file(&model.to_toml("test model"))).expect("loads");
        assert_eq!(back.margin, 2.0);
        assert_eq!(back.trusted, vec![Rule::AfterQuote]);
        assert_eq!(back.weights, model.weights);
    }

    #[test]
    fn a_trusted_rule_of_no_known_name_is_refused_with_its_line() {
        let err = SpeakerRanker::load(&file(
            "schema_version = 1\nmargin = 1.0\ntrusted = [\"after-quote\",\n  \"after-qoute\"]\n[weights]\n",
        ))
        .expect_err("unknown rule")
        .to_string();
        assert!(err.starts_with("speaker-ranker.toml:4:"), "{err}");
        assert!(err.contains("after-qoute"), "{err}");
    }

    #[test]
    fn a_weight_naming_no_known_rule_is_refused_with_its_line() {
        let ok = "schema_version = 1\nmargin = 1.0\n[weights]\n\"side:before:before-quote:participle\" = 0.5\n\"order:after:1:after-quote\" = 0.5\n\"rule_overlap\" = 0.5\n";
        assert!(SpeakerRanker::load(&file(ok)).is_ok());
        for bad in [
            "rule:after_quote",
            "side:before:before-quote:participles",
            "order:after:1:ranked:x",
        ] {
            let text = format!("schema_version = 1\nmargin = 1.0\n[weights]\n\"side:before\" = 0.5\n{bad:?} = 1.0\n");
            let err = SpeakerRanker::load(&file(&text))
                .expect_err(bad)
                .to_string();
            assert!(err.starts_with("speaker-ranker.toml:5:"), "{err}");
            assert!(err.contains("is no attribution rule"), "{err}");
        }
    }
}
