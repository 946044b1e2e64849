//! Storage back ends: where an output folder lives. [`Storage`] is an object store by key
//! (`state/commit.json`, `statements.parquet`) whose every write is atomic, so that the commit
//! protocol can rely on readers seeing an old or a new object, never half of one; [`Scratch`] is
//! the local folder where a run writes files before storing them.
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::store;
//! let storage = store::open("out")?; // or "s3://bucket/prefix"
//! storage.write("notes.txt", b"hello")?;
//! assert_eq!(storage.read("notes.txt")?.as_deref(), Some(&b"hello"[..]));
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use super::lock;
use super::{LocalStorage, ObjectStorage};
use crate::error::{Error, Result};

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
    /// Removes what an interrupted write left behind (temporary files, dead runs' scratch
    /// folders); returns how many. Call it only while holding the output's lock.
    fn remove_leftovers(&self) -> Result<usize> {
        Ok(0)
    }
    /// Tries once to take the output's lock for `holder` (see [`lock`]); `lease` is how long
    /// an object store's lock counts without renewal.
    fn try_lock(&self, holder: &lock::Holder, lease: std::time::Duration) -> Result<lock::Attempt>;
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

/// A folder of temporary files, named after its owner (`.scratch-SEQ-HOST.tmp-PID`) so that
/// `remove_leftovers` removes it only once that process is gone.
pub struct Scratch {
    pub path: std::path::PathBuf,
}

/// The host part of a scratch folder's name: the host name with anything but letters, digits,
/// `-` and `.` replaced, so that the name stays one path component.
pub(super) fn scratch_host() -> String {
    lock::host_name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The owner of a temporary file or scratch folder, from its name: `(host, pid)`, host None
/// for a `.NAME.tmp-PID` file (written by a process of this machine: see `write_atomic`).
pub(super) fn temp_owner(name: &str) -> Option<(Option<&str>, u32)> {
    let (stem, pid) = name.rsplit_once(crate::output::TEMP_MARK)?;
    let pid = pid.parse().ok()?;
    let host = stem
        .strip_prefix(".scratch-")
        .and_then(|rest| rest.split_once('-'))
        .map(|(_, host)| host);
    Some((host, pid))
}

impl Scratch {
    pub fn new(parent: &std::path::Path) -> Result<Scratch> {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = parent.join(format!(
            ".scratch-{seq}-{}{}{}",
            scratch_host(),
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

/// Opens `--out`: a local folder, or `s3://bucket/prefix`.
pub fn open(out: &str) -> Result<Box<dyn Storage>> {
    if out.starts_with("s3://") {
        Ok(Box::new(ObjectStorage::open(out)?))
    } else {
        Ok(Box::new(LocalStorage::new(out)?))
    }
}
