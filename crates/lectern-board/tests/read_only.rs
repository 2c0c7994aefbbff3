//! Read-only connections: their edits are refused, their sync replies are not.

mod common;

use common::*;
use lectern_board::protocol::Message;
use lectern_board::{Access, BoardRoom, Output, READ_ONLY_REASON};
use yrs::Doc;

/// Creates a room with one shared element, a writer and a reader, and drains
/// its outputs. Returns the room and the reader's synced copy of the document.
fn room_with_reader() -> (BoardRoom, Doc) {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "shared")]);
    room.connect(WRITER, Access::ReadWrite);
    room.connect(READER, Access::ReadOnly);
    drain(&mut room);

    let reader_copy = Doc::with_client_id(20);
    apply(&reader_copy, &full_state(room.doc()));
    (room, reader_copy)
}

fn assert_denied(outputs: &[Output]) {
    assert_eq!(outputs.len(), 1, "only permission-denied: {outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, READER);
    assert_eq!(message, Message::PermissionDenied(READ_ONLY_REASON));
}

#[test]
fn reader_update_is_denied() {
    let (mut room, reader_copy) = room_with_reader();
    let before = full_state(room.doc());

    let edit = set_key(&reader_copy, "b", "drawn while read-only");
    room.receive(READER, &update_frame(&edit))
        .expect("a refused edit is not a protocol error");

    assert_denied(&drain(&mut room));
    assert_eq!(full_state(room.doc()), before, "the document is unchanged");
    assert_eq!(element(room.doc(), "b"), None);
}

#[test]
fn reader_step_2_with_new_content() {
    let (mut room, reader_copy) = room_with_reader();
    set_key(&reader_copy, "b", "drawn while read-only");

    room.receive(READER, &step_2_frame(&full_state(&reader_copy)))
        .expect("valid sync step 2");

    assert_denied(&drain(&mut room));
    assert_eq!(element(room.doc(), "b"), None);
}

#[test]
fn reader_deletion_is_denied() {
    let (mut room, reader_copy) = room_with_reader();

    let deletion = remove_key(&reader_copy, "a");
    room.receive(READER, &update_frame(&deletion))
        .expect("a refused edit is not a protocol error");

    assert_denied(&drain(&mut room));
    assert_eq!(element(room.doc(), "a").as_deref(), Some("shared"));
}

#[test]
fn reader_step_2_without_changes() {
    let (mut room, reader_copy) = room_with_reader();

    room.receive(READER, &step_2_frame(&full_state(&reader_copy)))
        .expect("valid sync step 2");

    assert_eq!(drain(&mut room), [], "a reply that adds nothing is allowed");
}

#[test]
fn reader_step_2_with_known_deletes() {
    let author = Doc::with_client_id(10);
    let insert = set_key(&author, "a", "shared");
    let deletion = remove_key(&author, "a");
    let mut room = room_with(&[&insert, &deletion]);
    room.connect(READER, Access::ReadOnly);
    drain(&mut room);

    let reader_copy = Doc::with_client_id(20);
    apply(&reader_copy, &full_state(room.doc()));
    let reply = full_state(&reader_copy);
    room.receive(READER, &step_2_frame(&reply))
        .expect("valid sync step 2");

    assert_eq!(
        drain(&mut room),
        [],
        "a delete set the document already has adds nothing"
    );
}

#[test]
fn reader_empty_step_2() {
    let (mut room, _) = room_with_reader();

    room.receive(READER, &step_2_frame(&[0, 0]))
        .expect("valid sync step 2");

    assert_eq!(drain(&mut room), []);
}

#[test]
fn reader_awareness_is_relayed() {
    let (mut room, _) = room_with_reader();
    let update = awareness_update(&[(20, 1, r#"{"name":"reader"}"#)]);

    room.receive(READER, &awareness_frame(&update))
        .expect("valid awareness");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (except, message) = broadcast(&outputs[0]);
    assert_eq!(except, Some(READER));
    assert_eq!(message, Message::Awareness(&update));
}

#[test]
fn promotion_sends_step_1() {
    let (mut room, _) = room_with_reader();

    room.set_access(READER, Access::ReadWrite);
    let outputs = drain(&mut room);

    assert_eq!(room.access(READER), Some(Access::ReadWrite));
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, READER);
    assert_eq!(message, Message::SyncStep1(&state_vector(room.doc())));
}

#[test]
fn promotion_accepts_earlier_edit() {
    let (mut room, reader_copy) = room_with_reader();
    let edit = set_key(&reader_copy, "b", "drawn while read-only");
    room.receive(READER, &update_frame(&edit))
        .expect("a refused edit is not a protocol error");
    drain(&mut room);

    room.set_access(READER, Access::ReadWrite);
    drain(&mut room);
    room.receive(READER, &step_2_frame(&full_state(&reader_copy)))
        .expect("valid sync step 2");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 2, "persist and broadcast: {outputs:?}");
    persisted(&outputs[0]);
    let (except, _) = broadcast(&outputs[1]);
    assert_eq!(except, Some(READER));
    assert_eq!(
        element(room.doc(), "b").as_deref(),
        Some("drawn while read-only")
    );
}

#[test]
fn demotion_sends_nothing() {
    let (mut room, _) = room_with_reader();

    room.set_access(WRITER, Access::ReadOnly);

    assert_eq!(room.access(WRITER), Some(Access::ReadOnly));
    assert_eq!(drain(&mut room), []);
}

#[test]
fn demoted_writer_is_denied() {
    let (mut room, _) = room_with_reader();
    room.set_access(WRITER, Access::ReadOnly);

    let writer_copy = Doc::with_client_id(30);
    let edit = set_key(&writer_copy, "c", "late");
    room.receive(WRITER, &update_frame(&edit))
        .expect("a refused edit is not a protocol error");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, WRITER);
    assert_eq!(message, Message::PermissionDenied(READ_ONLY_REASON));
    assert_eq!(element(room.doc(), "c"), None);
}

#[test]
fn unchanged_access_sends_nothing() {
    let (mut room, _) = room_with_reader();

    room.set_access(WRITER, Access::ReadWrite);
    room.set_access(READER, Access::ReadOnly);
    room.set_access(OTHER, Access::ReadWrite);

    assert_eq!(drain(&mut room), []);
    assert_eq!(
        room.access(OTHER),
        None,
        "an unknown connection is not added"
    );
}
