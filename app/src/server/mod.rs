//! Everything that runs only on the server: storage, authentication and the
//! service layer that pages, server functions and JSON handlers share.

pub mod auth;
pub mod db;
pub mod error;
pub mod lane;
pub mod live;
pub mod mail;
pub mod order_number;
pub mod scale;
pub mod security;
pub mod seed;
pub mod services;
pub mod session;
pub mod sql;
pub mod state;
pub mod storage;
pub mod text;
pub mod throttle;
pub mod upload_form;
