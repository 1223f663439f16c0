//! The `Idempotency-Key` header on POST requests of signed-in users: a
//! repeat with the same key and request replays the first answer; the same
//! key with another request is refused (422).

use app::server::db::{ClaimedKey, under_claim};
use app::server::error::AppError;
use app::server::services::idempotency::{self, Claim, IdempotencyKey, SavedResponse};
use app::server::session::{remember_user, user_from_headers};
use app::server::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Marks an answer sent again from the key's record.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The largest answer kept for replay; action answers are small JSON.
const MAX_SAVED_RESPONSE_BYTES: usize = 1024 * 1024;

/// Middleware: see the module documentation. Requests without the header,
/// other methods and anonymous callers pass through untouched.
pub async fn idempotent_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw_key) = request.headers().get(&IDEMPOTENCY_KEY) else {
        return next.run(request).await;
    };
    let key = match IdempotencyKey::parse(raw_key.as_bytes()) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let user = match user_from_headers(&state, request.headers()).await {
        Ok(Some(user)) => user,
        Ok(None) => return next.run(request).await,
        Err(error) => return error.into_response(),
    };

    let (mut parts, body) = request.into_parts();
    // Uploads are the largest bodies; the route's own limit still applies.
    let limit = usize::try_from(state.settings.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let Ok(bytes) = to_bytes(body, limit).await else {
        return AppError::PayloadTooLarge.into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    let target = parts
        .uri
        .path_and_query()
        .map(|target| target.as_str())
        .unwrap_or_default();
    let request_hash = idempotency::fingerprint(&[
        parts.method.as_str().as_bytes(),
        target.as_bytes(),
        content_type,
        &bytes,
    ]);

    match idempotency::claim(&state.db, user.id, &key, &request_hash).await {
        Ok(Claim::Replay(saved)) => replay(saved),
        Ok(Claim::Fresh(claim)) => {
            remember_user(&mut parts.extensions, user);
            let request = Request::from_parts(parts, Body::from(bytes));
            let response = under_claim(claim.clone(), next.run(request)).await;
            remember(&state, &claim, response).await
        }
        Err(error) => error.into_response(),
    }
}

/// Saves the answer for replay, or frees the key when the request failed on
/// our side and may be tried again.
async fn remember(state: &AppState, claim: &ClaimedKey, response: Response) -> Response {
    if response.status().is_server_error() {
        if let Err(error) = idempotency::release(&state.db, claim).await {
            tracing::warn!(%error, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) if bytes.len() <= MAX_SAVED_RESPONSE_BYTES => bytes,
        Ok(bytes) => {
            let _ = idempotency::release(&state.db, claim).await;
            return Response::from_parts(parts, Body::from(bytes));
        }
        Err(error) => {
            let _ = idempotency::release(&state.db, claim).await;
            return AppError::Internal(format!("reading an answer: {error}")).into_response();
        }
    };
    let saved = SavedResponse {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(error) = idempotency::save(&state.db, claim, &saved).await {
        tracing::warn!(%error, "could not save an idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(saved: SavedResponse) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let mut response = (status, saved.body).into_response();
    let headers = response.headers_mut();
    match saved
        .content_type
        .as_deref()
        .and_then(|value| HeaderValue::from_str(value).ok())
    {
        Some(content_type) => headers.insert(header::CONTENT_TYPE, content_type),
        None => headers.remove(header::CONTENT_TYPE),
    };
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
