//! The API document (`GET /ordering/api/openapi.json`): OpenAPI 3.1, built
//! from the handlers' own attributes and the types they read and answer
//! with, so that it cannot drift from the code. The answers every route
//! shares (the errors of the layers around the handlers) are added here,
//! once.

use crate::routes::{
    actions, admin, attachments, auth, batches, events, health, notifications, orders, stats,
};
use app::model::{CompanySort, NotificationArrived, OrderChanged, Sort, UserSort};
use app::rules::View;
use app::server::auth::SESSION_COOKIE;
use app::server::error::ErrorBody;
use utoipa::openapi::link::Link;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ordering Portal API",
        description = "Orders, their actions, notes, files and notifications, for title companies' \
                       software and for FTS staff. Every answer carries `X-Request-Id`; every error \
                       is `{\"error\": {\"code\", \"message\", \"request_id\"}}`. Changes sent from a \
                       browser must come from the portal's own origin; programs that send no `Origin` \
                       header are not affected. A `POST` may carry an `Idempotency-Key` header: the \
                       same key within 24 hours gets the first answer again instead of acting twice."
    ),
    paths(
        auth::login,
        auth::logout,
        auth::me,
        orders::list,
        orders::place,
        orders::counts,
        orders::export_csv,
        orders::reports_zip,
        orders::detail,
        orders::list_notes,
        orders::add_note,
        actions::cancel,
        actions::cancel_multiple,
        actions::submit_for_processing,
        actions::resubmit_many,
        actions::transition,
        actions::transition_many,
        attachments::upload,
        attachments::view,
        attachments::download,
        notifications::list,
        notifications::mark_read,
        stats::overview,
        batches::list,
        batches::detail,
        events::events,
        admin::list_companies,
        admin::create_company,
        admin::company,
        admin::update_company,
        admin::list_users,
        admin::create_user,
        admin::update_user,
        admin::list_products,
        admin::update_product,
        health::healthz,
        health::readyz,
    ),
    components(schemas(
        ErrorBody,
        OrderChanged,
        NotificationArrived,
        Sort,
        View,
        CompanySort,
        UserSort
    )),
    security(("session" = [])),
    modifiers(&SessionCookie, &SharedAnswers, &Links),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "orders", description = "Lists, counts, the detail, notes and placing orders"),
        (name = "actions", description = "Cancel, submit and resubmit; staff moves"),
        (name = "files", description = "Documents and reports"),
        (name = "notifications", description = "The signed-in user's notifications"),
        (name = "events", description = "Live changes"),
        (name = "stats", description = "The staff dashboard's figures"),
        (name = "batches", description = "Batch actions kept, with their result per order"),
        (name = "admin", description = "Companies, users and products (FTS administrators)"),
        (name = "health", description = "For load balancers"),
    )
)]
pub struct ApiDoc;

/// The document, in JSON.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The session cookie that `POST /ordering/api/login` sets.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session, set by `POST /ordering/api/login`. Served over https \
                 (`SECURE_COOKIES`), the cookie is named `__Host-` followed by this name.",
            ))),
        );
    }
}

/// What the layers around every handler may answer, added to each
/// operation that does not describe the status itself; and operation ids
/// that are unique (`orders_list`, not `list`).
struct SharedAnswers;

impl Modify for SharedAnswers {
    fn modify(&self, document: &mut Document) {
        let signed_in_by_default = document
            .security
            .as_ref()
            .is_some_and(|requirements| !requirements.is_empty());
        for item in document.paths.paths.values_mut() {
            let has_path_id = |operation: &Operation| {
                operation.parameters.iter().flatten().any(|parameter| {
                    matches!(parameter, RefOr::T(parameter)
                        if parameter.parameter_in == utoipa::openapi::path::ParameterIn::Path)
                })
            };
            for (method, operation) in [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
            ] {
                let Some(operation) = operation else {
                    continue;
                };
                let signed_in = match &operation.security {
                    None => signed_in_by_default,
                    // `security(())`: anyone may call it.
                    Some(requirements) => !requirements
                        .iter()
                        .any(|requirement| *requirement == Default::default()),
                };
                let mut shared = vec![
                    (
                        "400",
                        "`bad_request` or `invalid_text`: a query or body the portal cannot read or store",
                    ),
                    (
                        "503",
                        "`unavailable` or `busy`: the database cannot answer now; `Retry-After` says when to try again",
                    ),
                ];
                if signed_in {
                    shared.push(("401", "`unauthorized`: no session, or it has ended"));
                }
                if has_path_id(operation) {
                    shared.push((
                        "404",
                        "`not_found`: no such record, or not one the caller may see",
                    ));
                }
                if method != HttpMethod::Get {
                    shared.extend([
                        ("403", "`forbidden`: not allowed to the caller, or sent from another site"),
                        ("409", "`conflict` or `answer_lost`: an `Idempotency-Key` reused for another request, or its first answer was lost"),
                        ("413", "`payload_too_large`: the body is larger than allowed"),
                        ("415", "`unsupported_media_type`: the body is not in the format the route reads"),
                        ("422", "`unprocessable`: the body is well-formed but its values are not valid"),
                    ]);
                }
                for (status, description) in shared {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error_answer(description));
                }
                operation.summary = operation.summary.as_deref().map(summary_of);
                let tag = operation
                    .tags
                    .as_ref()
                    .and_then(|tags| tags.first())
                    .cloned()
                    .unwrap_or_default();
                if let Some(id) = &mut operation.operation_id
                    && !id.starts_with(&tag)
                {
                    *id = format!("{tag}_{id}");
                }
            }
        }
        add_request_id(document);
    }
}

/// A handler's first doc paragraph without the method and path it starts
/// with (the document says those already): "`GET /ordering/api/me`: the
/// user…" becomes "The user…".
fn summary_of(doc: &str) -> String {
    let text = doc
        .strip_prefix('`')
        .and_then(|_| doc.split_once("`: "))
        .map_or(doc, |(_, rest)| rest)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut letters = text.chars();
    letters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(letters).collect()
    })
}

fn error_answer(description: &str) -> RefOr<Response> {
    RefOr::T(
        Response::builder()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            )
            .build(),
    )
}

/// Every error body names its request (added to the answer as it leaves).
fn add_request_id(document: &mut Document) {
    let Some(RefOr::T(Schema::Object(detail))) = document
        .components
        .as_mut()
        .and_then(|components| components.schemas.get_mut("ErrorDetail"))
    else {
        return;
    };
    let request_id: Object = Object::builder()
        .schema_type(Type::String)
        .description(Some("The request's `X-Request-Id`"))
        .build();
    detail
        .properties
        .insert("request_id".to_owned(), request_id.into());
}

/// Where an answer's ids lead (OpenAPI links), for clients that follow
/// them and for stateful testing: (operation, status, where the id is in
/// its answer, the operations that take it as `id`).
const LINKS: [(&str, &str, &str, &[&str]); 9] = [
    ("orders_list", "200", "/orders/0/id", &ORDER_OPERATIONS),
    ("orders_place", "201", "/orders/0/id", &ORDER_OPERATIONS),
    (
        "orders_detail",
        "200",
        "/attachments/0/id",
        &FILE_OPERATIONS,
    ),
    ("files_upload", "201", "/0/id", &FILE_OPERATIONS),
    (
        "notifications_list",
        "200",
        "/notifications/0/id",
        &["notifications_mark_read"],
    ),
    (
        "admin_list_companies",
        "200",
        "/items/0/id",
        &COMPANY_OPERATIONS,
    ),
    ("admin_create_company", "201", "/id", &COMPANY_OPERATIONS),
    (
        "admin_list_users",
        "200",
        "/items/0/id",
        &["admin_update_user"],
    ),
    ("admin_create_user", "201", "/id", &["admin_update_user"]),
];

const ORDER_OPERATIONS: [&str; 7] = [
    "orders_detail",
    "orders_list_notes",
    "orders_add_note",
    "actions_cancel",
    "actions_submit_for_processing",
    "actions_transition",
    "files_upload",
];

const FILE_OPERATIONS: [&str; 2] = ["files_view", "files_download"];

const COMPANY_OPERATIONS: [&str; 2] = ["admin_company", "admin_update_company"];

struct Links;

impl Modify for Links {
    fn modify(&self, document: &mut Document) {
        for item in document.paths.paths.values_mut() {
            for operation in [item.get.as_mut(), item.post.as_mut(), item.patch.as_mut()]
                .into_iter()
                .flatten()
            {
                let id = operation.operation_id.clone().unwrap_or_default();
                for (from, status, pointer, targets) in LINKS {
                    if from != id {
                        continue;
                    }
                    let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status)
                    else {
                        continue;
                    };
                    for target in targets {
                        let link = Link::builder()
                            .operation_id(*target)
                            .parameter("id", format!("$response.body#{pointer}"))
                            .build();
                        response.links.insert((*target).to_owned(), RefOr::T(link));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::summary_of;

    #[test]
    fn summaries_leave_out_the_route_they_start_with() {
        assert_eq!(
            summary_of("`GET /ordering/api/me`: the user, company and\nflags."),
            "The user, company and flags."
        );
        assert_eq!(
            summary_of(
                "`POST /ordering/api/orders` `{orders: [{product_id, title}]}`: places them."
            ),
            "Places them."
        );
        assert_eq!(summary_of("Plain words."), "Plain words.");
    }
}
