//! Idempotency keys: a client that repeats a POST with the same
//! `Idempotency-Key` gets the first answer again instead of a second effect.

use crate::server::db::{ClaimedKey, Db, now_ms};
use crate::server::error::{AppError, AppResult};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// How long a key is remembered.
pub const KEY_LIFETIME_MS: i64 = 24 * 3_600_000;

/// How long a first request may take before its key is taken to be
/// abandoned (its process died while answering). An abandoned key whose
/// change never committed may be used again; one whose change committed
/// answers [`AppError::AnswerLost`].
pub const ABANDONED_AFTER_MS: i64 = 60_000;

/// A client's key: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &[u8]) -> AppResult<IdempotencyKey> {
        let valid =
            !raw.is_empty() && raw.len() <= 255 && raw.iter().all(|byte| byte.is_ascii_graphic());
        if !valid {
            return Err(AppError::BadRequest(
                "Idempotency-Key must be 1 to 255 visible ASCII characters.".to_owned(),
            ));
        }
        Ok(IdempotencyKey(String::from_utf8_lossy(raw).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What identifies a request, fed as its body streams in: the SHA-256 of
/// its method, target and content type, each prefixed by its length so that
/// no two different requests run together into the same bytes, then of its
/// body, then of the body's length.
pub struct Fingerprint {
    hasher: Sha256,
    body_bytes: u64,
}

impl Fingerprint {
    pub fn new(head: &[&[u8]]) -> Fingerprint {
        let mut hasher = Sha256::new();
        for part in head {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        Fingerprint {
            hasher,
            body_bytes: 0,
        }
    }

    pub fn update(&mut self, body_chunk: &[u8]) {
        self.hasher.update(body_chunk);
        self.body_bytes += body_chunk.len() as u64;
    }

    pub fn finish(mut self) -> String {
        self.hasher.update(self.body_bytes.to_be_bytes());
        hex::encode(self.hasher.finalize())
    }
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its earlier use expired or was abandoned before
    /// its change committed): answer the request under this claim (see
    /// `db::under_claim`), then `save` or `release` it.
    Fresh(ClaimedKey),
    /// The same request was answered before: send this again.
    Replay(SavedResponse),
}

/// Claims `key` for `request_hash`, or finds what it was used for before.
/// The same key with another request is 422; a first request still being
/// answered is 409, and so is one whose change committed but whose answer
/// was lost.
pub async fn claim(
    db: &Db,
    user_id: i64,
    key: &IdempotencyKey,
    request_hash: &str,
) -> AppResult<Claim> {
    let now = now_ms();
    // Expired claims free their key, and so do abandoned ones that changed
    // nothing. On PostgreSQL this waits for a change still committing under
    // the claim, and then sees it applied.
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2 \
         AND (created_at < $3 OR (response_status IS NULL AND applied = 0 AND created_at < $4))",
    )
    .bind(user_id)
    .bind(key.as_str())
    .bind(now - KEY_LIFETIME_MS)
    .bind(now - ABANDONED_AFTER_MS)
    .execute(db)
    .await?;
    let token = format!("{:032x}", rand::random::<u128>());
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys \
         (user_id, idempotency_key, request_hash, created_at, claim_token) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(key.as_str())
    .bind(request_hash)
    .bind(now)
    .bind(token.as_str())
    .execute(db)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::Fresh(ClaimedKey {
            user_id,
            key: key.as_str().to_owned(),
            token,
        }));
    }
    let row = sqlx::query(
        "SELECT request_hash, response_status, response_content_type, response_body, \
         applied, created_at \
         FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2",
    )
    .bind(user_id)
    .bind(key.as_str())
    .fetch_optional(db)
    .await?
    // Released between our insert and this read: the caller may retry.
    .ok_or_else(in_progress)?;
    if row.try_get::<String, _>("request_hash")? != request_hash {
        return Err(AppError::Unprocessable(
            "This Idempotency-Key was already used for a different request.".to_owned(),
        ));
    }
    let Some(status) = row.try_get::<Option<i64>, _>("response_status")? else {
        let applied = row.try_get::<i64, _>("applied")? != 0;
        let abandoned = row.try_get::<i64, _>("created_at")? < now - ABANDONED_AFTER_MS;
        return Err(if applied && abandoned {
            AppError::AnswerLost
        } else {
            in_progress()
        });
    };
    Ok(Claim::Replay(SavedResponse {
        status: u16::try_from(status).map_err(|error| AppError::Internal(error.to_string()))?,
        content_type: row.try_get("response_content_type")?,
        body: row
            .try_get::<Option<String>, _>("response_body")?
            .unwrap_or_default(),
    }))
}

fn in_progress() -> AppError {
    AppError::Conflict(
        "A request with this Idempotency-Key is still being answered. Try again shortly."
            .to_owned(),
    )
}

/// Records the answer to a claimed key.
pub async fn save(db: &Db, claim: &ClaimedKey, response: &SavedResponse) -> AppResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET response_status = $1, response_content_type = $2, \
         response_body = $3 WHERE user_id = $4 AND idempotency_key = $5 AND claim_token = $6",
    )
    .bind(i64::from(response.status))
    .bind(response.content_type.as_deref())
    .bind(response.body.as_str())
    .bind(claim.user_id)
    .bind(claim.key.as_str())
    .bind(claim.token.as_str())
    .execute(db)
    .await?;
    Ok(())
}

/// Frees a claimed key whose request failed on our side without changing
/// anything, so that the client can try again with it; false when its
/// change committed, whose key stays: trying again must not repeat it.
pub async fn release(db: &Db, claim: &ClaimedKey) -> AppResult<bool> {
    let released = sqlx::query(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2 \
         AND claim_token = $3 AND response_status IS NULL AND applied = 0",
    )
    .bind(claim.user_id)
    .bind(claim.key.as_str())
    .bind(claim.token.as_str())
    .execute(db)
    .await?
    .rows_affected();
    Ok(released == 1)
}

/// Forgets keys older than their lifetime.
pub async fn purge_expired(db: &Db) -> AppResult<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now_ms() - KEY_LIFETIME_MS)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(head: &[&[u8]], body: &[&[u8]]) -> String {
        let mut fingerprint = Fingerprint::new(head);
        for chunk in body {
            fingerprint.update(chunk);
        }
        fingerprint.finish()
    }

    #[test]
    fn fingerprints_tell_requests_apart() {
        let one = fingerprint(&[b"POST", b"/order/1/cancel", b""], &[]);
        assert_eq!(one, fingerprint(&[b"POST", b"/order/1/cancel", b""], &[]));
        assert_ne!(one, fingerprint(&[b"POST", b"/order/11/cancel", b""], &[]));
        assert_ne!(
            fingerprint(&[b"ab", b"c"], &[]),
            fingerprint(&[b"a", b"bc"], &[]),
            "parts do not run together"
        );
        assert_ne!(
            fingerprint(&[b"POST", b"/a"], &[b"x"]),
            fingerprint(&[b"POST", b"/a"], &[b"y"]),
            "the body counts"
        );
        assert_eq!(
            fingerprint(&[b"POST", b"/a"], &[b"ab", b"c"]),
            fingerprint(&[b"POST", b"/a"], &[b"a", b"bc"]),
            "however the body is cut into chunks"
        );
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse(b"5f0c-42").is_ok());
        assert!(IdempotencyKey::parse(&[b'k'; 255]).is_ok());
        for bad in [
            &b""[..],
            &[b'k'; 256],
            b"two words",
            b"tab\t",
            "\u{e9}".as_bytes(),
        ] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }
}
