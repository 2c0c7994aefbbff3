//! Applies arbitrary awareness updates from two connections and checks
//! that whatever is relayed or sent decodes as an awareness update again.

#![no_main]

use lectern_board::ConnectionId;
use lectern_board::awareness::{AwarenessStates, MAX_CLIENTS_PER_CONNECTION};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut states = AwarenessStates::default();
    let owners = [ConnectionId(1), ConnectionId(2)];

    // 0xff bytes split the input into updates, sent by the owners in turn.
    for (index, update) in data.split(|&byte| byte == 0xff).enumerate() {
        let owner = owners[index % owners.len()];
        if let Ok(Some(relay)) = states.apply(owner, update) {
            let mut replica = AwarenessStates::default();
            replica
                .apply(ConnectionId(9), &relay)
                .expect("a relayed update is valid");
        }
    }

    // One connection may own at most MAX_CLIENTS_PER_CONNECTION ids, so only
    // a small enough set of present states can be applied as one update.
    let fits_one_owner = states.present_count() <= MAX_CLIENTS_PER_CONNECTION;
    if let Some(present) = states.encode_present().filter(|_| fits_one_owner) {
        AwarenessStates::default()
            .apply(ConnectionId(9), &present)
            .expect("the present states are a valid update");
    }
    if let Some(removal) = states.remove_connection(owners[0]) {
        AwarenessStates::default()
            .apply(ConnectionId(9), &removal)
            .expect("a removal is a valid update");
    }
});
