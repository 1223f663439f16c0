//! Refusing state-changing requests that another site started.
//!
//! A browser names the page that started a request in `Origin` (and says
//! how it relates to ours in `Sec-Fetch-Site`). A change is accepted from
//! the portal's own origins only: the scheme, host and port of
//! `PUBLIC_URL`, of each of `ALLOWED_ORIGINS`, and of the address the
//! portal listens on. The `Host` header plays no part: a client chooses it.

use app::server::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use url::Url;

/// The origins a change may come from, each as browsers write it
/// (`https://portal.example.com`, `http://127.0.0.1:3000`).
#[derive(Debug, Clone)]
pub struct AllowedOrigins(Arc<HashSet<String>>);

impl AllowedOrigins {
    /// The origins of `public_url` and of each of `extra`, and those of the
    /// address the portal listens on: for a loopback or unspecified
    /// address, also `localhost` at that port.
    pub fn new(
        public_url: &str,
        extra: &[String],
        listening: SocketAddr,
    ) -> anyhow::Result<AllowedOrigins> {
        let mut origins = HashSet::new();
        for address in std::iter::once(public_url).chain(extra.iter().map(String::as_str)) {
            origins.insert(origin_of(address)?);
        }
        let port = listening.port();
        let ip = match listening.ip() {
            ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip => ip,
        };
        let host = match ip {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        origins.insert(format!("http://{host}:{port}"));
        if ip.is_loopback() {
            origins.insert(format!("http://localhost:{port}"));
        }
        Ok(AllowedOrigins(Arc::new(origins)))
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.0.contains(&origin.to_ascii_lowercase())
    }
}

/// The origin of an address, as browsers write it: scheme, host, and the
/// port unless it is the scheme's default.
fn origin_of(address: &str) -> anyhow::Result<String> {
    let url = Url::parse(address.trim())
        .map_err(|error| anyhow::anyhow!("{address} is not an address: {error}"))?;
    let origin = url.origin();
    if !origin.is_tuple() {
        anyhow::bail!("{address} has no origin (use http:// or https://)");
    }
    Ok(origin.ascii_serialization())
}

/// Refuses a state-changing request that a browser says another site
/// started. Requests without `Origin` or `Sec-Fetch-Site` (other clients,
/// old browsers) pass.
pub async fn refuse_cross_origin_changes(
    State(allowed): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && is_cross_origin(&allowed, request.headers()) {
        return AppError::Forbidden("Requests from other sites are refused.".to_owned())
            .into_response();
    }
    next.run(request).await
}

fn is_cross_origin(allowed: &AllowedOrigins, headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return true;
    }
    match headers.get(header::ORIGIN) {
        None => false,
        Some(origin) => !origin.to_str().is_ok_and(|origin| allowed.allows(origin)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> AllowedOrigins {
        AllowedOrigins::new(
            "https://Portal.example.com:443/some/path",
            &["http://partner.example.com:8080".to_owned()],
            "127.0.0.1:3555".parse().unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn only_whole_origins_of_the_portal_are_allowed() {
        let allowed = allowed();
        for origin in [
            "https://portal.example.com",
            "http://partner.example.com:8080",
            "http://127.0.0.1:3555",
            "http://localhost:3555",
        ] {
            assert!(allowed.allows(origin), "{origin}");
        }
        for origin in [
            "http://portal.example.com",
            "https://portal.example.com:8443",
            "https://127.0.0.1:3555",
            "evil://127.0.0.1:3555",
            "http://127.0.0.1:3556",
            "http://evil.test",
            "null",
            "",
        ] {
            assert!(!allowed.allows(origin), "{origin}");
        }
    }

    #[test]
    fn addresses_without_an_origin_are_configuration_errors() {
        let listening = "127.0.0.1:3000".parse().unwrap();
        assert!(AllowedOrigins::new("portal.example.com", &[], listening).is_err());
        assert!(AllowedOrigins::new("data:text/plain,x", &[], listening).is_err());
        let all = AllowedOrigins::new("https://p.example", &[], "0.0.0.0:80".parse().unwrap());
        assert!(all.unwrap().allows("http://localhost:80"));
    }
}
