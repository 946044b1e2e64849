//! An output folder on a local disk: each key a file, written under a temporary name and
//! renamed (atomic on one file system), the lock an OS file lock on `OUT/.lock`.
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::store::{LocalStorage, Storage};
//! let out = LocalStorage::new("out")?;
//! out.write("state/statements/month=2025-02/part-000001.parquet", b"...")?;
//! assert_eq!(out.list("state/statements")?.len(), 1);
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use super::backend::{scratch_host, temp_owner};
use super::{lock, Scratch, Storage};
use crate::error::{Error, Result};

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

    fn try_lock(
        &self,
        holder: &lock::Holder,
        _lease: std::time::Duration,
    ) -> Result<lock::Attempt> {
        lock::try_lock_file(&self.root.join(lock::LOCK), holder)
    }

    fn remove_leftovers(&self) -> Result<usize> {
        // `.NAME.tmp-PID` files of a killed writer (see output::write_atomic) and scratch
        // folders `.scratch-SEQ-HOST.tmp-PID`. The caller holds the lock, so no other run is
        // writing here; still, what a live process of this machine owns is left alone (a run
        // of a tonetrack without the lock), and so is what this process owns.
        let (me, host) = (std::process::id(), scratch_host());
        let mut removed = 0;
        let mut walk = walkdir::WalkDir::new(&self.root).max_depth(4).into_iter();
        while let Some(entry) = walk.next() {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_string_lossy();
            if !name.starts_with('.') {
                continue;
            }
            let Some((owner_host, pid)) = temp_owner(&name) else {
                continue;
            };
            let here = owner_host.is_none_or(|h| h == host);
            let dead = !here || (pid != me && lock::process_alive(pid) != Some(true));
            if entry.file_type().is_dir() {
                // Not into a live owner's folder either.
                walk.skip_current_dir();
            }
            if dead {
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
}
