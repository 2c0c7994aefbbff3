//! The control WebSocket, `/ws/control/{code}?token=T`.

use serde::Deserialize;
use warp::filters::BoxedFilter;
use warp::hyper::upgrade::OnUpgrade;
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::extract::authorize_room_socket;
use crate::auth::{RoomRole, TOKEN_COOKIE};
use crate::class::connection::{self, ControlLimits, ControlTicket};
use crate::class::protocol::Role;
use crate::http_server::websocket_upgrade;
use crate::socket;
use crate::state::{SharedState, with_state};

#[derive(Debug, Deserialize)]
struct SocketQuery {
    token: Option<String>,
}

/// Path prefix of the control socket, whose HTTP upgrade the server hands
/// to [`socket_route`] as a [`PendingUpgrade`](crate::http_server::PendingUpgrade).
pub const CONTROL_SOCKET_PREFIX: &str = "/ws/control/";

/// `/ws/control/{code}?token=T`: checks the token before the upgrade, so a
/// bad one gets a plain 401, 403, 404 or 410 instead of an opened socket.
pub fn socket_route(state: SharedState) -> BoxedFilter<(Response,)> {
    warp::path!("ws" / "control" / String)
        .and(warp::get())
        .and(warp::query::<SocketQuery>())
        .and(warp::cookie::optional::<String>(TOKEN_COOKIE))
        .and(with_state(state))
        .and_then(authorize_socket)
        .untuple_one()
        .and(websocket_upgrade())
        .map(
            |ticket: ControlTicket, state: SharedState, key: String, upgrade: OnUpgrade| {
                let limits = &state.settings.limits;
                let limits = ControlLimits {
                    max_message_bytes: limits.max_control_message_bytes,
                    outbox_messages: limits.outbox_frames,
                    ping_interval: limits.ping_interval,
                    messages_per_second: limits.control_messages_per_second,
                };
                let connection_id = state.next_connection_id();
                let classes = state.classes.clone();
                tokio::spawn(connection::run(
                    upgrade,
                    connection_id,
                    ticket,
                    classes,
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
) -> Result<(ControlTicket, SharedState), Rejection> {
    let (room, role) = authorize_room_socket(&state, &code, query.token, cookie, "control").await?;

    let participant_id = role.participant_id().to_owned();
    let (role, name, drawing_permission) = match &role {
        RoomRole::Lecturer(user) => (Role::Lecturer, user.name.clone(), false),
        RoomRole::Student(participant) => (
            Role::Student,
            participant.name.clone(),
            participant.can_draw != 0,
        ),
    };
    let ticket = ControlTicket {
        room_id: room.id.clone(),
        room_code: room.code.clone(),
        participant_id,
        role,
        name,
        drawing_permission,
    };
    Ok((ticket, state))
}
