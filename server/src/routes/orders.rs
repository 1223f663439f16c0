//! Reading orders over JSON.

use crate::extract::{ApiPath, ApiQuery};
use app::model::{Counts, OrderDetail, OrderPage, OrderQuery};
use app::server::auth::CurrentUser;
use app::server::error::AppResult;
use app::server::services::orders;
use app::server::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/counts", get(counts))
        .route("/orders/{id}", get(detail))
}

/// `GET /ordering/api/orders?view=&status=&q=&cursor=&limit=`: one page of
/// the orders the caller may see, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> AppResult<Json<OrderPage>> {
    Ok(Json(orders::list(&state.db, &user, &query).await?))
}

/// `GET /ordering/api/orders/counts`: the badge count of every view.
pub async fn counts(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Counts>> {
    Ok(Json(orders::counts(&state.db, &user).await?))
}

/// `GET /ordering/api/orders/{id}`: one order with notes, attachments and
/// timeline; 404 for ids the caller may not see, exactly as for unknown ids.
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<OrderDetail>> {
    Ok(Json(orders::detail(&state.db, &user, id).await?))
}
