//! The bench's WebRTC peers, built with the `webrtc` crate and bound to
//! the address of their [`PeerNetwork`]: a publisher that sends numbered Opus-like RTP packets and
//! subscribers that only receive.
//!
//! A peer hands its local ICE candidates to the signalling code through a
//! bounded channel ([`Peer::take_candidates`]), and reports its connection
//! state on a watch channel. A subscriber's received packets go to its
//! [`StreamStats`].

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::MIME_TYPE_OPUS;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RTCRtpHeaderExtensionCapability, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::{mpsc, watch};
use tracing::{debug, warn};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceCandidateInit, RTCIceGatheringState, RTCPeerConnectionIceEvent, RTCPeerConnectionState,
    RTCSessionDescription, Registry, SettingEngineBuilder, register_default_interceptors,
};

use super::AudioError;
use super::network::{PeerNetwork, candidate_is_accepted};
use super::packet::{Clock, Phase, Stamp, StreamStats, TIMESTAMP_STEP};

/// The RFC 6464 client-to-mixer audio level header extension.
pub const AUDIO_LEVEL_URI: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

/// Opus payload type in the bench's offers; answers use the offerer's.
const OPUS_PAYLOAD_TYPE: u8 = 111;

/// Local candidates a peer may have waiting for the signalling code. On
/// one bound address a peer gathers one or two.
const CANDIDATE_QUEUE: usize = 16;

/// Audio level of the publisher's packets, in -dBov: loud enough for a
/// speaking detector to count as speech.
const AUDIO_LEVEL_DBOV: u8 = 20;

/// How long a peer may take from its first description to the connected state.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Counters shared by every peer of a run.
#[derive(Debug, Default)]
pub struct PeerCounters {
    /// Peers whose connection failed, disconnected or closed while the
    /// run still needed them.
    pub disconnects: AtomicU64,
    /// Failed negotiations, rejected signalling messages and failed sends.
    pub errors: AtomicU64,
    /// Set when the run ends, so that closing peers are not counted.
    pub stopping: AtomicBool,
}

/// A local ICE candidate, or `None` once gathering is complete.
pub type LocalCandidate = Option<RTCIceCandidateInit>;

/// One WebRTC peer of the bench.
pub struct Peer {
    pub connection: Arc<dyn PeerConnection>,
    candidates: Mutex<Option<mpsc::Receiver<LocalCandidate>>>,
    state: watch::Receiver<RTCPeerConnectionState>,
    /// Packets this peer received, for a subscriber.
    pub stats: Arc<Mutex<StreamStats>>,
    network: PeerNetwork,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Peer")
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

struct Handler {
    candidates: mpsc::Sender<LocalCandidate>,
    state: watch::Sender<RTCPeerConnectionState>,
    stats: Arc<Mutex<StreamStats>>,
    clock: Clock,
    counters: Arc<PeerCounters>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        match event.candidate.to_json() {
            Ok(init) => {
                if self.candidates.try_send(Some(init)).is_err() {
                    warn!("a local ICE candidate was dropped: the signalling queue is full");
                }
            }
            Err(error) => warn!(%error, "cannot encode a local ICE candidate"),
        }
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.candidates.try_send(None);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        debug!(%state, "peer connection state");
        let was_connected = *self.state.borrow() == RTCPeerConnectionState::Connected;
        let lost = matches!(
            state,
            RTCPeerConnectionState::Disconnected
                | RTCPeerConnectionState::Failed
                | RTCPeerConnectionState::Closed
        );
        if was_connected && lost && !self.counters.stopping.load(Ordering::Relaxed) {
            warn!(%state, "a bench peer lost its connection");
            self.counters.disconnects.fetch_add(1, Ordering::Relaxed);
        }
        self.state.send_replace(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let stats = Arc::clone(&self.stats);
        let clock = self.clock;
        // The handler runs on the peer's driver task, so reading waits
        // in a task of its own.
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                    continue;
                };
                let arrived_us = clock.now_us();
                if let Some(stamp) = Stamp::decode(&packet.payload) {
                    let mut stats = stats.lock().unwrap_or_else(|poison| poison.into_inner());
                    stats.record(stamp, packet.header.timestamp, arrived_us);
                }
            }
        });
    }
}

fn opus_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: super::packet::CLOCK_RATE,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: Vec::new(),
    }
}

impl Peer {
    /// Builds a peer on `network`'s address with Opus, the audio level
    /// extension and the `webrtc` crate's default interceptors (NACK, RTCP
    /// reports), as a browser has.
    pub async fn new(
        clock: Clock,
        counters: Arc<PeerCounters>,
        network: PeerNetwork,
    ) -> Result<Self, AudioError> {
        let mut media_engine = MediaEngine::default();
        media_engine
            .register_codec(
                RTCRtpCodecParameters {
                    rtp_codec: opus_codec(),
                    payload_type: OPUS_PAYLOAD_TYPE,
                },
                RtpCodecKind::Audio,
            )
            .map_err(AudioError::webrtc("register Opus"))?;
        media_engine
            .register_header_extension(
                RTCRtpHeaderExtensionCapability {
                    uri: AUDIO_LEVEL_URI.to_owned(),
                },
                RtpCodecKind::Audio,
                None,
            )
            .map_err(AudioError::webrtc("register the audio level extension"))?;
        let registry = register_default_interceptors(Registry::new(), &mut media_engine)
            .map_err(AudioError::webrtc("register the interceptors"))?;
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .build();

        let (candidates_tx, candidates_rx) = mpsc::channel(CANDIDATE_QUEUE);
        let (state_tx, state_rx) = watch::channel(RTCPeerConnectionState::New);
        let stats = Arc::new(Mutex::new(StreamStats::default()));
        let handler = Arc::new(Handler {
            candidates: candidates_tx,
            state: state_tx,
            stats: Arc::clone(&stats),
            clock,
            counters,
        });
        // The builder's future is large, so it lives on the heap.
        let connection = Box::pin(
            PeerConnectionBuilder::new()
                .with_media_engine(media_engine)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings)
                .with_handler(handler)
                .with_udp_addrs(vec![format!("{}:0", network.bind_address())])
                .build(),
        )
        .await
        .map_err(AudioError::webrtc("open a peer connection"))?;

        Ok(Self {
            connection: Arc::new(connection),
            candidates: Mutex::new(Some(candidates_rx)),
            state: state_rx,
            stats,
            network,
        })
    }

    /// Adds `count` receive-only audio transceivers.
    pub async fn add_receivers(&self, count: usize) -> Result<(), AudioError> {
        for _ in 0..count {
            self.connection
                .add_transceiver_from_kind(
                    RtpCodecKind::Audio,
                    Some(RTCRtpTransceiverInit {
                        direction: RTCRtpTransceiverDirection::Recvonly,
                        ..Default::default()
                    }),
                )
                .await
                .map_err(AudioError::webrtc("add a receive-only transceiver"))?;
        }
        Ok(())
    }

    /// Creates an offer, applies it locally and returns its SDP.
    pub async fn offer(&self) -> Result<String, AudioError> {
        let offer = self
            .connection
            .create_offer(None)
            .await
            .map_err(AudioError::webrtc("create an offer"))?;
        self.connection
            .set_local_description(offer)
            .await
            .map_err(AudioError::webrtc("apply the local offer"))?;
        self.local_sdp().await
    }

    /// Applies a remote offer, creates the answer, applies it locally and
    /// returns its SDP.
    pub async fn answer(&self, offer_sdp: String) -> Result<String, AudioError> {
        let offer = RTCSessionDescription::offer(offer_sdp)
            .map_err(AudioError::webrtc("parse an offer"))?;
        self.connection
            .set_remote_description(offer)
            .await
            .map_err(AudioError::webrtc("apply the remote offer"))?;
        let answer = self
            .connection
            .create_answer(None)
            .await
            .map_err(AudioError::webrtc("create an answer"))?;
        self.connection
            .set_local_description(answer)
            .await
            .map_err(AudioError::webrtc("apply the local answer"))?;
        self.local_sdp().await
    }

    /// Applies the remote answer to this peer's offer.
    pub async fn accept_answer(&self, answer_sdp: String) -> Result<(), AudioError> {
        let answer = RTCSessionDescription::answer(answer_sdp)
            .map_err(AudioError::webrtc("parse an answer"))?;
        self.connection
            .set_remote_description(answer)
            .await
            .map_err(AudioError::webrtc("apply the remote answer"))
    }

    async fn local_sdp(&self) -> Result<String, AudioError> {
        self.connection
            .local_description()
            .await
            .map(|description| description.sdp)
            .ok_or_else(|| AudioError::Signalling("the local description is missing".to_owned()))
    }

    /// Adds a remote ICE candidate. One on an address that the peer's
    /// network does not accept is skipped.
    pub async fn add_remote_candidate(
        &self,
        candidate: RTCIceCandidateInit,
    ) -> Result<(), AudioError> {
        if !candidate_is_accepted(&candidate.candidate, self.network) {
            debug!(
                candidate = candidate.candidate,
                accepted = self.network.description(),
                "skipping a remote candidate on another address"
            );
            return Ok(());
        }
        self.connection
            .add_ice_candidate(candidate)
            .await
            .map_err(AudioError::webrtc("add a remote ICE candidate"))
    }

    /// Returns the receiver of local candidates; `None` after the first call.
    pub fn take_candidates(&self) -> Option<mpsc::Receiver<LocalCandidate>> {
        self.candidates
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .take()
    }

    /// Waits until the peer is connected, for at most [`CONNECT_TIMEOUT`].
    pub async fn wait_connected(&self) -> Result<(), AudioError> {
        let mut state = self.state.clone();
        let connected = tokio::time::timeout(
            CONNECT_TIMEOUT,
            state.wait_for(|state| {
                matches!(
                    state,
                    RTCPeerConnectionState::Connected
                        | RTCPeerConnectionState::Failed
                        | RTCPeerConnectionState::Closed
                )
            }),
        )
        .await
        .map_err(|_| AudioError::Timeout("the peer connection to connect"))?
        .map_err(|_| AudioError::Signalling("the peer's event handler stopped".to_owned()))?;
        if *connected != RTCPeerConnectionState::Connected {
            return Err(AudioError::Signalling(format!(
                "the peer connection ended in state {}",
                *connected
            )));
        }
        Ok(())
    }

    /// Closes the peer connection.
    pub async fn close(&self) {
        if let Err(error) = self.connection.close().await {
            debug!(%error, "closing a bench peer failed");
        }
    }
}

/// The publisher's sending side: one audio track with its own sequence
/// numbers and timestamps.
pub struct Microphone {
    track: Arc<TrackLocalStaticRTP>,
    ssrc: u32,
    sequence_number: u16,
    timestamp: u32,
    audio_level_id: Option<u8>,
}

impl std::fmt::Debug for Microphone {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Microphone")
            .field("ssrc", &self.ssrc)
            .field("sequence_number", &self.sequence_number)
            .finish_non_exhaustive()
    }
}

impl Microphone {
    /// Adds a send-and-receive audio track to `peer`.
    pub async fn attach(peer: &Peer) -> Result<Self, AudioError> {
        let ssrc = rand_ssrc();
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            "bench-lecturer".to_owned(),
            "bench-lecturer-microphone".to_owned(),
            "bench lecturer microphone".to_owned(),
            RtpCodecKind::Audio,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: opus_codec(),
                ..Default::default()
            }],
        )));
        peer.connection
            .add_track(Arc::clone(&track) as Arc<dyn TrackLocal>)
            .await
            .map_err(AudioError::webrtc("add the microphone track"))?;
        Ok(Self {
            track,
            ssrc,
            sequence_number: 0,
            timestamp: 0,
            audio_level_id: None,
        })
    }

    /// Reads the audio level extension id the answer negotiated, if any.
    pub async fn read_negotiated(&mut self, peer: &Peer) {
        for sender in peer.connection.get_senders().await {
            let Ok(parameters) = sender.get_parameters().await else {
                continue;
            };
            if let Some(extension) = parameters
                .rtp_parameters
                .header_extensions
                .iter()
                .find(|extension| extension.uri == AUDIO_LEVEL_URI)
            {
                self.audio_level_id = u8::try_from(extension.id).ok();
            }
        }
    }

    /// Sends one packet of `phase`, numbered `number`, stamped now.
    pub async fn send(
        &mut self,
        clock: &Clock,
        phase: Phase,
        number: u32,
    ) -> Result<(), AudioError> {
        self.sequence_number = self.sequence_number.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(TIMESTAMP_STEP);
        let stamp = Stamp {
            phase,
            number,
            sent_us: clock.now_us(),
        };
        let mut packet = rtp::Packet {
            header: rtp::Header {
                version: 2,
                payload_type: OPUS_PAYLOAD_TYPE,
                sequence_number: self.sequence_number,
                timestamp: self.timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload: stamp.encode(),
        };
        if let Some(id) = self.audio_level_id {
            packet
                .header
                .set_extension(id, Bytes::from_static(&[AUDIO_LEVEL_DBOV]))
                .map_err(AudioError::webrtc("set the audio level"))?;
        }
        self.track
            .write_rtp(packet)
            .await
            .map_err(AudioError::webrtc("send an RTP packet"))
    }
}

/// Returns a random SSRC from the process's hasher seed, which needs no
/// random number crate.
fn rand_ssrc() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(std::process::id().into());
    hasher.finish() as u32
}
