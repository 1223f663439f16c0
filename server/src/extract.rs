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
