//! tonetrack: the diplomatic tone of what officials say in the news.
//!
//! ```text
//!  ingest ──► normalize ──► segment ──► quotes ──► actors ──► tone ──► aggregate ──► output
//!  files,     story lines    words,      direct,    speaker,    lexicon   daily/weekly   Parquet,
//!  JSONL,     (captions and  sentences   partial,   country,    (or       series,        manifest,
//!  HTML       boilerplate    (quote-     reported   role,       learned)  visits         rejects
//!             skipped)       aware)      speech     addressee
//! ```
//!
//! [`pipeline`] runs the stages over many articles (tokio readers, blocking workers);
//! [`eval`] measures extraction against gold files. Knowledge (actors, places, speech verbs,
//! grammar words, tone lexicon, normalisation rules) is data in `models/`, loaded by [`models`].

pub mod config;
pub mod error;
pub mod models;
pub mod types;

pub mod ingest;
pub mod normalize;
pub mod segment;
pub mod quotes;
pub mod actors;
pub mod tone;
#[cfg(feature = "tables")]
pub mod aggregate;
#[cfg(feature = "tables")]
pub mod output;

pub mod eval;
pub mod invariants;
#[cfg(feature = "tables")]
pub mod job;
pub mod known;
pub mod pipeline;
pub mod rng;
pub mod synth;
#[cfg(feature = "tables")]
pub mod plot;
#[cfg(feature = "tables")]
pub mod report;
#[cfg(feature = "tables")]
pub mod store;

pub use error::{Error, Result};
