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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use object_store::ObjectStoreExt;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::output::{date_column, days_since_epoch};
use crate::types::Reject;

pub const META: &str = "state/meta.json";
pub const INDEX: &str = "state/articles.parquet";
pub const REJECTS: &str = "state/rejects.parquet";
pub const STATEMENTS: &str = "state/statements";

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
        key.split('/').fold(self.root.clone(), |p, part| p.join(part))
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
        let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        crate::output::write_atomic(&dir, &name, |f| f.write_all(bytes).map_err(|e| Error::io(&path, e)))
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
                let key: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                keys.push(key.join("/"));
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn remove_leftovers(&self) -> Result<usize> {
        // `.NAME.tmp-PID` files of a killed writer (see output::write_atomic); one run per
        // folder at a time, so any such file not of this process is dead.
        let ours = format!("{}{}", crate::output::TEMP_MARK, std::process::id());
        let mut removed = 0;
        for entry in walkdir::WalkDir::new(&self.root).max_depth(4).into_iter().filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && name.starts_with('.') && name.contains(crate::output::TEMP_MARK) && !name.ends_with(&ours) {
                std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                removed += 1;
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
        let fail = |message: String| Error::State { location: url.to_string(), message };
        let rest = url.strip_prefix("s3://").ok_or_else(|| fail("only s3:// URLs are supported".into()))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(fail("no bucket name: write s3://bucket/prefix".into()));
        }
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder.build().map_err(|e| fail(format!("cannot configure S3: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io(url, e))?;
        Ok(ObjectStorage { url: url.trim_end_matches('/').to_string(), prefix: prefix.trim_matches('/').to_string(), store: Box::new(store), runtime })
    }

    fn path(&self, key: &str) -> object_store::path::Path {
        if self.prefix.is_empty() {
            object_store::path::Path::from(key)
        } else {
            object_store::path::Path::from(format!("{}/{key}", self.prefix))
        }
    }

    fn fail(&self, key: &str, e: impl std::fmt::Display) -> Error {
        Error::io(format!("{}/{key}", self.url), std::io::Error::other(e.to_string()))
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
                Ok(r) => r.bytes().await.map(|b| Some(b.to_vec())).map_err(|e| self.fail(key, e)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(self.fail(key, e)),
            }
        })
    }

    fn write(&self, key: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(key);
        let payload = object_store::PutPayload::from(bytes.to_vec());
        self.runtime.block_on(self.store.put(&path, payload)).map(|_| ()).map_err(|e| self.fail(key, e))
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
        let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        let metas: Vec<object_store::ObjectMeta> =
            self.runtime.block_on(self.store.list(Some(&path)).try_collect()).map_err(|e| self.fail(prefix, e))?;
        let mut keys: Vec<String> = metas.into_iter().filter_map(|m| m.location.as_ref().strip_prefix(&strip).map(str::to_string)).collect();
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

pub const STATE_FORMAT: u32 = 1;

impl StateMeta {
    /// Why `self` (the state on disk) and `now` (this run) cannot share a state, if they cannot.
    pub fn incompatibility(&self, now: &StateMeta) -> Option<String> {
        if self.format != now.format {
            return Some(format!("state format {} (this tonetrack writes {})", self.format, now.format));
        }
        if self.tonetrack_version != now.tonetrack_version {
            return Some(format!("tonetrack {} (this is {})", self.tonetrack_version, now.tonetrack_version));
        }
        if (&self.scorer, &self.scorer_version) != (&now.scorer, &now.scorer_version) {
            return Some(format!("scorer {} {} (this run uses {} {})", self.scorer, self.scorer_version, now.scorer, now.scorer_version));
        }
        let names: BTreeSet<&String> = self.models_sha256.keys().chain(now.models_sha256.keys()).collect();
        let changed: Vec<&str> = names
            .into_iter()
            .filter(|n| self.models_sha256.get(*n) != now.models_sha256.get(*n))
            .map(|n| n.as_str())
            .collect();
        if !changed.is_empty() {
            return Some(format!("other knowledge files (changed: {})", changed.join(", ")));
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

/// The state as read at the start of a run.
#[derive(Debug, Default)]
pub struct State {
    pub meta: Option<StateMeta>,
    pub index: BTreeMap<String, IndexRow>,
    pub rejects: Vec<Reject>,
}

/// `month=2025-02`: the partition of a publication date.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

pub fn partition_key(month: &str) -> String {
    format!("{STATEMENTS}/month={month}/part-0.parquet")
}

fn err(table: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::table(table, e)
}

pub fn parquet_bytes(df: &mut DataFrame, table: &str, meta: Option<&[(String, String)]>) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = ParquetWriter::new(&mut buf).with_compression(ParquetCompression::Zstd(None));
    if let Some(m) = meta {
        w = w.with_key_value_metadata(Some(KeyValueMetadata::from_static(m.to_vec())));
    }
    w.finish(df).map_err(err(table))?;
    Ok(buf)
}

pub fn read_parquet_bytes(bytes: Vec<u8>, table: &str) -> Result<DataFrame> {
    ParquetReader::new(Cursor::new(bytes)).finish().map_err(err(table))
}

impl State {
    pub fn load(storage: &dyn Storage) -> Result<State> {
        let mut state = State::default();
        if let Some(bytes) = storage.read(META)? {
            let meta: StateMeta = serde_json::from_slice(&bytes).map_err(|e| Error::Config {
                file: format!("{}/{META}", storage.describe()),
                line: e.line(),
                message: format!("unreadable state metadata ({e}); move the folder away or run with --rebuild"),
            })?;
            state.meta = Some(meta);
        }
        if let Some(bytes) = storage.read(INDEX)? {
            let df = read_parquet_bytes(bytes, INDEX)?;
            for row in index_rows(&df).map_err(err(INDEX))? {
                state.index.insert(row.article_id.clone(), row);
            }
        }
        if let Some(bytes) = storage.read(REJECTS)? {
            let df = read_parquet_bytes(bytes, REJECTS)?;
            state.rejects = reject_rows(&df).map_err(err(REJECTS))?;
        }
        Ok(state)
    }

    /// A hash of everything the published tables are derived from; equal hashes mean equal tables.
    pub fn fingerprint(storage: &dyn Storage) -> Result<String> {
        let mut all = Vec::new();
        for key in [META, INDEX, REJECTS] {
            all.extend_from_slice(key.as_bytes());
            all.push(0);
            if let Some(b) = storage.read(key)? {
                all.extend_from_slice(crate::models::sha256_hex(&b).as_bytes());
            }
            all.push(0);
        }
        Ok(crate::models::sha256_hex(&all)[..16].to_string())
    }
}

fn index_rows(df: &DataFrame) -> PolarsResult<Vec<IndexRow>> {
    let s = |name: &str| -> PolarsResult<StringChunked> { Ok(df.column(name)?.str()?.clone()) };
    let (id, hash, title, source, url, language, input) =
        (s("article_id")?, s("content_hash")?, s("title")?, s("source")?, s("url")?, s("language")?, s("input")?);
    let published = df.column("published")?.cast(&DataType::Int32)?;
    let published = published.i32()?;
    let line = df.column("line")?.u64()?.clone();
    let chars = df.column("chars")?.u64()?.clone();
    let statements = df.column("statements")?.u32()?.clone();
    let dups = df.column("duplicates_seen")?.u32()?.clone();
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
            duplicates_seen: dups.get(i).unwrap_or(0),
        })
        .collect())
}

/// `articles.parquet` (and the index): rows in the given order.
pub fn index_frame<'a>(rows: impl IntoIterator<Item = &'a IndexRow>) -> Result<DataFrame> {
    let rows: Vec<&IndexRow> = rows.into_iter().collect();
    let n = rows.len();
    let col = |name: &str, f: &dyn Fn(&IndexRow) -> Option<String>| Column::new(name.into(), rows.iter().map(|r| f(r)).collect::<Vec<_>>());
    let columns = vec![
        Column::new("article_id".into(), rows.iter().map(|r| r.article_id.clone()).collect::<Vec<_>>()),
        date_column("published", rows.iter().map(|r| days_since_epoch(r.published)).collect())?,
        col("title", &|r| r.title.clone()),
        col("source", &|r| r.source.clone()),
        col("url", &|r| r.url.clone()),
        col("language", &|r| r.language.clone()),
        Column::new("input".into(), rows.iter().map(|r| r.input.clone()).collect::<Vec<_>>()),
        Column::new("line".into(), rows.iter().map(|r| r.line).collect::<Vec<_>>()),
        Column::new("chars".into(), rows.iter().map(|r| r.chars).collect::<Vec<_>>()),
        Column::new("content_hash".into(), rows.iter().map(|r| r.content_hash.clone()).collect::<Vec<_>>()),
        Column::new("statements".into(), rows.iter().map(|r| r.statements).collect::<Vec<_>>()),
        Column::new("duplicates_seen".into(), rows.iter().map(|r| r.duplicates_seen).collect::<Vec<_>>()),
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
    rejects.sort_by(|a, b| (&a.input, a.line, &a.article_id, &a.reason).cmp(&(&b.input, b.line, &b.article_id, &b.reason)));
    rejects.dedup();
    rejects
}

/// Statement rows in their canonical order inside a partition: by article, then position.
pub fn sort_partition(df: &DataFrame) -> Result<DataFrame> {
    df.sort(["article_id", "start", "end", "kind"], SortMultipleOptions::default().with_maintain_order(true))
        .map_err(err("statements"))
}

/// Keeps the rows for which `keep(article_id, content_hash)` holds.
pub fn filter_rows(df: &DataFrame, keep: impl Fn(&str, &str) -> bool) -> Result<DataFrame> {
    let e = err("statements");
    let ids = df.column("article_id").and_then(|c| c.str().cloned()).map_err(&e)?;
    let hashes = df.column("content_hash").and_then(|c| c.str().cloned()).map_err(&e)?;
    let mask: BooleanChunked = ids
        .iter()
        .zip(hashes.iter())
        .map(|(i, h)| Some(keep(i.unwrap_or_default(), h.unwrap_or_default())))
        .collect();
    df.filter(&mask).map_err(&e)
}

/// What one run (or one merge) adds to a state.
pub struct Update {
    pub meta: StateMeta,
    /// New and changed articles with their statement rows (the statements table's columns plus
    /// `content_hash`), grouped by month of publication.
    pub articles: Vec<IndexRow>,
    pub rows_by_month: BTreeMap<String, DataFrame>,
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

/// Applies an update: partitions first, then rejects, then the index (the commit point).
/// `crash_point` lets tests stop the process between the steps.
pub fn commit(storage: &dyn Storage, state: &State, update: Update) -> Result<Committed> {
    let mut changed = false;
    if state.meta.as_ref() != Some(&update.meta) {
        let text = serde_json::to_string_pretty(&update.meta).map_err(|e| Error::io(META, std::io::Error::other(e)))? + "\n";
        storage.write(META, text.as_bytes())?;
        changed = true;
    }

    let mut index = state.index.clone();
    let mut months: BTreeSet<String> = update.rows_by_month.keys().cloned().collect();
    let mut replaced: HashMap<String, String> = HashMap::new();
    for row in &update.articles {
        if let Some(old) = index.get(&row.article_id) {
            months.insert(month_of(old.published));
        }
        replaced.insert(row.article_id.clone(), row.content_hash.clone());
        index.insert(row.article_id.clone(), row.clone());
    }
    for month in &months {
        let key = partition_key(month);
        let kept = match storage.read(&key)? {
            // Rows of articles this update replaces go; so do orphans of an interrupted run.
            Some(bytes) => Some(filter_rows(&read_parquet_bytes(bytes, &key)?, |id, hash| {
                !replaced.contains_key(id) && index.get(id).is_some_and(|r| r.content_hash == hash)
            })?),
            None => None,
        };
        let mut rows = match (kept, update.rows_by_month.get(month)) {
            (Some(mut k), Some(new)) => {
                k.vstack_mut(new).map_err(err("statements"))?;
                k
            }
            (Some(k), None) => k,
            (None, Some(new)) => new.clone(),
            (None, None) => continue,
        };
        if rows.height() == 0 {
            storage.delete(&key)?;
        } else {
            rows = sort_partition(&rows)?;
            storage.write(&key, &parquet_bytes(&mut rows, &key, None)?)?;
        }
        changed = true;
        crash_point("partition");
    }

    let mut rejects: Vec<Reject> = state.rejects.iter().filter(|r| !update.inputs_read.contains(&r.input)).cloned().collect();
    rejects.extend(update.rejects);
    let rejects = canonical_rejects(rejects);
    if rejects != state.rejects {
        storage.write(REJECTS, &parquet_bytes(&mut crate::output::rejects_frame(&rejects)?, REJECTS, None)?)?;
        changed = true;
    }
    crash_point("rejects");

    if !update.articles.is_empty() {
        storage.write(INDEX, &parquet_bytes(&mut index_frame(index.values())?, INDEX, None)?)?;
        changed = true;
    }
    crash_point("index");
    Ok(if changed { Committed::Changed } else { Committed::Unchanged })
}

/// The live statement rows of the state, by month: every partition without the orphans of an
/// interrupted run (rows whose article the index does not hold with that content hash).
pub fn live_partitions(storage: &dyn Storage, index: &BTreeMap<String, IndexRow>) -> Result<BTreeMap<String, DataFrame>> {
    let mut by_month: BTreeMap<String, DataFrame> = BTreeMap::new();
    for key in storage.list(STATEMENTS)? {
        let Some(month) = key.strip_suffix(".parquet").and_then(|_| key.split('/').find_map(|p| p.strip_prefix("month="))) else { continue };
        let Some(bytes) = storage.read(&key)? else { continue };
        let df = filter_rows(&read_parquet_bytes(bytes, &key)?, |id, hash| index.get(id).is_some_and(|r| r.content_hash == hash))?;
        match by_month.get_mut(month) {
            Some(acc) => {
                acc.vstack_mut(&df).map_err(err("statements"))?;
            }
            None => {
                by_month.insert(month.to_string(), df);
            }
        }
    }
    Ok(by_month)
}

/// All live statement rows of the state in one frame, without the `content_hash` helper column.
pub fn live_statements(storage: &dyn Storage, index: &BTreeMap<String, IndexRow>) -> Result<Option<DataFrame>> {
    let mut all: Option<DataFrame> = None;
    for df in live_partitions(storage, index)?.into_values() {
        match &mut all {
            Some(a) => {
                a.vstack_mut(&df).map_err(err("statements"))?;
            }
            None => all = Some(df),
        }
    }
    match all {
        Some(mut df) => {
            df.drop_in_place("content_hash").map_err(err("statements"))?;
            df.rechunk_mut();
            Ok(Some(df))
        }
        None => Ok(None),
    }
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
        s.write("state/statements/month=2025-02/part-0.parquet", b"x").unwrap();
        s.write("state/statements/month=2025-01/part-0.parquet", b"y").unwrap();
        std::fs::write(dir.path().join("state/statements/month=2025-01/.part-0.parquet.tmp-1"), b"z").unwrap();
        assert_eq!(
            s.list("state/statements").unwrap(),
            vec!["state/statements/month=2025-01/part-0.parquet", "state/statements/month=2025-02/part-0.parquet"]
        );
        assert_eq!(s.read("state/none").unwrap(), None);
        s.delete("state/statements/month=2025-02/part-0.parquet").unwrap();
        s.delete("state/statements/month=2025-02/part-0.parquet").unwrap();
    }

    #[test]
    fn state_meta_names_the_changed_knowledge_file() {
        let meta = |sha: &str| StateMeta {
            format: STATE_FORMAT,
            tonetrack_version: "0.1.0".into(),
            scorer: "lexicon".into(),
            scorer_version: "1.0.0".into(),
            models_sha256: [("tone-lexicon.toml".to_string(), sha.to_string())].into_iter().collect(),
        };
        assert_eq!(meta("a").incompatibility(&meta("a")), None);
        assert!(meta("a").incompatibility(&meta("b")).unwrap().contains("tone-lexicon.toml"));
    }
}
