//! Training in the library: what the `tonetrack train …` commands compute, without the files
//! and the terminal (those stay in `src/cli/`), so the CLI, tests and scripts share it.
//! [`speakers`]: the speaker re-ranker's examples and cross-validation on PolNeAR; [`select`]:
//! the choice among its settings.
//!
//! Example: `tonetrack train speakers` reads PolNeAR train, calls [`select::select`] (which runs
//! `speakers::examples` and `speakers::cross_validate`) and writes the chosen model to
//! models/speaker-ranker.toml.

pub mod select;
pub mod speakers;
