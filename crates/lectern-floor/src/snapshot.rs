//! The public view of the floor that the server broadcasts to every client.

use serde::{Deserialize, Serialize};

/// A raised hand in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedHand {
    /// The student.
    pub participant: String,
    /// When the hand went up. Raising again keeps this time and position.
    pub raised_at: u64,
}

/// A student who holds the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The student.
    pub participant: String,
    /// Whether the grant includes drawing on the board.
    pub to_board: bool,
    /// When the student got the floor.
    pub since: u64,
    /// When the machine revokes the floor by itself, or `None` for an
    /// open-ended grant.
    pub until: Option<u64>,
}

/// State of the floor that every participant may see.
///
/// A participant may send audio exactly when they are in `lecturers` or
/// `speakers` and not in `muted`, which is what
/// [`Floor::may_send_audio`](crate::Floor::may_send_audio) returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorSnapshot {
    /// Maximum number of students who hold the floor at once.
    pub max_speakers: usize,
    /// Lecturers in the room, sorted by id.
    pub lecturers: Vec<String>,
    /// Raised hands, first in line first.
    pub queue: Vec<RaisedHand>,
    /// Students holding the floor, longest-holding first.
    pub speakers: Vec<Speaker>,
    /// Participants the lecturer muted, sorted by id. A mute outlasts
    /// leaving, so this may list ids no longer in the room.
    pub muted: Vec<String>,
}
