//! In-app notifications: each belongs to one recipient, who alone sees it.

use crate::model::{Notification, Notifications};
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, now_ms, rfc3339};
use crate::server::error::{AppError, AppResult};
use sqlx::Row;

/// How many of the newest notifications a list shows.
pub const LIST_SIZE: i64 = 50;

/// The user's newest notifications and how many are unread.
pub async fn list(db: &Db, user: &CurrentUser) -> AppResult<Notifications> {
    let notifications = sqlx::query(
        "SELECT id, kind, order_id, message, read_at, created_at FROM notifications \
         WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(user.id)
    .bind(LIST_SIZE)
    .fetch_all(db)
    .await?
    .iter()
    .map(|row| {
        Ok(Notification {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            order_id: row.try_get("order_id")?,
            message: row.try_get("message")?,
            read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
            created_at: rfc3339(row.try_get("created_at")?),
        })
    })
    .collect::<AppResult<Vec<_>>>()?;
    let unread = sqlx::query(
        "SELECT COUNT(*) AS n FROM notifications WHERE recipient_id = $1 AND read_at IS NULL",
    )
    .bind(user.id)
    .fetch_one(db)
    .await?
    .try_get("n")?;
    Ok(Notifications {
        notifications,
        unread,
    })
}

/// Marks one of the user's notifications read; reading twice is fine.
pub async fn mark_read(db: &Db, user: &CurrentUser, id: i64) -> AppResult<()> {
    let found = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND recipient_id = $3",
    )
    .bind(now_ms())
    .bind(id)
    .bind(user.id)
    .execute(db)
    .await?
    .rows_affected();
    if found == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
