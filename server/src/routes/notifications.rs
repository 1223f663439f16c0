//! The signed-in user's notifications.

use super::table::Routes;
use crate::extract::ApiPath;
use app::model::Notifications;
use app::server::auth::CurrentUser;
use app::server::error::AppResult;
use app::server::services::notifications;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub fn router() -> Routes {
    Routes::new()
        .get("/notifications", list)
        .post("/notifications/{id}/read", mark_read)
}

/// `GET /ordering/api/notifications`: the newest 50 and the unread count.
#[utoipa::path(get, path = "/ordering/api/notifications", tag = "notifications",
    responses((status = 200, description = "The newest 50 and the unread count", body = Notifications)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Notifications>> {
    Ok(Json(notifications::list(&state.db, &user).await?))
}

/// `POST /ordering/api/notifications/{id}/read`: marks one read (204); other
/// users' notifications do not exist (404).
#[utoipa::path(post, path = "/ordering/api/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "The notification's id")),
    responses((status = 204, description = "Marked read")))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    notifications::mark_read(&state.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
