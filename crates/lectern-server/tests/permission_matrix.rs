//! Who may do what: every role against every REST action and the board
//! socket upgrade, and a read-only student's edit over the socket.

mod support;

use std::fmt;

use lectern_server::Settings;
use serde_json::{Value, json};
use support::{
    ADMIN_EMAIL, BoardClient, Event, LECTURER_EMAIL, LECTURER_PASSWORD, OTHER_LECTURER_EMAIL,
    TestServer, notes, start, start_with,
};
use tokio_tungstenite::tungstenite;
use yrs::{ReadTxn, StateVector, Text, Transact};

/// The callers of the matrix, in the column order of [`MATRIX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    GarbageToken,
    ExpiredStudent,
    Lecturer,
    OtherLecturer,
    Admin,
    Student,
    OtherRoomStudent,
}

const ROLES: [Role; 8] = [
    Role::Anonymous,
    Role::GarbageToken,
    Role::ExpiredStudent,
    Role::Lecturer,
    Role::OtherLecturer,
    Role::Admin,
    Role::Student,
    Role::OtherRoomStudent,
];

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Role::Anonymous => "anonymous caller",
            Role::GarbageToken => "caller with a garbage token",
            Role::ExpiredStudent => "student with an expired token",
            Role::Lecturer => "the room's lecturer",
            Role::OtherLecturer => "another lecturer",
            Role::Admin => "admin",
            Role::Student => "student of the room",
            Role::OtherRoomStudent => "student of another room",
        };
        f.write_str(name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Login,
    Me,
    CreateRoom,
    ListRooms,
    ShowRoom,
    Join,
    ListParticipants,
    SetRoomPermissions,
    SetParticipantPermissions,
    ExportBoard,
    ImportBoard,
    Health,
    BoardSocket,
    CloseRoom,
    Logout,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Action::Login => "POST /api/v1/auth/login",
            Action::Me => "GET /api/v1/auth/me",
            Action::CreateRoom => "POST /api/v1/rooms",
            Action::ListRooms => "GET /api/v1/rooms",
            Action::ShowRoom => "GET /api/v1/rooms/{code}",
            Action::Join => "POST /api/v1/rooms/{code}/join",
            Action::ListParticipants => "GET /api/v1/rooms/{code}/participants",
            Action::SetRoomPermissions => "PUT /api/v1/rooms/{code}/permissions",
            Action::SetParticipantPermissions => {
                "PUT /api/v1/rooms/{code}/participants/{id}/permissions"
            }
            Action::ExportBoard => "GET /api/v1/rooms/{code}/board",
            Action::ImportBoard => "POST /api/v1/rooms/{code}/board",
            Action::Health => "GET /healthz",
            Action::BoardSocket => "GET /ws/board/{code} (WebSocket upgrade)",
            Action::CloseRoom => "POST /api/v1/rooms/{code}/close",
            Action::Logout => "POST /api/v1/auth/logout",
        };
        f.write_str(name)
    }
}

/// Expected status per action, one column per entry of [`ROLES`]. Rows run
/// in this order against one fresh room per role, so closing the room and
/// logging out come last.
#[rustfmt::skip]
const MATRIX: &[(Action, [u16; 8])] = &[
    //                                  anon garbage expired lecturer other-lecturer admin student other-room
    (Action::Login,                     [200, 200, 200, 200, 200, 200, 200, 200]),
    (Action::Me,                        [401, 401, 401, 200, 200, 200, 200, 200]),
    (Action::CreateRoom,                [401, 401, 401, 201, 201, 201, 403, 403]),
    (Action::ListRooms,                 [401, 401, 401, 200, 200, 200, 403, 403]),
    (Action::ShowRoom,                  [401, 401, 401, 200, 403, 200, 200, 403]),
    (Action::Join,                      [201, 201, 201, 201, 201, 201, 201, 201]),
    (Action::ListParticipants,          [401, 401, 401, 200, 403, 200, 200, 403]),
    (Action::SetRoomPermissions,        [401, 401, 401, 200, 403, 200, 403, 403]),
    (Action::SetParticipantPermissions, [401, 401, 401, 200, 403, 200, 403, 403]),
    (Action::ExportBoard,               [401, 401, 401, 200, 403, 200, 403, 403]),
    (Action::ImportBoard,               [401, 401, 401, 204, 403, 204, 403, 403]),
    (Action::Health,                    [200, 200, 200, 200, 200, 200, 200, 200]),
    (Action::BoardSocket,               [401, 401, 401, 101, 403, 101, 101, 403]),
    (Action::CloseRoom,                 [401, 401, 401, 200, 403, 200, 403, 403]),
    (Action::Logout,                    [204, 204, 204, 204, 204, 204, 204, 204]),
];

/// A fresh room seen by one role: the room, one student in it, and the
/// token the role calls with.
struct Fixture {
    code: String,
    participant_id: String,
    token: Option<String>,
}

/// Creates a room with one student and returns the token `role` calls with.
async fn fixture(server: &TestServer, role: Role) -> Fixture {
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, participant_id) = server.join(&code, "Grace").await;

    let token = match role {
        Role::Anonymous => None,
        Role::GarbageToken => Some("not-a-token".to_owned()),
        Role::ExpiredStudent | Role::Student => Some(student_token),
        Role::Lecturer => Some(lecturer_token),
        Role::OtherLecturer => Some(server.login(OTHER_LECTURER_EMAIL).await),
        Role::Admin => Some(server.login(ADMIN_EMAIL).await),
        Role::OtherRoomStudent => {
            let (status, body) = server
                .call(
                    "POST",
                    "/api/v1/rooms",
                    Some(&lecturer_token),
                    Some(json!({ "title": "Algebra" })),
                )
                .await;
            assert_eq!(status, 201, "create the other room: {body}");
            let other_code = body["code"].as_str().expect("code");
            Some(server.join(other_code, "Alan").await.0)
        }
    };
    Fixture {
        code,
        participant_id,
        token,
    }
}

/// Raises the rate limits so the matrix's many logins and joins pass.
fn generous_limits(settings: &mut Settings) {
    settings.limits.logins_per_minute = 1000;
    settings.limits.joins_per_minute = 1000;
}

/// Encodes a Yjs v1 update that inserts `text` into `notes`.
fn notes_update(text: &str) -> Vec<u8> {
    let doc = yrs::Doc::new();
    let notes = doc.get_or_insert_text("notes");
    notes.insert(&mut doc.transact_mut(), 0, text);
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

enum Body {
    Empty,
    Json(Value),
    Bytes(Vec<u8>),
}

/// Sends one request with the fixture's token as a bearer token and
/// returns the status and the body as text.
async fn request(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Body,
) -> (u16, String) {
    let mut request = server.http.request(method, server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match body {
        Body::Empty => request,
        Body::Json(value) => request.json(&value),
        Body::Bytes(bytes) => request
            .header("content-type", "application/octet-stream")
            .body(bytes),
    };
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Attempts the board socket upgrade and returns the HTTP status, which is
/// 101 when the upgrade succeeds, with the body of a rejection.
async fn upgrade_status(server: &TestServer, code: &str, token: Option<&str>) -> (u16, String) {
    let url = match token {
        Some(token) => server.ws_url(code, token),
        None => format!(
            "{}/ws/board/{code}",
            server.base.replace("http://", "ws://")
        ),
    };
    match tokio_tungstenite::connect_async(url).await {
        Ok((mut socket, response)) => {
            socket.close(None).await.expect("close frame sent");
            (response.status().as_u16(), String::new())
        }
        Err(tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                .unwrap_or_default();
            (response.status().as_u16(), body)
        }
        Err(error) => panic!("board socket upgrade failed without an HTTP status: {error}"),
    }
}

/// Performs `action` in the fixture's room and returns the status and body.
async fn perform(server: &TestServer, fixture: &Fixture, action: Action) -> (u16, String) {
    use reqwest::Method;

    let token = fixture.token.as_deref();
    let code = &fixture.code;
    match action {
        Action::Login => {
            let credentials = json!({ "email": LECTURER_EMAIL, "password": LECTURER_PASSWORD });
            let path = "/api/v1/auth/login";
            request(server, Method::POST, path, token, Body::Json(credentials)).await
        }
        Action::Me => request(server, Method::GET, "/api/v1/auth/me", token, Body::Empty).await,
        Action::CreateRoom => {
            let room = json!({ "title": "Statistics" });
            request(
                server,
                Method::POST,
                "/api/v1/rooms",
                token,
                Body::Json(room),
            )
            .await
        }
        Action::ListRooms => {
            request(server, Method::GET, "/api/v1/rooms", token, Body::Empty).await
        }
        Action::ShowRoom => {
            let path = format!("/api/v1/rooms/{code}");
            request(server, Method::GET, &path, token, Body::Empty).await
        }
        Action::Join => {
            let path = format!("/api/v1/rooms/{code}/join");
            let name = json!({ "name": "Edsger" });
            request(server, Method::POST, &path, token, Body::Json(name)).await
        }
        Action::ListParticipants => {
            let path = format!("/api/v1/rooms/{code}/participants");
            request(server, Method::GET, &path, token, Body::Empty).await
        }
        Action::SetRoomPermissions => {
            let path = format!("/api/v1/rooms/{code}/permissions");
            let permissions = json!({ "students_can_draw": false });
            request(server, Method::PUT, &path, token, Body::Json(permissions)).await
        }
        Action::SetParticipantPermissions => {
            let path = format!(
                "/api/v1/rooms/{code}/participants/{}/permissions",
                fixture.participant_id
            );
            let permissions = json!({ "can_draw": true });
            request(server, Method::PUT, &path, token, Body::Json(permissions)).await
        }
        Action::ExportBoard => {
            let path = format!("/api/v1/rooms/{code}/board");
            request(server, Method::GET, &path, token, Body::Empty).await
        }
        Action::ImportBoard => {
            let path = format!("/api/v1/rooms/{code}/board");
            let update = Body::Bytes(notes_update("imported"));
            request(server, Method::POST, &path, token, update).await
        }
        Action::Health => request(server, Method::GET, "/healthz", token, Body::Empty).await,
        Action::BoardSocket => upgrade_status(server, code, token).await,
        Action::CloseRoom => {
            let path = format!("/api/v1/rooms/{code}/close");
            request(server, Method::POST, &path, token, Body::Empty).await
        }
        Action::Logout => {
            let path = "/api/v1/auth/logout";
            request(server, Method::POST, path, token, Body::Empty).await
        }
    }
}

/// Checks one cell and returns a description of each mismatch.
fn check_cell(role: Role, action: Action, expected: u16, status: u16, body: &str) -> Vec<String> {
    let mut failures = Vec::new();
    if status != expected {
        failures.push(format!(
            "{role}, {action}: expected status {expected}, got {status} with body {body}"
        ));
        return failures;
    }

    let expected_code = match status {
        401 => "unauthorized",
        403 => "forbidden",
        _ => return failures,
    };
    let code = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|value| value["error"]["code"].as_str().map(str::to_owned));
    if code.as_deref() != Some(expected_code) {
        failures.push(format!(
            "{role}, {action}: expected error code {expected_code:?} with status {status}, got body {body}"
        ));
    }
    failures
}

#[tokio::test]
async fn every_role_against_every_action() {
    let server = start_with(generous_limits).await;
    // Participant tokens expire the moment they are issued on this server.
    let expiring = start_with(|settings| {
        generous_limits(settings);
        settings.limits.participant_ttl = std::time::Duration::ZERO;
    })
    .await;

    let mut failures = Vec::new();
    for (column, role) in ROLES.into_iter().enumerate() {
        let server = if role == Role::ExpiredStudent {
            &expiring
        } else {
            &server
        };
        let fixture = fixture(server, role).await;

        for &(action, statuses) in MATRIX {
            let expected = statuses[column];
            let (status, body) = perform(server, &fixture, action).await;
            failures.extend(check_cell(role, action, expected, status, &body));
        }
    }

    assert!(
        failures.is_empty(),
        "{} cells of the permission matrix differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    server.stop().await;
    expiring.stop().await;
}

#[tokio::test]
async fn read_only_student_edit_rejected() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    lecturer.type_text("lecture").await;
    student.until(|doc| notes(doc) == "lecture").await;

    student.type_text(" graffiti").await;
    let events = student
        .wait_for(|_, event| matches!(event, Some(Event::PermissionDenied(_))))
        .await;
    assert!(
        matches!(events.last(), Some(Event::PermissionDenied(_))),
        "a read-only student's edit gets permission-denied: {events:?}"
    );

    lecturer.round_trip().await;
    assert_eq!(
        notes(&lecturer.doc),
        "lecture",
        "the lecturer's copy lacks the read-only student's edit"
    );
    let exported = server.board(&code, &lecturer_token).await;
    assert_eq!(
        notes(&exported),
        "lecture",
        "the exported board lacks the read-only student's edit"
    );
    server.stop().await;
}
