//! Login, logout and the current user.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::openapi::{ErrorResponse, LoginResponse, MeResponse};
use super::{json_body, principal};
use crate::auth::{Principal, TOKEN_COOKIE, hash_token, new_token, verify_password};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    email: String,
    password: String,
}

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

impl From<&lectern_store::User> for UserView {
    fn from(user: &lectern_store::User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role.clone(),
        }
    }
}

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let limit = state.settings.limits.max_json_bytes;

    let login = warp::path!("auth" / "login")
        .and(warp::post())
        .and(crate::http_server::client_addr())
        .and(json_body::<LoginRequest>(limit))
        .and(with_state(state.clone()))
        .and_then(login);

    let logout = warp::path!("auth" / "logout")
        .and(warp::post())
        .and(warp::header::optional::<String>("authorization"))
        .and(warp::cookie::optional::<String>(TOKEN_COOKIE))
        .and(with_state(state.clone()))
        .and_then(logout);

    let me = warp::path!("auth" / "me")
        .and(warp::get())
        .and(principal(state))
        .and_then(me);

    login.or(logout).unify().or(me).unify().boxed()
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "A login token for the user; also set as the lectern_token cookie", body = LoginResponse),
        (status = 400, description = "Invalid JSON or field", body = ErrorResponse),
        (status = 401, description = "Wrong email or password", body = ErrorResponse),
        (status = 429, description = "Too many logins from this address", body = ErrorResponse),
    ),
)]
async fn login(
    remote: Option<std::net::SocketAddr>,
    request: LoginRequest,
    state: SharedState,
) -> Result<Response, Rejection> {
    if let Some(address) = remote {
        state
            .login_limiter
            .check(address.ip(), Instant::now())
            .map_err(ApiError::too_many_requests)?;
    }

    let email = request.email.trim().to_lowercase();
    let found = state
        .store
        .user_by_email(&email)
        .await
        .map_err(ApiError::from)?;
    let Some(found) =
        found.filter(|found| verify_password(&request.password, &found.password_hash))
    else {
        tracing::info!("login failed: wrong email or password");
        return Err(ApiError::unauthorized("wrong email or password").into());
    };

    let token = new_token();
    let now = now_millis();
    let expires_at = now + state.settings.limits.session_ttl.as_millis() as i64;
    state
        .store
        .create_session(&hash_token(&token), &found.user.id, now, expires_at)
        .await
        .map_err(ApiError::from)?;
    tracing::info!(user = %found.user.id, "logged in");

    let cookie = format!(
        "{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}",
        state.settings.limits.session_ttl.as_secs()
    );
    let body = serde_json::json!({ "token": token, "user": UserView::from(&found.user) });
    Ok(warp::reply::with_header(warp::reply::json(&body), "set-cookie", cookie).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Logged out; the token stops working"),
    ),
)]
async fn logout(
    header: Option<String>,
    cookie: Option<String>,
    state: SharedState,
) -> Result<Response, Rejection> {
    let token = header
        .as_deref()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or(cookie);
    if let Some(token) = token {
        state
            .store
            .delete_session(&hash_token(token.trim()))
            .await
            .map_err(ApiError::from)?;
    }

    let expired = format!("{TOKEN_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    Ok(warp::reply::with_header(StatusCode::NO_CONTENT, "set-cookie", expired).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    responses(
        (status = 200, description = "The logged-in user, or the student", body = MeResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn me(principal: Principal) -> Result<Response, Rejection> {
    match principal {
        Principal::User(user) => Ok(warp::reply::json(&UserView::from(&user)).into_response()),
        Principal::Student(participant) => Ok(warp::reply::json(&serde_json::json!({
            "participant_id": participant.id,
            "name": participant.name,
            "role": "student",
        }))
        .into_response()),
    }
}
