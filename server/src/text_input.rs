//! Text that a database engine cannot store is refused at the door, the same
//! way on both engines and for every route: the path, the query string, JSON
//! bodies and form bodies (the pages' server functions). What counts as
//! storable is decided by `app::server::text`. Multipart bodies are streamed
//! to their routes, whose part readers apply the same rule.

use app::server::error::AppError;
use app::server::text;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest JSON or form body read here. Larger than any the portal
/// takes (notes of 10,000 characters, percent-encoded, fit), so that the
/// routes' own limits still decide what they accept.
pub const MAX_TEXT_BODY_BYTES: usize = 256 * 1024;

enum TextBody {
    Json,
    UrlEncoded,
}

fn text_body(request: &Request) -> Option<TextBody> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    if content_type == "application/json" || content_type.ends_with("+json") {
        Some(TextBody::Json)
    } else if content_type == "application/x-www-form-urlencoded" {
        Some(TextBody::UrlEncoded)
    } else {
        None
    }
}

/// Answers 400 `invalid_text` when the request carries NUL anywhere a route
/// could read it as text.
pub async fn refuse_unstorable_text(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let refuse = |error: AppError| {
        if server_fn {
            error.into_server_fn_response()
        } else {
            error.into_response()
        }
    };
    let uri = request.uri();
    if text::url_encoded_has_nul(uri.path().as_bytes())
        || uri
            .query()
            .is_some_and(|query| text::url_encoded_has_nul(query.as_bytes()))
    {
        return refuse(AppError::InvalidText);
    }
    let Some(kind) = text_body(&request) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TEXT_BODY_BYTES).await else {
        return refuse(AppError::PayloadTooLarge);
    };
    if holds_nul(kind, &bytes) {
        return refuse(AppError::InvalidText);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn holds_nul(kind: TextBody, bytes: &Bytes) -> bool {
    match kind {
        TextBody::UrlEncoded => text::url_encoded_has_nul(bytes),
        // A body that is not JSON is left to the route, which says why.
        TextBody::Json => serde_json::from_slice::<serde_json::Value>(bytes)
            .is_ok_and(|value| text::json_has_nul(&value)),
    }
}
