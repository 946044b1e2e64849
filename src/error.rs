//! Typed errors of the library. `main` adds context with `anyhow`; everything below returns these.

use std::path::PathBuf;

/// Crate-wide result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a library call. Per-article problems are not errors: they become
/// [`crate::types::Reject`] rows so that one bad article never stops a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A knowledge file in `models/` (or named by the config) is malformed or inconsistent.
    #[error("{file}:{line}: {message}")]
    Model {
        file: String,
        line: usize,
        message: String,
    },

    /// The run configuration is invalid.
    #[error("{file}:{line}: {message}")]
    Config {
        file: String,
        line: usize,
        message: String,
    },

    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Building or writing a table failed.
    #[cfg(feature = "tables")]
    #[error("table {table}: {source}")]
    Table {
        table: String,
        #[source]
        source: polars::error::PolarsError,
    },

    /// An evaluation input (gold file) is malformed.
    #[error("{file}:{line}: {message}")]
    Gold {
        file: String,
        line: usize,
        message: String,
    },

    /// The output folder's incremental state cannot be used by this run.
    #[error("{location}: {message}")]
    State { location: String, message: String },

    /// Another run holds the output's lock (see `store::lock`): one writer per output.
    #[error("{location} is busy: held by {holder}; try again later or wait with --wait SECONDS")]
    Busy { location: String, holder: String },

    /// A scorer was requested that this build does not contain or cannot load.
    #[error("scorer {name}: {message}")]
    Scorer { name: String, message: String },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    #[cfg(feature = "tables")]
    pub fn table(table: &str, source: polars::error::PolarsError) -> Self {
        Error::Table {
            table: table.to_string(),
            source,
        }
    }
}
