//! Training of the learned models from annotated data, in the library so the CLI, tests and
//! scripts share it. [`speakers`]: the speaker re-ranker's examples and cross-validation on
//! PolNeAR (`tonetrack train speakers` writes `models/speaker-ranker.toml`), e.g.
//! `speakers::examples(&engine, articles, &gold)` then `speakers::cross_validate(…)`.

pub mod speakers;
