//! Loading of the knowledge files in `models/` (actors, places, speech verbs, tone lexicon,
//! normalisation rules). Knowledge lives in data, not code: this module only reads TOML, turns
//! parse failures into errors that name the file and line, and remembers a hash of each file so
//! the manifest can tell which knowledge produced a run.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The schema version every knowledge file must declare; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// One knowledge file as read from disk (or from the copy built into the binary).
#[derive(Debug, Clone)]
pub struct ModelFile {
    /// Name used in messages: the path as given, or `models/NAME (built-in)`.
    pub name: String,
    pub text: String,
    /// Hex SHA-256 of the bytes, recorded in the manifest.
    pub sha256: String,
}

impl ModelFile {
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let sha256 = sha256_hex(text.as_bytes());
        ModelFile {
            name: name.into(),
            text,
            sha256,
        }
    }

    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Ok(Self::from_text(path.display().to_string(), text))
    }

    /// Parses the file, mapping a TOML error to `file:line: message`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        toml::from_str(&self.text).map_err(|e| {
            let line = e.span().map(|s| self.line_of(s.start)).unwrap_or(0);
            Error::Model {
                file: self.name.clone(),
                line,
                message: e.message().to_string(),
            }
        })
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, byte: usize) -> usize {
        let end = byte.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// A validation error at the given byte offset of this file.
    pub fn error_at(&self, byte: usize, message: impl Into<String>) -> Error {
        Error::Model {
            file: self.name.clone(),
            line: self.line_of(byte),
            message: message.into(),
        }
    }

    pub fn check_schema(&self, declared: &toml::Spanned<u32>) -> Result<()> {
        if *declared.get_ref() != SCHEMA_VERSION {
            return Err(self.error_at(
                declared.span().start,
                format!(
                    "schema_version {} is not supported by this tonetrack (expects {SCHEMA_VERSION})",
                    declared.get_ref()
                ),
            ));
        }
        Ok(())
    }
}

/// Where the knowledge files come from: a folder on disk, or the copies compiled into the binary
/// (so that `tonetrack` works from any directory).
#[derive(Debug, Clone, Default)]
pub struct ModelSource {
    pub dir: Option<PathBuf>,
}

macro_rules! builtin {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/", $name)),
        )
    };
}

const BUILTIN: &[(&str, &str)] = &[
    builtin!("actors.toml"),
    builtin!("places.toml"),
    builtin!("speech-verbs.toml"),
    builtin!("tone-lexicon.toml"),
    builtin!("normalize.toml"),
    builtin!("grammar.toml"),
    // Pair phrases and locatives of the target stage (src/target/).
    builtin!("targets.toml"),
    // The learned speaker re-ranker (TOML, written by `tonetrack train speakers`).
    builtin!("speaker-ranker.toml"),
    // The trained tone head (JSON, written by `tonetrack train`); read only by the learned scorers.
    builtin!("tone-head.json"),
];

impl ModelSource {
    /// [`ModelSource::load`] for a file a models folder may leave out (one written before the
    /// file existed): `None` when the folder lacks it.
    pub fn load_optional(&self, name: &str) -> Result<Option<ModelFile>> {
        match &self.dir {
            Some(dir) if !dir.join(name).exists() => Ok(None),
            _ => self.load(name).map(Some),
        }
    }

    pub fn load(&self, name: &str) -> Result<ModelFile> {
        if let Some(dir) = &self.dir {
            return ModelFile::read(&dir.join(name));
        }
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| Error::Model {
                file: name.to_string(),
                line: 0,
                message: "no such built-in model file".into(),
            })?;
        Ok(ModelFile::from_text(
            format!("models/{name} (built-in)"),
            *text,
        ))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Tiny {
        #[allow(dead_code)]
        a: u32,
    }

    #[test]
    fn parse_error_names_file_and_line() {
        let f = ModelFile::from_text("x.toml", "# comment\n\nb = 1\n");
        let err = f
            .parse::<Tiny>()
            .err()
            .expect("unknown field must fail")
            .to_string();
        assert!(err.starts_with("x.toml:3:"), "{err}");
    }

    #[test]
    fn builtin_models_are_all_present() {
        for (name, _) in BUILTIN {
            let f = ModelSource::default().load(name).expect("built-in file");
            assert!(!f.text.is_empty(), "{name} is empty");
            assert_eq!(f.sha256.len(), 64);
        }
    }
}

/// Serde helpers for TOML local dates (`from = 2023-07-25`), which the `toml` crate hands over
/// as its own datetime type rather than as a string.
pub mod toml_date {
    use chrono::NaiveDate;
    use serde::{de::Error, Deserialize, Deserializer};

    fn convert<E: Error>(dt: toml::value::Datetime) -> Result<NaiveDate, E> {
        match (dt.date, dt.time) {
            (Some(d), None) => NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
                .ok_or_else(|| E::custom(format!("{dt} is not a valid date"))),
            _ => Err(E::custom(format!(
                "{dt}: expected a date like 2024-05-01, without a time"
            ))),
        }
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        convert(toml::value::Datetime::deserialize(d)?)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<toml::value::Datetime>::deserialize(d)?
            .map(convert)
            .transpose()
    }
}
