//! The API document and its docs page, both served from the binary.

use super::table::Routes;
use crate::api_doc;
use app::server::error::AppError;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::{Arc, LazyLock};
use utoipa_swagger_ui::Config;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/ordering/api/openapi.json";

/// The docs page loads its scripts, styles and the document from the
/// portal only; Swagger UI's images are inline `data:` URIs, and its code
/// highlighter sets `style` attributes (styles only: scripts stay the
/// page's own files).
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

pub fn router() -> Routes {
    Routes::new()
        .get("/openapi.json", document)
        .get("/docs", docs_page)
        .get("/docs/", docs_index)
        .get("/docs/{*file}", docs_file)
}

/// `GET /ordering/api/openapi.json`: the OpenAPI 3.1 document of the JSON
/// API, for anyone (it describes the API, not its data).
pub async fn document() -> Response {
    static DOCUMENT: LazyLock<Result<String, String>> = LazyLock::new(|| {
        api_doc::document()
            .to_pretty_json()
            .map_err(|error| error.to_string())
    });
    match &*DOCUMENT {
        Ok(document) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            document.as_str(),
        )
            .into_response(),
        Err(error) => {
            AppError::Internal(format!("serialising the API document: {error}")).into_response()
        }
    }
}

/// `GET /ordering/api/docs`: the docs page (Swagger UI) lives under
/// `/ordering/api/docs/`, where its files' relative addresses resolve.
pub async fn docs_page() -> Redirect {
    Redirect::permanent("/ordering/api/docs/")
}

/// `GET /ordering/api/docs/`: the docs page.
pub async fn docs_index() -> Response {
    docs_file(Path(String::new())).await
}

/// `GET /ordering/api/docs/{file}`: the docs page's files.
pub async fn docs_file(Path(file): Path<String>) -> Response {
    static CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
        Arc::new(
            Config::from(DOCUMENT_PATH)
                .validator_url("none")
                .try_it_out_enabled(true),
        )
    });
    match utoipa_swagger_ui::serve(&file, CONFIG.clone()) {
        Ok(Some(found)) => {
            let content_type = HeaderValue::from_str(&found.content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        HeaderValue::from_static(DOCS_POLICY),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                ],
                found.bytes.into_owned(),
            )
                .into_response()
        }
        Ok(None) => AppError::NotFound.into_response(),
        Err(error) => AppError::Internal(format!("serving the docs page: {error}")).into_response(),
    }
}
