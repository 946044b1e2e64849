//! One writer per output: the lock that `run`, `merge` and `check` take on `--out` before they
//! read the state, held until `manifest.json` is written.
//!
//! Why: two runs on one folder both read the same state, both name their parts
//! `part-{runs + 1}`, and overwrite each other's parts and `commit.json`; the index then claims
//! statements that no part holds (issue 22: 2,152 statements of 168 articles lost for good).
//!
//! ```text
//! OUT/.lock            local folder: an OS lock (flock) on this file, released by the kernel
//!                      when the holder dies; the file says who holds it while it is held
//! s3://b/p/.lock       object store: created with a conditional put (If-None-Match: *), renewed
//!                      every lease/3 with a conditional update (If-Match: e-tag), deleted at the
//!                      end; a lease that ran out is taken over (conditional update) with a warning
//!                      (see `lease.rs`)
//! ```
//!
//! Example (what `job::run` does):
//!
//! ```no_run
//! use tonetrack::store::{self, lock::{self, LockRequest}};
//! let storage = store::open("out")?;
//! let request = LockRequest::for_this_process(std::time::Duration::from_secs(30))?;
//! let held = lock::acquire(storage.as_ref(), &request)?; // or Error::Busy naming the holder
//! // … read the state, commit, publish …
//! held.still_held()?;
//! held.release()?;
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::io::{Read, Seek, Write};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The lock's key in the output: a dot name, so listings of the state never see it.
pub const LOCK: &str = ".lock";

/// The environment variable that sets the S3 lease in seconds (default [`DEFAULT_LEASE`]).
pub const LEASE_ENV: &str = "TONETRACK_LOCK_LEASE_SECS";

/// How long an S3 lock counts without renewal: a killed holder blocks the output this long.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// How often a waiting run (`--wait`) asks again.
const POLL: Duration = Duration::from_millis(500);

/// Who holds a lock: what the lock file or object says, and what a busy run prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    /// When the lock was taken (RFC 3339, UTC).
    pub since: String,
    /// The holder's command line.
    pub command: String,
    /// Object stores only: when the lease runs out unless the holder renews it (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<String>,
}

impl Holder {
    /// This process, now.
    pub fn this_process(command: &str) -> Holder {
        Holder {
            host: host_name(),
            pid: std::process::id(),
            since: rfc3339(Utc::now()),
            command: command.to_string(),
            lease_until: None,
        }
    }

    /// `pid 4764 on host X since 2026-12-04 12:01:07 UTC, `tonetrack run …``
    pub fn describe(&self) -> String {
        let since = DateTime::parse_from_rfc3339(&self.since)
            .map(|t| {
                t.with_timezone(&Utc)
                    .format("%Y-%m-%d %H:%M:%S UTC")
                    .to_string()
            })
            .unwrap_or_else(|_| self.since.clone());
        let lease = match &self.lease_until {
            Some(until) => format!(", lease until {until}"),
            None => String::new(),
        };
        format!(
            "pid {} on host {} since {since}, `{}`{lease}",
            self.pid, self.host, self.command
        )
    }

    pub(super) fn to_json(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    pub(super) fn lease_expired(&self, now: DateTime<Utc>) -> bool {
        self.lease_until
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
            .is_none_or(|u| u.with_timezone(&Utc) <= now)
    }
}

pub(super) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// This machine's name, for messages (Linux: the kernel's; else `$HOSTNAME`).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// What a run asks of the lock: who it is, how long to wait for a busy lock, the S3 lease.
#[derive(Debug, Clone)]
pub struct LockRequest {
    pub command: String,
    /// Zero: answer busy at once.
    pub wait: Duration,
    pub lease: Duration,
}

impl Default for LockRequest {
    fn default() -> Self {
        LockRequest {
            command: "tonetrack".to_string(),
            wait: Duration::ZERO,
            lease: DEFAULT_LEASE,
        }
    }
}

impl LockRequest {
    /// This process's command line, `wait`, and the lease from [`LEASE_ENV`] (or the default).
    pub fn for_this_process(wait: Duration) -> Result<LockRequest> {
        let command = std::env::args()
            .enumerate()
            .map(|(i, a)| {
                // The program as its file name: the message is about the command, not its path.
                let a = if i == 0 {
                    std::path::Path::new(&a)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or(a)
                } else {
                    a
                };
                if a.is_empty() || a.contains(char::is_whitespace) {
                    format!("'{a}'")
                } else {
                    a
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        Ok(LockRequest {
            command,
            wait,
            lease: lease_from(std::env::var(LEASE_ENV).ok().as_deref())?,
        })
    }
}

/// The lease a [`LEASE_ENV`] value asks for: whole seconds, at least 1.
pub fn lease_from(value: Option<&str>) -> Result<Duration> {
    let Some(value) = value else {
        return Ok(DEFAULT_LEASE);
    };
    match value.trim().parse::<u64>() {
        Ok(secs) if secs >= 1 => Ok(Duration::from_secs(secs)),
        _ => Err(Error::Config {
            file: format!("${LEASE_ENV}"),
            line: 0,
            message: format!("`{value}` is not a lease in whole seconds (1 or more)"),
        }),
    }
}

/// One try at a lock.
pub enum Attempt {
    Taken(Box<dyn Held>),
    /// Held by someone else (None when what the lock says could not be read).
    Busy(Option<Holder>),
}

/// A lock this process holds.
pub trait Held: Send {
    /// An error when the lock is no longer this process's (an S3 lease lost to a takeover, or
    /// run out without renewal): checked before the commit point and before publishing.
    fn still_held(&self) -> Result<()>;
    /// Gives the lock up.
    fn release(self: Box<Self>) -> Result<()>;
}

/// The output's lock, held until [`OutputLock::release`] or drop.
pub struct OutputLock {
    held: Option<Box<dyn Held>>,
}

impl OutputLock {
    pub fn still_held(&self) -> Result<()> {
        match &self.held {
            Some(h) => h.still_held(),
            None => Ok(()),
        }
    }

    pub fn release(mut self) -> Result<()> {
        match self.held.take() {
            Some(h) => h.release(),
            None => Ok(()),
        }
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        if let Some(h) = self.held.take() {
            if let Err(e) = h.release() {
                tracing::warn!("releasing the output lock: {e}");
            }
        }
    }
}

/// Takes the lock of `storage` for `request`, waiting up to `request.wait` for a holder to
/// finish; [`Error::Busy`] names the holder when it does not.
pub fn acquire(storage: &dyn super::Storage, request: &LockRequest) -> Result<OutputLock> {
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        let holder = Holder::this_process(&request.command);
        match storage.try_lock(&holder, request.lease)? {
            Attempt::Taken(held) => return Ok(OutputLock { held: Some(held) }),
            Attempt::Busy(by) => {
                let by = by
                    .map(|h| h.describe())
                    .unwrap_or_else(|| "another run (its lock says nothing yet)".to_string());
                let waited = started.elapsed();
                if waited >= request.wait {
                    return Err(Error::Busy {
                        location: storage.describe(),
                        holder: by,
                    });
                }
                if !told {
                    tracing::info!(
                        "{} is locked by {by}; waiting up to {} s",
                        storage.describe(),
                        request.wait.as_secs()
                    );
                    told = true;
                }
                std::thread::sleep(POLL.min(request.wait - waited));
            }
        }
    }
}

/// The local lock: an OS lock on `OUT/.lock`.
pub fn try_lock_file(path: &std::path::Path, holder: &Holder) -> Result<Attempt> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    match file.try_lock() {
        Ok(()) => {
            // The facts are for the busy message of others; the lock itself is the kernel's.
            file.set_len(0).map_err(|e| Error::io(path, e))?;
            file.write_all(&holder.to_json())
                .and_then(|()| file.sync_data())
                .map_err(|e| Error::io(path, e))?;
            Ok(Attempt::Taken(Box::new(FileLock {
                file,
                path: path.to_path_buf(),
            })))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            // The holder writes its facts right after locking: a reader may catch the file empty.
            for _ in 0..5 {
                let mut text = String::new();
                file.rewind()
                    .and_then(|()| file.read_to_string(&mut text))
                    .map_err(|e| Error::io(path, e))?;
                if let Ok(h) = serde_json::from_str::<Holder>(&text) {
                    return Ok(Attempt::Busy(Some(h)));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(Attempt::Busy(None))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(path, e)),
    }
}

struct FileLock {
    file: std::fs::File,
    path: std::path::PathBuf,
}

impl Held for FileLock {
    fn still_held(&self) -> Result<()> {
        Ok(())
    }

    fn release(self: Box<Self>) -> Result<()> {
        // Emptied, not deleted: deleting a locked file lets a waiter lock the old inode while
        // a newcomer locks a new one. Empty, it is the same bytes after every run, so a run
        // that changes nothing leaves every file of the folder as it was.
        self.file
            .set_len(0)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io(&self.path, e))?;
        self.file.unlock().map_err(|e| Error::io(&self.path, e))
    }
}

/// Whether process `pid` of this machine is alive: None where that cannot be told (no
/// `/proc`), and then only the lock protects other runs' scratch folders.
pub fn process_alive(pid: u32) -> Option<bool> {
    let proc = std::path::Path::new("/proc");
    proc.join("self")
        .exists()
        .then(|| proc.join(pid.to_string()).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(command: &str) -> Holder {
        Holder::this_process(command)
    }

    #[test]
    fn a_held_file_lock_makes_a_second_try_busy_naming_the_holder_and_frees_on_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK);
        let Attempt::Taken(first) = try_lock_file(&path, &holder("tonetrack run a")).unwrap()
        else {
            panic!("a fresh folder's lock is free");
        };
        match try_lock_file(&path, &holder("tonetrack run b")).unwrap() {
            Attempt::Busy(Some(h)) => {
                assert_eq!(h.command, "tonetrack run a");
                assert_eq!(h.pid, std::process::id());
                assert!(
                    h.describe().contains("`tonetrack run a`"),
                    "{}",
                    h.describe()
                );
            }
            _ => panic!("a held lock must answer busy with its holder"),
        }
        first.release().unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"",
            "released: the file is emptied"
        );
        assert!(matches!(
            try_lock_file(&path, &holder("tonetrack run b")).unwrap(),
            Attempt::Taken(_)
        ));
    }

    #[test]
    fn a_lease_is_whole_seconds_and_a_bad_value_names_the_variable() {
        assert_eq!(lease_from(None).unwrap(), DEFAULT_LEASE);
        assert_eq!(lease_from(Some("3")).unwrap(), Duration::from_secs(3));
        let e = lease_from(Some("3s")).unwrap_err().to_string();
        assert!(e.contains(LEASE_ENV) && e.contains("3s"), "{e}");
        assert!(lease_from(Some("0")).is_err());
    }

    #[test]
    fn a_busy_acquire_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let storage = super::super::LocalStorage::new(dir.path()).unwrap();
        let held = acquire(&storage, &LockRequest::default()).unwrap();
        let request = LockRequest {
            wait: Duration::from_millis(600),
            ..LockRequest::default()
        };
        let started = std::time::Instant::now();
        let e = acquire(&storage, &request).err().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(600));
        assert!(matches!(e, Error::Busy { .. }));
        assert!(
            e.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{e}"
        );
        held.release().unwrap();
        acquire(&storage, &request).unwrap().release().unwrap();
    }

    #[test]
    fn this_process_is_alive_and_a_pid_past_the_maximum_is_not() {
        if process_alive(std::process::id()).is_none() {
            println!("skipped: no /proc on this system");
            return;
        }
        assert_eq!(process_alive(std::process::id()), Some(true));
        assert_eq!(process_alive(u32::MAX), Some(false));
    }
}
