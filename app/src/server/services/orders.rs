//! Reading orders: lists, badge counts and the detail page, always through
//! the caller's tenant scope.

use crate::model::{
    Attachment, AttachmentKind, Counts, Event, FilterOptions, MAX_SEARCH_CHARS, MIN_SEARCH_CHARS,
    NamedRef, Order, OrderDetail, OrderPage, OrderQuery, Refund, Sort,
};
use crate::rules::{self, Permission, Status, View, Visibility};
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, Engine, flag, rfc3339};
use crate::server::error::{AppError, AppResult};
use crate::server::services::notes;
use crate::server::sql::{Sql, count_scope};
use sqlx::Row;
use sqlx::any::AnyRow;

pub const DEFAULT_PAGE_SIZE: u32 = 25;
pub const MAX_PAGE_SIZE: u32 = 100;

const ORDER_COLUMNS: &str = "SELECT o.id, o.number, o.status, o.group_id, o.company_id, \
    c.name AS company_name, c.enable_cancel_order, c.has_account, o.placed_by, u.name AS placed_by_name, \
    p.name AS product, o.title, o.expected_date, o.hold_reason, o.paid_cents, \
    o.created_at, o.updated_at, r.kind AS refund_kind, r.amount_cents AS refund_cents, \
    r.state AS refund_state";

/// What an order's JSON needs besides the `orders o` row.
const ORDER_JOINS: &str = " JOIN companies c ON c.id = o.company_id \
    JOIN users u ON u.id = o.placed_by \
    JOIN products p ON p.id = o.product_id \
    LEFT JOIN refunds r ON r.order_id = o.id";

/// The position after the last order of a page: newest first, ties broken
/// by id. Sent to clients as `<created_at>.<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: i64,
}

impl std::str::FromStr for Cursor {
    type Err = AppError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || AppError::BadRequest("The cursor is not valid.".to_owned());
        let (created_at, id) = text.split_once('.').ok_or_else(invalid)?;
        Ok(Cursor {
            created_at: created_at.parse().map_err(|_| invalid())?,
            id: id.parse().map_err(|_| invalid())?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.created_at, self.id)
    }
}

/// One page of the orders `user` may see, filtered by view, status and text.
///
/// Sized for a million orders: without search, each listed status is read
/// from its own index range (tenant, status, date, id), at most one page of
/// it, and the ranges are merged; with search, the trigram index finds the
/// candidates. Either way no query reads a whole tenant or table.
pub async fn list(db: &Db, user: &CurrentUser, query: &OrderQuery) -> AppResult<OrderPage> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE_SIZE}."
        )));
    }
    let cursor: Option<Cursor> = query.cursor.as_deref().map(str::parse).transpose()?;
    let search = search_text(query.q.as_deref())?;
    let statuses = listed_statuses(query);
    if statuses.is_empty() {
        return Ok(OrderPage {
            orders: Vec::new(),
            next_cursor: None,
        });
    }
    let page = PageKeys {
        user,
        query,
        cursor,
        limit,
        engine: Engine::of_pool(db),
    };

    let mut sql = Sql::new(ORDER_COLUMNS);
    sql.push(" FROM (");
    match &search {
        None => {
            for (index, status) in statuses.iter().enumerate() {
                if index > 0 {
                    sql.push(" UNION ALL ");
                }
                sql.push("SELECT id FROM (");
                page.push_select(&mut sql, &[*status], None);
                sql.push(&format!(") AS status{index}"));
            }
        }
        Some(text) => page.push_select(&mut sql, &statuses, Some(text)),
    }
    sql.push(") AS page JOIN orders o ON o.id = page.id")
        .push(ORDER_JOINS);
    page.push_order_and_limit(&mut sql);

    let rows = sql.query().fetch_all(db).await?;
    let mut orders = rows
        .iter()
        .map(|row| order_from_row(row, user))
        .collect::<AppResult<Vec<_>>>()?;
    let next_cursor = if orders.len() > limit as usize {
        orders.truncate(limit as usize);
        let last = &rows[limit as usize - 1];
        Some(
            Cursor {
                created_at: last.try_get("created_at")?,
                id: last.try_get("id")?,
            }
            .to_string(),
        )
    } else {
        None
    };
    Ok(OrderPage {
        orders,
        next_cursor,
    })
}

/// The statuses a list shows: its view's, narrowed to one by the status
/// filter (nothing when the two disagree).
fn listed_statuses(query: &OrderQuery) -> Vec<Status> {
    let in_view = |status: &Status| query.view.is_none_or(|view| view.contains(*status));
    match query.status {
        Some(status) => Some(status).into_iter().filter(in_view).collect(),
        None => Status::ALL.into_iter().filter(in_view).collect(),
    }
}

/// The trimmed search text, if any: long enough for the trigram index to
/// answer, and not too long.
fn search_text(q: Option<&str>) -> AppResult<Option<String>> {
    let Some(text) = q.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    let length = text.chars().count();
    if length > MAX_SEARCH_CHARS {
        return Err(AppError::BadRequest(
            "The search text is too long.".to_owned(),
        ));
    }
    if length < MIN_SEARCH_CHARS {
        return Err(AppError::BadRequest(format!(
            "Type at least {MIN_SEARCH_CHARS} characters to search."
        )));
    }
    Ok(Some(text.to_owned()))
}

/// How the ids of one page are selected.
struct PageKeys<'a> {
    user: &'a CurrentUser,
    query: &'a OrderQuery,
    cursor: Option<Cursor>,
    limit: u32,
    engine: Engine,
}

impl PageKeys<'_> {
    /// `SELECT o.id ...`: the first `limit + 1` orders after the cursor with
    /// one of `statuses`, in the tenant scope and the filters.
    fn push_select(&self, sql: &mut Sql, statuses: &[Status], search: Option<&str>) {
        sql.push("SELECT o.id FROM ");
        sql.push(match (search, self.engine) {
            // The trigram index leads: SQLite would otherwise walk the
            // tenant's index and look each order up in the matches.
            (Some(_), Engine::Sqlite) => {
                "orders_search CROSS JOIN orders o ON o.id = orders_search.rowid"
            }
            _ => "orders o",
        });
        sql.push(" WHERE 1 = 1");
        sql.and_visible_to("o", self.user);
        sql.and_status_in("o.status", statuses);
        if let Some(company_id) = self.query.company_id {
            sql.push(" AND o.company_id = ").bind_int(company_id);
        }
        if let Some(product_id) = self.query.product_id {
            sql.push(" AND o.product_id = ").bind_int(product_id);
        }
        if let Some(text) = search {
            self.push_search(sql, text);
        }
        if let Some(cursor) = self.cursor {
            sql.push(&format!(" AND (o.created_at, o.id) {} (", self.before()))
                .bind_int(cursor.created_at)
                .push(", ")
                .bind_int(cursor.id)
                .push(")");
        }
        self.push_order_and_limit(sql);
    }

    /// A case-insensitive substring match of the number or the title, in
    /// the form each engine's trigram index answers.
    fn push_search(&self, sql: &mut Sql, text: &str) {
        match self.engine {
            // A phrase of the trigram tokenizer is a substring match; quotes
            // inside are doubled.
            Engine::Sqlite => sql
                .push(" AND orders_search MATCH ")
                .bind_text(format!("\"{}\"", text.replace('"', "\"\""))),
            Engine::Postgres => {
                let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
                sql.push(" AND (LOWER(o.number) LIKE ")
                    .bind_text(pattern.clone())
                    .push(" ESCAPE '\\' OR LOWER(o.title) LIKE ")
                    .bind_text(pattern)
                    .push(" ESCAPE '\\')")
            }
        };
    }

    fn push_order_and_limit(&self, sql: &mut Sql) {
        let direction = match self.query.sort {
            Sort::Newest => "DESC",
            Sort::Oldest => "ASC",
        };
        sql.push(&format!(
            " ORDER BY o.created_at {direction}, o.id {direction} LIMIT "
        ))
        .bind_int(i64::from(self.limit) + 1);
    }

    fn before(&self) -> &'static str {
        match self.query.sort {
            Sort::Newest => "<",
            Sort::Oldest => ">",
        }
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The sidebar badges of `user`, from the counters the database keeps per
/// scope and status (a few dozen rows, whatever the number of orders).
pub async fn counts(db: &Db, user: &CurrentUser) -> AppResult<Counts> {
    let mut counts = Counts::default();
    let Some((scope, scope_id)) = count_scope(user) else {
        return Ok(counts);
    };
    let rows = sqlx::query(
        "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM order_counts \
         WHERE scope = $1 AND scope_id = $2 GROUP BY status",
    )
    .bind(scope)
    .bind(scope_id)
    .fetch_all(db)
    .await?;
    for row in rows {
        let status: Status = parse_status(row.try_get("status")?)?;
        let n: i64 = row.try_get("n")?;
        for view in View::ALL.into_iter().filter(|view| view.contains(status)) {
            *counts.get_mut(view) += n;
        }
    }
    Ok(counts)
}

/// One order `user` may see; `NotFound` for any other id.
pub async fn get(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<Order> {
    let mut sql = Sql::new(ORDER_COLUMNS);
    sql.push(" FROM orders o")
        .push(ORDER_JOINS)
        .push(" WHERE o.id = ")
        .bind_int(order_id);
    sql.and_visible_to("o", user);
    let row = sql
        .query()
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    order_from_row(&row, user)
}

/// The order with its notes, documents and timeline, as `user` may see them.
pub async fn detail(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<OrderDetail> {
    let order = get(db, user, order_id).await?;
    let notes = notes::list_visible(db, user, order_id).await?;

    let attachments = sqlx::query(
        "SELECT a.id, a.filename, a.content_type, a.size, a.kind, a.uploaded_by, \
                u.name AS uploader_name, a.created_at \
         FROM attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.order_id = $1 ORDER BY a.created_at, a.id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|row| {
        let kind: String = row.try_get("kind")?;
        Ok(Attachment {
            id: row.try_get("id")?,
            filename: row.try_get("filename")?,
            content_type: row.try_get("content_type")?,
            size: row.try_get("size")?,
            kind: if kind == AttachmentKind::Report.as_str() {
                AttachmentKind::Report
            } else {
                AttachmentKind::Document
            },
            uploaded_by: named(row, "uploaded_by", "uploader_name")?,
            created_at: rfc3339(row.try_get("created_at")?),
        })
    })
    .collect::<AppResult<Vec<_>>>()?;

    let events = sqlx::query(
        "SELECT e.id, e.kind, e.actor_id, u.name AS actor_name, e.from_status, e.to_status, \
                e.reason, e.created_at \
         FROM order_events e JOIN users u ON u.id = e.actor_id \
         WHERE e.order_id = $1 ORDER BY e.created_at, e.id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|row| {
        let kind: String = row.try_get("kind")?;
        Ok(Event {
            id: row.try_get("id")?,
            kind: kind.parse().map_err(AppError::Internal)?,
            actor: named(row, "actor_id", "actor_name")?,
            from_status: optional_status(row.try_get("from_status")?)?,
            to_status: optional_status(row.try_get("to_status")?)?,
            reason: row.try_get("reason")?,
            created_at: rfc3339(row.try_get("created_at")?),
        })
    })
    .collect::<AppResult<Vec<_>>>()?;

    Ok(OrderDetail {
        order,
        notes,
        attachments,
        events,
    })
}

fn parse_status(text: String) -> AppResult<Status> {
    text.parse()
        .map_err(|error: rules::UnknownStatus| AppError::Internal(error.to_string()))
}

fn optional_status(text: Option<String>) -> AppResult<Option<Status>> {
    text.map(parse_status).transpose()
}

fn named(row: &AnyRow, id: &str, name: &str) -> AppResult<NamedRef> {
    Ok(NamedRef {
        id: row.try_get(id)?,
        name: row.try_get(name)?,
    })
}

fn order_from_row(row: &AnyRow, user: &CurrentUser) -> AppResult<Order> {
    let status = parse_status(row.try_get("status")?)?;
    let cancel_enabled = flag(row.try_get("enable_cancel_order")?);
    let allowed_transitions = if user.can(Permission::OrdersTransition) {
        rules::staff_targets(status)
    } else {
        Vec::new()
    };
    Ok(Order {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        status,
        status_label: status.label().to_owned(),
        group_id: row.try_get("group_id")?,
        company: named(row, "company_id", "company_name")?,
        placed_by: named(row, "placed_by", "placed_by_name")?,
        product: row.try_get("product")?,
        title: row.try_get("title")?,
        expected_date: row.try_get("expected_date")?,
        hold_reason: row.try_get("hold_reason")?,
        paid_cents: row.try_get("paid_cents")?,
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
        allowed_actions: rules::allowed_actions(user.actor(), status, cancel_enabled),
        allowed_transitions,
        refund_if_cancelled: rules::refund_on_cancel(
            row.try_get("paid_cents")?,
            flag(row.try_get("has_account")?),
        ),
        refund: match row.try_get::<Option<String>, _>("refund_kind")? {
            Some(kind) => Some(Refund {
                kind: kind.parse().map_err(AppError::Internal)?,
                amount_cents: row.try_get("refund_cents")?,
                state: row.try_get("refund_state")?,
            }),
            None => None,
        },
    })
}

/// The companies (for users who see several) and products to filter by.
pub async fn filter_options(db: &Db, user: &CurrentUser) -> AppResult<FilterOptions> {
    let named = |rows: Vec<AnyRow>| {
        rows.iter()
            .map(|row| named(row, "id", "name"))
            .collect::<AppResult<Vec<_>>>()
    };
    let companies = if user.visibility() == Visibility::All {
        named(
            sqlx::query("SELECT id, name FROM companies ORDER BY name")
                .fetch_all(db)
                .await?,
        )?
    } else {
        Vec::new()
    };
    let products = named(
        sqlx::query("SELECT id, name FROM products ORDER BY name")
            .fetch_all(db)
            .await?,
    )?;
    Ok(FilterOptions {
        companies,
        products,
    })
}
