//! Helpers shared by the scenario tests: real Yrs edits, frame building and
//! output inspection.

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use lectern_board::encoding::{write_var_string, write_var_u64};
use lectern_board::protocol::{Message, decode_frame, encode};
use lectern_board::{BoardRoom, ConnectionId, Output};
use yrs::types::ToJson;
use yrs::updates::encoder::Encode;
use yrs::{Any, Doc, Map, ReadTxn, StateVector, Transact};

pub const WRITER: ConnectionId = ConnectionId(1);
pub const READER: ConnectionId = ConnectionId(2);
pub const OTHER: ConnectionId = ConnectionId(3);

/// The root map the tests edit.
pub const ELEMENTS: &str = "elements";

/// Removes and returns every queued output.
pub fn drain(room: &mut BoardRoom) -> Vec<Output> {
    std::iter::from_fn(|| room.poll_output()).collect()
}

/// Sets `key` in the `elements` map of `doc` and returns that edit as a v1
/// update.
pub fn set_key(doc: &Doc, key: &str, value: &str) -> Vec<u8> {
    let elements = doc.get_or_insert_map(ELEMENTS);
    let mut txn = doc.transact_mut();
    elements.insert(&mut txn, key, value);
    txn.encode_update_v1()
}

/// Removes `key` from the `elements` map of `doc` and returns that edit.
pub fn remove_key(doc: &Doc, key: &str) -> Vec<u8> {
    let elements = doc.get_or_insert_map(ELEMENTS);
    let mut txn = doc.transact_mut();
    elements.remove(&mut txn, key);
    txn.encode_update_v1()
}

/// Returns the `elements` map of `doc` as JSON-like values.
pub fn elements(doc: &Doc) -> Any {
    let elements = doc.get_or_insert_map(ELEMENTS);
    let txn = doc.transact();
    elements.to_json(&txn)
}

/// Returns the value stored under `key` in the `elements` map, as a string.
pub fn element(doc: &Doc, key: &str) -> Option<String> {
    let elements = doc.get_or_insert_map(ELEMENTS);
    let txn = doc.transact();
    elements.get(&txn, key).map(|value| value.to_string(&txn))
}

/// Returns the whole state of `doc` as one v1 update.
pub fn full_state(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// Returns the state vector of `doc`, v1-encoded.
pub fn state_vector(doc: &Doc) -> Vec<u8> {
    doc.transact().state_vector().encode_v1()
}

/// Applies a v1 update to `doc`.
pub fn apply(doc: &Doc, update: &[u8]) {
    use yrs::Update;
    use yrs::updates::decoder::Decode;

    let update = Update::decode_v1(update).expect("update decodes");
    doc.transact_mut()
        .apply_update(update)
        .expect("update applies");
}

pub fn update_frame(update: &[u8]) -> Vec<u8> {
    encode(&Message::Update(update))
}

pub fn step_1_frame(state_vector: &[u8]) -> Vec<u8> {
    encode(&Message::SyncStep1(state_vector))
}

pub fn step_2_frame(update: &[u8]) -> Vec<u8> {
    encode(&Message::SyncStep2(update))
}

pub fn awareness_frame(update: &[u8]) -> Vec<u8> {
    encode(&Message::Awareness(update))
}

/// Encodes an awareness update from `(client id, clock, JSON state)` entries.
pub fn awareness_update(entries: &[(u64, u64, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    write_var_u64(&mut out, entries.len() as u64);
    for (client_id, clock, state) in entries {
        write_var_u64(&mut out, *client_id);
        write_var_u64(&mut out, *clock);
        write_var_string(&mut out, state);
    }
    out
}

/// Decodes a frame the room produced, which must hold exactly one message.
pub fn single_message(frame: &[u8]) -> Message<'_> {
    let mut messages = decode_frame(frame).expect("the room sends valid frames");
    assert_eq!(messages.len(), 1, "one message per frame: {messages:?}");
    messages.remove(0)
}

/// Returns the single message of a `Send` output and its recipient.
pub fn sent(output: &Output) -> (ConnectionId, Message<'_>) {
    match output {
        Output::Send { to, frame } => (*to, single_message(frame)),
        other => panic!("expected a Send output, got {other:?}"),
    }
}

/// Returns the single message of a `Broadcast` output and the excluded
/// connection.
pub fn broadcast(output: &Output) -> (Option<ConnectionId>, Message<'_>) {
    match output {
        Output::Broadcast { except, frame } => (*except, single_message(frame)),
        other => panic!("expected a Broadcast output, got {other:?}"),
    }
}

/// Returns the update of a `Persist` output.
pub fn persisted(output: &Output) -> &[u8] {
    match output {
        Output::Persist { update } => update,
        other => panic!("expected a Persist output, got {other:?}"),
    }
}

/// Creates a room holding `updates`, with every output drained.
pub fn room_with(updates: &[&[u8]]) -> BoardRoom {
    let mut room = BoardRoom::new();
    for update in updates {
        room.apply_update(update).expect("valid update");
    }
    drain(&mut room);
    room
}
