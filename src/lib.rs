//! tonetrack: the diplomatic tone of what officials say in the news.
//!
//! ```text
//!  ingest ──► normalize ──► segment ──► quotes ──► actors ──► target ──► tone ──► aggregate ──► output
//!  files,     story lines    words,      direct,    speaker,    countries  lexicon   daily/weekly   Parquet,
//!  JSONL,     (captions and  sentences   partial,   country,    the words  (or       series, dyads, manifest,
//!  HTML       boilerplate    (quote-     reported   role,       are about  learned)  visits         rejects
//!             skipped)       aware)      speech     addressee
//! ```
//!
//! [`pipeline`] runs the stages over many articles (tokio readers, blocking workers);
//! [`eval`] measures extraction against gold files; [`train`] holds what the `train` commands
//! compute. Knowledge (actors, places, speech verbs, grammar words, tone lexicon, normalisation
//! rules) is data in `models/`, loaded by [`models`].

pub mod config;
pub mod error;
pub mod models;
pub mod rule;
pub mod types;

pub mod actors;
#[cfg(feature = "tables")]
pub mod aggregate;
pub mod grammar;
pub mod ingest;
pub mod normalize;
#[cfg(feature = "tables")]
pub mod output;
pub mod quotes;
pub mod segment;
pub mod target;
pub mod tone;

pub mod eval;
pub mod invariants;
#[cfg(feature = "tables")]
pub mod job;
pub mod known;
pub mod pipeline;
#[cfg(feature = "tables")]
pub mod plot;
#[cfg(feature = "tables")]
pub mod report;
pub mod rng;
#[cfg(feature = "tables")]
pub mod store;
pub mod synth;
pub mod train;

pub use error::{Error, Result};
