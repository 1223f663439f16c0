//! Uploading documents and reports, and downloading them.

use super::table::Routes;
use crate::extract::ApiPath;
use app::model::Attachment;
use app::server::auth::CurrentUser;
use app::server::error::{AppResult, ErrorBody};
use app::server::services::attachments::{self, Download, FileType};
use app::server::services::downloads::DownloadWay;
use app::server::state::AppState;
use app::server::upload_form::receive_upload;
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::Method;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

/// `/ordering/api/orders/{id}/attachments`, nested under the API prefix.
pub fn upload_router() -> Routes {
    // The body's bounds are checked as it streams in (see `upload_form`).
    Routes::new().route(
        Method::POST,
        "/orders/{id}/attachments",
        post(upload).layer(DefaultBodyLimit::disable()),
    )
}

/// The file routes of the specification.
pub fn file_router() -> Routes {
    Routes::new()
        .get("/attachment/{id}/view", view)
        .get("/attachment/{id}/download", download)
}

/// `POST /ordering/api/orders/{id}/attachments`: multipart, one or more
/// parts named `file`; staff may add a part `kind` = `report`. Answers 201
/// with the stored attachments. The order and the caller's right to add to
/// it are checked before the body is read, and the body is read within the
/// bounds of `upload_form`.
#[utoipa::path(post, path = "/ordering/api/orders/{id}/attachments", tag = "files",
    params(("id" = i64, Path, description = "The order's id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "The files, stored", body = Vec<Attachment>)))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, Json<Vec<Attachment>>)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let stored = receive_upload(&state, &user, id, content_type, body.into_data_stream()).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// `GET /attachment/{id}/view`: shows the file in the browser when its type
/// is safe to show, else downloads it.
#[utoipa::path(get, path = "/attachment/{id}/view", tag = "files", params(("id" = i64, Path, description = "The attachment's id")),
    responses((status = 403, description = "`forbidden`: the order's status does not allow downloads yet (documents once received, reports once complete)", body = ErrorBody),
        (status = 200, description = "The file, as stored", content_type = "*/*", body = Vec<u8>, headers(("content-disposition" = String, description = "`inline` or `attachment`, with the file's name")))))]
pub async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let file =
        attachments::download(&state.db, &state.storage, &user, id, DownloadWay::View).await?;
    let inline = FileType::is_inline_safe(&file.content_type);
    Ok(file_response(
        file,
        if inline { "inline" } else { "attachment" },
    ))
}

/// `GET /attachment/{id}/download`: the file, saved under its original name.
#[utoipa::path(get, path = "/attachment/{id}/download", tag = "files", params(("id" = i64, Path, description = "The attachment's id")),
    responses((status = 403, description = "`forbidden`: the order's status does not allow downloads yet (documents once received, reports once complete)", body = ErrorBody),
        (status = 200, description = "The file, as stored", content_type = "*/*", body = Vec<u8>, headers(("content-disposition" = String, description = "`inline` or `attachment`, with the file's name")))))]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let file =
        attachments::download(&state.db, &state.storage, &user, id, DownloadWay::Download).await?;
    Ok(file_response(file, "attachment"))
}

/// The parts of an upload, as documented (the body is read as it streams,
/// not through this type).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// One part per file.
    file: Vec<Vec<u8>>,
    /// `document` (the default) or, for staff only, `report`.
    kind: Option<String>,
}

fn file_response(file: Download, disposition: &str) -> Response {
    let content_type = if file.content_type == "text/csv" && disposition == "inline" {
        "text/plain; charset=utf-8".to_owned()
    } else {
        file.content_type
    };
    let header_value = |value: &str| {
        HeaderValue::from_str(value)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    (
        [
            (header::CONTENT_TYPE, header_value(&content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&attachments::content_disposition(
                    disposition,
                    &file.filename,
                ))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ),
            (
                header::CONTENT_LENGTH,
                HeaderValue::from(file.contents.size),
            ),
        ],
        // Sent as the store sends it, never whole in memory.
        Body::from_stream(file.contents.chunks),
    )
        .into_response()
}
