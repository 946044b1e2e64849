//! An output folder in an S3 bucket (or an S3-compatible server), through object_store: a PUT
//! replaces an object whole, large files go up as a multipart upload completed at the end, and
//! the lock is a lock object written with conditional puts (see [`super::lock`]).
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::store::{ObjectStorage, Storage};
//! // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (and AWS_ENDPOINT_URL) from the environment
//! let out = ObjectStorage::open("s3://bucket/tonetrack")?;
//! let commit = out.read("state/commit.json")?;
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use object_store::ObjectStoreExt;

use super::{lock, Storage};
use crate::error::{Error, Result};

/// An output folder in an S3 bucket (or any S3-compatible server): `s3://bucket/prefix`.
/// Credentials, region and endpoint come from the usual `AWS_*` environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL` for a
/// non-AWS server, `AWS_ALLOW_HTTP=true` for plain HTTP). A PUT replaces an object whole, so
/// every write is atomic as the state's commit protocol needs.
pub struct ObjectStorage {
    url: String,
    prefix: String,
    store: std::sync::Arc<dyn object_store::ObjectStore>,
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
            store: std::sync::Arc::new(store),
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

    fn try_lock(&self, holder: &lock::Holder, lease: std::time::Duration) -> Result<lock::Attempt> {
        super::lease::try_lock_object(
            self.store.clone(),
            self.path(lock::LOCK),
            format!("{}/{}", self.url, lock::LOCK),
            holder,
            lease,
        )
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
