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

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use chrono::{Datelike, NaiveDate};
use object_store::ObjectStoreExt;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use crate::known::{content_bits, digest, Known, Version};
use crate::output::{date_column, days_since_epoch};
use crate::types::Reject;

pub const META: &str = "state/meta.json";
pub const COMMIT: &str = "state/commit.json";
pub const REJECTS: &str = "state/rejects.parquet";
pub const STATEMENTS: &str = "state/statements";
pub const ARTICLES: &str = "state/articles";
pub const DUPLICATES: &str = "state/duplicates";

/// Where an output folder lives: a local folder or an object store prefix. Keys are relative
/// paths with `/` separators. Every `write` is atomic: readers see the old or the new object.
pub trait Storage: Send + Sync {
    /// For messages: the folder or URL.
    fn describe(&self) -> String;
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>>;
    fn write(&self, key: &str, bytes: &[u8]) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
    /// Keys under `prefix` (recursively), sorted.
    fn list(&self, prefix: &str) -> Result<Vec<String>>;
    /// Removes what an interrupted write left behind (temporary files); returns how many.
    fn remove_leftovers(&self) -> Result<usize> {
        Ok(0)
    }
    /// Stores the file at `path` (written by this process in [`Storage::scratch`]) under `key`
    /// and removes it. The default reads it whole; stores override this to stream.
    fn write_file(&self, key: &str, path: &std::path::Path) -> Result<()> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        self.write(key, &bytes)?;
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))
    }
    /// A fresh local folder for the files a run writes before storing them; removed on drop.
    fn scratch(&self) -> Result<Scratch> {
        Scratch::new(&std::env::temp_dir())
    }
}

/// A folder of temporary files, named so that `remove_leftovers` knows it for a dead run's.
pub struct Scratch {
    pub path: std::path::PathBuf,
}

impl Scratch {
    pub fn new(parent: &std::path::Path) -> Result<Scratch> {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = parent.join(format!(
            ".scratch-{seq}{}{}",
            crate::output::TEMP_MARK,
            std::process::id()
        ));
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// An output folder on a local disk.
pub struct LocalStorage {
    pub root: std::path::PathBuf,
}

impl LocalStorage {
    pub fn new(root: impl Into<std::path::PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        Ok(LocalStorage { root })
    }

    fn path(&self, key: &str) -> std::path::PathBuf {
        key.split('/')
            .fold(self.root.clone(), |p, part| p.join(part))
    }
}

impl Storage for LocalStorage {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn read(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    fn write(&self, key: &str, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let path = self.path(key);
        let dir = path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::output::write_atomic(&dir, &name, |f| {
            f.write_all(bytes).map_err(|e| Error::io(&path, e))
        })
    }

    fn delete(&self, key: &str) -> Result<()> {
        let path = self.path(key);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let base = self.path(prefix);
        if !base.exists() {
            return Ok(vec![]);
        }
        let mut keys = Vec::new();
        for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::io(&base, std::io::Error::other(e)))?;
            if !entry.file_type().is_file() {
                continue;
            }
            // Temporary files of an interrupted write are not objects.
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if let Ok(rel) = entry.path().strip_prefix(&self.root) {
                let key: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                keys.push(key.join("/"));
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn write_file(&self, key: &str, source: &std::path::Path) -> Result<()> {
        let path = self.path(key);
        let dir = path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        // The scratch folder is inside the output folder: same file system, so a rename is atomic.
        let file = std::fs::File::open(source).map_err(|e| Error::io(source, e))?;
        file.sync_all().map_err(|e| Error::io(source, e))?;
        std::fs::rename(source, &path).map_err(|e| Error::io(&path, e))
    }

    fn scratch(&self) -> Result<Scratch> {
        Scratch::new(&self.root)
    }

    fn remove_leftovers(&self) -> Result<usize> {
        // `.NAME.tmp-PID` files of a killed writer (see output::write_atomic); one run per
        // folder at a time, so any such file not of this process is dead.
        let ours = format!("{}{}", crate::output::TEMP_MARK, std::process::id());
        let mut removed = 0;
        for entry in walkdir::WalkDir::new(&self.root)
            .max_depth(4)
            .into_iter()
            .filter_map(|e| e.ok())
        {
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.')
                && name.contains(crate::output::TEMP_MARK)
                && !name.ends_with(&ours)
            {
                if entry.file_type().is_dir() {
                    // A killed run's scratch folder.
                    std::fs::remove_dir_all(entry.path())
                        .map_err(|e| Error::io(entry.path(), e))?;
                    removed += 1;
                } else if entry.file_type().is_file() {
                    std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// An output folder in an S3 bucket (or any S3-compatible server): `s3://bucket/prefix`.
/// Credentials, region and endpoint come from the usual `AWS_*` environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL` for a
/// non-AWS server, `AWS_ALLOW_HTTP=true` for plain HTTP). A PUT replaces an object whole, so
/// every write is atomic as the state's commit protocol needs.
pub struct ObjectStorage {
    url: String,
    prefix: String,
    store: Box<dyn object_store::ObjectStore>,
    runtime: tokio::runtime::Runtime,
}

impl ObjectStorage {
    pub fn open(url: &str) -> Result<ObjectStorage> {
        let fail = |message: String| Error::State {
            location: url.to_string(),
            message,
        };
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| fail("only s3:// URLs are supported".into()))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(fail("no bucket name: write s3://bucket/prefix".into()));
        }
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder
            .build()
            .map_err(|e| fail(format!("cannot configure S3: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io(url, e))?;
        Ok(ObjectStorage {
            url: url.trim_end_matches('/').to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            store: Box::new(store),
            runtime,
        })
    }

    fn path(&self, key: &str) -> object_store::path::Path {
        if self.prefix.is_empty() {
            object_store::path::Path::from(key)
        } else {
            object_store::path::Path::from(format!("{}/{key}", self.prefix))
        }
    }

    fn fail(&self, key: &str, e: impl std::fmt::Display) -> Error {
        Error::io(
            format!("{}/{key}", self.url),
            std::io::Error::other(e.to_string()),
        )
    }
}

impl Storage for ObjectStorage {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn read(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key);
        self.runtime.block_on(async {
            match self.store.get(&path).await {
                Ok(r) => r
                    .bytes()
                    .await
                    .map(|b| Some(b.to_vec()))
                    .map_err(|e| self.fail(key, e)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(self.fail(key, e)),
            }
        })
    }

    fn write(&self, key: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(key);
        let payload = object_store::PutPayload::from(bytes.to_vec());
        self.runtime
            .block_on(self.store.put(&path, payload))
            .map(|_| ())
            .map_err(|e| self.fail(key, e))
    }

    fn write_file(&self, key: &str, source: &std::path::Path) -> Result<()> {
        use std::io::Read;
        const CHUNK: usize = 8 << 20;
        let len = std::fs::metadata(source)
            .map_err(|e| Error::io(source, e))?
            .len();
        if len <= CHUNK as u64 {
            let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
            self.write(key, &bytes)?;
        } else {
            // A multipart upload, completed only at the end: readers see the old object or the new.
            let path = self.path(key);
            let mut file = std::fs::File::open(source).map_err(|e| Error::io(source, e))?;
            self.runtime.block_on(async {
                let upload = self
                    .store
                    .put_multipart(&path)
                    .await
                    .map_err(|e| self.fail(key, e))?;
                let mut writer = object_store::WriteMultipart::new_with_chunk_size(upload, CHUNK);
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = file.read(&mut buf).map_err(|e| Error::io(source, e))?;
                    if n == 0 {
                        break;
                    }
                    writer
                        .wait_for_capacity(2)
                        .await
                        .map_err(|e| self.fail(key, e))?;
                    writer.write(&buf[..n]);
                }
                writer
                    .finish()
                    .await
                    .map(|_| ())
                    .map_err(|e| self.fail(key, e))
            })?;
        }
        std::fs::remove_file(source).map_err(|e| Error::io(source, e))
    }

    fn delete(&self, key: &str) -> Result<()> {
        let path = self.path(key);
        match self.runtime.block_on(self.store.delete(&path)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.fail(key, e)),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>> {
        use futures_util::TryStreamExt;
        let path = self.path(prefix);
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let metas: Vec<object_store::ObjectMeta> = self
            .runtime
            .block_on(self.store.list(Some(&path)).try_collect())
            .map_err(|e| self.fail(prefix, e))?;
        let mut keys: Vec<String> = metas
            .into_iter()
            .filter_map(|m| m.location.as_ref().strip_prefix(&strip).map(str::to_string))
            .collect();
        keys.sort();
        Ok(keys)
    }
}

/// Opens `--out`: a local folder, or `s3://bucket/prefix`.
pub fn open(out: &str) -> Result<Box<dyn Storage>> {
    if out.starts_with("s3://") {
        Ok(Box::new(ObjectStorage::open(out)?))
    } else {
        Ok(Box::new(LocalStorage::new(out)?))
    }
}

/// What a state was built with. A run with different knowledge files, version or scorer would
/// mix two methods in one time series, so it must say `--rebuild`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMeta {
    pub format: u32,
    pub tonetrack_version: String,
    pub scorer: String,
    pub scorer_version: String,
    pub models_sha256: BTreeMap<String, String>,
}

/// 2: append-only parts listed by `commit.json` (1 rewrote one file per month and the index).
/// 3: statement rows carry `tone_lexicon`.
pub const STATE_FORMAT: u32 = 3;

impl StateMeta {
    /// Why `self` (the state on disk) and `now` (this run) cannot share a state, if they cannot.
    pub fn incompatibility(&self, now: &StateMeta) -> Option<String> {
        if self.format != now.format {
            return Some(format!(
                "state format {} (this tonetrack writes {})",
                self.format, now.format
            ));
        }
        if self.tonetrack_version != now.tonetrack_version {
            return Some(format!(
                "tonetrack {} (this is {})",
                self.tonetrack_version, now.tonetrack_version
            ));
        }
        if (&self.scorer, &self.scorer_version) != (&now.scorer, &now.scorer_version) {
            return Some(format!(
                "scorer {} {} (this run uses {} {})",
                self.scorer, self.scorer_version, now.scorer, now.scorer_version
            ));
        }
        let names: BTreeSet<&String> = self
            .models_sha256
            .keys()
            .chain(now.models_sha256.keys())
            .collect();
        let changed: Vec<&str> = names
            .into_iter()
            .filter(|n| self.models_sha256.get(*n) != now.models_sha256.get(*n))
            .map(|n| n.as_str())
            .collect();
        if !changed.is_empty() {
            return Some(format!(
                "other knowledge files (changed: {})",
                changed.join(", ")
            ));
        }
        None
    }
}

/// One article the state knows: the index row and the `articles.parquet` row.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub article_id: String,
    pub content_hash: String,
    pub published: NaiveDate,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub input: String,
    pub line: Option<u64>,
    pub chars: u64,
    pub statements: u32,
    pub duplicates_seen: u32,
}

/// The commit point: which parts count, by table and month. Keys sort by the run that wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Runs committed so far; the next run writes parts named `part-{runs + 1}`.
    pub runs: u32,
    pub statements: BTreeMap<String, Vec<String>>,
    pub articles: BTreeMap<String, Vec<String>>,
    pub duplicates: Vec<String>,
}

impl Commit {
    fn keys(&self) -> BTreeSet<&str> {
        self.statements
            .values()
            .chain(self.articles.values())
            .flatten()
            .chain(&self.duplicates)
            .map(String::as_str)
            .collect()
    }
}

/// The state as read at the start of a run.
#[derive(Debug, Default)]
pub struct State {
    pub meta: Option<StateMeta>,
    pub commit: Commit,
    pub rejects: Vec<Reject>,
    pub known: Known,
}

/// `month=2025-02`: the partition of a publication date.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The part of `table` (STATEMENTS or ARTICLES) that `run` writes for `month`.
pub fn part_key(table: &str, month: &str, run: u32) -> String {
    format!("{table}/month={month}/part-{run:06}.parquet")
}

/// The run that wrote a part, from its name.
pub fn run_of(key: &str) -> Option<u32> {
    key.rsplit('/')
        .next()?
        .strip_prefix("part-")?
        .strip_suffix(".parquet")?
        .parse()
        .ok()
}

fn err(table: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::table(table, e)
}

pub fn parquet_bytes(
    df: &mut DataFrame,
    table: &str,
    meta: Option<&[(String, String)]>,
) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = ParquetWriter::new(&mut buf).with_compression(ParquetCompression::Zstd(None));
    if let Some(m) = meta {
        w = w.with_key_value_metadata(Some(KeyValueMetadata::from_static(m.to_vec())));
    }
    w.finish(df).map_err(err(table))?;
    Ok(buf)
}

/// Column `name` of `df` as strings; a missing or mistyped column is an error of `table`.
pub fn str_column(df: &DataFrame, name: &str, table: &str) -> Result<StringChunked> {
    df.column(name)
        .and_then(|c| c.str().cloned())
        .map_err(err(table))
}

/// Column `name` of `df` as u32 values; a missing or mistyped column is an error of `table`.
pub fn u32_column(df: &DataFrame, name: &str, table: &str) -> Result<UInt32Chunked> {
    df.column(name)
        .and_then(|c| c.u32().cloned())
        .map_err(err(table))
}

pub fn read_parquet_bytes(bytes: Vec<u8>, table: &str) -> Result<DataFrame> {
    ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(err(table))
}

/// Appends `df` to the rows gathered in `acc` (the first batch becomes them).
pub fn append_rows(acc: &mut Option<DataFrame>, df: DataFrame, table: &str) -> Result<()> {
    match acc {
        Some(rows) => {
            rows.vstack_mut_owned(df).map_err(err(table))?;
        }
        None => *acc = Some(df),
    }
    Ok(())
}

/// Rows read from a part at a time: parts of big runs are read in slices, not whole.
pub const SLICE_ROWS: usize = 16_384;

/// Calls `each` with the rows of part `key` in slices of at most [`SLICE_ROWS`] (only
/// `columns`, when given).
pub fn read_part_slices(
    storage: &dyn Storage,
    key: &str,
    columns: Option<&[&str]>,
    mut each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    let Some(bytes) = storage.read(key)? else {
        return Err(Error::State {
            location: format!("{}/{key}", storage.describe()),
            message: "a part listed in state/commit.json is missing; run again with --rebuild"
                .into(),
        });
    };
    let e = err(key);
    let rows = ParquetReader::new(Cursor::new(bytes.as_slice()))
        .num_rows()
        .map_err(&e)?;
    let mut offset = 0;
    while offset < rows {
        let df = ParquetReader::new(Cursor::new(bytes.as_slice()))
            .with_columns(columns.map(|c| c.iter().map(|s| s.to_string()).collect()))
            .with_slice(Some((offset, SLICE_ROWS)))
            .finish()
            .map_err(&e)?;
        offset += SLICE_ROWS;
        each(df)?;
    }
    Ok(())
}

/// The rows of `df` (from a part of `run`) that count: their article's live version.
pub fn live_rows(df: &DataFrame, run: u32, known: &Known) -> Result<DataFrame> {
    filter_rows(df, |id, hash| known.is_live(id, hash, run))
}

/// Calls `each` with the live rows of every part of `table` for `month`, part by part, slice by slice.
pub fn read_live(
    storage: &dyn Storage,
    keys: &[String],
    known: &Known,
    columns: Option<&[&str]>,
    mut each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    for key in keys {
        let run = run_of(key).unwrap_or(0);
        read_part_slices(storage, key, columns, |df| {
            each(live_rows(&df, run, known)?)
        })?;
    }
    Ok(())
}

impl State {
    pub fn load(storage: &dyn Storage) -> Result<State> {
        let mut state = State::default();
        if let Some(bytes) = storage.read(META)? {
            let meta: StateMeta = serde_json::from_slice(&bytes).map_err(|e| Error::Config {
                file: format!("{}/{META}", storage.describe()),
                line: e.line(),
                message: format!(
                    "unreadable state metadata ({e}); move the folder away or run with --rebuild"
                ),
            })?;
            // An older layout is reported by `incompatibility`, not read.
            let older = meta.format != STATE_FORMAT;
            state.meta = Some(meta);
            if older {
                return Ok(state);
            }
        }
        if let Some(bytes) = storage.read(COMMIT)? {
            state.commit = serde_json::from_slice(&bytes).map_err(|e| Error::Config {
                file: format!("{}/{COMMIT}", storage.describe()),
                line: e.line(),
                message: format!(
                    "unreadable state commit ({e}); move the folder away or run with --rebuild"
                ),
            })?;
        }
        if let Some(bytes) = storage.read(REJECTS)? {
            let df = read_parquet_bytes(bytes, REJECTS)?;
            state.rejects = reject_rows(&df).map_err(err(REJECTS))?;
        }
        // Newest run last, so the latest version of an article wins.
        let mut parts: Vec<(u32, &String)> = state
            .commit
            .articles
            .values()
            .flatten()
            .map(|k| (run_of(k).unwrap_or(0), k))
            .collect();
        parts.sort();
        let mut known = Known::default();
        for (run, key) in parts {
            read_part_slices(storage, key, Some(&["article_id", "content_hash"]), |df| {
                let ids = str_column(&df, "article_id", key)?;
                let hashes = str_column(&df, "content_hash", key)?;
                for (id, hash) in ids.iter().zip(hashes.iter()) {
                    known.set(
                        digest(id.unwrap_or_default()),
                        Version {
                            content: content_bits(hash.unwrap_or_default()),
                            run,
                        },
                    );
                }
                Ok(())
            })?;
        }
        state.known = known;
        Ok(state)
    }

    /// A hash of everything the published tables are derived from; equal hashes mean equal
    /// tables. It depends on the live rows, not on how they are spread over parts, so a state
    /// built in one run and the same state built in three hash the same.
    pub fn fingerprint(&self, storage: &dyn Storage) -> Result<String> {
        let mut sum: u128 = 0;
        let mut count: u64 = 0;
        for (month, keys) in &self.commit.articles {
            read_live(storage, keys, &self.known, None, |df| {
                let df = df.drop("duplicates_seen").map_err(err("articles"))?;
                for row in index_rows(&df, false).map_err(err(month))? {
                    sum = sum.wrapping_add(digest(&format!("{row:?}")));
                    count += 1;
                }
                Ok(())
            })?;
        }
        let duplicates = self.duplicates(storage)?;
        let mut dups: Vec<(&u64, &u32)> = duplicates.iter().collect();
        dups.sort();
        let mut all = format!("{sum:032x}\u{0}{count}\u{0}{dups:?}\u{0}");
        for key in [META, REJECTS] {
            all.push_str(key);
            all.push('\u{0}');
            if let Some(b) = storage.read(key)? {
                all.push_str(&crate::models::sha256_hex(&b));
            }
            all.push('\u{0}');
        }
        Ok(crate::models::sha256_hex(all.as_bytes())[..16].to_string())
    }

    /// Copies seen of each live article version (by content), from the duplicates parts.
    pub fn duplicates(&self, storage: &dyn Storage) -> Result<rustc_hash::FxHashMap<u64, u32>> {
        let live = self.known.contents();
        let mut out = rustc_hash::FxHashMap::default();
        for key in &self.commit.duplicates {
            read_part_slices(storage, key, None, |df| {
                let hashes = str_column(&df, "content_hash", key)?;
                let copies = u32_column(&df, "copies", key)?;
                for (h, c) in hashes.iter().zip(copies.iter()) {
                    let bits = content_bits(h.unwrap_or_default());
                    if live.binary_search(&bits).is_ok() {
                        *out.entry(bits).or_default() += c.unwrap_or(0);
                    }
                }
                Ok(())
            })?;
        }
        Ok(out)
    }
}

/// Index rows of an `articles` frame (`duplicates_seen` 0 when `with_duplicates` is false).
pub fn index_rows(df: &DataFrame, with_duplicates: bool) -> PolarsResult<Vec<IndexRow>> {
    let s = |name: &str| -> PolarsResult<StringChunked> { Ok(df.column(name)?.str()?.clone()) };
    let (id, hash, title, source, url, language, input) = (
        s("article_id")?,
        s("content_hash")?,
        s("title")?,
        s("source")?,
        s("url")?,
        s("language")?,
        s("input")?,
    );
    let published = df.column("published")?.cast(&DataType::Int32)?;
    let published = published.i32()?;
    let line = df.column("line")?.u64()?.clone();
    let chars = df.column("chars")?.u64()?.clone();
    let statements = df.column("statements")?.u32()?.clone();
    let dups = if with_duplicates {
        Some(df.column("duplicates_seen")?.u32()?.clone())
    } else {
        None
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let owned = |c: &StringChunked, i: usize| c.get(i).map(str::to_string);
    Ok((0..df.height())
        .map(|i| IndexRow {
            article_id: owned(&id, i).unwrap_or_default(),
            content_hash: owned(&hash, i).unwrap_or_default(),
            published: epoch + chrono::Duration::days(published.get(i).unwrap_or(0) as i64),
            title: owned(&title, i),
            source: owned(&source, i),
            url: owned(&url, i),
            language: owned(&language, i),
            input: owned(&input, i).unwrap_or_default(),
            line: line.get(i),
            chars: chars.get(i).unwrap_or(0),
            statements: statements.get(i).unwrap_or(0),
            duplicates_seen: dups.as_ref().and_then(|d| d.get(i)).unwrap_or(0),
        })
        .collect())
}

/// `articles.parquet` (and the index parts): rows in the given order.
pub fn index_frame<'a>(rows: impl IntoIterator<Item = &'a IndexRow>) -> Result<DataFrame> {
    let rows: Vec<&IndexRow> = rows.into_iter().collect();
    let n = rows.len();
    let col = |name: &str, f: &dyn Fn(&IndexRow) -> Option<String>| {
        Column::new(name.into(), rows.iter().map(|r| f(r)).collect::<Vec<_>>())
    };
    let columns = vec![
        Column::new(
            "article_id".into(),
            rows.iter()
                .map(|r| r.article_id.clone())
                .collect::<Vec<_>>(),
        ),
        date_column(
            "published",
            rows.iter().map(|r| days_since_epoch(r.published)).collect(),
        )?,
        col("title", &|r| r.title.clone()),
        col("source", &|r| r.source.clone()),
        col("url", &|r| r.url.clone()),
        col("language", &|r| r.language.clone()),
        Column::new(
            "input".into(),
            rows.iter().map(|r| r.input.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "line".into(),
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        ),
        Column::new(
            "chars".into(),
            rows.iter().map(|r| r.chars).collect::<Vec<_>>(),
        ),
        Column::new(
            "content_hash".into(),
            rows.iter()
                .map(|r| r.content_hash.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "statements".into(),
            rows.iter().map(|r| r.statements).collect::<Vec<_>>(),
        ),
        Column::new(
            "duplicates_seen".into(),
            rows.iter().map(|r| r.duplicates_seen).collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new(n, columns).map_err(err("articles"))
}

fn reject_rows(df: &DataFrame) -> PolarsResult<Vec<Reject>> {
    let input = df.column("input")?.str()?.clone();
    let line = df.column("line")?.u64()?.clone();
    let id = df.column("article_id")?.str()?.clone();
    let reason = df.column("reason")?.str()?.clone();
    Ok((0..df.height())
        .map(|i| Reject {
            input: input.get(i).unwrap_or_default().to_string(),
            line: line.get(i),
            article_id: id.get(i).map(str::to_string),
            reason: reason.get(i).unwrap_or_default().to_string(),
        })
        .collect())
}

/// Rejects in their canonical order (input, line, article, reason), without repeats.
pub fn canonical_rejects(mut rejects: Vec<Reject>) -> Vec<Reject> {
    rejects.sort_by(|a, b| {
        (&a.input, a.line, &a.article_id, &a.reason).cmp(&(
            &b.input,
            b.line,
            &b.article_id,
            &b.reason,
        ))
    });
    rejects.dedup();
    rejects
}

/// Keeps the rows for which `keep(article_id, content_hash)` holds.
pub fn filter_rows(df: &DataFrame, keep: impl Fn(&str, &str) -> bool) -> Result<DataFrame> {
    let e = err("statements");
    let ids = str_column(&df, "article_id", "statements")?;
    let hashes = str_column(&df, "content_hash", "statements")?;
    let mask: BooleanChunked = ids
        .iter()
        .zip(hashes.iter())
        .map(|(i, h)| Some(keep(i.unwrap_or_default(), h.unwrap_or_default())))
        .collect();
    df.filter(&mask).map_err(&e)
}

/// A Parquet file written batch by batch (one or more row groups each) into a scratch folder,
/// so a table of any size is written without holding it.
pub struct TableFile {
    pub path: std::path::PathBuf,
    table: String,
    /// Buffered: the Parquet writer emits page headers and pages as separate small writes, and
    /// a system call each was a tenth of a run's time.
    writer: Option<Writer>,
    meta: Option<Vec<(String, String)>>,
    schema: Option<Schema>,
    /// Written by [`ScratchWriter`] (see [`TableFile::scratch`]).
    scratch: bool,
    pub rows: usize,
}

impl TableFile {
    pub fn new(path: std::path::PathBuf, table: &str, meta: Option<Vec<(String, String)>>) -> Self {
        TableFile {
            path,
            table: table.to_string(),
            writer: None,
            meta,
            schema: None,
            scratch: false,
            rows: 0,
        }
    }

    /// A scratch file read back whole: without column statistics, whose min and max strings a
    /// writer keeps for every row group until it closes, and with plain encodings (see
    /// [`ScratchWriter`]).
    pub fn scratch(path: std::path::PathBuf, table: &str) -> Self {
        TableFile {
            scratch: true,
            ..TableFile::new(path, table, None)
        }
    }

    /// Appends `df`; its columns are cast to the first batch's types (an all-null or all-empty
    /// column of one batch otherwise differs from the next).
    pub fn write(&mut self, df: &DataFrame) -> Result<()> {
        let e = err(&self.table);
        if self.writer.is_none() {
            let file =
                std::fs::File::create(&self.path).map_err(|err| Error::io(&self.path, err))?;
            // The writer flushes the buffer when it writes the footer, reporting its errors.
            let file = std::io::BufWriter::with_capacity(256 << 10, file);
            let schema = df.schema().as_ref().clone();
            self.writer = Some(if self.scratch {
                Writer::Scratch(ScratchWriter::new(file, &schema).map_err(&e)?)
            } else {
                let mut w =
                    ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None));
                if let Some(m) = &self.meta {
                    w = w.with_key_value_metadata(Some(KeyValueMetadata::from_static(m.clone())));
                }
                Writer::Table(w.batched(&schema).map_err(&e)?)
            });
            self.schema = Some(schema);
        }
        if df.height() == 0 && self.rows > 0 {
            return Ok(());
        }
        let mut df = match &self.schema {
            Some(schema) if df.schema().as_ref() != schema => {
                let columns = schema
                    .iter()
                    .map(|(name, dtype)| df.column(name).and_then(|c| c.cast(dtype)))
                    .collect::<PolarsResult<Vec<Column>>>()
                    .map_err(&e)?;
                DataFrame::new(df.height(), columns).map_err(&e)?
            }
            _ => df.clone(),
        };
        df.rechunk_mut();
        if let Some(w) = &mut self.writer {
            w.write_batch(&df).map_err(&e)?;
        }
        self.rows += df.height();
        Ok(())
    }

    /// Writes the footer; the file is complete after this. `empty` gives the schema of a table
    /// that received no batch.
    pub fn finish(
        mut self,
        empty: impl FnOnce() -> Result<DataFrame>,
    ) -> Result<std::path::PathBuf> {
        if self.writer.is_none() {
            self.write(&empty()?)?;
        }
        if let Some(w) = &mut self.writer {
            w.finish().map_err(err(&self.table))?;
        }
        Ok(self.path)
    }
}

enum Writer {
    Table(polars::io::parquet::write::BatchedWriter<std::io::BufWriter<std::fs::File>>),
    Scratch(ScratchWriter),
}

impl Writer {
    fn write_batch(&mut self, df: &DataFrame) -> PolarsResult<()> {
        match self {
            Writer::Table(w) => w.write_batch(df),
            Writer::Scratch(w) => w.write_batch(df),
        }
    }

    fn finish(&mut self) -> PolarsResult<u64> {
        match self {
            Writer::Table(w) => w.finish(),
            Writer::Scratch(w) => w.finish(),
        }
    }
}

/// A scratch file's writer: polars' Parquet writer minus the dictionary encoding.
///
/// For every string and number column of every row group, polars' writer estimates the
/// column's distinct values (a HyperLogLog sketch of 16,384 registers, counted afresh each
/// time) to decide whether a dictionary pays. Scratch files are cut into small row groups (one
/// per month of each spill) and read back once, so that estimate was 8–21% of a whole run's CPU
/// (`perf` on 20,000 and 5,000 synthetic articles) and bought nothing: LZ4 already squeezes the
/// repeated values. Plain encoding skips it; the published tables keep polars' own choice.
struct ScratchWriter {
    file: polars_parquet::write::FileWriter<std::io::BufWriter<std::fs::File>>,
    /// Each column's Parquet type and its leaves' encodings, in schema order.
    types: Vec<polars_parquet::write::ParquetType>,
    encodings: Vec<Vec<polars_parquet::write::Encoding>>,
    options: polars_parquet::write::WriteOptions,
}

impl ScratchWriter {
    fn new(file: std::io::BufWriter<std::fs::File>, schema: &Schema) -> PolarsResult<Self> {
        use polars_parquet::write::{
            get_dtype_encoding, CompressionOptions, Encoding, FileWriter, StatisticsOptions,
            Version, WriteOptions,
        };
        let arrow = schema.to_arrow(CompatLevel::newest());
        let encodings = arrow
            .iter_values()
            .map(|field| {
                get_dtype_encoding(&field.dtype)
                    .into_iter()
                    .map(|_| Encoding::Plain)
                    .collect()
            })
            .collect();
        let options = WriteOptions {
            statistics: StatisticsOptions::empty(),
            version: Version::V1,
            // Read back once, soon: LZ4 costs a fraction of zstd's CPU.
            compression: CompressionOptions::Lz4Raw,
            data_page_size: None,
        };
        let file = FileWriter::try_new(file, arrow, options)?;
        Ok(ScratchWriter {
            types: file.parquet_schema().fields().to_vec(),
            file,
            encodings,
            options,
        })
    }

    /// One row group per chunk of `df` (rechunked by the caller: one).
    fn write_batch(&mut self, df: &DataFrame) -> PolarsResult<()> {
        use polars_parquet::read::ParquetError;
        use polars_parquet::write::{
            array_to_columns, Compressor, DynIter, DynStreamingIterator, FallibleStreamingIterator,
        };
        for batch in df.iter_chunks(CompatLevel::newest(), false) {
            if batch.len() == 0 {
                continue;
            }
            let mut columns = Vec::with_capacity(self.encodings.len());
            for ((array, parquet_type), encoding) in
                batch.columns().iter().zip(&self.types).zip(&self.encodings)
            {
                for pages in array_to_columns(array, parquet_type.clone(), self.options, encoding)?
                {
                    // The compressor takes parquet's error type, as in polars' own writer.
                    let pages = pages.map(|page| {
                        page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))
                    });
                    let compressed =
                        Compressor::new_from_vec(pages, self.options.compression, vec![])
                            .map_err(PolarsError::from);
                    columns.push(Ok(DynStreamingIterator::new(compressed)));
                }
            }
            self.file
                .write(batch.len() as u64, DynIter::new(columns.into_iter()))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> PolarsResult<u64> {
        self.file.end(None)
    }
}

/// A run's new rows, one part per month and table. Rows arrive in any order of months (a
/// backfill spans years), so they are first spilled in arrival order to scratch files, each
/// flush one file with one row group per month; `finish` then writes each month's part from
/// the row groups of that month, one month at a time. Writing every month's part at once
/// instead would keep a Parquet writer per month open, each holding the metadata of its
/// many small row groups: memory that grows with the corpus.
pub struct StateWriter {
    pub run: u32,
    dir: std::path::PathBuf,
    pending_statements: Vec<DataFrame>,
    pending_articles: Vec<DataFrame>,
    buffered: usize,
    spills: Vec<Spill>,
    months: BTreeSet<String>,
}

/// One flush: a scratch file per table, and where each month's rows lie in it.
struct Spill {
    statements: Option<(std::path::PathBuf, BTreeMap<String, (usize, usize)>)>,
    articles: Option<(std::path::PathBuf, BTreeMap<String, (usize, usize)>)>,
}

/// Statement and index rows a run holds before spilling them.
pub const BUFFER_ROWS: usize = 32_768;

/// Parts a month may have before a run that writes to it compacts them into one.
pub const MAX_PARTS: usize = 8;

/// Row positions of `df` by month of its `published` column.
fn rows_by_month(df: &DataFrame) -> Result<BTreeMap<String, Vec<IdxSize>>> {
    let e = err("statements");
    let days = df
        .column("published")
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(&e)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut out: BTreeMap<String, Vec<IdxSize>> = BTreeMap::new();
    let mut last: Option<(i32, String)> = None;
    for (i, d) in days.i32().map_err(&e)?.iter().enumerate() {
        let d = d.unwrap_or(0);
        let month = match &last {
            Some((day, m)) if *day == d => m.clone(),
            _ => {
                let m = month_of(epoch + chrono::Duration::days(d as i64));
                last = Some((d, m.clone()));
                m
            }
        };
        out.entry(month).or_default().push(i as IdxSize);
    }
    Ok(out)
}

impl StateWriter {
    pub fn new(run: u32, dir: std::path::PathBuf) -> Self {
        StateWriter {
            run,
            dir,
            pending_statements: Vec::new(),
            pending_articles: Vec::new(),
            buffered: 0,
            spills: Vec::new(),
            months: BTreeSet::new(),
        }
    }

    /// Months this run has rows for (after a [`StateWriter::flush`]).
    pub fn months(&self) -> impl Iterator<Item = &String> {
        self.months.iter()
    }

    /// Adds statement rows and index rows (both with `published` and `content_hash`).
    pub fn add(&mut self, statements: DataFrame, articles: DataFrame) -> Result<()> {
        self.buffered += statements.height() + articles.height();
        if statements.height() > 0 {
            self.pending_statements.push(statements);
        }
        if articles.height() > 0 {
            self.pending_articles.push(articles);
        }
        if self.buffered >= BUFFER_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Spills every buffered row to a scratch file per table, one row group per month.
    pub fn flush(&mut self) -> Result<()> {
        let n = self.spills.len();
        let mut spill = Spill {
            statements: None,
            articles: None,
        };
        for articles in [false, true] {
            let pending = std::mem::take(if articles {
                &mut self.pending_articles
            } else {
                &mut self.pending_statements
            });
            let mut all = pending.into_iter();
            let Some(mut df) = all.next() else { continue };
            for more in all {
                df.vstack_mut_owned(more).map_err(err("statements"))?;
            }
            df.rechunk_mut();
            let name = if articles { "articles" } else { "statements" };
            let mut file =
                TableFile::scratch(self.dir.join(format!("spill-{name}-{n:06}.parquet")), name);
            let mut at = BTreeMap::new();
            for (month, rows) in rows_by_month(&df)? {
                let piece = df
                    .take(&IdxCa::from_vec("".into(), rows))
                    .map_err(err(name))?;
                at.insert(month.clone(), (file.rows, piece.height()));
                file.write(&piece)?;
                self.months.insert(month);
            }
            let path = file.finish(|| Ok(DataFrame::empty()))?;
            if articles {
                spill.articles = Some((path, at));
            } else {
                spill.statements = Some((path, at));
            }
        }
        self.spills.push(spill);
        self.buffered = 0;
        Ok(())
    }

    /// Moves the older parts' live rows of `month` into this run's part (compaction). The
    /// articles' versions move to this run, so `known` is updated for them.
    pub fn absorb(
        &mut self,
        storage: &dyn Storage,
        statements: &[String],
        articles: &[String],
        known: &mut Known,
    ) -> Result<()> {
        let run = self.run;
        let mut moved: Vec<(u128, u64)> = Vec::new();
        for key in articles {
            let old = run_of(key).unwrap_or(0);
            read_part_slices(storage, key, None, |df| {
                let df = live_rows(&df, old, known)?;
                let ids = str_column(&df, "article_id", key)?;
                let hashes = str_column(&df, "content_hash", key)?;
                moved.extend(ids.iter().zip(hashes.iter()).map(|(i, h)| {
                    (
                        digest(i.unwrap_or_default()),
                        content_bits(h.unwrap_or_default()),
                    )
                }));
                self.add(DataFrame::empty(), df)
            })?;
        }
        for key in statements {
            let old = run_of(key).unwrap_or(0);
            read_part_slices(storage, key, None, |df| {
                let df = live_rows(&df, old, known)?;
                self.add(df, DataFrame::empty())
            })?;
        }
        for (id, content) in moved {
            known.set(id, Version { content, run });
        }
        Ok(())
    }

    /// Writes each month's parts from the spills, stores them, and returns month →
    /// (statements key, articles key). Memory: one month's row groups of about
    /// [`BUFFER_ROWS`] rows at a time.
    pub fn finish(mut self, storage: &dyn Storage) -> Result<BTreeMap<String, (String, String)>> {
        self.flush()?;
        let mut keys = BTreeMap::new();
        for month in &self.months {
            let (s_key, a_key) = (
                part_key(STATEMENTS, month, self.run),
                part_key(ARTICLES, month, self.run),
            );
            for (articles, key) in [(false, &s_key), (true, &a_key)] {
                let name = if articles { "articles" } else { "statements" };
                let mut part =
                    TableFile::new(self.dir.join(format!("{name}-{month}.parquet")), key, None);
                let mut batch: Option<DataFrame> = None;
                for spill in &self.spills {
                    let Some((path, at)) = (if articles {
                        &spill.articles
                    } else {
                        &spill.statements
                    }) else {
                        continue;
                    };
                    let Some((offset, len)) = at.get(month) else {
                        continue;
                    };
                    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                    let df = ParquetReader::new(file)
                        .with_slice(Some((*offset, *len)))
                        .finish()
                        .map_err(err(key))?;
                    append_rows(&mut batch, df, key)?;
                    if batch.as_ref().is_some_and(|b| b.height() >= BUFFER_ROWS) {
                        if let Some(b) = batch.take() {
                            part.write(&b)?;
                        }
                    }
                }
                if let Some(b) = batch.take() {
                    part.write(&b)?;
                }
                // A month whose articles have no statements still gets a (row-less) statements part.
                let path = if articles {
                    part.finish(|| index_frame(std::iter::empty()))?
                } else {
                    part.finish(crate::output::empty_statement_rows)?
                };
                storage.write_file(key, &path)?;
            }
            keys.insert(month.clone(), (s_key, a_key));
        }
        for spill in &self.spills {
            for (path, _) in spill.statements.iter().chain(spill.articles.iter()) {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            }
        }
        Ok(keys)
    }
}

/// What one run (or one merge) adds to a state, besides its parts.
pub struct Update {
    pub meta: StateMeta,
    /// Content hash → copies skipped as duplicates, for articles this run processed.
    pub duplicates: Vec<(String, u32)>,
    /// Inputs this run read: their stored rejects are replaced by `rejects`.
    pub inputs_read: BTreeSet<String>,
    pub rejects: Vec<Reject>,
}

/// Whether anything was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    Unchanged,
    Changed,
}

/// Applies a run: `state.known` must already hold the run's versions under the writer's run
/// (admission records them as it reads; a merge sets them). Then its parts (compacting crowded months), the duplicates, the rejects, then
/// `commit.json` (the commit point), then removes parts no longer listed. `crash_point` lets
/// tests stop the process between the steps.
pub fn commit(
    storage: &dyn Storage,
    state: &mut State,
    mut writer: StateWriter,
    update: Update,
) -> Result<Committed> {
    let mut changed = false;
    if state.meta.as_ref() != Some(&update.meta) {
        let text = serde_json::to_string_pretty(&update.meta)
            .map_err(|e| Error::io(META, std::io::Error::other(e)))?
            + "\n";
        storage.write(META, text.as_bytes())?;
        state.meta = Some(update.meta.clone());
        changed = true;
    }
    let run = writer.run;
    writer.flush()?;
    let mut commit = state.commit.clone();
    let months: Vec<String> = writer.months().cloned().collect();
    for month in &months {
        let old_s = commit.statements.get(month).cloned().unwrap_or_default();
        let old_a = commit.articles.get(month).cloned().unwrap_or_default();
        if old_s.len().max(old_a.len()) + 1 > MAX_PARTS {
            writer.absorb(storage, &old_s, &old_a, &mut state.known)?;
            commit.statements.remove(month);
            commit.articles.remove(month);
        }
    }
    for (month, (s_key, a_key)) in writer.finish(storage)? {
        commit
            .statements
            .entry(month.clone())
            .or_default()
            .push(s_key);
        commit.articles.entry(month).or_default().push(a_key);
    }
    crash_point("partition");
    if !update.duplicates.is_empty() {
        let key = format!("{DUPLICATES}/part-{run:06}.parquet");
        let (hashes, copies): (Vec<String>, Vec<u32>) = update.duplicates.into_iter().unzip();
        let mut df = DataFrame::new(
            hashes.len(),
            vec![
                Column::new("content_hash".into(), hashes),
                Column::new("copies".into(), copies),
            ],
        )
        .map_err(err("duplicates"))?;
        storage.write(&key, &parquet_bytes(&mut df, &key, None)?)?;
        commit.duplicates.push(key);
    }

    let mut rejects: Vec<Reject> = state
        .rejects
        .iter()
        .filter(|r| !update.inputs_read.contains(&r.input))
        .cloned()
        .collect();
    rejects.extend(update.rejects);
    let rejects = canonical_rejects(rejects);
    if rejects != state.rejects {
        storage.write(
            REJECTS,
            &parquet_bytes(&mut crate::output::rejects_frame(&rejects)?, REJECTS, None)?,
        )?;
        state.rejects = rejects;
        changed = true;
    }
    crash_point("rejects");

    if commit != state.commit {
        commit.runs = run;
        let text = serde_json::to_string_pretty(&commit)
            .map_err(|e| Error::io(COMMIT, std::io::Error::other(e)))?
            + "\n";
        storage.write(COMMIT, text.as_bytes())?;
        state.commit = commit;
        changed = true;
    }
    crash_point("index");
    remove_unlisted(storage, &state.commit)?;
    Ok(if changed {
        Committed::Changed
    } else {
        Committed::Unchanged
    })
}

/// Deletes parts that `commit` does not list: those of a killed run, and those a compaction or
/// a rebuild replaced.
pub fn remove_unlisted(storage: &dyn Storage, commit: &Commit) -> Result<usize> {
    let listed = commit.keys();
    let mut removed = 0;
    for table in [STATEMENTS, ARTICLES, DUPLICATES] {
        for key in storage.list(table)? {
            if !listed.contains(key.as_str()) {
                storage.delete(&key)?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Testing hook: `TONETRACK_CRASH_AT=partition|rejects|index|tables` aborts the process right
/// after that step, like `kill -9` would, so tests can prove a re-run repairs the state.
pub fn crash_point(step: &str) {
    if std::env::var("TONETRACK_CRASH_AT").is_ok_and(|v| v == step) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_storage_lists_keys_recursively_and_skips_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStorage::new(dir.path()).unwrap();
        s.write("state/statements/month=2025-02/part-0.parquet", b"x")
            .unwrap();
        s.write("state/statements/month=2025-01/part-0.parquet", b"y")
            .unwrap();
        std::fs::write(
            dir.path()
                .join("state/statements/month=2025-01/.part-0.parquet.tmp-1"),
            b"z",
        )
        .unwrap();
        assert_eq!(
            s.list("state/statements").unwrap(),
            vec![
                "state/statements/month=2025-01/part-0.parquet",
                "state/statements/month=2025-02/part-0.parquet"
            ]
        );
        assert_eq!(s.read("state/none").unwrap(), None);
        s.delete("state/statements/month=2025-02/part-0.parquet")
            .unwrap();
        s.delete("state/statements/month=2025-02/part-0.parquet")
            .unwrap();
    }

    #[test]
    fn state_meta_names_the_changed_knowledge_file() {
        let meta = |sha: &str| StateMeta {
            format: STATE_FORMAT,
            tonetrack_version: "0.1.0".into(),
            scorer: "lexicon".into(),
            scorer_version: "1.0.0".into(),
            models_sha256: [("tone-lexicon.toml".to_string(), sha.to_string())]
                .into_iter()
                .collect(),
        };
        assert_eq!(meta("a").incompatibility(&meta("a")), None);
        assert!(meta("a")
            .incompatibility(&meta("b"))
            .unwrap()
            .contains("tone-lexicon.toml"));
    }
}
