//! Clients that join with an empty state vector share one encoded sync
//! step 2 frame, and every change to the document replaces that frame.

mod common;

use std::sync::Arc;

use common::*;
use lectern_board::protocol::Message;
use lectern_board::{Access, BoardRoom, ConnectionId, Frame, Output};
use yrs::Doc;

/// Connects `connection`, sends sync step 1 with an empty state vector and
/// returns the frame of the sync step 2 reply.
fn join_empty(room: &mut BoardRoom, connection: ConnectionId) -> Frame {
    room.connect(connection, Access::ReadOnly);
    drain(room);

    room.receive(connection, &step_1_frame(&[0]))
        .expect("valid sync step 1");
    let outputs = drain(room);
    assert_eq!(outputs.len(), 1, "only sync step 2: {outputs:?}");
    match &outputs[0] {
        Output::Send { to, frame } => {
            assert_eq!(*to, connection);
            Arc::clone(frame)
        }
        other => panic!("expected a Send output, got {other:?}"),
    }
}

/// Applies the update of a sync step 2 frame to a new document.
fn doc_from(frame: &Frame) -> Doc {
    let Message::SyncStep2(update) = single_message(frame) else {
        panic!("expected sync step 2 in {frame:?}");
    };
    let doc = Doc::with_client_id(99);
    apply(&doc, update);
    doc
}

#[test]
fn empty_clients_share_one_frame() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "one")]);

    let first = join_empty(&mut room, ConnectionId(100));
    let second = join_empty(&mut room, ConnectionId(101));

    assert!(
        Arc::ptr_eq(&first, &second),
        "the second client should get the cached frame, not a new encoding"
    );
    assert_eq!(elements(&doc_from(&second)), elements(room.doc()));
}

#[test]
fn live_edit_replaces_cached_frame() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "one")]);
    let before = join_empty(&mut room, ConnectionId(100));

    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);
    room.receive(WRITER, &update_frame(&set_key(&author, "b", "two")))
        .expect("valid update");
    drain(&mut room);
    let after = join_empty(&mut room, ConnectionId(101));

    assert!(
        !Arc::ptr_eq(&before, &after),
        "the edit must drop the cache"
    );
    let joined = doc_from(&after);
    assert_eq!(element(&joined, "b").as_deref(), Some("two"));
    assert_eq!(elements(&joined), elements(room.doc()));
}

#[test]
fn sync_step_2_replaces_cached_frame() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "one")]);
    join_empty(&mut room, ConnectionId(100));

    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);
    room.receive(WRITER, &step_2_frame(&set_key(&author, "b", "two")))
        .expect("valid sync step 2");
    drain(&mut room);
    let joined = doc_from(&join_empty(&mut room, ConnectionId(101)));

    assert_eq!(element(&joined, "b").as_deref(), Some("two"));
}

#[test]
fn import_replaces_cached_frame() {
    let author = Doc::with_client_id(10);
    let mut room = room_with(&[&set_key(&author, "a", "one")]);
    join_empty(&mut room, ConnectionId(100));

    room.apply_update(&set_key(&author, "a", "restored"))
        .expect("valid update");
    drain(&mut room);
    let joined = doc_from(&join_empty(&mut room, ConnectionId(101)));

    assert_eq!(element(&joined, "a").as_deref(), Some("restored"));
}

#[test]
fn pending_update_replaces_cached_frame() {
    // The second edit overwrites the first, so it waits as pending until the
    // first arrives. The full state includes pending updates, so a client
    // that joins meanwhile must get it too.
    let author = Doc::with_client_id(10);
    let first = set_key(&author, "a", "first");
    let second = set_key(&author, "a", "second");
    let mut room = BoardRoom::new();
    join_empty(&mut room, ConnectionId(100));

    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);
    room.receive(WRITER, &step_2_frame(&second))
        .expect("a pending update is valid");
    drain(&mut room);
    let joined = doc_from(&join_empty(&mut room, ConnectionId(101)));
    apply(&joined, &first);

    assert_eq!(element(&joined, "a").as_deref(), Some("second"));
}

#[test]
fn non_empty_state_vector_gets_diff() {
    let author = Doc::with_client_id(10);
    let first = set_key(&author, "a", "one");
    let mut room = room_with(&[&first, &set_key(&author, "b", "two")]);
    join_empty(&mut room, ConnectionId(100));

    let client = Doc::with_client_id(30);
    apply(&client, &first);
    room.connect(WRITER, Access::ReadWrite);
    drain(&mut room);
    room.receive(WRITER, &step_1_frame(&state_vector(&client)))
        .expect("valid sync step 1");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (_, message) = sent(&outputs[0]);
    let Message::SyncStep2(diff) = message else {
        panic!("expected sync step 2, got {message:?}");
    };
    let fresh = Doc::with_client_id(40);
    apply(&fresh, diff);
    assert_eq!(element(&fresh, "a"), None, "the client already had key a");
    assert_eq!(element(&fresh, "b").as_deref(), Some("two"));
}
