//! Configuration from the command line and the environment (and `.env`).

use app::server::lane::ReadLane;
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database URL: `sqlite://path/to/file.db` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/portal.db")]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,

    /// Directory holding the built browser bundle (`pkg/`) and styles.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Directory for uploaded files; with `FILES_URL`, only for temporary
    /// files.
    #[arg(long, env = "FILES_DIR", default_value = "data/files")]
    pub files_dir: PathBuf,

    /// Object storage for uploaded files, `s3://bucket[/prefix]`, configured
    /// by the `AWS_*` variables (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`). Unset:
    /// files are kept in `FILES_DIR`.
    #[arg(long, env = "FILES_URL")]
    pub files_url: Option<String>,

    /// Object store settings beyond the environment, by object_store's
    /// keys (`aws_endpoint`, …): for programs that build the portal, such
    /// as its tests.
    #[arg(skip)]
    pub object_store_options: Vec<(String, String)>,

    /// Load the demo data when the database is empty.
    #[arg(long, env = "SEED_DEMO", action = ArgAction::Set, default_value_t = true)]
    pub seed_demo: bool,

    /// Hours a session lasts after sign-in.
    #[arg(long, env = "SESSION_TTL_HOURS", default_value_t = 12)]
    pub session_ttl_hours: u32,

    /// Minutes a session survives without a request.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: u32,

    /// Mark cookies Secure and name the session cookie `__Host-…`; set when
    /// the portal is served over https.
    #[arg(long, env = "SECURE_COOKIES", action = ArgAction::Set, default_value_t = false)]
    pub secure_cookies: bool,

    /// Largest accepted upload, in MiB.
    #[arg(long, env = "MAX_UPLOAD_MB", default_value_t = 25)]
    pub max_upload_mb: u64,

    /// SMTP server for notification e-mails, e.g. `smtp://mail.example.com:587?tls=required`
    /// or `smtps://user:password@mail.example.com`; unset: no e-mail.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender of notification e-mails.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Ordering Portal <no-reply@portal.invalid>"
    )]
    pub mail_from: String,

    /// The portal's address as users reach it, for links in e-mails; its
    /// origin (scheme, host, port) is one that changes are accepted from.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,

    /// More origins that changes are accepted from, comma-separated (for
    /// a portal reached under several names). The address the portal
    /// listens on is always one.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Minutes a stored file without an attachment record is kept before
    /// the clean-up removes it (uploads in progress are younger).
    #[arg(long, env = "ORPHAN_FILE_GRACE_MINUTES", default_value_t = 60)]
    pub orphan_file_grace_minutes: u64,

    /// Connections in the database pool.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,

    /// Milliseconds a request waits for a database connection before it
    /// answers 503: with lists and searches in their own lane, only an
    /// unreachable database makes it wait that long.
    #[arg(long, env = "DB_ACQUIRE_TIMEOUT_MS", default_value_t = 3_000)]
    pub db_acquire_timeout_ms: u64,

    /// Lists and searches that may hold a database connection at once; the
    /// rest of the pool stays free for everything else. At most one less
    /// than `DB_MAX_CONNECTIONS`.
    #[arg(long, env = "DB_LIST_CONCURRENCY", default_value_t = 4)]
    pub db_list_concurrency: u32,

    /// Milliseconds between an open event stream's checks that its session
    /// still holds (a stream ends this long after sign-out at the latest).
    #[arg(long, env = "LIVE_CHECK_MS", default_value_t = 15_000)]
    pub live_check_ms: u64,

    /// Event streams one user may hold open on this instance (a tab each);
    /// the next is asked to try again later.
    #[arg(long, env = "LIVE_STREAMS_PER_USER", default_value_t = app::server::live::STREAMS_PER_USER)]
    pub live_streams_per_user: usize,

    /// Keep the `X-Request-Id` a request arrives with: set it only behind
    /// a proxy that sets (or replaces) that header on every request.
    /// Otherwise every request gets an id of the portal's own.
    #[arg(long, env = "REQUEST_ID_FROM_PROXY", action = ArgAction::Set, default_value_t = false)]
    pub request_id_from_proxy: bool,

    /// The bearer token that `GET /metrics` requires; unset: `/metrics`
    /// is not served.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// `json` for one JSON object per log line (for a log collector);
    /// anything else for plain text.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

/// How long a list or search waits for its turn before it answers "busy".
const LIST_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

impl Config {
    /// The lane of lists and searches: see `db_list_concurrency`.
    pub fn read_lane(&self) -> ReadLane {
        let concurrency = self
            .db_list_concurrency
            .min(self.db_max_connections.saturating_sub(1));
        ReadLane::new(concurrency, LIST_PATIENCE)
    }

    /// Where uploaded files are kept.
    pub fn storage(&self) -> anyhow::Result<app::server::storage::Storage> {
        app::server::storage::Storage::open(
            self.files_url.as_deref(),
            &self.files_dir,
            &self.object_store_options,
        )
    }

    pub fn orphan_file_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.orphan_file_grace_minutes * 60)
    }

    /// The settings that handlers read at run time.
    pub fn settings(&self) -> app::server::state::Settings {
        app::server::state::Settings {
            session_ttl_ms: i64::from(self.session_ttl_hours) * 3_600_000,
            session_idle_ms: i64::from(self.session_idle_minutes) * 60_000,
            secure_cookies: self.secure_cookies,
            max_upload_bytes: self.max_upload_mb * 1024 * 1024,
            live_check: std::time::Duration::from_millis(self.live_check_ms.max(100)),
            live_streams_per_user: self.live_streams_per_user.max(1),
        }
    }
}
