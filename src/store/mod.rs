//! The incremental state of an output folder: what earlier runs already processed, kept so
//! that a scheduled re-run adds new articles without duplicating or losing old ones.
//!
//! ```text
//! OUT/state/meta.json                         knowledge-file hashes, version, scorer the state was built with
//! OUT/state/statements/month=2025-02/part-0.parquet   statements of articles published that month
//! OUT/state/rejects.parquet                   every rejected input record, replaced per input when it is read again
//! OUT/state/articles.parquet                  the index: one row per article id with its content hash (written last)
//! ```
//!
//! The index is the commit point. Partitions are written first and every statement row carries
//! its article's content hash; a row counts only while the index holds that article with that
//! hash. So a run killed at any moment leaves either the old index (and at worst some orphan
//! rows, ignored and cleaned up when their month is next rewritten) or the new one, and the
//! next run finishes the job. All writes go through [`Storage`], which is atomic per object
//! both on a local disk (temporary name + rename) and on S3 (a PUT replaces an object whole).
//!
//! The module, from the bottom up:
//!
//! ```text
//! backend.rs   the Storage trait (atomic objects by key), scratch folders, `open`
//! local.rs     a local folder: temporary name + rename
//! s3.rs        s3://bucket/prefix through object_store
//! parquet.rs   Parquet helpers and TableFile, the batch-by-batch table writer (and its
//!              ScratchWriter for scratch files)
//! spill.rs     StateWriter: a run's rows spilled to scratch files, then one part per month
//! state.rs     what the state holds: meta.json, commit.json (Commit), the index, live rows
//! commit.rs    the commit protocol: parts, duplicates, rejects, then commit.json
//! audit.rs     every article of the index has its statement rows
//! lock.rs      one writer per output: the lock, the busy answer, the local file lock
//! lease.rs     the lock of an object store: a lock object with a lease
//! ```

pub mod audit;
mod backend;
mod commit;
pub mod lease;
mod local;
pub mod lock;
mod parquet;
mod s3;
mod spill;
mod state;

pub use crate::known::{content_bits, digest, Known, Version};
pub use backend::{open, Scratch, Storage};
pub use commit::{commit, crash_point, remove_unlisted, Committed, Update, MAX_PARTS};
pub use local::LocalStorage;
pub use parquet::{
    append_rows, parquet_bytes, read_parquet_bytes, str_column, u32_column, TableFile,
};
pub use s3::ObjectStorage;
pub use spill::{StateWriter, BUFFER_ROWS};
pub use state::{
    canonical_rejects, filter_rows, index_frame, index_rows, live_rows, month_of, part_key,
    read_live, read_part_slices, run_of, Commit, IndexRow, State, StateMeta, SLICE_ROWS,
    STATE_FORMAT,
};

use crate::error::Error;

pub const META: &str = "state/meta.json";
pub const COMMIT: &str = "state/commit.json";
pub const REJECTS: &str = "state/rejects.parquet";
pub const STATEMENTS: &str = "state/statements";
pub const ARTICLES: &str = "state/articles";
pub const DUPLICATES: &str = "state/duplicates";

/// Maps a polars error to an error of `table`.
pub(crate) fn err(table: &str) -> impl Fn(polars::prelude::PolarsError) -> Error + '_ {
    move |e| Error::table(table, e)
}
