//! What the integration tests share, in one place (after grep-searcher's `testutil`): running
//! the `tonetrack` binary, temporary folders, reading the Parquet tables back, and the data in
//! `../shared`, which a clone outside this team does not have.
//!
//! Example, in a test that needs the seed article:
//!
//! ```ignore
//! mod testutil;
//! let Some(seed) = testutil::shared("seed/blinken-beijing.txt") else { return };
//! let out = testutil::run_ok(testutil::bin().arg("extract").arg(&seed));
//! ```
// Each test binary includes this file and uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file or folder under `../shared` (beside the repository), or None, after printing
/// "skipped: ../shared/REL not found", when it is absent: the caller returns, so the test
/// passes as skipped on a clone without `../shared` and runs in full where it is present.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/{rel} not found");
        None
    }
}

/// The `tonetrack` binary of this build.
#[cfg(feature = "cli")]
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tonetrack"))
}

/// Runs `cmd` and returns its output, failing the test with its stderr unless it exits 0.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("binary runs");
    assert!(
        out.status.success(),
        "exit {:?}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A fresh temporary folder, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// The table `name` of an output folder, read back with polars.
#[cfg(feature = "tables")]
pub fn read_parquet(dir: &std::path::Path, name: &str) -> polars::prelude::DataFrame {
    use polars::prelude::SerReader;
    let file = std::fs::File::open(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    polars::prelude::ParquetReader::new(file)
        .finish()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A string column of a table, nulls kept.
#[cfg(feature = "tables")]
pub fn strings(df: &polars::prelude::DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}
