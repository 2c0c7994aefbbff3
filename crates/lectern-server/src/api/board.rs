//! Board export, restore and the board WebSocket.

use serde::Deserialize;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::hyper::upgrade::OnUpgrade;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::extract::authorize_room_socket;
use super::openapi::ErrorResponse;
use super::principal;
use super::rooms::initial_access;
use crate::auth::{Principal, RoomRole, TOKEN_COOKIE};
use crate::connection::{self, BoardTicket, ConnectionLimits};
use crate::error::ApiError;
use crate::http_server::websocket_upgrade;
use crate::room::RoomCommand;
use crate::socket;
use crate::state::{SharedState, with_state};

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let export = warp::path!("rooms" / String / "board")
        .and(warp::get())
        .and(principal(state.clone()))
        .and(with_state(state.clone()))
        .and_then(export_board);

    let import = warp::path!("rooms" / String / "board")
        .and(warp::post())
        .and(principal(state.clone()))
        .and(warp::body::content_length_limit(
            state.settings.limits.max_board_upload_bytes,
        ))
        .and(warp::body::bytes())
        .and(with_state(state))
        .and_then(import_board);

    export.or(import).unify().boxed()
}

/// Returns the whole board as one Yjs v1 update.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}/board",
    tag = "board",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    responses(
        (status = 200, description = "The whole board as one Yjs v1 update", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn export_board(
    code: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    principal.lecturer_of(&room)?;

    let (update, _) = state
        .rooms
        .request(&room.id, |reply| RoomCommand::Export { reply })
        .await
        .map_err(|error| ApiError::service_unavailable(error.to_string()))?;

    let disposition = format!("attachment; filename=\"lectern-{}.yjs\"", room.code);
    let reply = warp::reply::with_header(update, "content-type", "application/octet-stream");
    Ok(warp::reply::with_header(reply, "content-disposition", disposition).into_response())
}

/// Merges a Yjs v1 update (such as an earlier export) into the board.
/// Merging never removes what the board already holds.
#[utoipa::path(
    post,
    path = "/api/v1/rooms/{code}/board",
    tag = "board",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "A Yjs v1 update, such as an earlier export"),
    responses(
        (status = 204, description = "Merged into the board and sent to every client"),
        (status = 400, description = "The body is empty or not a Yjs v1 update", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
        (status = 413, description = "The body is over the size limit", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn import_board(
    code: String,
    principal: Principal,
    body: warp::hyper::body::Bytes,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    let user = principal.lecturer_of(&room)?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "empty_body",
            "the body must be a Yjs v1 update; it is empty",
        )
        .into());
    }

    let update = body.to_vec();
    let (result, _) = state
        .rooms
        .request(&room.id, |reply| RoomCommand::Import {
            update: update.clone(),
            reply,
        })
        .await
        .map_err(|error| ApiError::service_unavailable(error.to_string()))?;
    result.map_err(|message| ApiError::bad_request("invalid_update", message))?;

    tracing::info!(room = %room.id, user = %user.id, bytes = update.len(), "board update imported");
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
struct SocketQuery {
    token: Option<String>,
}

/// Path prefix of the board socket, whose HTTP upgrade the server hands
/// to [`socket_route`] as a [`PendingUpgrade`](crate::http_server::PendingUpgrade).
pub const BOARD_SOCKET_PREFIX: &str = "/ws/board/";

/// `/ws/board/{code}?token=T`: checks the token before the upgrade, so a
/// bad one gets a plain 401 or 403 instead of an opened socket.
pub fn socket_route(state: SharedState) -> BoxedFilter<(Response,)> {
    warp::path!("ws" / "board" / String)
        .and(warp::get())
        .and(warp::query::<SocketQuery>())
        .and(warp::cookie::optional::<String>(TOKEN_COOKIE))
        .and(with_state(state))
        .and_then(authorize_socket)
        .untuple_one()
        .and(websocket_upgrade())
        .map(
            |ticket: BoardTicket, state: SharedState, key: String, upgrade: OnUpgrade| {
                let limits = ConnectionLimits {
                    max_message_bytes: state.settings.limits.max_message_bytes,
                    outbox_frames: state.settings.limits.outbox_frames,
                    ping_interval: state.settings.limits.ping_interval,
                };
                let connection_id = state.next_connection_id();
                let rooms = state.rooms.clone();
                let files = state.frame_files.clone();
                tokio::spawn(connection::run(
                    upgrade,
                    connection_id,
                    ticket,
                    rooms,
                    files,
                    limits,
                ));
                socket::switching_protocols(&key)
            },
        )
        .boxed()
}

async fn authorize_socket(
    code: String,
    query: SocketQuery,
    cookie: Option<String>,
    state: SharedState,
) -> Result<(BoardTicket, SharedState), Rejection> {
    let (room, role) = authorize_room_socket(&state, &code, query.token, cookie, "board").await?;

    let ticket = BoardTicket {
        room_id: room.id.clone(),
        participant_id: role.participant_id().to_owned(),
        is_lecturer: matches!(role, RoomRole::Lecturer(_)),
        access: initial_access(&role),
    };
    Ok((ticket, state))
}
