//! An order's history as the services write and read it: its events, its
//! notes (and the text they hold) and its refund. Kept below the services
//! that change orders, so that none of them needs another for these.

use crate::model::{EventKind, NamedRef, Note};
use crate::rules::{Permission, RefundKind, Status};
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, Tx, flag, rfc3339};
use crate::server::error::{AppError, AppResult};
use crate::server::live;
use crate::server::sql::Sql;
use sqlx::Row;

/// The longest note or reason, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// A note's or reason's text, trimmed, non-empty and of bounded length,
/// without control characters but line breaks and tabs (a carriage
/// return, an escape sequence or a backspace would show differently in
/// the page, an e-mail and a terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    pub fn parse(text: &str) -> AppResult<NoteText> {
        let text: String = text
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
            .collect();
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::Unprocessable("The note is empty.".to_owned()));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(AppError::Unprocessable(format!(
                "The note is longer than {MAX_TEXT_CHARS} characters."
            )));
        }
        Ok(NoteText(text.to_owned()))
    }

    /// An optional note: absent and blank are the same.
    pub fn parse_optional(text: Option<&str>) -> AppResult<Option<NoteText>> {
        match text {
            Some(text) if !text.trim().is_empty() => NoteText::parse(text).map(Some),
            _ => Ok(None),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Adds an entry to the order's timeline, and tells the live event
/// streams of the change once it commits.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_event(
    tx: &mut Tx,
    order_id: i64,
    actor_id: i64,
    kind: EventKind,
    from: Option<Status>,
    to: Option<Status>,
    reason: Option<&str>,
    at: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO order_events (order_id, actor_id, kind, from_status, to_status, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(order_id)
    .bind(actor_id)
    .bind(kind.as_str())
    .bind(from.map(Status::as_str))
    .bind(to.map(Status::as_str))
    .bind(reason)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    live::record_order_change(tx, order_id, kind, at).await
}

pub(crate) async fn insert_note(
    tx: &mut Tx,
    order_id: i64,
    author_id: i64,
    body: &NoteText,
    internal: bool,
    at: i64,
) -> AppResult<i64> {
    let row = sqlx::query(
        "INSERT INTO notes (order_id, author_id, body, internal, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(order_id)
    .bind(author_id)
    .bind(body.as_str())
    .bind(i64::from(internal))
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// The refund of a cancelled, paid order; at most one per order (a unique
/// key), so a repeated cancel can never pay twice.
pub(crate) async fn create_refund(
    tx: &mut Tx,
    order_id: i64,
    company_id: i64,
    kind: RefundKind,
    amount_cents: i64,
    at: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO refunds (order_id, company_id, kind, amount_cents, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(order_id)
    .bind(company_id)
    .bind(kind.as_str())
    .bind(amount_cents)
    .bind(match kind {
        RefundKind::AccountCredit => "credited",
        RefundKind::PendingRefund => "pending",
    })
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The notes of an order already known to be visible to `user`.
pub(crate) async fn notes_of(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<Vec<Note>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_text_keeps_lines_and_tabs_and_drops_other_controls() {
        let note = NoteText::parse(" Line one\r\n\tLine\u{1b}[31m two\u{8}\u{7f} ").expect("text");
        assert_eq!(note.as_str(), "Line one\n\tLine[31m two");
        assert!(NoteText::parse("\u{1}\u{2}\r").is_err(), "nothing left");
        assert!(NoteText::parse(&"a".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }
}
