//! Administration of companies and users (FTS administrators only; for
//! everyone else these routes do not exist).

use super::table::Routes;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use app::model::{
    AdminUser, CompanyInfo, CompanyOverview, CompanyQuery, ListPage, ProductDocuments, UserQuery,
};
use app::server::auth::CurrentUser;
use app::server::error::{AppResult, ErrorBody};
use app::server::services::admin::{self, CompanyChange, NewCompany, NewUser, UserChange};
use app::server::services::checklists::{self, DocumentList};
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .get("/admin/companies", list_companies)
        .post("/admin/companies", create_company)
        .get("/admin/companies/{id}", company)
        .patch("/admin/companies/{id}", update_company)
        .get("/admin/users", list_users)
        .post("/admin/users", create_user)
        .patch("/admin/users/{id}", update_user)
        .get("/admin/products", list_products)
        .patch("/admin/products/{id}", update_product)
}

/// `GET /ordering/api/admin/products`: every product with the documents a
/// hold of it usually asks for (FTS administrators, and staff choosing
/// what a hold asks for).
#[utoipa::path(get, path = "/ordering/api/admin/products", tag = "admin",
    responses((status = 200, description = "Every product and its documents", body = Vec<ProductDocuments>), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS staff)", body = ErrorBody)))]
pub async fn list_products(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<ProductDocuments>>> {
    Ok(Json(checklists::products(&state.db, &user).await?))
}

/// A product's new list of documents.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductChange {
    /// At most 20 names, each 1 to 200 characters; replaces the list.
    #[schema(max_items = 20)]
    documents: Vec<String>,
}

/// `PATCH /ordering/api/admin/products/{id}` `{documents}`: replaces the
/// documents listed for the product.
#[utoipa::path(patch, path = "/ordering/api/admin/products/{id}", tag = "admin", params(("id" = i64, Path, description = "The product's id")),
    request_body = ProductChange,
    responses((status = 200, description = "The product as it is now", body = ProductDocuments), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn update_product(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<ProductChange>,
) -> AppResult<Json<ProductDocuments>> {
    let documents = DocumentList::parse(&change.documents)?;
    Ok(Json(
        checklists::set_product_documents(&state.db, &user, id, &documents).await?,
    ))
}

/// `GET /ordering/api/admin/companies?q=&has_account=&enable_cancel_order=&sort=&cursor=&limit=`:
/// one page, `{items, next_cursor}`.
#[utoipa::path(get, path = "/ordering/api/admin/companies", tag = "admin", params(CompanyQuery),
    responses((status = 200, description = "One page of companies", body = ListPage<CompanyInfo>), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn list_companies(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<CompanyQuery>,
) -> AppResult<Json<ListPage<CompanyInfo>>> {
    Ok(Json(admin::list_companies(&state.db, &user, &query).await?))
}

/// `GET /ordering/api/admin/companies/{id}`: the company, `user_count` and
/// `order_counts` per view.
#[utoipa::path(get, path = "/ordering/api/admin/companies/{id}", tag = "admin", params(("id" = i64, Path, description = "The company's id")),
    responses((status = 200, description = "The company, its user count and its orders per view", body = CompanyOverview), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn company(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CompanyOverview>> {
    Ok(Json(admin::company_overview(&state.db, &user, id).await?))
}

/// `POST /ordering/api/admin/companies` `{name, has_account?, enable_cancel_order?}`.
#[utoipa::path(post, path = "/ordering/api/admin/companies", tag = "admin", request_body = NewCompany,
    responses((status = 201, description = "The company, created", body = CompanyInfo), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn create_company(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewCompany>,
) -> AppResult<(StatusCode, Json<CompanyInfo>)> {
    Ok((
        StatusCode::CREATED,
        Json(admin::create_company(&state.db, &user, &new).await?),
    ))
}

/// `PATCH /ordering/api/admin/companies/{id}` `{name?, has_account?, enable_cancel_order?}`.
#[utoipa::path(patch, path = "/ordering/api/admin/companies/{id}", tag = "admin", params(("id" = i64, Path, description = "The company's id")),
    request_body = CompanyChange,
    responses((status = 200, description = "The company as it is now", body = CompanyInfo), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn update_company(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<CompanyChange>,
) -> AppResult<Json<CompanyInfo>> {
    Ok(Json(
        admin::update_company(&state.db, &user, id, &change).await?,
    ))
}

/// `GET /ordering/api/admin/users?q=&group=&company_id=&disabled=&sort=&cursor=&limit=`:
/// one page, `{items, next_cursor}`.
#[utoipa::path(get, path = "/ordering/api/admin/users", tag = "admin", params(UserQuery),
    responses((status = 200, description = "One page of users", body = ListPage<AdminUser>), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> AppResult<Json<ListPage<AdminUser>>> {
    Ok(Json(admin::list_users(&state.db, &user, &query).await?))
}

/// `POST /ordering/api/admin/users` `{email, name, password, group, company_id?}`.
#[utoipa::path(post, path = "/ordering/api/admin/users", tag = "admin", request_body = NewUser,
    responses((status = 201, description = "The user, created", body = AdminUser), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<AdminUser>)> {
    Ok((
        StatusCode::CREATED,
        Json(admin::create_user(&state.db, &user, &new).await?),
    ))
}

/// `PATCH /ordering/api/admin/users/{id}` `{group?, disabled?}`; disabling
/// ends the user's sessions at once.
#[utoipa::path(patch, path = "/ordering/api/admin/users/{id}", tag = "admin", params(("id" = i64, Path, description = "The user's id")),
    request_body = UserChange,
    responses((status = 200, description = "The user as they are now", body = AdminUser), (status = 404, description = "`not_found`: not for this caller (these routes exist only for FTS administrators), or no such record", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<UserChange>,
) -> AppResult<Json<AdminUser>> {
    Ok(Json(
        admin::update_user(&state.db, &user, id, &change).await?,
    ))
}
