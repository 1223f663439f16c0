//! `spawn_app()`: every test gets its own database (SQLite file or
//! PostgreSQL database) and its own port, with the demo data loaded.

use app::server::state::AppState;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use server::config::Config;
use server::startup::Application;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::Duration;

pub const PASSWORD: &str = "demo-password";

/// A request the server does not answer in this time fails its test
/// instead of hanging the run.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a server may take to shut down as on SIGTERM: it gives the
/// pages its visitors left 30 s to finish rendering, so a shutdown that
/// takes longer than this has a request that never ends.
pub const SHUTDOWN_TIMEOUT: Duration =
    Duration::from_secs(server::page_render::ABANDONED_RENDER_LIMIT.as_secs() + 15);

/// A runtime whose requests have all ended and that still does not stop
/// in this time has a worker thread stuck for good.
const RUNTIME_STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// Every status as the wire names it, written out so that the tests do not
/// lean on the rules module they check.
pub const STATUSES: [&str; 11] = [
    "unprocessed",
    "pending",
    "submitted",
    "on_hold",
    "rejected",
    "resubmitted",
    "ordered",
    "allocated",
    "received",
    "complete",
    "cancelled",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    engine: Engine,
    config: Config,
    pub state: AppState,
    /// The runtime the server runs on, apart from the test's own, so that
    /// its panics can be told apart and its shutdown timed.
    server: Option<ServerRuntime>,
    server_id: u64,
    _dir: tempfile::TempDir,
    postgres_database: Option<String>,
}

/// A server's own runtime. Its threads are named after it, which is how
/// the panic hook knows whose panic it sees.
struct ServerRuntime {
    id: u64,
    runtime: tokio::runtime::Runtime,
    /// Asks the server to shut down as on SIGTERM.
    stop: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

const SERVER_THREAD_PREFIX: &str = "portal-server-";

/// Panic messages seen on each test server's threads.
fn server_panics() -> &'static Mutex<BTreeMap<u64, Vec<String>>> {
    static PANICS: OnceLock<Mutex<BTreeMap<u64, Vec<String>>>> = OnceLock::new();
    PANICS.get_or_init(Mutex::default)
}

/// Records every panic on a server thread, then reports it as usual.
fn count_server_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let server = std::thread::current()
                .name()
                .and_then(|name| name.strip_prefix(SERVER_THREAD_PREFIX))
                .and_then(|id| id.parse::<u64>().ok());
            if let Some(server) = server {
                server_panics()
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .entry(server)
                    .or_default()
                    .push(info.to_string());
            }
            report(info);
        }));
    });
}

impl ServerRuntime {
    /// Builds the application on a runtime of its own and serves it there.
    async fn start(config: Config) -> (ServerRuntime, AppState, String) {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        count_server_panics();
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(format!("{SERVER_THREAD_PREFIX}{id}"))
            .enable_all()
            .build()
            .expect("the server's runtime");
        let application = runtime
            .spawn(async move { Application::build(&config).await })
            .await
            .expect("building the application panicked")
            .expect("build the application");
        let address = format!("http://{}", application.address());
        let state = application.state().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let serving = runtime.spawn(application.run_until(async {
            let _ = stopped.await;
        }));
        let server = ServerRuntime {
            id,
            runtime,
            stop,
            serving,
        };
        (server, state, address)
    }

    /// Shuts the server down as SIGTERM does, within `limit`, then stops
    /// the runtime; otherwise says which did not end in time.
    fn shut_down_within(self, limit: Duration) -> Result<(), String> {
        let (progress, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let ServerRuntime {
                runtime,
                stop,
                serving,
                ..
            } = self;
            let _ = stop.send(());
            let served = runtime.block_on(async { tokio::time::timeout(limit, serving).await });
            let _ = progress.send(served.is_ok());
            drop(runtime);
            let _ = progress.send(true);
        });
        let outcome = match wait.recv_timeout(limit + RUNTIME_STOP_TIMEOUT) {
            Ok(true) => match wait.recv_timeout(RUNTIME_STOP_TIMEOUT) {
                Ok(_) => Ok(()),
                Err(_) => Err(format!(
                    "a worker thread is stuck: the runtime did not stop within \
                     {RUNTIME_STOP_TIMEOUT:?}"
                )),
            },
            Ok(false) => Err(format!(
                "requests or page renders were still running {limit:?} after the shutdown signal"
            )),
            Err(_) => Err(format!(
                "a worker thread is stuck: the shutdown did not end within {:?}",
                limit + RUNTIME_STOP_TIMEOUT
            )),
        };
        if outcome.is_err() && std::env::var_os("PORTAL_TEST_HOLD_WHEN_STUCK").is_some() {
            eprintln!(
                "{outcome:?}; process {} held for a debugger",
                std::process::id()
            );
            std::thread::sleep(Duration::from_secs(3600));
        }
        outcome
    }
}

/// The PostgreSQL server tests use: `TEST_DATABASE_URL`, else the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Says, in the test run's output, that a PostgreSQL test did not run.
/// Written past the test harness's capture, which would hide it behind an
/// "ok".
pub fn report_postgres_skip(test: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: PostgreSQL is not reachable (set TEST_DATABASE_URL, or REQUIRE_POSTGRES=1 to fail instead)"
    );
}

/// Whether PostgreSQL tests run. When `REQUIRE_POSTGRES=1` (CI) an
/// unreachable server fails the tests instead of skipping them.
pub async fn postgres_available() -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    if let Some(reachable) = REACHABLE.get() {
        return *reachable;
    }
    sqlx::any::install_default_drivers();
    let reachable = {
        use sqlx::Connection;
        sqlx::AnyConnection::connect(&postgres_admin_url())
            .await
            .is_ok()
    };
    if !reachable && std::env::var("REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!(
            "PostgreSQL is required (REQUIRE_POSTGRES=1) but {} is unreachable",
            postgres_admin_url()
        );
    }
    *REACHABLE.get_or_init(|| reachable)
}

fn with_database(url: &str, database: &str) -> String {
    match url.rfind('/') {
        Some(slash) if slash > "postgres://".len() => format!("{}/{database}", &url[..slash]),
        _ => format!("{url}/{database}"),
    }
}

async fn admin_execute(sql: &str) {
    use sqlx::{Connection, Executor};
    let mut connection = sqlx::AnyConnection::connect(&postgres_admin_url())
        .await
        .expect("connect to PostgreSQL");
    connection.execute(sql).await.expect(sql);
    let _ = connection.close().await;
}

/// A new, empty database: an SQLite file in `dir`, or a PostgreSQL
/// database (its URL, and its name for `drop_postgres_database`).
pub async fn new_database(engine: Engine, dir: &std::path::Path) -> (String, Option<String>) {
    match engine {
        Engine::Sqlite => (
            format!("sqlite://{}", dir.join("portal.db").display()),
            None,
        ),
        Engine::Postgres => {
            let (url, name) = create_postgres_database().await;
            (url, Some(name))
        }
    }
}

/// A new, empty PostgreSQL database: its URL and name.
pub async fn create_postgres_database() -> (String, String) {
    let name = format!("portal_test_{:016x}", rand::random::<u64>());
    admin_execute(&format!("CREATE DATABASE {name}")).await;
    (with_database(&postgres_admin_url(), &name), name)
}

pub async fn drop_postgres_database(name: &str) {
    admin_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}

/// The S3-compatible server the storage tests use (`scripts/object-store`
/// starts one): its endpoint and bucket, or `None` (the tests are skipped
/// then, unless `REQUIRE_S3=1`).
pub fn object_store() -> Option<(String, String)> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT").ok();
    if endpoint.is_none() && std::env::var("REQUIRE_S3").as_deref() == Ok("1") {
        panic!("an S3-compatible server is required (REQUIRE_S3=1) but TEST_S3_ENDPOINT is unset");
    }
    let bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "portal-test".to_owned());
    endpoint.map(|endpoint| (endpoint, bucket))
}

/// Points `config` at a prefix of its own in the bucket at `endpoint`.
pub fn use_object_store(config: &mut Config, endpoint: &str, bucket: &str) {
    let prefix = format!("test-{:016x}", rand::random::<u64>());
    config.files_url = Some(format!("s3://{bucket}/{prefix}"));
    config.object_store_options = [
        ("aws_endpoint", endpoint),
        ("aws_allow_http", "true"),
        ("aws_region", "us-east-1"),
        ("aws_access_key_id", "portal-tests"),
        ("aws_secret_access_key", "portal-tests"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
}

/// Starts the portal on a free port over a fresh database with demo data.
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, |_| {}).await
}

/// `spawn_app`, with the configuration adjusted first.
pub async fn spawn_app_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (database_url, postgres_database) = new_database(engine, dir.path()).await;
    // A stand-in for the browser bundle, so that static files can be probed.
    let site_root = dir.path().join("site");
    std::fs::create_dir_all(site_root.join("pkg")).expect("site directory");
    std::fs::write(site_root.join("pkg/probe.css"), "body {}\n").expect("probe file");
    let mut config = Config {
        database_url,
        addr: "127.0.0.1:0".to_owned(),
        site_root,
        files_dir: dir.path().join("files"),
        files_url: None,
        object_store_options: Vec::new(),
        seed_demo: true,
        session_ttl_hours: 12,
        session_idle_minutes: 60,
        secure_cookies: false,
        // Small, so that the limit is cheap to pass in tests.
        max_upload_mb: 1,
        db_max_connections: 5,
        db_acquire_timeout_ms: 3_000,
        db_list_concurrency: 3,
        orphan_file_grace_minutes: 60,
        smtp_url: None,
        mail_from: "Ordering Portal <portal@fts.test>".to_owned(),
        public_url: "https://portal.fts.test".to_owned(),
        allowed_origins: vec!["https://partner.fts.test:8443".to_owned()],
        // Streams check their session often, so that tests of a stream's
        // end need not wait long.
        live_check_ms: 500,
        live_streams_per_user: app::server::live::STREAMS_PER_USER,
        request_id_from_proxy: false,
        metrics_token: None,
        log_format: "text".to_owned(),
    };
    adjust(&mut config);
    let (server, state, address) = ServerRuntime::start(config.clone()).await;
    TestApp {
        address,
        engine,
        config,
        state,
        server_id: server.id,
        server: Some(server),
        _dir: dir,
        postgres_database,
    }
}

impl Drop for TestApp {
    /// Stops the server, removes its database, and fails the test when a
    /// server thread panicked or the server did not stop in time (a worker
    /// blocked for good).
    fn drop(&mut self) {
        let stopped = self.shut_down();
        let pool = self.state.db.clone();
        let postgres_database = self.postgres_database.take();
        // Dropped inside the test's runtime: a thread of its own may block.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async move {
                    // A connection a test left checked out would make
                    // `close` wait forever; the drop below forces it.
                    let _ = tokio::time::timeout(CLOSE_TIMEOUT, pool.close()).await;
                    if let Some(name) = postgres_database {
                        drop_postgres_database(&name).await;
                    }
                });
        })
        .join();
        if std::thread::panicking() {
            return;
        }
        if let Err(why) = stopped {
            panic!("the server did not shut down: {why}");
        }
        let panics = self.panics();
        assert!(
            panics.is_empty(),
            "the server panicked {} times: {panics:#?}",
            panics.len()
        );
    }
}

impl TestApp {
    /// Shuts the server down as SIGTERM does and stops its runtime; false
    /// when that took longer than `SHUTDOWN_TIMEOUT`. Later calls answer
    /// true.
    pub fn shut_down(&mut self) -> Result<(), String> {
        match self.server.take() {
            Some(server) => server.shut_down_within(SHUTDOWN_TIMEOUT),
            None => Ok(()),
        }
    }

    /// What panicked on this server's threads so far.
    pub fn panics(&self) -> Vec<String> {
        server_panics()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&self.server_id)
            .cloned()
            .unwrap_or_default()
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A second portal process on this one's database and file store, as
    /// behind a load balancer. Dropped first, it leaves the database be.
    pub async fn other_instance(&self) -> TestApp {
        let (server, state, address) = ServerRuntime::start(self.config.clone()).await;
        TestApp {
            address,
            engine: self.engine,
            config: self.config.clone(),
            state,
            server_id: server.id,
            server: Some(server),
            _dir: tempfile::tempdir().expect("temporary directory"),
            postgres_database: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A client without a session that does not follow redirects.
    pub fn anonymous(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Posts `credentials` to the sign-in route with `client`.
    pub async fn sign_in(&self, client: &Client, credentials: Value) -> Response {
        client
            .post(self.url("/ordering/api/login"))
            .json(&credentials)
            .send()
            .await
            .expect("login request")
    }

    /// A client signed in as `email` with the demo password.
    pub async fn login(&self, email: &str) -> Client {
        let client = self.anonymous();
        let response = self
            .sign_in(&client, json!({"email": email, "password": PASSWORD}))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "login as {email}");
        client
    }

    pub async fn get_json(&self, client: &Client, path: &str) -> (StatusCode, Value) {
        json_of(client.get(self.url(path)).send().await.expect("request")).await
    }

    /// The numbers of the orders a client sees through `path`.
    pub async fn numbers(&self, client: &Client, path: &str) -> Vec<String> {
        let (status, body) = self.get_json(client, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .map(|order| order["number"].as_str().expect("number").to_owned())
            .collect()
    }

    /// Every order the list `/ordering/api/orders?{query}` shows a client,
    /// page after page (of 100, unless the query sets `limit`), following
    /// `next_cursor`.
    pub async fn every_listed_order(&self, client: &Client, query: &str) -> Vec<Value> {
        let mut orders = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            // A page of 100 unless the query names its own size.
            let limit = if query.contains("limit=") {
                ""
            } else {
                "limit=100&"
            };
            let mut path = format!("/ordering/api/orders?{limit}{query}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let (status, body) = self.get_json(client, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            orders.extend(body["orders"].as_array().expect("orders").iter().cloned());
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return orders,
            }
        }
    }

    pub async fn post_json(&self, client: &Client, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(
            client
                .post(self.url(path))
                .json(&body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn patch_json(
        &self,
        client: &Client,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        json_of(
            client
                .patch(self.url(path))
                .json(&body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// A server-function style form POST: the status and the raw answer.
    pub async fn post_form(&self, client: &Client, path: &str, form: &str) -> (StatusCode, String) {
        let response = client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// A POST without a body.
    pub async fn post_empty(&self, client: &Client, path: &str) -> (StatusCode, Value) {
        json_of(client.post(self.url(path)).send().await.expect("request")).await
    }

    /// The stored status of a demo order.
    pub async fn status_of(&self, number: &str) -> String {
        use sqlx::Row;
        sqlx::query("SELECT status FROM orders WHERE number = $1")
            .bind(number)
            .fetch_one(&self.state.db)
            .await
            .expect("demo order")
            .get("status")
    }

    /// Puts a demo order into `status` directly, to set up a case.
    pub async fn force_status(&self, number: &str, status: &str) {
        sqlx::query("UPDATE orders SET status = $1 WHERE number = $2")
            .bind(status)
            .bind(number)
            .execute(&self.state.db)
            .await
            .expect("set status");
    }

    /// The single number a query without parameters answers.
    pub async fn scalar(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(&self.state.db)
            .await
            .expect(sql)
            .get::<i64, _>(0)
    }

    /// The single number a counting query answers.
    pub async fn count(&self, sql: &str, number: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .bind(number)
            .fetch_one(&self.state.db)
            .await
            .expect(sql)
            .get::<i64, _>(0)
    }

    /// Status-change events of a demo order.
    pub async fn status_events(&self, number: &str) -> i64 {
        self.count(
            "SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id \
             WHERE o.number = $1 AND e.kind = 'status'",
            number,
        )
        .await
    }

    /// Notifications about a demo order.
    pub async fn notifications(&self, number: &str) -> i64 {
        self.count(
            "SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id WHERE o.number = $1",
            number,
        )
        .await
    }

    /// Refunds of a demo order.
    pub async fn refunds(&self, number: &str) -> i64 {
        self.count(
            "SELECT COUNT(*) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.number = $1",
            number,
        )
        .await
    }

    /// The upload directory.
    pub fn files_dir(&self) -> PathBuf {
        self._dir.path().join("files")
    }

    /// Files in the upload directory.
    pub fn stored_files(&self) -> usize {
        std::fs::read_dir(self.files_dir())
            .map(|dir| dir.count())
            .unwrap_or(0)
    }

    /// Uploads `(filename, bytes)` files to an order as multipart, through
    /// the JSON route.
    pub async fn upload(
        &self,
        client: &Client,
        order_id: i64,
        files: &[(&str, &[u8])],
        kind: Option<&str>,
    ) -> (StatusCode, Value) {
        self.upload_by(UploadWay::JsonRoute, client, order_id, files, kind)
            .await
    }

    /// The same upload, by `way`.
    pub async fn upload_by(
        &self,
        way: UploadWay,
        client: &Client,
        order_id: i64,
        files: &[(&str, &[u8])],
        kind: Option<&str>,
    ) -> (StatusCode, Value) {
        self.post_upload(client, &way.path(order_id), files, kind)
            .await
    }

    async fn post_upload(
        &self,
        client: &Client,
        path: &str,
        files: &[(&str, &[u8])],
        kind: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
            );
        }
        if let Some(kind) = kind {
            form = form.text("kind", kind.to_owned());
        }
        json_of(
            client
                .post(self.url(path))
                .multipart(form)
                .send()
                .await
                .expect("upload"),
        )
        .await
    }

    /// The id of a demo order by its number.
    pub async fn order_id(&self, number: &str) -> i64 {
        use sqlx::Row;
        sqlx::query("SELECT id FROM orders WHERE number = $1")
            .bind(number)
            .fetch_one(&self.state.db)
            .await
            .expect("demo order")
            .get("id")
    }
}

///
/// An error body names its request: its `request_id` (in `error`, or
/// beside `code` for server functions) must be the answer's
/// `X-Request-Id`. It is checked here and taken out, so that tests compare
/// bodies (two refusals that must look alike, a replayed answer) by what
/// they say.
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let header_id = request_id(response.headers());
    let text = response.text().await.expect("body");
    let mut body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"));
    if (status.is_client_error() || status.is_server_error()) && body.is_object() {
        let named = take_request_id(&mut body);
        assert_eq!(
            named.as_ref().and_then(Value::as_str),
            header_id.as_deref(),
            "{status}: the error names its request: {text}"
        );
    }
    (status, body)
}

/// The answer's `X-Request-Id`.
pub fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    Some(headers.get("x-request-id")?.to_str().ok()?.to_owned())
}

/// Takes the request's id out of an error body (the JSON API's, inside
/// `error`, or a server function's, beside `code`).
pub fn take_request_id(body: &mut Value) -> Option<Value> {
    let detail = match body.get_mut("error") {
        Some(detail) if detail.is_object() => detail,
        _ => body,
    };
    detail.as_object_mut()?.remove("request_id")
}

/// Asserts the JSON error shape and returns the code.
pub fn error_code(body: &Value) -> &str {
    assert!(body["error"]["message"].is_string(), "error shape: {body}");
    body["error"]["code"].as_str().expect("error code")
}

/// The two ways in for an upload: the JSON route for API clients, and the
/// pages' server function.
#[derive(Debug, Clone, Copy)]
pub enum UploadWay {
    JsonRoute,
    ServerFn,
}

impl UploadWay {
    pub fn path(self, order_id: i64) -> String {
        match self {
            UploadWay::JsonRoute => format!("/ordering/api/orders/{order_id}/attachments"),
            UploadWay::ServerFn => format!("/api/upload-attachments?order={order_id}"),
        }
    }
}

/// Runs a test body once on SQLite and once on PostgreSQL, each with its
/// files in the S3-compatible test server.
#[macro_export]
macro_rules! on_both_databases_with_object_storage {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            async fn run(engine: $crate::helpers::Engine) {
                let Some((endpoint, bucket)) = $crate::helpers::object_store() else {
                    eprintln!(
                        "SKIPPED {}: no S3-compatible server (TEST_S3_ENDPOINT)",
                        module_path!()
                    );
                    return;
                };
                let app = $crate::helpers::spawn_app_with(engine, |config| {
                    $crate::helpers::use_object_store(config, &endpoint, &bucket)
                })
                .await;
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::Engine::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::helpers::postgres_available().await {
                    $crate::helpers::report_postgres_skip(module_path!());
                    return;
                }
                run($crate::helpers::Engine::Postgres).await;
            }
        }
    };
}

/// Runs a test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Engine::Sqlite).await;
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::helpers::postgres_available().await {
                    $crate::helpers::report_postgres_skip(module_path!());
                    return;
                }
                let app = $crate::helpers::spawn_app($crate::helpers::Engine::Postgres).await;
                ($body)(app).await;
            }
        }
    };
}
