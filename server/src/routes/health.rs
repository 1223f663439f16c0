//! Health checks for load balancers and orchestrators.

use super::table::Routes;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// How long `/readyz` waits for the database.
const DATABASE_PATIENCE: Duration = Duration::from_secs(2);

/// The answer of both checks.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Health {
    /// `ok` or `unavailable`.
    status: String,
}

pub fn router() -> Routes {
    Routes::new()
        .get("/healthz", healthz)
        .get("/readyz", readyz)
}

/// `GET /healthz`: the process answers (200 `{"status": "ok"}`).
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, description = "The process answers", body = Health)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: 200 `{"status": "ok"}` when the database and the file
/// store answer and the server is not shutting down; otherwise 503
/// `{"status": "unavailable"}`, so that a load balancer sends the
/// requests elsewhere.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Not ready: `{\"status\": \"unavailable\"}`", body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = async {
        matches!(
            tokio::time::timeout(
                DATABASE_PATIENCE,
                sqlx::query("SELECT 1").execute(&state.db)
            )
            .await,
            Ok(Ok(_))
        )
    };
    let stopping = *state.stopping.borrow();
    let ready = !stopping && database.await && state.storage.reachable().await;
    if ready {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable"})),
        )
    }
}
