//! Passwords, sessions and the signed-in user.

use crate::model::{CompanyInfo, Features, ListLayout, Me, UserInfo};
use crate::rules::{Actor, Group, Permission, Visibility};
use crate::server::db::{self, Db, flag, now_ms};
use crate::server::error::{AppError, AppResult};
use crate::server::throttle;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// Longer passwords are refused unhashed: hashing megabytes per attempt
/// would be an easy way to load the server.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The name of the session cookie over plain http (development).
pub const SESSION_COOKIE: &str = "portal_session";
/// The name over https: the `__Host-` prefix makes browsers insist on
/// Secure, `Path=/` and no `Domain`, so no subdomain can plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-portal_session";

/// The user behind a request, with what the rules need to judge it.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub group: Group,
    pub permissions: Vec<Permission>,
    pub company: Option<CompanyInfo>,
    pub list_layout: ListLayout,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            group: self.group,
            permissions: &self.permissions,
        }
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::from_permissions(&self.permissions)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// The answer of `GET /ordering/api/me`.
    pub fn me(&self) -> Me {
        let cancel_enabled = self.company.as_ref().is_some_and(|c| c.enable_cancel_order);
        Me {
            user: UserInfo {
                id: self.id,
                email: self.email.clone(),
                name: self.name.clone(),
            },
            company: self.company.clone(),
            group: self.group,
            group_label: self.group.label().to_owned(),
            is_staff: self.group.is_staff(),
            permissions: self
                .permissions
                .iter()
                .map(|permission| permission.as_str().to_owned())
                .collect(),
            features: Features {
                enable_cancel_order: cancel_enabled,
            },
            has_account: self.company.as_ref().is_some_and(|c| c.has_account),
            list_layout: self.list_layout,
        }
    }
}

/// Hashes a password with argon2id and a random salt.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| AppError::Internal(format!("hashing a password: {error}")))
    })
    .await
    .map_err(|error| AppError::Internal(format!("hashing task: {error}")))?
}

async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|error| AppError::Internal(format!("stored hash: {error}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|error| AppError::Internal(format!("verifying task: {error}")))?
}

/// Verified in place of a real hash when the e-mail is unknown, so that an
/// unknown address takes as long to refuse as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(b"not a password of anyone", &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

fn token_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Checks the credentials and opens a session. Returns the user and the
/// session token for the cookie.
/// A sign-in attempt as it reaches the server.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address, for throttling.
    pub address: Option<&'a str>,
    /// A session the browser still presented: it is ended, so every sign-in
    /// starts a new session id.
    pub previous: Option<&'a str>,
}

/// Checks the credentials, unless the account or address has failed too
/// often lately (429), and opens a session.
pub async fn login(
    db: &Db,
    attempt: Attempt<'_>,
    session_ttl_ms: i64,
) -> AppResult<(CurrentUser, String)> {
    let email = attempt.email.trim().to_lowercase();
    if email.is_empty() || attempt.password.is_empty() {
        return Err(AppError::BadRequest(
            "E-mail and password are required.".to_owned(),
        ));
    }
    throttle::check(db, &email, attempt.address, now_ms())
        .await?
        .map_err(AppError::TooManyRequests)?;
    let result = check_and_open(db, &email, attempt, session_ttl_ms).await;
    match &result {
        Err(AppError::InvalidCredentials) => {
            throttle::record_failure(db, &email, attempt.address, now_ms()).await?
        }
        Ok(_) => throttle::record_success(db, &email, attempt.address, now_ms()).await?,
        Err(_) => {}
    }
    result
}

async fn check_and_open(
    db: &Db,
    email: &str,
    attempt: Attempt<'_>,
    session_ttl_ms: i64,
) -> AppResult<(CurrentUser, String)> {
    let password = attempt.password;
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::InvalidCredentials);
    }
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1 AND disabled = 0")
        .bind(email)
        .fetch_optional(db)
        .await?;
    let Some(row) = row else {
        verify_password(password, &DUMMY_HASH).await?;
        return Err(AppError::InvalidCredentials);
    };
    let user_id: i64 = row.try_get("id")?;
    let hash: String = row.try_get("password_hash")?;
    if !verify_password(password, &hash).await? {
        return Err(AppError::InvalidCredentials);
    }
    if let Some(previous) = attempt.previous {
        logout(db, previous).await?;
    }
    let token = new_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_id(&token))
    .bind(user_id)
    .bind(now)
    .bind(now)
    .bind(now + session_ttl_ms)
    .execute(db)
    .await?;
    let user = load_user(db, user_id)
        .await?
        .ok_or(AppError::InvalidCredentials)?;
    Ok((user, token))
}

/// Ends the session of `token`, if any.
pub async fn logout(db: &Db, token: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(token_id(token))
        .execute(db)
        .await?;
    Ok(())
}

/// The user of a live session; `None` when the session is unknown, expired
/// or idle for longer than `idle_ms`, or its user is disabled.
pub async fn user_for_session(
    db: &Db,
    token: &str,
    idle_ms: i64,
) -> AppResult<Option<CurrentUser>> {
    session_user(db, token, idle_ms, Activity::Recorded).await
}

/// The user of a live session, like [`user_for_session`], without
/// counting as activity: an open event stream checks that its session
/// still holds, but must not keep an unattended one alive.
pub async fn user_for_open_session(
    db: &Db,
    token: &str,
    idle_ms: i64,
) -> AppResult<Option<CurrentUser>> {
    session_user(db, token, idle_ms, Activity::Ignored).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    Recorded,
    Ignored,
}

async fn session_user(
    db: &Db,
    token: &str,
    idle_ms: i64,
    activity: Activity,
) -> AppResult<Option<CurrentUser>> {
    let now = now_ms();
    let id = token_id(token);
    // One round trip: the user, their company and one row per permission
    // of their group. Every request of a signed-in user starts here.
    let rows = sqlx::query(&format!(
        "{USER_WITH_PERMISSIONS}, s.last_seen_at FROM sessions s {USER_JOINS} \
         WHERE s.id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3"
    ))
    .bind(&id)
    .bind(now)
    .bind(now - idle_ms)
    .fetch_all(db)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    // Activity is recorded at most once a minute: a read of the portal is
    // not a write per request.
    if activity == Activity::Recorded && first.try_get::<i64, _>("last_seen_at")? < now - 60_000 {
        record_activity(db, id, now);
    }
    user_from_rows(&rows)
}

/// Records in the background that a session was used at `now`. No request
/// waits for it, and the many requests of one page or client that find
/// the session due at once write it once: on SQLite each such write would
/// otherwise queue for the write lock, holding a pooled connection, and a
/// failed one leaves the session due for the next request to try again.
fn record_activity(db: &Db, session_id: String, now: i64) {
    static RECORDING: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);
    let recording = || {
        RECORDING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if !recording().insert(session_id.clone()) {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        let recorded = async {
            let mut tx = db::begin_write(&db).await?;
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&session_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await;
        recording().remove(&session_id);
        if let Err(error) = recorded {
            tracing::warn!(%error, "recording a session's activity failed; the next request tries again");
        }
    });
}

/// The columns of a user, their company and one permission of their group,
/// read by [`USER_JOINS`] from a row that has `user_id`.
const USER_WITH_PERMISSIONS: &str = "SELECT u.id, u.email, u.name, u.group_code, u.company_id, u.list_layout, \
     c.name AS company_name, c.has_account, c.enable_cancel_order, gp.permission";

/// Joins an enabled user (`s.user_id`), their company and their group's
/// permissions onto `s`.
const USER_JOINS: &str = "JOIN users u ON u.id = s.user_id AND u.disabled = 0 \
     LEFT JOIN companies c ON c.id = u.company_id \
     LEFT JOIN group_permissions gp ON gp.group_code = u.group_code";

/// A user with their group's permissions and their company.
pub async fn load_user(db: &Db, user_id: i64) -> AppResult<Option<CurrentUser>> {
    let rows = sqlx::query(&format!(
        "{USER_WITH_PERMISSIONS} FROM (SELECT id AS user_id FROM users WHERE id = $1) s {USER_JOINS}"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    user_from_rows(&rows)
}

/// The user of [`USER_WITH_PERMISSIONS`] rows: one per permission, or a
/// single row with none for a group without permissions.
fn user_from_rows(rows: &[AnyRow]) -> AppResult<Option<CurrentUser>> {
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let group_code: String = row.try_get("group_code")?;
    let group: Group = group_code.parse().map_err(AppError::Internal)?;
    let permissions = rows
        .iter()
        .filter_map(|row| {
            row.try_get::<Option<String>, _>("permission")
                .ok()
                .flatten()
        })
        .filter_map(|permission| permission.parse().ok())
        .collect();
    let company = match row.try_get::<Option<i64>, _>("company_id")? {
        Some(id) => Some(CompanyInfo {
            id,
            name: row.try_get("company_name")?,
            has_account: flag(row.try_get("has_account")?),
            enable_cancel_order: flag(row.try_get("enable_cancel_order")?),
        }),
        None => None,
    };
    Ok(Some(CurrentUser {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        group,
        permissions,
        company,
        list_layout: row
            .try_get::<Option<String>, _>("list_layout")?
            .as_deref()
            .and_then(ListLayout::parse)
            .unwrap_or(ListLayout::default_for(group)),
    }))
}

/// Writes the permissions the rules grant each group into a new database;
/// groups that exist keep what an administrator gave them.
pub async fn install_groups(db: &Db) -> AppResult<()> {
    let mut tx = db::begin_write(db).await?;
    for group in Group::ALL {
        let inserted = sqlx::query(
            "INSERT INTO user_groups (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING",
        )
        .bind(group.as_str())
        .bind(group.label())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        for permission in group.default_permissions() {
            sqlx::query("INSERT INTO group_permissions (group_code, permission) VALUES ($1, $2)")
                .bind(group.as_str())
                .bind(permission.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Whether an account with this e-mail exists.
pub async fn user_exists(db: &Db, email: &str) -> AppResult<bool> {
    Ok(sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await?
        .is_some())
}
