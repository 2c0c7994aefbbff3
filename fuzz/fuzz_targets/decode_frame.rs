//! Decodes arbitrary bytes as a y-websocket frame and re-encodes what
//! decoded, which must decode to the same messages.

#![no_main]

use lectern_board::protocol::{decode_frame, encode_into};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(messages) = decode_frame(data) else {
        return;
    };

    let mut frame = Vec::new();
    for message in &messages {
        encode_into(&mut frame, message);
    }
    let decoded = decode_frame(&frame).expect("a re-encoded frame decodes");
    assert_eq!(decoded, messages);
});
