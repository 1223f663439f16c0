//! The JSON API: each area's router in its own module, merged here. The
//! specification's action routes keep their own paths (`/order/{id}/cancel`).

mod actions;
mod admin;
mod attachments;
mod auth;
mod notifications;
mod orders;

use app::server::error::AppError;
use app::server::state::AppState;
use axum::Router;

/// Every JSON route, under `/ordering/api`; unknown API paths answer 404 JSON.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(actions::router())
        .merge(attachments::file_router())
        .nest(
            "/ordering/api",
            Router::new()
                .merge(auth::router())
                .merge(admin::router())
                .merge(orders::router())
                .merge(notifications::router())
                .merge(attachments::upload_router())
                .fallback(|| async { AppError::NotFound }),
        )
}
