//! The Ordering Portal application: rules and shapes shared by the server and
//! the browser, the pages, and (with `ssr`) the server side behind them.

// Leptos views are deeply nested types; release builds need the room.
#![recursion_limit = "256"]

pub mod api;
pub mod api_error;
pub mod bundle;
pub mod components;
pub mod live;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod text_json;
pub mod upload_body;

use components::Shell;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use pages::{
    AdminCompaniesPage, AdminCompanyPage, AdminProductsPage, AdminUsersPage, BatchPage,
    BatchesPage, DashboardPage, LoginPage, NewOrderPage, NotFound, NotificationsPage, OrderPage,
    OrdersPage,
};
use rules::View;

/// The portal's icon: a white "O" on the brand's blue, as a data URI.
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='6' fill='%231f5fbf'/%3E%3Ccircle cx='16' cy='16' r='8' fill='none' stroke='white' stroke-width='4'/%3E%3C/svg%3E";

/// The HTML document around the application.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::security::send_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Follow your FTS orders and act on them: status, documents, notes and vendor reports."/>
                // Inline, so that no request goes out for it (and none to /favicon.ico).
                <link rel="icon" type="image/svg+xml" href=FAVICON/>
                <bundle::BundleTags options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · Ordering Portal")/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("/orders") view=|| view! { <OrdersPage view=View::InProgress/> }/>
                    <Route path=path!("/orders/on-hold") view=|| view! { <OrdersPage view=View::OnHold/> }/>
                    <Route path=path!("/orders/resubmitted") view=|| view! { <OrdersPage view=View::Resubmitted/> }/>
                    <Route path=path!("/orders/completed") view=|| view! { <OrdersPage view=View::Completed/> }/>
                    <Route path=path!("/orders/cancelled") view=|| view! { <OrdersPage view=View::Cancelled/> }/>
                    <Route path=path!("/orders/new") view=NewOrderPage/>
                    <Route path=path!("/order/:id") view=OrderPage/>
                    <Route path=path!("/notifications") view=NotificationsPage/>
                    <Route path=path!("/dashboard") view=DashboardPage/>
                    <Route path=path!("/admin") view=AdminCompaniesPage/>
                    <Route path=path!("/admin/companies") view=AdminCompaniesPage/>
                    <Route path=path!("/admin/companies/:id") view=AdminCompanyPage/>
                    <Route path=path!("/admin/users") view=AdminUsersPage/>
                    <Route path=path!("/admin/products") view=AdminProductsPage/>
                    <Route path=path!("/batches") view=BatchesPage/>
                    <Route path=path!("/batches/:id") view=BatchPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
