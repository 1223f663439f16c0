//! Where uploaded files live: a local directory by default, or an
//! S3-compatible object store (`FILES_URL=s3://bucket[/prefix]`), which
//! several instances of the portal share. Both through `object_store`.

use crate::server::error::{AppError, AppResult};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload, RetryConfig};
use rand::RngCore;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// The local directory: where the files are, or (with an object
    /// store) where requests keep temporary files.
    dir: PathBuf,
    backend: Backend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Directory,
    ObjectStore,
}

/// A stored file's contents as the store sends them.
pub struct FileStream {
    pub size: u64,
    pub chunks: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

impl std::fmt::Debug for FileStream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FileStream")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// A file in the storage directory: a stored key, or what a write cut
/// short left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub name: String,
}

impl Storage {
    /// Files under `dir`, which is created when missing.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Storage> {
        std::fs::create_dir_all(dir)?;
        Ok(Storage {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            dir: dir.to_path_buf(),
            backend: Backend::Directory,
        })
    }

    /// The storage `files_url` names: `s3://bucket[/prefix]`, configured by
    /// the `AWS_*` variables object_store reads (`AWS_ENDPOINT`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ALLOW_HTTP`, …) and then by `options` (object_store's keys, such
    /// as `aws_endpoint`); without a URL, the directory `dir`. With an
    /// object store, `dir` keeps only requests' temporary files.
    pub fn open(
        files_url: Option<&str>,
        dir: &std::path::Path,
        options: &[(String, String)],
    ) -> anyhow::Result<Storage> {
        let Some(url) = files_url.filter(|url| !url.trim().is_empty()) else {
            return Storage::local(dir);
        };
        let Some(location) = url.strip_prefix("s3://") else {
            anyhow::bail!("FILES_URL must be s3://bucket or s3://bucket/prefix, not {url}");
        };
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            anyhow::bail!("FILES_URL names no bucket: {url}");
        }
        // A store out of reach fails a request within seconds, instead of
        // retrying for minutes while the visitor waits.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(10),
            ..RetryConfig::default()
        };
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry);
        for (key, value) in options {
            builder = builder.with_config(key.parse()?, value);
        }
        let bucket_store = builder.build()?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(bucket_store)
        } else {
            Arc::new(PrefixStore::new(bucket_store, prefix))
        };
        std::fs::create_dir_all(dir)?;
        Ok(Storage {
            store,
            dir: dir.to_path_buf(),
            backend: Backend::ObjectStore,
        })
    }

    /// Where a request may keep a temporary file: on the same disk as the
    /// stored files (unnamed, so the clean-up never sees it).
    pub fn scratch_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Every stored file: in a directory, including the temporary files
    /// of writes that never finished (which `object_store` does not list);
    /// in an object store, its objects (uploads that never finished are
    /// not objects, and the bucket's lifecycle rule for incomplete
    /// multipart uploads removes them). A scan of the whole store, for
    /// inspection (tests, an operator's check), never for the portal's own
    /// work.
    pub async fn files(&self) -> AppResult<Vec<StoredFile>> {
        if self.backend == Backend::ObjectStore {
            return self.objects().await;
        }
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let metadata = entry.metadata()?;
                if !metadata.is_file() {
                    continue;
                }
                files.push(StoredFile {
                    name: entry.file_name().to_string_lossy().into_owned(),
                });
            }
            Ok(files)
        })
        .await
        .map_err(|error| AppError::Internal(format!("listing files: {error}")))?
        .map_err(|error: std::io::Error| AppError::Internal(format!("listing files: {error}")))
    }

    async fn objects(&self) -> AppResult<Vec<StoredFile>> {
        let mut listing = self.store.list(None);
        let mut files = Vec::new();
        while let Some(object) = listing.next().await {
            let object =
                object.map_err(|error| AppError::Internal(format!("listing files: {error}")))?;
            files.push(StoredFile {
                name: object.location.to_string(),
            });
        }
        Ok(files)
    }

    /// A fresh key: stored names are random, never derived from what the
    /// client called the file.
    pub fn new_key() -> String {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    /// Whether a file's name is one this storage gives: a key, or a key
    /// with the `#<n>` suffix of a write in progress. Anything else in the
    /// directory is not ours to remove.
    pub fn is_stored_name(name: &str) -> bool {
        let (key, suffix) = name.split_once('#').unwrap_or((name, "0"));
        key.len() == 32
            && key
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
            && !suffix.is_empty()
            && suffix.bytes().all(|byte| byte.is_ascii_digit())
    }

    /// A writer that stores a file under `key` as its bytes are written,
    /// holding at most one part in memory (5 MiB, the least S3 takes for
    /// a part of a multipart upload; 1 MiB in a directory). The file
    /// exists once the writer is shut down; `abort` drops what was written.
    pub fn writer(&self, key: &str) -> BufWriter {
        let part = match self.backend {
            Backend::Directory => 1024 * 1024,
            Backend::ObjectStore => 5 * 1024 * 1024,
        };
        BufWriter::with_capacity(self.store.clone(), Path::from(key), part)
    }

    pub async fn put(&self, key: &str, contents: Bytes) -> AppResult<()> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(contents))
            .await
            .map_err(|error| AppError::Internal(format!("storing {key}: {error}")))?;
        Ok(())
    }

    /// Removes the file stored under `key`, if there is one, and in a
    /// directory what a write cut short left of it: the directory store
    /// stages a write as `<key>#<n>`, `n` counting up from 0 past names
    /// taken, and renames it to `<key>` when the write completes.
    pub async fn discard(&self, key: &str) -> AppResult<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => return Err(AppError::Internal(format!("deleting {key}: {error}"))),
        }
        if self.backend == Backend::Directory {
            for staged in 0..4 {
                match tokio::fs::remove_file(self.dir.join(format!("{key}#{staged}"))).await {
                    Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                        return Err(AppError::Internal(format!(
                            "deleting {key}#{staged}: {error}"
                        )));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Whether the store answers. A directory: asking for a file that need
    /// not exist tells a working store (found or not) from one out of
    /// reach. An object store: its listing's first page, since a missing
    /// bucket answers "not found" for every key too.
    pub async fn reachable(&self) -> bool {
        let probe = async {
            match self.backend {
                Backend::Directory => match self.store.head(&Path::from("readiness-probe")).await {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(error) => Err(error),
                },
                Backend::ObjectStore => match self.store.list(None).next().await {
                    None | Some(Ok(_)) => Ok(()),
                    Some(Err(error)) => Err(error),
                },
            }
        };
        match tokio::time::timeout(Duration::from_secs(3), probe).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::warn!(%error, "the file store is out of reach");
                false
            }
            Err(_) => {
                tracing::warn!("the file store did not answer within 3 s");
                false
            }
        }
    }

    /// A file's contents as the store sends them, never whole in memory;
    /// a missing file is `NotFound`, like its record.
    pub async fn stream(&self, key: &str) -> AppResult<FileStream> {
        let found = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|error| match error {
                object_store::Error::NotFound { .. } => {
                    tracing::error!(%key, "a stored file is missing");
                    AppError::NotFound
                }
                error => AppError::Internal(format!("reading {key}: {error}")),
            })?;
        let size = found.meta.size;
        let chunks = found
            .into_stream()
            .map(|chunk| chunk.map_err(std::io::Error::other))
            .boxed();
        Ok(FileStream { size, chunks })
    }
}

#[cfg(test)]
mod tests {
    use super::Storage;

    #[test]
    fn only_names_the_storage_gives_are_its_own() {
        let key = Storage::new_key();
        assert!(Storage::is_stored_name(&key));
        assert!(Storage::is_stored_name(&format!("{key}#12")));
        for other in [
            "notes.txt",
            ".bashrc",
            &key[..31],
            &key.to_uppercase(),
            &format!("{key}#"),
            &format!("{key}#x"),
            &format!("{key}.pdf"),
        ] {
            assert!(!Storage::is_stored_name(other), "{other}");
        }
    }
}
