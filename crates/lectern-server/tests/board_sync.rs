//! A lecturer's edits reach every student; awareness comes and goes with
//! connections.

mod support;

use lectern_board::encoding::write_var_u64;
use lectern_board::protocol::{Message, encode, encode_into};
use support::{BoardClient, Event, awareness_update, element_ids, notes, start, start_with};

#[tokio::test]
async fn lecturer_edit_reaches_students() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    lecturer.type_text("derivative").await;

    student.until(|doc| notes(doc) == "derivative").await;
    server.stop().await;
}

#[tokio::test]
async fn late_joiner_receives_whole_board() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    lecturer.add_element("e1").await;
    lecturer.add_element("e2").await;
    lecturer.round_trip().await;

    let (student_token, _) = server.join(&code, "Grace").await;
    let student = BoardClient::connect(&server, &code, &student_token).await;

    assert_eq!(element_ids(&student.doc), ["e1", "e2"]);
    server.stop().await;
}

#[tokio::test]
async fn update_over_one_frame_arrives_whole() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    // 30 000 bytes: over the size the server sends through tungstenite,
    // so it takes the socket's direct path.
    let long_text = "lemma ".repeat(5_000);
    lecturer.type_text(&long_text).await;
    student.until(|doc| notes(doc) == long_text).await;

    let (late_token, _) = server.join(&code, "Ada").await;
    let late = BoardClient::connect(&server, &code, &late_token).await;
    assert_eq!(notes(&late.doc), long_text);
    server.stop().await;
}

#[tokio::test]
async fn large_board_reaches_simultaneous_joiners() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;

    // Over 64 KiB: the server sends this board from an in-memory file,
    // and both joiners receive the same file.
    let long_text = "theorem ".repeat(12_000);
    lecturer.type_text(&long_text).await;
    lecturer.round_trip().await;

    let (first_token, _) = server.join(&code, "Grace").await;
    let (second_token, _) = server.join(&code, "Ada").await;
    let (first, second) = tokio::join!(
        BoardClient::connect(&server, &code, &first_token),
        BoardClient::connect(&server, &code, &second_token),
    );
    assert_eq!(notes(&first.doc), long_text);
    assert_eq!(notes(&second.doc), long_text);
    server.stop().await;
}

#[tokio::test]
async fn several_messages_in_one_frame() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    let scratch = yrs::Doc::new();
    let text = {
        use yrs::{Text, Transact};
        let notes = scratch.get_or_insert_text("notes");
        notes.insert(&mut scratch.transact_mut(), 0, "one frame");
        use yrs::{ReadTxn, StateVector};
        scratch
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    };
    let mut frame = Vec::new();
    encode_into(
        &mut frame,
        &Message::Awareness(&awareness_update(7, 1, r#"{"user":"Ada"}"#)),
    );
    encode_into(&mut frame, &Message::Update(&text));
    encode_into(&mut frame, &Message::QueryAwareness);
    lecturer.send(&frame).await;

    let events = lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(_))))
        .await;
    assert_eq!(
        events.last(),
        Some(&Event::Awareness(awareness_update(
            7,
            1,
            r#"{"user":"Ada"}"#
        ))),
        "query-awareness in the same frame sees the awareness sent before it"
    );
    student.until(|doc| notes(doc) == "one frame").await;
    server.stop().await;
}

#[tokio::test]
async fn awareness_removed_when_connection_closes() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;

    student
        .send(&encode(&Message::Awareness(&awareness_update(
            42,
            3,
            r#"{"cursor":[1,2]}"#,
        ))))
        .await;
    let seen = lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(_))))
        .await;
    assert_eq!(
        seen.last(),
        Some(&Event::Awareness(awareness_update(
            42,
            3,
            r#"{"cursor":[1,2]}"#
        )))
    );

    drop(student);

    let removal = lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(_))))
        .await;
    assert_eq!(
        removal.last(),
        Some(&Event::Awareness(awareness_update(42, 4, "null"))),
        "the server removes the state with the next clock"
    );
    server.stop().await;
}

#[tokio::test]
async fn new_connection_gets_present_awareness() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    lecturer
        .send(&encode(&Message::Awareness(&awareness_update(
            5,
            1,
            r#"{"name":"Ada"}"#,
        ))))
        .await;
    lecturer.round_trip().await;

    let (student_token, _) = server.join(&code, "Grace").await;
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(&code, &student_token))
        .await
        .expect("connects");
    let mut student = BoardClient {
        socket: {
            use futures_util::SinkExt;
            let _ = socket.flush().await;
            socket
        },
        doc: yrs::Doc::new(),
        sync_replies: 0,
        server_state: None,
    };
    let events = student
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(_))))
        .await;
    assert_eq!(
        events.last(),
        Some(&Event::Awareness(awareness_update(
            5,
            1,
            r#"{"name":"Ada"}"#
        )))
    );
    server.stop().await;
}

#[tokio::test]
async fn join_burst_reaches_online_list() {
    let server = start().await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut tokens = Vec::new();
    for name in ["Grace", "Ada", "Emmy", "Sofia"] {
        tokens.push(server.join(&code, name).await.0);
    }

    // The first join is published at once. The others come within the
    // presence interval and wait for it, with no later message to carry
    // them, so they arrive only if the room publishes when it ends.
    let mut students = Vec::new();
    for token in &tokens {
        students.push(BoardClient::connect(&server, &code, token).await);
    }
    lecturer
        .until_server_state(|state| {
            state["lectern"]["online"]
                .as_array()
                .is_some_and(|online| online.len() == 5)
        })
        .await;
    server.stop().await;
}

#[tokio::test]
async fn dead_connection_closed_by_ping() {
    let server = start_with(|settings| {
        settings.limits.ping_interval = std::time::Duration::from_millis(200);
    })
    .await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;
    let mut student = BoardClient::connect(&server, &code, &student_token).await;
    student
        .send(&encode(&Message::Awareness(&awareness_update(9, 1, "{}"))))
        .await;
    lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(update)) if *update == awareness_update(9, 1, "{}")))
        .await;

    // The student stops reading, so it never answers a ping; the lecturer
    // keeps reading and answering.
    let silent = student;

    let removal = lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(update)) if *update == awareness_update(9, 2, "null")))
        .await;
    assert!(!removal.is_empty());
    drop(silent);
    server.stop().await;
}

#[tokio::test]
async fn idle_connection_receives_keepalive() {
    // Stock y-websocket clients reconnect after 30 s without a message, so
    // an idle room must still send something they accept and ignore: an
    // awareness update with no entries.
    let server = start_with(|settings| {
        settings.limits.ping_interval = std::time::Duration::from_millis(100);
    })
    .await;
    let (lecturer_token, code) = server.lecturer_room().await;
    let mut lecturer = BoardClient::connect(&server, &code, &lecturer_token).await;

    let mut empty = Vec::new();
    write_var_u64(&mut empty, 0);
    lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(update)) if *update == empty))
        .await;
    server.stop().await;
}
