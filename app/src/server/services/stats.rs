//! The staff dashboard's figures, sized for a million orders: each is read
//! from counters the database keeps with every change (orders per status;
//! per status and day placed; complete orders per day completed, product
//! and days taken) or from the small index of held orders' reasons, so a
//! request reads a few thousand rows at most, never the orders themselves.

use crate::model::{AgingBucket, ProductTurnaround, ReasonCount, Stats, WeekCount};
use crate::rules::{Permission, Status};
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, date_of_ms, now_ms, rfc3339, stored_status};
use crate::server::error::{AppError, AppResult};
use crate::server::sql::Sql;
use sqlx::Row;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
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
    let placed = placed_by_day(db, first_day).await?;
    let completions = completions_since(db, first_day).await?;
    Ok(Stats {
        by_status: by_status(db).await?,
        aging: aging(&placed, today),
        weekly: weekly(&placed, &completions, first_day),
        holds_by_reason: holds_by_reason(db).await?,
        completion_by_product: completion_by_product(db, &completions).await?,
        as_of: rfc3339(now),
    })
}

/// The Monday of the week of `day` (days since 1970-01-01).
fn monday_of(day: i64) -> i64 {
    // 1970-01-01 was a Thursday: three days after a Monday.
    day - (day + 3).rem_euclid(7)
}

/// Orders placed on one day: those still open, and all of them (counted
/// for the weeks shown only).
struct PlacedDay {
    day: i64,
    open: i64,
    all: i64,
}

/// Per day placed: the open orders of every day, and all the orders of
/// the days from `first_day` on (statuses times days: a few thousand rows
/// of counters at most).
async fn placed_by_day(db: &Db, first_day: i64) -> AppResult<Vec<PlacedDay>> {
    let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    let mut open_days =
        Sql::new("SELECT day, CAST(SUM(n) AS BIGINT) AS n FROM order_day_counts WHERE 1 = 1");
    open_days.and_status_in("status", &open);
    open_days.push(" GROUP BY day");
    let mut recent_days =
        Sql::new("SELECT day, CAST(SUM(n) AS BIGINT) AS n FROM order_day_counts WHERE day >= ");
    recent_days.bind_int(first_day);
    recent_days.and_status_in("status", &Status::ALL);
    recent_days.push(" GROUP BY day");
    let mut days: BTreeMap<i64, PlacedDay> = BTreeMap::new();
    for (sql, is_open) in [(open_days, true), (recent_days, false)] {
        for row in sql.query().fetch_all(db).await? {
            let day: i64 = row.try_get("day")?;
            let n: i64 = row.try_get("n")?;
            let entry = days.entry(day).or_insert(PlacedDay {
                day,
                open: 0,
                all: 0,
            });
            if is_open {
                entry.open = n;
            } else {
                entry.all = n;
            }
        }
    }
    Ok(days.into_values().collect())
}

/// Orders completed since a day: `(day completed, product, whole days
/// taken, how many)`.
struct Completions(Vec<(i64, i64, i64, i64)>);

async fn completions_since(db: &Db, first_day: i64) -> AppResult<Completions> {
    let rows = sqlx::query(
        "SELECT day, product_id, days_taken, CAST(SUM(n) AS BIGINT) AS n \
         FROM order_completion_counts WHERE day >= $1 GROUP BY day, product_id, days_taken",
    )
    .bind(first_day)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("day")?,
                row.try_get("product_id")?,
                row.try_get("days_taken")?,
                row.try_get("n")?,
            ))
        })
        .collect::<AppResult<Vec<_>>>()
        .map(Completions)
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

/// Open orders by calendar days since placed.
fn aging(placed: &[PlacedDay], today: i64) -> Vec<AgingBucket> {
    AGING
        .iter()
        .map(|(first, last)| AgingBucket {
            label: match last {
                Some(last) => format!("{first}–{last} days"),
                None => format!("over {} days", first - 1),
            },
            min_days: *first,
            max_days: *last,
            orders: placed
                .iter()
                .filter(|day| {
                    let age = today - day.day;
                    age >= *first && last.is_none_or(|last| age <= last)
                })
                .map(|day| day.open)
                .sum(),
        })
        .collect()
}

/// Orders placed and completed in each of the last twelve weeks.
fn weekly(placed: &[PlacedDay], completions: &Completions, first_day: i64) -> Vec<WeekCount> {
    let mut weeks: Vec<WeekCount> = (0..WEEKS)
        .map(|week| WeekCount {
            week_start: date_of_ms((first_day + week * 7) * DAY_MS).to_string(),
            placed: 0,
            completed: 0,
        })
        .collect();
    let week_of = |day: i64| {
        usize::try_from((day - first_day).div_euclid(7))
            .ok()
            .filter(|_| day >= first_day)
    };
    for day in placed {
        if let Some(week) = week_of(day.day).and_then(|week| weeks.get_mut(week)) {
            week.placed += day.all;
        }
    }
    for (day, _, _, n) in &completions.0 {
        if let Some(week) = week_of(*day).and_then(|week| weeks.get_mut(week)) {
            week.completed += n;
        }
    }
    weeks
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

/// Per product, how many orders were completed in the twelve weeks and
/// the median of their whole days from placing to completion.
async fn completion_by_product(
    db: &Db,
    completions: &Completions,
) -> AppResult<Vec<ProductTurnaround>> {
    let mut days_by_product: BTreeMap<i64, BTreeMap<i64, i64>> = BTreeMap::new();
    for (_, product, days, n) in &completions.0 {
        *days_by_product
            .entry(*product)
            .or_default()
            .entry(*days)
            .or_default() += n;
    }
    sqlx::query("SELECT id, name FROM products ORDER BY name")
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let counts: Vec<(i64, i64)> = days_by_product
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect();
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
    }
}
