//! Training in the library: what the `tonetrack train …` commands compute, without the files
//! and the terminal (those stay in `src/cli/`).
//!
//! Example: `tonetrack train speakers` reads PolNeAR train, calls [`select::select`] and writes
//! the chosen model to models/speaker-ranker.toml.

pub mod select;
