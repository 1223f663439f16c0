//! Administration by FTS administrators: companies and users.

use crate::model::{AdminUser, CompanyInfo, CompanyOverview, CompanyQuery, ListPage, UserQuery};
use crate::rules::{Group, Permission};
use crate::server::auth::{CurrentUser, MAX_PASSWORD_BYTES, hash_password};
use crate::server::db::{self, Db, now_ms};
use crate::server::error::{AppError, AppResult};
use crate::server::services::directory::{self, USER_COLUMNS, company_from_row, user_from_row};
use crate::server::services::orders;
use crate::server::sql::Sql;
use serde::Deserialize;
use sqlx::Row;

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 8;

fn require(user: &CurrentUser, permission: Permission) -> AppResult<()> {
    if user.can(permission) {
        Ok(())
    } else {
        // Administration does not exist for everyone else.
        Err(AppError::NotFound)
    }
}

/// One page of companies, searched, filtered and sorted as `query` says.
pub async fn list_companies(
    db: &Db,
    user: &CurrentUser,
    query: &CompanyQuery,
) -> AppResult<ListPage<CompanyInfo>> {
    require(user, Permission::AdminCompanies)?;
    directory::companies(db, query).await
}

/// One page of users, searched, filtered and sorted as `query` says.
pub async fn list_users(
    db: &Db,
    user: &CurrentUser,
    query: &UserQuery,
) -> AppResult<ListPage<AdminUser>> {
    require(user, Permission::AdminUsers)?;
    directory::users(db, query).await
}

/// A company's page: its flags, how many users it has and its orders per
/// view (from the counters, whatever its number of orders).
pub async fn company_overview(
    db: &Db,
    user: &CurrentUser,
    company_id: i64,
) -> AppResult<CompanyOverview> {
    require(user, Permission::AdminCompanies)?;
    Ok(CompanyOverview {
        company: directory::company(db, company_id).await?,
        user_count: directory::user_count(db, company_id).await?,
        order_counts: orders::counts_of_scope(db, "company", company_id).await?,
    })
}

/// A company's name: trimmed, 1–200 characters.
fn company_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Unprocessable(
            "A company name has 1 to 200 characters.".to_owned(),
        ));
    }
    Ok(name.to_owned())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCompany {
    pub name: String,
    #[serde(default)]
    pub has_account: bool,
    #[serde(default = "yes")]
    pub enable_cancel_order: bool,
}

fn yes() -> bool {
    true
}

pub async fn create_company(
    db: &Db,
    user: &CurrentUser,
    new: &NewCompany,
) -> AppResult<CompanyInfo> {
    require(user, Permission::AdminCompanies)?;
    let name = company_name(&new.name)?;
    let mut tx = db::begin_write(db).await?;
    ensure_name_free(&mut tx, &name, None).await?;
    let row = sqlx::query(
        "INSERT INTO companies (name, has_account, enable_cancel_order, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, name, has_account, enable_cancel_order",
    )
    .bind(&name)
    .bind(i64::from(new.has_account))
    .bind(i64::from(new.enable_cancel_order))
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    company_from_row(&row)
}

/// Company names are unique; `except` is the company being renamed.
async fn ensure_name_free(tx: &mut db::Tx, name: &str, except: Option<i64>) -> AppResult<()> {
    let taken = sqlx::query("SELECT id FROM companies WHERE name = $1 AND id <> $2")
        .bind(name)
        .bind(except.unwrap_or(0))
        .fetch_optional(&mut **tx)
        .await?;
    match taken {
        Some(_) => Err(AppError::Conflict(format!(
            "A company named {name} exists."
        ))),
        None => Ok(()),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyChange {
    pub name: Option<String>,
    pub has_account: Option<bool>,
    pub enable_cancel_order: Option<bool>,
}

pub async fn update_company(
    db: &Db,
    user: &CurrentUser,
    company_id: i64,
    change: &CompanyChange,
) -> AppResult<CompanyInfo> {
    require(user, Permission::AdminCompanies)?;
    let mut sql = Sql::new("UPDATE companies SET id = id");
    if let Some(name) = &change.name {
        sql.push(", name = ").bind_text(company_name(name)?);
    }
    if let Some(has_account) = change.has_account {
        sql.push(", has_account = ")
            .bind_int(i64::from(has_account));
    }
    if let Some(enabled) = change.enable_cancel_order {
        sql.push(", enable_cancel_order = ")
            .bind_int(i64::from(enabled));
    }
    sql.push(" WHERE id = ")
        .bind_int(company_id)
        .push(" RETURNING id, name, has_account, enable_cancel_order");
    let mut tx = db::begin_write(db).await?;
    if let Some(name) = &change.name {
        ensure_name_free(&mut tx, name.trim(), Some(company_id)).await?;
    }
    let row = sql
        .query()
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    company_from_row(&row)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub group: Group,
    pub company_id: Option<i64>,
}

/// Checks a new password: at least 8 characters; long passphrases welcome,
/// never truncated.
pub fn check_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Unprocessable(format!(
            "A password has at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::Unprocessable(format!(
            "A password has at most {MAX_PASSWORD_BYTES} bytes."
        )));
    }
    Ok(())
}

/// Customers belong to a company; staff to none.
fn check_membership(group: Group, company_id: Option<i64>) -> AppResult<()> {
    match (group.is_staff(), company_id) {
        (true, Some(_)) => Err(AppError::Unprocessable(
            "FTS staff belong to no company.".to_owned(),
        )),
        (false, None) => Err(AppError::Unprocessable(
            "A customer belongs to a company.".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// Creates a user as an administrator.
pub async fn create_user(db: &Db, user: &CurrentUser, new: &NewUser) -> AppResult<AdminUser> {
    require(user, Permission::AdminUsers)?;
    insert_user(db, new).await
}

/// Creates a user; also the command line's way to the first administrator.
pub async fn insert_user(db: &Db, new: &NewUser) -> AppResult<AdminUser> {
    let email = new.email.trim().to_lowercase();
    let valid_email = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
    if !valid_email {
        return Err(AppError::Unprocessable(
            "Enter a valid e-mail address.".to_owned(),
        ));
    }
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Unprocessable(
            "A name has 1 to 200 characters.".to_owned(),
        ));
    }
    check_password(&new.password)?;
    check_membership(new.group, new.company_id)?;
    let hash = hash_password(&new.password).await?;
    let mut tx = db::begin_write(db).await?;
    if let Some(company_id) = new.company_id {
        sqlx::query("SELECT id FROM companies WHERE id = $1")
            .bind(company_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::Unprocessable("That company does not exist.".to_owned()))?;
    }
    let taken = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(format!(
            "{email} already has an account."
        )));
    }
    let row = sqlx::query(
        "INSERT INTO users (email, name, password_hash, group_code, company_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&email)
    .bind(name)
    .bind(hash)
    .bind(new.group.as_str())
    .bind(new.company_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let row = sqlx::query(&format!("{USER_COLUMNS} WHERE u.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    user_from_row(&row)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub group: Option<Group>,
    pub disabled: Option<bool>,
    /// A new password, for a user who forgot theirs.
    pub password: Option<String>,
}

/// Changes a user's group, disables them or sets a new password. A disabled
/// user's sessions end at once, and so do those of a user whose password an
/// administrator replaced (except the administrator's own).
pub async fn update_user(
    db: &Db,
    user: &CurrentUser,
    user_id: i64,
    change: &UserChange,
) -> AppResult<AdminUser> {
    require(user, Permission::AdminUsers)?;
    if user_id == user.id && (change.disabled == Some(true) || change.group.is_some()) {
        return Err(AppError::Unprocessable(
            "Administrators cannot disable themselves or change their own group.".to_owned(),
        ));
    }
    // Hashing is slow: done before the write transaction starts.
    let password_hash = match &change.password {
        Some(password) => {
            check_password(password)?;
            Some(hash_password(password).await?)
        }
        None => None,
    };
    let mut tx = db::begin_write(db).await?;
    let row = sqlx::query(&format!("{USER_COLUMNS} WHERE u.id = $1"))
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = user_from_row(&row)?;
    if let Some(password_hash) = password_hash {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if user_id != user.id {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    if let Some(group) = change.group {
        check_membership(group, current.company.as_ref().map(|company| company.id))?;
        sqlx::query("UPDATE users SET group_code = $1 WHERE id = $2")
            .bind(group.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(disabled) = change.disabled {
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let row = sqlx::query(&format!("{USER_COLUMNS} WHERE u.id = $1"))
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    user_from_row(&row)
}

/// The id of the company with this exact name.
pub async fn company_id_by_name(db: &Db, name: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query("SELECT id FROM companies WHERE name = $1")
        .bind(name.trim())
        .fetch_optional(db)
        .await?
        .map(|row| row.try_get("id"))
        .transpose()?)
}
