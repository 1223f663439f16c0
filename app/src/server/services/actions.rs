//! Changing an order's status: customer cancel, submit and resubmit, and
//! staff moves. The order is read first, outside the write transaction;
//! the change is then one conditional write (`WHERE id = … AND version =
//! <the version read> AND <tenant>`) in one transaction with its event,
//! refund and notifications, so that of two racing requests exactly one
//! changes the order, and the other decides again on what it finds. On
//! SQLite, whose writers take turns, the turn is held only for the writes.

use crate::model::{BatchAction, BatchError, BatchItem, BatchResult, EventKind};
use crate::rules::sla::SlaClock;
use crate::rules::{self, Action, Permission, Status};
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, Tx, date_of_ms, flag, now_ms, stored_status};
use crate::server::error::{AppError, AppResult};
use crate::server::live;
use crate::server::services::batches;
use crate::server::services::checklists::{self, DocumentList};
use crate::server::services::history::{NoteText, create_refund, insert_note, record_event};
use crate::server::services::{orders, sla};
use crate::server::sql::Sql;
use sqlx::Row;

/// The most orders one batch request may name.
pub const MAX_BATCH: usize = 100;

/// What the caller asks to happen to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Cancel,
    /// Submit (unprocessed, pending) or resubmit (on hold, rejected),
    /// whichever the status calls for: the spec's `submit-for-processing`.
    SubmitForProcessing,
    Resubmit,
    /// A staff move, with the reason the customer sees and, for a hold or
    /// a rejection, the documents the customer must provide.
    Move {
        to: Status,
        reason: Option<String>,
        required_documents: Vec<String>,
    },
}

/// The order as the change found it.
struct Current {
    status: Status,
    version: i64,
    placed_by: i64,
    number: String,
    company_id: i64,
    paid_cents: i64,
    has_account: bool,
    cancel_enabled: bool,
    turnaround_days: i64,
    clock: SlaClock,
}

async fn read_current(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<Current> {
    let mut sql = Sql::new(&format!(
        "SELECT o.status, o.version, o.placed_by, o.number, o.company_id, o.paid_cents, c.has_account, \
         c.enable_cancel_order, p.turnaround_days, {} \
         FROM orders o JOIN companies c ON c.id = o.company_id \
         JOIN products p ON p.id = o.product_id WHERE o.id = ",
        sla::CLOCK_COLUMNS
    ));
    sql.bind_int(order_id).and_visible_to("o", user);
    let row = sql
        .query()
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Current {
        status: stored_status(row.try_get("status")?)?,
        version: row.try_get("version")?,
        placed_by: row.try_get("placed_by")?,
        number: row.try_get("number")?,
        company_id: row.try_get("company_id")?,
        paid_cents: row.try_get("paid_cents")?,
        has_account: flag(row.try_get("has_account")?),
        cancel_enabled: flag(row.try_get("enable_cancel_order")?),
        turnaround_days: row.try_get("turnaround_days")?,
        clock: sla::clock_from_row(&row)?,
    })
}

fn require(user: &CurrentUser, permission: Permission) -> AppResult<()> {
    if user.can(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Your account is not allowed to do this.".to_owned(),
        ))
    }
}

/// The status `intent` leads to from `from`; `Ok(None)` when the order is
/// already where the intent would take it (a repeat: nothing to do).
fn target(user: &CurrentUser, intent: &Intent, current: &Current) -> AppResult<Option<Status>> {
    let from = current.status;
    let staff = user.group.is_staff();
    let (next, settled) = match intent {
        Intent::Cancel if staff => {
            require(user, Permission::OrdersCancel)?;
            let next =
                rules::staff_status_allows(from, Action::Cancel).then_some(Status::Cancelled);
            (next, Status::Cancelled)
        }
        Intent::Cancel => {
            require(user, Permission::OrdersCancel)?;
            if !current.cancel_enabled {
                return Err(AppError::Forbidden(
                    "Cancelling orders is turned off for your company.".to_owned(),
                ));
            }
            (
                rules::customer_transition(Action::Cancel, from),
                Status::Cancelled,
            )
        }
        Intent::SubmitForProcessing | Intent::Resubmit if staff => {
            return Err(AppError::Forbidden(
                "Only the customer submits or resubmits an order.".to_owned(),
            ));
        }
        Intent::SubmitForProcessing
            if rules::customer_transition(Action::Submit, from).is_some()
                || from == Status::Submitted =>
        {
            require(user, Permission::OrdersSubmit)?;
            (
                rules::customer_transition(Action::Submit, from),
                Status::Submitted,
            )
        }
        Intent::SubmitForProcessing | Intent::Resubmit => {
            require(user, Permission::OrdersResubmit)?;
            (
                rules::customer_transition(Action::Resubmit, from),
                Status::Resubmitted,
            )
        }
        Intent::Move { to, .. } => {
            require(user, Permission::OrdersTransition)?;
            (
                rules::staff_transition_allowed(from, *to).then_some(*to),
                *to,
            )
        }
    };
    match next {
        Some(next) => Ok(Some(next)),
        None if from == settled => Ok(None),
        None => Err(AppError::InvalidStatus(from)),
    }
}

/// Applies `intent` to one order and returns its status afterwards.
/// A repeat of an action whose target the order is already in succeeds and
/// changes nothing.
pub async fn apply(
    db: &Db,
    user: &CurrentUser,
    order_id: i64,
    intent: &Intent,
    note: Option<&NoteText>,
) -> AppResult<Status> {
    let (reason, documents) = match intent {
        Intent::Move {
            to,
            reason,
            required_documents,
        } => {
            let reason = NoteText::parse_optional(reason.as_deref())?;
            if rules::transition_requires_reason(*to) && reason.is_none() {
                return Err(AppError::Unprocessable(format!(
                    "Putting an order {} needs a reason the customer can act on.",
                    to.label()
                )));
            }
            let documents = DocumentList::parse(required_documents)?;
            if !documents.is_empty() && !to.needs_attention() {
                return Err(AppError::Unprocessable(
                    "Only a hold or a rejection asks for documents.".to_owned(),
                ));
            }
            (reason, documents)
        }
        _ => (None, DocumentList::default()),
    };
    let change = Change {
        intent,
        note,
        reason: reason.as_ref(),
        documents: &documents,
    };
    // A write that misses means another request changed the order after it
    // was read: decide again on the status it has now.
    for _ in 0..3 {
        if let Some(status) = try_apply(db, user, order_id, &change).await? {
            return Ok(status);
        }
    }
    let status = orders::get(db, user, order_id).await?.status;
    Err(AppError::InvalidStatus(status))
}

/// What `apply` was asked to do, checked.
struct Change<'a> {
    intent: &'a Intent,
    note: Option<&'a NoteText>,
    reason: Option<&'a NoteText>,
    documents: &'a DocumentList,
}

/// One attempt of `apply`: `Ok(None)` when the conditional write found the
/// order changed since it was read.
async fn try_apply(
    db: &Db,
    user: &CurrentUser,
    order_id: i64,
    change: &Change<'_>,
) -> AppResult<Option<Status>> {
    let Change {
        intent,
        note,
        reason,
        documents,
    } = *change;
    let reason = reason.map(NoteText::as_str);
    let current = read_current(db, user, order_id).await?;
    let Some(to) = target(user, intent, &current)? else {
        return Ok(Some(current.status));
    };
    if to == Status::Resubmitted {
        let missing = checklists::missing(db, order_id).await?;
        if missing > 0 {
            return Err(AppError::ChecklistIncomplete(missing));
        }
    }
    if to == Status::Resubmitted
        && note.is_none()
        && !has_correction(db, order_id, current.status).await?
    {
        return Err(AppError::Unprocessable(
            "Explain the correction in a note or upload a corrected document before resubmitting."
                .to_owned(),
        ));
    }

    // Taken after the turn to write, so that timestamps follow the order
    // in which changes commit.
    let mut tx = db::begin_write(db).await?;
    let now = now_ms();
    let mut sql = Sql::new("UPDATE orders SET status = ");
    sql.bind_text(to.as_str())
        .push(", updated_at = ")
        .bind_int(now)
        .push(", version = version + 1");
    if to.needs_attention() {
        sql.push(", hold_reason = ")
            .bind_text(reason.unwrap_or_default());
    } else if current.status.needs_attention() {
        // Answered: the reason stays in the timeline.
        sql.push(", hold_reason = NULL");
    }
    let today = date_of_ms(now);
    let turnaround = u32::try_from(current.turnaround_days).unwrap_or(0);
    if to == Status::Resubmitted {
        let expected = rules::add_business_days(today, turnaround);
        sql.push(", expected_date = ")
            .bind_text(expected.to_string());
    }
    let clock = current.clock.after(current.status, to, today, turnaround);
    if clock != current.clock {
        sql.push(", ");
        sla::push_clock(&mut sql, &clock);
    }
    sql.push(" WHERE id = ")
        .bind_int(order_id)
        .push(" AND version = ")
        .bind_int(current.version);
    sql.and_visible_to("orders", user);
    if sql.query().execute(&mut *tx).await?.rows_affected() == 0 {
        return Ok(None);
    }

    record_event(
        &mut tx,
        order_id,
        user.id,
        EventKind::Status,
        Some(current.status),
        Some(to),
        reason,
        now,
    )
    .await?;
    if to.needs_attention() {
        checklists::replace(&mut tx, order_id, user.id, documents, now).await?;
    }
    if let Some(note) = note {
        insert_note(&mut tx, order_id, user.id, note, false, now).await?;
    }
    if let Some(kind) = rules::refund_on_cancel(current.paid_cents, current.has_account)
        && to == Status::Cancelled
    {
        create_refund(
            &mut tx,
            order_id,
            current.company_id,
            kind,
            current.paid_cents,
            now,
        )
        .await?;
    }
    if user.group.is_staff() {
        // The customer who placed the order hears of every staff change.
        let message = match reason {
            Some(reason) => format!("{} is now {}: {reason}", current.number, to.label()),
            None => format!("{} is now {}.", current.number, to.label()),
        };
        notify(
            &mut tx,
            Recipients::User(current.placed_by),
            order_id,
            to.as_str(),
            &message,
            now,
        )
        .await?;
    } else {
        let verb = match to {
            Status::Cancelled => Some("cancelled"),
            Status::Submitted => Some("submitted"),
            Status::Resubmitted => Some("resubmitted"),
            _ => None,
        };
        if let Some(verb) = verb {
            let message = format!("{} was {verb} by {}.", current.number, user.name);
            notify(
                &mut tx,
                Recipients::Staff,
                order_id,
                to.as_str(),
                &message,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Some(to))
}

/// Whether the customer added a note or a document since the order was put
/// on hold or rejected.
async fn has_correction(db: &Db, order_id: i64, held: Status) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM notes n JOIN users u ON u.id = n.author_id \
              WHERE n.order_id = $1 AND u.company_id IS NOT NULL AND n.created_at >= h.at) \
         + (SELECT COUNT(*) FROM attachments a JOIN users u ON u.id = a.uploaded_by \
              WHERE a.order_id = $1 AND u.company_id IS NOT NULL AND a.created_at >= h.at) AS n \
         FROM (SELECT COALESCE(MAX(created_at), 0) AS at FROM order_events \
               WHERE order_id = $1 AND to_status = $2) h",
    )
    .bind(order_id)
    .bind(held.as_str())
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Who a notification goes to.
enum Recipients {
    /// Every active FTS staff user.
    Staff,
    User(i64),
}

async fn notify(
    tx: &mut Tx,
    recipients: Recipients,
    order_id: i64,
    kind: &str,
    message: &str,
    at: i64,
) -> AppResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO notifications (recipient_id, order_id, kind, message, created_at) \
         SELECT u.id, ",
    );
    sql.bind_int(order_id)
        .push(", ")
        .bind_text(kind)
        .push(", ")
        .bind_text(message)
        .push(", ")
        .bind_int(at)
        .push(" FROM users u WHERE u.disabled = 0 AND ");
    match recipients {
        Recipients::Staff => sql.push("u.company_id IS NULL"),
        Recipients::User(id) => sql.push("u.id = ").bind_int(id),
    };
    sql.push(" RETURNING recipient_id");
    let recipients = sql
        .query()
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| row.try_get("recipient_id"))
        .collect::<Result<Vec<i64>, _>>()?;
    live::record_notifications(tx, &recipients, order_id, kind, at).await
}

/// Applies `intent` to each order of a batch, each in its own transaction:
/// one order's failure does not undo another's success.
pub async fn apply_many(
    db: &Db,
    user: &CurrentUser,
    order_ids: &[i64],
    intent: &Intent,
    note: Option<&NoteText>,
) -> AppResult<BatchResult> {
    if order_ids.is_empty() {
        return Err(AppError::Unprocessable(
            "Name at least one order.".to_owned(),
        ));
    }
    if order_ids.len() > MAX_BATCH {
        return Err(AppError::Unprocessable(format!(
            "A batch may name at most {MAX_BATCH} orders."
        )));
    }
    let mut results = Vec::with_capacity(order_ids.len());
    for (index, order_id) in order_ids.iter().copied().enumerate() {
        if order_ids[..index].contains(&order_id) {
            continue;
        }
        let item = match db::without_claim(apply(db, user, order_id, intent, note)).await {
            Ok(status) => BatchItem {
                order_id,
                number: None,
                ok: true,
                status: Some(status),
                error: None,
            },
            Err(error) => BatchItem {
                order_id,
                number: None,
                ok: false,
                status: match &error {
                    AppError::InvalidStatus(status) => Some(*status),
                    _ => None,
                },
                error: Some(BatchError {
                    code: error.code().to_owned(),
                    message: error.public_message(),
                }),
            },
        };
        results.push(item);
    }
    let succeeded = results.iter().filter(|item| item.ok).count();
    let mut result = BatchResult {
        failed: results.len() - succeeded,
        succeeded,
        results,
        batch_id: None,
    };
    let (action, to) = match intent {
        Intent::Cancel => (BatchAction::Cancel, None),
        Intent::SubmitForProcessing | Intent::Resubmit => (BatchAction::Resubmit, None),
        Intent::Move { to, .. } => (BatchAction::Move, Some(*to)),
    };
    // The orders have changed whatever happens to the record of it: a
    // failure to keep it is logged, and the caller still hears each result.
    match db::without_claim(batches::record(db, user, action, to, &result)).await {
        Ok(id) => result.batch_id = Some(id),
        Err(error) => tracing::error!(error = %error.public_message(), "a batch was not kept"),
    }
    Ok(result)
}

/// Applies `intent` to one order and returns the order as it is afterwards.
pub async fn perform(
    db: &Db,
    user: &CurrentUser,
    order_id: i64,
    intent: &Intent,
    note: Option<&NoteText>,
) -> AppResult<crate::model::Order> {
    apply(db, user, order_id, intent, note).await?;
    orders::get(db, user, order_id).await
}
