//! Feeds arbitrary frames to a room from a writer and a reader, then checks
//! that the room still accepts a valid edit from a third connection.

#![no_main]

use lectern_board::protocol::{Message, encode};
use lectern_board::{Access, BoardError, BoardRoom, ConnectionId, Output};
use libfuzzer_sys::fuzz_target;
use yrs::{Doc, Map, Transact};

const WRITER: ConnectionId = ConnectionId(1);
const READER: ConnectionId = ConnectionId(2);
const PROBE: ConnectionId = ConnectionId(3);

fn drain(room: &mut BoardRoom) -> Vec<Output> {
    std::iter::from_fn(|| room.poll_output()).collect()
}

/// Returns a valid edit that sets one key, from a client id of its own.
fn probe_edit() -> Vec<u8> {
    let doc = Doc::with_client_id(0x00c0_ffee);
    let elements = doc.get_or_insert_map("elements");
    let mut txn = doc.transact_mut();
    elements.insert(&mut txn, "probe", "edit");
    txn.encode_update_v1()
}

fuzz_target!(|data: &[u8]| {
    let mut room = BoardRoom::new();
    room.connect(WRITER, Access::ReadWrite);
    room.connect(READER, Access::ReadOnly);
    room.connect(PROBE, Access::ReadWrite);
    drain(&mut room);

    // The input is split into frames at 0xff bytes, so one run can build
    // state with some frames and then attack it with others.
    let mut results = Vec::new();
    for frame in data.split(|&byte| byte == 0xff) {
        results.push(room.receive(WRITER, frame));
        drain(&mut room);
        results.push(room.receive(READER, frame));
        drain(&mut room);
    }

    if room.is_poisoned() {
        // The driver reloads a poisoned room from storage, which never saw
        // the update that poisoned it.
        assert!(results.contains(&Err(BoardError::DocumentPoisoned)));
        return;
    }
    room.receive(PROBE, &encode(&Message::Update(&probe_edit())))
        .expect("a valid edit is accepted");
});
