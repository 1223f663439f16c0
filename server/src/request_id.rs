//! Request ids: every answer carries `X-Request-Id`, every error body its
//! `request_id`, and every log line of the request the same id (the
//! request's span holds it), so that a customer's error report leads to
//! the server's log lines.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use tower_http::trace::MakeSpan;

/// The header in both directions.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Error bodies larger than this are sent as they are, without the id.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// Whether an `X-Request-Id` that arrives with a request is kept: only
/// when a proxy in front of the portal sets it (`REQUEST_ID_FROM_PROXY`);
/// otherwise each request gets an id of the portal's own.
#[derive(Clone, Copy, Debug)]
pub struct RequestIds {
    pub from_proxy: bool,
}

/// An id as a proxy may send it: 1 to 128 letters, digits, `-`, `_`, `.`
/// or `:`, so that it is safe in a header, a JSON string and a log line.
fn is_acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(&byte))
}

/// The id a request carries in its headers, if any.
fn id_in(headers: &HeaderMap) -> Option<&str> {
    headers.get(&REQUEST_ID)?.to_str().ok()
}

/// A new id: 128 random bits as 32 hexadecimal digits.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Names the request (the proxy's id or a new one) before anything else
/// sees it, and puts the id on the answer. Runs outside the trace layer,
/// whose span then carries the id.
pub async fn tag_with_request_id(
    State(ids): State<RequestIds>,
    mut request: Request,
    next: Next,
) -> Response {
    let incoming = id_in(request.headers())
        .filter(|id| ids.from_proxy && is_acceptable(id))
        .map(str::to_owned);
    let id = incoming.unwrap_or_else(new_id);
    let value = HeaderValue::from_str(&id).expect("an acceptable id is a header value");
    request
        .headers_mut()
        .insert(REQUEST_ID.clone(), value.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID.clone(), value);
    response
}

/// Puts the request's id into its error's JSON body. Runs inside the
/// compression layer, where the body is still plain JSON.
pub async fn name_the_request_in_errors(request: Request, next: Next) -> Response {
    let id = id_in(request.headers()).map(str::to_owned);
    let response = next.run(request).await;
    match id {
        Some(id) if response.status().is_client_error() || response.status().is_server_error() => {
            with_id_in_error_body(response, &id).await
        }
        _ => response,
    }
}

/// Adds `request_id` to a JSON error body: into its `error` object (the
/// JSON API's shape), or beside `code` (the server functions' shape).
/// Anything else (a page, a compressed body, a large one) goes unchanged.
async fn with_id_in_error_body(response: Response, id: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let too_large = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|length| length > MAX_ERROR_BODY_BYTES);
    if !is_json || too_large || parts.headers.contains_key(header::CONTENT_ENCODING) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY_BYTES).await else {
        // The body could not be read whole: there is nothing left to send,
        // and no length to promise.
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let target = match json.get_mut("error") {
        Some(detail) if detail.is_object() => detail,
        _ => &mut json,
    };
    let Some(object) = target.as_object_mut() else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    object.insert("request_id".to_owned(), id.into());
    let bytes = serde_json::to_vec(&json).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// The span of a request, named by its id: every log line of the request
/// (renders and the tasks they spawn included) carries it.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> tracing::Span {
        let id = id_in(request.headers()).unwrap_or_default();
        // At the level of errors, so that the span, and with it the id,
        // is there whatever level the log is filtered at.
        tracing::error_span!(
            "request",
            method = %request.method(),
            uri = %request.uri().path(),
            request_id = %id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_a_proxy_may_send_are_short_and_plain() {
        assert!(is_acceptable("b7e0c6f2-3a9d-4c1e-9f20-1d2e3f4a5b6c"));
        assert!(is_acceptable("lb:01HZX.42_a"));
        assert!(!is_acceptable(""));
        assert!(!is_acceptable(&"a".repeat(129)));
        assert!(!is_acceptable("two words"));
        assert!(!is_acceptable("line\nbreak"));
        assert!(!is_acceptable("quote\"d"));
    }

    #[test]
    fn new_ids_are_32_hex_digits_and_differ() {
        let (first, second) = (new_id(), new_id());
        assert_eq!(first.len(), 32);
        assert!(first.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert!(is_acceptable(&first));
    }
}
