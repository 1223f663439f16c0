//! The portal's HTTP server: configuration, start-up, the JSON API and the
//! middleware around the Leptos pages.

pub mod config;
pub mod extract;
pub mod routes;
pub mod startup;
