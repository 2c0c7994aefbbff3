//! Test support: client peers built with the `webrtc` crate, on loopback only, and a room
//! harness that exchanges their SDP and ICE candidates with the SFU.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use lectern_sfu::speaking::AUDIO_LEVEL_URI;
use lectern_sfu::{IceCandidate, NetworkConfig, ParticipantId, Room, RoomEvent, Sfu, SfuConfig};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_PCMU};
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RTCRtpHeaderExtensionCapability, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceCandidateInit, RTCPeerConnectionIceEvent, RTCPeerConnectionState, RTCSessionDescription,
    Registry, SettingEngineBuilder, register_default_interceptors,
};

/// Upper bound for any wait in these tests. Reaching it is a failure, not a synchronisation.
pub const WAIT: Duration = Duration::from_secs(20);

/// Payload phases, the first payload byte: warm-up packets only prove the path is up.
pub const PHASE_WARM_UP: u8 = 0;
pub const PHASE_COUNTED: u8 = 1;

/// A packet a client received, reduced to what the tests check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub ssrc: u32,
    pub payload_type: u8,
    pub sequence_number: u16,
    pub timestamp: u32,
    pub phase: u8,
    /// Participant number of the sender, the second payload byte.
    pub sender: u8,
    pub counter: u32,
}

/// Builds an Opus-like payload: phase, sender number, a big-endian counter, then filler.
pub fn payload(phase: u8, sender: u8, counter: u32) -> Bytes {
    let mut buffer = BytesMut::with_capacity(40);
    buffer.put_u8(phase);
    buffer.put_u8(sender);
    buffer.put_u32(counter);
    buffer.put_bytes(0xAB, 34);
    buffer.freeze()
}

fn parse_payload(payload: &[u8]) -> Option<(u8, u8, u32)> {
    let counter = u32::from_be_bytes(payload.get(2..6)?.try_into().ok()?);
    Some((*payload.first()?, *payload.get(1)?, counter))
}

pub fn sfu_config() -> SfuConfig {
    SfuConfig {
        network: NetworkConfig::loopback(),
        ..SfuConfig::default()
    }
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LECTERN_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
}

/// Which codec a client offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCodec {
    Opus,
    Pcmu,
}

struct ClientHandler {
    candidates: mpsc::UnboundedSender<RTCIceCandidateInit>,
    received: mpsc::UnboundedSender<Received>,
    state: watch::Sender<RTCPeerConnectionState>,
    read_enabled: Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for ClientHandler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if let Ok(init) = event.candidate.to_json() {
            let _ = self.candidates.send(init);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        self.state.send_replace(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let received = self.received.clone();
        let read_enabled = Arc::clone(&self.read_enabled);
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                if !read_enabled.load(std::sync::atomic::Ordering::Acquire) {
                    continue;
                }
                if let TrackRemoteEvent::OnRtpPacket(packet) = event
                    && let Some((phase, sender, counter)) = parse_payload(&packet.payload)
                {
                    let _ = received.send(Received {
                        ssrc: packet.header.ssrc,
                        payload_type: packet.header.payload_type,
                        sequence_number: packet.header.sequence_number,
                        timestamp: packet.header.timestamp,
                        phase,
                        sender,
                        counter,
                    });
                }
            }
        });
    }
}

/// A browser stand-in: one sending audio track plus receive-only audio transceivers.
pub struct Client {
    pub participant: ParticipantId,
    pub number: u8,
    pub peer: Arc<dyn PeerConnection>,
    track: Arc<TrackLocalStaticRTP>,
    ssrc: u32,
    sequence_number: u16,
    timestamp: u32,
    payload_type: u8,
    audio_level_id: Option<u8>,
    pub received: mpsc::UnboundedReceiver<Received>,
    candidates: Option<mpsc::UnboundedReceiver<RTCIceCandidateInit>>,
    state: watch::Receiver<RTCPeerConnectionState>,
    /// Whether the client's track readers pass packets on. False simulates a client that
    /// stopped reading.
    pub read_enabled: Arc<std::sync::atomic::AtomicBool>,
}

fn client_codec(codec: ClientCodec) -> (RTCRtpCodec, u8) {
    match codec {
        ClientCodec::Opus => (
            RTCRtpCodec {
                mime_type: MIME_TYPE_OPUS.to_owned(),
                clock_rate: 48_000,
                channels: 2,
                sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
                rtcp_feedback: vec![],
            },
            111,
        ),
        ClientCodec::Pcmu => (
            RTCRtpCodec {
                mime_type: MIME_TYPE_PCMU.to_owned(),
                clock_rate: 8_000,
                channels: 0,
                sdp_fmtp_line: String::new(),
                rtcp_feedback: vec![],
            },
            0,
        ),
    }
}

impl Client {
    /// Builds a client with `audio_sections` audio m-lines: the first sends and receives,
    /// the rest only receive.
    pub async fn new(name: &str, number: u8, codec: ClientCodec, audio_sections: usize) -> Self {
        let (rtp_codec, payload_type) = client_codec(codec);
        let mut media_engine = MediaEngine::default();
        media_engine
            .register_codec(
                RTCRtpCodecParameters {
                    rtp_codec: rtp_codec.clone(),
                    payload_type,
                },
                RtpCodecKind::Audio,
            )
            .unwrap();
        media_engine
            .register_header_extension(
                RTCRtpHeaderExtensionCapability {
                    uri: AUDIO_LEVEL_URI.to_owned(),
                },
                RtpCodecKind::Audio,
                None,
            )
            .unwrap();
        let registry = register_default_interceptors(Registry::new(), &mut media_engine).unwrap();
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .build();

        let (candidates_tx, candidates_rx) = mpsc::unbounded_channel();
        let (received_tx, received_rx) = mpsc::unbounded_channel();
        let (state_tx, state_rx) = watch::channel(RTCPeerConnectionState::New);
        let read_enabled = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let handler = Arc::new(ClientHandler {
            candidates: candidates_tx,
            received: received_tx,
            state: state_tx,
            read_enabled: Arc::clone(&read_enabled),
        });
        let peer = Box::pin(
            PeerConnectionBuilder::new()
                .with_media_engine(media_engine)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings)
                .with_handler(handler)
                .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
                .build(),
        )
        .await
        .unwrap();
        let peer: Arc<dyn PeerConnection> = Arc::new(peer);

        let ssrc = 0x1000_0000 + u32::from(number);
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            format!("client-{name}"),
            format!("client-{name}-microphone"),
            format!("{name} microphone"),
            RtpCodecKind::Audio,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: rtp_codec,
                ..Default::default()
            }],
        )));
        if audio_sections > 0 {
            peer.add_track(Arc::clone(&track) as Arc<dyn TrackLocal>)
                .await
                .unwrap();
        }
        for _ in 1..audio_sections {
            peer.add_transceiver_from_kind(
                RtpCodecKind::Audio,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Recvonly,
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        }

        Self {
            participant: ParticipantId::new(name),
            number,
            peer,
            track,
            ssrc,
            sequence_number: 1000 * u16::from(number),
            timestamp: 100_000 * u32::from(number),
            payload_type,
            audio_level_id: None,
            received: received_rx,
            candidates: Some(candidates_rx),
            state: state_rx,
            read_enabled,
        }
    }

    /// Creates the client's offer and applies it locally.
    pub async fn offer(&self) -> String {
        let offer = self.peer.create_offer(None).await.unwrap();
        self.peer.set_local_description(offer).await.unwrap();
        self.peer.local_description().await.unwrap().sdp
    }

    /// Applies the SFU's answer and reads the negotiated audio level extension id.
    pub async fn apply_answer(&mut self, answer: String) {
        self.peer
            .set_remote_description(RTCSessionDescription::answer(answer).unwrap())
            .await
            .unwrap();
        for sender in self.peer.get_senders().await {
            let parameters = sender.get_parameters().await.unwrap();
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

    /// Waits until the client's peer connection is connected.
    pub async fn wait_connected(&mut self) {
        tokio::time::timeout(
            WAIT,
            self.state
                .wait_for(|state| *state == RTCPeerConnectionState::Connected),
        )
        .await
        .expect("client connection timed out")
        .expect("client state channel closed");
    }

    /// Sends one RTP packet with the given payload and, when negotiated, an audio level.
    pub async fn send(&mut self, payload: Bytes, level_dbov: Option<u8>) {
        self.sequence_number = self.sequence_number.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(960);
        let mut packet = rtp::Packet {
            header: rtp::Header {
                version: 2,
                payload_type: self.payload_type,
                sequence_number: self.sequence_number,
                timestamp: self.timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload,
        };
        if let (Some(id), Some(level)) = (self.audio_level_id, level_dbov) {
            packet
                .header
                .set_extension(id, Bytes::copy_from_slice(&[level]))
                .unwrap();
        }
        self.track.write_rtp(packet).await.unwrap();
    }

    /// Sends a counted packet of this client.
    pub async fn send_counted(&mut self, counter: u32) {
        let number = self.number;
        self.send(payload(PHASE_COUNTED, number, counter), None)
            .await;
    }

    /// Sends counted packets at four times the pace of 20 ms Opus frames, so the test stays
    /// short without sending a burst no real microphone produces.
    pub async fn send_paced(&mut self, counters: std::ops::Range<u32>) {
        let mut pace = tokio::time::interval(Duration::from_millis(5));
        for counter in counters {
            pace.tick().await;
            self.send_counted(counter).await;
        }
    }

    /// Drains what was received so far without waiting.
    pub fn drain(&mut self) -> Vec<Received> {
        let mut packets = Vec::new();
        while let Ok(packet) = self.received.try_recv() {
            packets.push(packet);
        }
        packets
    }

    /// Waits for the next counted packet from `sender`, skipping others. Fails after `WAIT`.
    pub async fn next_counted_from(&mut self, sender: u8) -> Received {
        tokio::time::timeout(WAIT, async {
            loop {
                let packet = self.received.recv().await.expect("receiver closed");
                if packet.phase == PHASE_COUNTED && packet.sender == sender {
                    return packet;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{} received no packet from {sender}", self.participant))
    }
}

/// A room of the SFU plus the clients connected to it.
pub struct Harness {
    pub sfu: Sfu,
    pub room: Room,
    /// Room events other than ICE candidates, which the harness delivers itself.
    pub events: mpsc::UnboundedReceiver<RoomEvent>,
    peers: Arc<Mutex<HashMap<ParticipantId, ClientSlot>>>,
}

struct ClientSlot {
    candidates: mpsc::UnboundedSender<IceCandidate>,
}

impl Harness {
    pub fn new(config: SfuConfig) -> Self {
        init_tracing();
        let sfu = Sfu::new(config).unwrap();
        let (room, mut room_events) = sfu.create_room();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let peers: Arc<Mutex<HashMap<ParticipantId, ClientSlot>>> = Arc::default();
        let routes = Arc::clone(&peers);
        tokio::spawn(async move {
            while let Some(event) = room_events.recv().await {
                match event {
                    RoomEvent::IceCandidate {
                        participant,
                        candidate,
                    } => {
                        let routes = routes.lock().unwrap();
                        if let Some(slot) = routes.get(&participant) {
                            let _ = slot.candidates.send(candidate);
                        }
                    }
                    other => {
                        let _ = events_tx.send(other);
                    }
                }
            }
        });
        Self {
            sfu,
            room,
            events: events_rx,
            peers,
        }
    }

    /// Joins `client` to the room: session, offer and answer, and trickled ICE both ways.
    pub async fn connect(&mut self, client: &mut Client) {
        let participant = client.participant.clone();
        self.room.join(&participant).await.unwrap();

        let (sfu_candidates_tx, mut sfu_candidates_rx) = mpsc::unbounded_channel();
        self.peers.lock().unwrap().insert(
            participant.clone(),
            ClientSlot {
                candidates: sfu_candidates_tx,
            },
        );

        let offer = client.offer().await;
        let answer = self.room.accept_offer(&participant, &offer).await.unwrap();
        client.apply_answer(answer).await;

        // SFU candidates reach the client only once the answer is applied.
        let peer = Arc::clone(&client.peer);
        tokio::spawn(async move {
            while let Some(candidate) = sfu_candidates_rx.recv().await {
                let init = RTCIceCandidateInit {
                    candidate: candidate.candidate,
                    sdp_mid: candidate.sdp_mid,
                    sdp_mline_index: candidate.sdp_mline_index,
                    username_fragment: candidate.username_fragment,
                    url: None,
                };
                if peer.add_ice_candidate(init).await.is_err() {
                    break;
                }
            }
        });

        // Client candidates reach the SFU once the SFU has the offer.
        let mut client_candidates = client.candidates.take().unwrap();
        let room = self.room.clone();
        tokio::spawn(async move {
            while let Some(init) = client_candidates.recv().await {
                let candidate = IceCandidate {
                    candidate: init.candidate,
                    sdp_mid: init.sdp_mid,
                    sdp_mline_index: init.sdp_mline_index,
                    username_fragment: init.username_fragment,
                };
                if room
                    .add_ice_candidate(&participant, candidate)
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });

        client.wait_connected().await;
    }

    /// Waits for a room event matching `predicate`, skipping others. Fails after `WAIT`.
    pub async fn wait_event(&mut self, predicate: impl Fn(&RoomEvent) -> bool) -> RoomEvent {
        tokio::time::timeout(WAIT, async {
            loop {
                let event = self.events.recv().await.expect("room events closed");
                if predicate(&event) {
                    return event;
                }
            }
        })
        .await
        .expect("timed out waiting for a room event")
    }
}

/// Sends warm-up packets from `sender` until every listener has received one, so later
/// counted packets do not race the setup of the SFU's outgoing tracks.
pub async fn warm_up(sender: &mut Client, listeners: &mut [&mut Client]) {
    let number = sender.number;
    let mut ready = vec![false; listeners.len()];
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut counter = 0;
    while !ready.iter().all(|ready| *ready) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "warm-up packets from {} never arrived",
            sender.participant
        );
        sender
            .send(payload(PHASE_WARM_UP, number, counter), None)
            .await;
        counter += 1;
        for (index, listener) in listeners.iter_mut().enumerate() {
            if let Ok(Some(packet)) =
                tokio::time::timeout(Duration::from_millis(20), listener.received.recv()).await
                && packet.phase == PHASE_WARM_UP
                && packet.sender == number
            {
                ready[index] = true;
            }
        }
    }
    for listener in listeners.iter_mut() {
        listener.drain();
    }
}
