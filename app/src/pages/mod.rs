//! The pages of the portal.

mod admin;
mod batches;
mod dashboard;
mod login;
mod new_order;
mod notifications;
mod order;
mod orders;

pub use admin::{AdminCompaniesPage, AdminCompanyPage, AdminProductsPage, AdminUsersPage};
pub use batches::{BatchPage, BatchesPage};
pub use dashboard::DashboardPage;
pub use login::LoginPage;
pub use new_order::NewOrderPage;
pub use notifications::NotificationsPage;
pub use order::OrderPage;
pub use orders::OrdersPage;

use crate::api_error::ApiError;
use leptos::prelude::*;
use leptos_meta::Title;

/// The error of an action's last run, as an alert, for a view.
pub fn action_error<I, O>(
    action: Action<I, Result<O, ApiError>>,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <p class="error" role="alert">{error.message}</p> }.into_any())
    }
}

/// What a page that does not exist, or is not the user's, says.
fn not_found_message() -> impl IntoView {
    view! {
        <Title text="Not found"/>
        <h1>"Page not found"</h1>
        <p><a href="/orders">"Back to your orders"</a></p>
    }
}

/// Inside the frame: the page of something the user may not see. The
/// server has already answered it with 404.
#[component]
pub fn HiddenPage() -> impl IntoView {
    view! { <section class="panel">{not_found_message()}</section> }
}

/// A path no page has.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! { <main class="standalone">{not_found_message()}</main> }
}
