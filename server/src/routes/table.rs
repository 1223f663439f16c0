//! A router that lists what it serves, so that the route × role test can
//! prove that every route has an expected answer for every kind of caller.

use app::server::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, patch, post};

/// One method on one path, in axum's syntax (`/order/{id}/cancel`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteEntry {
    pub method: String,
    pub path: String,
}

impl RouteEntry {
    pub fn new(method: &Method, path: &str) -> RouteEntry {
        RouteEntry {
            method: method.as_str().to_owned(),
            path: path.to_owned(),
        }
    }
}

/// Routes and the list of them, built together.
pub struct Routes {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            entries: Vec::new(),
        }
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.route(Method::GET, path, get(handler))
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.route(Method::POST, path, post(handler))
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.route(Method::PATCH, path, patch(handler))
    }

    /// `method` on `path`, served by `route` (for routes with layers of
    /// their own). Several methods on one path merge as in axum.
    pub fn route(mut self, method: Method, path: &str, route: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, route);
        self.entries.push(RouteEntry::new(&method, path));
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.entries.extend(other.entries);
        self
    }

    pub fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        self.router = self.router.nest(prefix, other.router);
        self.entries
            .extend(other.entries.into_iter().map(|entry| RouteEntry {
                path: format!("{prefix}{}", entry.path),
                ..entry
            }));
        self
    }

    /// The router itself, for merging into the application.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }
}
