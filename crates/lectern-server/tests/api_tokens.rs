//! API tokens: create, list and revoke, and what a token may do.

mod support;

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use support::{LECTURER_EMAIL, OTHER_LECTURER_EMAIL, TestServer, start};

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("<no message>")
}

/// Creates an API token with the login token `login`; returns the body.
async fn create_token(server: &TestServer, login: &str, body: Value) -> (u16, Value) {
    server
        .call("POST", "/api/v1/tokens", Some(login), Some(body))
        .await
}

async fn new_api_token(server: &TestServer, login: &str) -> (String, String) {
    let (status, body) = create_token(server, login, json!({ "name": "quiz sync" })).await;
    assert_eq!(status, 201, "{body}");
    (
        body["token"].as_str().expect("token").to_owned(),
        body["id"].as_str().expect("id").to_owned(),
    )
}

#[tokio::test]
async fn token_create_list_revoke() {
    let server = start().await;
    let login = server.login(LECTURER_EMAIL).await;

    let (status, created) = create_token(
        &server,
        &login,
        json!({ "name": "quiz sync", "expires_in_days": 30 }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().expect("token");
    assert!(
        token.starts_with("lct_"),
        "API tokens carry the lct_ prefix"
    );
    assert_eq!(created["name"], "quiz sync");
    let created_at = created["created_at"].as_i64().expect("created_at");
    let expires_at = created["expires_at"].as_i64().expect("expires_at");
    assert_eq!(expires_at - created_at, 30 * 24 * 60 * 60 * 1000);

    let (status, without_expiry) =
        create_token(&server, &login, json!({ "name": "no expiry" })).await;
    assert_eq!(status, 201, "{without_expiry}");
    assert_eq!(without_expiry["expires_at"], Value::Null);

    let (status, me) = server
        .call("GET", "/api/v1/auth/me", Some(token), None)
        .await;
    assert_eq!(status, 200, "an API token authenticates: {me}");
    assert_eq!(me["email"], LECTURER_EMAIL);

    let (status, listed) = server
        .call("GET", "/api/v1/tokens", Some(&login), None)
        .await;
    assert_eq!(status, 200, "{listed}");
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 2);
    // Both tokens may share a creation millisecond, so the list order
    // between them is not fixed; find the first one by id.
    let first = listed
        .iter()
        .find(|entry| entry["id"] == created["id"])
        .expect("the created token is listed");
    assert_eq!(first["name"], "quiz sync");
    for entry in listed {
        assert!(
            entry.get("token").is_none(),
            "list shows no secret: {entry}"
        );
        assert!(
            !entry.to_string().contains("lct_"),
            "list shows no secret: {entry}"
        );
    }

    let id = created["id"].as_str().expect("id");
    let (status, body) = server
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            Some(&login),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");

    let (status, body) = server
        .call("GET", "/api/v1/auth/me", Some(token), None)
        .await;
    assert_eq!(status, 401, "a revoked token stops working: {body}");
    assert_eq!(error_code(&body), "unauthorized");

    let (status, body) = server
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            Some(&login),
            None,
        )
        .await;
    assert_eq!(status, 404, "revoking twice: {body}");

    let (status, listed) = server
        .call("GET", "/api/v1/tokens", Some(&login), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    server.stop().await;
}

#[tokio::test]
async fn api_token_cannot_create_tokens() {
    let server = start().await;
    let login = server.login(LECTURER_EMAIL).await;
    let (token, _) = new_api_token(&server, &login).await;

    let (status, body) = create_token(&server, &token, json!({ "name": "child" })).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    assert!(
        error_message(&body).contains("API token"),
        "{}",
        error_message(&body)
    );

    let (status, listed) = server
        .call("GET", "/api/v1/tokens", Some(&token), None)
        .await;
    assert_eq!(status, 200, "an API token may list: {listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    server.stop().await;
}

#[tokio::test]
async fn api_token_works_like_login() {
    let server = start().await;
    let login = server.login(LECTURER_EMAIL).await;
    let (token, _) = new_api_token(&server, &login).await;

    let (status, room) = server
        .call(
            "POST",
            "/api/v1/rooms",
            Some(&token),
            Some(json!({ "title": "Scripted" })),
        )
        .await;
    assert_eq!(status, 201, "{room}");
    let (status, rooms) = server
        .call("GET", "/api/v1/rooms", Some(&login), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(rooms.as_array().map(Vec::len), Some(1));
    server.stop().await;
}

#[tokio::test]
async fn token_revoke_only_by_holder() {
    let server = start().await;
    let login = server.login(LECTURER_EMAIL).await;
    let other = server.login(OTHER_LECTURER_EMAIL).await;
    let (token, id) = new_api_token(&server, &login).await;

    let (status, body) = server
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, listed) = server
        .call("GET", "/api/v1/tokens", Some(&other), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!([]), "another user sees none of them");

    let (status, _) = server
        .call("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, 200, "the token still works");
    server.stop().await;
}

#[tokio::test]
async fn token_bad_input_rejected() {
    let server = start().await;
    let login = server.login(LECTURER_EMAIL).await;

    let cases = [
        (json!({}), "invalid_json", "name"),
        (json!({ "name": "  " }), "invalid_field", "name"),
        (json!({ "name": "x".repeat(101) }), "invalid_field", "name"),
        (
            json!({ "name": "x", "expires_in_days": 0 }),
            "invalid_field",
            "expires_in_days",
        ),
        (
            json!({ "name": "x", "expires_in_days": 3651 }),
            "invalid_field",
            "expires_in_days",
        ),
        (
            json!({ "name": "x", "expires_in_days": "soon" }),
            "invalid_json",
            "expires_in_days",
        ),
        (
            json!({ "name": "x", "scope": "all" }),
            "invalid_json",
            "scope",
        ),
    ];
    for (body, code, field) in cases {
        let (status, reply) = create_token(&server, &login, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {reply}");
        assert_eq!(error_code(&reply), code, "{body}");
        assert!(
            error_message(&reply).contains(field),
            "{body}: the message names {field}: {}",
            error_message(&reply)
        );
    }

    let response = server
        .http
        .post(server.url("/api/v1/tokens"))
        .bearer_auth(&login)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 400);
    server.stop().await;
}

#[tokio::test]
async fn token_endpoints_reject_students() {
    let server = start().await;
    let (_, code) = server.lecturer_room().await;
    let (student, _) = server.join(&code, "Grace").await;

    let (status, body) = create_token(&server, &student, json!({ "name": "x" })).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = server
        .call("GET", "/api/v1/tokens", Some(&student), None)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = server.call("GET", "/api/v1/tokens", None, None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = server
        .call("GET", "/api/v1/tokens", Some("lct_not-a-real-token"), None)
        .await;
    assert_eq!(status, 401, "{body}");
    server.stop().await;
}
