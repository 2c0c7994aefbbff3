//! A live quiz run over the control channel, from launch to podium.

mod support;

use lectern_quiz::standings::PODIUM_MAX_ENTRIES;
use serde_json::{Value, json};
use support::{ControlClient, TestServer, planets_quiz, start};

/// A room with a quiz, the lecturer's control client and three students'.
struct Class {
    server: TestServer,
    quiz_id: String,
    lecturer: ControlClient,
    students: Vec<(ControlClient, String)>,
}

async fn class_with_quiz(time_limit_secs: u32) -> Class {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let quiz_id = server
        .create_quiz(&token, planets_quiz(time_limit_secs))
        .await;
    let (lecturer, _) = ControlClient::connect(&server, &code, &token).await;

    let mut students = Vec::new();
    for name in ["Ada", "Grace", "Alan"] {
        let (student_token, participant_id) = server.join(&code, name).await;
        let (client, _) = ControlClient::connect(&server, &code, &student_token).await;
        students.push((client, participant_id));
    }
    Class {
        server,
        quiz_id,
        lecturer,
        students,
    }
}

/// Launches the quiz and opens question 1; returns the run id.
async fn launch_and_open(class: &mut Class) -> String {
    let quiz_id = class.quiz_id.clone();
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id}))
        .await;
    let run = class.lecturer.state_in("lobby").await;
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.next"}))
        .await;
    class.lecturer.state_in("question_open").await;
    run["run_id"].as_str().expect("run id").to_owned()
}

fn answer(run_id: &str, index: usize, choice: usize, reference: &str) -> Value {
    json!({"v": 1, "type": "quiz.answer", "ref": reference, "run_id": run_id,
           "question_index": index, "answer": {"type": "choice", "index": choice}})
}

#[tokio::test]
async fn full_run_to_podium() {
    let mut class = class_with_quiz(60).await;
    let quiz_id = class.quiz_id.clone();

    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id, "ref": "l1"}))
        .await;
    let lobby = class.lecturer.state_in("lobby").await;
    assert_eq!(lobby["participants"], 3, "{lobby}");
    assert_eq!(lobby["question_count"], 2);
    assert_eq!(lobby["title"], "Planets");
    assert_eq!(lobby["question"], Value::Null);
    let run_id = lobby["run_id"].as_str().expect("run id").to_owned();
    for (student, _) in &mut class.students {
        let seen = student.state_in("lobby").await;
        assert_eq!(seen["run_id"], run_id.as_str());
    }

    // Question 1 opens for everyone, with a deadline 60 s after opening.
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.next"}))
        .await;
    let open = class.lecturer.state_in("question_open").await;
    let question = &open["question"];
    assert_eq!(question["index"], 0);
    assert_eq!(question["choices"], json!(["Mars", "Jupiter"]));
    assert_eq!(
        question["deadline"].as_u64().expect("deadline")
            - question["opened_at"].as_u64().expect("opened_at"),
        60_000
    );
    assert_eq!(
        open["distribution"],
        json!({"type": "options", "counts": [0, 0]}),
        "the lecturer sees the distribution at once"
    );

    // Three students answer: Ada and Alan right, Grace wrong.
    for ((student, _), (choice, reference)) in
        class
            .students
            .iter_mut()
            .zip([(1, "a1"), (0, "a2"), (1, "a3")])
    {
        student.state_in("question_open").await;
        student.send(answer(&run_id, 0, choice, reference)).await;
        let accepted = student.next_of("quiz.accepted").await;
        assert_eq!(accepted["ref"], reference);
        assert_eq!(accepted["run_id"], run_id.as_str());
        assert_eq!(accepted["question_index"], 0);
        assert_eq!(
            accepted["answer"],
            json!({"type": "choice", "index": choice})
        );
        assert_eq!(accepted["duplicate"], false);
        let state = student.next_of("quiz.state").await;
        assert_eq!(
            state["run"]["my_answer"]["answer"],
            json!({"type": "choice", "index": choice})
        );
        assert_eq!(state["run"]["my_result"], Value::Null);
    }
    let progress = class
        .lecturer
        .until(|message| message["type"] == "quiz.progress" && message["answered"] == 3)
        .await;
    assert_eq!(progress["participants"], 3);
    assert_eq!(progress["question_index"], 0);
    assert_eq!(
        progress["distribution"],
        json!({"type": "options", "counts": [1, 2]})
    );

    // The lecturer closes early, then reveals.
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.close"}))
        .await;
    let closed = class.lecturer.state_in("question_closed").await;
    assert_eq!(closed["answered"], 3);
    assert_eq!(closed["closed_by"], "lecturer");
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.reveal"}))
        .await;
    class.lecturer.state_in("answer_revealed").await;
    for ((student, _), correct) in class.students.iter_mut().zip([true, false, true]) {
        student.state_in("question_closed").await;
        let revealed = student.state_in("answer_revealed").await;
        assert_eq!(
            revealed["reveal"]["question"]["choices"][1]["weight"],
            100.0
        );
        assert_eq!(
            revealed["distribution"],
            json!({"type": "options", "counts": [1, 2]})
        );
        let expected = if correct { "correct" } else { "incorrect" };
        assert_eq!(revealed["my_result"]["correctness"], expected, "{revealed}");
        assert_eq!(
            revealed["my_result"]["points"].as_u64().expect("points") > 0,
            correct
        );
    }

    // The leaderboard names the students.
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.leaderboard"}))
        .await;
    let board = class.lecturer.state_in("leaderboard").await;
    let leaderboard = board["leaderboard"].as_array().expect("leaderboard");
    assert_eq!(leaderboard.len(), 3);
    assert_eq!(leaderboard[2]["name"], "Grace");
    assert_eq!(leaderboard[2]["rank"], 3);
    assert_eq!(leaderboard[2]["score"], 0);
    let (grace, grace_id) = &mut class.students[1];
    let seen = grace.state_in("leaderboard").await;
    assert_eq!(seen["my_standing"], json!({"rank": 3, "score": 0}));
    assert_eq!(seen["leaderboard"][2]["participant_id"], grace_id.as_str());

    // Question 2: only Grace answers, then the lecturer ends the run.
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.next"}))
        .await;
    class.lecturer.state_in("question_open").await;
    let (grace, _) = &mut class.students[1];
    grace.state_in("question_open").await;
    grace.send(answer(&run_id, 1, 0, "b2")).await;
    grace.next_of("quiz.accepted").await;
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.end"}))
        .await;
    let ended = class.lecturer.state_in("ended").await;
    let podium = ended["podium"].as_array().expect("podium");
    let names: Vec<&str> = podium
        .iter()
        .map(|place| place["name"].as_str().expect("name"))
        .collect();
    assert_eq!(podium.len(), 3, "{ended}");
    assert!(
        names.contains(&"Grace"),
        "Grace's answer to question 2 counts: {names:?}"
    );
    assert_eq!(ended["question"], Value::Null);
    assert_eq!(ended["podium_unlisted"], 0);
    let (ada, _) = &mut class.students[0];
    let seen = ada.state_in("ended").await;
    assert_eq!(seen["podium"], ended["podium"]);
    assert_eq!(seen["podium_unlisted"], 0);
    assert!(seen["my_standing"]["rank"].is_u64(), "{seen}");

    class.server.stop().await;
}

#[tokio::test]
async fn podium_caps_tied_class() {
    let unlisted = 2;
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let quiz_id = server.create_quiz(&token, planets_quiz(60)).await;
    let (mut lecturer, _) = ControlClient::connect(&server, &code, &token).await;
    let mut students = Vec::new();
    for number in 0..PODIUM_MAX_ENTRIES + unlisted {
        let (student_token, participant_id) =
            server.join(&code, &format!("Student {number}")).await;
        let (client, _) = ControlClient::connect(&server, &code, &student_token).await;
        students.push((client, participant_id));
    }

    // Ending the run before any question leaves every student at 0 points,
    // so all of them share rank 1.
    lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id}))
        .await;
    let lobby = lecturer.state_in("lobby").await;
    assert_eq!(lobby["podium"], Value::Null);
    assert_eq!(lobby["podium_unlisted"], Value::Null);
    lecturer.send(json!({"v": 1, "type": "quiz.end"})).await;
    let ended = lecturer.state_in("ended").await;

    let podium = ended["podium"].as_array().expect("podium");
    let listed: Vec<&str> = podium
        .iter()
        .map(|place| place["participant_id"].as_str().expect("participant id"))
        .collect();
    let mut ids: Vec<&str> = students.iter().map(|(_, id)| id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ended["participants"], students.len(), "{ended}");
    assert_eq!(podium.len(), PODIUM_MAX_ENTRIES, "{ended}");
    assert_eq!(listed, ids[..PODIUM_MAX_ENTRIES], "ties listed by id");
    assert!(podium.iter().all(|place| place["rank"] == 1), "{ended}");
    assert_eq!(ended["podium_unlisted"], unlisted, "{ended}");

    for (student, participant_id) in &mut students {
        let seen = student.state_in("ended").await;
        assert_eq!(seen["podium"], ended["podium"]);
        assert_eq!(seen["podium_unlisted"], unlisted);
        assert_eq!(
            seen["my_standing"],
            json!({"rank": 1, "score": 0}),
            "{participant_id} is ranked even when the podium does not list them"
        );
    }
    let outside = students
        .iter()
        .filter(|(_, id)| !listed.contains(&id.as_str()))
        .count();
    assert_eq!(outside, unlisted);

    server.stop().await;
}

#[tokio::test]
async fn deadline_closes_question() {
    // 5 s is the shortest time limit the quiz model accepts.
    let mut class = class_with_quiz(5).await;
    let run_id = launch_and_open(&mut class).await;

    let (student, _) = &mut class.students[0];
    let open = student.state_in("question_open").await;
    student.send(answer(&run_id, 0, 1, "a1")).await;
    student.next_of("quiz.accepted").await;

    let closed = class.lecturer.state_in("question_closed").await;
    assert_eq!(closed["answered"], 1);
    assert_eq!(closed["closed_by"], "deadline");
    let closed_student = student.state_in("question_closed").await;
    assert_eq!(closed_student["closed_by"], "deadline");
    assert_eq!(
        closed_student["question"]["deadline"],
        open["question"]["deadline"]
    );
    assert_eq!(closed_student["reveal"], Value::Null);
    assert_eq!(closed_student["my_result"], Value::Null);

    class.server.stop().await;
}

#[tokio::test]
async fn key_hidden_until_reveal() {
    let mut class = class_with_quiz(60).await;
    let run_id = launch_and_open(&mut class).await;

    let (student, _) = &mut class.students[0];
    student.state_in("question_open").await;
    student.send(answer(&run_id, 0, 1, "a1")).await;
    student.next_of("quiz.accepted").await;
    student.next_of("quiz.state").await;
    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.close"}))
        .await;
    student.state_in("question_closed").await;

    // Everything the student received so far, as raw text.
    for text in &student.log {
        for secret in [
            "weight",
            "Jupiter is a gas giant",
            "Mars is small",
            "correctness",
        ] {
            assert!(
                !text.contains(secret),
                "{secret:?} leaked before the reveal: {text}"
            );
        }
        let message: Value = serde_json::from_str(text).expect("JSON");
        if message["type"] == "quiz.state" {
            assert_eq!(message["run"]["reveal"], Value::Null, "{text}");
            assert_eq!(message["run"]["distribution"], Value::Null, "{text}");
            assert_eq!(message["run"]["my_result"], Value::Null, "{text}");
        }
    }
    let received_before = student.log.len();

    class
        .lecturer
        .send(json!({"v": 1, "type": "quiz.reveal"}))
        .await;
    student.state_in("answer_revealed").await;
    let after: String = student.log[received_before..].concat();
    assert!(after.contains("weight"), "the key arrives with the reveal");
    assert!(
        after.contains("Jupiter is a gas giant"),
        "feedback arrives with the reveal"
    );

    class.server.stop().await;
}

#[tokio::test]
async fn skipped_reveal_keeps_key_hidden() {
    let mut class = class_with_quiz(60).await;
    let run_id = launch_and_open(&mut class).await;
    let (student, _) = &mut class.students[0];
    student.state_in("question_open").await;
    student.send(answer(&run_id, 0, 1, "a1")).await;
    student.next_of("quiz.accepted").await;

    for command in ["quiz.close", "quiz.leaderboard"] {
        class.lecturer.send(json!({"v": 1, "type": command})).await;
    }
    let board = student.state_in("leaderboard").await;

    assert_eq!(board["reveal"], Value::Null, "{board}");
    assert_eq!(board["my_result"], Value::Null);
    assert_eq!(board["distribution"], Value::Null);
    assert!(board["leaderboard"].is_array());
    assert!(
        student.log.iter().all(|text| !text.contains("weight")),
        "no key before a reveal"
    );

    class.server.stop().await;
}

#[tokio::test]
async fn late_joiner_enters_run() {
    let mut class = class_with_quiz(60).await;
    launch_and_open(&mut class).await;
    let code = class.lecturer.welcome["room"]
        .as_str()
        .expect("room code")
        .to_owned();

    let (token, participant_id) = class.server.join(&code, "Edsger").await;
    let (mut late, state) = ControlClient::connect(&class.server, &code, &token).await;

    assert_eq!(late.welcome["participant_id"], participant_id.as_str());
    assert_eq!(late.welcome["role"], "student");
    assert_eq!(late.welcome["name"], "Edsger");
    assert_eq!(state["run"]["phase"], "question_open");
    assert_eq!(state["run"]["question"]["text"], "Largest planet?");
    assert_eq!(state["run"]["participants"], 4);
    assert_eq!(state["run"]["my_answer"], Value::Null);
    assert!(state["server_time"].is_u64());
    late.send(
        json!({"v": 1, "type": "quiz.answer", "run_id": state["run"]["run_id"],
                     "question_index": 0, "answer": {"type": "choice", "index": 0}}),
    )
    .await;
    late.next_of("quiz.accepted").await;

    class.server.stop().await;
}

#[tokio::test]
async fn long_question_arrives_whole() {
    // 2,000 characters, over the 1 KiB the server sends through its
    // WebSocket library: the message takes the socket's direct path.
    let text = "Which of these planets has the longest day? ".repeat(50);
    let text = &text[..2000];
    let mut quiz = planets_quiz(60);
    quiz["questions"][0]["text"] = json!(text);
    let server = start().await;
    let (token, code) = server.lecturer_room().await;
    let quiz_id = server.create_quiz(&token, quiz).await;
    let (mut lecturer, _) = ControlClient::connect(&server, &code, &token).await;
    let (student_token, _) = server.join(&code, "Ada").await;
    let (mut student, _) = ControlClient::connect(&server, &code, &student_token).await;

    lecturer
        .send(json!({"v": 1, "type": "quiz.launch", "quiz_id": quiz_id}))
        .await;
    lecturer.state_in("lobby").await;
    lecturer.send(json!({"v": 1, "type": "quiz.next"})).await;

    let open = student.state_in("question_open").await;
    assert_eq!(open["question"]["text"], text);
    server.stop().await;
}

#[tokio::test]
async fn welcome_before_any_run() {
    let server = start().await;
    let (token, code) = server.lecturer_room().await;

    let (client, state) = ControlClient::connect(&server, &code, &token).await;

    assert_eq!(client.welcome["v"], 1);
    assert_eq!(client.welcome["role"], "lecturer");
    assert_eq!(client.welcome["participant_id"], "lecturer-1");
    assert_eq!(client.welcome["room"], code.as_str());
    assert_eq!(state["v"], 1);
    assert_eq!(state["run"], Value::Null);
    server.stop().await;
}
