//! What every request handler, page and server function can reach.

use crate::server::db::Db;
use crate::server::lane::ReadLane;
use crate::server::storage::Storage;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Settings that shape behaviour at run time (from the environment).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a session lasts after sign-in.
    pub session_ttl_ms: i64,
    /// How long a session survives without a request.
    pub session_idle_ms: i64,
    /// Mark cookies `Secure` (the portal is served over https).
    pub secure_cookies: bool,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// How often an open event stream checks that its session still holds
    /// (and sends a keep-alive).
    pub live_check: std::time::Duration,
    /// The most event streams one user may hold open on this instance.
    pub live_streams_per_user: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_ttl_ms: 12 * 3_600_000,
            session_idle_ms: 60 * 60_000,
            secure_cookies: false,
            max_upload_bytes: 25 * 1024 * 1024,
            live_check: std::time::Duration::from_secs(15),
            live_streams_per_user: crate::server::live::STREAMS_PER_USER,
        }
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: Db,
    /// Where lists and searches wait their turn.
    pub read_lane: ReadLane,
    pub storage: Storage,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    /// Turns true when the server begins to shut down: event streams end,
    /// so that their clients reconnect to another instance.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// How this server keeps its event streams.
    pub fn stream_rules(&self) -> crate::server::live::StreamRules {
        crate::server::live::StreamRules {
            per_user: self.settings.live_streams_per_user,
            check_every: self.settings.live_check,
            session_idle_ms: self.settings.session_idle_ms,
        }
    }
}
