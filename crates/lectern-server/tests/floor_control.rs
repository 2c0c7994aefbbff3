//! Raised hands, floor grants and board grants over the control channel,
//! as every participant sees them in `floor.state`.

mod support;

use futures_util::StreamExt;
use serde_json::{Value, json};
use support::{BoardClient, ControlClient, Event, TestServer, notes, rejected_upgrade};

/// A room with a lecturer and students, each on the control channel.
struct Class {
    server: TestServer,
    code: String,
    lecturer_token: String,
    lecturer: ControlClient,
    students: Vec<Student>,
}

struct Student {
    token: String,
    id: String,
    control: ControlClient,
}

async fn class(names: &[&str]) -> Class {
    let server = support::start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (lecturer, floor) = ControlClient::connect_class(&server, &code, &lecturer_token).await;
    assert_eq!(floor["max_speakers"], 1, "{floor}");
    assert_eq!(floor["queue"], json!([]), "{floor}");

    let mut students = Vec::new();
    for name in names {
        let (token, id) = server.join(&code, name).await;
        let (control, _) = ControlClient::connect_class(&server, &code, &token).await;
        assert_eq!(control.participant_id(), id);
        students.push(Student { token, id, control });
    }
    Class {
        server,
        code,
        lecturer_token,
        lecturer,
        students,
    }
}

fn message(type_name: &str, fields: Value) -> Value {
    let mut message = json!({"v": 1, "type": type_name});
    if let (Some(message), Some(fields)) = (message.as_object_mut(), fields.as_object()) {
        message.extend(fields.clone());
    }
    message
}

/// Returns the participant ids of the queue in a `floor.state`.
fn queue_ids(state: &Value) -> Vec<String> {
    state["queue"]
        .as_array()
        .expect("queue is an array")
        .iter()
        .map(|hand| hand["participant_id"].as_str().expect("id").to_owned())
        .collect()
}

/// Returns the participant ids of the speakers in a `floor.state`.
fn speaker_ids(state: &Value) -> Vec<String> {
    state["speakers"]
        .as_array()
        .expect("speakers is an array")
        .iter()
        .map(|speaker| speaker["participant_id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn queue_order_seen_by_everyone() {
    let mut class = class(&["Ada", "Grace", "Edsger"]).await;
    let ids: Vec<String> = class
        .students
        .iter()
        .map(|student| student.id.clone())
        .collect();

    // Each hand goes up after the lecturer saw the one before, so the
    // order is certain.
    let mut last = Value::Null;
    for index in 0..3 {
        class.students[index]
            .control
            .send(message("hand.raise", json!({})))
            .await;
        let expected = ids[..=index].to_vec();
        last = class
            .lecturer
            .floor_state(|state| queue_ids(state) == expected)
            .await;
        assert!(last["server_time"].as_u64().is_some(), "{last}");
    }

    let mut states = vec![last];
    for student in &mut class.students {
        states.push(
            student
                .control
                .floor_state(|state| queue_ids(state) == ids)
                .await,
        );
    }
    for state in states {
        let names: Vec<&str> = state["queue"]
            .as_array()
            .expect("queue")
            .iter()
            .map(|hand| hand["name"].as_str().expect("name"))
            .collect();
        assert_eq!(names, ["Ada", "Grace", "Edsger"], "{state}");
        let raised: Vec<u64> = state["queue"]
            .as_array()
            .expect("queue")
            .iter()
            .map(|hand| hand["raised_at"].as_u64().expect("raised_at"))
            .collect();
        assert!(raised.windows(2).all(|pair| pair[0] <= pair[1]), "{state}");
    }

    // Grace lowers her hand; Ada and Edsger keep their places.
    class.students[1]
        .control
        .send(message("hand.lower", json!({})))
        .await;
    let expected = vec![ids[0].clone(), ids[2].clone()];
    class
        .lecturer
        .floor_state(|state| queue_ids(state) == expected)
        .await;
    class.students[2]
        .control
        .floor_state(|state| queue_ids(state) == expected)
        .await;

    // Raising again keeps the place.
    class.students[0]
        .control
        .send(message("hand.raise", json!({"ref": "again"})))
        .await;
    class
        .lecturer
        .send(message("hand.lower_all", json!({})))
        .await;
    let state = class
        .lecturer
        .floor_state(|state| queue_ids(state).is_empty())
        .await;
    assert_eq!(state["speakers"], json!([]), "{state}");

    class.server.stop().await;
}

#[tokio::test]
async fn grant_from_queue() {
    let mut class = class(&["Ada", "Grace"]).await;
    let ada = class.students[0].id.clone();
    let grace = class.students[1].id.clone();
    for student in &mut class.students {
        student.control.send(message("hand.raise", json!({}))).await;
    }
    let both = vec![ada.clone(), grace.clone()];
    class
        .lecturer
        .floor_state(|state| queue_ids(state) == both)
        .await;

    class.lecturer.send(message("floor.grant", json!({}))).await;

    let state = class
        .lecturer
        .floor_state(|state| speaker_ids(state) == [ada.clone()])
        .await;
    assert_eq!(queue_ids(&state), [grace.as_str()]);
    let speaker = &state["speakers"][0];
    assert_eq!(speaker["name"], "Ada", "{state}");
    assert_eq!(speaker["to_board"], false, "{state}");
    assert!(speaker["until"].is_null(), "{state}");
    assert!(speaker["since"].as_u64().is_some(), "{state}");
    class.students[1]
        .control
        .floor_state(|state| speaker_ids(state) == [ada.clone()])
        .await;

    // The floor allows one speaker, so a second grant needs `replace`.
    let error = class
        .lecturer
        .expect_error(message("floor.grant", json!({})), "second")
        .await;
    assert_eq!(error["code"], "floor_full", "{error}");
    class
        .lecturer
        .send(message("floor.grant", json!({"replace": true})))
        .await;
    let state = class
        .lecturer
        .floor_state(|state| speaker_ids(state) == [grace.clone()])
        .await;
    assert!(queue_ids(&state).is_empty(), "{state}");

    // The queue is empty now.
    let error = class
        .lecturer
        .expect_error(message("floor.grant", json!({})), "empty")
        .await;
    assert_eq!(error["code"], "queue_empty", "{error}");

    class.server.stop().await;
}

#[tokio::test]
async fn student_cannot_grant_itself() {
    let mut class = class(&["Ada"]).await;
    let ada = class.students[0].id.clone();

    let error = class.students[0]
        .control
        .expect_error(message("floor.grant", json!({"participant_id": ada})), "g1")
        .await;
    assert_eq!(error["code"], "forbidden", "{error}");

    let error = class.students[0]
        .control
        .expect_error(message("audio.mute", json!({"participant_id": ada})), "m1")
        .await;
    assert_eq!(error["code"], "forbidden", "{error}");

    let error = class
        .lecturer
        .expect_error(message("hand.raise", json!({})), "r1")
        .await;
    assert_eq!(error["code"], "forbidden", "{error}");

    let error = class
        .lecturer
        .expect_error(
            message("floor.grant", json!({"participant_id": "nobody"})),
            "u1",
        )
        .await;
    assert_eq!(error["code"], "unknown_participant", "{error}");

    class.server.stop().await;
}

#[tokio::test]
async fn student_cannot_lower_another_hand() {
    let mut class = class(&["Ada", "Grace"]).await;
    let ada = class.students[0].id.clone();
    class.students[0]
        .control
        .send(message("hand.raise", json!({})))
        .await;
    class
        .lecturer
        .floor_state(|state| queue_ids(state) == [ada.clone()])
        .await;

    let error = class.students[1]
        .control
        .expect_error(message("hand.lower", json!({"participant_id": ada})), "l1")
        .await;
    assert_eq!(error["code"], "forbidden", "{error}");

    // The lecturer may, and must name the hand.
    let error = class
        .lecturer
        .expect_error(message("hand.lower", json!({})), "l2")
        .await;
    assert_eq!(error["code"], "invalid_message", "{error}");
    class
        .lecturer
        .send(message("hand.lower", json!({"participant_id": ada})))
        .await;
    class
        .lecturer
        .floor_state(|state| queue_ids(state).is_empty())
        .await;

    class.server.stop().await;
}

#[tokio::test]
async fn timed_grant_ends_by_itself() {
    let mut class = class(&["Ada"]).await;
    let ada = class.students[0].id.clone();

    class
        .lecturer
        .send(message(
            "floor.grant",
            json!({"participant_id": ada, "duration_secs": 1}),
        ))
        .await;
    let granted = class.students[0]
        .control
        .floor_state(|state| speaker_ids(state) == [ada.clone()])
        .await;
    let since = granted["speakers"][0]["since"].as_u64().expect("since");
    let until = granted["speakers"][0]["until"].as_u64().expect("until");
    assert_eq!(until, since + 1000, "{granted}");

    // The server revokes the floor at `until` without any message.
    let revoked = class.students[0]
        .control
        .floor_state(|state| speaker_ids(state).is_empty())
        .await;
    assert!(
        revoked["server_time"].as_u64().expect("server_time") >= until,
        "{revoked}"
    );
    class
        .lecturer
        .floor_state(|state| speaker_ids(state).is_empty())
        .await;

    let error = class
        .lecturer
        .expect_error(
            message(
                "floor.grant",
                json!({"participant_id": ada, "duration_secs": 0}),
            ),
            "zero",
        )
        .await;
    assert_eq!(error["code"], "invalid_message", "{error}");

    class.server.stop().await;
}

/// Returns whether the server's awareness entry lets `id` draw.
fn can_draw(state: &Value, id: &str) -> bool {
    state["lectern"]["canDraw"]
        .as_array()
        .is_some_and(|ids| ids.iter().any(|entry| entry == id))
}

#[tokio::test]
async fn board_grant_allows_drawing() {
    let mut class = class(&["Ada"]).await;
    let ada = class.students[0].id.clone();
    let mut lecturer_board =
        BoardClient::connect(&class.server, &class.code, &class.lecturer_token).await;
    let mut ada_board =
        BoardClient::connect(&class.server, &class.code, &class.students[0].token).await;

    // Without a grant the student's edit is rejected.
    ada_board.type_text("before").await;
    let events = ada_board.wait_for_round_trip_events().await;
    assert!(
        events
            .iter()
            .any(|event| matches!(event, Event::PermissionDenied(_))),
        "{events:?}"
    );

    class
        .lecturer
        .send(message(
            "floor.grant",
            json!({"participant_id": ada, "to_board": true}),
        ))
        .await;
    let state = class
        .lecturer
        .floor_state(|state| speaker_ids(state) == [ada.clone()])
        .await;
    assert_eq!(state["speakers"][0]["to_board"], true, "{state}");
    ada_board
        .until_server_state(|state| can_draw(state, &ada))
        .await;
    lecturer_board
        .until_server_state(|state| can_draw(state, &ada))
        .await;

    // With the grant the edit is accepted and reaches the lecturer.
    ada_board.type_text("on the board").await;
    lecturer_board
        .until(|doc| notes(doc).contains("on the board"))
        .await;

    class
        .lecturer
        .send(message("floor.revoke", json!({"participant_id": ada})))
        .await;
    class
        .lecturer
        .floor_state(|state| speaker_ids(state).is_empty())
        .await;
    ada_board
        .until_server_state(|state| !can_draw(state, &ada))
        .await;

    // After the revoke the edit is rejected again and reaches no one.
    ada_board.type_text(" after").await;
    let events = ada_board.wait_for_round_trip_events().await;
    assert!(
        events
            .iter()
            .any(|event| matches!(event, Event::PermissionDenied(_))),
        "{events:?}"
    );
    lecturer_board.round_trip().await;
    assert!(
        !notes(&lecturer_board.doc).contains("after"),
        "{}",
        notes(&lecturer_board.doc)
    );

    // Nothing of the grant was stored.
    let (status, participants) = class
        .server
        .call(
            "GET",
            &format!("/api/v1/rooms/{}/participants", class.code),
            Some(&class.lecturer_token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(participants[0]["can_draw"], false, "{participants}");

    class.server.stop().await;
}

#[tokio::test]
async fn board_grant_end_restores_permission() {
    let mut class = class(&["Ada"]).await;
    let ada = class.students[0].id.clone();
    let mut ada_board =
        BoardClient::connect(&class.server, &class.code, &class.students[0].token).await;

    class
        .lecturer
        .send(message(
            "floor.grant",
            json!({"participant_id": ada, "to_board": true}),
        ))
        .await;
    ada_board
        .until_server_state(|state| can_draw(state, &ada))
        .await;

    // The lecturer gives Ada her own permission during the grant.
    let (status, body) = class
        .server
        .call(
            "PUT",
            &format!(
                "/api/v1/rooms/{}/participants/{ada}/permissions",
                class.code
            ),
            Some(&class.lecturer_token),
            Some(json!({"can_draw": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    class
        .lecturer
        .send(message("floor.revoke", json!({"participant_id": ada})))
        .await;
    class
        .lecturer
        .floor_state(|state| speaker_ids(state).is_empty())
        .await;

    // Her own permission outlasts the grant.
    ada_board.type_text("still drawing").await;
    let events = ada_board.wait_for_round_trip_events().await;
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, Event::PermissionDenied(_))),
        "{events:?}"
    );
    assert!(
        ada_board
            .server_state
            .as_ref()
            .is_some_and(|state| can_draw(state, &ada)),
        "{:?}",
        ada_board.server_state
    );

    class.server.stop().await;
}

#[tokio::test]
async fn hand_flood_is_rate_limited() {
    let mut class = class(&["Ada"]).await;
    let control = &mut class.students[0].control;

    let mut limited = None;
    for index in 0..10 {
        let type_name = if index % 2 == 0 {
            "hand.raise"
        } else {
            "hand.lower"
        };
        control
            .send(message(type_name, json!({"ref": format!("h{index}")})))
            .await;
    }
    for _ in 0..10 {
        let reply = control
            .until(|message| message["type"] == "error" || message["type"] == "floor.state")
            .await;
        if reply["type"] == "error" {
            limited = Some(reply);
            break;
        }
    }

    let error = limited.expect("a hand flood gets an error");
    assert_eq!(error["code"], "rate_limited", "{error}");
    let text = error["message"].as_str().expect("message");
    assert!(text.contains("retry in"), "{text}");
    assert!(text.contains(" ms"), "{text}");

    class.server.stop().await;
}

#[tokio::test]
async fn leaving_lowers_hand_and_revokes() {
    let mut class = class(&["Ada", "Grace"]).await;
    let ada = class.students[0].id.clone();
    let grace = class.students[1].id.clone();
    class.students[0]
        .control
        .send(message("hand.raise", json!({})))
        .await;
    class
        .lecturer
        .send(message("floor.grant", json!({"participant_id": grace})))
        .await;
    class
        .lecturer
        .floor_state(|state| {
            queue_ids(state) == [ada.clone()] && speaker_ids(state) == [grace.clone()]
        })
        .await;

    let mut students = std::mem::take(&mut class.students);
    for student in &mut students {
        student
            .control
            .socket
            .close(None)
            .await
            .expect("close sent");
    }

    class
        .lecturer
        .floor_state(|state| queue_ids(state).is_empty() && speaker_ids(state).is_empty())
        .await;

    class.server.stop().await;
}

/// Closes a control connection and waits until the server has ended it, so
/// that the room has seen it leave before the test's next message.
async fn close_and_wait(control: &mut ControlClient) {
    control.socket.close(None).await.expect("close sent");
    let ended = tokio::time::timeout(support::WAIT, async {
        while let Some(Ok(_)) = control.socket.next().await {}
    });
    ended.await.expect("the server ends the closed connection");
}

#[tokio::test]
async fn second_tab_keeps_the_floor() {
    let mut class = class(&["Ada", "Grace"]).await;
    let ada = class.students[0].id.clone();
    let grace = class.students[1].id.clone();
    let grace_token = class.students[1].token.clone();
    let (mut second_tab, _) =
        ControlClient::connect_class(&class.server, &class.code, &grace_token).await;
    class
        .lecturer
        .send(message("floor.grant", json!({"participant_id": grace})))
        .await;
    class
        .lecturer
        .floor_state(|state| speaker_ids(state) == [grace.clone()])
        .await;

    // One of Grace's two connections closes: she is still in the room.
    close_and_wait(&mut class.students[1].control).await;
    class.students[0]
        .control
        .send(message("hand.raise", json!({})))
        .await;
    let state = class
        .lecturer
        .floor_state(|state| queue_ids(state) == [ada.clone()])
        .await;
    assert_eq!(speaker_ids(&state), [grace], "{state}");

    // Her last connection closes: she leaves the floor.
    close_and_wait(&mut second_tab).await;
    class
        .lecturer
        .floor_state(|state| speaker_ids(state).is_empty())
        .await;

    class.server.stop().await;
}

#[tokio::test]
async fn mute_shows_in_state() {
    let mut class = class(&["Ada"]).await;
    let lecturer = class.lecturer.participant_id();

    class
        .lecturer
        .send(message("audio.mute", json!({"participant_id": lecturer})))
        .await;
    class.students[0]
        .control
        .floor_state(|state| state["muted"] == json!([lecturer]))
        .await;
    class
        .lecturer
        .send(message("audio.unmute", json!({"participant_id": lecturer})))
        .await;
    class.students[0]
        .control
        .floor_state(|state| state["muted"] == json!([]))
        .await;

    let error = class
        .lecturer
        .expect_error(
            message("floor.grant", json!({"participant_id": lecturer})),
            "self",
        )
        .await;
    assert_eq!(error["code"], "not_a_student", "{error}");
    let error = class
        .lecturer
        .expect_error(message("floor.revoke", json!({})), "missing")
        .await;
    assert_eq!(error["code"], "invalid_message", "{error}");

    class.server.stop().await;
}

#[tokio::test]
async fn other_room_token_rejected() {
    let server = support::start().await;
    let (token, code) = server.lecturer_room().await;
    let (status, body) = server
        .call(
            "POST",
            "/api/v1/rooms",
            Some(&token),
            Some(json!({"title": "Algebra"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let other_code = body["code"].as_str().expect("code").to_owned();
    let (student_token, _) = server.join(&other_code, "Mallory").await;

    let (status, body) = rejected_upgrade(&server.control_url(&code, &student_token)).await;
    assert_eq!(status, 403, "{body}");

    server.stop().await;
}
