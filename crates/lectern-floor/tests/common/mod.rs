//! A room with one lecturer and three students, shared by the scenario tests.

#![allow(dead_code)]

use lectern_floor::{Floor, FloorConfig, FloorEvent, Grant, Role};

pub const LECTURER: &str = "ada";
pub const GRACE: &str = "grace";
pub const ALAN: &str = "alan";
pub const BARBARA: &str = "barbara";
/// An id that never joined.
pub const STRANGER: &str = "mallory";

/// Builds a room with the default config.
pub fn room() -> Floor {
    room_with(FloorConfig::default())
}

/// Builds a room with `config`, a lecturer and three students without
/// drawing permission.
pub fn room_with(config: FloorConfig) -> Floor {
    let mut floor = Floor::new(config).expect("valid test config");
    floor.join(LECTURER, Role::Lecturer, false);
    for student in [GRACE, ALAN, BARBARA] {
        floor.join(student, Role::Student, false);
    }
    floor
}

/// Builds a room whose `max_speakers` is `max_speakers`.
pub fn room_with_speakers(max_speakers: usize) -> Floor {
    room_with(FloorConfig {
        max_speakers,
        ..FloorConfig::default()
    })
}

/// Takes every queued event.
pub fn drain(floor: &mut Floor) -> Vec<FloorEvent> {
    std::iter::from_fn(|| floor.poll_event()).collect()
}

/// Builds an open-ended grant without the board.
pub fn speak() -> Grant {
    Grant::default()
}

/// Builds an open-ended grant with the board.
pub fn to_board() -> Grant {
    Grant {
        to_board: true,
        ..Grant::default()
    }
}

/// Builds a grant without the board that lasts `duration_ms`.
pub fn timed(duration_ms: u64) -> Grant {
    Grant {
        duration_ms: Some(duration_ms),
        ..Grant::default()
    }
}

/// Returns the ids in the queue, first in line first.
pub fn queue_ids(floor: &Floor) -> Vec<&str> {
    floor
        .queue()
        .iter()
        .map(|hand| hand.participant.as_str())
        .collect()
}

/// Returns the ids of the speakers, longest-holding first.
pub fn speaker_ids(floor: &Floor) -> Vec<&str> {
    floor
        .speakers()
        .iter()
        .map(|speaker| speaker.participant.as_str())
        .collect()
}
