//! Filters that read the caller's identity and JSON bodies.

use serde::de::DeserializeOwned;
use warp::Filter;
use warp::Rejection;

use lectern_store::{Room, StoreError};
use warp::http::StatusCode;

use crate::auth::{Principal, RoomRole, TOKEN_COOKIE, has_api_token_prefix, hash_token};
use crate::clock::now_millis;
use crate::codes::normalize_room_code;
use crate::error::ApiError;
use crate::state::{SharedState, with_state};

/// Resolves the caller from `Authorization: Bearer`, or from the login
/// cookie, and rejects with 401 when neither carries a valid token.
pub fn principal(
    state: SharedState,
) -> impl Filter<Extract = (Principal,), Error = Rejection> + Clone {
    request_token().and(with_state(state)).and_then(
        |token: String, state: SharedState| async move {
            resolve_token(&state, &token).await.map_err(Rejection::from)
        },
    )
}

/// Like [`principal`], but rejects an API token with 403, for the requests
/// that need a password login, such as creating API tokens.
pub fn login_principal(
    state: SharedState,
) -> impl Filter<Extract = (Principal,), Error = Rejection> + Clone {
    request_token().and(with_state(state)).and_then(
        |token: String, state: SharedState| async move {
            match resolve_token_kind(&state, &token).await? {
                (_, TokenKind::Api) => Err(Rejection::from(ApiError::forbidden(
                    "an API token cannot do this; log in with your password and use that token",
                ))),
                (principal, _) => Ok(principal),
            }
        },
    )
}

/// Reads the token from `Authorization: Bearer`, or else from the login
/// cookie; 401 when there is none.
fn request_token() -> impl Filter<Extract = (String,), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(TOKEN_COOKIE))
        .and_then(
            |header: Option<String>, cookie: Option<String>| async move {
                let token = match header {
                    Some(value) => Some(bearer_token(&value)?.to_owned()),
                    None => cookie,
                };
                token.ok_or_else(|| {
                    Rejection::from(ApiError::unauthorized(
                        "missing token; send Authorization: Bearer <token>",
                    ))
                })
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

/// The kind of token a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Session,
    Api,
    Student,
}

/// Finds the user or student a token belongs to.
pub async fn resolve_token(state: &SharedState, token: &str) -> Result<Principal, ApiError> {
    resolve_token_kind(state, token)
        .await
        .map(|(principal, _)| principal)
}

async fn resolve_token_kind(
    state: &SharedState,
    token: &str,
) -> Result<(Principal, TokenKind), ApiError> {
    let hash = hash_token(token);
    let now = now_millis();

    // Only tokens with the prefix can be API tokens, so others skip that
    // lookup. A login or student token may carry the prefix by chance, so
    // prefixed tokens still fall through to the other lookups.
    let store = &state.store;
    if has_api_token_prefix(token)
        && let Some(user) = store
            .api_token_user(&hash, now)
            .await
            .map_err(storage_error)?
    {
        return Ok((Principal::User(user), TokenKind::Api));
    }
    if let Some(user) = store
        .session_user(&hash, now)
        .await
        .map_err(storage_error)?
    {
        return Ok((Principal::User(user), TokenKind::Session));
    }
    if let Some(participant) = store
        .participant_by_token(&hash, now)
        .await
        .map_err(storage_error)?
    {
        return Ok((Principal::Student(participant), TokenKind::Student));
    }
    Err(ApiError::unauthorized(
        "invalid, expired or revoked token; log in again or create a new API token",
    ))
}

/// Reads a JSON body of at most `limit` bytes into `T`. A parse failure is a
/// 400 whose message names the field or position at fault.
pub fn json_body<T: DeserializeOwned + Send>(
    limit: u64,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    warp::body::content_length_limit(limit)
        .and(warp::body::bytes())
        .and_then(|bytes: warp::hyper::body::Bytes| async move {
            parse_json::<T>(&bytes).map_err(Rejection::from)
        })
}

/// Parses a JSON body. A failure is a 400 whose message starts with the
/// path of the field at fault, such as `questions[2].choices`, when serde
/// got that far.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let invalid = |message: String| ApiError::bad_request("invalid_json", message);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        if path == "." {
            invalid(format!("invalid JSON body: {}", error.inner()))
        } else {
            invalid(format!("invalid JSON body: {path}: {}", error.inner()))
        }
    })?;
    deserializer
        .end()
        .map_err(|error| invalid(format!("invalid JSON body: {error}")))?;
    Ok(value)
}

/// Authorises a room WebSocket before its upgrade: the token from the query
/// or the cookie, the room by its code, the caller's role in it, and an open
/// room. `socket` names the socket (`board`, `control`) in the denial log.
pub async fn authorize_room_socket(
    state: &SharedState,
    code: &str,
    query_token: Option<String>,
    cookie: Option<String>,
    socket: &'static str,
) -> Result<(Room, RoomRole), ApiError> {
    let token = query_token
        .or(cookie)
        .ok_or_else(|| ApiError::unauthorized("missing token; add ?token=<token> to the URL"))?;
    let principal = resolve_token(state, &token).await?;
    let room = room_by_code(state, code).await?;

    let role = match principal.role_in(&room) {
        Ok(role) => role,
        Err(error) => {
            tracing::warn!(room = %room.id, socket, "connection denied: {}", error.message);
            return Err(error);
        }
    };
    if room.is_closed() {
        return Err(ApiError::new(
            StatusCode::GONE,
            "room_closed",
            format!("room {} is closed", room.code),
        ));
    }
    Ok((room, role))
}

/// Seconds a client waits before it retries a request that found the
/// database busy.
const DATABASE_BUSY_RETRY_SECONDS: u64 = 1;

/// Turns a storage failure into an API error. A connection pool that timed
/// out means that the database is busy, not broken, so the client gets 503
/// with `Retry-After` in place of 500.
fn storage_error(error: StoreError) -> ApiError {
    if !error.is_pool_timeout() {
        return ApiError::from(error);
    }
    tracing::warn!(
        %error,
        retry_after = DATABASE_BUSY_RETRY_SECONDS,
        "database connection pool timed out; rejecting the request with 503"
    );
    ApiError {
        retry_after: Some(DATABASE_BUSY_RETRY_SECONDS),
        ..ApiError::service_unavailable(format!(
            "the database is busy; retry in {DATABASE_BUSY_RETRY_SECONDS} s"
        ))
    }
}

/// Finds a room by the code a person typed, like `AppState::room`, but
/// returns 503 when the database is busy.
async fn room_by_code(state: &SharedState, typed_code: &str) -> Result<Room, ApiError> {
    let not_found = || ApiError::not_found(format!("no room with code {typed_code:?}"));
    let code = normalize_room_code(typed_code).ok_or_else(not_found)?;
    state
        .store
        .room_by_code(&code)
        .await
        .map_err(storage_error)?
        .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_timeout_is_retryable() {
        let error = storage_error(StoreError::pool_timeout());

        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.retry_after, Some(DATABASE_BUSY_RETRY_SECONDS));
    }

    #[test]
    fn other_store_failure_is_internal() {
        let error = storage_error(StoreError::Conflict("room"));

        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.retry_after, None);
    }
}
