//! Metrics for operators (the registry and its counting: `crate::metrics`).

use super::table::Routes;
use crate::metrics::Metrics;
use app::server::error::AppError;
use app::server::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::prometheus_text;

pub fn router() -> Routes {
    Routes::new().get("/metrics", metrics)
}

/// `GET /metrics`: this instance's metrics in the Prometheus text format
/// (0.0.4), for `Authorization: Bearer <METRICS_TOKEN>`; 401 without it.
/// Without `METRICS_TOKEN`, 404: the metrics are not served.
pub async fn metrics(
    State(state): State<AppState>,
    Extension(metrics): Extension<Metrics>,
    headers: HeaderMap,
) -> Response {
    if !metrics.served() {
        return AppError::NotFound.into_response();
    }
    if !metrics.admits(&headers) {
        let mut refused = AppError::Unauthorized.into_response();
        refused.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return refused;
    }
    let text = metrics.scrape(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(prometheus_text::CONTENT_TYPE),
        )],
        text,
    )
        .into_response()
}
