//! Reading orders: lists, badge counts and the detail page, always through
//! the caller's tenant scope.

use crate::model::{
    Attachment, AttachmentKind, CompanyQuery, Counts, Event, FilterOptions, NamedRef, Order,
    OrderDetail, OrderPage, OrderQuery, Refund, Sort,
};
use crate::rules::{self, Permission, Status, View, Visibility};
use crate::server::auth::CurrentUser;
use crate::server::db::{
    self, DAY_MS, Db, Engine, date_of_ms, flag, now_ms, rfc3339, stored_status,
};
use crate::server::error::{AppError, AppResult};
use crate::server::order_number;
use crate::server::services::{checklists, directory, downloads, history, search, sla};
use crate::server::sql::{Sql, count_scope};
use sqlx::Row;
use sqlx::any::AnyRow;

pub const DEFAULT_PAGE_SIZE: u32 = 25;
pub const MAX_PAGE_SIZE: u32 = 100;

const ORDER_COLUMNS: &str = "SELECT o.id, o.number, o.status, o.group_id, o.company_id, \
    c.name AS company_name, c.enable_cancel_order, c.has_account, o.placed_by, u.name AS placed_by_name, \
    p.name AS product, o.title, o.expected_date, o.hold_reason, o.paid_cents, \
    o.created_at, o.updated_at, r.kind AS refund_kind, r.amount_cents AS refund_cents, \
    r.state AS refund_state, \
    (SELECT COUNT(*) FROM checklist_items ci WHERE ci.order_id = o.id) AS checklist_size, ";

/// `SELECT` of everything an order's JSON needs, its clock included.
fn select_order_columns() -> Sql {
    let mut sql = Sql::new(ORDER_COLUMNS);
    sql.push(sla::CLOCK_COLUMNS);
    sql
}

/// What an order's JSON needs besides the `orders o` row.
const ORDER_JOINS: &str = " JOIN companies c ON c.id = o.company_id \
    JOIN users u ON u.id = o.placed_by \
    JOIN products p ON p.id = o.product_id \
    LEFT JOIN refunds r ON r.order_id = o.id";

/// The position after the last order of a page: its sort key (the time it
/// was placed, or its due day), ties broken by id. Sent to clients as
/// `<key>.<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

impl std::str::FromStr for Cursor {
    type Err = AppError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || AppError::BadRequest("The cursor is not valid.".to_owned());
        let (key, id) = text.split_once('.').ok_or_else(invalid)?;
        Ok(Cursor {
            key: key.parse().map_err(|_| invalid())?,
            id: id.parse().map_err(|_| invalid())?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.key, self.id)
    }
}

/// The column of `orders` a list is ordered by.
fn sort_column(sort: Sort) -> &'static str {
    match sort {
        Sort::Newest | Sort::Oldest => "created_at",
        Sort::Urgency => "sla_due_day",
    }
}

/// One page of the orders `user` may see, filtered by view, status and text.
///
/// Sized for a million orders: without search, each listed status is read
/// from its own index range (tenant, status, date, id), at most one page of
/// it, and the ranges are merged; with search, the trigram index finds the
/// candidates unless the next orders of the list hold a page of matches.
/// No query reads a whole tenant or table.
pub async fn list(db: &Db, user: &CurrentUser, query: &OrderQuery) -> AppResult<OrderPage> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE_SIZE}."
        )));
    }
    let cursor: Option<Cursor> = query.cursor.as_deref().map(str::parse).transpose()?;
    let search = search::search_text(query.q.as_deref())?;
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

    let mut sql = select_order_columns();
    sql.push(" FROM (");
    match &search {
        None => page.push_merged(&mut sql, &statuses, &TextFilter::None, limit + 1),
        Some(text) => {
            let ids = page.search(db, &statuses, text).await?;
            if ids.is_empty() {
                return Ok(OrderPage {
                    orders: Vec::new(),
                    next_cursor: None,
                });
            }
            sql.push("SELECT id FROM orders WHERE id IN (");
            for (index, id) in ids.into_iter().enumerate() {
                if index > 0 {
                    sql.push(", ");
                }
                sql.bind_int(id);
            }
            sql.push(")");
        }
    }
    sql.push(") AS page JOIN orders o ON o.id = page.id")
        .push(ORDER_JOINS);
    page.push_order_and_limit(&mut sql, "o.", limit + 1);

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
                key: last.try_get(sort_column(query.sort))?,
                id: last.try_get("id")?,
            }
            .to_string(),
        )
    } else {
        None
    };
    // Only orders waiting for the customer show theirs in a list.
    let mut waiting_with_items = Vec::new();
    for (row, order) in rows.iter().zip(&orders) {
        if order.status.needs_attention() && row.try_get::<i64, _>("checklist_size")? > 0 {
            waiting_with_items.push(order.id);
        }
    }
    checklists::fill(db, &mut orders, &waiting_with_items).await?;
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

/// What a list's search text asks of each order it selects.
enum TextFilter<'a> {
    None,
    /// Whether each order holds the text, selected as `hit`; none is left
    /// out.
    Mark(&'a str),
    /// Checked on every order, in list order.
    Scan(&'a str),
    /// Found through the trigram index, by these rare trigrams of the text
    /// or by the whole text.
    Index {
        text: &'a str,
        trigrams: Option<Vec<String>>,
    },
}

/// How a search finds its page.
enum SearchPlan {
    /// These orders are the page (and one more, when there is a next page).
    Found(Vec<i64>),
    /// Checking the listed orders in order, after these matches the look
    /// found (fewer than a page).
    Scan(Vec<Cursor>),
    Index(Option<Vec<String>>),
}

/// How the ids of one page are selected.
#[derive(Clone, Copy)]
struct PageKeys<'a> {
    user: &'a CurrentUser,
    query: &'a OrderQuery,
    cursor: Option<Cursor>,
    limit: u32,
    engine: Engine,
}

/// Orders a search looks through in list order before it asks the trigram
/// index, when the index would name more than [`INDEX_CANDIDATES`]: a text
/// that common fills its page from them.
const SEARCH_WINDOW: u32 = 500;
/// Orders the trigram index may name for a search before the next orders
/// of the list are looked through first.
const INDEX_CANDIDATES: i64 = 20_000;

impl PageKeys<'_> {
    /// `SELECT o.id, <sort column> AS sort_key ...`: the first `rows`
    /// orders after the cursor with one of `statuses`, in the tenant scope
    /// and the filters.
    fn push_select(&self, sql: &mut Sql, statuses: &[Status], text: &TextFilter, rows: u32) {
        self.push_unordered_select(sql, statuses, text);
        self.push_order_and_limit(sql, "o.", rows);
    }

    /// [`Self::push_select`] without its `ORDER BY … LIMIT`.
    fn push_unordered_select(&self, sql: &mut Sql, statuses: &[Status], text: &TextFilter) {
        let column = sort_column(self.query.sort);
        sql.push(&format!("SELECT o.id, o.{column} AS sort_key"));
        if let TextFilter::Mark(text) = text {
            sql.push(", ");
            push_holds(sql, self.engine, text);
            sql.push(" AS hit");
        }
        sql.push(" FROM ");
        sql.push(match (text, self.engine) {
            // The trigram index leads: SQLite would otherwise walk the
            // tenant's index and look each order up in the matches.
            (TextFilter::Index { .. }, Engine::Sqlite) => {
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
        match text {
            TextFilter::None | TextFilter::Mark(_) => {}
            TextFilter::Scan(text) => push_contains(sql, self.engine, text),
            TextFilter::Index { text, trigrams } => match (self.engine, trigrams) {
                // Asked for some trigrams, the index names the orders
                // holding them all, each checked for the whole text; asked
                // for the whole text, FTS5's phrase answers alone.
                (Engine::Sqlite, Some(trigrams)) => {
                    sql.push(" AND orders_search MATCH ")
                        .bind_text(search::fts_match(trigrams));
                    push_contains(sql, self.engine, text);
                }
                (Engine::Sqlite, None) => {
                    sql.push(" AND orders_search MATCH ")
                        .bind_text(search::fts_phrase(text));
                }
                (Engine::Postgres, trigrams) => {
                    push_indexed(sql, text, trigrams.as_deref());
                    push_contains(sql, self.engine, text);
                }
            },
        }
        if let Some(cursor) = self.cursor {
            sql.push(&format!(" AND (o.{column}, o.id) {} (", self.before()))
                .bind_int(cursor.key)
                .push(", ")
                .bind_int(cursor.id)
                .push(")");
        }
    }

    /// The first `rows` orders after the cursor with one of `statuses`:
    /// each status's own index range, at most `rows` deep, merged.
    fn push_merged(&self, sql: &mut Sql, statuses: &[Status], text: &TextFilter, rows: u32) {
        let columns = match text {
            TextFilter::Mark(_) => "SELECT id, sort_key, hit FROM (",
            _ => "SELECT id, sort_key FROM (",
        };
        sql.push(columns);
        for (index, status) in statuses.iter().enumerate() {
            if index > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push(columns);
            self.push_select(sql, &[*status], text, rows);
            sql.push(&format!(") AS status{index}"));
        }
        sql.push(") AS merged");
        self.push_order_and_limit(sql, "", rows);
    }

    /// The first `rows` orders holding `text`, checked in list order. On
    /// SQLite each status's range is a bare arm of one ordered `UNION
    /// ALL`, which SQLite merges as it reads and stops at the page (the
    /// statement has no joins: under a page's joins SQLite 3.46 read each
    /// range whole, see docs/decisions.md); with its own limit each range
    /// would find a page of matches first, eleven pages for the staff
    /// queue. PostgreSQL sorts bare arms whole, and merges limited ones
    /// lazily.
    fn push_scan(&self, sql: &mut Sql, statuses: &[Status], text: &str, rows: u32) {
        let filter = TextFilter::Scan(text);
        if self.engine == Engine::Postgres {
            return self.push_merged(sql, statuses, &filter, rows);
        }
        for (index, status) in statuses.iter().enumerate() {
            if index > 0 {
                sql.push(" UNION ALL ");
            }
            self.push_unordered_select(sql, &[*status], &filter);
        }
        self.push_order_and_limit(sql, "", rows);
    }

    /// The ids of a search's page (and of one more order when there is a
    /// next page). Found apart from the page's columns and joins:
    /// PostgreSQL plans a search through the index for its own text each
    /// time (the generic plan of a prepared statement, made for no text in
    /// particular, walks the whole tenant), and planning the joins with it
    /// took twice as long as running the search. A check in list order
    /// walks the status ranges whatever the text, so one plan serves every
    /// text: planned each time, it took 2.5 ms to plan and 3.2 ms to run.
    ///
    /// The check goes on after the last match the look found, so the
    /// orders before it are not checked twice, and it looks only for the
    /// rest of the page.
    async fn search(&self, db: &Db, statuses: &[Status], text: &str) -> AppResult<Vec<i64>> {
        let mut sql = Sql::new("");
        let mut ids = Vec::new();
        let prepared = match self.search_plan(db, statuses, text).await? {
            SearchPlan::Found(ids) => return Ok(ids),
            SearchPlan::Scan(seen) => {
                let resumed = PageKeys {
                    cursor: seen.last().copied().or(self.cursor),
                    ..*self
                };
                let rest = self.limit + 1 - seen.len() as u32;
                resumed.push_scan(&mut sql, statuses, text, rest);
                ids.extend(seen.iter().map(|seen| seen.id));
                true
            }
            SearchPlan::Index(trigrams) => {
                let filter = TextFilter::Index { text, trigrams };
                self.push_select(&mut sql, statuses, &filter, self.limit + 1);
                self.engine == Engine::Sqlite
            }
        };
        for row in sql.query().persistent(prepared).fetch_all(db).await? {
            ids.push(row.try_get::<i64, _>("id")?);
        }
        Ok(ids)
    }

    /// How a search finds its page. The next orders of the list are
    /// looked through first when the text is common; then the cheaper of
    /// checking the listed orders in order and asking the trigram index
    /// wins, by the counts both keep and the matches the look found.
    async fn search_plan(&self, db: &Db, statuses: &[Status], text: &str) -> AppResult<SearchPlan> {
        let rare = search::rare_trigrams(db, text).await?;
        let common = rare
            .as_ref()
            .is_none_or(|rare| rare.candidates > INDEX_CANDIDATES);
        // The list's size, and the matches the look saw when it looked.
        let (listed, seen) = if common {
            let matches = self.recent_matches(db, statuses, text).await?;
            let ids = || matches.iter().map(|found| found.id).collect();
            if matches.len() > self.limit as usize {
                return Ok(SearchPlan::Found(ids()));
            }
            // Fewer matches than a page answer only when the look went
            // through the whole list.
            let listed = self.listed_count(db, statuses).await?;
            if listed < i64::from(SEARCH_WINDOW) {
                return Ok(SearchPlan::Found(ids()));
            }
            (listed, Some(matches))
        } else {
            (self.listed_count(db, statuses).await?, None)
        };
        let checked = orders_to_check(
            listed,
            seen.as_ref().map(Vec::len),
            statuses.len(),
            self.limit,
        );
        Ok(match rare {
            Some(rare) if checked <= rare.candidates => SearchPlan::Scan(seen.unwrap_or_default()),
            Some(rare) => SearchPlan::Index(Some(rare.trigrams)),
            None => SearchPlan::Index(None),
        })
    }

    /// How many orders the list holds without its search, from the badge
    /// counters (an upper bound with a product filter).
    async fn listed_count(&self, db: &Db, statuses: &[Status]) -> AppResult<i64> {
        let scope = match self.query.company_id {
            Some(company_id) => Some(("company", company_id)),
            None => count_scope(self.user),
        };
        let Some((scope, scope_id)) = scope else {
            return Ok(0);
        };
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM order_counts WHERE scope = ",
        );
        sql.bind_text(scope)
            .push(" AND scope_id = ")
            .bind_int(scope_id);
        sql.and_status_in("status", statuses);
        Ok(sql.query().fetch_one(db).await?.try_get("n")?)
    }

    /// The matches among the next [`SEARCH_WINDOW`] orders of the list, a
    /// page and one more at most, with their places in the list: the page
    /// of a search when there are that many, or when the list holds no
    /// more orders than were looked through.
    ///
    /// Only the matches come back, and the look stops at the page's last:
    /// handing all 500 rows over to be checked here cost more than the
    /// database's look itself, and counting the orders looked through
    /// (a window function over all of them) cost PostgreSQL a quarter of
    /// it. The badge counters say instead whether the list is that short.
    /// PostgreSQL checks each order as its status's range reads it:
    /// joining the 500 to `orders` again to check them read each one's row
    /// twice (2,044 buffers instead of 310, half the speed). SQLite reads
    /// the window from the status indexes alone and checks the 500 after:
    /// checking in the ranges made its searches two to three times slower.
    async fn recent_matches(
        &self,
        db: &Db,
        statuses: &[Status],
        text: &str,
    ) -> AppResult<Vec<Cursor>> {
        let mut sql = Sql::new("SELECT recent.id, recent.sort_key FROM (");
        match self.engine {
            Engine::Postgres => {
                self.push_merged(&mut sql, statuses, &TextFilter::Mark(text), SEARCH_WINDOW);
                sql.push(") AS recent WHERE hit");
            }
            Engine::Sqlite => {
                self.push_merged(&mut sql, statuses, &TextFilter::None, SEARCH_WINDOW);
                sql.push(") AS recent JOIN orders o ON o.id = recent.id WHERE 1 = 1");
                push_contains(&mut sql, self.engine, text);
            }
        }
        // In the window's order, so that the database reads along it and
        // stops at the page's last match.
        self.push_order_and_limit(&mut sql, "recent.", self.limit + 1);
        let mut matches = Vec::new();
        for row in sql.query().fetch_all(db).await? {
            matches.push(Cursor {
                key: row.try_get("sort_key")?,
                id: row.try_get("id")?,
            });
        }
        Ok(matches)
    }

    /// ` ORDER BY … LIMIT rows`, of the orders table as `"o."`, or of a
    /// selection of `id` and `sort_key` as `alias` (`""` when it is the
    /// only one).
    fn push_order_and_limit(&self, sql: &mut Sql, alias: &str, rows: u32) {
        let direction = if self.descending() { "DESC" } else { "ASC" };
        let key = if alias == "o." {
            sort_column(self.query.sort)
        } else {
            "sort_key"
        };
        // The limit is written out, not bound: knowing it, SQLite's planner
        // reads the page first and joins the rest to it, instead of
        // joining everything and looking for the page's rows in it.
        sql.push(&format!(
            " ORDER BY {alias}{key} {direction}, {alias}id {direction} LIMIT {rows}"
        ));
    }

    fn descending(&self) -> bool {
        self.query.sort == Sort::Newest
    }

    fn before(&self) -> &'static str {
        if self.descending() { "<" } else { ">" }
    }
}

/// About how many of `listed` orders a search checks in list order to
/// fill a page: all of them, unless the look through the next
/// [`SEARCH_WINDOW`] found `seen` matches (fewer than a page). At that
/// rate each status's range finds its page's worth after a few thousand
/// orders where the trigram index would name a hundred thousand: "oak
/// street" is in one staff title in forty, and the index took 1.3 s to
/// name what checking finds in 3 ms.
fn orders_to_check(listed: i64, seen: Option<usize>, ranges: usize, limit: u32) -> i64 {
    match seen {
        Some(seen) if seen > 0 => {
            let per_range = i64::from(limit + 1) * i64::from(SEARCH_WINDOW) / seen as i64;
            listed.min(per_range.saturating_mul(ranges as i64))
        }
        _ => listed,
    }
}

/// The columns a search checks for its text: the title, and the number
/// when some order number could hold the text. Checking "parcel 4242"
/// against numbers too would only cost time.
fn searched_columns(text: &str) -> &'static [&'static str] {
    if order_number::could_hold(text) {
        &["LOWER(o.number)", "LOWER(o.title)"]
    } else {
        &["LOWER(o.title)"]
    }
}

/// What PostgreSQL's trigram indexes hold of [`searched_columns`]: the
/// number as it is, the title with its spaces joined.
fn indexed_columns(text: &str) -> &'static [&'static str] {
    if order_number::could_hold(text) {
        &["LOWER(o.number)", search::POSTGRES_INDEXED_TITLE]
    } else {
        &[search::POSTGRES_INDEXED_TITLE]
    }
}

/// ` AND <PostgreSQL's trigram indexes may name the order>`: a searched
/// column holds every one of `trigrams` (of letters and digits only,
/// nothing to escape), or, asked for none, the whole text. The indexes
/// answer it; the check of each order they name follows.
fn push_indexed(sql: &mut Sql, text: &str, trigrams: Option<&[String]>) {
    let patterns = match trigrams {
        Some(trigrams) => trigrams
            .iter()
            .map(|trigram| format!("%{trigram}%"))
            .collect(),
        None => vec![search::postgres_pattern(text)],
    };
    for (index, column) in indexed_columns(text).iter().enumerate() {
        sql.push(if index == 0 { " AND ((" } else { ") OR (" });
        for (position, pattern) in patterns.iter().enumerate() {
            if position > 0 {
                sql.push(" AND ");
            }
            sql.push(column)
                .push(" LIKE ")
                .bind_text(pattern.clone())
                .push(" ESCAPE '\\'");
        }
    }
    sql.push("))");
}

/// ` AND <a searched column contains text>`, case-insensitively: the
/// check of each order the list or an index condition brings. On
/// PostgreSQL as `strpos`, whose match the planner estimates at a third
/// of the orders: it takes a `LIKE '%…%'` for a rare match and then sorts
/// a status's every order instead of walking its index to the page ('oak
/// street' checked in list order: 132 ms instead of a few).
fn push_contains(sql: &mut Sql, engine: Engine, text: &str) {
    sql.push(" AND ");
    push_holds(sql, engine, text);
}

/// `(<a searched column contains text> OR …)`, as [`push_contains`] asks it.
fn push_holds(sql: &mut Sql, engine: Engine, text: &str) {
    if engine == Engine::Sqlite {
        return search::push_like_match(sql, searched_columns(text), text);
    }
    let folded = text.to_lowercase();
    for (index, column) in searched_columns(text).iter().enumerate() {
        sql.push(if index == 0 {
            "(strpos("
        } else {
            " OR strpos("
        })
        .push(column)
        .push(", ")
        .bind_text(folded.clone())
        .push(") > 0");
    }
    sql.push(")");
}

/// The sidebar badges of `user`, from the counters the database keeps per
/// scope and status (a few dozen rows, whatever the number of orders).
pub async fn counts(db: &Db, user: &CurrentUser) -> AppResult<Counts> {
    match count_scope(user) {
        Some((scope, scope_id)) => counts_of_scope(db, scope, scope_id).await,
        None => Ok(Counts::default()),
    }
}

/// The orders per view of one row set of `order_counts`: everything
/// (`"all"`), a company or a placer.
pub async fn counts_of_scope(db: &Db, scope: &str, scope_id: i64) -> AppResult<Counts> {
    let mut counts = Counts::default();
    let rows = sqlx::query(
        "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM order_counts \
         WHERE scope = $1 AND scope_id = $2 GROUP BY status",
    )
    .bind(scope)
    .bind(scope_id)
    .fetch_all(db)
    .await?;
    for row in rows {
        let status: Status = stored_status(row.try_get("status")?)?;
        let n: i64 = row.try_get("n")?;
        for view in View::ALL.into_iter().filter(|view| view.contains(status)) {
            *counts.get_mut(view) += n;
        }
    }
    Ok(counts)
}

/// Within a write transaction: holds the order to `expected`, the status
/// an action was allowed in, until the transaction ends, or refuses the
/// action in the status the order has moved to meanwhile.
pub async fn keep_status(tx: &mut db::Tx, order_id: i64, expected: Status) -> AppResult<()> {
    let sql = format!("SELECT status FROM orders WHERE id = $1{}", tx.lock_rows());
    let status: String = sqlx::query(&sql)
        .bind(order_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("status")?;
    if status == expected.as_str() {
        return Ok(());
    }
    Err(AppError::InvalidStatus(stored_status(status)?))
}

/// One order `user` may see; `NotFound` for any other id.
pub async fn get(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<Order> {
    let mut sql = select_order_columns();
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
    let mut order = [order_from_row(&row, user)?];
    if row.try_get::<i64, _>("checklist_size")? > 0 {
        checklists::fill(db, &mut order, &[order_id]).await?;
    }
    let [order] = order;
    Ok(order)
}

/// The order with its notes, documents and timeline, as `user` may see them.
pub async fn detail(db: &Db, user: &CurrentUser, order_id: i64) -> AppResult<OrderDetail> {
    let order = get(db, user, order_id).await?;
    let notes = history::notes_of(db, user, order_id).await?;

    let mut sql = Sql::new(
        "SELECT a.id, a.filename, a.content_type, a.size, a.kind, a.uploaded_by, \
                u.name AS uploader_name, a.created_at, ",
    );
    downloads::push_first_download(&mut sql, "a", user);
    sql.push(
        " AS first_download FROM attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.order_id = ",
    )
    .bind_int(order_id)
    .push(" ORDER BY a.created_at, a.id");
    let mut attachments = sql
        .query()
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
                downloads: Vec::new(),
                download_count: 0,
                first_downloaded_at: row
                    .try_get::<Option<i64>, _>("first_download")?
                    .map(rfc3339),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    downloads::fill_for_staff(db, user, &mut attachments).await?;

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

fn optional_status(text: Option<String>) -> AppResult<Option<Status>> {
    text.map(stored_status).transpose()
}

fn named(row: &AnyRow, id: &str, name: &str) -> AppResult<NamedRef> {
    Ok(NamedRef {
        id: row.try_get(id)?,
        name: row.try_get(name)?,
    })
}

fn order_from_row(row: &AnyRow, user: &CurrentUser) -> AppResult<Order> {
    let status = stored_status(row.try_get("status")?)?;
    let created_at: i64 = row.try_get("created_at")?;
    let now = now_ms();
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
        created_at: rfc3339(created_at),
        age_days: (now - created_at).div_euclid(DAY_MS).max(0),
        updated_at: rfc3339(row.try_get("updated_at")?),
        allowed_actions: rules::allowed_actions(user.actor(), status, cancel_enabled),
        allowed_transitions,
        sla: sla::clock_from_row(row)?.read(status, date_of_ms(now)),
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
        checklist: Vec::new(),
    })
}

/// The products to filter by.
pub async fn filter_options(
    db: &Db,
    user: &CurrentUser,
    company_id: Option<i64>,
) -> AppResult<FilterOptions> {
    let products = sqlx::query("SELECT id, name FROM products ORDER BY name")
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| named(row, "id", "name"))
        .collect::<AppResult<Vec<_>>>()?;
    let company = match company_id {
        Some(id) if user.visibility() == Visibility::All => {
            sqlx::query("SELECT id, name FROM companies WHERE id = $1")
                .bind(id)
                .fetch_optional(db)
                .await?
                .map(|row| named(&row, "id", "name"))
                .transpose()?
        }
        _ => None,
    };
    Ok(FilterOptions { products, company })
}

/// Companies offered while staff type a name to filter their queue by.
const COMPANY_CHOICES: u32 = 10;

/// Up to ten companies whose name holds `q`, by name, for users who see
/// every company's orders; the filter does not exist for anyone else.
pub async fn company_choices(db: &Db, user: &CurrentUser, q: &str) -> AppResult<Vec<NamedRef>> {
    if user.visibility() != Visibility::All {
        return Err(AppError::NotFound);
    }
    let query = CompanyQuery {
        q: Some(q.to_owned()),
        limit: Some(COMPANY_CHOICES),
        ..CompanyQuery::default()
    };
    Ok(directory::companies(db, &query)
        .await?
        .items
        .into_iter()
        .map(|company| NamedRef {
            id: company.id,
            name: company.name,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_checks_every_listed_order_unless_the_look_saw_how_common_its_text_is() {
        assert_eq!(orders_to_check(1_000_000, None, 11, 25), 1_000_000);
        assert_eq!(orders_to_check(1_000_000, Some(0), 11, 25), 1_000_000);
        // 12 matches in 500: a page's 26 within about 1,083 orders of each
        // of 11 ranges.
        assert_eq!(orders_to_check(1_000_000, Some(12), 11, 25), 11_913);
        assert_eq!(orders_to_check(5_000, Some(12), 11, 25), 5_000);
    }

    #[test]
    fn text_no_order_number_could_hold_is_looked_for_in_titles_only() {
        assert_eq!(searched_columns("parcel 4242"), ["LOWER(o.title)"]);
        assert_eq!(
            indexed_columns("parcel 4242"),
            [search::POSTGRES_INDEXED_TITLE]
        );
        assert_eq!(
            searched_columns("ORD-10"),
            ["LOWER(o.number)", "LOWER(o.title)"]
        );
    }
}
