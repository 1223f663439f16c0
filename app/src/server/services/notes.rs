//! Notes on an order: customers see only those that are not internal.

use crate::model::{EventKind, NamedRef, Note};
use crate::rules::{Action, Permission};
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, now_ms, rfc3339};
use crate::server::error::{AppError, AppResult};
use crate::server::live;
use crate::server::services::history::{NoteText, insert_note, notes_of, record_event};
use crate::server::services::orders;

/// The notes of an order `user` may see, oldest first.
pub async fn list(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<Vec<Note>> {
    orders::get(db, user, order_id).await?;
    notes_of(db, user, order_id).await
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
    orders::keep_status(&mut tx, order_id, order.status).await?;
    let now = now_ms();
    let id = insert_note(&mut tx, order_id, user.id, body, internal, now).await?;
    if internal {
        // No timeline entry, which customers read; staff hear of it live.
        live::record_internal_note(&mut tx, order_id, now).await?;
    } else {
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
