//! The JSON API: each area's router in its own module, merged here. The
//! specification's action routes keep their own paths (`/order/{id}/cancel`).

mod actions;
mod admin;
mod attachments;
mod auth;
mod events;
mod health;
mod notifications;
mod orders;
pub mod table;

use table::Routes;

/// Every JSON and file route; the API's own live under `/ordering/api`.
pub fn api_routes() -> Routes {
    Routes::new()
        .merge(actions::router())
        .merge(attachments::file_router())
        .merge(health::router())
        .nest(
            "/ordering/api",
            Routes::new()
                .merge(auth::router())
                .merge(admin::router())
                .merge(orders::router())
                .merge(notifications::router())
                .merge(events::router())
                .merge(attachments::upload_router()),
        )
}
