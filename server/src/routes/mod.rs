//! The JSON API: each area's router in its own module, merged here. The
//! specification's action routes keep their own paths (`/order/{id}/cancel`).

pub mod actions;
pub mod admin;
pub mod attachments;
pub mod auth;
pub mod batches;
mod docs;
pub mod events;
pub mod health;
mod metrics;
pub mod notifications;
pub mod orders;
pub mod stats;
pub mod table;

use table::Routes;

/// Every JSON and file route; the API's own live under `/ordering/api`.
pub fn api_routes() -> Routes {
    Routes::new()
        .merge(actions::router())
        .merge(attachments::file_router())
        .merge(health::router())
        .merge(metrics::router())
        .nest(
            "/ordering/api",
            Routes::new()
                .merge(auth::router())
                .merge(docs::router())
                .merge(admin::router())
                .merge(orders::router())
                .merge(notifications::router())
                .merge(stats::router())
                .merge(batches::router())
                .merge(events::router())
                .merge(attachments::upload_router()),
        )
}
