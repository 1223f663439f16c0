//! Building the application: database, storage, state and router.

use crate::config::Config;
use crate::housekeeping;
use crate::idempotency::idempotent_posts;
use crate::metrics::{Metrics, count_requests};
use crate::origins::{AllowedOrigins, refuse_cross_origin_changes};
use crate::outage::{OutageBreaker, fail_fast_during_outage};
use crate::page_render::{ABANDONED_RENDER_LIMIT, PageRenders, render_to_the_end};
use crate::request_id::{RequestIds, RequestSpan, name_the_request_in_errors, tag_with_request_id};
use crate::routes::api_routes;
use crate::routes::table::{RouteEntry, Routes};
use crate::text_input::refuse_unstorable_text;
use app::api::UploadAttachments;
use app::rules::Permission;
use app::server::auth::CurrentUser;
use app::server::auth::install_groups;
use app::server::error::{AppError, AppResult};
use app::server::mail::Mailer;
use app::server::services::{batches, directory, orders};
use app::server::session::{remember_user, user_from_headers};
use app::server::state::AppState;
use app::server::{db, live, seed};
use app::{App, shell};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, StatusCode, Version, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::any;
use axum::serve::ListenerExt;
use axum::{Extension, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos::server_fn::ServerFn;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::util::option_layer;
use tower::{Layer, ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest JSON body the API reads.
const MAX_JSON_BYTES: usize = 64 * 1024;

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    renders: PageRenders,
    /// Ends the event streams when the server shuts down.
    stop_streams: tokio::sync::watch::Sender<bool>,
}

impl Application {
    /// Connects and migrates the database, loads the demo data into an empty
    /// one (unless disabled), and binds the listener.
    pub async fn build(config: &Config) -> anyhow::Result<Application> {
        let db = db::connect_with_timeout(
            &config.database_url,
            config.db_max_connections,
            Duration::from_millis(config.db_acquire_timeout_ms),
        )
        .await?;
        db::migrate(&db).await?;
        install_groups(&db).await?;
        let storage = config.storage()?;
        if config.seed_demo && seed::load_demo(&db, &storage).await? {
            tracing::info!("loaded the demo data into the empty database");
        }
        if let Some(smtp_url) = &config.smtp_url {
            Mailer::new(smtp_url, &config.mail_from, &config.public_url)?.spawn(db.clone());
        }
        let listener = TcpListener::bind(&config.addr).await?;
        let leptos_options = LeptosOptions::builder()
            .output_name("ordering-portal")
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(listener.local_addr()?)
            .hash_files(bundle_names_are_hashed())
            .build();
        let (stop_streams, stopping) = tokio::sync::watch::channel(false);
        let state = AppState {
            db,
            read_lane: config.read_lane(),
            storage,
            settings: Arc::new(config.settings()),
            leptos_options,
            stopping,
        };
        live::spawn_listener(&state.db);
        housekeeping::run_once(&state, config.orphan_file_grace()).await;
        housekeeping::spawn(state.clone(), config.orphan_file_grace());
        let renders = PageRenders::default();
        let origins = AllowedOrigins::new(
            &config.public_url,
            &config.allowed_origins,
            listener.local_addr()?,
        )?;
        let request_ids = RequestIds {
            from_proxy: config.request_id_from_proxy,
        };
        let metrics = Metrics::new(config.metrics_token.clone(), config.smtp_url.is_some());
        let router = router(
            state.clone(),
            renders.clone(),
            origins,
            request_ids,
            metrics,
        );
        Ok(Application {
            listener,
            router,
            state,
            renders,
            stop_streams,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes; then stops accepting, ends the event
    /// streams (their clients reconnect, to another instance), finishes
    /// the requests in flight and the pages still rendering for visitors
    /// who left, and returns.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // Pages stream in several writes: with Nagle's algorithm on, each
        // one after the first waits for the client's delayed ACK (40 ms).
        let listener = self.listener.tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                tracing::warn!(%error, "could not turn off Nagle's algorithm");
            }
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            stop.await;
            let _ = self.stop_streams.send(true);
        })
        .await?;
        if !self.renders.finish(ABANDONED_RENDER_LIMIT).await {
            tracing::warn!("stopped with pages still rendering");
        }
        Ok(())
    }
}

/// The routes of our own handlers: JSON API, files and the start page.
fn handler_routes() -> Routes {
    api_routes().get("/", || async { Redirect::to("/orders") })
}

/// Where the browser bundle is served from.
pub const PKG_PREFIX: &str = "/pkg";

/// Every route the portal serves, method by method: our handlers, the
/// pages, the server functions and the bundle. The route × role test
/// expects an answer for each one for every kind of caller.
pub fn route_list() -> Vec<RouteEntry> {
    let mut list = handler_routes().entries().to_vec();
    list.extend(page_routes());
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        list.push(RouteEntry::new(&method, path));
    }
    list.push(RouteEntry::new(
        &Method::GET,
        &format!("{PKG_PREFIX}/{{*file}}"),
    ));
    list.sort();
    list.dedup();
    list
}

/// The pages, method by method (in axum's path syntax).
pub fn page_routes() -> Vec<RouteEntry> {
    pages()
        .iter()
        .flat_map(|page| {
            page.methods()
                .map(|method| RouteEntry {
                    // Leptos' own method type; pages are only ever GET.
                    method: format!("{method:?}").to_ascii_uppercase(),
                    path: page.path().to_owned(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The pages Leptos renders, worked out once per process. Working them out
/// renders the whole app with resource loading switched off by a flag
/// that is global to the process (leptos_server's `SuppressResourceLoad`):
/// a page whose data started loading meanwhile, on another server of the
/// same process, would wait for it forever.
fn pages() -> &'static [AxumRouteListing] {
    static PAGES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    &PAGES
}

/// The whole router: JSON API, pages, server functions and static files.
pub fn router(
    state: AppState,
    renders: PageRenders,
    origins: AllowedOrigins,
    request_ids: RequestIds,
    metrics: Metrics,
) -> Router {
    let routes = pages().to_vec();
    let pkg_dir = std::path::Path::new(state.leptos_options.site_root.as_ref())
        .join(state.leptos_options.site_pkg_dir.as_ref());
    // Pages, their server functions and the not-found page: everything
    // Leptos renders.
    let rendered = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(renders, render_to_the_end))
        .layer(middleware::from_fn(uploads_keep_their_own_limit));
    Router::new()
        .merge(handler_routes().into_router())
        // Unknown API paths answer 404 in JSON, not with the page shell.
        .route(
            "/ordering/api/{*rest}",
            any(|| async { AppError::NotFound }),
        )
        .nest_service(
            PKG_PREFIX,
            ServiceBuilder::new()
                .layer(middleware::from_fn(bundle_caching))
                // Served as brotli, gzip or plain by what the client accepts.
                .layer(SetResponseHeaderLayer::overriding(
                    header::VARY,
                    HeaderValue::from_static("accept-encoding"),
                ))
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .merge(rendered)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotent_posts,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), page_access))
        .layer(middleware::from_fn(without_trailing_slash))
        .layer(middleware::from_fn_with_state(
            OutageBreaker::default(),
            fail_fast_during_outage,
        ))
        .layer(middleware::from_fn(refuse_unstorable_text))
        .layer(middleware::from_fn_with_state(
            origins,
            refuse_cross_origin_changes,
        ))
        // Served over https: browsers must not fall back to http for a year.
        .layer(option_layer(state.settings.secure_cookies.then(|| {
            SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            )
        })))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(app::server::security::DEFAULT_POLICY),
        ))
        // Pages and API answers are per user: never stored by a cache.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .layer(middleware::from_fn(name_the_request_in_errors))
        .layer(compression())
        .layer(Extension(metrics.clone()))
        .layer(middleware::from_fn_with_state(metrics, count_requests))
        .layer(TraceLayer::new_for_http().make_span_with(RequestSpan))
        .layer(middleware::from_fn_with_state(
            request_ids,
            tag_with_request_id,
        ))
        .with_state(state)
}

/// Whether the release build named the bundle's files by their content:
/// it then writes their names to `hash.txt` beside the server binary,
/// where the pages' script and stylesheet tags read them.
fn bundle_names_are_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|names| names.is_file())
}

/// A bundle file named by its content never changes: browsers keep it for
/// a year without asking again. Files under fixed names (a development
/// build) are revalidated on each use (ETag, Last-Modified).
async fn bundle_caching(request: Request, next: Next) -> Response {
    let named_by_content = is_named_by_content(request.uri().path());
    let mut response = next.run(request).await;
    let policy = if named_by_content && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// `name.<hash>.ext`, the hash being the 22 URL-safe base64 characters of
/// an MD5 digest, as cargo-leptos names the files.
fn is_named_by_content(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.rsplit('.');
    let (Some(_extension), Some(hash), Some(_name)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    hash.len() == 22
        && hash
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// Compresses pages and JSON with gzip for clients that accept it, unless
/// already compressed (the bundle's precompressed brotli and gzip files).
/// Files of orders (`Content-Disposition`), event streams and images go
/// as they are stored.
///
/// Never brotli as the answer is sent: on the orders page, 16 at once, a
/// brotli encoder per answer took the server's peak memory from 80 MB to
/// 160–190 MB and halved its pages a second (at qualities 11 and 4), for
/// no smaller a page than gzip's (`docs/decisions.md`).
fn compression() -> CompressionLayer<impl Predicate> {
    let not_a_file = |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
        !headers.contains_key(header::CONTENT_DISPOSITION)
    };
    CompressionLayer::new()
        .no_br()
        .compress_when(DefaultPredicate::new().and(not_a_file))
}

/// The upload server function reads its body within the upload limit
/// (`upload_form::max_body_bytes`), as the JSON upload route does, and
/// not within the JSON limit the router sets for everything else.
async fn uploads_keep_their_own_limit(request: Request, next: Next) -> Response {
    if request.uri().path() != UploadAttachments::PATH {
        return next.run(request).await;
    }
    let run = tower::service_fn(move |request| {
        let next = next.clone();
        async move { Ok::<_, Infallible>(next.run(request).await) }
    });
    match DefaultBodyLimit::disable()
        .layer(run)
        .oneshot(request)
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Sends a page asked for with a trailing slash (`/admin/`) to its one
/// address (`/admin`), keeping the query, so that every page is checked
/// and rendered under one path. The API and the bundle keep exact paths.
async fn without_trailing_slash(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_page = !path.starts_with("/ordering/api/") && !path.starts_with(PKG_PREFIX);
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    // A backslash could make the address another host's in a browser.
    let plain = !path.contains('\\');
    if !(reads && is_page && plain && path.len() > 1 && path.ends_with('/')) {
        return next.run(request).await;
    }
    let trimmed = format!("/{}", path.trim_matches('/'));
    let target = match request.uri().query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed,
    };
    Redirect::permanent(&target).into_response()
}

/// Whether a request asks for a page that only signed-in users may see.
fn is_private_page(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == axum::http::Method::GET
        && (path == "/orders"
            || path == "/notifications"
            || path == "/dashboard"
            || path == "/batches"
            || path.starts_with("/batches/")
            || path == "/admin"
            || path.starts_with("/admin/")
            || path.starts_with("/orders/")
            || path.starts_with("/order/"))
}

/// Sends anonymous visitors of private pages to `/login`, and signed-in
/// visitors of `/login` to their orders. A page about something the user
/// may not see (another tenant's order or batch, administration for anyone
/// but administrators, the dashboard for customers, placing orders for
/// staff) renders its "not found" view with status 404, decided
/// here because a streamed page has sent its status before its data loads.
async fn page_access(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let private = is_private_page(&request);
    let login = request.uri().path() == "/login" && request.method() == axum::http::Method::GET;
    if !private && !login {
        return next.run(request).await;
    }
    let user = match user_from_headers(&state, request.headers()).await {
        Ok(None) if private => return Redirect::to("/login").into_response(),
        Ok(Some(_)) if login => return Redirect::to("/orders").into_response(),
        Ok(None) => return next.run(request).await,
        Ok(Some(user)) => user,
        Err(error) => return error.into_response(),
    };
    let hidden = match hidden_from(&state, &user, request.uri().path()).await {
        Ok(hidden) => hidden,
        Err(error) => return error.into_response(),
    };
    let mut request = request;
    remember_user(request.extensions_mut(), user);
    let mut response = next.run(request).await;
    if hidden {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    response
}

/// Whether `path` names a page whose subject `user` may not see.
async fn hidden_from(state: &AppState, user: &CurrentUser, path: &str) -> AppResult<bool> {
    if path == "/admin/products" {
        return Ok(!user.can(Permission::AdminProducts));
    }
    if let Some(id) = path.strip_prefix("/batches/") {
        let Ok(id) = id.parse::<i64>() else {
            return Ok(true);
        };
        return match batches::get(&state.db, user, id).await {
            Ok(_) => Ok(false),
            Err(AppError::NotFound) => Ok(true),
            Err(error) => Err(error),
        };
    }
    if path == "/admin" || path.starts_with("/admin/") {
        if !user.can(Permission::AdminCompanies) {
            return Ok(true);
        }
        let Some(id) = path.strip_prefix("/admin/companies/") else {
            return Ok(false);
        };
        let Ok(id) = id.parse::<i64>() else {
            return Ok(true);
        };
        return match directory::company(&state.db, id).await {
            Ok(_) => Ok(false),
            Err(AppError::NotFound) => Ok(true),
            Err(error) => Err(error),
        };
    }
    if path == "/orders/new" {
        return Ok(!user.can(Permission::OrdersCreate));
    }
    if path == "/dashboard" {
        return Ok(!user.can(Permission::OrdersViewAll));
    }
    let Some(id) = path.strip_prefix("/order/") else {
        return Ok(false);
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(true);
    };
    match orders::get(&state.db, user, id).await {
        Ok(_) => Ok(false),
        Err(AppError::NotFound) => Ok(true),
        Err(error) => Err(error),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::is_named_by_content;

    #[test]
    fn bundle_files_named_by_content_are_told_apart() {
        for path in [
            "/pkg/ordering-portal.Qm9vX2Jhcl9iYXpfcXV4eA.wasm",
            "/pkg/ordering-portal.a-b_c-d_e-f_g-h_i-j_kl.js",
        ] {
            assert!(is_named_by_content(path), "{path}");
        }
        for path in [
            "/pkg/ordering-portal.wasm",
            "/pkg/ordering-portal.css",
            "/pkg/probe.css",
            "/pkg/ordering-portal.short.js",
            "/pkg/ordering-portal.Qm9vX2Jhcl9iYXpfcXV4e!.js",
            "/pkg/Qm9vX2Jhcl9iYXpfcXV4eA.js",
        ] {
            assert!(!is_named_by_content(path), "{path}");
        }
    }
}
