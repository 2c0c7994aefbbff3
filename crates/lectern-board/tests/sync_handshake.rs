//! The y-websocket sync handshake between the room and one client.

mod common;

use common::*;
use lectern_board::protocol::Message;
use lectern_board::{Access, BoardError, BoardRoom};
use yrs::Doc;

#[test]
fn connect_sends_state_vector() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "first")]);

    room.connect(WRITER, Access::ReadWrite);
    let outputs = drain(&mut room);

    assert_eq!(
        outputs.len(),
        1,
        "only sync step 1 when nobody is aware: {outputs:?}"
    );
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, WRITER);
    assert_eq!(message, Message::SyncStep1(&state_vector(room.doc())));
}

#[test]
fn connect_to_empty_room() {
    let mut room = BoardRoom::new();

    room.connect(READER, Access::ReadOnly);
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, READER);
    assert_eq!(
        message,
        Message::SyncStep1(&[0]),
        "an empty state vector is a zero count"
    );
}

#[test]
fn step_1_answered_with_missing_only() {
    let shared = Doc::with_client_id(10);
    let server_only = Doc::with_client_id(20);
    let first = set_key(&shared, "a", "known");
    let second = set_key(&server_only, "b", "missing");
    let mut room = room_with(&[&first, &second]);

    let client = Doc::with_client_id(30);
    apply(&client, &first);
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);

    room.receive(WRITER, &step_1_frame(&state_vector(&client)))
        .expect("valid sync step 1");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, WRITER);
    let Message::SyncStep2(diff) = message else {
        panic!("expected sync step 2, got {message:?}");
    };

    let fresh = Doc::with_client_id(40);
    apply(&fresh, diff);
    assert_eq!(element(&fresh, "a"), None, "the client already had key a");
    assert_eq!(element(&fresh, "b").as_deref(), Some("missing"));

    apply(&client, diff);
    assert_eq!(elements(&client), elements(room.doc()));
    assert_eq!(state_vector(&client), state_vector(room.doc()));
}

#[test]
fn step_1_from_empty_client() {
    let author = Doc::with_client_id(10);
    set_key(&author, "a", "one");
    let mut room = room_with(&[&full_state(&author), &set_key(&author, "b", "two")]);
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);

    room.receive(WRITER, &step_1_frame(&[0]))
        .expect("valid sync step 1");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (_, message) = sent(&outputs[0]);
    let Message::SyncStep2(diff) = message else {
        panic!("expected sync step 2, got {message:?}");
    };
    let client = Doc::with_client_id(30);
    apply(&client, diff);
    assert_eq!(elements(&client), elements(room.doc()));
}

#[test]
fn step_1_from_synced_client() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "one")]);
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);

    room.receive(WRITER, &step_1_frame(&state_vector(&author)))
        .expect("valid sync step 1");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "step 1 is always answered: {outputs:?}");
    let (_, message) = sent(&outputs[0]);
    let Message::SyncStep2(diff) = message else {
        panic!("expected sync step 2, got {message:?}");
    };
    let fresh = Doc::with_client_id(40);
    apply(&fresh, diff);
    assert_eq!(element(&fresh, "a"), None, "nothing is resent");
}

#[test]
fn step_1_from_reader() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "one")]);
    room.connect(READER, Access::ReadOnly);
    drain(&mut room);

    room.receive(READER, &step_1_frame(&[0]))
        .expect("valid sync step 1");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, READER);
    assert!(
        matches!(message, Message::SyncStep2(_)),
        "a reader is sent the board: {message:?}"
    );
}

#[test]
fn invalid_state_vector_is_rejected() {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);

    // A count of one client, then the client id, then a clock cut off.
    let result = room.receive(WRITER, &step_1_frame(&[1, 5]));

    assert!(
        matches!(result, Err(BoardError::InvalidStateVector(_))),
        "{result:?}"
    );
    assert_eq!(drain(&mut room), [], "a rejected frame sends nothing");
}

#[test]
fn unknown_connection_is_rejected() {
    let mut room = BoardRoom::new();

    let result = room.receive(OTHER, &step_1_frame(&[0]));

    assert_eq!(result, Err(BoardError::UnknownConnection(OTHER)));
    assert_eq!(drain(&mut room), []);
}

#[test]
fn oversized_client_id_is_rejected() {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);

    // One client whose id needs 64 bits; Yrs client ids have 53.
    let state_vector = [
        1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x13,
    ];
    let result = room.receive(WRITER, &step_1_frame(&state_vector));

    assert!(
        matches!(result, Err(BoardError::InvalidStateVector(_))),
        "{result:?}"
    );
    assert!(!room.is_poisoned(), "decoding never touches the document");
}
