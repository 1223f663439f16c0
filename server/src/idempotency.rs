//! The `Idempotency-Key` header on POST requests of signed-in users: a
//! repeat with the same key and request replays the first answer; the same
//! key with another request is refused (422).
//!
//! A request is told from another by its fingerprint, which covers its
//! body, so the body is read before the route runs. Small bodies are held
//! in memory; larger ones (uploads) go to an unnamed temporary file, so that
//! a keyed upload costs memory like any other.

use app::api::UploadAttachments;
use app::server::db::{ClaimedKey, under_claim};
use app::server::error::AppError;
use app::server::services::attachments;
use app::server::services::idempotency::{self, Claim, Fingerprint, IdempotencyKey, SavedResponse};
use app::server::session::{remember_user, user_from_headers};
use app::server::state::AppState;
use app::server::upload_form::max_body_bytes;
use app::upload_body::order_in_query;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures_util::StreamExt;
use leptos::server_fn::ServerFn;
use std::io::SeekFrom;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Marks an answer sent again from the key's record.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The largest answer kept for replay; action answers are small JSON.
const MAX_SAVED_RESPONSE_BYTES: usize = 1024 * 1024;

/// Bodies up to this size are held in memory, larger ones in a file.
const IN_MEMORY_BODY_BYTES: usize = 64 * 1024;

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
    let path = request.uri().path().to_owned();
    let refuse = |error: AppError| error.answer_for(&path);
    let key = match IdempotencyKey::parse(raw_key.as_bytes()) {
        Ok(key) => key,
        Err(error) => return refuse(error),
    };
    let user = match user_from_headers(&state, request.headers()).await {
        Ok(Some(user)) => user,
        Ok(None) => return next.run(request).await,
        Err(error) => return refuse(error),
    };

    let (mut parts, body) = request.into_parts();
    // An upload is refused before its body is read, here as on its route.
    if let Some(order_id) = upload_order(&parts)
        && let Err(error) = attachments::may_upload(&state.db, &user, order_id).await
    {
        return refuse(error);
    }
    let held = hold(&state, &parts, body).await;
    let (request_hash, body) = match held {
        Ok(held) => held,
        Err(error) => return refuse(error),
    };

    match idempotency::claim(&state.db, user.id, &key, &request_hash).await {
        Ok(Claim::Replay(saved)) => replay(saved),
        Ok(Claim::Fresh(claim)) => {
            remember_user(&mut parts.extensions, user);
            let request = Request::from_parts(parts, body);
            let response = under_claim(claim.clone(), next.run(request)).await;
            remember(&state, &claim, response, refuse).await
        }
        Err(error) => refuse(error),
    }
}

/// The order an upload is for, when the request is one: the JSON route's
/// `/ordering/api/orders/{id}/attachments` or the server function's
/// `/api/upload-attachments?order={id}`.
fn upload_order(parts: &Parts) -> Option<i64> {
    let path = parts.uri.path();
    if let Some(id) = path
        .strip_prefix("/ordering/api/orders/")
        .and_then(|rest| rest.strip_suffix("/attachments"))
    {
        // An id that does not parse names no order: the route says 404.
        return Some(id.parse().unwrap_or(0));
    }
    if path == UploadAttachments::PATH {
        return Some(order_in_query(parts.uri.query()).unwrap_or(0));
    }
    None
}

/// The most of a body read here: an upload's for multipart bodies, else
/// the most any other route takes. The routes' own limits still apply.
fn body_limit(state: &AppState, parts: &Parts) -> u64 {
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    if multipart {
        max_body_bytes(state.settings.max_upload_bytes)
    } else {
        crate::text_input::MAX_TEXT_BODY_BYTES as u64
    }
}

/// Reads the body (at most `body_limit` bytes) into its fingerprint, and
/// hands back the fingerprint and the body to read again: from memory when
/// it is small, else from an unnamed temporary file beside the stored files
/// (on disk, where `/tmp` may be memory), which goes when it is closed.
async fn hold(state: &AppState, parts: &Parts, body: Body) -> Result<(String, Body), AppError> {
    let limit = body_limit(state, parts);
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
    let mut fingerprint = Fingerprint::new(&[
        parts.method.as_str().as_bytes(),
        target.as_bytes(),
        content_type,
    ]);
    let mut in_memory = BytesMut::new();
    let mut spool: Option<tokio::fs::File> = None;
    let mut read: u64 = 0;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|_| AppError::BadRequest("The request body could not be read.".to_owned()))?;
        read += chunk.len() as u64;
        if read > limit {
            return Err(AppError::PayloadTooLarge);
        }
        fingerprint.update(&chunk);
        if spool.is_none() && in_memory.len() + chunk.len() > IN_MEMORY_BODY_BYTES {
            let scratch = state.storage.scratch_dir().to_path_buf();
            let file = tokio::task::spawn_blocking(move || tempfile::tempfile_in(scratch))
                .await
                .map_err(|error| AppError::Internal(format!("spooling a body: {error}")))?
                .map_err(spool_failed)?;
            let mut file = tokio::fs::File::from_std(file);
            // Tokio copies each write into a buffer of its own, by default
            // of up to 2 MiB.
            file.set_max_buf_size(IN_MEMORY_BODY_BYTES);
            file.write_all(&in_memory).await.map_err(spool_failed)?;
            in_memory = BytesMut::new();
            spool = Some(file);
        }
        match spool.as_mut() {
            Some(file) => file.write_all(&chunk).await.map_err(spool_failed)?,
            None => in_memory.extend_from_slice(&chunk),
        }
    }
    let body = match spool {
        None => Body::from(Bytes::from(in_memory)),
        Some(mut file) => {
            file.flush().await.map_err(spool_failed)?;
            file.seek(SeekFrom::Start(0)).await.map_err(spool_failed)?;
            Body::from_stream(ReaderStream::with_capacity(file, IN_MEMORY_BODY_BYTES))
        }
    };
    Ok((fingerprint.finish(), body))
}

fn spool_failed(error: std::io::Error) -> AppError {
    AppError::Internal(format!("spooling a body: {error}"))
}

/// Saves the answer for replay, or frees the key when the request failed on
/// our side and may be tried again.
async fn remember(
    state: &AppState,
    claim: &ClaimedKey,
    response: Response,
    refuse: impl Fn(AppError) -> Response,
) -> Response {
    if response.status().is_server_error() {
        forget(state, claim, refuse).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            forget(state, claim, &refuse).await;
            return refuse(AppError::Internal(format!("reading an answer: {error}")));
        }
    };
    if bytes.len() <= MAX_SAVED_RESPONSE_BYTES {
        keep_answer(state, claim, parts.status, &parts.headers, &bytes).await;
    } else {
        forget(state, claim, refuse).await;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// For an answer not kept: frees the key when nothing changed, so that the
/// client may try again; when the change committed, a retry must not make
/// it again, and learns so at once.
async fn forget(state: &AppState, claim: &ClaimedKey, refuse: impl Fn(AppError) -> Response) {
    match idempotency::release(&state.db, claim).await {
        Ok(true) => {}
        Ok(false) => {
            let (parts, body) = refuse(AppError::AnswerLost).into_parts();
            if let Ok(bytes) = to_bytes(body, MAX_SAVED_RESPONSE_BYTES).await {
                keep_answer(state, claim, parts.status, &parts.headers, &bytes).await;
            }
        }
        Err(error) => tracing::warn!(%error, "could not release an idempotency key"),
    }
}

/// Saves an answer as the key's answer.
async fn keep_answer(
    state: &AppState,
    claim: &ClaimedKey,
    status: StatusCode,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) {
    let saved = SavedResponse {
        status: status.as_u16(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    if let Err(error) = idempotency::save(&state.db, claim, &saved).await {
        tracing::warn!(%error, "could not save an idempotent answer");
    }
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
