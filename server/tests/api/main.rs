//! Integration tests of the JSON API and the service layer, each run on
//! SQLite and on PostgreSQL.

mod helpers;

mod actions;
mod admin;
mod admin_lists;
mod api_doc;
mod attachments;
mod auth;
mod bad_input;
mod batches;
mod bundles;
mod checklists;
mod crash;
mod cross_origin;
mod export;
mod faults;
mod fuzz;
mod idempotency;
mod left_pages;
mod live;
mod mail;
mod memory;
mod metrics;
mod notes;
mod object_storage;
mod orders;
mod overload;
mod placement;
mod races;
mod request_ids;
mod routes;
mod scale;
mod sla;
mod staff;
mod stats;
mod text_input;
mod throttle;
mod upload_server_fn;
