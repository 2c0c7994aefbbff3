//! Errors of the audio scenario's peers and signalling.

use thiserror::Error;

/// A failure of a bench peer, of its signalling, or of the server under test.
#[derive(Debug, Error)]
pub enum AudioError {
    /// The `webrtc` crate rejected an operation.
    #[error("WebRTC failed to {action}: {reason}")]
    WebRtc {
        action: &'static str,
        reason: String,
    },

    /// The server sent something the bench cannot use, or rejected a request.
    #[error("signalling failed: {0}")]
    Signalling(String),

    /// A control WebSocket or HTTP request failed.
    #[error("{what} failed: {reason}")]
    Transport { what: String, reason: String },

    /// The server offered ICE candidates only on addresses the bench does
    /// not send to.
    #[error(
        "the server offered no ICE candidate on {accepted}, only: {offered}; the bench sends to no other address"
    )]
    NoUsableCandidate {
        accepted: &'static str,
        offered: String,
    },

    /// A wait ran past its bound.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),

    /// The server under test could not be started.
    #[error("cannot start {system}: {reason}")]
    Start {
        system: &'static str,
        reason: String,
    },
}

impl AudioError {
    /// Returns a mapper from a `webrtc` error to [`AudioError::WebRtc`].
    pub fn webrtc<E: std::fmt::Display>(action: &'static str) -> impl FnOnce(E) -> Self {
        move |error| Self::WebRtc {
            action,
            reason: error.to_string(),
        }
    }

    /// Returns a mapper from a transport error to [`AudioError::Transport`].
    pub fn transport<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> Self {
        let what = what.into();
        move |error| Self::Transport {
            what,
            reason: error.to_string(),
        }
    }
}
