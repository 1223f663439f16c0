//! Server functions: the pages' way to the service layer. Each one finds the
//! signed-in user, calls one service function and maps its error.

use crate::api_error::ApiError;
use crate::model::{
    AdminUser, Attachment, Batch, BatchDetail, BatchResult, CompanyInfo, CompanyOverview,
    CompanyQuery, Counts, FilterOptions, ListLayout, ListPage, Me, NamedRef, NewOrder, Note,
    Notifications, Order, OrderDetail, OrderPage, OrderQuery, PlacedOrders, ProductDocuments,
    Stats, UserQuery,
};
use crate::rules::{Group, Status};
use crate::text_json::TextJson;
use crate::upload_body::UploadBody;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod context {
    use crate::api_error::ApiError;
    use crate::server::auth::CurrentUser;
    use crate::server::error::AppError;
    use crate::server::session::user_of_request;
    use crate::server::state::AppState;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, ApiError> {
        use_context::<AppState>()
            .ok_or_else(|| AppError::Internal("application state missing".to_owned()).into())
    }

    pub fn headers() -> http::HeaderMap {
        use_context::<http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default()
    }

    /// The client's IP address, as the connection shows it.
    pub fn client_address() -> Option<String> {
        use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string())
        })
    }

    /// Adds a `Set-Cookie` header to the server function's response.
    pub fn set_cookie(cookie: axum_extra::extract::cookie::Cookie<'static>) {
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&cookie.to_string()),
        ) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }

    /// The state and the signed-in user, or `Unauthorized`.
    pub async fn user() -> Result<(AppState, CurrentUser), ApiError> {
        let state = state()?;
        let user = match use_context::<http::request::Parts>() {
            Some(parts) => user_of_request(&state, &parts).await,
            None => Ok(None),
        };
        let user = user.and_then(|user| user.ok_or(AppError::Unauthorized))?;
        Ok((state, user))
    }
}

/// Signs in and sends the browser to the order list.
#[server(endpoint = "login", output = TextJson)]
pub async fn login(email: String, password: String) -> Result<(), ApiError> {
    use crate::server::{auth, session};
    let state = context::state()?;
    let previous = session::session_token(&context::headers(), &state.settings);
    let address = context::client_address();
    let attempt = auth::Attempt {
        email: &email,
        password: &password,
        address: address.as_deref(),
        previous: previous.as_deref(),
    };
    let ttl = state.settings.session_ttl_ms;
    let (_, token) = auth::login(&state.db, attempt, ttl).await?;
    context::set_cookie(session::session_cookie(token, &state.settings));
    leptos_axum::redirect("/orders", false);
    Ok(())
}

/// Ends the session and sends the browser to the sign-in page.
#[server(endpoint = "logout", output = TextJson)]
pub async fn logout() -> Result<(), ApiError> {
    use crate::server::{auth, session};
    let state = context::state()?;
    if let Some(token) = session::session_token(&context::headers(), &state.settings) {
        auth::logout(&state.db, &token).await?;
    }
    context::set_cookie(session::removal_cookie(&state.settings));
    leptos_axum::redirect("/login", false);
    Ok(())
}

/// The signed-in user, their company and permissions.
#[server(endpoint = "get-me", output = TextJson)]
pub async fn get_me() -> Result<Me, ApiError> {
    let (_, user) = context::user().await?;
    Ok(user.me())
}

/// The staff dashboard's figures.
#[server(endpoint = "get-stats", output = TextJson)]
pub async fn get_stats() -> Result<Stats, ApiError> {
    use crate::server::services::stats;
    let (state, user) = context::user().await?;
    Ok(state.read_lane.run(stats::stats(&state.db, &user)).await?)
}

/// Keeps how the signed-in user's order lists show orders.
#[server(endpoint = "set-list-layout", output = TextJson)]
pub async fn set_list_layout(layout: ListLayout) -> Result<(), ApiError> {
    use crate::server::services::preferences;
    let (state, user) = context::user().await?;
    Ok(preferences::set_list_layout(&state.db, &user, layout).await?)
}

/// The sidebar badges.
#[server(endpoint = "order-counts", output = TextJson)]
pub async fn order_counts() -> Result<Counts, ApiError> {
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    Ok(orders::counts(&state.db, &user).await?)
}

/// One page of a list, filtered as the query says.
#[server(endpoint = "list-orders", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn list_orders(query: OrderQuery) -> Result<OrderPage, ApiError> {
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    Ok(state
        .read_lane
        .run(orders::list(&state.db, &user, &query))
        .await?)
}

/// Staff: up to ten companies whose name holds `q`, to filter the queue by.
#[server(endpoint = "find-companies", output = TextJson)]
pub async fn find_companies(q: String) -> Result<Vec<NamedRef>, ApiError> {
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    Ok(orders::company_choices(&state.db, &user, &q).await?)
}

/// The products the list filters offer, and the name of the company a
/// list's URL filters by (for those who may filter by company).
#[server(endpoint = "filter-options", output = TextJson)]
pub async fn get_filter_options(company_id: Option<i64>) -> Result<FilterOptions, ApiError> {
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    Ok(orders::filter_options(&state.db, &user, company_id).await?)
}

/// One order with its notes, documents and timeline.
#[server(endpoint = "get-order", output = TextJson)]
pub async fn get_order(id: i64) -> Result<OrderDetail, ApiError> {
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    Ok(orders::detail(&state.db, &user, id).await?)
}

/// Cancels one order; answers the order as it is now.
#[server(endpoint = "cancel-order", output = TextJson)]
pub async fn cancel_order(id: i64) -> Result<Order, ApiError> {
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    Ok(actions::perform(&state.db, &user, id, &Intent::Cancel, None).await?)
}

/// Uploads documents (and, for staff, vendor reports) to the order named in
/// the query string (`?order=<id>`), as `POST /ordering/api/orders/{id}/attachments`
/// does: the order and the caller's right are checked before the body is
/// read, and the body is read within the same bounds.
#[server(
    endpoint = "upload-attachments",
    input = crate::upload_body::UploadEncoding,
    input_derive = (),
    output = TextJson
)]
pub async fn upload_attachments(upload: UploadBody) -> Result<Vec<Attachment>, ApiError> {
    use crate::server::error::AppError;
    use crate::server::upload_form::receive_upload;
    let (state, user) = context::user().await?;
    let upload = upload
        .incoming()
        .ok_or_else(|| AppError::Internal("an outgoing upload reached the server".to_owned()))?;
    let order_id = upload.order_id().ok_or_else(|| {
        AppError::BadRequest("Name the order in the query string: ?order=<id>.".to_owned())
    })?;
    let content_type = upload.content_type.as_deref();
    Ok(receive_upload(&state, &user, order_id, content_type, upload.body).await?)
}

/// Cancels several orders at once, with a result per order.
#[server(endpoint = "cancel-orders", output = TextJson)]
pub async fn cancel_orders(ids: Vec<i64>) -> Result<BatchResult, ApiError> {
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    Ok(actions::apply_many(&state.db, &user, &ids, &Intent::Cancel, None).await?)
}

/// Submits (unprocessed, pending) or resubmits (on hold, rejected) one
/// order, with an optional note.
#[server(endpoint = "submit-order", output = TextJson)]
pub async fn submit_order(id: i64, note: Option<String>) -> Result<Order, ApiError> {
    use crate::server::services::actions::{self, Intent};
    use crate::server::services::history::NoteText;
    let (state, user) = context::user().await?;
    let note = NoteText::parse_optional(note.as_deref())?;
    Ok(actions::perform(
        &state.db,
        &user,
        id,
        &Intent::SubmitForProcessing,
        note.as_ref(),
    )
    .await?)
}

/// Resubmits several orders with one note, with a result per order.
#[server(endpoint = "resubmit-orders", output = TextJson)]
pub async fn resubmit_orders(ids: Vec<i64>, note: Option<String>) -> Result<BatchResult, ApiError> {
    use crate::server::services::actions::{self, Intent};
    use crate::server::services::history::NoteText;
    let (state, user) = context::user().await?;
    let note = NoteText::parse_optional(note.as_deref())?;
    Ok(actions::apply_many(&state.db, &user, &ids, &Intent::Resubmit, note.as_ref()).await?)
}

/// Adds a note to an order.
#[server(endpoint = "add-note", output = TextJson)]
pub async fn add_note(id: i64, body: String, internal: bool) -> Result<Note, ApiError> {
    use crate::server::services::history::NoteText;
    use crate::server::services::notes;
    let (state, user) = context::user().await?;
    let body = NoteText::parse(&body)?;
    Ok(notes::add(&state.db, &user, id, &body, internal).await?)
}

/// Moves an order as FTS staff (hold and reject need a reason, and may ask
/// for documents).
#[server(endpoint = "transition-order", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn transition_order(
    id: i64,
    to: Status,
    reason: Option<String>,
    required_documents: Vec<String>,
) -> Result<Order, ApiError> {
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    let intent = Intent::Move {
        to,
        reason,
        required_documents,
    };
    Ok(actions::perform(&state.db, &user, id, &intent, None).await?)
}

/// Every product with the documents a hold usually asks for (staff).
#[server(endpoint = "get-product-documents", output = TextJson)]
pub async fn get_product_documents() -> Result<Vec<ProductDocuments>, ApiError> {
    use crate::server::services::checklists;
    let (state, user) = context::user().await?;
    Ok(checklists::products(&state.db, &user).await?)
}

/// Replaces the documents listed for a product (administrators).
#[server(endpoint = "set-product-documents", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn set_product_documents(
    product_id: i64,
    documents: Vec<String>,
) -> Result<ProductDocuments, ApiError> {
    use crate::server::services::checklists::{self, DocumentList};
    let (state, user) = context::user().await?;
    let documents = DocumentList::parse(&documents)?;
    Ok(checklists::set_product_documents(&state.db, &user, product_id, &documents).await?)
}

/// The batches the user may see, newest first.
#[server(endpoint = "get-batches", output = TextJson)]
pub async fn get_batches(cursor: Option<String>) -> Result<ListPage<Batch>, ApiError> {
    use crate::server::services::batches;
    let (state, user) = context::user().await?;
    Ok(batches::list(&state.db, &user, cursor.as_deref(), None).await?)
}

/// One kept batch with its result per order.
#[server(endpoint = "get-batch", output = TextJson)]
pub async fn get_batch(id: i64) -> Result<BatchDetail, ApiError> {
    use crate::server::services::batches;
    let (state, user) = context::user().await?;
    Ok(batches::get(&state.db, &user, id).await?)
}

/// The signed-in user's newest notifications.
#[server(endpoint = "get-notifications", output = TextJson)]
pub async fn get_notifications() -> Result<Notifications, ApiError> {
    use crate::server::services::notifications;
    let (state, user) = context::user().await?;
    Ok(notifications::list(&state.db, &user).await?)
}

/// Marks one of the user's notifications read.
#[server(endpoint = "read-notification", output = TextJson)]
pub async fn read_notification(id: i64) -> Result<(), ApiError> {
    use crate::server::services::notifications;
    let (state, user) = context::user().await?;
    Ok(notifications::mark_read(&state.db, &user, id).await?)
}

/// Administration: one page of companies.
#[server(endpoint = "admin-companies", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn admin_companies(query: CompanyQuery) -> Result<ListPage<CompanyInfo>, ApiError> {
    use crate::server::services::admin;
    let (state, user) = context::user().await?;
    Ok(admin::list_companies(&state.db, &user, &query).await?)
}

/// Administration: one company with its user and order counts.
#[server(endpoint = "admin-company", output = TextJson)]
pub async fn admin_company(id: i64) -> Result<CompanyOverview, ApiError> {
    use crate::server::services::admin;
    let (state, user) = context::user().await?;
    Ok(admin::company_overview(&state.db, &user, id).await?)
}

/// Administration: creates a company.
#[server(endpoint = "admin-create-company", output = TextJson)]
pub async fn admin_create_company(
    name: String,
    has_account: bool,
    enable_cancel_order: bool,
) -> Result<CompanyInfo, ApiError> {
    use crate::server::services::admin::{self, NewCompany};
    let (state, user) = context::user().await?;
    let new = NewCompany {
        name,
        has_account,
        enable_cancel_order,
    };
    Ok(admin::create_company(&state.db, &user, &new).await?)
}

/// Administration: sets a company's billing and cancel flags.
#[server(endpoint = "admin-update-company", output = TextJson)]
pub async fn admin_update_company(
    id: i64,
    name: Option<String>,
    has_account: Option<bool>,
    enable_cancel_order: Option<bool>,
) -> Result<CompanyInfo, ApiError> {
    use crate::server::services::admin::{self, CompanyChange};
    let (state, user) = context::user().await?;
    let change = CompanyChange {
        name,
        has_account,
        enable_cancel_order,
    };
    Ok(admin::update_company(&state.db, &user, id, &change).await?)
}

/// Administration: one page of users.
#[server(endpoint = "admin-users", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn admin_users(query: UserQuery) -> Result<ListPage<AdminUser>, ApiError> {
    use crate::server::services::admin;
    let (state, user) = context::user().await?;
    Ok(admin::list_users(&state.db, &user, &query).await?)
}

/// Administration: creates a user.
#[server(endpoint = "admin-create-user", output = TextJson)]
pub async fn admin_create_user(
    email: String,
    name: String,
    password: String,
    group: Group,
    company_id: Option<i64>,
) -> Result<AdminUser, ApiError> {
    use crate::server::services::admin::{self, NewUser};
    let (state, user) = context::user().await?;
    let new = NewUser {
        email,
        name,
        password,
        group,
        company_id,
    };
    Ok(admin::create_user(&state.db, &user, &new).await?)
}

/// Administration: changes a user's group or disables them.
#[server(endpoint = "admin-update-user", output = TextJson)]
pub async fn admin_update_user(
    id: i64,
    group: Option<Group>,
    disabled: Option<bool>,
    password: Option<String>,
) -> Result<AdminUser, ApiError> {
    use crate::server::services::admin::{self, UserChange};
    let (state, user) = context::user().await?;
    let change = UserChange {
        group,
        disabled,
        password,
    };
    Ok(admin::update_user(&state.db, &user, id, &change).await?)
}

/// Moves several orders as FTS staff, with a result per order.
#[server(endpoint = "place-orders", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn place_orders(orders: Vec<NewOrder>) -> Result<PlacedOrders, ApiError> {
    use crate::server::services::placement;
    let (state, user) = context::user().await?;
    Ok(placement::place(&state.db, &user, &orders).await?)
}

#[server(endpoint = "transition-orders", input = leptos::server_fn::codec::Json, output = TextJson)]
pub async fn transition_orders(
    ids: Vec<i64>,
    to: Status,
    reason: Option<String>,
    required_documents: Vec<String>,
) -> Result<BatchResult, ApiError> {
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    let intent = Intent::Move {
        to,
        reason,
        required_documents,
    };
    Ok(actions::apply_many(&state.db, &user, &ids, &intent, None).await?)
}
