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

pub fn router() -> Routes {
    Routes::new()
        .get("/healthz", healthz)
        .get("/readyz", readyz)
}

/// `GET /healthz`: the process answers (200 `{"status": "ok"}`).
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: 200 `{"status": "ok"}` when the database and the file
/// store answer and the server is not shutting down; otherwise 503
/// `{"status": "unavailable"}`, so that a load balancer sends the
/// requests elsewhere.
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
