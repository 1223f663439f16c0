//! Notes on an order: customers see only those that are not internal.

use crate::model::{EventKind, NamedRef, Note};
use crate::rules::{Action, Permission};
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, flag, now_ms, rfc3339};
use crate::server::error::{AppError, AppResult};
use crate::server::services::actions::{NoteText, insert_note, record_event};
use crate::server::services::orders;
use crate::server::sql::Sql;
use sqlx::Row;

/// The notes of an order `user` may see, oldest first.
pub async fn list(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<Vec<Note>> {
    orders::get(db, user, order_id).await?;
    list_visible(db, user, order_id).await
}

/// The notes of an order already known to be visible to `user`.
pub(crate) async fn list_visible(
    db: &Db,
    user: &CurrentUser,
    order_id: i64,
) -> AppResult<Vec<Note>> {
    let mut sql = Sql::new(
        "SELECT n.id, n.body, n.internal, n.author_id, u.name AS author_name, n.created_at \
         FROM notes n JOIN users u ON u.id = n.author_id WHERE n.order_id = ",
    );
    sql.bind_int(order_id);
    if !user.can(Permission::OrdersInternalNotes) {
        sql.push(" AND n.internal = 0");
    }
    sql.push(" ORDER BY n.created_at, n.id");
    sql.query()
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            Ok(Note {
                id: row.try_get("id")?,
                body: row.try_get("body")?,
                internal: flag(row.try_get("internal")?),
                author: NamedRef {
                    id: row.try_get("author_id")?,
                    name: row.try_get("author_name")?,
                },
                created_at: rfc3339(row.try_get("created_at")?),
            })
        })
        .collect()
}

/// Adds a note when the order's status and the user's permissions allow it.
/// Only staff may mark a note internal.
pub async fn add(
    db: &Db,
    user: &CurrentUser,
    order_id: i64,
    body: &NoteText,
    internal: bool,
) -> AppResult<Note> {
    if internal && !user.can(Permission::OrdersInternalNotes) {
        return Err(AppError::Forbidden(
            "Only FTS staff can add internal notes.".to_owned(),
        ));
    }
    let order = orders::get(db, user, order_id).await?;
    if !user.can(Permission::OrdersNote) {
        return Err(AppError::Forbidden(
            "Your account cannot add notes.".to_owned(),
        ));
    }
    if !order.allowed_actions.contains(&Action::Note) {
        return Err(AppError::InvalidStatus(order.status));
    }
    let mut tx = db::begin_write(db).await?;
    // The status read above must still hold: a note never lands on an order
    // that was cancelled meanwhile.
    let still = sqlx::query("SELECT status FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get::<String, _>("status")?;
    if still != order.status.as_str() {
        return Err(AppError::InvalidStatus(still.parse().map_err(
            |error: crate::rules::UnknownStatus| AppError::Internal(error.to_string()),
        )?));
    }
    let now = now_ms();
    let id = insert_note(&mut tx, order_id, user.id, body, internal, now).await?;
    if !internal {
        record_event(
            &mut tx,
            order_id,
            user.id,
            EventKind::Note,
            None,
            None,
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Note {
        id,
        body: body.as_str().to_owned(),
        internal,
        author: NamedRef {
            id: user.id,
            name: user.name.clone(),
        },
        created_at: rfc3339(now),
    })
}
