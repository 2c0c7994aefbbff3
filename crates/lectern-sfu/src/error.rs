//! Errors returned by the SFU's API.

use crate::ParticipantId;

/// Error returned by [`Room`](crate::Room) and [`Sfu`](crate::Sfu) operations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SfuError {
    /// The remote description is not valid SDP.
    #[error("invalid SDP from participant {participant}: {reason}")]
    InvalidSdp {
        /// Participant whose description was rejected.
        participant: ParticipantId,
        /// The parser's error message.
        reason: String,
    },
    /// The offer has no audio media section.
    #[error(
        "the offer from participant {participant} has no audio m-line: add an audio transceiver before creating the offer"
    )]
    NoAudioMedia {
        /// Participant whose offer was rejected.
        participant: ParticipantId,
    },
    /// The offer's audio sections list no Opus codec.
    #[error(
        "the offer from participant {participant} does not include Opus (offered: {offered}), but the SFU forwards only Opus"
    )]
    OpusNotOffered {
        /// Participant whose offer was rejected.
        participant: ParticipantId,
        /// Codecs the offer listed, as `name/clock-rate`, comma-separated.
        offered: String,
    },
    /// No session exists for the participant in this room.
    #[error("no SFU session for participant {0}: create one with Room::join first")]
    UnknownSession(ParticipantId),
    /// The participant already has a session in this room.
    #[error("participant {0} already has an SFU session: call Room::leave before joining again")]
    SessionExists(ParticipantId),
    /// The participant's session was closed, because it left or its connection failed.
    #[error("the SFU session of participant {0} is closed")]
    SessionClosed(ParticipantId),
    /// The room was closed with [`Room::close`](crate::Room::close).
    #[error("the SFU room is closed")]
    RoomClosed,
    /// A remote ICE candidate was rejected.
    #[error("invalid ICE candidate from participant {participant}: {reason}")]
    InvalidCandidate {
        /// Participant who sent the candidate.
        participant: ParticipantId,
        /// The reason the candidate was rejected.
        reason: String,
    },
    /// Every audio slot is held by another participant allowed to speak.
    #[error(
        "cannot allow participant {participant} to speak: all {slots} audio slots are in use, so revoke another speaker first"
    )]
    NoFreeAudioSlot {
        /// Participant who was to be allowed.
        participant: ParticipantId,
        /// Configured number of slots.
        slots: usize,
    },
    /// No port of the configured media port range could be bound.
    #[error("no free media port in {min}-{max}: widen the range or close sessions")]
    NoFreePort {
        /// First port of the range.
        min: u16,
        /// Last port of the range.
        max: u16,
    },
    /// The network configuration is invalid.
    #[error("invalid SFU network configuration: {0}")]
    InvalidConfig(String),
    /// The WebRTC stack returned an error.
    #[error("WebRTC failed to {action} for participant {participant}: {source}")]
    WebRtc {
        /// Participant whose connection failed.
        participant: ParticipantId,
        /// The operation that failed, as a verb phrase.
        action: &'static str,
        /// The error from the `webrtc` crate.
        #[source]
        source: webrtc::error::Error,
    },
}

impl SfuError {
    pub(crate) fn webrtc(
        participant: &ParticipantId,
        action: &'static str,
    ) -> impl FnOnce(webrtc::error::Error) -> Self {
        let participant = participant.clone();
        move |source| Self::WebRtc {
            participant,
            action,
            source,
        }
    }
}
