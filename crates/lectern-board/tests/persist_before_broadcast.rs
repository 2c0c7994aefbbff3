//! An accepted edit is persisted before it is broadcast.

mod common;

use common::*;
use lectern_board::protocol::{Message, encode_into};
use lectern_board::{Access, BoardRoom, ConnectionId, Output};
use yrs::Doc;

fn room_with_two_writers() -> BoardRoom {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    room.connect(OTHER, Access::ReadWrite);
    drain(&mut room);
    room
}

/// Checks that `outputs` are one Persist and then one Broadcast of the same
/// update, and returns that update.
fn persist_then_broadcast(outputs: &[Output], sender: Option<ConnectionId>) -> Vec<u8> {
    assert_eq!(outputs.len(), 2, "persist and broadcast: {outputs:?}");
    let stored = persisted(&outputs[0]);
    let (except, message) = broadcast(&outputs[1]);
    assert_eq!(except, sender, "the sender is not sent its own edit");
    assert_eq!(
        message,
        Message::Update(stored),
        "the broadcast carries what was stored"
    );
    stored.to_vec()
}

#[test]
fn writer_update_is_persisted_first() {
    let mut room = room_with_two_writers();
    let client = Doc::with_client_id(10);
    let edit = set_key(&client, "a", "ink");

    room.receive(WRITER, &update_frame(&edit))
        .expect("valid update");

    let stored = persist_then_broadcast(&drain(&mut room), Some(WRITER));
    let replica = Doc::with_client_id(40);
    apply(&replica, &stored);
    assert_eq!(element(&replica, "a").as_deref(), Some("ink"));
}

#[test]
fn duplicate_update_is_ignored() {
    let mut room = room_with_two_writers();
    let client = Doc::with_client_id(10);
    let edit = set_key(&client, "a", "ink");
    room.receive(WRITER, &update_frame(&edit))
        .expect("valid update");
    drain(&mut room);

    room.receive(WRITER, &update_frame(&edit))
        .expect("a duplicate is valid");
    room.receive(OTHER, &update_frame(&edit))
        .expect("a duplicate from another writer is valid");

    assert_eq!(drain(&mut room), [], "nothing new, nothing stored or sent");
}

#[test]
fn duplicate_step_2_is_ignored() {
    let mut room = room_with_two_writers();
    let client = Doc::with_client_id(10);
    set_key(&client, "a", "ink");
    room.receive(WRITER, &update_frame(&full_state(&client)))
        .expect("valid update");
    drain(&mut room);

    room.receive(OTHER, &step_2_frame(&full_state(&client)))
        .expect("valid sync step 2");

    assert_eq!(drain(&mut room), []);
}

#[test]
fn partly_known_update_stores_new_part() {
    let mut room = room_with_two_writers();
    let first = Doc::with_client_id(10);
    let second = Doc::with_client_id(20);
    let known = set_key(&first, "a", "known");
    room.receive(WRITER, &update_frame(&known))
        .expect("valid update");
    drain(&mut room);

    apply(&second, &known);
    set_key(&second, "b", "new");
    room.receive(OTHER, &step_2_frame(&full_state(&second)))
        .expect("valid sync step 2");

    let stored = persist_then_broadcast(&drain(&mut room), Some(OTHER));
    let replica = Doc::with_client_id(40);
    apply(&replica, &stored);
    assert_eq!(element(&replica, "a"), None, "key a was stored before");
    assert_eq!(element(&replica, "b").as_deref(), Some("new"));
}

#[test]
fn two_updates_in_one_frame() {
    let mut room = room_with_two_writers();
    let client = Doc::with_client_id(10);
    let first = set_key(&client, "a", "one");
    let second = set_key(&client, "b", "two");
    let mut frame = Vec::new();
    encode_into(&mut frame, &Message::Update(&first));
    encode_into(&mut frame, &Message::Update(&second));

    room.receive(WRITER, &frame).expect("valid frame");
    let outputs = drain(&mut room);

    assert_eq!(outputs.len(), 4, "{outputs:?}");
    persist_then_broadcast(&outputs[..2], Some(WRITER));
    persist_then_broadcast(&outputs[2..], Some(WRITER));
}

#[test]
fn applied_update_excludes_nobody() {
    let mut room = room_with_two_writers();
    let client = Doc::with_client_id(10);

    room.apply_update(&set_key(&client, "a", "restored"))
        .expect("valid update");

    persist_then_broadcast(&drain(&mut room), None);
}

#[test]
fn persisted_updates_rebuild_document() {
    let mut room = room_with_two_writers();
    let first = Doc::with_client_id(10);
    let second = Doc::with_client_id(20);
    let edits = [
        (WRITER, set_key(&first, "a", "one")),
        (OTHER, set_key(&second, "b", "two")),
        (WRITER, set_key(&first, "c", "three")),
        (WRITER, remove_key(&first, "a")),
    ];

    let mut log = Vec::new();
    for (connection, edit) in &edits {
        room.receive(*connection, &update_frame(edit))
            .expect("valid update");
        for output in drain(&mut room) {
            if let Output::Persist { update } = output {
                log.push(update);
            }
        }
    }
    assert_eq!(log.len(), edits.len(), "every edit is stored once");

    let rebuilt =
        BoardRoom::load(None, log.iter().map(Vec::as_slice)).expect("stored updates load");
    assert_eq!(elements(rebuilt.doc()), elements(room.doc()));
    assert_eq!(state_vector(rebuilt.doc()), state_vector(room.doc()));
    assert_eq!(element(rebuilt.doc(), "a"), None, "the deletion was stored");
}

#[test]
fn snapshot_and_log_rebuild_document() {
    let mut room = room_with_two_writers();
    let client = Doc::with_client_id(10);
    room.receive(WRITER, &update_frame(&set_key(&client, "a", "one")))
        .expect("valid update");
    drain(&mut room);
    let snapshot = room.encode_state();

    room.receive(WRITER, &update_frame(&set_key(&client, "b", "two")))
        .expect("valid update");
    let outputs = drain(&mut room);
    let later = persisted(&outputs[0]).to_vec();

    let rebuilt =
        BoardRoom::load(Some(&snapshot), [later.as_slice()]).expect("snapshot and log load");
    assert_eq!(elements(rebuilt.doc()), elements(room.doc()));
    assert_eq!(rebuilt.encode_state(), room.encode_state());
}
