//! The staff dashboard's figures.

use super::table::Routes;
use app::model::Stats;
use app::server::auth::CurrentUser;
use app::server::error::{AppResult, ErrorBody};
use app::server::services::stats;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;

pub fn router() -> Routes {
    Routes::new().get("/stats", overview)
}

/// `GET /ordering/api/stats`: orders by status, open orders by age, the
/// last twelve weeks, holds by reason and turnaround per product, for
/// staff who see every order; 404 for anyone else.
#[utoipa::path(get, path = "/ordering/api/stats", tag = "stats",
    responses((status = 200, description = "The state of the business at a glance", body = Stats),
        (status = 404, description = "`not_found`: the caller does not see every company's orders", body = ErrorBody)))]
pub async fn overview(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Stats>> {
    Ok(Json(
        state.read_lane.run(stats::stats(&state.db, &user)).await?,
    ))
}
