//! Quiz authoring over REST: CRUD, validation, question edits, versions,
//! ownership, and GIFT and Moodle XML import and export.

mod support;

use serde_json::{Value, json};
use support::{LECTURER_EMAIL, OTHER_LECTURER_EMAIL, TestServer, start};

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("<no message>")
}

fn true_false(id: &str) -> Value {
    json!({ "id": id, "text": format!("Is {id} true?"), "type": "true_false", "answer": true })
}

fn sample_quiz() -> Value {
    json!({
        "title": "Planets",
        "questions": [
            {
                "id": "q1",
                "text": "Which planet is largest?",
                "type": "single_choice",
                "choices": [
                    { "text": "Jupiter", "weight": 100 },
                    { "text": "Mars", "weight": 0 }
                ]
            },
            true_false("q2"),
        ]
    })
}

async fn create(server: &TestServer, token: &str, quiz: Value) -> Value {
    let (status, body) = server
        .call("POST", "/api/v1/quizzes", Some(token), Some(quiz))
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

fn question_ids(view: &Value) -> Vec<&str> {
    view["quiz"]["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|question| question["id"].as_str().expect("id"))
        .collect()
}

/// Sends a request with an `If-Match` header; returns status and body.
async fn call_if_match(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    if_match: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = server
        .http
        .request(method, server.url(path))
        .bearer_auth(token)
        .header("if-match", if_match);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn quiz_crud_round_trip() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let created = create(&server, &token, sample_quiz()).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["version"], 1);
    assert_eq!(created["quiz"]["title"], "Planets");
    assert_eq!(
        created["quiz"]["questions"][1]["time_limit_secs"], 20,
        "defaults are filled in"
    );

    let response = server
        .http
        .get(server.url(&format!("/api/v1/quizzes/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let shown: Value = response.json().await.expect("JSON");
    assert_eq!(shown, created);

    let (status, listed) = server
        .call("GET", "/api/v1/quizzes", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        listed,
        json!([{
            "id": id,
            "title": "Planets",
            "question_count": 2,
            "version": 1,
            "updated_at": created["updated_at"],
        }])
    );

    let mut replacement = sample_quiz();
    replacement["title"] = json!("Planets and moons");
    let (status, replaced) = server
        .call(
            "PUT",
            &format!("/api/v1/quizzes/{id}"),
            Some(&token),
            Some(replacement),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["version"], 2);
    assert_eq!(replaced["quiz"]["title"], "Planets and moons");
    assert_eq!(replaced["created_at"], created["created_at"]);

    let (status, body) = server
        .call(
            "DELETE",
            &format!("/api/v1/quizzes/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = server
        .call("GET", &format!("/api/v1/quizzes/{id}"), Some(&token), None)
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = server
        .call(
            "DELETE",
            &format!("/api/v1/quizzes/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn invalid_quiz_lists_every_error() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let quiz = json!({
        "title": "",
        "questions": [
            { "id": "q1", "text": "Pick", "type": "single_choice",
              "choices": [{ "text": "only", "weight": 100 }] },
            { "id": "q1", "text": "Again", "type": "true_false", "answer": false,
              "time_limit_secs": 1 },
        ]
    });

    for path in ["/api/v1/quizzes", "/api/v1/quizzes/validate"] {
        let (status, body) = server
            .call("POST", path, Some(&token), Some(quiz.clone()))
            .await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(error_code(&body), "invalid_quiz", "{path}");
        let errors = body["error"]["errors"].as_array().expect("errors list");
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|error| {
                (
                    error["scope"].as_str().expect("scope"),
                    error["field"].as_str().expect("field"),
                )
            })
            .collect();
        assert!(fields.contains(&("quiz", "title")), "{path}: {fields:?}");
        assert!(
            fields.contains(&("question", "choices")),
            "{path}: {fields:?}"
        );
        assert!(fields.contains(&("question", "id")), "{path}: {fields:?}");
        assert!(
            fields.contains(&("question", "time_limit_secs")),
            "{path}: {fields:?}"
        );
        assert!(
            errors
                .iter()
                .any(|error| error["question_index"] == 1 && error["question_id"] == "q1"),
            "{path}: {errors:?}"
        );
    }

    let (status, listed) = server
        .call("GET", "/api/v1/quizzes", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!([]), "an invalid quiz is not stored");

    let (status, body) = server
        .call(
            "POST",
            "/api/v1/quizzes/validate",
            Some(&token),
            Some(sample_quiz()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "valid": true }));
    server.stop().await;
}

#[tokio::test]
async fn quiz_bad_json_names_field() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let cases = [
        (json!({ "questions": [] }), "title"),
        (
            json!({ "title": "T", "questions": [{ "id": "q1", "text": "x" }] }),
            "type",
        ),
        (
            json!({ "title": "T", "questions": [{ "id": "q1", "text": "x", "type": "essay" }] }),
            "essay",
        ),
        (
            json!({ "title": "T", "questions": [true_false("q1"), { "id": "q2", "text": "x",
                "type": "true_false", "answer": "yes" }] }),
            "questions[1]",
        ),
    ];
    for (quiz, named) in cases {
        let (status, body) = server
            .call("POST", "/api/v1/quizzes", Some(&token), Some(quiz.clone()))
            .await;
        assert_eq!(status, 400, "{quiz}: {body}");
        assert_eq!(error_code(&body), "invalid_json", "{quiz}");
        assert!(
            error_message(&body).contains(named),
            "{quiz}: the message names {named}: {}",
            error_message(&body)
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn question_edits_bump_version() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let created = create(&server, &token, sample_quiz()).await;
    let id = created["id"].as_str().expect("id");
    let questions = format!("/api/v1/quizzes/{id}/questions");

    let (status, appended) = server
        .call("POST", &questions, Some(&token), Some(true_false("q3")))
        .await;
    assert_eq!(status, 200, "{appended}");
    assert_eq!(question_ids(&appended), ["q1", "q2", "q3"]);
    assert_eq!(appended["version"], 2);

    let mut changed = true_false("q2");
    changed["answer"] = json!(false);
    let (status, replaced) = server
        .call(
            "PUT",
            &format!("{questions}/q2"),
            Some(&token),
            Some(changed),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["quiz"]["questions"][1]["answer"], false);
    assert_eq!(replaced["version"], 3);

    let (status, reordered) = server
        .call(
            "PUT",
            &format!("{questions}/order"),
            Some(&token),
            Some(json!({ "ids": ["q3", "q1", "q2"] })),
        )
        .await;
    assert_eq!(status, 200, "{reordered}");
    assert_eq!(question_ids(&reordered), ["q3", "q1", "q2"]);

    let (status, removed) = server
        .call("DELETE", &format!("{questions}/q1"), Some(&token), None)
        .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(question_ids(&removed), ["q3", "q2"]);
    assert_eq!(removed["version"], 5);

    let (status, listed) = server
        .call("GET", "/api/v1/quizzes", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["question_count"], 2);
    server.stop().await;
}

#[tokio::test]
async fn question_edit_errors() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let created = create(
        &server,
        &token,
        json!({ "title": "One", "questions": [true_false("q1")] }),
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let questions = format!("/api/v1/quizzes/{id}/questions");

    let (status, body) = server
        .call("POST", &questions, Some(&token), Some(true_false("q1")))
        .await;
    assert_eq!(status, 422, "a duplicate id: {body}");
    assert_eq!(body["error"]["errors"][0]["field"], "id");

    let (status, body) = server
        .call(
            "PUT",
            &format!("{questions}/nope"),
            Some(&token),
            Some(true_false("nope")),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(error_message(&body).contains("nope"), "{body}");

    let (status, body) = server
        .call(
            "PUT",
            &format!("{questions}/q1"),
            Some(&token),
            Some(true_false("q9")),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "invalid_field");
    assert!(error_message(&body).contains("q9"), "{body}");

    let (status, body) = server
        .call("DELETE", &format!("{questions}/nope"), Some(&token), None)
        .await;
    assert_eq!(status, 404, "{body}");

    let (status, body) = server
        .call("DELETE", &format!("{questions}/q1"), Some(&token), None)
        .await;
    assert_eq!(status, 422, "a quiz needs a question: {body}");
    assert_eq!(body["error"]["errors"][0]["field"], "questions");

    let (status, body) = server
        .call("GET", &format!("/api/v1/quizzes/{id}"), Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], 1, "failed edits change nothing");
    server.stop().await;
}

#[tokio::test]
async fn reorder_rejects_non_permutation() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let created = create(&server, &token, sample_quiz()).await;
    let path = format!(
        "/api/v1/quizzes/{}/questions/order",
        created["id"].as_str().expect("id")
    );

    let cases = [
        (json!({ "ids": ["q1"] }), "missing", "q2"),
        (json!({ "ids": ["q1", "q2", "q1"] }), "repeated", "q1"),
        (json!({ "ids": ["q1", "q2", "q7"] }), "unknown", "q7"),
        (json!({ "ids": [] }), "missing", "q1"),
    ];
    for (body, problem, named) in cases {
        let (status, reply) = server
            .call("PUT", &path, Some(&token), Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {reply}");
        assert_eq!(error_code(&reply), "invalid_field", "{body}");
        let message = error_message(&reply);
        assert!(message.contains(problem), "{body}: {message}");
        assert!(message.contains(named), "{body}: {message}");
    }

    let (status, reply) = server
        .call(
            "PUT",
            &path,
            Some(&token),
            Some(json!({ "order": ["q1", "q2"] })),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(error_code(&reply), "invalid_json");
    server.stop().await;
}

#[tokio::test]
async fn if_match_guards_updates() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let created = create(&server, &token, sample_quiz()).await;
    let path = format!("/api/v1/quizzes/{}", created["id"].as_str().expect("id"));

    let (status, body) = call_if_match(
        &server,
        reqwest::Method::PUT,
        &path,
        &token,
        "\"1\"",
        Some(sample_quiz()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);

    let (status, body) = call_if_match(
        &server,
        reqwest::Method::PUT,
        &path,
        &token,
        "\"1\"",
        Some(sample_quiz()),
    )
    .await;
    assert_eq!(status, 412, "a stale version: {body}");
    assert_eq!(error_code(&body), "precondition_failed");
    assert!(error_message(&body).contains("version 2"), "{body}");

    let (status, body) = call_if_match(
        &server,
        reqwest::Method::POST,
        &format!("{path}/questions"),
        &token,
        "soon",
        Some(true_false("q3")),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "invalid_header");

    let (status, body) = call_if_match(
        &server,
        reqwest::Method::PUT,
        &path,
        &token,
        "*",
        Some(sample_quiz()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 3);
    server.stop().await;
}

#[tokio::test]
async fn quizzes_private_to_owner() {
    let server = start().await;
    let owner = server.login(LECTURER_EMAIL).await;
    let other = server.login(OTHER_LECTURER_EMAIL).await;
    let admin = server.login(support::ADMIN_EMAIL).await;
    let (_, code) = server.lecturer_room().await;
    let (student, _) = server.join(&code, "Grace").await;
    let created = create(&server, &owner, sample_quiz()).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/api/v1/quizzes/{id}");

    let requests: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", path.clone(), None),
        ("PUT", path.clone(), Some(sample_quiz())),
        ("DELETE", path.clone(), None),
        ("POST", format!("{path}/questions"), Some(true_false("q3"))),
        (
            "PUT",
            format!("{path}/questions/q2"),
            Some(true_false("q2")),
        ),
        ("DELETE", format!("{path}/questions/q2"), None),
        (
            "PUT",
            format!("{path}/questions/order"),
            Some(json!({ "ids": ["q2", "q1"] })),
        ),
        ("GET", format!("{path}/export?format=gift"), None),
    ];
    for (method, path, body) in &requests {
        for (who, token) in [("another lecturer", &other), ("an admin", &admin)] {
            let (status, reply) = server.call(method, path, Some(token), body.clone()).await;
            assert_eq!(status, 404, "{who}: {method} {path}: {reply}");
            assert_eq!(error_code(&reply), "not_found");
        }
        let (status, reply) = server
            .call(method, path, Some(&student), body.clone())
            .await;
        assert_eq!(status, 403, "a student: {method} {path}: {reply}");
        let (status, _) = server.call(method, path, None, body.clone()).await;
        assert_eq!(status, 401, "no token: {method} {path}");
    }

    let (status, listed) = server
        .call("GET", "/api/v1/quizzes", Some(&other), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!([]));
    let (status, _) = server
        .call("GET", "/api/v1/quizzes", Some(&student), None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = server
        .call(
            "POST",
            "/api/v1/quizzes",
            Some(&student),
            Some(sample_quiz()),
        )
        .await;
    assert_eq!(status, 403);

    let (status, shown) = server.call("GET", &path, Some(&owner), None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["version"], 1, "nobody else changed it");
    server.stop().await;
}

#[tokio::test]
async fn api_token_authors_quizzes() {
    let server = start().await;
    let login = server.login(LECTURER_EMAIL).await;
    let (status, created) = server
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&login),
            Some(json!({ "name": "editor" })),
        )
        .await;
    assert_eq!(status, 201);
    let token = created["token"].as_str().expect("token");

    let quiz = create(&server, token, sample_quiz()).await;
    let (status, listed) = server
        .call("GET", "/api/v1/quizzes", Some(&login), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["id"], quiz["id"], "the token acts as its user");

    let token_id = created["id"].as_str().expect("id");
    let (status, _) = server
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{token_id}"),
            Some(&login),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = server
        .call("GET", "/api/v1/quizzes", Some(token), None)
        .await;
    assert_eq!(status, 401, "revoked: {body}");
    server.stop().await;
}

async fn import(server: &TestServer, token: &str, query: &str, body: &str) -> (u16, Value) {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/quizzes/import?{query}")))
        .bearer_auth(token)
        .header("content-type", "text/plain")
        .body(body.to_owned())
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn gift_import_reports_lines() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let gift = "// question: sky\n::Sky::The sky is blue. {T}\n\nWrite an essay. {}\n\n::Two::1 + 1 = ? {#2}\n";

    let (status, body) = import(&server, &token, "format=gift&title=Basics", gift).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["quiz"]["quiz"]["title"], "Basics");
    assert_eq!(
        body["quiz"]["quiz"]["questions"].as_array().map(Vec::len),
        Some(2)
    );
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 4, "the essay starts on line 4");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("essay"),
        "{errors:?}"
    );

    let id = body["quiz"]["id"].as_str().expect("id");
    let response = server
        .http
        .get(server.url(&format!("/api/v1/quizzes/{id}/export?format=gift")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    let text = response.text().await.expect("body");
    assert!(text.contains("The sky is blue."), "{text}");

    let (status, again) = import(&server, &token, "format=gift", &text).await;
    assert_eq!(status, 201, "the export imports again: {again}");
    assert_eq!(
        again["quiz"]["quiz"]["questions"],
        body["quiz"]["quiz"]["questions"]
    );
    server.stop().await;
}

#[tokio::test]
async fn moodle_xml_round_trip() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;
    let created = create(&server, &token, sample_quiz()).await;
    let id = created["id"].as_str().expect("id");

    let response = server
        .http
        .get(server.url(&format!("/api/v1/quizzes/{id}/export?format=moodle_xml")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let xml = response.text().await.expect("body");
    assert!(xml.contains("<quiz>"), "{xml}");

    let (status, body) = import(&server, &token, "format=moodle_xml", &xml).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["errors"], json!([]));
    assert_eq!(body["quiz"]["quiz"]["title"], "Imported from Moodle XML");
    assert_eq!(question_ids(&body["quiz"]), ["q1", "q2"]);
    server.stop().await;
}

#[tokio::test]
async fn import_bad_input_rejected() {
    let server = start().await;
    let token = server.login(LECTURER_EMAIL).await;

    let (status, body) = import(&server, &token, "format=docx", "x").await;
    assert_eq!(status, 400, "{body}");
    assert!(error_message(&body).contains("docx"), "{body}");
    let (status, body) = import(&server, &token, "", "x").await;
    assert_eq!(status, 400, "{body}");
    assert!(error_message(&body).contains("format"), "{body}");

    let (status, body) = import(&server, &token, "format=moodle_xml", "<notquiz/>").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "invalid_import");
    assert!(error_message(&body).contains("quiz"), "{body}");

    let (status, body) = import(&server, &token, "format=gift", "Write an essay. {}\n").await;
    assert_eq!(status, 422, "nothing importable: {body}");
    assert_eq!(error_code(&body), "nothing_imported");
    assert!(error_message(&body).contains("line 1"), "{body}");
    assert_eq!(body["error"]["errors"][0]["line"], 1, "{body}");

    let response = server
        .http
        .post(server.url("/api/v1/quizzes/import?format=gift"))
        .bearer_auth(&token)
        .body(vec![0xff_u8, 0xfe, 0x00])
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 400);

    let (status, body) = server
        .call(
            "GET",
            "/api/v1/quizzes/nope/export?format=xls",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    server.stop().await;
}
