//! Text that a database engine cannot store is refused at the door, the same
//! way on both engines and for every route: the path, the query string, JSON
//! bodies and form bodies (the pages' server functions). What counts as
//! storable is decided by `app::server::text`. Multipart bodies (uploads)
//! are streamed to their routes untouched: their only text is file names,
//! which lose every control character, and the upload's kind, which must
//! name a known kind.

use app::server::error::AppError;
use app::server::text;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// The largest JSON or form body read here. Larger than any the portal
/// takes (notes of 10,000 characters, percent-encoded, fit), so that the
/// routes' own limits still decide what they accept.
pub const MAX_TEXT_BODY_BYTES: usize = 256 * 1024;

enum TextBody {
    Json,
    UrlEncoded,
    /// JSON when it parses as JSON, URL-encoded text otherwise.
    Either,
}

/// How the body of `request` is read as text, if at all. Server functions
/// decode their bodies with their own codec whatever the content type
/// says, so every body sent to one but an upload is read both ways.
fn text_body(request: &Request, server_fn: bool) -> Option<TextBody> {
    let media_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|media_type| media_type.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media_type.starts_with("multipart/") {
        None
    } else if server_fn {
        Some(TextBody::Either)
    } else if media_type == "application/json" || media_type.ends_with("+json") {
        Some(TextBody::Json)
    } else if media_type == "application/x-www-form-urlencoded" {
        Some(TextBody::UrlEncoded)
    } else {
        None
    }
}

/// Answers 400 `invalid_text` when the request carries NUL anywhere a route
/// could read it as text.
pub async fn refuse_unstorable_text(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let path = request.uri().path().to_owned();
    let refuse = |error: AppError| error.answer_for(&path);
    let uri = request.uri();
    if text::url_encoded_has_nul(uri.path().as_bytes())
        || uri
            .query()
            .is_some_and(|query| text::url_encoded_has_nul(query.as_bytes()))
    {
        return refuse(AppError::InvalidText);
    }
    let Some(kind) = text_body(&request, server_fn) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TEXT_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let too_large = error.into_inner().is::<http_body_util::LengthLimitError>();
            return refuse(if too_large {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("The request body could not be read.".to_owned())
            });
        }
    };
    if holds_nul(kind, &bytes) {
        return refuse(AppError::InvalidText);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn holds_nul(kind: TextBody, bytes: &Bytes) -> bool {
    let json = || serde_json::from_slice::<serde_json::Value>(bytes);
    match kind {
        TextBody::UrlEncoded => text::url_encoded_has_nul(bytes),
        // A body that is not JSON is left to the route, which says why.
        TextBody::Json => json().is_ok_and(|value| text::json_has_nul(&value)),
        TextBody::Either => match json() {
            Ok(value) => text::json_has_nul(&value),
            Err(_) => text::url_encoded_has_nul(bytes),
        },
    }
}
