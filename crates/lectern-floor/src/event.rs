//! Events the floor queues for the server, and the reasons they carry.

use serde::{Deserialize, Serialize};

use crate::snapshot::RaisedHand;

/// A change the server acts on and forwards to clients, polled with
/// [`Floor::poll_event`](crate::Floor::poll_event).
///
/// Events come in the order the changes happened. One command may queue
/// several, such as a grant from the queue: `HandLowered`, `QueueChanged`,
/// `FloorGranted`, then `DrawingChanged` when it includes the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FloorEvent {
    /// A student raised their hand and joined the end of the queue.
    HandRaised {
        /// The student.
        participant: String,
        /// When the hand went up.
        raised_at: u64,
    },
    /// A hand left the queue.
    HandLowered {
        /// The student.
        participant: String,
        /// Cause of the lowering.
        reason: LowerReason,
    },
    /// The queue changed. Sent after the `HandRaised` and `HandLowered`
    /// events of one command.
    QueueChanged {
        /// The whole queue, first in line first.
        queue: Vec<RaisedHand>,
    },
    /// A student got the floor, or their grant changed.
    FloorGranted {
        /// The student.
        participant: String,
        /// Whether the grant includes drawing on the board.
        to_board: bool,
        /// When the student first got the floor. A repeated grant to a
        /// current speaker keeps the first time.
        since: u64,
        /// When the machine revokes the floor by itself, or `None` for an
        /// open-ended grant.
        until: Option<u64>,
    },
    /// A student lost the floor. The SFU stops forwarding their audio.
    FloorRevoked {
        /// The student.
        participant: String,
        /// Cause of the revocation.
        reason: RevokeReason,
    },
    /// The lecturer muted a participant. The SFU stops forwarding their audio.
    Muted {
        /// The muted participant.
        participant: String,
    },
    /// The lecturer unmuted a participant.
    Unmuted {
        /// The unmuted participant.
        participant: String,
    },
    /// A student's board access changes. The server sets the student's
    /// board access to `can_draw`.
    DrawingChanged {
        /// The student.
        participant: String,
        /// Whether the student may draw from now on.
        can_draw: bool,
        /// Cause of the change.
        cause: DrawingCause,
    },
    /// The room's speaker limit changed.
    MaxSpeakersChanged {
        /// The new limit.
        max_speakers: usize,
    },
}

/// Reason a hand left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowerReason {
    /// The student lowered it.
    Own,
    /// The lecturer lowered it, alone or with all hands.
    Lecturer,
    /// The student got the floor.
    Granted,
    /// The student left the room.
    Left,
}

/// Reason a student lost the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// The lecturer took it back.
    Lecturer,
    /// The timed grant reached its `until`.
    Expired,
    /// The student left the room.
    Left,
    /// The floor was full and the lecturer gave it to another student with
    /// [`WhenFull::ReplaceLongest`](crate::WhenFull::ReplaceLongest).
    Replaced,
}

/// Reason a student's board access changed.
///
/// A student may draw through their own drawing permission, which the
/// server stores apart from the floor, or through a grant with `to_board`.
/// When a board grant ends, the cause states whether the server removes
/// board access or restores the student's own permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawingCause {
    /// A grant with `to_board` gave board access. Sent even when the
    /// student's own permission already allowed drawing.
    BoardGranted,
    /// The board grant ended and the student has no drawing permission of
    /// their own, so the server removes board access (`can_draw: false`).
    BoardRevoked,
    /// The board grant ended and the student has their own drawing
    /// permission, so the server keeps or restores board access
    /// (`can_draw: true`) instead of removing it.
    PermissionRestored,
    /// The student's own permission changed outside a board grant.
    PermissionChanged,
}
