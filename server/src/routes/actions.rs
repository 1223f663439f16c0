//! Status changes: the customer actions at the paths the specification
//! gives them, and the staff transition.

use super::table::Routes;
use crate::extract::{ApiJson, ApiPath, OptionalJson};
use app::model::{BatchResult, Order};
use app::rules::Status;
use app::server::auth::CurrentUser;
use app::server::error::{AppResult, ErrorBody};
use app::server::services::actions::{self, Intent};
use app::server::services::history::NoteText;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .post("/order/{id}/cancel", cancel)
        .post("/orders/cancel-multiple", cancel_multiple)
        .post("/order/{id}/submit-for-processing", submit_for_processing)
        .post("/ordering/api/orders/resubmit", resubmit_many)
        .post("/ordering/api/orders/{id}/transition", transition)
        .post("/ordering/api/orders/transition", transition_many)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionMany {
    #[schema(min_items = 1, max_items = 100)]
    order_ids: Vec<i64>,
    to: Status,
    reason: Option<String>,
    /// For a hold or a rejection: the documents each order's customer must
    /// provide before resubmitting.
    #[serde(default)]
    #[schema(max_items = 20)]
    required_documents: Vec<String>,
}

/// `POST /ordering/api/orders/transition` `{order_ids, to, reason?}`: a
/// staff move of several orders, with a result per order.
#[utoipa::path(post, path = "/ordering/api/orders/transition", tag = "actions", request_body = TransitionMany,
    responses((status = 200, description = "A result per order, in the order given", body = BatchResult)))]
pub async fn transition_many(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<TransitionMany>,
) -> AppResult<Json<BatchResult>> {
    let intent = Intent::Move {
        to: body.to,
        reason: body.reason,
        required_documents: body.required_documents,
    };
    Ok(Json(
        actions::apply_many(&state.db, &user, &body.order_ids, &intent, None).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    to: Status,
    reason: Option<String>,
    /// For a hold or a rejection: the documents the customer must provide
    /// before resubmitting (at most 20, each 1 to 200 characters).
    #[serde(default)]
    #[schema(max_items = 20)]
    required_documents: Vec<String>,
}

/// `POST /ordering/api/orders/{id}/transition` `{to, reason?}`: a staff
/// move (hold and reject need a reason the customer sees); anything the
/// rules do not allow answers 409.
#[utoipa::path(post, path = "/ordering/api/orders/{id}/transition", tag = "actions", params(("id" = i64, Path, description = "The order's id")),
    request_body = Transition,
    responses((status = 200, description = "The order as it is now", body = Order),
        (status = 409, description = "`invalid_status`: the rules do not allow the move from the order's status (named in `error.status`)", body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Transition>,
) -> AppResult<Json<Order>> {
    let intent = Intent::Move {
        to: body.to,
        reason: body.reason,
        required_documents: body.required_documents,
    };
    Ok(Json(
        actions::perform(&state.db, &user, id, &intent, None).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderIds {
    #[schema(min_items = 1, max_items = 100)]
    order_ids: Vec<i64>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionalNote {
    note: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitMany {
    #[schema(min_items = 1, max_items = 100)]
    order_ids: Vec<i64>,
    note: Option<String>,
}

/// `POST /order/{id}/cancel`: cancels one order (unprocessed or pending),
/// creating its refund or credit; answers the order as it is now.
#[utoipa::path(post, path = "/order/{id}/cancel", tag = "actions", params(("id" = i64, Path, description = "The order's id")),
    responses((status = 200, description = "The order as it is now", body = Order),
        (status = 409, description = "`invalid_status`: the order's status (named in `error.status`) does not allow it", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Order>> {
    Ok(Json(
        actions::perform(&state.db, &user, id, &Intent::Cancel, None).await?,
    ))
}

/// `POST /orders/cancel-multiple` `{order_ids}`: cancels each order, with a
/// result per order.
#[utoipa::path(post, path = "/orders/cancel-multiple", tag = "actions", request_body = OrderIds,
    responses((status = 200, description = "A result per order, in the order given", body = BatchResult)))]
pub async fn cancel_multiple(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<OrderIds>,
) -> AppResult<Json<BatchResult>> {
    Ok(Json(
        actions::apply_many(&state.db, &user, &body.order_ids, &Intent::Cancel, None).await?,
    ))
}

/// `POST /order/{id}/submit-for-processing` `{note?}`: submits an
/// unprocessed or pending order, or resubmits one on hold or rejected.
#[utoipa::path(post, path = "/order/{id}/submit-for-processing", tag = "actions", params(("id" = i64, Path, description = "The order's id")),
    request_body = Option<OptionalNote>,
    responses((status = 200, description = "The order as it is now", body = Order),
        (status = 409, description = "`invalid_status`: the order's status (named in `error.status`) does not allow it", body = ErrorBody)))]
pub async fn submit_for_processing(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(body): OptionalJson<OptionalNote>,
) -> AppResult<Json<Order>> {
    let note = NoteText::parse_optional(body.unwrap_or_default().note.as_deref())?;
    let intent = Intent::SubmitForProcessing;
    Ok(Json(
        actions::perform(&state.db, &user, id, &intent, note.as_ref()).await?,
    ))
}

/// `POST /ordering/api/orders/resubmit` `{order_ids, note?}`: resubmits
/// each order with the same note, with a result per order.
#[utoipa::path(post, path = "/ordering/api/orders/resubmit", tag = "actions", request_body = ResubmitMany,
    responses((status = 200, description = "A result per order, in the order given", body = BatchResult)))]
pub async fn resubmit_many(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<ResubmitMany>,
) -> AppResult<Json<BatchResult>> {
    let note = NoteText::parse_optional(body.note.as_deref())?;
    Ok(Json(
        actions::apply_many(
            &state.db,
            &user,
            &body.order_ids,
            &Intent::Resubmit,
            note.as_ref(),
        )
        .await?,
    ))
}
