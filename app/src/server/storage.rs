//! Where uploaded files live: a local directory by default, behind
//! `object_store` so that S3-compatible storage can take its place.

use crate::server::error::{AppError, AppResult};
use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use rand::RngCore;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// Files under `dir`, which is created when missing.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Storage> {
        std::fs::create_dir_all(dir)?;
        Ok(Storage {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
        })
    }

    /// A fresh key: stored names are random, never derived from what the
    /// client called the file.
    pub fn new_key() -> String {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
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

    pub async fn get(&self, key: &str) -> AppResult<Bytes> {
        self.store
            .get(&Path::from(key))
            .await
            .map_err(|error| AppError::Internal(format!("reading {key}: {error}")))?
            .bytes()
            .await
            .map_err(|error| AppError::Internal(format!("reading {key}: {error}")))
    }
}
