//! Orders over JSON: lists, counts, the detail, notes, and placing new ones.

use super::table::Routes;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use app::model::{Counts, NewOrder, Note, OrderDetail, OrderPage, OrderQuery, PlacedOrders};
use app::server::auth::CurrentUser;
use app::server::error::{AppResult, ErrorBody};
use app::server::services::history::NoteText;
use app::server::services::{bundles, export, notes, orders, placement};
use app::server::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .get("/orders", list)
        .post("/orders", place)
        .get("/orders/counts", counts)
        .get("/orders/export.csv", export_csv)
        .get("/orders/reports.zip", reports_zip)
        .get("/orders/{id}", detail)
        .get("/orders/{id}/notes", list_notes)
        .post("/orders/{id}/notes", add_note)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    body: String,
    #[serde(default)]
    internal: bool,
}

/// `GET /ordering/api/orders/{id}/notes`: the notes the caller may see.
#[utoipa::path(get, path = "/ordering/api/orders/{id}/notes", tag = "orders", params(("id" = i64, Path, description = "The order's id")),
    responses((status = 200, description = "The notes the caller may see, oldest first", body = Vec<Note>)))]
pub async fn list_notes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<Note>>> {
    Ok(Json(notes::list(&state.db, &user, id).await?))
}

/// `POST /ordering/api/orders/{id}/notes` `{body, internal?}`: adds a note;
/// `internal` is for staff only. Answers 201 with the note.
#[utoipa::path(post, path = "/ordering/api/orders/{id}/notes", tag = "orders", params(("id" = i64, Path, description = "The order's id")),
    request_body = NewNote,
    responses((status = 201, description = "The note, added", body = Note)))]
pub async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(note): ApiJson<NewNote>,
) -> AppResult<(StatusCode, Json<Note>)> {
    let body = NoteText::parse(&note.body)?;
    let note = notes::add(&state.db, &user, id, &body, note.internal).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrders {
    #[schema(min_items = 1, max_items = 20)]
    orders: Vec<NewOrder>,
}

/// `POST /ordering/api/orders` `{orders: [{product_id, title}]}`: places
/// the orders for the caller's company, several together as one group.
/// Answers 201 with `{orders}`, each unprocessed.
#[utoipa::path(post, path = "/ordering/api/orders", tag = "orders", request_body = PlaceOrders,
    responses((status = 201, description = "The orders, placed as one group", body = PlacedOrders)))]
pub async fn place(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PlaceOrders>,
) -> AppResult<(StatusCode, Json<PlacedOrders>)> {
    let placed = placement::place(&state.db, &user, &body.orders).await?;
    Ok((StatusCode::CREATED, Json(placed)))
}

/// `GET /ordering/api/orders?view=&status=&q=&cursor=&limit=`: one page of
/// the orders the caller may see, newest first.
#[utoipa::path(get, path = "/ordering/api/orders", tag = "orders", params(OrderQuery),
    responses((status = 200, description = "One page of orders; `next_cursor` asks for the next", body = OrderPage)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> AppResult<Json<OrderPage>> {
    let page = state.read_lane.run(orders::list(&state.db, &user, &query));
    Ok(Json(page.await?))
}

/// `GET /ordering/api/orders/export.csv?<the list's query>`: every order
/// the list would show, as CSV with a header row, streamed page by page
/// (`cursor` and `limit` are not used). Cells a spreadsheet would run as
/// formulas start with an apostrophe.
#[utoipa::path(get, path = "/ordering/api/orders/export.csv", tag = "orders", params(OrderQuery),
    responses((status = 200, description = "The orders as CSV, a header row first", content_type = "text/csv", body = String,
        headers(("content-disposition" = String, description = "`attachment`, named after the view")))))]
pub async fn export_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> AppResult<Response> {
    let name = query.view.map_or("orders".to_owned(), |view| {
        format!("orders-{}", view.slug())
    });
    let rows = export::start(state.db.clone(), state.read_lane.clone(), user, &query)
        .await?
        .inspect_err(|error| tracing::warn!(%error, "an export ended early"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        Body::from_stream(rows),
    )
        .into_response())
}

/// Which orders a report bundle holds.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BundleQuery {
    /// Order ids, separated by commas: 1 to 100.
    ids: String,
}

/// `GET /ordering/api/orders/reports.zip?ids=1,2,…`: one zip of the
/// documents and vendor reports the caller may download of those orders,
/// a folder per order number, streamed file by file; `manifest.txt` lists
/// what was left out and why. Every file in it is recorded as downloaded.
#[utoipa::path(get, path = "/ordering/api/orders/reports.zip", tag = "files", params(BundleQuery),
    responses((status = 200, description = "The zip, streamed", content_type = "application/zip", body = Vec<u8>,
        headers(("content-disposition" = String, description = "`attachment`, `reports.zip`"))),
        (status = 422, description = "`unprocessable`: no order named, or more than 100", body = ErrorBody)))]
pub async fn reports_zip(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<BundleQuery>,
) -> AppResult<Response> {
    let ids = bundles::parse_ids(&query.ids)?;
    let bundle = bundles::plan(&state.db, &user, &ids).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"reports.zip\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        Body::from_stream(bundles::stream(state.storage.clone(), bundle)),
    )
        .into_response())
}

/// `GET /ordering/api/orders/counts`: the badge count of every view.
#[utoipa::path(get, path = "/ordering/api/orders/counts", tag = "orders",
    responses((status = 200, description = "How many orders each view holds", body = Counts)))]
pub async fn counts(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Counts>> {
    Ok(Json(orders::counts(&state.db, &user).await?))
}

/// `GET /ordering/api/orders/{id}`: one order with notes, attachments and
/// timeline; 404 for ids the caller may not see, exactly as for unknown ids.
#[utoipa::path(get, path = "/ordering/api/orders/{id}", tag = "orders", params(("id" = i64, Path, description = "The order's id")),
    responses((status = 200, description = "The order with its notes, attachments and timeline", body = OrderDetail)))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<OrderDetail>> {
    Ok(Json(orders::detail(&state.db, &user, id).await?))
}
