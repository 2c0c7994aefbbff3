//! Quiz answers are stored before they are acknowledged, and runs survive
//! restarts and the room's closing.

mod support;

use lectern_store::Store;
use serde_json::{Value, json};
use support::{ControlClient, TestServer, planets_quiz, rejected_upgrade, start, start_with};

/// Starts a server with a room and a launched run whose first question is
/// open for 60 s. Returns the server, lecturer token, room code, run id
/// and the lecturer's client.
async fn open_question() -> (TestServer, String, String, String, ControlClient) {
    open_question_on(start().await).await
}

async fn open_question_on(
    server: TestServer,
) -> (TestServer, String, String, String, ControlClient) {
    let (token, code) = server.lecturer_room().await;
    let quiz_id = server.create_quiz(&token, planets_quiz(60)).await;
    let (mut lecturer, _) = ControlClient::connect(&server, &code, &token).await;

    lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id}))
        .await;
    let run = lecturer.state_in("lobby").await;
    lecturer.send(json!({"v": 1, "type": "quiz.next"})).await;
    lecturer.state_in("question_open").await;
    let run_id = run["run_id"].as_str().expect("run id").to_owned();
    (server, token, code, run_id, lecturer)
}

fn answer(run_id: &str, choice: usize, reference: &str) -> Value {
    json!({"v": 1, "type": "quiz.answer", "ref": reference, "run_id": run_id,
           "question_index": 0, "answer": {"type": "choice", "index": choice}})
}

#[tokio::test]
async fn acknowledged_answer_is_stored() {
    let (server, _, code, run_id, _lecturer) = open_question().await;
    let (token, participant_id) = server.join(&code, "Grace").await;
    let (mut student, _) = ControlClient::connect(&server, &code, &token).await;

    student.send(answer(&run_id, 1, "a1")).await;
    let accepted = student.next_of("quiz.accepted").await;

    // Read the database directly, as soon as the acknowledgement arrived.
    let store = Store::connect(&server.settings.database_url)
        .await
        .expect("store");
    let stored = store.load_run(&run_id).await.expect("query").expect("run");
    assert_eq!(stored.answers.len(), 1);
    let row = &stored.answers[0];
    assert_eq!(row.participant_id, participant_id);
    assert_eq!(row.question_index, 0);
    assert_eq!(row.question_id, "q1");
    let answer: Value = serde_json::from_str(&row.answer).expect("answer JSON");
    assert_eq!(answer, accepted["answer"]);
    let record: Value = serde_json::from_str(&row.record).expect("record JSON");
    assert_eq!(record["received_at"], accepted["received_at"]);
    assert_eq!(record["correctness"], "correct");
    assert_eq!(stored.run.phase, "question_open");
    store.close().await;

    server.stop().await;
}

#[tokio::test]
async fn restart_keeps_answers() {
    let (server, token, code, run_id, mut lecturer) = open_question().await;
    let (grace_token, _) = server.join(&code, "Grace").await;
    let (alan_token, _) = server.join(&code, "Alan").await;
    let (mut grace, _) = ControlClient::connect(&server, &code, &grace_token).await;
    grace.send(answer(&run_id, 1, "a1")).await;
    let accepted = grace.next_of("quiz.accepted").await;
    lecturer
        .until(|message| message["type"] == "quiz.progress" && message["answered"] == 1)
        .await;

    let server = server.restart().await;
    assert_eq!(
        lecturer.closed().await.map(|(code, _)| code),
        Some(1001),
        "a restart closes control connections with 1001"
    );
    assert_eq!(grace.closed().await.map(|(code, _)| code), Some(1001));

    // Grace reconnects and gets the open question and her own answer back.
    let (mut grace, state) = ControlClient::connect(&server, &code, &grace_token).await;
    let run = &state["run"];
    assert_eq!(run["run_id"], run_id.as_str());
    assert_eq!(run["phase"], "question_open");
    assert_eq!(run["question"]["index"], 0);
    assert_eq!(run["answered"], 1);
    assert_eq!(run["my_answer"]["answer"], accepted["answer"]);
    assert_eq!(run["my_answer"]["received_at"], accepted["received_at"]);
    assert_eq!(run["my_answer"]["response_ms"], accepted["response_ms"]);

    // Her first answer stays in force after the restart.
    grace.send(answer(&run_id, 0, "a2")).await;
    let repeated = grace.next_of("quiz.accepted").await;
    assert_eq!(repeated["duplicate"], true);
    assert_eq!(repeated["answer"], accepted["answer"]);

    // The run goes on: Alan answers, and the lecturer sees both answers.
    let (mut lecturer, state) = ControlClient::connect(&server, &code, &token).await;
    assert_eq!(state["run"]["answered"], 1);
    let (mut alan, _) = ControlClient::connect(&server, &code, &alan_token).await;
    alan.send(answer(&run_id, 0, "b1")).await;
    alan.next_of("quiz.accepted").await;
    let progress = lecturer
        .until(|message| message["type"] == "quiz.progress" && message["answered"] == 2)
        .await;
    assert_eq!(
        progress["distribution"],
        json!({"type": "options", "counts": [1, 1]})
    );

    server.stop().await;
}

#[tokio::test]
async fn restart_keeps_answers_on_postgres() {
    let Some(database_url) = support::postgres_database().await else {
        return;
    };
    let server = start_with(|settings| settings.database_url = database_url).await;
    let (server, _, code, run_id, _lecturer) = open_question_on(server).await;
    let (token, _) = server.join(&code, "Grace").await;
    let (mut student, _) = ControlClient::connect(&server, &code, &token).await;
    student.send(answer(&run_id, 1, "a1")).await;
    let accepted = student.next_of("quiz.accepted").await;

    let server = server.restart().await;
    let (_, state) = ControlClient::connect(&server, &code, &token).await;

    assert_eq!(state["run"]["phase"], "question_open");
    assert_eq!(state["run"]["my_answer"]["answer"], accepted["answer"]);
    assert_eq!(state["run"]["answered"], 1);
    server.stop().await;
}

#[tokio::test]
async fn restart_keeps_phase() {
    let (server, token, code, _, mut lecturer) = open_question().await;
    lecturer.send(json!({"v": 1, "type": "quiz.close"})).await;
    lecturer.state_in("question_closed").await;

    let server = server.restart().await;
    let (_, state) = ControlClient::connect(&server, &code, &token).await;

    assert_eq!(state["run"]["phase"], "question_closed");
    assert_eq!(state["run"]["question"]["index"], 0);
    server.stop().await;
}

#[tokio::test]
async fn runs_survive_room_close() {
    let (server, token, code, run_id, mut lecturer) = open_question().await;
    let (student_token, participant_id) = server.join(&code, "Grace").await;
    let (mut student, _) = ControlClient::connect(&server, &code, &student_token).await;
    student.send(answer(&run_id, 1, "a1")).await;
    student.next_of("quiz.accepted").await;

    let (status, body) = server
        .call(
            "POST",
            &format!("/api/v1/rooms/{code}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(lecturer.closed().await.map(|(code, _)| code), Some(4000));
    assert_eq!(student.closed().await.map(|(code, _)| code), Some(4000));
    let last: Value = serde_json::from_str(student.log.last().expect("messages")).expect("JSON");
    assert_eq!(
        last["type"], "quiz.state",
        "the final state precedes the close"
    );
    assert_eq!(last["run"]["phase"], "ended");
    assert!(last["run"]["podium"].is_array(), "{last}");

    // Closing the room ended the run; its results stay readable.
    let (status, runs) = server
        .call(
            "GET",
            &format!("/api/v1/rooms/{code}/quiz-runs"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{runs}");
    assert_eq!(runs[0]["id"], run_id.as_str());
    assert_eq!(runs[0]["phase"], "ended");
    assert!(runs[0]["ended_at"].is_i64(), "{runs}");
    let (status, results) = server
        .call(
            "GET",
            &format!("/api/v1/quiz-runs/{run_id}/results"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{results}");
    assert_eq!(
        results["participants"][0]["participant_id"],
        participant_id.as_str()
    );
    assert_eq!(
        results["participants"][0]["total"]
            .as_u64()
            .map(|total| total > 0),
        Some(true)
    );
    let (status, _) = server
        .call(
            "GET",
            &format!("/api/v1/quiz-runs/{run_id}/students/{participant_id}"),
            Some(&student_token),
            None,
        )
        .await;
    assert_eq!(
        status, 200,
        "the student reads their entry of the ended run"
    );

    let (status, body) = rejected_upgrade(&server.control_url(&code, &token)).await;
    assert_eq!(status, 410, "a closed room takes no control connections");
    assert_eq!(body["error"]["code"], "room_closed");
    server.stop().await;
}
