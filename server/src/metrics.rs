//! Metrics for operators: `GET /metrics` in the Prometheus text format.
//! Requests are counted by route template (never by the path a client
//! sent, which would make one series per order), and the gauges are read
//! when scraped.

use crate::startup::PKG_PREFIX;
use app::server::live;
use app::server::mail::Mailer;
use app::server::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;
use subtle::ConstantTimeEq;

/// Upper bounds of the latency buckets, in seconds: from a cached detail
/// (1 ms) to a request that waited out the database (10 s).
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route label of a request no route matched (a page that does not
/// exist, a probe): one series for all of them.
const UNMATCHED: &str = "unmatched";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    /// `in_use` or `idle`.
    state: &'static str,
}

/// The method as a label: any method a client invents is `OTHER`, so that
/// odd traffic cannot grow the series without bound.
fn method_label(method: &Method) -> &'static str {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .iter()
    .find(|known| *known == method)
    .map_or("OTHER", Method::as_str)
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// This instance's metrics, and who may read them.
#[derive(Clone)]
pub struct Metrics(Arc<Registered>);

struct Registered {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool_connections: Family<PoolLabels, Gauge>,
    open_streams: Gauge,
    email_backlog: Option<Gauge>,
    /// The bearer token a scrape must present; none: `/metrics` is not
    /// served.
    token: Option<String>,
}

impl Metrics {
    /// `token`: see `METRICS_TOKEN`. `email`: whether e-mail is sent, and
    /// so whether there is an outbox to report on.
    pub fn new(token: Option<String>, email: bool) -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer's headers, by method and route template",
            latency.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections of this instance's pool, in use and idle",
            pool_connections.clone(),
        );
        let open_streams = Gauge::default();
        registry.register(
            "live_event_streams_open",
            "Event streams open on this instance",
            open_streams.clone(),
        );
        let email_backlog = email.then(|| {
            let gauge = Gauge::default();
            registry.register(
                "email_outbox_backlog",
                "Notifications whose e-mail waits to be sent (retries included)",
                gauge.clone(),
            );
            gauge
        });
        Metrics(Arc::new(Registered {
            registry,
            requests,
            latency,
            pool_connections,
            open_streams,
            email_backlog,
            token: token.filter(|token| !token.is_empty()),
        }))
    }

    /// Whether `/metrics` is served (`METRICS_TOKEN` is set).
    pub fn served(&self) -> bool {
        self.0.token.is_some()
    }

    fn record(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        self.0
            .requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_owned(),
                status,
            })
            .inc();
        self.0
            .latency
            .get_or_create(&RouteLabels {
                method,
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// Whether `headers` carry `Authorization: Bearer <token>`, compared
    /// in constant time.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.0.token else {
            return false;
        };
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|offered| bool::from(offered.as_bytes().ct_eq(token.as_bytes())))
    }

    /// Reads the gauges afresh and encodes everything.
    pub async fn scrape(&self, state: &AppState) -> String {
        let Registered {
            pool_connections,
            open_streams,
            email_backlog,
            ..
        } = &*self.0;
        let idle = i64::try_from(state.db.num_idle()).unwrap_or(i64::MAX);
        let size = i64::from(state.db.size());
        pool_connections
            .get_or_create(&PoolLabels { state: "idle" })
            .set(idle);
        pool_connections
            .get_or_create(&PoolLabels { state: "in_use" })
            .set((size - idle).max(0));
        open_streams.set(i64::try_from(live::open_streams(&state.db)).unwrap_or(i64::MAX));
        if let Some(backlog) = email_backlog {
            // A database that does not answer leaves the last figure: the
            // pool's figures say more about it than a failed scrape would.
            match Mailer::backlog(&state.db).await {
                Ok(count) => {
                    backlog.set(count);
                }
                Err(error) => tracing::warn!(%error, "could not count the e-mail backlog"),
            }
        }
        let mut text = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_text::encode(&mut text, &self.0.registry);
        text
    }
}

/// Counts every request by its route template, with its latency.
pub async fn count_requests(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        // The bundle is a nested service, which names no route of its own.
        None if request.uri().path().starts_with(&format!("{PKG_PREFIX}/")) => {
            format!("{PKG_PREFIX}/{{*file}}")
        }
        None => UNMATCHED.to_owned(),
    };
    let response = next.run(request).await;
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
