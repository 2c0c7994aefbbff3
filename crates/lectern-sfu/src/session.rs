//! One participant's peer connection: building it, its event handler, and its outgoing tracks.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, Weak};

use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::MIME_TYPE_OPUS;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RTCRtpHeaderExtensionCapability, RtpCodecKind,
};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceCandidateType, RTCIceConnectionState, RTCIceGatheringState, RTCPeerConnectionIceEvent,
    RTCPeerConnectionState, Registry, SettingEngineBuilder, configure_rtcp_reports,
};

use crate::config::{SfuConfig, map_host_candidate};
use crate::forward::{PublisherContext, SlotOutput, Subscriber, run_publisher};
use crate::room::{CloseReason, IceCandidate, RoomEvent, RoomInner};
use crate::speaking::AUDIO_LEVEL_URI;
use crate::stats::{Counters, LiveGuard, LiveKind, spawn_counted};
use crate::{ParticipantId, SfuError};

/// Payload type the SFU prefers for Opus in its own offers. Answers use the offerer's.
const OPUS_PAYLOAD_TYPE: u8 = 111;

/// One participant's peer connection and the state the room keeps for it.
pub(crate) struct Session {
    pub(crate) participant: ParticipantId,
    /// Distinguishes this session from a later one of the same participant.
    pub(crate) serial: u64,
    pub(crate) peer: Arc<dyn PeerConnection>,
    pub(crate) cancel: CancellationToken,
    pub(crate) subscriber: Arc<Subscriber>,
    /// The slot tracks, created with the session and attached to transceivers on negotiation.
    pub(crate) slot_tracks: Vec<SlotTrack>,
    /// Number of slot tracks attached so far, in slot order.
    pub(crate) attached_slots: std::sync::Mutex<usize>,
    pub(crate) audio_level_id: Arc<AtomicU8>,
    closed: AtomicBool,
    _live: LiveGuard,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Session")
            .field("participant", &self.participant)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// An outgoing track of a subscriber with the SSRC chosen for it.
#[derive(Clone)]
pub(crate) struct SlotTrack {
    pub(crate) track: Arc<TrackLocalStaticRTP>,
    pub(crate) ssrc: u32,
}

/// Everything needed to build a session, gathered by the room.
pub(crate) struct SessionParts {
    pub(crate) participant: ParticipantId,
    pub(crate) serial: u64,
    pub(crate) config: Arc<SfuConfig>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) room: Weak<RoomInner>,
    pub(crate) grant: Arc<AtomicU32>,
    pub(crate) addr: SocketAddr,
    pub(crate) subscriber: Arc<Subscriber>,
    pub(crate) cancel: CancellationToken,
}

impl Session {
    /// Builds the peer connection. Its sockets are bound when this returns.
    pub(crate) async fn open(parts: SessionParts) -> Result<Self, SfuError> {
        let participant = parts.participant.clone();
        let audio_level_id = Arc::new(AtomicU8::new(0));
        let handler = Arc::new(SessionHandler {
            publisher: PublisherContext {
                participant: participant.clone(),
                room: parts.room.clone(),
                counters: Arc::clone(&parts.counters),
                grant: parts.grant,
                audio_level_id: Arc::clone(&audio_level_id),
                cancel: parts.cancel.clone(),
            },
            serial: parts.serial,
            public_ip: parts.config.network.public_ip,
        });

        let mut media_engine = MediaEngine::default();
        media_engine
            .register_codec(opus_codec_parameters(), RtpCodecKind::Audio)
            .map_err(SfuError::webrtc(&participant, "register the Opus codec"))?;
        media_engine
            .register_header_extension(
                RTCRtpHeaderExtensionCapability {
                    uri: AUDIO_LEVEL_URI.to_owned(),
                },
                RtpCodecKind::Audio,
                None,
            )
            .map_err(SfuError::webrtc(
                &participant,
                "register the audio level extension",
            ))?;
        // Sender and receiver reports only. The crate's defaults also add NACK and
        // transport-wide congestion control feedback. Chrome's offer has no NACK for Opus, and
        // that feedback only drives a bandwidth estimate that fixed-rate audio does not use.
        // Each interceptor is one more step for every packet to every subscriber.
        let registry = configure_rtcp_reports(Registry::new());

        let network = &parts.config.network;
        // NOTE: mDNS is off, so a browser's `.local` host candidates are discarded and it
        // connects through its server-reflexive or relay candidates (STUN or TURN from
        // `NetworkConfig::ice_servers`). The multicast socket would listen on every interface.
        let mut settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .with_ice_timeouts(
                Some(network.ice_disconnected_timeout),
                Some(network.ice_failed_timeout),
                None,
            );
        if let Some(public_ip) = network.public_ip {
            settings =
                settings.with_nat_1to1_ips(vec![public_ip.to_string()], RTCIceCandidateType::Host);
        }
        let tcp_addrs = if network.ice_tcp {
            vec![parts.addr]
        } else {
            Vec::new()
        };
        // The builder's future is about 20 KiB, so it lives on the heap.
        let peer = Box::pin(
            PeerConnectionBuilder::new()
                .with_media_engine(media_engine)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings.build())
                .with_handler(handler)
                .with_udp_addrs(vec![parts.addr])
                .with_tcp_addrs(tcp_addrs)
                .build(),
        )
        .await
        .map_err(SfuError::webrtc(&participant, "open the peer connection"))?;

        let slot_tracks = (0..parts.config.audio_slots)
            .map(|slot| new_slot_track(&participant, parts.serial, slot))
            .collect();
        Ok(Self {
            participant,
            serial: parts.serial,
            peer: Arc::new(peer),
            cancel: parts.cancel,
            subscriber: parts.subscriber,
            slot_tracks,
            attached_slots: std::sync::Mutex::new(0),
            audio_level_id,
            closed: AtomicBool::new(false),
            _live: LiveGuard::new(&parts.counters, LiveKind::Session),
        })
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Stops the session's tasks and closes its peer connection, which releases its sockets.
    pub(crate) async fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.cancel.cancel();
        if let Err(error) = self.peer.close().await {
            warn!(participant = %self.participant, %error, "closing the peer connection failed");
        }
    }

    /// Attaches the next `count` unattached slot tracks with `add_track`, which binds each to
    /// the first audio transceiver that has no sender yet.
    pub(crate) async fn attach_slot_tracks(&self, count: usize) -> Result<(), SfuError> {
        for _ in 0..count {
            let next = {
                let mut attached = lock(&self.attached_slots);
                let Some(slot) = self.slot_tracks.get(*attached) else {
                    return Ok(());
                };
                *attached += 1;
                slot.clone()
            };
            self.peer
                .add_track(next.track)
                .await
                .map_err(SfuError::webrtc(&self.participant, "add an audio track"))?;
        }
        Ok(())
    }

    /// Adds send-only transceivers for the slot tracks not attached yet.
    pub(crate) async fn add_missing_slot_transceivers(&self) -> Result<(), SfuError> {
        loop {
            let next = {
                let mut attached = lock(&self.attached_slots);
                let Some(slot) = self.slot_tracks.get(*attached) else {
                    return Ok(());
                };
                *attached += 1;
                slot.clone()
            };
            self.peer
                .add_transceiver_from_track(
                    next.track,
                    Some(rtc::rtp_transceiver::RTCRtpTransceiverInit {
                        direction: rtc::rtp_transceiver::RTCRtpTransceiverDirection::Sendonly,
                        streams: Vec::new(),
                        send_encodings: Vec::new(),
                    }),
                )
                .await
                .map_err(SfuError::webrtc(
                    &self.participant,
                    "add an audio transceiver",
                ))?;
        }
    }

    /// Reads the negotiated payload type of every attached slot track and hands the result to
    /// the writer.
    pub(crate) async fn refresh_outputs(&self) -> Result<(), SfuError> {
        let attached = *lock(&self.attached_slots);
        let senders = self.peer.get_senders().await;
        let mut negotiated = Vec::with_capacity(senders.len());
        for sender in senders {
            let parameters = sender.get_parameters().await.map_err(SfuError::webrtc(
                &self.participant,
                "read the sender parameters",
            ))?;
            let ssrcs: Vec<u32> = parameters
                .encodings
                .iter()
                .filter_map(|encoding| encoding.rtp_coding_parameters.ssrc)
                .collect();
            let opus = parameters.rtp_parameters.codecs.iter().find(|codec| {
                codec
                    .rtp_codec
                    .mime_type
                    .eq_ignore_ascii_case(MIME_TYPE_OPUS)
            });
            if let Some(opus) = opus {
                negotiated.push((ssrcs, opus.payload_type));
            }
        }

        let mut outputs = Vec::with_capacity(attached);
        for slot in self.slot_tracks.iter().take(attached) {
            let payload_type = negotiated
                .iter()
                .find(|(ssrcs, _)| ssrcs.contains(&slot.ssrc))
                .map(|(_, payload_type)| *payload_type);
            let Some(payload_type) = payload_type else {
                // A slot without a negotiated codec ends the usable prefix: the writer maps
                // slot indexes to positions, so later slots cannot be listed either.
                warn!(
                    participant = %self.participant,
                    ssrc = slot.ssrc,
                    "an outgoing audio track has no negotiated Opus codec, so it stays silent"
                );
                break;
            };
            outputs.push(SlotOutput {
                track: Arc::clone(&slot.track),
                ssrc: slot.ssrc,
                payload_type,
            });
        }
        debug!(participant = %self.participant, tracks = outputs.len(), "outgoing tracks ready");
        self.subscriber.set_tracks(outputs.into());
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.cancel.cancel();
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        // A session dropped without `close` (the room itself was dropped) still has a running
        // driver task in the `webrtc` crate, which `close` alone stops.
        let peer = Arc::clone(&self.peer);
        let participant = self.participant.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = peer.close().await {
                    warn!(%participant, %error, "closing a dropped peer connection failed");
                }
            });
        }
    }
}

pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic inside one of these short critical sections leaves data that later calls can
    // still use: most are single assignments, and a subscriber's rewriter that stops halfway
    // costs at most a gap in its sequence numbers. So a poisoned lock is still used.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn opus_codec_parameters() -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: opus_codec(),
        payload_type: OPUS_PAYLOAD_TYPE,
    }
}

fn opus_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: crate::rewrite::OPUS_CLOCK_RATE,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: Vec::new(),
    }
}

fn new_slot_track(participant: &ParticipantId, serial: u64, slot: usize) -> SlotTrack {
    let ssrc = rand::random::<u32>();
    let track = MediaStreamTrack::new(
        format!("lectern-{serial}"),
        format!("lectern-{serial}-slot-{slot}"),
        format!("lectern audio for {participant}, slot {slot}"),
        RtpCodecKind::Audio,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec: opus_codec(),
            ..Default::default()
        }],
    );
    SlotTrack {
        track: Arc::new(TrackLocalStaticRTP::new(track)),
        ssrc,
    }
}

/// Receives the peer connection's events. Runs on the `webrtc` driver task, so every method
/// returns at once: work that waits is spawned.
struct SessionHandler {
    publisher: PublisherContext,
    serial: u64,
    public_ip: Option<std::net::IpAddr>,
}

impl SessionHandler {
    fn emit(&self, event: RoomEvent) {
        if let Some(room) = self.publisher.room.upgrade() {
            room.emit(event);
        }
    }

    fn remove(&self, reason: CloseReason) {
        let Some(room) = self.publisher.room.upgrade() else {
            return;
        };
        let participant = self.publisher.participant.clone();
        let serial = self.serial;
        // `close` waits for the driver task, which is the task running this handler.
        tokio::spawn(async move {
            room.remove_session(&participant, Some(serial), reason)
                .await;
        });
    }
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for SessionHandler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        match event.candidate.to_json() {
            Ok(init) => self.emit(RoomEvent::IceCandidate {
                participant: self.publisher.participant.clone(),
                candidate: IceCandidate {
                    candidate: match self.public_ip {
                        Some(public_ip) => map_host_candidate(&init.candidate, public_ip),
                        None => init.candidate,
                    },
                    sdp_mid: init.sdp_mid,
                    sdp_mline_index: init.sdp_mline_index,
                    username_fragment: init.username_fragment,
                },
            }),
            Err(error) => warn!(
                participant = %self.publisher.participant,
                %error,
                "cannot encode a local ICE candidate"
            ),
        }
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.emit(RoomEvent::IceGatheringComplete {
                participant: self.publisher.participant.clone(),
            });
        }
    }

    async fn on_ice_connection_state_change(&self, state: RTCIceConnectionState) {
        debug!(participant = %self.publisher.participant, %state, "ICE connection state");
        if state == RTCIceConnectionState::Failed {
            info!(participant = %self.publisher.participant, "ICE failed, closing the session");
            self.remove(CloseReason::ConnectionFailed);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        debug!(participant = %self.publisher.participant, %state, "peer connection state");
        match state {
            RTCPeerConnectionState::Connected => self.emit(RoomEvent::Connected {
                participant: self.publisher.participant.clone(),
            }),
            RTCPeerConnectionState::Failed => {
                info!(participant = %self.publisher.participant, "connection failed, closing the session");
                self.remove(CloseReason::ConnectionFailed);
            }
            RTCPeerConnectionState::Closed => self.remove(CloseReason::ConnectionClosed),
            _ => {}
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        if track.kind().await != RtpCodecKind::Audio {
            return;
        }
        let Some(room) = self.publisher.room.upgrade() else {
            return;
        };
        let source = room.next_source();
        drop(room);
        let context = self.publisher.clone();
        let counters = Arc::clone(&context.counters);
        spawn_counted(&counters, run_publisher(context, track, source));
    }
}
