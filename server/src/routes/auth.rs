//! Sign-in, sign-out and the signed-in user.

use super::table::Routes;
use crate::extract::ApiJson;
use app::model::Me;
use app::server::auth::{self, CurrentUser};
use app::server::error::{AppResult, ErrorBody};
use app::server::session::{removal_cookie, session_cookie, session_token};
use app::server::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Routes {
    Routes::new()
        .post("/login", login)
        .post("/logout", logout)
        .get("/me", me)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schema(max_length = 320)]
    email: String,
    #[schema(max_length = 1024)]
    password: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    user: Me,
}

/// `POST /ordering/api/login`: checks `{email, password}` and sets the
/// session cookie; wrong credentials answer 401 `invalid_credentials`.
#[utoipa::path(post, path = "/ordering/api/login", tag = "auth", request_body = Credentials, security(()),
    responses((status = 200, description = "Signed in: the session cookie is set", body = LoginAnswer,
            headers(("set-cookie" = String, description = "The session cookie (HttpOnly, SameSite=Lax)"))),
        (status = 401, description = "`invalid_credentials`: no such user, a wrong password or a disabled account", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many failed attempts; `Retry-After` says when to try again", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> AppResult<(CookieJar, Json<LoginAnswer>)> {
    let previous = session_token(&headers, &state.settings);
    let address = client.ip().to_string();
    let attempt = auth::Attempt {
        email: &credentials.email,
        password: &credentials.password,
        address: Some(&address),
        previous: previous.as_deref(),
    };
    let (user, token) = auth::login(&state.db, attempt, state.settings.session_ttl_ms).await?;
    let jar = jar.add(session_cookie(token, &state.settings));
    Ok((jar, Json(LoginAnswer { user: user.me() })))
}

/// `POST /ordering/api/logout`: ends the session on the server and clears
/// the cookie. Answers 204 whether or not a session was open.
#[utoipa::path(post, path = "/ordering/api/logout", tag = "auth", security((), ("session" = [])),
    responses((status = 204, description = "Signed out; the cookie is cleared")))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> AppResult<(CookieJar, StatusCode)> {
    if let Some(token) = session_token(&headers, &state.settings) {
        auth::logout(&state.db, &token).await?;
    }
    Ok((
        jar.add(removal_cookie(&state.settings)),
        StatusCode::NO_CONTENT,
    ))
}

/// `GET /ordering/api/me`: the user, company, group, permissions and flags.
#[utoipa::path(get, path = "/ordering/api/me", tag = "auth",
    responses((status = 200, description = "The signed-in user", body = Me)))]
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
