//! Lists of companies and users, searched, filtered, sorted and paged,
//! sized for thousands of each (the scale data of `seed-scale`). Callers check who may read
//! them: administrators (services/admin.rs), and staff finding a company to
//! filter their queue by (services/orders.rs).
//!
//! A page is one range of an index in the list's order, after the row the
//! cursor names. A search asks the trigram index (FTS5 on SQLite, pg_trgm
//! on PostgreSQL) which rows hold the text; when more than
//! [`SEARCH_CANDIDATES`] do, the matches are dense enough that walking the
//! list in its own order fills a page early.

use crate::model::{
    ADMIN_PAGE_SIZE, AdminUser, CompanyInfo, CompanyQuery, CompanySort, ListPage,
    MAX_ADMIN_PAGE_SIZE, NamedRef, UserQuery, UserSort,
};
use crate::server::db::{Db, Engine, flag};
use crate::server::error::{AppError, AppResult};
use crate::server::services::search;
use crate::server::sql::Sql;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Rows of a search fetched by id at most. Past that, at 10,000 users one
/// row in twenty matches, and a page of 25 is found within 500 rows.
const SEARCH_CANDIDATES: usize = 500;

const COMPANY_COLUMNS: &str =
    "SELECT c.id, c.name, c.has_account, c.enable_cancel_order FROM companies c";

/// A user as administrators see them. The company's name is read for the
/// rows returned only: as a join, PostgreSQL read every company to sort a
/// search's matches.
pub const USER_COLUMNS: &str = "SELECT u.id, u.email, u.name, u.group_code, u.company_id, \
    (SELECT c.name FROM companies c WHERE c.id = u.company_id) AS company_name, u.disabled \
    FROM users u";

pub fn user_from_row(row: &AnyRow) -> AppResult<AdminUser> {
    let group: String = row.try_get("group_code")?;
    Ok(AdminUser {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        group: group.parse().map_err(AppError::Internal)?,
        company: match row.try_get::<Option<i64>, _>("company_id")? {
            Some(id) => Some(NamedRef {
                id,
                name: row.try_get("company_name")?,
            }),
            None => None,
        },
        disabled: flag(row.try_get("disabled")?),
    })
}

pub fn company_from_row(row: &AnyRow) -> AppResult<CompanyInfo> {
    Ok(CompanyInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        has_account: flag(row.try_get("has_account")?),
        enable_cancel_order: flag(row.try_get("enable_cancel_order")?),
    })
}

/// The two administration lists.
#[derive(Debug, Clone, Copy)]
enum Listed {
    Companies,
    Users,
}

impl Listed {
    fn table(self) -> &'static str {
        match self {
            Listed::Companies => "companies c",
            Listed::Users => "users u",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Listed::Companies => "c.id",
            Listed::Users => "u.id",
        }
    }

    /// The trigram index of SQLite (an FTS5 table over the listed table).
    fn fts_table(self) -> &'static str {
        match self {
            Listed::Companies => "companies_search",
            Listed::Users => "users_search",
        }
    }

    /// What a search matches (lower-cased), each indexed by pg_trgm on
    /// PostgreSQL.
    fn searched(self) -> &'static [&'static str] {
        match self {
            Listed::Companies => &["LOWER(c.name)"],
            Listed::Users => &["LOWER(u.email)", "LOWER(u.name)"],
        }
    }
}

/// Which rows a list's search text keeps.
enum TextMatch {
    Any,
    /// Every row holding the text: few enough to fetch by id.
    Ids(Vec<i64>),
    /// Too many rows hold the text to fetch them first.
    Common(String),
}

impl TextMatch {
    async fn of(db: &Db, listed: Listed, q: Option<&str>) -> AppResult<TextMatch> {
        let Some(text) = search::search_text(q)? else {
            return Ok(TextMatch::Any);
        };
        let mut sql;
        match Engine::of_pool(db) {
            // The index alone: joined to its table, SQLite would read every
            // match before the limit.
            Engine::Sqlite => {
                sql = Sql::new("SELECT rowid AS id FROM ");
                sql.push(listed.fts_table())
                    .push(" WHERE ")
                    .push(listed.fts_table())
                    .push(" MATCH ")
                    .bind_text(search::fts_phrase(&text));
            }
            Engine::Postgres => {
                sql = Sql::new("SELECT ");
                sql.push(listed.id())
                    .push(" AS id FROM ")
                    .push(listed.table())
                    .push(" WHERE 1 = 1");
                push_like(&mut sql, listed, &text);
            }
        }
        sql.push(&format!(" LIMIT {}", SEARCH_CANDIDATES + 1));
        let ids = sql
            .query()
            .persistent(false)
            .fetch_all(db)
            .await?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(if ids.len() > SEARCH_CANDIDATES {
            TextMatch::Common(text)
        } else {
            TextMatch::Ids(ids)
        })
    }

    fn push(&self, sql: &mut Sql, listed: Listed) {
        match self {
            TextMatch::Any => {}
            TextMatch::Ids(ids) if ids.is_empty() => {
                sql.push(" AND 1 = 0");
            }
            // Ids the database gave: written out, nothing to bind.
            TextMatch::Ids(ids) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                sql.push(" AND ")
                    .push(listed.id())
                    .push(" IN (")
                    .push(&ids.join(", "))
                    .push(")");
            }
            // Checked on each row as the list is walked in its order:
            // asking the index would read every match first.
            TextMatch::Common(text) => push_like(sql, listed, text),
        }
    }

    fn searches(&self) -> bool {
        !matches!(self, TextMatch::Any)
    }

    fn by_ids(&self) -> bool {
        matches!(self, TextMatch::Ids(_))
    }
}

/// ` AND <the row holds text>`, checked on the row itself: the form
/// pg_trgm's indexes answer, and the check of a list walked for a common
/// text. SQLite's `LOWER` folds ASCII letters only (its trigram index folds
/// every letter), so there a common text tells accented capitals apart.
fn push_like(sql: &mut Sql, listed: Listed, text: &str) {
    search::push_like(sql, listed.searched(), text);
}

/// How a list is ordered: by `column`, ties broken by id.
struct Order {
    column: &'static str,
    /// Text (or else a number).
    text: bool,
    descending: bool,
}

impl Order {
    /// ` AND (column, id) > (key, id)` for the rows after the one `cursor`
    /// names (its id), whose sort key is read first.
    async fn push_after(
        &self,
        db: &Db,
        sql: &mut Sql,
        listed: Listed,
        cursor: &str,
    ) -> AppResult<()> {
        let invalid = || AppError::BadRequest("The cursor is not valid.".to_owned());
        let id: i64 = cursor.parse().map_err(|_| invalid())?;
        let row = sqlx::query(&format!(
            "SELECT {} AS sort_key FROM {} WHERE {} = $1",
            self.column,
            listed.table(),
            listed.id()
        ))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(invalid)?;
        sql.push(" AND (")
            .push(self.column)
            .push(", ")
            .push(listed.id())
            .push(if self.descending { ") < (" } else { ") > (" });
        if self.text {
            sql.bind_text(row.try_get::<String, _>("sort_key")?);
        } else {
            sql.bind_int(row.try_get("sort_key")?);
        }
        sql.push(", ").bind_int(id).push(")");
        Ok(())
    }

    /// ` ORDER BY … LIMIT`. When a search names the rows by id, they are
    /// fetched by id and sorted: sorted by the same column with a no-op
    /// added, for PostgreSQL's planner would otherwise walk the column's
    /// index and test each row against the ids (most of the table).
    fn push_order_by(&self, sql: &mut Sql, listed: Listed, limit: u32, by_ids: bool) {
        let direction = if self.descending { " DESC" } else { "" };
        let no_op = match (by_ids, self.text) {
            (false, _) => "",
            (true, true) => " || ''",
            (true, false) => " + 0",
        };
        sql.push(" ORDER BY ")
            .push(self.column)
            .push(no_op)
            .push(direction)
            .push(", ")
            .push(listed.id())
            .push(direction)
            // Written out, as the order lists do: a bound limit can lead
            // SQLite's planner away from the sorted index.
            .push(&format!(" LIMIT {}", limit + 1));
    }
}

fn page_size(limit: Option<u32>) -> AppResult<u32> {
    let limit = limit.unwrap_or(ADMIN_PAGE_SIZE);
    if (1..=MAX_ADMIN_PAGE_SIZE).contains(&limit) {
        Ok(limit)
    } else {
        Err(AppError::BadRequest(format!(
            "limit must be between 1 and {MAX_ADMIN_PAGE_SIZE}."
        )))
    }
}

/// Runs a page query, fetching one row more than `limit` to know whether
/// another page follows.
async fn fetch_page<T>(
    db: &Db,
    sql: &Sql,
    searches: bool,
    limit: u32,
    item: impl Fn(&AnyRow) -> AppResult<T>,
    id: impl Fn(&T) -> i64,
) -> AppResult<ListPage<T>> {
    // A search's statement is planned for its own text and ids.
    let rows = sql.query().persistent(!searches).fetch_all(db).await?;
    let mut items = rows.iter().map(item).collect::<AppResult<Vec<T>>>()?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|last| id(last).to_string())
    } else {
        None
    };
    Ok(ListPage { items, next_cursor })
}

/// One page of companies.
pub async fn companies(db: &Db, query: &CompanyQuery) -> AppResult<ListPage<CompanyInfo>> {
    let limit = page_size(query.limit)?;
    let listed = Listed::Companies;
    let text = TextMatch::of(db, listed, query.q.as_deref()).await?;
    let mut sql = Sql::new(COMPANY_COLUMNS);
    sql.push(" WHERE 1 = 1");
    if let Some(has_account) = query.has_account {
        sql.push(" AND c.has_account = ")
            .bind_int(i64::from(has_account));
    }
    if let Some(enabled) = query.enable_cancel_order {
        sql.push(" AND c.enable_cancel_order = ")
            .bind_int(i64::from(enabled));
    }
    text.push(&mut sql, listed);
    let order = match query.sort {
        CompanySort::Name => Order {
            column: "c.name",
            text: true,
            descending: false,
        },
        CompanySort::Newest => Order {
            column: "c.created_at",
            text: false,
            descending: true,
        },
    };
    if let Some(cursor) = &query.cursor {
        order.push_after(db, &mut sql, listed, cursor).await?;
    }
    order.push_order_by(&mut sql, listed, limit, text.by_ids());
    fetch_page(
        db,
        &sql,
        text.searches(),
        limit,
        company_from_row,
        |company| company.id,
    )
    .await
}

/// One page of users.
pub async fn users(db: &Db, query: &UserQuery) -> AppResult<ListPage<AdminUser>> {
    let limit = page_size(query.limit)?;
    let listed = Listed::Users;
    let text = TextMatch::of(db, listed, query.q.as_deref()).await?;
    let mut sql = Sql::new(USER_COLUMNS);
    sql.push(" WHERE 1 = 1");
    if let Some(group) = query.group {
        sql.push(" AND u.group_code = ").bind_text(group.as_str());
    }
    if let Some(company_id) = query.company_id {
        sql.push(" AND u.company_id = ").bind_int(company_id);
    }
    if let Some(disabled) = query.disabled {
        sql.push(" AND u.disabled = ").bind_int(i64::from(disabled));
    }
    text.push(&mut sql, listed);
    let order = match query.sort {
        UserSort::Email => Order {
            column: "u.email",
            text: true,
            descending: false,
        },
        UserSort::Name => Order {
            column: "u.name",
            text: true,
            descending: false,
        },
        UserSort::Newest => Order {
            column: "u.created_at",
            text: false,
            descending: true,
        },
    };
    if let Some(cursor) = &query.cursor {
        order.push_after(db, &mut sql, listed, cursor).await?;
    }
    order.push_order_by(&mut sql, listed, limit, text.by_ids());
    fetch_page(db, &sql, text.searches(), limit, user_from_row, |user| {
        user.id
    })
    .await
}

/// One company; `NotFound` for an id no company has.
pub async fn company(db: &Db, company_id: i64) -> AppResult<CompanyInfo> {
    let row = sqlx::query(&format!("{COMPANY_COLUMNS} WHERE c.id = $1"))
        .bind(company_id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    company_from_row(&row)
}

/// How many users a company has (read from its index range).
pub async fn user_count(db: &Db, company_id: i64) -> AppResult<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM users WHERE company_id = $1")
            .bind(company_id)
            .fetch_one(db)
            .await?
            .try_get("n")?,
    )
}
