//! Filters that read the caller's identity and JSON bodies.

use serde::de::DeserializeOwned;
use warp::Filter;
use warp::Rejection;

use crate::auth::{Principal, TOKEN_COOKIE, hash_token};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

/// Resolves the caller from `Authorization: Bearer`, or from the login
/// cookie, and rejects with 401 when neither carries a valid token.
pub fn principal(
    state: SharedState,
) -> impl Filter<Extract = (Principal,), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(TOKEN_COOKIE))
        .and(with_state(state))
        .and_then(
            |header: Option<String>, cookie: Option<String>, state: SharedState| async move {
                let token = match header {
                    Some(value) => Some(bearer_token(&value)?.to_owned()),
                    None => cookie,
                };
                let token = token.ok_or_else(|| {
                    ApiError::unauthorized("missing token; send Authorization: Bearer <token>")
                })?;
                resolve_token(&state, &token).await.map_err(Rejection::from)
            },
        )
}

fn bearer_token(header: &str) -> Result<&str, Rejection> {
    header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("Authorization header must be \"Bearer <token>\"").into()
        })
}

/// Finds the user or student a token belongs to.
pub async fn resolve_token(state: &SharedState, token: &str) -> Result<Principal, ApiError> {
    let hash = hash_token(token);
    let now = now_millis();

    if let Some(user) = state.store.session_user(&hash, now).await? {
        return Ok(Principal::User(user));
    }
    if let Some(participant) = state.store.participant_by_token(&hash, now).await? {
        return Ok(Principal::Student(participant));
    }
    Err(ApiError::unauthorized("invalid or expired token"))
}

/// Reads a JSON body of at most `limit` bytes into `T`. A parse failure is a
/// 400 whose message names the field or position at fault.
pub fn json_body<T: DeserializeOwned + Send>(
    limit: u64,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    warp::body::content_length_limit(limit)
        .and(warp::body::bytes())
        .and_then(|bytes: warp::hyper::body::Bytes| async move {
            serde_json::from_slice::<T>(&bytes).map_err(|error| {
                Rejection::from(ApiError::bad_request(
                    "invalid_json",
                    format!("invalid JSON body: {error}"),
                ))
            })
        })
}
