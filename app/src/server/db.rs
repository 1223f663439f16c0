//! The database: one code path for SQLite (default) and PostgreSQL through
//! sqlx's `Any` driver, with one migrations folder per engine.

use crate::server::error::{AppError, AppResult};
use sqlx::AnyConnection;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub type Db = AnyPool;

/// A write transaction. On SQLite it also holds the process's turn to
/// write: writers queue in order for it instead of each polling the
/// database's write lock (SQLite has one writer at a time, and its busy
/// handler sleeps in growing steps, which makes long tails under load).
pub struct Tx {
    transaction: sqlx::Transaction<'static, sqlx::Any>,
    turn: Option<OwnedMutexGuard<()>>,
    database_url: String,
    after_commit: Vec<Box<dyn FnOnce() + Send>>,
}

/// The idempotency claim of the request being answered: the request that
/// claimed `key` (see `services::idempotency`) holds `token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKey {
    pub user_id: i64,
    pub key: String,
    pub token: String,
}

tokio::task_local! {
    static CLAIMED_KEY: Option<ClaimedKey>;
}

/// The claim of the request being answered now, if any.
fn current_claim() -> Option<ClaimedKey> {
    CLAIMED_KEY.try_with(Clone::clone).ok().flatten()
}

/// Runs `work` (answering one request) under its idempotency claim: every
/// write transaction it commits records, in that same transaction, that the
/// claim took effect. A task-local rather than an argument, because the
/// services that commit are reached from handlers, server functions and
/// pages alike, and none of them should have to pass it along.
pub async fn under_claim<F: Future>(claim: ClaimedKey, work: F) -> F::Output {
    CLAIMED_KEY.scope(Some(claim), work).await
}

/// Runs `work` outside any idempotency claim: for a batch, whose orders
/// commit one by one. Marking the claim at the first would stop a retry
/// after a crash half-way from finishing the rest; each order's change is
/// conditional on its status, so running the batch again changes nothing
/// twice.
pub async fn without_claim<F: Future>(work: F) -> F::Output {
    CLAIMED_KEY.scope(None, work).await
}

/// `work` under the claim of the request being answered now, if any: for
/// work that the request hands to a task of its own.
pub fn under_current_claim<F: Future>(work: F) -> impl Future<Output = F::Output> {
    let claim = current_claim();
    CLAIMED_KEY.scope(claim, work)
}

impl Tx {
    /// Commits; under an idempotency claim, the claim is marked as applied
    /// in the same transaction, so that a retry can never repeat a change
    /// that committed, even if the process dies before the answer is kept.
    /// A claim that is no longer ours (taken over as abandoned) undoes the
    /// change instead.
    pub async fn commit(mut self) -> AppResult<()> {
        if let Some(claim) = current_claim() {
            let marked = sqlx::query(
                "UPDATE idempotency_keys SET applied = 1 \
                 WHERE user_id = $1 AND idempotency_key = $2 AND claim_token = $3",
            )
            .bind(claim.user_id)
            .bind(claim.key.as_str())
            .bind(claim.token.as_str())
            .execute(&mut *self.transaction)
            .await?
            .rows_affected();
            if marked == 0 {
                return Err(AppError::Conflict(
                    "Another request with this Idempotency-Key took over. Nothing was changed."
                        .to_owned(),
                ));
            }
        }
        self.transaction.commit().await?;
        for hook in self.after_commit.drain(..) {
            hook();
        }
        Ok(())
    }

    /// Runs `hook` once this transaction has committed; never if it rolls
    /// back.
    pub fn after_commit(&mut self, hook: impl FnOnce() + Send + 'static) {
        self.after_commit.push(Box::new(hook));
    }

    /// The engine this transaction runs on.
    pub fn engine(&self) -> Engine {
        if self.turn.is_some() {
            Engine::Sqlite
        } else {
            Engine::Postgres
        }
    }

    /// The URL of the database this transaction runs on: what tells apart
    /// the databases one process may have open (as tests do).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// What ends a `SELECT` of rows this transaction is about to write on
    /// what it reads: a row lock on PostgreSQL; nothing on SQLite, whose
    /// write transactions run one at a time.
    pub fn lock_rows(&self) -> &'static str {
        match self.engine() {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.transaction
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.transaction
    }
}

/// The turn to write of each SQLite database this process opened, by URL.
fn write_turn(url: &str) -> Arc<Mutex<()>> {
    static TURNS: LazyLock<std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let mut turns = TURNS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    turns.entry(url.to_owned()).or_default().clone()
}

/// The URL a pool connects to.
pub fn database_url(pool: &Db) -> String {
    pool.connect_options().database_url.to_string()
}

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// The longest a request waits for a database connection, unless the
/// configuration says otherwise.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Result<Engine, String> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err("DATABASE_URL must start with sqlite: or postgres://".to_owned())
        }
    }

    pub fn of_pool(pool: &Db) -> Engine {
        if pool.connect_options().database_url.scheme() == "sqlite" {
            Engine::Sqlite
        } else {
            Engine::Postgres
        }
    }
}

/// Opens a pool. SQLite files (and their folder) are created when missing,
/// in WAL mode so that readers never wait for the writer.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Db> {
    connect_with_timeout(url, max_connections, ACQUIRE_TIMEOUT).await
}

/// [`connect`], waiting at most `acquire_timeout` for a connection.
pub async fn connect_with_timeout(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of_url(url).map_err(anyhow::Error::msg)?;
    let url = match engine {
        Engine::Sqlite => sqlite_url_with_create(url)?,
        Engine::Postgres => url.to_owned(),
    };
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        // With the database unreachable, requests answer 503 after this
        // long instead of queueing behind connection attempts.
        .acquire_timeout(acquire_timeout)
        .after_connect(move |connection, _meta| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    connection
                        .execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    if engine == Engine::Sqlite {
        pool.execute("PRAGMA journal_mode = WAL;").await?;
    }
    Ok(pool)
}

/// Makes sure an SQLite URL creates its file, and that the file's folder exists.
fn sqlite_url_with_create(url: &str) -> anyhow::Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    let parent = std::path::Path::new(path).parent();
    if let Some(parent) = parent.filter(|dir| path != ":memory:" && !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Applies the migrations of the pool's engine that are not applied yet.
pub async fn migrate(pool: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match Engine::of_pool(pool) {
        Engine::Sqlite => SQLITE_MIGRATIONS.run(pool).await,
        Engine::Postgres => POSTGRES_MIGRATIONS.run(pool).await,
    }
}

/// Starts a write transaction. On SQLite it waits for the process's turn
/// to write, then takes the write lock at once (`BEGIN IMMEDIATE`): a
/// deferred transaction that reads and then writes fails with SQLITE_BUSY
/// under concurrency instead of waiting.
pub async fn begin_write(pool: &Db) -> AppResult<Tx> {
    let database_url = database_url(pool);
    let (transaction, turn) = match Engine::of_pool(pool) {
        Engine::Sqlite => {
            let turn = write_turn(&database_url).lock_owned().await;
            (pool.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
        }
        Engine::Postgres => (pool.begin().await?, None),
    };
    Ok(Tx {
        transaction,
        turn,
        database_url,
        after_commit: Vec::new(),
    })
}

/// Brings the query planner's statistics up to date where tables have
/// grown or shrunk since they were gathered (SQLite's `PRAGMA optimize`;
/// PostgreSQL's autovacuum does this by itself).
pub async fn refresh_planner_statistics(pool: &Db) -> AppResult<()> {
    if Engine::of_pool(pool) == Engine::Sqlite {
        pool.execute("PRAGMA optimize;").await?;
    }
    Ok(())
}

/// A status read from the database, where only canonical names are
/// written.
pub fn stored_status(text: String) -> AppResult<crate::rules::Status> {
    text.parse()
        .map_err(|error: crate::rules::UnknownStatus| AppError::Internal(error.to_string()))
}

/// A day in the milliseconds timestamps are stored in.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC calendar day of a stored timestamp.
pub fn date_of_ms(ms: i64) -> time::Date {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|at| at.date())
        .unwrap_or(time::Date::MIN)
}

/// Now, in unix milliseconds: the storage format of every timestamp.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A stored timestamp as RFC 3339 (UTC).
pub fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Booleans are stored as 0/1 BIGINT, the one form both engines decode.
pub fn flag(value: i64) -> bool {
    value != 0
}
