//! The API document (`GET /ordering/api/openapi.json`): OpenAPI 3.1, built
//! from the handlers' own attributes and the types they read and answer
//! with, so that it cannot drift from the code. The answers every route
//! shares (the errors of the layers around the handlers) are added here,
//! once.

use crate::routes::{actions, admin, attachments, auth, events, health, notifications, orders};
use app::model::{NotificationArrived, OrderChanged};
use app::server::auth::SESSION_COOKIE;
use app::server::error::ErrorBody;
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
        events::events,
        admin::list_companies,
        admin::create_company,
        admin::company,
        admin::update_company,
        admin::list_users,
        admin::create_user,
        admin::update_user,
        health::healthz,
        health::readyz,
    ),
    components(schemas(ErrorBody, OrderChanged, NotificationArrived)),
    security(("session" = [])),
    modifiers(&SessionCookie, &SharedAnswers),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "orders", description = "Lists, counts, the detail, notes and placing orders"),
        (name = "actions", description = "Cancel, submit and resubmit; staff moves"),
        (name = "files", description = "Documents and reports"),
        (name = "notifications", description = "The signed-in user's notifications"),
        (name = "events", description = "Live changes"),
        (name = "admin", description = "Companies and users (FTS administrators)"),
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
