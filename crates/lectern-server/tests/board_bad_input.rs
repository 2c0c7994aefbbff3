//! Malformed board frames close only the connection that sent them; the
//! room, its other connections and everything already accepted go on.

mod support;

use lectern_board::protocol::{Message, encode};
use support::{BoardClient, TestServer, awareness_update, notes, start_with};
use tokio_tungstenite::tungstenite::Message as WsMessage;

const FRAME_LIMIT: usize = 4096;

/// Sends `frame` from a lecturer connection and checks that it is closed
/// with `code` and a reason containing `reason`, while another lecturer
/// connection and a student keep working.
async fn rejects(frame: WsMessage, code: u16, reason: &str) {
    let server = start_with(|settings| settings.limits.max_message_bytes = FRAME_LIMIT).await;
    let (token, room) = server.lecturer_room().await;
    let (student_token, _) = server.join(&room, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &room, &token).await;
    let mut student = BoardClient::connect(&server, &room, &student_token).await;
    let mut attacker = BoardClient::connect(&server, &room, &token).await;

    lecturer.type_text("before").await;
    student.until(|doc| notes(doc) == "before").await;

    use futures_util::SinkExt;
    attacker.socket.send(frame).await.expect("frame sent");
    let closed = attacker.closed().await;
    let (closed_code, closed_reason) = closed.expect("the server sends a close frame");
    assert_eq!(
        closed_code, code,
        "close code; reason was {closed_reason:?}"
    );
    assert!(
        closed_reason.contains(reason),
        "close reason {closed_reason:?} should contain {reason:?}"
    );

    lecturer.type_text(" after").await;
    student.until(|doc| notes(doc) == "before after").await;
    assert_room_intact(&server, &room, &token).await;
    server.stop().await;
}

async fn assert_room_intact(server: &TestServer, room: &str, token: &str) {
    let board = server.board(room, token).await;
    assert_eq!(
        notes(&board),
        "before after",
        "the stored board keeps every accepted edit"
    );
}

fn binary(bytes: &[u8]) -> WsMessage {
    WsMessage::binary(bytes.to_vec())
}

#[tokio::test]
async fn random_bytes_close_connection() {
    // Bytes from a fixed xorshift sequence, so a failure reproduces.
    let mut state: u32 = 0x9e37_79b9;
    let bytes: Vec<u8> = (0..64)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8 | 0x04
        })
        .collect();
    rejects(binary(&bytes), 1002, "").await;
}

#[tokio::test]
async fn truncated_varint_closes_connection() {
    rejects(
        binary(&[0x80]),
        1002,
        "unexpected end of message while reading message type",
    )
    .await;
}

#[tokio::test]
async fn unknown_message_type_closes_connection() {
    rejects(binary(&[7, 0]), 1002, "unknown message type 7").await;
}

#[tokio::test]
async fn declared_length_beyond_frame_closes_connection() {
    rejects(
        binary(&[0, 2, 50, 1, 2, 3]),
        1002,
        "declares 50 bytes but only 3 remain",
    )
    .await;
}

#[tokio::test]
async fn invalid_update_closes_connection() {
    rejects(
        binary(&encode(&Message::Update(&[0xff, 0xff, 0xff, 0x01]))),
        1002,
        "invalid update",
    )
    .await;
}

#[tokio::test]
async fn invalid_state_vector_closes_connection() {
    rejects(
        binary(&encode(&Message::SyncStep1(&[5, 1]))),
        1002,
        "invalid state vector",
    )
    .await;
}

#[tokio::test]
async fn invalid_awareness_json_closes_connection() {
    let update = awareness_update(3, 1, "{oops");
    rejects(
        binary(&encode(&Message::Awareness(&update))),
        1002,
        "not valid JSON",
    )
    .await;
}

#[tokio::test]
async fn client_permission_denied_closes_connection() {
    rejects(
        binary(&encode(&Message::PermissionDenied("no"))),
        1002,
        "permission-denied",
    )
    .await;
}

#[tokio::test]
async fn text_frame_closes_connection() {
    rejects(WsMessage::text("hello"), 1003, "send binary frames").await;
}

#[tokio::test]
async fn oversized_frame_closes_connection() {
    let update = vec![0_u8; FRAME_LIMIT * 2];
    rejects(
        binary(&encode(&Message::Update(&update))),
        1009,
        "over the limit of 4096 bytes",
    )
    .await;
}
