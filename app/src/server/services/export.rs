//! A list as a spreadsheet: every order of a list query in CSV, read page by
//! page through the list itself (the same scope, filters and indexes), so
//! that memory stays flat however many orders match.

use crate::model::{Order, OrderQuery};
use crate::rules::sla::Sla;
use crate::server::auth::CurrentUser;
use crate::server::db::Db;
use crate::server::error::{AppError, AppResult};
use crate::server::lane::ReadLane;
use crate::server::services::orders::{self, MAX_PAGE_SIZE};
use bytes::Bytes;
use futures_util::Stream;
use std::borrow::Cow;

/// The columns, in order.
pub const HEADER: [&str; 13] = [
    "Number",
    "Title",
    "Company",
    "Product",
    "Status",
    "Placed",
    "Expected",
    "Due",
    "Service level",
    "Placed by",
    "Paid",
    "Hold reason",
    "Updated",
];

/// Starts an export of every order `query` lists for `user` (its `cursor`
/// and `limit` are not used: the export starts at the list's beginning and
/// does not stop at a page). The first page is read before anything is
/// sent, so that a query the list refuses is refused with its error; the
/// stream then reads one page at a time, each in its turn in `lane`.
pub async fn start(
    db: Db,
    lane: ReadLane,
    user: CurrentUser,
    query: &OrderQuery,
) -> AppResult<impl Stream<Item = AppResult<Bytes>> + Send + 'static> {
    let mut query = OrderQuery {
        cursor: None,
        limit: Some(MAX_PAGE_SIZE),
        ..query.clone()
    };
    let first = lane.run(orders::list(&db, &user, &query)).await?;
    let mut chunk = csv_rows(&[HEADER.map(Cow::Borrowed)])?;
    chunk.extend(orders_csv(&first.orders)?);
    let start = (Some(Bytes::from(chunk)), first.next_cursor);
    Ok(futures_util::stream::unfold(
        start,
        move |(ready, cursor)| {
            let (db, lane, user) = (db.clone(), lane.clone(), user.clone());
            query.cursor = cursor.clone();
            let query = query.clone();
            async move {
                if let Some(ready) = ready {
                    return Some((Ok(ready), (None, cursor)));
                }
                cursor.as_ref()?;
                let page = match lane.run(orders::list(&db, &user, &query)).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), (None, None))),
                };
                let next = page.next_cursor;
                match orders_csv(&page.orders) {
                    Ok(rows) => Some((Ok(Bytes::from(rows)), (None, next))),
                    Err(error) => Some((Err(error), (None, None))),
                }
            }
        },
    ))
}

/// `orders` as CSV rows, without the header.
pub fn orders_csv(orders: &[Order]) -> AppResult<Vec<u8>> {
    let rows: Vec<[Cow<'_, str>; 13]> = orders.iter().map(order_row).collect();
    csv_rows(&rows)
}

fn order_row(order: &Order) -> [Cow<'_, str>; 13] {
    [
        Cow::Borrowed(order.number.as_str()),
        Cow::Borrowed(order.title.as_str()),
        Cow::Borrowed(order.company.name.as_str()),
        Cow::Borrowed(order.product.as_str()),
        Cow::Borrowed(order.status.label()),
        Cow::Borrowed(order.created_at.as_str()),
        Cow::Borrowed(order.expected_date.as_deref().unwrap_or_default()),
        Cow::Borrowed(order.sla.as_ref().map_or("", |sla| sla.due_date.as_str())),
        Cow::Owned(order.sla.as_ref().map(Sla::summary).unwrap_or_default()),
        Cow::Borrowed(order.placed_by.name.as_str()),
        Cow::Owned(format!(
            "{}.{:02}",
            order.paid_cents / 100,
            (order.paid_cents % 100).abs()
        )),
        Cow::Borrowed(order.hold_reason.as_deref().unwrap_or_default()),
        Cow::Borrowed(order.updated_at.as_str()),
    ]
}

fn csv_rows<const N: usize>(rows: &[[Cow<'_, str>; N]]) -> AppResult<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(
                row.iter()
                    .map(|cell| neutralised(cell).into_owned().into_bytes()),
            )
            .map_err(|error| AppError::Internal(format!("writing CSV: {error}")))?;
    }
    writer
        .into_inner()
        .map_err(|error| AppError::Internal(format!("writing CSV: {error}")))
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return before one) starts with an apostrophe instead,
/// so that it shows as the text it is and runs nothing.
pub fn neutralised(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_other_cells_stay_as_they_are() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        for text in ["Parcel 42", "", "1-2", "a=b", "'quoted"] {
            assert_eq!(neutralised(text), text);
        }
    }

    #[test]
    fn cells_are_quoted_where_csv_needs_it() {
        let rows = [["plain", "with, comma", "with \"quote\"", "two\nlines"].map(Cow::Borrowed)];
        let written = String::from_utf8(csv_rows(&rows).unwrap()).unwrap();
        assert_eq!(
            written,
            "plain,\"with, comma\",\"with \"\"quote\"\"\",\"two\nlines\"\n"
        );
    }
}
