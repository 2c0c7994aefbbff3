//! The OpenAPI document: it parses, lists every route the server serves,
//! and its hand-written response schemas match real responses.

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::{LECTURER_EMAIL, TestServer, start};

/// Every route under /api/v1, as (method, OpenAPI path). A route added to
/// the server belongs here and in the document.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/rooms"),
    ("get", "/api/v1/rooms"),
    ("get", "/api/v1/rooms/{code}"),
    ("post", "/api/v1/rooms/{code}/close"),
    ("post", "/api/v1/rooms/{code}/join"),
    ("get", "/api/v1/rooms/{code}/participants"),
    ("put", "/api/v1/rooms/{code}/permissions"),
    ("put", "/api/v1/rooms/{code}/participants/{id}/permissions"),
    ("get", "/api/v1/rooms/{code}/board"),
    ("post", "/api/v1/rooms/{code}/board"),
    ("get", "/api/v1/rooms/{code}/export.png"),
    ("get", "/api/v1/rooms/{code}/export.pdf"),
    ("post", "/api/v1/rooms/{code}/media"),
    ("get", "/api/v1/rooms/{code}/media/{id}"),
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
    ("post", "/api/v1/quizzes"),
    ("get", "/api/v1/quizzes"),
    ("post", "/api/v1/quizzes/validate"),
    ("post", "/api/v1/quizzes/import"),
    ("get", "/api/v1/quizzes/{id}"),
    ("put", "/api/v1/quizzes/{id}"),
    ("delete", "/api/v1/quizzes/{id}"),
    ("get", "/api/v1/quizzes/{id}/export"),
    ("post", "/api/v1/quizzes/{id}/questions"),
    ("put", "/api/v1/quizzes/{id}/questions/order"),
    ("put", "/api/v1/quizzes/{id}/questions/{question_id}"),
    ("delete", "/api/v1/quizzes/{id}/questions/{question_id}"),
    ("get", "/api/v1/rooms/{code}/quiz-runs"),
    ("get", "/api/v1/quiz-runs/{run_id}/results"),
    ("get", "/api/v1/quiz-runs/{run_id}/results.csv"),
    ("get", "/api/v1/quiz-runs/{run_id}/questions/{index}"),
    (
        "get",
        "/api/v1/quiz-runs/{run_id}/students/{participant_id}",
    ),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/docs"),
];

async fn document(server: &TestServer) -> Value {
    let response = server
        .http
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).expect("the document is JSON")
}

fn documented_routes(document: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

#[tokio::test]
async fn document_lists_every_route() {
    let server = start().await;
    let document = document(&server).await;

    let version = document["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3."), "{version}");
    assert!(document["info"]["title"].is_string());

    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    let documented = documented_routes(&document);
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "documented routes not in ROUTES: {extra:?}"
    );

    let schemes = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["scheme"], "bearer", "{schemes}");
    server.stop().await;
}

#[tokio::test]
async fn every_listed_route_is_served() {
    let server = start().await;
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{code}", "abcdefgh23")
            .replace("{id}", "some-id")
            .replace("{question_id}", "q1")
            .replace("{run_id}", "some-run")
            .replace("{index}", "0")
            .replace("{participant_id}", "some-participant");
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let response = server
            .http
            .request(method.clone(), server.url(&concrete))
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert!(
            status != 405 && !text.contains("no such endpoint"),
            "{method} {concrete} is not served: {status} {text}"
        );
    }
    server.stop().await;
}

/// Returns the property names of a component schema.
fn schema_properties(document: &Value, name: &str) -> BTreeSet<String> {
    let schema = &document["components"]["schemas"][name];
    schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {name} has properties: {schema}"))
        .keys()
        .cloned()
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().expect("object").keys().cloned().collect()
}

#[tokio::test]
async fn schemas_match_responses() {
    let server = start().await;
    let document = document(&server).await;

    let (status, login) = server
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": LECTURER_EMAIL, "password": support::LECTURER_PASSWORD })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(keys(&login), schema_properties(&document, "LoginResponse"));
    assert_eq!(
        keys(&login["user"]),
        schema_properties(&document, "UserView")
    );

    let (_, code) = server.lecturer_room().await;
    let (status, join) = server
        .call(
            "POST",
            &format!("/api/v1/rooms/{code}/join"),
            None,
            Some(json!({ "name": "Grace" })),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(keys(&join), schema_properties(&document, "JoinResponse"));
    assert_eq!(
        keys(&join["room"]),
        schema_properties(&document, "RoomView")
    );

    let student = join["token"].as_str().expect("token");
    let (_, me) = server
        .call("GET", "/api/v1/auth/me", Some(student), None)
        .await;
    assert_eq!(keys(&me), schema_properties(&document, "StudentMe"));

    let (status, error) = server.call("GET", "/api/v1/rooms", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(keys(&error), schema_properties(&document, "ErrorResponse"));
    assert_eq!(
        keys(&error["error"]),
        schema_properties(&document, "ErrorDetail")
    );
    server.stop().await;
}

#[tokio::test]
async fn docs_page_loads_its_script() {
    let server = start().await;
    let page = server
        .http
        .get(server.url("/api/v1/docs"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let html = page.text().await.expect("body");
    assert!(
        html.contains("<script src=\"/api/v1/docs/docs.js\""),
        "{html}"
    );
    assert!(
        !html.contains("<script>"),
        "no inline script, which the policy would block"
    );

    for (path, content_type) in [
        ("/api/v1/docs/docs.js", "text/javascript; charset=utf-8"),
        ("/api/v1/docs/docs.css", "text/css; charset=utf-8"),
    ] {
        let response = server
            .http
            .get(server.url(path))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
    }
    server.stop().await;
}
