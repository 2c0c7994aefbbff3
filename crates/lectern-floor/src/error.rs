//! Errors of floor commands, each naming the participant and the action.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A floor command, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A student raises their own hand.
    RaiseHand,
    /// Someone lowers a hand that is not their own.
    LowerOtherHand,
    /// The lecturer lowers every hand.
    LowerAllHands,
    /// The lecturer gives a student the floor.
    GrantFloor,
    /// A participant is the target of a grant.
    ReceiveFloor,
    /// The lecturer takes the floor back.
    RevokeFloor,
    /// The lecturer mutes a participant.
    Mute,
    /// The lecturer unmutes a participant.
    Unmute,
    /// The lecturer changes `max_speakers`.
    SetMaxSpeakers,
    /// A participant's own drawing permission changes.
    SetDrawingPermission,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::RaiseHand => "raise a hand",
            Self::LowerOtherHand => "lower another participant's hand",
            Self::LowerAllHands => "lower all hands",
            Self::GrantFloor => "grant the floor",
            Self::ReceiveFloor => "receive the floor",
            Self::RevokeFloor => "revoke the floor",
            Self::Mute => "mute a participant",
            Self::Unmute => "unmute a participant",
            Self::SetMaxSpeakers => "change max_speakers",
            Self::SetDrawingPermission => "have a drawing permission set",
        };
        f.write_str(text)
    }
}

/// Reason a floor command was rejected. A rejected command changes nothing
/// and queues no event, except that expired grants still end first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FloorError {
    /// The id is not a participant in the room: never joined, or left.
    #[error("participant {participant} is not in the room")]
    UnknownParticipant {
        /// The id that was not found.
        participant: String,
    },
    /// A student sent a command that only a lecturer may send.
    #[error("student {actor} may not {action}: only a lecturer may")]
    LecturerOnly {
        /// The student who sent the command.
        actor: String,
        /// The action requested.
        action: Action,
    },
    /// A lecturer was the subject of a command that applies to students.
    #[error("{participant} is a lecturer, and only a student may {action}")]
    StudentOnly {
        /// The lecturer.
        participant: String,
        /// The action requested.
        action: Action,
    },
    /// A student who holds the floor tried to raise a hand.
    #[error("{participant} holds the floor already, so their hand cannot be raised")]
    HoldsFloor {
        /// The speaking student.
        participant: String,
    },
    /// `grant_next` found no raised hand.
    #[error("no hand is raised, so no student is next in line")]
    QueueEmpty,
    /// The floor has `max_speakers` speakers, and the grant asked not to
    /// replace one.
    #[error(
        "the floor is full ({} of {max_speakers} speakers: {}); revoke a speaker first or grant with WhenFull::ReplaceLongest",
        .speakers.len(), .speakers.join(", ")
    )]
    FloorFull {
        /// The room's limit.
        max_speakers: usize,
        /// The current speakers, longest-holding first.
        speakers: Vec<String>,
    },
    /// A timed grant asked for zero milliseconds.
    #[error("grant duration must be at least 1 ms, got 0")]
    ZeroDuration,
    /// `max_speakers` must be at least 1.
    #[error("max_speakers must be at least 1, got 0")]
    ZeroMaxSpeakers,
    /// Lowering `max_speakers` would leave more speakers than it allows.
    #[error(
        "cannot lower max_speakers to {requested} while {speakers} students hold the floor; revoke some first"
    )]
    SpeakersAboveLimit {
        /// The requested limit.
        requested: usize,
        /// Number of current speakers.
        speakers: usize,
    },
    /// The student changed their hand too often.
    #[error("{participant} changed their hand too often; retry in {retry_after_ms} ms")]
    RateLimited {
        /// The student.
        participant: String,
        /// Milliseconds until the next change is accepted.
        retry_after_ms: u64,
    },
}
