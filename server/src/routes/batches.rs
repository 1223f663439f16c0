//! Kept batches and their results per order.

use super::table::Routes;
use crate::extract::{ApiPath, ApiQuery};
use app::model::{Batch, BatchDetail, ListPage};
use app::server::auth::CurrentUser;
use app::server::error::{AppResult, ErrorBody};
use app::server::services::batches;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .get("/batches", list)
        .get("/batches/{id}", detail)
}

/// Where a page of batches starts.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BatchQuery {
    /// `next_cursor` of the page before.
    cursor: Option<String>,
    /// Batches per page, 1 to 100 (25 unless given).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// `GET /ordering/api/batches?cursor=&limit=`: the batches the caller may
/// see, newest first: their own, their company's for customer
/// administrators, every batch for FTS staff.
#[utoipa::path(get, path = "/ordering/api/batches", tag = "batches", params(BatchQuery),
    responses((status = 200, description = "One page of batches", body = ListPage<Batch>)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<BatchQuery>,
) -> AppResult<Json<ListPage<Batch>>> {
    Ok(Json(
        batches::list(&state.db, &user, query.cursor.as_deref(), query.limit).await?,
    ))
}

/// `GET /ordering/api/batches/{id}`: one batch with its result per order,
/// in the order it named them; 404 for a batch the caller may not see.
#[utoipa::path(get, path = "/ordering/api/batches/{id}", tag = "batches", params(("id" = i64, Path, description = "The batch's id")),
    responses((status = 200, description = "The batch and its results", body = BatchDetail),
        (status = 404, description = "`not_found`: no such batch, or not the caller's", body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<BatchDetail>> {
    Ok(Json(batches::get(&state.db, &user, id).await?))
}
