//! The one error type of the server side, and its single mapping to HTTP.

use crate::api_error::ApiError;
use crate::rules::Status;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything a request can fail with. The message of each variant is safe
/// to show to the caller; database and I/O detail is logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// Text that a database engine cannot store (see `text`).
    #[error("Text may not contain the NUL character (U+0000).")]
    InvalidText,
    #[error("Sign in to continue.")]
    Unauthorized,
    #[error("The e-mail address or password is not correct.")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// Also the answer for records that exist but are not the caller's.
    #[error("Not found.")]
    NotFound,
    /// The request clashes with another one still being answered.
    #[error("{0}")]
    Conflict(String),
    /// A repeat of an idempotent request whose change was made but whose
    /// answer was lost (its process stopped in between): it is not made again.
    #[error(
        "This request was already carried out, but its answer was lost. \
         Read what it changed to see the result."
    )]
    AnswerLost,
    #[error("This is not possible while the order is {}.", .0.label())]
    InvalidStatus(Status),
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unprocessable(String),
    /// A resubmission while the hold's checklist still lacks documents.
    #[error(
        "Upload the {0} document{s} the checklist still asks for before resubmitting.",
        s = if *.0 == 1 { "" } else { "s" }
    )]
    ChecklistIncomplete(i64),
    #[error("Too many attempts. Try again in {0} seconds.")]
    TooManyRequests(u64),
    #[error("The service is temporarily unavailable. Try again shortly.")]
    Unavailable,
    /// Too many heavy reads are waiting (see `lane`); the database is fine.
    #[error("The portal is busy. Try again in a moment.")]
    Busy,
    #[error("Something went wrong on our side.")]
    Database(sqlx::Error),
    #[error("Something went wrong on our side.")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// A write the database refused for a constraint is the caller's to fix,
/// never a 500: a duplicate (which a check before the write misses when
/// two requests race) answers 409, a missing or invalid reference 422.
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        let refused = match &error {
            sqlx::Error::Database(refusal) => match refusal.kind() {
                ErrorKind::UniqueViolation => Some(AppError::Conflict(
                    "That already exists: another request has just made it.".to_owned(),
                )),
                ErrorKind::ForeignKeyViolation => Some(AppError::Unprocessable(
                    "That refers to something that does not exist.".to_owned(),
                )),
                ErrorKind::NotNullViolation | ErrorKind::CheckViolation => Some(
                    AppError::Unprocessable("A value is missing or not allowed.".to_owned()),
                ),
                _ => None,
            },
            _ => None,
        };
        match refused {
            Some(refused) => {
                tracing::warn!(%error, "write refused by a constraint");
                refused
            }
            None => AppError::Database(error),
        }
    }
}

/// Marks a 503 that is not an outage ([`AppError::Busy`]): the outage
/// breaker lets the next requests through, since the database answers.
pub const BUSY_HEADER: &str = "x-portal-busy";

/// The JSON body of every error: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::InvalidText => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::InvalidStatus(_) | AppError::Conflict(_) | AppError::AnswerLost => {
                StatusCode::CONFLICT
            }
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable(_) | AppError::ChecklistIncomplete(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(error) if is_unavailable(error) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::InvalidText => "invalid_text",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::InvalidStatus(_) => "invalid_status",
            AppError::Conflict(_) => "conflict",
            AppError::AnswerLost => "answer_lost",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::ChecklistIncomplete(_) => "checklist_incomplete",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Unavailable => "unavailable",
            AppError::Busy => "busy",
            AppError::Database(error) if is_unavailable(error) => "unavailable",
            AppError::Database(_) | AppError::Internal(_) => "internal",
        }
    }

    /// The message for the caller, after logging what the caller must not see.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Database(error) if is_unavailable(error) => {
                tracing::warn!(%error, "database unavailable");
                AppError::Unavailable.to_string()
            }
            AppError::Database(error) => {
                tracing::error!(%error, "database error");
                self.to_string()
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                self.to_string()
            }
            _ => self.to_string(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                status: match self {
                    AppError::InvalidStatus(status) => Some(*status),
                    _ => None,
                },
            },
        }
    }
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
    )
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let mut response = (status, axum::Json(self.body())).into_response();
        let retry_after = match self {
            AppError::TooManyRequests(seconds) => Some(seconds),
            _ if status == StatusCode::SERVICE_UNAVAILABLE => Some(2),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if matches!(self, AppError::Busy) {
            response
                .headers_mut()
                .insert(BUSY_HEADER, axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}

impl AppError {
    /// Gives the answer of the server function being run this error's
    /// status code (server functions otherwise answer 500).
    pub fn set_server_fn_status(&self) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status_code());
            if matches!(self, AppError::Busy) {
                response.insert_header(
                    axum::http::HeaderName::from_static(BUSY_HEADER),
                    axum::http::HeaderValue::from_static("1"),
                );
            }
        }
    }

    /// The answer to a request for `path`, refused before its handler ran:
    /// in the server functions' error shape for theirs (`/api/…`), else in
    /// the JSON API's.
    pub fn answer_for(self, path: &str) -> Response {
        if path.starts_with("/api/") {
            self.into_server_fn_response()
        } else {
            self.into_response()
        }
    }

    /// The whole answer to a server function call, for middleware that
    /// refuses the call before it runs: the status, and the body in the
    /// server functions' error encoding.
    pub fn into_server_fn_response(self) -> Response {
        use leptos::server_fn::error::FromServerFnError;
        let status = self.status_code();
        let parts = ApiError::from(self).ser();
        (
            status,
            [(axum::http::header::CONTENT_TYPE, parts.content_type)],
            parts.body,
        )
            .into_response()
    }
}

/// A server function's error: logged like any other, with its status code
/// set on the answer, and with the body of the JSON API's errors.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        error.set_server_fn_status();
        let ErrorBody {
            error:
                ErrorDetail {
                    code,
                    message,
                    status,
                },
        } = error.body();
        ApiError {
            code: code.to_owned(),
            message,
            status,
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection::*;
        match rejection {
            JsonDataError(error) => AppError::Unprocessable(format!(
                "The request body is not valid: {}",
                error.body_text()
            )),
            JsonSyntaxError(_) => {
                AppError::BadRequest("The request body is not valid JSON.".to_owned())
            }
            MissingJsonContentType(_) => AppError::UnsupportedMediaType(
                "Send the request body as application/json.".to_owned(),
            ),
            BytesRejection(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge
            }
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for AppError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        AppError::BadRequest(format!(
            "The query string is not valid: {}",
            rejection.body_text()
        ))
    }
}

/// A path that does not parse (`/orders/abc`) names nothing that exists.
impl From<axum::extract::rejection::PathRejection> for AppError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        AppError::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What no error message may show a caller.
    const DETAILS: [&str; 6] = ["SELECT", "relation", "sqlx", "postgres", "/var/", ".rs"];

    #[test]
    fn internal_errors_reveal_no_detail() {
        let errors = [
            AppError::Database(sqlx::Error::Protocol(
                "SELECT * FROM orders: relation \"orders\" does not exist (postgres)".to_owned(),
            )),
            AppError::Database(sqlx::Error::PoolTimedOut),
            AppError::Database(sqlx::Error::Io(std::io::Error::other(
                "connect to /var/run/postgresql/.s.PGSQL.5432 (sqlx)",
            ))),
            AppError::Internal("reading /var/lib/portal/files/abc at storage.rs:40".to_owned()),
        ];
        for error in errors {
            let status = error.status_code();
            let body = serde_json::to_string(&error.body()).unwrap();
            assert!(status.is_server_error(), "{error:?}");
            for detail in DETAILS {
                assert!(!body.contains(detail), "{body} reveals {detail}");
            }
        }
    }

    #[test]
    fn an_unreachable_database_is_503() {
        for error in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            let error = AppError::Database(error);
            assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(error.code(), "unavailable");
        }
        let other = AppError::Database(sqlx::Error::RowNotFound);
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
