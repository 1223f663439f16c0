//! While the database is unreachable, requests answer 503 at once instead
//! of each waiting for the pool's timeout: after a 503 the next requests
//! are turned away for a moment, then one is let through to try again.

use app::server::db::now_ms;
use app::server::error::{AppError, BUSY_HEADER};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// How long requests are turned away after the database was unreachable.
const PAUSE_MS: i64 = 2_000;

/// Until when requests are turned away (unix milliseconds).
#[derive(Clone, Debug, Default)]
pub struct OutageBreaker {
    refusing_until_ms: Arc<AtomicI64>,
}

/// Middleware: see the module documentation. The browser bundle needs no
/// database and is always served; the health checks answer for themselves.
pub async fn fail_fast_during_outage(
    State(breaker): State<OutageBreaker>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/pkg/") || path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    if breaker.refusing_until_ms.load(Ordering::Relaxed) > now_ms() {
        return AppError::Unavailable.into_response();
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(BUSY_HEADER)
    {
        breaker
            .refusing_until_ms
            .store(now_ms() + PAUSE_MS, Ordering::Relaxed);
    }
    response
}
