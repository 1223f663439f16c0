//! The staff dashboard's figures, sized for a million orders: each is read
//! from counters the database keeps with every change (orders per status;
//! per status and day placed; complete orders per week completed, product
//! and days taken; orders per status and hold reason), so a request reads
//! a few thousand rows at most, never the orders themselves.

use crate::model::{AgingBucket, ProductTurnaround, ReasonCount, Stats, WeekCount};
use crate::rules::{Permission, Status};
use crate::server::auth::CurrentUser;
use crate::server::db::{DAY_MS, Db, date_of_ms, now_ms, rfc3339, stored_status};
use crate::server::error::{AppError, AppResult};
use crate::server::sql::Sql;
use sqlx::Row;
use std::collections::BTreeMap;

/// Weeks the weekly chart and the turnaround figures cover.
pub const WEEKS: i64 = 12;
/// Reasons listed at most; the rest are left out.
const REASONS: i64 = 10;
/// The aging buckets: their first and last day of age, in calendar days
/// (UTC) since the day placed.
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
    let today = now.div_euclid(DAY_MS);
    let first_day = monday_of(today) - (WEEKS - 1) * 7;
    Ok(Stats {
        by_status: by_status(db).await?,
        aging: aging(db, today).await?,
        weekly: weekly(db, first_day).await?,
        holds_by_reason: holds_by_reason(db).await?,
        completion_by_product: completion_by_product(db, week_of(first_day)).await?,
        as_of: rfc3339(now),
    })
}

/// The Monday of the week of `day` (days since 1970-01-01).
fn monday_of(day: i64) -> i64 {
    // 1970-01-01 was a Thursday: three days after a Monday.
    day - (day + 3).rem_euclid(7)
}

/// The number of the week (Monday to Sunday) of `day`, as the completion
/// counters number them: weeks since the one of 1970-01-01, a Thursday.
fn week_of(day: i64) -> i64 {
    (day + 3).div_euclid(7)
}

/// `(group, n)` rows of a query that sums counters into a few groups.
async fn sums(db: &Db, sql: &Sql) -> AppResult<Vec<(i64, i64)>> {
    sql.query()
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("grp")?, row.try_get("n")?)))
        .collect()
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

/// Open orders by calendar days since placed, summed by bucket where the
/// counters are.
async fn aging(db: &Db, today: i64) -> AppResult<Vec<AgingBucket>> {
    let mut sql = Sql::new("SELECT CASE");
    for (index, (_, last)) in AGING.iter().enumerate() {
        if let Some(last) = last {
            // At most `last` days old: placed on `today - last` or later.
            sql.push(" WHEN day > ")
                .bind_int(today - last - 1)
                .push(&format!(" THEN {index}"));
        }
    }
    sql.push(&format!(
        " ELSE {} END AS grp, CAST(SUM(n) AS BIGINT) AS n FROM order_day_counts WHERE 1 = 1",
        AGING.len() - 1
    ));
    let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    sql.and_status_in("status", &open);
    sql.push(" GROUP BY grp");
    let counts = sums(db, &sql).await?;
    Ok(AGING
        .iter()
        .enumerate()
        .map(|(index, (first, last))| AgingBucket {
            label: match last {
                Some(last) => format!("{first}–{last} days"),
                None => format!("over {} days", first - 1),
            },
            min_days: *first,
            max_days: *last,
            orders: counts
                .iter()
                .filter(|(bucket, _)| *bucket == index as i64)
                .map(|(_, n)| n)
                .sum(),
        })
        .collect())
}

/// Orders placed and completed in each of the last twelve weeks, summed by
/// week where the counters are.
async fn weekly(db: &Db, first_day: i64) -> AppResult<Vec<WeekCount>> {
    let mut placed = Sql::new("SELECT (day - ");
    placed
        .bind_int(first_day)
        .push(") / 7 AS grp, CAST(SUM(n) AS BIGINT) AS n FROM order_day_counts WHERE day >= ")
        .bind_int(first_day);
    placed.and_status_in("status", &Status::ALL);
    placed.push(" GROUP BY grp");
    let first_week = week_of(first_day);
    let mut completed = Sql::new("SELECT week - ");
    completed
        .bind_int(first_week)
        .push(
            " AS grp, CAST(SUM(n) AS BIGINT) AS n FROM order_completion_week_counts \
             WHERE week >= ",
        )
        .bind_int(first_week)
        .push(" GROUP BY week");
    let placed = sums(db, &placed).await?;
    let completed = sums(db, &completed).await?;
    let of_week = |counts: &[(i64, i64)], week: i64| {
        counts
            .iter()
            .filter(|(grp, _)| *grp == week)
            .map(|(_, n)| n)
            .sum()
    };
    Ok((0..WEEKS)
        .map(|week| WeekCount {
            week_start: date_of_ms((first_day + week * 7) * DAY_MS).to_string(),
            placed: of_week(&placed, week),
            completed: of_week(&completed, week),
        })
        .collect())
}

/// The reasons of the orders waiting for the customer now.
async fn holds_by_reason(db: &Db) -> AppResult<Vec<ReasonCount>> {
    let waiting: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| s.needs_attention())
        .collect();
    let mut sql = Sql::new(
        "SELECT hold_reason, CAST(SUM(n) AS BIGINT) AS held FROM order_reason_counts WHERE 1 = 1",
    );
    sql.and_status_in("status", &waiting);
    sql.push(&format!(
        " GROUP BY hold_reason HAVING SUM(n) > 0 ORDER BY held DESC, hold_reason LIMIT {REASONS}"
    ));
    sql.query()
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            Ok(ReasonCount {
                reason: row.try_get("hold_reason")?,
                orders: row.try_get("held")?,
            })
        })
        .collect()
}

/// Per product, how many orders were completed in the twelve weeks from
/// `first_week` and the median of their whole days from placing to
/// completion.
async fn completion_by_product(db: &Db, first_week: i64) -> AppResult<Vec<ProductTurnaround>> {
    let mut days_by_product: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT product_id, days_taken, CAST(SUM(n) AS BIGINT) AS n \
         FROM order_completion_week_counts WHERE week >= $1 GROUP BY product_id, days_taken",
    )
    .bind(first_week)
    .fetch_all(db)
    .await?;
    for row in rows {
        let n: i64 = row.try_get("n")?;
        if n > 0 {
            days_by_product
                .entry(row.try_get("product_id")?)
                .or_default()
                .push((row.try_get("days_taken")?, n));
        }
    }
    for counts in days_by_product.values_mut() {
        counts.sort_unstable();
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
    fn weeks_start_on_monday() {
        // 2026-11-27 is a Friday; its Monday is 2026-11-23.
        let friday = 1_795_780_800_000 / DAY_MS;
        assert_eq!(
            date_of_ms(monday_of(friday) * DAY_MS).to_string(),
            "2026-11-23"
        );
        assert_eq!(monday_of(monday_of(friday)), monday_of(friday));
        assert_eq!(monday_of(friday - 4), monday_of(friday));
        assert_eq!(monday_of(friday - 5), monday_of(friday) - 7);
        // A week's number changes on Mondays only.
        assert_eq!(week_of(monday_of(friday)), week_of(friday));
        assert_eq!(week_of(monday_of(friday) + 6), week_of(friday));
        assert_eq!(week_of(monday_of(friday) - 1), week_of(friday) - 1);
    }
}
