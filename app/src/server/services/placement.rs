//! Placing new orders: one, or several together as a group. New orders
//! start unprocessed, unpaid, with an expected date from the product's
//! turnaround.

use crate::model::{EventKind, NewOrder, PlacedOrders};
use crate::rules::{self, Permission, Status};
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db, now_ms};
use crate::server::error::{AppError, AppResult};
use crate::server::order_number;
use crate::server::services::history::record_event;
use crate::server::services::orders;
use sqlx::Row;

/// The most orders placed in one request.
pub const MAX_ORDERS: usize = 20;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// A title, trimmed, non-empty and of bounded length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTitle(String);

impl OrderTitle {
    pub fn parse(text: &str) -> AppResult<OrderTitle> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::Unprocessable(
                "Give each order a title.".to_owned(),
            ));
        }
        if text.chars().count() > MAX_TITLE_CHARS || text.chars().any(char::is_control) {
            return Err(AppError::Unprocessable(format!(
                "A title is one line of at most {MAX_TITLE_CHARS} characters."
            )));
        }
        Ok(OrderTitle(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Places `new` for the caller's company: all or none. Several orders are
/// placed together as one group.
pub async fn place(db: &Db, user: &CurrentUser, new: &[NewOrder]) -> AppResult<PlacedOrders> {
    let company = match &user.company {
        Some(company) if user.can(Permission::OrdersCreate) => company,
        _ => {
            return Err(AppError::Forbidden(
                "Only customers place orders.".to_owned(),
            ));
        }
    };
    if new.is_empty() || new.len() > MAX_ORDERS {
        return Err(AppError::Unprocessable(format!(
            "Place between 1 and {MAX_ORDERS} orders at once."
        )));
    }
    let titles = new
        .iter()
        .map(|order| OrderTitle::parse(&order.title))
        .collect::<AppResult<Vec<_>>>()?;

    let now = now_ms();
    let today = time::OffsetDateTime::now_utc().date();
    let mut tx = db::begin_write(db).await?;
    let group_id: Option<i64> = if new.len() > 1 {
        Some(
            sqlx::query(
                "INSERT INTO order_groups (company_id, created_by, created_at) \
                 VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(company.id)
            .bind(user.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?,
        )
    } else {
        None
    };
    let mut ids = Vec::with_capacity(new.len());
    for (order, title) in new.iter().zip(&titles) {
        let turnaround: i64 = sqlx::query("SELECT turnaround_days FROM products WHERE id = $1")
            .bind(order.product_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::Unprocessable("Choose a product from the list.".to_owned()))?
            .try_get("turnaround_days")?;
        let expected =
            rules::add_business_days(today, u32::try_from(turnaround).unwrap_or(0)).to_string();
        // The number comes from the id, known only once the row exists.
        let provisional = format!("new-{:032x}", rand::random::<u128>());
        let id: i64 = sqlx::query(
            "INSERT INTO orders (number, company_id, placed_by, group_id, product_id, title, \
             status, expected_date, paid_cents, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9) RETURNING id",
        )
        .bind(&provisional)
        .bind(company.id)
        .bind(user.id)
        .bind(group_id)
        .bind(order.product_id)
        .bind(title.as_str())
        .bind(Status::Unprocessed.as_str())
        .bind(expected)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        sqlx::query("UPDATE orders SET number = $1 WHERE id = $2")
            .bind(order_number::of(id))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_event(
            &mut tx,
            id,
            user.id,
            EventKind::Status,
            None,
            Some(Status::Unprocessed),
            None,
            now,
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;

    let mut placed = Vec::with_capacity(ids.len());
    for id in ids {
        placed.push(orders::get(db, user, id).await?);
    }
    Ok(PlacedOrders { orders: placed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_trimmed_line_of_bounded_length() {
        assert_eq!(
            OrderTitle::parse("  12 Elm Street ").unwrap().as_str(),
            "12 Elm Street"
        );
        assert!(OrderTitle::parse(&"x".repeat(MAX_TITLE_CHARS)).is_ok());
        for bad in ["", "   ", "two\nlines", &"x".repeat(MAX_TITLE_CHARS + 1)] {
            assert!(OrderTitle::parse(bad).is_err(), "{bad:?}");
        }
    }
}
