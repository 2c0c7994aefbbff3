//! Awareness states: relayed to peers, removed when their connection closes,
//! and sent in reply to a query.

mod common;

use common::*;
use lectern_board::awareness::AwarenessError;
use lectern_board::protocol::{Message, encode};
use lectern_board::{Access, BoardError, BoardRoom};

const CURSOR: &str = r#"{"cursor":{"x":1,"y":2}}"#;

fn room_with_peers() -> BoardRoom {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    room.connect(READER, Access::ReadOnly);
    drain(&mut room);
    room
}

#[test]
fn update_is_relayed_to_others() {
    let mut room = room_with_peers();
    let update = awareness_update(&[(7, 1, CURSOR)]);

    room.receive(WRITER, &awareness_frame(&update))
        .expect("valid awareness");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (except, message) = broadcast(&outputs[0]);
    assert_eq!(except, Some(WRITER));
    assert_eq!(message, Message::Awareness(&update));
}

#[test]
fn stale_update_is_not_relayed() {
    let mut room = room_with_peers();
    room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, 5, CURSOR)])),
    )
    .expect("valid awareness");
    drain(&mut room);

    room.receive(WRITER, &awareness_frame(&awareness_update(&[(7, 4, "{}")])))
        .expect("a stale state is valid");

    assert_eq!(drain(&mut room), []);
}

#[test]
fn lone_connection_is_not_echoed() {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);

    room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, 1, CURSOR)])),
    )
    .expect("valid awareness");

    assert_eq!(drain(&mut room), [], "nobody else is in the room");
}

#[test]
fn disconnect_broadcasts_removal() {
    let mut room = room_with_peers();
    room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, 3, CURSOR)])),
    )
    .expect("valid awareness");
    drain(&mut room);

    room.disconnect(WRITER);
    let outputs = drain(&mut room);

    assert_eq!(room.connection_count(), 1);
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (except, message) = broadcast(&outputs[0]);
    assert_eq!(except, None);
    assert_eq!(
        message,
        Message::Awareness(&awareness_update(&[(7, 4, "null")])),
        "the removal bumps the clock so peers accept it"
    );
}

#[test]
fn removal_at_max_clock() {
    let mut room = room_with_peers();
    room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, u64::MAX, CURSOR)])),
    )
    .expect("valid awareness");
    drain(&mut room);

    room.disconnect(WRITER);
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (_, message) = broadcast(&outputs[0]);
    assert_eq!(
        message,
        Message::Awareness(&awareness_update(&[(7, u64::MAX, "null")])),
        "peers accept a removal at an equal clock"
    );
}

#[test]
fn disconnect_without_state() {
    let mut room = room_with_peers();

    room.disconnect(READER);
    room.disconnect(READER);
    room.disconnect(OTHER);

    assert_eq!(drain(&mut room), []);
    assert_eq!(room.connection_count(), 1);
}

#[test]
fn last_disconnect_is_silent() {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, 1, CURSOR)])),
    )
    .expect("valid awareness");
    drain(&mut room);

    room.disconnect(WRITER);

    assert_eq!(drain(&mut room), [], "nobody is left to tell");
}

#[test]
fn removed_state_is_not_sent() {
    let mut room = room_with_peers();
    room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, 1, CURSOR)])),
    )
    .expect("valid awareness");
    room.disconnect(WRITER);
    drain(&mut room);

    room.connect(OTHER, Access::ReadWrite);
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "only sync step 1: {outputs:?}");
    let (_, message) = sent(&outputs[0]);
    assert!(matches!(message, Message::SyncStep1(_)), "{message:?}");
}

#[test]
fn query_is_answered() {
    let mut room = room_with_peers();
    let state = awareness_update(&[(7, 1, CURSOR)]);
    room.receive(WRITER, &awareness_frame(&state))
        .expect("valid awareness");
    drain(&mut room);

    room.receive(READER, &encode(&Message::QueryAwareness))
        .expect("valid query");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, READER);
    assert_eq!(message, Message::Awareness(&state));
}

#[test]
fn query_without_states() {
    let mut room = room_with_peers();

    room.receive(READER, &encode(&Message::QueryAwareness))
        .expect("valid query");

    assert_eq!(drain(&mut room), [], "there is nothing to send");
}

#[test]
fn connect_sends_present_states() {
    let mut room = room_with_peers();
    let state = awareness_update(&[(7, 1, CURSOR)]);
    room.receive(WRITER, &awareness_frame(&state))
        .expect("valid awareness");
    drain(&mut room);

    room.connect(OTHER, Access::ReadOnly);
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 2, "sync step 1, then awareness: {outputs:?}");
    let (_, first) = sent(&outputs[0]);
    assert!(matches!(first, Message::SyncStep1(_)), "{first:?}");
    let (to, second) = sent(&outputs[1]);
    assert_eq!(to, OTHER);
    assert_eq!(second, Message::Awareness(&state));
}

#[test]
fn invalid_state_is_rejected() {
    let mut room = room_with_peers();

    let result = room.receive(
        WRITER,
        &awareness_frame(&awareness_update(&[(7, 1, "{not json")])),
    );

    assert_eq!(
        result,
        Err(BoardError::Awareness(AwarenessError::InvalidJson {
            client_id: 7
        }))
    );
    assert_eq!(drain(&mut room), []);
}
