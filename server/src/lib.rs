//! The portal's HTTP server: configuration, start-up, the JSON API and the
//! middleware around the Leptos pages.

// Leptos views are deeply nested types; release builds need the room.
#![recursion_limit = "256"]

pub mod api_doc;
pub mod config;
pub mod extract;
pub mod housekeeping;
pub mod idempotency;
pub mod metrics;
pub mod origins;
pub mod outage;
pub mod page_render;
pub mod request_id;
pub mod routes;
pub mod startup;
pub mod text_input;
