//! Malformed, misdirected and unauthorised messages on the control channel:
//! each gets its error code or close code, and nothing else changes.

mod support;

use futures_util::SinkExt;
use serde_json::{Value, json};
use support::{ControlClient, TestServer, planets_quiz, rejected_upgrade, start, start_with};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A room with a launched run of the planets quiz whose first question is
/// open, and one student connected.
struct OpenRun {
    server: TestServer,
    code: String,
    token: String,
    run_id: String,
    lecturer: ControlClient,
    student: ControlClient,
}

async fn open_run_on(server: TestServer, time_limit_secs: u32) -> OpenRun {
    let (token, code) = server.lecturer_room().await;
    let quiz_id = server
        .create_quiz(&token, planets_quiz(time_limit_secs))
        .await;
    let (mut lecturer, _) = ControlClient::connect(&server, &code, &token).await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let (mut student, _) = ControlClient::connect(&server, &code, &student_token).await;

    lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id}))
        .await;
    let run = lecturer.state_in("lobby").await;
    lecturer.send(json!({"v": 1, "type": "quiz.next"})).await;
    lecturer.state_in("question_open").await;
    student.state_in("question_open").await;
    OpenRun {
        run_id: run["run_id"].as_str().expect("run id").to_owned(),
        server,
        code,
        token,
        lecturer,
        student,
    }
}

async fn open_run() -> OpenRun {
    open_run_on(start().await, 60).await
}

fn answer(run_id: &str, index: usize, choice: usize) -> Value {
    json!({"v": 1, "type": "quiz.answer", "run_id": run_id,
           "question_index": index, "answer": {"type": "choice", "index": choice}})
}

/// Checks that the connection still works after an error: a valid answer
/// is accepted.
async fn still_open(run: &mut OpenRun) {
    let message = answer(&run.run_id, 0, 1);
    run.student.send(message).await;
    run.student.next_of("quiz.accepted").await;
}

#[tokio::test]
async fn invalid_json_gets_error() {
    let mut run = open_run().await;

    run.student.send_text("{\"v\": 1, \"type\": ").await;
    let error = run.student.next_of("error").await;

    assert_eq!(error["code"], "invalid_json");
    assert_eq!(error["v"], 1);
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn non_object_gets_invalid_json() {
    let mut run = open_run().await;

    run.student.send_text("[1, 2]").await;
    let error = run.student.next_of("error").await;

    assert_eq!(error["code"], "invalid_json");
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn missing_field_is_named() {
    let mut run = open_run().await;

    let error = run
        .student
        .expect_error(
            json!({"v": 1, "type": "quiz.answer", "question_index": 0,
                   "answer": {"type": "choice", "index": 1}}),
            "m1",
        )
        .await;

    assert_eq!(error["code"], "invalid_message");
    let message = error["message"].as_str().expect("message");
    assert!(message.contains("run_id"), "{message}");
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn malformed_answer_field_is_named() {
    let mut run = open_run().await;
    let mut message = answer(&run.run_id, 0, 1);
    message["answer"]["index"] = json!("one");

    let error = run.student.expect_error(message, "m2").await;

    assert_eq!(error["code"], "invalid_message");
    let text = error["message"].as_str().expect("message");
    assert!(text.contains("answer"), "{text}");
    run.server.stop().await;
}

#[tokio::test]
async fn wrong_version_gets_error() {
    let mut run = open_run().await;
    let mut message = answer(&run.run_id, 0, 1);
    message["v"] = json!(2);

    let error = run.student.expect_error(message, "v2").await;

    assert_eq!(error["code"], "unsupported_version");
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn unknown_type_gets_error() {
    let mut run = open_run().await;

    let error = run
        .student
        .expect_error(json!({"v": 1, "type": "quiz.dance"}), "u1")
        .await;

    assert_eq!(error["code"], "unknown_type");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("quiz.dance"),
        "{error}"
    );
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn binary_frame_closes_1003() {
    let mut run = open_run().await;

    run.student
        .socket
        .send(WsMessage::binary(vec![1, 2, 3]))
        .await
        .expect("sent");

    let closed = run.student.closed().await;
    assert_eq!(closed.map(|(code, _)| code), Some(1003));
    run.server.stop().await;
}

#[tokio::test]
async fn oversized_message_closes_1009() {
    let mut run = open_run().await;
    let mut message = answer(&run.run_id, 0, 1);
    message["padding"] = json!("x".repeat(17 * 1024));

    run.student.send(message).await;

    let closed = run.student.closed().await;
    assert_eq!(closed.map(|(code, _)| code), Some(1009));
    run.server.stop().await;
}

#[tokio::test]
async fn message_under_limit_passes() {
    let mut run = open_run().await;
    let mut message = answer(&run.run_id, 0, 1);
    message["padding"] = json!("x".repeat(15 * 1024));

    run.student.send(message).await;

    run.student.next_of("quiz.accepted").await;
    run.server.stop().await;
}

#[tokio::test]
async fn answer_for_other_rooms_run() {
    let mut run = open_run().await;
    let other = open_run_on(
        TestServer::remote(&run.server.base, tempfile::tempdir().expect("dir")),
        60,
    )
    .await;

    let error = run
        .student
        .expect_error(answer(&other.run_id, 0, 1), "r1")
        .await;

    assert_eq!(error["code"], "wrong_run");
    assert_ne!(other.run_id, run.run_id);
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn answer_for_other_question() {
    let mut run = open_run().await;

    let error = run
        .student
        .expect_error(answer(&run.run_id, 1, 0), "q1")
        .await;

    assert_eq!(error["code"], "wrong_question");
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn answer_for_closed_question() {
    let mut run = open_run().await;
    run.lecturer
        .send(json!({"v": 1, "type": "quiz.close"}))
        .await;
    run.student.state_in("question_closed").await;

    let error = run
        .student
        .expect_error(answer(&run.run_id, 0, 1), "c1")
        .await;

    assert_eq!(error["code"], "question_closed");
    run.server.stop().await;
}

#[tokio::test]
async fn answer_with_missing_option() {
    let mut run = open_run().await;

    let error = run
        .student
        .expect_error(answer(&run.run_id, 0, 7), "o1")
        .await;

    assert_eq!(error["code"], "invalid_answer");
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn answer_twice_returns_first() {
    let mut run = open_run().await;
    let mut first = answer(&run.run_id, 0, 1);
    first["ref"] = json!("t1");
    run.student.send(first).await;
    let accepted = run.student.next_of("quiz.accepted").await;

    let mut second = answer(&run.run_id, 0, 0);
    second["ref"] = json!("t2");
    run.student.send(second).await;
    let repeated = run.student.next_of("quiz.accepted").await;

    assert_eq!(accepted["duplicate"], false);
    assert_eq!(repeated["duplicate"], true);
    assert_eq!(repeated["ref"], "t2");
    assert_eq!(repeated["answer"], json!({"type": "choice", "index": 1}));
    assert_eq!(repeated["received_at"], accepted["received_at"]);
    run.server.stop().await;
}

#[tokio::test]
async fn answer_after_deadline() {
    // 5 s is the shortest time limit the quiz model accepts.
    let mut run = open_run_on(start().await, 5).await;
    run.student.state_in("question_closed").await;

    let error = run
        .student
        .expect_error(answer(&run.run_id, 0, 1), "d1")
        .await;

    assert_eq!(error["code"], "late");
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains("after the deadline of question 1"),
        "{message}"
    );
    run.server.stop().await;
}

#[tokio::test]
async fn answer_from_lecturer_forbidden() {
    let mut run = open_run().await;

    let error = run
        .lecturer
        .expect_error(answer(&run.run_id, 0, 1), "f1")
        .await;

    assert_eq!(error["code"], "forbidden");
    run.server.stop().await;
}

#[tokio::test]
async fn student_lecturer_commands_forbidden() {
    let mut run = open_run().await;
    let commands = [
        json!({"v": 1, "type": "quiz.launch", "quiz_id": "any"}),
        json!({"v": 1, "type": "quiz.next"}),
        json!({"v": 1, "type": "quiz.close"}),
        json!({"v": 1, "type": "quiz.reveal"}),
        json!({"v": 1, "type": "quiz.leaderboard"}),
        json!({"v": 1, "type": "quiz.end"}),
    ];

    for (position, command) in commands.into_iter().enumerate() {
        let reference = format!("s{position}");
        let error = run.student.expect_error(command.clone(), &reference).await;
        assert_eq!(error["code"], "forbidden", "{command}");
    }

    // The question is still open: no command took effect.
    still_open(&mut run).await;
    run.server.stop().await;
}

#[tokio::test]
async fn lecturer_command_errors() {
    let mut run = open_run().await;
    let other_token = run.server.login(support::OTHER_LECTURER_EMAIL).await;
    let foreign_quiz = run.server.create_quiz(&other_token, planets_quiz(60)).await;
    let cases = [
        (json!({"v": 1, "type": "quiz.reveal"}), "illegal_transition"),
        (
            json!({"v": 1, "type": "quiz.leaderboard"}),
            "illegal_transition",
        ),
        (json!({"v": 1, "type": "quiz.next"}), "illegal_transition"),
        (
            json!({"v": 1, "type": "quiz.launch", "quiz_id": foreign_quiz}),
            "run_in_progress",
        ),
    ];

    for (position, (command, code)) in cases.into_iter().enumerate() {
        let error = run
            .lecturer
            .expect_error(command.clone(), &format!("e{position}"))
            .await;
        assert_eq!(error["code"], code, "{command}");
    }

    for command in ["quiz.close", "quiz.next"] {
        run.lecturer.send(json!({"v": 1, "type": command})).await;
    }
    run.lecturer.state_in("question_open").await;
    run.lecturer
        .send(json!({"v": 1, "type": "quiz.close"}))
        .await;
    run.lecturer.state_in("question_closed").await;
    let error = run
        .lecturer
        .expect_error(json!({"v": 1, "type": "quiz.next"}), "last")
        .await;
    assert_eq!(error["code"], "no_more_questions");

    run.lecturer.send(json!({"v": 1, "type": "quiz.end"})).await;
    run.lecturer.state_in("ended").await;
    let error = run
        .lecturer
        .expect_error(json!({"v": 1, "type": "quiz.next"}), "ended")
        .await;
    assert_eq!(error["code"], "no_run");
    let error = run
        .lecturer
        .expect_error(
            json!({"v": 1, "type": "quiz.launch", "quiz_id": foreign_quiz}),
            "foreign",
        )
        .await;
    assert_eq!(error["code"], "no_such_quiz", "another lecturer's quiz");
    run.server.stop().await;
}

#[tokio::test]
async fn answer_without_run() {
    let server = start().await;
    let (_, code) = server.lecturer_room().await;
    let (token, _) = server.join(&code, "Grace").await;
    let (mut student, _) = ControlClient::connect(&server, &code, &token).await;

    let error = student
        .expect_error(answer("no-such-run", 0, 0), "n1")
        .await;

    assert_eq!(error["code"], "no_run");
    server.stop().await;
}

#[tokio::test]
async fn other_rooms_token_refused() {
    let run = open_run().await;
    let (_, other_code) = run.server.lecturer_room().await;
    let (student_token, _) = run.server.join(&other_code, "Mallory").await;

    let (status, body) = rejected_upgrade(&run.server.control_url(&run.code, &student_token)).await;

    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "forbidden");
    run.server.stop().await;
}

#[tokio::test]
async fn bad_tokens_refused() {
    let run = open_run().await;
    let other_lecturer = run.server.login(support::OTHER_LECTURER_EMAIL).await;
    let base = run.server.base.replace("http://", "ws://");
    let cases = [
        (format!("{base}/ws/control/{}", run.code), 401),
        (run.server.control_url(&run.code, "not-a-token"), 401),
        (run.server.control_url(&run.code, &other_lecturer), 403),
        (run.server.control_url("2345678923", &run.token), 404),
    ];

    for (url, expected) in cases {
        let (status, body) = rejected_upgrade(&url).await;
        assert_eq!(status, expected, "{url}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    run.server.stop().await;
}

#[tokio::test]
async fn flood_is_rate_limited() {
    let server = start_with(|settings| settings.limits.control_messages_per_second = 5).await;
    let mut run = open_run_on(server, 60).await;

    for position in 0..200 {
        let message = json!({"v": 1, "type": "quiz.dance", "ref": format!("f{position}")});
        if run
            .student
            .socket
            .send(WsMessage::text(message.to_string()))
            .await
            .is_err()
        {
            break;
        }
    }
    let closed = run.student.closed().await;

    let codes: Vec<String> = run
        .student
        .log
        .iter()
        .map(|text| serde_json::from_str::<Value>(text).expect("JSON"))
        .filter(|message| message["type"] == "error")
        .map(|message| message["code"].as_str().expect("code").to_owned())
        .collect();
    assert!(
        codes.contains(&"unknown_type".to_owned()),
        "the burst is handled: {codes:?}"
    );
    assert!(codes.contains(&"rate_limited".to_owned()), "{codes:?}");
    assert_eq!(
        closed.map(|(code, _)| code),
        Some(1008),
        "a sustained flood closes"
    );
    run.server.stop().await;
}
