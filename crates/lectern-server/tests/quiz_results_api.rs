//! Results of quiz runs over REST: JSON and CSV contents, and who may read
//! which entry.

mod support;

use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ControlClient, OTHER_LECTURER_EMAIL, TestServer, planets_quiz, start};

/// A room whose run of the planets quiz has question 1 answered by Ada
/// (right) and Grace (wrong) and closed.
struct Played {
    server: TestServer,
    token: String,
    code: String,
    run_id: String,
    ada: (String, String),
    grace: (String, String),
    lecturer: ControlClient,
}

async fn played_run() -> Played {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let quiz_id = server.create_quiz(&token, planets_quiz(60)).await;
    let (mut lecturer, _) = ControlClient::connect(&server, &code, &token).await;
    let ada = server.join(&code, "Ada").await;
    let grace = server.join(&code, "=Grace, Hopper").await;

    lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id}))
        .await;
    let run = lecturer.state_in("lobby").await;
    let run_id = run["run_id"].as_str().expect("run id").to_owned();
    lecturer.send(json!({"v": 1, "type": "quiz.next"})).await;
    lecturer.state_in("question_open").await;

    for ((student_token, _), choice) in [(&ada, 1), (&grace, 0)] {
        let (mut student, _) = ControlClient::connect(&server, &code, student_token).await;
        student
            .send(
                json!({"v": 1, "type": "quiz.answer", "run_id": run_id, "question_index": 0,
                         "answer": {"type": "choice", "index": choice}}),
            )
            .await;
        student.next_of("quiz.accepted").await;
    }
    lecturer.send(json!({"v": 1, "type": "quiz.close"})).await;
    lecturer.state_in("question_closed").await;

    Played {
        server,
        token,
        code,
        run_id,
        ada,
        grace,
        lecturer,
    }
}

async fn end_run(played: &mut Played) {
    played
        .lecturer
        .send(json!({"v": 1, "type": "quiz.end"}))
        .await;
    played.lecturer.state_in("ended").await;
}

async fn api_token(server: &TestServer, email: &str) -> String {
    let login = server.login(email).await;
    let (status, body) = server
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&login),
            Some(json!({"name": "results export"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn runs_listed_newest_first() {
    let mut played = played_run().await;
    end_run(&mut played).await;
    let Played {
        server,
        token,
        code,
        run_id,
        ..
    } = played;

    let (status, runs) = server
        .call(
            "GET",
            &format!("/api/v1/rooms/{code}/quiz-runs"),
            Some(&token),
            None,
        )
        .await;

    assert_eq!(status, 200, "{runs}");
    let runs = runs.as_array().expect("list");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], run_id.as_str());
    assert_eq!(runs[0]["title"], "Planets");
    assert_eq!(runs[0]["phase"], "ended");
    assert_eq!(runs[0]["started_by"], "lecturer-1");
    assert!(runs[0]["started_at"].is_i64());
    assert!(runs[0]["ended_at"].is_i64());
    server.stop().await;
}

#[tokio::test]
async fn results_json_right() {
    let played = played_run().await;

    let (status, results) = played
        .server
        .call(
            "GET",
            &format!("/api/v1/quiz-runs/{}/results", played.run_id),
            Some(&played.token),
            None,
        )
        .await;

    assert_eq!(status, 200, "{results}");
    assert_eq!(results["run"]["id"], played.run_id.as_str());
    assert_eq!(results["run"]["phase"], "question_closed");
    assert_eq!(results["run"]["ended_at"], Value::Null);
    let question = &results["questions"][0];
    assert_eq!(question["id"], "q1");
    assert_eq!(question["answered"], 2);
    assert_eq!(question["correct"], 1);
    assert_eq!(question["incorrect"], 1);
    assert_eq!(
        question["distribution"],
        json!({"type": "options", "counts": [1, 1]})
    );
    assert_eq!(results["questions"][1]["opened"], false);
    let first = &results["participants"][0];
    assert_eq!(first["participant_id"], played.ada.1.as_str());
    assert_eq!(first["name"], "Ada");
    assert_eq!(first["rank"], 1);
    assert_eq!(first["correct"], 1);
    assert!(first["total"].as_u64().expect("total") > 500);
    assert_eq!(
        first["answers"][0]["answer"],
        json!({"type": "choice", "index": 1})
    );
    assert_eq!(first["answers"][1], Value::Null);
    let second = &results["participants"][1];
    assert_eq!(second["name"], "=Grace, Hopper");
    assert_eq!(second["total"], 0);
    assert_eq!(second["answers"][0]["correctness"], "incorrect");
    played.server.stop().await;
}

#[tokio::test]
async fn results_csv_right() {
    let played = played_run().await;

    let (status, headers, csv) = played
        .server
        .get_text(
            &format!("/api/v1/quiz-runs/{}/results.csv", played.run_id),
            Some(&played.token),
        )
        .await;

    assert_eq!(status, 200, "{csv}");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().expect("ASCII");
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert!(disposition.contains(&played.run_id), "{disposition}");
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "participant_id,name,rank,total,correct,q1,q2");
    let ada: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(ada[0], played.ada.1);
    assert_eq!(ada[1], "Ada");
    assert_eq!(ada[2], "1");
    assert_eq!(ada[4], "1");
    assert_eq!(ada[3], ada[5], "the total is question 1's points");
    assert_eq!(ada[6], "", "no answer to question 2");
    assert_eq!(
        lines[2],
        format!("{},\"'=Grace, Hopper\",2,0,0,0,", played.grace.1),
        "a formula-like name is quoted and defused"
    );
    assert_eq!(lines[3], "", "the file ends with CRLF");
    played.server.stop().await;
}

#[tokio::test]
async fn question_report_by_index() {
    let played = played_run().await;
    let path = |index: usize| format!("/api/v1/quiz-runs/{}/questions/{index}", played.run_id);

    let (status, body) = played
        .server
        .call("GET", &path(0), Some(&played.token), None)
        .await;
    let (missing, error) = played
        .server
        .call("GET", &path(2), Some(&played.token), None)
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["run_id"], played.run_id.as_str());
    assert_eq!(body["question"]["choices"][1]["weight"], 100.0);
    assert_eq!(body["report"]["answered"], 2);
    assert_eq!(
        body["report"]["distribution"],
        json!({"type": "options", "counts": [1, 1]})
    );
    assert_eq!(missing, 404, "{error}");
    assert_eq!(error["error"]["code"], "not_found");
    played.server.stop().await;
}

#[tokio::test]
async fn student_entry_after_end() {
    let mut played = played_run().await;
    let (ada_token, ada_id) = played.ada.clone();
    let path = format!("/api/v1/quiz-runs/{}/students/{ada_id}", played.run_id);

    let (before, error) = played
        .server
        .call("GET", &path, Some(&ada_token), None)
        .await;
    assert_eq!(before, 403, "not before the run ended: {error}");
    assert_eq!(error["error"]["code"], "forbidden");
    let (lecturer_status, _) = played
        .server
        .call("GET", &path, Some(&played.token), None)
        .await;
    assert_eq!(lecturer_status, 200, "the lecturer reads it at any time");

    end_run(&mut played).await;
    let (status, body) = played
        .server
        .call("GET", &path, Some(&ada_token), None)
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["run_id"], played.run_id.as_str());
    assert_eq!(body["student"]["participant_id"], ada_id.as_str());
    assert_eq!(body["student"]["name"], "Ada");
    assert_eq!(body["student"]["rank"], 1);
    played.server.stop().await;
}

#[tokio::test]
async fn student_cannot_read_others() {
    let mut played = played_run().await;
    end_run(&mut played).await;
    let (ada_token, _) = played.ada.clone();
    let run_id = played.run_id.clone();
    let grace_id = played.grace.1.clone();
    let paths = [
        format!("/api/v1/quiz-runs/{run_id}/students/{grace_id}"),
        format!("/api/v1/quiz-runs/{run_id}/results"),
        format!("/api/v1/quiz-runs/{run_id}/results.csv"),
        format!("/api/v1/quiz-runs/{run_id}/questions/0"),
        format!("/api/v1/rooms/{}/quiz-runs", played.code),
    ];

    for path in paths {
        let (status, body) = played
            .server
            .call("GET", &path, Some(&ada_token), None)
            .await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden", "{path}");
    }
    played.server.stop().await;
}

#[tokio::test]
async fn results_authorisation_matrix() {
    let mut played = played_run().await;
    end_run(&mut played).await;
    let server = &played.server;
    let run_id = &played.run_id;
    let owner_api = api_token(server, support::LECTURER_EMAIL).await;
    let other_api = api_token(server, OTHER_LECTURER_EMAIL).await;
    let other_login = server.login(OTHER_LECTURER_EMAIL).await;
    let admin = server.login(ADMIN_EMAIL).await;
    let (_, other_room) = server.lecturer_room().await;
    let (outsider, _) = server.join(&other_room, "Mallory").await;
    let paths = [
        format!("/api/v1/quiz-runs/{run_id}/results"),
        format!("/api/v1/quiz-runs/{run_id}/results.csv"),
        format!("/api/v1/quiz-runs/{run_id}/questions/0"),
        format!("/api/v1/quiz-runs/{run_id}/students/{}", played.ada.1),
        format!("/api/v1/rooms/{}/quiz-runs", played.code),
    ];
    let callers: [(&str, Option<&str>, u16); 7] = [
        ("no token", None, 401),
        ("invalid token", Some("not-a-token"), 401),
        ("owner's login", Some(&played.token), 200),
        ("owner's API token", Some(&owner_api), 200),
        ("admin", Some(&admin), 200),
        ("other lecturer's login", Some(&other_login), 403),
        ("other lecturer's API token", Some(&other_api), 403),
    ];

    for path in &paths {
        for (caller, token, expected) in callers {
            let (status, _, body) = server.get_text(path, token).await;
            assert_eq!(status, expected, "{caller} on {path}: {body}");
            if expected != 200 {
                let error: Value = serde_json::from_str(&body).expect("JSON error");
                assert!(
                    error["error"]["code"].is_string(),
                    "{caller} on {path}: {body}"
                );
                assert!(error["error"]["message"].is_string(), "{caller} on {path}");
            }
        }
        let (status, _, _) = server.get_text(path, Some(&outsider)).await;
        assert_eq!(status, 403, "a student of another room on {path}");
    }
    played.server.stop().await;
}

#[tokio::test]
async fn unknown_run_is_404() {
    let played = played_run().await;
    let paths = [
        "/api/v1/quiz-runs/no-such-run/results".to_owned(),
        "/api/v1/quiz-runs/no-such-run/results.csv".to_owned(),
        "/api/v1/quiz-runs/no-such-run/questions/0".to_owned(),
        format!("/api/v1/quiz-runs/no-such-run/students/{}", played.ada.1),
        "/api/v1/rooms/2345678923/quiz-runs".to_owned(),
    ];

    for path in paths {
        let (status, body) = played
            .server
            .call("GET", &path, Some(&played.token), None)
            .await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    let (status, body) = played
        .server
        .call(
            "GET",
            &format!("/api/v1/quiz-runs/{}/students/nobody", played.run_id),
            Some(&played.token),
            None,
        )
        .await;
    assert_eq!(status, 404, "a participant not in the run: {body}");
    played.server.stop().await;
}
