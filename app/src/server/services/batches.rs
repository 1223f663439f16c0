//! Kept batches: every batch action (cancel all, resubmit selected, staff
//! bulk moves) with its outcome per order, for the people who ran it.
//! Customers see the batches they ran, customer administrators those of
//! their company, FTS staff all of them.

use crate::model::{
    ADMIN_PAGE_SIZE, Batch, BatchAction, BatchDetail, BatchError, BatchItem, BatchResult, ListPage,
    MAX_ADMIN_PAGE_SIZE, NamedRef,
};
use crate::rules::Status;
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, flag, now_ms, rfc3339, stored_status};
use crate::server::error::{AppError, AppResult};
use crate::server::sql::Sql;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Keeps a batch's outcome; answers its id.
pub(crate) async fn record(
    db: &Db,
    user: &CurrentUser,
    action: BatchAction,
    to: Option<Status>,
    result: &BatchResult,
) -> AppResult<i64> {
    let mut tx = db::begin_write(db).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO batches (actor_id, company_id, action, to_status, succeeded, failed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(user.id)
    .bind(user.company.as_ref().map(|company| company.id))
    .bind(action.as_str())
    .bind(to.map(Status::as_str))
    .bind(result.succeeded as i64)
    .bind(result.failed as i64)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let mut sql = Sql::new(
        "INSERT INTO batch_items (batch_id, position, order_id, ok, status, error_code, error_message) VALUES ",
    );
    for (position, item) in result.results.iter().enumerate() {
        if position > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind_int(id)
            .push(", ")
            .bind_int(position as i64)
            .push(", ")
            .bind_int(item.order_id)
            .push(", ")
            .bind_int(i64::from(item.ok))
            .push(", ");
        push_optional_text(
            &mut sql,
            item.status.map(|status| status.as_str().to_owned()),
        );
        sql.push(", ");
        push_optional_text(
            &mut sql,
            item.error.as_ref().map(|error| error.code.clone()),
        );
        sql.push(", ");
        push_optional_text(
            &mut sql,
            item.error.as_ref().map(|error| error.message.clone()),
        );
        sql.push(")");
    }
    if !result.results.is_empty() {
        sql.query().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn push_optional_text(sql: &mut Sql, text: Option<String>) {
    match text {
        Some(text) => sql.bind_text(text),
        None => sql.push("NULL"),
    };
}

const BATCH_COLUMNS: &str = "SELECT b.id, b.action, b.to_status, b.actor_id, u.name AS actor_name, \
    b.created_at, b.succeeded, b.failed FROM batches b JOIN users u ON u.id = b.actor_id WHERE 1 = 1";

fn batch_from_row(row: &AnyRow) -> AppResult<Batch> {
    let action: String = row.try_get("action")?;
    Ok(Batch {
        id: row.try_get("id")?,
        action: action.parse().map_err(AppError::Internal)?,
        to_status: row
            .try_get::<Option<String>, _>("to_status")?
            .map(stored_status)
            .transpose()?,
        actor: NamedRef {
            id: row.try_get("actor_id")?,
            name: row.try_get("actor_name")?,
        },
        created_at: rfc3339(row.try_get("created_at")?),
        succeeded: row.try_get("succeeded")?,
        failed: row.try_get("failed")?,
    })
}

/// The batches `user` may see, newest first, a page at a time (`cursor` is
/// the id the last page ended at).
pub async fn list(
    db: &Db,
    user: &CurrentUser,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> AppResult<ListPage<Batch>> {
    let limit = limit
        .unwrap_or(ADMIN_PAGE_SIZE)
        .clamp(1, MAX_ADMIN_PAGE_SIZE);
    let mut sql = Sql::new(BATCH_COLUMNS);
    sql.and_in_scope_of("b", "actor_id", user);
    if let Some(cursor) = cursor {
        let before: i64 = cursor
            .parse()
            .map_err(|_| AppError::BadRequest("The cursor is not valid.".to_owned()))?;
        sql.push(" AND b.id < ").bind_int(before);
    }
    sql.push(" ORDER BY b.id DESC LIMIT ")
        .bind_int(i64::from(limit) + 1);
    let mut items = sql
        .query()
        .fetch_all(db)
        .await?
        .iter()
        .map(batch_from_row)
        .collect::<AppResult<Vec<_>>>()?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|batch| batch.id.to_string())
    } else {
        None
    };
    Ok(ListPage { items, next_cursor })
}

/// One batch `user` may see, with its result per order; `NotFound` for
/// any other id. Orders are named by number where `user` may see them.
pub async fn get(db: &Db, user: &CurrentUser, id: i64) -> AppResult<BatchDetail> {
    let mut sql = Sql::new(BATCH_COLUMNS);
    sql.push(" AND b.id = ").bind_int(id);
    sql.and_in_scope_of("b", "actor_id", user);
    let batch = batch_from_row(
        &sql.query()
            .fetch_optional(db)
            .await?
            .ok_or(AppError::NotFound)?,
    )?;
    let mut sql = Sql::new(
        "SELECT i.order_id, o.number, o.company_id, o.placed_by, i.ok, i.status, i.error_code, \
         i.error_message FROM batch_items i LEFT JOIN orders o ON o.id = i.order_id \
         WHERE i.batch_id = ",
    );
    sql.bind_int(id).push(" ORDER BY i.position");
    let results = sql
        .query()
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            let visible = crate::server::sql::sees_order(
                user,
                row.try_get("company_id")?,
                row.try_get("placed_by")?,
            );
            let code: Option<String> = row.try_get("error_code")?;
            let message: Option<String> = row.try_get("error_message")?;
            Ok(BatchItem {
                order_id: row.try_get("order_id")?,
                number: if visible {
                    row.try_get("number")?
                } else {
                    None
                },
                ok: flag(row.try_get("ok")?),
                status: row
                    .try_get::<Option<String>, _>("status")?
                    .map(stored_status)
                    .transpose()?,
                error: code.map(|code| BatchError {
                    code,
                    message: message.unwrap_or_default(),
                }),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(BatchDetail { batch, results })
}
