//! The staff dashboard's figures, sized for a million orders: each is read
//! from counters or from an index range of the recent or open orders
//! alone (open orders by status and age, the last twelve weeks' orders,
//! the reasons of held orders), never from the whole table.

use crate::model::{AgingBucket, ProductTurnaround, ReasonCount, Stats, WeekCount};
use crate::rules::{Permission, Status};
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, date_of_ms, now_ms, rfc3339, stored_status};
use crate::server::error::{AppError, AppResult};
use crate::server::sql::Sql;
use sqlx::Row;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Weeks the weekly chart and the turnaround figures cover.
pub const WEEKS: i64 = 12;
/// Reasons listed at most; the rest are left out.
const REASONS: i64 = 10;
/// The aging buckets: their first and last day of age.
const AGING: [(i64, Option<i64>); 5] = [
    (0, Some(2)),
    (3, Some(7)),
    (8, Some(14)),
    (15, Some(30)),
    (31, None),
];

/// The figures of the dashboard, for staff who see every order; the
/// dashboard does not exist for anyone else.
pub async fn stats(db: &Db, user: &CurrentUser) -> AppResult<Stats> {
    if !user.can(Permission::OrdersViewAll) {
        return Err(AppError::NotFound);
    }
    let now = now_ms();
    let first_week = monday_of(now) - (WEEKS - 1) * WEEK_MS;
    Ok(Stats {
        by_status: by_status(db).await?,
        aging: aging(db, now).await?,
        weekly: weekly(db, first_week).await?,
        holds_by_reason: holds_by_reason(db).await?,
        completion_by_product: completion_by_product(db, first_week).await?,
        as_of: rfc3339(now),
    })
}

/// Midnight (UTC) of the Monday of the week of `ms`.
fn monday_of(ms: i64) -> i64 {
    let day = ms.div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: three days after a Monday.
    (day - (day + 3).rem_euclid(7)) * DAY_MS
}

/// From the counters every change keeps.
async fn by_status(db: &Db) -> AppResult<BTreeMap<Status, i64>> {
    let mut counts: BTreeMap<Status, i64> =
        Status::ALL.into_iter().map(|status| (status, 0)).collect();
    let rows = sqlx::query(
        "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM order_counts \
         WHERE scope = 'all' AND scope_id = 0 GROUP BY status",
    )
    .fetch_all(db)
    .await?;
    for row in rows {
        *counts
            .entry(stored_status(row.try_get("status")?)?)
            .or_default() += row.try_get::<i64, _>("n")?;
    }
    Ok(counts)
}

/// Open orders by age, from the (status, placed) index of the open
/// statuses.
async fn aging(db: &Db, now: i64) -> AppResult<Vec<AgingBucket>> {
    let mut sql = Sql::new("SELECT CASE");
    for (index, (_, last)) in AGING.iter().enumerate() {
        if let Some(last) = last {
            // Placed less than last + 1 whole days ago.
            sql.push(" WHEN o.created_at > ")
                .bind_int(now - (last + 1) * DAY_MS)
                .push(&format!(" THEN {index}"));
        }
    }
    sql.push(&format!(
        " ELSE {} END AS bucket, COUNT(*) AS n FROM orders o WHERE 1 = 1",
        AGING.len() - 1
    ));
    let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    sql.and_status_in("o.status", &open);
    sql.push(" GROUP BY bucket");
    let mut counts = [0i64; AGING.len()];
    for row in sql.query().fetch_all(db).await? {
        let bucket: i64 = row.try_get("bucket")?;
        if let Some(count) = usize::try_from(bucket)
            .ok()
            .and_then(|bucket| counts.get_mut(bucket))
        {
            *count = row.try_get("n")?;
        }
    }
    Ok(AGING
        .iter()
        .zip(counts)
        .map(|((first, last), orders)| AgingBucket {
            label: match last {
                Some(last) => format!("{first}–{last} days"),
                None => format!("over {} days", first - 1),
            },
            min_days: *first,
            max_days: *last,
            orders,
        })
        .collect())
}

/// Orders placed and completed in each of the last twelve weeks.
async fn weekly(db: &Db, first_week: i64) -> AppResult<Vec<WeekCount>> {
    let mut weeks: Vec<WeekCount> = (0..WEEKS)
        .map(|week| WeekCount {
            week_start: date_of_ms(first_week + week * WEEK_MS).to_string(),
            placed: 0,
            completed: 0,
        })
        .collect();
    // Placed: every status's (status, placed) index range; completed: the
    // (status, last change) range of complete orders.
    let mut placed = Sql::new("SELECT (o.created_at - ");
    placed
        .bind_int(first_week)
        .push(&format!(
            ") / {WEEK_MS} AS week, COUNT(*) AS n FROM orders o WHERE o.created_at >= "
        ))
        .bind_int(first_week);
    placed.and_status_in("o.status", &Status::ALL);
    placed.push(" GROUP BY week");
    let mut completed = Sql::new("SELECT (o.updated_at - ");
    completed
        .bind_int(first_week)
        .push(&format!(
            ") / {WEEK_MS} AS week, COUNT(*) AS n FROM orders o WHERE o.status = "
        ))
        .bind_text(Status::Complete.as_str())
        .push(" AND o.updated_at >= ")
        .bind_int(first_week)
        .push(" GROUP BY week");
    for (sql, is_placed) in [(placed, true), (completed, false)] {
        for row in sql.query().fetch_all(db).await? {
            let week: i64 = row.try_get("week")?;
            let n: i64 = row.try_get("n")?;
            if let Some(week) = usize::try_from(week)
                .ok()
                .and_then(|week| weeks.get_mut(week))
            {
                if is_placed {
                    week.placed = n;
                } else {
                    week.completed = n;
                }
            }
        }
    }
    Ok(weeks)
}

/// The reasons of the orders waiting for the customer now.
async fn holds_by_reason(db: &Db) -> AppResult<Vec<ReasonCount>> {
    let waiting: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| s.needs_attention())
        .collect();
    let mut sql = Sql::new(
        "SELECT o.hold_reason, COUNT(*) AS n FROM orders o WHERE o.hold_reason IS NOT NULL",
    );
    sql.and_status_in("o.status", &waiting);
    sql.push(&format!(
        " GROUP BY o.hold_reason ORDER BY n DESC, o.hold_reason LIMIT {REASONS}"
    ));
    sql.query()
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            Ok(ReasonCount {
                reason: row.try_get("hold_reason")?,
                orders: row.try_get("n")?,
            })
        })
        .collect()
}

/// Per product, how many orders were completed since `first_week` and the
/// median of their whole days from placing to completion, from a count
/// per product and number of days.
async fn completion_by_product(db: &Db, first_week: i64) -> AppResult<Vec<ProductTurnaround>> {
    let mut days_by_product: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    let mut sql = Sql::new(&format!(
        "SELECT o.product_id, (o.updated_at - o.created_at) / {DAY_MS} AS days, COUNT(*) AS n \
         FROM orders o WHERE o.status = "
    ));
    sql.bind_text(Status::Complete.as_str())
        .push(" AND o.updated_at >= ")
        .bind_int(first_week)
        .push(" GROUP BY o.product_id, days ORDER BY o.product_id, days");
    for row in sql.query().fetch_all(db).await? {
        days_by_product
            .entry(row.try_get("product_id")?)
            .or_default()
            .push((row.try_get("days")?, row.try_get("n")?));
    }
    sqlx::query("SELECT id, name FROM products ORDER BY name")
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let counts = days_by_product.remove(&id).unwrap_or_default();
            Ok(ProductTurnaround {
                product: row.try_get("name")?,
                completed: counts.iter().map(|(_, n)| n).sum(),
                median_days: median(&counts),
            })
        })
        .collect()
}

/// The median of values given as `(value, how many)`, in ascending order
/// of value; of an even number of values, the lower of the middle two
/// (whole days stay whole).
fn median(counts: &[(i64, i64)]) -> Option<i64> {
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The value at position (total - 1) / 2, from 0.
    let position = (total - 1) / 2;
    let mut seen = 0;
    for (value, n) in counts {
        seen += n;
        if position < seen {
            return Some(*value);
        }
    }
    counts.last().map(|(value, _)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(4, 1)]), Some(4));
        assert_eq!(median(&[(1, 1), (3, 1)]), Some(1));
        assert_eq!(median(&[(1, 2), (5, 1)]), Some(1));
        assert_eq!(median(&[(0, 3), (2, 3), (9, 1)]), Some(2));
        assert_eq!(median(&[(0, 3), (2, 4)]), Some(2));
    }

    #[test]
    fn weeks_start_on_monday_at_midnight() {
        // 2026-11-27 12:00 UTC is a Friday; its Monday is 2026-11-23.
        let friday = 1_795_780_800_000;
        assert_eq!(date_of_ms(monday_of(friday)).to_string(), "2026-11-23");
        assert_eq!(monday_of(friday) % DAY_MS, 0);
        assert_eq!(monday_of(monday_of(friday)), monday_of(friday));
    }
}
