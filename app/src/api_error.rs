//! The error every server function answers with: the same `code` and
//! `message` (and, for a refused change, the order's `status`) as the JSON
//! API's error body, so that a page can act on the code and not only show
//! the text.

use crate::rules::Status;
use crate::text_json::TextJsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// Stable and machine-readable: the codes of `docs/api.md`, and
    /// `unreachable` when the browser could not reach the portal.
    pub code: String,
    /// For a person to read.
    pub message: String,
    /// The order's status, when the status refused the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

/// What the browser says when a call never got an answer it could read.
const UNREACHABLE: &str = "The portal could not be reached. Check your connection and try again.";

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_owned(),
            message: message.into(),
            status: None,
        }
    }

    pub fn not_found() -> ApiError {
        ApiError::new("not_found", "Not found.")
    }
}

impl FromServerFnError for ApiError {
    type Encoder = TextJsonEncoding;

    /// The framework's own failures: arguments that do not parse are the
    /// caller's (400); a call that got no readable answer is the network's.
    /// A request the server cannot read is the caller's too, but an answer
    /// the browser cannot read is not.
    fn from_server_fn_error(error: ServerFnErrorErr) -> ApiError {
        let on_server = cfg!(feature = "ssr");
        match error {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                not_valid(&detail)
            }
            ServerFnErrorErr::Deserialization(detail) if on_server => not_valid(&detail),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                ApiError::new("unreachable", UNREACHABLE)
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "a server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                ApiError::new("internal", "Something went wrong on our side.")
            }
        }
    }
}

/// Arguments the server could not read: 400.
fn not_valid(detail: &str) -> ApiError {
    #[cfg(feature = "ssr")]
    crate::server::error::AppError::BadRequest(String::new()).set_server_fn_status();
    ApiError::new("bad_request", format!("The request is not valid: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framework_s_failures_get_our_codes() {
        let bad = ApiError::from_server_fn_error(ServerFnErrorErr::Args("id: not a number".into()));
        assert_eq!(bad.code, "bad_request");
        assert!(bad.message.contains("not a number"), "{}", bad.message);
        let offline = ApiError::from_server_fn_error(ServerFnErrorErr::Request("reset".into()));
        assert_eq!(offline.code, "unreachable");
        let odd = ApiError::from_server_fn_error(ServerFnErrorErr::Response("x".into()));
        assert_eq!(
            (odd.code.as_str(), odd.message.contains('x')),
            ("internal", false)
        );
    }

    #[test]
    fn errors_travel_as_the_json_api_s_error_detail() {
        let mut refused = ApiError::new("invalid_status", "Not while Complete.");
        refused.status = Some(Status::Complete);
        let decoded = ApiError::de(refused.ser().body);
        assert_eq!(decoded, refused);
        let text = String::from_utf8(refused.ser().body.to_vec()).unwrap();
        assert!(text.contains(r#""code":"invalid_status""#), "{text}");
    }
}
