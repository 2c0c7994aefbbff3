//! Decodes arbitrary bytes as a stroke point chunk.

#![no_main]

use lectern_board::schema::decode_points;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(points) = decode_points(data) {
        for point in points {
            assert!((0.0..=1.0).contains(&point.pressure));
        }
    }
});
