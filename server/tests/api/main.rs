//! Integration tests of the JSON API and the service layer, each run on
//! SQLite and on PostgreSQL.

mod helpers;

mod actions;
mod admin;
mod attachments;
mod auth;
mod bad_input;
mod cross_origin;
mod mail;
mod notes;
mod orders;
mod staff;
