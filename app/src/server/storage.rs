//! Where uploaded files live: a local directory by default, behind
//! `object_store` so that S3-compatible storage can take its place.

use crate::server::error::{AppError, AppResult};
use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use rand::RngCore;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    dir: PathBuf,
}

/// A file in the storage directory: a stored key, or what a write cut
/// short left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub name: String,
    pub modified_ms: i64,
}

impl Storage {
    /// Files under `dir`, which is created when missing.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Storage> {
        std::fs::create_dir_all(dir)?;
        Ok(Storage {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            dir: dir.to_path_buf(),
        })
    }

    /// Where a request may keep a temporary file: on the same disk as the
    /// stored files (unnamed, so the clean-up never sees it).
    pub fn scratch_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Every file in the directory, including the temporary files of
    /// writes that never finished (which `object_store` does not list).
    pub async fn files(&self) -> AppResult<Vec<StoredFile>> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let metadata = entry.metadata()?;
                if !metadata.is_file() {
                    continue;
                }
                let modified_ms = metadata
                    .modified()?
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_millis() as i64);
                files.push(StoredFile {
                    name: entry.file_name().to_string_lossy().into_owned(),
                    modified_ms,
                });
            }
            Ok(files)
        })
        .await
        .map_err(|error| AppError::Internal(format!("listing files: {error}")))?
        .map_err(|error: std::io::Error| AppError::Internal(format!("listing files: {error}")))
    }

    /// Removes a file that `files` listed.
    pub async fn remove_file(&self, name: &str) -> AppResult<()> {
        let path = self.dir.join(name);
        tokio::fs::remove_file(&path)
            .await
            .map_err(|error| AppError::Internal(format!("removing {name}: {error}")))
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

    pub async fn put(&self, key: &str, contents: Bytes) -> AppResult<()> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(contents))
            .await
            .map_err(|error| AppError::Internal(format!("storing {key}: {error}")))?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> AppResult<()> {
        self.store
            .delete(&Path::from(key))
            .await
            .map_err(|error| AppError::Internal(format!("deleting {key}: {error}")))
    }

    /// Whether the store answers: asking for a file that need not exist
    /// tells a working store (found or not found) from one out of reach.
    pub async fn reachable(&self) -> bool {
        match self.store.head(&Path::from("readiness-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => true,
            Err(error) => {
                tracing::warn!(%error, "the file store is out of reach");
                false
            }
        }
    }

    /// A file's contents; a missing file is `NotFound`, like its record.
    pub async fn get(&self, key: &str) -> AppResult<Bytes> {
        self.store
            .get(&Path::from(key))
            .await
            .map_err(|error| match error {
                object_store::Error::NotFound { .. } => {
                    tracing::error!(%key, "a stored file is missing");
                    AppError::NotFound
                }
                error => AppError::Internal(format!("reading {key}: {error}")),
            })?
            .bytes()
            .await
            .map_err(|error| AppError::Internal(format!("reading {key}: {error}")))
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
