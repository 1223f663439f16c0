//! Extractors whose rejections answer with the portal's JSON error shape.

use app::server::error::AppError;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;

/// A JSON body; malformed, mistyped or oversized bodies get a 4xx JSON error.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query parameters; invalid ones get a 400 JSON error.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; a path that does not parse answers 404.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// A JSON body that may be left out entirely (no body, no content type):
/// then `None`. A body that is present must be valid.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let headers = request.headers();
        let empty = headers.get(axum::http::header::CONTENT_TYPE).is_none()
            && headers
                .get(axum::http::header::CONTENT_LENGTH)
                .is_none_or(|length| length == "0");
        if empty {
            return Ok(OptionalJson(None));
        }
        let ApiJson(value) = ApiJson::<T>::from_request(request, state).await?;
        Ok(OptionalJson(Some(value)))
    }
}
