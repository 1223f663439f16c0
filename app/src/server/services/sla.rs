//! The service-level clock as the database keeps it: read with an order,
//! written with each change of status (`actions`), and given to orders
//! submitted before the clock existed.

use crate::rules::Status;
use crate::rules::sla::{self, NO_DUE_DAY, SlaClock};
use crate::server::db::{self, Db, date_of_ms, stored_status};
use crate::server::error::AppResult;
use crate::server::sql::Sql;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The clock's columns, for a `SELECT` of `orders o`.
pub const CLOCK_COLUMNS: &str =
    "o.sla_due_day, o.sla_paused_days, o.sla_paused_since, o.sla_stopped_on";

/// The clock of a row read with [`CLOCK_COLUMNS`].
pub fn clock_from_row(row: &AnyRow) -> AppResult<SlaClock> {
    Ok(SlaClock {
        due_day: row.try_get("sla_due_day")?,
        paused_days: row.try_get("sla_paused_days")?,
        paused_since: row.try_get("sla_paused_since")?,
        stopped_on: row.try_get("sla_stopped_on")?,
    })
}

/// `sla_due_day = …` and the other columns, for an `UPDATE orders SET`.
pub fn push_clock(sql: &mut Sql, clock: &SlaClock) {
    sql.push("sla_due_day = ")
        .bind_int(clock.due_day)
        .push(", sla_paused_days = ")
        .bind_int(clock.paused_days)
        .push(", sla_paused_since = ")
        .bind_optional_int(clock.paused_since)
        .push(", sla_stopped_on = ")
        .bind_optional_int(clock.stopped_on);
}

/// Orders given their clock per transaction of [`backfill`].
const BACKFILL_BATCH: i64 = 500;

/// Gives every submitted order that has no clock yet the clock its
/// timeline implies, a batch at a time; returns how many it gave one.
/// Orders submitted before the clock existed need it once; afterwards the
/// index on (status, due day, id) finds none at once.
pub async fn backfill(pool: &Db) -> AppResult<u64> {
    let mut done = 0;
    for status in Status::ALL.into_iter().filter(|s| sla::has_clock(*s)) {
        loop {
            let ids = unclocked(pool, status).await?;
            if ids.is_empty() {
                break;
            }
            let mut tx = db::begin_write(pool).await?;
            for &id in &ids {
                give_clock(&mut tx, id).await?;
            }
            tx.commit().await?;
            done += ids.len() as u64;
        }
    }
    Ok(done)
}

/// A batch of orders of `status` without a clock, by id alone, one status
/// at a time: the (status, due day, id) index names them. Asked for the
/// orders' other columns of every status at once, PostgreSQL expected
/// tens of thousands of unclocked orders (the due day of unsubmitted ones)
/// and walked every order by id to find none: 0.3–0.4 s at a million
/// orders, at every start.
async fn unclocked(pool: &Db, status: Status) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT id FROM orders WHERE status = $1 AND sla_due_day = $2 \
         ORDER BY id LIMIT {BACKFILL_BATCH}"
    ))
    .bind(status.as_str())
    .bind(NO_DUE_DAY)
    .fetch_all(pool)
    .await?)
}

/// Gives order `id` the clock its timeline implies.
async fn give_clock(tx: &mut db::Tx, id: i64) -> AppResult<()> {
    let order = sqlx::query(
        "SELECT o.created_at, p.turnaround_days FROM orders o \
         JOIN products p ON p.id = o.product_id WHERE o.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let created_at: i64 = order.try_get("created_at")?;
    let turnaround: i64 = order.try_get("turnaround_days")?;
    let turnaround = u32::try_from(turnaround).unwrap_or(0);
    let path = sqlx::query(
        "SELECT to_status, created_at FROM order_events \
         WHERE order_id = $1 AND to_status IS NOT NULL ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|event| {
        let status = stored_status(event.try_get("to_status")?)?;
        Ok((status, date_of_ms(event.try_get("created_at")?)))
    })
    .collect::<AppResult<Vec<_>>>()?;
    let mut clock = SlaClock::replay(path, turnaround);
    if clock.due_day == NO_DUE_DAY {
        // A timeline that never reached Submitted: counted from the day
        // the order was placed.
        clock = SlaClock::replay([(Status::Submitted, date_of_ms(created_at))], turnaround);
    }
    let mut update = Sql::new("UPDATE orders SET ");
    push_clock(&mut update, &clock);
    update.push(" WHERE id = ").bind_int(id);
    update.query().execute(&mut **tx).await?;
    Ok(())
}
