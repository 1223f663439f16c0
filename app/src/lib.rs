//! The Ordering Portal application: rules and shapes shared by the server and
//! the browser, the pages, and (with `ssr`) the server side behind them.

// Leptos views are deeply nested types; release builds need the room.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;

use components::Shell;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use pages::{
    AdminCompaniesPage, AdminCompanyPage, AdminUsersPage, LoginPage, NewOrderPage, NotFound,
    NotificationsPage, OrderPage, OrdersPage,
};
use rules::View;

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
                <HydrationScripts options/>
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
        <Stylesheet id="leptos" href="/pkg/ordering-portal.css"/>
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
                    <Route path=path!("/admin") view=AdminCompaniesPage/>
                    <Route path=path!("/admin/companies") view=AdminCompaniesPage/>
                    <Route path=path!("/admin/companies/:id") view=AdminCompanyPage/>
                    <Route path=path!("/admin/users") view=AdminUsersPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
