//! Uploading documents and reports, and downloading them.

use super::table::Routes;
use crate::extract::{ApiMultipart, ApiPath};
use app::model::{Attachment, AttachmentKind};
use app::server::auth::CurrentUser;
use app::server::error::{AppError, AppResult};
use app::server::services::attachments::{self, Download, FileType, IncomingFile};
use app::server::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::Method;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::BytesMut;

/// `/ordering/api/orders/{id}/attachments`, nested under the API prefix.
pub fn upload_router() -> Routes {
    // The size limit is counted while the body streams in (see `read_files`).
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
/// with the stored attachments.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<(StatusCode, Json<Vec<Attachment>>)> {
    let (kind, files) = read_files(multipart, state.settings.max_upload_bytes).await?;
    let stored = attachments::upload(&state.db, &state.storage, &user, id, kind, files).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// Reads the parts, refusing the request as soon as the files together
/// pass `limit` bytes, before the rest is received.
async fn read_files(
    mut multipart: axum::extract::Multipart,
    limit: u64,
) -> AppResult<(AttachmentKind, Vec<IncomingFile>)> {
    let mut kind = AttachmentKind::Document;
    let mut files = Vec::new();
    let mut total: u64 = 0;
    while let Some(mut field) = multipart.next_field().await? {
        match field.name() {
            Some("file") => {
                let filename = field.file_name().unwrap_or_default().to_owned();
                let mut contents = BytesMut::new();
                while let Some(chunk) = field.chunk().await? {
                    total += chunk.len() as u64;
                    if total > limit {
                        return Err(AppError::PayloadTooLarge);
                    }
                    contents.extend_from_slice(&chunk);
                }
                files.push(IncomingFile {
                    filename,
                    contents: contents.freeze(),
                });
            }
            Some("kind") => {
                kind = match field.text().await?.trim() {
                    "report" => AttachmentKind::Report,
                    "document" => AttachmentKind::Document,
                    _ => {
                        return Err(AppError::Unprocessable(
                            "kind must be document or report.".to_owned(),
                        ));
                    }
                };
            }
            _ => {
                return Err(AppError::Unprocessable(
                    "Send files in parts named file.".to_owned(),
                ));
            }
        }
    }
    Ok((kind, files))
}

/// `GET /attachment/{id}/view`: shows the file in the browser when its type
/// is safe to show, else downloads it.
pub async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let file = attachments::download(&state.db, &state.storage, &user, id).await?;
    let inline = FileType::is_inline_safe(&file.content_type);
    Ok(file_response(
        file,
        if inline { "inline" } else { "attachment" },
    ))
}

/// `GET /attachment/{id}/download`: the file, saved under its original name.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let file = attachments::download(&state.db, &state.storage, &user, id).await?;
    Ok(file_response(file, "attachment"))
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
        ],
        file.contents,
    )
        .into_response()
}
