//! Sign-in, sign-out and the signed-in user.

use super::table::Routes;
use crate::extract::ApiJson;
use app::model::Me;
use app::server::auth::{self, CurrentUser};
use app::server::error::AppResult;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    email: String,
    password: String,
}

#[derive(Debug, serde::Serialize)]
pub struct LoginAnswer {
    user: Me,
}

/// `POST /ordering/api/login`: checks `{email, password}` and sets the
/// session cookie; wrong credentials answer 401 `invalid_credentials`.
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
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
