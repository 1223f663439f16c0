//! The session cookie, and finding the signed-in user of a request.

use crate::server::auth::{self, CurrentUser, SECURE_SESSION_COOKIE, SESSION_COOKIE};
use crate::server::error::{AppError, AppResult};
use crate::server::state::{AppState, Settings};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session token a request carries, if any.
pub fn session_token(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(cookie_name(settings))
        .map(|cookie| cookie.value().to_owned())
}

/// The signed-in user of a request, if any.
pub async fn user_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> AppResult<Option<CurrentUser>> {
    match session_token(headers, &state.settings) {
        Some(token) => {
            auth::user_for_session(&state.db, &token, state.settings.session_idle_ms).await
        }
        None => Ok(None),
    }
}

/// The signed-in user of a request: the one a middleware already found
/// for it (see `remember_user`), else the session cookie's.
pub async fn user_of_request(state: &AppState, parts: &Parts) -> AppResult<Option<CurrentUser>> {
    match parts.extensions.get::<CurrentUser>() {
        Some(user) => Ok(Some(user.clone())),
        None => user_from_headers(state, &parts.headers).await,
    }
}

/// Keeps the user a middleware found with the request, so that the
/// handler and the page's server functions do not look the session up
/// again.
pub fn remember_user(extensions: &mut axum::http::Extensions, user: CurrentUser) {
    extensions.insert(user);
}

/// The cookie that carries a new session.
pub fn session_cookie(token: String, settings: &Settings) -> Cookie<'static> {
    Cookie::build((cookie_name(settings), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .max_age(time::Duration::milliseconds(settings.session_ttl_ms))
        .build()
}

/// The cookie that clears the session cookie.
pub fn removal_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), settings);
    cookie.make_removal();
    cookie
}

/// Handlers that take a `CurrentUser` answer 401 to anonymous callers.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<CurrentUser> {
        user_of_request(state, parts)
            .await?
            .ok_or(AppError::Unauthorized)
    }
}
