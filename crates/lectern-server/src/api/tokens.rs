//! API tokens: long-lived bearer tokens that users create for scripts and
//! quiz authoring tools.

use lectern_store::{ApiToken, NewApiToken};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::extract::login_principal;
use super::openapi::ErrorResponse;
use super::{json_body, principal};
use crate::auth::{Principal, hash_token, new_api_token};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

const MAX_NAME_CHARS: usize = 100;
const MAX_EXPIRES_IN_DAYS: i64 = 3650;
const MILLIS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

/// A request for a new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// Purpose of the token, such as "quiz export script", 1 to 100 characters.
    pub name: String,
    /// Days until the token stops working, 1 to 3650. Without it the token
    /// works until it is revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// An API token without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Milliseconds since the Unix epoch; `null` when the token does not expire.
    pub expires_at: Option<i64>,
}

impl From<&ApiToken> for TokenView {
    fn from(token: &ApiToken) -> Self {
        Self {
            id: token.id.clone(),
            name: token.name.clone(),
            created_at: token.created_at,
            expires_at: token.expires_at,
        }
    }
}

/// A new API token with its secret, which the server returns only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The bearer token, starting with `lct_`. The server stores only its
    /// hash, so it cannot show the token again.
    pub token: String,
    #[serde(flatten)]
    pub details: TokenView,
}

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let limit = state.settings.limits.max_json_bytes;

    let create = warp::path!("tokens")
        .and(warp::post())
        .and(login_principal(state.clone()))
        .and(json_body::<CreateToken>(limit))
        .and(with_state(state.clone()))
        .and_then(create_token);

    let list = warp::path!("tokens")
        .and(warp::get())
        .and(principal(state.clone()))
        .and(with_state(state.clone()))
        .and_then(list_tokens);

    let revoke = warp::path!("tokens" / String)
        .and(warp::delete())
        .and(principal(state.clone()))
        .and(with_state(state))
        .and_then(revoke_token);

    create.or(list).unify().or(revoke).unify().boxed()
}

/// Creates an API token for the logged-in user. An API token cannot create
/// another, so a leaked one cannot extend its own life.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "tokens",
    request_body = CreateToken,
    responses(
        (status = 201, description = "The token; its secret is shown only now", body = CreatedToken),
        (status = 400, description = "Invalid JSON, or an invalid name or expiry", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token, or an API token", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn create_token(
    principal: Principal,
    request: CreateToken,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let name = super::rooms::required_text("name", &request.name, MAX_NAME_CHARS)?;
    let now = now_millis();
    let expires_at = match request.expires_in_days {
        None => None,
        Some(days @ 1..=MAX_EXPIRES_IN_DAYS) => Some(now + days * MILLIS_PER_DAY),
        Some(days) => {
            return Err(ApiError::bad_request(
                "invalid_field",
                format!("expires_in_days is {days}; it must be from 1 to {MAX_EXPIRES_IN_DAYS}"),
            )
            .into());
        }
    };

    let token = new_api_token();
    let stored = state
        .store
        .create_api_token(&NewApiToken {
            id: &uuid::Uuid::new_v4().to_string(),
            user_id: &user.id,
            name: &name,
            token_hash: &hash_token(&token),
            created_at: now,
            expires_at,
        })
        .await
        .map_err(ApiError::from)?;
    tracing::info!(user = %user.id, token_id = %stored.id, "API token created");

    let body = CreatedToken {
        token,
        details: TokenView::from(&stored),
    };
    Ok(warp::reply::with_status(warp::reply::json(&body), StatusCode::CREATED).into_response())
}

/// Lists the caller's API tokens, expired ones included, without secrets.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "tokens",
    responses(
        (status = 200, description = "The caller's tokens, oldest first", body = Vec<TokenView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn list_tokens(principal: Principal, state: SharedState) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let tokens = state
        .store
        .api_tokens_by_user(&user.id)
        .await
        .map_err(ApiError::from)?;
    let views: Vec<TokenView> = tokens.iter().map(TokenView::from).collect();
    Ok(warp::reply::json(&views).into_response())
}

/// Revokes one of the caller's API tokens; it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "tokens",
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
        (status = 404, description = "The caller has no token with this id", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn revoke_token(
    id: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let deleted = state
        .store
        .delete_api_token(&user.id, &id)
        .await
        .map_err(ApiError::from)?;
    if !deleted {
        return Err(ApiError::not_found(format!("you have no API token with id {id:?}")).into());
    }
    tracing::info!(user = %user.id, token_id = %id, "API token revoked");
    Ok(StatusCode::NO_CONTENT.into_response())
}
