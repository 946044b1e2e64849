//! The tone head: the small trained layer that turns a sentence embedding (and, for the
//! ensemble, the lexicon's reading of the same statement) into probabilities of conciliatory,
//! neutral and firm. It is data, written by `tonetrack train` to `models/tone-head.json` and
//! validated here when loaded; this module needs no libtorch, so the head can be trained,
//! checked and tested in any build.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::models::ModelFile;
use crate::types::{ToneLabel, ToneScore};

/// The head's file name in `models/` (or the config's models folder).
pub const HEAD_FILE: &str = "tone-head.json";

/// The schema of `tone-head.json`; bumped when a field changes meaning.
pub const HEAD_SCHEMA_VERSION: u32 = 1;

/// Class order of every weight matrix and probability vector.
pub const LABELS: [ToneLabel; 3] = [ToneLabel::Conciliatory, ToneLabel::Neutral, ToneLabel::Firm];

/// The features the ensemble head reads after the embedding, in this order. They come from the
/// lexicon scorer, so the ensemble can lean on the cue phrases where the embedding is unsure
/// (short fragments such as "productive") and ignore them where they mislead: its tone and
/// sentiment, whether any cue fired, and its own label (1 for the label it gave, 0 otherwise;
/// the label carries the lexicon's neutral band, which a linear weight on the tone cannot).
pub const LEXICON_FEATURES: [&str; 5] = [
    "lexicon_tone",
    "lexicon_sentiment",
    "lexicon_has_cues",
    "lexicon_says_conciliatory",
    "lexicon_says_firm",
];

/// `models/tone-head.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadFile {
    pub schema_version: u32,
    /// Written to `scorer_version` (with the embedding model and, for the ensemble, the lexicon).
    pub version: String,
    pub embedding: EmbeddingModel,
    /// Must be `["conciliatory", "neutral", "firm"]`: the row order of the weights.
    pub labels: Vec<String>,
    /// SHA-256 of the tone lexicon the ensemble's lexicon features were computed with.
    pub lexicon_sha256: String,
    /// Embedding only.
    pub transformer: Layer,
    /// Embedding followed by [`LEXICON_FEATURES`].
    pub ensemble: Layer,
    /// The encoder's fine-tuned top layers (`tonetrack train tone`), read over the base
    /// model's weights before the embedding is computed; absent: the base model as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuned: Option<TunedLayers>,
}

/// A file of fine-tuned layers that goes with the head.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TunedLayers {
    /// File name, in the head file's folder (`models/` for the built-in head).
    pub file: String,
    /// Its SHA-256; the scorer refuses another file.
    pub sha256: String,
    /// The first of the layers it replaces (counted from 0); the ones below are the base's.
    pub first_layer: usize,
    /// How many layers it holds.
    pub layers: usize,
}

/// Which embeddings the head was trained on; the scorer refuses a model that does not match.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmbeddingModel {
    /// Folder name of the model ("all-MiniLM-L6-v2").
    pub name: String,
    /// SHA-256 of its `model.safetensors`.
    pub safetensors_sha256: String,
    pub dim: usize,
    /// Tokens beyond this are cut, as sentence-transformers does (`sentence_bert_config.json`).
    pub max_seq_length: usize,
}

/// One multinomial logistic layer: `softmax(W·x + b)`, a row of `W` per label.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Names of the input features ("embedding" stands for all `dim` embedding components).
    pub features: Vec<String>,
    /// The L2 penalty it was trained with (chosen by cross-validation), for the record.
    pub l2: f64,
    pub weights: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
}

impl Layer {
    /// Input width: the embedding's components plus one per named extra feature.
    pub fn width(&self, dim: usize) -> usize {
        self.features
            .iter()
            .map(|f| if f == "embedding" { dim } else { 1 })
            .sum()
    }

    /// Class probabilities, in [`LABELS`] order.
    pub fn probabilities(&self, x: &[f64]) -> [f64; 3] {
        let mut z = [0.0; 3];
        for (k, zk) in z.iter_mut().enumerate() {
            *zk = self.bias[k]
                + self.weights[k]
                    .iter()
                    .zip(x)
                    .map(|(w, v)| w * v)
                    .sum::<f64>();
        }
        softmax(z)
    }
}

pub fn softmax(z: [f64; 3]) -> [f64; 3] {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|v| (v - m).exp());
    let s: f64 = e.iter().sum();
    e.map(|v| v / s)
}

/// The ensemble's extra inputs, read off a lexicon score.
pub fn lexicon_features(lex: &ToneScore) -> [f64; 5] {
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    [
        lex.tone,
        lex.sentiment,
        flag(!lex.cues.is_empty()),
        flag(lex.label == ToneLabel::Conciliatory),
        flag(lex.label == ToneLabel::Firm),
    ]
}

/// Tone, label and confidence from class probabilities: tone = P(conciliatory) − P(firm), the
/// label is the most probable class and the confidence its probability.
pub fn tone_from_probabilities(p: [f64; 3]) -> (f64, ToneLabel, f64) {
    let mut best = 0;
    for k in 1..3 {
        if p[k] > p[best] {
            best = k;
        }
    }
    (p[0] - p[2], LABELS[best], p[best])
}

impl HeadFile {
    /// Parses and validates a head file; errors name the file and, where it can be found, the
    /// line of the offending entry.
    pub fn load(file: &ModelFile) -> Result<HeadFile> {
        let head: HeadFile = serde_json::from_str(&file.text).map_err(|e| Error::Model {
            file: file.name.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        let at = |key: &str| file.text.find(&format!("\"{key}\"")).unwrap_or(0);
        if head.schema_version != HEAD_SCHEMA_VERSION {
            return Err(file.error_at(
                at("schema_version"),
                format!(
                    "schema_version {} is not supported (expects {HEAD_SCHEMA_VERSION})",
                    head.schema_version
                ),
            ));
        }
        let want: Vec<&str> = LABELS.iter().map(|l| l.as_str()).collect();
        if head.labels != want {
            return Err(file.error_at(
                at("labels"),
                format!("labels must be {want:?}, in that order"),
            ));
        }
        if head.embedding.dim == 0 || head.embedding.max_seq_length < 3 {
            return Err(file.error_at(
                at("embedding"),
                "embedding: dim must be > 0 and max_seq_length >= 3",
            ));
        }
        let sha = &head.embedding.safetensors_sha256;
        if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(file.error_at(
                at("safetensors_sha256"),
                "safetensors_sha256 must be 64 hex digits",
            ));
        }
        let extra: Vec<String> = LEXICON_FEATURES.iter().map(|s| s.to_string()).collect();
        let expected_features = [
            ("transformer", vec!["embedding".to_string()]),
            ("ensemble", [vec!["embedding".to_string()], extra].concat()),
        ];
        for ((name, want_features), layer) in expected_features
            .iter()
            .zip([&head.transformer, &head.ensemble])
        {
            let here = at(name);
            if &layer.features != want_features {
                return Err(
                    file.error_at(here, format!("{name}.features must be {want_features:?}"))
                );
            }
            let width = layer.width(head.embedding.dim);
            if layer.weights.len() != 3 || layer.bias.len() != 3 {
                return Err(file.error_at(
                    here,
                    format!("{name}: need 3 rows of weights and 3 biases (one per label)"),
                ));
            }
            if let Some((k, row)) = layer
                .weights
                .iter()
                .enumerate()
                .find(|(_, r)| r.len() != width)
            {
                return Err(file.error_at(
                    here,
                    format!(
                        "{name}: weight row {k} has {} values, expected {width}",
                        row.len()
                    ),
                ));
            }
            if layer
                .weights
                .iter()
                .flatten()
                .chain(&layer.bias)
                .any(|v| !v.is_finite())
            {
                return Err(file.error_at(here, format!("{name}: weights must be finite numbers")));
            }
        }
        Ok(head)
    }

    /// The file's text: indented JSON with each weight row on one line, so that a diff of two
    /// heads shows which rows changed instead of a thousand single-number lines.
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut out = String::new();
        write_json(&value, 0, &mut out);
        out.push('\n');
        out
    }
}

/// Pretty JSON, except that an array of numbers stays on one line.
fn write_json(v: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Array(items) if !items.is_empty() && !items.iter().all(Value::is_number) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, item)) in map.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tiny_head(dim: usize) -> HeadFile {
        let layer = |extra: usize| Layer {
            features: if extra == 0 {
                vec!["embedding".into()]
            } else {
                std::iter::once("embedding".to_string())
                    .chain(LEXICON_FEATURES.iter().map(|s| s.to_string()))
                    .collect()
            },
            l2: 0.01,
            weights: vec![
                vec![0.5; dim + extra],
                vec![0.0; dim + extra],
                vec![-0.5; dim + extra],
            ],
            bias: vec![0.0, 0.1, 0.0],
        };
        HeadFile {
            schema_version: HEAD_SCHEMA_VERSION,
            version: "test".into(),
            embedding: EmbeddingModel {
                name: "m".into(),
                safetensors_sha256: "0".repeat(64),
                dim,
                max_seq_length: 16,
            },
            labels: vec!["conciliatory".into(), "neutral".into(), "firm".into()],
            lexicon_sha256: "1".repeat(64),
            transformer: layer(0),
            ensemble: layer(LEXICON_FEATURES.len()),
            tuned: None,
        }
    }

    #[test]
    fn round_trips_and_predicts() {
        let head = tiny_head(4);
        let file = ModelFile::from_text("h.json", head.to_json());
        let back = HeadFile::load(&file).expect("valid head");
        assert_eq!(back.ensemble, head.ensemble);
        let p = back.transformer.probabilities(&[1.0, 1.0, 1.0, 1.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let (tone, label, conf) = tone_from_probabilities(p);
        assert!(
            tone > 0.0 && label == ToneLabel::Conciliatory && conf == p[0],
            "{p:?}"
        );
    }

    #[test]
    fn wrong_width_is_an_error_naming_file_and_line() {
        let mut head = tiny_head(4);
        head.ensemble.weights[1].pop();
        let file = ModelFile::from_text("h.json", head.to_json());
        let err = HeadFile::load(&file).unwrap_err().to_string();
        let line = file
            .text
            .lines()
            .position(|l| l.contains("\"ensemble\""))
            .unwrap()
            + 1;
        assert!(
            err.starts_with(&format!("h.json:{line}:")) && err.contains("row 1"),
            "{err}"
        );
    }

    #[test]
    fn malformed_json_names_the_line() {
        let file = ModelFile::from_text("h.json", "{\n\"schema_version\": 1,\n oops\n}");
        let err = HeadFile::load(&file).unwrap_err().to_string();
        assert!(err.starts_with("h.json:3:"), "{err}");
    }

    #[test]
    fn softmax_is_stable_for_large_logits() {
        let p = softmax([1000.0, 0.0, -1000.0]);
        assert!(p[0] > 0.999 && p.iter().all(|v| v.is_finite()));
    }
}
