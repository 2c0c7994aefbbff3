//! The room lifecycle over REST, login and logout, rate limits, drawing
//! permissions and how the API rejects bad input.

mod support;

use reqwest::header::{CONTENT_TYPE, COOKIE, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};
use support::{
    BoardClient, LECTURER_EMAIL, LECTURER_PASSWORD, OTHER_LECTURER_EMAIL, TestServer, start,
    start_with,
};

/// A response's status, headers and JSON body (`Value::Null` when empty).
struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

/// Sends `body` verbatim as `application/json`, so that malformed JSON
/// reaches the server unchanged.
async fn post_raw(server: &TestServer, path: &str, token: Option<&str>, body: String) -> Reply {
    let mut request = server
        .http
        .post(server.url(path))
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    read_reply(request.send().await.expect("request sent")).await
}

async fn read_reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn login_reply(server: &TestServer, email: &str, password: &str) -> Reply {
    let response = server
        .http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("request sent");
    read_reply(response).await
}

async fn create_room(server: &TestServer, token: &str, title: &str) -> (u16, Value) {
    server
        .call(
            "POST",
            "/api/v1/rooms",
            Some(token),
            Some(json!({ "title": title })),
        )
        .await
}

async fn join_reply(server: &TestServer, code: &str, name: &str) -> Reply {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/join")))
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("request sent");
    read_reply(response).await
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("<no message>")
}

/// Returns the `Retry-After` header as whole seconds.
fn retry_after(reply: &Reply) -> u64 {
    let value = reply
        .headers
        .get(RETRY_AFTER)
        .expect("a 429 carries a Retry-After header");
    value
        .to_str()
        .expect("ASCII header")
        .parse()
        .expect("Retry-After is whole seconds")
}

/// Returns the `lectern_token` cookie from a response's `Set-Cookie`.
fn token_cookie(reply: &Reply) -> String {
    let header = reply
        .headers
        .get(SET_COOKIE)
        .expect("login sets a cookie")
        .to_str()
        .expect("ASCII header");
    assert!(
        header.contains("HttpOnly"),
        "the login cookie is HttpOnly: {header}"
    );
    header
        .split(';')
        .next()
        .expect("cookie pair")
        .trim()
        .to_owned()
}

fn participant<'a>(participants: &'a Value, id: &str) -> &'a Value {
    participants
        .as_array()
        .expect("participants are a list")
        .iter()
        .find(|participant| participant["id"] == id)
        .unwrap_or_else(|| panic!("participant {id} missing from {participants}"))
}

#[tokio::test]
async fn create_returns_room() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let (status, room) = create_room(&server, &token, "  Calculus  ").await;

    assert_eq!(status, 201, "create room: {room}");
    assert_eq!(room["title"], "Calculus", "the title is trimmed");
    assert_eq!(room["closed"], false);
    assert_eq!(room["students_can_draw"], false);
    let code = room["code"].as_str().expect("code");
    assert_eq!(code.len(), 10, "room code {code:?}");
    let join_url = room["join_url"].as_str().expect("join URL");
    assert_eq!(join_url, format!("{}/join/{code}", server.base));
    server.stop().await;
}

#[tokio::test]
async fn show_returns_room() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;

    let (status, room) = server
        .call("GET", &format!("/api/v1/rooms/{code}"), Some(&token), None)
        .await;

    assert_eq!(status, 200, "show room: {room}");
    assert_eq!(room["code"], code.as_str());
    assert_eq!(room["title"], "Calculus");
    assert_eq!(room["closed"], false);
    server.stop().await;
}

#[tokio::test]
async fn list_shows_only_own_rooms() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let other_token = server.login(OTHER_LECTURER_EMAIL).await;
    let mut own_codes = Vec::new();
    for title in ["Calculus", "Algebra"] {
        let (status, room) = create_room(&server, &token, title).await;
        assert_eq!(status, 201, "create room: {room}");
        own_codes.push(room["code"].as_str().expect("code").to_owned());
    }
    let (status, other_room) = create_room(&server, &other_token, "Geometry").await;
    assert_eq!(status, 201, "create room: {other_room}");

    let (status, listed) = server
        .call("GET", "/api/v1/rooms", Some(&token), None)
        .await;

    assert_eq!(status, 200, "list rooms: {listed}");
    let mut listed_codes: Vec<String> = listed
        .as_array()
        .expect("rooms are a list")
        .iter()
        .map(|room| room["code"].as_str().expect("code").to_owned())
        .collect();
    listed_codes.sort();
    own_codes.sort();
    assert_eq!(
        listed_codes, own_codes,
        "the lecturer's list holds exactly their own rooms"
    );

    let (status, other_listed) = server
        .call("GET", "/api/v1/rooms", Some(&other_token), None)
        .await;
    assert_eq!(status, 200, "list rooms: {other_listed}");
    assert_eq!(
        other_listed.as_array().map(Vec::len),
        Some(1),
        "the other lecturer sees only Geometry: {other_listed}"
    );
    assert_eq!(other_listed[0]["code"], other_room["code"]);
    server.stop().await;
}

#[tokio::test]
async fn close_marks_room_closed() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let path = format!("/api/v1/rooms/{code}/close");

    let (status, room) = server.call("POST", &path, Some(&token), None).await;
    assert_eq!(status, 200, "close room: {room}");
    assert_eq!(
        room["closed"], true,
        "the close reply shows the room closed"
    );

    let (status, shown) = server
        .call("GET", &format!("/api/v1/rooms/{code}"), Some(&token), None)
        .await;
    assert_eq!(status, 200, "show room: {shown}");
    assert_eq!(shown["closed"], true, "the closed room stays closed");

    let (status, again) = server.call("POST", &path, Some(&token), None).await;
    assert_eq!(status, 200, "closing a closed room again succeeds: {again}");
    assert_eq!(again["closed"], true);
    server.stop().await;
}

#[tokio::test]
async fn closed_room_rejects_join() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (status, body) = server
        .call(
            "POST",
            &format!("/api/v1/rooms/{code}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "close room: {body}");

    let reply = join_reply(&server, &code, "Grace").await;

    assert_eq!(reply.status, 410, "join a closed room: {}", reply.body);
    assert_eq!(error_code(&reply.body), "room_closed");
    assert!(
        error_message(&reply.body).contains(&code),
        "the message names the room: {}",
        reply.body
    );
    server.stop().await;
}

#[tokio::test]
async fn closed_room_rejects_board_socket() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (status, body) = server
        .call(
            "POST",
            &format!("/api/v1/rooms/{code}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "close room: {body}");

    let rejected = tokio_tungstenite::connect_async(server.ws_url(&code, &token))
        .await
        .expect_err("a closed room rejects the upgrade");

    match rejected {
        tokio_tungstenite::tungstenite::Error::Http(response) => {
            assert_eq!(response.status().as_u16(), 410, "upgrade to a closed room");
        }
        error => panic!("expected an HTTP rejection, got {error}"),
    }
    server.stop().await;
}

#[tokio::test]
async fn close_ends_board_sockets() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    let (status, body) = server
        .call(
            "POST",
            &format!("/api/v1/rooms/{code}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "close room: {body}");

    let (student_code, student_reason) = student
        .closed()
        .await
        .expect("the student's socket gets a close frame");
    assert_eq!(
        student_code, 4000,
        "student's close code; reason {student_reason:?}"
    );
    let (lecturer_code, lecturer_reason) = lecturer
        .closed()
        .await
        .expect("the lecturer's socket gets a close frame");
    assert_eq!(
        lecturer_code, 4000,
        "lecturer's close code; reason {lecturer_reason:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn join_returns_student_token() {
    let server = start().await;
    let (_, code) = server.lecturer_room().await;

    let reply = join_reply(&server, &code, "  Grace  ").await;

    assert_eq!(reply.status, 201, "join: {}", reply.body);
    assert_eq!(reply.body["role"], "student");
    assert_eq!(reply.body["can_draw"], false);
    assert_eq!(reply.body["room"]["code"], code.as_str());
    let token = reply.body["token"].as_str().expect("token");
    let participant_id = reply.body["participant_id"]
        .as_str()
        .expect("participant id");

    let (status, me) = server
        .call("GET", "/api/v1/auth/me", Some(token), None)
        .await;
    assert_eq!(status, 200, "the join token authenticates: {me}");
    assert_eq!(me["role"], "student");
    assert_eq!(me["participant_id"], participant_id);
    assert_eq!(me["name"], "Grace", "the name is trimmed");
    server.stop().await;
}

#[tokio::test]
async fn join_accepts_typed_code() {
    let server = start().await;
    let (_, code) = server.lecturer_room().await;
    let typed = format!("{}-{}", &code[..5], &code[5..]).to_uppercase();

    let reply = join_reply(&server, &typed, "Grace").await;

    assert_eq!(
        reply.status, 201,
        "join with code {typed:?}: {}",
        reply.body
    );
    assert_eq!(reply.body["room"]["code"], code.as_str());
    server.stop().await;
}

#[tokio::test]
async fn join_requires_name() {
    let server = start().await;
    let (_, code) = server.lecturer_room().await;

    let reply = join_reply(&server, &code, "   ").await;

    assert_eq!(reply.status, 400, "join with a blank name: {}", reply.body);
    assert_eq!(error_code(&reply.body), "invalid_field");
    assert!(
        error_message(&reply.body).contains("name"),
        "the message names the field: {}",
        reply.body
    );
    server.stop().await;
}

#[tokio::test]
async fn join_rate_limited() {
    let server = start_with(|settings| settings.limits.joins_per_minute = 3).await;
    let (_, code) = server.lecturer_room().await;
    for attempt in 1..=3 {
        let reply = join_reply(&server, &code, "Grace").await;
        assert_eq!(reply.status, 201, "join {attempt} of 3: {}", reply.body);
    }

    let limited = join_reply(&server, &code, "Grace").await;

    assert_eq!(limited.status, 429, "fourth join: {}", limited.body);
    assert_eq!(error_code(&limited.body), "rate_limited");
    let seconds = retry_after(&limited);
    assert!(
        (1..=20).contains(&seconds),
        "3 joins a minute refill one every 20 s; Retry-After is {seconds}"
    );
    server.stop().await;
}

#[tokio::test]
async fn login_rate_limited() {
    let server = start_with(|settings| settings.limits.logins_per_minute = 2).await;
    let wrong = login_reply(&server, LECTURER_EMAIL, "wrong password").await;
    assert_eq!(wrong.status, 401, "failed login: {}", wrong.body);
    let right = login_reply(&server, LECTURER_EMAIL, LECTURER_PASSWORD).await;
    assert_eq!(right.status, 200, "second login: {}", right.body);

    let limited = login_reply(&server, LECTURER_EMAIL, LECTURER_PASSWORD).await;

    assert_eq!(
        limited.status, 429,
        "third login, even with the right password: {}",
        limited.body
    );
    assert_eq!(error_code(&limited.body), "rate_limited");
    let seconds = retry_after(&limited);
    assert!(
        (1..=30).contains(&seconds),
        "2 logins a minute refill one every 30 s; Retry-After is {seconds}"
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_password_rejected() {
    let server = start().await;

    let wrong_password = login_reply(&server, LECTURER_EMAIL, "wrong password").await;
    let unknown_email = login_reply(&server, "nobody@example.org", LECTURER_PASSWORD).await;

    assert_eq!(wrong_password.status, 401, "{}", wrong_password.body);
    assert_eq!(unknown_email.status, 401, "{}", unknown_email.body);
    assert_eq!(error_code(&wrong_password.body), "unauthorized");
    assert_eq!(
        wrong_password.body, unknown_email.body,
        "a wrong password and an unknown email get the same reply"
    );
    assert!(
        wrong_password.headers.get(SET_COOKIE).is_none(),
        "a failed login sets no cookie"
    );
    server.stop().await;
}

#[tokio::test]
async fn login_cookie_authenticates() {
    let server = start().await;
    let login = login_reply(&server, LECTURER_EMAIL, LECTURER_PASSWORD).await;
    assert_eq!(login.status, 200, "login: {}", login.body);
    let cookie = token_cookie(&login);
    assert_eq!(
        cookie,
        format!(
            "lectern_token={}",
            login.body["token"].as_str().expect("token")
        ),
        "the cookie carries the returned token"
    );

    let response = server
        .http
        .get(server.url("/api/v1/auth/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("request sent");
    let me = read_reply(response).await;

    assert_eq!(me.status, 200, "GET auth/me with the cookie: {}", me.body);
    assert_eq!(me.body["email"], LECTURER_EMAIL);
    assert_eq!(me.body["role"], "lecturer");
    server.stop().await;
}

#[tokio::test]
async fn logout_invalidates_token() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let (status, me) = server
        .call("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, 200, "before logout: {me}");

    let response = server
        .http
        .post(server.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request sent");
    let logout = read_reply(response).await;
    assert_eq!(logout.status, 204, "logout: {}", logout.body);
    let expired = logout
        .headers
        .get(SET_COOKIE)
        .expect("logout clears the cookie")
        .to_str()
        .expect("ASCII header");
    assert!(
        expired.contains("Max-Age=0"),
        "the cleared cookie expires now: {expired}"
    );

    let (status, me) = server
        .call("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, 401, "after logout: {me}");
    server.stop().await;
}

#[tokio::test]
async fn invalid_json_rejected() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let reply = post_raw(
        &server,
        "/api/v1/rooms",
        Some(&token),
        "{\"title\": ".to_owned(),
    )
    .await;

    assert_eq!(reply.status, 400, "truncated JSON: {}", reply.body);
    assert_eq!(error_code(&reply.body), "invalid_json");
    server.stop().await;
}

#[tokio::test]
async fn missing_field_named() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let reply = post_raw(&server, "/api/v1/rooms", Some(&token), "{}".to_owned()).await;

    assert_eq!(reply.status, 400, "no title: {}", reply.body);
    assert_eq!(error_code(&reply.body), "invalid_json");
    assert!(
        error_message(&reply.body).contains("title"),
        "the message names the missing field: {}",
        reply.body
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_field_named() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let body = json!({ "title": "Calculus", "colour": "red" }).to_string();
    let reply = post_raw(&server, "/api/v1/rooms", Some(&token), body).await;

    assert_eq!(reply.status, 400, "extra field: {}", reply.body);
    assert_eq!(error_code(&reply.body), "invalid_json");
    assert!(
        error_message(&reply.body).contains("colour"),
        "the message names the unknown field: {}",
        reply.body
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_field_type_rejected() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;

    let (status, body) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/permissions"),
            Some(&token),
            Some(json!({ "students_can_draw": "yes" })),
        )
        .await;

    assert_eq!(status, 400, "a string for a boolean: {body}");
    assert_eq!(error_code(&body), "invalid_json");
    server.stop().await;
}

#[tokio::test]
async fn empty_title_rejected() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let (status, body) = create_room(&server, &token, " \t ").await;

    assert_eq!(status, 400, "blank title: {body}");
    assert_eq!(error_code(&body), "invalid_field");
    assert!(
        error_message(&body).contains("title"),
        "the message names the field: {body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn oversized_title_rejected() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let (status, body) = create_room(&server, &token, &"x".repeat(201)).await;

    assert_eq!(status, 400, "201-character title: {body}");
    assert_eq!(error_code(&body), "invalid_field");
    let message = error_message(&body);
    assert!(
        message.contains("title"),
        "the message names the field: {body}"
    );
    assert!(
        message.contains("200"),
        "the message gives the maximum: {body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn title_limit_counts_characters() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    // 200 characters in 400 bytes: the limit is in characters.
    let title = "é".repeat(200);

    let (status, body) = create_room(&server, &token, &title).await;

    assert_eq!(status, 201, "200 two-byte characters: {body}");
    assert_eq!(body["title"], title.as_str());
    server.stop().await;
}

#[tokio::test]
async fn oversized_body_rejected() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let title = "x".repeat(70_000);

    let (status, body) = create_room(&server, &token, &title).await;

    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), "payload_too_large");
    server.stop().await;
}

#[tokio::test]
async fn oversized_board_upload_rejected() {
    let server = start_with(|settings| settings.limits.max_board_upload_bytes = 1024).await;
    let (token, code) = server.lecturer_room().await;

    let response = server
        .http
        .post(server.url(&format!("/api/v1/rooms/{code}/board")))
        .bearer_auth(&token)
        .body(vec![0_u8; 2048])
        .send()
        .await
        .expect("request sent");

    assert_eq!(response.status().as_u16(), 413);
    server.stop().await;
}

#[tokio::test]
async fn unknown_endpoint_is_404() {
    let server = start().await;

    let (status, body) = server
        .call("POST", "/api/v1/no-such-endpoint", None, None)
        .await;

    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "not_found");
    server.stop().await;
}

#[tokio::test]
async fn unknown_room_named() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    for code in ["zzzzzzzzzz", "no-such-room"] {
        let (status, body) = server
            .call("GET", &format!("/api/v1/rooms/{code}"), Some(&token), None)
            .await;
        assert_eq!(status, 404, "show room {code:?}: {body}");
        assert_eq!(error_code(&body), "not_found");
        assert!(
            error_message(&body).contains(code),
            "the message names code {code:?}: {body}"
        );

        let reply = join_reply(&server, code, "Grace").await;
        assert_eq!(reply.status, 404, "join room {code:?}: {}", reply.body);
        assert!(
            error_message(&reply.body).contains(code),
            "the join message names code {code:?}: {}",
            reply.body
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn participant_grant_listed() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (_, grace) = server.join(&code, "Grace").await;
    let (_, alan) = server.join(&code, "Alan").await;

    let (status, body) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/participants/{grace}/permissions"),
            Some(&token),
            Some(json!({ "can_draw": true })),
        )
        .await;
    assert_eq!(status, 200, "grant Grace: {body}");
    assert_eq!(body, json!({ "id": grace, "can_draw": true }));

    let (status, participants) = server
        .call(
            "GET",
            &format!("/api/v1/rooms/{code}/participants"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "list participants: {participants}");
    assert_eq!(
        participant(&participants, &grace)["can_draw"],
        true,
        "Grace may draw"
    );
    assert_eq!(
        participant(&participants, &alan)["can_draw"],
        false,
        "Alan still may not draw"
    );
    server.stop().await;
}

#[tokio::test]
async fn room_grant_listed() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (_, grace) = server.join(&code, "Grace").await;
    let (_, alan) = server.join(&code, "Alan").await;

    let (status, room) = server
        .call(
            "PUT",
            &format!("/api/v1/rooms/{code}/permissions"),
            Some(&token),
            Some(json!({ "students_can_draw": true })),
        )
        .await;
    assert_eq!(status, 200, "grant everyone: {room}");
    assert_eq!(room["students_can_draw"], true);

    let (status, participants) = server
        .call(
            "GET",
            &format!("/api/v1/rooms/{code}/participants"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "list participants: {participants}");
    for (name, id) in [("Grace", &grace), ("Alan", &alan)] {
        assert_eq!(
            participant(&participants, id)["can_draw"],
            true,
            "{name} may draw after the room-wide grant"
        );
    }

    let late = join_reply(&server, &code, "Edsger").await;
    assert_eq!(late.status, 201, "late join: {}", late.body);
    assert_eq!(
        late.body["can_draw"], true,
        "a student joining after the grant may draw"
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_participant_rejected() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let (status, other_room) = create_room(&server, &token, "Algebra").await;
    assert_eq!(status, 201, "create room: {other_room}");
    let other_code = other_room["code"].as_str().expect("code");
    let (_, stranger) = server.join(other_code, "Alan").await;

    for id in ["no-such-participant", stranger.as_str()] {
        let (status, body) = server
            .call(
                "PUT",
                &format!("/api/v1/rooms/{code}/participants/{id}/permissions"),
                Some(&token),
                Some(json!({ "can_draw": true })),
            )
            .await;
        assert_eq!(status, 404, "grant participant {id:?}: {body}");
        assert_eq!(error_code(&body), "not_found");
        assert!(
            error_message(&body).contains(id),
            "the message names participant {id:?}: {body}"
        );
    }
    server.stop().await;
}
