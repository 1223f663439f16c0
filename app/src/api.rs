//! Server functions: the pages' way to the service layer. Each one finds the
//! signed-in user, calls one service function and maps its error.

use crate::model::{
    AdminUser, BatchResult, CompanyInfo, CompanyOverview, CompanyQuery, Counts, FilterOptions,
    ListPage, Me, NamedRef, NewOrder, Note, Notifications, Order, OrderDetail, OrderPage,
    OrderQuery, PlacedOrders, UserQuery,
};
use crate::rules::{Group, Status};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod context {
    use crate::server::auth::CurrentUser;
    use crate::server::error::AppError;
    use crate::server::session::user_of_request;
    use crate::server::state::AppState;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, ServerFnError> {
        use_context::<AppState>().ok_or_else(|| {
            AppError::Internal("application state missing".to_owned()).into_server_fn_error()
        })
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
    pub async fn user() -> Result<(AppState, CurrentUser), ServerFnError> {
        let state = state()?;
        let user = match use_context::<http::request::Parts>() {
            Some(parts) => user_of_request(&state, &parts).await,
            None => Ok(None),
        };
        let user = user
            .and_then(|user| user.ok_or(AppError::Unauthorized))
            .map_err(AppError::into_server_fn_error)?;
        Ok((state, user))
    }
}

/// Signs in and sends the browser to the order list.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use crate::server::error::AppError;
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
    let (_, token) = auth::login(&state.db, &state.login_throttle, attempt, ttl)
        .await
        .map_err(AppError::into_server_fn_error)?;
    context::set_cookie(session::session_cookie(token, &state.settings));
    leptos_axum::redirect("/orders");
    Ok(())
}

/// Ends the session and sends the browser to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::{auth, session};
    let state = context::state()?;
    if let Some(token) = session::session_token(&context::headers(), &state.settings) {
        auth::logout(&state.db, &token)
            .await
            .map_err(AppError::into_server_fn_error)?;
    }
    context::set_cookie(session::removal_cookie(&state.settings));
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, their company and permissions.
#[server(endpoint = "get-me")]
pub async fn get_me() -> Result<Me, ServerFnError> {
    let (_, user) = context::user().await?;
    Ok(user.me())
}

/// The sidebar badges.
#[server(endpoint = "order-counts")]
pub async fn order_counts() -> Result<Counts, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    orders::counts(&state.db, &user)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// One page of a list, filtered as the query says.
#[server(endpoint = "list-orders", input = leptos::server_fn::codec::Json)]
pub async fn list_orders(query: OrderQuery) -> Result<OrderPage, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    state
        .read_lane
        .run(orders::list(&state.db, &user, &query))
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Staff: up to ten companies whose name holds `q`, to filter the queue by.
#[server(endpoint = "find-companies")]
pub async fn find_companies(q: String) -> Result<Vec<NamedRef>, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    orders::company_choices(&state.db, &user, &q)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// The products the list filters offer.
#[server(endpoint = "filter-options")]
pub async fn get_filter_options() -> Result<FilterOptions, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::orders;
    // Signed-in users only.
    let (state, _) = context::user().await?;
    orders::filter_options(&state.db)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// One order with its notes, documents and timeline.
#[server(endpoint = "get-order")]
pub async fn get_order(id: i64) -> Result<OrderDetail, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::orders;
    let (state, user) = context::user().await?;
    orders::detail(&state.db, &user, id)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Cancels one order; answers the order as it is now.
#[server(endpoint = "cancel-order")]
pub async fn cancel_order(id: i64) -> Result<Order, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    actions::perform(&state.db, &user, id, &Intent::Cancel, None)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Cancels several orders at once, with a result per order.
#[server(endpoint = "cancel-orders")]
pub async fn cancel_orders(ids: Vec<i64>) -> Result<BatchResult, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    actions::apply_many(&state.db, &user, &ids, &Intent::Cancel, None)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Submits (unprocessed, pending) or resubmits (on hold, rejected) one
/// order, with an optional note.
#[server(endpoint = "submit-order")]
pub async fn submit_order(id: i64, note: Option<String>) -> Result<Order, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::actions::{self, Intent};
    use crate::server::services::history::NoteText;
    let (state, user) = context::user().await?;
    let note = NoteText::parse_optional(note.as_deref()).map_err(AppError::into_server_fn_error)?;
    actions::perform(
        &state.db,
        &user,
        id,
        &Intent::SubmitForProcessing,
        note.as_ref(),
    )
    .await
    .map_err(AppError::into_server_fn_error)
}

/// Resubmits several orders with one note, with a result per order.
#[server(endpoint = "resubmit-orders")]
pub async fn resubmit_orders(
    ids: Vec<i64>,
    note: Option<String>,
) -> Result<BatchResult, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::actions::{self, Intent};
    use crate::server::services::history::NoteText;
    let (state, user) = context::user().await?;
    let note = NoteText::parse_optional(note.as_deref()).map_err(AppError::into_server_fn_error)?;
    actions::apply_many(&state.db, &user, &ids, &Intent::Resubmit, note.as_ref())
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Adds a note to an order.
#[server(endpoint = "add-note")]
pub async fn add_note(id: i64, body: String, internal: bool) -> Result<Note, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::history::NoteText;
    use crate::server::services::notes;
    let (state, user) = context::user().await?;
    let body = NoteText::parse(&body).map_err(AppError::into_server_fn_error)?;
    notes::add(&state.db, &user, id, &body, internal)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Moves an order as FTS staff (hold and reject need a reason).
#[server(endpoint = "transition-order")]
pub async fn transition_order(
    id: i64,
    to: Status,
    reason: Option<String>,
) -> Result<Order, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    actions::perform(&state.db, &user, id, &Intent::Move { to, reason }, None)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// The signed-in user's newest notifications.
#[server(endpoint = "get-notifications")]
pub async fn get_notifications() -> Result<Notifications, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::notifications;
    let (state, user) = context::user().await?;
    notifications::list(&state.db, &user)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Marks one of the user's notifications read.
#[server(endpoint = "read-notification")]
pub async fn read_notification(id: i64) -> Result<(), ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::notifications;
    let (state, user) = context::user().await?;
    notifications::mark_read(&state.db, &user, id)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: one page of companies.
#[server(endpoint = "admin-companies", input = leptos::server_fn::codec::Json)]
pub async fn admin_companies(query: CompanyQuery) -> Result<ListPage<CompanyInfo>, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin;
    let (state, user) = context::user().await?;
    admin::list_companies(&state.db, &user, &query)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: one company with its user and order counts.
#[server(endpoint = "admin-company")]
pub async fn admin_company(id: i64) -> Result<CompanyOverview, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin;
    let (state, user) = context::user().await?;
    admin::company_overview(&state.db, &user, id)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: creates a company.
#[server(endpoint = "admin-create-company")]
pub async fn admin_create_company(
    name: String,
    has_account: bool,
    enable_cancel_order: bool,
) -> Result<CompanyInfo, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin::{self, NewCompany};
    let (state, user) = context::user().await?;
    let new = NewCompany {
        name,
        has_account,
        enable_cancel_order,
    };
    admin::create_company(&state.db, &user, &new)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: sets a company's billing and cancel flags.
#[server(endpoint = "admin-update-company")]
pub async fn admin_update_company(
    id: i64,
    name: Option<String>,
    has_account: Option<bool>,
    enable_cancel_order: Option<bool>,
) -> Result<CompanyInfo, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin::{self, CompanyChange};
    let (state, user) = context::user().await?;
    let change = CompanyChange {
        name,
        has_account,
        enable_cancel_order,
    };
    admin::update_company(&state.db, &user, id, &change)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: one page of users.
#[server(endpoint = "admin-users", input = leptos::server_fn::codec::Json)]
pub async fn admin_users(query: UserQuery) -> Result<ListPage<AdminUser>, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin;
    let (state, user) = context::user().await?;
    admin::list_users(&state.db, &user, &query)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: creates a user.
#[server(endpoint = "admin-create-user")]
pub async fn admin_create_user(
    email: String,
    name: String,
    password: String,
    group: Group,
    company_id: Option<i64>,
) -> Result<AdminUser, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin::{self, NewUser};
    let (state, user) = context::user().await?;
    let new = NewUser {
        email,
        name,
        password,
        group,
        company_id,
    };
    admin::create_user(&state.db, &user, &new)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Administration: changes a user's group or disables them.
#[server(endpoint = "admin-update-user")]
pub async fn admin_update_user(
    id: i64,
    group: Option<Group>,
    disabled: Option<bool>,
    password: Option<String>,
) -> Result<AdminUser, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::admin::{self, UserChange};
    let (state, user) = context::user().await?;
    let change = UserChange {
        group,
        disabled,
        password,
    };
    admin::update_user(&state.db, &user, id, &change)
        .await
        .map_err(AppError::into_server_fn_error)
}

/// Moves several orders as FTS staff, with a result per order.
#[server(endpoint = "place-orders", input = leptos::server_fn::codec::Json)]
pub async fn place_orders(orders: Vec<NewOrder>) -> Result<PlacedOrders, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::placement;
    let (state, user) = context::user().await?;
    placement::place(&state.db, &user, &orders)
        .await
        .map_err(AppError::into_server_fn_error)
}

#[server(endpoint = "transition-orders")]
pub async fn transition_orders(
    ids: Vec<i64>,
    to: Status,
    reason: Option<String>,
) -> Result<BatchResult, ServerFnError> {
    use crate::server::error::AppError;
    use crate::server::services::actions::{self, Intent};
    let (state, user) = context::user().await?;
    actions::apply_many(&state.db, &user, &ids, &Intent::Move { to, reason }, None)
        .await
        .map_err(AppError::into_server_fn_error)
}
