//! Lectern's audio SFU (selective forwarding unit), built on the `webrtc` crate (0.21).
//!
//! # What the crate owns
//!
//! One WebRTC peer connection per participant of a room, the outgoing audio tracks of each
//! subscriber, the tasks that move packets between them, and the speaking indicators. The
//! server owns everything else: who is in a room, who may speak, and the control channel that
//! carries SDP and ICE candidates to browsers. It drives the SFU through [`Room`]:
//!
//! 1. [`Sfu::create_room`] returns a [`Room`] and its [`RoomEvent`] receiver.
//! 2. [`Room::join`] opens a participant's peer connection. [`Room::accept_offer`] applies the
//!    browser's offer and returns the answer. [`Room::add_ice_candidate`] passes on the
//!    browser's candidates, and [`RoomEvent::IceCandidate`] carries the SFU's.
//! 3. [`Room::set_forwarding`] allows or stops a participant's audio (the lecturer is allowed
//!    like anyone else), and [`RoomEvent::Speaking`] reports who speaks.
//! 4. [`Room::leave`] and [`Room::close`] end sessions. A session whose connection fails or
//!    closes ends by itself and is reported as [`RoomEvent::SessionClosed`].
//!
//! [`Room::create_offer`] and [`Room::accept_answer`] renegotiate from the SFU's side, to add
//! outgoing tracks a browser's offer left out; [`Room::unattached_slots`] counts them. [`Sfu::client_config`] returns the STUN and
//! TURN servers for the browser's `RTCPeerConnection`.
//!
//! # What it must never do
//!
//! - Decode, mix or transcode audio: Opus packets are forwarded as they arrive, with a new
//!   SSRC, payload type, sequence number and timestamp and without header extensions.
//! - Forward a packet from a participant whose grant is off, whatever the client sends.
//! - Let one subscriber slow down a publisher or another subscriber.
//! - Block the `webrtc` driver task, which also runs ICE consent and DTLS timers: event
//!   handlers return at once and spawn anything that waits.
//! - Hold a lock across an `.await`, or hold any lock on the packet path beyond cloning an
//!   `Arc` from a read lock.
//!
//! # Forwarding design: audio slots
//!
//! Each subscriber has [`SfuConfig::audio_slots`] outgoing tracks (3 by default), negotiated
//! once, each with its own SSRC and the Opus payload type from that subscriber's SDP. Allowing
//! a participant with [`Room::set_forwarding`] assigns one room-wide slot to it, and its
//! packets go out on that slot's track of every other subscriber. When the floor passes, the
//! new speaker takes a free slot, and a track that changes source keeps its sequence numbers
//! and timestamps continuous (see [`rewrite`]). Slots need no renegotiation when speakers
//! change, unlike a track per publisher, and unlike a single track they let the lecturer and
//! a student talk at the same time without interleaving two Opus streams on one SSRC.
//!
//! # Threading model
//!
//! Everything runs on the caller's Tokio runtime. Per session there are:
//!
//! - the `webrtc` driver task (owned by the `webrtc` crate), which runs the sockets, ICE,
//!   DTLS and SRTP, and calls the session's event handler;
//! - one reader task per received audio track, which checks the grant, writes each packet to
//!   every other subscriber's slot track, and runs the speaking detector.
//!
//! Room state (sessions, grants, slots) sits behind a `std::sync::Mutex` taken only in the
//! signalling API. Each grant is an `AtomicU32` holding the slot index, which the reader loads
//! for every packet. The subscriber list is an `Arc<[...]>` snapshot behind an `RwLock`,
//! replaced on join and leave. [`SfuStats::live_tasks`] counts the reader tasks.
//!
//! # Packet path
//!
//! browser → UDP socket → `webrtc` driver (SRTP decrypt, interceptors) → remote track event →
//! reader task: grant check (one atomic load). Then, for each other subscriber and under that
//! subscriber's own short lock: sequence and timestamp rewrite, and an `rtp::Packet` with the
//! subscriber's SSRC and payload type. The payload stays one `bytes::Bytes` (a reference count,
//! no copy). One poll of `TrackLocalStaticRTP::write_rtp` hands the packet to the subscriber's
//! `webrtc` driver (interceptors, SRTP encrypt) → socket.
//!
//! The reader never waits on a subscriber. `write_rtp` only waits when the driver's bounded
//! channel is full, and then the packet is dropped for that subscriber alone and counted, so a
//! stuck peer connection cannot delay the others. An earlier design gave each subscriber a
//! queue and a writer task, which added a task wake-up and a channel hand-off to every packet
//! of every subscriber. Removing them saved one task per participant, and the CPU time per
//! packet stayed level within the audio benchmark's noise (docs/benchmarks.md).
//!
//! NOTE: the SFU's part of the path allocates nothing per packet and subscriber beyond the
//! boxed future of `write_rtp`, but the `webrtc` crate allocates inside its driver
//! (marshalling and SRTP encryption of each outgoing packet), and that cost is per subscriber.
//!
//! # Networking
//!
//! [`NetworkConfig`] sets the bind address, a port range ([`MediaPorts`]), a 1:1 NAT public
//! address and ICE over TCP (passive candidates on the same port number as UDP). `webrtc`
//! 0.21 has no UDP mux, so each session binds its own port. Its `SettingEngine` also lacks the
//! interface and IP filters (they are still a to-do in the crate), so binding a concrete
//! address such as `127.0.0.1` is what keeps candidates on that address. Its NAT 1:1 setting
//! is stored but unused, so the SFU rewrites host candidates to [`NetworkConfig::public_ip`]
//! itself. mDNS is off. Each connection runs two interceptors, RTCP sender and receiver
//! reports; NACK and transport-wide congestion control are not negotiated. RTCP from
//! subscribers ends at their connections and is not relayed to publishers.

pub mod config;
mod error;
mod forward;
mod offer_check;
pub mod rewrite;
mod room;
mod session;
pub mod speaking;
mod stats;

use std::fmt;
use std::sync::Arc;

use tokio::sync::mpsc;

pub use config::{ClientIceConfig, IceServer, MediaPorts, NetworkConfig, SfuConfig};
pub use error::SfuError;
pub use room::{CloseReason, IceCandidate, Room, RoomEvent};
pub use speaking::SpeakingConfig;
pub use stats::SfuStats;

use config::PortAllocator;
use stats::Counters;

/// Identifier of a participant, as the server assigns it. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId(Arc<str>);

impl ParticipantId {
    /// Creates an identifier from the server's participant id.
    pub fn new(id: impl Into<Arc<str>>) -> Self {
        Self(id.into())
    }

    /// Returns the id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for ParticipantId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "ParticipantId({:?})", &*self.0)
    }
}

impl From<&str> for ParticipantId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

impl From<String> for ParticipantId {
    fn from(id: String) -> Self {
        Self::new(id)
    }
}

/// The SFU: configuration and counters shared by its rooms. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sfu {
    inner: Arc<SfuInner>,
}

#[derive(Debug)]
pub(crate) struct SfuInner {
    pub(crate) config: Arc<SfuConfig>,
    pub(crate) ports: PortAllocator,
    pub(crate) counters: Arc<Counters>,
}

impl Sfu {
    /// Creates an SFU. Sockets are bound per session, not here.
    ///
    /// # Errors
    ///
    /// [`SfuError::InvalidConfig`] when a setting is out of range.
    pub fn new(config: SfuConfig) -> Result<Self, SfuError> {
        config.validate()?;
        let ports = PortAllocator::new(&config.network);
        Ok(Self {
            inner: Arc::new(SfuInner {
                config: Arc::new(config),
                ports,
                counters: Arc::new(Counters::default()),
            }),
        })
    }

    /// Creates an empty room and the receiver of its events. The server must keep reading the
    /// receiver: events that do not fit in [`SfuConfig::event_queue`] are dropped.
    pub fn create_room(&self) -> (Room, mpsc::Receiver<RoomEvent>) {
        Room::new(Arc::clone(&self.inner))
    }

    /// Returns the ICE servers for browsers.
    pub fn client_config(&self) -> ClientIceConfig {
        ClientIceConfig {
            ice_servers: self.inner.config.network.ice_servers.clone(),
        }
    }

    /// Returns a snapshot of the counters of all rooms.
    pub fn stats(&self) -> SfuStats {
        self.inner.counters.snapshot()
    }
}
