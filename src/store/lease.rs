//! The lock of an object-store output (S3 and compatible servers): a lock object with a lease.
//! No OS lock reaches across machines, and a killed holder cannot release anything, so the lock
//! object says until when it counts: created only if absent (`PutMode::Create`, sent as
//! `If-None-Match: *`), renewed by a thread every third of the lease with a conditional update
//! (`PutMode::Update` on the last e-tag, sent as `If-Match`), deleted at the end while still
//! ours. A lease that ran out is taken over by a conditional update against the stale e-tag, with
//! a warning naming the old holder; a holder whose renewal finds another e-tag has lost the lock
//! and stops before its commit ([`super::lock::Held::still_held`]).
//!
//! ```text
//! t=0   run A: PUT .lock If-None-Match:*        → 200, lease until t+60
//! t=20  run A: PUT .lock If-Match:"e1"          → 200 (renewed), lease until t+80
//! t=25  run B: PUT .lock If-None-Match:*        → 412: GET .lock, lease not run out → busy
//! ```
//!
//! Example (what `ObjectStorage::try_lock` does):
//!
//! ```no_run
//! use std::{sync::Arc, time::Duration};
//! use tonetrack::store::{lease, lock::{Attempt, Holder}};
//! let store: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
//! let me = Holder::this_process("tonetrack run feed --out s3://b/out");
//! match lease::try_lock_object(store, "out/.lock".into(), "s3://b/out/.lock".into(), &me, Duration::from_secs(60))? {
//!     Attempt::Taken(held) => held.release()?,
//!     Attempt::Busy(by) => println!("busy: {by:?}"),
//! }
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use object_store::ObjectStoreExt;

use super::lock::{rfc3339, Attempt, Held, Holder};
use crate::error::{Error, Result};

/// The object-store lock: a lock object with a lease, renewed by a thread of its own.
pub fn try_lock_object(
    store: Arc<dyn object_store::ObjectStore>,
    path: object_store::path::Path,
    location: String,
    holder: &Holder,
    lease: Duration,
) -> Result<Attempt> {
    use object_store::{PutMode, PutOptions, UpdateVersion};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io(&location, e))?;
    let fail = |e: object_store::Error| Error::io(&location, std::io::Error::other(e.to_string()));
    let now = Utc::now();
    let mine = leased(holder, now, lease);
    let put = |mode: PutMode, body: Vec<u8>| {
        runtime.block_on(store.put_opts(
            &path,
            body.into(),
            PutOptions {
                mode,
                ..PutOptions::default()
            },
        ))
    };
    let taken = |result: object_store::PutResult, runtime: tokio::runtime::Runtime| {
        Attempt::Taken(Box::new(ObjectLock::start(
            store.clone(),
            path.clone(),
            location.clone(),
            mine.clone(),
            lease,
            UpdateVersion {
                e_tag: result.e_tag,
                version: result.version,
            },
            runtime,
        )))
    };
    match put(PutMode::Create, mine.to_json()) {
        Ok(result) => return Ok(taken(result, runtime)),
        Err(object_store::Error::AlreadyExists { .. }) => {}
        Err(object_store::Error::NotImplemented { .. }) => {
            return Err(Error::State {
                location,
                message: "this object store cannot create an object only if it is absent, which the lock needs (S3 conditional writes)".into(),
            })
        }
        Err(e) => return Err(fail(e)),
    }
    let found = match runtime.block_on(store.get(&path)) {
        Ok(r) => r,
        // Released between our put and our read: the next try may take it.
        Err(object_store::Error::NotFound { .. }) => return Ok(Attempt::Busy(None)),
        Err(e) => return Err(fail(e)),
    };
    let meta = found.meta.clone();
    let bytes = runtime.block_on(found.bytes()).map_err(fail)?;
    // An unreadable lock object counts as a lease that ran out a lease after it was written.
    let old = serde_json::from_slice::<Holder>(&bytes).unwrap_or_else(|_| Holder {
        host: "unknown".into(),
        pid: 0,
        since: rfc3339(meta.last_modified),
        command: "an unreadable lock object".into(),
        lease_until: Some(rfc3339(
            meta.last_modified + chrono::Duration::from_std(lease).unwrap_or_default(),
        )),
    });
    if !old.lease_expired(now) {
        return Ok(Attempt::Busy(Some(old)));
    }
    let stale = UpdateVersion {
        e_tag: meta.e_tag.clone(),
        version: meta.version.clone(),
    };
    match put(PutMode::Update(stale), mine.to_json()) {
        Ok(result) => {
            tracing::warn!(
                "took over the lock of {location}: the lease of {} ran out (holder killed or cut off)",
                old.describe()
            );
            Ok(taken(result, runtime))
        }
        // Renewed or taken over by someone else since we read it.
        Err(object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. }) => {
            Ok(Attempt::Busy(Some(old)))
        }
        Err(e) => Err(fail(e)),
    }
}

/// `holder` with a lease that runs out `lease` after `now`.
fn leased(holder: &Holder, now: DateTime<Utc>, lease: Duration) -> Holder {
    Holder {
        lease_until: Some(rfc3339(
            now + chrono::Duration::from_std(lease).unwrap_or_default(),
        )),
        ..holder.clone()
    }
}

/// What the renewing thread and the holder share.
struct Lease {
    version: object_store::UpdateVersion,
    /// Until when the lock is ours for sure: the lease of the last successful renewal.
    until: DateTime<Utc>,
    /// Why the lock is no longer ours, once it is not.
    lost: Option<String>,
}

struct ObjectLock {
    store: Arc<dyn object_store::ObjectStore>,
    path: object_store::path::Path,
    location: String,
    lease: Arc<Mutex<Lease>>,
    stop: std::sync::mpsc::Sender<()>,
    renewer: Option<std::thread::JoinHandle<()>>,
}

impl ObjectLock {
    fn start(
        store: Arc<dyn object_store::ObjectStore>,
        path: object_store::path::Path,
        location: String,
        holder: Holder,
        lease_len: Duration,
        version: object_store::UpdateVersion,
        runtime: tokio::runtime::Runtime,
    ) -> ObjectLock {
        let until = holder
            .lease_until
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
            .map(|u| u.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        let lease = Arc::new(Mutex::new(Lease {
            version,
            until,
            lost: None,
        }));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let renewer = {
            let (store, path, location, lease) =
                (store.clone(), path.clone(), location.clone(), lease.clone());
            std::thread::spawn(move || {
                // Renewing every third of the lease leaves two renewals' time for a slow store.
                let every = lease_len / 3;
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(every)
                {
                    if !renew(
                        &runtime, &*store, &path, &location, &holder, lease_len, &lease,
                    ) {
                        break;
                    }
                }
            })
        };
        ObjectLock {
            store,
            path,
            location,
            lease,
            stop,
            renewer: Some(renewer),
        }
    }

    fn stop_renewing(&mut self) {
        let _ = self.stop.send(());
        if let Some(r) = self.renewer.take() {
            let _ = r.join();
        }
    }
}

/// One renewal; false once the lock is lost (then the thread stops).
fn renew(
    runtime: &tokio::runtime::Runtime,
    store: &dyn object_store::ObjectStore,
    path: &object_store::path::Path,
    location: &str,
    holder: &Holder,
    lease_len: Duration,
    lease: &Mutex<Lease>,
) -> bool {
    use object_store::{PutMode, PutOptions};
    let now = Utc::now();
    let body = leased(holder, now, lease_len);
    let version = match lease.lock() {
        Ok(l) => l.version.clone(),
        Err(_) => return false,
    };
    let result = runtime.block_on(store.put_opts(
        path,
        body.to_json().into(),
        PutOptions {
            mode: PutMode::Update(version),
            ..PutOptions::default()
        },
    ));
    let Ok(mut l) = lease.lock() else {
        return false;
    };
    match result {
        Ok(r) => {
            l.version = object_store::UpdateVersion {
                e_tag: r.e_tag,
                version: r.version,
            };
            l.until = now + chrono::Duration::from_std(lease_len).unwrap_or_default();
            true
        }
        Err(object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. }) => {
            let why = format!("the lock of {location} was taken over by another run (our lease ran out before we renewed it)");
            tracing::error!("{why}");
            l.lost = Some(why);
            false
        }
        Err(e) => {
            // A store that is down now may answer the next renewal, within the lease.
            tracing::warn!("renewing the lock of {location}: {e}");
            true
        }
    }
}

impl Held for ObjectLock {
    fn still_held(&self) -> Result<()> {
        let l = self.lease.lock().map_err(|_| Error::State {
            location: self.location.clone(),
            message: "the lock's renewal thread panicked".into(),
        })?;
        let why = match &l.lost {
            Some(why) => why.clone(),
            None if l.until <= Utc::now() => format!(
                "the lease of the lock ran out at {} without a renewal (store unreachable?)",
                rfc3339(l.until)
            ),
            None => return Ok(()),
        };
        Err(Error::State {
            location: self.location.clone(),
            message: format!(
                "{why}; stopping before the commit so that two runs never write at once"
            ),
        })
    }

    fn release(mut self: Box<Self>) -> Result<()> {
        self.stop_renewing();
        let (lost, version) = match self.lease.lock() {
            Ok(l) => (l.lost.is_some(), l.version.clone()),
            Err(_) => return Ok(()),
        };
        if lost {
            return Ok(());
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io(&self.location, e))?;
        let fail = |e: object_store::Error| {
            Error::io(&self.location, std::io::Error::other(e.to_string()))
        };
        // Deleted only while it is still ours (a delete cannot be conditional on S3): a run that
        // took over after our lease ran out keeps its lock.
        match runtime.block_on(self.store.head(&self.path)) {
            Ok(meta) if meta.e_tag == version.e_tag => runtime
                .block_on(self.store.delete(&self.path))
                .or_else(|e| match e {
                    object_store::Error::NotFound { .. } => Ok(()),
                    e => Err(fail(e)),
                }),
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(fail(e)),
        }
    }
}

impl Drop for ObjectLock {
    fn drop(&mut self) {
        self.stop_renewing();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(command: &str) -> Holder {
        Holder::this_process(command)
    }

    fn memory() -> (Arc<dyn object_store::ObjectStore>, object_store::path::Path) {
        (
            Arc::new(object_store::memory::InMemory::new()),
            object_store::path::Path::from("out/.lock"),
        )
    }

    fn try_object(
        store: &Arc<dyn object_store::ObjectStore>,
        path: &object_store::path::Path,
        command: &str,
        lease: Duration,
    ) -> Attempt {
        try_lock_object(
            store.clone(),
            path.clone(),
            "memory://out".into(),
            &holder(command),
            lease,
        )
        .unwrap()
    }

    fn read_holder(
        store: &Arc<dyn object_store::ObjectStore>,
        path: &object_store::path::Path,
    ) -> Option<Holder> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = store.get(path).await.ok()?;
            serde_json::from_slice(&r.bytes().await.ok()?).ok()
        })
    }

    #[test]
    fn an_object_lock_is_busy_while_renewed_and_gone_after_release() {
        let (store, path) = memory();
        let lease = Duration::from_millis(1500);
        let Attempt::Taken(first) = try_object(&store, &path, "run a", lease) else {
            panic!("an absent lock object is created");
        };
        let written = read_holder(&store, &path).unwrap();
        // Past the first lease: only renewals keep it busy.
        std::thread::sleep(Duration::from_millis(2200));
        match try_object(&store, &path, "run b", lease) {
            Attempt::Busy(Some(h)) => {
                assert_eq!(h.command, "run a");
                assert!(h.lease_until > written.lease_until, "the lease was renewed");
            }
            _ => panic!("a renewed lock is busy"),
        }
        first.still_held().unwrap();
        first.release().unwrap();
        assert!(read_holder(&store, &path).is_none(), "released: deleted");
        assert!(matches!(
            try_object(&store, &path, "run b", lease),
            Attempt::Taken(_)
        ));
    }

    #[test]
    fn an_expired_object_lease_is_taken_over_and_the_old_holder_learns_it_lost() {
        let (store, path) = memory();
        let lease = Duration::from_secs(2);
        let Attempt::Taken(old) = try_object(&store, &path, "run a", lease) else {
            panic!("free");
        };
        // A holder cut off from the store: no renewals, while its lease runs out.
        let stale = read_holder(&store, &path).unwrap();
        let mut stopped = old;
        // Simulate the cut-off by writing the stale facts back with an expired lease.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let expired = Holder {
            lease_until: Some(rfc3339(Utc::now() - chrono::Duration::seconds(1))),
            ..stale
        };
        rt.block_on(store.put(&path, expired.to_json().into()))
            .unwrap();
        match try_object(&store, &path, "run b", lease) {
            Attempt::Taken(new) => {
                assert_eq!(read_holder(&store, &path).unwrap().command, "run b");
                // The old holder's next renewal fails its If-Match: it has lost the lock.
                std::thread::sleep(lease / 3 + Duration::from_millis(400));
                let e = stopped.still_held().unwrap_err().to_string();
                assert!(e.contains("taken over"), "{e}");
                // Its release leaves the new holder's lock alone.
                stopped.release().unwrap();
                stopped = new;
                assert_eq!(read_holder(&store, &path).unwrap().command, "run b");
            }
            _ => panic!("an expired lease is taken over"),
        }
        stopped.release().unwrap();
    }
}
