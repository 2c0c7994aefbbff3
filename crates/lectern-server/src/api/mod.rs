//! The REST API under `/api/v1`, the board and control WebSockets and the
//! static site.

mod auth;
mod board;
mod board_export;
mod control;
mod extract;
mod media;
mod openapi;
mod quiz_runs;
mod quizzes;
mod rooms;
mod tokens;

use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::error::recover;
use crate::state::SharedState;

pub use board::BOARD_SOCKET_PREFIX;
pub use control::CONTROL_SOCKET_PREFIX;
pub use extract::{json_body, principal};

/// Every route the server answers.
pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let api = warp::path("api").and(warp::path("v1")).and(
        auth::routes(state.clone())
            .or(rooms::routes(state.clone()))
            .unify()
            .or(board::routes(state.clone()))
            .unify()
            .or(board_export::routes(state.clone()))
            .unify()
            .or(media::routes(state.clone()))
            .unify()
            .or(tokens::routes(state.clone()))
            .unify()
            .or(quizzes::routes(state.clone()))
            .unify()
            .or(quiz_runs::routes(state.clone()))
            .unify()
            .or(openapi::routes())
            .unify(),
    );

    let health = warp::path!("healthz")
        .and(warp::get())
        .and(crate::state::with_state(state.clone()))
        .and_then(health);

    api.or(health)
        .unify()
        .or(board::socket_route(state.clone()))
        .unify()
        .or(control::socket_route(state))
        .unify()
        .or(crate::site::routes())
        .unify()
        .recover(recover)
        .unify()
        .with(warp::trace(crate::http_server::request_span))
        .map(Reply::into_response)
        .boxed()
}

async fn health(state: SharedState) -> Result<Response, warp::Rejection> {
    match state.store.ping().await {
        Ok(()) => Ok(warp::reply::json(&serde_json::json!({ "status": "ok" })).into_response()),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            Ok(crate::error::ApiError::service_unavailable("database unreachable").into_response())
        }
    }
}
