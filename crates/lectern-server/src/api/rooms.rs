//! Rooms: create, list, show, close, join, participants and permissions.

use std::time::Instant;

use lectern_board::Access;
use lectern_store::{NewParticipant, NewRoom, Participant, Room, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::media::SEAT_COOKIE;
use super::openapi::{ErrorResponse, JoinResponse, ParticipantPermissionsView};
use super::{json_body, principal};
use crate::auth::{Principal, RoomRole, hash_token, new_token};
use crate::class::ClassCommand;
use crate::clock::now_millis;
use crate::codes::new_room_code;
use crate::error::ApiError;
use crate::room::{AccessTarget, RoomCommand, close_code, load_rights};
use crate::state::{SharedState, with_state};

const MAX_TITLE_CHARS: usize = 200;
const MAX_NAME_CHARS: usize = 80;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateRoom {
    title: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct JoinRoom {
    name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RoomPermissions {
    students_can_draw: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ParticipantPermissions {
    can_draw: bool,
}

/// A room as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RoomView {
    id: String,
    code: String,
    title: String,
    join_url: String,
    students_can_draw: bool,
    created_at: i64,
    closed: bool,
}

impl RoomView {
    fn new(room: &Room, state: &SharedState) -> Self {
        Self {
            id: room.id.clone(),
            code: room.code.clone(),
            title: room.title.clone(),
            join_url: state.join_url(&room.code),
            students_can_draw: room.students_can_draw != 0,
            created_at: room.created_at,
            closed: room.is_closed(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct ParticipantView {
    id: String,
    name: String,
    role: &'static str,
    can_draw: bool,
}

impl From<&Participant> for ParticipantView {
    fn from(participant: &Participant) -> Self {
        Self {
            id: participant.id.clone(),
            name: participant.name.clone(),
            role: "student",
            can_draw: participant.can_draw != 0,
        }
    }
}

pub fn routes(state: SharedState) -> BoxedFilter<(Response,)> {
    let limit = state.settings.limits.max_json_bytes;
    let with_state = || with_state(state.clone());
    let principal = || principal(state.clone());

    let create = warp::path!("rooms")
        .and(warp::post())
        .and(principal())
        .and(json_body::<CreateRoom>(limit))
        .and(with_state())
        .and_then(create_room);

    let list = warp::path!("rooms")
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(list_rooms);

    let show = warp::path!("rooms" / String)
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(show_room);

    let close = warp::path!("rooms" / String / "close")
        .and(warp::post())
        .and(principal())
        .and(with_state())
        .and_then(close_room);

    let join = warp::path!("rooms" / String / "join")
        .and(warp::post())
        .and(crate::http_server::client_addr())
        .and(json_body::<JoinRoom>(limit))
        .and(with_state())
        .and_then(join_room);

    let participants = warp::path!("rooms" / String / "participants")
        .and(warp::get())
        .and(principal())
        .and(with_state())
        .and_then(list_participants);

    let room_permissions = warp::path!("rooms" / String / "permissions")
        .and(warp::put())
        .and(principal())
        .and(json_body::<RoomPermissions>(limit))
        .and(with_state())
        .and_then(set_room_permissions);

    let participant_permissions =
        warp::path!("rooms" / String / "participants" / String / "permissions")
            .and(warp::put())
            .and(principal())
            .and(json_body::<ParticipantPermissions>(limit))
            .and(with_state())
            .and_then(set_participant_permissions);

    create
        .or(list)
        .unify()
        .or(show)
        .unify()
        .or(close)
        .unify()
        .or(join)
        .unify()
        .or(participants)
        .unify()
        .or(room_permissions)
        .unify()
        .or(participant_permissions)
        .unify()
        .boxed()
}

/// Trims a required text field and checks its length, naming the field in errors.
pub(super) fn required_text(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("{field} must not be empty"),
        ));
    }
    let chars = trimmed.chars().count();
    if chars > max_chars {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("{field} is {chars} characters; the maximum is {max_chars}"),
        ));
    }
    Ok(trimmed.to_owned())
}

#[utoipa::path(
    post,
    path = "/api/v1/rooms",
    tag = "rooms",
    request_body = CreateRoom,
    responses(
        (status = 201, description = "The new room", body = RoomView),
        (status = 400, description = "Invalid JSON or field", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn create_room(
    principal: Principal,
    request: CreateRoom,
    state: SharedState,
) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let title = required_text("title", &request.title, MAX_TITLE_CHARS)?;
    let id = uuid::Uuid::new_v4().to_string();

    // A clash among 31^10 codes is rare; a few draws make it negligible.
    for _ in 0..5 {
        let code = new_room_code();
        let created = state
            .store
            .create_room(&NewRoom {
                id: &id,
                code: &code,
                title: &title,
                owner_id: &user.id,
                created_at: now_millis(),
            })
            .await;
        match created {
            Ok(room) => {
                tracing::info!(room = %room.id, user = %user.id, "room created");
                let view = RoomView::new(&room, &state);
                return Ok(
                    warp::reply::with_status(warp::reply::json(&view), StatusCode::CREATED)
                        .into_response(),
                );
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(error) => return Err(ApiError::from(error).into()),
        }
    }
    Err(ApiError::internal("five room codes in a row were taken").into())
}

#[utoipa::path(
    get,
    path = "/api/v1/rooms",
    tag = "rooms",
    responses(
        (status = 200, description = "The caller's rooms, newest first", body = Vec<RoomView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "A student token", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn list_rooms(principal: Principal, state: SharedState) -> Result<Response, Rejection> {
    let user = principal.user()?;
    let rooms = state
        .store
        .rooms_by_owner(&user.id)
        .await
        .map_err(ApiError::from)?;
    let views: Vec<RoomView> = rooms
        .iter()
        .map(|room| RoomView::new(room, &state))
        .collect();
    Ok(warp::reply::json(&views).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}",
    tag = "rooms",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    responses(
        (status = 200, description = "The room", body = RoomView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn show_room(
    code: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    principal.role_in(&room)?;
    Ok(warp::reply::json(&RoomView::new(&room, &state)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/rooms/{code}/close",
    tag = "rooms",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    responses(
        (status = 200, description = "The closed room; board and control connections close with code 4000, and a quiz run that has not ended is ended", body = RoomView),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn close_room(
    code: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    let user = principal.lecturer_of(&room)?;

    state
        .store
        .close_room(&room.id, now_millis())
        .await
        .map_err(ApiError::from)?;
    let (done, closed) = tokio::sync::oneshot::channel();
    state
        .rooms
        .send_if_loaded(
            &room.id,
            RoomCommand::Close {
                code: close_code::ROOM_CLOSED,
                reason: "the lecturer closed the room".to_owned(),
                done,
            },
        )
        .await;
    let _ = closed.await;

    // `request` loads the class actor when needed, so that a run that has
    // not ended is ended and saved even when nobody is connected.
    let classes = state
        .classes
        .request(&room.id, |done| ClassCommand::Close {
            code: close_code::ROOM_CLOSED,
            reason: "the lecturer closed the room".to_owned(),
            end_run: true,
            done,
        })
        .await;
    if let Err(error) = classes {
        tracing::error!(room = %room.id, %error, "closing the room's control channel failed");
    }
    tracing::info!(room = %room.id, user = %user.id, "room closed");

    let room = state.room(&code).await?;
    Ok(warp::reply::json(&RoomView::new(&room, &state)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/rooms/{code}/join",
    tag = "rooms",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    request_body = JoinRoom,
    responses(
        (status = 201, description = "A student token for this room; also set as the lectern_seat cookie for the room's media URLs", body = JoinResponse),
        (status = 400, description = "Invalid JSON or field", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
        (status = 410, description = "The room is closed", body = ErrorResponse),
        (status = 429, description = "Too many joins from this address", body = ErrorResponse),
    ),
)]
async fn join_room(
    code: String,
    remote: Option<std::net::SocketAddr>,
    request: JoinRoom,
    state: SharedState,
) -> Result<Response, Rejection> {
    // Limited before the lookup, so guessing codes costs the same as joining.
    if let Some(address) = remote
        && let Err(retry_after) = state.join_limiter.check(address.ip(), Instant::now())
    {
        tracing::warn!(address = %address.ip(), "join rate limit reached");
        return Err(ApiError::too_many_requests(retry_after).into());
    }

    let name = required_text("name", &request.name, MAX_NAME_CHARS)?;
    let room = state.room(&code).await?;
    if room.is_closed() {
        return Err(ApiError::new(
            StatusCode::GONE,
            "room_closed",
            format!("room {} is closed", room.code),
        )
        .into());
    }

    let token = new_token();
    let now = now_millis();
    let participant = state
        .store
        .create_participant(&NewParticipant {
            id: &uuid::Uuid::new_v4().to_string(),
            room_id: &room.id,
            name: &name,
            token_hash: &hash_token(&token),
            created_at: now,
            expires_at: now + state.settings.limits.participant_ttl.as_millis() as i64,
        })
        .await
        .map_err(ApiError::from)?;
    tracing::info!(room = %room.id, participant = %participant.id, "student joined");

    let body = serde_json::json!({
        "token": token,
        "participant_id": participant.id,
        "role": "student",
        "can_draw": participant.can_draw != 0,
        "room": RoomView::new(&room, &state),
    });
    // The cookie lets `<img>` and `<video>` elements load the room's media,
    // which cannot send an Authorization header. Its path keeps it away
    // from every other endpoint, and from the media of other rooms.
    let cookie = format!(
        "{SEAT_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/api/v1/rooms/{}/media; Max-Age={}",
        room.code,
        state.settings.limits.participant_ttl.as_secs()
    );
    let reply = warp::reply::with_status(warp::reply::json(&body), StatusCode::CREATED);
    Ok(warp::reply::with_header(reply, "set-cookie", cookie).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/rooms/{code}/participants",
    tag = "rooms",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    responses(
        (status = 200, description = "The participants in joining order", body = Vec<ParticipantView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn list_participants(
    code: String,
    principal: Principal,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    principal.role_in(&room)?;
    let participants = state
        .store
        .participants(&room.id)
        .await
        .map_err(ApiError::from)?;
    let views: Vec<ParticipantView> = participants.iter().map(ParticipantView::from).collect();
    Ok(warp::reply::json(&views).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/rooms/{code}/permissions",
    tag = "rooms",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored")),
    request_body = RoomPermissions,
    responses(
        (status = 200, description = "The room", body = RoomView),
        (status = 400, description = "Invalid JSON or field", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn set_room_permissions(
    code: String,
    principal: Principal,
    request: RoomPermissions,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    let user = principal.lecturer_of(&room)?;
    let allowed = request.students_can_draw;

    state
        .store
        .set_students_can_draw(&room.id, allowed)
        .await
        .map_err(ApiError::from)?;
    notify_access(&state, &room.id, AccessTarget::AllStudents, allowed).await?;
    tracing::info!(room = %room.id, user = %user.id, allowed, "drawing changed for all students");

    let room = state.room(&code).await?;
    Ok(warp::reply::json(&RoomView::new(&room, &state)).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/rooms/{code}/participants/{id}/permissions",
    tag = "rooms",
    params(("code" = String, Path, description = "Room code, matched case-insensitively, dashes and spaces ignored"), ("id" = String, Path, description = "Participant id")),
    request_body = ParticipantPermissions,
    responses(
        (status = 200, description = "The participant's new right", body = ParticipantPermissionsView),
        (status = 400, description = "Invalid JSON or field", body = ErrorResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorResponse),
        (status = 403, description = "The token lacks the right", body = ErrorResponse),
        (status = 404, description = "No such room or participant", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
async fn set_participant_permissions(
    code: String,
    participant_id: String,
    principal: Principal,
    request: ParticipantPermissions,
    state: SharedState,
) -> Result<Response, Rejection> {
    let room = state.room(&code).await?;
    let user = principal.lecturer_of(&room)?;
    let allowed = request.can_draw;

    let found = state
        .store
        .set_participant_can_draw(&room.id, &participant_id, allowed)
        .await
        .map_err(ApiError::from)?;
    if !found {
        return Err(ApiError::not_found(format!(
            "no participant {participant_id:?} in room {}",
            room.code
        ))
        .into());
    }
    notify_access(
        &state,
        &room.id,
        AccessTarget::Participant(participant_id.clone()),
        allowed,
    )
    .await?;
    tracing::info!(room = %room.id, user = %user.id, participant = %participant_id, allowed, "drawing changed");

    Ok(
        warp::reply::json(&serde_json::json!({ "id": participant_id, "can_draw": allowed }))
            .into_response(),
    )
}

/// Tells the loaded room about a stored permission change, so open
/// connections and the rights every client is shown change at once, and
/// tells the room's floor, so that the end of a board grant restores the
/// new permission.
async fn notify_access(
    state: &SharedState,
    room_id: &str,
    target: AccessTarget,
    allowed: bool,
) -> Result<(), ApiError> {
    let rights = load_rights(&state.store, room_id).await?;
    state
        .rooms
        .send_if_loaded(
            room_id,
            RoomCommand::SetAccess {
                target: target.clone(),
                access: access_for(allowed),
                rights,
            },
        )
        .await;
    state
        .classes
        .send_if_loaded(
            room_id,
            ClassCommand::SetDrawingPermission { target, allowed },
        )
        .await;
    Ok(())
}

fn access_for(allowed: bool) -> Access {
    if allowed {
        Access::ReadWrite
    } else {
        Access::ReadOnly
    }
}

/// The board access a role starts with.
pub fn initial_access(role: &RoomRole) -> Access {
    match role {
        RoomRole::Lecturer(_) => Access::ReadWrite,
        RoomRole::Student(participant) => access_for(participant.can_draw != 0),
    }
}
