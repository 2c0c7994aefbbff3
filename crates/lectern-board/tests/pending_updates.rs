//! Updates that build on content the room lacks wait as pending, and a live
//! edit that leaves one pending makes the room ask its sender for the rest.
//!
//! Yrs 0.28 keeps a block pending only when its origin or parent is missing.
//! A block whose earlier clocks are missing but which does not refer to them
//! is integrated at once behind a placeholder, so the dependent edits here
//! overwrite the same key.

mod common;

use common::*;
use lectern_board::protocol::Message;
use lectern_board::{Access, BoardRoom, Output};
use yrs::{Doc, ReadTxn, Transact};

/// Creates a room with two writers, and a client whose second edit depends
/// on its first. Returns the room, the client, the first and the second edit.
fn room_and_dependent_edits() -> (BoardRoom, Doc, Vec<u8>, Vec<u8>) {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    room.connect(OTHER, Access::ReadWrite);
    drain(&mut room);

    let client = Doc::with_client_id(10);
    let first = set_key(&client, "a", "drawn while read-only");
    let second = set_key(&client, "a", "redrawn");
    (room, client, first, second)
}

fn has_missing(room: &BoardRoom) -> bool {
    room.doc().transact().has_missing_updates()
}

#[test]
fn live_update_asks_for_missing() {
    let (mut room, _, _, second) = room_and_dependent_edits();

    room.receive(WRITER, &update_frame(&second))
        .expect("a pending update is valid");
    let outputs = drain(&mut room);

    assert!(has_missing(&room));
    assert_eq!(outputs.len(), 1, "only sync step 1: {outputs:?}");
    let (to, message) = sent(&outputs[0]);
    assert_eq!(to, WRITER, "the sender holds what is missing");
    assert_eq!(message, Message::SyncStep1(&state_vector(room.doc())));
}

#[test]
fn step_2_does_not_ask() {
    let (mut room, _, _, second) = room_and_dependent_edits();

    room.receive(WRITER, &step_2_frame(&second))
        .expect("a pending update is valid");

    assert!(has_missing(&room));
    assert_eq!(drain(&mut room), [], "a sync reply never starts a loop");
}

#[test]
fn second_pending_update_does_not_ask() {
    let (mut room, client, _, second) = room_and_dependent_edits();
    room.receive(WRITER, &update_frame(&second))
        .expect("a pending update is valid");
    drain(&mut room);

    let third = set_key(&client, "a", "redrawn again");
    room.receive(WRITER, &update_frame(&third))
        .expect("a pending update is valid");

    assert_eq!(drain(&mut room), [], "the room already asked");
}

#[test]
fn missing_update_completes_pending() {
    let (mut room, client, _, second) = room_and_dependent_edits();
    room.receive(WRITER, &update_frame(&second))
        .expect("a pending update is valid");
    drain(&mut room);

    room.receive(WRITER, &step_2_frame(&full_state(&client)))
        .expect("valid sync step 2");
    let outputs = drain(&mut room);

    assert!(!has_missing(&room));
    assert_eq!(elements(room.doc()), elements(&client));
    assert_eq!(outputs.len(), 2, "persist and broadcast: {outputs:?}");
    let stored = persisted(&outputs[0]);
    let replica = Doc::with_client_id(40);
    apply(&replica, stored);
    assert_eq!(
        elements(&replica),
        elements(&client),
        "the stored update includes the edit that was pending"
    );
    let (except, _) = broadcast(&outputs[1]);
    assert_eq!(except, Some(WRITER));
}

#[test]
fn pending_update_is_not_stored() {
    let (mut room, _, _, second) = room_and_dependent_edits();

    room.receive(WRITER, &update_frame(&second))
        .expect("a pending update is valid");

    let outputs = drain(&mut room);
    assert!(
        outputs
            .iter()
            .all(|output| matches!(output, Output::Send { .. })),
        "nothing was integrated, so nothing is stored or broadcast: {outputs:?}"
    );
}

#[test]
fn step_2_from_other_completes_pending() {
    let (mut room, client, _, second) = room_and_dependent_edits();
    room.receive(WRITER, &update_frame(&second))
        .expect("a pending update is valid");
    drain(&mut room);

    room.receive(OTHER, &step_2_frame(&full_state(&client)))
        .expect("valid sync step 2");
    let outputs = drain(&mut room);

    assert!(!has_missing(&room));
    assert_eq!(element(room.doc(), "a").as_deref(), Some("redrawn"));
    assert_eq!(outputs.len(), 2, "persist and broadcast: {outputs:?}");
    let (except, _) = broadcast(&outputs[1]);
    assert_eq!(except, Some(OTHER));
}

/// An edit whose earlier clocks are missing but which does not refer to
/// them, such as a new map key, is integrated by Yrs 0.28 behind a
/// placeholder. The document then shows it while the state vector still
/// ends before the gap, so the room neither stores, broadcasts nor requests
/// the rest until the gap is filled.
#[test]
#[ignore = "known gap: an edit integrated behind a gap is neither stored nor broadcast"]
fn edit_behind_gap_is_published() {
    let (mut room, client, _, _) = room_and_dependent_edits();
    let independent = set_key(&client, "b", "new key");

    room.receive(WRITER, &update_frame(&independent))
        .expect("an out-of-order update is valid");
    let outputs = drain(&mut room);

    assert_eq!(element(room.doc(), "b").as_deref(), Some("new key"));
    assert!(
        outputs
            .iter()
            .any(|output| matches!(output, Output::Persist { .. })),
        "an edit the document shows must be stored: {outputs:?}"
    );
}
